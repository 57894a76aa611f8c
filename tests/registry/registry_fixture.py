"""A small valid registry as inline tables; tests change one thing and look for one diagnostic.

(A module of its own, not ``conftest``: several test directories have a ``conftest.py``.)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from povexit import idnumber

TODAY = dt.date(2020, 6, 30)  # "today" of every check in these tests
REGION = "530128"  # 禄劝 (Yunnan) address code


def pid(year: int, seq: int, male: bool = True, month: int = 3, day: int = 1) -> str:
    return idnumber.make(REGION, dt.date(year, month, day), seq, male)


IDS = {
    "p1": pid(1968, 11), "p2": pid(1970, 12, False), "p3": pid(1995, 13),
    "p4": pid(1955, 14), "p5": pid(1959, 15, False),
    "p6": pid(1980, 16), "p7": pid(1983, 17, False), "p8": pid(2008, 18),
    "r1": pid(1962, 21), "r2": pid(1975, 22, False),
}

PERSONS = """\
province,city,county,township,village,group,household_id,name,id_number,relation,status,exit_year,poor_type,poverty_cause,income_per_capita,relocated,housing_grade,basic_medical_insurance,critical_illness_insurance,note
云南省,昆明市,禄劝县,屏山街道,甲村,一组,H001,张一,{p1},户主,已脱贫,2018,一般贫困户,因病,5200,否,A,是,是,x1
云南省,昆明市,禄劝县,屏山街道,甲村,一组,H001,李二,{p2},配偶,已脱贫,2018,一般贫困户,因病,5200,否,A,是,是,
云南省,昆明市,禄劝县,屏山街道,甲村,一组,H001,张三,{p3},之子,已脱贫,2018,一般贫困户,因病,5200,否,A,是,是,
云南省,昆明市,禄劝县,屏山街道,甲村,二组,H002,王四,{p4},户主,未脱贫,,低保贫困户,缺劳力,3100,是,C,是,否,
云南省,昆明市,禄劝县,屏山街道,甲村,二组,H002,刘五,{p5},配偶,未脱贫,,低保贫困户,缺劳力,3100,是,C,是,否,
云南省,昆明市,禄劝县,撒营盘镇,乙村,一组,H003,赵六,{p6},户主,返贫,2017,特困供养贫困户,因残,2500,否,B,是,是,
云南省,昆明市,禄劝县,撒营盘镇,乙村,一组,H003,钱七,{p7},配偶,返贫,2017,特困供养贫困户,因残,2500,否,B,是,是,
云南省,昆明市,禄劝县,撒营盘镇,乙村,一组,H003,赵八,{p8},之女,返贫,2017,特困供养贫困户,因残,2500,否,B,是,是,
"""

VILLAGES = """\
province,city,county,township,village,poor_village,exited_year,agricultural_population,households,remote,edge,border,minority
云南省,昆明市,禄劝县,屏山街道,甲村,是,2019,1200,310,否,否,否,是
云南省,昆明市,禄劝县,撒营盘镇,乙村,否,,800,205,是,否,否,否
云南省,昆明市,禄劝县,撒营盘镇,丙村,否,,650,160,否,否,否,否
"""

GROUPS = """\
county,township,village,group,agricultural_population,households
禄劝县,屏山街道,甲村,一组,400,100
禄劝县,屏山街道,甲村,二组,500,130
禄劝县,撒营盘镇,乙村,一组,300,80
"""

ROSTERS = """\
source,id_number,name,township,village,detail
民政低保,{p4},王四,屏山街道,甲村,农村低保
残联,{r1},孙九,撒营盘镇,乙村,肢体残疾三级
财政供养人员,{r2},周十,屏山街道,甲村,乡镇干部
"""

COUNTIES = """\
province,city,county,region,poverty_threshold,exit_year
云南省,昆明市,禄劝县,西部,0.03,2018
"""

TABLES = {"persons": PERSONS, "villages": VILLAGES, "groups": GROUPS, "rosters": ROSTERS, "counties": COUNTIES}


def fill(text: str) -> str:
    return text.format(**IDS)


def write_registry(directory: Path, *, drop: tuple[str, ...] = (), encoding: str = "utf-8", **tables: str) -> Path:
    """Write the base registry with some tables replaced (text, ``{p1}``… filled) or dropped."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (TABLES | tables).items():
        if name in drop:
            continue
        (directory / f"{name}.csv").write_bytes(fill(text).encode(encoding))
    return directory


def replace_line(text: str, index: int, **cells: str) -> str:
    """``text`` with data line ``index`` (0 = first data line) changed in the named columns."""
    lines = text.splitlines()
    header = lines[0].split(",")
    row = lines[index + 1].split(",")
    for k, v in cells.items():
        row[header.index(k)] = v
    lines[index + 1] = ",".join(row)
    return "\n".join(lines) + "\n"


def add_line(text: str, line: str) -> str:
    return text + line.rstrip("\n") + "\n"


def codes(report) -> dict[str, int]:
    return dict(report.counts)


def only(report, code: str):
    """The single diagnostic of ``code`` (fails when there are none or several)."""
    found = [d for d in report.diagnostics if d.code == code]
    assert len(found) == 1, (code, [str(d) for d in report.diagnostics])
    return found[0]
