"""Reading and writing sample directories (contract §2 + docs/data-layout.md "sample/ extras").

Files are written atomically (:func:`povexit.fsutil.atomic_dir`) and deterministically: fixed
column order, sorted rows, shortest round-trip floats, and a ``created_at`` that comes from the
caller or ``SOURCE_DATE_EPOCH`` (never the clock), so the same inputs and seed give the same bytes.
``manifest.json`` records the SHA-256 of every file written; :func:`load_sample` checks them.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from pathlib import Path
from typing import Any

import polars as pl

from .. import errors as E
from ..errors import sampling as ES
from ..fsutil import atomic_dir, sha256_bytes, write_json
from .model import FILES, Sample, conform
from .release import release_batch

MANIFEST = "manifest.json"


def resolve_created_at(created_at: str | None = None) -> str | None:
    """The ``created_at`` to record: the given value, else ``SOURCE_DATE_EPOCH`` (seconds, UTC) as
    ISO 8601, else None — never the current time, which would make two identical draws differ."""
    if created_at:
        return created_at
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).isoformat().replace("+00:00", "Z")
    return None


def csv_bytes(df: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.write_csv(buf)
    return buf.getvalue()


def write_sample(sample: Sample, out: str | Path, inputs: dict[str, str] | None = None, *,
                 created_at: str | None = None, kind: str = "sample") -> Path:
    """Write ``sample`` to the directory ``out`` (replacing an earlier povexit output there).

    ``inputs`` (file name → SHA-256) adds to the registry hashes the draw recorded."""
    out = Path(out)
    manifest = dict(sample.manifest)
    if inputs:
        manifest["inputs"] = dict(sorted({**manifest.get("inputs", {}), **inputs}.items()))
    manifest["created_at"] = resolve_created_at(created_at) or manifest.get("created_at")
    with atomic_dir(out, kind=kind) as tmp:
        hashes = {}
        for name, df in sample.tables().items():
            data = csv_bytes(conform(df, FILES[name]))
            (tmp / name).write_bytes(data)
            hashes[name] = sha256_bytes(data)
        manifest["outputs"] = hashes
        write_json(tmp / MANIFEST, manifest)
    return out


def load_sample(directory: str | Path, *, verify: bool = True) -> Sample:
    """Read a sample (or released batch) directory; with ``verify`` the files must match the hashes
    in its manifest."""
    d = Path(directory)
    if not d.is_dir():
        raise E.PovexitError(E.FILE_NOT_FOUND(file=str(d)))
    mpath = d / MANIFEST
    if not mpath.is_file():
        raise E.PovexitError(ES.SAMPLE_DIR_INVALID(file=str(d), value=MANIFEST))
    raw = mpath.read_bytes()
    try:
        manifest = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise E.PovexitError(E.FILE_UNREADABLE(file=str(mpath), reason=str(exc))) from exc
    tables: dict[str, pl.DataFrame] = {}
    for name, schema in FILES.items():
        p = d / name
        if not p.is_file():
            raise E.PovexitError(ES.SAMPLE_DIR_INVALID(file=str(d), value=name))
        data = p.read_bytes()
        expected = manifest.get("outputs", {}).get(name)
        if verify and expected and sha256_bytes(data) != expected:
            raise E.PovexitError(ES.SAMPLE_TAMPERED(file=str(p)))
        tables[name] = _read_table(data, schema, p)
    return Sample(tables["villages.csv"], tables["households.csv"], tables["groups.csv"], tables["reserve.csv"],
                  manifest, path=d, manifest_sha256=sha256_bytes(raw))


def write_release(sample_dir: str | Path, batch: int, out: str | Path, *, county: str | None = None,
                  created_at: str | None = None) -> Sample:
    """Write release batch ``batch`` of the sample in ``sample_dir`` to ``out``; the rest stays sealed."""
    part = release_batch(load_sample(sample_dir), batch, county)
    write_sample(part, out, created_at=created_at, kind="sample-release")
    return part


def _read_table(data: bytes, schema: dict[str, Any], path: Path) -> pl.DataFrame:
    df = pl.read_csv(io.BytesIO(data), infer_schema=False) if data.strip() else pl.DataFrame()
    missing = [c for c in schema if c not in df.columns]
    if df.width and missing:
        raise E.PovexitError(E.MISSING_COLUMN(file=str(path), column=missing[0], zh=missing[0]))
    exprs = []
    for c, t in schema.items():
        col = pl.col(c) if c in df.columns else pl.lit(None, dtype=pl.String)
        if t == pl.Boolean:
            exprs.append(col.replace_strict({"true": True, "false": False}, default=None, return_dtype=pl.Boolean).alias(c))
        else:
            exprs.append(col.cast(t).alias(c))
    return df.select(exprs) if df.width else pl.DataFrame(schema=schema)
