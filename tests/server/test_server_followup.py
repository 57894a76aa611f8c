"""After the assessment: the exit procedure (stage order, 公示 ≥ 5 working days, the re-check a
'rectify' decision requires) and the rectification ledger (问题清单 round trip through .xlsx, atomic
refusal of a bad upload with sheet/row/column/value, 复核), all in the audit chain."""

from __future__ import annotations

import datetime as dt

import pytest
from server_helpers import fill_problem_list, problem_list_bytes

from povexit import errors as E
from povexit.server import actions, procedure
from povexit.server.audit_check import check_database
from povexit.server.models import AuditEntry, FinalEstimate, LedgerUpload, Problem, ProcedureStep

D = dt.date


# ---- working days (pure) -------------------------------------------------------------------------


def test_working_days_monday_to_friday_minus_holidays():
    cal = procedure.Calendar()
    assert cal.working_days(D(2019, 4, 1), D(2019, 4, 5)) == 5  # Mon–Fri, both ends included
    assert cal.working_days(D(2019, 4, 5), D(2019, 4, 8)) == 2  # Fri, (weekend), Mon
    assert cal.nth_working_day(D(2019, 4, 6), 1) == D(2019, 4, 8)  # a Saturday start counts from Monday
    assert procedure.publicity_problem(D(2019, 4, 1), D(2019, 4, 5), cal) is None
    assert procedure.publicity_problem(D(2019, 4, 1), D(2019, 4, 4), cal) == (4, D(2019, 4, 5))
    # 清明 2019-04-05 is a holiday: the notice must run to Monday the 8th
    qm = procedure.Calendar(holidays=frozenset({D(2019, 4, 5)}))
    assert procedure.publicity_problem(D(2019, 4, 1), D(2019, 4, 5), qm) == (4, D(2019, 4, 8))
    # a make-up working Sunday (调休) counts
    tx = procedure.Calendar(workdays=frozenset({D(2019, 4, 28)}))
    assert tx.working_days(D(2019, 4, 26), D(2019, 4, 29)) == 3


def test_calendar_yaml(tmp_path):
    f = tmp_path / "cal.yaml"
    f.write_text(
        "holidays: [2019-05-01, 2019-05-02]\nworkdays: ['2019-04-28']\ndue:\n  publicity: 2019-04-30\n",
        encoding="utf-8",
    )
    cal = procedure.load_calendar(file=f, holidays=["2019-05-03"])
    assert not cal.is_working_day(D(2019, 5, 1)) and not cal.is_working_day(D(2019, 5, 3))
    assert cal.is_working_day(D(2019, 4, 28)) and cal.due["publicity"] == D(2019, 4, 30)
    f.write_text("due:\n  nonsense: 2019-01-01\n", encoding="utf-8")
    with pytest.raises(ValueError, match="nonsense"):
        procedure.load_calendar(file=f)


def test_timeline_current_next_and_due():
    rec = {
        "county_apply": procedure.Recorded("county_apply", D(2018, 11, 8)),
        "city_review": procedure.Recorded("city_review", D(2018, 12, 20)),
    }
    cal = procedure.Calendar(due={"select": D(2019, 1, 20)})
    tl = procedure.timeline(rec, cal, D(2019, 1, 25))
    assert [s.status for s in tl[:5]] == ["done", "done", "current", "next", "later"]
    assert tl[2].due == D(2019, 1, 20) and tl[2].overdue
    rec["publicity"] = procedure.Recorded("publicity", None, started_on=D(2019, 4, 19))
    assert procedure.due_for("publicity", rec, cal)[0] == D(2019, 4, 25)


# ---- the procedure through the actions -----------------------------------------------------------


def decide(county, decision: str) -> None:
    """Fix the county's final decision (the indicator cache the server reads)."""
    county.refresh_from_db()
    FinalEstimate.objects.update_or_create(
        county=county,
        outcome_version=county.outcome_version,
        defaults={"computed_at": dt.datetime.now(dt.UTC), "source": "test", "data": {"decision": decision}},
    )


PLAN = [  # stage, recorder, (started_on, done_on)
    ("county_apply", "county_liaison", (None, D(2018, 11, 8))),
    ("city_review", "working_group", (None, D(2018, 12, 20))),
    ("select", "office_admin", (None, D(2019, 1, 15))),
    ("provincial_assessment", "institution_lead", (D(2019, 2, 12), D(2019, 3, 10))),
    ("rectify", "working_group", (None, D(2019, 4, 12))),
]


def record_until(county, team, last: str) -> None:
    for stage, role, (start, done) in PLAN:
        actions.do_record_stage(
            team[role], county, stage, started_on=start, done_on=done, doc_ref=f"{stage}〔2019〕1号"
        )
        if stage == last:
            return


def test_stage_order_dates_and_publicity(assessment, team):
    decide(assessment, "pass")
    wg = team["working_group"]
    with pytest.raises(E.PovexitError) as e:
        actions.do_record_stage(wg, assessment, "city_review", done_on=D(2018, 12, 20), doc_ref="x")
    assert e.value.diagnostics[0].code == "PVX-X02" and "县级自评申请" in e.value.diagnostics[0].message("zh")
    with pytest.raises(E.PovexitError) as e:
        actions.do_record_stage(team["county_liaison"], assessment, "county_apply", done_on=D(2018, 11, 8))
    assert e.value.diagnostics[0].code == "PVX-X05" and "文号" in e.value.diagnostics[0].message("zh")
    actions.do_record_stage(
        team["county_liaison"], assessment, "county_apply", done_on=D(2018, 11, 8), doc_ref="县〔2018〕1号"
    )
    with pytest.raises(E.PovexitError) as e:  # before the application
        actions.do_record_stage(
            wg, assessment, "city_review", done_on=D(2018, 11, 1), doc_ref="市〔2018〕9号"
        )
    assert e.value.diagnostics[0].code == "PVX-X03"
    step = actions.do_record_stage(
        wg, assessment, "city_review", done_on=D(2018, 12, 20), doc_ref="市〔2018〕9号"
    )
    corrected = actions.do_record_stage(
        wg, assessment, "city_review", done_on=D(2018, 12, 21), doc_ref="市〔2018〕10号", version=step.version
    )
    assert corrected.version == 2
    last = AuditEntry.objects.filter(county=assessment.name).order_by("-seq").first()
    assert last.action == "procedure_record" and "市〔2018〕9号" in last.data  # the correction keeps the old


def test_publicity_needs_five_working_days(assessment, team):
    decide(assessment, "pass")
    record_until(assessment, team, "rectify")
    wg = team["working_group"]
    n_audit = AuditEntry.objects.count()
    with pytest.raises(E.PovexitError) as e:  # Fri 19 April to Wed 24 April: 4 working days
        actions.do_record_stage(
            wg, assessment, "publicity", started_on=D(2019, 4, 19), done_on=D(2019, 4, 24), doc_ref="公示"
        )
    d = e.value.diagnostics[0]
    assert d.code == "PVX-X04" and "4 个工作日" in d.message("zh") and "2019-04-25" in d.message("zh")
    assert "at least 5 working days" in d.message("en")
    assert (
        AuditEntry.objects.count() == n_audit
        and not ProcedureStep.objects.filter(
            county=assessment, stage="publicity", done_on__isnull=False
        ).exists()
    )
    step = actions.do_record_stage(
        wg,
        assessment,
        "publicity",
        started_on=D(2019, 4, 19),
        done_on=D(2019, 4, 25),
        doc_ref="吉开发〔2019〕3号",
    )
    assert step.done_on == D(2019, 4, 25) and step.recorded_by == wg.username
    actions.do_record_stage(
        wg, assessment, "national_check", done_on=D(2019, 6, 1), doc_ref="", not_drawn=True
    )
    actions.do_record_stage(wg, assessment, "announce", done_on=D(2019, 7, 10), doc_ref="吉政〔2019〕8号")
    assert check_database().ok


def test_future_date_and_a_county_that_may_not_exit(assessment, team):
    decide(assessment, "fail")
    record_until(assessment, team, "rectify")
    with pytest.raises(E.PovexitError) as e:
        actions.do_record_stage(
            team["office_admin"],
            assessment,
            "publicity",
            started_on=D(2019, 4, 15),
            done_on=D(2019, 4, 30),
            doc_ref="x",
        )
    assert e.value.diagnostics[0].code == "PVX-X08"
    with pytest.raises(E.PovexitError) as e:
        actions.do_record_stage(
            team["office_admin"],
            assessment,
            "rectify",
            done_on=dt.date.today() + dt.timedelta(days=3),
            doc_ref="x",
        )
    assert e.value.diagnostics[0].code == "PVX-X21"


# ---- the rectification ledger --------------------------------------------------------------------


def test_xlsx_round_trip_statuses_recheck_and_required_step(assessment, team, client_for):
    # other tests in this process write audit entries for counties of the same name: count only ours
    first_seq = (AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    decide(assessment, "rectify")
    record_until(assessment, team, "provincial_assessment")
    issued = problem_list_bytes(assessment.name, deadline=D(2019, 4, 15))
    lead, county = client_for(team["lead_expert"]), client_for(team["county_liaison"])
    r = lead.post(
        f"/rectification/{assessment.pk}/upload/", {"kind": "issue", "file": _file("问题清单.xlsx", issued)}
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Problem.objects.filter(county=assessment).count() == 4
    assert Problem.objects.get(county=assessment, household_code="H0900").dismissed  # 不予采信: nothing to do

    # the county downloads the ledger (the report layer's workbook), fills it in, uploads it
    got = county.get(f"/rectification/{assessment.pk}/problem-list.xlsx")
    assert got.status_code == 200 and got.content[:2] == b"PK"
    filled = fill_problem_list(
        got.content,
        {
            "H0001": {
                "整改措施": "危房改造",
                "整改结果": "已改造为B级并入住",
                "是否销号": "是",
                "状态": "已整改",
            },
            "H0002": {"整改措施": "列入改造计划"},
            "三村": {"整改措施": "拓宽道路", "整改结果": "已拓宽至4.5米", "责任单位": "三村村委会、县交通局"},
        },
    )
    r = county.post(
        f"/rectification/{assessment.pk}/upload/", {"kind": "answer", "file": _file("整改.xlsx", filled)}
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    p1, p2, p3 = (
        Problem.objects.get(county=assessment, key=k)
        for k in ("H0001|housing.unsafe", "H0002|housing.unsafe", "一镇/三村|infra.road_width")
    )
    assert p1.closed and p1.closed_by == team["county_liaison"].username and p1.result.startswith("已改造")
    assert p2.measure == "列入改造计划" and not p2.result
    assert p3.responsible == "三村村委会、县交通局"
    today = dt.date(2019, 4, 16)  # after the deadline
    from povexit.server.ledger import status_of

    assert [status_of(p, today) for p in (p1, p2, p3)] == ["closed", "overdue", "answered"]
    html = county.get(f"/rectification/?county={assessment.pk}&status=answered").content.decode()
    assert "已拓宽至4.5米" in html and "已改造为B级" not in html

    # the rectification stage waits for the re-checks ('rectify' decision)
    with pytest.raises(E.PovexitError) as e:
        actions.do_record_stage(
            team["working_group"], assessment, "rectify", done_on=D(2019, 4, 12), doc_ref="x"
        )
    assert e.value.diagnostics[0].code == "PVX-X07" and "3 个问题" in e.value.diagnostics[0].message("zh")
    page = client_for(team["working_group"]).get(f"/procedure/?county={assessment.pk}").content.decode()
    assert "复核" in page and "3" in page

    # 复核: a failure reopens the problem with the comment; the county answers again; passes close
    checker = client_for(team["checker"])
    r = checker.post(f"/rectification/problems/{p3.pk}/recheck/", {"result": "failed", "comment": ""})
    assert r.status_code == 400 and "PVX-X19" in r.content.decode()
    r = checker.post(
        f"/rectification/problems/{p3.pk}/recheck/",
        {"result": "failed", "comment": "实测宽度3.2米", "version": p3.version},
    )
    assert r.status_code == 302
    p3.refresh_from_db()
    assert p3.recheck == "failed" and not p3.closed and status_of(p3, today) == "overdue"
    again = fill_problem_list(filled, {"三村": {"整改结果": "已拓宽至4.6米，县交通局验收"}})
    county.post(
        f"/rectification/{assessment.pk}/upload/", {"kind": "answer", "file": _file("整改2.xlsx", again)}
    )
    p3.refresh_from_db()
    assert p3.recheck == "" and status_of(p3, today) == "answered"
    with pytest.raises(E.PovexitError) as e:  # no result yet
        actions.do_recheck(team["lead_expert"], p2.pk, "passed")
    assert e.value.diagnostics[0].code == "PVX-X18"
    county.post(
        f"/rectification/{assessment.pk}/upload/",
        {
            "kind": "answer",
            "file": _file("整改3.xlsx", fill_problem_list(again, {"H0002": {"整改结果": "已改造"}})),
        },
    )
    for p in (p1, p2, p3):
        actions.do_recheck(team["lead_expert"], p.pk, "passed", comment="实地复核")
    p2.refresh_from_db()
    assert p2.closed and p2.closed_by == team["lead_expert"].username
    actions.do_record_stage(
        team["working_group"], assessment, "rectify", done_on=D(2019, 4, 12), doc_ref="整改〔2019〕2号"
    )

    # everything is in the chain, the uploaded workbooks are stored and hash-checked
    assert LedgerUpload.objects.filter(county=assessment).count() == 4
    acts = list(AuditEntry.objects.filter(county=assessment.name, seq__gte=first_seq).values_list("action", flat=True))
    assert acts.count("problem_answer") >= 5 and acts.count("problem_recheck") == 4
    assert "problems_issue" in acts and "procedure_record" in acts
    report = check_database()
    assert report.ok, [d.message("en") for d in report.problems]


def test_bad_upload_changes_nothing_and_names_each_cell(assessment, team, client_for):
    actions.do_import_problems(
        team["lead_expert"], assessment, "问题清单.xlsx", problem_list_bytes(assessment.name), kind="issue"
    )
    before = list(Problem.objects.filter(county=assessment).order_by("id").values())
    n_audit, n_up = AuditEntry.objects.count(), LedgerUpload.objects.count()
    bad = fill_problem_list(
        problem_list_bytes(assessment.name),
        {
            "H0001": {"整改措施": "危房改造", "整改结果": "已改造"},  # fine on its own
            "H0002": {"户编号": "H7777"},  # not on the list
            "三村": {"完成时限": "下个月"},  # not a date
        },
    )
    r = client_for(team["county_liaison"]).post(
        f"/rectification/{assessment.pk}/upload/", {"kind": "answer", "file": _file("坏.xlsx", bad)}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "PVX-X14" in html and "工作表“问题清单”第 5 行“完成时限”列：“下个月”" in html
    with pytest.raises(E.PovexitError) as e:  # the date fixed, the unknown household remains
        actions.do_import_problems(
            team["county_liaison"],
            assessment,
            "坏.xlsx",
            fill_problem_list(bad, {"三村": {"完成时限": D(2019, 4, 15)}}),
            kind="answer",
        )
    d = e.value.diagnostics[0]
    assert d.code == "PVX-X13" and d.row == 4 and "H7777|housing.unsafe" in d.message("zh")
    assert list(Problem.objects.filter(county=assessment).order_by("id").values()) == before
    assert AuditEntry.objects.count() == n_audit and LedgerUpload.objects.count() == n_up
    r = client_for(team["county_liaison"]).post(
        f"/rectification/{assessment.pk}/upload/", {"kind": "answer", "file": _file("x.xlsx", b"not a zip")}
    )
    assert r.status_code == 400 and "PVX-X10" in r.content.decode()
    from povexit.server import storage

    assert not list((storage.root() / "tmp").glob("upload-*"))


def _file(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


# ---- issuing the problem list from the assessment -------------------------------------------------


def test_issue_from_assessment_applies_outcomes_and_is_idempotent(assessment, team, client_for):
    from server_helpers import advance, cases_of

    from povexit.server.models import Case
    from povexit.verify.machine import Action, State

    dismissed, confirmed = cases_of(assessment, 2)
    actions.do_transition(
        team["checker"], dismissed.pk, Action.DISMISS, version=0, reason="no_problem", comment="已改造"
    )
    advance(confirmed, team, State.CONFIRMED)
    n_audit, n_up = AuditEntry.objects.count(), LedgerUpload.objects.count()

    lead = client_for(team["lead_expert"])
    page = lead.get(f"/rectification/?county={assessment.pk}").content.decode()
    assert "issue-from-assessment" in page and "从评估结果生成问题清单" in page
    url = f"/rectification/{assessment.pk}/issue-from-assessment/"
    r = lead.post(url, {"deadline": "2019-04-20"})
    assert r.status_code == 302, r.content.decode()[:2000]
    problems = Problem.objects.filter(county=assessment)
    n = problems.count()
    assert n > 0 and all(p.deadline == D(2019, 4, 20) for p in problems)
    assert LedgerUpload.objects.count() == n_up + 1 and AuditEntry.objects.count() == n_audit + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "problems_issue"
    import json

    src = json.loads(entry.data)["source"]
    assert src["from"] == "assessment" and src["workdir"] == assessment.assessment.workdir
    assert src["cases"]["dismissed"] == 1 and src["cases"]["confirmed"] == 1

    # the outcomes of verification: the dismissed case's problems are 不予采信, the confirmed 已确认
    d_rules = [r for r in dismissed.rules.replace("；", ";").replace(",", ";").split(";") if r.strip()]
    d_probs = problems.filter(household_code=dismissed.household_code, rule_id__in=d_rules)
    assert d_probs.exists() and all(p.dismissed and p.county_status == "不予采信" for p in d_probs)
    c_probs = problems.filter(household_code=confirmed.household_code)
    assert c_probs.exists() and all(not p.dismissed for p in c_probs)
    assert "已确认" in {p.county_status for p in c_probs}
    pending = Case.objects.filter(county=assessment, state=State.SUSPECTED).first()
    if pending is not None:
        assert "待核实" in set(
            problems.filter(household_code=pending.household_code).values_list("county_status", flat=True)
        )

    # issuing twice adds nothing: no problem, no stored workbook, no audit entry
    before = list(problems.order_by("id").values())
    r = lead.post(url, {})
    assert r.status_code == 302
    res = actions.do_issue_problems_from_assessment(team["office_admin"], assessment)
    assert res.created == 0 and res.upload is None and res.unchanged == n
    assert list(problems.order_by("id").values()) == before
    assert LedgerUpload.objects.count() == n_up + 1 and AuditEntry.objects.count() == n_audit + 1
    assert check_database().ok


def test_issue_from_assessment_when_the_workdir_is_gone(assessment, team, client_for):
    import shutil
    from pathlib import Path

    wd = Path(assessment.assessment.workdir)
    shutil.move(wd, wd.with_name("moved"))
    n_audit = AuditEntry.objects.count()
    r = client_for(team["institution_lead"]).post(f"/rectification/{assessment.pk}/issue-from-assessment/")
    assert r.status_code == 400
    html = r.content.decode()
    assert "PVX-X22" in html and str(wd) in html and "povexit server load" in html
    with pytest.raises(E.PovexitError) as e:
        actions.do_issue_problems_from_assessment(None, assessment)
    d = e.value.diagnostics[0]
    assert d.code == "PVX-X22" and "no longer exists" in d.message("en") and "reload" in d.spec.fix_en
    assert not Problem.objects.filter(county=assessment).exists() and AuditEntry.objects.count() == n_audit
    r = client_for(team["lead_expert"]).post(
        f"/rectification/{assessment.pk}/issue-from-assessment/", {"deadline": "next month"}
    )
    assert r.status_code == 400 and "PVX-X06" in r.content.decode()
