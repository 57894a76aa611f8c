"""Households: per-household statistics, the ``households`` table and household-level rules.

Memory stays small: the group-by keeps only the household id and a dozen numbers per household
(statuses, years and places are compared as small codes and 64-bit hashes, min against max), and
the household's text fields are then taken from its representative row (the head's row, else its
first row) by a streaming join back onto the persons table, which keeps the persons' file order.
"""

from __future__ import annotations

import polars as pl

from ..contracts import STATUS_ZH
from .ids import PLACE
from .persons import HEAD_KEY_SHIFT

STATUS_CODES = {"poor": 0, "exited": 1, "returned": 2}
POOR_TYPE_CODES = {"general": 0, "dibao": 1, "tekun": 2}
HOUSING_CODES = {"A": 0, "B": 1, "C": 2, "D": 3}

# Household-level attributes compared between members (warning when they differ).
ATTRIBUTES = ("poor_type", "income_per_capita", "relocated", "housing_grade", "group")

HOUSEHOLD_COLUMNS = (
    "household_id", *PLACE, "village_id", "group", "status", "exit_year", "poor_type", "persons",
    "income_per_capita", "relocated", "housing_grade", "poverty_cause", "head_name", "head_id_number",
    "monitored", "source_row",
)


def _code(col: str, codes: dict[str, int]) -> pl.Expr:
    e: pl.Expr | None = None
    for k, v in codes.items():
        cond = pl.col(col) == k
        e = pl.when(cond).then(pl.lit(v, pl.Int8)) if e is None else e.when(cond).then(pl.lit(v, pl.Int8))
    assert e is not None
    return e.otherwise(None)


def _place_hash() -> pl.Expr:
    """A 64-bit key of the five place names: the village id's hash when the village is known (one
    column), the names' otherwise (computed only when some person's village is unknown)."""
    names = pl.concat_str([pl.col(c).fill_null("") for c in PLACE], separator="\x1f").hash()
    return pl.when(pl.col("village_id").is_not_null()).then(pl.col("village_id").hash()).otherwise(names)


REP_COLUMNS = (
    "source_row", "household_id", *PLACE, "village_id", "group", "status", "poor_type", "income_per_capita",
    "relocated", "housing_grade", "poverty_cause", "is_head", "name", "id_number",
)


def head_rows(persons: pl.LazyFrame) -> pl.LazyFrame:
    """The head rows with the fields a household takes from its representative row."""
    return persons.filter(pl.col("is_head") & pl.col("household_id").is_not_null()).select(REP_COLUMNS)


def _differs(e: pl.Expr) -> pl.Expr:
    """Do the members' non-null values differ? (min against max: one boolean of state per household)"""
    return (e.min() != e.max()).fill_null(False)


def stats(persons: pl.LazyFrame) -> pl.LazyFrame:
    """One row per household id: members, heads, first row, representative row, exit year and
    whether the fields that must agree differ between members."""
    key = pl.col("source_row") + (~pl.col("is_head")).cast(pl.Int64) * HEAD_KEY_SHIFT
    return (
        persons.filter(pl.col("household_id").is_not_null())
        .group_by("household_id")
        .agg(
            pl.len().cast(pl.Int32).alias("persons"),
            pl.col("is_head").sum().cast(pl.Int32).alias("heads"),
            pl.col("source_row").min().alias("first_row"),
            key.min().alias("rep_key"),
            pl.col("exit_year").max().alias("exit_year_max"),
            _differs(_code("status", STATUS_CODES)).alias("status_mixed"),
            _differs(pl.col("exit_year")).alias("exit_year_mixed"),
            _differs(_place_hash()).alias("place_mixed"),
            _differs(pl.col("group").hash()).alias("group_mixed"),
            _differs(_code("poor_type", POOR_TYPE_CODES)).alias("poor_type_mixed"),
            _differs(pl.col("income_per_capita")).alias("income_per_capita_mixed"),
            _differs(pl.col("relocated").cast(pl.Int8)).alias("relocated_mixed"),
            _differs(_code("housing_grade", HOUSING_CODES)).alias("housing_grade_mixed"),
            pl.col("monitored").max().alias("monitored"),
        )
        .with_columns((pl.col("rep_key") % HEAD_KEY_SHIFT).alias("rep_row"))
    )


def wide_households(
    heads: pl.LazyFrame, persons: pl.LazyFrame, stats_frame: pl.DataFrame, labels: dict[str, str] | None = None
) -> pl.LazyFrame:
    """Households with their representative row's fields and the household-level flags.
    ``heads``: :func:`head_rows` of ``persons``; ``persons`` is read again only for the rare
    households without a head.  ``labels`` names the attributes in messages (the headers as the
    user wrote them)."""
    labels = labels or {}
    s = stats_frame.lazy().with_columns(
        pl.col("status_mixed").alias("__f_status_mixed"),
        pl.col("exit_year_mixed").alias("__f_exit_year_mixed"),
        pl.col("place_mixed").alias("__f_place_mixed"),
        pl.concat_str(
            [pl.when(pl.col(f"{a}_mixed")).then(pl.lit(labels.get(a, a))) for a in ATTRIBUTES], separator=", ",
            ignore_nulls=True,
        ).alias("__mixed_attributes"),
    ).drop("household_id")
    # representative rows are head rows, except in the (rare) households without a head
    headless = stats_frame.filter(pl.col("heads") == 0)["rep_row"]
    rep = heads
    if headless.len():
        others = persons.filter(pl.col("source_row").is_in(headless.implode())).select(REP_COLUMNS)
        rep = pl.concat([heads, others]).sort("source_row")
    rep = rep.rename({"name": "__name", "id_number": "__id_number"})
    hh = rep.join(s, left_on="source_row", right_on="rep_row", how="inner", maintain_order="left")
    return hh.with_columns(
        pl.col("exit_year_max").alias("exit_year"),
        pl.when(pl.col("is_head")).then(pl.col("__name")).alias("head_name"),
        pl.when(pl.col("is_head")).then(pl.col("__id_number")).alias("head_id_number"),
        pl.col("first_row").alias("__first_row"),
        (pl.col("heads") == 0).alias("__f_no_head"),
        (pl.col("heads") > 1).alias("__f_many_heads"),
        ((pl.col("status") == "exited") & pl.col("exit_year_max").is_null()).alias("__f_exit_year_missing"),
        ((pl.col("status") == "poor") & pl.col("exit_year_max").is_not_null()).alias("__f_exit_year_unexpected"),
        (pl.col("__mixed_attributes") != "").alias("__f_attr_mixed"),
        # an id Excel turned into a number: "5.30128E+16" (its last digits lost)
        pl.col("household_id").str.contains(r"^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$").alias("__f_hid_excel"),
    )


HOUSEHOLD_FLAGS = (
    "__f_no_head", "__f_many_heads", "__f_status_mixed", "__f_exit_year_mixed", "__f_place_mixed",
    "__f_exit_year_missing", "__f_exit_year_unexpected", "__f_attr_mixed", "__f_hid_excel",
)


def household_frame(wide: pl.LazyFrame) -> pl.LazyFrame:
    """The households table's columns plus the flags and what the messages quote: the one node the
    households pass's outputs (:func:`final_households`, :func:`problem_households` and the counts
    by village, group and township) project, so the pass reads its input once."""
    return wide.select(
        "household_id", *PLACE, "village_id", "group", "status", pl.col("exit_year").cast(pl.Int32),
        "poor_type", "persons", "income_per_capita", "relocated", "housing_grade", "poverty_cause",
        "head_name", "head_id_number", "monitored", pl.col("first_row").alias("source_row"),
        "__first_row", "heads", *HOUSEHOLD_FLAGS, "__mixed_attributes",
    )


def final_households(frame: pl.LazyFrame) -> pl.LazyFrame:
    """The households table (docs/data-layout.md) from :func:`household_frame`."""
    return frame.select(HOUSEHOLD_COLUMNS)


def problem_households(frame: pl.LazyFrame) -> pl.LazyFrame:
    return frame.filter(pl.any_horizontal([pl.col(f) for f in HOUSEHOLD_FLAGS])).select(
        "household_id", "__first_row", "persons", "heads", "exit_year", *HOUSEHOLD_FLAGS,
        "__mixed_attributes", *PLACE,
    )


AREA_KEYS = (*PLACE, "village_id", "group", "status")


def area_counts(households: pl.LazyFrame) -> pl.LazyFrame:
    """Households, persons, monitored households and the first row per place, village id, group and
    status: the counts by village, group and township (and of unknown villages) all add these up,
    so the households table is read once for all of them."""
    return households.group_by(AREA_KEYS).agg(
        pl.len().alias("households"),
        pl.col("persons").sum().alias("persons"),
        pl.col("monitored").fill_null(False).sum().alias("monitored"),
        pl.col("source_row").min().alias("first_row"),
    )


def township_counts(areas: pl.DataFrame) -> pl.DataFrame:
    """Households, persons and monitored households per township and status (for the summary)."""
    return areas.group_by("province", "city", "county", "township", "status").agg(
        pl.col("households").sum(), pl.col("persons").sum(), pl.col("monitored").sum())


def member_details(persons: pl.LazyFrame, household_ids: list[str]) -> pl.DataFrame:
    """For a few flagged households: rows of their heads and the distinct statuses / exit years."""
    if not household_ids:
        return pl.DataFrame(
            schema={"household_id": pl.String, "head_rows": pl.String, "statuses": pl.String, "exit_years": pl.String}
        )
    return (
        persons.filter(pl.col("household_id").is_in(household_ids))
        .select("household_id", "source_row", "is_head", "status", "exit_year")
        .collect()
        .with_columns(pl.col("status").replace_strict(STATUS_ZH, default=None))
        .sort("source_row")
        .group_by("household_id", maintain_order=True)
        .agg(
            pl.col("source_row").filter(pl.col("is_head")).cast(pl.String).str.join(", ").alias("head_rows"),
            pl.col("status").drop_nulls().unique(maintain_order=True).str.join(" / ").alias("statuses"),
            pl.col("exit_year").drop_nulls().unique(maintain_order=True).cast(pl.String).str.join(" / ")
            .alias("exit_years"),
        )
    )
