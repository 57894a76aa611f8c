"""findings/ on disk (contract §4 + docs/data-layout.md), reading responses (ingest Parquet or plain
contract CSVs, GBK and Chinese headers included), overrides files, and the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from rules_helpers import household, registry, responses

from povexit.cli.main import main
from povexit.contracts import CASES, FINDINGS
from povexit.errors import PovexitError
from povexit.idnumber import make
from povexit.rules import (
    adjudicate,
    load_overrides,
    load_ruleset,
    read_findings,
    read_responses_dir,
    write_findings,
)
from povexit.tabular import read_table

RS = "national-2019"


def sample_adjudication():
    reg = registry([{"household_id": "H1", "status": "exited"}, {"household_id": "H2", "status": "exited"},
                    {"household_id": "H3", "status": "exited"}])
    resp = responses(household("H1"), household("H2", housing_grade="C", housing_safe=False, renovated=False,
                                                 housing_substitute="none"),
                     household("H3", food_staple_enough=None), household("N1", "general", income_wage=1000.0,
                                                                         approves=False, disapproval_reason="路不好"))
    return adjudicate(reg, None, resp, load_ruleset(RS))


def test_findings_directory_follows_the_contract(tmp_path: Path) -> None:
    out = write_findings(sample_adjudication(), tmp_path / "findings")
    names = sorted(p.name for p in out.iterdir())
    assert names == [".povexit", "adjudication.json", "cases.csv", "findings.csv", "rules.json", "ruleset.json",
                     "verdicts.parquet"]
    raw = read_table(out / "findings.csv", FINDINGS)
    assert raw.diagnostics == []  # every contract column present
    f = raw.collect()
    assert f.columns[1:17] == ["household_id", "instrument", "persons", "wrongful_exit", "wrongful_exit_persons",
                               "missed", "missed_persons", "approves", "rules", "evidence", "status",
                               "missing_fields", "problems_zh", "problems_en", "ruleset", "ruleset_version"]
    rows = {r["household_id"]: r for r in f.iter_rows(named=True)}
    assert (rows["H2"]["wrongful_exit"], rows["H2"]["wrongful_exit_persons"]) == ("yes", "3")
    assert rows["H2"]["problems_zh"] == "疑似错退：住房安全无保障（C级危房，未改造）"
    assert (rows["H3"]["wrongful_exit"], rows["H3"]["status"], rows["H3"]["missing_fields"]) == (
        None, "cannot_judge", "food_staple_enough")
    assert (rows["N1"]["missed"], rows["N1"]["approves"], rows["N1"]["disapproval_reason"]) == ("yes", "no", "路不好")
    assert json.loads(rows["H2"]["evidence"])[0]["rule"] == "housing.unsafe"
    cases = read_table(out / "cases.csv", CASES)
    assert cases.diagnostics == []
    assert cases.collect()["case_id"].to_list() == ["MS-N1", "WE-H2"]
    rs = json.loads((out / "ruleset.json").read_text(encoding="utf-8"))
    assert rs["ruleset"] == RS and rs["poverty_line"]["value"] == 3218
    cat = {r["id"]: r for r in json.loads((out / "rules.json").read_text(encoding="utf-8"))}
    assert "seed 001" in cat["housing.unsafe"]["params"]["housing.accepted_grades"]["source"]
    summary = json.loads((out / "adjudication.json").read_text(encoding="utf-8"))
    assert summary["wrongful_exit"] == {"households": 1, "persons": 3} and summary["cannot_judge"] == 1
    v = pl.read_parquet(out / "verdicts.parquet")
    assert v.filter((pl.col("household_id") == "H2") & (pl.col("rule") == "housing.unsafe"))["outcome"].to_list() == [
        "fired"]


def test_same_inputs_same_bytes(tmp_path: Path) -> None:
    a = write_findings(sample_adjudication(), tmp_path / "a")
    b = write_findings(sample_adjudication(), tmp_path / "b")
    for p in a.iterdir():
        assert p.read_bytes() == (b / p.name).read_bytes(), p.name


def test_a_failed_write_leaves_the_earlier_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = write_findings(sample_adjudication(), tmp_path / "findings")
    before = (out / "findings.csv").read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", boom)
    with pytest.raises(OSError):
        write_findings(sample_adjudication(), out)
    assert (out / "findings.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["findings"]  # no temporary leftovers


def test_never_overwrites_a_foreign_directory(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(PovexitError) as ei:
        write_findings(sample_adjudication(), tmp_path / "mine")
    assert ei.value.diagnostics[0].code == "PVX009"


# ---- reading responses ---------------------------------------------------------------------------

def test_reads_ingest_parquet(tmp_path: Path) -> None:
    r = responses(household("H1"), members=[{"instance_id": "uuid:H1", "member_no": 1, "member_age": 9,
                                             "member_schooling": "dropout"}])
    r.households.write_parquet(tmp_path / "households.parquet")
    r.members.write_parquet(tmp_path / "members.parquet")
    got = read_responses_dir(tmp_path)
    adj = adjudicate(registry([{"household_id": "H1", "status": "exited"}]), None, got, load_ruleset(RS))
    assert adj.findings["rules"].to_list() == ["education.dropout"]


def test_reads_plain_csv_in_gbk_with_chinese_headers(tmp_path: Path) -> None:
    hh = household("H1", water_quality_ok=False)
    cols = [c for c in hh if c not in ("household_id", "instrument")]
    header = ["户编号", "问卷", *cols]
    cell = lambda v: "" if v is None else ("是" if v is True else "否" if v is False else str(v))  # noqa: E731
    lines = [",".join(header), ",".join(["H1", "registered", *[cell(hh[c]) for c in cols]])]
    (tmp_path / "responses.csv").write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
    (tmp_path / "members.csv").write_text("instance_id,member_no,member_age,member_schooling\nuuid:H1,1,40,not_in_school\n",
                                          encoding="utf-8-sig")
    got = read_responses_dir(tmp_path)
    assert got.members is not None and got.members.height == 1
    adj = adjudicate(registry([{"household_id": "H1", "status": "exited"}]), None, got, load_ruleset(RS))
    row = adj.findings.row(0, named=True)
    assert (row["wrongful_exit"], row["rules"], row["status"]) == (True, "water.quality", "judged")


def test_no_responses(tmp_path: Path) -> None:
    with pytest.raises(PovexitError) as ei:
        read_responses_dir(tmp_path)
    assert ei.value.diagnostics[0].code == "PVX-RU30"


def test_overrides_file(tmp_path: Path) -> None:
    p = tmp_path / "overrides.csv"
    p.write_text("户编号,规则,理由,核查员\nN1,exclusion.vehicle,报废三轮车,C07\n", encoding="utf-8")
    ov = load_overrides(p)
    assert ov.rows() == [("N1", "exclusion.vehicle", "报废三轮车", "C07")]
    p.write_text("户编号,规则,理由,核查员\nN1,exclusion.vehicle,,C07\n", encoding="utf-8")
    with pytest.raises(PovexitError) as ei:
        load_overrides(p)
    d = ei.value.diagnostics[0]
    assert (d.code, d.row, d.column) == ("PVX-RU20", 2, "reason")


# ---- command line on a raw registry directory ----------------------------------------------------

def _registry_dir(d: Path) -> list[str]:
    ids = [make("220821", dt.date(1980, 1, 1), 1, True), make("220821", dt.date(1982, 3, 4), 2, False),
           make("220821", dt.date(1970, 5, 5), 3, True), make("220821", dt.date(1990, 1, 1), 4, True)]
    d.mkdir()
    (d / "persons.csv").write_text(
        "province,city,county,township,village,group,household_id,name,id_number,relation,status,exit_year,"
        "poor_type,income_per_capita,relocated,housing_grade\n"
        f"吉林省,白城市,镇赉县,镇赉镇,东风村,一组,H1,张三,{ids[0]},户主,已脱贫,2016,一般贫困户,5000,否,B\n"
        f"吉林省,白城市,镇赉县,镇赉镇,东风村,一组,H1,李四,{ids[1]},配偶,已脱贫,2016,一般贫困户,5000,否,B\n"
        f"吉林省,白城市,镇赉县,镇赉镇,东风村,一组,H2,王五,{ids[2]},户主,未脱贫,,低保贫困户,2000,否,C\n",
        encoding="utf-8")
    (d / "villages.csv").write_text("province,city,county,township,village,poor_village,agricultural_population\n"
                                    "吉林省,白城市,镇赉县,镇赉镇,东风村,是,1200\n", encoding="utf-8")
    (d / "rosters.csv").write_text(f"source,id_number,name\n车辆,{ids[3]},赵六\n民政低保,{ids[3]},赵六\n",
                                   encoding="utf-8")
    return ids


def test_cli_on_plain_files_with_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POVEXIT_LANG", "zh")
    ids = _registry_dir(tmp_path / "registry")
    rdir = tmp_path / "responses"
    rdir.mkdir()
    rows = [household("H1", persons=2), household("H2", dibao_missing=True, approve_exit=None),
            household("N1", "general", income_wage=1500.0, persons=1)]
    keys = list(dict.fromkeys(k for r in rows for k in r))
    cell = lambda v: "" if v is None else ("是" if v is True else "否" if v is False else str(v))  # noqa: E731
    rdir.joinpath("responses.csv").write_text(
        "\n".join([",".join(keys)] + [",".join(cell(r.get(k)) for k in keys) for r in rows]) + "\n", encoding="utf-8")
    rdir.joinpath("members.csv").write_text(f"instance_id,member_no,member_age,member_id_number\nuuid:N1,1,34,{ids[3]}\n",
                                            encoding="utf-8")
    ov = tmp_path / "overrides.csv"
    ov.write_text("household_id,rule,reason,checker\nN1,exclusion.vehicle,车辆已转让（有转让合同）,C03\n", encoding="utf-8")
    base = ["adjudicate", "--registry", str(tmp_path / "registry"), "--responses", str(rdir), "--ruleset", "jilin-2018"]
    assert main([*base, "--out", str(tmp_path / "f1")]) == 0
    f1 = {r["household_id"]: r for r in read_findings(tmp_path / "f1").iter_rows(named=True)}
    assert (f1["N1"]["missed"], f1["N1"]["rules"]) == ("no", "income.below_line;exclusion.vehicle")
    assert f1["N1"]["vulnerability_lists"] == "dibao"
    assert "policy.dibao_missing" in f1["H2"]["rules"] and f1["H2"]["wrongful_exit"] == "no"
    assert main([*base, "--overrides", str(ov), "--out", str(tmp_path / "f2")]) == 0
    f2 = {r["household_id"]: r for r in read_findings(tmp_path / "f2").iter_rows(named=True)}
    assert (f2["N1"]["missed"], f2["N1"]["missed_persons"]) == ("yes", "1")
    entry = next(e for e in json.loads(f2["N1"]["evidence"]) if e["rule"] == "exclusion.vehicle")
    assert entry["outcome"] == "overridden" and entry["overrides"][0]["checker"] == "C03"
    inputs = json.loads((tmp_path / "f2" / "adjudication.json").read_text(encoding="utf-8"))["inputs"]
    assert {"responses/responses.csv", "overrides/overrides.csv", "ruleset"} <= set(inputs)


def test_cli_bad_ruleset_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _registry_dir(tmp_path / "registry")
    rdir = tmp_path / "responses"
    rdir.mkdir()
    rdir.joinpath("responses.csv").write_text("household_id,instrument\nH1,registered\n", encoding="utf-8")
    code = main(["adjudicate", "--registry", str(tmp_path / "registry"), "--responses", str(rdir),
                 "--ruleset", "national-1999", "--out", str(tmp_path / "out")])
    assert code == 2 and not (tmp_path / "out").exists()
    assert "PVX-RU01" in capsys.readouterr().err
