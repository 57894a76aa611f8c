"""Counties: region (central / western) and the composite-incidence threshold (综合贫困发生率标准).

The exit standard is 2% for central provinces and 3% for the western ones (the 12 western
provinces, autonomous regions and municipality; Jilin's Yanbian prefecture is treated as western).
"""

from __future__ import annotations

import polars as pl

from .. import contracts
from ..errors import registry as R
from ..tabular import ROW
from . import parse
from .diagnose import Collector

SPEC = contracts.COUNTIES
WESTERN_PROVINCES = ("内蒙古", "广西", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆")
WESTERN_PREFECTURES = ("延边",)
THRESHOLDS = {"central": 0.02, "western": 0.03}
REGION_ZH = {"central": "中部", "western": "西部", "eastern": "东部"}
FINAL_COLUMNS = ("province", "city", "county", "region", "poverty_threshold", "exit_year", "county_code", "source_row")


def expected_region(province: pl.Expr) -> pl.Expr:
    """central / western from the province name."""
    west = pl.any_horizontal([province.str.starts_with(p) for p in WESTERN_PROVINCES]).fill_null(False)
    return pl.when(west).then(pl.lit("western")).otherwise(pl.lit("central"))


def expected_threshold(region: pl.Expr, city: pl.Expr) -> pl.Expr:
    """2% central, 3% western and Yanbian (whatever region it is filed under), none for eastern."""
    yanbian = pl.any_horizontal([city.str.contains(p, literal=True) for p in WESTERN_PREFECTURES]).fill_null(False)
    return (
        pl.when(yanbian | (region == "western")).then(pl.lit(THRESHOLDS["western"]))
        .when(region == "central").then(pl.lit(THRESHOLDS["central"]))
        .otherwise(pl.lit(None, dtype=pl.Float64))
    )


def type_counties(raw: pl.DataFrame) -> pl.DataFrame:
    f = raw.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in SPEC.names if c not in raw.columns])
    return f.with_columns(
        parse.map_codes(pl.col("region"), contracts.REGION_ALIASES).alias("__t_region"),
        parse.number(pl.col("poverty_threshold"), percent=True).alias("__t_poverty_threshold"),
        parse.year(pl.col("exit_year")).alias("__t_exit_year"),
        expected_region(pl.col("province")).alias("__expected_region"),
    )


def check_counties(f: pl.DataFrame, col: Collector, *, file: str, header) -> None:
    for c in SPEC.required:
        col.add_frame(R.VALUE_MISSING, f.filter(pl.col(c.name).is_null()), file=file, column=header(c.name),
                      row=ROW, value=None)
    bad = f.filter(pl.col("region").is_not_null() & pl.col("__t_region").is_null())
    col.add_frame(R.ENUM_INVALID, bad, file=file, column=header("region"), row=ROW, value="region",
                  params={"allowed": "中部 / 西部 (central / western)"})
    bad = f.filter(pl.col("exit_year").is_not_null() & pl.col("__t_exit_year").is_null())
    col.add_frame(R.NUMBER_INVALID, bad, file=file, column=header("exit_year"), row=ROW, value="exit_year",
                  params={"kind": "年份", "kind_en": "a year"})
    thr = pl.col("__t_poverty_threshold")
    raw_thr = pl.col("poverty_threshold")
    problems = f.filter(raw_thr.is_not_null()).with_columns(
        pl.when(thr.is_null()).then(pl.lit("不是数字")).when(thr >= 1).then(pl.lit("像是百分数却没有 %"))
        .when(thr <= 0).then(pl.lit("应大于 0")).when(thr > 0.1).then(pl.lit("超过 10%"))
        .alias("__reason"),
        pl.when(thr.is_null()).then(pl.lit("not a number")).when(thr >= 1).then(pl.lit("looks like a percentage without %"))
        .when(thr <= 0).then(pl.lit("must be above 0")).when(thr > 0.1).then(pl.lit("above 10%"))
        .alias("__reason_en"),
    ).filter(pl.col("__reason").is_not_null())
    col.add_frame(R.COUNTY_THRESHOLD_INVALID, problems, file=file, column=header("poverty_threshold"), row=ROW,
                  value="county", row_params={"poverty_threshold": "raw", "__reason": "reason",
                                              "__reason_en": "reason_en"})
    mismatch = f.filter(
        pl.col("__t_region").is_in(["central", "western"]) & (pl.col("__t_region") != pl.col("__expected_region"))
    ).with_columns(
        pl.col("__expected_region").replace_strict(REGION_ZH, default=None).alias("__exp_zh"),
    )
    col.add_frame(R.COUNTY_REGION_MISMATCH, mismatch, file=file, column=header("region"), row=ROW, value="county",
                  row_params={"region": "region", "province": "province", "__exp_zh": "expected"})
    region = pl.coalesce("__t_region", "__expected_region")
    differs = f.with_columns(
        expected_threshold(region, pl.col("city")).alias("__std"),
        region.replace_strict(REGION_ZH, default=None).alias("__r"),
    ).filter(
        thr.is_not_null() & (thr > 0) & (thr <= 0.1) & pl.col("__std").is_not_null() & ((thr - pl.col("__std")).abs() > 1e-9)
    )
    col.add_frame(R.COUNTY_THRESHOLD_DIFFERS, differs, file=file, column=header("poverty_threshold"), row=ROW,
                  value="county", row_params={"__t_poverty_threshold": "threshold", "__r": "region", "__std": "expected"})
    none = f.filter(thr.is_null() & (pl.col("__t_region") == "eastern"))
    col.add_frame(R.COUNTY_NO_THRESHOLD, none, file=file, column=header("poverty_threshold"), row=ROW, value="county")
    dup = f.filter(pl.col("county").is_not_null()).with_columns(
        pl.col(ROW).min().over("province", "county").alias("__first")).filter(pl.col(ROW) != pl.col("__first"))
    col.add_frame(R.COUNTY_DUPLICATE, dup, file=file, column=header("county"), row=ROW, value="county",
                  row_params={"__first": "other_row"})


def final_counties(f: pl.DataFrame, extra: list[str]) -> pl.DataFrame:
    """Region filled from the province when empty, threshold from the region when empty."""
    region = pl.coalesce("__t_region", "__expected_region")
    thr = pl.col("__t_poverty_threshold")
    valid_thr = pl.when(thr.is_not_null() & (thr > 0) & (thr <= 0.1)).then(thr)
    return f.select(
        "province", "city", "county", region.alias("region"),
        pl.coalesce(valid_thr, expected_threshold(region, pl.col("city"))).alias("poverty_threshold"),
        pl.col("__t_exit_year").alias("exit_year"),
        pl.col("county_code").cast(pl.String),
        pl.col(ROW).cast(pl.Int64).alias("source_row"),
        *[pl.col(x).cast(pl.String).alias(x if x not in FINAL_COLUMNS else f"extra_{x}") for x in extra],
    )


def derive_counties(villages: pl.DataFrame) -> pl.DataFrame:
    """counties when the registry has no counties table: one per (province, city, county) of the
    villages, region from the province, threshold from the region, no exit year."""
    f = villages.select("province", "city", "county").unique(maintain_order=True).drop_nulls("county")
    region = expected_region(pl.col("province"))
    return f.select(
        "province", "city", "county", region.alias("region"),
        expected_threshold(region, pl.col("city")).alias("poverty_threshold"),
        pl.lit(None, dtype=pl.Int32).alias("exit_year"), pl.lit(None, dtype=pl.String).alias("county_code"),
        pl.lit(None, dtype=pl.Int64).alias("source_row"),
    )


def check_unlisted(counties: pl.DataFrame, villages: pl.DataFrame, col: Collector, *, file: str) -> None:
    seen = villages.select("province", "county", "source_row").drop_nulls("county").group_by(
        "province", "county").agg(pl.col("source_row").min())
    missing = seen.join(counties.select("province", "county"), on=["province", "county"], how="anti")
    col.add_frame(R.COUNTY_UNLISTED, missing, file=file, column=None, row="source_row", value="county",
                  row_params={"province": "province"})
