"""``povexit report``: the county's documents from a work directory; ``povexit report summary``: across counties."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.table import Table

from .common import console, progress, t


def _lang(lang: str | None) -> str:
    if lang:
        os.environ["POVEXIT_LANG"] = lang
    return "en" if (lang or os.environ.get("POVEXIT_LANG", "zh")).lower().startswith("en") else "zh"


def _print_files(title: str, files: dict[str, Path]) -> None:
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column(t("文件", "file"))
    table.add_column(t("路径", "path"), overflow="fold")
    for kind, path in files.items():
        table.add_row(kind, str(path))
    console.print(table)


def register(app: typer.Typer) -> None:
    report_app = typer.Typer(
        name="report", no_args_is_help=False, invoke_without_command=True,
        help="评估报告（Word/PDF）、问题清单（Excel）和跨县汇总 — county report, problem list, summaries.",
    )

    @report_app.callback(invoke_without_command=True)
    def county(
        ctx: typer.Context,
        workdir: Path = typer.Option(None, "--workdir", help="评估工作目录 / the assessment work directory"),
        out: Path = typer.Option(None, "--out", help="输出目录（默认 WORKDIR/report）/ output directory"),
        lang: str = typer.Option(None, "--lang", help="zh（默认）或 en / zh (default) or en"),
        estimates: Path = typer.Option(None, "--estimates", help="另用的 estimates.json（如最终结果）"),
        deadline: str = typer.Option(None, "--deadline", help="整改完成时限 YYYY-MM-DD（默认实地调查结束后30天）"),
        deadline_days: int = typer.Option(30, "--deadline-days", help="默认整改时限：实地调查最后一天后的天数"),
        formats: str = typer.Option("docx,pdf,html,xlsx", "--formats", help="docx,pdf,html,xlsx 的任意组合"),
    ) -> None:
        """写出县评估报告（.docx、.pdf、.html）和问题清单（.xlsx）。"""
        if ctx.invoked_subcommand is not None:
            return
        if workdir is None:
            console.print(ctx.get_help())
            raise typer.Exit(2)
        from ..report import build_county_report
        from ..report.build import STEPS, parse_date

        language = _lang(lang)
        wanted = tuple(f.strip() for f in formats.split(",") if f.strip())
        with progress() as bar:
            task = bar.add_task(t("生成报告", "building the report"), total=len(STEPS))

            def tick(step: str) -> None:
                bar.update(task, advance=1, description=t("生成报告：", "report: ") + step)

            res = build_county_report(workdir, out, language, estimates=estimates, deadline=parse_date(deadline),
                                      deadline_days=deadline_days, formats=wanted, progress=tick)
        rep = res.report
        console.print(t(f"[bold]{rep.county}[/bold]：{rep.decision_label} · {rep.stage_label}",
                        f"[bold]{rep.county}[/bold]: {rep.decision_label} · {rep.stage_label}"))
        for w in res.warnings:
            console.print(f"[yellow]{w}[/yellow]")
        _print_files(t("报告文件", "Report files"), {**res.files, **{f"chart:{k}": v for k, v in res.charts.items()}})

    @report_app.command("summary")
    def summary(
        inputs: list[Path] = typer.Argument(..., help="estimates.json 文件或目录，或 estimate --all 的 CSV 表"),
        out: Path = typer.Option(..., "--out", help="输出目录 / output directory"),
        lang: str = typer.Option(None, "--lang", help="zh（默认）或 en"),
        counties: Path = typer.Option(None, "--counties", help="counties.csv（省、区域），可选"),
        title: str = typer.Option(None, "--title", help="报告标题 / title"),
        previous: list[Path] = typer.Option(None, "--previous",
                                            help="上年各县的估计结果（与输入同格式），用于同比 / previous year's estimates"),
    ) -> None:
        """跨县汇总（省级评估或国家抽查）：汇总表（.xlsx）和简要报告（.docx/.pdf）。"""
        from ..report import build_summary

        language = _lang(lang)
        with progress(transient=True) as bar:
            task = bar.add_task(t("汇总", "summarising"), total=None)
            res = build_summary(inputs, out, language, counties=counties, title=title, previous=previous or None)
            bar.update(task, completed=1, total=1)
        from ..report.labels import DECISIONS, pick

        s = res.summary
        console.print(t(f"{s.counties}个县：", f"{s.counties} counties: ")
                      + t("；", "; ").join(f"{pick(DECISIONS[k], language)} {v}" for k, v in s.decisions.items()))
        _print_files(t("汇总文件", "Summary files"), res.files)

    app.add_typer(report_app, name="report")
