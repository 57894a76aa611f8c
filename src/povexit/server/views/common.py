"""Shared view helpers: the page guard, navigation, labels for states/kinds/roles, pagination."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ...verify import machine
from ...verify.roles import LADDER, Role
from ...verify.roles import label as role_label
from .. import access

KIND_LABELS = {"wrongful_exit": _("Suspected wrongful exit"), "missed": _("Suspected missed poor")}
KIND_SHORT = {"wrongful_exit": _("Wrongful exit"), "missed": _("Missed")}
STATE_CLASS = {
    "suspected": "b-sus",
    "initial_checked": "b-chk",
    "reviewed": "b-rev",
    "fed_back": "b-fed",
    "department_review": "b-dep",
    "panel_review": "b-pan",
    "final_review": "b-fin",
    "confirmed": "b-ok",
    "dismissed": "b-no",
}
NAV = [  # (url name, label, page key)
    ("dashboard", _("Overview"), "dashboard"),
    ("case_list", _("Cases"), "cases"),
    ("feedback", _("Feedback list"), "feedback"),
    ("fieldwork", _("Fieldwork"), "fieldwork"),
    ("sample", _("Sample"), "sample"),
    ("indicators", _("Indicators"), "indicators"),
    ("procedure", _("Exit procedure"), "procedure"),
    ("rectification", _("Rectification"), "rectification"),
    ("audit", _("Audit log"), "audit"),
    ("users", _("Users"), "users"),
]


def lang() -> str:
    return "en" if (get_language() or "zh").startswith("en") else "zh"


def state_label(state: str) -> str:
    s = machine.State(state)
    return machine.STATE_EN[s] if lang() == "en" else machine.STATE_ZH[s]


def action_label(action: str) -> str:
    a = machine.Action(action)
    return machine.ACTION_EN[a] if lang() == "en" else machine.ACTION_ZH[a]


def reason_label(reason: str) -> str:
    if not reason:
        return ""
    r = machine.DismissReason(reason)
    return machine.REASON_EN[r] if lang() == "en" else machine.REASON_ZH[r]


def role_name(role: str) -> str:
    try:
        return role_label(Role(role), lang())
    except ValueError:
        return {"system": "系统" if lang() == "zh" else "system"}.get(role, role)


def page(key: str):
    """Login required, then ``access.access_page(user, key)``; the viewer is passed as ``request.viewer``."""

    def deco(fn):
        @login_required
        @functools.wraps(fn)
        def wrapper(request, *args, **kwargs):
            request.viewer = access.access_page(request.user, key)
            return fn(request, *args, **kwargs)

        return wrapper

    return deco


def paginate(request, qs, per_page: int = 50):
    p = Paginator(qs, per_page)
    return p.get_page(request.GET.get("page"))


def nav(request):
    """Template context: navigation entries this user may open, role label, languages."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "profile", None) is None:
        return {"nav": []}
    v = access.viewer(user)
    entries = [(name, label) for name, label, key in NAV if access.may_open(v.role, key)]
    return {
        "nav": entries,
        "me_role": role_name(v.role),
        "me_role_code": v.role.value,
        "all_roles": [(r.value, role_name(r)) for r in LADDER],
    }


def stored_file_response(sha256: str, name: str, content_type: str | None):
    """An evidence or procedure file from the content-addressed store as a download (404 when the
    stored bytes are gone)."""
    from django.http import FileResponse, Http404

    from .. import storage

    path = storage.path_for(sha256)
    if not path.is_file():
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=name,
                        content_type=content_type or "application/octet-stream")
