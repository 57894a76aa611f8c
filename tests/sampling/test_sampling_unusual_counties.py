"""Counties unlike the demo: no poor / non-poor / weak-area villages, one-village townships, villages
without groups or with fewer registered households than the per-village minimum, counties smaller
than the sample, several counties and colliding names. Each draws a valid probability sample (0 < p ≤ 1,
weights that add up to the frame, same seed → same sample) or stops with an error saying what to fix."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sampling_fixtures import combine, make_registry

from povexit.errors import PovexitError
from povexit.registry.model import Registry
from povexit.sampling import draw
from povexit.sampling.design import design_from_mapping, load_design
from povexit.sampling.frame import village_frame
from povexit.sampling.villages import draw_villages

NO_FLAGS = {f: pl.lit(False) for f in ("remote", "edge", "border", "minority", "weak_area")}


def with_villages(reg: Registry, **cols) -> Registry:
    return Registry(persons=reg.persons, households=reg.households, villages=reg.villages.with_columns(**cols),
                    groups=reg.groups, rosters=reg.rosters, counties=reg.counties, input_hashes=reg.input_hashes)


def replace(reg: Registry, **tables) -> Registry:
    kw = {k: getattr(reg, k) for k in ("persons", "households", "villages", "groups", "rosters", "counties")}
    return Registry(**{**kw, **tables}, input_hashes=reg.input_hashes)


def codes(sample) -> set[str]:
    return {w.code for w in sample.warnings}


def assert_valid(sample, reg: Registry, design) -> None:
    """Probabilities in (0, 1]; each stratum's probabilities sum to what was drawn from it; and within
    every sampled village the registered households' weights add up to m_v / p_village exactly, so
    that (the village probabilities being exact) the weights add up to the frame in expectation."""
    v, h = sample.villages, sample.households
    assert v.height and v["village_id"].n_unique() == v.height
    assert h["household_id"].n_unique() == h.height
    for df, col in ((v, "p_village"), (h, "p_household")):
        assert ((df[col] > 0) & (df[col] <= 1)).all(), col
    for s in sample.manifest["strata"]:
        assert abs(s["sum_p"] - s["n"]) < 1e-9, s
    statuses = list(design.households.registered.statuses)
    if design.households.quotas is None:
        m = (reg.households.filter(pl.col("status").is_in(statuses)).group_by("village_id").len()
             .rename({"len": "m"}))
        got = (h.filter(pl.col("instrument") == "registered").group_by("village_id")
               .agg(pl.col("weight").sum(), pl.col("p_village").first()).join(m, on="village_id"))
        assert np.allclose(got["weight"], got["m"] / got["p_village"], rtol=1e-9)
        # every sampled village with such households contributes some
        have = v.join(m, on="village_id").filter(pl.col("m") > 0)
        assert set(have["village_id"]) == set(got["village_id"])
    again = draw(reg, design, sample.manifest["seed"])
    assert again.villages.equals(sample.villages) and again.households.equals(sample.households)


def village_frequencies_match(reg: Registry, design, runs: int = 300) -> None:
    frame = village_frame(reg, design)
    first = draw_villages(frame, design, 0, "k").frame.sort("village_id")
    p = first["p_village"].to_numpy()
    hits = np.zeros(first.height)
    for seed in range(runs):
        hits += draw_villages(frame, design, seed, "k").frame.sort("village_id")["selected"].to_numpy()
    tol = 4.5 * np.sqrt(p * (1 - p) / runs) + 1 / runs
    assert (np.abs(hits / runs - p) <= tol).all()


BASE = make_registry(3, townships=5, villages_per_township=(3, 7))
JILIN = load_design("jilin-2018")


@pytest.mark.parametrize(("label", "cols", "code"), [
    ("no poor villages", {"poor_village": pl.lit(False)}, "PVX-CY60"),
    ("no non-poor villages", {"poor_village": pl.lit(True)}, "PVX-CY60"),
    ("no weak-area villages", NO_FLAGS, "PVX-CY27"),
])
def test_missing_village_kinds_warn_and_still_sample(label, cols, code):
    reg = with_villages(BASE, **cols)
    s = draw(reg, JILIN, 7)
    assert code in codes(s), label
    assert s.villages.height == min(30, reg.villages.height)
    assert set(s.villages["township"]) == set(reg.villages["township"])
    assert_valid(s, reg, JILIN)
    if code == "PVX-CY60":
        msg = next(w for w in s.warnings if w.code == code).message("en")
        assert "测试县" in msg and ("0.7" in msg or "0.3" in msg)


def test_no_poor_villages_frequencies():
    village_frequencies_match(with_villages(BASE, poor_village=pl.lit(False)),
                              design_from_mapping({"extends": "jilin-2018", "villages": {"count": 12, "min_count": 5}}))


def test_township_with_one_village_is_reached_with_certainty():
    reg = make_registry(5, townships=9, villages_per_township=(6, 9))
    towns = sorted(reg.villages["township"].unique())
    first = reg.villages.group_by("township").agg(pl.col("village_id").min())["village_id"]
    keep = reg.villages.filter(~pl.col("township").is_in(towns[:6]) | pl.col("village_id").is_in(first.implode()))
    ids = keep["village_id"].implode()
    reg = replace(reg, villages=keep, households=reg.households.filter(pl.col("village_id").is_in(ids)),
                  groups=reg.groups.filter(pl.col("village_id").is_in(ids)))  # six one-village townships
    design = design_from_mapping({"extends": "jilin-2018", "villages": {"count": 12, "min_count": 5}})
    s = draw(reg, design, 3)
    towns = reg.villages["township"].unique()
    assert set(s.villages["township"]) == set(towns)
    singles = reg.villages.group_by("township").len().filter(pl.col("len") == 1)["township"]
    assert (s.villages.filter(pl.col("township").is_in(singles.implode()))["p_village"] == 1.0).all()
    assert_valid(s, reg, design)
    village_frequencies_match(reg, design, 200)


def test_villages_without_groups_are_whole_census_units():
    reg = make_registry(8, townships=4)
    # half the villages have no group rows; then a registry without any groups table
    keep = reg.villages["village_id"].to_list()[::2]
    partial = replace(reg, groups=reg.groups.filter(pl.col("village_id").is_in(keep)))
    design = design_from_mapping({"extends": "jilin-2018", "households": {"general": {"groups": {"min": 30, "max": 40}}}})
    s = draw(partial, design, 2)
    whole = s.groups.filter(pl.col("group").is_null() | (pl.col("group") == ""))
    assert whole.height and not set(whole["village_id"]) & set(keep)
    assert (whole["psu"] == whole["village_id"]).all()
    assert_valid(s, partial, design)
    none = replace(reg, groups=pl.DataFrame())
    s2 = draw(none, JILIN, 2)
    assert "PVX-CY24" in codes(s2) and s2.groups.height
    assert_valid(s2, none, JILIN)


def test_villages_with_fewer_registered_households_than_the_minimum():
    reg = make_registry(9, townships=4)
    # keep at most 2 exited households per village (fewer than min_per_village = 5)
    h = reg.households.with_columns(pl.int_range(pl.len()).over("village_id").alias("_r"))
    h = h.filter((pl.col("status") != "exited") | (pl.col("_r") < 2)).drop("_r")
    reg = replace(reg, households=h)
    s = draw(reg, JILIN, 1)
    reg_hh = s.households.filter(pl.col("instrument") == "registered")
    assert (reg_hh["p_household"] == 1.0).all()  # every exited household of a sampled village is taken
    assert codes(s) & {"PVX-CY22", "PVX-CY65"}  # and the shortfall against 600 is said
    assert_valid(s, reg, JILIN)


@pytest.mark.parametrize("design", ["jilin-2018", "yunnan-2018"])
def test_county_smaller_than_the_sample_is_a_census(design):
    reg = make_registry(4, townships=2, villages_per_township=(2, 3))
    d = load_design(design)
    s = draw(reg, d, 11)
    assert s.villages.height == reg.villages.height and (s.villages["p_village"] == 1.0).all()
    assert "PVX-CY26" in codes(s)
    # the shortfall is the county's size, not the village sample's: the advice is not "more villages"
    assert "PVX-CY65" in codes(s) and "PVX-CY22" not in codes(s)
    exited = reg.households.filter(pl.col("status").is_in(list(d.households.registered.statuses)))
    r = s.households.filter(pl.col("instrument") == "registered")
    if exited.height <= d.households.targets(10**9)[0]:  # fewer households than wanted: all of them
        assert r.height == exited.height and r["weight"].sum() == pytest.approx(exited.height)
    assert_valid(s, reg, d)


def test_no_exited_households_stops_with_what_to_fix():
    reg = make_registry(7, townships=3)
    poor_only = replace(reg, households=reg.households.with_columns(pl.lit("poor").alias("status")))
    with pytest.raises(PovexitError) as info:
        draw(poor_only, JILIN, 1)
    [d] = info.value.diagnostics
    assert d.code == "PVX-CY61" and "测试县" in d.message("en") and "statuses" in d.fix("en")
    # a design that samples the still-poor is fine, and so is midyear-2020 (quotas with substitution)
    d2 = design_from_mapping({"extends": "jilin-2018", "households": {"registered": {"statuses": ["poor"]}}})
    assert_valid(draw(poor_only, d2, 1), poor_only, d2)
    assert draw(poor_only, "midyear-2020", 1).households.height


def test_midyear_township_with_fewer_villages_than_asked():
    reg = make_registry(12, townships=4, villages_per_township=(1, 1), key_townships=2)
    s = draw(reg, "midyear-2020", 3)
    assert s.villages.height == 4 and (s.villages["p_village"] == 1.0).all()
    [w] = [w for w in s.warnings if w.code == "PVX-CY64"]
    assert w.value == "4" or "4 townships" in w.message("en")
    assert_valid(s, reg, load_design("midyear-2020"))


def distinct_ids(reg: Registry, tag: str) -> Registry:
    """Household ids are unique across a province's registry (the fixture numbers each county from 1)."""
    return replace(reg, households=reg.households.with_columns((pl.lit(tag) + pl.col("household_id")).alias("household_id")),
                   persons=reg.persons.with_columns((pl.lit(tag) + pl.col("household_id")).alias("household_id")))


def test_several_counties_draw_independently():
    a = distinct_ids(make_registry(20, townships=3, county="甲县"), "a")
    b = distinct_ids(make_registry(21, townships=4, county="乙县"), "b")
    both = combine(a, b)
    s = draw(both, JILIN, 8)
    assert_valid(s, both, JILIN)
    assert {x["county"] for x in s.manifest["counties"]} == {"甲县", "乙县"}
    assert all(st.startswith(("甲县:", "乙县:")) for st in s.villages["stratum"].unique())
    # the same seed re-draws the same villages of 甲县 whatever else is in the registry
    alone = draw(a, JILIN, 8)
    assert set(alone.villages["village_id"]) == set(s.villages.filter(pl.col("county") == "甲县")["village_id"])


def test_same_county_name_in_two_provinces():
    a = distinct_ids(make_registry(8, townships=3, county="同名县", province="吉林省"), "a")
    b = distinct_ids(make_registry(9, townships=3, county="同名县", province="云南省", city="昆明市"), "b")
    both = combine(a, b)
    s = draw(both, JILIN, 1)
    assert_valid(s, both, JILIN)
    assert set(s.villages["stratum"].str.split(":").list.first()) == {"吉林省/同名县", "云南省/同名县"}
    # roster rows carry no province: the ones whose county/township/village names match both are set aside
    assert "PVX-CY62" in codes(s)


def test_same_county_name_in_two_cities_of_a_province():
    """城区, 郊区, 桥西区 … occur in several cities of one province: the frames must not be merged."""
    a = distinct_ids(make_registry(8, townships=3, county="城区", city="长治市", province="山西省"), "a")
    b = distinct_ids(make_registry(10, townships=3, county="城区", city="晋城市", province="山西省"), "b")
    both = combine(a, b)
    s = draw(both, JILIN, 1)
    assert_valid(s, both, JILIN)
    per_city = s.villages.group_by("city").len()
    for city, reg in (("长治市", a), ("晋城市", b)):
        n = per_city.filter(pl.col("city") == city)["len"][0]
        assert n == min(30, reg.villages.height)
        assert set(s.villages.filter(pl.col("city") == city)["village_id"]) <= set(reg.villages["village_id"])
    assert set(s.villages["stratum"].str.split(":").list.first()) == {"山西省/长治市/城区", "山西省/晋城市/城区"}
    # national design: counties.csv must say which city; a city spelt otherwise is an error naming both
    counties = pl.DataFrame({"province": ["山西省"] * 2, "city": ["长治", "晋城市"], "county": ["城区"] * 2,
                             "region": ["central"] * 2, "poverty_threshold": [0.02] * 2, "exit_year": [2018] * 2})
    with pytest.raises(PovexitError) as info:
        draw(replace(both, counties=counties), "national-spotcheck-2019", 1)
    [d] = info.value.diagnostics
    assert d.code == "PVX-CY63" and "长治市" in d.message("en") and "晋城市" in d.message("en")
