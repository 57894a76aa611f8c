"""Vectorised ID numbers, birth dates and personal names.

Everything random is drawn for *all* members (cheap integer draws), and strings are built only for
the members asked for, so the registry is the same whether or not the truth (all members) is built.
"""

from __future__ import annotations

import numpy as np

from .. import idnumber
from . import names as N

WEIGHTS = np.array(idnumber.WEIGHTS, dtype=np.int64)
CHECK_CHARS = np.array(list(idnumber.CHECK_CHARS))
SEQ_CODES = 500  # sequence numbers per (region, birth date, sex): 00–99 × five odd/even digits


def birth_dates(rng: np.random.Generator, age: np.ndarray, reference_year: int) -> np.ndarray:
    """A birth date in year ``reference_year - age``: the age on 31 December of the reference year
    is then exactly ``age``."""
    by = reference_year - age.astype(np.int64)
    start = (by - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    leap = ((by % 4 == 0) & (by % 100 != 0)) | (by % 400 == 0)
    doy = (rng.random(len(age)) * (365 + leap)).astype(np.int64)
    return start + doy.astype("timedelta64[D]")


def ymd(dates: np.ndarray) -> np.ndarray:
    """datetime64[D] → int yyyymmdd."""
    y = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    m_start = dates.astype("datetime64[M]")
    m = m_start.astype(np.int64) % 12 + 1
    d = (dates - m_start.astype("datetime64[D]")).astype(np.int64) + 1
    return y * 10000 + m * 100 + d


def id_sequences(
    rng: np.random.Generator, region: np.ndarray, birth: np.ndarray, male: np.ndarray
) -> np.ndarray:
    """Sequence numbers (0–499) distinct within each (region, birth date, sex), so every ID is unique."""
    n = len(region)
    key = (region.astype(np.int64) * 200_000 + birth.astype(np.int64) + 100_000) * 2 + male.astype(np.int64)
    order = np.lexsort((rng.random(n), key))
    ks = key[order]
    first = np.ones(n, dtype=bool)
    first[1:] = ks[1:] != ks[:-1]
    grp = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    rank = np.arange(n) - starts[grp]
    if n and rank.max() >= SEQ_CODES:  # 500 people of one sex born the same day in one county
        raise ValueError("too many persons share a birth date and sex for distinct ID sequence numbers")
    base = rng.integers(0, SEQ_CODES, size=len(starts))
    seq = np.empty(n, dtype=np.int64)
    seq[order] = (base[grp] + rank) % SEQ_CODES
    return seq


def id_first17(region: np.ndarray, birth: np.ndarray, seq: np.ndarray, male: np.ndarray) -> np.ndarray:
    """The first 17 digits as int64, laid out as :func:`povexit.idnumber.make` does."""
    seq3 = (seq % 100) * 10 + ((seq // 100) * 2 + male.astype(np.int64)) % 10
    return region.astype(np.int64) * 10**11 + ymd(birth) * 1000 + seq3


def check_chars(first17: np.ndarray) -> np.ndarray:
    total = np.zeros(len(first17), dtype=np.int64)
    rest = first17.copy()
    for w in WEIGHTS[::-1]:  # last digit first
        total += (rest % 10) * w
        rest //= 10
    return CHECK_CHARS[total % 11]


def id_strings(first17: np.ndarray) -> np.ndarray:
    if len(first17) == 0:
        return np.array([], dtype="<U18")
    return np.strings.add(first17.astype("<U17"), check_chars(first17))


# ---- names --------------------------------------------------------------------------------------


def surname_table(boost: tuple[str, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
    """All surnames and their probabilities; ``boost`` surnames get the weight of the commonest."""
    chars = [s for s, _ in N.SURNAMES]
    w = [f for _, f in N.SURNAMES]
    for s in boost:
        if s not in chars:
            chars.append(s)
            w.append(0.02)
    arr = np.array(chars)
    p = np.array(w, dtype=float)
    if boost:
        top = p.max()
        for s in boost:
            p[chars.index(s)] += top
    return arr, p / p.sum()


# Given-name pools, one concatenated array: (sex, era) → slice.
_POOLS = {
    ("M", "old"): N.MALE_OLD,
    ("M", "new"): N.MALE_NEW,
    ("F", "old"): N.FEMALE_OLD,
    ("F", "new"): N.FEMALE_NEW,
}
_POOL_CHARS = np.array([c for k in _POOLS for c in _POOLS[k]])
_POOL_START = {}
_off = 0
for _k, _v in _POOLS.items():
    _POOL_START[_k] = (_off, len(_v))
    _off += len(_v)


def given_name_draws(
    rng: np.random.Generator, male: np.ndarray, birth_year: np.ndarray
) -> dict[str, np.ndarray]:
    """Random choices for every member's given name (Han style) and minority-style names."""
    n = len(male)
    old = birth_year < 1980
    new = birth_year >= 2000
    use_new = np.where(old, False, np.where(new, True, rng.random(n) < 0.5))
    use_new2 = np.where(old, False, np.where(new, True, rng.random(n) < 0.5))
    two = rng.random(n) < np.where(old, 0.72, np.where(new, 0.78, 0.7))

    def pick(new_flag: np.ndarray) -> np.ndarray:
        start = np.zeros(n, dtype=np.int64)
        size = np.zeros(n, dtype=np.int64)
        for (sex, era), (s0, ln) in _POOL_START.items():
            m = (male == (sex == "M")) & (new_flag == (era == "new"))
            start[m] = s0
            size[m] = ln
        return start + (rng.random(n) * size).astype(np.int64)

    c1 = pick(use_new)
    c2 = pick(use_new2)
    u = rng.random((4, n))
    return {"c1": c1, "c2": c2, "two": two, "u": u}


def build_names(
    *,
    surnames: np.ndarray,
    surname_idx: np.ndarray,
    draws: dict[str, np.ndarray],
    male: np.ndarray,
    style: np.ndarray,
    idx: np.ndarray,
) -> np.ndarray:
    """Names of the members ``idx`` (positions into the draw arrays). ``style``: 0 Han, 1 Tibetan,
    2 Uyghur."""
    if len(idx) == 0:
        return np.array([], dtype="<U12")
    m = male[idx]
    st = style[idx]
    c1 = _POOL_CHARS[draws["c1"][idx]]
    c2 = np.where(draws["two"][idx], _POOL_CHARS[draws["c2"][idx]], "")
    han = np.strings.add(np.strings.add(surnames[surname_idx[idx]], c1), c2)
    out = han.astype("<U12")
    u = draws["u"][:, idx]
    if (st == 1).any():
        tm, tf = np.array(N.TIBETAN_MALE), np.array(N.TIBETAN_FEMALE)
        p1 = np.where(m, tm[(u[0] * len(tm)).astype(int)], tf[(u[0] * len(tf)).astype(int)])
        p2 = np.where(m, tm[(u[1] * len(tm)).astype(int)], tf[(u[1] * len(tf)).astype(int)])
        tib = np.strings.add(p1, p2)
        out = np.where(st == 1, tib, out)
    if (st == 2).any():
        um, uf = np.array(N.UYGHUR_MALE), np.array(N.UYGHUR_FEMALE)
        own = np.where(m, um[(u[2] * len(um)).astype(int)], uf[(u[2] * len(uf)).astype(int)])
        father = um[(u[3] * len(um)).astype(int)]
        uyg = np.strings.add(np.strings.add(own, "·"), father)
        out = np.where(st == 2, uyg, out)
    return out


def place_names(
    rng: np.random.Generator, n: int, suffix: str | np.ndarray, taken: set[str] | None = None
) -> list[str]:
    """``n`` distinct two-character place names plus a suffix (镇/乡/村/县), avoiding ``taken``."""
    taken = set() if taken is None else taken
    first, second = np.array(N.PLACE_FIRST), np.array(N.PLACE_SECOND)
    out: list[str] = []
    suffixes = np.broadcast_to(np.asarray(suffix), (n,))
    seen = set(taken)
    while len(out) < n:
        k = (n - len(out)) * 2 + 8
        a = first[rng.integers(0, len(first), k)]
        b = second[rng.integers(0, len(second), k)]
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            if x == y:
                continue
            i = len(out)
            if i >= n:
                break
            name = x + y + str(suffixes[i])
            if name in seen:
                continue
            seen.add(name)
            out.append(name)
    return out
