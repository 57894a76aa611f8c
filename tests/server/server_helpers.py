"""Moving a case along by the proper roles, for tests that need a case in a given state."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from povexit.server import actions, storage
from povexit.server.models import Case
from povexit.verify.machine import Action, State

PATH = {  # state -> the steps that reach it from suspected
    State.SUSPECTED: [],
    State.INITIAL_CHECKED: ["initial"],
    State.REVIEWED: ["initial", "review"],
    State.FED_BACK: ["initial", "review", "feed"],
    State.DEPARTMENT_REVIEW: ["initial", "review", "feed", "dispute"],
    State.PANEL_REVIEW: ["initial", "review", "feed", "dispute", "department"],
    State.FINAL_REVIEW: ["initial", "review", "feed", "dispute", "department", "panel"],
    State.CONFIRMED: ["initial", "review", "feed", "dispute", "department", "panel", "confirm"],
}


def evidence(name: str = "photo.jpg", body: bytes = b"\xff\xd8 house photo") -> list[storage.Staged]:
    return [storage.stage(name, [body], content_type="image/jpeg")]


def advance(case: Case, team: dict, to: State) -> Case:
    for step in PATH[to]:
        case.refresh_from_db()
        v = case.version
        if step == "initial":
            actions.do_transition(
                team["checker"], case.pk, Action.INITIAL_CHECK, version=v, comment="属实", staged=evidence()
            )
        elif step == "review":
            actions.do_transition(team["lead_expert"], case.pk, Action.REVIEW, version=v, comment="复核属实")
        elif step == "feed":
            actions.do_transition(
                team["lead_expert"],
                case.pk,
                Action.FEED_BACK,
                version=v,
                deadline=timezone.now() + dt.timedelta(days=1),
            )
        elif step == "dispute":
            actions.do_transition(
                team["county_liaison"],
                case.pk,
                Action.COUNTY_DISPUTE,
                version=v,
                comment="已改造",
                staged=evidence("证明.pdf", b"%PDF county evidence"),
            )
        elif step == "department":
            actions.do_transition(
                team["department_appraiser"],
                case.pk,
                Action.DEPARTMENT_OPINION,
                version=v,
                decision="upheld",
                comment="鉴定为C级",
            )
        elif step == "panel":
            actions.do_transition(
                team["expert_panel"], case.pk, Action.PANEL_UPHOLD, version=v, comment="成立"
            )
        elif step == "confirm":
            actions.do_transition(team["working_group"], case.pk, Action.CONFIRM, version=v)
    case.refresh_from_db()
    assert case.state == to
    return case


def cases_of(county, n: int) -> list[Case]:
    cs = list(Case.objects.filter(county=county).order_by("id")[:n])
    assert len(cs) == n, f"fixture has only {len(cs)} cases"
    return cs
