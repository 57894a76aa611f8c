"""Every rule, in the order verdicts list them (rule ids are stable: findings, cases and the verification
workflow refer to them)."""

from __future__ import annotations

from . import approval, education, exclusion, food_clothing, housing, income, medical, policy, review, water
from .base import Rule

RULES: tuple[Rule, ...] = (
    *income.RULES,
    *food_clothing.RULES,
    *water.RULES,
    *education.RULES,
    *medical.RULES,
    *housing.RULES,
    *exclusion.RULES,
    *approval.RULES,
    *policy.RULES,
    *review.RULES,
)

BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
assert len(BY_ID) == len(RULES), "duplicate rule id"

PROBLEM_IDS = tuple(r.id for r in RULES if r.kind == "problem")
EXCLUSION_IDS = tuple(r.id for r in RULES if r.kind == "exclusion")


def rule(rule_id: str) -> Rule:
    return BY_ID[rule_id]
