"""One row per interviewed household with everything the documents print about it (pure).

Joins the findings (contract §4) to the accepted submissions (date, enumerator pair, place), the
sample (place, instrument) and the registry (status, head of household) — ID numbers and names only
ever leave this module masked (``privacy.mask_id`` / ``mask_name``).
"""

from __future__ import annotations

import json
import re
from typing import Any

import polars as pl

from ..privacy import mask_id, mask_name
from .workdir import WorkdirData

_SPLIT = re.compile(r"[;,，、\s]+")

HOUSEHOLD_COLUMNS = (
    "household_id", "instrument", "status", "county", "township", "village", "village_id", "group",
    "date", "team", "persons", "wrongful_exit", "wrongful_exit_persons", "missed", "missed_persons",
    "approves", "rules", "problems_zh", "problems_en", "evidence", "judged", "masked_id", "masked_name",
    "disapproval_reason",
)


def team_of(enumerators: Any) -> str | None:
    """The enumerator pair as a stable team key: ids sorted, ``;``-joined."""
    if enumerators is None:
        return None
    ids = sorted({p for p in _SPLIT.split(str(enumerators)) if p})
    return ";".join(ids) or None


def split_rules(rules: Any) -> list[str]:
    if rules is None:
        return []
    return [r for r in (s.strip() for s in str(rules).replace(",", ";").split(";")) if r]


def _date_expr(df: pl.DataFrame, col: str) -> pl.Expr:
    """Local calendar date of an ISO datetime column (ODK writes local time with its offset)."""
    dtype = df.schema.get(col)
    if dtype is None:
        return pl.lit(None, dtype=pl.Date)
    if isinstance(dtype, pl.Datetime):
        e = pl.col(col)
        if dtype.time_zone is not None:
            e = e.dt.convert_time_zone("Asia/Shanghai")
        return e.dt.date()
    if dtype == pl.Date:
        return pl.col(col)
    return pl.col(col).cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)


def _str(df: pl.DataFrame, col: str) -> pl.Expr:
    return pl.col(col).cast(pl.String) if col in df.columns else pl.lit(None, dtype=pl.String)


def _place_frame(df: pl.DataFrame, suffix: str, cols: tuple[str, ...]) -> pl.DataFrame:
    sel = [pl.col("household_id").cast(pl.String)] + [_str(df, c).alias(f"{c}{suffix}") for c in cols]
    return df.select(sel).unique("household_id", keep="first", maintain_order=True)


def household_table(data: WorkdirData) -> pl.DataFrame:
    """Findings joined to submissions, sample and registry; see :data:`HOUSEHOLD_COLUMNS`."""
    f = data.findings
    if f.is_empty():
        return pl.DataFrame(schema={c: pl.String for c in HOUSEHOLD_COLUMNS})
    base = f.select(
        pl.col("household_id").cast(pl.String),
        pl.col("instrument").cast(pl.String),
        pl.col("persons"),
        pl.col("wrongful_exit").fill_null(False),
        (pl.col("wrongful_exit_persons") if "wrongful_exit_persons" in f.columns else pl.lit(0)).fill_null(0),
        pl.col("missed").fill_null(False),
        (pl.col("missed_persons") if "missed_persons" in f.columns else pl.lit(0)).fill_null(0),
        pl.col("approves") if "approves" in f.columns else pl.lit(None, dtype=pl.Boolean).alias("approves"),
        pl.col("rules").cast(pl.String),
        pl.col("problems_zh").cast(pl.String),
        pl.col("problems_en").cast(pl.String),
        pl.col("evidence").cast(pl.String),
        (pl.col("status").cast(pl.String) != "cannot_judge").fill_null(True).alias("judged"),
        # a hand-made findings file may place its census households itself (village_id, group)
        *[_str(f, c).alias(f"{c}_f") for c in ("county", "township", "village", "village_id", "group")],
    )

    place = ("county", "township", "village", "village_id", "group")
    rh = data.resp_households
    if not rh.is_empty() and "household_id" in rh.columns:
        sort_col = "started_at" if "started_at" in rh.columns else "household_id"
        r = rh.sort(sort_col, nulls_last=True).unique("household_id", keep="first", maintain_order=True)
        resp = r.select(
            pl.col("household_id").cast(pl.String),
            _date_expr(r, "started_at").alias("date"),
            _str(r, "enumerators").map_elements(team_of, return_dtype=pl.String).alias("team"),
            _str(r, "instance_id").alias("instance_id"),
            _str(r, "disapproval_reason").alias("disapproval_reason"),
            *[_str(r, c).alias(f"{c}_r") for c in place],
        )
        base = base.join(resp, on="household_id", how="left")
    else:
        base = base.with_columns(
            pl.lit(None, dtype=pl.Date).alias("date"), pl.lit(None, dtype=pl.String).alias("team"),
            pl.lit(None, dtype=pl.String).alias("instance_id"),
            pl.lit(None, dtype=pl.String).alias("disapproval_reason"),
            *[pl.lit(None, dtype=pl.String).alias(f"{c}_r") for c in place],
        )

    sh = data.sample_households
    if not sh.is_empty() and "household_id" in sh.columns:
        base = base.join(_place_frame(sh, "_s", place), on="household_id", how="left")
    else:
        base = base.with_columns(*[pl.lit(None, dtype=pl.String).alias(f"{c}_s") for c in place])

    reg = data.reg_households
    reg_cols = ("status", "head_name", "head_id_number", *place)
    if not reg.is_empty() and "household_id" in reg.columns:
        base = base.join(_place_frame(reg, "_g", reg_cols), on="household_id", how="left")
    else:
        base = base.with_columns(*[pl.lit(None, dtype=pl.String).alias(f"{c}_g") for c in reg_cols])

    base = base.with_columns(
        *[pl.coalesce(f"{c}_r", f"{c}_f", f"{c}_s", f"{c}_g").alias(c) for c in place],
    )
    # township/village by village_id from the sample's village list when still unknown
    sv = data.sample_villages
    if not sv.is_empty() and "village_id" in sv.columns:
        vmap = sv.select(
            pl.col("village_id").cast(pl.String), _str(sv, "county").alias("county_v"),
            _str(sv, "township").alias("township_v"), _str(sv, "village").alias("village_v"),
        ).unique("village_id", keep="first")
        base = base.join(vmap, on="village_id", how="left").with_columns(
            pl.coalesce("county", "county_v").alias("county"),
            pl.coalesce("township", "township_v").alias("township"),
            pl.coalesce("village", "village_v").alias("village"),
        )

    # head of a non-registered household: the 户主 row of the members repeat
    heads = _member_heads(data.resp_members)
    if heads is not None:
        base = base.join(heads, on="instance_id", how="left")
    else:
        base = base.with_columns(pl.lit(None, dtype=pl.String).alias("m_name"),
                                 pl.lit(None, dtype=pl.String).alias("m_id"))
    base = base.with_columns(
        pl.when(pl.col("instrument") == "registered")
        .then(pl.col("status_g").fill_null("registered"))
        .otherwise(pl.lit("general")).alias("status"),
        pl.coalesce("head_id_number_g", "m_id").map_elements(mask_id, return_dtype=pl.String).alias("masked_id"),
        pl.coalesce("head_name_g", "m_name").map_elements(mask_name, return_dtype=pl.String).alias("masked_name"),
        pl.col("rules").map_elements(split_rules, return_dtype=pl.List(pl.String)).alias("rules"),
    )
    # a findings file typed by hand may say 错退/漏评 without naming the rules: such a household is still
    # listed, under a rule that says so (never "no problem found")
    unnamed = pl.col("rules").list.len().fill_null(0) == 0
    base = base.with_columns(
        pl.when(unnamed & pl.col("wrongful_exit") & (pl.col("instrument") == "registered"))
        .then(pl.lit(["wrongful_exit.unspecified"]))
        .when(unnamed & pl.col("missed") & (pl.col("instrument") != "registered"))
        .then(pl.lit(["missed.unspecified"]))
        .otherwise(pl.col("rules")).alias("rules"))
    county = data.county
    if county and base["county"].drop_nulls().n_unique() > 1:
        base = base.filter(pl.col("county").is_null() | (pl.col("county") == county))
    return base.select(list(HOUSEHOLD_COLUMNS)).sort(["township", "village", "household_id"], nulls_last=True)


def _member_heads(members: pl.DataFrame) -> pl.DataFrame | None:
    if members.is_empty() or "instance_id" not in members.columns:
        return None
    m = members
    rel = _str(m, "member_relation")
    is_head = rel.is_in(["户主", "head", "self", "本人"])
    if "member_no" in m.columns:
        is_head = is_head | (rel.is_null() & (pl.col("member_no").cast(pl.String) == "1"))
    return (
        m.filter(is_head)
        .select(pl.col("instance_id").cast(pl.String), _str(m, "member_name").alias("m_name"),
                _str(m, "member_id_number").alias("m_id"))
        .unique("instance_id", keep="first")
    )


def evidence_for(evidence: Any, rule_id: str) -> str:
    """The answers behind one fired rule as ``field=value; …`` (evidence JSON of findings.csv)."""
    if evidence is None or evidence == "":
        return ""
    try:
        obj = json.loads(evidence) if isinstance(evidence, str) else evidence
    except json.JSONDecodeError:
        return str(evidence)
    item: Any = None
    if isinstance(obj, dict):
        item = obj.get(rule_id)
        if item is None and not any(isinstance(v, dict | list) for v in obj.values()):
            item = obj  # a flat answers dict for the household
    elif isinstance(obj, list):
        for e in obj:
            if isinstance(e, dict) and (e.get("rule") == rule_id or e.get("rule_id") == rule_id):
                if isinstance(e.get("answers"), dict):  # the rules layer: answers read + values derived
                    item = {**e["answers"], **(e.get("derived") or {})}
                else:
                    item = e.get("evidence", {k: v for k, v in e.items() if k not in ("rule", "rule_id")})
                break
    if item is None:
        return ""
    if isinstance(item, dict):  # unanswered (null) fields say nothing: left out
        return "; ".join(f"{k}={_fmt_val(v, str(k))}" for k, v in item.items() if v is not None and v != "")
    if isinstance(item, list):
        return "; ".join(_fmt_val(v) for v in item)
    return _fmt_val(item)


_ID_LIKE = re.compile(r"^\d{15}(\d{2}[\dXx])?$")


def _fmt_val(v: Any, key: str = "") -> str:
    """Printable answer; ID numbers and names masked (evidence may quote a member's answers)."""
    if "name" in key and isinstance(v, str):
        return mask_name(v)
    if isinstance(v, str) and _ID_LIKE.match(v.strip()):
        return mask_id(v)
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}={_fmt_val(x, str(k))}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return ",".join(_fmt_val(x, key) for x in v)
    return "" if v is None else str(v)
