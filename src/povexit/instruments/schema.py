"""What ingest knows about each instrument: its fields (from the form definitions), their kinds, how a
raw text value is normalised, and the Polars type it is stored as in ``responses/``.

Values travel in three shapes: *raw* (text as exported), *canonical* text (yes/no → ``yes``/``no``,
select_multiple → space-separated codes, numbers trimmed, geopoint ``lat lon alt acc``) on which the
form's XPath logic is evaluated, and *typed* (Boolean, Int64, Float64, Datetime …) as written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

import polars as pl

from ..contracts import NO, YES, normalise_header
from .definitions import INSTRUMENTS, forms
from .formdef import FieldInfo, FormDef, Kind

TZ = "Asia/Shanghai"
HOUSEHOLD_INSTRUMENTS = ("registered", "general")
MEMBERS = "members"

# form field name -> responses column name (docs/fields.md: started_at/ended_at from start/end)
RENAME = {"start": "started_at", "end": "ended_at", "deviceid": "device_id"}

# meta columns every responses table carries, with their kinds
META: tuple[tuple[str, Kind], ...] = (
    ("instance_id", "text"),
    ("instrument", "text"),
    ("household_id", "id"),
    ("village_id", "id"),
    ("group", "text"),
    ("county", "text"),
    ("township", "text"),
    ("village", "text"),
    ("enumerators", "text"),
    ("started_at", "datetime"),
    ("ended_at", "datetime"),
    ("gps", "geopoint"),
)
SERVER_META: tuple[tuple[str, Kind], ...] = (
    ("submission_date", "datetime"),
    ("submitter", "text"),
    ("review_state", "text"),
    ("edits", "int"),
    ("form_version", "text"),
)
# Chinese headers accepted in plain CSV files for meta columns (contract: readers accept Chinese headers)
META_ZH = {
    "实例编号": "instance_id", "问卷编号": "instance_id", "instanceid": "instance_id",
    "户编号": "household_id", "户码": "household_id", "问卷": "instrument", "问卷类型": "instrument",
    "村编号": "village_id", "村民小组": "group", "县": "county", "乡镇": "township", "行政村": "village",
    "调查员": "enumerators", "调查员编号": "enumerators", "开始时间": "started_at", "结束时间": "ended_at",
    "gps": "gps", "定位": "gps", "成员序号": "member_no", "提交时间": "submission_date",
}


@dataclass(frozen=True)
class Field:
    name: str  # column name in responses
    kind: Kind
    info: FieldInfo | None = None  # None for meta columns that are not questions
    choices: tuple[str, ...] = ()
    choice_labels: dict[str, str] = field(default_factory=dict)  # zh/en label (normalised) -> code

    @property
    def required(self) -> bool:
        return bool(self.info and self.info.question.required)

    @property
    def constraint(self) -> str | None:
        return self.info.question.constraint if self.info else None

    @property
    def calculation(self) -> str | None:
        return self.info.question.calculation if self.info else None

    def relevance(self) -> list[str]:
        return self.info.relevance() if self.info else []


@dataclass(frozen=True)
class Schema:
    instrument: str
    form: FormDef
    main: tuple[Field, ...]
    members: tuple[Field, ...]

    def kinds(self, repeat: bool = False) -> dict[str, str]:
        """Kinds by column name (what ``${…}`` in expressions refers to; only ``start``/``end``/``deviceid``
        are renamed and no expression reads them); main fields stay visible inside the repeat."""
        out = {f.name: f.kind for f in self.main}
        if repeat:
            out.update({f.name: f.kind for f in self.members})
        return out

    @property
    def main_names(self) -> list[str]:
        return [f.name for f in self.main]

    @property
    def member_names(self) -> list[str]:
        return [f.name for f in self.members]

    def field(self, name: str) -> Field:
        for f in (*self.main, *self.members):
            if f.name == name:
                return f
        raise KeyError(name)


def _field(info: FieldInfo, form: FormDef) -> Field:
    q = info.question
    name = RENAME.get(q.name, q.name)
    if q.list_name:
        items = form.choices[q.list_name]
        labels: dict[str, str] = {}
        for c in items:
            for lab in (c.zh, c.en, _UNIT.sub("", c.zh), _UNIT.sub("", c.en)):
                labels.setdefault(_norm(lab), c.name)
        for c in items:  # the code itself always wins
            labels[_norm(c.name)] = c.name
        return Field(name, q.kind, info, tuple(c.name for c in items), labels)
    return Field(name, q.kind, info)


@cache
def schema(instrument: str) -> Schema:
    form = forms()[instrument]
    main: list[Field] = []
    seen: set[str] = set()
    questions = {RENAME.get(f.name, f.name): f for f in form.fields(None)}
    for name, kind in META:
        if name in questions:
            main.append(_field(questions[name], form))
        elif name in ("household_id", "group") and instrument not in HOUSEHOLD_INSTRUMENTS:
            continue
        else:
            main.append(Field(name, kind))
        seen.add(name)
    for info in form.fields(None):
        name = RENAME.get(info.name, info.name)
        if name in seen:
            continue
        main.append(_field(info, form))
        seen.add(name)
    members: list[Field] = []
    if any(r.name == MEMBERS for r in form.repeats()):
        members = [_field(info, form) for info in form.fields(MEMBERS)]
    return Schema(instrument, form, tuple(main), tuple(members))


def all_schemas() -> dict[str, Schema]:
    return {i: schema(i) for i in INSTRUMENTS}


@cache
def known_names() -> dict[str, Kind]:
    """Every column name any instrument can hold (responses names), with its kind."""
    out: dict[str, Kind] = {n: k for n, k in (*META, *SERVER_META)}
    for s in all_schemas().values():
        for f in (*s.main, *s.members):
            out.setdefault(f.name, f.kind)
    out["member_no"] = "int"
    return out


@cache
def since_names() -> dict[str, str]:
    """Questions added after the first form version (``Question.since``), by name, with that version."""
    out: dict[str, str] = {}
    for s in all_schemas().values():
        for f in (*s.main, *s.members):
            if f.info is not None and f.info.question.since:
                out.setdefault(f.name, f.info.question.since)
    return out


@cache
def note_names() -> frozenset[str]:
    """Display-only questions (notes): exports carry them as empty columns; ingest ignores them."""
    return frozenset(f.name for s in all_schemas().values() for f in s.form.walk() if f.kind == "none")


@cache
def zh_headers() -> dict[str, str]:
    """Normalised Chinese labels/headers -> column name (for hand-made plain CSV files)."""
    out = {normalise_header(k): v for k, v in META_ZH.items()}
    for s in all_schemas().values():
        for f in (*s.main, *s.members):
            if f.info and f.info.question.zh:
                out.setdefault(normalise_header(f.info.question.zh), f.name)
    return out


_UNIT = re.compile(r"\s*[（(][^（）()]*[)）]\s*$")


def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", s).strip().lower()


# ---- canonicalising raw text ------------------------------------------------------------------------

_YESNO_MAP = {v: "yes" for v in YES} | {v: "no" for v in NO} | {"yes": "yes", "no": "no"}


ISO_AWARE = "%Y-%m-%dT%H:%M:%S%.f%:z"
CANON_DATETIME = "%Y-%m-%dT%H:%M:%S%.3f%:z"
_YES_LIST = sorted(v for v, c in _YESNO_MAP.items() if c == "yes")
_NO_LIST = sorted(v for v, c in _YESNO_MAP.items() if c == "no")


def canon_expr(f: Field, col: str | None = None) -> pl.Expr:
    """Canonical text of field ``f`` read from column ``col`` (default its name), which holds stripped
    text with empty as null. Null where the value is not of the field's kind (not a number, not yes/no,
    an unknown choice code, a malformed GPS point) — the caller compares with the input to report those.
    Datetimes go through :func:`canon_datetime` (eager, with a fast path)."""
    raw = pl.col(col or f.name)
    k = f.kind
    if k == "yn":
        low = raw.str.to_lowercase()
        return pl.when(low.is_in(_YES_LIST)).then(pl.lit("yes")).when(low.is_in(_NO_LIST)).then(pl.lit("no")) \
            .otherwise(None)
    if k == "int":
        num = _number_text(raw, f.name).cast(pl.Float64, strict=False)
        ok = num.is_not_null() & (num == num.floor()) & (num.abs() < 1e15)
        return pl.when(ok).then(num.cast(pl.Int64, strict=False).cast(pl.String)).otherwise(None)
    if k == "dec":
        num = _number_text(raw, f.name).cast(pl.Float64, strict=False)
        # one spelling per number ("60", "60.0", "6e1" → "60") so answers hash alike whatever the export
        as_int = num.cast(pl.Int64, strict=False).cast(pl.String)
        text = pl.when((num == num.floor()) & (num.abs() < 1e15)).then(as_int).otherwise(num.cast(pl.String))
        return pl.when(num.is_finite()).then(text).otherwise(None)
    if k == "s1":
        return raw.str.to_lowercase().replace_strict(f.choice_labels, default=None, return_dtype=pl.String)
    if k == "sm":
        low = raw.str.to_lowercase()
        for label in _joined_labels(f):  # a label holding a separator (大病、重病户) is one choice
            low = low.str.replace_all(label, f.choice_labels[label], literal=True)
        tokens = low.str.replace_all(_SM_SEP, " ").str.strip_chars().str.split(" ")
        mapped = tokens.list.eval(pl.element().replace_strict(f.choice_labels, default=None, return_dtype=pl.String))
        bad = mapped.list.eval(pl.element().is_null()).list.any()
        return pl.when(raw.is_null() | bad).then(None).otherwise(mapped.list.unique(maintain_order=True).list.join(" "))
    if k == "geopoint":
        norm = raw.str.replace_all(r"[,;\s]+", " ").str.strip_chars()
        shape = norm.str.contains(r"^-?\d+(\.\d+)?( -?\d+(\.\d+)?){1,3}$")
        lat = norm.str.extract(r"^(\S+)", 1).cast(pl.Float64, strict=False)
        lon = norm.str.extract(r"^\S+ (\S+)", 1).cast(pl.Float64, strict=False)
        ok = shape & lat.is_between(-90, 90) & lon.is_between(-180, 180)
        return pl.when(ok).then(norm).otherwise(None)
    if k == "datetime":
        return parse_datetime(raw).dt.strftime(CANON_DATETIME)
    if k == "date":
        return parse_date(raw).dt.strftime("%Y-%m-%d")
    return raw


def canon_datetime(s: pl.Series) -> pl.Series:
    """Canonical datetime text; ODK's own ``…T09:12:03.123+08:00`` takes a single parse, other spellings
    the full :func:`parse_datetime`."""
    frame = s.cast(pl.String).to_frame("v")
    fast = frame.select(pl.col("v").str.to_datetime(ISO_AWARE, strict=False, time_unit="us", time_zone="UTC")
                        .dt.convert_time_zone(TZ).alias("v")).to_series()
    if (s.is_not_null() & fast.is_null()).any():
        fast = frame.select(parse_datetime(pl.col("v")).alias("v")).to_series()
    return fast.dt.strftime(CANON_DATETIME).alias(s.name)


_FULLWIDTH = r"[\u3000\uff01-\uff5e]"


def fold_fullwidth(df: pl.DataFrame, columns: list[str] | None = None) -> pl.DataFrame:
    """NFKC-normalise the text columns that hold full-width characters (digits and letters typed on a
    Chinese keyboard: ``１２``, ``ｙｅｓ``); other columns are left alone (a vectorised check first)."""
    cols = [c for c in (columns or df.columns) if df.schema.get(c) == pl.String]
    if not cols or df.height == 0:
        return df
    flags = df.select([pl.col(c).str.contains(_FULLWIDTH).any().alias(c) for c in cols]).row(0)
    todo = [c for c, f in zip(cols, flags, strict=True) if f]
    if not todo:
        return df
    return df.with_columns([
        pl.Series(c, [None if v is None else unicodedata.normalize("NFKC", v) for v in df[c].to_list()],
                  dtype=pl.String) for c in todo
    ])


def parse_datetime(raw: pl.Expr) -> pl.Expr:
    """ISO / common spreadsheet datetimes → ``Datetime(us, Asia/Shanghai)``.

    With an offset (ODK ``start``/``end``: ``2019-02-14T09:12:03.123+08:00``; ``Z`` for UTC) the instant
    is kept; without one the time is read as China Standard Time. Spellings are first folded to ISO
    (``/`` dates, a space before the time, no seconds, ``+0800``/``+08`` offsets) so two formats suffice.
    """
    s = (_fold_date_text(raw)
         .str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]+(\d):", "${1}T0${2}:")
         .str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]+", "${1}T")
         .str.replace(r"T(\d{2}:\d{1,2})($|[+-]|Z)", "T${1}:00${2}")
         .str.replace(r"Z$", "+00:00")
         .str.replace(r"([+-]\d{2})(\d{2})$", "${1}:${2}")
         .str.replace(r"([+-]\d{2})$", "${1}:00"))
    aware = s.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_unit="us", time_zone="UTC")
    naive = s.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us")
    return pl.coalesce([aware.dt.convert_time_zone(TZ),
                        naive.dt.replace_time_zone(TZ, ambiguous="earliest", non_existent="null"),
                        _excel_serial(raw).dt.replace_time_zone(TZ, ambiguous="earliest", non_existent="null")])


def parse_date(raw: pl.Expr) -> pl.Expr:
    """A calendar date: ``2019-02-14``, ``2019/2/14``, ``2019年2月14日``, a datetime (its date part, as
    written) or an Excel serial day number (``43510``)."""
    s = _fold_date_text(raw)
    return pl.coalesce([s.str.extract(r"^(\d{4}-\d{2}-\d{2})(?:$|[ T])", 1).str.to_date("%Y-%m-%d", strict=False),
                        _excel_serial(raw).dt.date()])


def _fold_date_text(raw: pl.Expr) -> pl.Expr:
    """``2019/2/14``, ``2019.2.14`` and ``2019年2月14日`` → ``2019-02-14`` (the rest of the text kept)."""
    return (raw.str.strip_chars()
            .str.replace(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?\s*", "${1}-${2}-${3} ")
            .str.replace(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", "${1}-${2}-${3}")
            .str.replace(r"^(\d{4})-(\d)-", "${1}-0${2}-")
            .str.replace(r"^(\d{4}-\d{2})-(\d)($|\D)", "${1}-0${2}${3}")
            .str.strip_chars())


# Excel stores dates as days since 1899-12-30; a bare number in this range in a date or time column
# (an XLSX cell Excel did not format as a date, or a CSV saved from it) is read as one (1954–2119).
_EXCEL_MIN, _EXCEL_MAX = 20000, 80000


def _excel_serial(raw: pl.Expr) -> pl.Expr:
    num = pl.when(raw.str.strip_chars().str.contains(r"^\d{5}(\.\d+)?$")).then(
        raw.str.strip_chars().cast(pl.Float64, strict=False)).otherwise(None)
    us = ((num - 25569.0) * 86_400_000_000.0).round(0).cast(pl.Int64, strict=False)
    return pl.when(num.is_between(_EXCEL_MIN, _EXCEL_MAX)).then(pl.from_epoch(us, time_unit="us")).otherwise(None)


_THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"
_SM_SEP = r"[,;，；、/|\s]+"


def _number_text(raw: pl.Expr, name: str) -> pl.Expr:
    """Number text as typed in a spreadsheet: thousands separators (``1,200``) removed — only when they
    group by three, so ``1,5`` (a decimal comma?) stays invalid rather than becoming 15 — and a trailing
    ``%`` accepted on percentage fields (``*_pct``)."""
    s = pl.when(raw.str.contains(_THOUSANDS)).then(raw.str.replace_all(",", "", literal=True)).otherwise(raw)
    if name.endswith("_pct"):
        s = s.str.replace(r"\s*%$", "")
    return s


def _joined_labels(f: Field) -> list[str]:
    import re as _re

    return sorted((lab for lab in f.choice_labels if lab and _re.search(_SM_SEP, lab)), key=len, reverse=True)


# ---- typing canonical text --------------------------------------------------------------------------

DTYPES: dict[str, pl.DataType] = {
    "yn": pl.Boolean(), "int": pl.Int64(), "dec": pl.Float64(), "datetime": pl.Datetime("us", TZ), "date": pl.Date(),
}


def dtype(kind: str) -> pl.DataType:
    return DTYPES.get(kind, pl.String())


def typed_expr(name: str, kind: str) -> pl.Expr:
    c = pl.col(name)
    if kind == "yn":
        return pl.when(c == "yes").then(True).when(c == "no").then(False).otherwise(None).alias(name)
    if kind == "int":
        return c.cast(pl.Float64, strict=False).cast(pl.Int64, strict=False).alias(name)
    if kind == "dec":
        return c.cast(pl.Float64, strict=False).alias(name)
    if kind == "datetime":
        return c.str.to_datetime(ISO_AWARE, strict=False, time_unit="us", time_zone="UTC") \
            .dt.convert_time_zone(TZ).alias(name)
    if kind == "date":
        return c.str.to_date("%Y-%m-%d", strict=False).alias(name)
    return c.cast(pl.String).alias(name)
