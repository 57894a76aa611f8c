"""Resident ID numbers (GB 11643-1999): 6-digit region code, birth date, sequence, check digit."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_ID18 = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalise(s: object) -> str:
    """Strip spaces, full-width digits and a lower-case x; Excel's ``1.10101E+17`` stays broken."""
    import unicodedata

    t = unicodedata.normalize("NFKC", "" if s is None else str(s)).strip().replace(" ", "")
    if t.endswith("x"):
        t = t[:-1] + "X"
    if t.startswith("'"):
        t = t[1:]
    return t


@dataclass(frozen=True)
class IdCheck:
    ok: bool
    problem: str | None = None  # "format" | "check_digit" | "birth_date" | "other_id"
    birth_date: _dt.date | None = None
    sex: str | None = None  # "M" / "F"


def validate(id_number: object, *, today: _dt.date | None = None) -> IdCheck:
    s = normalise(id_number)
    if not _ID18.match(s):
        return IdCheck(False, "format")
    try:
        born = _dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return IdCheck(False, "birth_date")
    today = today or _dt.date.today()
    if born > today or born.year < 1880:
        return IdCheck(False, "birth_date", born)
    if check_digit(s[:17]) != s[17]:
        return IdCheck(False, "check_digit", born)
    return IdCheck(True, None, born, "M" if int(s[16]) % 2 else "F")


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
