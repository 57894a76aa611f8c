"""Report layer: time to write a county's documents and a national summary.

- county: a work directory of the size seed 000 describes (30 villages, ~720 registered + ~600
  non-registered households, ~10 % with problems), built here with numpy so the bench does not
  depend on the other layers; times ``build_county_report`` (docx + pdf + html + xlsx + charts).
- national: 832 counties' estimates (one JSON list) → ``build_summary`` (xlsx + docx + pdf).

There is no peer program to compare with; the figure that matters is that the documents cost seconds
within the demo's 3-minute budget. CPU time is printed beside wall time because the machine is often
shared (WeasyPrint and matplotlib are single-threaded, so CPU time ≈ wall time on an idle core).
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

RULES = ("income.below_line", "water.quantity", "housing.unsafe", "education.dropout", "medical.uninsured",
         "policy.dibao_missing", "food.insufficient")


def make_workdir(root: Path, villages: int, reg_per_village: int, gen_per_village: int, seed: int = 7) -> int:
    rng = np.random.default_rng(seed)
    towns = [f"第{i + 1}镇" for i in range(max(2, villages // 2))]
    vrows, hrows, rrows, frows, srows = [], [], [], [], []
    day0 = np.datetime64("2019-02-14")
    for v in range(villages):
        vid, town = f"V{v:03d}", towns[v % len(towns)]
        vrows.append({"county": "基准县", "township": town, "village": f"村{v}", "village_id": vid,
                      "stratum": "poor" if v % 3 else "nonpoor", "reason": "random", "p_village": 0.1,
                      "fpc_village": 300, "poor_village": v % 3 != 0, "weak_area": v % 2 == 0})
        team = f"E{2 * (v % 6) + 1:02d};E{2 * (v % 6) + 2:02d}"
        day = str(day0 + v // 6)
        for kind, n in (("registered", reg_per_village), ("general", gen_per_village)):
            for h in range(n):
                hid = f"{'H' if kind == 'registered' else 'N'}{v:03d}{h:03d}"
                persons = int(rng.integers(1, 7))
                fired = [r for r in RULES if rng.random() < 0.015]
                we = kind == "registered" and bool(fired) and fired[0] != "policy.dibao_missing"
                mi = kind == "general" and bool(fired)
                hrows.append({"household_id": hid, "county": "基准县", "township": town, "village": f"村{v}",
                              "village_id": vid, "group": f"{h % 8 + 1}组", "status": "exited",
                              "persons": persons, "head_name": "张三", "head_id_number": "530128196001010011"})
                if kind == "registered":
                    srows.append({"household_id": hid, "village_id": vid, "group": f"{h % 8 + 1}组",
                                  "instrument": kind, "stratum": "poor", "psu": vid, "p_village": 0.1,
                                  "p_household": 0.05, "weight": 200.0, "persons": persons})
                rrows.append({"instance_id": f"uuid:{hid}", "household_id": hid, "instrument": kind,
                              "enumerators": team, "started_at": f"{day}T{9 + h % 8:02d}:00:00+08:00",
                              "village_id": vid, "group": f"{h % 8 + 1}组", "township": town, "village": f"村{v}",
                              "approves": bool(rng.random() > 0.05), "disapproval_reason": None})
                frows.append({"household_id": hid, "instrument": kind, "persons": persons,
                              "wrongful_exit": "是" if we else "否", "wrongful_exit_persons": persons if we else 0,
                              "missed": "是" if mi else "否", "missed_persons": persons if mi else 0,
                              "approves": "是", "rules": ";".join(fired),
                              "evidence": json.dumps({r: {"x": 1} for r in fired}),
                              "problems_zh": "；".join(fired), "status": "judged"})
    (root / "registry").mkdir(parents=True)
    pl.DataFrame(hrows).write_parquet(root / "registry" / "households.parquet")
    pl.DataFrame(vrows).select("county", "township", "village", "village_id").with_columns(
        pl.lit("省").alias("province")).write_parquet(root / "registry" / "villages.parquet")
    (root / "sample").mkdir()
    pl.DataFrame(vrows).write_csv(root / "sample" / "villages.csv")
    pl.DataFrame(srows).write_csv(root / "sample" / "households.csv")
    (root / "sample" / "manifest.json").write_text(json.dumps({"design": {"name": "bench"}, "seed": seed}))
    (root / "responses").mkdir()
    pl.DataFrame(rrows).write_parquet(root / "responses" / "households.parquet")
    (root / "findings").mkdir()
    pl.DataFrame(frows).write_csv(root / "findings" / "findings.csv")
    (root / "estimates.json").write_text(json.dumps(estimates("基准县", 0.012, 0.008, 0.004, 0.95)), encoding="utf-8")
    return len(frows)


def estimates(county: str, comp: float, we: float, mi: float, appr: float, province: str = "省") -> dict:
    vals = {"composite_incidence": comp, "wrongful_exit_rate": we, "missed_rate": mi, "approval_rate": appr}
    return {"contract": 1, "county": county, "province": province, "stage": "provisional",
            "indicators": {k: {"official": v, "estimate": v, "se": 0.002, "ci_low": max(0, v - 0.005),
                               "ci_high": min(1, v + 0.005), "ci_method": "beta", "deff": 1.5,
                               "n_households": 1300, "n_persons": 4500, "n_psu": 30} for k, v in vals.items()},
            "thresholds": {"composite_incidence": 0.03}, "decision": "pass", "reasons": [], "near_threshold": []}


def run(args) -> list[dict]:
    from povexit.report import build_county_report, build_summary

    villages, reg, gen, counties = (10, 24, 20, 100) if args.quick else (30, 24, 20, 832)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        n = make_workdir(root / "work", villages, reg, gen)
        build_county_report(root / "work", root / "warm", "zh", formats=("docx",))  # import + font cache
        t0, c0 = time.perf_counter(), time.process_time()
        res = build_county_report(root / "work", root / "out", "zh")
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        name = f"county report, {n} households (docx+pdf+html+xlsx+charts)"
        rows.append({"name": name, "value": dt, "unit": "s"})
        rows.append({"name": name + ", CPU time", "value": dc, "unit": "s"})
        rows.append({"name": "problem-list rows", "value": float(len(res.problems.rows)), "unit": "rows"})
        rng = np.random.default_rng(1)
        items = [estimates(f"县{i:03d}", float(rng.uniform(0, 0.03)), float(rng.choice([0, rng.uniform(0, 0.02)])),
                           float(rng.choice([0, rng.uniform(0, 0.02)])), float(rng.uniform(0.9, 1.0)),
                           province=f"省{i % 22:02d}") for i in range(counties)]
        (root / "all.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        t0, c0 = time.perf_counter(), time.process_time()
        build_summary([root / "all.json"], root / "summary", "zh")
        name = f"summary of {counties} counties (xlsx+docx+pdf)"
        rows.append({"name": name, "value": time.perf_counter() - t0, "unit": "s"})
        rows.append({"name": name + ", CPU time", "value": time.process_time() - c0, "unit": "s"})
    return rows
