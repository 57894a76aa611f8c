"""Check 3: GPS — missing, poor accuracy, far from the village's other interviews, the same point for
several households.

The village centre is the coordinate-wise median of the village's interview points: half the points
would have to be wrong to move it, so a few interviews recorded elsewhere (at the township office, at
home after the day's work) do not drag the centre towards themselves. Distances are great-circle
(haversine, mean Earth radius 6371.0088 km).
"""

from __future__ import annotations

import polars as pl

from ..errors import Diagnostic
from ..errors import quality as EQ
from .frame import concat_flags, fmt, make_flags
from .params import QualityParams

EARTH_KM = 6371.0088


def haversine_km(lat1: pl.Expr, lon1: pl.Expr, lat2: pl.Expr, lon2: pl.Expr) -> pl.Expr:
    p1, p2 = lat1.radians(), lat2.radians()
    dphi = p2 - p1
    dlmb = (lon2 - lon1).radians()
    a = (dphi / 2).sin().pow(2) + p1.cos() * p2.cos() * (dlmb / 2).sin().pow(2)
    return 2 * EARTH_KM * a.sqrt().clip(upper_bound=1.0).arcsin()


def village_centres(sub: pl.DataFrame) -> pl.DataFrame:
    """village_key → centre (median lat/lon) and number of points."""
    return (sub.filter(pl.col("lat").is_not_null() & pl.col("village_key").is_not_null())
            .group_by("village_key")
            .agg(pl.col("lat").median().alias("_clat"), pl.col("lon").median().alias("_clon"),
                 pl.len().alias("_npts")))


def gps_flags(sub: pl.DataFrame, params: QualityParams) -> tuple[pl.DataFrame, list[Diagnostic]]:
    warnings: list[Diagnostic] = []
    out = [
        make_flags(sub, pl.col("lat").is_null(), "gps.missing", value=pl.lit(""),
                   detail_zh=pl.lit("问卷没有有效定位（无法证明在户内访问）"),
                   detail_en=pl.lit("no valid GPS point (no evidence the interview took place at the home)")),
        make_flags(sub, pl.col("lat").is_not_null() & (pl.col("gps_accuracy") > params.gps_max_accuracy_m),
                   "gps.low_accuracy", value=fmt(pl.col("gps_accuracy")),
                   detail_zh=pl.format("定位精度 {} 米，超过 {} 米", fmt(pl.col("gps_accuracy")),
                                       pl.lit(f"{params.gps_max_accuracy_m:g}")),
                   detail_en=pl.format("GPS accuracy {} m, worse than {} m", fmt(pl.col("gps_accuracy")),
                                       pl.lit(f"{params.gps_max_accuracy_m:g}"))),
    ]
    centres = village_centres(sub)
    thin = centres.filter(pl.col("_npts") < params.gps_min_village_points)
    if thin.height:
        warnings.append(EQ.NO_GPS_CENTRE(column="gps", value=thin.height, minimum=params.gps_min_village_points,
                                         example=thin.sort("village_key")["village_key"][0]))
    df = sub.join(centres.filter(pl.col("_npts") >= params.gps_min_village_points), on="village_key", how="left")
    df = df.with_columns(haversine_km(pl.col("lat"), pl.col("lon"), pl.col("_clat"), pl.col("_clon")).alias("_km"))
    km = pl.col("_km")
    out.append(make_flags(
        df, km > params.gps_far_km, "gps.far_from_village", value=fmt(km, 2),
        detail_zh=pl.format("定位距本村受访户中心 {} 公里（本村 {} 个定位的中位点），超过 {} 公里", fmt(km, 2),
                            pl.col("_npts"), pl.lit(f"{params.gps_far_km:g}")),
        detail_en=pl.format("GPS point {} km from the centre of the village's interviews (median of {} points), "
                            "over {} km", fmt(km, 2), pl.col("_npts"), pl.lit(f"{params.gps_far_km:g}"))))
    dec = params.gps_identical_decimals
    pts = sub.filter(pl.col("lat").is_not_null()).with_columns(
        pl.col("lat").round(dec).alias("_rlat"), pl.col("lon").round(dec).alias("_rlon"))
    g = ["_rlat", "_rlon"]
    pts = pts.with_columns(
        pl.col("household_id").n_unique().over(g).alias("_nh"),
        pl.col("instance_id").min().over(g).alias("_first"), pl.col("instance_id").max().over(g).alias("_last"),
    ).with_columns(
        pl.when(pl.col("instance_id") == pl.col("_first")).then(pl.col("_last")).otherwise(pl.col("_first"))
        .alias("_other"))
    nh = pl.col("_nh")
    point = pl.format("{}, {}", pl.col("_rlat"), pl.col("_rlon"))
    out.append(make_flags(
        pts, nh >= params.gps_identical_min, "gps.identical", value=nh,
        detail_zh=pl.format("{} 户问卷的定位完全相同（{}），可能未在户内访问", nh, point),
        detail_en=pl.format("{} households share exactly this GPS point ({}); interviews possibly not at home",
                            nh, point),
        related=pl.col("_other")))
    return concat_flags(out), warnings
