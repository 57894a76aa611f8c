"""Every validation rule, each on the small registry with one defect: the right code, at the file,
row (as the user sees it), column (as the user wrote it) and value, with ID numbers masked."""

from __future__ import annotations

from pathlib import Path

import pytest
from registry_fixture import (
    COUNTIES,
    GROUPS,
    IDS,
    PERSONS,
    ROSTERS,
    TODAY,
    VILLAGES,
    add_line,
    only,
    pid,
    replace_line,
    write_registry,
)

from povexit import registry
from povexit.errors import PovexitError
from povexit.privacy import mask_id


def check(tmp_path: Path, **kw):
    return registry.check(write_registry(tmp_path / "reg", **kw), today=TODAY)


def test_base_registry_is_clean(tmp_path):
    r = check(tmp_path)
    assert r.ok and r.counts == {} and r.diagnostics == []


# ---- files and columns ---------------------------------------------------------------------------

def test_missing_villages_table(tmp_path):
    r = check(tmp_path, drop=("villages",))
    d = only(r, "PVX-R001")
    assert not r.ok and "villages" in d.message("en")


def test_table_in_two_files(tmp_path):
    d = write_registry(tmp_path / "reg")
    (d / "人员.csv").write_text((d / "persons.csv").read_text(encoding="utf-8"), encoding="utf-8")
    r = registry.check(d, today=TODAY)
    assert "persons.csv" in only(r, "PVX-R002").message("en") and not r.ok


def test_empty_persons(tmp_path):
    r = check(tmp_path, persons=PERSONS.splitlines()[0] + "\n")
    assert only(r, "PVX-R003").file == "persons.csv" and not r.ok


def test_required_column_missing(tmp_path):
    text = "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != 9) for line in PERSONS.splitlines())
    r = check(tmp_path, persons=text + "\n")  # column 10 = relation
    d = only(r, "PVX006")
    assert (d.file, d.column) == ("persons.csv", "relation") and not r.ok
    assert "与户主关系" in d.message("zh")


def test_duplicate_column(tmp_path):
    text = PERSONS.replace("income_per_capita,", "年人均纯收入,", 1).replace(",note", ",income_per_capita", 1)
    r = check(tmp_path, persons=text)
    assert only(r, "PVX007").column == "income_per_capita" and not r.ok


def test_header_not_found(tmp_path):
    r = check(tmp_path, villages="a,b,c\n1,2,3\n")
    assert only(r, "PVX005").file == "villages.csv" and not r.ok


def test_not_a_directory(tmp_path):
    f = tmp_path / "persons.csv"
    f.write_text("x", encoding="utf-8")
    with pytest.raises(PovexitError) as exc:
        registry.check(f, today=TODAY)
    assert exc.value.diagnostics[0].code == "PVX-R004"
    with pytest.raises(PovexitError) as exc:
        registry.check(tmp_path / "nowhere", today=TODAY)
    assert exc.value.diagnostics[0].code == "PVX001"


# ---- person values -------------------------------------------------------------------------------

def test_required_value_missing(tmp_path):
    r = check(tmp_path, persons=replace_line(PERSONS, 1, name=""))
    d = only(r, "PVX-R101")
    assert (d.file, d.row, d.column) == ("persons.csv", 3, "name") and not r.ok


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("53012819680301111", "PVX-R110"),  # 17 characters
        ("5301281968030111X1", "PVX-R110"),  # X not last
        ("530128196802301118", "PVX-R112"),  # 30 February
        ("530128203003011118", "PVX-R112"),  # born after today
        ("1.10101199003077E+17", "PVX-R113"),  # Excel scientific notation
        ("993128196803011117", "PVX-R115"),  # no province 99
    ],
)
def test_id_number_errors(tmp_path, value, code):
    if code == "PVX-R115":  # a correct check digit on a bad address code
        from povexit.idnumber import check_digit

        value = value[:17] + check_digit(value[:17])
    r = check(tmp_path, persons=replace_line(PERSONS, 2, id_number=value))
    d = only(r, code)
    assert (d.file, d.row, d.column, d.severity) == ("persons.csv", 4, "id_number", "error")
    assert d.value == mask_id(value) and value not in d.message() and not r.ok


def test_id_check_digit_names_the_right_one(tmp_path):
    good = IDS["p3"]
    wrong = good[:17] + ("1" if good[17] != "1" else "2")
    r = check(tmp_path, persons=replace_line(PERSONS, 2, id_number=wrong))
    d = only(r, "PVX-R111")
    assert d.row == 4 and d.params["expected"] == good[17] and d.value == mask_id(wrong)


def test_id_number_normalised(tmp_path):
    """Full-width digits, spaces, a lower-case x and Excel's leading apostrophe are accepted."""
    ids = [pid(1950, 1), pid(1951, 2), pid(1952, 3)]
    x = next(pid(1960, s) for s in range(100) if pid(1960, s).endswith("X"))
    fw = ids[0].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    p = replace_line(PERSONS, 0, id_number=fw)
    p = replace_line(p, 1, id_number=" " + ids[1][:6] + " " + ids[1][6:])
    p = replace_line(p, 2, id_number="'" + ids[2])
    p = replace_line(p, 3, id_number=x[:-1] + "x")
    reg = registry.load(write_registry(tmp_path / "reg", persons=p), today=TODAY)
    assert reg.persons["id_number"].to_list()[:4] == [ids[0], ids[1], ids[2], x]


def test_other_id_is_a_warning(tmp_path):
    r = check(tmp_path, persons=replace_line(PERSONS, 2, id_number="E12345678"))
    d = only(r, "PVX-R114")
    assert d.severity == "warning" and r.ok and d.row == 4
    r = check(tmp_path, persons=replace_line(PERSONS, 2, id_number="530128680301111"))  # old 15-digit
    assert "15" in only(r, "PVX-R114").message("en") or "15" in only(r, "PVX-R114").message("zh")


def test_same_id_in_two_households(tmp_path):
    r = check(tmp_path, persons=replace_line(PERSONS, 6, id_number=IDS["p1"]))
    d = only(r, "PVX-R116")
    assert (d.row, d.value, d.params["other_row"], d.params["other_household"]) == (8, mask_id(IDS["p1"]), 2, "H001")
    assert not r.ok


def test_same_id_twice_in_one_household(tmp_path):
    r = check(tmp_path, persons=replace_line(PERSONS, 2, id_number=IDS["p2"]))
    d = only(r, "PVX-R117")
    assert (d.row, d.params["other_row"], d.params["household"]) == (4, 3, "H001") and not r.ok
    assert "PVX-R116" not in r.counts


@pytest.mark.parametrize(
    ("column", "value"), [("status", "脱贫了"), ("poor_type", "贫困"), ("housing_grade", "E")]
)
def test_enum_values(tmp_path, column, value):
    r = check(tmp_path, persons=replace_line(PERSONS, 3, **{column: value}))
    d = only(r, "PVX-R120")
    assert (d.row, d.column, d.value) == (5, column, value) and not r.ok


def test_enum_variants_accepted(tmp_path):
    p = replace_line(PERSONS, 3, status="未脱贫户", poor_type="低保", housing_grade="c级")
    p = replace_line(p, 4, status=" 未脱贫 ", poor_type="低保户", housing_grade="Ｃ")
    reg = registry.load(write_registry(tmp_path / "reg", persons=p), today=TODAY)
    h = reg.households.filter(household_id="H002").row(0, named=True)
    assert (h["status"], h["poor_type"], h["housing_grade"]) == ("poor", "dibao", "C")


def test_yes_no(tmp_path):
    r = check(tmp_path, persons=replace_line(PERSONS, 0, relocated="也许"))
    d = only(r, "PVX-R121")
    assert (d.row, d.column, d.value) == (2, "relocated", "也许") and not r.ok


def test_numbers_that_are_not_numbers(tmp_path):
    p = replace_line(PERSONS, 0, income_per_capita="五千")
    p = replace_line(p, 5, exit_year="2017年底")
    r = check(tmp_path, persons=p)
    found = sorted((d.row, d.column, d.value) for d in r.diagnostics if d.code == "PVX-R122")
    assert found == [(2, "income_per_capita", "五千"), (7, "exit_year", "2017年底")] and not r.ok


def test_number_formats_accepted(tmp_path):
    p = replace_line(PERSONS, 0, income_per_capita='"5,200.50"', exit_year="2018年")
    p = replace_line(p, 1, income_per_capita="5200.50元", exit_year="2018.0")
    p = replace_line(p, 2, income_per_capita="５２００.５", exit_year="2018")
    reg = registry.load(write_registry(tmp_path / "reg", persons=p), today=TODAY)
    h1 = reg.persons.filter(household_id="H001")
    assert h1["income_per_capita"].to_list() == [5200.5, 5200.5, 5200.5]
    assert h1["exit_year"].to_list() == [2018, 2018, 2018]


def test_negative_income_is_a_warning(tmp_path):
    p = PERSONS
    for i in (3, 4):
        p = replace_line(p, i, income_per_capita="-120")
    r = check(tmp_path, persons=p)
    assert r.counts.get("PVX-R124") == 2 and r.ok


def test_exit_year_range(tmp_path):
    p = PERSONS
    for i in (5, 6, 7):
        p = replace_line(p, i, exit_year="201")
    r = check(tmp_path, persons=p)
    assert r.counts["PVX-R123"] == 3 and not r.ok


# ---- households ----------------------------------------------------------------------------------

def test_household_without_head(tmp_path):
    r = check(tmp_path, persons=replace_line(PERSONS, 3, relation="之父"))
    d = only(r, "PVX-R130")
    assert (d.row, d.column, d.value, d.params["persons"]) == (5, "relation", "H002", 2) and not r.ok


def test_household_with_two_heads(tmp_path):
    r = check(tmp_path, persons=replace_line(PERSONS, 2, relation="户主"))
    d = only(r, "PVX-R131")
    assert (d.row, d.value, d.params["heads"], d.params["rows"]) == (2, "H001", 2, "2, 4") and not r.ok


def test_head_variants(tmp_path):
    p = replace_line(PERSONS, 0, relation="本人（户主）")
    p = replace_line(p, 3, relation="本人")
    assert check(tmp_path, persons=p).ok


def test_one_status_per_household(tmp_path):
    r = check(tmp_path, persons=replace_line(PERSONS, 2, status="未脱贫", exit_year=""))
    d = only(r, "PVX-R132")
    assert (d.row, d.value, d.params["values"]) == (2, "H001", "已脱贫 / 未脱贫") and not r.ok


def test_one_exit_year_per_household(tmp_path):
    r = check(tmp_path, persons=replace_line(PERSONS, 1, exit_year="2017"))
    d = only(r, "PVX-R133")
    assert (d.row, d.column, d.params["values"]) == (2, "exit_year", "2018 / 2017") and not r.ok


def test_one_place_per_household(tmp_path):
    r = check(tmp_path, persons=replace_line(PERSONS, 4, township="撒营盘镇", village="乙村"))
    d = only(r, "PVX-R134")
    assert (d.row, d.value) == (5, "H002") and not r.ok


def test_household_attributes_differ_is_a_warning(tmp_path):
    r = check(tmp_path, persons=replace_line(PERSONS, 4, income_per_capita="3000", housing_grade="B"))
    d = only(r, "PVX-R135")
    assert d.severity == "warning" and r.ok
    assert d.params["columns"] == "income_per_capita, housing_grade"
    reg = registry.load(write_registry(tmp_path / "r2", persons=replace_line(PERSONS, 4, income_per_capita="3000")),
                        today=TODAY)
    assert reg.households.filter(household_id="H002")["income_per_capita"].item() == 3100  # the head's


def test_exit_year_required_for_exited(tmp_path):
    p = PERSONS
    for i in (0, 1, 2):
        p = replace_line(p, i, exit_year="")
    r = check(tmp_path, persons=p)
    d = only(r, "PVX-R140")
    assert (d.row, d.column, d.value) == (2, "exit_year", "H001") and not r.ok


def test_exit_year_in_the_future(tmp_path):
    p = PERSONS
    for i in (0, 1, 2):
        p = replace_line(p, i, exit_year="2021")
    r = check(tmp_path, persons=p)
    assert r.counts["PVX-R141"] == 3 and not r.ok
    assert {d.row for d in r.diagnostics if d.code == "PVX-R141"} == {2, 3, 4}
    # the same file is fine once "today" is in 2021
    assert registry.check(write_registry(tmp_path / "r2", persons=p), today=TODAY.replace(year=2021)).ok


def test_exit_year_for_a_poor_household_is_a_warning(tmp_path):
    p = replace_line(replace_line(PERSONS, 3, exit_year="2019"), 4, exit_year="2019")
    r = check(tmp_path, persons=p)
    assert only(r, "PVX-R142").severity == "warning" and r.ok


# ---- villages ------------------------------------------------------------------------------------

def test_village_not_in_villages(tmp_path):
    p = PERSONS
    for i in (5, 6, 7):
        p = replace_line(p, i, village="丁村")
    r = check(tmp_path, persons=p)
    d = only(r, "PVX-R150")
    assert (d.file, d.row, d.column, d.value) == ("persons.csv", 7, "village", "丁村")
    assert (d.params["persons"], d.params["households"]) == (3, 1) and not r.ok


def test_registered_above_agricultural_population(tmp_path):
    r = check(tmp_path, villages=replace_line(VILLAGES, 1, agricultural_population="2"))
    d = only(r, "PVX-R151")
    assert (d.file, d.row, d.column, d.params["registered"], d.params["population"]) == (
        "villages.csv", 3, "agricultural_population", 3, 2)
    assert not r.ok


def test_duplicate_village(tmp_path):
    r = check(tmp_path, villages=add_line(VILLAGES, "云南省,昆明市,禄劝县,撒营盘镇,乙村,否,,800,205,是,否,否,否"))
    d = only(r, "PVX-R152")
    assert (d.row, d.params["other_row"]) == (5, 3) and not r.ok


def test_village_values(tmp_path):
    v = replace_line(VILLAGES, 2, agricultural_population="六百五", exited_year="2030")
    v = replace_line(v, 1, agricultural_population="-5", poor_village="不详")
    r = check(tmp_path, villages=v)
    assert only(r, "PVX-R122").row == 4
    assert only(r, "PVX-R121").value == "不详"
    assert only(r, "PVX-R141").column == "exited_year"
    assert only(r, "PVX-R123").row == 3
    assert only(r, "PVX-R153").row == 4  # an exit year on a non-poor village: warning
    assert not r.ok


def test_village_warnings(tmp_path):
    v = "\n".join(line + ("," if i else ",village_code") for i, line in enumerate(VILLAGES.splitlines())) + "\n"
    v = replace_line(v, 1, households="0", village_code="5301")
    v = replace_line(v, 2, poor_village="是", exited_year="")
    r = check(tmp_path, villages=v)
    assert only(r, "PVX-R154").row == 3  # 1 registered household, 0 in all
    assert only(r, "PVX-R155").value == "5301"
    assert only(r, "PVX-R156").row == 4  # poor village without registered persons
    assert r.ok


# ---- groups --------------------------------------------------------------------------------------

def test_group_of_unknown_village(tmp_path):
    r = check(tmp_path, groups=add_line(GROUPS, "禄劝县,撒营盘镇,戊村,一组,100,20"))
    d = only(r, "PVX-R160")
    assert (d.file, d.row, d.value) == ("groups.csv", 5, "一组") and not r.ok


def test_duplicate_group(tmp_path):
    r = check(tmp_path, groups=add_line(GROUPS, "禄劝县,屏山街道,甲村,二组,500,130"))
    assert only(r, "PVX-R161").params["other_row"] == 3 and not r.ok


def test_group_over_population(tmp_path):
    r = check(tmp_path, groups=replace_line(GROUPS, 2, agricultural_population="2"))
    d = only(r, "PVX-R162")
    assert (d.row, d.params["registered"], d.params["population"]) == (4, 3, 2) and not r.ok


def test_groups_warnings(tmp_path):
    g = replace_line(GROUPS, 0, agricultural_population="1000")  # 1000 + 500 > 1200
    p = replace_line(replace_line(PERSONS, 3, group="三组"), 4, group="三组")
    r = check(tmp_path, groups=g, persons=p)
    assert only(r, "PVX-R163").value == "甲村"
    d = only(r, "PVX-R164")
    assert (d.file, d.row, d.value, d.params["persons"]) == ("persons.csv", 5, "三组", 2)
    assert r.ok


# ---- rosters -------------------------------------------------------------------------------------

def test_roster_warnings(tmp_path):
    bad = IDS["r1"][:17] + ("0" if IDS["r1"][17] != "0" else "1")
    ro = replace_line(ROSTERS, 1, id_number=bad)
    ro = add_line(ro, "交通局,{r2},周十,屏山街道,甲村,")
    r = check(tmp_path, rosters=ro)
    d = only(r, "PVX-R170")
    assert (d.row, d.value, d.severity) == (3, mask_id(bad), "warning")
    assert only(r, "PVX-R171").value == "交通局"
    assert r.ok


def test_roster_matched_to_registry(tmp_path):
    reg = registry.load(write_registry(tmp_path / "reg"), today=TODAY)
    ro = reg.rosters
    assert ro["kind"].to_list() == ["vulnerability", "vulnerability", "exclusion"]
    assert ro["source_code"].to_list() == ["dibao", "disability", "public_employee"]
    assert ro["in_registry"].to_list() == [True, False, False]
    assert ro["household_id"].to_list() == ["H002", None, None]


# ---- counties ------------------------------------------------------------------------------------

def test_county_region_and_threshold(tmp_path):
    c = replace_line(COUNTIES, 0, region="中部", poverty_threshold="0.02")
    r = check(tmp_path, counties=c)
    assert only(r, "PVX-R180").params["province"] == "云南省" and r.ok
    c = replace_line(COUNTIES, 0, poverty_threshold="3")
    r = check(tmp_path, counties=c)
    assert only(r, "PVX-R181").params["raw"] == "3" and not r.ok
    r = check(tmp_path, counties=replace_line(COUNTIES, 0, poverty_threshold="0.025"))
    assert only(r, "PVX-R184").params["expected"] == 0.03 and r.ok


def test_county_threshold_percent_and_fill(tmp_path):
    reg = registry.load(write_registry(tmp_path / "reg", counties=replace_line(COUNTIES, 0, poverty_threshold="3%")),
                        today=TODAY)
    assert reg.counties["poverty_threshold"].item() == pytest.approx(0.03)
    c = "province,city,county,region,poverty_threshold,exit_year\n云南省,昆明市,禄劝县,,,2018\n"
    reg = registry.load(write_registry(tmp_path / "r2", counties=c), today=TODAY)
    assert (reg.counties["region"].item(), reg.counties["poverty_threshold"].item()) == ("western", 0.03)


def test_yanbian_uses_the_western_threshold(tmp_path):
    c = "province,city,county,region,poverty_threshold\n吉林省,延边朝鲜族自治州,汪清县,中部,0.03\n"
    v = VILLAGES.replace("云南省,昆明市,禄劝县", "吉林省,延边朝鲜族自治州,汪清县")
    p = PERSONS.replace("云南省,昆明市,禄劝县", "吉林省,延边朝鲜族自治州,汪清县")
    g = GROUPS.replace("禄劝县", "汪清县")
    r = check(tmp_path, counties=c, villages=v, persons=p, groups=g)
    assert r.ok and r.counts == {}


def test_duplicate_and_unlisted_counties(tmp_path):
    c = add_line(COUNTIES, "云南省,昆明市,禄劝县,西部,0.03,2018")
    r = check(tmp_path, counties=c)
    assert only(r, "PVX-R182").params["other_row"] == 2 and not r.ok
    c = "province,city,county,region,poverty_threshold,exit_year\n云南省,昆明市,寻甸县,西部,0.03,2018\n"
    r = check(tmp_path, counties=c)
    d = only(r, "PVX-R183")
    assert (d.file, d.value) == ("villages.csv", "禄劝县") and r.ok


def test_counties_derived_when_absent(tmp_path):
    reg = registry.load(write_registry(tmp_path / "reg", drop=("counties",)), today=TODAY)
    row = reg.counties.row(0, named=True)
    assert (row["county"], row["region"], row["poverty_threshold"], row["exit_year"]) == ("禄劝县", "western", 0.03, None)


def test_eastern_county_without_threshold(tmp_path):
    c = "province,city,county,region,poverty_threshold\n云南省,昆明市,禄劝县,东部,\n"
    r = check(tmp_path, counties=c)
    assert only(r, "PVX-R185").value == "禄劝县"


# ---- many problems: all counted, a few listed ----------------------------------------------------

def test_diagnostics_capped_per_code_but_all_counted(tmp_path):
    header, *rows = PERSONS.splitlines()
    lines = [header]
    for i in range(60):
        for j, r in enumerate(rows):
            cells = r.split(",")
            cells[6] = f"{cells[6]}-{i}"  # new household ids
            cells[8] = f"E{i:03d}{j}"  # a passport-like number: other_id warning
            lines.append(",".join(cells))
    r = registry.check(write_registry(tmp_path / "reg", persons="\n".join(lines) + "\n"), today=TODAY, limit=10)
    assert r.counts["PVX-R114"] == 480
    assert sum(d.code == "PVX-R114" for d in r.diagnostics) == 10
    assert [d.row for d in r.diagnostics if d.code == "PVX-R114"] == list(range(2, 12))
    assert r.truncated() == {"PVX-R114": 470}
    assert r.n_warnings == 480 and r.ok


def test_messages_in_english(tmp_path, monkeypatch):
    monkeypatch.setenv("POVEXIT_LANG", "en")
    r = check(tmp_path, persons=replace_line(PERSONS, 3, relation="之父"))
    d = only(r, "PVX-R130")
    assert d.message() == "Household H002 has no head (户主) among its 2 member(s)"
    assert "relation" in d.fix()


def test_every_message_is_complete_in_both_languages(tmp_path):
    """Many defects at once: every diagnostic names a file and fills every placeholder, zh and en."""
    bad = IDS["p1"][:17] + ("0" if IDS["p1"][17] != "0" else "1")
    p = replace_line(PERSONS, 0, id_number=bad, relocated="也许", income_per_capita="-3")
    p = replace_line(p, 1, id_number="E1234567", exit_year="2030", poor_type="贫困")
    p = replace_line(p, 2, id_number="1.10101199003077E+17", relation="户主")
    p = replace_line(p, 3, id_number="530128196802301118", status="脱贫了")
    p = replace_line(p, 4, id_number="53012819680301111", village="丁村")
    p = replace_line(p, 6, id_number=IDS["p6"], income_per_capita="2600")
    v = add_line(VILLAGES, "云南省,昆明市,禄劝县,撒营盘镇,乙村,否,2030,八百,205,是,否,否,否")
    g = add_line(GROUPS, "禄劝县,撒营盘镇,戊村,一组,100,20")
    ro = add_line(ROSTERS, "交通局,123,x,屏山街道,甲村,")
    c = add_line(COUNTIES, "云南省,昆明市,禄劝县,东部,3,2018")
    r = check(tmp_path, persons=p, villages=v, groups=g, rosters=ro, counties=c)
    assert len(r.counts) >= 15
    for d in r.diagnostics:
        assert d.file, d
        for lang in ("zh", "en"):
            for text in (d.message(lang), d.fix(lang)):
                assert "{" not in text and "}" not in text, (d.code, lang, text)
        assert bad not in d.message("zh") and bad not in d.message("en")
