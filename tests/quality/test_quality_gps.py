"""Check 3: GPS missing, poor accuracy, far from the village's robust centre, identical points."""

from __future__ import annotations

import math

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from quality_helpers import flags_of, table

from povexit.quality import QualityParams, check
from povexit.quality.gps import EARTH_KM, haversine_km

POINTS = """
instance_id,household_id,county,village_id,enumerators,started_at,ended_at,gps
g1,H1,甲县,V1,E01;E02,2019-02-14T08:00:00+08:00,2019-02-14T08:40:00+08:00,25.001000 102.000000 1800 5
g2,H2,甲县,V1,E01;E02,2019-02-14T09:00:00+08:00,2019-02-14T09:40:00+08:00,25.000000 102.001000 1800 5
g3,H3,甲县,V1,E01;E02,2019-02-14T10:00:00+08:00,2019-02-14T10:40:00+08:00,24.999000 102.000500 1800 5
g4,H4,甲县,V1,E01;E02,2019-02-14T11:00:00+08:00,2019-02-14T11:40:00+08:00,25.000500 101.999000 1800 5
g5,H5,甲县,V1,E01;E02,2019-02-14T12:00:00+08:00,2019-02-14T12:40:00+08:00,25.100000 102.000000 1800 5
g6,H6,甲县,V1,E01;E02,2019-02-14T13:00:00+08:00,2019-02-14T13:40:00+08:00,25.000200 102.000200 1800 150
g7,H7,甲县,V1,E01;E02,2019-02-14T14:00:00+08:00,2019-02-14T14:40:00+08:00,
g8,H8,甲县,V1,E03;E04,2019-02-14T08:00:00+08:00,2019-02-14T08:40:00+08:00,25.012340 102.012340 1800 5
g9,H9,甲县,V1,E03;E04,2019-02-14T09:00:00+08:00,2019-02-14T09:40:00+08:00,25.012340 102.012340 1800 5
g10,H10,甲县,V1,E03;E04,2019-02-14T10:00:00+08:00,2019-02-14T10:40:00+08:00,25.012341 102.012339 1800 6
g11,H11,甲县,V2,E05;E06,2019-02-14T08:00:00+08:00,2019-02-14T08:40:00+08:00,26.000000 103.000000 1800 5
g12,H12,甲县,V2,E05;E06,2019-02-14T09:00:00+08:00,2019-02-14T09:40:00+08:00,26.300000 103.000000 1800 5
g13,H13,甲县,V2,E05;E06,2019-02-14T10:00:00+08:00,2019-02-14T10:40:00+08:00,27.500000 104.500000 1800 5
g14,H14,甲县,V2,E05;E06,2019-02-14T11:00:00+08:00,2019-02-14T11:40:00+08:00,27.500000 104.500000 1800 5
g15,H15,甲县,V2,E05;E06,2019-02-14T12:00:00+08:00,2019-02-14T12:40:00+08:00,0 0
"""


def test_gps_checks():
    rep = check(table(POINTS))
    got = {k: {c for c in v if c.startswith("gps.")} for k, v in flags_of(rep).items()}
    got = {k: v for k, v in got.items() if v}
    # V1: 10 points; g5 is 11 km north of the median centre; g6's accuracy is 150 m; g7 has no point;
    # g8–g10 are one point at 1e-5 degrees (3 households). V2 has 4 valid points only (0,0 is no fix): no
    # centre, so its scattered points are not judged; g13/g14 share a point but only 2 households.
    assert got == {
        "g5": {"gps.far_from_village"}, "g6": {"gps.low_accuracy"}, "g7": {"gps.missing"},
        "g8": {"gps.identical"}, "g9": {"gps.identical"}, "g10": {"gps.identical"}, "g15": {"gps.missing"},
    }
    far = rep.flags.filter(pl.col("check") == "gps.far_from_village").row(0, named=True)
    assert abs(float(far["value"]) - 11.1) < 0.2
    assert "公里" in far["detail_zh"] and "km" in far["detail_en"]
    ident = rep.flags.filter(pl.col("check") == "gps.identical")
    assert set(ident["value"]) == {"3"} and set(ident["related_instance_id"]) <= {"g8", "g9", "g10"}
    assert "PVX-Q11" in {w.code for w in rep.warnings}


def test_gps_parameters():
    p = QualityParams(gps_far_km=20, gps_identical_min=2, gps_min_village_points=3, gps_max_accuracy_m=200)
    got = {k: {c for c in v if c.startswith("gps.")} for k, v in flags_of(check(table(POINTS), params=p)).items()}
    assert "gps.far_from_village" not in got.get("g5", set())
    assert "gps.low_accuracy" not in got.get("g6", set())
    # V2 now has a centre (4 points ≥ 3): the median (26.9, 103.75) is ~125 km from g11
    assert "gps.far_from_village" in got["g11"]
    assert "gps.identical" in got["g13"] and "gps.identical" in got["g14"]


def test_haversine_against_known_distances():
    df = pl.DataFrame({"a": [0.0, 25.0, 39.9042], "b": [0.0, 102.0, 116.4074], "c": [1.0, 25.0, 31.2304],
                       "d": [0.0, 103.0, 121.4737]})
    km = df.select(haversine_km(pl.col("a"), pl.col("b"), pl.col("c"), pl.col("d"))).to_series().to_list()
    assert abs(km[0] - math.pi / 180 * EARTH_KM) < 1e-9  # one degree of latitude
    assert abs(km[1] - 2 * EARTH_KM * math.asin(math.cos(math.radians(25)) * math.sin(math.radians(0.5)))) < 1e-9
    assert abs(km[2] - 1067.3) < 1.0  # Beijing – Shanghai, great circle


@settings(max_examples=40, deadline=None)
@given(st.floats(-60, 60), st.floats(-170, 170), st.floats(-1, 1), st.floats(-1, 1))
def test_haversine_is_a_symmetric_distance(lat, lon, dlat, dlon):
    df = pl.DataFrame({"a": [lat], "b": [lon], "c": [lat + dlat], "d": [lon + dlon]})
    ab = df.select(haversine_km(pl.col("a"), pl.col("b"), pl.col("c"), pl.col("d"))).item()
    ba = df.select(haversine_km(pl.col("c"), pl.col("d"), pl.col("a"), pl.col("b"))).item()
    assert ab >= 0 and abs(ab - ba) < 1e-9
    # never more than the flat-earth bound through the larger of the two latitudes' degree lengths
    assert ab <= math.pi / 180 * EARTH_KM * math.hypot(dlat, dlon) + 1e-6
