"""Other departments' rosters (大数据比对): source kinds, ID checks, match against the registry."""

from __future__ import annotations

import datetime as dt

import polars as pl

from .. import contracts
from ..errors import registry as R
from ..tabular import ROW
from . import parse
from .diagnose import Collector

SPEC = contracts.ROSTERS
FINAL_COLUMNS = (
    "source", "source_code", "kind", "id_number", "name", "county", "township", "village", "group",
    "detail", "in_registry", "household_id", "source_row",
)
EMPTY = pl.DataFrame(schema={
    "source": pl.String, "source_code": pl.String, "kind": pl.String, "id_number": pl.String,
    "name": pl.String, "county": pl.String, "township": pl.String, "village": pl.String,
    "group": pl.String, "detail": pl.String, "in_registry": pl.Boolean, "household_id": pl.String,
    "source_row": pl.Int64,
})
ID_PROBLEM_TEXT = {
    "excel_float": "被 Excel 转成了数字 / turned into a number by Excel",
    "format": "位数或字符不对 / wrong length or characters",
    "birth_date": "出生日期无效 / invalid birth date",
    "check_digit": "校验位错误 / wrong check digit",
    "region": "地址码无效 / invalid address code",
    "other_id": "不是居民身份证号 / not a resident ID",
}


def type_rosters(raw: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    f = raw.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in SPEC.names if c not in raw.columns])
    idn = parse.id_normalise(pl.col("id_number"))
    f = f.with_columns(idn.alias("__t_id_number")).with_columns(
        parse.id_problem(pl.col("__t_id_number"), today).alias("__id_problem"),
        parse.map_codes(pl.col("source"), contracts.ROSTER_SOURCE_ALIASES).alias("source_code"),
    )
    vuln = set(contracts.VULNERABILITY_SOURCES.values())
    return f.with_columns(
        pl.when(pl.col("source_code").is_in(sorted(vuln))).then(pl.lit("vulnerability"))
        .when(pl.col("source_code").is_not_null()).then(pl.lit("exclusion"))
        .alias("kind")
    )


def check_rosters(f: pl.DataFrame, col: Collector, *, file: str, header) -> None:
    for c in SPEC.required:
        col.add_frame(R.VALUE_MISSING, f.filter(pl.col(c.name).is_null()), file=file, column=header(c.name),
                      row=ROW, value=None)
    bad = f.filter(pl.col("__id_problem").is_not_null() & (pl.col("__id_problem") != "missing")).with_columns(
        pl.col("__id_problem").replace_strict(ID_PROBLEM_TEXT, default="?").alias("__problem"))
    col.add_frame(R.ROSTER_BAD_ID, bad, file=file, column=header("id_number"), row=ROW, value="id_number",
                  mask=True, row_params={"__problem": "problem"})
    unknown = (
        f.filter(pl.col("source").is_not_null() & pl.col("source_code").is_null())
        .group_by("source").agg(pl.col(ROW).min(), pl.len().alias("__rows"))
    )
    allowed = "、".join(dict.fromkeys(k for k in contracts.ROSTER_SOURCE_ALIASES if not k.isascii()))
    col.add_frame(R.ROSTER_UNKNOWN_SOURCE, unknown, file=file, column=header("source"), row=ROW, value="source",
                  params={"allowed": allowed}, row_params={"__rows": "rows"})


def final_rosters(f: pl.DataFrame, persons: pl.LazyFrame, extra: list[str]) -> pl.DataFrame:
    """Rosters with ``in_registry``/``household_id`` from the persons table (a streaming join with
    the roster's IDs as the small side)."""
    ids = f.select(pl.col("__t_id_number").alias("id_number")).drop_nulls().unique()
    found = (
        persons.select("id_number", "household_id", "source_row")
        .join(ids.lazy(), on="id_number", how="semi")
        .collect()
        .sort("source_row")
        .unique(subset=["id_number"], keep="first", maintain_order=True)
        .select("id_number", "household_id")
    )
    out = f.select(
        "source", "source_code", "kind", pl.col("__t_id_number").alias("id_number"), "name", "county",
        "township", "village", "group", "detail", pl.col(ROW).cast(pl.Int64).alias("source_row"),
        *[pl.col(x).cast(pl.String).alias(x if x not in FINAL_COLUMNS else f"extra_{x}") for x in extra],
    ).join(found, on="id_number", how="left", maintain_order="left")
    out = out.with_columns(pl.col("household_id").is_not_null().alias("in_registry"))
    return out.select(*FINAL_COLUMNS, *[c for c in out.columns if c not in FINAL_COLUMNS])
