"""Invariants of the scoring (hypothesis): points within [0, maximum], totals within [0, scale + bonus cap],
ranks consistent with totals (competition ranking)."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from povexit.evaluate import EvaluationData, load_sheet, score
from povexit.evaluate.scoring import bonus_cap

SHEET = load_sheet("midyear-2020")
RULES = ["", "housing.unsafe", "water.quality", "policy.industry_not_running", "medical.uninsured;policy.medical_gap",
         "approval.disapproves", "education.dropout"]
household = st.tuples(st.sampled_from(["甲镇", "乙镇", "丙镇", "丁镇"]), st.sampled_from(["registered", "general"]),
                      st.sampled_from(["judged", "judged", "cannot_judge"]), st.sampled_from(RULES),
                      st.sampled_from(["yes", "no", ""]), st.sampled_from(["yes", "no", None]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(household, min_size=1, max_size=60), st.lists(st.integers(0, 8), min_size=4, max_size=4))
def test_scores_bounded_and_ranks_consistent(rows, manual_points):
    f = pl.DataFrame([{"township": t, "household_id": f"H{i}", "instrument": ins, "status": s, "rules": r,
                       "wrongful_exit": we, "missed": "no", "approves": ap}
                      for i, (t, ins, s, r, we, ap) in enumerate(rows)], schema_overrides={"approves": pl.String})
    towns = sorted(set(f["township"]))
    manual = pl.DataFrame({"unit": towns, "item": ["responsibility.township_village"] * len(towns),
                           "score": [str(p) for p in manual_points[:len(towns)]]})
    res = score(SHEET, EvaluationData(f), manual)
    units = res.level("township")
    assert [u.unit for u in units] and {u.unit for u in units} == set(towns)
    cap = bonus_cap(SHEET, "township")
    for u in units:
        assert 0 <= u.total <= 100 + cap
        for x in u.items:
            assert 0 <= x.points <= x.maximum + 1e-9
    totals = [round(u.total, 2) for u in units]
    assert totals == sorted(totals, reverse=True)
    for u in units:
        assert u.rank == 1 + sum(1 for o in units if round(o.total, 2) > round(u.total, 2))
