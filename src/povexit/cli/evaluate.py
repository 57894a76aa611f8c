"""``povexit evaluate`` — 成效评估: ``score`` (score sheet → township ranking, department scores) and
``ledger`` (任务台账: overdue measures on a date). Thin shell over :mod:`povexit.evaluate`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..errors import current_lang
from ..errors.render import print_diagnostics
from .common import console, progress, t

evaluate_app = typer.Typer(
    no_args_is_help=True,
    help="成效评估（乡镇、部门评分排名；任务台账）— effectiveness evaluation: score sheets, rankings, task ledger. "
         "Not the exit check: that one is pass/fail and never ranks.",
)


@evaluate_app.command("score")
def score_cmd(
    sheet: str = typer.Option(..., "--sheet", help="评分表：内置名称（midyear-2020、annual-henan）或 YAML 文件 / "
                                                   "score sheet: built-in name or YAML file"),
    responses: Path = typer.Option(None, "--responses", help="答卷目录（村级核查表）/ responses directory"),
    findings: Path = typer.Option(..., "--findings", help="研判结果目录（findings.csv）/ findings directory"),
    manual: Path = typer.Option(None, "--manual", help="人工评分表 CSV/XLSX（层级、单位、评分项、得分、说明）/ "
                                                       "manual scores"),
    out: Path = typer.Option(..., "--out", help="输出目录 / output directory"),
) -> None:
    """按评分表给各乡镇、县直部门打分并排名（仅用于成效评估）/ Score and rank townships and departments."""
    from ..evaluate import load_inputs, load_sheet, read_manual, score, write_scores

    lang = current_lang()
    with progress(transient=True) as bar:
        task = bar.add_task(t("读取评分表和数据", "reading the sheet and the data"), total=3)
        sh = load_sheet(sheet)
        data, inputs = load_inputs(responses, findings)
        man = read_manual(manual) if manual is not None else None
        bar.update(task, advance=1, description=t("计算得分", "scoring"))
        res = score(sh, data, man, manual_file=str(manual) if manual else "manual")
        bar.update(task, advance=1, description=t("写出结果", "writing results"))
        files = write_scores(res, out, lang, inputs=inputs)
        bar.update(task, advance=1)
    print_diagnostics(res.warnings)
    for level, title in (("township", t("乡镇排名", "Township ranking")), ("department", t("部门得分", "Department scores"))):
        units = res.level(level)
        if not units:
            continue
        table = Table(title=f"{sh.title(lang)} — {title}", header_style="bold")
        for h in (t("名次", "rank"), t("单位", "unit"), t("总分", "total"), t("说明", "note")):
            table.add_column(h)
        for u in units:
            note = [] if u.reliable else [t("部分评分项样本不足", "some items rest on too small a sample")]
            if u.vetoed:
                note.append(t("一票否决", "vetoed"))
            table.add_row(str(u.rank), u.unit, f"{u.total:.2f}", "；".join(note))
        console.print(table)
    console.print(t("本排名仅用于成效评估；贫困县退出评估为达标评估，不排名。",
                    "This ranking is for the effectiveness evaluation only; the exit check is pass/fail."))
    console.print(t("输出：", "Written: ") + ", ".join(str(p) for p in files.values()))


@evaluate_app.command("ledger")
def ledger_cmd(
    file: Path = typer.Argument(..., help="任务台账 YAML/CSV/XLSX（措施、责任单位、完成时限、完成情况、销号）/ task ledger"),
    as_of: str = typer.Option(..., "--as-of", help="核对日期，如 2018-12-31 / as-of date"),
    out: Path = typer.Option(..., "--out", help="输出 .xlsx / output workbook"),
    soon_days: int = typer.Option(15, "--soon-days", help="临期天数 / days before the deadline counted as due soon"),
) -> None:
    """标出逾期、临期措施并写出台账 / Flag overdue measures and write the ledger back as .xlsx."""
    from ..errors import PovexitError
    from ..errors import evaluate as EV
    from ..evaluate import ledger_status, parse_date, read_ledger, write_ledger

    day = parse_date(as_of)
    if day is None:
        raise PovexitError(EV.LEDGER_BAD_AS_OF(value=as_of))
    if out.suffix.lower() != ".xlsx":
        raise PovexitError(EV.LEDGER_OUTPUT(file=str(out)))
    st = ledger_status(read_ledger(file), day, soon_days)
    write_ledger(st, out, current_lang())
    c = st.counts()
    console.print(t(
        f"措施 {c['total']} 项：逾期 {c['overdue']}，临期 {c['due_soon']}，未到期 {c['open']}，已销号 {c['closed']}"
        f"（核对日期 {day.isoformat()}）→ {out}",
        f"{c['total']} measures: {c['overdue']} overdue, {c['due_soon']} due soon, {c['open']} open, "
        f"{c['closed']} closed (as of {day.isoformat()}) → {out}"))


@evaluate_app.command("sheets")
def sheets_cmd() -> None:
    """列出内置评分表 / List the built-in score sheets."""
    from ..evaluate import load_sheet, presets

    lang = current_lang()
    for name in presets():
        s = load_sheet(name)
        console.print(f"{name}\t{s.title(lang)}\t{s.source}")


def register(app: typer.Typer) -> None:
    app.add_typer(evaluate_app, name="evaluate")
