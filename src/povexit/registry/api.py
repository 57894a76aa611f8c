"""``check``, ``import_registry`` and ``load``: the registry layer's entry points."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from .. import errors as E
from .. import fsutil
from ..errors import registry as R
from .model import Registry
from .pipeline import PARQUET, DiskStore, MemoryStore, Options, Progress, build
from .report import CheckReport, RegistryCheckFailed, diagnostics_from_dict, make_report
from .source import open_registry

KIND = "registry"
TABLES = ("persons", "households", "villages", "groups", "rosters", "counties")
STREAMED = ("persons", "households", "rosters")  # written by streaming sinks during the check
REPORT_LANG = "zh"  # check.json is written in one language so re-imports are byte-identical


@dataclass
class ImportResult:
    out: Path
    report: CheckReport
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def files(self) -> list[str]:
        return sorted(p.name for p in self.out.iterdir() if p.is_file())


def _options(today: dt.date | None, as_of: dt.date | None, limit: int | None) -> Options:
    o = Options(today=today or dt.date.today(), as_of=as_of)
    if limit is not None:
        o.limit = limit
    return o


def check(
    path: str | Path, *, today: dt.date | None = None, as_of: dt.date | None = None, limit: int | None = None,
    progress: Progress | None = None,
) -> CheckReport:
    """Check a raw registry directory. Never raises for bad data (only for a path that does not
    exist): every problem is in the report. Intermediate Parquet goes to a temporary directory."""
    opts = _options(today, as_of, limit)
    scratch = Path(tempfile.mkdtemp(prefix="povexit-check-"))
    try:
        with open_registry(path) as src:
            built = build(src, DiskStore(scratch), opts, progress)
            return make_report(built)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def import_registry(
    src: str | Path, out: str | Path, *, today: dt.date | None = None, as_of: dt.date | None = None,
    limit: int | None = None, progress: Progress | None = None,
) -> ImportResult:
    """Check ``src`` and write the normalised registry to ``out`` (docs/data-layout.md) atomically.

    Raises :class:`RegistryCheckFailed` (a :class:`PovexitError`) when the check finds errors; then
    nothing is written and a previous import at ``out`` stays as it was."""
    opts = _options(today, as_of, limit)
    out = Path(out)
    with open_registry(src) as source, fsutil.atomic_dir(out, kind=KIND) as tmp:
        scratch = tmp / ".scratch"
        store = DiskStore(scratch, outputs={name: tmp / f"{name}.parquet" for name in STREAMED})
        built = build(source, store, opts, progress)
        report = make_report(built)
        if not report.ok:
            raise RegistryCheckFailed(report)
        if progress:
            progress("write")
        write_tables(tmp, built)
        shutil.rmtree(scratch, ignore_errors=True)
        fsutil.write_json(tmp / "summary.json", report.summary)
        fsutil.atomic_write_text(tmp / "check.json", report.to_json(lang=REPORT_LANG, include_summary=False))
    return ImportResult(out, report, report.summary)


def write_tables(directory: Path, built) -> None:
    """The tables held in memory (the big ones were streamed there already, unless empty)."""
    for name in TABLES:
        frame = getattr(built, name)
        path = directory / f"{name}.parquet"
        if isinstance(frame, pl.LazyFrame):
            if path.exists():
                continue
            frame = frame.collect()
        frame.write_parquet(path, **PARQUET)


def is_imported(path: Path) -> bool:
    return (path / "persons.parquet").is_file() and (path / "summary.json").is_file()


def load(
    path: str | Path, *, today: dt.date | None = None, as_of: dt.date | None = None, limit: int | None = None,
) -> Registry:
    """The :class:`Registry` of an imported directory (Parquet) or of a raw registry directory
    (checked and normalised in memory; raises :class:`RegistryCheckFailed` on errors)."""
    path = Path(path)
    if not path.exists():
        raise E.PovexitError(E.FILE_NOT_FOUND(file=str(path)))
    if path.is_dir() and is_imported(path):
        return _load_imported(path)
    if not path.is_dir():
        raise E.PovexitError(R.NOT_A_REGISTRY(file=str(path)))
    opts = _options(today, as_of, limit)
    with open_registry(path) as src:
        built = build(src, MemoryStore(), opts)
        report = make_report(built)
        if not report.ok:
            raise RegistryCheckFailed(report)
        frames = {name: getattr(built, name) for name in TABLES}
        frames = {k: (v.collect() if isinstance(v, pl.LazyFrame) else v) for k, v in frames.items()}
        hashes = {v["file"]: v["sha256"] for v in report.summary.get("inputs", {}).values()}
        return Registry(**frames, source=path, input_hashes=hashes, diagnostics=report.warnings)


def _load_imported(path: Path) -> Registry:
    import json

    frames = {name: pl.read_parquet(path / f"{name}.parquet") for name in TABLES}
    summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    hashes = {v["file"]: v["sha256"] for v in summary.get("inputs", {}).values()}
    diags = []
    if (path / "check.json").is_file():
        diags = diagnostics_from_dict(json.loads((path / "check.json").read_text(encoding="utf-8"))["diagnostics"])
    return Registry(**frames, source=path, input_hashes=hashes, diagnostics=diags)
