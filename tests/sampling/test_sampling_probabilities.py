"""Over many seeds, every unit is selected as often as its stated inclusion probability says.

Tolerance: for R independent draws a unit with probability p is selected k ~ Binomial(R, p) times;
we require |k/R − p| ≤ 4.5·sqrt(p(1−p)/R) + 1/R. With ~100 units per check the chance that a correct
implementation fails is below 10⁻³ (two-sided normal tail at 4.5 sd is 6.8·10⁻⁶ per unit); the seeds
are fixed, so the test is deterministic.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sampling_fixtures import make_registry

from povexit.sampling import draw
from povexit.sampling.design import design_from_mapping, load_design
from povexit.sampling.frame import group_frame, household_frame, roster_hits, village_frame
from povexit.sampling.households import draw_households
from povexit.sampling.villages import draw_villages

Z = 4.5


def assert_frequencies(freq: np.ndarray, p: np.ndarray, runs: int) -> None:
    tol = Z * np.sqrt(p * (1 - p) / runs) + 1.0 / runs
    bad = np.flatnonzero(np.abs(freq - p) > tol)
    assert not len(bad), [(int(i), float(freq[i]), float(p[i]), float(tol[i])) for i in bad[:10]]


def village_frequencies(reg, design, runs: int):
    frame = village_frame(reg, design)
    first = draw_villages(frame, design, 0, "county").frame.sort("village_id")
    p = first["p_village"].to_numpy()
    counts = np.zeros(first.height)
    towns = set(first["township"].to_list())
    for seed in range(runs):
        vd = draw_villages(frame, design, seed, "county")
        f = vd.frame.sort("village_id")
        assert f["p_village"].to_list() == first["p_village"].to_list()  # probabilities do not depend on the seed
        counts += f["selected"].to_numpy()
        if design.villages.cover_townships:
            assert set(vd.selected["township"].to_list()) == towns
        # each stratum: probabilities sum to its sample size, and exactly that many are drawn
        for s in vd.strata:
            sub = f.filter(pl.col("stratum") == s["stratum"])
            assert abs(sub["p_village"].sum() - s["n"]) < 1e-9
            assert int(sub["selected"].sum()) == s["n"]
    return first, counts / runs, p


def test_village_stage_frequencies_with_township_anchoring():
    # many small townships and a sample of 20: several townships must be anchored and boosted
    reg = make_registry(11, townships=14, villages_per_township=(2, 7), weak_rate=0.12)
    design = design_from_mapping({"extends": "jilin-2018", "villages": {"count": 20, "min_count": 10}})
    first, freq, p = village_frequencies(reg, design, 1500)
    assert first["township_boosted"].any(), "the fixture should exercise township anchoring"
    assert_frequencies(freq, p, 1500)


@given(
    reg_seed=st.integers(0, 10_000),
    townships=st.integers(3, 10),
    count=st.integers(8, 30),
    poor_share=st.sampled_from([0.5, 0.7, 0.9]),
    weak_share=st.sampled_from([0.0, 0.5, 0.8]),
    method=st.sampled_from(["pps", "equal"]),
    cover=st.booleans(),
)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_village_frequencies_match_probabilities(reg_seed, townships, count, poor_share, weak_share, method, cover):
    reg = make_registry(reg_seed, townships=townships, villages_per_township=(2, 9))
    design = design_from_mapping({"extends": "jilin-2018", "villages": {
        "count": count, "min_count": 1, "poor_share": poor_share, "weak_share": weak_share, "method": method,
        "cover_townships": cover}})
    _, freq, p = village_frequencies(reg, design, 500)
    assert_frequencies(freq, p, 500)


def test_household_stage_frequencies_given_the_villages():
    """Conditional on the village sample, each household (and census group) is drawn with its stated
    p_household (p_group); reserves never overlap the main sample."""
    reg = make_registry(5, townships=6)
    design = load_design("jilin-2018")
    frame = village_frame(reg, design)
    sel = draw_villages(frame, design, 1, "c").selected
    hh = household_frame(reg, sel["village_id"])
    hits, *_ = roster_hits(reg, frame, sel["village_id"], design.households.general.roster_sources)
    groups, _ = group_frame(reg, sel, hh)
    runs = 600
    counts: dict[str, int] = {}
    gcounts: dict[tuple, int] = {}
    p_of: dict[str, float] = {}
    p_group: dict[tuple, float] = {}
    for seed in range(runs):
        hd = draw_households(sel, hh, hits, groups, design, seed, "c", 12_000)
        main_ids = set(hd.households["household_id"].to_list())
        assert not main_ids & set(hd.reserve["household_id"].to_list())
        for hid, p in zip(hd.households["household_id"].to_list(), hd.households["p_household"].to_list(), strict=True):
            counts[hid] = counts.get(hid, 0) + 1
            assert p_of.setdefault(hid, p) == p
        for v, g, p in hd.groups.select("village_id", "group", "p_group").iter_rows():
            gcounts[(v, g)] = gcounts.get((v, g), 0) + 1
            assert p_group.setdefault((v, g), p) == p
    reg_frame = hh.filter(pl.col("status") == "exited")
    # every exited household of a sampled village must have its p; the never-drawn ones are checked too
    drawn = set(counts)
    freq, p = [], []
    by_village = {}
    for hid, v in reg_frame.select("household_id", "village_id").iter_rows():
        by_village.setdefault(v, []).append(hid)
    for ids in by_village.values():
        ps = {p_of[h] for h in ids if h in drawn}
        assert len(ps) == 1  # one probability per village frame
        pv = ps.pop()
        for h in ids:
            freq.append(counts.get(h, 0) / runs)
            p.append(pv)
    assert_frequencies(np.array(freq), np.array(p), runs)
    # census groups: stated p_group vs frequency (groups never drawn have no stated p here; see
    # test_sampling_selection for the exactness of systematic PPS itself)
    gkeys = list(p_group)
    assert_frequencies(np.array([gcounts[k] / runs for k in gkeys]), np.array([p_group[k] for k in gkeys]), runs)
    # roster hits are certain
    assert all(counts[h] == runs for h in hits["household_id"].to_list())


def test_weighted_totals_are_unbiased_over_full_draws():
    """Horvitz–Thompson: Σ weights of sampled exited households estimates the number of exited
    households of the county; Σ weight × population of census groups the non-registered population."""
    reg = make_registry(21, townships=6, villages_per_township=(3, 8))
    design = load_design("jilin-2018")
    true_exited = reg.households.filter(pl.col("status") == "exited").height
    g = reg.groups
    true_nonreg = int(g["nonregistered_population"].sum())
    est_e, est_g = [], []
    for seed in range(120):
        s = draw(reg, design, seed)
        reg_rows = s.households.filter(pl.col("instrument") == "registered")
        assert np.allclose(reg_rows["weight"], 1 / (reg_rows["p_village"] * reg_rows["p_household"]))
        est_e.append(float(reg_rows["weight"].sum()))
        est_g.append(float((s.groups["weight"] * s.groups["nonregistered_population"]).sum()))
    for est, truth in ((np.array(est_e), true_exited), (np.array(est_g), true_nonreg)):
        se = est.std(ddof=1) / np.sqrt(len(est))
        assert abs(est.mean() - truth) <= Z * se + 1e-9, (est.mean(), truth, se)


@given(
    reg_seed=st.integers(0, 10**6),
    townships=st.integers(1, 15),
    lo=st.integers(1, 3),
    extra=st.integers(0, 5),
    weak_rate=st.sampled_from([0.0, 0.05, 0.2, 0.5]),
    count=st.integers(1, 40),
    poor_share=st.sampled_from([0.0, 0.3, 0.7, 1.0]),
    weak_share=st.sampled_from([0.0, 0.5, 1.0]),
    method=st.sampled_from(["pps", "equal"]),
    min_per_stratum=st.integers(1, 2),
    cover=st.booleans(),
    seed=st.integers(0, 2**63 - 1),
)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_county_and_design_gives_a_valid_probability_sample(reg_seed, townships, lo, extra, weak_rate, count,
                                                                 poor_share, weak_share, method, min_per_stratum,
                                                                 cover, seed):
    """Whatever the county looks like: every village has 0 < p ≤ 1, each stratum's probabilities sum
    to the number drawn from it, and every township is reached when the design says so."""
    reg = make_registry(reg_seed, townships=townships, villages_per_township=(lo, lo + extra), weak_rate=weak_rate)
    design = design_from_mapping({"extends": "jilin-2018", "villages": {
        "count": count, "min_count": 1, "poor_share": poor_share, "weak_share": weak_share, "method": method,
        "min_per_stratum": min_per_stratum, "cover_townships": cover}})
    frame = village_frame(reg, design)
    vd = draw_villages(frame, design, seed, "county")
    f = vd.frame
    assert ((f["p_village"] > 0) & (f["p_village"] <= 1)).all()
    for s in vd.strata:
        sub = f.filter(pl.col("stratum") == s["stratum"])
        assert abs(sub["p_village"].sum() - s["n"]) < 1e-9 and int(sub["selected"].sum()) == s["n"]
    assert vd.selected.height >= min(count, frame.height)
    if cover:
        assert set(vd.selected["township"]) == set(frame["township"])
