"""The server's database tests again on PostgreSQL (127.0.0.1:5432, user postgres): a uniquely named
database per run, the permission matrix, concurrency and loading modules run against it in
a child pytest (Django's settings are per process), then the database is dropped."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
MODULES = [
    "test_server_permissions.py",
    "test_server_concurrency.py",
    "test_server_load.py",
]
PG = os.environ.get("POVEXIT_TEST_PG", "postgresql://postgres@127.0.0.1:5432")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(bool(os.environ.get("POVEXIT_TEST_DB")), reason="already the PostgreSQL child run"),
]


def _admin():
    import psycopg

    try:
        return psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG}: {exc}")


def test_server_suite_on_postgresql(tmp_path):
    name = f"povexit_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {**os.environ, "POVEXIT_TEST_DB": f"{PG}/{name}"}
        for k in ("POVEXIT_DB", "DATABASE_URL", "POVEXIT_DATA_DIR", "DJANGO_SETTINGS_MODULE"):
            env.pop(k, None)
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:xdist",
                "-x",
                "--rootdir",
                str(HERE.parents[1]),
                *[str(HERE / m) for m in MODULES],
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=900,
        )
        tail = "\n".join(r.stdout.splitlines()[-40:])
        assert r.returncode == 0, tail + r.stderr[-2000:]
        assert " passed" in tail and "failed" not in tail, tail
    finally:
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
