"""Village stage: stratified systematic selection with exact inclusion probabilities.

Strata are poor / non-poor × weak-area / other (or townships, for the mid-2020 design). Within a
stratum villages are listed by township, then village id (implicit stratification) and drawn by
systematic PPS or equal-probability selection. When the design asks that every township be reached,
each township is *anchored* in one stratum, chosen by a small assignment problem
(:func:`scipy.optimize.linear_sum_assignment`) so that as little probability as possible has to
move: in its anchor stratum the township's probabilities are raised to sum to at least 1, which in
a township-sorted systematic draw guarantees it a village. The probabilities written are the ones
drawn with — the oversampling of weak areas and small townships stays a probability sample.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy.optimize import linear_sum_assignment

from .. import errors as E
from ..errors import sampling as ES
from .design import Design
from .frame import STRATUM_CODES
from .selection import allocate, derived_rng, pps_probabilities, stratum_weights, systematic

_INFEASIBLE = 1e12


@dataclass
class VillageDraw:
    frame: pl.DataFrame  # every village of the county with stratum, p_village, selected
    strata: list[dict] = field(default_factory=list)  # stratum, N, n, boosted townships
    warnings: list[E.Diagnostic] = field(default_factory=list)

    @property
    def selected(self) -> pl.DataFrame:
        return self.frame.filter(pl.col("selected"))


def stratum_column(frame: pl.DataFrame, design: Design) -> pl.Expr:
    how = design.villages.stratify
    if how == "township":
        return pl.col("township")
    if how == "none":
        return pl.lit("all")
    return (pl.when(pl.col("poor_village")).then(pl.lit("poor")).otherwise(pl.lit("nonpoor"))
            + pl.when(pl.col("weak_area")).then(pl.lit("_weak")).otherwise(pl.lit("_other")))


def draw_villages(frame: pl.DataFrame, design: Design, seed: int, county: str) -> VillageDraw:
    """Draw the villages of one county (``frame`` from :func:`frame.village_frame`)."""
    if frame.height == 0:
        raise E.PovexitError(ES.FRAME_EMPTY(value=county))
    vs = design.villages
    warnings: list[E.Diagnostic] = []
    name = frame["county"][0]  # for messages; ``county`` (the key) seeds the random streams
    f = frame.with_columns(stratum_column(frame, design).alias("stratum"))
    townships = sorted(f["township"].unique().to_list())
    tcode = {t: i for i, t in enumerate(townships)}
    f = f.with_columns(pl.col("township").replace_strict(tcode, return_dtype=pl.Int64).alias("_t"))

    if vs.stratify == "township":
        n_h, reasons = _township_allocation(f, design, name, warnings)
        order = ["_t", pl.col("poor_village").not_(), pl.col("weak_area").not_(), "village_id"]
        anchors: dict[str, set[int]] = {}
    else:
        n_total = _village_count(f, design, name, warnings)
        n_h = _strata_allocation(f, design, n_total, name, warnings)
        reasons = {s: ("weak-area" if s.endswith("_weak") else "random") for s in n_h}
        order = ["_t", "village_id"]
        anchors = {}
        if vs.cover_townships:
            planned = sum(n_h.values())
            while True:  # a grown stratum has other certainties: plan again until nothing grows
                anchors, grow, unplaced = _anchor_townships(f, design, n_h, len(townships))
                if not grow and not unplaced:
                    break
                for st, g in grow.items():
                    n_h[st] += g
                if unplaced and not grow:
                    n_h[unplaced[0][1]] += 1
            if sum(n_h.values()) > planned:
                warnings.append(ES.VILLAGE_COUNT_RAISED(county=name, townships=len(townships), planned=planned,
                                                        value=sum(n_h.values())))

    parts, strata = [], []
    for s in sorted(n_h):
        sub = f.filter(pl.col("stratum") == s).sort(order)
        anchored = np.zeros(len(townships), dtype=bool)
        anchored[list(anchors.get(s, ()))] = True
        w, interval, boosted = stratum_weights(
            sub["size"].to_numpy(), n_h[s], equal=vs.method == "equal",
            blocks=sub["_t"].to_numpy(), anchored=anchored,
        )
        hit = systematic(w, interval, derived_rng(seed, "villages", county, s))
        p = w / interval
        parts.append(sub.with_columns(
            pl.Series("p_village", p, dtype=pl.Float64),
            pl.Series("selected", hit),
            pl.lit(reasons[s]).alias("reason"),
            pl.lit(sub.height, dtype=pl.Int64).alias("fpc_village"),
            pl.lit(n_h[s], dtype=pl.Int64).alias("n_stratum"),
            pl.col("_t").is_in([int(b) for b in boosted]).alias("township_boosted"),
        ))
        strata.append({"stratum": s, "N": sub.height, "n": n_h[s],
                       "boosted_townships": [townships[b] for b in boosted]})
    out = pl.concat(parts).drop("_t").sort("township", "village_id")
    if vs.cover_townships and vs.stratify != "township":
        missed = set(townships) - set(out.filter("selected")["township"].to_list())
        if missed:  # the construction guarantees coverage; reaching here is a bug, not bad data
            raise AssertionError(f"township coverage failed for {sorted(missed)}")
    return VillageDraw(out, strata, warnings)


def _village_count(f: pl.DataFrame, design: Design, county: str, warnings: list) -> int:
    vs = design.villages
    if f.height < vs.min_count:
        warnings.append(ES.FEW_VILLAGES(county=county, value=f.height, planned=vs.min_count))
    return min(vs.count, f.height)


def _strata_allocation(f: pl.DataFrame, design: Design, n: int, county: str, warnings: list) -> dict[str, int]:
    """Villages per stratum: poor share first, then weak share within each, capped by what each
    stratum holds (the overflow goes to the sibling stratum first), then at least
    ``min_per_stratum`` in every stratum that has villages."""
    vs = design.villages
    counts = dict(f.group_by("stratum").len().iter_rows())
    if vs.stratify == "none":
        return {"all": n}
    if vs.weak_share > 0 and not any(counts.get(c, 0) for c in STRATUM_CODES if c.endswith("_weak")):
        warnings.append(ES.NO_WEAK_VILLAGES(county=county, value=vs.weak_share))
    n_poor = counts.get("poor_weak", 0) + counts.get("poor_other", 0)
    if vs.poor_share > 0 and n_poor == 0:
        warnings.append(ES.NO_POOR_STRATUM(county=county, value=vs.poor_share, kind_zh="贫困村（含已出列村）",
                                           kind_en="poor (or exited poor) villages", other_zh="非贫困村",
                                           other_en="a non-poor village"))
    elif vs.poor_share < 1 and n_poor == f.height:
        warnings.append(ES.NO_POOR_STRATUM(county=county, value=round(1 - vs.poor_share, 6), kind_zh="非贫困村",
                                           kind_en="non-poor villages", other_zh="贫困村（含已出列村）",
                                           other_en="a poor (or exited poor) village"))
    cap = np.array([counts.get(c, 0) for c in STRATUM_CODES], dtype=np.int64)
    rows = allocate(n, np.array([vs.poor_share, 1 - vs.poor_share]), np.array([cap[0] + cap[1], cap[2] + cap[3]]))
    n_h = np.zeros(4, dtype=np.int64)
    n_h[:2] = allocate(int(rows[0]), np.array([vs.weak_share, 1 - vs.weak_share]), cap[:2])
    n_h[2:] = allocate(int(rows[1]), np.array([vs.weak_share, 1 - vs.weak_share]), cap[2:])
    target = n * np.array([vs.poor_share * vs.weak_share, vs.poor_share * (1 - vs.weak_share),
                           (1 - vs.poor_share) * vs.weak_share, (1 - vs.poor_share) * (1 - vs.weak_share)])
    for i, c in enumerate(STRATUM_CODES):
        if cap[i] < np.floor(target[i]) and cap[i] > 0:
            warnings.append(ES.STRATUM_SHORT(county=county, column=c, available=int(cap[i]),
                                             planned=int(np.floor(target[i]))))
    # every stratum that has villages gets min_per_stratum (≥ 1: no village may have probability 0),
    # taken from the strata with most to spare; below that the design's shares give way
    for floor in range(1, vs.min_per_stratum + 1):
        minimum = np.minimum(cap, floor)
        while True:
            short = np.flatnonzero(n_h < minimum)
            spare = n_h - minimum
            if not len(short) or spare.max() <= 0:
                break
            n_h[short[0]] += 1
            n_h[int(np.argmax(spare))] -= 1
    empty = [c for i, c in enumerate(STRATUM_CODES) if cap[i] > 0 and n_h[i] == 0]
    if empty:  # fewer villages than strata: the last ones get one more village each
        n_h[[STRATUM_CODES.index(c) for c in empty]] = 1
        warnings.append(ES.VILLAGE_COUNT_RAISED_STRATA(county=county, planned=n, value=int(n_h.sum()),
                                                       column=", ".join(empty)))
    return {c: int(n_h[i]) for i, c in enumerate(STRATUM_CODES) if cap[i] > 0}


def _township_allocation(f: pl.DataFrame, design: Design, county: str, warnings: list
                         ) -> tuple[dict[str, int], dict[str, str]]:
    """Explicit township strata (mid-2020): key townships ``per_township.key`` villages, others
    ``per_township.other``, capped by the villages each township has."""
    vs = design.villages
    present = set(f["township"].unique().to_list())
    key = set(f.filter(pl.col("key_township"))["township"].unique().to_list())
    for t in vs.key_townships:
        if t in present:
            key.add(t)
        else:
            warnings.append(ES.KEY_TOWNSHIP_UNKNOWN(value=t, county=county))
    counts = dict(f.group_by("township").len().iter_rows())
    n_h = {t: min(counts[t], vs.per_township_key if t in key else vs.per_township_other) for t in present}
    short = sorted(t for t in present if counts[t] < (vs.per_township_key if t in key else vs.per_township_other))
    if short:
        warnings.append(ES.TOWNSHIP_SHORT(county=county, value=len(short), column="、".join(short[:8]) + (
            "…" if len(short) > 8 else "")))
    reasons = {t: "key-township" if t in key else "township" for t in present}
    return n_h, reasons


def _anchor_townships(f: pl.DataFrame, design: Design, n_h: dict[str, int], n_townships: int
                      ) -> tuple[dict[str, set[int]], dict[str, int], list[tuple[int, str]]]:
    """Choose, for every township not already reached by a certainty village, the stratum that
    guarantees it a village. Each stratum can anchor at most its non-certainty sample size minus
    one (so villages outside anchored townships keep a positive probability) — or all of it when
    every township it holds can be anchored there. An anchor beyond that needs the stratum to grow.

    Returns the anchors per stratum, how many villages each stratum must grow by for the anchors
    chosen, and the townships no stratum could take now (each with the stratum best placed to
    grow for it). The caller grows the strata and plans again, since larger strata have other
    certainties, until nothing needs to grow."""
    equal = design.villages.method == "equal"
    strata = sorted(n_h)
    info = {}
    certain_towns: set[int] = set()
    for s in strata:
        sub = f.filter(pl.col("stratum") == s)
        t = sub["_t"].to_numpy()
        x = np.ones(sub.height) if equal else sub["size"].to_numpy()
        pi = pps_probabilities(x, n_h[s])
        certain_towns |= set(t[pi >= 1.0].tolist())
        mass = np.bincount(t, weights=pi, minlength=n_townships)
        info[s] = (set(t.tolist()), set(t[pi < 1.0].tolist()), mass, int((pi >= 1.0).sum()), sub.height)
    rows = [t for t in range(n_townships) if t not in certain_towns]
    if not rows:
        return {}, {}, []
    cols: list[tuple[str, int]] = []  # (stratum, k): k = 0 regular slot, k ≥ 1 the k-th extra slot
    cost_cols = []
    first_cost: dict[str, int] = {}  # villages a stratum grows by for its first extra anchor
    for s in strata:
        towns, uncertain_towns, mass, n_cert, N = info[s]
        avail = n_h[s] - n_cert
        room = N - n_h[s]
        # all of avail may go to anchors only if no village of the stratum would be left outside them
        all_anchorable = not (uncertain_towns & certain_towns) and len(uncertain_towns) <= avail
        regular = avail if all_anchorable else max(avail - 1, 0)
        # with no free village left, the first extra anchor needs a second village for the outsiders
        # (unless that fills the stratum: then every village is certain)
        first_cost[s] = min(2 if (not all_anchorable and avail <= 0) else 1, max(room, 1))
        extra = max(0, min(len(rows), room - first_cost[s] + 1))
        base = np.array([(1.0 - min(mass[t], 1.0)) if t in towns - certain_towns else _INFEASIBLE for t in rows])
        for k in range(regular + extra):
            cols.append((s, 0 if k < regular else k - regular + 1))
            cost_cols.append(base + (0 if k < regular else 1000.0 * (k - regular + 1)))
    anchors: dict[str, set[int]] = {}
    grow: dict[str, int] = {}
    placed: set[int] = set()
    if cost_cols:
        cost = np.column_stack(cost_cols)
        for i, j in zip(*linear_sum_assignment(cost), strict=True):
            if cost[i, j] >= _INFEASIBLE:
                continue
            s, k = cols[j]
            anchors.setdefault(s, set()).add(rows[i])
            placed.add(rows[i])
            if k > 0:
                grow[s] = grow.get(s, 0) + (first_cost[s] if k == 1 else 1)
    unplaced = []
    for t in rows:
        if t not in placed:
            room = [(info[s][2][t], s) for s in strata if t in info[s][1] and info[s][4] > n_h[s]]
            unplaced.append((t, max(room)[1]))
    return anchors, grow, unplaced
