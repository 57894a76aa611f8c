"""Polars expressions that turn the text cells of a contract table into typed values.

Every parser returns ``null`` for a value it cannot read; the caller flags ``raw is not null and
parsed is null`` as an error.  All expressions are elementwise and streaming-safe: no
``Expr.replace``/``replace_strict`` (they make Polars fall back to in-memory execution) and no
Python callbacks, so a 10^7-row file is parsed in one streaming pass.

Costs matter at 10^7 rows (every string operation allocates a new column, every arithmetic
operation a new array), so: coded values are looked up with one cast to an ``Enum`` of every
spelling generated up front in Python (case and full-width variants) instead of normalising each
cell; texts are produced by one ``gather`` from a short list, not by ``when/then`` chains of string
literals; ID numbers are checked with integer arithmetic on their bytes; the slower fallbacks
(NFKC, separators, spaces inside codes) run only in the chunks that need them (Polars skips a
``when/then`` branch that no row of a chunk takes, as long as the branch's sub-expressions are not
shared with the rest of the expression: the pipeline runs with common-subexpression elimination
off, which would hoist them out of the branch).
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


def pick(pairs: list[tuple[pl.Expr, str]]) -> pl.Expr:
    """The text of the first condition that holds (null if none): a small integer chain, then one
    lookup in the list of texts.  A ``when/then`` chain of string literals would build a full
    string column per branch; this builds one."""
    texts = pl.Series([v for _, v in pairs], dtype=pl.String)
    index = _chain([(cond, pl.lit(i, pl.UInt32)) for i, (cond, _) in enumerate(pairs)], pl.UInt32)
    return pl.lit(texts).gather(index)


def lookup(e: pl.Expr, table: Mapping[str, object], dtype: pl.DataType) -> pl.Expr:
    """``table[cell]`` (null when the cell is not a key): one cast to an ``Enum`` of the keys (a
    hash lookup per cell) and one ``gather`` of the values."""
    keys = list(table)
    values = pl.Series(list(table.values()), dtype=dtype)
    return pl.lit(values).gather(e.cast(pl.Enum(keys), strict=False).to_physical())


def _spellings(groups: list[tuple[object, list[str]]]) -> dict[str, object]:
    """Every accepted spelling (:func:`_variants`) of each group's aliases -> the group's value; an
    earlier group wins a spelling two groups share."""
    out: dict[str, object] = {}
    for value, aliases in groups:
        for v in sorted(set().union(*(_variants(a) for a in aliases))):
            out.setdefault(v, value)
    return out


def _code_groups(aliases: Mapping[str, str]) -> list[tuple[object, list[str]]]:
    by_code: dict[str, list[str]] = defaultdict(list)
    for raw, code in aliases.items():
        by_code[code].append(raw)
    return [(code, by_code[code]) for code in sorted(by_code)]


def map_codes(e: pl.Expr, aliases: Mapping[str, str]) -> pl.Expr:
    """Text → code through an alias table (case-, width- and space-insensitive); unknown → null.

    Inner spaces are removed only in the (rare) chunks where a cell has one: a cell without a space
    is its own key."""
    table = _spellings(_code_groups(aliases))
    return (
        pl.when(e.str.contains(" ", literal=True)).then(lookup(_key(e), table, pl.String))
        .otherwise(lookup(e, table, pl.String))
    )


_YESNO = _spellings([(True, sorted(contracts.YES)), (False, sorted(contracts.NO))])


def yesno(e: pl.Expr) -> pl.Expr:
    """是/否, 1/0, true/false, Y/N (the vocabulary of :func:`contracts.parse_yesno`) → Boolean."""
    return lookup(e, _YESNO, pl.Boolean)


def number(e: pl.Expr, *, percent: bool = False) -> pl.Expr:
    """``12,345.6``, ``12345元``, ``１２３`` → Float64. With ``percent``, ``2%`` → 0.02."""
    t = (
        nfkc(e).str.replace_all(",", "", literal=True).str.replace_all(" ", "", literal=True)
        .str.strip_prefix("￥").str.strip_prefix("¥").str.strip_suffix("/人").str.strip_suffix("/年")
        .str.strip_suffix("元")
    )
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


# a date or a month whose year is the value: 2018-12-31, 2018/12/31, 2018.12, 2018年12月(31日), 2018年度, and
# the ISO text of an Excel date cell (2018-12-31T00:00:00)
_MONTH, _DAY = r"(?:0?[1-9]|1[0-2])", r"(?:0?[1-9]|[12][0-9]|3[01])"
_YEAR_OF_DATE = (
    rf"^([0-9]{{4}})(?:年度|年{_MONTH}月(?:{_DAY}日)?|[-/.]{_MONTH}(?:[-/.]{_DAY}(?:[T ][0-9:.]+)?)?)$"
)


def year(e: pl.Expr) -> pl.Expr:
    """``2018``, ``2018年``, ``2018.0``, a date (``2018-12-31``, ``2018年12月``) → Int32; anything else → null."""
    t = nfkc(e).str.replace_all(" ", "", literal=True)
    v = t.str.strip_suffix("年").cast(pl.Float64, strict=False)
    whole = pl.when(v.is_finite() & (v == v.floor()) & (v.abs() < 1e6)).then(v).otherwise(None).cast(pl.Int32)
    slow = pl.coalesce(whole, t.str.extract(_YEAR_OF_DATE, 1).cast(pl.Int32, strict=False))
    return _first(e.cast(pl.Int32, strict=False), e, slow)


# ---- resident ID numbers (vectorised idnumber.classify) ----------------------------------------

ID_PROBLEMS = ("missing", "excel_float", "format", "birth_date", "check_digit", "region", "other_id")


def _normalise_slow(e: pl.Expr) -> pl.Expr:
    # Python counts U+001C-U+001F as white space (str.strip, re), Rust regex does not
    # the same as idnumber.normalise (tests check they agree); an ="…" text formula is unwrapped by the reader
    slow = nfkc(e).str.replace_all(r"[\s\x1c-\x1f]+", "").str.to_uppercase().str.strip_prefix("'")
    return pl.when(slow == "").then(None).otherwise(slow)


def _is_id18(idn: pl.Expr, d17: pl.Expr) -> pl.Expr:
    """``idn`` matches ``idnumber.ID18`` (17 ASCII digits, then a digit or X), without a regex:
    18 bytes whose first 17 characters cast to an integer (a cast that also takes a leading "+")
    and whose last is a digit or X.  ``d17``: the first 17 characters cast to UInt64."""
    last = idn.str.slice(17, 1)
    return (
        (idn.str.len_bytes() == 18) & ~idn.str.starts_with("+") & d17.is_not_null()
        & ((last == "X") | last.cast(pl.UInt8, strict=False).is_not_null())
    )


def id_normalise(e: pl.Expr) -> pl.Expr:
    """Vectorised :func:`idnumber.normalise` (width, white space, lower-case x, leading apostrophe)."""
    clean = _is_id18(e, _digits17(e))
    return pl.when(clean | e.is_null()).then(e).otherwise(_normalise_slow(e))


def _digits17(idn: pl.Expr) -> pl.Expr:
    return idn.str.slice(0, 17).cast(pl.UInt64, strict=False)


def _weighted_sum(d17: pl.Expr) -> pl.Expr:
    """Σ digit × weight of GB 11643 over the 17 digits, digit by digit (for the few rows that are
    reported; :func:`id_problem` uses the byte-level :func:`_word_weighted`)."""
    hi = (d17 // 10**9).cast(pl.UInt32)  # first 8 digits
    lo = (d17 % 10**9).cast(pl.UInt32)  # last 9 digits
    w = idnumber.WEIGHTS
    terms = [((hi // (10 ** (7 - i))) % 10) * w[i] for i in range(8)]
    terms += [((lo // (10 ** (8 - i))) % 10) * w[8 + i] for i in range(9)]
    return pl.sum_horizontal(terms)


def _check_index(idn: pl.Expr) -> pl.Expr:
    """Index into ``CHECK_CHARS`` that the first 17 digits call for."""
    return _weighted_sum(_digits17(idn)) % 11


def _u64(v: int) -> pl.Expr:
    return pl.lit(v, pl.UInt64)


def _byte_words(idn: pl.Expr) -> list[pl.Expr]:
    """The ID's bytes 0-7 and 8-15 as big-endian UInt64, bytes 16-17 as a UInt64 below 2^16 (null
    where the text is shorter)."""
    b = idn.cast(pl.Binary)
    words = [b.bin.slice(o, 8).bin.reinterpret(dtype=pl.UInt64, endianness="big") for o in (0, 8)]
    return [*words, b.bin.slice(16, 2).bin.reinterpret(dtype=pl.UInt16, endianness="big").cast(pl.UInt64)]


_EVEN_BYTES = 0x00FF00FF00FF00FF


def _word_weighted(w: pl.Expr, weights: tuple[int, ...]) -> pl.Expr:
    """Σ digit × weight over the 8 ASCII digits of a big-endian word, SWAR-style: the digits of the
    odd and of the even bytes sit in four 16-bit lanes, and one multiplication by the weights
    packed in reverse lane order collects their weighted sum in the top lane (at most 4 × 9 × 10,
    so no lane overflows)."""
    x = w - _u64(0x3030303030303030)
    odd = x & _u64(_EVEN_BYTES)  # bytes 1, 3, 5, 7 (lanes 3..0)
    even = (x // _u64(256)) & _u64(_EVEN_BYTES)  # bytes 0, 2, 4, 6
    m_odd = weights[1] | weights[3] << 16 | weights[5] << 32 | weights[7] << 48
    m_even = weights[0] | weights[2] << 16 | weights[4] << 32 | weights[6] << 48
    top = _u64(1 << 48)
    return (odd * _u64(m_odd)) // top + (even * _u64(m_even)) // top


# days in each month (index 1-12; 0 elsewhere), February with its 29th (checked for leap years apart)
_MONTH_DAYS = pl.Series([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] + [0] * 87, dtype=pl.UInt64)
_PROVINCE = pl.Series([f"{i:02d}" in idnumber.PROVINCE_CODES for i in range(100)], dtype=pl.Boolean)


def id_problem(
    idn: pl.Expr, today: dt.date, *, d17: pl.Expr, is18: pl.Expr, words: list[pl.Expr], ymd: pl.Expr,
) -> pl.Expr:
    """The :func:`idnumber.classify` problem of a normalised ID as a string (null when valid), from
    the columns :func:`with_id_checks` stages: the first 17 digits as an integer, the ID18 test,
    the :func:`_byte_words` and the birth date as the integer yyyymmdd.

    The regular expressions that name a non-resident ID run only in the chunks that hold one (each
    ``when`` also counts the rows already decided as true, so Polars can skip the branch)."""
    y, m, d = ymd // 10_000, (ymd // 100) % 100, ymd % 100
    # a 29 February outside a leap year; years outside [1880, today] are refused anyway, and in that
    # range a year divisible by 4 is a leap year unless it is one of these centuries
    centuries = [c for c in range(1900, max(today.year, 1900) + 1, 100) if c % 400]
    no_feb29 = (m == 2) & (d == 29) & ((y % 4 != 0) | y.is_in(centuries))
    valid = (d >= 1) & (d <= pl.lit(_MONTH_DAYS).gather(m)) & ~no_feb29
    today_ymd = today.year * 10_000 + today.month * 100 + today.day
    bad_birth = ~valid | (ymd > today_ymd) | (ymd < idnumber.EARLIEST_BIRTH_YEAR * 10_000)
    w0, w1, w2 = words
    weighted = _word_weighted(w0, idnumber.WEIGHTS[:8]) + _word_weighted(w1, idnumber.WEIGHTS[8:16])
    weighted = weighted + (w2 // 256 - 48) * idnumber.WEIGHTS[16]
    last = w2 % 256
    # check character c is CHECK_CHARS[(12 - c) % 11] for a digit, index 2 for X: with the byte
    # value (48 + c, or 88 for X, counted as 10) the sum is then ≡ 1 + 48 ≡ 5 (mod 11)
    bad_check = (weighted + last + (last // 88) * 3) % 11 != 5
    bad_region = ~pl.lit(_PROVINCE).gather(d17 // 10**15)
    resident = pick([(bad_birth, "birth_date"), (bad_check, "check_digit"), (bad_region, "region")])
    other = (
        pl.when(idn.str.contains(idnumber.EXCEL_FLOAT.pattern)).then(pl.lit("excel_float"))
        .when(idn.str.contains(idnumber.MISTYPED.pattern) & ~idn.str.contains(idnumber.OLD_ID15.pattern))
        .then(pl.lit("format"))
        .otherwise(pl.lit("other_id"))
    )
    missing = idn.is_null()
    return (
        pl.when(is18).then(resident)
        .otherwise(pl.when(missing | is18).then(pl.when(missing).then(pl.lit("missing"))).otherwise(other))
    )


def with_id_checks(lf: pl.LazyFrame, raw: str, *, today: dt.date, prefix: str = "__id") -> pl.LazyFrame:
    """Add ``{prefix}_n`` (normalised), ``{prefix}_d17`` (first 17 digits) and ``{prefix}_problem``.

    Staged ``with_columns`` so each is computed once.  A cell that already is a clean
    18-character ID (or empty) is its own normal form; the normalisation runs only in chunks
    holding another one."""
    r = pl.col(raw)
    c = {k: pl.col(f"{prefix}_{k}") for k in ("n", "d17", "is18", "fast", "w0", "w1", "w2", "ymd")}
    n, d17, fast = c["n"], c["d17"], c["fast"]
    temporary = [f"{prefix}_{k}" for k in ("is18", "fast", "w0", "w1", "w2", "ymd")]
    return (
        lf.with_columns(_digits17(r).alias(f"{prefix}_d17"))
        .with_columns((r.is_null() | _is_id18(r, d17)).alias(f"{prefix}_fast"))
        .with_columns(pl.when(fast).then(r).otherwise(_normalise_slow(r)).alias(f"{prefix}_n"))
        .with_columns(
            pl.when(fast).then(d17).otherwise(_digits17(n)).alias(f"{prefix}_d17"),
            pl.when(fast).then(r.is_not_null()).otherwise(_is_id18(n, _digits17(n))).alias(f"{prefix}_is18"),
            *[w.alias(f"{prefix}_w{i}") for i, w in enumerate(_byte_words(n))],
        )
        .with_columns(((d17 // 1000) % 100_000_000).alias(f"{prefix}_ymd"))
        .with_columns(
            id_problem(n, today, d17=d17, is18=c["is18"], words=[c["w0"], c["w1"], c["w2"]], ymd=c["ymd"])
            .alias(f"{prefix}_problem")
        )
        .drop(temporary)
    )


def id_birth_date(idn: pl.Expr) -> pl.Expr:
    return idn.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)


def age_from_digits(d17: pl.Expr, as_of: dt.date) -> pl.Expr:
    """Completed years at ``as_of`` from the birth-date digits (0 if born after it)."""
    ymd = (d17 // 1000) % 100_000_000
    y = (ymd // 10_000).cast(pl.Int32)
    md = (ymd % 10_000).cast(pl.Int32)
    age = pl.lit(as_of.year, pl.Int32) - y - (md > as_of.month * 100 + as_of.day).cast(pl.Int32)
    return pl.when(age < 0).then(pl.lit(0, pl.Int32)).otherwise(age)


def sex_from_digits(d17: pl.Expr) -> pl.Expr:
    """M / F from the parity of the 17th digit."""
    return pl.lit(pl.Series(["F", "M"])).gather((d17 % 2).cast(pl.UInt32))


def id_expected_check(idn: pl.Expr) -> pl.Expr:
    """The check character the first 17 digits call for (for the error message)."""
    return pl.lit(idnumber.CHECK_CHARS).str.slice(_check_index(idn), 1)


HEAD_RELATIONS = ("户主", "本人", "户主本人", "本人(户主)", "本人（户主）", "户主(本人)", "户主（本人）", "本人或户主",
                  "户主或本人", "本人/户主", "户主/本人", "head", "self", "householder")
# Byte lengths of the entries with cased letters: only a cell of such a length (ASCII letters: no
# other character lower-cases to one of theirs) can become an entry by lower-casing.
_HEAD_CASED_LENGTHS = sorted({len(h.encode()) for h in HEAD_RELATIONS if h.lower() != h.upper()})


def is_head(relation: pl.Expr) -> pl.Expr:
    """``relation`` is one of :data:`HEAD_RELATIONS`, ignoring case (null → False).  Lower-casing
    builds a new string per cell, so it runs only in chunks holding a cell of a cased entry's length
    (a cell of another length is an entry exactly when it is one as written)."""
    cased = relation.str.len_bytes().is_in(_HEAD_CASED_LENGTHS)
    return (
        pl.when(cased).then(relation.str.to_lowercase().is_in(HEAD_RELATIONS))
        .otherwise(relation.is_in(HEAD_RELATIONS)).fill_null(False)
    )
SEX_ALIASES = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}
