"""The design-based core reproduces R's survey on its own API data (../shared/reference/r-survey-api):
stratified, one-stage and two-stage cluster designs, with and without fpc; means, totals, ratios,
design effects and svyciprop with the beta (Korn–Graubard), logit, likelihood and mean intervals."""

from __future__ import annotations

import numpy as np
import pytest

from povexit.estimate import svy

from .golden import API_DIR, api_design, assert_close, num, read_csv

pytestmark = pytest.mark.skipif(not (API_DIR / "reference.csv").exists(), reason="../shared/reference missing")

REFERENCE = read_csv(API_DIR / "reference.csv") if (API_DIR / "reference.csv").exists() else None
ROWS = list(REFERENCE.iter_rows(named=True)) if REFERENCE is not None else []


def _id(row: dict) -> str:
    return f"{row['design']}-{row['statistic']}-{row['ci_method'] or 'point'}"


@pytest.mark.parametrize("row", ROWS, ids=[_id(r) for r in ROWS])
def test_reference_row(row: dict) -> None:
    df, design = api_design(row["design"])
    stat = row["statistic"]
    what = _id(row)
    if stat == "mean(api00)":
        m = svy.svymean(design, num(df, "api00"))
        assert_close(m.estimate[0], row["estimate"], what + " estimate")
        assert_close(m.se[0], row["se"], what + " se")
    elif stat == "deff(mean(api00))":
        m = svy.svymean(design, num(df, "api00"), deff=True)
        assert_close(m.deff[0], row["estimate"], what)
    elif stat == "total(enroll)":
        t = svy.svytotal(design, num(df, "enroll"))
        assert_close(t.estimate[0], row["estimate"], what + " estimate")
        assert_close(t.se[0], row["se"], what + " se")
    elif stat == "ratio(api.stu/enroll)":
        r = svy.svyratio(design, num(df, "api.stu"), num(df, "enroll"))
        assert_close(r.estimate[0], row["estimate"], what + " estimate")
        assert_close(r.se[0], row["se"], what + " se")
    elif stat.startswith("prop("):
        if "awards" in stat:
            y = (df["awards"] == "Yes").cast(float).to_numpy()
        else:
            enroll = num(df, "enroll")
            y = ((enroll < 200) & ~np.isnan(enroll)).astype(float)
        m, iv = svy.svyciprop(design, y, row["ci_method"])
        # R's logit/likelihood rows report the IRLS fit's estimate (within ~1e-8 of the weighted mean)
        assert_close(m.estimate[0], row["estimate"], what + " estimate")
        assert_close(m.se[0], row["se"], what + " se")
        assert_close(iv.low[0], row["ci_low"], what + " ci_low")
        assert_close(iv.high[0], row["ci_high"], what + " ci_high")
    else:  # pragma: no cover - a new statistic in reference.csv must get a branch here
        pytest.fail(f"no test for statistic {stat}")


def test_every_design_and_method_covered() -> None:
    assert {r["design"] for r in ROWS} == {"apistrat_fpc", "apistrat_nofpc", "apiclus1_fpc", "apiclus1_nofpc",
                                          "apiclus2_fpc"}
    assert {r["ci_method"] for r in ROWS if r["ci_method"]} == {"beta", "logit", "likelihood", "mean"}
