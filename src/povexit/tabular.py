"""Read a contract table from CSV (UTF-8, UTF-8-BOM, GB18030/GBK), XLSX or Parquet.

Detects the encoding and delimiter, finds the header row (government exports put a title row or
two above it), maps Chinese/English/variant headers to the contract's English names, and keeps the
row number the user sees (spreadsheet row / CSV line) in ``_row`` so every error can point at it.
All columns come back as text (``pl.String``); typing and checking is the caller's job.

Large CSVs are scanned lazily (``lazy=True``) so registry-wide work stays streaming.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from . import errors as E
from .contracts import TableSpec, normalise_header

ROW = "_row"
CSV_EXTS = (".csv", ".txt", ".tsv")
XLSX_EXTS = (".xlsx", ".xlsm")
PARQUET_EXTS = (".parquet", ".pq")
HEADER_SCAN_ROWS = 15


@dataclass
class RawTable:
    spec: TableSpec
    path: Path
    data: pl.DataFrame | pl.LazyFrame
    encoding: str | None = None
    header_row: int = 1  # 1-based row of the header as the user sees it
    headers: dict[str, str] = field(default_factory=dict)  # canonical name -> header as written
    extra_columns: list[str] = field(default_factory=list)
    diagnostics: list[E.Diagnostic] = field(default_factory=list)
    # the cells as read, before stripping and dropping blank rows (for a cheap scan of one column)
    unstripped: pl.DataFrame | pl.LazyFrame | None = None
    _tmp: str | None = None

    def collect(self) -> pl.DataFrame:
        return self.data.collect() if isinstance(self.data, pl.LazyFrame) else self.data

    def header_of(self, column: str) -> str:
        """The header the user wrote for a canonical column (for error messages)."""
        return self.headers.get(column, column)

    def close(self) -> None:
        if self._tmp and os.path.exists(self._tmp):
            os.unlink(self._tmp)
            self._tmp = None

    def __del__(self) -> None:  # pragma: no cover - best effort
        with contextlib.suppress(Exception):
            self.close()


def find_table_file(directory: Path, spec: TableSpec) -> Path | None:
    """The file in ``directory`` holding ``spec`` (by stem, any supported extension)."""
    if not directory.is_dir():
        return None
    files = {p.name.lower(): p for p in directory.iterdir() if p.is_file()}
    for stem in spec.stems:
        for ext in (*CSV_EXTS, *XLSX_EXTS, *PARQUET_EXTS):
            p = files.get(f"{stem}{ext}".lower())
            if p is not None:
                return p
    return None


# ---- encoding ------------------------------------------------------------------------------------

def detect_encoding(path: Path, *, full_check_bytes: int = 64 << 20) -> str:
    """``utf-8-sig`` / ``utf-8`` / ``gb18030`` (GBK is a subset) or another charset-normalizer guess.

    UTF-8 is verified over the whole file (streamed, up to ``full_check_bytes`` then sampled), since a
    GBK file can start with pure ASCII and only show its encoding further down.
    """
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(path, "utf-8", full_check_bytes):
        return "utf-8"
    if _decodes(path, "gb18030", full_check_bytes):
        return "gb18030"
    from charset_normalizer import from_path

    best = from_path(path).best()
    if best is None:
        raise E.PovexitError(E.ENCODING_UNKNOWN(file=str(path)))
    return best.encoding


def _decodes(path: Path, encoding: str, limit: int) -> bool:
    dec = codecs.getincrementaldecoder(encoding)(errors="strict")
    size = path.stat().st_size
    try:
        with open(path, "rb") as fh:
            if size <= limit:
                while chunk := fh.read(1 << 20):
                    dec.decode(chunk)
                dec.decode(b"", final=True)
            else:  # sample: start, and 1 MiB windows spread over the file
                dec.decode(fh.read(limit // 2))
                step = size // 32
                for i in range(1, 32):
                    fh.seek(i * step)
                    window = fh.read(1 << 20)
                    # resynchronise on a line start so a split multi-byte char is not blamed
                    nl = window.find(b"\n")
                    if nl >= 0:
                        d = codecs.getincrementaldecoder(encoding)(errors="strict")
                        d.decode(window[nl + 1 : window.rfind(b"\n") + 1], final=True)
        return True
    except UnicodeDecodeError:
        return False


def _transcode_to_utf8(path: Path, encoding: str) -> str:
    fd, tmp = tempfile.mkstemp(suffix=".csv", prefix="povexit-utf8-")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out, open(
        path, encoding=encoding, errors="strict", newline=""
    ) as src:
        while chunk := src.read(1 << 22):
            out.write(chunk)
    return tmp


# ---- header detection ----------------------------------------------------------------------------

def _header_score(cells: list[object], header_map: dict[str, str]) -> int:
    return len({header_map[h] for h in (normalise_header(c) for c in cells) if h in header_map})


def locate_header(rows: list[list[object]], spec: TableSpec) -> int | None:
    """0-based index of the header row among the first rows, or None."""
    hm = spec.header_map()
    need = max(1, min(3, len(spec.required) or 1))
    best, best_i = 0, None
    for i, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        s = _header_score(cells, hm)
        if s > best:
            best, best_i = s, i
    return best_i if best >= need else None


def map_headers(
    raw_headers: list[object], spec: TableSpec, path: Path
) -> tuple[list[str], dict[str, str], list[str], list[E.Diagnostic]]:
    """Canonical names for the raw headers; unknown headers are kept (stripped) as extra columns."""
    hm = spec.header_map()
    names: list[str] = []
    written: dict[str, str] = {}
    extra: list[str] = []
    diags: list[E.Diagnostic] = []
    seen: dict[str, str] = {}
    for i, h in enumerate(raw_headers):
        raw = "" if h is None else str(h).strip()
        canon = hm.get(normalise_header(raw))
        if canon is None:
            canon = raw or f"_col{i + 1}"
            if canon in seen:
                canon = f"{canon}_{i + 1}"
            extra.append(canon)
        elif canon in seen:
            diags.append(E.DUPLICATE_COLUMN(file=str(path), column=canon, headers=f"{seen[canon]}, {raw}"))
            canon = f"{canon}__dup{i + 1}"
        seen[canon] = raw
        written[canon] = raw
        names.append(canon)
    for c in spec.required:
        if c.name not in seen:
            diags.append(E.MISSING_COLUMN(file=str(path), column=c.name, zh=c.zh))
    return names, written, extra, diags


# ---- readers -------------------------------------------------------------------------------------

def read_table(path: str | Path, spec: TableSpec, *, lazy: bool = False, fast_strip: bool = False) -> RawTable:
    """Read ``path`` as table ``spec``. Raises :class:`PovexitError` when it cannot be read at all;
    column-level problems (missing/duplicate columns) are returned in ``diagnostics``.

    Cells are stripped of surrounding white space and a blank cell is null.  With ``fast_strip``
    (for 10^7-row files) only cells that start or end with a space or an ideographic space (U+3000)
    are stripped (of all surrounding white space), which saves a third of the read; a tab or NBSP
    alone at the edge of a cell is then kept."""
    path = Path(path)
    if not path.exists():
        raise E.PovexitError(E.FILE_NOT_FOUND(file=str(path)))
    ext = path.suffix.lower()
    try:
        if ext in CSV_EXTS:
            return _read_csv(path, spec, lazy=lazy, fast_strip=fast_strip)
        if ext in XLSX_EXTS:
            return _read_xlsx(path, spec)
        if ext in PARQUET_EXTS:
            return _read_parquet(path, spec, lazy=lazy, fast_strip=fast_strip)
    except E.PovexitError:
        raise
    except (OSError, pl.exceptions.PolarsError, csv.Error, ValueError, KeyError) as exc:
        raise E.PovexitError(E.FILE_UNREADABLE(file=str(path), reason=str(exc).splitlines()[0][:200])) from exc
    raise E.PovexitError(E.UNKNOWN_FORMAT(file=str(path)))


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return "\t" if sample.count("\t") > sample.count(",") else ","


def _read_csv(path: Path, spec: TableSpec, *, lazy: bool, fast_strip: bool = False) -> RawTable:
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as fh:
        head_text = fh.read(256 * 1024)
    lines = head_text.splitlines(keepends=True)
    if len(head_text) == 256 * 1024 and len(lines) > 1:
        lines = lines[:-1]  # last line may be cut
    sample = "".join(lines[: HEADER_SCAN_ROWS + 5])
    delim = _sniff_delimiter(sample)
    rows = list(csv.reader(io.StringIO(sample), delimiter=delim))
    hidx = locate_header(rows, spec)
    if hidx is None:
        raise E.PovexitError(
            E.HEADER_NOT_FOUND(file=str(path), scanned=HEADER_SCAN_ROWS,
                               expected=", ".join(f"{c.zh}/{c.name}" for c in spec.required[:4]))
        )
    skip = hidx  # title rows above the header (a title cell with a quoted newline is not supported)
    names, written, extra, diags = map_headers(rows[hidx], spec, path)
    tmp = None
    src = str(path)
    data_start = len("".join(lines[: hidx + 1]).encode(encoding))  # bytes up to the first data row
    if encoding not in ("utf-8", "utf-8-sig"):
        tmp = _transcode_to_utf8(path, encoding)
        src = tmp
        data_start = len("".join(lines[: hidx + 1]).encode("utf-8"))
    kwargs = dict(
        separator=delim,
        has_header=True,
        skip_rows=skip,
        infer_schema=False,
        row_index_name=ROW,
        row_index_offset=hidx + 2,  # first data row as the user counts it (header is row hidx+1)
        empty_string_is_null=True,
        new_columns=names,
        truncate_ragged_lines=True,
        encoding="utf8",
        quote_char='"',
    )
    if lazy:
        data: pl.DataFrame | pl.LazyFrame = pl.scan_csv(src, **kwargs)
    else:
        data = pl.read_csv(src, **kwargs)
    # a file without a space or an ideographic space has no cell for the fast strip to change
    strip = not fast_strip or _may_have_edge_spaces(src, data_start)
    unstripped = data
    data = _strip_bom_and_blank(data, fast_strip, strip=strip)
    return RawTable(spec, path, data, encoding=encoding, header_row=hidx + 1, headers=written,
                    extra_columns=extra, diagnostics=diags, unstripped=unstripped, _tmp=tmp)


_IDEOGRAPHIC_SPACE = "\u3000".encode()
_SCAN_CHUNK = 4 << 20
_MAX_E3_HITS = 100_000  # lead bytes of CJK punctuation checked one by one; beyond this, assume a space


def _may_have_edge_spaces(path: str, start: int) -> bool:
    """False when the UTF-8 file holds neither a space nor U+3000 from byte ``start`` on: then no
    cell starts or ends with one and the fast strip would change nothing.  Chunked ``find`` (memchr
    speed): about a tenth of a second per GB.  True (strip as usual) when unsure."""
    buf = bytearray(_SCAN_CHUNK + 2)
    hits = 0
    with open(path, "rb") as fh:
        fh.seek(start)
        carry = 0
        while True:
            n = fh.readinto(memoryview(buf)[carry:_SCAN_CHUNK + carry]) + carry
            if n == carry:
                return False
            if buf.find(b" ", 0, n) >= 0:
                return True
            i = buf.find(b"\xe3", 0, n)
            while i >= 0 and i + 2 < n:
                if buf[i : i + 3] == _IDEOGRAPHIC_SPACE:
                    return True
                hits += 1
                if hits > _MAX_E3_HITS:
                    return True
                i = buf.find(b"\xe3", i + 1, n)
            # keep the last two bytes: U+3000 may straddle the chunks
            carry = min(2, n)
            buf[:carry] = buf[n - carry : n]


def blank_to_null(e: pl.Expr) -> pl.Expr:
    """Strip surrounding white space (incl. the ideographic space U+3000); empty → null.

    Written with ``when/then`` because ``Expr.replace`` makes Polars leave the streaming engine
    (the whole file would be loaded into memory)."""
    s = e.str.strip_chars()  # Unicode White_Space: includes U+3000 and U+00A0
    return pl.when(s == "").then(None).otherwise(s)


def _edge_space(e: pl.Expr) -> pl.Expr:
    return (e.str.starts_with(" ") | e.str.ends_with(" ") | e.str.starts_with("\u3000")
            | e.str.ends_with("\u3000"))


def _strip_bom_and_blank(
    data: pl.DataFrame | pl.LazyFrame, fast_strip: bool = False, *, strip: bool = True
) -> pl.DataFrame | pl.LazyFrame:
    cols = [c for c in data.collect_schema().names() if c != ROW]
    if not strip:
        cleaned = []
    elif fast_strip:
        # Polars evaluates a ``then`` branch only when some row needs it: clean columns cost a test
        cleaned = [pl.when(_edge_space(pl.col(c))).then(blank_to_null(pl.col(c))).otherwise(pl.col(c)).alias(c)
                   for c in cols]
    else:
        cleaned = [blank_to_null(pl.col(c)).alias(c) for c in cols]
    trimmed = data.with_columns(cleaned) if cleaned else data
    # drop rows that are entirely empty (Excel leaves them at the end)
    if cols:
        trimmed = trimmed.filter(~pl.all_horizontal([pl.col(c).is_null() for c in cols]))
    return trimmed


# Excel keeps 15 significant digits: a larger number in a cell has already lost digits.
_EXCEL_EXACT_LIMIT = 1e15


def _cell_text(v: object) -> str | None:
    """Cell value as the text the user sees. A float of 16+ digits (an ID number Excel stored as a
    number) is rendered the way Excel shows it, ``1.10101199003077E+17``, so checks can say so."""
    if v is None:
        return None
    if isinstance(v, float):
        if abs(v) >= _EXCEL_EXACT_LIMIT:
            mant, exp = f"{v:.14E}".split("E")
            return f"{mant.rstrip('0').rstrip('.')}E+{int(exp)}"
        if v.is_integer():
            return str(int(v))
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def _iter_xlsx_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        for r in ws.iter_rows(values_only=False):
            if not r:
                continue
            rownum = getattr(r[0], "row", None)
            yield rownum, [c.value for c in r]
    finally:
        wb.close()


def _read_xlsx(path: Path, spec: TableSpec) -> RawTable:
    it = _iter_xlsx_rows(path)
    head: list[tuple[int, list[object]]] = []
    for item in it:
        head.append(item)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    hidx = locate_header([cells for _, cells in head], spec)
    if hidx is None:
        raise E.PovexitError(
            E.HEADER_NOT_FOUND(file=str(path), scanned=HEADER_SCAN_ROWS,
                               expected=", ".join(f"{c.zh}/{c.name}" for c in spec.required[:4]))
        )
    header_rownum, header_cells = head[hidx]
    while header_cells and header_cells[-1] in (None, ""):
        header_cells = header_cells[:-1]
    names, written, extra, diags = map_headers(header_cells, spec, path)
    ncol = len(names)
    cols: list[list[str | None]] = [[] for _ in range(ncol)]
    rownums: list[int] = []

    def add(rownum: int, cells: list[object]) -> None:
        vals = [_cell_text(v) for v in cells[:ncol]] + [None] * max(0, ncol - len(cells))
        if all(v is None or str(v).strip() == "" for v in vals):
            return
        rownums.append(rownum)
        for j in range(ncol):
            cols[j].append(vals[j])

    for rownum, cells in head[hidx + 1 :]:
        add(rownum, cells)
    for rownum, cells in it:
        add(rownum, cells)
    df = pl.DataFrame({ROW: pl.Series(rownums, dtype=pl.Int64)} | {
        n: pl.Series(cols[j], dtype=pl.String) for j, n in enumerate(names)
    })
    df = _strip_bom_and_blank(df)
    return RawTable(spec, path, df, encoding=None, header_row=header_rownum, headers=written,
                    extra_columns=extra, diagnostics=diags)


def _read_parquet(path: Path, spec: TableSpec, *, lazy: bool, fast_strip: bool = False) -> RawTable:
    lf = pl.scan_parquet(path)
    raw = lf.collect_schema().names()
    names, written, extra, diags = map_headers(raw, spec, path)
    lf = lf.rename(dict(zip(raw, names, strict=True)))
    lf = lf.with_columns([pl.col(n).cast(pl.String) for n in names]).with_row_index(ROW, offset=1)
    lf = lf.with_columns(pl.col(ROW).cast(pl.Int64))
    data = _strip_bom_and_blank(lf, fast_strip)
    return RawTable(spec, path, data if lazy else data.collect(), encoding=None, header_row=0,
                    headers=written, extra_columns=extra, diagnostics=diags)
