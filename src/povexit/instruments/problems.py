"""Row-level problems of ingest as a table, and their rendering into ``rejected.csv`` rows and
:class:`~povexit.errors.Diagnostic` objects (file, row, field, value, code, message, how to fix)."""

from __future__ import annotations

import json
from collections.abc import Mapping

import polars as pl

from ..errors import Diagnostic, lookup
from ..errors import instruments as EI
from ..privacy import mask_id, mask_name

PROBLEM_SCHEMA: dict[str, pl.DataType] = {
    "_uid": pl.Int64(), "file": pl.String(), "row": pl.Int64(), "instance_id": pl.String(),
    "household_id": pl.String(), "instrument": pl.String(), "field": pl.String(), "value": pl.String(),
    "code": pl.String(), "severity": pl.String(), "params": pl.String(),
}
REJECTED_COLUMNS = ("file", "row", "instance_id", "household_id", "instrument", "field", "value", "code", "severity",
                    "message", "message_en", "fix")
MASKERS = {"member_id_number": mask_id, "member_name": mask_name}


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def _col(frame: pl.DataFrame, name: str, dtype: pl.DataType = pl.String()) -> pl.Expr:
    return pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype=dtype)


def make(frame: pl.DataFrame, mask: pl.Expr | None, spec: EI.ErrorSpec, field: str | None, value: pl.Expr | str | None,
         params: Mapping[str, pl.Expr | str] | None = None, severity: str | None = None) -> pl.DataFrame:
    """Problem records for the rows of ``frame`` where ``mask`` holds (all rows when ``mask`` is None).

    ``frame`` needs ``_uid``, ``_file``, ``_row`` and may have ``instance_id``, ``household_id``,
    ``instrument``; ``value`` and ``params`` may be per-row expressions.
    """
    sub = frame if mask is None else frame.filter(mask)
    if sub.height == 0:
        return empty()
    if isinstance(value, str):
        value_expr = pl.col(value).cast(pl.String) if value in sub.columns else pl.lit(None, dtype=pl.String)
    elif value is None:
        value_expr = pl.lit(None, dtype=pl.String)
    else:
        value_expr = value.cast(pl.String)
    params = dict(params or {})
    if params:
        pexpr = pl.struct([(v if isinstance(v, pl.Expr) else pl.lit(v)).cast(pl.String).alias(k)
                           for k, v in params.items()]).struct.json_encode()
    else:
        pexpr = pl.lit("{}")
    return sub.select(
        _col(sub, "_uid", pl.Int64()).alias("_uid"),
        _col(sub, "_file").alias("file"),
        _col(sub, "_row", pl.Int64()).alias("row"),
        _col(sub, "instance_id").alias("instance_id"),
        _col(sub, "household_id").alias("household_id"),
        _col(sub, "instrument").alias("instrument"),
        pl.lit(field, dtype=pl.String).alias("field"),
        value_expr.alias("value"),
        pl.lit(spec.code).alias("code"),
        pl.lit(severity or spec.severity).alias("severity"),
        pexpr.alias("params"),
    )


def concat(frames: list[pl.DataFrame]) -> pl.DataFrame:
    frames = [f for f in frames if f.height]
    if not frames:
        return empty()
    return pl.concat([f.select(list(PROBLEM_SCHEMA)).cast(PROBLEM_SCHEMA) for f in frames], how="vertical")


def _masked(field: str | None, value: str | None) -> str | None:
    if value is None or field not in MASKERS:
        return value
    return MASKERS[field](value)


def diagnostics(problems: pl.DataFrame) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for r in problems.iter_rows(named=True):
        params = json.loads(r["params"] or "{}")
        value = _masked(r["field"], r["value"])
        out.append(Diagnostic(code=r["code"], severity=r["severity"], file=r["file"], row=r["row"], column=r["field"],
                              value=value, params={"household_id": r["household_id"] or "", **params}))
    return out


def rejected_table(problems: pl.DataFrame) -> pl.DataFrame:
    """``rejected.csv`` rows: location, values (ID numbers and names masked), bilingual message and fix."""
    rows = []
    for d, r in zip(diagnostics(problems), problems.iter_rows(named=True), strict=True):
        rows.append({
            "file": r["file"], "row": r["row"], "instance_id": r["instance_id"], "household_id": r["household_id"],
            "instrument": r["instrument"], "field": r["field"], "value": d.value, "code": r["code"],
            "severity": r["severity"], "message": d.message("zh"), "message_en": d.message("en"), "fix": d.fix("zh"),
        })
    schema = {c: (pl.Int64 if c == "row" else pl.String) for c in REJECTED_COLUMNS}
    if not rows:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(rows, schema=schema)


def spec_of(code: str):
    return lookup(code)
