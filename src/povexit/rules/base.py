"""What a rule is: a stable id, a Chinese and English description, the answers it reads, the ruleset
parameters it uses, and a Polars expression that decides it for every household at once.

Three-valued logic throughout: a rule's expression is ``True`` (it fires — or, for an exception, it
applies), ``False`` (it passes) or null (an answer it needs is missing → "cannot judge"). Polars'
``&``/``|``/``any_horizontal`` follow Kleene logic, so "any problem" is true as soon as one rule fires
even if others are unknown, and unknown only when nothing fired and something could not be decided.

Columns a rule may read besides the answers (built by :mod:`povexit.rules.household_table`):
``_kind`` (exited | poor | returned | nonregistered | null = registered but not in the registry),
``_registered`` (bool), ``d_*`` derived values (income per head, persons), ``m_*`` aggregates of the
members table, ``x_sources`` (exclusion-list hits), ``v_sources`` (vulnerability-list hits),
``o_rules`` (rules a checker overrode) and, for rules evaluated after the verdict, ``v_*``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from .ruleset import Ruleset

RuleKind = Literal["problem", "exception", "policy", "exclusion", "approval", "review"]
KIND_ORDER: tuple[RuleKind, ...] = ("exception", "problem", "exclusion", "approval", "policy", "review")

ExprFn = Callable[["Ctx"], pl.Expr]


@dataclass(frozen=True)
class Ctx:
    """What a rule's expression builder may use: the resolved ruleset."""

    ruleset: Ruleset

    def p(self, path: str) -> Any:
        return self.ruleset.value(path)


def _always(_: Ctx) -> pl.Expr:
    return pl.lit(True)


@dataclass(frozen=True)
class Rule:
    id: str
    kind: RuleKind
    zh: str  # what the rule decides (Chinese)
    en: str
    label_zh: str  # short printable label, e.g. 住房安全无保障
    label_en: str
    cite: str  # where the documents say it (seed and section)
    fields: tuple[str, ...]  # the answers it reads (shown in the evidence)
    test: ExprFn
    applies: ExprFn = _always
    params: tuple[str, ...] = ()  # ruleset parameters it uses (their values and sources go in the evidence)
    optional: tuple[str, ...] | Callable[[Ctx], tuple[str, ...]] = ()  # never reported missing
    derived: tuple[str, ...] = ()  # computed columns shown in the evidence
    neutralises: tuple[str, ...] | Callable[[Ctx], tuple[str, ...]] = ()  # exceptions: rules they cancel
    detail_zh: ExprFn | None = None  # printable detail, e.g. "C级危房，未改造"
    detail_en: ExprFn | None = None
    after_verdict: bool = False  # reads v_* columns (policy/review rules about the verdict)
    # Custom "which answers are missing": (field, condition) pairs evaluated for every row; by default
    # the non-optional fields that are null when the rule could not be decided.
    missing: Callable[[Ctx], list[tuple[str, pl.Expr]]] | None = None

    def optional_fields(self, ctx: Ctx) -> tuple[str, ...]:
        return self.optional(ctx) if callable(self.optional) else self.optional

    def neutralised(self, ctx: Ctx) -> tuple[str, ...]:
        return self.neutralises(ctx) if callable(self.neutralises) else self.neutralises

    def describe(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


# ---- expression helpers --------------------------------------------------------------------------

def col(name: str) -> pl.Expr:
    return pl.col(name)


def is_yes(name: str) -> pl.Expr:
    """True / False / null as answered."""
    return pl.col(name) == pl.lit(True)


def is_no(name: str) -> pl.Expr:
    return pl.col(name) == pl.lit(False)


def null_bool() -> pl.Expr:
    return pl.lit(None, dtype=pl.Boolean)


def num(expr: pl.Expr) -> pl.Expr:
    """A number as people write it: ``40``, not ``40.0``; one decimal otherwise."""
    r = expr.cast(pl.Float64).round(1)
    return (
        pl.when(r.is_null()).then(pl.lit("?"))
        .when(r == r.round(0)).then(r.cast(pl.Int64).cast(pl.String))
        .otherwise(r.cast(pl.String))
    )


def lit_num(v: float | int | None) -> str:
    if v is None:
        return "?"
    f = float(v)
    return str(int(f)) if f.is_integer() else f"{f:.1f}"


def join_parts(parts: list[pl.Expr], sep: str) -> pl.Expr:
    """Join the non-null string expressions with ``sep`` (empty string when none). ``concat_str`` with
    ``ignore_nulls`` — an order of magnitude faster than building lists row by row."""
    if not parts:
        return pl.lit("")
    return pl.concat_str([p.cast(pl.String) for p in parts], separator=sep, ignore_nulls=True)


def when_text(cond: pl.Expr, text: pl.Expr | str) -> pl.Expr:
    return pl.when(cond).then(text if isinstance(text, pl.Expr) else pl.lit(text)).otherwise(pl.lit(None,
                                                                                                      pl.String))
