"""Builders for the quality tests: inline CSV tables → typed frames, complete clean interviews, a team
of enumerators with random answers, and a responses directory as ingest writes it."""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from povexit import idnumber
from povexit.quality.frame import coerce_answers

TZ = "Asia/Shanghai"


def table(text: str) -> pl.DataFrame:
    """An inline CSV table (first line header) as the typed frame ingest would hold."""
    df = pl.read_csv(io.StringIO(textwrap.dedent(text).strip() + "\n"), infer_schema=False)
    for c in ("started_at", "ended_at", "submission_date"):
        if c in df.columns:
            df = df.with_columns(pl.col(c).str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", time_zone=TZ, strict=False))
    return coerce_answers(df)


def flags_of(report: Any, check: str | None = None) -> dict[str, set[str]]:
    """instance_id → checks flagged (optionally only ``check``)."""
    out: dict[str, set[str]] = {}
    f = report.flags if check is None else report.flags.filter(pl.col("check") == check)
    for iid, c in f.select("instance_id", "check").iter_rows():
        out.setdefault(iid, set()).add(c)
    return out


def person_id(n: int, year: int = 1970) -> str:
    return idnumber.make("530128", dt.date(year, 1 + n % 12, 1 + n % 27), n, n % 2 == 0)


ANSWERS: dict[str, Any] = {
    "persons": 4, "persons_sharing": 4, "children_support_capable": False, "food_staple_enough": True,
    "food_vegetable_enough": True, "food_protein_enough": True, "clothing_seasonal": True, "clothing_change": True,
    "water_quality_ok": True, "water_litres_per_person_day": 60.0, "water_fetch_minutes": 0.0,
    "water_reliability_pct": 98.0, "water_days_without": 2, "water_scarce_area": False,
    "has_compulsory_child": True, "dropout": False, "all_basic_insured": True, "all_critical_insured": True,
    "premium_subsidy": True, "serious_illness_present": False, "medical_policy_gap": False,
    "chronic_patient_present": False, "hospitalised": False, "housing_grade": "B", "relocated": False,
    "renovated": False, "housing_safe": True, "income_wage": 24000.0, "income_business": 3000.0,
    "income_property": 500.0, "income_transfer": 2600.0, "production_cost": 1500.0, "income_windfall": 0.0,
    "income_net_per_capita": 7150.0, "income_stable": True, "industry_eligible": True,
    "industry_project_running": True, "employment_unemployed_able": False, "finance_loan_status": "unwilling",
    "employment_support": "training", "pension_paid": True, "village_team_help": "visits",
    "dibao_missing": False, "tekun_missing": False, "temp_relief_missing": False, "disability_cert_missing": False,
    "village_team_weakened": False, "exit_known": True, "exit_acknowledged": True, "exit_sustained": True,
    "approve_policy": True, "approve_help": True, "approve_results": True, "approve_exit": True,
    "approve_cadres": True, "approves": True, "photo_house": "house.jpg",
}


def interview(instance_id: str, household_id: str, start: str, minutes: float = 40, *, enumerators: str = "E01;E02",
              village_id: str = "V1", county: str = "甲县", instrument: str = "registered",
              gps: str | None = "25.000000 102.000000 1800 5", **answers: Any) -> dict[str, Any]:
    """One complete, clean interview (answers ANSWERS overridden by ``answers``)."""
    t0 = dt.datetime.fromisoformat(start).replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return {"instance_id": instance_id, "household_id": household_id, "instrument": instrument, "county": county,
            "township": "甲镇", "village": f"村{village_id}", "village_id": village_id, "group": "一组",
            "enumerators": enumerators, "started_at": t0, "ended_at": t0 + dt.timedelta(minutes=minutes),
            "submission_date": t0 + dt.timedelta(minutes=minutes + 60), "gps": gps, "interview_result": "completed",
            **(ANSWERS | answers)}


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    df = pl.DataFrame(rows, infer_schema_length=None)
    return df.with_columns([pl.col(c).dt.convert_time_zone(TZ) for c in ("started_at", "ended_at", "submission_date")])


VARIED = ("income_wage", "income_business", "income_property", "income_transfer", "production_cost",
          "water_litres_per_person_day", "water_reliability_pct", "water_days_without", "persons", "persons_sharing",
          "housing_grade", "has_compulsory_child", "premium_subsidy", "chronic_patient_present")


def varied_answers(rng: np.random.Generator) -> dict[str, Any]:
    """The answers that differ from household to household (VARIED), drawn at random."""
    persons = int(rng.integers(1, 7))
    return {
        "income_wage": float(rng.integers(1000, 40000)), "income_business": float(rng.integers(0, 9000)),
        "income_property": float(rng.integers(0, 2000)), "income_transfer": float(rng.integers(500, 6000)),
        "production_cost": float(rng.integers(0, 3000)), "water_litres_per_person_day": float(rng.integers(40, 90)),
        "water_reliability_pct": float(rng.integers(95, 101)), "water_days_without": int(rng.integers(0, 15)),
        "persons": persons, "persons_sharing": persons, "housing_grade": str(rng.choice(["A", "B"])),
        "has_compulsory_child": bool(rng.random() < 0.4), "premium_subsidy": bool(rng.random() < 0.5),
        "chronic_patient_present": bool(rng.random() < 0.2),
    }


def team(rng: np.random.Generator, *, pairs: int = 12, per_pair: int = 30, villages: int = 6,
         no_problem: float = 0.7, approves: float = 0.9, county: str = "甲县") -> pl.DataFrame:
    """A fieldwork team under the null: every pair works in every village, answers drawn from the same
    distributions (village-level income differences only)."""
    village_income = {f"V{v}": 5000 * (1 + v) for v in range(villages)}
    rows = []
    k = 0
    for p in range(pairs):
        enum = f"E{2 * p + 1:02d};E{2 * p + 2:02d}"
        for i in range(per_pair):
            v = f"V{i % villages}"
            day = dt.date(2019, 2, 13) + dt.timedelta(days=i // 6)
            start = dt.datetime.combine(day, dt.time(8, 0)) + dt.timedelta(minutes=90 * (i % 6))
            fine = bool(rng.random() < no_problem)
            rows.append(interview(
                f"u{k:05d}", f"H{k:05d}", start.isoformat(), min(85.0, float(np.exp(rng.normal(np.log(40), 0.25)))),
                enumerators=enum, village_id=v, county=county,
                gps=f"{25 + 0.01 * int(v[1:]) + rng.normal(0, 0.002):.6f} {102 + rng.normal(0, 0.002):.6f} 1800 5",
                food_protein_enough=fine, housing_safe=True, approves=bool(rng.random() < approves),
                income_net_per_capita=float(village_income[v] * np.exp(rng.normal(0, 0.3))),
                **varied_answers(rng),
            ))
            k += 1
    return frame(rows)


def write_responses(root: Path, households: pl.DataFrame, members: pl.DataFrame | None = None) -> Path:
    """A ``responses/`` directory as ingest writes it (Parquet + ingest.json)."""
    d = root / "responses"
    d.mkdir(parents=True, exist_ok=True)
    households.write_parquet(d / "households.parquet")
    if members is not None:
        members.write_parquet(d / "members.parquet")
    (d / "ingest.json").write_text('{"counts": {}}\n', encoding="utf-8")
    (d / ".povexit").write_text('{"kind": "responses"}\n', encoding="utf-8")
    return d


def write_sample(root: Path, households_csv: str, villages_csv: str) -> Path:
    d = root / "sample"
    d.mkdir(parents=True, exist_ok=True)
    (d / "households.csv").write_text(textwrap.dedent(households_csv).lstrip(), encoding="utf-8")
    (d / "villages.csv").write_text(textwrap.dedent(villages_csv).lstrip(), encoding="utf-8")
    return d
