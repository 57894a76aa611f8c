"""Income: stable net income per head against the poverty line of the ruleset's year and province.

Stable income = wage + business + property + transfer − production costs − one-off (windfall) income,
divided by the members sharing income (``d_income_pc``, built in household_table; the form's
``income_net_per_capita`` when the components are incomplete). An exited household must be *above*
the line ("超过", seed 002 附件1（一）); a non-registered household qualifies only *below* it.
"""

from __future__ import annotations

import polars as pl

from .base import Ctx, Rule, col, is_no, lit_num, num

INCOME_FIELDS = ("income_wage", "income_business", "income_property", "income_transfer", "production_cost",
                 "income_windfall", "income_net_per_capita", "persons_sharing", "persons", "income_stable")


def _fails(ctx: Ctx, income: pl.Expr) -> pl.Expr:
    """The income test for ``income``: not above the line for registered households, below it for
    non-registered ones (恰好等于标准: fails the first, passes the second)."""
    line = ctx.p("income.poverty_line")
    not_above = income <= line if ctx.p("income.exit_requires_above_line") else income < line
    below = income < line if ctx.p("income.identification_strictly_below") else income <= line
    return pl.when(col("_kind") == "nonregistered").then(below).otherwise(not_above)


def _below_line(ctx: Ctx) -> pl.Expr:
    test = _fails(ctx, col("d_income_pc"))
    if ctx.p("income.unstable_counts_as_below_line"):
        test = test | is_no("income_stable")
    return test


def _income_optional(ctx: Ctx) -> tuple[str, ...]:
    opt = ("production_cost", "income_windfall", "persons")
    return opt if ctx.p("income.unstable_counts_as_below_line") else (*opt, "income_stable")


def _detail_zh(ctx: Ctx) -> pl.Expr:
    line = lit_num(ctx.p("income.poverty_line"))
    windfall = pl.when(col("income_windfall") > 0).then(
        pl.format("；一次性收入{}元未计入", num(col("income_windfall")))).otherwise(pl.lit(""))
    return pl.format("稳定人均纯收入{}元，扶贫标准{}元{}", num(col("d_income_pc")), pl.lit(line), windfall)


def _detail_en(ctx: Ctx) -> pl.Expr:
    line = lit_num(ctx.p("income.poverty_line"))
    windfall = pl.when(col("income_windfall") > 0).then(
        pl.format("; one-off income of {} yuan not counted", num(col("income_windfall")))).otherwise(pl.lit(""))
    return pl.format("stable net income {} yuan a head, poverty line {} yuan{}", num(col("d_income_pc")),
                     pl.lit(line), windfall)


def _windfall(ctx: Ctx) -> pl.Expr:
    """The windfall made the difference: with it the household would pass, without it it fails."""
    if not ctx.p("income.windfall_excluded"):
        return pl.lit(False)
    return ((col("income_windfall") > 0) & _fails(ctx, col("d_income_pc"))
            & ~_fails(ctx, col("d_income_pc_with_windfall")))


RULES = (
    Rule(
        id="income.windfall_excluded", kind="exception",
        zh="一次性收入（偶然所得）不计入稳定收入：含一次性收入超过标准、不含则未超过的，按未超过判断",
        en="One-off income does not count as stable income: a household above the line only thanks to it is "
           "judged on its stable income",
        label_zh="一次性收入不计入稳定收入", label_en="one-off income not counted",
        cite="seed 001 §三(二)1（收入未稳定超过国家扶贫标准）；issue 5",
        fields=("income_windfall",), derived=("d_income_pc", "d_income_pc_with_windfall"),
        params=("income.poverty_line", "income.windfall_excluded"),
        test=_windfall,
    ),
    Rule(
        id="income.below_line", kind="problem",
        zh="稳定人均纯收入未超过扶贫标准（脱贫户）或低于扶贫标准（未建档立卡户）",
        en="Stable net income per head not above the poverty line (exited household) or below it "
           "(non-registered household)",
        label_zh="收入未稳定超过扶贫标准", label_en="income not stably above the poverty line",
        cite="seed 001 §三(二)1–2；seed 002 附件1（一）、附件2 第27题",
        fields=INCOME_FIELDS, optional=_income_optional,
        derived=("d_income_pc", "d_persons_sharing"),
        params=("income.poverty_line", "income.exit_requires_above_line", "income.identification_strictly_below",
                "income.unstable_counts_as_below_line", "income.windfall_excluded"),
        test=_below_line, detail_zh=_detail_zh, detail_en=_detail_en,
    ),
)
