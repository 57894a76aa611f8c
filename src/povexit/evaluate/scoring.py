"""Scoring (pure): a sheet, the data and the manual scores in; a :class:`ScoreResult` with warnings out.

Points of an item (``ScoreSpec.scale``):

- ``linear``: ``points × (value − zero) / (full − zero)``, clipped to [0, points] (e.g. approval 0.95 → full,
  0.80 → none);
- ``deduct``: ``points − per × value``, at least 0 (扣分制: 3 points off per suspected wrongful exit);
- ``per_unit`` (bonus / penalty from data): ``per × value``, at most the item's cap;
- manual: the points entered (checked against the item's maximum or cap); a veto yes/no.

A level's total: each section's points (or, when the sections carry weights, ``weight × scale ×
earned / section maximum``), plus bonuses (each within its cap, together within ``bonus_cap``), minus
penalties (likewise), within [0, scale + bonus_cap]; a veto sets it to 0. ``annual_weight`` gives the
weighted figure (departments: 40% of the year-end target, seed 002 第一篇 三(二)).

Ranks: competition ranking ("1224") on the total rounded to 0.01 — units with equal totals share the
better rank and the next rank is skipped, as a published 通报 reads; ties are listed by name. The
ranking is for the effectiveness evaluation only: the exit check is pass/fail (seed 003), never ranked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .. import errors as E
from ..errors import evaluate as EV
from . import indicators as IND
from .sheet import INDICATORS, Item, Sheet

RANKING_NOTE_ZH = "本排名仅用于脱贫攻坚成效评估（通报各乡镇排名）；贫困县退出专项评估检查为达标评估，不排名。"
RANKING_NOTE_EN = ("This ranking is for the effectiveness evaluation only; the poverty-exit check is pass/fail "
                   "and never ranks counties or townships.")
RANK_METHOD_ZH = "并列按竞赛排名（1224）：总分（保留两位小数）相同者名次相同，其后名次顺延。"
RANK_METHOD_EN = ("Ties use competition ranking (1224): equal totals (to 0.01) share a rank and the next rank "
                  "is skipped.")

LEVEL_ALIASES = {"township": "township", "乡镇": "township", "乡": "township", "镇": "township",
                 "乡(镇)": "township", "乡（镇）": "township", "department": "department", "部门": "department",
                 "县直单位": "department", "县直部门": "department", "单位": "department"}
YES = {"是", "yes", "y", "true", "1", "否决", "一票否决"}
NO = {"否", "no", "n", "false", "0", ""}


@dataclass
class ItemScore:
    item: str
    kind: str
    section: str | None
    value: float | None  # raw indicator value, or the manual entry
    n: int | None  # households / villages the value rests on (data items)
    base: str | None  # households | villages | manual
    points: float  # points earned (bonus/penalty: the amount added/subtracted, ≥ 0)
    maximum: float
    reliable: bool = True
    note_zh: str = ""
    note_en: str = ""


@dataclass
class UnitScore:
    level: str
    unit: str
    items: list[ItemScore]
    sections: dict[str, float]
    base: float
    bonus: float
    penalty: float
    vetoed: bool
    total: float
    weighted: float | None
    rank: int = 0
    complete: bool = True  # every item had data or a manual entry
    reliable: bool = True  # no item rests on a sample below the threshold

    def item(self, item_id: str) -> ItemScore:
        return next(i for i in self.items if i.item == item_id)


@dataclass
class ScoreResult:
    sheet: Sheet
    units: list[UnitScore]
    warnings: list[E.Diagnostic] = field(default_factory=list)

    def level(self, level: str) -> list[UnitScore]:
        return sorted((u for u in self.units if u.level == level), key=lambda u: (u.rank, u.unit))

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        s = self.sheet
        items = {i.id: i for i in s.items}
        return {
            "kind": "evaluation_scores",
            "contract": 1,
            "purpose": "effectiveness_evaluation",
            "ranking_note": {"zh": RANKING_NOTE_ZH, "en": RANKING_NOTE_EN},
            "rank_method": {"method": "competition (1224)", "zh": RANK_METHOD_ZH, "en": RANK_METHOD_EN},
            "sheet": {"name": s.name, "title": {"zh": s.title_zh, "en": s.title_en}, "source": s.source,
                      "origin": s.origin, "note": s.note,
                      "levels": {k: {"scale": v.scale, "min_households": v.min_households,
                                     "min_villages": v.min_villages, "bonus_cap": bonus_cap(s, k),
                                     "penalty_cap": penalty_cap(s, k), "annual_weight": v.annual_weight}
                                 for k, v in s.levels.items()},
                      "sections": [{"id": x.id, "level": x.level, "zh": x.name_zh, "en": x.name_en,
                                    "weight": x.weight, "source": x.source} for x in s.sections],
                      "items": [{"id": i.id, "kind": i.kind, "level": i.level, "section": i.section,
                                 "zh": i.name_zh, "en": i.name_en, "points": i.points, "source": i.source,
                                 "method": i.score.method, "indicator": i.score.indicator,
                                 "rules": list(i.score.rules), "instrument": i.score.instrument,
                                 "scale": i.score.scale, "full": i.score.full, "zero": i.score.zero,
                                 "per": i.score.per} for i in s.items]},
            "levels": {
                lvl: [{"rank": u.rank, "unit": u.unit, "total": _r(u.total), "weighted": _r(u.weighted),
                       "base": _r(u.base), "bonus": _r(u.bonus), "penalty": _r(u.penalty), "vetoed": u.vetoed,
                       "complete": u.complete, "reliable": u.reliable,
                       "sections": {k: _r(v) for k, v in u.sections.items()},
                       "items": [{"item": x.item, "name": items[x.item].name(lang), "kind": x.kind,
                                  "section": x.section, "value": _r(x.value, 4), "n": x.n, "base": x.base,
                                  "points": _r(x.points), "maximum": x.maximum, "reliable": x.reliable,
                                  "note_zh": x.note_zh, "note_en": x.note_en} for x in u.items]}
                      for u in self.level(lvl)]
                for lvl in s.levels},
            "warnings": [d.to_dict(lang) for d in self.warnings],
        }


def _r(v: float | None, nd: int = 2) -> float | None:
    return None if v is None else round(float(v), nd) + 0.0


def bonus_cap(sheet: Sheet, level: str) -> float:
    cap = sheet.levels[level].bonus_cap
    return float(cap) if cap is not None else sum(i.points for i in sheet.items_of(level, "bonus"))


def penalty_cap(sheet: Sheet, level: str) -> float:
    cap = sheet.levels[level].penalty_cap
    return float(cap) if cap is not None else sum(i.points for i in sheet.items_of(level, "penalty"))


# ---- points of one item ----------------------------------------------------------------------------------


def item_points(item: Item, value: float | None) -> float:
    """Points an indicator value earns (bonus / penalty: the amount, within the cap)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0.0
    s = item.score
    if s.scale == "linear":
        frac = (value - s.zero) / (s.full - s.zero)  # type: ignore[operator]
        return item.points * min(1.0, max(0.0, frac))
    if s.scale == "deduct":
        return max(0.0, item.points - (s.per or 0) * value)
    return min(item.points, max(0.0, (s.per or 0) * value))  # per_unit


# ---- manual scores ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManualEntry:
    level: str
    unit: str
    item: str
    value: float  # points; a veto 1.0 / 0.0
    note: str


def check_manual(sheet: Sheet, manual: pl.DataFrame | None, *, file: str = "manual") -> list[ManualEntry]:
    """Validate the manual score table (columns level?, unit, item, score, note?, _row?) against the sheet;
    raise every problem at once."""
    if manual is None or not manual.height:
        return []
    from ..contracts import normalise_header
    from .io import MANUAL

    hmap = MANUAL.header_map()
    manual = manual.rename({c: hmap[normalise_header(c)] for c in manual.columns
                            if normalise_header(c) in hmap and hmap[normalise_header(c)] not in manual.columns})
    items = {i.id: i for i in sheet.manual_items()}
    allowed = ", ".join(items) or "(none)"
    diags: list[E.Diagnostic] = []
    out: list[ManualEntry] = []
    seen: dict[tuple[str, str], int] = {}
    for i, r in enumerate(manual.iter_rows(named=True), start=2):
        row = int(r["_row"]) if r.get("_row") is not None else i
        vals = {k: (None if r.get(k) is None else str(r.get(k)).strip() or None)
                for k in ("level", "unit", "item", "score", "note")}
        missing = [k for k in ("unit", "item") if vals[k] is None]
        item = items.get(vals["item"] or "")
        if vals["score"] is None and not (item is not None and item.kind == "veto"):
            missing.append("score")
        for k in missing:
            diags.append(EV.MANUAL_MISSING_FIELD(file=file, row=row, column=k))
        if missing:
            continue
        if item is None:
            diags.append(EV.MANUAL_UNKNOWN_ITEM(file=file, row=row, column="item", value=vals["item"],
                                                sheet=sheet.name, allowed=allowed))
            continue
        if vals["level"] is not None and LEVEL_ALIASES.get(vals["level"].lower()) != item.level:
            diags.append(EV.MANUAL_LEVEL(file=file, row=row, column="level", value=vals["level"], item=item.id,
                                         expected=item.level))
            continue
        key = (vals["unit"], item.id)  # type: ignore[assignment]
        if key in seen:
            diags.append(EV.MANUAL_DUPLICATE(file=file, row=row, unit=vals["unit"], item=item.id, first=seen[key]))
            continue
        seen[key] = row
        raw = vals["score"] or ""
        if item.kind == "veto":
            low = raw.lower()
            if low not in YES | NO:
                diags.append(EV.MANUAL_NOT_NUMBER(file=file, row=row, column="score", value=raw, item=item.id))
                continue
            num = 1.0 if low in YES else 0.0
        else:
            try:
                num = float(raw.replace("分", ""))
            except ValueError:
                diags.append(EV.MANUAL_NOT_NUMBER(file=file, row=row, column="score", value=raw, item=item.id))
                continue
            if math.isnan(num) or not 0 <= num <= item.points:
                diags.append(EV.MANUAL_OUT_OF_RANGE(file=file, row=row, column="score", value=raw, item=item.id,
                                                    maximum=f"{item.points:g}"))
                continue
        out.append(ManualEntry(item.level, vals["unit"], item.id, num, vals["note"] or ""))  # type: ignore[arg-type]
    E.raise_if_errors(diags)
    return out


# ---- the whole sheet ---------------------------------------------------------------------------------------


def _example(names: list[str]) -> str:
    return "、".join(names[:3]) + ("…" if len(names) > 3 else "")


def score(sheet: Sheet, data: IND.EvaluationData | None, manual: pl.DataFrame | list[ManualEntry] | None = None,
          *, manual_file: str = "manual") -> ScoreResult:
    """Score every township (from the data and the manual file) and every department (manual file)."""
    entries = manual if isinstance(manual, list) else check_manual(sheet, manual, file=manual_file)
    by_key = {(e.unit, e.item): e for e in entries}
    warnings: list[E.Diagnostic] = []
    units: list[UnitScore] = []
    if sheet.manual_items() and manual is None:
        warnings.append(EV.NO_MANUAL(value=len(sheet.manual_items())))

    f = IND.prepare_findings(data) if data is not None and data.findings.height else None
    data_towns = data.townships() if data is not None else []
    for level in sheet.levels:
        manual_units = sorted({e.unit for e in entries if e.level == level})
        if level == "township":
            names = sorted(set(data_towns) | set(manual_units))
            for t in manual_units:
                if t not in data_towns and any(i.score.method == "indicator" for i in sheet.items_of(level)):
                    warnings.append(EV.UNIT_NOT_IN_DATA(value=t))
        else:
            names = manual_units
        if not names:
            continue
        values = {}
        for it in sheet.items_of(level):
            if it.score.method == "indicator":
                if f is None and it.score.indicator != "village_standards_met":
                    values[it.id] = {t: (None, 0) for t in names}
                else:
                    values[it.id] = IND.compute(it.score, f if f is not None else pl.DataFrame(),
                                                data.villages if data is not None else None, names)
        level_units = [_score_unit(sheet, level, u, values, by_key) for u in names]
        _rank(level_units)
        units += level_units
        warnings += _item_warnings(sheet, level, level_units)
    return ScoreResult(sheet, units, warnings)


def _score_unit(sheet: Sheet, level: str, unit: str, values: dict, by_key: dict) -> UnitScore:
    lvl = sheet.levels[level]
    scores: list[ItemScore] = []
    vetoed = False
    for it in sheet.items_of(level):
        if it.score.method == "manual":
            e = by_key.get((unit, it.id))
            if it.kind == "veto":
                vetoed = vetoed or (e is not None and e.value >= 1)
                scores.append(ItemScore(it.id, it.kind, None, None if e is None else e.value, None, "manual", 0.0, 0.0,
                                        note_zh=(e.note if e else ""), note_en=(e.note if e else "")))
                continue
            pts = 0.0 if e is None else e.value
            note_zh = e.note if e else ("未填写，记0分" if it.kind == "item" else "")
            note_en = e.note if e else ("not entered: 0 points" if it.kind == "item" else "")
            scores.append(ItemScore(it.id, it.kind, it.section, None if e is None else e.value, None, "manual", pts,
                                    it.points, note_zh=note_zh, note_en=note_en))
            continue
        value, n = values[it.id].get(unit, (None, 0))
        idef = INDICATORS[it.score.indicator or ""]
        minimum = lvl.min_villages if idef.base == "villages" else lvl.min_households
        reliable = value is not None and n >= minimum
        if value is None:
            note_zh, note_en = "无数据，记0分", "no data: 0 points"
        elif not reliable:
            what_zh = "个村" if idef.base == "villages" else "户"
            note_zh = f"样本仅{n}{what_zh}（少于{minimum}{what_zh}），得分不够可靠"
            note_en = f"only {n} {idef.base} (fewer than {minimum}): points not reliable"
        else:
            note_zh = note_en = ""
        scores.append(ItemScore(it.id, it.kind, it.section, value, n, idef.base, item_points(it, value), it.points,
                                reliable=reliable, note_zh=note_zh, note_en=note_en))
    sections: dict[str, float] = {}
    for sec in sheet.sections_of(level):
        mine = [s for s in scores if s.section == sec.id and s.kind == "item"]
        earned = sum(s.points for s in mine)
        if sec.weight is not None:
            mx = sum(s.maximum for s in mine)
            sections[sec.id] = sec.weight * lvl.scale * (earned / mx if mx else 0.0)
        else:
            sections[sec.id] = earned
    base = min(lvl.scale, sum(sections.values()))
    bonus = min(bonus_cap(sheet, level), sum(s.points for s in scores if s.kind == "bonus"))
    penalty = min(penalty_cap(sheet, level), sum(s.points for s in scores if s.kind == "penalty"))
    total = 0.0 if vetoed else max(0.0, base + bonus - penalty)
    complete = all(s.value is not None for s in scores if s.kind == "item")
    reliable = all(s.reliable for s in scores)
    weighted = None if lvl.annual_weight is None else total * lvl.annual_weight
    return UnitScore(level, unit, scores, sections, base, bonus, penalty, vetoed, total, weighted,
                     complete=complete, reliable=reliable)


def competition_ranks(totals: list[float]) -> list[int]:
    """Competition ranking ("1224") of totals, higher first, compared to 0.01."""
    keys = [round(t, 2) for t in totals]
    return [1 + sum(1 for o in keys if o > k) for k in keys]


def _rank(units: list[UnitScore]) -> None:
    for u, r in zip(units, competition_ranks([u.total for u in units]), strict=True):
        u.rank = r
    units.sort(key=lambda u: (u.rank, u.unit))


def _item_warnings(sheet: Sheet, level: str, units: list[UnitScore]) -> list[E.Diagnostic]:
    out: list[E.Diagnostic] = []
    lvl = sheet.levels[level]
    small: list[str] = []
    for it in sheet.items_of(level):
        scores = [(u.unit, u.item(it.id)) for u in units]
        if it.score.method == "indicator":
            none = [u for u, s in scores if s.value is None]
            if none:
                out.append(EV.NO_DATA(item=it.id, value=len(none), example=_example(none)))
            small += [u for u, s in scores if s.value is not None and not s.reliable]
        elif it.kind == "item":
            none = [u for u, s in scores if s.value is None]
            if none:
                out.append(EV.MANUAL_NOT_ENTERED(item=it.id, value=len(none), example=_example(none)))
    small = sorted(set(small))
    if small:
        out.append(EV.SMALL_SAMPLE(value=len(small), minimum=lvl.min_households, minimum_villages=lvl.min_villages,
                                   example=_example(small)))
    return out
