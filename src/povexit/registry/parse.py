"""Polars expressions that turn the text cells of a contract table into typed values.

Every parser returns ``null`` for a value it cannot read; the caller flags ``raw is not null and
parsed is null`` as an error.  All expressions are elementwise and streaming-safe: no
``Expr.replace``/``replace_strict`` (they make Polars fall back to in-memory execution) and no
Python callbacks, so a 10^7-row file is parsed in one streaming pass.

Costs matter at 10^7 rows (every string operation allocates a new column), so: coded values are
matched with ``is_in`` against every spelling generated up front in Python (case and full-width
variants) instead of normalising each cell; ID numbers are checked with integer arithmetic on their
digits; the slower fallbacks (NFKC, separators) are kept for numbers and IDs only.
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


_FULLWIDTH_TABLE = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def _variants(key: str) -> set[str]:
    """Every spelling of ``key`` accepted without normalising cells: as written, lower, upper and
    capitalised, each also in full-width characters; inner spaces removed."""
    k = "".join(unicodedata.normalize("NFKC", key).split())
    cased = {k, k.lower(), k.upper(), k.capitalize()}
    return cased | {c.translate(_FULLWIDTH_TABLE) for c in cased}


def _key(e: pl.Expr) -> pl.Expr:
    """Inner spaces removed ("返 贫" is 返贫); cells are already stripped by the reader."""
    return e.str.replace_all(" ", "", literal=True)


def _first(exact: pl.Expr, raw: pl.Expr, slow: pl.Expr) -> pl.Expr:
    """``exact`` where it matched (or the cell is empty), else ``slow``."""
    return pl.when(exact.is_not_null() | raw.is_null()).then(exact).otherwise(slow)


def _chain(pairs: list[tuple[pl.Expr, pl.Expr]], dtype: pl.DataType) -> pl.Expr:
    out: pl.Expr | None = None
    for cond, value in pairs:
        out = pl.when(cond).then(value) if out is None else out.when(cond).then(value)
    assert out is not None
    return out.otherwise(pl.lit(None, dtype=dtype))


def map_codes(e: pl.Expr, aliases: Mapping[str, str]) -> pl.Expr:
    """Text → code through an alias table (case-, width- and space-insensitive); unknown → null."""
    spellings: dict[str, set[str]] = defaultdict(set)
    for raw, code in aliases.items():
        spellings[code] |= _variants(raw)
    key = _key(e)
    return _chain([(key.is_in(sorted(spellings[c])), pl.lit(c)) for c in sorted(spellings)], pl.String)


_YES = sorted(set().union(*(_variants(k) for k in contracts.YES)))
_NO = sorted(set().union(*(_variants(k) for k in contracts.NO)))


def yesno(e: pl.Expr) -> pl.Expr:
    """是/否, 1/0, true/false, Y/N (the vocabulary of :func:`contracts.parse_yesno`) → Boolean."""
    return _chain([(e.is_in(_YES), pl.lit(True)), (e.is_in(_NO), pl.lit(False))], pl.Boolean)


def number(e: pl.Expr, *, percent: bool = False) -> pl.Expr:
    """``12,345.6``, ``12345元``, ``１２３`` → Float64. With ``percent``, ``2%`` → 0.02."""
    t = nfkc(e).str.replace_all(",", "", literal=True).str.replace_all(" ", "", literal=True).str.strip_suffix("元")
    if percent:
        v = t.str.strip_suffix("%").cast(pl.Float64, strict=False)
        slow = pl.when(t.str.ends_with("%")).then(v / 100).otherwise(v)
    else:
        slow = t.cast(pl.Float64, strict=False)
    return _first(e.cast(pl.Float64, strict=False), e, slow)


def integer(e: pl.Expr, dtype: pl.DataType = pl.Int64) -> pl.Expr:
    """Whole numbers (``12``, ``12.0``, ``1,234``); ``12.5`` or text → null."""
    v = number(e)
    whole = pl.when(v.is_finite() & (v == v.floor()) & (v.abs() < 2**53)).then(v).otherwise(None).cast(dtype)
    return _first(e.cast(dtype, strict=False), e, whole)


def year(e: pl.Expr) -> pl.Expr:
    """``2018``, ``2018年``, ``2018.0`` → Int32; anything else → null."""
    v = nfkc(e).str.strip_chars().str.strip_suffix("年").cast(pl.Float64, strict=False)
    slow = pl.when(v.is_finite() & (v == v.floor()) & (v.abs() < 1e6)).then(v).otherwise(None).cast(pl.Int32)
    return _first(e.cast(pl.Int32, strict=False), e, slow)


# ---- resident ID numbers (vectorised idnumber.classify) ----------------------------------------

ID_PROBLEMS = ("missing", "excel_float", "format", "birth_date", "check_digit", "region", "other_id")


def id_normalise(e: pl.Expr) -> pl.Expr:
    """Vectorised :func:`idnumber.normalise` (width, white space, lower-case x, leading apostrophe)."""
    clean = e.str.contains(idnumber.ID18.pattern)
    # Python counts U+001C-U+001F as white space (str.strip, re), Rust regex does not
    slow = nfkc(e).str.replace_all(r"[\s\x1c-\x1f]+", "").str.to_uppercase().str.strip_prefix("'")
    slow = pl.when(slow == "").then(None).otherwise(slow)
    return pl.when(clean | e.is_null()).then(e).otherwise(slow)


def _digits17(idn: pl.Expr) -> pl.Expr:
    return idn.str.slice(0, 17).cast(pl.UInt64, strict=False)


def _check_index(idn: pl.Expr) -> pl.Expr:
    """Index into ``CHECK_CHARS`` that the first 17 digits call for (integer arithmetic: an order of
    magnitude cheaper than 17 string slices)."""
    n = _digits17(idn)
    return pl.sum_horizontal([((n // (10 ** (16 - i))) % 10) * w for i, w in enumerate(idnumber.WEIGHTS)]) % 11


def _written_index(idn: pl.Expr) -> pl.Expr:
    """Index in ``CHECK_CHARS`` ("10X98765432") of the check character as written."""
    last = idn.str.slice(17, 1)
    d = last.cast(pl.Int64, strict=False)
    return pl.when(last == "X").then(pl.lit(2, pl.Int64)).otherwise((12 - d) % 11)


def _valid_ymd(ymd: pl.Expr) -> pl.Expr:
    y, m, d = ymd // 10_000, (ymd // 100) % 100, ymd % 100
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    days = (
        pl.when(m == 2).then(28 + leap.cast(pl.Int64))
        .when(m.is_in([4, 6, 9, 11])).then(pl.lit(30, pl.Int64))
        .otherwise(pl.lit(31, pl.Int64))
    )
    return (m >= 1) & (m <= 12) & (d >= 1) & (d <= days)


def id_birth_date(idn: pl.Expr) -> pl.Expr:
    return idn.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)


def id_problem(idn: pl.Expr, today: dt.date, *, d17: pl.Expr | None = None) -> pl.Expr:
    """The :func:`idnumber.classify` problem of a normalised ID as a string (null when valid).
    ``d17``: the first 17 digits as an integer if already computed (see :func:`with_id_checks`)."""
    d17 = _digits17(idn) if d17 is None else d17
    is18 = idn.str.contains(idnumber.ID18.pattern)
    ymd = ((d17 // 1000) % 100_000_000).cast(pl.Int64)
    today_ymd = today.year * 10_000 + today.month * 100 + today.day
    bad_birth = ~_valid_ymd(ymd) | (ymd > today_ymd) | (ymd < idnumber.EARLIEST_BIRTH_YEAR * 10_000)
    total = pl.sum_horizontal([((d17 // (10 ** (16 - i))) % 10) * w for i, w in enumerate(idnumber.WEIGHTS)]) % 11
    bad_check = total.cast(pl.Int64) != _written_index(idn)
    provinces = sorted(int(c) for c in idnumber.PROVINCE_CODES)
    bad_region = ~(d17 // 10**15).cast(pl.Int64).is_in(provinces)
    resident = _chain(
        [(bad_birth, pl.lit("birth_date")), (bad_check, pl.lit("check_digit")), (bad_region, pl.lit("region"))],
        pl.String,
    )
    other = (
        pl.when(idn.is_null()).then(pl.lit("missing"))
        .when(idn.str.contains(idnumber.EXCEL_FLOAT.pattern)).then(pl.lit("excel_float"))
        .when(idn.str.contains(idnumber.MISTYPED.pattern) & ~idn.str.contains(idnumber.OLD_ID15.pattern))
        .then(pl.lit("format"))
        .otherwise(pl.lit("other_id"))
    )
    return pl.when(is18).then(resident).otherwise(other)


def with_id_checks(lf: pl.LazyFrame, raw: str, *, today: dt.date, prefix: str = "__id") -> pl.LazyFrame:
    """Add ``{prefix}_n`` (normalised), ``{prefix}_d17`` (first 17 digits) and ``{prefix}_problem``.

    Staged ``with_columns`` so each is computed once: the streaming engine does not share
    sub-expressions between output columns."""
    n, d17 = pl.col(f"{prefix}_n"), pl.col(f"{prefix}_d17")
    return (
        lf.with_columns(id_normalise(pl.col(raw)).alias(f"{prefix}_n"))
        .with_columns(_digits17(n).alias(f"{prefix}_d17"))
        .with_columns(id_problem(n, today, d17=d17).alias(f"{prefix}_problem"))
    )


def age_from_digits(d17: pl.Expr, as_of: dt.date) -> pl.Expr:
    """Completed years at ``as_of`` from the birth-date digits (0 if born after it)."""
    ymd = (d17 // 1000) % 100_000_000
    y = (ymd // 10_000).cast(pl.Int32)
    md = (ymd % 10_000).cast(pl.Int32)
    age = pl.lit(as_of.year, pl.Int32) - y - (md > as_of.month * 100 + as_of.day).cast(pl.Int32)
    return pl.when(age < 0).then(pl.lit(0, pl.Int32)).otherwise(age)


def sex_from_digits(d17: pl.Expr) -> pl.Expr:
    """M / F from the parity of the 17th digit."""
    return pl.when(d17 % 2 == 1).then(pl.lit("M")).otherwise(pl.lit("F"))


def id_expected_check(idn: pl.Expr) -> pl.Expr:
    """The check character the first 17 digits call for (for the error message)."""
    return pl.lit(idnumber.CHECK_CHARS).str.slice(_check_index(idn), 1)


HEAD_RELATIONS = ("户主", "本人", "户主本人", "本人(户主)", "本人（户主）", "head", "self", "householder")
SEX_ALIASES = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}
