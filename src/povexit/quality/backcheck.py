"""Back-check sampling (三级核查): a seeded random share of the interviews, stratified by enumerator pair,
for checkers to re-interview.

Allocation: the total is ``ceil(share × N)``. Each pair (stratum) first gets ``floor(share × N_h)``; the
remaining draws go to the pairs with the largest remainders ``share × N_h − floor(share × N_h)`` (ties
in a seeded random order: Hamilton's method); then every pair with fewer than ``min_per_stratum`` gets
that many (or all its interviews), so every enumerator is back-checked. Each pair's share thus stays
within one interview of ``share`` except where the minimum applies. Within a pair, a simple random
sample without replacement; ``p_selection`` = n_h / N_h is the exact inclusion probability, so
back-check results can be weighted to the whole fieldwork.

Determinism: interviews are ordered by (stratum, instance_id) before drawing, so the same interviews,
share and seed give the same list whatever order the input rows are in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from ..errors import Diagnostic, PovexitError
from ..errors import quality as EQ
from .frame import submissions

MAX_SEED = 2**63 - 1
_NEEDED = {"instance_id", "household_id", "instrument", "county", "township", "village", "village_id", "group",
           "enumerators", "enumerator_id", "enumerator_partner", "started_at", "ended_at", "submission_date"}
COLUMNS = ("backcheck_no", "instance_id", "household_id", "instrument", "county", "township", "village", "village_id",
           "group", "enumerators", "day", "reason", "stratum", "stratum_size", "stratum_drawn", "p_selection", "weight")


@dataclass
class BackcheckDraw:
    selected: pl.DataFrame  # COLUMNS, one row per interview to re-interview
    strata: pl.DataFrame  # stratum, county, enumerators, N, n, p
    share: float
    seed: int
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, Any]:
        random_part = self.selected.filter(pl.col("reason") == "random")
        return {"share": self.share, "seed": self.seed, "interviews": int(self.strata["N"].sum()),
                "strata": self.strata.height, "drawn": random_part.height,
                "target": target_total(int(self.strata["N"].sum()), self.share),
                "flagged_added": self.selected.height - random_part.height}


def target_total(n: int, share: float) -> int:
    """ceil(share × n), robust to floating error (0.05 × 200 is 10, not 11)."""
    return min(n, math.ceil(round(share * n, 9)))


def allocate(sizes: np.ndarray, share: float, min_per_stratum: int, rng: np.random.Generator) -> np.ndarray:
    """Draws per stratum (see module docstring)."""
    sizes = np.asarray(sizes, dtype=np.int64)
    exact = share * sizes
    base = np.floor(np.round(exact, 9)).astype(np.int64)
    rem = exact - base
    extra = target_total(int(sizes.sum()), share) - int(base.sum())
    n = base.copy()
    if extra > 0:
        tie = rng.random(len(sizes))
        order = np.lexsort((tie, -rem))  # largest remainder first, seeded tie-break
        eligible = [i for i in order if rem[i] > 1e-12 and n[i] < sizes[i]]
        for i in eligible[:extra]:
            n[i] += 1
    return np.maximum(n, np.minimum(min_per_stratum, sizes))


def draw_backcheck(responses: Any, share: float, seed: int, *, min_per_stratum: int = 1,
                   flagged: Iterable[str] = ()) -> BackcheckDraw:
    """Draw the back-check list from the household interviews of ``responses`` (as for ``check``).

    ``flagged``: instance IDs to add with certainty (reason ``flagged``, not counted in the share) — e.g.
    the interviews with an error-level quality flag (凡疑必核).
    """
    if isinstance(share, bool) or not isinstance(share, int | float) or not (0 < share <= 1) or math.isnan(share):
        raise PovexitError(EQ.BAD_SHARE(value=share))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not (0 <= int(seed) <= MAX_SEED):
        raise PovexitError(EQ.BAD_SEED(value=seed))
    households = responses if isinstance(responses, pl.DataFrame) else (
        responses.get("households") if isinstance(responses, dict) else getattr(responses, "households", None))
    if isinstance(households, pl.DataFrame):  # identity columns only: the answers play no part in the draw
        households = households.select([c for c in households.columns if c in _NEEDED])
    prep = submissions(households, str(getattr(responses, "source", None) or "responses"))
    sub = prep.sub.with_columns(
        pl.concat_str([pl.col("county"), pl.col("enumerators").fill_null("?")], separator="/").alias("stratum"))
    sub = sub.sort("stratum", "instance_id")
    strata = sub.group_by("stratum", maintain_order=True).agg(
        pl.col("county").first(), pl.col("enumerators").first(), pl.len().alias("N"))
    rng = np.random.default_rng(int(seed))
    n = allocate(strata["N"].to_numpy(), float(share), min_per_stratum, rng)
    strata = strata.with_columns(pl.Series("n", n, dtype=pl.Int64)).with_columns(
        (pl.col("n") / pl.col("N")).alias("p"))
    keys = rng.random(sub.height)
    sub = sub.with_columns(pl.Series("_u", keys)).join(strata.select("stratum", "n", "N", "p"), on="stratum",
                                                       how="left", maintain_order="left")
    sub = sub.with_columns(pl.col("_u").rank("ordinal").over("stratum").alias("_rank"))
    chosen = sub.filter(pl.col("_rank") <= pl.col("n")).with_columns(pl.lit("random").alias("reason"))
    extra_ids = sorted({str(x) for x in flagged} - set(chosen["instance_id"].to_list()))
    certain = sub.filter(pl.col("instance_id").is_in(extra_ids)).with_columns(
        pl.lit("flagged").alias("reason"), pl.lit(1.0).alias("p"))
    out = pl.concat([chosen, certain], how="vertical_relaxed").sort("reason", "stratum", "instance_id",
                                                                    descending=[True, False, False])
    out = out.with_columns(
        pl.int_range(1, pl.len() + 1).alias("backcheck_no"),
        pl.col("N").alias("stratum_size"), pl.col("n").alias("stratum_drawn"), pl.col("p").alias("p_selection"),
        (1 / pl.col("p")).alias("weight"),
    ).select(list(COLUMNS))
    warnings: list[Diagnostic] = []
    drawn = int(n.sum())
    target = target_total(int(strata["N"].sum()), float(share))
    if drawn > target:
        warnings.append(EQ.BACKCHECK_MINIMUM(value=drawn, target=target, minimum=min_per_stratum))
    return BackcheckDraw(selected=out, strata=strata.select("stratum", "county", "enumerators", "N", "n", "p"),
                         share=float(share), seed=int(seed), warnings=warnings)
