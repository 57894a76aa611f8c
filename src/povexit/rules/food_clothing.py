"""不愁吃、不愁穿 (seed 001 §三(三)1), and the exception that support from capable children counts."""

from __future__ import annotations

import polars as pl

from .base import Ctx, Rule, col, is_no, is_yes, join_parts, lit_num, when_text

FOOD = ("food_staple_enough", "food_vegetable_enough", "food_protein_enough")
CLOTHING = ("clothing_seasonal", "clothing_change")


def _food_detail(lang: str):
    def build(ctx: Ctx) -> pl.Expr:
        s, v, p = (lit_num(ctx.p(f"food.{k}_g_per_day")) for k in ("staple", "vegetable", "protein"))
        if lang == "zh":
            texts = (f"主食不足{s}克/人/天", f"蔬菜不足{v}克/人/天", f"蛋白质不足{p}克左右/人/天")
            sep = "、"
        else:
            texts = (f"staple below {s} g a day", f"vegetables below {v} g a day", f"protein below about {p} g a day")
            sep = ", "
        return join_parts([when_text(is_no(f), t) for f, t in zip(FOOD, texts, strict=True)], sep)
    return build


def _clothing_detail(lang: str):
    def build(_: Ctx) -> pl.Expr:
        texts = ("四季无换季衣服", "日常无换洗衣服") if lang == "zh" else (
            "no clothes for every season", "no clothes to change")
        return join_parts([when_text(is_no(f), t) for f, t in zip(CLOTHING, texts, strict=True)],
                          "、" if lang == "zh" else ", ")
    return build


RULES = (
    Rule(
        id="support.children", kind="exception",
        zh="子女（父母）有赡养（抚养）能力且实际赡养的，吃穿由赡养满足，不算愁吃愁穿",
        en="Where capable children actually support the household, food and clothing met by that support "
           "count as secured",
        label_zh="子女赡养", label_en="support from children",
        cite="seed 001 §三(三)1（“靠子女赡养”）；seed 002 附件3 一、2",
        fields=("children_support_capable", "children_support_provided"),
        params=("support.children_support_neutralises",),
        neutralises=lambda ctx: tuple(ctx.p("support.children_support_neutralises")),
        test=lambda ctx: is_yes("children_support_capable") & is_yes("children_support_provided"),
    ),
    Rule(
        id="food.insufficient", kind="problem",
        zh="不愁吃未保障：主食（米或面）、蔬菜每人每天不足500克，或不能补充100克左右蛋白质",
        en="Food not secured: below 500 g staple or 500 g vegetables a person a day, or no ~100 g of protein",
        label_zh="不愁吃未保障", label_en="food not secured",
        cite="seed 001 §三(三)1；seed 002 附件3 二(一)1",
        fields=FOOD, params=("food.staple_g_per_day", "food.vegetable_g_per_day", "food.protein_g_per_day"),
        test=lambda ctx: ~pl.all_horizontal([col(f) for f in FOOD]),
        detail_zh=_food_detail("zh"), detail_en=_food_detail("en"),
    ),
    Rule(
        id="clothing.insufficient", kind="problem",
        zh="不愁穿未保障：四季没有换季衣服或日常没有换洗衣服",
        en="Clothing not secured: no clothes for every season or none to change",
        label_zh="不愁穿未保障", label_en="clothing not secured",
        cite="seed 001 §三(三)1；seed 002 附件3 二(一)1",
        fields=CLOTHING,
        test=lambda ctx: ~pl.all_horizontal([col(f) for f in CLOTHING]),
        detail_zh=_clothing_detail("zh"), detail_en=_clothing_detail("en"),
    ),
)
