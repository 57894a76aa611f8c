"""County stage of the national spot check (seed 003): a fixed share of the exited counties of each
province, every province at least one, equal probability within the province (systematic over a
list sorted by city, so cities are spread, or SRS)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from .. import errors as E
from ..errors import sampling as ES
from .design import CountySpec
from .selection import derived_rng, srs_order, systematic


def county_sample_size(N: int, spec: CountySpec) -> int:
    """Counties to draw from a province with ``N`` exited counties."""
    raw = spec.fraction * N
    n = {"ceil": math.ceil(raw - 1e-9), "round": math.floor(raw + 0.5), "floor": math.floor(raw + 1e-9)}[spec.rounding]
    return min(N, max(n, spec.min_per_province))


def exited_counties(counties: pl.DataFrame, spec: CountySpec, design_name: str) -> tuple[pl.DataFrame, int | None]:
    """The counties of ``counties.csv`` in the frame: those applying to exit in ``exit_year``
    (``latest``: the most recent year in the file; ``any``: every year)."""
    if counties.height == 0 or "exit_year" not in counties.columns or counties["exit_year"].is_null().all():
        raise E.PovexitError(ES.COUNTIES_MISSING(value=design_name))
    c = counties.filter(pl.col("exit_year").is_not_null())
    year = spec.exit_year
    if year == "latest":
        year = int(c["exit_year"].max())
    if year != "any":
        c = c.filter(pl.col("exit_year") == year)
        if c.height == 0:
            raise E.PovexitError(ES.NO_EXIT_COUNTIES(value=year))
    return c.sort("province", "city", "county"), (None if year == "any" else int(year))


def draw_counties(frame: pl.DataFrame, spec: CountySpec, seed: int) -> pl.DataFrame:
    """``frame`` with ``p_county``, ``n_province``, ``N_province`` and ``selected`` for every county."""
    parts = []
    for (province,), sub in frame.sort("province", "city", "county").group_by("province", maintain_order=True):
        N = sub.height
        n = county_sample_size(N, spec)
        rng = derived_rng(seed, "counties", str(province))
        if spec.method == "srs":
            hit = np.zeros(N, dtype=bool)
            hit[srs_order(N, rng)[:n]] = True
        else:
            hit = systematic(np.full(N, n, dtype=np.int64), N, rng)
        parts.append(sub.with_columns(
            pl.lit(n / N, dtype=pl.Float64).alias("p_county"),
            pl.lit(n, dtype=pl.Int64).alias("n_province"),
            pl.lit(N, dtype=pl.Int64).alias("N_province"),
            pl.Series("selected", hit),
        ))
    return pl.concat(parts)
