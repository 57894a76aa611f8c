"""The exit decision: thresholds, pass / rectify / fail with reasons, and indicators too close to call.

Seed 001 §三(一)(二) and §六(五): a composite incidence above the threshold (2%; 3% in western
provinces and Yanbian) means the county may not exit; a reference indicator that fails (错退率 ≥ 2%,
漏评率 ≥ 2%, 认可度 ≤ 90%) means rectification by a deadline and a re-check (复核). The decision is
pass/fail against the standard — a 达标赛, never a ranking (seed 003).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import polars as pl

REGION_THRESHOLDS = {"central": 0.02, "western": 0.03}
DEFAULT_COMPOSITE = 0.02
DEFAULT_REFERENCE = {"wrongful_exit_rate": 0.02, "missed_rate": 0.02, "approval_rate": 0.90}
THRESHOLD_KEYS = ("composite_incidence", "wrongful_exit_rate", "missed_rate", "approval_rate")

HOUSEHOLD_WORDS = {
    "wrongful_exit_rate": ("脱贫户", "exited households"),
    "missed_rate": ("非建档立卡户", "non-registered households"),
    "approval_rate": ("调查户", "surveyed households"),
    "composite_incidence": ("调查户（脱贫户和非建档立卡户）", "surveyed households (exited and non-registered)"),
}
KINDS = {
    "wrongful_exit_rate": "exited households (registered sample)",
    "missed_rate": "census groups (non-registered households) and roster screening of more villages",
    "approval_rate": "surveyed households (both instruments, in proportion)",
    "composite_incidence": "exited households and census groups, in proportion",
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
                       row: dict[str, Any] | None = None, province: str | None = None) -> tuple[dict[str, float], str]:
    """Thresholds of a county: ``counties.poverty_threshold``, else by region (central 2%, western 3%;
    Yanbian prefecture 3%), else 2%; reference indicators 2%, 2%, 90%; ``overrides`` win. Returns
    the thresholds and where the composite one came from (counties / region / yanbian / default /
    override). ``row``: the county's row of ``registry.counties`` when the caller has it already;
    else it is looked up by name (and ``province`` when given: same-named counties of two provinces
    have their own rows)."""
    th = {"composite_incidence": DEFAULT_COMPOSITE, **DEFAULT_REFERENCE}
    source = "default"
    counties = getattr(registry, "counties", None)
    if row is None and counties is not None and counties.height and "county" in counties.columns:
        sel = counties.filter(pl.col("county") == county)
        if province is not None and "province" in sel.columns:
            same = sel.filter(pl.col("province") == province)
            sel = same if same.height else sel.filter(pl.col("province").is_null())
        row = sel.row(0, named=True) if sel.height == 1 or (sel.height and province is None) else None
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


def near_threshold(indicators: dict[str, Any], thresholds: dict[str, float], *, frames: dict[str, float] | None = None
                   ) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """Indicators whose 95% interval contains their threshold, and for each the smallest attainable
    extra sample that would bring the interval clear of it at the current estimate and design effect
    (:mod:`.growth`): more households in the sampled villages, more villages, or every village — or
    that even a census would not settle it. ``frames``: the county's villages, exited households,
    village groups and households (nan when unknown), for the notes."""
    from .growth import settle

    frames = frames or {}
    names: list[str] = []
    detail: dict[str, dict[str, Any]] = {}
    for name in THRESHOLD_KEYS:
        ind = indicators[name]
        t = thresholds[name]
        if ind.estimate is None or ind.ci_low is None or ind.ci_high is None:
            continue
        if not (ind.ci_low <= t <= ind.ci_high):
            continue
        names.append(name)
        g = getattr(ind, "growth", None)
        d: dict[str, Any] = {"threshold": t, "estimate": ind.estimate, "ci_low": ind.ci_low, "ci_high": ind.ci_high,
                             "kind": KINDS[name]}
        head_zh = (f"注意：{ZH[name]}的 95% 置信区间 [{_pct(ind.ci_low)}, {_pct(ind.ci_high)}] 包含标准 {_pct(t)}，"
                   "按抽样误差尚不能判定是否达标")
        head_en = (f"Note: the 95% interval of the {EN[name]}, [{_pct(ind.ci_low)}, {_pct(ind.ci_high)}], "
                   f"contains the {_pct(t)} standard: sampling error alone cannot settle it")
        if g is None:
            d.update(mode=None, attainable=None, extra_households=None, sample_factor=None)
            d["note_zh"], d["note_en"] = head_zh + "。", head_en + "."
            detail[name] = d
            continue
        s = settle(g, t)
        d.update(mode=s.mode, attainable=s.mode != "never", village_factor=round(s.kv, 3),
                 household_factor=round(s.kh, 3), sample_factor=None if s.mode == "never" else round(s.kv * s.kh, 3))
        zh, en = _advice(name, g, s, frames, d)
        d["note_zh"], d["note_en"] = head_zh + "；" + zh, head_en + "; " + en
        detail[name] = d
    return names, detail


def _advice(name: str, g: Any, s: Any, frames: dict[str, float], d: dict[str, Any]) -> tuple[str, str]:
    """The words of one settlement (and its numbers into ``d``)."""
    if s.mode == "never":
        d.update(extra_households=None, extra_villages=None)
        if name in ("missed_rate", "composite_incidence"):
            d["extra_census_groups"] = None
        return ("在当前估计值下，即使普查也无法判定", "even a census would not settle it at the current estimate")
    hh = max(math.ceil(g.surveyed(s.kv, s.kh) - g.surveyed(1, 1) - 1e-9), 0)
    villages = max(math.ceil((s.kv - 1) * g.villages - 1e-9), 0)
    groups = max(math.ceil(g.groups(s.kv, s.kh) - g.groups(1, 1) - 1e-9), 0)
    d.update(extra_households=hh, extra_villages=villages)
    uses_groups = name in ("missed_rate", "composite_incidence")
    if uses_groups:
        d["extra_census_groups"] = groups
    hz, he = HOUSEHOLD_WORDS[name]
    if name == "missed_rate":
        what_zh, what_en = f"约 {groups} 个普查村民小组（约 {hh} 户{hz}）", f"about {groups} more census groups ({hh} {he})"
    elif name == "composite_incidence":
        exited = max(hh - _census_households(g, s), 0)
        what_zh = f"约 {exited} 户脱贫户和 {groups} 个普查村民小组"
        what_en = f"about {exited} more exited households and {groups} more census groups"
    else:
        what_zh, what_en = f"约 {hh} 户{hz}", f"about {hh} more {he}"
    if s.mode == "households":
        if g.kh_max > 1 and s.kh >= 0.9 * g.kh_max:
            # the extra households are (nearly) all the sampled villages hold: say it is a census of them
            d["census_of_sampled_villages"] = True
            return (f"按当前估计值和设计效应，需在已抽中的村内再调查{what_zh}，几乎相当于普查这些村的全部农户",
                    f"at the current estimate and design effect it would take {what_en} in the villages already "
                    "drawn: practically every household there")
        return (f"按当前估计值和设计效应，需在已抽中的村内再调查{what_zh}",
                f"at the current estimate and design effect it would take {what_en} in the villages already drawn")
    total_v = frames.get("villages", float("nan"))
    if s.mode == "villages":
        of = f"（全县共 {int(total_v)} 个行政村）" if math.isfinite(total_v) else ""
        of_en = f" (the county has {int(total_v)})" if math.isfinite(total_v) else ""
        return (f"已抽中村内的户数不足以判定；需再抽约 {villages} 个行政村{of}，按现有每村样本量即{what_zh}",
                f"more households in the villages already drawn would not do; it needs about {villages} more "
                f"villages{of_en}, i.e. at the current households per village {what_en}")
    frame = frames.get("exited_households" if name == "wrongful_exit_rate" else "households", float("nan"))
    share_zh = share_en = ""
    if math.isfinite(frame) and frame > 0 and name in ("wrongful_exit_rate", "approval_rate"):
        total = g.surveyed(s.kv, s.kh)
        if total >= 0.995 * frame:
            d["census_of"] = int(frame)
            return (f"只有对全县全部 {int(frame)} 户{hz}进行普查（再调查约 {hh} 户）才能判定",
                    f"only a census of all the county's {int(frame)} {he} (about {hh} more) would settle it")
        share_zh = f"，共约 {round(total)} 户，占全县 {int(frame)} 户的 {100 * total / frame:.0f}%"
        share_en = f", about {round(total)} of the county's {int(frame)} ({100 * total / frame:.0f}%)"
    return (f"需调查全县全部行政村并增加每村户数（{what_zh}{share_zh}），几乎相当于普查",
            f"it would take every village of the county and more households in each ({what_en}{share_en}): "
            "practically a census")


def _census_households(g: Any, s: Any) -> int:
    """Extra non-registered households of a composite's settlement (its missed-rate part)."""
    parts = getattr(g, "parts", [])
    if len(parts) < 2:
        return 0
    m = parts[1][1]
    return max(math.ceil(m.surveyed(s.kv, s.kh) - m.surveyed(1, 1) - 1e-9), 0)
