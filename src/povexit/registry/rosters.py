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
    # staged: the streaming engine computes an expression once per output column that uses it
    f = parse.with_id_checks(f, "id_number", today=today).with_columns(
        parse.map_codes(pl.col("source"), contracts.ROSTER_SOURCE_ALIASES).alias("source_code"))
    vuln = sorted(set(contracts.VULNERABILITY_SOURCES.values()))
    code = pl.col("source_code")
    return f.select(
        pl.col(ROW).cast(pl.Int64), *SPEC.names, pl.col("__id_n").alias("__t_id_number"),
        pl.col("__id_problem"), code,
        pl.when(code.is_in(vuln)).then(pl.lit("vulnerability")).when(code.is_not_null()).then(pl.lit("exclusion"))
        .alias("kind"),
        *[pl.col(x).cast(pl.String).alias(f"__x_{x}") for x in extra],
    )


def problem_rows(f: pl.LazyFrame) -> pl.LazyFrame:
    """Roster rows with a missing value, a bad ID or an unknown source (typically few)."""
    bad_id = pl.col("__id_problem").is_not_null() & (pl.col("__id_problem") != "missing")
    unknown = pl.col("source").is_not_null() & pl.col("source_code").is_null()
    missing = [pl.col(c.name).is_null() for c in SPEC.required]
    return f.filter(pl.any_horizontal([bad_id, unknown, *missing])).select(
        ROW, "source", "source_code", "id_number", "__id_problem")


def check_rosters(f: pl.LazyFrame, col: Collector, *, file: str, header) -> None:
    """Diagnostics from :func:`problem_rows`."""
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


_HASH = 3  # seed of the 64-bit hashes used to pre-select roster IDs among the persons


def id_hashes(raw: pl.LazyFrame) -> pl.DataFrame:
    """The distinct 64-bit hashes of the roster's normalised IDs, from the ``id_number`` column of
    the roster as read (normalising removes surrounding white space, so the unstripped cells give
    the same IDs; a blank row has none)."""
    if "id_number" not in raw.collect_schema().names():
        return pl.DataFrame(schema={"h": pl.UInt64})
    ids = parse.id_normalise(pl.col("id_number").cast(pl.String))
    return raw.select(ids.drop_nulls().hash(seed=_HASH).alias("h")).unique().collect()


def registry_matches(hashes: pl.DataFrame, persons: pl.LazyFrame) -> pl.LazyFrame:
    """id_number -> household_id (its first row in persons) for persons whose ID hash is a roster's:
    8 bytes per roster ID in memory; the exact join in :func:`final_rosters` discards any collision.
    Lazy: collected with the persons pass."""
    return (
        persons.select("id_number", "household_id")
        .filter(pl.col("id_number").is_not_null())
        .with_columns(pl.col("id_number").hash(seed=_HASH).alias("h"))
        .join(hashes.lazy(), on="h", how="semi", maintain_order="left")
        .select("id_number", "household_id")
        .unique(subset=["id_number"], keep="first", maintain_order=True)  # persons are in file order
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
