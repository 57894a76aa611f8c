"""User-written rulesets: another province's poverty line and water thresholds over a shipped ruleset,
typos (with the closest key suggested), wrong types, a year without a poverty line, files that are not
UTF-8 — each error names the file, the line and the key, and the command line renders it (exit 2)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from rules_helpers import household, registry, responses

from povexit.cli.main import main
from povexit.errors import PovexitError
from povexit.rules import adjudicate, load_ruleset

GUIZHOU = """
    ruleset: guizhou-2019
    version: "2019.gz"
    extends: national-2019
    province: 贵州            # written without 省: still the province of the lines below and of the registry
    poverty_lines:
      - {year: 2019, province: 贵州省, value: 3747, source: 贵州省脱贫工作线（测试）}
    water:
      quantity_min_l: {value: 40, source: 贵州省农村饮水安全评价细则（测试）第5条}
      fetch_max_minutes: {value: 10, source: 贵州省细则（测试）第6条}
"""


def write(tmp_path: Path, text: str, name: str = "my.yaml", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip("\n"), encoding=encoding)
    return p


def problems(path: Path) -> list:
    with pytest.raises(PovexitError) as info:
        load_ruleset(path)
    return info.value.diagnostics


def judge(ruleset, answers: dict[str, Any], province: str = "贵州省"):
    reg = registry([{"household_id": "H", "status": "exited", "exit_year": 2018}], province=province, exit_year=2019)
    return adjudicate(reg, None, responses(household("H", **answers)), ruleset)


def test_another_provinces_line_and_water_thresholds(tmp_path):
    rs = load_ruleset(write(tmp_path, GUIZHOU))
    assert rs.poverty_line.value == 3747 and rs.poverty_line.province == "贵州省"
    assert rs.param("water.quantity_min_l").value == 40 and rs.param("water.quantity_min_l").line == 8
    assert rs.param("water.max_days_without").file == "rulesets/national-2019.yaml"  # the rest inherited
    national = load_ruleset("national-2019")
    one_head = {"persons": 1, "persons_sharing": 1, "income_wage": 3500.0, "income_business": 0.0,
                "income_property": 0.0, "income_transfer": 0.0, "production_cost": 0.0, "income_windfall": 0.0}
    for answers, rule in (({"water_litres_per_person_day": 38.0}, "water.quantity"),
                          ({"water_fetch_minutes": 15.0}, "water.convenience"),
                          (one_head, "income.below_line")):
        mine = judge(rs, answers)
        row = mine.findings.row(0, named=True)
        assert rule in row["rules"].split(";") and row["wrongful_exit"] in (True, "yes"), rule
        cited = next(e for e in json.loads(row["evidence"]) if e["rule"] == rule)
        assert "测试" in json.dumps(cited, ensure_ascii=False)  # the verdict names the user's source
        assert rule not in (judge(national, answers).findings.row(0, named=True)["rules"] or "").split(";")
    # 贵州 (ruleset) and 贵州省 (registry) are the same province: no mismatch warning
    assert not [d for d in judge(rs, {}).diagnostics if d.code == "PVX-RU36"]
    assert [d for d in judge(rs, {}, province="云南省").diagnostics if d.code == "PVX-RU36"]


def test_provincial_line_for_another_year_is_not_replaced_by_the_national_one(tmp_path):
    # the province has its own working line, but for 2018: judging 2019 by the national 3,218 instead
    # would silently use another standard — stop and say which line is missing
    [d] = problems(write(tmp_path, GUIZHOU.replace("year: 2019, province", "year: 2018, province")))
    assert (d.code, d.column) == ("PVX-RU12", "year") and "2018" in d.message("en") and "2019" in d.message("en")
    # a province without any line of its own uses the national one (jilin-2018 does)
    rs = load_ruleset(write(tmp_path, 'ruleset: g\nversion: "1"\nextends: national-2019\nprovince: 甘肃省\n', "gs.yaml"))
    assert rs.poverty_line.value == 3218 and rs.poverty_line.province is None
    # extending yunnan-2018 (a 2018 provincial line) to 2019 without a 2019 line is the same mistake
    [d] = problems(write(tmp_path, 'ruleset: y\nversion: "1"\nextends: yunnan-2018\nyear: 2019\n', "yn.yaml"))
    assert d.code == "PVX-RU12" and d.row == 4


def test_typos_name_key_line_and_suggest_the_closest(tmp_path):
    p = write(tmp_path, """
        ruleset: typo
        version: "1"
        extends: national-2019
        yaer: 2019
        poverty_line: 3747
        quantity_min_l: {value: 40, source: x}
        water:
          quantity_min_L: {value: 40, source: x}
          reliability_min_pct: {value: 95, sorce: x}
    """)
    by_col = {d.column: d for d in problems(p) if d.code == "PVX-RU02"}
    expect = {"yaer": (4, "Did you mean 'year'?"), "poverty_line": (5, "Did you mean 'poverty_lines'?"),
              "quantity_min_l": (6, "parameter of section water"),
              "water.quantity_min_L": (8, "Did you mean 'quantity_min_l'?"),
              "water.reliability_min_pct.sorce": (9, "Did you mean 'source'?")}
    assert set(by_col) == set(expect)
    for col, (row, hint) in expect.items():
        d = by_col[col]
        assert d.row == row and d.file.endswith("my.yaml") and hint in d.fix("en"), (col, d.fix("en"))
        assert "Keys allowed here" in d.fix("en")


@pytest.mark.parametrize(("line", "column", "needle", "quote_hint"), [
    ("water:\n  fetch_max_minutes: {value: ten, source: x}", "water.fetch_max_minutes", "a number", False),
    ("housing:\n  accepted_grades: {value: A, source: x}", "housing.accepted_grades", "a list", False),
    ("water:\n  quantity_min_l: 40", "water.quantity_min_l", "{value: …, source", False),
    ("water:\n  reliability_min_pct: {value: 150, source: x}", "water.reliability_min_pct", "at most 100", False),
    ("year: \"2019\"", "year", "an integer", False),
    ("province: [贵州]", "province", "text", True),
])
def test_wrong_types_name_the_key(tmp_path, line, column, needle, quote_hint):
    p = write(tmp_path, 'ruleset: t\nversion: "1"\nextends: national-2019\n' + line + "\n")
    [d] = problems(p)
    assert d.column == column and d.row == 3 + line.count("\n") + 1 and needle in d.message("en") + d.fix("en")
    assert ("quote text" in d.fix("en")) == quote_hint  # the advice to quote is for text only


def test_year_without_a_poverty_line_points_at_the_year(tmp_path):
    p = write(tmp_path, 'ruleset: t\nversion: "1"\nextends: national-2019\nprovince: 贵州省\nyear: 2017\n')
    [d] = problems(p)
    assert (d.code, d.row, d.column) == ("PVX-RU09", 5, "year")
    assert "2017" in d.message("en") and "2018, 2019" in d.fix("en") and "{year: 2017" in d.fix("en")
    # inherited year: the line is in the file that set it
    child = write(tmp_path, 'ruleset: c\nversion: "1"\nextends: my.yaml\n', "child.yaml")
    [d] = problems(child)
    assert d.file.endswith("my.yaml") and d.row == 5


def test_encoding_and_bom(tmp_path):
    gbk = write(tmp_path, GUIZHOU, "gbk.yaml", encoding="gbk")
    [d] = problems(gbk)
    assert d.code == "PVX-RU11" and "UTF-8" in d.fix("en")
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(("\ufeff" + textwrap.dedent(GUIZHOU).lstrip("\n")).encode())
    assert load_ruleset(bom).poverty_line.value == 3747


def test_cli_renders_ruleset_errors(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("POVEXIT_LANG", "en")
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.chdir(tmp_path)
    write(tmp_path, 'ruleset: t\nversion: "1"\nextends: national-2019\nwater:\n  quantity_min_L: {value: 40, source: x}\n',
          "bad.yaml")
    assert main(["ruleset", "check", "bad.yaml"]) == 2
    err = capsys.readouterr().err
    assert "water.quantity_min_L" in err and "quantity_min_l" in err and "Traceback" not in err
    out = tmp_path / "findings"
    assert main(["adjudicate", "--registry", str(tmp_path), "--responses", str(tmp_path), "--ruleset", "bad.yaml",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "PVX-RU02" in err and "Traceback" not in err and not out.exists()
    write(tmp_path, GUIZHOU, "gz.yaml")
    assert main(["ruleset", "check", "gz.yaml"]) == 0
