"""``--db`` / ``DATABASE_URL`` → Django ``DATABASES`` entry (SQLite and PostgreSQL only)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .. import errors as E
from ..errors import server as ES


def parse(url: str, *, data_dir: Path) -> dict:
    """``sqlite:///abs/path.db`` (absolute), ``sqlite://name.db`` (under the data dir), ``sqlite://`` (the
    default file), a plain ``*.sqlite3`` path, ``postgresql://user:pass@host:port/name?sslmode=…``."""
    if "://" not in url and url.endswith((".sqlite3", ".sqlite", ".db")):
        url = "sqlite://" + (url if url.startswith("/") else str(Path(url).resolve()))
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        rest = unquote(url.split("://", 1)[1])
        if not rest:
            return sqlite(data_dir / "povexit.sqlite3")
        path = Path("/" + rest.lstrip("/")) if rest.startswith("/") else data_dir / rest
        return sqlite(path)
    if scheme in ("postgres", "postgresql", "pgsql"):
        opts = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "povexit",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": opts,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise E.PovexitError(ES.BAD_DB_URL(value=url))


def sqlite(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # BEGIN IMMEDIATE: writers queue on the database lock instead of failing with "database is
        # locked" when two requests upgrade a read to a write at once; WAL lets readers run meanwhile.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
        "CONN_MAX_AGE": 60,
    }
