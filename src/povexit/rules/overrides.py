"""Checker overrides of exclusion flags: a table household_id, rule, reason, checker (CSV/XLSX/Parquet,
Chinese or English headers). Only exclusion rules can be overridden here; ``exclusion`` (or
``exclusion.*``) overrides every exclusion flag of the household. A disputed 两不愁三保障 problem goes
through verification (五核), not through this table."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .. import errors as E
from ..contracts import Column, TableSpec
from ..errors import rules as R
from ..tabular import ROW, read_table
from .catalogue import EXCLUSION_IDS

OVERRIDES = TableSpec(
    "overrides", ("overrides", "复核", "排除复核"),
    (
        Column("household_id", "户编号", required=True, aliases=("户码", "户号"), contract=False),
        Column("rule", "规则", required=True, aliases=("规则编号",), contract=False),
        Column("reason", "理由", required=True, aliases=("复核理由", "原因"), contract=False),
        Column("checker", "核查员", required=True, aliases=("复核人", "核查人"), contract=False),
    ),
    doc="checker overrides of exclusion-list flags",
)


def normalise(df: pl.DataFrame, *, file: str = "overrides", row_col: str | None = None) -> pl.DataFrame:
    """Check every row (all four fields present, an exclusion rule) and expand wildcards. Raises
    :class:`PovexitError` listing every bad row."""
    diags: list[E.Diagnostic] = []
    rows = []
    for i, r in enumerate(df.iter_rows(named=True), start=1):
        row = r.get(row_col) if row_col else i
        vals = {k: (None if r.get(k) is None else str(r.get(k)).strip() or None)
                for k in ("household_id", "rule", "reason", "checker")}
        bad = False
        for k, v in vals.items():
            if v is None:
                diags.append(R.OVERRIDE_FIELD_MISSING(file=file, row=row, column=k))
                bad = True
        if bad:
            continue
        rule = vals["rule"]
        if rule in ("exclusion", "exclusion.*"):
            targets = list(EXCLUSION_IDS)
        elif rule in EXCLUSION_IDS:
            targets = [rule]
        else:
            diags.append(R.OVERRIDE_RULE_NOT_ALLOWED(file=file, row=row, column="rule", value=rule,
                                                     allowed=", ".join(("exclusion", *EXCLUSION_IDS))))
            continue
        rows += [{"household_id": vals["household_id"], "rule": t, "reason": vals["reason"],
                  "checker": vals["checker"]} for t in targets]
    E.raise_if_errors(diags)
    schema = {"household_id": pl.String, "rule": pl.String, "reason": pl.String, "checker": pl.String}
    return pl.DataFrame(rows, schema=schema).unique(["household_id", "rule"], keep="last", maintain_order=True)


def load(path: str | Path) -> pl.DataFrame:
    raw = read_table(path, OVERRIDES)
    E.raise_if_errors(raw.diagnostics)
    try:
        return normalise(raw.collect(), file=str(path), row_col=ROW)
    finally:
        raw.close()
