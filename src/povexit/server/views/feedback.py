"""The feedback-meeting list, bulk feedback to the county with a deadline, and the .xlsx export."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ... import errors as E
from ...verify.machine import State
from ...verify.roles import Role
from .. import access, actions, exports
from .cases import parse_deadline, row_view
from .common import lang, page


def _cases(request):
    qs = access.access_cases(request.user)
    county = request.GET.get("county", "")
    if county.isdigit():
        qs = qs.filter(county_id=int(county))
    return qs


@page("feedback")
def feedback(request):
    v = request.viewer
    if request.method == "POST":
        access.access_feed_back(request.user)
        deadline = parse_deadline(request.POST.get("deadline"))
        pks = [int(x) for x in request.POST.getlist("case") if x.isdigit()]
        if not pks:
            messages.error(request, _("Select the cases to feed back."))
            return redirect(request.get_full_path())
        try:
            done, skipped = actions.do_feed_back_many(
                request.user, pks, deadline=deadline, comment=request.POST.get("comment", "")
            )
        except E.PovexitError as err:
            messages.error(request, err.diagnostics[0].message(lang()))
            return redirect(request.get_full_path())
        messages.success(request, _("%(n)d case(s) fed back to the county.") % {"n": len(done)})
        for cid, msg in skipped[:10]:
            messages.warning(request, f"{cid}: {msg}")
        return redirect(request.get_full_path())
    cases = list(exports.feedback_cases(_cases(request)))
    to_feed = [row_view(request, c) for c in cases if c.state == State.REVIEWED]
    released = [row_view(request, c) for c in cases if c.state != State.REVIEWED]
    return render(
        request,
        "server/feedback.html",
        {
            "to_feed": to_feed,
            "released": released,
            "can_feed": v.role == Role.LEAD_EXPERT,
            "counties": access.access_counties(request.user).order_by("name"),
            "g": request.GET,
            "default_deadline": (timezone.localtime() + dt.timedelta(days=1))
            .replace(hour=18, minute=0)
            .strftime("%Y-%m-%dT%H:%M"),
            "n_wrongful": sum(1 for c in cases if c.kind == "wrongful_exit"),
            "n_missed": sum(1 for c in cases if c.kind == "missed"),
        },
    )


@page("feedback")
def feedback_export(request):
    cases = exports.feedback_cases(_cases(request))
    rows = exports.feedback_rows(cases, show_personal=access.sees_personal_data(request.user), lang=lang())
    data = exports.feedback_workbook(rows, lang=lang())
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    resp["Content-Disposition"] = f'attachment; filename="feedback-{stamp}.xlsx"'
    return resp
