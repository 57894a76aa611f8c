"""The core against R on cases the API data does not cover (results/povexit_design.R, run with
Rscript; its outputs are committed): a stratified two-stage design shaped like a povexit county,
ratios of persons over a domain, the covariance of 错退率 and 漏评率 and the composite incidence by
joint linearisation, deff of a ratio, a stratum with one PSU under each lonely-PSU rule, with and
without fpc, the person-level Korn–Graubard interval, zero events and a three-stage design."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import polars as pl
import pytest

from povexit.estimate import svy

from .golden import RESULTS, assert_close, num, read_csv, text

DATA = read_csv(RESULTS / "povexit_data.csv")
EXPECTED = read_csv(RESULTS / "povexit_expected.csv")
U, E, A = 3200, 21000, 260000  # the registry totals povexit_design.R uses
N = A - U - E


def _design(case: str) -> svy.Design:
    fpc, rule = case.split("_")
    if fpc == "fpc":
        return svy.Design(num(DATA, "w"), ids=[text(DATA, "village"), text(DATA, "unit")],
                          strata=[text(DATA, "stratum"), text(DATA, "kind")],
                          fpc=[num(DATA, "fpc1"), num(DATA, "fpc2")], lonely_psu=rule)
    return svy.Design(num(DATA, "w"), ids=[text(DATA, "village"), text(DATA, "unit")],
                      strata=text(DATA, "stratum"), lonely_psu=rule)


EXITED = num(DATA, "exited") == 1
CENSUS = num(DATA, "census") == 1
REGISTERED = text(DATA, "kind") == "registered"
DESIGN_ROWS = [r for r in EXPECTED.iter_rows(named=True) if r["case"].startswith(("fpc_", "nofpc_"))]


@pytest.mark.parametrize("row", DESIGN_ROWS, ids=[f"{r['case']}-{r['statistic']}-{r['ci_method'] or ''}" for r in DESIGN_ROWS])
def test_two_stage_county(row: dict) -> None:
    d = _design(row["case"])
    what = f"{row['case']} {row['statistic']} {row['ci_method'] or ''}"
    stat = row["statistic"]
    r1 = svy.svyratio(d, num(DATA, "wrong_persons"), num(DATA, "persons"), EXITED, deff=True)
    r2 = svy.svyratio(d, num(DATA, "missed_persons"), num(DATA, "nonreg_pop"), CENSUS, deff=True)
    if stat.startswith("ratio(wrong"):
        got = r1
    elif stat.startswith("ratio(missed"):
        got = r2
    elif stat == "degf(exited)":
        assert d.degf(EXITED)[0] == row["estimate"]
        return
    elif stat == "degf(census)":
        assert d.degf(CENSUS)[0] == row["estimate"]
        return
    elif stat == "cov(r1, r2)":
        # R: svycontrast of svytotal(~y1+x1+y2+x2) on the full design (no subset)
        full1 = svy.svyratio(d, num(DATA, "wrong_persons") * EXITED, num(DATA, "persons") * EXITED)
        full2 = svy.svyratio(d, num(DATA, "missed_persons") * CENSUS, num(DATA, "nonreg_pop") * CENSUS)
        assert_close(svy.covariance(d, full1, full2)[0, 0, 1], row["estimate"], what)
        if row["case"].endswith(("adjust", "certainty", "remove")):  # domain = zero-filled full design
            assert_close(svy.covariance(d, r1, r2)[0, 0, 1], row["estimate"], what + " (domains)")
        return
    elif stat == "composite":
        cov = svy.covariance(d, r1, r2)[0]
        g = np.array([E, N]) / A
        assert_close((U + E * r1.estimate[0] + N * r2.estimate[0]) / A, row["estimate"], what)
        assert_close(float(np.sqrt(g @ cov @ g)), row["se"], what + " se")
        return
    elif stat.startswith("mean(approves"):
        got = svy.svymean(d, num(DATA, "approves"), REGISTERED, deff=True)
    elif stat.startswith("prop(approves"):
        m, iv = svy.svyciprop(d, num(DATA, "approves"), row["ci_method"], REGISTERED)
        assert_close(m.estimate[0], row["estimate"], what)
        assert_close(m.se[0], row["se"], what + " se")
        assert_close(iv.low[0], row["ci_low"], what + " ci_low")
        assert_close(iv.high[0], row["ci_high"], what + " ci_high")
        return
    else:  # pragma: no cover
        pytest.fail(f"no test for {stat}")
    assert_close(got.estimate[0], row["estimate"], what)
    assert_close(got.se[0], row["se"], what + " se")
    assert_close(got.deff[0], row["extra"], what + " deff")


PERSON_ROWS = [r for r in EXPECTED.iter_rows(named=True) if r["case"] == "persons" and r["ci_method"]]


@pytest.mark.parametrize("row", PERSON_ROWS, ids=[r["ci_method"] for r in PERSON_ROWS])
def test_wrongful_rate_interval_is_the_person_level_svyciprop(row: dict) -> None:
    """ciprop on households with counts (wrongful persons of persons) equals R's svyciprop on the
    expanded person rows, for every interval method; n is persons, df the domain's degf."""
    per = read_csv(RESULTS / "povexit_persons.csv")
    dp = svy.Design(num(per, "w"), ids=[text(per, "village"), text(per, "unit")], strata=text(per, "stratum"))
    dh = _design("nofpc_adjust")
    for m, iv in (
        svy.svyciprop(dp, num(per, "wrong"), row["ci_method"]),
        svy.ciprop(dh, num(DATA, "wrong_persons"), num(DATA, "persons"), row["ci_method"], EXITED),
    ):
        assert_close(m.estimate[0], row["estimate"], "estimate")
        assert_close(m.se[0], row["se"], "se")
        assert_close(iv.low[0], row["ci_low"], "ci_low")
        assert_close(iv.high[0], row["ci_high"], "ci_high")
    nrow = EXPECTED.filter((pl.col("case") == "persons") & (pl.col("statistic") == "nrow"))["estimate"][0]
    degf = EXPECTED.filter((pl.col("case") == "persons") & (pl.col("statistic") == "degf"))["estimate"][0]
    m, _ = svy.ciprop(dh, num(DATA, "wrong_persons"), num(DATA, "persons"), "beta", EXITED)
    assert m.extra["n_persons"][0] == nrow and m.df[0] == degf


def test_zero_events_use_n_star_equal_n() -> None:
    """R gives NaN for the Korn–Graubard interval when nothing is found; povexit uses n* = n (NCHS),
    the interval is [0, qbeta(0.975, 1, n*)] with R's df adjustment, and the label says so."""
    rows = {r["statistic"]: r for r in EXPECTED.filter(pl.col("case") == "zero").iter_rows(named=True)}
    assert rows["prop(wrong) beta as R gives it"]["ci_low"] is None  # NaN in R
    nchs = rows["nchs upper"]
    per = read_csv(RESULTS / "povexit_persons.csv")
    dp = svy.Design(num(per, "w"), ids=[text(per, "village"), text(per, "unit")], strata=text(per, "stratum"))
    m, iv = svy.svyciprop(dp, np.zeros(len(per)), "beta")
    assert m.estimate[0] == 0 and m.se[0] == 0
    assert iv.low[0] == 0
    assert_close(iv.high[0], nchs["ci_high"], "upper")
    assert_close(iv.n_eff[0], nchs["extra"], "n*")
    assert "n*=n" in iv.method[0]
    # the household-level ratio gives the same interval
    zero = np.zeros(len(DATA))
    _, ivh = svy.ciprop(_design("nofpc_adjust"), zero, num(DATA, "persons"), "beta", EXITED)
    assert_close(ivh.high[0], nchs["ci_high"], "household-level upper")
    for method in ("logit", "mean", "likelihood"):  # the other methods fall back to it, and say so
        _, ivm = svy.svyciprop(dp, np.zeros(len(per)), method)
        assert ivm.low[0] == 0
        assert_close(ivm.high[0], nchs["ci_high"], method)
        assert "korn-graubard" in ivm.method[0] and "n*=n" in ivm.method[0]


def test_three_stage_design_with_fpc() -> None:
    d3 = read_csv(RESULTS / "povexit_three_stage.csv")
    design = svy.Design(None, ids=[text(d3, "village"), text(d3, "grp"), text(d3, "hh")], strata=text(d3, "stratum"),
                        fpc=[num(d3, "fpc1"), num(d3, "fpc2"), num(d3, "fpc3")])
    rows = {r["statistic"]: r for r in EXPECTED.filter(pl.col("case") == "three_stage").iter_rows(named=True)}
    m = svy.svymean(design, num(d3, "approves"), deff=True)
    t = svy.svytotal(design, num(d3, "approves"))
    assert_close(m.estimate[0], rows["mean(approves)"]["estimate"], "mean")
    assert_close(m.se[0], rows["mean(approves)"]["se"], "mean se")
    assert_close(m.deff[0], rows["mean(approves)"]["extra"], "deff")
    assert_close(t.estimate[0], rows["total(approves)"]["estimate"], "total")
    assert_close(t.se[0], rows["total(approves)"]["se"], "total se")


@pytest.mark.r
@pytest.mark.slow
def test_committed_outputs_are_what_the_script_gives(tmp_path) -> None:
    """Re-run povexit_design.R here: the committed expected values are reproducible."""
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not installed (apt-get install r-base-core r-cran-survey)")
    shutil.copy(RESULTS / "povexit_design.R", tmp_path)
    subprocess.run(["Rscript", "povexit_design.R"], cwd=tmp_path, check=True, capture_output=True, timeout=300)
    for name in ("povexit_expected.csv", "povexit_data.csv", "povexit_persons.csv", "povexit_three_stage.csv",
                 "povexit_roster.csv"):
        assert (tmp_path / name).read_bytes() == (RESULTS / name).read_bytes(), name
