"""``povexit report`` on a work directory povexit did not write itself: another tool's sample (Chinese
headers, GBK, no manifest), findings and cases typed in Excel (GBK, Chinese headers, 错退/确认, no rules
column), no responses (no village checklist, no cadre questionnaire); and a county without census groups.
The report renders (docx, xlsx, pdf) and says which parts are absent."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import polars as pl
import pytest
from docx import Document
from openpyxl import load_workbook

from povexit.cli.main import main

_spec = importlib.util.spec_from_file_location(
    "povexit_tests_foreign_fixture", Path(__file__).resolve().parents[1] / "estimate" / "foreign_fixture.py")
F = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(F)  # type: ignore[union-attr]


def _workdir(root: Path, *, census: bool = True) -> Path:
    from povexit.estimate import estimate_county, load_sample_dir, read_cases, read_findings
    from povexit.registry import load

    F.write_registry(root / "registry")
    frames = F.sample_frames() if census else {k: v for k, v in F.sample_frames().items() if k != "groups"}
    F.write_sample(root / "sample", frames, chinese=True, encoding="gbk")
    f = F.findings_frame()
    if not census:
        f = f.filter(pl.col("instrument") == "registered")
    F.write_frame(root / "findings" / "findings.csv", F.excel_findings(f, "zh"), "gbk")
    flagged = f.filter(pl.col("wrongful_exit") == "是")["household_id"].to_list()
    lines = ["户编号,类型,结果,说明", f"{flagged[0]},错退,确认,县里未提供佐证材料", f"{flagged[1]},疑似错退,,"]
    (root / "findings" / "cases.csv").write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    est = estimate_county(load(root / "registry"), load_sample_dir(root / "sample"),
                          read_findings(root / "findings" / "findings.csv"), read_cases(root / "findings" / "cases.csv"))
    (root / "estimates.json").write_text(json.dumps(est.to_dict(), ensure_ascii=False), encoding="utf-8")
    return root


def _text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        parts += [c.text for row in t.rows for c in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("census", [True, False], ids=["census", "no-census"])
def test_report_on_foreign_inputs(tmp_path, census) -> None:
    work = _workdir(tmp_path / "work", census=census)
    out = tmp_path / "report"
    formats = "docx,xlsx,pdf" if census else "docx,xlsx"  # the PDF once: it is the slow part
    rc = main(["report", "--workdir", str(work), "--out", str(out), "--formats", formats])
    assert rc == 0
    for name in ("county-report.docx", "problem-list.xlsx", *(("county-report.pdf",) if census else ())):
        assert (out / name).stat().st_size > 1000, name
    text = _text(out / "county-report.docx")
    assert "None" not in text and "nan" not in text
    assert "工作目录中没有干部问卷数据" in text  # no cadre questionnaire
    assert "工作目录中没有村级核查表" in text and "没有村级核查表，未评价村的基础设施" in text
    assert "其他抽样工具" in text  # no manifest: the sample cannot be re-drawn, and the report says so
    assert "工作目录中没有调查数据（responses/）" in text
    assert "甲镇" in text  # GBK sample and Chinese headers read (the township table)
    n_wrong = F.findings_frame().filter(pl.col("wrongful_exit") == "是").height
    assert f"经反馈，外县疑似错退{n_wrong}户" in text or f"疑似错退{n_wrong}户" in text
    assert "确认1户" in text and "县里未提供佐证材料" in text  # 确认 / blank outcome (待核) from an Excel cases file
    assert "调查结论未注明具体问题" in text  # flagged households without rules are listed, not "no problem"
    if census:
        assert "5个村民小组（普查5个" in text
    else:
        assert "漏评率" in text and "无法" in text
    wb = load_workbook(out / "problem-list.xlsx")
    assert {"问题清单", "反馈清单"} <= set(wb.sheetnames)
    cells = [str(c.value) for row in wb["问题清单"].iter_rows() for c in row if c.value is not None]
    assert any("调查结论未注明具体问题" in c for c in cells)
