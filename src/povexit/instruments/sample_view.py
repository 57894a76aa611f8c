"""The parts of a sample (CONTRACTS.md §2 + docs/data-layout.md "sample/ extras") that ingest, the
attachment export and the simulator need, in one normalised shape.

Takes a path (read with ``povexit.sampling.load_sample`` when it holds a ``manifest.json``, which that
reader verifies; else with the contract reader here, for samples made by other tools) or any object with ``households`` / ``villages`` / ``groups`` / ``reserve``
DataFrames (e.g. the sampler's ``Sample``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from .. import contracts, tabular
from ..errors import PovexitError
from ..errors import instruments as EI

HH_COLS = ("household_id", "village_id", "group", "instrument", "county", "township", "village", "persons",
           "source", "reserve_rank", "stratum", "psu")
VILLAGE_COLS = ("village_id", "county", "township", "village")
GROUP_COLS = ("village_id", "group", "county", "township", "village")

RESERVE = contracts.TableSpec(
    "sample_reserve", ("reserve",),
    (
        contracts.Column("household_id", "户编号", "text", True),
        contracts.Column("village_id", "村编号", "text", False),
        contracts.Column("group", "村民小组", "text", False),
        contracts.Column("instrument", "问卷", "text", False),
        contracts.Column("reserve_rank", "替补顺序", "int", False, aliases=("rank", "order", "substitution_order")),
    ),
)


@dataclass
class SampleView:
    households: pl.DataFrame  # main sample (reserve_rank null) — HH_COLS as strings, persons Int64
    reserve: pl.DataFrame  # reserve households: household_id, village_id, group, instrument, reserve_rank
    villages: pl.DataFrame  # VILLAGE_COLS
    groups: pl.DataFrame  # census groups: GROUP_COLS
    source: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def census_keys(self) -> pl.DataFrame:
        return self.groups.select("village_id", "group").unique()


def _strings(df: pl.DataFrame, cols: tuple[str, ...]) -> pl.DataFrame:
    out = []
    for c in cols:
        if c in df.columns:
            out.append(pl.col(c).cast(pl.String).str.strip_chars().alias(c))
        else:
            out.append(pl.lit(None, dtype=pl.String).alias(c))
    return df.select(out)


def _normalise(households: pl.DataFrame, villages: pl.DataFrame, groups: pl.DataFrame | None,
               reserve: pl.DataFrame | None, source: Path | None) -> SampleView:
    hh = _strings(households, HH_COLS)
    hh = hh.with_columns(
        pl.col("persons").cast(pl.Float64, strict=False).cast(pl.Int64, strict=False),
        pl.col("instrument").str.to_lowercase(),
        pl.col("reserve_rank").cast(pl.Float64, strict=False).cast(pl.Int64, strict=False),
    )
    # households.csv may list reserve households too (reserve_rank filled): split them off
    res_from_hh = hh.filter(pl.col("reserve_rank").is_not_null())
    hh = hh.filter(pl.col("reserve_rank").is_null())
    res = res_from_hh.select("household_id", "village_id", "group", "instrument", "reserve_rank")
    if reserve is not None and reserve.height:
        r = _strings(reserve, ("household_id", "village_id", "group", "instrument", "reserve_rank")).with_columns(
            pl.col("instrument").str.to_lowercase().fill_null("registered"),
            pl.col("reserve_rank").cast(pl.Float64, strict=False).cast(pl.Int64, strict=False),
        )
        res = pl.concat([res, r], how="vertical_relaxed")
    res = res.filter(~pl.col("household_id").is_in(hh["household_id"].implode())).unique("household_id", keep="first")
    v = _strings(villages, VILLAGE_COLS)
    g = _strings(groups, GROUP_COLS) if groups is not None else pl.DataFrame(schema={c: pl.String for c in GROUP_COLS})
    # fill place names of households from villages when absent
    hh = hh.join(v.rename({"county": "_c", "township": "_t", "village": "_v"}), on="village_id", how="left").with_columns(
        pl.coalesce("county", "_c").alias("county"), pl.coalesce("township", "_t").alias("township"),
        pl.coalesce("village", "_v").alias("village"),
    ).drop("_c", "_t", "_v")
    return SampleView(households=hh, reserve=res.sort("village_id", "instrument", "reserve_rank", "household_id",
                                                      nulls_last=True),
                      villages=v, groups=g, source=source)


def load_sample_view(sample: Any) -> SampleView:
    if isinstance(sample, SampleView):
        return sample
    if isinstance(sample, str | Path):
        path = Path(sample)
        if not path.is_dir():
            raise PovexitError(EI.SAMPLE_INVALID(file=str(path), reason="not a directory"))
        loaded = None
        if (path / "manifest.json").exists():  # a povexit sample: the sampler's reader checks its hashes
            with contextlib.suppress(ImportError, AttributeError):
                from ..sampling import load_sample  # type: ignore[attr-defined]

                loaded = load_sample(path)
        if loaded is not None:
            return _from_object(loaded, path)
        return _read_dir(path)
    return _from_object(sample, None)


def _from_object(obj: Any, source: Path | None) -> SampleView:
    hh = getattr(obj, "households", None)
    villages = getattr(obj, "villages", None)
    if not isinstance(hh, pl.DataFrame) or not isinstance(villages, pl.DataFrame):
        raise PovexitError(EI.SAMPLE_INVALID(file=str(source or obj), reason="no households/villages tables"))
    groups = getattr(obj, "groups", None)
    reserve = getattr(obj, "reserve", None)
    return _normalise(hh, villages, groups if isinstance(groups, pl.DataFrame) else None,
                      reserve if isinstance(reserve, pl.DataFrame) else None, source)


def _read(path: Path, spec: contracts.TableSpec, required: bool) -> pl.DataFrame | None:
    f = tabular.find_table_file(path, spec)
    if f is None:
        if required:
            raise PovexitError(EI.SAMPLE_INVALID(file=str(path), reason=f"{spec.stems[0]}.csv is missing"))
        return None
    raw = tabular.read_table(f, spec)
    try:
        errs = [d for d in raw.diagnostics if d.severity == "error"]
        if errs:
            raise PovexitError(errs)
        return raw.collect().drop(tabular.ROW)
    finally:
        raw.close()


def _read_dir(path: Path) -> SampleView:
    hh = _read(path, contracts.SAMPLE_HOUSEHOLDS, True)
    villages = _read(path, contracts.SAMPLE_VILLAGES, True)
    groups = _read(path, contracts.SAMPLE_GROUPS, False)
    reserve = _read(path, RESERVE, False)
    assert hh is not None and villages is not None
    return _normalise(hh, villages, groups, reserve, path)
