"""``import_registry``: the files of docs/data-layout.md, atomic (a failure leaves nothing and keeps an
earlier import), idempotent (byte-identical re-imports), and ``load`` of either form agrees."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from registry_fixture import PERSONS, TODAY, replace_line, write_registry

from povexit import registry
from povexit.errors import PovexitError
from povexit.registry import api, ids

FILES = {"persons.parquet", "households.parquet", "villages.parquet", "groups.parquet", "rosters.parquet",
         "counties.parquet", "summary.json", "check.json", ".povexit"}


def snapshot(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())}


def test_import_writes_the_documented_files(tmp_path):
    src = write_registry(tmp_path / "reg")
    res = registry.import_registry(src, tmp_path / "out", today=TODAY)
    assert {p.name for p in (tmp_path / "out").iterdir()} == FILES
    assert res.report.ok and json.loads((tmp_path / "out" / ".povexit").read_text())["kind"] == "registry"
    assert not list(tmp_path.glob(".out.tmp-*"))  # no temporary left behind

    persons = pl.read_parquet(tmp_path / "out" / "persons.parquet")
    for c in ("province", "village_id", "household_id", "id_number", "is_head", "status", "exit_year",
              "poor_type", "income_per_capita", "relocated", "housing_grade", "sex", "birth_date", "age", "note"):
        assert c in persons.columns
    assert persons.schema["exit_year"] == pl.Int32 and persons.schema["age"] == pl.Int32
    assert persons.schema["birth_date"] == pl.Date and persons.schema["relocated"] == pl.Boolean
    assert set(persons["status"]) == {"exited", "poor", "returned"}
    assert set(persons["poor_type"]) == {"general", "dibao", "tekun"}
    # ages at the end of the counties' exit year (2018), sex from the ID
    p1 = persons.row(0, named=True)
    assert (p1["age"], p1["sex"], str(p1["birth_date"])) == (50, "M", "1968-03-01")

    hh = pl.read_parquet(tmp_path / "out" / "households.parquet")
    assert hh["household_id"].to_list() == ["H001", "H002", "H003"]
    assert hh["persons"].to_list() == [3, 2, 3]
    assert hh["head_name"].to_list() == ["张一", "王四", "赵六"]
    assert hh["exit_year"].to_list() == [2018, None, 2017]

    v = pl.read_parquet(tmp_path / "out" / "villages.parquet")
    assert v["registered_persons"].to_list() == [5, 3, 0]
    assert v["exited_persons"].to_list() == [3, 0, 0] and v["returned_persons"].to_list() == [0, 3, 0]
    assert v["weak_area"].to_list() == [True, True, False]
    assert v["village_id"][0] == ids.village_id("云南省", "昆明市", "禄劝县", "屏山街道", "甲村")

    g = pl.read_parquet(tmp_path / "out" / "groups.parquet")
    assert g["registered_persons"].to_list() == [3, 2, 3]
    assert g["nonregistered_population"].to_list() == [397, 498, 297]

    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["totals"]["persons"] == 8 and summary["totals"]["households"] == 3
    assert summary["by_status"] == {"exited": {"households": 1, "persons": 3}, "poor": {"households": 1, "persons": 2},
                                    "returned": {"households": 1, "persons": 3}}
    assert [(t["township"], t["persons"]) for t in summary["by_township"]] == [("屏山街道", 5), ("撒营盘镇", 3)]
    assert len(summary["by_village"]) == 3
    assert summary["inputs"]["persons"]["sha256"] == api.fsutil.sha256_file(src / "persons.csv")
    assert summary["as_of"] == "2018-12-31" and summary["as_of_basis"] == "counties.exit_year"


def test_reimport_is_byte_identical(tmp_path):
    src = write_registry(tmp_path / "reg")
    registry.import_registry(src, tmp_path / "a", today=TODAY)
    registry.import_registry(src, tmp_path / "b", today=TODAY)
    first = snapshot(tmp_path / "a")
    assert snapshot(tmp_path / "b") == first
    registry.import_registry(src, tmp_path / "a", today=TODAY)  # over itself
    assert snapshot(tmp_path / "a") == first


def test_village_ids_do_not_depend_on_row_order(tmp_path):
    src = write_registry(tmp_path / "reg")
    lines = (src / "villages.csv").read_text(encoding="utf-8").splitlines()
    src2 = write_registry(tmp_path / "reg2")
    (src2 / "villages.csv").write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n", encoding="utf-8")
    a = registry.load(src, today=TODAY).villages.sort("village")
    b = registry.load(src2, today=TODAY).villages.sort("village")
    assert a["village_id"].to_list() == b["village_id"].to_list()


def test_failed_check_writes_nothing_and_keeps_the_previous_import(tmp_path):
    src = write_registry(tmp_path / "reg")
    out = tmp_path / "out"
    registry.import_registry(src, out, today=TODAY)
    before = snapshot(out)
    bad = write_registry(tmp_path / "bad", persons=replace_line(PERSONS, 3, relation="之父"))
    with pytest.raises(registry.RegistryCheckFailed) as exc:
        registry.import_registry(bad, out, today=TODAY)
    assert exc.value.report.counts == {"PVX-R130": 1}
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "out", "reg"]
    with pytest.raises(registry.RegistryCheckFailed):
        registry.import_registry(bad, tmp_path / "new", today=TODAY)
    assert not (tmp_path / "new").exists()


def test_failure_midway_leaves_nothing(tmp_path, monkeypatch):
    """A writer that fails after the first file: no output, no temporary, the earlier import intact."""
    src = write_registry(tmp_path / "reg")
    out = tmp_path / "out"
    registry.import_registry(src, out, today=TODAY)
    before = snapshot(out)
    written: list[str] = []
    real = pl.DataFrame.write_parquet

    def flaky(self, path, *a, **kw):
        if written:
            raise OSError("disk full")
        written.append(str(path))
        return real(self, path, *a, **kw)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", flaky)
    with pytest.raises(OSError, match="disk full"):
        registry.import_registry(src, out, today=TODAY)
    assert written  # it did fail midway, after writing a file
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "reg"]
    with pytest.raises(OSError):
        written.clear()
        registry.import_registry(src, tmp_path / "fresh", today=TODAY)
    assert not (tmp_path / "fresh").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["out", "reg"]


def test_output_over_a_foreign_directory_is_refused(tmp_path):
    src = write_registry(tmp_path / "reg")
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(PovexitError) as exc:
        registry.import_registry(src, other, today=TODAY)
    assert exc.value.diagnostics[0].code == "PVX009"
    assert (other / "notes.txt").read_text(encoding="utf-8") == "keep"


def test_load_raw_and_imported_agree(tmp_path):
    src = write_registry(tmp_path / "reg", persons=replace_line(PERSONS, 0, id_number="E1234567"))
    registry.import_registry(src, tmp_path / "out", today=TODAY)
    raw = registry.load(src, today=TODAY)
    imp = registry.load(tmp_path / "out")
    for name in api.TABLES:
        assert getattr(raw, name).equals(getattr(imp, name)), name
    assert raw.input_hashes == imp.input_hashes and set(raw.input_hashes) == {
        "persons.csv", "villages.csv", "groups.csv", "rosters.csv", "counties.csv"}
    assert [d.code for d in raw.diagnostics] == [d.code for d in imp.diagnostics] == ["PVX-R114"]
    assert imp.diagnostics[0].message("en") == raw.diagnostics[0].message("en")
    assert imp.county_names == ["禄劝县"]


def test_load_raises_with_all_errors(tmp_path):
    p = replace_line(PERSONS, 3, relation="之父")
    p = replace_line(p, 0, relocated="也许")
    with pytest.raises(registry.RegistryCheckFailed) as exc:
        registry.load(write_registry(tmp_path / "reg", persons=p), today=TODAY)
    assert sorted(d.code for d in exc.value.errors) == ["PVX-R121", "PVX-R130"]


def test_as_of_option_and_default(tmp_path):
    src = write_registry(tmp_path / "reg", drop=("counties",))
    import datetime as dt

    assert registry.load(src, today=TODAY, as_of=dt.date(2019, 2, 28)).persons["age"][0] == 50  # born 1968-03-01
    assert registry.load(src, today=TODAY, as_of=dt.date(2019, 3, 1)).persons["age"][0] == 51
    rep = registry.check(src, today=TODAY)
    assert (rep.summary["as_of"], rep.summary["as_of_basis"]) == (TODAY.isoformat(), "today")


def test_empty_optional_tables(tmp_path):
    src = write_registry(tmp_path / "reg", drop=("groups", "rosters"))
    res = registry.import_registry(src, tmp_path / "out", today=TODAY)
    assert pl.read_parquet(tmp_path / "out" / "groups.parquet").height == 0
    ro = pl.read_parquet(tmp_path / "out" / "rosters.parquet")
    assert ro.height == 0 and "in_registry" in ro.columns
    assert res.summary["totals"]["roster_rows"] == 0


def test_check_leaves_no_temporary_files(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    d = write_registry(tmp_path / "reg", encoding="gbk")
    assert registry.check(d, today=TODAY).ok
    assert list((tmp_path / "tmp").iterdir()) == []


def test_source_directory_untouched(tmp_path):
    src = write_registry(tmp_path / "reg")
    before = snapshot(src)
    registry.import_registry(src, tmp_path / "out", today=TODAY)
    shutil.rmtree(tmp_path / "out")
    assert snapshot(src) == before
