"""Selection primitives with exactly known inclusion probabilities.

Every selection here is *integer-exact*: a unit carries an integer weight ``w`` out of an integer
``interval``; systematic selection with a uniform integer start in ``[0, interval)`` takes it with
probability exactly ``w / interval``. Equal-probability selection of k of m uses ``w = k,
interval = m`` (so ``p = k/m`` exactly); unequal probabilities use ``interval = 2**40`` and weights
quantised from the real probabilities so that each stratum's weights sum to exactly
``n × interval`` — the written probability ``w / 2**40`` is a binary fraction, exact in a CSV
float, and the probabilities of a stratum sum to its sample size.

Systematic selection over a list sorted by township has the property the coverage rule relies on:
a run of consecutive units whose weights sum to at least one interval always contains a selection.

Randomness: each stage draws from its own generator derived from the user's seed and the stage's
name (county, village id …) with :func:`derived_rng`, so one county's or village's draw does not
depend on the others and the sample is reproducible piece by piece. The algorithms are written here
(not delegated to a library) so a published seed reproduces the same sample with later povexit
versions: only numpy's PCG64 stream (``integers``, ``permutation``) is relied on.
"""

from __future__ import annotations

import hashlib

import numpy as np

PPS_INTERVAL = 1 << 40  # resolution of unequal probabilities: 2**-40 ≈ 9e-13
_CERTAIN = 1.0 - 1e-12  # a real probability this close to 1 is certainty
_BLOCK_MARGIN = 1e-9  # an anchored township's probability mass must exceed 1 by this before quantising


def derived_rng(seed: int, *keys: str) -> np.random.Generator:
    """A PCG64 generator for one stage, from the user's seed and the stage's keys."""
    entropy = [int(seed)] + [int.from_bytes(hashlib.sha256(k.encode("utf-8")).digest()[:8], "big") for k in keys]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))


# ---- probabilities --------------------------------------------------------------------------------


def pps_probabilities(sizes: np.ndarray, n: float) -> np.ndarray:
    """π_i = n·x_i / Σx, with units whose π would reach 1 taken with certainty and the rest of the
    sample spread over the others (repeated until no π exceeds 1). Units of size 0 get 0."""
    x = np.asarray(sizes, dtype=np.float64)
    pi = np.zeros(len(x))
    if n <= 0 or len(x) == 0:
        return pi
    certain = np.zeros(len(x), dtype=bool)
    positive = x > 0
    while True:
        free = positive & ~certain
        budget = n - certain.sum()
        total = x[free].sum()
        if budget <= 0 or total <= 0:
            break
        p = budget * x / total
        over = free & (p >= _CERTAIN)
        if not over.any():
            pi[free] = p[free]
            break
        certain |= over
    pi[certain] = 1.0
    return pi


def stratum_weights(
    sizes: np.ndarray,
    n: int,
    *,
    equal: bool,
    blocks: np.ndarray | None = None,
    anchored: np.ndarray | None = None,
) -> tuple[np.ndarray, int, np.ndarray]:
    """Integer weights and interval for drawing ``n`` of the units of one stratum.

    ``sizes`` are the measures of size (ignored when ``equal``). ``blocks`` gives each unit's
    township code (0..T−1) and ``anchored`` (bool per code) the townships that must be reached:
    their units' probabilities are raised so that they sum to 1 when they would sum to less, which
    with systematic selection over a township-sorted list guarantees a selection in each of them.
    The other units share what is left in proportion to size. Returns ``(w, interval,
    boosted)`` with ``boosted`` the township codes whose probabilities were raised.
    """
    m = len(sizes)
    x = np.ones(m) if equal else np.maximum(np.asarray(sizes, dtype=np.float64), 0.0)
    if n >= m:
        return np.ones(m, dtype=np.int64), 1, np.zeros(0, dtype=np.int64)
    if n <= 0:
        return np.zeros(m, dtype=np.int64), 1, np.zeros(0, dtype=np.int64)
    fixed = np.full(m, np.nan)  # final real probability of units settled so far
    block_of = blocks if blocks is not None else np.zeros(m, dtype=np.int64)
    anchored = anchored if anchored is not None else np.zeros(int(block_of.max(initial=-1)) + 1, dtype=bool)
    boosted: list[int] = []
    while True:
        free = np.isnan(fixed)
        budget = n - np.nansum(fixed)
        total = x[free].sum()
        p = np.where(free, budget * x / total if total > 0 else 0.0, fixed)
        over = free & (p >= _CERTAIN)
        if over.any():
            fixed[over] = 1.0
            continue
        low = []
        for t in np.flatnonzero(anchored):
            members = block_of == t
            if members.any() and free[members].all() and p[members].sum() < 1.0 + _BLOCK_MARGIN:
                low.append(t)
        if not low:
            break
        for t in low:
            members = block_of == t
            xm = x[members] if x[members].sum() > 0 else np.ones(int(members.sum()))
            fixed[members] = xm / xm.sum()
            boosted.append(int(t))
    pi = np.where(np.isnan(fixed), p, fixed)
    if np.nansum(fixed) > n + 1e-9 or ((pi < 1e-9) & (x > 0)).any():
        # the caller anchors at most n − certainties − 1 townships, which rules this out
        raise ValueError("the anchored townships take more than the sample: other units would have probability 0")
    if equal and not boosted and np.allclose(pi, n / m):
        return np.full(m, n, dtype=np.int64), m, np.zeros(0, dtype=np.int64)
    w = np.zeros(m, dtype=np.int64)
    certain = ~np.isnan(fixed) & (fixed == 1.0)
    w[certain] = PPS_INTERVAL
    for t in boosted:
        members = np.flatnonzero(block_of == t)
        w[members] = quantize(pi[members], PPS_INTERVAL)
    rest = np.isnan(fixed)
    used = int(w.sum())
    if rest.any():
        w[rest] = quantize(pi[rest], n * PPS_INTERVAL - used)
    return w, PPS_INTERVAL, np.array(sorted(boosted), dtype=np.int64)


def quantize(pi: np.ndarray, total: int) -> np.ndarray:
    """Non-negative integers proportional to ``pi`` summing to ``total`` (largest remainder; ties
    to the earlier unit)."""
    pi = np.asarray(pi, dtype=np.float64)
    if total <= 0 or len(pi) == 0:
        return np.zeros(len(pi), dtype=np.int64)
    s = pi.sum()
    exact = pi / s * total if s > 0 else np.full(len(pi), total / len(pi))
    base = np.floor(exact).astype(np.int64)
    short = int(total - base.sum())
    if short > 0:
        order = np.lexsort((np.arange(len(pi)), -(exact - base)))
        base[order[:short]] += 1
    elif short < 0:  # float rounding pushed the floors over; take back from the smallest remainders
        order = np.lexsort((np.arange(len(pi)), exact - base))
        base[order[:-short]] -= 1
    return base


# ---- drawing ---------------------------------------------------------------------------------------


def systematic(weights: np.ndarray, interval: int, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask of the units hit by systematic selection (points ``start + k·interval``).

    Each unit is hit with probability exactly ``weights[i] / interval`` (weights must not exceed
    the interval); the number hit is ``sum(weights) / interval`` when that is an integer.
    """
    w = np.asarray(weights, dtype=np.int64)
    if len(w) == 0:
        return np.zeros(0, dtype=bool)
    if int(w.max()) > interval:
        raise ValueError("a weight exceeds the interval")
    start = int(rng.integers(0, interval))
    upper = np.cumsum(w)
    lower = upper - w
    return _points_below(upper, start, interval) > _points_below(lower, start, interval)


def _points_below(x: np.ndarray, start: int, interval: int) -> np.ndarray:
    """Number of points start + k·interval (k ≥ 0) that are < x."""
    return np.maximum(0, (x - start + interval - 1) // interval)


def srs_order(m: int, rng: np.random.Generator) -> np.ndarray:
    """A uniformly random order of ``m`` units: its first k are a simple random sample of k
    (probability k/m each), the rest a random reserve order."""
    return rng.permutation(m)


def allocate_bounded(total: int, weights: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Integers ``k`` with ``lower ≤ k ≤ upper`` summing to ``total`` (clamped to ``[Σlower, Σupper]``),
    as close to proportional to ``weights`` as the bounds allow.

    The real targets are ``clip(λ·w, lower, upper)`` with the one λ that makes them sum to the total
    (water-filling from both sides: units whose share falls below their floor keep the floor, units
    above their cap keep the cap, the rest share what is left in proportion to ``w``); they are then
    rounded by largest remainder (ties to the earlier unit), which never crosses an integer bound.
    Units of weight 0 get their floor unless the others cannot hold the total; then they share the
    rest equally. Deterministic: a function of the arguments only."""
    w = np.clip(np.asarray(weights, dtype=np.float64), 0.0, None)
    lo = np.asarray(lower, dtype=np.int64)
    hi = np.maximum(np.asarray(upper, dtype=np.int64), lo)
    total = int(min(max(total, int(lo.sum())), int(hi.sum())))
    pos = w > 0
    if len(w) == 0 or pos.all():
        return _bounded_positive(total, w, lo, hi)
    k = lo.copy()
    zero_floor = int(lo[~pos].sum())
    k[pos] = _bounded_positive(min(total - zero_floor, int(hi[pos].sum())), w[pos], lo[pos], hi[pos])
    rest = total - int(k.sum())
    if rest > 0:
        k[~pos] = _bounded_positive(zero_floor + rest, np.ones(int((~pos).sum())), lo[~pos], hi[~pos])
    return k


def _bounded_positive(total: int, w: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """:func:`allocate_bounded` for positive weights."""
    total = int(min(max(total, int(lo.sum())), int(hi.sum())))
    if len(w) == 0:
        return lo.copy()

    # scale-free: relative weights, the smallest kept at 1e-12 of the largest so λ stays finite
    w = np.maximum(w / w.max(), 1e-12)

    def filled(lam: float) -> np.ndarray:
        return np.clip(lam * w, lo, hi)

    if filled(0.0).sum() >= total:
        target = lo.astype(np.float64)
    else:
        # Σ clip(λw) is continuous and non-decreasing in λ, and at λ = max(hi/w) every unit is at
        # its cap (Σ = Σhi ≥ total): bisect between 0 and there
        a, b = 0.0, float(np.max(hi / w))
        for _ in range(200):
            mid = 0.5 * (a + b)
            if mid in (a, b):
                break
            if filled(mid).sum() < total:
                a = mid
            else:
                b = mid
        target = filled(b)
    base = np.minimum(np.floor(target + 1e-9).astype(np.int64), hi)
    base = np.maximum(base, lo)
    short = total - int(base.sum())
    if short > 0:
        room = base < hi
        frac = np.where(room, target - base, -np.inf)
        order = np.lexsort((np.arange(len(w)), -frac))
        base[order[:short]] += 1
    elif short < 0:
        room = base > lo
        frac = np.where(room, target - base, np.inf)
        order = np.lexsort((np.arange(len(w)), frac))
        base[order[:-short]] -= 1
    return base


def allocate(total: int, weights: np.ndarray, caps: np.ndarray | None = None) -> np.ndarray:
    """Integers proportional to ``weights`` summing to ``min(total, Σcaps)``, none above its cap.

    Units that would exceed their cap get the cap and the rest is shared again (water-filling);
    the final rounding is by largest remainder, ties to the earlier unit. Zero weights get nothing
    unless the positive-weight units cannot hold the total.
    """
    w = np.asarray(weights, dtype=np.float64)
    k = len(w)
    cap = np.full(k, np.iinfo(np.int64).max // 4, dtype=np.int64) if caps is None else np.asarray(caps, dtype=np.int64)
    total = int(min(total, cap.sum()))
    a = np.zeros(k, dtype=np.int64)
    if total <= 0 or k == 0:
        return a
    for base in (np.clip(w, 0.0, None), np.ones(k)):
        while True:
            remaining = total - int(a.sum())
            active = (a < cap) & (base > 0)
            if remaining <= 0 or not active.any():
                break
            share = remaining * np.where(active, base, 0.0) / base[active].sum()
            over = active & (a + share >= cap)
            if over.any():
                a[over] = cap[over]
                continue
            a += quantize(share, remaining)
            break
        if int(a.sum()) >= total:
            break
    return a
