"""Permission matrix: every role × every page and action → allowed or forbidden as designed.

The design (docs/decisions.md, "Roles"), written out here independently of ``server/access.py``:
pages by ladder floor; the five steps by their owning role; the county liaison sees only cases fed
back to their county and never the sample; the department appraiser only cases the county disputed;
cases a role may not see are 404 (their existence does not leak), pages it may not open are 403.
Runs on SQLite here and on PostgreSQL through test_server_postgres.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from server_helpers import advance, cases_of, evidence

from povexit import errors as E
from povexit.server import actions
from povexit.server.models import Attachment, Batch, Case
from povexit.verify.machine import Action, State

ROLES = [
    "office_admin",
    "working_group",
    "institution_lead",
    "lead_expert",
    "expert_panel",
    "checker",
    "enumerator",
    "auditor",
    "department_appraiser",
    "county_liaison",
]
TEAM = set(ROLES[:8])  # the team, its overseers and the auditor: see every case of their counties
ALL = set(ROLES)

PAGE_ALLOWED = {
    "/": ALL,
    "/cases/": ALL,
    "/sample/": set(ROLES[:7]),
    "/fieldwork/": set(ROLES[:8]),
    "/fieldwork/daily/": set(ROLES[:8]),
    "/fieldwork/rejected/": set(ROLES[:8]),
    "/indicators/": set(ROLES[:8]),
    "/audit/": set(ROLES[:8]),
    "/feedback/": {"office_admin", "working_group", "institution_lead", "lead_expert", "county_liaison"},
    "/feedback/export.xlsx": {
        "office_admin",
        "working_group",
        "institution_lead",
        "lead_expert",
        "county_liaison",
    },
    "/users/": {"office_admin"},
    "/procedure/": set(ROLES[:8]) | {"county_liaison"},
    "/procedure/overview/": {"office_admin", "working_group", "auditor"},
    "/rectification/": set(ROLES[:8]) | {"county_liaison"},
}

# who may open a case in each state
CASE_VISIBLE = {
    State.SUSPECTED: TEAM,
    State.REVIEWED: TEAM,
    State.FED_BACK: TEAM | {"county_liaison"},
    State.DEPARTMENT_REVIEW: ALL,
    State.CONFIRMED: ALL,
}

# action -> (source state, owner role, roles that do this action at some other step)
ACTIONS = {
    Action.INITIAL_CHECK: (State.SUSPECTED, "checker", set()),
    Action.REVIEW: (State.INITIAL_CHECKED, "lead_expert", set()),
    Action.FEED_BACK: (State.REVIEWED, "lead_expert", set()),
    Action.COUNTY_AGREE: (State.FED_BACK, "county_liaison", set()),
    Action.COUNTY_DISPUTE: (State.FED_BACK, "county_liaison", set()),
    Action.DEPARTMENT_OPINION: (State.DEPARTMENT_REVIEW, "department_appraiser", set()),
    Action.PANEL_UPHOLD: (State.PANEL_REVIEW, "expert_panel", set()),
    Action.CONFIRM: (State.FINAL_REVIEW, "working_group", set()),
    Action.DISMISS: (State.PANEL_REVIEW, "expert_panel", {"checker", "lead_expert", "working_group"}),
}
VISIBLE_IN = {  # states the action matrix uses
    State.SUSPECTED: TEAM,
    State.INITIAL_CHECKED: TEAM,
    State.REVIEWED: TEAM,
    State.FED_BACK: TEAM | {"county_liaison"},
    State.DEPARTMENT_REVIEW: ALL,
    State.PANEL_REVIEW: ALL,
    State.FINAL_REVIEW: ALL,
}


@pytest.mark.parametrize("path", sorted(PAGE_ALLOWED))
def test_pages(shared_team, client_for, path):
    team = shared_team[1]
    for role in ROLES:
        resp = client_for(team[role]).get(path)
        expected = 200 if role in PAGE_ALLOWED[path] else 403
        assert resp.status_code == expected, (role, path, resp.status_code)


def test_anonymous_is_sent_to_login(server_db):
    from django.test import Client

    for path in PAGE_ALLOWED:
        resp = Client().get(path)
        assert resp.status_code == 302 and "/login/" in resp["Location"], path


def test_case_visibility_by_state(assessment, team, client_for):
    states = list(CASE_VISIBLE)
    cases = dict(zip(states, cases_of(assessment, len(states)), strict=True))
    for st, c in cases.items():
        advance(c, team, st)
    for st, c in cases.items():
        for role in ROLES:
            resp = client_for(team[role]).get(f"/cases/{c.pk}/")
            expected = 200 if role in CASE_VISIBLE[st] else 404
            assert resp.status_code == expected, (st, role, resp.status_code)
    # the lists agree with the detail pages
    for role in ROLES:
        html = client_for(team[role]).get(f"/cases/?county={assessment.pk}").content.decode()
        for st, c in cases.items():
            assert (c.case_id in html) == (role in CASE_VISIBLE[st]), (role, st)


def test_attachments_follow_case_visibility(assessment, team, client_for):
    c = advance(cases_of(assessment, 1)[0], team, State.INITIAL_CHECKED)
    att = Attachment.objects.get(case=c)
    for role in ROLES:
        resp = client_for(team[role]).get(f"/attachments/{att.pk}/")
        assert resp.status_code == (200 if role in TEAM else 404), role
        if resp.status_code == 200:
            assert b"".join(resp.streaming_content) == b"\xff\xd8 house photo"


@pytest.mark.parametrize("action", list(ACTIONS), ids=lambda a: a.value)
def test_actions(assessment, team, client_for, action):
    source, owner, elsewhere = ACTIONS[action]
    c = advance(cases_of(assessment, 1)[0], team, source)
    form = {
        "action": action.value,
        "comment": "意见",
        "decision": "upheld",
        "reason": "no_problem",
        "deadline": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    n_files = Attachment.objects.filter(case=c).count()
    for role in [r for r in ROLES if r != owner]:
        c.refresh_from_db()
        with open(__file__, "rb") as fh:
            resp = client_for(team[role]).post(
                f"/cases/{c.pk}/act/", {**form, "version": c.version, "files": fh}
            )
        if role not in VISIBLE_IN[source]:
            expected = 404
        elif role in elsewhere:
            expected = 400  # a role that does this at another step: the state machine refuses (PVX-V02)
        else:
            expected = 403
        assert resp.status_code == expected, (action, role, resp.status_code)
        c.refresh_from_db()
        assert c.state == source and Attachment.objects.filter(case=c).count() == n_files
    with open(__file__, "rb") as fh:
        resp = client_for(team[owner]).post(
            f"/cases/{c.pk}/act/", {**form, "version": c.version, "files": fh}
        )
    assert resp.status_code == 302, resp.content[:2000]
    c.refresh_from_db()
    assert c.state != source


def test_release_batch_is_the_office_administrators(assessment, team, client_for):
    b = Batch.objects.filter(county=assessment).order_by("number").first()
    for role in ROLES:
        if role == "office_admin":
            continue
        resp = client_for(team[role]).post(f"/sample/{assessment.pk}/batches/{b.number}/release/")
        assert resp.status_code == 403, role
    b.refresh_from_db()
    assert b.released_at is None
    resp = client_for(team["office_admin"]).post(f"/sample/{assessment.pk}/batches/{b.number}/release/")
    assert resp.status_code == 302
    b.refresh_from_db()
    assert b.released_at is not None and b.released_by == team["office_admin"].username


def test_only_the_lead_expert_feeds_back_from_the_list(assessment, team, client_for):
    c = advance(cases_of(assessment, 1)[0], team, State.REVIEWED)
    deadline = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    for role in ROLES:
        if role == "lead_expert":
            continue
        resp = client_for(team[role]).post("/feedback/", {"case": [c.pk], "deadline": deadline})
        assert resp.status_code == 403, role
    resp = client_for(team["lead_expert"]).post("/feedback/", {"case": [c.pk], "deadline": deadline})
    assert resp.status_code == 302
    c.refresh_from_db()
    assert c.state == State.FED_BACK and c.deadline is not None


def test_users_page_creates_users_for_the_administrator_only(assessment, team, client_for):
    from django.contrib.auth.models import User

    form = {
        "username": "new-user-x",
        "password": "long-password",
        "role": "checker",
        "counties": [assessment.pk],
    }
    for role in ROLES[1:]:
        assert client_for(team[role]).post("/users/", form).status_code == 403
    assert not User.objects.filter(username="new-user-x").exists()
    assert client_for(team["office_admin"]).post("/users/", form).status_code == 302
    assert User.objects.get(username="new-user-x").profile.role == "checker"


def test_county_liaison_never_sees_the_sample(assessment, team, client_for):
    advance(cases_of(assessment, 1)[0], team, State.FED_BACK)
    c = client_for(team["county_liaison"])
    for path in ("/sample/", "/fieldwork/", "/fieldwork/daily/", "/indicators/"):
        assert c.get(path).status_code == 403
    html = c.get("/cases/").content.decode()
    suspected = Case.objects.filter(county=assessment, state=State.SUSPECTED).values_list(
        "case_id", flat=True
    )
    assert not any(cid in html for cid in suspected)
    assert c.get(f"/cases/?state=suspected&county={assessment.pk}").context["page_obj"].paginator.count == 0
    assert c.get(f"/cases/?county={assessment.pk}").context["page_obj"].paginator.count == 1


def test_unreleased_batches_hidden_below_the_institution_lead(assessment, team, client_for):
    from povexit.server.models import Village

    first = Batch.objects.filter(county=assessment).order_by("number").first()
    actions.do_release_batch(team["office_admin"], assessment, first.number)
    released = set(
        Village.objects.filter(county=assessment, batch=first.number).values_list("village_id", flat=True)
    )
    sealed = set(
        Village.objects.filter(county=assessment)
        .exclude(batch=first.number)
        .values_list("village_id", flat=True)
    )
    assert released and sealed
    for role, sees_sealed in (
        ("office_admin", True),
        ("institution_lead", True),
        ("lead_expert", False),
        ("checker", False),
        ("enumerator", False),
    ):
        html = client_for(team[role]).get(f"/sample/?county={assessment.pk}").content.decode()
        assert all(v in html for v in released), role
        assert any(v in html for v in sealed) == sees_sealed, role


def test_names_and_ids_masked_for_roles_that_do_not_meet_households(assessment, team, client_for):
    c = Case.objects.filter(county=assessment, household__head_name__gt="").first()
    c = advance(c, team, State.DEPARTMENT_REVIEW)
    name, idn = c.household.head_name, c.household.head_id_number
    for role in ROLES:
        html = client_for(team[role]).get(f"/cases/{c.pk}/").content.decode()
        unmasked = role in {"enumerator", "checker", "lead_expert", "county_liaison", "department_appraiser"}
        assert (name in html) == unmasked, role
        assert (idn in html) == unmasked, role
        if not unmasked:
            assert idn[:6] + "*" * 8 + idn[-4:] in html


def test_scope_other_county_is_invisible(server_db, workdir, team, client_for, assessment):
    """A second assessment's county is out of every scoped user's reach."""
    import uuid

    from povexit.server.models import County

    name = f"other-{uuid.uuid4().hex[:8]}"
    actions.do_load_assessment(workdir, name=name)
    other = County.objects.get(assessment__name=name)
    oc = Case.objects.filter(county=other).first()
    for role in ROLES:
        cl = client_for(team[role])
        assert cl.get(f"/cases/{oc.pk}/").status_code == 404, role
        if role in PAGE_ALLOWED["/indicators/"]:
            assert cl.get(f"/indicators/?county={other.pk}").status_code == 404, role


def test_step_without_evidence_is_refused_with_the_reason(assessment, team, client_for):
    c = cases_of(assessment, 1)[0]
    resp = client_for(team["checker"]).post(
        f"/cases/{c.pk}/act/", {"action": "initial_check", "version": 0, "comment": "属实"}
    )
    assert resp.status_code == 400
    assert "PVX-V03" in resp.content.decode()
    c.refresh_from_db()
    assert c.state == State.SUSPECTED


def test_stale_form_gets_409(assessment, team, client_for):
    c = cases_of(assessment, 1)[0]
    actions.do_transition(
        team["checker"], c.pk, Action.INITIAL_CHECK, version=0, comment="属实", staged=evidence()
    )
    resp = client_for(team["checker"]).post(
        f"/cases/{c.pk}/act/", {"action": "dismiss", "version": 0, "reason": "no_problem", "comment": "x"}
    )
    assert resp.status_code == 409 and "PVX-V09" in resp.content.decode()


# ---- exit procedure and rectification ledger (docs/decisions.md, "Exit procedure") ----------------

OFFICE = {"office_admin", "working_group"}
STAGE_RECORDERS = {  # stage -> (roles that record it, dates)
    "county_apply": (OFFICE | {"county_liaison"}, None, dt.date(2018, 11, 8)),
    "city_review": (OFFICE, None, dt.date(2018, 12, 20)),
    "select": (OFFICE, None, dt.date(2019, 1, 15)),
    "provincial_assessment": ({"institution_lead"}, dt.date(2019, 2, 12), dt.date(2019, 3, 10)),
    "rectify": (OFFICE, None, dt.date(2019, 4, 12)),
    "publicity": (OFFICE, dt.date(2019, 4, 15), dt.date(2019, 4, 19)),
    "national_check": (OFFICE, None, dt.date(2019, 6, 1)),
    "announce": (OFFICE, None, dt.date(2019, 7, 10)),
}
ISSUE = {"office_admin", "institution_lead", "lead_expert"}
ANSWER = {"county_liaison", "office_admin"}
RECHECK = {"lead_expert", "checker"}


def test_procedure_stages_by_role(assessment, team, client_for):
    from test_server_followup import decide

    from povexit.server.models import ProcedureStep

    decide(assessment, "pass")
    for stage, (recorders, start, done) in STAGE_RECORDERS.items():
        form = {
            "done_on": done.isoformat(),
            "doc_ref": f"{stage}-1",
            "started_on": start.isoformat() if start else "",
        }
        for role in ROLES:
            if role in recorders:
                continue
            resp = client_for(team[role]).post(f"/procedure/{assessment.pk}/{stage}/", form)
            assert resp.status_code == 403, (stage, role, resp.status_code)
        assert not ProcedureStep.objects.filter(
            county=assessment, stage=stage, done_on__isnull=False
        ).exists()
        for role in sorted(recorders):  # every recorder may record (a second time: a correction)
            resp = client_for(team[role]).post(f"/procedure/{assessment.pk}/{stage}/", form)
            assert resp.status_code == 302, (stage, role, resp.content.decode()[:1500])
        step = ProcedureStep.objects.get(county=assessment, stage=stage)
        assert step.done_on == done and step.version == len(recorders)
    # the county's evidence of the public notice: the liaison adds a file without recording the stage
    for role in ROLES:
        with open(__file__, "rb") as fh:
            resp = client_for(team[role]).post(
                f"/procedure/{assessment.pk}/publicity/", {"mode": "file", "files": fh}
            )
        assert resp.status_code == (302 if role in OFFICE | {"county_liaison"} else 403), role
    f = ProcedureStep.objects.get(county=assessment, stage="publicity").files.first()
    for role in ROLES:
        resp = client_for(team[role]).get(f"/procedure/files/{f.pk}/")
        assert resp.status_code == (200 if role in PAGE_ALLOWED["/procedure/"] else 403), role


def test_rectification_actions_by_role(assessment, team, client_for):
    from server_helpers import fill_problem_list, problem_list_bytes
    from test_server_followup import _file

    from povexit.server.models import Problem

    issued = problem_list_bytes(assessment.name)
    url = f"/rectification/{assessment.pk}/upload/"
    for role in ROLES:
        resp = client_for(team[role]).post(url, {"kind": "issue", "file": _file("p.xlsx", issued)})
        assert resp.status_code == (302 if role in ISSUE else 403), (role, resp.status_code)
    assert Problem.objects.filter(county=assessment).count() == 4
    filled = fill_problem_list(issued, {"H0001": {"整改措施": "改造", "整改结果": "已改造"}})
    for role in ROLES:
        resp = client_for(team[role]).post(url, {"kind": "answer", "file": _file("a.xlsx", filled)})
        assert resp.status_code == (302 if role in ANSWER else 403), (role, resp.status_code)
    p = Problem.objects.get(county=assessment, household_code="H0001")
    assert p.result == "已改造" and p.answered_by in {team[r].username for r in ANSWER}
    for role in ROLES:
        resp = client_for(team[role]).post(f"/rectification/problems/{p.pk}/recheck/", {"result": "passed"})
        assert resp.status_code == (302 if role in RECHECK else 403), (role, resp.status_code)
    p.refresh_from_db()
    assert p.recheck == "passed" and p.closed
    for role in ROLES:
        resp = client_for(team[role]).get(f"/rectification/{assessment.pk}/problem-list.xlsx")
        assert resp.status_code == (200 if role in PAGE_ALLOWED["/rectification/"] else 403), role
    # 从评估结果生成问题清单: the same roles as issuing by upload; idempotent, so every issuer may repeat it
    from povexit.server.models import LedgerUpload

    before = Problem.objects.filter(county=assessment).count()
    uploads = LedgerUpload.objects.filter(county=assessment, kind="issue").count()
    url = f"/rectification/{assessment.pk}/issue-from-assessment/"
    for role in ROLES:
        resp = client_for(team[role]).post(url, {"deadline": "2019-04-15"})
        assert resp.status_code == (302 if role in ISSUE else 403), (role, resp.status_code)
    generated = Problem.objects.filter(county=assessment).count() - before
    assert generated > 0
    assert LedgerUpload.objects.filter(county=assessment, kind="issue").count() == uploads + 1  # once only
    for role in sorted(ISSUE):
        actions.do_issue_problems_from_assessment(team[role], assessment)
    assert Problem.objects.filter(county=assessment).count() == before + generated
    for role in sorted(set(ROLES) - ISSUE):
        with pytest.raises(E.PovexitError) as e:
            actions.do_issue_problems_from_assessment(team[role], assessment)
        assert e.value.diagnostics[0].code == "PVX-S01", role


def test_follow_up_of_another_county_is_invisible(server_db, workdir, team, client_for, assessment):
    import uuid

    from povexit.server.models import County

    name = f"other-{uuid.uuid4().hex[:8]}"
    actions.do_load_assessment(workdir, name=name)
    other = County.objects.get(assessment__name=name)
    for role in ROLES:
        cl = client_for(team[role])
        for path in (f"/procedure/?county={other.pk}", f"/rectification/?county={other.pk}"):
            expected = 404 if role in PAGE_ALLOWED[path.split("?")[0]] else 403
            assert cl.get(path).status_code == expected, (role, path)
        resp = cl.post(f"/procedure/{other.pk}/county_apply/", {"done_on": "2018-11-08", "doc_ref": "x"})
        assert resp.status_code in (403, 404) and resp.status_code == (
            404 if role in PAGE_ALLOWED["/procedure/"] else 403
        ), role
        resp = cl.post(f"/rectification/{other.pk}/issue-from-assessment/")
        assert resp.status_code == (404 if role in PAGE_ALLOWED["/rectification/"] else 403), role
