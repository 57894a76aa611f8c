"""Sampling: a national spot check (seed 003) drawn from a 3×10^7-household registry frame.

The frame (832 counties in 22 provinces, ~166k villages with groups, 3×10^7 registered households,
10^6 roster records) is built directly with numpy/Polars as a normalised ``Registry`` — building it
from ``povexit synth --scale national`` would first generate and import 10^8 persons. The draw then
runs ``sampling.draw(registry, "national-spotcheck-2019", seed)`` and writes the sample.

Runs in a subprocess so its memory is its own: it reports the frame's resident size, and the
*additional* peak during the draw (the peak-RSS counter is reset through ``/proc/self/clear_refs``
after the frame is built). ``--quick``: 3×10^6 households.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

_CODE = textwrap.dedent('''
    import json, sys, tempfile, time, pathlib
    import numpy as np
    import polars as pl
    from povexit.registry.model import Registry
    from povexit.sampling import draw, write_sample

    def rss_mb(field):
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")

    H = int(sys.argv[1])
    rng = np.random.default_rng(2019)
    t0 = time.perf_counter()
    provinces = ["河北省", "山西省", "内蒙古自治区", "吉林省", "黑龙江省", "安徽省", "江西省", "河南省", "湖北省",
                 "湖南省", "广西壮族自治区", "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省",
                 "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区"]
    C = 832
    c_prov = np.sort(rng.integers(0, len(provinces), C))
    c_prov[: len(provinces)] = np.arange(len(provinces))  # every province has counties
    c_prov.sort()
    exit_year = rng.choice([2016, 2017, 2018], size=C, p=[0.12, 0.54, 0.34])  # 2018: ~283 counties (seed 003)
    counties = pl.DataFrame({
        "province": [provinces[i] for i in c_prov], "city": [f"{provinces[i][:2]}第{j % 7 + 1}市" for j, i in enumerate(c_prov)],
        "county": [f"县{j:04d}" for j in range(C)], "region": ["western"] * C, "poverty_threshold": [0.03] * C,
        "exit_year": exit_year.astype(np.int32),
    })
    v_per = rng.integers(150, 251, C)
    V = int(v_per.sum())
    v_county = np.repeat(np.arange(C), v_per)
    v_town = np.concatenate([np.sort(rng.integers(0, rng.integers(10, 21), n)) for n in v_per])
    poor = rng.random(V) < 0.35
    weight = np.where(poor, 2.5, 1.0) * rng.lognormal(0, 0.4, V)
    hh_per = rng.multinomial(H, weight / weight.sum())
    agri = (hh_per * 3.2 / rng.uniform(0.15, 0.45, V)).astype(np.int64) + 50
    flags = rng.random((V, 4)) < 0.12
    vid = pl.Series(np.arange(V)).cast(pl.String).str.zfill(11)
    vid = ("V" + vid).alias("village_id")
    cty = counties.select("province", "city", "county")[v_county]
    villages = cty.with_columns(
        ("乡" + pl.Series(v_town).cast(pl.String)).alias("township"),
        ("村" + pl.Series(np.arange(V)).cast(pl.String)).alias("village"),
        vid, pl.Series("poor_village", poor), pl.Series("agricultural_population", agri),
        pl.Series("households", (agri / 3.2).astype(np.int64)),
        *[pl.Series(f, flags[:, i]) for i, f in enumerate(("remote", "edge", "border", "minority"))],
    ).with_columns(pl.any_horizontal("remote", "edge", "border", "minority").alias("weak_area"))
    h_village = np.repeat(np.arange(V), hh_per)
    codes = pl.Series(rng.choice(np.array([0, 1, 2], dtype=np.int8), size=H, p=[0.88, 0.09, 0.03]))
    households = pl.DataFrame({
        "household_id": pl.Series(np.arange(H, dtype=np.int64) + 10**12).cast(pl.String),
        "village_id": vid.gather(h_village),
        "county": villages["county"].gather(h_village),
        "status": pl.select(pl.when(codes == 0).then(pl.lit("exited")).when(codes == 1).then(pl.lit("poor"))
                            .otherwise(pl.lit("returned"))).to_series(),
        "persons": pl.Series(rng.integers(1, 7, H, dtype=np.int8)).cast(pl.Int32),
        "group": (pl.Series(rng.integers(1, 9, H, dtype=np.int8)).cast(pl.String) + "组"),
        "monitored": pl.Series(rng.random(H) < 0.03),
    })
    del codes, h_village
    g_per = 6
    g_v = np.repeat(np.arange(V), g_per)
    groups = pl.DataFrame({
        "county": villages["county"].gather(g_v), "township": villages["township"].gather(g_v),
        "village": villages["village"].gather(g_v), "village_id": vid.gather(g_v),
        "group": pl.Series(np.tile(np.arange(1, g_per + 1), V)).cast(pl.String) + "组",
        "agricultural_population": (agri[g_v] // g_per), "households": (agri[g_v] // g_per // 3),
    }).with_columns((pl.col("agricultural_population") * 0.75).cast(pl.Int64).alias("nonregistered_population"),
                    (pl.col("agricultural_population") * 0.25).cast(pl.Int64).alias("registered_persons"))
    R = H // 30
    r_v = rng.integers(0, V, R)
    rosters = pl.DataFrame({
        "source": ["民政低保"] * R, "source_code": rng.choice(["dibao", "disability", "dangerous_house", "serious_illness"], R),
        "kind": ["vulnerability"] * R,
        "id_number": pl.Series(np.arange(R, dtype=np.int64) + 510000199001010000).cast(pl.String),
        "name": ["某"] * R, "county": villages["county"].gather(r_v), "township": villages["township"].gather(r_v),
        "village": villages["village"].gather(r_v), "group": [None] * R, "detail": [None] * R,
        "in_registry": np.zeros(R, dtype=bool), "household_id": [None] * R,
    }, schema_overrides={"group": pl.String, "detail": pl.String, "household_id": pl.String})
    reg = Registry(persons=pl.DataFrame(), households=households, villages=villages, groups=groups, rosters=rosters,
                   counties=counties, input_hashes={"bench": "synthetic"})
    t1 = time.perf_counter()
    frame_rss = rss_mb("VmRSS")
    try:
        open("/proc/self/clear_refs", "w").write("5")  # reset the peak-RSS counter (VmHWM)
        reset = True
    except OSError:
        reset = False
    t2 = time.perf_counter()
    sample = draw(reg, "national-spotcheck-2019", 20190601)
    t3 = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        write_sample(sample, pathlib.Path(d) / "sample")
    t4 = time.perf_counter()
    peak = rss_mb("VmHWM")
    m = sample.manifest
    print(json.dumps({"build": t1 - t0, "draw": t3 - t2, "write": t4 - t3, "frame_rss": frame_rss,
                      "peak": peak, "reset": reset, "households": H, "villages": V,
                      "counties": m["county_stage"]["counties_selected"], "exit_counties": m["county_stage"]["counties_in_frame"],
                      "sample_households": sample.households.height, "sample_villages": sample.villages.height}))
''')


def run(args) -> list[dict]:
    H = 3_000_000 if getattr(args, "quick", False) else 30_000_000
    out = subprocess.run([sys.executable, "-c", _CODE, str(H)], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    extra = r["peak"] - r["frame_rss"] if r["reset"] else float("nan")
    label = f"{H:.0e} households"
    return [
        {"name": f"national spot check draw ({label}, {r['exit_counties']} exit counties → {r['counties']})",
         "value": r["draw"], "unit": "s"},
        {"name": "write sample (villages/households/groups/reserve CSV + manifest)", "value": r["write"], "unit": "s"},
        {"name": f"build the in-memory frame ({label}, {r['villages']} villages)", "value": r["build"], "unit": "s"},
        {"name": "frame resident size (Registry object)", "value": r["frame_rss"], "unit": "MB"},
        {"name": "additional peak RSS during draw + write", "value": extra, "unit": "MB"},
        {"name": "sampled villages", "value": r["sample_villages"], "unit": "villages"},
        {"name": "sampled households (registered + roster hits)", "value": r["sample_households"], "unit": "households"},
    ]
