"""Check 5: enumerator and pair statistics against the team; outliers found, none under the null."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from quality_helpers import team

from povexit.quality import QualityParams, check

FABRICATOR = "E13;E14"


def _with_fabricator(seed: int = 1) -> pl.DataFrame:
    """A team of 12 pairs (40 interviews each, 60 % without any problem); pair E13;E14 reports no problem
    anywhere and spends 20 minutes a household."""
    df = team(np.random.default_rng(seed), pairs=12, per_pair=40, no_problem=0.6)
    fab = pl.col("enumerators") == FABRICATOR
    return df.with_columns(
        pl.when(fab).then(True).otherwise(pl.col("food_protein_enough")).alias("food_protein_enough"),
        pl.when(fab).then(pl.col("started_at") + pl.duration(minutes=20)).otherwise(pl.col("ended_at")).alias("ended_at"),
    )


def test_fabricating_pair_is_an_outlier_at_both_levels():
    rep = check(_with_fabricator())
    got = {(r["level"], r["enumerators"], r["check"]) for r in rep.enumerator_flags.iter_rows(named=True)}
    want = {(lvl, u, c) for lvl, u in (("pair", FABRICATOR), ("enumerator", "E13"), ("enumerator", "E14"))
            for c in ("enumerator.no_problem_share", "enumerator.duration")}
    assert got == want
    row = rep.enumerator_flags.filter((pl.col("level") == "pair")
                                      & (pl.col("check") == "enumerator.no_problem_share")).row(0, named=True)
    assert row["n"] == 40 and row["value"] == 1.0 and 0.45 < row["team_value"] < 0.75
    assert row["z"] >= 3.0 and row["q"] <= 0.05 and row["test"] in ("cmh", "fisher")
    assert "调查组 E13;E14" in row["detail_zh"] and "100%" in row["detail_zh"] and "偏高" in row["detail_zh"]
    dur = rep.enumerator_flags.filter((pl.col("level") == "pair") & (pl.col("check") == "enumerator.duration")).row(
        0, named=True)
    assert dur["value"] == 20.0 and dur["z"] < -3.0 and "lower" in dur["detail_en"]
    # the enumerators table lists every unit with its statistics and names the outliers
    t = rep.enumerators.filter((pl.col("level") == "pair") & (pl.col("enumerators") == FABRICATOR)).row(0, named=True)
    assert t["interviews"] == 40 and t["no_problem_share"] == 1.0 and t["duration_median_min"] == 20.0
    assert t["outliers"] == "enumerator.duration;enumerator.no_problem_share"
    assert rep.enumerators.filter(pl.col("level") == "enumerator").height == 24
    assert rep.summary["by_check"]["enumerator.no_problem_share"] == 3


def test_no_outliers_in_honest_teams():
    for seed in range(4):
        rep = check(team(np.random.default_rng(100 + seed), pairs=12, per_pair=30))
        assert rep.enumerator_flags.height == 0, rep.enumerator_flags


def test_village_adjustment_compares_with_colleagues_in_the_same_villages():
    """Pair E25;E26 works only in the richest village, where its households are as rich as anyone's there."""
    rng = np.random.default_rng(7)
    df = team(rng, pairs=12, per_pair=30)
    rich = df.filter(pl.col("village_id") == "V5")
    extra = rich.head(30).with_columns(
        pl.lit("E25;E26").alias("enumerators"),
        (pl.lit("x") + pl.col("instance_id")).alias("instance_id"), (pl.lit("X") + pl.col("household_id")).alias("household_id"),
        pl.Series("income_net_per_capita", rich["income_net_per_capita"].sample(30, seed=3, shuffle=True).to_numpy()
                  * np.exp(rng.normal(0, 0.05, 30))),
        # another day, so the pair is never in two places at once
        pl.col("started_at") + pl.duration(days=30), pl.col("ended_at") + pl.duration(days=30),
    )
    both = pl.concat([df, extra])
    adjusted = check(both)
    assert "enumerator.income" not in set(adjusted.enumerator_flags["check"])
    plain = check(both, params=QualityParams(adjust_for_village=False))
    hits = plain.enumerator_flags.filter(pl.col("check") == "enumerator.income")
    assert set(hits["enumerators"]) == {"E25;E26", "E25", "E26"}


def test_nonresponse_share_and_small_units():
    df = team(np.random.default_rng(3), pairs=12, per_pair=30)
    rows = []
    for k in range(14):  # pair E01;E02 records 14 households not found; two other pairs one each
        rows.append({"instance_id": f"n{k}", "household_id": f"NR{k}", "instrument": "registered", "county": "甲县",
                     "village_id": f"V{k % 6}", "enumerators": "E01;E02", "interview_result": "not_found"})
    for k, e in ((20, "E03;E04"), (21, "E05;E06")):
        rows.append({"instance_id": f"n{k}", "household_id": f"NR{k}", "instrument": "registered", "county": "甲县",
                     "village_id": "V0", "enumerators": e, "interview_result": "refused"})
    # and a pair with five interviews only: listed, not tested
    small = df.head(5).with_columns(pl.lit("E90;E91").alias("enumerators"),
                                    (pl.lit("s") + pl.col("instance_id")).alias("instance_id"),
                                    (pl.lit("S") + pl.col("household_id")).alias("household_id"),
                                    pl.col("started_at") + pl.duration(days=60), pl.col("ended_at") + pl.duration(days=60))
    rep = check({"households": pl.concat([df, small]), "nonresponse": pl.DataFrame(rows)})
    nr = rep.enumerator_flags.filter(pl.col("check") == "enumerator.nonresponse_share")
    assert set(nr["enumerators"]) == {"E01;E02", "E01", "E02"}
    t = rep.enumerators.filter((pl.col("level") == "pair") & (pl.col("enumerators") == "E01;E02")).row(0, named=True)
    assert t["nonresponse"] == 14 and abs(t["nonresponse_share"] - 14 / 44) < 1e-12
    s = rep.enumerators.filter((pl.col("level") == "pair") & (pl.col("enumerators") == "E90;E91")).row(0, named=True)
    assert s["interviews"] == 5 and s["z_no_problem_share"] is None
    assert "PVX-Q14" in {w.code for w in rep.warnings}
    assert rep.summary["nonresponse"] == 16


def test_team_is_the_county():
    """The same IDs in two counties are two different people."""
    a = team(np.random.default_rng(5), pairs=6, per_pair=12, county="甲县")
    b = team(np.random.default_rng(6), pairs=6, per_pair=12, county="乙县").with_columns(
        (pl.lit("b") + pl.col("instance_id")).alias("instance_id"), (pl.lit("B") + pl.col("household_id")).alias("household_id"))
    rep = check(pl.concat([a, b]))
    e = rep.enumerators.filter(pl.col("level") == "enumerator")
    assert e.height == 24 and set(e.filter(pl.col("enumerators") == "E01")["county"]) == {"甲县", "乙县"}
    assert set(e["interviews"]) == {12}
    assert rep.flags.filter(pl.col("check") == "timing.overlap").height == 0
    assert dt.date(2019, 2, 13).isoformat() in rep.summary["fieldwork_days"]


def test_skipped_answers_follow_the_forms_skip_logic():
    from quality_helpers import frame, interview

    from povexit.quality.answers import skipped_answers
    from povexit.quality.frame import submissions

    rows = [
        interview("k1", "H1", "2019-02-14T08:00"),  # tap at home: the distance questions are not asked
        interview("k2", "H2", "2019-02-14T09:00", water_fetch_minutes=12.0),  # asked, left empty
        interview("k3", "H3", "2019-02-14T10:00", water_fetch_minutes=12.0, water_horizontal_m=300.0,
                  water_vertical_m=20.0),
        interview("k4", "H4", "2019-02-14T11:00", water_reliability_pct=None),  # always asked, left empty
    ]
    prep = submissions(frame(rows))
    sk = skipped_answers(prep.households).sort("_i")
    assert sk["skipped"].to_list() == [0, 2, 0, 1]
    asked = sk["asked"].to_list()
    assert asked[1] == asked[2] == asked[0] + 2 and asked[3] == asked[0]


def test_approval_and_skipped_share_outliers():
    df = team(np.random.default_rng(21), pairs=12, per_pair=40, approves=0.95)
    bad = pl.col("enumerators") == "E07;E08"
    df = df.with_columns(
        pl.when(bad).then(pl.lit(None, pl.Float64)).otherwise(pl.col("water_reliability_pct")).alias("water_reliability_pct"),
        pl.when(bad & (pl.col("instance_id").str.slice(-1).cast(pl.Int32) % 2 == 0)).then(False)
        .otherwise(pl.col("approves")).alias("approves"),
    )
    rep = check(df)
    got = {(r["enumerators"], r["check"]) for r in rep.enumerator_flags.filter(pl.col("level") == "pair").iter_rows(named=True)}
    assert got == {("E07;E08", "enumerator.missing_share"), ("E07;E08", "enumerator.approval_share")}
    t = rep.enumerators.filter((pl.col("level") == "pair") & (pl.col("enumerators") == "E07;E08")).row(0, named=True)
    assert t["skipped_share"] == 1.0 and t["approval_share"] < 0.6
