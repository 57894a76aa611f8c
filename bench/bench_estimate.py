"""Indicators for 832 counties × ~1000 households (the national scale of the 2018–2020 exits), and the
same computation in R's survey in the same run.

povexit: ``estimate_many`` over one stacked sample (every county a group of one pass): 错退率, 漏评率
from the roster hits of every sampled village and the census groups, 认可度 with Korn–Graubard
intervals, the composite with its delta-method SE, decision and near-threshold advice. R: per county,
``svydesign`` + ``svyratio`` (exited domain) + ``svyciprop(beta)`` + ``svytotal``/``svycontrast`` for
漏评率 (yR/xV + yC/xG) and the composite — the computation an analyst would script in R.
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
  ap <- svyciprop(~approves, subset(d, hh == 1 & !is.na(approves)), method = "beta")
  d2 <- update(d, y1 = y_w * exited, x1 = x_w * exited)
  tt <- svytotal(~y1 + x1 + yR + xV + yC + xG, d2)
  r2 <- svycontrast(tt, quote(yR / xV + yC / xG))
  comp <- svycontrast(tt, bquote((.(tt0$U) + .(tt0$E) * y1 / x1 + .(tt0$N) * (yR / xV + yC / xG)) / .(tt0$A)))
  out[[i]] <- c(coef(r1), SE(r1), coef(r2), SE(r2), coef(ap), confint(ap), coef(comp), SE(comp))
}
elapsed <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
cat("ELAPSED", elapsed, "\n")
cat("FIRST", format(out[[1]], digits = 17), "\n")
"""


def _data(counties: int):
    from povexit.estimate import simulation

    pop = simulation.make_population(np.random.default_rng(2019))
    sample, findings = simulation.draw_many(pop, list(range(counties)), roster=True)
    return pop, sample, findings


def _flat(pop, sample, findings) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The same data as one CSV for R: design rows (exited households, roster hits, census households,
    census groups, sampled villages) and totals."""
    zero = {c: pl.lit(0.0) for c in ("y_w", "x_w", "yR", "xV", "yC", "xG")}

    def rows(df: pl.DataFrame, w: pl.Expr, hh: int, approves: pl.Expr, **values: pl.Expr) -> pl.DataFrame:
        return df.select("county", "stratum", village="village_id", w=w, **{**zero, **values},
                         exited=pl.lit(int("y_w" in values)), hh=pl.lit(hh), approves=approves)

    v = sample.villages.select("village_id", "county", "stratum", "p_village")
    h = sample.households.select("household_id", "weight", "source")
    found = findings.join(h, on="household_id", how="left").join(v, on="village_id")
    reg = found.filter(pl.col("instrument") == "registered")
    hits = found.filter(pl.col("source") == "roster")
    g = sample.groups.join(v.drop("county"), on="village_id")
    w_g = g.select("village_id", "group", w=1 / (pl.col("p_village") * pl.col("p_group")))
    census = found.filter((pl.col("instrument") == "general") & pl.col("source").is_null()).join(
        w_g, on=["village_id", "group"])
    ap = pl.col("approves").cast(pl.Int32)
    nonreg = pop.villages.select("village_id", x=(pl.col("agricultural_population") - pl.col("poor_persons")
                                                  - pl.col("exited_persons")).cast(pl.Float64))
    vill = v.with_columns(base=pl.col("village_id").str.split(":").list.last()).join(
        nonreg.rename({"village_id": "base"}), on="base")
    flat = pl.concat([
        rows(reg, pl.col("weight"), 1, ap, y_w=pl.col("wrongful_exit_persons"), x_w=pl.col("persons")),
        rows(hits, pl.col("weight"), 1, ap, yR=pl.col("missed_persons")),
        rows(census, pl.col("w"), 1, ap, yC=pl.col("missed_persons")),
        rows(g, 1 / (pl.col("p_village") * pl.col("p_group")), 0, pl.lit(None, pl.Int32),
             xG=pl.col("nonregistered_population").cast(pl.Float64)),
        rows(vill, 1 / pl.col("p_village"), 0, pl.lit(None, pl.Int32), xV=pl.col("x")),
    ], how="vertical_relaxed")
    t = pop.totals
    counties = sample.villages["county"].unique(maintain_order=True)
    totals = pl.DataFrame({"county": counties, "A": t["A"], "U": t["U"], "E": t["E"],
                           "N": t["A"] - t["U"] - t["E"]})
    return flat, totals


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
