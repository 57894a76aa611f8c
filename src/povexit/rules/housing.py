"""住房安全有保障 (seed 001 §三(三)2): a grade A or B house; a relocated household has moved in; a
rebuilt house is finished (certified) and occupied; or an accepted substitute (ruleset list)."""

from __future__ import annotations

import polars as pl

from .base import Ctx, Rule, col, is_no, is_yes, join_parts, when_text

GRADES = ("A", "B", "C", "D")


def _grade_bad(ctx: Ctx) -> pl.Expr:
    g = col("housing_grade")
    return g.is_in(list(GRADES)) & ~g.is_in(list(ctx.p("housing.accepted_grades")))


def _unsafe(ctx: Ctx) -> pl.Expr:
    """A grade outside the accepted ones, or the enumerator's combined judgement "not safe"; safe when
    the judgement says so or the grade is accepted; unknown otherwise (e.g. unassessed and no judgement).

    A relocated household that has not moved in is judged "not safe" for that reason alone: the more
    specific rule ``housing.relocation_not_moved_in`` reports it, so the judgement does not count twice."""
    g = col("housing_grade")
    not_moved_in = (is_yes("relocated") & is_no("relocated_moved_in")).fill_null(False)
    return (
        pl.when(_grade_bad(ctx)).then(pl.lit(True))
        .when(is_no("housing_safe") & ~not_moved_in).then(pl.lit(True))
        .when(is_no("housing_safe")).then(pl.lit(False))
        .when(is_yes("housing_safe")).then(pl.lit(False))
        .when(g.is_in(list(ctx.p("housing.accepted_grades")))).then(pl.lit(False))
        .otherwise(pl.lit(None, dtype=pl.Boolean))
    )


def _substitute() -> pl.Expr:
    # The form asks for a substitute only when the grade is C, D or unassessed: with an A/B grade an
    # empty answer means "none".
    return pl.when(col("housing_substitute").is_null() & col("housing_grade").is_in(["A", "B"])).then(
        pl.lit("none")).otherwise(col("housing_substitute"))


def _unsafe_detail(lang: str):
    def build(ctx: Ctx) -> pl.Expr:
        bad = _grade_bad(ctx)
        if lang == "zh":
            parts = [when_text(bad, pl.format("{}级危房", col("housing_grade"))),
                     when_text(is_no("housing_safe") & ~bad.fill_null(False), "综合判断住房安全无保障"),
                     when_text(is_no("renovated"), "未改造"),
                     when_text(is_yes("renovated") & is_no("renovation_finished"), "改造未完工"),
                     when_text(is_yes("renovation_finished") & is_no("renovation_occupied"), "改造后未入住")]
            return join_parts(parts, "，")
        parts = [when_text(bad, pl.format("grade {} dangerous house", col("housing_grade"))),
                 when_text(is_no("housing_safe") & ~bad.fill_null(False), "judged unsafe on site"),
                 when_text(is_no("renovated"), "not renovated"),
                 when_text(is_yes("renovated") & is_no("renovation_finished"), "renovation unfinished"),
                 when_text(is_yes("renovation_finished") & is_no("renovation_occupied"), "renovated but not occupied")]
        return join_parts(parts, ", ")
    return build


RULES = (
    Rule(
        id="housing.relocated_moved_in", kind="exception",
        zh="易地扶贫搬迁户已入住搬迁房的，住房安全有保障", en="A relocated household that has moved in has safe housing",
        label_zh="已入住搬迁房", label_en="moved into the relocation house",
        cite="seed 001 §三(三)2（易地扶贫搬迁户已入住搬迁房）",
        fields=("relocated", "relocated_moved_in"), neutralises=("housing.unsafe",),
        test=lambda ctx: is_yes("relocated") & is_yes("relocated_moved_in"),
    ),
    Rule(
        id="housing.renovated_occupied", kind="exception",
        zh="危房改造新房已完工（经鉴定）且已入住的，住房安全有保障",
        en="A renovated house that is finished (certified) and occupied is safe housing",
        label_zh="危改新房已完工入住", label_en="renovated house finished and occupied",
        cite="seed 001 §三(三)2（危房改造农户新房已完工……且已入住）",
        fields=("renovated", "renovation_finished", "renovation_occupied"), neutralises=("housing.unsafe",),
        test=lambda ctx: is_yes("renovated") & is_yes("renovation_finished") & is_yes("renovation_occupied"),
    ),
    Rule(
        id="housing.accepted_substitute", kind="exception",
        zh="另有安全住房、长期租住安全住房、集中供养、搬迁已交钥匙或与子女同住安全住房等认可方式的，住房安全有保障",
        en="An accepted substitute (safe house elsewhere, long-term rent, collective care, relocation keys handed "
           "over, living with children) secures housing",
        label_zh="其他安全住房保障", label_en="accepted housing substitute",
        cite="issue 5；seed 001 §三(三)2",
        fields=("housing_substitute",), params=("housing.accepted_substitutes",),
        neutralises=("housing.unsafe", "housing.relocation_not_moved_in"),
        test=lambda ctx: _substitute().is_in(list(ctx.p("housing.accepted_substitutes"))),
    ),
    Rule(
        id="housing.unsafe", kind="problem",
        zh="住房安全无保障：住房不是A级或B级（或综合判断不安全），且没有认可的其他安全住房",
        en="Housing not secured: the house is not grade A or B (or judged unsafe) and there is no accepted "
           "substitute",
        label_zh="住房安全无保障", label_en="housing not secured",
        cite="seed 001 §三(三)2；seed 002 附件2 第9题、附件3 二(二)3",
        fields=("housing_grade", "housing_safe", "renovated", "renovation_finished", "renovation_occupied"),
        optional=("renovated", "renovation_finished", "renovation_occupied"),
        params=("housing.accepted_grades",),
        test=_unsafe, detail_zh=_unsafe_detail("zh"), detail_en=_unsafe_detail("en"),
    ),
    Rule(
        id="housing.relocation_not_moved_in", kind="problem",
        zh="住房安全无保障：易地扶贫搬迁户尚未入住搬迁房",
        en="Housing not secured: a relocated household has not moved into the relocation house",
        label_zh="易地扶贫搬迁未入住", label_en="relocated but not moved in",
        cite="seed 001 §三(三)2（易地扶贫搬迁户已入住搬迁房）",
        fields=("relocated", "relocated_moved_in"),
        test=lambda ctx: is_yes("relocated") & is_no("relocated_moved_in"),
    ),
)
