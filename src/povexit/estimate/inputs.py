"""Inputs of the estimate layer: the sample directory (contract §2), findings and cases (§4), cadres.

Every reader returns Polars frames with fixed names and dtypes, whether the input came from a file
(read with :mod:`povexit.tabular`: any encoding, Chinese headers, errors naming file, row and column)
or from another layer's objects (``sampling.Sample``, ``rules.Adjudication.findings``), so the
estimators see one shape.

A sample directory with a manifest goes through ``povexit.sampling.load_sample``; contract CSVs from
another tool are read here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from .. import errors as E
from ..contracts import (
    CASES,
    FINDINGS,
    SAMPLE_GROUPS,
    SAMPLE_HOUSEHOLDS,
    SAMPLE_VILLAGES,
    TableSpec,
    parse_yesno,
)
from ..errors import estimate as EE
from ..tabular import ROW, find_table_file, read_table

# column -> dtype of the normalised frames (extras of docs/data-layout.md included, optional)
VILLAGE_COLUMNS = {
    "county": pl.String, "township": pl.String, "village": pl.String, "village_id": pl.String,
    "stratum": pl.String, "reason": pl.String, "p_village": pl.Float64, "fpc_village": pl.Float64,
}
HOUSEHOLD_COLUMNS = {
    "household_id": pl.String, "village_id": pl.String, "group": pl.String, "instrument": pl.String,
    "stratum": pl.String, "psu": pl.String, "p_village": pl.Float64, "p_household": pl.Float64,
    "weight": pl.Float64, "persons": pl.Float64, "fpc_household": pl.Float64, "source": pl.String,
    "reserve_rank": pl.Float64,
}
GROUP_COLUMNS = {
    "county": pl.String, "village_id": pl.String, "group": pl.String,
    "nonregistered_population": pl.Float64, "p_group": pl.Float64, "fpc_group": pl.Float64,
}
FINDING_COLUMNS = {
    "household_id": pl.String, "instrument": pl.String, "persons": pl.Float64, "wrongful_exit": pl.Boolean,
    "wrongful_exit_persons": pl.Float64, "missed": pl.Boolean, "missed_persons": pl.Float64,
    "approves": pl.Boolean, "status": pl.String, "village_id": pl.String, "group": pl.String,
}
CASE_COLUMNS = {"household_id": pl.String, "kind": pl.String, "outcome": pl.String}
CADRE_COLUMNS = {"county": pl.String, "respondent_role": pl.String, "approves": pl.Boolean}
CASE_KINDS = {"wrongful_exit": "wrongful_exit", "错退": "wrongful_exit", "missed": "missed", "漏评": "missed"}


@dataclass
class SampleTables:
    """The sample as the estimators need it (the same attributes as ``sampling.Sample``)."""

    villages: pl.DataFrame
    households: pl.DataFrame
    groups: pl.DataFrame
    reserve: pl.DataFrame | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None


def _bad(file: str | None, row: Any, column: str, value: Any, kind: str, hint: str) -> E.PovexitError:
    return E.PovexitError(EE.BAD_NUMBER(file=file, row=None if row is None else int(row), column=column,
                                        value=value, kind=kind, hint=hint))


def _typed(df: pl.DataFrame, columns: dict[str, Any], file: str | None) -> pl.DataFrame:
    """Cast the known columns to their dtypes (adding missing ones as nulls); a value that does not
    parse is an error naming the file, row (``_row`` when read from a file) and column."""
    out = []
    for name, dtype in columns.items():
        if name not in df.columns:
            out.append(pl.Series(name, [None] * df.height, dtype=dtype))
            continue
        col = df[name]
        if dtype == pl.Boolean:
            if col.dtype == pl.Boolean:
                out.append(col)
                continue
            text = col.cast(pl.String)
            mapping: dict[str, bool | None] = {}
            for v in text.drop_nulls().unique().to_list():  # few distinct values: parse each once
                try:
                    mapping[v] = parse_yesno(v)
                except ValueError:
                    i = int((text == v).arg_max())
                    row = df[ROW][i] if ROW in df.columns else i + 1
                    raise _bad(file, row, name, v, "是/否 (yes/no)", "use 是/否, 1/0, true/false or Y/N") from None
            out.append(text.replace_strict(mapping, default=None, return_dtype=pl.Boolean).alias(name))
            continue
        if col.dtype == dtype:
            out.append(col)
            continue
        if dtype == pl.String:
            out.append(col.cast(pl.String).str.strip_chars().replace("", None))
            continue
        src = col.cast(pl.String).str.strip_chars().replace("", None) if col.dtype == pl.String else col
        cast = src.cast(dtype, strict=False)
        broken = cast.is_null() & src.is_not_null()
        if broken.any():
            i = int(broken.arg_max())
            row = df[ROW][i] if ROW in df.columns else i + 1
            raise _bad(file, row, name, src[i], "数值 (number)", "write a plain number")
        out.append(cast)
    extra = [c for c in df.columns if c not in columns]
    typed = pl.DataFrame([c.alias(n) for c, n in zip(out, columns, strict=True)], schema=None)
    return typed.hstack(df.select(extra)) if extra else typed


def _read_file(path: str | Path, spec: TableSpec) -> pl.DataFrame:
    """A contract table from a file (any format and encoding); column problems are errors."""
    table = read_table(path, spec)
    E.raise_if_errors(table.diagnostics)
    return table.collect()


def _read(directory: Path, spec: TableSpec, required: bool) -> tuple[pl.DataFrame | None, str | None]:
    path = find_table_file(directory, spec)
    if path is None:
        if required:
            raise E.PovexitError(E.FILE_NOT_FOUND(file=str(directory / f"{spec.stems[0]}.csv")))
        return None, None
    return _read_file(path, spec), str(path)


def load_sample_dir(path: str | Path) -> SampleTables:
    """The sample directory written by ``povexit sample`` (contract §2 plus the documented extras),
    through ``sampling.load_sample`` (which verifies the manifest's hashes); a directory of contract
    CSVs without a manifest (drawn by another tool) is read as it is."""
    path = Path(path)
    if not path.is_dir():
        raise E.PovexitError(E.FILE_NOT_FOUND(file=str(path)))
    if (path / "manifest.json").exists():  # a povexit sample: the sampling layer's loader checks its hashes
        from ..sampling import load_sample

        return normalise_sample(load_sample(path))
    villages, vfile = _read(path, SAMPLE_VILLAGES, True)
    households, hfile = _read(path, SAMPLE_HOUSEHOLDS, True)
    groups, gfile = _read(path, SAMPLE_GROUPS, False)
    reserve_spec = TableSpec("sample_reserve", ("reserve",), SAMPLE_HOUSEHOLDS.columns)
    reserve, rfile = _read(path, reserve_spec, False)
    return SampleTables(
        villages=_typed(villages, VILLAGE_COLUMNS, vfile),
        households=_typed(households, HOUSEHOLD_COLUMNS, hfile),
        groups=_typed(groups if groups is not None else pl.DataFrame(), GROUP_COLUMNS, gfile),
        reserve=None if reserve is None else _typed(reserve, HOUSEHOLD_COLUMNS, rfile),
        source=path,
    )


def normalise_sample(sample: Any) -> SampleTables:
    """Any object with ``.villages``, ``.households`` and ``.groups`` frames → :class:`SampleTables`."""
    groups = getattr(sample, "groups", None)
    reserve = getattr(sample, "reserve", None)
    return SampleTables(
        villages=_typed(sample.villages, VILLAGE_COLUMNS, "villages.csv"),
        households=_typed(sample.households, HOUSEHOLD_COLUMNS, "households.csv"),
        groups=_typed(groups if groups is not None else pl.DataFrame(), GROUP_COLUMNS, "groups.csv"),
        reserve=None if reserve is None or reserve.height == 0 else _typed(reserve, HOUSEHOLD_COLUMNS, "reserve.csv"),
        manifest=dict(getattr(sample, "manifest", {}) or {}),
        source=getattr(sample, "source", None),
    )


def read_findings(path: str | Path) -> pl.DataFrame:
    """``findings.csv`` (contract §4; CSV/XLSX/Parquet, any encoding, Chinese headers)."""
    return normalise_findings(_read_file(path, FINDINGS), file=str(path))


def normalise_findings(df: pl.DataFrame, file: str | None = "findings.csv") -> pl.DataFrame:
    out = _typed(df, FINDING_COLUMNS, file)
    out = out.with_columns(
        pl.col("instrument").str.to_lowercase(),
        pl.col("wrongful_exit").fill_null(False),
        pl.col("missed").fill_null(False),
        pl.col("wrongful_exit_persons").fill_null(0.0),
        pl.col("missed_persons").fill_null(0.0),
    )
    dup = out["household_id"].is_duplicated()
    if dup.any():
        raise E.PovexitError(EE.DUPLICATE_HOUSEHOLD(file=file, value=out["household_id"].filter(dup)[0]))
    return out


def read_cases(path: str | Path) -> pl.DataFrame:
    """``cases.csv`` (contract §4): household_id, kind, outcome (confirmed / dismissed / pending)."""
    return normalise_cases(_read_file(path, CASES), file=str(path))


def normalise_cases(df: pl.DataFrame, file: str | None = "cases.csv") -> pl.DataFrame:
    out = _typed(df, CASE_COLUMNS, file)
    outcome_aliases = CASES.column("outcome").enum_aliases
    rows = df[ROW].to_list() if ROW in df.columns else list(range(1, out.height + 1))
    kinds, outcomes = [], []
    for r, k, o in zip(rows, out["kind"].to_list(), out["outcome"].to_list(), strict=True):
        kind = CASE_KINDS.get((k or "").strip().lower()) or CASE_KINDS.get((k or "").strip())
        if kind is None:
            raise E.PovexitError(E.BAD_VALUE(file=file, row=r, column="kind", value=k, kind="问题类型 (case kind)",
                                             hint="wrongful_exit / missed（错退 / 漏评）"))
        outcome = outcome_aliases.get((o or "").strip().lower()) or outcome_aliases.get((o or "").strip())
        if outcome is None:
            raise E.PovexitError(E.BAD_VALUE(file=file, row=r, column="outcome", value=o, kind="核查结果 (outcome)",
                                             hint="confirmed / dismissed / pending（确认 / 不予采信 / 待核）"))
        kinds.append(kind)
        outcomes.append(outcome)
    return out.with_columns(pl.Series("kind", kinds, dtype=pl.String), pl.Series("outcome", outcomes, dtype=pl.String))


def read_cadres(responses_dir: str | Path) -> pl.DataFrame | None:
    """``responses/cadres.parquet`` (cadre / deputy approval), or None when there is none."""
    path = Path(responses_dir) / "cadres.parquet"
    if not path.exists():
        return None
    return _typed(pl.read_parquet(path), CADRE_COLUMNS, str(path))
