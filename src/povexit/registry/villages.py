"""Villages: typing, checks, village ids and the ``villages`` table with registered counts."""

from __future__ import annotations

import datetime as dt

import polars as pl

from .. import contracts
from ..errors import registry as R
from ..tabular import ROW
from . import parse
from .diagnose import Collector
from .ids import PLACE, village_ids

SPEC = contracts.VILLAGES
FLAGS = ("remote", "edge", "border", "minority")
YESNO = ("poor_village", *FLAGS, "key_township")
INTS = ("agricultural_population", "households")
FINAL_COLUMNS = (
    *PLACE, "village_id", "poor_village", "exited_year", "agricultural_population", "households",
    *FLAGS, "weak_area", "registered_households", "registered_persons", "poor_persons",
    "exited_persons", "returned_persons", "village_code", "key_township", "source_row",
)
COUNT_COLUMNS = ("registered_households", "registered_persons", "poor_persons", "exited_persons", "returned_persons")


def _ensure(frame: pl.DataFrame, spec: contracts.TableSpec) -> pl.DataFrame:
    missing = [c for c in spec.names if c not in frame.columns]
    return frame.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in missing])


def type_villages(raw: pl.DataFrame) -> pl.DataFrame:
    """Typed columns (``__t_`` prefix as in persons) next to the raw text, plus ``village_id``."""
    f = _ensure(raw, SPEC)
    f = f.with_columns(
        *[parse.yesno(pl.col(c)).alias(f"__t_{c}") for c in YESNO],
        *[parse.integer(pl.col(c)).alias(f"__t_{c}") for c in INTS],
        parse.year(pl.col("exited_year")).alias("__t_exited_year"),
    )
    code_ok = pl.col("village_code").str.contains(r"^[0-9]{12}$").fill_null(False)
    f = f.with_columns(pl.when(code_ok).then(pl.col("village_code")).alias("__t_village_code"))
    return f.with_columns(village_ids(f, "__t_village_code"))


def check_villages(f: pl.DataFrame, col: Collector, *, file: str, header, today: dt.date) -> None:
    """Row-level checks of the villages table (``header(c)`` = the column as the user wrote it)."""
    for c in SPEC.required:
        col.add_frame(R.VALUE_MISSING, f.filter(pl.col(c.name).is_null()), file=file, column=header(c.name),
                      row=ROW, value=None)
    for c in YESNO:
        bad = f.filter(pl.col(c).is_not_null() & pl.col(f"__t_{c}").is_null())
        col.add_frame(R.YESNO_INVALID, bad, file=file, column=header(c), row=ROW, value=c)
    for c in INTS:
        bad = f.filter(pl.col(c).is_not_null() & pl.col(f"__t_{c}").is_null())
        col.add_frame(R.NUMBER_INVALID, bad, file=file, column=header(c), row=ROW, value=c,
                      params={"kind": "整数", "kind_en": "a whole number"})
        neg = f.filter(pl.col(f"__t_{c}") < 0)
        col.add_frame(R.NUMBER_RANGE, neg, file=file, column=header(c), row=ROW, value=c, params={"range": "≥ 0"})
    bad = f.filter(pl.col("exited_year").is_not_null() & pl.col("__t_exited_year").is_null())
    col.add_frame(R.NUMBER_INVALID, bad, file=file, column=header("exited_year"), row=ROW, value="exited_year",
                  params={"kind": "年份", "kind_en": "a year"})
    col.add_frame(R.YEAR_IN_FUTURE, f.filter(pl.col("__t_exited_year") > today.year), file=file,
                  column=header("exited_year"), row=ROW, value="exited_year", params={"today": today.isoformat()})
    col.add_frame(R.VILLAGE_EXITED_NOT_POOR,
                  f.filter(pl.col("__t_exited_year").is_not_null() & (pl.col("__t_poor_village") == False)),  # noqa: E712
                  file=file, column=header("exited_year"), row=ROW, value="village")
    bad_code = f.filter(pl.col("village_code").is_not_null() & pl.col("__t_village_code").is_null())
    col.add_frame(R.VILLAGE_CODE_INVALID, bad_code, file=file, column=header("village_code"), row=ROW,
                  value="village_code")
    # the same place (or the same code) twice
    first = pl.col(ROW).min().over("village_id")
    dup = f.filter(pl.col("village_id").is_not_null()).with_columns(first.alias("__first")).filter(
        pl.col(ROW) != pl.col("__first"))
    col.add_frame(R.VILLAGE_DUPLICATE, dup, file=file, column=header("village"), row=ROW, value="village",
                  row_params={"__first": "other_row"})


def unique_places(f: pl.DataFrame) -> pl.DataFrame:
    """PLACE + village_id, one row per place (first occurrence), for joining persons."""
    return f.select(*PLACE, "village_id").unique(subset=list(PLACE), keep="first", maintain_order=True)


def final_villages(f: pl.DataFrame, counts: pl.DataFrame, extra: list[str]) -> pl.DataFrame:
    """The normalised villages table; ``counts`` has village_id + COUNT_COLUMNS."""
    out = f.select(
        *PLACE, "village_id",
        pl.col("__t_poor_village").alias("poor_village"),
        pl.col("__t_exited_year").alias("exited_year"),
        pl.col("__t_agricultural_population").alias("agricultural_population"),
        pl.col("__t_households").alias("households"),
        *[pl.col(f"__t_{c}").alias(c) for c in FLAGS],
        pl.any_horizontal([pl.col(f"__t_{c}").fill_null(False) for c in FLAGS]).alias("weak_area"),
        pl.col("__t_village_code").alias("village_code"),
        pl.col("__t_key_township").alias("key_township"),
        pl.col(ROW).cast(pl.Int64).alias("source_row"),
        *[pl.col(x).cast(pl.String).alias(x if x not in FINAL_COLUMNS else f"extra_{x}") for x in extra],
    )
    out = out.join(counts, on="village_id", how="left", maintain_order="left").with_columns(
        [pl.col(c).fill_null(0).cast(pl.Int64) for c in COUNT_COLUMNS]
    )
    return out.select(*FINAL_COLUMNS, *[c for c in out.columns if c not in FINAL_COLUMNS])


def counts_from_households(areas: pl.DataFrame) -> pl.DataFrame:
    """Registered households/persons per village and persons by status, from
    ``households.area_counts``."""
    return (
        areas.filter(pl.col("village_id").is_not_null())
        .group_by("village_id")
        .agg(
            pl.col("households").sum().cast(pl.Int64).alias("registered_households"),
            pl.col("persons").sum().cast(pl.Int64).alias("registered_persons"),
            *[pl.col("persons").filter(pl.col("status") == s).sum().cast(pl.Int64).alias(f"{s}_persons")
              for s in ("poor", "exited", "returned")],
        )
    )


def unknown_villages(areas: pl.DataFrame) -> pl.DataFrame:
    """Places of the persons table missing from the villages table: first row, persons, households
    (from ``households.area_counts``)."""
    return (
        areas.filter(pl.col("village_id").is_null() & pl.col("village").is_not_null())
        .group_by(*PLACE)
        .agg(
            pl.col("first_row").min().alias("source_row"),
            pl.col("persons").sum().alias("__persons"),
            pl.col("households").sum().alias("__households"),
        )
    )


def check_counts(final: pl.DataFrame, col: Collector, *, file: str, header) -> None:
    """Registered persons within the agricultural population; households within the total."""
    over = final.filter(pl.col("registered_persons") > pl.col("agricultural_population"))
    col.add_frame(R.VILLAGE_OVER_POPULATION, over, file=file, column=header("agricultural_population"),
                  row="source_row", value="village",
                  row_params={"registered_persons": "registered", "agricultural_population": "population"})
    hh = final.filter(pl.col("registered_households") > pl.col("households"))
    col.add_frame(R.VILLAGE_HOUSEHOLDS_BELOW, hh, file=file, column=header("households"), row="source_row",
                  value="village", row_params={"registered_households": "registered", "households": "households"})
    empty = final.filter(pl.col("poor_village").fill_null(False) & (pl.col("registered_persons") == 0))
    col.add_frame(R.VILLAGE_NO_PERSONS, empty, file=file, column=header("village"), row="source_row", value="village")
