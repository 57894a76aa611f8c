"""``povexit serve`` and ``povexit server load|createuser|users|issue-problems``: the team server's commands."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from .common import console, t

server_app = typer.Typer(
    help="团队服务器管理 — team server administration (load, users, problem list).", no_args_is_help=True
)

DB = typer.Option(
    None,
    "--db",
    envvar="DATABASE_URL",
    help="数据库 URL（默认：数据目录下的 SQLite）/ database URL (default: SQLite in the data dir).",
)
DATA = typer.Option(
    None,
    "--data-dir",
    envvar="POVEXIT_DATA_DIR",
    help="数据目录：SQLite 文件、密钥、证据文件 / data dir: SQLite file, secret key, evidence files.",
)


def _setup(db: str | None, data_dir: Path | None) -> None:
    from ..server import setup

    setup(db=db, data_dir=data_dir, migrate=True)


def _print_load(res) -> None:
    if res.unchanged:
        console.print(
            t(
                f"评估“{res.assessment}”的文件未变化，未做任何修改。",
                f"Assessment '{res.assessment}' is unchanged; nothing was modified.",
            )
        )
        return
    console.print(
        t(
            f"已加载评估“{res.assessment}”：{res.counties} 个县，{res.villages} 个样本村，{res.households} 户；"
            f"新案件 {res.cases_created}，更新 {res.cases_updated}，已在核查中保持不变 {res.cases_kept}；"
            f"未通过校验的问卷 {res.rejected} 条。",
            f"Loaded '{res.assessment}': {res.counties} counties, {res.villages} villages, {res.households} households; "
            f"cases new {res.cases_created}, updated {res.cases_updated}, kept (in the workflow) {res.cases_kept}; "
            f"{res.rejected} failed submissions.",
        )
    )


def serve(
    db: str = DB,
    data_dir: Path = DATA,
    workdir: Path = typer.Option(
        None, "--workdir", help="先加载此评估工作目录 / load this work directory first."
    ),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    threads: int = typer.Option(8, "--threads", help="工作线程数 / worker threads."),
    demo: bool = typer.Option(False, "--demo", help="演示：每个角色一个账号 / demo: one account per role."),
) -> None:
    """启动团队服务器（首次启动自动建库）— run the team server (creates and migrates the database)."""
    if demo:
        from ..errors import current_lang
        from ..server import demo as demo_mod

        demo_mod.run(
            workdir,
            host,
            port,
            data_dir=data_dir,
            db=db,
            threads=threads,
            echo=console.print,
            lang=current_lang(),
        )
        return
    _setup(db, data_dir)
    if workdir is not None:
        from ..server import actions

        _print_load(actions.do_load_assessment(workdir))
    from ..server.runner import serve as run

    run(
        host,
        port,
        threads=threads,
        announce=lambda url: console.print(t(f"服务地址：{url}", f"Serving at {url}")),
    )


@server_app.command("load")
def load(
    workdir_arg: Path = typer.Argument(
        None, metavar="WORKDIR", help="评估工作目录 / assessment work directory (docs/data-layout.md)."
    ),
    workdir_opt: Path = typer.Option(None, "--workdir", help="同上 / the same, as an option."),
    name: str = typer.Option(
        None, "--name", help="评估名称（默认：目录名）/ assessment name (default: dir name)."
    ),
    db: str = DB,
    data_dir: Path = DATA,
) -> None:
    """加载（或重新加载）评估工作目录，幂等 — load or reload a work directory (idempotent)."""
    workdir = workdir_opt or workdir_arg
    if workdir is None:
        from .common import err_console

        err_console.print(
            t(
                "请给出评估工作目录：povexit server load DIR",
                "Give the work directory: povexit server load DIR",
            )
        )
        raise typer.Exit(2)
    _setup(db, data_dir)
    from ..server import actions

    _print_load(actions.do_load_assessment(workdir, name=name))


@server_app.command("createuser")
def createuser(
    username: str = typer.Argument(...),
    role: str = typer.Option(
        ...,
        "--role",
        help="office_admin, working_group, institution_lead, lead_expert, "
        "expert_panel, checker, enumerator, auditor, department_appraiser, county_liaison",
    ),
    county: list[str] = typer.Option(
        [], "--county", help="负责的县（可多次）/ county in scope (repeatable)."
    ),
    all_counties: bool = typer.Option(False, "--all-counties"),
    display_name: str = typer.Option("", "--name"),
    password: str = typer.Option(None, "--password", envvar="POVEXIT_PASSWORD"),
    db: str = DB,
    data_dir: Path = DATA,
) -> None:
    """创建用户并分配角色 — create a user with a role and counties."""
    _setup(db, data_dir)
    from ..server import actions

    if password is None:
        password = getpass.getpass(t("密码：", "Password: "))
    actions.do_create_user(
        username, password, role, counties=county, all_counties=all_counties, display_name=display_name
    )
    console.print(t(f"已创建用户 {username}（{role}）。", f"Created user {username} ({role})."))


@server_app.command("users")
def users(db: str = DB, data_dir: Path = DATA) -> None:
    """列出用户、角色和负责的县 — list users, roles and counties."""
    _setup(db, data_dir)
    from rich.table import Table

    from ..server.models import Profile

    table = Table(t("用户", "user"), t("角色", "role"), t("负责县", "counties"))
    for p in Profile.objects.select_related("user").prefetch_related("counties").order_by("user__username"):
        table.add_row(
            p.user.username, p.role, "*" if p.all_counties else ", ".join(c.name for c in p.counties.all())
        )
    console.print(table)


@server_app.command("issue-problems")
def issue_problems(
    county: str = typer.Option(..., "--county", help="县名 / county name."),
    deadline: str = typer.Option(
        None, "--deadline", help="完成时限 YYYY-MM-DD（默认按报告规则）/ deadline (default: the report's)."
    ),
    assessment: str = typer.Option(
        None, "--assessment", help="评估名称（同名县在多个评估中时）/ assessment, if several have the county."
    ),
    as_user: str = typer.Option(
        None,
        "--as",
        help="以此用户身份下发（检查其权限）；默认为服务器管理员 system / issue as this user (permission "
        "checked); default: the administrator, audited as system.",
    ),
    db: str = DB,
    data_dir: Path = DATA,
) -> None:
    """从评估结果生成并下发问题清单（幂等）— issue the problem list built from the assessment (idempotent)."""
    import datetime as dt

    from .. import errors as E

    due = None
    if deadline:
        try:
            due = dt.date.fromisoformat(deadline.strip())
        except ValueError:
            from ..server import followup_errors as EX

            raise E.PovexitError(EX.BAD_DATE(value=deadline)) from None
    _setup(db, data_dir)
    from django.contrib.auth import get_user_model

    from ..server import actions
    from ..server import followup_errors as EX
    from ..server.models import County

    qs = County.objects.select_related("assessment").filter(name=county)
    if assessment:
        qs = qs.filter(assessment__name=assessment)
    found = list(qs)
    if len(found) != 1:
        loaded = sorted(f"{c.assessment.name}/{c.name}" for c in County.objects.select_related("assessment"))
        raise E.PovexitError(
            EX.COUNTY_CHOICE(value=county, n=len(found), allowed=", ".join(loaded[:20]) or "—")
        )
    user = None
    if as_user:
        user = get_user_model().objects.filter(username=as_user).first()
        if user is None:
            raise E.PovexitError(EX.UNKNOWN_USER(value=as_user))
    res = actions.do_issue_problems_from_assessment(user, found[0], deadline=due)
    c = found[0]
    if res.upload is None:
        console.print(
            t(
                f"{c.name}：评估结果中的 {res.unchanged} 个问题都已在台账上，未做任何修改。",
                f"{c.name}: all {res.unchanged} problems of the assessment are already on the ledger; nothing changed.",
            )
        )
    else:
        console.print(
            t(
                f"已下发{c.name}的问题清单：新问题 {res.created} 个，已在台账上 {res.unchanged} 个。",
                f"Issued {c.name}'s problem list: {res.created} new problems, {res.unchanged} already on the ledger.",
            )
        )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(server_app, name="server")
