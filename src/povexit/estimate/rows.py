"""The design rows the estimators run on: one row per surveyed household, per census group (its
non-registered population) and per sampled village (its non-registered population), with strata,
clusters, weights and finite population corrections of the three stages, and what each stage counts.

Units inside a sampled village (docs/statistics.md §1):

- ``registered``: exited households drawn from the registered frame (``p_household``);
- ``roster``: households found by matching other departments' lists (大数据比对) — every hit of a
  sampled village (a certainty stratum, ``p_household`` = 1) or a sample of them (``midyear-2020``);
  a hit living in a census group is surveyed once, under its ``R…`` id, and belongs to this stratum;
- ``census``: the other non-registered households of the census groups (``p_group``; all of them);
- ``village``: the village itself, carrying its non-registered agricultural population (the
  denominator of the roster part of 漏评率; it is known once the village is drawn);
- ``general``: other listed non-registered households (counted in the official figure and approval).

A row of a certainty village (``p_village`` = 1) that is itself certain (``p_unit`` = 1: a roster
hit, the village row) is *fixed*: it is in a self-representing stratum and adds no variance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from .. import errors as E
from ..errors import estimate as EE
from . import keys as K
from .inputs import SampleTables

Stage = Literal["provisional", "final"]
FpcRule = Literal["auto", "yes", "no"]
CERTAINTY_P = 1 - 1e-9


@dataclass
class Rows:
    frame: pl.DataFrame  # design rows (see the module docstring)
    warnings: dict[str, list[tuple[str, str]]]  # per county key: (zh, en)
    info: dict[str, dict[str, Any]]  # per county key: stage, pending, official missed parts, frames


# ---- stages -----------------------------------------------------------------------------------------


def case_status(findings: pl.DataFrame, cases: pl.DataFrame | None) -> pl.DataFrame:
    """Per household and kind (wrongful_exit, missed): ``_c_*`` confirmed (any case confirmed),
    ``_d_*`` dismissed (every case dismissed), ``_p_*`` undecided (a case neither confirmed nor
    all dismissed), ``_h_*`` has a case."""
    out = findings
    for kind in ("wrongful_exit", "missed"):
        if cases is None:
            out = out.with_columns(pl.lit(False).alias(f"_c_{kind}"), pl.lit(False).alias(f"_d_{kind}"),
                                   pl.lit(False).alias(f"_h_{kind}"))
            continue
        o = (cases.filter(pl.col("kind") == kind).group_by("household_id")
             .agg((pl.col("outcome") == "confirmed").any().alias(f"_c_{kind}"),
                  (pl.col("outcome") == "dismissed").all().alias(f"_d_{kind}"),
                  pl.lit(True).alias(f"_h_{kind}")))
        out = out.join(o, on="household_id", how="left").with_columns(
            pl.col(f"_c_{kind}").fill_null(False), pl.col(f"_d_{kind}").fill_null(False),
            pl.col(f"_h_{kind}").fill_null(False))
    return out


def _counts(kind: str, flag: str, final: pl.Expr) -> pl.Expr:
    """What a stage counts for one kind: final — the confirmed cases (even one the adjudication did not
    flag); provisional — every flagged finding unless verification dismissed it."""
    return (pl.when(final).then(pl.col(f"_c_{kind}"))
            .otherwise(pl.col(flag) & ~pl.col(f"_d_{kind}")))


# ---- registry ----------------------------------------------------------------------------------------


def registry_lookup(registry: Any, ids: pl.Series | None = None) -> pl.DataFrame:
    """The registry's status of each household (of ``ids`` only, when given: a national registry is
    large and only the surveyed households are needed)."""
    hh = getattr(registry, "households", None)
    if hh is None or hh.height == 0 or "status" not in hh.columns:
        return pl.DataFrame(schema={"household_id": pl.String, "registry_status": pl.String})
    hh = hh.select(pl.col("household_id").cast(pl.String), pl.col("status").cast(pl.String).alias("registry_status"))
    if ids is not None:
        hh = hh.filter(pl.col("household_id").is_in(ids.implode()))
    return hh.unique("household_id", keep="first")


def _nonregistered(v: pl.DataFrame) -> pl.DataFrame:
    """Per registry village: non-registered agricultural population (agricultural population minus
    registered persons of every status) and non-registered households when the counts are there."""
    def col(name: str) -> pl.Expr:
        return pl.col(name).cast(pl.Float64).fill_null(0.0) if name in v.columns else pl.lit(0.0)

    if all(c in v.columns for c in ("poor_persons", "exited_persons", "returned_persons")):
        reg = col("poor_persons") + col("exited_persons") + col("returned_persons")
    else:
        reg = col("registered_persons")
    households = (pl.max_horizontal(col("households") - col("registered_households"), pl.lit(0.0))
                  if "households" in v.columns and "registered_households" in v.columns else pl.lit(None, pl.Float64))
    return v.with_columns(
        pl.max_horizontal(col("agricultural_population") - reg, pl.lit(0.0)).alias("_x_v"),
        households.alias("_h_v"),
    )


def registry_totals(registry: Any, chosen: list[str]) -> dict[str, dict[str, float]]:
    """A, U, E per county key from the registry (villages' agricultural population; persons by status),
    and the frames the near-threshold advice is capped by (villages, exited households, groups)."""
    rv = K.registry_villages(registry)
    villages = rv.filter(pl.col("ckey").is_in(chosen))
    by_status: dict[str, dict[str, float]] = {}
    if all(c in villages.columns for c in ("poor_persons", "exited_persons", "returned_persons")):
        agg = villages.group_by("ckey").agg(pl.col(c).fill_null(0).sum() for c in ("poor_persons", "exited_persons", "returned_persons"))
        for r in agg.iter_rows(named=True):
            by_status[r["ckey"]] = {"poor": r["poor_persons"], "exited": r["exited_persons"], "returned": r["returned_persons"]}
    else:
        hh = _keyed_households(registry, rv)
        if hh is not None and "persons" in hh.columns:
            agg = hh.filter(pl.col("ckey").is_in(chosen)).group_by("ckey", "status").agg(pl.col("persons").sum())
        else:
            p = registry.persons.join(rv.select("village_id", "ckey"), on="village_id", how="inner") \
                if "village_id" in registry.persons.columns else registry.persons.with_columns(K.key_expr().alias("ckey"))
            agg = p.filter(pl.col("ckey").is_in(chosen)).group_by("ckey", "status").agg(persons=pl.len())
        for r in agg.iter_rows(named=True):
            by_status.setdefault(r["ckey"], {"poor": 0, "exited": 0, "returned": 0})[r["status"]] = float(r["persons"])
    agri = dict(villages.group_by("ckey").agg(pl.col("agricultural_population").fill_null(0).sum()).iter_rows())
    n_villages = dict(villages.group_by("ckey").agg(pl.len()).iter_rows())
    exited_hh = _exited_households(registry, rv, chosen)
    groups = getattr(registry, "groups", None)
    n_groups: dict[str, int] = {}
    if groups is not None and groups.height and "village_id" in groups.columns:
        n_groups = dict(groups.join(rv.select("village_id", "ckey"), on="village_id", how="inner")
                        .group_by("ckey").agg(pl.len()).iter_rows())
    nonreg = _nonregistered(villages)
    nonreg_hh = dict(nonreg.group_by("ckey").agg(pl.col("_h_v").sum()).iter_rows()) \
        if nonreg["_h_v"].is_not_null().any() else {}
    out: dict[str, dict[str, float]] = {}
    for c in chosen:
        if c not in agri:
            raise E.PovexitError(EE.COUNTY_NOT_IN_REGISTRY(value=K.label(c)))
        s = by_status.get(c, {"poor": 0, "exited": 0, "returned": 0})
        poor, exited, returned = (float(s.get(k, 0) or 0) for k in ("poor", "exited", "returned"))
        a = float(agri[c])
        out[c] = {
            "agricultural_population": a, "poor_persons": poor, "returned_persons": returned,
            "not_exited_persons": poor + returned, "exited_persons": exited,
            "registered_persons": poor + returned + exited,
            "nonregistered_population": max(a - poor - returned - exited, 0.0),
            "villages": float(n_villages.get(c, 0)),
            "exited_households": float(exited_hh[c]) if c in exited_hh else float("nan"),
            "groups": float(n_groups[c]) if c in n_groups else float("nan"),
            "nonregistered_households": float(nonreg_hh[c]) if nonreg_hh.get(c) else float("nan"),
        }
    return out


def _keyed_households(registry: Any, rv: pl.DataFrame) -> pl.DataFrame | None:
    hh = getattr(registry, "households", None)
    if hh is None or hh.height == 0 or "status" not in hh.columns:
        return None
    if "village_id" in hh.columns:
        return hh.join(rv.select(pl.col("village_id").cast(pl.String), "ckey"), on="village_id", how="inner")
    if "county" in hh.columns:
        return hh.with_columns(K.key_expr().alias("ckey")) if "province" in hh.columns else None
    return None


def _exited_households(registry: Any, rv: pl.DataFrame, chosen: list[str]) -> dict[str, int]:
    """Exited households per county key (counted per village first: the registry may be national)."""
    hh = getattr(registry, "households", None)
    if hh is None or hh.height == 0 or "status" not in hh.columns:
        return {}
    exited = hh.filter(pl.col("status") == "exited")
    if "village_id" in hh.columns:
        per_village = exited.group_by(pl.col("village_id").cast(pl.String)).agg(n=pl.len())
        keyed = per_village.join(rv.filter(pl.col("ckey").is_in(chosen)).select(
            pl.col("village_id").cast(pl.String), "ckey"), on="village_id", how="inner")
    elif "county" in hh.columns and "province" in hh.columns:
        keyed = exited.with_columns(K.key_expr().alias("ckey")).group_by("ckey").agg(n=pl.len())
    else:
        return {}
    return dict(keyed.group_by("ckey").agg(pl.col("n").sum()).iter_rows())


def _group_frames(registry: Any, groups: pl.DataFrame) -> pl.DataFrame:
    """Number of village groups of each sampled village in the registry frame (second-stage fpc of
    census groups); null when the registry has no groups table."""
    rg = getattr(registry, "groups", None)
    if rg is None or rg.height == 0 or "village_id" not in rg.columns:
        return pl.DataFrame(schema={"village_id": pl.String, "_g_frame": pl.Float64})
    return rg.group_by("village_id").agg(_g_frame=pl.len().cast(pl.Float64))


# ---- the rows ----------------------------------------------------------------------------------------


def sample_villages(sample: SampleTables, registry: Any) -> pl.DataFrame:
    """The sample's villages with their county key: village_id, county, province, ckey, stratum,
    p_village, fpc_village."""
    v = sample.villages.with_columns(pl.col("county").fill_null(""))
    keys = K.sample_village_keys(v, registry)
    v = v.select("village_id", "county", "stratum", "p_village", "fpc_village").join(keys, on="village_id", how="left")
    return v.unique("village_id", keep="first")


def build(sample: SampleTables, findings: pl.DataFrame, cases: pl.DataFrame | None, registry: Any,
          chosen: list[str], fpc: FpcRule, stage: Stage | None, all_villages: pl.DataFrame,
          screened_design: bool) -> Rows:
    """The design rows of the ``chosen`` counties (see the module docstring). ``stage``: the caller's
    choice, or None — then per county: final when cases are given and none that affects a count is
    pending, else provisional."""
    vill = all_villages.filter(pl.col("ckey").is_in(chosen))
    warnings: dict[str, list[tuple[str, str]]] = {c: list(sample.notes) for c in chosen}
    hh = sample.households
    if sample.reserve is not None:
        hh = pl.concat([hh, sample.reserve.select(hh.columns)], how="vertical_relaxed").unique("household_id", keep="first")
    listed = hh.select("village_id", "instrument", "source", "household_id")
    hh = hh.select("household_id", pl.col("village_id").alias("_s_village_id"), pl.col("group").alias("_s_group"),
                   "p_household", "weight", "fpc_household", "source")
    f = findings.join(hh, on="household_id", how="left")
    f = f.with_columns(
        village_id=pl.coalesce("village_id", "_s_village_id"),
        group=pl.coalesce("group", "_s_group"),
    ).drop("_s_village_id", "_s_group")
    f = f.drop([c for c in ("county", "province") if c in f.columns])
    f = f.join(vill, on="village_id", how="left")
    # findings of other counties (a national sample) are simply not ours; unknown households are errors
    unknown = f.filter(pl.col("ckey").is_null())
    if unknown.height:
        known = set(all_villages["village_id"].to_list())
        bad = unknown.filter(~pl.col("village_id").is_in(list(known)) | pl.col("village_id").is_null())
        if bad.height:
            row = bad.row(0, named=True)
            if row["village_id"] is not None and row["p_household"] is not None:
                raise E.PovexitError(EE.VILLAGE_NOT_IN_SAMPLE(value=row["village_id"]))
            raise _not_in_sample(row)
    f = f.filter(pl.col("ckey").is_not_null())
    # the village's design columns come from villages.csv (a groups file may repeat them)
    own = ("county", "province", "ckey", "p_village", "stratum", "fpc_village", "weight")
    groups = sample.groups.drop([c for c in own if c in sample.groups.columns]).join(
        vill.select("village_id", "county", "ckey"), on="village_id", how="inner")
    census_keys = groups.select("village_id", "group", pl.lit(True).alias("_census"))
    f = f.join(census_keys, on=["village_id", "group"], how="left").with_columns(pl.col("_census").fill_null(False))
    is_reg = pl.col("instrument") == "registered"
    is_roster = (pl.col("source") == "roster") | (pl.col("source").is_null() & pl.col("household_id").str.starts_with("R"))
    f = f.with_columns(
        sub=pl.when(is_reg).then(pl.lit("registered"))
        .when(is_roster).then(pl.lit("roster"))
        .when(pl.col("_census")).then(pl.lit("census"))
        .when(pl.col("p_household").is_not_null()).then(pl.lit("general"))
        .otherwise(pl.lit(None)),
    )
    lost = f.filter(pl.col("sub").is_null())
    if lost.height:
        raise _not_in_sample(lost.row(0, named=True))
    # the registry's status of each household; the adjudication's own registry_status column as fallback
    lookup = registry_lookup(registry, f["household_id"]).rename({"registry_status": "_reg_status"})
    f = f.join(lookup, on="household_id", how="left")
    fallback = pl.col("registry_status") if "registry_status" in f.columns else pl.lit(None, dtype=pl.String)
    f = f.with_columns(pl.coalesce("_reg_status", fallback).alias("registry_status")).drop("_reg_status")
    f = _fill_persons(f, registry)

    judged = (pl.col("status") != "cannot_judge").fill_null(True)
    exited = is_reg & (pl.col("registry_status").fill_null("exited") == "exited")
    general = ~is_reg
    # ---- stage per county: final only when no case that affects a count is undecided ----
    f = f.with_columns(_dom_w=exited & judged, _dom_m=general & judged)
    undecided = {
        kind: pl.col(dom) & ((pl.col(flag) & ~pl.col(f"_h_{kind}"))
                             | (pl.col(f"_h_{kind}") & ~pl.col(f"_c_{kind}") & ~pl.col(f"_d_{kind}")))
        for kind, flag, dom in (("wrongful_exit", "wrongful_exit", "_dom_w"), ("missed", "missed", "_dom_m"))
    }
    f = f.with_columns(_undecided_w=undecided["wrongful_exit"], _undecided_m=undecided["missed"])
    per_county = f.group_by("ckey").agg(
        unresolved=(pl.col("_undecided_w") | pl.col("_undecided_m")).sum(),
        without_case=((pl.col("_dom_w") & pl.col("wrongful_exit") & ~pl.col("_h_wrongful_exit"))
                      | (pl.col("_dom_m") & pl.col("missed") & ~pl.col("_h_missed"))).sum(),
    )
    unresolved = {r["ckey"]: (int(r["unresolved"]), int(r["without_case"])) for r in per_county.iter_rows(named=True)}
    stages = {c: stage or ("final" if cases is not None and unresolved.get(c, (0, 0))[0] == 0 else "provisional")
              for c in chosen}
    final = pl.col("ckey").replace_strict(stages, default="provisional") == "final"
    f = f.with_columns(
        count_wrongful=_counts("wrongful_exit", "wrongful_exit", final),
        count_missed=_counts("missed", "missed", final),
        _final=final,
    )
    # group-level design information for census units
    gfr = _group_frames(registry, groups)
    groups = groups.join(gfr, on=["village_id"], how="left")
    missed_found = pl.when(pl.col("count_missed") & judged & general).then(
        pl.when(pl.col("missed_persons") > 0).then(pl.col("missed_persons")).otherwise(pl.col("persons"))).otherwise(0.0)
    f = f.with_columns(_missed_found=missed_found)
    census_hh = f.filter(pl.col("_census") & general).group_by("village_id", "group").agg(
        _n_hh=pl.len(), _missed=pl.col("_missed_found").sum())
    groups = groups.join(census_hh, on=["village_id", "group"], how="left").with_columns(
        pl.col("_n_hh").fill_null(0), pl.col("_missed").fill_null(0.0))
    for r in groups.filter(pl.col("_n_hh") == 0).iter_rows(named=True):
        warnings[r["ckey"]].append((
            f"普查村民小组 {r['village_id']}/{r['group']} 没有调查户记录：按未发现漏评计入",
            f"Census group {r['village_id']}/{r['group']} has no surveyed households: counted as no missed persons found"))
    pool = groups.group_by("ckey").agg(_pool=pl.col("fpc_group").max() if "fpc_group" in groups.columns else pl.lit(None))
    groups = groups.with_columns(pl.col("p_group").fill_null(1.0)).join(pool, on="ckey", how="left")
    f = f.join(groups.select("village_id", "group", "p_group", "_g_frame", "_pool"), on=["village_id", "group"], how="left")

    # roster screening (大数据比对): a county is screened when its sample lists roster hits (or the
    # design says it matched rosters); then the official 漏评率 is over the sampled villages
    roster_listed = listed.filter((pl.col("instrument") == "general") & (
        (pl.col("source") == "roster") | (pl.col("source").is_null() & pl.col("household_id").str.starts_with("R"))))
    roster_villages = set(roster_listed["village_id"].to_list())
    vx = _village_populations(registry, vill)
    screened = {c: screened_design or bool(set(vill.filter(pl.col("ckey") == c)["village_id"].to_list()) & roster_villages)
                for c in chosen}
    missing = vx.filter(pl.col("_x_v").is_null() & pl.col("ckey").replace_strict(screened, default=False))
    if missing.height:
        raise E.PovexitError(EE.VILLAGE_NOT_IN_REGISTRY(value=missing["village_id"][0]))

    census = pl.col("sub") == "census"
    roster = pl.col("sub") == "roster"
    cert_v = pl.col("p_village") >= CERTAINTY_P
    hh_rows = f.select(
        "ckey", "county", "stratum", "village_id", "sub", "p_village", "fpc_village",
        unit=pl.when(census).then(pl.lit("G:") + pl.col("group").fill_null("")).otherwise(pl.col("household_id")),
        unit3=pl.col("household_id"),
        weight=pl.when(census).then(1.0 / (pl.col("p_village") * pl.col("p_group")))
        .when(pl.col("weight").is_not_null()).then(pl.col("weight"))
        .when(pl.col("p_household").is_not_null()).then(1.0 / (pl.col("p_village") * pl.col("p_household")))
        .otherwise(1.0 / pl.col("p_village")),
        p_unit=pl.when(census).then(pl.col("p_group")).otherwise(pl.col("p_household").fill_null(1.0)),
        fpc_unit=pl.when(census).then(pl.col("_g_frame")).otherwise(pl.col("fpc_household")),
        pool=pl.when(census).then(pl.col("_pool").cast(pl.Float64)).otherwise(pl.col("fpc_household")),
        is_exited=exited & judged,
        y_w=pl.when(exited & judged & pl.col("count_wrongful"))
        .then(pl.when(pl.col("wrongful_exit_persons") > 0).then(pl.col("wrongful_exit_persons")).otherwise(pl.col("persons")))
        .otherwise(0.0),
        x_w=pl.when(exited & judged).then(pl.col("persons").fill_null(0.0)).otherwise(0.0),
        is_census=pl.lit(False), y_m=pl.lit(0.0), x_m=pl.lit(0.0),
        is_R=roster & judged, y_R=pl.when(roster).then(pl.col("_missed_found")).otherwise(0.0),
        is_C=census & judged, y_C=pl.when(census).then(pl.col("_missed_found")).otherwise(0.0),
        is_V=pl.lit(False), x_V=pl.lit(0.0), h_V=pl.lit(0.0),
        is_hh=pl.lit(True),
        approves=pl.col("approves").cast(pl.Float64),
        persons=pl.col("persons").fill_null(0.0),
        in_census=pl.col("_census") & general,
        is_general=general,
        missed_found=pl.col("_missed_found"),
        flagged=(pl.col("wrongful_exit") & is_reg) | (pl.col("missed") & ~is_reg),
        counted=(pl.col("count_wrongful") & is_reg) | (pl.col("count_missed") & ~is_reg),
        confirmed=(pl.col("_c_wrongful_exit") & is_reg) | (pl.col("_c_missed") & ~is_reg),
        cannot_judge=~judged,
        fixed=cert_v & roster & (pl.col("p_household").fill_null(1.0) >= CERTAINTY_P),
    )
    group_rows = groups.join(vill.select("village_id", "stratum", "p_village", "fpc_village"), on="village_id", how="left").select(
        "ckey", "county", "stratum", "village_id", sub=pl.lit("census"), p_village="p_village", fpc_village="fpc_village",
        unit=pl.lit("G:") + pl.col("group").fill_null(""), unit3=pl.lit("#group-total:") + pl.col("group").fill_null(""),
        weight=1.0 / (pl.col("p_village") * pl.col("p_group")), p_unit=pl.col("p_group"), fpc_unit=pl.col("_g_frame"),
        pool=pl.col("_pool").cast(pl.Float64),
        is_exited=pl.lit(False), y_w=pl.lit(0.0), x_w=pl.lit(0.0),
        is_census=pl.lit(True), y_m=pl.col("_missed").cast(pl.Float64),
        x_m=pl.col("nonregistered_population").fill_null(0.0),
        is_R=pl.lit(False), y_R=pl.lit(0.0), is_C=pl.lit(False), y_C=pl.lit(0.0),
        is_V=pl.lit(False), x_V=pl.lit(0.0), h_V=pl.lit(0.0),
        is_hh=pl.lit(False), approves=pl.lit(None, dtype=pl.Float64), persons=pl.lit(0.0),
        in_census=pl.lit(False), is_general=pl.lit(False), missed_found=pl.lit(0.0),
        flagged=pl.lit(False), counted=pl.lit(False), confirmed=pl.lit(False), cannot_judge=pl.lit(False),
        fixed=pl.lit(False),
    )
    village_rows = vx.filter(pl.col("ckey").replace_strict(screened, default=False)).select(
        "ckey", "county", "stratum", "village_id", sub=pl.lit("village"), p_village="p_village", fpc_village="fpc_village",
        unit=pl.lit("V:") + pl.col("village_id"), unit3=pl.lit("#village:") + pl.col("village_id"),
        weight=1.0 / pl.col("p_village"), p_unit=pl.lit(1.0), fpc_unit=pl.lit(1.0), pool=pl.lit(1.0),
        is_exited=pl.lit(False), y_w=pl.lit(0.0), x_w=pl.lit(0.0),
        is_census=pl.lit(False), y_m=pl.lit(0.0), x_m=pl.lit(0.0),
        is_R=pl.lit(False), y_R=pl.lit(0.0), is_C=pl.lit(False), y_C=pl.lit(0.0),
        is_V=pl.lit(True), x_V=pl.col("_x_v"), h_V=pl.col("_h_v").fill_null(float("nan")),
        is_hh=pl.lit(False), approves=pl.lit(None, dtype=pl.Float64), persons=pl.lit(0.0),
        in_census=pl.lit(False), is_general=pl.lit(False), missed_found=pl.lit(0.0),
        flagged=pl.lit(False), counted=pl.lit(False), confirmed=pl.lit(False), cannot_judge=pl.lit(False),
        fixed=pl.col("p_village") >= CERTAINTY_P,
    )
    frame = pl.concat([hh_rows, group_rows, village_rows], how="vertical_relaxed")
    bad_w = frame.filter(~pl.col("weight").is_finite() | (pl.col("weight") <= 0))
    if bad_w.height:
        r = bad_w.row(0, named=True)
        raise E.PovexitError(EE.DESIGN_INVALID(reason=f"village {r['village_id']}: weight {r['weight']} "
                                               f"(p_village and p_household / p_group must be in (0, 1])"))
    info = _county_info(chosen, stages, unresolved, screened, vx, groups, f, cases is not None)
    return Rows(_design_columns(frame, fpc), warnings, info)


def _not_in_sample(row: dict[str, Any]) -> E.PovexitError:
    """A surveyed household the sample cannot place: named with its findings row."""
    return E.PovexitError(EE.HOUSEHOLD_NOT_IN_SAMPLE(
        file=row.get("_file") or "findings.csv", row=row.get("_row"), column="household_id", value=row["household_id"]))


def _fill_persons(f: pl.DataFrame, registry: Any) -> pl.DataFrame:
    """A blank ``persons`` of a registered household is the registry's household size; a household
    whose persons a rate needs and nobody gives is an error (never counted as 0 persons)."""
    if not f["persons"].is_null().any():
        return f
    hh = getattr(registry, "households", None)
    if hh is not None and hh.height and "persons" in hh.columns:
        sizes = hh.select(pl.col("household_id").cast(pl.String), pl.col("persons").cast(pl.Float64).alias("_reg_persons"))
        sizes = sizes.filter(pl.col("household_id").is_in(f.filter(pl.col("persons").is_null())["household_id"].implode()))
        f = f.join(sizes.unique("household_id"), on="household_id", how="left").with_columns(
            pl.coalesce("persons", "_reg_persons").alias("persons")).drop("_reg_persons")
    judged = (pl.col("status") != "cannot_judge").fill_null(True)
    needs = pl.col("persons").is_null() & judged & (
        ((pl.col("instrument") == "registered") & (pl.col("registry_status").fill_null("exited") == "exited"))
        | ((pl.col("instrument") != "registered") & pl.col("missed") & ~(pl.col("missed_persons") > 0)))
    bad = f.filter(needs)
    if bad.height:
        r = bad.row(0, named=True)
        reg = r["instrument"] == "registered"
        raise E.PovexitError(EE.PERSONS_MISSING(
            file=r.get("_file") or "findings.csv", row=r.get("_row"), column="persons", value=r["household_id"],
            what="错退率的分母" if reg else "漏评人数", what_en="wrongful-exit rate's denominator" if reg else "missed persons"))
    return f


def _village_populations(registry: Any, vill: pl.DataFrame) -> pl.DataFrame:
    """The sampled villages with their non-registered agricultural population ``_x_v`` (null when the
    registry does not have the village) and households ``_h_v``."""
    rv = _nonregistered(K.registry_villages(registry))
    if "village_id" not in rv.columns:
        rv = rv.with_columns(pl.lit(None, dtype=pl.String).alias("village_id"))
    rv = rv.select(pl.col("village_id").cast(pl.String), "_x_v", "_h_v").unique("village_id", keep="first")
    return vill.join(rv, on="village_id", how="left")


def _county_info(chosen, stages, unresolved, screened, vx, groups, f, has_cases) -> dict[str, dict[str, Any]]:
    """Per county: the stage and why, and the parts of the official 漏评率."""
    gen = f.filter(~(pl.col("instrument") == "registered"))
    agg = {r["ckey"]: r for r in gen.group_by("ckey").agg(
        found=pl.col("_missed_found").sum(),
        found_census=pl.col("_missed_found").filter(pl.col("_census")).sum(),
        found_census_other=pl.col("_missed_found").filter(pl.col("sub") == "census").sum(),
        found_roster=pl.col("_missed_found").filter(pl.col("sub") == "roster").sum(),
        found_roster_outside=pl.col("_missed_found").filter((pl.col("sub") == "roster") & ~pl.col("_census")).sum(),
        found_other=pl.col("_missed_found").filter(pl.col("sub") == "general").sum(),
        households_outside=((pl.col("_missed_found") > 0) & ~pl.col("_census")).sum(),
        roster_households=(pl.col("sub") == "roster").sum(),
    ).iter_rows(named=True)}
    vpop = {r["ckey"]: r for r in vx.group_by("ckey").agg(
        x=pl.col("_x_v").sum(), h=pl.col("_h_v").sum(), n=pl.len()).iter_rows(named=True)}
    gpop = dict(groups.group_by("ckey").agg(pl.col("nonregistered_population").fill_null(0).sum()).iter_rows())
    out = {}
    for c in chosen:
        a = agg.get(c, {})
        v = vpop.get(c, {})
        out[c] = {
            "stage": stages[c], "cases_given": has_cases,
            "unresolved": unresolved.get(c, (0, 0))[0], "flagged_without_case": unresolved.get(c, (0, 0))[1],
            "screened": bool(screened.get(c)),
            "missed_found": float(a.get("found") or 0.0), "missed_found_census": float(a.get("found_census") or 0.0),
            "missed_found_census_other": float(a.get("found_census_other") or 0.0),
            "missed_found_roster": float(a.get("found_roster") or 0.0),
            "missed_found_outside_census": float((a.get("found") or 0.0) - (a.get("found_census") or 0.0)),
            "missed_households_outside_census": int(a.get("households_outside") or 0),
            "roster_households": int(a.get("roster_households") or 0),
            "villages_nonregistered": float(v.get("x") or 0.0),
            "villages_nonregistered_households": float(v.get("h") or 0.0) if v.get("h") is not None else float("nan"),
            "villages_sampled": int(v.get("n") or 0),
            "census_nonregistered": float(gpop.get(c, 0.0) or 0.0),
        }
    return out


def _design_columns(frame: pl.DataFrame, fpc: FpcRule) -> pl.DataFrame:
    """Strata, clusters and fpc of the three stages (village → household or census group → census
    household), with certainty villages (p_village = 1) self-representing: their units become PSUs of
    a stratum of their own, so their within-village sampling variance is counted. Fixed rows (certain
    units of certain villages) are PSUs of a self-representing stratum (fpc = their number): no variance.

    Also the within-village strata of the near-threshold advice (``wstr``: village × kind, the census
    groups of the county pooled — they are drawn by PPS from all sampled villages' groups)."""
    cert = pl.col("p_village") >= CERTAINTY_P
    frame = frame.with_columns(
        _n3=pl.len().over("ckey", "village_id", "sub", "unit").cast(pl.Float64),
        _n2=pl.col("unit").n_unique().over("ckey", "village_id", "sub").cast(pl.Float64),
        _n1=pl.col("village_id").n_unique().over("ckey", "stratum").cast(pl.Float64),
        _nfix=pl.col("unit").n_unique().over("ckey", "fixed").cast(pl.Float64),
    )
    if fpc == "auto":  # an fpc is used only where the probabilities show SRS without replacement
        ok1 = pl.col("fpc_village").is_not_null() & ((pl.col("p_village") - pl.col("_n1") / pl.col("fpc_village")).abs() < 1e-6)
        ok2 = pl.col("fpc_unit").is_not_null() & ((pl.col("p_unit") - pl.col("_n2") / pl.col("fpc_unit")).abs() < 1e-6)
        f1 = pl.when(ok1).then(pl.col("fpc_village")).otherwise(float("inf"))
        f2 = pl.when(ok2).then(pl.col("fpc_unit")).otherwise(float("inf"))
    else:
        f1 = pl.col("fpc_village").fill_null(float("inf"))
        f2 = pl.col("fpc_unit").fill_null(float("inf"))
    if fpc == "no":
        f1 = f2 = pl.lit(float("inf"))
    fixed = pl.col("fixed")
    frame = frame.with_columns(
        s1=pl.when(fixed).then(pl.col("ckey") + "|fixed")
        .when(cert).then(pl.col("ckey") + "|cert|" + pl.col("village_id") + "|" + pl.col("sub"))
        .otherwise(pl.col("ckey") + "|" + pl.col("stratum").fill_null("")),
        id1=pl.when(cert).then(pl.col("village_id") + "|" + pl.col("unit")).otherwise(pl.col("village_id")),
        id2=pl.when(cert).then(pl.col("unit3")).otherwise(pl.col("unit")),
        id3=pl.col("unit3"),
        fpc1=pl.when(fixed).then(pl.col("_nfix")).when(cert).then(f2).otherwise(f1),
        fpc2=pl.when(fixed).then(pl.lit(1.0)).when(cert).then(pl.col("_n3")).otherwise(f2),  # census: f = 0
        fpc3=pl.when(cert).then(pl.lit(1.0)).otherwise(pl.col("_n3")),
        certainty=cert,
        wstr=pl.when(pl.col("sub") == "census").then(pl.col("ckey") + "|census")
        .otherwise(pl.col("ckey") + "|" + pl.col("village_id") + "|" + pl.col("sub")),
        wunit=pl.col("village_id") + "|" + pl.col("unit"),
    )
    return frame.drop("_n1", "_n2", "_n3", "_nfix")
