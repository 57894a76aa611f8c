"""``ingest(sample, files) -> IngestResult`` and ``write_responses(result, out)``.

``ingest`` reads the exports, checks every submission against the forms and the sample, and decides
which are kept (see ``combine.py``); it never raises for problems in rows — they are in
``result.rejected``. ``write_responses`` writes ``responses/`` atomically, merging with what is already
there (re-ingesting the same file adds nothing), and raises — writing nothing — when nothing valid
remains or, with ``strict=True``, when any row has an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ..contracts import CONTRACT_VERSION
from ..errors import OUTPUT_EXISTS, Diagnostic, PovexitError
from ..errors import instruments as EI
from . import problems as P
from .combine import TABLES, Combined, combine
from .prepare import Batch, prepare
from .sample_view import SampleView, load_sample_view
from .sources import RawSource, read_source
from .store import (
    Responses,
    _fingerprint,
    conform,
    is_responses_dir,
    load_responses,
    read_rejected,
    write_tables,
)


@dataclass
class IngestResult:
    households: pl.DataFrame
    members: pl.DataFrame
    villages: pl.DataFrame
    cadres: pl.DataFrame
    nonresponse: pl.DataFrame
    rejected: pl.DataFrame  # rejected.csv rows: what was there before plus this run's problems
    instances: pl.DataFrame
    problems: pl.DataFrame  # this run's problems (raw records)
    counts: dict[str, Any]  # totals after the merge (written to ingest.json)
    inputs: dict[str, str]
    batch: Batch = field(repr=False)
    this_run: dict[str, Any] = field(default_factory=dict)  # what this import added (not written: re-runs stay identical)
    sample: SampleView | None = field(default=None, repr=False)
    base: str | None = None  # fingerprint of the responses dir merged in
    base_inputs: dict[str, str] = field(default_factory=dict)
    townships: pl.DataFrame = field(default_factory=pl.DataFrame)
    county_checks: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """This run's problems as diagnostics (errors first)."""
        probs = self.problems.sort(pl.col("severity") != "error", "file", "row", nulls_last=True)
        return P.diagnostics(probs)

    @property
    def errors(self) -> pl.DataFrame:
        return self.problems.filter(pl.col("severity") == "error")

    @property
    def accepted(self) -> int:
        return sum(getattr(self, t).height for t in TABLES)

    def responses(self) -> Responses:
        return Responses(self.households, self.members, self.villages, self.cadres, self.nonresponse, self.rejected,
                         self.instances, meta=self.meta(), townships=self.townships, county_checks=self.county_checks)

    def meta(self) -> dict[str, Any]:
        inputs = dict(self.base_inputs)
        inputs.update(self.inputs)
        return {
            "contract": CONTRACT_VERSION,
            "kind": "responses",
            "counts": self.counts,
            "inputs": dict(sorted(inputs.items())),
            "instances_seen": int(self.instances.height),
        }

    def check(self, *, strict: bool = False) -> None:
        """Raise (nothing is written) when nothing valid remains, or with ``strict`` when any row has an error."""
        n_err = int(self.errors.select(pl.struct("file", "row", "instance_id").n_unique()).item()) if self.errors.height else 0
        if strict and n_err:
            raise PovexitError([*self.diagnostics, EI.STRICT_FAILED(rejected=n_err)])
        if self.accepted == 0:
            raise PovexitError([*self.diagnostics, EI.NOTHING_VALID(rejected=n_err)])


def _as_tables(existing: Responses | None) -> dict[str, pl.DataFrame] | None:
    if existing is None:
        return None
    return existing.tables()


def ingest_sources(sample: Any, sources: Sequence[RawSource], *, existing: Responses | str | Path | None = None
                   ) -> IngestResult:
    """Core of :func:`ingest` on already-read sources (pure apart from reading ``sample``/``existing``)."""
    view = load_sample_view(sample) if sample is not None else None
    base = None
    if isinstance(existing, str | Path):
        p = Path(existing)
        base = _fingerprint(p)
        existing = load_responses(p) if p.exists() and is_responses_dir(p) else None
    batch = prepare(list(sources))
    return _result(batch, view, existing, base)


def _result(batch: Batch, view: SampleView | None, existing: Responses | None, base: str | None) -> IngestResult:
    comb: Combined = combine(batch, view, _as_tables(existing))
    new_rejected = P.rejected_table(comb.problems.sort("file", "row", "code", "field", nulls_last=True))
    old_rejected = existing.rejected if existing is not None else read_rejected(Path("/nonexistent"))
    rejected = pl.concat([old_rejected, new_rejected], how="vertical_relaxed").unique(
        ["file", "row", "instance_id", "field", "value", "code"], keep="first", maintain_order=True)
    t = comb.tables
    counts = {
        "households": t["households"].height,
        "members": t["members"].height,
        "villages": t["villages"].height,
        "cadres": t["cadres"].height,
        "nonresponse": t["nonresponse"].height,
        "townships": t["townships"].height,
        "county_checks": t["county_checks"].height,
        "by_instrument": ({k: int(v) for k, v in t["households"].group_by("instrument").len().sort("instrument").iter_rows()}
                          if t["households"].height else {}),
        "rejected_rows": int(rejected.filter(pl.col("severity") == "error").select(
            pl.struct("file", "row", "instance_id").n_unique()).item()) if rejected.height else 0,
        "flagged_rows": int(rejected.filter(pl.col("severity") == "warning").height),
    }
    return IngestResult(
        households=conform(t["households"], "households"), members=conform(t["members"], "members"),
        villages=conform(t["villages"], "villages"), cadres=conform(t["cadres"], "cadres"),
        nonresponse=conform(t["nonresponse"], "nonresponse"), rejected=rejected, instances=comb.instances,
        problems=comb.problems, counts=counts, this_run={
            "new_accepted": comb.new_accepted, "already_present": comb.already_present,
            "errors": int((comb.problems["severity"] == "error").sum()),
            "warnings": int((comb.problems["severity"] == "warning").sum())},
        inputs=batch.inputs, batch=batch, sample=view, base=base,
        base_inputs=dict(existing.meta.get("inputs", {})) if existing is not None else {},
        townships=conform(t["townships"], "townships"), county_checks=conform(t["county_checks"], "county_checks"),
    )


def ingest(sample: Any, files: Iterable[str | Path], *, existing: Responses | str | Path | None = None,
           sources: Sequence[RawSource] = ()) -> IngestResult:
    """Read ``files`` (ODK Central CSV/ZIP, Kobo CSV/XLSX, plain CSV/XLSX, OData JSON) plus already-read
    ``sources`` (e.g. pulled from ODK Central) and check them against the forms and ``sample`` (a sample
    directory or object; None skips the sample checks). ``existing`` (a responses directory or object)
    is merged in."""
    read = [read_source(f) for f in files]
    return ingest_sources(sample, [*read, *sources], existing=existing)


def write_responses(result: IngestResult, out: str | Path, *, strict: bool = False) -> IngestResult:
    """Write ``responses/`` atomically. If ``out`` already holds responses the result did not include,
    the two are merged first. Returns the result actually written."""
    out = Path(out)
    occupied = (out.is_dir() and any(out.iterdir())) or (out.exists() and not out.is_dir())
    if occupied:
        if not is_responses_dir(out):
            raise PovexitError(OUTPUT_EXISTS(file=str(out)))
        fp = _fingerprint(out)
        if fp != result.base:
            result = _result(result.batch, result.sample, load_responses(out), fp)
    result.check(strict=strict)
    tables = {"households": result.households, "members": result.members, "villages": result.villages,
              "cadres": result.cadres, "nonresponse": result.nonresponse, "townships": result.townships,
              "county_checks": result.county_checks}
    write_tables(out, tables, result.rejected, result.instances, result.meta())
    return result
