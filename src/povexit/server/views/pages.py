"""Overview, fieldwork progress, sample batches, indicators, audit log, users."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ... import errors as E
from ...verify.machine import State
from ...verify.roles import LADDER, Role
from .. import access, actions, charts, indicators, progress
from ..audit_check import check_database
from ..models import AuditEntry, Batch, County, Profile
from .common import KIND_LABELS, STATE_CLASS, action_label, lang, page, paginate, role_name, state_label


def _county(request, pagekey: str) -> tuple[County | None, list[County]]:
    counties = list(access.access_counties(request.user).order_by("name"))
    cid = request.GET.get("county", "")
    chosen = None
    if cid.isdigit():
        chosen = access.access_county(request.user, int(cid), pagekey)
    elif counties:
        chosen = counties[0]
    return chosen, counties


@page("dashboard")
def dashboard(request):
    counts = progress.state_counts(request.user)
    states = [
        {"code": s.value, "label": state_label(s), "n": counts.get(s.value, 0), "cls": STATE_CLASS[s.value]}
        for s in State
    ]
    v = request.viewer
    show_fieldwork = access.may_open(v.role, "fieldwork")
    return render(
        request,
        "server/dashboard.html",
        {
            "states": states,
            "total": sum(counts.values()),
            "tasks": progress.tasks_for(request.user),
            "fieldwork": progress.by_county(request.user) if show_fieldwork else None,
            "show_indicators": access.may_open(v.role, "indicators"),
            "counties": access.access_counties(request.user).order_by("name"),
        },
    )


@page("fieldwork")
def fieldwork(request):
    county, counties = _county(request, "fieldwork")
    ctx = {"counties": counties, "county": county, "by_county": progress.by_county(request.user)}
    if county is not None:
        ctx["by_village"] = progress.by_village(request.user, county)
        ctx["by_team"] = progress.by_team(request.user, county)
        ctx["n_rejected"] = progress.rejected(request.user, county).count()
    return render(request, "server/fieldwork.html", ctx)


@page("fieldwork")
def daily(request):
    county, counties = _county(request, "fieldwork")
    days = progress.fieldwork_days(request.user, county) if county else []
    today = timezone.localdate()
    try:
        day = dt.date.fromisoformat(request.GET["date"])
    except (KeyError, ValueError):
        day = today if (today in days or not days) else days[-1]
    summary = (
        progress.daily(request.user, county, day) if county else {"teams": [], "cases": [], "interviews": 0}
    )
    rows = [
        {
            "c": c,
            "kind": KIND_LABELS.get(c.kind, c.kind),
            "state": state_label(c.state),
            "cls": STATE_CLASS[c.state],
            "head": access.show_name(request.user, c.household.head_name if c.household else ""),
        }
        for c in summary["cases"]
    ]
    return render(
        request,
        "server/daily.html",
        {
            "counties": counties,
            "county": county,
            "days": days,
            "day": day,
            "today": today,
            "summary": summary,
            "rows": rows,
        },
    )


@page("fieldwork")
def rejected(request):
    county, counties = _county(request, "fieldwork")
    qs = progress.rejected(request.user, county)
    by_code = list(qs.values("code").annotate(n=Count("id")).order_by("-n"))
    return render(
        request,
        "server/rejected.html",
        {
            "counties": counties,
            "county": county,
            "page_obj": paginate(request, qs, 100),
            "by_code": by_code,
            "query": f"county={county.pk}" if county else "",
        },
    )


@page("sample")
def sample(request):
    county, counties = _county(request, "sample")
    v = request.viewer
    batches, villages = [], []
    if county is not None:
        visible = access.access_villages(request.user, county)
        counts = {r["batch"]: r["n"] for r in visible.values("batch").annotate(n=Count("id"))}
        for b in Batch.objects.filter(county=county):
            if b.released_at is None and b.number not in counts and v.role != Role.OFFICE_ADMIN:
                continue
            batches.append({"b": b, "n": counts.get(b.number, 0)})
        villages = visible.annotate(
            target=Count("households", filter=Q(households__reserve=False, households__in_sample=True)),
            done=Count("households", filter=Q(households__interviewed_at__isnull=False)),
        ).order_by("batch", "township", "name")
    return render(
        request,
        "server/sample.html",
        {
            "counties": counties,
            "county": county,
            "batches": batches,
            "villages": villages,
            "can_release": access.may_open(v.role, "release_batch"),
        },
    )


@page("release_batch")
def release_batch(request, county: int, number: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    c = access.access_county(request.user, county, "release_batch")
    actions.do_release_batch(request.user, c, number)
    messages.success(
        request, _("Batch %(n)d of %(county)s released to the teams.") % {"n": number, "county": c.name}
    )
    return redirect(f"/sample/?county={c.pk}")


INDICATOR_LABELS = {
    "composite_incidence": ("综合贫困发生率", "Composite poverty incidence"),
    "wrongful_exit_rate": ("脱贫人口错退率", "Wrongful-exit rate"),
    "missed_rate": ("贫困人口漏评率", "Missed-poor rate"),
    "approval_rate": ("群众认可度", "Public approval"),
}
DECISIONS = {
    "pass": ("达到退出标准", "Meets the exit standard"),
    "rectify": ("限期整改后复核", "Rectify and re-check"),
    "fail": ("不得退出", "May not exit"),
    "unknown": ("无法判定", "Cannot decide"),
}


def _fmt(v, pct=True):
    if v is None:
        return "—"
    return f"{v * 100:.2f}%" if pct else f"{v}"


@page("indicators")
def indicators_view(request):
    county, counties = _county(request, "indicators")
    if county is None:
        return render(request, "server/indicators.html", {"counties": counties, "county": None})
    prov = county.provisional or {}
    fin = indicators.final(county)
    fdata = fin.data or {}
    zh = lang() == "zh"
    thresholds = {
        **indicators.DEFAULT_THRESHOLDS,
        **(prov.get("thresholds") or {}),
        **(fdata.get("thresholds") or {}),
    }
    rows = []
    case_counts = {
        r["kind"]: r
        for r in access.access_cases(request.user)
        .filter(county=county)
        .values("kind")
        .annotate(
            total=Count("id"),
            confirmed=Count("id", filter=Q(state=State.CONFIRMED)),
            dismissed=Count("id", filter=Q(state=State.DISMISSED)),
        )
    }
    for key in indicators.INDICATORS:
        p = (prov.get("indicators") or {}).get(key) or {}
        f = (fdata.get("indicators") or {}).get(key) or {}
        thr = thresholds.get(key)
        better_high = key == "approval_rate"
        svg = charts.indicator_svg(
            [
                {
                    "label": "暂定" if zh else "Provisional",
                    "estimate": p.get("estimate"),
                    "ci_low": p.get("ci_low"),
                    "ci_high": p.get("ci_high"),
                    "cls": "prov",
                },
                {
                    "label": "最终" if zh else "Final",
                    "estimate": f.get("estimate"),
                    "ci_low": f.get("ci_low"),
                    "ci_high": f.get("ci_high"),
                    "cls": "final",
                },
            ],
            thr,
            higher_is_better=better_high,
            threshold_label="标准" if zh else "threshold",
        )
        links = []
        kinds = {
            "wrongful_exit_rate": ["wrongful_exit"],
            "missed_rate": ["missed"],
            "composite_incidence": ["wrongful_exit", "missed"],
        }.get(key, [])
        for k in kinds:
            cc = case_counts.get(k, {"total": 0, "confirmed": 0, "dismissed": 0})
            links.append({**cc, "kind": KIND_LABELS[k], "code": k})
        rows.append(
            {
                "key": key,
                "label": INDICATOR_LABELS[key][0 if zh else 1],
                "p": p,
                "f": f,
                "threshold": thr,
                "p_est": _fmt(p.get("estimate")),
                "p_off": _fmt(p.get("official")),
                "p_ci": f"{_fmt(p.get('ci_low'))} – {_fmt(p.get('ci_high'))}"
                if p.get("ci_low") is not None
                else "—",
                "f_est": _fmt(f.get("estimate")),
                "f_off": _fmt(f.get("official")),
                "f_ci": f"{_fmt(f.get('ci_low'))} – {_fmt(f.get('ci_high'))}"
                if f.get("ci_low") is not None
                else "—",
                "thr": _fmt(thr),
                "svg": mark_safe(svg),
                "links": links,
                "near": key in (fdata.get("near_threshold") or []),
                "direction": "≥" if better_high else "≤",
            }
        )
    dec_p = prov.get("decision")
    dec_f = fdata.get("decision")
    return render(
        request,
        "server/indicators.html",
        {
            "counties": counties,
            "county": county,
            "rows": rows,
            "final": fin,
            "dec_p": DECISIONS.get(dec_p, (dec_p, dec_p))[0 if zh else 1] if dec_p else "—",
            "dec_p_code": dec_p,
            "dec_f": DECISIONS.get(dec_f, (dec_f, dec_f))[0 if zh else 1] if dec_f else "—",
            "dec_f_code": dec_f,
            "reasons_f": _reasons(fdata, zh),
            "reasons_p": _reasons(prov, zh),
        },
    )


def _reasons(est: dict, zh: bool) -> list[str]:
    """The decision's reasons in the interface language (estimates.json carries both)."""
    return list(est.get("reasons_zh" if zh else "reasons_en") or est.get("reasons") or [])


OTHER_ACTIONS = {
    "load_assessment": ("加载评估数据", "Load assessment"),
    "release_batch": ("发布样本批次", "Release batch"),
    "create_user": ("创建用户", "Create user"),
}


def audit_action_label(action: str) -> str:
    if action in OTHER_ACTIONS:
        return OTHER_ACTIONS[action][0 if lang() == "zh" else 1]
    try:
        return action_label(action)
    except ValueError:
        return action


@page("audit")
def audit(request):
    qs = AuditEntry.objects.all().order_by("-seq")
    if not request.viewer.all_counties:
        qs = qs.filter(county__in=list(access.access_counties(request.user).values_list("name", flat=True)))
    report = check_database() if request.GET.get("verify") else None
    pg = paginate(request, qs, 100)
    return render(
        request,
        "server/audit.html",
        {
            "page_obj": pg,
            "report": report,
            "entries": [
                {"e": e, "role": role_name(e.role), "action": audit_action_label(e.action)}
                for e in pg.object_list
            ],
        },
    )


@page("users")
def users(request):
    if request.method == "POST":
        p = request.POST
        try:
            actions.do_create_user(
                p.get("username", "").strip(),
                p.get("password", ""),
                p.get("role", ""),
                counties=[
                    c.name
                    for c in County.objects.filter(
                        pk__in=[int(x) for x in p.getlist("counties") if x.isdigit()]
                    )
                ],
                all_counties=bool(p.get("all_counties")),
                display_name=p.get("display_name", ""),
                actor=request.user.get_username(),
            )
        except E.PovexitError as err:
            messages.error(request, err.diagnostics[0].message(lang()))
        else:
            messages.success(request, _("User %(u)s created.") % {"u": p.get("username")})
        return redirect("users")
    profiles = Profile.objects.select_related("user").prefetch_related("counties").order_by("user__username")
    rank = {r.value: i for i, r in enumerate(LADDER)}
    rows = sorted(
        (
            {"p": p, "role": role_name(p.role), "counties": ", ".join(c.name for c in p.counties.all())}
            for p in profiles
        ),
        key=lambda r: (rank.get(r["p"].role, 99), r["p"].user.username),
    )
    return render(
        request,
        "server/users.html",
        {
            "rows": rows,
            "roles": [(r.value, role_name(r)) for r in LADDER],
            "counties": County.objects.order_by("name"),
        },
    )
