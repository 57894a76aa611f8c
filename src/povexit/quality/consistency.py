"""Check 6: consistency with the registry (建档立卡) — household size, the members' ID numbers and names,
an exited household reporting an income far below what the registry says, a registered person turning
up in a non-registered household.

Without ``--registry`` the household size is still compared with the sample's ``persons`` (the sample
was drawn from the registry). ID numbers and names appear in flags masked (``privacy.mask_id`` /
``mask_name``).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ..errors import Diagnostic
from ..errors import quality as EQ
from ..privacy import mask_id, mask_name
from .duplicates import normalise_id
from .frame import concat_flags, empty_flags, fmt, make_flags
from .params import QualityParams


def _mask(e: pl.Expr, fn: Any) -> pl.Expr:
    return e.map_elements(fn, return_dtype=pl.String, skip_nulls=True)


def _norm_name(e: pl.Expr) -> pl.Expr:
    return e.cast(pl.String).str.replace_all(r"[\s·•.]+", "")


def reference_households(registry: Any, sample: Any) -> tuple[pl.DataFrame | None, str]:
    """household_id, persons, status, income_per_capita of the registry (or persons from the sample)."""
    hh = getattr(registry, "households", None) if registry is not None else None
    if isinstance(hh, pl.DataFrame) and hh.height:
        cols = [c for c in ("household_id", "persons", "status", "income_per_capita") if c in hh.columns]
        return hh.select(cols).with_columns(pl.col("household_id").cast(pl.String)).unique("household_id"), "registry"
    shh = getattr(sample, "households", None) if sample is not None else None
    if isinstance(shh, pl.DataFrame) and shh.height and "persons" in shh.columns:
        return (shh.select(pl.col("household_id").cast(pl.String),
                           pl.col("persons").cast(pl.Float64, strict=False).cast(pl.Int64, strict=False))
                .unique("household_id"), "sample")
    return None, ""


def registry_flags(sub: pl.DataFrame, households: pl.DataFrame, members: pl.DataFrame | None, registry: Any,
                   sample: Any, params: QualityParams) -> tuple[pl.DataFrame, list[Diagnostic]]:
    warnings: list[Diagnostic] = []
    ref, source = reference_households(registry, sample)
    if ref is None:
        return empty_flags(), warnings
    src_zh = "名册" if source == "registry" else "样本（名册）"
    src_en = source
    answers = households.select("_i", *[c for c in ("persons", "income_net_per_capita") if c in households.columns])
    reg = sub.filter(pl.col("instrument") == "registered").join(answers, on="_i", how="left")
    j = reg.join(ref.rename({c: f"_r_{c}" for c in ref.columns if c != "household_id"}), on="household_id", how="left")
    known = pl.col("_r_persons").is_not_null() if "_r_persons" in j.columns else pl.lit(False)
    out = []
    if source == "registry":
        unknown = j.filter(~pl.col("household_id").is_in(ref["household_id"].implode()))
        if unknown.height:
            warnings.append(EQ.REGISTRY_UNMATCHED(column="household_id", value=unknown.height))
            out.append(make_flags(unknown, None, "registry.household_unknown", value=pl.col("household_id"),
                                  detail_zh=pl.format("户编号 {} 不在名册中", pl.col("household_id")),
                                  detail_en=pl.format("household ID {} is not in the registry", pl.col("household_id"))))
    if "persons" in j.columns and "_r_persons" in j.columns:
        diff = (pl.col("persons") - pl.col("_r_persons")).abs()
        out.append(make_flags(
            j, known & (diff > params.max_persons_difference), "registry.persons_differ",
            value=pl.format("{}/{}", pl.col("persons"), pl.col("_r_persons")),
            detail_zh=pl.format("调查户籍人口 {} 人，{}登记 {} 人，相差 {} 人（允许 {} 人）", pl.col("persons"), pl.lit(src_zh),
                                pl.col("_r_persons"), diff, pl.lit(str(params.max_persons_difference))),
            detail_en=pl.format("{} persons recorded, {} in the {}; {} apart (allowed {})", pl.col("persons"),
                                pl.col("_r_persons"), pl.lit(src_en), diff, pl.lit(str(params.max_persons_difference)))))
    if {"income_net_per_capita", "_r_income_per_capita", "_r_status"} <= set(j.columns):
        ratio = pl.col("income_net_per_capita") / pl.col("_r_income_per_capita")
        far = ((pl.col("_r_status") == "exited") & (pl.col("_r_income_per_capita") > 0)
               & (ratio < params.income_ratio))
        out.append(make_flags(
            j, far, "registry.income_far_below", value=fmt(ratio, 2),
            detail_zh=pl.format("已脱贫户调查人均纯收入 {} 元，仅为名册登记 {} 元的 {}%（阈值 {}%）",
                                fmt(pl.col("income_net_per_capita"), 0), fmt(pl.col("_r_income_per_capita"), 0),
                                fmt(ratio * 100, 0), pl.lit(f"{params.income_ratio * 100:g}")),
            detail_en=pl.format("exited household reports {} yuan per head, {}% of the {} yuan in the registry "
                                "(threshold {}%)", fmt(pl.col("income_net_per_capita"), 0), fmt(ratio * 100, 0),
                                fmt(pl.col("_r_income_per_capita"), 0), pl.lit(f"{params.income_ratio * 100:g}"))))
    persons = getattr(registry, "persons", None) if registry is not None else None
    if isinstance(persons, pl.DataFrame) and persons.height and members is not None and members.height \
            and "member_id_number" in members.columns:
        out += _member_flags(sub, members, persons)
    return concat_flags(out), warnings


def _member_flags(sub: pl.DataFrame, members: pl.DataFrame, persons: pl.DataFrame) -> list[pl.DataFrame]:
    rp = persons.select(pl.col("household_id").cast(pl.String).alias("_r_hh"), normalise_id(pl.col("id_number")).alias("_id"),
                        pl.col("name").cast(pl.String).alias("_r_name")).filter(pl.col("_id").is_not_null())
    mm = members.select("instance_id", normalise_id(pl.col("member_id_number")).alias("_id"),
                        (pl.col("member_name").cast(pl.String) if "member_name" in members.columns
                         else pl.lit(None, pl.String)).alias("_name"))
    mm = mm.join(sub.select("instance_id", "household_id", "instrument"), on="instance_id", how="inner")
    out = []
    # registered households: members vs the registry's persons of the household
    reg_sub = sub.filter((pl.col("instrument") == "registered") & pl.col("household_id").is_in(rp["_r_hh"].implode()))
    if reg_sub.height:
        listed = mm.filter(pl.col("instrument") == "registered")
        survey_ids = listed.filter(pl.col("_id").is_not_null()).select("instance_id", "household_id", "_id").unique()
        no_id = listed.filter(pl.col("_id").is_null()).group_by("instance_id").agg(pl.len().alias("_noid"))
        expected = reg_sub.select("instance_id", "household_id").join(
            rp.select(pl.col("_r_hh").alias("household_id"), "_id"), on="household_id", how="inner")
        missing = expected.join(survey_ids, on=["instance_id", "_id"], how="anti") \
            .group_by("instance_id").agg(pl.len().alias("_miss"), pl.col("_id").sort().first().alias("_miss_id"))
        extra = survey_ids.join(expected, on=["instance_id", "_id"], how="anti") \
            .group_by("instance_id").agg(pl.len().alias("_extra"), pl.col("_id").sort().first().alias("_extra_id"))
        has_members = listed.select("instance_id").unique()
        j = (reg_sub.join(has_members, on="instance_id", how="semi")
             .join(missing, on="instance_id", how="left").join(extra, on="instance_id", how="left")
             .join(no_id, on="instance_id", how="left")
             .with_columns(pl.col("_miss").fill_null(0), pl.col("_extra").fill_null(0), pl.col("_noid").fill_null(0))
             # members recorded without an ID number may be the registered persons not matched
             .with_columns((pl.col("_miss") - pl.col("_noid")).clip(lower_bound=0).alias("_miss_eff"))
             .with_columns(_mask(pl.coalesce("_miss_id", "_extra_id"), mask_id).alias("_example")))
        out.append(make_flags(
            j, (pl.col("_miss_eff") + pl.col("_extra")) > 0, "registry.members_differ",
            value=pl.format("-{}/+{}", pl.col("_miss_eff"), pl.col("_extra")),
            detail_zh=pl.format("名册在册成员中 {} 人未列入问卷，问卷中 {} 人不在该户名册中（如 {}）", pl.col("_miss_eff"),
                                pl.col("_extra"), pl.col("_example")),
            detail_en=pl.format("{} registered member(s) not listed in the interview, {} listed member(s) not in the "
                                "household's registry entry (e.g. {})", pl.col("_miss_eff"), pl.col("_extra"),
                                pl.col("_example"))))
    # the same ID with another name
    named = mm.filter(pl.col("_id").is_not_null() & pl.col("_name").is_not_null()).join(
        rp.unique("_id", keep="first"), on="_id", how="inner").filter(
        _norm_name(pl.col("_name")) != _norm_name(pl.col("_r_name")))
    if named.height:
        per = named.sort("instance_id", "_id").group_by("instance_id", maintain_order=True).agg(
            pl.col("_id").first(), pl.col("_name").first(), pl.col("_r_name").first(), pl.len().alias("_k"))
        j = sub.join(per, on="instance_id", how="inner").with_columns(
            _mask(pl.col("_id"), mask_id).alias("_mid"), _mask(pl.col("_name"), mask_name).alias("_mn"),
            _mask(pl.col("_r_name"), mask_name).alias("_mrn"))
        out.append(make_flags(
            j, None, "registry.name_differs", value=pl.col("_mid"),
            detail_zh=pl.format("身份证号 {} 在问卷中的姓名 {} 与名册姓名 {} 不一致（共 {} 人）", pl.col("_mid"), pl.col("_mn"),
                                pl.col("_mrn"), pl.col("_k")),
            detail_en=pl.format("ID {}: name {} in the interview, {} in the registry ({} member(s))", pl.col("_mid"),
                                pl.col("_mn"), pl.col("_mrn"), pl.col("_k"))))
    # a registered person in a non-registered household
    gen = mm.filter((pl.col("instrument") == "general") & pl.col("_id").is_not_null()).join(
        rp.unique("_id", keep="first").select("_id", "_r_hh"), on="_id", how="inner")
    if gen.height:
        per = gen.sort("instance_id", "_id").group_by("instance_id", maintain_order=True).agg(
            pl.col("_id").first(), pl.col("_r_hh").first(), pl.len().alias("_k"))
        j = sub.join(per, on="instance_id", how="inner").with_columns(_mask(pl.col("_id"), mask_id).alias("_mid"))
        out.append(make_flags(
            j, None, "registry.general_member_registered", value=pl.col("_mid"),
            detail_zh=pl.format("成员 {} 是建档立卡户 {} 的在册人员（共 {} 人），应核实是否误用非建档立卡户问卷", pl.col("_mid"),
                                pl.col("_r_hh"), pl.col("_k")),
            detail_en=pl.format("member {} is registered in poor household {} ({} member(s)); check whether the "
                                "non-registered questionnaire was used by mistake", pl.col("_mid"), pl.col("_r_hh"),
                                pl.col("_k"))))
    return out
