"""Check 4: duplicates — one household interviewed twice, copied questionnaires, one person listed in two
households.

Copying: within each enumerator (and instrument) every pair of interviews is compared on the answers
of ``answers.compared_fields``: the share of answers that are identical among those given in at least
one of the two, each answer weighted by how unlikely two households are to agree on it by chance
(``match_weights``: an income figure counts for much, a "yes" nearly everybody gives for almost
nothing, a question everybody answers alike not at all). Honest interviews of different households
differ in the informative answers (income items, water, household size); copying does not.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ..privacy import mask_id
from .answers import compared_fields
from .frame import IDENT, concat_flags, empty_flags, exploded, fmt, make_flags
from .params import QualityParams

_BLOCK_CELLS = 8_000_000  # booleans per comparison block (bounded memory for large enumerator workloads)


def household_flags(sub: pl.DataFrame, rejected: pl.DataFrame | None) -> pl.DataFrame:
    df = sub.filter(pl.col("household_id").is_not_null()).with_columns(
        pl.len().over("household_id").alias("_n"),
        pl.col("instance_id").min().over("household_id").alias("_first"),
        pl.col("instance_id").max().over("household_id").alias("_last"),
    ).with_columns(
        pl.when(pl.col("instance_id") == pl.col("_first")).then(pl.col("_last")).otherwise(pl.col("_first"))
        .alias("_other"))
    out = [make_flags(df, pl.col("_n") > 1, "duplicate.household", value=pl.col("_n"),
                      detail_zh=pl.format("户 {} 有 {} 份被接受的问卷（另一份：{}）", pl.col("household_id"), pl.col("_n"),
                                          pl.col("_other")),
                      detail_en=pl.format("household {} has {} accepted interviews (another: {})",
                                          pl.col("household_id"), pl.col("_n"), pl.col("_other")),
                      related=pl.col("_other"))]
    if rejected is not None and rejected.height and {"code", "household_id", "instance_id"} <= set(rejected.columns):
        rej = (rejected.filter((pl.col("code") == "PVX-I02") & pl.col("household_id").is_not_null())
               .select("household_id", pl.col("instance_id").alias("_rej")).unique()
               .group_by("household_id").agg(pl.col("_rej").sort().first(), pl.len().alias("_nrej")))
        j = sub.join(rej, on="household_id", how="inner")
        out.append(make_flags(
            j, pl.col("_rej") != pl.col("instance_id"), "duplicate.household_rejected", value=pl.col("_nrej"),
            detail_zh=pl.format("户 {} 还被重复访问了 {} 次（如 {}），导入时已剔除；请核实为何重复入户",
                                pl.col("household_id"), pl.col("_nrej"), pl.col("_rej")),
            detail_en=pl.format("household {} was visited {} more time(s) (e.g. {}), rejected at ingest; find out why",
                                pl.col("household_id"), pl.col("_nrej"), pl.col("_rej")),
            related=pl.col("_rej")))
    return concat_flags(out)


def normalise_id(e: pl.Expr) -> pl.Expr:
    """ID number as compared: no blanks, upper case; placeholders (shorter than 8 characters) dropped."""
    s = e.cast(pl.String).str.replace_all(r"\s+", "").str.to_uppercase()
    return pl.when(s.str.len_chars() >= 8).then(s)


def member_id_flags(sub: pl.DataFrame, members: pl.DataFrame | None) -> pl.DataFrame:
    if members is None or members.height == 0 or "member_id_number" not in members.columns:
        return empty_flags()
    m = (members.select("instance_id", normalise_id(pl.col("member_id_number")).alias("_id"))
         .filter(pl.col("_id").is_not_null())
         .join(sub.select("instance_id", pl.col("household_id").alias("_hh")), on="instance_id", how="inner"))
    if m.height == 0:
        return empty_flags()
    # the same ID twice within one household
    within = (m.group_by("instance_id", "_id").agg(pl.len().alias("_n")).filter(pl.col("_n") > 1)
              .group_by("instance_id").agg(pl.col("_id").sort().first(), pl.len().alias("_k")))
    # the same ID in two households
    per = m.unique(["_hh", "_id"]).with_columns(pl.col("_hh").n_unique().over("_id").alias("_nh"),
                                                pl.col("_hh").min().over("_id").alias("_h1"),
                                                pl.col("_hh").max().over("_id").alias("_h2"))
    shared = (per.filter(pl.col("_nh") > 1)
              .with_columns(pl.when(pl.col("_hh") == pl.col("_h1")).then(pl.col("_h2")).otherwise(pl.col("_h1"))
                            .alias("_other_hh"))
              .join(m.select("instance_id", "_id", "_hh").unique(), on=["_id", "_hh"], how="inner")
              .sort("instance_id", "_id")
              .group_by("instance_id", maintain_order=True)
              .agg(pl.col("_id").first(), pl.col("_other_hh").first(), pl.len().alias("_k")))
    other_inst = sub.select(pl.col("household_id").alias("_other_hh"), pl.col("instance_id").alias("_other_inst")) \
        .sort("_other_inst").unique("_other_hh", keep="first")
    out = []
    masked = pl.col("_id").map_elements(mask_id, return_dtype=pl.String)
    if shared.height:
        j = sub.join(shared, on="instance_id", how="inner").join(other_inst, on="_other_hh", how="left") \
            .with_columns(masked.alias("_masked"))
        out.append(make_flags(
            j, None, "duplicate.member_id", value=pl.col("_masked"),
            detail_zh=pl.format("成员身份证号 {} 也登记在户 {} 的问卷中（本户共 {} 人与他户重复）", pl.col("_masked"),
                                pl.col("_other_hh"), pl.col("_k")),
            detail_en=pl.format("member ID {} is also listed in household {} ({} member(s) shared with other households)",
                                pl.col("_masked"), pl.col("_other_hh"), pl.col("_k")),
            related=pl.col("_other_inst")))
    if within.height:
        j = sub.join(within, on="instance_id", how="inner").with_columns(masked.alias("_masked"))
        out.append(make_flags(
            j, None, "duplicate.member_id_within", value=pl.col("_masked"),
            detail_zh=pl.format("身份证号 {} 在本户成员中出现两次（共 {} 个重复号码）", pl.col("_masked"), pl.col("_k")),
            detail_en=pl.format("ID {} appears twice among this household's members ({} repeated ID(s))",
                                pl.col("_masked"), pl.col("_k"))))
    return concat_flags(out)


# ---- copied questionnaires ------------------------------------------------------------------------------

def _codes(df: pl.DataFrame, fields: list[str]) -> np.ndarray:
    """Answers as small integer codes per field (0 = no answer), shape (rows, fields)."""
    cols = []
    for f in fields:
        s = df[f] if f in df.columns else pl.Series(f, [None] * df.height, dtype=pl.String)
        cols.append(s.cast(pl.String).rank("dense").fill_null(0).cast(pl.Int32).to_numpy())
    return np.stack(cols, axis=1) if cols else np.zeros((df.height, 0), dtype=np.int32)


def match_weights(codes: np.ndarray) -> np.ndarray:
    """Per field, the information (bits) in two interviews agreeing: −log2 of the chance that two
    households picked at random give the same answer (Σ share²). A field everybody answers alike weighs 0;
    an income figure almost nobody shares weighs many bits."""
    f = codes.shape[1]
    w = np.zeros(f)
    for k in range(f):
        col = codes[:, k]
        col = col[col > 0]
        if col.size < 2:
            continue
        share = np.unique(col, return_counts=True)[1] / col.size
        w[k] = -np.log2(float((share**2).sum()))
    return w


def similar_pairs(codes: np.ndarray, min_similarity: float, min_fields: int,
                  weights: np.ndarray | None = None) -> list[tuple[int, int, float, int]]:
    """(i, j, similarity, compared) for i < j: ``similarity`` is the weighted share of identical answers
    among the fields answered in at least one of the two (``compared`` of them, counting fields of
    positive weight only); pairs at ≥ ``min_similarity`` over ≥ ``min_fields`` fields."""
    n, f = codes.shape
    out: list[tuple[int, int, float, int]] = []
    if n < 2 or f == 0:
        return out
    w = np.ones(f) if weights is None else np.asarray(weights, dtype=float)
    keep = w > 0
    codes, w = codes[:, keep], w[keep]
    f = codes.shape[1]
    if f == 0:
        return out
    answered = codes > 0
    step = max(1, _BLOCK_CELLS // max(1, n * f))
    for a in range(0, n, step):
        b = min(n, a + step)
        both = answered[a:b, None, :] | answered[None, :, :]
        eq = (codes[a:b, None, :] == codes[None, :, :]) & both
        compared = both.sum(axis=2)
        same_w = eq @ w
        both_w = both @ w
        sim = np.divide(same_w, both_w, out=np.zeros(same_w.shape, dtype=float), where=both_w > 0)
        ii, jj = np.nonzero((sim >= min_similarity - 1e-12) & (compared >= min_fields))
        for i, j in zip(ii.tolist(), jj.tolist(), strict=True):
            gi = a + i
            if gi < j:
                out.append((gi, j, float(sim[i, j]), int(compared[i, j])))
    return out


def copy_flags(sub: pl.DataFrame, households: pl.DataFrame, params: QualityParams) -> pl.DataFrame:
    ex = exploded(sub).select("_i", "county", "enumerator", "instrument")
    if ex.height == 0:
        return empty_flags()
    found: dict[tuple[int, int], tuple[float, int]] = {}
    for (inst,), part in ex.partition_by("instrument", as_dict=True, maintain_order=True).items():
        fields = list(compared_fields(str(inst)))
        if not fields:
            continue
        rows = part["_i"].unique().sort()
        answers = households.filter(pl.col("_i").is_in(rows.implode())).sort("_i")
        codes_all = _codes(answers, fields)
        weights = match_weights(codes_all)
        # exploded rows sorted by (county, enumerator, _i), as positions into codes_all; one slice a group
        g = part.with_columns(pl.struct("county", "enumerator").rank("dense").alias("_g")).sort("_g", "_i")
        gid = g["_g"].to_numpy()
        ids = g["_i"].to_numpy().astype(np.int64)
        pos = np.searchsorted(answers["_i"].to_numpy().astype(np.int64), ids)
        bounds = np.flatnonzero(np.diff(gid)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(gid)], strict=True):
            if hi - lo < 2:
                continue
            for i, j, sim, compared in similar_pairs(codes_all[pos[lo:hi]], params.copy_min_similarity,
                                                     params.copy_min_fields, weights):
                found[(int(ids[lo + i]), int(ids[lo + j]))] = (sim, compared)
    if not found:
        return empty_flags()
    rows = []
    for (a, b), (sim, compared) in found.items():
        rows += [(a, b, sim, compared), (b, a, sim, compared)]
    pairs = pl.DataFrame(rows, schema={"_i": pl.UInt32, "_j": pl.UInt32, "_sim": pl.Float64, "_cmp": pl.Int64},
                         orient="row")
    other = sub.select(pl.col("_i").alias("_j"), pl.col("instance_id").alias("_other"))
    best = (pairs.join(other, on="_j", how="left")
            .sort(["_i", "_sim", "_other"], descending=[False, True, False])
            .group_by("_i", maintain_order=True)
            .agg(pl.col("_sim").first(), pl.col("_cmp").first(), pl.col("_other").first(), pl.len().alias("_k")))
    j = sub.join(best, on="_i", how="inner")
    pct = fmt(pl.col("_sim") * 100)
    return make_flags(
        j.select(*IDENT, "_sim", "_cmp", "_other", "_k"), None, "duplicate.answers", value=fmt(pl.col("_sim"), 3),
        detail_zh=pl.format("与同一调查员的问卷 {} 的 {} 项可比答案加权相似度 {}%（按偶然相同的概率加权，收入等少见答案权重高）；"
                            "共有 {} 份问卷与本问卷如此相似", pl.col("_other"), pl.col("_cmp"), pct, pl.col("_k")),
        detail_en=pl.format("answers {}% identical (weighted by how rarely households agree by chance) to interview {} "
                            "by the same enumerator, over {} informative answers; {} interview(s) this similar",
                            pct, pl.col("_other"), pl.col("_cmp"), pl.col("_k")),
        related=pl.col("_other"))
