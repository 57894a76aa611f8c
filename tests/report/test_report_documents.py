"""The documents themselves: open the .docx/.xlsx, read the PDF's text, look at page 1."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import polars as pl
import pytest
from docx import Document
from openpyxl import load_workbook
from report_fixture import ESTIMATES

from povexit.errors import PovexitError
from povexit.report import build_county_report, fmt
from povexit.report.build import FILES

INDICATOR_NAMES_ZH = ("综合贫困发生率", "脱贫人口错退率", "贫困人口漏评率", "群众认可度")
HEADINGS_ZH = ("一、总体情况", "二、评估指标与结论", "三、发现的主要问题", "四、评估结果反馈情况", "五、抽样方法",
               "附录 抽样设计与文件校验")
HEADINGS_EN = ("1. Overview", "2. Indicators and decision", "3. Problems found", "4. Feedback to the county",
               "5. Sampling method", "Annex: design and file checksums")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from report_fixture import make_workdir

    root = tmp_path_factory.mktemp("docs")
    wd = make_workdir(root / "work")
    zh = build_county_report(wd, root / "out-zh", "zh")
    en = build_county_report(wd, root / "out-en", "en")
    return wd, zh, en


def docx_text(path: Path) -> tuple[str, list[list[list[str]]]]:
    d = Document(str(path))
    paras = "\n".join(p.text for p in d.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    return paras, tables


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def raw_ids(wd: Path) -> list[str]:
    ids = pl.read_parquet(wd / "registry" / "households.parquet")["head_id_number"].to_list()
    ids += pl.read_parquet(wd / "responses" / "members.parquet")["member_id_number"].to_list()
    return ids


def test_output_files(built):
    _wd, zh, _en = built
    for kind in ("docx", "pdf", "html", "xlsx", "json"):
        assert zh.files[kind] == zh.out / FILES[kind] and zh.files[kind].stat().st_size > 1000
    assert sorted(p.name for p in (zh.out / "charts").iterdir()) == ["fieldwork.png", "indicators.png", "problems.png"]
    assert (zh.out / ".povexit").exists()


def test_docx_states_the_estimates(built):
    _wd, zh, _en = built
    paras, tables = docx_text(zh.files["docx"])
    for h in HEADINGS_ZH:
        assert h in paras
    assert "评估结论：限期整改后复核" in paras
    assert "完成有效评估问卷17户，其中建档立卡户11户（已脱贫户9户、未脱贫户1户、返贫户1户），一般农户6户" in paras
    assert "疑似错退2户（因住房安全、收入、饮水安全问题）、疑似漏评1户（因基本医疗问题）" in paras
    assert "确认1户、排除1户、待核实0户" in paras
    for reason in ESTIMATES["reasons"]:
        assert reason in paras
    ind = next(t for t in tables if t[0][:4] == ["指标", "类别", "标准", "调查值"])
    by_name = {row[0]: row for row in ind[1:]}
    assert set(by_name) == set(INDICATOR_NAMES_ZH)
    for key, name in zip(("composite_incidence", "wrongful_exit_rate", "missed_rate", "approval_rate"),
                         INDICATOR_NAMES_ZH, strict=True):
        src = ESTIMATES["indicators"][key]
        row = by_name[name]
        assert row[3] == fmt.pct(src["official"]) and row[4] == fmt.pct(src["estimate"])
        assert row[5].startswith(fmt.interval(src["ci_low"], src["ci_high"]))
    assert by_name["综合贫困发生率"][2] == "≤ 3%" and by_name["综合贫困发生率"][6] == "达标"
    assert by_name["脱贫人口错退率"][6] == "未达标" and by_name["群众认可度"][6] == "未达标"
    fb = next(t for t in tables if t[0][:2] == ["序号", "类型"])
    assert [r[4] for r in fb[1:]] == ["HH007", "HH003", "N002"]
    assert [r[9].split("：")[0] for r in fb[1:]] == ["经核实排除", "经核实确认", "待核实"]
    assert len(d := Document(str(zh.files["docx"])).inline_shapes) == 3 and d[0].width > 0


def test_no_unmasked_id_or_name_in_any_document(built):
    wd, zh, en = built
    ids = raw_ids(wd)
    names = pl.read_parquet(wd / "registry" / "households.parquet")["head_name"].to_list()
    for out in (zh, en):
        blobs = []
        for kind in ("docx", "xlsx"):
            with zipfile.ZipFile(out.files[kind]) as z:
                blobs += [z.read(n).decode("utf-8", "ignore") for n in z.namelist() if n.endswith(".xml")]
        blobs.append(out.files["html"].read_text(encoding="utf-8"))
        blobs.append(out.files["json"].read_text(encoding="utf-8"))
        blobs.append(pdf_text(out.files["pdf"]))
        text = "\n".join(blobs)
        for i in ids:
            assert i not in text
        for n in names:
            assert n not in text


def test_pdf_text_has_values_and_chinese_headings(built):
    _wd, zh, _en = built
    text = pdf_text(zh.files["pdf"])
    for h in HEADINGS_ZH:
        assert h in text
    for name in INDICATOR_NAMES_ZH:
        assert name in text
    for ind in ESTIMATES["indicators"].values():
        for v in (ind["official"], ind["estimate"], ind["ci_low"], ind["ci_high"]):
            assert fmt.pct(v) in text
    assert "限期整改后复核" in text and "530128********" in text


def test_pdf_page_one_renders(built, tmp_path):
    _wd, zh, _en = built
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(zh.files["pdf"]),
                    str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    from PIL import Image

    im = Image.open(png).convert("L")
    assert im.size == (662, 936)  # A4 at 80 dpi
    dark = sum(im.histogram()[:128])
    assert dark > 5000  # text was drawn, not a blank page
    fonts = subprocess.run(["pdffonts", str(zh.files["pdf"])], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts  # Chinese set in a CJK font, not left to fallback boxes


def test_english_report(built):
    _wd, _zh, en = built
    paras, tables = docx_text(en.files["docx"])
    for h in HEADINGS_EN:
        assert h in paras
    assert "Result: rectify by a deadline, then re-check" in paras
    assert "17 valid questionnaires, 11 from registered households" in paras
    for reason in ESTIMATES["reasons_en"]:
        assert reason in paras
    assert "总体情况" not in paras and "评估结论" not in paras
    ind = next(t for t in tables if t[0][:4] == ["Indicator", "Kind", "Standard", "Official"])
    assert [r[0] for r in ind[1:]] == ["Composite poverty incidence", "Wrongful-exit rate", "Missed-poor rate",
                                       "Public approval"]
    text = pdf_text(en.files["pdf"])
    for h in HEADINGS_EN:
        assert h in text
    assert fmt.pct(ESTIMATES["indicators"]["approval_rate"]["official"]) in text
    wb = load_workbook(en.files["xlsx"])
    assert wb.sheetnames == ["Problem list", "Feedback list", "Daily summary", "Notes"]


def test_problem_list_workbook(built):
    _wd, zh, _en = built
    wb = load_workbook(zh.files["xlsx"])
    assert wb.sheetnames == ["问题清单", "反馈清单", "当天问题汇总", "说明"]
    ws = wb["问题清单"]
    header = [c.value for c in ws[2]]
    for col in ("县", "乡镇", "行政村", "户编号", "证件号码（脱敏）", "问题类型", "具体表现", "佐证（调查答案）", "状态",
                "整改措施", "责任单位", "完成时限", "整改结果", "是否销号"):
        assert col in header
    assert ws.freeze_panes == "I3" and ws.auto_filter.ref.startswith("A2:")
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=3, values_only=True)]
    assert len(rows) == 10
    assert {r["规则编号"] for r in rows if r["户编号"] == "HH007"} == {"income.below_line", "water.quantity"}
    assert all(r["是否销号"] == "否" for r in rows)
    assert all(r["完成时限"].date().isoformat() == "2019-03-17" for r in rows)
    assert ws.column_dimensions["L"].width >= 30  # 具体表现 is wide enough to read
    dvs = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    assert dvs["P3"].type == "list" and "待核实" in dvs["P3"].formula1 and "已整改" in dvs["P3"].formula1
    assert dvs["U3"].formula1 == '"是,否"'
    fb = wb["反馈清单"]
    fh = [c.value for c in fb[2]]
    frows = [dict(zip(fh, r, strict=True)) for r in fb.iter_rows(min_row=3, values_only=True)]
    assert [(r["户编号"], r["类型"], r["核实结果"]) for r in frows] == [
        ("HH007", "疑似错退", "经核实排除"), ("HH003", "疑似错退", "经核实确认"), ("N002", "疑似漏评", "待核实")]
    daily = wb["当天问题汇总"]
    dh = [c.value for c in daily[2]]
    drows = [dict(zip(dh, r, strict=True)) for r in daily.iter_rows(min_row=3, values_only=True)]
    assert [r["调查组（调查员）"] for r in drows] == ["E01;E02", "E03;E04", "当日合计"] * 2
    assert sum(r["建档立卡户"] + r["一般农户"] for r in drows if r["调查组（调查员）"] != "当日合计") == 17


def test_same_inputs_same_bytes(built, tmp_path):
    wd, zh, _en = built
    again = build_county_report(wd, tmp_path / "again", "zh")
    for kind in ("docx", "xlsx", "html", "json"):
        assert again.files[kind].read_bytes() == zh.files[kind].read_bytes(), kind
    for png in ("indicators", "problems", "fieldwork"):
        assert again.charts[png].read_bytes() == zh.charts[png].read_bytes()


def test_failed_build_leaves_previous_output(built, tmp_path, monkeypatch):
    wd, _zh, _en = built
    out = tmp_path / "out"
    first = build_county_report(wd, out, "zh", formats=("docx",))
    before = first.files["docx"].read_bytes()
    import povexit.report.build as B

    def boom(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(B, "problem_workbook", boom)
    with pytest.raises(RuntimeError):
        build_county_report(wd, out, "en")
    assert (out / FILES["docx"]).read_bytes() == before and not (out / FILES["pdf"]).exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary directory left behind


def test_report_without_cases_says_pending(tmp_path):
    from report_fixture import make_workdir

    wd = make_workdir(tmp_path / "w", with_cases=False)
    res = build_county_report(wd, tmp_path / "o", "zh", formats=("docx",))
    paras, _ = docx_text(res.files["docx"])
    assert "尚未进入核查程序" in paras


def test_missing_cjk_font_is_a_clear_error(monkeypatch):
    from povexit.report import fonts

    fonts.chart_font.cache_clear()
    monkeypatch.setattr(fonts, "PREFERRED", ("No Such CJK Font",))
    monkeypatch.setattr(fonts, "_matplotlib_names", lambda: {"DejaVu Sans"})
    import matplotlib.font_manager as fm

    monkeypatch.setattr(fm, "_load_fontmanager", lambda try_read_cache=True: fm.fontManager)
    try:
        with pytest.raises(PovexitError) as e:
            fonts.chart_font()
        d = e.value.diagnostics[0]
        assert d.code == "PVX-RP03" and "fonts-noto-cjk" in d.fix("zh")
    finally:
        fonts.chart_font.cache_clear()


def test_docx_opens_as_zip_with_core_title(built):
    _wd, zh, _en = built
    data = zh.files["docx"].read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        core = z.read("docProps/core.xml").decode()
    assert "示范县贫困县退出专项评估检查报告" in core and "2019-02-15T00:00:00Z" in core


def test_copying_workdir_elsewhere_gives_same_report(built, tmp_path):
    wd, zh, _en = built
    moved = tmp_path / "moved"
    shutil.copytree(wd, moved, ignore=shutil.ignore_patterns("out-*"))
    res = build_county_report(moved, tmp_path / "o", "zh", formats=("docx",))
    assert res.files["docx"].read_bytes() == zh.files["docx"].read_bytes()


def test_problem_list_bytes_for_the_server(built):
    wd, zh, _en = built
    from povexit.report import problem_list_xlsx

    assert problem_list_xlsx(wd) == zh.files["xlsx"].read_bytes()
