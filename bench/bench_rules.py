"""Adjudication speed: 100k interviewed households (``--quick``: 10k) with members, rosters and every
rule, vectorised (Polars). Peer: the same engine called household by household (one-row inputs, as a
per-household loop would run it) on 100 households, scaled to n — the cost the vectorised design avoids."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from povexit.registry.model import Registry
from povexit.rules import RULES, ResponsesData, adjudicate, load_ruleset, write_findings


def make_inputs(n: int, seed: int = 7) -> tuple[Registry, ResponsesData]:
    rng = np.random.default_rng(seed)
    ids = np.array([f"H{i:07d}" for i in range(n)], dtype=object)
    registered = rng.random(n) < 0.6
    status = np.where(registered, np.where(rng.random(n) < 0.9, "exited", "poor"), None)
    instrument = np.where(registered, "registered", "general")
    persons = rng.integers(1, 7, n)
    yn = lambda p: rng.random(n) >= p  # noqa: E731 - True with probability 1 - p
    hh = pl.DataFrame({
        "instance_id": [f"uuid:{i}" for i in ids], "household_id": ids.tolist(), "instrument": instrument,
        "persons": persons, "persons_sharing": persons,
        "income_wage": rng.gamma(4.0, 3000, n) * persons, "income_business": rng.gamma(1.5, 1500, n),
        "income_property": rng.gamma(0.3, 300, n), "income_transfer": rng.gamma(1.0, 1200, n),
        "production_cost": rng.gamma(1.0, 500, n), "income_windfall": np.where(rng.random(n) < 0.03, 3000.0, 0.0),
        "income_stable": yn(0.03),
        "children_support_capable": yn(0.5), "children_support_provided": yn(0.3),
        "food_staple_enough": yn(0.004), "food_vegetable_enough": yn(0.004), "food_protein_enough": yn(0.004),
        "clothing_seasonal": yn(0.003), "clothing_change": yn(0.003),
        "water_quality_ok": yn(0.004),
        "water_litres_per_person_day": np.where(rng.random(n) < 0.005, rng.uniform(8, 30, n),
                                                rng.uniform(36, 150, n)).round(1),
        "water_fetch_minutes": np.where(rng.random(n) < 0.8, 0.0, np.where(rng.random(n) < 0.02,
                                        rng.uniform(25, 45, n), rng.uniform(1, 18, n))).round(0),
        "water_horizontal_m": rng.uniform(10, 700, n).round(0), "water_vertical_m": rng.uniform(0, 70, n).round(0),
        "water_reliability_pct": rng.uniform(91, 100, n).round(1),
        "water_days_without": np.where(rng.random(n) < 0.005, rng.integers(40, 90, n), rng.integers(0, 30, n)),
        "water_scarce_area": ~yn(0.1),
        "has_compulsory_child": ~yn(0.4), "dropout": ~yn(0.002), "dropout_count": np.ones(n, dtype=np.int64),
        "dropout_reason": rng.choice(["hardship", "unwilling", "health", "other"], n),
        "home_schooling": ~yn(0.7), "persuaded_back": yn(0.5),
        "all_basic_insured": yn(0.003), "all_critical_insured": yn(0.003), "premium_subsidy": yn(0.01),
        "serious_illness_present": ~yn(0.05), "medical_expense_excessive": ~yn(0.3),
        "medical_basic_life_secured": yn(0.02),
        "housing_grade": rng.choice(["A", "B", "C", "D", "unassessed"], n, p=[0.45, 0.5, 0.02, 0.01, 0.02]),
        "housing_safe": yn(0.005), "relocated": ~yn(0.05), "relocated_moved_in": yn(0.02), "renovated": ~yn(0.5),
        "renovation_finished": yn(0.05), "renovation_occupied": yn(0.05),
        "housing_substitute": rng.choice(["none", "long_term_rent", "living_with_children"], n, p=[0.5, 0.25, 0.25]),
        "approves": yn(0.05), "disapproval_reason": np.where(rng.random(n) < 0.05, "帮扶不到位", None).tolist(),
        "approve_policy": yn(0.02), "approve_help": yn(0.02), "approve_results": yn(0.02), "approve_exit": yn(0.02),
        "approve_cadres": yn(0.02), "dibao_missing": ~yn(0.01), "missed_judgement": ~yn(0.01),
    }, strict=False)
    # missing answers here and there
    hh = hh.with_columns(pl.when(pl.int_range(pl.len()) % 97 == 0).then(None).otherwise(pl.col("water_quality_ok"))
                         .alias("water_quality_ok"))
    k = persons.sum()
    owner = np.repeat(np.arange(n), persons)
    member_ids = np.array([str(220821000000000000 + i) for i in range(k)], dtype=object)
    ages = rng.integers(0, 90, k)
    members = pl.DataFrame({
        "instance_id": [f"uuid:{ids[o]}" for o in owner], "member_no": np.arange(k) - np.repeat(
            np.cumsum(persons) - persons, persons) + 1,
        "member_id_number": member_ids.tolist(), "member_age": ages,
        "member_schooling": np.where((ages >= 6) & (ages <= 15), np.where(rng.random(k) < 0.0005, "dropout", "primary"),
                                     "not_in_school"),
        "member_basic_insurance": rng.random(k) > 0.001, "member_critical_insurance": rng.random(k) > 0.001,
    })
    reg_ids = ids[registered]
    households = pl.DataFrame({
        "household_id": reg_ids.tolist(), "status": status[registered].tolist(), "exit_year": np.full(len(reg_ids), 2017),
        "persons": persons[registered], "relocated": np.zeros(len(reg_ids), dtype=bool),
        "housing_grade": np.full(len(reg_ids), "B"), "province": "吉林省", "county": "某县", "township": "某乡",
        "village": "某村", "village_id": "V1", "group": "一组",
    })
    pick = rng.choice(k, size=max(1, k // 300), replace=False)
    rosters = pl.DataFrame({
        "source": "车辆", "source_code": rng.choice(["vehicle", "public_employee", "dibao"], len(pick)),
        "id_number": member_ids[pick].tolist(), "household_id": None,
    }).with_columns(pl.when(pl.col("source_code") == "dibao").then(pl.lit("vulnerability"))
                    .otherwise(pl.lit("exclusion")).alias("kind"))
    empty = pl.DataFrame()
    reg = Registry(persons=empty, households=households, villages=pl.DataFrame({"province": ["吉林省"]}),
                   groups=empty, rosters=rosters, counties=empty)
    return reg, ResponsesData(hh, members, "bench")


def run(args: Any) -> list[dict[str, Any]]:
    n = 10_000 if getattr(args, "quick", False) else 100_000
    reg, resp = make_inputs(n)
    rs = load_ruleset("national-2019")
    adjudicate(reg, None, ResponsesData(resp.households.head(100), resp.members, "warm"), rs)  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    adj = adjudicate(reg, None, resp, rs)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    with tempfile.TemporaryDirectory() as tmp:
        t2 = time.perf_counter()
        write_findings(adj, Path(tmp) / "findings")
        dt_write = time.perf_counter() - t2
    # peer: one household at a time (the loop a per-household implementation would run), on a subset
    m = 100
    sub = resp.households.head(m)
    members = resp.members.filter(pl.col("instance_id").is_in(sub["instance_id"].implode()))
    t1 = time.perf_counter()
    for i in range(m):
        one = sub.slice(i, 1)
        adjudicate(reg, None, ResponsesData(one, members.filter(pl.col("instance_id") == one["instance_id"][0]),
                                            "one"), rs)
    per_one = (time.perf_counter() - t1) / m
    return [
        {"name": f"adjudicate {n} households", "value": dt, "unit": "s",
         "peer": "one household at a time (scaled)", "peer_value": per_one * n, "ratio": dt / (per_one * n)},
        {"name": "adjudicate CPU time (all threads)", "value": cpu, "unit": "s"},
        {"name": "households per second", "value": n / dt, "unit": "hh/s"},
        {"name": f"write findings/ ({n} households, verdicts.parquet {n * len(RULES)} rows)", "value": dt_write, "unit": "s"},
        {"name": "suspected wrongful exits + missed", "value": float(adj.cases.height), "unit": "cases"},
    ]


if __name__ == "__main__":  # pragma: no cover
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    for row in run(ap.parse_args()):
        print(row)
