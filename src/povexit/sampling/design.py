"""Sampling designs: YAML presets shipped in ``designs/`` and user-written design files.

A design file is a YAML mapping. Every key has a default (:data:`DEFAULTS`); a file may start from
a preset or another file with ``extends: NAME|PATH`` and override only what differs. Mappings are
merged key by key; lists, scalars and the whole-value sections in :data:`_REPLACE_WHOLE` replace.
Every problem is reported with the file, the line, the key path, the bad value and what is allowed.
"""

from __future__ import annotations

import copy
import difflib
import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .. import errors as E
from ..errors import sampling as ES

PRESET_DIR = "designs"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

WEAK_FLAGS = ("remote", "edge", "border", "minority")
STATUSES = ("poor", "exited", "returned")
ROSTER_SOURCES = ("dibao", "tekun", "disability", "dangerous_house", "serious_illness", "medical_insurance")
QUOTA_TYPES = ("poor", "exited", "general")
SIZE_MEASURES = ("agricultural_population", "households", "registered_households", "exited_households")
ALLOCATIONS = ("equal", "proportional", "self_weighting")
GROUP_METHODS = ("pps", "equal", "self_weighting")

DEFAULTS: dict[str, Any] = {
    "name": None,
    "extends": None,
    "title": {"zh": "", "en": ""},
    "source": "",
    "counties": None,
    "villages": {
        "count": 30,
        "min_count": 25,
        "stratify": "poor_weak",
        "poor_share": 0.7,
        "weak_share": 0.5,
        "weak_area": {"flags": list(WEAK_FLAGS), "high_incidence": None},
        "method": "pps",
        "size": "agricultural_population",
        "cover_townships": True,
        "min_per_stratum": 2,
        "per_township": {"key": 3, "other": 2},
        "key_townships": [],
    },
    "households": {
        "registered": {"statuses": ["exited"], "total": 600, "allocation": "equal", "method": "srs",
                       "min_per_village": 5},
        "general": {
            "total": 400,
            "roster_hits": True,
            "roster_sources": ["dibao", "tekun", "disability", "dangerous_house", "serious_illness"],
            "groups": {"min": 8, "max": 12, "method": "pps"},
        },
        "scale": None,
        "quotas": None,
        "substitution": None,
        "monitored": False,
        "reserve": {"per_village": 5},
    },
    "release": {"batch_size": 6},
}
COUNTY_DEFAULTS = {"fraction": 0.2, "min_per_province": 1, "rounding": "round", "exit_year": "latest",
                   "method": "systematic"}
SCALE_DEFAULTS = {"registered_share": 0.6, "tiers": [{"min_persons": 0, "total": 1000}]}
_NULLABLE_SECTIONS = {"counties": COUNTY_DEFAULTS, "households.scale": SCALE_DEFAULTS}
_REPLACE_WHOLE = {"release", "households.quotas", "households.substitution", "households.scale.tiers",
                  "villages.per_township"}


# ---- typed design --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VillageSpec:
    count: int
    min_count: int
    stratify: str  # poor_weak | township | none
    poor_share: float
    weak_share: float
    weak_flags: tuple[str, ...]
    high_incidence: float | None
    method: str  # pps | equal
    size: str
    cover_townships: bool
    min_per_stratum: int
    per_township_key: int
    per_township_other: int
    key_townships: tuple[str, ...]


@dataclass(frozen=True)
class RegisteredSpec:
    statuses: tuple[str, ...]
    total: int
    allocation: str  # equal | proportional | self_weighting
    method: str  # srs | systematic
    min_per_village: int = 5  # floor of proportional / self-weighting allocations (capped by the village)


@dataclass(frozen=True)
class GeneralSpec:
    total: int
    roster_hits: bool
    roster_sources: tuple[str, ...]
    groups_min: int
    groups_max: int
    groups_method: str  # pps | equal | self_weighting


@dataclass(frozen=True)
class ScaleTier:
    min_persons: int
    total: int


@dataclass(frozen=True)
class HouseholdSpec:
    registered: RegisteredSpec
    general: GeneralSpec
    scale_share: float | None  # registered share of the scaled total; None = no scaling
    scale_tiers: tuple[ScaleTier, ...]
    quotas: dict[str, int] | None  # per-village quotas by type (midyear design)
    substitution: dict[str, tuple[str, ...]]
    monitored: bool
    reserve_per_village: int

    def targets(self, registered_persons: int) -> tuple[int, int]:
        """County totals (registered, general) for a county with this many registered persons."""
        reg, gen = self.registered.total, self.general.total
        if self.scale_share is None or not self.scale_tiers:
            return reg, gen
        total = self.scale_tiers[0].total
        for tier in self.scale_tiers:
            if registered_persons >= tier.min_persons:
                total = tier.total
        r = max(reg, round(total * self.scale_share))
        return r, max(gen, total - r)


@dataclass(frozen=True)
class CountySpec:
    fraction: float
    min_per_province: int
    rounding: str  # ceil | round | floor
    exit_year: int | str  # a year, "latest" or "any"
    method: str  # systematic | srs


@dataclass(frozen=True)
class ReleaseSpec:
    batch_size: int | None
    batches: int | None


@dataclass(frozen=True)
class Design:
    name: str
    title_zh: str
    title_en: str
    source: str
    villages: VillageSpec
    households: HouseholdSpec
    counties: CountySpec | None
    release: ReleaseSpec
    origin: str  # preset name or file path it was loaded from
    params: dict[str, Any] = field(default_factory=dict, compare=False)  # resolved parameters (manifest)


# ---- loading -------------------------------------------------------------------------------------


def presets() -> list[str]:
    """Names of the built-in designs."""
    root = resources.files(__package__) / PRESET_DIR
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def preset_path(name: str) -> Path:
    return Path(str(resources.files(__package__) / PRESET_DIR / f"{name}.yaml"))


def load_design(name_or_path: str | Path) -> Design:
    """A preset by name (``jilin-2018``) or a YAML design file; raises :class:`PovexitError`."""
    merged, origin_lines, origin = _resolve(str(name_or_path), chain=())
    merged.pop("extends", None)
    return _Validator(origin_lines, _layer_order(origin_lines)).design(merged, origin)


def design_from_mapping(data: dict[str, Any], *, name: str = "inline") -> Design:
    """A design from an in-memory mapping (merged over the defaults, and over ``extends`` if given)."""
    layers: list[tuple[dict[str, Any], dict[str, tuple[str, int]]]] = []
    if data.get("extends"):
        if not isinstance(data["extends"], str):
            raise E.PovexitError(ES.DESIGN_EXTENDS_INVALID(file=name, column="extends", value=_show(data["extends"]),
                                                           allowed=", ".join(presets())))
        base, base_lines, _ = _resolve(str(data["extends"]), chain=(name,))
        layers.append((base, base_lines))
    merged = _merge_layers([*layers, (data, {})])
    merged.pop("extends", None)
    merged.setdefault("name", name)
    lines = {}
    for _, ln in layers:
        lines.update(ln)
    for key in _paths(data):  # keys set by the mapping itself are located there, not in the preset
        lines.pop(key, None)
        lines[key] = (name, None)
    return _Validator(lines, _layer_order(lines)).design(merged, name)


def _paths(d: Any, prefix: str = "") -> list[str]:
    out: list[str] = []
    if isinstance(d, dict):
        for k, v in d.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            out += [key, *_paths(v, key)]
    return out


def _layer_order(lines: dict[str, tuple[str, int]]) -> dict[str, int]:
    """Files of an ``extends`` chain, base first → their depth (a later layer overrides an earlier).
    The order in which a chain's line maps were merged is base first, so first appearance is depth."""
    order: dict[str, int] = {}
    for file, _ in lines.values():
        order.setdefault(file, len(order))
    return order


def _resolve(ref: str, chain: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, tuple[str, int]], str]:
    """Read ``ref`` (preset or file) and everything it extends; return merged data + origins."""
    path = Path(ref)
    is_preset = not path.is_file() and ref in presets()
    if is_preset:
        path = preset_path(ref)
    elif not path.is_file():
        raise E.PovexitError(ES.DESIGN_NOT_FOUND(value=ref, allowed=", ".join(presets())))
    key = str(path.resolve())
    if key in chain:
        raise E.PovexitError(ES.DESIGN_EXTENDS_LOOP(file=str(path), value=" → ".join([*chain, key])))
    data, lines = _read_yaml(path)
    layers = []
    lines_all: dict[str, tuple[str, int]] = {}
    parent = data.get("extends")
    if parent is not None and parent != "":
        row = lines.get("extends", (None, None))[1]
        bad = ES.DESIGN_EXTENDS_INVALID(file=str(path), row=row, column="extends", value=_show(parent),
                                        allowed=", ".join(presets()))
        if not isinstance(parent, str):
            raise E.PovexitError(bad)
        ref_parent = parent
        if not Path(ref_parent).is_absolute() and (path.parent / ref_parent).is_file():
            ref_parent = str(path.parent / ref_parent)
        try:
            base, base_lines, _ = _resolve(ref_parent, (*chain, key))
        except E.PovexitError as err:
            if err.diagnostics and err.diagnostics[0].code == ES.DESIGN_NOT_FOUND.code:
                raise E.PovexitError(bad) from None
            raise
        layers.append((base, base_lines))
        lines_all.update(base_lines)
    layers.append((data, lines))
    # the leaf's keys are re-inserted so that a key set in both keeps the leaf's place, and the order
    # of first appearance stays base → leaf (:func:`_layer_order`)
    for k in lines:
        lines_all.pop(k, None)
    lines_all.update(lines)
    merged = _merge_layers(layers)
    if not data.get("name"):
        merged["name"] = path.stem
    return merged, lines_all, ref if is_preset else str(path)


def _read_yaml(path: Path) -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    st = path.stat()
    data, lines = _read_yaml_cached(str(path), st.st_mtime_ns, st.st_size)
    return copy.deepcopy(data), dict(lines)


@functools.lru_cache(maxsize=64)
def _read_yaml_cached(name: str, _mtime: int, _size: int) -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    path = Path(name)
    try:
        text = path.read_bytes().decode("utf-8-sig")  # Notepad's UTF-8 carries a BOM
    except UnicodeDecodeError as exc:
        raw = path.read_bytes()
        raise E.PovexitError(ES.DESIGN_ENCODING(file=str(path), row=raw[:exc.start].count(b"\n") + 1,
                                                reason=f"byte {exc.start}")) from None
    except OSError as exc:
        raise E.PovexitError(E.FILE_UNREADABLE(file=str(path), reason=exc.strerror or str(exc))) from None
    try:
        node = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise E.PovexitError(
            ES.DESIGN_YAML(file=str(path), row=None if mark is None else mark.line + 1,
                           reason=str(getattr(exc, "problem", exc)))
        ) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise E.PovexitError(E.CONFIG_INVALID(file=str(path), row=1, column="(top level)", value=type(data).__name__,
                                              reason="方案文件应为 YAML 映射 / a design file is a YAML mapping", allowed="key: value lines"))
    lines: dict[str, tuple[str, int]] = {}
    dups: list[E.Diagnostic] = []
    _line_map(node, "", str(path), lines, dups)
    if dups:
        raise E.PovexitError(dups)
    return data, lines


def _line_map(node: Any, prefix: str, file: str, out: dict[str, tuple[str, int]],
              dups: list[E.Diagnostic] | None = None) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for k, v in node.value:
            key = f"{prefix}.{k.value}" if prefix else str(k.value)
            line = k.start_mark.line + 1
            if key in seen and dups is not None:
                dups.append(ES.DESIGN_DUPLICATE_KEY(file=file, row=line, column=key, first=seen[key]))
            seen.setdefault(key, line)
            out[key] = (file, line)
            _line_map(v, key, file, out, dups)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            key = f"{prefix}[{i}]"
            out[key] = (file, v.start_mark.line + 1)
            _line_map(v, key, file, out, dups)


def _merge_layers(layers: list[tuple[dict[str, Any], dict[str, tuple[str, int]]]]) -> dict[str, Any]:
    merged = copy.deepcopy(DEFAULTS)
    for data, _ in layers:
        merged = _merge(merged, data, "")
    return merged


def _merge(base: Any, over: Any, path: str) -> Any:
    if path in _REPLACE_WHOLE or not isinstance(over, dict):
        return copy.deepcopy(over)
    if base is None and path in _NULLABLE_SECTIONS:
        base = copy.deepcopy(_NULLABLE_SECTIONS[path])
    if not isinstance(base, dict):
        return copy.deepcopy(over)
    out = dict(base)
    for k, v in over.items():
        sub = f"{path}.{k}" if path else str(k)
        out[k] = _merge(base.get(k), v, sub) if k in base else copy.deepcopy(v)
    return out


# ---- validation ----------------------------------------------------------------------------------

# Reasons go into the shared CONFIG_INVALID template, whose {reason} is not per language: both.
R_INT = "不是整数 / not an integer"
R_RANGE = "超出范围 / out of range"
R_NUM = "不是数字 / not a number"
R_BOOL = "不是 true/false / not true/false"
R_TEXT = "不是文本 / not text"
R_CHOICE = "不是允许的取值 / not one of the allowed values"


class _Validator:
    """Collects every problem of a merged design, each located by the layer that set the key."""

    def __init__(self, lines: dict[str, tuple[str, int | None]], order: dict[str, int] | None = None):
        self.lines = lines
        self.order = order or {}
        self.diags: list[E.Diagnostic] = []

    def ok(self, path: str) -> bool:
        """No problem has been reported at ``path`` yet (so it can be compared with another key)."""
        return not any(d.column == path for d in self.diags)

    def later(self, a: str, b: str) -> str:
        """Of two keys, the one set in the later layer of the ``extends`` chain (the user's file rather
        than the preset it extends): that is where a contradiction between them was introduced."""
        fa, fb = self._where(a)[0], self._where(b)[0]
        return b if self.order.get(fb or "", -1) > self.order.get(fa or "", -1) else a

    def order_pair(self, lo_path: str, lo: Any, hi_path: str, hi: Any, what: str) -> None:
        """``lo`` must not exceed ``hi``; reported at whichever key the later layer set."""
        if not (self.ok(lo_path) and self.ok(hi_path) and isinstance(lo, int) and isinstance(hi, int)) or lo <= hi:
            return
        at = self.later(lo_path, hi_path)
        other, other_v = (hi_path, hi) if at == lo_path else (lo_path, lo)
        file, row = self._where(other)
        src = f"{Path(file).name}" + (f":{row}" if row else "") if file else "design"
        if at == lo_path:
            reason = f"大于 {other}（{other_v}，{src}）/ larger than {other} ({other_v}, {src})"
            allowed = f"{what} ≤ {other_v}, or raise {other} too"
        else:
            reason = f"小于 {other}（{other_v}，{src}）/ smaller than {other} ({other_v}, {src})"
            allowed = f"{what} ≥ {other_v}, or lower {other} too"
        self.bad(at, hi if at == hi_path else lo, reason, allowed)

    def shape(self, d: dict, ref: dict, path: str = "") -> None:
        """Every section (a mapping in :data:`DEFAULTS`) must still be a mapping; a scalar there
        (``villages: 30``) is reported once, not as a problem with every key below it."""
        for k, v in ref.items():
            sub = f"{path}.{k}" if path else k
            if not isinstance(v, dict) or sub in _REPLACE_WHOLE:
                continue
            cur = d.get(k) if isinstance(d, dict) else None
            if not isinstance(cur, dict):
                self.bad(sub, cur, "应为缩进的键值映射 / must be a mapping (indented keys below it)",
                         "keys: " + ", ".join(map(str, v)))
                d[k] = copy.deepcopy(v)  # checked no further: one message for the section
            else:
                self.shape(cur, v, sub)
        for sub, ref_n in _NULLABLE_SECTIONS.items():
            parent, _, k = sub.rpartition(".")
            holder = _get(d, parent) if parent else d
            if isinstance(holder, dict) and holder.get(k) is not None and not isinstance(holder.get(k), dict):
                self.bad(sub, holder[k], "应为键值映射或 null / must be a mapping or null",
                         "null, or keys: " + ", ".join(ref_n))
                holder[k] = None

    def _where(self, path: str) -> tuple[str | None, int | None]:
        p = path
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p.rsplit(".", 1)[0] if "." in p else ""
        return (None, None)

    def bad(self, path: str, value: Any, reason: str, allowed: str) -> None:
        file, row = self._where(path)
        self.diags.append(E.CONFIG_INVALID(file=file or "(design)", row=row, column=path,
                                           value=_show(value), reason=reason, allowed=allowed))

    def unknown_keys(self, data: Any, ref: Any, path: str) -> None:
        if not isinstance(data, dict) or not isinstance(ref, dict):
            return
        for k, v in data.items():
            sub = f"{path}.{k}" if path else str(k)
            if k not in ref:
                self.unknown(sub, ref)
            elif sub not in _REPLACE_WHOLE:
                sub_ref = ref[k] if ref[k] is not None else _NULLABLE_SECTIONS.get(sub)
                self.unknown_keys(v, sub_ref, sub)

    def unknown(self, path: str, allowed: Any) -> None:
        file, row = self._where(path)
        self.diags.append(E.CONFIG_UNKNOWN_KEY(file=file or "(design)", row=row, column=path,
                                               allowed=_allowed_with_hint(path, allowed)))

    # typed getters -------------------------------------------------------------------------------

    def int_(self, d: dict, path: str, lo: int | None = None, hi: int | None = None) -> int:
        v = _get(d, path)
        if isinstance(v, bool) or not isinstance(v, int):
            self.bad(path, v, R_INT, _range(lo, hi, "integer"))
            return lo or 0
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            self.bad(path, v, R_RANGE, _range(lo, hi, "integer"))
        return v

    def float_(self, d: dict, path: str, lo: float, hi: float, *, nullable: bool = False) -> float | None:
        v = _get(d, path)
        if v is None and nullable:
            return None
        if isinstance(v, bool) or not isinstance(v, int | float):
            self.bad(path, v, R_NUM, _range(lo, hi, "number") + (" or null" if nullable else ""))
            return lo
        if not lo <= v <= hi:
            reason = R_RANGE
            if hi == 1.0 and 5 <= v <= 100:
                reason += f"（比例写成小数：{v:g}% 即 {v / 100:g} / a share is a fraction: {v:g}% is {v / 100:g}）"
            self.bad(path, v, reason, _range(lo, hi, "number"))
        return float(v)

    def bool_(self, d: dict, path: str) -> bool:
        v = _get(d, path)
        if not isinstance(v, bool):
            self.bad(path, v, R_BOOL, "true, false")
            return False
        return v

    def str_(self, d: dict, path: str) -> str:
        v = _get(d, path)
        if v is None:
            return ""
        if not isinstance(v, str | int | float):
            self.bad(path, v, R_TEXT, "text")
            return ""
        return str(v)

    def choice(self, d: dict, path: str, allowed: tuple[str, ...]) -> str:
        v = _get(d, path)
        if v not in allowed:
            self.bad(path, v, R_CHOICE, ", ".join(allowed))
            return allowed[0]
        return v

    def choices(self, d: dict, path: str, allowed: tuple[str, ...], *, min_len: int = 0) -> tuple[str, ...]:
        v = _get(d, path)
        if not isinstance(v, list) or len(v) < min_len:
            self.bad(path, v, f"不是至少含 {min_len} 项的列表 / not a list of at least {min_len} value(s)", ", ".join(allowed))
            return ()
        out = []
        for i, x in enumerate(v):
            if x not in allowed:
                self.bad(f"{path}[{i}]", x, R_CHOICE, ", ".join(allowed))
            else:
                out.append(x)
        if len(set(out)) != len(out):
            self.bad(path, v, "有重复的值 / a value is listed twice", ", ".join(allowed))
        return tuple(out)

    # the design ----------------------------------------------------------------------------------

    def design(self, d: dict[str, Any], origin: str) -> Design:
        self.unknown_keys(d, {**DEFAULTS, "extends": None}, "")
        self.shape(d, DEFAULTS)
        name = self.str_(d, "name") or Path(origin).stem
        villages = self.village_spec(d)
        households = self.household_spec(d, villages)
        counties = self.county_spec(d) if d.get("counties") is not None else None
        release = self.release_spec(d)
        if self.diags:
            raise E.PovexitError(self.diags)
        title = d.get("title") or {}
        params = {k: v for k, v in d.items() if k not in ("extends",)}
        return Design(
            name=name,
            title_zh=str(title.get("zh", "")) if isinstance(title, dict) else str(title),
            title_en=str(title.get("en", "")) if isinstance(title, dict) else str(title),
            source=self.str_(d, "source"),
            villages=villages, households=households, counties=counties, release=release,
            origin=origin, params=params,
        )

    def village_spec(self, d: dict) -> VillageSpec:
        stratify = self.choice(d, "villages.stratify", ("poor_weak", "township", "none"))
        count = self.int_(d, "villages.count", 1, 100_000)
        min_count = self.int_(d, "villages.min_count", 1, 100_000)
        self.order_pair("villages.min_count", min_count, "villages.count", count, "integer")
        high = self.float_(d, "villages.weak_area.high_incidence", 0.0, 1.0, nullable=True)
        pt = _get(d, "villages.per_township")
        key_n = other_n = 0
        if isinstance(pt, dict) and set(pt) - {"key", "other"}:
            for k in sorted(set(pt) - {"key", "other"}, key=str):
                self.unknown(f"villages.per_township.{k}", ("key", "other"))
        elif not isinstance(pt, dict) or set(pt) != {"key", "other"}:
            self.bad("villages.per_township", pt, "应为含 key 和 other 的映射 / must be a mapping with keys key and other",
                     "{key: N, other: N}")
        else:
            key_n = self.int_(d, "villages.per_township.key", 1, 1000)
            other_n = self.int_(d, "villages.per_township.other", 1, 1000)
        kt = _get(d, "villages.key_townships")
        if not isinstance(kt, list) or not all(isinstance(x, str) for x in kt):
            self.bad("villages.key_townships", kt, "不是乡镇名称列表 / not a list of township names", "[乡镇名, …]")
            kt = []
        return VillageSpec(
            count=count, min_count=min_count, stratify=stratify,
            poor_share=self.float_(d, "villages.poor_share", 0.0, 1.0),
            weak_share=self.float_(d, "villages.weak_share", 0.0, 1.0),
            weak_flags=self.choices(d, "villages.weak_area.flags", WEAK_FLAGS),
            high_incidence=high,
            method=self.choice(d, "villages.method", ("pps", "equal")),
            size=self.choice(d, "villages.size", SIZE_MEASURES),
            cover_townships=self.bool_(d, "villages.cover_townships"),
            min_per_stratum=self.int_(d, "villages.min_per_stratum", 1, 10),
            per_township_key=key_n, per_township_other=other_n, key_townships=tuple(kt),
        )

    def household_spec(self, d: dict, villages: VillageSpec) -> HouseholdSpec:
        reg = RegisteredSpec(
            statuses=self.choices(d, "households.registered.statuses", STATUSES, min_len=1),
            total=self.int_(d, "households.registered.total", 0, 10_000_000),
            allocation=self.choice(d, "households.registered.allocation", ALLOCATIONS),
            method=self.choice(d, "households.registered.method", ("srs", "systematic")),
            min_per_village=self.int_(d, "households.registered.min_per_village", 0, 10_000),
        )
        gmin = self.int_(d, "households.general.groups.min", 0, 10_000)
        gmax = self.int_(d, "households.general.groups.max", 0, 10_000)
        self.order_pair("households.general.groups.min", gmin, "households.general.groups.max", gmax, "integer")
        gen = GeneralSpec(
            total=self.int_(d, "households.general.total", 0, 10_000_000),
            roster_hits=self.bool_(d, "households.general.roster_hits"),
            roster_sources=self.choices(d, "households.general.roster_sources", ROSTER_SOURCES),
            groups_min=gmin, groups_max=gmax,
            groups_method=self.choice(d, "households.general.groups.method", GROUP_METHODS),
        )
        share, tiers = None, ()
        if _get(d, "households.scale") is not None:
            share = self.float_(d, "households.scale.registered_share", 0.0, 1.0)
            tiers = self.tiers(d)
        quotas = None
        substitution: dict[str, tuple[str, ...]] = {}
        q = _get(d, "households.quotas")
        if q is not None:
            if not isinstance(q, dict) or not q:
                self.bad("households.quotas", q, "应为各类型户的每村户数 / must map household types to per-village counts",
                         "{poor: N, exited: N, general: N}")
            else:
                quotas = {}
                for k in q:
                    if k not in QUOTA_TYPES:
                        self.bad(f"households.quotas.{k}", k, "未知的户类型 / unknown household type",
                                 _allowed_with_hint(str(k), QUOTA_TYPES))
                    else:
                        quotas[k] = self.int_(d, f"households.quotas.{k}", 0, 10_000)
            s = _get(d, "households.substitution") or {}
            if not isinstance(s, dict):
                self.bad("households.substitution", s, "应为每类户的调剂顺序 / must map a type to the types that fill its shortfall",
                         "{poor: [exited, general], …}")
            else:
                for k in s:
                    if k not in QUOTA_TYPES:
                        self.bad(f"households.substitution.{k}", k, "未知的户类型 / unknown household type",
                                 _allowed_with_hint(str(k), QUOTA_TYPES))
                        continue
                    subs = self.choices(d, f"households.substitution.{k}", QUOTA_TYPES)
                    if k in subs:
                        self.bad(f"households.substitution.{k}", list(subs), "一类户不能调剂给自己 / a type cannot substitute for itself",
                                 ", ".join(t for t in QUOTA_TYPES if t != k))
                    substitution[k] = subs
        return HouseholdSpec(
            registered=reg, general=gen, scale_share=share, scale_tiers=tiers, quotas=quotas,
            substitution=substitution, monitored=self.bool_(d, "households.monitored"),
            reserve_per_village=self.int_(d, "households.reserve.per_village", 0, 1000),
        )

    def tiers(self, d: dict) -> tuple[ScaleTier, ...]:
        raw = _get(d, "households.scale.tiers")
        if not isinstance(raw, list) or not raw:
            self.bad("households.scale.tiers", raw, "应为非空列表 / must be a non-empty list",
                     "[{min_persons: 0, total: 1000}, {min_persons: 10000, total: 1200}]")
            return ()
        out = []
        for i, t in enumerate(raw):
            p = f"households.scale.tiers[{i}]"
            if isinstance(t, dict) and set(t) - {"min_persons", "total"}:
                for k in sorted(set(t) - {"min_persons", "total"}, key=str):
                    self.unknown(f"{p}.{k}", ("min_persons", "total"))
                continue
            if not isinstance(t, dict) or set(t) != {"min_persons", "total"}:
                self.bad(p, t, "每档只含 min_persons 和 total / each tier has exactly min_persons and total", "{min_persons: N, total: N}")
                continue
            out.append(ScaleTier(self.int_(d, f"{p}.min_persons", 0), self.int_(d, f"{p}.total", 1)))
        if [t.min_persons for t in out] != sorted({t.min_persons for t in out}):
            self.bad("households.scale.tiers", raw, "min_persons 应逐档递增 / min_persons must increase from tier to tier", "ascending min_persons")
        return tuple(out)

    def county_spec(self, d: dict) -> CountySpec:
        ey = _get(d, "counties.exit_year")
        if not (ey in ("latest", "any") or (isinstance(ey, int) and not isinstance(ey, bool) and 2000 <= ey <= 2100)):
            self.bad("counties.exit_year", ey, "不是年份、latest 或 any / not a year, latest or any", "latest, any, 2000–2100")
        return CountySpec(
            fraction=self.float_(d, "counties.fraction", 1e-9, 1.0),
            min_per_province=self.int_(d, "counties.min_per_province", 0, 10_000),
            rounding=self.choice(d, "counties.rounding", ("ceil", "round", "floor")),
            exit_year=ey, method=self.choice(d, "counties.method", ("systematic", "srs")),
        )

    def release_spec(self, d: dict) -> ReleaseSpec:
        r = _get(d, "release")
        if isinstance(r, dict) and set(r) - {"batch_size", "batches"}:
            for k in sorted(set(r) - {"batch_size", "batches"}, key=str):
                self.unknown(f"release.{k}", ("batch_size", "batches"))
            return ReleaseSpec(None, 1)
        if not isinstance(r, dict) or len(r) != 1 or next(iter(r)) not in ("batch_size", "batches"):
            self.bad("release", r, "只能给出 batch_size（每批村数）或 batches（批数）之一 / give exactly one of batch_size (villages per batch) or batches (number)",
                     "{batch_size: N} or {batches: N}")
            return ReleaseSpec(None, 1)
        if "batch_size" in r:
            return ReleaseSpec(self.int_(d, "release.batch_size", 1, 100_000), None)
        return ReleaseSpec(None, self.int_(d, "release.batches", 1, 100_000))


_INDEX = re.compile(r"^(.*)\[(\d+)\]$")


def _leaf_paths(ref: dict, prefix: str = "") -> list[str]:
    out = []
    for k, v in ref.items():
        sub = f"{prefix}.{k}" if prefix else k
        out.append(sub)
        sub_ref = v if isinstance(v, dict) else _NULLABLE_SECTIONS.get(sub)
        if isinstance(sub_ref, dict):
            out += _leaf_paths(sub_ref, sub)
    return out


def _allowed_with_hint(path: str, allowed: Any) -> str:
    """The keys allowed at ``path``'s place, with the closest one suggested (a typo) or, for a key
    that belongs elsewhere (``count`` under ``households``), where it goes."""
    names = sorted(map(str, allowed))
    key = path.rsplit(".", 1)[-1]
    text = ", ".join(names)
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    if close:
        return f"{text}（是否应为“{close[0]}”？/ did you mean '{close[0]}'?）"
    elsewhere = [p for p in _leaf_paths({**DEFAULTS, "counties": None}) if p.rsplit(".", 1)[-1] == key]
    if elsewhere:
        return f"{text}（“{key}”应写在 {elsewhere[0]} / '{key}' belongs under {elsewhere[0].rsplit('.', 1)[0] or 'the top level'}）"
    return text


def _get(d: dict, path: str) -> Any:
    """The value at a key path such as ``households.scale.tiers[1].total`` (None when absent)."""
    cur: Any = d
    for part in path.split("."):
        m = _INDEX.match(part)
        key, idx = (m.group(1), int(m.group(2))) if m else (part, None)
        if not isinstance(cur, dict):
            return None
        cur = cur.get(key)
        if idx is not None:
            cur = cur[idx] if isinstance(cur, list) and idx < len(cur) else None
    return cur


def _range(lo: float | None, hi: float | None, what: str) -> str:
    if lo is not None and hi is not None:
        return f"{what} {lo}–{hi}"
    if lo is not None:
        return f"{what} ≥ {lo}"
    return what


def _show(v: Any) -> str:
    return "null" if v is None else (yaml.safe_dump(v, default_flow_style=True, allow_unicode=True).strip()
                                     if isinstance(v, dict | list) else str(v))
