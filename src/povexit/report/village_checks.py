"""Village checklist (seed 002 附件1, 贫困村退出核查标准) → infrastructure and public-service problems.

The household rules live in the rules layer; the village checklist is read only by the report, so
its standards are checked here, each with a stable ``infra.*`` id like the household rules:

- 通村公路硬化, width ≥ 3.5 m (≥ 3.0 m where the exemption applies);
- 客运班车 or a stop within 2 km;
- drinking water meets the 2004 safety scheme; 户户通电; 广播电视户户通;
- 综合性文化服务中心: 文化活动室, 文体广场, 简易戏台, 宣传栏, 文化器材, 广播器材, 体育设施 (all seven);
- 标准化卫生室: ≥ 60 m², 诊室 + 治疗室 + 公共卫生室 + 药房, ≥ 1 staff per 1000 people;
- a qualified village doctor; 光纤通达 with ≥ 50 Mbps broadband.

A field that was not answered produces no problem (nothing is invented); the field is listed in
``unanswered`` so the report can say the check was incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..contracts import parse_yesno

CULTURE_ITEMS = ("room", "square", "stage", "board", "culture_kit", "broadcast_kit", "sports_kit")
CLINIC_ROOMS = ("consulting", "treatment", "public_health", "pharmacy")
ROAD_WIDTH_M = 3.5
ROAD_WIDTH_EXEMPT_M = 3.0
CLINIC_AREA_M2 = 60.0
CLINIC_STAFF_PER_1000 = 1.0
BROADBAND_MBPS = 50.0
CULTURE_ZH = {"room": "文化活动室", "square": "文体广场", "stage": "简易戏台", "board": "宣传栏",
              "culture_kit": "文化器材", "broadcast_kit": "广播器材", "sports_kit": "体育设施器材"}
ROOMS_ZH = {"consulting": "诊室", "treatment": "治疗室", "public_health": "公共卫生室", "pharmacy": "药房"}


@dataclass
class VillageCheck:
    village_id: str | None
    township: str | None
    village: str | None
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (rule id, evidence zh, evidence en)
    unanswered: list[str] = field(default_factory=list)


def _yn(v: Any) -> bool | None:
    try:
        return parse_yesno(v)
    except ValueError:
        return None


def _num(v: Any) -> float | None:
    if v is None or v == "":
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _codes(v: Any) -> set[str] | None:
    if v is None:
        return None
    if isinstance(v, list | tuple):
        return {str(x) for x in v}
    s = str(v).strip()
    return set(s.split()) if s else set()


def check_village(row: dict[str, Any]) -> VillageCheck:
    """Check one village-checklist submission (a dict of docs/fields.md village fields)."""
    out = VillageCheck(row.get("village_id"), row.get("township"), row.get("village"))

    def need(fieldname: str) -> Any:
        v = row.get(fieldname)
        if v is None or (isinstance(v, str) and v.strip() == ""):
            out.unanswered.append(fieldname)
            return None
        return v

    def flag_false(fieldname: str, rule: str, zh: str, en: str) -> None:
        v = need(fieldname)
        if v is not None and _yn(v) is False:
            out.problems.append((rule, f"{zh}：否（{fieldname}）", f"{en}: no ({fieldname})"))

    flag_false("road_hardened", "infra.road_not_hardened", "通村公路硬化", "village road hardened")
    width = _num(need("road_width_m"))
    if width is not None:
        exempt = _yn(row.get("road_width_exempt")) is True
        minimum = ROAD_WIDTH_EXEMPT_M if exempt else ROAD_WIDTH_M
        if width < minimum:
            out.problems.append(("infra.road_too_narrow", f"路面宽度{width:g}米，标准不低于{minimum:g}米",
                                 f"road {width:g} m wide, standard at least {minimum:g} m"))
    flag_false("bus_within_2km", "infra.no_bus", "2公里内有客运班车站点", "bus stop within 2 km")
    flag_false("water_standard_ok", "infra.water_standard", "饮用水符合安全卫生评价指标", "water meets the safety scheme")
    flag_false("power_all_households", "infra.power", "户户通电", "electricity in every household")
    flag_false("broadcast_all_households", "infra.broadcast", "广播电视户户通", "radio and TV in every household")
    items = need("culture_centre_items")
    codes = _codes(items) if items is not None else None
    if codes is not None:
        missing = [c for c in CULTURE_ITEMS if c not in codes]
        if missing:
            out.problems.append(("infra.culture_centre", "缺少：" + "、".join(CULTURE_ZH[c] for c in missing),
                                 "missing: " + ", ".join(missing)))
    area = _num(need("clinic_area_m2"))
    if area is not None and area < CLINIC_AREA_M2:
        out.problems.append(("infra.clinic_area", f"卫生室面积{area:g}平方米，标准不低于{CLINIC_AREA_M2:g}平方米",
                             f"clinic {area:g} m², standard at least {CLINIC_AREA_M2:g} m²"))
    rooms = need("clinic_rooms")
    rcodes = _codes(rooms) if rooms is not None else None
    staff = _num(row.get("clinic_staff_per_1000"))
    missing_rooms = [c for c in CLINIC_ROOMS if rcodes is not None and c not in rcodes]
    if missing_rooms or (staff is not None and staff < CLINIC_STAFF_PER_1000):
        zh, en = [], []
        if missing_rooms:
            zh.append("缺少：" + "、".join(ROOMS_ZH[c] for c in missing_rooms))
            en.append("missing: " + ", ".join(missing_rooms))
        if staff is not None and staff < CLINIC_STAFF_PER_1000:
            zh.append(f"每千人卫生室人员{staff:g}名，标准不少于1名")
            en.append(f"{staff:g} staff per 1000 people, standard at least 1")
        out.problems.append(("infra.clinic_rooms", "；".join(zh), "; ".join(en)))
    flag_false("qualified_doctor", "infra.no_doctor", "有合格乡村医生", "qualified village doctor")
    fiber = _yn(need("fiber_reached"))
    mbps = _num(row.get("broadband_mbps"))
    if fiber is False or (mbps is not None and mbps < BROADBAND_MBPS):
        zh, en = [], []
        if fiber is False:
            zh.append("光纤未通达")
            en.append("no fibre")
        if mbps is not None and mbps < BROADBAND_MBPS:
            zh.append(f"宽带{mbps:g}兆，标准不低于{BROADBAND_MBPS:g}兆")
            en.append(f"{mbps:g} Mbps, standard at least {BROADBAND_MBPS:g}")
        out.problems.append(("infra.broadband", "；".join(zh), "; ".join(en)))
    return out


def check_villages(rows: list[dict[str, Any]]) -> list[VillageCheck]:
    return [check_village(r) for r in rows]
