"""The four presets on synthetic counties and a synthetic province."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from sampling_fixtures import combine, make_registry
from test_sampling_probabilities import assert_frequencies

from povexit.errors import PovexitError
from povexit.sampling import design_from_mapping, draw, load_design
from povexit.sampling.counties import county_sample_size, draw_counties, exited_counties
from povexit.sampling.frame import roster_hits, village_frame
from povexit.sampling.households import quota_allocation


@pytest.fixture(scope="module")
def county_registry():
    return make_registry(7)


def test_yunnan_2018(county_registry):
    s = draw(county_registry, "yunnan-2018", 2019)
    assert s.villages.height == 21
    reg = s.households.filter(pl.col("instrument") == "registered")
    assert reg.height == 600
    # 建档立卡户: every status, not only exited
    statuses = county_registry.households.join(reg.select("household_id"), on="household_id")["status"]
    assert set(statuses) > {"exited"}
    c = s.manifest["counties"][0]["households"]
    assert c["general_target"] == 700
    expected = c["roster_hits"] + c["census_expected_households"]
    assert expected >= 700 or any(w.code == "PVX-CY23" for w in s.warnings)
    assert s.groups.height >= 12


def test_midyear_2020_quotas_key_townships_and_monitored():
    reg = make_registry(12, townships=7, key_townships=3, villages_per_township=(3, 8))
    s = draw(reg, "midyear-2020", 2020)
    v = s.villages
    per_town = dict(v.group_by("township").len().iter_rows())
    key = set(reg.villages.filter("key_township")["township"])
    for t, n in per_town.items():
        assert n == (3 if t in key else 2)
    assert set(per_town) == set(reg.villages["township"])  # every township
    assert (v["stratum"] == v["township"]).all()
    assert set(v["reason"]) == {"key-township", "township"}
    h = s.households
    hh = reg.households
    design = load_design("midyear-2020")
    hits, *_ = roster_hits(reg, village_frame(reg, design), v["village_id"], design.households.general.roster_sources)
    for vid in v["village_id"]:
        rows = h.filter(pl.col("village_id") == vid)
        frame = hh.filter(pl.col("village_id") == vid)
        # every monitored household is in, with certainty, once
        got_mon = rows.filter(pl.col("household_type") == "monitored")
        assert set(got_mon["household_id"]) == set(frame.filter("monitored")["household_id"])
        assert (got_mon["p_household"] == 1.0).all()
        assert rows["household_id"].n_unique() == rows.height
        rest = frame.filter(~pl.col("monitored"))
        avail = {"poor": rest.filter(pl.col("status").is_in(["poor", "returned"])).height,
                 "exited": rest.filter(pl.col("status") == "exited").height,
                 "general": hits.filter(pl.col("village_id") == vid).height}
        k = quota_allocation(design.households.quotas, avail, design.households.substitution)
        for t in ("poor", "exited", "general"):
            got = rows.filter(pl.col("household_type") == t)
            assert got.height == k[t], (vid, t, avail)
            if got.height:
                assert (got["fpc_household"] == avail[t]).all() and (got["p_household"] == k[t] / avail[t]).all()
        assert sum(k.values()) == min(15, sum(avail.values()))
    assert (h.filter(pl.col("household_type") == "general")["source"] == "roster").all()
    assert s.groups.height == 0


def test_quota_substitution_order():
    q = {"poor": 5, "exited": 5, "general": 5}
    sub = {"poor": ("exited", "general"), "exited": ("poor", "general"), "general": ("exited", "poor")}
    assert quota_allocation(q, {"poor": 40, "exited": 40, "general": 40}, sub) == q
    assert quota_allocation(q, {"poor": 2, "exited": 40, "general": 40}, sub) == {"poor": 2, "exited": 8, "general": 5}
    assert quota_allocation(q, {"poor": 2, "exited": 6, "general": 40}, sub) == {"poor": 2, "exited": 6, "general": 7}
    assert quota_allocation(q, {"poor": 0, "exited": 3, "general": 0}, sub) == {"poor": 0, "exited": 3, "general": 0}


def province(seed: int = 0):
    """Three provinces with 9, 6 and 2 exit-applying counties (plus one county not applying)."""
    regs, rows = [], []
    layout = {"吉林省": 9, "云南省": 6, "甘肃省": 2}
    i = 0
    for prov, n in layout.items():
        for c in range(n + (1 if prov == "云南省" else 0)):
            i += 1
            name = f"{prov[:2]}第{c + 1}县"
            regs.append(make_registry(seed * 100 + i, townships=3, villages_per_township=(3, 5), province=prov,
                                      city=f"{prov[:2]}市{c % 2 + 1}", county=name))
            rows.append({"province": prov, "city": f"{prov[:2]}市{c % 2 + 1}", "county": name,
                         "region": "western", "poverty_threshold": 0.03, "exit_year": 2018 if c < n else 2019})
    # the one 2019 county makes "latest" = 2019 ... so the design asks for 2018 explicitly below
    return combine(*regs, counties=pl.DataFrame(rows))


@pytest.fixture(scope="module")
def prov_registry():
    return province(1)


def test_national_spotcheck_2019(prov_registry):
    design = design_from_mapping({"extends": "national-spotcheck-2019", "counties": {"exit_year": 2018}})
    s = draw(prov_registry, design, 2019)
    stage = s.manifest["county_stage"]
    got = {p["province"]: (p["N"], p["n"]) for p in stage["provinces"]}
    assert got == {"吉林省": (9, 2), "云南省": (6, 1), "甘肃省": (2, 1)}  # 20 % rounded, at least one per province
    counties = s.villages.select("province", "county", "p_county").unique()
    assert counties.height == 4
    for prov, (N, n) in got.items():
        sub = counties.filter(pl.col("province") == prov)
        assert sub.height == n and np.allclose(sub["p_county"], n / N)
    # strata are per county; households per county about 1000 (600 exited + non-registered)
    assert s.villages["stratum"].str.contains(":").all()
    h = s.households
    assert np.allclose(h["weight_national"], h["weight"] / h["p_county"])
    for (county,), rows in h.filter(pl.col("instrument") == "registered").group_by("county"):
        frame_size = prov_registry.households.filter((pl.col("county") == county) & (pl.col("status") == "exited")).height
        assert rows.height == min(600, frame_size), county
    assert s.manifest["counts"]["villages"] == s.villages.height


def test_county_stage_frequencies(prov_registry):
    spec = load_design("national-spotcheck-2019").counties
    frame, year = exited_counties(prov_registry.counties, spec, "national")
    assert year == 2019 and frame.height == 1  # latest year: only the one 2019 county
    spec = replace(spec, exit_year=2018)
    frame, _ = exited_counties(prov_registry.counties, spec, "national")
    runs = 1500
    first = draw_counties(frame, spec, 0)
    counts = np.zeros(frame.height)
    for seed in range(runs):
        d = draw_counties(frame, spec, seed)
        assert d.group_by("province").agg(pl.col("selected").sum(), pl.col("n_province").first()).filter(
            pl.col("selected") != pl.col("n_province")).height == 0
        counts += d["selected"].to_numpy()
    assert_frequencies(counts / runs, first["p_county"].to_numpy(), runs)


def test_county_sample_size_rounding():
    spec = load_design("national-spotcheck-2019").counties
    assert [county_sample_size(N, spec) for N in (1, 2, 5, 6, 10, 11, 283)] == [1, 1, 1, 1, 2, 2, 57]
    ceil = replace(spec, rounding="ceil")
    assert [county_sample_size(N, ceil) for N in (1, 2, 5, 6, 10, 11, 283)] == [1, 1, 1, 2, 2, 3, math.ceil(56.6)]
    floor = replace(spec, rounding="floor", min_per_province=0)
    assert [county_sample_size(N, floor) for N in (1, 2, 5, 6, 10, 11, 283)] == [0, 0, 1, 1, 2, 2, 56]


def test_national_design_needs_counties_csv():
    reg = make_registry(3)
    reg.counties = pl.DataFrame()
    with pytest.raises(PovexitError) as e:
        draw(reg, "national-spotcheck-2019", 1)
    assert e.value.diagnostics[0].code == "PVX-CY12"


def test_county_design_on_a_province_draws_every_county(prov_registry):
    s = draw(prov_registry, "jilin-2018", 5)
    assert s.villages["county"].n_unique() == prov_registry.villages["county"].n_unique()
    # strata carry the county so they never merge across counties
    per = s.villages.group_by("stratum").agg(pl.col("county").n_unique())
    assert (per["county"] == 1).all()


def test_seed_must_be_a_non_negative_integer(county_registry):
    for bad in (-1, 1 << 63, 1.5, "x"):
        with pytest.raises(PovexitError) as e:
            draw(county_registry, "jilin-2018", bad)
        assert e.value.diagnostics[0].code == "PVX-CY10"
