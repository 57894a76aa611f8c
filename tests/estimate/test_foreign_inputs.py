"""``povexit estimate`` on inputs another tool (or a person in Excel) wrote: samples with only the
contract's columns, extras in another order, Chinese headers, GBK/BOM, weights without probabilities or
the reverse, one stratum, no strata, a stratum with one village, two-stage fpc; findings and cases typed
by hand (是/否, yes/no, 1/0, blank cells). Results are R's (results/foreign_designs.R); what cannot be
computed stops with an error naming file, row and column."""

from __future__ import annotations

import json
import shutil
import subprocess

import polars as pl
import pytest

from povexit.cli.main import main
from povexit.errors import PovexitError
from povexit.estimate import estimate_county, load_sample_dir, read_cases, read_findings
from povexit.registry import load

from . import foreign_fixture as F
from .golden import RESULTS, assert_close, read_csv, write_csv

EXPECTED = read_csv(F.EXPECTED_FILE)
INDICATORS = ("wrongful_exit_rate", "missed_rate", "approval_rate", "composite_incidence")


def _r(case: str, stat: str) -> dict:
    return EXPECTED.filter((pl.col("case") == case) & (pl.col("statistic") == stat)).row(0, named=True)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("foreign")
    F.write_registry(root / "registry")
    F.write_frame(root / "findings.csv", F.findings_frame())
    return root, load(root / "registry")


def _variant(name: str) -> tuple[dict[str, pl.DataFrame], dict]:
    base = F.sample_frames()
    if name == "contract":
        return base, {}
    if name == "fpc_extras_reordered":
        return {k: v.select(v.columns[::-1]) for k, v in F.sample_frames(fpc=True).items()}, {}
    if name == "chinese_gbk":
        return base, {"chinese": True, "encoding": "gbk"}
    if name == "bom":
        return base, {"encoding": "utf-8-sig"}
    if name == "weights_only":
        return {**base, "households": base["households"].drop("p_household", "p_village")}, {}
    if name == "probabilities_only":
        return {**base, "households": base["households"].drop("weight")}, {}
    if name == "village_probability_from_households":
        return {**base, "villages": base["villages"].drop("p_village")}, {}
    if name == "group_weight_not_probability":
        g = base["groups"].join(base["villages"].select("village_id", "p_village"), on="village_id")
        return {**base, "groups": g.select(*[c for c in base["groups"].columns if c != "p_group"],
                                            weight=1.0 / (pl.col("p_village") * pl.col("p_group")))}, {}
    if name == "census_households_listed":
        # CONTRACTS.md §2: census households may be listed in households.csv with psu = their group and
        # p_household = the group's probability; groups.csv then needs no p_group of its own
        pg = base["groups"].select("village_id", "group", "p_group")
        d = F.data().filter((pl.col("hh") == 1) & (pl.col("kind") != "registered"))
        census = d.select(
            household_id="unit3", village_id=pl.col("village").map_elements(F.village_code, return_dtype=pl.String),
            group="grp", instrument=pl.lit("general"), stratum="stratum", psu="grp", p_village="pv",
            persons="persons").join(pg, on=["village_id", "group"], how="inner").with_columns(
            p_household=pl.col("p_group"), weight=1.0 / (pl.col("p_village") * pl.col("p_group"))).drop("p_group")
        assert census.height > 0
        hh = pl.concat([base["households"], census.select(base["households"].columns)], how="vertical_relaxed")
        return {**base, "households": hh, "groups": base["groups"].drop("p_group")}, {}
    if name == "one_stratum":
        return {k: v.with_columns(pl.lit("全县").alias("stratum")) if "stratum" in v.columns else v
                for k, v in base.items()}, {}
    if name == "no_strata":
        return {k: v.drop("stratum") if "stratum" in v.columns else v for k, v in base.items()}, {}
    if name == "blank_strata":
        return {k: v.with_columns(pl.lit(None, pl.String).alias("stratum")) if "stratum" in v.columns else v
                for k, v in base.items()}, {}
    raise KeyError(name)


VARIANTS = {  # sample variant -> the design R estimated it under
    "contract": "strata_nofpc", "fpc_extras_reordered": "strata_fpc", "chinese_gbk": "strata_nofpc",
    "bom": "strata_nofpc", "weights_only": "strata_nofpc", "probabilities_only": "strata_nofpc",
    "village_probability_from_households": "strata_nofpc", "group_weight_not_probability": "strata_nofpc",
    "census_households_listed": "strata_nofpc",
    "one_stratum": "one_stratum", "no_strata": "no_strata", "blank_strata": "no_strata",
}


def _check_r(ind: dict, case: str) -> None:
    for name in INDICATORS:
        ref = _r(case, name)
        got = ind[name]
        assert_close(got["estimate"], ref["estimate"], f"{case} {name}")
        assert_close(got["se"], ref["se"], f"{case} {name} se")
        if ref["extra"] is not None:
            assert_close(got["deff"], ref["extra"], f"{case} {name} deff")
    a, ref = ind["approval_rate"], _r(case, "approval_rate")  # approval: R's Korn–Graubard as it is
    assert_close(a["ci_low"], ref["ci_low"], f"{case} approval ci_low")
    assert_close(a["ci_high"], ref["ci_high"], f"{case} approval ci_high")
    assert ind["wrongful_exit_rate"]["df"] == _r(case, "degf(exited)")["estimate"]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_foreign_sample_is_estimated_as_r_does(world, tmp_path, variant) -> None:
    root, registry = world
    frames, kw = _variant(variant)
    F.write_sample(tmp_path / "sample", frames, **kw)
    r = estimate_county(registry, load_sample_dir(tmp_path / "sample"), read_findings(root / "findings.csv"))
    d = r.to_dict()
    _check_r(d["indicators"], VARIANTS[variant])
    off = d["indicators"]["wrongful_exit_rate"]["official"]  # the documents' plain ratio: 45/530 persons
    data = F.data().filter(pl.col("exited") == 1)
    assert_close(off, data["wrong_persons"].sum() / data["persons"].sum(), "official")
    if VARIANTS[variant] == "no_strata":
        assert any("未分层" in w for w in d["warnings"])
    if VARIANTS[variant].startswith("strata"):
        assert d["design"]["lonely_strata"] == 1  # the nonpoor stratum holds one village (adjust, as R)


def test_cli_on_a_foreign_sample_with_fpc_writes_r_numbers(world, tmp_path) -> None:
    root, _ = world
    frames, _ = _variant("fpc_extras_reordered")
    F.write_sample(tmp_path / "sample", frames)
    (tmp_path / "sample" / "manifest.json").write_text(  # another tool's manifest: kept, not checked as povexit's
        json.dumps({"tool": "other-sampler", "seed": 7}), encoding="utf-8")
    out = tmp_path / "estimates.json"
    rc = main(["estimate", "--registry", str(root / "registry"), "--sample", str(tmp_path / "sample"),
               "--findings", str(root / "findings.csv"), "--out", str(out)])
    assert rc == 0
    d = json.loads(out.read_text(encoding="utf-8"))
    _check_r(d["indicators"], "strata_fpc")
    assert d["decision"] == "fail" and d["stage"] == "provisional"


@pytest.mark.parametrize("style,encoding", [("zh", "gbk"), ("yesno", "utf-8-sig"), ("10", "gb18030"),
                                            ("blank", "utf-8")])
def test_findings_typed_in_excel(world, tmp_path, style, encoding) -> None:
    _root, registry = world
    F.write_sample(tmp_path / "sample", F.sample_frames())
    path = F.write_frame(tmp_path / "findings.csv", F.excel_findings(F.findings_frame(), style), encoding)
    r = estimate_county(registry, load_sample_dir(tmp_path / "sample"), read_findings(path)).to_dict()
    _check_r(r["indicators"], "strata_nofpc")


def test_instrument_in_chinese_and_registry_status(world, tmp_path) -> None:
    _root, registry = world
    F.write_sample(tmp_path / "sample", F.sample_frames())
    f = F.findings_frame().with_columns(
        pl.col("instrument").replace({"registered": "建档立卡户", "general": "非建档立卡户"}))
    r = estimate_county(registry, load_sample_dir(tmp_path / "sample"),
                        read_findings(F.write_frame(tmp_path / "f.csv", f))).to_dict()
    _check_r(r["indicators"], "strata_nofpc")
    bad = F.write_frame(tmp_path / "bad.csv", f.with_columns(pl.col("instrument").replace({"建档立卡户": "贫困户卡"})))
    with pytest.raises(PovexitError) as err:
        read_findings(bad)
    d = err.value.diagnostics[0]
    assert (d.code, d.row, d.column, d.value) == ("PVX-ES17", 2, "instrument", "贫困户卡")


def test_blank_verdict_is_not_no(world, tmp_path) -> None:
    """A registered exited household whose 是否错退 cell is blank cannot be judged: it leaves the rate (and
    is counted as such), it is never taken as 否."""
    root, registry = world
    F.write_sample(tmp_path / "sample", F.sample_frames())
    f = F.findings_frame()
    hid = F.data().filter((pl.col("exited") == 1) & (pl.col("wrong_persons") == 0))["unit3"][0]
    path = F.write_frame(tmp_path / "f.csv", f.with_columns(
        pl.when(pl.col("household_id") == hid).then(None).otherwise(pl.col("wrongful_exit")).alias("wrongful_exit")))
    full = estimate_county(registry, load_sample_dir(tmp_path / "sample"), read_findings(root / "findings.csv"))
    r = estimate_county(registry, load_sample_dir(tmp_path / "sample"), read_findings(path))
    assert r.indicators["wrongful_exit_rate"].n_households == full.indicators["wrongful_exit_rate"].n_households - 1
    assert r.indicators["wrongful_exit_rate"].official > full.indicators["wrongful_exit_rate"].official
    assert r.counts.get("cannot_judge", 0) == 1 or any("无法判定" in w or "cannot" in w for w, _ in r.warnings)


def test_zero_wrongful_exits_and_no_census(world, tmp_path) -> None:
    """A county with no wrongful exit found: 0 with the interval [0, upper]. A sample without census groups
    or general households: 漏评率 absent and said so, the composite counts no missed persons."""
    _root, registry = world
    F.write_sample(tmp_path / "sample", F.sample_frames())
    path = F.write_frame(tmp_path / "zero.csv", F.findings_frame(zero_wrongful=True))
    w = estimate_county(registry, load_sample_dir(tmp_path / "sample"), read_findings(path)).indicators["wrongful_exit_rate"]
    assert w.official == 0 and w.estimate == 0 and w.ci_low == 0 and 0 < w.ci_high < 0.2
    assert "n*=n" in w.ci_method
    frames = {k: v for k, v in F.sample_frames().items() if k != "groups"}
    F.write_sample(tmp_path / "nogroups", frames)
    reg_only = F.write_frame(tmp_path / "reg.csv", F.findings_frame().filter(pl.col("instrument") == "registered"))
    r = estimate_county(registry, load_sample_dir(tmp_path / "nogroups"), read_findings(reg_only)).to_dict()
    assert r["indicators"]["missed_rate"]["estimate"] is None
    assert any("漏评率" in x for x in r["reasons"]) and any("普查" in x for x in r["warnings"])
    comp = r["indicators"]["composite_incidence"]
    assert_close(comp["official"], (F.U + F.E * r["indicators"]["wrongful_exit_rate"]["official"]) / F.A, "composite")


def test_cases_typed_in_excel(world, tmp_path) -> None:
    root, registry = world
    F.write_sample(tmp_path / "sample", F.sample_frames())
    f = F.findings_frame()
    flagged = f.filter((pl.col("wrongful_exit") == "是") | (pl.col("missed") == "是"))
    kinds = ["错退" if w == "是" else "漏评" for w in flagged["wrongful_exit"].to_list()]
    lines = ["户编号,问题类型,核查结果,说明"] + [
        f"{h},{k},{'属实' if i % 2 == 0 else '不予采信'}," for i, (h, k) in enumerate(zip(flagged["household_id"], kinds, strict=True))]
    done = read_cases(write_csv(tmp_path / "cases.csv", "\n".join(lines) + "\n", "gbk"))
    assert set(done["outcome"]) == {"confirmed", "dismissed"}
    r = estimate_county(registry, load_sample_dir(tmp_path / "sample"), read_findings(root / "findings.csv"), done)
    assert r.stage == "final"
    open_ = read_cases(write_csv(tmp_path / "open.csv", "\n".join([*lines[:-1], lines[-1].split(",")[0] + ",漏评,,"])
                                 + "\n", "utf-8-sig"))
    assert open_["outcome"][-1] == "pending"  # a blank 核查结果 is not decided yet
    r2 = estimate_county(registry, load_sample_dir(tmp_path / "sample"), read_findings(root / "findings.csv"), open_)
    assert r2.stage == "provisional" and r2.stage_reason == "pending cases"


# ---- what cannot be computed: errors naming file, row, column -------------------------------------------


def _error(tmp_path, frames, registry, findings) -> object:
    F.write_sample(tmp_path / "sample", frames)
    with pytest.raises(PovexitError) as err:
        estimate_county(registry, load_sample_dir(tmp_path / "sample"), read_findings(findings))
    return err.value.diagnostics[0]


def test_no_weight_and_no_probability_is_an_error(world, tmp_path) -> None:
    root, registry = world
    base = F.sample_frames()
    hh = base["households"].drop("weight").with_columns(
        pl.when(pl.col("household_id") == "H0203").then(None).otherwise(pl.col("p_household")).alias("p_household"))
    d = _error(tmp_path, {**base, "households": hh}, registry, root / "findings.csv")
    assert d.code == "PVX-ES13" and d.column == "weight" and d.value == "H0203" and d.row == 12
    assert d.file.endswith("households.csv")


def test_census_group_without_probability_is_an_error(world, tmp_path) -> None:
    root, registry = world
    base = F.sample_frames()
    d = _error(tmp_path, {**base, "groups": base["groups"].drop("p_group")}, registry, root / "findings.csv")
    assert d.code == "PVX-ES13" and d.column == "p_group" and d.row == 2 and d.file.endswith("groups.csv")


def test_inconsistent_weight_is_an_error(world, tmp_path) -> None:
    root, registry = world
    base = F.sample_frames()
    hh = base["households"].with_columns(
        pl.when(pl.col("household_id") == "H0302").then(pl.col("weight") * 2).otherwise(pl.col("weight")).alias("weight"))
    d = _error(tmp_path, {**base, "households": hh}, registry, root / "findings.csv")
    assert (d.code, d.column, d.row) == ("PVX-ES14", "weight", 19)


def test_percent_probability_is_an_error(world, tmp_path) -> None:
    root, registry = world
    base = F.sample_frames()
    v = base["villages"].with_columns(pl.when(pl.col("village_id") == F.village_code("V03"))
                                      .then(pl.lit(20.0)).otherwise(pl.col("p_village")).alias("p_village"))
    d = _error(tmp_path, {**base, "villages": v, "households": base["households"].drop("p_village")},
               registry, root / "findings.csv")
    assert (d.code, d.column, d.row, d.value) == ("PVX-ES15", "p_village", 4, "20.0")


def test_strata_partly_blank_is_an_error(world, tmp_path) -> None:
    root, registry = world
    base = F.sample_frames()
    v = base["villages"].with_columns(pl.when(pl.col("village_id") == F.village_code("V05"))
                                      .then(None).otherwise(pl.col("stratum")).alias("stratum"))
    d = _error(tmp_path, {**base, "villages": v}, registry, root / "findings.csv")
    assert (d.code, d.column, d.row) == ("PVX-ES16", "stratum", 6)


def test_census_household_without_its_group_is_an_error(world, tmp_path) -> None:
    _root, registry = world
    path = F.write_frame(tmp_path / "f.csv", F.findings_frame().drop("village_id", "group"))
    d = _error(tmp_path, F.sample_frames(), registry, path)
    assert d.code == "PVX-ES04" and d.column == "household_id" and d.value == "N0101" and d.row == 10
    assert d.file.endswith("f.csv")


def test_missing_persons_is_an_error_or_the_registry_size(world, tmp_path) -> None:
    _root, registry = world
    f = F.findings_frame()
    reg = f.with_columns(pl.when(pl.col("household_id") == "H0101").then(None).otherwise(pl.col("persons")).alias("persons"))
    F.write_sample(tmp_path / "sample", F.sample_frames())
    r = estimate_county(registry, load_sample_dir(tmp_path / "sample"), read_findings(F.write_frame(tmp_path / "a.csv", reg)))
    _check_r(r.to_dict()["indicators"], "strata_nofpc")  # a registered household's size is the registry's
    hid = f.filter(pl.col("missed") == "是")["household_id"][0]
    gen = f.with_columns(pl.when(pl.col("household_id") == hid).then(None).otherwise(pl.col("persons")).alias("persons"),
                         pl.when(pl.col("household_id") == hid).then(None).otherwise(pl.col("missed_persons"))
                         .alias("missed_persons"))
    d = _error(tmp_path, F.sample_frames(), registry, F.write_frame(tmp_path / "b.csv", gen))
    assert d.code == "PVX-ES18" and d.column == "persons" and d.value == hid and d.row is not None


def test_cli_error_exits_non_zero_and_writes_nothing(world, tmp_path, capsys) -> None:
    root, _ = world
    base = F.sample_frames()
    F.write_sample(tmp_path / "sample", {**base, "households": base["households"].drop("weight", "p_household")})
    out = tmp_path / "estimates.json"
    rc = main(["estimate", "--registry", str(root / "registry"), "--sample", str(tmp_path / "sample"),
               "--findings", str(root / "findings.csv"), "--out", str(out)])
    text = capsys.readouterr()
    assert rc != 0 and not out.exists()
    assert "PVX-ES13" in text.out + text.err and "Traceback" not in text.out + text.err


@pytest.mark.r
def test_committed_outputs_are_what_the_script_gives(tmp_path) -> None:
    """Re-run foreign_designs.R here: the committed data and expected values are reproducible."""
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not installed (apt-get install r-base-core r-cran-survey)")
    shutil.copy(RESULTS / "foreign_designs.R", tmp_path)
    subprocess.run(["Rscript", "foreign_designs.R"], cwd=tmp_path, check=True, capture_output=True, timeout=120)
    for name in ("foreign_data.csv", "foreign_expected.csv"):
        assert (tmp_path / name).read_bytes() == (RESULTS / name).read_bytes(), name
