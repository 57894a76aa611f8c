"""``povexit registry check|import``: thin shell over :mod:`povexit.registry`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.table import Table

from .. import fsutil, registry
from ..errors.render import diagnostics_table
from ..registry.pipeline import STEPS
from ..registry.report import CheckReport, RegistryCheckFailed
from .common import console, err_console, progress, t

SHOWN_PER_CODE = 5  # rows per error code in the terminal table (all are in --json)
SHOWN_MAX = 60


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(t(f"日期格式应为 YYYY-MM-DD：{value}", f"expected YYYY-MM-DD: {value}"),
                                 param_hint=option) from None


@contextmanager
def _steps() -> Iterator:
    with progress(transient=True) as p:
        task = p.add_task(t("读取登记数据", "reading the registry"), total=len(STEPS))
        names = dict(STEPS)

        def step(name: str) -> None:
            zh, en = names.get(name, (name, name))
            p.update(task, advance=1, description=t(zh, en))

        yield step


def show_report(report: CheckReport) -> None:
    """Diagnostics table (a few rows per code), totals per code, one summary line."""
    shown, per_code = [], {}
    for d in report.diagnostics:
        if per_code.get(d.code, 0) < SHOWN_PER_CODE and len(shown) < SHOWN_MAX:
            shown.append(d)
            per_code[d.code] = per_code.get(d.code, 0) + 1
    if shown:
        err_console.print(diagnostics_table(shown, limit=SHOWN_MAX))
    hidden = {c: n - per_code.get(c, 0) for c, n in sorted(report.counts.items()) if n > per_code.get(c, 0)}
    if hidden:
        more = ", ".join(f"{c}×{n}" for c, n in hidden.items())
        err_console.print(t(f"表中未列出的：{more}（完整清单用 --json）", f"not shown above: {more} (all with --json)"))
    line = t(f"{report.n_errors} 个错误，{report.n_warnings} 个警告", f"{report.n_errors} error(s), {report.n_warnings} warning(s)")
    err_console.print(f"[{'red' if report.n_errors else 'green'}]{line}[/]")


def show_summary(summary: dict) -> None:
    totals = summary.get("totals")
    if not totals:
        return
    table = Table(title=t("登记数据汇总", "Registry summary"), header_style="bold")
    for zh_h, en_h in (("省", "province"), ("县", "county"), ("村", "villages"), ("贫困村", "poor villages"),
                       ("户", "households"), ("人", "persons"), ("未脱贫", "poor"), ("已脱贫", "exited"),
                       ("返贫", "returned")):
        table.add_column(t(zh_h, en_h), justify="left" if en_h in ("province", "county") else "right")
    for r in summary.get("by_county", []):
        table.add_row(r["province"] or "", r["county"] or "", str(r.get("villages") or 0), str(r.get("poor_villages") or 0),
                      str(r["households"]), str(r["persons"]), str(r["poor_persons"]), str(r["exited_persons"]),
                      str(r["returned_persons"]))
    console.print(table)
    console.print(t(
        f"合计 {totals['persons']} 人，{totals['households']} 户，{totals['villages']} 个村（贫困村 {totals['poor_villages']}），"
        f"村民小组 {totals['groups']} 个，部门名单 {totals['roster_rows']} 行；年龄计算基准日 {summary.get('as_of')}",
        f"Total {totals['persons']} persons, {totals['households']} households, {totals['villages']} villages "
        f"({totals['poor_villages']} poor), {totals['groups']} groups, {totals['roster_rows']} roster rows; "
        f"ages as of {summary.get('as_of')}",
    ))


def _write_json(path: Path | None, report: CheckReport) -> None:
    if path is not None:
        fsutil.atomic_write_text(path, report.to_json())


def register(app: typer.Typer) -> None:
    reg = typer.Typer(help=t("登记数据（建档立卡）：检查与导入", "Registry (建档立卡): check and import"),
                      no_args_is_help=True)

    @reg.command("check")
    def check_cmd(
        directory: Path = typer.Argument(..., help="registry directory (persons, villages, groups, rosters, counties)"),
        json_out: Path = typer.Option(None, "--json", help="write the full report (JSON) to this file"),
        as_of: str = typer.Option(None, "--as-of", help="reference date of ages, YYYY-MM-DD"),
        today: str = typer.Option(None, "--today", help="date that counts as today (future checks), YYYY-MM-DD"),
        limit: int = typer.Option(100, "--limit", min=1, help="diagnostics listed per code (all are counted)"),
    ) -> None:
        """检查登记数据目录 / Check a registry directory (exit 0: no errors; 2: errors)."""
        with _steps() as step:
            report = registry.check(directory, today=_date(today, "--today"), as_of=_date(as_of, "--as-of"),
                                    limit=limit, progress=step)
        show_report(report)
        show_summary(report.summary)
        _write_json(json_out, report)
        raise typer.Exit(0 if report.ok else 2)

    @reg.command("import")
    def import_cmd(
        directory: Path = typer.Argument(..., help="registry directory"),
        out: Path = typer.Option(..., "--out", help="output directory (normalised Parquet + summary)"),
        json_out: Path = typer.Option(None, "--json", help="also write the check report (JSON) to this file"),
        as_of: str = typer.Option(None, "--as-of", help="reference date of ages, YYYY-MM-DD"),
        today: str = typer.Option(None, "--today", help="date that counts as today (future checks), YYYY-MM-DD"),
        limit: int = typer.Option(100, "--limit", min=1, help="diagnostics listed per code (all are counted)"),
    ) -> None:
        """检查并导入登记数据 / Check and import a registry into normalised Parquet (atomic)."""
        try:
            with _steps() as step:
                result = registry.import_registry(directory, out, today=_date(today, "--today"),
                                                  as_of=_date(as_of, "--as-of"), limit=limit, progress=step)
        except RegistryCheckFailed as failed:
            show_report(failed.report)
            _write_json(json_out, failed.report)
            err_console.print(t(f"[red]未导入：请先改正错误；{out} 未改动。[/]",
                                f"[red]Not imported: fix the errors first; {out} is unchanged.[/]"))
            raise typer.Exit(2) from None
        show_report(result.report)
        show_summary(result.summary)
        _write_json(json_out, result.report)
        console.print(t(f"已导入到 {result.out}：{', '.join(result.files)}",
                        f"Imported into {result.out}: {', '.join(result.files)}"))

    app.add_typer(reg, name="registry")
