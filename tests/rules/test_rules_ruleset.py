"""Rulesets: the shipped ones load and cite a source for every parameter; inheritance; every kind of
mistake in a user's file is an error naming the file, the line and the key."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from povexit.cli.main import main
from povexit.errors import PovexitError
from povexit.rules import builtin_names, check_ruleset, list_rulesets, load_ruleset
from povexit.rules.ruleset_schema import param_paths


def write(tmp_path: Path, text: str, name: str = "my.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return p


def error_of(path: Path | str) -> list:
    with pytest.raises(PovexitError) as ei:
        load_ruleset(path)
    return ei.value.diagnostics


# ---- shipped rulesets ----------------------------------------------------------------------------

def test_shipped_rulesets_cover_two_years_and_two_provinces() -> None:
    infos = {i.name: i for i in list_rulesets()}
    usable = [i for i in infos.values() if not i.abstract]
    assert len({i.year for i in usable}) >= 2
    assert len({i.province for i in usable if i.province}) >= 2
    assert {"national-2019", "national-2020", "jilin-2018", "yunnan-2018"} <= set(infos)
    assert infos["national-base"].abstract


@pytest.mark.parametrize("name", [n for n in builtin_names() if n != "national-base"])
def test_shipped_ruleset_is_complete_and_sourced(name: str) -> None:
    rs = load_ruleset(name)
    assert rs.name == name  # the file stem is the name users type
    assert set(rs.params) == set(param_paths())
    for p in rs.params.values():
        assert p.source.strip(), p.path
        assert p.file and p.line, p.path
    assert rs.poverty_line is not None and rs.poverty_line.source.strip()
    assert rs.poverty_line.year == rs.year


def test_poverty_lines_and_their_sources() -> None:
    assert load_ruleset("national-2019").poverty_line.value == 3218
    assert load_ruleset("national-2020").poverty_line.value == 4000
    assert load_ruleset("national-2018").poverty_line.value == 2995
    yn = load_ruleset("yunnan-2018").poverty_line
    assert yn.province == "云南省" and yn.illustrative and yn.value > 2995  # a provincial working line, marked
    jl = load_ruleset("jilin-2018").poverty_line
    assert jl.province is None and jl.value == 2995  # seed 001: 国家扶贫标准
    lines = {(p.year, p.province): p.value for p in load_ruleset("national-2019").poverty_lines}
    assert lines[(2010, None)] == 2300 and lines[(2015, None)] == 2855


def test_abstract_base_cannot_be_used() -> None:
    (d,) = error_of("national-base")
    assert d.code == "PVX-RU08"


def test_unknown_name_lists_the_builtin_ones() -> None:
    (d,) = error_of("national-2099")
    assert d.code == "PVX-RU01" and "national-2019" in d.fix("en")


# ---- inheritance ---------------------------------------------------------------------------------

def test_extends_overrides_one_parameter_and_keeps_the_rest(tmp_path: Path) -> None:
    p = write(tmp_path, """
        ruleset: county-x-2019
        version: "1"
        extends: national-2019
        province: 某省
        poverty_lines:
          - {year: 2019, province: 某省, value: 3600, source: 某省扶贫办文件（测试）}
        water:
          quantity_min_l: {value: 50, source: 某省细则第3条}
    """)
    rs = load_ruleset(p)
    q = rs.param("water.quantity_min_l")
    assert (q.value, q.source, q.line) == (50, "某省细则第3条", 8)
    assert q.file.endswith("my.yaml")
    inherited = rs.param("water.fetch_max_minutes")
    assert inherited.value == 20 and inherited.file == "rulesets/national-2019.yaml"
    base = rs.param("food.staple_g_per_day")
    assert base.value == 500 and base.file == "rulesets/national-base.yaml"
    assert rs.poverty_line.value == 3600 and rs.poverty_line.source == "某省扶贫办文件（测试）"
    assert rs.chain == [str(p), "rulesets/national-2019.yaml", "rulesets/national-base.yaml"]


def test_extends_a_relative_file(tmp_path: Path) -> None:
    write(tmp_path, """
        ruleset: parent
        version: "1"
        extends: national-2018
        education:
          latest_entry_age: {value: 6, source: 测试}
    """, "parent.yaml")
    child = write(tmp_path, """
        ruleset: child
        version: "2"
        extends: parent.yaml
    """, "child.yaml")
    rs = load_ruleset(child)
    assert rs.value("education.latest_entry_age") == 6 and rs.year == 2018


def test_province_without_its_own_line_uses_the_national_one(tmp_path: Path) -> None:
    p = write(tmp_path, """
        ruleset: other-2019
        version: "1"
        extends: national-2019
        province: 甘肃省
    """)
    assert load_ruleset(p).poverty_line.value == 3218


def test_ruleset_fingerprint_changes_with_a_value(tmp_path: Path) -> None:
    a = write(tmp_path, 'ruleset: a\nversion: "1"\nextends: national-2019\n', "a.yaml")
    b = write(tmp_path, 'ruleset: a\nversion: "1"\nextends: national-2019\n'
                        "food:\n  protein_g_per_day: {value: 90, source: x}\n", "b.yaml")
    assert load_ruleset(a).sha256 != load_ruleset(b).sha256


# ---- validation errors ---------------------------------------------------------------------------

BASE = 'ruleset: bad\nversion: "1"\nextends: national-2019\n'


@pytest.mark.parametrize(
    "body, code, key, line",
    [
        ("colour: red\n", "PVX-RU02", "colour", 4),
        ("water:\n  quantity_min_litres: {value: 40, source: x}\n", "PVX-RU02", "water.quantity_min_litres", 5),
        ("water:\n  quantity_min_l: {value: 40, source: x, sorce: y}\n", "PVX-RU02", "water.quantity_min_l.sorce", 5),
        ("water:\n  quantity_min_l: {value: forty, source: x}\n", "PVX-RU03", "water.quantity_min_l", 5),
        ("water:\n  quantity_min_l: 40\n", "PVX-RU03", "water.quantity_min_l", 5),
        ("income:\n  windfall_excluded: {value: 1, source: x}\n", "PVX-RU03", "income.windfall_excluded", 5),
        ("education:\n  compulsory_age_min: {value: 6.5, source: x}\n", "PVX-RU03",
         "education.compulsory_age_min", 5),
        ("water:\n  quantity_min_l: {value: 40}\n", "PVX-RU04", "water.quantity_min_l.source", 5),
        ("water:\n  quantity_min_l: {source: x}\n", "PVX-RU04", "water.quantity_min_l.value", 5),
        ("housing:\n  accepted_grades: {value: [A, E], source: x}\n", "PVX-RU05", "housing.accepted_grades", 5),
        ("water:\n  reliability_min_pct: {value: 120, source: x}\n", "PVX-RU05", "water.reliability_min_pct", 5),
        ("water:\n  quantity_min_l: {value: 40, source: '  '}\n", "PVX-RU05", "water.quantity_min_l.source", 5),
        ("poverty_lines:\n  - {year: 2019, value: 3000}\n", "PVX-RU04", "poverty_lines[0].source", 5),
        ("poverty_lines:\n  - {year: 2019, value: 3000, source: x, currency: CNY}\n", "PVX-RU02",
         "poverty_lines[0].currency", 5),
        ("year: twenty\n", "PVX-RU03", "year", 4),
        ("water:\n  quantity_min_l: {value: 40, source: x}\n  quantity_min_l: {value: 41, source: y}\n",
         "PVX-RU10", "water.quantity_min_l", 6),
    ],
)
def test_a_mistake_names_the_key_and_line(tmp_path: Path, body: str, code: str, key: str, line: int | None) -> None:
    p = write(tmp_path, BASE + body)
    diags = error_of(p)
    hit = [d for d in diags if d.code == code and d.column == key]
    assert hit, [(d.code, d.column, d.row) for d in diags]
    assert hit[0].file == str(p)
    if line is not None:
        assert hit[0].row == line
    assert key in hit[0].message("en") and key in hit[0].message("zh")


def test_version_as_a_number_must_be_quoted(tmp_path: Path) -> None:
    p = write(tmp_path, "ruleset: v\nversion: 1.0\nextends: national-2019\n")
    (d,) = error_of(p)
    assert (d.code, d.column, d.row) == ("PVX-RU03", "version", 2)
    assert "quote" in d.fix("en")


def test_all_mistakes_of_a_file_are_reported_together(tmp_path: Path) -> None:
    p = write(tmp_path, BASE + "colour: red\nwater:\n  quantity_min_l: 40\n  fetch_max_minutes: {value: x, source: y}\n")
    assert {d.code for d in error_of(p)} == {"PVX-RU02", "PVX-RU03"} and len(error_of(p)) == 3


def test_a_standalone_file_must_set_every_parameter(tmp_path: Path) -> None:
    p = write(tmp_path, """
        ruleset: lonely
        version: "1"
        year: 2019
        poverty_lines:
          - {year: 2019, value: 3218, source: x}
        food:
          staple_g_per_day: {value: 500, source: seed 001}
    """)
    diags = error_of(p)
    missing = {d.column for d in diags if d.code == "PVX-RU04"}
    assert "water.quantity_min_l" in missing and "food.staple_g_per_day" not in missing
    assert len(missing) == len(param_paths()) - 1


def test_year_without_a_poverty_line(tmp_path: Path) -> None:
    p = write(tmp_path, BASE + "year: 2030\n")
    (d,) = error_of(p)
    assert d.code == "PVX-RU09" and "2030" in d.message("en")


def test_entry_age_outside_the_compulsory_ages(tmp_path: Path) -> None:
    p = write(tmp_path, BASE + "education:\n  latest_entry_age: {value: 3, source: x}\n")
    (d,) = error_of(p)
    assert (d.code, d.column, d.row) == ("PVX-RU05", "education.latest_entry_age", 5)


def test_extends_cycle(tmp_path: Path) -> None:
    write(tmp_path, 'ruleset: a\nversion: "1"\nextends: b.yaml\n', "a.yaml")
    write(tmp_path, 'ruleset: b\nversion: "1"\nextends: a.yaml\n', "b.yaml")
    (d,) = error_of(tmp_path / "a.yaml")
    assert d.code == "PVX-RU06" and "a.yaml" in d.value and "b.yaml" in d.value


def test_extends_unknown(tmp_path: Path) -> None:
    p = write(tmp_path, 'ruleset: a\nversion: "1"\nextends: nowhere-2019\n')
    (d,) = error_of(p)
    assert (d.code, d.column, d.row) == ("PVX-RU01", "extends", 3)


def test_yaml_syntax_error_has_the_line(tmp_path: Path) -> None:
    p = write(tmp_path, BASE + "water:\n  quantity_min_l: {value: 40, source: x\n")
    (d,) = error_of(p)
    assert d.code == "PVX-RU07" and d.row is not None and d.row >= 5


def test_check_returns_diagnostics_instead_of_raising(tmp_path: Path) -> None:
    rs, diags = check_ruleset(write(tmp_path, BASE + "colour: red\n"))
    assert rs is None and diags[0].code == "PVX-RU02"
    rs, diags = check_ruleset("national-base")  # an abstract base checks fine
    assert rs is not None and not diags


# ---- command line --------------------------------------------------------------------------------

def test_cli_ruleset_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POVEXIT_LANG", "zh")  # --lang en below changes it; restored after the test
    assert main(["ruleset", "list"]) == 0
    assert "yunnan-2018" in capsys.readouterr().out
    assert main(["ruleset", "show", "midyear-2020", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["params"]["water.quantity_min_l"]["value"] == 40
    assert "seed 002" in shown["params"]["water.quantity_min_l"]["source"]
    assert main(["ruleset", "check", str(write(tmp_path, BASE))]) == 0
    bad = write(tmp_path, BASE + "colour: red\n", "bad.yaml")
    assert main(["--lang", "en", "ruleset", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "PVX-RU02" in err and "colour" in err
    assert main(["ruleset", "rules", "--json"]) == 0
    catalogue = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert catalogue["water.quantity"]["fields"] == ["water_litres_per_person_day", "water_scarce_area"]
    assert main(["ruleset", "rules"]) == 0
