"""Files on disk: atomic, byte-identical for a seed, different for another seed; scales and the CLI."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from povexit.cli.main import main
from povexit.errors import PovexitError
from povexit.synth import SynthParams, plan_counties, stream_national, synthesize, write_world
from povexit.synth.places import PROVINCES, TOTAL_POOR_COUNTIES


def digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    small = SynthParams(seed=42, households=3000)
    write_world(synthesize(small), tmp_path / "a")
    write_world(synthesize(small), tmp_path / "b")
    write_world(synthesize(small.replace(seed=43)), tmp_path / "c")
    a, b, c = digests(tmp_path / "a"), digests(tmp_path / "b"), digests(tmp_path / "c")
    assert set(a) >= {
        "registry/persons.csv",
        "registry/villages.csv",
        "registry/groups.csv",
        "registry/rosters.csv",
        "registry/counties.csv",
        "truth/households.parquet",
        "truth/persons.parquet",
        "truth/villages.parquet",
        "synth.json",
        ".povexit",
    }
    assert a == b
    differing = [k for k in a if a[k] != c[k]]
    assert {"registry/persons.csv", "truth/households.parquet", "truth/persons.parquet"} <= set(differing)


def test_registry_does_not_depend_on_the_truth(tmp_path):
    p = SynthParams(seed=8, households=3000)
    write_world(synthesize(p), tmp_path / "with")
    write_world(synthesize(p.replace(truth=False)), tmp_path / "without")
    assert not (tmp_path / "without" / "truth").exists()
    w, wo = digests(tmp_path / "with"), digests(tmp_path / "without")
    for name in ("persons", "villages", "groups", "rosters", "counties"):
        assert w[f"registry/{name}.csv"] == wo[f"registry/{name}.csv"], name


def test_csv_is_utf8_with_english_headers(tmp_path):
    write_world(synthesize(SynthParams(seed=1, households=2000)), tmp_path / "o")
    raw = (tmp_path / "o" / "registry" / "persons.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8").splitlines()[0].split(",")
    assert header[:7] == ["province", "city", "county", "township", "village", "group", "household_id"]
    df = pl.read_csv(tmp_path / "o" / "registry" / "persons.csv", infer_schema=False)
    assert df["id_number"].str.len_chars().eq(18).all()
    meta = json.loads((tmp_path / "o" / "synth.json").read_text(encoding="utf-8"))
    assert (
        meta["seed"] == 1 and meta["params"]["households"] == 2000 and meta["reference_date"] == "2020-12-31"
    )


def test_parquet_format_and_atomic_failure(tmp_path, monkeypatch):
    world = synthesize(SynthParams(seed=2, households=1500))
    write_world(world, tmp_path / "pq", fmt="parquet")
    assert (
        pl.read_parquet(tmp_path / "pq" / "registry" / "persons.parquet").height
        == world.registry["persons"].height
    )
    # a failure midway leaves the previous output intact and no temporary directory behind
    import povexit.synth.world as W

    calls = {"n": 0}
    real = W._write_table

    def failing(df, path, fmt):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(df, path, fmt)

    before = digests(tmp_path / "pq")
    monkeypatch.setattr(W, "_write_table", failing)
    with pytest.raises(OSError):
        write_world(world, tmp_path / "pq", fmt="csv")
    assert digests(tmp_path / "pq") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pq"]


def test_exact_registry_persons_at_county_scale():
    w = synthesize(SynthParams(seed=4, persons=5_000))
    assert w.registry["persons"].height == 5_000
    assert w.stats["registered_persons"] == 5_000
    heads = w.registry["persons"].group_by("household_id").agg((pl.col("relation") == "户主").sum())
    assert (heads["relation"] == 1).all()


def test_province_scale():
    w = synthesize(SynthParams(scale="province", seed=9, counties=12, households=1500, province="贵州"))
    c = w.registry["counties"]
    assert c.height == 12 and c["county"].n_unique() == 12 and c["county_code"].n_unique() == 12
    assert c["city"].n_unique() >= 2
    assert (c["exit_year"] == 2020).sum() == round(0.7 * 12)
    assert (c["exit_year"] <= 2020).all() and set(c["region"]) == {"西部"}
    p = w.registry["persons"]
    assert (
        p["id_number"].is_unique().all()
        and p.select(pl.col("household_id").n_unique()).item()
        == p.group_by("county", "household_id").len().height
    )
    v = w.registry["villages"]
    assert v.select(pl.struct("county", "township", "village").is_unique().all()).item()
    assert w.truth["households"]["household_id"].is_unique().all()


def test_national_plan_covers_22_provinces():
    assert TOTAL_POOR_COUNTIES == 832 and len(PROVINCES) == 22
    specs = plan_counties(SynthParams(scale="national", persons=10**8))
    assert len(specs) == 832
    assert len({s.province.name for s in specs}) == 22
    assert sum(s.registered_persons for s in specs) == 10**8
    assert len({s.county_code for s in specs}) == 832
    by_prov = {}
    for s in specs:
        by_prov[s.province.name] = by_prov.get(s.province.name, 0) + 1
    assert by_prov["云南省"] == 88 and by_prov["吉林省"] == 8
    yanbian = [s for s in specs if s.city_code == "2224"]
    assert all(s.threshold == 0.03 for s in yanbian)
    assert {s.exit_year for s in specs} <= set(range(2016, 2021))


def test_stream_national_writes_exactly_n_persons(tmp_path):
    params = SynthParams(scale="national", seed=3, persons=24_000, counties=6)
    res = stream_national(tmp_path / "nat", params)
    persons = tmp_path / "nat" / "registry" / "persons.parquet"
    meta = pq.ParquetFile(persons).metadata
    assert meta.num_rows == 24_000 and res.stats["registered_persons"] == 24_000
    assert meta.num_row_groups >= 6  # appended county by county
    df = pl.read_parquet(persons)
    assert df["id_number"].is_unique().all()
    assert df.group_by("household_id").agg((pl.col("relation") == "户主").sum())["relation"].eq(1).all()
    assert pl.read_parquet(tmp_path / "nat" / "registry" / "counties.parquet").height == 6
    assert not (tmp_path / "nat" / "truth").exists()
    v = pl.read_parquet(tmp_path / "nat" / "registry" / "villages.parquet")
    reg = df.group_by("county", "township", "village").len()
    j = v.join(reg, on=["county", "township", "village"], how="inner")
    assert j.height == reg.height and (j["agricultural_population"] >= j["len"]).all()
    # CSV streaming gives the same rows
    stream_national(tmp_path / "csv", params.replace(format="csv"))
    csv = pl.read_csv(tmp_path / "csv" / "registry" / "persons.csv", infer_schema=False)
    assert csv.height == 24_000 and csv["id_number"].to_list() == df["id_number"].to_list()
    # with the truth, every registered person is in it
    stream_national(tmp_path / "truth", params.replace(truth=True, counties=3, persons=6_000))
    tp = pl.read_parquet(tmp_path / "truth" / "truth" / "persons.parquet")
    reg_ids = pl.read_parquet(tmp_path / "truth" / "registry" / "persons.parquet")["id_number"]
    assert reg_ids.is_in(tp["id_number"].implode()).all()


_PEAK = textwrap.dedent("""
    import resource, sys, tempfile, pathlib
    from povexit.synth import SynthParams, stream_national
    counties, persons = int(sys.argv[1]), int(sys.argv[2])
    params = SynthParams(scale="national", seed=1, counties=counties, persons=persons, county_size_spread=0.0)
    with tempfile.TemporaryDirectory() as d:
        stream_national(pathlib.Path(d) / "o", params)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
""")


@pytest.mark.slow
def test_stream_national_memory_is_bounded_by_one_county():
    """Six times the persons in six times as many equal counties must not need more memory: holding
    the ten extra counties' registry tables would take about 45 MB more."""

    def peak_kb(counties: int, persons: int) -> int:
        out = subprocess.run(
            [sys.executable, "-c", _PEAK, str(counties), str(persons)],
            capture_output=True,
            text=True,
            env=dict(os.environ),
            check=True,
        )
        return int(out.stdout.strip().splitlines()[-1])

    small = peak_kb(2, 2 * 20_000)
    large = peak_kb(12, 12 * 20_000)
    assert large - small < 20_000, (small, large)


def test_invalid_parameters_are_reported_together():
    with pytest.raises(PovexitError) as exc:
        SynthParams(wrongful_exit_rate=1.5, missed_rate=-0.1, province="火星", households=10).validate()
    codes = [d.code for d in exc.value.diagnostics]
    assert codes.count("PVX-Y01") == 3 and "PVX-Y02" in codes
    cols = {d.column for d in exc.value.diagnostics if d.code == "PVX-Y01"}
    assert cols == {"wrongful_exit_rate", "missed_rate", "households"}
    with pytest.raises(PovexitError) as exc:
        synthesize(SynthParams(scale="national", persons=10**6))
    assert exc.value.diagnostics[0].code == "PVX-Y03"
    with pytest.raises(PovexitError) as exc:
        SynthParams(scale="national", persons=1000).validate()
    assert exc.value.diagnostics[0].code == "PVX-Y04"


def test_cli_synth(tmp_path, capsys):
    rc = main(
        [
            "synth",
            "--out",
            str(tmp_path / "o"),
            "--households",
            "2000",
            "--seed",
            "5",
            "--province",
            "云南",
            "--wrongful-exit-rate",
            "0.02",
        ]
    )
    assert rc == 0
    assert (tmp_path / "o" / "registry" / "persons.csv").is_file()
    assert (tmp_path / "o" / "truth" / "households.parquet").is_file()
    meta = json.loads((tmp_path / "o" / "synth.json").read_text(encoding="utf-8"))
    assert meta["params"]["wrongful_exit_rate"] == 0.02
    assert pl.read_csv(tmp_path / "o" / "registry" / "counties.csv")["province"][0] == "云南省"
    # bad input: exit status 2 with the parameter named
    rc = main(["synth", "--out", str(tmp_path / "bad"), "--missed-rate", "2"])
    assert rc == 2 and not (tmp_path / "bad").exists()
    assert "missed_rate" in capsys.readouterr().err
    # an existing directory that povexit did not write is never replaced
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("x")
    assert main(["synth", "--out", str(foreign), "--households", "1000"]) == 2
    assert (foreign / "keep.txt").exists()


def test_cli_national_csv(tmp_path):
    rc = main(
        [
            "synth",
            "--out",
            str(tmp_path / "n"),
            "--scale",
            "national",
            "--persons",
            "12000",
            "--counties",
            "3",
            "--format",
            "csv",
        ]
    )
    assert rc == 0
    df = pl.read_csv(tmp_path / "n" / "registry" / "persons.csv", infer_schema=False)
    assert df.height == 12_000
