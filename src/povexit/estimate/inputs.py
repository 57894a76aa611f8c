"""Inputs of the estimate layer: the sample directory (contract §2), findings and cases (§4), cadres.

Every reader returns Polars frames with fixed names and dtypes, whether the input came from a file
(read with :mod:`povexit.tabular`: any encoding, Chinese headers, errors naming file, row and column)
or from another layer's objects (``sampling.Sample``, ``rules.Adjudication.findings``), so the
estimators see one shape.

A sample directory with a manifest goes through ``povexit.sampling.load_sample``; contract CSVs from
another tool are read here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl

from .. import errors as E
from ..contracts import (
    CASES,
    FINDINGS,
    SAMPLE_GROUPS,
    SAMPLE_HOUSEHOLDS,
    SAMPLE_VILLAGES,
    Column,
    TableSpec,
    parse_yesno,
)
from ..errors import estimate as EE
from ..tabular import ROW, find_table_file, read_table

# column -> dtype of the normalised frames (extras of docs/data-layout.md included, optional)
VILLAGE_COLUMNS = {
    "county": pl.String, "township": pl.String, "village": pl.String, "village_id": pl.String,
    "stratum": pl.String, "reason": pl.String, "p_village": pl.Float64, "fpc_village": pl.Float64,
}
HOUSEHOLD_COLUMNS = {
    "household_id": pl.String, "village_id": pl.String, "group": pl.String, "instrument": pl.String,
    "stratum": pl.String, "psu": pl.String, "p_village": pl.Float64, "p_household": pl.Float64,
    "weight": pl.Float64, "persons": pl.Float64, "fpc_household": pl.Float64, "source": pl.String,
    "reserve_rank": pl.Float64,
}
GROUP_COLUMNS = {
    "county": pl.String, "village_id": pl.String, "group": pl.String,
    "nonregistered_population": pl.Float64, "p_group": pl.Float64, "fpc_group": pl.Float64, "weight": pl.Float64,
    "p_village": pl.Float64,
}
FINDING_COLUMNS = {
    "household_id": pl.String, "instrument": pl.String, "persons": pl.Float64, "wrongful_exit": pl.Boolean,
    "wrongful_exit_persons": pl.Float64, "missed": pl.Boolean, "missed_persons": pl.Float64,
    "approves": pl.Boolean, "status": pl.String, "village_id": pl.String, "group": pl.String,
    "registry_status": pl.String,
}
CASE_COLUMNS = {"household_id": pl.String, "kind": pl.String, "outcome": pl.String}
CADRE_COLUMNS = {"county": pl.String, "respondent_role": pl.String, "approves": pl.Boolean}
CASE_KINDS = {"wrongful_exit": "wrongful_exit", "错退": "wrongful_exit", "疑似错退": "wrongful_exit",
              "wrongful exit": "wrongful_exit", "we": "wrongful_exit", "missed": "missed", "漏评": "missed",
              "疑似漏评": "missed", "missed poor": "missed", "ms": "missed"}
# what verification teams write in a hand-kept 核查结果 column, beside the contract's codes
OUTCOME_ALIASES = {
    "已确认": "confirmed", "确认属实": "confirmed", "属实": "confirmed", "认定": "confirmed", "成立": "confirmed",
    "核实确认": "confirmed", "是": "confirmed", "不属实": "dismissed", "已排除": "dismissed", "不成立": "dismissed",
    "不予认定": "dismissed", "否": "dismissed", "待核实": "pending", "核查中": "pending", "未核实": "pending",
    "待定": "pending",
}
INSTRUMENTS = {
    "registered": "registered", "建档立卡户": "registered", "建档立卡": "registered", "贫困户": "registered",
    "脱贫户": "registered", "建档立卡户入户调查问卷": "registered", "reg": "registered",
    "general": "general", "非建档立卡户": "general", "非建档立卡": "general", "非贫困户": "general",
    "一般农户": "general", "一般户": "general", "非贫困户入户调查问卷": "general", "nonregistered": "general",
}


def _relaxed(spec: TableSpec, required: set[str], extra: tuple[Column, ...] = ()) -> TableSpec:
    """``spec`` with only ``required`` columns required (plus ``extra`` columns): the design columns a
    sample from another tool may leave out are checked after reading, where one can be computed from
    the others (weight = 1/(p_village·p_household)) and the error can say which is missing where."""
    cols = tuple(replace(c, required=c.name in required) for c in spec.columns)
    return TableSpec(spec.name, spec.stems, cols + extra, spec.doc)


SAMPLE_VILLAGES_IN = _relaxed(SAMPLE_VILLAGES, {"village_id"})
SAMPLE_HOUSEHOLDS_IN = _relaxed(SAMPLE_HOUSEHOLDS, {"household_id", "village_id", "instrument"}, (
    Column("source", "来源", contract=False),))
SAMPLE_GROUPS_IN = _relaxed(SAMPLE_GROUPS, {"village_id", "group", "nonregistered_population"}, (
    Column("weight", "权数", "number", contract=False), Column("fpc_group", "村民小组抽样框数", "int", contract=False),
    Column("p_village", "村入样概率", "number", contract=False)))
FINDINGS_IN = TableSpec(FINDINGS.name, FINDINGS.stems, (
    *FINDINGS.columns,
    Column("status", "研判状态", contract=False), Column("village_id", "村编号", aliases=("行政村编号", "村代码"), contract=False),
    Column("group", "村民小组", aliases=("组", "自然村"), contract=False),
    Column("registry_status", "脱贫属性", contract=False)))
CASES_IN = TableSpec(CASES.name, CASES.stems, tuple(
    replace(c, aliases=c.aliases + {"kind": ("问题类型", "疑似问题类型"), "outcome": ("核查结果", "核实结果", "结论"),
                                    "household_id": ("户号",)}.get(c.name, ())) for c in CASES.columns))


@dataclass
class SampleTables:
    """The sample as the estimators need it (the same attributes as ``sampling.Sample``)."""

    villages: pl.DataFrame
    households: pl.DataFrame
    groups: pl.DataFrame
    reserve: pl.DataFrame | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None
    #: design notes for the estimates JSON (e.g. no strata given), (zh, en)
    notes: list[tuple[str, str]] = field(default_factory=list)
    checked: bool = False  # complete_design has run


def _bad(file: str | None, row: Any, column: str, value: Any, kind: str, hint: str) -> E.PovexitError:
    return E.PovexitError(EE.BAD_NUMBER(file=file, row=None if row is None else int(row), column=column,
                                        value=value, kind=kind, hint=hint))


def _typed(df: pl.DataFrame, columns: dict[str, Any], file: str | None) -> pl.DataFrame:
    """Cast the known columns to their dtypes (adding missing ones as nulls); a value that does not
    parse is an error naming the file, row (``_row`` when read from a file) and column."""
    out = []
    for name, dtype in columns.items():
        if name not in df.columns:
            out.append(pl.Series(name, [None] * df.height, dtype=dtype))
            continue
        col = df[name]
        if dtype == pl.Boolean:
            if col.dtype == pl.Boolean:
                out.append(col)
                continue
            text = col.cast(pl.String)
            mapping: dict[str, bool | None] = {}
            for v in text.drop_nulls().unique().to_list():  # few distinct values: parse each once
                try:
                    mapping[v] = parse_yesno(v)
                except ValueError:
                    i = int((text == v).arg_max())
                    row = df[ROW][i] if ROW in df.columns else i + 1
                    raise _bad(file, row, name, v, "是/否 (yes/no)", "use 是/否, 1/0, true/false or Y/N") from None
            out.append(text.replace_strict(mapping, default=None, return_dtype=pl.Boolean).alias(name))
            continue
        if col.dtype == dtype:
            out.append(col)
            continue
        if dtype == pl.String:
            out.append(col.cast(pl.String).str.strip_chars().replace("", None))
            continue
        src = col.cast(pl.String).str.strip_chars().replace("", None) if col.dtype == pl.String else col
        cast = src.cast(dtype, strict=False)
        broken = cast.is_null() & src.is_not_null()
        if broken.any():
            i = int(broken.arg_max())
            row = df[ROW][i] if ROW in df.columns else i + 1
            raise _bad(file, row, name, src[i], "数值 (number)", "write a plain number")
        out.append(cast)
    extra = [c for c in df.columns if c not in columns]
    typed = pl.DataFrame([c.alias(n) for c, n in zip(out, columns, strict=True)], schema=None)
    return typed.hstack(df.select(extra)) if extra else typed


def _read_file(path: str | Path, spec: TableSpec) -> pl.DataFrame:
    """A contract table from a file (any format and encoding); column problems are errors."""
    table = read_table(path, spec)
    E.raise_if_errors(table.diagnostics)
    return table.collect()


def _read(directory: Path, spec: TableSpec, required: bool) -> tuple[pl.DataFrame | None, str | None]:
    path = find_table_file(directory, spec)
    if path is None:
        if required:
            raise E.PovexitError(E.FILE_NOT_FOUND(file=str(directory / f"{spec.stems[0]}.csv")))
        return None, None
    return _read_file(path, spec), str(path)


def load_sample_dir(path: str | Path) -> SampleTables:
    """The sample directory written by ``povexit sample`` (contract §2 plus the documented extras),
    through ``sampling.load_sample`` (which verifies the manifest's hashes); a directory of contract
    CSVs without a manifest (drawn by another tool) is read as it is."""
    path = Path(path)
    if not path.is_dir():
        raise E.PovexitError(E.FILE_NOT_FOUND(file=str(path)))
    if _is_povexit_manifest(path):  # a povexit sample: the sampling layer's loader checks its hashes
        from ..sampling import load_sample

        return normalise_sample(load_sample(path))
    villages, vfile = _read(path, SAMPLE_VILLAGES_IN, True)
    households, hfile = _read(path, SAMPLE_HOUSEHOLDS_IN, True)
    groups, gfile = _read(path, SAMPLE_GROUPS_IN, False)
    reserve_spec = TableSpec("sample_reserve", ("reserve",), SAMPLE_HOUSEHOLDS_IN.columns)
    reserve, rfile = _read(path, reserve_spec, False)
    manifest = _foreign_manifest(path)
    tables = SampleTables(
        villages=_typed(villages, VILLAGE_COLUMNS, vfile),
        households=_typed(households, HOUSEHOLD_COLUMNS, hfile),
        groups=_typed(groups if groups is not None else pl.DataFrame(), GROUP_COLUMNS, gfile),
        reserve=None if reserve is None else _typed(reserve, HOUSEHOLD_COLUMNS, rfile),
        manifest=manifest, source=path,
    )
    return complete_design(tables, {"villages": vfile, "households": hfile, "groups": gfile, "reserve": rfile})


def _is_povexit_manifest(path: Path) -> bool:
    """A manifest written by ``povexit sample`` (it records the hash of every file it wrote)."""
    import json

    try:
        m = json.loads((path / "manifest.json").read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return False
    return isinstance(m, dict) and "povexit_version" in m and isinstance(m.get("outputs"), dict)


def _foreign_manifest(path: Path) -> dict[str, Any]:
    """Another tool's manifest.json, kept as it is (a roster_hits flag may be in it); {} when none or
    unreadable (it does not change the estimates)."""
    import json

    try:
        m = json.loads((path / "manifest.json").read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return {}
    return m if isinstance(m, dict) else {}


def normalise_sample(sample: Any) -> SampleTables:
    """Any object with ``.villages``, ``.households`` and ``.groups`` frames → :class:`SampleTables`."""
    if isinstance(sample, SampleTables) and sample.checked:
        return sample
    groups = getattr(sample, "groups", None)
    reserve = getattr(sample, "reserve", None)
    tables = SampleTables(
        villages=_typed(sample.villages, VILLAGE_COLUMNS, "villages.csv"),
        households=_typed(sample.households, HOUSEHOLD_COLUMNS, "households.csv"),
        groups=_typed(groups if groups is not None else pl.DataFrame(), GROUP_COLUMNS, "groups.csv"),
        reserve=None if reserve is None or reserve.height == 0 else _typed(reserve, HOUSEHOLD_COLUMNS, "reserve.csv"),
        manifest=dict(getattr(sample, "manifest", {}) or {}),
        source=getattr(sample, "source", None),
    )
    src = getattr(sample, "source", None) or getattr(sample, "path", None)
    files = {k: str(Path(src) / f"{k}.csv") if src else f"{k}.csv" for k in ("villages", "households", "groups", "reserve")}
    return complete_design(tables, files)


# ---- the design columns of a sample from another tool ------------------------------------------------

REL_TOL = 0.01  # weights and probabilities written rounded by another tool still agree within 1%


def _row_of(df: pl.DataFrame, i: int) -> int:
    """The row as the user sees it (``_row`` when read from a file; else header + i)."""
    return int(df[ROW][i]) if ROW in df.columns and df[ROW][i] is not None else i + 2


def _missing(file: str | None, df: pl.DataFrame, i: int, column: str, what: tuple[str, str], reason: tuple[str, str],
             fix: tuple[str, str]) -> E.PovexitError:
    row = df.row(i, named=True)
    value = row.get("household_id") or (f"{row.get('village_id')}/{row['group']}" if "group" in row and row.get("group")
                                        else row.get("village_id"))
    return E.PovexitError(EE.SAMPLE_DESIGN_MISSING(
        file=file, row=_row_of(df, i), column=column, value=value, what=what[0], what_en=what[1],
        reason=reason[0], reason_en=reason[1], fix=fix[0], fix_en=fix[1]))


def _check_range(df: pl.DataFrame, file: str | None, column: str, kind: str, *, weight: bool = False) -> None:
    if column not in df.columns:
        return
    col = df[column]
    bad = col.is_not_null() & ((col < 1.0 - 1e-9) if weight else ((col <= 0) | (col > 1.0 + 1e-9)) | col.is_nan())
    if bad.any():
        i = int(bad.arg_max())
        raise E.PovexitError(EE.BAD_PROBABILITY(file=file, row=_row_of(df, i), column=column, value=col[i], kind=kind))


def _mismatch(file: str | None, df: pl.DataFrame, i: int, column: str, value: float, expected: float,
              what: tuple[str, str], basis: str) -> E.PovexitError:
    return E.PovexitError(EE.SAMPLE_DESIGN_MISMATCH(
        file=file, row=_row_of(df, i), column=column, value=f"{value:.6g}", expected=f"{expected:.6g}",
        what=what[0], what_en=what[1], basis=basis))


def _disagree(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    return ((a - b).abs() > REL_TOL * b.abs()).fill_null(False)


def _p_group_from_households(g: pl.DataFrame, h: pl.DataFrame) -> pl.DataFrame:
    """CONTRACTS.md §2 lets a sample list census households in ``households.csv`` with ``psu`` = their
    group and ``p_household`` = the group's probability given the village (every household of a
    census group is taken). Where ``groups.csv`` gives neither ``p_group`` nor a weight, that listed
    probability is the group's (one value per group; households disagreeing are left to the error)."""
    if not g["p_group"].is_null().any() or h.height == 0 or not {"psu", "group", "p_household"} <= set(h.columns):
        return g
    listed = (
        h.filter(pl.col("psu").is_not_null() & (pl.col("psu") != pl.col("village_id"))
                 & pl.col("group").is_not_null() & pl.col("p_household").is_not_null())
        .group_by("village_id", "group")
        .agg(pl.col("p_household").min().alias("_lo"), pl.col("p_household").max().alias("_hi"))
        .filter(~_disagree(pl.col("_hi"), pl.col("_lo")))
        .select("village_id", "group", pl.col("_lo").alias("_p_listed"))
    )
    if listed.height == 0:
        return g
    return (g.join(listed, on=["village_id", "group"], how="left")
            .with_columns(pl.coalesce("p_group", "_p_listed").alias("p_group")).drop("_p_listed"))


def complete_design(sample: SampleTables, files: dict[str, str | None]) -> SampleTables:
    """Check the design columns of a sample and complete those that follow from the others, so a sample
    drawn by another tool is estimated exactly as povexit's own, or stopped with an error naming file,
    row and column — never estimated with a made-up weight:

    - households: ``weight`` = 1/(p_village·p_household); given two, the third is computed (p_village
      from the household's village when the households file leaves it out); all three given must agree;
    - villages: ``p_village`` from their households when villages.csv leaves it out;
    - census groups: ``p_group`` = 1/(p_village·weight) when only the weight is given; neither is an
      error (how the groups were chosen is not known);
    - strata: none given (column absent or empty) is an unstratified design (noted); some given and
      some blank is an error.
    """
    v, h, g = sample.villages, sample.households, sample.groups
    fv, fh, fg = files.get("villages"), files.get("households"), files.get("groups")
    notes: list[tuple[str, str]] = list(sample.notes)
    for df, file, cols in ((v, fv, ("p_village",)), (h, fh, ("p_village", "p_household")), (g, fg, ("p_group",))):
        for c in cols:
            _check_range(df, file, c, f"入样概率 {c} (inclusion probability)")
    _check_range(h, fh, "weight", "权数 weight", weight=True)
    _check_range(g, fg, "weight", "权数 weight", weight=True)

    # p_village of a village: villages.csv, else its households (1/(weight·p_household) when they only weigh)
    hv = h.with_columns(pl.coalesce("p_village", 1.0 / (pl.col("weight") * pl.col("p_household"))).alias("_pv"))
    per_village = hv.filter(pl.col("_pv").is_not_null()).group_by("village_id").agg(
        pl.col("_pv").first().alias("_pv_h"), pl.col("_pv").min().alias("_lo"), pl.col("_pv").max().alias("_hi"))
    spread = per_village.filter(_disagree(pl.col("_hi"), pl.col("_lo")))
    if spread.height:
        vid = spread["village_id"][0]
        lo, hi = spread["_lo"][0], spread["_hi"][0]
        i = int(((hv["village_id"] == vid) & (hv["_pv"] == hi)).arg_max())
        raise _mismatch(fh, h, i, "p_village", hi, lo, ("村入样概率", "village inclusion probability"),
                        "同村其他户 / other households of the village")
    v = v.join(per_village.select("village_id", "_pv_h"), on="village_id", how="left")
    clash = _disagree(pl.col("p_village"), pl.col("_pv_h"))
    if v.select(clash.any()).item():
        i = int(v.select(clash.arg_max()).item())
        raise _mismatch(fv, v, i, "p_village", v["p_village"][i], v["_pv_h"][i],
                        ("村入样概率", "village inclusion probability"), "households.csv")
    v = v.with_columns(pl.coalesce("p_village", "_pv_h").alias("p_village")).drop("_pv_h")
    if v["p_village"].is_null().any():
        i = int(v["p_village"].is_null().arg_max())
        raise _missing(fv, v, i, "p_village", ("村的入样概率", "the village's inclusion probability"),
                       ("villages.csv 没有 p_village，该村也没有能算出它的样本户",
                        "villages.csv gives no p_village and no sampled household of the village gives it"),
                       ("在 villages.csv 中填入该村的入样概率 p_village（如 4 个村中抽 1 个为 0.25）。",
                        "Give the village's inclusion probability p_village in villages.csv (e.g. 0.25 for 1 of 4)."))

    # households: p_village from the village, then weight <-> p_household
    pv = v.select("village_id", pl.col("p_village").alias("_pv_v"))

    def households(df: pl.DataFrame | None, file: str | None) -> pl.DataFrame | None:
        if df is None:
            return None
        df = df.join(pv, on="village_id", how="left").with_columns(pl.coalesce("p_village", "_pv_v").alias("p_village"))
        if df["p_village"].is_null().any():  # a household of a village that villages.csv does not list
            df = df.drop("_pv_v")
            i = int(df["p_village"].is_null().arg_max())
            raise E.PovexitError(EE.VILLAGE_NOT_IN_SAMPLE(file=file, row=_row_of(df, i), column="village_id",
                                                          value=df["village_id"][i]))
        neither = df["weight"].is_null() & df["p_household"].is_null()
        if neither.any():
            i = int(neither.arg_max())
            raise _missing(file, df, i, "weight", ("户的权数或入样概率", "the household's weight or inclusion probability"),
                           ("weight（权数）和 p_household（户入样概率）都为空", "both weight and p_household are empty"),
                           ("填入 p_household（村内抽中该户的概率）或 weight（= 1/(p_village × p_household)）；"
                            "povexit 不会把缺少的权数当作 1。",
                            "Give p_household (the probability of the household given its village) or weight "
                            "(= 1/(p_village × p_household)); povexit never takes a missing weight as 1."))
        implied = 1.0 / (pl.col("p_village") * pl.col("p_household"))
        bad = _disagree(pl.col("weight"), implied)
        if df.select(bad.any()).item():
            i = int(df.select(bad.arg_max()).item())
            r = df.row(i, named=True)
            raise _mismatch(file, df, i, "weight", r["weight"], 1.0 / (r["p_village"] * r["p_household"]),
                            ("权数", "weight"), "1/(p_village × p_household)")
        df = df.with_columns(
            pl.coalesce("p_household", 1.0 / (pl.col("weight") * pl.col("p_village"))).alias("p_household"),
            pl.coalesce("weight", implied).alias("weight"),
        ).drop("_pv_v")
        _check_range(df, file, "p_household", "户入样概率 p_household (derived from weight)")
        return df

    h = households(h, fh)
    reserve = households(sample.reserve, files.get("reserve"))

    # census groups: p_group, or the weight it follows from
    if g.height:
        g = g.join(pv, on="village_id", how="left")
        gpv = pl.coalesce("_pv_v", "p_village")
        bad = _disagree(pl.col("weight"), 1.0 / (gpv * pl.col("p_group")))
        if g.select(bad.any()).item():
            i = int(g.select(bad.arg_max()).item())
            r = g.row(i, named=True)
            raise _mismatch(fg, g, i, "weight", r["weight"], 1.0 / ((r["_pv_v"] or r["p_village"]) * r["p_group"]),
                            ("普查组权数", "census group weight"), "1/(p_village × p_group)")
        g = g.with_columns(pl.coalesce("p_group", 1.0 / (pl.col("weight") * gpv)).alias("p_group")).drop("_pv_v")
        g = _p_group_from_households(g, h)
        if g["p_group"].is_null().any():
            i = int(g["p_group"].is_null().arg_max())
            raise _missing(fg, g, i, "p_group", ("普查村民小组的入样概率", "the census group's inclusion probability"),
                           ("groups.csv 没有 p_group（组入样概率）也没有 weight（权数）：不知道该组是怎样从村里抽出的",
                            "groups.csv gives neither p_group nor weight: how the group was chosen in its village is unknown"),
                           ("填入 p_group（已知村被抽中时抽中该组的概率：全村各组都普查为 1，G 个组中随机抽 k 个为 k/G）"
                            "或 weight（= 1/(p_village × p_group)）。",
                            "Give p_group (the probability of the group given its village: 1 when every group of the "
                            "village was enumerated, k/G for k of its G groups drawn at random) or weight "
                            "(= 1/(p_village × p_group))."))
        _check_range(g, fg, "p_group", "组入样概率 p_group (derived from weight)")

    # strata: all or none
    blank = v["stratum"].is_null()
    if blank.all():
        v = v.with_columns(pl.lit("").alias("stratum"))
        notes.append(("样本未分层（villages.csv 没有 stratum）：按不分层的整群抽样计算方差",
                      "The sample has no strata (villages.csv gives no stratum): variances are those of an "
                      "unstratified cluster sample"))
    elif blank.any():
        i = int(blank.arg_max())
        raise E.PovexitError(EE.STRATA_PARTLY_BLANK(file=fv, row=_row_of(v, i), column="stratum",
                                                    value=v["village_id"][i]))
    return SampleTables(villages=v, households=h, groups=g, reserve=reserve, manifest=sample.manifest,
                        source=sample.source, notes=notes, checked=True)


def read_findings(path: str | Path) -> pl.DataFrame:
    """``findings.csv`` (contract §4; CSV/XLSX/Parquet, any encoding, Chinese headers)."""
    df = _read_file(path, FINDINGS_IN)
    return normalise_findings(df.with_columns(pl.lit(str(path)).alias("_file")), file=str(path))


REGISTRY_STATUS = {"exited": "exited", "poor": "poor", "returned": "returned", "nonregistered": "nonregistered",
                   "非建档立卡": "nonregistered", "非建档立卡户": "nonregistered"}


def normalise_findings(df: pl.DataFrame, file: str | None = "findings.csv") -> pl.DataFrame:
    """Type the findings; a blank verdict of the household's own instrument (错退 of a registered
    household, 漏评 of a non-registered one) is "no answer" — the household cannot be judged, never
    "no" (docs/data-layout.md) — unless the adjudication's ``status`` says otherwise."""
    if "_checked" in df.columns:
        return df
    from ..contracts import STATUS_ALIASES

    out = _typed(df, FINDING_COLUMNS, file)
    rows = out[ROW].to_list() if ROW in out.columns else [i + 2 for i in range(out.height)]
    instruments = []
    for r, v in zip(rows, out["instrument"].to_list(), strict=True):
        key = (v or "").strip()
        code = INSTRUMENTS.get(key.lower()) or INSTRUMENTS.get(key)
        if code is None:
            raise E.PovexitError(EE.BAD_INSTRUMENT(file=file, row=r, column="instrument", value=v))
        instruments.append(code)
    statuses = []
    for r, v in zip(rows, out["registry_status"].to_list(), strict=True):
        if v is None:
            statuses.append(None)
            continue
        code = REGISTRY_STATUS.get(v.strip().lower()) or STATUS_ALIASES.get(v.strip())
        if code is None:
            raise E.PovexitError(E.BAD_VALUE(file=file, row=r, column="registry_status", value=v,
                                             kind="脱贫属性 (registry status)",
                                             hint="exited / poor / returned / nonregistered（已脱贫 / 未脱贫 / 返贫 / 非建档立卡）"))
        statuses.append(code)
    out = out.with_columns(pl.Series("instrument", instruments, dtype=pl.String),
                           pl.Series("registry_status", statuses, dtype=pl.String))
    reg = pl.col("instrument") == "registered"
    unanswered = pl.when(reg).then(pl.col("wrongful_exit").is_null()).otherwise(pl.col("missed").is_null())
    out = out.with_columns(
        pl.when(pl.col("status").is_null() & unanswered).then(pl.lit("cannot_judge"))
        .otherwise(pl.col("status")).alias("status"),
    ).with_columns(
        pl.col("wrongful_exit").fill_null(False),
        pl.col("missed").fill_null(False),
        pl.col("wrongful_exit_persons").fill_null(0.0),
        pl.col("missed_persons").fill_null(0.0),
        pl.lit(True).alias("_checked"),
    )
    dup = out["household_id"].is_duplicated()
    if dup.any():
        i = int(dup.arg_max())
        raise E.PovexitError(EE.DUPLICATE_HOUSEHOLD(file=file, row=rows[i], column="household_id",
                                                    value=out["household_id"][i]))
    return out


def read_cases(path: str | Path) -> pl.DataFrame:
    """``cases.csv`` (contract §4): household_id, kind, outcome (confirmed / dismissed / pending)."""
    return normalise_cases(_read_file(path, CASES_IN), file=str(path))


def normalise_cases(df: pl.DataFrame, file: str | None = "cases.csv") -> pl.DataFrame:
    out = _typed(df, CASE_COLUMNS, file)
    outcome_aliases = CASES.column("outcome").enum_aliases
    rows = df[ROW].to_list() if ROW in df.columns else list(range(1, out.height + 1))
    kinds, outcomes = [], []
    for r, k, o in zip(rows, out["kind"].to_list(), out["outcome"].to_list(), strict=True):
        kind = CASE_KINDS.get((k or "").strip().lower()) or CASE_KINDS.get((k or "").strip())
        if kind is None:
            raise E.PovexitError(E.BAD_VALUE(file=file, row=r, column="kind", value=k, kind="问题类型 (case kind)",
                                             hint="wrongful_exit / missed（错退 / 漏评）"))
        o_key = (o or "").strip()
        outcome = (outcome_aliases.get(o_key.lower()) or outcome_aliases.get(o_key) or OUTCOME_ALIASES.get(o_key)
                   or ("pending" if not o_key else None))  # a blank 核查结果: not decided yet
        if outcome is None:
            raise E.PovexitError(E.BAD_VALUE(file=file, row=r, column="outcome", value=o, kind="核查结果 (outcome)",
                                             hint="confirmed / dismissed / pending（确认 / 不予采信 / 待核）"))
        kinds.append(kind)
        outcomes.append(outcome)
    return out.with_columns(pl.Series("kind", kinds, dtype=pl.String), pl.Series("outcome", outcomes, dtype=pl.String))


def read_cadres(responses_dir: str | Path) -> pl.DataFrame | None:
    """``responses/cadres.parquet`` (cadre / deputy approval), or None when there is none."""
    path = Path(responses_dir) / "cadres.parquet"
    if not path.exists():
        return None
    return _typed(pl.read_parquet(path), CADRE_COLUMNS, str(path))
