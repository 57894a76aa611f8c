"""Evidence files: streamed to a temporary name while hashed, moved to their content address
(``attachments/ab/abcdef…``) only when the database transaction that records them commits.

An upload interrupted midway, a refused step or a failed commit leaves neither a database row nor a
file: :func:`discard` removes the temporary file, and the move is a ``transaction.on_commit`` hook.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .. import errors as E
from ..errors import server as ES

log = logging.getLogger(__name__)


@dataclass
class Staged:
    name: str
    sha256: str
    size: int
    content_type: str
    tmp: Path


def root() -> Path:
    return Path(settings.ATTACHMENT_DIR)


def path_for(sha256: str) -> Path:
    return root() / sha256[:2] / sha256


def clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", os.path.basename(str(name).replace("\\", "/"))).strip()
    return "".join(ch for ch in name if ch.isprintable())[:200] or "file"


def stage(
    name: str, chunks: Iterable[bytes], *, content_type: str = "", expected_size: int | None = None
) -> Staged:
    """Write ``chunks`` to a temporary file in the store, hashing as it goes."""
    tmpdir = root() / "tmp"
    tmpdir.mkdir(parents=True, exist_ok=True)
    limit = settings.POVEXIT_MAX_UPLOAD_MB * 1024 * 1024
    fd, tmp = tempfile.mkstemp(prefix="upload-", dir=tmpdir)
    h, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise E.PovexitError(
                        ES.UPLOAD_TOO_LARGE(value=clean_name(name), limit=settings.POVEXIT_MAX_UPLOAD_MB)
                    )
                h.update(chunk)
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        if expected_size is not None and size != expected_size:
            raise E.PovexitError(ES.UPLOAD_INCOMPLETE(value=clean_name(name)))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Staged(clean_name(name), h.hexdigest(), size, content_type[:100], Path(tmp))


def stage_upload(f) -> Staged:
    """Stage a Django ``UploadedFile``."""
    return stage(f.name, f.chunks(), content_type=getattr(f, "content_type", "") or "", expected_size=f.size)


def commit(s: Staged) -> None:
    """Move a staged file to its content address (idempotent: same content, same place)."""
    final = path_for(s.sha256)
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        discard(s)
        return
    os.replace(s.tmp, final)


def discard(s: Staged) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(s.tmp)


@contextlib.contextmanager
def staging(files: Iterable = (), staged: Iterable[Staged] = ()) -> Iterator[list[Staged]]:
    """Stage Django ``UploadedFile``s (after any ``staged`` already) for one write; if anything in the
    block fails, every staged file is discarded, so a failed action keeps no bytes."""
    out = list(staged)
    try:
        out += [stage_upload(f) for f in files]
        yield out
    except BaseException:
        for s in out:
            discard(s)
        raise


def check(sha256: str) -> bool:
    """The stored file exists and its content still hashes to ``sha256``."""
    p = path_for(sha256)
    if not p.is_file():
        return False
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        while b := fh.read(1 << 20):
            h.update(b)
    return h.hexdigest() == sha256
