"""Registries as real county offices send them: other encodings, header styles, value spellings and
spreadsheet quirks (government exports). Each shape is a small inline fixture run through ``check``
and ``import``; the reference is the plain UTF-8 registry of ``registry_fixture``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from registry_fixture import IDS, PERSONS, TABLES, TODAY, codes, fill, only, replace_line, write_registry

from povexit import contracts, registry, tabular
from povexit.privacy import mask_id

CORE = ["household_id", "name", "id_number", "relation", "is_head", "status", "exit_year", "poor_type",
        "income_per_capita", "relocated", "housing_grade", "village_id", "group", "age", "sex", "birth_date"]


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(fill(text))))


def to_csv(rows: list[list[object]], sep: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\n").writerows(rows)
    return out.getvalue()


def rename(text: str, table: str = "persons", **headers: str) -> list[list[str]]:
    """Rows of ``text`` with the Chinese contract headers, some replaced by ``headers``."""
    spec = contracts.REGISTRY_TABLES[table]
    zh = {c.name: c.zh for c in spec.columns}
    rows = rows_of(text)
    rows[0] = [headers.get(h, zh.get(h, h)) for h in rows[0]]
    return rows


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> registry.Registry:
    return registry.load(write_registry(tmp_path_factory.mktemp("ref") / "reg"), today=TODAY)


def same(a: registry.Registry, b: registry.Registry) -> None:
    assert a.persons.select(CORE).equals(b.persons.select(CORE))
    assert a.households.drop("source_row").equals(b.households.drop("source_row"))


def persons_dir(tmp_path: Path, body: bytes, name: str = "persons.csv") -> Path:
    d = write_registry(tmp_path / "reg", drop=("persons",))
    (d / name).write_bytes(body)
    return d


def check(d: Path):
    return registry.check(d, today=TODAY)


def imports(d: Path, out: Path) -> registry.ImportResult:
    res = registry.import_registry(d, out, today=TODAY)
    assert res.report.ok
    return res


# ---- 1. encodings ----------------------------------------------------------------------------------

RARE = "䶮𠀀"  # U+4DAE is not in GBK; U+20000 only in GB18030 (4 bytes)


def test_gb18030_rare_characters(tmp_path, reference):
    rows = rename(PERSONS)
    rows[1][7] = "张" + RARE  # name
    d = persons_dir(tmp_path, to_csv(rows).encode("gb18030"))
    res = imports(d, tmp_path / "out")
    assert res.summary["inputs"]["persons"]["encoding"] == "gb18030"
    reg = registry.load(tmp_path / "out")
    assert reg.persons["name"][0] == "张" + RARE
    assert reg.households["head_name"][0] == "张" + RARE


def test_big5_is_refused_clearly(tmp_path):
    rows = rename(PERSONS)
    text = to_csv(rows)
    # a traditional-Chinese export (what Big5 files hold): the same table in traditional characters
    trad = text.translate(str.maketrans("云昆禄劝县屏山街道甲村乙张李王刘赵钱户主脱贫属性证件号码与关系编号",
                                        "雲崑祿勸縣屏山街道甲村乙張李王劉趙錢戶主脫貧屬性證件號碼與關係編號"))
    d = persons_dir(tmp_path, trad.encode("big5", errors="replace"))
    r = check(d)
    assert not r.ok
    dg = only(r, "PVX-R005")
    assert dg.file == "persons.csv" and "Big5" in dg.message("zh") and "UTF-8" in dg.fix("zh")


def test_utf16_unicode_text(tmp_path, reference):
    """Excel "Unicode text": UTF-16 LE with BOM, tab separated, CRLF."""
    text = to_csv(rows_of(PERSONS), sep="\t").replace("\n", "\r\n")
    d = persons_dir(tmp_path, text.encode("utf-16"), name="persons.txt")
    r = check(d)
    assert r.ok, [str(x) for x in r.diagnostics]
    assert r.summary["inputs"]["persons"]["encoding"] == "utf-16"
    same(reference, registry.load(d, today=TODAY))


def test_utf8_bom_chinese_headers(tmp_path, reference):
    d = persons_dir(tmp_path, to_csv(rename(PERSONS)).encode("utf-8-sig"))
    same(reference, registry.load(d, today=TODAY))


def test_gbk_far_down_beyond_the_sampled_part(tmp_path, monkeypatch):
    """A mostly-ASCII GBK file whose first Chinese byte lies where the sampled UTF-8 check does not
    look (files above FULL_CHECK_BYTES): the CSV reader meets it, the file is re-opened as GB18030."""
    monkeypatch.setattr(tabular, "FULL_CHECK_BYTES", 4096)
    monkeypatch.setattr(tabular, "SAMPLE_WINDOWS", 0)
    rows = rows_of(TABLES["villages"])
    pad = [["P", "C", "K", "T", f"V{i}", "0", "", "10", "3", "0", "0", "0", "0"] for i in range(400)]
    body = to_csv([rows[0], *pad, *rows[1:]]).encode("gbk")
    assert len(body) > 4096 and body[:2048].isascii()
    d = write_registry(tmp_path / "reg", drop=("villages",))
    (d / "villages.csv").write_bytes(body)
    assert tabular.detect_encoding(d / "villages.csv") == "utf-8"  # the sample is ASCII
    res = imports(d, tmp_path / "out")
    assert res.summary["inputs"]["villages"]["encoding"] == "gb18030"
    v = pl.read_parquet(tmp_path / "out" / "villages.parquet")
    assert v["village"].to_list()[-3:] == ["甲村", "乙村", "丙村"]


def test_invalid_bytes_name_the_line(tmp_path, monkeypatch):
    """UTF-8 up to some line, then bytes that are not UTF-8 (files of two encodings pieced together):
    an error naming the line, whether the detection saw it or the CSV reader met it."""
    rows = rows_of(PERSONS)
    rows[0].append("备注")
    for r in rows[1:]:
        r.append("")
    rows[1][-1] = "说明" * 1000
    body = to_csv(rows).encode("utf-8")
    lines = body.split(b"\n")
    assert "因残".encode() in lines[6]
    lines[6] = lines[6].replace("因残".encode(), "因残".encode("gbk"))  # the sixth data row: line 7
    body = b"\n".join(lines)
    d = persons_dir(tmp_path, body)
    dg = only(check(d), "PVX-R006")
    assert (dg.file, dg.row) == ("persons.csv", 7) and "UTF-8" in dg.fix("zh")
    (d / "persons.csv").write_bytes(b"\xef\xbb\xbf" + body)  # a BOM does not make the GBK part UTF-8
    assert only(check(d), "PVX-R006").row == 7
    monkeypatch.setattr(tabular, "FULL_CHECK_BYTES", 4096)
    monkeypatch.setattr(tabular, "SAMPLE_WINDOWS", 0)
    dg = only(check(d), "PVX-R006")
    assert (dg.file, dg.row) == ("persons.csv", 7)


# ---- 2. header styles ------------------------------------------------------------------------------

SYSTEM_HEADERS = {  # as the 全国扶贫开发信息系统 and county exports write them
    "township": "所属乡镇", "village": "行政村", "group": "组", "household_id": "户编号", "id_number": "身份证号码",
    "relation": "与户主关系", "status": "脱贫状态", "exit_year": "脱贫时间", "poor_type": "户类型",
    "poverty_cause": "致贫原因", "income_per_capita": "人均纯收入", "province": "省（区、市）",
    "county": "县（市、区）", "city": "市（州）",
}


@pytest.mark.parametrize("variant", [
    SYSTEM_HEADERS,
    {"id_number": "公民身份号码", "township": "乡（镇）", "group": "村民小组", "exit_year": "脱贫年度"},
    {"id_number": "证件号码 ", "relation": " 与户主关系", "name": "姓 名"},  # stray spaces
    {"id_number": "证件\n号码", "relation": "与户主\r\n关系", "income_per_capita": "年人均纯收入\n（元）"},
])
def test_chinese_header_styles(tmp_path, reference, variant):
    d = persons_dir(tmp_path, to_csv(rename(PERSONS, **variant)).encode("gbk"))
    r = check(d)
    assert r.ok and r.counts == {}, [str(x) for x in r.diagnostics]
    same(reference, registry.load(d, today=TODAY))


def test_planned_exit_year_is_not_the_exit_year(tmp_path, reference):
    """计划脱贫年度 (planned) is kept as an extra column, never read as 脱贫年度."""
    rows = rename(PERSONS)
    rows[0].append("计划脱贫年度")
    for r in rows[1:]:
        r.append("2020")
    d = persons_dir(tmp_path, to_csv(rows).encode("utf-8"))
    reg = registry.load(d, today=TODAY)
    same(reference, reg)
    assert reg.persons["计划脱贫年度"].to_list()[0] == "2020"


@pytest.mark.parametrize("style", ["snake", "title"])
def test_english_header_styles(tmp_path, reference, style):
    rows = rows_of(PERSONS)
    if style == "title":
        rows[0] = [h.replace("_", " ").title().replace("Id", "ID") for h in rows[0]]
    d = persons_dir(tmp_path, to_csv(rows).encode("utf-8"))
    same(reference, registry.load(d, today=TODAY))


def test_english_variants():
    hm = contracts.PERSONS.header_map()
    for header, column in [("Village Group", "group"), ("Relation to Head", "relation"), ("ID No.", "id_number"),
                           ("Town", "township"), ("HH ID", "household_id"), ("Exit Status", "status")]:
        assert hm.get(contracts.normalise_header(header)) == column, header


def test_title_note_and_two_row_header(tmp_path, reference):
    """A title row, a note row, then a two-row header: a group row with merged cells above the
    column names, some columns named only in the upper row (merged down)."""
    rows = rename(PERSONS)
    names = rows[0]
    upper = ["" for _ in names]
    lower = list(names)
    for i, h in enumerate(names):
        if h in ("省", "市", "县", "乡镇", "行政村", "村民小组", "户编号"):
            upper[i], lower[i] = h, ""  # named in the upper row only (merged over both rows)
    ins = names.index("是否参加城乡居民基本医疗保险")
    upper[ins] = "是否参加"
    lower[ins], lower[ins + 1] = "城乡居民基本医疗保险", "大病保险"
    upper[names.index("姓名")] = "家庭成员情况"
    body = [["禄劝县建档立卡贫困人口明细表"], ["填报单位：禄劝县扶贫办    截至2019年12月31日"], upper, lower, *rows[1:]]
    d = persons_dir(tmp_path, to_csv(body).encode("gbk"))
    r = check(d)
    assert r.ok and r.counts == {}, [str(x) for x in r.diagnostics]
    assert r.summary["inputs"]["persons"]["header_row"] == 4
    reg = registry.load(d, today=TODAY)
    same(reference, reg)
    assert reg.persons["source_row"].to_list()[0] == 5


def test_unknown_columns_kept(tmp_path, reference):
    rows = rename(PERSONS)
    rows[0] += ["识别标准", "联系电话", ""]
    for r in rows[1:]:
        r += ["国家标准", "", "z"]
    d = persons_dir(tmp_path, to_csv(rows).encode("utf-8"))
    reg = registry.load(d, today=TODAY)
    same(reference, reg)
    assert reg.persons["识别标准"][0] == "国家标准"


def test_duplicated_header_names_both(tmp_path):
    rows = rename(PERSONS)
    rows[0].append("身份证号码")
    for r in rows[1:]:
        r.append(r[8])
    d = persons_dir(tmp_path, to_csv(rows).encode("utf-8"))
    r = check(d)
    dg = only(r, "PVX007")
    assert dg.file == "persons.csv" and dg.row == 1
    msg = dg.message("zh")
    assert "证件号码" in msg and "身份证号码" in msg and "I" in msg and "U" in msg  # both, with column letters


# ---- 3. values -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("spelling", "code"), [
    ("已脱贫", "exited"), ("脱贫", "exited"), ("已退出", "exited"), ("标注脱贫", "exited"), ("稳定脱贫", "exited"),
    ("脱贫享受政策", "exited"), ("脱贫（享受政策）", "exited"), ("未脱贫", "poor"), ("贫困", "poor"),
    ("返贫", "returned"), ("返 贫", "returned"),
])
def test_status_spellings(tmp_path, spelling, code):
    text = PERSONS
    for i in range(3):
        text = replace_line(text, i, status=spelling)
        if code != "exited":
            text = replace_line(text, i, exit_year="")
    d = write_registry(tmp_path / "reg", persons=text)
    reg = registry.load(d, today=TODAY)
    assert reg.households["status"][0] == code


@pytest.mark.parametrize("head", ["户主", "本人", "户主本人", "本人（户主）", "户主(本人)", "本人或户主"])
def test_relation_spellings(tmp_path, head):
    text = replace_line(replace_line(PERSONS, 0, relation=head), 2, relation="长子")
    d = write_registry(tmp_path / "reg", persons=text)
    reg = registry.load(d, today=TODAY)
    assert reg.persons["is_head"].to_list()[:3] == [True, False, False]


@pytest.mark.parametrize("year", ["2018", "2018年", "2018-12-31", "2018/12/31", "2018.0", "２０１８", "2018年12月"])
def test_exit_year_spellings(tmp_path, year):
    text = PERSONS
    for i in range(3):
        text = replace_line(text, i, exit_year=year)
    reg = registry.load(write_registry(tmp_path / "reg", persons=text), today=TODAY)
    assert reg.households["exit_year"][0] == 2018


def test_exit_year_not_a_year(tmp_path):
    text = PERSONS
    for i in range(3):
        text = replace_line(text, i, exit_year="2018-13-45x")
    r = check(write_registry(tmp_path / "reg", persons=text))
    assert r.counts.get("PVX-R122") == 3


def test_excel_float_ids_in_csv(tmp_path):
    text = replace_line(PERSONS, 0, id_number="5.30128E+17")
    text = replace_line(text, 1, id_number="5.30128e17")
    r = check(write_registry(tmp_path / "reg", persons=text))
    assert r.counts["PVX-R113"] == 2
    dg = next(x for x in r.diagnostics if x.code == "PVX-R113")
    assert (dg.file, dg.row, dg.column) == ("persons.csv", 2, "id_number")
    assert "文本" in dg.fix("zh") and "Text" in dg.fix("en")


def test_id_spellings_normalised(tmp_path, reference):
    """lower-case x, full-width digits, spaces, an apostrophe, ="..." (Excel text formula)."""
    text = PERSONS
    fw = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    spellings = [IDS["p1"].translate(fw), " " + IDS["p2"][:6] + " " + IDS["p2"][6:], "'" + IDS["p3"],
                 '="' + IDS["p4"] + '"', IDS["p5"].lower()]
    rows = rows_of(text)
    for i, s in enumerate(spellings):
        rows[i + 1][8] = s
    d = write_registry(tmp_path / "reg", drop=("persons",))
    (d / "persons.csv").write_text(to_csv(rows), encoding="utf-8")
    r = check(d)
    assert r.ok and r.counts == {}, [str(x) for x in r.diagnostics]
    same(reference, registry.load(d, today=TODAY))


def test_old_15_digit_id_is_a_warning(tmp_path):
    old = IDS["p3"][:6] + IDS["p3"][8:17]
    r = check(write_registry(tmp_path / "reg", persons=replace_line(PERSONS, 2, id_number=old)))
    assert r.ok
    dg = only(r, "PVX-R114")
    assert dg.value == mask_id(old) and "15" in dg.message("zh") and "18" in dg.fix("zh")


@pytest.mark.parametrize(("raw", "value"), [("5,200", 5200.0), ("5，200.00元", 5200.0), ("５２００", 5200.0),
                                            ("￥5200", 5200.0), ("5200 元", 5200.0), ("5200元/人", 5200.0)])
def test_income_spellings(tmp_path, raw, value):
    text = PERSONS
    for i in range(3):
        text = replace_line(text, i, income_per_capita=f'"{raw}"' if "," in raw else raw)
    reg = registry.load(write_registry(tmp_path / "reg", persons=text), today=TODAY)
    assert reg.households["income_per_capita"][0] == value


# ---- 4. spreadsheets -------------------------------------------------------------------------------

def xlsx(path: Path, sheets: dict[str, list[list[object]]], *, hidden_sheets=(), prepare=None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append([None if c == "" else c for c in r])
        if name in hidden_sheets:
            ws.sheet_state = "hidden"
        if prepare:
            prepare(name, ws)
    wb.save(path)
    return path


def xlsx_dir(tmp_path: Path, sheets, **kw) -> Path:
    d = write_registry(tmp_path / "reg", drop=("persons",))
    xlsx(d / "persons.xlsx", sheets, **kw)
    return d


def test_xlsx_sheet_picked_by_header(tmp_path, reference):
    d = xlsx_dir(tmp_path, {"说明": [["填表说明"], ["1. 身份证号码设为文本"]], "Sheet2": [], "明细": rename(PERSONS)})
    r = check(d)
    assert r.ok and r.counts == {}, [str(x) for x in r.diagnostics]
    assert r.summary["inputs"]["persons"]["sheet"] == "明细"
    same(reference, registry.load(d, today=TODAY))


def test_xlsx_sheet_picked_by_name(tmp_path, reference):
    rows = rename(PERSONS)
    d = xlsx_dir(tmp_path, {"贫困户": rows[:4], "人员": rows})
    assert check(d).summary["inputs"]["persons"]["sheet"] == "人员"


def test_xlsx_hidden_sheet_ignored_on_tie(tmp_path, reference):
    rows = rename(PERSONS)
    d = xlsx_dir(tmp_path, {"备份": rows, "明细表": rows}, hidden_sheets=("备份",))
    assert check(d).summary["inputs"]["persons"]["sheet"] == "明细表"


def test_xlsx_several_sheets_ambiguous(tmp_path):
    rows = rename(PERSONS)
    d = xlsx_dir(tmp_path, {"屏山街道": rows[:6], "撒营盘镇": [rows[0], *rows[6:]]})
    r = check(d)
    dg = only(r, "PVX-R007")
    assert dg.file == "persons.xlsx" and "屏山街道" in dg.message("zh") and "撒营盘镇" in dg.message("zh")


def test_xlsx_no_sheet_with_header(tmp_path):
    d = xlsx_dir(tmp_path, {"A": [["x", "y"], [1, 2]], "B": [["说明"]]})
    dg = only(check(d), "PVX-R012")
    assert dg.file == "persons.xlsx" and "A、B" in dg.message("zh")


def test_xlsx_merged_village_and_household_cells(tmp_path, reference):
    rows = rename(PERSONS)
    vi, hi = rows[0].index("行政村"), rows[0].index("户编号")

    def merge(_name, ws):
        # 甲村 over rows 2-6, 乙村 over rows 7-9; each household id over its members; the income too
        ws.merge_cells(start_row=2, end_row=6, start_column=vi + 1, end_column=vi + 1)
        ws.merge_cells(start_row=7, end_row=9, start_column=vi + 1, end_column=vi + 1)
        for a, b in ((2, 4), (5, 6), (7, 9)):
            ws.merge_cells(start_row=a, end_row=b, start_column=hi + 1, end_column=hi + 1)

    d = xlsx_dir(tmp_path, {"Sheet1": rows}, prepare=merge)
    r = check(d)
    assert r.ok, [str(x) for x in r.diagnostics]
    dg = only(r, "PVX-R008")  # a warning that merged cells were filled, with the first range
    assert dg.severity == "warning" and dg.row == 2
    same(reference, registry.load(d, today=TODAY))


def test_xlsx_hidden_rows_imported_with_warning(tmp_path, reference):
    def hide(_name, ws):
        ws.row_dimensions[3].hidden = True

    d = xlsx_dir(tmp_path, {"Sheet1": rename(PERSONS)}, prepare=hide)
    r = check(d)
    assert r.ok
    dg = only(r, "PVX-R009")
    assert dg.row == 3 and dg.severity == "warning"
    same(reference, registry.load(d, today=TODAY))


def test_xlsx_totals_row_dropped(tmp_path, reference):
    rows = rename(PERSONS)
    total = [""] * len(rows[0])
    total[0] = "合  计"
    total[rows[0].index("年人均纯收入")] = 30000
    d = xlsx_dir(tmp_path, {"Sheet1": [*rows, total]})
    r = check(d)
    assert r.ok, [str(x) for x in r.diagnostics]
    dg = only(r, "PVX-R010")
    assert dg.row == 10
    same(reference, registry.load(d, today=TODAY))


def test_csv_totals_row_dropped(tmp_path, reference):
    rows = rename(PERSONS)
    total = [""] * len(rows[0])
    total[0], total[6] = "合计", "8人"
    d = persons_dir(tmp_path, to_csv([*rows, total, [""] * len(total)]).encode("gbk"))
    r = check(d)
    assert r.ok, [str(x) for x in r.diagnostics]
    assert only(r, "PVX-R010").row == 10
    same(reference, registry.load(d, today=TODAY))


def test_xlsx_typed_cells(tmp_path, reference):
    """Numbers, booleans and dates as Excel stores them; IDs as text."""
    rows = rename(PERSONS)
    h = rows[0]
    for r in rows[1:]:
        r[h.index("年人均纯收入")] = float(r[h.index("年人均纯收入")])
        if r[h.index("脱贫年度")]:
            r[h.index("脱贫年度")] = dt.datetime(int(r[h.index("脱贫年度")]), 12, 31)
        r[h.index("是否易地扶贫搬迁")] = r[h.index("是否易地扶贫搬迁")] == "是"
    d = xlsx_dir(tmp_path, {"Sheet1": rows})
    r = check(d)
    assert r.ok and r.counts == {}, [str(x) for x in r.diagnostics]
    same(reference, registry.load(d, today=TODAY))


def test_xlsx_wrong_dimension(tmp_path, reference):
    """Streaming exporters (Apache POI SXSSF) write <dimension ref="A1"/>: every row is still read."""
    import zipfile

    src = xlsx(tmp_path / "p.xlsx", {"Sheet1": rename(PERSONS)})
    d = write_registry(tmp_path / "reg", drop=("persons",))
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(d / "persons.xlsx", "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                import re
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            zout.writestr(item, data)
    same(reference, registry.load(d, today=TODAY))


def test_xlsx_numeric_household_ids(tmp_path, reference):
    rows = rename(PERSONS)
    hi = rows[0].index("户编号")
    for r in rows[1:]:
        r[hi] = {"H001": 53012800101, "H002": 53012800102, "H003": 53012800201}[r[hi]]
    d = xlsx_dir(tmp_path, {"Sheet1": rows})
    reg = registry.load(d, today=TODAY)
    assert reg.households["household_id"].to_list() == ["53012800101", "53012800102", "53012800201"]


def test_excel_float_household_ids(tmp_path):
    text = PERSONS
    for i, hid in enumerate(["5.30128E+16"] * 3 + ["5.30128E+16"] * 2 + ["5.30128E+16"] * 3):
        text = replace_line(text, i, household_id=hid)
    r = check(write_registry(tmp_path / "reg", persons=text))
    assert not r.ok
    dg = only(r, "PVX-R118")
    assert dg.row == 2 and "文本" in dg.fix("zh")


def test_xls_old_excel(tmp_path, reference):
    d = write_registry(tmp_path / "reg", drop=("persons",))
    # an .xls file: the BIFF8 compound document signature is enough to be recognised
    (d / "persons.xls").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504)
    r = check(d)
    assert not r.ok
    dg = next(x for x in r.diagnostics if x.file == "persons.xls")
    assert ".xlsx" in dg.fix("zh") and "CSV" in dg.fix("zh")
    assert "PVX-R001" not in r.counts  # not reported as a missing table


@pytest.mark.parametrize(("name", "body", "kind"), [
    ("persons.xls", b"<html><head><meta charset='utf-8'></head><body><table><tr><td>1</td></tr></table>", "HTML"),
    ("persons.et", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504, ".xls"),
    ("persons.xlsx", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le"), "密码"),
])
def test_unreadable_spreadsheets_say_how_to_convert(tmp_path, name, body, kind):
    d = persons_dir(tmp_path, body, name=name)
    dg = only(check(d), "PVX-R011")
    assert dg.file == name and kind in dg.message("zh") and "CSV UTF-8" in dg.fix("zh")


def test_system_xls_that_is_text_or_xlsx(tmp_path, reference):
    """Web systems export tab-separated text or an XLSX under the name .xls: read as what they are."""
    d = persons_dir(tmp_path, to_csv(rename(PERSONS), sep="\t").encode("gbk"), name="persons.xls")
    same(reference, registry.load(d, today=TODAY))
    d2 = write_registry(tmp_path / "reg2", drop=("persons",))
    xlsx(d2 / "persons.xls", {"Sheet1": rename(PERSONS)})
    same(reference, registry.load(d2, today=TODAY))


def test_utf16_without_bom(tmp_path, reference):
    d = persons_dir(tmp_path, to_csv(rows_of(PERSONS), sep="\t").encode("utf-16-le"), name="persons.txt")
    same(reference, registry.load(d, today=TODAY))


# ---- errors: located, masked, atomic -------------------------------------------------------------

def test_messages_never_hold_personal_data(tmp_path):
    text = replace_line(PERSONS, 0, id_number=IDS["p1"][:-1] + ("0" if IDS["p1"][-1] != "0" else "1"))
    text = replace_line(text, 1, status="不知道")
    d = write_registry(tmp_path / "reg", persons=text)
    r = check(d)
    blob = json.dumps(r.to_dict(lang="zh"), ensure_ascii=False) + json.dumps(r.to_dict(lang="en"))
    for pid in IDS.values():
        assert pid not in blob
    for name in ("张一", "李二", "王四"):
        assert name not in blob
    for dg in r.diagnostics:
        assert dg.file and dg.fix("zh")


def test_import_idempotent_and_atomic_on_shapes(tmp_path):
    rows = rename(PERSONS, **SYSTEM_HEADERS)
    d = persons_dir(tmp_path, to_csv([["标题"], *rows]).encode("gb18030"))
    out = tmp_path / "out"
    imports(d, out)
    first = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    imports(d, out)
    assert first == {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    # a broken re-import leaves the previous import whole
    (d / "persons.csv").write_bytes(to_csv([["标题"], *rows[:2], [*rows[2][:8], "12345678901234567", *rows[2][9:]]]).encode("gbk"))
    with pytest.raises(registry.RegistryCheckFailed):
        registry.import_registry(d, out, today=TODAY)
    assert first == {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert pl.read_parquet(out / "persons.parquet").height == 8
    assert codes(registry.check(d, today=TODAY))
