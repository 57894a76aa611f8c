"""The questions added by the requirements review (form 2025.2) and the two new forms: township forms and
county document checklists are ingested into their own tables, checked against the sample and kept once per
township / county; a submission of the earlier form version (no answers to the new questions) is still
accepted and hashes as before; the new skip logic and constraints are enforced."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from instruments_helpers import central_zip, county_check, make_sample, members, registered, township

from povexit.instruments import ingest, load_responses, write_responses
from povexit.instruments.definitions import get
from povexit.instruments.schema import since_names


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return make_sample(tmp_path)


def _codes(res) -> list[tuple[str, str | None, str]]:
    return sorted(res.rejected.select("code", "field", "severity").rows(), key=str)


def test_township_and_county_forms_go_to_their_tables(tmp_path: Path, sample: Path) -> None:
    files = [
        central_zip(tmp_path / "t.zip", "township", [
            township("uuid:t1"), township("uuid:t2", "九田镇"),
            township("uuid:t3", start="2019-02-15T12:00:00.000+08:00"),  # second form of 平湖镇: rejected
            township("uuid:t4", "外乡镇"),  # no sampled village there: kept with a warning
        ]),
        central_zip(tmp_path / "k.zip", "county_check", [
            county_check("uuid:k1", rolling_plans="no", rolling_plans_photo=None,
                         rolling_plans_missing_detail="只有年度计划，没有滚动规划"),
            county_check("uuid:k2", "西庄县"),  # not in the sample: rejected
        ]),
    ]
    res = ingest(sample, files)
    assert ("PVX-I28", "township", "error") in _codes(res)
    assert ("PVX-I26", "township", "warning") in _codes(res)
    assert ("PVX-I27", "county", "error") in _codes(res)
    assert sorted(res.townships["instance_id"]) == ["uuid:t1", "uuid:t2", "uuid:t4"]
    t1 = res.townships.filter(pl.col("instance_id") == "uuid:t1").row(0, named=True)
    assert (t1["county"], t1["township"], t1["registered_households"], t1["collective_debt"]) == ("东庄县", "平湖镇", 1773, False)
    assert res.county_checks["instance_id"].to_list() == ["uuid:k1"]
    k1 = res.county_checks.row(0, named=True)
    assert k1["rolling_plans"] is False and k1["rolling_plans_missing_detail"].startswith("只有")
    out = write_responses(res, tmp_path / "responses")
    assert out.counts["townships"] == 3 and out.counts["county_checks"] == 1
    back = load_responses(tmp_path / "responses")
    assert back.townships.height == 3 and back.county_checks.height == 1
    assert (tmp_path / "responses" / "townships.parquet").exists()
    assert (tmp_path / "responses" / "county_checks.parquet").exists()


def test_township_constraints(tmp_path: Path, sample: Path) -> None:
    bad = township("uuid:t1", exited_households="2000", dangerous_d="40")  # > registered; C + D > dangerous
    res = ingest(sample, [central_zip(tmp_path / "t.zip", "township", [bad])])
    assert {r[1] for r in _codes(res) if r[0] == "PVX-I05"} == {"exited_households", "dangerous_d"}
    assert res.townships.height == 0


def test_new_household_items_skip_logic_and_requirements(tmp_path: Path, sample: Path) -> None:
    rows = [
        # renovated: the details are asked; a rebuilt house off the area limits needs the gap, not 0
        registered("H1", "uuid:r1", renovated="yes", renovation_finished="yes", renovation_occupied="yes",
                   renovation_policy_ok="yes", renovation_target_group="registered_poor", renovation_method="rebuild",
                   renovation_area_ok="no", renovation_area_gap_m2="0", renovation_quality_ok="yes",
                   renovation_old_demolished="yes", renovation_subsidy_paid="yes", renovation_subsidy_yuan="30000",
                   renovation_own_yuan="5000"),
        # hit by COVID-19 but no solution given; 'other' impact without saying what
        registered("H2", "uuid:r2", covid_impact="yes", covid_impact_kinds="income_loss other"),
        # a micro-loan with 'none' combined with another term; dissatisfied without a reason
        registered("H3", "uuid:r3", village_id="V2", group="二组", finance_loan_status="willing_eligible",
                   loan_obtained="yes", loan_terms="none base_rate", loan_use_ok="yes", loan_overdue="no",
                   satisfaction_helper="dissatisfied"),
    ]
    res = ingest(sample, [central_zip(tmp_path / "r.zip", "registered", rows,
                                      members("uuid:r1") + members("uuid:r2") + members("uuid:r3"))])
    got = {(r["household_id"], r["field"], r["code"]) for r in res.rejected.iter_rows(named=True)}
    assert got == {
        ("H1", "renovation_area_gap_m2", "PVX-I05"),
        ("H2", "covid_solution", "PVX-I04"), ("H2", "covid_impact_other", "PVX-I04"),
        ("H3", "loan_terms", "PVX-I05"), ("H3", "satisfaction_helper_reason", "PVX-I04"),
    }


def test_a_submission_of_the_earlier_form_version_is_accepted(tmp_path: Path, sample: Path) -> None:
    """Exports of form 2025.1 have no answers to the new questions: they are not required there (by the
    export's FormVersion, or — without one — because the file carries none of the new columns)."""
    later = set(since_names())
    row = {k: v for k, v in registered("H1", "uuid:old").items() if k not in later}
    df = pl.DataFrame({k: [v] for k, v in row.items()}, schema={k: pl.String for k in row})
    mem = members("uuid:old")
    mdf = pl.DataFrame({k: [m[k] for m in mem] for k in mem[0]}, schema={k: pl.String for k in mem[0]})
    p = tmp_path / "responses.csv"
    df.write_csv(p)
    mp = tmp_path / "members.csv"
    mdf.write_csv(mp)
    res = ingest(sample, [p, mp])
    assert res.errors.height == 0, res.rejected.select("field", "code").rows()
    # the same row marked as form 2025.1 in a Central export is accepted too, though the export has the columns
    from instruments_helpers import frame

    from povexit.instruments.centralfmt import central_tables, to_zip

    tables = central_tables(get("registered"), frame([row]), frame(mem))
    tables = {k: (v.with_columns(pl.lit("2025.1").alias("FormVersion")) if "FormVersion" in v.columns else v)
              for k, v in tables.items()}
    z = tmp_path / "old.zip"
    z.write_bytes(to_zip(tables))
    old = ingest(sample, [z])
    assert old.errors.height == 0, old.rejected.select("field", "code").rows()
    h = old.households.row(0, named=True)
    assert h["covid_impact"] is None and h["wage_earners"] is None
    # marked 2025.2, the same answers are incomplete
    z2 = tmp_path / "new.zip"
    z2.write_bytes(to_zip(central_tables(get("registered"), frame([row]), frame(mem))))
    new = ingest(sample, [z2])
    assert ("PVX-I04", "covid_impact", "error") in _codes(new)


def test_unanswered_new_questions_leave_the_content_hash_unchanged() -> None:
    from povexit.instruments.prepare import _content_hash
    from povexit.instruments.schema import schema

    later = set(since_names())
    cols = [c for c in schema("registered").main_names if c != "instance_id"]
    old_cols = [c for c in cols if c not in later]
    assert len(cols) - len(old_cols) > 50
    row = registered("H1", "uuid:x")
    df = pl.DataFrame({c: [row.get(c) if c not in later else None] for c in cols}, schema={c: pl.String for c in cols})
    df = df.with_columns(pl.lit(0).alias("_uid"))
    before = _content_hash(df, pl.DataFrame(), old_cols, [])  # what form 2025.1 hashed
    assert _content_hash(df, pl.DataFrame(), cols, []).to_list() == before.to_list()
    answered = df.with_columns(pl.lit("no").alias("covid_impact"))
    assert _content_hash(answered, pl.DataFrame(), cols, []).to_list() != before.to_list()
