"""Release batches: the village list stays sealed and goes to team leaders batch by batch on arrival
(seed 001 §四(三): 由省扶贫办分批次提供给各评估检查组组长).

Batches follow townships (a team works one area at a time) in a random township order drawn from
the seed, so the county cannot guess which villages come next. A released batch carries its own
villages, households, groups and reserve only, and a manifest *without* the seed or the design
parameters: with them and the registry anyone could re-draw the sealed rest.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .. import errors as E
from ..errors import sampling as ES
from .design import ReleaseSpec
from .model import Sample
from .selection import srs_order


def assign_batches(villages: pl.DataFrame, spec: ReleaseSpec, rng: np.random.Generator) -> pl.DataFrame:
    """``villages`` (one county's sampled villages) with ``batch`` numbered from 1."""
    towns = sorted(villages["township"].unique().to_list())
    rank = {towns[i]: pos for pos, i in enumerate(srs_order(len(towns), rng))}
    v = villages.with_columns(pl.col("township").replace_strict(rank, return_dtype=pl.Int64).alias("_rank")) \
        .sort("_rank", "village_id").drop("_rank")
    n = v.height
    if spec.batch_size:
        batch = np.arange(n) // spec.batch_size + 1
    else:
        k = min(spec.batches or 1, n)
        batch = np.concatenate([np.full(len(c), i + 1) for i, c in enumerate(np.array_split(np.arange(n), k))])
    return v.with_columns(pl.Series("batch", batch.astype(np.int64)))


def release_batch(sample: Sample, batch: int, county: str | None = None) -> Sample:
    """The part of ``sample`` in release batch ``batch`` (of every county, or of ``county``)."""
    v = sample.villages
    if county is not None:
        v = v.filter(pl.col("county") == county)
    available = sorted(int(b) for b in v["batch"].drop_nulls().unique().to_list())
    if batch not in available:
        raise E.PovexitError(ES.BATCH_NOT_FOUND(value=batch, allowed=", ".join(map(str, available)) or "—"))
    v = v.filter(pl.col("batch") == batch)
    ids = v["village_id"].implode()
    keep = pl.col("village_id").is_in(ids)
    manifest = {
        "kind": "sample-release",
        "contract": sample.manifest.get("contract"),
        "design": {"name": sample.manifest.get("design", {}).get("name")},
        "batch": batch,
        "batches": available,
        "county": county,
        "counts": {"villages": v.height, "households": int(sample.households.filter(keep).height)},
        "sample_manifest_sha256": sample.manifest_sha256,
        "povexit_version": sample.manifest.get("povexit_version"),
        "created_at": sample.manifest.get("created_at"),
    }
    return Sample(v, sample.households.filter(keep), sample.groups.filter(keep), sample.reserve.filter(keep),
                  manifest)
