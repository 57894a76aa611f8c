"""A synthetic county with known 错退率 and 漏评率, and a sampler of the povexit shape, for checking
that the 95% intervals cover the truth (tests/estimate/test_coverage_simulation.py) and for the
benchmark (bench/bench_estimate.py).

The sampler here is a stand-in with the design of the jilin-2018 preset: villages stratified poor /
non-poor × weak-area / other with weak areas oversampled (SRS within strata, so the inclusion
probabilities are exact), 20 exited households per sampled village by SRS (≈600), a census of
village groups in a random subset of the sampled villages and, with ``roster=True``, every roster hit
(大数据比对) of the sampled villages (the population marks most missed households and a tenth of the
others as on a roster). **Seam:** :func:`draw_sample` takes a
population and a generator and returns ``(SampleTables, findings)``; the project's own sampler
(``povexit.sampling.draw(registry, design, seed)`` plus a perfect-measurement "survey" that reads the
truth) can replace it without touching the coverage test — see ``DrawFn``.

Everything is vectorised with numpy; drawing and estimating 500 samples takes a few seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from .inputs import SampleTables

STRATA = ("poor_weak", "poor_other", "nonpoor_weak", "nonpoor_other")


@dataclass
class Population:
    """One synthetic county: villages, exited households, village groups with their non-registered
    households, and the registry totals. Truth: ``true_wrongful_rate``, ``true_missed_rate``,
    ``true_composite``."""

    county: str
    villages: pl.DataFrame  # village_id, stratum, poor_village, weak_area, agricultural_population, poor_persons, exited_persons
    exited: pl.DataFrame  # household_id, village_id, persons, wrongful, approves
    groups: pl.DataFrame  # village_id, group, nonregistered_population
    general: pl.DataFrame  # household_id, village_id, group, persons, missed, approves, roster (non-registered households)

    @property
    def true_wrongful_rate(self) -> float:
        e = self.exited
        return float((e["persons"] * e["wrongful"]).sum() / e["persons"].sum())

    @property
    def true_missed_rate(self) -> float:
        g = self.general
        return float((g["persons"] * g["missed"]).sum() / self.groups["nonregistered_population"].sum())

    @property
    def totals(self) -> dict[str, float]:
        v = self.villages
        return {"A": float(v["agricultural_population"].sum()), "U": float(v["poor_persons"].sum()),
                "E": float(v["exited_persons"].sum())}

    @property
    def true_composite(self) -> float:
        t = self.totals
        wrong = float((self.exited["persons"] * self.exited["wrongful"]).sum())
        missed = float((self.general["persons"] * self.general["missed"]).sum())
        return (t["U"] + wrong + missed) / t["A"]

    def registry(self, copies: int = 1, prefix: str = "rep", province: str = "模拟省") -> SimRegistry:
        """A registry-like object (what the estimators read: villages, households, groups, counties),
        optionally ``copies`` times under county names ``rep0``, ``rep1`` … for many samples at once
        (ids prefixed ``rep0:`` … as :func:`draw_many` prefixes them)."""
        names = [self.county] if copies == 1 else [f"{prefix}{i}" for i in range(copies)]

        def vid(n: str) -> pl.Expr:
            return (pl.lit(f"{n}:") + pl.col("village_id")) if copies > 1 else pl.col("village_id")

        v = self.villages.select(
            "village_id", "agricultural_population", "poor_persons", "exited_persons",
            returned_persons=pl.lit(0, dtype=pl.Int64),
        )
        villages = pl.concat([v.with_columns(province=pl.lit(province), county=pl.lit(n), village_id=vid(n)) for n in names])
        groups = pl.concat([self.groups.select(county=pl.lit(n), village_id=vid(n), group="group") for n in names])
        households = pl.concat([
            self.exited.select(
                household_id=(pl.lit(f"{n}:") + pl.col("household_id")) if copies > 1 else pl.col("household_id"),
                status=pl.lit("exited"), province=pl.lit(province), county=pl.lit(n), village_id=vid(n),
                persons=pl.col("persons").cast(pl.Int32))
            for n in names
        ])
        counties = pl.DataFrame({"province": [province] * len(names), "city": ["模拟市"] * len(names), "county": names,
                                 "region": ["central"] * len(names), "poverty_threshold": [0.02] * len(names)})
        return SimRegistry(villages=villages, groups=groups, counties=counties, households=households)


@dataclass
class SimRegistry:
    villages: pl.DataFrame
    groups: pl.DataFrame
    counties: pl.DataFrame
    households: pl.DataFrame
    persons: pl.DataFrame | None = None


def make_population(rng: np.random.Generator, *, county: str = "模拟县", villages_per_stratum=(40, 60, 40, 60),
                    wrongful_logit: float = -4.35, missed_logit: float = -4.75, village_sd: float = 0.7) -> Population:
    """A county of ~200 villages with ≈1.5% wrongful exit and ≈1% missed poor, clustered by village."""
    strata = np.repeat(np.arange(4), villages_per_stratum)
    nv = len(strata)
    vid = np.array([f"V{i:04d}" for i in range(nv)])
    poor = strata < 2
    weak = (strata % 2) == 0
    effect = rng.normal(0, village_sd, nv)
    # exited households
    m = np.where(poor, rng.integers(60, 200, nv), rng.integers(15, 60, nv))
    hv = np.repeat(np.arange(nv), m)
    persons = np.minimum(1 + rng.poisson(2.2, len(hv)), 8)
    p_wrong = 1 / (1 + np.exp(-(wrongful_logit + effect[hv] + 0.3 * weak[hv])))
    wrongful = rng.random(len(hv)) < p_wrong
    approves_e = rng.random(len(hv)) < 0.95
    exited = pl.DataFrame({
        "household_id": [f"H{i:07d}" for i in range(len(hv))], "village_id": vid[hv], "persons": persons,
        "wrongful": wrongful, "approves": approves_e,
    })
    # village groups and their non-registered households
    g_per_v = rng.integers(3, 9, nv)
    gv = np.repeat(np.arange(nv), g_per_v)
    gname = np.concatenate([np.arange(k) for k in g_per_v])
    g_eff = rng.normal(0, 0.5, len(gv))
    n_hh = rng.integers(20, 60, len(gv))
    hg = np.repeat(np.arange(len(gv)), n_hh)
    gpersons = np.minimum(1 + rng.poisson(2.4, len(hg)), 9)
    p_missed = 1 / (1 + np.exp(-(missed_logit + 0.5 * effect[gv][hg] + g_eff[hg])))
    missed = rng.random(len(hg)) < p_missed
    general = pl.DataFrame({
        "household_id": [f"N{i:07d}" for i in range(len(hg))], "village_id": vid[gv][hg],
        "group": [f"{k + 1}组" for k in gname[hg]], "persons": gpersons, "missed": missed,
        "approves": rng.random(len(hg)) < 0.93,
    })
    groups = general.group_by("village_id", "group", maintain_order=True).agg(nonregistered_population=pl.col("persons").sum())
    # on another department's roster (大数据比对): most missed households, a tenth of the others
    general = general.with_columns(roster=pl.Series(rng.random(len(hg)) < np.where(missed, 0.65, 0.10)))
    exited_persons = np.bincount(hv, weights=persons, minlength=nv)
    nonreg = np.bincount(gv[hg], weights=gpersons, minlength=nv)
    poor_persons = rng.binomial(np.maximum((exited_persons + nonreg) * 0.004, 1).astype(int) * 3, 1 / 3)
    villages = pl.DataFrame({
        "village_id": vid, "stratum": np.array(STRATA)[strata], "poor_village": poor, "weak_area": weak,
        "exited_persons": exited_persons.astype(np.int64), "poor_persons": poor_persons.astype(np.int64),
        "agricultural_population": (exited_persons + nonreg + poor_persons).astype(np.int64),
    })
    return Population(county, villages, exited, groups, general)


#: the seam: a function drawing one sample and its (perfectly measured) findings from a population
DrawFn = Callable[[Population, np.random.Generator], tuple[SampleTables, pl.DataFrame]]


def draw_sample(pop: Population, rng: np.random.Generator, *, allocation=(11, 10, 5, 4), households_per_village: int = 20,
                census_villages: int = 10, roster: bool = False) -> tuple[SampleTables, pl.DataFrame]:
    """Draw a povexit-shaped sample (see the module docstring) and read the truth as findings; with
    ``roster`` also every roster hit of the sampled villages (a certainty stratum of each village, as
    jilin-2018 draws them; census households on a roster are surveyed as roster hits)."""
    v = pop.villages
    strata = v["stratum"].to_numpy()
    vids = v["village_id"].to_numpy()
    chosen, p_v, fpc_v = [], [], []
    for s, n_h in zip(STRATA, allocation, strict=True):
        idx = np.flatnonzero(strata == s)
        if len(idx) == 0 or n_h == 0:
            continue
        take = rng.choice(idx, size=min(n_h, len(idx)), replace=False)
        chosen.extend(take)
        p_v.extend([len(take) / len(idx)] * len(take))
        fpc_v.extend([len(idx)] * len(take))
    chosen = np.asarray(chosen)
    sv = pl.DataFrame({
        "county": pop.county, "village_id": vids[chosen], "stratum": strata[chosen],
        "p_village": np.asarray(p_v, float), "fpc_village": np.asarray(fpc_v, float),
    })
    # exited households: SRS of up to m per sampled village
    e = pop.exited.join(sv.select("village_id", "p_village"), on="village_id", how="inner")
    e = e.with_columns(_u=pl.lit(rng.random(e.height)))
    e = e.with_columns(_r=pl.col("_u").rank("ordinal").over("village_id"), _M=pl.len().over("village_id"))
    e = e.filter(pl.col("_r") <= households_per_village).with_columns(
        p_household=(pl.min_horizontal(pl.lit(households_per_village), pl.col("_M")) / pl.col("_M")).cast(pl.Float64))
    # census: a random subset of the sampled villages, one group in each
    cv = rng.choice(len(chosen), size=min(census_villages, len(chosen)), replace=False)
    gsel = []
    for i in cv:
        g = pop.groups.filter(pl.col("village_id") == vids[chosen[i]])
        j = int(rng.integers(g.height))
        gsel.append(g[j].with_columns(p_group=pl.lit(len(cv) / len(chosen) / g.height)))
    groups = (pl.concat(gsel) if gsel else pop.groups.head(0).with_columns(p_group=pl.lit(0.0))).with_columns(
        county=pl.lit(pop.county))
    census = pop.general.join(groups.select("village_id", "group"), on=["village_id", "group"], how="inner")
    hits = pop.general.head(0)
    if roster:
        hits = pop.general.filter(pl.col("roster")).join(sv.select("village_id", "p_village"), on="village_id", how="inner")
        census = census.filter(~pl.col("roster"))
    households = e.select(
        "household_id", "village_id", group=pl.lit(None, dtype=pl.String), instrument=pl.lit("registered"),
        stratum=pl.col("village_id").replace_strict(dict(zip(sv["village_id"], sv["stratum"], strict=True))),
        psu="village_id", p_village="p_village", p_household="p_household",
        weight=1.0 / (pl.col("p_village") * pl.col("p_household")), persons=pl.col("persons").cast(pl.Float64),
        fpc_household=pl.col("_M").cast(pl.Float64), source=pl.lit("frame"),
    )
    if roster:
        households = pl.concat([households, hits.select(
            "household_id", "village_id", "group", instrument=pl.lit("general"),
            stratum=pl.col("village_id").replace_strict(dict(zip(sv["village_id"], sv["stratum"], strict=True))),
            psu="village_id", p_village="p_village", p_household=pl.lit(1.0), weight=1.0 / pl.col("p_village"),
            persons=pl.col("persons").cast(pl.Float64),
            fpc_household=pl.len().over("village_id").cast(pl.Float64), source=pl.lit("roster"),
        )], how="vertical_relaxed")
    general = pl.concat([census, hits.drop([c for c in ("p_village",) if c in hits.columns])], how="vertical_relaxed")
    findings = pl.concat([
        e.select("household_id", instrument=pl.lit("registered"), persons=pl.col("persons").cast(pl.Float64),
                 wrongful_exit="wrongful", wrongful_exit_persons=pl.col("persons").cast(pl.Float64) * pl.col("wrongful"),
                 missed=pl.lit(False), missed_persons=pl.lit(0.0), approves="approves",
                 village_id="village_id", group=pl.lit(None, dtype=pl.String)),
        general.select("household_id", instrument=pl.lit("general"), persons=pl.col("persons").cast(pl.Float64),
                      wrongful_exit=pl.lit(False), wrongful_exit_persons=pl.lit(0.0), missed="missed",
                      missed_persons=pl.col("persons").cast(pl.Float64) * pl.col("missed"), approves="approves",
                      village_id="village_id", group="group"),
    ])
    return SampleTables(villages=sv, households=households, groups=groups), findings


def draw_many(pop: Population, seeds: list[int], draw: DrawFn = draw_sample, prefix: str = "rep", *,
              roster: bool = False) -> tuple[SampleTables, pl.DataFrame]:
    """``len(seeds)`` independent samples stacked as counties ``rep0``, ``rep1`` … (ids prefixed), so
    one call of ``estimate_many(..., all_counties=True)`` estimates them all."""
    vs, hs, gs, fs = [], [], [], []
    for i, seed in enumerate(seeds):
        s, f = draw(pop, np.random.default_rng(seed), roster=True) if roster else draw(pop, np.random.default_rng(seed))
        name = f"{prefix}{i}"
        pre = pl.lit(f"{name}:")
        vs.append(s.villages.with_columns(county=pl.lit(name), village_id=pre + pl.col("village_id")))
        hs.append(s.households.with_columns(household_id=pre + pl.col("household_id"), village_id=pre + pl.col("village_id"),
                                            psu=pre + pl.col("psu")))
        gs.append(s.groups.with_columns(county=pl.lit(name), village_id=pre + pl.col("village_id")))
        fs.append(f.with_columns(household_id=pre + pl.col("household_id"), village_id=pre + pl.col("village_id")))
    return (SampleTables(villages=pl.concat(vs), households=pl.concat(hs), groups=pl.concat(gs, how="diagonal_relaxed")),
            pl.concat(fs))


# ---- the project's own sampler -------------------------------------------------------------------


def roster_map(truth_persons: pl.DataFrame, truth_households: pl.DataFrame) -> pl.DataFrame:
    """``household_id`` (the sample's ``R…`` id of a roster hit) → ``truth_id``: every member of a
    non-registered household of the truth, keyed as the sampler keys roster hits
    (``idnumber.roster_household_id``)."""
    from ..idnumber import roster_household_id

    nonreg = truth_households.filter(~pl.col("registered")).select("household_id")
    ids = truth_persons.join(nonreg, on="household_id", how="inner").select("household_id", "id_number").drop_nulls()
    return pl.DataFrame({
        "household_id": [roster_household_id(i) for i in ids["id_number"].to_list()],
        "truth_id": ids["household_id"],
    }).unique("household_id", keep="first")


def truth_findings(sample, truth_households: pl.DataFrame, roster: pl.DataFrame | None = None) -> pl.DataFrame:
    """Perfect fieldwork: the findings of a drawn sample read from the synthetic truth — every sampled
    registered household, every roster hit (大数据比对; ``roster`` from :func:`roster_map`, one
    interview per truth household, under the first of its ``R…`` ids, as the simulated fieldwork does)
    and every other non-registered household of the census groups (a census)."""
    t = truth_households
    reg = sample.households.filter(pl.col("instrument") == "registered").select("household_id").join(
        t, on="household_id", how="inner")
    cols = dict(
        persons=pl.col("persons").cast(pl.Float64), approves=pl.col("approves"),
        village_id=pl.col("village_id"), group=pl.col("group"),
    )
    general = dict(instrument=pl.lit("general"), wrongful_exit=pl.lit(False), wrongful_exit_persons=pl.lit(0.0),
                   missed=pl.col("missed"), missed_persons=pl.col("persons").cast(pl.Float64) * pl.col("missed"),
                   registry_status=pl.lit("nonregistered"))
    hits = pl.DataFrame(schema={"household_id": pl.String, "truth_id": pl.String})
    if roster is not None:
        listed = sample.households.filter((pl.col("instrument") == "general") & (pl.col("source") == "roster"))
        hits = (listed.select("household_id", pl.col("village_id").alias("_v"), pl.col("group").alias("_g"))
                .sort("household_id")
                .join(roster, on="household_id", how="inner").unique("truth_id", keep="first", maintain_order=True))
    roster_rows = hits.join(t.rename({"household_id": "truth_id"}), on="truth_id", how="inner").select(
        "household_id", **general, **cols)
    census = t.filter(~pl.col("registered") & ~pl.col("household_id").is_in(hits["truth_id"].implode())).join(
        sample.groups.select("village_id", "group"), on=["village_id", "group"], how="inner")
    return pl.concat([
        reg.select("household_id", instrument=pl.lit("registered"), wrongful_exit=pl.col("wrongful_exit"),
                   wrongful_exit_persons=pl.col("persons").cast(pl.Float64) * pl.col("wrongful_exit"),
                   missed=pl.lit(False), missed_persons=pl.lit(0.0),
                   registry_status=pl.col("status"), **cols),
        roster_rows,
        census.select("household_id", **general, **cols),
    ], how="vertical_relaxed")


def sampler_draw(registry, truth_households: pl.DataFrame, design: str = "jilin-2018",
                 truth_persons: pl.DataFrame | None = None) -> Callable[[int], tuple]:
    """The seam filled with the project's sampler: ``seed -> (sampling.draw(registry, design, seed),
    findings read from the truth)``; with ``truth_persons`` the roster hits are surveyed too."""
    from .. import sampling

    roster = None if truth_persons is None else roster_map(truth_persons, truth_households)

    def draw(seed: int):
        s = sampling.draw(registry, design, seed)
        return s, truth_findings(s, truth_households, roster)

    return draw


def stack(draws: list[tuple], prefix: str = "rep") -> tuple[SampleTables, pl.DataFrame]:
    """Samples (with their findings) stacked as counties ``rep0``, ``rep1`` … with prefixed ids, so one
    ``estimate_many(..., all_counties=True)`` call estimates them all."""
    vs, hs, gs, fs = [], [], [], []
    for i, (s, f) in enumerate(draws):
        name = f"{prefix}{i}"
        pre = pl.lit(f"{name}:")
        vs.append(s.villages.with_columns(county=pl.lit(name), village_id=pre + pl.col("village_id"),
                                          stratum=pre + pl.col("stratum")))
        hs.append(s.households.with_columns(household_id=pre + pl.col("household_id"),
                                            village_id=pre + pl.col("village_id")))
        gs.append(s.groups.with_columns(county=pl.lit(name), village_id=pre + pl.col("village_id")))
        fs.append(f.with_columns(household_id=pre + pl.col("household_id"), village_id=pre + pl.col("village_id")))
    return (SampleTables(villages=pl.concat(vs, how="diagonal_relaxed"), households=pl.concat(hs, how="diagonal_relaxed"),
                         groups=pl.concat(gs, how="diagonal_relaxed")), pl.concat(fs, how="diagonal_relaxed"))


def replicate_registry(registry, copies: int, prefix: str = "rep") -> SimRegistry:
    """The registry totals the estimators read (villages, counties), once per stacked sample. Household
    status comes from the findings' ``registry_status``, so households are not copied."""
    v = registry.villages
    villages = pl.concat([v.with_columns(county=pl.lit(f"{prefix}{i}"), village_id=pl.lit(f"{prefix}{i}:") + pl.col("village_id"))
                          for i in range(copies)])
    c = registry.counties
    counties = pl.concat([c.head(1).with_columns(county=pl.lit(f"{prefix}{i}")) for i in range(copies)])
    return SimRegistry(villages=villages, groups=pl.DataFrame(), counties=counties,
                       households=pl.DataFrame(schema={"household_id": pl.String, "status": pl.String}))


def truth_rates(registry, truth_households: pl.DataFrame) -> dict[str, float]:
    """What the estimators estimate, from the whole synthetic county: the wrongful-exit rate of exited
    persons, the missed rate — the county's missed persons over its non-registered agricultural
    population N = A − U − E (the census-only estimator estimates the same) — and the composite
    (U + E·r_w + N·r_m) / A with the registry totals."""
    t = truth_households
    ex = t.filter(pl.col("registered") & (pl.col("status") == "exited"))
    r_w = float((ex["persons"] * ex["wrongful_exit"]).sum() / ex["persons"].sum())
    nonreg = t.filter(~pl.col("registered"))
    missed = float((nonreg["persons"] * nonreg["missed"]).sum())
    v = registry.villages
    A = float(v["agricultural_population"].sum())
    U = float(v["poor_persons"].sum() + v["returned_persons"].sum())
    E = float(v["exited_persons"].sum())
    N = A - U - E
    r_m = missed / N
    return {"wrongful_exit_rate": r_w, "missed_rate": r_m, "missed_rate_census": r_m,
            "composite_incidence": (U + E * r_w + N * r_m) / A}
