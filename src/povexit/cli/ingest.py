"""``povexit ingest``: field exports (ODK Central / KoboToolbox / CSV, or a live ODK Central project)
→ ``responses/``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..errors import CONFIG_INVALID, PovexitError
from .common import console, progress, t


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest_cmd(
        files: list[Path] = typer.Argument(None, help="Export files: ODK Central CSV/ZIP, Kobo CSV/XLSX, contract CSV/XLSX, OData JSON."),
        sample: Path = typer.Option(..., "--sample", help="Sample directory (output of povexit sample)."),
        out: Path = typer.Option(..., "--out", help="Responses directory (merged with what it already holds)."),
        strict: bool = typer.Option(
            True, "--strict/--keep-valid",
            help="默认：任何一行有错误就不写入任何文件并以非零状态退出（CONTRACTS.md §6）；--keep-valid 写入有效提交，"
                 "错误行列入 rejected.csv / Default: any row with an error → nothing written, exit non-zero; "
                 "--keep-valid writes the valid submissions and lists the rest in rejected.csv."),
        odk_config: Path = typer.Option(None, "--odk-config", help="pyodk config file (pyodk_config.toml) to pull from ODK Central."),
        project: int = typer.Option(None, "--project", help="ODK Central project number (with --odk-config)."),
        forms: list[str] = typer.Option(None, "--form", help="ODK Central form ID to pull (repeatable; with --odk-config)."),
    ) -> None:
        """导入入户调查数据 / Import field submissions.

        任何一行有错误（如同一户访问两次、不在样本中的户）时，列出每个错误的文件、行、字段和值，不写入任何文件，
        以非零状态退出；改正后重新导入，或加 --keep-valid 先写入有效提交（错误行写入 rejected.csv，日后可再导入）。
        Any row with an error (a household interviewed twice, a household not in the sample …) is listed with
        file, row, field and value, nothing is written and the exit status is non-zero; fix and re-import, or
        use --keep-valid to write the valid submissions now (the rejected rows go to rejected.csv).
        """
        from ..instruments import ingest, write_responses
        from ..instruments.odk_pull import pull_central

        sources = []
        if odk_config is not None:
            if project is None or not forms:
                raise PovexitError(CONFIG_INVALID(file=str(odk_config), column="--project/--form", value="",
                                                  reason=t("拉取数据需要项目编号和问卷 ID", "pulling needs a project and form IDs"),
                                                  allowed="--project N --form ID"))
            with progress(transient=True) as bar:
                task = bar.add_task(t("从 ODK Central 拉取", "pulling from ODK Central"), total=len(forms))
                for form_id in forms:
                    src, _ = pull_central(odk_config, project, form_id)
                    sources.append(src)
                    bar.advance(task)
        if not files and not sources:
            raise PovexitError(CONFIG_INVALID(file="povexit ingest", column="FILE", value="",
                                              reason=t("没有输入文件", "no input file"),
                                              allowed=t("导出文件，或 --odk-config", "export files, or --odk-config")))
        with progress(transient=True) as bar:
            bar.add_task(t("读取并校验提交", "reading and checking submissions"), total=None)
            result = ingest(sample, files or [], existing=out, sources=sources)
            result = write_responses(result, out, strict=strict)
        _report(result, out)


def _report(result, out: Path) -> None:
    c = result.counts
    run = result.this_run
    table = Table(title=t(f"答卷已写入 {out}", f"Responses written to {out}"), header_style="bold")
    table.add_column(t("项目", "item"))
    table.add_column(t("本次新增", "new"), justify="right")
    table.add_column(t("合计", "total"), justify="right")
    new = run.get("new_accepted", {})
    for label, key in ((t("入户问卷", "household interviews"), "households"),
                       (t("未访成功", "non-interviews"), "nonresponse"),
                       (t("村核查表", "village checklists"), "villages"),
                       (t("干部问卷", "cadre questionnaires"), "cadres"),
                       (t("乡镇调查表", "township forms"), "townships"),
                       (t("县级资料核查表", "county checklists"), "county_checks")):
        table.add_row(label, f"{new.get(key, 0):,}", f"{c.get(key, 0):,}")
    table.add_row(t("已导入过（重复导入）", "already imported"), f"{run.get('already_present', 0):,}", "")
    table.add_row(t("被拒绝的行", "rejected rows"), f"{run.get('errors', 0):,}", f"{c.get('rejected_rows', 0):,}")
    table.add_row(t("需注意的行", "flagged rows"), f"{run.get('warnings', 0):,}", f"{c.get('flagged_rows', 0):,}")
    console.print(table)
    if result.problems.height:
        _problems(result, out)


def _problems(result, out: Path) -> None:
    """One line per problem code: how many, the first place it occurs, what it means."""
    diags = result.diagnostics
    by_code: dict[str, list] = {}
    for d in diags:
        by_code.setdefault(d.code, []).append(d)
    table = Table(title=t(f"问题汇总（逐行明细见 {out / 'rejected.csv'}）", f"Problems (every row in {out / 'rejected.csv'})"),
                  header_style="bold", show_lines=False)
    table.add_column(t("代码", "code"))
    table.add_column(t("级别", "level"))
    table.add_column(t("行数", "rows"), justify="right")
    table.add_column(t("首次出现", "first seen"), overflow="fold")
    table.add_column(t("说明", "meaning"), overflow="fold")
    for code, ds in sorted(by_code.items(), key=lambda kv: (kv[1][0].severity != "error", -len(kv[1]))):
        d = ds[0]
        level = (t("错误", "error") if d.severity == "error" else t("警告", "warning"))
        table.add_row(code, level, f"{len(ds):,}", d.location(), d.message())
    console.print(table)
