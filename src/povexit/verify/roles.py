"""The roles of an assessment, as one ordered ladder (highest first).

Ladder-based powers ("at least lead expert") are decided by :func:`level`; the five verification
steps are role-specific (only a checker does 初核, only the county liaison answers for the county …)
and live in :mod:`povexit.verify.machine`. The server's ``access_*`` functions combine both with the
per-county scope of each user. See docs/decisions.md ("Roles").
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OFFICE_ADMIN = "office_admin"
    WORKING_GROUP = "working_group"
    INSTITUTION_LEAD = "institution_lead"
    LEAD_EXPERT = "lead_expert"
    EXPERT_PANEL = "expert_panel"
    CHECKER = "checker"
    ENUMERATOR = "enumerator"
    AUDITOR = "auditor"
    DEPARTMENT_APPRAISER = "department_appraiser"
    COUNTY_LIAISON = "county_liaison"


# Highest first. The assessment team and its overseers sit above the auditor; the two local roles
# (the county's liaison and the provincial/municipal department) sit at the bottom: they see only
# what has been fed back or referred to them (严禁打探抽样、调查问卷及评估检查结果).
LADDER: tuple[Role, ...] = (
    Role.OFFICE_ADMIN,
    Role.WORKING_GROUP,
    Role.INSTITUTION_LEAD,
    Role.LEAD_EXPERT,
    Role.EXPERT_PANEL,
    Role.CHECKER,
    Role.ENUMERATOR,
    Role.AUDITOR,
    Role.DEPARTMENT_APPRAISER,
    Role.COUNTY_LIAISON,
)

_LEVEL = {role: (len(LADDER) - i) * 10 for i, role in enumerate(LADDER)}

ROLE_ZH = {
    Role.OFFICE_ADMIN: "扶贫办管理员",
    Role.WORKING_GROUP: "考核工作组成员",
    Role.INSTITUTION_LEAD: "评估机构负责人",
    Role.LEAD_EXPERT: "带队专家",
    Role.EXPERT_PANEL: "专家组成员",
    Role.CHECKER: "核查员",
    Role.ENUMERATOR: "调查员",
    Role.AUDITOR: "审计员（只读）",
    Role.DEPARTMENT_APPRAISER: "部门鉴定人员",
    Role.COUNTY_LIAISON: "县联络员",
}
ROLE_EN = {
    Role.OFFICE_ADMIN: "Office administrator",
    Role.WORKING_GROUP: "Working group member",
    Role.INSTITUTION_LEAD: "Institution lead",
    Role.LEAD_EXPERT: "Lead expert",
    Role.EXPERT_PANEL: "Expert panel member",
    Role.CHECKER: "Checker",
    Role.ENUMERATOR: "Enumerator",
    Role.AUDITOR: "Auditor (read-only)",
    Role.DEPARTMENT_APPRAISER: "Department appraiser",
    Role.COUNTY_LIAISON: "County liaison",
}

# Roles that meet households or their cadres and so need names and ID numbers unmasked. Everyone
# else (overseers, panel, auditor, administrators) judges on masked data.
CONTACT_ROLES = frozenset(
    {Role.ENUMERATOR, Role.CHECKER, Role.LEAD_EXPERT, Role.COUNTY_LIAISON, Role.DEPARTMENT_APPRAISER}
)


def level(role: Role | str) -> int:
    """Position on the ladder: higher means more power (100 office administrator … 10 county liaison)."""
    return _LEVEL[Role(role)]


def at_least(role: Role | str, floor: Role | str) -> bool:
    return level(role) >= level(floor)


def label(role: Role | str, lang: str = "zh") -> str:
    r = Role(role)
    return ROLE_EN[r] if lang == "en" else ROLE_ZH[r]
