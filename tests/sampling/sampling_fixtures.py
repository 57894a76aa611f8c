"""Small synthetic registries built directly as normalised :class:`Registry` objects (test helpers)."""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl

from povexit.registry.model import Registry


def write_table(path, text: str):
    """An inline table (first line header, indentation stripped) as a UTF-8 file. Kept here rather
    than imported from tests/conftest.py: ``import conftest`` is ambiguous once several test
    directories have one."""
    import textwrap

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def make_registry(
    seed: int = 0,
    *,
    townships: int = 8,
    villages_per_township: tuple[int, int] = (3, 12),
    province: str = "吉林省",
    city: str = "延边朝鲜族自治州",
    county: str = "测试县",
    groups: bool = True,
    rosters: bool = True,
    weak_rate: float = 0.15,
    key_townships: int = 0,
    exit_year: int = 2018,
) -> Registry:
    """A county with ``townships`` townships, poor/non-poor and weak-area villages, registered
    households (mostly exited), village groups, rosters (some IDs in the registry, most not)."""
    rng = np.random.default_rng(seed)
    v_rows, h_rows, g_rows, p_rows, r_rows = [], [], [], [], []
    hh_no = 0
    for t in range(townships):
        town = f"{county}第{t + 1:02d}乡"
        for v in range(int(rng.integers(villages_per_township[0], villages_per_township[1] + 1))):
            name = f"{town}{v + 1:02d}村"
            vid = "V" + hashlib.sha1(f"{province}|{city}|{county}|{town}|{name}".encode()).hexdigest()[:11]
            poor = bool(rng.random() < 0.35)
            flags = {f: bool(rng.random() < weak_rate) for f in ("remote", "edge", "border", "minority")}
            n_hh = int(rng.integers(80, 600))
            n_reg = int(n_hh * (rng.uniform(0.15, 0.4) if poor else rng.uniform(0.02, 0.15)))
            n_groups = int(rng.integers(3, 9))
            reg_persons = 0
            for _ in range(n_reg):
                hh_no += 1
                hid = f"{county}-{hh_no:06d}"
                status = rng.choice(["exited", "poor", "returned"], p=[0.85, 0.1, 0.05])
                persons = int(rng.integers(1, 7))
                reg_persons += persons
                grp = f"{int(rng.integers(1, n_groups + 1))}组"
                h_rows.append({"household_id": hid, "province": province, "city": city, "county": county,
                               "township": town, "village": name, "village_id": vid, "group": grp,
                               "status": str(status), "exit_year": 2017 if status == "exited" else None,
                               "persons": persons, "monitored": bool(rng.random() < 0.05)})
                p_rows.append({"household_id": hid, "id_number": f"22240119{hh_no:010d}"})
            pop = max(n_hh * 3, reg_persons + 50)
            v_rows.append({"province": province, "city": city, "county": county, "township": town, "village": name,
                           "village_id": vid, "poor_village": poor, "agricultural_population": pop,
                           "households": n_hh, "key_township": t < key_townships, **flags})
            shares = rng.dirichlet(np.ones(n_groups))
            for g in range(n_groups):
                gpop = int(pop * shares[g])
                g_rows.append({"county": county, "township": town, "village": name, "village_id": vid,
                               "group": f"{g + 1}组", "agricultural_population": gpop,
                               "households": max(1, gpop // 3)})
            for j in range(int(rng.integers(0, 6))):
                in_reg = rng.random() < 0.3 and p_rows
                idn = p_rows[-1]["id_number"] if in_reg else f"22240119{(10**9 + hh_no * 10 + j):010d}"
                r_rows.append({"source": "民政低保", "source_code": str(rng.choice(["dibao", "disability", "dangerous_house"])),
                               "kind": "vulnerability", "id_number": idn, "name": "张三", "county": county,
                               "township": town, "village": name, "group": None, "detail": None})
    villages = pl.DataFrame(v_rows).with_columns(
        pl.any_horizontal("remote", "edge", "border", "minority").alias("weak_area"))
    households = pl.DataFrame(h_rows, schema_overrides={"exit_year": pl.Int32, "persons": pl.Int32})
    persons = pl.DataFrame(p_rows)
    gdf = pl.DataFrame(g_rows) if groups else pl.DataFrame()
    if groups:
        reg = households.group_by("village_id", "group").agg(pl.col("persons").sum().cast(pl.Int64).alias("registered_persons"))
        gdf = gdf.join(reg, on=["village_id", "group"], how="left").with_columns(
            pl.col("registered_persons").fill_null(0)).with_columns(
            pl.max_horizontal(pl.col("agricultural_population") - pl.col("registered_persons"), pl.lit(0))
            .alias("nonregistered_population"))
    rdf = pl.DataFrame(r_rows, schema_overrides={"group": pl.String, "detail": pl.String}) if rosters and r_rows \
        else pl.DataFrame()
    counties = pl.DataFrame({"province": [province], "city": [city], "county": [county], "region": ["central"],
                             "poverty_threshold": [0.02], "exit_year": [exit_year]})
    return Registry(persons=persons, households=households, villages=villages, groups=gdf, rosters=rdf,
                    counties=counties, input_hashes={"villages.csv": "0" * 64})


def combine(*registries: Registry, counties: pl.DataFrame | None = None) -> Registry:
    """Several county registries as one (a province)."""
    def cat(name: str) -> pl.DataFrame:
        frames = [getattr(r, name) for r in registries if getattr(r, name).height]
        return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()

    return Registry(persons=cat("persons"), households=cat("households"), villages=cat("villages"),
                    groups=cat("groups"), rosters=cat("rosters"),
                    counties=counties if counties is not None else cat("counties"))
