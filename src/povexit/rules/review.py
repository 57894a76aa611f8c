"""Points for a checker to look at (待核实) that do not change the verdict: an enumerator's judgement
that the rules do not bear out, an exit the household itself doubts, a registered household on an
exclusion list (suspected wrongful identification, 错评)."""

from __future__ import annotations

import polars as pl

from .base import Rule, col, is_no, is_yes

RULES = (
    Rule(
        id="review.income_not_stable", kind="review",
        zh="调查员综合研判收入不稳定可持续，但测算的稳定收入超过标准", en="The enumerator judged the income not stable "
        "and sustainable, although the computed stable income is above the line",
        label_zh="收入稳定性存疑", label_en="income stability doubtful", cite="seed 002 附件2 第27题",
        fields=("income_stable", "income_unstable_reason"), derived=("d_income_pc",), after_verdict=True,
        test=lambda ctx: is_no("income_stable") & ~col("r::income.below_line"),
        detail_zh=lambda ctx: pl.format("调查员研判收入不稳定{}", pl.when(col("income_unstable_reason").is_not_null())
                                        .then(pl.format("（{}）", col("income_unstable_reason"))).otherwise(pl.lit(""))),
        detail_en=lambda ctx: pl.lit("enumerator judged the income unstable"),
    ),
    Rule(
        id="review.enumerator_missed", kind="review",
        zh="调查员判定为漏评户，但规则未发现问题（或该户在排除名单内）",
        en="The enumerator judged the household missed poor, but the rules found no problem (or it is excluded)",
        label_zh="调查员判定漏评", label_en="enumerator judged it missed", cite="seed 002 附件3 四(一)",
        fields=("missed_judgement", "missed_persons", "missed_reason"), after_verdict=True,
        applies=lambda ctx: col("_kind") == "nonregistered",
        test=lambda ctx: is_yes("missed_judgement") & ~col("v_missed"),
        detail_zh=lambda ctx: pl.format("调查员判定漏评{}", pl.when(col("missed_reason").is_not_null())
                                        .then(pl.format("（{}）", col("missed_reason"))).otherwise(pl.lit(""))),
        detail_en=lambda ctx: pl.lit("the enumerator judged it missed poor"),
    ),
    Rule(
        id="review.exit_not_sustained", kind="review",
        zh="脱贫户：调查员研判脱贫不可持续或农户不认可自己脱贫，但规则未发现问题",
        en="Exited household: the enumerator judged the exit unsustainable or the household does not accept it, "
           "but the rules found no problem",
        label_zh="脱贫质量存疑", label_en="exit quality doubtful", cite="seed 002 附件2 第28题",
        fields=("exit_sustained", "exit_acknowledged", "exit_known"), after_verdict=True,
        applies=lambda ctx: col("_kind") == "exited",
        test=lambda ctx: (is_no("exit_sustained") | is_no("exit_acknowledged")).fill_null(False) & ~col("v_wrongful"),
        detail_zh=lambda ctx: pl.lit("脱贫可持续性或本户认可存疑"),
        detail_en=lambda ctx: pl.lit("exit sustainability or acceptance doubtful"),
    ),
    Rule(
        id="review.registered_on_exclusion_list", kind="review",
        zh="建档立卡户家庭成员在排除名单中（疑似错评）", en="A member of a registered household is on an exclusion list "
        "(suspected wrongful identification)",
        label_zh="疑似错评", label_en="suspected wrongful identification", cite="CONTRACTS.md §1 rosters；issue 5",
        fields=(), derived=("x_sources",), applies=lambda ctx: col("_registered"),
        test=lambda ctx: col("x_sources").list.len() > 0,
        detail_zh=lambda ctx: pl.format("家庭成员在排除名单：{}", col("x_sources").list.join("、")),
        detail_en=lambda ctx: pl.format("member on exclusion list(s): {}", col("x_sources").list.join(", ")),
    ),
)
