"""The questions form 2025.2 added (docs/fields.md) → policy gaps, satisfaction, county documents (pure).

The rules layer does not read these answers, so the report checks them itself, each gap with a stable
``policy.*`` id like the household rules (ids the rules catalogue does not use):

- micro-credit: willing and eligible (``finance_loan_status`` = ``willing_eligible``) but no loan;
- 两项补贴 not delivered to a disabled member; other disability policies due and not delivered;
- 低保 / 特困 targeting judged wrong (``dibao_accurate`` / ``tekun_accurate`` no);
- members aged 16–59 not all in the residents' pension insurance;
- chronic illness: contracted doctor not serving, no chronic-illness card, drug costs not subsidised;
- education support not all delivered (compulsory stage, other stages);
- 危改 subsidy not paid, renovation quality below standard.

An item none of whose answers is in the data (exports of an older form) is *absent* — never counted
as "no gap". Satisfaction shares count 满意 and 基本满意 among those who answered (not ``not_applicable``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ..contracts import parse_yesno
from . import labels as L

Text = tuple[str, str]


@dataclass(frozen=True)
class GapCheck:
    rule_id: str
    field: str  # the answer that reveals the gap
    bad: Any  # value of ``field`` that is a gap (False for yes/no questions, or a code)
    label: Text
    when: tuple[str, Any] | None = None  # (field, value) that must also hold
    details: tuple[str, ...] = ()  # text answers that describe the gap


GAP_CHECKS: tuple[GapCheck, ...] = (
    GapCheck("policy.loan_not_obtained", "loan_obtained", False,
             ("有意愿且符合条件未获得扶贫小额信贷", "willing and eligible but no poverty micro-loan"),
             when=("finance_loan_status", "willing_eligible")),
    GapCheck("policy.disability_subsidy_missing", "disability_subsidy_delivered", False,
             ("残疾人两项补贴未落实", "disability allowances (两项补贴) not delivered")),
    GapCheck("policy.disability_policy_missing", "disability_policy_missing", True,
             ("残疾人政策应落实未落实", "disability policies due but not delivered"), details=("disability_policy_detail",)),
    GapCheck("policy.dibao_inaccurate", "dibao_accurate", False,
             ("低保政策落实不精准", "低保 (dibao) not correctly targeted")),
    GapCheck("policy.tekun_inaccurate", "tekun_accurate", False,
             ("特困供养政策落实不精准", "特困 (tekun) support not correctly targeted"), details=("tekun_missing_detail",)),
    GapCheck("policy.pension_contrib_missing", "pension_contrib_all", False,
             ("16–59周岁成员未全部参加城乡居民基本养老保险", "members aged 16–59 not all in the residents' pension scheme")),
    GapCheck("policy.contracted_doctor_not_serving", "contracted_doctor_serves", False,
             ("慢性病签约医生未提供服务", "contracted doctor does not serve the chronic patient")),
    GapCheck("policy.chronic_card_missing", "chronic_card", False,
             ("慢性病患者未办理慢性病卡", "chronic patient has no chronic-illness card")),
    GapCheck("policy.chronic_drug_subsidy_missing", "chronic_drug_subsidy", False,
             ("慢性病合规药费未享受补助", "chronic-illness drug costs not subsidised"),
             details=("chronic_drug_subsidy_reason",)),
    GapCheck("policy.education_support_missing", "education_policy_delivered", False,
             ("义务教育扶持（资助）政策未全部落实", "compulsory-education support not all delivered"),
             details=("education_policy_gap",)),
    GapCheck("policy.other_stage_support_missing", "other_stage_policy_delivered", False,
             ("其他阶段在校生教育扶持政策未全部落实", "education support for other stages not all delivered"),
             details=("other_stage_policy_gap",)),
    GapCheck("policy.renovation_subsidy_missing", "renovation_subsidy_paid", False,
             ("危房改造补贴未落实", "housing-renovation subsidy not paid")),
    GapCheck("policy.renovation_quality", "renovation_quality_ok", False,
             ("危房改造质量不达标", "renovation quality below standard"), details=("renovation_quality_problems",)),
)
GAP_LABELS: dict[str, Text] = {c.rule_id: c.label for c in GAP_CHECKS}

SATISFACTION: tuple[tuple[str, Text], ...] = (
    ("satisfaction_village_team", ("对驻村工作队（第一书记）的满意度", "satisfaction with the village work team")),
    ("satisfaction_helper", ("对帮扶责任人的满意度", "satisfaction with the assigned helper")),
)
SATISFIED = ("satisfied", "basic", "满意", "基本满意")
NOT_APPLICABLE = ("not_applicable", "不适用")


@dataclass
class GapCount:
    rule_id: str
    label: str
    households: int  # with the gap
    answered: int  # households that answered the question


@dataclass
class GapRow:
    household_id: str
    township: str | None
    village: str | None
    group: str | None
    rule_id: str
    label: str
    detail: str  # 具体表现
    evidence: str


@dataclass
class SatisfactionShare:
    key: str
    label: str
    satisfied: int
    answered: int
    dissatisfied_reasons: list[tuple[str, int]]


@dataclass
class CountyCheckItem:
    item: str
    label: str
    met: bool
    detail: str


@dataclass
class NewItems:
    """What the form-2025.2 answers add to the county report; an empty list = no data (older form)."""
    gaps: list[GapCount] = field(default_factory=list)  # items that were asked, in GAP_CHECKS order
    gap_rows: list[GapRow] = field(default_factory=list)
    gaps_absent: list[str] = field(default_factory=list)  # labels of items with no answer at all
    satisfaction: list[SatisfactionShare] = field(default_factory=list)
    county_checks: list[CountyCheckItem] = field(default_factory=list)  # every item of the checklist
    townships_surveyed: int = 0
    township_names: list[str] = field(default_factory=list)

    @property
    def gap_households(self) -> int:
        return len({r.household_id for r in self.gap_rows})

    @property
    def county_checks_unmet(self) -> list[CountyCheckItem]:
        return [c for c in self.county_checks if not c.met]


def _value(v: Any) -> Any:
    if isinstance(v, str):
        s = v.strip()
        if not s:
            return None
        try:
            return parse_yesno(s)
        except ValueError:
            return s
    return v


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def _yes_txt(v: Any, lang: str) -> str:
    if isinstance(v, bool):
        return ("yes" if v else "no") if lang == "en" else ("是" if v else "否")
    return _text(v)


def _in_county(df: pl.DataFrame, county: str) -> pl.DataFrame:
    if df.is_empty() or not county or "county" not in df.columns:
        return df
    return df.filter(pl.col("county").cast(pl.String) == county)


def policy_gaps(data: Any, hh: pl.DataFrame, lang: str) -> tuple[list[GapCount], list[GapRow], list[str]]:
    rh = _in_county(data.resp_households, data.county)
    if rh.is_empty() or "household_id" not in rh.columns:
        return [], [], [L.pick(c.label, lang) for c in GAP_CHECKS]
    if "instrument" in rh.columns:
        rh = rh.filter(pl.col("instrument").cast(pl.String) == "registered")
    rh = rh.unique("household_id", keep="first", maintain_order=True)
    place = {}
    if not hh.is_empty():
        for r in hh.select("household_id", "township", "village", "group").iter_rows():
            place[r[0]] = r[1:]
    records = rh.to_dicts()
    counts: list[GapCount] = []
    rows: list[GapRow] = []
    absent: list[str] = []
    for c in GAP_CHECKS:
        label = L.pick(c.label, lang)
        if c.field not in rh.columns or rh[c.field].null_count() == rh.height:
            absent.append(label)
            continue
        answered = found = 0
        for r in records:
            v = _value(r.get(c.field))
            if v is None:
                continue
            if c.when is not None and _value(r.get(c.when[0])) != c.when[1]:
                continue
            answered += 1
            if v != c.bad:
                continue
            found += 1
            hid = str(r["household_id"])
            town, vil, grp = place.get(hid, (r.get("township"), r.get("village"), r.get("group")))
            notes = [_text(r.get(d)) for d in c.details if _text(r.get(d))]
            sep = "; " if lang == "en" else "；"
            ev = [f"{c.field}={_yes_txt(v, lang)}"]
            if c.when is not None:
                ev.insert(0, f"{c.when[0]}={c.when[1]}")
            ev += [f"{d}={_text(r.get(d))}" for d in c.details if _text(r.get(d))]
            rows.append(GapRow(hid, town, vil, grp, c.rule_id, label,
                               label + ((f" ({sep.join(notes)})" if lang == "en" else f"（{sep.join(notes)}）")
                                        if notes else ""), "; ".join(ev)))
        counts.append(GapCount(c.rule_id, label, found, answered))
    rows.sort(key=lambda g: (g.township or "", g.village or "", g.household_id, g.rule_id))
    return counts, rows, absent


def satisfaction(data: Any, lang: str) -> list[SatisfactionShare]:
    rh = _in_county(data.resp_households, data.county)
    out = []
    for key, label in SATISFACTION:
        if rh.is_empty() or key not in rh.columns:
            continue
        vals = [_text(v) for v in rh[key].to_list()]
        answered = [v for v in vals if v and v not in NOT_APPLICABLE]
        if not answered:
            continue
        reasons: dict[str, int] = {}
        rcol = f"{key}_reason"
        if rcol in rh.columns:
            for v, why in zip(vals, rh[rcol].to_list(), strict=True):
                if v in ("dissatisfied", "不满意") and _text(why):
                    reasons[_text(why)] = reasons.get(_text(why), 0) + 1
        out.append(SatisfactionShare(key, L.pick(label, lang), sum(1 for v in answered if v in SATISFIED),
                                     len(answered), sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:5]))
    return out


def county_checks(data: Any, lang: str) -> list[CountyCheckItem]:
    from ..instruments.definitions.county_check import ITEMS

    cc = _in_county(data.resp_county_checks, data.county)
    if cc.is_empty():
        return []
    row = cc.row(0, named=True)
    out = []
    for name, zh, en, _hz, _he in ITEMS:
        v = _value(row.get(name))
        if v is None:
            continue
        detail = _text(row.get(f"{name}_missing_detail")) if v is False else _text(row.get(f"{name}_remark"))
        out.append(CountyCheckItem(name, en if lang == "en" else zh, v is True, detail))
    return out


def townships(data: Any) -> list[str]:
    t = _in_county(data.resp_townships, data.county)
    if t.is_empty():
        return []
    col = "township" if "township" in t.columns else None
    names = t[col].cast(pl.String).to_list() if col else [None] * t.height
    return [n or "—" for n in names]


def new_items(data: Any, hh: pl.DataFrame, lang: str) -> NewItems:
    gaps, rows, absent = policy_gaps(data, hh, lang)
    towns = townships(data)
    return NewItems(gaps=gaps, gap_rows=rows, gaps_absent=absent, satisfaction=satisfaction(data, lang),
                    county_checks=county_checks(data, lang), townships_surveyed=len(towns),
                    township_names=sorted(set(towns)))
