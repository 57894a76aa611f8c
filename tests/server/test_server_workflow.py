"""One case through the five steps over HTTP, as the different roles; the feedback list and its
export; final indicators recomputed from confirmed cases; fieldwork pages; English switch."""

from __future__ import annotations

import datetime as dt
import html
import io

from django.utils import timezone
from openpyxl import load_workbook
from server_helpers import advance, cases_of

from povexit.server import indicators
from povexit.server.audit_check import check_database
from povexit.server.models import AuditEntry, Case
from povexit.verify.machine import State


def post(client, case, action, **fields):
    case.refresh_from_db()
    data = {"action": action, "version": case.version, **fields}
    return client.post(f"/cases/{case.pk}/act/", data)


def test_five_steps_over_http_change_the_final_indicators(assessment, team, client_for):
    c = Case.objects.filter(county=assessment, kind="wrongful_exit").order_by("id").first()
    before = indicators.final(assessment)
    assert before.data is not None
    w0 = before.data["indicators"]["wrongful_exit_rate"]["official"]

    cl = {r: client_for(u) for r, u in team.items()}
    photo = io.BytesIO(b"\xff\xd8 photo of the C-grade house")
    photo.name = "房屋照片.jpg"
    assert (
        post(cl["checker"], c, "initial_check", comment="现场查看：C级危房", files=photo).status_code == 302
    )
    assert post(cl["lead_expert"], c, "review", comment="复核属实").status_code == 302
    deadline = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert cl["lead_expert"].post("/feedback/", {"case": [c.pk], "deadline": deadline}).status_code == 302
    # the county sees it now, answers with an explanation and a file
    assert cl["county_liaison"].get(f"/cases/{c.pk}/").status_code == 200
    proof = io.BytesIO(b"%PDF-1.4 rebuilt house certificate")
    proof.name = "改造验收单.pdf"
    assert (
        post(cl["county_liaison"], c, "county_dispute", comment="已于1月完成改造", files=proof).status_code
        == 302
    )
    assert (
        post(
            cl["department_appraiser"],
            c,
            "department_opinion",
            decision="upheld",
            comment="住建部门鉴定：仍为C级",
        ).status_code
        == 302
    )
    assert post(cl["expert_panel"], c, "panel_uphold", comment="证据充分").status_code == 302
    assert post(cl["working_group"], c, "confirm").status_code == 302
    c.refresh_from_db()
    assert c.state == State.CONFIRMED and c.evidence_count == 2 and c.version == 7

    trail = list(
        AuditEntry.objects.filter(subject=f"case:{c.pk}").order_by("seq").values_list("action", "role")
    )
    assert trail == [
        ("initial_check", "checker"),
        ("review", "lead_expert"),
        ("feed_back", "lead_expert"),
        ("county_dispute", "county_liaison"),
        ("department_opinion", "department_appraiser"),
        ("panel_uphold", "expert_panel"),
        ("confirm", "working_group"),
    ]
    assert check_database().ok

    assessment.refresh_from_db()
    after = indicators.final(assessment)
    w1 = after.data["indicators"]["wrongful_exit_rate"]["official"]
    assert w1 > w0 and w0 == 0.0
    html = cl["working_group"].get(f"/indicators/?county={assessment.pk}").content.decode()
    assert f"{w1 * 100:.2f}%" in html


def test_dismissal_with_reason_and_not_adopted(assessment, team, client_for):
    a, b = cases_of(assessment, 2)
    r = post(client_for(team["checker"]), a, "dismiss", reason="no_problem", comment="已改造")
    assert r.status_code == 302
    a.refresh_from_db()
    assert (a.state, a.dismiss_reason, a.outcome) == (State.DISMISSED, "no_problem", "dismissed")
    b = advance(b, team, State.FINAL_REVIEW)
    r = post(
        client_for(team["working_group"]), b, "dismiss", reason="insufficient_evidence", comment="证据不充分"
    )
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.dismiss_reason == "insufficient_evidence" and b.outcome == "dismissed"
    html = client_for(team["working_group"]).get(f"/cases/{b.pk}/").content.decode()
    assert "证据不充分，不予采信" in html


def test_county_cannot_answer_after_the_deadline(assessment, team, client_for):
    from povexit.server import actions

    c = advance(cases_of(assessment, 1)[0], team, State.REVIEWED)
    actions.do_transition(
        team["lead_expert"],
        c.pk,
        "feed_back",
        version=c.version,
        deadline=timezone.now() + dt.timedelta(hours=1),
        now=timezone.now(),
    )
    c.refresh_from_db()
    Case.objects.filter(pk=c.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))  # time passes
    r = post(client_for(team["county_liaison"]), c, "county_agree")
    assert r.status_code == 400 and "PVX-V06" in r.content.decode()
    r = post(client_for(team["lead_expert"]), c, "no_answer")
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.state == State.PANEL_REVIEW


def test_feedback_list_export_masks_for_the_county_office(assessment, team, client_for):
    cs = [advance(c, team, State.FED_BACK) for c in cases_of(assessment, 2)]
    for role, masked in (("lead_expert", False), ("county_liaison", False), ("office_admin", True)):
        r = client_for(team[role]).get(f"/feedback/export.xlsx?county={assessment.pk}")
        assert r.status_code == 200
        ws = load_workbook(io.BytesIO(r.content)).active
        assert ws["A1"].value.startswith("疑似错退") and ws["E2"].value == "户编号"
        rows = list(ws.iter_rows(min_row=3, values_only=True))
        assert {row[4] for row in rows} >= {c.household_code for c in cs}
        for row in rows:
            h = Case.objects.get(county=assessment, household_code=row[4]).household
            if h.head_id_number:
                assert (row[6] == h.head_id_number) != masked
            assert row[7] in ("疑似错退", "疑似漏评") and row[10] == "已反馈（待县答复）"


def test_fieldwork_pages_show_targets_and_the_day(assessment, team, client_for):
    from povexit.server import progress

    cl = client_for(team["institution_lead"])
    # two interviewed households found in a census group, not listed in the sample (the loader marks
    # the households of the responses that the sample does not list with in_sample=False)
    for h in assessment.households.filter(interviewed_at__isnull=False, reserve=False)[:2]:
        h.in_sample = False
        h.save(update_fields=["in_sample"])
    rows = progress.by_county(team["institution_lead"])
    row = next(r for r in rows if r.key == assessment.pk)
    assert row.target == assessment.households.filter(reserve=False, in_sample=True).count()
    # done counts the sampled households (a reserve one in place of one not found included); the
    # households a census group turned up are counted beside them, so progress cannot pass 100%
    # because of the census
    assert row.done == assessment.households.filter(in_sample=True, interviewed_at__isnull=False).count()
    assert row.census == assessment.households.filter(in_sample=False, interviewed_at__isnull=False).count() == 2
    html = cl.get(f"/fieldwork/?county={assessment.pk}").content.decode()
    assert "普查户" in html and f'<td class="num">{row.census}</td>' in html
    day = Case.objects.filter(county=assessment).order_by("found_on").first().found_on
    html = cl.get(f"/fieldwork/daily/?county={assessment.pk}&date={day:%Y-%m-%d}").content.decode()
    for c in Case.objects.filter(county=assessment, found_on=day):
        assert c.case_id in html
    assert cl.get(f"/fieldwork/rejected/?county={assessment.pk}").status_code == 200


def test_english_interface_on_request(shared_team, client_for):
    team = shared_team[1]
    from django.conf import settings

    cl = client_for(team["lead_expert"])
    assert "案件" in cl.get("/cases/").content.decode()
    cl.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = cl.get("/cases/").content.decode()
    assert "Cases" in html and "案件" not in html


def test_indicator_reasons_follow_the_interface_language(shared_team, client_for):
    county, team = shared_team
    from django.conf import settings

    data = indicators.final(county).data
    assert data.get("reasons_en") and data.get("reasons_zh")
    cl = client_for(team["lead_expert"])
    zh_html = cl.get(f"/indicators/?county={county.pk}").content.decode()
    cl.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en_html = cl.get(f"/indicators/?county={county.pk}").content.decode()
    for zh, en in zip(data["reasons_zh"], data["reasons_en"], strict=True):
        zh, en = html.escape(zh), html.escape(en)  # as the template writes them
        assert zh in zh_html and en not in zh_html
        assert en in en_html and zh not in en_html
