"""Turn a drawn county into the contract's registry tables and the hidden truth tables.

Registry values are written the way county offices write them (Chinese enums, 是/否); the truth
uses the normalised codes of docs/fields.md (booleans, English codes). The registry shows what the
county recorded: for a wrongfully exited household it hides the problem (income recorded above the
line, house recorded grade B, the out-of-school child recorded in school, everybody insured).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .county import (
    EXITED,
    NONREG,
    POOR,
    RETURNED,
    RULES,
    SC_DROPOUT,
    SC_JUNIOR,
    SC_PRIMARY,
    SCHOOLING_CODES,
    County,
    county_streams,
)
from .items import EXCEPTIONS, household_items
from .params import SynthParams
from .rosters import roster_rows
from .strings import build_names, id_strings
from .structure import relations

STATUS_ZH = np.array(["", "未脱贫", "已脱贫", "返贫"], dtype=object)
STATUS_CODE = np.array([None, "poor", "exited", "returned"], dtype=object)
POOR_TYPE_ZH = np.array(["", "一般贫困户", "低保贫困户", "特困供养贫困户"], dtype=object)
POOR_TYPE_CODE = np.array([None, "general", "dibao", "tekun"], dtype=object)
HEALTH_ZH = np.array(["健康", "长期慢性病", "患有大病", "残疾"], dtype=object)
HEALTH_CODE = np.array(["healthy", "chronic", "serious", "disabled"], dtype=object)
LABOUR_ZH = np.array(
    ["普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力"], dtype=object
)
LABOUR_CODE = np.array(["normal", "skilled", "weak", "lost", "none"], dtype=object)
SCHOOL_ZH = np.array(
    ["学前教育", "小学", "初中", "高中", "中职", "大专及以上", "非在校生", "辍学", "送教上门"], dtype=object
)
YN = np.array(["否", "是"], dtype=object)
FOCUS = ("dibao", "tekun", "disabled", "seriously_ill", "dangerous_house", "no_labour", "elderly_alone")
EXCLUSION_FLAGS = ("public_employee", "vehicle", "urban_property", "business", "village_cadre")

PERSONS_COLUMNS = (
    "province",
    "city",
    "county",
    "township",
    "village",
    "group",
    "household_id",
    "name",
    "id_number",
    "relation",
    "status",
    "exit_year",
    "poor_type",
    "poverty_cause",
    "income_per_capita",
    "relocated",
    "housing_grade",
    "school_status",
    "health",
    "labour",
    "basic_medical_insurance",
    "critical_illness_insurance",
    "sex",
    "monitored",
    "village_code",
)


@dataclass
class CountyTables:
    persons: pl.DataFrame
    villages: pl.DataFrame
    groups: pl.DataFrame
    rosters: pl.DataFrame
    county: dict
    truth_households: pl.DataFrame | None
    truth_persons: pl.DataFrame | None
    truth_villages: pl.DataFrame | None
    stats: dict


def _s(a: np.ndarray | list, dtype: pl.DataType = pl.String) -> pl.Series:
    if isinstance(a, np.ndarray) and a.dtype.kind == "U":
        a = a.astype(object)  # Polars takes object arrays of str faster than numpy unicode arrays
    if isinstance(a, np.ndarray) and a.dtype != object:
        return pl.Series(a).cast(dtype)
    try:
        return pl.Series(a, dtype=dtype)
    except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError, TypeError):  # None among values
        return pl.Series(list(a), dtype=dtype)


def _cat(labels: np.ndarray, codes: np.ndarray) -> pl.Series:
    """``labels[codes]`` as a String series (gathered in Polars: no Python objects per row)."""
    return pl.Series(list(labels), dtype=pl.String).gather(np.asarray(codes, dtype=np.int64))


def _const(value: object, n: int) -> pl.Series:
    return pl.repeat(value, n, eager=True, dtype=pl.String)


def household_ids(c: County) -> np.ndarray:
    fr = c.frame
    width = max(4, len(str(int(fr.h_no.max())))) if len(fr.h_no) else 4
    v = (fr.h_village + 1).astype(np.int64)
    num = (np.int64(int(c.spec.county_code)) * 1000 + v) * 10**width + fr.h_no
    ids = num.astype("<U24")
    return np.where(c.h["registered"], ids, np.strings.add("N", ids))


def build_tables(c: County, params: SynthParams, *, truth: bool) -> CountyTables:
    st = county_streams(params.seed, c.spec.index)
    spec, fr, h, m, sk = c.spec, c.frame, c.h, c.m, c.sk
    assert sk is not None and c.name_draws is not None and c.surnames is not None
    items = household_items(c, params, st["items"])
    ros = roster_rows(c, items, st["rosters"])
    n = len(h["status"])
    nm = len(sk.hh)
    vi = fr.h_village
    hid = household_ids(c)

    # members whose strings are needed
    reg_m = h["registered"][sk.hh]
    need = np.ones(nm, dtype=bool) if truth else reg_m.copy()
    need[ros.member] = True
    idx = np.flatnonzero(need)
    names = np.empty(nm, dtype=object)
    ids = np.empty(nm, dtype=object)
    names[idx] = build_names(
        surnames=c.surnames,
        surname_idx=m["surname"],
        draws=c.name_draws,
        male=sk.male,
        style=m["style"],
        idx=idx,
    )
    ids[idx] = id_strings(m["id17"][idx])
    relation = relations(sk.role, sk.male, m["through_son"])

    t_name = np.array(fr.t_name, dtype=object)
    v_name = np.array(fr.v_name, dtype=object)
    v_code = np.array(fr.v_code, dtype=object)
    g_name = np.array(fr.g_name, dtype=object)
    problems = h["problems"]

    # -- registry persons ------------------------------------------------------------------------------
    r = np.flatnonzero(reg_m)
    rh = sk.hh[r]
    status = h["status"]
    wrongful = h["wrongful_exit"]
    school_view = m["school"][r].copy()
    hide = wrongful[rh] & (school_view == SC_DROPOUT)
    school_view = np.where(hide, np.where(sk.age[r] <= 12, SC_PRIMARY, SC_JUNIOR), school_view)
    insured_view = m["basic"][r] | wrongful[rh]
    grade_truth = items["housing_grade"]
    grade_view = np.where(np.isin(grade_truth, ("A", "B")), grade_truth, "B")
    grade_view = np.where((status == POOR) | (status == RETURNED), grade_truth, grade_view)
    grade_view = np.where(
        h["relocated"] & (status == EXITED), np.where(fr.h_no % 2 == 0, "A", ""), grade_view
    )
    exit_year = np.where(status == EXITED, h["exit_year"], -1)
    persons = pl.DataFrame(
        {
            "province": _const(spec.province.name, len(r)),
            "city": _const(spec.city, len(r)),
            "county": _const(spec.county, len(r)),
            "township": _cat(t_name, fr.v_town[vi[rh]]),
            "village": _cat(v_name, vi[rh]),
            "group": _cat(g_name, fr.h_group[rh]),
            "household_id": _s(hid[rh]),
            "name": _s(names[r]),
            "id_number": _s(ids[r]),
            "relation": _s(relation[r]),
            "status": _cat(STATUS_ZH, status[rh]),
            "exit_year": pl.Series(exit_year[rh], dtype=pl.Int32).replace(-1, None),
            "poor_type": _cat(POOR_TYPE_ZH, h["poor_type"][rh]),
            "poverty_cause": _s(items["poverty_cause"][rh]),
            "income_per_capita": pl.Series(items["registry_income_per_capita"][rh], dtype=pl.Float64),
            "relocated": _cat(YN, h["relocated"][rh].astype(int)),
            "housing_grade": _s(grade_view[rh]),
            "school_status": _cat(SCHOOL_ZH, school_view),
            "health": _cat(HEALTH_ZH, m["health"][r]),
            "labour": _cat(LABOUR_ZH, m["labour"][r]),
            "basic_medical_insurance": _cat(YN, insured_view.astype(int)),
            "critical_illness_insurance": _cat(YN, insured_view.astype(int)),
            "sex": _s(np.where(sk.male[r], "男", "女")),
            "monitored": _cat(YN, h["monitored"][rh].astype(int)),
            "village_code": _cat(v_code, vi[rh]),
        }
    )

    # -- villages and groups -------------------------------------------------------------------------------
    V = len(fr.v_name)
    agri = np.bincount(vi, weights=h["persons"], minlength=V).astype(np.int64)
    reg_persons_v = np.bincount(vi, weights=h["persons"] * h["registered"], minlength=V).astype(np.int64)
    poor_persons_v = np.bincount(
        vi, weights=h["persons"] * ((status == POOR) | (status == RETURNED)), minlength=V
    )
    place = {"province": spec.province.name, "city": spec.city, "county": spec.county}
    villages = pl.DataFrame(
        {
            **{k: _const(v, V) for k, v in place.items()},
            "township": _s(t_name[fr.v_town]),
            "village": _s(v_name),
            "poor_village": _cat(YN, fr.v_poor.astype(int)),
            "exited_year": pl.Series(fr.v_exited_year, dtype=pl.Int32).replace(0, None),
            "agricultural_population": pl.Series(agri, dtype=pl.Int64),
            "households": pl.Series(fr.v_households, dtype=pl.Int64),
            "remote": _cat(YN, fr.v_remote.astype(int)),
            "edge": _cat(YN, fr.v_edge.astype(int)),
            "border": _cat(YN, fr.v_border.astype(int)),
            "minority": _cat(YN, fr.v_minority.astype(int)),
            "village_code": _s(v_code),
            "key_township": _cat(YN, fr.t_key[fr.v_town].astype(int)),
        }
    )
    G = len(fr.g_name)
    g_agri = np.bincount(fr.h_group, weights=h["persons"], minlength=G).astype(np.int64)
    groups = pl.DataFrame(
        {
            **{k: _const(v, G) for k, v in place.items()},
            "township": _s(t_name[fr.v_town[fr.g_village]]),
            "village": _s(v_name[fr.g_village]),
            "group": _s(g_name),
            "agricultural_population": pl.Series(g_agri, dtype=pl.Int64),
            "households": pl.Series(fr.g_households, dtype=pl.Int64),
        }
    )

    # -- rosters ---------------------------------------------------------------------------------------------
    rm = ros.member
    rhh = sk.hh[rm]
    rosters = pl.DataFrame(
        {
            "source": _s(ros.source),
            "id_number": _s(ids[rm]),
            "name": _s(names[rm]),
            "county": _const(spec.county, len(rm)),
            "township": _cat(t_name, fr.v_town[vi[rhh]]),
            "village": _cat(v_name, vi[rhh]),
            "group": _cat(g_name, fr.h_group[rhh]),
            "detail": _s(ros.detail),
        }
    )

    county_row = {
        "province": spec.province.name,
        "city": spec.city,
        "county": spec.county,
        "region": "西部" if spec.region == "western" else "中部",
        "poverty_threshold": spec.threshold,
        "exit_year": spec.exit_year,
        "county_code": spec.county_code,
    }
    stats = {
        "villages": V,
        "townships": len(fr.t_name),
        "groups": G,
        "households": n,
        "persons": int(h["persons"].sum()),
        "registered_households": int(h["registered"].sum()),
        "registered_persons": len(r),
        "exited_households": int((status == EXITED).sum()),
        "nonregistered_households": int((status == NONREG).sum()),
        "wrongful_exit_households": int(wrongful.sum()),
        "missed_households": int(h["missed"].sum()),
        "roster_rows": len(rm),
    }

    th = tp = tv = None
    if truth:
        th = _truth_households(c, items, hid, t_name, v_name, g_name, v_code, problems)
        tp = pl.DataFrame(
            {
                "household_id": _s(hid[sk.hh]),
                "member_no": pl.Series(sk.member_no, dtype=pl.Int32),
                "name": _s(names),
                "id_number": _s(ids),
                "relation": _s(relation),
                "age": pl.Series(sk.age, dtype=pl.Int32),
                "sex": _s(np.where(sk.male, "M", "F")),
                "birth_date": pl.Series(m["birth"]).cast(pl.Date),
                "schooling": _s(np.array(SCHOOLING_CODES, dtype=object)[m["school"]]),
                "health": _cat(HEALTH_CODE, m["health"]),
                "disability": _s(np.where(m["grade"] > 0, m["grade"].astype("<U1"), "none")),
                "labour": _cat(LABOUR_CODE, m["labour"]),
                "basic_insured": pl.Series(m["basic"]),
                "critical_insured": pl.Series(m["basic"]),
            }
        )
        tv = _truth_villages(c, st["villages"], v_code, t_name, v_name, agri, reg_persons_v, poor_persons_v)
    return CountyTables(
        persons=persons,
        villages=villages,
        groups=groups,
        rosters=rosters,
        county=county_row,
        truth_households=th,
        truth_persons=tp,
        truth_villages=tv,
        stats=stats,
    )


def bits_text(bits: np.ndarray, names: tuple[str, ...]) -> pl.Series:
    """``;``-joined names of the set bits (e.g. rule ids), computed once per distinct value."""
    uniq, inv = np.unique(bits, return_inverse=True)
    texts = [";".join(nm for i, nm in enumerate(names) if (int(u) >> i) & 1) for u in uniq.tolist()]
    return pl.Series(texts, dtype=pl.String).gather(inv.ravel())


def problems_text(problems: np.ndarray) -> pl.Series:
    return bits_text(problems, RULES)


def _truth_households(
    c: County,
    items: dict,
    hid: np.ndarray,
    t_name: np.ndarray,
    v_name: np.ndarray,
    g_name: np.ndarray,
    v_code: np.ndarray,
    problems: np.ndarray,
) -> pl.DataFrame:
    spec, fr, h = c.spec, c.frame, c.h
    n = len(hid)
    vi = fr.h_village
    status = h["status"]
    nonreg = status == NONREG
    htype = np.full(n, "", dtype=object)
    for f in FOCUS:
        htype = np.where(h[f], np.where(htype == "", f, htype + " " + f), htype)
    htype = np.where(htype == "", "normal", htype)
    cols: dict[str, pl.Series] = {
        "household_id": _s(hid),
        "registered": pl.Series(h["registered"]),
        "status": _cat(STATUS_CODE, status),
        "exit_year": pl.Series(np.where(status == EXITED, h["exit_year"], -1), dtype=pl.Int32).replace(
            -1, None
        ),
        "poor_type": _cat(POOR_TYPE_CODE, h["poor_type"] * h["registered"]),
        "monitored": pl.Series(h["monitored"]),
        "province": _const(spec.province.name, n),
        "city": _const(spec.city, n),
        "county": _const(spec.county, n),
        "township": _cat(t_name, fr.v_town[vi]),
        "village": _cat(v_name, vi),
        "village_id": _cat(v_code, vi),
        "group": _cat(g_name, fr.h_group),
        "persons": pl.Series(h["persons"], dtype=pl.Int32),
        "household_type": _s(np.where(nonreg, htype, None)),
    }
    for f in FOCUS:
        cols[f] = pl.Series(h[f])
    for f in EXCLUSION_FLAGS:
        cols[f] = pl.Series(h[f])
    cols["excluded"] = pl.Series(h["excluded"])
    ints = {"persons_sharing", "water_days_without", "dropout_count"}
    floats = {
        "income_wage",
        "income_business",
        "income_property",
        "income_transfer",
        "production_cost",
        "income_windfall",
        "income_per_capita",
        "income_net_per_capita",
        "registry_income_per_capita",
        "water_litres_per_person_day",
        "water_fetch_minutes",
        "water_horizontal_m",
        "water_vertical_m",
        "water_reliability_pct",
    }
    strings = {
        "dropout_reason",
        "housing_grade",
        "housing_substitute",
        "disapproval_reason",
        "poverty_cause",
        "infrastructure_improved",
    }
    for k, v in items.items():
        if k == "exceptions":
            cols[k] = bits_text(v, EXCEPTIONS)
        elif k in ints:
            cols[k] = pl.Series(v, dtype=pl.Int32)
        elif k in floats:
            cols[k] = pl.Series(v, dtype=pl.Float64, nan_to_null=True)
        elif k in strings:
            cols[k] = _s(v)
        else:
            cols[k] = _s(v, pl.Boolean) if v.dtype == object else pl.Series(v, dtype=pl.Boolean)
    cols["wrongful_exit"] = pl.Series(h["wrongful_exit"])
    cols["missed"] = pl.Series(h["missed"])
    cols["missed_persons"] = pl.Series(np.where(h["missed"], h["persons"], 0), dtype=pl.Int32)
    cols["problems"] = problems_text(problems)
    return pl.DataFrame(cols)


VILLAGE_RULES = (
    "village.road",
    "village.bus",
    "village.water",
    "village.power",
    "village.broadcast",
    "village.culture",
    "village.clinic",
    "village.doctor",
    "village.broadband",
)
CULTURE_ITEMS = ("room", "square", "stage", "board", "culture_kit", "broadcast_kit", "sports_kit")
CLINIC_ROOMS = ("consulting", "treatment", "public_health", "pharmacy")


def _truth_villages(
    c: County,
    rng: np.random.Generator,
    v_code: np.ndarray,
    t_name: np.ndarray,
    v_name: np.ndarray,
    agri: np.ndarray,
    reg_persons: np.ndarray,
    poor_persons: np.ndarray,
) -> pl.DataFrame:
    """The village checklist (seed 002 附件1): most villages meet every standard; about 4 % miss one."""
    fr = c.frame
    V = len(v_name)
    fail = np.where(rng.random(V) < 0.04, rng.integers(0, len(VILLAGE_RULES), V), -1)
    exempt = fr.v_remote & (rng.random(V) < 0.3)
    width = np.where(exempt, rng.uniform(3.0, 3.4, V), rng.uniform(3.5, 6.5, V))
    hardened = np.ones(V, dtype=bool)
    road_fail = fail == 0
    hardened = np.where(road_fail & (rng.random(V) < 0.5), False, hardened)
    width = np.where(road_fail, rng.uniform(2.2, 2.8, V), width)
    exempt = np.where(road_fail, False, exempt)
    culture_all = " ".join(CULTURE_ITEMS)
    culture_missing = " ".join(CULTURE_ITEMS[:2] + CULTURE_ITEMS[3:5])
    clinic_fail = fail == 6
    staff = np.round(rng.uniform(1.0, 2.5, V), 2)
    df = pl.DataFrame(
        {
            "village_id": _s(v_code),
            "county": _const(c.spec.county, V),
            "township": _s(t_name[fr.v_town]),
            "village": _s(v_name),
            "poor_village": pl.Series(fr.v_poor),
            "road_hardened": pl.Series(hardened),
            "road_width_m": pl.Series(np.round(width, 1)),
            "road_width_exempt": pl.Series(exempt),
            "bus_within_2km": pl.Series(fail != 1),
            "bus_distance_km": pl.Series(
                np.round(np.where(fail == 1, rng.uniform(4, 12, V), rng.uniform(0, 1.8, V)), 1)
            ),
            "water_standard_ok": pl.Series(fail != 2),
            "power_all_households": pl.Series(fail != 3),
            "broadcast_all_households": pl.Series(fail != 4),
            "culture_centre_items": _s(np.where(fail == 5, culture_missing, culture_all)),
            "clinic_area_m2": pl.Series(
                np.round(np.where(clinic_fail, rng.uniform(30, 50, V), rng.uniform(60, 140, V)), 1)
            ),
            "clinic_rooms": _s(np.where(clinic_fail, "consulting pharmacy", " ".join(CLINIC_ROOMS))),
            "clinic_staff_per_1000": pl.Series(staff),
            "qualified_doctor": pl.Series(fail != 7),
            "broadband_mbps": pl.Series(
                np.where(fail == 8, 20.0, rng.choice([50.0, 100.0, 200.0, 300.0], V))
            ),
            "fiber_reached": pl.Series(fail != 8),
            "incidence_reported_pct": pl.Series(np.round(100 * poor_persons / np.maximum(agri, 1), 2)),
            "registered_persons": pl.Series(reg_persons, dtype=pl.Int64),
            "problems": _s(
                np.where(fail >= 0, np.array(VILLAGE_RULES, dtype=object)[np.maximum(fail, 0)], "")
            ),
        }
    )
    return df
