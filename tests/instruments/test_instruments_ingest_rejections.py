"""Every rejection case is listed with file, row, field and value (never silently dropped or kept);
re-ingest adds nothing; ingest into an existing responses dir merges; a failed ingest changes nothing."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from instruments_helpers import (
    cadre,
    central_zip,
    general,
    make_sample,
    members,
    plain_csv,
    registered,
    village,
)

from povexit.errors import PovexitError
from povexit.instruments import ingest, load_responses, write_responses


def _one(res, code: str) -> dict:
    rows = res.rejected.filter(pl.col("code") == code)
    assert rows.height == 1, (code, res.rejected.select("file", "row", "field", "value", "code"))
    return rows.row(0, named=True)


def _zip(tmp_path: Path, name: str, instrument: str, rows, mems=None) -> Path:
    return central_zip(tmp_path / name, instrument, rows, mems)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return make_sample(tmp_path)


def test_household_not_in_sample(tmp_path: Path, sample: Path) -> None:
    f = _zip(tmp_path, "reg.zip", "registered", [registered("H1", "uuid:a"), registered("H77", "uuid:b")],
             members("uuid:a") + members("uuid:b"))
    res = ingest(sample, [f])
    r = _one(res, "PVX-I01")
    assert (r["file"], r["row"], r["field"], r["value"]) == ("reg.zip:povexit_registered.csv", 3, "household_id", "H77")
    assert "不在样本中" in r["message"] and "not in the sample" in r["message_en"]
    assert res.households["household_id"].to_list() == ["H1"]
    assert "H77" not in res.members["household_id"].to_list()


def test_general_census_household_accepted_only_in_a_census_group(tmp_path: Path, sample: Path) -> None:
    rows = [general("N100", "uuid:c1", listed=False, village_id="V2", group="三组"),  # census group
            general("N200", "uuid:c2", listed=False, village_id="V2", group="二组")]  # not a census group
    res = ingest(sample, [_zip(tmp_path, "gen.zip", "general", rows, members("uuid:c1") + members("uuid:c2"))])
    r = _one(res, "PVX-I01")
    assert (r["row"], r["value"]) == (3, "N200") and "普查" in r["message"]
    hh = res.households
    assert hh["household_id"].to_list() == ["N100"]
    assert hh["source"].to_list() == ["census"] and hh["group"].to_list() == ["三组"]


def test_second_interview_keeps_the_earlier(tmp_path: Path, sample: Path) -> None:
    rows = [registered("H1", "uuid:late", start="2019-02-15T09:00:00.000+08:00"),
            registered("H1", "uuid:early", start="2019-02-14T09:00:00.000+08:00")]
    res = ingest(sample, [_zip(tmp_path, "reg.zip", "registered", rows, members("uuid:late") + members("uuid:early"))])
    r = _one(res, "PVX-I02")
    assert (r["row"], r["instance_id"], r["value"]) == (2, "uuid:late", "H1")
    assert "uuid:early" in r["message"]
    assert res.households["instance_id"].to_list() == ["uuid:early"]
    assert set(res.members["instance_id"]) == {"uuid:early"}


def test_wrong_instrument(tmp_path: Path, sample: Path) -> None:
    # H1 is sampled as registered but was interviewed with the non-registered questionnaire
    rows = [general("H1", "uuid:w", listed=True, village_id="V1", group="一组")]
    res = ingest(sample, [_zip(tmp_path, "gen.zip", "general", rows, members("uuid:w"))])
    r = _one(res, "PVX-I03")
    assert (r["field"], r["value"]) == ("instrument", "H1") and "registered" in r["message"]
    assert res.households.height == 0


@pytest.mark.parametrize(("field", "value"), [("approves", None), ("water_litres_per_person_day", None),
                                              ("persons", None)])
def test_missing_required_field(tmp_path: Path, sample: Path, field: str, value) -> None:
    rows = [registered("H1", "uuid:ok"), registered("H2", "uuid:bad", **{field: value})]
    res = ingest(sample, [_zip(tmp_path, "reg.zip", "registered", rows, members("uuid:ok") + members("uuid:bad"))])
    r = _one(res, "PVX-I04")
    assert (r["row"], r["field"], r["instance_id"]) == (3, field, "uuid:bad")
    assert res.households["household_id"].to_list() == ["H1"]


def test_required_only_when_relevant(tmp_path: Path, sample: Path) -> None:
    # disapproval_reason is required only when the household does not approve
    ok = registered("H1", "uuid:a", approves="yes")
    bad = registered("H2", "uuid:b", approves="no", approve_policy="no")
    res = ingest(sample, [_zip(tmp_path, "reg.zip", "registered", [ok, bad], members("uuid:a") + members("uuid:b"))])
    r = _one(res, "PVX-I04")
    assert (r["field"], r["row"]) == ("disapproval_reason", 3)


@pytest.mark.parametrize(("field", "value", "where"), [
    ("income_wage", "-500", "main"),
    ("water_litres_per_person_day", "-1", "main"),
    ("water_fetch_minutes", "-3", "main"),
    ("persons_sharing", "5", "main"),  # more than the 2 household members
    ("member_age", "200", "member"),
    ("member_id_number", "12345", "member"),
])
def test_impossible_values(tmp_path: Path, sample: Path, field: str, value: str, where: str) -> None:
    if where == "main":
        bad = registered("H2", "uuid:bad", **{field: value})
        mems = members("uuid:bad")
    else:
        bad = registered("H2", "uuid:bad")
        mems = members("uuid:bad", 2, {2: {field: value}})
    res = ingest(sample, [_zip(tmp_path, "reg.zip", "registered", [registered("H1", "uuid:ok"), bad],
                               members("uuid:ok") + mems)])
    r = _one(res, "PVX-I05")
    assert r["field"] == field and r["instance_id"] == "uuid:bad" and r["household_id"] == "H2"
    if where == "main":
        assert (r["file"], r["row"], r["value"]) == ("reg.zip:povexit_registered.csv", 3, value)
    else:  # the member row of the repeat CSV
        assert r["file"] == "reg.zip:povexit_registered-members.csv" and r["row"] == 5
        if field == "member_id_number":
            assert r["value"] == "12345"[:0] + "*****"  # ID numbers are masked in rejected.csv
        else:
            assert r["value"] == value
    assert res.households["household_id"].to_list() == ["H1"]
    assert set(res.members["household_id"]) == {"H1"}


def test_bad_types(tmp_path: Path, sample: Path) -> None:
    rows = [registered("H1", "uuid:a", food_staple_enough="maybe"), registered("H2", "uuid:b", housing_grade="E"),
            registered("H3", "uuid:c", village_id="V2", group="二组", persons="two")]
    res = ingest(sample, [plain_csv(tmp_path / "responses.csv", rows)])
    bad = res.rejected.filter(pl.col("code") == "PVX-I06").sort("row")
    assert bad.select("row", "field", "value").rows() == [(2, "food_staple_enough", "maybe"), (3, "housing_grade", "E"),
                                                           (4, "persons", "two")]
    assert "A / B / C / D / unassessed" in bad["fix"][1]
    assert res.households.height == 0


def test_instance_conflict_and_resend(tmp_path: Path, sample: Path) -> None:
    a = registered("H1", "uuid:x")
    a_edit = registered("H1", "uuid:x", income_wage="20000", income_net_per_capita="12000", edits="1")
    resent = registered("H2", "uuid:y")
    f1 = _zip(tmp_path, "a.zip", "registered", [a, resent, resent], members("uuid:x") + members("uuid:y"))
    f2 = _zip(tmp_path, "b.zip", "registered", [a_edit], members("uuid:x"))
    res = ingest(sample, [f1, f2])
    conflict = _one(res, "PVX-I07")
    assert conflict["file"] == "a.zip:povexit_registered.csv" and conflict["row"] == 2  # the unedited one loses
    assert "b.zip" in conflict["message"]
    resend = _one(res, "PVX-I08")
    assert resend["severity"] == "warning" and resend["value"] == "uuid:y" and "2" in resend["message"]
    hh = res.households.sort("household_id")
    assert hh["instance_id"].to_list() == ["uuid:x", "uuid:y"]
    assert hh["income_wage"].to_list() == [20000.0, 10000.0]
    assert res.members.height == 4


def test_missing_instance_id_unknown_instrument_and_review(tmp_path: Path, sample: Path) -> None:
    rows = [registered("H1", None), registered("H2", "uuid:b", instrument="household"),
            registered("H3", "uuid:c", village_id="V2", group="二组", review_state="rejected"),
            registered("H9", "uuid:d", review_state="approved")]
    res = ingest(sample, [plain_csv(tmp_path / "responses.csv", rows)])
    assert _one(res, "PVX-I09")["row"] == 2
    assert _one(res, "PVX-I10")["value"] == "household"
    r = _one(res, "PVX-I17")
    assert r["row"] == 4 and "rejected" in r["message"]
    # H9 is a reserve household: accepted, flagged because no sampled household of V1 was recorded as not found
    hh = res.households
    assert hh["household_id"].to_list() == ["H9"] and hh["substitute"].to_list() == [True]
    assert hh["reserve_rank"].to_list() == [1]
    assert _one(res, "PVX-I20")["severity"] == "warning"


def test_substitute_explained_by_a_non_interview(tmp_path: Path, sample: Path) -> None:
    rows = [registered("H1", "uuid:nf", interview_result="not_found", persons=None, persons_sharing=None),
            registered("H9", "uuid:sub")]
    res = ingest(sample, [plain_csv(tmp_path / "responses.csv", rows)])
    assert res.errors.height == 0, res.rejected
    assert not res.problems.filter(pl.col("code") == "PVX-I20").height
    assert res.nonresponse["household_id"].to_list() == ["H1"]
    assert res.nonresponse["interview_result"].to_list() == ["not_found"]
    assert res.households["household_id"].to_list() == ["H9"]


def test_village_and_cadre_checks(tmp_path: Path, sample: Path) -> None:
    files = [_zip(tmp_path, "v.zip", "village", [village("uuid:v1"), village("uuid:v2"), village("uuid:v3", "V404")]),
             _zip(tmp_path, "c.zip", "cadre", [cadre("uuid:c1", village_id="V404")])]
    res = ingest(sample, files)
    assert _one(res, "PVX-I11")["value"] == "V404"
    second = _one(res, "PVX-I12")
    assert second["instance_id"] == "uuid:v2" and "uuid:v1" in second["message"]
    assert _one(res, "PVX-I21")["severity"] == "warning"
    assert res.villages["instance_id"].to_list() == ["uuid:v1"]
    assert res.cadres.height == 1


def test_orphan_member_rows(tmp_path: Path, sample: Path) -> None:
    mem = tmp_path / "povexit_registered-members.csv"
    pl.DataFrame(members("uuid:nobody")).with_columns(
        pl.lit("uuid:nobody").alias("PARENT_KEY"), pl.lit("uuid:nobody/grp_household/members[1]").alias("KEY")
    ).drop("instance_id").write_csv(mem)
    main = plain_csv(tmp_path / "responses.csv", [registered("H1", "uuid:a")])
    res = ingest(sample, [main, mem])
    assert res.rejected.filter(pl.col("code") == "PVX-I13").height == 2
    assert res.households.height == 1


# ---- idempotence, merging, atomicity --------------------------------------------------------------------------

def _files(tmp_path: Path) -> tuple[Path, Path]:
    f1 = _zip(tmp_path, "day1.zip", "registered", [registered("H1", "uuid:1"), registered("H77", "uuid:77")],
              members("uuid:1") + members("uuid:77"))
    f2 = _zip(tmp_path, "day2.zip", "registered", [registered("H1", "uuid:1"), registered("H2", "uuid:2")],
              members("uuid:1") + members("uuid:2"))
    return f1, f2


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_reingest_adds_nothing_and_merges(tmp_path: Path, sample: Path) -> None:
    f1, f2 = _files(tmp_path)
    out = tmp_path / "responses"
    write_responses(ingest(sample, [f1]), out)
    first = _snapshot(out)
    res = write_responses(ingest(sample, [f1], existing=out), out)
    assert res.this_run["already_present"] == 1
    assert _snapshot(out) == first  # byte for byte
    write_responses(ingest(sample, [f2], existing=out), out)  # merge a new export (cumulative: uuid:1 again)
    r = load_responses(out)
    assert r.households["instance_id"].to_list() == ["uuid:1", "uuid:2"]
    assert r.members.height == 4
    assert r.rejected.filter(pl.col("code") == "PVX-I01")["value"].to_list() == ["H77"]  # kept from day 1
    assert set(r.meta["inputs"]) == {"day1.zip", "day2.zip"}
    # Python API: write_responses merges even when the result was computed without `existing`
    write_responses(ingest(sample, [f1]), out)
    assert load_responses(out).households["instance_id"].to_list() == ["uuid:1", "uuid:2"]


def test_failed_ingest_changes_nothing(tmp_path: Path, sample: Path) -> None:
    f1, f2 = _files(tmp_path)
    out = tmp_path / "responses"
    write_responses(ingest(sample, [f1]), out)
    before = _snapshot(out)
    # unreadable input: nothing read, nothing written
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(PovexitError) as exc:
        ingest(sample, [f2, broken], existing=out)
    assert exc.value.diagnostics[0].code == "PVX-I30"
    # strict: an error anywhere → nothing written
    bad = _zip(tmp_path, "bad.zip", "registered", [registered("H2", "uuid:2", income_wage="-1")], members("uuid:2"))
    with pytest.raises(PovexitError) as exc:
        write_responses(ingest(sample, [f2, bad], existing=out), out, strict=True)
    assert any(d.code == "PVX-I33" for d in exc.value.diagnostics)
    assert _snapshot(out) == before
    # a crash while writing leaves the previous responses in place
    import povexit.instruments.store as store

    real = store.pl.DataFrame.write_csv

    def boom(self, *a, **k):  # rejected.csv is written after the parquet tables
        raise OSError("disk full")

    store.pl.DataFrame.write_csv = boom
    try:
        with pytest.raises(OSError):
            write_responses(ingest(sample, [f2], existing=out), out)
    finally:
        store.pl.DataFrame.write_csv = real
    assert _snapshot(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".responses")]


def test_nothing_valid_writes_nothing(tmp_path: Path, sample: Path) -> None:
    f = _zip(tmp_path, "bad.zip", "registered", [registered("H77", "uuid:77")], members("uuid:77"))
    out = tmp_path / "responses"
    with pytest.raises(PovexitError) as exc:
        write_responses(ingest(sample, [f]), out)
    codes = [d.code for d in exc.value.diagnostics]
    assert codes[-1] == "PVX-I32" and "PVX-I01" in codes
    assert not out.exists()


def test_refuses_to_overwrite_another_kind_of_directory(tmp_path: Path, sample: Path) -> None:
    f1, _ = _files(tmp_path)
    with pytest.raises(PovexitError) as exc:
        write_responses(ingest(sample, [f1]), sample)  # the sample directory is not a responses directory
    assert exc.value.diagnostics[0].code == "PVX009"
    assert (sample / "households.csv").exists()


def test_flags_that_keep_the_submission(tmp_path: Path, sample: Path) -> None:
    rows = [
        registered("H1", "uuid:calc", income_net_per_capita="99999"),  # the form's formula gives 7000
        registered("H2", "uuid:count", persons="3", persons_sharing="3", income_net_per_capita="4666.67"),
        registered("H3", "uuid:vill", village_id="V1", group="二组"),  # the sample puts H3 in V2
    ]
    mems = members("uuid:calc") + members("uuid:count", 2) + members("uuid:vill")
    f = central_zip(tmp_path / "reg.zip", "registered", rows, mems)
    extra = tmp_path / "with_extra.csv"
    plain_csv(extra, [cadre("uuid:c9")])
    text = extra.read_text(encoding="utf-8").splitlines()
    extra.write_text("\n".join([text[0] + ",my_own_column", text[1] + ",x"]) + "\n", encoding="utf-8")
    res = ingest(sample, [f, extra])
    assert res.errors.height == 0, res.rejected
    calc = _one(res, "PVX-I15")
    assert (calc["field"], calc["value"], calc["severity"]) == ("income_net_per_capita", "99999", "warning")
    hh = res.households.sort("household_id")
    assert hh["income_net_per_capita"].to_list()[0] == 7000.0
    count = _one(res, "PVX-I16")
    assert (count["household_id"], count["value"]) == ("H2", "2") and "3" in count["message"]
    vill = _one(res, "PVX-I19")
    assert (vill["household_id"], vill["value"]) == ("H3", "V1")
    assert hh.filter(pl.col("household_id") == "H3")["village_id"].item() == "V2"
    unknown = _one(res, "PVX-I14")
    assert (unknown["file"], unknown["field"], unknown["severity"]) == ("with_extra.csv", "my_own_column", "warning")
    assert res.households.height == 3 and res.cadres.height == 1


def test_kobo_not_approved_is_rejected(tmp_path: Path, sample: Path) -> None:
    from instruments_helpers import kobo_csv

    f = kobo_csv(tmp_path / "kobo.csv", "registered", [registered("H1", "uuid:k1"), registered("H2", "uuid:k2")])
    df = pl.read_csv(f, separator=";", infer_schema=False)
    df = df.with_columns(pl.when(pl.col("_uuid") == "k2").then(pl.lit("validation_status_not_approved"))
                         .otherwise(pl.col("_validation_status")).alias("_validation_status"))
    df.write_csv(f, separator=";")
    res = ingest(sample, [f])
    r = _one(res, "PVX-I17")
    assert r["instance_id"] == "uuid:k2" and "KoboToolbox" in r["message"]
    assert res.households["household_id"].to_list() == ["H1"]
