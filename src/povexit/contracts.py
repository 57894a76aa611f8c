"""The data contracts of ``../shared/spec/CONTRACTS.md`` as code: tables, columns, Chinese headers, types.

Readers accept the English name or any Chinese header listed here (and common variants seen in
government exports); writers write the English name.  Add columns freely; never rename or drop one
that the contract lists (``contract=True``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

CONTRACT_VERSION = 1

ColumnType = Literal["text", "int", "number", "yesno", "enum", "datetime", "json"]


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    type: ColumnType = "text"
    required: bool = False
    aliases: tuple[str, ...] = ()
    enum: tuple[str, ...] = ()  # normalised codes (English) for type "enum"
    enum_aliases: dict[str, str] = field(default_factory=dict)  # raw value -> code
    contract: bool = True  # listed in CONTRACTS.md (stable)
    doc: str = ""

    def headers(self) -> tuple[str, ...]:
        return (self.name, self.zh, *self.aliases)


@dataclass(frozen=True)
class TableSpec:
    name: str
    stems: tuple[str, ...]  # file names (without extension) this table is found under
    columns: tuple[Column, ...]
    doc: str = ""

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def header_map(self) -> dict[str, str]:
        """normalised header -> column name (computed once per table spec)"""
        cached = _HEADER_MAPS.get(id(self))
        if cached is not None and cached[0] is self:
            return dict(cached[1])
        out: dict[str, str] = {}
        for c in self.columns:
            for h in c.headers():
                out.setdefault(normalise_header(h), c.name)
        _HEADER_MAPS[id(self)] = (self, out)
        return dict(out)


_HEADER_MAPS: dict[int, tuple[TableSpec, dict[str, str]]] = {}


_UNIT_SUFFIX = re.compile(r"[（(][^（）()]*[)）]$")


# white space next to a non-ASCII character: "姓 名", "证件\n号码" (a line break inside a header cell)
_CJK_SPACE = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")


def normalise_header(h: object) -> str:
    """Fold width, case, spaces, line breaks, required-markers and a trailing unit like ``（元）`` away."""
    s = unicodedata.normalize("NFKC", "" if h is None else str(h)).strip()
    s = s.lstrip("*＊").rstrip("*＊:：").strip()
    s = _CJK_SPACE.sub("", s)
    prev = None
    while prev != s:  # strip stacked suffixes: 年人均纯收入(元)(2019)
        prev = s
        s = _UNIT_SUFFIX.sub("", s).strip()
    s = re.sub(r"[\s\-/]+", "_", s.lower())
    return s


# ---- value vocabularies ------------------------------------------------------------------------

YES = {"是", "1", "true", "t", "y", "yes", "有", "√", "✓", "已", "1.0"}
NO = {"否", "0", "false", "f", "n", "no", "无", "没有", "×", "未", "0.0"}


def parse_yesno(v: object) -> bool | None:
    """是/否, 1/0, true/false, Y/N → bool; empty → None; anything else raises ValueError."""
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    s = unicodedata.normalize("NFKC", str(v)).strip().lower()
    if s == "" or s in {"nan", "none", "null"}:
        return None
    if s in YES:
        return True
    if s in NO:
        return False
    raise ValueError(v)


STATUS_ALIASES = {
    "未脱贫": "poor", "poor": "poor", "贫困户": "poor", "未脱贫户": "poor", "在册贫困户": "poor",
    "已脱贫": "exited", "exited": "exited", "脱贫": "exited", "脱贫户": "exited", "已脱贫户": "exited",
    "稳定脱贫": "exited", "脱贫不稳定": "exited", "已退出": "exited", "退出": "exited", "标注脱贫": "exited",
    "已标注脱贫": "exited", "脱贫享受政策": "exited", "脱贫(享受政策)": "exited", "脱贫不享受政策": "exited",
    "脱贫(不享受政策)": "exited", "已脱贫享受政策": "exited", "已脱贫不享受政策": "exited",
    "贫困": "poor", "未脱贫贫困户": "poor",
    "返贫": "returned", "returned": "returned", "返贫户": "returned",
}
STATUS_ZH = {"poor": "未脱贫", "exited": "已脱贫", "returned": "返贫"}

POOR_TYPE_ALIASES = {
    "一般贫困户": "general", "一般户": "general", "一般": "general", "general": "general",
    "低保贫困户": "dibao", "低保户": "dibao", "低保": "dibao", "dibao": "dibao",
    "特困供养贫困户": "tekun", "五保贫困户": "tekun", "特困供养户": "tekun", "五保户": "tekun", "特困供养": "tekun",
    "特困": "tekun", "五保": "tekun", "tekun": "tekun",
}
POOR_TYPE_ZH = {"general": "一般贫困户", "dibao": "低保贫困户", "tekun": "特困供养贫困户"}

HOUSING_GRADES = ("A", "B", "C", "D")
HOUSING_ALIASES = {g: g for g in HOUSING_GRADES} | {
    f"{g}级": g for g in HOUSING_GRADES
} | {g.lower(): g for g in HOUSING_GRADES}

REGION_ALIASES = {"中部": "central", "central": "central", "西部": "western", "western": "western",
                  "东部": "eastern", "eastern": "eastern"}

# Roster sources. Vulnerability lists point to possibly missed poor; exclusion lists make a
# household ineligible unless a checker overrides.
VULNERABILITY_SOURCES = {
    "民政低保": "dibao", "低保": "dibao", "dibao": "dibao",
    "特困供养": "tekun", "特困": "tekun", "tekun": "tekun",
    "残联": "disability", "残疾": "disability", "disability": "disability",
    "住建危房": "dangerous_house", "危房": "dangerous_house", "dangerous_house": "dangerous_house",
    "卫健大病": "serious_illness", "大病": "serious_illness", "serious_illness": "serious_illness",
    "医保": "medical_insurance", "medical_insurance": "medical_insurance",
}
EXCLUSION_SOURCES = {
    "财政供养人员": "public_employee", "财政供养": "public_employee", "public_employee": "public_employee",
    "车辆": "vehicle", "vehicle": "vehicle",
    "商品房": "urban_property", "urban_property": "urban_property",
    "工商注册": "business", "business": "business",
    "村干部": "village_cadre", "village_cadre": "village_cadre",
}
ROSTER_SOURCE_ALIASES = VULNERABILITY_SOURCES | EXCLUSION_SOURCES


def _c(name: str, zh: str, type: ColumnType = "text", required: bool = False, *aliases: str, **kw) -> Column:
    return Column(name=name, zh=zh, type=type, required=required, aliases=tuple(aliases), **kw)


# ---- 1. registry directory (input) ---------------------------------------------------------------

_PLACE = (
    _c("province", "省", "text", True, "省份", "省(区、市)", "省（区、市）", "省区市", "所属省", "所属省份"),
    _c("city", "市", "text", True, "市(州)", "市（州）", "市州", "地市", "地区", "所属市", "所属市州", "市(州、盟)"),
    _c("county", "县", "text", True, "县(市、区)", "县（市、区）", "县市区", "区县", "县区", "所属县", "所属县区",
       "县(市、区、旗)", "县(区)"),
    _c("township", "乡镇", "text", True, "乡(镇)", "乡（镇）", "乡(镇、街道)", "乡（镇、街道）", "乡镇街道", "镇",
       "所属乡镇", "所在乡镇", "乡镇(街道)", "town", "township_name"),
    _c("village", "行政村", "text", True, "村", "村委会", "行政村(社区)", "村(社区)", "所属行政村", "所在行政村",
       "所属村", "所在村", "村名", "village_name"),
)

PERSONS = TableSpec(
    "persons",
    ("persons", "人员", "建档立卡人员", "贫困人口", "家庭成员"),
    (
        *_PLACE,
        _c("group", "村民小组", "text", False, "自然村", "组", "村民小组(自然村)", "自然村(组)", "所属组", "村组",
           "village_group"),
        _c("household_id", "户编号", "text", True, "户码", "户号", "户id", "家庭编号", "户主编号", "贫困户编号",
           "hh_id", "household_no", "household_code"),
        _c("name", "姓名", "text", True, "成员姓名"),
        _c("id_number", "证件号码", "text", True, "身份证号", "身份证号码", "公民身份号码", "证件号", "身份证",
           "公民身份证号码", "居民身份证号码", "id_no.", "id_no", "id_card", "id_card_number", "citizen_id"),
        _c("relation", "与户主关系", "text", True, "与户主的关系", "家庭关系", "relation_to_head",
           "relationship", "relationship_to_head"),
        _c("status", "脱贫属性", "enum", True, "脱贫状态", "贫困户状态", "户状态", "是否脱贫", "脱贫标志",
           "贫困状态", "exit_status", "poverty_status",
           enum=("poor", "exited", "returned"), enum_aliases=STATUS_ALIASES),
        _c("exit_year", "脱贫年度", "int", False, "脱贫年份", "脱贫时间", "脱贫日期", "实际脱贫年度",
           doc="计划脱贫年度 (planned year) is deliberately no alias: it stays an extra column"),
        _c("poor_type", "贫困户属性", "enum", False, "贫困户类型", "户类型", "户属性",
           enum=("general", "dibao", "tekun"), enum_aliases=POOR_TYPE_ALIASES),
        _c("poverty_cause", "主要致贫原因", "text", False, "致贫原因"),
        _c("income_per_capita", "年人均纯收入", "number", False, "人均纯收入", "家庭年人均纯收入", "人均收入",
           "家庭人均纯收入", "年人均收入"),
        _c("relocated", "是否易地扶贫搬迁", "yesno", False, "易地扶贫搬迁", "是否易地搬迁", "易地搬迁"),
        _c("housing_grade", "住房安全等级", "enum", False, "危房等级", "住房等级",
           enum=HOUSING_GRADES, enum_aliases=HOUSING_ALIASES),
        _c("school_status", "在校生状况", "text", False, "在校生情况", "文化程度/在校情况"),
        _c("health", "健康状况", "text", False),
        _c("labour", "劳动技能", "text", False, "劳动能力"),
        _c("basic_medical_insurance", "是否参加城乡居民基本医疗保险", "yesno", False,
           "参加城乡居民基本医疗保险", "是否参加新型农村合作医疗", "是否参加基本医疗保险", "基本医疗保险"),
        _c("critical_illness_insurance", "是否参加大病保险", "yesno", False, "大病保险", "参加大病保险"),
        _c("sex", "性别", "text", False, contract=False),
        _c("monitored", "是否监测对象", "yesno", False, "监测对象", "监测户", "是否监测户", "边缘户", "是否边缘户",
           contract=False, doc="防返贫监测对象 / 边缘户 (midyear-2020 design includes all of a sampled village)"),
        _c("village_code", "行政区划代码", "text", False, "村代码", contract=False),
    ),
    doc="one row per person of a registered (建档立卡) household",
)

VILLAGES = TableSpec(
    "villages",
    ("villages", "行政村", "村", "村庄"),
    (
        *_PLACE,
        _c("poor_village", "是否贫困村", "yesno", True, "贫困村"),
        _c("exited_year", "出列年度", "int", False, "出列年份", "贫困村出列年度"),
        _c("agricultural_population", "农业户籍人口", "int", True, "农业人口", "户籍人口"),
        _c("households", "总户数", "int", False, "户数"),
        _c("remote", "是否边远村", "yesno", False, "边远村", "边远"),
        _c("edge", "是否边角村", "yesno", False, "边角村", "边角"),
        _c("border", "是否边界村", "yesno", False, "边界村", "边界"),
        _c("minority", "是否少数民族村", "yesno", False, "少数民族村", "少数民族"),
        _c("village_code", "行政区划代码", "text", False, "村代码", contract=False),
        _c("key_township", "是否重点乡镇", "yesno", False, "重点乡镇", contract=False),
    ),
    doc="one row per administrative village of the county (or province)",
)

GROUPS = TableSpec(
    "groups",
    ("groups", "村民小组", "组"),
    (
        _c("province", "省", "text", False, "省份"),
        _c("city", "市", "text", False, "市(州)", "市（州）"),
        _c("county", "县", "text", True, "县(市、区)", "县（市、区）", "区县"),
        _c("township", "乡镇", "text", True, "乡(镇)", "乡（镇）", "乡(镇、街道)", "所属乡镇", "town"),
        _c("village", "行政村", "text", True, "村", "村委会", "所属行政村", "所属村"),
        _c("group", "村民小组", "text", True, "自然村", "组", "自然村(组)", "村组", "village_group"),
        _c("agricultural_population", "农业户籍人口", "int", True, "农业人口", "户籍人口"),
        _c("households", "总户数", "int", False, "户数"),
    ),
    doc="village groups (村民小组 / 自然村)",
)

ROSTERS = TableSpec(
    "rosters",
    ("rosters", "部门名单", "比对名单"),
    (
        _c("source", "来源", "text", True, "数据来源", "部门"),
        _c("id_number", "证件号码", "text", True, "身份证号", "身份证号码", "公民身份号码", "证件号", "身份证",
           "公民身份证号码", "居民身份证号码", "id_no.", "id_no", "id_card"),
        _c("name", "姓名", "text", False),
        _c("county", "县", "text", False, "县(市、区)", "县（市、区）", "区县"),
        _c("township", "乡镇", "text", False, "乡(镇)", "乡（镇）", "所属乡镇", "town"),
        _c("village", "行政村", "text", False, "村", "村委会", "所属行政村", "所属村"),
        _c("detail", "说明", "text", False, "备注", "详情"),
        _c("group", "村民小组", "text", False, "自然村", "组", contract=False),
    ),
    doc="other departments' lists keyed by ID number (大数据比对)",
)

COUNTIES = TableSpec(
    "counties",
    ("counties", "县", "申请退出县"),
    (
        _c("province", "省", "text", True, "省份"),
        _c("city", "市", "text", False, "市(州)", "市（州）"),
        _c("county", "县", "text", True, "县(市、区)", "县（市、区）", "区县"),
        _c("region", "区域", "enum", False, "地区类型", enum=("central", "western", "eastern"),
           enum_aliases=REGION_ALIASES),
        _c("poverty_threshold", "综合贫困发生率标准", "number", False, "贫困发生率标准"),
        _c("exit_year", "申请退出年度", "int", False, "退出年度"),
        _c("county_code", "县代码", "text", False, "行政区划代码", contract=False),
    ),
    doc="counties of a province or national work",
)

REGISTRY_TABLES: dict[str, TableSpec] = {t.name: t for t in (PERSONS, VILLAGES, GROUPS, ROSTERS, COUNTIES)}
REGISTRY_REQUIRED_TABLES = ("persons", "villages")

# ---- 2. sample directory (output) ---------------------------------------------------------------

SAMPLE_VILLAGES = TableSpec(
    "sample_villages", ("villages",),
    (
        _c("county", "县"), _c("township", "乡镇"), _c("village", "行政村"),
        _c("village_id", "村编号", required=True),
        _c("stratum", "层", required=True),
        _c("reason", "抽样原因", "text", False, "selection_reason"),
        _c("p_village", "入样概率", "number", True),
        _c("batch", "批次", "int"),
        _c("fpc_village", "层内村数", "int", contract=False, doc="villages in the stratum (N_h), for fpc"),
    ),
)
SAMPLE_HOUSEHOLDS = TableSpec(
    "sample_households", ("households",),
    (
        _c("household_id", "户编号", required=True), _c("village_id", "村编号", required=True), _c("group", "村民小组"),
        _c("instrument", "问卷", required=True, enum=("registered", "general")),
        _c("stratum", "层", required=True), _c("psu", "初级抽样单元", required=True),
        _c("p_village", "村入样概率", "number", True), _c("p_household", "户入样概率", "number", True),
        _c("weight", "权数", "number", True), _c("persons", "人数", "int"),
        _c("fpc_household", "户抽样框数", "int", contract=False,
           doc="households of that instrument in the village (or group) frame, for second-stage fpc"),
    ),
)
SAMPLE_GROUPS = TableSpec(
    "sample_groups", ("groups",),
    (
        _c("county", "县"), _c("township", "乡镇"), _c("village", "行政村"), _c("village_id", "村编号", required=True),
        _c("group", "村民小组", required=True),
        _c("nonregistered_population", "未建档立卡农业户籍人口", "int", True),
        _c("p_group", "组入样概率", "number", contract=False),
    ),
)

# ---- 4. findings ---------------------------------------------------------------------------------

FINDINGS = TableSpec(
    "findings", ("findings",),
    (
        _c("household_id", "户编号", required=True), _c("instrument", "问卷", required=True),
        _c("persons", "人数", "int", True),
        _c("wrongful_exit", "是否错退", "yesno", True), _c("wrongful_exit_persons", "错退人数", "int", True),
        _c("missed", "是否漏评", "yesno", True), _c("missed_persons", "漏评人数", "int", True),
        _c("approves", "是否认可", "yesno", True), _c("rules", "规则"), _c("evidence", "证据", "json"),
    ),
)
CASES = TableSpec(
    "cases", ("cases",),
    (
        _c("household_id", "户编号", required=True), _c("kind", "类型", required=True),
        _c("outcome", "结果", "enum", True, enum=("confirmed", "dismissed", "pending"),
           enum_aliases={"confirmed": "confirmed", "确认": "confirmed", "dismissed": "dismissed",
                         "不予采信": "dismissed", "排除": "dismissed", "pending": "pending", "待核": "pending"}),
    ),
)

INSTRUMENTS = ("registered", "general")
