"""Selection primitives: exact inclusion probabilities (by enumerating every random start),
coverage of anchored townships, certainty handling against svy, allocation."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from povexit.sampling.selection import (
    PPS_INTERVAL,
    allocate,
    derived_rng,
    pps_probabilities,
    quantize,
    stratum_weights,
    systematic,
)


class _FixedStart:
    """A stand-in generator whose ``integers`` returns a chosen start (to enumerate all of them)."""

    def __init__(self, start: int):
        self.start = start

    def integers(self, lo: int, hi: int) -> int:
        assert lo <= self.start < hi
        return self.start


@st.composite
def integer_design(draw):
    interval = draw(st.integers(1, 40))
    n = draw(st.integers(1, 6))
    m = draw(st.integers(n, 12))
    # n*interval split into m parts each ≤ interval
    w = np.zeros(m, dtype=np.int64)
    remaining = n * interval
    for i in draw(st.permutations(list(range(m)))):
        w[i] = min(interval, remaining)
        remaining -= w[i]
    # shuffle mass between units without breaking the bounds
    for _ in range(draw(st.integers(0, 20))):
        a, b = draw(st.integers(0, m - 1)), draw(st.integers(0, m - 1))
        move = draw(st.integers(0, interval))
        move = min(move, w[a], interval - w[b])
        w[a] -= move
        w[b] += move
    return w, interval, n


@given(integer_design())
@settings(max_examples=200, deadline=None)
def test_systematic_probabilities_are_exact_over_all_starts(d):
    w, interval, n = d
    hits = np.zeros(len(w), dtype=np.int64)
    for start in range(interval):
        sel = systematic(w, interval, _FixedStart(start))
        assert sel.sum() == n  # fixed sample size for every start
        hits += sel
    # over the uniform start, unit i is hit in exactly w_i of the `interval` starts: p = w_i / interval
    assert hits.tolist() == w.tolist()


@given(integer_design(), st.data())
@settings(max_examples=200, deadline=None)
def test_a_run_of_weight_one_interval_is_always_hit(d, data):
    w, interval, _ = d
    cum = np.concatenate([[0], np.cumsum(w)])
    a = data.draw(st.integers(0, len(w) - 1))
    b = data.draw(st.integers(a, len(w) - 1))
    if cum[b + 1] - cum[a] < interval:
        return
    for start in range(interval):
        assert systematic(w, interval, _FixedStart(start))[a:b + 1].any()


@given(
    st.lists(st.floats(0.5, 500), min_size=3, max_size=30),
    st.integers(1, 8),
    st.lists(st.integers(0, 4), min_size=30, max_size=30),
    st.lists(st.booleans(), min_size=5, max_size=5),
    st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_stratum_weights_sum_to_n_and_anchor_townships(sizes, n, towns, anchor, equal):
    sizes = np.array(sizes)
    m = len(sizes)
    n = min(n, m)
    t = np.sort(np.array(towns[:m]))  # township-sorted list
    anchored = np.array(anchor)
    present = np.bincount(t, minlength=5) > 0
    anchored &= present
    try:
        w, interval, boosted = stratum_weights(sizes, n, equal=equal, blocks=t, anchored=anchored)
    except ValueError:
        # refused only when the anchors break the village stage's rule (at most n − certainties − 1
        # anchored townships that hold no certainty), which the village stage never does
        pi = pps_probabilities(np.ones(m) if equal else sizes, n)
        open_anchors = [town for town in np.flatnonzero(anchored) if not (pi[t == town] >= 1).any()]
        assert len(open_anchors) > n - (pi >= 1).sum() - 1
        return
    assert w.sum() == n * interval
    assert (w >= 0).all() and (w <= interval).all()
    assert (w > 0).all()  # every unit keeps a positive probability
    for town in np.flatnonzero(anchored):
        assert w[t == town].sum() >= interval  # systematic selection then always reaches it
    for town in boosted:
        assert anchored[town]


def test_equal_probabilities_are_exact_fractions():
    w, interval, boosted = stratum_weights(np.ones(7), 3, equal=True)
    assert interval == 7 and w.tolist() == [3] * 7 and len(boosted) == 0


def test_pps_certainty_matches_svy():
    svy = pytest.importorskip("svy")
    x = np.array([100.0, 1, 1, 1, 1, 50, 3, 7, 12, 0.5])
    mine = pps_probabilities(x, 4)
    df = pl.DataFrame({"id": list(range(len(x))), "x": x})
    seen = {}
    for r in range(30):
        out = svy.Sample(df, svy.Design(mos="x")).sampling.pps_sys(4, certainty_threshold=1.0, rstate=r).data
        for i, p in zip(out["id"].to_list(), out["svy_prob_selection"].to_list(), strict=True):
            seen[i] = p
    assert len(seen) >= 6
    for i, p in seen.items():
        assert mine[i] == pytest.approx(p, abs=1e-6)
    assert mine.sum() == pytest.approx(4)


@given(st.lists(st.floats(0, 1), min_size=1, max_size=50), st.integers(0, 10**6))
def test_quantize_sums_exactly(pi, total):
    q = quantize(np.array(pi), total)
    assert q.sum() == total and (q >= 0).all()


@given(
    st.integers(0, 2000),
    st.lists(st.tuples(st.floats(0, 10), st.integers(0, 200)), min_size=1, max_size=40),
)
@settings(max_examples=300)
def test_allocate_meets_total_within_caps(total, cells):
    w = np.array([c[0] for c in cells])
    cap = np.array([c[1] for c in cells])
    a = allocate(total, w, cap)
    assert a.sum() == min(total, cap.sum())
    assert (a >= 0).all() and (a <= cap).all()
    if (w > 0).any() and total <= cap[w > 0].sum():
        assert a[w == 0].sum() == 0  # zero-weight cells only when the others are full
    if cap.min() >= total and w.sum() > 0:  # no cap binds: within one household of proportional
        exact = total * w / w.sum()
        assert np.all(np.abs(a - exact) < 1 + 1e-9)


def test_derived_rng_is_reproducible_and_key_specific():
    a = derived_rng(5, "villages", "x").integers(0, PPS_INTERVAL, size=4)
    b = derived_rng(5, "villages", "x").integers(0, PPS_INTERVAL, size=4)
    c = derived_rng(5, "villages", "y").integers(0, PPS_INTERVAL, size=4)
    d = derived_rng(6, "villages", "x").integers(0, PPS_INTERVAL, size=4)
    assert a.tolist() == b.tolist()
    assert a.tolist() != c.tolist() and a.tolist() != d.tolist()
