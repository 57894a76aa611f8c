"""Inputs povexit did not produce itself, built from results/foreign_data.csv (the data R used in
results/foreign_designs.R): a raw registry directory, sample directories as another sampling tool
writes them (contract columns only, extras in another order, Chinese headers, GBK, weights without
probabilities or the reverse, one stratum, no strata) and findings/cases as typed by hand in Excel.

Also loaded by path from tests/report (which is not a package)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl

from povexit import idnumber

HERE = Path(__file__).resolve().parent
DATA_FILE = HERE / "results" / "foreign_data.csv"
EXPECTED_FILE = HERE / "results" / "foreign_expected.csv"

PROVINCE, CITY, COUNTY = "测试省", "测试市", "外县"
U, E, A = 1300, 5200, 60000  # as in foreign_designs.R
TOWNSHIPS = {1: "甲镇", 2: "乙乡", 3: "丙乡"}
FILLER_VILLAGES = 11  # villages of the county not sampled


def data() -> pl.DataFrame:
    return pl.read_csv(DATA_FILE, null_values=["NA"], infer_schema_length=10_000).with_columns(
        pl.col("grp").fill_null(""))


def village_code(vid: str) -> str:
    return f"530199{int(vid[1:]):03d}{int(vid[1:]):03d}"  # 12 digits, as 统计用区划代码


def township_of(vid: str) -> str:
    k = int(vid[1:])
    return TOWNSHIPS[1 if k <= 4 else 2 if k <= 8 else 3]


def village_name(vid: str) -> str:
    return f"{vid}村"


# ---- registry -------------------------------------------------------------------------------------


def write_registry(root: Path, *, groups: bool = True) -> Path:
    """A raw registry directory (contract §1) whose totals are exactly U, E, A: the sampled registered
    households with their status and persons, filler households to make up the totals, 20 villages."""
    d = data()
    root.mkdir(parents=True, exist_ok=True)
    sampled = sorted(d["village"].unique().to_list())
    fillers = [f"W{i:02d}" for i in range(1, FILLER_VILLAGES + 1)]
    reg = d.filter(pl.col("kind") == "registered")
    households: list[tuple[str, str, str, int]] = [  # id, village, status, persons
        (r["unit2"], r["village"], r["status"], int(r["persons"])) for r in reg.iter_rows(named=True)]
    e0 = sum(p for _, _, s, p in households if s == "exited")
    u0 = sum(p for _, _, s, p in households if s == "poor")
    villages = sampled + fillers
    n = 0
    for status, need in (("exited", E - e0), ("poor", U - u0)):
        while need > 0:
            size = min(4, need)
            households.append((f"F{n:04d}", villages[n % len(villages)], status, size))
            need -= size
            n += 1
    lines = ["province,city,county,township,village,village_code,group,household_id,name,id_number,relation,"
             "status,exit_year,poor_type"]
    for i, (hid, vid, status, size) in enumerate(households):
        born = dt.date(1940, 1, 1) + dt.timedelta(days=i)
        for m in range(size):
            idn = idnumber.make("530199", born, m, m % 2 == 0)
            rel = "户主" if m == 0 else "之子"
            zh = "已脱贫" if status == "exited" else "未脱贫"
            year = "2018" if status == "exited" else ""
            twp = township_of(vid) if vid.startswith("V") else TOWNSHIPS[3]
            lines.append(f"{PROVINCE},{CITY},{COUNTY},{twp},{village_name(vid)},{_code(vid)},,{hid},"
                         f"户{i}成员{m},{idn},{rel},{zh},{year},一般贫困户")
    (root / "persons.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    vl = ["province,city,county,township,village,village_code,poor_village,agricultural_population,households,"
          "remote,edge,border,minority"]
    per_village = A // len(villages)
    for j, vid in enumerate(villages):
        pop = per_village + (A - per_village * len(villages) if j == 0 else 0)
        twp = township_of(vid) if vid.startswith("V") else TOWNSHIPS[3]
        vl.append(f"{PROVINCE},{CITY},{COUNTY},{twp},{village_name(vid)},{_code(vid)},是,{pop},{pop // 3},否,否,否,否")
    (root / "villages.csv").write_text("\n".join(vl) + "\n", encoding="utf-8")
    (root / "counties.csv").write_text(f"province,city,county,region,poverty_threshold,exit_year\n"
                                       f"{PROVINCE},{CITY},{COUNTY},central,0.02,2018\n", encoding="utf-8")
    if groups:
        gl = ["county,township,village,group,agricultural_population,households"]
        cen = d.filter(pl.col("kind") == "census").unique("village", keep="first").sort("village")
        for r in cen.iter_rows(named=True):
            for g in range(1, int(r["N2"]) + 1):
                gl.append(f"{COUNTY},{township_of(r['village'])},{village_name(r['village'])},G{g:02d},300,90")
        (root / "groups.csv").write_text("\n".join(gl) + "\n", encoding="utf-8")
    return root


def _code(vid: str) -> str:
    if vid.startswith("V"):
        return village_code(vid)
    return f"530199{900 + int(vid[1:]):03d}{900 + int(vid[1:]):03d}"


# ---- sample -----------------------------------------------------------------------------------------


def sample_frames(*, fpc: bool = False) -> dict[str, pl.DataFrame]:
    """The sample's three files with the contract's columns (plus fpc_village / fpc_household when
    ``fpc``), in the contract's order."""
    d = data()
    v = d.unique("village", keep="first").sort("village")
    villages = v.select(
        county=pl.lit(COUNTY), township=pl.col("village").map_elements(township_of, return_dtype=pl.String),
        village=pl.col("village").map_elements(village_name, return_dtype=pl.String),
        village_id=pl.col("village").map_elements(village_code, return_dtype=pl.String), stratum="stratum",
        reason=pl.lit("random"), p_village="pv", batch=pl.lit(1), **({"fpc_village": pl.col("N1")} if fpc else {}))
    reg = d.filter(pl.col("kind") == "registered")
    households = reg.select(
        household_id="unit2", village_id=pl.col("village").map_elements(village_code, return_dtype=pl.String),
        group=pl.lit(""), instrument=pl.lit("registered"), stratum="stratum",
        psu=pl.col("village").map_elements(village_code, return_dtype=pl.String), p_village="pv", p_household="pu",
        weight="w", persons="persons", **({"fpc_household": pl.col("N2")} if fpc else {}))
    g = d.filter(pl.col("status") == "total")
    groups = g.select(
        county=pl.lit(COUNTY), township=pl.col("village").map_elements(township_of, return_dtype=pl.String),
        village=pl.col("village").map_elements(village_name, return_dtype=pl.String),
        village_id=pl.col("village").map_elements(village_code, return_dtype=pl.String), group="grp",
        nonregistered_population="nonreg_pop", p_group="pu")
    return {"villages": villages, "households": households, "groups": groups}


ZH_HEADERS = {
    "county": "县", "township": "乡镇", "village": "行政村", "village_id": "村编号", "stratum": "层",
    "reason": "抽样原因", "p_village": "入样概率", "batch": "批次", "household_id": "户编号", "group": "村民小组",
    "instrument": "问卷", "psu": "初级抽样单元", "p_household": "户入样概率", "weight": "权数", "persons": "人数",
    "nonregistered_population": "未建档立卡农业户籍人口", "p_group": "组入样概率",
}


def write_sample(root: Path, frames: dict[str, pl.DataFrame], *, encoding: str = "utf-8",
                 chinese: bool = False) -> Path:
    """Write the frames as another tool would (no manifest); Chinese headers (the household file's
    p_village as 村入样概率) when ``chinese``."""
    root.mkdir(parents=True, exist_ok=True)
    for name, df in frames.items():
        if chinese:
            zh = dict(ZH_HEADERS)
            if name == "households":
                zh["p_village"] = "村入样概率"
            df = df.rename({c: zh[c] for c in df.columns if c in zh})
        write_frame(root / f"{name}.csv", df, encoding)
    return root


def write_frame(path: Path, df: pl.DataFrame, encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    df.write_csv(buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


# ---- findings and cases -----------------------------------------------------------------------------


def findings_frame(*, zero_wrongful: bool = False) -> pl.DataFrame:
    """One row per surveyed household (registered and census), contract §4 columns plus village_id and
    group (census households are not listed in the sample); yes/no as 是/否."""
    d = data().filter(pl.col("hh") == 1)
    yn = {True: "是", False: "否"}
    wrong = pl.col("wrong_persons") > 0
    if zero_wrongful:
        wrong = pl.lit(False)
    return d.select(
        household_id="unit3",
        instrument=pl.when(pl.col("kind") == "registered").then(pl.lit("registered")).otherwise(pl.lit("general")),
        persons="persons",
        wrongful_exit=wrong.replace_strict(yn, return_dtype=pl.String),
        wrongful_exit_persons=pl.when(wrong).then(pl.col("wrong_persons")).otherwise(0),
        missed=(pl.col("missed_persons") > 0).replace_strict(yn, return_dtype=pl.String),
        missed_persons="missed_persons",
        approves=pl.col("approves").cast(pl.Int64).replace_strict({1: "是", 0: "否"}, default=None,
                                                                   return_dtype=pl.String),
        village_id=pl.col("village").map_elements(village_code, return_dtype=pl.String),
        group=pl.col("grp").replace("", None),
    )


FINDINGS_ZH = {"household_id": "户编号", "instrument": "问卷", "persons": "人数", "wrongful_exit": "是否错退",
               "wrongful_exit_persons": "错退人数", "missed": "是否漏评", "missed_persons": "漏评人数",
               "approves": "是否认可", "village_id": "村编号", "group": "村民小组"}


def excel_findings(df: pl.DataFrame, style: str) -> pl.DataFrame:
    """The same findings as a person types them in Excel: ``zh`` Chinese headers and 是/否; ``yesno``
    yes/no; ``10`` 1/0; blank cells for 否 and 0 (``blank``)."""
    if style == "yesno":
        return df.with_columns(pl.col(c).replace({"是": "yes", "否": "no"}) for c in ("wrongful_exit", "missed", "approves"))
    if style == "10":
        return df.with_columns(pl.col(c).replace({"是": "1", "否": "0"}) for c in ("wrongful_exit", "missed", "approves"))
    if style == "blank":  # cells of the other instrument's verdict, and zero counts, left blank
        reg = pl.col("instrument") == "registered"
        return df.with_columns(
            pl.when(reg).then(pl.col("wrongful_exit")).otherwise(None).alias("wrongful_exit"),
            pl.when(~reg).then(pl.col("missed")).otherwise(None).alias("missed"),
            pl.col("wrongful_exit_persons").cast(pl.String).replace("0", None),
            pl.col("missed_persons").cast(pl.String).replace("0", None),
        )
    if style == "zh":
        return df.rename({c: FINDINGS_ZH[c] for c in df.columns if c in FINDINGS_ZH})
    raise KeyError(style)
