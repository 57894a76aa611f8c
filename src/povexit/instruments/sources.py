"""Read field exports as they come into raw tables (all text) with the row numbers a user sees.

Shapes (checked against ODK Central's ``lib/data/briefcase.js`` and its tests, and KoboToolbox/formpack
exports):

- **ODK Central CSV / ZIP** (``submissions.csv.zip``): ``<formId>.csv`` with ``SubmissionDate``, the
  fields in form order with group paths joined by ``-`` (``grp_water-water_litres_per_person_day``),
  geopoints split into ``-Latitude/-Longitude/-Altitude/-Accuracy``, ``meta-instanceID``, ``KEY``,
  ``SubmitterID``, ``SubmitterName``, ``AttachmentsPresent``, ``AttachmentsExpected``, ``Status``,
  ``ReviewState``, ``DeviceID``, ``Edits``, ``FormVersion``; each repeat in ``<formId>-<repeat>.csv``
  with its fields, ``PARENT_KEY`` and ``KEY`` (``uuid:…/grp_household/members[1]``); ``media/`` files.
- **KoboToolbox CSV**: ``;``-separated, ``/`` group separator, ``meta/instanceID``, ``_id``, ``_uuid``,
  ``_submission_time``, ``_validation_status``, ``_submitted_by``, ``__version__``, ``_index``; no
  repeats. **Kobo XLSX**: the main sheet, then one sheet per repeat with ``_index``, ``_parent_index``,
  ``_parent_table_name``, ``_submission__uuid`` ….
- **Plain contract CSV/XLSX** (CONTRACTS.md §3): ``instance_id``, ``household_id``, ``instrument`` …;
  members in a second file or sheet with ``instance_id`` + ``member_no``.
- **OData JSON** (what ``pyodk`` returns from ``submissions.get_table(expand='*')``), saved or pulled live;
  ``__system.deletedAt`` (pulled with ``deleted=true``) marks a deleted submission.

Header variants (group separators, bare names, Kobo labels, split select_multiple) are resolved in
``columns.py``; the CSV separator is read from the header line; blank rows are skipped and rows with more
fields than the header keep their extra fields in ``_ragged`` (rejected by ingest, PVX-I24).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .. import tabular
from ..errors import FILE_NOT_FOUND, FILE_UNREADABLE, PovexitError
from ..errors import instruments as EI
from ..fsutil import sha256_bytes

ROW = "_row"


@dataclass
class RawRepeat:
    name: str  # repeat name (e.g. members)
    display: str  # file name (and member) as shown in messages
    data: pl.DataFrame  # raw text columns + _row


@dataclass
class RawSource:
    display: str  # file name as shown in messages, e.g. "export.zip:povexit_registered.csv"
    kind: str  # central | kobo | plain | odata | members
    data: pl.DataFrame  # main table: raw text columns + _row (may be empty for a members-only file)
    repeats: list[RawRepeat] = field(default_factory=list)
    form_id: str | None = None  # from the file name or the pull
    sha256: str = ""


def _decode(data: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise PovexitError(FILE_UNREADABLE(file=name, reason="not UTF-8 or GB18030 text"))


def _utf8_bytes(data: bytes, name: str) -> bytes:
    """The CSV as UTF-8 bytes without a BOM. UTF-8 is checked chunk by chunk (no giant Python string);
    GB18030 (Excel in China) is transcoded."""
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    dec = codecs.getincrementaldecoder("utf-8")(errors="strict")
    try:
        for i in range(0, len(body), 1 << 22):
            dec.decode(body[i:i + (1 << 22)])
        dec.decode(b"", final=True)
        return body
    except UnicodeDecodeError:
        return _decode(data, name).encode("utf-8")


def _sniff(text: str) -> str:
    """The separator, read from the header line alone: data rows may hold ``;`` or ``,`` inside answers
    (``E01;E02``) while a header of field names or labels practically never does. Kobo's CSV default is
    ``;``; Excel writes ``,`` (or ``\t`` for "Unicode text")."""
    lines = text.splitlines()
    header = next((ln for ln in lines if ln.strip()), "")
    best, width = ",", 1
    for d in (",", ";", "\t"):
        try:
            n = len(next(csv.reader([header], delimiter=d)))
        except (csv.Error, StopIteration):
            continue
        if n > width:
            best, width = d, n
    return best


def _csv_frame(data: bytes, name: str) -> pl.DataFrame:
    """All-text frame of a CSV (header on line 1), with ``_row`` = line number as a spreadsheet shows it.

    A row with more fields than the header (an unquoted separator inside an answer) is not truncated
    silently: its extra fields go to ``_ragged`` and ingest rejects the row."""
    if not data.strip():
        return pl.DataFrame(schema={ROW: pl.Int64})
    sep = _sniff(data[:65536].decode("utf-8", errors="ignore"))
    try:
        df = pl.read_csv(data, separator=sep, infer_schema=False, has_header=True, quote_char='"',
                         truncate_ragged_lines=False, row_index_name=ROW, row_index_offset=2)
    except pl.exceptions.ComputeError as exc:
        if "more fields" not in str(exc):
            raise PovexitError(FILE_UNREADABLE(file=name, reason=str(exc).splitlines()[0][:200])) from exc
        return _csv_frame_slow(data, sep, name)
    except pl.exceptions.PolarsError as exc:
        raise PovexitError(FILE_UNREADABLE(file=name, reason=str(exc).splitlines()[0][:200])) from exc
    df = df.with_columns(pl.col(ROW).cast(pl.Int64))
    data_cols = [c for c in df.columns if c != ROW]
    if data_cols and df.height:  # blank rows (Excel writes ",,,,") are not submissions
        blank = pl.all_horizontal([pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in data_cols])
        if df.select(blank.any()).item():
            df = df.filter(~blank)
    return df


def _csv_frame_slow(data: bytes, sep: str, name: str) -> pl.DataFrame:
    """Python's csv reader, for files with ragged rows; rows numbered as the fast path numbers them (a
    record per spreadsheet row, blank lines skipped)."""
    text = data.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        header = next(reader)
    except StopIteration:
        return pl.DataFrame(schema={ROW: pl.Int64})
    header = _dedupe([h for h in header])
    cols: list[list[str | None]] = [[] for _ in header]
    ragged: list[str | None] = []
    rows: list[int] = []
    try:
        for i, rec in enumerate(reader):
            if not any(v.strip() for v in rec):
                continue  # a blank row (Excel writes ",,,,")
            rows.append(i + 2)
            for j in range(len(header)):
                cols[j].append(rec[j] if j < len(rec) and rec[j] != "" else None)
            ragged.append(sep.join(rec[len(header):]) if len(rec) > len(header) else None)
    except csv.Error as exc:
        raise PovexitError(FILE_UNREADABLE(file=name, reason=f"line {reader.line_num}: {exc}")) from exc
    return pl.DataFrame({ROW: pl.Series(rows, dtype=pl.Int64)}
                        | {h: pl.Series(cols[j], dtype=pl.String) for j, h in enumerate(header)}
                        | {"_ragged": pl.Series(ragged, dtype=pl.String)})


def _form_id_from_name(stem: str) -> str | None:
    return stem or None


def _central_kind(cols: Iterable[str]) -> bool:
    cs = set(cols)
    return ("KEY" in cs and ("SubmissionDate" in cs or "PARENT_KEY" in cs))


def _kobo_kind(cols: Iterable[str]) -> bool:
    cs = set(cols)
    return "_uuid" in cs or "_submission__uuid" in cs or "_parent_index" in cs or "_submission_time" in cs


def _classify(cols: list[str]) -> str:
    if _central_kind(cols):
        return "central"
    if _kobo_kind(cols):
        return "kobo"
    return "plain"


def read_csv_file(path: Path, data: bytes | None = None, display: str | None = None) -> RawSource:
    display = display or path.name
    raw = path.read_bytes() if data is None else data
    df = _csv_frame(_utf8_bytes(raw, display), display)
    kind = _classify(df.columns)
    stem = Path(display.split(":")[-1]).stem
    if kind == "central" and "PARENT_KEY" in df.columns:
        # a repeat CSV given on its own: <formId>-<repeat>.csv
        form_id, _, rep = stem.partition("-")
        return RawSource(display, "central", pl.DataFrame(schema={ROW: pl.Int64}),
                         [RawRepeat(re.sub(r"~\d+$", "", rep) or "members", display, df)], form_id or None,
                         sha256_bytes(raw))
    if kind == "plain" and _members_only(df.columns):
        return RawSource(display, "plain", pl.DataFrame(schema={ROW: pl.Int64}),
                         [RawRepeat("members", display, df)], None, sha256_bytes(raw))
    return RawSource(display, kind, df, [], _form_id_from_name(stem), sha256_bytes(raw))


def _members_only(cols: list[str]) -> bool:
    cs = {c.strip() for c in cols if c != ROW}
    return "member_no" in cs and not ({"household_id", "户编号"} & cs) and any(c.startswith("member_") for c in cs)


def read_zip(path: Path) -> RawSource:
    """ODK Central ``submissions.csv.zip``: the main CSV and one CSV per repeat (media ignored)."""
    raw = path.read_bytes()
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise PovexitError(EI.NOT_AN_EXPORT(file=path.name, reason="not a ZIP archive")) from exc
    csvs = sorted(n for n in zf.namelist() if n.lower().endswith(".csv") and not n.startswith("media/"))
    if not csvs:
        raise PovexitError(EI.NOT_AN_EXPORT(file=path.name, reason="no CSV inside the ZIP"))
    main: RawSource | None = None
    repeats: list[RawRepeat] = []
    for n in csvs:
        src = read_csv_file(Path(n), zf.read(n), f"{path.name}:{n}")
        if src.repeats and src.data.width <= 1:
            repeats.extend(src.repeats)
        elif main is None:
            main = src
        else:
            raise PovexitError(EI.NOT_AN_EXPORT(file=path.name, reason=f"two main tables ({main.display}, {n})"))
    if main is None:
        raise PovexitError(EI.NOT_AN_EXPORT(file=path.name, reason="no main table (only repeat CSVs)"))
    main.repeats = repeats
    main.sha256 = sha256_bytes(raw)
    return main


def read_xlsx(path: Path) -> RawSource:
    """Kobo XLSX export (main sheet + one sheet per repeat) or a plain contract workbook."""
    import openpyxl

    raw = path.read_bytes()
    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds
        raise PovexitError(FILE_UNREADABLE(file=path.name, reason=str(exc)[:200])) from exc
    try:
        frames: list[tuple[str, pl.DataFrame]] = []
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=False)
            header: list[str] | None = None
            cols: list[list[str | None]] = []
            rownums: list[int] = []
            for r in rows:
                cells = [c.value for c in r]
                if header is None:
                    if all(v in (None, "") for v in cells):
                        continue
                    header = [str(v).strip() if v is not None else f"_col{i + 1}" for i, v in enumerate(cells)]
                    while header and header[-1].startswith("_col"):
                        header.pop()
                    cols = [[] for _ in header]
                    continue
                vals = [tabular._cell_text(v) for v in cells[: len(header)]] + [None] * max(0, len(header) - len(cells))
                if all(v is None or str(v).strip() == "" for v in vals):
                    continue
                rownums.append(getattr(r[0], "row", len(rownums) + 2))
                for j in range(len(header)):
                    cols[j].append(vals[j])
            if header is None:
                continue
            header = _dedupe(header)
            df = pl.DataFrame({ROW: pl.Series(rownums, dtype=pl.Int64)} |
                              {h: pl.Series(cols[j], dtype=pl.String) for j, h in enumerate(header)})
            frames.append((ws.title, df))
    finally:
        wb.close()
    if not frames:
        raise PovexitError(EI.NOT_AN_EXPORT(file=path.name, reason="the workbook is empty"))
    (title, main), rest = frames[0], frames[1:]
    kind = _classify(main.columns)
    if kind == "plain" and _members_only(main.columns):
        return RawSource(path.name, "plain", pl.DataFrame(schema={ROW: pl.Int64}),
                         [RawRepeat("members", f"{path.name}:{title}", main)], None, sha256_bytes(raw))
    repeats = [RawRepeat(t, f"{path.name}:{t}", df) for t, df in rest]
    return RawSource(f"{path.name}:{title}" if rest else path.name, kind, main, repeats, None, sha256_bytes(raw))


def _dedupe(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in header:
        if h in seen:
            seen[h] += 1
            out.append(f"{h}__dup{seen[h]}")
        else:
            seen[h] = 0
            out.append(h)
    return out


# ---- OData JSON (pyodk) ------------------------------------------------------------------------------

def _flatten_odata(obj: dict, prefix: str, out: dict[str, str | None], repeats: dict[str, list[tuple[dict, str]]],
                   parent_id: str) -> None:
    for k, v in obj.items():
        if k.endswith("@odata.navigationLink") or k in ("__Submissions-id",) or k.startswith("__"):
            continue
        path = f"{prefix}-{k}" if prefix else k
        if isinstance(v, list):
            repeats.setdefault(k, []).extend((item, parent_id) for item in v if isinstance(item, dict))
        elif isinstance(v, dict):
            if v.get("type") == "Point" and "coordinates" in v:
                c = list(v.get("coordinates") or [])
                lon, lat = [*c, None, None][:2]
                alt = c[2] if len(c) > 2 else None
                acc = (v.get("properties") or {}).get("accuracy")
                out[path] = " ".join(str(x) for x in (lat, lon, alt, acc) if x is not None)
            else:
                _flatten_odata(v, path, out, repeats, parent_id)
        elif isinstance(v, bool):
            out[path] = "true" if v else "false"
        else:
            out[path] = None if v is None else str(v)


def odata_to_source(payload: dict | list, display: str, form_id: str | None = None, sha256: str = "") -> RawSource:
    """OData JSON (``{"value": [...]}``, repeats expanded) → a Central-shaped raw source."""
    rows = payload.get("value", []) if isinstance(payload, dict) else payload
    if not isinstance(rows, list):
        raise PovexitError(EI.NOT_AN_EXPORT(file=display, reason="no 'value' list in the OData JSON"))
    main_rows: list[dict[str, str | None]] = []
    repeats: dict[str, list[tuple[dict, str]]] = {}
    for i, sub in enumerate(rows):
        if not isinstance(sub, dict):
            continue
        key = str(sub.get("__id") or "")
        flat: dict[str, str | None] = {ROW: str(i + 1)}
        system = sub.get("__system") or {}
        flat["KEY"] = key
        flat["SubmissionDate"] = system.get("submissionDate")
        flat["SubmitterName"] = system.get("submitterName")
        flat["ReviewState"] = system.get("reviewState")
        flat["Edits"] = None if system.get("edits") is None else str(system.get("edits"))
        flat["FormVersion"] = system.get("formVersion")
        flat["_deleted_at"] = system.get("deletedAt")  # pulled with ?deleted=true: in the trash
        _flatten_odata(sub, "", flat, repeats, key)
        main_rows.append(flat)
    main = _rows_frame(main_rows)
    reps: list[RawRepeat] = []
    for name, items in sorted(repeats.items()):
        rrows: list[dict[str, str | None]] = []
        for j, (item, parent) in enumerate(items):
            flat = {ROW: str(j + 1), "PARENT_KEY": parent, "KEY": str(item.get("__id") or f"{parent}/{name}[{j + 1}]")}
            sub_repeats: dict[str, list[tuple[dict, str]]] = {}
            _flatten_odata(item, "", flat, sub_repeats, flat["KEY"] or "")
            rrows.append(flat)
        reps.append(RawRepeat(name, f"{display}:{name}", _rows_frame(rrows)))
    return RawSource(display, "central", main, reps, form_id, sha256)


def _rows_frame(rows: list[dict[str, str | None]]) -> pl.DataFrame:
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    if not rows:
        return pl.DataFrame(schema={ROW: pl.Int64})
    df = pl.DataFrame({c: pl.Series([r.get(c) for r in rows], dtype=pl.String) for c in cols})
    return df.with_columns(pl.col(ROW).cast(pl.Int64))


def read_json(path: Path) -> RawSource:
    raw = path.read_bytes()
    try:
        payload = json.loads(_decode(raw, path.name))
    except json.JSONDecodeError as exc:
        raise PovexitError(EI.NOT_AN_EXPORT(file=path.name, reason=f"invalid JSON ({exc.msg})")) from exc
    form_id = payload.get("form_id") if isinstance(payload, dict) else None
    return odata_to_source(payload, path.name, form_id, sha256_bytes(raw))


def read_source(path: str | Path) -> RawSource:
    path = Path(path)
    if not path.exists():
        raise PovexitError(FILE_NOT_FOUND(file=str(path)))
    ext = path.suffix.lower()
    if ext == ".zip":
        return read_zip(path)
    if ext in (".csv", ".txt", ".tsv"):
        return read_csv_file(path)
    if ext in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if ext == ".json":
        return read_json(path)
    raise PovexitError(EI.NOT_AN_EXPORT(file=path.name, reason="expected .zip, .csv, .xlsx or .json"))
