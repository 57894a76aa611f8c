"""义务教育有保障: no child of compulsory-school age out of school (seed 001 §三(三)2).

The household's answers (``dropout`` …) and its members table both count: a member coded ``dropout``
of compulsory age, or ``not_in_school`` between the latest entry age and the youngest age at which
nine years could be complete, is a dropout (household_table ``m_dropouts``). Exception: a severely
disabled child taught at home (送教上门), out of school because health does not allow it.
"""

from __future__ import annotations

import polars as pl

from .base import Ctx, Rule, col, is_no, is_yes, join_parts, when_text

REASON_ZH = {"hardship": "家庭困难", "unwilling": "不想上学", "health": "身体条件不允许", "other": "其他"}
REASON_EN = {"hardship": "family hardship", "unwilling": "unwilling", "health": "health", "other": "other"}


def _household_dropout() -> pl.Expr:
    # ``dropout`` is asked only when there is a child of compulsory age.
    return pl.coalesce(col("dropout"), pl.when(is_no("has_compulsory_child")).then(pl.lit(False)))


def _dropout(ctx: Ctx) -> pl.Expr:
    return _household_dropout() | (col("m_dropouts") > 0)


def _home_schooling(ctx: Ctx) -> pl.Expr:
    if not ctx.p("education.home_schooling_exempt"):
        return pl.lit(False)
    # The exception covers the child the household reported; a member listed as a plain dropout is not
    # covered by it.
    return (is_yes("dropout") & is_yes("home_schooling") & (col("dropout_reason") == "health")
            & (col("m_dropouts") == 0))


def _detail(lang: str):
    def build(ctx: Ctx) -> pl.Expr:
        n = pl.coalesce(col("dropout_count"), pl.when(col("m_dropouts") > 0).then(col("m_dropouts")))
        reasons = REASON_ZH if lang == "zh" else REASON_EN
        reason = col("dropout_reason").replace_strict(reasons, default=col("dropout_reason"))
        members = col("m_dropout_detail").list.join("、" if lang == "zh" else ", ")
        if lang == "zh":
            parts = [when_text(n.is_not_null(), pl.format("义务教育阶段辍学{}人", n.cast(pl.String))),
                     when_text(n.is_null(), "义务教育阶段有辍学"),
                     when_text(reason.is_not_null(), pl.format("原因：{}", reason)),
                     when_text(col("m_dropouts") > 0, members)]
            return join_parts(parts, "，")
        parts = [when_text(n.is_not_null(), pl.format("{} child(ren) of compulsory age out of school", n.cast(pl.String))),
                 when_text(n.is_null(), "a child of compulsory age out of school"),
                 when_text(reason.is_not_null(), pl.format("reason: {}", reason)),
                 when_text(col("m_dropouts") > 0, members)]
        return join_parts(parts, ", ")
    return build


RULES = (
    Rule(
        id="education.home_schooling", kind="exception",
        zh="因重度残疾身体条件不允许到校、已送教上门的适龄儿童不算辍学",
        en="A child who cannot attend because of severe disability and is taught at home (送教上门) is not a "
           "dropout",
        label_zh="送教上门", label_en="taught at home",
        cite="seed 002 附件2 第2题（辍学原因“身体条件不允许”）；issue 5",
        fields=("dropout", "home_schooling", "dropout_reason"), derived=("m_dropouts", "m_home_schooling"),
        params=("education.home_schooling_exempt",), neutralises=("education.dropout",),
        test=_home_schooling,
    ),
    Rule(
        id="education.dropout", kind="problem",
        zh="义务教育无保障：家中有义务教育阶段适龄儿童、少年辍学",
        en="Compulsory education not secured: a child of compulsory-school age has dropped out",
        label_zh="义务教育无保障", label_en="compulsory education not secured",
        cite="seed 001 §三(三)2（没有义务教育阶段适龄儿童辍学）；seed 002 附件2 第2题、附件3 二(二)1",
        fields=("has_compulsory_child", "dropout", "dropout_count", "dropout_reason"),
        optional=("dropout_count", "dropout_reason"), derived=("m_dropouts", "m_dropout_detail"),
        params=("education.compulsory_age_min", "education.compulsory_age_max", "education.latest_entry_age"),
        test=_dropout, detail_zh=_detail("zh"), detail_en=_detail("en"),
    ),
)
