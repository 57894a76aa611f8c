"""One wide row per interviewed household: its answers, the registry's record of it, the sample's, the
members table summarised, roster hits and checker overrides — everything the rules read.

Column families (see :mod:`povexit.rules.base`): answers under their docs/fields.md names;
``reg_*`` registry; ``s_*`` sample; ``m_*`` members; ``d_*`` derived; ``x_sources``/``v_sources``
roster hits (exclusion / vulnerability source codes); ``o_rules``/``o_detail`` overrides;
``_kind``/``_registered``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .. import errors as E
from ..errors import rules as R
from ..idnumber import roster_household_id
from . import fields as F
from .ruleset import Ruleset

INSTRUMENTS = ("registered", "general")
KINDS = ("exited", "poor", "returned", "nonregistered")


@dataclass
class ResponsesData:
    """The household submissions and their members (``responses/households.parquet`` and
    ``members.parquet``, or contract CSVs)."""

    households: pl.DataFrame
    members: pl.DataFrame | None = None
    source: str = "responses"


@dataclass
class HouseholdTable:
    table: pl.DataFrame
    diagnostics: list[E.Diagnostic] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # not adjudicated, by reason


def as_responses(obj: Any) -> ResponsesData:
    if isinstance(obj, ResponsesData):
        return obj
    if isinstance(obj, pl.DataFrame):
        return ResponsesData(obj)
    households = getattr(obj, "households", None)
    if not isinstance(households, pl.DataFrame):
        raise TypeError("responses must be a DataFrame or have a .households DataFrame")
    members = getattr(obj, "members", None)
    return ResponsesData(households, members if isinstance(members, pl.DataFrame) else None,
                         str(getattr(obj, "source", None) or "responses"))


def sample_households(sample: Any) -> pl.DataFrame | None:
    if sample is None:
        return None
    if isinstance(sample, pl.DataFrame):
        return sample
    hh = getattr(sample, "households", None)
    if not isinstance(hh, pl.DataFrame):
        return None
    # a reserve household interviewed in place of one not found is in the sample (data-layout.md:
    # same village, same type, same probability); it is told apart only by its reserve_rank
    reserve = getattr(sample, "reserve", None)
    if isinstance(reserve, pl.DataFrame) and reserve.height and "household_id" in reserve.columns:
        extra = reserve.filter(~pl.col("household_id").is_in(hh["household_id"].implode()))
        hh = pl.concat([hh, extra.select([c for c in extra.columns if c in hh.columns])], how="diagonal_relaxed")
    return hh


def sample_groups(sample: Any) -> pl.DataFrame | None:
    g = getattr(sample, "groups", None)
    return g if isinstance(g, pl.DataFrame) else None


def _pick(df: pl.DataFrame | None, cols: dict[str, pl.DataType], prefix: str = "",
          keep: tuple[str, ...] = ()) -> pl.DataFrame:
    """Columns ``cols`` of ``df`` cast to the given types (absent ones as nulls), renamed with a prefix."""
    if df is None:
        return pl.DataFrame(schema={(c if c in keep else prefix + c): t for c, t in cols.items()})
    exprs = []
    for c, t in cols.items():
        name = c if c in keep else prefix + c
        exprs.append((pl.col(c).cast(t, strict=False) if c in df.columns else pl.lit(None, dtype=t)).alias(name))
    return df.select(exprs)


def norm_id(expr: pl.Expr) -> pl.Expr:
    """ID numbers as compared: no spaces, upper-case X (povexit.idnumber.normalise, vectorised)."""
    return expr.cast(pl.String).str.replace_all(r"[\s']", "").str.to_uppercase()




# ---- building ------------------------------------------------------------------------------------

def build(registry: Any, sample: Any, responses: Any, ruleset: Ruleset,
          overrides: pl.DataFrame | None = None) -> HouseholdTable:
    resp = as_responses(responses)
    diags: list[E.Diagnostic] = []
    skipped: dict[str, int] = {}
    hh = resp.households
    for req in ("household_id", "instrument"):
        if req not in hh.columns:
            raise E.PovexitError(R.RESPONSES_MISSING_COLUMN(file=resp.source, column=req))
    row_col = "_row" if "_row" in hh.columns else None
    hh, d = F.coerce(hh, F.HOUSEHOLD_FIELDS, file=resp.source, row_col=row_col)
    diags += d
    hh = hh.filter(pl.col("instrument").is_in(list(INSTRUMENTS)) & pl.col("household_id").is_not_null())
    not_completed = hh.filter(pl.col("interview_result").is_not_null() & (pl.col("interview_result") != "completed"))
    if not_completed.height:
        skipped["interview_not_completed"] = not_completed.height
        hh = hh.filter(pl.col("interview_result").is_null() | (pl.col("interview_result") == "completed"))
    if hh.height == 0:
        raise E.PovexitError(R.NO_HOUSEHOLDS())
    hh, d = _dedupe(hh)
    diags += d
    if "instance_id" not in resp.households.columns or hh["instance_id"].null_count():
        hh = hh.with_columns(pl.coalesce("instance_id", pl.lit("hh:") + pl.col("household_id")).alias("instance_id"))

    members = _members(resp, hh, ruleset, diags)
    reg = _registry_households(registry)
    smp = _sample(sample)
    t = (
        hh.join(members, on="instance_id", how="left")
        .join(reg, left_on="household_id", right_on="reg_household_id", how="left")
        .join(smp, left_on="household_id", right_on="s_household_id", how="left")
    )
    t = t.with_columns(
        pl.col(c).fill_null(0) for c in ("m_count", "m_dropouts", "m_home_schooling", "m_basic_uninsured",
                                         "m_basic_unknown", "m_critical_uninsured", "m_critical_unknown")
    )
    t = _kind(t, diags)
    t = _places(t)
    t = _fallbacks(t)
    t = _derived(t, ruleset)
    t = t.join(_roster_hits(registry, resp, hh, ruleset), on="household_id", how="left")
    t = t.with_columns(pl.col("x_sources").fill_null(pl.lit([], dtype=pl.List(pl.String))),
                       pl.col("v_sources").fill_null(pl.lit([], dtype=pl.List(pl.String))))
    t = t.join(_overrides(overrides), on="household_id", how="left").with_columns(
        pl.col("o_rules").fill_null(pl.lit([], dtype=pl.List(pl.String))))
    diags += _not_in_sample(t, sample)
    return HouseholdTable(t.sort("household_id"), diags, skipped)


def _dedupe(hh: pl.DataFrame) -> tuple[pl.DataFrame, list[E.Diagnostic]]:
    """One submission per household: the one that ended last (then the larger instance id)."""
    counts = hh.group_by("household_id").len().filter(pl.col("len") > 1)
    if counts.height == 0:
        return hh, []
    hh = hh.sort(["household_id", "ended_at", "instance_id"], nulls_last=False)
    kept = hh.group_by("household_id", maintain_order=True).last()
    diags = []
    inst = dict(zip(kept["household_id"].to_list(), kept["instance_id"].to_list(), strict=True))
    for hid, n in counts.sort("household_id").iter_rows():
        diags.append(R.RESPONSES_DUPLICATE(value=hid, count=n, instance=inst.get(hid) or ""))
    return kept.select(hh.columns), diags


def _members(resp: ResponsesData, hh: pl.DataFrame, ruleset: Ruleset, diags: list) -> pl.DataFrame:
    schema = {"instance_id": pl.String, "m_count": pl.UInt32, "m_dropouts": pl.UInt32,
              "m_home_schooling": pl.UInt32, "m_basic_uninsured": pl.UInt32, "m_basic_unknown": pl.UInt32,
              "m_critical_uninsured": pl.UInt32, "m_critical_unknown": pl.UInt32,
              "m_dropout_detail": pl.List(pl.String)}
    m = resp.members
    if m is None or m.height == 0 or "instance_id" not in m.columns:
        return pl.DataFrame(schema=schema)
    m, d = F.coerce(m, F.MEMBER_FIELDS, file=f"{resp.source} (members)",
                    row_col="_row" if "_row" in m.columns else None)
    diags += d
    m = m.filter(pl.col("instance_id").is_in(hh["instance_id"].implode()))
    lo = ruleset.value("education.compulsory_age_min")
    hi = ruleset.value("education.compulsory_age_max")
    entry = ruleset.value("education.latest_entry_age")
    age = pl.col("member_age")
    school = pl.col("member_schooling")
    # A member coded "dropout" of compulsory age (or of unknown age) is a dropout. A member "not in
    # school" counts only between the latest entry age and the age at which nine years cannot yet be
    # complete (lo + 8): before that they may not have started; after it they may have finished.
    is_dropout = ((school == "dropout") & (age.is_null() | age.is_between(lo, hi))) | (
        (school == "not_in_school") & age.is_between(entry, lo + 8))
    detail = pl.format("{}号成员（{}岁，{}）", pl.col("member_no").cast(pl.String).fill_null("?"),
                       age.cast(pl.String).fill_null("?"),
                       pl.when(school == "dropout").then(pl.lit("辍学")).otherwise(pl.lit("未在校")))
    return (
        m.with_columns(is_dropout.fill_null(False).alias("_drop"))
        .group_by("instance_id")
        .agg(
            pl.len().alias("m_count"),
            pl.col("_drop").sum().alias("m_dropouts"),
            ((school == "home_schooling") & age.is_between(lo, hi).fill_null(True)).fill_null(False).sum()
            .alias("m_home_schooling"),
            (pl.col("member_basic_insurance") == False).fill_null(False).sum().alias("m_basic_uninsured"),  # noqa: E712
            pl.col("member_basic_insurance").is_null().sum().alias("m_basic_unknown"),
            (pl.col("member_critical_insurance") == False).fill_null(False).sum().alias("m_critical_uninsured"),  # noqa: E712
            pl.col("member_critical_insurance").is_null().sum().alias("m_critical_unknown"),
            detail.filter(pl.col("_drop")).alias("m_dropout_detail"),
        )
        .with_columns(pl.col(c).cast(pl.UInt32) for c in schema if c.startswith("m_") and c != "m_dropout_detail")
    )


_REG_COLS = {
    "household_id": pl.String, "status": pl.String, "exit_year": pl.Int32, "persons": pl.Int64,
    "relocated": pl.Boolean, "housing_grade": pl.String, "income_per_capita": pl.Float64,
    "poor_type": pl.String, "province": pl.String, "county": pl.String, "township": pl.String,
    "village": pl.String, "village_id": pl.String, "group": pl.String,
}


def _registry_households(registry: Any) -> pl.DataFrame:
    df = getattr(registry, "households", None) if registry is not None else None
    out = _pick(df if isinstance(df, pl.DataFrame) else None, _REG_COLS, prefix="reg_")
    return out.unique("reg_household_id", keep="first", maintain_order=True)


_SAMPLE_COLS = {
    "household_id": pl.String, "instrument": pl.String, "persons": pl.Int64, "source": pl.String,
    "village_id": pl.String, "group": pl.String, "county": pl.String, "township": pl.String,
    "village": pl.String, "stratum": pl.String,
}


def _sample(sample: Any) -> pl.DataFrame:
    out = _pick(sample_households(sample), _SAMPLE_COLS, prefix="s_")
    return out.unique("s_household_id", keep="first", maintain_order=True)


def _kind(t: pl.DataFrame, diags: list) -> pl.DataFrame:
    """exited / poor / returned / nonregistered; null = a registered household whose status is unknown.

    The registry decides; a registered household missing from it falls back on the status the
    enumerator picked (``household_status``) and is reported.
    """
    in_reg = pl.col("reg_status").is_not_null()
    registered = in_reg | (pl.col("instrument") == "registered")
    kind = (
        pl.when(in_reg).then(pl.col("reg_status"))
        .when(pl.col("instrument") == "registered")
        .then(pl.col("household_status").replace_strict({"poor": "poor", "exited": "exited",
                                                        "returned": "returned"}, default=None))
        .otherwise(pl.lit("nonregistered"))
    )
    t = t.with_columns(kind.alias("_kind"), registered.alias("_registered"))
    missing = t.filter((pl.col("instrument") == "registered") & pl.col("reg_status").is_null())
    for hid in missing["household_id"].head(50).to_list():
        diags.append(R.REGISTERED_NOT_IN_REGISTRY(value=hid))
    return t


def _places(t: pl.DataFrame) -> pl.DataFrame:
    return t.with_columns(
        pl.coalesce(c, f"s_{c}", f"reg_{c}").alias(c) for c in ("county", "township", "village", "village_id", "group")
    )


def _fallbacks(t: pl.DataFrame) -> pl.DataFrame:
    """Answers missing from the interview but known from the registry (relocation, housing grade)."""
    return t.with_columns(
        pl.coalesce("relocated", "reg_relocated").alias("relocated"),
        pl.coalesce("housing_grade", "reg_housing_grade").alias("housing_grade"),
    )


def _derived(t: pl.DataFrame, ruleset: Ruleset) -> pl.DataFrame:
    reg = pl.col("_registered")
    persons = pl.when(reg).then(pl.coalesce("reg_persons", "persons", "s_persons")).otherwise(
        pl.coalesce("persons", "s_persons"))
    persons = pl.when(persons.is_null() & (pl.col("m_count") > 0)).then(pl.col("m_count").cast(pl.Int64)).otherwise(
        persons)
    sharing = pl.coalesce("persons_sharing", "persons")
    comps = [pl.col(c) for c in ("income_wage", "income_business", "income_property", "income_transfer")]
    complete = pl.all_horizontal([c.is_not_null() for c in comps]) & (sharing > 0)
    gross = pl.sum_horizontal(comps) - pl.col("production_cost").fill_null(0)
    windfall = pl.col("income_windfall").fill_null(0)
    stable = gross - windfall if ruleset.value("income.windfall_excluded") else gross
    income = pl.when(complete).then(stable / sharing).otherwise(pl.col("income_net_per_capita"))
    with_windfall = pl.when(complete).then(gross / sharing).otherwise(
        pl.col("income_net_per_capita") + windfall / sharing)
    t = t.with_columns(
        persons.cast(pl.Int64).alias("d_persons"),
        sharing.cast(pl.Int64).alias("d_persons_sharing"),
        income.round(2).alias("d_income_pc"),
        with_windfall.round(2).alias("d_income_pc_with_windfall"),
        pl.when(pl.col("water_scarce_area")).then(pl.lit(ruleset.value("water.quantity_min_l_scarce")))
        .when(pl.col("water_scarce_area") == False).then(pl.lit(ruleset.value("water.quantity_min_l")))  # noqa: E712
        .otherwise(pl.lit(None)).cast(pl.Float64).alias("d_water_min_l"),
    )
    return _approval(t, ruleset)


def _approval(t: pl.DataFrame, ruleset: Ruleset) -> pl.DataFrame:
    """认可 for a registered household: every listed item endorsed (the exit only by exited households)
    and, when the ruleset says so, the overall judgement; for a non-registered household the overall
    judgement."""
    comps = list(ruleset.value("approval.registered_components"))
    exited = pl.col("_kind") == "exited"
    parts = []
    for c in comps:
        parts.append(pl.when(exited).then(pl.col(c)).otherwise(pl.lit(True)) if c == "approve_exit" else pl.col(c))
    if ruleset.value("approval.require_overall_judgement"):
        parts.append(pl.col("approves"))
    registered = pl.all_horizontal(parts) if parts else pl.col("approves")
    refused = pl.concat_list(
        [pl.when(pl.col(c) == False).then(pl.lit(c)) for c in comps] + [  # noqa: E712
            pl.when(pl.col("approves") == False).then(pl.lit("approves"))]  # noqa: E712
    ).list.drop_nulls()
    return t.with_columns(
        pl.when(pl.col("_registered")).then(registered).otherwise(pl.col("approves")).alias("d_approves"),
        refused.alias("d_refusals"),
    )


def _roster_hits(registry: Any, resp: ResponsesData, hh: pl.DataFrame, ruleset: Ruleset) -> pl.DataFrame:
    """Per household the exclusion and vulnerability lists it is on, matched by the ID number of any
    member (members table), by the sample's roster household id (R + SHA-1), or by the registry's
    household id on the roster row."""
    empty = pl.DataFrame(schema={"household_id": pl.String, "x_sources": pl.List(pl.String),
                                 "v_sources": pl.List(pl.String)})
    rosters = getattr(registry, "rosters", None) if registry is not None else None
    if not isinstance(rosters, pl.DataFrame) or rosters.height == 0:
        return empty
    r = _pick(rosters, {"source_code": pl.String, "kind": pl.String, "id_number": pl.String,
                        "household_id": pl.String})
    r = r.with_columns(norm_id(pl.col("id_number")).alias("id_number")).filter(
        pl.col("kind").is_in(["exclusion", "vulnerability"]))
    allowed = list(ruleset.value("exclusion.sources"))
    r = r.filter((pl.col("kind") == "vulnerability") | pl.col("source_code").is_in(allowed))
    hits = []
    ids = set(hh["household_id"].to_list())
    # by members' ID numbers
    m = resp.members
    if m is not None and "member_id_number" in m.columns and "instance_id" in m.columns:
        mid = (m.select("instance_id", norm_id(pl.col("member_id_number")).alias("id_number"))
               .drop_nulls().join(hh.select("instance_id", "household_id"), on="instance_id"))
        hits.append(mid.join(r.select("id_number", "source_code", "kind"), on="id_number").select(
            "household_id", "source_code", "kind"))
    # by the sample's roster household id
    r_ids = [h for h in ids if h.startswith("R")]
    if r_ids:
        uniq = r["id_number"].drop_nulls().unique().to_list()
        hashed = pl.DataFrame({"id_number": uniq, "_up": [roster_household_id(i).upper() for i in uniq]},
                              schema={"id_number": pl.String, "_up": pl.String})
        want = pl.DataFrame({"household_id": r_ids, "_up": [h.upper() for h in r_ids]})
        hits.append(
            r.select("id_number", "source_code", "kind").join(hashed, on="id_number")
            .join(want, on="_up").select("household_id", "source_code", "kind")
        )
    # by the registry's household id on the roster row
    hits.append(r.filter(pl.col("household_id").is_in(list(ids))).select("household_id", "source_code", "kind"))
    allhits = pl.concat(hits, how="vertical_relaxed").unique()
    if allhits.height == 0:
        return empty
    return allhits.group_by("household_id").agg(
        pl.col("source_code").filter(pl.col("kind") == "exclusion").unique().sort().alias("x_sources"),
        pl.col("source_code").filter(pl.col("kind") == "vulnerability").unique().sort().alias("v_sources"),
    )


def _overrides(overrides: pl.DataFrame | None) -> pl.DataFrame:
    schema = {"household_id": pl.String, "o_rules": pl.List(pl.String), "o_detail": pl.String}
    if overrides is None or overrides.height == 0:
        return pl.DataFrame(schema=schema)
    return overrides.group_by("household_id").agg(
        pl.col("rule").unique().sort().alias("o_rules"),
        pl.struct("rule", "reason", "checker").sort_by("rule").struct.json_encode().str.join(",")
        .alias("o_detail"),
    ).with_columns(("[" + pl.col("o_detail") + "]").alias("o_detail"))


def _not_in_sample(t: pl.DataFrame, sample: Any) -> list[E.Diagnostic]:
    smp = sample_households(sample)
    if smp is None:
        return []
    groups = sample_groups(sample)
    in_sample = pl.col("s_instrument").is_not_null()
    census = pl.lit(False)
    if groups is not None and {"village_id", "group"} <= set(groups.columns):
        keys = groups.select(pl.concat_str([pl.col("village_id"), pl.col("group")], separator="|").alias("k"))["k"]
        census = (pl.col("instrument") == "general") & pl.concat_str(
            [pl.col("village_id"), pl.col("group")], separator="|").is_in(keys.implode())
    out = t.filter(~in_sample & ~census.fill_null(False))
    return [R.RESPONSES_NOT_IN_SAMPLE(value=h) for h in out["household_id"].head(50).to_list()]
