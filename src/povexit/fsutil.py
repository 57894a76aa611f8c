"""File-system helpers: atomic output directories and content hashes.

Every command writes into a temporary sibling directory and renames it into place only when
everything succeeded, so a failure midway leaves nothing behind (and an existing output intact).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MARKER = ".povexit"


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while b := fh.read(chunk):
            h.update(b)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def atomic_dir(target: str | Path, *, kind: str, replace: bool = True) -> Iterator[Path]:
    """Yield a temporary directory; on success move it to ``target`` (replacing a previous povexit
    output of the same kind); on any exception delete it and leave ``target`` untouched.

    A directory that exists and holds something not written by povexit is never replaced.
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        from . import errors as E

        non_empty = target.is_dir() and any(target.iterdir())
        if not target.is_dir() or (non_empty and not (target / MARKER).exists()):
            raise E.PovexitError(E.OUTPUT_EXISTS(file=str(target)))
        if non_empty and not replace:
            raise E.PovexitError(E.OUTPUT_EXISTS(file=str(target)))
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
    try:
        yield tmp
        (tmp / MARKER).write_text(json.dumps({"kind": kind}) + "\n", encoding="utf-8")
        if target.exists():
            old = parent / f".{target.name}.old-{os.getpid()}"
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_json(path: str | Path, obj: Any) -> None:
    """Deterministic JSON (sorted keys, UTF-8, trailing newline)."""
    atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n")
