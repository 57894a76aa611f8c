"""Scoring from inline tables (seed 002's scoring): indicator values, points, sections, caps, ranks."""

from __future__ import annotations

import polars as pl
import pytest
from evaluate_helpers import data, sheet, table

from povexit.errors import PovexitError
from povexit.evaluate import competition_ranks, item_points, load_sheet, score

H_ROWS = """
township,household_id,instrument,status,rules,wrongful_exit,missed,approves
甲镇,H1,registered,judged,housing.unsafe;policy.industry_not_running,yes,no,yes
甲镇,H2,registered,judged,,no,no,yes
甲镇,H3,registered,judged,water.quality;policy.dibao_missing,yes,no,no
甲镇,H4,general,judged,,no,no,
甲镇,H5,registered,cannot_judge,housing.unsafe,,no,yes
乙镇,H6,registered,judged,,no,no,yes
乙镇,H7,registered,judged,,no,no,yes
乙镇,H8,general,judged,medical.uninsured,no,yes,yes
乙镇,H9,general,judged,,no,no,yes
"""

# (case, seed and section, score spec, points, {township: (value, points)})
CASES = [
    ("housing share", "seed 002 第三篇 二.2 住房安全; 附件1(一) 安全住房",
     {"method": "indicator", "indicator": "households_without_problem", "rules": ["housing."],
      "scale": {"type": "linear", "full": 1.0, "zero": 0.5}},
     10, {"甲镇": (0.75, 5.0), "乙镇": (1.0, 10.0)}),  # H5 cannot be judged: left out, not "no problem"
    ("two assurances share", "seed 002 第一篇 三(一)4 精准帮扶",
     {"method": "indicator", "indicator": "households_without_problem", "rules": ["problem"],
      "scale": {"type": "linear", "full": 1.0, "zero": 0.0}},
     10, {"甲镇": (0.5, 5.0), "乙镇": (0.75, 7.5)}),
    ("registered only", "seed 002 第三篇 二.2 产业扶贫 (registered households' questionnaire)",
     {"method": "indicator", "indicator": "households_without_problem", "rules": ["policy.industry_not_running"],
      "instrument": "registered", "scale": {"type": "linear", "full": 1.0, "zero": 0.0}},
     6, {"甲镇": (2 / 3, 4.0), "乙镇": (1.0, 6.0)}),
    ("approval", "seed 002 第一篇 三(一)3 群众认可度 (blank = no answer)",
     {"method": "indicator", "indicator": "approval_share", "scale": {"type": "linear", "full": 1.0, "zero": 0.5}},
     6, {"甲镇": (0.75, 3.0), "乙镇": (1.0, 6.0)}),  # 甲镇: H1, H2, H5 yes, H3 no; H4 blank
    ("wrongful exits deducted", "seed 002 第一篇 三(一)3 退出标准的准确性 (扣分制)",
     {"method": "indicator", "indicator": "wrongful_exit_households", "scale": {"type": "deduct", "per": 3}},
     10, {"甲镇": (2.0, 4.0), "乙镇": (0.0, 10.0)}),
    ("missed deducted", "seed 002 第一篇 三(一)3 识别标准的准确性",
     {"method": "indicator", "indicator": "missed_households", "scale": {"type": "deduct", "per": 6}},
     5, {"甲镇": (0.0, 5.0), "乙镇": (1.0, 0.0)}),  # floor at 0, never negative
    ("problems per 100", "seed 002 第三篇 二.2 动态调整",
     {"method": "indicator", "indicator": "rules_per_100", "rules": ["problem"],
      "scale": {"type": "linear", "full": 0, "zero": 100}},
     4, {"甲镇": (50.0, 2.0), "乙镇": (25.0, 3.0)}),
]


@pytest.mark.parametrize(("case", "cite", "spec", "points", "expected"), CASES, ids=[c[0] for c in CASES])
def test_item_from_inline_table(case, cite, spec, points, expected):
    sh = sheet([{"id": "x", "points": points, "score": spec}])
    res = score(sh, data(H_ROWS))
    for town, (value, pts) in expected.items():
        u = next(u for u in res.units if u.unit == town)
        it = u.item("x")
        assert it.value == pytest.approx(value), (cite, town)
        assert it.points == pytest.approx(pts), (cite, town)
        assert u.total == pytest.approx(pts)


@pytest.mark.parametrize(("scale", "points", "value", "expected"), [
    ({"type": "linear", "full": 0.95, "zero": 0.8}, 6, 0.95, 6.0),  # seed 002 第一篇 认可度: full marks at 95%
    ({"type": "linear", "full": 0.95, "zero": 0.8}, 6, 0.99, 6.0),  # clipped above
    ({"type": "linear", "full": 0.95, "zero": 0.8}, 6, 0.875, 3.0),
    ({"type": "linear", "full": 0.95, "zero": 0.8}, 6, 0.5, 0.0),  # clipped below
    ({"type": "deduct", "per": 3}, 10, 2, 4.0),  # 扣分制
    ({"type": "deduct", "per": 3}, 10, 5, 0.0),
])
def test_item_points(scale, points, value, expected):
    ind = "approval_share" if scale["type"] == "linear" else "wrongful_exit_households"
    sh = sheet([{"id": "x", "points": points, "score": {"method": "indicator", "indicator": ind, "scale": scale}}])
    assert item_points(sh.items[0], value) == pytest.approx(expected)
    assert item_points(sh.items[0], None) == 0.0


def test_small_sample_noted():
    """Seed 002 第三篇 一.4–5: 15 households a village, 2–3 villages a township; fewer than the sheet's
    min_households judged households → scored, but marked not reliable and warned (PVX-EV23)."""
    sh = sheet([{"id": "x", "points": 10, "score": {"method": "indicator", "indicator": "approval_share",
                                                    "scale": {"type": "linear", "full": 1, "zero": 0}}}],
               levels={"township": {"scale": 10, "min_households": 5}})
    res = score(sh, data(H_ROWS))
    jia = next(u for u in res.units if u.unit == "甲镇")
    assert not jia.item("x").reliable and "少于5户" in jia.item("x").note_zh
    assert "fewer than 5" in jia.item("x").note_en
    assert {d.code for d in res.warnings} == {"PVX-EV23"}
    assert not jia.reliable


def test_dismissed_case_not_counted():
    """DESIGN §1.5 (凡疑必核): a suspected wrongful exit the verification dismissed is not adopted — neither
    deducted nor counted as a 两不愁三保障 problem."""
    sh = sheet([
        {"id": "we", "points": 10, "score": {"method": "indicator", "indicator": "wrongful_exit_households",
                                             "scale": {"type": "deduct", "per": 3}}},
        {"id": "ok", "points": 10, "score": {"method": "indicator", "indicator": "households_without_problem",
                                             "rules": ["problem"], "scale": {"type": "linear", "full": 1, "zero": 0}}},
    ])
    cases = table("""
        case_id,household_id,kind,outcome
        WE-H1,H1,wrongful_exit,dismissed
        WE-H3,H3,wrongful_exit,confirmed
    """)
    jia = next(u for u in score(sh, data(H_ROWS, cases=cases)).units if u.unit == "甲镇")
    assert jia.item("we").value == 1.0 and jia.item("we").points == 7.0
    assert jia.item("ok").value == pytest.approx(0.75)  # H1's housing problem dropped; H3's water stays


def _village(**over):
    row = {"township": "甲镇", "village_id": "V1", "road_hardened": True, "road_width_m": 4.0, "road_width_exempt": False,
           "bus_within_2km": True, "water_standard_ok": True, "power_all_households": True,
           "broadcast_all_households": True,
           "culture_centre_items": "room square stage board culture_kit broadcast_kit sports_kit",
           "clinic_area_m2": 80.0, "clinic_rooms": "consulting treatment public_health pharmacy",
           "clinic_staff_per_1000": 1.5, "qualified_doctor": True, "fiber_reached": True, "broadband_mbps": 100.0}
    row.update(over)
    return row


def test_village_standards_met():
    """Seed 002 第三篇 二.1 and 附件1: the village exit standards (11 checks); an unanswered one is left out."""
    villages = pl.DataFrame([
        _village(),
        _village(village_id="V2", road_hardened=False, clinic_area_m2=50.0),  # 2 of 11 fail
        _village(township="乙镇", village_id="V3", qualified_doctor=None),  # 10 answered, all met
    ])
    sh = sheet([{"id": "v", "points": 5, "score": {"method": "indicator", "indicator": "village_standards_met",
                                                   "scale": {"type": "linear", "full": 1.0, "zero": 0.8}}}])
    res = score(sh, data(H_ROWS, villages=villages))
    jia, yi = (next(u for u in res.units if u.unit == t) for t in ("甲镇", "乙镇"))
    assert jia.item("v").value == pytest.approx(20 / 22) and jia.item("v").n == 2
    assert jia.item("v").points == pytest.approx(5 * (20 / 22 - 0.8) / 0.2)
    assert yi.item("v").value == 1.0 and yi.item("v").n == 1


def test_competition_ranking_ties():
    """Seed 002 第三篇 三.2 通报各乡镇排名: equal totals share a rank, the next is skipped ("1224")."""
    assert competition_ranks([90.0, 85.0, 85.0, 80.0]) == [1, 2, 2, 4]
    assert competition_ranks([70.0, 70.001, 60.0]) == [1, 1, 3]  # compared to 0.01
    assert competition_ranks([]) == []
    rows = "township,household_id,approves\n" + "\n".join(
        f"{t},{t}{i},{a}" for t, ans in (("丁镇", "yyyy"), ("甲镇", "yyyn"), ("乙镇", "yyyn"), ("丙镇", "yynn"))
        for i, a in enumerate(ans.replace("y", "yes,").replace("n", "no,").split(",")[:-1]))
    sh = sheet([{"id": "a", "points": 10, "score": {"method": "indicator", "indicator": "approval_share",
                                                    "scale": {"type": "linear", "full": 1, "zero": 0}}}])
    res = score(sh, data(rows))
    assert [(u.rank, u.unit, u.total) for u in res.level("township")] == [
        (1, "丁镇", 10.0), (2, "乙镇", 7.5), (2, "甲镇", 7.5), (4, "丙镇", 5.0)]
    d = res.to_dict()
    assert "仅用于" in d["ranking_note"]["zh"] and "1224" in d["rank_method"]["method"]


BONUS_SHEET = [
    {"id": "a", "points": 10, "score": {"method": "manual"}},
    *({"id": f"bonus.{k}", "kind": "bonus", "level": "township", "cap": 1, "score": {"method": "manual"}}
      for k in ("commended", "meeting", "promoted")),
    {"id": "pen", "kind": "penalty", "level": "township", "cap": 3,
     "score": {"method": "indicator", "indicator": "wrongful_exit_households", "scale": {"type": "per_unit", "per": 2}}},
]


def test_bonus_and_penalty_caps():
    """Seed 002 第一篇 三(一)8 加分因素 (three bonuses, each capped, together within the level's bonus_cap) and
    七(二)2 (penalties, capped): 甲镇 has two suspected wrongful exits × 2 = 4 > cap 3."""
    sh = sheet(BONUS_SHEET, levels={"township": {"scale": 10, "min_households": 1, "bonus_cap": 2}})
    manual = table("""
        level,unit,item,score
        乡镇,甲镇,a,9
        乡镇,甲镇,bonus.commended,1
        乡镇,甲镇,bonus.meeting,1
        乡镇,甲镇,bonus.promoted,1
        township,乙镇,a,10
    """)
    res = score(sh, data(H_ROWS), manual)
    jia, yi = (next(u for u in res.units if u.unit == t) for t in ("甲镇", "乙镇"))
    assert (jia.base, jia.bonus, jia.penalty, jia.total) == (9.0, 2.0, 3.0, 8.0)
    assert (yi.base, yi.bonus, yi.penalty, yi.total) == (10.0, 0.0, 0.0, 10.0)
    assert [u.unit for u in res.level("township")] == ["乙镇", "甲镇"]


def test_manual_entry_above_item_cap_is_an_error():
    sh = sheet(BONUS_SHEET, levels={"township": {"scale": 10, "bonus_cap": 2}})
    manual = table("""
        unit,item,score
        甲镇,bonus.commended,1.5
        甲镇,nope,1
        甲镇,a,abc
        甲镇,a,5
        甲镇,a,6
        甲镇,pen,1
    """).with_columns(pl.Series("_row", ["2", "3", "4", "5", "6", "7"]))
    with pytest.raises(PovexitError) as ei:
        score(sh, data(H_ROWS), manual, manual_file="m.csv")
    got = [(d.code, d.row) for d in ei.value.diagnostics]
    assert got == [("PVX-EV11", 2), ("PVX-EV10", 3), ("PVX-EV14", 4), ("PVX-EV13", 5), ("PVX-EV13", 6),
                   ("PVX-EV10", 7)]
    assert "bonus.commended" in ei.value.diagnostics[0].message("en") and "m.csv" in str(ei.value.diagnostics[0])


def test_township_weights_20_80_and_departments_40_percent():
    """Seed 002 第一篇 三(一): 乡(镇)经济社会发展 20%, 脱贫攻坚 80%; 三(二): departments' poverty work is 40%
    of their year-end score; 三(二)2: 一票否决."""
    sh = load_sheet("annual-henan")
    manual = table("""
        层级,单位,评分项,得分,说明
        乡镇,甲镇,economy.target,50,县目标局
        部门,县水务局,dept.village_teams,30,
        部门,县水务局,dept.targets,40,本单位满分
        部门,县水务局,dept.donations,10,
        部门,县水务局,dept.bonus_innovation,3,
        部门,县水务局,dept.bonus_more_villages,2,
        部门,县教育局,dept.village_teams,40,
        部门,县教育局,dept.targets,40,
        部门,县教育局,dept.donations,20,
        部门,县教育局,dept.veto,是,失分严重
        部门,县民政局,dept.village_teams,40,
        部门,县民政局,dept.targets,40,
        部门,县民政局,dept.donations,5,
    """)
    res = score(sh, data(H_ROWS), manual)
    jia = next(u for u in res.units if u.unit == "甲镇")
    assert jia.sections["economy"] == pytest.approx(10.0)  # 0.2 × 100 × 50/100
    poverty = [x for x in jia.items if x.section == "poverty"]
    assert jia.sections["poverty"] == pytest.approx(0.8 * 100 * sum(x.points for x in poverty) / 100)
    depts = res.level("department")
    assert [(u.rank, u.unit, u.total, u.weighted) for u in depts] == [
        (1, "县民政局", 85.0, pytest.approx(34.0)), (1, "县水务局", 85.0, pytest.approx(34.0)),
        (3, "县教育局", 0.0, 0.0)]
    assert depts[2].vetoed


def test_no_manual_file_warns_and_scores_zero():
    sh = sheet([{"id": "a", "points": 10, "score": {"method": "manual"}}])
    res = score(sh, data(H_ROWS))
    assert {d.code for d in res.warnings} == {"PVX-EV25", "PVX-EV22"}
    assert all(u.total == 0 and not u.complete for u in res.units)


def test_manual_township_missing_from_data():
    sh = sheet([{"id": "a", "points": 5, "score": {"method": "manual"}},
                {"id": "b", "points": 5, "score": {"method": "indicator", "indicator": "approval_share",
                                                   "scale": {"type": "linear", "full": 1, "zero": 0}}}])
    res = score(sh, data(H_ROWS), table("unit,item,score\n戊镇,a,5\n甲镇,a,5\n乙镇,a,5"))
    assert "PVX-EV24" in {d.code for d in res.warnings}
    wu = next(u for u in res.units if u.unit == "戊镇")
    assert wu.total == 5.0 and not wu.complete


def test_shipped_sheets_cite_the_seeds():
    for name in ("midyear-2020", "annual-henan"):
        sh = load_sheet(name)
        assert "种子002" in sh.source
        for it in sh.items:
            assert "种子00" in it.source, it.id
        for lvl in sh.levels.values():
            assert lvl.scale == 100
