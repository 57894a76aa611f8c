"""Polars expressions that turn the text cells of a contract table into typed values.

Every parser returns ``null`` for a value it cannot read; the caller flags ``raw is not null and
parsed is null`` as an error.  All expressions are elementwise and streaming-safe: no
``Expr.replace``/``replace_strict`` (they make Polars fall back to in-memory execution) and no
Python callbacks, so a 10^7-row file is parsed in one streaming pass.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Mapping

import polars as pl

from .. import contracts, idnumber

# Full-width ASCII (FF01-FF5E) and the ideographic space: fold them (NFKC) only where they occur.
_FULLWIDTH = r"[\x{FF01}-\x{FF5E}\x{3000}]"


def nfkc(e: pl.Expr) -> pl.Expr:
    return pl.when(e.str.contains(_FULLWIDTH)).then(e.str.normalize("NFKC")).otherwise(e)


def _fold(s: str) -> str:
    return unicodedata.normalize("NFKC", s).strip().lower()


def map_codes(e: pl.Expr, aliases: Mapping[str, str]) -> pl.Expr:
    """Text → code through an alias table (case- and width-insensitive); unknown → null."""
    by_code: dict[str, set[str]] = defaultdict(set)
    for raw, code in aliases.items():
        by_code[code].add("".join(_fold(raw).split()))
    key = nfkc(e).str.replace_all(r"\s+", "").str.to_lowercase()  # "返 贫" is 返贫
    out: pl.Expr | None = None
    for code in sorted(by_code):
        cond = key.is_in(sorted(by_code[code]))
        out = pl.when(cond).then(pl.lit(code)) if out is None else out.when(cond).then(pl.lit(code))
    assert out is not None
    return out.otherwise(pl.lit(None, dtype=pl.String))


def yesno(e: pl.Expr) -> pl.Expr:
    """是/否, 1/0, true/false, Y/N (the vocabulary of :func:`contracts.parse_yesno`) → Boolean."""
    key = nfkc(e).str.strip_chars().str.to_lowercase()
    return (
        pl.when(key.is_in(sorted(contracts.YES))).then(pl.lit(True))
        .when(key.is_in(sorted(contracts.NO))).then(pl.lit(False))
        .otherwise(pl.lit(None, dtype=pl.Boolean))
    )


def number(e: pl.Expr, *, percent: bool = False) -> pl.Expr:
    """``12,345.6``, ``12345元``, ``１２３`` → Float64. With ``percent``, ``2%`` → 0.02."""
    s = nfkc(e).str.replace_all(r"[,，\s]|元$", "")
    if percent:
        pct = s.str.ends_with("%")
        v = s.str.strip_suffix("%").cast(pl.Float64, strict=False)
        return pl.when(pct).then(v / 100).otherwise(v)
    return s.cast(pl.Float64, strict=False)


def integer(e: pl.Expr, dtype: pl.DataType = pl.Int64) -> pl.Expr:
    """Whole numbers (``12``, ``12.0``, ``1,234``); ``12.5`` or text → null."""
    v = number(e)
    return pl.when(v.is_finite() & (v == v.round(0)) & (v.abs() < 2**53)).then(v).otherwise(None).cast(dtype)


def year(e: pl.Expr) -> pl.Expr:
    """``2018``, ``2018年``, ``2018.0`` → Int32; anything else → null."""
    s = nfkc(e).str.strip_chars().str.strip_suffix("年")
    return integer(s, pl.Int32)


# ---- resident ID numbers (vectorised idnumber.classify) ----------------------------------------

ID_PROBLEMS = ("missing", "excel_float", "format", "birth_date", "check_digit", "region", "other_id")


def id_normalise(e: pl.Expr) -> pl.Expr:
    """Vectorised :func:`idnumber.normalise` (width, white space, lower-case x, leading apostrophe)."""
    clean = e.str.contains(idnumber.ID18.pattern)
    slow = nfkc(e).str.replace_all(r"\s+", "").str.to_uppercase().str.strip_prefix("'")
    return pl.when(clean).then(e).otherwise(slow)


def _check_char(idn: pl.Expr) -> pl.Expr:
    total = pl.sum_horizontal(
        [idn.str.slice(i, 1).cast(pl.Int32, strict=False) * w for i, w in enumerate(idnumber.WEIGHTS)]
    )
    return pl.lit(idnumber.CHECK_CHARS).str.slice(total % 11, 1)


def id_birth_date(idn: pl.Expr) -> pl.Expr:
    return idn.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)


def id_problem(idn: pl.Expr, today: dt.date) -> pl.Expr:
    """The :func:`idnumber.classify` problem of a normalised ID as a string (null when valid)."""
    is18 = idn.str.contains(idnumber.ID18.pattern)
    born = id_birth_date(idn)
    bad_birth = born.is_null() | (born > pl.lit(today)) | (born.dt.year() < idnumber.EARLIEST_BIRTH_YEAR)
    bad_check = _check_char(idn) != idn.str.slice(17, 1)
    bad_region = ~idn.str.slice(0, 2).is_in(sorted(idnumber.PROVINCE_CODES))
    return (
        pl.when(idn.is_null()).then(pl.lit("missing"))
        .when(idn.str.contains(idnumber.EXCEL_FLOAT.pattern)).then(pl.lit("excel_float"))
        .when(is18 & bad_birth).then(pl.lit("birth_date"))
        .when(is18 & bad_check).then(pl.lit("check_digit"))
        .when(is18 & bad_region).then(pl.lit("region"))
        .when(is18).then(pl.lit(None, dtype=pl.String))
        .when(idn.str.contains(idnumber.MISTYPED.pattern) & ~idn.str.contains(idnumber.OLD_ID15.pattern))
        .then(pl.lit("format"))
        .otherwise(pl.lit("other_id"))
    )


def id_expected_check(idn: pl.Expr) -> pl.Expr:
    """The check character the first 17 digits call for (for the error message)."""
    return _check_char(idn)


def age_at(born: pl.Expr, as_of: dt.date) -> pl.Expr:
    """Completed years at ``as_of`` (0 for someone born after it)."""
    before_birthday = (born.dt.month().cast(pl.Int32) * 100 + born.dt.day().cast(pl.Int32)) > (
        as_of.month * 100 + as_of.day
    )
    age = pl.lit(as_of.year, dtype=pl.Int32) - born.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32)
    return pl.max_horizontal(age, pl.lit(0, dtype=pl.Int32)).cast(pl.Int32)


HEAD_RELATIONS = ("户主", "本人", "户主本人", "本人(户主)", "本人（户主）", "head", "self", "householder")
SEX_ALIASES = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}
