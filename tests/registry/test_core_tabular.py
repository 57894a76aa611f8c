"""tabular.py, contracts.py, fsutil.py: encodings, header detection, cleaning, atomic output."""

from __future__ import annotations

import json

import openpyxl
import polars as pl
import pytest

from povexit import contracts, fsutil, tabular
from povexit.errors import PovexitError

SPEC = contracts.VILLAGES
HEADER = "省,市,县,乡镇,行政村,是否贫困村,农业户籍人口"


def test_encoding_detection(tmp_path):
    text = HEADER + "\n云南省,昆明市,禄劝县,屏山街道,甲村,是,1200\n"
    for enc, expected in (("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")):
        p = tmp_path / f"{enc}.csv"
        p.write_bytes(text.encode(enc))
        assert tabular.detect_encoding(p) == expected
        t = tabular.read_table(p, SPEC)
        assert t.collect()["village"].to_list() == ["甲村"] and t.encoding == expected
        t.close()


def test_gbk_detected_when_chinese_appears_late(tmp_path):
    """A GBK file whose first megabytes are ASCII must not be taken for UTF-8."""
    rows = ["province,city,county,township,village,poor_village,agricultural_population"]
    rows += [f"P,C,K,T,V{i},1,{i}" for i in range(120_000)]
    rows.append("云南省,昆明市,禄劝县,屏山街道,甲村,是,1200")
    p = tmp_path / "v.csv"
    p.write_bytes(("\n".join(rows) + "\n").encode("gbk"))
    assert p.stat().st_size > 2 << 20
    assert tabular.detect_encoding(p) == "gb18030"
    t = tabular.read_table(p, SPEC, lazy=True)
    assert t.collect()["village"].to_list()[-1] == "甲村"
    t.close()
    assert t._tmp is None  # the UTF-8 copy is removed


def test_title_rows_and_row_numbers(tmp_path):
    p = tmp_path / "v.csv"
    p.write_text("行政村基本情况表\n单位：人\n" + HEADER + "\n云南省,昆明市,禄劝县,屏山街道,甲村,是,1200\n", encoding="utf-8")
    t = tabular.read_table(p, SPEC)
    df = t.collect()
    assert t.header_row == 3 and df[tabular.ROW].to_list() == [4]
    assert t.header_of("agricultural_population") == "农业户籍人口"


def test_header_not_found(tmp_path):
    p = tmp_path / "v.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(PovexitError) as exc:
        tabular.read_table(p, SPEC)
    assert exc.value.diagnostics[0].code == "PVX005"


def test_semicolon_and_tab_delimiters(tmp_path):
    for sep in (";", "\t"):
        p = tmp_path / "v.csv"
        p.write_text((HEADER + "\n云南省,昆明市,禄劝县,屏山街道,甲村,是,1200\n").replace(",", sep), encoding="utf-8")
        assert tabular.read_table(p, SPEC).collect()["agricultural_population"].to_list() == ["1200"]


@pytest.mark.parametrize("fast", [False, True])
def test_cleaning(tmp_path, fast):
    p = tmp_path / "v.csv"
    p.write_text(HEADER + "\n 云南省 ,昆明市\u3000,禄劝县,  ,甲村,是,1200\n,,,,,,\n\n", encoding="utf-8")
    df = tabular.read_table(p, SPEC, lazy=True, fast_strip=fast).collect()
    assert df.height == 1  # the all-empty row is dropped
    row = df.row(0, named=True)
    assert (row["province"], row["city"], row["township"]) == ("云南省", "昆明市", None)


def test_extra_and_duplicate_columns(tmp_path):
    p = tmp_path / "v.csv"
    p.write_text(HEADER + ",备注,村\n云南省,昆明市,禄劝县,屏山街道,甲村,是,1200,x,乙村\n", encoding="utf-8")
    t = tabular.read_table(p, SPEC)
    assert t.extra_columns == ["备注"]
    assert [d.code for d in t.diagnostics] == ["PVX007"]


def test_missing_required_column(tmp_path):
    p = tmp_path / "v.csv"
    p.write_text("省,市,县,乡镇,行政村,是否贫困村\n云南省,昆明市,禄劝县,屏山街道,甲村,是\n", encoding="utf-8")
    t = tabular.read_table(p, SPEC)
    assert [(d.code, d.column) for d in t.diagnostics] == [("PVX006", "agricultural_population")]


def test_xlsx_cells(tmp_path):
    p = tmp_path / "v.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["标题"])
    ws.append(HEADER.split(","))
    ws.append(["云南省", "昆明市", "禄劝县", "屏山街道", "甲村", True, 1200.0])
    ws.append([None] * 7)
    ws.append(["云南省", "昆明市", "禄劝县", "屏山街道", 530128199003077777.0, "否", 12.5])
    wb.save(p)
    df = tabular.read_table(p, SPEC).collect()
    assert df[tabular.ROW].to_list() == [3, 5]
    assert df["agricultural_population"].to_list() == ["1200", "12.5"]
    assert df["poor_village"].to_list() == ["True", "否"]
    assert df["village"][1] == "5.30128199003078E+17"  # 15 significant digits, as Excel keeps them


def test_parquet_typed_columns(tmp_path):
    p = tmp_path / "v.parquet"
    pl.DataFrame({"province": ["云南省"], "city": ["昆明市"], "county": ["禄劝县"], "township": ["屏山街道"],
                  "village": ["甲村"], "poor_village": [True], "agricultural_population": [1200]}).write_parquet(p)
    df = tabular.read_table(p, SPEC).collect()
    assert df.row(0, named=True) == {tabular.ROW: 1, "province": "云南省", "city": "昆明市", "county": "禄劝县",
                                          "township": "屏山街道", "village": "甲村", "poor_village": "true",
                                          "agricultural_population": "1200"}


def test_unknown_format_and_missing_file(tmp_path):
    (tmp_path / "v.doc").write_text("x", encoding="utf-8")
    with pytest.raises(PovexitError) as exc:
        tabular.read_table(tmp_path / "v.doc", SPEC)
    assert exc.value.diagnostics[0].code == "PVX003"
    with pytest.raises(PovexitError) as exc:
        tabular.read_table(tmp_path / "none.csv", SPEC)
    assert exc.value.diagnostics[0].code == "PVX001"


@pytest.mark.parametrize(
    ("header", "column"),
    [("省（区、市）", "province"), ("*姓名", "name"), ("年人均纯收入（元）", "income_per_capita"),
     ("年人均纯收入(元)(2019)", "income_per_capita"), ("ＩＤ_number", "id_number"), ("Household ID", "household_id"),
     ("证件号码", "id_number"), ("与户主的关系", "relation"), ("是否监测户", "monitored")],
)
def test_header_variants(header, column):
    hm = contracts.PERSONS.header_map()
    assert hm.get(contracts.normalise_header(header)) == column


@pytest.mark.parametrize(
    ("value", "expected"),
    [("是", True), ("否", False), ("Y", True), ("n", False), ("TRUE", True), ("0", False), ("１", True),
     ("", None), (None, None), ("√", True)],
)
def test_parse_yesno(value, expected):
    assert contracts.parse_yesno(value) is expected


def test_parse_yesno_rejects():
    with pytest.raises(ValueError):
        contracts.parse_yesno("也许")


def test_atomic_dir(tmp_path):
    target = tmp_path / "out"
    with fsutil.atomic_dir(target, kind="registry") as d:
        (d / "a.txt").write_text("1", encoding="utf-8")
    assert (target / "a.txt").read_text(encoding="utf-8") == "1"
    with pytest.raises(RuntimeError), fsutil.atomic_dir(target, kind="registry") as d:
        (d / "a.txt").write_text("2", encoding="utf-8")
        raise RuntimeError("midway")
    assert (target / "a.txt").read_text(encoding="utf-8") == "1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_write_json_is_deterministic(tmp_path):
    fsutil.write_json(tmp_path / "a.json", {"b": 1, "a": "中"})
    fsutil.write_json(tmp_path / "b.json", {"a": "中", "b": 1})
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8")) == {"a": "中", "b": 1}
