"""Statistics for comparing one enumerator (or pair) with the colleagues who worked in the same strata
(villages × questionnaire, or the whole team when not adjusting for village), vectorised over all
enumerators at once.

- Binary answers (a share): the Cochran–Mantel–Haenszel test stratified by village — the enumerator's
  count of "yes" against what colleagues' shares in the same villages would predict, with continuity
  correction. When the Mantel–Fleiss criterion fails (fewer than five expected "yes" or "no" away from
  their bounds) the pooled 2×2 table over those villages is tested with Fisher's exact test instead.
  With one stratum the CMH statistic is the Pearson χ² times (N−1)/N.
- Continuous answers: van Elteren's stratified Wilcoxon rank-sum test (each stratum weighted by
  1/(N+1), tie-corrected), normal approximation; with one stratum it is the Mann–Whitney U test.
- Each unit's standardised deviation ``zstat`` (observed − expected over its standard error, from the
  same stratified statistic) is put on the team's scale (``funnel_z``): centred on the team's median and
  divided by the team's robust spread (1.4826·MAD) when that exceeds 1. Without real differences
  between enumerators the zstats are standard normal and the robust z is zstat; when the whole team
  varies more than chance (over-dispersion: villages, household mix) the funnel widens and only units
  beyond it stand out — Spiegelhalter's funnel-plot reasoning ("Funnel plots for comparing
  institutional performance", Stat. Med. 2005) with a median/MAD estimate of the spread.
- Many enumerators and statistics are tested at once: Benjamini–Hochberg q-values over every test of a
  level (``scipy.stats.false_discovery_control``).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import polars as pl
from scipy import stats as sps
from scipy.special import gammaln

MIN_TEAM = 5  # enumerators needed in a team to define its spread (robust z)
MANTEL_FLEISS = 5.0


@lru_cache(maxsize=65536)
def fisher_p(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher exact p-value of [[a, b], [c, d]] (the sum of the hypergeometric probabilities of
    the tables no more likely than the observed one, relative tolerance 1e-7 as in R and SciPy); one
    vectorised pass over the support instead of ``scipy.stats.fisher_exact``'s generic machinery."""
    r1, r2, c1 = a + b, c + d, a + c
    n = r1 + r2
    lo, hi = max(0, c1 - r2), min(r1, c1)
    x = np.arange(lo, hi + 1)
    const = gammaln(r1 + 1) + gammaln(r2 + 1) + gammaln(c1 + 1) + gammaln(n - c1 + 1) - gammaln(n + 1)
    logp = const - gammaln(x + 1) - gammaln(r1 - x + 1) - gammaln(c1 - x + 1) - gammaln(r2 - c1 + x + 1)
    p_obs = logp[a - lo]
    return float(min(1.0, np.exp(logp[logp <= p_obs + math.log1p(1e-7)]).sum()))


def cmh_by_unit(obs: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """Per unit: n, share, colleague share, difference d, standardised deviation zstat, CMH/Fisher p.

    ``obs``: ``_k`` (submission), ``county``, ``stratum``, ``y`` (Boolean, no nulls).
    ``members``: ``_k``, ``county``, ``unit`` (a submission may belong to several units).
    """
    tot = obs.group_by("county", "stratum").agg(pl.len().alias("N"), pl.col("y").sum().alias("M"))
    per = (members.join(obs.select("_k", "stratum", "y"), on="_k", how="inner")
           .group_by("county", "unit", "stratum").agg(pl.len().alias("n1"), pl.col("y").sum().alias("a"))
           .join(tot, on=["county", "stratum"], how="left")
           .with_columns((pl.col("N") - pl.col("n1")).alias("n2"), (pl.col("M") - pl.col("a")).alias("b")))
    n1, n2, m_, n_ = (pl.col(c).cast(pl.Float64) for c in ("n1", "n2", "M", "N"))
    per = per.with_columns(
        (n1 * m_ / n_).alias("E"),
        pl.when(n_ > 1).then(n1 * n2 * m_ * (n_ - m_) / (n_ * n_ * (n_ - 1))).otherwise(0.0).alias("V"),
        pl.max_horizontal(pl.lit(0.0), n1 - (n_ - m_)).alias("lo"),
        pl.min_horizontal(n1, m_).alias("hi"),
        pl.when(n2 > 0).then(pl.col("b").cast(pl.Float64) / n2).alias("rate_c"),
    )
    agg = per.group_by("county", "unit").agg(
        pl.col("n1").sum().alias("n"), pl.col("a").sum().alias("yes"),
        pl.col("E").sum(), pl.col("V").sum(), pl.col("lo").sum(), pl.col("hi").sum(),
        pl.col("b").filter(pl.col("n2") > 0).sum().alias("B"), pl.col("n2").filter(pl.col("n2") > 0).sum().alias("n2"),
        (pl.col("n1") * pl.col("rate_c")).filter(pl.col("n2") > 0).sum().alias("_w"),
        pl.col("n1").filter(pl.col("n2") > 0).sum().alias("_nc"),
        pl.col("a").filter(pl.col("n2") > 0).sum().alias("_ac"),
    ).with_columns(
        (pl.col("yes") / pl.col("n")).alias("value"),
        pl.when(pl.col("_nc") > 0).then(pl.col("_w") / pl.col("_nc")).alias("team_value"),
    ).with_columns(
        pl.when(pl.col("_nc") > 0).then(pl.col("_ac") / pl.col("_nc") - pl.col("team_value")).alias("d"),
    )
    rows = agg.select("yes", "n", "E", "V", "lo", "hi", "B", "n2", "_ac", "_nc").to_numpy()
    p = np.full(len(rows), np.nan)
    test = np.full(len(rows), "", dtype=object)
    for i, (yes, _n, e, v, lo, hi, b, nc2, ac, nc) in enumerate(rows):
        if not nc or nc != nc or not nc2 or nc2 != nc2:
            continue  # no colleague in the same strata: nothing to compare with
        if v > 0 and min(e - lo, hi - e) >= MANTEL_FLEISS:
            stat = (max(abs(yes - e) - 0.5, 0.0)) ** 2 / v
            p[i] = math.erfc(math.sqrt(stat / 2))  # χ²(1) upper tail
            test[i] = "cmh"
        else:
            p[i] = fisher_p(int(ac), int(nc - ac), int(b), int(nc2 - b))
            test[i] = "fisher"
    zstat = agg.select(pl.when(pl.col("V") > 0).then((pl.col("yes") - pl.col("E")) / pl.col("V").sqrt())
                       .alias("zstat"))
    return agg.select("county", "unit", "n", "value", "team_value", "d").with_columns(
        zstat.to_series(), pl.Series("p", p, dtype=pl.Float64), pl.Series("test", test.tolist(), dtype=pl.String))


def van_elteren_by_unit(obs: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """Per unit: n, median value, team value (median over the unit's interviews of their stratum's median),
    median residual d, zstat, p.

    ``obs``: ``_k``, ``county``, ``stratum``, ``x`` (Float64, no nulls; compared by rank), ``raw`` (the
    value reported), ``resid`` (x − stratum median of x).
    """
    key = ["county", "stratum"]
    o = obs.with_columns(pl.col("x").rank("average").over(key).alias("r"), pl.len().over(key).alias("N"))
    ties = (o.group_by(*key, "x").agg(pl.len().alias("t"))
            .with_columns((pl.col("t").cast(pl.Float64) ** 3 - pl.col("t")).alias("tt"))
            .group_by(key).agg(pl.col("tt").sum()))
    o = o.with_columns(pl.col("raw").median().over(key).alias("stratum_median"))
    j = members.join(o.select("_k", "stratum", "r", "N", "raw", "resid", "stratum_median"), on="_k", how="inner")
    per = (j.group_by("county", "unit", "stratum").agg(pl.len().alias("n1"), pl.col("r").sum().alias("W"),
                                                       pl.col("N").first())
           .join(ties, on=key, how="left"))
    n1, big_n = pl.col("n1").cast(pl.Float64), pl.col("N").cast(pl.Float64)
    n2 = big_n - n1
    per = per.with_columns(
        (pl.col("W") / (big_n + 1)).alias("T"), (n1 / 2).alias("E"),
        pl.when(big_n > 1).then(n1 * n2 / (12 * (big_n + 1) ** 2)
                                * ((big_n + 1) - pl.col("tt") / (big_n * (big_n - 1)))).otherwise(0.0).alias("V"),
        n2.alias("n2"),
    )
    agg = per.group_by("county", "unit").agg(pl.col("n1").sum().alias("n"), pl.col("T").sum(), pl.col("E").sum(),
                                             pl.col("V").sum(), pl.col("n2").sum())
    # the team value: the typical value of the strata (villages) where the unit worked, one per interview
    own = j.group_by("county", "unit").agg(pl.col("raw").median().alias("value"), pl.col("resid").median().alias("d"),
                                            pl.col("stratum_median").median().alias("team_value"))
    agg = agg.join(own, on=["county", "unit"], how="left")
    z = ((pl.col("T") - pl.col("E")) / pl.col("V").sqrt())
    agg = agg.with_columns(pl.when((pl.col("V") > 0) & (pl.col("n2") > 0)).then(z).alias("_z"))
    zz = agg["_z"].to_numpy().astype(float)
    p = np.where(np.isfinite(zz), 2 * sps.norm.sf(np.abs(np.nan_to_num(zz))), np.nan)
    return agg.select("county", "unit", "n", "value", "team_value", "d", pl.col("_z").alias("zstat")).with_columns(
        pl.Series("p", p, dtype=pl.Float64),
        pl.Series("test", np.where(np.isfinite(zz), "van_elteren", "").tolist(), dtype=pl.String))


def funnel_z(zstat: np.ndarray) -> np.ndarray:
    """Standardised deviations on the team's scale: (zstat − median) / max(1, 1.4826·MAD).

    The robust spread of the team's zstats (MAD scaled to a standard deviation) widens the funnel when
    enumerators differ more than chance allows; it never narrows it below chance (a team that happens to
    look uniform does not make an ordinary deviation extreme). NaN in, NaN out.
    """
    x = np.asarray(zstat, dtype=float)
    out = np.full(x.shape, np.nan)
    ok = np.isfinite(x)
    if ok.sum() == 0:
        return out
    med = float(np.median(x[ok]))
    spread = 1.4826 * float(np.median(np.abs(x[ok] - med)))
    out[ok] = (x[ok] - med) / max(1.0, spread)
    return out


def bh_qvalues(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values; NaN stays NaN."""
    p = np.asarray(p, dtype=float)
    q = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        q[ok] = sps.false_discovery_control(p[ok], method="bh")
    return q


def fmt_p(p: float) -> str:
    if p is None or not math.isfinite(p):
        return "—"
    return "<0.0001" if p < 1e-4 else f"{p:.4f}"
