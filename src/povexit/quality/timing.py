"""Checks 1–2: interview duration and time of day; the same enumerator in two interviews at once; the
daily load of an enumerator.

Overlaps and daily load are counted per *individual* enumerator (``A;B`` gives A and B), which also
catches a pair recorded with different partners in two simultaneous interviews — seed 003: 评估人员2人
一组 means a pair never splits to interview two households at the same time.
"""

from __future__ import annotations

import polars as pl

from .frame import IDENT, concat_flags, exploded, fmt, instrument_zh, make_flags
from .params import QualityParams, day_window

_MIN = 60_000_000  # microseconds per minute


def minutes(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """b − a in minutes (float)."""
    return (b - a).dt.total_microseconds() / _MIN


def _tod(e: pl.Expr) -> pl.Expr:
    """Time of day in minutes after local midnight."""
    return e.dt.hour().cast(pl.Float64) * 60 + e.dt.minute() + e.dt.second() / 60


def with_duration(sub: pl.DataFrame) -> pl.DataFrame:
    return sub.with_columns(minutes(pl.col("started_at"), pl.col("ended_at")).alias("duration_min"))


def duration_flags(sub: pl.DataFrame, params: QualityParams) -> pl.DataFrame:
    df = with_duration(sub)
    d = pl.col("duration_min")
    min_by_inst = pl.col("instrument").replace_strict(
        {k: float(v) for k, v in params.min_minutes.items()}, default=float(params.min_minutes_other),
        return_dtype=pl.Float64)
    df = df.with_columns(min_by_inst.alias("_min"))
    start_lim, end_lim = day_window(params)
    s_tod, e_tod = _tod(pl.col("started_at")), _tod(pl.col("ended_at"))
    overnight = pl.col("ended_at").dt.date() != pl.col("started_at").dt.date()
    hhmm_s, hhmm_e = pl.col("started_at").dt.strftime("%H:%M"), pl.col("ended_at").dt.strftime("%H:%M")
    delay_h = minutes(pl.col("ended_at"), pl.col("submission_date")) / 60
    out = [
        make_flags(df, pl.col("started_at").is_null() | pl.col("ended_at").is_null(), "duration.missing",
                   value=pl.when(pl.col("started_at").is_null()).then(pl.lit("started_at")).otherwise(pl.lit("ended_at")),
                   detail_zh=pl.when(pl.col("started_at").is_null()).then(pl.lit("没有开始时间")).otherwise(
                       pl.lit("没有结束时间")),
                   detail_en=pl.when(pl.col("started_at").is_null()).then(pl.lit("no start time")).otherwise(
                       pl.lit("no end time"))),
        make_flags(df, d < 0, "duration.negative", value=fmt(d),
                   detail_zh=pl.format("结束时间 {} 早于开始时间 {}（{} 分钟）", pl.col("ended_at").dt.strftime("%m-%d %H:%M"),
                                       pl.col("started_at").dt.strftime("%m-%d %H:%M"), fmt(d)),
                   detail_en=pl.format("ends at {}, before its start at {} ({} min)",
                                       pl.col("ended_at").dt.strftime("%m-%d %H:%M"),
                                       pl.col("started_at").dt.strftime("%m-%d %H:%M"), fmt(d))),
        make_flags(df, (d >= 0) & (d < pl.col("_min")), "duration.too_short", value=fmt(d),
                   detail_zh=pl.format("访问用时 {} 分钟，低于{}问卷的下限 {} 分钟", fmt(d),
                                       instrument_zh(pl.col("instrument")), fmt(pl.col("_min"))),
                   detail_en=pl.format("interview took {} min, under the {}-minute minimum for the {} questionnaire",
                                       fmt(d), fmt(pl.col("_min")), pl.col("instrument"))),
        make_flags(df, d > params.max_minutes, "duration.too_long", value=fmt(d),
                   detail_zh=pl.format("访问用时 {} 分钟，超过 {} 分钟", fmt(d), pl.lit(f"{params.max_minutes:g}")),
                   detail_en=pl.format("interview took {} min, over {} min", fmt(d), pl.lit(f"{params.max_minutes:g}"))),
        make_flags(df, (d >= 0) & ((s_tod < start_lim) | (e_tod > end_lim) | overnight), "duration.outside_day",
                   value=pl.format("{}–{}", hhmm_s, hhmm_e),
                   detail_zh=pl.format("访问时间 {}–{}{}，不在 {}–{} 之内", hhmm_s, hhmm_e,
                                       pl.when(overnight).then(pl.lit("（跨夜）")).otherwise(pl.lit("")),
                                       pl.lit(params.day_start), pl.lit(params.day_end)),
                   detail_en=pl.format("interview at {}–{}{}, outside {}–{}", hhmm_s, hhmm_e,
                                       pl.when(overnight).then(pl.lit(" (overnight)")).otherwise(pl.lit("")),
                                       pl.lit(params.day_start), pl.lit(params.day_end))),
        make_flags(df, delay_h > params.max_submit_delay_hours, "duration.late_submission", value=fmt(delay_h),
                   detail_zh=pl.format("访问结束 {} 小时后才提交（{}），超过 {} 小时", fmt(delay_h),
                                       pl.col("submission_date").dt.strftime("%m-%d %H:%M"),
                                       pl.lit(f"{params.max_submit_delay_hours:g}")),
                   detail_en=pl.format("submitted {} h after the interview ended ({}), over {} h", fmt(delay_h),
                                       pl.col("submission_date").dt.strftime("%m-%d %H:%M"),
                                       pl.lit(f"{params.max_submit_delay_hours:g}"))),
        make_flags(df, delay_h * 60 < -params.clock_tolerance_minutes, "duration.device_clock",
                   value=fmt(-delay_h * 60),
                   detail_zh=pl.format("服务器收到时间 {} 比问卷记录的结束时间 {} 早 {} 分钟",
                                       pl.col("submission_date").dt.strftime("%m-%d %H:%M"),
                                       pl.col("ended_at").dt.strftime("%m-%d %H:%M"), fmt(-delay_h * 60)),
                   detail_en=pl.format("the server received it at {}, {} min before its recorded end {}",
                                       pl.col("submission_date").dt.strftime("%m-%d %H:%M"), fmt(-delay_h * 60),
                                       pl.col("ended_at").dt.strftime("%m-%d %H:%M"))),
    ]
    return concat_flags(out)


def overlap_flags(sub: pl.DataFrame, params: QualityParams) -> pl.DataFrame:
    """An interview overlapping another of the same enumerator by more than the tolerance.

    Sorted by start within an enumerator, interview i overlaps an earlier one iff its start is before the
    latest end so far, and a later one iff the next start is before its end — two window passes.
    """
    ex = exploded(sub).filter(pl.col("started_at").is_not_null() & pl.col("ended_at").is_not_null()
                              & (pl.col("ended_at") >= pl.col("started_at")))
    if ex.height == 0:
        return concat_flags([])
    key = ["county", "enumerator"]
    ex = ex.sort([*key, "started_at", "ended_at", "instance_id"])
    s, e = pl.col("started_at"), pl.col("ended_at")
    ex = ex.with_columns(e.cum_max().over(key).alias("_run_max"))
    ex = ex.with_columns(
        pl.when(e == pl.col("_run_max")).then(pl.col("instance_id")).otherwise(None).forward_fill().over(key)
        .alias("_max_inst"))
    ex = ex.with_columns(
        pl.col("_run_max").shift(1).over(key).alias("_prev_end"),
        pl.col("_max_inst").shift(1).over(key).alias("_prev_inst"),
        s.shift(-1).over(key).alias("_next_start"),
        e.shift(-1).over(key).alias("_next_end"),
        pl.col("instance_id").shift(-1).over(key).alias("_next_inst"),
    ).with_columns(
        # (min_horizontal skips nulls: guard the first and last interview of each enumerator)
        pl.when(pl.col("_prev_end").is_not_null())
        .then(minutes(s, pl.min_horizontal(e, pl.col("_prev_end")))).alias("_ov_prev"),
        pl.when(pl.col("_next_start").is_not_null())
        .then(minutes(pl.col("_next_start"), pl.min_horizontal(e, pl.col("_next_end")))).alias("_ov_next"),
    ).with_columns(
        pl.when(pl.col("_ov_prev").fill_null(-1) >= pl.col("_ov_next").fill_null(-1))
        .then(pl.col("_ov_prev")).otherwise(pl.col("_ov_next")).alias("_ov"),
        pl.when(pl.col("_ov_prev").fill_null(-1) >= pl.col("_ov_next").fill_null(-1))
        .then(pl.col("_prev_inst")).otherwise(pl.col("_next_inst")).alias("_other"),
    )
    hit = ex.filter(pl.col("_ov") > params.overlap_tolerance_minutes)
    if hit.height == 0:
        return concat_flags([])
    # one flag per submission: the enumerator with the largest overlap
    best = hit.sort(["_i", "_ov", "enumerator"], descending=[False, True, False]).unique("_i", keep="first")
    ov = pl.col("_ov")
    return make_flags(
        best.select(*IDENT, "enumerator", "_ov", "_other"), None, "timing.overlap", value=fmt(ov),
        detail_zh=pl.format("调查员 {} 的另一份问卷 {} 与本问卷时间重叠 {} 分钟", pl.col("enumerator"), pl.col("_other"), fmt(ov)),
        detail_en=pl.format("enumerator {} has another interview {} overlapping this one by {} min",
                            pl.col("enumerator"), pl.col("_other"), fmt(ov)),
        related=pl.col("_other"))


def daily_load_flags(sub: pl.DataFrame, params: QualityParams) -> pl.DataFrame:
    ex = exploded(sub).filter(pl.col("day").is_not_null())
    if ex.height == 0:
        return concat_flags([])
    ex = ex.with_columns(pl.len().over(["county", "enumerator", "day"]).alias("_n"))
    hit = ex.filter(pl.col("_n") > params.max_interviews_per_day)
    if hit.height == 0:
        return concat_flags([])
    best = hit.sort(["_i", "_n", "enumerator"], descending=[False, True, False]).unique("_i", keep="first")
    n, cap = pl.col("_n"), pl.lit(str(params.max_interviews_per_day))
    return make_flags(
        best, None, "timing.too_many_per_day", value=n,
        detail_zh=pl.format("调查员 {} 在 {} 完成 {} 份问卷，超过每日上限 {} 份", pl.col("enumerator"),
                            pl.col("day").dt.strftime("%Y-%m-%d"), n, cap),
        detail_en=pl.format("enumerator {} did {} interviews on {}, over the daily maximum of {}", pl.col("enumerator"),
                            n, pl.col("day").dt.strftime("%Y-%m-%d"), cap))
