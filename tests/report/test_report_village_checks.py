"""Village checklist standards (seed 002 附件1, 贫困村退出核查标准), including the exact boundaries."""

from __future__ import annotations

import pytest

from povexit.report.village_checks import CULTURE_ITEMS, check_village

GOOD = {
    "village_id": "V1", "township": "甲镇", "village": "东村",
    "road_hardened": True, "road_width_m": 3.5, "road_width_exempt": False, "bus_within_2km": True,
    "water_standard_ok": True, "power_all_households": True, "broadcast_all_households": True,
    "culture_centre_items": " ".join(CULTURE_ITEMS), "clinic_area_m2": 60.0,
    "clinic_rooms": "consulting treatment public_health pharmacy", "clinic_staff_per_1000": 1.0,
    "qualified_doctor": True, "broadband_mbps": 50.0, "fiber_reached": True,
}


def rules(**changes):
    return [p[0] for p in check_village({**GOOD, **changes}).problems]


def test_exactly_at_every_standard_passes():
    chk = check_village(GOOD)
    assert chk.problems == [] and chk.unanswered == []


@pytest.mark.parametrize(("changes", "expected"), [
    # (二) 路面宽度原则上不低于3.5米 … 应不低于3.0米
    ({"road_width_m": 3.49}, ["infra.road_too_narrow"]),
    ({"road_width_m": 3.0, "road_width_exempt": True}, []),
    ({"road_width_m": 2.99, "road_width_exempt": "是"}, ["infra.road_too_narrow"]),
    ({"road_hardened": "否"}, ["infra.road_not_hardened"]),
    # (三) 客运班车 … 两公里以内
    ({"bus_within_2km": False}, ["infra.no_bus"]),
    # (四)(五)(六)
    ({"water_standard_ok": 0}, ["infra.water_standard"]),
    ({"power_all_households": False}, ["infra.power"]),
    ({"broadcast_all_households": False}, ["infra.broadcast"]),
    # (七) 一个文化活动室；一个文体广场；一个简易戏台；一个宣传栏；一套文化器材；一套广播器材；一套体育设施器材
    ({"culture_centre_items": "room square stage board culture_kit broadcast_kit"}, ["infra.culture_centre"]),
    # (八) 不低于60平方米 … 诊室、治疗室、公共卫生室和药房 … 每千人不低于1名
    ({"clinic_area_m2": 59.9}, ["infra.clinic_area"]),
    ({"clinic_rooms": "consulting treatment pharmacy"}, ["infra.clinic_rooms"]),
    ({"clinic_staff_per_1000": 0.8}, ["infra.clinic_rooms"]),
    # (九) 至少有一名合格村医
    ({"qualified_doctor": False}, ["infra.no_doctor"]),
    # (十) 光纤通达 … 50兆以上
    ({"broadband_mbps": 49.0}, ["infra.broadband"]),
    ({"fiber_reached": False}, ["infra.broadband"]),
])
def test_each_standard(changes, expected):
    assert rules(**changes) == expected


def test_unanswered_fields_are_listed_not_failed():
    chk = check_village({**GOOD, "clinic_area_m2": None, "road_hardened": ""})
    assert chk.problems == []
    assert set(chk.unanswered) == {"clinic_area_m2", "road_hardened"}


def test_evidence_in_both_languages():
    chk = check_village({**GOOD, "culture_centre_items": "room square", "clinic_area_m2": 45})
    ev = {r: (zh, en) for r, zh, en in chk.problems}
    assert ev["infra.clinic_area"] == ("卫生室面积45平方米，标准不低于60平方米", "clinic 45 m², standard at least 60 m²")
    assert ev["infra.culture_centre"][0] == "缺少：简易戏台、宣传栏、文化器材、广播器材、体育设施器材"
