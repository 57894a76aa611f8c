"""Every permission decision of the server, in a few ``access_*`` functions (Zulip style).

Views and actions call these and nothing else to decide who sees or does what. Three ingredients:

* the role's place on the ladder (:mod:`povexit.verify.roles`) for ladder-based powers — what a
  role may *see* (sample ≥ enumerator, fieldwork/indicators/audit ≥ auditor, feedback list
  ≥ lead expert, unreleased batches ≥ institution lead);
* role-specific powers — the verification steps (:mod:`povexit.verify.machine` says which role owns
  each), releasing sample batches and managing users (office administrator), the county's answer;
* the per-county scope of each user (``Profile.all_counties`` or ``Profile.counties``).

The county liaison sees only cases released (fed back) to their county and never the sample
(严禁打探抽样); the department appraiser only cases the county disputed. Cases outside a user's view
are "not found" (404), so their existence does not leak; pages a role may not open are 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from .. import errors as E
from ..errors import server as ES
from ..privacy import mask_id, mask_name
from ..verify.machine import DISMISSERS, RELEASED, RULES, Action
from ..verify.roles import CONTACT_ROLES, Role, at_least
from ..verify.roles import label as role_label
from .models import Attachment, Batch, Case, County, Household, Problem, StageFile, Village

# Page → the lowest role on the ladder that may open it, or a set of roles (role-specific).
PAGE_FLOOR: dict[str, Role | frozenset[Role]] = {
    "dashboard": Role.COUNTY_LIAISON,
    "cases": Role.COUNTY_LIAISON,  # filtered by access_cases
    "sample": Role.ENUMERATOR,
    "fieldwork": Role.AUDITOR,
    "indicators": Role.AUDITOR,
    "audit": Role.AUDITOR,
    "feedback": Role.LEAD_EXPERT,  # plus the county liaison for their own county (see access_page)
    "users": frozenset({Role.OFFICE_ADMIN}),
    "release_batch": frozenset({Role.OFFICE_ADMIN}),
    # exit procedure and rectification: the team and its overseers read from the auditor up; the county
    # liaison reads their own county's (see may_open); the overview across counties is the office's
    "procedure": Role.AUDITOR,
    "procedure_overview": frozenset({Role.OFFICE_ADMIN, Role.WORKING_GROUP, Role.AUDITOR}),
    "rectification": Role.AUDITOR,
}
LOCAL_PAGES = frozenset({"feedback", "procedure", "rectification"})  # also the county liaison's, own county
# who may write what in the follow-up (docs/decisions.md, "Exit procedure", "Rectification ledger")
ISSUE_PROBLEMS = frozenset({Role.OFFICE_ADMIN, Role.INSTITUTION_LEAD, Role.LEAD_EXPERT})
ANSWER_PROBLEMS = frozenset({Role.COUNTY_LIAISON, Role.OFFICE_ADMIN})
RECHECK_PROBLEMS = frozenset({Role.LEAD_EXPERT, Role.CHECKER})
PAGE_ZH = {
    "dashboard": "查看首页",
    "cases": "查看案件",
    "sample": "查看样本村和样本户",
    "fieldwork": "查看调查进度",
    "indicators": "查看指标",
    "audit": "查看审计日志",
    "feedback": "查看反馈清单",
    "users": "管理用户",
    "release_batch": "发布样本批次",
    "feed_back": "向县里反馈问题",
    "procedure": "查看退出程序",
    "procedure_overview": "查看各县退出程序",
    "rectification": "查看整改台账",
    "issue_problems": "下发问题清单",
    "answer_problems": "上传整改情况",
    "recheck": "复核整改结果",
}


@dataclass(frozen=True)
class Viewer:
    username: str
    role: Role
    all_counties: bool
    county_ids: frozenset[int]

    def in_scope(self, county_id: int) -> bool:
        return self.all_counties or county_id in self.county_ids


def viewer(user) -> Viewer:
    """The signed-in user's role and scope (cached on the user object for the request)."""
    cached = getattr(user, "_povexit_viewer", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False):
        raise E.PovexitError(ES.FORBIDDEN(role="anonymous", what="访问"))
    profile = getattr(user, "profile", None)
    if profile is None:
        raise E.PovexitError(ES.FORBIDDEN(role=user.get_username(), what="访问（未分配角色）"))
    ids = frozenset(profile.counties.values_list("id", flat=True))
    v = Viewer(user.get_username(), Role(profile.role), profile.all_counties, ids)
    user._povexit_viewer = v
    return v


def _forbid(v: Viewer, page: str) -> E.PovexitError:
    return E.PovexitError(ES.FORBIDDEN(role=role_label(v.role), what=PAGE_ZH.get(page, page)))


def may_open(role: Role, page: str) -> bool:
    if page in LOCAL_PAGES and role == Role.COUNTY_LIAISON:
        return True
    floor = PAGE_FLOOR[page]
    if isinstance(floor, frozenset):
        return role in floor
    return at_least(role, floor)


def access_page(user, page: str) -> Viewer:
    """Raise 403 (PVX-S01) unless the user's role may open ``page``."""
    v = viewer(user)
    if not may_open(v.role, page):
        raise _forbid(v, page)
    return v


def access_counties(user) -> QuerySet[County]:
    v = viewer(user)
    qs = County.objects.all()
    return qs if v.all_counties else qs.filter(id__in=v.county_ids)


def access_county(user, county_id: int, page: str) -> County:
    v = access_page(user, page)
    county = County.objects.filter(pk=county_id).first()
    if county is None or not v.in_scope(county.pk):
        raise Http404
    return county


def access_cases(user) -> QuerySet[Case]:
    """The cases this user may see at all."""
    v = viewer(user)
    qs = Case.objects.all()
    if not v.all_counties:
        qs = qs.filter(county_id__in=v.county_ids)
    if v.role == Role.COUNTY_LIAISON:
        qs = qs.filter(state__in=[s.value for s in RELEASED])
    elif v.role == Role.DEPARTMENT_APPRAISER:
        qs = qs.filter(disputed=True)
    return qs


def access_case(user, pk: int, *, for_update: bool = False) -> Case:
    qs = access_cases(user).select_related("county", "household", "household__village")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    case = qs.filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


ACTION_ROLES: dict[Action, frozenset[Role]] = {
    a: frozenset({r.role for r in RULES if r.action == a}) for a in Action if a != Action.DISMISS
} | {Action.DISMISS: frozenset().union(*DISMISSERS.values())}


def access_action(user, case: Case, action: str) -> Viewer:
    """The user may take ``action`` on ``case`` at all (role-specific); whether it fits the case's
    current state, deadline and evidence is the state machine's call."""
    v = viewer(user)
    if not v.in_scope(case.county_id):
        raise Http404
    try:
        act = Action(action)
    except ValueError:
        raise _forbid(v, str(action)) from None
    if v.role not in ACTION_ROLES[act]:
        raise E.PovexitError(ES.FORBIDDEN(role=role_label(v.role), what=f"办理“{act.value}”"))
    if not access_cases(user).filter(pk=case.pk).exists():
        raise Http404
    return v


def access_feed_back(user) -> Viewer:
    """Bulk feedback to the county from the feedback list: the lead expert's step."""
    v = viewer(user)
    if v.role not in ACTION_ROLES[Action.FEED_BACK]:
        raise _forbid(v, "feed_back")
    return v


def access_villages(user, county: County) -> QuerySet[Village]:
    """Sampled villages the user may see: all batches from institution lead up, released batches for the
    rest of the team, none for the local roles (严禁打探抽样)."""
    v = viewer(user)
    if not v.in_scope(county.pk) or not at_least(v.role, Role.AUDITOR):
        return Village.objects.none()
    qs = Village.objects.filter(county=county)
    if not at_least(v.role, Role.INSTITUTION_LEAD):
        released = Batch.objects.filter(county=county, released_at__isnull=False).values_list(
            "number", flat=True
        )
        qs = qs.filter(batch__in=list(released))
    return qs


def access_households(user, county: County) -> QuerySet[Household]:
    return Household.objects.filter(village__in=access_villages(user, county))


def access_release_batch(user, county: County) -> Viewer:
    v = access_page(user, "release_batch")
    if not v.in_scope(county.pk):
        raise Http404
    return v


def access_attachment(user, pk: int) -> Attachment:
    att = Attachment.objects.filter(pk=pk).select_related("case").first()
    if att is None or not access_cases(user).filter(pk=att.case_id).exists():
        raise Http404
    return att


def sees_personal_data(user) -> bool:
    """Names and ID numbers unmasked only for roles that meet households (CONTACT_ROLES)."""
    return viewer(user).role in CONTACT_ROLES


def show_name(user, name: str) -> str:
    return name if sees_personal_data(user) else mask_name(name)


def show_id(user, id_number: str) -> str:
    return id_number if sees_personal_data(user) else mask_id(id_number)


def county_filter(user) -> Q:
    v = viewer(user)
    return Q() if v.all_counties else Q(county_id__in=v.county_ids)


# ---- exit procedure and rectification ledger -------------------------------------------------------


def _scoped(v: Viewer, county: County) -> None:
    if not v.in_scope(county.pk):
        raise Http404


def access_record_stage(user, county: County, stage: str, *, file_only: bool = False) -> Viewer:
    """Record (or correct) a procedure stage: the stage's recorders (``procedure.STAGES``); with
    ``file_only`` also the roles that may add a document to it (the county's 公示 evidence)."""
    from . import followup_errors as EX
    from . import procedure

    v = viewer(user)
    _scoped(v, county)
    s = procedure.BY_CODE.get(stage)
    if s is None:
        raise E.PovexitError(EX.UNKNOWN_STAGE(value=stage, allowed=", ".join(procedure.BY_CODE)))
    allowed = s.recorders | (s.file_roles if file_only else frozenset())
    if v.role not in allowed:
        what = f"登记“{s.zh}”" if not file_only else f"上传“{s.zh}”材料"
        raise E.PovexitError(ES.FORBIDDEN(role=role_label(v.role), what=what))
    return v


def may_record(role: Role, stage: str, *, file_only: bool = False) -> bool:
    from . import procedure

    s = procedure.BY_CODE[stage]
    return role in (s.recorders | (s.file_roles if file_only else frozenset()))


def access_stage_file(user, pk: int) -> StageFile:
    f = StageFile.objects.filter(pk=pk).select_related("step").first()
    if f is None:
        raise Http404
    access_county(user, f.step.county_id, "procedure")
    return f


def access_problems(user, county: County) -> QuerySet[Problem]:
    v = access_page(user, "rectification")
    _scoped(v, county)
    return Problem.objects.filter(county=county)


def _role_set(user, county: County, roles: frozenset[Role], what: str) -> Viewer:
    v = viewer(user)
    _scoped(v, county)
    if v.role not in roles:
        raise _forbid(v, what)
    return v


def access_issue_problems(user, county: County) -> Viewer:
    """Issue (upload) the county's 问题清单: the assessment team that wrote it, or the office."""
    return _role_set(user, county, ISSUE_PROBLEMS, "issue_problems")


def access_answer_problems(user, county: County) -> Viewer:
    """Upload the filled-in 问题清单: the county liaison (or the office, for a county that mailed it)."""
    return _role_set(user, county, ANSWER_PROBLEMS, "answer_problems")


def access_recheck(user, problem_pk: int, *, for_update: bool = False) -> tuple[Viewer, Problem]:
    """复核 of one problem's rectification: the lead expert or a checker of the county."""
    v = viewer(user)
    qs = Problem.objects.select_related("county")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    p = qs.filter(pk=problem_pk).first()
    if p is None or not v.in_scope(p.county_id) or not may_open(v.role, "rectification"):
        raise Http404
    if v.role not in RECHECK_PROBLEMS:
        raise _forbid(v, "recheck")
    return v, p
