"""From raw export tables to checked, typed submissions of one batch (no sample, no deduplication yet).

For every submission: columns mapped onto the form's field names; values canonicalised (invalid ones
reported); ``calculate``s recomputed; and the form's own ``relevant`` / ``required`` / ``constraint``
re-applied, vectorised (``xpath.py``), to the main row and its members. A submission with any
error-level problem is marked ``_bad`` and later excluded; warnings keep it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import polars as pl

from ..contracts import NO, YES
from ..errors import instruments as EI
from . import problems as P
from .columns import map_columns
from .definitions import INSTRUMENTS, by_form_id
from .schema import (
    HOUSEHOLD_INSTRUMENTS,
    SERVER_META,
    Field,
    Schema,
    canon_datetime,
    canon_expr,
    fold_fullwidth,
    schema,
    since_names,
    typed_expr,
)
from .sources import RawRepeat, RawSource
from .xpath import Unsupported, compile_bool, compile_expr, references

INTERNAL = ("_uid", "_file", "_row", "_src", "_link", "_kind")
KIND_WORDS = {
    "yn": ("是/否", "yes/no"), "int": ("整数", "whole number"), "dec": ("数字", "number"),
    "s1": ("选项代码", "choice code"), "sm": ("选项代码（多选，空格分隔）", "choice codes (space-separated)"),
    "geopoint": ("GPS 坐标（纬度 经度 海拔 精度）", "GPS point (lat lon alt accuracy)"),
    "datetime": ("日期时间", "date and time"), "date": ("日期", "date"),
}
# ODK Central ReviewState "rejected"; Kobo _validation_status as uid (XML export) or label (label export,
# English or Chinese UI)
REJECTED_REVIEW = {"rejected", "validation_status_not_approved", "not_approved", "不通过", "未通过", "审核不通过",
                   "不批准", "未批准", "拒绝", "已拒绝"}
CALC_TOLERANCE = 0.011
CHUNK = 16  # columns converted per step


@dataclass
class Batch:
    """Typed candidate submissions of one ingest run, per instrument, plus members and problems."""

    main: dict[str, pl.DataFrame] = field(default_factory=dict)  # instrument -> typed frame (+ _uid, _bad, …)
    members: pl.DataFrame = field(default_factory=pl.DataFrame)  # typed member rows (+ _uid)
    problems: pl.DataFrame = field(default_factory=P.empty)
    inputs: dict[str, str] = field(default_factory=dict)  # display name -> sha256


# ---- step 1: raw → canonical column names -----------------------------------------------------------

def _instrument_hint(src: RawSource) -> str | None:
    fid = (src.form_id or "").strip()
    form = by_form_id(fid)
    if form is not None:
        return form.instrument
    for inst in INSTRUMENTS:
        if fid.lower() == inst or fid.lower().endswith(f"_{inst}"):
            return inst
    return None


def _rename(df: pl.DataFrame, display: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    cmap = map_columns(df.columns)
    probs: list[pl.DataFrame] = []
    cols = [pl.col("_row")] + [pl.col(raw).cast(pl.String).alias(name) for raw, name in cmap.rename.items()]
    for geo, parts in cmap.geo.items():
        if geo in cmap.rename.values():
            continue  # Kobo gives the combined column too
        exprs = [pl.col(parts[i]).cast(pl.String) if i in parts else pl.lit(None, dtype=pl.String) for i in range(4)]
        joined = pl.concat_str(exprs, separator=" ", ignore_nulls=True)
        cols.append(pl.when(joined.str.strip_chars() == "").then(None).otherwise(joined).alias(geo))
    for sm, parts in cmap.split.items():
        cols.append(_from_split(df, parts).alias(sm))
    out = fold_fullwidth(df.select(cols))
    stub = pl.DataFrame({"_uid": [-1], "_file": [display], "_row": [1]})
    for raw in cmap.unknown:
        probs.append(P.make(stub, None, EI.UNKNOWN_COLUMN, raw, None))
    for raw, name in cmap.duplicates:
        probs.append(P.make(stub, None, EI.UNKNOWN_COLUMN, raw, None, severity="warning"))
        _ = name
    return out, P.concat(probs)


_TRUE = sorted(v for v in (*YES, "yes", "selected"))
_FALSE = sorted(v for v in (*NO, "no", "not selected"))


def _from_split(df: pl.DataFrame, parts: dict[str, str]) -> pl.Expr:
    """A select_multiple answer rebuilt from its one-column-per-choice export (1/0, True/False, 是/否):
    the codes marked selected, space-separated; empty when every column is empty (question not asked).
    A cell that is neither yes nor no is kept as a token, so the answer is reported (PVX-I06)."""
    tokens = []
    for code, raw in parts.items():
        v = pl.col(raw).cast(pl.String).str.strip_chars()
        low = v.str.to_lowercase()
        tokens.append(pl.when(low.is_in(_TRUE)).then(pl.lit(code))
                      .when(low.is_in(_FALSE) | low.is_null() | (low == "")).then(None)
                      .otherwise(pl.concat_str([pl.lit(f"{code}="), v])))
    answered = pl.any_horizontal([pl.col(r).cast(pl.String).str.strip_chars().fill_null("") != "" for r in parts.values()])
    joined = pl.concat_str(tokens, separator=" ", ignore_nulls=True)
    return pl.when(answered).then(joined).otherwise(None)


def _main_frame(src: RawSource, idx: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    df, probs = _rename(src.data, src.display)
    n = df.height
    lit = pl.lit
    df = df.with_columns(lit(src.display).alias("_file"), lit(idx).alias("_src"), lit(src.kind).alias("_kind"))
    # instance id: Central KEY is the logical submission id (stays the same across edits), so is Kobo's
    # meta/rootUuid (meta/instanceID and _uuid change on every edit); then meta/instanceID, then _uuid
    df = df.with_columns([_uuid_text(c) for c in ("_root_uuid", "_uuid") if c in df.columns])
    cands = [pl.col(c) for c in ("_key", "_root_uuid", "instance_id", "_uuid") if c in df.columns]
    iid = pl.coalesce(cands) if cands else lit(None, dtype=pl.String)
    df = df.with_columns(iid.cast(pl.String).alias("_iid"))
    if "instance_id" in df.columns:
        df = df.rename({"instance_id": "_meta_iid"})
    df = df.rename({"_iid": "instance_id"})
    if "edits" not in df.columns and "_deprecated_id" in df.columns:  # Kobo: an edited submission
        df = df.with_columns(pl.when(pl.col("_deprecated_id").str.strip_chars().fill_null("") != "").then(lit("1"))
                             .otherwise(lit("0")).alias("edits"))
    if src.kind == "kobo" and "_index" in df.columns:
        link = pl.concat_str([lit(f"{idx}#"), pl.col("_index")])
    elif "_key" in df.columns:
        link = pl.concat_str([lit(f"{idx}#"), pl.col("_key")])
    else:
        link = pl.concat_str([lit("iid:"), pl.col("instance_id")])
    df = df.with_columns(link.alias("_link"))
    if src.kind == "kobo" and "submission_date" in df.columns:  # Kobo's _submission_time is UTC without offset
        sd = pl.col("submission_date")
        df = df.with_columns(pl.when(sd.str.contains(r"(Z|[+-]\d\d:?\d\d)$")).then(sd)
                             .otherwise(pl.concat_str([sd, lit("+00:00")])).alias("submission_date"))
    # whether the file carries any question added in a later form version (used when its version is unknown)
    df = df.with_columns(lit(any(c in since_names() for c in df.columns)).alias("_has_since"))
    hint = _instrument_hint(src)
    inst = pl.col("instrument").str.strip_chars().str.to_lowercase() if "instrument" in df.columns else lit(None, pl.String)
    df = df.with_columns(pl.coalesce([inst, lit(hint, dtype=pl.String)]).alias("instrument"))
    assert df.height == n
    return df, probs


def _uuid_text(col: str) -> pl.Expr:
    """``uuid:``-prefixed ID from a column that may hold the bare UUID (Kobo ``_uuid``, ``meta/rootUuid``)."""
    c = pl.col(col).cast(pl.String).str.strip_chars()
    out = pl.when(c.is_null() | (c == "")).then(None).when(c.str.starts_with("uuid:")).then(c) \
        .otherwise(pl.concat_str([pl.lit("uuid:"), c]))
    return out.alias(col)


def _is_members(rep: RawRepeat) -> bool:
    """A repeat table holds household members when it is called so or its columns are member questions
    (Kobo names sheets after the repeat or its label, truncated to 31 characters; Central's file name is
    ``<formId>-<repeat>.csv``, and a form ID may itself contain ``-``)."""
    if rep.name == "members":
        return True
    member_names = {f.name for inst in HOUSEHOLD_INSTRUMENTS for f in schema(inst).members}
    mapped = set(map_columns(rep.data.columns).rename.values())
    return len(mapped & member_names) >= 2


def _member_frame(src: RawSource, rep: RawRepeat, idx: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    df, probs = _rename(rep.data, rep.display)
    lit = pl.lit
    df = df.with_columns(lit(rep.display).alias("_file"), lit(rep.name).alias("_repeat"))
    if "_parent_key" in df.columns:
        # a repeat table of the same export (ZIP, pull) links within it; a repeat CSV given on its own
        # links to the main table of any file of this import
        scope = f"{idx}#" if src.data.width > 1 else "key:"
        plink = pl.concat_str([lit(scope), pl.col("_parent_key")])
    elif "_parent_index" in df.columns:
        plink = pl.concat_str([lit(f"{idx}#"), pl.col("_parent_index")])
    elif "_sub_uuid" in df.columns:
        plink = pl.concat_str([lit("iid:uuid:"), pl.col("_sub_uuid")])
    elif "instance_id" in df.columns:
        plink = pl.concat_str([lit("iid:"), pl.col("instance_id")])
    else:
        plink = lit(None, dtype=pl.String)
    return df.with_columns(plink.alias("_plink")), probs


# ---- step 2: canonical values and the form's logic ----------------------------------------------------

def _ensure(df: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    missing = [n for n in names if n not in df.columns]
    if missing:
        df = df.with_columns([pl.lit(None, dtype=pl.String).alias(n) for n in missing])
    return df


def _canonicalise(df: pl.DataFrame, fields: tuple[Field, ...]) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Canonical text for every field; values not of the field's kind are reported (PVX-I06) and dropped."""
    probs: list[pl.DataFrame] = []
    names = [f.name for f in fields]
    # strip spaces and turn "" into null — only in the columns that need it (most exports need none)
    messy = df.select([pl.col(n).cast(pl.String).str.contains(r"^\s|\s$|^$").any().alias(n) for n in names]
                      ).row(0, named=True) if names and df.height else {}
    todo = [n for n in names if messy.get(n)]
    if todo:
        df = df.with_columns([pl.when(pl.col(n).cast(pl.String).str.strip_chars() == "").then(None)
                              .otherwise(pl.col(n).cast(pl.String).str.strip_chars()).alias(n) for n in todo])
    df = df.with_columns([pl.col(n).cast(pl.String) for n in names if df.schema[n] != pl.String])
    typed = [f for f in fields if f.kind not in ("text", "id", "file")]
    if not typed:
        return df, probs
    for i in range(0, len(typed), CHUNK):  # a few columns at a time: bounded extra memory on big imports
        part = typed[i:i + CHUNK]
        df = df.with_columns([canon_expr(f).alias(f"__c_{f.name}") for f in part if f.kind != "datetime"]
                             + [canon_datetime(df[f.name]).alias(f"__c_{f.name}") for f in part
                                if f.kind == "datetime"])
        bad = {f.name: (pl.col(f.name).is_not_null() & pl.col(f"__c_{f.name}").is_null()) for f in part}
        flagged = df.select([e.any().alias(n) for n, e in bad.items()]).row(0, named=True)
        for f in part:
            if not flagged[f.name]:
                continue
            zh, en = KIND_WORDS.get(f.kind, ("值", "value"))
            hint_zh = f"允许的值：{' / '.join(f.choices)}" if f.choices else f"应为{zh}"
            probs.append(P.make(df, bad[f.name], EI.BAD_TYPE, f.name, f.name,
                                {"kind": zh, "hint": hint_zh, "kind_en": en}))
        df = df.with_columns([pl.col(f"__c_{f.name}").alias(f.name) for f in part]) \
            .drop([f"__c_{f.name}" for f in part])
    return df, probs


def _relevance(fields: tuple[Field, ...], kinds: dict[str, str]) -> dict[str, pl.Expr | None]:
    """Compiled relevance per field (None when it cannot be evaluated: then required is not enforced)."""
    out: dict[str, pl.Expr | None] = {}
    for f in fields:
        exprs = f.relevance()
        try:
            out[f.name] = pl.all_horizontal([compile_bool(e, kinds) for e in exprs]) if exprs else pl.lit(True)
        except Unsupported:
            out[f.name] = None
    return out


def _apply_calculates(df: pl.DataFrame, fields: tuple[Field, ...], kinds: dict[str, str]) -> tuple[pl.DataFrame, list]:
    probs: list[pl.DataFrame] = []
    for f in fields:
        if not f.calculation or f.name == "instrument":
            continue
        try:
            typed = compile_expr(f.calculation, kinds)
        except Unsupported:
            continue
        refs = [r for r in references(f.calculation) if r in df.columns]
        complete = pl.all_horizontal([pl.col(r).is_not_null() for r in refs]) if refs else pl.lit(True)
        if f.kind in ("int", "dec"):
            val = typed.num()
            computed = pl.when(complete & val.is_finite()).then(val).otherwise(None)
            submitted = pl.col(f.name).cast(pl.Float64, strict=False)
            differs = computed.is_not_null() & submitted.is_not_null() & ((computed - submitted).abs() > CALC_TOLERANCE)
            text_val = _num_text(computed)
        else:
            text_val = pl.when(complete).then(typed.str()).otherwise(None)
            differs = text_val.is_not_null() & pl.col(f.name).is_not_null() & (text_val != pl.col(f.name))
        tmp = df.with_columns(text_val.alias("_calc"), differs.alias("_differs"))
        if tmp["_differs"].any():
            probs.append(P.make(tmp, pl.col("_differs"), EI.CALCULATE_MISMATCH, f.name, f.name,
                                {"expected": pl.col("_calc")}))
        df = tmp.with_columns(pl.coalesce(pl.col("_calc"), pl.col(f.name)).alias(f.name)).drop("_calc", "_differs")
    return df, probs


def _num_text(e: pl.Expr) -> pl.Expr:
    as_int = e.cast(pl.Int64, strict=False).cast(pl.String)
    return pl.when(e.is_null()).then(None).when(e == e.floor()).then(as_int).otherwise(e.round(6).cast(pl.String))


def version_at_least(version: str, unknown: pl.Expr | None = None) -> pl.Expr:
    """True where the submission's form version is ``version`` or later. Versions are ``YYYY.N``; where the
    version is unknown or not of that shape (Kobo's ``__version__`` ids, hand-made files), ``unknown``
    decides — by default whether the file carries any question added later (``_has_since``)."""
    if unknown is None:
        unknown = pl.col("_has_since").fill_null(False)
    fv = pl.col("form_version").cast(pl.String).str.strip_chars()
    major = fv.str.extract(r"^(\d+)(?:\.\d+)*$", 1).cast(pl.Int64, strict=False)
    minor = fv.str.extract(r"^\d+\.(\d+)", 1).cast(pl.Int64, strict=False).fill_null(0)
    want = [int(p) for p in version.split(".")] + [0]
    ge = (major > want[0]) | ((major == want[0]) & (minor >= want[1]))
    return pl.when(major.is_not_null()).then(ge).otherwise(unknown)


def _check_logic(df: pl.DataFrame, fields: tuple[Field, ...], kinds: dict[str, str]) -> list[pl.DataFrame]:
    probs: list[pl.DataFrame] = []
    rel = _relevance(fields, kinds)
    flags = []
    versioned = "form_version" in df.columns and "_has_since" in df.columns
    for f in fields:
        r = rel[f.name]
        if f.required and r is not None and f.kind != "none":
            since = f.info.question.since if f.info else None
            if since and versioned:  # a question the submission's form version did not have is not required
                r = r & version_at_least(since)
            flags.append((r & pl.col(f.name).is_null()).alias(f"_req_{f.name}"))
        if f.constraint:
            try:
                ok = compile_bool(f.constraint, kinds, self_name=f.name)
            except Unsupported:
                continue
            relevant = r if r is not None else pl.lit(True)
            flags.append((relevant & pl.col(f.name).is_not_null() & ~ok).alias(f"_con_{f.name}"))
    if not flags:
        return probs
    checked = df.with_columns(flags)
    for f in fields:
        req, con = f"_req_{f.name}", f"_con_{f.name}"
        if req in checked.columns and checked[req].any():
            probs.append(P.make(checked, pl.col(req), EI.REQUIRED_MISSING, f.name, None))
        if con in checked.columns and checked[con].any():
            q = f.info.question if f.info else None
            probs.append(P.make(checked, pl.col(con), EI.CONSTRAINT_VIOLATED, f.name, f.name,
                                {"constraint_msg": q.cmsg_zh if q else "", "constraint_msg_en": q.cmsg_en if q else "",
                                 "constraint": f.constraint}))
    return probs


def _content_hash(main: pl.DataFrame, members: pl.DataFrame, main_cols: list[str], member_cols: list[str]) -> pl.Series:
    """SHA-1 over the canonical answers (server bookkeeping excluded) of each submission and its members."""
    later = since_names()

    def cell(c: str) -> pl.Expr:
        text = pl.concat_str([pl.lit(f"{c}="), pl.col(c).cast(pl.String).fill_null("")])
        # an unanswered question of a later form version leaves the hash as the earlier version's
        return pl.when(pl.col(c).is_null()).then(None).otherwise(text) if c in later else text

    def row_text(df: pl.DataFrame, cols: list[str]) -> pl.Expr:
        return pl.concat_str([cell(c) for c in cols], separator="\x1f", ignore_nulls=True)

    with_members = bool(members.height and member_cols)
    out: list[str] = []
    step = 10_000  # bounded memory: the row texts of 10k submissions (and their members) at a time
    for lo in range(0, main.height, step):
        part = main.slice(lo, step)
        text = part.select("_uid", row_text(part, main_cols).alias("_t"))
        if with_members:
            mem = members.filter(pl.col("_uid").is_in(part["_uid"].implode()))
            mt = (mem.sort("_uid", "member_no_sort").group_by("_uid", maintain_order=True)
                  .agg(row_text(mem, member_cols).str.join("\x1e").alias("_m")))
            text = text.join(mt, on="_uid", how="left", maintain_order="left").with_columns(
                pl.concat_str([pl.col("_t"), pl.col("_m").fill_null("")], separator="\x1d").alias("_t"))
        out.extend(hashlib.sha1(t.encode("utf-8")).hexdigest() for t in text["_t"].to_list())
    return pl.Series("content_hash", out, dtype=pl.String)


def _typed(df: pl.DataFrame, fields: tuple[Field, ...], keep: list[str]) -> pl.DataFrame:
    """Canonical text → stored types, a few columns at a time (the text columns are released as it goes)."""
    df = df.select([k for k in keep if k in df.columns] + [f.name for f in fields])
    for i in range(0, len(fields), CHUNK):
        df = df.with_columns([typed_expr(f.name, f.kind) for f in fields[i:i + CHUNK]])
    return df


def _instrument_batch(sch: Schema, main: pl.DataFrame, members: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, list]:
    probs: list[pl.DataFrame] = []
    kinds = sch.kinds()
    server = [n for n, _ in SERVER_META]
    main = _ensure(main, [*sch.main_names, *server, "_status", "_key", "_deleted_at"])
    main, pr = _canonicalise(main, sch.main)
    probs += pr
    server_fields = tuple(Field(n, k) for n, k in SERVER_META)
    main, pr = _canonicalise(main, server_fields)
    probs += pr
    household = sch.instrument in HOUSEHOLD_INSTRUMENTS
    if household:
        main = main.with_columns(pl.col("interview_result").fill_null("completed"))
    main, pr = _apply_calculates(main, sch.main, kinds)
    probs += pr
    probs += _check_logic(main, sch.main, kinds)

    # submission-level checks
    probs.append(P.make(main, pl.col("instance_id").is_null(), EI.MISSING_INSTANCE_ID, "instance_id", None))
    review = pl.col("review_state").str.to_lowercase().str.replace_all(r"\s+", "_")
    platform = pl.when(pl.col("_kind") == "kobo").then(pl.lit("KoboToolbox")).otherwise(pl.lit("ODK Central"))
    probs.append(P.make(main, review.is_in(list(REJECTED_REVIEW)).fill_null(False), EI.REVIEW_REJECTED, "review_state",
                        "review_state", {"platform": platform}))
    probs.append(P.make(main, pl.col("_status").is_not_null(), EI.UNREADABLE_SUBMISSION, "Status", "_status"))
    probs.append(P.make(main, pl.col("_deleted_at").is_not_null(), EI.DELETED_ON_SERVER, "deletedAt", "_deleted_at"))

    # members
    mem = members
    if sch.members and mem.height:
        mem = _ensure(mem, sch.member_names)
        mem, pr = _canonicalise(mem, sch.members)
        probs += pr
        mem = mem.with_columns(  # member_no: position(..) in the form; keep a submitted number, else the order
            pl.coalesce(pl.col("member_no").cast(pl.Int64, strict=False),
                        pl.int_range(1, pl.len() + 1).over("_uid")).cast(pl.String).alias("member_no"))
        # member expressions may read the parent's answers: join only those
        refs: set[str] = set()
        for f in sch.members:
            for e in (*f.relevance(), f.constraint or "", f.calculation or ""):
                refs |= references(e)
        parent_cols = sorted(c for c in refs if c in main.columns and c not in mem.columns)
        joined = mem.join(main.select("_uid", *parent_cols), on="_uid", how="left") if parent_cols else mem
        probs += _check_logic(joined, sch.members, sch.kinds(repeat=True))
        del joined
        # member count against persons (the form sets repeat_count = persons)
        counts = mem.group_by("_uid").agg(pl.len().alias("_n"))
        chk = main.join(counts, on="_uid", how="inner").with_columns(
            pl.col("persons").cast(pl.Int64, strict=False).alias("_p"))
        probs.append(P.make(chk, (pl.col("_p").is_not_null() & (pl.col("_n") != pl.col("_p"))),
                            EI.MEMBER_COUNT_MISMATCH, "persons", pl.col("_n"), {"expected": pl.col("_p")}))
    elif sch.members:
        mem = pl.DataFrame()

    # hash + types
    main_cols = [c for c in sch.main_names if c not in ("instance_id",)]
    mem_cols = sch.member_names
    if mem.height:
        mem = mem.with_columns(pl.col("member_no").cast(pl.Int64, strict=False).alias("member_no_sort"))
    main = main.with_columns(_content_hash(main, mem if mem.height else pl.DataFrame(), main_cols, mem_cols))
    keep = ["_uid", "_file", "_row", "_kind", "content_hash"]
    typed_main = _typed(main, (*sch.main, *server_fields), keep)
    typed_mem = _typed(mem, sch.members, ["_uid", "_file", "_row"]) if mem.height else pl.DataFrame()
    return typed_main, typed_mem, probs


def _ident(df: pl.DataFrame, *cols: str) -> pl.DataFrame:
    return df.select([pl.col(c) if c in df.columns else pl.lit(None, dtype=pl.String).alias(c) for c in cols])


def prepare(sources: list[RawSource]) -> Batch:
    """Map, canonicalise and check every submission of ``sources`` (pure: no file access).

    Main tables are not concatenated across files (a 100k-row import would be copied twice): each keeps
    its rows, numbered by a batch-wide ``_uid``; only small link tables are combined.
    """
    probs: list[pl.DataFrame] = []
    mains: list[pl.DataFrame] = []
    reps: list[pl.DataFrame] = []
    inputs: dict[str, str] = {}
    offset = 0
    for i, src in enumerate(sources):
        inputs[src.display.split(":")[0]] = src.sha256
        if src.data.width > 1:
            m, pr = _main_frame(src, i)
            m = m.with_columns((pl.int_range(0, pl.len(), dtype=pl.Int64) + offset).alias("_uid"))
            offset += m.height
            mains.append(m)
            probs.append(pr)
            if "_ragged" in m.columns:
                probs.append(P.make(m, pl.col("_ragged").is_not_null(), EI.RAGGED_ROW, None, "_ragged"))
        for rep in src.repeats:
            if not _is_members(rep):
                stub = pl.DataFrame({"_uid": [-1], "_file": [rep.display], "_row": [1]})
                probs.append(P.make(stub, None, EI.UNKNOWN_REPEAT, None, pl.lit(rep.name)))
                continue
            r, pr = _member_frame(src, rep, i)
            reps.append(r)
            probs.append(pr)
    id_cols = ("_uid", "_link", "_key", "instance_id", "household_id", "instrument", "_meta_iid", "_uuid")
    ident = pl.concat([_ident(m, *id_cols) for m in mains], how="vertical_relaxed") if mains else pl.DataFrame(
        schema={c: (pl.Int64 if c == "_uid" else pl.String) for c in id_cols})

    # link members to their submission
    members = pl.DataFrame()
    if reps:
        rep = pl.concat(reps, how="diagonal_relaxed")
        links = pl.concat([
            ident.select(pl.col("_link").alias("_plink"), "_uid"),
            ident.select(pl.concat_str([pl.lit("iid:"), pl.col("instance_id")]).alias("_plink"), "_uid"),
            ident.select(pl.concat_str([pl.lit("key:"), pl.col("_key")]).alias("_plink"), "_uid"),
            # Kobo repeat rows name their submission by its current _uuid (changes on edit)
            ident.select(pl.concat_str([pl.lit("iid:"), pl.col("_meta_iid")]).alias("_plink"), "_uid"),
            ident.select(pl.concat_str([pl.lit("iid:"), pl.col("_uuid")]).alias("_plink"), "_uid"),
        ]).drop_nulls().unique()
        linked = rep.join(links, on="_plink", how="left")
        orphans = linked.filter(pl.col("_uid").is_null()).with_columns(pl.lit(-1, dtype=pl.Int64).alias("_uid"))
        if orphans.height:
            probs.append(P.make(orphans.with_columns(pl.lit("members").alias("instrument")), None, EI.ORPHAN_REPEAT,
                                "PARENT_KEY", pl.col("_plink").str.replace(r"^(iid:|key:|\d+#)", "")))
        members = linked.filter(pl.col("_uid").is_not_null()).drop([c for c in ("instance_id", "household_id")
                                                                    if c in linked.columns])
        del rep, linked, reps
        members = members.join(ident.select("_uid", "instance_id", "household_id"), on="_uid", how="left")
        if "_ragged" in members.columns:
            probs.append(P.make(members.with_columns(pl.lit("members").alias("instrument")),
                                pl.col("_ragged").is_not_null(), EI.RAGGED_ROW, None, "_ragged"))

    batch = Batch(inputs=inputs)
    bad_inst = ident.filter(~pl.col("instrument").is_in(list(INSTRUMENTS)).fill_null(False))
    if bad_inst.height:
        for m in mains:
            sub = m.filter(pl.col("_uid").is_in(bad_inst["_uid"].implode()))
            if sub.height:
                probs.append(P.make(sub, None, EI.UNKNOWN_INSTRUMENT, "instrument", "instrument"))
    for inst in INSTRUMENTS:
        parts = []
        for m in mains:
            counts = m.select((pl.col("instrument") == inst).fill_null(False).sum()).item()
            if counts == m.height:
                parts.append(m)
            elif counts:
                parts.append(m.filter(pl.col("instrument") == inst))
        if not parts:
            continue
        sub = parts[0] if len(parts) == 1 else pl.concat(parts, how="diagonal_relaxed")
        del parts
        sch = schema(inst)
        mem = members.filter(pl.col("_uid").is_in(sub["_uid"].implode())) if members.height else pl.DataFrame()
        typed_main, typed_mem, pr = _instrument_batch(sch, sub, mem)
        del sub
        batch.main[inst] = typed_main
        probs += pr
        if typed_mem.height:
            batch.members = typed_mem if batch.members.height == 0 else pl.concat(
                [batch.members, typed_mem], how="diagonal_relaxed")
    batch.problems = _attach_identity(P.concat(probs), batch)
    bad = batch.problems.filter(pl.col("severity") == "error")["_uid"].unique().implode()
    for inst, df in batch.main.items():
        batch.main[inst] = df.with_columns(pl.col("_uid").is_in(bad).alias("_bad"))
    return batch


def _attach_identity(problems: pl.DataFrame, batch: Batch) -> pl.DataFrame:
    """Fill instance_id / household_id / instrument of problems raised on member rows from their submission."""
    if problems.height == 0 or not batch.main:
        return problems
    ident = pl.concat([df.select("_uid", pl.col("instance_id").alias("_iid"),
                                 (pl.col("household_id") if "household_id" in df.columns
                                  else pl.lit(None, dtype=pl.String)).alias("_hid"),
                                 pl.col("instrument").alias("_inst"))
                       for df in batch.main.values()], how="vertical_relaxed")
    out = problems.join(ident, on="_uid", how="left").with_columns(
        pl.coalesce("instance_id", "_iid").alias("instance_id"),
        pl.coalesce("household_id", "_hid").alias("household_id"),
        pl.coalesce("instrument", "_inst").alias("instrument"),
    ).drop("_iid", "_hid", "_inst")
    return out.select(list(P.PROBLEM_SCHEMA))
