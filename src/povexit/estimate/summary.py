"""Across counties: a province's assessment or the national spot check (``povexit estimate --all``).

One table row per county, and the summary figures the national office publishes (seed 003 看点三):
the share of counties where no wrongful exit was found, none missed, neither; the highest 错退率
and 漏评率; the lowest approval; how many counties of each region are below their composite
threshold. Published figures are the documents' plain ratios (``official``); the design-based side
adds how many counties are too close to a threshold to call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from ..fsutil import atomic_write_text
from .decision import fails
from .indicators import INDICATORS, CountyEstimates, estimate_many


def estimate_all(registry: Any, sample: Any, findings: pl.DataFrame, cases: pl.DataFrame | None = None,
                 **options: Any) -> tuple[list[CountyEstimates], dict[str, Any]]:
    """Every county of the sample in one pass, and the summary (see :func:`summarise`)."""
    results = estimate_many(registry, sample, findings, cases, all_counties=True, **options)
    return results, summarise(results)


def _official(r: CountyEstimates, name: str) -> float | None:
    return r.indicators[name].official


def _extreme(results: Sequence[CountyEstimates], name: str, highest: bool) -> dict[str, Any] | None:
    rows = [(r, _official(r, name)) for r in results if _official(r, name) is not None]
    if not rows:
        return None
    r, v = (max if highest else min)(rows, key=lambda t: t[1])
    ind = r.indicators[name]
    return {"county": r.county, "province": r.province, "official": v, "estimate": ind.estimate,
            "ci_low": ind.ci_low, "ci_high": ind.ci_high}


def summarise(results: Sequence[CountyEstimates]) -> dict[str, Any]:
    """The summary figures of seed 003 from county results (official figures, as published)."""
    n = len(results)

    def share(pred) -> float | None:
        return sum(1 for r in results if pred(r)) / n if n else None

    def none_found(r: CountyEstimates, name: str, key: str) -> bool:
        return (r.indicators[name].extra.get(key) or 0) == 0

    no_wrong = lambda r: none_found(r, "wrongful_exit_rate", "wrongful_persons")  # noqa: E731
    no_missed = lambda r: (none_found(r, "missed_rate", "missed_persons")  # noqa: E731
                           and none_found(r, "missed_rate", "missed_persons_outside_census"))
    by_region: dict[str, dict[str, int]] = {}
    for r in results:
        reg = r.region or "unknown"
        d = by_region.setdefault(reg, {"counties": 0, "composite_not_above_threshold": 0})
        d["counties"] += 1
        v = _official(r, "composite_incidence")
        if v is not None and not fails("composite_incidence", v, r.thresholds["composite_incidence"]):
            d["composite_not_above_threshold"] += 1

    def all_meet(name: str) -> bool | None:
        vals = [(_official(r, name), r.thresholds[name]) for r in results if _official(r, name) is not None]
        return all(not fails(name, v, t) for v, t in vals) if vals else None

    return {
        "counties": n,
        "stage": sorted({r.stage for r in results}),
        "share_no_wrongful_exit": share(no_wrong),
        "share_no_missed": share(no_missed),
        "share_neither": share(lambda r: no_wrong(r) and no_missed(r)),
        "highest_wrongful_exit_rate": _extreme(results, "wrongful_exit_rate", True),
        "highest_missed_rate": _extreme(results, "missed_rate", True),
        "highest_composite_incidence": _extreme(results, "composite_incidence", True),
        "lowest_approval_rate": _extreme(results, "approval_rate", False),
        "all_wrongful_exit_below_threshold": all_meet("wrongful_exit_rate"),
        "all_missed_below_threshold": all_meet("missed_rate"),
        "all_approval_above_threshold": all_meet("approval_rate"),
        "composite_by_region": by_region,
        "decisions": dict(Counter(r.decision.decision for r in results)),
        "near_threshold_counties": {name: sum(1 for r in results if name in r.near_threshold) for name in INDICATORS},
        "basis": "official figures (the documents' sample ratios), as seed 003 publishes them",
    }


NUMERIC_FIELDS = ("official", "estimate", "se", "ci_low", "ci_high", "deff")
COUNT_FIELDS = ("n_households", "n_persons", "n_psu")


def table(results: Sequence[CountyEstimates]) -> pl.DataFrame:
    """One row per county: decision and, for each indicator, ``<indicator>_<field>`` for the fields
    of contract §5 (official, estimate, se, interval, deff, counts, ci_method) and its threshold."""
    rows = []
    for r in results:
        row: dict[str, Any] = {
            "province": r.province, "county": r.county, "region": r.region, "stage": r.stage,
            "decision": r.decision.decision, "composite_threshold": r.thresholds["composite_incidence"],
            "surveyed_households": r.counts["surveyed_households"], "exited_households": r.counts["exited_households"],
            "census_groups": r.counts["census_groups"],
        }
        for name in INDICATORS:
            ind = r.indicators[name]
            for key in (*NUMERIC_FIELDS, *COUNT_FIELDS, "ci_method"):
                row[f"{name}_{key}"] = getattr(ind, key)
            row[f"{name}_threshold"] = r.thresholds[name]
        row["near_threshold"] = ";".join(r.near_threshold)
        row["failing_reference"] = ";".join(r.decision.failing_reference)
        rows.append(row)
    schema: dict[str, Any] = {"composite_threshold": pl.Float64}
    for name in INDICATORS:
        schema |= {f"{name}_{key}": pl.Float64 for key in (*NUMERIC_FIELDS, "threshold")}
        schema |= {f"{name}_{key}": pl.Int64 for key in COUNT_FIELDS}
        schema[f"{name}_ci_method"] = pl.String
    return pl.DataFrame(rows, schema_overrides=schema, infer_schema_length=None)


def write_table(results: Sequence[CountyEstimates], path: str | Path) -> None:
    """The county table as CSV (UTF-8 with BOM, so Excel in China opens it as it is), written atomically."""
    atomic_write_text(path, "\ufeff" + table(results).write_csv())
