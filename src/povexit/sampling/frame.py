"""Sampling frames built from a :class:`~povexit.registry.model.Registry` (no I/O).

Everything here is vectorised Polars over the registry tables, restricted early to the counties
and villages being sampled, so a national registry (~3×10^7 households) is scanned once.
"""

from __future__ import annotations

import polars as pl

from ..idnumber import roster_household_id
from ..privacy import mask_id
from ..registry.model import Registry
from .design import Design

STRATUM_CODES = ("poor_weak", "poor_other", "nonpoor_weak", "nonpoor_other")
POOR_STATUSES = ("poor", "returned")




def _flag(df: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name).cast(pl.Boolean).fill_null(False) if name in df.columns else pl.lit(False)


def village_frame(registry: Registry, design: Design, counties: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per village of the given counties (``province, county`` rows; all when None) with the
    columns the village stage needs: place, ``village_id``, ``poor_village``, ``weak_area`` (as the
    design defines it), ``key_township``, counts of registered/exited households and persons,
    ``agricultural_population``, ``households`` and the measure of size ``size``."""
    v = registry.villages
    if counties is not None:
        v = v.join(counties.select("province", "county").unique(), on=["province", "county"], how="semi")
    # lazy semi join: the small side (these villages) is hashed, not the national household table
    hh = (registry.households.lazy().select("village_id", "status", "persons")
          .join(v.lazy().select("village_id"), on="village_id", how="semi").collect())
    persons = pl.col("persons").cast(pl.Int64).fill_null(1)
    agg = hh.group_by("village_id").agg(
        pl.len().cast(pl.Int64).alias("n_registered"),
        (pl.col("status") == "exited").sum().cast(pl.Int64).alias("n_exited"),
        persons.sum().alias("registered_persons_frame"),
        persons.filter(pl.col("status").is_in(POOR_STATUSES)).sum().alias("poor_persons_frame"),
    )
    v = v.join(agg, on="village_id", how="left").with_columns(
        pl.col("n_registered", "n_exited", "registered_persons_frame", "poor_persons_frame").fill_null(0)
    )
    vs = design.villages
    weak = pl.lit(False)
    for f in vs.weak_flags:
        weak = weak | _flag(v, f)
    agri = pl.col("agricultural_population").cast(pl.Float64)
    if vs.high_incidence is not None:
        weak = weak | ((pl.col("poor_persons_frame") / agri).fill_nan(0).fill_null(0) >= vs.high_incidence)
    size_expr = {
        "agricultural_population": pl.col("agricultural_population").cast(pl.Float64),
        "households": pl.col("households").cast(pl.Float64) if "households" in v.columns else pl.lit(None),
        "registered_households": pl.col("n_registered").cast(pl.Float64),
        "exited_households": pl.col("n_exited").cast(pl.Float64),
    }[vs.size]
    return v.with_columns(
        _flag(v, "poor_village").alias("poor_village"),
        weak.alias("weak_area"),
        _flag(v, "key_township").alias("key_township"),
        # every village keeps a positive size, so none has probability 0
        pl.max_horizontal(size_expr.fill_null(0).fill_nan(0), pl.lit(1.0)).alias("size"),
    ).sort("province", "city", "county", "township", "village_id")


def household_frame(registry: Registry, village_ids: pl.Series) -> pl.DataFrame:
    """Registered households of the given villages: ``household_id, village_id, group, status,
    persons, monitored`` (``monitored`` from the households table, else from any member)."""
    h = registry.households
    cols = ["household_id", "village_id", "status", "persons"] + (["group"] if "group" in h.columns else [])
    ids = pl.LazyFrame({"village_id": village_ids.unique()})
    out = (h.lazy().select(*cols, *(["monitored"] if "monitored" in h.columns else []))
           .join(ids, on="village_id", how="semi").collect())
    if "group" not in out.columns:
        out = out.with_columns(pl.lit(None, dtype=pl.String).alias("group"))
    if "monitored" not in out.columns:
        p = registry.persons
        if "monitored" in p.columns and p.height:
            mon = (p.join(out.select("household_id"), on="household_id", how="semi")
                   .group_by("household_id").agg(pl.col("monitored").cast(pl.Boolean).fill_null(False).any()))
            out = out.join(mon, on="household_id", how="left")
        else:
            out = out.with_columns(pl.lit(False).alias("monitored"))
    return out.with_columns(
        pl.col("monitored").cast(pl.Boolean).fill_null(False),
        pl.col("persons").cast(pl.Int64),
        pl.col("group").cast(pl.String),
    ).sort("village_id", "household_id")


def roster_hits(registry: Registry, villages: pl.DataFrame, sampled: pl.Series, sources: tuple[str, ...]
                ) -> tuple[pl.DataFrame, int, int]:
    """People on the chosen vulnerability rosters whose ID number is not in the registry and who live
    in a ``sampled`` village (大数据比对); ``villages`` (all villages of the counties) places roster
    rows by county, township and village name. One row per ID number: ``household_id`` (hashed ID),
    ``village_id``, ``group``, ``roster_sources`` (``;``-joined codes), ``id_masked``.
    Also returns how many roster rows of these counties could not be placed in a known village, and
    how many could not be placed because their county/township/village names match several villages
    (same-named counties in two provinces: a roster row carries no province)."""
    empty = pl.DataFrame(schema={"household_id": pl.String, "village_id": pl.String, "group": pl.String,
                                 "roster_sources": pl.String, "id_masked": pl.String})
    r = registry.rosters
    if r.height == 0 or not sources:
        return empty, 0, 0
    r = r.filter((pl.col("kind") == "vulnerability") & pl.col("source_code").is_in(list(sources))
                 & pl.col("id_number").is_not_null())
    r = r.with_columns(pl.col("id_number").str.strip_chars().str.to_uppercase())
    if "in_registry" in r.columns:
        r = r.filter(~pl.col("in_registry").cast(pl.Boolean).fill_null(False))
    if registry.persons.height and "id_number" in registry.persons.columns:
        known = registry.persons.select(pl.col("id_number").str.strip_chars().str.to_uppercase()).unique()
        r = r.join(known, on="id_number", how="anti")
    if "group" not in r.columns:
        r = r.with_columns(pl.lit(None, dtype=pl.String).alias("group"))
    counties = villages.select("county").unique()
    r = r.filter(pl.col("county").is_null() | pl.col("county").is_in(counties["county"].implode()))
    if "village_id" not in r.columns:
        r = r.with_columns(pl.lit(None, dtype=pl.String).alias("village_id"))
    place = (villages.select("county", "township", "village", "village_id")
             .group_by("county", "township", "village").agg(pl.col("village_id").first(), pl.len().alias("_n")))
    r = r.join(place.rename({"village_id": "_vid"}), on=["county", "township", "village"], how="left").with_columns(
        pl.coalesce("village_id", pl.when(pl.col("_n") == 1).then(pl.col("_vid"))).alias("village_id"))
    ambiguous = int((r["village_id"].is_null() & (r["_n"] > 1)).sum())
    unplaced = int(r["village_id"].is_null().sum()) - ambiguous
    r = r.drop("_vid", "_n").filter(pl.col("village_id").is_in(sampled.implode()))
    if r.height == 0:
        return empty, unplaced, ambiguous
    hits = (r.group_by("id_number").agg(
        pl.col("village_id").sort().first(),
        pl.col("group").drop_nulls().sort().first(),
        pl.col("source_code").unique().sort().str.join(";").alias("roster_sources"),
    ).sort("id_number"))
    ids = hits["id_number"].to_list()
    hits = hits.with_columns(
        pl.Series("household_id", [roster_household_id(i) for i in ids], dtype=pl.String),
        pl.Series("id_masked", [mask_id(i) for i in ids], dtype=pl.String),
    ).drop("id_number")
    return hits.select(empty.columns).sort("village_id", "household_id"), unplaced, ambiguous


def group_frame(registry: Registry, villages: pl.DataFrame, households: pl.DataFrame) -> tuple[pl.DataFrame, bool]:
    """Village groups of the sampled villages with their non-registered population and the expected
    number of non-registered households (``households − registered households`` when the group's
    household count is known, else population ÷ the village's persons per household).

    A village without group rows is one pseudo-group (``group`` empty) holding its whole
    non-registered population. The flag says whether the registry had no groups at all."""
    g = registry.groups
    no_groups = g.height == 0
    v = villages.select(
        "village_id", pl.col("agricultural_population").cast(pl.Int64),
        (pl.col("households").cast(pl.Int64) if "households" in villages.columns else pl.lit(None, pl.Int64))
        .alias("households"),
        pl.col("registered_persons_frame").cast(pl.Int64).alias("registered_persons"),
        pl.col("n_registered").cast(pl.Int64).alias("registered_households"),
    )
    hh = households.with_columns(pl.col("group").fill_null(""))
    parts = []
    if not no_groups:
        def opt(name: str) -> pl.Expr:
            return (pl.col(name) if name in g.columns else pl.lit(None)).cast(pl.Int64).alias(name)

        real = g.join(v.select("village_id"), on="village_id", how="semi").select(
            "village_id", pl.col("group").cast(pl.String).fill_null(""),
            opt("agricultural_population"), opt("households"), opt("registered_persons"),
            opt("nonregistered_population"),
        )
        counts = hh.group_by("village_id", "group").agg(pl.len().cast(pl.Int64).alias("registered_households"))
        real = real.join(counts, on=["village_id", "group"], how="left")
        parts.append(real)
    have = parts[0].select("village_id").unique() if parts else pl.DataFrame(schema={"village_id": pl.String})
    whole = v.join(have, on="village_id", how="anti").select(
        "village_id", pl.lit("", dtype=pl.String).alias("group"), "agricultural_population", "households",
        "registered_persons", pl.lit(None, pl.Int64).alias("nonregistered_population"), "registered_households",
    )
    parts.append(whole)
    g = pl.concat(parts, how="vertical_relaxed")
    pph = v.select("village_id", (pl.col("agricultural_population") / pl.col("households")).alias("_pph"))
    nonreg = pl.coalesce(
        "nonregistered_population",
        pl.max_horizontal(pl.col("agricultural_population") - pl.col("registered_persons"), pl.lit(0)),
    ).cast(pl.Int64)
    per_hh = pl.when(pl.col("_pph").is_finite() & (pl.col("_pph") > 0)).then(pl.col("_pph")).otherwise(3.0)
    expected = pl.when(pl.col("households").is_not_null()).then(
        pl.max_horizontal(pl.col("households") - pl.col("registered_households"), pl.lit(0)).cast(pl.Float64)
    ).otherwise(pl.col("nonregistered_population") / per_hh)
    g = (g.join(pph, on="village_id", how="left")
         .with_columns(pl.col("registered_households", "registered_persons").fill_null(0))
         .with_columns(nonreg.alias("nonregistered_population"))
         .with_columns(expected.alias("expected_households"))
         .drop("_pph"))
    return g.sort("village_id", "group"), no_groups
