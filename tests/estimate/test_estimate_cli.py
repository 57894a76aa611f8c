"""``povexit estimate`` end to end on the project's own layers: a synthetic county (povexit synth), the
jilin-2018 sample (povexit.sampling), findings read from the truth; one county and ``--all``."""

from __future__ import annotations

import json

import polars as pl
import pytest

from povexit.cli.main import main
from povexit.estimate import simulation

pytestmark = pytest.mark.xdist_group("estimate-cli")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    from povexit import sampling, synth
    from povexit.registry import load

    root = tmp_path_factory.mktemp("estimate-cli")
    world = synth.synthesize(synth.SynthParams(seed=31, households=8000, wrongful_exit_rate=0.015, missed_rate=0.01))
    synth.write_world(world, root / "world")
    registry = load(root / "world" / "registry")
    sample = sampling.draw(registry, "jilin-2018", 5)
    sampling.write_sample(sample, root / "sample")
    truth = world.truth["households"]
    findings = simulation.truth_findings(sample, truth, simulation.roster_map(world.truth["persons"], truth))
    findings.write_csv(root / "findings.csv")
    flagged = findings.filter(pl.col("wrongful_exit") | pl.col("missed"))
    pl.DataFrame({
        "household_id": flagged["household_id"],
        "kind": ["wrongful_exit" if w else "missed" for w in flagged["wrongful_exit"]],
        "outcome": ["confirmed"] * flagged.height,
    }).write_csv(root / "cases.csv")
    return root


def _run(workdir, *extra: str) -> int:
    return main(["estimate", "--registry", str(workdir / "world" / "registry"), "--sample", str(workdir / "sample"),
                 "--findings", str(workdir / "findings.csv"), *extra])


def test_one_county(workdir) -> None:
    out = workdir / "estimates.json"
    assert _run(workdir, "--out", str(out)) == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["contract"] == 1 and d["stage"] == "provisional"
    assert set(d["indicators"]) >= {"wrongful_exit_rate", "missed_rate", "approval_rate", "composite_incidence"}
    w = d["indicators"]["wrongful_exit_rate"]
    assert w["n_households"] > 300 and 0 <= w["ci_low"] <= w["estimate"] <= w["ci_high"]
    assert d["decision"] in ("pass", "rectify", "fail")


def test_final_stage_and_options(workdir) -> None:
    out = workdir / "final.json"
    assert _run(workdir, "--cases", str(workdir / "cases.csv"), "--ci-method", "logit", "--fpc", "no",
                "--threshold", "composite_incidence=0.03", "--out", str(out)) == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["stage"] == "final" and d["thresholds"]["composite_incidence"] == 0.03
    assert d["indicators"]["approval_rate"]["ci_method"].startswith("logit")
    assert d["design"]["fpc"] == "no"


def test_all_counties_table_and_summary(workdir) -> None:
    out = workdir / "all.json"
    assert _run(workdir, "--all", "--out", str(out)) == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["summary"]["counties"] == 1 and len(d["counties"]) == 1
    table = pl.read_csv(workdir / "all.csv")
    assert table.height == 1 and "composite_incidence_estimate" in table.columns


@pytest.mark.parametrize("args", [("--ci-method", "wilson"), ("--fpc", "maybe"), ("--threshold", "x"),
                                  ("--stage", "final")])
def test_bad_options_exit_2_and_write_nothing(workdir, args) -> None:
    out = workdir / "bad.json"
    assert _run(workdir, *args, "--out", str(out)) == 2
    assert not out.exists()


def test_missing_findings_file(workdir) -> None:
    out = workdir / "none.json"
    code = main(["estimate", "--registry", str(workdir / "world" / "registry"), "--sample", str(workdir / "sample"),
                 "--findings", str(workdir / "nope.csv"), "--out", str(out)])
    assert code == 2 and not out.exists()


def test_province_and_the_stage_rule(workdir) -> None:
    sample = pl.read_csv(workdir / "sample" / "villages.csv", infer_schema_length=0)
    province = sample["province"][0]
    out = workdir / "province.json"
    assert _run(workdir, "--province", province, "--out", str(out)) == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["province"] == province
    assert _run(workdir, "--province", "不存在省", "--out", str(workdir / "nope.json")) == 2
    assert _run(workdir, "--all", "--province", province, "--out", str(workdir / "all-p.json")) == 0
    # cases still pending: provisional, and the JSON says why
    cases = pl.read_csv(workdir / "cases.csv").with_columns(outcome=pl.lit("pending"))
    cases.write_csv(workdir / "pending.csv")
    out = workdir / "pending.json"
    assert _run(workdir, "--cases", str(workdir / "pending.csv"), "--out", str(out)) == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    assert d["stage"] == "provisional" and d["stage_reason"] == "pending cases"
    assert d["counts"]["undecided_findings"] == cases.height
