"""The questionnaires as Python objects: the one source the XLSForm workbooks, ingest and the simulator
all read.

A :class:`FormDef` is a tree of :class:`Question`, :class:`Group` and :class:`Repeat` nodes plus the
choice lists. ``build.py`` turns it into an XLSForm workbook (survey / choices / settings sheets with
``label::中文 (zh)`` and ``label::English (en)`` columns); ingest reads the same tree for field types,
``relevant`` / ``required`` / ``constraint`` / ``calculation`` (compiled to Polars by ``xpath.py``),
so what the tablet enforces is what ingest enforces on exports that bypassed the tablet.

Helpers (``yn``, ``integer``, ``decimal`` …) keep the definitions short: a numeric range given as
``min``/``max`` becomes the XLSForm constraint and its bilingual message.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

ZH = "中文 (zh)"
EN = "English (en)"

# Kinds of value a field holds, as ingest types them (docs/fields.md's vocabulary plus meta kinds).
Kind = Literal["yn", "int", "dec", "text", "s1", "sm", "geopoint", "file", "datetime", "date", "id", "none"]


@dataclass(frozen=True)
class Choice:
    name: str
    zh: str
    en: str


@dataclass(frozen=True)
class Question:
    """One row of the XLSForm ``survey`` sheet that holds a value (or a note)."""

    type: str
    name: str
    zh: str = ""
    en: str = ""
    hint_zh: str = ""
    hint_en: str = ""
    required: bool = False
    relevant: str | None = None
    constraint: str | None = None
    cmsg_zh: str = ""
    cmsg_en: str = ""
    calculation: str | None = None
    choice_filter: str | None = None
    appearance: str | None = None
    parameters: str | None = None
    default: str | None = None
    repeat_count: str | None = None
    value_type: Kind | None = None  # for calculates: what the calculation yields
    readonly: bool = False
    # Form version that added the question (None: there from the start). Not written to the XLSForm: ingest
    # enforces ``required`` on such a question only for submissions of that version or later (an export of an
    # older version has no answer to give), and an empty answer to it leaves the content hash unchanged.
    since: str | None = None

    @property
    def list_name(self) -> str | None:
        parts = self.type.split()
        if parts[0] in ("select_one", "select_multiple") and len(parts) > 1:
            return parts[1]
        return None

    @property
    def kind(self) -> Kind:
        t = self.type.split()[0]
        if t == "select_one":
            return "yn" if self.list_name == "yes_no" else "s1"
        if t == "select_multiple":
            return "sm"
        if t == "select_one_from_file":
            return "id"
        return {
            "integer": "int", "decimal": "dec", "text": "text", "geopoint": "geopoint", "image": "file",
            "audio": "file", "video": "file", "file": "file", "start": "datetime", "end": "datetime",
            "today": "date", "deviceid": "text", "note": "none", "username": "text", "phonenumber": "text",
        }.get(t, self.value_type or "text") if t != "calculate" else (self.value_type or "text")

    @property
    def is_meta(self) -> bool:
        return self.type in ("start", "end", "today", "deviceid", "username", "phonenumber")


@dataclass(frozen=True)
class Group:
    name: str
    zh: str
    en: str
    children: tuple[Node, ...]
    relevant: str | None = None
    appearance: str | None = "field-list"


@dataclass(frozen=True)
class Repeat:
    name: str
    zh: str
    en: str
    children: tuple[Node, ...]
    relevant: str | None = None
    repeat_count: str | None = None


Node = Question | Group | Repeat


@dataclass(frozen=True)
class FieldInfo:
    """A value-holding question with where it sits: group path, repeat and inherited relevance."""

    question: Question
    path: tuple[str, ...]  # group names above it (not counting the repeat itself)
    repeat: str | None  # name of the enclosing repeat, or None for the main table
    inherited_relevant: tuple[str, ...]  # relevant expressions of the enclosing groups/repeat
    repeat_path: tuple[str, ...] = ()  # groups inside the repeat above the question

    @property
    def name(self) -> str:
        return self.question.name

    @property
    def kind(self) -> Kind:
        return self.question.kind

    def relevance(self) -> list[str]:
        out = list(self.inherited_relevant)
        if self.question.relevant:
            out.append(self.question.relevant)
        return out


@dataclass(frozen=True)
class FormDef:
    form_id: str
    instrument: str  # registered | general | village | cadre
    title_zh: str
    title_en: str
    version: str
    body: tuple[Node, ...]
    choices: dict[str, tuple[Choice, ...]]
    instance_name: str | None = None

    def walk(self) -> Iterator[FieldInfo]:
        """Every question (including notes and calculates) in form order."""

        def rec(nodes: Sequence[Node], path: tuple[str, ...], repeat: str | None, rel: tuple[str, ...],
                rpath: tuple[str, ...]) -> Iterator[FieldInfo]:
            for n in nodes:
                if isinstance(n, Question):
                    yield FieldInfo(n, path, repeat, rel, rpath)
                elif isinstance(n, Group):
                    r = rel + ((n.relevant,) if n.relevant else ())
                    if repeat is None:
                        yield from rec(n.children, (*path, n.name), None, r, ())
                    else:
                        yield from rec(n.children, path, repeat, r, (*rpath, n.name))
                else:
                    r = rel + ((n.relevant,) if n.relevant else ())
                    yield from rec(n.children, path, n.name, r, ())

        yield from rec(self.body, (), None, (), ())

    def fields(self, repeat: str | None = None, *, include_notes: bool = False) -> list[FieldInfo]:
        """Value-holding fields of the main table (``repeat=None``) or of one repeat."""
        return [f for f in self.walk() if f.repeat == repeat and (include_notes or f.kind != "none")]

    def field(self, name: str) -> FieldInfo:
        for f in self.walk():
            if f.name == name:
                return f
        raise KeyError(name)

    def repeats(self) -> list[Repeat]:
        out: list[Repeat] = []

        def rec(nodes: Sequence[Node]) -> None:
            for n in nodes:
                if isinstance(n, Repeat):
                    out.append(n)
                    rec(n.children)
                elif isinstance(n, Group):
                    rec(n.children)

        rec(self.body)
        return out

    def repeat_group_path(self, name: str) -> tuple[str, ...]:
        """Groups above the repeat ``name`` (for ODK Central's repeat KEY paths)."""

        def rec(nodes: Sequence[Node], path: tuple[str, ...]) -> tuple[str, ...] | None:
            for n in nodes:
                if isinstance(n, Repeat):
                    if n.name == name:
                        return path
                elif isinstance(n, Group):
                    found = rec(n.children, (*path, n.name))
                    if found is not None:
                        return found
            return None

        found = rec(self.body, ())
        if found is None:
            raise KeyError(name)
        return found

    def choice_names(self, list_name: str) -> list[str]:
        return [c.name for c in self.choices[list_name]]


# ---- helpers for writing the definitions -----------------------------------------------------------

REQ_ZH = "此题必答"
REQ_EN = "This question is required"


def _range_constraint(lo: float | None, hi: float | None) -> tuple[str | None, str, str]:
    def fmt(v: float) -> str:
        return str(int(v)) if float(v).is_integer() else str(v)

    if lo is not None and hi is not None:
        return (f". >= {fmt(lo)} and . <= {fmt(hi)}", f"应在 {fmt(lo)} 到 {fmt(hi)} 之间",
                f"Must be between {fmt(lo)} and {fmt(hi)}")
    if lo is not None:
        return f". >= {fmt(lo)}", f"不能小于 {fmt(lo)}", f"Must be at least {fmt(lo)}"
    if hi is not None:
        return f". <= {fmt(hi)}", f"不能大于 {fmt(hi)}", f"Must be at most {fmt(hi)}"
    return None, "", ""


def _join_constraints(*parts: str | None) -> str | None:
    ps = [p for p in parts if p]
    if not ps:
        return None
    if len(ps) == 1:
        return ps[0]
    return " and ".join(f"({p})" for p in ps)


def q(type: str, name: str, zh: str, en: str, **kw) -> Question:
    return Question(type=type, name=name, zh=zh, en=en, **kw)


def yn(name: str, zh: str, en: str, *, required: bool = True, **kw) -> Question:
    return Question(type="select_one yes_no", name=name, zh=zh, en=en, required=required,
                    appearance=kw.pop("appearance", "horizontal-compact"), **kw)


def _numeric(type: str, name: str, zh: str, en: str, *, min: float | None = None, max: float | None = None,
             extra: str | None = None, extra_zh: str = "", extra_en: str = "", required: bool = True,
             **kw) -> Question:
    c, mzh, men = _range_constraint(min, max)
    constraint = _join_constraints(c, extra)
    cmsg_zh = "；".join(m for m in (mzh, extra_zh) if m)
    cmsg_en = "; ".join(m for m in (men, extra_en) if m)
    return Question(type=type, name=name, zh=zh, en=en, required=required, constraint=constraint,
                    cmsg_zh=cmsg_zh, cmsg_en=cmsg_en, **kw)


def integer(name: str, zh: str, en: str, **kw) -> Question:
    return _numeric("integer", name, zh, en, **kw)


def decimal(name: str, zh: str, en: str, **kw) -> Question:
    return _numeric("decimal", name, zh, en, **kw)


def text(name: str, zh: str, en: str, *, required: bool = False, **kw) -> Question:
    return Question(type="text", name=name, zh=zh, en=en, required=required, **kw)


def s1(list_name: str, name: str, zh: str, en: str, *, required: bool = True, **kw) -> Question:
    return Question(type=f"select_one {list_name}", name=name, zh=zh, en=en, required=required, **kw)


def sm(list_name: str, name: str, zh: str, en: str, *, required: bool = True, **kw) -> Question:
    return Question(type=f"select_multiple {list_name}", name=name, zh=zh, en=en, required=required, **kw)


def calc(name: str, calculation: str, value_type: Kind = "text") -> Question:
    return Question(type="calculate", name=name, calculation=calculation, value_type=value_type)


def note(name: str, zh: str, en: str, **kw) -> Question:
    return Question(type="note", name=name, zh=zh, en=en, **kw)


def group(name: str, zh: str, en: str, *children: Node, relevant: str | None = None,
          appearance: str | None = "field-list") -> Group:
    return Group(name=name, zh=zh, en=en, children=tuple(children), relevant=relevant, appearance=appearance)


def repeat(name: str, zh: str, en: str, *children: Node, relevant: str | None = None,
           repeat_count: str | None = None) -> Repeat:
    return Repeat(name=name, zh=zh, en=en, children=tuple(children), relevant=relevant, repeat_count=repeat_count)


def choices(*items: tuple[str, str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(*i) for i in items)


def added(version: str, *nodes: Node) -> list[Node]:
    """``nodes`` with every question under them marked as added in form ``version`` (``Question.since``)."""
    from dataclasses import replace as _replace

    out: list[Node] = []
    for n in nodes:
        if isinstance(n, Question):
            out.append(_replace(n, since=n.since or version))
        elif isinstance(n, Group):
            out.append(_replace(n, children=tuple(added(version, *n.children))))
        else:
            out.append(_replace(n, children=tuple(added(version, *n.children))))
    return out


def field_names(nodes: Sequence[Node] | Node) -> list[str]:
    """Names of every question under ``nodes`` (handy in tests)."""
    if isinstance(nodes, Question):
        return [nodes.name]
    if isinstance(nodes, Group | Repeat):
        nodes = nodes.children
    out: list[str] = []
    for n in nodes:
        out.extend(field_names(n))
    return out


FORM_VERSION = "2025.2"
V2025_2 = "2025.2"  # the questions added by the requirements review (docs/decisions.md)
