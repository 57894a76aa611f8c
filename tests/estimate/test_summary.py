"""Across counties (seed 003 看点三): the table and the published summary figures."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from povexit.estimate import estimate_all, simulation, write_table


@pytest.fixture(scope="module")
def four_counties():
    pop = simulation.make_population(np.random.default_rng(21))
    sample, findings = simulation.draw_many(pop, [1, 2, 3, 4])
    # rep0: nothing found; rep1: no wrongful exit found; others as drawn
    no_wrong = pl.col("household_id").str.starts_with("rep0:") | pl.col("household_id").str.starts_with("rep1:")
    no_missed = pl.col("household_id").str.starts_with("rep0:")
    findings = findings.with_columns(
        wrongful_exit=pl.when(no_wrong).then(False).otherwise(pl.col("wrongful_exit")),
        wrongful_exit_persons=pl.when(no_wrong).then(0.0).otherwise(pl.col("wrongful_exit_persons")),
        missed=pl.when(no_missed).then(False).otherwise(pl.col("missed")),
        missed_persons=pl.when(no_missed).then(0.0).otherwise(pl.col("missed_persons")),
    )
    return estimate_all(pop.registry(copies=4), sample, findings)


def test_summary_figures(four_counties) -> None:
    results, summary = four_counties
    assert summary["counties"] == 4
    found_w = [r.indicators["wrongful_exit_rate"].extra["wrongful_persons"] > 0 for r in results]
    found_m = [r.indicators["missed_rate"].extra["missed_persons"] > 0 for r in results]
    assert summary["share_no_wrongful_exit"] == pytest.approx(sum(not f for f in found_w) / 4)
    assert summary["share_no_missed"] == pytest.approx(sum(not f for f in found_m) / 4)
    assert summary["share_neither"] == pytest.approx(sum((not a) and (not b) for a, b in zip(found_w, found_m, strict=True)) / 4)
    assert summary["share_no_wrongful_exit"] >= 0.5 and summary["share_neither"] >= 0.25
    top = max(results, key=lambda r: r.indicators["wrongful_exit_rate"].official)
    assert summary["highest_wrongful_exit_rate"]["county"] == top.county
    low = min(results, key=lambda r: r.indicators["approval_rate"].official)
    assert summary["lowest_approval_rate"]["official"] == low.indicators["approval_rate"].official
    assert sum(summary["decisions"].values()) == 4
    assert summary["composite_by_region"]["central"]["counties"] == 4


def test_table_csv(four_counties, tmp_path) -> None:
    results, _ = four_counties
    path = tmp_path / "counties.csv"
    write_table(results, path)
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel opens UTF-8 with a BOM
    t = pl.read_csv(path)
    assert t.height == 4
    assert {"county", "decision", "wrongful_exit_rate_official", "composite_incidence_ci_high", "near_threshold"} <= set(t.columns)


def test_report_layer_reads_the_table(four_counties, tmp_path) -> None:
    """The report layer's cross-county summary reads the table as written (columns <indicator>_<field>)."""
    summary = pytest.importorskip("povexit.report.summary")

    results, _ = four_counties
    path = tmp_path / "counties.csv"
    write_table(results, path)
    records = summary.load_records([path])
    assert sorted(r.county for r in records) == sorted(r.county for r in results)
    by = {r.county: r for r in records}
    for r in results:
        assert by[r.county].decision == r.decision.decision
        assert by[r.county].v("wrongful_exit_rate", "estimate") == pytest.approx(r.indicators["wrongful_exit_rate"].estimate)
