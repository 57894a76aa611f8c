"""The four indicators (三率一度) of a poverty-exit assessment, as the documents define them and as
design-based estimates with 95% intervals; the exit decision (see :mod:`.decision`).

Seed 001 §三(一)(二), seed 003 看点三, DESIGN.md §1.6; the statistics are in docs/statistics.md.

- 错退率 (wrongful_exit_rate) = wrongful-exit persons / persons of the sampled exited households:
  a ratio estimator over the exited households of the registered instrument.
- 漏评率 (missed_rate): official = every missed person found (census groups and roster hits) / the
  non-registered agricultural population of the 抽查村(组) — the sampled villages when the design
  matched rosters in them (大数据比对), else the census groups. Estimate: the county's missed persons
  over its non-registered population from the two ways the sample finds them — the roster hits of
  the sampled villages (a stratum of each village, all of them visited) over the villages'
  non-registered population, plus the census groups' other households over the groups' population
  (a sum of two ratio estimators, Taylor variance over the village PSUs, interval MOVER of the
  parts'). ``missed_rate_census`` keeps the census-only estimator.
- 群众认可度 (approval_rate) = approving households / surveyed households with an answer.
- 综合贫困发生率 (composite_incidence) = (U + 错退率·E + 漏评率·N) / A with the registry's
  not-yet-exited persons U (poor and returned), exited persons E, agricultural population A and
  N = A − U − E; its variance by the delta method with the covariance of the two rates from joint
  linearisation over the shared village PSUs.

Counties are keyed by (province, county) (:mod:`.keys`); every county is a group of one pass over the
whole sample (``svy.Design(by=county)``), so 832 counties cost about as much as one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from .. import errors as E
from ..contracts import CONTRACT_VERSION
from ..errors import estimate as EE
from . import keys as K
from . import rows as R
from . import svy
from .decision import DEFAULT_REFERENCE, Decision, decide, near_threshold, resolve_thresholds
from .growth import Growth, Sum, Within, WithinCodes, within_strata
from .inputs import SampleTables, normalise_cases, normalise_findings, normalise_sample

Stage = R.Stage
FpcRule = R.FpcRule
Basis = Literal["official", "estimate"]

INDICATORS = ("wrongful_exit_rate", "missed_rate", "approval_rate", "composite_incidence")
EXTRA_INDICATORS = ("exclusion_error", "identification_accuracy", "exit_accuracy", "missed_rate_census",
                    "approval_rate_cadres")
NAMES = {
    "wrongful_exit_rate": ("脱贫人口错退率", "wrongful exit rate"),
    "missed_rate": ("贫困人口漏评率", "missed poor rate"),
    "approval_rate": ("群众认可度", "approval rate"),
    "composite_incidence": ("综合贫困发生率", "composite poverty incidence"),
    "exclusion_error": ("排斥误差（漏评人口占应识别贫困人口比重）", "exclusion error"),
    "identification_accuracy": ("识别准确率", "identification accuracy"),
    "exit_accuracy": ("退出准确率", "exit accuracy"),
    "missed_rate_census": ("漏评率（仅村组普查估计）", "missed rate, census groups only"),
    "approval_rate_cadres": ("干部、代表认可度（非概率样本）", "approval among cadres and deputies (not a probability sample)"),
}
CERTAINTY_P = R.CERTAINTY_P


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
    #: the interval as a function of more villages / more households (near-threshold advice)
    growth: Growth | Sum | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d = {
            "official": _num(self.official), "estimate": _num(self.estimate), "se": _num(self.se),
            "ci_low": _num(self.ci_low), "ci_high": _num(self.ci_high), "ci_method": self.ci_method,
            "deff": _num(self.deff), "n_households": int(self.n_households), "n_persons": int(self.n_persons),
            "n_psu": int(self.n_psu),
        }
        d.update({k: _plain(v) for k, v in self.extra.items()})
        return d


def _plain(v: Any) -> Any:
    if isinstance(v, float | np.floating):
        return _num(v)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


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
    stage_reason: str = "requested"  # requested | no cases | pending cases | all decided

    @property
    def key(self) -> str:
        return K.key_of(self.province, self.county)

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
            "stage_note": _stage_note(self.stage, self.stage_reason, self.counts, lang),
            "stage_reason": self.stage_reason,
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
            "near_threshold_detail": _plain(dec.near_detail),
            "registry_totals": {k: _num(v) for k, v in self.registry_totals.items()},
            "design": self.design,
            "counts": self.counts,
            "covariance": self.covariance,
            "warnings": [en if lang == "en" else zh for zh, en in self.warnings],
        }


def _stage_note(stage: str, reason: str, counts: dict[str, int], lang: str) -> str:
    pending = counts.get("undecided_findings", 0)
    if stage == "provisional":
        n = counts.get("unverified_findings", 0)
        zh = f"临时结果：计入 {n} 个尚未核实确认的疑似问题"
        en = f"Provisional: counts {n} suspected problem(s) not yet confirmed by verification (五核)"
        if reason == "pending cases":
            zh += f"；{pending} 个影响指标的问题尚待核实（五核未完成），故不出最终结果"
            en += f"; {pending} problem(s) that affect an indicator are still awaiting verification, so no final result yet"
        elif reason == "no cases":
            zh += "；未提供核查结果（cases.csv）"
            en += "; no verification outcomes (cases.csv) were given"
        return en if lang == "en" else zh
    n = counts.get("pending_cases", 0)
    zh = f"最终结果：只计入核实确认的问题；{n} 个待核案件未计入"
    en = f"Final: counts only problems confirmed by verification; {n} case(s) still pending are not counted"
    return en if lang == "en" else zh


# ---- the design ---------------------------------------------------------------------------------------


@dataclass
class _Arrays:
    design: svy.Design
    frame: pl.DataFrame
    counties: list[str]
    code: dict[str, int]


def _design(frame: pl.DataFrame, counties: list[str], fpc: FpcRule, lonely_psu: svy.LonelyPSU) -> _Arrays:
    code = {c: i for i, c in enumerate(counties)}
    frame = frame.with_columns(_g=pl.col("ckey").replace_strict(code, return_dtype=pl.Int64)).sort("_g")

    def ids(col: str) -> np.ndarray:
        return frame.select(pl.col(col).rank("dense")).to_series().to_numpy().astype(np.int64)

    fpc1 = frame["fpc1"].to_numpy()
    fixed = frame["fixed"].to_numpy()
    if fpc == "no" or not np.isfinite(fpc1[~fixed]).any():
        # with replacement at the first stage: later stages do not enter the variance (ultimate cluster);
        # fixed rows (certain units of certain villages) are a self-representing stratum
        design = svy.Design(frame["weight"].to_numpy(), ids=[ids("id1")], strata=ids("s1"),
                            fpc=[np.where(fixed, fpc1, np.inf)] if fixed.any() else None,
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
    return _Arrays(design, frame, counties, code)


def _rate(d: svy.Design, y: np.ndarray, x: np.ndarray | None, dom: np.ndarray, method: str,
          units: np.ndarray, *, rare: bool = False, sampled_units: bool = False,
          df_domain: np.ndarray | None = None) -> tuple[svy.Stat, svy.Interval]:
    """A rate and its interval under povexit's rules (docs/statistics.md, "Rare events"):

    - zero events: n* = the households of the domain (the units a verdict is made on), not persons;
    - for the rare-event rates (``rare``): the effective sample size never exceeds Kish's effective
      number of persons, (Σw·t)²/Σw²·t — the design effect is at least the weighting effect, which a
      handful of events cannot show — nor, for a sample of households (``sampled_units``), the number
      of households (NCHS: n_eff ≤ n, with n the households whose persons share a verdict).
    Both bounds are design constants, so they apply after the degrees-of-freedom adjustment.
    ``df_domain``: the rows whose PSUs give the degrees of freedom when not the whole domain (fixed
    rows of self-representing strata carry no information on the variance); the interval is then
    computed from the estimate, variance and sizes (``likelihood`` falls back to ``logit``)."""
    units = np.maximum(units, 1)
    cap = None
    if rare:
        cap = svy.kish_n(d, x, dom)
        if sampled_units:
            cap = np.minimum(cap, units)
    if df_domain is None:
        st, iv = svy.ciprop(d, y, x, method, dom, deff=True, units=units, n_eff_max=cap)  # type: ignore[arg-type]
    else:
        st = svy.svyratio(d, y, x, dom, deff=True) if x is not None else svy.svymean(d, y, dom, deff=True)
        keep = d._mask(dom) & (d.weights != 0)
        st.extra["n_persons"] = d.group_sum(np.where(keep, x if x is not None else 1.0, 0.0))
        st.df = d.degf(df_domain)
        m = "logit" if method == "likelihood" else method
        iv = svy.prop_interval(st.estimate, st.var, st.extra["n_persons"], st.df, m, units=units,  # type: ignore[arg-type]
                               n_eff_max=cap)
        if method == "likelihood":
            iv.method = [f"{lab} (likelihood not available for this estimator)" for lab in iv.method]
    st.extra["units"] = units
    if cap is not None:
        st.extra["n_eff_max"] = cap
    return st, iv


def _roster_part(d: svy.Design, y: np.ndarray, x: np.ndarray, persons: np.ndarray, is_R: np.ndarray,
                 is_V: np.ndarray, dom: np.ndarray, df_domain: np.ndarray, method: str,
                 village_households: np.ndarray) -> tuple[svy.Stat, svy.Interval]:
    """The roster part of 漏评率: missed persons of the roster hits over the sampled villages'
    non-registered population, r = Ŷ/X̂, Taylor variance over the villages. Its interval follows the
    rare-event rules of 错退率 on the scale of the persons examined — the roster hits' persons: with
    s = P̂/X̂ (their share of the population), the rate among them q = r/s has variance V(r)/s², its
    Korn–Graubard interval counts their persons (n), bounds the effective size by their households and
    Kish's effective number of their persons (the verdicts are made on those households), and is mapped
    back by s. Without roster hits the interval is on the villages' scale (their households as n*)."""
    st = svy.svyratio(d, y, x, dom, deff=True)
    gsum = d.group_sum
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(st.extra["xtot"] > 0, gsum(d.weights * persons * is_R) / st.extra["xtot"], 0.0)
    hits, hit_persons = gsum(is_R * 1.0), gsum(persons * is_R)
    ok = (share > 0) & (hits > 0)
    scale = np.where(ok, share, 1.0)
    units = np.maximum(np.where(ok, hits, village_households), 1.0)
    cap = np.minimum(np.where(ok, svy.kish_n(d, persons, is_R), svy.kish_n(d, x, is_V)), units)
    n = np.where(ok, hit_persons, gsum(x * is_V))
    st.df = d.degf(df_domain)
    with np.errstate(divide="ignore", invalid="ignore"):
        iv = svy.prop_interval(st.estimate / scale, st.var / scale**2, n, st.df,
                               "logit" if method == "likelihood" else method,  # type: ignore[arg-type]
                               units=units, n_eff_max=cap)
    iv.low, iv.high = iv.low * scale, iv.high * scale
    if method == "likelihood":
        iv.method = [f"{lab} (likelihood not available for this estimator)" for lab in iv.method]
    st.extra.update(n_persons=n, units=units, n_eff_max=cap, scale=scale)
    return st, iv


# ---- entry points -----------------------------------------------------------------------------------


def estimate_county(
    registry: Any,
    sample: Any,
    findings: pl.DataFrame,
    cases: pl.DataFrame | None = None,
    *,
    county: str | tuple[str, str] | None = None,
    province: str | None = None,
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
    ``findings``/``cases``: contract §4 frames. ``county``: its name (with ``province`` when two
    provinces have a county of that name), ``(province, county)`` or ``"省/县"``; needed when the
    sample has several counties. ``stage``: ``provisional`` (counts flagged findings not dismissed) or
    ``final`` (confirmed cases only; needs ``cases``); default: final when ``cases`` are given and no
    case that affects a count is undecided, else provisional (the JSON says how many are pending).
    ``ci_method``: beta (Korn–Graubard), logit, likelihood or mean (Wald). ``thresholds`` override the
    county's (keys of contract §5). ``fpc``: auto (use the sample's fpc columns where the probabilities
    are those of SRS), yes, no. ``basis``: the decision is taken on the ``official`` figures (as the
    documents do) or on the design-based ``estimate``."""
    return estimate_many(registry, sample, findings, cases, counties=county, province=province, stage=stage,
                         ci_method=ci_method, thresholds=thresholds, fpc=fpc, lonely_psu=lonely_psu, basis=basis,
                         cadres=cadres)[0]


def estimate_many(
    registry: Any,
    sample: Any,
    findings: pl.DataFrame,
    cases: pl.DataFrame | None = None,
    *,
    counties: str | tuple[str, str] | Sequence[Any] | None = None,
    province: str | None = None,
    all_counties: bool = False,
    stage: Stage | None = None,
    ci_method: svy.CIMethod = "beta",
    thresholds: dict[str, float] | None = None,
    fpc: FpcRule = "auto",
    lonely_psu: svy.LonelyPSU = "adjust",
    basis: Basis = "official",
    cadres: pl.DataFrame | None = None,
) -> list[CountyEstimates]:
    """Indicators of several counties in one pass (see :func:`estimate_county`); results in the order
    of (province, county), or as named."""
    if ci_method not in svy.CI_METHODS:
        raise E.PovexitError(EE.BAD_OPTION(column="ci_method", value=ci_method, allowed=", ".join(svy.CI_METHODS)))
    if fpc not in ("auto", "yes", "no"):
        raise E.PovexitError(EE.BAD_OPTION(column="fpc", value=fpc, allowed="auto, yes, no"))
    if lonely_psu not in svy.LONELY_PSU_RULES:
        raise E.PovexitError(EE.BAD_OPTION(column="lonely_psu", value=lonely_psu, allowed=", ".join(svy.LONELY_PSU_RULES)))
    if basis not in ("official", "estimate"):
        raise E.PovexitError(EE.BAD_OPTION(column="basis", value=basis, allowed="official, estimate"))
    if stage is not None and stage not in ("provisional", "final"):
        raise E.PovexitError(EE.BAD_OPTION(column="stage", value=stage, allowed="provisional, final"))
    sample = normalise_sample(sample)
    findings = normalise_findings(findings)
    if cases is not None:
        cases = normalise_cases(cases)
    if stage == "final" and cases is None:
        raise E.PovexitError(EE.FINAL_NEEDS_CASES())
    villages = R.sample_villages(sample, registry)
    chosen = K.select(villages["ckey"].to_list(), counties, province, all_counties,
                      str(sample.source or "villages.csv"))
    totals = R.registry_totals(registry, chosen)
    f = R.case_status(findings, cases)
    rows = R.build(sample, f, cases, registry, chosen, fpc, stage, villages, _design_screens_rosters(sample))
    arr = _design(rows.frame, chosen, fpc, lonely_psu)
    return _compute(arr, rows, totals, registry, chosen, cases, stage, ci_method, thresholds, fpc,
                    lonely_psu, basis, cadres)


def _design_screens_rosters(sample: SampleTables) -> bool:
    """Whether the sample's design matched other departments' rosters in every sampled village."""
    node: Any = sample.manifest or {}
    for key in ("design", "parameters", "households", "general"):  # a manifest of another tool may differ
        node = node.get(key) if isinstance(node, dict) else None
    return bool(node.get("roster_hits")) if isinstance(node, dict) else False


# ---- estimation -----------------------------------------------------------------------------------


def _compute(arr: _Arrays, rows: R.Rows, totals, registry, counties, cases, stage_arg, ci_method,
             thresholds, fpc, lonely_psu, basis, cadres) -> list[CountyEstimates]:
    d = arr.design
    fr = arr.frame

    def col(c: str) -> np.ndarray:
        return fr[c].to_numpy()

    def mask(c: str) -> np.ndarray:
        return col(c).astype(bool)

    is_exited, is_census, is_hh, fixed = mask("is_exited"), mask("is_census"), mask("is_hh"), mask("fixed")
    is_R, is_C, is_V = mask("is_R"), mask("is_C"), mask("is_V")
    approves = col("approves").astype(float)
    dom_a = is_hh & ~np.isnan(approves)
    y_w, x_w, y_m, x_m, persons = (col(c).astype(float) for c in ("y_w", "x_w", "y_m", "x_m", "persons"))
    y_R, y_C, x_V, h_V = (col(c).astype(float) for c in ("y_R", "y_C", "x_V", "h_V"))
    gsum = d.group_sum
    census_hh = is_hh & mask("in_census")
    # 错退率, the census-only 漏评率, 认可度
    rw, iw = _rate(d, y_w, x_w, is_exited, ci_method, gsum(is_exited * 1.0), rare=True, sampled_units=True)
    rm, im = _rate(d, y_m, x_m, is_census, ci_method, np.maximum(gsum(census_hh * 1.0), gsum(is_census * 1.0)),
                   rare=True)
    ra, ia = _rate(d, np.nan_to_num(approves), None, dom_a, ci_method, gsum(dom_a * 1.0))
    # 漏评率: roster part (hits over the sampled villages' non-registered population) + census part
    # (the census groups' other households over the groups' population)
    dom_R, dom_C = is_R | is_V, is_C | is_census
    gen_hh = is_hh & (is_R | is_C)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_household = np.where(gsum(gen_hh * 1.0) > 0, gsum(persons * gen_hh) / gsum(gen_hh * 1.0), 3.0)
    hv = gsum(np.nan_to_num(h_V) * is_V)
    hv = np.where(gsum(np.isnan(h_V) & is_V) > 0, gsum(x_V * is_V) / per_household, hv)  # households unknown
    r_R, i_R = _roster_part(d, y_R, x_V, persons, is_R, is_V, dom_R, dom_R & ~fixed, ci_method, hv)
    r_C, i_C = _rate(d, y_C, x_m, dom_C, ci_method, np.maximum(gsum(is_C * 1.0), gsum(is_census * 1.0)),
                     rare=True, df_domain=dom_C & ~fixed)
    z_R, z_C = np.nan_to_num(r_R.influence), np.nan_to_num(r_C.influence)  # a county without the part: 0/0
    parts_cov = d.recvar(np.column_stack([z_R, z_C]))
    z_m = z_R + z_C
    cov_wm = d.recvar(np.column_stack([rw.influence, z_m, rm.influence]))
    # near-threshold advice: the within-village part of each variance
    codes = WithinCodes.of(fr, d.n_groups)
    wt = {name: within_strata(codes, st.influence, dom) for name, st, dom in (
        ("w", rw, is_exited), ("a", ra, dom_a), ("R", r_R, dom_R), ("C", r_C, dom_C))}
    # everything per county, computed once for all counties
    per = {
        "xw": gsum(x_w * is_exited), "yw": gsum(y_w * is_exited), "n_w": gsum(is_exited * 1.0),
        "xm": gsum(x_m * is_census), "ym": gsum(y_m * is_census),
        "n_a": gsum(dom_a * 1.0), "yes_a": gsum(np.nan_to_num(approves) * dom_a), "p_a": gsum(persons * dom_a),
        "xv": gsum(x_V * is_V), "n_R": gsum(is_R * 1.0), "n_C": gsum(is_C * 1.0),
        "p_R": gsum(persons * is_R), "p_C": gsum(persons * is_C),
        "surveyed": gsum(is_hh * 1.0), "census_hh": gsum(census_hh * 1.0),
        "flagged": gsum(col("flagged") * 1.0), "counted": gsum(col("counted") * 1.0),
        "unverified": gsum((mask("counted") & ~mask("confirmed")) * 1.0),
        "cannot": gsum(col("cannot_judge") * 1.0),
        "psu_w": d.n_psu(is_exited), "psu_m": d.n_psu(is_census), "psu_a": d.n_psu(dom_a),
        "psu_mr": d.n_psu((dom_R | dom_C) & ~fixed),
        "psu_joint": d.n_psu((is_exited | dom_R | dom_C) & ~fixed),
        "strata": d.n_strata(), "psu": d.n_psu(), "df": d.degf(),
    }
    lonely = d.lonely_strata()
    per["lonely"] = np.bincount(d._stages[0].stratum_group[lonely], minlength=d.n_groups)
    villages = fr.group_by("_g").agg(
        v_w=pl.col("village_id").filter(pl.col("is_exited")).n_unique(),
        v_m=pl.col("village_id").filter(pl.col("is_census")).n_unique(),
        v_a=pl.col("village_id").filter(pl.col("is_hh") & pl.col("approves").is_not_null()).n_unique(),
        v_all=pl.col("village_id").n_unique(),
        v_drawn=pl.col("village_id").filter(~pl.col("certainty")).n_unique(),
        n_groups=pl.col("is_census").sum(),
        cert=pl.col("village_id").filter(pl.col("certainty")).n_unique(),
    )
    vmap = {r["_g"]: r for r in villages.iter_rows(named=True)}
    pending = _pending(cases, fr)
    cadre_stats = _cadres(cadres, counties)
    info = _county_rows(registry)
    results = []
    for county in counties:
        k = arr.code[county]
        t = totals[county]
        ci = rows.info[county]
        stage = ci["stage"]
        A, U, Ereg = t["agricultural_population"], t["not_exited_persons"], t["exited_persons"]
        Nreg = t["nonregistered_population"]
        vm = vmap.get(k, {"v_w": 0, "v_m": 0, "v_a": 0, "v_all": 0, "v_drawn": 0, "n_groups": 0, "cert": 0})
        warn = list(rows.warnings.get(county, []))

        def growth(st: svy.Stat, name: str, frame: float, measure: str = "surveyed", *, k: int = k,
                   vm: dict = vm, t: dict = t) -> Growth:
            return _growth(st, k, ci_method, wt[name].get(k, Within.empty()), float(per["psu"][k]),
                           float(vm["v_drawn"]), t["villages"], frame, measure)

        # 错退率
        xw_tot, yw_tot = per["xw"][k], per["yw"][k]
        wr = _indicator(rw, iw, k, off=(yw_tot / xw_tot if xw_tot > 0 else None), n_hh=per["n_w"][k],
                        n_persons=xw_tot, n_psu=per["psu_w"][k], extra={
                            "wrongful_persons": yw_tot, "n_villages": vm["v_w"], "df": int(rw.df[k])})
        wr.growth = growth(rw, "w", t["exited_households"]) if xw_tot > 0 else None
        if xw_tot <= 0:
            _blank(wr, "none: no exited households surveyed")
            warn.append(("没有调查到脱贫户：无法计算错退率", "No exited household was surveyed: no wrongful exit rate"))
        # 漏评率 (census only, kept as an extra indicator)
        xm_tot = per["xm"][k]
        has_census = vm["n_groups"] > 0 and xm_tot > 0
        mc = _census_only(rm, im, k, has_census, per, vm, ci)
        # 漏评率
        mr, has_m = _missed(k, ci, per, vm, r_R, i_R, r_C, i_C, parts_cov[k], has_census, mc, warn,
                            growth(r_R, "R", t["villages"], "villages") if per["xv"][k] > 0 else None,
                            growth(r_C, "C", t["groups"], "groups") if has_census else None)
        # 群众认可度
        n_a = per["n_a"][k]
        ar = _indicator(ra, ia, k, off=(per["yes_a"][k] / n_a if n_a else None), n_hh=n_a, n_persons=per["p_a"][k],
                        n_psu=per["psu_a"][k],
                        extra={"approving_households": per["yes_a"][k], "n_villages": vm["v_a"], "df": int(ra.df[k])})
        frame_a = t["exited_households"] + t["nonregistered_households"]
        ar.growth = growth(ra, "a", frame_a) if n_a else None
        if n_a == 0:
            _blank(ar, "none: no answers")
        # 综合贫困发生率
        cv = cov_wm[k]
        comp = _composite(wr, mr, float(cv[0, 0]) if wr.estimate is not None else 0.0, float(cv[1, 1]) if has_m else 0.0,
                          float(cv[0, 1]) if has_m and wr.estimate is not None else 0.0,
                          _vsrs(rw, k) if wr.estimate is not None else 0.0, mr.extra.get("vsrs", 0.0) if has_m else 0.0,
                          A, U, Ereg, Nreg, has_m, per["psu_joint"][k])
        inds = {"wrongful_exit_rate": wr, "missed_rate": mr, "approval_rate": ar, "composite_incidence": comp}
        inds.update(_derived(wr, mr, Nreg, t["registered_persons"]))
        inds["missed_rate_census"] = mc
        mr.extra.pop("vsrs", None)
        if county in cadre_stats:
            inds["approval_rate_cadres"] = cadre_stats[county]
        province, name = K.split(county)
        row = _county_row(info, county)
        th, th_source = resolve_thresholds(registry, name, thresholds, row=row or None, province=province)
        if th_source == "default":
            warn.append(("counties 表中没有该县的区域或综合贫困发生率标准：按中部地区 2% 判定",
                         "No region or threshold for this county in the counties table: the central 2% applies"))
        unverified = int(per["unverified"][k]) if stage == "provisional" else 0
        dec = decide(inds, th, basis=basis, stage=stage, unverified=unverified)
        dec.near_threshold, dec.near_detail = near_threshold(inds, th, frames={
            "villages": t["villages"], "exited_households": t["exited_households"], "groups": t["groups"],
            "households": frame_a})
        dec.add_near_reasons()
        if per["lonely"][k]:
            warn.append((f"{int(per['lonely'][k])} 个层只抽中一个村：按 lonely.psu=\"{lonely_psu}\" 规则计算方差",
                         f"{int(per['lonely'][k])} stratum/strata with a single sampled village: variance by the "
                         f"lonely-PSU rule \"{lonely_psu}\""))
        if per["cannot"][k]:
            warn.append((f"{int(per['cannot'][k])} 户无法判定（缺少必要答案），未计入错退率和漏评率",
                         f"{int(per['cannot'][k])} household(s) could not be judged (answers missing) and are left "
                         "out of the rates"))
        if stage_arg is None and stage == "provisional" and cases is not None:
            warn.append((f"仍有 {ci['unresolved']} 个影响指标的疑似问题未核实完毕"
                         + (f"（其中 {ci['flagged_without_case']} 个没有核查案件）" if ci["flagged_without_case"] else "")
                         + "：按临时结果计算",
                         f"{ci['unresolved']} suspected problem(s) that affect an indicator are not verified yet"
                         + (f" ({ci['flagged_without_case']} without a case)" if ci["flagged_without_case"] else "")
                         + ": provisional figures"))
        results.append(CountyEstimates(
            county=name, stage=stage, indicators=inds, thresholds=th, decision=dec, registry_totals=t,
            design={
                "strata": int(per["strata"][k]), "psu": int(per["psu"][k]), "villages": int(vm["v_all"]),
                "df": int(per["df"][k]), "lonely_strata": int(per["lonely"][k]), "lonely_psu": lonely_psu,
                "fpc": fpc, "certainty_villages": int(vm["cert"]), "threshold_source": th_source,
                "roster_screening": bool(ci["screened"]),
                "variance": "Taylor linearisation; first stage with replacement unless an fpc applies",
            },
            counts={
                "surveyed_households": int(per["surveyed"][k]), "exited_households": int(per["n_w"][k]),
                "census_groups": int(vm["n_groups"]), "census_households": int(per["census_hh"][k]),
                "roster_households": int(per["n_R"][k]),
                "flagged_findings": int(per["flagged"][k]), "counted_findings": int(per["counted"][k]),
                "unverified_findings": unverified, "undecided_findings": int(ci["unresolved"]),
                "flagged_without_case": int(ci["flagged_without_case"]), "pending_cases": int(pending.get(county, 0)),
                "cannot_judge": int(per["cannot"][k]),
            },
            covariance={"wrongful_exit_rate,missed_rate": _num(cv[0, 1]) if has_m and wr.estimate is not None else None},
            warnings=warn, province=province if province is not None else row.get("province"), region=row.get("region"),
            stage_reason=("requested" if stage_arg is not None else "no cases" if cases is None
                          else "pending cases" if stage == "provisional" else "all decided"),
        ))
    return results


def _growth(st: svy.Stat, k: int, method: str, within: Within, psu: float, villages: float, villages_frame: float,
            frame: float, measure: str) -> Growth:
    """The growth model of one county's estimate (near-threshold advice; :mod:`.growth`)."""
    n = float(st.extra["n_persons"][k]) if "n_persons" in st.extra else float(st.n[k])
    cap = float(st.extra["n_eff_max"][k]) if "n_eff_max" in st.extra else None
    return Growth(
        estimate=float(st.estimate[k]), var=float(st.var[k]), n=n, units=float(st.extra["units"][k]), cap=cap,
        df=float(st.df[k]), psu=psu, method="logit" if method == "likelihood" else method, within=within,
        villages=villages, villages_frame=villages_frame, frame=frame, measure=measure,  # type: ignore[arg-type]
        scale=float(st.extra["scale"][k]) if "scale" in st.extra else 1.0)


def _vsrs(st: svy.Stat, k: int) -> float:
    return float(st.extra["vsrs"][k]) if "vsrs" in st.extra else 0.0


def _census_only(rm: svy.Stat, im: svy.Interval, k: int, has_census: bool, per: dict, vm: dict, ci: dict) -> Indicator:
    """漏评率 from the census groups alone: their missed persons (roster hits living there included) over
    their non-registered population — the estimator of the census part of the design only."""
    xm_tot, ym_tot = per["xm"][k], per["ym"][k]
    if not has_census:
        return Indicator(None, None, None, None, None, "none: no census groups", None, int(per["census_hh"][k]), 0, 0,
                         {"n_groups": 0})
    ind = _indicator(rm, im, k, off=ym_tot / xm_tot, n_hh=per["census_hh"][k], n_persons=xm_tot,
                     n_psu=per["psu_m"][k], extra={
                         "missed_persons": ym_tot, "n_groups": vm["n_groups"], "n_villages": vm["v_m"],
                         "df": int(rm.df[k]),
                         "definition": "census groups only: missed persons of their households / their "
                                       "non-registered agricultural population"})
    return ind


def _missed(k: int, ci: dict, per: dict, vm: dict, r_R: svy.Stat, i_R: svy.Interval, r_C: svy.Stat, i_C: svy.Interval,
            cov: np.ndarray, has_census: bool, census_only: Indicator, warn: list, g_R: Growth | None,
            g_C: Growth | None) -> tuple[Indicator, bool]:
    """漏评率 of one county: the official figure over the 抽查村(组) and the design-based estimate
    of roster part + census part (module docstring); whether an estimate exists. Without roster hits
    the estimate is the census-only estimator (the same numbers, R's design effect)."""
    has_R = bool(ci["screened"]) and per["xv"][k] > 0
    den = ci["villages_nonregistered"] if ci["screened"] else ci["census_nonregistered"]
    official = ci["missed_found"] / den if den > 0 and (has_R or has_census) else None
    extra: dict[str, Any] = {
        "missed_persons": ci["missed_found"], "missed_persons_census": ci["missed_found_census"],
        "missed_persons_roster": ci["missed_found_roster"],
        "missed_persons_outside_census": ci["missed_found_outside_census"],
        "missed_households_outside_census": ci["missed_households_outside_census"],
        "denominator": ("sampled villages' non-registered agricultural population" if ci["screened"]
                        else "census groups' non-registered agricultural population"),
        "denominator_persons": den, "n_groups": vm["n_groups"], "n_villages": vm["v_m"] if not has_R else vm["v_all"],
        "roster_households": int(per["n_R"][k]),
    }
    if not has_R and not has_census:
        warn.append(("样本中既没有普查村民小组也没有部门名单比对户：无法估计漏评率，综合贫困发生率中漏评人口按 0 计",
                     "The sample has neither census groups nor roster hits: the missed rate cannot be estimated and "
                     "the composite counts no missed persons"))
        return Indicator(official, None, None, None, None, "none: no census groups or roster hits", None, 0,
                         round(den), 0, extra), False
    if not has_R:
        ind = Indicator(official, census_only.estimate, census_only.se, census_only.ci_low, census_only.ci_high,
                        census_only.ci_method, census_only.deff, census_only.n_households, round(den),
                        census_only.n_psu, {**extra, "coverage": "census", "n_eff": census_only.extra.get("n_eff"),
                                            "df": census_only.extra.get("df"),
                                            "vsrs": (census_only.se or 0.0) ** 2 / census_only.deff
                                            if census_only.deff else 0.0,
                                            "definition": census_only.extra.get("definition")}, g_C)
        return ind, True
    parts = [("roster", r_R, i_R, g_R)]
    if has_census:
        parts.append(("census", r_C, i_C, g_C))
    p = sum(float(st.estimate[k]) for _, st, _, _ in parts)
    idx = [0 if n == "roster" else 1 for n, *_ in parts]
    var = float(sum(cov[i, j] for i in idx for j in idx))
    # design effect: against simple random sampling of as many persons as were surveyed for it
    n_srs = float(per["p_R"][k] * has_R + per["p_C"][k] * has_census)
    frac = min(n_srs / den, 1.0) if den > 0 else 0.0
    vsrs = p * (1 - p) / n_srs * (1 - frac) if n_srs > 0 else 0.0
    lows = {n: _clip01(float(iv.low[k])) for n, _, iv, _ in parts}
    highs = {n: _clip01(float(iv.high[k])) for n, _, iv, _ in parts}
    part_info = {n: {"estimate": float(st.estimate[k]), "se": math.sqrt(max(float(st.var[k]), 0.0)),
                     "ci_low": lows[n], "ci_high": highs[n], "ci_method": iv.method[k],
                     "missed_persons_found": ci["missed_found_roster"] if n == "roster" else ci["missed_found_census_other"]}
                 for n, st, iv, _ in parts}
    if len(parts) == 2:
        rho = cov[0, 1] / math.sqrt(cov[0, 0] * cov[1, 1]) if cov[0, 0] > 0 and cov[1, 1] > 0 else 0.0
        lo, hi = mover(p, [(1.0, float(st.estimate[k]), lows[n], highs[n]) for n, st, _, _ in parts], rho)
        lo, hi = max(lo, 0.0), min(hi, 1.0)
        method = f"mover (roster: {i_R.method[k]} | census: {i_C.method[k]})"
        growth: Growth | Sum | None = Sum(p, [(1.0, g_R), (1.0, g_C)], rho) if g_R and g_C else None
        extra["correlation_of_parts"] = rho
    else:
        name, _, iv, g = parts[0]
        lo, hi, method, growth = lows[name], highs[name], iv.method[k], g
        if name == "roster":
            warn.append(("样本中没有普查村民小组：漏评率只估计部门名单比对户中的漏评（下限）",
                         "The sample has no census groups: the missed rate covers the roster hits only (a lower bound)"))
    extra.update(parts=part_info, coverage="+".join(n for n, *_ in parts), vsrs=vsrs,
                 df=int(min(float(st.df[k]) for _, st, _, _ in parts)),
                 definition="missed persons of the county / its non-registered agricultural population: roster hits "
                            "of the sampled villages over the villages' non-registered population, plus the census "
                            "groups' other households over the groups' population")
    n_hh = int(per["n_R"][k] * has_R + per["n_C"][k] * has_census)
    ind = Indicator(official, p, math.sqrt(max(var, 0.0)), lo, hi, method, var / vsrs if vsrs > 0 else None,
                    n_hh, round(den), int(per["psu_mr"][k]), extra, growth)
    return ind, True


def _blank(ind: Indicator, why: str) -> None:
    ind.estimate = ind.se = ind.ci_low = ind.ci_high = ind.deff = None
    ind.ci_method = why
    ind.growth = None


def _pending(cases: pl.DataFrame | None, fr: pl.DataFrame) -> dict[str, int]:
    """Pending cases per county key (cases of surveyed households whose verification is not finished)."""
    if cases is None:
        return {}
    hh = fr.filter(pl.col("is_hh")).select(pl.col("unit3").alias("household_id"), "ckey")
    pend = cases.filter(pl.col("outcome") == "pending").join(hh, on="household_id", how="inner")
    return dict(pend.group_by("ckey").agg(pl.len()).iter_rows())


def _clip01(v: float) -> float:
    return min(max(v, 0.0), 1.0) if math.isfinite(v) else float("nan")


def _indicator(stat: svy.Stat, iv: svy.Interval, k: int, *, off, n_hh, n_persons, n_psu, extra) -> Indicator:
    lo, hi = _clip01(float(iv.low[k])), _clip01(float(iv.high[k]))
    return Indicator(
        official=None if off is None else float(off), estimate=float(stat.estimate[k]), se=float(stat.se[k]),
        ci_low=lo, ci_high=hi, ci_method=iv.method[k], deff=None if stat.deff is None else _num(stat.deff[k]),
        n_households=int(n_hh), n_persons=round(float(n_persons)), n_psu=int(n_psu),
        extra={"n_eff": None if iv.n_eff is None else _num(iv.n_eff[k]), **extra},
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


def _composite(wr: Indicator, mr: Indicator, v_w: float, v_m: float, c: float, vsrs_w: float, vsrs_m: float,
               A: float, U: float, Ereg: float, Nreg: float, has_m: bool, n_psu: int) -> Indicator:
    """P = (U + E·r_w + N·r_m) / A with its delta-method variance (joint linearisation gives the
    covariance of the two rates) and a MOVER interval built from the two rates' own intervals."""
    n_m = Nreg if has_m else 0.0
    has_w = wr.estimate is not None
    r_w = wr.estimate if has_w else 0.0
    r_m = mr.estimate if has_m and mr.estimate is not None else 0.0
    est = (U + Ereg * r_w + n_m * r_m) / A
    official = (U + Ereg * (wr.official or 0.0) + n_m * ((mr.official or 0.0) if has_m else 0.0)) / A
    var = (Ereg**2 * v_w + n_m**2 * v_m + 2 * Ereg * n_m * c) / A**2
    vsrs = (Ereg**2 * vsrs_w + n_m**2 * vsrs_m) / A**2
    rho = c / math.sqrt(v_w * v_m) if v_w > 0 and v_m > 0 else 0.0
    parts, grow = [], []
    if has_w and wr.ci_low is not None:
        parts.append((Ereg / A, r_w, wr.ci_low, wr.ci_high))
        grow.append((Ereg / A, wr.growth))
    if has_m and mr.ci_low is not None:
        parts.append((n_m / A, r_m, mr.ci_low, mr.ci_high))
        grow.append((n_m / A, mr.growth))
    if parts:
        lo, hi = mover(est, parts, rho if len(parts) == 2 else 0.0)  # type: ignore[arg-type]
        lo, hi = max(lo, U / A), min(hi, 1.0)
    else:
        lo = hi = float("nan")
    parts_label = mr.ci_method if not has_w else (f"{wr.ci_method} | {mr.ci_method}" if has_m else wr.ci_method)
    growth = (Sum(est, grow, rho, low=U / A) if grow and all(g is not None for _, g in grow) else None)  # type: ignore[arg-type]
    return Indicator(
        official=official, estimate=est, se=math.sqrt(max(var, 0.0)), ci_low=lo, ci_high=hi,
        ci_method=f"mover ({parts_label})", deff=var / vsrs if vsrs > 0 else None,
        n_households=wr.n_households + (mr.n_households if has_m else 0),
        n_persons=wr.n_persons + (mr.n_persons if has_m else 0), n_psu=int(n_psu),
        extra={"correlation": rho, "not_exited_persons": U, "exited_persons": Ereg,
               "nonregistered_population": Nreg, "agricultural_population": A,
               "estimated_wrongful_persons": Ereg * r_w, "estimated_missed_persons": n_m * r_m,
               "missed_term_included": bool(has_m)},
        growth=growth,
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
    (Clopper–Pearson) interval that describes the respondents only. Rows are placed by (province,
    county) when the table has a province, else by the county name when only one chosen county has it."""
    if cadres is None or cadres.height == 0:
        return {}
    c = cadres.filter(pl.col("approves").is_not_null())
    if c["county"].is_null().all() and len(counties) == 1:
        c = c.with_columns(county=pl.lit(K.split(counties[0])[1]))
    if "province" in c.columns and c["province"].is_not_null().any():
        c = c.with_columns(K.key_expr().alias("ckey"))
    else:
        by_name: dict[str, list[str]] = {}
        for key in counties:
            by_name.setdefault(K.split(key)[1], []).append(key)
        unique = {n: ks[0] for n, ks in by_name.items() if len(ks) == 1}
        c = c.with_columns(pl.col("county").replace_strict(unique, default=None, return_dtype=pl.String).alias("ckey"))
    out = {}
    for r in c.group_by("ckey").agg(n=pl.len(), yes=pl.col("approves").sum()).iter_rows(named=True):
        if r["ckey"] not in counties or r["n"] == 0:
            continue
        n, p = float(r["n"]), r["yes"] / r["n"]
        iv = svy.prop_interval(p, p * (1 - p) / n, n, n - 1, "beta")
        out[r["ckey"]] = Indicator(p, p, math.sqrt(p * (1 - p) / n), float(iv.low[0]), float(iv.high[0]),
                                   "clopper-pearson (respondents are not a probability sample)", None,
                                   int(n), int(n), 0, {"approving": int(r["yes"])})
    return out


def _county_row(info: dict[str, dict[str, Any]], key: str) -> dict[str, Any]:
    """The counties-table row of a county key; a row without a province matches by name when it is the
    only row of that name."""
    if key in info:
        return info[key]
    name = K.split(key)[1]
    same = [r for r in info.values() if r.get("county") == name]
    return same[0] if len(same) == 1 and not same[0].get("province") else {}


def _county_rows(registry: Any) -> dict[str, dict[str, Any]]:
    """The registry's counties table by county key (province from the villages when the table has none)."""
    c = getattr(registry, "counties", None)
    if c is None or c.height == 0 or "county" not in c.columns:
        return {}
    if "province" not in c.columns:
        c = c.with_columns(pl.lit(None, dtype=pl.String).alias("province"))
    c = c.with_columns(K.key_expr().alias("ckey"))
    return {r["ckey"]: r for r in c.unique("ckey", keep="first").iter_rows(named=True)}


__all__ = ["DEFAULT_REFERENCE", "INDICATORS", "CountyEstimates", "Indicator", "SampleTables", "estimate_county",
           "estimate_many", "mover"]
