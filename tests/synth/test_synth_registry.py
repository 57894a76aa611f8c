"""The registry files a synthetic county writes: contract columns, valid IDs, consistent households,
statuses, villages, groups, rosters."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from povexit import idnumber
from povexit.contracts import PERSONS, REGISTRY_TABLES, ROSTER_SOURCE_ALIASES

REF = dt.date(2020, 12, 31)


def test_county_size_and_frame(county_world):
    s = county_world.stats
    v = county_world.registry["villages"]
    assert 10 <= v["township"].n_unique() <= 20
    assert 150 <= v.height <= 300
    assert 20_000 <= s["households"] <= 40_000
    share = s["registered_households"] / s["households"]
    assert 0.15 <= share <= 0.30
    poor = (v["poor_village"] == "是").mean()
    assert 0.28 <= poor <= 0.42
    g = county_world.registry["groups"]
    per_village = g.group_by("township", "village").len()["len"]
    assert per_village.min() >= 4 and per_village.max() <= 12
    assert v.select(pl.struct("township", "village").is_unique().all()).item()


def test_contract_columns_present(county_world):
    for name, df in county_world.registry.items():
        spec = REGISTRY_TABLES[name]
        missing = [c.name for c in spec.columns if c.contract and c.name not in df.columns]
        if name in ("persons", "villages"):
            assert not missing, (name, missing)
        else:
            assert not [c.name for c in spec.required if c.name not in df.columns], name
    assert set(county_world.registry["persons"].columns) >= {c.name for c in PERSONS.columns if c.contract}


def test_every_id_valid_and_consistent_with_age(county_world):
    tp = county_world.truth["persons"]
    ids = tp["id_number"].to_list()
    assert len(set(ids)) == len(ids)
    rng = np.random.default_rng(0)
    sample = rng.choice(tp.height, size=4000, replace=False)
    rows = tp[sample]
    for id_, age, sex, born in zip(
        rows["id_number"], rows["age"], rows["sex"], rows["birth_date"], strict=True
    ):
        chk = idnumber.validate(id_, today=REF)
        assert chk.ok, (id_, chk.problem)
        assert chk.birth_date == born
        assert chk.sex == sex
        assert idnumber.age_on(id_, REF) == age
    county_code = county_world.registry["counties"]["county_code"][0]
    assert tp["id_number"].str.slice(0, 6).eq(county_code).all()
    # the registry's IDs are the truth's
    reg = county_world.registry["persons"]
    assert reg["id_number"].is_in(tp["id_number"].implode()).all()
    assert reg["id_number"].is_unique().all()


def test_households_have_one_head_one_status_one_place(county_world):
    p = county_world.registry["persons"]
    per = p.group_by("household_id").agg(
        heads=(pl.col("relation") == "户主").sum(),
        statuses=pl.col("status").n_unique(),
        years=pl.col("exit_year").n_unique(),
        places=pl.struct("township", "village", "group").n_unique(),
        types=pl.col("poor_type").n_unique(),
        incomes=pl.col("income_per_capita").n_unique(),
    )
    assert (per["heads"] == 1).all()
    for c in ("statuses", "years", "places", "types", "incomes"):
        assert (per[c] == 1).all(), c
    first = p.group_by("household_id", maintain_order=True).first()
    assert (first["relation"] == "户主").all()  # the head is listed first


def test_statuses_and_exit_years(county_world):
    p = county_world.registry["persons"]
    assert set(p["status"].unique()) <= {"未脱贫", "已脱贫", "返贫"}
    hh = p.group_by("household_id").first()
    share = hh["status"].value_counts(normalize=True)
    shares = dict(zip(share["status"], share["proportion"], strict=True))
    assert shares["已脱贫"] > 0.9 and 0 < shares["未脱贫"] < 0.08 and 0 < shares.get("返贫", 0) < 0.02
    ex = hh.filter(pl.col("status") == "已脱贫")
    assert ex["exit_year"].null_count() == 0
    assert ex["exit_year"].min() >= 2014 and ex["exit_year"].max() <= 2020
    assert (
        hh.filter(pl.col("status") != "已脱贫")["exit_year"].null_count()
        == hh.filter(pl.col("status") != "已脱贫").height
    )
    assert set(p["poor_type"].unique()) <= {"一般贫困户", "低保贫困户", "特困供养贫困户"}
    assert set(p["housing_grade"].unique()) <= {"A", "B", "C", "D", ""}
    for col in ("relocated", "basic_medical_insurance", "critical_illness_insurance", "monitored"):
        assert set(p[col].unique()) <= {"是", "否"}
    # exited households are recorded above the line
    assert (ex["income_per_capita"] >= 4000).all()


def test_household_structures_are_plausible(county_world):
    tp = county_world.truth["persons"]
    head = tp.filter(pl.col("relation") == "户主").select("household_id", head_age="age", head_sex="sex")
    j = tp.join(head, on="household_id")
    spouse = j.filter(pl.col("relation") == "配偶")
    assert ((spouse["age"] - spouse["head_age"]).abs() <= 12).mean() > 0.99
    assert (spouse["sex"] != spouse["head_sex"]).all()
    kids = j.filter(pl.col("relation").is_in(["之子", "之女"]))
    gap = kids["head_age"] - kids["age"]
    assert gap.min() >= 19 and gap.max() <= 36
    parents = j.filter(pl.col("relation").is_in(["之父", "之母"]))
    assert (parents["age"] - parents["head_age"]).min() >= 19
    grand = j.filter(pl.col("relation").str.contains("孙"))
    assert (grand["head_age"] - grand["age"]).min() >= 38
    assert tp["age"].min() >= 0 and tp["age"].max() <= 100
    sizes = tp.group_by("household_id").len()["len"]
    assert 2.6 <= sizes.mean() <= 4.2 and sizes.max() <= 8
    # names: Han names are 2–3 characters, surnames frequent
    names = tp["name"]
    assert names.str.len_chars().is_between(2, 12).all()
    assert names.n_unique() > tp.height / 20


def test_villages_population_covers_registered(county_world):
    p = county_world.registry["persons"]
    v = county_world.registry["villages"]
    reg = p.group_by("township", "village").len("registered")
    j = v.join(reg, on=["township", "village"], how="left").with_columns(pl.col("registered").fill_null(0))
    assert (j["agricultural_population"] >= j["registered"]).all()
    assert p.join(v, on=["township", "village"], how="anti").height == 0
    # the agricultural population is exactly the truth's persons; groups add up to their village
    th = county_world.truth["households"]
    pop = th.group_by("township", "village").agg(pl.col("persons").sum(), pl.len().alias("hh"))
    j2 = v.join(pop, on=["township", "village"])
    assert (j2["agricultural_population"] == j2["persons"]).all() and (j2["households"] == j2["hh"]).all()
    g = (
        county_world.registry["groups"]
        .group_by("township", "village")
        .agg(pl.col("agricultural_population").sum().alias("gp"), pl.col("households").sum().alias("gh"))
    )
    j3 = v.join(g, on=["township", "village"])
    assert (j3["gp"] == j3["agricultural_population"]).all() and (j3["gh"] == j3["households"]).all()
    # registered share is higher in poor villages
    jj = j.with_columns(share=pl.col("registered") / pl.col("agricultural_population"))
    assert (
        jj.filter(pl.col("poor_village") == "是")["share"].mean()
        > jj.filter(pl.col("poor_village") == "否")["share"].mean()
    )


def test_three_edges_one_minority_flags_cluster(county_world):
    v = county_world.registry["villages"].with_columns(
        [(pl.col(c) == "是").alias(c) for c in ("remote", "edge", "border", "minority", "poor_village")]
    )
    for c in ("remote", "edge", "border"):
        assert 0.01 < v[c].mean() < 0.5, c
    # remote villages are poorer
    assert v.filter("remote")["poor_village"].mean() > v.filter(~pl.col("remote"))["poor_village"].mean()
    # border villages lie in a subset of townships
    assert v.filter("border")["township"].n_unique() < v["township"].n_unique()


def test_rosters_overlap_the_registry_partly(county_world):
    r = county_world.registry["rosters"]
    reg_ids = county_world.registry["persons"]["id_number"]
    assert set(r["source"].unique()) <= set(ROSTER_SOURCE_ALIASES)
    vuln = r.filter(pl.col("source").is_in(["民政低保", "特困供养", "残联", "住建危房", "卫健大病"]))
    inside = vuln["id_number"].is_in(reg_ids.implode())
    assert 0.2 < inside.mean() < 0.95
    for src in ("民政低保", "残联", "住建危房", "卫健大病"):
        part = vuln.filter(pl.col("source") == src)["id_number"].is_in(reg_ids.implode())
        assert part.any() and not part.all(), src
    assert r.filter(pl.col("source") == "村干部").height >= 3 * county_world.registry["villages"].height
    # every roster ID is a real person of the county
    assert r["id_number"].is_in(county_world.truth["persons"]["id_number"].implode()).all()
    # registered 低保 households are (mostly) on the 民政 list
    dib = county_world.registry["persons"].filter(
        (pl.col("poor_type") == "低保贫困户") & (pl.col("relation") == "户主")
    )
    assert (
        dib["id_number"].is_in(r.filter(pl.col("source") == "民政低保")["id_number"].implode()).mean() > 0.85
    )


def test_exclusion_rosters_match_truth_flags(county_world):
    th = county_world.truth["households"]
    tp = county_world.truth["persons"]
    r = county_world.registry["rosters"]
    for src, flag in (
        ("财政供养人员", "public_employee"),
        ("车辆", "vehicle"),
        ("商品房", "urban_property"),
        ("工商注册", "business"),
        ("村干部", "village_cadre"),
    ):
        listed = tp.filter(
            pl.col("id_number").is_in(r.filter(pl.col("source") == src)["id_number"].implode())
        )
        hh = set(listed["household_id"])
        flagged = set(th.filter(pl.col(flag))["household_id"])
        assert hh == flagged, src
        assert flagged, src


def test_registry_matches_truth_registered_members(county_world):
    th = county_world.truth["households"]
    tp = county_world.truth["persons"]
    reg_hh = th.filter("registered")["household_id"]
    truth_reg = tp.filter(pl.col("household_id").is_in(reg_hh.implode()))
    p = county_world.registry["persons"]
    assert p.height == truth_reg.height == county_world.stats["registered_persons"]
    j = p.join(truth_reg, on="id_number")
    assert j.height == p.height
    assert (j["name"] == j["name_right"]).all() and (j["household_id"] == j["household_id_right"]).all()
    assert (j["relation"] == j["relation_right"]).all()
    assert not th.filter(~pl.col("registered"))["household_id"].str.starts_with("N").not_().any()
    assert not reg_hh.str.starts_with("N").any()


def test_counties_file(county_world):
    c = county_world.registry["counties"]
    assert c.height == 1
    row = c.row(0, named=True)
    assert row["exit_year"] == 2020 and row["region"] in ("中部", "西部")
    assert row["poverty_threshold"] == (0.03 if row["region"] == "西部" else 0.02)
    assert len(row["county_code"]) == 6
