"""Score sheets (量化得分表): YAML files shipped in ``sheets/`` and user-written ones.

A sheet has ``levels`` (``township`` 乡镇, ``department`` 县直部门), ``sections`` (parts of a level, with
an optional weight) and ``items``. An item is one of

- ``kind: item`` — in a section, worth ``points``; scored from data (``score.method: indicator``) or by
  hand (``score.method: manual``, from the ``--manual`` file: document reviews, departments' reports);
- ``kind: bonus`` / ``kind: penalty`` — added / subtracted after the sections, each capped at ``cap`` and
  all together at the level's ``bonus_cap`` / ``penalty_cap``;
- ``kind: veto`` — 一票否决 (seed 002 第一篇 三(二)2): entered yes/no by hand; yes sets the total to 0.

Indicators computed per township from the findings and the responses are listed in :data:`INDICATORS`.
Every problem of a sheet is reported at once with its file, line, key path, value and the allowed
values (as ``sampling/design.py`` does for designs).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .. import errors as E
from ..errors import evaluate as EV

SHEET_DIR = "sheets"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

LEVELS = ("township", "department")
KINDS = ("item", "bonus", "penalty", "veto")
METHODS = ("indicator", "manual")
INSTRUMENTS = ("all", "registered", "general")
SCALES = ("linear", "deduct", "per_unit")
RULE_KINDS = ("problem", "policy", "approval", "exclusion", "review")


@dataclass(frozen=True)
class IndicatorDef:
    name: str
    zh: str
    en: str
    unit: str  # share | count | rate
    higher_is_better: bool
    params: tuple[str, ...]  # score keys it reads beside indicator/scale
    base: str  # households | villages: what the reliability threshold counts


INDICATORS: dict[str, IndicatorDef] = {d.name: d for d in (
    IndicatorDef("households_without_problem", "无所列问题的户占比", "share of households without the listed problems",
                 "share", True, ("rules", "instrument"), "households"),
    IndicatorDef("approval_share", "群众认可度（认可户占比）", "approval (share of households approving)",
                 "share", True, ("instrument",), "households"),
    IndicatorDef("rules_per_100", "每百户发现问题数", "problems found per 100 households",
                 "rate", False, ("rules", "instrument"), "households"),
    IndicatorDef("wrongful_exit_households", "疑似错退户数", "suspected wrongful-exit households",
                 "count", False, (), "households"),
    IndicatorDef("missed_households", "疑似漏评户数", "suspected missed households", "count", False, (), "households"),
    IndicatorDef("village_standards_met", "村级退出核查标准达标率", "share of village exit standards met",
                 "share", True, (), "villages"),
)}


@dataclass(frozen=True)
class ScoreSpec:
    method: str  # indicator | manual
    indicator: str | None = None
    rules: tuple[str, ...] = ()
    instrument: str = "all"
    scale: str | None = None  # linear | deduct | per_unit
    full: float | None = None  # linear: value giving full points
    zero: float | None = None  # linear: value giving no points
    per: float | None = None  # deduct / per_unit: points per unit of the indicator


@dataclass(frozen=True)
class Item:
    id: str
    name_zh: str
    name_en: str
    kind: str
    level: str
    section: str | None
    points: float  # maximum points (item) or cap (bonus / penalty); 0 for a veto
    source: str
    score: ScoreSpec
    note: str = ""

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh


@dataclass(frozen=True)
class Section:
    id: str
    level: str
    name_zh: str
    name_en: str
    weight: float | None
    source: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh


@dataclass(frozen=True)
class Level:
    key: str
    name_zh: str
    name_en: str
    scale: float
    min_households: int
    min_villages: int
    bonus_cap: float | None  # None: the sum of the bonus items' caps
    penalty_cap: float | None
    annual_weight: float | None  # share of the unit's year-end target score this evaluation carries


@dataclass(frozen=True)
class Sheet:
    name: str
    title_zh: str
    title_en: str
    source: str
    note: str
    levels: dict[str, Level]
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    origin: str
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_zh

    def items_of(self, level: str, kind: str | None = None) -> list[Item]:
        return [i for i in self.items if i.level == level and (kind is None or i.kind == kind)]

    def sections_of(self, level: str) -> list[Section]:
        return [s for s in self.sections if s.level == level]

    def manual_items(self) -> list[Item]:
        return [i for i in self.items if i.score.method == "manual"]


# ---- loading -------------------------------------------------------------------------------------------


def presets() -> list[str]:
    root = resources.files(__package__) / SHEET_DIR
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def preset_path(name: str) -> Path:
    return Path(str(resources.files(__package__) / SHEET_DIR / f"{name}.yaml"))


def load_sheet(name_or_path: str | Path) -> Sheet:
    """A built-in sheet by name (``midyear-2020``) or a YAML file; raises :class:`PovexitError`."""
    ref = str(name_or_path)
    path = Path(ref)
    if not path.is_file():
        if ref not in presets():
            raise E.PovexitError(EV.SHEET_NOT_FOUND(value=ref, allowed=", ".join(presets())))
        path = preset_path(ref)
    data, lines = _read_yaml(str(path), path.stat().st_mtime_ns)
    return sheet_from_mapping(data, file=str(path), lines=lines, default_name=path.stem)


def sheet_from_mapping(data: Any, *, file: str = "(sheet)", lines: dict[str, int] | None = None,
                       default_name: str = "inline") -> Sheet:
    """A sheet from a mapping already read (tests, the server); every problem raised at once."""
    v = _Validator(file, lines or {})
    return v.sheet(data, default_name)


@functools.lru_cache(maxsize=16)
def _read_yaml(name: str, _mtime: int) -> tuple[Any, dict[str, int]]:
    path = Path(name)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise E.PovexitError(EV.SHEET_YAML(file=name, row=1, reason=f"not UTF-8 (byte {exc.start})")) from None
    try:
        node = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise E.PovexitError(EV.SHEET_YAML(file=name, row=None if mark is None else mark.line + 1,
                                           reason=str(getattr(exc, "problem", exc)))) from None
    lines: dict[str, int] = {}
    _line_map(node, "", lines)
    return data, lines


def _line_map(node: Any, prefix: str, out: dict[str, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = f"{prefix}.{k.value}" if prefix else str(k.value)
            out.setdefault(key, k.start_mark.line + 1)
            _line_map(v, key, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            key = f"{prefix}[{i}]"
            out[key] = v.start_mark.line + 1
            _line_map(v, key, out)


# ---- validation ----------------------------------------------------------------------------------------

TOP_KEYS = ("name", "title", "source", "note", "levels", "sections", "items")
LEVEL_KEYS = ("name", "scale", "min_households", "min_villages", "bonus_cap", "penalty_cap", "annual_weight")
SECTION_KEYS = ("id", "level", "name", "weight", "source")
ITEM_KEYS = ("id", "name", "kind", "level", "section", "points", "cap", "source", "score", "note")
SCORE_KEYS = ("method", "indicator", "rules", "instrument", "scale")
SCALE_KEYS = ("type", "full", "zero", "per")
LEVEL_NAMES = {"township": ("乡镇", "townships"), "department": ("县直部门", "county departments")}


def _show(v: Any) -> str:
    s = "(空 / empty)" if v is None else str(v)
    return s if len(s) <= 60 else s[:57] + "…"


class _Validator:
    def __init__(self, file: str, lines: dict[str, int]):
        self.file = file
        self.lines = lines
        self.diags: list[E.Diagnostic] = []

    def row(self, path: str) -> int | None:
        p = path
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p.rsplit(".", 1)[0] if "." in p else ""
        return None

    def bad(self, path: str, value: Any, reason: str, allowed: str) -> None:
        self.diags.append(EV.SHEET_INVALID(file=self.file, row=self.row(path), column=path, value=_show(value),
                                           reason=reason, allowed=allowed))

    def keys(self, d: Any, path: str, allowed: tuple[str, ...]) -> dict:
        if not isinstance(d, dict):
            self.bad(path or "(top level)", d, "应为键值映射 / must be a mapping", "keys: " + ", ".join(allowed))
            return {}
        for k in d:
            if k not in allowed:
                sub = f"{path}.{k}" if path else str(k)
                self.diags.append(EV.SHEET_UNKNOWN_KEY(file=self.file, row=self.row(sub), column=sub,
                                                       allowed=", ".join(allowed)))
        return d

    def text(self, d: dict, key: str, path: str, *, required: bool = False) -> str:
        v = d.get(key)
        if v is None or v == "":
            if required:
                self.bad(f"{path}.{key}" if path else key, v, "必填 / required", "text")
            return ""
        if not isinstance(v, str | int | float) or isinstance(v, bool):
            self.bad(f"{path}.{key}" if path else key, v, "不是文本 / not text", "text")
            return ""
        return str(v)

    def names(self, d: dict, key: str, path: str) -> tuple[str, str]:
        v = d.get(key)
        p = f"{path}.{key}" if path else key
        if isinstance(v, str) and v:
            return v, v
        if isinstance(v, dict):
            self.keys(v, p, ("zh", "en"))
            zh, en = v.get("zh"), v.get("en")
            if not isinstance(zh, str) or not zh:
                self.bad(f"{p}.zh", zh, "必填 / required", "Chinese text")
                zh = ""
            return zh, en if isinstance(en, str) and en else zh
        self.bad(p, v, "必填：中文名（及英文名）/ required: the Chinese (and English) name", "{zh: …, en: …}")
        return "", ""

    def number(self, d: dict, key: str, path: str, *, lo: float | None = None, hi: float | None = None,
               default: Any = ..., integer: bool = False, nullable: bool = False) -> Any:
        p = f"{path}.{key}" if path else key
        v = d.get(key, default if default is not ... else None)
        if v is None:
            if nullable:
                return None
            self.bad(p, v, "必填 / required", _range(lo, hi, integer))
            return lo or 0
        ok = isinstance(v, int) if integer else isinstance(v, int | float)
        if isinstance(v, bool) or not ok:
            self.bad(p, v, "不是整数 / not an integer" if integer else "不是数字 / not a number", _range(lo, hi, integer))
            return lo or 0
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            reason = "超出范围 / out of range"
            if hi == 1 and 1 < v <= 100:
                reason += f"（比例写成小数：{v:g}% 即 {v / 100:g} / a share is a fraction: {v:g}% is {v / 100:g}）"
            self.bad(p, v, reason, _range(lo, hi, integer))
        return v

    def choice(self, d: dict, key: str, path: str, allowed: tuple[str, ...], default: str | None = None) -> str:
        v = d.get(key, default)
        if v not in allowed:
            self.bad(f"{path}.{key}", v, "不是允许的取值 / not one of the allowed values", ", ".join(allowed))
            return allowed[0]
        return v

    # ---- the sheet -------------------------------------------------------------------------------------

    def sheet(self, data: Any, default_name: str) -> Sheet:
        d = self.keys(data, "", TOP_KEYS)
        name = self.text(d, "name", "") or default_name
        tz, te = self.names(d, "title", "") if "title" in d else (name, name)
        source = self.text(d, "source", "", required=True)
        levels = self._levels(d.get("levels"))
        sections = self._sections(d.get("sections"), levels)
        items = self._items(d.get("items"), levels, {s.id: s for s in sections})
        self._totals(levels, sections, items)
        E.raise_if_errors(self.diags)
        return Sheet(name, tz, te, source, self.text(d, "note", ""), levels, tuple(sections), tuple(items),
                     self.file, raw=d)

    def _levels(self, raw: Any) -> dict[str, Level]:
        out: dict[str, Level] = {}
        d = self.keys(raw, "levels", LEVELS)
        if not d:
            self.bad("levels", raw, "至少一个层级 / at least one level", ", ".join(LEVELS))
        for key, body in d.items():
            if key not in LEVELS:
                continue
            p = f"levels.{key}"
            b = self.keys(body if body is not None else {}, p, LEVEL_KEYS)
            zh, en = self.names(b, "name", p) if "name" in b else LEVEL_NAMES[key]
            out[key] = Level(
                key, zh, en,
                scale=float(self.number(b, "scale", p, lo=1, default=100)),
                min_households=int(self.number(b, "min_households", p, lo=1, default=10, integer=True)),
                min_villages=int(self.number(b, "min_villages", p, lo=1, default=1, integer=True)),
                bonus_cap=self.number(b, "bonus_cap", p, lo=0, default=None, nullable=True),
                penalty_cap=self.number(b, "penalty_cap", p, lo=0, default=None, nullable=True),
                annual_weight=self.number(b, "annual_weight", p, lo=0, hi=1, default=None, nullable=True),
            )
        return out

    def _sections(self, raw: Any, levels: dict[str, Level]) -> list[Section]:
        out: list[Section] = []
        if raw is None:
            return out
        if not isinstance(raw, list):
            self.bad("sections", raw, "应为列表 / must be a list", "- id: …")
            return out
        seen: dict[str, int | None] = {}
        for i, body in enumerate(raw):
            p = f"sections[{i}]"
            b = self.keys(body, p, SECTION_KEYS)
            if not b:
                continue
            sid = self.text(b, "id", p, required=True)
            if sid in seen:
                self.diags.append(EV.SHEET_DUPLICATE_ID(file=self.file, row=self.row(f"{p}.id"), column=f"{p}.id",
                                                        value=sid, first=seen[sid]))
            seen.setdefault(sid, self.row(f"{p}.id"))
            level = self.choice(b, "level", p, tuple(levels) or LEVELS)
            zh, en = self.names(b, "name", p)
            weight = self.number(b, "weight", p, lo=0, hi=1, default=None, nullable=True)
            out.append(Section(sid, level, zh, en, None if weight is None else float(weight),
                               self.text(b, "source", p, required=True)))
        return out

    def _items(self, raw: Any, levels: dict[str, Level], sections: dict[str, Section]) -> list[Item]:
        out: list[Item] = []
        if not isinstance(raw, list) or not raw:
            self.bad("items", raw, "应为非空列表 / must be a non-empty list", "- id: …")
            return out
        seen: dict[str, int | None] = {s: None for s in sections}
        for i, body in enumerate(raw):
            p = f"items[{i}]"
            b = self.keys(body, p, ITEM_KEYS)
            if not b:
                continue
            iid = self.text(b, "id", p, required=True)
            if iid in seen:
                self.diags.append(EV.SHEET_DUPLICATE_ID(file=self.file, row=self.row(f"{p}.id"), column=f"{p}.id",
                                                        value=iid, first=seen[iid] or "?"))
            seen.setdefault(iid, self.row(f"{p}.id"))
            zh, en = self.names(b, "name", p)
            kind = self.choice(b, "kind", p, KINDS, "item")
            section: str | None = None
            if kind == "item":
                section = self.choice(b, "section", p, tuple(sections) or ("(no sections defined)",))
                level = sections[section].level if section in sections else "township"
                if "level" in b and b["level"] != level:
                    self.bad(f"{p}.level", b["level"], "与所属部分的层级不同 / not the level of its section", level)
                points = float(self.number(b, "points", p, lo=0))
                if "cap" in b:
                    self.bad(f"{p}.cap", b["cap"], "只用于加分、扣分项 / only for bonus and penalty items",
                             "points: (the item's maximum)")
            else:
                level = self.choice(b, "level", p, tuple(levels) or LEVELS)
                if "section" in b:
                    self.bad(f"{p}.section", b["section"], "加分、扣分、否决项不属于部分 / bonus, penalty and veto "
                             "items are outside the sections", f"level: {', '.join(levels)}")
                points = 0.0 if kind == "veto" else float(self.number(b, "cap", p, lo=0))
                if "points" in b:
                    self.bad(f"{p}.points", b["points"], "加分、扣分项用 cap 表示上限 / bonus and penalty items "
                             "give their cap", "cap: N")
            score = self._score(b.get("score"), f"{p}.score", kind)
            out.append(Item(iid, zh, en, kind, level, section, points, self.text(b, "source", p, required=True),
                            score, self.text(b, "note", p)))
        return out

    def _score(self, raw: Any, p: str, kind: str) -> ScoreSpec:
        b = self.keys(raw, p, SCORE_KEYS)
        if not b:
            return ScoreSpec("manual")
        method = self.choice(b, "method", p, METHODS)
        if kind == "veto" and method != "manual":
            self.bad(f"{p}.method", method, "一票否决项只能人工认定 / a veto is entered by hand", "manual")
        if method == "manual":
            for k in ("indicator", "rules", "instrument", "scale"):
                if k in b:
                    self.bad(f"{p}.{k}", b[k], "人工评分项不读数据 / a manual item reads no data", "method: indicator")
            return ScoreSpec("manual")
        ind = self.choice(b, "indicator", p, tuple(INDICATORS))
        idef = INDICATORS[ind]
        for k in ("rules", "instrument"):
            if k in b and k not in idef.params:
                self.bad(f"{p}.{k}", b[k], f"指标 {ind} 不用该参数 / indicator {ind} takes no {k}",
                         ", ".join(idef.params) or "(none)")
        rules: tuple[str, ...] = ()
        if "rules" in idef.params:
            rules = self._rules(b.get("rules"), f"{p}.rules")
        instrument = self.choice(b, "instrument", p, INSTRUMENTS, "all") if "instrument" in idef.params else "all"
        s = self.keys(b.get("scale"), f"{p}.scale", SCALE_KEYS)
        allowed_scales = ("per_unit",) if kind in ("bonus", "penalty") else ("linear", "deduct")
        stype = self.choice(s, "type", f"{p}.scale", allowed_scales) if s else allowed_scales[0]
        full = zero = per = None
        if stype == "linear":
            full = self.number(s, "full", f"{p}.scale")
            zero = self.number(s, "zero", f"{p}.scale")
            if isinstance(full, int | float) and isinstance(zero, int | float):
                if full == zero:
                    self.bad(f"{p}.scale.zero", zero, "不能等于 full / must differ from full", f"≠ {full}")
                elif (full > zero) != idef.higher_is_better:
                    want = "full > zero" if idef.higher_is_better else "full < zero"
                    self.bad(f"{p}.scale.zero", zero, f"方向与指标相反 / the wrong way round for {ind}", want)
            if idef.unit == "share":
                for k, v in (("full", full), ("zero", zero)):
                    if isinstance(v, int | float) and not 0 <= v <= 1:
                        self.bad(f"{p}.scale.{k}", v, "比例应在 0–1 之间 / a share is between 0 and 1", "0 … 1")
        else:
            per = self.number(s, "per", f"{p}.scale", lo=0)
            if isinstance(per, int | float) and per <= 0:
                self.bad(f"{p}.scale.per", per, "应大于 0 / must be above 0", "> 0")
            if stype == "deduct" and idef.higher_is_better:
                self.bad(f"{p}.scale.type", stype, f"扣分制只用于越少越好的指标 / deduct is for indicators where "
                         f"fewer is better, not {ind}", "linear")
        return ScoreSpec("indicator", ind, rules, instrument, stype,
                         None if full is None else float(full), None if zero is None else float(zero),
                         None if per is None else float(per))

    def _rules(self, raw: Any, p: str) -> tuple[str, ...]:
        from ..rules import RULES

        ids = [r.id for r in RULES]
        if raw is None:
            return ("problem",)
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            self.bad(p, raw, "应为非空列表 / must be a non-empty list", "rule ids, prefixes such as water., or kinds")
            return ("problem",)
        out = []
        for i, r in enumerate(raw):
            if not isinstance(r, str) or not (r in RULE_KINDS or r in ids
                                              or (r.endswith(".") and any(x.startswith(r) for x in ids))):
                prefixes = sorted({x.split(".")[0] + "." for x in ids})
                self.bad(f"{p}[{i}]", r, "不是规则编号、前缀或类别 / not a rule id, prefix or kind",
                         "kinds " + ", ".join(RULE_KINDS) + "; prefixes " + ", ".join(prefixes)
                         + "; ids: povexit ruleset rules")
            else:
                out.append(r)
        return tuple(out)

    def _totals(self, levels: dict[str, Level], sections: list[Section], items: list[Item]) -> None:
        if any(d.severity == "error" for d in self.diags):
            return  # totals of a sheet with bad values would only repeat those problems
        for key, lvl in levels.items():
            for kind, cap in (("bonus", lvl.bonus_cap), ("penalty", lvl.penalty_cap)):
                if cap == 0 and any(i.level == key and i.kind == kind for i in items):
                    self.bad(f"levels.{key}.{kind}_cap", cap, f"为 0 时{kind}项不起作用 / with 0 the {kind} items "
                             "count for nothing", "> 0, or null (the sum of the items' caps)")
            secs = [s for s in sections if s.level == key]
            its = [i for i in items if i.level == key and i.kind == "item"]
            if not its:
                self.diags.append(EV.SHEET_TOTALS(file=self.file, row=self.row(f"levels.{key}"), column=key,
                                                  reason="没有评分项 / no items", allowed="add items, or drop the level"))
                continue
            weighted = [s for s in secs if s.weight is not None]
            if weighted and len(weighted) != len(secs):
                self.diags.append(EV.SHEET_TOTALS(
                    file=self.file, row=self.row("sections"), column=key,
                    reason="部分权重只给了一部分 / only some sections have a weight",
                    allowed="给该层级的每个部分都写 weight，或都不写 / give every section of the level a weight, or none"))
            elif weighted:
                total = sum(s.weight or 0 for s in secs)
                if abs(total - 1) > 1e-9:
                    self.diags.append(EV.SHEET_TOTALS(
                        file=self.file, row=self.row("sections"), column=key,
                        reason=f"部分权重之和为 {total:g}，应为 1 / section weights add up to {total:g}, not 1",
                        allowed="weights " + " + ".join(f"{s.id} {s.weight:g}" for s in secs) + " = 1"))
                for s in secs:
                    if not any(i.section == s.id for i in its):
                        self.diags.append(EV.SHEET_TOTALS(file=self.file, row=self.row("sections"), column=key,
                                                          reason=f"部分 {s.id} 没有评分项 / section {s.id} has no items",
                                                          allowed="add items to it, or drop it"))
            else:
                total = sum(i.points for i in its)
                if abs(total - lvl.scale) > 1e-9:
                    self.diags.append(EV.SHEET_TOTALS(
                        file=self.file, row=self.row(f"levels.{key}"), column=key,
                        reason=f"评分项分值之和为 {total:g}，满分为 {lvl.scale:g} / items add up to {total:g}, "
                               f"the level's scale is {lvl.scale:g}",
                        allowed="调整 points，或给各部分写 weight（按权重折算）/ fix the points, or give the "
                                "sections weights (then points are scaled)"))


def _range(lo: float | None, hi: float | None, integer: bool) -> str:
    what = "integer" if integer else "number"
    if lo is not None and hi is not None:
        return f"{what} {lo:g} … {hi:g}"
    if lo is not None:
        return f"{what} ≥ {lo:g}"
    return what
