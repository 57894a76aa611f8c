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


def typed_rosters(raw: pl.LazyFrame, today: dt.date, extra: list[str]) -> pl.LazyFrame:
    """Typed rosters (lazy: a roster can hold millions of rows): normalised ID, its problem, the
    source code and kind, the raw columns kept for messages, extras passed through."""
    names = raw.collect_schema().names()
    f = raw.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in SPEC.names if c not in names])
    f = f.with_columns(parse.id_normalise(pl.col("id_number")).alias("__t_id_number"))
    vuln = sorted(set(contracts.VULNERABILITY_SOURCES.values()))
    code = parse.map_codes(pl.col("source"), contracts.ROSTER_SOURCE_ALIASES)
    return f.select(
        pl.col(ROW).cast(pl.Int64), *SPEC.names, "__t_id_number",
        parse.id_problem(pl.col("__t_id_number"), today).alias("__id_problem"),
        code.alias("source_code"),
        pl.when(code.is_in(vuln)).then(pl.lit("vulnerability")).when(code.is_not_null()).then(pl.lit("exclusion"))
        .alias("kind"),
        *[pl.col(x).cast(pl.String).alias(f"__x_{x}") for x in extra],
    )


def check_rosters(f: pl.LazyFrame, col: Collector, *, file: str, header) -> None:
    for c in SPEC.required:
        col.add_frame(R.VALUE_MISSING, f.filter(pl.col(c.name).is_null()), file=file, column=header(c.name),
                      row=ROW, value=None)
    problem = pl.col("__id_problem")
    text = pl.lit(None, dtype=pl.String)
    for k, v in ID_PROBLEM_TEXT.items():
        text = pl.when(problem == k).then(pl.lit(v)).otherwise(text)
    bad = f.filter(problem.is_not_null() & (problem != "missing")).with_columns(text.alias("__problem"))
    col.add_frame(R.ROSTER_BAD_ID, bad, file=file, column=header("id_number"), row=ROW, value="id_number",
                  mask=True, row_params={"__problem": "problem"})
    unknown = (
        f.filter(pl.col("source").is_not_null() & pl.col("source_code").is_null())
        .group_by("source").agg(pl.col(ROW).min(), pl.len().alias("__rows"))
    )
    allowed = "、".join(dict.fromkeys(k for k in contracts.ROSTER_SOURCE_ALIASES if not k.isascii()))
    col.add_frame(R.ROSTER_UNKNOWN_SOURCE, unknown, file=file, column=header("source"), row=ROW, value="source",
                  params={"allowed": allowed}, row_params={"__rows": "rows"})


def registry_matches(f: pl.LazyFrame, persons: pl.LazyFrame) -> pl.DataFrame:
    """id_number -> household_id (its first row in persons) for the roster IDs found in the registry.

    The persons scan is semi-joined on 64-bit hashes of the roster IDs (8 bytes per roster row in
    memory); the exact join below discards any hash collision."""
    h = pl.col("id_number").hash(seed=3)
    roster_hashes = f.select(pl.col("__t_id_number").alias("id_number")).drop_nulls().select(h.alias("h")).unique()
    return (
        persons.select("id_number", "household_id", "source_row")
        .filter(pl.col("id_number").is_not_null())
        .with_columns(h.alias("h"))
        .join(roster_hashes, on="h", how="semi")
        .group_by("id_number")
        .agg(pl.col("household_id").sort_by("source_row").first())
        .collect()
    )


def final_rosters(f: pl.LazyFrame, matches: pl.DataFrame, extra: list[str]) -> pl.LazyFrame:
    """Rosters with ``in_registry``/``household_id`` (file order kept)."""
    out = f.select(
        "source", "source_code", "kind", pl.col("__t_id_number").alias("id_number"), "name", "county",
        "township", "village", "group", "detail", pl.col(ROW).alias("source_row"),
        *[pl.col(f"__x_{x}").alias(x if x not in FINAL_COLUMNS else f"extra_{x}") for x in extra],
    ).join(matches.lazy(), on="id_number", how="left", maintain_order="left")
    out = out.with_columns(pl.col("household_id").is_not_null().alias("in_registry"))
    names = out.collect_schema().names()
    return out.select(*FINAL_COLUMNS, *[c for c in names if c not in FINAL_COLUMNS])
