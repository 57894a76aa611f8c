"""A demo server: one account per role on a demo assessment, a few cases already moved along.

``run(workdir, host, port)`` is what ``povexit demo --serve`` and ``povexit serve --demo`` call. With
``workdir=None`` a contract-shaped assessment is generated (:mod:`.sampledata`). The database and
evidence files go to ``data_dir`` (default ``WORK/.server``). For local use: the demo password is
printed and the same for every account.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ..verify.machine import Action, State
from ..verify.roles import ROLE_EN, ROLE_ZH, Role

DEMO_PASSWORD = "povexit-demo"
DEMO_USERS: tuple[tuple[str, Role, str], ...] = (
    ("admin", Role.OFFICE_ADMIN, "扶贫办 王主任"),
    ("wg", Role.WORKING_GROUP, "考核工作组 李组长"),
    ("inst", Role.INSTITUTION_LEAD, "评估机构 张院长"),
    ("lead", Role.LEAD_EXPERT, "带队专家 刘教授"),
    ("panel", Role.EXPERT_PANEL, "专家组 陈研究员"),
    ("checker", Role.CHECKER, "核查员 赵明"),
    ("checker2", Role.CHECKER, "核查员 孙丽"),
    ("enum", Role.ENUMERATOR, "调查员 周杰"),
    ("auditor", Role.AUDITOR, "审计 吴静"),
    ("dept", Role.DEPARTMENT_APPRAISER, "住建局 郑工"),
    ("county", Role.COUNTY_LIAISON, "县扶贫办 黄股长"),
)
ALL_COUNTIES = {Role.OFFICE_ADMIN, Role.WORKING_GROUP, Role.INSTITUTION_LEAD, Role.EXPERT_PANEL, Role.AUDITOR}


def prepare(
    workdir: str | Path | None = None,
    *,
    data_dir: str | Path | None = None,
    db: str | None = None,
    progress: Callable[[str], None] = lambda s: None,
) -> tuple[Path, list[tuple[str, str, Role, str]]]:
    """Set up the database, load the assessment, create the demo accounts and move a few cases along.
    Returns the work directory and the accounts (user name, password, role, display name)."""
    from . import sampledata, setup

    if workdir is None:
        base = Path(data_dir) if data_dir else Path.home() / ".local" / "share" / "povexit-demo"
        workdir = base / "demo-work"
        if not (workdir / "findings" / "cases.csv").exists():
            progress("writing the demo assessment")
            sampledata.write_workdir(workdir)
    workdir = Path(workdir).resolve()
    data_dir = Path(data_dir) if data_dir else workdir / ".server"
    setup(db=db, data_dir=data_dir, migrate=True)
    from django.contrib.auth import get_user_model

    from . import actions
    from .models import Batch, County

    progress("loading the assessment")
    actions.do_load_assessment(workdir)
    counties = list(County.objects.values_list("name", flat=True))
    User = get_user_model()
    fresh = not User.objects.filter(username="admin").exists()
    for name, role, display in DEMO_USERS:
        if not User.objects.filter(username=name).exists():
            actions.do_create_user(
                name,
                DEMO_PASSWORD,
                role,
                counties=[] if role in ALL_COUNTIES else counties[:1],
                all_counties=role in ALL_COUNTIES,
                display_name=display,
            )
    if fresh:
        admin = User.objects.get(username="admin")
        for b in Batch.objects.filter(number__in=(1, 2)):
            actions.do_release_batch(admin, b.county, b.number)
        _move_some_cases(User, counties[0])
    return workdir, [(n, DEMO_PASSWORD, r, d) for n, r, d in DEMO_USERS]


def _move_some_cases(User, county: str) -> None:
    """Take a handful of cases through the first steps so every page has something to show."""
    from django.utils import timezone

    from . import actions, storage
    from .models import Case

    u = {n: User.objects.get(username=n) for n, _, _ in DEMO_USERS}
    cases = list(
        Case.objects.filter(
            county__name=county, state=State.SUSPECTED, household__village__batch__in=(1, 2)
        ).order_by("id")[:8]
    )
    now = timezone.now()

    def note(c, text):
        body = f"现场核查记录\n案件：{c.case_id}\n户编号：{c.household_code}\n{text}\n".encode()
        return [storage.stage(f"核查记录-{c.case_id}.txt", [body], content_type="text/plain")]

    plan = [  # how far each case goes
        ["initial"],
        ["initial"],
        ["initial", "review"],
        ["initial", "review"],
        ["initial", "review", "feed"],
        ["initial", "review", "feed", "agree", "panel"],
        ["initial", "review", "feed", "agree", "panel", "confirm"],
        ["dismiss"],
    ]
    for c, steps in zip(cases, plan, strict=False):
        for s in steps:
            c.refresh_from_db()
            if s == "initial":
                actions.do_transition(
                    u["checker"],
                    c.pk,
                    Action.INITIAL_CHECK,
                    version=c.version,
                    comment="入户核实：情况属实，已拍照固化证据。",
                    staged=note(c, "情况属实"),
                )
            elif s == "review":
                actions.do_transition(
                    u["lead"], c.pk, Action.REVIEW, version=c.version, comment="复核属实，反馈县里核实。"
                )
            elif s == "feed":
                actions.do_transition(
                    u["lead"], c.pk, Action.FEED_BACK, version=c.version, deadline=now + dt.timedelta(days=2)
                )
            elif s == "agree":
                actions.do_transition(
                    u["county"], c.pk, Action.COUNTY_AGREE, version=c.version, comment="经核实，情况属实。"
                )
            elif s == "panel":
                actions.do_transition(
                    u["panel"],
                    c.pk,
                    Action.PANEL_UPHOLD,
                    version=c.version,
                    comment="证据充分，认定问题成立。",
                )
            elif s == "confirm":
                actions.do_transition(u["wg"], c.pk, Action.CONFIRM, version=c.version, comment="终核认定。")
            elif s == "dismiss":
                actions.do_transition(
                    u["checker"],
                    c.pk,
                    Action.DISMISS,
                    version=c.version,
                    reason="no_problem",
                    comment="现场核实：已完成危房改造，问卷记录有误。",
                )


def run(
    workdir: str | Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    data_dir: str | Path | None = None,
    db: str | None = None,
    threads: int = 8,
    echo: Callable[[str], None] = print,
    lang: str = "zh",
) -> None:
    """Prepare the demo and serve it until interrupted, printing the address and the accounts."""
    from .runner import serve

    wd, accounts = prepare(workdir, data_dir=data_dir, db=db, progress=lambda s: echo(f"… {s}"))
    echo(("评估工作目录：" if lang == "zh" else "Work directory: ") + str(wd))
    echo(
        f"演示账号（密码均为 {DEMO_PASSWORD}）："
        if lang == "zh"
        else f"Demo accounts (password {DEMO_PASSWORD}):"
    )
    for name, _pw, role, display in accounts:
        echo(f"  {name:<10} {(ROLE_ZH if lang == 'zh' else ROLE_EN)[role]:<12} {display}")
    serve(
        host,
        port,
        threads=threads,
        announce=lambda url: echo(("服务地址：" if lang == "zh" else "Serving at ") + url),
    )
