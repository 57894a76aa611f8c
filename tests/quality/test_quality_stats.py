"""The comparison statistics against R (mantelhaen.test, fisher.test, wilcox.test), a permutation
distribution, and the robust z / Benjamini–Hochberg helpers."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import polars as pl
import pytest
from scipy import stats as sps

from povexit.quality.stats import bh_qvalues, cmh_by_unit, fisher_p, funnel_z, van_elteren_by_unit

R = shutil.which("Rscript")
needs_r = pytest.mark.skipif(R is None, reason="Rscript not installed")


def _binary(tables: list[tuple[int, int, int, int]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Strata given as (unit yes, unit no, others yes, others no) → obs and members frames for unit "U"."""
    rows, members, k = [], [], 0
    for s, (a, b, c, d) in enumerate(tables):
        for y, n, mine in ((True, a, True), (False, b, True), (True, c, False), (False, d, False)):
            for _ in range(n):
                rows.append({"_k": k, "county": "甲县", "stratum": f"S{s}", "y": y})
                members.append({"_k": k, "county": "甲县", "unit": "U" if mine else f"O{k % 3}"})
                k += 1
    return pl.DataFrame(rows), pl.DataFrame(members)


def _r(code: str) -> float:
    out = subprocess.run([R, "--vanilla", "-e", code], capture_output=True, text=True, check=True, timeout=60)
    return float([ln for ln in out.stdout.splitlines() if ln.startswith("[1]")][-1].split()[1])


@needs_r
def test_cmh_matches_r_mantelhaen_test():
    tables = [(12, 3, 30, 25), (9, 6, 22, 31), (14, 2, 40, 18)]
    obs, members = _binary(tables)
    res = cmh_by_unit(obs, members).filter(pl.col("unit") == "U").row(0, named=True)
    # R's array is [exposure, outcome, stratum]: rows unit/others, columns yes/no
    cells = ",".join(str(v) for a, b, c, d in tables for v in (a, c, b, d))
    want = _r(f"print(mantelhaen.test(array(c({cells}), dim=c(2,2,{len(tables)})), correct=TRUE)$p.value, digits=15)")
    assert res["test"] == "cmh"
    assert res["p"] == pytest.approx(want, rel=1e-9)
    assert res["n"] == 46 and res["value"] == pytest.approx(35 / 46)
    # colleague share in the same strata, weighted by the unit's interviews per stratum
    coll = sum((a + b) * c / (c + d) for a, b, c, d in tables) / 46
    assert res["team_value"] == pytest.approx(coll) and res["d"] == pytest.approx(35 / 46 - coll)


@needs_r
def test_sparse_tables_fall_back_to_fisher_like_r():
    tables = [(3, 0, 1, 6)]
    obs, members = _binary(tables)
    res = cmh_by_unit(obs, members).filter(pl.col("unit") == "U").row(0, named=True)
    assert res["test"] == "fisher"
    want = _r("print(fisher.test(matrix(c(3,1,0,6), nrow=2))$p.value, digits=15)")
    assert res["p"] == pytest.approx(want, rel=1e-9)


def test_fisher_p_matches_scipy_on_random_tables():
    rng = np.random.default_rng(4)
    for _ in range(200):
        a, b, c, d = (int(v) for v in rng.integers(0, 25, 4))
        assert fisher_p(a, b, c, d) == pytest.approx(sps.fisher_exact([[a, b], [c, d]]).pvalue, rel=1e-9, abs=1e-15)


def _continuous(groups: dict[str, list[tuple[float, bool]]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows, members, k = [], [], 0
    for s, vals in groups.items():
        for x, mine in vals:
            rows.append({"_k": k, "county": "甲县", "stratum": s, "x": x, "raw": x, "resid": 0.0})
            members.append({"_k": k, "county": "甲县", "unit": "U" if mine else "O"})
            k += 1
    obs = pl.DataFrame(rows).with_columns((pl.col("x") - pl.col("x").median().over("stratum")).alias("resid"))
    return obs, pl.DataFrame(members)


@needs_r
def test_one_stratum_rank_test_is_mann_whitney_like_r():
    x = [41.0, 38.5, 44.0, 39.0, 50.0, 47.5, 41.0, 52.0]
    y = [35.0, 33.0, 41.0, 30.5, 36.0, 38.5, 29.0, 31.0, 40.0, 34.0]
    obs, members = _continuous({"S": [(v, True) for v in x] + [(v, False) for v in y]})
    res = van_elteren_by_unit(obs, members).filter(pl.col("unit") == "U").row(0, named=True)
    want = _r(f"print(wilcox.test(c({','.join(map(str, x))}), c({','.join(map(str, y))}), exact=FALSE, "
              "correct=FALSE)$p.value, digits=15)")
    assert res["p"] == pytest.approx(want, rel=1e-9)
    # the team value is the typical value of the strata worked in: here the one stratum's median
    assert res["value"] == pytest.approx(float(np.median(x))) and res["team_value"] == pytest.approx(float(np.median(x + y)))


def test_stratified_rank_test_against_its_permutation_distribution():
    rng = np.random.default_rng(8)
    groups = {}
    for s, (n1, n2, shift) in enumerate(((6, 20, 0.0), (10, 15, 5.0), (4, 30, -3.0))):
        base = 40 + 10 * s
        groups[f"S{s}"] = ([(round(base + shift + 1.2 + rng.normal(0, 3), 1), True) for _ in range(n1)]
                           + [(round(base + shift + rng.normal(0, 3), 1), False) for _ in range(n2)])
    obs, members = _continuous(groups)
    p = van_elteren_by_unit(obs, members).filter(pl.col("unit") == "U")["p"][0]
    # the statistic Σ W_s / (N_s + 1), recomputed under 4000 within-stratum permutations
    strata = []
    for vals in groups.values():
        xs = np.array([v for v, _ in vals])
        mine = np.array([m for _, m in vals])
        strata.append((sps.rankdata(xs), mine))

    def stat(labels: list[np.ndarray]) -> float:
        return sum(r[m].sum() / (len(r) + 1) for (r, _), m in zip(strata, labels, strict=True))

    observed = stat([m for _, m in strata])
    expected = sum(m.sum() / 2 for _, m in strata)
    perm = np.array([stat([rng.permutation(m) for _, m in strata]) for _ in range(4000)])
    p_perm = float(np.mean(np.abs(perm - expected) >= abs(observed - expected) - 1e-12))
    assert abs(p - p_perm) < 0.03


def test_binary_p_values_are_uniform_under_the_null():
    rng = np.random.default_rng(2024)
    ps = []
    for _ in range(300):
        rows, members = [], []
        for k in range(120):
            s = k % 4
            rows.append({"_k": k, "county": "甲县", "stratum": f"S{s}", "y": bool(rng.random() < 0.3 + 0.1 * s)})
            members.append({"_k": k, "county": "甲县", "unit": "U" if k % 5 == 0 else "O"})
        res = cmh_by_unit(pl.DataFrame(rows), pl.DataFrame(members)).filter(pl.col("unit") == "U")
        ps.append(res["p"][0])
    ps = np.array(ps)
    # the test keeps its level (conservative with 24 interviews a unit: the continuity correction) …
    for alpha in (0.05, 0.1, 0.2):
        assert np.mean(ps < alpha) <= alpha + 2 * np.sqrt(alpha * (1 - alpha) / len(ps))
    # … without being blind
    assert np.mean(ps < 0.2) >= 0.05 and np.mean(ps < 0.5) >= 0.25


def test_funnel_z_and_bh():
    z = np.array([0.1, -0.3, 0.4, -0.2, 0.5, -0.4, 6.0, np.nan])
    fz = funnel_z(z)
    assert np.isnan(fz[-1])
    med = float(np.median(z[:-1]))
    spread = 1.4826 * float(np.median(np.abs(z[:-1] - med)))
    assert spread < 1  # a tight team: the funnel stays at chance width
    np.testing.assert_allclose(fz[:-1], z[:-1] - med)
    wide = np.array([3.0, -3.0, 2.5, -2.6, 0.0, 1.9, -2.2, 9.0])  # over-dispersed: the funnel widens
    spread = 1.4826 * float(np.median(np.abs(wide - np.median(wide))))
    np.testing.assert_allclose(funnel_z(wide), (wide - np.median(wide)) / spread)
    q = bh_qvalues(np.array([0.01, 0.04, 0.03, np.nan, 0.5]))
    assert np.isnan(q[3])
    assert q[[0, 1, 2, 4]] == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5], rel=1e-9)
    np.testing.assert_allclose(q[[0, 1, 2, 4]], sps.false_discovery_control([0.01, 0.04, 0.03, 0.5]))
