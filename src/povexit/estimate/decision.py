"""The exit decision: thresholds, pass / rectify / fail with reasons, and indicators too close to call.

Seed 001 §三(一)(二) and §六(五): a composite incidence above the threshold (2%; 3% in western
provinces and Yanbian) means the county may not exit; a reference indicator that fails (错退率 ≥ 2%,
漏评率 ≥ 2%, 认可度 ≤ 90%) means rectification by a deadline and a re-check (复核). The decision is
pass/fail against the standard — a 达标赛, never a ranking (seed 003).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

REGION_THRESHOLDS = {"central": 0.02, "western": 0.03}
DEFAULT_COMPOSITE = 0.02
DEFAULT_REFERENCE = {"wrongful_exit_rate": 0.02, "missed_rate": 0.02, "approval_rate": 0.90}
THRESHOLD_KEYS = ("composite_incidence", "wrongful_exit_rate", "missed_rate", "approval_rate")
#: how far the sample may be scaled when asking how many more households would settle an indicator
MAX_SAMPLE_FACTOR = 1000.0

HOUSEHOLD_WORDS = {
    "wrongful_exit_rate": ("脱贫户", "exited households"),
    "missed_rate": ("非建档立卡户", "non-registered households"),
    "approval_rate": ("调查户", "surveyed households"),
    "composite_incidence": ("脱贫户", "exited households"),
}
ZH = {
    "composite_incidence": "综合贫困发生率", "wrongful_exit_rate": "脱贫人口错退率",
    "missed_rate": "贫困人口漏评率", "approval_rate": "群众认可度",
}
EN = {
    "composite_incidence": "composite poverty incidence", "wrongful_exit_rate": "wrongful exit rate",
    "missed_rate": "missed poor rate", "approval_rate": "approval rate",
}


def resolve_thresholds(registry: Any, county: str, overrides: dict[str, float] | None = None, *,
                       row: dict[str, Any] | None = None) -> tuple[dict[str, float], str]:
    """Thresholds of a county: ``counties.poverty_threshold``, else by region (central 2%, western 3%;
    Yanbian prefecture 3%), else 2%; reference indicators 2%, 2%, 90%; ``overrides`` win. Returns
    the thresholds and where the composite one came from (counties / region / yanbian / default /
    override). ``row``: the county's row of ``registry.counties`` when the caller has it already."""
    th = {"composite_incidence": DEFAULT_COMPOSITE, **DEFAULT_REFERENCE}
    source = "default"
    counties = getattr(registry, "counties", None)
    if row is None and counties is not None and counties.height and "county" in counties.columns:
        sel = counties.filter(pl.col("county") == county)
        row = sel.row(0, named=True) if sel.height else None
    city = str((row or {}).get("city") or "")
    if row is not None and row.get("poverty_threshold") is not None and not _nan(row["poverty_threshold"]):
        th["composite_incidence"] = float(row["poverty_threshold"])
        source = "counties"
    elif "延边" in city or "yanbian" in city.lower():
        th["composite_incidence"] = 0.03
        source = "yanbian"
    elif row is not None and row.get("region") in REGION_THRESHOLDS:
        th["composite_incidence"] = REGION_THRESHOLDS[row["region"]]
        source = "region"
    if overrides:
        unknown = set(overrides) - set(THRESHOLD_KEYS)
        if unknown:
            from .. import errors as E
            from ..errors import estimate as EE

            raise E.PovexitError(EE.BAD_OPTION(column="thresholds", value=", ".join(sorted(unknown)),
                                               allowed=", ".join(THRESHOLD_KEYS)))
        th.update({k: float(v) for k, v in overrides.items()})
        if "composite_incidence" in overrides:
            source = "override"
    return th, source


def _nan(v: Any) -> bool:
    return isinstance(v, float) and math.isnan(v)


def fails(name: str, value: float, threshold: float) -> bool:
    """The documents' rule for each indicator: composite above the threshold; 错退率 and 漏评率 not
    below 2% (应低于 2%); 认可度 not above 90% (高于 90%)."""
    if name == "composite_incidence":
        return value > threshold
    if name == "approval_rate":
        return value <= threshold
    return value >= threshold


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:.2f}%"


@dataclass
class Decision:
    decision: str
    basis: str
    reasons_zh: list[str]
    reasons_en: list[str]
    failing_reference: list[str] = field(default_factory=list)
    near_threshold: list[str] = field(default_factory=list)
    near_detail: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_near_reasons(self) -> None:
        for name in self.near_threshold:
            d = self.near_detail[name]
            self.reasons_zh.append(d["note_zh"])
            self.reasons_en.append(d["note_en"])


def decide(indicators: dict[str, Any], thresholds: dict[str, float], *, basis: str = "official",
           stage: str = "provisional", unverified: int = 0) -> Decision:
    """pass / rectify / fail from the indicators (``official`` figures by default, as the documents
    compute them; ``basis="estimate"`` uses the design-based estimates)."""
    zh: list[str] = []
    en: list[str] = []

    def value(name: str) -> float | None:
        ind = indicators[name]
        v = ind.official if basis == "official" else ind.estimate
        if v is None:
            v = ind.estimate if basis == "official" else ind.official
        return v

    what_zh = "（按文件口径的样本比率）" if basis == "official" else "（设计估计值）"
    what_en = " (the documents' sample ratio)" if basis == "official" else " (design-based estimate)"
    comp = value("composite_incidence")
    t = thresholds["composite_incidence"]
    failing: list[str] = []
    for name in ("wrongful_exit_rate", "missed_rate", "approval_rate"):
        v = value(name)
        if v is not None and fails(name, v, thresholds[name]):
            failing.append(name)
    if comp is not None and fails("composite_incidence", comp, t):
        decision = "fail"
        zh.append(f"综合贫困发生率{what_zh} {_pct(comp)} 高于标准 {_pct(t)}，不得退出")
        en.append(f"Composite poverty incidence{what_en} {_pct(comp)} is above the {_pct(t)} standard: the county may not exit")
    else:
        decision = "rectify" if failing else "pass"
        if comp is None:
            zh.append("无法计算综合贫困发生率")
            en.append("The composite poverty incidence could not be computed")
        else:
            zh.append(f"综合贫困发生率{what_zh} {_pct(comp)} 不高于标准 {_pct(t)}")
            en.append(f"Composite poverty incidence{what_en} {_pct(comp)} is not above the {_pct(t)} standard")
    for name in failing:
        v, th = value(name), thresholds[name]
        if name == "approval_rate":
            zh.append(f"{ZH[name]} {_pct(v)} 未高于 {_pct(th)}（参考指标）：限期整改并复核")
            en.append(f"{EN[name].capitalize()} {_pct(v)} is not above {_pct(th)} (reference indicator): rectify by a deadline and re-check")
        else:
            zh.append(f"{ZH[name]} {_pct(v)} 未低于 {_pct(th)}（参考指标）：限期整改并复核")
            en.append(f"{EN[name].capitalize()} {_pct(v)} is not below {_pct(th)} (reference indicator): rectify by a deadline and re-check")
    if decision == "pass":
        zh.append("错退率、漏评率和群众认可度三项参考指标均达标")
        en.append("The three reference indicators (wrongful exit, missed poor, approval) meet their standards")
    for name in ("wrongful_exit_rate", "missed_rate", "approval_rate"):
        if value(name) is None:
            zh.append(f"{ZH[name]}无法计算，未参与判定")
            en.append(f"The {EN[name]} could not be computed and was not judged")
    if stage == "provisional":
        zh.append(f"临时结果：计入 {unverified} 个尚未核实确认的疑似问题，以五核后的最终结果为准")
        en.append(f"Provisional: counts {unverified} suspected problem(s) not yet confirmed by verification; "
                  "the final result after verification decides")
    return Decision(decision, basis, zh, en, failing)


def _settle(interval_at: Callable[[float], tuple[float, float]], estimate: float, threshold: float) -> float | None:
    """Smallest sample factor k ≥ 1 at which the interval (recomputed at variance/k and n·k, i.e. at
    the current estimate and design effect) no longer contains the threshold; None beyond
    :data:`MAX_SAMPLE_FACTOR` or when the estimate sits on the threshold."""
    if estimate == threshold:
        return None

    def clear(k: float) -> bool:
        lo, hi = interval_at(k)
        return hi < threshold if estimate < threshold else lo > threshold

    if not clear(MAX_SAMPLE_FACTOR):
        return None
    lo, hi = 1.0, MAX_SAMPLE_FACTOR
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        if clear(mid):
            hi = mid
        else:
            lo = mid
        if hi / lo < 1.001:
            break
    return hi


def near_threshold(indicators: dict[str, Any], thresholds: dict[str, float], *, ci_method: str, n_groups: int,
                   census_households: int) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """Indicators whose 95% interval contains their threshold, and for each how many more households
    (exited households of the registered sample, census groups, or both) would bring the interval
    clear of it at the current estimate and design effect (variance ∝ 1/sample size)."""
    names: list[str] = []
    detail: dict[str, dict[str, Any]] = {}
    exited_hh = indicators["wrongful_exit_rate"].n_households
    for name in THRESHOLD_KEYS:
        ind = indicators[name]
        t = thresholds[name]
        if ind.estimate is None or ind.ci_low is None or ind.ci_high is None:
            continue
        if not (ind.ci_low <= t <= ind.ci_high):
            continue
        names.append(name)
        k = _settle(ind.interval_at, ind.estimate, t) if ind.interval_at is not None else None
        extra = None if k is None else k - 1
        d: dict[str, Any] = {
            "threshold": t, "estimate": ind.estimate, "ci_low": ind.ci_low, "ci_high": ind.ci_high,
            "sample_factor": None if k is None else round(k, 3),
        }
        kind, per_households, per_groups = {
            "wrongful_exit_rate": ("exited households (registered sample)", exited_hh, 0),
            "missed_rate": ("census groups (non-registered households)", census_households, n_groups),
            "approval_rate": ("surveyed households (both instruments, in proportion)", ind.n_households, 0),
            "composite_incidence": ("exited households and census groups, in proportion", exited_hh, n_groups),
        }[name]
        d["kind"] = kind
        what_zh = what_en = None
        if extra is not None:
            d["extra_households"] = math.ceil(extra * per_households)
            hh_zh, hh_en = HOUSEHOLD_WORDS[name]
            what_zh, what_en = f"约 {d['extra_households']} 户{hh_zh}", f"about {d['extra_households']} more {hh_en}"
            if per_groups:
                d["extra_census_groups"] = math.ceil(extra * per_groups)
                g = d["extra_census_groups"]
                if name == "missed_rate":  # the groups are what is sampled; their households follow
                    what_zh = f"约 {g} 个普查村民小组（{what_zh}）"
                    what_en = f"about {g} more census groups ({what_en.replace('more ', '')})"
                else:
                    what_zh += f"和 {g} 个普查村民小组"
                    what_en += f" and {g} more census groups"
        else:
            d["extra_households"] = None
            if per_groups:
                d["extra_census_groups"] = None
        head_zh = (f"注意：{ZH[name]}的 95% 置信区间 [{_pct(ind.ci_low)}, {_pct(ind.ci_high)}] 包含标准 {_pct(t)}，"
                   "按抽样误差尚不能判定是否达标")
        head_en = (f"Note: the 95% interval of the {EN[name]}, [{_pct(ind.ci_low)}, {_pct(ind.ci_high)}], "
                   f"contains the {_pct(t)} standard: sampling error alone cannot settle it")
        if what_zh is None:
            d["note_zh"] = head_zh + "；在当前估计值下增加样本也无法判定"
            d["note_en"] = head_en + "; at the current estimate no feasible extra sample would settle it"
        else:
            d["note_zh"] = head_zh + f"；按当前估计值和设计效应，需再调查{what_zh}"
            d["note_en"] = head_en + f"; at the current estimate and design effect it would take {what_en}"
        detail[name] = d
    return names, detail
