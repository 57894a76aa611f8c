"""Printable problem lists for feedback meetings, e.g. "疑似错退：住房安全无保障（C级危房，未改造）",
in Chinese and English.

Built in long form: one fragment per (household, fired rule), made only from the rows where that rule
fired, then grouped — rules sharing a label (the four water rules) give one part with their details,
parts form segments (verdict, cannot-judge, policy gaps, points to check, approval), segments the
text. The work is proportional to the fired rules, not to households × rules.
"""

from __future__ import annotations

import polars as pl

from .base import Ctx, Rule, col
from .exclusion import LABELS as EXCLUSION_LABELS

STYLE = {
    "zh": {"sep": "；", "seg": "。", "open": "（", "close": "）", "colon": "：", "list": "、", "detail": "，",
           "wrongful": "疑似错退", "missed": "疑似漏评", "poor": "未脱贫户存在问题", "returned": "返贫户存在问题",
           "unknown_status": "存在问题（脱贫属性不明）", "excluded": "存在问题但不纳入漏评",
           "cannot": "无法判定", "missing": "缺少", "policy": "政策落实问题", "review": "待核实",
           "approval": "不认可", "overridden": "排除名单已复核推翻"},
    "en": {"sep": "; ", "seg": ". ", "open": " (", "close": ")", "colon": ": ", "list": ", ", "detail": ", ",
           "wrongful": "Suspected wrongful exit", "missed": "Suspected missed poor", "poor": "Still-poor household problems",
           "returned": "Returned-to-poverty household problems", "unknown_status": "Problems (status unknown)",
           "excluded": "Problems, not counted as missed", "cannot": "Cannot judge", "missing": "missing",
           "policy": "Policy gaps", "review": "To check", "approval": "Does not approve",
           "overridden": "exclusion overridden by checker"},
}
LANGS = ("zh", "en")
SEGMENT = {"problem": 0, "policy": 2, "review": 3}  # 1: cannot judge, 4: approval, 5: override note


def _detail(r: Rule, ctx: Ctx, lang: str) -> pl.Expr:
    fn = r.detail_zh if lang == "zh" else r.detail_en
    return fn(ctx).cast(pl.String) if fn is not None else pl.lit("", pl.String)


def _head(lang: str) -> pl.Expr:
    s = STYLE[lang]
    kind = col("_kind")
    names = {k: (v[0] if lang == "zh" else v[1]) for k, v in EXCLUSION_LABELS.items()}
    excluded = pl.concat_str([
        pl.lit(s["excluded"] + s["open"]),
        col("x_sources").list.eval(pl.element().replace_strict(names, default=pl.element())).list.join(s["list"]),
        pl.lit(s["close"])])
    return (
        pl.when(kind == "exited").then(pl.lit(s["wrongful"]))
        .when((kind == "nonregistered") & col("v_missed").fill_null(False)).then(pl.lit(s["missed"]))
        .when(kind == "nonregistered").then(excluded)
        .when(kind == "poor").then(pl.lit(s["poor"]))
        .when(kind == "returned").then(pl.lit(s["returned"]))
        .otherwise(pl.lit(s["unknown_status"]))
    )


def _fragments(t: pl.DataFrame, ctx: Ctx, rules: tuple[Rule, ...]) -> pl.DataFrame:
    """household_id, seg, group, order, label_*, detail_*: one row per fired problem/policy/review rule."""
    label_order: dict[tuple[str, str], int] = {}
    frames = []
    lazy = t.lazy()  # each filter reads only the columns its fragment needs
    for order, r in enumerate(rules):
        if r.kind not in SEGMENT:
            continue
        group = label_order.setdefault((r.kind, r.label_zh), len(label_order))
        frames.append(lazy.filter(col(f"r::{r.id}").fill_null(False)).select(
            "household_id",
            pl.lit(SEGMENT[r.kind], pl.Int8).alias("seg"),
            pl.lit(group, pl.Int32).alias("group"),
            pl.lit(order, pl.Int32).alias("order"),
            *[pl.lit(r.label_zh if lang == "zh" else r.label_en).alias(f"label_{lang}") for lang in LANGS],
            *[_detail(r, ctx, lang).alias(f"detail_{lang}") for lang in LANGS],
        ))
    schema = {"household_id": pl.String, "seg": pl.Int8, "group": pl.Int32, "order": pl.Int32,
              **{f"{k}_{lang}": pl.String for k in ("label", "detail") for lang in LANGS}}
    return pl.concat(frames).collect() if frames else pl.DataFrame(schema=schema)


def _parts(frags: pl.DataFrame) -> pl.DataFrame:
    """household_id, seg, text_*: the fired rules of one segment joined, one part per label."""
    by_label = (
        frags.sort(["household_id", "seg", "group", "order"])
        .group_by(["household_id", "seg", "group"], maintain_order=True)
        .agg(*[pl.col(f"label_{lang}").first() for lang in LANGS],
             *[pl.col(f"detail_{lang}").filter(pl.col(f"detail_{lang}") != "").str.join(STYLE[lang]["detail"])
               for lang in LANGS])
    )
    parts = by_label.with_columns(
        pl.when(pl.col(f"detail_{lang}") != "").then(pl.concat_str([
            pl.col(f"label_{lang}"), pl.lit(STYLE[lang]["open"]), pl.col(f"detail_{lang}"),
            pl.lit(STYLE[lang]["close"])])).otherwise(pl.col(f"label_{lang}")).alias(f"part_{lang}")
        for lang in LANGS
    )
    return parts.group_by(["household_id", "seg"], maintain_order=True).agg(
        pl.col(f"part_{lang}").str.join(STYLE[lang]["sep"]).alias(f"text_{lang}") for lang in LANGS)


def problem_texts(t: pl.DataFrame, ctx: Ctx, rules: tuple[Rule, ...]) -> pl.DataFrame:
    """household_id, problems_zh, problems_en for the households of ``t`` that have anything to say."""
    lazy = t.lazy()
    seg = _parts(_fragments(t, ctx, rules)).lazy()
    problem_ids = [r.id for r in rules if r.kind == "problem"]
    heads = (lazy.filter(pl.any_horizontal([col(f"r::{i}").fill_null(False) for i in problem_ids]))
             .select("household_id", *[_head(lang).alias(f"head_{lang}") for lang in LANGS]))
    seg = seg.join(heads, on="household_id", how="left").select(
        "household_id", "seg",
        *[pl.concat_str([
            pl.when(pl.col("seg") == 0).then(pl.col(f"head_{lang}"))
            .when(pl.col("seg") == 2).then(pl.lit(STYLE[lang]["policy"])).otherwise(pl.lit(STYLE[lang]["review"])),
            pl.lit(STYLE[lang]["colon"]), pl.col(f"text_{lang}")]).alias(f"text_{lang}") for lang in LANGS],
    )
    singles = [seg, lazy.filter(col("status") == "cannot_judge").select(
        "household_id", pl.lit(1, pl.Int8).alias("seg"), *[pl.concat_str([
            pl.lit(STYLE[lang]["cannot"] + STYLE[lang]["open"] + STYLE[lang]["missing"] + STYLE[lang]["colon"]),
            col("missing_fields").str.replace_all(";", STYLE[lang]["list"], literal=True),
            pl.lit(STYLE[lang]["close"])]).alias(f"text_{lang}") for lang in LANGS])]
    for r in rules:
        if r.kind == "approval":
            singles.append(lazy.filter(col(f"r::{r.id}").fill_null(False)).select(
                "household_id", pl.lit(4, pl.Int8).alias("seg"),
                *[_approval_text(_detail(r, ctx, lang), lang).alias(f"text_{lang}") for lang in LANGS]))
    singles.append(lazy.filter(col("o_rules").list.len() > 0).select(
        "household_id", pl.lit(5, pl.Int8).alias("seg"),
        *[pl.lit(STYLE[lang]["overridden"]).alias(f"text_{lang}") for lang in LANGS]))
    allseg = pl.concat(singles, how="vertical_relaxed").sort(["household_id", "seg"])
    return allseg.group_by("household_id", maintain_order=True).agg(
        pl.col(f"text_{lang}").str.join(STYLE[lang]["seg"]).alias(f"problems_{lang}") for lang in LANGS).collect()


def _approval_text(detail: pl.Expr, lang: str) -> pl.Expr:
    s = STYLE[lang]
    return pl.when(detail != "").then(pl.concat_str([pl.lit(s["approval"] + s["colon"]), detail])).otherwise(
        pl.lit(s["approval"]))

