"""Household stage within the sampled villages of one county.

Two shapes, as the design says:

* **county totals** (jilin-2018, yunnan-2018, national): registered households (by status) are
  allocated over the sampled villages so the county total is met (equal / proportional /
  self-weighting, capped by what a village holds) and drawn by SRS or systematic selection within
  each village; non-registered households come from a census of chosen village groups (PPS by
  non-registered population) plus every roster hit (大数据比对) in a sampled village.
* **per-village quotas** (midyear-2020): 5 poor, 5 exited, 5 non-registered (from the focus rosters)
  per village, a type that runs short filled from the others in the design's substitution order;
  every monitored household of a sampled village is taken with certainty.

All allocations are deterministic functions of the frame counts, so ``p_household = k / m`` is exact
(conditional on the village sample). Reserve households are the continuation of the same random
order, ranked for substitution.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from .. import errors as E
from ..contracts import STATUS_ZH
from ..errors import sampling as ES
from .design import QUOTA_TYPES, Design
from .selection import (
    allocate,
    allocate_bounded,
    derived_rng,
    pps_probabilities,
    srs_order,
    stratum_weights,
    systematic,
)

HH_COLUMNS = {
    "household_id": pl.String, "village_id": pl.String, "group": pl.String, "instrument": pl.String,
    "household_type": pl.String, "source": pl.String, "p_household": pl.Float64, "fpc_household": pl.Int64,
    "persons": pl.Int64, "roster_sources": pl.String, "id_masked": pl.String, "reserve_rank": pl.Int64,
}
GROUP_COLUMNS = {
    "village_id": pl.String, "group": pl.String, "nonregistered_population": pl.Int64,
    "registered_persons": pl.Int64, "expected_households": pl.Float64, "p_group": pl.Float64, "fpc_group": pl.Int64,
}
TYPE_STATUSES = {"poor": ("poor", "returned"), "exited": ("exited",)}
TYPE_ZH = {"poor": "贫困户", "exited": "脱贫户", "general": "非建档立卡户"}


@dataclass
class HouseholdDraw:
    households: pl.DataFrame
    reserve: pl.DataFrame
    groups: pl.DataFrame
    summary: dict = field(default_factory=dict)
    warnings: list[E.Diagnostic] = field(default_factory=list)


def draw_households(
    villages: pl.DataFrame,
    registered: pl.DataFrame,
    rosters: pl.DataFrame,
    groups: pl.DataFrame,
    design: Design,
    seed: int,
    county: str,
    registered_persons: int,
    *,
    census: bool = False,
) -> HouseholdDraw:
    """``villages``: the county's sampled villages (with ``p_village``); ``registered``: their
    registered households (:func:`frame.household_frame`); ``rosters``: roster hits in them;
    ``groups``: their groups (:func:`frame.group_frame`). ``census``: every village of the county
    was sampled (a shortfall is then the county's size, not the village sample's)."""
    villages = villages.sort("village_id")
    name = villages["county"][0] if villages.height else county  # for messages; the key seeds the streams
    reg = _Frame(registered)
    hits = _Frame(rosters)
    out = _Rows()
    warnings: list[E.Diagnostic] = []
    hs = design.households
    if hs.monitored:
        for v in villages["village_id"].to_list():
            idx = reg.rows(v)
            mon = idx[reg.monitored[idx]]
            out.add(reg, mon, v, "registered", "monitored", "frame", 1.0, len(mon))
    if hs.quotas is not None:
        summary = _quota_stage(villages, reg, hits, design, seed, name, out, warnings)
        group_rows = pl.DataFrame(schema=GROUP_COLUMNS)
    else:
        summary = _totals_stage(villages, reg, design, seed, name, registered_persons, out, warnings, census)
        n_hits = 0
        if hs.general.roster_hits:
            for v in villages["village_id"].to_list():
                idx = hits.rows(v)
                out.add(hits, idx, v, "general", "roster", "roster", 1.0, len(idx))
                n_hits += len(idx)
        group_rows = _census_groups(villages, groups, design, seed, county, name, summary["general_target"],
                                    n_hits, warnings)
        summary["roster_hits"] = n_hits
        summary["census_groups"] = group_rows.height
        summary["census_expected_households"] = round(float(group_rows["expected_households"].sum()), 1)
    main, reserve = out.frames()
    return HouseholdDraw(main, reserve, group_rows, summary, warnings)


# ---- county totals ---------------------------------------------------------------------------------


def _totals_stage(villages, reg: _Frame, design, seed, name, registered_persons, out, warnings,
                  census: bool = False) -> dict:
    hs = design.households
    reg_target, gen_target = hs.targets(registered_persons)
    statuses = list(hs.registered.statuses)
    vids = villages["village_id"].to_list()
    frames = {v: reg.rows(v, statuses, exclude_monitored=hs.monitored) for v in vids}
    m = np.array([len(frames[v]) for v in vids], dtype=np.int64)
    weak = (villages["weak_area"].fill_null(False).to_numpy().astype(bool)
            if design.villages.stratify == "poor_weak" and "weak_area" in villages.columns else None)
    k = registered_allocation(reg_target, m, villages["p_village"].to_numpy(), hs.registered.allocation,
                              hs.registered.min_per_village, weak, design.villages.weak_share)
    if m.sum() < reg_target:
        short = ES.COUNTY_HOUSEHOLDS_SHORT if census else ES.HOUSEHOLD_SHORTFALL
        warnings.append(short(county=name, kind_zh="、".join(STATUS_ZH[s] for s in statuses),
                                               kind_en="/".join(statuses), available=int(m.sum()), planned=reg_target))
    for v, k_v in zip(vids, k, strict=True):
        _draw_type(reg, frames[v], int(k_v), hs.reserve_per_village, hs.registered.method,
                   derived_rng(seed, "households", v, "registered"), v, "registered", "registered", out)
    out_summary = {"registered_target": reg_target, "general_target": gen_target,
                   "registered_frame": int(m.sum()), "registered_drawn": int(k.sum()),
                   "registered_allocation": hs.registered.allocation}
    if weak is not None:
        out_summary["registered_weak_area"] = int(k[weak].sum())
    return out_summary


def registered_allocation(total: int, m: np.ndarray, p_village: np.ndarray, allocation: str, minimum: int,
                          weak: np.ndarray | None = None, weak_share: float = 0.0) -> np.ndarray:
    """Registered households per sampled village (``m``: each village's frame, ``p_village`` its
    inclusion probability), summing to ``total`` as far as the villages hold it.

    * ``equal`` — the same number in every village, capped by what a village holds (the overflow
      shared by the others);
    * ``proportional`` — ∝ ``m``;
    * ``self_weighting`` — ∝ ``m / p_village``, so a household's overall probability
      ``p_village · k/m`` is the same constant f in every village: a self-weighting sample of the
      county's frame. Where the documents' weak-area share of households (``weak_share`` of the
      total in villages flagged ``weak``) would not be reached, the weak-area villages are given
      exactly that share and each part is self-weighting on its own (two rates, f_weak > f_other).

    Proportional and self-weighting allocations are capped at ``m`` (the surplus shared by the
    other villages in the same proportion) and give every village at least ``min(m, minimum)`` so
    that no sampled village is empty. The result is a deterministic function of the frame counts
    and the village probabilities, so ``p_household = k/m`` is exact given the village sample."""
    m = np.asarray(m, dtype=np.int64)
    if allocation == "equal":
        return allocate(total, np.ones(len(m)), m)
    lo = np.minimum(m, max(int(minimum), 0))
    w = m.astype(np.float64) if allocation == "proportional" else m / np.asarray(p_village, dtype=np.float64)
    k = allocate_bounded(total, w, lo, m)
    if allocation != "self_weighting" or weak is None or not weak.any() or weak.all() or weak_share <= 0:
        return k
    total = int(k.sum())
    other = ~weak
    need = int(np.floor(weak_share * total + 0.5))
    # what each side can hold decides how far the weak-area share can be honoured
    need = min(max(need, total - int(m[other].sum()), int(lo[weak].sum())),
               total - int(lo[other].sum()), int(m[weak].sum()))
    if int(k[weak].sum()) >= need:
        return k
    out = k.copy()
    out[weak] = allocate_bounded(need, w[weak], lo[weak], m[weak])
    out[other] = allocate_bounded(total - int(out[weak].sum()), w[other], lo[other], m[other])
    return out


def _census_groups(villages, groups, design, seed, county, name, target, n_hits, warnings) -> pl.DataFrame:
    """Choose the census groups: the fewest between ``groups.min`` and ``groups.max`` whose expected
    non-registered households (with the roster hits) reach the target, more if even ``max`` falls
    short; drawn by systematic PPS on non-registered population over a township-sorted list."""
    gs = design.households.general
    if gs.groups_max == 0 or groups.height == 0:
        return pl.DataFrame(schema=GROUP_COLUMNS)
    g = (groups.join(villages.select("village_id", "township", "p_village"), on="village_id", how="inner")
         .sort("township", "village_id", "group"))
    size = g["nonregistered_population"].to_numpy().astype(np.float64)
    exp_hh = g["expected_households"].to_numpy()
    eligible = int((size > 0).sum())
    if eligible == 0:
        return pl.DataFrame(schema=GROUP_COLUMNS)
    x = group_sizes(size, g["p_village"].to_numpy(), gs.groups_method)

    def expected(n: int) -> float:
        return float((pps_probabilities(x, n) * exp_hh).sum())

    n = min(gs.groups_min, eligible)
    while n < min(gs.groups_max, eligible) and n_hits + expected(n) < target:
        n += 1
    if n_hits + expected(n) < target and n < eligible:
        at_max = n
        while n < eligible and n_hits + expected(n) < target:
            n += 1
        warnings.append(ES.GROUPS_EXTENDED(county=name, max=at_max, expected=round(n_hits + expected(at_max)),
                                           planned=target, value=n))
    w, interval, _ = stratum_weights(x, n, equal=False)
    hit = systematic(w, interval, derived_rng(seed, "groups", county))
    return g.with_columns(
        pl.Series("p_group", w / interval, dtype=pl.Float64),
        pl.lit(eligible, dtype=pl.Int64).alias("fpc_group"),
    ).filter(pl.Series(hit)).select(list(GROUP_COLUMNS)).sort("village_id", "group")


def group_sizes(nonregistered: np.ndarray, p_village: np.ndarray, method: str) -> np.ndarray:
    """The measure of size the census groups are drawn by (groups without non-registered people: 0).

    * ``pps`` — non-registered population: p_group ∝ size among the sampled villages' groups, so
      the overall probability p_village·p_group still carries the village's p (weights 1/(p_v·p_g)
      range over two orders of magnitude where the village stage oversamples poor villages);
    * ``equal`` — every group alike (p_group equal, overall ∝ p_village);
    * ``self_weighting`` — 1/p_village: p_village·p_group is the same for every group not taken
      with certainty, and since a census group's households are all surveyed, every census
      household has that same overall probability (a self-weighting census). (Overall PPS — size /
      p_village — was measured too and did worse: weights ∝ 1/size, docs/decisions.md.)"""
    size = np.asarray(nonregistered, dtype=np.float64)
    p = np.asarray(p_village, dtype=np.float64)
    has = size > 0
    return {
        "pps": size,
        "equal": np.where(has, 1.0, 0.0),
        "self_weighting": np.where(has, 1.0 / p, 0.0),
    }[method]


# ---- per-village quotas ----------------------------------------------------------------------------


def _quota_stage(villages, reg: _Frame, hits: _Frame, design, seed, name, out, warnings) -> dict:
    hs = design.households
    quotas = hs.quotas or {}
    drawn = dict.fromkeys(QUOTA_TYPES, 0)
    short: dict[str, list[str]] = {t: [] for t in QUOTA_TYPES}
    for v in villages["village_id"].to_list():
        frames = {t: reg.rows(v, s, exclude_monitored=hs.monitored) for t, s in TYPE_STATUSES.items()}
        frames["general"] = hits.rows(v)
        k = quota_allocation(quotas, {t: len(f) for t, f in frames.items()}, hs.substitution)
        for t in QUOTA_TYPES:
            if quotas.get(t, 0) > len(frames[t]):
                short[t].append(v)
            general = t == "general"
            _draw_type(hits if general else reg, frames[t], k[t], hs.reserve_per_village, "srs",
                       derived_rng(seed, "households", v, t), v, "general" if general else "registered", t, out,
                       source="roster" if general else "frame")
            drawn[t] += k[t]
    for t, vids in short.items():
        if vids:
            warnings.append(ES.QUOTA_SUBSTITUTED(county=name, value=len(vids), kind_zh=TYPE_ZH[t], kind_en=t,
                                                 planned=quotas[t], villages="、".join(vids[:8]) + ("…" if len(vids) > 8 else "")))
    return {"quotas": quotas, "drawn": drawn, "villages_short": {t: len(v) for t, v in short.items()}}


def quota_allocation(quotas: dict[str, int], available: dict[str, int], substitution: dict[str, tuple[str, ...]]
                     ) -> dict[str, int]:
    """Households per type in one village: the quota, capped by what the village has; a type's
    shortfall goes to the types its substitution list names, in order, as far as they have spare."""
    k = {t: min(quotas.get(t, 0), available.get(t, 0)) for t in QUOTA_TYPES}
    for t in QUOTA_TYPES:
        short = quotas.get(t, 0) - k[t]
        for s in substitution.get(t, ()):
            if short <= 0:
                break
            add = min(short, available.get(s, 0) - k[s])
            if add > 0:
                k[s] += add
                short -= add
    return k


# ---- drawing within a village ------------------------------------------------------------------------


def _draw_type(frame: _Frame, idx: np.ndarray, k: int, reserve: int, method: str, rng: np.random.Generator,
               village_id: str, instrument: str, household_type: str, out: _Rows, *, source: str = "frame") -> None:
    """Draw ``k`` of the ``m`` households ``idx`` of one frame (p = k/m each) and the next
    ``reserve`` in random order as ranked substitutes. ``idx`` is in household-id order."""
    m = len(idx)
    if m == 0 or k <= 0:
        return
    if method == "systematic":  # list by group, then household id (implicit stratification by group)
        idx = idx[np.argsort(frame.group_rank[idx], kind="stable")]
        hit = systematic(np.full(m, k, dtype=np.int64), m, rng)
        main = idx[hit]
        rest = idx[~hit]
        spare = rest[srs_order(len(rest), rng)]
    else:
        order = srs_order(m, rng)
        main, spare = idx[np.sort(order[:k])], idx[order[k:]]
    p = k / m
    out.add(frame, np.sort(main), village_id, instrument, household_type, source, p, m)
    if reserve and len(spare):
        r = spare[:reserve]
        out.add(frame, r, village_id, instrument, household_type, source, p, m,
                reserve_rank=np.arange(1, len(r) + 1))


class _Frame:
    """A frame sorted by village and household id, with numpy views for fast per-village work."""

    def __init__(self, df: pl.DataFrame):
        self.df = df.sort("village_id", "household_id") if df.height else df
        v = self.df["village_id"].to_numpy() if df.height else np.array([], dtype=object)
        uniq, first, count = np.unique(v, return_index=True, return_counts=True)
        self.span = {u: (int(f), int(f + c)) for u, f, c in zip(uniq.tolist(), first, count, strict=True)}
        n = self.df.height
        self.status = self.df["status"].to_numpy() if "status" in self.df.columns else np.full(n, None)
        self.monitored = (self.df["monitored"].fill_null(False).to_numpy().astype(bool)
                          if "monitored" in self.df.columns else np.zeros(n, dtype=bool))
        groups = self.df["group"].fill_null("").to_numpy() if "group" in self.df.columns else np.full(n, "")
        self.group_rank = np.unique(groups.astype(str), return_inverse=True)[1] if n else np.zeros(0, dtype=np.int64)

    def rows(self, village_id: str, statuses=None, *, exclude_monitored: bool = False) -> np.ndarray:
        a, b = self.span.get(village_id, (0, 0))
        idx = np.arange(a, b)
        if statuses is not None:
            idx = idx[np.isin(self.status[idx], list(statuses))]
        if exclude_monitored:
            idx = idx[~self.monitored[idx]]
        return idx


class _Rows:
    """Collects the selections (row indices into a frame plus their design values) of both lists."""

    def __init__(self) -> None:
        self.parts: dict[bool, list[tuple]] = {False: [], True: []}

    def add(self, frame: _Frame, idx: np.ndarray, village_id: str, instrument: str, household_type: str,
            source: str, p: float, m: int, reserve_rank: np.ndarray | None = None) -> None:
        if len(idx):
            self.parts[reserve_rank is not None].append(
                (frame, idx, village_id, instrument, household_type, source, p, m, reserve_rank))

    def frames(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        return self._build(self.parts[False]), self._build(self.parts[True])

    @staticmethod
    def _build(parts: list[tuple]) -> pl.DataFrame:
        tables = [pl.DataFrame(schema=HH_COLUMNS)]
        for frame in {id(p[0]): p[0] for p in parts}.values():
            mine = [p for p in parts if p[0] is frame]
            sizes = [len(p[1]) for p in mine]

            def rep(i: int, name: str, mine=mine, sizes=sizes) -> pl.Series:
                return pl.Series(name, np.repeat(np.array([p[i] for p in mine], dtype=object), sizes).tolist(),
                                 dtype=HH_COLUMNS[name])

            ranks = [p[8] if p[8] is not None else np.full(n, None) for p, n in zip(mine, sizes, strict=True)]
            design_cols = [
                rep(2, "village_id"), rep(3, "instrument"), rep(4, "household_type"), rep(5, "source"),
                rep(6, "p_household"), rep(7, "fpc_household"),
                pl.Series("reserve_rank", np.concatenate(ranks).astype(object).tolist(), dtype=pl.Int64),
            ]
            rows = frame.df[np.concatenate([p[1] for p in mine])]
            taken = {c.name for c in design_cols}
            df = rows.select([c for c in HH_COLUMNS if c in rows.columns and c not in taken]).with_columns(design_cols)
            tables.append(df.select([(pl.col(c).cast(t) if c in df.columns else pl.lit(None, dtype=t)).alias(c)
                                     for c, t in HH_COLUMNS.items()]))
        return pl.concat(tables)
