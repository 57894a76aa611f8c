"""The 五核 state machine: every arrow, every guard, dismissal from every open state (seed 003 看点四)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from povexit.errors import PovexitError
from povexit.verify import Action, Attachment, Case, DismissReason, Role, State, apply, available_actions
from povexit.verify.machine import DISMISSERS, RULES, TERMINAL, replay
from povexit.verify.roles import LADDER, at_least, level

T0 = datetime(2019, 2, 14, 9, 0, tzinfo=UTC)
EVIDENCE = (Attachment("house.jpg", "a" * 64, 1234),)


def code(exc: pytest.ExceptionInfo) -> str:
    return exc.value.diagnostics[0].code


def step(case, action, role, *, at=T0, **kw):
    kw.setdefault("comment", "现场查看，C级危房未改造")
    return apply(case, action, actor=f"u-{role}", role=role, now=at, **kw).case


def to_fed_back(deadline=T0 + timedelta(days=2)) -> Case:
    c = Case("C1")
    c = step(c, Action.INITIAL_CHECK, Role.CHECKER, attachments=EVIDENCE)
    c = step(c, Action.REVIEW, Role.LEAD_EXPERT)
    return step(c, Action.FEED_BACK, Role.LEAD_EXPERT, deadline=deadline)


def test_full_path_with_county_dispute_reaches_confirmed():
    c = to_fed_back()
    assert c.state == State.FED_BACK and c.released
    c = step(
        c,
        Action.COUNTY_DISPUTE,
        Role.COUNTY_LIAISON,
        attachments=(Attachment("证明.pdf", "b" * 64, 9),),
        at=T0 + timedelta(days=1),
    )
    assert c.state == State.DEPARTMENT_REVIEW and c.disputed
    c = step(c, Action.DEPARTMENT_OPINION, Role.DEPARTMENT_APPRAISER, decision="upheld")
    assert c.state == State.PANEL_REVIEW and c.department_opinion == "upheld"
    c = step(c, Action.PANEL_UPHOLD, Role.EXPERT_PANEL)
    assert c.state == State.FINAL_REVIEW and c.outcome == "pending"
    c = step(c, Action.CONFIRM, Role.WORKING_GROUP)
    assert c.state == State.CONFIRMED and c.outcome == "confirmed"
    assert c.version == 7 and c.evidence_count == 2


def test_county_agreeing_skips_department_review():
    c = step(to_fed_back(), Action.COUNTY_AGREE, Role.COUNTY_LIAISON, comment="")
    assert c.state == State.PANEL_REVIEW and not c.disputed


def test_initial_check_needs_on_site_evidence_and_an_opinion():
    with pytest.raises(PovexitError) as e:
        step(Case("C1"), Action.INITIAL_CHECK, Role.CHECKER)
    assert code(e) == "PVX-V03"
    with pytest.raises(PovexitError) as e:
        step(Case("C1"), Action.INITIAL_CHECK, Role.CHECKER, attachments=EVIDENCE, comment="  ")
    assert code(e) == "PVX-V04"


def test_county_dispute_needs_evidence_files():
    with pytest.raises(PovexitError) as e:
        step(to_fed_back(), Action.COUNTY_DISPUTE, Role.COUNTY_LIAISON, comment="已改造")
    assert code(e) == "PVX-V03"


def test_feedback_deadline_must_lie_ahead():
    c = Case("C1")
    c = step(c, Action.INITIAL_CHECK, Role.CHECKER, attachments=EVIDENCE)
    c = step(c, Action.REVIEW, Role.LEAD_EXPERT)
    for bad in (None, T0, T0 - timedelta(hours=1)):
        with pytest.raises(PovexitError) as e:
            step(c, Action.FEED_BACK, Role.LEAD_EXPERT, deadline=bad)
        assert code(e) == "PVX-V05"


def test_deadline_guards_county_answer_and_no_answer():
    deadline = T0 + timedelta(days=1)
    c = to_fed_back(deadline)
    # exactly at the deadline the county may still answer; the team may not yet move on
    assert step(c, Action.COUNTY_AGREE, Role.COUNTY_LIAISON, at=deadline).state == State.PANEL_REVIEW
    with pytest.raises(PovexitError) as e:
        step(c, Action.NO_ANSWER, Role.LEAD_EXPERT, at=deadline)
    assert code(e) == "PVX-V07"
    late = deadline + timedelta(seconds=1)
    with pytest.raises(PovexitError) as e:
        step(c, Action.COUNTY_AGREE, Role.COUNTY_LIAISON, at=late)
    assert code(e) == "PVX-V06"
    assert step(c, Action.NO_ANSWER, Role.LEAD_EXPERT, at=late).state == State.PANEL_REVIEW
    assert available_actions(c, Role.COUNTY_LIAISON, late) == []
    assert available_actions(c, Role.LEAD_EXPERT, late) == [Action.NO_ANSWER, Action.DISMISS]


def test_each_step_belongs_to_its_role_only():
    for rule in RULES:
        for role in Role:
            if role == rule.role:
                continue
            c = Case("C9", state=rule.source, deadline=T0 + timedelta(days=1), evidence_count=1)
            with pytest.raises(PovexitError) as e:
                step(
                    c,
                    rule.action,
                    role,
                    attachments=EVIDENCE,
                    decision="upheld",
                    deadline=T0 + timedelta(days=2),
                )
            assert code(e) == "PVX-V02", (rule.action, role)


def test_actions_out_of_order_are_refused():
    with pytest.raises(PovexitError) as e:
        step(Case("C1"), Action.REVIEW, Role.LEAD_EXPERT)
    assert code(e) == "PVX-V01"
    with pytest.raises(PovexitError) as e:
        step(Case("C1"), Action.CONFIRM, Role.WORKING_GROUP)
    assert code(e) == "PVX-V01"


@pytest.mark.parametrize("state", [s for s in State if s not in TERMINAL])
def test_dismissal_possible_from_every_open_state_with_a_reason(state):
    c = Case("C1", state=state, evidence_count=1)
    role = sorted(DISMISSERS[state])[0]
    with pytest.raises(PovexitError) as e:
        step(c, Action.DISMISS, role)  # no reason
    assert code(e) == "PVX-V08"
    done = step(c, Action.DISMISS, role, reason=DismissReason.INSUFFICIENT_EVIDENCE)
    assert done.state == State.DISMISSED and done.outcome == "dismissed"
    assert done.dismiss_reason == DismissReason.INSUFFICIENT_EVIDENCE
    outsiders = [r for r in Role if r not in DISMISSERS[state]]
    for r in outsiders:
        with pytest.raises(PovexitError) as e:
            step(c, Action.DISMISS, r, reason="no_problem")
        assert code(e) == "PVX-V02"


def test_terminal_cases_do_not_move_and_stale_versions_lose():
    for state in TERMINAL:
        with pytest.raises(PovexitError) as e:
            step(Case("C1", state=state), Action.DISMISS, Role.WORKING_GROUP, reason="other")
        assert code(e) == "PVX-V01"
    c = step(Case("C1"), Action.INITIAL_CHECK, Role.CHECKER, attachments=EVIDENCE)
    with pytest.raises(PovexitError) as e:
        step(c, Action.REVIEW, Role.LEAD_EXPERT, expected_version=0)
    assert code(e) == "PVX-V09"


def test_confirmation_needs_evidence():
    with pytest.raises(PovexitError) as e:
        step(Case("C1", state=State.FINAL_REVIEW), Action.CONFIRM, Role.WORKING_GROUP)
    assert code(e) == "PVX-V12"


def test_department_opinion_is_upheld_or_not():
    c = Case("C1", state=State.DEPARTMENT_REVIEW, evidence_count=1)
    with pytest.raises(PovexitError) as e:
        step(c, Action.DEPARTMENT_OPINION, Role.DEPARTMENT_APPRAISER, decision="maybe")
    assert code(e) == "PVX-V11"
    nxt = step(c, Action.DEPARTMENT_OPINION, Role.DEPARTMENT_APPRAISER, decision="not_upheld")
    assert nxt.state == State.PANEL_REVIEW and nxt.department_opinion == "not_upheld"


def test_ladder_is_total_and_ordered():
    levels = [level(r) for r in LADDER]
    assert levels == sorted(levels, reverse=True) and len(set(levels)) == len(Role)
    assert at_least(Role.OFFICE_ADMIN, Role.COUNTY_LIAISON) and not at_least(
        Role.COUNTY_LIAISON, Role.AUDITOR
    )


# ---- invariants over random histories ----------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(Action)), st.sampled_from(list(Role)), st.integers(0, 72), st.booleans()
        ),
        max_size=14,
    )
)
def test_random_histories_never_confirm_without_the_whole_chain(moves):
    case = Case("H1")
    applied = []
    now = T0
    for action, role, hours, with_files in moves:
        now = now + timedelta(hours=hours)
        try:
            res = apply(
                case,
                action,
                actor="x",
                role=role,
                now=now,
                comment="意见",
                attachments=EVIDENCE if with_files else (),
                decision="upheld",
                deadline=now + timedelta(hours=24),
                reason="no_problem",
            )
        except PovexitError:
            continue
        assert res.case.version == case.version + 1
        applied.append(res.transition)
        case = res.case
    actions = [t.action for t in applied]
    if case.state == State.CONFIRMED:
        # 初核 with evidence, 复核, feedback, an answer or an expired deadline, panel, final review
        assert actions[:3] == [Action.INITIAL_CHECK, Action.REVIEW, Action.FEED_BACK]
        assert actions[3] in (Action.COUNTY_AGREE, Action.COUNTY_DISPUTE, Action.NO_ANSWER)
        if actions[3] == Action.COUNTY_DISPUTE:
            assert actions[4] == Action.DEPARTMENT_OPINION
        assert actions[-2:] == [Action.PANEL_UPHOLD, Action.CONFIRM]
        assert applied[0].attachments
    if applied:
        assert replay("H1", applied) == case  # the record tells the whole story
