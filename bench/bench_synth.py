"""Synthetic data: the default county in memory + on disk, and the national registry streamed.

Each measurement runs in its own subprocess so its peak RSS is its own.
``python bench/run.py synth`` (``--quick``: national 2×10^5 persons instead of 10^7).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

_COUNTY = textwrap.dedent("""
    import json, resource, tempfile, time, pathlib
    from povexit.synth import SynthParams, synthesize, write_world
    t0 = time.perf_counter()
    world = synthesize(SynthParams(seed=2020))
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        write_world(world, pathlib.Path(d) / "o")
    t2 = time.perf_counter()
    print(json.dumps({"generate": t1 - t0, "total": t2 - t0, "persons": world.stats["persons"],
                      "registered": world.stats["registered_persons"],
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
""")

_NATIONAL = textwrap.dedent("""
    import json, resource, sys, tempfile, time, pathlib
    from povexit.synth import SynthParams, stream_national
    n, fmt = int(sys.argv[1]), sys.argv[2]
    with tempfile.TemporaryDirectory() as d:
        r = stream_national(pathlib.Path(d) / "o", SynthParams(scale="national", seed=2020, persons=n, format=fmt))
        size = sum(p.stat().st_size for p in (pathlib.Path(d) / "o" / "registry").iterdir())
    u = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": r.seconds, "persons": r.stats["registered_persons"], "bytes": size,
                      "cpu": u.ru_utime + u.ru_stime, "rss_mb": u.ru_maxrss / 1024}))
""")


def _run(code: str, *argv: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(args) -> list[dict]:
    rows: list[dict] = []
    c = _run(_COUNTY)
    rows += [
        {"name": "county synth (default county, generate)", "value": c["generate"], "unit": "s"},
        {"name": "county synth (generate + write CSV/Parquet)", "value": c["total"], "unit": "s"},
        {"name": "county synth population", "value": c["persons"], "unit": "persons"},
        {"name": "county synth peak RSS", "value": c["rss_mb"], "unit": "MB"},
    ]
    n = 200_000 if getattr(args, "quick", False) else 10_000_000
    for fmt in ("parquet", "csv"):
        r = _run(_NATIONAL, str(n), fmt)
        rows += [
            {
                "name": f"national stream {n:.0e} persons ({fmt})",
                "value": r["persons"] / r["seconds"],
                "unit": "persons/s",
            },
            {
                "name": f"national stream {n:.0e} persons ({fmt}) per CPU second",
                "value": r["persons"] / r["cpu"],
                "unit": "persons/s",
            },
            {"name": f"national stream {n:.0e} persons ({fmt}) wall", "value": r["seconds"], "unit": "s"},
            {"name": f"national stream {n:.0e} persons ({fmt}) peak RSS", "value": r["rss_mb"], "unit": "MB"},
            {
                "name": f"national stream {n:.0e} persons ({fmt}) registry size",
                "value": r["bytes"] / 2**20,
                "unit": "MiB",
            },
        ]
    return rows
