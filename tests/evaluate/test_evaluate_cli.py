"""``povexit evaluate score`` / ``ledger`` end to end on a synthetic county's findings and responses."""

from __future__ import annotations

import json

import polars as pl
from openpyxl import load_workbook

from povexit.cli.main import main


def _manual(path, towns):
    rows = ["层级,单位,评分项,得分,说明"]
    rows += [f"乡镇,{t},economy.target,{60 + 5 * i},县目标局" for i, t in enumerate(towns)]
    rows += [f"乡镇,{t},poverty.funds,8," for t in towns]
    rows += [f"乡镇,{towns[0]},bonus.commended,1,省督导表彰"]
    rows += ["部门,县水务局,dept.village_teams,30,", "部门,县水务局,dept.targets,40,", "部门,县水务局,dept.donations,10,",
             "部门,县教育局,dept.village_teams,35,", "部门,县教育局,dept.veto,是,失分严重"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_score_end_to_end(world, tmp_path, monkeypatch):
    """Seed 002 第一篇 (annual): townships ranked from the demo's findings and village checklists plus
    manual scores, departments from the manual file; xlsx, json and chart agree."""
    monkeypatch.setenv("POVEXIT_LANG", "zh")
    towns = sorted(pl.read_csv(world / "findings" / "findings.csv", infer_schema=False)["township"].unique())
    manual = _manual(tmp_path / "manual.csv", towns)
    out = tmp_path / "eval"
    rc = main(["evaluate", "score", "--sheet", "annual-henan", "--responses", str(world / "responses"),
               "--findings", str(world / "findings"), "--manual", str(manual), "--out", str(out)])
    assert rc == 0
    assert sorted(p.name for p in out.iterdir()) == [".povexit", "scores.json", "scores.xlsx", "township-totals.png"]
    doc = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    assert doc["purpose"] == "effectiveness_evaluation" and "不排名" in doc["ranking_note"]["zh"]
    ts = doc["levels"]["township"]
    assert sorted(u["unit"] for u in ts) == towns and len(towns) >= 4
    assert [u["rank"] for u in ts] == sorted(u["rank"] for u in ts)
    first = next(u for u in ts if u["unit"] == towns[0])
    assert first["bonus"] == 1.0
    approval = next(i for i in first["items"] if i["item"] == "poverty.approval")
    assert 0 < approval["value"] <= 1 and approval["n"] > 10
    wb = load_workbook(out / "scores.xlsx")
    assert wb.sheetnames == ["乡镇排名", "部门得分", "得分明细", "说明"]
    ws = wb["乡镇排名"]
    assert "仅用于" in ws["A2"].value
    head = [c.value for c in ws[3]]
    assert head[:3] == ["名次", "乡镇", "总分"] and "乡（镇）经济社会发展（20%）" in head
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [(r[0], r[1], r[2]) for r in rows] == [(u["rank"], u["unit"], u["total"]) for u in ts]
    dep = list(wb["部门得分"].iter_rows(min_row=4, values_only=True))
    assert [(r[0], r[1], r[2], r[3]) for r in dep] == [(1, "县水务局", 80.0, 32.0), (2, "县教育局", 0.0, 0.0)]
    detail = list(wb["得分明细"].iter_rows(min_row=2, values_only=True))
    assert len(detail) == len(towns) * 14 + 2 * 6  # every item of every unit
    assert all(r[14] for r in detail)  # each with its source


def test_score_english_and_errors(world, tmp_path, capsys):
    out = tmp_path / "eval-en"
    rc = main(["--lang", "en", "evaluate", "score", "--sheet", "midyear-2020", "--responses",
               str(world / "responses"), "--findings", str(world / "findings"), "--out", str(out)])
    assert rc == 0
    wb = load_workbook(out / "scores.xlsx")
    assert wb.sheetnames == ["Township ranking", "Item detail", "Notes"]
    assert "pass/fail" in wb["Township ranking"]["A2"].value
    assert "ranking is for the effectiveness evaluation only" in capsys.readouterr().out.replace("\n", " ")
    rc = main(["--lang", "en", "evaluate", "score", "--sheet", "no-such-sheet", "--findings", str(world / "findings"),
               "--out", str(tmp_path / "x")])
    assert rc == 2 and "PVX-EV01" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_ledger_command(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("POVEXIT_LANG", "zh")
    src = tmp_path / "ledger.yaml"
    src.write_text("measures:\n  - {measure: 建立定期通报制度, units: 东川区委、禄劝县委, deadline: 2018年12月}\n"
                   "  - {measure: 强化退出质量核查, units: 东川区委, deadline: 2018年10月, closed: 否}\n", encoding="utf-8")
    out = tmp_path / "台账.xlsx"
    assert main(["evaluate", "ledger", str(src), "--as-of", "2018-11-01", "--out", str(out)]) == 0
    assert "逾期 1" in capsys.readouterr().out
    ws = load_workbook(out)["任务台账"]
    assert [r[8] for r in ws.iter_rows(min_row=3, values_only=True)] == ["未到期", "逾期"]
    assert main(["evaluate", "ledger", str(src), "--as-of", "十一月", "--out", str(out)]) == 2
    assert "PVX-EV34" in capsys.readouterr().err
    assert main(["--lang", "en", "evaluate", "ledger", str(src), "--as-of", "2019-01-01", "--out",
                 str(tmp_path / "l.xlsx")]) == 0
    assert load_workbook(tmp_path / "l.xlsx").sheetnames == ["Task ledger", "By unit", "Notes"]
