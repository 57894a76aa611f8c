"""File side of the scoring: read findings / responses / manual scores; write ``scores.xlsx``,
``scores.json`` and the chart of township totals into one output directory (atomically)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import polars as pl

from .. import errors as E
from ..contracts import Column, TableSpec
from ..errors import evaluate as EV
from ..fsutil import atomic_dir, sha256_file
from ..tabular import ROW, read_table
from .indicators import EvaluationData
from .scoring import RANK_METHOD_EN, RANK_METHOD_ZH, RANKING_NOTE_EN, RANKING_NOTE_ZH, ScoreResult

MANUAL = TableSpec(
    "manual_scores", ("manual", "scores", "人工评分"),
    (
        Column("level", "层级", aliases=("评估对象类型",), contract=False),
        Column("unit", "单位", required=True, aliases=("乡镇", "部门", "评估对象", "单位名称"), contract=False),
        Column("item", "评分项", required=True, aliases=("评分项编号", "项目", "指标"), contract=False),
        Column("score", "得分", required=True, aliases=("分数", "分值"), contract=False),
        Column("note", "说明", aliases=("备注", "扣分说明", "评分依据"), contract=False),
    ),
    doc="manual scores of an effectiveness evaluation",
)
FILES = ("scores.xlsx", "scores.json", "township-totals.png")


def read_manual(path: str | Path) -> pl.DataFrame:
    """The manual score table (CSV/XLSX/Parquet, Chinese or English headers) as text, with ``_row``."""
    raw = read_table(path, MANUAL)
    E.raise_if_errors(raw.diagnostics)
    try:
        return raw.collect()
    finally:
        raw.close()


def load_inputs(responses: str | Path | None, findings: str | Path) -> tuple[EvaluationData, dict[str, str]]:
    """findings/ (findings.csv, cases.csv when present) and responses/ (village checklists)."""
    fdir = Path(findings)
    fcsv = fdir / "findings.csv" if fdir.is_dir() else fdir
    if not fcsv.is_file():
        raise E.PovexitError(EV.FINDINGS_MISSING(file=str(fcsv), column="-"))
    f = pl.read_csv(fcsv, infer_schema=False)
    for col in ("township", "household_id"):
        if col not in f.columns:
            raise E.PovexitError(EV.FINDINGS_MISSING(file=str(fcsv), column=col))
    inputs = {str(fcsv): sha256_file(fcsv)}
    cases = None
    ccsv = fcsv.parent / "cases.csv"
    if ccsv.is_file():
        cases = pl.read_csv(ccsv, infer_schema=False)
        inputs[str(ccsv)] = sha256_file(ccsv)
    villages = None
    if responses is not None:
        from ..instruments import load_responses

        resp = load_responses(responses)
        villages = resp.villages
        vp = Path(responses) / "villages.parquet"
        if vp.is_file():
            inputs[str(vp)] = sha256_file(vp)
    return EvaluationData(f, villages, cases), inputs


# ---- writing ---------------------------------------------------------------------------------------------


def _L(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def write_scores(result: ScoreResult, out: str | Path, lang: str = "zh", *,
                 inputs: dict[str, str] | None = None, chart: bool = True) -> dict[str, Path]:
    """``out/scores.xlsx``, ``out/scores.json``, ``out/township-totals.png`` (when townships were scored)."""
    out = Path(out)
    doc = result.to_dict(lang)
    doc["inputs"] = inputs or {}
    files: dict[str, Path] = {}
    with atomic_dir(out, kind="evaluation") as tmp:
        (tmp / "scores.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        (tmp / "scores.xlsx").write_bytes(scores_xlsx(result, lang))
        files = {"json": out / "scores.json", "xlsx": out / "scores.xlsx"}
        towns = result.level("township")
        if chart and towns:
            (tmp / "township-totals.png").write_bytes(totals_chart(result, lang))
            files["chart"] = out / "township-totals.png"
    return files


def _level_rows(result: ScoreResult, level: str, lang: str) -> tuple[list[str], list[list[Any]]]:
    s = result.sheet
    lvl = s.levels[level]
    secs = s.sections_of(level)
    has_veto = bool(s.items_of(level, "veto"))
    unit_h = _L(lang, "乡镇", "Township") if level == "township" else _L(lang, "单位", "Department")
    head = [_L(lang, "名次", "Rank"), unit_h, _L(lang, "总分", "Total")]
    if lvl.annual_weight is not None:
        head.append(_L(lang, f"折算分（×{lvl.annual_weight:g}）", f"Weighted (×{lvl.annual_weight:g})"))
    for sec in secs:
        w = "" if sec.weight is None else f"（{sec.weight:.0%}）" if lang != "en" else f" ({sec.weight:.0%})"
        head.append(sec.name(lang) + w)
    head += [_L(lang, "加分", "Bonus"), _L(lang, "扣分", "Penalty")]
    if has_veto:
        head.append(_L(lang, "一票否决", "Veto"))
    head += [_L(lang, "数据完整", "Complete"), _L(lang, "样本可靠", "Reliable"), _L(lang, "说明", "Notes")]
    yes, no = _L(lang, "是", "yes"), _L(lang, "否", "no")
    rows = []
    for u in result.level(level):
        r: list[Any] = [u.rank, u.unit, round(u.total, 2)]
        if lvl.annual_weight is not None:
            r.append(round(u.weighted or 0.0, 2))
        r += [round(u.sections.get(sec.id, 0.0), 2) for sec in secs]
        r += [round(u.bonus, 2), round(u.penalty, 2)]
        if has_veto:
            r.append(yes if u.vetoed else no)
        notes = [f"{x.item}：{x.note_zh}" if lang != "en" else f"{x.item}: {x.note_en}"
                 for x in u.items if (x.note_zh and (not x.reliable or x.value is None))]
        r += [yes if u.complete else no, yes if u.reliable else no, "；".join(notes) if lang != "en" else "; ".join(notes)]
        rows.append(r)
    return head, rows


def scores_xlsx(result: ScoreResult, lang: str = "zh") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    s = result.sheet
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="FFF2CC")
    names = {"township": _L(lang, "乡镇排名", "Township ranking"), "department": _L(lang, "部门得分", "Department scores")}
    for level in ("township", "department"):
        if level not in s.levels:
            continue
        ws = wb.create_sheet(names[level])
        ws.append([f"{s.title(lang)} — {names[level]}"])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([_L(lang, RANKING_NOTE_ZH, RANKING_NOTE_EN)])
        head, rows = _level_rows(result, level, lang)
        ws.append(head)
        for c in ws[3]:
            c.font = bold
            c.fill = grey
        for r in rows:
            ws.append(r)
        ws.freeze_panes = "C4"
        ws.column_dimensions["B"].width = 18
        ws.column_dimensions[ws.cell(3, len(head)).column_letter].width = 60
    ws = wb.create_sheet(_L(lang, "得分明细", "Item detail"))
    items = {i.id: i for i in s.items}
    kinds = {"item": _L(lang, "评分项", "item"), "bonus": _L(lang, "加分", "bonus"),
             "penalty": _L(lang, "扣分", "penalty"), "veto": _L(lang, "一票否决", "veto")}
    bases = {"households": _L(lang, "户", "households"), "villages": _L(lang, "村", "villages"),
             "manual": _L(lang, "人工评分", "manual")}
    ws.append([_L(lang, h[0], h[1]) for h in (
        ("层级", "Level"), ("单位", "Unit"), ("名次", "Rank"), ("评分项编号", "Item id"), ("评分项", "Item"),
        ("类型", "Kind"), ("部分", "Section"), ("原始值", "Raw value"), ("样本量", "n"), ("样本单位", "Base"),
        ("得分", "Points"), ("满分/上限", "Maximum / cap"), ("样本可靠", "Reliable"), ("说明", "Note"),
        ("依据", "Source"))])
    for c in ws[1]:
        c.font = bold
        c.fill = grey
    sec_names = {x.id: x.name(lang) for x in s.sections}
    for level in s.levels:
        for u in result.level(level):
            for x in u.items:
                it = items[x.item]
                ws.append([names[level], u.unit, u.rank, x.item, it.name(lang), kinds[x.kind],
                           sec_names.get(x.section or "", ""), None if x.value is None else round(x.value, 4), x.n,
                           bases.get(x.base or "", ""), round(x.points, 2), it.points,
                           _L(lang, "是", "yes") if x.reliable else _L(lang, "否", "no"),
                           x.note_en if lang == "en" else x.note_zh, it.source])
    ws.freeze_panes = "C2"
    ws = wb.create_sheet(_L(lang, "说明", "Notes"))
    wrap = Alignment(wrap_text=True, vertical="top")
    lines = [
        (_L(lang, "评分表", "Score sheet"), f"{s.title(lang)}（{s.name}）" if lang != "en" else f"{s.title(lang)} ({s.name})"),
        (_L(lang, "依据", "Source"), s.source),
        (_L(lang, "用途", "Purpose"), _L(lang, RANKING_NOTE_ZH, RANKING_NOTE_EN)),
        (_L(lang, "并列名次", "Ties"), _L(lang, RANK_METHOD_ZH, RANK_METHOD_EN)),
    ]
    for key, lvl in s.levels.items():
        lines.append((names[key], _L(
            lang, f"满分{lvl.scale:g}；数据类评分项样本少于{lvl.min_households}户（村级核查少于{lvl.min_villages}个村）"
                  "的标注为不够可靠；未填写的人工评分项和无数据的评分项记0分。",
            f"scale {lvl.scale:g}; data items resting on fewer than {lvl.min_households} households (fewer than "
            f"{lvl.min_villages} village checklists) are marked not reliable; manual items not entered and items "
            "without data score 0.")))
    if s.note:
        lines.append((_L(lang, "备注", "Note"), s.note))
    for d in result.warnings:
        lines.append((d.code, d.message(lang)))
    for k, v in lines:
        ws.append([k, v])
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 100
    for row in ws.iter_rows():
        for c in row:
            c.alignment = wrap
    bio = io.BytesIO()
    wb.save(bio)
    return bio.getvalue()


def totals_chart(result: ScoreResult, lang: str = "zh") -> bytes:
    """Bar chart of township totals (rank order), maximum marked; CJK font as the report's charts use."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    from ..report.fonts import chart_font

    towns = result.level("township")
    lvl = result.sheet.levels["township"]
    with rc_context({"font.family": "sans-serif", "font.sans-serif": [chart_font(), "DejaVu Sans"],
                     "axes.unicode_minus": False, "font.size": 9}):
        fig = Figure(figsize=(7.2, max(2.4, 0.35 * len(towns) + 1.2)), layout="constrained")
        ax = fig.subplots()
        labels = [f"{u.rank}. {u.unit}" for u in towns][::-1]
        vals = [u.total for u in towns][::-1]
        colors = ["#1f4e79" if u.reliable else "#9dc3e6" for u in towns][::-1]
        bars = ax.barh(labels, vals, color=colors)
        for b, v in zip(bars, vals, strict=True):
            ax.text(b.get_width() + lvl.scale * 0.01, b.get_y() + b.get_height() / 2, f"{v:.1f}", va="center")
        ax.set_xlim(0, lvl.scale * 1.1)
        ax.axvline(lvl.scale, color="#c00000", lw=0.8, ls="--")
        ax.set_xlabel(_L(lang, "总分", "Total score") + "\n" + _L(lang, RANKING_NOTE_ZH, RANKING_NOTE_EN), fontsize=7)
        ax.set_title(_L(lang, "乡镇成效评估总分（浅色：部分评分项样本不足）",
                        "Township totals (light: some items rest on too small a sample)"))
        bio = io.BytesIO()
        fig.savefig(bio, format="png", dpi=150, metadata={"Software": None})
    return bio.getvalue()


__all__ = ["FILES", "MANUAL", "ROW", "load_inputs", "read_manual", "scores_xlsx", "totals_chart", "write_scores"]
