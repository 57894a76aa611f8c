"""File I/O of the rules layer: read the responses (and, until the other layers' loaders are there,
the sample) and write ``findings/`` atomically (docs/data-layout.md)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import polars as pl

from .. import errors as E
from ..contracts import SAMPLE_GROUPS, SAMPLE_HOUSEHOLDS, Column, TableSpec
from ..errors import rules as R
from ..fsutil import atomic_dir, write_json
from ..tabular import ROW, find_table_file, read_table
from . import catalogue
from .household_table import ResponsesData
from .verdict import FINDINGS_COLUMNS, Adjudication

RESPONSES = TableSpec(
    "responses", ("responses", "households", "入户调查"),
    (Column("household_id", "户编号", required=True, aliases=("户码", "户号"), contract=False),
     Column("instrument", "问卷", required=True, contract=False),
     Column("instance_id", "提交编号", aliases=("meta/instanceID", "instanceID", "KEY"), contract=False)),
)
MEMBERS = TableSpec(
    "members", ("members", "家庭成员"),
    (Column("instance_id", "提交编号", required=True, aliases=("PARENT_KEY",), contract=False),
     Column("member_no", "成员序号", contract=False)),
)


def read_responses_dir(path: str | Path) -> ResponsesData:
    """``households.parquet`` (+ ``members.parquet``) written by ``povexit ingest``, or contract CSVs
    ``responses.csv`` (+ ``members.csv``)."""
    d = Path(path)
    if not d.exists():
        raise E.PovexitError(E.FILE_NOT_FOUND(file=str(d)))
    if (d / "households.parquet").is_file():
        hh = pl.read_parquet(d / "households.parquet")
        mp = d / "members.parquet"
        members = pl.read_parquet(mp) if mp.is_file() else None
        return ResponsesData(hh, members, str(d / "households.parquet"))
    f = find_table_file(d, RESPONSES) if d.is_dir() else d
    if f is None:
        raise E.PovexitError(R.RESPONSES_NOT_FOUND(file=str(d)))
    hh = _read(f, RESPONSES)
    mf = find_table_file(d, MEMBERS) if d.is_dir() else None
    members = _read(mf, MEMBERS) if mf is not None else None
    return ResponsesData(hh, members, str(f))


def _read(f: Path, spec: TableSpec) -> pl.DataFrame:
    raw = read_table(f, spec)
    try:
        E.raise_if_errors(raw.diagnostics)
        return raw.collect()
    finally:
        raw.close()


def load_sample(path: str | Path) -> Any:
    """The sample through ``povexit.sampling.load_sample`` when that layer provides it; otherwise the
    contract files ``households.csv`` and ``groups.csv`` read directly."""
    try:
        sampling = importlib.import_module("povexit.sampling")
        loader = getattr(sampling, "load_sample", None)
    except ImportError:  # pragma: no cover
        loader = None
    if loader is not None:
        return loader(path)
    d = Path(path)
    hf = find_table_file(d, SAMPLE_HOUSEHOLDS)
    if hf is None:
        raise E.PovexitError(E.FILE_NOT_FOUND(file=str(d / "households.csv")))
    gf = find_table_file(d, SAMPLE_GROUPS)
    return SimpleNamespace(households=_read(hf, SAMPLE_HOUSEHOLDS).drop(ROW),
                           groups=_read(gf, SAMPLE_GROUPS).drop(ROW) if gf else None)


def load_registry(path: str | Path) -> Any:
    from .. import registry

    loader = getattr(registry, "load", None)
    if loader is None:  # pragma: no cover - the registry layer provides it
        raise RuntimeError("povexit.registry.load is not available")
    return loader(path)


# ---- writing -------------------------------------------------------------------------------------

def _csv_ready(df: pl.DataFrame) -> pl.DataFrame:
    """Booleans as yes/no (empty when unknown); lists joined; everything else as is."""
    exprs = []
    for name, dtype in df.schema.items():
        if dtype == pl.Boolean:
            exprs.append(pl.when(pl.col(name)).then(pl.lit("yes")).when(pl.col(name) == False)  # noqa: E712
                         .then(pl.lit("no")).otherwise(pl.lit(None, pl.String)).alias(name))
        elif isinstance(dtype, pl.List):
            exprs.append(pl.col(name).cast(pl.List(pl.String)).list.join(";").alias(name))
    return df.with_columns(exprs) if exprs else df


def findings_for_csv(adj: Adjudication) -> pl.DataFrame:
    f = adj.findings
    extras = [c for c in f.columns if c not in FINDINGS_COLUMNS]
    return _csv_ready(f.select(*FINDINGS_COLUMNS, *extras).sort("household_id"))


def rule_catalogue(adj: Adjudication) -> list[dict[str, Any]]:
    """Every rule with its descriptions, the answers it reads and, for this ruleset, the parameter
    values and sources it uses (``rules.json``)."""
    from .base import Ctx

    ctx = Ctx(adj.ruleset)
    out = []
    for r in catalogue.RULES:
        params = {p: adj.ruleset.param(p) for p in r.params}
        out.append({
            "id": r.id, "kind": r.kind, "zh": r.zh, "en": r.en, "label_zh": r.label_zh, "label_en": r.label_en,
            "cite": r.cite, "fields": list(r.fields), "derived": list(r.derived),
            "neutralises": list(r.neutralised(ctx)),
            "params": {k: {"value": p.value, "source": p.source} for k, p in params.items()},
        })
    return out


def write_findings(adj: Adjudication, out: str | Path, *, inputs: dict[str, str] | None = None) -> Path:
    """Write ``findings.csv``, ``cases.csv``, ``verdicts.parquet``, ``ruleset.json``, ``rules.json`` and
    ``adjudication.json`` into ``out`` atomically; same inputs give the same bytes."""
    out = Path(out)
    with atomic_dir(out, kind="findings") as tmp:
        findings_for_csv(adj).write_csv(tmp / "findings.csv", null_value="")
        _csv_ready(adj.cases.sort("case_id")).write_csv(tmp / "cases.csv", null_value="")
        adj.verdicts.write_parquet(tmp / "verdicts.parquet", statistics=False)  # rule blocks, households sorted
        write_json(tmp / "ruleset.json", adj.ruleset.to_dict())
        write_json(tmp / "rules.json", rule_catalogue(adj))
        write_json(tmp / "adjudication.json", {
            **adj.summary,
            "inputs": inputs or {},
            "diagnostics": [d.to_dict("en") for d in adj.diagnostics],
        })
    return out


def read_findings(path: str | Path) -> pl.DataFrame:
    """``findings.csv`` back as text columns (for tests and other layers)."""
    p = Path(path)
    if p.is_dir():
        p = p / "findings.csv"
    return pl.read_csv(p, infer_schema=False)


def dumps_evidence(evidence: str) -> str:
    return json.dumps(json.loads(evidence), ensure_ascii=False, indent=2)
