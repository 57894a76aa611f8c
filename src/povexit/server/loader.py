"""Read an assessment work directory (docs/data-layout.md) into plain tables for the server.

Pure reading, no database: :func:`read_workdir` returns a :class:`WorkdirData`; the writes are
``actions.do_load_assessment``. Required: ``sample/villages.csv``, ``sample/households.csv``,
``findings/cases.csv``. Optional: registry (head of household names/ID numbers, thresholds),
``responses/households.parquet`` (who was interviewed when, by which pair), ``responses/rejected.csv``,
``findings/findings.csv`` (printable problems, persons), ``estimates.json`` (one county's dict, a list
of them, or ``{"counties": [...]}``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .. import contracts as C
from .. import errors as E
from ..errors import server as ES
from ..fsutil import sha256_file
from ..tabular import ROW, read_table


@dataclass
class WorkdirData:
    path: Path
    files: dict[str, str]  # relative path -> sha256
    villages: pl.DataFrame
    households: pl.DataFrame
    cases: pl.DataFrame
    findings: pl.DataFrame | None = None
    heads: pl.DataFrame | None = None  # household_id, head_name, head_id_number, status
    counties: pl.DataFrame | None = None
    responses: pl.DataFrame | None = None
    rejected: pl.DataFrame | None = None
    estimates: dict[str, dict] = field(default_factory=dict)

    def field_households(self) -> pl.DataFrame:
        """Households interviewed (or with a case) that ``sample/households.csv`` does not list — the
        census groups' non-registered households: household_id, village_id, group, instrument, persons."""
        cols = {
            "household_id": pl.String,
            "village_id": pl.String,
            "group": pl.String,
            "instrument": pl.String,
            "persons": pl.String,
        }
        known = self.households.select(pl.col("household_id").cast(pl.String))
        parts = []
        for df, default_instrument in (
            (self.findings, None),
            (self.responses, None),
            (self.cases, "general"),
        ):
            if df is None or "village_id" not in df.columns:
                continue
            sel = [
                pl.col(c).cast(pl.String).alias(c)
                if c in df.columns
                else pl.lit(None, dtype=pl.String).alias(c)
                for c in cols
            ]
            part = df.select(sel)
            if default_instrument:
                part = part.with_columns(pl.col("instrument").fill_null(default_instrument))
            parts.append(part)
        if not parts:
            return pl.DataFrame(schema=cols)
        out = pl.concat(parts, how="vertical").filter(pl.col("village_id").is_not_null())
        return out.unique("household_id", keep="first", maintain_order=True).join(
            known, on="household_id", how="anti"
        )

    @property
    def source_hash(self) -> str:
        h = hashlib.sha256()
        for name in sorted(self.files):
            h.update(f"{name}\0{self.files[name]}\n".encode())
        return h.hexdigest()


def _need(df: pl.DataFrame, path: Path, *columns: str) -> pl.DataFrame:
    for c in columns:
        if c not in df.columns:
            raise E.PovexitError(ES.WORKDIR_COLUMN(file=str(path), column=c))
    return df


def _read(path: Path, spec: C.TableSpec) -> pl.DataFrame:
    raw = read_table(path, spec)
    errs = [d for d in raw.diagnostics if d.severity == "error"]
    if errs:
        raise E.PovexitError(errs)
    return raw.collect()


def read_workdir(workdir: str | Path) -> WorkdirData:
    wd = Path(workdir).resolve()
    if not wd.is_dir():
        raise E.PovexitError(E.FILE_NOT_FOUND(file=str(wd)))
    files: dict[str, str] = {}

    def want(rel: str, required: bool = True) -> Path | None:
        p = wd / rel
        if not p.exists():
            if required:
                raise E.PovexitError(ES.WORKDIR_MISSING(file=str(wd), value=rel))
            return None
        files[rel] = sha256_file(p)
        return p

    pv = want("sample/villages.csv")
    villages = _need(_read(pv, C.SAMPLE_VILLAGES), pv, "village_id", "county")
    ph = want("sample/households.csv")
    households = _need(_read(ph, C.SAMPLE_HOUSEHOLDS), ph, "household_id", "village_id", "instrument")
    pc = want("findings/cases.csv")
    cases = _need(_read(pc, C.CASES), pc, "household_id", "kind")
    if "case_id" not in cases.columns:  # contract §4 lists no case id: derive a stable one
        cases = cases.with_columns(
            (pl.col("kind").str.slice(0, 1).str.to_uppercase() + "-" + pl.col("household_id")).alias(
                "case_id"
            )
        )
    cases = cases.with_columns(pl.col(ROW).alias("_row"))

    findings = None
    pf = want("findings/findings.csv", required=False)
    if pf is not None:
        findings = _read(pf, C.FINDINGS)

    heads = _read_heads(wd, households, want)
    counties = None
    for rel in ("registry/counties.parquet", "registry/counties.csv"):
        p = want(rel, required=False)
        if p is not None:
            counties = _read(p, C.COUNTIES)
            break

    responses = None
    pr = want("responses/households.parquet", required=False)
    if pr is not None:
        responses = pl.read_parquet(pr, columns=None)
        keep = [
            c
            for c in (
                "instance_id",
                "household_id",
                "instrument",
                "enumerators",
                "started_at",
                "ended_at",
                "village_id",
                "group",
            )
            if c in responses.columns
        ]
        responses = responses.select(keep)
    rejected = None
    prj = want("responses/rejected.csv", required=False)
    if prj is not None:
        rejected = pl.read_csv(prj, infer_schema=False)

    estimates: dict[str, dict] = {}
    pe = want("estimates.json", required=False)
    if pe is not None:
        data = json.loads(pe.read_text(encoding="utf-8"))
        items = data.get("counties", [data]) if isinstance(data, dict) else data
        for item in items:
            if isinstance(item, dict) and item.get("county"):
                estimates[str(item["county"])] = item
    return WorkdirData(
        wd, files, villages, households, cases, findings, heads, counties, responses, rejected, estimates
    )


def _read_heads(wd: Path, households: pl.DataFrame, want) -> pl.DataFrame | None:
    """Head of household name and ID number for the sampled households, from the registry."""
    ids = households.select("household_id")
    p = want("registry/households.parquet", required=False)
    if p is not None:
        df = pl.read_parquet(p)
        cols = [c for c in ("household_id", "head_name", "head_id_number", "status") if c in df.columns]
        return df.select(cols).join(ids, on="household_id", how="semi")
    for rel in ("registry/persons.parquet", "registry/persons.csv", "registry/persons.xlsx"):
        p = want(rel, required=False)
        if p is None:
            continue
        df = _read(p, C.PERSONS) if p.suffix != ".parquet" else pl.read_parquet(p)
        if "relation" not in df.columns:
            return None
        heads = df.filter(pl.col("relation").cast(pl.String).is_in(["户主", "head"]))
        status = (
            pl.col("status").cast(pl.String).replace(C.STATUS_ALIASES)
            if "status" in df.columns
            else pl.lit("")
        )
        return (
            heads.select(
                pl.col("household_id").cast(pl.String),
                pl.col("name").cast(pl.String).alias("head_name"),
                pl.col("id_number").cast(pl.String).alias("head_id_number"),
                status.alias("status"),
            )
            .unique("household_id", keep="first")
            .join(ids, on="household_id", how="semi")
        )
    return None
