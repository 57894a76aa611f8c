"""What the answers of an interview say about its quality: which questions were asked but left empty
(the form's own skip logic decides which were asked), whether any problem was reported, and the
answer vector used to spot copied questionnaires.

The question list and skip logic come from the instruments layer (``instruments.schema``): the same
forms the enumerators used. Stored answers are typed; they are turned back into the canonical text
the form's ``relevant`` expressions are written against.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from ..instruments.prepare import version_at_least
from ..instruments.schema import HOUSEHOLD_INSTRUMENTS, META, SERVER_META, schema, since_names
from ..instruments.xpath import Unsupported, compile_bool

# Meta and bookkeeping columns: not answers.
_NOT_ANSWERS = {n for n, _ in (*META, *SERVER_META)} | {
    "today", "device_id", "enumerator_id", "enumerator_partner", "listed_persons", "household_status",
    "interview_result", "household_pick", "census_group", "hukou_no", "household_listed", "nonresponse_note",
}
# Answers that report a problem (两不愁三保障 and policy items) and the value that means "problem".
PROBLEM_ANSWERS: dict[str, bool] = {
    "food_staple_enough": False, "food_vegetable_enough": False, "food_protein_enough": False,
    "clothing_seasonal": False, "clothing_change": False, "water_quality_ok": False, "dropout": True,
    "all_basic_insured": False, "all_critical_insured": False, "medical_expense_excessive": True,
    "medical_basic_life_secured": False, "housing_safe": False, "income_stable": False,
    "relocated_moved_in": False, "medical_policy_gap": True, "dibao_missing": True, "tekun_missing": True,
    "temp_relief_missing": True, "disability_cert_missing": True, "village_team_weakened": True,
    "exit_sustained": False, "missed_judgement": True,
}


@cache
def asked_fields(instrument: str) -> tuple[tuple[str, str], ...]:
    """(name, kind) of the questions of ``instrument`` whose emptiness means a skipped answer: not meta,
    not calculated, not notes, not evidence files (photos and recordings are counted apart); free text
    only when the form requires it."""
    if instrument not in HOUSEHOLD_INSTRUMENTS:
        return ()
    out = []
    for f in schema(instrument).main:
        if f.name in _NOT_ANSWERS or f.calculation or f.kind in ("none", "datetime", "date", "geopoint", "file"):
            continue
        if f.kind == "text" and not f.required:
            continue
        out.append((f.name, f.kind))
    return tuple(out)


@cache
def compared_fields(instrument: str) -> tuple[str, ...]:
    """Answers compared between two interviews to spot copying: the asked fields without free text
    (which is compared badly by equality)."""
    return tuple(n for n, k in asked_fields(instrument) if k != "text")


def _as_text(name: str, kind: str, dtype: pl.DataType) -> pl.Expr:
    """A stored (typed) answer as the canonical text the form's expressions compare: yes/no, numbers
    without a trailing ``.0``, everything else as written."""
    c = pl.col(name)
    if dtype == pl.Boolean:
        return pl.when(c).then(pl.lit("yes")).when(~c).then(pl.lit("no")).otherwise(pl.lit(None, pl.String)).alias(name)
    if dtype.is_float():
        as_int = c.cast(pl.Int64, strict=False).cast(pl.String)
        return pl.when(c == c.floor()).then(as_int).otherwise(c.cast(pl.String)).alias(name)
    return c.cast(pl.String).alias(name)


def _text_frame(df: pl.DataFrame, instrument: str) -> pl.DataFrame:
    """Canonical text of every column the form knows, missing ones null."""
    kinds = schema(instrument).kinds()
    exprs = [_as_text(name, kind, df.schema[name]) if name in df.columns else pl.lit(None, dtype=pl.String).alias(name)
             for name, kind in kinds.items()]
    return df.select("_i", *exprs)


def skipped_answers(households: pl.DataFrame) -> pl.DataFrame:
    """``_i`` → ``asked`` (questions whose skip condition held) and ``skipped`` (of those, left empty)."""
    frames = []
    inst_col = households["instrument"] if "instrument" in households.columns else None
    for inst in HOUSEHOLD_INSTRUMENTS:
        part = households.filter(pl.col("instrument").str.to_lowercase() == inst) if inst_col is not None else (
            households if inst == "registered" else households.clear())
        if part.height == 0:
            continue
        txt = _text_frame(part, inst)
        kinds = schema(inst).kinds()
        # questions added in a later form version are asked only of submissions from that version, judged
        # as ingest judges it: the form version, else whether the submission answers any later question
        later = [c for c in since_names() if c in txt.columns]
        answers_later = pl.any_horizontal([pl.col(c).is_not_null() for c in later]) if later else pl.lit(False)
        has_version = "form_version" in part.columns
        if has_version and "form_version" not in txt.columns:
            txt = txt.with_columns(part["form_version"])
        asked, skipped = [], []
        for name, _kind in asked_fields(inst):
            rel = schema(inst).field(name).relevance()
            try:
                r = pl.all_horizontal([compile_bool(e, kinds) for e in rel]) if rel else pl.lit(True)
            except Unsupported:
                continue
            if name in since_names():
                r = r & (version_at_least(since_names()[name], answers_later) if has_version else answers_later)
            r = r.fill_null(False)
            asked.append(r.cast(pl.Int32))
            skipped.append((r & pl.col(name).is_null()).cast(pl.Int32))
        if not asked:
            continue
        frames.append(txt.select("_i", pl.sum_horizontal(asked).alias("asked"), pl.sum_horizontal(skipped).alias("skipped")))
    if not frames:
        return pl.DataFrame(schema={"_i": pl.UInt32, "asked": pl.Int32, "skipped": pl.Int32})
    return pl.concat(frames, how="vertical_relaxed")


def problem_reported(households: pl.DataFrame) -> pl.Expr:
    """True when any problem answer shows a problem, False when at least one was answered and none does,
    null when none was answered."""
    cols = [c for c in PROBLEM_ANSWERS if c in households.columns]
    if not cols:
        return pl.lit(None, dtype=pl.Boolean)
    hits = [(pl.col(c).cast(pl.Boolean, strict=False) == PROBLEM_ANSWERS[c]) for c in cols]
    answered = pl.any_horizontal([pl.col(c).is_not_null() for c in cols])
    return pl.when(answered).then(pl.any_horizontal([h.fill_null(False) for h in hits]))
