"""The check report (``check.json`` / ``--json``) and the import summary (``summary.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from .. import contracts
from ..errors import Diagnostic, PovexitError
from .ids import PLACE
from .pipeline import Built, file_order

STATUSES = ("poor", "exited", "returned")
# summary.json lists villages up to this many (a county or prefecture); villages.parquet always has
# the same counts per village (registered_households, registered_persons, *_persons by status).
MAX_VILLAGES_LISTED = 5000


@dataclass
class CheckReport:
    """Diagnostics (at most ``limit`` listed per code, all counted) and the registry summary."""

    source: Path
    diagnostics: list[Diagnostic]
    counts: dict[str, int]  # code -> occurrences
    n_errors: int
    n_warnings: int
    limit: int
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.n_errors == 0

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def truncated(self) -> dict[str, int]:
        """code -> occurrences not listed."""
        listed: dict[str, int] = {}
        for d in self.diagnostics:
            listed[d.code] = listed.get(d.code, 0) + 1
        return {c: n - listed.get(c, 0) for c, n in sorted(self.counts.items()) if n > listed.get(c, 0)}

    def to_dict(self, *, lang: str | None = None, include_summary: bool = True) -> dict[str, Any]:
        diags = []
        for d in self.diagnostics:
            item = d.to_dict(lang)
            item["params"] = {k: v for k, v in sorted(d.params.items())}
            diags.append(item)
        out: dict[str, Any] = {
            "contract": contracts.CONTRACT_VERSION,
            "ok": self.ok,
            "errors": self.n_errors,
            "warnings": self.n_warnings,
            "counts": dict(sorted(self.counts.items())),
            "listed_per_code": self.limit,
            "diagnostics": diags,
        }
        if include_summary:
            out["summary"] = self.summary
        return out

    def to_json(self, **kw: Any) -> str:
        return json.dumps(self.to_dict(**kw), ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"


class RegistryCheckFailed(PovexitError):
    """Raised by ``import_registry``/``load`` when the check found errors; carries the report."""

    def __init__(self, report: CheckReport):
        self.report = report
        super().__init__(report.diagnostics)


def diagnostics_from_dict(items: list[dict[str, Any]]) -> list[Diagnostic]:
    """Rebuild diagnostics from ``check.json`` (for ``load`` of an imported registry)."""
    return [
        Diagnostic(code=i["code"], severity=i["severity"], file=i.get("file"), row=i.get("row"),
                   column=i.get("column"), value=i.get("value"), params=dict(i.get("params") or {}))
        for i in items
    ]


def make_report(built: Built) -> CheckReport:
    c = built.collector
    return CheckReport(
        source=built.source.directory,
        diagnostics=c.sorted(file_order(built.source)),
        counts=dict(c.counts),
        n_errors=c.n_errors,
        n_warnings=c.n_warnings,
        limit=c.limit,
        summary=summarise(built),
    )


def _counts(counts: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Households and persons, in all and by status, per ``keys`` (from
    :func:`households.township_counts`)."""
    status = pl.col("status")
    return (
        counts.group_by(keys)
        .agg(
            pl.col("households").sum().alias("households"),
            pl.col("persons").sum().alias("persons"),
            *[pl.col("persons").filter(status == s).sum().alias(f"{s}_persons") for s in STATUSES],
            *[pl.col("households").filter(status == s).sum().alias(f"{s}_households") for s in STATUSES],
        )
        .sort(keys, nulls_last=True)
    )


def summarise(built: Built) -> dict[str, Any]:
    """Counts by status, county, township and village, the inputs (with SHA-256) and the reference date."""
    out: dict[str, Any] = {"contract": contracts.CONTRACT_VERSION, "inputs": built.source.info()}
    if not built.complete:
        return out
    counts = built.household_counts
    assert counts is not None and built.villages is not None
    v = built.villages
    by_status = _counts(counts, ["status"])
    totals = {
        "persons": int(built.stats.get("persons", 0)),
        "households": int(by_status["households"].sum()),
        "villages": v.height,
        "poor_villages": int(v["poor_village"].fill_null(False).sum()),
        "weak_area_villages": int(v["weak_area"].sum()),
        "groups": built.groups.height if built.groups is not None else 0,
        "roster_rows": int(built.rosters.select(pl.len()).collect().item()) if built.rosters is not None else 0,
        "counties": built.counties.height if built.counties is not None else 0,
        "agricultural_population": int(v["agricultural_population"].fill_null(0).sum()),
        "monitored_households": int(counts["monitored"].sum()),
    }
    status = {
        r["status"] or "unknown": {"households": r["households"], "persons": r["persons"]}
        for r in by_status.iter_rows(named=True)
    }
    vil_by_county = v.group_by("province", "county").agg(
        pl.len().alias("villages"), pl.col("poor_village").fill_null(False).sum().alias("poor_villages"),
        pl.col("agricultural_population").sum().alias("agricultural_population"),
    )
    by_county = _counts(counts, ["province", "city", "county"]).join(
        vil_by_county, on=["province", "county"], how="left", maintain_order="left")
    by_township = _counts(counts, ["province", "city", "county", "township"])
    out.update({
        "as_of": built.as_of.isoformat() if built.as_of else None,
        "as_of_basis": built.as_of_basis,
        "totals": totals,
        "by_status": status,
        "by_county": by_county.to_dicts(),
        "by_township": by_township.to_dicts(),
    })
    if v.height <= MAX_VILLAGES_LISTED:
        out["by_village"] = v.select(
            *PLACE, "village_id", "poor_village", "weak_area", "agricultural_population", "registered_households",
            "registered_persons", "poor_persons", "exited_persons", "returned_persons",
        ).sort(list(PLACE), nulls_last=True).to_dicts()
    if totals["roster_rows"]:
        by_source = (
            built.rosters.group_by(pl.coalesce("source_code", "source").alias("source"))  # type: ignore[union-attr]
            .agg(pl.len().alias("rows"), pl.col("in_registry").sum())
            .collect()
            .sort("source", nulls_last=True)
        )
        out["rosters"] = {
            "by_source": {(r["source"] or "?"): {"rows": r["rows"], "in_registry": r["in_registry"]}
                          for r in by_source.iter_rows(named=True)},
            "in_registry": int(by_source["in_registry"].sum()),
        }
    return out
