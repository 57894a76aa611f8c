"""Registry import at province scale vs DuckDB's raw CSV → Parquet read, in the same run.

The registry is the synthetic national-scale one (``povexit synth --scale national --persons N
--format csv``), generated once and kept under ``bench-out/`` (10^7 persons take several minutes to
generate).  Each side runs in its own Python subprocess, which reports its wall time, CPU time and
peak RSS (``resource.getrusage(RUSAGE_SELF)`` read in the child, so one side's peak cannot mask the
other's).  The peer is DuckDB reading the same ``persons.csv`` into Parquet with no checks:
``COPY (SELECT * FROM read_csv(...)) TO ... (FORMAT parquet)``.  Our side is the full
``registry.import_registry``: all tables (persons, villages, groups, rosters, counties), every check,
normalised Parquet, summary, SHA-256 of the inputs.  A second peer row reads every CSV of the
registry with DuckDB (the same input as the import).

    python bench/run.py registry            # 10^7 persons
    python bench/run.py registry --quick    # 10^6 persons
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-out"
SEED = 2020

CHILD = r"""
import json, resource, sys, time
task, src, out = sys.argv[1], sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
extra = {}
if task == "duckdb":
    import duckdb
    con = duckdb.connect()
    con.execute("COPY (SELECT * FROM read_csv(?)) TO '" + out.replace("'", "''") + "' (FORMAT parquet)", [src])
    extra["rows"] = con.execute("SELECT count(*) FROM read_parquet(?)", [out]).fetchone()[0]
elif task == "duckdb_all":
    import duckdb, os
    con = duckdb.connect()
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if name.endswith(".csv"):
            target = os.path.join(out, name[:-4] + ".parquet").replace("'", "''")
            con.execute("COPY (SELECT * FROM read_csv(?)) TO '" + target + "' (FORMAT parquet)", [os.path.join(src, name)])
    extra["rows"] = con.execute("SELECT count(*) FROM read_parquet(?)", [os.path.join(out, "persons.parquet")]).fetchone()[0]
else:
    from povexit import registry
    res = registry.import_registry(src, out)
    extra["rows"] = res.summary["totals"]["persons"]
    extra["households"] = res.summary["totals"]["households"]
    extra["warnings"] = res.report.n_warnings
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024, **extra}))
"""


def ensure_registry(n: int) -> Path:
    """The synthetic registry with ``n`` persons (CSV), generated once."""
    target = OUT / f"synth-{n}"
    reg = target / "registry"
    if (reg / "persons.csv").is_file() and (reg / "villages.csv").is_file():
        return reg
    OUT.mkdir(exist_ok=True)
    cmd = [str(Path(sys.executable).parent / "povexit"), "synth", "--out", str(target), "--scale", "national",
           "--persons", str(n), "--format", "csv", "--seed", str(SEED)]
    print(f"   generating {n} persons: {' '.join(cmd[1:])}", flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return reg


def measure(task: str, src: Path, out: Path) -> dict:
    if out.exists():
        shutil.rmtree(out) if out.is_dir() else out.unlink()
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run([sys.executable, "-c", CHILD, task, str(src), str(out)], check=True,
                          capture_output=True, text=True, env=env)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(args) -> list[dict]:
    n = 10**6 if getattr(args, "quick", False) else 10**7
    reg = ensure_registry(n)
    work = OUT / f"bench-registry-{n}"
    work.mkdir(parents=True, exist_ok=True)
    size_mb = sum(p.stat().st_size for p in reg.iterdir() if p.is_file()) / 2**20
    persons_mb = (reg / "persons.csv").stat().st_size / 2**20
    peer = measure("duckdb", reg / "persons.csv", work / "duckdb-persons.parquet")
    ours = measure("import", reg, work / "registry")
    peer_all = measure("duckdb_all", reg, work / "duckdb-all")
    assert ours["rows"] == peer["rows"] == peer_all["rows"] == n, (ours, peer, peer_all)
    shutil.rmtree(work, ignore_errors=True)
    label = f"{n:.0e}".replace("+0", "")
    return [
        {"name": f"registry import, {label} persons ({size_mb:.0f} MiB of CSV, persons.csv {persons_mb:.0f} MiB)",
         "value": ours["wall"], "unit": "s", "peer": "DuckDB read_csv → Parquet (persons.csv, no checks)",
         "peer_value": peer["wall"], "ratio": ours["wall"] / peer["wall"]},
        {"name": "registry import CPU time", "value": ours["cpu"], "unit": "cpu-s", "peer": "DuckDB CPU time",
         "peer_value": peer["cpu"], "ratio": ours["cpu"] / peer["cpu"]},
        {"name": "registry import peak RSS", "value": ours["rss_mb"], "unit": "MiB", "peer": "DuckDB peak RSS",
         "peer_value": peer["rss_mb"], "ratio": ours["rss_mb"] / peer["rss_mb"]},
        {"name": "registry import throughput", "value": n / ours["wall"], "unit": "persons/s"},
        {"name": "registry import vs the same input (every CSV of the registry)", "value": ours["wall"], "unit": "s",
         "peer": "DuckDB read_csv → Parquet of all the registry's CSV files, no checks",
         "peer_value": peer_all["wall"], "ratio": ours["wall"] / peer_all["wall"]},
    ]
