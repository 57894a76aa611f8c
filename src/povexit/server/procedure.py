"""The county exit procedure (seed 001 §六 工作步骤及完成时限) as data, and the working-day calendar.

Pure: no database. ``actions.do_record_stage`` checks a recording against :func:`check_stage`;
``views.followup`` draws the timeline from :func:`timeline`.

Stages, in order (seed 001 §六, DESIGN §1.7): 县级自评申请 → 市级初审认定 → 确定评估对象 → 省级评估
（第三方）→ 整改（复核）→ 公示（不少于 5 个工作日）→ 国家抽查 → 批准退出并公告. Who records which
stage is in ``STAGES`` (docs/decisions.md, "Exit procedure").

Working days are Monday–Friday, minus the holidays and plus the make-up working days (调休) of the
calendar: ``settings.POVEXIT_HOLIDAYS`` / ``POVEXIT_WORKDAYS`` (lists of dates) and the YAML file
named by ``settings.POVEXIT_CALENDAR_FILE`` (keys ``holidays``, ``workdays`` and ``due`` — stage code →
date, for the year's plan such as seed 001's 2018-11 上旬 … 2019-07).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..verify.roles import Role

PUBLICITY_MIN_WORKING_DAYS = 5  # seed 001 §六(六): 公示期不少于5个工作日

OFFICE = frozenset({Role.OFFICE_ADMIN, Role.WORKING_GROUP})


@dataclass(frozen=True)
class Stage:
    code: str
    zh: str
    en: str
    recorders: frozenset[Role]
    seed_zh: str  # what the seed says about its timing
    seed_en: str
    needs_start: bool = False  # a period (公示: first and last day)
    file_roles: frozenset[Role] = frozenset()  # may add a file without recording the stage

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


STAGES: tuple[Stage, ...] = (
    Stage(
        "county_apply",
        "县级自评申请",
        "County self-assessment and application",
        OFFICE | {Role.COUNTY_LIAISON},
        "县扶贫开发领导小组自查后向市（州）提交退出申请（11月上旬前）",
        "the county's leading group applies to the city after its own check (by early November)",
    ),
    Stage(
        "city_review",
        "市级初审认定",
        "Municipal preliminary review",
        OFFICE,
        "市（州）初审通过后向省提出申请（12月31日前）",
        "the city reviews and applies to the province (by 31 December)",
    ),
    Stage(
        "select",
        "确定评估对象",
        "Counties to assess decided",
        OFFICE,
        "省领导小组审查申报材料，确定拟退出贫困县（1月中旬前）",
        "the provincial leading group decides the counties proposed to exit (by mid-January)",
    ),
    Stage(
        "provincial_assessment",
        "省级评估（第三方）",
        "Provincial assessment (third party)",
        frozenset({Role.INSTITUTION_LEAD}),
        "第三方机构实地评估，逐县出具评估报告（3月中旬前）",
        "the third-party institution assesses on site and reports per county (by mid-March)",
        needs_start=True,
    ),
    Stage(
        "rectify",
        "整改及复核",
        "Rectification and re-check",
        OFFICE,
        "参考指标未达标的限期整改并复核（4月15日前）",
        "a county failing a reference indicator rectifies by a deadline and is re-checked (by 15 April)",
    ),
    Stage(
        "publicity",
        "公示",
        "Public notice",
        OFFICE,
        "拟退出名单在省主要媒体公示，公示期不少于5个工作日，无异议后报国务院扶贫办（4月30日前）",
        "the list is published in the province's main media for at least 5 working days (by 30 April)",
        needs_start=True,
        file_roles=frozenset({Role.COUNTY_LIAISON}),
    ),
    Stage(
        "national_check",
        "国家抽查",
        "National spot check",
        OFFICE,
        "国家按20%的比例抽查拟退出县（6月30日前）",
        "the state spot-checks 20% of the counties proposed to exit (by 30 June)",
    ),
    Stage(
        "announce",
        "批准退出并公告",
        "Exit approved and announced",
        OFFICE,
        "抽查合格后由省政府批准并向社会公告退出（7月）",
        "after the spot check the provincial government approves and announces the exit (July)",
    ),
)
BY_CODE: dict[str, Stage] = {s.code: s for s in STAGES}
INDEX: dict[str, int] = {s.code: i for i, s in enumerate(STAGES)}
AFTER_RECTIFY = frozenset(s.code for s in STAGES[INDEX["publicity"] :])


# ---- working days --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()  # weekend days worked (调休)
    due: Mapping[str, dt.date] = field(default_factory=dict)

    def is_working_day(self, d: dt.date) -> bool:
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays

    def working_days(self, start: dt.date, end: dt.date) -> int:
        """Working days from ``start`` to ``end``, both included (0 when end < start)."""
        n, d = 0, start
        while d <= end:
            n += self.is_working_day(d)
            d += dt.timedelta(days=1)
        return n

    def nth_working_day(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day counting ``start`` as the first day if it is one (n ≥ 1)."""
        d, seen = start, 0
        while True:
            if self.is_working_day(d):
                seen += 1
                if seen >= n:
                    return d
            d += dt.timedelta(days=1)


def _dates(values: Iterable) -> frozenset[dt.date]:
    out = set()
    for v in values or ():
        out.add(v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v).strip()))
    return frozenset(out)


def load_calendar(
    *, holidays: Iterable = (), workdays: Iterable = (), file: str | Path | None = None
) -> Calendar:
    """A calendar from lists and/or a YAML file (``holidays: [2019-04-05, …]``, ``workdays: […]``,
    ``due: {county_apply: 2018-11-10, …}``). Unknown stage codes in ``due`` are an error."""
    h, w, due = set(_dates(holidays)), set(_dates(workdays)), {}
    if file:
        import yaml

        doc = yaml.safe_load(Path(file).read_text(encoding="utf-8")) or {}
        h |= _dates(doc.get("holidays") or [])
        w |= _dates(doc.get("workdays") or [])
        for code, d in (doc.get("due") or {}).items():
            if code not in BY_CODE:
                raise ValueError(f"{file}: unknown stage {code!r} under due (stages: {', '.join(BY_CODE)})")
            due[code] = d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d))
    return Calendar(frozenset(h), frozenset(w), due)


def calendar_from_settings() -> Calendar:
    from django.conf import settings

    return load_calendar(
        holidays=getattr(settings, "POVEXIT_HOLIDAYS", ()),
        workdays=getattr(settings, "POVEXIT_WORKDAYS", ()),
        file=getattr(settings, "POVEXIT_CALENDAR_FILE", None) or None,
    )


# ---- checks and the timeline ---------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    """What is on record for a stage (from the database)."""

    code: str
    done_on: dt.date | None
    started_on: dt.date | None = None
    doc_ref: str = ""
    not_drawn: bool = False


def previous_done(code: str, recorded: Mapping[str, Recorded]) -> Recorded | None:
    """The nearest earlier stage on record (None for the first stage)."""
    for s in reversed(STAGES[: INDEX[code]]):
        r = recorded.get(s.code)
        if r is not None and r.done_on is not None:
            return r
    return None


def publicity_problem(start: dt.date, end: dt.date, cal: Calendar) -> tuple[int, dt.date] | None:
    """(working days, earliest end) when a notice from ``start`` to ``end`` is too short, else None."""
    n = cal.working_days(start, end)
    if n >= PUBLICITY_MIN_WORKING_DAYS:
        return None
    return n, cal.nth_working_day(start, PUBLICITY_MIN_WORKING_DAYS)


@dataclass
class Step:
    stage: Stage
    status: str  # done | current | next | later
    record: Recorded | None
    due: dt.date | None
    due_reason: str
    overdue: bool
    required_note: str = ""


def due_for(
    code: str,
    recorded: Mapping[str, Recorded],
    cal: Calendar,
    *,
    rectify_due: dt.date | None = None,
    lang: str = "zh",
) -> tuple[dt.date | None, str]:
    """The due date of a stage and why: the calendar's plan, the ledger's latest deadline (整改), or
    the 5th working day of a running public notice (公示)."""
    zh = lang != "en"
    if code == "publicity":
        r = recorded.get("publicity")
        if r is not None and r.started_on is not None:
            end = cal.nth_working_day(r.started_on, PUBLICITY_MIN_WORKING_DAYS)
            return end, (
                f"公示自 {r.started_on} 起不少于 5 个工作日" if zh else f"5 working days from {r.started_on}"
            )
    if code == "rectify" and rectify_due is not None:
        return rectify_due, ("问题清单最晚整改时限" if zh else "latest deadline on the problem list")
    if code in cal.due:
        return cal.due[code], ("工作方案时限" if zh else "the year's plan")
    return None, ""


def timeline(
    recorded: Mapping[str, Recorded],
    cal: Calendar,
    today: dt.date,
    *,
    rectify_due: dt.date | None = None,
    lang: str = "zh",
) -> list[Step]:
    steps: list[Step] = []
    current_seen = next_seen = False
    for s in STAGES:
        r = recorded.get(s.code)
        if r is not None and r.done_on is not None:
            status = "done"
        elif not current_seen:
            status, current_seen = "current", True
        elif not next_seen:
            status, next_seen = "next", True
        else:
            status = "later"
        due, why = due_for(s.code, recorded, cal, rectify_due=rectify_due, lang=lang)
        overdue = status == "current" and due is not None and due < today
        steps.append(Step(s, status, r, due, why, overdue))
    return steps
