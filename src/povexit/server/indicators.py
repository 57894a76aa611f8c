"""Provisional and final indicators of a county.

Provisional: the work directory's ``estimates.json`` (every suspected case counted). Final: recomputed
from the cases' current outcomes — only confirmed cases count (CONTRACTS.md §4) — by the estimate
layer, ``povexit.estimate.estimate_county(registry, sample, findings, cases, stage="final")``, cached
per county and outcome version (bumped whenever a case of the county is confirmed or dismissed).

While the estimate layer cannot run (not installed yet, or the work directory lacks what it needs),
the final figures are the documents' plain ratios (seed 001 §三): confirmed wrongful-exit persons over
the sampled exited persons, confirmed missed persons over the surveyed non-registered population (the
provisional denominators), approval unchanged, and the composite from the registry totals — marked
``source = official_ratio`` and shown with no interval.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from ..verify.machine import State
from .models import Case, County, FinalEstimate

log = logging.getLogger(__name__)

INDICATORS = ("composite_incidence", "wrongful_exit_rate", "missed_rate", "approval_rate")
DEFAULT_THRESHOLDS = {
    "composite_incidence": 0.02,
    "wrongful_exit_rate": 0.02,
    "missed_rate": 0.02,
    "approval_rate": 0.90,
}
CASE_KIND = {"wrongful_exit_rate": "wrongful_exit", "missed_rate": "missed"}


@dataclass
class Final:
    data: dict | None
    source: str  # estimate_county | official_ratio | none
    note: str = ""


def cases_frame(county: County) -> pl.DataFrame:
    rows = list(
        Case.objects.filter(county=county).values_list("case_id", "household_code", "kind", "state", "rules")
    )
    outcome = {State.CONFIRMED.value: "confirmed", State.DISMISSED.value: "dismissed"}
    return pl.DataFrame(
        {
            "case_id": [r[0] for r in rows],
            "household_id": [r[1] for r in rows],
            "kind": [r[2] for r in rows],
            "outcome": [outcome.get(r[3], "pending") for r in rows],
            "rules": [r[4] for r in rows],
        },
        schema={
            "case_id": pl.String,
            "household_id": pl.String,
            "kind": pl.String,
            "outcome": pl.String,
            "rules": pl.String,
        },
    )


def final(county: County) -> Final:
    cached = FinalEstimate.objects.filter(county=county, outcome_version=county.outcome_version).first()
    if cached is not None:
        return Final(cached.data, cached.source, cached.data.get("_note", ""))
    result = compute_final(county)
    if result.data is not None:
        try:
            with transaction.atomic():
                FinalEstimate.objects.create(
                    county=county,
                    outcome_version=county.outcome_version,
                    computed_at=timezone.now(),
                    source=result.source,
                    data=result.data | {"_note": result.note},
                )
        except IntegrityError:  # another request computed it meanwhile
            pass
    return result


def compute_final(county: County) -> Final:
    try:
        return Final(_estimate_layer(county), "estimate_county")
    except (ImportError, AttributeError) as exc:
        note = f"estimate layer unavailable ({exc.__class__.__name__}: {exc})"
    except Exception as exc:  # the layer ran and failed on this work directory: say so, fall back
        log.warning("estimate_county failed for %s: %s", county.name, exc)
        note = f"estimate_county failed: {str(exc).splitlines()[0][:300]}"
    data = official_ratio(county)
    return Final(data, "official_ratio" if data else "none", note)


_INPUTS: dict[tuple[str, str], tuple] = {}  # (workdir, source hash) -> (registry, sample, findings)
_INPUTS_LOCK = threading.Lock()


def _inputs(assessment) -> tuple:
    """The estimate layer's inputs of a work directory, read once per process and version of its files."""
    from ..estimate import load_sample_dir, read_findings
    from ..registry import load as load_registry

    key = (assessment.workdir, assessment.source_hash)
    with _INPUTS_LOCK:
        if key not in _INPUTS:
            wd = Path(assessment.workdir)
            _INPUTS.clear()  # keep one assessment's inputs at a time
            _INPUTS[key] = (
                load_registry(wd / "registry"),
                load_sample_dir(wd / "sample"),
                read_findings(wd / "findings" / "findings.csv"),
            )
        return _INPUTS[key]


def _estimate_layer(county: County) -> dict:
    from ..estimate import estimate_county

    registry, sample, findings = _inputs(county.assessment)
    est = estimate_county(registry, sample, findings, cases_frame(county), county=county.name, stage="final")
    return est.to_dict()


def _registry_totals(county: County) -> dict | None:
    """Agricultural population, exited and not-exited registered persons of the county (registry)."""
    from .. import contracts as C
    from ..tabular import read_table

    reg = Path(county.assessment.workdir) / "registry"
    try:
        if (reg / "villages.parquet").exists():
            v = pl.read_parquet(reg / "villages.parquet")
            p = pl.read_parquet(reg / "persons.parquet", columns=["county", "status"])
        else:
            v = read_table(next(reg.glob("villages.*")), C.VILLAGES).collect()
            p = read_table(next(reg.glob("persons.*")), C.PERSONS).collect().select("county", "status")
    except Exception:  # no registry, or one the reader refuses: no composite
        return None
    v = v.filter(pl.col("county").cast(pl.String) == county.name)
    p = p.filter(pl.col("county").cast(pl.String) == county.name).with_columns(
        pl.col("status").cast(pl.String).replace(C.STATUS_ALIASES).alias("status")
    )
    agri = v["agricultural_population"].cast(pl.Float64, strict=False).sum()
    exited = p.filter(pl.col("status") == "exited").height
    poor = p.filter(pl.col("status").is_in(["poor", "returned"])).height
    return {
        "agricultural_population": agri,
        "exited_persons": exited,
        "poor_persons": poor,
        "nonregistered": agri - exited - poor,
    }


def official_ratio(county: County) -> dict | None:
    prov = county.provisional
    if not prov or "indicators" not in prov:
        return None
    ind_p = prov["indicators"]
    thresholds = {**DEFAULT_THRESHOLDS, **(prov.get("thresholds") or {})}
    if county.threshold is not None:
        thresholds["composite_incidence"] = county.threshold
    out: dict[str, dict] = {}
    for key, kind in CASE_KIND.items():
        den = (ind_p.get(key) or {}).get("n_persons") or 0
        num = (
            Case.objects.filter(county=county, kind=kind, state=State.CONFIRMED).aggregate(s=Sum("persons"))[
                "s"
            ]
            or 0
        )
        val = num / den if den else None
        out[key] = {
            "official": val,
            "estimate": val,
            "se": None,
            "ci_low": None,
            "ci_high": None,
            "ci_method": "official ratio (no interval)",
            "n_persons": den,
            "numerator_persons": num,
        }
    out["approval_rate"] = dict(ind_p.get("approval_rate") or {})
    tot = _registry_totals(county)
    comp = None
    if (
        tot
        and tot["agricultural_population"]
        and None not in (out["wrongful_exit_rate"]["official"], out["missed_rate"]["official"])
    ):
        comp = (
            tot["poor_persons"]
            + out["wrongful_exit_rate"]["official"] * tot["exited_persons"]
            + out["missed_rate"]["official"] * tot["nonregistered"]
        ) / tot["agricultural_population"]
    out["composite_incidence"] = {
        "official": comp,
        "estimate": comp,
        "se": None,
        "ci_low": None,
        "ci_high": None,
        "ci_method": "official ratio (no interval)",
    }
    reasons, reasons_en, decision = [], [], "pass"
    if comp is None:
        decision = "unknown"
    elif comp > thresholds["composite_incidence"]:
        decision = "fail"
        reasons.append(f"综合贫困发生率 {comp:.2%} 高于 {thresholds['composite_incidence']:.0%}")
        reasons_en.append(f"Composite poverty incidence {comp:.2%} above {thresholds['composite_incidence']:.0%}")
    else:
        for key, zh, en in (("wrongful_exit_rate", "错退率", "Wrongful-exit rate"),
                            ("missed_rate", "漏评率", "Missed-poor rate")):
            v = out[key]["official"]
            if v is not None and v >= thresholds[key]:
                decision = "rectify"
                reasons.append(f"{zh} {v:.2%} 不低于 {thresholds[key]:.0%}")
                reasons_en.append(f"{en} {v:.2%} not below {thresholds[key]:.0%}")
        ap = out["approval_rate"].get("official")
        if ap is not None and ap <= thresholds["approval_rate"]:
            decision = "rectify"
            reasons.append(f"群众认可度 {ap:.1%} 不高于 {thresholds['approval_rate']:.0%}")
            reasons_en.append(f"Public approval {ap:.1%} not above {thresholds['approval_rate']:.0%}")
    return {
        "contract": 1,
        "county": county.name,
        "stage": "final",
        "indicators": out,
        "thresholds": thresholds,
        "decision": decision,
        "reasons": reasons,
        "reasons_zh": reasons,
        "reasons_en": reasons_en,
        "near_threshold": [],
    }
