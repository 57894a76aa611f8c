"""What a ruleset YAML may contain: keys, value types, allowed values, and what each parameter means.

Every adjudication parameter is written ``{value: …, source: "…"}`` (optionally ``note`` and
``illustrative: true``) so that a verdict can name the document each threshold came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["int", "number", "bool", "str", "list"]

HOUSING_SUBSTITUTES = (
    "safe_house_elsewhere", "long_term_rent", "collective_care", "relocation_keys", "living_with_children",
)
APPROVAL_COMPONENTS = ("approve_policy", "approve_help", "approve_results", "approve_exit", "approve_cadres")
EXCLUSION_SOURCES = ("public_employee", "vehicle", "urban_property", "business", "village_cadre")
CHILD_SUPPORT_TARGETS = ("food.insufficient", "clothing.insufficient", "income.below_line")

_KIND_TEXT = {
    "int": ("整数", "an integer"),
    "number": ("数字", "a number"),
    "bool": ("true 或 false", "true or false"),
    "str": ("文字", "text"),
    "list": ("列表", "a list"),
}


@dataclass(frozen=True)
class ValueType:
    kind: Kind
    enum: tuple[str, ...] = ()  # for str, or the items of a list
    nullable: bool = False
    min: float | None = None
    max: float | None = None

    def describe(self, lang: str) -> str:
        zh, en = _KIND_TEXT[self.kind]
        text = zh if lang == "zh" else en
        if self.kind == "list" and self.enum:
            text += ("（取值：" if lang == "zh" else " (of: ") + ", ".join(self.enum) + ("）" if lang == "zh" else ")")
        if self.nullable:
            text += "，或 null" if lang == "zh" else ", or null"
        return text

    def check(self, value: Any) -> str | None:
        """``None`` when ``value`` fits; otherwise "type" or a reason (zh|en) for a bad value."""
        if value is None:
            return None if self.nullable else "type"
        k = self.kind
        if k == "bool":
            return None if isinstance(value, bool) else "type"
        if k == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                return "type"
            return self._range(value)
        if k == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return "type"
            return self._range(value)
        if k == "str":
            if not isinstance(value, str):
                return "type"
            if not value.strip():
                return "不能为空|must not be empty"
            if self.enum and value not in self.enum:
                return "不在允许的取值中|not one of the allowed values"
            return None
        if k == "list":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return "type"
            bad = [v for v in value if self.enum and v not in self.enum]
            if bad:
                return f"未知的取值 {', '.join(bad)}|unknown item(s) {', '.join(bad)}"
            if len(set(value)) != len(value):
                return "有重复项|has duplicate items"
            return None
        raise AssertionError(k)  # pragma: no cover

    def _range(self, v: float) -> str | None:
        if self.min is not None and v < self.min:
            return f"不能小于 {self.min:g}|must be at least {self.min:g}"
        if self.max is not None and v > self.max:
            return f"不能大于 {self.max:g}|must be at most {self.max:g}"
        return None


@dataclass(frozen=True)
class ParamSpec:
    type: ValueType
    zh: str
    en: str


def _p(kind: Kind, zh: str, en: str, **kw: Any) -> ParamSpec:
    return ParamSpec(ValueType(kind, **kw), zh, en)


# section -> parameter -> spec. Every parameter is required in a usable (non-abstract) ruleset.
SECTIONS: dict[str, dict[str, ParamSpec]] = {
    "income": {
        "exit_requires_above_line": _p(
            "bool", "脱贫户稳定人均纯收入须“超过”标准（恰好等于标准视为未超过）",
            "An exited household's stable income per head must exceed the line (exactly the line does not)"),
        "identification_strictly_below": _p(
            "bool", "未建档立卡户稳定人均纯收入“低于”标准才符合识别标准（恰好等于不算）",
            "A non-registered household meets the income criterion only strictly below the line"),
        "unstable_counts_as_below_line": _p(
            "bool", "调查员综合研判“收入不稳定可持续”时按收入未达标处理",
            "The enumerator's judgement 'income not stable and sustainable' counts as failing the line"),
        "windfall_excluded": _p(
            "bool", "一次性收入（偶然所得）不计入稳定收入", "One-off (windfall) income is excluded from stable income"),
    },
    "food": {
        "staple_g_per_day": _p("number", "主食（米或面）克/人/天", "Staple (rice or flour), g per person a day", min=0),
        "vegetable_g_per_day": _p("number", "蔬菜 克/人/天", "Vegetables, g per person a day", min=0),
        "protein_g_per_day": _p("number", "蛋白质（肉蛋奶豆制品）约 克/人/天", "Protein foods, about g per person a day",
                                min=0),
    },
    "support": {
        "children_support_neutralises": _p(
            "list", "子女（有赡养能力且实际赡养）的赡养可抵消的问题规则",
            "Problems that support from capable children (赡养) neutralises", enum=CHILD_SUPPORT_TARGETS),
    },
    "water": {
        "scheme": _p("str", "饮水安全评价依据", "Drinking-water assessment scheme"),
        "quantity_min_l": _p("number", "每人每天可获得水量下限（升）", "Minimum litres per person a day", min=0),
        "quantity_min_l_scarce": _p("number", "缺水地区每人每天可获得水量下限（升）",
                                    "Minimum litres per person a day in water-scarce areas", min=0),
        "fetch_max_minutes": _p("number", "人力取水往返时间上限（分钟）", "Maximum round-trip fetching time (minutes)",
                                min=0),
        "fetch_max_horizontal_m": _p("number", "取水水平距离上限（米），null 表示不用此项",
                                     "Maximum horizontal fetching distance (m); null = not used", min=0,
                                     nullable=True),
        "fetch_max_vertical_m": _p("number", "取水垂直高差上限（米），null 表示不用此项",
                                   "Maximum vertical fetching height (m); null = not used", min=0, nullable=True),
        "reliability_min_pct": _p("number", "供水保证率下限（%）", "Minimum supply reliability (%)", min=0, max=100),
        "reliability_min_pct_scarce": _p("number", "缺水地区供水保证率下限（%）",
                                         "Minimum supply reliability in water-scarce areas (%)", min=0, max=100),
        "max_days_without": _p("int", "一年中断水天数上限，null 表示按保证率换算",
                               "Maximum days a year without water; null = derive from the reliability", min=0,
                               max=366, nullable=True),
    },
    "education": {
        "compulsory_age_min": _p("int", "义务教育适龄下限（岁）", "Compulsory schooling: youngest age", min=3, max=10),
        "compulsory_age_max": _p("int", "义务教育适龄上限（岁）", "Compulsory schooling: oldest age", min=10, max=20),
        "latest_entry_age": _p("int", "最晚入学年龄（此前未入学不算辍学）",
                               "Latest school-entry age (not yet enrolled before it is not a dropout)", min=3, max=10),
        "home_schooling_exempt": _p("bool", "重度残疾儿童送教上门不算辍学",
                                    "A severely disabled child taught at home (送教上门) is not a dropout"),
    },
    "medical": {
        "require_critical_insurance": _p("bool", "须参加大病保险", "Critical-illness insurance is required"),
    },
    "housing": {
        "accepted_grades": _p("list", "视为安全的住房等级", "Housing grades accepted as safe", enum=("A", "B", "C", "D")),
        "accepted_substitutes": _p("list", "认可的住房安全替代方式", "Accepted substitutes for a safe own house",
                                   enum=HOUSING_SUBSTITUTES),
    },
    "approval": {
        "registered_components": _p(
            "list", "建档立卡户认可须全部“认可”的事项（approve_exit 仅对脱贫户）",
            "Items a registered household must all endorse (approve_exit only for exited households)",
            enum=APPROVAL_COMPONENTS),
        "require_overall_judgement": _p(
            "bool", "同时要求综合研判“认可”（approves）", "Also require the overall judgement 'approves'"),
    },
    "exclusion": {
        "sources": _p("list", "使户不纳入漏评的排除名单（核查员可复核推翻）",
                      "Exclusion lists that make a household ineligible for 漏评 (a checker may override)",
                      enum=EXCLUSION_SOURCES),
    },
}

PARAM_KEYS = ("value", "source", "note", "illustrative")

# Top-level keys (other than the parameter sections).
TOP_LEVEL: dict[str, ValueType] = {
    "ruleset": ValueType("str"),
    "version": ValueType("str"),
    "extends": ValueType("str"),
    "abstract": ValueType("bool"),
    "year": ValueType("int", min=2010, max=2100),
    "province": ValueType("str", nullable=True),
}
TEXT_BLOCKS = ("title", "description")  # {zh: …, en: …}
POVERTY_LINE_KEYS: dict[str, ValueType] = {
    "year": ValueType("int", min=2010, max=2100),
    "province": ValueType("str", nullable=True),
    "value": ValueType("number", min=0),
    "source": ValueType("str"),
    "note": ValueType("str"),
    "illustrative": ValueType("bool"),
}
REQUIRED_TOP = ("ruleset", "version")
ALL_TOP_KEYS = (*TOP_LEVEL, *TEXT_BLOCKS, "poverty_lines", *SECTIONS)


def param_paths() -> list[str]:
    return [f"{s}.{k}" for s, params in SECTIONS.items() for k in params]


def param_spec(path: str) -> ParamSpec:
    s, k = path.split(".", 1)
    return SECTIONS[s][k]
