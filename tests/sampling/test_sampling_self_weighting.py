"""Self-weighting allocation of registered households and self-weighting census groups.

The claims: a household's overall probability p_village × p_household is the same in every sampled
village (as far as the village sizes allow), the written probabilities are the ones drawn with —
checked by enumerating every random start of the systematic selections, so the expectations below
are exact, not Monte Carlo — and the weights add up to the frame's totals.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sampling_fixtures import make_registry

from povexit.sampling import design_from_mapping, draw, load_design
from povexit.sampling import households as households_mod
from povexit.sampling import villages as villages_mod
from povexit.sampling.frame import group_frame, household_frame, roster_hits, village_frame
from povexit.sampling.households import draw_households, registered_allocation
from povexit.sampling.selection import PPS_INTERVAL, allocate_bounded, systematic


class _FixedStart:
    def __init__(self, start: int):
        self.start = start

    def integers(self, lo: int, hi: int) -> int:
        assert lo <= self.start < hi
        return self.start


def _segments(w: np.ndarray, interval: int) -> list[tuple[int, Fraction]]:
    """Every distinct outcome of systematic selection with weights ``w``: one start per stretch of
    starts that select the same units, with the stretch's probability."""
    cuts = sorted({0, *(int(c) % interval for c in np.cumsum(w))})
    ends = [*cuts[1:], interval]
    return [(a, Fraction(b - a, interval)) for a, b in zip(cuts, ends, strict=True)]


# ---- the allocation itself ------------------------------------------------------------------------


@given(
    st.integers(0, 3000),
    st.lists(st.tuples(st.floats(0, 50), st.integers(0, 8), st.integers(0, 300)), min_size=1, max_size=40),
)
@settings(max_examples=300, deadline=None)
def test_allocate_bounded_is_proportional_within_its_bounds(total, cells):
    w = np.array([c[0] for c in cells])
    lo = np.array([min(c[1], c[2]) for c in cells])
    hi = np.array([c[2] for c in cells])
    k = allocate_bounded(total, w, lo, hi)
    assert k.sum() == min(max(total, lo.sum()), hi.sum())
    assert (k >= lo).all() and (k <= hi).all()
    # one multiplier c explains every unit to within a household: free units k ≈ c·w, units held at
    # their floor have c·w ≤ floor + 1, units at their cap c·w ≥ cap − 1
    pos = w > 1e-9
    free = pos & (k > lo) & (k < hi)
    if free.any():
        c_lo = np.max((k[free] - 1) / w[free])
        c_hi = np.min((k[free] + 1) / w[free])
        assert c_lo <= c_hi + 1e-9
        c = 0.5 * (c_lo + c_hi)
        at_floor = pos & (k == lo) & (k < hi)
        at_cap = pos & (k == hi) & (k > lo)
        assert np.all(c_lo * w[at_floor] <= lo[at_floor] + 1 + 1e-9)
        assert np.all(c_hi * w[at_cap] >= hi[at_cap] - 1 - 1e-9)
        assert np.all(np.abs(k[free] - c * w[free]) <= 1 + 1e-9)


def test_allocate_bounded_examples():
    # proportional, then the cap of the second unit binds and its surplus goes to the others
    assert allocate_bounded(30, np.array([1.0, 1, 1]), np.zeros(3), np.array([100, 100, 100])).tolist() == [10, 10, 10]
    assert allocate_bounded(30, np.array([1.0, 4, 1]), np.zeros(3), np.array([100, 6, 100])).tolist() == [12, 6, 12]
    # the floor: a unit with a tiny share still gets its minimum, taken from the others
    assert allocate_bounded(30, np.array([1.0, 1, 0.01]), np.full(3, 5), np.array([100, 100, 100])).tolist() == [13, 12, 5]
    # floors above the total win (a sampled village is never empty); caps below it cap the total
    assert allocate_bounded(4, np.ones(3), np.full(3, 2), np.full(3, 9)).tolist() == [2, 2, 2]
    assert allocate_bounded(40, np.ones(3), np.zeros(3), np.array([3, 4, 5])).tolist() == [3, 4, 5]


def test_self_weighting_gives_every_household_the_same_overall_probability():
    m = np.array([120, 80, 40, 200, 60])
    p = np.array([0.5, 0.2, 0.1, 0.8, 0.3])
    k = registered_allocation(100, m, p, "self_weighting", 5)
    assert k.sum() == 100
    f = p * k / m
    assert f.max() - f.min() <= (p / m).max() + 1e-12  # within one household of the common rate
    # equal allocation for comparison: the same 20 everywhere, so f follows p/m
    e = registered_allocation(100, m, p, "equal", 5)
    assert e.tolist() == [20] * 5
    assert np.ptp(p * e / m) > 10 * np.ptp(f)


def test_self_weighting_caps_and_floors():
    # the third village would need 80 of its 30 households: it gives all 30, the others share the rest
    m = np.array([100, 100, 30, 100])
    p = np.array([0.5, 0.5, 0.05, 0.5])
    k = registered_allocation(120, m, p, "self_weighting", 5)
    assert k.sum() == 120 and k[2] == 30
    assert k[0] == k[1] == k[3] == 30
    # a village with few households and a high probability would get one: the floor gives it 5
    k = registered_allocation(100, np.array([200, 200, 8]), np.array([0.2, 0.2, 1.0]), "self_weighting", 5)
    assert k[2] == 5 and k.sum() == 100
    # a village smaller than the floor is taken whole, never more
    k = registered_allocation(100, np.array([200, 200, 3]), np.array([0.2, 0.2, 1.0]), "self_weighting", 5)
    assert k[2] == 3 and k.sum() == 100
    # an empty frame stays empty
    assert registered_allocation(50, np.array([0, 100]), np.array([0.5, 0.5]), "self_weighting", 5).tolist() == [0, 50]


def test_weak_area_share_of_households_is_a_floor():
    """Seed 001: 50% of the villages *and households* from weak areas. Where the self-weighting
    allocation puts fewer households there, the weak-area villages get exactly half, and each side
    is self-weighting on its own."""
    m = np.array([20, 20, 20, 200, 200, 200])
    p = np.array([0.3, 0.3, 0.3, 0.3, 0.3, 0.3])
    weak = np.array([True, True, True, False, False, False])
    k = registered_allocation(120, m, p, "self_weighting", 5, weak, 0.5)
    assert k.sum() == 120 and k[weak].sum() == 60 and k[~weak].sum() == 60
    assert k.tolist() == [20, 20, 20, 20, 20, 20]
    # already above the floor: left alone (the county-wide self-weighting allocation)
    k2 = registered_allocation(120, m[::-1], p, "self_weighting", 5, weak, 0.5)
    assert k2[weak].sum() > 60 and k2.tolist() == registered_allocation(120, m[::-1], p, "self_weighting", 5).tolist()
    # the weak side cannot hold half: it gives everything it has
    k3 = registered_allocation(200, np.array([10, 10, 300, 300]), np.full(4, 0.5),
                               "self_weighting", 5, np.array([True, True, False, False]), 0.5)
    assert k3[:2].tolist() == [10, 10] and k3.sum() == 200


# ---- exact probabilities by enumeration ------------------------------------------------------------


@pytest.fixture(scope="module")
def small_county():
    reg = make_registry(3, townships=3, villages_per_township=(3, 4), weak_rate=0.2)
    design = design_from_mapping({"extends": "jilin-2018", "villages": {"count": 5, "min_count": 1,
                                                                           "min_per_stratum": 1},
                                  "households": {"registered": {"total": 100}, "scale": None}}, name="small")
    return reg, design


def _village_samples(reg, design, monkeypatch):
    """Every village sample the design can draw, with its exact probability."""
    frame = village_frame(reg, design)
    first = villages_mod.draw_villages(frame, design, 0, "c").frame
    strata = sorted(first["stratum"].unique().to_list())
    segs = {}
    for s in strata:
        sub = first.filter(pl.col("stratum") == s).sort("township", "village_id")
        w = np.rint(sub["p_village"].to_numpy() * PPS_INTERVAL).astype(np.int64)
        segs[s] = _segments(w, PPS_INTERVAL)
    out = []
    for combo in itertools.product(*(segs[s] for s in strata)):
        starts = {s: a for s, (a, _) in zip(strata, combo, strict=True)}
        prob = Fraction(1)
        for _, q in combo:
            prob *= q
        monkeypatch.setattr(villages_mod, "derived_rng", lambda seed, *keys, st=starts: _FixedStart(st[keys[-1]]))
        vd = villages_mod.draw_villages(frame, design, 0, "c")
        out.append((prob, vd))
    monkeypatch.undo()
    return frame, first, out


def test_overall_probabilities_and_totals_by_enumeration(small_county, monkeypatch):
    reg, design = small_county
    _, first, samples = _village_samples(reg, design, monkeypatch)
    assert sum(p for p, _ in samples) == 1
    assert 10 < len(samples) < 2000
    # the village stage: P(v in S) over all samples is exactly the written p_village (a binary
    # fraction, so the CSV float is the exact value)
    p_written = {v: Fraction(p) for v, p in first.select("village_id", "p_village").iter_rows()}
    p_seen = dict.fromkeys(p_written, Fraction(0))
    for prob, vd in samples:
        for v in vd.selected["village_id"].to_list():
            p_seen[v] += prob
    assert p_seen == p_written

    exited = reg.households.filter(pl.col("status") == "exited")
    m_of = dict(exited.group_by("village_id").len().iter_rows())
    n_exited = exited.height
    pi_sw: dict[str, float] = dict.fromkeys(m_of, 0.0)  # overall inclusion probability of a household, by village
    pi_eq: dict[str, float] = dict.fromkeys(m_of, 0.0)
    e_total = 0.0
    kish_sw, kish_eq = 0.0, 0.0
    equal = design_from_mapping({"extends": "jilin-2018", "villages": {"count": 5, "min_count": 1, "min_per_stratum": 1},
                                 "households": {"registered": {"total": 100, "allocation": "equal"}, "scale": None}})
    for prob, vd in samples:
        sel = vd.selected
        hh = household_frame(reg, sel["village_id"])
        for dsg, pi, kish_acc in ((design, pi_sw, "sw"), (equal, pi_eq, "eq")):
            hd = draw_households(sel, hh, hh.head(0), pl.DataFrame(), dsg, 1, "c", 5000)
            rows = hd.households.filter(pl.col("instrument") == "registered").join(
                sel.select("village_id", "p_village"), on="village_id")
            w = 1.0 / (rows["p_village"] * rows["p_household"]).to_numpy()
            kish = len(w) * float((w ** 2).sum()) / float(w.sum()) ** 2
            if kish_acc == "sw":
                kish_sw += float(prob) * kish
                e_total += float(prob) * float(w.sum())
            else:
                kish_eq += float(prob) * kish
            for v, ph in rows.group_by("village_id").agg(pl.col("p_household").first()).iter_rows():
                pi[v] += float(prob) * ph
    # Horvitz–Thompson: the expected sum of the weights is the frame's number of exited households
    assert e_total == pytest.approx(n_exited, rel=1e-12)
    # overall probabilities P(v in S)·E[k/m | v in S]: near one county-wide rate under self-weighting
    rate = 100 / n_exited
    sw = np.array([pi_sw[v] for v in m_of])
    eq = np.array([pi_eq[v] for v in m_of])
    p_v = dict(first.select("village_id", "p_village").iter_rows())
    take = np.array([rate * m_of[v] / p_v[v] for v in m_of])  # what a village's share would be at the rate
    ratio = sw / rate
    # within a fifth of the rate wherever the floor of 5 does not bind (the rest: the sum of the
    # sampled villages' m/p, an estimate of the frame size, varies with the sample; rounding)
    assert np.all(np.abs(ratio[take >= 5] - 1) < 0.2), sorted(zip(ratio, take, strict=True))
    assert np.all(ratio[take < 5] > 1)  # the floor only ever raises a village's rate
    assert np.std(sw / rate) < 0.5 * np.std(eq / rate)
    assert kish_sw < kish_eq


def test_census_groups_exact_and_self_weighting(small_county, monkeypatch):
    """Given the villages: every group's stated p_group is its exact selection probability (all
    starts enumerated, groups never drawn included), and p_village·p_group is one value for every
    group not taken with certainty."""
    reg, design = small_county
    frame = village_frame(reg, design)
    sel = villages_mod.draw_villages(frame, design, 4, "c").selected
    hh = household_frame(reg, sel["village_id"])
    hits, *_ = roster_hits(reg, frame, sel["village_id"], design.households.general.roster_sources)
    groups, _ = group_frame(reg, sel, hh)
    seen = {}

    def capture(w, interval, rng):
        seen["w"], seen["interval"] = np.asarray(w).copy(), interval
        return systematic(w, interval, rng)

    real = households_mod.derived_rng
    monkeypatch.setattr(households_mod, "systematic", capture)
    draw_households(sel, hh, hits, groups, design, 0, "c", 5000)
    w, interval = seen["w"], seen["interval"]
    order = (groups.join(sel.select("village_id", "township", "p_village"), on="village_id")
             .sort("township", "village_id", "group"))
    assert len(w) == order.height
    counts = np.zeros(len(w), dtype=object)
    stated: dict[tuple, float] = {}
    for start, prob in _segments(w, interval):
        monkeypatch.setattr(households_mod, "derived_rng",
                            lambda seed, *keys, s=start: _FixedStart(s) if keys[0] == "groups" else real(seed, *keys))
        hd = draw_households(sel, hh, hits, groups, design, 0, "c", 5000)
        keys = set(hd.groups.select("village_id", "group").iter_rows())
        for v, g, p in hd.groups.select("village_id", "group", "p_group").iter_rows():
            assert stated.setdefault((v, g), p) == p
        counts += np.array([prob if k in keys else 0 for k in order.select("village_id", "group").iter_rows()],
                           dtype=object)
    monkeypatch.undo()
    assert sum(counts) == sum(Fraction(int(x), interval) for x in w)  # the number of groups, exactly
    assert list(counts) == [Fraction(int(x), interval) for x in w]
    for (v, g), p in stated.items():
        i = order.with_row_index().filter((pl.col("village_id") == v) & (pl.col("group") == g))["index"][0]
        assert p == w[i] / interval
    # self-weighting: p_village·p_group equal for the groups below certainty
    pv = order["p_village"].to_numpy()
    pg = w / interval
    below = (pg < 1) & (pg > 0)
    overall = pv[below] * pg[below]
    assert below.sum() >= 3
    assert np.ptp(overall) <= 1e-9 * overall.max()
    assert np.all(pv[pg >= 1] <= overall.max() + 1e-12)  # certain groups are those the rate would push past 1


# ---- the presets ----------------------------------------------------------------------------------------


def test_presets_are_self_weighting_except_midyear():
    for name in ("jilin-2018", "yunnan-2018", "national-spotcheck-2019"):
        d = load_design(name)
        assert d.households.registered.allocation == "self_weighting", name
        assert d.households.general.groups_method == "self_weighting", name
        assert d.households.registered.min_per_village == 5
    assert load_design("midyear-2020").households.quotas == {"poor": 5, "exited": 5, "general": 5}


def test_jilin_weights_are_nearly_equal_and_add_up():
    """A whole draw: registered weights vary only where a village cannot give its share (caps, the
    floor), census weights are one value, and the manifest records the allocation."""
    reg = make_registry(21, townships=6, villages_per_township=(3, 8))
    s = draw(reg, "jilin-2018", 5)
    r = s.households.filter(pl.col("instrument") == "registered")
    assert r.height == 600
    k = r.group_by("village_id").agg(pl.len().alias("k"), pl.col("fpc_household").first().alias("m"),
                                     pl.col("weight").first().alias("w"))
    free = k.filter((pl.col("k") > 5) & (pl.col("k") < pl.col("m")))
    assert free.height >= 10
    w = free["w"].to_numpy()
    assert w.max() / w.min() < 1.25  # one household more or less in a village of the sample
    g = s.groups
    below = g.filter(pl.col("p_group") < 1)
    assert below.height >= 8 and np.ptp(below["weight"].to_numpy()) < 1e-6 * below["weight"].max()
    c = s.manifest["counties"][0]["households"]
    assert c["registered_allocation"] == "self_weighting" and c["registered_weak_area"] >= 300


def test_all_villages_certain_weights_sum_to_the_frame():
    """When every village is drawn (p_village = 1) the registered weights add up to the number of
    exited households exactly, and census weights × population to the non-registered population of
    the groups drawn with certainty plus the HT expansion of the rest."""
    reg = make_registry(8, townships=2, villages_per_township=(3, 4))
    n_v = reg.villages.height
    d = design_from_mapping({"extends": "jilin-2018", "villages": {"count": n_v, "min_count": 1, "min_per_stratum": 1}})
    s = draw(reg, d, 1)
    assert (s.villages["p_village"] == 1.0).all()
    r = s.households.filter(pl.col("instrument") == "registered")
    assert float(r["weight"].sum()) == pytest.approx(reg.households.filter(pl.col("status") == "exited").height, rel=1e-12)
    # census groups: every group has the same probability (p_village is 1 everywhere), to the
    # 2^-40 resolution of unequal-probability selection
    assert np.ptp(s.groups["p_group"].to_numpy()) <= 2.0 ** -39
