"""The five-step verification (凡疑必核，坚持“五核”) as a pure state machine.

Seed 003 看点四: 初核 on site by the pair's checker → 复核 by the lead expert, who feeds the problem back
to the county → 部门核 by the competent department when the county disputes it → 专家组核 → 终核 by
the working group; "凡没有核准、核实，或证据不充分的，将不予采信". Seed 001 §五(二): the county may
answer, the team explains face to face.

::

    suspected ──初核(checker, evidence)──▶ initial_checked ──复核(lead expert)──▶ reviewed
    reviewed ──反馈(lead expert, deadline)──▶ fed_back
    fed_back ──county agrees──▶ panel_review
    fed_back ──county disputes (explanation + evidence)──▶ department_review ──部门核──▶ panel_review
    fed_back ──deadline passed, no answer (lead expert)──▶ panel_review
    panel_review ──专家组核 upheld──▶ final_review ──终核 confirm──▶ confirmed
    any open state ──dismiss (reason; the step's owner)──▶ dismissed      (不予采信 = reason insufficient_evidence)

:func:`apply` takes a :class:`Case` and returns the next :class:`Case` and the :class:`Transition` to
record; it never mutates, never reads a clock (``now`` is passed in) and raises
:class:`~povexit.errors.PovexitError` with a PVX-V… diagnostic when a guard fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from .. import errors as E
from ..errors import verify as EV
from .roles import Role
from .roles import label as role_label


class State(StrEnum):
    SUSPECTED = "suspected"
    INITIAL_CHECKED = "initial_checked"
    REVIEWED = "reviewed"
    FED_BACK = "fed_back"
    DEPARTMENT_REVIEW = "department_review"
    PANEL_REVIEW = "panel_review"
    FINAL_REVIEW = "final_review"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


TERMINAL = frozenset({State.CONFIRMED, State.DISMISSED})
# States in which the county has been told about the case (its "released findings").
RELEASED = frozenset(
    {
        State.FED_BACK,
        State.DEPARTMENT_REVIEW,
        State.PANEL_REVIEW,
        State.FINAL_REVIEW,
        State.CONFIRMED,
        State.DISMISSED,
    }
)

STATE_ZH = {
    State.SUSPECTED: "疑似（待初核）",
    State.INITIAL_CHECKED: "已初核（待复核）",
    State.REVIEWED: "已复核（待反馈）",
    State.FED_BACK: "已反馈（待县答复）",
    State.DEPARTMENT_REVIEW: "有异议（待部门核）",
    State.PANEL_REVIEW: "待专家组核",
    State.FINAL_REVIEW: "待终核",
    State.CONFIRMED: "已认定",
    State.DISMISSED: "不予认定",
}
STATE_EN = {
    State.SUSPECTED: "Suspected (to check on site)",
    State.INITIAL_CHECKED: "Checked (to review)",
    State.REVIEWED: "Reviewed (to feed back)",
    State.FED_BACK: "Fed back (awaiting county)",
    State.DEPARTMENT_REVIEW: "Disputed (department review)",
    State.PANEL_REVIEW: "Expert panel review",
    State.FINAL_REVIEW: "Final review",
    State.CONFIRMED: "Confirmed",
    State.DISMISSED: "Dismissed",
}


class Action(StrEnum):
    INITIAL_CHECK = "initial_check"
    REVIEW = "review"
    FEED_BACK = "feed_back"
    COUNTY_AGREE = "county_agree"
    COUNTY_DISPUTE = "county_dispute"
    NO_ANSWER = "no_answer"
    DEPARTMENT_OPINION = "department_opinion"
    PANEL_UPHOLD = "panel_uphold"
    CONFIRM = "confirm"
    DISMISS = "dismiss"


ACTION_ZH = {
    Action.INITIAL_CHECK: "初核：现场核实属实",
    Action.REVIEW: "复核：带队专家复核属实",
    Action.FEED_BACK: "反馈县里核实",
    Action.COUNTY_AGREE: "县里认可问题",
    Action.COUNTY_DISPUTE: "县里提出异议（附佐证材料）",
    Action.NO_ANSWER: "逾期未答复，提交专家组",
    Action.DEPARTMENT_OPINION: "部门核：提出鉴定意见",
    Action.PANEL_UPHOLD: "专家组核：认定问题成立",
    Action.CONFIRM: "终核：认定",
    Action.DISMISS: "不予认定 / 不予采信",
}
ACTION_EN = {
    Action.INITIAL_CHECK: "Initial check: problem found on site",
    Action.REVIEW: "Review: lead expert upholds",
    Action.FEED_BACK: "Feed back to the county",
    Action.COUNTY_AGREE: "County accepts the problem",
    Action.COUNTY_DISPUTE: "County disputes (with evidence)",
    Action.NO_ANSWER: "No answer by the deadline: to the panel",
    Action.DEPARTMENT_OPINION: "Department review: opinion",
    Action.PANEL_UPHOLD: "Expert panel: upheld",
    Action.CONFIRM: "Final review: confirm",
    Action.DISMISS: "Dismiss / not adopted",
}


class DismissReason(StrEnum):
    NO_PROBLEM = "no_problem"
    INSUFFICIENT_EVIDENCE = "insufficient_evidence"
    COUNTY_EVIDENCE_ACCEPTED = "county_evidence_accepted"
    DEPARTMENT_NOT_UPHELD = "department_not_upheld"
    DUPLICATE = "duplicate"
    OTHER = "other"


REASON_ZH = {
    DismissReason.NO_PROBLEM: "核实无此问题",
    DismissReason.INSUFFICIENT_EVIDENCE: "证据不充分，不予采信",
    DismissReason.COUNTY_EVIDENCE_ACCEPTED: "县里佐证材料成立",
    DismissReason.DEPARTMENT_NOT_UPHELD: "部门鉴定问题不成立",
    DismissReason.DUPLICATE: "重复案件",
    DismissReason.OTHER: "其他",
}
REASON_EN = {
    DismissReason.NO_PROBLEM: "No such problem on checking",
    DismissReason.INSUFFICIENT_EVIDENCE: "Insufficient evidence: not adopted",
    DismissReason.COUNTY_EVIDENCE_ACCEPTED: "County's evidence accepted",
    DismissReason.DEPARTMENT_NOT_UPHELD: "Department found no problem",
    DismissReason.DUPLICATE: "Duplicate case",
    DismissReason.OTHER: "Other",
}

DEPARTMENT_DECISIONS = ("upheld", "not_upheld")


@dataclass(frozen=True)
class Rule:
    """One arrow of the machine (dismissal is handled separately: it leaves every open state)."""

    action: Action
    source: State
    target: State
    role: Role
    needs_comment: bool = True
    needs_evidence: bool = False


RULES: tuple[Rule, ...] = (
    Rule(Action.INITIAL_CHECK, State.SUSPECTED, State.INITIAL_CHECKED, Role.CHECKER, needs_evidence=True),
    Rule(Action.REVIEW, State.INITIAL_CHECKED, State.REVIEWED, Role.LEAD_EXPERT),
    Rule(Action.FEED_BACK, State.REVIEWED, State.FED_BACK, Role.LEAD_EXPERT, needs_comment=False),
    Rule(Action.COUNTY_AGREE, State.FED_BACK, State.PANEL_REVIEW, Role.COUNTY_LIAISON, needs_comment=False),
    Rule(
        Action.COUNTY_DISPUTE,
        State.FED_BACK,
        State.DEPARTMENT_REVIEW,
        Role.COUNTY_LIAISON,
        needs_evidence=True,
    ),
    Rule(Action.NO_ANSWER, State.FED_BACK, State.PANEL_REVIEW, Role.LEAD_EXPERT, needs_comment=False),
    Rule(Action.DEPARTMENT_OPINION, State.DEPARTMENT_REVIEW, State.PANEL_REVIEW, Role.DEPARTMENT_APPRAISER),
    Rule(Action.PANEL_UPHOLD, State.PANEL_REVIEW, State.FINAL_REVIEW, Role.EXPERT_PANEL),
    Rule(Action.CONFIRM, State.FINAL_REVIEW, State.CONFIRMED, Role.WORKING_GROUP, needs_comment=False),
)
_RULE = {(r.action, r.source): r for r in RULES}

# Who may dismiss (with a reason) in each open state: the owner of the step, and before the panel the
# lead expert, who answers for the team's findings (e.g. accepts the county's evidence face to face).
DISMISSERS: dict[State, frozenset[Role]] = {
    State.SUSPECTED: frozenset({Role.CHECKER, Role.LEAD_EXPERT}),
    State.INITIAL_CHECKED: frozenset({Role.LEAD_EXPERT}),
    State.REVIEWED: frozenset({Role.LEAD_EXPERT}),
    State.FED_BACK: frozenset({Role.LEAD_EXPERT}),
    State.DEPARTMENT_REVIEW: frozenset({Role.LEAD_EXPERT}),
    State.PANEL_REVIEW: frozenset({Role.EXPERT_PANEL}),
    State.FINAL_REVIEW: frozenset({Role.WORKING_GROUP}),
}


@dataclass(frozen=True)
class Attachment:
    """An evidence file as the audit log records it (the content lives in the server's file store)."""

    name: str
    sha256: str
    size: int

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "sha256": self.sha256, "size": self.size}


@dataclass(frozen=True)
class Case:
    """What the machine needs to know of a case. ``version`` increases by one with every transition."""

    case_id: str
    kind: str = "wrongful_exit"
    state: State = State.SUSPECTED
    version: int = 0
    deadline: datetime | None = None
    disputed: bool = False
    department_opinion: str | None = None
    evidence_count: int = 0
    dismiss_reason: DismissReason | None = None

    @property
    def outcome(self) -> str:
        """cases.csv outcome (CONTRACTS.md §4): confirmed / dismissed / pending."""
        if self.state == State.CONFIRMED:
            return "confirmed"
        if self.state == State.DISMISSED:
            return "dismissed"
        return "pending"

    @property
    def released(self) -> bool:
        return self.state in RELEASED


@dataclass(frozen=True)
class Transition:
    """The record of one step, as it goes into the audit log."""

    case_id: str
    action: Action
    source: State
    target: State
    actor: str
    role: Role
    at: datetime
    version: int  # the case's version after the step
    decision: str = ""
    comment: str = ""
    attachments: tuple[Attachment, ...] = ()
    deadline: datetime | None = None
    reason: DismissReason | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "case_id": self.case_id,
            "action": str(self.action),
            "from": str(self.source),
            "to": str(self.target),
            "version": self.version,
            "decision": self.decision,
            "comment": self.comment,
            "attachments": [a.to_dict() for a in self.attachments],
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "reason": str(self.reason) if self.reason else None,
        }


@dataclass(frozen=True)
class Step:
    case: Case
    transition: Transition
    warnings: list[str] = field(default_factory=list)


def owner_roles(state: State) -> frozenset[Role]:
    """Roles that can move a case on from ``state`` (any action, dismissal included)."""
    roles = {r.role for r in RULES if r.source == state}
    return frozenset(roles | DISMISSERS.get(state, frozenset()))


def available_actions(case: Case, role: Role | str, now: datetime | None = None) -> list[Action]:
    """Actions ``role`` may take on ``case`` now (deadline guards applied when ``now`` is given)."""
    role = Role(role)
    out = []
    for r in RULES:
        if r.source != case.state or r.role != role:
            continue
        if now is not None and case.deadline is not None:
            if r.action in (Action.COUNTY_AGREE, Action.COUNTY_DISPUTE) and now > case.deadline:
                continue
            if r.action == Action.NO_ANSWER and now <= case.deadline:
                continue
        out.append(r.action)
    if role in DISMISSERS.get(case.state, ()):
        out.append(Action.DISMISS)
    return out


def _names(actions: Sequence[Action]) -> str:
    return "、".join(ACTION_ZH[a] for a in actions) or "无"


def apply(
    case: Case,
    action: Action | str,
    *,
    actor: str,
    role: Role | str,
    now: datetime,
    decision: str = "",
    comment: str = "",
    attachments: Sequence[Attachment] = (),
    deadline: datetime | None = None,
    reason: DismissReason | str | None = None,
    expected_version: int | None = None,
) -> Step:
    """Take one step. Raises :class:`PovexitError` (PVX-V…) when the step is not allowed."""
    try:
        action = Action(action)
    except ValueError:
        raise E.PovexitError(
            EV.UNKNOWN_ACTION(value=action, allowed=", ".join(a.value for a in Action))
        ) from None
    role = Role(role)
    comment = (comment or "").strip()
    attachments = tuple(attachments)
    cid = case.case_id
    if expected_version is not None and expected_version != case.version:
        raise E.PovexitError(EV.STALE_CASE(case=cid, value=expected_version, current=case.version))
    if case.state in TERMINAL:
        raise E.PovexitError(
            EV.WRONG_STATE(case=cid, state=STATE_ZH[case.state], action=ACTION_ZH[action], allowed="无")
        )

    if action == Action.DISMISS:
        allowed_roles = DISMISSERS[case.state]
        if role not in allowed_roles:
            raise E.PovexitError(
                EV.ROLE_NOT_ALLOWED(
                    role=role_label(role),
                    state=STATE_ZH[case.state],
                    action=ACTION_ZH[action],
                    owner="、".join(role_label(r) for r in sorted(allowed_roles)),
                )
            )
        try:
            why = DismissReason(reason) if reason else None
        except ValueError:
            why = None
        if why is None:
            raise E.PovexitError(
                EV.REASON_REQUIRED(case=cid, value=reason or "", allowed="、".join(REASON_ZH.values()))
            )
        if not comment:
            raise E.PovexitError(EV.COMMENT_REQUIRED(case=cid, action=ACTION_ZH[action]))
        nxt = replace(
            case,
            state=State.DISMISSED,
            version=case.version + 1,
            dismiss_reason=why,
            evidence_count=case.evidence_count + len(attachments),
        )
        return Step(
            nxt,
            Transition(
                cid,
                action,
                case.state,
                State.DISMISSED,
                actor,
                role,
                now,
                nxt.version,
                decision=str(why),
                comment=comment,
                attachments=attachments,
                reason=why,
            ),
        )

    rule = _RULE.get((action, case.state))
    if rule is None:
        raise E.PovexitError(
            EV.WRONG_STATE(
                case=cid,
                state=STATE_ZH[case.state],
                action=ACTION_ZH[action],
                allowed=_names([r.action for r in RULES if r.source == case.state] + [Action.DISMISS]),
            )
        )
    if role != rule.role:
        raise E.PovexitError(
            EV.ROLE_NOT_ALLOWED(
                role=role_label(role),
                state=STATE_ZH[case.state],
                action=ACTION_ZH[action],
                owner=role_label(rule.role),
            )
        )
    if rule.needs_comment and not comment:
        raise E.PovexitError(EV.COMMENT_REQUIRED(case=cid, action=ACTION_ZH[action]))
    if rule.needs_evidence and not attachments:
        raise E.PovexitError(EV.EVIDENCE_REQUIRED(case=cid, action=ACTION_ZH[action]))

    changes: dict[str, object] = {}
    record_deadline = None
    if action == Action.FEED_BACK:
        if deadline is None or deadline <= now:
            raise E.PovexitError(
                EV.DEADLINE_INVALID(
                    value="" if deadline is None else deadline.isoformat(),
                    now=now.isoformat(timespec="minutes"),
                )
            )
        changes["deadline"] = record_deadline = deadline
        decision = decision or "fed_back"
    elif action in (Action.COUNTY_AGREE, Action.COUNTY_DISPUTE):
        if case.deadline is not None and now > case.deadline:
            raise E.PovexitError(
                EV.DEADLINE_PASSED(case=cid, deadline=case.deadline.isoformat(timespec="minutes"))
            )
        changes["disputed"] = action == Action.COUNTY_DISPUTE
        decision = "dispute" if action == Action.COUNTY_DISPUTE else "agree"
    elif action == Action.NO_ANSWER:
        if case.deadline is None or now <= case.deadline:
            raise E.PovexitError(
                EV.DEADLINE_NOT_PASSED(
                    case=cid,
                    deadline="" if case.deadline is None else case.deadline.isoformat(timespec="minutes"),
                )
            )
        decision = "no_answer"
    elif action == Action.DEPARTMENT_OPINION:
        if decision not in DEPARTMENT_DECISIONS:
            raise E.PovexitError(
                EV.BAD_DECISION(
                    action=ACTION_ZH[action], value=decision, allowed=", ".join(DEPARTMENT_DECISIONS)
                )
            )
        changes["department_opinion"] = decision
    elif action == Action.CONFIRM:
        if case.evidence_count < 1:
            raise E.PovexitError(EV.NOT_VERIFIED(case=cid))
        decision = "confirmed"
    else:
        decision = decision or "upheld"

    nxt = replace(
        case,
        state=rule.target,
        version=case.version + 1,
        evidence_count=case.evidence_count + len(attachments),
        **changes,
    )
    return Step(
        nxt,
        Transition(
            cid,
            action,
            case.state,
            rule.target,
            actor,
            role,
            now,
            nxt.version,
            decision=decision,
            comment=comment,
            attachments=attachments,
            deadline=record_deadline,
        ),
    )


def replay(case_id: str, transitions: Sequence[Transition], kind: str = "wrongful_exit") -> Case:
    """Rebuild a case from its recorded transitions (checks the audit log tells a possible story)."""
    case = Case(case_id, kind=kind)
    for t in transitions:
        case = apply(
            case,
            t.action,
            actor=t.actor,
            role=t.role,
            now=t.at,
            decision=t.decision,
            comment=t.comment,
            attachments=t.attachments,
            deadline=t.deadline,
            reason=t.reason,
        ).case
    return case
