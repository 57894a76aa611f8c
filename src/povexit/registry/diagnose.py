"""Turn frames of flagged rows into :class:`Diagnostic` objects: every occurrence is counted, only
the first ``limit`` of each code (by file order, then row) are listed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ..errors import Diagnostic, ErrorSpec
from ..privacy import mask_id

DEFAULT_LIMIT = 100  # diagnostics listed per code (all are counted)


@dataclass
class Collector:
    limit: int = DEFAULT_LIMIT
    diagnostics: list[Diagnostic] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # code -> occurrences (all, not only listed)
    severities: Counter = field(default_factory=Counter)  # "error"/"warning" -> occurrences
    _listed: Counter = field(default_factory=Counter)

    def room(self, code: str) -> int:
        return max(0, self.limit - self._listed[code])

    def add(self, diag: Diagnostic, *, count: int = 1) -> None:
        self.counts[diag.code] += count
        self.severities[diag.severity] += count
        if self._listed[diag.code] < self.limit:
            self.diagnostics.append(diag)
            self._listed[diag.code] += 1

    def extend(self, diags: Iterable[Diagnostic]) -> None:
        for d in diags:
            self.add(d)

    def add_frame(
        self,
        spec: ErrorSpec,
        frame: pl.LazyFrame | pl.DataFrame,
        *,
        file: str,
        column: str | None,
        row: str | None,
        value: str | None,
        params: Mapping[str, Any] | None = None,
        row_params: Mapping[str, str] | None = None,
        mask: bool = False,
        severity: str | None = None,
    ) -> int:
        """Count the rows of ``frame`` (already filtered to the problem) and list the first ones.

        ``row``/``value`` name columns of the frame; ``row_params`` maps frame columns to message
        parameters; ``params`` are the same for every row."""
        lf = frame.lazy()
        n = lf.select(pl.len()).collect().item()
        if n == 0:
            return 0
        self.counts[spec.code] += n
        self.severities[severity or spec.severity] += n
        k = self.room(spec.code)
        if k == 0:
            return n
        cols = [c for c in {row, value, *(row_params or {})} if c]
        head = lf.select(cols).sort(row, nulls_last=True).head(k) if row else lf.select(cols).head(k)
        for rec in head.collect().iter_rows(named=True):
            v = rec.get(value) if value else None
            if mask and v is not None:
                v = mask_id(v)
            p = dict(params or {})
            for src, name in (row_params or {}).items():
                p[name] = "" if rec[src] is None else rec[src]
            self.diagnostics.append(
                spec(file=file, row=rec.get(row) if row else None, column=column, value=v,
                     severity=severity, **p)  # type: ignore[arg-type]
            )
            self._listed[spec.code] += 1
        return n

    @property
    def n_errors(self) -> int:
        return self.severities["error"]

    @property
    def n_warnings(self) -> int:
        return self.severities["warning"]

    def sorted(self, file_order: Mapping[str, int]) -> list[Diagnostic]:
        """Errors first, then by file (registry order), row and code."""
        return sorted(
            self.diagnostics,
            key=lambda d: (d.severity != "error", file_order.get(d.file or "", 99), d.file or "",
                           d.row if d.row is not None else -1, d.code),
        )
