"""Words the documents use: indicator names, problem categories, rule labels, responsible units.

Everything here is a (Chinese, English) pair; :func:`pick` chooses by language. Rule ids are the
stable ids of the rules layer (``income.below_line`` …); an id this table does not know is shown
as the id itself under the category of its prefix, so a new rule never disappears from a report.
"""

from __future__ import annotations

from dataclasses import dataclass

Text = tuple[str, str]


def pick(text: Text, lang: str) -> str:
    return text[1] if lang == "en" else text[0]


@dataclass(frozen=True)
class IndicatorSpec:
    key: str
    name: Text
    short: Text
    kind: Text  # primary / reference
    direction: str  # "max": must stay at or below the threshold; "min": must stay above it
    strict: bool  # comparison at exactly the threshold: strict → equal fails
    formula: Text


INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(
        "composite_incidence", ("综合贫困发生率", "Composite poverty incidence"), ("综合贫困发生率", "Composite"),
        ("主要指标", "primary"), "max", False,
        ("（未脱贫人口＋错退人口＋漏评人口）÷ 农业户籍人口",
         "(registered poor + wrongful-exit + missed persons) / agricultural population"),
    ),
    IndicatorSpec(
        "wrongful_exit_rate", ("脱贫人口错退率", "Wrongful-exit rate"), ("错退率", "Wrongful exit"),
        ("参考指标", "reference"), "max", True,
        ("调查发现的错退人口 ÷ 抽样脱贫人口", "wrongful-exit persons found / persons of sampled exited households"),
    ),
    IndicatorSpec(
        "missed_rate", ("贫困人口漏评率", "Missed-poor rate"), ("漏评率", "Missed poor"),
        ("参考指标", "reference"), "max", True,
        ("调查核实的漏评人口 ÷ 抽查村（组）未建档立卡农业户籍人口",
         "missed persons found / non-registered agricultural population of the surveyed villages (groups)"),
    ),
    IndicatorSpec(
        "approval_rate", ("群众认可度", "Public approval"), ("认可度", "Approval"),
        ("参考指标", "reference"), "min", True,
        ("调查户中认可户数 ÷ 调查户总数", "approving households / surveyed households"),
    ),
)
INDICATOR_BY_KEY = {i.key: i for i in INDICATORS}

DEFAULT_THRESHOLDS = {
    "composite_incidence": 0.02, "wrongful_exit_rate": 0.02, "missed_rate": 0.02, "approval_rate": 0.90,
}


def meets(spec: IndicatorSpec, value: float | None, threshold: float | None) -> bool | None:
    """Whether ``value`` satisfies the threshold (None when either is unknown)."""
    if value is None or threshold is None:
        return None
    if spec.direction == "max":
        return value < threshold if spec.strict else value <= threshold
    return value > threshold if spec.strict else value >= threshold


DECISIONS: dict[str, Text] = {
    "pass": ("达到退出标准", "meets the exit standard"),
    "rectify": ("限期整改后复核", "rectify by a deadline, then re-check"),
    "fail": ("不得退出", "may not exit"),
}

STAGES: dict[str, Text] = {
    "provisional": ("初步结果（含待核实问题）", "provisional (pending findings counted)"),
    "final": ("最终结果（仅计已确认问题）", "final (confirmed findings only)"),
}

# ---- problem categories (两不愁三保障 items, policy, infrastructure) ------------------------------

CATEGORIES: dict[str, Text] = {
    "income": ("收入", "Income"),
    "food": ("不愁吃", "Food"),
    "clothing": ("不愁穿", "Clothing"),
    "water": ("饮水安全", "Drinking water"),
    "education": ("义务教育", "Compulsory education"),
    "medical": ("基本医疗", "Basic medical care"),
    "housing": ("住房安全", "Housing safety"),
    "policy": ("政策落实", "Policy delivery"),
    "infrastructure": ("基础设施和公共服务", "Infrastructure and public services"),
    "identification": ("识别和退出质量（需复核）", "Identification and exit quality (to review)"),
    "approval": ("群众认可", "Approval"),
    "other": ("其他", "Other"),
}
CATEGORY_ORDER = tuple(CATEGORIES)
CATEGORY_GROUP: dict[str, Text] = {
    "income": ("收入", "Income"),
    "food": ("两不愁", "Two assurances"), "clothing": ("两不愁", "Two assurances"),
    "water": ("两不愁", "Two assurances"),
    "education": ("三保障", "Three guarantees"), "medical": ("三保障", "Three guarantees"),
    "housing": ("三保障", "Three guarantees"),
    "policy": ("政策落实", "Policy delivery"), "infrastructure": ("基础设施", "Infrastructure"),
    "identification": ("识别精准", "Identification"), "approval": ("群众认可", "Approval"),
    "other": ("其他", "Other"),
}

RULES: dict[str, Text] = {
    "wrongful_exit.unspecified": ("疑似错退（调查结论未注明具体问题）",
                                  "suspected wrongful exit (the findings name no rule)"),
    "missed.unspecified": ("疑似漏评（调查结论未注明具体问题）", "suspected missed poor (the findings name no rule)"),
    "income.below_line": ("人均纯收入未稳定超过扶贫标准", "stable income per head below the poverty line"),
    "food.insufficient": ("愁吃（主副食或蛋白质不足）", "not enough food (staples, vegetables or protein)"),
    "clothing.insufficient": ("愁穿（无换季或换洗衣服）", "not enough clothing (seasonal or change)"),
    "water.quality": ("饮水水质不达标", "drinking-water quality below standard"),
    "water.quantity": ("饮水水量不足", "not enough drinking water per person"),
    "water.convenience": ("取水不方便（往返时间过长）", "water fetching takes too long"),
    "water.reliability": ("供水保证率不足", "water supply not reliable enough"),
    "education.dropout": ("义务教育阶段适龄儿童辍学", "compulsory-age child out of school"),
    "medical.uninsured": ("未参加基本医疗保险或大病保险", "not covered by basic or critical-illness insurance"),
    "medical.unaffordable": ("医疗支出过大、基本生活无保障", "medical costs leave basic needs unmet"),
    "housing.unsafe": ("住房不安全（C/D级危房未改造）", "unsafe house (grade C/D, not rebuilt)"),
    "housing.relocation_not_moved_in": ("易地扶贫搬迁户未入住", "relocated household has not moved in"),
    "policy.dibao_missing": ("符合条件未纳入低保", "eligible but not on dibao"),
    "policy.pension_missing": ("养老金未按时足额发放", "pension not paid"),
    "policy.pension_paid": ("养老金未按时足额发放", "pension not paid"),
    "policy.tekun_missing": ("符合条件未纳入特困供养", "eligible but not in tekun support"),
    "policy.temp_relief_missing": ("未落实临时救助", "temporary relief not given"),
    "policy.disability_cert_missing": ("残疾人未办理残疾证", "disabled member has no disability certificate"),
    "policy.industry_not_running": ("产业扶贫项目未落实", "industry project not running"),
    "policy.employment_support_missing": ("有劳动力未获就业帮扶", "able-bodied unemployed without employment support"),
    "policy.village_team_weakened": ("驻村帮扶力量弱化", "village support team weakened"),
    "policy.premium_subsidy_missing": ("未享受医保参保补贴", "insurance premium subsidy not given"),
    "policy.chronic_not_contracted": ("慢性病患者未签约家庭医生", "chronic patient without family doctor"),
    "policy.medical_policy_gap": ("医疗保障政策落实不到位", "medical security policies not delivered"),
    "infra.road_not_hardened": ("通村公路未硬化", "village road not hardened"),
    "infra.road_too_narrow": ("通村公路路面宽度不足", "village road too narrow"),
    "infra.no_bus": ("未通客运班车（2公里内无站点）", "no bus stop within 2 km"),
    "infra.water_standard": ("村饮用水不符合安全卫生标准", "village water below the safety standard"),
    "infra.power": ("未实现户户通电", "not every household has electricity"),
    "infra.broadcast": ("未实现广播电视户户通", "not every household receives radio and TV"),
    "infra.culture_centre": ("综合性文化服务中心不达标", "culture centre below standard"),
    "infra.clinic_area": ("村卫生室面积不足60平方米", "village clinic smaller than 60 m²"),
    "infra.clinic_rooms": ("村卫生室功能分区不全", "village clinic lacks required rooms"),
    "infra.no_doctor": ("无合格乡村医生", "no qualified village doctor"),
    "infra.broadband": ("未通宽带或带宽不足", "no broadband or too slow"),
    "approval.disapproves": ("群众不认可", "household does not approve"),
    "review.income_not_stable": ("收入稳定性存疑", "income stability doubtful"),
    "review.enumerator_missed": ("调查员判定漏评", "enumerator judged it missed"),
    "review.exit_not_sustained": ("脱贫质量存疑（脱贫不稳定）", "exit quality doubtful"),
    "review.registered_on_exclusion_list": ("疑似错评（在册户在排除名单上）", "registered household on an exclusion list"),
    "policy.pension_unpaid": ("养老金未按时足额发放", "pension not paid"),
    "policy.medical_gap": ("医疗保障政策落实不到位", "medical security policies not delivered"),
    "policy.one_stop_missing": ("未落实先诊疗后付费、一站式结算", "no treatment-first / one-stop settlement"),
    "policy.dropout_not_persuaded": ("未开展劝返复学", "no persuasion back to school"),
}

CASE_KINDS: dict[str, Text] = {
    "wrongful_exit": ("疑似错退", "suspected wrongful exit"),
    "missed": ("疑似漏评", "suspected missed poor"),
}
OUTCOMES: dict[str, Text] = {
    "pending": ("待核实", "pending"),
    "confirmed": ("经核实确认", "confirmed"),
    "dismissed": ("经核实排除", "dismissed"),
}
INSTRUMENTS: dict[str, Text] = {
    "registered": ("建档立卡户", "registered households"),
    "general": ("一般农户", "non-registered households"),
}
STATUS_LABELS: dict[str, Text] = {
    "exited": ("已脱贫户", "exited"), "poor": ("未脱贫户", "still poor"), "returned": ("返贫户", "returned to poverty"),
}
# Problem-list status (data validation list of the 问题清单).
PROBLEM_STATUSES: tuple[Text, ...] = (
    ("待核实", "to verify"), ("已确认", "confirmed"), ("不予采信", "not adopted"),
    ("待整改", "to rectify"), ("整改中", "rectifying"), ("已整改", "rectified"),
)
YES_NO: tuple[Text, Text] = (("是", "yes"), ("否", "no"))

# Who answers for a problem (seed 004 lists a 责任单位 for every task): the township government
# always, plus the competent county department of the item.
RESPONSIBLE: dict[str, Text] = {
    "income": ("县农业农村局、县人社局", "county agriculture bureau; county human-resources bureau"),
    "food": ("县民政局", "county civil-affairs bureau"),
    "clothing": ("县民政局", "county civil-affairs bureau"),
    "water": ("县水务局", "county water bureau"),
    "education": ("县教育体育局", "county education bureau"),
    "medical": ("县卫生健康局、县医疗保障局", "county health commission; county medical-insurance bureau"),
    "housing": ("县住房和城乡建设局", "county housing and construction bureau"),
    "housing.relocation_not_moved_in": ("县发展和改革局（易地扶贫搬迁）", "county development and reform bureau (relocation)"),
    "policy": ("县扶贫开发办公室", "county poverty-alleviation office"),
    "policy.dibao_missing": ("县民政局", "county civil-affairs bureau"),
    "policy.tekun_missing": ("县民政局", "county civil-affairs bureau"),
    "policy.temp_relief_missing": ("县民政局", "county civil-affairs bureau"),
    "policy.pension_missing": ("县人社局", "county human-resources bureau"),
    "policy.pension_unpaid": ("县人社局", "county human-resources bureau"),
    "policy.medical_gap": ("县医疗保障局", "county medical-insurance bureau"),
    "policy.premium_subsidy_missing": ("县医疗保障局", "county medical-insurance bureau"),
    "policy.one_stop_missing": ("县医疗保障局", "county medical-insurance bureau"),
    "policy.chronic_not_contracted": ("县卫生健康局", "county health commission"),
    "policy.dropout_not_persuaded": ("县教育体育局", "county education bureau"),
    "policy.pension_paid": ("县人社局", "county human-resources bureau"),
    "policy.employment_support_missing": ("县人社局", "county human-resources bureau"),
    "policy.disability_cert_missing": ("县残疾人联合会", "county disabled persons' federation"),
    "policy.industry_not_running": ("县农业农村局", "county agriculture bureau"),
    "policy.village_team_weakened": ("县委组织部", "county party organisation department"),
    "infra.road_not_hardened": ("县交通运输局", "county transport bureau"),
    "infra.road_too_narrow": ("县交通运输局", "county transport bureau"),
    "infra.no_bus": ("县交通运输局", "county transport bureau"),
    "infra.water_standard": ("县水务局", "county water bureau"),
    "infra.power": ("县供电公司", "county power supply company"),
    "infra.broadcast": ("县文化和旅游局", "county culture and tourism bureau"),
    "infra.culture_centre": ("县文化和旅游局", "county culture and tourism bureau"),
    "infra.clinic_area": ("县卫生健康局", "county health commission"),
    "infra.clinic_rooms": ("县卫生健康局", "county health commission"),
    "infra.no_doctor": ("县卫生健康局", "county health commission"),
    "infra.broadband": ("县工业和信息化局", "county industry and IT bureau"),
    "identification": ("县扶贫开发办公室", "county poverty-alleviation office"),
    "approval": ("县扶贫开发办公室", "county poverty-alleviation office"),
    "other": ("县扶贫开发办公室", "county poverty-alleviation office"),
}

ROLE_LABELS: dict[str, Text] = {
    "county_cadre": ("县级干部", "county cadres"), "township_cadre": ("乡镇干部", "township cadres"),
    "village_cadre": ("村干部", "village cadres"), "deputy": ("人大代表", "people's congress deputies"),
    "cppcc": ("政协委员", "CPPCC members"), "resident_team": ("驻村工作队员", "resident work-team members"),
}


def _catalogue() -> dict[str, object]:
    """The rules layer's catalogue (id → Rule with kind and labels), when that layer is installed."""
    global _CATALOGUE
    if _CATALOGUE is None:
        try:
            from ..rules import RULES as catalogue

            _CATALOGUE = {r.id: r for r in catalogue}
        except (ImportError, AttributeError):
            _CATALOGUE = {}
    return _CATALOGUE


_CATALOGUE: dict[str, object] | None = None
# Kinds of rule ids: problems and policy gaps are problems of the household; review items need a
# second look (识别/退出质量); approval is the household's own verdict; exclusion facts (财政供养,
# 车辆 …) and exceptions (送教上门 …) are not problems and never appear in a problem list.
PROBLEM_KINDS = ("problem", "policy", "review", "infra")
LISTED_KINDS = (*PROBLEM_KINDS, "approval")


def rule_kind(rule_id: str) -> str:
    rule = _catalogue().get(rule_id)
    if rule is not None and getattr(rule, "kind", None):
        return str(rule.kind)
    prefix = rule_id.split(".", 1)[0]
    return {"infra": "infra", "policy": "policy", "review": "review", "approval": "approval",
            "exclusion": "exclusion"}.get(prefix, "problem")


def rule_category(rule_id: str) -> str:
    prefix = rule_id.split(".", 1)[0]
    kind = rule_kind(rule_id)
    if kind == "infra" or prefix == "infra":
        return "infrastructure"
    if kind == "review" or prefix in ("review", "missed", "wrongful_exit", "identification"):
        return "identification"
    if kind == "approval":
        return "approval"
    if kind == "policy":
        return "policy"
    return prefix if prefix in CATEGORIES else "other"


def catalogue_label(rule_id: str, lang: str) -> str | None:
    """The rules layer's own short label of a rule (what its printable problems start with)."""
    rule = _catalogue().get(rule_id)
    label = getattr(rule, "label_en" if lang == "en" else "label_zh", None) if rule is not None else None
    return str(label) if label else None


def rule_label(rule_id: str, lang: str) -> str:
    text = RULES.get(rule_id)
    if text:
        return pick(text, lang)
    rule = _catalogue().get(rule_id)
    label = getattr(rule, "label_en" if lang == "en" else "label_zh", None) if rule is not None else None
    return str(label) if label else rule_id


def responsible_unit(rule_id: str, township: str | None, lang: str) -> str:
    """Township government (属地责任) plus the competent county department of the rule."""
    dept = RESPONSIBLE.get(rule_id) or RESPONSIBLE.get(rule_category(rule_id)) or RESPONSIBLE["other"]
    if lang == "en":
        town = f"{township} township government; " if township else ""
        return town + dept[1]
    town = f"{township}人民政府、" if township else ""
    return town + dept[0]
