"""Counties are keyed by (province, county): two counties of the same name in different provinces never
merge — not in ``--all``, not in the registry totals, the thresholds, the cadres or the table."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from povexit.errors import PovexitError
from povexit.estimate import INDICATORS, estimate_all, estimate_county, simulation, table
from povexit.estimate.inputs import SampleTables

NAME = "同名县"


def _relabel(pop: simulation.Population, v: str, h: str) -> simulation.Population:
    """The same population with other village and household ids (another province's county)."""
    vid = pl.col("village_id").str.replace("^V", v)
    hid = (pl.lit(h) + pl.col("household_id")).alias("household_id")
    return simulation.Population(pop.county, pop.villages.with_columns(vid), pop.exited.with_columns(vid, hid),
                                 pop.groups.with_columns(vid), pop.general.with_columns(vid, hid))


@pytest.fixture(scope="module")
def two_provinces():
    a = simulation.make_population(np.random.default_rng(41), county=NAME)
    b = _relabel(simulation.make_population(np.random.default_rng(42), county=NAME, wrongful_logit=-3.2), "W", "K")
    sa, fa = simulation.draw_sample(a, np.random.default_rng(1))
    sb, fb = simulation.draw_sample(b, np.random.default_rng(2))
    ra, rb = a.registry(province="甲省"), b.registry(province="乙省")
    rb.counties = rb.counties.with_columns(region=pl.lit("western"), poverty_threshold=pl.lit(0.03))
    registry = simulation.SimRegistry(
        villages=pl.concat([ra.villages, rb.villages]), groups=pl.concat([ra.groups, rb.groups]),
        counties=pl.concat([ra.counties, rb.counties]), households=pl.concat([ra.households, rb.households]))
    sample = SampleTables(villages=pl.concat([sa.villages, sb.villages]),
                          households=pl.concat([sa.households, sb.households]),
                          groups=pl.concat([sa.groups, sb.groups], how="diagonal_relaxed"))
    alone = {"甲省": (ra, sa, fa), "乙省": (rb, sb, fb)}
    return registry, sample, pl.concat([fa, fb]), alone


def test_same_named_counties_stay_apart(two_provinces) -> None:
    registry, sample, findings, alone = two_provinces
    results, summary = estimate_all(registry, sample, findings)
    assert [(r.province, r.county) for r in results] == [("乙省", NAME), ("甲省", NAME)]  # sorted by (province, county)
    assert summary["counties"] == 2
    for r in results:
        reg, smp, fnd = alone[r.province]
        single = estimate_county(reg, smp, fnd)
        assert r.registry_totals == pytest.approx(single.registry_totals, nan_ok=True)
        for name in INDICATORS:
            a, b = r.indicators[name], single.indicators[name]
            assert a.estimate == pytest.approx(b.estimate, rel=1e-12, abs=1e-15), name
            assert a.se == pytest.approx(b.se, rel=1e-10, abs=1e-15), name
            assert a.official == pytest.approx(b.official, rel=1e-12, abs=1e-15), name
        assert r.counts == single.counts
    th = {r.province: r.thresholds["composite_incidence"] for r in results}
    assert th == {"甲省": 0.02, "乙省": 0.03}  # each county's own row of the counties table
    t = table(results)
    assert t.height == 2 and sorted(t["province"].to_list()) == ["乙省", "甲省"]


def test_naming_one_of_them(two_provinces) -> None:
    registry, sample, findings, _alone = two_provinces
    with pytest.raises(PovexitError) as err:
        estimate_county(registry, sample, findings, county=NAME)
    assert err.value.diagnostics[0].code == "PVX-ES11"
    assert "甲省" in str(err.value) and "乙省" in str(err.value)
    by_kw = estimate_county(registry, sample, findings, county=NAME, province="乙省")
    by_tuple = estimate_county(registry, sample, findings, county=("乙省", NAME))
    by_text = estimate_county(registry, sample, findings, county=f"乙省/{NAME}")
    assert by_kw.province == by_tuple.province == by_text.province == "乙省"
    assert by_kw.indicators["wrongful_exit_rate"].estimate == by_text.indicators["wrongful_exit_rate"].estimate
    with pytest.raises(PovexitError) as err:
        estimate_county(registry, sample, findings, county=NAME, province="丙省")
    assert err.value.diagnostics[0].code == "PVX-ES02"
    d = by_kw.to_dict()
    assert d["province"] == "乙省" and d["county"] == NAME


def test_cadres_are_placed_by_province(two_provinces) -> None:
    registry, sample, findings, _ = two_provinces
    cadres = pl.DataFrame({"province": ["甲省"] * 4 + ["乙省"] * 2, "county": [NAME] * 6,
                           "respondent_role": ["cadre"] * 6, "approves": [True, True, True, False, True, True]})
    results, _ = estimate_all(registry, sample, findings, cadres=cadres)
    got = {r.province: r.indicators["approval_rate_cadres"].official for r in results}
    assert got == {"甲省": 0.75, "乙省": 1.0}
    # without a province column the name cannot tell them apart: no cadre figure rather than a merged one
    results, _ = estimate_all(registry, sample, findings, cadres=cadres.drop("province"))
    assert all("approval_rate_cadres" not in r.indicators for r in results)
