"""The submissions table every check reads, and the shape of a flag row.

``submissions(households)`` normalises what ingest wrote (``responses/households.parquet``, or a plain
table with the contract columns) into one frame: identity and place, the enumerator pair as a sorted
``;``-joined key and as a list of individual IDs, local start/end times, the fieldwork day (local date
of the start), the submission time and the GPS point. Answers stay in the households table, joined by
the row index ``_i`` when a check needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from ..errors import Diagnostic, PovexitError
from ..errors import quality as EQ
from . import catalogue

TZ = "Asia/Shanghai"
DT = pl.Datetime("us", TZ)
IDENT = ("instance_id", "household_id", "instrument", "county", "township", "village", "village_id", "enumerators",
         "day")
FLAG_SCHEMA: dict[str, pl.DataType] = {
    "instance_id": pl.String(), "household_id": pl.String(), "instrument": pl.String(), "county": pl.String(),
    "township": pl.String(), "village": pl.String(), "village_id": pl.String(), "enumerators": pl.String(),
    "day": pl.Date(), "check": pl.String(), "category": pl.String(), "severity": pl.String(), "value": pl.String(),
    "detail_zh": pl.String(), "detail_en": pl.String(), "related_instance_id": pl.String(),
}
INSTRUMENT_ZH = {"registered": "建档立卡户", "general": "非建档立卡户"}
_SEP = r"[,;，；、/|\s]+"


@dataclass
class Prepared:
    sub: pl.DataFrame  # one row per household submission (see module docstring)
    households: pl.DataFrame  # the answers, row-aligned with ``sub`` (``_i``)
    warnings: list[Diagnostic] = field(default_factory=list)


def empty_flags() -> pl.DataFrame:
    return pl.DataFrame(schema=FLAG_SCHEMA)


def fmt(x: pl.Expr, decimals: int = 1) -> pl.Expr:
    """A number as short text: ``12``, ``12.5`` (no trailing zeros)."""
    r = x.cast(pl.Float64).round(decimals)
    as_int = r.cast(pl.Int64, strict=False).cast(pl.String)
    return pl.when(r.is_null()).then(pl.lit(None, pl.String)).when(r == r.floor()).then(as_int).otherwise(
        r.cast(pl.String))


def make_flags(frame: pl.DataFrame, mask: pl.Expr | None, check_id: str, *, value: pl.Expr,
               detail_zh: pl.Expr, detail_en: pl.Expr, related: pl.Expr | None = None) -> pl.DataFrame:
    """Flag rows of ``frame`` (which carries the IDENT columns) where ``mask`` holds."""
    chk = catalogue.check(check_id)
    df = frame.filter(mask.fill_null(False)) if mask is not None else frame
    # one chunk: pl.format over a when/then of a multi-chunk frame panics in Polars 2.1
    df = df.rechunk()
    if df.height == 0:
        return empty_flags()
    return df.select(
        *[pl.col(c) for c in IDENT],
        pl.lit(chk.id).alias("check"), pl.lit(chk.category).alias("category"), pl.lit(chk.severity).alias("severity"),
        value.cast(pl.String).alias("value"), detail_zh.cast(pl.String).alias("detail_zh"),
        detail_en.cast(pl.String).alias("detail_en"),
        (related.cast(pl.String) if related is not None else pl.lit(None, pl.String)).alias("related_instance_id"),
    ).cast(FLAG_SCHEMA)  # type: ignore[arg-type]


def concat_flags(frames: list[pl.DataFrame]) -> pl.DataFrame:
    frames = [f for f in frames if f.height]
    if not frames:
        return empty_flags()
    return pl.concat(frames, how="vertical").sort(
        ["day", "enumerators", "instance_id", "check", "related_instance_id"], nulls_last=True)


# ---- normalising the inputs ------------------------------------------------------------------------------

def _col(df: pl.DataFrame, name: str, dtype: pl.DataType = pl.String()) -> pl.Expr:
    return pl.col(name).cast(dtype, strict=False) if name in df.columns else pl.lit(None, dtype=dtype)


def _text(df: pl.DataFrame, name: str) -> pl.Expr:
    e = _col(df, name).str.strip_chars()
    return pl.when(e == "").then(None).otherwise(e).alias(name)


def local_time(df: pl.DataFrame, name: str) -> tuple[pl.Expr, bool]:
    """Column ``name`` as ``Datetime(us, Asia/Shanghai)``; also whether naive values were assumed local."""
    if name not in df.columns:
        return pl.lit(None, dtype=DT).alias(name), False
    dtype = df.schema[name]
    c = pl.col(name)
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            naive = df[name].is_not_null().any()
            return c.dt.cast_time_unit("us").dt.replace_time_zone(TZ, ambiguous="earliest", non_existent="null") \
                .alias(name), bool(naive)
        return c.dt.cast_time_unit("us").dt.convert_time_zone(TZ).alias(name), False
    if dtype == pl.Date:
        return c.cast(pl.Datetime("us")).dt.replace_time_zone(TZ).alias(name), bool(df[name].is_not_null().any())
    from ..instruments.schema import parse_datetime

    s = c.cast(pl.String)
    naive = bool(df.select((s.str.strip_chars().str.contains(r"(Z|[+-]\d{2}(:?\d{2})?)$").not_()
                            & s.is_not_null() & (s.str.strip_chars() != "")).any()).item())
    return parse_datetime(s).alias(name), naive


def enumerator_list(df: pl.DataFrame) -> pl.Expr:
    """Sorted, de-duplicated, upper-cased enumerator IDs of a submission (``enumerators`` = ``A;B``, else
    ``enumerator_id`` + ``enumerator_partner``)."""
    joined = pl.concat_str([_col(df, "enumerator_id"), _col(df, "enumerator_partner")], separator=";",
                           ignore_nulls=True)
    raw = pl.coalesce(_text(df, "enumerators"), pl.when(joined != "").then(joined))
    return (raw.str.to_uppercase().str.replace_all(_SEP, ";").str.strip_chars(";").str.split(";")
            .list.eval(pl.element().filter(pl.element() != "")).list.unique().list.sort())


def submissions(households: pl.DataFrame, source: str = "households") -> Prepared:
    """Normalise the household interviews (see module docstring). Raises PVX-Q01/Q02."""
    if households is None or households.height == 0:
        raise PovexitError(EQ.NO_HOUSEHOLDS(file=source))
    for c in ("instance_id", "household_id"):
        if c not in households.columns:
            raise PovexitError(EQ.MISSING_COLUMN(file=source, column=c))
    warnings: list[Diagnostic] = []
    hh = households.with_row_index("_i")
    started, naive_s = local_time(hh, "started_at")
    ended, naive_e = local_time(hh, "ended_at")
    submitted, _ = local_time(hh, "submission_date")
    if naive_s or naive_e:
        warnings.append(EQ.NAIVE_TIMES(file=source, column="started_at"))
    # ingest splits ``gps`` into gps_lat/gps_lon; plain tables may only have ``gps`` ("lat lon alt acc")
    parts = _col(hh, "gps").str.strip_chars().str.replace_all(_SEP, " ").str.split(" ")
    lat = pl.coalesce(_col(hh, "gps_lat", pl.Float64()),
                      parts.list.get(0, null_on_oob=True).cast(pl.Float64, strict=False))
    lon = pl.coalesce(_col(hh, "gps_lon", pl.Float64()),
                      parts.list.get(1, null_on_oob=True).cast(pl.Float64, strict=False))
    acc = parts.list.get(3, null_on_oob=True).cast(pl.Float64, strict=False)
    valid = lat.is_between(-90, 90) & lon.is_between(-180, 180) & ~((lat == 0) & (lon == 0))
    sub = hh.select(
        "_i",
        _text(hh, "instance_id"), _text(hh, "household_id"),
        _text(hh, "instrument").str.to_lowercase().fill_null("registered").alias("instrument"),
        _text(hh, "county").fill_null("").alias("county"), _text(hh, "township"), _text(hh, "village"),
        _text(hh, "village_id"), _text(hh, "group"),
        enumerator_list(hh).alias("enum_list"),
        started, ended, submitted,
        pl.when(valid).then(lat).alias("lat"), pl.when(valid).then(lon).alias("lon"), acc.alias("gps_accuracy"),
    ).with_columns(
        pl.when(pl.col("enum_list").list.len() > 0).then(pl.col("enum_list").list.join(";")).alias("enumerators"),
        pl.col("started_at").dt.date().alias("day"),
        # the village a point belongs to: its ID, else its names
        pl.coalesce("village_id", pl.concat_str([pl.col("county"), pl.col("township"), pl.col("village")],
                                                 separator="|")).alias("village_key"),
    )
    n_no_enum = sub.filter(pl.col("enumerators").is_null()).height
    if n_no_enum:
        warnings.append(EQ.NO_ENUMERATORS(file=source, column="enumerators", value=n_no_enum))
    answers = coerce_answers(hh)
    if "interview_result" not in answers.columns or answers["interview_result"].null_count():
        # the households table holds completed interviews only (non-interviews are in nonresponse)
        answers = answers.with_columns(_col(answers, "interview_result").fill_null("completed").alias("interview_result"))
    return Prepared(sub=sub, households=answers, warnings=warnings)


def coerce_answers(df: pl.DataFrame) -> pl.DataFrame:
    """Answers typed as ingest types them (yes/no → Boolean, int → Int64, dec → Float64) when a plain table
    holds them as text; typed columns are left alone."""
    from ..contracts import NO, YES
    from ..instruments.schema import known_names

    exprs = []
    for name, kind in known_names().items():
        if name not in df.columns or df.schema[name] != pl.String or name in IDENT:
            continue
        c = pl.col(name).str.strip_chars()
        if kind == "yn":
            low = c.str.to_lowercase()
            exprs.append(pl.when(low.is_in(sorted(YES))).then(True).when(low.is_in(sorted(NO))).then(False)
                         .otherwise(None).alias(name))
        elif kind == "int":
            exprs.append(c.cast(pl.Float64, strict=False).cast(pl.Int64, strict=False).alias(name))
        elif kind == "dec":
            exprs.append(c.str.replace_all(",", "", literal=True).cast(pl.Float64, strict=False).alias(name))
    return df.with_columns(exprs) if exprs else df


def exploded(sub: pl.DataFrame) -> pl.DataFrame:
    """One row per (submission, individual enumerator): column ``enumerator``."""
    return (sub.filter(pl.col("enumerators").is_not_null())
            .with_columns(pl.col("enum_list").alias("enumerator")).explode("enumerator"))


def instrument_zh(e: pl.Expr) -> pl.Expr:
    return e.replace_strict(INSTRUMENT_ZH, default=e, return_dtype=pl.String)
