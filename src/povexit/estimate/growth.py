"""How an indicator's 95% interval would shrink with more sample — and the smallest attainable extra
sample that would settle an indicator too close to its threshold (``near_threshold``).

A county sample is two-stage: villages, then households (or census groups) inside them. More
households in the villages already drawn only reduce the *within-village* part of the variance; the
part due to which villages were drawn needs more villages. So the variance V of an estimate is split
into V_W, the within-village part — estimated as the Taylor variance with the sampled villages as
strata and their households (or the county's census groups) as units, with their fpc — and the
between-village rest V_B = V − V_W, and the interval is recomputed (same estimate, same design effect
per stage) at ``k_v`` times the villages and ``k_h`` times the units per village:

    V(k_v, k_h) = V_B · (1/k_v)·(1 − k_v·a/A)/(1 − a/A) + Σ_s V_s · r_s(k_h) / k_v

with a villages drawn of A in the county, and per within-stratum s (a village's exited households,
its roster hits, the county's census groups…) r_s = (1/min(k_h·m, M) − 1/M)/(1/m − 1/M) for m units
drawn of M by simple random sampling (no more than the frame: at M the stratum is complete and adds
nothing), m/min(k_h·m, M) otherwise. The sample sizes behind the interval (persons, households, the
effective-size bounds) grow with the households surveyed, the bounds by the finite population
correction too (n_eff ≤ n/(1 − f)), and the degrees of freedom with the villages. A census of the
frame leaves no sampling error: the interval is the estimate.

:func:`settle` then looks for, in this order: more households in the sampled villages (up to all of
them); more villages (up to every village of the county); every village and more households in
each; and otherwise says that even a census would not settle it at the current estimate (only when
the estimate sits on the threshold, in practice).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import polars as pl

from . import svy

#: how far the sample may be scaled when the frame is unknown
MAX_SAMPLE_FACTOR = 1000.0
Mode = Literal["households", "villages", "census", "never"]


@dataclass
class Within:
    """The within-village strata of one statistic in one county (arrays, one entry per stratum)."""

    v: np.ndarray  # variance contribution now
    m: np.ndarray  # units drawn
    M: np.ndarray  # units in the stratum's frame (inf: unknown)
    srs: np.ndarray  # drawn by simple random sampling (the fpc applies to the variance)
    hh: np.ndarray  # households surveyed (of the statistic's domain)
    census: np.ndarray  # the stratum is the county's census groups

    def __post_init__(self) -> None:
        open_ = self.m < self.M  # strata that can take more units
        self._srs = np.flatnonzero(open_ & self.srs & (self.v != 0))  # fpc scaling
        self._wr = np.flatnonzero(open_ & ~self.srs & (self.v != 0))  # with replacement, capped by the frame
        self._per_unit = self.hh / np.maximum(self.m, 1)

    @staticmethod
    def empty() -> Within:
        z = np.zeros(0)
        return Within(z, z, z, z.astype(bool), z, z.astype(bool))

    def take(self, kh: float) -> np.ndarray:
        """Units drawn per stratum at ``kh`` times the units per village (no more than the frame)."""
        return np.minimum(kh * self.m, self.M)

    def variance(self, kh: float) -> float:
        """Σ_s V_s · r_s(kh) (module docstring); complete strata (every unit taken) add nothing."""
        total = 0.0
        i = self._srs
        if len(i):
            m, M = self.m[i], self.M[i]
            take = np.minimum(kh * m, M)
            total += float(np.dot(self.v[i], (1 / take - 1 / M) / (1 / m - 1 / M)))
        i = self._wr
        if len(i):
            m, M = self.m[i], self.M[i]
            take = kh * m
            total += float(np.dot(self.v[i], np.where(take >= M, 0.0, m / take)))
        return total

    def households(self, kh: float) -> float:
        return float(np.dot(self._per_unit, self.take(kh))) if len(self.m) else 0.0


def within_strata(codes: WithinCodes, z: np.ndarray, dom: np.ndarray) -> dict[int, Within]:
    """Per county (design group): the within-village strata of a statistic with weighted influence
    values ``z`` over the domain ``dom`` — every unit of a stratum that holds domain rows (units outside
    the domain have zero influence, as in domain estimation)."""
    dom = np.asarray(dom, bool)
    c = codes
    z_unit = np.bincount(c.unit, weights=np.nan_to_num(np.asarray(z, float)), minlength=c.n_units)
    keep = np.bincount(c.stratum, weights=dom.astype(float), minlength=c.n_strata) > 0
    u_keep = keep[c.unit_stratum]
    m = np.bincount(c.unit_stratum[u_keep], minlength=c.n_strata).astype(float)
    tot = np.bincount(c.unit_stratum[u_keep], weights=z_unit[u_keep], minlength=c.n_strata)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(m > 0, tot / m, 0.0)
    dev = z_unit - mean[c.unit_stratum]
    ss = np.bincount(c.unit_stratum[u_keep], weights=(dev * dev)[u_keep], minlength=c.n_strata)
    hh = np.bincount(c.stratum, weights=(c.is_hh & dom).astype(float), minlength=c.n_strata)
    M = np.maximum(c.M, m)
    srs = np.isfinite(M) & (np.abs(c.p - m / np.where(M > 0, M, 1.0)) < 1e-6)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(m > 1, m / (m - 1) * ss * np.where(srs, 1 - m / M, 1.0), 0.0)
    idx = np.flatnonzero(keep)
    g = c.group[idx]
    out: dict[int, Within] = {}
    bounds = np.searchsorted(g, np.arange(c.n_groups + 1))  # strata are numbered in group order
    for k in range(c.n_groups):
        sel = idx[bounds[k]:bounds[k + 1]]
        out[k] = Within(v[sel], m[sel], M[sel], srs[sel], hh[sel], c.census[sel]) if len(sel) else Within.empty()
    return out


@dataclass
class WithinCodes:
    """Integer codes of the within-village strata and units of the design rows (computed once)."""

    stratum: np.ndarray  # row -> within stratum (numbered in design-group order)
    unit: np.ndarray  # row -> unit
    unit_stratum: np.ndarray  # unit -> stratum
    group: np.ndarray  # stratum -> design group (county)
    M: np.ndarray  # stratum -> units in its frame (inf: unknown)
    p: np.ndarray  # stratum -> selection probability of its units
    census: np.ndarray  # stratum -> the county's census groups
    is_hh: np.ndarray  # row -> a surveyed household
    n_groups: int

    @property
    def n_strata(self) -> int:
        return len(self.group)

    @property
    def n_units(self) -> int:
        return len(self.unit_stratum)

    @staticmethod
    def of(frame: pl.DataFrame, n_groups: int) -> WithinCodes:
        """From design rows sorted by ``_g`` with ``wstr``, ``wunit``, ``pool``, ``p_unit``, ``sub``, ``is_hh``."""
        codes = frame.select(
            s=pl.struct("_g", "wstr").rank("dense").cast(pl.Int64) - 1,
            u=pl.struct("_g", "wstr", "wunit").rank("dense").cast(pl.Int64) - 1,
        )
        s, u = codes["s"].to_numpy(), codes["u"].to_numpy()
        n_s, n_u = int(s.max(initial=-1)) + 1, int(u.max(initial=-1)) + 1
        unit_stratum = np.zeros(n_u, np.int64)
        unit_stratum[u] = s
        group = np.zeros(n_s, np.int64)
        group[s] = frame["_g"].to_numpy()
        M = np.full(n_s, np.inf)
        M[s] = frame["pool"].cast(pl.Float64).fill_null(float("inf")).to_numpy()
        p = np.ones(n_s)
        p[s] = frame["p_unit"].cast(pl.Float64).fill_null(1.0).to_numpy()
        census = np.zeros(n_s, bool)
        census[s] = (frame["sub"] == "census").to_numpy()
        return WithinCodes(s, u, unit_stratum, group, M, p, census, frame["is_hh"].to_numpy().astype(bool), n_groups)


class Grower(Protocol):
    estimate: float
    kv_max: float
    kh_max: float
    villages: float

    def interval(self, kv: float, kh: float) -> tuple[float, float]: ...
    def surveyed(self, kv: float, kh: float) -> float: ...
    def groups(self, kv: float, kh: float) -> float: ...


@dataclass
class Growth:
    """One estimate's interval as a function of the sample (see the module docstring)."""

    estimate: float
    var: float
    n: float  # persons behind the interval (Korn–Graubard's n)
    units: float  # households (the zero-event n*)
    cap: float | None  # bound on the effective sample size
    df: float
    psu: float
    method: str
    within: Within
    villages: float  # a: villages drawn (not certainties) that hold the domain
    villages_frame: float  # A: villages of the county (nan: unknown)
    frame: float  # the frame the sampling fraction is taken of (nan: unknown)
    measure: Literal["surveyed", "villages", "groups"] = "surveyed"
    scale: float = 1.0  # the interval is computed for estimate/scale (the roster part of 漏评率) and scaled back
    v_between: float = field(init=False)
    scale_w: float = field(init=False)

    def __post_init__(self) -> None:
        vw = float(np.sum(self.within.v))
        self.scale_w = 1.0 if vw <= self.var or vw == 0 else self.var / vw  # V_W never above V
        self.v_between = max(self.var - vw * self.scale_w, 0.0)
        self._now = self.surveyed(1, 1)
        self._f0 = self.fraction(1, 1)

    @property
    def kv_max(self) -> float:
        if self.villages > 0 and math.isfinite(self.villages_frame) and self.villages_frame >= self.villages:
            return self.villages_frame / self.villages
        return MAX_SAMPLE_FACTOR

    @property
    def kh_max(self) -> float:
        w = self.within
        grow = w.m < w.M
        if not grow.any():
            return 1.0
        ratio = w.M[grow] / w.m[grow]
        return float(min(np.max(ratio), MAX_SAMPLE_FACTOR))

    def _kv(self, kv: float) -> float:
        return min(max(kv, 1.0), self.kv_max)

    def variance(self, kv: float, kh: float) -> float:
        kv = self._kv(kv)
        g = 1 / kv
        A, a = self.villages_frame, self.villages
        if math.isfinite(A) and A > a > 0:
            g *= max(1 - kv * a / A, 0.0) / (1 - a / A)
        return self.v_between * g + self.scale_w * self.within.variance(kh) / kv

    def surveyed(self, kv: float, kh: float) -> float:
        """Households surveyed at (kv, kh): no more than the frame when it is the households'."""
        w = self.within
        if not len(w.m):
            return 0.0
        n = self._kv(kv) * w.households(kh)
        if self.measure == "surveyed" and math.isfinite(self.frame) and self.frame > 0:
            n = min(n, max(self.frame, float(np.sum(w.hh))))
        return n

    def groups(self, kv: float, kh: float) -> float:
        w = self.within
        return self._kv(kv) * float(np.sum(w.take(kh)[w.census]))

    def fraction(self, kv: float, kh: float) -> float:
        if not (math.isfinite(self.frame) and self.frame > 0):
            return 0.0
        size = {"surveyed": self.surveyed, "groups": self.groups}.get(self.measure)
        now = self._kv(kv) * self.villages if size is None else size(kv, kh)
        return min(now / self.frame, 1.0)

    def interval(self, kv: float, kh: float) -> tuple[float, float]:
        p = self.estimate
        f = self.fraction(kv, kh)
        if f >= 1 - 1e-9:
            return p, p
        kv_e = self._kv(kv)
        now = self._now
        s = self.surveyed(kv, kh) / now if now > 0 else kv_e * kh
        if self.measure == "villages":
            s = kv_e
        f0 = self._f0
        cap = None if self.cap is None else self.cap * s * (1 - f0) / (1 - f)
        df = self.df + self.psu * (kv_e - 1)
        var = self.variance(kv, kh)
        if var <= 0 < self.var and 0 < p < 1:  # every unit of the model's frame taken: no sampling error left
            return p, p
        c = self.scale
        lo, hi = svy.prop_interval_scalar(p / c, var / c**2, self.n * s, df, self.method,
                                          units=self.units * s, n_eff_max=cap)
        return _clip01(lo * c), _clip01(hi * c)


@dataclass
class Sum:
    """A weighted sum of estimates (综合贫困发生率 from the two rates; 漏评率 from its roster and census
    parts) whose interval is MOVER of the parts' intervals (``mover``), clipped to [low, high]."""

    estimate: float
    parts: list[tuple[float, Any]]  # (weight, Growth or Sum)
    rho: float
    low: float = 0.0
    high: float = 1.0

    @property
    def kv_max(self) -> float:
        return max(g.kv_max for _, g in self.parts)

    @property
    def kh_max(self) -> float:
        return max(g.kh_max for _, g in self.parts)

    @property
    def villages(self) -> float:
        return max(g.villages for _, g in self.parts)

    def interval(self, kv: float, kh: float) -> tuple[float, float]:
        from .indicators import mover

        ivs = [(w, g.estimate, *g.interval(kv, kh)) for w, g in self.parts]
        lo, hi = mover(self.estimate, ivs, self.rho if len(ivs) == 2 else 0.0)
        return max(lo, self.low), min(hi, self.high)

    def surveyed(self, kv: float, kh: float) -> float:
        return sum(g.surveyed(kv, kh) for _, g in self.parts)

    def groups(self, kv: float, kh: float) -> float:
        return sum(g.groups(kv, kh) for _, g in self.parts)


def _clip01(v: float) -> float:
    return min(max(v, 0.0), 1.0) if math.isfinite(v) else float("nan")


def _smallest(clear, lo: float, hi: float) -> float:
    """Smallest k in [lo, hi] with ``clear(k)`` (monotone), to 0.2%; ``clear(hi)`` must hold."""
    if clear(lo):
        return lo
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        if clear(mid):
            hi = mid
        else:
            lo = mid
        if hi / lo < 1.002:
            break
    return hi


@dataclass
class Settlement:
    mode: Mode
    kv: float = 1.0
    kh: float = 1.0


def settle(g: Grower, threshold: float) -> Settlement:
    """The smallest attainable extra sample that brings the interval clear of ``threshold`` at the
    current estimate (module docstring): more households in the sampled villages, else more villages,
    else every village with more households, else none."""
    est = g.estimate
    if est == threshold:
        return Settlement("never")

    def clear(kv: float, kh: float) -> bool:
        lo, hi = g.interval(kv, kh)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return False
        return hi < threshold if est < threshold else lo > threshold

    kv_max, kh_max = g.kv_max, g.kh_max
    if kh_max > 1 and clear(1.0, kh_max):
        return Settlement("households", 1.0, _smallest(lambda k: clear(1.0, k), 1.0, kh_max))
    if kv_max > 1 and clear(kv_max, 1.0):
        return Settlement("villages", _smallest(lambda k: clear(k, 1.0), 1.0, kv_max), 1.0)
    if kh_max > 1 and clear(kv_max, kh_max):
        return Settlement("census", kv_max, _smallest(lambda k: clear(kv_max, k), 1.0, kh_max))
    return Settlement("never")
