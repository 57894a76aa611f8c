"""群众认可 (seed 001 §三(二)3): a registered household approves only when it endorses the policies, the
help and its results, its exit (exited households) and the cadres' work, as the ruleset lists them; a
non-registered household by the overall judgement (seed 002 附件3 四(二)2). "不认可" keeps its reason."""

from __future__ import annotations

import polars as pl

from .base import Ctx, Rule, col, is_no, join_parts, when_text

ITEM_ZH = {"approve_policy": "扶贫政策", "approve_help": "帮扶措施", "approve_results": "帮扶成效",
           "approve_exit": "脱贫退出", "approve_cadres": "干部工作", "approves": "本村脱贫攻坚工作"}
ITEM_EN = {"approve_policy": "the policies", "approve_help": "the help", "approve_results": "the results",
           "approve_exit": "the exit", "approve_cadres": "the cadres' work", "approves": "the village's work"}


def _missing(ctx: Ctx) -> list[tuple[str, pl.Expr]]:
    unknown = col("d_approves").is_null()
    reg = col("_registered")
    out = []
    for f in ctx.p("approval.registered_components"):
        cond = unknown & reg & col(f).is_null()
        if f == "approve_exit":
            cond = cond & (col("_kind") == "exited")
        out.append((f, cond))
    overall = unknown & col("approves").is_null()
    if not ctx.p("approval.require_overall_judgement"):
        overall = overall & ~reg
    out.append(("approves", overall))
    out.append(("disapproval_reason", is_no("d_approves") & col("disapproval_reason").is_null()))
    return out


def _detail(lang: str):
    def build(ctx: Ctx) -> pl.Expr:
        names = ITEM_ZH if lang == "zh" else ITEM_EN
        items = col("d_refusals").list.eval(pl.element().replace_strict(names, default=pl.element())).list.join(
            "、" if lang == "zh" else ", ")
        if lang == "zh":
            return join_parts([when_text(col("d_refusals").list.len() > 0, pl.format("不认可{}", items)),
                               when_text(col("disapproval_reason").is_not_null(),
                                         pl.format("原因：{}", col("disapproval_reason")))], "；")
        return join_parts([when_text(col("d_refusals").list.len() > 0, pl.format("does not endorse {}", items)),
                           when_text(col("disapproval_reason").is_not_null(),
                                     pl.format("reason: {}", col("disapproval_reason")))], "; ")
    return build


RULES = (
    Rule(
        id="approval.disapproves", kind="approval",
        zh="不认可：建档立卡户对政策、帮扶措施及成效、脱贫退出、干部工作有一项不认可，或非建档立卡户综合研判不认可",
        en="Does not approve: a registered household withholds endorsement of any listed item, or a "
           "non-registered household's overall judgement is 'does not approve'",
        label_zh="不认可", label_en="does not approve",
        cite="seed 001 §三(二)3；seed 002 附件3 四(二)2",
        fields=("approve_policy", "approve_help", "approve_results", "approve_exit", "approve_cadres", "approves",
                "disapproval_reason"),
        derived=("d_approves", "d_refusals"),
        params=("approval.registered_components", "approval.require_overall_judgement"),
        test=lambda ctx: is_no("d_approves"), missing=_missing,
        detail_zh=_detail("zh"), detail_en=_detail("en"),
    ),
)
