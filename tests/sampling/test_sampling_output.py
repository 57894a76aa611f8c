"""Sample files: contract columns, weights, determinism to the byte, privacy, reserves, release."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import polars as pl
import pytest
from sampling_fixtures import make_registry

from povexit.contracts import SAMPLE_GROUPS, SAMPLE_HOUSEHOLDS, SAMPLE_VILLAGES
from povexit.errors import PovexitError
from povexit.sampling import draw, load_sample, release_batch, write_release, write_sample
from povexit.sampling.frame import roster_household_id

FILES = ("villages.csv", "households.csv", "groups.csv", "reserve.csv", "manifest.json")


@pytest.fixture(scope="module")
def reg():
    return make_registry(7)


@pytest.fixture(scope="module")
def sample(reg):
    return draw(reg, "jilin-2018", 20181101)


def read_all(d) -> dict[str, bytes]:
    return {f: (d / f).read_bytes() for f in FILES}


def test_same_inputs_and_seed_give_identical_bytes(reg, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    a = write_sample(draw(reg, "jilin-2018", 99), tmp_path / "a")
    b = write_sample(draw(reg, "jilin-2018", 99), tmp_path / "b")
    assert read_all(a) == read_all(b)
    c = write_sample(draw(reg, "jilin-2018", 100), tmp_path / "c")
    assert read_all(a)["villages.csv"] != read_all(c)["villages.csv"]
    # created_at comes from the caller or SOURCE_DATE_EPOCH, never the clock
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1549411200")
    d = write_sample(draw(reg, "jilin-2018", 99), tmp_path / "d")
    e = write_sample(draw(reg, "jilin-2018", 99), tmp_path / "e")
    assert read_all(d) == read_all(e)
    assert json.loads((d / "manifest.json").read_text())["created_at"] == "2019-02-06T00:00:00Z"


def test_files_follow_the_contract(sample, tmp_path):
    out = write_sample(sample, tmp_path / "s")
    for name, spec in (("villages.csv", SAMPLE_VILLAGES), ("households.csv", SAMPLE_HOUSEHOLDS),
                       ("groups.csv", SAMPLE_GROUPS)):
        header = (out / name).read_text(encoding="utf-8").splitlines()[0].split(",")
        contract = [c.name for c in spec.columns if c.contract]
        assert [h for h in header if h in contract] == contract, name  # contract columns, in order, first
    assert json.loads((out / ".povexit").read_text())["kind"] == "sample"
    m = json.loads((out / "manifest.json").read_text())
    assert m["seed"] == 20181101 and m["design"]["name"] == "jilin-2018"
    assert m["design"]["parameters"]["villages"]["count"] == 30
    assert m["inputs"] == {"villages.csv": "0" * 64}
    for f in ("villages.csv", "households.csv", "groups.csv", "reserve.csv"):
        assert m["outputs"][f] == hashlib.sha256((out / f).read_bytes()).hexdigest()
    assert {s["stratum"] for s in m["strata"]} <= {"poor_weak", "poor_other", "nonpoor_weak", "nonpoor_other"}


def test_weights_psu_and_strata(sample):
    h = sample.households
    assert np.allclose(h["weight"], 1.0 / (h["p_village"] * h["p_household"]))
    assert (h["psu"] == h["village_id"]).all()
    v = sample.villages.select("village_id", "stratum", "p_village")
    j = h.join(v, on="village_id", suffix="_v")
    assert (j["stratum"] == j["stratum_v"]).all() and (j["p_village"] == j["p_village_v"]).all()
    g = sample.groups
    assert g.height >= 8 and np.allclose(g["weight"], 1.0 / (g["p_village"] * g["p_group"]))
    assert (g["psu"] == g["village_id"] + "/" + g["group"]).all()
    reg_rows = h.filter(pl.col("instrument") == "registered")
    assert reg_rows.height == 720  # 11 641 registered persons ≥ 10 000 → 1200 households, 60 % registered
    assert set(reg_rows["household_type"]) == {"registered"}
    # registered p_household = k/m with m the exited households of the village
    for (vid,), rows in reg_rows.group_by("village_id"):
        k, m = rows.height, rows["fpc_household"][0]
        assert rows["p_household"].to_list() == [k / m] * k, vid


def test_villages_cover_every_township_and_shares(sample, reg):
    v = sample.villages
    assert v.height == 30
    assert set(v["township"]) == set(reg.villages["township"])
    assert v["reason"].is_in(["weak-area", "random"]).all()
    assert (v.filter(pl.col("stratum").str.ends_with("_weak"))["reason"] == "weak-area").all()
    assert v["batch"].min() == 1 and v["batch"].max() == 5  # 30 villages in batches of 6


def test_roster_hits_are_hashed_never_raw(sample, reg, tmp_path):
    out = write_sample(sample, tmp_path / "s")
    hits = sample.households.filter(pl.col("source") == "roster")
    assert hits.height > 0
    assert (hits["p_household"] == 1.0).all() and (hits["instrument"] == "general").all()
    assert hits["household_id"].str.contains(r"^R[0-9a-f]{12}$").all()
    roster_ids = reg.rosters["id_number"].to_list()
    assert roster_household_id(roster_ids[0]) == "R" + hashlib.sha1(roster_ids[0].encode()).hexdigest()[:12]
    blob = b"".join((out / f).read_bytes() for f in FILES)
    for idn in [*roster_ids, *reg.persons["id_number"].to_list()]:
        assert idn.encode() not in blob
    assert all("*" in x for x in hits["id_masked"].to_list())
    # a roster person whose ID is in the registry is not a hit
    registered_ids = set(reg.persons["id_number"])
    hashed_registered = {roster_household_id(i) for i in registered_ids}
    assert not hashed_registered & set(hits["household_id"])


def test_reserve_lists(sample):
    r, h = sample.reserve, sample.households
    assert r.height > 0 and not set(r["household_id"]) & set(h["household_id"])
    for (vid, t), rows in r.group_by("village_id", "household_type"):
        assert sorted(rows["reserve_rank"].to_list()) == list(range(1, rows.height + 1))
        main = h.filter((pl.col("village_id") == vid) & (pl.col("household_type") == t))
        assert rows["p_household"].unique().to_list() == main["p_household"].unique().to_list()


def test_load_sample_round_trip_and_tamper_check(sample, tmp_path):
    out = write_sample(sample, tmp_path / "s")
    back = load_sample(out)
    for name, df in sample.tables().items():
        got = back.tables()[name]
        assert got.columns == df.columns
        assert got.equals(df.select(got.columns).cast(got.schema)), name
    (out / "households.csv").write_bytes((out / "households.csv").read_bytes().replace(b"registered", b"general", 1))
    with pytest.raises(PovexitError) as e:
        load_sample(out)
    assert e.value.diagnostics[0].code == "PVX-CY32"


def test_release_writes_one_batch_and_keeps_the_rest_sealed(sample, tmp_path):
    out = write_sample(sample, tmp_path / "s")
    part = write_release(out, 2, tmp_path / "batch2")
    v = part.villages
    assert v.height == 6 and (v["batch"] == 2).all()
    ids = set(v["village_id"])
    assert set(part.households["village_id"]) <= ids and set(part.groups["village_id"]) <= ids
    assert part.households.height == sample.households.filter(pl.col("village_id").is_in(list(ids))).height
    m = json.loads((tmp_path / "batch2" / "manifest.json").read_text())
    assert "seed" not in m and "parameters" not in json.dumps(m)  # no way to re-draw the sealed rest
    assert m["batch"] == 2 and m["batches"] == [1, 2, 3, 4, 5]
    assert m["sample_manifest_sha256"] == hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
    other = sample.villages.filter(pl.col("batch") != 2)["village_id"].to_list()
    blob = b"".join((tmp_path / "batch2" / f).read_bytes() for f in FILES)
    assert not any(o.encode() in blob for o in other)
    with pytest.raises(PovexitError) as e:
        release_batch(load_sample(out), 9)
    assert e.value.diagnostics[0].code == "PVX-CY31" and "1, 2, 3, 4, 5" in e.value.diagnostics[0].fix("en")


def test_batches_follow_townships(sample):
    # a township's villages sit in consecutive batches (teams work one area at a time)
    for (_,), rows in sample.villages.group_by("township"):
        b = sorted(rows["batch"].to_list())
        assert b[-1] - b[0] <= (len(b) - 1) // 6 + 1


def test_failed_write_leaves_nothing(sample, tmp_path, monkeypatch):
    import povexit.sampling.io as sio

    calls = {"n": 0}
    real = sio.csv_bytes

    def boom(df):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(df)

    monkeypatch.setattr(sio, "csv_bytes", boom)
    with pytest.raises(RuntimeError):
        write_sample(sample, tmp_path / "s")
    assert not (tmp_path / "s").exists() and list(tmp_path.iterdir()) == []
