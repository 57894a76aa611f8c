"""Loading a work directory: idempotent, never overwrites a case in the workflow, clear errors."""

from __future__ import annotations

import uuid

import pytest
from server_helpers import advance, cases_of

from povexit.errors import PovexitError
from povexit.server import actions, loader
from povexit.server.models import AuditEntry, Batch, Case, County, Household, Rejected, Village
from povexit.verify.machine import State


def test_load_counts_match_the_files(server_db, workdir):
    import polars as pl

    name = f"l-{uuid.uuid4().hex[:8]}"
    res = actions.do_load_assessment(workdir, name=name)
    county = County.objects.get(assessment__name=name)
    n_cases = pl.read_csv(workdir / "findings" / "cases.csv").height
    n_hh = pl.read_csv(workdir / "sample" / "households.csv").height
    assert res.cases_created == n_cases == Case.objects.filter(county=county).count()
    assert res.households == n_hh == Household.objects.filter(county=county).count()
    assert (
        Village.objects.filter(county=county).count()
        == pl.read_csv(workdir / "sample" / "villages.csv").height
    )
    assert set(Batch.objects.filter(county=county).values_list("number", flat=True)) == {1, 2, 3}
    assert Rejected.objects.filter(assessment__name=name).count() == res.rejected > 0
    # heads of household from the registry, interviews from the responses
    assert Household.objects.filter(county=county, instrument="registered").exclude(head_name="").exists()
    assert Household.objects.filter(county=county, interviewed_at__isnull=False).exists()
    assert county.provisional["county"] == county.name and county.threshold in (0.02, 0.03)
    assert all(c.found_on is not None for c in Case.objects.filter(county=county))


def test_reload_is_idempotent(server_db, workdir):
    name = f"l-{uuid.uuid4().hex[:8]}"
    actions.do_load_assessment(workdir, name=name)
    n_audit = AuditEntry.objects.count()
    again = actions.do_load_assessment(workdir, name=name)
    assert again.unchanged and AuditEntry.objects.count() == n_audit


def test_reload_with_new_files_keeps_cases_in_the_workflow(server_db, workdir, team_factory):
    import polars as pl

    name = f"l-{uuid.uuid4().hex[:8]}"
    actions.do_load_assessment(workdir, name=name)
    county = County.objects.get(assessment__name=name)
    team = team_factory(county)
    moved = advance(cases_of(county, 1)[0], team, State.REVIEWED)
    # the adjudication is re-run: one new case, every rule text changed
    cases = pl.read_csv(workdir / "findings" / "cases.csv", infer_schema=False)
    hh = pl.read_csv(workdir / "sample" / "households.csv", infer_schema=False)
    extra = hh.filter(~pl.col("household_id").is_in(cases["household_id"].to_list())).row(0, named=True)
    cases = pl.concat(
        [
            cases.with_columns(pl.lit("housing.unsafe;income.below_line").alias("rules")),
            pl.DataFrame(
                [
                    {
                        "case_id": "X-NEW",
                        "household_id": extra["household_id"],
                        "kind": "missed",
                        "outcome": "pending",
                        "rules": "income.below_line",
                        "evidence": "{}",
                    }
                ]
            ),
        ]
    )
    cases.write_csv(workdir / "findings" / "cases.csv")
    res = actions.do_load_assessment(workdir, name=name)
    assert (res.cases_created, res.cases_kept) == (1, 1)
    assert res.cases_updated == cases.height - 2
    moved_after = Case.objects.get(pk=moved.pk)
    assert (moved_after.state, moved_after.version, moved_after.rules) == (
        State.REVIEWED,
        moved.version,
        moved.rules,
    )
    assert Case.objects.get(county=county, case_id="X-NEW").state == State.SUSPECTED


def test_missing_required_file_names_it(server_db, workdir):
    (workdir / "findings" / "cases.csv").unlink()
    with pytest.raises(PovexitError) as err:
        loader.read_workdir(workdir)
    d = err.value.diagnostics[0]
    assert d.code == "PVX-D02" and "findings/cases.csv" in d.message("zh")


def test_case_for_a_household_outside_the_sample_is_refused(server_db, workdir):
    with open(workdir / "findings" / "cases.csv", "a", encoding="utf-8") as fh:
        fh.write("W-GHOST,GHOST-1,wrongful_exit,pending,housing.unsafe,{}\n")
    with pytest.raises(PovexitError) as err:
        actions.do_load_assessment(workdir, name=f"l-{uuid.uuid4().hex[:8]}")
    d = err.value.diagnostics[0]
    assert d.code == "PVX-D04" and d.value == "GHOST-1" and d.row is not None


def test_chinese_headers_and_missing_case_id(server_db, workdir):
    import polars as pl

    cases = pl.read_csv(workdir / "findings" / "cases.csv", infer_schema=False).drop("case_id")
    cases = cases.rename({"household_id": "户编号", "kind": "类型", "outcome": "结果"})
    cases.write_csv(workdir / "findings" / "cases.csv")
    name = f"l-{uuid.uuid4().hex[:8]}"
    res = actions.do_load_assessment(workdir, name=name)
    assert res.cases_created == cases.height
    first = Case.objects.filter(county__assessment__name=name).order_by("id").first()
    assert first.case_id == ("W-" if first.kind == "wrongful_exit" else "M-") + first.household_code


def test_unknown_role_is_refused(server_db):
    with pytest.raises(PovexitError) as err:
        actions.do_create_user(f"u-{uuid.uuid4().hex[:6]}", "pw-12345678", "boss")
    assert err.value.diagnostics[0].code == "PVX-D05"
