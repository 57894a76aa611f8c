"""A small, hand-made work directory shaped like docs/data-layout.md, for the report tests.

One county (示范县) of three townships; four sampled villages (丙乡 has none, so one township is
not visited); twelve registered households (one substituted from the reserve), six non-registered
households of two census groups; two suspected wrongful exits (one confirmed, one dismissed with
the county's evidence) and one suspected missed household (pending); two village checklists that
fail a standard; interviews with cadres; and an estimates.json whose decision is ``rectify``.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import polars as pl

from povexit import idnumber

COUNTY = "示范县"


def write_csv(path: Path, text: str) -> Path:
    """Inline table → UTF-8 CSV (same as tests/conftest.py's helper, which this directory cannot import)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(textwrap.dedent(text).lstrip("\n").encode("utf-8"))
    return path


def _id(n: int, year: int = 1960) -> str:
    return idnumber.make("530128", dt.date(year, 1 + n % 12, 1 + n % 27), n, n % 2 == 0)


REG_HOUSEHOLDS = """\
household_id,province,city,county,township,village,village_id,group,status,exit_year,poor_type,persons,head_name
HH001,云南省,昆明市,示范县,甲镇,东村,V01,一组,exited,2017,general,4,张大山
HH002,云南省,昆明市,示范县,甲镇,东村,V01,二组,exited,2018,general,3,李小红
HH003,云南省,昆明市,示范县,甲镇,东村,V01,一组,exited,2018,dibao,4,王建国
HH004,云南省,昆明市,示范县,甲镇,西村,V02,一组,exited,2016,general,2,赵四
HH005,云南省,昆明市,示范县,甲镇,西村,V02,二组,exited,2017,general,5,钱多多
HH006,云南省,昆明市,示范县,乙乡,南村,V03,三组,exited,2018,general,3,孙悟
HH007,云南省,昆明市,示范县,乙乡,南村,V03,三组,exited,2018,tekun,3,周八
HH008,云南省,昆明市,示范县,乙乡,北村,V04,一组,returned,2017,general,4,吴九
HH009,云南省,昆明市,示范县,乙乡,北村,V04,二组,exited,2018,general,2,郑十
HH010,云南省,昆明市,示范县,乙乡,北村,V04,二组,exited,2018,general,3,冯一
HH011,云南省,昆明市,示范县,乙乡,北村,V04,二组,exited,2018,general,2,陈二
HH012,云南省,昆明市,示范县,乙乡,南村,V03,三组,poor,,dibao,3,褚三
"""

REG_VILLAGES = """\
province,city,county,township,village,village_id,poor_village,agricultural_population,weak_area
云南省,昆明市,示范县,甲镇,东村,V01,true,1200,true
云南省,昆明市,示范县,甲镇,西村,V02,false,900,false
云南省,昆明市,示范县,乙乡,南村,V03,true,1100,false
云南省,昆明市,示范县,乙乡,北村,V04,true,800,true
云南省,昆明市,示范县,丙乡,中村,V05,false,1000,false
"""

SAMPLE_VILLAGES = """\
county,township,village,village_id,stratum,reason,p_village,batch,fpc_village,weak_area,poor_village
示范县,甲镇,东村,V01,poor-weak,weak-area,0.5,1,4,true,true
示范县,甲镇,西村,V02,nonpoor,random,0.25,1,8,false,false
示范县,乙乡,南村,V03,poor-other,random,0.4,2,5,false,true
示范县,乙乡,北村,V04,poor-weak,weak-area,0.5,2,4,true,true
"""

SAMPLE_HOUSEHOLDS = """\
household_id,village_id,group,instrument,stratum,psu,p_village,p_household,weight,persons,fpc_household,county,township,village,source,reserve_rank
HH001,V01,一组,registered,poor-weak,V01,0.5,0.3,6.6667,4,10,示范县,甲镇,东村,frame,
HH002,V01,二组,registered,poor-weak,V01,0.5,0.3,6.6667,3,10,示范县,甲镇,东村,frame,
HH003,V01,一组,registered,poor-weak,V01,0.5,0.3,6.6667,4,10,示范县,甲镇,东村,frame,
HH004,V02,一组,registered,nonpoor,V02,0.25,0.5,8,2,4,示范县,甲镇,西村,frame,
HH005,V02,二组,registered,nonpoor,V02,0.25,0.5,8,5,4,示范县,甲镇,西村,frame,
HH006,V03,三组,registered,poor-other,V03,0.4,0.4,6.25,3,5,示范县,乙乡,南村,frame,
HH007,V03,三组,registered,poor-other,V03,0.4,0.4,6.25,3,5,示范县,乙乡,南村,frame,
HH012,V03,三组,registered,poor-other,V03,0.4,0.4,6.25,3,5,示范县,乙乡,南村,frame,
HH008,V04,一组,registered,poor-weak,V04,0.5,0.6,3.3333,4,5,示范县,乙乡,北村,frame,
HH009,V04,二组,registered,poor-weak,V04,0.5,0.6,3.3333,2,5,示范县,乙乡,北村,frame,
HH010,V04,二组,registered,poor-weak,V04,0.5,0.6,3.3333,3,5,示范县,乙乡,北村,frame,
HH011,V04,二组,registered,poor-weak,V04,0.5,0.6,3.3333,2,5,示范县,乙乡,北村,frame,1
"""

SAMPLE_GROUPS = """\
county,township,village,village_id,group,nonregistered_population,p_group,registered_persons
示范县,甲镇,东村,V01,一组,120,0.5,8
示范县,乙乡,南村,V03,三组,95,0.4,9
"""

# started_at as ODK writes it: local time with its offset. 07:40+08:00 is the previous day in UTC.
RESPONSES = """\
instance_id,household_id,instrument,enumerators,started_at,ended_at,village_id,group,township,village,approves,disapproval_reason
uuid:r01,HH001,registered,E01;E02,2019-02-14T09:05:00+08:00,2019-02-14T09:50:00+08:00,V01,一组,甲镇,东村,是,
uuid:r02,HH002,registered,E02;E01,2019-02-14T10:10:00+08:00,2019-02-14T10:55:00+08:00,V01,二组,甲镇,东村,是,
uuid:r03,HH003,registered,E01;E02,2019-02-14T11:20:00+08:00,2019-02-14T12:00:00+08:00,V01,一组,甲镇,东村,是,
uuid:r04,HH004,registered,E03;E04,2019-02-14T09:30:00+08:00,2019-02-14T10:20:00+08:00,V02,一组,甲镇,西村,是,
uuid:r05,HH005,registered,E03;E04,2019-02-14T14:00:00+08:00,2019-02-14T14:40:00+08:00,V02,二组,甲镇,西村,否,帮扶干部很少来
uuid:r06,HH006,registered,E01;E02,2019-02-15T07:40:00+08:00,2019-02-15T08:30:00+08:00,V03,三组,乙乡,南村,是,
uuid:r07,HH007,registered,E01;E02,2019-02-15T09:00:00+08:00,2019-02-15T09:45:00+08:00,V03,三组,乙乡,南村,是,
uuid:r12,HH012,registered,E01;E02,2019-02-15T10:00:00+08:00,2019-02-15T10:45:00+08:00,V03,三组,乙乡,南村,是,
uuid:r08,HH008,registered,E03;E04,2019-02-15T09:10:00+08:00,2019-02-15T10:00:00+08:00,V04,一组,乙乡,北村,是,
uuid:r09,HH009,registered,E03;E04,2019-02-15T10:20:00+08:00,2019-02-15T11:00:00+08:00,V04,二组,乙乡,北村,是,
uuid:r11,HH011,registered,E03;E04,2019-02-15T11:30:00+08:00,2019-02-15T12:10:00+08:00,V04,二组,乙乡,北村,是,
uuid:g01,N001,general,E01;E02,2019-02-14T15:00:00+08:00,2019-02-14T15:30:00+08:00,V01,一组,甲镇,东村,是,
uuid:g02,N002,general,E01;E02,2019-02-14T15:40:00+08:00,2019-02-14T16:20:00+08:00,V01,一组,甲镇,东村,是,
uuid:g03,N003,general,E01;E02,2019-02-14T16:30:00+08:00,2019-02-14T17:00:00+08:00,V01,一组,甲镇,东村,是,
uuid:g04,N004,general,E01;E02,2019-02-15T14:00:00+08:00,2019-02-15T14:30:00+08:00,V03,三组,乙乡,南村,是,
uuid:g05,N005,general,E01;E02,2019-02-15T14:40:00+08:00,2019-02-15T15:10:00+08:00,V03,三组,乙乡,南村,否,道路还没有硬化
uuid:g06,N006,general,E01;E02,2019-02-15T15:20:00+08:00,2019-02-15T15:50:00+08:00,V03,三组,乙乡,南村,是,
"""

FINDINGS = """\
household_id,instrument,persons,wrongful_exit,wrongful_exit_persons,missed,missed_persons,approves,rules,evidence,status,missing_fields,problems_zh,problems_en,ruleset,ruleset_version
HH001,registered,4,否,0,否,0,是,,,judged,,,,yunnan-2018,1
HH002,registered,3,否,0,否,0,是,,,judged,,,,yunnan-2018,1
HH003,registered,4,是,4,否,0,是,housing.unsafe;policy.village_team_weakened,"[{""rule"": ""housing.unsafe"", ""kind"": ""problem"", ""answers"": {""housing_grade"": ""C"", ""renovated"": false, ""renovation_finished"": null}}, {""rule"": ""policy.village_team_weakened"", ""kind"": ""policy"", ""answers"": {""village_team_weakened"": true}}]",judged,,疑似错退：住房安全无保障（C级危房，未改造）。政策落实问题：驻村帮扶撤销或减弱,Suspected wrongful exit: housing not secured (grade C not rebuilt). Policy gaps: village support weakened,yunnan-2018,1
HH004,registered,2,否,0,否,0,是,,,judged,,,,yunnan-2018,1
HH005,registered,5,否,0,否,0,否,,,judged,,,,yunnan-2018,1
HH006,registered,3,否,0,否,0,是,,,judged,,,,yunnan-2018,1
HH007,registered,3,是,3,否,0,是,income.below_line;water.quantity,"{""income.below_line"": {""income_net_per_capita"": 2650, ""line"": 3535}, ""water.quantity"": {""water_litres_per_person_day"": 20}}",judged,,疑似错退：人均纯收入2650元低于扶贫标准；饮水水量不足（每人每天20升）,Suspected wrongful exit: income 2650 below the line; 20 L water per person a day,yunnan-2018,1
HH012,registered,3,否,0,否,0,是,policy.dibao_missing,"{""policy.dibao_missing"": {""dibao_missing"": true}}",judged,,政策落实：符合条件未纳入低保,Policy: eligible but not on dibao,yunnan-2018,1
HH008,registered,4,否,0,否,0,是,,,judged,,,,yunnan-2018,1
HH009,registered,2,否,0,否,0,是,,,cannot_judge,water_reliability_pct,,,yunnan-2018,1
HH011,registered,2,否,0,否,0,是,,,judged,,,,yunnan-2018,1
N001,general,3,否,0,否,0,是,,,judged,,,,yunnan-2018,1
N002,general,2,否,0,是,2,是,medical.unaffordable,"{""medical.unaffordable"": {""medical_expense_excessive"": true, ""medical_basic_life_secured"": false}}",judged,,疑似漏评：大病支出过大、基本生活无保障,Suspected missed: medical costs leave basic needs unmet,yunnan-2018,1
N003,general,4,否,0,否,0,是,review.enumerator_missed,"{""review.enumerator_missed"": {""missed_judgement"": true}}",judged,,待核实：调查员判定漏评,To verify: enumerator judged it missed,yunnan-2018,1
N004,general,3,否,0,否,0,是,,,judged,,,,yunnan-2018,1
N005,general,5,否,0,否,0,否,,,judged,,,,yunnan-2018,1
N006,general,2,否,0,否,0,是,,,judged,,,,yunnan-2018,1
"""

CASES = """\
case_id,household_id,kind,outcome,rules,evidence,reason
C0001,HH003,wrongful_exit,confirmed,housing.unsafe,,
C0002,HH007,wrongful_exit,dismissed,income.below_line;water.quantity,,县里提供务工收入和集中供水佐证材料
C0003,N002,missed,pending,medical.unaffordable,,
"""

VILLAGE_CHECKS = """\
instance_id,village_id,township,village,enumerators,started_at,road_hardened,road_width_m,road_width_exempt,bus_within_2km,water_standard_ok,power_all_households,broadcast_all_households,culture_centre_items,clinic_area_m2,clinic_rooms,clinic_staff_per_1000,qualified_doctor,broadband_mbps,fiber_reached
uuid:v01,V01,甲镇,东村,E01;E02,2019-02-14T08:30:00+08:00,是,4.5,否,是,是,是,是,room square stage board culture_kit broadcast_kit sports_kit,80,consulting treatment public_health pharmacy,1.2,是,100,是
uuid:v02,V02,甲镇,西村,E03;E04,2019-02-14T08:40:00+08:00,是,3.5,否,是,是,是,是,room square stage board culture_kit broadcast_kit sports_kit,60,consulting treatment public_health pharmacy,1.0,是,50,是
uuid:v03,V03,乙乡,南村,E01;E02,2019-02-15T08:00:00+08:00,是,3.0,否,是,是,是,是,room square stage board culture_kit broadcast_kit sports_kit,70,consulting treatment public_health pharmacy,1.1,是,100,是
uuid:v04,V04,乙乡,北村,E03;E04,2019-02-15T08:10:00+08:00,是,4.0,否,是,是,是,是,room square board culture_kit broadcast_kit sports_kit,45,consulting treatment public_health pharmacy,1.0,是,100,是
"""

CADRES = """\
instance_id,respondent_role,approves,enumerators,started_at
uuid:c01,county_cadre,是,E01;E02,2019-02-13T16:00:00+08:00
uuid:c02,county_cadre,是,E03;E04,2019-02-13T16:10:00+08:00
uuid:c03,township_cadre,是,E01;E02,2019-02-14T08:00:00+08:00
uuid:c04,township_cadre,否,E03;E04,2019-02-14T08:05:00+08:00
uuid:c05,village_cadre,是,E01;E02,2019-02-15T07:30:00+08:00
"""

REJECTED = """\
file,row,field,value,code,severity,message
odk.zip,7,household_id,HH099,PVX-I01,error,household not in the sample
odk.zip,12,water_litres_per_person_day,-3,PVX-I05,error,impossible value
odk.zip,12,household_id,HH004,PVX-I03,error,second interview of the household
odk.zip,15,gps,,PVX-I08,warning,no GPS
"""

ESTIMATES = {
    "contract": 1,
    "county": COUNTY,
    "stage": "provisional",
    "indicators": {
        "composite_incidence": {"official": 0.0123, "estimate": 0.0131, "se": 0.0018, "ci_low": 0.0098,
                                "ci_high": 0.0170, "ci_method": "delta", "deff": 1.4, "n_households": 17,
                                "n_persons": 56, "n_psu": 4},
        "wrongful_exit_rate": {"official": 0.0250, "estimate": 0.0243, "se": 0.0091, "ci_low": 0.0110,
                               "ci_high": 0.0480, "ci_method": "beta (Korn-Graubard)", "deff": 1.8,
                               "n_households": 11, "n_persons": 35, "n_psu": 4},
        "missed_rate": {"official": 0.0093, "estimate": 0.0089, "se": 0.0052, "ci_low": 0.0011,
                        "ci_high": 0.0322, "ci_method": "beta (Korn-Graubard)", "deff": 1.2,
                        "n_households": 6, "n_persons": 19, "n_psu": 2},
        "approval_rate": {"official": 0.8824, "estimate": 0.8790, "se": 0.0301, "ci_low": 0.8012,
                          "ci_high": 0.9390, "ci_method": "beta (Korn-Graubard)", "deff": 1.1,
                          "n_households": 17, "n_persons": 56, "n_psu": 4},
    },
    "thresholds": {"composite_incidence": 0.03, "wrongful_exit_rate": 0.02, "missed_rate": 0.02,
                   "approval_rate": 0.90},
    "decision": "rectify",
    "reasons": ["脱贫人口错退率 2.50% 高于 2%，应限期整改并复核", "群众认可度 88.24% 低于 90%，应限期整改并复核"],
    "reasons_en": ["Wrongful-exit rate 2.50% is above 2%: rectify and re-check",
                   "Approval 88.24% is below 90%: rectify and re-check"],
    "near_threshold": ["wrongful_exit_rate", "approval_rate"],
}

MANIFEST = {
    "design": {"name": "yunnan-2018", "villages": 21, "registered_households": 600, "census_groups": [8, 12]},
    "seed": 20190213,
    "povexit_version": "0.1.0",
    "created_at": "2019-02-12T00:00:00+08:00",
    "inputs": {"persons.csv": "a" * 64, "villages.csv": "b" * 64},
    "strata": {"poor-weak": 2, "poor-other": 1, "nonpoor": 1},
}


def _csv_to_parquet(text: str, path: Path, *, bool_cols: tuple[str, ...] = (), dt_cols: tuple[str, ...] = (),
                    float_cols: tuple[str, ...] = ()) -> None:
    tmp = write_csv(path.with_suffix(".csv.tmp"), text)
    df = pl.read_csv(tmp, infer_schema=False)
    tmp.unlink()
    exprs = []
    for c in bool_cols:
        exprs.append(pl.col(c).replace_strict({"是": True, "否": False, "true": True, "false": False},
                                              default=None, return_dtype=pl.Boolean))
    for c in dt_cols:
        exprs.append(pl.col(c).str.to_datetime("%Y-%m-%dT%H:%M:%S%z", time_zone="UTC"))
    for c in float_cols:
        exprs.append(pl.col(c).cast(pl.Float64))
    if exprs:
        df = df.with_columns(exprs)
    path.parent.mkdir(parents=True, exist_ok=True)
    df.write_parquet(path)


def make_workdir(root: Path, *, with_cases: bool = True) -> Path:
    """Write the fixture work directory under ``root`` and return it."""
    reg = root / "registry"
    reg.mkdir(parents=True)
    hh = pl.read_csv(write_csv(root / "tmp-hh.csv", REG_HOUSEHOLDS), infer_schema=False)
    (root / "tmp-hh.csv").unlink()
    hh = hh.with_columns(
        pl.col("persons").cast(pl.Int32),
        pl.Series("head_id_number", [_id(i + 1) for i in range(hh.height)]),
    )
    hh.write_parquet(reg / "households.parquet")
    _csv_to_parquet(REG_VILLAGES, reg / "villages.parquet", bool_cols=("poor_village", "weak_area"))

    s = root / "sample"
    write_csv(s / "villages.csv", SAMPLE_VILLAGES)
    write_csv(s / "households.csv", SAMPLE_HOUSEHOLDS)
    write_csv(s / "groups.csv", SAMPLE_GROUPS)
    (s / "manifest.json").write_text(json.dumps(MANIFEST, ensure_ascii=False, indent=2), encoding="utf-8")

    r = root / "responses"
    _csv_to_parquet(RESPONSES, r / "households.parquet", bool_cols=("approves",), dt_cols=("started_at", "ended_at"))
    members = pl.DataFrame({
        "instance_id": [f"uuid:g0{i}" for i in range(1, 7)] + ["uuid:g01"],
        "member_no": [1, 1, 1, 1, 1, 1, 2],
        "member_name": ["刘一", "杨二", "黄三", "何四", "罗五", "高六", "刘小"],
        "member_id_number": [_id(40 + i, 1955) for i in range(6)] + [_id(60, 1990)],
        "member_relation": ["户主"] * 6 + ["之子"],
    })
    members.write_parquet(r / "members.parquet")
    _csv_to_parquet(VILLAGE_CHECKS, r / "villages.parquet",
                    bool_cols=("road_hardened", "road_width_exempt", "bus_within_2km", "water_standard_ok",
                               "power_all_households", "broadcast_all_households", "qualified_doctor", "fiber_reached"),
                    dt_cols=("started_at",),
                    float_cols=("road_width_m", "clinic_area_m2", "clinic_staff_per_1000", "broadband_mbps"))
    _csv_to_parquet(CADRES, r / "cadres.parquet", bool_cols=("approves",), dt_cols=("started_at",))
    write_csv(r / "rejected.csv", REJECTED)

    f = root / "findings"
    write_csv(f / "findings.csv", FINDINGS)
    if with_cases:
        write_csv(f / "cases.csv", CASES)
    (root / "estimates.json").write_text(json.dumps(ESTIMATES, ensure_ascii=False, indent=2), encoding="utf-8")
    return root
