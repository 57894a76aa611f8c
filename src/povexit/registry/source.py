"""A raw registry directory (contract §1): which file holds which table, opened lazily.

Files may be CSV (UTF-8, UTF-8-BOM, GB18030/GBK), XLSX or Parquet in any mix, named by the
English table name or a Chinese one (``contracts.REGISTRY_TABLES[...].stems``).
"""

from __future__ import annotations

import contextlib
import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .. import contracts, tabular
from .. import errors as E
from ..errors import registry as R
from ..tabular import RawTable

TABLE_ORDER = ("persons", "villages", "groups", "rosters", "counties")
# Tables that can hold millions of rows: read with the reader's fast strip (see tabular.read_table).
BIG_TABLES = ("persons", "rosters")
SUPPORTED = (*tabular.CSV_EXTS, *tabular.XLSX_EXTS, *tabular.PARQUET_EXTS)
# other spreadsheet formats: used only when no supported file holds the table; the reader says what to
# do with them (or reads them when they are really text or XLSX inside, as system exports often are)
FALLBACK = tabular.OLD_SPREADSHEET_EXTS


@dataclass
class RegistrySource:
    directory: Path
    files: dict[str, Path] = field(default_factory=dict)  # table -> file
    tables: dict[str, RawTable] = field(default_factory=dict)  # tables that could be opened
    diagnostics: list[E.Diagnostic] = field(default_factory=list)  # file/column level problems
    _hashes: dict[str, Future] | None = None

    def label(self, table: str) -> str:
        """The file name shown in messages (relative to the registry directory)."""
        p = self.files.get(table)
        return p.name if p else f"{table}.csv"

    def frame(self, table: str) -> pl.LazyFrame | None:
        t = self.tables.get(table)
        return None if t is None else t.data.lazy()

    def unstripped(self, table: str) -> pl.LazyFrame | None:
        """The table's cells as read (not stripped, blank rows kept): for a scan of one column whose
        parser ignores surrounding white space anyway (Polars reads only that column then)."""
        t = self.tables.get(table)
        if t is None:
            return None
        data = t.data if t.unstripped is None else t.unstripped
        return data.lazy()

    def header(self, table: str, column: str) -> str:
        t = self.tables.get(table)
        return column if t is None else t.header_of(column)

    def start_hashing(self) -> None:
        """Hash the input files in a background thread (``hashlib`` releases the GIL), overlapping
        the checks; :meth:`info` waits for it."""
        if self._hashes is None and self.files:
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="povexit-sha256")
            self._hashes = {t: pool.submit(_sha256, p) for t, p in self.files.items()}
            pool.shutdown(wait=False)

    def info(self) -> dict[str, dict]:
        """Per input file: name, format, encoding, header row, SHA-256."""
        self.start_hashing()
        hashes = self._hashes or {}
        out = {}
        for table, path in self.files.items():
            t = self.tables.get(table)
            out[table] = {
                "file": path.name,
                "format": path.suffix.lower().lstrip("."),
                "encoding": t.encoding if t else None,
                "header_row": t.header_row if t else None,
                "sheet": t.sheet if t else None,
                "sha256": hashes[table].result(),
            }
        return out

    def open_table(self, table: str, encoding: str | None = None) -> None:
        """(Re-)open one table; its file- and column-level problems go to ``diagnostics``."""
        path = self.files[table]
        spec = contracts.REGISTRY_TABLES[table]
        old = self.tables.pop(table, None)
        if old is not None:  # its problems are found again
            old.close()
            self.diagnostics = [d for d in self.diagnostics if d.file != path.name]
        try:
            rt = tabular.read_table(path, spec, lazy=True, fast_strip=table in BIG_TABLES, encoding=encoding)
        except E.PovexitError as err:
            self.diagnostics.extend(_relabel(err.diagnostics, self.directory))
            return
        for d in rt.diagnostics:
            d.file = path.name
        self.diagnostics.extend(rt.diagnostics)
        self.tables[table] = rt

    def recover_encoding(self) -> bool:
        """After Polars met bytes that are not UTF-8 in a CSV whose encoding was judged on a sample
        (files above ``tabular.FULL_CHECK_BYTES``): find the file and the line.  A file that is ASCII
        up to there and GB18030 throughout is re-opened as GB18030 (a GBK file whose Chinese starts
        late); otherwise PVX-R006 names the line.  True when something changed (build again)."""
        for table, rt in list(self.tables.items()):
            if rt.verified or rt.encoding not in ("utf-8", "utf-8-sig"):
                continue
            bad = tabular.undecodable(rt.path, "utf-8")
            if bad is None:
                continue
            rt.verified = True
            line, offset = bad
            if (rt.encoding == "utf-8" and tabular.utf8_chars_before(rt.path, offset) < 8
                    and tabular.undecodable(rt.path, "gb18030") is None):
                self.open_table(table, encoding="gb18030")
            else:
                self.diagnostics.append(R.ENCODING_MIXED(file=rt.path.name, row=line, offset=offset))
            return True
        return False

    def close(self) -> None:
        for t in self.tables.values():
            t.close()

    def __enter__(self) -> RegistrySource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def find_files(directory: Path) -> tuple[dict[str, Path], list[E.Diagnostic]]:
    """table -> file, and a diagnostic for every table held by more than one file."""
    every = sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
    files = [p for p in every if p.suffix.lower() in SUPPORTED]
    fallback = [p for p in every if p.suffix.lower() in FALLBACK]
    found: dict[str, Path] = {}
    diags: list[E.Diagnostic] = []
    for table in TABLE_ORDER:
        spec = contracts.REGISTRY_TABLES[table]
        stems = {s.lower() for s in spec.stems}
        hits = [p for p in files if p.stem.lower() in stems and p not in found.values()]
        if len(hits) > 1:
            diags.append(R.TABLE_AMBIGUOUS(file=str(directory), table=table, files=", ".join(p.name for p in hits)))
        if not hits:
            hits = [p for p in fallback if p.stem.lower() in stems]
        if hits:
            found[table] = hits[0]
    return found, diags


def open_registry(directory: str | Path) -> RegistrySource:
    """Locate and open every table; file- and column-level problems go to ``diagnostics``.

    Raises only when ``directory`` does not exist."""
    directory = Path(directory)
    if not directory.exists():
        raise E.PovexitError(E.FILE_NOT_FOUND(file=str(directory)))
    if not directory.is_dir():
        raise E.PovexitError(R.NOT_A_REGISTRY(file=str(directory)))
    files, diags = find_files(directory)
    src = RegistrySource(directory, files, diagnostics=diags)
    for table in contracts.REGISTRY_REQUIRED_TABLES:
        if table not in files:
            spec = contracts.REGISTRY_TABLES[table]
            src.diagnostics.append(R.TABLE_MISSING(
                file=str(directory), table=table, names=", ".join(spec.stems), example=f"{table}.csv"))
    for table in files:
        src.open_table(table)
    src.start_hashing()
    return src


def _relabel(diags: list[E.Diagnostic], directory: Path) -> list[E.Diagnostic]:
    for d in diags:
        if d.file:
            with contextlib.suppress(ValueError):
                d.file = str(Path(d.file).relative_to(directory))
    return diags
