"""Check 5: each enumerator (and each pair) against the rest of the team.

Two levels: ``enumerator`` (an interview counts for both members of its pair) and ``pair`` (the
``;``-joined pair as recorded). The team is the county's: enumerator IDs are only unique within an
assessment team. Statistics per unit: interviews, days, villages, median duration, share of interviews
reporting no problem at all, approval share, share of interviews with a skipped answer, share of
visits that ended without an interview (not found, refused), median income per head, share with a photo of
the house (evidence, 固化证据; described, not tested).

Outliers: six statistics are tested (see ``stats``); a unit is flagged for a statistic when it has at
least ``min_interviews`` observations, its standardised deviation on the team's scale (``stats.funnel_z``)
reaches ``robust_z`` and its Benjamini–Hochberg q-value (over all statistics and units of the level) is
at most ``alpha``. Both conditions: the test
alone would flag units of a team that varies more than chance allows; the spread of the team alone says
nothing about chance. A flag is a reason to back-check, never a finding.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ..errors import Diagnostic
from ..errors import quality as EQ
from . import catalogue
from .answers import problem_reported, skipped_answers
from .frame import Prepared, enumerator_list
from .params import QualityParams
from .stats import MIN_TEAM, bh_qvalues, cmh_by_unit, fmt_p, funnel_z, van_elteren_by_unit
from .timing import minutes

LEVELS = ("enumerator", "pair")
# statistic → (check id, kind, zh label, en label, unit zh, unit en)
STATISTICS: dict[str, tuple[str, str, str, str]] = {
    "no_problem_share": ("enumerator.no_problem_share", "binary", "未报告任何问题的问卷比例", "share of interviews reporting no problem"),
    "approval_share": ("enumerator.approval_share", "binary", "认可比例", "approval share"),
    "nonresponse_share": ("enumerator.nonresponse_share", "binary", "未访成功比例", "share of visits without an interview"),
    "skipped_share": ("enumerator.missing_share", "binary", "有漏答的问卷比例", "share of interviews with a skipped answer"),
    "income_median": ("enumerator.income", "continuous", "人均纯收入中位数（元）", "median income per head (yuan)"),
    "duration_median_min": ("enumerator.duration", "continuous", "访问时长中位数（分钟）", "median interview duration (min)"),
}
ENUM_FLAG_SCHEMA: dict[str, pl.DataType] = {
    "level": pl.String(), "county": pl.String(), "enumerators": pl.String(), "check": pl.String(),
    "statistic": pl.String(), "severity": pl.String(), "n": pl.Int64(), "value": pl.Float64(),
    "team_value": pl.Float64(), "difference": pl.Float64(), "z": pl.Float64(), "p": pl.Float64(), "q": pl.Float64(),
    "test": pl.String(), "detail_zh": pl.String(), "detail_en": pl.String(),
}


def _metrics(prep: Prepared, params: QualityParams) -> pl.DataFrame:
    """One row per household interview with the per-interview quantities the statistics use."""
    hh = prep.households
    skipped = skipped_answers(hh)
    cols = hh.select(
        "_i", problem_reported(hh).alias("_problem"),
        (pl.col("approves").cast(pl.Boolean, strict=False) if "approves" in hh.columns
         else pl.lit(None, pl.Boolean)).alias("approves"),
        (pl.col("income_net_per_capita").cast(pl.Float64, strict=False) if "income_net_per_capita" in hh.columns
         else pl.lit(None, pl.Float64)).alias("income"),
        (pl.col("photo_house").cast(pl.String).str.strip_chars().fill_null("") != "" if "photo_house" in hh.columns
         else pl.lit(None, pl.Boolean)).alias("house_photo"),
    )
    m = prep.sub.join(cols, on="_i", how="left").join(skipped, on="_i", how="left").with_columns(
        (~pl.col("_problem")).alias("no_problem"),
        pl.when(pl.col("asked") > 0).then(pl.col("skipped") > 0).alias("skipped_any"),
        minutes(pl.col("started_at"), pl.col("ended_at")).alias("duration"),
    )
    return m.with_columns(_stratum(params).alias("stratum"))


def _stratum(params: QualityParams) -> pl.Expr:
    if params.adjust_for_village:
        return pl.concat_str([pl.col("village_key").fill_null(""), pl.col("instrument")], separator="|")
    return pl.col("instrument")


def _members(df: pl.DataFrame, level: str) -> pl.DataFrame:
    base = df.filter(pl.col("enumerators").is_not_null())
    if level == "pair":
        return base.select("_k", "county", pl.col("enumerators").alias("unit"))
    return base.select("_k", "county", pl.col("enum_list").alias("unit")).explode("unit")


def _nonresponse_obs(m: pl.DataFrame, nonresponse: pl.DataFrame | None, params: QualityParams) -> pl.DataFrame:
    """Household interviews (y = False) and non-interviews (y = True) in one frame."""
    base = m.select("county", "stratum", "enumerators", "enum_list", pl.lit(False).alias("y"))
    if nonresponse is None or nonresponse.height == 0:
        return base
    nr = nonresponse
    vk = pl.coalesce(
        (pl.col("village_id").cast(pl.String) if "village_id" in nr.columns else pl.lit(None, pl.String)),
        pl.concat_str([pl.col(c).cast(pl.String).fill_null("") if c in nr.columns else pl.lit("")
                       for c in ("county", "township", "village")], separator="|"))
    inst = (pl.col("instrument").cast(pl.String).str.to_lowercase() if "instrument" in nr.columns
            else pl.lit("registered")).fill_null("registered")
    nr = nr.select(
        (pl.col("county").cast(pl.String) if "county" in nr.columns else pl.lit(None, pl.String)).fill_null("")
        .alias("county"), vk.alias("village_key"), inst.alias("instrument"), enumerator_list(nr).alias("enum_list"),
    ).with_columns(pl.when(pl.col("enum_list").list.len() > 0).then(pl.col("enum_list").list.join(";"))
                   .alias("enumerators"))
    nr = nr.with_columns(_stratum(params).alias("stratum")).select("county", "stratum", "enumerators", "enum_list",
                                                                   pl.lit(True).alias("y"))
    return pl.concat([base, nr], how="vertical_relaxed")


def _tests(m: pl.DataFrame, nr_obs: pl.DataFrame, level: str) -> dict[str, pl.DataFrame]:
    mk = m.with_columns(pl.col("_i").cast(pl.Int64).alias("_k"))
    members = _members(mk, level)
    out: dict[str, pl.DataFrame] = {}
    for stat, col in (("no_problem_share", "no_problem"), ("approval_share", "approves"),
                      ("skipped_share", "skipped_any")):
        obs = mk.filter(pl.col(col).is_not_null()).select("_k", "county", "stratum", pl.col(col).alias("y"))
        out[stat] = cmh_by_unit(obs, members)
    nrk = nr_obs.with_row_index("_k").with_columns(pl.col("_k").cast(pl.Int64))
    out["nonresponse_share"] = cmh_by_unit(nrk.select("_k", "county", "stratum", "y"), _members(nrk, level))
    for stat, col, transform in (("income_median", "income", lambda e: (e / 1000).arcsinh()),
                                 ("duration_median_min", "duration", lambda e: e.log())):
        valid = pl.col(col).is_not_null() & pl.col(col).is_finite()
        if col == "duration":
            valid = valid & (pl.col(col) > 0)
        obs = mk.filter(valid).select("_k", "county", "stratum", transform(pl.col(col)).alias("x"),
                                      pl.col(col).alias("raw"))
        obs = obs.with_columns((pl.col("x") - pl.col("x").median().over("county", "stratum")).alias("resid"))
        out[stat] = van_elteren_by_unit(obs, members)
    return out


def _describe(m: pl.DataFrame, nr_obs: pl.DataFrame, level: str, flagged: pl.DataFrame) -> pl.DataFrame:
    mk = m.with_columns(pl.col("_i").cast(pl.Int64).alias("_k"))
    members = _members(mk, level)
    j = members.join(mk.drop("county"), on="_k", how="inner")
    desc = j.group_by("county", "unit").agg(
        pl.len().alias("interviews"),
        (pl.col("instrument") == "registered").sum().alias("registered"),
        (pl.col("instrument") == "general").sum().alias("general"),
        pl.col("day").n_unique().alias("days"),
        pl.col("village_key").n_unique().alias("villages"),
        pl.col("duration").filter(pl.col("duration") > 0).median().alias("duration_median_min"),
        pl.col("no_problem").mean().alias("no_problem_share"),
        pl.col("approves").mean().alias("approval_share"),
        pl.col("skipped_any").mean().alias("skipped_share"),
        pl.col("income").median().alias("income_median"),
        pl.col("house_photo").mean().alias("house_photo_share"),
    )
    nrk = nr_obs.filter(pl.col("y")).with_row_index("_k").with_columns(pl.col("_k").cast(pl.Int64))
    nr = _members(nrk, level).group_by("county", "unit").agg(pl.len().alias("nonresponse"))
    fl = _members(mk.join(flagged, left_on="_i", right_on="_i", how="inner"), level) \
        .group_by("county", "unit").agg(pl.len().alias("flagged_submissions"))
    desc = desc.join(nr, on=["county", "unit"], how="full", coalesce=True) \
        .join(fl, on=["county", "unit"], how="left")
    total = pl.col("interviews").fill_null(0) + pl.col("nonresponse").fill_null(0)
    return desc.with_columns(
        pl.col("interviews").fill_null(0), pl.col("registered").fill_null(0), pl.col("general").fill_null(0),
        pl.col("nonresponse").fill_null(0), pl.col("flagged_submissions").fill_null(0),
        pl.when(total > 0).then(pl.col("nonresponse").fill_null(0) / total).alias("nonresponse_share"),
    )


def _detail(stat: str, unit: str, level: str, n: int, value: float, team: float, z: float, p: float,
            test: str) -> tuple[str, str]:
    _, kind, zh, en = STATISTICS[stat]
    who_zh = ("调查员 " if level == "enumerator" else "调查组 ") + unit
    who_en = ("enumerator " if level == "enumerator" else "pair ") + unit
    higher = value > team
    if kind == "binary":
        v, t_ = f"{value * 100:.0f}%", f"{team * 100:.0f}%"
    else:
        v, t_ = f"{value:,.1f}", f"{team:,.1f}"
    test_zh = {"cmh": "分层 CMH 卡方检验", "fisher": "Fisher 精确检验", "van_elteren": "分层秩和检验（van Elteren）"}.get(test, test)
    test_en = {"cmh": "stratified CMH χ² test", "fisher": "Fisher's exact test",
               "van_elteren": "stratified rank-sum test (van Elteren)"}.get(test, test)
    return (
        f"{who_zh}（{n} 份）{zh} {v}，同村同事 {t_}，明显偏{'高' if higher else '低'}"
        f"（稳健 z = {z:.1f}，{test_zh} p = {fmt_p(p)}）",
        f"{who_en} ({n}): {en} {v} vs {t_} for colleagues in the same villages, markedly "
        f"{'higher' if higher else 'lower'} (robust z = {z:.1f}, {test_en} p = {fmt_p(p)})",
    )


def enumerator_statistics(prep: Prepared, nonresponse: pl.DataFrame | None, flags: pl.DataFrame,
                          params: QualityParams) -> tuple[pl.DataFrame, pl.DataFrame, list[Diagnostic]]:
    """(enumerators table, enumerator flags, warnings)."""
    m = _metrics(prep, params)
    nr_obs = _nonresponse_obs(m, nonresponse, params)
    flagged = prep.sub.join(flags.select("instance_id").unique(), on="instance_id", how="semi").select("_i")
    tables, flag_rows, few = [], [], 0
    for level in LEVELS:
        desc = _describe(m, nr_obs, level, flagged)
        tests = _tests(m, nr_obs, level)
        scored = []
        for stat, res in tests.items():
            zstat = res["zstat"].fill_null(np.nan).to_numpy().astype(float)
            eligible = (res["n"] >= params.min_interviews).to_numpy() & np.isfinite(zstat)
            z = np.full(res.height, np.nan)
            for county in res["county"].unique().to_list():
                sel = (res["county"] == county).to_numpy() & eligible
                if sel.sum() >= MIN_TEAM:
                    z[sel] = funnel_z(zstat[sel])
            p = np.where(eligible, res["p"].fill_null(np.nan).to_numpy(), np.nan)
            scored.append(res.with_columns(pl.lit(stat).alias("statistic"), pl.Series("z", z), pl.Series("_p", p)))
        # one family per level: every statistic of every unit
        allres = pl.concat(scored, how="vertical_relaxed")
        allres = allres.with_columns(pl.Series("q", bh_qvalues(allres["_p"].to_numpy()))).with_columns(
            pl.col("z").fill_nan(None), pl.col("q").fill_nan(None), pl.col("p").fill_nan(None))
        zcols = [allres.filter(pl.col("statistic") == stat).select("county", "unit", pl.col("z").alias(f"z_{stat}"))
                 for stat in tests]
        hit = allres.filter((pl.col("z").abs() >= params.robust_z) & (pl.col("q") <= params.alpha))
        for r in hit.iter_rows(named=True):
            stat = r["statistic"]
            check_id = STATISTICS[stat][0]
            zh, en = _detail(stat, r["unit"], level, r["n"], r["value"], r["team_value"], r["z"], r["p"], r["test"])
            flag_rows.append({
                "level": level, "county": r["county"], "enumerators": r["unit"], "check": check_id,
                "statistic": stat, "severity": catalogue.check(check_id).severity, "n": r["n"],
                "value": r["value"], "team_value": r["team_value"], "difference": r["d"], "z": r["z"],
                "p": r["p"], "q": r["q"], "test": r["test"], "detail_zh": zh, "detail_en": en,
            })
        for zc in zcols:
            desc = desc.join(zc, on=["county", "unit"], how="left")
        few += desc.filter(pl.col("interviews") < params.min_interviews).height
        tables.append(desc.with_columns(pl.lit(level).alias("level")))
    enum_flags = pl.DataFrame(flag_rows, schema=ENUM_FLAG_SCHEMA) if flag_rows else pl.DataFrame(schema=ENUM_FLAG_SCHEMA)
    enum_flags = enum_flags.sort(["level", "county", "enumerators", "check"])
    outliers = enum_flags.group_by("level", "county", "enumerators").agg(
        pl.col("check").sort().str.join(";").alias("outliers"))
    table = pl.concat(tables, how="diagonal_relaxed").rename({"unit": "enumerators"})
    table = table.join(outliers, on=["level", "county", "enumerators"], how="left")
    order = ["level", "county", "enumerators", "interviews", "registered", "general", "nonresponse", "days",
             "villages", "duration_median_min", "no_problem_share", "approval_share", "skipped_share",
             "nonresponse_share", "income_median", "house_photo_share", "flagged_submissions", "outliers",
             *[f"z_{s}" for s in STATISTICS]]
    table = table.select([c for c in order if c in table.columns]).sort(["level", "county", "enumerators"])
    warnings = []
    if few:
        warnings.append(EQ.TOO_FEW_FOR_STATS(column="enumerators", value=few, minimum=params.min_interviews))
    return table, enum_flags, warnings

