"""Helpers of the rules tests (a module with a unique name, imported by the test files): a small
registry, inline responses, and a baseline household whose answers pass every rule, so each test case
changes only the answers it is about."""

from __future__ import annotations

from typing import Any

import polars as pl

from povexit.registry.model import Registry

# Answers of a household that meets every standard (national rulesets), with a member list.
PASSING: dict[str, Any] = {
    "persons": 3, "persons_sharing": 3,
    "children_support_capable": False, "children_support_provided": None,
    "income_wage": 15000.0, "income_business": 3000.0, "income_property": 0.0, "income_transfer": 1200.0,
    "production_cost": 1200.0, "income_windfall": 0.0, "income_stable": True,
    "food_staple_enough": True, "food_vegetable_enough": True, "food_protein_enough": True,
    "clothing_seasonal": True, "clothing_change": True,
    "water_quality_ok": True, "water_litres_per_person_day": 60.0, "water_fetch_minutes": 0.0,
    "water_horizontal_m": None, "water_vertical_m": None, "water_reliability_pct": 100.0,
    "water_days_without": 0, "water_scarce_area": False,
    "has_compulsory_child": True, "dropout": False, "dropout_count": None, "dropout_reason": None,
    "home_schooling": None, "persuaded_back": None,
    "all_basic_insured": True, "all_critical_insured": True, "premium_subsidy": True,
    "serious_illness_present": False, "medical_expense_excessive": None, "medical_basic_life_secured": None,
    "housing_grade": "B", "housing_safe": True, "relocated": False, "relocated_moved_in": None,
    "renovated": False, "renovation_finished": None, "renovation_occupied": None, "housing_substitute": None,
    "approves": True, "disapproval_reason": None,
    "approve_policy": True, "approve_help": True, "approve_results": True, "approve_exit": True,
    "approve_cadres": True,
}


def household(hid: str, instrument: str = "registered", **answers: Any) -> dict[str, Any]:
    row = {"instance_id": f"uuid:{hid}", "household_id": hid, "instrument": instrument, **PASSING}
    if instrument == "general":
        for k in ("approve_policy", "approve_help", "approve_results", "approve_exit", "approve_cadres",
                  "premium_subsidy"):
            row[k] = None
    row.update(answers)
    return row


def responses(*rows: dict[str, Any], members: list[dict[str, Any]] | None = None) -> Any:
    from povexit.rules import ResponsesData

    keys = list(dict.fromkeys(k for r in rows for k in r))
    hh = pl.DataFrame([{k: r.get(k) for k in keys} for r in rows], infer_schema_length=None)
    mem = pl.DataFrame(members, infer_schema_length=None) if members else None
    return ResponsesData(hh, mem, "test")


REG_SCHEMA = {"household_id": pl.String, "status": pl.String, "exit_year": pl.Int32, "persons": pl.Int32,
              "relocated": pl.Boolean, "housing_grade": pl.String, "province": pl.String, "county": pl.String,
              "township": pl.String, "village": pl.String, "village_id": pl.String, "group": pl.String}
ROSTER_SCHEMA = {"source": pl.String, "source_code": pl.String, "kind": pl.String, "id_number": pl.String,
                 "name": pl.String, "county": pl.String, "township": pl.String, "village": pl.String,
                 "group": pl.String, "detail": pl.String, "in_registry": pl.Boolean, "household_id": pl.String}


def registry(households: list[dict[str, Any]], rosters: list[dict[str, Any]] | None = None,
             province: str = "吉林省", exit_year: int | None = None) -> Registry:
    base = {"province": province, "county": "某县", "township": "某乡", "village": "某村", "village_id": "V1",
            "group": "一组", "exit_year": None, "persons": 3, "relocated": False, "housing_grade": "B"}
    rows = [{**base, **h} for h in households]
    hh = pl.DataFrame([{k: r.get(k) for k in REG_SCHEMA} for r in rows], schema=REG_SCHEMA)
    ro = pl.DataFrame([{k: r.get(k) for k in ROSTER_SCHEMA} for r in (rosters or [])], schema=ROSTER_SCHEMA)
    counties = pl.DataFrame({"province": [province], "city": ["某市"], "county": ["某县"], "region": ["central"],
                             "poverty_threshold": [0.02], "exit_year": [exit_year]},
                            schema={"province": pl.String, "city": pl.String, "county": pl.String,
                                    "region": pl.String, "poverty_threshold": pl.Float64, "exit_year": pl.Int32})
    empty = pl.DataFrame()
    return Registry(persons=empty, households=hh, villages=pl.DataFrame({"province": [province]}), groups=empty,
                    rosters=ro, counties=counties)
