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
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from . import errors as E
from .contracts import TableSpec, normalise_header
from .errors import registry as R

ROW = "_row"
CSV_EXTS = (".csv", ".txt", ".tsv")
XLSX_EXTS = (".xlsx", ".xlsm")
PARQUET_EXTS = (".parquet", ".pq")
# spreadsheets povexit cannot read itself: recognised so the error can say what to do (a system export
# named .xls that is really CSV or XLSX inside is read as such)
OLD_SPREADSHEET_EXTS = (".xls", ".et", ".ods", ".numbers")
HEADER_SCAN_ROWS = 15
# UTF-8 is verified over the whole of a file up to this size; above it, over its first half and
# SAMPLE_WINDOWS windows of 1 MiB (bytes that are not UTF-8 elsewhere are caught by the CSV reader:
# see ``registry.source.RegistrySource.recover_encoding``)
FULL_CHECK_BYTES = 64 << 20
SAMPLE_WINDOWS = 32


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
    sheet: str | None = None  # the worksheet read (XLSX)
    verified: bool = True  # the encoding was checked over the whole file (False: sampled)
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

def detect_encoding(path: Path, *, full_check_bytes: int | None = None) -> str:
    """``utf-8-sig`` / ``utf-8`` / ``utf-16(-le/-be)`` / ``gb18030`` (GBK is a subset) or another
    charset-normalizer guess.

    UTF-8 is verified over the whole file (streamed, up to ``FULL_CHECK_BYTES`` then sampled), since a
    GBK file can start with pure ASCII and only show its encoding further down.  Raises for Big5 (a
    traditional-Chinese file decodes as GB18030 without an error, as nonsense) and for a file that is
    UTF-8 up to some line and then something else (files of different encodings pieced together)."""
    limit = FULL_CHECK_BYTES if full_check_bytes is None else full_check_bytes
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(codecs.BOM_UTF8):
        bad = _first_bad(path, "utf-8", limit)  # the BOM says UTF-8: other bytes come from another file
        if bad is not None:
            raise E.PovexitError(R.ENCODING_MIXED(file=str(path), row=bad[0] or _line_at(path, bad[1]),
                                                  offset=bad[1]))
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = _utf16_without_bom(head)
    if utf16:
        return utf16
    bad = _first_bad(path, "utf-8", limit)
    if bad is None:
        return "utf-8"
    if utf8_chars_before(path, bad[1]) >= 8:
        raise E.PovexitError(R.ENCODING_MIXED(file=str(path), row=bad[0] or _line_at(path, bad[1]), offset=bad[1]))
    if _decodes(path, "gb18030", limit):
        if _looks_big5(path):
            raise E.PovexitError(R.ENCODING_BIG5(file=str(path)))
        return "gb18030"
    from charset_normalizer import from_path

    best = from_path(path).best()
    if best is None:
        raise E.PovexitError(E.ENCODING_UNKNOWN(file=str(path)))
    if best.encoding.lower().startswith(("big5", "cp950")):
        raise E.PovexitError(R.ENCODING_BIG5(file=str(path)))
    return best.encoding


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text without a byte-order mark: mostly ASCII, so every other byte is zero."""
    if len(head) < 16:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decodes(path: Path, encoding: str, limit: int) -> bool:
    return _first_bad(path, encoding, limit) is None


def _first_bad(path: Path, encoding: str, limit: int | None = None) -> tuple[int, int] | None:
    """(line, byte offset) of the first byte that does not decode, or None.  Files above ``limit``
    are checked over their first half-limit and ``SAMPLE_WINDOWS`` windows (then the line of a bad
    byte in a window is not known: 0)."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        if limit is None or size <= limit:
            return _scan_lines(fh, encoding, None)
        found = _scan_lines(fh, encoding, limit // 2)
        if found is not None:
            return found
        step = size // max(1, SAMPLE_WINDOWS)
        for i in range(1, SAMPLE_WINDOWS):
            fh.seek(i * step)
            window = fh.read(1 << 20)
            # resynchronise on a line start so a split multi-byte char is not blamed
            nl = window.find(b"\n")
            if nl >= 0:
                part = window[nl + 1 : window.rfind(b"\n") + 1]
                try:
                    part.decode(encoding)
                except UnicodeDecodeError as exc:
                    return 0, i * step + nl + 1 + exc.start
    return None


def _scan_lines(fh, encoding: str, limit: int | None) -> tuple[int, int] | None:
    """Decode ``fh`` from its start in pieces cut at line ends; the first failure as (line, offset)."""
    offset, line, carry, read = 0, 1, b"", 0
    while True:
        want = 1 << 22 if limit is None else min(1 << 22, limit - read)
        chunk = fh.read(want) if want > 0 else b""
        read += len(chunk)
        buf = carry + chunk
        if not chunk:
            piece, carry = buf, b""
        else:
            cut = buf.rfind(b"\n") + 1
            piece, carry = buf[:cut], buf[cut:]
            if limit is not None and read >= limit:
                carry = b""  # the last partial line of a sampled prefix is not judged
        try:
            piece.decode(encoding)
        except UnicodeDecodeError as exc:
            return line + piece.count(b"\n", 0, exc.start), offset + exc.start
        offset += len(piece)
        line += piece.count(b"\n")
        if not chunk or (limit is not None and read >= limit):
            return None


def _line_at(path: Path, offset: int) -> int:
    line, done = 1, 0
    with open(path, "rb") as fh:
        while done < offset and (chunk := fh.read(min(1 << 22, offset - done))):
            line += chunk.count(b"\n")
            done += len(chunk)
    return line


def utf8_chars_before(path: Path, offset: int, cap: int = 32 << 20) -> int:
    """Non-ASCII characters that decode as UTF-8 before ``offset`` (8 or more: the file starts as
    UTF-8 text, so the bytes at ``offset`` come from another file)."""
    with open(path, "rb") as fh:
        data = fh.read(min(offset, cap))
    text = data.decode("utf-8", errors="ignore")
    return sum(1 for _ in zip(range(8), re.finditer(r"[^\x00-\x7f]", text), strict=False))


def _looks_big5(path: Path) -> bool:
    """Big5 bytes decode as GB18030 without error, but as characters mainland text rarely uses: in
    GB18030 text nearly all two-byte characters are in the GB2312 range (both bytes ≥ 0xA1); a Big5
    trail byte is below 0xA1 for ~40% of characters."""
    with open(path, "rb") as fh:
        raw = fh.read(1 << 20)
    text = raw.decode("gb18030", errors="ignore")
    two = gb2312 = 0
    for m in re.finditer(r"[^\x00-\x7f]", text):
        b = m.group().encode("gb18030")
        if len(b) != 2:
            continue
        two += 1
        gb2312 += b[0] >= 0xA1 and b[1] >= 0xA1
        if two >= 4000:
            break
    if two < 20 or gb2312 >= 0.8 * two:
        return False
    try:
        raw[: raw.rfind(b"\n") + 1].decode("cp950")
    except UnicodeDecodeError:
        return False
    return True


def undecodable(path: Path, encoding: str) -> tuple[int, int] | None:
    """(line, byte offset) of the first byte of ``path`` that is not ``encoding`` (whole file)."""
    return _first_bad(path, encoding, None)


def is_encoding_error(exc: BaseException) -> bool:
    """A Polars error about bytes that are not UTF-8 (met in a file whose encoding was sampled)."""
    msg = str(exc).lower()
    return isinstance(exc, pl.exceptions.PolarsError) and ("utf-8" in msg or "utf8" in msg)


_OLE = bytes.fromhex("D0CF11E0A1B11AE1")


def sniff_container(path: Path) -> str | None:
    """What a spreadsheet-looking file really is: ``xlsx``, ``ods`` (zip), ``ole`` (Excel 97-2003 or WPS),
    ``html`` / ``xml2003`` (what web systems export as "xls"), or None (text)."""
    with open(path, "rb") as fh:
        head = fh.read(2048)
    if head.startswith(b"PK\x03\x04"):
        import zipfile

        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            return "zip"
        if "xl/workbook.xml" in names or any(n.endswith("workbook.xml") for n in names):
            return "xlsx"
        return "ods" if "content.xml" in names else "zip"
    if head.startswith(_OLE):
        with open(path, "rb") as fh:
            directory = fh.read(1 << 16)
        return "encrypted" if "EncryptedPackage".encode("utf-16-le") in directory else "ole"
    low = head.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if low.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")) or b"<html" in low[:1024]:
        return "html"
    if low.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "xml2003"
    return None


_CONTAINER_KINDS = {
    "encrypted": ("设了打开密码的加密 Excel 工作簿", "a password-protected (encrypted) Excel workbook"),
    "ole": ("旧版 Excel 97-2003 工作簿（.xls）或 WPS 表格（.et）", "an Excel 97-2003 (.xls) or WPS (.et) workbook"),
    "html": ("网页（HTML）表格（系统导出的“xls”常是这种）", "a web-page (HTML) table (what many systems export as 'xls')"),
    "xml2003": ("Excel 2003 XML 表格", "an Excel 2003 XML spreadsheet"),
    "ods": ("OpenDocument 表格（.ods）", "an OpenDocument spreadsheet (.ods)"),
    "zip": ("压缩包（不是 Excel 工作簿）", "a zip archive (not an Excel workbook)"),
    "numbers": ("Apple Numbers 表格", "an Apple Numbers spreadsheet"),
}


def _container_error(path: Path, kind: str) -> E.PovexitError:
    zh, en = _CONTAINER_KINDS.get(kind, _CONTAINER_KINDS["ole"])
    return E.PovexitError(R.OLD_SPREADSHEET(file=str(path), kind=zh, kind_en=en))


def _transcode_to_utf8(path: Path, encoding: str) -> str:
    fd, tmp = tempfile.mkstemp(suffix=".csv", prefix="povexit-utf8-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out, open(
            path, encoding=encoding, errors="strict", newline=""
        ) as src:
            while chunk := src.read(1 << 22):
                out.write(chunk)
    except BaseException:
        os.unlink(tmp)
        raise
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


def _text(v: object) -> str:
    return "" if v is None else str(v).strip()


def combine_header_rows(upper: list[object], lower: list[object], header_map: dict[str, str]) -> list[str]:
    """One header from a two-row header: the lower row's name, else the upper row's (a cell merged
    down over both rows); a lower name that is no column by itself is tried after the upper row's
    group label (``是否参加`` over ``大病保险``, the label written in the first cell of its merge)."""
    n = max(len(upper), len(lower))
    up = [_text(c) for c in upper] + [""] * (n - len(upper))
    lo = [_text(c) for c in lower] + [""] * (n - len(lower))
    out, label = [], ""
    for u, lw in zip(up, lo, strict=True):
        label = u or label
        if not lw:
            out.append(u)
        elif normalise_header(lw) in header_map or not label or normalise_header(label + lw) not in header_map:
            out.append(lw)
        else:
            out.append(label + lw)
    return out


def locate_header_rows(rows: list[list[object]], spec: TableSpec) -> tuple[int, list[object]] | None:
    """(0-based index of the last header row, the header cells) among the first rows, or None.  The
    header is the best-matching row, joined with the row below or above it when that names more
    columns (a two-row header: a group row with merged cells over the column names)."""
    h = locate_header(rows, spec)
    if h is None:
        return None
    hm = spec.header_map()
    best = (_header_score(rows[h], hm), h, list(rows[h]))
    for upper, lower in ((h, h + 1), (h - 1, h)):
        if upper < 0 or lower >= min(len(rows), HEADER_SCAN_ROWS + 1):
            continue
        cells = combine_header_rows(rows[upper], rows[lower], hm)
        score = _header_score(cells, hm)
        if score > best[0]:
            best = (score, lower, cells)
    return best[1], best[2]


def column_letter(i: int) -> str:
    """Spreadsheet column letter of the 0-based column ``i`` (A, …, Z, AA, …)."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def map_headers(
    raw_headers: list[object], spec: TableSpec, path: Path, header_row: int | None = None
) -> tuple[list[str], dict[str, str], list[str], list[E.Diagnostic]]:
    """Canonical names for the raw headers; unknown headers are kept (stripped) as extra columns."""
    hm = spec.header_map()
    names: list[str] = []
    written: dict[str, str] = {}
    extra: list[str] = []
    diags: list[E.Diagnostic] = []
    seen: dict[str, str] = {}
    where: dict[str, int] = {}
    for i, h in enumerate(raw_headers):
        raw = " ".join(_text(h).split())  # a line break inside a header cell shows as a space
        canon = hm.get(normalise_header(raw))
        if canon is None:
            canon = raw or f"_col{i + 1}"
            if canon in seen:
                canon = f"{canon}_{i + 1}"
            extra.append(canon)
        elif canon in seen:
            diags.append(E.DUPLICATE_COLUMN(
                file=str(path), row=header_row, column=canon,
                headers=f"{seen[canon]} ({column_letter(where[canon])}), {raw} ({column_letter(i)})"))
            canon = f"{canon}__dup{i + 1}"
        seen[canon] = raw
        where[canon] = i
        written[canon] = raw
        names.append(canon)
    for c in spec.required:
        if c.name not in seen:
            diags.append(E.MISSING_COLUMN(file=str(path), row=header_row, column=c.name, zh=c.zh))
    return names, written, extra, diags


# ---- totals rows ---------------------------------------------------------------------------------

_TOTAL_WORDS = ("合计", "总计", "小计", "累计", "共计", "总合计")
_TOTAL_EN = ("total", "totals", "sum", "subtotal", "grand total")


def is_total_label(v: object) -> bool:
    """A cell that labels a totals row: 合计, 合 计, 合计：, 小计, Total …"""
    if not isinstance(v, str) or len(v) > 20 or ("计" not in v and v.lstrip()[:1] not in "tTsSgGｔＴｓＳ"):
        return False
    s = "".join(unicodedata.normalize("NFKC", v).split()).rstrip(":：").lower()
    return s.startswith(_TOTAL_WORDS) or s in _TOTAL_EN


def _is_totals_row(cells: list[object], required_idx: list[int]) -> int | None:
    """Index of the totals label when the row is a totals row (a label and a required cell empty)."""
    for j, v in enumerate(cells):
        if is_total_label(v):
            if any(k >= len(cells) or _text(cells[k]) == "" for k in required_idx):
                return j
            return None
    return None


# ---- readers -------------------------------------------------------------------------------------

def read_table(
    path: str | Path, spec: TableSpec, *, lazy: bool = False, fast_strip: bool = False, encoding: str | None = None
) -> RawTable:
    """Read ``path`` as table ``spec``. Raises :class:`PovexitError` when it cannot be read at all;
    column-level problems (missing/duplicate columns) are returned in ``diagnostics``.

    Cells are stripped of surrounding white space and a blank cell is null.  With ``fast_strip``
    (for 10^7-row files) only cells that start or end with a space or an ideographic space (U+3000)
    are stripped (of all surrounding white space), which saves a third of the read; a tab or NBSP
    alone at the edge of a cell is then kept.  ``encoding`` overrides the detection (CSV)."""
    path = Path(path)
    if not path.exists():
        raise E.PovexitError(E.FILE_NOT_FOUND(file=str(path)))
    ext = path.suffix.lower()
    try:
        if ext in (*XLSX_EXTS, *OLD_SPREADSHEET_EXTS, *CSV_EXTS):
            kind = sniff_container(path)
            if kind == "xlsx":
                return _read_xlsx(path, spec)
            if ext == ".numbers" or kind is not None:
                raise _container_error(path, "numbers" if ext == ".numbers" else kind or "zip")
            # text: CSV, or a system's "xls" export that is tab- or comma-separated text
            return _read_csv(path, spec, lazy=lazy, fast_strip=fast_strip, encoding=encoding)
        if ext in PARQUET_EXTS:
            return _read_parquet(path, spec, lazy=lazy, fast_strip=fast_strip)
    except E.PovexitError:
        raise
    except (OSError, pl.exceptions.PolarsError, csv.Error, ValueError, KeyError, UnicodeError) as exc:
        raise E.PovexitError(E.FILE_UNREADABLE(file=str(path), reason=_safe_reason(exc))) from exc
    raise E.PovexitError(E.UNKNOWN_FORMAT(file=str(path)))


def _safe_reason(exc: BaseException) -> str:
    """The first line of an error, long digit runs (ID numbers a library may quote) masked."""
    from .privacy import mask_id

    first = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
    return re.sub(r"[0-9]{6,}[0-9Xx]*", lambda m: mask_id(m.group()), first)


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return "\t" if sample.count("\t") > sample.count(",") else ","


def _read_csv(
    path: Path, spec: TableSpec, *, lazy: bool, fast_strip: bool = False, encoding: str | None = None
) -> RawTable:
    verified = encoding is not None or path.stat().st_size <= FULL_CHECK_BYTES
    encoding = encoding or detect_encoding(path)
    with open(path, encoding=encoding, newline="", errors="replace") as fh:
        head_text = fh.read(256 * 1024)
    lines = head_text.splitlines(keepends=True)
    if len(head_text) == 256 * 1024 and len(lines) > 1:
        lines = lines[:-1]  # last line may be cut
    sample = "".join(lines[: HEADER_SCAN_ROWS + 5])
    delim = _sniff_delimiter(sample)
    rows = list(csv.reader(io.StringIO(sample), delimiter=delim))
    found = locate_header_rows(rows, spec)
    if found is None:
        raise E.PovexitError(
            E.HEADER_NOT_FOUND(file=str(path), scanned=HEADER_SCAN_ROWS,
                               expected=", ".join(f"{c.zh}/{c.name}" for c in spec.required[:4]))
        )
    hidx, header_cells = found
    header_cells = header_cells[: len(rows[hidx])]  # the columns Polars sees in the header row
    skip = hidx  # rows above the header (a title cell with a quoted newline is not supported)
    names, written, extra, diags = map_headers(header_cells, spec, path, header_row=hidx + 1)
    tmp = None
    src = str(path)
    data_start = len("".join(lines[: hidx + 1]).encode(encoding))  # bytes up to the first data row
    if encoding not in ("utf-8", "utf-8-sig"):
        try:
            tmp = _transcode_to_utf8(path, encoding)
        except UnicodeDecodeError:  # beyond the sampled part of a big file
            bad = _first_bad(path, encoding) or (0, 0)
            raise E.PovexitError(R.ENCODING_MIXED(file=str(path), row=bad[0], offset=bad[1])) from None
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
    if '="' in "".join(lines[hidx + 1 :]):
        # ="…" cells: an export's guard that keeps long numbers as text in Excel (judged on the first rows)
        data = _unwrap_text_formulas(data)
    unstripped = data
    data = _strip_bom_and_blank(data, fast_strip, strip=strip)
    total = _csv_totals_row(src, delim, names, spec)
    if total is not None:
        column, label = total
        rows_found = data.lazy().filter(pl.col(column) == label).select(ROW).collect()[ROW].to_list()
        data = data.filter(pl.col(column).ne_missing(label))
        diags += [R.TOTALS_ROW_SKIPPED(file=str(path), row=r, column=written.get(column, column), value=label)
                  for r in rows_found]
    return RawTable(spec, path, data, encoding=encoding, header_row=hidx + 1, headers=written,
                    extra_columns=extra, diagnostics=diags, unstripped=unstripped, verified=verified, _tmp=tmp)


def _csv_totals_row(src: str, delim: str, names: list[str], spec: TableSpec) -> tuple[str, str] | None:
    """(column, label) when the last non-empty record of the UTF-8 file ``src`` is a totals row
    (合计 …); one read of the file's last 64 KiB."""
    size = os.path.getsize(src)
    with open(src, "rb") as fh:
        fh.seek(max(0, size - (64 << 10)))
        tail = fh.read()
    if size > len(tail):
        tail = tail[tail.find(b"\n") + 1 :]
    records = [r for r in csv.reader(io.StringIO(tail.decode("utf-8", errors="replace")), delimiter=delim)
               if any(c.strip() for c in r)]
    if not records:
        return None
    required = [names.index(c.name) for c in spec.required if c.name in names]
    j = _is_totals_row(records[-1], required)
    if j is None or j >= len(names):
        return None
    return names[j], records[-1][j].strip()


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


def _unwrap_text_formulas(data: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """``="530128…"`` → ``530128…`` in every column (the ``then`` branch runs only where a cell has one)."""
    cols = [c for c in data.collect_schema().names() if c != ROW]
    wrapped = [pl.col(c).str.starts_with('="') & pl.col(c).str.ends_with('"') for c in cols]
    return data.with_columns(
        pl.when(w).then(pl.col(c).str.slice(2).str.strip_suffix('"')).otherwise(pl.col(c)).alias(c)
        for c, w in zip(cols, wrapped, strict=True)
    )


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


_MERGE_RE = re.compile(rb'<(?:[A-Za-z0-9]+:)?mergeCell\b[^>]*?\bref="\$?([A-Z]+)\$?([0-9]+):\$?([A-Z]+)\$?([0-9]+)"')
_HIDDEN_ROW_RE = re.compile(rb'<(?:[A-Za-z0-9]+:)?row\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER_RE = re.compile(rb'\br="([0-9]+)"')


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _sheet_layout(wb, ws) -> tuple[list[tuple[int, int, int, int]], set[int]]:
    """Merged ranges (row1, col1, row2, col2; 1-based) and hidden rows of a read-only worksheet, from
    its XML (openpyxl's read-only mode does not expose them): one streamed regex pass."""
    merges: set[tuple[int, int, int, int]] = set()
    hidden: set[int] = set()
    try:
        fh = wb._archive.open(ws._worksheet_path)
    except (AttributeError, KeyError, OSError):  # pragma: no cover - other openpyxl internals
        return [], hidden
    with fh:
        carry = b""
        while chunk := fh.read(1 << 22):
            buf = carry + chunk
            for m in _MERGE_RE.finditer(buf):
                c1, r1, c2, r2 = _column_index(m.group(1)), int(m.group(2)), _column_index(m.group(3)), int(m.group(4))
                merges.add((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
            for m in _HIDDEN_ROW_RE.finditer(buf):
                r = _ROW_NUMBER_RE.search(m.group())
                if r:
                    hidden.add(int(r.group(1)))
            carry = buf[-1024:]  # a tag cut by the chunk end is matched again in the next buffer
    return sorted(merges), hidden


def _iter_sheet(ws, merges: list[tuple[int, int, int, int]] = ()) -> Iterator[tuple[int, list[object]]]:
    """(row number, cells) of every row, merged ranges filled with their top-left value (what Excel
    shows).  The sheet's recorded dimension is ignored: streaming exporters write ``A1``."""
    ws.reset_dimensions()
    starts: dict[int, list[tuple[int, int, int]]] = {}
    for r1, c1, r2, c2 in merges:
        starts.setdefault(r1, []).append((c1, c2, r2))
    active: list[tuple[int, int, int, object]] = []
    for rownum, row in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
        cells = list(row)
        if starts or active:
            for c1, c2, r2 in starts.pop(rownum, ()):
                active.append((c1, c2, r2, cells[c1 - 1] if len(cells) >= c1 else None))
            for c1, c2, _r2, value in active:
                if len(cells) < c2:
                    cells += [None] * (c2 - len(cells))
                for c in range(c1 - 1, c2):
                    if cells[c] is None:
                        cells[c] = value
            active = [a for a in active if a[2] > rownum]
        yield rownum, cells


def _iter_xlsx_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    """Rows of the first worksheet (kept for callers outside the registry)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        yield from _iter_sheet(wb.worksheets[0])
    finally:
        wb.close()


def _head(ws) -> list[list[object]]:
    out = []
    for _, cells in _iter_sheet(ws):
        out.append(cells)
        if len(out) >= HEADER_SCAN_ROWS + 1:
            break
    return out


def _pick_sheet(wb, path: Path, spec: TableSpec):
    """The worksheet holding the table: the one whose header names the most columns (visible sheets
    before hidden ones on a tie, then a sheet named like the table); several equally good sheets are
    an error listing them."""
    sheets = list(wb.worksheets)
    hm = spec.header_map()
    scored = []
    for ws in sheets:
        found = locate_header_rows(_head(ws), spec)
        if found is not None:
            scored.append((_header_score(found[1], hm), ws.sheet_state == "visible", ws))
    expected = ", ".join(f"{c.zh}/{c.name}" for c in spec.required[:4])
    if not scored:
        if len(sheets) == 1:
            raise E.PovexitError(E.HEADER_NOT_FOUND(file=str(path), scanned=HEADER_SCAN_ROWS, expected=expected))
        raise E.PovexitError(R.SHEET_NO_HEADER(file=str(path), sheets="、".join(ws.title for ws in sheets),
                                               scanned=HEADER_SCAN_ROWS, expected=expected))
    top = max(score for score, _, _ in scored)
    best = [(visible, ws) for score, visible, ws in scored if score == top]
    if any(visible for visible, _ in best):
        best = [(v, ws) for v, ws in best if v]
    if len(best) > 1:
        stems = {normalise_header(x) for x in spec.stems}
        named = [ws for _, ws in best if normalise_header(ws.title) in stems]
        if len(named) != 1:
            raise E.PovexitError(R.SHEET_AMBIGUOUS(file=str(path), table=spec.name, name=spec.stems[1]
                                                   if len(spec.stems) > 1 else spec.name,
                                                   sheets="、".join(ws.title for _, ws in best)))
        return named[0]
    return best[0][1]


def _read_xlsx(path: Path, spec: TableSpec) -> RawTable:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    with open(path, "rb") as fh:  # a file object: openpyxl judges a path by its extension (".xls")
        try:
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, TypeError, AttributeError, IndexError) as exc:
            raise E.PovexitError(E.FILE_UNREADABLE(file=str(path), reason=_safe_reason(exc))) from exc
        try:
            ws = _pick_sheet(wb, path, spec)
            merges, hidden = _sheet_layout(wb, ws)
            return _read_sheet(path, spec, ws, merges, hidden)
        finally:
            wb.close()


def _read_sheet(path: Path, spec: TableSpec, ws, merges, hidden: set[int]) -> RawTable:
    it = _iter_sheet(ws, merges)
    head: list[tuple[int, list[object]]] = []
    for item in it:
        head.append(item)
        if len(head) >= HEADER_SCAN_ROWS + 1:
            break
    found = locate_header_rows([cells for _, cells in head], spec)
    if found is None:  # pragma: no cover - _pick_sheet found one
        raise E.PovexitError(E.HEADER_NOT_FOUND(file=str(path), scanned=HEADER_SCAN_ROWS, expected=""))
    hidx, header_cells = found
    header_rownum = head[hidx][0]
    header_cells = list(header_cells)
    while header_cells and header_cells[-1] in (None, ""):
        header_cells = header_cells[:-1]
    names, written, extra, diags = map_headers(header_cells, spec, path, header_row=header_rownum)
    ncol = len(names)
    required = [names.index(c.name) for c in spec.required if c.name in names]
    cols: list[list[str | None]] = [[] for _ in range(ncol)]
    rownums: list[int] = []

    def add(rownum: int, cells: list[object]) -> None:
        vals = [_cell_text(v) for v in cells[:ncol]] + [None] * max(0, ncol - len(cells))
        if all(v is None or v.strip() == "" for v in vals):
            return
        j = _is_totals_row(vals, required)
        if j is not None:
            diags.append(R.TOTALS_ROW_SKIPPED(file=str(path), row=rownum, column=written.get(names[j], names[j]),
                                              value=vals[j].strip()))  # type: ignore[union-attr]
            return
        rownums.append(rownum)
        for k in range(ncol):
            cols[k].append(vals[k])

    for rownum, cells in head[hidx + 1 :]:
        add(rownum, cells)
    for rownum, cells in it:
        add(rownum, cells)
    data_merges = [m for m in merges if m[2] > header_rownum and m[1] <= ncol]
    if data_merges:
        r1, c1, r2, c2 = min(data_merges)
        ref = f"{column_letter(c1 - 1)}{max(r1, header_rownum + 1)}:{column_letter(c2 - 1)}{r2}"
        diags.append(R.MERGED_CELLS_FILLED(file=str(path), row=max(r1, header_rownum + 1),
                                           column=written.get(names[c1 - 1], names[c1 - 1]) if c1 <= ncol else None,
                                           value=ref, count=len(data_merges)))
    hidden_data = sorted(hidden.intersection(rownums)) if hidden else []
    if hidden_data:
        shown = ", ".join(str(r) for r in hidden_data[:10]) + ("…" if len(hidden_data) > 10 else "")
        diags.append(R.HIDDEN_ROWS(file=str(path), row=hidden_data[0], count=len(hidden_data), rows=shown))
    df = pl.DataFrame({ROW: pl.Series(rownums, dtype=pl.Int64)} | {
        n: pl.Series(cols[j], dtype=pl.String) for j, n in enumerate(names)
    })
    df = _strip_bom_and_blank(df)
    return RawTable(spec, path, df, encoding=None, header_row=header_rownum, headers=written,
                    extra_columns=extra, diagnostics=diags, sheet=ws.title)


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
