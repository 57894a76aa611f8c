"""Simulated fieldwork: from the synthetic truth and a sample, the ODK Central exports a field team would
download — so the demo and the tests run the real ingest path.

One submission per sampled household (registered: the sampled ones, a reserve household where one is not
found; general: every non-registered household of the census groups plus the listed roster hits, matched
to the truth by the SHA-1 of a member's ID number), a village checklist per sampled village and a few
cadre questionnaires; pairs of enumerators, interview times over the fieldwork days, GPS near the village.
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
    files = [c for c in ("photo_house", "photo_other", "audio_interview", "photo_clinic") if c in df.columns]
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
