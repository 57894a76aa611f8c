"""Simulated fieldwork: from the synthetic truth and a sample, the ODK Central exports a field team would
download — so the demo and the tests run the real ingest path.

One submission per sampled household (registered: the sampled ones, a reserve household where one is not
found; general: every non-registered household of the census groups plus the listed roster hits, matched
to the truth by the SHA-1 of a member's ID number), a village checklist per sampled village, a few
cadre questionnaires, a township form per township of the sampled villages and a document checklist per county; pairs of enumerators, interview times over the fieldwork days, GPS near the village.
Answers are the truth's values (no noise → exactly the truth), passed through the form's own skip logic
and calculations. Noise, each with a rate: households not found (a non-interview is recorded and the next
reserve household interviewed), misreported income (multiplicative log-normal factor on the income
sources), optional answers left empty, the same submission resent, a second interview of a household.
``noise.csv`` lists every noised household for tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ..errors import PovexitError
from ..errors import instruments as EI
from ..fsutil import atomic_dir, sha256_file
from .centralfmt import central_tables, to_zip
from .definitions import get
from .export import group_code, roster_household_id
from .formdef import FormDef
from .sample_view import SampleView, load_sample_view
from .schema import HOUSEHOLD_INSTRUMENTS
from .xpath import Unsupported, compile_bool, compile_expr

RELATION_CODES = {
    "户主": "head", "配偶": "spouse", "之子": "son", "之女": "daughter", "之女婿": "son_in_law", "之儿媳": "daughter_in_law",
    "之孙子": "grandson", "之孙女": "granddaughter", "之外孙子": "grandson", "之外孙女": "granddaughter", "之父": "father",
    "之母": "mother", "之祖父": "grandparent", "之祖母": "grandparent", "之兄弟": "sibling", "之姐妹": "sibling",
}
MEMBER_FROM_TRUTH = {
    "member_no": "member_no", "member_name": "name", "member_id_number": "id_number", "member_relation": "relation",
    "member_age": "age", "member_sex": "sex", "member_schooling": "schooling", "member_health": "health",
    "member_disability_grade": "disability", "member_labour": "labour", "member_basic_insurance": "basic_insured",
    "member_critical_insurance": "critical_insured",
}
PROBLEM_ZH = {
    "income.below_line": "收入低于扶贫标准", "food.insufficient": "吃饭有困难", "clothing.insufficient": "穿衣有困难",
    "water.quality": "饮水水质不达标", "water.quantity": "饮水水量不足", "water.convenience": "取水不方便",
    "water.reliability": "供水没有保障", "education.dropout": "有义务教育阶段辍学", "medical.uninsured": "未参加医疗保险",
    "medical.unaffordable": "医疗支出负担过重", "housing.unsafe": "住房不安全", "housing.relocation_not_moved_in": "搬迁房未入住",
}
INCOME_SOURCES = ("income_wage", "income_business", "income_property", "income_transfer")
MISSABLE = ("water_reliability_pct", "water_days_without", "water_horizontal_m", "water_vertical_m", "water_scarce_area",
            "photo_house", "audio_interview", "remarks", "income_unstable_reason")
TZ_OFFSET = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class SimParams:
    not_found_rate: float = 0.03
    income_noise_rate: float = 0.05
    income_noise_sd: float = 0.35
    missing_rate: float = 0.02
    resend_rate: float = 0.005
    second_interview_rate: float = 0.003
    cadres_per_village: int = 2
    county_cadres: int = 6
    pairs_per_village: int = 6
    villages_per_day: int = 4
    # First fieldwork day. None: 13 February of the year after the synthetic world's reference year
    # (a year's exits are assessed early the next year: seed 000 assessed 2018 exits from 2019-02-13).
    start_date: str | None = None

    @classmethod
    def noiseless(cls, **kw: Any) -> SimParams:
        base = dict(not_found_rate=0.0, income_noise_rate=0.0, missing_rate=0.0, resend_rate=0.0,
                    second_interview_rate=0.0)
        return cls(**(base | kw))


@dataclass
class SimulatedExport:
    files: dict[str, bytes]  # file name -> bytes (one ODK Central ZIP per form)
    noise: pl.DataFrame  # household_id, instance_id, kind, detail
    summary: dict[str, Any] = field(default_factory=dict)


# ---- inputs -------------------------------------------------------------------------------------------------

@dataclass
class Truth:
    households: pl.DataFrame
    persons: pl.DataFrame
    villages: pl.DataFrame
    hashes: dict[str, str] = field(default_factory=dict)
    reference_year: int | None = None  # from synth.json beside the truth, when there is one


def _reference_year(path: Path) -> int | None:
    for cand in (path / "synth.json", path.parent / "synth.json"):
        if cand.is_file():
            try:
                meta = json.loads(cand.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return None
            year = (meta.get("params") or {}).get("reference_year", meta.get("reference_year"))
            return int(year) if isinstance(year, int | float) else None
    return None


def load_truth(truth: Any) -> Truth:
    if isinstance(truth, Truth):
        return truth
    if isinstance(truth, str | Path):
        path = Path(truth)
        if (path / "truth").is_dir():
            path = path / "truth"
        hh, pp, vv = path / "households.parquet", path / "persons.parquet", path / "villages.parquet"
        if not hh.exists() or not pp.exists():
            raise PovexitError(EI.TRUTH_INVALID(file=str(path), reason="households.parquet or persons.parquet missing"))
        return Truth(pl.read_parquet(hh), pl.read_parquet(pp), pl.read_parquet(vv) if vv.exists() else pl.DataFrame(),
                     {p.name: sha256_file(p) for p in (hh, pp, vv) if p.exists()}, _reference_year(path))
    get_ = (lambda k: truth.get(k)) if isinstance(truth, Mapping) else (lambda k: getattr(truth, k, None))
    hh = get_("households") if get_("households") is not None else get_("truth_households")
    pp = get_("persons") if get_("persons") is not None else get_("truth_persons")
    vv = get_("villages") if get_("villages") is not None else get_("truth_villages")
    if not isinstance(hh, pl.DataFrame) or not isinstance(pp, pl.DataFrame):
        raise PovexitError(EI.TRUTH_INVALID(file=str(type(truth).__name__), reason="no households/persons tables"))
    return Truth(hh, pp, vv if isinstance(vv, pl.DataFrame) else pl.DataFrame())


# ---- value helpers ------------------------------------------------------------------------------------------

def _text(s: pl.Series) -> pl.Series:
    """Canonical text of a truth column: booleans yes/no, integral floats without decimals."""
    if s.dtype == pl.Boolean:
        return s.replace_strict({True: "yes", False: "no"}, default=None, return_dtype=pl.String)
    if s.dtype.is_float():
        as_int = s.cast(pl.Int64, strict=False).cast(pl.String)
        return pl.Series(s.name, pl.select(pl.when(s.is_nan()).then(None).when(s == s.floor()).then(as_int)
                                            .otherwise(s.round(2).cast(pl.String))).to_series(), dtype=pl.String)
    if s.dtype.is_integer():
        return s.cast(pl.String)
    return s.cast(pl.String)


def _ser(values: Any, name: str = "") -> pl.Series:
    """A String series from a numpy (object) array or list, None kept as null."""
    vals = values.tolist() if isinstance(values, np.ndarray) else list(values)
    return pl.Series(name, [None if v is None else str(v) for v in vals], dtype=pl.String)


def _uuids(rng: np.random.Generator, n: int) -> list[str]:
    raw = rng.bytes(16 * n)
    return [f"uuid:{uuid.UUID(bytes=raw[16 * i:16 * i + 16], version=4)}" for i in range(n)]


def _yes(mask: np.ndarray) -> np.ndarray:
    return np.where(mask, "yes", "no").astype(object)


def _village_point(village_id: str) -> tuple[float, float, float]:
    h = hashlib.sha1(village_id.encode("utf-8")).digest()
    lat = 24.0 + 3.0 * int.from_bytes(h[:4], "big") / 2**32
    lon = 100.0 + 4.0 * int.from_bytes(h[4:8], "big") / 2**32
    alt = 1400 + 1200 * int.from_bytes(h[8:12], "big") / 2**32
    return lat, lon, alt


def _gps(rng: np.random.Generator, village_ids: list[str], villages: pl.DataFrame, spread: float = 0.008) -> list[str]:
    known: dict[str, tuple[float, float, float]] = {}
    if villages.height and {"lat", "lon"} <= set(villages.columns):
        for vid, la, lo in villages.select("village_id", "lat", "lon").iter_rows():
            known[vid] = (la, lo, 1800.0)
    out = []
    noise = rng.normal(0, spread, size=(len(village_ids), 2))
    acc = rng.uniform(3, 18, size=len(village_ids))
    dalt = rng.normal(0, 25, size=len(village_ids))
    for i, vid in enumerate(village_ids):
        la, lo, al = known.get(vid) or _village_point(vid or "")
        out.append(f"{la + noise[i, 0]:.6f} {lo + noise[i, 1]:.6f} {al + dalt[i]:.1f} {acc[i]:.1f}")
    return out


def _iso(ts: dt.datetime) -> str:
    return ts.isoformat(timespec="milliseconds")


def _utc(ts: dt.datetime) -> str:
    return ts.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# ---- the plan: who is visited, by whom, when ----------------------------------------------------------------

def _plan(truth: Truth, sample: SampleView, rng: np.random.Generator, params: SimParams
          ) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Visits: submit id, truth id, instrument, village, group, result, substitute/listed flags."""
    summary: dict[str, Any] = {}
    th = truth.households
    hh = sample.households
    reg = hh.filter(pl.col("instrument") == "registered").sort("village_id", "household_id")
    reg_ids = reg["household_id"].to_list()
    in_truth = set(th["household_id"].to_list())
    missing = [h for h in reg_ids if h not in in_truth]
    summary["registered_not_in_truth"] = len(missing)
    reg = reg.filter(pl.col("household_id").is_in(list(in_truth)))
    lost = rng.random(reg.height) < params.not_found_rate
    visits: list[dict[str, Any]] = []
    reserve = sample.reserve.filter(pl.col("household_id").is_in(list(in_truth)))
    used: set[str] = set()
    res_by_village: dict[tuple[str, str], list[str]] = {}
    res_group: dict[str, str | None] = {}
    for hid, vid, inst, grp in reserve.select("household_id", "village_id", "instrument", "group").iter_rows():
        res_by_village.setdefault((vid, inst or "registered"), []).append(hid)
        res_group[hid] = grp
    for (hid, vid, grp), gone in zip(reg.select("household_id", "village_id", "group").iter_rows(), lost, strict=True):
        if not gone:
            visits.append(dict(hid=hid, tid=hid, instrument="registered", village_id=vid, group=grp, result="completed",
                               listed=True, noise="", detail=""))
            continue
        visits.append(dict(hid=hid, tid=hid, instrument="registered", village_id=vid, group=grp, result="not_found",
                           listed=True, noise="not_found", detail=""))
        for cand in res_by_village.get((vid, "registered"), []):
            if cand not in used:
                used.add(cand)
                visits.append(dict(hid=cand, tid=cand, instrument="registered", village_id=vid, group=res_group.get(cand),
                                   result="completed", listed=True, noise="substitute", detail=f"replaces {hid}"))
                break
    # listed general households (roster hits R…, or frame households) matched to the truth
    gen = hh.filter(pl.col("instrument") == "general").sort("village_id", "household_id")
    r_to_truth: dict[str, str] = {}
    if gen.height:
        needed = set(gen["household_id"].to_list())
        nonreg = truth.households.filter(~pl.col("registered").cast(pl.Boolean).fill_null(False))["household_id"]
        ids = truth.persons.filter(pl.col("household_id").is_in(nonreg.implode())).select(
            "household_id", "id_number").drop_nulls()
        for tid, idn in ids.iter_rows():
            rid = roster_household_id(idn)
            if rid in needed and rid not in r_to_truth:
                r_to_truth[rid] = tid
    matched = 0
    taken: set[str] = set()
    for hid, vid, grp in gen.select("household_id", "village_id", "group").iter_rows():
        tid = r_to_truth.get(hid, hid if hid in in_truth else None)
        if tid is None or tid in taken:
            continue
        taken.add(tid)
        matched += 1
        visits.append(dict(hid=hid, tid=tid, instrument="general", village_id=vid, group=grp, result="completed",
                           listed=True, noise="", detail=""))
    summary["general_listed_matched"] = matched
    summary["general_listed_unmatched"] = gen.height - matched
    # census groups: every non-registered household of the group
    census = sample.census_keys()
    cen = (th.filter(~pl.col("registered").cast(pl.Boolean)).join(census, on=["village_id", "group"], how="inner")
           .sort("village_id", "group", "household_id"))
    n_census = 0
    for tid, vid, grp in cen.select("household_id", "village_id", "group").iter_rows():
        if tid in taken:
            continue
        taken.add(tid)
        n_census += 1
        visits.append(dict(hid=tid, tid=tid, instrument="general", village_id=vid, group=grp, result="completed",
                           listed=False, noise="", detail=""))
    summary["general_census"] = n_census
    return pl.DataFrame(visits, schema={"hid": pl.String, "tid": pl.String, "instrument": pl.String,
                                        "village_id": pl.String, "group": pl.String, "result": pl.String,
                                        "listed": pl.Boolean, "noise": pl.String, "detail": pl.String}), summary


def _schedule(visits: pl.DataFrame, villages: list[str], rng: np.random.Generator, params: SimParams
              ) -> tuple[pl.DataFrame, dict[str, dict[str, Any]]]:
    """Enumerator pairs and start/end times: villages over fieldwork days, pairs interviewing in sequence."""
    start_day = dt.date.fromisoformat(params.start_date)
    per_day = max(1, params.villages_per_day)
    slots: dict[str, dict[str, Any]] = {}
    for i, vid in enumerate(villages):
        slots[vid] = {"day": start_day + dt.timedelta(days=i // per_day), "slot": i % per_day}
    n = visits.height
    pairs = max(1, params.pairs_per_village)
    enum_a, enum_b, starts, ends = [], [], [], []
    clock: dict[tuple[str, int], dt.datetime] = {}
    counter: dict[str, int] = {}
    durations = np.exp(rng.normal(math.log(42), 0.3, n))
    gaps = rng.uniform(5, 20, n)
    for i, (vid, result) in enumerate(visits.select("village_id", "result").iter_rows()):
        s = slots.get(vid) or {"day": start_day, "slot": 0}
        k = counter.get(vid, 0)
        counter[vid] = k + 1
        p = k % pairs
        pair_no = s["slot"] * pairs + p
        enum_a.append(f"E{2 * pair_no + 1:02d}")
        enum_b.append(f"E{2 * pair_no + 2:02d}")
        key = (vid, p)
        t0 = clock.get(key) or dt.datetime.combine(s["day"], dt.time(8, 30), TZ_OFFSET) + dt.timedelta(
            minutes=float(rng.uniform(0, 40)))
        minutes = durations[i] if result == "completed" else float(rng.uniform(3, 8))
        t1 = t0 + dt.timedelta(minutes=float(minutes))
        starts.append(t0)
        ends.append(t1)
        clock[key] = t1 + dt.timedelta(minutes=float(gaps[i]))
    out = visits.with_columns(
        pl.Series("enumerator_id", enum_a, dtype=pl.String), pl.Series("enumerator_partner", enum_b, dtype=pl.String),
        pl.Series("_start", starts), pl.Series("_end", ends),
    )
    return out, slots


# ---- answers --------------------------------------------------------------------------------------------------

def _fill_defaults(df: pl.DataFrame, inst: str, rng: np.random.Generator, members: pl.DataFrame) -> pl.DataFrame:
    """Answers the truth does not hold (policy items, evidence file names …): plausible, seeded."""
    n = df.height
    u = lambda: rng.random(n)  # noqa: E731
    cols: dict[str, Any] = {}
    has = set(df.columns)

    def put(name: str, values: Any) -> None:
        if name not in has or df[name].null_count() == n:
            cols[name] = _ser(values, name)

    ages60 = members.group_by("_vid").agg((pl.col("member_age").cast(pl.Int64) >= 60).any().alias("_old")) \
        if members.height else pl.DataFrame(schema={"_vid": pl.Int64, "_old": pl.Boolean})
    old = df.select("_vid").join(ages60, on="_vid", how="left")["_old"].fill_null(False).to_numpy()
    health = members.group_by("_vid").agg((pl.col("member_health") == "chronic").any().alias("_chronic"),
                                           (pl.col("member_health") == "serious").any().alias("_serious")) \
        if members.height else pl.DataFrame(schema={"_vid": pl.Int64, "_chronic": pl.Boolean, "_serious": pl.Boolean})
    hj = df.select("_vid").join(health, on="_vid", how="left")
    chronic = hj["_chronic"].fill_null(False).to_numpy()
    serious = hj["_serious"].fill_null(False).to_numpy()
    if inst == "registered":
        cc = df["chronic_contracted"] if "chronic_contracted" in has else pl.Series([None] * n, dtype=pl.String)
        from_members = bool(cc.is_null().all())  # the truth says nothing: a chronic member means a patient
        present = cc.is_not_null().to_numpy() | (chronic & from_members)
        put("chronic_patient_present", _yes(present))
        if from_members:
            cols["chronic_contracted"] = _ser(np.where(present, _yes(u() < 0.95), None), "chronic_contracted")
        put("hospitalised", _yes(serious | (u() < 0.12)))
        put("hospital_one_stop", np.full(n, "yes", dtype=object))
        put("premium_subsidy", np.full(n, "yes", dtype=object))
        put("medical_policy_gap", np.full(n, "no", dtype=object))
        put("industry_eligible", _yes(u() < 0.65))
        put("industry_project_running", _yes(u() < 0.92))
        able = u() < 0.04
        put("employment_unemployed_able", _yes(able))
        supports = np.array(["public_job", "training", "job_info", "training job_info", "none", "none"], dtype=object)
        put("employment_support", supports[rng.integers(0, len(supports), n)])
        loans = np.array(["willing_eligible", "unwilling", "unwilling", "ineligible"], dtype=object)
        put("finance_loan_status", loans[rng.integers(0, len(loans), n)])
        put("dibao_missing", np.full(n, "no", dtype=object))
        put("tekun_missing", np.full(n, "no", dtype=object))
        put("temp_relief_missing", _yes(u() < 0.01))
        put("disability_cert_missing", np.full(n, "no", dtype=object))
        put("pension_paid", np.where(old, "yes", None).astype(object))
        helps = np.array(["publicity visits", "publicity implementation", "funding implementation visits",
                          "publicity funding implementation visits", "visits donation"], dtype=object)
        put("village_team_help", helps[rng.integers(0, len(helps), n)])
        put("village_team_weakened", _yes(u() < 0.03))
        for name in ("approve_policy", "approve_help", "approve_results", "approve_cadres"):
            put(name, df["approves"].to_numpy() if "approves" in has else np.full(n, "yes", dtype=object))
    if inst == "general":
        put("household_type", np.full(n, "normal", dtype=object))
        infra = np.array(["obvious", "obvious", "some", "none"], dtype=object)
        put("infrastructure_improved", infra[rng.integers(0, len(infra), n)])
    put("photo_house", np.where(u() < 0.9, [f"{1550000000000 + int(x)}.jpg" for x in rng.integers(0, 10**9, n)], None))
    put("photo_other", np.where(u() < 0.4, [f"{1550000000000 + int(x)}.jpg" for x in rng.integers(0, 10**9, n)], None))
    put("audio_interview", np.where(u() < 0.7, [f"{1550000000000 + int(x)}.m4a" for x in rng.integers(0, 10**9, n)], None))
    stable = df["income_stable"].to_numpy() if "income_stable" in has else np.full(n, "yes", dtype=object)
    put("income_unstable_reason", np.where(stable == "no", "务工收入不稳定，缺少持续增收渠道", None).astype(object))
    if "water_days_without" in has:
        cols["water_days_without"] = df["water_days_without"]
    return df.with_columns(list(cols.values())) if cols else df


def _pick(rng: np.random.Generator, options: list[str], weights: list[float], n: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=w / w.sum())]


def _fill_review_items(df: pl.DataFrame, inst: str, rng: np.random.Generator, members: pl.DataFrame,
                       truth: pl.DataFrame) -> pl.DataFrame:
    """The questions added in form 2025.2 (docs/fields.md): from the truth where it has something to say
    (members' schooling, ages, disability and labour; 低保/特困 flags; housing grade; income problems;
    approval), plausible and seeded otherwise. Drawn from a jumped copy of ``rng`` so the answers of the
    earlier questions (and every later draw) stay what they were before these items existed. Questions the
    form skips are blanked afterwards by ``_apply_form``."""
    g = np.random.Generator(rng.bit_generator.jumped())
    n = df.height
    u = lambda: g.random(n)  # noqa: E731
    has = set(df.columns)
    cols: dict[str, pl.Series] = {}

    def put(name: str, values: Any) -> None:
        if name not in has or df[name].null_count() == n:
            cols[name] = _ser(values, name)

    def col(name: str, default: Any = None) -> np.ndarray:
        src = df if name in has else truth if name in truth.columns else None
        if src is None:
            return np.full(n, default, dtype=object)
        return _text(src[name]).to_numpy().astype(object) if src is truth else src[name].to_numpy().astype(object)

    def flag(name: str) -> np.ndarray:
        if name not in truth.columns:
            return np.zeros(n, dtype=bool)
        return truth[name].cast(pl.Boolean, strict=False).fill_null(False).to_numpy()

    # member aggregates per visit
    stages = {"preschool": "preschool", "senior": "senior", "vocational": "vocational", "college": "college"}
    if members.height:
        m = members.with_columns(pl.col("member_age").cast(pl.Int64, strict=False).alias("_age"))
        agg = m.group_by("_vid").agg(
            pl.col("member_schooling").filter(pl.col("member_schooling").is_in(list(stages))).unique().sort()
            .alias("_stages"),
            ((pl.col("_age") >= 16) & (pl.col("_age") <= 59)).any().alias("_working_age"),
            ((pl.col("_age") >= 16) & (pl.col("_age") <= 59)
             & pl.col("member_labour").is_in(["normal", "skilled"])).sum().alias("_workers"),
            (pl.col("member_disability_grade").fill_null("none") != "none").any().alias("_disabled"),
        )
        a = df.select("_vid").join(agg, on="_vid", how="left")
        stage_lists = [list(x) if x is not None else [] for x in a["_stages"].to_list()]
        working_age = a["_working_age"].fill_null(False).to_numpy()
        workers = a["_workers"].fill_null(0).to_numpy()
        disabled = a["_disabled"].fill_null(False).to_numpy()
    else:
        stage_lists = [[] for _ in range(n)]
        working_age = np.zeros(n, dtype=bool)
        workers = np.zeros(n, dtype=int)
        disabled = np.zeros(n, dtype=bool)
    yes = lambda p: _yes(u() < p)  # noqa: E731

    # education
    other = np.array([bool(x) for x in stage_lists])
    put("other_stage_students", _yes(other))
    put("other_stage_levels", np.array([" ".join(stages[x] for x in xs) or None for xs in stage_lists], dtype=object))
    put("schooling_difficulties", np.where(u() < 0.15, "学校离家远，住宿和生活费用负担较重", None))
    # medical details
    put("medical_expense_detail", np.full(n, "大病住院自付费用较高，家庭负担重", dtype=object))
    put("medical_life_detail", np.full(n, "患病后无法劳动，家庭收入明显减少", dtype=object))
    put("medical_other_problems", np.where(u() < 0.05, "异地就医报销手续繁琐", None))
    # housing: renovation details and why a house is unsafe
    target = np.full(n, "none", dtype=object)
    for code, name in (("poor_disabled", "disabled"), ("tekun_scattered", "tekun"), ("dibao", "dibao")):
        target = np.where(flag(name), code, target)
    if inst == "registered":
        target = np.full(n, "registered_poor", dtype=object)
    put("renovation_policy_ok", _yes((target != "none") | (u() < 0.5)))
    put("renovation_target_group", target)
    method = _pick(g, ["repair", "rebuild"], [0.6, 0.4], n)
    put("renovation_method", method)
    area_ok = u() < 0.95
    put("renovation_area_ok", _yes(area_ok))
    put("renovation_area_gap_m2", np.where(area_ok, None, np.where(u() < 0.5, "-8", "15")).astype(object))
    quality_ok = u() < 0.97
    put("renovation_quality_ok", _yes(quality_ok))
    put("renovation_quality_problems", np.where(quality_ok, None, "墙体开裂，屋面漏雨").astype(object))
    put("renovation_old_demolished", yes(0.9))
    paid = u() < 0.96
    put("renovation_subsidy_paid", _yes(paid))
    put("renovation_subsidy_yuan", np.where(method == "rebuild", "30000", "10000"))
    put("renovation_own_yuan", np.array([str(int(x) * 500) for x in g.integers(0, 41, n)], dtype=object))
    grade = col("housing_grade")
    put("housing_unsafe_detail", np.array([f"住房为{x}级危房，尚未改造到位" if x in ("C", "D") else "住房未经鉴定，存在安全隐患"
                                           for x in grade], dtype=object))
    put("housing_other_problems", np.where(u() < 0.03, "厨房、厕所未改造", None))
    # income
    wage = pl.Series(col("income_wage")).cast(pl.Float64, strict=False).fill_null(0).to_numpy()
    put("wage_earners", np.where(wage > 0, np.maximum(workers, 1), 0).astype(str).astype(object))
    if inst == "registered":
        probs = truth["problems"].fill_null("").to_list() if "problems" in truth.columns else [""] * n
        below = np.array(["income.below_line" in p for p in probs])
        stable = col("income_stable", "yes") == "yes"
        put("income_above_line_expected", np.where(below, "no", np.where(~stable | (u() < 0.03), "unsure", "yes")))
        # industry, employment, credit
        put("industry_income_continuing", yes(0.9))
        parts = ["dividend", "cooperative", "base_production", "coop_work", "supply", "dividend coop_work", "other"]
        put("industry_participation", _pick(g, parts, [30, 20, 15, 15, 10, 8, 2], n))
        put("industry_targeted", yes(0.9))
        put("industry_effect", _pick(g, ["good", "fair", "poor"], [70, 26, 4], n))
        able = col("employment_unemployed_able") == "yes"
        put("employment_eligible", _yes(able | (u() < 0.5)))
        fits = u() < 0.92
        put("employment_training_fits", _yes(fits))
        put("employment_training_gap", np.where(fits, None, "培训内容与本地就业岗位不匹配").astype(object))
        put("employment_effect", _pick(g, ["good", "fair", "poor"], [65, 30, 5], n))
        put("loan_obtained", yes(0.7))
        put("loan_terms", np.where(u() < 0.95, "base_rate no_guarantee no_collateral interest_subsidy",
                                   "base_rate interest_subsidy").astype(object))
        use_ok = u() < 0.95
        put("loan_use_ok", _yes(use_ok))
        put("loan_use_detail", np.where(use_ok, None, "贷款用于建房，未用于发展生产").astype(object))
        put("loan_overdue", yes(0.03))
        # social security
        put("dibao_receiving", _yes(flag("dibao")))
        put("dibao_accurate", yes(0.97))
        put("pension_contrib_all", np.where(working_age, _yes(u() < 0.93), None).astype(object))
        put("tekun_missing_detail", np.full(n, "符合特困供养条件但未纳入", dtype=object))
        put("tekun_receiving", _yes(flag("tekun")))
        put("tekun_accurate", yes(0.98))
        put("temp_relief_detail", np.full(n, "因病支出较大，申请临时救助未获批", dtype=object))
        put("disability_subsidy_delivered", np.where(disabled, _yes(u() < 0.95), None).astype(object))
        missing = u() < 0.02
        put("disability_policy_missing", _yes(missing))
        put("disability_policy_detail", np.where(missing, "重度残疾人护理补贴未发放", None).astype(object))
        put("village_team_weakened_detail", np.full(n, "摘帽后驻村工作队员减少，入户次数明显减少", dtype=object))
        approves = col("approves", "yes") == "yes"
        for name in ("satisfaction_village_team", "satisfaction_helper"):
            sat = _pick(g, ["satisfied", "basic", "dissatisfied"], [85, 13, 2], n)
            sat = np.where(~approves & (u() < 0.5), "dissatisfied", sat)
            put(name, sat)
            put(f"{name}_reason", np.full(n, "很少来家里，帮扶措施落实不到位", dtype=object))
        put("education_policy_delivered", yes(0.97))
        put("education_policy_gap", np.full(n, "寄宿生生活补助未发放", dtype=object))
        put("other_stage_policy_delivered", yes(0.95))
        put("other_stage_policy_gap", np.full(n, "雨露计划补助未享受", dtype=object))
        put("contracted_doctor_serves", yes(0.93))
        card = u() < 0.9
        put("chronic_card", _yes(card))
        subsidy = card & (u() < 0.95)
        put("chronic_drug_subsidy", _yes(subsidy))
        put("chronic_drug_subsidy_reason", np.where(card, "在药店购药，不在报销范围", "未办理慢性病卡").astype(object))
    # COVID-19
    hit = u() < 0.3
    put("covid_impact", _yes(hit))
    kinds = ["work_blocked", "produce_unsold", "income_loss", "work_blocked income_loss", "produce_unsold income_loss",
             "supply_shortage", "other"]
    k = _pick(g, kinds, [25, 15, 25, 15, 10, 6, 4], n)
    put("covid_impact_kinds", k)
    put("covid_impact_other", np.full(n, "子女网课缺少设备", dtype=object))
    put("covid_solution", _pick(g, ["政府组织点对点返岗务工", "村里组织消费扶贫帮助销售", "享受临时救助和公益性岗位", "未解决"],
                                [35, 25, 30, 10], n))
    return df.with_columns(list(cols.values())) if cols else df


def _apply_form(df: pl.DataFrame, form: FormDef) -> pl.DataFrame:
    """Blank what the form's skip logic hides and compute its calculations, in form order (as the tablet)."""
    from .schema import schema

    sch = schema(form.instrument)
    kinds = sch.kinds()
    for f in sch.main:
        if f.info is None or f.name not in df.columns:
            continue
        q = f.info.question
        if q.calculation and f.name not in ("instrument",):
            try:
                typed = compile_expr(q.calculation, kinds)
            except Unsupported:
                pass
            else:
                val = typed.num() if f.kind in ("int", "dec") else typed.str()
                if f.kind in ("int", "dec"):
                    as_int = val.cast(pl.Int64, strict=False).cast(pl.String)
                    val = pl.when(val.is_null() | ~val.is_finite()).then(None).when(val == val.floor()).then(as_int) \
                        .otherwise(val.cast(pl.String))
                df = df.with_columns(val.alias(f.name))
        rel = f.relevance()
        if rel:
            try:
                cond = pl.all_horizontal([compile_bool(e, kinds) for e in rel])
            except Unsupported:
                continue
            df = df.with_columns(pl.when(cond).then(pl.col(f.name)).otherwise(None).alias(f.name))
    return df


def _fill_required(df: pl.DataFrame, form: FormDef) -> tuple[pl.DataFrame, list[str]]:
    """Safety net: a required, relevant question the truth and the defaults left empty gets a neutral answer
    (listed in the summary as a truth gap) so every simulated submission is one the tablet could send."""
    from .schema import schema

    sch = schema(form.instrument)
    kinds = sch.kinds()
    filled: list[str] = []
    for f in sch.main:
        name = f.info.name if f.info else f.name
        if not f.required or f.info is None or f.info.question.calculation or name not in df.columns:
            continue
        try:
            rel = pl.all_horizontal([compile_bool(e, kinds) for e in f.relevance()]) if f.relevance() else pl.lit(True)
        except Unsupported:
            continue
        gap = df.select((rel & pl.col(name).is_null()).alias("g"))["g"]
        if not gap.any():
            continue
        default = {"yn": "yes", "int": "0", "dec": "0"}.get(f.kind, f.choices[0] if f.choices else "-")
        df = df.with_columns(pl.when(gap).then(pl.lit(default)).otherwise(pl.col(name)).alias(name))
        filled.append(name)
    if filled:
        df = _apply_form(df, form)
    return df, filled


def _household_answers(visits: pl.DataFrame, inst: str, truth: Truth, sample: SampleView, rng: np.random.Generator,
                       villages: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    form = get(inst)
    from .schema import schema

    sch = schema(inst)
    v = visits.with_row_index("_vid").with_columns(pl.col("_vid").cast(pl.Int64))
    th = truth.households
    tcols = [c for c in th.columns if c not in ("household_id", "village_id", "group", "instrument")]
    joined = v.join(th.rename({"household_id": "tid"}).select("tid", *tcols), on="tid", how="left")
    place = sample.villages.select("village_id", pl.col("county").alias("_c"), pl.col("township").alias("_t"),
                                   pl.col("village").alias("_v")).unique("village_id", keep="first")
    joined = joined.join(place, on="village_id", how="left").sort("_vid")
    n = joined.height
    out: dict[str, pl.Series] = {}
    missing_truth: list[str] = []
    for f in sch.main:
        name = f.info.name if f.info else f.name
        if name in joined.columns and name not in ("county", "township", "village"):
            out[name] = _text(joined[name]).alias(name)
    persons_sample = sample.households.select("household_id", pl.col("persons").alias("_sp"))
    sp = v.join(persons_sample, left_on="hid", right_on="household_id", how="left").sort("_vid")["_sp"]
    meta = {
        "start": pl.Series([_iso(t) for t in joined["_start"].to_list()], dtype=pl.String),
        "end": pl.Series([_iso(t) for t in joined["_end"].to_list()], dtype=pl.String),
        "today": pl.Series([t.date().isoformat() for t in joined["_start"].to_list()], dtype=pl.String),
        "deviceid": pl.Series([f"collect:{hashlib.sha1(e.encode()).hexdigest()[:16]}" for e in joined["enumerator_id"]],
                              dtype=pl.String),
        "instrument": pl.Series([inst] * n, dtype=pl.String),
        "enumerator_id": joined["enumerator_id"], "enumerator_partner": joined["enumerator_partner"],
        "village_id": joined["village_id"], "county": joined["_c"], "township": joined["_t"], "village": joined["_v"],
        "interview_result": joined["result"],
        "gps": pl.Series(_gps(rng, joined["village_id"].to_list(), villages), dtype=pl.String),
        "group": joined["group"],
    }
    if inst == "registered":
        meta["household_id"] = joined["hid"]
        meta["listed_persons"] = sp.cast(pl.String)
        meta["household_status"] = _text(joined["status"]) if "status" in joined.columns else pl.Series([None] * n)
    else:
        listed = joined["listed"].to_numpy()
        meta["household_listed"] = _ser(_yes(listed))
        meta["household_pick"] = _ser(np.where(listed, joined["hid"].to_numpy(), None))
        codes = [group_code(a or "", b or "") for a, b in zip(joined["village_id"].to_list(), joined["group"].to_list(),
                                                                strict=True)]
        meta["census_group"] = _ser(np.where(listed, None, np.array(codes, dtype=object)))
        meta["hukou_no"] = _ser(np.where(listed, None, joined["hid"].to_numpy()))
        meta["household_id"] = joined["hid"]
        if "missed" in joined.columns:
            missed = joined["missed"].cast(pl.Boolean).fill_null(False).to_numpy()
            meta["missed_judgement"] = _ser(_yes(missed))
            mp = joined["missed_persons"] if "missed_persons" in joined.columns else joined["persons"]
            meta["missed_persons"] = _ser(np.where(missed, _text(mp).to_numpy(), None))
            probs = joined["problems"].fill_null("").to_list() if "problems" in joined.columns else [""] * n
            reasons = ["；".join(PROBLEM_ZH.get(p, p) for p in s.split(";") if p) or "综合研判" for s in probs]
            meta["missed_reason"] = _ser(np.where(missed, np.array(reasons, dtype=object), None))
    for k, s in meta.items():
        out[k] = s.alias(k).cast(pl.String)
    df = pl.DataFrame(out).with_columns(v["_vid"])
    # members from the truth persons
    tp = truth.persons
    mem = v.select("_vid", "tid").join(tp.rename({"household_id": "tid"}), on="tid", how="inner")
    if "member_no" in mem.columns:
        mem = mem.sort("_vid", "member_no")
    mcols = {"_vid": mem["_vid"]}
    for fname, tname in MEMBER_FROM_TRUTH.items():
        if tname in mem.columns:
            s = _text(mem[tname])
            if fname == "member_relation":
                s = s.replace_strict(RELATION_CODES, default="other", return_dtype=pl.String)
            mcols[fname] = s.alias(fname)
    members = pl.DataFrame(mcols)
    df = _fill_defaults(df, inst, rng, members)
    df = _fill_review_items(df, inst, rng, members, joined)
    for f in sch.main:
        name = f.info.name if f.info else f.name
        if name not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.String).alias(name))
            if f.required and f.info is not None and not f.info.question.calculation:
                missing_truth.append(name)
    df = _apply_form(df, form)
    df, filled = _fill_required(df, form)
    return df, members, sorted(set(missing_truth) | set(filled))


def _village_answers(sample: SampleView, truth: Truth, slots: dict[str, dict[str, Any]], rng: np.random.Generator,
                     params: SimParams) -> pl.DataFrame:
    form = get("village")
    v = sample.villages.unique("village_id", keep="first").sort("village_id")
    tv = truth.villages
    cols = [c for c in tv.columns if c not in ("county", "township", "village")] if tv.height else ["village_id"]
    j = v.join(tv.select(cols), on="village_id", how="left") if tv.height else v
    n = j.height
    df: dict[str, pl.Series] = {}
    from .schema import schema

    for f in schema("village").main:
        name = f.info.name if f.info else f.name
        if name in j.columns and name not in ("county", "township", "village", "village_id"):
            df[name] = _text(j[name]).alias(name)
    defaults = {
        "road_hardened": "yes", "road_width_m": "4.5", "road_width_exempt": "no", "bus_within_2km": "yes",
        "water_standard_ok": "yes", "power_all_households": "yes", "broadcast_all_households": "yes",
        "culture_centre_items": "room square stage board culture_kit broadcast_kit sports_kit", "clinic_area_m2": "80",
        "clinic_rooms": "consulting treatment public_health pharmacy", "clinic_staff_per_1000": "1.5",
        "qualified_doctor": "yes", "broadband_mbps": "100", "fiber_reached": "yes", "incidence_reported_pct": "0.8",
    }
    for k, d in defaults.items():
        s = df.get(k, pl.Series(k, [None] * n, dtype=pl.String))
        df[k] = s.fill_null(d)
    starts, ends, ea, eb = [], [], [], []
    for vid in j["village_id"].to_list():
        s = slots.get(vid) or {"day": dt.date.fromisoformat(params.start_date), "slot": 0}
        t0 = dt.datetime.combine(s["day"], dt.time(17, 0), TZ_OFFSET) + dt.timedelta(minutes=float(rng.uniform(0, 40)))
        starts.append(t0)
        ends.append(t0 + dt.timedelta(minutes=float(rng.uniform(35, 70))))
        pair_no = s["slot"] * max(1, params.pairs_per_village)
        ea.append(f"E{2 * pair_no + 1:02d}")
        eb.append(f"E{2 * pair_no + 2:02d}")
    df.update({
        "start": pl.Series([_iso(t) for t in starts]), "end": pl.Series([_iso(t) for t in ends]),
        "today": pl.Series([t.date().isoformat() for t in starts]),
        "deviceid": pl.Series([f"collect:{hashlib.sha1(e.encode()).hexdigest()[:16]}" for e in ea]),
        "instrument": pl.Series(["village"] * n), "enumerator_id": pl.Series(ea), "enumerator_partner": pl.Series(eb),
        "village_id": j["village_id"], "county": j["county"], "township": j["township"], "village": j["village"],
        "gps": pl.Series(_gps(rng, j["village_id"].to_list(), tv, spread=0.001)),
        "respondents": pl.Series(["村支书、村主任、驻村第一书记"] * n),
        "village_households_reported": pl.Series([str(int(x)) for x in rng.integers(150, 600, n)]),
        "collective_income": pl.Series([str(int(x) * 1000) for x in rng.integers(20, 300, n)]),
        "work_summary": pl.Series(["产业扶贫、就业扶贫、危房改造等政策均已落实"] * n),
        "main_problems": pl.Series(["产业结构单一，集体经济薄弱"] * n),
        "plan_targets_progress": pl.Series(["年初制定减贫计划，剩余贫困户已落实帮扶措施，目标任务按进度完成"] * n),
        "epidemic_response": pl.Series(["组织外出务工人员点对点返岗，开发公益性岗位，帮助销售滞销农产品"] * n),
        "policies_projects": pl.Series(["实施产业奖补、危房改造、饮水巩固提升项目，村两委和工作队逐户落实，效果较好"] * n),
        "challenges": pl.Series(["产业抗风险能力弱，部分脱贫户收入不稳定，存在返贫风险"] * n),
        "photo_clinic": pl.Series([f"{1550000000000 + int(x)}.jpg" for x in rng.integers(0, 10**9, n)]),
        "_start": pl.Series(starts),
    })
    out = pl.DataFrame({k: s.cast(pl.String) if k != "_start" else s for k, s in df.items()})
    return _apply_form(out, form)


def _cadre_answers(sample: SampleView, slots: dict[str, dict[str, Any]], rng: np.random.Generator, params: SimParams
                   ) -> pl.DataFrame:
    form = get("cadre")
    rows: list[dict[str, Any]] = []
    first_day = dt.date.fromisoformat(params.start_date)
    county_roles = ["county_cadre", "township_cadre", "deputy", "cppcc"]
    for i in range(max(0, params.county_cadres)):
        rows.append({"respondent_role": county_roles[i % len(county_roles)], "village_id": None, "_day": first_day,
                     "_hour": 15, "_slot": 0, "respondent_unit": ["县扶贫办", "乡镇政府", "县人大", "县政协"][i % 4]})
    for vid in sorted(sample.villages["village_id"].drop_nulls().unique().to_list()):
        s = slots.get(vid) or {"day": first_day, "slot": 0}
        for k in range(max(0, params.cadres_per_village)):
            rows.append({"respondent_role": ["village_cadre", "resident_team"][k % 2], "village_id": vid, "_day": s["day"],
                         "_hour": 12, "_slot": s["slot"], "respondent_unit": None})
    if not rows:
        return pl.DataFrame()
    n = len(rows)
    approves = rng.random(n) < 0.96
    starts = [dt.datetime.combine(r["_day"], dt.time(r["_hour"], 10), TZ_OFFSET) + dt.timedelta(minutes=float(x))
              for r, x in zip(rows, rng.uniform(0, 60, n), strict=True)]
    place = sample.villages.unique("village_id", keep="first")
    pmap = {r["village_id"]: r for r in place.iter_rows(named=True)}
    ea = [f"E{2 * r['_slot'] * max(1, params.pairs_per_village) + 1:02d}" for r in rows]
    eb = [f"E{2 * r['_slot'] * max(1, params.pairs_per_village) + 2:02d}" for r in rows]
    df = pl.DataFrame({
        "start": [_iso(t) for t in starts],
        "end": [_iso(t + dt.timedelta(minutes=float(x))) for t, x in zip(starts, rng.uniform(10, 25, n), strict=True)],
        "today": [t.date().isoformat() for t in starts],
        "deviceid": [f"collect:{hashlib.sha1(e.encode()).hexdigest()[:16]}" for e in ea],
        "instrument": ["cadre"] * n, "enumerator_id": ea, "enumerator_partner": eb,
        "respondent_role": [r["respondent_role"] for r in rows],
        "village_id": [r["village_id"] for r in rows],
        "county": [pmap.get(r["village_id"], {}).get("county") for r in rows],
        "township": [pmap.get(r["village_id"], {}).get("township") for r in rows],
        "village": [pmap.get(r["village_id"], {}).get("village") for r in rows],
        "respondent_unit": [r["respondent_unit"] for r in rows],
        "gps": _gps(rng, [r["village_id"] or "county" for r in rows], pl.DataFrame(), spread=0.002),
        "approve_policy": _yes(approves | (rng.random(n) < 0.5)).tolist(),
        "approve_procedure": _yes(approves | (rng.random(n) < 0.5)).tolist(),
        "approve_exit": _yes(approves | (rng.random(n) < 0.7)).tolist(),
        "approves": _yes(approves).tolist(),
        "disapproval_reason": np.where(approves, None, "部分帮扶措施落实不到位").tolist(),
        "_start": starts,
    }, schema_overrides={"village_id": pl.String, "county": pl.String, "township": pl.String, "village": pl.String,
                         "respondent_unit": pl.String, "disapproval_reason": pl.String})
    return _apply_form(df, form)


def _meta_rows(instrument: str, starts: list[dt.datetime], minutes: np.ndarray, ea: list[str], eb: list[str]
               ) -> dict[str, list[Any]]:
    return {
        "start": [_iso(t) for t in starts],
        "end": [_iso(t + dt.timedelta(minutes=float(x))) for t, x in zip(starts, minutes, strict=True)],
        "today": [t.date().isoformat() for t in starts],
        "deviceid": [f"collect:{hashlib.sha1(e.encode()).hexdigest()[:16]}" for e in ea],
        "instrument": [instrument] * len(starts), "enumerator_id": ea, "enumerator_partner": eb,
    }


def _township_answers(sample: SampleView, truth: Truth, slots: dict[str, dict[str, Any]], rng: np.random.Generator,
                      params: SimParams) -> pl.DataFrame:
    """One township form per township of the sampled villages: counts from the truth (households, persons,
    registered, exited, villages, groups), the rest plausible. Filled on the day of the township's first
    sampled village, at noon, by that village's first pair."""
    from .export import township_code

    v = sample.villages.select(pl.col("county").cast(pl.String), pl.col("township").cast(pl.String),
                               pl.col("village_id").cast(pl.String)).drop_nulls(["township"])
    towns = v.group_by("county", "township").agg(pl.col("village_id").sort().first().alias("_vid")).sort("county", "township")
    n = towns.height
    if n == 0:
        return pl.DataFrame()
    th = truth.households
    keys = ["county", "township"]
    if th.height and set(keys) <= set(th.columns):
        reg = pl.col("registered").cast(pl.Boolean).fill_null(False) if "registered" in th.columns else pl.lit(False)
        status = pl.col("status") if "status" in th.columns else pl.lit(None, dtype=pl.String)
        persons = pl.col("persons").cast(pl.Int64).fill_null(1) if "persons" in th.columns else pl.lit(1)
        stats = th.group_by(keys).agg(
            pl.len().alias("households_total"), persons.sum().alias("population_total"),
            (pl.col("group").n_unique() if "group" in th.columns else pl.lit(0)).alias("groups_total"),
            reg.sum().alias("registered_households"), (persons * reg).sum().alias("registered_persons"),
            (status == "exited").sum().alias("exited_households"),
            (persons * (status == "exited")).sum().alias("exited_persons"),
            status.is_in(["poor", "returned"]).sum().alias("remaining_poor_households"),
            (persons * status.is_in(["poor", "returned"])).sum().alias("remaining_poor_persons"),
            (status == "returned").sum().alias("returned_households_year"),
        )
        towns = towns.join(stats.with_columns([pl.col(k).cast(pl.String) for k in keys]), on=keys, how="left")
    tv = truth.villages
    if tv.height and set(keys) <= set(tv.columns):
        poor = pl.col("poor_village").cast(pl.Boolean).fill_null(False) if "poor_village" in tv.columns else pl.lit(False)
        vs = tv.group_by(keys).agg(pl.len().alias("villages_total"), poor.sum().alias("poor_villages"))
        towns = towns.join(vs.with_columns([pl.col(k).cast(pl.String) for k in keys]), on=keys, how="left")
    sampled = v.group_by(keys).agg(pl.len().alias("_n_sampled"))
    towns = towns.join(sampled, on=keys, how="left")

    def num(name: str, fallback: np.ndarray) -> np.ndarray:
        if name in towns.columns:
            vals = towns[name].cast(pl.Int64, strict=False).to_numpy()
            return np.where(np.isnan(vals.astype(float)), fallback, vals).astype(np.int64)
        return fallback.astype(np.int64)

    villages_total = np.maximum(num("villages_total", towns["_n_sampled"].to_numpy()), 1)
    hh = num("households_total", villages_total * rng.integers(200, 500, n))
    pop = np.clip(num("population_total", hh * 4), hh, 30 * hh)
    reg_h = np.minimum(num("registered_households", (hh * 0.25).astype(int)), hh)
    reg_p = np.maximum(num("registered_persons", reg_h * 4), reg_h)
    ex_h = np.minimum(num("exited_households", (reg_h * 0.9).astype(int)), reg_h)
    ex_p = np.minimum(num("exited_persons", (reg_p * 0.9).astype(int)), reg_p)
    rem_h = np.minimum(num("remaining_poor_households", reg_h - ex_h), reg_h)
    rem_p = np.minimum(num("remaining_poor_persons", reg_p - ex_p), reg_p)
    poor_v = np.minimum(num("poor_villages", (villages_total * 0.6).astype(int)), villages_total)
    groups = np.maximum(num("groups_total", villages_total * 8), villages_total)
    reloc = rng.integers(0, 60, n)
    danger = rng.integers(0, 40, n)
    dc = (danger * rng.uniform(0.6, 0.95, n)).astype(int)
    teams = np.maximum(poor_v, 1)
    helpers = np.maximum(reg_h // 4, 1)
    starts, ea, eb = [], [], []
    first = dt.date.fromisoformat(params.start_date)
    for vid in towns["_vid"].to_list():
        s_ = slots.get(vid) or {"day": first, "slot": 0}
        starts.append(dt.datetime.combine(s_["day"], dt.time(12, 30), TZ_OFFSET) + dt.timedelta(minutes=float(rng.uniform(0, 30))))
        pair_no = s_["slot"] * max(1, params.pairs_per_village)
        ea.append(f"E{2 * pair_no + 1:02d}")
        eb.append(f"E{2 * pair_no + 2:02d}")
    pathways = ["industry employment social_security", "industry relocation housing employment",
                "industry employment education_health social_security ecology"]
    joins = ["land funds labour", "funds labour", "land funds custody"]
    istr = lambda a: [str(int(x)) for x in a]  # noqa: E731
    county, township = towns["county"].to_list(), towns["township"].to_list()
    df = pl.DataFrame({
        **_meta_rows("township", starts, rng.uniform(60, 120, n), ea, eb),
        "township_code": [township_code(c or "", t or "") for c, t in zip(county, township, strict=True)],
        "county": county, "township": township,
        "gps": _gps(rng, towns["_vid"].to_list(), truth.villages, spread=0.01),
        "respondents": ["党委书记、乡镇长、分管扶贫副乡镇长、扶贫专干"] * n,
        "respondent_count": istr(rng.integers(3, 9, n)),
        "villages_total": istr(villages_total), "groups_total": istr(groups), "households_total": istr(hh),
        "population_total": istr(pop), "poor_villages": istr(poor_v),
        "deep_poor_villages": istr(np.minimum((poor_v * rng.uniform(0, 0.5, n)).astype(int), villages_total)),
        "registered_households": istr(reg_h), "registered_persons": istr(reg_p), "exited_households": istr(ex_h),
        "exited_persons": istr(ex_p), "remaining_poor_households": istr(rem_h), "remaining_poor_persons": istr(rem_p),
        "new_households_year": istr(rng.integers(0, 30, n)),
        "returned_households_year": istr(num("returned_households_year", rng.integers(0, 10, n))),
        "households_checked": istr(hh),
        "main_industries": ["林果、中药材、生猪养殖，分布在各贫困村"] * n,
        "industry_poor_share_pct": [f"{x:.0f}" for x in rng.uniform(60, 90, n)],
        "cooperatives": istr(rng.integers(5, 30, n)), "coop_poor_households": istr((reg_h * 0.7).astype(int)),
        "coop_join_modes": [joins[i] for i in rng.integers(0, len(joins), n)],
        "coop_dividend": ["按入股比例和交易额分红，可分配盈余60%按交易额返还"] * n,
        "collective_economy": ["村集体经济以土地流转和光伏收益为主，运行正常"] * n,
        "collective_debt": _yes(rng.random(n) < 0.3).tolist(),
        "collective_debt_origin": ["historical"] * n,
        "exit_pathways": [pathways[i] for i in rng.integers(0, len(pathways), n)],
        "safe_water_pct": ["100"] * n, "power_all_villages": ["yes"] * n,
        "village_roads_hardened": _yes(rng.random(n) < 0.95).tolist(), "tv_all_households": ["yes"] * n,
        "mobile_coverage_pct": [f"{x:.0f}" for x in rng.uniform(92, 100, n)],
        "culture_squares": istr(villages_total), "standard_clinics": istr(villages_total),
        "qualified_village_doctors": istr(villages_total + rng.integers(0, 6, n)),
        "village_doctor_management": ["参加全县乡村医生考试取得资格，按县乡村医生管理办法管理"] * n,
        "infrastructure_projects_ongoing": _yes(rng.random(n) < 0.5).tolist(),
        "relocation_households": istr(reloc), "relocation_completed": istr((reloc * 0.9).astype(int)),
        "relocation_registered_poor": istr((reloc * 0.95).astype(int)),
        "relocation_self_funding_ok": ["yes"] * n, "relocation_debt": _yes(rng.random(n) < 0.05).tolist(),
        "dangerous_houses": istr(danger), "dangerous_c": istr(dc), "dangerous_d": istr(danger - dc),
        "renovation_completed": istr(danger), "renovation_subsidy_c_yuan": ["10000"] * n,
        "renovation_subsidy_d_yuan": ["30000"] * n,
        "renovation_nonpoor_policy": ["非贫困户危房纳入农村危房改造计划，按同等标准补助"] * n,
        "work_teams": istr(teams), "team_size": ["3"] * n, "helpers": istr(helpers),
        "helpers_disciplined": ["0"] * n, "team_requirements": ["驻村工作队每月驻村不少于20天，帮扶责任人每月入户不少于2次"] * n,
        "form_filling_burden": [["heavy", "moderate", "light"][i] for i in rng.choice(3, size=n, p=[0.5, 0.4, 0.1])],
        "innovations": ["支部+合作社，八个一批专班推进"] * n,
        "problems_to_solve": ["立地条件差、产业结构单一、群众内生动力不足"] * n,
        "identification_exit_suggestions": ["无"] * n,
        "inspections_this_year": istr(rng.integers(2, 9, n)), "materials_received": ["yes"] * n,
        "photo_materials": [f"{1550000000000 + int(x)}.jpg" for x in rng.integers(0, 10**9, n)],
        "audio_interview": [f"{1550000000000 + int(x)}.m4a" for x in rng.integers(0, 10**9, n)],
        "_start": starts,
    }, schema_overrides={"county": pl.String, "township": pl.String})
    return _apply_form(df, get("township"))


def _county_check_answers(sample: SampleView, rng: np.random.Generator, params: SimParams) -> pl.DataFrame:
    """One document checklist per county, on the first fieldwork morning; about 5% of the items missing."""
    from .definitions.county_check import ITEMS
    from .export import county_code

    counties = sorted(c for c in sample.villages["county"].cast(pl.String).drop_nulls().unique().to_list())
    n = len(counties)
    if n == 0:
        return pl.DataFrame()
    first = dt.date.fromisoformat(params.start_date)
    starts = [dt.datetime.combine(first, dt.time(8, 0), TZ_OFFSET) + dt.timedelta(minutes=float(x))
              for x in rng.uniform(0, 20, n)]
    cols: dict[str, Any] = {
        **_meta_rows("county_check", starts, rng.uniform(40, 90, n), ["E01"] * n, ["E02"] * n),
        "county_code": [county_code(c) for c in counties], "county": counties,
        "gps": _gps(rng, ["county:" + c for c in counties], pl.DataFrame(), spread=0.002),
        "respondents": ["县扶贫办、县委组织部"] * n,
    }
    for name, *_ in ITEMS:
        there = rng.random(n) >= 0.05
        cols[name] = _yes(there).tolist()
        cols[f"{name}_photo"] = [f"{1550000000000 + int(x)}.jpg" for x in rng.integers(0, 10**9, n)]
        cols[f"{name}_remark"] = [None] * n
        cols[f"{name}_missing_detail"] = ["未能提供相关文件"] * n
    cols["_start"] = starts
    df = pl.DataFrame(cols, schema_overrides={f"{name}_remark": pl.String for name, *_ in ITEMS})
    return _apply_form(df, get("county_check"))


# ---- noise ----------------------------------------------------------------------------------------------------

def _noise_income(df: pl.DataFrame, rng: np.random.Generator, params: SimParams) -> tuple[pl.DataFrame, np.ndarray,
                                                                                          np.ndarray]:
    n = df.height
    pick = (rng.random(n) < params.income_noise_rate) & (df["interview_result"] == "completed").to_numpy()
    factor = np.exp(rng.normal(0.0, params.income_noise_sd, n))
    updates = []
    for c in INCOME_SOURCES:
        if c in df.columns:
            vals = df[c].cast(pl.Float64, strict=False).to_numpy()
            noised = np.where(pick & ~np.isnan(vals), np.rint(vals * factor), vals)
            s = pl.Series(c, noised, nan_to_null=True)
            updates.append(_text(s).alias(c))
    return df.with_columns(updates), pick, factor


def _noise_missing(df: pl.DataFrame, rng: np.random.Generator, params: SimParams) -> tuple[pl.DataFrame, list[str]]:
    n = df.height
    pick = (rng.random(n) < params.missing_rate) & (df["interview_result"] == "completed").to_numpy()
    cands = [c for c in MISSABLE if c in df.columns]
    blanked = [""] * n
    if not cands or not pick.any():
        return df, blanked
    present = np.column_stack([df[c].is_not_null().to_numpy() for c in cands])
    masks = {c: np.zeros(n, dtype=bool) for c in cands}
    for i in np.flatnonzero(pick):
        avail = [j for j in range(len(cands)) if present[i, j]]
        if not avail:
            continue
        k = min(len(avail), 1 + int(rng.random() < 0.3))
        chosen = rng.choice(avail, size=k, replace=False)
        blanked[i] = ";".join(cands[j] for j in sorted(chosen))
        for j in chosen:
            masks[cands[j]][i] = True
    return df.with_columns([pl.when(pl.Series(masks[c])).then(None).otherwise(pl.col(c)).alias(c) for c in cands]), blanked


# ---- main -----------------------------------------------------------------------------------------------------

def simulate_survey(truth: Any, sample: Any, seed: int, params: SimParams | None = None) -> SimulatedExport:
    """Simulated ODK Central exports of the field survey of ``sample`` in the world ``truth``."""
    params = params or SimParams()
    rng = np.random.Generator(np.random.PCG64(seed))
    t = load_truth(truth)
    if params.start_date is None:
        year = (t.reference_year or 2018) + 1
        params = replace(params, start_date=f"{year}-02-13")
    view = load_sample_view(sample)
    visits, summary = _plan(t, view, rng, params)
    villages = sorted(view.villages["village_id"].drop_nulls().unique().to_list())
    visits = visits.sort("village_id", pl.col("instrument"), "hid")
    visits, slots = _schedule(visits, villages, rng, params)
    noise_rows: list[dict[str, Any]] = []
    files: dict[str, bytes] = {}
    summary["missing_truth_fields"] = {}
    for inst in HOUSEHOLD_INSTRUMENTS:
        form = get(inst)
        vis = visits.filter(pl.col("instrument") == inst)
        if vis.height == 0:
            files[f"{form.form_id}.zip"] = to_zip(central_tables(form, pl.DataFrame(schema={"instance_id": pl.String}),
                                                                 None))
            continue
        df, members, missing = _household_answers(vis, inst, t, view, rng, t.villages)
        summary["missing_truth_fields"][inst] = missing
        df, income_pick, factor = _noise_income(df, rng, params)
        df, blanked = _noise_missing(df, rng, params)
        df = _apply_form(df, form)  # recompute the calculations after noise, as the tablet would
        ids = _uuids(rng, df.height)
        df = df.with_columns(pl.Series("instance_id", ids, dtype=pl.String), pl.Series("_start", vis["_start"]))
        members = members.join(df.select("_vid", "instance_id", "interview_result"), on="_vid", how="left") \
            .filter(pl.col("interview_result") == "completed")
        for i, row in enumerate(vis.select("hid", "noise", "detail").iter_rows()):
            hid, kind, detail = row
            iid = ids[i]
            if kind:
                noise_rows.append({"household_id": hid, "instance_id": iid, "kind": kind, "detail": detail})
            if income_pick[i]:
                noise_rows.append({"household_id": hid, "instance_id": iid, "kind": "income",
                                   "detail": f"factor={factor[i]:.12g}"})
            if blanked[i]:
                noise_rows.append({"household_id": hid, "instance_id": iid, "kind": "missing", "detail": blanked[i]})
        # second interviews: the same household again, another pair, a day later, new instance ID
        completed = (df["interview_result"] == "completed").to_numpy()
        again = np.flatnonzero((rng.random(df.height) < params.second_interview_rate) & completed)
        extra_main = []
        extra_members = []
        if again.size:
            dup = df[again.tolist()]
            new_ids = _uuids(rng, dup.height)
            shift = dt.timedelta(days=1)
            dup = dup.with_columns(
                pl.Series("instance_id", new_ids, dtype=pl.String),
                pl.Series("start", [_iso(dt.datetime.fromisoformat(s) + shift) for s in dup["start"]], dtype=pl.String),
                pl.Series("end", [_iso(dt.datetime.fromisoformat(s) + shift) for s in dup["end"]], dtype=pl.String),
                pl.Series("today", [(dt.date.fromisoformat(s) + shift).isoformat() for s in dup["today"]], dtype=pl.String),
                pl.Series("enumerator_id", ["E99"] * dup.height, dtype=pl.String),
                pl.Series("enumerator_partner", ["E98"] * dup.height, dtype=pl.String),
                pl.Series("_start", [s + shift for s in dup["_start"]]),
            )
            dup = _apply_form(dup, form)
            extra_main.append(dup)
            m2 = members.join(dup.select(pl.col("_vid"), pl.col("instance_id").alias("_new_iid")), on="_vid", how="inner")
            extra_members.append(m2.with_columns(pl.col("_new_iid").alias("instance_id")).drop("_new_iid"))
            for hid, iid, first in zip(dup["household_id"].to_list(), new_ids, df[again.tolist()]["instance_id"].to_list(),
                                       strict=True):
                noise_rows.append({"household_id": hid, "instance_id": iid, "kind": "second_interview",
                                   "detail": f"first={first}"})
        # resent submissions: the identical row again
        resend = np.flatnonzero(rng.random(df.height) < params.resend_rate)
        if resend.size:
            extra_main.append(df[resend.tolist()])
            for hid, iid in df[resend.tolist()].select("household_id", "instance_id").iter_rows():
                noise_rows.append({"household_id": hid, "instance_id": iid, "kind": "resend", "detail": ""})
        main = pl.concat([df, *extra_main], how="vertical_relaxed") if extra_main else df
        main = _server_columns(main, rng)
        all_members = pl.concat([members, *extra_members], how="diagonal_relaxed") if extra_members else members
        # resent rows share their instance's members: the ZIP's repeat table lists them once per instance
        all_members = all_members.unique(["instance_id", "member_no"], keep="first", maintain_order=True) \
            .sort("instance_id", pl.col("member_no").cast(pl.Int64))
        files[f"{form.form_id}.zip"] = to_zip(central_tables(form, main, all_members))
        summary[f"{inst}_submissions"] = main.height
    vdf = _village_answers(view, t, slots, rng, params)
    vdf = vdf.with_columns(pl.Series("instance_id", _uuids(rng, vdf.height), dtype=pl.String))
    files[f"{get('village').form_id}.zip"] = to_zip(central_tables(get("village"), _server_columns(vdf, rng)))
    cdf = _cadre_answers(view, slots, rng, params)
    if cdf.height:
        cdf = cdf.with_columns(pl.Series("instance_id", _uuids(rng, cdf.height), dtype=pl.String))
        files[f"{get('cadre').form_id}.zip"] = to_zip(central_tables(get("cadre"), _server_columns(cdf, rng)))
    for inst, frame in (("township", _township_answers(view, t, slots, rng, params)),
                        ("county_check", _county_check_answers(view, rng, params))):
        form = get(inst)
        if frame.height:
            frame = frame.with_columns(pl.Series("instance_id", _uuids(rng, frame.height), dtype=pl.String))
            files[f"{form.form_id}.zip"] = to_zip(central_tables(form, _server_columns(frame, rng)))
        summary[f"{inst}_submissions"] = frame.height
    summary["village_submissions"] = vdf.height
    summary["cadre_submissions"] = cdf.height
    summary["visits"] = visits.height
    noise = pl.DataFrame(noise_rows, schema={"household_id": pl.String, "instance_id": pl.String, "kind": pl.String,
                                             "detail": pl.String}).sort("kind", "household_id", "instance_id")
    summary["noise"] = {k: int(v) for k, v in noise.group_by("kind").len().sort("kind").iter_rows()} if noise.height else {}
    summary["seed"] = seed
    summary["params"] = asdict(params)
    summary["truth_hashes"] = t.hashes
    return SimulatedExport(files=files, noise=noise, summary=summary)


def _server_columns(df: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """SubmissionDate (synced in the evening of the interview day, UTC as Central writes it) and submitter."""
    starts = df["_start"].to_list()
    delays = rng.uniform(0, 90, len(starts))
    sub = []
    for t0, d in zip(starts, delays, strict=True):
        evening = dt.datetime.combine(t0.date(), dt.time(20, 0), TZ_OFFSET) + dt.timedelta(minutes=float(d))
        sub.append(_utc(max(evening, t0 + dt.timedelta(minutes=90))))
    files = [c for c in df.columns if c in ("photo_house", "photo_other", "audio_interview", "photo_clinic", "photo_materials")
             or c.endswith("_photo")]
    present = pl.sum_horizontal([pl.col(c).is_not_null().cast(pl.Int32) for c in files]) if files else pl.lit(0)
    return df.with_columns(
        pl.Series("submission_date", sub, dtype=pl.String),
        pl.col("enumerator_id").alias("submitter"),
        pl.col("enumerator_id").str.slice(1).cast(pl.Int64, strict=False).cast(pl.String).alias("submitter_id"),
        present.cast(pl.String).alias("attachments_present"),
        present.cast(pl.String).alias("attachments_expected"),
        pl.col("deviceid").alias("device_id") if "deviceid" in df.columns else pl.lit(None, dtype=pl.String).alias("device_id"),
        pl.lit("0").alias("edits"),
    )


def write_simulated(export: SimulatedExport, out: str | Path) -> Path:
    """``out/``: one ODK Central ZIP per form, ``noise.csv`` and ``simulation.json`` (atomic)."""
    out = Path(out)
    with atomic_dir(out, kind="fieldwork") as tmp:
        for name, data in export.files.items():
            (tmp / name).write_bytes(data)
        export.noise.write_csv(tmp / "noise.csv")
        (tmp / "simulation.json").write_text(json.dumps(export.summary, ensure_ascii=False, indent=2, sort_keys=True,
                                                        default=str) + "\n", encoding="utf-8")
    return out
