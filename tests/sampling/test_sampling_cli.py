"""End to end through the command line: synthetic county and province → the four presets → release."""

from __future__ import annotations

import json

import polars as pl
import pytest

from povexit.cli.main import main


@pytest.fixture(scope="module")
def synth_county(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "county"
    assert main(["synth", "--out", str(out), "--seed", "11"]) == 0
    return out / "registry"


@pytest.fixture(scope="module")
def synth_province(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "province"
    assert main(["synth", "--out", str(out), "--scale", "province", "--households", "2500", "--seed", "5"]) == 0
    return out / "registry"


@pytest.mark.parametrize("design", ["jilin-2018", "yunnan-2018", "midyear-2020"])
def test_county_presets_on_the_synthetic_county(synth_county, tmp_path, design, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1550000000")
    out = tmp_path / "sample"
    args = ["sample", "--registry", str(synth_county), "--design", design, "--seed", "2019", "--out", str(out)]
    assert main(args) == 0
    v = pl.read_csv(out / "villages.csv", infer_schema=False)
    h = pl.read_csv(out / "households.csv", infer_schema=False)
    towns = pl.read_csv(synth_county / "villages.csv", infer_schema=False)["township"].unique()
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(m["inputs"]) >= {"persons.csv", "villages.csv"}  # the registry's file hashes
    if design != "yunnan-2018":  # yunnan does not require every township (禄劝: 14 of 16)
        assert set(v["township"]) == set(towns)
    if design == "midyear-2020":
        assert set(h["household_type"]) <= {"poor", "exited", "general", "monitored"}
    else:
        assert v.height == {"jilin-2018": 30, "yunnan-2018": 21}[design]
        assert h.filter(pl.col("instrument") == "registered").height >= 600
    # the same command again gives the same bytes
    out2 = tmp_path / "again"
    assert main([*args[:-1], str(out2)]) == 0
    for f in ("villages.csv", "households.csv", "groups.csv", "reserve.csv", "manifest.json"):
        assert (out / f).read_bytes() == (out2 / f).read_bytes(), f
    # release batch 1 only
    rel = tmp_path / "batch1"
    assert main(["sample", "release", "--sample", str(out), "--batch", "1", "--out", str(rel)]) == 0
    rv = pl.read_csv(rel / "villages.csv", infer_schema=False)
    assert rv.height and set(rv["batch"]) == {"1"}
    assert main(["sample", "release", "--sample", str(out), "--batch", "99", "--out", str(tmp_path / "b99")]) == 2
    assert not (tmp_path / "b99").exists()


def test_national_spot_check_on_a_synthetic_province(synth_province, tmp_path):
    out = tmp_path / "national"
    assert main(["sample", "--registry", str(synth_province), "--design", "national-spotcheck-2019",
                 "--seed", "60", "--out", str(out)]) == 0
    counties = pl.read_csv(synth_province / "counties.csv", infer_schema=False)
    latest = counties["exit_year"].cast(pl.Int64).max()
    n_exit = counties.filter(pl.col("exit_year").cast(pl.Int64) == latest).height
    v = pl.read_csv(out / "villages.csv", infer_schema=False)
    assert v["county"].n_unique() == max(1, int(n_exit * 0.2 + 0.5))  # 20 %, rounded, at least one
    assert set(v["county"]) <= set(counties.filter(pl.col("exit_year").cast(pl.Int64) == latest)["county"])


def test_sample_size_and_designs_commands(capsys, monkeypatch):
    monkeypatch.setenv("POVEXIT_LANG", "zh")  # restored afterwards: --lang en below sets the variable
    assert main(["sample", "size", "--p", "0.02", "--margin", "0.01"]) == 0
    assert "753" in capsys.readouterr().out
    assert main(["--lang", "en", "sample", "size", "--p", "0.02", "--margin", "0.01", "--cluster-size", "20",
                 "--icc", "0.05", "--population", "3000", "--poor-population", "12000"]) == 0
    text = capsys.readouterr().out
    assert "1200–1500" in text and "design effect 1.95" in text
    assert main(["sample", "designs"]) == 0
    assert "national-spotcheck-2019" in capsys.readouterr().out


def test_bad_input_exits_2_and_writes_nothing(synth_county, tmp_path):
    out = tmp_path / "s"
    assert main(["sample", "--registry", str(synth_county), "--design", "no-such-design", "--seed", "1",
                 "--out", str(out)]) == 2
    assert main(["sample", "--registry", str(synth_county), "--design", "jilin-2018", "--seed", "-3",
                 "--out", str(out)]) == 2
    assert not out.exists()
    assert main(["sample", "--registry", str(synth_county), "--design", "jilin-2018", "--out", str(out)]) == 2
