"""基本医疗有保障: insured (basic + critical-illness insurance) and able to afford care (seed 001 §三(三)2:
“享有新农合、大病医疗保险……能够看得上病、看得起病”)."""

from __future__ import annotations

import polars as pl

from .base import Ctx, Rule, col, is_no, is_yes, join_parts, when_text


def _members_all(prefix: str) -> pl.Expr:
    """All members insured, from the members table (null when it has no rows or unknown answers)."""
    return pl.when((col("m_count") > 0) & (col(f"m_{prefix}_unknown") == 0)).then(col(f"m_{prefix}_uninsured") == 0)


def _uninsured(ctx: Ctx) -> pl.Expr:
    basic_ok = pl.coalesce(col("all_basic_insured"), _members_all("basic"))
    test = ~basic_ok | (col("m_basic_uninsured") > 0)
    if ctx.p("medical.require_critical_insurance"):
        critical_ok = pl.coalesce(col("all_critical_insured"), _members_all("critical"))
        test = test | ~critical_ok | (col("m_critical_uninsured") > 0)
    return test


def _uninsured_missing(ctx: Ctx) -> list[tuple[str, pl.Expr]]:
    unknown = _uninsured(ctx).is_null()
    out = [("all_basic_insured", unknown & col("all_basic_insured").is_null())]
    if ctx.p("medical.require_critical_insurance"):
        out.append(("all_critical_insured", unknown & col("all_critical_insured").is_null()))
    return out


def _uninsured_detail(lang: str):
    def build(ctx: Ctx) -> pl.Expr:
        no_basic = is_no("all_basic_insured") | (col("m_basic_uninsured") > 0)
        no_crit = is_no("all_critical_insured") | (col("m_critical_uninsured") > 0)
        if lang == "zh":
            return join_parts([when_text(no_basic, "有家庭成员未参加基本医疗保险"),
                               when_text(no_crit, "有家庭成员未参加大病保险")], "，")
        return join_parts([when_text(no_basic, "a member without basic medical insurance"),
                           when_text(no_crit, "a member without critical-illness insurance")], ", ")
    return build


def _unaffordable(ctx: Ctx) -> pl.Expr:
    # Basic living secured decides; if unanswered, costs that are not excessive mean care is affordable.
    affordable = pl.coalesce(col("medical_basic_life_secured"),
                             pl.when(is_no("medical_expense_excessive")).then(pl.lit(True)))
    return is_yes("serious_illness_present") & ~affordable


RULES = (
    Rule(
        id="medical.uninsured", kind="problem",
        zh="基本医疗无保障：有家庭成员未参加城乡居民基本医疗保险或大病保险",
        en="Basic medical care not secured: a member lacks basic medical or critical-illness insurance",
        label_zh="未参加基本医保或大病保险", label_en="not insured for basic or critical illness",
        cite="seed 001 §三(三)2；seed 002 附件2 第4题",
        fields=("all_basic_insured", "all_critical_insured"),
        derived=("m_basic_uninsured", "m_critical_uninsured"), params=("medical.require_critical_insurance",),
        test=_uninsured, missing=_uninsured_missing,
        detail_zh=_uninsured_detail("zh"), detail_en=_uninsured_detail("en"),
    ),
    Rule(
        id="medical.unaffordable", kind="problem",
        zh="基本医疗无保障：有大病、重病病人，医疗刚性支出过大，得病后基本生活无保障（看不起病）",
        en="Basic medical care not secured: a seriously ill member and basic living not secured because of the "
           "cost of care",
        label_zh="看病负担过重", label_en="medical costs not affordable",
        cite="seed 001 §三(三)2（看得起病）；seed 002 附件3 二(二)2",
        fields=("serious_illness_present", "medical_expense_excessive", "medical_basic_life_secured"),
        optional=("medical_expense_excessive",),
        test=_unaffordable,
        detail_zh=lambda ctx: join_parts([pl.lit("有大病病人"),
                                          when_text(is_yes("medical_expense_excessive"), "医疗刚性支出过大"),
                                          when_text(is_no("medical_basic_life_secured"), "基本生活无保障")], "，"),
        detail_en=lambda ctx: join_parts([pl.lit("a seriously ill member"),
                                          when_text(is_yes("medical_expense_excessive"), "excessive medical costs"),
                                          when_text(is_no("medical_basic_life_secured"), "basic living not secured")],
                                         ", "),
    ),
)
