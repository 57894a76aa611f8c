"""Stable village ids (docs/data-layout.md): the 12-digit division code when the registry gives one,
otherwise ``V`` + the first 11 hex digits of SHA-1 of ``province|city|county|township|village``."""

from __future__ import annotations

import hashlib
import re

import duckdb
import polars as pl

PLACE = ("province", "city", "county", "township", "village")
_CODE = re.compile(r"^\d{12}$")


def valid_code(code: object) -> bool:
    return code is not None and bool(_CODE.match(str(code).strip()))


def village_id(
    province: str, city: str, county: str, township: str, village: str, code: str | None = None
) -> str:
    """The id of one village; the same names always give the same id, whatever the file order."""
    if valid_code(code):
        return str(code).strip()
    key = "|".join("" if p is None else str(p) for p in (province, city, county, township, village))
    return "V" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:11]


def village_ids(frame: pl.DataFrame, code_column: str | None = None) -> pl.Series:
    """:func:`village_id` for every row of a frame with the five place columns, vectorised
    (DuckDB's ``sha1``; Polars has no SHA-1)."""
    keys = frame.select(
        pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in PLACE], separator="|").alias("k")
    ).with_row_index("i")
    con = duckdb.connect()
    try:
        con.register("keys", keys.to_arrow())
        hashed = pl.from_arrow(
            con.sql("SELECT 'V' || substr(sha1(k), 1, 11) AS h FROM keys ORDER BY i").to_arrow_table()
        )
    finally:
        con.close()
    ids = hashed.to_series() if isinstance(hashed, pl.DataFrame) else hashed
    if code_column and code_column in frame.columns:
        code = frame[code_column].cast(pl.String).str.strip_chars()
        ids = pl.select(
            pl.when(code.str.contains(r"^\d{12}$").fill_null(False)).then(code).otherwise(ids)
        ).to_series()
    return ids.alias("village_id").cast(pl.String)
