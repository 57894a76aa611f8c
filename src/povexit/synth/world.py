"""From one county to the nation: planning the counties, generating them, writing the files.

``synthesize(params)`` builds a county or a province in memory (Polars DataFrames);
``write_world(world, out)`` writes it atomically; ``stream_national(out, params)`` generates the
national registry county by county and appends each county to the output files, so memory stays
bounded by one county whatever the number of persons.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from .. import __version__
from ..errors import PovexitError
from ..errors import synth as E
from ..fsutil import atomic_dir, write_json
from . import names as N
from .county import generate
from .frame import CountySpec
from .params import MIN_PERSONS_PER_COUNTY, PROVINCE_DEFAULT_HOUSEHOLDS, SynthParams
from .places import (
    PROVINCES,
    TOTAL_POOR_COUNTIES,
    WESTERN_STANDARD_CITIES,
    Province,
    minority_base,
    name_style,
    resolve_province,
)
from .strings import place_names
from .tables import CountyTables, build_tables

REGISTRY_FILES = ("persons", "villages", "groups", "rosters", "counties")
TRUTH_FILES = ("households", "persons", "villages")
# Share of the 2016–2020 exits by year (national poverty counties: 28, 125, 283, 344, 52).
NATIONAL_EXIT_YEARS = {2016: 28, 2017: 125, 2018: 283, 2019: 344, 2020: 52}
PERSONS_PER_REGISTERED_HOUSEHOLD = 3.1  # for sizing a county from its registry target

Progress = Callable[[int, int, str], None]  # (done, total, label)


@dataclass
class SynthWorld:
    params: SynthParams
    counties: list[CountySpec]
    registry: dict[str, pl.DataFrame]
    truth: dict[str, pl.DataFrame] | None
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass
class StreamResult:
    out: Path
    stats: dict[str, Any]
    seconds: float

    @property
    def persons_per_second(self) -> float:
        return self.stats["registered_persons"] / self.seconds if self.seconds > 0 else float("nan")


def _world_rng(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(2**31 - 1,))))


def _largest_remainder(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    rest = total - minimum * len(weights)
    share = weights / weights.sum() * rest
    base = np.floor(share).astype(np.int64)
    left = rest - int(base.sum())
    base[np.argsort(-(share - base), kind="stable")[:left]] += 1
    return base + minimum


def _households_for(persons: int, params: SynthParams) -> int:
    share = sum(params.registered_share) / 2
    return max(300, int(np.ceil(persons / (share * PERSONS_PER_REGISTERED_HOUSEHOLD))))


def _county_names(rng: np.random.Generator, province: Province, cities: list[str], n: int) -> list[str]:
    ethnic = N.ETHNIC_COUNTY.get(province.name, ())
    suffix = []
    for city in cities:
        autonomous = ethnic and ("自治州" in city or province.minority_base >= 0.3) and rng.random() < 0.2
        suffix.append(f"{ethnic[int(rng.integers(0, len(ethnic)))]}自治县" if autonomous else "县")
    return place_names(rng, n, np.array(suffix, dtype=object))


def _province_counties(
    rng: np.random.Generator, province: Province, n: int, start_index: int, n_cities: int | None = None
) -> list[tuple[str, str, str]]:
    """(city, city_code, county_code) for ``n`` counties spread over several prefectures."""
    k = n_cities or min(len(province.cities), max(2, int(np.ceil(n / 4))), n)
    chosen = sorted(rng.choice(len(province.cities), size=k, replace=False).tolist())
    per_city = (
        _largest_remainder(n, rng.dirichlet(np.full(k, 4.0)), minimum=1)
        if n >= k
        else np.ones(n, dtype=np.int64)
    )
    out = []
    for ci, cnt in zip(chosen, per_city.tolist(), strict=False):
        name, code = province.cities[ci]
        for j in range(cnt):
            out.append((name, code, f"{code}{21 + j:02d}" if 21 + j <= 99 else f"{code}{j % 100:02d}"))
    del start_index
    return out[:n]


def plan_counties(params: SynthParams) -> list[CountySpec]:
    """The counties of the world and their sizes (deterministic from the seed)."""
    rng = _world_rng(params.seed)
    ref = params.reference_year
    if params.scale == "national":
        return _plan_national(rng, params)
    if params.province:
        province = resolve_province(params.province)
        assert province is not None
    else:
        w = np.array([p.poor_counties for p in PROVINCES], dtype=float)
        province = PROVINCES[int(rng.choice(len(PROVINCES), p=w / w.sum()))]
    if params.scale == "county":
        n = 1
        exit_years = [ref]
    else:
        n = params.counties or int(rng.integers(10, 41))
        n_same = round(0.7 * n)
        earlier = [ref - 1 if i % 3 != 2 else ref - 2 for i in range(n - n_same)]
        exit_years = [ref] * n_same + earlier
        exit_years = [exit_years[i] for i in rng.permutation(n)]
    places = _province_counties(rng, province, n, 0, n_cities=1 if n == 1 else None)
    names = _county_names(rng, province, [p[0] for p in places], n)
    if params.households:
        households = [params.households] * n
    elif params.scale == "county":
        households = [int(rng.integers(20_000, 40_001))]
    else:
        households = [
            int(rng.integers(int(0.7 * PROVINCE_DEFAULT_HOUSEHOLDS), int(1.3 * PROVINCE_DEFAULT_HOUSEHOLDS)))
            for _ in range(n)
        ]
    reg_persons: list[int | None] = [None] * n
    if params.persons is not None:
        reg = _largest_remainder(params.persons, np.array(households, dtype=float))
        reg_persons = [int(x) for x in reg]
        if not params.households:
            households = [_households_for(int(x), params) for x in reg]
    return [
        _spec(i, province, places[i], names[i], exit_years[i], households[i], reg_persons[i])
        for i in range(n)
    ]


def _spec(
    index: int,
    province: Province,
    place: tuple[str, str, str],
    name: str,
    exit_year: int,
    households: int,
    registered_persons: int | None,
) -> CountySpec:
    city, city_code, county_code = place
    western = province.region == "western" or city_code in WESTERN_STANDARD_CITIES
    return CountySpec(
        index=index,
        province=province,
        city=city,
        city_code=city_code,
        county=name,
        county_code=county_code,
        region=province.region,
        threshold=0.03 if western else 0.02,
        exit_year=exit_year,
        households=households,
        registered_persons=registered_persons,
        name_style=name_style(province, city_code),
        minority_base=minority_base(province, city),
        surname_boost=N.SURNAME_BOOST.get(province.name, ()),
    )


def _plan_national(rng: np.random.Generator, params: SynthParams) -> list[CountySpec]:
    n = params.counties or TOTAL_POOR_COUNTIES
    w = np.array([p.poor_counties for p in PROVINCES], dtype=float)
    if n == TOTAL_POOR_COUNTIES:  # the real list: 88 in Yunnan, 8 in Jilin …
        per_prov = w.astype(np.int64)
    else:
        per_prov = _largest_remainder(n, w, minimum=1 if n >= len(PROVINCES) else 0)
    total = params.total_persons
    assert total is not None
    years = np.array(
        [y for y in NATIONAL_EXIT_YEARS if y <= params.reference_year] or [params.reference_year]
    )
    yw = np.array([NATIONAL_EXIT_YEARS.get(int(y), 1) for y in years], dtype=float)
    size_w = rng.lognormal(0.0, params.county_size_spread, n)
    reg = _largest_remainder(total, size_w, minimum=MIN_PERSONS_PER_COUNTY)
    specs: list[CountySpec] = []
    i = 0
    for province, k in zip(PROVINCES, per_prov.tolist(), strict=True):
        if k == 0:
            continue
        places = _province_counties(rng, province, k, i)
        names = _county_names(rng, province, [p[0] for p in places], k)
        exit_years = rng.choice(years, size=k, p=yw / yw.sum())
        for j in range(k):
            persons = int(reg[i])
            households = params.households or _households_for(persons, params)
            specs.append(_spec(i, province, places[j], names[j], int(exit_years[j]), households, persons))
            i += 1
    return specs


# ---- generation ----------------------------------------------------------------------------------


def county_tables(spec: CountySpec, params: SynthParams, *, truth: bool) -> CountyTables:
    return build_tables(generate(spec, params), params, truth=truth)


def synthesize(params: SynthParams, progress: Progress | None = None) -> SynthWorld:
    """A county or a province in memory (pure: no files)."""
    params.validate()
    if params.scale == "national":
        raise PovexitError(E.WRONG_SCALE_FOR_CALL(value=params.scale))
    specs = plan_counties(params)
    parts: list[CountyTables] = []
    for i, spec in enumerate(specs):
        if progress:
            progress(i, len(specs), spec.county)
        parts.append(county_tables(spec, params, truth=params.write_truth))
    if progress:
        progress(len(specs), len(specs), "")
    registry = {
        "persons": pl.concat([p.persons for p in parts]),
        "villages": pl.concat([p.villages for p in parts]),
        "groups": pl.concat([p.groups for p in parts]),
        "rosters": pl.concat([p.rosters for p in parts]),
        "counties": counties_frame([p.county for p in parts]),
    }
    truth = None
    if params.write_truth:
        truth = {
            "households": pl.concat([p.truth_households for p in parts]),  # type: ignore[misc]
            "persons": pl.concat([p.truth_persons for p in parts]),  # type: ignore[misc]
            "villages": pl.concat([p.truth_villages for p in parts]),  # type: ignore[misc]
        }
    return SynthWorld(
        params=params,
        counties=specs,
        registry=registry,
        truth=truth,
        stats=_summary(params, [p.stats for p in parts], specs),
    )


def counties_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "province": pl.String,
            "city": pl.String,
            "county": pl.String,
            "region": pl.String,
            "poverty_threshold": pl.Float64,
            "exit_year": pl.Int32,
            "county_code": pl.String,
        },
    )


def _summary(params: SynthParams, stats: list[dict], specs: list[CountySpec]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for s in stats:
        for k, v in s.items():
            total[k] = total.get(k, 0) + v
    total["counties"] = len(specs)
    exited = total.get("exited_households", 0)
    nonreg = total.get("nonregistered_households", 0)
    total["wrongful_exit_rate_realised"] = (
        round(total.get("wrongful_exit_households", 0) / exited, 6) if exited else 0.0
    )
    total["missed_rate_realised"] = round(total.get("missed_households", 0) / nonreg, 6) if nonreg else 0.0
    return total


def _manifest(params: SynthParams, specs: list[CountySpec], stats: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "synth",
        "povexit_version": __version__,
        "seed": params.seed,
        "params": params.to_dict(),
        "reference_date": f"{params.reference_year}-12-31",
        "ages_at": f"{params.reference_year}-12-31",
        "format": params.file_format,
        "truth": params.write_truth,
        "stats": stats,
        "counties": [
            {
                "province": s.province.name,
                "city": s.city,
                "county": s.county,
                "county_code": s.county_code,
                "exit_year": s.exit_year,
                "households": s.households,
                "registered_persons": s.registered_persons,
            }
            for s in specs
        ]
        if len(specs) <= 1000
        else len(specs),
    }


# ---- writing --------------------------------------------------------------------------------------


def _write_table(df: pl.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        df.write_csv(path, float_precision=2)
    else:
        pq.write_table(df.to_arrow(), path, compression="zstd")


def write_world(world: SynthWorld, out: str | Path, fmt: str | None = None) -> Path:
    """Write ``registry/``, ``truth/`` and ``synth.json`` atomically (a failure leaves nothing)."""
    fmt = fmt or world.params.file_format
    out = Path(out)
    with atomic_dir(out, kind="synth") as tmp:
        reg = tmp / "registry"
        reg.mkdir()
        for name in REGISTRY_FILES:
            _write_table(world.registry[name], reg / f"{name}.{fmt}", fmt)
        if world.truth is not None:
            tr = tmp / "truth"
            tr.mkdir()
            for name in TRUTH_FILES:
                _write_table(world.truth[name], tr / f"{name}.parquet", "parquet")
        write_json(tmp / "synth.json", _manifest(world.params, world.counties, world.stats))
    return out


class _Appender:
    """Appends county chunks to one file (Parquet row groups, or CSV with one header)."""

    def __init__(self, path: Path, fmt: str):
        self.path, self.fmt = path, fmt
        self._pq: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._fh = None
        self.rows = 0

    def write(self, df: pl.DataFrame) -> None:
        if self.fmt == "csv":
            if self._fh is None:
                self._fh = open(self.path, "wb")  # noqa: SIM115 - closed in close()
                df.write_csv(self._fh, include_header=True, float_precision=2)
            else:
                df.write_csv(self._fh, include_header=False, float_precision=2)
        else:
            table = df.to_arrow()
            if self._pq is None:
                self._schema = table.schema
                self._pq = pq.ParquetWriter(self.path, self._schema, compression="zstd")
            self._pq.write_table(table.cast(self._schema))
        self.rows += df.height

    def close(self) -> None:
        if self._pq is not None:
            self._pq.close()
        if self._fh is not None:
            self._fh.close()


def stream_national(out: str | Path, params: SynthParams, progress: Progress | None = None) -> StreamResult:
    """The national registry (default 10^8 registered persons in 832 counties of 22 provinces),
    generated and written one county at a time. The truth is written only with ``truth=True``."""
    params = params if params.scale == "national" else params.replace(scale="national")
    params.validate()
    fmt = params.file_format
    t0 = time.perf_counter()
    specs = plan_counties(params)
    out = Path(out)
    stats: list[dict] = []
    county_rows: list[dict] = []
    with atomic_dir(out, kind="synth") as tmp:
        (tmp / "registry").mkdir()
        writers = {name: _Appender(tmp / "registry" / f"{name}.{fmt}", fmt) for name in REGISTRY_FILES[:-1]}
        truth_writers: dict[str, _Appender] = {}
        if params.write_truth:
            (tmp / "truth").mkdir()
            truth_writers = {
                name: _Appender(tmp / "truth" / f"{name}.parquet", "parquet") for name in TRUTH_FILES
            }
        try:
            for i, spec in enumerate(specs):
                if progress:
                    progress(
                        sum(s["registered_persons"] for s in stats), params.total_persons or 0, spec.county
                    )
                t = county_tables(spec, params, truth=params.write_truth)
                writers["persons"].write(t.persons)
                writers["villages"].write(t.villages)
                writers["groups"].write(t.groups)
                writers["rosters"].write(t.rosters)
                if params.write_truth:
                    truth_writers["households"].write(t.truth_households)  # type: ignore[arg-type]
                    truth_writers["persons"].write(t.truth_persons)  # type: ignore[arg-type]
                    truth_writers["villages"].write(t.truth_villages)  # type: ignore[arg-type]
                stats.append(t.stats)
                county_rows.append(t.county)
                del t
                del i
        finally:
            for w in (*writers.values(), *truth_writers.values()):
                w.close()
        _write_table(counties_frame(county_rows), tmp / "registry" / f"counties.{fmt}", fmt)
        summary = _summary(params, stats, specs)
        write_json(tmp / "synth.json", _manifest(params, specs, summary))
        if progress:
            progress(summary["registered_persons"], params.total_persons or 0, "")
    return StreamResult(out=out, stats=summary, seconds=time.perf_counter() - t0)
