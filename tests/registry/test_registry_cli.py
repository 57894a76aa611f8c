"""``povexit registry check|import`` through ``povexit.cli.main.main``: exit codes, --json, language."""

from __future__ import annotations

import json

from registry_fixture import IDS, PERSONS, TODAY, replace_line, write_registry

from povexit.cli.main import main
from povexit.privacy import mask_id

T = ["--today", TODAY.isoformat()]


def test_check_ok_exits_0(tmp_path, capsys):
    d = write_registry(tmp_path / "reg")
    assert main(["registry", "check", str(d), *T]) == 0
    out = capsys.readouterr()
    assert "禄劝县" in out.out and "0 个错误" in out.err


def test_check_with_errors_exits_2_and_writes_json(tmp_path, capsys):
    bad_id = IDS["p3"][:17]  # a digit short
    d = write_registry(tmp_path / "reg", persons=replace_line(PERSONS, 2, id_number=bad_id, relation="户主"))
    report = tmp_path / "report.json"
    assert main(["registry", "check", str(d), "--json", str(report), *T]) == 2
    err = capsys.readouterr().err
    assert "PVX-R131" in err and "PVX-R110" in err
    assert bad_id not in err  # masked
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["ok"] is False and data["errors"] == 2 and data["counts"] == {"PVX-R110": 1, "PVX-R131": 1}
    d110 = next(x for x in data["diagnostics"] if x["code"] == "PVX-R110")
    assert (d110["file"], d110["row"], d110["column"], d110["value"]) == ("persons.csv", 4, "id_number", mask_id(bad_id))
    assert d110["message_zh"] and d110["message_en"] and d110["fix"]
    assert data["summary"]["totals"]["persons"] == 8


def test_warnings_only_exit_0(tmp_path):
    d = write_registry(tmp_path / "reg", persons=replace_line(PERSONS, 2, id_number="E1234567"))
    assert main(["registry", "check", str(d), *T]) == 0


def test_english(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("POVEXIT_LANG", "zh")
    d = write_registry(tmp_path / "reg", persons=replace_line(PERSONS, 3, relation="之父"))
    report = tmp_path / "r.json"
    assert main(["--lang", "en", "registry", "check", str(d), "--json", str(report), *T]) == 2
    err = capsys.readouterr().err
    assert "1 error(s), 0 warning(s)" in err and "PVX-R130" in err
    msg = json.loads(report.read_text(encoding="utf-8"))["diagnostics"][0]["message"]
    assert msg == "Household H002 has no head (户主) among its 2 member(s)"


def test_import_then_failed_import(tmp_path, capsys):
    d = write_registry(tmp_path / "reg")
    out = tmp_path / "work" / "registry"
    assert main(["registry", "import", str(d), "--out", str(out), *T]) == 0
    assert (out / "persons.parquet").is_file()
    first = (out / "summary.json").read_bytes()
    bad = write_registry(tmp_path / "bad", persons=replace_line(PERSONS, 0, status="?"))
    assert main(["registry", "import", str(bad), "--out", str(out), "--json", str(tmp_path / "r.json"), *T]) == 2
    assert (out / "summary.json").read_bytes() == first
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["counts"] == {"PVX-R120": 1}
    assert "未导入" in capsys.readouterr().err


def test_missing_directory_and_bad_date(tmp_path, capsys):
    assert main(["registry", "check", str(tmp_path / "nope")]) == 2
    assert "PVX001" in capsys.readouterr().err
    d = write_registry(tmp_path / "reg")
    assert main(["registry", "check", str(d), "--as-of", "2019-13-01"]) == 2
