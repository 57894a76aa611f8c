"""The commands: ``instruments export``, ``simulate-survey`` and ``ingest`` (exit codes, nothing partial)."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
from instruments_helpers import central_zip, make_world, members, registered

from povexit.cli.main import main
from povexit.instruments import load_responses


def test_simulate_then_ingest_then_reingest(tmp_path: Path, capsys) -> None:
    truth, sample = make_world(tmp_path)
    fw = tmp_path / "fieldwork"
    assert main(["simulate-survey", "--truth", str(truth.parent), "--sample", str(sample), "--out", str(fw),
                 "--seed", "4", "--second-interview-rate", "1", "--resend-rate", "0"]) == 0
    assert {p.name for p in fw.iterdir()} >= {"povexit_registered.zip", "povexit_general.zip", "noise.csv",
                                              "simulation.json"}
    out = tmp_path / "responses"
    zips = [str(p) for p in sorted(fw.glob("*.zip"))]
    # by default a row with an error (here: households interviewed twice) stops the import: nothing written
    assert main(["ingest", "--sample", str(sample), *zips, "--out", str(out)]) == 2
    assert not out.exists()
    assert "PVX-I02" in capsys.readouterr().err
    assert main(["ingest", "--keep-valid", "--sample", str(sample), *zips, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "PVX-I02" in text and "rejected" in text
    r = load_responses(out)
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert r.households.height == 6
    assert r.rejected.filter(pl.col("code") == "PVX-I02").height == 6
    # importing the same exports again changes nothing
    assert main(["--lang", "en", "ingest", "--keep-valid", "--sample", str(sample), *zips, "--out", str(out)]) == 0
    assert "already imported" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    # --strict: the second interviews are errors → nothing written, exit 2
    out2 = tmp_path / "strict"
    assert main(["ingest", "--strict", "--sample", str(sample), *zips, "--out", str(out2)]) == 2
    assert not out2.exists()


def test_ingest_exit_codes(tmp_path: Path) -> None:
    _truth, sample = make_world(tmp_path)
    bad = central_zip(tmp_path / "bad.zip", "registered", [registered("H404", "uuid:x")], members("uuid:x"))
    out = tmp_path / "responses"
    assert main(["ingest", "--sample", str(sample), str(bad), "--out", str(out)]) == 2  # nothing valid
    assert not out.exists()
    assert main(["ingest", "--sample", str(sample), str(tmp_path / "missing.zip"), "--out", str(out)]) == 2
    assert main(["ingest", "--sample", str(sample), "--out", str(out)]) == 2  # no input at all
    good = central_zip(tmp_path / "good.zip", "registered", [registered("H1", "uuid:g")], members("uuid:g"))
    assert main(["ingest", "--sample", str(sample), str(good), str(bad), "--out", str(out)]) == 2  # strict default
    assert not out.exists()
    assert main(["ingest", "--keep-valid", "--sample", str(sample), str(good), str(bad), "--out", str(out)]) == 0
    r = load_responses(out)
    assert r.households["household_id"].to_list() == ["H1"]
    assert r.rejected.filter(pl.col("code") == "PVX-I01")["value"].to_list() == ["H404"]


def test_export_command_validates_with_odk_validate(tmp_path: Path, capsys) -> None:
    _truth, sample = make_world(tmp_path)
    out = tmp_path / "forms"
    assert shutil.which("java")
    assert main(["instruments", "export", "--format", "xlsform", "--out", str(out), "--sample", str(sample),
                 "--validate"]) == 0
    assert "ODK Validate" in capsys.readouterr().out
    assert (out / "povexit_general.xml").exists() and (out / "households.csv").read_text(encoding="utf-8").count("\n") == 6
    assert main(["instruments", "export", "--format", "odk", "--out", str(tmp_path / "x")]) == 2
