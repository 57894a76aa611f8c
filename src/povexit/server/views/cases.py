"""Case list, case detail with the step forms, the step itself, evidence downloads."""

from __future__ import annotations

import contextlib
import datetime as dt
import json

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ... import errors as E
from ...verify import machine
from ...verify.machine import RELEASED, Action, State
from .. import access, actions
from ..middleware import status_for
from ..models import AuditEntry
from .common import (
    KIND_LABELS,
    STATE_CLASS,
    action_label,
    page,
    paginate,
    reason_label,
    role_name,
    state_label,
    stored_file_response,
)

FILTERS = ("county", "state", "kind", "outcome", "q", "rule", "team", "found_on", "village")


def filtered_cases(request):
    qs = access.access_cases(request.user)
    g = request.GET
    if g.get("county"):
        qs = qs.filter(county_id=g["county"]) if g["county"].isdigit() else qs.none()
    if g.get("state") in {s.value for s in State}:
        qs = qs.filter(state=g["state"])
    if g.get("mine"):
        role = access.viewer(request.user).role
        qs = qs.filter(state__in=[r.source.value for r in machine.RULES if r.role == role])
    if g.get("kind") in ("wrongful_exit", "missed"):
        qs = qs.filter(kind=g["kind"])
    outcome = g.get("outcome")
    if outcome == "confirmed":
        qs = qs.filter(state=State.CONFIRMED)
    elif outcome == "dismissed":
        qs = qs.filter(state=State.DISMISSED)
    elif outcome == "pending":
        qs = qs.exclude(state__in=[State.CONFIRMED, State.DISMISSED])
    elif outcome == "counted":  # what provisional figures count: everything not dismissed
        qs = qs.exclude(state=State.DISMISSED)
    if g.get("q"):
        q = g["q"].strip()
        qs = qs.filter(Q(case_id__icontains=q) | Q(household_code__icontains=q))
    if g.get("rule"):
        qs = qs.filter(rules__contains=g["rule"])
    if g.get("team"):
        qs = qs.filter(team=g["team"])
    if g.get("village", "").isdigit():
        qs = qs.filter(household__village_id=int(g["village"]))
    if g.get("found_on"):
        try:
            qs = qs.filter(found_on=dt.date.fromisoformat(g["found_on"]))
        except ValueError:
            qs = qs.none()
    return qs


def row_view(request, c) -> dict:
    h = c.household
    return {
        "c": c,
        "state_label": state_label(c.state),
        "state_class": STATE_CLASS[c.state],
        "kind_label": KIND_LABELS.get(c.kind, c.kind),
        "head": access.show_name(request.user, h.head_name) if h else "",
        "village": f"{h.village.township} {h.village.name}" if h else "",
    }


@page("cases")
def case_list(request):
    qs = (
        filtered_cases(request)
        .select_related("county", "household__village")
        .defer("evidence")
        .order_by("id")
    )
    pg = paginate(request, qs)
    rows = [row_view(request, c) for c in pg.object_list]
    counties = access.access_counties(request.user).order_by("name")
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "server/case_list.html",
        {
            "page_obj": pg,
            "rows": rows,
            "counties": counties,
            "g": request.GET,
            "states": [(s.value, state_label(s)) for s in State],
            "query": params.urlencode(),
            "kinds": list(KIND_LABELS.items()),
        },
    )


def _timeline(case) -> list[dict]:
    out = []
    for e in AuditEntry.objects.filter(subject=f"case:{case.pk}").order_by("seq"):
        d = json.loads(e.data)
        if d.get("deadline"):
            with contextlib.suppress(ValueError):
                d["deadline"] = timezone.localtime(dt.datetime.fromisoformat(d["deadline"])).strftime(
                    "%Y-%m-%d %H:%M"
                )
        out.append(
            {
                "e": e,
                "at": e.at_time,
                "action": action_label(e.action) if e.action in {a.value for a in Action} else e.action,
                "role": role_name(e.role),
                "d": d,
                "reason": reason_label(d.get("reason") or ""),
                "decision": d.get("decision"),
            }
        )
    return out


def _forms(request, case) -> list[dict]:
    v = access.viewer(request.user)
    mc = actions._as_machine(case)
    now = timezone.now()
    forms = []
    for a in machine.available_actions(mc, v.role, now):
        rule = next((r for r in machine.RULES if r.action == a and r.source == mc.state), None)
        forms.append(
            {
                "action": a.value,
                "label": action_label(a),
                "needs_comment": a == Action.DISMISS or (rule is not None and rule.needs_comment),
                "needs_files": rule is not None and rule.needs_evidence,
                "files_optional": a
                in (Action.REVIEW, Action.DEPARTMENT_OPINION, Action.PANEL_UPHOLD, Action.DISMISS),
                "deadline": a == Action.FEED_BACK,
                "department": a == Action.DEPARTMENT_OPINION,
                "dismiss": a == Action.DISMISS,
                "danger": a == Action.DISMISS,
            }
        )
    return forms


def _detail_context(request, case) -> dict:
    h = case.household
    try:
        evidence = json.loads(case.evidence) if case.evidence else {}
    except ValueError:
        evidence = {"raw": case.evidence}
    return {
        "case": case,
        "h": h,
        "row": row_view(request, case),
        "head_id": access.show_id(request.user, h.head_id_number) if h else "",
        "evidence": json.dumps(evidence, ensure_ascii=False, indent=1),
        "attachments": case.attachments.order_by("id"),
        "timeline": _timeline(case),
        "forms": _forms(request, case),
        "reasons": [(r.value, reason_label(r.value)) for r in machine.DismissReason],
        "released": State(case.state) in RELEASED,
        "now": timezone.localtime(),
        "default_deadline": (timezone.localtime() + dt.timedelta(days=1))
        .replace(hour=18, minute=0)
        .strftime("%Y-%m-%dT%H:%M"),
        "dismiss_reason_label": reason_label(case.dismiss_reason),
        "department_label": {"upheld": _("Problem upheld"), "not_upheld": _("Problem not upheld")}.get(
            case.department_opinion, ""
        ),
    }


@page("cases")
def case_detail(request, pk: int):
    case = access.access_case(request.user, pk)
    return render(request, "server/case_detail.html", _detail_context(request, case))


def parse_deadline(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        d = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return timezone.make_aware(d) if timezone.is_naive(d) else d


@page("cases")
def case_act(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    p = request.POST
    try:
        version = int(p.get("version", ""))
    except ValueError:
        version = None
    try:
        case = actions.do_transition(
            request.user,
            pk,
            p.get("action", ""),
            version=version,
            decision=p.get("decision", ""),
            comment=p.get("comment", ""),
            files=request.FILES.getlist("files"),
            deadline=parse_deadline(p.get("deadline")),
            reason=p.get("reason") or None,
        )
    except E.PovexitError as err:
        case = access.access_case(request.user, pk)
        ctx = _detail_context(request, case)
        ctx["errors"] = [
            d.to_dict("en" if request.LANGUAGE_CODE.startswith("en") else "zh") for d in err.diagnostics
        ]
        ctx["posted"] = p
        return render(request, "server/case_detail.html", ctx, status=status_for(err))
    messages.success(
        request,
        _("Recorded: %(action)s — case now “%(state)s”.")
        % {"action": action_label(p.get("action")), "state": state_label(case.state)},
    )
    if access.access_cases(request.user).filter(pk=pk).exists():
        return redirect("case_detail", pk=pk)
    return redirect("case_list")


@page("cases")
def attachment_download(request, pk: int):
    att = access.access_attachment(request.user, pk)
    return stored_file_response(att.sha256, att.name, att.content_type)
