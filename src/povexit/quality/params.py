"""Parameters of the field data-quality checks (every threshold in one dataclass).

Defaults are what the documents imply or, where they are silent, what a field team would accept
(docs/decisions.md): a registered-household interview (建档立卡户问卷, ~100 questions and a member
roster) cannot honestly take under 15 minutes, a non-registered one under 10; fieldwork happens
between 07:00 and 21:00 local time; a pair does at most 12 interviews a day (seed 002 第三篇: a group
of 7 covers 2 villages × 15 households a day, ≈10 per pair). A YAML/JSON mapping with any subset of
the fields overrides them (``povexit quality --params FILE``).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import PovexitError
from ..errors import quality as EQ

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _default_min_minutes() -> dict[str, float]:
    return {"registered": 15.0, "general": 10.0}


@dataclass(frozen=True)
class QualityParams:
    # 1. interview duration and timing
    min_minutes: dict[str, float] = field(default_factory=_default_min_minutes)  # per instrument
    min_minutes_other: float = 10.0  # instruments not listed in min_minutes
    max_minutes: float = 180.0
    day_start: str = "07:00"  # local time (Asia/Shanghai)
    day_end: str = "21:00"
    max_submit_delay_hours: float = 24.0
    clock_tolerance_minutes: float = 5.0  # submission before the interview ended: the device clock is wrong
    # 2. enumerators in two places at once; daily load
    overlap_tolerance_minutes: float = 2.0
    max_interviews_per_day: int = 12
    # 3. GPS
    gps_far_km: float = 5.0
    gps_min_village_points: int = 5
    gps_identical_min: int = 3  # households at one point
    gps_identical_decimals: int = 5  # 1e-5 degrees ≈ 1.1 m
    gps_max_accuracy_m: float = 100.0
    # 4. duplicates and copying
    copy_min_similarity: float = 0.85  # weighted share of compared answers that are identical
    copy_min_fields: int = 10  # informative answers compared (answered in at least one of the two)
    # 5. enumerator statistics vs the team
    min_interviews: int = 10  # fewer: statistics listed, not tested
    robust_z: float = 3.0  # standardised deviation on the team's robust scale (stats.funnel_z)
    alpha: float = 0.05  # Benjamini–Hochberg false discovery rate over all tests of a level
    adjust_for_village: bool = True  # compare an enumerator with colleagues in the same villages
    # 6. consistency with the registry
    max_persons_difference: int = 1
    income_ratio: float = 0.5  # exited household reporting < ratio × registered income per head

    def min_minutes_for(self, instrument: str | None) -> float:
        return float(self.min_minutes.get(instrument or "", self.min_minutes_other))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _minutes_of_day(text: str) -> int:
    m = _HHMM.match(text.strip())
    if not m:
        raise ValueError(text)
    return int(m.group(1)) * 60 + int(m.group(2))


def day_window(params: QualityParams) -> tuple[int, int]:
    """(start, end) of the fieldwork day in minutes after local midnight."""
    return _minutes_of_day(params.day_start), _minutes_of_day(params.day_end)


def _positive(name: str) -> bool:
    return name not in ("gps_identical_decimals", "min_interviews", "max_persons_difference",
                        "clock_tolerance_minutes", "overlap_tolerance_minutes")


def validate(params: QualityParams, source: str = "QualityParams") -> QualityParams:
    """Raise :class:`PovexitError` (PVX-Q05) naming the first parameter that makes no sense."""

    def bad(name: str, value: Any, reason: str) -> PovexitError:
        return PovexitError(EQ.BAD_PARAM(file=source, column=name, value=value, reason=reason))

    for f in dataclasses.fields(params):
        v = getattr(params, f.name)
        if f.name == "min_minutes":
            if not isinstance(v, Mapping) or not all(
                    isinstance(k, str) and isinstance(x, int | float) and not isinstance(x, bool) and x >= 0
                    for k, x in v.items()):
                raise bad(f.name, v, "应为 问卷: 分钟数 / a mapping instrument: minutes ≥ 0")
        elif f.name in ("day_start", "day_end"):
            if not isinstance(v, str) or not _HHMM.match(v.strip()):
                raise bad(f.name, v, "应为 HH:MM / expected HH:MM")
        elif f.name == "adjust_for_village":
            if not isinstance(v, bool):
                raise bad(f.name, v, "应为 true/false / expected true or false")
        else:
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise bad(f.name, v, "应为数字 / expected a number")
            if v < 0 or (_positive(f.name) and v == 0):
                raise bad(f.name, v, "应为正数 / must be positive")
    start, end = day_window(params)
    if start >= end:
        raise bad("day_end", params.day_end, f"应晚于 day_start {params.day_start} / must be after day_start")
    for name in ("copy_min_similarity", "alpha"):
        if getattr(params, name) > 1:
            raise bad(name, getattr(params, name), "应不超过 1 / must be at most 1")
    for name in ("max_interviews_per_day", "gps_min_village_points", "gps_identical_min", "min_interviews",
                 "copy_min_fields", "gps_identical_decimals", "max_persons_difference"):
        if int(getattr(params, name)) != getattr(params, name):
            raise bad(name, getattr(params, name), "应为整数 / must be an integer")
    return params


def from_mapping(data: Mapping[str, Any], source: str = "params") -> QualityParams:
    """Defaults overridden by ``data``; unknown keys and bad values raise PVX-Q06 / PVX-Q05."""
    names = [f.name for f in dataclasses.fields(QualityParams)]
    for k in data:
        if k not in names:
            raise PovexitError(EQ.UNKNOWN_PARAM(file=source, column=k, allowed=", ".join(names)))
    kw = dict(data)
    if "min_minutes" in kw and isinstance(kw["min_minutes"], Mapping):
        kw["min_minutes"] = _default_min_minutes() | dict(kw["min_minutes"])
    for name in ("max_interviews_per_day", "gps_min_village_points", "gps_identical_min", "min_interviews",
                 "copy_min_fields", "gps_identical_decimals", "max_persons_difference"):
        v = kw.get(name)
        if isinstance(v, float) and v.is_integer():
            kw[name] = int(v)
    return validate(QualityParams(**kw), source)


def load_params(path: str | Path) -> QualityParams:
    """Read a YAML or JSON file of overrides."""
    import yaml

    from ..errors import FILE_NOT_FOUND, FILE_UNREADABLE

    p = Path(path)
    if not p.is_file():
        raise PovexitError(FILE_NOT_FOUND(file=str(p)))
    try:
        text = p.read_text(encoding="utf-8-sig")
        data = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        raise PovexitError(FILE_UNREADABLE(file=str(p), reason=str(exc))) from exc
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise PovexitError(EQ.BAD_PARAM(file=str(p), column="(file)", value=type(data).__name__,
                                        reason="应为键值对 / expected a mapping"))
    return from_mapping(data, str(p))
