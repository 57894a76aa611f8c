"""Design effects of the county sample before and after the self-weighting allocation (the table in
docs/decisions.md, "Sampling: self-weighting").

    .venv/bin/python bench/sampling_design_effects.py [--seeds 100] [--world demo|coverage] [--json F]

The world is a synthetic county (``demo``: what ``povexit demo`` builds, synth seed 2020; ``coverage``:
the county of tests/estimate/test_coverage_simulation.py, synth seed 11, 20,000 households, 1.5%
wrongful exits, 2% missed). For each design and each sampling seed 0…N−1 the project's sampler draws
a sample (``povexit.sampling.draw``), the findings are read from the truth (perfect fieldwork:
``estimate.simulation.truth_findings``) and all samples are estimated in one ``estimate_many`` call.
Reported per indicator: mean and median design effect, mean standard error, and the standard
deviation of the estimates over the seeds (what a design effect is a proxy for); per design the
registered and census weight ranges and Kish's weighting effect 1 + CV²(w) of the registered weights.
Not part of ``bench/run.py`` (it measures statistical efficiency, not speed).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from povexit import synth
from povexit.estimate import estimate_many, simulation
from povexit.registry import load
from povexit.sampling import design_from_mapping, draw

INDICATORS = {"wrongful_exit_rate": "错退率", "missed_rate": "漏评率", "approval_rate": "认可度",
              "missed_rate_census": "漏评率（仅普查组）", "composite_incidence": "综合贫困发生率"}
DESIGNS = {
    # the preset as it was: an equal number of exited households per village, census groups PPS on
    # non-registered population among the sampled villages' groups
    "before (equal, groups pps)": {"households": {"registered": {"allocation": "equal"},
                                                  "general": {"groups": {"method": "pps"}}}},
    # the preset now
    "after (self_weighting)": {},
}
#: ``--alternatives``: what else was weighed (docs/decisions.md)
ALTERNATIVES = {"after, villages PPS on exited households": {"villages": {"size": "exited_households"}}}
WORLDS = {
    "demo": {"seed": 2020},
    "coverage": {"seed": 11, "households": 20000, "wrongful_exit_rate": 0.015, "missed_rate": 0.02},
}


def measure(registry, truth: pl.DataFrame, persons: pl.DataFrame, design_over: dict, seeds: int,
            base: str = "jilin-2018") -> dict:
    design = design_from_mapping({"extends": base, **design_over}, name="measured")
    roster = simulation.roster_map(persons, truth)
    draws, reg_w, cen_w, kish = [], [], [], []
    for seed in range(seeds):
        s = draw(registry, design, seed)
        draws.append((s, simulation.truth_findings(s, truth, roster)))
        w = s.households.filter(pl.col("instrument") == "registered")["weight"].to_numpy()
        reg_w.append((w.min(), w.max()))
        kish.append(len(w) * float((w ** 2).sum()) / float(w.sum()) ** 2)
        g = s.groups["weight"].to_numpy()
        if len(g):
            cen_w.append((g.min(), g.max()))
    sample, findings = simulation.stack(draws)
    results = estimate_many(simulation.replicate_registry(registry, seeds), sample, findings, all_counties=True)
    out: dict = {"indicators": {}}
    for name in INDICATORS:
        deff = np.array([r.indicators[name].deff for r in results], dtype=float)
        se = np.array([r.indicators[name].se for r in results], dtype=float)
        est = np.array([r.indicators[name].estimate for r in results], dtype=float)
        out["indicators"][name] = {"deff_mean": float(np.nanmean(deff)), "deff_median": float(np.nanmedian(deff)),
                                   "se_mean": float(np.nanmean(se)), "sd_estimate": float(np.nanstd(est, ddof=1))}
    rw, cw = np.array(reg_w), np.array(cen_w)
    out["registered_weight"] = {"min": float(rw[:, 0].min()), "max": float(rw[:, 1].max()),
                                "mean_min": float(rw[:, 0].mean()), "mean_max": float(rw[:, 1].mean())}
    out["census_weight"] = {"min": float(cw[:, 0].min()), "max": float(cw[:, 1].max()),
                            "mean_min": float(cw[:, 0].mean()), "mean_max": float(cw[:, 1].mean())}
    out["kish_registered"] = float(np.mean(kish))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--world", choices=sorted(WORLDS), default="demo")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--alternatives", action="store_true", help="also the designs weighed and not chosen")
    args = ap.parse_args(argv)
    designs = {**DESIGNS, **(ALTERNATIVES if args.alternatives else {})}
    with tempfile.TemporaryDirectory() as tmp:
        world = synth.synthesize(synth.SynthParams(**WORLDS[args.world]))
        synth.write_world(world, Path(tmp) / "world")
        registry = load(Path(tmp) / "world" / "registry")
        truth, persons = world.truth["households"], world.truth["persons"]
        rows = {}
        for label, over in designs.items():
            t0 = time.perf_counter()
            rows[label] = measure(registry, truth, persons, over, args.seeds)
            print(f"{label}: {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    labels = list(rows)
    print(f"world {args.world}, {args.seeds} samples per design (jilin-2018), perfect fieldwork\n")
    print("| indicator | " + " | ".join(f"{lab}: deff mean (median) · mean SE · sd of estimates" for lab in labels) + " |")
    print("|---|" + "---|" * len(labels))
    for name, zh in INDICATORS.items():
        cells = []
        for lab in labels:
            m = rows[lab]["indicators"][name]
            cells.append(f"{m['deff_mean']:.2f} ({m['deff_median']:.2f}) · {m['se_mean']:.5f} · {m['sd_estimate']:.5f}")
        print(f"| {zh} `{name}` | " + " | ".join(cells) + " |")
    for key, title in (("registered_weight", "registered weights"), ("census_weight", "census-group weights")):
        cells = [f"{rows[lab][key]['mean_min']:.1f}–{rows[lab][key]['mean_max']:.1f} "
                 f"(all samples {rows[lab][key]['min']:.1f}–{rows[lab][key]['max']:.1f})" for lab in labels]
        print(f"| {title}: mean min–max | " + " | ".join(cells) + " |")
    print("| Kish 1+CV² of registered weights | " + " | ".join(f"{rows[lab]['kish_registered']:.2f}" for lab in labels) + " |")
    if args.json:
        args.json.write_text(json.dumps({"world": args.world, "seeds": args.seeds, "designs": rows},
                                        ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
