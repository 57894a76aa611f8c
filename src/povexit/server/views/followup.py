"""After the assessment: the county's exit procedure (timeline, overview across counties) and the
rectification ledger (问题清单 upload/download, problems by status, 复核)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ... import errors as E
from ...verify.roles import Role, at_least
from .. import access, actions, ledger, procedure
from ..middleware import status_for
from ..models import LedgerUpload, Problem, ProcedureStep
from .common import lang, page, paginate, stored_file_response
from .pages import DECISIONS, _county


def _errors(err: E.PovexitError) -> list[dict]:
    return [d.to_dict(lang()) for d in err.diagnostics]


def _date(value: str | None) -> dt.date | None:
    from .. import followup_errors as EX

    if not value or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise E.PovexitError(EX.BAD_DATE(value=value)) from None


# ---- exit procedure ------------------------------------------------------------------------------


def _decision_view(county, viewer, steps) -> dict:
    """The assessment's decision as the procedure page shows it: to the team from the start, to the
    county once the provincial assessment is recorded (its result is then fed back)."""
    assessed = any(s.stage.code == "provincial_assessment" and s.status == "done" for s in steps)
    if viewer.role == Role.COUNTY_LIAISON and not assessed:
        return {"code": None}
    code = actions.county_decision(county)
    zh = lang() == "zh"
    outstanding, total = actions.recheck_outstanding(county)
    return {
        "code": code,
        "label": DECISIONS.get(code, (code, code))[0 if zh else 1] if code else "—",
        "recheck_required": code == "rectify",
        "outstanding": outstanding,
        "total": total,
    }


def _procedure_context(request, county) -> dict:
    v = request.viewer
    cal = procedure.calendar_from_settings()
    rows = {s.stage: s for s in ProcedureStep.objects.filter(county=county).prefetch_related("files")}
    recorded = {
        code: procedure.Recorded(code, s.done_on, s.started_on, s.doc_ref, s.not_drawn)
        for code, s in rows.items()
    }
    rectify_due = Problem.objects.filter(county=county, dismissed=False).aggregate(m=Max("deadline"))["m"]
    today = timezone.localdate()
    steps = procedure.timeline(recorded, cal, today, rectify_due=rectify_due, lang=lang())
    decision = _decision_view(county, v, steps)
    zh = lang() == "zh"
    items = []
    for st in steps:
        row = rows.get(st.stage.code)
        items.append(
            {
                "s": st,
                "label": st.stage.label(lang()),
                "seed": st.stage.seed_en if not zh else st.stage.seed_zh,
                "row": row,
                "files": list(row.files.all()) if row else [],
                "can_record": access.may_record(v.role, st.stage.code),
                # a document without recording the stage: the county's 公示 evidence
                "can_file": v.role in st.stage.file_roles
                and access.may_record(v.role, st.stage.code, file_only=True),
                "needs_start": st.stage.needs_start,
                "earliest_end": (
                    cal.nth_working_day(row.started_on, procedure.PUBLICITY_MIN_WORKING_DAYS)
                    if st.stage.code == "publicity" and row and row.started_on
                    else None
                ),
                "recheck_gate": st.stage.code == "rectify" and decision.get("recheck_required"),
            }
        )
    return {
        "county": county,
        "steps": items,
        "decision": decision,
        "today": today,
        "show_overview": access.may_open(v.role, "procedure_overview"),
        "show_rectification": access.may_open(v.role, "rectification"),
    }


@page("procedure")
def procedure_page(request):
    county, counties = _county(request, "procedure")
    if county is None:
        return render(request, "server/procedure.html", {"counties": counties, "county": None})
    ctx = _procedure_context(request, county) | {"counties": counties}
    return render(request, "server/procedure.html", ctx)


@page("procedure")
def procedure_record(request, county: int, stage: str):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    c = access.access_county(request.user, county, "procedure")
    p = request.POST
    label = procedure.BY_CODE[stage].label(lang()) if stage in procedure.BY_CODE else stage
    try:
        if p.get("mode") == "file":
            actions.do_add_stage_file(
                request.user, c, stage, files=request.FILES.getlist("files"), note=p.get("note", "")
            )
            messages.success(request, _("Document added to “%(stage)s”.") % {"stage": label})
        else:
            version = int(p["version"]) if p.get("version", "").isdigit() else None
            actions.do_record_stage(
                request.user,
                c,
                stage,
                done_on=_date(p.get("done_on")),
                started_on=_date(p.get("started_on")),
                doc_ref=p.get("doc_ref", ""),
                note=p.get("note", ""),
                not_drawn=bool(p.get("not_drawn")),
                version=version,
                files=request.FILES.getlist("files"),
            )
            messages.success(request, _("Recorded: “%(stage)s”.") % {"stage": label})
    except E.PovexitError as err:
        status = status_for(err)
        if status == 403:
            raise
        counties = list(access.access_counties(request.user).order_by("name"))
        ctx = _procedure_context(request, c) | {
            "counties": counties,
            "errors": _errors(err),
            "posted": p,
            "posted_stage": stage,
        }
        return render(request, "server/procedure.html", ctx, status=status)
    return redirect(f"/procedure/?county={c.pk}#stage-{stage}")


@page("procedure")
def stage_file(request, pk: int):
    f = access.access_stage_file(request.user, pk)
    return stored_file_response(f.sha256, f.name, f.content_type)


@page("procedure_overview")
def procedure_overview(request):
    cal = procedure.calendar_from_settings()
    today = timezone.localdate()
    counties = list(access.access_counties(request.user).order_by("name"))
    steps = {}
    for s in ProcedureStep.objects.filter(county__in=counties):
        steps.setdefault(s.county_id, {})[s.stage] = s
    live = Q(dismissed=False)
    pstats = {
        r["county_id"]: r
        for r in Problem.objects.filter(county__in=counties)
        .values("county_id")
        .annotate(
            n_total=Count("id", filter=live),
            n_closed=Count("id", filter=live & Q(closed=True)),
            n_overdue=Count("id", filter=ledger.status_q("overdue", today)),
            n_rechecked=Count("id", filter=live & Q(recheck="passed")),
            max_due=Max("deadline", filter=live),
        )
    }
    rows = []
    for c in counties:
        rec = {
            code: procedure.Recorded(code, s.done_on, s.started_on, s.doc_ref, s.not_drawn)
            for code, s in steps.get(c.pk, {}).items()
        }
        ps = pstats.get(c.pk, {})
        tl = procedure.timeline(rec, cal, today, rectify_due=ps.get("max_due"), lang=lang())
        current = next((s for s in tl if s.status == "current"), None)
        rows.append(
            {
                "c": c,
                "cells": [{"s": s, "row": steps.get(c.pk, {}).get(s.stage.code)} for s in tl],
                "current": current,
                "current_label": current.stage.label(lang()) if current else "",
                "p": ps,
            }
        )
    return render(
        request,
        "server/procedure_overview.html",
        {
            "rows": rows,
            "stages": [s.label(lang()) for s in procedure.STAGES],
            "today": today,
        },
    )


# ---- rectification ledger -------------------------------------------------------------------------


def _status_label(code: str) -> str:
    return (ledger.STATUS_EN if lang() == "en" else ledger.STATUS_ZH)[code]


def _recheck_label(code: str) -> str:
    return (ledger.RECHECK_EN if lang() == "en" else ledger.RECHECK_ZH).get(code, code)


def _rectification_context(request, county) -> dict:
    v = request.viewer
    today = timezone.localdate()
    qs = access.access_problems(request.user, county)
    counts = {s: qs.filter(ledger.status_q(s, today)).count() for s in ledger.STATUSES}
    status = request.GET.get("status", "")
    shown = qs.filter(ledger.status_q(status, today)) if status in ledger.STATUSES else qs
    pg = paginate(request, shown.order_by("no", "id"), 50)
    can_recheck = v.role in access.RECHECK_PROBLEMS
    rows = [
        {
            "p": p,
            "status": ledger.status_of(p, today),
            "status_label": _status_label(ledger.status_of(p, today)),
            "recheck_label": _recheck_label(p.recheck),
            "can_recheck": can_recheck and bool(p.result) and not p.dismissed and p.recheck != "passed",
        }
        for p in pg.object_list
    ]
    return {
        "county": county,
        "tabs": [{"code": s, "label": _status_label(s), "n": counts[s]} for s in ledger.STATUSES],
        "total": sum(counts.values()),
        "status": status,
        "page_obj": pg,
        "rows": rows,
        "query": f"county={county.pk}" + (f"&status={status}" if status else ""),
        "can_issue": v.role in access.ISSUE_PROBLEMS,
        "can_answer": v.role in access.ANSWER_PROBLEMS,
        "uploads": list(LedgerUpload.objects.filter(county=county)[:10]),
        "decision": actions.county_decision(county) if at_least(v.role, Role.AUDITOR) else None,
    }


@page("rectification")
def rectification(request):
    county, counties = _county(request, "rectification")
    if county is None:
        return render(request, "server/rectification.html", {"counties": counties, "county": None})
    ctx = _rectification_context(request, county) | {"counties": counties}
    return render(request, "server/rectification.html", ctx)


def _rectification_error(request, county, err: E.PovexitError):
    """The ledger page again with the errors of a failed upload, issue or re-check (a refusal by the
    permission checks is re-raised: it answers 403, not the page)."""
    status = status_for(err)
    if status == 403:
        raise err
    ctx = _rectification_context(request, county) | {
        "counties": list(access.access_counties(request.user).order_by("name")),
        "errors": _errors(err),
    }
    return render(request, "server/rectification.html", ctx, status=status)


@page("rectification")
def rectification_upload(request, county: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    c = access.access_county(request.user, county, "rectification")
    kind = request.POST.get("kind", "")
    f = request.FILES.get("file")
    try:
        if kind not in ("issue", "answer"):
            raise Http404
        if kind == "issue":
            access.access_issue_problems(request.user, c)
        else:
            access.access_answer_problems(request.user, c)
        if f is None:
            from .. import followup_errors as EX

            raise E.PovexitError(EX.XLSX_UNREADABLE(file="—", value=_("no file")))
        res = actions.do_import_problems(request.user, c, f.name, f.read(), kind=kind)
    except E.PovexitError as err:
        return _rectification_error(request, c, err)
    if kind == "issue":
        msg = _("Problem list issued: %(new)d new problems, %(kept)d already on the ledger.") % {
            "new": res.created,
            "kept": res.unchanged,
        }
    else:
        msg = _("Rectification uploaded: %(changed)d problems updated, %(same)d unchanged.") % {
            "changed": res.changed,
            "same": res.unchanged,
        }
    messages.success(request, msg)
    return redirect(f"/rectification/?county={c.pk}")


@page("rectification")
def rectification_issue_generated(request, county: int):
    """从评估结果生成问题清单: the server builds the list from the assessment's work directory."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    c = access.access_county(request.user, county, "rectification")
    try:
        access.access_issue_problems(request.user, c)
        res = actions.do_issue_problems_from_assessment(
            request.user, c, deadline=_date(request.POST.get("deadline"))
        )
    except E.PovexitError as err:
        return _rectification_error(request, c, err)
    if res.upload is None:
        msg = _("Nothing new: all %(kept)d problems of the assessment are already on the ledger.") % {
            "kept": res.unchanged
        }
    else:
        msg = _("Problem list issued: %(new)d new problems, %(kept)d already on the ledger.") % {
            "new": res.created,
            "kept": res.unchanged,
        }
    messages.success(request, msg)
    return redirect(f"/rectification/?county={c.pk}")


@page("rectification")
def rectification_export(request, county: int):
    c = access.access_county(request.user, county, "rectification")
    problems = access.access_problems(request.user, c).order_by("no", "id")
    body = ledger.workbook(c.name, list(problems), lang())
    resp = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = 'attachment; filename="problem-list.xlsx"'
    return resp


@page("rectification")
def problem_recheck(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    p = request.POST
    version = int(p["version"]) if p.get("version", "").isdigit() else None
    try:
        prob = actions.do_recheck(
            request.user, pk, p.get("result", ""), comment=p.get("comment", ""), version=version
        )
    except E.PovexitError as err:
        return _rectification_error(request, Problem.objects.select_related("county").get(pk=pk).county, err)
    messages.success(request, _("Re-check recorded: %(result)s.") % {"result": _recheck_label(prob.recheck)})
    return redirect(f"/rectification/?county={prob.county_id}&status=answered")


__all__ = [
    "problem_recheck",
    "procedure_overview",
    "procedure_page",
    "procedure_record",
    "rectification",
    "rectification_export",
    "rectification_issue_generated",
    "rectification_upload",
    "stage_file",
]
