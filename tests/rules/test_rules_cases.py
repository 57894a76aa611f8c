"""Table-driven cases, one or more per rule and per documented exception, written from the documents'
own wording (seed and section cited in each case), with the borderline values the wording decides
("不低于40升", "不超过10分钟", "不低于95%", "超过国家扶贫标准").

All cases of one ruleset are adjudicated together in one call (rows must not influence each other);
each case then checks its own household: the problem rules that fired (exactly), the exceptions that
applied, the verdict, and — for "cannot judge" — the missing answers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import pytest
from rules_helpers import household, registry, responses

from povexit.rules import adjudicate, load_ruleset, roster_household_id

PROBLEMS = {
    "income.below_line", "food.insufficient", "clothing.insufficient", "water.quality", "water.quantity",
    "water.convenience", "water.reliability", "education.dropout", "medical.uninsured", "medical.unaffordable",
    "housing.unsafe", "housing.relocation_not_moved_in",
}
ID_A = "220581199001011234"  # member ID numbers used with the rosters (format only matters here)
ID_B = "530102198505054321"
ID_C = "220581197707077777"


@dataclass
class Case:
    id: str
    cite: str
    answers: dict[str, Any] = field(default_factory=dict)
    status: str = "exited"  # registry status; "general" = not registered
    ruleset: str = "national-2019"
    problems: set[str] = field(default_factory=set)  # problem rules that must fire (exactly these)
    exceptions: set[str] = field(default_factory=set)  # exceptions that must apply
    rules: set[str] = field(default_factory=set)  # other rules that must be listed (policy, review, …)
    wrongful: bool | None = None
    missed: bool | None = None
    approves: bool | str | None = "skip"
    judged: bool = True
    missing: set[str] = field(default_factory=set)
    members: list[dict[str, Any]] | None = None
    rosters: list[dict[str, Any]] = field(default_factory=list)
    overrides: list[dict[str, Any]] = field(default_factory=list)
    in_registry: bool = True
    hid: str = ""
    text_zh: str = ""  # a fragment problems_zh must contain


def income(per_head: float, windfall: float = 0.0, **kw: Any) -> dict[str, Any]:
    """One-member household whose stable income per head is ``per_head``."""
    return {"persons": 1, "persons_sharing": 1, "income_wage": per_head + windfall, "income_business": 0.0,
            "income_property": 0.0, "income_transfer": 0.0, "production_cost": 0.0, "income_windfall": windfall,
            **kw}


def member(no: int, age: int, schooling: str = "not_in_school", basic: bool | None = True,
           critical: bool | None = True, id_number: str | None = None) -> dict[str, Any]:
    return {"member_no": no, "member_age": age, "member_schooling": schooling, "member_basic_insurance": basic,
            "member_critical_insurance": critical, "member_id_number": id_number}


CASES: list[Case] = [
    # ---- income: seed 001 §三(二)1 错退 = 收入未稳定超过国家扶贫标准; seed 002 附件1（一）“超过”; 2019 line 3,218
    Case("income-exactly-line-exited", "seed 002 附件1（一）年人均纯收入超过国家扶贫标准：恰好3218元不算超过",
         income(3218), problems={"income.below_line"}, wrongful=True,
         text_zh="疑似错退：收入未稳定超过扶贫标准（稳定人均纯收入3218元，扶贫标准3218元）"),
    Case("income-one-yuan-above", "seed 002 附件1（一）：3219元超过标准", income(3219), wrongful=False),
    Case("income-exactly-line-nonregistered", "seed 001 §三(二)2 漏评=符合识别标准（收入低于标准）：恰好等于标准不低于",
         income(3218), status="general", missed=False),
    Case("income-below-line-nonregistered", "seed 001 §三(二)2：收入低于标准的未建档立卡户疑似漏评",
         income(3217), status="general", problems={"income.below_line"}, missed=True, text_zh="疑似漏评：收入"),
    Case("income-windfall-excluded", "seed 001 §三(二)1“收入未稳定超过”：一次性收入抬高当年收入不算",
         income(3000, windfall=2000), problems={"income.below_line"}, exceptions={"income.windfall_excluded"},
         wrongful=True, text_zh="一次性收入2000元未计入"),
    Case("income-windfall-harmless", "seed 001 §三(二)1：稳定收入已超过标准，一次性收入不影响",
         income(5000, windfall=1000), wrongful=False),
    Case("income-from-form-calculate", "docs/fields.md income_net_per_capita（表单计算值）在分项缺失时使用",
         {"income_wage": None, "income_net_per_capita": 2000.0}, problems={"income.below_line"}, wrongful=True),
    Case("income-missing", "无收入答案：不能默认通过", {"income_wage": None, "income_net_per_capita": None},
         judged=False, wrongful=None, missing={"income_wage", "income_net_per_capita"}),
    Case("income-unstable-is-review", "seed 002 附件2 第27题 综合研判收入稳定：研判不稳定列为待核实",
         {"income_stable": False}, wrongful=False, rules={"review.income_not_stable"}, text_zh="待核实：收入稳定性存疑"),
    Case("income-shared-members", "docs/fields.md：按实际共享收支人数计算人均",
         {"persons": 4, "persons_sharing": 6, "income_wage": 18000.0, "income_business": 0.0, "income_property": 0.0,
          "income_transfer": 0.0, "production_cost": 0.0}, problems={"income.below_line"}, wrongful=True),

    # ---- food and clothing: seed 001 §三(三)1
    Case("food-staple", "seed 001 §三(三)1 主食500克米或面/每天", {"food_staple_enough": False},
         problems={"food.insufficient"}, wrongful=True, text_zh="不愁吃未保障（主食不足500克/人/天）"),
    Case("food-protein", "seed 001 §三(三)1 能补充100克左右的蛋白质", {"food_protein_enough": False},
         problems={"food.insufficient"}, wrongful=True),
    Case("clothing-change", "seed 001 §三(三)1 日常有换洗衣服", {"clothing_change": False},
         problems={"clothing.insufficient"}, wrongful=True),
    Case("clothing-seasonal", "seed 001 §三(三)1 四季有换季衣服", {"clothing_seasonal": False},
         problems={"clothing.insufficient"}, wrongful=True),
    Case("food-children-support", "seed 001 §三(三)1 “靠子女赡养”满足主副食：子女有能力且赡养",
         {"food_staple_enough": False, "clothing_seasonal": False, "children_support_capable": True,
          "children_support_provided": True},
         exceptions={"support.children"}, wrongful=False),
    Case("food-children-capable-not-providing", "seed 001 §三(三)1：子女有能力但未实际赡养，吃穿仍无保障",
         {"food_vegetable_enough": False, "children_support_capable": True, "children_support_provided": False},
         problems={"food.insufficient"}, wrongful=True),
    Case("food-missing", "吃的答案缺失：无法判定", {"food_staple_enough": None}, judged=False, wrongful=None,
         missing={"food_staple_enough"}),

    # ---- water, 2004 scheme as seed 002 附件1（四）quotes it (national-2018: 安全档)
    Case("water-exactly-40l", "seed 002 附件1（四）水量不低于40升：恰好40升达标",
         {"water_litres_per_person_day": 40.0}, ruleset="national-2018", wrongful=False),
    Case("water-39.9l", "seed 002 附件1（四）水量不低于40升", {"water_litres_per_person_day": 39.9},
         ruleset="national-2018", problems={"water.quantity"}, wrongful=True, text_zh="每人每天可获得水量39.9升，低于40升"),
    Case("water-exactly-10min", "seed 002 附件1（四）取水往返时间不超过10分钟：恰好10分钟达标",
         {"water_fetch_minutes": 10.0}, ruleset="national-2018", wrongful=False),
    Case("water-10.5min", "seed 002 附件1（四）取水往返时间不超过10分钟", {"water_fetch_minutes": 10.5},
         ruleset="national-2018", problems={"water.convenience"}, wrongful=True),
    Case("water-exactly-95pct", "seed 002 附件1（四）供水保证率不低于95%：恰好95%达标",
         {"water_reliability_pct": 95.0}, ruleset="national-2018", wrongful=False),
    Case("water-94.9pct", "seed 002 附件1（四）供水保证率不低于95%", {"water_reliability_pct": 94.9},
         ruleset="national-2018", problems={"water.reliability"}, wrongful=True),
    Case("water-days-18", "seed 002 附件1（四）：只答断水天数时按保证率折算（18天≈95.1%）",
         {"water_reliability_pct": None, "water_days_without": 18}, ruleset="national-2018", wrongful=False),
    Case("water-days-19", "seed 002 附件1（四）：19天≈94.8%，低于95%",
         {"water_reliability_pct": None, "water_days_without": 19}, ruleset="national-2018",
         problems={"water.reliability"}, wrongful=True),
    Case("water-quality", "seed 002 附件1（四）水质符合《农村实施〈生活饮用水卫生标准〉准则》",
         {"water_quality_ok": False}, problems={"water.quality"}, wrongful=True, text_zh="疑似错退：饮水水质不达标"),
    Case("water-scarce-25l-2004", "水农〔2004〕547号：干旱缺水地区不低于20升", ruleset="national-2018",
         answers={"water_litres_per_person_day": 25.0, "water_scarce_area": True}, wrongful=False),
    Case("water-scarce-25l-seed002", "seed 002 附件1（四）不区分缺水地区：40升", ruleset="midyear-2020",
         answers={"water_litres_per_person_day": 25.0, "water_scarce_area": True},
         problems={"water.quantity"}, wrongful=True),
    Case("water-scarcity-unknown", "缺水地区与否决定30升是否达标（20–40升之间）", ruleset="national-2018",
         answers={"water_litres_per_person_day": 30.0, "water_scarce_area": None}, judged=False, wrongful=None,
         missing={"water_scarce_area"}),
    Case("water-scarcity-unknown-clear", "50升高于两种标准：缺水与否无关", ruleset="national-2018",
         answers={"water_litres_per_person_day": 50.0, "water_scarce_area": None}, wrongful=False),
    # T/CHES 18-2018 (national-2019)
    Case("tches-exactly-35l", "T/CHES 18-2018 丰水地区35升及以上为够用", {"water_litres_per_person_day": 35.0},
         wrongful=False),
    Case("tches-34l", "T/CHES 18-2018 丰水地区35升", {"water_litres_per_person_day": 34.0},
         problems={"water.quantity"}, wrongful=True),
    Case("tches-scarce-20l", "T/CHES 18-2018 缺水地区20升及以上为够用",
         {"water_litres_per_person_day": 20.0, "water_scarce_area": True}, wrongful=False),
    Case("tches-25min-500m", "T/CHES 18-2018：单次取水20分钟以内，或水平距离800米及以内",
         {"water_fetch_minutes": 25.0, "water_horizontal_m": 500.0}, wrongful=False),
    Case("tches-25min-70m-vertical", "T/CHES 18-2018：或垂直距离80米及以内",
         {"water_fetch_minutes": 25.0, "water_horizontal_m": 1200.0, "water_vertical_m": 70.0}, wrongful=False),
    Case("tches-25min", "T/CHES 18-2018：超过20分钟且无距离达标", {"water_fetch_minutes": 25.0},
         problems={"water.convenience"}, wrongful=True),
    Case("tches-exactly-20min", "T/CHES 18-2018：单次取水时间20分钟以内", {"water_fetch_minutes": 20.0},
         wrongful=False),
    Case("tches-36-days", "T/CHES 18-2018：一年断水不超过36天", {"water_days_without": 36, "water_reliability_pct": 90.1},
         wrongful=False),
    Case("tches-37-days", "T/CHES 18-2018：一年断水不超过36天", {"water_days_without": 37, "water_reliability_pct": 90.0},
         problems={"water.reliability"}, wrongful=True, text_zh="一年断水37天，超过36天"),
    Case("tches-pct-only", "T/CHES 18-2018：只有保证率时按90%", {"water_days_without": None, "water_reliability_pct": 89.0},
         problems={"water.reliability"}, wrongful=True),
    Case("water-reliability-unknown", "保证率与断水天数都未答：无法判定",
         {"water_days_without": None, "water_reliability_pct": None}, judged=False, wrongful=None,
         missing={"water_days_without", "water_reliability_pct"}),

    # ---- education: seed 001 §三(三)2 没有义务教育阶段适龄儿童辍学; seed 002 附件2 第2题
    Case("dropout-hardship", "seed 002 附件2 第2题 辍学原因：家庭困难",
         {"dropout": True, "dropout_count": 1, "dropout_reason": "hardship", "home_schooling": False,
          "persuaded_back": False},
         problems={"education.dropout"}, rules={"policy.dropout_not_persuaded"}, wrongful=True,
         text_zh="义务教育无保障（义务教育阶段辍学1人，原因：家庭困难）"),
    Case("dropout-home-schooling", "seed 002 附件2 第2题“身体条件不允许”+ 送教上门：不算辍学（issue 5）",
         {"dropout": True, "dropout_count": 1, "dropout_reason": "health", "home_schooling": True},
         members=[member(1, 40), member(2, 11, "home_schooling")],
         exceptions={"education.home_schooling"}, wrongful=False),
    Case("dropout-health-not-taught", "身体原因辍学但未送教上门：仍是辍学",
         {"dropout": True, "dropout_count": 1, "dropout_reason": "health", "home_schooling": False},
         problems={"education.dropout"}, wrongful=True),
    Case("dropout-home-schooling-unknown", "是否送教上门未答：无法判定",
         {"dropout": True, "dropout_reason": "health", "home_schooling": None}, judged=False, wrongful=None,
         missing={"home_schooling"}),
    Case("no-compulsory-child", "无义务教育阶段适龄儿童：辍学题不问", {"has_compulsory_child": False, "dropout": None},
         wrongful=False),
    Case("member-dropout", "seed 001 §三(三)2：成员表中12岁“辍学”，即使户答“否”",
         {"dropout": False}, members=[member(1, 38), member(2, 12, "dropout")],
         problems={"education.dropout"}, wrongful=True, text_zh="2号成员（12岁，辍学）"),
    Case("member-6-not-enrolled", "义务教育法第十一条：可推迟到七周岁入学——6岁未入学不算辍学",
         members=[member(1, 35), member(2, 6, "not_in_school")], wrongful=False),
    Case("member-9-not-in-school", "义务教育法第十一条：9岁未在校属失学辍学",
         members=[member(1, 35), member(2, 9, "not_in_school")], problems={"education.dropout"}, wrongful=True),
    Case("member-15-not-in-school", "15岁可能已完成九年义务教育：不按辍学判",
         members=[member(1, 45), member(2, 15, "not_in_school")], wrongful=False),

    # ---- medical: seed 001 §三(三)2 享有新农合、大病医疗保险，看得起病
    Case("uninsured-basic", "seed 002 附件2 第4题 家庭成员都参加基本医保", {"all_basic_insured": False},
         problems={"medical.uninsured"}, wrongful=True),
    Case("uninsured-critical", "seed 001 §三(三)2 大病医疗保险", {"all_critical_insured": False},
         problems={"medical.uninsured"}, wrongful=True),
    Case("insured-from-members", "户问题未答时按成员表：全部参保",
         {"all_basic_insured": None, "all_critical_insured": None},
         members=[member(1, 50), member(2, 48)], wrongful=False),
    Case("uninsured-member", "成员表：有成员未参加基本医保",
         {"all_basic_insured": None, "all_critical_insured": None},
         members=[member(1, 50), member(2, 20, basic=False, critical=False)], problems={"medical.uninsured"},
         wrongful=True),
    Case("insurance-unknown", "参保情况未答且无成员表：无法判定",
         {"all_basic_insured": None, "all_critical_insured": None}, judged=False, wrongful=None,
         missing={"all_basic_insured", "all_critical_insured"}),
    Case("unaffordable", "seed 002 附件3 二(二)2 得大病后基本生活无保障（看不起病）",
         {"serious_illness_present": True, "medical_expense_excessive": True, "medical_basic_life_secured": False},
         problems={"medical.unaffordable"}, wrongful=True),
    Case("ill-but-secured", "seed 002 附件3 二(二)2：支出大但基本生活有保障",
         {"serious_illness_present": True, "medical_expense_excessive": True, "medical_basic_life_secured": True},
         wrongful=False),
    Case("ill-costs-not-excessive", "seed 002 附件3 二(二)2：医疗刚性支出不大",
         {"serious_illness_present": True, "medical_expense_excessive": False, "medical_basic_life_secured": None},
         wrongful=False),

    # ---- housing: seed 001 §三(三)2 A级或B级；易地扶贫搬迁户已入住；危改新房已完工且已入住
    Case("housing-c-not-renovated", "seed 001 §三(三)2 住房达到A级或B级标准",
         {"housing_grade": "C", "housing_safe": False, "renovated": False, "housing_substitute": "none"},
         problems={"housing.unsafe"}, wrongful=True, text_zh="疑似错退：住房安全无保障（C级危房，未改造）"),
    Case("housing-d-relocated-moved-in", "seed 001 §三(三)2 易地扶贫搬迁户已入住搬迁房",
         {"housing_grade": "D", "housing_safe": True, "relocated": True, "relocated_moved_in": True,
          "housing_substitute": "none"}, exceptions={"housing.relocated_moved_in"}, wrongful=False),
    Case("housing-c-rebuilt-occupied", "seed 001 §三(三)2 危房改造新房已完工（经鉴定）且已入住",
         {"housing_grade": "C", "housing_safe": True, "renovated": True, "renovation_finished": True,
          "renovation_occupied": True, "housing_substitute": "none"},
         exceptions={"housing.renovated_occupied"}, wrongful=False),
    Case("housing-c-rebuilt-not-occupied", "seed 001 §三(三)2：新房完工但未入住",
         {"housing_grade": "C", "housing_safe": False, "renovated": True, "renovation_finished": True,
          "renovation_occupied": False, "housing_substitute": "none"},
         problems={"housing.unsafe"}, wrongful=True, text_zh="C级危房，改造后未入住"),
    Case("housing-c-long-term-rent", "issue 5：长期租住安全住房",
         {"housing_grade": "C", "housing_safe": True, "renovated": False, "housing_substitute": "long_term_rent"},
         exceptions={"housing.accepted_substitute"}, wrongful=False),
    Case("housing-a-judged-unsafe", "seed 002 附件2 第9题 综合判断住房安全无保障",
         {"housing_grade": "A", "housing_safe": False}, problems={"housing.unsafe"}, wrongful=True),
    Case("relocation-not-moved-in", "seed 001 §三(三)2 易地扶贫搬迁户须已入住搬迁房",
         {"housing_grade": "B", "housing_safe": False, "relocated": True, "relocated_moved_in": False},
         problems={"housing.relocation_not_moved_in"}, wrongful=True, text_zh="疑似错退：易地扶贫搬迁未入住"),
    Case("relocation-keys", "issue 5：易地搬迁已交钥匙视为住房有保障",
         {"housing_grade": "C", "housing_safe": True, "relocated": True, "relocated_moved_in": False,
          "housing_substitute": "relocation_keys"}, exceptions={"housing.accepted_substitute"}, wrongful=False),
    Case("relocation-keys-jilin", "seed 001 §三(三)2（吉林）：须“已入住搬迁房”，交钥匙不够", ruleset="jilin-2018",
         answers={"housing_grade": "C", "housing_safe": True, "relocated": True, "relocated_moved_in": False,
                  "housing_substitute": "relocation_keys"},
         problems={"housing.unsafe", "housing.relocation_not_moved_in"}, wrongful=True),
    Case("housing-unassessed-unknown", "未鉴定且无综合判断：无法判定",
         {"housing_grade": "unassessed", "housing_safe": None, "housing_substitute": "none"}, judged=False,
         wrongful=None, missing={"housing_safe"}),
    Case("housing-c-renovation-unknown", "C级且是否改造未答：无法判定",
         {"housing_grade": "C", "housing_safe": False, "renovated": None, "housing_substitute": "none"},
         judged=False, wrongful=None, missing={"renovated"}),
    Case("housing-grade-from-registry", "住房等级未答时取名册记录（A级）",
         {"housing_grade": None, "housing_safe": None}, wrongful=False),

    # ---- exclusion lists (CONTRACTS.md §1 rosters; issue 5) for non-registered households
    Case("excluded-public-employee", "issue 5：财政供养人员名单内的未建档立卡户不计漏评",
         income(2000), status="general", members=[member(1, 45, id_number=ID_A)],
         rosters=[{"source": "财政供养人员", "source_code": "public_employee", "kind": "exclusion", "id_number": ID_A}],
         problems={"income.below_line"}, rules={"exclusion.public_employee"}, missed=False,
         text_zh="存在问题但不纳入漏评（财政供养人员）"),
    Case("excluded-overridden", "issue 5：核查员说明理由复核后仍计漏评",
         income(2000), status="general", members=[member(1, 45, id_number=ID_B)],
         rosters=[{"source": "车辆", "source_code": "vehicle", "kind": "exclusion", "id_number": ID_B}],
         overrides=[{"rule": "exclusion.vehicle", "reason": "车辆为报废农用三轮车", "checker": "C07"}],
         problems={"income.below_line"}, missed=True, text_zh="排除名单已复核推翻"),
    Case("excluded-roster-household", "大数据比对：名单人员所在户（R+SHA-1户编号）在商品房名单",
         income(2000), status="general", hid=roster_household_id(ID_C),
         rosters=[{"source": "商品房", "source_code": "urban_property", "kind": "exclusion", "id_number": ID_C},
                  {"source": "民政低保", "source_code": "dibao", "kind": "vulnerability", "id_number": ID_C}],
         problems={"income.below_line"}, rules={"exclusion.urban_property"}, missed=False),
    Case("registered-on-exclusion-list", "建档立卡户成员在村干部名单：疑似错评，待核实",
         members=[member(1, 50, id_number="220581196003031111")],
         rosters=[{"source": "村干部", "source_code": "village_cadre", "kind": "exclusion",
                   "id_number": "220581196003031111"}],
         rules={"review.registered_on_exclusion_list"}, wrongful=False),

    # ---- approval: seed 001 §三(二)3 认可 = 对政策、帮扶措施及成效、脱贫退出等认可、认账
    Case("approves-all", "seed 001 §三(二)3：各项均认可", approves=True, wrongful=False),
    Case("disapproves-results", "seed 001 §三(二)3：不认可帮扶成效即不认可，保留原因",
         {"approve_results": False, "approves": False, "disapproval_reason": "产业项目没有收益"},
         approves=False, rules={"approval.disapproves"}, wrongful=False,
         text_zh="不认可：不认可帮扶成效、本村脱贫攻坚工作；原因：产业项目没有收益"),
    Case("disapproves-exit-only", "seed 001 §三(二)3：不认可脱贫退出（认账）", {"approve_exit": False},
         approves=False, rules={"approval.disapproves"}, wrongful=False, missing={"disapproval_reason"}),
    Case("poor-no-exit-question", "未脱贫户不问是否认可脱贫", {"approve_exit": None}, status="poor", approves=True,
         wrongful=False),
    Case("exited-exit-unanswered", "脱贫户未答是否认可脱贫：认可度无法确定", {"approve_exit": None},
         approves=None, wrongful=False, missing={"approve_exit"}),
    Case("general-disapproves", "seed 002 附件3 四(二)2 综合研判不认可",
         {"approves": False, "disapproval_reason": "低保评定不公平"}, status="general", approves=False,
         missed=False, rules={"approval.disapproves"}),

    # ---- still-poor households: policy gaps, never 错退 (seed 002 附件2 第20–26题)
    Case("poor-dibao-missing", "seed 002 附件2 第20题 低保政策该享受未享受", {"dibao_missing": True},
         status="poor", rules={"policy.dibao_missing"}, wrongful=False, text_zh="政策落实问题：低保该享受未享受"),
    Case("poor-with-problem", "未脱贫户有两不愁三保障问题：列为问题，不是错退",
         {"food_staple_enough": False}, status="poor", problems={"food.insufficient"}, wrongful=False,
         text_zh="未脱贫户存在问题：不愁吃未保障"),
    Case("returned-household", "返贫户按未脱贫处理", {"housing_grade": "D", "housing_safe": False,
                                                  "housing_substitute": "none"}, status="returned",
         problems={"housing.unsafe"}, wrongful=False),

    # ---- status and three-valued logic
    Case("not-in-registry-form-status", "名册中没有的建档立卡户：按问卷所选属性（并警告）",
         {"household_status": "exited", "food_staple_enough": False}, in_registry=False,
         problems={"food.insufficient"}, wrongful=True),
    Case("not-in-registry-no-status", "名册中没有、问卷也未选属性：无法判定", in_registry=False,
         judged=False, wrongful=None, missing={"registry.status"}),
    Case("fired-and-unknown", "一项已确定不达标，其他缺答不影响错退判定",
         {"water_litres_per_person_day": 10.0, "food_staple_enough": None}, problems={"water.quantity"},
         wrongful=True, missing={"food_staple_enough"}),
    Case("excluded-and-unknown", "排除名单内：即使有缺答也可判定不计漏评",
         {"food_staple_enough": None}, status="general", members=[member(1, 45, id_number=ID_A)],
         rosters=[{"source": "财政供养人员", "source_code": "public_employee", "kind": "exclusion", "id_number": ID_A}],
         rules={"exclusion.public_employee"}, missed=False, missing={"food_staple_enough"}),
]


@functools.cache
def run(ruleset: str) -> pl.DataFrame:
    """Adjudicate every case of ``ruleset`` in one call; findings keyed by case id."""
    cases = [c for c in CASES if c.ruleset == ruleset]
    rows, members, regs, rosters, overrides = [], [], [], [], []
    for c in cases:
        hid = c.hid or f"H-{c.id}"
        instrument = "general" if c.status == "general" else "registered"
        rows.append(household(hid, instrument, **c.answers))
        for m in c.members or []:
            members.append({"instance_id": f"uuid:{hid}", **m})
        if c.status != "general" and c.in_registry:
            regs.append({"household_id": hid, "status": c.status, "exit_year": 2016 if c.status == "exited" else None})
        rosters += c.rosters
        overrides += [{"household_id": hid, **o} for o in c.overrides]
    reg = registry(regs, rosters)
    ov = pl.DataFrame(overrides) if overrides else None
    adj = adjudicate(reg, None, responses(*rows, members=members or None), load_ruleset(ruleset), overrides=ov)
    return adj.findings


def _fired(findings_row: dict[str, Any]) -> set[str]:
    return {r for r in (findings_row["rules"] or "").split(";") if r}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    f = run(case.ruleset)
    hid = case.hid or f"H-{case.id}"
    row = f.filter(pl.col("household_id") == hid).row(0, named=True)
    fired = _fired(row)
    assert fired & PROBLEMS == case.problems, (case.cite, row["problems_zh"], row["missing_fields"])
    assert case.rules <= fired, (case.cite, fired)
    applied = {e for e in (row["exceptions"] or "").split(";") if e}
    assert case.exceptions <= applied, (case.cite, applied)
    if case.status == "exited":
        assert row["wrongful_exit"] is case.wrongful, (case.cite, row["problems_zh"])
    elif case.wrongful is not None:
        assert row["wrongful_exit"] is False
    if case.missed is not None:
        assert row["missed"] is case.missed, (case.cite, row["problems_zh"])
    assert (row["status"] == "judged") is case.judged, (case.cite, row["missing_fields"])
    missing = {m for m in (row["missing_fields"] or "").split(";") if m}
    assert case.missing <= missing, (case.cite, missing)
    if not case.judged:
        assert missing, "cannot judge must name the missing answers"
        assert "无法判定" in row["problems_zh"]
    if case.approves != "skip":
        assert row["approves"] is case.approves
    if case.text_zh:
        assert case.text_zh in row["problems_zh"], row["problems_zh"]
    if case.wrongful:
        assert row["wrongful_exit_persons"] == row["persons"] > 0
    if case.missed:
        assert row["missed_persons"] == row["persons"] > 0


def test_every_rule_and_exception_has_a_case() -> None:
    """The table covers every problem rule and every documented exception."""
    from povexit.rules import RULES

    covered = set().union(*(c.problems | c.exceptions | c.rules for c in CASES))
    needed = {r.id for r in RULES if r.kind in ("problem", "exception")}
    assert needed <= covered, needed - covered
