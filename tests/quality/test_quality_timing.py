"""Checks 1–2: duration, time of day, submission delay, overlapping interviews, daily load."""

from __future__ import annotations

import polars as pl
import pytest
from quality_helpers import flags_of, table

from povexit.errors import PovexitError
from povexit.quality import QualityParams, check

DURATIONS = """
instance_id,household_id,instrument,county,village_id,enumerators,started_at,ended_at,submission_date,gps
i1,H1,registered,甲县,V1,E01;E02,2019-02-14T09:00:00+08:00,2019-02-14T09:40:00+08:00,2019-02-14T20:00:00+08:00,25.000100 102.000100 1800 5
i2,H2,registered,甲县,V1,E01;E02,2019-02-14T09:45:00+08:00,2019-02-14T09:55:00+08:00,2019-02-14T20:00:00+08:00,25.000200 102.000200 1800 5
i3,H3,general,甲县,V1,E01;E02,2019-02-14T10:00:00+08:00,2019-02-14T10:12:00+08:00,2019-02-14T20:00:00+08:00,25.000300 102.000300 1800 5
i4,H4,registered,甲县,V1,E01;E02,2019-02-14T11:00:00+08:00,2019-02-14T10:50:00+08:00,2019-02-14T20:00:00+08:00,25.000400 102.000400 1800 5
i5,H5,registered,甲县,V1,E03;E04,2019-02-14T06:30:00+08:00,2019-02-14T07:20:00+08:00,2019-02-14T20:00:00+08:00,25.000500 102.000500 1800 5
i6,H6,registered,甲县,V1,E01;E02,2019-02-14T12:00:00+08:00,2019-02-14T15:30:00+08:00,2019-02-14T20:00:00+08:00,25.000600 102.000600 1800 5
i7,H7,registered,甲县,V1,E01;E02,2019-02-14T16:00:00+08:00,2019-02-14T16:40:00+08:00,2019-02-16T18:00:00+08:00,25.000700 102.000700 1800 5
i8,H8,registered,甲县,V1,E01;E02,2019-02-14T17:00:00+08:00,2019-02-14T17:40:00+08:00,2019-02-14T17:00:00+08:00,25.000800 102.000800 1800 5
i9,H9,registered,甲县,V1,E05;E06,2019-02-14T09:00:00+08:00,,2019-02-14T20:00:00+08:00,25.000900 102.000900 1800 5
i10,H10,general,甲县,V1,E05;E06,2019-02-14T20:40:00+08:00,2019-02-14T21:30:00+08:00,2019-02-14T22:00:00+08:00,25.001000 102.001000 1800 5
i11,H11,general,甲县,V1,E07;E08,2019-02-14T20:30:00+08:00,2019-02-15T00:20:00+08:00,2019-02-15T08:00:00+08:00,25.001100 102.001100 1800 5
"""


def test_duration_checks_flag_exactly_the_implausible_interviews():
    rep = check(table(DURATIONS))
    got = {k: {c for c in v if c.startswith("duration.")} for k, v in flags_of(rep).items()}
    got = {k: v for k, v in got.items() if v}
    assert got == {
        "i2": {"duration.too_short"},  # 10 min < 15 for a registered household
        "i4": {"duration.negative"},
        "i5": {"duration.outside_day"},  # starts 06:30
        "i6": {"duration.too_long"},  # 210 min
        "i7": {"duration.late_submission"},  # 49 h later
        "i8": {"duration.device_clock"},  # received 40 min before its end
        "i9": {"duration.missing"},
        "i10": {"duration.outside_day"},  # ends 21:30
        "i11": {"duration.outside_day", "duration.too_long"},  # overnight, 230 min
    }
    f = rep.flags.filter(pl.col("instance_id") == "i2").row(0, named=True)
    assert f["value"] == "10" and f["severity"] == "warning" and f["enumerators"] == "E01;E02"
    assert "15" in f["detail_zh"] and "建档立卡户" in f["detail_zh"] and "15-minute" in f["detail_en"]
    assert rep.flags.filter(pl.col("check") == "duration.negative")["severity"].to_list() == ["error"]
    assert str(rep.flags.filter(pl.col("instance_id") == "i5")["day"][0]) == "2019-02-14"


def test_duration_thresholds_are_parameters():
    params = QualityParams(min_minutes={"registered": 5.0, "general": 13.0}, day_start="06:00", day_end="22:00",
                           max_minutes=300, max_submit_delay_hours=72)
    got = {k: {c for c in v if c.startswith("duration.")} for k, v in flags_of(check(table(DURATIONS), params=params)).items()}
    assert got.get("i2", set()) == set()  # 10 ≥ 5
    assert got["i3"] == {"duration.too_short"}  # general: 12 < 13
    assert got.get("i5", set()) == set() and got.get("i10", set()) == set() and got.get("i6", set()) == set()
    assert got["i11"] == {"duration.outside_day"}  # still overnight
    assert got.get("i7", set()) == set()


OVERLAPS = """
instance_id,household_id,county,village_id,enumerators,started_at,ended_at
j1,H1,甲县,V1,E01;E02,2019-02-14T09:00:00+08:00,2019-02-14T09:45:00+08:00
j2,H2,甲县,V1,E01;E03,2019-02-14T09:30:00+08:00,2019-02-14T10:10:00+08:00
j3,H3,甲县,V1,E04;E05,2019-02-14T09:00:00+08:00,2019-02-14T09:45:00+08:00
j4,H4,甲县,V1,E04;E05,2019-02-14T09:46:00+08:00,2019-02-14T10:30:00+08:00
j5,H5,甲县,V1,E06;E07,2019-02-14T09:00:00+08:00,2019-02-14T09:40:00+08:00
j6,H6,甲县,V1,E07;E06,2019-02-14T09:39:00+08:00,2019-02-14T10:20:00+08:00
j7,H7,甲县,V1,E08;E09,2019-02-14T08:00:00+08:00,2019-02-14T11:00:00+08:00
j8,H8,甲县,V1,E08;E09,2019-02-14T08:10:00+08:00,2019-02-14T08:50:00+08:00
j9,H9,甲县,V1,E08;E09,2019-02-14T10:00:00+08:00,2019-02-14T10:30:00+08:00
j10,H10,乙县,V9,E01;E02,2019-02-14T09:00:00+08:00,2019-02-14T09:45:00+08:00
"""


def test_overlap_per_enumerator_with_tolerance_and_team_scope():
    rep = check(table(OVERLAPS))
    ov = rep.flags.filter(pl.col("check") == "timing.overlap")
    related = dict(ov.select("instance_id", "related_instance_id").iter_rows())
    # j1/j2 share E01 though recorded with different partners; j3/j4 do not touch; j5/j6 overlap 1 min
    # (within the 2-minute tolerance); j7 spans j8 and j9 (j9 overlaps j7, not j8: the running latest end);
    # j10 is another county's team with the same IDs
    assert related == {"j1": "j2", "j2": "j1", "j7": "j8", "j8": "j7", "j9": "j7"}
    assert ov.filter(pl.col("instance_id") == "j2")["value"][0] == "15"
    assert set(ov["severity"]) == {"error"}
    assert "E01" in ov.filter(pl.col("instance_id") == "j1")["detail_zh"][0]
    strict = check(table(OVERLAPS), params=QualityParams(overlap_tolerance_minutes=0))
    assert {"j5", "j6"} <= set(strict.flags.filter(pl.col("check") == "timing.overlap")["instance_id"])


def test_daily_load_counts_each_enumerator_per_day():
    rows = ["instance_id,household_id,county,village_id,enumerators,started_at,ended_at"]
    for k in range(4):
        rows.append(f"a{k},A{k},甲县,V1,E01;E02,2019-02-14T{8 + k:02d}:00:00+08:00,2019-02-14T{8 + k:02d}:40:00+08:00")
    for k in range(3):
        rows.append(f"b{k},B{k},甲县,V1,E03;E04,2019-02-14T{8 + k:02d}:00:00+08:00,2019-02-14T{8 + k:02d}:40:00+08:00")
    # E03 also does two interviews with another partner the next day: not the same day
    rows.append("c0,C0,甲县,V1,E03;E09,2019-02-15T08:00:00+08:00,2019-02-15T08:40:00+08:00")
    rep = check(table("\n".join(rows)), params=QualityParams(max_interviews_per_day=3))
    load = rep.flags.filter(pl.col("check") == "timing.too_many_per_day")
    assert sorted(load["instance_id"]) == ["a0", "a1", "a2", "a3"]
    assert set(load["value"]) == {"4"}
    assert "2019-02-14" in load["detail_zh"][0] and "上限 3" in load["detail_zh"][0]


def test_daily_summary_in_report():
    rep = check(table(DURATIONS))
    daily = {(str(d["day"]), d["enumerators"]): d for d in rep.daily.iter_rows(named=True)}
    d = daily[("2019-02-14", "E01;E02")]
    assert d["interviews"] == 7 and d["flagged"] == 5 and d["errors"] == 1
    assert d["checks"].split(";") == sorted(["duration.too_short", "duration.negative", "duration.too_long",
                                             "duration.late_submission", "duration.device_clock"])


def test_times_without_zone_are_read_as_beijing_time_with_a_warning():
    naive = table(DURATIONS).with_columns(pl.col("started_at").dt.replace_time_zone(None),
                                          pl.col("ended_at").dt.replace_time_zone(None))
    rep = check(naive)
    assert "PVX-Q12" in {w.code for w in rep.warnings}
    assert flags_of(rep, "duration.outside_day").keys() == {"i5", "i10", "i11"}


def test_missing_identity_column_and_empty_table_are_errors():
    with pytest.raises(PovexitError) as e:
        check(table(DURATIONS).drop("household_id"))
    assert e.value.diagnostics[0].code == "PVX-Q02"
    with pytest.raises(PovexitError) as e:
        check(table(DURATIONS).clear())
    assert e.value.diagnostics[0].code == "PVX-Q01"
