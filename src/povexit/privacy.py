"""Masking of personal data (ID numbers, names) for roles and outputs that do not need them."""

from __future__ import annotations


def mask_id(id_number: object) -> str:
    """``110101199003077777`` → ``110101********7777`` (region code and last four kept)."""
    if id_number is None:
        return ""
    s = str(id_number).strip()
    if len(s) <= 8:
        return "*" * len(s)
    return s[:6] + "*" * (len(s) - 10) + s[-4:]


def mask_name(name: object) -> str:
    """``张三丰`` → ``张**``; ``Li Wei`` → ``L*****``."""
    if name is None:
        return ""
    s = str(name).strip()
    if not s:
        return ""
    return s[0] + "*" * (len(s) - 1)
