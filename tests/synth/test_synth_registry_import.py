"""The synthetic registry passes the registry layer's checks, and its ids are the truth's."""

from __future__ import annotations

import polars as pl

from povexit import registry
from povexit.synth import SynthParams, synthesize, write_world


def test_synthetic_registry_passes_registry_check(tmp_path):
    world = synthesize(SynthParams(seed=21, households=6000, province="吉林"))
    write_world(world, tmp_path / "s")
    report = registry.check(tmp_path / "s" / "registry")
    assert report.ok, [str(d) for d in report.diagnostics[:10]]
    assert not [d for d in report.diagnostics if d.severity == "error"]
    reg = registry.load(tmp_path / "s" / "registry")
    th = world.truth["households"]
    # village ids and household ids agree between the imported registry and the truth
    assert set(reg.villages["village_id"]) == set(th["village_id"])
    hh = reg.households.join(th, on="household_id", how="inner")
    assert hh.height == reg.households.height == th.filter("registered").height
    assert (hh["village_id"] == hh["village_id_right"]).all()
    assert (hh["persons"] == hh["persons_right"]).all()
    status = {"poor": "poor", "exited": "exited", "returned": "returned"}
    assert (hh["status"].replace_strict(status) == hh["status_right"]).all()
    v = reg.villages.join(
        th.group_by("village_id").agg(pl.col("persons").sum().alias("pop")), on="village_id"
    )
    assert (v["agricultural_population"] == v["pop"]).all()
