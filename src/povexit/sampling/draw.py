"""``draw(registry, design, seed) -> Sample``: the whole three-stage draw, pure (no I/O).

Stages: counties (national spot check only) → villages per county (:mod:`.villages`) → release
batches (:mod:`.release`) → households, roster hits and census groups (:mod:`.households`). Each
stage draws from its own generator derived from the seed and the unit's key, so re-drawing one
county gives the same villages whatever else is in the registry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from .. import __version__
from .. import errors as E
from ..contracts import CONTRACT_VERSION, STATUS_ZH
from ..errors import sampling as ES
from ..registry.model import Registry
from .counties import draw_counties, exited_counties
from .design import Design, load_design
from .frame import group_frame, household_frame, roster_hits, village_frame
from .households import draw_households
from .model import GROUP_SCHEMA, HOUSEHOLD_SCHEMA, VILLAGE_SCHEMA, Sample, conform
from .release import assign_batches
from .selection import derived_rng
from .villages import draw_villages

MAX_SEED = (1 << 63) - 1
PLACE = ["province", "city", "county"]


def check_seed(seed: Any) -> int:
    try:
        ok = not isinstance(seed, bool) and int(seed) == seed and 0 <= int(seed) <= MAX_SEED
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise E.PovexitError(ES.SEED_INVALID(value=seed))
    return int(seed)


def county_key(province: str, city: str, county: str) -> str:
    """The key a county's random streams are derived from."""
    return f"{province}|{city}|{county}"


def draw(registry: Registry, design: Design | str | Path, seed: int) -> Sample:
    """Draw a sample of ``registry`` by ``design`` (a :class:`Design`, preset name or file)."""
    seed = check_seed(seed)
    if not isinstance(design, Design):
        design = load_design(design)
    warnings: list[E.Diagnostic] = []
    counties, county_stage = _counties(registry, design, seed)
    vframe = village_frame(registry, design, counties)
    _check_registered_frame(registry, design, vframe, counties)
    labels = _labels(counties)
    multi = counties.height > 1
    # a county is (province, county); where two cities of a province have a county of the same name
    # (城区, 郊区, 桥西区 …) the city tells them apart
    by_city = _ambiguous_counties(vframe)

    def in_county(row: dict) -> pl.Expr:
        cond = (pl.col("province") == row["province"]) & (pl.col("county") == row["county"])
        return cond & (pl.col("city") == row["city"]) if (row["province"], row["county"]) in by_city else cond

    village_parts, strata, per_county = [], [], []
    for row in counties.iter_rows(named=True):
        key = county_key(row["province"], row["city"], row["county"])
        sub = vframe.filter(in_county(row))
        vd = draw_villages(sub, design, seed, key)
        warnings += vd.warnings
        sel = assign_batches(vd.selected, design.release, derived_rng(seed, "batches", key))
        prefix = f"{labels[key]}:" if multi else ""
        sel = sel.with_columns((pl.lit(prefix) + pl.col("stratum")).alias("stratum"),
                               pl.lit(row["p_county"], dtype=pl.Float64).alias("p_county"))
        village_parts.append(sel)
        for st in vd.strata:
            p_sum = float(vd.frame.filter(pl.col("stratum") == st["stratum"])["p_village"].sum())
            strata.append({"county": row["county"], "stratum": prefix + st["stratum"], "N": st["N"], "n": st["n"],
                           "sum_p": round(p_sum, 9), "boosted_townships": st["boosted_townships"]})
        per_county.append({**{k: row[k] for k in PLACE}, "p_county": row["p_county"], "key": key,
                           "villages_in_frame": sub.height, "villages_sampled": sel.height,
                           "townships": sub["township"].n_unique(),
                           "registered_persons": int(sub["registered_persons_frame"].sum())})
    sampled = pl.concat(village_parts, how="vertical_relaxed").with_columns(
        (pl.col("p_village") >= 1.0).alias("certainty"))

    hh_frame = household_frame(registry, sampled["village_id"])
    hs = design.households
    sources = hs.general.roster_sources if (hs.quotas is not None or hs.general.roster_hits) else ()
    hits, unplaced, ambiguous = roster_hits(registry, vframe, sampled["village_id"], sources)
    if unplaced:
        warnings.append(ES.ROSTER_UNPLACED(value=unplaced))
    if ambiguous:
        warnings.append(ES.ROSTER_AMBIGUOUS(value=ambiguous))
    groups_f = pl.DataFrame()
    if hs.quotas is None:
        groups_f, no_groups = group_frame(registry, sampled, hh_frame)
        if no_groups:
            warnings.append(ES.NO_GROUPS(county=", ".join(counties["county"].to_list())))

    hh_parts, res_parts, grp_parts = [], [], []
    for info in per_county:
        sv = sampled.filter(in_county(info))
        ids = sv["village_id"].implode()
        hd = draw_households(
            sv, hh_frame.filter(pl.col("village_id").is_in(ids)), hits.filter(pl.col("village_id").is_in(ids)),
            groups_f.filter(pl.col("village_id").is_in(ids)) if groups_f.height else groups_f,
            design, seed, info["key"], info["registered_persons"],
            census=info["villages_sampled"] == info["villages_in_frame"],
        )
        warnings += hd.warnings
        info["households"] = hd.summary
        hh_parts.append(hd.households)
        res_parts.append(hd.reserve)
        grp_parts.append(hd.groups)

    vinfo = sampled.select("village_id", "stratum", "p_village", "county", "township", "village", "province", "city",
                           "p_county", "batch")
    households = _household_table(pl.concat(hh_parts, how="vertical_relaxed"), vinfo)
    reserve = _household_table(pl.concat(res_parts, how="vertical_relaxed"), vinfo)
    groups = _group_table(pl.concat(grp_parts, how="vertical_relaxed"), vinfo)
    villages = conform(sampled, VILLAGE_SCHEMA).sort(*PLACE, "batch", "township", "village_id")

    manifest = {
        "contract": CONTRACT_VERSION,
        "kind": "sample",
        # the file name only: the resolved parameters say everything, and a path would make the same
        # design drawn from another directory give other bytes
        "design": {"name": design.name, "origin": Path(design.origin).name,
                   "title": {"zh": design.title_zh, "en": design.title_en},
                   "source": design.source, "parameters": design.params},
        "seed": seed,
        "povexit_version": __version__,
        "numpy_version": np.__version__,
        "inputs": dict(sorted(registry.input_hashes.items())),
        "created_at": None,
        "county_stage": county_stage,
        "counties": [{k: v for k, v in c.items() if k != "key"} for c in per_county],
        "strata": strata,
        "counts": {
            "villages": villages.height,
            "households": {i: int((households["instrument"] == i).sum()) for i in ("registered", "general")},
            "groups": groups.height,
            "reserve": reserve.height,
            "batches": int(villages["batch"].max() or 0),
        },
        "warnings": [{"code": w.code, "message_zh": w.message("zh"), "message_en": w.message("en")} for w in warnings],
    }
    return Sample(villages, households, groups, reserve, _jsonable(manifest), warnings)


def _counties(registry: Registry, design: Design, seed: int) -> tuple[pl.DataFrame, dict | None]:
    if design.counties is None:
        c = registry.villages.select(PLACE).unique().sort(PLACE).with_columns(pl.lit(1.0).alias("p_county"))
        if c.height == 0:
            raise E.PovexitError(ES.FRAME_EMPTY(value="—"))
        return c, None
    frame, year = exited_counties(registry.counties, design.counties, design.name)
    present = registry.villages.select("province", "county").unique()
    missing = frame.join(present, on=["province", "county"], how="anti")
    if missing.height:
        raise E.PovexitError([ES.COUNTY_NOT_IN_FRAME(file="counties.csv", value=r["county"], province=r["province"])
                              for r in missing.iter_rows(named=True)])
    by_city = _ambiguous_counties(registry.villages)
    if by_city:  # a county name two cities of the province share: counties.csv's city must say which
        bad = []
        for r in frame.iter_rows(named=True):
            key = (r["province"], r["county"])
            if key in by_city and r["city"] not in by_city[key]:
                bad.append(ES.COUNTY_AMBIGUOUS(file="counties.csv", value=r["county"], province=r["province"],
                                               city=r["city"] or "", allowed="、".join(sorted(by_city[key]))))
        if bad:
            raise E.PovexitError(bad)
    drawn = draw_counties(frame, design.counties, seed)
    stage = {
        "exit_year": year,
        "provinces": [
            {"province": p, "N": int(g["N_province"][0]), "n": int(g["n_province"][0]),
             "selected": g.filter("selected")["county"].to_list()}
            for (p,), g in drawn.group_by("province", maintain_order=True)
        ],
        "counties_in_frame": drawn.height,
        "counties_selected": int(drawn["selected"].sum()),
    }
    return drawn.filter("selected").select(*PLACE, "p_county").sort(PLACE), stage


def _check_registered_frame(registry: Registry, design: Design, vframe: pl.DataFrame, counties: pl.DataFrame) -> None:
    """A county-totals design samples registered households of the design's statuses (exited, for
    错退); a county with none of them at all is a data problem (status not filled or mis-coded),
    not something a sample can work around — stop and say so (docs/decisions.md)."""
    hs = design.households
    if hs.quotas is not None or hs.targets(0)[0] <= 0:
        return
    statuses = list(hs.registered.statuses)
    have = (registry.households.lazy().filter(pl.col("status").is_in(statuses)).select("village_id")
            .join(vframe.lazy().select("village_id", *PLACE), on="village_id", how="inner")
            .select(PLACE).unique().collect())
    empty = counties.select(PLACE).join(have, on=PLACE, how="anti")
    if empty.height:
        zh = "、".join(STATUS_ZH[s] for s in statuses)
        raise E.PovexitError([
            ES.NO_FRAME_HOUSEHOLDS(county=r["county"], province=r["province"], kind_zh=zh + "户",
                                   kind_en="/".join(statuses), planned=hs.targets(0)[0],
                                   allowed=", ".join(("poor", "exited", "returned")))
            for r in empty.iter_rows(named=True)])


def _ambiguous_counties(villages: pl.DataFrame) -> dict[tuple[str, str], set[str]]:
    """(province, county) pairs that name counties of more than one city → those cities."""
    if "city" not in villages.columns or villages.height == 0:
        return {}
    c = (villages.select("province", "city", "county").unique()
         .group_by("province", "county").agg(pl.col("city")).filter(pl.col("city").list.len() > 1))
    return {(r["province"], r["county"]): set(r["city"]) for r in c.iter_rows(named=True)}


def _labels(counties: pl.DataFrame) -> dict[str, str]:
    """Readable county label for stratum names: the county name, ``province/county`` where the
    name occurs in two provinces of the sample, ``province/city/county`` where it occurs twice in
    one province — so that no two counties ever share a stratum name."""
    names = counties["county"].to_list()
    pairs = list(zip(counties["province"].to_list(), names, strict=True))
    out = {}
    for r in counties.iter_rows(named=True):
        if pairs.count((r["province"], r["county"])) > 1:
            label = f"{r['province']}/{r['city']}/{r['county']}"
        elif names.count(r["county"]) > 1:
            label = f"{r['province']}/{r['county']}"
        else:
            label = r["county"]
        out[county_key(r["province"], r["city"], r["county"])] = label
    return out


def _household_table(hh: pl.DataFrame, vinfo: pl.DataFrame) -> pl.DataFrame:
    df = hh.join(vinfo.drop("batch"), on="village_id", how="left").with_columns(
        pl.col("village_id").alias("psu"),
        (1.0 / (pl.col("p_village") * pl.col("p_household"))).alias("weight"),
    ).with_columns((pl.col("weight") / pl.col("p_county")).alias("weight_national"))
    return conform(df, HOUSEHOLD_SCHEMA).sort("village_id", "reserve_rank", "household_type", "household_id",
                                              nulls_last=False)


def _group_table(g: pl.DataFrame, vinfo: pl.DataFrame) -> pl.DataFrame:
    df = g.join(vinfo, on="village_id", how="left").with_columns(
        pl.when(pl.col("group") == "").then(pl.col("village_id"))
        .otherwise(pl.col("village_id") + "/" + pl.col("group")).alias("psu"),
        (1.0 / (pl.col("p_village") * pl.col("p_group"))).alias("weight"),
    )
    return conform(df, GROUP_SCHEMA).sort("village_id", "group")


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    return obj
