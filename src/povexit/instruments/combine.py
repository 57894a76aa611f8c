"""Decide which submissions are kept: sample membership, then one submission per instance ID and one
interview per household (or checklist per village), over the union of what ``responses/`` already
holds and the new batch — so the outcome does not depend on the order files are ingested in.

Rules (docs/decisions.md):
- same instance ID, same answers → kept once (a resend; flagged when resent within one import);
- same instance ID, different answers → the version with more edits, else the later submission date,
  else the smaller content hash is kept; the other is rejected (PVX-I07);
- two interviews of one household → the earlier (``started_at``, then instance ID) is kept (PVX-I02);
- a household not in the sample, not a reserve household and (for ``general``) not in a census group
  → rejected (PVX-I01); listed under another instrument → rejected (PVX-I03).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from ..errors import instruments as EI
from . import problems as P
from .prepare import Batch
from .sample_view import SampleView
from .schema import HOUSEHOLD_INSTRUMENTS, schema

TABLES = ("households", "villages", "cadres", "nonresponse", "townships", "county_checks")
# instrument -> table, for the instruments that are not household interviews
TABLE_OF = {"village": "villages", "cadre": "cadres", "township": "townships", "county_check": "county_checks"}
PROVENANCE = ("submission_date", "submitter", "review_state", "edits", "form_version", "source_file", "source_row",
              "content_hash")
HEAD = ("instance_id", "household_id", "instrument", "interview_result", "enumerators", "started_at", "ended_at",
        "gps", "gps_lat", "gps_lon", "county", "township", "village", "village_id", "group", "source", "substitute",
        "reserve_rank")


@dataclass
class Combined:
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)  # households, villages, cadres, nonresponse, members
    problems: pl.DataFrame = field(default_factory=P.empty)  # new problems of this run (incl. batch problems)
    instances: pl.DataFrame = field(default_factory=pl.DataFrame)
    already_present: int = 0
    new_accepted: dict[str, int] = field(default_factory=dict)


def _column_order(table: str) -> list[str]:
    insts = {"households": HOUSEHOLD_INSTRUMENTS, "nonresponse": HOUSEHOLD_INSTRUMENTS,
             **{t: (i,) for i, t in TABLE_OF.items()}}[table]
    cols: list[str] = list(HEAD)
    for inst in insts:
        for n in schema(inst).main_names:
            if n not in cols:
                cols.append(n)
    cols += [c for c in PROVENANCE if c not in cols]
    return cols


def member_columns() -> list[str]:
    cols = ["instance_id", "household_id", "member_no"]
    for inst in HOUSEHOLD_INSTRUMENTS:
        for n in schema(inst).member_names:
            if n not in cols:
                cols.append(n)
    return cols


def _table_of(instrument: pl.Expr, result: pl.Expr) -> pl.Expr:
    return (pl.when(instrument.is_in(list(HOUSEHOLD_INSTRUMENTS)) & (result.fill_null("completed") != "completed"))
            .then(pl.lit("nonresponse"))
            .when(instrument.is_in(list(HOUSEHOLD_INSTRUMENTS))).then(pl.lit("households"))
            .when(instrument == "village").then(pl.lit("villages"))
            .when(instrument == "township").then(pl.lit("townships"))
            .when(instrument == "county_check").then(pl.lit("county_checks"))
            .otherwise(pl.lit("cadres")))


# ---- sample membership --------------------------------------------------------------------------------

def _sample_check(df: pl.DataFrame, inst: str, sample: SampleView) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    probs: list[pl.DataFrame] = []
    if inst in HOUSEHOLD_INSTRUMENTS:
        hh = sample.households.select(
            "household_id", pl.col("instrument").alias("_s_inst"), pl.col("village_id").alias("_s_vid"),
            pl.col("group").alias("_s_group"), pl.col("source").alias("_s_source"), pl.col("county").alias("_s_county"),
            pl.col("township").alias("_s_town"), pl.col("village").alias("_s_vname"), pl.lit(True).alias("_in_main"),
        ).unique("household_id", keep="first")
        res = sample.reserve.select(
            "household_id", pl.col("instrument").alias("_r_inst"), pl.col("village_id").alias("_r_vid"),
            pl.col("group").alias("_r_group"), pl.col("reserve_rank").alias("_r_rank"), pl.lit(True).alias("_in_res"),
        ).unique("household_id", keep="first")
        census = sample.census_keys().with_columns(pl.lit(True).alias("_census"))
        j = (df.join(hh, on="household_id", how="left").join(res, on="household_id", how="left")
             .join(census, on=["village_id", "group"], how="left"))
        in_main = pl.col("_in_main").fill_null(False)
        in_res = ~in_main & pl.col("_in_res").fill_null(False)
        in_census = ~in_main & ~in_res & pl.lit(inst == "general") & pl.col("_census").fill_null(False)
        expected = pl.when(in_main).then(pl.col("_s_inst")).otherwise(pl.col("_r_inst"))
        wrong = ((in_main | in_res) & expected.is_not_null() & (expected != inst)).fill_null(False)
        outside = ~in_main & ~in_res & ~in_census & pl.col("household_id").is_not_null()
        detail = ("，且不在普查村民小组中" if inst == "general" else "")
        probs.append(P.make(j, wrong, EI.WRONG_INSTRUMENT, "instrument", "household_id", {"expected": expected}))
        probs.append(P.make(j, outside, EI.NOT_IN_SAMPLE, "household_id", "household_id",
                            {"detail": pl.lit(detail) if detail else pl.lit("")}))
        sample_vid = pl.when(in_main).then(pl.col("_s_vid")).when(in_res).then(pl.col("_r_vid"))
        mismatch = (sample_vid.is_not_null() & pl.col("village_id").is_not_null()
                    & (pl.col("village_id") != sample_vid)).fill_null(False)
        probs.append(P.make(j, mismatch, EI.VILLAGE_MISMATCH, "village_id", "village_id", {"expected": sample_vid}))
        j = j.with_columns(
            pl.coalesce(sample_vid, pl.col("village_id")).alias("village_id"),
            pl.coalesce(pl.when(in_main).then(pl.col("_s_group")).when(in_res).then(pl.col("_r_group")),
                        pl.col("group")).alias("group"),
            pl.when(in_main).then(pl.col("_s_source").fill_null("frame")).when(in_res).then(pl.lit("reserve"))
            .when(in_census).then(pl.lit("census")).otherwise(None).alias("source"),
            in_res.alias("substitute"),
            pl.when(in_res).then(pl.col("_r_rank")).otherwise(None).cast(pl.Int64).alias("reserve_rank"),
        )
        bad = wrong | outside
        j = j.with_columns((pl.col("_bad") | bad).alias("_bad"))
        df = j.drop([c for c in j.columns if c.startswith(("_s_", "_r_", "_in_", "_census"))])
    elif inst == "village":
        known = sample.villages["village_id"].drop_nulls().implode()
        outside = ~pl.col("village_id").is_in(known).fill_null(False) & pl.col("village_id").is_not_null()
        probs.append(P.make(df, outside, EI.VILLAGE_NOT_IN_SAMPLE, "village_id", "village_id"))
        df = df.with_columns((pl.col("_bad") | outside).alias("_bad"))
    elif inst in ("township", "county_check"):
        keys = ["county", "township"] if inst == "township" else ["county"]
        known = sample.villages.select([pl.col(k).cast(pl.String) for k in keys]).unique() \
            .with_columns(pl.lit(True).alias("_known"))
        j = df.with_columns([pl.col(k).cast(pl.String) for k in keys]).join(known, on=keys, how="left")
        outside = pl.col("_known").is_null() & pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
        spec = EI.TOWNSHIP_NOT_IN_SAMPLE if inst == "township" else EI.COUNTY_NOT_IN_SAMPLE
        probs.append(P.make(j, outside, spec, keys[-1], keys[-1]))
        if spec.severity == "error":
            j = j.with_columns((pl.col("_bad") | outside).alias("_bad"))
        return j.drop("_known"), probs
    else:
        known = sample.villages["village_id"].drop_nulls().implode()
        outside = pl.col("village_id").is_not_null() & ~pl.col("village_id").is_in(known).fill_null(False)
        probs.append(P.make(df, outside, EI.CADRE_VILLAGE_OUTSIDE, "village_id", "village_id"))
    # place names from the sample's village list when the submission lacks them
    v = sample.villages.select("village_id", pl.col("county").alias("_vc"), pl.col("township").alias("_vt"),
                               pl.col("village").alias("_vv")).unique("village_id", keep="first")
    df = df.join(v, on="village_id", how="left").with_columns(
        pl.coalesce("county", "_vc").alias("county"), pl.coalesce("township", "_vt").alias("township"),
        pl.coalesce("village", "_vv").alias("village"),
    ).drop("_vc", "_vt", "_vv")
    return df, probs


# ---- union and deduplication --------------------------------------------------------------------------

def _existing_pool(existing: dict[str, pl.DataFrame]) -> pl.DataFrame:
    frames = [existing[t] for t in TABLES if t in existing and existing[t].height]
    if not frames:
        return pl.DataFrame()
    pool = pl.concat(frames, how="diagonal_relaxed")
    return pool.with_columns(
        (-(pl.int_range(0, pl.len()) + 1)).cast(pl.Int64).alias("_uid"),
        pl.lit(False).alias("_new"),
        pl.col("source_file").alias("_file"),
        pl.col("source_row").cast(pl.Int64).alias("_row"),
        pl.lit(False).alias("_bad"),
    )


def _withdrawn(problems: pl.DataFrame) -> pl.DataFrame:
    """Instance IDs this batch shows as rejected on review (PVX-I17) or deleted (PVX-I22), with where."""
    codes = [EI.REVIEW_REJECTED.code, EI.DELETED_ON_SERVER.code]
    p = problems.filter(pl.col("code").is_in(codes) & pl.col("instance_id").is_not_null())
    return p.group_by("instance_id").agg(
        pl.concat_str([pl.col("file"), pl.lit(" row "), pl.col("row").cast(pl.String)]).first().alias("_where"))


def _label() -> pl.Expr:
    """``uuid:… (file row N)`` — where the kept submission came from, for messages."""
    return pl.concat_str([pl.col("instance_id"), pl.lit(" ("), pl.col("_file").fill_null(""), pl.lit(" row "),
                          pl.col("_row").cast(pl.String).fill_null(""), pl.lit(")")])


def combine(batch: Batch, sample: SampleView | None, existing: dict[str, pl.DataFrame] | None = None) -> Combined:
    probs: list[pl.DataFrame] = [batch.problems]
    new_frames: list[pl.DataFrame] = []
    for inst, df in batch.main.items():
        df = df.with_columns(pl.lit(True).alias("_new"))
        if inst in HOUSEHOLD_INSTRUMENTS:
            for c, dt in (("source", pl.String), ("substitute", pl.Boolean), ("reserve_rank", pl.Int64)):
                if c not in df.columns:
                    df = df.with_columns(pl.lit(None, dtype=dt).alias(c))
        if sample is not None:
            good, pr = _sample_check(df, inst, sample)
            probs += pr
            df = good
        new_frames.append(df)
    new = pl.concat(new_frames, how="diagonal_relaxed") if new_frames else pl.DataFrame()
    new_good = new.filter(~pl.col("_bad")) if new.height else new
    ex_pool = _existing_pool(existing or {})
    # a submission rejected on review or deleted on the server withdraws every other copy of it: one
    # accepted by an earlier import, or the same instance ID in another file of this import
    withdrawn = _withdrawn(batch.problems)
    if withdrawn.height:
        w = withdrawn.select("instance_id", "_where")
        gone = [f.join(w, on="instance_id", how="inner") for f in (ex_pool, new_good) if f.height]
        gone = [g for g in gone if g.height]
        if gone:
            probs.append(P.make(pl.concat(gone, how="diagonal_relaxed"), None, EI.WITHDRAWN, "review_state",
                                "instance_id", {"where": pl.col("_where")}))
            ids = withdrawn["instance_id"].implode()
            ex_pool = ex_pool.filter(~pl.col("instance_id").is_in(ids)) if ex_pool.height else ex_pool
            new_good = new_good.filter(~pl.col("instance_id").is_in(ids)) if new_good.height else new_good
    pool = pl.concat([f for f in (ex_pool, new_good) if f.height], how="diagonal_relaxed") if (
        ex_pool.height or new_good.height) else pl.DataFrame()
    out = Combined()
    if pool.height == 0:
        out.problems = P.concat(probs)
        out.tables = {t: pl.DataFrame() for t in (*TABLES, "members")}
        out.instances = _instances(pl.DataFrame(), new, existing)
        return out
    for c, dt in (("interview_result", pl.String), ("household_id", pl.String), ("village_id", pl.String),
                  ("started_at", pl.Datetime("us", "Asia/Shanghai")), ("edits", pl.Int64), ("substitute", pl.Boolean),
                  ("submission_date", pl.Datetime("us", "Asia/Shanghai"))):
        if c not in pool.columns:
            pool = pool.with_columns(pl.lit(None, dtype=dt).alias(c))
    pool = pool.with_columns(_table_of(pl.col("instrument"), pl.col("interview_result")).alias("_table"))

    # 1. one submission per instance ID
    ranked = pool.sort(
        ["instance_id", "edits", "submission_date", "content_hash", "_new", "_file", "_row"],
        descending=[False, True, True, False, False, False, False], nulls_last=True,
    ).with_columns(pl.int_range(0, pl.len()).over("instance_id").alias("_rank"))
    winners = ranked.filter(pl.col("_rank") == 0)
    w = winners.select("instance_id", pl.col("content_hash").alias("_w_hash"), _label().alias("_w_label"),
                       pl.col("_new").alias("_w_new"))
    losers = ranked.filter(pl.col("_rank") > 0).join(w, on="instance_id", how="left")
    conflict = losers.filter(pl.col("content_hash") != pl.col("_w_hash"))
    if conflict.height:
        probs.append(P.make(conflict, None, EI.INSTANCE_CONFLICT, "instance_id", "instance_id",
                            {"kept": pl.col("_w_label")}))
    same = losers.filter(pl.col("content_hash") == pl.col("_w_hash"))
    out.already_present = same.filter(~pl.col("_w_new")).height
    resent = same.filter(pl.col("_w_new") & pl.col("_new"))
    if resent.height:
        counts = resent.group_by("instance_id").agg(pl.len().alias("_n"))
        first_new = winners.filter(pl.col("_new")).join(counts, on="instance_id", how="inner")
        probs.append(P.make(first_new, None, EI.INSTANCE_RESENT, "instance_id", "instance_id",
                            {"count": (pl.col("_n") + 1).cast(pl.String)}))

    # 2. one interview per household, one checklist per village, one township form per township, one
    # document checklist per county
    kept = winners
    for c in ("county", "township"):
        if c not in kept.columns:
            kept = kept.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    kept = kept.with_columns(pl.concat_str([pl.col("county").fill_null(""), pl.lit(" "), pl.col("township").fill_null("")])
                             .alias("_place"))
    for table, key, spec in (("households", "household_id", EI.SECOND_INTERVIEW), ("villages", "village_id", EI.SECOND_CHECKLIST),
                             ("townships", "_place", EI.SECOND_TOWNSHIP_FORM),
                             ("county_checks", "county", EI.SECOND_COUNTY_CHECK)):
        part = kept.filter(pl.col("_table") == table)
        if part.height == 0:
            continue
        r = part.sort([key, "started_at", "instance_id"], nulls_last=True).with_columns(
            pl.int_range(0, pl.len()).over(key).alias("_k"))
        first = r.filter(pl.col("_k") == 0).select(key, pl.col("instance_id").alias("_kept"))
        dup = r.filter(pl.col("_k") > 0).join(first, on=key, how="left")
        if dup.height:
            probs.append(P.make(dup, None, spec, "township" if key == "_place" else key, key, {"kept": pl.col("_kept")}))
            kept = kept.filter(~pl.col("_uid").is_in(dup["_uid"].implode()))

    # 3. substitutes without a recorded non-interview in their village
    hh_new = kept.filter((pl.col("_table") == "households") & pl.col("_new") & pl.col("substitute").fill_null(False))
    if hh_new.height:
        nr = kept.filter(pl.col("_table") == "nonresponse").select("village_id", "instrument").unique() \
            .with_columns(pl.lit(True).alias("_has_nr"))
        chk = hh_new.join(nr, on=["village_id", "instrument"], how="left")
        probs.append(P.make(chk, pl.col("_has_nr").is_null(), EI.SUBSTITUTE_UNEXPLAINED, "household_id", "household_id",
                            {"village_id": pl.col("village_id")}))

    # 4. output tables
    kept = kept.with_columns(pl.col("_file").alias("source_file"), pl.col("_row").cast(pl.Int64).alias("source_row"))
    if "gps" in kept.columns:
        parts = pl.col("gps").str.split(" ")
        kept = kept.with_columns(parts.list.get(0, null_on_oob=True).cast(pl.Float64, strict=False).alias("gps_lat"),
                                 parts.list.get(1, null_on_oob=True).cast(pl.Float64, strict=False).alias("gps_lon"))
    for t in TABLES:
        part = kept.filter(pl.col("_table") == t)
        cols = [c for c in _column_order(t) if c in part.columns]
        part = part.select(cols) if part.height else pl.DataFrame(schema={c: part.schema[c] for c in cols})
        sort_keys = [k for k in ("instrument", "household_id" if t in ("households", "nonresponse") else "village_id",
                                 "instance_id") if k in part.columns]
        out.tables[t] = part.sort(sort_keys, nulls_last=True) if part.height else part
        out.new_accepted[t] = kept.filter((pl.col("_table") == t) & pl.col("_new")).height
    out.tables["members"] = _members(kept, batch, existing)
    out.problems = P.concat(probs)
    out.instances = _instances(kept, new, existing)
    return out


def _members(kept: pl.DataFrame, batch: Batch, existing: dict[str, pl.DataFrame] | None) -> pl.DataFrame:
    cols = member_columns()
    hh = kept.filter(pl.col("_table") == "households")
    frames = []
    if batch.members.height:
        new_ids = hh.filter(pl.col("_new")).select("_uid", "instance_id", "household_id")
        m = batch.members.drop([c for c in ("instance_id", "household_id") if c in batch.members.columns])
        frames.append(m.join(new_ids, on="_uid", how="inner"))
    if existing and "members" in existing and existing["members"].height:
        old_ids = hh.filter(~pl.col("_new")).select("instance_id")
        frames.append(existing["members"].join(old_ids, on="instance_id", how="inner"))
    if not frames:
        return pl.DataFrame(schema={c: pl.String for c in cols})
    m = pl.concat(frames, how="diagonal_relaxed")
    m = m.select([c for c in cols if c in m.columns])
    return m.sort("instance_id", "member_no", nulls_last=True)


def _instances(kept: pl.DataFrame, new: pl.DataFrame, existing: dict[str, pl.DataFrame] | None) -> pl.DataFrame:
    """Every (instance ID, content) ever seen, where it was first seen (smallest file/row) and its outcome."""
    frames = []
    cols = ["instance_id", "content_hash", "instrument", "household_id", "first_file", "first_row"]
    if existing and "instances" in existing and existing["instances"].height:
        frames.append(existing["instances"].select([c for c in cols if c in existing["instances"].columns]))
    if new.height:
        frames.append(new.filter(pl.col("instance_id").is_not_null()).select(
            "instance_id", "content_hash", "instrument",
            (pl.col("household_id") if "household_id" in new.columns else pl.lit(None, dtype=pl.String)).alias("household_id"),
            pl.col("_file").alias("first_file"), pl.col("_row").cast(pl.Int64).alias("first_row")))
    if not frames:
        return pl.DataFrame(schema={**{c: pl.String for c in cols}, "first_row": pl.Int64, "status": pl.String})
    inst = pl.concat(frames, how="diagonal_relaxed").sort("instance_id", "content_hash", "first_file", "first_row") \
        .unique(["instance_id", "content_hash"], keep="first", maintain_order=True)
    accepted = kept.select("instance_id", "content_hash").with_columns(pl.lit("accepted").alias("status")) \
        if kept.height else pl.DataFrame(schema={"instance_id": pl.String, "content_hash": pl.String, "status": pl.String})
    return inst.join(accepted, on=["instance_id", "content_hash"], how="left").with_columns(
        pl.col("status").fill_null("rejected")).select(*cols, "status")
