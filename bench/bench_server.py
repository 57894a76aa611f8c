"""Server pages under load: the case list and the indicators page with 10k cases and 50k sampled
households, 20 concurrent clients, on SQLite and on PostgreSQL.

The server runs as ``povexit serve`` (waitress, 8 threads) in a subprocess; each client thread logs
in through the login form and then requests pages with its own session. Reported: median and p95
latency per page and database, and the time to load the work directory. ``--quick``: 5k households.
PostgreSQL: 127.0.0.1:5432, user postgres (a uniquely named database, dropped afterwards); skipped
with a message when unreachable.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

CLIENTS = 20
PG = os.environ.get("POVEXIT_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
PASSWORD = "bench-password-1"


def _env() -> dict:
    env = {**os.environ, "POVEXIT_FAST_PASSWORDS": "1"}
    for k in ("POVEXIT_DB", "DATABASE_URL", "POVEXIT_DATA_DIR", "DJANGO_SETTINGS_MODULE"):
        env.pop(k, None)
    return env


def _povexit(*args: str) -> subprocess.CompletedProcess:
    r = subprocess.run(
        [sys.executable, "-m", "povexit.cli.main", *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=1800,
    )
    if r.returncode != 0:
        raise RuntimeError(f"povexit {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}")
    return r


class Client:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> bytes:
        with self.opener.open(self.base + path, timeout=120) as r:
            if r.status != 200:
                raise RuntimeError(f"{path}: {r.status}")
            return r.read()

    def login(self, user: str) -> None:
        html = self.get("/login/").decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        data = urllib.parse.urlencode(
            {"username": user, "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        req = urllib.request.Request(
            self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"}
        )
        with self.opener.open(req, timeout=60) as r:
            if "/login/" in r.url:
                raise RuntimeError("login failed")


def _serve(db: str, data: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "povexit.cli.main",
            "serve",
            "--db",
            db,
            "--data-dir",
            str(data),
            "--port",
            "0",
            "--threads",
            "8",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(),
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        line = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+)/", line or "")
        if m:
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()  # drain
            return proc, m.group(1)
        if proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError("server did not start")


def _load(base: str, pages: list[str], per_client: int) -> list[float]:
    lat: list[float] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            c = Client(base)
            c.login(f"bench{i % 2}")
            mine = []
            for k in range(per_client):
                path = pages[(i * 7 + k) % len(pages)]
                t0 = time.perf_counter()
                c.get(path)
                mine.append(time.perf_counter() - t0)
            with lock:
                lat.extend(mine)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    if errors:
        raise errors[0]
    return lat


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def _one_db(label: str, db: str, workdir: Path, data: Path, n_counties: int, per_client: int) -> list[dict]:
    t0 = time.perf_counter()
    _povexit("server", "load", str(workdir), "--db", db, "--data-dir", str(data))
    load_s = time.perf_counter() - t0
    for i in range(2):  # an institution lead (sees all batches) and a lead expert, both on every county
        role = "institution_lead" if i == 0 else "lead_expert"
        _povexit(
            "server",
            "createuser",
            f"bench{i}",
            "--role",
            role,
            "--all-counties",
            "--password",
            PASSWORD,
            "--db",
            db,
            "--data-dir",
            str(data),
        )
    proc, base = _serve(db, data)
    rows = [
        {
            "name": f"server load 50k households ({label})" if n_counties >= 50 else f"server load ({label})",
            "value": load_s,
            "unit": "s",
        }
    ]
    try:
        warm = Client(base)
        warm.login("bench0")
        html = warm.get("/cases/").decode()
        ids = [int(x) for x in re.findall(r'<option value="(\d+)"', html)][:n_counties]
        for (
            cid
        ) in ids:  # final indicators are computed once per county and cached: measure the page, not that
            warm.get(f"/indicators/?county={cid}")
        pages = {
            "case list": [
                "/cases/",
                *[f"/cases/?county={c}" for c in ids[:10]],
                *[f"/cases/?state=suspected&page={p}" for p in (2, 20, 100)],
            ],
            "indicators": [f"/indicators/?county={c}" for c in ids],
        }
        for name, paths in pages.items():
            lat = _load(base, paths, per_client)
            rows.append(
                {
                    "name": f"{name} median, {CLIENTS} clients ({label})",
                    "value": statistics.median(lat) * 1000,
                    "unit": "ms",
                }
            )
            rows.append(
                {
                    "name": f"{name} p95, {CLIENTS} clients ({label})",
                    "value": _pct(lat, 0.95) * 1000,
                    "unit": "ms",
                }
            )
            rows.append(
                {
                    "name": f"{name} throughput ({label})",
                    "value": len(lat) / max(1e-9, sum(lat) / CLIENTS),
                    "unit": "req/s",
                }
            )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return rows


def run(args) -> list[dict]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from povexit.server.sampledata import Params, write_workdir

    quick = bool(getattr(args, "quick", False))
    n_counties = 5 if quick else 50
    per_client = 10 if quick else 30
    tmp = Path(tempfile.mkdtemp(prefix="povexit-bench-server-"))
    rows: list[dict] = []
    try:
        t0 = time.perf_counter()
        workdir = write_workdir(
            tmp / "work",
            Params(
                counties=n_counties,
                villages_per_county=25,
                households_per_village=40,
                case_share=0.245,
                registry_factor=1,
                use_estimate_layer=False,
            ),
        )
        print(
            f"   (work directory: {n_counties * 1000} households in {time.perf_counter() - t0:.0f}s)",
            flush=True,
        )
        rows += _one_db(
            "SQLite",
            f"sqlite:///{tmp / 'bench.sqlite3'}",
            workdir,
            tmp / "sqlite-data",
            n_counties,
            per_client,
        )
        try:
            import psycopg

            name = f"povexit_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            with psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
        except Exception as exc:
            print(f"   PostgreSQL skipped: {exc}", flush=True)
            return rows
        try:
            rows += _one_db("PostgreSQL", f"{PG}/{name}", workdir, tmp / "pg-data", n_counties, per_client)
        finally:
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows
