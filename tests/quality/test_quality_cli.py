"""``povexit quality`` and ``povexit quality backcheck``: files written, reproducible, errors, languages."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook
from quality_helpers import frame, interview, person_id, write_responses, write_sample

from povexit.cli.main import main
from povexit.quality import QualityParams, from_mapping, load_params, load_quality

SAMPLE_HOUSEHOLDS = """\
household_id,village_id,group,instrument,stratum,psu,p_village,p_household,weight,persons,county,township,village,source
H1,V1,一组,registered,s1,V1,0.5,0.2,10,4,甲县,甲镇,村V1,frame
H2,V1,一组,registered,s1,V1,0.5,0.2,10,4,甲县,甲镇,村V1,frame
H3,V1,一组,registered,s1,V1,0.5,0.2,10,9,甲县,甲镇,村V1,frame
H4,V1,一组,registered,s1,V1,0.5,0.2,10,4,甲县,甲镇,村V1,frame
H5,V1,一组,registered,s1,V1,0.5,0.2,10,4,甲县,甲镇,村V1,frame
H6,V1,一组,registered,s1,V1,0.5,0.2,10,4,甲县,甲镇,村V1,frame
"""
SAMPLE_VILLAGES = """\
county,township,village,village_id,stratum,reason,p_village,batch
甲县,甲镇,村V1,V1,s1,random,0.5,1
"""


def _workdir(tmp_path: Path) -> tuple[Path, Path]:
    rows = [
        interview("q1", "H1", "2019-02-14T08:00", gps="25.0001 102.0001 1800 5"),
        interview("q2", "H2", "2019-02-14T09:00", 8, gps="25.0002 102.0002 1800 5"),  # too short
        interview("q3", "H3", "2019-02-14T10:00", gps="25.0003 102.0003 1800 5"),  # 4 vs 9 in the sample
        interview("q4", "H4", "2019-02-14T10:20", enumerators="E01;E03", gps="25.0004 102.0004 1800 5"),  # overlap
        interview("q5", "H5", "2019-02-14T13:00", gps="25.0005 102.0005 1800 5"),
        interview("q6", "H6", "2019-02-14T14:00", gps="25.2000 102.0006 1800 5"),  # 22 km away
    ]
    members = pl.DataFrame([
        {"instance_id": "q1", "household_id": "H1", "member_no": 1, "member_name": "张三", "member_id_number": person_id(1)},
        {"instance_id": "q5", "household_id": "H5", "member_no": 1, "member_name": "张三", "member_id_number": person_id(1)},
    ])
    responses = write_responses(tmp_path, frame(rows), members)
    sample = write_sample(tmp_path, SAMPLE_HOUSEHOLDS, SAMPLE_VILLAGES)
    return responses, sample


def test_quality_command_writes_reproducible_outputs(tmp_path, capsys):
    responses, sample = _workdir(tmp_path)
    out = tmp_path / "work" / "quality"
    args = ["quality", "--responses", str(responses), "--sample", str(sample), "--out", str(out)]
    assert main(args) == 0
    assert {p.name for p in out.iterdir()} == {".povexit", "flags.csv", "enumerators.csv", "enumerator_flags.csv",
                                               "daily.csv", "quality.json"}
    daily = pl.read_csv(out / "daily.csv", infer_schema=False)
    assert daily.filter(pl.col("enumerators") == "E01;E02").row(0, named=True)["interviews"] == "5"
    flags = pl.read_csv(out / "flags.csv", infer_schema=False)
    got = {(r["instance_id"], r["check"]) for r in flags.iter_rows(named=True)}
    assert {("q2", "duration.too_short"), ("q3", "registry.persons_differ"), ("q3", "timing.overlap"),
            ("q4", "timing.overlap"), ("q6", "gps.far_from_village"), ("q1", "duplicate.member_id"),
            ("q5", "duplicate.member_id")} <= got
    assert person_id(1) not in (out / "flags.csv").read_text(encoding="utf-8")
    meta = json.loads((out / "quality.json").read_text(encoding="utf-8"))
    assert meta["kind"] == "quality" and meta["summary"]["submissions"] == 6
    assert meta["params"]["min_minutes"] == {"registered": 15.0, "general": 10.0}
    assert {c["id"] for c in meta["checks"]} >= {"duration.too_short", "enumerator.income"}
    assert "responses/households.parquet" in meta["inputs"]
    assert "duration.too_short" in capsys.readouterr().out
    back = load_quality(out)
    assert back.flags.height == flags.height and back.flags.schema["day"] == pl.Date
    assert back.summary == meta["summary"] and back.params == QualityParams()
    assert back.flags.filter(pl.col("check") == "duration.too_short")["instance_id"].to_list() == ["q2"]
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert main(args) == 0  # same inputs → same bytes; the previous output is replaced
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_quality_command_params_and_errors(tmp_path, capsys):
    responses, sample = _workdir(tmp_path)
    p = tmp_path / "params.yaml"
    p.write_text("min_minutes:\n  registered: 5\ngps_far_km: 50\n", encoding="utf-8")
    out = tmp_path / "quality"
    assert main(["quality", "--responses", str(responses), "--sample", str(sample), "--out", str(out),
                 "--params", str(p)]) == 0
    flags = pl.read_csv(out / "flags.csv", infer_schema=False)
    assert not set(flags["check"]) & {"duration.too_short", "gps.far_from_village"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("gps_far_kilometres: 3\n", encoding="utf-8")
    out2 = tmp_path / "quality2"
    assert main(["quality", "--responses", str(responses), "--sample", str(sample), "--out", str(out2),
                 "--params", str(bad)]) == 2
    assert not out2.exists()
    assert "PVX-Q06" in capsys.readouterr().err
    assert main(["quality", "--responses", str(tmp_path / "nope"), "--sample", str(sample), "--out", str(out2)]) == 2
    assert not out2.exists()
    assert main(["quality", "--responses", str(responses), "--out", str(out2)]) == 2  # --sample missing


def test_backcheck_command_csv_xlsx_and_english(tmp_path, capsys, monkeypatch):
    responses, sample = _workdir(tmp_path)
    q = tmp_path / "quality"
    assert main(["quality", "--responses", str(responses), "--sample", str(sample), "--out", str(q)]) == 0
    capsys.readouterr()
    csv = tmp_path / "bc" / "backcheck.csv"
    args = ["quality", "backcheck", "--responses", str(responses), "--share", "0.2", "--seed", "42", "--out", str(csv)]
    assert main(args) == 0
    first = csv.read_bytes()
    assert main(args) == 0 and csv.read_bytes() == first
    sel = pl.read_csv(csv, infer_schema=False)
    # pairs E01;E02 (5 interviews) and E01;E03 (1): ceil(0.2 × 6) = 2, one per pair
    assert sel.height == 2 and set(sel["enumerators"]) == {"E01;E02", "E01;E03"}
    assert "随机抽取 2 份" in capsys.readouterr().out
    # with --quality every interview with an error-level flag is added (the overlap q3/q4, the shared ID q1/q5)
    xlsx = tmp_path / "bc" / "backcheck.xlsx"
    monkeypatch.setenv("POVEXIT_LANG", "en")
    assert main(["quality", "backcheck", "--responses", str(responses), "--share", "0.2", "--seed", "42",
                 "--out", str(xlsx), "--quality", str(q)]) == 0
    assert "drawn for back-checks" in capsys.readouterr().out
    ws = load_workbook(xlsx)["复核名单"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["复核序号", "问卷实例编号", "户编号"]
    reasons = {ws.cell(row=r, column=header.index("抽取原因") + 1).value for r in range(2, ws.max_row + 1)}
    ids = {ws.cell(row=r, column=2).value for r in range(2, ws.max_row + 1)}
    assert reasons == {"random", "flagged"} and {"q1", "q3", "q4", "q5"} <= ids
    bytes_once = xlsx.read_bytes()
    assert main(["quality", "backcheck", "--responses", str(responses), "--share", "0.2", "--seed", "42",
                 "--out", str(xlsx), "--quality", str(q)]) == 0
    assert xlsx.read_bytes() == bytes_once
    assert main(["quality", "backcheck", "--responses", str(responses), "--share", "2", "--seed", "1",
                 "--out", str(tmp_path / "x.csv")]) == 2
    assert main(["quality", "backcheck", "--responses", str(responses), "--share", "0.1", "--seed", "1",
                 "--out", str(tmp_path / "x.txt")]) == 2
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.txt").exists()


def test_params_from_mapping_validates():
    assert from_mapping({}) == QualityParams()
    p = from_mapping({"min_minutes": {"general": 12}, "max_interviews_per_day": 10.0})
    assert p.min_minutes == {"registered": 15.0, "general": 12} and p.max_interviews_per_day == 10
    from povexit.errors import PovexitError

    for bad in ({"day_start": "7am"}, {"day_start": "22:00"}, {"alpha": 2}, {"gps_far_km": 0},
                {"min_minutes": {"registered": -1}}, {"adjust_for_village": "yes"}, {"max_interviews_per_day": 2.5}):
        with pytest.raises(PovexitError) as e:
            from_mapping(bad)
        assert e.value.diagnostics[0].code == "PVX-Q05", bad


def test_load_params_json(tmp_path):
    f = tmp_path / "p.json"
    f.write_text('{"robust_z": 4, "adjust_for_village": false}', encoding="utf-8")
    p = load_params(f)
    assert p.robust_z == 4 and p.adjust_for_village is False
