"""The :class:`Sample` object and the column order of the sample files (contract §2 first, then the
extras of docs/data-layout.md "sample/ extras")."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import Diagnostic

S, F, INT, B = pl.String, pl.Float64, pl.Int64, pl.Boolean

VILLAGE_SCHEMA: dict[str, Any] = {
    # contract §2
    "county": S, "township": S, "village": S, "village_id": S, "stratum": S, "reason": S, "p_village": F,
    "batch": INT,
    # extras
    "fpc_village": INT, "weak_area": B, "poor_village": B, "province": S, "city": S, "n_stratum": INT, "size": F,
    "certainty": B, "township_boosted": B, "p_county": F,
}
HOUSEHOLD_SCHEMA: dict[str, Any] = {
    # contract §2
    "household_id": S, "village_id": S, "group": S, "instrument": S, "stratum": S, "psu": S, "p_village": F,
    "p_household": F, "weight": F, "persons": INT,
    # extras
    "fpc_household": INT, "county": S, "township": S, "village": S, "source": S, "reserve_rank": INT,
    "household_type": S, "roster_sources": S, "id_masked": S, "province": S, "city": S, "p_county": F,
    "weight_national": F,
}
GROUP_SCHEMA: dict[str, Any] = {
    # contract §2
    "county": S, "township": S, "village": S, "village_id": S, "group": S, "nonregistered_population": INT,
    # extras
    "p_group": F, "registered_persons": INT, "expected_households": F, "fpc_group": INT, "stratum": S, "psu": S,
    "p_village": F, "weight": F, "batch": INT, "province": S, "city": S, "p_county": F,
}
RESERVE_SCHEMA = HOUSEHOLD_SCHEMA

FILES = {"villages.csv": VILLAGE_SCHEMA, "households.csv": HOUSEHOLD_SCHEMA, "groups.csv": GROUP_SCHEMA,
         "reserve.csv": RESERVE_SCHEMA}


@dataclass
class Sample:
    """A drawn (or loaded) sample: the four tables of ``sample/`` and the manifest."""

    villages: pl.DataFrame
    households: pl.DataFrame
    groups: pl.DataFrame
    reserve: pl.DataFrame
    manifest: dict[str, Any]
    warnings: list[Diagnostic] = field(default_factory=list)
    path: Path | None = None
    manifest_sha256: str | None = None  # of manifest.json as written (set by load_sample)

    @property
    def batches(self) -> list[int]:
        return sorted(int(b) for b in self.villages["batch"].drop_nulls().unique().to_list())

    def tables(self) -> dict[str, pl.DataFrame]:
        return {"villages.csv": self.villages, "households.csv": self.households, "groups.csv": self.groups,
                "reserve.csv": self.reserve}


def conform(df: pl.DataFrame, schema: dict[str, Any]) -> pl.DataFrame:
    """``df`` with exactly the schema's columns in its order (missing ones null)."""
    return df.select([
        (pl.col(c).cast(t) if c in df.columns else pl.lit(None, dtype=t)).alias(c) for c, t in schema.items()
    ])
