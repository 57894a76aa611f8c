"""Village groups (村民小组): typing, matching to villages, checks, registered counts."""

from __future__ import annotations

import polars as pl

from .. import contracts
from ..errors import registry as R
from ..tabular import ROW
from . import parse
from .diagnose import Collector
from .ids import PLACE

SPEC = contracts.GROUPS
FINAL_COLUMNS = (
    *PLACE, "village_id", "group", "agricultural_population", "households", "registered_persons",
    "registered_households", "nonregistered_population", "source_row",
)

EMPTY = pl.DataFrame(schema={
    "province": pl.String, "city": pl.String, "county": pl.String, "township": pl.String,
    "village": pl.String, "village_id": pl.String, "group": pl.String, "agricultural_population": pl.Int64,
    "households": pl.Int64, "registered_persons": pl.Int64, "registered_households": pl.Int64,
    "nonregistered_population": pl.Int64, "source_row": pl.Int64,
})


def _place_label() -> pl.Expr:
    return pl.concat_str([pl.col("county"), pl.col("township"), pl.col("village")], separator=" / ", ignore_nulls=True)


def type_groups(raw: pl.DataFrame, villages: pl.DataFrame) -> pl.DataFrame:
    """Typed groups matched to villages on county/township/village (and province/city when given);
    ``villages`` is the typed villages frame (PLACE + village_id)."""
    f = raw.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in SPEC.names if c not in raw.columns])
    f = f.with_columns(
        parse.integer(pl.col("agricultural_population")).alias("__t_agricultural_population"),
        parse.integer(pl.col("households")).alias("__t_households"),
    )
    v = villages.select(
        pl.col("province").alias("__v_province"), pl.col("city").alias("__v_city"),
        "county", "township", "village", "village_id",
    ).unique(subset=["__v_province", "__v_city", "county", "township", "village"], keep="first", maintain_order=True)
    m = f.join(v, on=["county", "township", "village"], how="left", maintain_order="left")
    ok = (
        (pl.col("province").is_null() | (pl.col("province") == pl.col("__v_province")))
        & (pl.col("city").is_null() | (pl.col("city") == pl.col("__v_city")))
    ).fill_null(False)
    m = m.with_columns(pl.when(ok).then(pl.col("village_id")).alias("village_id"))
    # one row per group row: prefer a matching village
    m = m.sort(ROW, pl.col("village_id").is_null(), maintain_order=True).unique(subset=[ROW], keep="first",
                                                                               maintain_order=True)
    return m.with_columns(
        pl.coalesce("province", "__v_province").alias("province"),
        pl.coalesce("city", "__v_city").alias("city"),
    ).drop("__v_province", "__v_city")


def check_groups(f: pl.DataFrame, col: Collector, *, file: str, header) -> None:
    for c in SPEC.required:
        col.add_frame(R.VALUE_MISSING, f.filter(pl.col(c.name).is_null()), file=file, column=header(c.name),
                      row=ROW, value=None)
    for c in ("agricultural_population", "households"):
        bad = f.filter(pl.col(c).is_not_null() & pl.col(f"__t_{c}").is_null())
        col.add_frame(R.NUMBER_INVALID, bad, file=file, column=header(c), row=ROW, value=c,
                      params={"kind": "整数", "kind_en": "a whole number"})
        col.add_frame(R.NUMBER_RANGE, f.filter(pl.col(f"__t_{c}") < 0), file=file, column=header(c), row=ROW,
                      value=c, params={"range": "≥ 0"})
    named = f.filter(pl.col("village").is_not_null() & pl.col("group").is_not_null())
    unknown = named.filter(pl.col("village_id").is_null()).with_columns(_place_label().alias("__place"))
    col.add_frame(R.GROUP_UNKNOWN_VILLAGE, unknown, file=file, column=header("village"), row=ROW, value="group",
                  row_params={"__place": "place"})
    dup = (
        named.filter(pl.col("village_id").is_not_null())
        .with_columns(pl.col(ROW).min().over("village_id", "group").alias("__first"), _place_label().alias("__place"))
        .filter(pl.col(ROW) != pl.col("__first"))
    )
    col.add_frame(R.GROUP_DUPLICATE, dup, file=file, column=header("group"), row=ROW, value="group",
                  row_params={"__first": "other_row", "__place": "place"})


def group_counts(areas: pl.DataFrame) -> pl.DataFrame:
    """Registered persons/households per (village_id, group) with the first person row, by that row
    (from ``households.area_counts``)."""
    return (
        areas.filter(pl.col("village_id").is_not_null() & pl.col("group").is_not_null())
        .sort("first_row")
        .group_by("village_id", "group", maintain_order=True)
        .agg(
            pl.col("persons").sum().cast(pl.Int64).alias("registered_persons"),
            pl.col("households").sum().cast(pl.Int64).alias("registered_households"),
            pl.col("first_row").min(),
            *[pl.col(c).first() for c in ("county", "township", "village")],
        )
    )


def final_groups(f: pl.DataFrame, counts: pl.DataFrame, extra: list[str]) -> pl.DataFrame:
    out = f.filter(pl.col("village_id").is_not_null() & pl.col("group").is_not_null()).unique(
        subset=["village_id", "group"], keep="first", maintain_order=True
    ).select(
        *PLACE, "village_id", "group",
        pl.col("__t_agricultural_population").alias("agricultural_population"),
        pl.col("__t_households").alias("households"),
        pl.col(ROW).cast(pl.Int64).alias("source_row"),
        *[pl.col(x).cast(pl.String).alias(x if x not in FINAL_COLUMNS else f"extra_{x}") for x in extra],
    )
    out = out.join(counts.select("village_id", "group", "registered_persons", "registered_households"),
                   on=["village_id", "group"], how="left", maintain_order="left")
    out = out.with_columns(
        pl.col("registered_persons").fill_null(0), pl.col("registered_households").fill_null(0)
    ).with_columns(
        (pl.col("agricultural_population") - pl.col("registered_persons")).alias("nonregistered_population")
    )
    return out.select(*FINAL_COLUMNS, *[c for c in out.columns if c not in FINAL_COLUMNS])


def check_group_counts(
    final: pl.DataFrame, counts: pl.DataFrame, villages: pl.DataFrame, col: Collector, *,
    file: str, header, persons_file: str, persons_group_header: str,
) -> None:
    over = final.filter(pl.col("nonregistered_population") < 0).with_columns(_place_label().alias("__place"))
    col.add_frame(R.GROUP_OVER_POPULATION, over, file=file, column=header("agricultural_population"),
                  row="source_row", value="group",
                  row_params={"__place": "place", "registered_persons": "registered",
                              "agricultural_population": "population"})
    totals = final.group_by("village_id").agg(pl.col("agricultural_population").sum().alias("__groups_total"))
    exceed = villages.join(totals, on="village_id", how="inner", maintain_order="left").filter(
        pl.col("__groups_total") > pl.col("agricultural_population"))
    col.add_frame(R.GROUPS_EXCEED_VILLAGE, exceed, file=file, column=header("agricultural_population"),
                  row=None, value="village",
                  row_params={"__groups_total": "groups_total", "agricultural_population": "population"})
    # groups the persons table uses that the groups table does not list (villages that have groups)
    listed = final.select("village_id", "group")
    unlisted = (
        counts.join(listed.select("village_id").unique(), on="village_id", how="semi")
        .join(listed, on=["village_id", "group"], how="anti")
        .with_columns(_place_label().alias("__place"))
    )
    col.add_frame(R.PERSON_GROUP_UNKNOWN, unlisted, file=persons_file, column=persons_group_header,
                  row="first_row", value="group",
                  row_params={"__place": "place", "registered_persons": "persons"})
