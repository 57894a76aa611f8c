"""Rulesets: versioned YAML parameter files for household adjudication.

``load_ruleset("national-2019")`` (a ruleset shipped under ``rules/rulesets/``) or
``load_ruleset("my.yaml")`` reads the file, follows ``extends:`` (to a shipped name or a path
relative to the file), validates every key and type — errors name the file, the line and the key —
and returns a resolved :class:`Ruleset` in which every parameter keeps its value, its source and
the file/line it came from.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .. import errors as E
from ..errors import rules as R
from ..fsutil import sha256_bytes
from . import ruleset_schema as S
from .yaml_lines import Located, YamlSyntaxError, load_located

PACKAGE_DIR = "rulesets"


@dataclass(frozen=True)
class Param:
    path: str  # "water.quantity_min_l"
    value: Any
    source: str
    note: str | None = None
    illustrative: bool = False
    file: str = ""
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"value": self.value, "source": self.source}
        if self.note:
            d["note"] = self.note
        if self.illustrative:
            d["illustrative"] = True
        d["defined_in"] = f"{self.file}:{self.line}" if self.line else self.file
        return d


@dataclass(frozen=True)
class PovertyLine:
    year: int
    province: str | None
    value: float
    source: str
    note: str | None = None
    illustrative: bool = False
    file: str = ""
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"year": self.year, "province": self.province, "value": self.value,
                             "source": self.source}
        if self.note:
            d["note"] = self.note
        if self.illustrative:
            d["illustrative"] = True
        d["defined_in"] = f"{self.file}:{self.line}" if self.line else self.file
        return d


@dataclass
class Ruleset:
    name: str
    version: str
    title_zh: str
    title_en: str
    year: int | None
    province: str | None
    abstract: bool
    params: dict[str, Param]
    poverty_lines: list[PovertyLine]
    poverty_line: PovertyLine | None
    chain: list[str] = field(default_factory=list)  # files, leaf first
    description_zh: str = ""
    description_en: str = ""

    def value(self, path: str) -> Any:
        if path == "income.poverty_line":
            assert self.poverty_line is not None
            return self.poverty_line.value
        return self.params[path].value

    def param(self, path: str) -> Param:
        if path == "income.poverty_line":
            pl_ = self.poverty_line
            assert pl_ is not None
            return Param(path, pl_.value, pl_.source, pl_.note, pl_.illustrative, pl_.file, pl_.line)
        return self.params[path]

    def title(self, lang: str = "zh") -> str:
        return self.title_en if lang == "en" else self.title_zh

    def to_dict(self) -> dict[str, Any]:
        """The resolved ruleset (written as ``ruleset.json`` beside the findings)."""
        return {
            "ruleset": self.name,
            "version": self.version,
            "title": {"zh": self.title_zh, "en": self.title_en},
            "description": {"zh": self.description_zh, "en": self.description_en},
            "year": self.year,
            "province": self.province,
            "chain": self.chain,
            "poverty_line": self.poverty_line.to_dict() if self.poverty_line else None,
            "poverty_lines": [p.to_dict() for p in self.poverty_lines],
            "params": {k: p.to_dict() for k, p in sorted(self.params.items())},
        }

    @property
    def sha256(self) -> str:
        d = self.to_dict()
        d.pop("chain")
        for p in [*d["params"].values(), *d["poverty_lines"], d["poverty_line"] or {}]:
            p.pop("defined_in", None)
        return sha256_bytes(json.dumps(d, ensure_ascii=False, sort_keys=True).encode())


_PROVINCE_SUFFIX = re.compile(r"(壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)$")


def province_key(name: object) -> str | None:
    """``贵州省`` / ``贵州`` → ``贵州`` (None for no province): a ruleset's ``province`` and its
    poverty lines match however the suffix is written, as the recusal check compares provinces."""
    if name is None or not str(name).strip():
        return None
    s = str(name).strip()
    return _PROVINCE_SUFFIX.sub("", s) or s


# ---- finding files -------------------------------------------------------------------------------

def _package_dir() -> Path:
    return Path(str(resources.files("povexit.rules").joinpath(PACKAGE_DIR)))


def builtin_names() -> list[str]:
    return sorted(p.stem for p in _package_dir().glob("*.yaml"))


def _display(path: Path) -> str:
    pkg = _package_dir()
    try:
        return f"{PACKAGE_DIR}/{path.resolve().relative_to(pkg.resolve())}"
    except ValueError:
        return str(path)


def _resolve_ref(ref: str | Path, base_dir: Path | None) -> Path:
    s = str(ref)
    looks_like_file = s.endswith((".yaml", ".yml")) or "/" in s or "\\" in s
    if not looks_like_file:
        p = _package_dir() / f"{s}.yaml"
        if p.is_file():
            return p
    candidates = [Path(s)] if Path(s).is_absolute() else [
        *([base_dir / s] if base_dir else []), Path(s)]
    for c in candidates:
        if c.is_file():
            return c
    raise E.PovexitError(R.RULESET_NOT_FOUND(value=s, allowed=", ".join(builtin_names())))


# ---- validation of one file ----------------------------------------------------------------------

def _bad_type(file: str, loc: Located, path: tuple, key: str, value: Any, vt: S.ValueType) -> E.Diagnostic:
    return _type_diag(file=file, row=loc.line(path), column=key, value=_short(value),
                              expected=vt.describe("zh"), expected_en=vt.describe("en"))


def _type_diag(*, expected: str, expected_en: str, **kw: Any) -> E.Diagnostic:
    """RULESET_BAD_TYPE, with the advice to quote only where text was expected (a version 1.0)."""
    text = expected_en.startswith("text")
    return R.RULESET_BAD_TYPE(expected=expected, expected_en=expected_en, **kw,
                              hint="（版本号等文字请加引号，如 \"1.0\"）" if text else "",
                              hint_en=" (quote text such as versions: \"1.0\")" if text else "")


def _short(value: Any) -> str:
    s = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else value
    return s if len(s) <= 60 else s[:57] + "…"


def _check_value(file: str, loc: Located, path: tuple, key: str, value: Any, vt: S.ValueType,
                 diags: list[E.Diagnostic]) -> bool:
    problem = vt.check(value)
    if problem is None:
        return True
    if problem == "type":
        diags.append(_bad_type(file, loc, path, key, value, vt))
    else:
        zh, en = problem.split("|")
        allowed = ", ".join(vt.enum) if vt.enum else vt.describe("en")
        diags.append(R.RULESET_BAD_VALUE(file=file, row=loc.line(path), column=key, value=_short(value),
                                         reason=zh, reason_en=en, allowed=allowed))
    return False


def _unknown(file: str, loc: Located, path: tuple, key: str, allowed: list[str] | tuple[str, ...]) -> E.Diagnostic:
    hint, hint_en = _suggest(key.rsplit(".", 1)[-1], allowed)
    return R.RULESET_UNKNOWN_KEY(file=file, row=loc.line(path), column=key, allowed=", ".join(allowed),
                                 hint=hint, hint_en=hint_en)


def _suggest(key: str, allowed: list[str] | tuple[str, ...]) -> tuple[str, str]:
    """"Did you mean" for a misspelt key (case and separators ignored), or where a key belongs when
    it is a parameter of another section (``quantity_min_l`` at the top level → ``water``)."""
    fold = {a.lower().replace("-", "_"): a for a in allowed}
    close = difflib.get_close_matches(key.lower().replace("-", "_"), list(fold), n=1, cutoff=0.6)
    if close:
        a = fold[close[0]]
        return f"是否应为“{a}”？", f"Did you mean '{a}'? "
    for section, params in S.SECTIONS.items():
        if key in params:
            return f"“{key}”是 {section} 节的参数。", f"'{key}' is a parameter of section {section}. "
    return "", ""


def validate_document(loc: Located, file: str) -> list[E.Diagnostic]:
    """Every problem of one ruleset file (keys, types, values); does not follow ``extends``."""
    diags: list[E.Diagnostic] = []
    for path, line in loc.duplicates:
        diags.append(R.RULESET_DUPLICATE_KEY(file=file, row=line, column=".".join(map(str, path))))
    doc = loc.value
    if not isinstance(doc, dict):
        diags.append(_type_diag(file=file, row=1, column="(document)", value=_short(doc),
                                        expected="键值映射", expected_en="a mapping of keys"))
        return diags
    for key, value in doc.items():
        path = (key,)
        if key in S.TOP_LEVEL:
            _check_value(file, loc, path, key, value, S.TOP_LEVEL[key], diags)
        elif key in S.TEXT_BLOCKS:
            _check_text_block(file, loc, path, key, value, diags)
        elif key == "poverty_lines":
            _check_poverty_lines(file, loc, value, diags)
        elif key in S.SECTIONS:
            _check_section(file, loc, key, value, diags)
        else:
            diags.append(_unknown(file, loc, path, key, S.ALL_TOP_KEYS))
    for key in S.REQUIRED_TOP:
        if key not in doc:
            diags.append(R.RULESET_MISSING_KEY(file=file, column=key, where="", where_en=""))
    return diags


def _check_text_block(file: str, loc: Located, path: tuple, key: str, value: Any, diags: list) -> None:
    if not isinstance(value, dict):
        diags.append(_type_diag(file=file, row=loc.line(path), column=key, value=_short(value),
                                        expected="{zh: …, en: …}", expected_en="{zh: …, en: …}"))
        return
    for k, v in value.items():
        if k not in ("zh", "en"):
            diags.append(_unknown(file, loc, (*path, k), f"{key}.{k}", ("zh", "en")))
        else:
            _check_value(file, loc, (*path, k), f"{key}.{k}", v, S.ValueType("str"), diags)


def _check_poverty_lines(file: str, loc: Located, value: Any, diags: list) -> None:
    if not isinstance(value, list):
        diags.append(_bad_type(file, loc, ("poverty_lines",), "poverty_lines", value, S.ValueType("list")))
        return
    for i, entry in enumerate(value):
        path = ("poverty_lines", i)
        name = f"poverty_lines[{i}]"
        if not isinstance(entry, dict):
            diags.append(_type_diag(file=file, row=loc.line(path), column=name, value=_short(entry),
                                            expected="{year, value, source, …}",
                                            expected_en="{year, value, source, …}"))
            continue
        for k, v in entry.items():
            if k not in S.POVERTY_LINE_KEYS:
                diags.append(_unknown(file, loc, (*path, k), f"{name}.{k}", tuple(S.POVERTY_LINE_KEYS)))
            else:
                _check_value(file, loc, (*path, k), f"{name}.{k}", v, S.POVERTY_LINE_KEYS[k], diags)
        for k in ("year", "value", "source"):
            if k not in entry:
                diags.append(R.RULESET_MISSING_KEY(file=file, row=loc.line(path), column=f"{name}.{k}",
                                                   where=f"（第 {loc.line(path)} 行）",
                                                   where_en=f" (line {loc.line(path)})"))


def _check_section(file: str, loc: Located, section: str, value: Any, diags: list) -> None:
    specs = S.SECTIONS[section]
    if not isinstance(value, dict):
        diags.append(_type_diag(file=file, row=loc.line((section,)), column=section, value=_short(value),
                                        expected="参数映射", expected_en="a mapping of parameters"))
        return
    for k, p in value.items():
        path = (section, k)
        name = f"{section}.{k}"
        if k not in specs:
            diags.append(_unknown(file, loc, path, name, tuple(specs)))
            continue
        if not isinstance(p, dict):
            diags.append(_type_diag(
                file=file, row=loc.line(path), column=name, value=_short(p),
                expected="{value: …, source: \"出处\"}", expected_en="{value: …, source: \"where it comes from\"}"))
            continue
        for pk in p:
            if pk not in S.PARAM_KEYS:
                diags.append(_unknown(file, loc, (*path, pk), f"{name}.{pk}", S.PARAM_KEYS))
        for pk in ("value", "source"):
            if pk not in p:
                diags.append(R.RULESET_MISSING_KEY(file=file, row=loc.line(path), column=f"{name}.{pk}",
                                                   where=f"（第 {loc.line(path)} 行：每个参数都要写明取值和出处）",
                                                   where_en=f" (line {loc.line(path)}: every parameter needs a value "
                                                            "and its source)"))
        if "value" in p:
            _check_value(file, loc, (*path, "value"), name, p["value"], specs[k].type, diags)
        if "source" in p:
            _check_value(file, loc, (*path, "source"), f"{name}.source", p["source"], S.ValueType("str"), diags)
        if "note" in p:
            _check_value(file, loc, (*path, "note"), f"{name}.note", p["note"], S.ValueType("str"), diags)
        if "illustrative" in p:
            _check_value(file, loc, (*path, "illustrative"), f"{name}.illustrative", p["illustrative"],
                         S.ValueType("bool"), diags)


# ---- loading with inheritance --------------------------------------------------------------------

@dataclass
class _Doc:
    path: Path
    display: str
    loc: Located

    @property
    def data(self) -> dict[str, Any]:
        return self.loc.value


def _read_doc(path: Path) -> _Doc:
    display = _display(path)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")  # Notepad's UTF-8 carries a BOM
    except UnicodeDecodeError as exc:
        raise E.PovexitError(R.RULESET_ENCODING(file=display, row=raw[:exc.start].count(b"\n") + 1)) from None
    except OSError as exc:
        raise E.PovexitError(E.FILE_UNREADABLE(file=display, reason=exc.strerror or str(exc))) from exc
    try:
        loc = load_located(text)
    except YamlSyntaxError as exc:
        raise E.PovexitError(R.RULESET_YAML_SYNTAX(file=display, row=exc.line, reason=exc.reason)) from exc
    diags = validate_document(loc, display)
    E.raise_if_errors(diags)
    return _Doc(path, display, loc)


def _load_chain(name_or_path: str | Path) -> list[_Doc]:
    """The leaf document first, then what it extends, each validated."""
    path = _resolve_ref(name_or_path, None)
    docs: list[_Doc] = []
    seen: list[Path] = []
    while True:
        rp = path.resolve()
        if rp in seen:
            cycle = " → ".join([_display(p) for p in seen] + [_display(rp)])
            raise E.PovexitError(R.RULESET_EXTENDS_CYCLE(file=_display(seen[0]), value=cycle))
        seen.append(rp)
        doc = _read_doc(path)
        docs.append(doc)
        parent = doc.data.get("extends")
        if not parent:
            return docs
        try:
            path = _resolve_ref(parent, path.parent)
        except E.PovexitError as err:
            d = err.diagnostics[0]
            d.file = doc.display
            d.row = doc.loc.line(("extends",))
            d.column = "extends"
            raise


def load_ruleset(name_or_path: str | Path) -> Ruleset:
    """Load, validate and resolve a ruleset (shipped name or YAML path). Raises :class:`PovexitError`."""
    rs = _resolve(_load_chain(name_or_path))
    if rs.abstract:
        users = [n for n in builtin_names() if n != rs.name]
        raise E.PovexitError(R.RULESET_ABSTRACT(value=rs.name, allowed=", ".join(users)))
    return rs


def check_ruleset(name_or_path: str | Path) -> tuple[Ruleset | None, list[E.Diagnostic]]:
    """Like :func:`load_ruleset` but returns the diagnostics instead of raising (abstract bases are
    fine here: they are checked as far as they go)."""
    try:
        return _resolve(_load_chain(name_or_path)), []
    except E.PovexitError as err:
        return None, err.diagnostics


def _resolve(docs: list[_Doc]) -> Ruleset:
    leaf = docs[0]
    params: dict[str, Param] = {}
    lines: dict[tuple[int, str | None], PovertyLine] = {}
    meta: dict[str, Any] = {}
    for doc in reversed(docs):  # base first; the leaf wins
        d = doc.data
        for key in ("year", "province", "title", "description"):
            if key in d:
                meta[key] = d[key]
        for section in S.SECTIONS:
            for k, p in (d.get(section) or {}).items():
                params[f"{section}.{k}"] = Param(
                    f"{section}.{k}", p["value"], p["source"], p.get("note"), bool(p.get("illustrative", False)),
                    doc.display, doc.loc.line((section, k)))
        for i, e in enumerate(d.get("poverty_lines") or []):
            pl_ = PovertyLine(int(e["year"]), e.get("province"), float(e["value"]), e["source"], e.get("note"),
                              bool(e.get("illustrative", False)), doc.display, doc.loc.line(("poverty_lines", i)))
            lines[(pl_.year, province_key(pl_.province))] = pl_
    abstract = bool(leaf.data.get("abstract", False))
    year = meta.get("year")
    province = meta.get("province")
    title = meta.get("title") or {}
    desc = meta.get("description") or {}
    line = None
    if not abstract:
        diags: list[E.Diagnostic] = []
        for path in S.param_paths():
            if path not in params:
                diags.append(R.RULESET_MISSING_KEY(
                    file=leaf.display, column=path,
                    where="（本文件及其继承的规则集都没有给出）", where_en=" (neither this file nor those it extends set it)"))
        if year is None:
            diags.append(R.RULESET_MISSING_KEY(file=leaf.display, column="year", where="", where_en=""))
        else:
            line = lines.get((year, province_key(province))) or lines.get((year, None))
            own = sorted(y for (y, p) in lines if p is not None and p == province_key(province))
            if own and (year, province_key(province)) not in lines:
                # the province has its own (working) lines, just not this year's: falling back on the national
                # line would judge income against another, usually lower, standard without saying so
                where = next((d for d in docs if "year" in d.data), leaf)
                diags.append(R.RULESET_PROVINCE_LINE_MISSING(
                    file=where.display, row=where.loc.line(("year",)), column="year", value=year, province=province,
                    allowed=", ".join(map(str, own))))
                line = None
            elif line is None:
                where = next((d for d in docs if "year" in d.data), leaf)
                years = sorted({y for (y, p) in lines if p is None or p == province_key(province)})
                diags.append(R.RULESET_NO_POVERTY_LINE(file=where.display, row=where.loc.line(("year",)), column="year",
                                                       value=year, province=province or "全国/national",
                                                       allowed=", ".join(map(str, years)) or "—"))
        edu_min = params.get("education.compulsory_age_min")
        edu_max = params.get("education.compulsory_age_max")
        entry = params.get("education.latest_entry_age")
        if edu_min and edu_max and entry and not (edu_min.value <= entry.value <= edu_max.value):
            diags.append(R.RULESET_BAD_VALUE(
                file=entry.file, row=entry.line, column="education.latest_entry_age", value=entry.value,
                reason="应在义务教育适龄范围内", reason_en="must lie within the compulsory ages",
                allowed=f"{edu_min.value}–{edu_max.value}"))
        E.raise_if_errors(diags)
    return Ruleset(
        name=leaf.data["ruleset"], version=str(leaf.data["version"]),
        title_zh=title.get("zh", leaf.data["ruleset"]), title_en=title.get("en", leaf.data["ruleset"]),
        description_zh=desc.get("zh", ""), description_en=desc.get("en", ""),
        year=year, province=province, abstract=abstract, params=params,
        poverty_lines=sorted(lines.values(), key=lambda p: (p.year, p.province or "")),
        poverty_line=line, chain=[d.display for d in docs],
    )


@dataclass(frozen=True)
class RulesetInfo:
    name: str
    version: str
    title_zh: str
    title_en: str
    year: int | None
    province: str | None
    abstract: bool


def list_rulesets() -> list[RulesetInfo]:
    """The rulesets shipped with povexit."""
    out = []
    for name in builtin_names():
        rs = _resolve(_load_chain(name))
        out.append(RulesetInfo(rs.name, rs.version, rs.title_zh, rs.title_en, rs.year, rs.province, rs.abstract))
    return out
