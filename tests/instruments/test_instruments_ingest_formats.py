"""Ingest of every export shape: ODK Central CSV (main + repeat CSV) and ZIP, KoboToolbox CSV and XLSX
(repeat sheet with _parent_index), plain contract CSV (Chinese headers, members in a second file) and OData
JSON. The same answers give the same typed responses — and the same content hash — whatever the shape."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from instruments_helpers import (
    cadre,
    central_csvs,
    central_zip,
    general,
    kobo_csv,
    kobo_xlsx,
    make_sample,
    members,
    odata_file,
    plain_csv,
    registered,
    village,
)

from povexit.instruments import ingest, load_responses, write_responses
from povexit.instruments.store import is_responses_dir

SERVER = ["source_file", "source_row", "submission_date", "submitter", "review_state", "edits", "form_version"]


@pytest.fixture
def answers() -> tuple[list[dict], list[dict]]:
    rows = [registered("H1", "uuid:0001"), registered("H2", "uuid:0002", persons="3", persons_sharing="3",
                                                      income_net_per_capita="4666.67")]
    mems = members("uuid:0001", 2) + members("uuid:0002", 3)
    return rows, mems


def _check_registered(res) -> None:
    assert res.errors.height == 0, res.rejected
    hh = res.households.sort("household_id")
    assert hh["household_id"].to_list() == ["H1", "H2"]
    assert hh["instance_id"].to_list() == ["uuid:0001", "uuid:0002"]
    assert hh.schema["food_staple_enough"] == pl.Boolean
    assert hh["food_staple_enough"].to_list() == [True, True]
    assert hh.schema["water_litres_per_person_day"] == pl.Float64
    assert hh["persons"].to_list() == [2, 3]
    assert hh["income_net_per_capita"].to_list() == [7000.0, 4666.67]
    assert hh["employment_support"].to_list() == ["training job_info"] * 2
    assert hh["gps_lat"].to_list() == [25.123456] * 2 and hh["gps_lon"].to_list() == [102.654321] * 2
    start = hh["started_at"][0]
    assert start == dt.datetime(2019, 2, 14, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert hh["enumerators"].to_list() == ["E01;E02"] * 2
    assert hh["source"].to_list() == ["frame", "frame"]  # sample provenance
    mem = res.members.sort("instance_id", "member_no")
    assert mem.height == 5
    assert mem["member_no"].to_list() == [1, 2, 1, 2, 3]
    assert mem["household_id"].to_list() == ["H1", "H1", "H2", "H2", "H2"]
    assert mem["member_age"].to_list() == [49, 47, 49, 47, 11]
    assert mem.schema["member_basic_insurance"] == pl.Boolean


def _normal(res) -> pl.DataFrame:
    return res.households.drop(SERVER).sort("household_id")


def test_central_zip_and_csv_with_repeat(tmp_path: Path, answers) -> None:
    sample = make_sample(tmp_path)
    rows, mems = answers
    z = central_zip(tmp_path / "povexit_registered.zip", "registered", rows, mems)
    res_zip = ingest(sample, [z])
    _check_registered(res_zip)
    assert res_zip.households["source_file"][0] == "povexit_registered.zip:povexit_registered.csv"
    d = tmp_path / "csv"
    d.mkdir()
    main, rep = central_csvs(d, "registered", rows, mems)
    # group-prefixed names as Central writes them
    header = main.read_text(encoding="utf-8").splitlines()[0]
    assert "grp_water-water_litres_per_person_day" in header and "meta-instanceID" in header
    assert "gps-Latitude" in header and header.startswith("SubmissionDate,") and header.endswith("Edits,FormVersion")
    assert rep.read_text(encoding="utf-8").splitlines()[1].endswith("uuid:0001,uuid:0001/grp_household/members[1]")
    res_csv = ingest(sample, [main, rep])
    _check_registered(res_csv)
    assert _normal(res_zip).equals(_normal(res_csv))
    assert res_zip.members.equals(res_csv.members)


def test_central_csv_written_by_hand(tmp_path: Path) -> None:
    """A cadre export spelled out the way ODK Central writes it (briefcase.js): bookkeeping columns,
    geopoint in four columns, ReviewState, Edits."""
    sample = make_sample(tmp_path)
    csv = tmp_path / "povexit_cadre.csv"
    csv.write_text(
        "SubmissionDate,start,end,today,deviceid,instrument,enumerator_id,enumerator_partner,enumerators,"
        "respondent_role,village_id,county,township,village,respondent_unit,gps-Latitude,gps-Longitude,gps-Altitude,"
        "gps-Accuracy,approve_policy,approve_procedure,approve_exit,approves,disapproval_reason,suggestions,"
        "meta-instanceID,meta-instanceName,KEY,SubmitterID,SubmitterName,AttachmentsPresent,AttachmentsExpected,"
        "Status,ReviewState,DeviceID,Edits,FormVersion\n"
        "2019-02-14T12:01:02.345Z,2019-02-14T15:00:00.000+08:00,2019-02-14T15:20:00.000+08:00,2019-02-14,"
        "collect:x1,cadre,E01,E02,E01;E02,village_cadre,V1,东庄县,平湖镇,桃坪村,,25.1,102.6,1800,5,yes,yes,yes,no,"
        "\"帮扶措施落实不到位, 部分项目停工\",,uuid:c1,village_cadre 2019-02-14,uuid:c1,7,e01,0,0,,,collect:x1,0,2025.1\n"
        "2019-02-14T12:05:00.000Z,2019-02-14T16:00:00.000+08:00,2019-02-14T16:20:00.000+08:00,2019-02-14,"
        "collect:x1,cadre,E01,E02,E01;E02,county_cadre,,,,,县扶贫办,,,,,yes,yes,yes,yes,,,uuid:c2,county_cadre,"
        "uuid:c2,7,e01,0,0,,approved,collect:x1,1,2025.1\n",
        encoding="utf-8",
    )
    res = ingest(sample, [csv])
    assert res.errors.height == 0, res.rejected
    c = res.cadres.sort("instance_id")
    assert c["respondent_role"].to_list() == ["village_cadre", "county_cadre"]
    assert c["approves"].to_list() == [False, True]
    assert c["disapproval_reason"][0] == "帮扶措施落实不到位, 部分项目停工"
    assert c["gps"][0] == "25.1 102.6 1800 5" and c["gps"][1] is None
    assert c["review_state"].to_list() == [None, "approved"]
    assert c["edits"].to_list() == [0, 1]
    assert c["submission_date"][0] == dt.datetime(2019, 2, 14, 20, 1, 2, 345000,
                                                  tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_kobo_csv_semicolon_slash_uuid(tmp_path: Path, answers) -> None:
    sample = make_sample(tmp_path)
    rows, _ = answers
    f = kobo_csv(tmp_path / "kobo.csv", "registered", rows)
    text = f.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].count(";") > 50 and '"grp_water/water_litres_per_person_day"' in text
    res = ingest(sample, [f])
    assert res.errors.height == 0, res.rejected
    hh = res.households.sort("household_id")
    assert hh["instance_id"].to_list() == ["uuid:0001", "uuid:0002"]
    assert hh["gps_lat"][0] == 25.123456
    # Kobo's _submission_time is UTC without an offset
    assert hh["submission_date"][0] == dt.datetime(2019, 2, 14, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    z = central_zip(tmp_path / "c.zip", "registered", rows, members("uuid:0001", 2) + members("uuid:0002", 3))
    ref = ingest(sample, [z])
    assert hh["content_hash"].to_list() != []  # Kobo CSV has no members: hashes differ from the ZIP's
    assert _normal(res).drop("content_hash").equals(_normal(ref).drop("content_hash"))


def test_kobo_xlsx_with_repeat_sheet(tmp_path: Path, answers) -> None:
    sample = make_sample(tmp_path)
    rows, mems = answers
    f = kobo_xlsx(tmp_path / "kobo.xlsx", "registered", rows, mems)
    res = ingest(sample, [f])
    _check_registered(res)
    ref = ingest(sample, [central_zip(tmp_path / "c.zip", "registered", rows, mems)])
    assert res.households["content_hash"].sort().to_list() == ref.households["content_hash"].sort().to_list()
    assert res.members.equals(ref.members)


def test_kobo_general_with_split_select_multiple(tmp_path: Path) -> None:
    sample = make_sample(tmp_path)
    rows = [general("N001", "uuid:g1", listed=False), general("Rabcdef012345", "uuid:g2", listed=True, village_id="V1",
                                                               group="二组")]
    f = kobo_xlsx(tmp_path / "kobo.xlsx", "general", rows, members("uuid:g1", 2) + members("uuid:g2", 2))
    res = ingest(sample, [f])
    assert res.errors.height == 0, res.rejected
    assert not res.problems.filter(pl.col("code") == "PVX-I14").height  # household_type/dibao columns understood
    hh = res.households.sort("household_id")
    assert hh["household_type"].to_list() == ["dibao disabled"] * 2
    assert hh["source"].to_list() == ["census", "roster"]


def test_plain_csv_chinese_headers_and_members_file(tmp_path: Path, answers) -> None:
    sample = make_sample(tmp_path)
    rows, mems = answers
    main = plain_csv(tmp_path / "responses.csv", rows, rename={
        "household_id": "户编号", "instance_id": "实例编号", "started_at": "开始时间", "persons": "户籍人口（人）"})
    header = main.read_text(encoding="utf-8").splitlines()[0]
    assert "户编号" in header and "开始时间" in header
    mem = tmp_path / "members.csv"
    pl.DataFrame(mems).write_csv(mem)
    res = ingest(sample, [main, mem])
    _check_registered(res)
    ref = ingest(sample, [central_zip(tmp_path / "c.zip", "registered", rows, mems)])
    assert res.households["content_hash"].sort().to_list() == ref.households["content_hash"].sort().to_list()


def test_plain_values_in_chinese_are_understood(tmp_path: Path) -> None:
    sample = make_sample(tmp_path)
    row = registered("H1", "uuid:zh", food_staple_enough="是", clothing_change="否", housing_grade="B级",
                     persons="２", employment_support="技能培训或务工培训；介绍就业或提供就业信息")
    res = ingest(sample, [plain_csv(tmp_path / "responses.csv", [row])])
    hh = res.households
    assert hh["food_staple_enough"].to_list() == [True]
    assert hh["clothing_change"].to_list() == [False]
    assert hh["housing_grade"].to_list() == ["B"]
    assert hh["persons"].to_list() == [2]
    assert hh["employment_support"].to_list() == ["training job_info"]


def test_odata_json(tmp_path: Path, answers) -> None:
    sample = make_sample(tmp_path)
    rows, mems = answers
    f = odata_file(tmp_path / "pull.json", rows, mems, "registered")
    res = ingest(sample, [f])
    _check_registered(res)
    ref = ingest(sample, [central_zip(tmp_path / "c.zip", "registered", rows, mems)])
    assert res.households["content_hash"].sort().to_list() == ref.households["content_hash"].sort().to_list()


def test_all_instruments_into_one_responses_dir(tmp_path: Path, answers) -> None:
    sample = make_sample(tmp_path)
    rows, mems = answers
    files = [
        central_zip(tmp_path / "povexit_registered.zip", "registered", rows, mems),
        central_zip(tmp_path / "povexit_general.zip", "general", [general("N001", "uuid:g1", listed=False)],
                    members("uuid:g1", 2)),
        central_zip(tmp_path / "povexit_village.zip", "village", [village("uuid:v1")]),
        central_zip(tmp_path / "povexit_cadre.zip", "cadre", [cadre("uuid:c1")]),
    ]
    out = tmp_path / "responses"
    write_responses(ingest(sample, files), out)
    assert is_responses_dir(out)
    r = load_responses(out)
    assert r.households.height == 3 and r.members.height == 7
    assert r.villages["village_id"].to_list() == ["V1"] and r.villages["road_width_m"].to_list() == [4.5]
    assert r.villages["culture_centre_items"][0].split() == ["room", "square", "stage", "board", "culture_kit",
                                                             "broadcast_kit", "sports_kit"]
    assert r.cadres.height == 1
    assert r.meta["counts"]["by_instrument"] == {"general": 1, "registered": 2}
    assert set(r.meta["inputs"]) == {"povexit_registered.zip", "povexit_general.zip", "povexit_village.zip",
                                     "povexit_cadre.zip"}
    assert r.instances.height == 5 and set(r.instances["status"]) == {"accepted"}


def test_load_responses_reads_plain_contract_dir(tmp_path: Path, answers) -> None:
    rows, mems = answers
    d = tmp_path / "plain"
    d.mkdir()
    plain_csv(d / "responses.csv", rows)
    pl.DataFrame(mems).write_csv(d / "members.csv")
    r = load_responses(d)
    assert r.households["household_id"].sort().to_list() == ["H1", "H2"]
    assert r.members.height == 5
