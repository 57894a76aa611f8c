"""Design-based estimation for stratified multistage samples, computed as R's ``survey`` package does.

The estimators are Taylor-linearised (Lumley 2010, ch. 2): every statistic is reduced to weighted
influence values ``z`` (one per row), summed to primary sampling units, and the between-PSU variance
is taken within strata (``svyrecvar``). With finite population corrections for more than one stage,
the later stages add their within-cluster variance scaled by the earlier sampling fractions, exactly
as R's ``svydesign(id=~psu+ssu, fpc=~N1+N2)``; without fpc the first stage is taken as drawn with
replacement (the "ultimate cluster" variance, conservative for without-replacement designs).

Everything works on numpy arrays and is vectorised over *groups* (``by=``): each group is an
independent design (its strata nest inside it), so 832 counties or 500 simulated samples are one pass
of ``np.bincount``. A domain (a subpopulation such as "exited households") is a mask: rows outside it
keep their place with zero influence, which is R's ``subset(design, …)`` — never a row filter that
drops PSUs from the variance.

Intervals for proportions follow ``svyciprop``: Korn–Graubard (``beta``, with R's degrees-of-freedom
adjustment of the effective sample size), ``logit``, ``likelihood`` (Rao–Scott scaled profile
likelihood, with R's profiling grid and ``fmm`` spline) and Wald (``mean``). Where R returns NaN
because the estimate is 0 or 1 (no events), the Korn–Graubard interval uses n* = n (NCHS data
presentation standards for proportions, 2017), giving [0, upper] — see :func:`prop_interval`.

The golden tests (``tests/estimate/``) reproduce R 4.2 / survey 4.1.1 to 1e-8 relative.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import special, stats

LonelyPSU = Literal["adjust", "certainty", "remove", "average", "fail"]
CIMethod = Literal["beta", "logit", "likelihood", "mean"]
LONELY_PSU_RULES = ("adjust", "certainty", "remove", "average", "fail")
CI_METHODS = ("beta", "logit", "likelihood", "mean")

#: The label each interval method carries in outputs.
CI_LABELS = {"beta": "korn-graubard", "logit": "logit", "likelihood": "likelihood", "mean": "wald"}
ZERO_EVENT_NOTE = "zero events: n*=n (NCHS)"


class DesignError(ValueError):
    """The design arrays are inconsistent (lengths, nesting, fpc smaller than the sample …)."""


def factorize(*columns: object) -> np.ndarray:
    """Dense integer codes ``0..k-1`` of the row-wise combination of ``columns`` (R's ``interaction``).

    Codes follow the sorted order of the first column, then the next …; only equality matters."""
    codes: np.ndarray | None = None
    for col in columns:
        a = np.asarray(col)
        if a.dtype.kind not in "iub":
            a = a.astype(str) if a.dtype.kind != "U" else a
        _, inv = np.unique(a, return_inverse=True)
        inv = inv.reshape(-1).astype(np.int64)
        if codes is None:
            codes = inv
        else:
            _, codes = np.unique(codes * (int(inv.max(initial=0)) + 1) + inv, return_inverse=True)
            codes = codes.reshape(-1).astype(np.int64)
    if codes is None:
        raise DesignError("factorize needs at least one column")
    return codes


def _count_nested(outer: np.ndarray, inner: np.ndarray, n_outer: int) -> np.ndarray:
    """For each outer code, the number of distinct inner codes among its rows, where every inner code
    lies in one outer code (clusters nested in strata)."""
    if not len(outer):
        return np.zeros(n_outer, np.int64)
    inner_outer = np.zeros(int(inner.max()) + 1, np.int64)
    inner_outer[inner] = outer
    present = np.zeros(len(inner_outer), bool)
    present[inner] = True
    return np.bincount(inner_outer[present], minlength=n_outer)


@dataclass(frozen=True)
class _Stage:
    strata: np.ndarray  # row -> stratum code at this stage (nested in earlier clusters, and in groups)
    cluster: np.ndarray  # row -> cluster code at this stage (nested in its stratum)
    n_strata: int
    n_clusters: int
    cluster_stratum: np.ndarray  # cluster -> stratum
    stratum_group: np.ndarray  # stratum -> group
    stratum_parent: np.ndarray  # stratum -> "call unit" (group at stage 1, parent cluster later)
    n_parents: int
    sampsize: np.ndarray  # stratum -> clusters sampled (n_h)
    popsize: np.ndarray  # stratum -> clusters in the population (N_h; inf = with replacement)
    multiplier: np.ndarray  # stratum -> product of earlier sampling fractions n/N (1 at stage 1)


class Design:
    """A stratified multistage design, like ``svydesign(id=~psu+ssu, strata=~s, fpc=~N1+N2, weights=~w)``.

    ``ids``: one array per stage (``None`` = the rows themselves, R's ``id=~1``). ``strata``: ``None``,
    one array (first stage), or one per stage; later stages are nested in the earlier clusters as R
    does. ``fpc``: ``None`` (with replacement) or one array per stage holding population sizes (≥ 1;
    ``inf`` = with replacement at that stage) or sampling fractions (≤ 1). ``weights``: sampling
    weights; when omitted they come from ``probs`` or, as in R, from the fpc (Π n/N). ``by``: groups
    (e.g. counties or simulated samples) computed as independent designs in one pass.
    ``lonely_psu``: R's ``options(survey.lonely.psu=…)``, default ``"adjust"``.
    """

    def __init__(
        self,
        weights: Sequence[float] | np.ndarray | None = None,
        *,
        ids: Sequence[object | None] | None = None,
        strata: object | Sequence[object] | None = None,
        fpc: Sequence[object] | None = None,
        probs: Sequence[float] | np.ndarray | None = None,
        by: Sequence[object] | np.ndarray | None = None,
        lonely_psu: LonelyPSU = "adjust",
        ultimate_cluster: bool = False,
    ) -> None:
        if lonely_psu not in LONELY_PSU_RULES:
            raise DesignError(f"lonely_psu must be one of {LONELY_PSU_RULES}, not {lonely_psu!r}")
        self.lonely_psu = lonely_psu
        ids = list(ids) if ids is not None else [None]
        n = self._infer_n(weights, probs, ids, strata, by)
        self.n = n
        id_raw = [np.arange(n) if i is None else np.asarray(i) for i in ids]
        if strata is None:
            strata_raw: list[np.ndarray] = [np.zeros(n, np.int64)]
            self.has_strata = False
        elif isinstance(strata, list | tuple):
            strata_raw = [np.asarray(s) for s in strata]
            self.has_strata = True
        else:
            strata_raw = [np.asarray(strata)]
            self.has_strata = True
        for a in (*id_raw, *strata_raw):
            if len(a) != n:
                raise DesignError(f"design columns have different lengths ({len(a)} vs {n})")
        if by is None:
            self.group = np.zeros(n, np.int64)
            self.n_groups = 1
        else:
            self.group = factorize(by)
            self.n_groups = int(self.group.max(initial=-1)) + 1
        n_stages = len(id_raw)
        # Nesting as svydesign(nest=TRUE): stage-1 strata inside groups, clusters inside strata;
        # stage-i clusters are the interaction of ids 1..i; stage-i strata (i > 1) the interaction of
        # the stage's strata column and the stage-(i-1) cluster.
        st_codes: list[np.ndarray] = []
        cl_codes: list[np.ndarray] = []
        for s in range(n_stages):
            stratum_col = strata_raw[min(s, len(strata_raw) - 1)]
            if s == 0:
                st = factorize(self.group, stratum_col)
                cl = factorize(st, id_raw[0])
            else:
                st = factorize(cl_codes[s - 1], stratum_col)
                cl = factorize(cl_codes[s - 1], id_raw[s])
            st_codes.append(st)
            cl_codes.append(cl)
        # sample sizes (clusters per stratum) and population sizes
        sampsize_rows: list[np.ndarray] = []
        for s in range(n_stages):
            nst = int(st_codes[s].max(initial=-1)) + 1
            nh = _count_nested(st_codes[s], cl_codes[s], nst)
            sampsize_rows.append(nh[st_codes[s]])
        self.has_fpc = fpc is not None
        popsize_rows: list[np.ndarray] = []
        if fpc is not None:
            fpc = list(fpc)
            if len(fpc) > n_stages:
                raise DesignError(f"fpc given for {len(fpc)} stages but the design has {n_stages}")
            for s in range(n_stages):
                if s >= len(fpc) or fpc[s] is None:
                    popsize_rows.append(np.full(n, np.inf))
                    continue
                f = np.asarray(fpc[s], dtype=float)
                if len(f) != n:
                    raise DesignError("fpc column has a different length from the design")
                finite = f[np.isfinite(f)]
                if finite.size and (finite.max() > 1) and (finite.min() < 1):
                    raise DesignError("fpc must be all population sizes (>= 1) or all sampling fractions (<= 1)")
                # R's as.fpc: population sizes when any value exceeds 1 (Inf — with replacement — included)
                sizes = finite.size == 0 or finite.max() > 1 or bool(np.isinf(f).any())
                pop = f if sizes else sampsize_rows[s] / f
                pop = np.where(np.isnan(pop), np.inf, pop)
                if np.any(pop < sampsize_rows[s] - 1e-9):
                    i = int(np.argmax(pop < sampsize_rows[s] - 1e-9))
                    raise DesignError(
                        f"fpc implies more than 100% sampling at stage {s + 1} (row {i}: population "
                        f"{pop[i]:g}, sample {sampsize_rows[s][i]})"
                    )
                popsize_rows.append(pop)
        else:
            popsize_rows = [np.full(n, np.inf) for _ in range(n_stages)]
        if weights is not None:
            w = np.asarray(weights, dtype=float)
        elif probs is not None:
            w = 1.0 / np.asarray(probs, dtype=float)
        elif fpc is not None:
            p = np.ones(n)
            for s in range(n_stages):
                p = p * np.where(np.isfinite(popsize_rows[s]), sampsize_rows[s] / popsize_rows[s], 1.0)
            w = 1.0 / p
        else:
            w = np.ones(n)
        if len(w) != n or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise DesignError("weights must be finite, non-negative and one per row")
        self.weights = w
        # stage structures used by the variance
        self._stages: list[_Stage] = []
        mult_rows = np.ones(n)
        for s in range(n_stages):
            st, cl = st_codes[s], cl_codes[s]
            nst = int(st.max(initial=-1)) + 1
            ncl = int(cl.max(initial=-1)) + 1
            cluster_stratum = np.zeros(ncl, np.int64)
            cluster_stratum[cl] = st
            stratum_group = np.zeros(nst, np.int64)
            stratum_group[st] = self.group
            stratum_parent = np.zeros(nst, np.int64)
            if s == 0:
                stratum_parent[st] = self.group
                n_parents = self.n_groups
            else:
                stratum_parent[st] = cl_codes[s - 1]
                n_parents = int(cl_codes[s - 1].max(initial=-1)) + 1
            sampsize = np.zeros(nst)
            sampsize[st] = sampsize_rows[s]
            popsize = np.full(nst, np.inf)
            popsize[st] = popsize_rows[s]  # R takes the stratum's value (warns if it varies)
            multiplier = np.ones(nst)
            multiplier[st] = mult_rows
            self._stages.append(_Stage(st, cl, nst, ncl, cluster_stratum, stratum_group, stratum_parent,
                                       n_parents, sampsize, popsize, multiplier))
            frac = np.where(np.isfinite(popsize_rows[s]), sampsize_rows[s] / popsize_rows[s], 0.0)
            mult_rows = mult_rows * frac
        # R (multistage): later stages enter only when an fpc is given and the design has them.
        self._n_var_stages = n_stages if (fpc is not None and not ultimate_cluster) else 1

    @staticmethod
    def _infer_n(weights, probs, ids, strata, by) -> int:
        for cand in (weights, probs, *ids, by):
            if cand is not None:
                return len(cand)
        if strata is not None:
            first = strata[0] if isinstance(strata, list | tuple) else strata
            return len(first)
        raise DesignError("cannot tell the number of rows: give weights, ids or strata")

    # ---- structure -------------------------------------------------------------------------------

    @property
    def psu(self) -> np.ndarray:
        """Stage-1 cluster code of every row (unique across strata and groups)."""
        return self._stages[0].cluster

    @property
    def stratum(self) -> np.ndarray:
        """Stage-1 stratum code of every row (unique across groups)."""
        return self._stages[0].strata

    def _mask(self, domain: np.ndarray | None) -> np.ndarray:
        if domain is None:
            return np.ones(self.n, bool)
        d = np.asarray(domain, dtype=bool)
        if d.shape != (self.n,):
            raise DesignError("domain mask has the wrong length")
        return d

    def group_sum(self, values: np.ndarray) -> np.ndarray:
        return np.bincount(self.group, weights=values, minlength=self.n_groups)

    def n_rows(self, domain: np.ndarray | None = None) -> np.ndarray:
        """Rows with non-zero weight in the domain, per group (R: ``nrow`` of the subset design)."""
        d = self._mask(domain) & (self.weights != 0)
        return np.bincount(self.group, weights=d.astype(float), minlength=self.n_groups).astype(np.int64)

    def n_psu(self, domain: np.ndarray | None = None) -> np.ndarray:
        """Stage-1 clusters with at least one domain row of non-zero weight, per group."""
        d = self._mask(domain) & (self.weights != 0)
        st = self._stages[0]
        present = np.zeros(st.n_clusters, bool)
        present[st.cluster[d]] = True
        grp = st.stratum_group[st.cluster_stratum]
        return np.bincount(grp[present], minlength=self.n_groups).astype(np.int64)

    def n_strata(self, domain: np.ndarray | None = None) -> np.ndarray:
        d = self._mask(domain) & (self.weights != 0)
        st = self._stages[0]
        present = np.zeros(st.n_strata, bool)
        present[st.strata[d]] = True
        return np.bincount(st.stratum_group[present], minlength=self.n_groups).astype(np.int64)

    def degf(self, domain: np.ndarray | None = None) -> np.ndarray:
        """R's ``degf``: PSUs minus strata among rows of non-zero weight (of the domain), per group."""
        return self.n_psu(domain) - self.n_strata(domain)

    def lonely_strata(self) -> np.ndarray:
        """Stage-1 strata (codes) with a single PSU, other than self-representing ones (fpc: the whole
        population taken), which R treats as certainty before any lonely-PSU rule."""
        st = self._stages[0]
        return np.flatnonzero((st.sampsize == 1) & ~_self_representing(st))

    # ---- variance ----------------------------------------------------------------------------------

    def recvar(self, z: np.ndarray, domain: np.ndarray | None = None) -> np.ndarray:
        """Covariance of the totals of the influence columns ``z`` (n × k, already weighted), per group:
        an array (groups × k × k). R's ``svyrecvar`` with ``survey.lonely.psu = lonely_psu``.

        ``domain`` matters only for ``lonely_psu="average"``: R computes a domain on the subset design,
        whose strata without rows are not counted when it rescales by strata/strata-with-2-PSUs."""
        z = np.asarray(z, dtype=float)
        if z.ndim == 1:
            z = z[:, None]
        if z.shape[0] != self.n:
            raise DesignError("influence matrix has the wrong number of rows")
        k = z.shape[1]
        out = np.zeros((self.n_groups, k, k))
        present = self._mask(domain) & (self.weights != 0)
        for s in range(self._n_var_stages):
            out += self._stage_var(self._stages[s], z, s + 1, present)
        return out

    def _stage_var(self, st: _Stage, z: np.ndarray, stage_no: int, present: np.ndarray) -> np.ndarray:
        k = z.shape[1]
        totals = np.empty((st.n_clusters, k))
        for j in range(k):
            totals[:, j] = np.bincount(st.cluster, weights=z[:, j], minlength=st.n_clusters)
        nh = st.sampsize
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(np.isfinite(st.popsize), (st.popsize - nh) / st.popsize, 1.0)
        # R's onestrat returns 0 for a self-representing stratum (f < 1e-7) before any lonely-PSU rule
        lonely = (nh <= 1) & ~(f < 1e-7)
        if self.lonely_psu == "fail" and np.any(lonely):
            h = int(np.flatnonzero(lonely)[0])
            raise DesignError(f"stratum {h} has only one PSU at stage {stage_no}")
        scale = np.where(lonely, f, f * nh / np.maximum(nh - 1, 1))
        scale = np.where(f < 1e-7, 0.0, scale) * st.multiplier
        sums = np.empty((st.n_strata, k))
        for j in range(k):
            sums[:, j] = np.bincount(st.cluster_stratum, weights=totals[:, j], minlength=st.n_strata)
        means = sums / np.maximum(nh, 1)[:, None]
        centre = means
        if self.lonely_psu == "adjust":  # a lonely PSU is centred at zero, i.e. the overall mean
            centre = np.where(lonely[:, None], 0.0, means)
        dev = totals - centre[st.cluster_stratum]
        # "certainty" and "remove": a lonely PSU centred at its own mean contributes zero
        ok = ~lonely if self.lonely_psu == "average" else np.ones(st.n_strata, bool)
        weight_c = (scale * ok)[st.cluster_stratum]
        out = np.empty((self.n_groups, k, k))
        grp_c = st.stratum_group[st.cluster_stratum]
        factor = np.ones(st.n_strata)
        if self.lonely_psu == "average":
            # R rescales each call of onestage (group at stage 1, parent cluster later) by nstrat/nokstrat
            has_rows = np.bincount(st.strata[present], minlength=st.n_strata) > 0
            nstrat = np.bincount(st.stratum_parent, weights=has_rows.astype(float), minlength=st.n_parents)
            nok = np.bincount(st.stratum_parent, weights=(ok & has_rows).astype(float), minlength=st.n_parents)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = (nstrat / nok)[st.stratum_parent]
        with np.errstate(invalid="ignore"):  # "average" with no stratum of 2+ PSUs is NaN, as in R
            weight_c = weight_c * factor[st.cluster_stratum]
            for a in range(k):
                for b in range(a, k):
                    v = np.bincount(grp_c, weights=weight_c * dev[:, a] * dev[:, b], minlength=self.n_groups)
                    out[:, a, b] = v
                    out[:, b, a] = v
        return out


def _self_representing(st: _Stage) -> np.ndarray:
    """Strata whose fpc says every unit was taken (R: f < 1e-7, no variance, no lonely-PSU rule)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(np.isfinite(st.popsize), (st.popsize - st.sampsize) / st.popsize, 1.0)
    return f < 1e-7


# ---- estimators ------------------------------------------------------------------------------------


@dataclass
class Stat:
    """An estimate per group with its variance and the influence values behind it."""

    estimate: np.ndarray
    var: np.ndarray
    influence: np.ndarray  # n rows, weighted: the total of these is the linearised estimator
    n: np.ndarray  # rows of the domain with non-zero weight, per group
    df: np.ndarray  # R's degf of the domain, per group
    deff: np.ndarray | None = None
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(self.var)


def _prepare(design: Design, y: np.ndarray, domain: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=float)
    if y.shape != (design.n,):
        raise DesignError("variable has the wrong length")
    d = design._mask(domain) & ~np.isnan(y)  # na.rm: missing values leave the domain (R drops the rows)
    return np.where(d, y, 0.0), d


def _finish(design: Design, est, z, d, deff=None, **extra) -> Stat:
    var = design.recvar(z, d)[:, 0, 0]
    return Stat(np.asarray(est, float), var, z, design.n_rows(d), design.degf(d), deff, dict(extra))


def svytotal(design: Design, y, domain=None) -> Stat:
    """R's ``svytotal`` (``na.rm=TRUE``) of ``y`` over the domain."""
    y, d = _prepare(design, y, domain)
    z = design.weights * y * d
    return _finish(design, design.group_sum(z), z, d)


def _svyvar_mean_sq(design: Design, x: np.ndarray, d: np.ndarray) -> np.ndarray:
    """R's ``svyvar`` of a variable already centred at its weighted mean, per group (domain rows)."""
    w = design.weights * d
    psum = design.group_sum(w)
    nobs = design.n_rows(d).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return design.group_sum(w * x * x) / psum * nobs / (nobs - 1)


def svymean(design: Design, y, domain=None, *, deff: bool | Literal["replace"] = False) -> Stat:
    """R's ``svymean`` (``na.rm=TRUE``) over the domain; ``deff=True`` as R (vs SRS without replacement,
    N = sum of weights), ``"replace"`` vs SRS with replacement."""
    y, d = _prepare(design, y, domain)
    w = design.weights * d
    psum = design.group_sum(w)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = design.group_sum(w * y) / psum
        x = (y - mean[design.group]) * d
        z = w * x / psum[design.group]
    st = _finish(design, mean, z, d)
    if deff:
        nobs = design.n_rows(d).astype(float)
        sv = _svyvar_mean_sq(design, x, d)
        with np.errstate(divide="ignore", invalid="ignore"):
            vsrs = sv / nobs if deff == "replace" else sv * (psum - nobs) / (psum * nobs)
            vsrs = np.where(psum < nobs, np.nan, vsrs)
            st.deff = st.var / vsrs
        st.extra["vsrs"] = vsrs
    return st


def svyratio(design: Design, y, x, domain=None, *, deff: bool | Literal["replace"] = False) -> Stat:
    """R's ``svyratio(~y, ~x)`` (``na.rm=TRUE``) over the domain: Ŷ/X̂ with influence
    w (y − R x) / X̂. ``deff`` as R's (the deff of the total of the linearised variable)."""
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    both = np.where(np.isnan(x), np.nan, y)
    y, d = _prepare(design, both, domain)
    x = np.where(d, x, 0.0)
    w = design.weights * d
    ytot = design.group_sum(w * y)
    xtot = design.group_sum(w * x)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = ytot / xtot
        lin = d * (y - r[design.group] * x) / xtot[design.group]  # R's r (unweighted)
    z = design.weights * lin
    st = _finish(design, r, z, d, ytot=ytot, xtot=xtot)
    if deff:
        psum = design.group_sum(w)
        nobs = design.n_rows(d).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            rbar = design.group_sum(w * lin) / psum
            sv = _svyvar_mean_sq(design, (lin - rbar[design.group]) * d, d)
            vsrs = sv * psum**2 / nobs if deff == "replace" else sv * psum**2 * (psum - nobs) / (psum * nobs)
            st.deff = st.var / vsrs
        st.extra["vsrs"] = vsrs
    return st


def covariance(design: Design, *statistics: Stat) -> np.ndarray:
    """Covariance matrix (groups × k × k) of estimates from the same design, by joint linearisation."""
    return design.recvar(np.column_stack([s.influence for s in statistics]))


# ---- intervals for proportions ---------------------------------------------------------------------


@dataclass
class Interval:
    low: np.ndarray
    high: np.ndarray
    method: list[str]  # label per group, e.g. "korn-graubard" or "korn-graubard; zero events: n*=n (NCHS)"
    n_eff: np.ndarray | None = None


def _qt(p: float, df: np.ndarray) -> np.ndarray:
    """R's qt (scipy's ``stdtrit``, the routine behind ``stats.t.ppf``, without its overhead)."""
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(df > 0, special.stdtrit(np.where(df > 0, df, 1.0), p), np.nan)


def _qbeta(q: float, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """R's qbeta (scipy's ``betaincinv``, the routine behind ``stats.beta.ppf``)."""
    return special.betaincinv(a, b, q)


def _label(method: str, degenerate: bool, p: float, households: bool = False) -> str:
    if not degenerate:
        return CI_LABELS[method]
    why = ZERO_EVENT_NOTE if (p <= 0 or p >= 1) else "zero variance: n*=n (NCHS)"
    if households:
        why = why.replace("n*=n", "n*=n households")
    return f"korn-graubard; {why}" if method == "beta" else f"{CI_LABELS[method]}; korn-graubard, {why}"


def prop_interval(p, var, n, df, method: CIMethod = "beta", level: float = 0.95, *, units=None,
                  n_eff_max=None) -> Interval:
    """Interval for a proportion (or a ratio of counts) from its estimate, design variance, person
    rows ``n`` and design degrees of freedom, as R's ``svyciprop``:

    - ``beta`` (Korn–Graubard): n_eff = p(1−p)/var, times (t_{n−1}/t_df)²; Clopper–Pearson at n_eff.
      When p is 0 or 1 (or var is 0) R gives NaN; here n_eff = n (NCHS) and the interval is
      [0, upper] or [lower, 1] — the label says so.
    - ``logit``: Wald interval on logit(p) with t_df, back-transformed (at p = 0 or 1 the
      Korn–Graubard rule above is used and named). :func:`ciprop` uses R's IRLS fit instead, which
      differs from this closed form by the fit's convergence error (~1e-8).
    - ``mean``: p ± t_df · se (not clipped: R does not clip either; at p = 0 or 1 the zero-event
      Korn–Graubard interval is used and named).

    ``units``: the number of units the trait is observed on when rows are persons of households that
    share it (an exited household's persons are all wrongly exited or none is). Given, the zero-event
    n* is ``units`` rather than the persons: with no event there is no variance to say how clustered
    the persons are, and counting persons as independent would make [0, upper] far too short (the
    coverage simulation shows it). ``n_eff_max`` bounds the (degrees-of-freedom adjusted) effective
    sample size of a non-degenerate estimate: povexit passes design constants — Kish's effective number
    of persons (a design effect never below the weighting effect 1 + CV²(w)) and, for a sample of
    households, their number. Without either the interval is R's exactly.

    ``likelihood`` needs the data; use :func:`ciprop`.
    """
    if method not in ("beta", "logit", "mean"):
        raise ValueError(f"prop_interval: method must be beta, logit or mean, not {method!r}")
    p = np.atleast_1d(np.asarray(p, dtype=float))
    var = np.broadcast_to(np.asarray(var, dtype=float), p.shape)
    n = np.broadcast_to(np.asarray(n, dtype=float), p.shape)
    df = np.broadcast_to(np.asarray(df, dtype=float), p.shape)
    n_star = n if units is None else np.broadcast_to(np.asarray(units, dtype=float), p.shape)
    alpha = 1 - level
    degenerate = (p <= 0) | (p >= 1) | ~(var > 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # Korn–Graubard, also the fallback for degenerate cases
        n_eff = np.where(degenerate, n_star, p * (1 - p) / var)
        n_eff = n_eff * (_qt(alpha / 2, n - 1) / _qt(alpha / 2, df)) ** 2
        if n_eff_max is not None:
            n_eff = np.where(degenerate, n_eff,
                             np.minimum(n_eff, np.broadcast_to(np.asarray(n_eff_max, dtype=float), p.shape)))
        a1 = n_eff * p
        b1 = n_eff * (1 - p) + 1
        kg_low = np.where((p <= 0) | (a1 <= 0), 0.0, _qbeta(alpha / 2, np.where(a1 > 0, a1, 1.0), b1))
        a2 = n_eff * p + 1
        b2 = n_eff * (1 - p)
        kg_high = np.where((p >= 1) | (b2 <= 0), 1.0, _qbeta(1 - alpha / 2, a2, np.where(b2 > 0, b2, 1.0)))
        bad = ~np.isfinite(n_eff) | (n_eff <= 0)
        kg_low = np.where(bad, np.nan, kg_low)
        kg_high = np.where(bad, np.nan, kg_high)
        if method == "beta":
            low, high = kg_low, kg_high
        elif method == "mean":
            half = _qt(1 - alpha / 2, df) * np.sqrt(var)
            low = np.where(degenerate, kg_low, p - half)
            high = np.where(degenerate, kg_high, p + half)
        else:
            theta = special.logit(np.clip(p, 1e-300, 1 - 1e-16))
            half = _qt(1 - alpha / 2, df) * np.sqrt(var) / (p * (1 - p))
            low = np.where(degenerate, kg_low, special.expit(theta - half))
            high = np.where(degenerate, kg_high, special.expit(theta + half))
    labels = [_label(method, bool(dg), float(pp), units is not None) for dg, pp in zip(degenerate, p, strict=True)]
    return Interval(low, high, labels, n_eff)


def kish_n(design: Design, trials=None, domain=None) -> np.ndarray:
    """Kish's effective number of person rows of the domain per group, (Σ w·t)² / Σ w²·t: the sample
    size over the weighting design effect 1 + CV²(w)."""
    d = design._mask(domain) & (design.weights != 0)
    t = np.ones(design.n) if trials is None else np.nan_to_num(np.asarray(trials, dtype=float))
    w = design.weights
    s1 = design.group_sum(np.where(d, w * t, 0.0))
    s2 = design.group_sum(np.where(d, w * w * t, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s2 > 0, s1 * s1 / s2, 0.0)


def prop_interval_scalar(p: float, var: float, n: float, df: float, method: str = "beta", level: float = 0.95,
                         units: float | None = None, n_eff_max: float | None = None) -> tuple[float, float]:
    """:func:`prop_interval` for one estimate, without numpy's array overhead (the near-threshold
    search calls it thousands of times). Same formulas, same results."""
    alpha = 1 - level
    degenerate = p <= 0 or p >= 1 or not var > 0
    if df <= 0 or n < 2:
        return float("nan"), float("nan")
    if method == "mean" and not degenerate:
        half = float(special.stdtrit(df, 1 - alpha / 2)) * math.sqrt(var)
        return p - half, p + half
    if method == "logit" and not degenerate:
        half = float(special.stdtrit(df, 1 - alpha / 2)) * math.sqrt(var) / (p * (1 - p))
        theta = math.log(p / (1 - p))
        return float(special.expit(theta - half)), float(special.expit(theta + half))
    n_eff = (units if units is not None else n) if degenerate else p * (1 - p) / var
    n_eff *= (float(special.stdtrit(n - 1, alpha / 2)) / float(special.stdtrit(df, alpha / 2))) ** 2
    if n_eff_max is not None and not degenerate:
        n_eff = min(n_eff, n_eff_max)
    if not (n_eff > 0 and math.isfinite(n_eff)):
        return float("nan"), float("nan")
    a, b = n_eff * p, n_eff * (1 - p)
    low = 0.0 if p <= 0 or a <= 0 else float(special.betaincinv(a, b + 1, alpha / 2))
    high = 1.0 if p >= 1 or b <= 0 else float(special.betaincinv(a + 1, b, 1 - alpha / 2))
    return low, high


def ciprop(
    design: Design, successes, trials=None, method: CIMethod = "beta", domain=None, level: float = 0.95,
    *, deff: bool = False, units=None, n_eff_max=None,
) -> tuple[Stat, Interval]:
    """Estimate and interval of a proportion of person rows: each design row stands for ``trials``
    persons (default 1) of whom ``successes`` have the trait — e.g. a household's wrongful-exit persons
    of its persons. This is R's ``svyciprop(~y, subset(design, domain), method=…)`` on the person-level
    data with households as the next stage (the ratio estimator Σw·s / Σw·t has exactly the
    person-level mean's linearisation); ``n`` is the number of person rows of the domain, ``df`` the
    domain's ``degf``. ``deff=True`` adds R's design effect (of the mean, or of the ratio).
    ``units`` (per group): see :func:`prop_interval` — the zero-event n* counts households, not persons."""
    if method not in CI_METHODS:
        raise ValueError(f"method must be one of {CI_METHODS}, not {method!r}")
    s = np.asarray(successes, dtype=float)
    t = np.ones(design.n) if trials is None else np.asarray(trials, dtype=float)
    m = svymean(design, s, domain, deff=deff) if trials is None else svyratio(design, s, t, domain, deff=deff)
    d = design._mask(domain) & ~np.isnan(s) & ~np.isnan(t)
    n_persons = np.bincount(design.group, weights=np.where(d & (design.weights != 0), t, 0.0),
                            minlength=design.n_groups)
    m.extra["n_persons"] = n_persons
    if method in ("beta", "mean"):
        return m, prop_interval(m.estimate, m.var, n_persons, m.df, method, level, units=units, n_eff_max=n_eff_max)
    return m, _glm_interval(design, np.where(d, s, 0.0), np.where(d, t, 0.0), d, m, n_persons, method, level,
                            units, n_eff_max)


def svyciprop(design: Design, y, method: CIMethod = "beta", domain=None, level: float = 0.95) -> tuple[Stat, Interval]:
    """R's ``svyciprop(~y, subset(design, domain), method=…)`` for a 0/1 variable."""
    return ciprop(design, y, None, method, domain, level)


# ---- logit and likelihood intervals through R's glm fit -----------------------------------------------


def fmm_spline(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients (b, c, d) of R's ``spline(method="fmm")`` (Forsythe, Malcolm & Moler: end
    conditions matching the third derivative of the cubic through the four end points)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    n = len(x)
    b = np.zeros(n)
    c = np.zeros(n)
    d = np.zeros(n)
    if n < 2:
        raise ValueError("spline needs two points")
    if n < 3:
        b[:] = (y[1] - y[0]) / (x[1] - x[0])
        return b, c, d
    nm1 = n - 1
    d[0] = x[1] - x[0]
    c[1] = (y[1] - y[0]) / d[0]
    for i in range(1, nm1):
        d[i] = x[i + 1] - x[i]
        b[i] = 2.0 * (d[i - 1] + d[i])
        c[i + 1] = (y[i + 1] - y[i]) / d[i]
        c[i] = c[i + 1] - c[i]
    b[0] = -d[0]
    b[nm1] = -d[n - 2]
    c[0] = c[nm1] = 0.0
    if n > 3:
        c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0])
        c[nm1] = c[n - 2] / (x[nm1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4])
        c[0] = c[0] * d[0] * d[0] / (x[3] - x[0])
        c[nm1] = -c[nm1] * d[n - 2] * d[n - 2] / (x[nm1] - x[n - 4])
    for i in range(1, n):
        t = d[i - 1] / b[i - 1]
        b[i] = b[i] - t * d[i - 1]
        c[i] = c[i] - t * c[i - 1]
    c[nm1] = c[nm1] / b[nm1]
    for i in range(n - 2, -1, -1):
        c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
    b[nm1] = (y[nm1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2.0 * c[nm1])
    for i in range(nm1):
        b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i])
        d[i] = (c[i + 1] - c[i]) / d[i]
        c[i] = 3.0 * c[i]
    c[nm1] = 3.0 * c[nm1]
    d[nm1] = d[n - 2]
    return b, c, d


def r_spline(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R's ``spline(x, y)`` defaults: fmm, n = 3·length(x) points from min(x) to max(x)."""
    order = np.argsort(x, kind="stable")
    xs, ys = np.asarray(x, float)[order], np.asarray(y, float)[order]
    b, c, d = fmm_spline(xs, ys)
    u = np.linspace(xs[0], xs[-1], 3 * len(xs))
    i = np.clip(np.searchsorted(xs, u, side="right") - 1, 0, len(xs) - 1)
    dx = u - xs[i]
    return u, ys[i] + dx * (b[i] + dx * (c[i] + dx * d[i]))


def _r_approx(x: np.ndarray, y: np.ndarray, xout: np.ndarray) -> np.ndarray:
    """R's ``approx(x, y, xout)`` (linear, rule 1 → NaN outside, ties averaged)."""
    ux, inv = np.unique(x, return_inverse=True)
    uy = np.bincount(inv, weights=y) / np.bincount(inv)
    out = np.interp(xout, ux, uy)
    return np.where((xout < ux[0]) | (xout > ux[-1]), np.nan, out)


def _qf_upper(a: float, d1: float, d2: float) -> float:
    """Upper-tail F quantile, ``qf(a, d1, d2, lower.tail=FALSE)``, through the beta distribution
    (scipy's ``f.isf`` overflows to inf for tails below ~1e-20, which the profile reaches when the
    design effect is large)."""
    x = float(stats.beta.isf(a, d1 / 2, d2 / 2))
    return d2 / d1 * x / (1 - x)


def _glm_binomial_intercept(s: np.ndarray, t: np.ndarray, wt: np.ndarray, eps: float = 1e-8, maxit: int = 25):
    """``glm.fit`` (binomial family, intercept only) on person rows given as counts: each row stands for
    ``s`` ones and ``t - s`` zeros with prior weight ``wt``. Returns R's coefficient and the working
    weights of its last iteration (R keeps those of the iteration's start; ``summary.glm`` and
    ``svy.varcoef`` use them) for the one-rows and the zero-rows."""
    f = t - s

    def dev(mu1, mu0):
        return float(-2.0 * np.sum(wt * (s * np.log(mu1) + f * np.log1p(-mu0))))

    mu1 = (wt + 0.5) / (wt + 1)  # binomial initialize: mustart = (w y + 0.5) / (w + 1)
    mu0 = 0.5 / (wt + 1)
    eta1, eta0 = special.logit(mu1), special.logit(mu0)
    devold = dev(mu1, mu0)
    coef = float("nan")
    ww1 = ww0 = np.zeros_like(wt)
    for _ in range(maxit):
        me1, me0 = mu1 * (1 - mu1), mu0 * (1 - mu0)
        z1, z0 = eta1 + (1 - mu1) / me1, eta0 + (0 - mu0) / me0
        ww1, ww0 = wt * me1, wt * me0
        coef = float(np.sum(s * ww1 * z1 + f * ww0 * z0) / np.sum(s * ww1 + f * ww0))
        mu = float(special.expit(coef))
        eta1 = eta0 = np.full_like(wt, coef)
        mu1 = mu0 = np.full_like(wt, mu)
        d = dev(mu1, mu0)
        if abs(d - devold) / (abs(d) + 0.1) < eps:
            break
        devold = d
    return coef, ww1, ww0


def _glm_interval(
    design: Design, s: np.ndarray, t: np.ndarray, d: np.ndarray, m: Stat, n_persons: np.ndarray,
    method: str, level: float, units=None, n_eff_max=None,
) -> Interval:
    """``logit`` and ``likelihood`` as ``svyciprop`` computes them: ``svyglm(y ~ 1, quasibinomial)``
    (weights rescaled to mean 1), its design-based variance (``svy.varcoef``), then a Wald interval on
    the logit scale with t_df, or the profile likelihood scaled by λ = design/model variance
    (Rao–Scott), profiled on MASS's grid and inverted through R's ``fmm`` spline as ``confint`` does.
    The fit is ``glm.fit``'s, step for step, so the interval is R's to ~1e-12. Degenerate cases
    (p = 0 or 1, no variance, df ≤ 0) fall back to the zero-event Korn–Graubard interval."""
    alpha_level = 1 - level
    g_n = design.n_groups
    p_all, var_all, df_all = m.estimate, m.var, m.df
    fits: dict[int, tuple] = {}
    zfull = np.zeros(design.n)
    for g in range(g_n):
        p, var_p, df = float(p_all[g]), float(var_all[g]), float(df_all[g])
        if not (0 < p < 1) or not var_p > 0 or df <= 0 or n_persons[g] < 2:
            continue
        sel = np.flatnonzero((design.group == g) & d & (design.weights != 0))
        sg, tg, wg = s[sel], t[sel], design.weights[sel]
        wt = wg / (np.sum(wg * tg) / n_persons[g])
        coef, ww1, ww0 = _glm_binomial_intercept(sg, tg, wt)
        mu = float(special.expit(coef))
        ainv = 1.0 / float(np.sum(sg * ww1 + (tg - sg) * ww0))
        estfun = (sg * (1 - mu) * ww1 + (tg - sg) * (0 - mu) * ww0) / (mu * (1 - mu))
        zfull[sel] = estfun * ainv
        fits[g] = (sel, sg, tg, wg, wt, coef, mu, ainv)
    var_beta_all = design.recvar(zfull, d)[:, 0, 0] if fits else np.zeros(g_n)
    fallback = prop_interval(p_all, var_all, n_persons, df_all, "beta", level, units=units, n_eff_max=n_eff_max)
    lows, highs, labels = fallback.low.copy(), fallback.high.copy(), []
    for g in range(g_n):
        if g not in fits:
            labels.append(_label(method, True, float(p_all[g]), units is not None) if df_all[g] > 0
                          else CI_LABELS[method])
            if df_all[g] <= 0:
                lows[g] = highs[g] = np.nan
            continue
        sel, sg, tg, wg, wt, coef, mu, ainv = fits[g]
        var_beta = float(var_beta_all[g])
        df = float(df_all[g])
        labels.append(CI_LABELS[method])
        if method == "logit":
            half = float(stats.t.isf(alpha_level / 2, df)) * math.sqrt(var_beta)
            lows[g], highs[g] = special.expit(coef - half), special.expit(coef + half)
            continue
        fg = tg - sg
        npers = float(n_persons[g])
        lam = var_beta / ainv
        a = stats.norm.cdf(stats.t.ppf(alpha_level / 2, df) * math.sqrt(lam)) / 2

        def deviance(pp: float, sg=sg, fg=fg, wt=wt) -> float:
            return float(-2.0 * np.sum(wt * (sg * np.log(pp) + fg * np.log1p(-pp))))

        d0 = deviance(mu)
        # dispersion: svyvar of the Pearson residuals, which residuals.svyglm takes without the
        # sampling weight, (y - mu) / sqrt(mu (1 - mu)), over the person rows
        r1, r0 = (1 - mu) / math.sqrt(mu * (1 - mu)), (0 - mu) / math.sqrt(mu * (1 - mu))
        tot_w = np.sum(wg * tg)
        rbar = np.sum(wg * (sg * r1 + fg * r0)) / tot_w
        disp = np.sum(wg * (sg * (r1 - rbar) ** 2 + fg * (r0 - rbar) ** 2)) / tot_w * npers / (npers - 1)
        zmax = math.sqrt(_qf_upper(a, 1.0, npers - 1))
        delta = zmax / 5
        se_beta = math.sqrt(var_beta)
        bs, zs = [coef], [0.0]
        for sgn in (-1, 1):
            step, z = 1, 0.0
            while step < 10 and abs(z) < zmax:  # MASS profile.glm: at most 9 steps each way
                bi = coef + sgn * step * delta * se_beta
                zz = max((deviance(float(special.expit(bi))) - d0) / disp, 0.0)
                z = sgn * math.sqrt(zz)
                bs.append(bi)
                zs.append(z)
                step += 1
        order = np.argsort(zs, kind="stable")
        sx, sy = r_spline(np.asarray(bs)[order], np.asarray(zs)[order])
        cut = np.array([stats.norm.ppf(2 * a), stats.norm.isf(2 * a)])
        lows[g], highs[g] = special.expit(_r_approx(sy, sx, cut))
    return Interval(lows, highs, labels)
