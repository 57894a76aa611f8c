"""``povexit report`` and ``povexit report summary`` through the real command line entry point."""

from __future__ import annotations

import json

import pytest
from docx import Document

from povexit.cli.main import main


@pytest.fixture(autouse=True)
def _lang(monkeypatch):
    monkeypatch.setenv("POVEXIT_LANG", "zh")  # restored after each test even when a command sets it


def test_report_command(workdir, tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["report", "--workdir", str(workdir), "--out", str(out), "--deadline", "2019-04-15"]) == 0
    printed = capsys.readouterr().out
    assert "示范县：限期整改后复核" in printed and "报告文件" in printed
    assert (out / "county-report.pdf").exists()
    from openpyxl import load_workbook

    ws = load_workbook(out / "problem-list.xlsx")["问题清单"]
    header = [c.value for c in ws[2]]
    col = header.index("完成时限")
    assert {r[col].date().isoformat() for r in ws.iter_rows(min_row=3, values_only=True)} == {"2019-04-15"}


def test_report_default_out_and_english(workdir, capsys):
    assert main(["report", "--workdir", str(workdir), "--lang", "en", "--formats", "docx"]) == 0
    out = workdir / "report"
    assert (out / "county-report.docx").exists() and not (out / "county-report.pdf").exists()
    text = "\n".join(p.text for p in Document(str(out / "county-report.docx")).paragraphs)
    assert "Result: rectify by a deadline, then re-check" in text
    assert "rectify by a deadline" in capsys.readouterr().out


def test_report_errors_exit_2(tmp_path, workdir, capsys):
    assert main(["report", "--workdir", str(tmp_path / "nowhere")]) == 2
    assert "PVX001" in capsys.readouterr().err
    (workdir / "estimates.json").unlink()
    assert main(["report", "--workdir", str(workdir), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "PVX-RP01" in err
    assert not (tmp_path / "o").exists()
    assert main(["report", "--workdir", str(workdir), "--deadline", "15/04/2019"]) == 2


def test_summary_command(workdir, tmp_path, capsys):
    second = json.loads((workdir / "estimates.json").read_text(encoding="utf-8"))
    second["county"] = "另一县"
    second["decision"] = "pass"
    other = tmp_path / "other" / "estimates.json"
    other.parent.mkdir()
    other.write_text(json.dumps(second, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "sum"
    assert main(["report", "summary", str(workdir / "estimates.json"), str(other.parent), "--out", str(out)]) == 0
    assert "2个县" in capsys.readouterr().out
    assert {p.name for p in out.iterdir()} >= {"summary.xlsx", "summary.docx", "summary.pdf", "summary.json"}
    assert main(["report", "summary", str(tmp_path / "empty-none"), "--out", str(tmp_path / "s2")]) == 2
