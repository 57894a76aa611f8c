"""The same registry as CSV (UTF-8, UTF-8 with BOM, GBK/GB18030, tab-separated), XLSX (with a title
row above the header, IDs as text or as Excel numbers) and Parquet, with English or Chinese headers:
every form loads to the same normalised registry."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from registry_fixture import PERSONS, TABLES, TODAY, fill, only, replace_line, write_registry

from povexit import contracts, registry

CORE = ["household_id", "name", "id_number", "relation", "is_head", "status", "exit_year", "poor_type",
        "income_per_capita", "relocated", "housing_grade", "village_id", "group", "age", "sex", "birth_date"]


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(fill(text))))


def chinese(text: str, table: str) -> str:
    """The table with its Chinese headers (as government exports have them)."""
    spec = contracts.REGISTRY_TABLES[table]
    rows = rows_of(text)
    zh = {c.name: c.zh for c in spec.columns}
    rows[0] = [zh.get(h, h) for h in rows[0]]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def write_xlsx(path: Path, text: str, *, title: str | None = None, numeric_ids: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
        ws.append([])
    rows = rows_of(text)
    id_col = rows[0].index("id_number") if "id_number" in rows[0] else -1
    ws.append(rows[0])
    for r in rows[1:]:
        cells: list[object] = [c if c != "" else None for c in r]
        if numeric_ids and id_col >= 0:
            cells[id_col] = float(r[id_col])  # what Excel does to an 18-digit number
        ws.append(cells)
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> registry.Registry:
    return registry.load(write_registry(tmp_path_factory.mktemp("ref") / "reg"), today=TODAY)


def same_registry(a: registry.Registry, b: registry.Registry) -> None:
    assert a.persons.select(CORE).equals(b.persons.select(CORE))
    assert a.households.drop("source_row").equals(b.households.drop("source_row"))
    assert a.villages.drop("source_row").equals(b.villages.drop("source_row"))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk"])
def test_encodings_detected(tmp_path, reference, encoding):
    d = write_registry(tmp_path / "reg", encoding=encoding)
    reg = registry.load(d, today=TODAY)
    same_registry(reference, reg)
    assert reg.persons["note"].to_list()[0] == "x1"  # extra column kept


def test_gbk_with_chinese_headers_and_title_row(tmp_path, reference):
    d = tmp_path / "reg"
    d.mkdir()
    for name, text in TABLES.items():
        body = chinese(text, name)
        if name == "persons":
            body = "禄劝县建档立卡贫困人口信息表,,,\n填报单位：禄劝县扶贫办,,,\n" + body
        (d / f"{name}.csv").write_bytes(body.encode("gbk"))
    report = registry.check(d, today=TODAY)
    assert report.ok and report.counts == {}
    assert report.summary["inputs"]["persons"]["encoding"] == "gb18030"
    assert report.summary["inputs"]["persons"]["header_row"] == 3
    reg = registry.load(d, today=TODAY)
    same_registry(reference, reg)
    assert reg.persons["source_row"].to_list()[0] == 4  # rows as the user sees them


def test_errors_point_at_rows_below_a_title(tmp_path):
    body = "标题行\n" + chinese(replace_line(PERSONS, 2, relation="户主"), "persons")
    d = write_registry(tmp_path / "reg")
    (d / "persons.csv").write_bytes(body.encode("gbk"))
    r = registry.check(d, today=TODAY)
    dg = only(r, "PVX-R131")
    assert (dg.row, dg.column, dg.params["rows"]) == (3, "与户主关系", "3, 5")


def test_gbk_error_value_readable(tmp_path):
    d = write_registry(tmp_path / "reg", persons=replace_line(PERSONS, 0, status="脱贫了"), encoding="gbk")
    assert only(registry.check(d, today=TODAY), "PVX-R120").value == "脱贫了"


def test_header_variants(tmp_path, reference):
    text = fill(PERSONS)
    header, rest = text.split("\n", 1)
    variants = {"province": "省（区、市）", "county": "县(市、区)", "name": "*姓名", "id_number": "公民身份号码",
                "income_per_capita": "年人均纯收入（元）", "basic_medical_insurance": "是否参加新型农村合作医疗",
                "township": "乡（镇、街道）"}
    header = ",".join(variants.get(h, h) for h in header.split(","))
    d = write_registry(tmp_path / "reg")
    (d / "persons.csv").write_text(header + "\n" + rest, encoding="utf-8")
    same_registry(reference, registry.load(d, today=TODAY))


def test_tab_separated(tmp_path, reference):
    d = write_registry(tmp_path / "reg", drop=("persons",))
    (d / "persons.txt").write_text(fill(PERSONS).replace(",", "\t"), encoding="utf-8")
    same_registry(reference, registry.load(d, today=TODAY))


def test_xlsx_with_title_row(tmp_path, reference):
    d = write_registry(tmp_path / "reg", drop=("persons", "villages"))
    write_xlsx(d / "persons.xlsx", chinese(PERSONS, "persons"), title="扶贫对象明细表")
    write_xlsx(d / "行政村.xlsx", TABLES["villages"], title="行政村基本情况")
    report = registry.check(d, today=TODAY)
    assert report.ok and report.counts == {}
    assert report.summary["inputs"]["persons"]["header_row"] == 3
    reg = registry.load(d, today=TODAY)
    same_registry(reference, reg)
    assert reg.persons["source_row"].to_list()[:2] == [4, 5]


def test_xlsx_errors_name_spreadsheet_rows(tmp_path):
    d = write_registry(tmp_path / "reg", drop=("persons",))
    write_xlsx(d / "persons.xlsx", replace_line(PERSONS, 1, relocated="也许"), title="明细")
    dg = only(registry.check(d, today=TODAY), "PVX-R121")
    assert (dg.file, dg.row, dg.value) == ("persons.xlsx", 5, "也许")


def test_xlsx_ids_stored_as_numbers(tmp_path):
    d = write_registry(tmp_path / "reg", drop=("persons",))
    # only IDs without an X can be typed as numbers
    text = "\n".join(line for line in fill(PERSONS).splitlines() if not line.split(",")[8].endswith("X")) + "\n"
    write_xlsx(d / "persons.xlsx", text, numeric_ids=True)
    r = registry.check(d, today=TODAY)
    n = len(text.splitlines()) - 1
    assert r.counts["PVX-R113"] == n and not r.ok
    dg = next(x for x in r.diagnostics if x.code == "PVX-R113")
    assert "E+17" in dg.value and "文本" in dg.fix("zh") and "Text" in dg.fix("en")


def test_parquet_input(tmp_path, reference):
    d = write_registry(tmp_path / "reg", drop=("persons", "groups"))
    pl.read_csv(io.StringIO(fill(PERSONS)), infer_schema=False).write_parquet(d / "persons.parquet")
    pl.read_csv(io.StringIO(fill(TABLES["groups"])), infer_schema_length=100).write_parquet(d / "groups.parquet")
    reg = registry.load(d, today=TODAY)
    same_registry(reference, reg)
    assert reg.groups["agricultural_population"].to_list() == [400, 500, 300]  # ints in Parquet are fine
    assert reg.persons["source_row"].to_list()[:3] == [1, 2, 3]


def test_parquet_float_ids_flagged(tmp_path):
    d = write_registry(tmp_path / "reg", drop=("persons",))
    df = pl.read_csv(io.StringIO(fill(PERSONS)), infer_schema=False)
    df = df.filter(~pl.col("id_number").str.ends_with("X")).with_columns(pl.col("id_number").cast(pl.Float64))
    df.write_parquet(d / "persons.parquet")
    r = registry.check(d, today=TODAY)
    assert r.counts["PVX-R113"] == df.height


def test_mixed_formats(tmp_path, reference):
    d = write_registry(tmp_path / "reg", drop=("persons", "villages", "groups"), encoding="gbk")
    write_xlsx(d / "人员.xlsx", PERSONS, title="人员")
    (d / "villages.csv").write_bytes(chinese(TABLES["villages"], "villages").encode("utf-8-sig"))
    pl.read_csv(io.StringIO(fill(TABLES["groups"])), infer_schema=False).write_parquet(d / "村民小组.parquet")
    report = registry.check(d, today=TODAY)
    assert report.ok and report.counts == {}
    assert {k: v["format"] for k, v in report.summary["inputs"].items()} == {
        "persons": "xlsx", "villages": "csv", "groups": "parquet", "rosters": "csv", "counties": "csv"}
    same_registry(reference, registry.load(d, today=TODAY))


def test_blank_lines_and_spaces(tmp_path, reference):
    text = fill(PERSONS)
    lines = text.splitlines()
    lines[1] = lines[1].replace("张一", " 张一 ").replace("甲村", "甲村\u3000")
    body = "\n".join(lines) + "\n,,,,,,,,,,,,,,,,,,,\n\n"
    d = write_registry(tmp_path / "reg")
    (d / "persons.csv").write_text(body, encoding="utf-8")
    reg = registry.load(d, today=TODAY)
    same_registry(reference, reg)
