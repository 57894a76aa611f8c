"""Back-check sampling (三级核查): seeded, stratified by enumerator pair, at least one per enumerator."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quality_helpers import table
from scipy import stats as sps

from povexit.errors import PovexitError
from povexit.quality import draw_backcheck
from povexit.quality.backcheck import allocate, target_total


def _interviews(sizes: list[int], partners: list[int]) -> pl.DataFrame:
    """Pair k does sizes[k] interviews; its second member is enumerator partners[k] (so an enumerator can
    be in several pairs)."""
    rows = []
    for k, (n, b) in enumerate(zip(sizes, partners, strict=True)):
        pair = ";".join(sorted({f"E{k:02d}", f"F{b:02d}"}))
        rows += [{"instance_id": f"uuid:{k:02d}-{i:03d}", "household_id": f"H{k:02d}{i:03d}", "county": "甲县",
                  "village_id": f"V{i % 3}", "enumerators": pair} for i in range(n)]
    return pl.DataFrame(rows)


pairs = st.lists(st.tuples(st.integers(1, 60), st.integers(0, 4)), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(pairs, st.floats(0.01, 1.0), st.integers(0, 2**63 - 1), st.randoms(use_true_random=False))
def test_backcheck_draw_properties(spec, share, seed, shuffle):
    sizes, partners = [s for s, _ in spec], [b for _, b in spec]
    df = _interviews(sizes, partners)
    draw = draw_backcheck(df, share, seed)
    sel = draw.selected
    n_total = df.height
    # determinism: the same interviews in another order give the same list, byte for byte
    order = list(range(n_total))
    shuffle.shuffle(order)
    again = draw_backcheck(df[order], share, seed)
    assert again.selected.write_csv() == sel.write_csv()
    # every enumerator (every member of every pair) is back-checked at least once
    drawn_enums = {e for p in sel["enumerators"].to_list() for e in p.split(";")}
    all_enums = {e for p in df["enumerators"].to_list() for e in p.split(";")}
    assert drawn_enums == all_enums
    # the share is respected: the total reaches ceil(share × N); each pair within one interview of its
    # share unless raised to the minimum of one
    assert sel.height >= target_total(n_total, share)
    per = draw.strata
    for row in per.iter_rows(named=True):
        exact = share * row["N"]
        assert row["n"] <= row["N"]
        assert math.floor(exact + 1e-9) <= row["n"] <= max(1, math.ceil(exact - 1e-9))
        assert abs(row["p"] - row["n"] / row["N"]) < 1e-15
    # only a pair whose share is under one interview can be raised to the minimum
    can_be_raised = per.filter((pl.col("N") * share + 1e-9).floor() == 0).height
    assert sel.height <= target_total(n_total, share) + can_be_raised
    # inclusion probabilities and weights are those of the stratum; instance IDs are unique
    assert sel["instance_id"].n_unique() == sel.height
    assert (sel["p_selection"] * sel["weight"] - 1).abs().max() < 1e-12
    assert sel["backcheck_no"].to_list() == list(range(1, sel.height + 1))
    assert set(sel["reason"]) <= {"random"}


def test_seed_changes_the_draw_and_share_one_takes_everything():
    df = _interviews([40, 35, 50], [0, 1, 2])
    a = draw_backcheck(df, 0.1, 1).selected["instance_id"].to_list()
    b = draw_backcheck(df, 0.1, 2).selected["instance_id"].to_list()
    assert len(a) == len(b) == 13 and a != b
    assert draw_backcheck(df, 1.0, 5).selected.height == 125


def test_selection_is_uniform_within_a_pair():
    """Each interview of a pair is drawn with probability n/N (simulation over seeds)."""
    df = _interviews([20], [0])
    counts = np.zeros(20)
    for seed in range(400):
        ids = draw_backcheck(df, 0.15, seed).selected["instance_id"].to_list()
        for i in ids:
            counts[int(i.split("-")[1])] += 1
    # 3 of 20 per draw: expected 60 each; binomial sd ≈ 7.1
    assert counts.sum() == 1200
    assert np.all(np.abs(counts - 60) < 4.5 * np.sqrt(400 * 0.15 * 0.85))
    assert sps.chisquare(counts).pvalue > 0.001


def test_allocation_by_largest_remainder_and_minimum():
    rng = np.random.default_rng(0)
    # share 0.1 of 100 = 10: exact 3.5, 2.7, 1.8, 0.2, 1.8 → floors 3+2+1+0+1 = 7; the three largest
    # remainders (.8, .8, .7) get one more; then the pair of two interviews is raised to one
    n = allocate(np.array([35, 27, 18, 2, 18]), 0.1, 1, rng)
    assert n.tolist() == [3, 3, 2, 1, 2]
    assert allocate(np.array([35, 27, 18, 2, 18]), 0.1, 0, rng).tolist() == [3, 3, 2, 0, 2]
    # ties in the remainders are broken by the seeded generator, never by position alone
    ties = {tuple(allocate(np.array([10, 10, 10]), 0.25, 0, np.random.default_rng(s)).tolist()) for s in range(20)}
    assert ties == {(3, 3, 2), (3, 2, 3), (2, 3, 3)}


def test_flagged_interviews_are_added_with_certainty():
    df = _interviews([30, 30], [0, 1])
    draw = draw_backcheck(df, 0.05, 9, flagged=["uuid:00-007", "uuid:01-011", "uuid:99-999"])
    flagged = draw.selected.filter(pl.col("reason") == "flagged")
    assert sorted(flagged["instance_id"]) == sorted({"uuid:00-007", "uuid:01-011"} - set(
        draw.selected.filter(pl.col("reason") == "random")["instance_id"]))
    assert set(flagged["p_selection"]) <= {1.0}
    assert draw.summary["drawn"] == 3 and draw.summary["flagged_added"] == flagged.height


def test_minimum_per_pair_raises_the_total_with_a_warning():
    df = _interviews([5] * 10, list(range(10)))
    draw = draw_backcheck(df, 0.05, 3)
    assert draw.selected.height == 10 and draw.summary["target"] == 3
    assert [w.code for w in draw.warnings] == ["PVX-Q15"]


@pytest.mark.parametrize("share", [0, -0.1, 1.5, float("nan")])
def test_invalid_share(share):
    with pytest.raises(PovexitError) as e:
        draw_backcheck(_interviews([5], [0]), share, 1)
    assert e.value.diagnostics[0].code == "PVX-Q03"


def test_invalid_seed():
    with pytest.raises(PovexitError) as e:
        draw_backcheck(_interviews([5], [0]), 0.1, -1)
    assert e.value.diagnostics[0].code == "PVX-Q04"


def test_backcheck_reads_the_responses_table_shape():
    df = table("""
        instance_id,household_id,instrument,county,township,village,village_id,group,enumerator_id,enumerator_partner,started_at,ended_at
        a1,H1,registered,甲县,甲镇,东村,V1,一组,E02,E01,2019-02-14T09:00:00+08:00,2019-02-14T09:40:00+08:00
        a2,H2,general,甲县,甲镇,东村,V1,二组,E01,E02,2019-02-15T09:00:00+08:00,2019-02-15T09:40:00+08:00
        """)
    sel = draw_backcheck(df, 0.5, 4).selected
    assert sel.height == 1 and sel["enumerators"][0] == "E01;E02" and sel["stratum"][0] == "甲县/E01;E02"
    assert str(sel["day"][0]) in ("2019-02-14", "2019-02-15") and sel["village"][0] == "东村"
