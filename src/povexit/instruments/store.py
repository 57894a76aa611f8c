"""``responses/`` on disk (docs/data-layout.md): read and write, atomically.

``households.parquet`` (one row per accepted household interview), ``members.parquet``,
``villages.parquet``, ``cadres.parquet``, ``townships.parquet`` (township forms), ``county_checks.parquet``
(county document checklists), ``nonresponse.parquet`` (visits that did not result in an interview: not found,
refused …), ``rejected.csv`` (every rejected or flagged row, cumulative),
``instances.parquet`` (every instance ID seen and its outcome) and ``ingest.json`` (counts, input hashes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import PovexitError
from ..errors import instruments as EI
from ..fsutil import MARKER, sha256_bytes
from . import problems as P
from .combine import TABLES, _column_order, member_columns
from .schema import SERVER_META, dtype, known_names

KIND = "responses"
FILES = {t: f"{t}.parquet" for t in (*TABLES, "members")}
EXTRA_TYPES: dict[str, pl.DataType] = {
    "gps_lat": pl.Float64(), "gps_lon": pl.Float64(), "source": pl.String(), "substitute": pl.Boolean(),
    "reserve_rank": pl.Int64(), "source_file": pl.String(), "source_row": pl.Int64(), "content_hash": pl.String(),
    "member_no": pl.Int64(),
}


@dataclass
class Responses:
    households: pl.DataFrame
    members: pl.DataFrame
    villages: pl.DataFrame
    cadres: pl.DataFrame
    nonresponse: pl.DataFrame
    rejected: pl.DataFrame
    instances: pl.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None
    townships: pl.DataFrame = field(default_factory=lambda: empty_table("townships"))
    county_checks: pl.DataFrame = field(default_factory=lambda: empty_table("county_checks"))

    def tables(self) -> dict[str, pl.DataFrame]:
        return {"households": self.households, "members": self.members, "villages": self.villages,
                "cadres": self.cadres, "nonresponse": self.nonresponse, "townships": self.townships,
                "county_checks": self.county_checks, "instances": self.instances}


def column_type(name: str) -> pl.DataType:
    if name in EXTRA_TYPES:
        return EXTRA_TYPES[name]
    kinds = dict(known_names()) | dict(SERVER_META)
    return dtype(kinds.get(name, "text"))


def empty_table(table: str) -> pl.DataFrame:
    cols = member_columns() if table == "members" else _column_order(table)
    return pl.DataFrame(schema={c: column_type(c) for c in cols})


def conform(df: pl.DataFrame, table: str) -> pl.DataFrame:
    """Full column set of ``table`` in its documented order and types (missing columns null)."""
    base = empty_table(table)
    if df.height == 0 and df.width == 0:
        return base
    exprs = []
    for c, dt in base.schema.items():
        exprs.append(pl.col(c).cast(dt, strict=False) if c in df.columns else pl.lit(None, dtype=dt).alias(c))
    extra = [c for c in df.columns if c not in base.columns and not c.startswith("_")]
    return df.select(exprs + [pl.col(c) for c in extra])


def _fingerprint(out: Path) -> str | None:
    p = out / "ingest.json"
    return sha256_bytes(p.read_bytes()) if p.exists() else None


def is_responses_dir(path: Path) -> bool:
    marker = path / MARKER
    if not marker.exists():
        return False
    try:
        return json.loads(marker.read_text(encoding="utf-8")).get("kind") == KIND
    except (OSError, json.JSONDecodeError):
        return False


def read_rejected(path: Path) -> pl.DataFrame:
    schema = {c: (pl.Int64 if c == "row" else pl.String) for c in P.REJECTED_COLUMNS}
    if not path.exists():
        return pl.DataFrame(schema=schema)
    df = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    return df.select([pl.col(c).cast(t, strict=False) if c in df.columns else pl.lit(None, dtype=t).alias(c)
                      for c, t in schema.items()])


def load_responses(path: str | Path) -> Responses:
    """Read ``responses/`` (output of ingest) — or a directory of plain contract CSVs (``responses.csv`` and
    optionally ``members.csv``), which is checked against the forms like any other input."""
    path = Path(path)
    if not path.is_dir():
        raise PovexitError(EI.RESPONSES_INVALID(file=str(path), reason="not a directory"))
    if (path / "ingest.json").exists() or (path / "households.parquet").exists():
        tables = {}
        for t, fname in FILES.items():
            f = path / fname
            tables[t] = conform(pl.read_parquet(f), t) if f.exists() else empty_table(t)
        inst = path / "instances.parquet"
        meta = json.loads((path / "ingest.json").read_text(encoding="utf-8")) if (path / "ingest.json").exists() else {}
        return Responses(
            households=tables["households"], members=tables["members"], villages=tables["villages"],
            cadres=tables["cadres"], nonresponse=tables["nonresponse"], rejected=read_rejected(path / "rejected.csv"),
            instances=pl.read_parquet(inst) if inst.exists() else pl.DataFrame(), meta=meta, source=path,
            townships=tables["townships"], county_checks=tables["county_checks"],
        )
    plain = [p for p in sorted(path.iterdir()) if p.is_file() and p.stem.lower() in ("responses", "members", "答卷")
             and p.suffix.lower() in (".csv", ".xlsx")]
    if not plain:
        raise PovexitError(EI.RESPONSES_INVALID(file=str(path), reason="no ingest.json, households.parquet or responses.csv"))
    from .ingest import ingest

    res = ingest(None, plain)
    return res.responses()


def write_tables(out: Path, tables: dict[str, pl.DataFrame], rejected: pl.DataFrame, instances: pl.DataFrame,
                 meta: dict[str, Any]) -> None:
    from ..fsutil import atomic_dir, write_json

    with atomic_dir(out, kind=KIND) as tmp:
        for t, fname in FILES.items():
            conform(tables.get(t, pl.DataFrame()), t).write_parquet(tmp / fname, compression="zstd")
        rejected.write_csv(tmp / "rejected.csv")
        instances.write_parquet(tmp / "instances.parquet", compression="zstd")
        write_json(tmp / "ingest.json", meta)

