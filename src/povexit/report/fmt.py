"""Number and date formatting shared by every renderer (so tests can compare with the same text)."""

from __future__ import annotations

import datetime as _dt
import math


def pct(x: float | None, digits: int = 2) -> str:
    """``0.01234`` → ``1.23%``; None/NaN → ``—``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x * 100:.{digits}f}%"


def interval(lo: float | None, hi: float | None, digits: int = 2) -> str:
    if lo is None or hi is None:
        return "—"
    return f"{pct(lo, digits)} – {pct(hi, digits)}"


def num(x: float | int | None, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if digits == 0:
        return f"{round(x):d}"
    return f"{x:.{digits}f}"


def date_zh(d: _dt.date | None) -> str:
    return "—" if d is None else f"{d.year}年{d.month}月{d.day}日"


def date_en(d: _dt.date | None) -> str:
    return "—" if d is None else d.isoformat()


def date(d: _dt.date | None, lang: str) -> str:
    return date_en(d) if lang == "en" else date_zh(d)


def date_range(a: _dt.date | None, b: _dt.date | None, lang: str) -> str:
    if a is None:
        return "—"
    if b is None or a == b:
        return date(a, lang)
    if lang == "en":
        return f"{a.isoformat()} to {b.isoformat()}"
    if a.year == b.year:
        return f"{a.year}年{a.month}月{a.day}日—{b.month}月{b.day}日"
    return f"{date_zh(a)}—{date_zh(b)}"
