"""Thin I/O around the core: read the inputs, write ``quality/`` and the back-check list atomically.

``quality/`` (docs/data-layout.md): ``flags.csv`` (one row per flagged submission and check),
``enumerators.csv`` (statistics per enumerator and per pair), ``enumerator_flags.csv`` (outliers, with
the test behind each), ``daily.csv`` (当天问题汇总 per day and pair), ``quality.json`` (summary, the check
catalogue, parameters, warnings, SHA-256 of the inputs). Same inputs and parameters → the same bytes.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import PovexitError
from ..errors import quality as EQ
from ..errors.render import diagnostics_json
from ..fsutil import atomic_dir, atomic_write_text, sha256_file, write_json
from . import catalogue
from .backcheck import BackcheckDraw
from .check import QualityReport

KIND = "quality"
CONTRACT = 1


def _csv_text(df: pl.DataFrame) -> str:
    """CSV text with booleans as yes/no, dates ISO, floats in shortest round-trip form."""
    exprs = []
    for name, dt in df.schema.items():
        if dt == pl.Boolean:
            exprs.append(pl.when(pl.col(name)).then(pl.lit("yes")).when(~pl.col(name)).then(pl.lit("no"))
                         .otherwise(pl.lit(None, pl.String)).alias(name))
        elif isinstance(dt, pl.List):
            exprs.append(pl.col(name).cast(pl.List(pl.String)).list.join(";").alias(name))
        elif dt.is_float():
            exprs.append(pl.col(name).map_elements(lambda v: None if v != v else repr(float(v)),
                                                   return_dtype=pl.String, skip_nulls=True).alias(name))
    out = df.with_columns(exprs) if exprs else df
    buf = io.StringIO()
    out.write_csv(buf)
    return buf.getvalue()


def quality_json(report: QualityReport, inputs: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "kind": KIND, "contract": CONTRACT,
        "summary": report.summary,
        "checks": catalogue.catalogue_dicts(),
        "params": report.params.to_dict(),
        "warnings": diagnostics_json(report.warnings),
        "inputs": dict(sorted((inputs or {}).items())),
    }


def write_quality(report: QualityReport, out: str | Path, inputs: dict[str, str] | None = None) -> Path:
    """Write ``out/`` (flags.csv, enumerators.csv, enumerator_flags.csv, daily.csv, quality.json) atomically."""
    out = Path(out)
    with atomic_dir(out, kind=KIND) as tmp:
        atomic_write_text(tmp / "flags.csv", _csv_text(report.flags))
        atomic_write_text(tmp / "enumerators.csv", _csv_text(report.enumerators))
        atomic_write_text(tmp / "enumerator_flags.csv", _csv_text(report.enumerator_flags))
        atomic_write_text(tmp / "daily.csv", _csv_text(report.daily))
        write_json(tmp / "quality.json", quality_json(report, inputs))
    return out


def load_inputs(responses: str | Path, sample: str | Path | None = None, registry: str | Path | None = None
                ) -> tuple[Any, Any, Any, dict[str, str]]:
    """(responses, sample, registry, input hashes) through the owning layers' readers."""
    from ..errors import FILE_NOT_FOUND
    from ..instruments import load_responses

    for p in (responses, sample, registry):
        if p is not None and not Path(p).exists():
            raise PovexitError(FILE_NOT_FOUND(file=str(p)))
    resp = load_responses(responses)
    smp = None
    if sample is not None:
        from ..instruments.sample_view import load_sample_view

        smp = load_sample_view(sample)
    reg = None
    if registry is not None:
        from .. import registry as registry_layer

        reg = registry_layer.load(registry)
    rp = Path(responses)
    inputs = {f"responses/{f.name}": sha256_file(f) for f in sorted(rp.iterdir())
              if f.is_file() and f.suffix.lower() in (".parquet", ".csv", ".xlsx", ".json")}
    if sample is not None and (Path(sample) / "manifest.json").exists():
        inputs["sample/manifest.json"] = sha256_file(Path(sample) / "manifest.json")
    if reg is not None:
        inputs.update({f"registry/{k}": v for k, v in sorted((getattr(reg, "input_hashes", None) or {}).items())})
    return resp, smp, reg, inputs


def run_quality(responses: str | Path, out: str | Path, *, sample: str | Path | None = None,
                registry: str | Path | None = None, params: Any = None) -> QualityReport:
    """Read, check, write: what ``povexit quality`` does."""
    from .check import check

    resp, smp, reg, inputs = load_inputs(responses, sample, registry)
    report = check(resp, smp, reg, params)
    write_quality(report, out, inputs)
    return report


def load_quality(quality_dir: str | Path) -> QualityReport:
    """Read a ``quality/`` directory back (for the server's fieldwork page and the reports): the tables
    typed as ``check`` returns them, the summary and parameters from quality.json."""
    from .enumerators import ENUM_FLAG_SCHEMA
    from .frame import FLAG_SCHEMA
    from .params import from_mapping

    d = Path(quality_dir)
    meta_path = d / "quality.json"
    if not meta_path.is_file():
        raise PovexitError(EQ.BAD_FLAGS_FILE(file=str(d), reason="quality.json not found"))
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))

        def read(name: str, schema: dict[str, pl.DataType] | None = None) -> pl.DataFrame:
            df = pl.read_csv(d / name, infer_schema=schema is None, infer_schema_length=None)
            if schema is None:
                return df
            return df.select([pl.col(c).cast(t, strict=False) if c in df.columns else pl.lit(None, dtype=t).alias(c)
                              for c, t in schema.items()])

        flags = read("flags.csv", {c: (pl.String() if t == pl.Date() else t) for c, t in FLAG_SCHEMA.items()}) \
            .with_columns(pl.col("day").str.to_date(strict=False))
        return QualityReport(flags=flags, enumerators=read("enumerators.csv"),
                             enumerator_flags=read("enumerator_flags.csv", ENUM_FLAG_SCHEMA),
                             summary=meta.get("summary", {}), daily=read("daily.csv"),
                             params=from_mapping(meta.get("params", {}), str(meta_path)))
    except (OSError, json.JSONDecodeError, pl.exceptions.PolarsError) as exc:
        raise PovexitError(EQ.BAD_FLAGS_FILE(file=str(d), reason=str(exc))) from exc


def read_flagged(quality_dir: str | Path, severity: str = "error") -> list[str]:
    """Instance IDs with a flag of ``severity`` in a ``quality/`` directory."""
    p = Path(quality_dir)
    f = p / "flags.csv" if p.is_dir() else p
    if not f.is_file():
        raise PovexitError(EQ.BAD_FLAGS_FILE(file=str(f), reason="flags.csv not found"))
    try:
        df = pl.read_csv(f, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise PovexitError(EQ.BAD_FLAGS_FILE(file=str(f), reason=str(exc))) from exc
    if not {"instance_id", "severity"} <= set(df.columns):
        raise PovexitError(EQ.BAD_FLAGS_FILE(file=str(f), reason="no instance_id/severity columns"))
    return sorted(df.filter(pl.col("severity") == severity)["instance_id"].drop_nulls().unique().to_list())


BACKCHECK_HEADERS_ZH = {
    "backcheck_no": "复核序号", "instance_id": "问卷实例编号", "household_id": "户编号", "instrument": "问卷类型",
    "county": "县", "township": "乡镇", "village": "行政村", "village_id": "村编号", "group": "村民小组",
    "enumerators": "调查员", "day": "调查日期", "reason": "抽取原因", "stratum": "层（调查组）",
    "stratum_size": "该组问卷数", "stratum_drawn": "该组抽取数", "p_selection": "入样概率", "weight": "权数",
}


def write_backcheck(draw: BackcheckDraw, out: str | Path) -> Path:
    """The list as CSV (contract-style English headers) or XLSX (Chinese headers, for printing); atomic."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise PovexitError(EQ.BAD_OUTPUT(file=str(out)))
    if suffix == ".csv":
        atomic_write_text(out, _csv_text(draw.selected))
        return out
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "复核名单"
    cols = list(draw.selected.columns)
    ws.append([BACKCHECK_HEADERS_ZH.get(c, c) for c in cols])
    for row in draw.selected.iter_rows():
        ws.append([v.isoformat() if hasattr(v, "isoformat") else v for v in row])
    info = wb.create_sheet("说明")
    for k, v in draw.summary.items():
        info.append([k, v])
    from ..report.ooxml import normalise_zip  # fixed zip times and core properties: reproducible bytes

    buf = io.BytesIO()
    wb.save(buf)
    data = normalise_zip(buf.getvalue())
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".xlsx", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return out
