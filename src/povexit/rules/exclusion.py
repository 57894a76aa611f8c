"""Exclusion lists (大数据比对): a non-registered household with a member on a public-employee, vehicle,
urban-property, registered-business or village-cadre list is not counted as missed poor (漏评) unless a
checker overrides the flag with a reason (overrides table: household_id, rule, reason, checker)."""

from __future__ import annotations

import polars as pl

from .base import Rule, col
from .ruleset_schema import EXCLUSION_SOURCES

LABELS = {
    "public_employee": ("财政供养人员", "public employee"),
    "vehicle": ("有车辆", "owns a vehicle"),
    "urban_property": ("有城镇商品房", "owns urban property"),
    "business": ("有工商注册", "registered business"),
    "village_cadre": ("村干部", "village cadre"),
}
SOURCE_ZH = {
    "public_employee": "财政供养人员名单", "vehicle": "车辆登记名单", "urban_property": "商品房登记名单",
    "business": "工商注册名单", "village_cadre": "村干部名单",
}


def _rule(code: str) -> Rule:
    zh, en = LABELS[code]
    return Rule(
        id=f"exclusion.{code}", kind="exclusion",
        zh=f"家庭成员在{SOURCE_ZH[code]}中：不纳入漏评（核查员可说明理由复核）",
        en=f"A member is on the {en} list: not counted as missed poor (a checker may override with a reason)",
        label_zh=zh, label_en=en,
        cite="CONTRACTS.md §1 rosters（排除名单）；issue 5",
        fields=(), derived=("x_sources",), params=("exclusion.sources",),
        applies=lambda ctx: col("_kind") == "nonregistered",
        test=lambda ctx, code=code: pl.lit(code in ctx.p("exclusion.sources")) & col("x_sources").list.contains(code),
        detail_zh=lambda ctx, s=SOURCE_ZH[code]: pl.lit(f"家庭成员在{s}中"),
        detail_en=lambda ctx, e=en: pl.lit(f"a member is on the {e} list"),
    )


RULES = tuple(_rule(code) for code in EXCLUSION_SOURCES)
