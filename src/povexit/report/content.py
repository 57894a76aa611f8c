"""Work-directory tables → :class:`~povexit.report.model.CountyReport` (pure: no files, no clock).

Every number of the county report is computed here, once, from the pipeline's own files: counts
from the findings and submissions, indicators and decision from ``estimates.json`` (never
recomputed — the estimate layer is the authority), sampling facts from the sample files.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import polars as pl

from .. import __version__
from ..estimate.indicators import NAMES as INDICATOR_NAMES
from . import labels as L
from .households import household_table, split_rules, team_of
from .model import (
    Annex,
    CountyReport,
    Disapproval,
    ExtraIndicator,
    Feedback,
    FeedbackCase,
    IndicatorRow,
    Interviews,
    Overview,
    ProblemCategory,
    ProblemItem,
    Sampling,
    StratumRow,
    TownshipFieldwork,
    VillageProblem,
)
from .new_items import new_items
from .village_checks import check_village
from .workdir import WorkdirData

STATUS_KEYS = ("exited", "poor", "returned", "registered", "general")


def _county_filter(df: pl.DataFrame, county: str) -> pl.DataFrame:
    if df.is_empty() or "county" not in df.columns or not county:
        return df
    sub = df.filter(pl.col("county").cast(pl.String) == county)
    return sub if not sub.is_empty() else df


def _yes(df: pl.DataFrame, col: str) -> pl.Expr:
    """A yes/no column as bool whatever it was stored as (bool, 是/否, 1/0, true/false)."""
    if col not in df.columns:
        return pl.lit(None, dtype=pl.Boolean)
    if df.schema[col] == pl.Boolean:
        return pl.col(col)
    s = pl.col(col).cast(pl.String).str.strip_chars().str.to_lowercase()
    return pl.when(s.is_in(["是", "1", "true", "t", "y", "yes", "1.0"])).then(True).when(
        s.is_in(["否", "0", "false", "f", "n", "no", "0.0"])).then(False).otherwise(None)


def _float(v: Any) -> float | None:
    try:
        return None if v is None else float(v)
    except (TypeError, ValueError):
        return None


def _int(v: Any) -> int | None:
    f = _float(v)
    return None if f is None else round(f)


def _localised(item: Any, lang: str) -> str:
    if isinstance(item, dict):
        return str(item.get(lang) or item.get("zh") or item.get("en") or "")
    return str(item)


# ---- indicators -----------------------------------------------------------------------------------

def indicator_rows(est: dict[str, Any], lang: str) -> list[IndicatorRow]:
    thresholds = {**L.DEFAULT_THRESHOLDS, **{k: v for k, v in (est.get("thresholds") or {}).items() if v is not None}}
    near = set(est.get("near_threshold") or [])
    rows = []
    for spec in L.INDICATORS:
        ind = est["indicators"][spec.key]
        thr = _float(thresholds.get(spec.key))
        lo, hi = _float(ind.get("ci_low")), _float(ind.get("ci_high"))
        rows.append(IndicatorRow(
            key=spec.key, name=L.pick(spec.name, lang), kind=L.pick(spec.kind, lang),
            official=_float(ind.get("official")), estimate=_float(ind.get("estimate")), se=_float(ind.get("se")),
            ci_low=lo, ci_high=hi, ci_method=ind.get("ci_method"), deff=_float(ind.get("deff")),
            n_households=_int(ind.get("n_households")), n_persons=_int(ind.get("n_persons")),
            n_psu=_int(ind.get("n_psu")), threshold=thr, direction=spec.direction,
            meets_official=L.meets(spec, _float(ind.get("official")), thr),
            meets_estimate=L.meets(spec, _float(ind.get("estimate")), thr),
            ci_contains_threshold=None if (lo is None or hi is None or thr is None) else lo <= thr <= hi,
            near_threshold=spec.key in near,
        ))
    return rows


def extra_indicators(est: dict[str, Any], lang: str) -> list[ExtraIndicator]:
    """Indicators the estimate layer adds beyond the four (识别准确率, 退出准确率 …)."""
    out = []
    for key, ind in sorted(est["indicators"].items()):
        if key in L.INDICATOR_BY_KEY or not isinstance(ind, dict):
            continue
        name = L.pick(INDICATOR_NAMES[key], lang) if key in INDICATOR_NAMES else key
        out.append(ExtraIndicator(key, name, _float(ind.get("official")), _float(ind.get("estimate")),
                                  _float(ind.get("ci_low")), _float(ind.get("ci_high")),
                                  _int(ind.get("n_households")), ind.get("ci_method")))
    return out


# ---- overview -------------------------------------------------------------------------------------

def _enumerator_ids(*frames: pl.DataFrame) -> tuple[set[str], set[str]]:
    people: set[str] = set()
    teams: set[str] = set()
    for df in frames:
        if df.is_empty() or "enumerators" not in df.columns:
            continue
        for v in df["enumerators"].cast(pl.String).drop_nulls().to_list():
            t = team_of(v)
            if t:
                teams.add(t)
                people.update(t.split(";"))
    return people, teams


def _dates(hh: pl.DataFrame, *frames: pl.DataFrame) -> list:
    from .households import _date_expr

    days = set(hh["date"].drop_nulls().to_list()) if "date" in hh.columns else set()
    for df in frames:
        if not df.is_empty() and "started_at" in df.columns:
            days.update(df.select(_date_expr(df, "started_at").alias("d"))["d"].drop_nulls().to_list())
    return sorted(days)


def overview(data: WorkdirData, hh: pl.DataFrame) -> Overview:
    county = data.county
    rv = _county_filter(data.reg_villages, county)
    sv = _county_filter(data.sample_villages, county)
    province = city = None
    for df in (rv, data.reg_households, data.counties):
        if not df.is_empty() and "province" in df.columns:
            sub = _county_filter(df, county)
            province = province or (sub["province"].drop_nulls().cast(pl.String).head(1).to_list() or [None])[0]
            if "city" in sub.columns:
                city = city or (sub["city"].drop_nulls().cast(pl.String).head(1).to_list() or [None])[0]
    all_towns = sorted(set(rv["township"].drop_nulls().cast(pl.String).to_list())) if not rv.is_empty() else []
    visited_towns = set(hh["township"].drop_nulls().to_list())
    rvil = data.resp_villages
    vis_villages = set(hh["village_id"].drop_nulls().to_list())
    if not rvil.is_empty() and "village_id" in rvil.columns:
        vis_villages.update(rvil["village_id"].drop_nulls().cast(pl.String).to_list())
        if "township" in rvil.columns:
            visited_towns.update(rvil["township"].drop_nulls().cast(pl.String).to_list())
    groups = hh.filter(pl.col("group").is_not_null()).select("village_id", "group").unique().height
    days = _dates(hh, data.resp_villages, data.resp_cadres)
    people, teams = _enumerator_ids(data.resp_households, data.resp_villages, data.resp_cadres)
    reg = hh.filter(pl.col("instrument") == "registered")
    by_status = {k: v for k, v in Counter(reg["status"].to_list()).items()}
    sh = _county_filter(data.sample_households, county)
    target = None
    if not sh.is_empty() and "instrument" in sh.columns:
        main = sh.filter(pl.col("instrument") == "registered")
        if "reserve_rank" in main.columns:
            main = main.filter(pl.col("reserve_rank").is_null() | (pl.col("reserve_rank").cast(pl.String) == ""))
        target = main.height
    sg = _county_filter(data.sample_groups, county)
    census_visited = 0
    if not sg.is_empty() and {"village_id", "group"} <= set(sg.columns):
        seen = set(hh.select("village_id", "group").drop_nulls().iter_rows())
        census_visited = sum(1 for k in sg.select(pl.col("village_id").cast(pl.String), pl.col("group").cast(pl.String))
                             .iter_rows() if k in seen)
    return Overview(
        county=county, province=province, city=city,
        first_day=days[0] if days else None, last_day=days[-1] if days else None, fieldwork_days=len(days),
        enumerators=len(people), teams=len(teams),
        townships_total=len(all_towns) or None,
        townships_visited=sorted(visited_towns),
        townships_not_visited=[t for t in all_towns if t not in visited_towns],
        villages_sampled=sv.height, villages_visited=len(vis_villages), groups_visited=groups,
        census_groups=sg.height, census_groups_visited=census_visited,
        households_valid=hh.height, registered_valid=reg.height, registered_by_status=by_status,
        general_valid=hh.filter(pl.col("instrument") == "general").height,
        registered_target=target, **_rejections(data.rejected),
        cannot_judge=hh.filter(~pl.col("judged")).height if "judged" in hh.columns else 0,
    )


def _rejections(rej: pl.DataFrame) -> dict[str, int]:
    """Submissions (file, row) rejected with an error vs only flagged with a warning (responses/rejected.csv)."""
    if rej.is_empty():
        return {"rejected_submissions": 0, "flagged_submissions": 0}
    keys = [c for c in ("file", "row") if c in rej.columns] or rej.columns
    if "severity" not in rej.columns:
        return {"rejected_submissions": rej.select(keys).unique().height, "flagged_submissions": 0}
    err = rej.filter(pl.col("severity").cast(pl.String) == "error").select(keys).unique()
    warn = rej.filter(pl.col("severity").cast(pl.String) != "error").select(keys).unique()
    return {"rejected_submissions": err.height, "flagged_submissions": warn.join(err, on=keys, how="anti").height}


def interviews(data: WorkdirData, lang: str) -> Interviews:
    c = data.resp_cadres
    by_role: list[tuple[str, int, int]] = []
    total = approving = 0
    if not c.is_empty():
        role = c["respondent_role"].cast(pl.String).fill_null("other") if "respondent_role" in c.columns else None
        appr = c.select(_yes(c, "approves").alias("a"))["a"]
        roles = role.to_list() if role is not None else ["other"] * c.height
        counts: dict[str, list[int]] = {}
        for r, a in zip(roles, appr.to_list(), strict=True):
            counts.setdefault(r, [0, 0])
            counts[r][0] += 1
            counts[r][1] += int(a is True)
        order = list(L.ROLE_LABELS)
        for r in sorted(counts, key=lambda x: (order.index(x) if x in order else len(order), x)):
            label = L.pick(L.ROLE_LABELS[r], lang) if r in L.ROLE_LABELS else r
            by_role.append((label, counts[r][0], counts[r][1]))
        total = c.height
        approving = int(appr.sum() or 0)
    return Interviews(by_role=by_role, village_checklists=data.resp_villages.height,
                      cadre_total=total, cadre_approving=approving)


# ---- problems -------------------------------------------------------------------------------------

def problem_categories(hh: pl.DataFrame, lang: str) -> tuple[list[ProblemCategory], int]:
    """Households by category of the problems found (problems, policy gaps, items to review)."""
    rows = hh.select("household_id", "status", "rules").explode("rules").drop_nulls("rules")
    rows = rows.filter(pl.col("rules").map_elements(lambda r: L.rule_kind(r) in L.PROBLEM_KINDS,
                                                     return_dtype=pl.Boolean))
    cats: dict[str, dict[str, Any]] = {}
    for hid, status, rule in rows.iter_rows():
        cat = L.rule_category(rule)
        c = cats.setdefault(cat, {"hh": set(), "status": {}, "items": {}})
        c["hh"].add(hid)
        c["status"].setdefault(status, set()).add(hid)
        c["items"].setdefault(rule, set()).add(hid)
    out = []
    for key in L.CATEGORY_ORDER:
        if key not in cats:
            continue
        c = cats[key]
        items = sorted(((r, len(s)) for r, s in c["items"].items()), key=lambda x: (-x[1], x[0]))
        out.append(ProblemCategory(
            key=key, label=L.pick(L.CATEGORIES[key], lang), group=L.pick(L.CATEGORY_GROUP[key], lang),
            households=len(c["hh"]), by_status={s: len(v) for s, v in sorted(c["status"].items())},
            items=[ProblemItem(r, L.rule_label(r, lang), n) for r, n in items],
        ))
    n_hh = rows["household_id"].n_unique() if rows.height else 0
    return out, n_hh


def village_problems(data: WorkdirData, lang: str) -> tuple[list[VillageProblem], int]:
    rv = data.resp_villages
    if rv.is_empty():
        return [], 0
    names = {}
    sv = data.sample_villages
    if not sv.is_empty() and "village_id" in sv.columns:
        for r in sv.select(pl.col("village_id").cast(pl.String), pl.col("township").cast(pl.String),
                           pl.col("village").cast(pl.String)).iter_rows():
            names[r[0]] = (r[1], r[2])
    out = []
    for row in rv.to_dicts():
        chk = check_village(row)
        town, vil = chk.township, chk.village
        if (town is None or vil is None) and chk.village_id in names:
            town, vil = town or names[chk.village_id][0], vil or names[chk.village_id][1]
        for rule, ev_zh, ev_en in chk.problems:
            out.append(VillageProblem(town, vil, rule, L.rule_label(rule, lang), ev_en if lang == "en" else ev_zh))
    out.sort(key=lambda p: (p.township or "", p.village or "", p.rule_id))
    return out, rv.height


def disapproval(hh: pl.DataFrame) -> Disapproval:
    answered = hh.filter(pl.col("approves").is_not_null())
    dis = answered.filter(~pl.col("approves"))
    reasons = Counter(r.strip() for r in dis["disapproval_reason"].drop_nulls().to_list() if r and r.strip())
    return Disapproval(households=dis.height, surveyed=answered.height, reasons=reasons.most_common(5))


# ---- feedback (疑似错退 / 疑似漏评) ---------------------------------------------------------------

def feedback(data: WorkdirData, hh: pl.DataFrame, lang: str) -> Feedback:
    info = {r["household_id"]: r for r in hh.to_dicts()}
    cases = data.cases
    from_file = not cases.is_empty() and "kind" in cases.columns
    items: list[tuple[str | None, str, str, str, list[str], str]] = []  # case_id, hid, kind, outcome, rules, note
    if from_file:
        for r in cases.to_dicts():
            kind = str(r.get("kind") or "")
            if kind not in L.CASE_KINDS:
                continue
            note = r.get("reason") or r.get("comment") or ""
            items.append((r.get("case_id"), str(r["household_id"]), kind, str(r.get("outcome") or "pending"),
                          split_rules(r.get("rules")), str(note or "")))
        # a hand-kept cases file may list only some flagged households: the others are still suspected (待核)
        listed = {(i[1], i[2]) for i in items}
        for r in hh.to_dicts():
            for kind in ("wrongful_exit", "missed"):
                if r[kind] and (r["household_id"], kind) not in listed:
                    items.append((None, r["household_id"], kind, "pending", r["rules"] or [], ""))
    else:
        for r in hh.to_dicts():
            if r["wrongful_exit"]:
                items.append((None, r["household_id"], "wrongful_exit", "pending", r["rules"] or [], ""))
            if r["missed"]:
                items.append((None, r["household_id"], "missed", "pending", r["rules"] or [], ""))
    out: list[FeedbackCase] = []
    tallies: dict[str, Counter] = {"wrongful_exit": Counter(), "missed": Counter()}
    for case_id, hid, kind, outcome, rules, note in items:
        h = info.get(hid, {})
        rules = [x for x in (rules or (h.get("rules") or [])) if L.rule_kind(x) in L.PROBLEM_KINDS]
        text = h.get("problems_en") if lang == "en" else h.get("problems_zh")
        reasons = text or "；".join(L.rule_label(x, lang) for x in rules)
        cats = sorted({L.pick(L.CATEGORIES[L.rule_category(x)], lang) for x in rules})
        persons = h.get("wrongful_exit_persons" if kind == "wrongful_exit" else "missed_persons") or h.get("persons")
        out.append(FeedbackCase(
            case_id=case_id, kind=kind, kind_label=L.pick(L.CASE_KINDS[kind], lang),
            township=h.get("township"), village=h.get("village"), group=h.get("group"), household_id=hid,
            masked_id=h.get("masked_id") or "", masked_name=h.get("masked_name") or "",
            persons=_int(persons), reasons=reasons, categories=cats, outcome=outcome,
            outcome_label=L.pick(L.OUTCOMES.get(outcome, (outcome, outcome)), lang), note=note,
        ))
        tallies[kind][outcome] += 1
    out.sort(key=lambda c: (list(L.CASE_KINDS).index(c.kind), c.township or "", c.village or "", c.household_id))

    def tally(kind: str) -> dict[str, int]:
        t = tallies[kind]
        return {"total": sum(t.values()), **{k: t.get(k, 0) for k in ("confirmed", "dismissed", "pending")}}

    return Feedback(wrongful_exit=tally("wrongful_exit"), missed=tally("missed"), cases=out, from_cases_file=from_file)


# ---- sampling and fieldwork -----------------------------------------------------------------------

def _design_name(manifest: dict[str, Any] | None) -> str | None:
    if not manifest:
        return None
    d = manifest.get("design")
    if isinstance(d, dict):
        return str(d.get("name") or d.get("id") or "") or None
    return None if d is None else str(d)


def sampling(data: WorkdirData) -> Sampling:
    county = data.county
    sv = _county_filter(data.sample_villages, county)
    sh = _county_filter(data.sample_households, county)
    sg = _county_filter(data.sample_groups, county)
    rv = _county_filter(data.reg_villages, county)
    towns_total = rv["township"].n_unique() if not rv.is_empty() and "township" in rv.columns else None
    reasons = Counter(sv["reason"].cast(pl.String).fill_null("—").to_list()) if "reason" in sv.columns else Counter()
    main = sh
    if not sh.is_empty() and "reserve_rank" in sh.columns:
        main = sh.filter(pl.col("reserve_rank").is_null() | (pl.col("reserve_rank").cast(pl.String) == ""))
    reg_main = main.filter(pl.col("instrument") == "registered") if "instrument" in main.columns else main
    strata: list[StratumRow] = []
    if not sv.is_empty() and "stratum" in sv.columns:
        sv_num = sv.with_columns(pl.col("p_village").cast(pl.Float64, strict=False).alias("_p"),
                                 (pl.col("fpc_village").cast(pl.Float64, strict=False) if "fpc_village" in sv.columns
                                  else pl.lit(None, dtype=pl.Float64)).alias("_N"))
        per_stratum_hh = Counter(reg_main["stratum"].cast(pl.String).to_list()) if "stratum" in reg_main.columns else Counter()
        for st, g in sorted(sv_num.group_by(pl.col("stratum").cast(pl.String)), key=lambda x: str(x[0][0])):
            name = str(st[0])
            nmax = g["_N"].max()
            strata.append(StratumRow(
                stratum=name, villages=g.height, villages_in_frame=None if nmax is None else round(nmax),
                registered_households=per_stratum_hh.get(name, 0),
                p_village_min=g["_p"].min(), p_village_max=g["_p"].max(),
            ))
    weights = sh["weight"].cast(pl.Float64, strict=False).drop_nulls() if "weight" in sh.columns else pl.Series([])
    reserve_used = None
    if "reserve_rank" in sh.columns and not data.findings.is_empty():
        reserve_ids = set(sh.filter(pl.col("reserve_rank").is_not_null() & (pl.col("reserve_rank").cast(pl.String) != ""))
                          ["household_id"].cast(pl.String).to_list())
        reserve_used = sum(1 for h in data.findings["household_id"].to_list() if h in reserve_ids)
    census_pop = None
    if "nonregistered_population" in sg.columns:
        census_pop = int(sg["nonregistered_population"].cast(pl.Float64, strict=False).sum() or 0)
    return Sampling(
        design=_design_name(data.manifest), seed=(data.manifest or {}).get("seed"),
        villages=sv.height,
        townships_covered=sv["township"].n_unique() if "township" in sv.columns else 0,
        townships_total=towns_total,
        poor_villages=_village_flag_count(sv, data.reg_villages, "poor_village"),
        weak_area_villages=_village_flag_count(sv, data.reg_villages, "weak_area"),
        by_reason=dict(sorted(reasons.items())), strata=strata,
        registered_households=reg_main.height,
        general_listed=main.filter(pl.col("instrument") == "general").height if "instrument" in main.columns else 0,
        census_groups=sg.height, census_population=census_pop,
        weight_min=float(weights.min()) if weights.len() else None,
        weight_max=float(weights.max()) if weights.len() else None,
        reserve_used=reserve_used,
    )


def _village_flag_count(sv: pl.DataFrame, rv: pl.DataFrame, flag: str) -> int | None:
    """Sampled villages with a flag (poor village, weak area): from the sample's own column, else from the
    registry's villages by village_id; None when neither says (another tool's sample) — never 0."""
    if flag in sv.columns:
        return int(sv.select(_yes(sv, flag).sum())[0, 0] or 0)
    if rv.is_empty() or flag not in rv.columns or "village_id" not in rv.columns or "village_id" not in sv.columns:
        return None
    ids = sv["village_id"].cast(pl.String).to_list()
    known = rv.filter(pl.col("village_id").cast(pl.String).is_in(ids))
    if known.select(pl.col("village_id").n_unique()).item() < len(set(ids)):
        return None
    return int(known.unique("village_id").select(_yes(known, flag).sum())[0, 0] or 0)


def fieldwork(data: WorkdirData, hh: pl.DataFrame) -> list[TownshipFieldwork]:
    county = data.county
    sv = _county_filter(data.sample_villages, county)
    sh = _county_filter(data.sample_households, county)
    vtown: dict[str, str] = {}
    if not sv.is_empty() and "township" in sv.columns:
        vtown = dict(sv.select(pl.col("village_id").cast(pl.String), pl.col("township").cast(pl.String)).iter_rows())
    towns: dict[str, dict[str, Any]] = {}

    def t(name: str | None) -> dict[str, Any]:
        return towns.setdefault(name or "—", {"vs": set(), "vv": set(), "target": 0, "reg": 0, "gen": 0, "prob": 0})

    for vid, town in vtown.items():
        t(town)["vs"].add(vid)
    if not sh.is_empty() and "instrument" in sh.columns:
        main = sh
        if "reserve_rank" in sh.columns:
            main = sh.filter(pl.col("reserve_rank").is_null() | (pl.col("reserve_rank").cast(pl.String) == ""))
        for vid, inst in main.select(pl.col("village_id").cast(pl.String), pl.col("instrument").cast(pl.String)).iter_rows():
            if inst == "registered":
                t(vtown.get(vid))["target"] += 1
    for r in hh.select("township", "village_id", "instrument", "rules").iter_rows(named=True):
        d = t(r["township"] or vtown.get(r["village_id"] or ""))
        if r["village_id"]:
            d["vv"].add(r["village_id"])
        d["reg" if r["instrument"] == "registered" else "gen"] += 1
        d["prob"] += int(any(L.rule_kind(x) in L.PROBLEM_KINDS for x in (r["rules"] or [])))
    return [
        TownshipFieldwork(township=k, villages_sampled=len(v["vs"]), villages_visited=len(v["vv"]),
                          registered_target=v["target"], registered_done=v["reg"], general_done=v["gen"],
                          problem_households=v["prob"])
        for k, v in sorted(towns.items())
    ]


# ---- annex ----------------------------------------------------------------------------------------

_HASH_KEYS = ("inputs", "input_hashes", "input_sha256", "hashes", "files")
# What the annex prints of the manifest: the design and how to re-draw it (counts and output hashes are
# elsewhere in the report).
_DESIGN_KEYS = ("design", "seed", "povexit_version", "version", "created_at", "contract")


def _flatten(obj: Any, prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(obj, dict):
        for k in sorted(obj, key=str):
            out.extend(_flatten(obj[k], f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        for i, x in enumerate(obj):
            out.extend(_flatten(x, f"{prefix}[{i}]"))
    else:
        text = ", ".join(map(str, obj)) if isinstance(obj, list) else ("" if obj is None else str(obj))
        out.append((prefix, text if len(text) <= 200 else text[:197] + "…"))
    return out


def annex(data: WorkdirData, hh: pl.DataFrame) -> Annex:
    m = data.manifest or {}
    inputs: list[tuple[str, str]] = []
    for k in _HASH_KEYS:
        v = m.get(k)
        if isinstance(v, dict) and v:
            for name, h in sorted(v.items()):
                inputs.append((str(name), h if isinstance(h, str) else str(h.get("sha256", h)) if isinstance(h, dict) else str(h)))
            break
    params = _flatten({k: v for k, v in m.items() if k in _DESIGN_KEYS})
    ruleset = None
    f = data.findings
    if "ruleset" in f.columns:
        names = sorted(set(f["ruleset"].drop_nulls().cast(pl.String).to_list()))
        vers = sorted(set(f["ruleset_version"].drop_nulls().cast(pl.String).to_list())) if "ruleset_version" in f.columns else []
        if names:
            ruleset = ", ".join(names) + (f" ({', '.join(vers)})" if vers else "")
    methods = sorted({str(v.get("ci_method")) for v in data.estimates["indicators"].values()
                      if isinstance(v, dict) and v.get("ci_method")})
    return Annex(
        manifest_sha256=data.file_hashes.get("sample/manifest.json"),
        design_parameters=params, input_hashes=inputs,
        file_hashes=sorted(data.file_hashes.items()), ruleset=ruleset,
        povexit_version=__version__, ci_methods=methods,
    )


_WARN = {
    "registry/": ("工作目录中没有导入后的建档立卡数据（registry/），乡镇总数和户主信息从略。",
                  "No imported registry (registry/) in the work directory: township totals and heads of household omitted."),
    "sample/": ("工作目录中没有样本文件（sample/），抽样方法一节从略。",
                "No sample files (sample/): the sampling section is omitted."),
    "sample/manifest.json": ("样本目录中没有 manifest.json，附录中的设计参数和哈希值从略。",
                             "No sample/manifest.json: design parameters and hashes omitted from the annex."),
    "responses/": ("工作目录中没有调查数据（responses/），调查日期和调查组从略。",
                   "No survey data (responses/): fieldwork dates and teams omitted."),
}


def county_report(data: WorkdirData, *, lang: str = "zh") -> CountyReport:
    """Build the whole content model of one county's report (pure)."""
    lang = "en" if lang == "en" else "zh"
    est = data.estimates
    hh = household_table(data)
    probs, n_prob = problem_categories(hh, lang)
    vprobs, n_checked = village_problems(data, lang)
    reasons_raw = est.get("reasons_en") if lang == "en" and est.get("reasons_en") else est.get("reasons") or []
    stage = str(est.get("stage") or "provisional")
    return CountyReport(
        lang=lang, county=data.county, stage=stage,
        stage_label=L.pick(L.STAGES.get(stage, (stage, stage)), lang),
        decision=est["decision"], decision_label=L.pick(L.DECISIONS[est["decision"]], lang),
        reasons=[_localised(r, lang) for r in reasons_raw],
        overview=overview(data, hh), interviews=interviews(data, lang),
        indicators=indicator_rows(est, lang), extra_indicators=extra_indicators(est, lang),
        near_threshold_notes=bool(est.get("near_threshold_detail")), problems=probs, problem_households=n_prob,
        village_problems=vprobs, villages_checked=n_checked, disapproval=disapproval(hh),
        feedback=feedback(data, hh, lang), sampling=sampling(data), fieldwork=fieldwork(data, hh),
        annex=annex(data, hh), new_items=new_items(data, hh, lang),
        warnings=[L.pick(_WARN[w], lang) if w in _WARN else w for w in data.warnings],
    )
