"""The pure core: ``check(responses, sample, registry=None, params=QualityParams()) -> QualityReport``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ..errors import Diagnostic
from . import catalogue
from .consistency import registry_flags
from .duplicates import copy_flags, household_flags, member_id_flags
from .enumerators import ENUM_FLAG_SCHEMA, enumerator_statistics
from .frame import FLAG_SCHEMA, concat_flags, submissions
from .gps import gps_flags
from .params import QualityParams, validate
from .timing import daily_load_flags, duration_flags, overlap_flags, with_duration


@dataclass
class QualityReport:
    flags: pl.DataFrame  # one row per (flagged submission, check): frame.FLAG_SCHEMA
    enumerators: pl.DataFrame  # one row per enumerator and per pair: statistics and robust z-scores
    enumerator_flags: pl.DataFrame  # one row per (enumerator or pair, statistic) flagged as an outlier
    summary: dict[str, Any]
    daily: pl.DataFrame = field(default_factory=pl.DataFrame)  # 当天问题汇总: per day × county × pair
    params: QualityParams = field(default_factory=QualityParams)
    warnings: list[Diagnostic] = field(default_factory=list)

    def flagged_instances(self, severity: str | None = None) -> list[str]:
        f = self.flags if severity is None else self.flags.filter(pl.col("severity") == severity)
        return sorted(f["instance_id"].drop_nulls().unique().to_list())


def _tables(responses: Any) -> dict[str, pl.DataFrame | None]:
    """households / members / nonresponse / rejected from a ``Responses`` object, a mapping or a DataFrame."""
    if isinstance(responses, pl.DataFrame):
        return {"households": responses, "members": None, "nonresponse": None, "rejected": None}
    get = (lambda k: responses.get(k)) if isinstance(responses, dict) else (lambda k: getattr(responses, k, None))
    out = {}
    for k in ("households", "members", "nonresponse", "rejected"):
        v = get(k)
        out[k] = v if isinstance(v, pl.DataFrame) else None
    return out


def check(responses: Any, sample: Any = None, registry: Any = None,
          params: QualityParams | None = None) -> QualityReport:
    """Run every quality check on the household interviews of ``responses``.

    ``responses``: ``instruments.Responses`` (``households``, ``members``, ``nonresponse``, ``rejected``), a
    mapping of those tables, or a households DataFrame. ``sample``: anything with a ``households``
    DataFrame (its ``persons`` is the reference household size when there is no registry). ``registry``:
    ``registry.Registry`` (``households``, ``persons``).
    """
    params = validate(params or QualityParams())
    t = _tables(responses)
    source = str(getattr(responses, "source", None) or "responses")
    prep = submissions(t["households"], source)  # type: ignore[arg-type]
    warnings = list(prep.warnings)
    sub = prep.sub
    parts = [
        duration_flags(sub, params),
        overlap_flags(sub, params),
        daily_load_flags(sub, params),
    ]
    g, w = gps_flags(sub, params)
    parts.append(g)
    warnings += w
    parts += [
        household_flags(sub, t["rejected"]),
        member_id_flags(sub, t["members"]),
        copy_flags(sub, prep.households, params),
    ]
    r, w = registry_flags(sub, prep.households, t["members"], registry, sample, params)
    parts.append(r)
    warnings += w
    flags = concat_flags(parts)
    enumerators, enum_flags, w = enumerator_statistics(prep, t["nonresponse"], flags, params)
    warnings += w
    summary = _summary(sub, flags, enumerators, enum_flags, t["nonresponse"])
    return QualityReport(flags=flags.select(list(FLAG_SCHEMA)), enumerators=enumerators,
                         enumerator_flags=enum_flags.select(list(ENUM_FLAG_SCHEMA)), summary=summary,
                         daily=daily_table(sub, flags), params=params, warnings=warnings)


def daily_table(sub: pl.DataFrame, flags: pl.DataFrame) -> pl.DataFrame:
    """当天问题当天汇总 (seed 002 第三篇): per fieldwork day, county and pair — interviews, flagged interviews,
    interviews with an error-level flag, and the checks that fired (``;``-joined)."""
    per = flags.group_by("instance_id").agg(pl.col("check").unique().sort().str.join(";").alias("_checks"),
                                            (pl.col("severity") == "error").any().alias("_err"))
    return (sub.filter(pl.col("day").is_not_null())
            .join(per, on="instance_id", how="left")
            .group_by("day", "county", "enumerators")
            .agg(pl.len().alias("interviews"), pl.col("_checks").is_not_null().sum().alias("flagged"),
                 pl.col("_err").fill_null(False).sum().alias("errors"),
                 pl.col("_checks").drop_nulls().str.split(";").list.explode(keep_nulls=False, empty_as_null=False)
                 .unique().sort().str.join(";").alias("checks"))
            .sort("day", "county", "enumerators", nulls_last=True))


def _summary(sub: pl.DataFrame, flags: pl.DataFrame, enumerators: pl.DataFrame, enum_flags: pl.DataFrame,
             nonresponse: pl.DataFrame | None) -> dict[str, Any]:
    by_check = {c: 0 for c in catalogue.CHECKS}
    for c, n in flags.group_by("check").agg(pl.col("instance_id").n_unique()).iter_rows():
        by_check[c] = int(n)
    for c, n in enum_flags.group_by("check").len().iter_rows():
        by_check[c] = int(n)
    flagged = flags["instance_id"].n_unique() if flags.height else 0
    errors = flags.filter(pl.col("severity") == "error")["instance_id"].n_unique() if flags.height else 0
    d = with_duration(sub)
    levels = enumerators.group_by("level").len().sort("level")
    return {
        "submissions": sub.height,
        "nonresponse": 0 if nonresponse is None else nonresponse.height,
        "flagged_submissions": int(flagged),
        "flagged_share": round(flagged / sub.height, 6) if sub.height else 0.0,
        "submissions_with_errors": int(errors),
        "flags": flags.height,
        "by_check": by_check,
        "by_severity": {s: int(n) for s, n in flags.group_by("severity").len().sort("severity").iter_rows()},
        "units": {lvl: int(n) for lvl, n in levels.iter_rows()},
        "enumerator_outliers": enum_flags.height,
        "fieldwork_days": sub["day"].drop_nulls().unique().sort().cast(pl.String).to_list(),
        "median_duration_min": (None if d["duration_min"].drop_nulls().is_empty()
                                else round(float(d["duration_min"].drop_nulls().median()), 2)),  # type: ignore[arg-type]
    }
