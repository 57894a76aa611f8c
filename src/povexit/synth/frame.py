"""The frame of one county: townships, villages (三边一少 flags, poor/exited), village groups, and
where every household lives.

Remoteness is a township-level latent plus village noise, so remote, edge (边角) and poor villages
cluster; border villages lie in the peripheral townships; minority villages cluster in
minority-dominated townships (more in autonomous prefectures).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .places import Province
from .strings import place_names

CN_NUM = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")


@dataclass(frozen=True)
class CountySpec:
    index: int  # position in the world (seeds derive from it)
    province: Province
    city: str
    city_code: str
    county: str
    county_code: str  # 6 digits
    region: str  # central | western
    threshold: float
    exit_year: int  # 申请退出年度
    households: int  # target rural households (registered + not)
    registered_persons: int | None = None  # exact registry persons when set
    name_style: str = "han"  # personal names of minority villages: han | tibetan | uyghur
    minority_base: float = 0.05
    surname_boost: tuple[str, ...] = ()


@dataclass
class Frame:
    # townships
    t_name: list[str]
    t_code: np.ndarray  # 3-digit codes (1xx 镇, 2xx 乡)
    t_key: np.ndarray  # 重点乡镇
    # villages
    v_town: np.ndarray
    v_name: list[str]
    v_code: list[str]  # 12-digit 统计用区划代码
    v_remote: np.ndarray
    v_edge: np.ndarray
    v_border: np.ndarray
    v_minority: np.ndarray
    v_poor: np.ndarray
    v_exited_year: np.ndarray  # 0 = empty
    v_latent: np.ndarray  # remoteness latent (higher = more remote)
    v_households: np.ndarray
    v_style: np.ndarray  # 0 Han, 1 Tibetan, 2 Uyghur names
    v_dominant: np.ndarray  # (V, 2) dominant surname indices
    # groups
    g_village: np.ndarray
    g_name: list[str]
    g_households: np.ndarray
    # households (ordered by village, group)
    h_village: np.ndarray
    h_group: np.ndarray
    h_no: np.ndarray  # 1-based within village

    @property
    def weak(self) -> np.ndarray:
        return self.v_remote | self.v_edge | self.v_border | self.v_minority


def _allocate(rng: np.random.Generator, total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Integers ≥ minimum summing to total, proportional to weights (largest remainder)."""
    n = len(weights)
    rest = total - minimum * n
    share = weights / weights.sum() * rest
    base = np.floor(share).astype(np.int64)
    left = rest - int(base.sum())
    if left > 0:
        frac = share - base + rng.random(n) * 1e-9
        base[np.argsort(-frac, kind="stable")[:left]] += 1
    return base + minimum


def _allocate_within(
    rng: np.random.Generator, totals: np.ndarray, owner: np.ndarray, weights: np.ndarray, minimum: int
) -> np.ndarray:
    """:func:`_allocate` for many owners at once: the parts of owner ``o`` (rows with ``owner == o``,
    contiguous) are ≥ ``minimum`` and sum to ``totals[o]``, proportional to ``weights``."""
    count = np.bincount(owner, minlength=len(totals))
    rest = totals - minimum * count
    wsum = np.bincount(owner, weights=weights, minlength=len(totals))
    share = weights / wsum[owner] * rest[owner]
    base = np.floor(share).astype(np.int64)
    left = rest - np.bincount(owner, weights=base, minlength=len(totals)).astype(np.int64)
    frac = share - base + rng.random(len(owner)) * 1e-9
    order = np.lexsort((-frac, owner))
    start = np.cumsum(count) - count
    rank = np.empty(len(owner), dtype=np.int64)
    rank[order] = np.arange(len(owner)) - start[owner[order]]
    return base + (rank < left[owner]) + minimum


def village_exit_years(rng: np.random.Generator, n: int, first: int, last: int) -> np.ndarray:
    years = np.arange(first, last + 1)
    w = np.linspace(1.0, 2.0, len(years))
    return rng.choice(years, size=n, p=w / w.sum())


def build_frame(
    rng: np.random.Generator, spec: CountySpec, reference_year: int, surname_p: np.ndarray
) -> Frame:
    H = spec.households
    V = int(rng.integers(150, 301))
    V = int(min(V, max(6, H // 60)))
    T = int(rng.integers(10, 21))
    T = int(max(2, min(T, V // 3)))

    # townships
    t_remote = rng.normal(0.0, 1.0, T)
    t_peripheral = rng.random(T) < 0.45
    t_minority = rng.random(T) < spec.minority_base
    is_town = rng.random(T) < 0.6
    t_suffix = np.where(is_town, "镇", "乡")
    t_name = place_names(rng, T, t_suffix)
    t_code = np.where(is_town, 100, 200) + np.arange(1, T + 1)
    t_key = np.zeros(T, dtype=bool)
    t_key[np.argsort(-(t_remote + rng.normal(0, 0.5, T)), kind="stable")[: max(1, T // 3)]] = True

    per_town = _allocate(rng, V, rng.dirichlet(np.full(T, 3.0)), 2)
    v_town = np.repeat(np.arange(T), per_town)
    v_latent = 0.75 * t_remote[v_town] + 0.66 * rng.normal(0.0, 1.0, V)
    v_remote = v_latent > 0.85
    v_edge = rng.random(V) < 1.0 / (1.0 + np.exp(2.6 - 1.0 * v_latent))
    v_border = t_peripheral[v_town] & (rng.random(V) < 0.35)
    v_minority = rng.random(V) < np.where(t_minority[v_town], 0.8, 0.04)
    q = 0.7 * v_latent + 0.6 * v_minority + 0.8 * rng.normal(0.0, 1.0, V)
    poor_share = rng.uniform(0.30, 0.40)
    v_poor = np.zeros(V, dtype=bool)
    v_poor[np.argsort(-q, kind="stable")[: round(poor_share * V)]] = True
    last = min(spec.exit_year, reference_year)
    first = max(2014, min(2016, last))
    v_exited_year = np.where(v_poor, village_exit_years(rng, V, first, last), 0)
    still_poor = v_poor & (rng.random(V) < (0.03 if spec.exit_year >= reference_year else 0.01))
    v_exited_year[still_poor] = 0

    v_names = place_names(rng, V, "村")
    v_pos = np.arange(V) - np.repeat(np.cumsum(per_town) - per_town, per_town)
    v_code = [
        f"{spec.county_code}{t_code[t]:03d}{200 + p + 1:03d}"
        for t, p in zip(v_town.tolist(), v_pos.tolist(), strict=True)
    ]
    style_code = {"han": 0, "tibetan": 1, "uyghur": 2}[spec.name_style]
    v_style = np.where(v_minority, style_code, 0)
    if spec.province.code == "54":  # Tibet: Tibetan names everywhere
        v_style[:] = 1
    v_dominant = rng.choice(len(surname_p), size=(V, 2), p=surname_p)

    # households per village and groups
    size_w = rng.lognormal(0.0, 0.45, V) * np.where(v_remote, 0.8, 1.0)
    v_households = _allocate(rng, H, size_w, 20)
    g_count = np.clip(np.rint(v_households / rng.uniform(25, 60, V)), 4, 12).astype(np.int64)
    g_count = np.minimum(g_count, v_households // 5)
    g_village = np.repeat(np.arange(V), g_count)
    g_households = _allocate_within(rng, v_households, g_village, rng.gamma(5.0, size=len(g_village)), 3)
    g_name = [
        CN_NUM[i] + "组"
        for i in (np.arange(len(g_village)) - np.repeat(np.cumsum(g_count) - g_count, g_count))
    ]
    h_group = np.repeat(np.arange(len(g_village)), g_households)
    h_village = g_village[h_group]
    starts = np.repeat(np.cumsum(v_households) - v_households, v_households)
    h_no = np.arange(H) - starts + 1
    return Frame(
        t_name=t_name,
        t_code=t_code,
        t_key=t_key,
        v_town=v_town,
        v_name=v_names,
        v_code=v_code,
        v_remote=v_remote,
        v_edge=v_edge,
        v_border=v_border,
        v_minority=v_minority,
        v_poor=v_poor,
        v_exited_year=v_exited_year,
        v_latent=v_latent,
        v_households=v_households,
        v_style=v_style,
        v_dominant=v_dominant,
        g_village=g_village,
        g_name=g_name,
        g_households=g_households,
        h_village=h_village,
        h_group=h_group,
        h_no=h_no,
    )
