"""Safe drinking water (不愁吃 includes it, seed 001 §三(三)1): quality, quantity, convenience, reliability.

Thresholds come from the ruleset: the 2004 scheme quoted by seed 002 附件1（四）(40 L, 10 minutes, 95 %)
or T/CHES 18-2018 (35 L / 20 L in water-scarce areas; ≤20 minutes or ≤800 m or ≤80 m; ≤36 days a year
without water). "不低于" / "不超过" are inclusive: exactly 40 L, 10 minutes, 95 % pass.
"""

from __future__ import annotations

import polars as pl

from .base import Ctx, Rule, col, is_no, is_yes, join_parts, lit_num, num, when_text

LITRES = "water_litres_per_person_day"
MINUTES = "water_fetch_minutes"
HORIZONTAL = "water_horizontal_m"
VERTICAL = "water_vertical_m"
PCT = "water_reliability_pct"
DAYS = "water_days_without"
SCARCE = "water_scarce_area"
CITE = "seed 001 §三(三)1（有安全的饮水保障）；seed 002 附件1（四）、附件2 第1题"


def _by_scarcity(ctx: Ctx, value: pl.Expr, normal: str, scarce: str) -> pl.Expr:
    """``value`` below the threshold for its area. Unknown scarcity matters only between the two
    thresholds."""
    n, s = ctx.p(normal), ctx.p(scarce)
    thr = pl.when(is_yes(SCARCE)).then(pl.lit(s)).when(is_no(SCARCE)).then(pl.lit(n))
    return pl.when(value >= max(n, s)).then(False).when(value < min(n, s)).then(True).otherwise(value < thr)


def _threshold_text(ctx: Ctx, normal: str, scarce: str) -> pl.Expr:
    n, s = lit_num(ctx.p(normal)), lit_num(ctx.p(scarce))
    return pl.when(is_yes(SCARCE)).then(pl.lit(s)).otherwise(pl.lit(n))


def _quantity(ctx: Ctx) -> pl.Expr:
    return _by_scarcity(ctx, col(LITRES), "water.quantity_min_l", "water.quantity_min_l_scarce")


def _convenience(ctx: Ctx) -> pl.Expr:
    minutes = col(MINUTES)
    ok = minutes <= ctx.p("water.fetch_max_minutes")
    alts = []
    if ctx.p("water.fetch_max_horizontal_m") is not None:
        alts.append(col(HORIZONTAL) <= ctx.p("water.fetch_max_horizontal_m"))
    if ctx.p("water.fetch_max_vertical_m") is not None:
        alts.append(col(VERTICAL) <= ctx.p("water.fetch_max_vertical_m"))
    if alts:
        # Any one criterion met is enough. A distance not recorded is "not measured", so when the time
        # was answered it decides unless a recorded distance passes.
        alt = pl.any_horizontal(alts)
        ok = pl.when(minutes.is_not_null()).then(ok | alt.fill_null(False)).otherwise(alt)
    return ~ok


def _convenience_optional(ctx: Ctx) -> tuple[str, ...]:
    opt = []
    if ctx.p("water.fetch_max_horizontal_m") is None:
        opt.append(HORIZONTAL)
    if ctx.p("water.fetch_max_vertical_m") is None:
        opt.append(VERTICAL)
    return tuple(opt)


def _reliability(ctx: Ctx) -> pl.Expr:
    pct_test = _by_scarcity(ctx, col(PCT), "water.reliability_min_pct", "water.reliability_min_pct_scarce")
    max_days = ctx.p("water.max_days_without")
    if max_days is not None:  # the criterion is days without water; a percentage only when days are unknown
        return pl.when(col(DAYS).is_not_null()).then(col(DAYS) > max_days).otherwise(pct_test)
    eff = pl.coalesce(col(PCT), (1 - col(DAYS) / 365.0) * 100)
    return _by_scarcity(ctx, eff, "water.reliability_min_pct", "water.reliability_min_pct_scarce")


def _reliability_detail(ctx: Ctx, lang: str) -> pl.Expr:
    thr = _threshold_text(ctx, "water.reliability_min_pct", "water.reliability_min_pct_scarce")
    max_days = ctx.p("water.max_days_without")
    if lang == "zh":
        pct = pl.format("供水保证率{}%，低于{}%", num(col(PCT)), thr)
        days = pl.format("一年断水{}天，超过{}天", num(col(DAYS)), pl.lit(lit_num(max_days))) if max_days is not None \
            else pl.format("一年断水{}天，保证率低于{}%", num(col(DAYS)), thr)
    else:
        pct = pl.format("supply reliability {} %, below {} %", num(col(PCT)), thr)
        days = pl.format("{} days a year without water, more than {}", num(col(DAYS)), pl.lit(lit_num(max_days))) \
            if max_days is not None else pl.format("{} days a year without water, reliability below {} %",
                                                   num(col(DAYS)), thr)
    use_days = col(DAYS).is_not_null() if max_days is not None else col(PCT).is_null()
    return pl.when(use_days).then(days).otherwise(pct)


def _convenience_detail(ctx: Ctx, lang: str) -> pl.Expr:
    m = pl.lit(lit_num(ctx.p("water.fetch_max_minutes")))
    if lang == "zh":
        texts = (pl.format("取水往返{}分钟，超过{}分钟", num(col(MINUTES)), m),
                 pl.format("水平距离{}米", num(col(HORIZONTAL))), pl.format("垂直高差{}米", num(col(VERTICAL))))
        sep = "，"
    else:
        texts = (pl.format("{}-minute round trip, more than {}", num(col(MINUTES)), m),
                 pl.format("{} m away", num(col(HORIZONTAL))), pl.format("{} m climb", num(col(VERTICAL))))
        sep = ", "
    return join_parts([when_text(col(f).is_not_null(), t) for f, t in zip((MINUTES, HORIZONTAL, VERTICAL), texts,
                                                                            strict=True)], sep)


RULES = (
    Rule(
        id="water.quality", kind="problem",
        zh="饮水安全无保障：水质不达标", en="Drinking water not secured: quality below standard",
        label_zh="饮水水质不达标", label_en="drinking-water quality below standard", cite=CITE,
        fields=("water_quality_ok",), params=("water.scheme",),
        test=lambda ctx: is_no("water_quality_ok"),
    ),
    Rule(
        id="water.quantity", kind="problem",
        zh="饮水安全无保障：每人每天可获得的水量低于标准（缺水地区按缺水地区标准）",
        en="Drinking water not secured: less water per person a day than the standard (water-scarce areas: "
           "their own standard)",
        label_zh="饮水水量不足", label_en="not enough drinking water", cite=CITE,
        fields=(LITRES, SCARCE), params=("water.scheme", "water.quantity_min_l", "water.quantity_min_l_scarce"),
        test=_quantity,
        detail_zh=lambda ctx: pl.format("每人每天可获得水量{}升，低于{}升", num(col(LITRES)),
                                        _threshold_text(ctx, "water.quantity_min_l", "water.quantity_min_l_scarce")),
        detail_en=lambda ctx: pl.format("{} litres a person a day, below {}", num(col(LITRES)),
                                        _threshold_text(ctx, "water.quantity_min_l", "water.quantity_min_l_scarce")),
    ),
    Rule(
        id="water.convenience", kind="problem",
        zh="饮水安全无保障：人力取水往返时间超过标准（或取水距离、高差超过标准）",
        en="Drinking water not secured: fetching takes longer than the standard (or is farther or higher)",
        label_zh="取水不方便", label_en="fetching water takes too long", cite=CITE,
        fields=(MINUTES, HORIZONTAL, VERTICAL), optional=_convenience_optional,
        params=("water.scheme", "water.fetch_max_minutes", "water.fetch_max_horizontal_m", "water.fetch_max_vertical_m"),
        test=_convenience,
        detail_zh=lambda ctx: _convenience_detail(ctx, "zh"), detail_en=lambda ctx: _convenience_detail(ctx, "en"),
    ),
    Rule(
        id="water.reliability", kind="problem",
        zh="饮水安全无保障：供水保证率低于标准（或一年断水天数超过标准）",
        en="Drinking water not secured: supply reliability below the standard (or too many days without water)",
        label_zh="供水保证率不达标", label_en="water supply unreliable", cite=CITE,
        fields=(PCT, DAYS, SCARCE),
        params=("water.scheme", "water.reliability_min_pct", "water.reliability_min_pct_scarce",
                "water.max_days_without"),
        test=_reliability,
        detail_zh=lambda ctx: _reliability_detail(ctx, "zh"), detail_en=lambda ctx: _reliability_detail(ctx, "en"),
    ),
)
