"""Field data-quality checks: 100k household interviews (``--quick``: 10k) with four members each, a
registry, and every check (durations, overlaps, daily load, GPS, duplicates, copying, registry
consistency, enumerator statistics), vectorised (Polars; the copy comparison in NumPy blocks).
Also the back-check draw and writing ``quality/``. No peer: no other tool runs these checks."""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from povexit.quality import check, draw_backcheck, write_quality
from povexit.registry.model import Registry

TZ = "Asia/Shanghai"


def make_inputs(n: int, seed: int = 11, counties: int | None = None) -> tuple[dict[str, pl.DataFrame], Registry]:
    """``n`` interviews by teams of 24 pairs per county (≈ 1,200 interviews a county, 30 villages), 8 days."""
    rng = np.random.default_rng(seed)
    counties = counties or max(1, n // 1200)
    county = rng.integers(0, counties, n)
    village = rng.integers(0, 30, n)
    pair = rng.integers(0, 24, n)
    registered = rng.random(n) < 0.6
    order = np.lexsort((rng.random(n), pair, county))
    # each pair works through its interviews in order, 55 min apart, 10 a day from 08:00
    slot = np.empty(n, dtype=np.int64)
    slot[order] = np.concatenate([np.arange(c) for c in np.bincount(county * 24 + pair, minlength=counties * 24)])
    day0 = np.datetime64("2019-02-13T08:00")
    start = (day0 + (slot // 10).astype("timedelta64[D]") + (55 * (slot % 10)).astype("timedelta64[m]")).astype(
        "datetime64[us]")
    minutes = np.clip(np.exp(rng.normal(np.log(38), 0.2, n)), 12, 52).round(1)  # within the 55-minute slot
    persons = rng.integers(1, 7, n)
    yn = lambda p: rng.random(n) >= p  # noqa: E731 - True with probability 1 - p
    ids = np.array([f"H{i:07d}" for i in range(n)], dtype=object)
    base_lat, base_lon = 24 + county * 0.1 + village * 0.01, 100 + county * 0.1 + village * 0.01
    hh = pl.DataFrame({
        "instance_id": [f"uuid:{i:08d}" for i in range(n)], "household_id": ids.tolist(),
        "instrument": np.where(registered, "registered", "general"),
        "county": [f"县{c:03d}" for c in county], "township": [f"镇{v // 6}" for v in village],
        "village": [f"村{v}" for v in village], "village_id": [f"{c:03d}{v:03d}" for c, v in zip(county, village, strict=True)],
        "enumerators": [f"E{2 * p + 1:02d};E{2 * p + 2:02d}" for p in pair],
        "started_at": start, "ended_at": start + (minutes * 60e6).astype("timedelta64[us]"),
        "submission_date": start + np.timedelta64(6, "h"),
        "gps": [f"{a:.6f} {b:.6f} 1800 {c:.1f}" for a, b, c in zip(
            base_lat + rng.normal(0, 0.004, n), base_lon + rng.normal(0, 0.004, n), rng.uniform(3, 20, n),
            strict=True)],
        "interview_result": ["completed"] * n,
        "persons": persons, "persons_sharing": persons,
        "income_wage": rng.gamma(4.0, 3000, n).round(0), "income_business": rng.gamma(1.5, 1500, n).round(0),
        "income_property": rng.gamma(0.3, 300, n).round(0), "income_transfer": rng.gamma(1.0, 1200, n).round(0),
        "production_cost": rng.gamma(1.0, 500, n).round(0), "income_windfall": np.zeros(n),
        "income_stable": yn(0.03), "children_support_capable": yn(0.5),
        "food_staple_enough": yn(0.004), "food_vegetable_enough": yn(0.004), "food_protein_enough": yn(0.05),
        "clothing_seasonal": yn(0.003), "clothing_change": yn(0.003), "water_quality_ok": yn(0.01),
        "water_litres_per_person_day": rng.uniform(36, 150, n).round(0), "water_fetch_minutes": np.zeros(n),
        "water_reliability_pct": rng.uniform(91, 100, n).round(1), "water_days_without": rng.integers(0, 30, n),
        "water_scarce_area": ~yn(0.1), "has_compulsory_child": ~yn(0.4), "dropout": ~yn(0.002),
        "all_basic_insured": yn(0.003), "all_critical_insured": yn(0.003), "premium_subsidy": yn(0.01),
        "serious_illness_present": ~yn(0.05), "housing_grade": rng.choice(["A", "B", "C"], n, p=[0.45, 0.53, 0.02]),
        "housing_safe": yn(0.01), "relocated": ~yn(0.05), "renovated": ~yn(0.5), "approves": yn(0.05),
        "photo_house": np.where(rng.random(n) < 0.9, "house.jpg", None).tolist(),
    }, strict=False).with_columns(
        pl.col("started_at").dt.replace_time_zone(TZ), pl.col("ended_at").dt.replace_time_zone(TZ),
        pl.col("submission_date").dt.replace_time_zone(TZ),
        ((pl.col("income_wage") + pl.col("income_business") + pl.col("income_property") + pl.col("income_transfer")
          - pl.col("production_cost")) / pl.col("persons_sharing")).alias("income_net_per_capita"),
    )
    m = 4 * n
    owner = np.repeat(np.arange(n), 4)
    id_numbers = [f"5301{i:013d}X" for i in range(m)]
    members = pl.DataFrame({"instance_id": hh["instance_id"].gather(owner), "household_id": hh["household_id"].gather(owner),
                            "member_no": np.tile(np.arange(1, 5), n), "member_name": [f"名{i % 997}" for i in range(m)],
                            "member_id_number": id_numbers})
    reg_hh = hh.filter(pl.col("instrument") == "registered").select(
        "household_id", pl.lit("exited").alias("status"), pl.col("persons").cast(pl.Int32),
        (pl.col("income_net_per_capita") * np.exp(rng.normal(0, 0.2, int(registered.sum())))).alias("income_per_capita"))
    persons_df = members.join(reg_hh.select("household_id"), on="household_id", how="semi").select(
        "household_id", pl.col("member_name").alias("name"), pl.col("member_id_number").alias("id_number"))
    empty = pl.DataFrame()
    reg = Registry(persons=persons_df, households=reg_hh, villages=empty, groups=empty, rosters=empty, counties=empty)
    nonresponse = hh.sample(fraction=0.03, seed=seed).select(
        (pl.col("instance_id") + "-nr").alias("instance_id"), "household_id", "instrument", "county", "village_id",
        "enumerators", pl.lit("not_found").alias("interview_result"))
    return {"households": hh, "members": members, "nonresponse": nonresponse}, reg


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(args: Any) -> list[dict[str, Any]]:
    n = 10_000 if getattr(args, "quick", False) else 100_000
    t0 = time.perf_counter()
    data, reg = make_inputs(n)
    t_make = time.perf_counter() - t0
    check(make_inputs(2400, seed=1)[0])  # warm-up: form schemas, Polars plans
    t0 = time.perf_counter()
    c0 = time.process_time()
    rep = check(data, registry=reg)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    t0 = time.perf_counter()
    draw = draw_backcheck(data, 0.05, 2019)
    t_draw = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        write_quality(rep, Path(tmp) / "quality")
        t_write = time.perf_counter() - t0
    return [
        {"name": f"check {n:,} interviews + {4 * n:,} members (all checks, with registry)", "value": wall, "unit": "s"},
        {"name": "check: CPU time", "value": cpu, "unit": "s"},
        {"name": "check: interviews per second", "value": n / wall, "unit": "/s"},
        {"name": "flags found", "value": float(rep.flags.height), "unit": "rows"},
        {"name": "back-check draw (5 %)", "value": t_draw, "unit": "s"},
        {"name": f"back-check drawn ({draw.selected.height} rows)", "value": float(draw.selected.height), "unit": "rows"},
        {"name": "write quality/", "value": t_write, "unit": "s"},
        {"name": "make synthetic inputs", "value": t_make, "unit": "s"},
        {"name": "peak RSS", "value": _peak_mb(), "unit": "MB"},
        {"name": "fieldwork days", "value": float(len(rep.summary["fieldwork_days"])), "unit": "days"},
    ]


if __name__ == "__main__":  # pragma: no cover
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    for r in run(ap.parse_args()):
        print(f"{r['name']}: {r['value']:.4g} {r['unit']}")
