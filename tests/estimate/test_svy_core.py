"""Properties of the design-based core that the golden files do not pin down: groups computed in one
pass equal separate designs, fpc as fractions equals fpc as counts, domains never drop PSUs, the
numerical helpers match R, and bad designs are refused."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from povexit.estimate import svy


def _random_design(rng: np.random.Generator, n_groups: int):
    rows = []
    for g in range(n_groups):
        for h in range(rng.integers(1, 4)):
            n_psu = int(rng.integers(1, 5))
            for c in range(n_psu):
                for _ in range(rng.integers(1, 6)):
                    rows.append((g, f"{g}-{h}", f"{g}-{h}-{c}", 20 + h, rng.uniform(1, 30), rng.poisson(3.0),
                                 rng.integers(1, 6)))
    g, strata, psu, n_pop, w, y, x = (np.array(c) for c in zip(*rows, strict=True))
    return g, strata, psu, n_pop.astype(float), w, y.astype(float), x.astype(float)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), rule=st.sampled_from(["adjust", "certainty", "remove", "average"]))
def test_groups_in_one_pass_equal_separate_designs(seed: int, rule: str) -> None:
    rng = np.random.default_rng(seed)
    g, strata, psu, n_pop, w, y, x = _random_design(rng, 3)
    dom = rng.random(len(g)) < 0.7
    joint = svy.Design(w, ids=[psu], strata=strata, fpc=[n_pop], by=g, lonely_psu=rule)
    r_joint = svy.svyratio(joint, y, x, dom, deff=True)
    for k in range(3):
        sel = g == k
        alone = svy.Design(w[sel], ids=[psu[sel]], strata=strata[sel], fpc=[n_pop[sel]], lonely_psu=rule)
        r = svy.svyratio(alone, y[sel], x[sel], dom[sel], deff=True)
        np.testing.assert_allclose(r_joint.estimate[k], r.estimate[0], rtol=1e-12, equal_nan=True)
        np.testing.assert_allclose(r_joint.var[k], r.var[0], rtol=1e-10, atol=1e-18, equal_nan=True)
        assert r_joint.df[k] == r.df[0] and r_joint.n[k] == r.n[0]


def test_fpc_fractions_equal_population_sizes() -> None:
    rng = np.random.default_rng(1)
    _, strata, psu, n_pop, w, y, _ = _random_design(rng, 1)
    d1 = svy.Design(w, ids=[psu], strata=strata, fpc=[n_pop])
    n_h = {s: len(set(psu[strata == s])) for s in set(strata)}
    frac = np.array([n_h[s] / n for s, n in zip(strata, n_pop, strict=True)])
    d2 = svy.Design(w, ids=[psu], strata=strata, fpc=[frac])
    assert svy.svymean(d1, y).var[0] == pytest.approx(svy.svymean(d2, y).var[0], rel=1e-12)


def test_missing_values_leave_the_domain_without_dropping_psus() -> None:
    d = svy.Design(np.ones(6), ids=[np.array([1, 1, 2, 2, 3, 3])])
    y = np.array([1.0, np.nan, 2.0, 4.0, 3.0, np.nan])
    with_nan = svy.svymean(d, y)
    explicit = svy.svymean(d, np.nan_to_num(y), ~np.isnan(y))
    assert with_nan.estimate[0] == explicit.estimate[0] == pytest.approx(2.5)
    assert with_nan.var[0] == pytest.approx(explicit.var[0])
    assert with_nan.df[0] == 2  # three PSUs in one stratum: no PSU dropped


def test_bad_designs_are_refused() -> None:
    with pytest.raises(svy.DesignError):
        svy.Design(np.ones(3), ids=[np.array([1, 2])])
    with pytest.raises(svy.DesignError):
        svy.Design(np.ones(4), ids=[np.array([1, 2, 3, 4])], fpc=[np.array([2.0, 2, 2, 2])])  # 4 sampled of 2
    with pytest.raises(svy.DesignError):
        svy.Design(np.ones(3), lonely_psu="sometimes")  # type: ignore[arg-type]
    d = svy.Design(np.ones(4), ids=[np.array([1, 2, 3, 4])], strata=np.array([1, 1, 1, 2]), lonely_psu="fail")
    with pytest.raises(svy.DesignError):
        svy.svymean(d, np.arange(4.0))


def test_r_numerics() -> None:
    # R: spline(c(0,1,2.5,3,4.2,6), c(1,3,2,5,4,4.5))$y (fmm), first values
    u, v = svy.r_spline(np.array([0, 1, 2.5, 3, 4.2, 6]), np.array([1, 3, 2, 5, 4, 4.5]))
    np.testing.assert_allclose(v[:4], [1.0, 2.77887113315834045, 3.27973907392389830, 2.88960490875445863], rtol=1e-13)
    assert len(u) == 18 and v[-1] == pytest.approx(4.5)
    # R: qf(5.115902e-23, 1, 1468, lower.tail=FALSE) = 100.95477768684297 (scipy's f.isf overflows here)
    assert svy._qf_upper(5.115901530213422e-23, 1.0, 1468.0) == pytest.approx(100.95477768684297, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(p=st.floats(0, 1), var=st.floats(0, 0.01), n=st.integers(2, 5000), df=st.integers(1, 80),
       method=st.sampled_from(["beta", "logit", "mean"]), units=st.one_of(st.none(), st.integers(1, 2000)),
       cap=st.one_of(st.none(), st.floats(1, 5000)))
def test_scalar_interval_equals_vector_interval(p, var, n, df, method, units, cap) -> None:
    iv = svy.prop_interval(p, var, n, df, method, units=units, n_eff_max=cap)
    lo, hi = svy.prop_interval_scalar(p, var, n, df, method, units=units, n_eff_max=cap)
    np.testing.assert_allclose([lo, hi], [iv.low[0], iv.high[0]], rtol=1e-12, atol=1e-15, equal_nan=True)


def test_zero_events_interval_is_clopper_pearson_at_n_star() -> None:
    iv = svy.prop_interval(0.0, 0.0, 1000, 999, "beta")  # df = n - 1: no adjustment
    assert iv.low[0] == 0 and iv.high[0] == pytest.approx(1 - 0.025 ** (1 / 1000), rel=1e-12)
    iv = svy.prop_interval(1.0, 0.0, 1000, 999, "beta", units=300)
    assert iv.high[0] == 1 and iv.low[0] == pytest.approx(0.025 ** (1 / 300), rel=1e-12)
    assert "n*=n households" in iv.method[0]


@pytest.mark.parametrize("rule", ["adjust", "certainty", "remove", "average", "fail"])
def test_self_representing_stratum_is_not_lonely(rule: str) -> None:
    """A stratum whose fpc says its one PSU is the whole stratum (N = n = 1; povexit's fixed rows: a
    certainty village's own population and roster hits) adds no variance and is not a lonely PSU: R's
    onestrat returns 0 before any lonely-PSU rule, so "fail" does not fail. R 4.2 / survey 4.1.1:
    svytotal(~y, svydesign(id=~id, strata=~s, weights=~w, fpc=~fpc)) with stratum a (three PSUs, fpc
    Inf) and stratum b (one PSU, fpc 1) gives 16 with SE sqrt(12) = 3.4641."""
    d = svy.Design(np.array([2.0, 2.0, 2.0, 1.0]), ids=[np.arange(4)], strata=np.array(["a", "a", "a", "b"]),
                   fpc=[np.array([np.inf, np.inf, np.inf, 1.0])], lonely_psu=rule)
    t = svy.svytotal(d, np.array([1.0, 2.0, 3.0, 4.0]))
    assert t.estimate[0] == 16
    assert t.se[0] == pytest.approx(math.sqrt(12), rel=1e-15)
    assert len(d.lonely_strata()) == 0
