"""Indicators for 832 counties × ~1000 households (the national scale of the 2018–2020 exits), and the
same computation in R's survey in the same run.

povexit: ``estimate_many`` over one stacked sample (every county a group of one pass): 错退率, 漏评率,
认可度 with Korn–Graubard intervals, the composite with its delta-method SE, decision and
near-threshold search. R: per county, ``svydesign`` + ``svyratio`` (two domains) + ``svyciprop(beta)``
+ ``svytotal``/``svycontrast`` for the composite — the computation an analyst would script in R.
Both are timed on data already in memory; the R side is skipped with a message when Rscript or its
survey package is missing. The first county's standard errors are compared as a check.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

COUNTIES = 832

R_SCRIPT = r"""
suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")
args <- commandArgs(trailingOnly = TRUE)
dat <- read.csv(args[1], stringsAsFactors = FALSE)
tot <- read.csv(args[2], stringsAsFactors = FALSE)
counties <- unique(dat$county)
t0 <- Sys.time()
out <- vector("list", length(counties))
for (i in seq_along(counties)) {
  sub <- dat[dat$county == counties[i], ]
  tt0 <- tot[tot$county == counties[i], ]
  d <- svydesign(id = ~village, strata = ~stratum, weights = ~w, data = sub)
  r1 <- svyratio(~y_w, ~x_w, subset(d, exited == 1))
  r2 <- svyratio(~y_m, ~x_m, subset(d, census == 1))
  ap <- svyciprop(~approves, subset(d, hh == 1 & !is.na(approves)), method = "beta")
  d2 <- update(d, y1 = y_w * exited, x1 = x_w * exited, y2 = y_m * census, x2 = x_m * census)
  tt <- svytotal(~y1 + x1 + y2 + x2, d2)
  comp <- svycontrast(tt, bquote((.(tt0$U) + .(tt0$E) * y1 / x1 + .(tt0$N) * y2 / x2) / .(tt0$A)))
  out[[i]] <- c(coef(r1), SE(r1), coef(r2), SE(r2), coef(ap), confint(ap), coef(comp), SE(comp))
}
elapsed <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
cat("ELAPSED", elapsed, "\n")
cat("FIRST", format(out[[1]], digits = 17), "\n")
"""


def _data(counties: int):
    from povexit.estimate import simulation

    pop = simulation.make_population(np.random.default_rng(2019))
    sample, findings = simulation.draw_many(pop, list(range(counties)))
    return pop, sample, findings


def _flat(pop, sample, findings) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The same data as one CSV for R: design rows (households and census groups) and totals."""
    v = sample.villages.select("village_id", "county", "stratum", "p_village")
    h = sample.households.select("household_id", "weight")
    reg = findings.filter(pl.col("instrument") == "registered").join(h, on="household_id").join(
        v, on="village_id").select(
        "county", "stratum", village="village_id", w="weight", y_w="wrongful_exit_persons", x_w="persons",
        exited=pl.lit(1), y_m=pl.lit(0.0), x_m=pl.lit(0.0), census=pl.lit(0), hh=pl.lit(1),
        approves=pl.col("approves").cast(pl.Int32))
    g = sample.groups.join(v.drop("county"), on="village_id")
    gen = findings.filter(pl.col("instrument") == "general").join(
        g.select("village_id", "group", "stratum", "county", w=1 / (pl.col("p_village") * pl.col("p_group"))),
        on=["village_id", "group"])
    hh = gen.select("county", "stratum", village="village_id", w="w", y_w=pl.lit(0.0), x_w=pl.lit(0.0),
                    exited=pl.lit(0), y_m=pl.lit(0.0), x_m=pl.lit(0.0), census=pl.lit(0), hh=pl.lit(1),
                    approves=pl.col("approves").cast(pl.Int32))
    missed = gen.group_by("village_id", "group").agg(m=pl.col("missed_persons").sum())
    grp = g.join(missed, on=["village_id", "group"], how="left").select(
        "county", "stratum", village="village_id", w=1 / (pl.col("p_village") * pl.col("p_group")),
        y_w=pl.lit(0.0), x_w=pl.lit(0.0), exited=pl.lit(0), y_m=pl.col("m").fill_null(0.0),
        x_m=pl.col("nonregistered_population").cast(pl.Float64), census=pl.lit(1), hh=pl.lit(0),
        approves=pl.lit(None, dtype=pl.Int32))
    t = pop.totals
    counties = sample.villages["county"].unique(maintain_order=True)
    totals = pl.DataFrame({"county": counties, "A": t["A"], "U": t["U"], "E": t["E"],
                           "N": t["A"] - t["U"] - t["E"]})
    return pl.concat([reg, hh, grp], how="vertical_relaxed"), totals


def _r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    return subprocess.run(["Rscript", "-e", "suppressMessages(library(survey))"], capture_output=True).returncode == 0


def run(args) -> list[dict]:
    from povexit.estimate import estimate_many

    counties = 40 if getattr(args, "quick", False) else COUNTIES
    pop, sample, findings = _data(counties)
    registry = pop.registry(copies=counties)
    n_households = findings.height
    t0 = time.perf_counter()
    results = estimate_many(registry, sample, findings, all_counties=True, fpc="no")
    ours = time.perf_counter() - t0
    row: dict = {"name": f"estimate {counties} counties × {n_households / counties:.0f} households", "value": ours,
                 "unit": "s"}
    rows = [row]
    if not _r_available():
        print("  R with the survey package is not installed: skipping the R comparison "
              "(apt-get install r-base-core r-cran-survey)")
        return rows
    flat, totals = _flat(pop, sample, findings)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        flat.write_csv(d / "data.csv")
        totals.write_csv(d / "totals.csv")
        (d / "bench.R").write_text(R_SCRIPT, encoding="utf-8")
        proc = subprocess.run(["Rscript", str(d / "bench.R"), str(d / "data.csv"), str(d / "totals.csv")],
                              capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        print("  R failed:", proc.stderr[-500:])
        return rows
    lines = {ln.split()[0]: ln.split()[1:] for ln in proc.stdout.splitlines() if ln.startswith(("ELAPSED", "FIRST"))}
    r_time = float(lines["ELAPSED"][0])
    row.update(peer="R survey", peer_value=r_time, ratio=r_time / ours)
    first = [float(x) for x in lines["FIRST"]]
    r0 = results[0].indicators
    ours_first = [r0["wrongful_exit_rate"].estimate, r0["wrongful_exit_rate"].se, r0["missed_rate"].estimate,
                  r0["missed_rate"].se, r0["approval_rate"].estimate, r0["approval_rate"].ci_low,
                  r0["approval_rate"].ci_high, r0["composite_incidence"].estimate, r0["composite_incidence"].se]
    diff = max(abs(a - b) / abs(b) for a, b in zip(ours_first, first, strict=True) if b)
    rows.append({"name": "largest relative difference from R (first county)", "value": diff, "unit": ""})
    return rows


if __name__ == "__main__":
    import argparse

    for r in run(argparse.Namespace(quick=False)):
        print(r)
