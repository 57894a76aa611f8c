"""``povexit quality`` (field data-quality checks → ``quality/``) and ``povexit quality backcheck``
(the seeded back-check list for 三级核查)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..errors.render import print_diagnostics
from .common import console, err_console, progress, t

quality_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    help="调查质量检查 — field data-quality checks: povexit quality --responses DIR --sample DIR "
         "[--registry DIR] --out DIR; povexit quality backcheck --responses DIR --share 0.05 --seed N --out FILE",
)


@quality_app.callback()
def quality_cmd(
    ctx: typer.Context,
    responses: Path = typer.Option(None, "--responses", help="答卷目录（povexit ingest 的输出）/ responses directory"),
    sample: Path = typer.Option(None, "--sample", help="样本目录 / sample directory"),
    registry: Path = typer.Option(None, "--registry", help="名册目录（可选，原始或已导入）/ registry directory (optional)"),
    out: Path = typer.Option(None, "--out", help="输出目录，如 WORK/quality / output directory"),
    params: Path = typer.Option(None, "--params", help="检查参数 YAML/JSON（可选）/ parameter overrides (YAML/JSON)"),
) -> None:
    if ctx.invoked_subcommand:
        return
    missing = [f for f, v in (("--responses", responses), ("--sample", sample), ("--out", out)) if v is None]
    if missing:
        if len(missing) == 3:
            console.print(ctx.get_help())
            raise typer.Exit(0)
        err_console.print(t(f"缺少参数：{'、'.join(missing)}（用法：povexit quality --responses DIR --sample DIR --out DIR）",
                            f"Missing option(s): {', '.join(missing)} (usage: povexit quality --responses DIR "
                            "--sample DIR --out DIR)"))
        raise typer.Exit(2)
    from ..quality import check, load_params, write_quality
    from ..quality.io import load_inputs

    with progress(transient=True) as bar:
        task = bar.add_task(t("读取答卷、样本和名册", "reading responses, sample and registry"), total=3)
        p = load_params(params) if params is not None else None
        resp, smp, reg, inputs = load_inputs(responses, sample, registry)
        bar.update(task, advance=1, description=t("检查调查质量", "checking data quality"))
        report = check(resp, smp, reg, p)
        bar.update(task, advance=1, description=t("写出结果", "writing results"))
        write_quality(report, out, inputs)
        bar.update(task, advance=1)
    print_diagnostics(report.warnings)
    _print_summary(report, out)


def _print_summary(report, out: Path) -> None:
    from ..quality import CHECKS

    s = report.summary
    table = Table(title=t("调查质量检查", "Field data-quality checks"), header_style="bold")
    table.add_column(t("检查", "check"))
    table.add_column(t("说明", "description"))
    table.add_column(t("级别", "severity"))
    table.add_column(t("问卷/人数", "count"), justify="right")
    for cid, n in s["by_check"].items():
        if n:
            c = CHECKS[cid]
            table.add_row(cid, t(c.zh, c.en), t("错误", "error") if c.severity == "error" else t("警告", "warning"),
                          f"{n:,}")
    console.print(table)
    console.print(t(
        f"问卷 {s['submissions']:,} 份，其中 {s['flagged_submissions']:,} 份被标记（{s['flagged_share']:.1%}），"
        f"{s['submissions_with_errors']:,} 份有错误级问题；调查员离群项 {s['enumerator_outliers']} 个 → {out}",
        f"{s['submissions']:,} interviews, {s['flagged_submissions']:,} flagged ({s['flagged_share']:.1%}), "
        f"{s['submissions_with_errors']:,} with an error-level problem; {s['enumerator_outliers']} enumerator "
        f"outlier(s) → {out}",
    ))


@quality_app.command("backcheck")
def backcheck_cmd(
    responses: Path = typer.Option(..., "--responses", help="答卷目录 / responses directory"),
    share: float = typer.Option(..., "--share", help="复核比例，如 0.05 / share of interviews to re-check"),
    seed: int = typer.Option(..., "--seed", help="随机种子 / random seed (0 … 2^63−1)"),
    out: Path = typer.Option(..., "--out", help="复核名单文件 .csv 或 .xlsx / output list (.csv or .xlsx)"),
    min_per_pair: int = typer.Option(1, "--min-per-pair", help="每组调查员至少复核份数 / minimum per enumerator pair"),
    quality: Path = typer.Option(None, "--quality",
                                 help="质量检查输出目录：另加入全部错误级问卷 / add every interview with an error-level flag"),
) -> None:
    """抽取复核问卷（三级核查）/ Draw interviews for back-checks (re-interviews by checkers)."""
    from ..errors import FILE_NOT_FOUND, PovexitError
    from ..errors import quality as EQ
    from ..instruments import load_responses
    from ..quality import draw_backcheck, read_flagged, write_backcheck

    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise PovexitError(EQ.BAD_OUTPUT(file=str(out)))
    if not responses.exists():
        raise PovexitError(FILE_NOT_FOUND(file=str(responses)))
    flagged = read_flagged(quality) if quality is not None else []
    with progress(transient=True) as bar:
        bar.add_task(t("抽取复核问卷", "drawing back-checks"), total=None)
        resp = load_responses(responses)
        draw = draw_backcheck(resp, share, seed, min_per_stratum=min_per_pair, flagged=flagged)
        write_backcheck(draw, out)
    print_diagnostics(draw.warnings)
    s = draw.summary
    console.print(t(
        f"从 {s['interviews']:,} 份问卷（{s['strata']} 个调查组）中随机抽取 {s['drawn']:,} 份复核"
        f"（比例 {share:g}，种子 {seed}）" + (f"，另加错误级问卷 {s['flagged_added']} 份" if s["flagged_added"] else "")
        + f" → {out}",
        f"{s['drawn']:,} of {s['interviews']:,} interviews ({s['strata']} pairs) drawn for back-checks "
        f"(share {share:g}, seed {seed})" + (f", plus {s['flagged_added']} with error-level flags"
                                            if s["flagged_added"] else "") + f" → {out}",
    ))


def register(app: typer.Typer) -> None:
    app.add_typer(quality_app, name="quality")
