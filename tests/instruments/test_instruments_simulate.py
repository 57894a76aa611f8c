"""Simulated fieldwork: ODK Central exports whose answers are the truth's (noise off → exactly), going
through the real ingest; each kind of noise happens where noise.csv says; same seed → same bytes."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import polars as pl
import pytest
from instruments_helpers import ROSTER_ID, make_world

from povexit.instruments import SimParams, ingest, simulate_survey, write_simulated
from povexit.instruments.export import roster_household_id
from povexit.instruments.sources import read_source

FORM_FILES = ["povexit_registered.zip", "povexit_general.zip", "povexit_village.zip", "povexit_cadre.zip",
              "povexit_township.zip", "povexit_county_check.zip"]


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Path]:
    return make_world(tmp_path)


def _ingest(tmp_path: Path, export, sample: Path, name: str = "fw"):
    out = write_simulated(export, tmp_path / name)
    return ingest(sample, [out / f for f in FORM_FILES]), out


def test_noiseless_answers_are_the_truth(tmp_path: Path, world) -> None:
    truth_dir, sample = world
    ex = simulate_survey(truth_dir, sample, 5, SimParams.noiseless(county_cadres=2, cadres_per_village=1))
    assert sorted(ex.files) == sorted(FORM_FILES)
    assert ex.noise.height == 0
    res, _ = _ingest(tmp_path, ex, sample)
    assert res.problems.filter(pl.col("severity") == "error").height == 0, res.rejected
    assert res.problems.height == 0, res.rejected
    hh = res.households.sort("household_id")
    rid = roster_household_id(ROSTER_ID)
    # registered: the sampled ones; general: the census group V2/三组 and the roster hit (not N4 in 四组)
    assert hh["household_id"].to_list() == ["H1", "H2", "H3", "N5301001", "N5301002", rid]
    assert hh["source"].to_list() == ["frame", "frame", "frame", "census", "census", "roster"]
    truth = pl.read_parquet(truth_dir / "households.parquet").with_columns(
        pl.when(pl.col("household_id") == "N5301003").then(pl.lit(rid)).otherwise(pl.col("household_id")).alias("household_id"))
    j = hh.join(truth, on="household_id", suffix="_t")
    assert j.height == 6
    compared = 0
    for col in [c for c in hh.columns if f"{c}_t" in j.columns and c not in ("village_id", "group", "status")]:
        sub = j.filter(pl.col(col).is_not_null())  # skipped questions are empty, as on the tablet
        a, b = sub[col], sub[f"{col}_t"]
        if a.dtype != b.dtype:
            b = b.cast(a.dtype)
        assert a.to_list() == b.to_list(), col
        compared += 1
    assert compared > 40
    h2 = hh.filter(pl.col("household_id") == "H2").row(0, named=True)
    assert (h2["dropout"], h2["dropout_reason"], h2["persuaded_back"], h2["approves"]) == (True, "hardship", False, False)
    assert h2["disapproval_reason"] == "孩子辍学没人管"
    assert h2["household_status"] == "exited"
    assert hh.filter(pl.col("household_id") == "H3")["household_status"].item() == "poor"
    assert hh.filter(pl.col("household_id") == "H3")["housing_substitute"].item() == "collective_care"
    n1 = hh.filter(pl.col("household_id") == "N5301001").row(0, named=True)
    assert (n1["missed_judgement"], n1["missed_persons"], n1["household_type"]) == (True, 2, "dibao no_labour")
    assert n1["income_net_per_capita"] == truth.filter(pl.col("household_id") == "N5301001")["income_net_per_capita"].item()
    assert n1["hukou_no"] == "N5301001" and n1["household_listed"] is False
    # members are the truth's persons
    mem = res.members.filter(pl.col("household_id") == "H2").sort("member_no")
    assert mem["member_age"].to_list() == [52, 50, 14]
    assert mem["member_relation"].to_list() == ["head", "spouse", "son"]
    assert res.members.filter(pl.col("household_id") == rid)["member_id_number"].to_list() == [ROSTER_ID]
    # villages and cadres
    v = res.villages.sort("village_id")
    assert v["road_width_m"].to_list() == [4.2, 2.5] and v["qualified_doctor"].to_list() == [True, False]
    assert v["clinic_rooms"].to_list()[1] == "consulting pharmacy"
    assert res.cadres.height == 2 + 2
    # township forms (one per township of the sampled villages) and the county's document checklist
    assert sorted(res.townships["township"]) == ["九田镇", "平湖镇"]
    assert (res.townships["exited_households"] <= res.townships["registered_households"]).all()
    assert res.county_checks["county"].to_list() == ["东庄县"]
    # items added in form 2025.2 follow the truth where it says something: other-stage students from the
    # members' schooling, 低保 from the truth's flag, wage earners only where there is wage income
    mem = res.members.group_by("household_id").agg(
        pl.col("member_schooling").is_in(["preschool", "senior", "vocational", "college"]).any().alias("_other"))
    chk = hh.join(mem, on="household_id")
    assert chk["other_stage_students"].to_list() == chk["_other"].to_list()
    reg = hh.filter(pl.col("instrument") == "registered").join(truth.select("household_id", "dibao"), on="household_id")
    assert reg["dibao_receiving"].to_list() == reg["dibao"].to_list()
    assert ((hh["wage_earners"] > 0) == (hh["income_wage"] > 0)).all()
    assert hh["covid_impact"].is_not_null().all() and reg["satisfaction_helper"].is_not_null().all()
    # pairs of enumerators, times over the fieldwork days, GPS near the village
    assert all(";" in e for e in hh["enumerators"])
    assert (hh["ended_at"] > hh["started_at"]).all()
    assert hh["started_at"].dt.hour().is_between(8, 19).all()
    v1 = hh.filter(pl.col("village_id") == "V1")
    assert (v1["gps_lat"].max() - v1["gps_lat"].min()) < 0.2


def test_every_kind_of_noise_is_where_noise_csv_says(tmp_path: Path, world) -> None:
    truth_dir, sample = world
    params = SimParams(not_found_rate=1.0, income_noise_rate=1.0, income_noise_sd=0.5, missing_rate=1.0,
                       resend_rate=0.0, second_interview_rate=0.0)
    ex = simulate_survey(truth_dir, sample, 9, params)
    kinds = ex.noise.group_by("kind").len().sort("kind").rows()
    assert dict(kinds)["not_found"] == 3 and dict(kinds)["substitute"] == 1
    res, out = _ingest(tmp_path, ex, sample)
    assert (out / "noise.csv").exists() and json.loads((out / "simulation.json").read_text())["seed"] == 9
    assert res.errors.height == 0, res.rejected
    # every sampled registered household was "not found": recorded as non-interviews; the one reserve of V1 replaces
    assert sorted(res.nonresponse["household_id"]) == ["H1", "H2", "H3"]
    sub = res.households.filter(pl.col("instrument") == "registered")
    assert sub["household_id"].to_list() == ["H9"] and sub["substitute"].to_list() == [True]
    assert not res.problems.filter(pl.col("code") == "PVX-I20").height
    # misreported income: the ingested wage is the truth's times the recorded factor
    truth = pl.read_parquet(truth_dir / "households.parquet")
    inc = ex.noise.filter(pl.col("kind") == "income")
    for hid, detail in inc.filter(pl.col("household_id").is_in(["N5301001", "N5301002", "H9"])).select("household_id", "detail").rows():
        factor = float(detail.split("=")[1])
        got = res.households.filter(pl.col("household_id") == hid)["income_wage"].item()
        want = truth.filter(pl.col("household_id") == hid)["income_wage"].item()
        assert got == pytest.approx(round(want * factor), abs=0.5)
    # optional answers left empty
    miss = ex.noise.filter(pl.col("kind") == "missing")
    assert miss.height > 0
    for hid, fields in miss.select("household_id", "detail").rows():
        row = res.households.filter(pl.col("household_id") == hid)
        if row.height:
            for f in fields.split(";"):
                assert row[f].item() is None, (hid, f)


def test_resends_and_second_interviews(tmp_path: Path, world) -> None:
    truth_dir, sample = world
    params = SimParams.noiseless(resend_rate=1.0, second_interview_rate=1.0)
    ex = simulate_survey(truth_dir, sample, 3, params)
    res, _ = _ingest(tmp_path, ex, sample)
    second = ex.noise.filter(pl.col("kind") == "second_interview")
    resent = ex.noise.filter(pl.col("kind") == "resend")
    assert second.height == 6 and resent.height == 6
    rejected = res.rejected.filter(pl.col("code") == "PVX-I02")
    assert sorted(rejected["instance_id"]) == sorted(second["instance_id"])  # the later interview is rejected
    flagged = res.rejected.filter(pl.col("code") == "PVX-I08")
    assert sorted(flagged["instance_id"]) == sorted(resent["instance_id"])
    assert res.households.height == 6
    assert set(res.households["instance_id"]).isdisjoint(set(second["instance_id"]))


def test_same_seed_same_bytes(tmp_path: Path, world) -> None:
    truth_dir, sample = world
    a = simulate_survey(truth_dir, sample, 42)
    b = simulate_survey(truth_dir, sample, 42)
    c = simulate_survey(truth_dir, sample, 43)
    assert a.files == b.files and a.noise.equals(b.noise)
    assert a.files != c.files


def test_export_is_odk_central_shaped(tmp_path: Path, world) -> None:
    truth_dir, sample = world
    ex = simulate_survey(truth_dir, sample, 1, SimParams.noiseless())
    zf = zipfile.ZipFile(io.BytesIO(ex.files["povexit_registered.zip"]))
    assert zf.namelist() == ["povexit_registered.csv", "povexit_registered-members.csv"]
    main = zf.read("povexit_registered.csv").decode().splitlines()
    assert main[0].startswith("SubmissionDate,start,end,today,deviceid,")
    assert main[0].endswith("meta-instanceID,meta-instanceName,KEY,SubmitterID,SubmitterName,AttachmentsPresent,"
                            "AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion")
    rep = zf.read("povexit_registered-members.csv").decode().splitlines()
    assert rep[0].endswith(",PARENT_KEY,KEY")
    assert "/grp_household/members[1]" in rep[1]
    p = tmp_path / "x.zip"
    p.write_bytes(ex.files["povexit_registered.zip"])
    src = read_source(p)
    assert src.kind == "central" and src.repeats[0].name == "members"
    assert src.data["SubmissionDate"].str.ends_with("Z").all()


def test_fieldwork_follows_the_worlds_reference_year(tmp_path: Path, world) -> None:
    """A year's exits are assessed early the next year (seed 000: 2018 exits from 2019-02-13): with a
    synth.json beside the truth saying 2020, the interviews start on 2021-02-13; an explicit start wins."""
    truth_dir, sample = world
    (truth_dir.parent / "synth.json").write_text(json.dumps({"params": {"reference_year": 2020}}), encoding="utf-8")
    ex = simulate_survey(truth_dir, sample, 1, SimParams.noiseless())
    main = zipfile.ZipFile(io.BytesIO(ex.files["povexit_registered.zip"])).read("povexit_registered.csv").decode()
    starts = [line.split(",")[1] for line in main.splitlines()[1:]]
    assert starts and all(s.startswith("2021-02-") for s in starts)
    ex = simulate_survey(truth_dir, sample, 1, SimParams.noiseless(start_date="2019-03-01"))
    main = zipfile.ZipFile(io.BytesIO(ex.files["povexit_registered.zip"])).read("povexit_registered.csv").decode()
    assert all(line.split(",")[1].startswith("2019-03-") for line in main.splitlines()[1:])
