"""Resident ID numbers (GB 11643-1999): 6-digit region code, birth date, sequence, check digit.

:func:`validate` checks one number; :func:`classify` also names what a non-resident-ID value is
(Excel's scientific notation, a mistyped resident ID, another document).  The registry layer runs
the same rules vectorised (``povexit.registry.parse``); tests keep the two in agreement.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
ID18 = re.compile(r"^[0-9]{17}[0-9X]$")
# Excel shows long numbers as 1.10101E+17 and CSV export keeps exactly that text.
EXCEL_FLOAT = re.compile(r"^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$")
# 16-19 digits (X allowed): a resident ID with a character missing, doubled or misplaced.
MISTYPED = re.compile(r"^[0-9X]{16,19}$")
OLD_ID15 = re.compile(r"^[0-9]{15}$")
# First two digits of the address code: provinces (GB/T 2260) plus 71 Taiwan, 81 Hong Kong,
# 82 Macao (residence permits for the three use 83/81/82).
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82", "83",
})
EARLIEST_BIRTH_YEAR = 1880

Problem = Literal["missing", "excel_float", "format", "birth_date", "check_digit", "region", "other_id"]


def check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalise(s: object) -> str:
    """Strip spaces, full-width digits, a leading apostrophe and a lower-case x; Excel's
    ``1.10101E+17`` stays broken (it cannot be repaired)."""
    t = unicodedata.normalize("NFKC", "" if s is None else str(s)).strip()
    t = re.sub(r"\s+", "", t).upper()
    if t.startswith("'"):
        t = t[1:]
    return t


@dataclass(frozen=True)
class IdCheck:
    ok: bool
    problem: Problem | None = None
    birth_date: _dt.date | None = None
    sex: str | None = None  # "M" / "F"


def validate(id_number: object, *, today: _dt.date | None = None) -> IdCheck:
    """Check an 18-character resident ID: format, birth date, check digit, province code."""
    s = normalise(id_number)
    if not ID18.match(s):
        return IdCheck(False, "format")
    try:
        born = _dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return IdCheck(False, "birth_date")
    today = today or _dt.date.today()
    if born > today or born.year < EARLIEST_BIRTH_YEAR:
        return IdCheck(False, "birth_date", born)
    if check_digit(s[:17]) != s[17]:
        return IdCheck(False, "check_digit", born)
    if s[:2] not in PROVINCE_CODES:
        return IdCheck(False, "region", born)
    return IdCheck(True, None, born, "M" if int(s[16]) % 2 else "F")


def classify(id_number: object, *, today: _dt.date | None = None) -> Problem | None:
    """None for a valid resident ID; otherwise what is wrong (``other_id`` = another kind of
    document such as a passport or the old 15-digit ID: allowed, but it cannot be checked)."""
    s = normalise(id_number)
    if s == "":
        return "missing"
    if EXCEL_FLOAT.match(s):
        return "excel_float"
    if ID18.match(s):
        return validate(s, today=today).problem
    if MISTYPED.match(s) and not OLD_ID15.match(s):
        return "format"
    return "other_id"


def make(region: str, born: _dt.date, seq: int, male: bool) -> str:
    """Build a valid ID from a 6-digit region code, a birth date and a 2-digit sequence."""
    s17 = f"{region}{born:%Y%m%d}{seq % 100:02d}{(seq // 100 * 2 + (1 if male else 0)) % 10}"
    return s17 + check_digit(s17)


def age_on(id_number: str, when: _dt.date) -> int | None:
    c = validate(id_number, today=when)
    if c.birth_date is None:
        return None
    b = c.birth_date
    return when.year - b.year - ((when.month, when.day) < (b.month, b.day))


def roster_household_id(id_number: object) -> str:
    """The sample's household id for a roster hit (大数据比对): ``R`` + the first 12 hex digits of SHA-1
    of the normalised, upper-cased ID number — a stable key that never puts the ID itself in a file.
    The one definition: sampling, instruments and rules all call this."""
    import hashlib

    return "R" + hashlib.sha1(normalise(id_number).upper().encode("utf-8")).hexdigest()[:12]
