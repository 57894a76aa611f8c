"""Sample size for a rate, the design effect of village clusters, and the documents' rule of thumb.

n0 = z²·p(1−p)/e² (753 at p = 2 %, e = 1 %, 95 %), then the design effect, then the finite
population correction n = n0·deff / (1 + (n0·deff − 1)/N), then non-response. Each stage is
rounded up, the way svy (the Python peer) does it, so the two agree to the household.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

from .. import errors as E
from ..errors import sampling as ES

#: seed 001 §四(一): 600 exited households; 400 non-registered; 1000 in all, 1200–1500 with ≥10k poor.
RULE_REGISTERED = 600
RULE_GENERAL = 400
RULE_POOR_THRESHOLD = 10_000


@dataclass(frozen=True)
class SampleSize:
    p: float
    margin: float
    confidence: float
    deff: float
    population: int | None
    response_rate: float
    z: float
    n0: int  # simple random sample, infinite population
    n_deff: int  # after the design effect
    n_fpc: int  # after the finite population correction
    n: int  # after non-response: the number to draw

    def to_dict(self) -> dict[str, float | int | None]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class RuleOfThumb:
    """The documents' household numbers for one county (seed 001 §四(一), seed 003)."""

    registered: int
    general: int
    total_low: int
    total_high: int
    zh: str
    en: str


def design_effect(cluster_size: float, icc: float) -> float:
    """Kish's design effect of cluster sampling, 1 + (m − 1)ρ (m households per village, ρ the
    intra-village correlation of the indicator)."""
    _check("cluster_size", cluster_size, cluster_size >= 1, "m ≥ 1")
    _check("icc", icc, -1 / max(cluster_size - 1, 1) <= icc <= 1, "−1/(m−1) ≤ ρ ≤ 1")
    return 1.0 + (cluster_size - 1.0) * icc


def sample_size(
    p: float,
    margin: float,
    confidence: float = 0.95,
    deff: float = 1.0,
    N: int | None = None,
    response_rate: float = 1.0,
) -> SampleSize:
    """Households needed to estimate a rate near ``p`` within ±``margin`` at ``confidence``."""
    _check("p", p, 0 < p < 1, "0 < p < 1")
    _check("margin", margin, 0 < margin < 1, "0 < margin < 1")
    _check("confidence", confidence, 0 < confidence < 1, "0 < confidence < 1, e.g. 0.95")
    _check("deff", deff, math.isfinite(deff) and deff > 0, "deff > 0 (1 = simple random sampling)")
    _check("response_rate", response_rate, 0 < response_rate <= 1, "0 < rate ≤ 1")
    if N is not None:
        _check("population", N, N >= 1, "N ≥ 1")
    alpha = 1.0 - confidence
    z = float(norm.ppf(1 - alpha / 2.0))
    n0 = math.ceil((z * z) * p * (1.0 - p) / (margin * margin))
    n_deff = math.ceil(deff * n0)
    n_fpc = n_deff if not N else math.ceil((N * n_deff) / (N + n_deff - 1.0))
    n = math.ceil(n_fpc / response_rate)
    return SampleSize(p, margin, confidence, deff, N, response_rate, z, n0, n_deff, n_fpc, n)


def margin_of_error(n: int, p: float, confidence: float = 0.95, deff: float = 1.0, N: int | None = None) -> float:
    """The half-width a sample of ``n`` gives for a rate near ``p`` (the inverse of :func:`sample_size`,
    without its rounding)."""
    _check("n", n, n >= 1, "n ≥ 1")
    _check("p", p, 0 < p < 1, "0 < p < 1")
    if N is not None:
        _check("population", N, n <= N, f"N ≥ n ({n})")
    z = float(norm.ppf(1 - (1.0 - confidence) / 2.0))
    if N and n < N:
        n_eff = n * (N - 1.0) / (N - n)
    elif N:
        return 0.0  # a census
    else:
        n_eff = float(n)
    return z * math.sqrt(deff * p * (1 - p) / n_eff)


def rule_of_thumb(poor_population: int | None = None) -> RuleOfThumb:
    """600 exited + 400 non-registered; 1000 households in all, 1200–1500 when the county has
    10 000 or more registered poor persons (seed 001 §四(一)); national spot check ~1000 (seed 003)."""
    if poor_population is not None and poor_population >= RULE_POOR_THRESHOLD:
        low, high = 1200, 1500
    elif poor_population is not None:
        low = high = 1000
    else:
        low, high = 1000, 1500
    zh = (f"文件经验值：脱贫户不少于{RULE_REGISTERED}户、非贫困户不少于{RULE_GENERAL}户；"
          f"贫困人口1万人以上抽取1200–1500户，1万人以下抽取1000户")
    en = (f"Documents' rule: at least {RULE_REGISTERED} exited and {RULE_GENERAL} non-registered households; "
          "1200–1500 households where the poor population is 10,000 or more, otherwise 1000")
    return RuleOfThumb(RULE_REGISTERED, RULE_GENERAL, low, high, zh, en)


def _check(name: str, value: float, ok: bool, allowed: str) -> None:
    if not ok:
        raise E.PovexitError(ES.SIZE_PARAM_INVALID(column=name, value=value, allowed=allowed))
