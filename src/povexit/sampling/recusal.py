"""Assessor assignment with recusal (三回避, seed 003): institutions and experts → counties.

Rules: an institution never assesses a county of its own province; an expert never a county of the
province of their unit; nobody (institution or expert) does the national check of a province whose
provincial assessment they did. Each county gets one institution and ``experts_per_county`` experts
(of that institution, when experts name one). Workload is balanced by minimising the largest load,
first of the institutions, then of the experts: each a bipartite b-matching solved as maximum flows
(:func:`scipy.sparse.csgraph.maximum_flow`) inside a binary search on the load. When experts belong
to institutions and their capacities bind, both are solved together as a small integer programme
(:func:`scipy.optimize.milp`, HiGHS). When no assignment exists the first failing rule is named with
the county or province that cannot be served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np
import polars as pl
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import maximum_flow

from .. import errors as E
from ..contracts import COUNTIES, Column, TableSpec
from ..errors import sampling as ES
from ..fsutil import atomic_dir, sha256_file, write_json
from ..tabular import ROW, read_table

PROVINCES = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建", "江西",
    "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃",
    "青海", "宁夏", "新疆", "台湾", "香港", "澳门", "新疆生产建设兵团",
)
_SUFFIX = re.compile(r"(壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)$")
_SPLIT = re.compile(r"[;；,，、/\s]+")

INSTITUTIONS = TableSpec("institutions", ("institutions", "评估机构", "机构"), (
    Column("institution", "评估机构", required=True, aliases=("机构", "机构名称", "name")),
    Column("province", "所在省份", required=True, aliases=("省", "省份", "home_province")),
    Column("provincial_assessment", "承担省级评估的省份", aliases=("省级评估省份", "provincial")),
    Column("capacity", "最多承担县数", "int", aliases=("承担县数上限",)),
))
EXPERTS = TableSpec("experts", ("experts", "评估专家", "专家"), (
    Column("expert", "专家", required=True, aliases=("姓名", "专家姓名", "name")),
    Column("unit_province", "工作单位所在省份", required=True, aliases=("单位所在省份", "单位省份", "province")),
    Column("institution", "所属评估机构", aliases=("评估机构", "机构")),
    Column("provincial_assessment", "承担省级评估的省份", aliases=("省级评估省份", "provincial")),
    Column("capacity", "最多承担县数", "int", aliases=("承担县数上限",)),
))


def province_key(name: object) -> str:
    """``吉林省`` / ``吉林`` → ``吉林``; ``广西壮族自治区`` → ``广西``."""
    s = "" if name is None else str(name).strip()
    return _SUFFIX.sub("", s) if s not in PROVINCES else s


def province_list(value: object) -> list[str]:
    """``吉林省；黑龙江`` → ``[吉林, 黑龙江]``."""
    if value is None:
        return []
    return [province_key(p) for p in _SPLIT.split(str(value)) if p.strip()]


@dataclass
class Assignment:
    table: pl.DataFrame  # province, city, county, institution, experts
    loads: pl.DataFrame  # role, name, counties
    summary: dict = field(default_factory=dict)
    warnings: list[E.Diagnostic] = field(default_factory=list)


def assign(institutions: pl.DataFrame, experts: pl.DataFrame, counties: pl.DataFrame, *,
           experts_per_county: int = 2, time_limit: float = 120.0) -> Assignment:
    """Institutions (``institution, province[, provincial_assessment, capacity]``), experts
    (``expert, unit_province[, institution, provincial_assessment, capacity]``) and counties
    (``province, [city,] county``) → an assignment meeting every recusal rule, loads balanced."""
    k = experts_per_county
    if k < 0:
        raise E.PovexitError(ES.ASSIGN_INPUT(reason=f"experts_per_county = {k}", hint="0 or more"))
    inst = _norm_people(institutions, "institution", "province")
    exp = _norm_people(experts, "expert", "unit_province")
    cty = counties.select(
        pl.col("province").cast(pl.String), (pl.col("city") if "city" in counties.columns else pl.lit(None)).cast(
            pl.String).alias("city"), pl.col("county").cast(pl.String),
    ).unique(["province", "county"], keep="first", maintain_order=True)
    warnings = _unknown_provinces(inst, exp, cty)
    names_i = inst["name"].to_list()
    if "institution" in exp.columns and exp["institution"].drop_nulls().len():
        unknown = sorted(set(exp["institution"].drop_nulls().to_list()) - set(names_i))
        if unknown:
            raise E.PovexitError(ES.ASSIGN_INPUT(
                column="institution", value=unknown[0],
                reason=f"专家名单中的机构“{unknown[0]}”不在机构名单中 / expert institution '{unknown[0]}' is not in the institutions list",
                hint="检查机构名称是否一致 / check the institution names match"))
    C = cty.height
    pk = [province_key(p) for p in cty["province"].to_list()]
    el_i = np.array([[_eligible(r, p) for p in pk] for r in inst.iter_rows(named=True)], dtype=bool).reshape(
        inst.height, C)
    el_e = np.array([[_eligible(r, p) for p in pk] for r in exp.iter_rows(named=True)], dtype=bool).reshape(
        exp.height, C)
    exp_inst = exp["institution"].to_list() if "institution" in exp.columns else [None] * exp.height
    coupled = any(x is not None for x in exp_inst)
    inst_index = {n: i for i, n in enumerate(names_i)}
    # experts tied to an institution may only go where their institution goes
    for e, name in enumerate(exp_inst):
        if name is not None:
            el_e[e] &= el_i[inst_index[name]]

    _diagnose(inst, exp, cty, pk, el_i, el_e, exp_inst, k, coupled, inst_index)
    names_e = exp["name"].to_list()
    cap_i = _caps(inst, C)
    cap_e = _caps(exp, C)
    member = np.array([[n == name for name in names_i] for n in exp_inst], dtype=bool).reshape(exp.height,
                                                                                              inst.height)
    free = ~member.any(axis=1)  # experts who name no institution may join any team
    usable = el_i.copy()
    if k:  # an institution may take a county only if it can staff it
        staff = member.T.astype(np.int64) @ el_e.astype(np.int64) + el_e[free].sum(axis=0)
        usable &= staff >= k
    solved = _balanced_flow(usable, np.ones(C, dtype=np.int64), cap_i)
    experts_of: dict[int, list[int]] = {c: [] for c in range(C)}
    if solved is not None and k:
        inst_at = solved.argmax(axis=0)
        pool = el_e & (free[:, None] | member[:, inst_at])
        staffed = _balanced_flow(pool, np.full(C, k, dtype=np.int64), cap_e)
        if staffed is None:  # only when experts' capacities bind: solve both steps together
            solved = None
        else:
            for e, c in zip(*np.nonzero(staffed), strict=True):
                experts_of[int(c)].append(int(e))
    if solved is None:
        joint = _joint_milp(el_i, el_e, member, cap_i, cap_e, k, time_limit)
        if joint is None:
            raise E.PovexitError(ES.ASSIGN_INFEASIBLE(reason=_infeasible_reason(inst, exp, pk, el_i, el_e, k)))
        solved, experts_of = joint
    inst_of = {c: names_i[int(i)] for c, i in enumerate(solved.argmax(axis=0))}
    exps_of = {c: [names_e[e] for e in es] for c, es in experts_of.items()}
    table = cty.with_columns(
        pl.Series("institution", [inst_of[c] for c in range(C)], dtype=pl.String),
        pl.Series("experts", [";".join(sorted(exps_of.get(c, []))) for c in range(C)], dtype=pl.String),
    ).sort("province", "city", "county")
    _verify(table, inst, exp, k)
    loads = pl.concat([
        pl.DataFrame({"role": "institution", "name": names_i,
                      "counties": [sum(v == n for v in inst_of.values()) for n in names_i]}),
        pl.DataFrame({"role": "expert", "name": names_e,
                      "counties": [sum(n in v for v in exps_of.values()) for n in names_e]}),
    ]).with_columns(pl.col("counties").cast(pl.Int64))
    summary = {
        "counties": C, "institutions": inst.height, "experts": exp.height, "experts_per_county": k,
        "max_institution_load": int(loads.filter(pl.col("role") == "institution")["counties"].max() or 0),
        "max_expert_load": int(loads.filter(pl.col("role") == "expert")["counties"].max() or 0) if exp.height else 0,
        "rules": ["institution not in the county's province", "expert's unit not in the county's province",
                  "no national check of a province assessed provincially"],
    }
    return Assignment(table, loads, summary, warnings)


def _caps(people: pl.DataFrame, counties: int) -> np.ndarray:
    return np.array([counties if c is None else int(c) for c in people["capacity"].to_list()], dtype=np.int64)


def _balanced_flow(eligible: np.ndarray, demand: np.ndarray, cap: np.ndarray) -> np.ndarray | None:
    """Units (rows) → counties (columns): each county gets ``demand`` eligible units, each unit at
    most its ``cap``, with the largest load as small as it can be (binary search on that load, each
    step a maximum flow). Returns the 0/1 matrix, or None when no assignment exists."""
    units, counties = eligible.shape
    need = int(demand.sum())
    if need == 0:
        return np.zeros_like(eligible, dtype=bool)
    lo, hi = max(1, -(-need // max(units, 1))), int(min(counties, cap.max(initial=0)))
    best = None
    while lo <= hi:
        mid = (lo + hi) // 2
        got = _max_flow(eligible, demand, np.minimum(cap, mid))
        if got is not None:
            best, hi = got, mid - 1
        else:
            lo = mid + 1
    return best


def _max_flow(eligible: np.ndarray, demand: np.ndarray, cap: np.ndarray) -> np.ndarray | None:
    """source → county (demand) → eligible unit (1) → sink (cap); the 0/1 unit×county matrix of a
    maximum flow if it meets every demand."""
    units, counties = eligible.shape
    src, sink = 0, 1 + counties + units
    u, c = np.nonzero(eligible)
    rows = np.r_[np.zeros(counties, dtype=np.int64), 1 + c, 1 + counties + np.arange(units)]
    cols = np.r_[1 + np.arange(counties), 1 + counties + u, np.full(units, sink)]
    vals = np.r_[demand, np.ones(len(u), dtype=np.int64), cap].astype(np.int32)
    keep = vals > 0
    graph = csr_matrix((vals[keep], (rows[keep], cols[keep])), shape=(sink + 1, sink + 1))
    res = maximum_flow(graph, src, sink)
    if res.flow_value < int(demand.sum()):
        return None
    flow = res.flow.tocsr()
    used = np.asarray(flow[1 + c, 1 + counties + u]).ravel() > 0
    out = np.zeros_like(eligible, dtype=bool)
    out[u[used], c[used]] = True
    return out


def _joint_milp(el_i, el_e, member, cap_i, cap_e, k, time_limit):
    """Institutions and experts together (scipy ``milp``/HiGHS): needed only when experts belong to
    institutions *and* their capacities bind, so the two-step flow may miss a feasible answer."""
    n_inst, C = el_i.shape
    X = [(i, c) for i in range(n_inst) for c in range(C) if el_i[i, c]]
    Y = [(e, c) for e in range(el_e.shape[0]) for c in range(C) if el_e[e, c]]
    nx, n = len(X), len(X) + len(Y)
    at = {p: j for j, p in enumerate(X)}
    rows, cols, vals, lo, hi = [], [], [], [], []

    def add(terms, lb, ub):
        for j, v in terms:
            rows.append(len(lo))
            cols.append(j)
            vals.append(v)
        lo.append(lb)
        hi.append(ub)

    for c in range(C):
        add([(j, 1) for j, (_, cc) in enumerate(X) if cc == c], 1, 1)
        add([(nx + j, 1) for j, (_, cc) in enumerate(Y) if cc == c], k, k)
    for i in range(n_inst):
        add([(j, 1) for j, (ii, _) in enumerate(X) if ii == i], 0, cap_i[i])
    for e in range(el_e.shape[0]):
        add([(nx + j, 1) for j, (ee, _) in enumerate(Y) if ee == e], 0, cap_e[e])
    for j, (e, c) in enumerate(Y):
        if member[e].any():
            i = int(member[e].argmax())
            add([(nx + j, 1), (at[(i, c)], -1)], -np.inf, 0)
    A = coo_matrix((vals, (rows, cols)), shape=(len(lo), n)).tocsr()
    res = milp(np.zeros(n), constraints=LinearConstraint(A, lo, hi), integrality=np.ones(n),
               bounds=Bounds(0, 1), options={"time_limit": time_limit})
    if res.x is None:
        return None
    solved = np.zeros((n_inst, C), dtype=bool)
    for j, (i, c) in enumerate(X):
        solved[i, c] = res.x[j] > 0.5
    experts_of: dict[int, list[int]] = {c: [] for c in range(C)}
    for j, (e, c) in enumerate(Y):
        if res.x[nx + j] > 0.5:
            experts_of[c].append(e)
    return solved, experts_of


def _norm_people(df: pl.DataFrame, name_col: str, prov_col: str) -> pl.DataFrame:
    def opt(c: str, dtype) -> pl.Expr:
        return (pl.col(c) if c in df.columns else pl.lit(None)).cast(dtype).alias(c)

    out = df.select(
        pl.col(name_col).cast(pl.String).str.strip_chars().alias("name"),
        pl.col(prov_col).cast(pl.String).alias("home"),
        opt("provincial_assessment", pl.String), opt("capacity", pl.Int64),
        *([opt("institution", pl.String)] if name_col == "expert" else []),
    )
    dup = out.filter(pl.col("name").is_duplicated())["name"].unique().sort().to_list()
    if dup:
        raise E.PovexitError(ES.ASSIGN_INPUT(column=name_col, value=dup[0],
                                             reason=f"“{dup[0]}”出现了两次 / '{dup[0]}' is listed twice",
                                             hint="每个机构或专家只列一行 / list each once"))
    return out


def _eligible(person: dict, province: str) -> bool:
    """The three recusal rules for one institution or expert and a county's province."""
    return province_key(person["home"]) != province and province not in province_list(person["provincial_assessment"])


def _unknown_provinces(inst: pl.DataFrame, exp: pl.DataFrame, cty: pl.DataFrame) -> list[E.Diagnostic]:
    seen = set()
    for v in [*inst["home"].to_list(), *exp["home"].to_list(), *cty["province"].to_list()]:
        seen.add(province_key(v))
    for col in (inst["provincial_assessment"], exp["provincial_assessment"]):
        for v in col.drop_nulls().to_list():
            seen.update(province_list(v))
    return [ES.ASSIGN_PROVINCE_UNKNOWN(value=p) for p in sorted(seen - set(PROVINCES)) if p]


def _why_not(people: pl.DataFrame, province: str) -> str:
    home = [r["name"] for r in people.iter_rows(named=True) if province_key(r["home"]) == province]
    prov = [r["name"] for r in people.iter_rows(named=True) if province in province_list(r["provincial_assessment"])]
    parts = []
    if home:
        parts.append(f"本省/own province: {'、'.join(home[:5])}{'…' if len(home) > 5 else ''}")
    if prov:
        parts.append(f"承担过该省省级评估/did its provincial assessment: {'、'.join(prov[:5])}{'…' if len(prov) > 5 else ''}")
    return "；".join(parts) or "名单为空 / the list is empty"


def _diagnose(inst, exp, cty, pk, el_i, el_e, exp_inst, k, coupled, inst_index) -> None:
    """Name the first rule that cannot be met, county by county, then province by province."""
    diags = []
    for c, row in enumerate(cty.iter_rows(named=True)):
        if not el_i[:, c].any():
            diags.append(ES.ASSIGN_NO_INSTITUTION(value=row["county"], province=row["province"],
                                                  reason=_why_not(inst, pk[c])))
            continue
        if k:
            if coupled:
                best = max((int(sum(el_e[e, c] for e, n in enumerate(exp_inst) if n == name))
                            for name, i in inst_index.items() if el_i[i, c]), default=0)
                free = int(sum(el_e[e, c] for e, n in enumerate(exp_inst) if n is None))
                available = best + free
            else:
                available = int(el_e[:, c].sum())
            if available < k:
                diags.append(ES.ASSIGN_FEW_EXPERTS(value=row["county"], province=row["province"], planned=k,
                                                   available=available, reason=_why_not(exp, pk[c])))
    if diags:
        raise E.PovexitError(diags)
    for p in sorted(set(pk)):
        cs = [c for c in range(len(pk)) if pk[c] == p]
        cap_i = _capacity(inst, el_i[:, cs[0]])
        if cap_i < len(cs):
            diags.append(ES.ASSIGN_CAPACITY(province=p, planned=len(cs), available=cap_i, kind="评估机构/institutions",
                                            reason="capacity"))
        if k:
            cap_e = _capacity(exp, el_e[:, cs[0]])
            if cap_e < k * len(cs):
                diags.append(ES.ASSIGN_CAPACITY(province=p, planned=len(cs), available=cap_e // k,
                                                kind="专家/experts", reason=f"{k} experts per county"))
    if diags:
        raise E.PovexitError(diags)


def _capacity(people: pl.DataFrame, eligible: np.ndarray) -> int:
    caps = people["capacity"].to_list()
    total = 0
    for i, ok in enumerate(eligible):
        if ok:
            total += 10**9 if caps[i] is None else int(caps[i])
    return total


def _infeasible_reason(inst, exp, pk, el_i, el_e, k) -> str:
    """Look for two provinces whose counties together exceed the capacity of those who may serve them."""
    provinces = sorted(set(pk))
    for a, b in combinations(provinces, 2):
        cs = [c for c in range(len(pk)) if pk[c] in (a, b)]
        first = {a: pk.index(a), b: pk.index(b)}
        elig_i = el_i[:, first[a]] | el_i[:, first[b]]
        if _capacity(inst, elig_i) < len(cs):
            return f"{a}、{b}两省共 {len(cs)} 个县，可派机构的总容量不足 / {a} and {b} together have {len(cs)} counties, more than the eligible institutions can take"
        if k:
            elig_e = el_e[:, first[a]] | el_e[:, first[b]]
            if _capacity(exp, elig_e) < k * len(cs):
                return f"{a}、{b}两省共需 {k * len(cs)} 名专家次，可派专家的总容量不足 / {a} and {b} together need {k * len(cs)} expert slots, more than the eligible experts can give"
    return "回避规则与工作量上限合起来无法满足 / the recusal rules and workload limits cannot be met together"


def _verify(table: pl.DataFrame, inst: pl.DataFrame, exp: pl.DataFrame, k: int) -> None:
    """Re-check every rule on the result (defence in depth: a wrong assignment must never be written)."""
    ih = {r["name"]: r for r in inst.iter_rows(named=True)}
    eh = {r["name"]: r for r in exp.iter_rows(named=True)}
    for row in table.iter_rows(named=True):
        p = province_key(row["province"])
        assert _eligible(ih[row["institution"]], p), row
        names = [n for n in (row["experts"] or "").split(";") if n]
        assert len(names) == k, row
        for n in names:
            assert _eligible(eh[n], p), (row, n)


# ---- I/O ----------------------------------------------------------------------------------------


def load_assign_inputs(institutions: str | Path, experts: str | Path, counties: str | Path
                       ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict[str, str]]:
    """Read the three tables (CSV/XLSX/Parquet, Chinese or English headers). ``counties`` may also be
    a sample's ``villages.csv`` (one row per village: counties are de-duplicated)."""
    out = []
    for path, spec in ((institutions, INSTITUTIONS), (experts, EXPERTS), (counties, COUNTIES)):
        t = read_table(path, spec)
        E.raise_if_errors(t.diagnostics)
        df = t.collect()
        if "capacity" in df.columns:
            bad = df.filter(pl.col("capacity").is_not_null() & pl.col("capacity").cast(pl.Int64, strict=False).is_null())
            if bad.height:
                r = bad.row(0, named=True)
                raise E.PovexitError(E.BAD_VALUE(file=str(path), row=r[ROW], column=t.header_of("capacity"),
                                                 value=r["capacity"], kind="整数 / integer", hint="最多承担的县数 / a count"))
            df = df.with_columns(pl.col("capacity").cast(pl.Int64))
        missing = df.filter(pl.any_horizontal(pl.col(c.name).is_null() for c in spec.required))
        if missing.height:
            r = missing.row(0, named=True)
            col = next(c.name for c in spec.required if r[c.name] is None)
            raise E.PovexitError(E.BAD_VALUE(file=str(path), row=r[ROW], column=t.header_of(col), value="",
                                             kind=f"{col}（必填 / required）", hint="填写该单元格 / fill in the cell"))
        out.append(df.drop(ROW))
        t.close()
    hashes = {Path(p).name: sha256_file(p) for p in (institutions, experts, counties)}
    return out[0], out[1], out[2], hashes


def write_assignment(result: Assignment, out: str | Path, inputs: dict[str, str] | None = None) -> Path:
    out = Path(out)
    with atomic_dir(out, kind="assignment") as tmp:
        result.table.write_csv(tmp / "assignment.csv")
        result.loads.write_csv(tmp / "workload.csv")
        write_json(tmp / "assignment.json", {**result.summary, "inputs": dict(sorted((inputs or {}).items())),
                                             "warnings": [w.to_dict() for w in result.warnings]})
    return out
