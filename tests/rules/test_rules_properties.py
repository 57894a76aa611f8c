"""Invariants over many households (Hypothesis): households do not influence each other's verdicts, a
missing answer never passes silently, one failing answer always makes an exited household 错退, and
the verdict is exactly "some problem rule fired"."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rules_helpers import PASSING, household, registry, responses

from povexit.rules import adjudicate, load_ruleset

RS = load_ruleset("national-2019")
PROBLEMS = {
    "income.below_line", "food.insufficient", "clothing.insufficient", "water.quality", "water.quantity",
    "water.convenience", "water.reliability", "education.dropout", "medical.uninsured", "medical.unaffordable",
    "housing.unsafe", "housing.relocation_not_moved_in",
}
YN = st.one_of(st.none(), st.booleans())
ANSWERS = st.fixed_dictionaries({}, optional={
    "food_staple_enough": YN, "clothing_change": YN, "water_quality_ok": YN, "water_scarce_area": YN,
    "water_litres_per_person_day": st.one_of(st.none(), st.floats(0, 200, allow_nan=False)),
    "water_fetch_minutes": st.one_of(st.none(), st.floats(0, 60, allow_nan=False)),
    "water_reliability_pct": st.one_of(st.none(), st.floats(50, 100, allow_nan=False)),
    "water_days_without": st.one_of(st.none(), st.integers(0, 120)),
    "income_wage": st.one_of(st.none(), st.floats(0, 60000, allow_nan=False)),
    "income_windfall": st.floats(0, 20000, allow_nan=False),
    "dropout": YN, "dropout_reason": st.sampled_from([None, "hardship", "health"]), "home_schooling": YN,
    "all_basic_insured": YN, "serious_illness_present": YN, "medical_basic_life_secured": YN,
    "housing_grade": st.sampled_from([None, "A", "B", "C", "D", "unassessed"]), "housing_safe": YN,
    "relocated": YN, "relocated_moved_in": YN, "renovated": YN,
    "housing_substitute": st.sampled_from([None, "none", "long_term_rent", "relocation_keys"]),
    "children_support_capable": YN, "children_support_provided": YN, "approve_exit": YN,
})
HOUSEHOLD = st.tuples(st.sampled_from(["exited", "poor", "general"]), ANSWERS)
APPROVAL_FIELDS = {"approve_policy", "approve_help", "approve_results", "approve_exit", "approve_cadres", "approves",
                   "disapproval_reason"}
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _judge(cases: list[tuple[str, dict[str, Any]]]) -> pl.DataFrame:
    rows, regs = [], []
    for i, (status, answers) in enumerate(cases):
        hid = f"H{i:03d}"
        rows.append(household(hid, "general" if status == "general" else "registered", **answers))
        if status != "general":
            regs.append({"household_id": hid, "status": status})
    return adjudicate(registry(regs), None, responses(*rows), RS).findings


@FAST
@given(st.lists(HOUSEHOLD, min_size=2, max_size=4))
def test_households_are_judged_independently(cases: list[tuple[str, dict[str, Any]]]) -> None:
    together = _judge(cases).drop("household_id", "instance_id")
    for i, case in enumerate(cases):
        alone = _judge([case]).drop("household_id", "instance_id")
        # the verdict of a household is the same with or without the others around it
        assert together.row(i, named=True) == alone.row(0, named=True)


@FAST
@given(HOUSEHOLD)
def test_verdict_is_exactly_some_problem_fired(case: tuple[str, dict[str, Any]]) -> None:
    status, _ = case
    row = _judge([case]).row(0, named=True)
    fired = {r for r in row["rules"].split(";") if r} & PROBLEMS
    if status == "exited":
        if fired:
            assert row["wrongful_exit"] is True and row["status"] == "judged"
        elif row["status"] == "judged":
            # judged with nothing fired: only approval answers may be missing (they do not decide 错退)
            missing = {m for m in row["missing_fields"].split(";") if m}
            assert row["wrongful_exit"] is False and missing <= APPROVAL_FIELDS
        else:
            assert row["wrongful_exit"] is None and row["missing_fields"]
    elif status == "poor":
        assert row["wrongful_exit"] is False and row["missed"] is False
    else:
        excluded = bool(row["exclusion_lists"])
        assert row["missed"] is ((bool(fired) and not excluded) if row["status"] == "judged" or fired else None)


BAD_ANSWERS = [
    {"food_staple_enough": False}, {"food_vegetable_enough": False}, {"clothing_seasonal": False},
    {"water_quality_ok": False}, {"water_litres_per_person_day": 5.0}, {"water_fetch_minutes": 45.0},
    {"water_days_without": 80, "water_reliability_pct": 78.0}, {"dropout": True, "dropout_reason": "hardship"},
    {"all_basic_insured": False}, {"serious_illness_present": True, "medical_basic_life_secured": False},
    {"housing_grade": "D", "housing_substitute": "none", "housing_safe": False},
    {"relocated": True, "relocated_moved_in": False, "housing_substitute": "none"},
    {"income_wage": 100.0, "income_business": 0.0, "income_transfer": 0.0},
]


@FAST
@given(ANSWERS, st.sampled_from(BAD_ANSWERS))
def test_one_failing_answer_makes_a_wrongful_exit(base: dict[str, Any], bad: dict[str, Any]) -> None:
    """Whatever else a household answered (even unknowns), a clear failure on one item is 错退
    (seed 001 §三(二)1: “两不愁三保障”问题未解决的建档立卡脱贫人口). The household does not claim an
    exception for that item (no children's support, no substitute …)."""
    neutral = {"children_support_capable": False, "children_support_provided": None, "home_schooling": False,
               "renovated": False, "relocated": False}
    answers = {**base, **neutral, **bad}
    if "housing_grade" in bad or "relocated" in bad:
        answers["housing_substitute"] = "none"
    if "relocated" in bad:
        answers["relocated"] = True
    row = _judge([("exited", answers)]).row(0, named=True)
    assert row["wrongful_exit"] is True, (bad, row["problems_zh"], row["missing_fields"])


ALWAYS_NEEDED = ["food_staple_enough", "food_vegetable_enough", "food_protein_enough", "clothing_seasonal",
                 "clothing_change", "water_quality_ok", "water_litres_per_person_day", "water_fetch_minutes",
                 "serious_illness_present", "approve_policy", "approves"]


@pytest.mark.parametrize("status", ["exited", "general"])
def test_a_missing_answer_is_never_a_silent_pass(status: str) -> None:
    fields = [f for f in ALWAYS_NEEDED if status == "exited" or not f.startswith("approve_")]
    f = _judge([(status, {field: None}) for field in fields])
    for field, row in zip(fields, f.iter_rows(named=True), strict=True):
        assert field in row["missing_fields"].split(";"), (field, row["missing_fields"])
        if field.startswith("approv"):
            assert row["approves"] is None  # approval unknown, verdict still judged
        else:
            assert row["status"] == "cannot_judge" and "无法判定" in row["problems_zh"]
            assert (row["wrongful_exit"] if status == "exited" else row["missed"]) is None


def test_passing_household_passes_everything() -> None:
    f = _judge([("exited", {}), ("general", {}), ("poor", {})])
    assert f["rules"].to_list() == ["", "", ""] and set(f["status"]) == {"judged"}
    assert PASSING["water_litres_per_person_day"] > RS.value("water.quantity_min_l")
