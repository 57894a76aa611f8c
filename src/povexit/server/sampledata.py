"""A contract-shaped assessment work directory made from a seed, for the server's tests, benchmark
and ``povexit serve --demo`` when no pipeline work directory is given.

It writes what docs/data-layout.md lists for ``WORK/`` — registry (contract §1 CSVs), sample
(contract §2 + the sampling layer's extras), responses (households.parquet, rejected.csv), findings
(findings.csv, cases.csv) and estimates.json — the provisional estimates computed by
``povexit.estimate`` (or plain ratios, ``ci_method`` says so, when that layer is absent). It is not the
synthetic world of ``povexit synth``: no hidden truth, no questionnaire answers; only the shape and
the numbers the server reads. Same arguments → same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from .. import idnumber
from ..fsutil import MARKER

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志福林云海波荣文")
TOWN_SUFFIX = ("镇", "乡")
WRONGFUL_RULES = (
    ("housing.unsafe", "疑似错退：住房安全无保障（C级危房，未改造）"),
    ("income.below_line", "疑似错退：人均纯收入低于当年扶贫标准"),
    ("medical.uninsured", "疑似错退：家庭成员未参加城乡居民基本医疗保险"),
    ("water.quantity", "疑似错退：饮水数量不足（每人每天不足40升）"),
    ("education.dropout", "疑似错退：义务教育阶段适龄儿童辍学"),
)
MISSED_RULES = (
    ("income.below_line", "疑似漏评：人均纯收入低于识别标准"),
    ("housing.unsafe", "疑似漏评：住房为D级危房"),
    ("medical.unaffordable", "疑似漏评：大病医疗负担重，基本医疗无保障"),
)
REJECT_CODES = (
    ("PVX-I05", "gps", "", "缺少GPS定位"),
    ("PVX-I07", "ended_at", "", "访问时长不足10分钟"),
    ("PVX-I03", "household_id", "", "户编号不在样本中"),
)


@dataclass(frozen=True)
class Params:
    counties: int = 1
    villages_per_county: int = 25
    households_per_village: int = 40  # sampled households (registered + general) per village
    case_share: float = 0.03  # share of interviewed households with a suspected problem
    interviewed_share: float = 0.9
    seed: int = 2019
    province: str = "示例省"
    fieldwork_start: dt.date = dt.date(2019, 2, 13)
    fieldwork_days: int = 5
    registry_factor: int = 3  # registered households per village = factor × the sampled registered ones
    use_estimate_layer: bool = True  # provisional estimates.json from povexit.estimate when it can run


def _layer_estimates(out: Path, counties: list[str]) -> list[dict] | None:
    """The provisional estimates as the pipeline computes them (``povexit.estimate``); ``None`` when the
    layer is not there, and the plain-ratio figures are kept."""
    try:
        from ..estimate import estimate_many, load_sample_dir, read_cases, read_findings
        from ..registry import load
    except ImportError:
        return None
    reg = load(out / "registry")
    res = estimate_many(
        reg,
        load_sample_dir(out / "sample"),
        read_findings(out / "findings" / "findings.csv"),
        read_cases(out / "findings" / "cases.csv"),
        counties=counties,
        stage="provisional",
    )
    return [r.to_dict() for r in res]


def _name(rng: np.random.Generator) -> str:
    return SURNAMES[rng.integers(len(SURNAMES))] + "".join(GIVEN[i] for i in rng.integers(len(GIVEN), size=2))


def county_name(i: int) -> str:
    return "示例县" if i == 0 else f"示例{i + 1}县"


def write_workdir(out: str | Path, params: Params = Params()) -> Path:
    """Write the work directory ``out`` (created; existing files of the same names are replaced)."""
    out = Path(out)
    rng = np.random.default_rng(params.seed)
    reg_persons, reg_villages, reg_counties = [], [], []
    s_villages, s_households, s_groups = [], [], []
    r_households, rejected, findings, cases = [], [], [], []
    estimates = []
    for ci in range(params.counties):
        county = county_name(ci)
        region_code = f"{530100 + ci * 100 + 28:06d}"[:6]
        western = ci % 2 == 0
        reg_counties.append(
            {
                "province": params.province,
                "city": "示例市",
                "county": county,
                "region": "western" if western else "central",
                "poverty_threshold": 0.03 if western else 0.02,
                "exit_year": 2018,
            }
        )
        n_sampled_v = params.villages_per_county
        n_village = n_sampled_v * 2
        townships = [f"第{t + 1}{TOWN_SUFFIX[t % 2]}" for t in range(max(3, n_village // 10))]
        counters = {
            "exited_persons": 0,
            "poor_persons": 0,
            "agri": 0,
            "nonreg_groups": 0,
            "s_exited_persons": 0,
            "wrong_persons": 0,
            "missed_persons": 0,
            "approve": 0,
            "answered": 0,
            "s_exited_hh": 0,
            "s_general_hh": 0,
            "psu": 0,
        }
        teams = [f"{_name(rng)}、{_name(rng)}" for _ in range(max(2, n_sampled_v // 4))]
        for vi in range(n_village):
            township = townships[vi % len(townships)]
            village = (
                f"{SURNAMES[(vi * 7 + ci) % len(SURNAMES)]}家{['村', '坪村', '寨村', '沟村'][vi % 4]}{vi + 1}"
            )
            vid = (
                "V"
                + hashlib.sha1(
                    f"{params.province}|示例市|{county}|{township}|{village}".encode()
                ).hexdigest()[:11]
            )
            poor_village = vi % 10 < 7
            sampled = vi < n_sampled_v
            n_reg = int(params.households_per_village * 0.6)
            n_gen = params.households_per_village - n_reg
            reg_total = n_reg * params.registry_factor
            group_nonreg = int(rng.integers(260, 420))
            agri = reg_total * 4 + group_nonreg * 3
            counters["agri"] += agri
            reg_villages.append(
                {
                    "province": params.province,
                    "city": "示例市",
                    "county": county,
                    "township": township,
                    "village": village,
                    "poor_village": "是" if poor_village else "否",
                    "exited_year": 2018 if poor_village else None,
                    "agricultural_population": agri,
                    "households": agri // 3,
                    "remote": "是" if vi % 5 == 0 else "否",
                    "edge": "否",
                    "border": "否",
                    "minority": "否",
                }
            )
            team = teams[vi % len(teams)]
            batch = 1 + (vi * 3) // n_sampled_v if sampled else None
            if sampled:
                counters["psu"] += 1
                stratum = "poor" if poor_village else "nonpoor"
                p_v = round(n_sampled_v / n_village, 6)
                s_villages.append(
                    {
                        "county": county,
                        "township": township,
                        "village": village,
                        "village_id": vid,
                        "stratum": stratum,
                        "reason": "weak-area" if vi % 2 else "random",
                        "p_village": p_v,
                        "batch": batch,
                        "fpc_village": n_village,
                        "weak_area": vi % 5 == 0,
                        "poor_village": poor_village,
                        "province": params.province,
                        "city": "示例市",
                        "n_stratum": n_village,
                        "certainty": False,
                    }
                )
                s_groups.append(
                    {
                        "county": county,
                        "township": township,
                        "village": village,
                        "village_id": vid,
                        "group": "一组",
                        "nonregistered_population": group_nonreg,
                        "p_group": 1.0,
                        "registered_persons": n_reg,
                        "stratum": stratum,
                        "psu": vid,
                        "p_village": p_v,
                        "weight": round(1 / p_v, 6),
                        "batch": batch,
                        "province": params.province,
                        "city": "示例市",
                    }
                )
                counters["nonreg_groups"] += group_nonreg
            # registered households of the village (population); the first n_reg are sampled
            for hi in range(reg_total):
                hid = f"{region_code}{vi:03d}{hi:04d}"
                status = "exited" if rng.random() < 0.99 else "poor"
                size = int(rng.integers(1, 7))
                counters["exited_persons" if status == "exited" else "poor_persons"] += size
                head = _name(rng)
                surname = head[0]
                income = round(float(rng.normal(6000, 1500)), 2)
                grade = "A" if rng.random() < 0.7 else "B"
                for m in range(size):
                    k = counters.setdefault("persons_made", 0)
                    counters["persons_made"] = k + 1
                    age_days = 365 * (18 if m == 0 else 1) + (k * 7919) % (365 * 70)
                    born = dt.date(2018, 12, 31) - dt.timedelta(days=age_days)
                    reg_persons.append(
                        {
                            "province": params.province,
                            "city": "示例市",
                            "county": county,
                            "township": township,
                            "village": village,
                            "group": "一组",
                            "household_id": hid,
                            "name": head if m == 0 else surname + GIVEN[int(rng.integers(len(GIVEN)))],
                            # distinct (birth date, sequence) pairs: ID numbers never repeat
                            "id_number": idnumber.make(
                                region_code, born, k % 100 + 100 * (k // 100 % 4), m % 2 == 0
                            ),
                            "relation": "户主" if m == 0 else ("配偶" if m == 1 else "之子"),
                            "status": {"exited": "已脱贫", "poor": "未脱贫"}[status],
                            "exit_year": 2018 if status == "exited" else None,
                            "poor_type": "一般贫困户",
                            "income_per_capita": income,
                            "relocated": "否",
                            "housing_grade": grade,
                            "basic_medical_insurance": "是",
                            "critical_illness_insurance": "是",
                        }
                    )
                if sampled and hi < n_reg:
                    _sample_household(
                        params,
                        rng,
                        county,
                        township,
                        village,
                        vid,
                        hid,
                        "registered",
                        size,
                        status,
                        team,
                        round(p_v, 6),
                        round(n_reg / reg_total, 6),
                        s_households,
                        r_households,
                        findings,
                        cases,
                        counters,
                    )
            if sampled:
                for gi in range(n_gen):
                    hid = f"N{region_code}{vi:03d}{gi:04d}"
                    size = int(rng.integers(1, 7))
                    _sample_household(
                        params,
                        rng,
                        county,
                        township,
                        village,
                        vid,
                        hid,
                        "general",
                        size,
                        "none",
                        team,
                        round(p_v, 6),
                        1.0,
                        s_households,
                        r_households,
                        findings,
                        cases,
                        counters,
                    )
        n_bad = max(1, int(len(r_households) * 0.004))
        for k in range(n_bad):
            code, fld, val, msg = REJECT_CODES[k % len(REJECT_CODES)]
            rejected.append(
                {
                    "file": f"{county}-odk-export.csv",
                    "row": 2 + int(rng.integers(0, 900)),
                    "field": fld,
                    "value": val,
                    "code": code,
                    "message": msg,
                    "county": county,
                }
            )
        estimates.append(_estimates(county, 0.03 if western else 0.02, counters))

    _write(
        out,
        params,
        reg_persons,
        reg_villages,
        reg_counties,
        s_villages,
        s_households,
        s_groups,
        r_households,
        rejected,
        findings,
        cases,
        estimates,
    )
    return out


def _sample_household(
    params,
    rng,
    county,
    township,
    village,
    vid,
    hid,
    instrument,
    size,
    status,
    team,
    p_v,
    p_h,
    s_households,
    r_households,
    findings,
    cases,
    counters,
) -> None:
    s_households.append(
        {
            "household_id": hid,
            "village_id": vid,
            "group": "一组",
            "instrument": instrument,
            "stratum": "poor",
            "psu": vid,
            "p_village": p_v,
            "p_household": p_h,
            "weight": round(1 / (p_v * p_h), 6),
            "persons": size,
            "fpc_household": None,
            "county": county,
            "township": township,
            "village": village,
            "source": "frame" if instrument == "registered" else "census",
            "reserve_rank": None,
            "province": params.province,
            "city": "示例市",
        }
    )
    if instrument == "registered" and status == "exited":
        counters["s_exited_hh"] += 1
        counters["s_exited_persons"] += size
    if instrument == "general":
        counters["s_general_hh"] += 1
    if rng.random() >= params.interviewed_share:
        return
    day = params.fieldwork_start + dt.timedelta(days=int(rng.integers(0, params.fieldwork_days)))
    start = dt.datetime.combine(day, dt.time(8, 0)) + dt.timedelta(minutes=int(rng.integers(0, 600)))
    iid = f"uuid:{hid}-{int(rng.integers(1 << 30)):08x}"
    r_households.append(
        {
            "instance_id": iid,
            "household_id": hid,
            "instrument": instrument,
            "enumerators": team,
            "started_at": start,
            "ended_at": start + dt.timedelta(minutes=int(rng.integers(25, 70))),
            "gps": "",
            "village_id": vid,
            "group": "一组",
        }
    )
    approves = rng.random() < 0.96
    counters["answered"] += 1
    counters["approve"] += approves
    wrongful = instrument == "registered" and status == "exited" and rng.random() < params.case_share
    missed = instrument == "general" and rng.random() < params.case_share
    rules, problems, evidence = "", "", {}
    if wrongful or missed:
        table = WRONGFUL_RULES if wrongful else MISSED_RULES
        rule, text = table[int(rng.integers(len(table)))]
        rules, problems = rule, text
        evidence = {rule: {"housing_grade": "C"} if rule == "housing.unsafe" else {"answer": "否"}}
        kind = "wrongful_exit" if wrongful else "missed"
        counters["wrong_persons" if wrongful else "missed_persons"] += size
        cases.append(
            {
                "case_id": f"{kind[0].upper()}-{hid}",
                "household_id": hid,
                "kind": kind,
                "outcome": "pending",
                "rules": rule,
                "evidence": json.dumps(evidence, ensure_ascii=False),
            }
        )
    findings.append(
        {
            "household_id": hid,
            "instrument": instrument,
            "persons": size,
            "wrongful_exit": "是" if wrongful else "否",
            "wrongful_exit_persons": size if wrongful else 0,
            "missed": "是" if missed else "否",
            "missed_persons": size if missed else 0,
            "approves": "是" if approves else "否",
            "rules": rules,
            "evidence": json.dumps(evidence, ensure_ascii=False),
            "status": "judged",
            "missing_fields": "",
            "problems_zh": problems,
            "ruleset": "national-2019",
            "ruleset_version": "1",
        }
    )


def _rate(num: float, den: float, n: int, n_psu: int, n_households: int, threshold: float | None) -> dict:
    p = num / den if den else 0.0
    se = math.sqrt(max(p * (1 - p), 1e-12) / max(n, 1))
    return {
        "official": p,
        "estimate": p,
        "se": se,
        "ci_low": max(0.0, p - 1.96 * se),
        "ci_high": min(1.0, p + 1.96 * se),
        "ci_method": "wald (plain ratio, sample fixture)",
        "deff": 1.0,
        "n_households": n_households,
        "n_persons": int(den),
        "n_psu": n_psu,
    }


def _estimates(county: str, threshold: float, c: dict) -> dict:
    we = _rate(
        c["wrong_persons"], c["s_exited_persons"], c["s_exited_persons"], c["psu"], c["s_exited_hh"], 0.02
    )
    mi = _rate(c["missed_persons"], c["nonreg_groups"], c["nonreg_groups"], c["psu"], c["s_general_hh"], 0.02)
    ap = _rate(c["approve"], c["answered"], c["answered"], c["psu"], c["answered"], 0.9)
    ap["n_persons"] = 0
    nonregistered = c["agri"] - c["poor_persons"] - c["exited_persons"]
    comp_num = c["poor_persons"] + we["official"] * c["exited_persons"] + mi["official"] * nonregistered
    co = _rate(
        comp_num, c["agri"], c["s_exited_persons"], c["psu"], c["s_exited_hh"] + c["s_general_hh"], threshold
    )
    thresholds = {
        "composite_incidence": threshold,
        "wrongful_exit_rate": 0.02,
        "missed_rate": 0.02,
        "approval_rate": 0.90,
    }
    ind = {"wrongful_exit_rate": we, "missed_rate": mi, "approval_rate": ap, "composite_incidence": co}
    reasons, decision = [], "pass"
    if co["estimate"] > threshold:
        decision = "fail"
        reasons.append(f"综合贫困发生率 {co['estimate']:.2%} 高于 {threshold:.0%}")
    else:
        for k in ("wrongful_exit_rate", "missed_rate"):
            if ind[k]["estimate"] >= 0.02:
                decision = "rectify"
                reasons.append(f"{k} ≥ 2%")
        if ap["estimate"] <= 0.9:
            decision = "rectify"
            reasons.append("群众认可度 ≤ 90%")
    near = [k for k, v in ind.items() if v["ci_low"] <= thresholds[k] <= v["ci_high"]]
    return {
        "contract": 1,
        "county": county,
        "stage": "provisional",
        "indicators": ind,
        "thresholds": thresholds,
        "decision": decision,
        "reasons": reasons,
        "near_threshold": near,
    }


def _write(
    out: Path,
    params: Params,
    reg_persons,
    reg_villages,
    reg_counties,
    s_villages,
    s_households,
    s_groups,
    r_households,
    rejected,
    findings,
    cases,
    estimates,
) -> None:
    for sub, kind in (
        ("registry", "registry-raw"),
        ("sample", "sample"),
        ("responses", "responses"),
        ("findings", "findings"),
    ):
        (out / sub).mkdir(parents=True, exist_ok=True)
        (out / sub / MARKER).write_text(json.dumps({"kind": kind}) + "\n", encoding="utf-8")
    pl.DataFrame(reg_persons, infer_schema_length=None).write_csv(out / "registry" / "persons.csv")
    pl.DataFrame(reg_villages, infer_schema_length=None).write_csv(out / "registry" / "villages.csv")
    pl.DataFrame(reg_counties).write_csv(out / "registry" / "counties.csv")
    # the sampling layer's full column sets (povexit.sampling.model), so load_sample reads them
    from ..sampling.model import GROUP_SCHEMA, HOUSEHOLD_SCHEMA, VILLAGE_SCHEMA, conform

    conform(pl.DataFrame(s_villages, infer_schema_length=None), VILLAGE_SCHEMA).write_csv(
        out / "sample" / "villages.csv"
    )
    hh = conform(pl.DataFrame(s_households, infer_schema_length=None), HOUSEHOLD_SCHEMA)
    hh.write_csv(out / "sample" / "households.csv")
    hh.clear().write_csv(out / "sample" / "reserve.csv")
    conform(pl.DataFrame(s_groups), GROUP_SCHEMA).write_csv(out / "sample" / "groups.csv")
    (out / "sample" / "manifest.json").write_text(
        json.dumps(
            {"design": "sample-fixture", "seed": params.seed, "povexit": "server.sampledata"},
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    pl.DataFrame(r_households, infer_schema_length=None).write_parquet(
        out / "responses" / "households.parquet"
    )
    rej_schema = {
        "file": pl.String,
        "row": pl.Int64,
        "field": pl.String,
        "value": pl.String,
        "code": pl.String,
        "message": pl.String,
        "county": pl.String,
    }
    pl.DataFrame(rejected, schema=rej_schema).write_csv(out / "responses" / "rejected.csv")
    pl.DataFrame(findings, infer_schema_length=None).write_csv(out / "findings" / "findings.csv")
    case_schema = {
        "case_id": pl.String,
        "household_id": pl.String,
        "kind": pl.String,
        "outcome": pl.String,
        "rules": pl.String,
        "evidence": pl.String,
    }
    pl.DataFrame(cases, schema=case_schema).write_csv(out / "findings" / "cases.csv")
    layer = _layer_estimates(out, [e["county"] for e in estimates]) if params.use_estimate_layer else None
    if layer is not None:
        estimates = layer
    est = estimates[0] if len(estimates) == 1 else estimates
    (out / "estimates.json").write_text(
        json.dumps(est, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
