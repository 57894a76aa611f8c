"""Write submissions in ODK Central's export shape (``submissions.csv.zip``), as Central's
``lib/data/briefcase.js`` lays it out for our forms: ``SubmissionDate``, the fields in instance order
with group paths joined by ``-``, geopoints in four columns, ``meta-instanceID``, ``meta-instanceName``,
``KEY`` and Central's bookkeeping columns; each repeat in ``<formId>-<repeat>.csv`` with ``PARENT_KEY``
and ``KEY`` (``uuid:…/grp_household/members[1]``).

Used by the simulated fieldwork and by tests; the column order is checked against the XForm that
pyxform generates.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

import polars as pl

from .formdef import FormDef, Group, Node, Question

GEO_PARTS = ("Latitude", "Longitude", "Altitude", "Accuracy")
TRAILER = ("KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
           "ReviewState", "DeviceID", "Edits", "FormVersion")
ZIP_TIME = (2025, 1, 1, 0, 0, 0)


def _columns(nodes: Sequence[Node], path: tuple[str, ...], out: list[tuple[str, str, int | None]]) -> None:
    """(header, field name, geopoint part) for the fields of one table (repeats are skipped)."""
    for n in nodes:
        if isinstance(n, Question):
            head = "-".join((*path, n.name))
            if n.type == "geopoint":
                out.extend((f"{head}-{p}", n.name, i) for i, p in enumerate(GEO_PARTS))
            else:
                out.append((head, n.name, None))
        elif isinstance(n, Group):
            _columns(n.children, (*path, n.name), out)


def main_columns(form: FormDef) -> list[tuple[str, str, int | None]]:
    cols: list[tuple[str, str, int | None]] = [("SubmissionDate", "submission_date", None)]
    _columns(form.body, (), cols)
    cols.append(("meta-instanceID", "instance_id", None))
    if form.instance_name:
        cols.append(("meta-instanceName", "instance_name", None))
    return cols


def repeat_columns(form: FormDef, repeat: str) -> list[tuple[str, str, int | None]]:
    node = next(r for r in form.repeats() if r.name == repeat)
    cols: list[tuple[str, str, int | None]] = []
    _columns(node.children, (), cols)
    return cols


def _select(df: pl.DataFrame, cols: list[tuple[str, str, int | None]]) -> list[pl.Expr]:
    exprs = []
    for head, name, part in cols:
        if name not in df.columns:
            exprs.append(pl.lit(None, dtype=pl.String).alias(head))
        elif part is None:
            exprs.append(pl.col(name).cast(pl.String).alias(head))
        else:
            exprs.append(pl.col(name).cast(pl.String).str.split(" ").list.get(part, null_on_oob=True).alias(head))
    return exprs


def central_tables(form: FormDef, main: pl.DataFrame, members: pl.DataFrame | None = None) -> dict[str, pl.DataFrame]:
    """Central-shaped tables. ``main`` has the form's field names plus ``instance_id``, ``submission_date``
    and optionally ``submitter_id``, ``submitter``, ``review_state``, ``device_id``, ``edits``,
    ``attachments_present``/``attachments_expected``; ``members`` has ``instance_id`` and the repeat's fields
    (rows in member order)."""
    def opt(name: str, default: str | None = None) -> pl.Expr:
        return pl.col(name).cast(pl.String) if name in main.columns else pl.lit(default, dtype=pl.String)

    table = main.select(
        *_select(main, main_columns(form)),
        pl.col("instance_id").alias("KEY"),
        opt("submitter_id").alias("SubmitterID"),
        opt("submitter").alias("SubmitterName"),
        opt("attachments_present", "0").alias("AttachmentsPresent"),
        opt("attachments_expected", "0").alias("AttachmentsExpected"),
        opt("status").alias("Status"),
        opt("review_state").alias("ReviewState"),
        opt("device_id").alias("DeviceID"),
        opt("edits", "0").alias("Edits"),
        pl.lit(form.version).alias("FormVersion"),
    )
    out = {f"{form.form_id}.csv": table}
    for rep in form.repeats():
        path = form.repeat_group_path(rep.name)
        cols = repeat_columns(form, rep.name)
        if members is None or members.height == 0:
            frame = pl.DataFrame(schema={h: pl.String for h, _, _ in cols} | {"PARENT_KEY": pl.String, "KEY": pl.String})
        else:
            pos = pl.int_range(1, pl.len() + 1).over("instance_id").cast(pl.String)
            prefix = "/".join(path)
            frame = members.select(
                *_select(members, cols),
                pl.col("instance_id").alias("PARENT_KEY"),
                pl.concat_str([pl.col("instance_id"), pl.lit(f"/{prefix}/{rep.name}[" if prefix else f"/{rep.name}["),
                               pos, pl.lit("]")]).alias("KEY"),
            )
        out[f"{form.form_id}-{rep.name}.csv"] = frame
    return out


def to_zip(tables: dict[str, pl.DataFrame]) -> bytes:
    """Deterministic ZIP of CSVs (fixed timestamps, given order)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, df in tables.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, csv_bytes(df))
    return buf.getvalue()


def csv_bytes(df: pl.DataFrame) -> bytes:
    return df.write_csv(null_value="").encode("utf-8")
