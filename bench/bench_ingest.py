"""Ingest of 100k simulated submissions (``--quick``: 10k).

The bench builds a truth of N registered households (numpy, the synth truth's columns) and a sample that
lists them all, simulates the fieldwork (ODK Central ZIPs: main CSV + members CSV, default noise), then
ingests the ZIPs into a fresh ``responses/`` in a child process so its time and peak memory are its own.
Peer: Polars reading the same CSVs with no checking (the floor any ingest pays to parse).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import polars as pl

CHILD = r"""
import json, os, sys, time
def hwm_kib():  # peak RSS of this process since exec (VmHWM; ru_maxrss would include the forked parent)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
t0 = time.perf_counter()
from povexit.instruments import ingest, write_responses
base = hwm_kib()
t1, c1 = time.perf_counter(), os.times()
res = write_responses(ingest(sys.argv[1], sys.argv[3:]), sys.argv[2])
t2, c2 = time.perf_counter(), os.times()
print(json.dumps({"seconds": t2 - t1, "cpu_seconds": (c2.user - c1.user) + (c2.system - c1.system),
                  "import_seconds": t1 - t0, "peak_kib": hwm_kib(), "base_kib": base,
                  "households": res.households.height, "members": res.members.height,
                  "errors": int((res.problems["severity"] == "error").sum())}))
"""


def build_world(root: Path, n: int, seed: int = 1) -> tuple[Path, Path]:
    """Truth (households, persons, villages) and a sample listing every registered household."""
    rng = np.random.default_rng(seed)
    n_v = max(10, n // 100)
    vid = np.array([f"V{i:05d}" for i in range(n_v)])
    v_of = np.sort(rng.integers(0, n_v, n))
    hid = np.array([f"{5301000000000 + i}" for i in range(n)])
    persons = rng.choice([1, 2, 3, 4, 5, 6], size=n, p=[0.1, 0.25, 0.25, 0.2, 0.12, 0.08])
    line = 4000.0
    y = line * np.exp(rng.normal(np.log(1.9), 0.3, n))
    net = y * persons
    wage, business, prop = np.rint(net * 0.55), np.rint(net * 0.3), np.rint(net * 0.05)
    transfer = np.rint(net * 0.1)
    cost = np.rint(business * 0.2)
    stable = (wage + business + prop + transfer - cost) / persons
    grade = rng.choice(["A", "B"], size=n)
    hh = pl.DataFrame({
        "household_id": hid, "registered": np.ones(n, bool), "status": rng.choice(["exited", "poor"], size=n, p=[0.9, 0.1]),
        "village_id": vid[v_of], "group": np.array(["一组", "二组", "三组"])[rng.integers(0, 3, n)],
        "persons": persons.astype(np.int32), "persons_sharing": persons.astype(np.int32),
        "income_wage": wage, "income_business": business, "income_property": prop, "income_transfer": transfer,
        "production_cost": cost, "income_windfall": np.zeros(n), "income_per_capita": np.round(stable, 2),
        "income_net_per_capita": np.round(stable, 2), "income_stable": np.ones(n, bool),
        "children_support_capable": np.ones(n, bool), "children_support_provided": np.zeros(n, bool),
        "food_staple_enough": np.ones(n, bool), "food_vegetable_enough": np.ones(n, bool),
        "food_protein_enough": np.ones(n, bool), "clothing_seasonal": np.ones(n, bool), "clothing_change": np.ones(n, bool),
        "water_quality_ok": np.ones(n, bool), "water_litres_per_person_day": np.round(rng.uniform(50, 150, n), 1),
        "water_fetch_minutes": np.zeros(n), "water_reliability_pct": np.round(rng.uniform(96, 100, n), 1),
        "water_days_without": rng.integers(0, 10, n).astype(np.int32), "water_scarce_area": np.zeros(n, bool),
        "has_compulsory_child": rng.random(n) < 0.3, "dropout": np.zeros(n, bool), "home_schooling": np.zeros(n, bool),
        "all_basic_insured": np.ones(n, bool), "all_critical_insured": np.ones(n, bool), "premium_subsidy": np.ones(n, bool),
        "serious_illness_present": np.zeros(n, bool), "medical_policy_gap": np.zeros(n, bool),
        "housing_grade": grade, "housing_safe": np.ones(n, bool), "relocated": np.zeros(n, bool),
        "renovated": np.zeros(n, bool), "approves": rng.random(n) < 0.95,
    }).with_columns(
        pl.when(pl.col("approves")).then(None).otherwise(pl.lit("帮扶措施落实不到位")).alias("disapproval_reason"),
        pl.when(pl.col("status") == "exited").then(True).otherwise(None).alias("approve_exit"),
        pl.when(pl.col("has_compulsory_child")).then(False).otherwise(None).alias("dropout"),
    )
    hh_idx = np.repeat(np.arange(n), persons)
    pos = np.arange(len(hh_idx)) - np.repeat(np.cumsum(persons) - persons, persons)
    m = len(hh_idx)
    pp = pl.DataFrame({
        "household_id": hid[hh_idx], "member_no": (pos + 1).astype(np.int32),
        "name": np.array(["王", "李", "张", "刘"])[rng.integers(0, 4, m)],
        "id_number": np.array([f"53010219{70 + (i % 30):02d}0101{i % 1000:03d}1" for i in range(m)]),
        "relation": np.where(pos == 0, "户主", np.where(pos == 1, "配偶", "之子")),
        "age": np.where(pos < 2, rng.integers(30, 80, m), rng.integers(0, 30, m)).astype(np.int32),
        "sex": np.where(pos % 2 == 0, "M", "F"), "schooling": np.where(pos < 2, "not_in_school", "primary"),
        "health": "healthy", "disability": "none", "labour": np.where(pos < 2, "normal", "none"),
        "basic_insured": np.ones(m, bool), "critical_insured": np.ones(m, bool),
    })
    truth = root / "truth"
    truth.mkdir(parents=True)
    hh.write_parquet(truth / "households.parquet")
    pp.write_parquet(truth / "persons.parquet")
    sample = root / "sample"
    sample.mkdir()
    pl.DataFrame({"county": "县", "township": "镇", "village": [f"村{i}" for i in range(n_v)], "village_id": vid,
                  "stratum": "s", "reason": "random", "p_village": 1.0, "batch": 1}).write_csv(sample / "villages.csv")
    hh.select("household_id", "village_id", "group", pl.lit("registered").alias("instrument"), pl.lit("s").alias("stratum"),
              pl.col("village_id").alias("psu"), pl.lit(1.0).alias("p_village"), pl.lit(1.0).alias("p_household"),
              pl.lit(1.0).alias("weight"), "persons").write_csv(sample / "households.csv")
    return truth, sample


def run(args) -> list[dict]:
    n = 10_000 if getattr(args, "quick", False) else 100_000
    from povexit.instruments import simulate_survey, write_simulated

    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        root = Path(tmp)
        truth, sample = build_world(root, n)
        t0 = time.perf_counter()
        export = simulate_survey(truth, sample, 7)
        sim_s = time.perf_counter() - t0
        fw = write_simulated(export, root / "fieldwork")
        zips = sorted(str(p) for p in fw.glob("*.zip"))
        n_sub = int(export.summary.get("registered_submissions", 0))
        out = subprocess.run([sys.executable, "-c", CHILD, str(sample), str(root / "responses"), *zips],
                             capture_output=True, text=True, check=True)
        child = json.loads(out.stdout.strip().splitlines()[-1])
        # peer: parse the same CSVs with Polars, no checking
        t1 = time.perf_counter()
        for z in zips:
            zf = zipfile.ZipFile(z)
            for name in zf.namelist():
                pl.read_csv(io.BytesIO(zf.read(name)), infer_schema=False)
        parse_s = time.perf_counter() - t1
    rate = n_sub / child["seconds"]
    return [
        {"name": f"ingest {n_sub:,} simulated submissions (ODK Central ZIP, with members)", "value": child["seconds"],
         "unit": "s", "peer": "polars.read_csv of the same CSVs (parse only)", "peer_value": parse_s,
         "ratio": child["seconds"] / parse_s},
        {"name": "  CPU time of the ingest (user + system)", "value": child["cpu_seconds"], "unit": "s"},
        {"name": "ingest throughput", "value": rate, "unit": "submissions/s"},
        {"name": "ingest peak memory (VmHWM of the ingesting process)", "value": child["peak_kib"] / 1024,
         "unit": "MiB"},
        {"name": "  of which after imports, before ingest", "value": child["base_kib"] / 1024, "unit": "MiB"},
        {"name": f"simulate-survey {n:,} households", "value": sim_s, "unit": "s"},
        {"name": "accepted households / member rows", "value": child["households"], "unit": f"/ {child['members']:,}"},
    ]
