"""Score-sheet files: presets load; user sheets are validated with the file, line, key and allowed values."""

from __future__ import annotations

import textwrap

import pytest

from povexit.errors import PovexitError
from povexit.evaluate import load_sheet, presets

GOOD = """\
name: mine
source: 种子002 第三篇
levels:
  township: {scale: 10, min_households: 5}
sections:
  - id: s
    level: township
    name: {zh: 政策落实, en: Policy}
    source: 种子002 第三篇 二.2
items:
  - id: water
    section: s
    name: {zh: 饮水安全, en: Water}
    points: 10
    source: 种子002 第三篇 二.2
    score:
      method: indicator
      indicator: households_without_problem
      rules: [water.]
      scale: {type: linear, full: 1.0, zero: 0.9}
"""


def _write(tmp_path, text):
    p = tmp_path / "sheet.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_presets():
    assert presets() == ["annual-henan", "midyear-2020"]
    sh = load_sheet("midyear-2020")
    assert sum(i.points for i in sh.items_of("township", "item")) == 100
    assert {s.id for s in sh.sections} == {"responsibility", "policy", "work"}  # seed 002 第三篇 二.2's three parts


def test_good_user_sheet(tmp_path):
    sh = load_sheet(_write(tmp_path, GOOD))
    assert sh.name == "mine" and sh.items[0].score.rules == ("water.",)


# (change to GOOD, code, key path, text in the allowed values, line)
BAD = [
    ("    points: 10\n", "    pionts: 10\n", "PVX-EV04", "items[0].pionts", "points", 14),
    ("indicator: households_without_problem", "indicator: no_such", "PVX-EV03", "items[0].score.indicator",
     "approval_share", 18),
    ("rules: [water.]", "rules: [watr.]", "PVX-EV03", "items[0].score.rules[0]", "water.", 19),
    ("zero: 0.9}", "zero: -0.1}", "PVX-EV03", "items[0].score.scale.zero", "0 … 1", 20),
    ("full: 1.0, zero: 0.9", "full: 0.9, zero: 1.0", "PVX-EV03", "items[0].score.scale.zero", "full > zero", 20),
    ("type: linear", "type: per_unit", "PVX-EV03", "items[0].score.scale.type", "linear, deduct", 20),
    ("method: indicator", "method: guess", "PVX-EV03", "items[0].score.method", "indicator, manual", 17),
    ("    section: s\n", "    section: t\n", "PVX-EV03", "items[0].section", "s", 12),
    ("    points: 10\n", "    points: 8\n", "PVX-EV06", "township", "weight", 4),
    ("level: township\n    name", "level: county\n    name", "PVX-EV03", "sections[0].level", "township", 7),
    ("min_households: 5", "min_households: 0.5", "PVX-EV03", "levels.township.min_households", "integer", 4),
]


@pytest.mark.parametrize(("old", "new", "code", "column", "allowed", "line"), BAD, ids=[b[3] + ":" + b[2] for b in BAD])
def test_bad_sheet(tmp_path, old, new, code, column, allowed, line):
    assert old in GOOD
    p = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(PovexitError) as ei:
        load_sheet(p)
    d = next(d for d in ei.value.diagnostics if d.column == column)
    assert d.code == code
    assert d.file == str(p) and d.row == line
    assert allowed in d.fix("en") + d.message("en")


def test_weights_must_add_up(tmp_path):
    """Seed 002 第一篇 三(一): 20% + 80%; a sheet whose weights do not add up to 1 is refused."""
    text = GOOD.replace("    source: 种子002 第三篇 二.2\nitems:", "    weight: 0.7\n    source: 种子002 第三篇 二.2\nitems:")
    with pytest.raises(PovexitError) as ei:
        load_sheet(_write(tmp_path, text))
    assert [d.code for d in ei.value.diagnostics] == ["PVX-EV06"]
    assert "0.7" in ei.value.diagnostics[0].message("en")


def test_duplicate_ids_and_bonus_rules(tmp_path):
    text = GOOD + textwrap.indent(textwrap.dedent("""\
      - id: water
        section: s
        name: 重复
        points: 0
        source: x
        score: {method: manual}
      - id: bonus
        kind: bonus
        level: township
        points: 2
        source: 种子002 第一篇 三(一)8
        score: {method: manual}
    """), "  ")
    with pytest.raises(PovexitError) as ei:
        load_sheet(_write(tmp_path, text))
    codes = {(d.code, d.column) for d in ei.value.diagnostics}
    assert ("PVX-EV05", "items[1].id") in codes
    assert ("PVX-EV03", "items[2].cap") in codes and ("PVX-EV03", "items[2].points") in codes


def test_unknown_sheet_and_yaml_errors(tmp_path):
    with pytest.raises(PovexitError) as ei:
        load_sheet("midyear-2021")
    assert ei.value.diagnostics[0].code == "PVX-EV01" and "midyear-2020" in ei.value.diagnostics[0].fix("en")
    with pytest.raises(PovexitError) as ei:
        load_sheet(_write(tmp_path, "name: x\nitems: [a\n"))
    assert ei.value.diagnostics[0].code == "PVX-EV02"
