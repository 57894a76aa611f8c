"""Read an assessment work directory (docs/data-layout.md) into plain tables for the report.

This is the I/O half of the report layer: it reads the files the earlier steps wrote —
``registry/`` (imported Parquet), ``sample/`` (contract §2 CSVs + manifest), ``responses/``
(ingest output), ``findings/`` (adjudication output, possibly with verified ``cases.csv``) and
``estimates.json`` (contract §5) — and hands them to the pure content builders as
:class:`WorkdirData`. Only ``estimates.json`` and ``findings/findings.csv`` are required; a missing
optional table leaves its section out with a warning, never a made-up number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from .. import errors as E
from ..contracts import parse_yesno
from ..errors import report as R
from ..fsutil import sha256_file

INDICATOR_KEYS = ("composite_incidence", "wrongful_exit_rate", "missed_rate", "approval_rate")


@dataclass
class WorkdirData:
    """Everything a county report reads. Tables are Polars frames (empty when the file is absent)."""

    estimates: dict[str, Any]
    findings: pl.DataFrame
    cases: pl.DataFrame
    reg_households: pl.DataFrame
    reg_villages: pl.DataFrame
    counties: pl.DataFrame
    sample_villages: pl.DataFrame
    sample_households: pl.DataFrame
    sample_groups: pl.DataFrame
    manifest: dict[str, Any] | None
    resp_households: pl.DataFrame
    resp_members: pl.DataFrame
    resp_villages: pl.DataFrame
    resp_cadres: pl.DataFrame
    rejected: pl.DataFrame
    root: Path | None = None
    resp_townships: pl.DataFrame = field(default_factory=pl.DataFrame)  # township forms (form 2025.2)
    resp_county_checks: pl.DataFrame = field(default_factory=pl.DataFrame)  # county document checklists
    file_hashes: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    warnings: list[str] = field(default_factory=list)

    @property
    def county(self) -> str:
        return str(self.estimates.get("county") or "")


EMPTY = pl.DataFrame()

YESNO_FINDINGS = ("wrongful_exit", "missed", "approves")
INT_FINDINGS = ("persons", "wrongful_exit_persons", "missed_persons")


def read_contract_table(path: Path, spec: Any) -> pl.DataFrame:
    """A contract table written by povexit or typed by hand (UTF-8, BOM, GBK/GB18030; Chinese headers;
    XLSX), every cell as text, blank cells null; a header problem is an error naming the file."""
    from ..tabular import ROW, read_table

    table = read_table(path, spec)
    E.raise_if_errors([d for d in table.diagnostics if d.code != "PVX006"])  # required columns: checked by the caller
    df = table.collect()
    df = df.drop([c for c in (ROW,) if c in df.columns])
    return df.with_columns(pl.col(c).cast(pl.String) for c in df.columns if df.schema[c] != pl.String)


def read_csv_text(path: Path) -> pl.DataFrame:
    """A CSV as all-text columns (UTF-8 with or without BOM)."""
    df = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    if df.columns and df.columns[0].startswith("\ufeff"):
        df = df.rename({df.columns[0]: df.columns[0].lstrip("\ufeff")})
    return df


def _yesno_col(df: pl.DataFrame, col: str) -> pl.DataFrame:
    if col not in df.columns or df.schema[col] == pl.Boolean:
        return df
    vals = [_safe_yesno(v) for v in df[col].cast(pl.String).to_list()]
    return df.with_columns(pl.Series(col, vals, dtype=pl.Boolean))


def _safe_yesno(v: object) -> bool | None:
    try:
        return parse_yesno(v)
    except ValueError:
        return None


def _int_col(df: pl.DataFrame, col: str) -> pl.DataFrame:
    if col not in df.columns:
        return df
    return df.with_columns(pl.col(col).cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
                           .round(0).cast(pl.Int64))


def normalise_findings(df: pl.DataFrame) -> pl.DataFrame:
    """Type the contract §4 columns (yes/no → bool, counts → int); keep every other column."""
    for c in YESNO_FINDINGS:
        df = _yesno_col(df, c)
    for c in INT_FINDINGS:
        df = _int_col(df, c)
    for c in ("rules", "problems_zh", "problems_en", "evidence", "status"):
        if c not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    if "instrument" in df.columns and df.schema["instrument"] == pl.String:
        df = df.with_columns(pl.Series("instrument", [_instrument(v) for v in df["instrument"].to_list()],
                                       dtype=pl.String))
    return df.with_columns(pl.col("household_id").cast(pl.String))


def _instrument(v: object) -> object:
    from ..estimate.inputs import INSTRUMENTS

    key = "" if v is None else str(v).strip()
    return INSTRUMENTS.get(key.lower()) or INSTRUMENTS.get(key) or v


def normalise_cases(df: pl.DataFrame) -> pl.DataFrame:
    """Outcomes and kinds as the estimate layer reads them (确认/不予采信/待核, 错退/漏评 …); a blank
    outcome is pending."""
    if df.is_empty():
        return df
    from ..contracts import CASES
    from ..estimate.inputs import CASE_KINDS, OUTCOME_ALIASES

    aliases = {**CASES.column("outcome").enum_aliases, **OUTCOME_ALIASES}

    def outcome(v: object) -> str:
        key = "" if v is None else str(v).strip()
        return aliases.get(key.lower()) or aliases.get(key) or (key or "pending")

    def kind(v: object) -> object:
        key = "" if v is None else str(v).strip()
        return CASE_KINDS.get(key.lower()) or CASE_KINDS.get(key) or v

    out = df.with_columns(
        pl.col("household_id").cast(pl.String),
        pl.Series("outcome", [outcome(v) for v in df["outcome"].to_list()], dtype=pl.String)
        if "outcome" in df.columns else pl.lit("pending").alias("outcome"),
    )
    if "kind" in out.columns:
        out = out.with_columns(pl.Series("kind", [kind(v) for v in out["kind"].cast(pl.String).to_list()],
                                         dtype=pl.String))
    for c in ("case_id", "rules", "evidence", "reason", "comment"):
        if c not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    notes = [c for c in ("说明", "备注", "核查说明", "核实情况", "dismiss_reason") if c in out.columns]
    if notes:  # the verification note as a team writes it in Excel
        out = out.with_columns(pl.coalesce("reason", *[pl.col(c).cast(pl.String) for c in notes]).alias("reason"))
    return out


def validate_estimates(est: Any, file: str) -> dict[str, Any]:
    """Check the keys of contract §5 the report relies on; raise naming the first bad key."""
    def bad(column: str, reason_zh: str) -> E.PovexitError:
        return E.PovexitError(R.ESTIMATES_INVALID(file=file, column=column, reason=reason_zh))

    if not isinstance(est, dict):
        raise bad("(root)", "should be a JSON object / 应为 JSON 对象")
    for key in ("county", "indicators", "decision"):
        if key not in est:
            raise bad(key, "is missing / 缺失")
    if not isinstance(est["indicators"], dict):
        raise bad("indicators", "should be an object / 应为对象")
    for key in INDICATOR_KEYS:
        ind = est["indicators"].get(key)
        if not isinstance(ind, dict):
            raise bad(f"indicators.{key}", "is missing / 缺失")
        for sub in ("official", "estimate", "ci_low", "ci_high"):
            v = ind.get(sub)
            if v is not None and not isinstance(v, int | float):
                raise bad(f"indicators.{key}.{sub}", f"= {v!r} is not a number / 不是数字")
    if est["decision"] not in ("pass", "rectify", "fail"):
        raise bad("decision", f"= {est['decision']!r} is not pass/rectify/fail")
    return est


def _read_table(path: Path) -> pl.DataFrame | None:
    if path.suffix == ".parquet":
        return pl.read_parquet(path) if path.exists() else None
    if path.exists():
        return read_csv_text(path)
    alt = path.with_suffix(".parquet")
    return pl.read_parquet(alt) if alt.exists() else None


def _read_sample(path: Path, spec: Any) -> pl.DataFrame | None:
    """A sample file (povexit's or another tool's: any encoding, Chinese headers), or None."""
    if path.exists():
        return read_contract_table(path, spec)
    alt = path.with_suffix(".parquet")
    return pl.read_parquet(alt) if alt.exists() else None


def load_registry_tables(reg_dir: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict[str, Path]]:
    """households, villages, counties of an imported ``registry/`` (or, failing that, a raw one)."""
    files = {n: reg_dir / f"{n}.parquet" for n in ("households", "villages", "counties")}
    if files["households"].exists() and files["villages"].exists():
        counties = pl.read_parquet(files["counties"]) if files["counties"].exists() else EMPTY
        return pl.read_parquet(files["households"]), pl.read_parquet(files["villages"]), counties, files
    if (reg_dir / "persons.csv").exists() or any(reg_dir.glob("persons.*")):
        try:
            from ..registry import load as load_registry  # the registry layer's loader
        except ImportError:
            return EMPTY, EMPTY, EMPTY, {}
        reg = load_registry(reg_dir)
        return reg.households, reg.villages, reg.counties, {}
    return EMPTY, EMPTY, EMPTY, {}


def load_workdir(root: str | Path, *, estimates: str | Path | None = None) -> WorkdirData:
    """Read a work directory. ``estimates`` overrides ``root/estimates.json`` (e.g. a final run)."""
    root = Path(root)
    if not root.is_dir():
        raise E.PovexitError(E.FILE_NOT_FOUND(file=str(root)))
    warnings: list[str] = []
    hashes: dict[str, str] = {}

    def rel(p: Path) -> str:
        try:
            return str(p.relative_to(root))
        except ValueError:
            return str(p)

    est_path = Path(estimates) if estimates else root / "estimates.json"
    if not est_path.exists():
        raise E.PovexitError(R.WORKDIR_FILE_MISSING(
            file=rel(est_path), what="评估结果 / estimates", step="povexit estimate"))
    try:
        est = json.loads(est_path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise E.PovexitError(E.FILE_UNREADABLE(file=rel(est_path), reason=str(exc))) from exc
    validate_estimates(est, rel(est_path))
    hashes[rel(est_path)] = sha256_file(est_path)

    fdir = root / "findings"
    fpath = fdir / "findings.csv"
    if not fpath.exists():
        raise E.PovexitError(R.WORKDIR_FILE_MISSING(
            file=rel(fpath), what="入户研判结果 / household findings", step="povexit adjudicate"))
    from ..estimate.inputs import CASES_IN, FINDINGS_IN

    findings = read_contract_table(fpath, FINDINGS_IN)
    for col in ("household_id", "instrument", "persons", "wrongful_exit", "missed"):
        if col not in findings.columns:
            raise E.PovexitError(R.TABLE_COLUMN_MISSING(file=rel(fpath), column=col))
    findings = normalise_findings(findings)
    hashes[rel(fpath)] = sha256_file(fpath)
    cpath = fdir / "cases.csv"
    cases = normalise_cases(read_contract_table(cpath, CASES_IN)) if cpath.exists() else EMPTY
    if cpath.exists():
        hashes[rel(cpath)] = sha256_file(cpath)

    reg_h, reg_v, counties, reg_files = load_registry_tables(root / "registry")
    if reg_h.is_empty():
        warnings.append("registry/")
    for p in reg_files.values():
        if p.exists():
            hashes[rel(p)] = sha256_file(p)

    sdir = root / "sample"
    manifest = None
    mpath = sdir / "manifest.json"
    if mpath.exists():
        manifest = json.loads(mpath.read_text(encoding="utf-8-sig"))
        hashes[rel(mpath)] = sha256_file(mpath)
    else:
        warnings.append("sample/manifest.json")
    from ..estimate.inputs import SAMPLE_GROUPS_IN, SAMPLE_HOUSEHOLDS_IN, SAMPLE_VILLAGES_IN

    sv = _read_sample(sdir / "villages.csv", SAMPLE_VILLAGES_IN)
    sh = _read_sample(sdir / "households.csv", SAMPLE_HOUSEHOLDS_IN)
    sg = _read_sample(sdir / "groups.csv", SAMPLE_GROUPS_IN)
    if sv is None or sh is None:
        warnings.append("sample/")
    for name in ("villages.csv", "households.csv", "groups.csv"):
        if (sdir / name).exists():
            hashes[rel(sdir / name)] = sha256_file(sdir / name)

    rdir = root / "responses"
    rh = _read_table(rdir / "households.parquet")
    if rh is None:
        rh = _read_table(rdir / "responses.csv")  # a directory of plain contract CSVs
    if rh is None:
        warnings.append("responses/")
    rm = _read_table(rdir / "members.parquet")
    if rm is None:
        rm = _read_table(rdir / "members.csv")
    rvil = _read_table(rdir / "villages.parquet")
    rcad = _read_table(rdir / "cadres.parquet")
    rej = _read_table(rdir / "rejected.csv")
    rtown = _read_table(rdir / "townships.parquet")
    rcc = _read_table(rdir / "county_checks.parquet")
    for name in ("households.parquet", "members.parquet", "villages.parquet", "cadres.parquet",
                 "townships.parquet", "county_checks.parquet"):
        if (rdir / name).exists():
            hashes[rel(rdir / name)] = sha256_file(rdir / name)

    return WorkdirData(
        estimates=est, findings=findings, cases=cases,
        reg_households=reg_h, reg_villages=reg_v, counties=counties,
        sample_villages=sv if sv is not None else EMPTY,
        sample_households=sh if sh is not None else EMPTY,
        sample_groups=sg if sg is not None else EMPTY,
        manifest=manifest,
        resp_households=rh if rh is not None else EMPTY,
        resp_members=rm if rm is not None else EMPTY,
        resp_villages=rvil if rvil is not None else EMPTY,
        resp_cadres=rcad if rcad is not None else EMPTY,
        rejected=rej if rej is not None else EMPTY,
        resp_townships=rtown if rtown is not None else EMPTY,
        resp_county_checks=rcc if rcc is not None else EMPTY,
        root=root, file_hashes=dict(sorted(hashes.items())), warnings=warnings,
    )
