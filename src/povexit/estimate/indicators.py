"""The four indicators (三率一度) of a poverty-exit assessment, as the documents define them and as
design-based estimates with 95% intervals; the exit decision (see :mod:`.decision`).

Seed 001 §三(一)(二), seed 003 看点三, DESIGN.md §1.6; the statistics are in docs/statistics.md.

- 错退率 (wrongful_exit_rate) = wrongful-exit persons / persons of the sampled exited households:
  a ratio estimator over the exited households of the registered instrument.
- 漏评率 (missed_rate) = missed persons / non-registered agricultural population of the census
  groups: a ratio estimator over the census groups (their missed persons from the general
  households surveyed there, over the group's non-registered population from ``groups.csv``).
  Missed persons found outside the census groups (roster hits: 大数据比对) count in the official
  figure, as the documents do, but not in the design-based estimate — they are reported apart.
- 群众认可度 (approval_rate) = approving households / surveyed households with an answer.
- 综合贫困发生率 (composite_incidence) = (U + 错退率·E + 漏评率·N) / A with the registry's
  not-yet-exited persons U (poor and returned), exited persons E, agricultural population A and
  N = A − U − E; its variance by the delta method with the covariance of the two rates from joint
  linearisation over the shared village PSUs.

Every county is a group of one pass over the whole sample (``svy.Design(by=county)``), so 832
counties cost about as much as one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from .. import errors as E
from ..contracts import CONTRACT_VERSION
from ..errors import estimate as EE
from . import svy
from .decision import DEFAULT_REFERENCE, Decision, decide, near_threshold, resolve_thresholds
from .inputs import SampleTables, normalise_cases, normalise_findings, normalise_sample

Stage = Literal["provisional", "final"]
FpcRule = Literal["auto", "yes", "no"]
Basis = Literal["official", "estimate"]

INDICATORS = ("wrongful_exit_rate", "missed_rate", "approval_rate", "composite_incidence")
EXTRA_INDICATORS = ("exclusion_error", "identification_accuracy", "exit_accuracy", "missed_rate_with_rosters",
                    "approval_rate_cadres")
NAMES = {
    "wrongful_exit_rate": ("脱贫人口错退率", "wrongful exit rate"),
    "missed_rate": ("贫困人口漏评率", "missed poor rate"),
    "approval_rate": ("群众认可度", "approval rate"),
    "composite_incidence": ("综合贫困发生率", "composite poverty incidence"),
    "exclusion_error": ("排斥误差（漏评人口占应识别贫困人口比重）", "exclusion error"),
    "identification_accuracy": ("识别准确率", "identification accuracy"),
    "exit_accuracy": ("退出准确率", "exit accuracy"),
    "missed_rate_with_rosters": ("漏评率（部门名单比对与普查合计估计）", "missed rate, rosters and census combined"),
    "approval_rate_cadres": ("干部认可度", "cadre approval rate"),
}
CERTAINTY_P = 1 - 1e-9


@dataclass
class Indicator:
    """One indicator of one county: the documents' plain ratio and the design-based estimate."""

    official: float | None
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    ci_method: str
    deff: float | None
    n_households: int
    n_persons: int
    n_psu: int
    extra: dict[str, Any] = field(default_factory=dict)
    #: the interval recomputed at a sample k times as large (same estimate and design effect)
    interval_at: Callable[[float], tuple[float, float]] | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d = {
            "official": _num(self.official), "estimate": _num(self.estimate), "se": _num(self.se),
            "ci_low": _num(self.ci_low), "ci_high": _num(self.ci_high), "ci_method": self.ci_method,
            "deff": _num(self.deff), "n_households": int(self.n_households), "n_persons": int(self.n_persons),
            "n_psu": int(self.n_psu),
        }
        d.update({k: (_num(v) if isinstance(v, float | np.floating) else v) for k, v in self.extra.items()})
        return d


def _num(v: Any) -> float | None:
    if v is None:
        return None
    f = float(v)
    return f if math.isfinite(f) else None


@dataclass
class CountyEstimates:
    """Indicators, thresholds, decision and diagnostics of one county (``to_dict()`` = contract §5)."""

    county: str
    stage: Stage
    indicators: dict[str, Indicator]
    thresholds: dict[str, float]
    decision: Decision
    registry_totals: dict[str, float]
    design: dict[str, Any]
    counts: dict[str, int]
    covariance: dict[str, float | None]
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (zh, en)
    province: str | None = None
    region: str | None = None

    @property
    def near_threshold(self) -> list[str]:
        return list(self.decision.near_threshold)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        from ..errors import current_lang

        lang = lang or current_lang()
        dec = self.decision
        return {
            "contract": CONTRACT_VERSION,
            "county": self.county,
            "province": self.province,
            "region": self.region,
            "stage": self.stage,
            "stage_note": _stage_note(self.stage, self.counts, lang),
            "indicators": {k: v.to_dict() for k, v in self.indicators.items()},
            "thresholds": dict(self.thresholds),
            "decision": dec.decision,
            "decision_basis": dec.basis,
            "reasons": dec.reasons_en if lang == "en" else dec.reasons_zh,
            "reasons_zh": dec.reasons_zh,
            "reasons_en": dec.reasons_en,
            "failing_reference": list(dec.failing_reference),
            "recheck_required": dec.decision == "rectify",
            "near_threshold": list(dec.near_threshold),
            "near_threshold_detail": dec.near_detail,
            "registry_totals": self.registry_totals,
            "design": self.design,
            "counts": self.counts,
            "covariance": self.covariance,
            "warnings": [en if lang == "en" else zh for zh, en in self.warnings],
        }


def _stage_note(stage: str, counts: dict[str, int], lang: str) -> str:
    if stage == "provisional":
        n = counts.get("unverified_findings", 0)
        return (f"Provisional: counts {n} suspected problem(s) not yet confirmed by verification (五核)"
                if lang == "en" else f"临时结果：计入 {n} 个尚未核实确认的疑似问题")
    n = counts.get("pending_cases", 0)
    return (f"Final: counts only problems confirmed by verification; {n} case(s) still pending are not counted"
            if lang == "en" else f"最终结果：只计入核实确认的问题；{n} 个待核案件未计入")


# ---- building the design rows ---------------------------------------------------------------------


def _county_of_villages(sample: SampleTables) -> pl.DataFrame:
    v = sample.villages.select("village_id", "county", "stratum", "p_village", "fpc_village")
    if v["county"].is_null().any():
        v = v.with_columns(pl.col("county").fill_null(""))
    return v.unique("village_id", keep="first")


def _select_counties(sample: SampleTables, county: str | Sequence[str] | None, all_counties: bool) -> list[str]:
    present = sorted(c for c in sample.villages["county"].unique().to_list() if c is not None) or [""]
    if all_counties:
        return present
    if county is None:
        if len(present) > 1:
            raise E.PovexitError(EE.COUNTY_AMBIGUOUS(value="、".join(present[:10])))
        return present
    wanted = [county] if isinstance(county, str) else list(county)
    for c in wanted:
        if c not in present:
            raise E.PovexitError(EE.COUNTY_NOT_IN_SAMPLE(value=c, file=str(sample.source or "villages.csv"),
                                                         counties="、".join(present[:10])))
    return wanted


def _counted(findings: pl.DataFrame, cases: pl.DataFrame | None, stage: Stage) -> pl.DataFrame:
    """Add ``count_wrongful`` / ``count_missed`` (booleans): what this stage counts.

    provisional: every finding the adjudication flagged, unless verification dismissed it;
    final: only cases confirmed by verification (even one the adjudication did not flag)."""
    if cases is None:
        return findings.with_columns(count_wrongful=pl.col("wrongful_exit"), count_missed=pl.col("missed"))
    outcome = (
        cases.group_by("household_id", "kind")
        .agg(confirmed=(pl.col("outcome") == "confirmed").any(), dismissed=(pl.col("outcome") == "dismissed").all())
    )
    out = findings
    for kind, flag, col in (("wrongful_exit", "wrongful_exit", "count_wrongful"), ("missed", "missed", "count_missed")):
        o = outcome.filter(pl.col("kind") == kind).select(
            "household_id", pl.col("confirmed").alias(f"_c_{kind}"), pl.col("dismissed").alias(f"_d_{kind}"))
        out = out.join(o, on="household_id", how="left")
        if stage == "final":
            expr = pl.col(f"_c_{kind}").fill_null(False)
        else:
            expr = pl.col(flag) & ~pl.col(f"_d_{kind}").fill_null(False)
        out = out.with_columns(expr.alias(col)).drop(f"_c_{kind}", f"_d_{kind}")
    return out


def _registry_lookup(registry: Any) -> pl.DataFrame:
    hh = getattr(registry, "households", None)
    if hh is None or hh.height == 0 or "status" not in hh.columns:
        return pl.DataFrame(schema={"household_id": pl.String, "registry_status": pl.String})
    return hh.select(pl.col("household_id").cast(pl.String), pl.col("status").cast(pl.String).alias("registry_status")).unique(
        "household_id", keep="first")


def _registry_totals(registry: Any, counties: list[str]) -> dict[str, dict[str, float]]:
    """A, U, E per county from the registry (villages' agricultural population; persons by status)."""
    villages = registry.villages.filter(pl.col("county").is_in(counties))
    out: dict[str, dict[str, float]] = {}
    by_status: dict[str, dict[str, float]] = {}
    if all(c in villages.columns for c in ("poor_persons", "exited_persons", "returned_persons")):
        agg = villages.group_by("county").agg(pl.col(c).fill_null(0).sum() for c in ("poor_persons", "exited_persons", "returned_persons"))
        for r in agg.iter_rows(named=True):
            by_status[r["county"]] = {"poor": r["poor_persons"], "exited": r["exited_persons"], "returned": r["returned_persons"]}
    else:
        hh = registry.households
        if hh is not None and hh.height and "persons" in hh.columns:
            agg = hh.filter(pl.col("county").is_in(counties)).group_by("county", "status").agg(pl.col("persons").sum())
        else:
            agg = registry.persons.filter(pl.col("county").is_in(counties)).group_by("county", "status").agg(persons=pl.len())
        for r in agg.iter_rows(named=True):
            by_status.setdefault(r["county"], {"poor": 0, "exited": 0, "returned": 0})[r["status"]] = float(r["persons"])
    agri = dict(villages.group_by("county").agg(pl.col("agricultural_population").fill_null(0).sum()).iter_rows())
    for c in counties:
        if c not in agri:
            raise E.PovexitError(EE.COUNTY_NOT_IN_REGISTRY(value=c))
        s = by_status.get(c, {"poor": 0, "exited": 0, "returned": 0})
        poor, exited, returned = (float(s.get(k, 0) or 0) for k in ("poor", "exited", "returned"))
        a = float(agri[c])
        out[c] = {
            "agricultural_population": a, "poor_persons": poor, "returned_persons": returned,
            "not_exited_persons": poor + returned, "exited_persons": exited,
            "registered_persons": poor + returned + exited,
            "nonregistered_population": max(a - poor - returned - exited, 0.0),
        }
    return out


@dataclass
class _Rows:
    frame: pl.DataFrame  # one row per design unit (households and census groups)
    warnings: dict[str, list[tuple[str, str]]]
    outside: pl.DataFrame  # per county: missed persons/households found outside census groups


def _build_rows(sample: SampleTables, findings: pl.DataFrame, registry: Any, counties: list[str],
                fpc: FpcRule) -> _Rows:
    vill = _county_of_villages(sample).filter(pl.col("county").is_in(counties))
    warnings: dict[str, list[tuple[str, str]]] = {c: [] for c in counties}
    hh = sample.households
    if sample.reserve is not None:
        hh = pl.concat([hh, sample.reserve.select(hh.columns)], how="vertical_relaxed").unique("household_id", keep="first")
    hh = hh.select("household_id", pl.col("village_id").alias("_s_village_id"), pl.col("group").alias("_s_group"),
                   "p_household", "weight", "fpc_household", "source")
    f = findings.join(hh, on="household_id", how="left")
    f = f.with_columns(
        village_id=pl.coalesce("village_id", "_s_village_id"),
        group=pl.coalesce("group", "_s_group"),
    ).drop("_s_village_id", "_s_group")
    f = f.join(vill, on="village_id", how="left")
    # findings of other counties (a national sample) are simply not ours; unknown households are errors
    unknown = f.filter(pl.col("county").is_null())
    groups = sample.groups.join(vill.select("village_id", "county"), on="village_id", how="inner", suffix="_v")
    groups = groups.with_columns(county=pl.col("county_v")).drop("county_v")
    if unknown.height:
        known_villages = set(_county_of_villages(sample)["village_id"].to_list())
        bad = unknown.filter(~pl.col("village_id").is_in(list(known_villages)) | pl.col("village_id").is_null())
        if bad.height:
            row = bad.row(0, named=True)
            if row["village_id"] is not None and row["p_household"] is not None:
                raise E.PovexitError(EE.VILLAGE_NOT_IN_SAMPLE(value=row["village_id"]))
            raise E.PovexitError(EE.HOUSEHOLD_NOT_IN_SAMPLE(value=row["household_id"]))
    f = f.filter(pl.col("county").is_not_null())
    # census membership of general households
    census_keys = groups.select("village_id", "group", pl.lit(True).alias("_census"))
    f = f.join(census_keys, on=["village_id", "group"], how="left").with_columns(pl.col("_census").fill_null(False))
    is_reg = pl.col("instrument") == "registered"
    is_roster = (pl.col("source") == "roster") | (pl.col("source").is_null() & pl.col("household_id").str.starts_with("R"))
    f = f.with_columns(
        sub=pl.when(is_reg).then(pl.lit("registered"))
        .when(pl.col("_census")).then(pl.lit("census"))
        .when(is_roster).then(pl.lit("roster"))
        .when(pl.col("p_household").is_not_null()).then(pl.lit("general"))
        .otherwise(pl.lit(None)),
    )
    lost = f.filter(pl.col("sub").is_null())
    if lost.height:
        raise E.PovexitError(EE.HOUSEHOLD_NOT_IN_SAMPLE(value=lost["household_id"][0]))
    # the registry's status of each household; the adjudication's own registry_status column as fallback
    lookup = _registry_lookup(registry).rename({"registry_status": "_reg_status"})
    f = f.join(lookup, on="household_id", how="left")
    fallback = pl.col("registry_status") if "registry_status" in f.columns else pl.lit(None, dtype=pl.String)
    f = f.with_columns(pl.coalesce("_reg_status", fallback).alias("registry_status")).drop("_reg_status")
    # group-level design information for census units
    gfr = _group_frames(registry, groups)
    groups = groups.join(gfr, on=["village_id"], how="left")
    census_hh = f.filter(pl.col("sub") == "census").group_by("village_id", "group").agg(
        _n_hh=pl.len(), _missed=pl.col("missed_persons").filter(pl.col("count_missed") & (pl.col("status") != "cannot_judge").fill_null(True)).sum())
    groups = groups.join(census_hh, on=["village_id", "group"], how="left").with_columns(
        pl.col("_n_hh").fill_null(0), pl.col("_missed").fill_null(0.0))
    for r in groups.filter(pl.col("_n_hh") == 0).iter_rows(named=True):
        warnings[r["county"]].append((
            f"普查村民小组 {r['village_id']}/{r['group']} 没有调查户记录：按未发现漏评计入",
            f"Census group {r['village_id']}/{r['group']} has no surveyed households: counted as no missed persons found"))
    if groups["p_group"].is_null().any():
        for c in groups.filter(pl.col("p_group").is_null())["county"].unique().to_list():
            warnings[c].append(("样本 groups.csv 缺少 p_group：普查组按村内必选处理",
                                "The sample's groups.csv has no p_group: census groups taken as certain within their village"))
    groups = groups.with_columns(pl.col("p_group").fill_null(1.0))
    p_group = groups.select("village_id", "group", "p_group", "_g_frame")
    f = f.join(p_group, on=["village_id", "group"], how="left")

    judged = (pl.col("status") != "cannot_judge").fill_null(True)
    exited = is_reg & (pl.col("registry_status").fill_null("exited") == "exited")
    missed_found = pl.when(pl.col("count_missed") & judged & ~is_reg).then(
        pl.when(pl.col("missed_persons") > 0).then(pl.col("missed_persons")).otherwise(pl.col("persons"))).otherwise(0.0)
    f = f.with_columns(_roster_hit=is_roster & ~is_reg)
    hh_rows = f.select(
        "county", "stratum", "village_id", "sub", "p_village", "fpc_village",
        unit=pl.when(pl.col("sub") == "census").then(pl.lit("G:") + pl.col("group").fill_null(""))
        .otherwise(pl.col("household_id")),
        unit3=pl.col("household_id"),
        weight=pl.when(pl.col("sub") == "census").then(1.0 / (pl.col("p_village") * pl.col("p_group")))
        .when(pl.col("weight").is_not_null()).then(pl.col("weight"))
        .when(pl.col("p_household").is_not_null()).then(1.0 / (pl.col("p_village") * pl.col("p_household")))
        .otherwise(1.0 / pl.col("p_village")),
        p_unit=pl.when(pl.col("sub") == "census").then(pl.col("p_group")).otherwise(pl.col("p_household")),
        fpc_unit=pl.when(pl.col("sub") == "census").then(pl.col("_g_frame")).otherwise(pl.col("fpc_household")),
        is_exited=exited & judged,
        y_w=pl.when(exited & judged & pl.col("count_wrongful"))
        .then(pl.when(pl.col("wrongful_exit_persons") > 0).then(pl.col("wrongful_exit_persons")).otherwise(pl.col("persons")))
        .otherwise(0.0),
        x_w=pl.when(exited & judged).then(pl.col("persons").fill_null(0.0)).otherwise(0.0),
        is_census=pl.lit(False),
        y_m=pl.lit(0.0), x_m=pl.lit(0.0),
        is_hh=pl.lit(True),
        approves=pl.col("approves").cast(pl.Float64),
        persons=pl.col("persons").fill_null(0.0),
        missed_outside=pl.when(pl.col("sub").is_in(["roster", "general"])).then(missed_found).otherwise(0.0),
        # the roster-and-census estimator of all missed persons: roster hits (a census of the rosters in
        # the sampled villages, weight 1/p_village) plus the census households not on a roster
        is_mr=pl.col("_roster_hit") | (pl.col("sub") == "census"),
        y_mr=missed_found,
        w_mr=pl.when(pl.col("_roster_hit")).then(1.0 / pl.col("p_village"))
        .when(pl.col("sub") == "census").then(1.0 / (pl.col("p_village") * pl.col("p_group"))).otherwise(0.0),
        flagged=(pl.col("wrongful_exit") & is_reg) | (pl.col("missed") & ~is_reg),
        counted=(pl.col("count_wrongful") & is_reg) | (pl.col("count_missed") & ~is_reg),
        cannot_judge=~judged,
    )
    group_rows = groups.join(vill.select("village_id", "stratum", "p_village", "fpc_village"), on="village_id", how="left").select(
        "county", "stratum", "village_id", sub=pl.lit("census"), p_village="p_village", fpc_village="fpc_village",
        unit=pl.lit("G:") + pl.col("group").fill_null(""), unit3=pl.lit("#group-total:") + pl.col("group").fill_null(""),
        weight=1.0 / (pl.col("p_village") * pl.col("p_group")), p_unit=pl.col("p_group"), fpc_unit=pl.col("_g_frame"),
        is_exited=pl.lit(False), y_w=pl.lit(0.0), x_w=pl.lit(0.0),
        is_census=pl.lit(True), y_m=pl.col("_missed").cast(pl.Float64),
        x_m=pl.col("nonregistered_population").fill_null(0.0),
        is_hh=pl.lit(False), approves=pl.lit(None, dtype=pl.Float64), persons=pl.lit(0.0),
        missed_outside=pl.lit(0.0), is_mr=pl.lit(False), y_mr=pl.lit(0.0), w_mr=pl.lit(0.0),
        flagged=pl.lit(False), counted=pl.lit(False), cannot_judge=pl.lit(False),
    )
    frame = pl.concat([hh_rows, group_rows], how="vertical_relaxed")
    bad_w = frame.filter(~pl.col("weight").is_finite() | (pl.col("weight") <= 0))
    if bad_w.height:
        r = bad_w.row(0, named=True)
        raise E.PovexitError(EE.DESIGN_INVALID(reason=f"village {r['village_id']}: weight {r['weight']} "
                                               f"(p_village and p_household / p_group must be in (0, 1])"))
    outside = hh_rows.filter(pl.col("missed_outside") > 0).group_by("county").agg(
        missed_outside_persons=pl.col("missed_outside").sum(), missed_outside_households=pl.len())
    return _Rows(_design_columns(frame, fpc), warnings, outside)


def _group_frames(registry: Any, groups: pl.DataFrame) -> pl.DataFrame:
    """Number of village groups of each sampled village in the registry frame (second-stage fpc of
    census groups); null when the registry has no groups table."""
    rg = getattr(registry, "groups", None)
    if rg is None or rg.height == 0 or "village_id" not in rg.columns:
        return pl.DataFrame(schema={"village_id": pl.String, "_g_frame": pl.Float64})
    return rg.group_by("village_id").agg(_g_frame=pl.len().cast(pl.Float64))


def _design_columns(frame: pl.DataFrame, fpc: FpcRule) -> pl.DataFrame:
    """Strata, clusters and fpc of the three stages (village → household or census group → census
    household), with certainty villages (p_village = 1) self-representing: their units become PSUs of
    a stratum of their own, so their within-village sampling variance is counted."""
    cert = pl.col("p_village") >= CERTAINTY_P
    frame = frame.with_columns(
        _n3=pl.len().over("county", "village_id", "sub", "unit").cast(pl.Float64),
        _n2=pl.col("unit").n_unique().over("county", "village_id", "sub").cast(pl.Float64),
        _n1=pl.col("village_id").n_unique().over("county", "stratum").cast(pl.Float64),
    )
    if fpc == "auto":  # an fpc is used only where the probabilities show SRS without replacement
        ok1 = pl.col("fpc_village").is_not_null() & ((pl.col("p_village") - pl.col("_n1") / pl.col("fpc_village")).abs() < 1e-6)
        ok2 = pl.col("fpc_unit").is_not_null() & ((pl.col("p_unit") - pl.col("_n2") / pl.col("fpc_unit")).abs() < 1e-6)
        f1 = pl.when(ok1).then(pl.col("fpc_village")).otherwise(float("inf"))
        f2 = pl.when(ok2).then(pl.col("fpc_unit")).otherwise(float("inf"))
    else:
        f1 = pl.col("fpc_village").fill_null(float("inf"))
        f2 = pl.col("fpc_unit").fill_null(float("inf"))
    frame = frame.with_columns(
        s1=pl.when(cert).then(pl.col("county") + "|cert|" + pl.col("village_id") + "|" + pl.col("sub"))
        .otherwise(pl.col("county") + "|" + pl.col("stratum").fill_null("")),
        id1=pl.when(cert).then(pl.col("unit")).otherwise(pl.col("village_id")),
        id2=pl.when(cert).then(pl.col("unit3")).otherwise(pl.col("unit")),
        id3=pl.col("unit3"),
        fpc1=pl.when(cert).then(f2).otherwise(f1),
        fpc2=pl.when(cert).then(pl.col("_n3")).otherwise(f2),  # census (all households): f = 0
        fpc3=pl.when(cert).then(pl.lit(1.0)).otherwise(pl.col("_n3")),
        certainty=cert,
    )
    return frame.drop("_n1", "_n2", "_n3")


# ---- estimation -----------------------------------------------------------------------------------


@dataclass
class _Arrays:
    design: svy.Design
    frame: pl.DataFrame
    counties: list[str]
    code: dict[str, int]


def _design(frame: pl.DataFrame, counties: list[str], fpc: FpcRule, lonely_psu: svy.LonelyPSU) -> _Arrays:
    code = {c: i for i, c in enumerate(counties)}
    frame = frame.with_columns(_g=pl.col("county").replace_strict(code, return_dtype=pl.Int64)).sort("_g")

    def ids(col: str) -> np.ndarray:
        return frame.select(pl.col(col).rank("dense")).to_series().to_numpy().astype(np.int64)

    fpc1 = frame["fpc1"].to_numpy()
    if fpc == "no" or not np.isfinite(fpc1).any():
        # with replacement at the first stage: later stages do not enter the variance (ultimate cluster)
        design = svy.Design(frame["weight"].to_numpy(), ids=[ids("id1")], strata=ids("s1"),
                            by=frame["_g"].to_numpy(), lonely_psu=lonely_psu)
    else:
        sub = ids("sub")
        design = svy.Design(
            frame["weight"].to_numpy(),
            ids=[ids("id1"), ids("id2"), ids("id3")],
            strata=[ids("s1"), sub, sub],
            fpc=[fpc1, frame["fpc2"].to_numpy(), frame["fpc3"].to_numpy()],
            by=frame["_g"].to_numpy(),
            lonely_psu=lonely_psu,
        )
    # groups are numbered in order of appearance of the codes 0..k-1 (all counties present)
    return _Arrays(design, frame, counties, code)


def _rate(d: svy.Design, y: np.ndarray, x: np.ndarray | None, dom: np.ndarray, method: str,
          units: np.ndarray, *, rare: bool = False, sampled_units: bool = False) -> tuple[svy.Stat, svy.Interval]:
    """A rate and its interval under povexit's rules (docs/statistics.md, "Rare events"):

    - zero events: n* = the households of the domain (the units a verdict is made on), not persons;
    - for the rare-event rates (``rare``): the effective sample size never exceeds Kish's effective
      number of persons, (Σw·t)²/Σw²·t — the design effect is at least the weighting effect, which a
      handful of events cannot show — nor, for a sample of households (``sampled_units``), the number
      of households (NCHS: n_eff ≤ n, with n the households whose persons share a verdict).
    Both bounds are design constants, so they apply after the degrees-of-freedom adjustment."""
    units = np.maximum(units, 1)
    cap = None
    if rare:
        cap = svy.kish_n(d, x, dom)
        if sampled_units:
            cap = np.minimum(cap, units)
    st, iv = svy.ciprop(d, y, x, method, dom, deff=True, units=units, n_eff_max=cap)  # type: ignore[arg-type]
    st.extra["units"] = units
    if cap is not None:
        st.extra["n_eff_max"] = cap
    return st, iv


def estimate_many(
    registry: Any,
    sample: Any,
    findings: pl.DataFrame,
    cases: pl.DataFrame | None = None,
    *,
    counties: str | Sequence[str] | None = None,
    all_counties: bool = False,
    stage: Stage | None = None,
    ci_method: svy.CIMethod = "beta",
    thresholds: dict[str, float] | None = None,
    fpc: FpcRule = "auto",
    lonely_psu: svy.LonelyPSU = "adjust",
    basis: Basis = "official",
    cadres: pl.DataFrame | None = None,
) -> list[CountyEstimates]:
    """Indicators of several counties in one pass (see :func:`estimate_county`)."""
    if ci_method not in svy.CI_METHODS:
        raise E.PovexitError(EE.BAD_OPTION(column="ci_method", value=ci_method, allowed=", ".join(svy.CI_METHODS)))
    if fpc not in ("auto", "yes", "no"):
        raise E.PovexitError(EE.BAD_OPTION(column="fpc", value=fpc, allowed="auto, yes, no"))
    if lonely_psu not in svy.LONELY_PSU_RULES:
        raise E.PovexitError(EE.BAD_OPTION(column="lonely_psu", value=lonely_psu, allowed=", ".join(svy.LONELY_PSU_RULES)))
    if basis not in ("official", "estimate"):
        raise E.PovexitError(EE.BAD_OPTION(column="basis", value=basis, allowed="official, estimate"))
    sample = normalise_sample(sample)
    findings = normalise_findings(findings)
    if cases is not None:
        cases = normalise_cases(cases)
    if stage is None:
        stage = "final" if cases is not None else "provisional"
    if stage not in ("provisional", "final"):
        raise E.PovexitError(EE.BAD_OPTION(column="stage", value=stage, allowed="provisional, final"))
    if stage == "final" and cases is None:
        raise E.PovexitError(EE.FINAL_NEEDS_CASES())
    chosen = _select_counties(sample, counties, all_counties)
    totals = _registry_totals(registry, chosen)
    f = _counted(findings, cases, stage)
    rows = _build_rows(sample, f, registry, chosen, fpc)
    arr = _design(rows.frame, chosen, fpc, lonely_psu)
    return _compute(arr, rows, totals, registry, chosen, f, cases, stage, ci_method, thresholds, fpc,
                    lonely_psu, basis, cadres)


def _compute(arr: _Arrays, rows: _Rows, totals, registry, counties, findings, cases, stage, ci_method,
             thresholds, fpc, lonely_psu, basis, cadres) -> list[CountyEstimates]:
    d = arr.design
    fr = arr.frame

    def col(c: str) -> np.ndarray:
        return fr[c].to_numpy()

    is_exited = col("is_exited").astype(bool)
    is_census = col("is_census").astype(bool)
    is_hh = col("is_hh").astype(bool)
    approves = col("approves").astype(float)
    dom_a = is_hh & ~np.isnan(approves)
    y_w, x_w, y_m, x_m, persons = (col(c).astype(float) for c in ("y_w", "x_w", "y_m", "x_m", "persons"))
    gsum = d.group_sum
    census_hh = is_hh & (col("sub") == "census")
    # the units the findings are made on (households): NCHS rules for zero events and deff < 1
    rw, iw = _rate(d, y_w, x_w, is_exited, ci_method, gsum(is_exited * 1.0), rare=True, sampled_units=True)
    rm, im = _rate(d, y_m, x_m, is_census, ci_method, np.maximum(gsum(census_hh * 1.0), gsum(is_census * 1.0)),
                   rare=True)
    ra, ia = _rate(d, np.nan_to_num(approves), None, dom_a, ci_method, gsum(dom_a * 1.0))
    cov = svy.covariance(d, rw, rm)
    # missed persons from rosters and census together, as a share of the county's non-registered population
    is_mr = col("is_mr").astype(bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        y_mr = col("y_mr") * col("w_mr") / d.weights  # svytotal weights by the design weight
    t_mr = svy.svytotal(d, y_mr, is_mr)
    # everything per county, computed once for all counties
    per = {
        "xw": gsum(x_w * is_exited), "yw": gsum(y_w * is_exited), "n_w": gsum(is_exited * 1.0),
        "xm": gsum(x_m * is_census), "ym": gsum(y_m * is_census),
        "n_a": gsum(dom_a * 1.0), "yes_a": gsum(np.nan_to_num(approves) * dom_a), "p_a": gsum(persons * dom_a),
        "mr_hh": gsum(is_mr * 1.0), "mr_persons": gsum(persons * is_mr), "mr_found": gsum(col("y_mr") * is_mr),
        "psu_mr": d.n_psu(is_mr),
        "kish_mr": _kish(col("w_mr") * is_mr, persons * is_mr, gsum),
        "surveyed": gsum(is_hh * 1.0), "census_hh": gsum(census_hh * 1.0),
        "flagged": gsum(col("flagged") * 1.0), "counted": gsum(col("counted") * 1.0),
        "cannot": gsum(col("cannot_judge") * 1.0),
        "psu_w": d.n_psu(is_exited), "psu_m": d.n_psu(is_census), "psu_a": d.n_psu(dom_a),
        "psu_joint": d.n_psu(is_exited | is_census),
        "strata": d.n_strata(), "psu": d.n_psu(), "df": d.degf(),
    }
    lonely = d.lonely_strata()
    per["lonely"] = np.bincount(d._stages[0].stratum_group[lonely], minlength=d.n_groups)
    villages = fr.group_by("_g").agg(
        v_w=pl.col("village_id").filter(pl.col("is_exited")).n_unique(),
        v_m=pl.col("village_id").filter(pl.col("is_census")).n_unique(),
        v_a=pl.col("village_id").filter(pl.col("is_hh") & pl.col("approves").is_not_null()).n_unique(),
        v_all=pl.col("village_id").n_unique(),
        n_groups=pl.col("is_census").sum(),
        cert=pl.col("village_id").filter(pl.col("certainty")).n_unique(),
    )
    vmap = {r["_g"]: r for r in villages.iter_rows(named=True)}
    outside = {r["county"]: r for r in rows.outside.iter_rows(named=True)}
    pending = _pending(cases, fr)
    cadre_stats = _cadres(cadres, counties)
    info = _county_rows(registry)
    results = []
    for county in counties:
        k = arr.code[county]
        t = totals[county]
        A, U, Ereg = t["agricultural_population"], t["not_exited_persons"], t["exited_persons"]
        Nreg = t["nonregistered_population"]
        vm = vmap.get(k, {"v_w": 0, "v_m": 0, "v_a": 0, "v_all": 0, "n_groups": 0, "cert": 0})
        warn = list(rows.warnings.get(county, []))
        out_p = float(outside.get(county, {}).get("missed_outside_persons", 0.0) or 0.0)
        out_h = int(outside.get(county, {}).get("missed_outside_households", 0) or 0)
        # 错退率
        xw_tot, yw_tot = per["xw"][k], per["yw"][k]
        wr = _indicator(rw, iw, k, off=(yw_tot / xw_tot if xw_tot > 0 else None), n_hh=per["n_w"][k],
                        n_persons=xw_tot, n_psu=per["psu_w"][k], method=ci_method, extra={
                            "wrongful_persons": yw_tot, "n_villages": vm["v_w"], "df": int(rw.df[k])})
        if xw_tot <= 0:
            _blank(wr, "none: no exited households surveyed")
            warn.append(("没有调查到脱贫户：无法计算错退率", "No exited household was surveyed: no wrongful exit rate"))
        # 漏评率
        xm_tot, ym_tot = per["xm"][k], per["ym"][k]
        has_census = vm["n_groups"] > 0 and xm_tot > 0
        if has_census:
            mr = _indicator(rm, im, k, off=(ym_tot + out_p) / xm_tot, n_hh=per["census_hh"][k], n_persons=xm_tot,
                            n_psu=per["psu_m"][k], method=ci_method, extra={
                                "missed_persons": ym_tot + out_p, "missed_persons_census": ym_tot,
                                "missed_persons_outside_census": out_p, "missed_households_outside_census": out_h,
                                "n_groups": vm["n_groups"], "n_villages": vm["v_m"], "df": int(rm.df[k])})
        else:
            mr = Indicator(None, None, None, None, None, "none: no census groups", None, int(per["census_hh"][k]), 0, 0,
                           {"missed_persons_outside_census": out_p, "missed_households_outside_census": out_h,
                            "n_groups": 0})
            warn.append(("样本中没有普查村民小组：无法估计漏评率，综合贫困发生率中漏评人口按 0 计",
                         "The sample has no census groups: the missed rate cannot be estimated and the composite "
                         "counts no missed persons"))
        # 群众认可度
        n_a = per["n_a"][k]
        ar = _indicator(ra, ia, k, off=(per["yes_a"][k] / n_a if n_a else None), n_hh=n_a, n_persons=per["p_a"][k],
                        n_psu=per["psu_a"][k], method=ci_method,
                        extra={"approving_households": per["yes_a"][k], "n_villages": vm["v_a"], "df": int(ra.df[k])})
        if n_a == 0:
            _blank(ar, "none: no answers")
        # 综合贫困发生率
        comp = _composite(wr, mr, rw, rm, cov[k], k, A, U, Ereg, Nreg, has_census, per["psu_joint"][k])
        inds = {"wrongful_exit_rate": wr, "missed_rate": mr, "approval_rate": ar, "composite_incidence": comp}
        inds.update(_derived(wr, mr, Nreg, t["registered_persons"]))
        inds["missed_rate_with_rosters"] = _missed_with_rosters(t_mr, k, Nreg, per, vm, ci_method)
        if county in cadre_stats:
            inds["approval_rate_cadres"] = cadre_stats[county]
        th, th_source = resolve_thresholds(registry, county, thresholds, row=info.get(county))
        if th_source == "default":
            warn.append(("counties 表中没有该县的区域或综合贫困发生率标准：按中部地区 2% 判定",
                         "No region or threshold for this county in the counties table: the central 2% applies"))
        unverified = int(per["flagged"][k] - (per["counted"][k] if cases is not None else 0)) if stage == "provisional" else 0
        unverified = int(per["counted"][k]) if (stage == "provisional" and cases is None) else unverified
        dec = decide(inds, th, basis=basis, stage=stage, unverified=unverified)
        dec.near_threshold, dec.near_detail = near_threshold(inds, th, ci_method=ci_method, n_groups=vm["n_groups"],
                                                             census_households=int(per["census_hh"][k]))
        dec.add_near_reasons()
        if per["lonely"][k]:
            warn.append((f"{int(per['lonely'][k])} 个层只抽中一个村：按 lonely.psu=\"{lonely_psu}\" 规则计算方差",
                         f"{int(per['lonely'][k])} stratum/strata with a single sampled village: variance by the "
                         f"lonely-PSU rule \"{lonely_psu}\""))
        if per["cannot"][k]:
            warn.append((f"{int(per['cannot'][k])} 户无法判定（缺少必要答案），未计入错退率和漏评率",
                         f"{int(per['cannot'][k])} household(s) could not be judged (answers missing) and are left "
                         "out of the rates"))
        row = info.get(county) or {}
        results.append(CountyEstimates(
            county=county, stage=stage, indicators=inds, thresholds=th, decision=dec, registry_totals=t,
            design={
                "strata": int(per["strata"][k]), "psu": int(per["psu"][k]), "villages": int(vm["v_all"]),
                "df": int(per["df"][k]), "lonely_strata": int(per["lonely"][k]), "lonely_psu": lonely_psu,
                "fpc": fpc, "certainty_villages": int(vm["cert"]), "threshold_source": th_source,
                "variance": "Taylor linearisation; first stage with replacement unless an fpc applies",
            },
            counts={
                "surveyed_households": int(per["surveyed"][k]), "exited_households": int(per["n_w"][k]),
                "census_groups": int(vm["n_groups"]), "census_households": int(per["census_hh"][k]),
                "flagged_findings": int(per["flagged"][k]), "counted_findings": int(per["counted"][k]),
                "unverified_findings": unverified, "pending_cases": int(pending.get(county, 0)),
                "cannot_judge": int(per["cannot"][k]),
            },
            covariance={"wrongful_exit_rate,missed_rate": _num(cov[k, 0, 1]) if has_census else None},
            warnings=warn, province=row.get("province"), region=row.get("region"),
        ))
    return results


def _kish(w: np.ndarray, t: np.ndarray, gsum) -> np.ndarray:
    s1, s2 = gsum(w * t), gsum(w * w * t)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s2 > 0, s1 * s1 / s2, 0.0)


def _missed_with_rosters(t_mr: svy.Stat, k: int, Nreg: float, per: dict, vm: dict, method: str) -> Indicator:
    """漏评率 from rosters and census together: Horvitz–Thompson total of missed persons (roster hits
    weighted 1/p_village, census households not on a roster 1/(p_village·p_group)) over the registry's
    non-registered agricultural population. Not in the documents; not used by the decision."""
    if Nreg <= 0 or per["mr_hh"][k] == 0:
        return Indicator(None, None, None, None, None, "none: no roster hits or census households", None, 0, 0, 0,
                         {"definition": "HT total of missed persons (rosters + census) / non-registered population"})
    p = float(t_mr.estimate[k]) / Nreg
    var = float(t_mr.var[k]) / Nreg**2
    n, units, df = float(per["mr_persons"][k]), float(per["mr_hh"][k]), float(t_mr.df[k])
    m = "logit" if method == "likelihood" else method
    iv = svy.prop_interval(p, var, max(n, 2), df, m, units=max(units, 1),  # type: ignore[arg-type]
                           n_eff_max=float(per["kish_mr"][k]))
    return Indicator(
        None, p, math.sqrt(var), _clip01(float(iv.low[0])), _clip01(float(iv.high[0])), iv.method[0], None,
        int(units), int(n), int(per["psu_mr"][k]),
        {"definition": "Horvitz-Thompson total of missed persons (roster hits in sampled villages + census "
                       "households not on a roster) / non-registered agricultural population of the county",
         "missed_persons_found": float(per["mr_found"][k]), "estimated_missed_persons": p * Nreg, "df": int(df)},
    )


def _blank(ind: Indicator, why: str) -> None:
    ind.estimate = ind.se = ind.ci_low = ind.ci_high = ind.deff = None
    ind.ci_method = why
    ind.interval_at = None


def _pending(cases: pl.DataFrame | None, fr: pl.DataFrame) -> dict[str, int]:
    """Pending cases per county (cases of surveyed households whose verification is not finished)."""
    if cases is None:
        return {}
    hh = fr.filter(pl.col("is_hh")).select(pl.col("unit3").alias("household_id"), "county")
    pend = cases.filter(pl.col("outcome") == "pending").join(hh, on="household_id", how="inner")
    return dict(pend.group_by("county").agg(pl.len()).iter_rows())


def _clip01(v: float) -> float:
    return min(max(v, 0.0), 1.0) if math.isfinite(v) else float("nan")


def _indicator(stat: svy.Stat, iv: svy.Interval, k: int, *, off, n_hh, n_persons, n_psu, extra,
               method: str = "beta") -> Indicator:
    lo, hi = _clip01(float(iv.low[k])), _clip01(float(iv.high[k]))
    p, var, df = float(stat.estimate[k]), float(stat.var[k]), float(stat.df[k])
    n = float(stat.extra["n_persons"][k]) if "n_persons" in stat.extra else float(stat.n[k])
    units = float(stat.extra["units"][k]) if "units" in stat.extra else n
    cap = float(stat.extra["n_eff_max"][k]) if "n_eff_max" in stat.extra else None
    m = "logit" if method == "likelihood" else method

    def interval_at(factor: float) -> tuple[float, float]:
        lo_k, hi_k = svy.prop_interval_scalar(p, var / factor, n * factor, df, m, units=units * factor,
                                              n_eff_max=None if cap is None else cap * factor)
        return _clip01(lo_k), _clip01(hi_k)

    return Indicator(
        official=None if off is None else float(off), estimate=float(stat.estimate[k]), se=float(stat.se[k]),
        ci_low=lo, ci_high=hi, ci_method=iv.method[k], deff=None if stat.deff is None else _num(stat.deff[k]),
        n_households=int(n_hh), n_persons=round(float(n_persons)), n_psu=int(n_psu),
        extra={"n_eff": None if iv.n_eff is None else _num(iv.n_eff[k]), **extra},
        interval_at=interval_at,
    )


def mover(estimate: float, parts: list[tuple[float, float, float, float]], rho: float) -> tuple[float, float]:
    """MOVER (method of variance estimates recovery; Zou & Donner 2008, Newcombe 2011): the interval
    of a sum of weighted estimates from each part's own interval. ``parts``: (weight, estimate, low,
    high) with non-negative weights; ``rho``: the correlation of the two parts' estimates (two parts at
    most). Each part keeps its interval's asymmetry — a rare rate's long upper tail stays long."""
    lows = [w * (e - lo) for w, e, lo, _ in parts]
    highs = [w * (hi - e) for w, e, _, hi in parts]
    cross_l = 2 * rho * lows[0] * lows[1] if len(parts) == 2 else 0.0
    cross_h = 2 * rho * highs[0] * highs[1] if len(parts) == 2 else 0.0
    dl = math.sqrt(max(sum(x * x for x in lows) + cross_l, 0.0))
    dh = math.sqrt(max(sum(x * x for x in highs) + cross_h, 0.0))
    return estimate - dl, estimate + dh


def _composite(wr: Indicator, mr: Indicator, rw: svy.Stat, rm: svy.Stat, cov: np.ndarray, k: int, A: float, U: float,
               Ereg: float, Nreg: float, has_m: bool, n_psu: int) -> Indicator:
    """P = (U + E·r_w + N·r_m) / A with its delta-method variance (joint linearisation gives the
    covariance of the two rates) and a MOVER interval built from the two rates' own intervals."""
    n_m = Nreg if has_m else 0.0
    has_w = wr.estimate is not None
    r_w = wr.estimate if has_w else 0.0
    r_m = mr.estimate if has_m and mr.estimate is not None else 0.0
    v_w = float(rw.var[k]) if has_w else 0.0
    v_m = float(rm.var[k]) if has_m else 0.0
    c = float(cov[0, 1]) if has_m and has_w else 0.0
    est = (U + Ereg * r_w + n_m * r_m) / A
    official = (U + Ereg * (wr.official or 0.0) + n_m * ((mr.official or 0.0) if has_m else 0.0)) / A
    var = (Ereg**2 * v_w + n_m**2 * v_m + 2 * Ereg * n_m * c) / A**2
    vsrs_w = float(rw.extra["vsrs"][k]) if has_w and "vsrs" in rw.extra else 0.0
    vsrs_m = float(rm.extra["vsrs"][k]) if has_m and "vsrs" in rm.extra else 0.0
    vsrs = (Ereg**2 * vsrs_w + n_m**2 * vsrs_m) / A**2
    rho = c / math.sqrt(v_w * v_m) if v_w > 0 and v_m > 0 else 0.0

    def combine(w_iv: tuple[float, float] | None, m_iv: tuple[float, float] | None) -> tuple[float, float]:
        parts = []
        if has_w and w_iv is not None:
            parts.append((Ereg / A, r_w, w_iv[0], w_iv[1]))
        if has_m and m_iv is not None:
            parts.append((n_m / A, r_m, m_iv[0], m_iv[1]))
        if not parts:
            return float("nan"), float("nan")
        lo, hi = mover(est, parts, rho if len(parts) == 2 else 0.0)
        return max(lo, U / A), min(hi, 1.0)

    lo, hi = combine((wr.ci_low, wr.ci_high) if wr.ci_low is not None else None,
                     (mr.ci_low, mr.ci_high) if has_m and mr.ci_low is not None else None)
    parts_label = mr.ci_method if not has_w else (f"{wr.ci_method} | {mr.ci_method}" if has_m else wr.ci_method)

    def interval_at(factor: float) -> tuple[float, float]:
        w_iv = wr.interval_at(factor) if wr.interval_at is not None else None
        m_iv = mr.interval_at(factor) if has_m and mr.interval_at is not None else None
        return combine(w_iv, m_iv)

    return Indicator(
        official=official, estimate=est, se=math.sqrt(var), ci_low=lo, ci_high=hi,
        ci_method=f"mover ({parts_label})", deff=var / vsrs if vsrs > 0 else None,
        n_households=wr.n_households + (mr.n_households if has_m else 0),
        n_persons=wr.n_persons + (mr.n_persons if has_m else 0), n_psu=int(n_psu),
        extra={"correlation": rho, "not_exited_persons": U, "exited_persons": Ereg,
               "nonregistered_population": Nreg, "agricultural_population": A,
               "estimated_wrongful_persons": Ereg * r_w, "estimated_missed_persons": n_m * r_m,
               "missed_term_included": bool(has_m)},
        interval_at=interval_at,
    )


def _derived(wr: Indicator, mr: Indicator, Nreg: float, registered: float) -> dict[str, Indicator]:
    """Exclusion error and the accuracy rates seed 003 quotes, from the two rates (monotone maps, so
    the intervals map too; standard errors by the delta method)."""
    out: dict[str, Indicator] = {}

    def one_minus(ind: Indicator, label: str) -> Indicator:
        f = lambda v: None if v is None else 1.0 - v  # noqa: E731
        return Indicator(f(ind.official), f(ind.estimate), ind.se, f(ind.ci_high), f(ind.ci_low), ind.ci_method,
                         ind.deff, ind.n_households, ind.n_persons, ind.n_psu, {"definition": label})

    out["exit_accuracy"] = one_minus(wr, "1 - wrongful_exit_rate (退出准确率 = 1 - 错退率)")
    if mr.estimate is None:
        out["identification_accuracy"] = Indicator(None, None, None, None, None, mr.ci_method, None, 0, 0, 0,
                                                   {"definition": "1 - missed_rate"})
        out["exclusion_error"] = Indicator(None, None, None, None, None, mr.ci_method, None, 0, 0, 0,
                                           {"definition": "missed / (missed + registered)"})
        return out
    out["identification_accuracy"] = one_minus(mr, "1 - missed_rate (识别准确率 = 1 - 漏评率)")

    def ee(r: float | None) -> float | None:
        if r is None:
            return None
        m = r * Nreg
        return m / (m + registered) if (m + registered) > 0 else None

    est = mr.estimate
    deriv = (Nreg * registered / (est * Nreg + registered) ** 2) if (est * Nreg + registered) > 0 else 0.0
    out["exclusion_error"] = Indicator(
        ee(mr.official), ee(est), None if mr.se is None else deriv * mr.se, ee(mr.ci_low), ee(mr.ci_high),
        mr.ci_method, mr.deff, mr.n_households, mr.n_persons, mr.n_psu,
        {"definition": "missed persons / (missed persons + registered persons); missed persons = missed_rate x "
                       "non-registered agricultural population", "registered_persons": registered},
    )
    return out


def _cadres(cadres: pl.DataFrame | None, counties: list[str]) -> dict[str, Indicator]:
    """Cadre and deputy approval: not a probability sample, so the plain ratio with an exact
    (Clopper–Pearson) interval that describes the respondents only."""
    if cadres is None or cadres.height == 0:
        return {}
    c = cadres.filter(pl.col("approves").is_not_null())
    if c["county"].is_null().all() and len(counties) == 1:
        c = c.with_columns(county=pl.lit(counties[0]))
    out = {}
    for r in c.group_by("county").agg(n=pl.len(), yes=pl.col("approves").sum()).iter_rows(named=True):
        if r["county"] not in counties or r["n"] == 0:
            continue
        n, p = float(r["n"]), r["yes"] / r["n"]
        iv = svy.prop_interval(p, p * (1 - p) / n, n, n - 1, "beta")
        out[r["county"]] = Indicator(p, p, math.sqrt(p * (1 - p) / n), float(iv.low[0]), float(iv.high[0]),
                                     "clopper-pearson (respondents are not a probability sample)", None,
                                     int(n), int(n), 0, {"approving": int(r["yes"])})
    return out


def _county_rows(registry: Any) -> dict[str, dict[str, Any]]:
    c = getattr(registry, "counties", None)
    if c is None or c.height == 0 or "county" not in c.columns:
        return {}
    return {r["county"]: r for r in c.unique("county", keep="first").iter_rows(named=True)}


def estimate_county(
    registry: Any,
    sample: Any,
    findings: pl.DataFrame,
    cases: pl.DataFrame | None = None,
    *,
    county: str | None = None,
    stage: Stage | None = None,
    ci_method: svy.CIMethod = "beta",
    thresholds: dict[str, float] | None = None,
    fpc: FpcRule = "auto",
    lonely_psu: svy.LonelyPSU = "adjust",
    basis: Basis = "official",
    cadres: pl.DataFrame | None = None,
) -> CountyEstimates:
    """The indicators, thresholds and decision of one county (pure: objects in, result out).

    ``registry``: a ``Registry`` (villages' agricultural population, households' status);
    ``sample``: ``sampling.Sample`` or :class:`~.inputs.SampleTables` (contract §2 frames);
    ``findings``/``cases``: contract §4 frames. ``stage``: ``provisional`` (counts flagged findings
    not dismissed) or ``final`` (confirmed cases only; needs ``cases``); default final when cases are
    given. ``ci_method``: beta (Korn–Graubard), logit, likelihood or mean (Wald). ``thresholds``
    override the county's (keys of contract §5). ``fpc``: auto (use the sample's fpc columns where the
    probabilities are those of SRS), yes, no. ``basis``: the decision is taken on the ``official``
    figures (as the documents do) or on the design-based ``estimate``."""
    return estimate_many(registry, sample, findings, cases, counties=county, stage=stage, ci_method=ci_method,
                         thresholds=thresholds, fpc=fpc, lonely_psu=lonely_psu, basis=basis, cadres=cadres)[0]


__all__ = ["DEFAULT_REFERENCE", "INDICATORS", "CountyEstimates", "Indicator", "SampleTables", "estimate_county",
           "estimate_many"]
