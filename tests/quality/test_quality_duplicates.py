"""Check 4: the same household twice, copied questionnaires, one ID number in two households."""

from __future__ import annotations

import numpy as np
import polars as pl
from quality_helpers import VARIED, flags_of, person_id, table, team

from povexit.quality import QualityParams, check
from povexit.quality.duplicates import match_weights, similar_pairs

HOUSEHOLDS = """
instance_id,household_id,county,village_id,enumerators,started_at,ended_at,gps
d1,H1,甲县,V1,E01;E02,2019-02-14T08:00:00+08:00,2019-02-14T08:40:00+08:00,25.0010 102.0010 1800 5
d2,H1,甲县,V1,E03;E04,2019-02-15T08:00:00+08:00,2019-02-15T08:40:00+08:00,25.0020 102.0020 1800 5
d3,H3,甲县,V1,E01;E02,2019-02-14T09:00:00+08:00,2019-02-14T09:40:00+08:00,25.0030 102.0030 1800 5
d4,H4,甲县,V1,E01;E02,2019-02-14T10:00:00+08:00,2019-02-14T10:40:00+08:00,25.0040 102.0040 1800 5
d5,H5,甲县,V1,E03;E04,2019-02-14T10:00:00+08:00,2019-02-14T10:40:00+08:00,25.0050 102.0050 1800 5
d6,H6,甲县,V1,E03;E04,2019-02-14T11:00:00+08:00,2019-02-14T11:40:00+08:00,25.0060 102.0060 1800 5
"""
REJECTED = """
file,row,instance_id,household_id,instrument,field,value,code,severity
odk.zip,12,r9,H3,registered,household_id,H3,PVX-I02,error
odk.zip,13,r10,H4,registered,persons,x,PVX-I06,error
"""
SHARED = person_id(1)
TWICE = person_id(2)
MEMBERS = f"""
instance_id,household_id,member_no,member_name,member_id_number
d4,H4,1,张大山,{SHARED}
d4,H4,2,李小红,{person_id(3)}
d5,H5,1,张大山,{SHARED.lower() if SHARED.endswith('X') else SHARED}
d6,H6,1,王五,{TWICE}
d6,H6,2,王五,{TWICE}
d6,H6,3,王六,无
"""


def test_duplicate_households_and_member_ids():
    rep = check({"households": table(HOUSEHOLDS), "rejected": table(REJECTED), "members": table(MEMBERS)})
    dup = rep.flags.filter(pl.col("check").str.starts_with("duplicate."))
    got = {(r["instance_id"], r["check"]): r for r in dup.iter_rows(named=True)}
    assert set(got) == {
        ("d1", "duplicate.household"), ("d2", "duplicate.household"),
        ("d3", "duplicate.household_rejected"),
        ("d4", "duplicate.member_id"), ("d5", "duplicate.member_id"),
        ("d6", "duplicate.member_id_within"),
    }
    assert got[("d1", "duplicate.household")]["related_instance_id"] == "d2"
    assert got[("d1", "duplicate.household")]["severity"] == "error"
    assert got[("d3", "duplicate.household_rejected")]["related_instance_id"] == "r9"
    shared = got[("d4", "duplicate.member_id")]
    assert shared["related_instance_id"] == "d5" and "H5" in shared["detail_zh"]
    # ID numbers never appear unmasked
    masked = SHARED[:6] + "********" + SHARED[-4:]
    assert shared["value"] == masked
    text = rep.flags.write_csv()
    for raw in (SHARED, TWICE):
        assert raw not in text
    assert got[("d6", "duplicate.member_id_within")]["value"] == TWICE[:6] + "********" + TWICE[-4:]


ANSWER_COLS = ("food_protein_enough", "approves", "income_net_per_capita", *VARIED)


def _copies(*changed: str) -> pl.DataFrame:
    """A team of three pairs (20 interviews each, random answers); interview u00001 of pair E01;E02 is a
    copy of u00000 with its household size changed, and the fields in ``changed`` changed too."""
    df = team(np.random.default_rng(3), pairs=3, per_pair=20)
    src = df.filter(pl.col("instance_id") == "u00000").row(0, named=True)
    new = {c: src[c] for c in ANSWER_COLS} | {"persons": src["persons"] % 6 + 1,
                                             "persons_sharing": src["persons"] % 6 + 1}
    for c in changed:
        new[c] = src[c] * 1.37 + 11
    return df.with_columns([pl.when(pl.col("instance_id") == "u00001").then(pl.lit(v)).otherwise(pl.col(c)).alias(c)
                            for c, v in new.items()])


def test_copied_questionnaire_is_flagged_with_its_twin():
    rep = check(_copies())
    copy = rep.flags.filter(pl.col("check") == "duplicate.answers")
    assert dict(copy.select("instance_id", "related_instance_id").iter_rows()) == {"u00000": "u00001",
                                                                                   "u00001": "u00000"}
    row = copy.row(0, named=True)
    assert 0.85 <= float(row["value"]) < 1 and "u00001" in row["detail_zh"] and "weighted" in row["detail_en"]
    # two informative answers changed as well: no longer near-identical
    assert check(_copies("income_wage", "water_litres_per_person_day")).flags.filter(
        pl.col("check") == "duplicate.answers").height == 0
    # another enumerator's interview is never compared
    other = _copies().with_columns(pl.when(pl.col("instance_id") == "u00001").then(pl.lit("E77;E78"))
                                   .otherwise(pl.col("enumerators")).alias("enumerators"))
    assert check(other).flags.filter(pl.col("check") == "duplicate.answers").height == 0
    # stricter threshold
    assert check(_copies(), params=QualityParams(copy_min_similarity=0.999)).flags.filter(
        pl.col("check") == "duplicate.answers").height == 0


def test_similar_pairs_matches_a_direct_computation(monkeypatch):
    import povexit.quality.duplicates as D

    monkeypatch.setattr(D, "_BLOCK_CELLS", 3000)  # several comparison blocks
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 3, size=(40, 25)).astype(np.int32)
    codes[7] = codes[3]
    codes[7, 0] = (codes[3, 0] + 1) % 3
    got = {(i, j): s for i, j, s, _ in similar_pairs(codes, 0.9, 10)}
    w = np.linspace(0.5, 3, 25)
    got_w = {(i, j): s for i, j, s, _ in similar_pairs(codes, 0.9, 10, w)}
    want = {}
    for i in range(40):
        for j in range(i + 1, 40):
            both = (codes[i] > 0) | (codes[j] > 0)
            sim = ((codes[i] == codes[j]) & both).sum() / both.sum()
            if sim >= 0.9 and both.sum() >= 10:
                want[(i, j)] = sim
    assert (3, 7) in want and got.keys() == want.keys()
    assert all(abs(got[k] - want[k]) < 1e-12 for k in want)
    b = (codes[3] > 0) | (codes[7] > 0)
    assert abs(got_w[(3, 7)] - (w * ((codes[3] == codes[7]) & b)).sum() / (w * b).sum()) < 1e-12


def test_match_weights_are_bits_of_chance_agreement():
    codes = np.array([[1, 1, 0], [1, 2, 0], [1, 3, 2], [1, 4, 2]], dtype=np.int32)
    w = match_weights(codes)
    # a constant answer carries nothing; four distinct answers 2 bits; one answered value among two → 0
    assert w.tolist() == [0.0, 2.0, 0.0]


def test_honest_team_has_no_copy_flags():
    rep = check(team(np.random.default_rng(11), pairs=6, per_pair=30))
    assert rep.flags.filter(pl.col("check") == "duplicate.answers").height == 0
    assert flags_of(rep, "duplicate.member_id") == {}
