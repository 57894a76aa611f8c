"""Counties are keyed by (province, county): two counties of the same name in different provinces
(there are several: 东乡县, 通山县 …) never merge — not in ``--all``, not in the design groups, not in
the registry totals or the thresholds.

A key is one string, ``province + "\\x1f" + county`` (an empty province when nothing says which), so
it can be a Polars column and a dict key. The province of a sampled village comes from the sample's
``province`` column (written by ``povexit sample``; not in contract §2), else from the registry's
village of the same ``village_id``, else from the registry's counties when the name is unique there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from .. import errors as E
from ..errors import estimate as EE

SEP = "\x1f"


def key_of(province: str | None, county: str | None) -> str:
    return f"{province or ''}{SEP}{county or ''}"


def split(key: str) -> tuple[str | None, str]:
    province, _, county = key.partition(SEP)
    return (province or None), county


def label(key: str) -> str:
    """How a key is printed: "省 县", or the county alone when the province is unknown."""
    province, county = split(key)
    return f"{province} {county}" if province else county


def key_expr(province: str = "province", county: str = "county") -> pl.Expr:
    return pl.col(province).fill_null("") + SEP + pl.col(county).fill_null("")


def registry_villages(registry: Any) -> pl.DataFrame:
    """The registry's villages with a ``province`` (from its counties table by county name when the
    villages table has none) and a ``ckey`` column."""
    v = registry.villages
    if "province" not in v.columns or v["province"].is_null().all():
        names = _unique_provinces(getattr(registry, "counties", None))
        v = v.with_columns(pl.col("county").replace_strict(names, default=None, return_dtype=pl.String).alias("province"))
    return v.with_columns(key_expr().alias("ckey"))


def _unique_provinces(counties: pl.DataFrame | None) -> dict[str, str]:
    """county name -> province, for names that occur in one province only."""
    if counties is None or counties.height == 0 or "county" not in counties.columns or "province" not in counties.columns:
        return {}
    c = counties.select("province", "county").drop_nulls().unique()
    ok = c.group_by("county").agg(pl.col("province").first(), n=pl.len()).filter(pl.col("n") == 1)
    return dict(zip(ok["county"].to_list(), ok["province"].to_list(), strict=True))


def sample_village_keys(villages: pl.DataFrame, registry: Any) -> pl.DataFrame:
    """``village_id, province, ckey`` of the sample's villages (see the module docstring)."""
    v = villages.select("village_id", "county", *(["province"] if "province" in villages.columns else []))
    if "province" not in v.columns:
        v = v.with_columns(pl.lit(None, dtype=pl.String).alias("province"))
    v = v.with_columns(pl.col("province").cast(pl.String).str.strip_chars().replace("", None),
                       pl.col("county").fill_null(""))
    rv = registry_villages(registry)
    if "village_id" in rv.columns:
        by_id = rv.select(pl.col("village_id").cast(pl.String), pl.col("province").alias("_p_reg")).unique(
            "village_id", keep="first")
        v = v.join(by_id, on="village_id", how="left").with_columns(
            pl.coalesce("province", "_p_reg").alias("province")).drop("_p_reg")
    names = _unique_provinces(getattr(registry, "counties", None))
    if not names and "province" in rv.columns:
        names = _unique_provinces(rv.select("province", "county"))
    v = v.with_columns(pl.coalesce(
        "province", pl.col("county").replace_strict(names, default=None, return_dtype=pl.String)).alias("province"))
    return v.with_columns(key_expr().alias("ckey")).select("village_id", "province", "ckey")


def select(present: Sequence[str], county: str | tuple[str, str] | Sequence[Any] | None, province: str | None,
           all_counties: bool, source: str) -> list[str]:
    """The keys to estimate: all of them (``all_counties``), the only one, or those named. A county may
    be named by its name (with ``province`` when the name is in several provinces), as
    ``(province, county)``, or as ``"省/县"``."""
    present = sorted(set(present)) or [key_of(None, "")]
    if all_counties:
        if province is None:
            return present
        keep = [k for k in present if split(k)[0] == province]
        if not keep:
            raise E.PovexitError(EE.COUNTY_NOT_IN_SAMPLE(value=province, file=source,
                                                         counties="、".join(label(k) for k in present[:10])))
        return keep
    if county is None:
        if province is not None:
            present = [k for k in present if split(k)[0] == province]
        if len(present) > 1:
            raise E.PovexitError(EE.COUNTY_AMBIGUOUS(value="、".join(label(k) for k in present[:10])))
        if not present:
            raise E.PovexitError(EE.COUNTY_NOT_IN_SAMPLE(value=province, file=source, counties=""))
        return present
    wanted = [county] if isinstance(county, str | tuple) else list(county)
    out: list[str] = []
    for w in wanted:
        if isinstance(w, tuple):
            p, c = w
        elif isinstance(w, str) and SEP in w:
            p, c = split(w)
        elif isinstance(w, str) and "/" in w:
            p, _, c = w.partition("/")
        else:
            p, c = province, w
        match = [k for k in present if split(k)[1] == c and (p is None or split(k)[0] == p)]
        if not match:
            raise E.PovexitError(EE.COUNTY_NOT_IN_SAMPLE(value=c if p is None else f"{p} {c}", file=source,
                                                         counties="、".join(label(k) for k in present[:10])))
        if len(match) > 1:
            raise E.PovexitError(EE.COUNTY_NAME_AMBIGUOUS(value=c, counties="、".join(label(k) for k in match)))
        out.append(match[0])
    return out
