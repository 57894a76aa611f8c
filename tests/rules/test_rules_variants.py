"""The same answers judged under two years or two provinces give different verdicts, and each verdict
says which ruleset, version and sourced threshold decided it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rules_helpers import household, registry, responses

from povexit.rules import adjudicate, load_ruleset


def judge(ruleset: str, answers: dict[str, Any], status: str = "exited") -> dict[str, Any]:
    general = status == "general"
    reg = registry([] if general else [{"household_id": "H", "status": status, "exit_year": 2017}])
    hh = household("H", "general" if general else "registered", **answers)
    adj = adjudicate(reg, None, responses(hh), load_ruleset(ruleset))
    return adj.findings.row(0, named=True)


def per_head(amount: float) -> dict[str, Any]:
    return {"persons": 1, "persons_sharing": 1, "income_wage": amount, "income_business": 0.0, "income_property": 0.0,
            "income_transfer": 0.0, "production_cost": 0.0, "income_windfall": 0.0}


def params_of(row: dict[str, Any], rule: str) -> dict[str, Any]:
    (entry,) = [e for e in json.loads(row["evidence"]) if e["rule"] == rule]
    return entry


@pytest.mark.parametrize(
    "answers, passes, fails, rule, param, cite",
    [
        # two years: the line of 2018 (2,995) and of 2019 (3,218), seed 001 §三(二)1
        (per_head(3100), "national-2018", "national-2019", "income.below_line", "income.poverty_line",
         "seed 001 §三(二)1 收入未稳定超过国家扶贫标准"),
        # two provinces in 2018: Jilin at the national line (seed 001), Yunnan at a provincial working line
        (per_head(3200), "jilin-2018", "yunnan-2018", "income.below_line", "income.poverty_line",
         "省定工作线高于国家标准"),
        # water: T/CHES 18-2018 (35 L) in 2020 versus seed 002's 2004 scheme (40 L) in its 2020 evaluation
        ({"water_litres_per_person_day": 36.0}, "national-2020", "midyear-2020", "water.quantity",
         "water.quantity_min_l", "seed 002 附件1（四）40升 / T/CHES 18-2018 35升"),
        ({"water_fetch_minutes": 15.0}, "national-2019", "national-2018", "water.convenience",
         "water.fetch_max_minutes", "2004 scheme 10 minutes / T/CHES 18-2018 20 minutes"),
        # housing: relocation keys handed over — accepted nationally (issue 5), not by seed 001 (Jilin)
        ({"housing_grade": "C", "housing_safe": True, "relocated": True, "relocated_moved_in": False,
          "housing_substitute": "relocation_keys"}, "national-2018", "jilin-2018", "housing.relocation_not_moved_in",
         None, "seed 001 §三(三)2 易地扶贫搬迁户已入住搬迁房"),
    ],
)
def test_same_answers_different_verdicts(answers: dict[str, Any], passes: str, fails: str, rule: str,
                                         param: str | None, cite: str) -> None:
    ok = judge(passes, answers)
    bad = judge(fails, answers)
    assert ok["wrongful_exit"] is False and rule not in ok["rules"], (cite, ok["problems_zh"])
    assert bad["wrongful_exit"] is True and rule in bad["rules"].split(";"), (cite, bad["problems_zh"])
    assert (ok["ruleset"], bad["ruleset"]) == (passes, fails)
    assert bad["ruleset_version"] == load_ruleset(fails).version
    if param:
        entry = params_of(bad, rule)
        rs = load_ruleset(fails)
        assert entry["params"][param] == rs.value(param)
        assert entry["sources"][param] == rs.param(param).source


def test_the_same_household_missed_under_one_line_not_another() -> None:
    """A non-registered household at 3,100 a head is below the 2019 line (漏评) but not the 2018 one."""
    ans = per_head(3100)
    assert judge("national-2018", ans, status="general")["missed"] is False
    r2019 = judge("national-2019", ans, status="general")
    assert r2019["missed"] is True and r2019["missed_persons"] == 1


def test_illustrative_line_is_visible_in_the_evidence() -> None:
    row = judge("yunnan-2018", per_head(3200))
    entry = params_of(row, "income.below_line")
    assert entry["params"]["income.poverty_line"] == 3500
    assert "示例" in entry["sources"]["income.poverty_line"]
    assert row["poverty_line"] == 3500
