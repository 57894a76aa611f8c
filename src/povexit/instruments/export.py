"""``povexit instruments export``: the XLSForm workbooks, their XForms, and the attachments that let an
enumerator pick the sampled household instead of typing an ID.

Attachments (used by ``select_one_from_file`` and ``instance('…')`` look-ups in the forms):

- ``villages.csv``: ``name`` (village_id), ``label``, county, township, village;
- ``households.csv``: ``name`` (household_id), ``label`` (masked head name · persons · group · 备选 N),
  village_id, group, instrument, persons, reserve_rank — the sampled households and, marked, the
  reserve households;
- ``groups.csv``: ``name`` (a code), ``label``, village_id, group — the census groups;
- ``townships.csv``: ``name`` (a code), ``label``, county, township — the townships of the sampled villages
  (township form);
- ``counties.csv``: ``name`` (a code), ``label``, county — the assessed counties (county document checklist).

Without a sample the attachments are written with their headers only (upload the real ones with
``--sample`` once the sample is released).
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from .. import contracts, tabular
from ..errors import PovexitError
from ..errors import instruments as EI
from ..fsutil import atomic_dir
from ..idnumber import roster_household_id
from ..privacy import mask_name
from .build import FORMS_DIR, form_path, workbook_bytes
from .definitions import forms
from .sample_view import SampleView, load_sample_view

ATTACHMENT_COLUMNS = {
    "villages.csv": ("name", "label", "county", "township", "village"),
    "households.csv": ("name", "label", "village_id", "group", "instrument", "persons", "reserve_rank"),
    "groups.csv": ("name", "label", "village_id", "group"),
    "townships.csv": ("name", "label", "county", "township"),
    "counties.csv": ("name", "label", "county"),
}


@dataclass
class ExportResult:
    out: Path
    files: list[str] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)  # form -> pyxform / ODK Validate warnings
    validated: bool = False
    attachments: dict[str, int] = field(default_factory=dict)  # file -> rows


def group_code(village_id: str, group: str) -> str:
    """Choice name of a census group in ``groups.csv`` (choice names must be plain tokens)."""
    return "G" + hashlib.sha1(f"{village_id}|{group}".encode()).hexdigest()[:10]


def township_code(county: str, township: str) -> str:
    """Choice name of a township in ``townships.csv``."""
    return "T" + hashlib.sha1(f"{county}|{township}".encode()).hexdigest()[:10]


def county_code(county: str) -> str:
    """Choice name of a county in ``counties.csv``."""
    return "C" + hashlib.sha1(county.encode()).hexdigest()[:10]




# ---- head names from the registry (optional) ----------------------------------------------------------

def _head_names(registry: Any) -> pl.DataFrame:
    """household_id -> head_name (registered households; roster hits by the R… id of the listed person)."""
    empty = pl.DataFrame(schema={"household_id": pl.String, "head_name": pl.String})
    if registry is None:
        return empty
    hh = rosters = None
    if isinstance(registry, str | Path):
        path = Path(registry)
        loaded = None
        with contextlib.suppress(ImportError, AttributeError, PovexitError):
            from ..registry import load  # type: ignore[attr-defined]

            loaded = load(path)
        if loaded is not None:
            registry = loaded
        else:
            hh, rosters = _read_registry_dir(path)
    if not isinstance(registry, str | Path):
        hh = getattr(registry, "households", None)
        rosters = getattr(registry, "rosters", None)
    frames = []
    if isinstance(hh, pl.DataFrame) and {"household_id", "head_name"} <= set(hh.columns):
        frames.append(hh.select(pl.col("household_id").cast(pl.String), pl.col("head_name").cast(pl.String)))
    if isinstance(rosters, pl.DataFrame) and {"id_number", "name"} <= set(rosters.columns):
        r = rosters.select(pl.col("id_number").cast(pl.String), pl.col("name").cast(pl.String)).drop_nulls("id_number")
        frames.append(pl.DataFrame({
            "household_id": [roster_household_id(i) for i in r["id_number"].to_list()],
            "head_name": r["name"].to_list(),
        }, schema={"household_id": pl.String, "head_name": pl.String}))
    if not frames:
        return empty
    return pl.concat(frames).unique("household_id", keep="first")


def _read_registry_dir(path: Path) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    hh = rosters = None
    if (path / "households.parquet").exists():
        hh = pl.read_parquet(path / "households.parquet")
    else:
        f = tabular.find_table_file(path, contracts.PERSONS)
        if f is not None:
            raw = tabular.read_table(f, contracts.PERSONS)
            try:
                p = raw.collect()
            finally:
                raw.close()
            hh = p.filter(pl.col("relation").str.strip_chars() == "户主").select(
                "household_id", pl.col("name").alias("head_name")).unique("household_id", keep="first")
    if (path / "rosters.parquet").exists():
        rosters = pl.read_parquet(path / "rosters.parquet")
    else:
        f = tabular.find_table_file(path, contracts.ROSTERS)
        if f is not None:
            raw = tabular.read_table(f, contracts.ROSTERS)
            try:
                rosters = raw.collect()
            finally:
                raw.close()
    return hh, rosters


# ---- attachments ---------------------------------------------------------------------------------------

def attachments(sample: SampleView | None, registry: Any = None) -> dict[str, pl.DataFrame]:
    """The five attachment tables (header-only without a sample)."""
    if sample is None:
        return {name: pl.DataFrame(schema={c: pl.String for c in cols}) for name, cols in ATTACHMENT_COLUMNS.items()}
    v = sample.villages.unique("village_id", keep="first").sort("county", "township", "village", "village_id",
                                                                 nulls_last=True)
    villages = v.select(
        pl.col("village_id").alias("name"),
        pl.concat_str([pl.col("township").fill_null(""), pl.col("village").fill_null("")], separator=" ").alias("label"),
        "county", "township", "village",
    )
    names = _head_names(registry)
    hh = pl.concat([
        sample.households.select("household_id", "village_id", "group", "instrument", "persons",
                                 pl.lit(None, dtype=pl.Int64).alias("reserve_rank")),
        sample.reserve.select("household_id", "village_id", "group", "instrument",
                              pl.lit(None, dtype=pl.Int64).alias("persons"), "reserve_rank"),
    ], how="vertical_relaxed").join(names, on="household_id", how="left")
    masked = pl.Series([mask_name(n) if n else "" for n in hh["head_name"].to_list()], dtype=pl.String)
    hh = hh.with_columns(masked.alias("_masked"))
    label = pl.concat_str([
        pl.when(pl.col("_masked") != "").then(pl.col("_masked")).otherwise(pl.col("household_id")),
        pl.when(pl.col("persons").is_not_null()).then(pl.concat_str([pl.lit(" · "), pl.col("persons").cast(pl.String),
                                                                     pl.lit("人")])).otherwise(pl.lit("")),
        pl.when(pl.col("group").is_not_null()).then(pl.concat_str([pl.lit(" · "), pl.col("group")])).otherwise(pl.lit("")),
        pl.when(pl.col("reserve_rank").is_not_null()).then(
            pl.concat_str([pl.lit(" · 备选"), pl.col("reserve_rank").cast(pl.String)])).otherwise(pl.lit("")),
        pl.concat_str([pl.lit(" · "), pl.col("household_id").str.slice(-6)]),
    ])
    households = hh.sort("village_id", "instrument", pl.col("reserve_rank").is_not_null(), "reserve_rank", "group",
                         "household_id", nulls_last=True).select(
        pl.col("household_id").alias("name"), label.alias("label"), "village_id", "group", "instrument",
        pl.col("persons").cast(pl.String), pl.col("reserve_rank").cast(pl.String))
    g = sample.groups.unique(["village_id", "group"], keep="first").sort("village_id", "group", nulls_last=True)
    groups = g.select(
        pl.Series("name", [group_code(a or "", b or "") for a, b in zip(g["village_id"].to_list(), g["group"].to_list(),
                                                                       strict=True)], dtype=pl.String),
        pl.concat_str([pl.col("village").fill_null(""), pl.col("group").fill_null("")], separator=" ").alias("label"),
        "village_id", "group",
    )
    t = v.select(pl.col("county").cast(pl.String).fill_null(""), pl.col("township").cast(pl.String).fill_null("")) \
        .unique(maintain_order=True).sort("county", "township")
    townships = pl.DataFrame({
        "name": [township_code(c, tn) for c, tn in t.iter_rows()],
        "label": [f"{c} {tn}".strip() if t["county"].n_unique() > 1 else tn for c, tn in t.iter_rows()],
        "county": t["county"], "township": t["township"],
    }, schema={"name": pl.String, "label": pl.String, "county": pl.String, "township": pl.String})
    cs = t.select("county").unique(maintain_order=True)
    counties = pl.DataFrame({
        "name": [county_code(c) for c in cs["county"].to_list()], "label": cs["county"], "county": cs["county"],
    }, schema={"name": pl.String, "label": pl.String, "county": pl.String})
    return {"villages.csv": villages, "households.csv": households, "groups.csv": groups,
            "townships.csv": townships, "counties.csv": counties}


def convert(xlsx: bytes | Path, *, validate: bool) -> tuple[str, list[str]]:
    """XLSForm → XForm with pyxform (ODK Validate when ``validate``; it ships with pyxform and needs Java)."""
    import io

    from pyxform.xls2xform import convert as _convert

    data = xlsx.read_bytes() if isinstance(xlsx, Path) else xlsx
    warnings: list[str] = []
    try:
        res = _convert(io.BytesIO(data), warnings=warnings, validate=validate, pretty_print=True, file_type=".xlsx")
    except Exception as exc:  # pyxform raises PyXFormError, ODKValidateError, OSError (no Java)
        raise PovexitError(EI.VALIDATOR_FAILED(file="xlsform", reason=str(exc)[:500])) from exc
    return res.xform, list(res.warnings)


def export_xlsform(out: str | Path, sample: Any = None, registry: Any = None, *, validate: bool = False,
                   xforms: bool = True) -> ExportResult:
    """Write the six XLSForms (as committed in the package), their XForms and the attachments to ``out``."""
    view = load_sample_view(sample) if sample is not None else None
    out = Path(out)
    result = ExportResult(out=out, validated=validate)
    with atomic_dir(out, kind="instruments") as tmp:
        for form in forms().values():
            committed = form_path(form, FORMS_DIR)
            data = committed.read_bytes() if committed.exists() else workbook_bytes(form)
            (tmp / committed.name).write_bytes(data)
            result.files.append(committed.name)
            if xforms:
                xml, warns = convert(data, validate=validate)
                (tmp / f"{form.form_id}.xml").write_text(xml, encoding="utf-8")
                result.files.append(f"{form.form_id}.xml")
                result.warnings[form.form_id] = warns
        for name, table in attachments(view, registry).items():
            table.write_csv(tmp / name)
            result.files.append(name)
            result.attachments[name] = table.height
    return result
