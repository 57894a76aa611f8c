"""A county in povexit's own objects built from results/povexit_data.csv (the data R used), so the
indicator layer can be checked end to end against R; and small inline counties for edge cases."""

from __future__ import annotations

import polars as pl

from povexit.estimate.inputs import SampleTables
from povexit.registry.model import Registry

from .golden import RESULTS, read_csv

COUNTY = "测试县"
U, E, A = 3200, 21000, 260000  # as in povexit_design.R


def _empty() -> pl.DataFrame:
    return pl.DataFrame()


def registry_for(households: pl.DataFrame, groups: pl.DataFrame | None = None, *, region: str | None = "central",
                 city: str = "测试市", threshold: float | None = None, county: str = COUNTY,
                 totals: tuple[int, int, int] = (U, E, A)) -> Registry:
    u, e, a = totals
    villages = pl.DataFrame({
        "province": ["测试省"], "city": [city], "county": [county], "township": ["全县"], "village": ["合计"],
        "village_id": ["ALL"], "agricultural_population": [a], "poor_persons": [u], "exited_persons": [e],
        "returned_persons": [0],
    })
    counties = pl.DataFrame({"province": ["测试省"], "city": [city], "county": [county], "region": [region],
                             "poverty_threshold": [threshold]},
                            schema={"province": pl.String, "city": pl.String, "county": pl.String,
                                    "region": pl.String, "poverty_threshold": pl.Float64})
    return Registry(persons=_empty(), households=households, villages=villages,
                    groups=groups if groups is not None else _empty(), rosters=_empty(), counties=counties)


def from_r_data() -> tuple[Registry, SampleTables, pl.DataFrame]:
    """povexit_data.csv as registry + sample + findings (strata sizes as povexit_design.R draws them)."""
    d = read_csv(RESULTS / "povexit_data.csv")
    sizes = {"poor_weak": (40, 8), "poor_other": (60, 10), "nonpoor_weak": (30, 5), "nonpoor_other": (70, 1)}
    reg = d.filter(pl.col("kind") == "registered")
    cen = d.filter(pl.col("kind") == "census")
    villages = d.group_by("village", maintain_order=True).agg(pl.col("stratum").first()).select(
        county=pl.lit(COUNTY), village_id=pl.col("village"), stratum="stratum",
        p_village=pl.col("stratum").replace_strict({k: n / N for k, (N, n) in sizes.items()}),
        fpc_village=pl.col("stratum").replace_strict({k: float(N) for k, (N, _) in sizes.items()}),
    )
    households = reg.select(
        household_id="unit", village_id="village", group=pl.lit(None, dtype=pl.String),
        instrument=pl.lit("registered"), stratum="stratum", psu="village",
        p_village=pl.col("stratum").replace_strict({k: n / N for k, (N, n) in sizes.items()}),
        p_household=20.0 / pl.col("fpc2"), weight="w", persons=pl.col("persons").cast(pl.Float64),
        fpc_household=pl.col("fpc2").cast(pl.Float64), source=pl.lit("frame"),
    )
    groups = cen.select(county=pl.lit(COUNTY), village_id="village", group=pl.lit("g1"),
                        nonregistered_population=pl.col("nonreg_pop").cast(pl.Float64),
                        p_group=1.0 / pl.col("fpc2"))
    findings = pl.concat([
        reg.select(household_id="unit", instrument=pl.lit("registered"), persons=pl.col("persons").cast(pl.Float64),
                   wrongful_exit=pl.col("wrong_persons") > 0, wrongful_exit_persons=pl.col("wrong_persons").cast(pl.Float64),
                   missed=pl.lit(False), missed_persons=pl.lit(0.0), approves=pl.col("approves") == 1,
                   village_id="village", group=pl.lit(None, dtype=pl.String)),
        cen.select(household_id=pl.col("unit") + "_h", instrument=pl.lit("general"),
                   persons=pl.max_horizontal(pl.col("missed_persons"), pl.lit(1)).cast(pl.Float64),
                   wrongful_exit=pl.lit(False), wrongful_exit_persons=pl.lit(0.0), missed=pl.col("missed_persons") > 0,
                   missed_persons=pl.col("missed_persons").cast(pl.Float64), approves=pl.lit(None, dtype=pl.Boolean),
                   village_id="village", group=pl.lit("g1")),
    ])
    reg_households = reg.select(household_id="unit", status="status", county=pl.lit(COUNTY),
                                persons=pl.col("persons").cast(pl.Int32))
    # the registry's group frame: G groups in each census village (second-stage fpc of census groups)
    reg_groups = cen.select("village", "fpc2").with_columns(pl.int_ranges(0, pl.col("fpc2").cast(pl.Int64)).alias("g")).explode(
        "g").select(county=pl.lit(COUNTY), village_id="village", group=pl.format("g{}", pl.col("g") + 1))
    registry = registry_for(reg_households, reg_groups)
    return registry, SampleTables(villages=villages, households=households, groups=groups), findings


def from_r_roster() -> tuple[Registry, SampleTables, pl.DataFrame]:
    """results/povexit_roster.csv (the combined 漏评率 case of povexit_design.R) as registry + sample +
    findings: roster hits of every sampled village (one a certainty village), census groups, and the
    villages' non-registered population in the registry."""
    d = read_csv(RESULTS / "povexit_roster.csv").with_columns(pl.col("group").fill_null(""))
    vill = d.filter(pl.col("kind") == "village")
    villages = vill.select(county=pl.lit(COUNTY), village_id="village", stratum="stratum",
                           p_village=pl.col("pv").cast(pl.Float64), fpc_village=pl.col("fpc1").cast(pl.Float64))
    roster = d.filter(pl.col("kind") == "roster")
    households = roster.select(
        household_id="hh", village_id="village", group=pl.col("group").replace("", None),
        instrument=pl.lit("general"), stratum="stratum", psu="village", p_village=pl.col("pv").cast(pl.Float64),
        p_household=pl.lit(1.0), weight=pl.col("w").cast(pl.Float64), persons=pl.col("persons").cast(pl.Float64),
        fpc_household=pl.col("fpc2").cast(pl.Float64), source=pl.lit("roster"))
    totals = d.filter(pl.col("kind") == "census", pl.col("hh").str.starts_with("#group-total:"))
    groups = totals.select(county=pl.lit(COUNTY), village_id="village", group="group",
                           nonregistered_population=pl.col("xG").cast(pl.Float64), p_group=pl.col("pu").cast(pl.Float64))
    census = d.filter(pl.col("kind") == "census", ~pl.col("hh").str.starts_with("#group-total:"))
    findings = pl.concat([
        part.select(household_id="hh", instrument=pl.lit("general"), persons=pl.col("persons").cast(pl.Float64),
                    wrongful_exit=pl.lit(False), wrongful_exit_persons=pl.lit(0.0), missed=pl.col(y) > 0,
                    missed_persons=pl.col(y).cast(pl.Float64), approves=pl.col("approves") == 1,
                    village_id="village", group=pl.col("group").replace("", None))
        for part, y in ((roster, "yR"), (census, "yC"))
    ])
    # registry: the sampled villages' non-registered population, the rest of the county in one more row
    x = vill["xV"].cast(pl.Float64)
    reg_villages = pl.concat([
        vill.select(province=pl.lit("测试省"), city=pl.lit("测试市"), county=pl.lit(COUNTY), township=pl.lit("乡"),
                    village="village", village_id="village", agricultural_population=pl.col("xV").cast(pl.Int64),
                    poor_persons=pl.lit(0, pl.Int64), exited_persons=pl.lit(0, pl.Int64),
                    returned_persons=pl.lit(0, pl.Int64)),
        pl.DataFrame({"province": ["测试省"], "city": ["测试市"], "county": [COUNTY], "township": ["乡"],
                      "village": ["其余"], "village_id": ["REST"], "agricultural_population": [int(A - x.sum())],
                      "poor_persons": [U], "exited_persons": [E], "returned_persons": [0]}),
    ])
    g_frame = totals.select("village", "fpc2").unique("village").with_columns(
        pl.int_ranges(0, pl.col("fpc2").cast(pl.Int64)).alias("g")).explode("g").select(
        county=pl.lit(COUNTY), village_id="village", group=pl.format("{}_g{}", pl.col("village"), pl.col("g") + 1))
    registry = registry_for(pl.DataFrame(schema={"household_id": pl.String, "status": pl.String}), g_frame)
    registry.villages = reg_villages
    return registry, SampleTables(villages=villages, households=households, groups=groups), findings
