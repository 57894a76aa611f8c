"""Run every benchmark (``bench/bench_*.py``) and print its figures.

Each module defines ``run(args) -> list[dict]`` returning rows with at least ``name``, ``value``,
``unit`` and optionally ``peer`` (name), ``peer_value`` and ``ratio``. ``python bench/run.py
registry`` runs only the benchmarks whose file name contains ``registry``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("only", nargs="*", help="substrings of benchmark names to run")
    ap.add_argument("--quick", action="store_true", help="smaller inputs (for a smoke run)")
    ap.add_argument("--json", type=Path, help="also write all rows to this JSON file")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    rows = []
    for f in sorted(HERE.glob("bench_*.py")):
        if args.only and not any(o in f.stem for o in args.only):
            continue
        spec = importlib.util.spec_from_file_location(f.stem, f)
        mod = importlib.util.module_from_spec(spec)
        assert spec.loader
        spec.loader.exec_module(mod)
        print(f"== {f.stem}", flush=True)
        t0 = time.perf_counter()
        for r in mod.run(args):
            r.setdefault("bench", f.stem)
            rows.append(r)
            peer = ""
            if r.get("peer"):
                peer = f"   {r['peer']}: {r['peer_value']:.4g} {r['unit']}   ratio {r.get('ratio', float('nan')):.2f}"
            print(f"  {r['name']}: {r['value']:.4g} {r['unit']}{peer}", flush=True)
        print(f"   ({time.perf_counter() - t0:.1f}s)", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
