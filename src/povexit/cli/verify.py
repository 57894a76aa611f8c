"""``povexit verify audit|cases|feedback``: check the audit chain, export outcomes and the feedback list."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import console, t
from .serve import DATA, DB, _setup

verify_app = typer.Typer(
    help="五核核查：审计日志校验与导出 — verification: audit check and exports.", no_args_is_help=True
)


@verify_app.command("audit")
def audit(
    db: str = DB,
    data_dir: Path = DATA,
    files: bool = typer.Option(
        True, "--files/--no-files", help="同时校验证据文件 / also check evidence files."
    ),
) -> None:
    """校验审计日志哈希链（及证据文件）— verify the audit log's hash chain (and evidence files)."""
    _setup(db, data_dir)
    from ..errors import PovexitError
    from ..server.audit_check import check_database

    report = check_database(files=files)
    if not report.ok:
        raise PovexitError(report.problems)
    console.print(
        t(
            f"审计日志完整：已校验 {report.checked} 条，链头 {report.head}",
            f"Audit log intact: {report.checked} entries verified, head {report.head}",
        )
    )


@verify_app.command("cases")
def cases(
    out: Path = typer.Option(
        ..., "--out", help="cases.csv（CONTRACTS.md §4，可用于 povexit estimate --cases）"
    ),
    county: str = typer.Option(None, "--county"),
    db: str = DB,
    data_dir: Path = DATA,
) -> None:
    """导出案件核查结果 cases.csv — write cases.csv with the current outcomes."""
    _setup(db, data_dir)
    import polars as pl

    from ..fsutil import atomic_write_text
    from ..server.models import Case

    qs = Case.objects.select_related("county").order_by("county__name", "case_id")
    if county:
        qs = qs.filter(county__name=county)
    rows = [
        {
            "case_id": c.case_id,
            "household_id": c.household_code,
            "kind": c.kind,
            "outcome": c.outcome,
            "rules": c.rules,
            "evidence": c.evidence,
            "county": c.county.name,
            "state": c.state,
            "dismiss_reason": c.dismiss_reason,
        }
        for c in qs
    ]
    schema = dict.fromkeys(
        (
            "case_id",
            "household_id",
            "kind",
            "outcome",
            "rules",
            "evidence",
            "county",
            "state",
            "dismiss_reason",
        ),
        pl.String,
    )
    atomic_write_text(out, pl.DataFrame(rows, schema=schema).write_csv())
    console.print(t(f"已写出 {len(rows)} 个案件：{out}", f"Wrote {len(rows)} cases to {out}"))


@verify_app.command("feedback")
def feedback(
    out: Path = typer.Option(..., "--out", help="反馈清单 .xlsx / feedback list .xlsx"),
    county: str = typer.Option(None, "--county"),
    show_personal: bool = typer.Option(
        False, "--show-personal", help="不遮蔽姓名和身份证号 / unmasked names and IDs"
    ),
    db: str = DB,
    data_dir: Path = DATA,
) -> None:
    """导出反馈会清单（疑似错退、疑似漏评户）— export the feedback-meeting list."""
    _setup(db, data_dir)
    import os
    import tempfile

    from ..errors import current_lang
    from ..server import exports
    from ..server.models import Case

    qs = Case.objects.all()
    if county:
        qs = qs.filter(county__name=county)
    rows = exports.feedback_rows(exports.feedback_cases(qs), show_personal=show_personal, lang=current_lang())
    data = exports.feedback_workbook(rows, lang=current_lang())
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, out)
    console.print(
        t(
            f"已写出反馈清单（{len(rows)} 户）：{out}",
            f"Wrote the feedback list ({len(rows)} households): {out}",
        )
    )


def register(app: typer.Typer) -> None:
    app.add_typer(verify_app, name="verify")
