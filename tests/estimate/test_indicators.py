"""The indicators (三率一度) of a county: documents' figures, design-based estimates checked end to end
against R, stages, the edge cases the issue names, and the contract §5 JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import polars as pl
import pytest

from povexit.errors import PovexitError
from povexit.estimate import estimate_county, estimate_many, simulation, svy
from povexit.estimate.indicators import INDICATORS

from .county_fixture import COUNTY, A, E, U, from_r_data
from .golden import RESULTS, assert_close, read_csv

EXPECTED = read_csv(RESULTS / "povexit_expected.csv")


def _r(case: str, statistic: str) -> dict:
    return EXPECTED.filter((pl.col("case") == case) & (pl.col("statistic") == statistic)).row(0, named=True)


@pytest.fixture(scope="module")
def r_county():
    return from_r_data()


@pytest.mark.parametrize(("fpc", "case"), [("no", "nofpc_adjust"), ("auto", "fpc_adjust"), ("yes", "fpc_adjust")])
def test_county_estimates_are_r_survey(r_county, fpc: str, case: str) -> None:
    """estimate_county on the data of povexit_design.R gives R's numbers: the wrongful-exit rate over the
    exited domain, the missed rate over the census groups, their deff, the composite incidence with
    its delta-method SE (joint linearisation), and the approval rate with its Korn–Graubard interval —
    without fpc (ultimate cluster) and with two-stage fpc (``auto`` finds the SRS stages itself)."""
    registry, sample, findings = r_county
    r = estimate_county(registry, sample, findings, fpc=fpc)
    w, m = r.indicators["wrongful_exit_rate"], r.indicators["missed_rate"]
    for ind, stat in ((w, "ratio(wrong/persons | exited)"), (m, "ratio(missed/nonreg | census)")):
        ref = _r(case, stat)
        assert_close(ind.estimate, ref["estimate"], f"{stat} estimate")
        assert_close(ind.se, ref["se"], f"{stat} se")
        assert_close(ind.deff, ref["extra"], f"{stat} deff")
    assert w.extra["df"] == _r(case, "degf(exited)")["estimate"]
    assert m.extra["df"] == _r(case, "degf(census)")["estimate"]
    comp = r.indicators["composite_incidence"]
    assert_close(comp.estimate, _r(case, "composite")["estimate"], "composite")
    assert_close(comp.se, _r(case, "composite")["se"], "composite se")
    assert_close(r.covariance["wrongful_exit_rate,missed_rate"], _r(case, "cov(r1, r2)")["estimate"], "cov")
    a = r.indicators["approval_rate"]
    ref = _r(case, "mean(approves | registered)")
    assert_close(a.estimate, ref["estimate"], "approval")
    assert_close(a.se, ref["se"], "approval se")
    assert_close(a.deff, ref["extra"], "approval deff")
    beta = EXPECTED.filter((pl.col("case") == case) & (pl.col("ci_method") == "beta")).row(0, named=True)
    assert_close(a.ci_low, beta["ci_low"], "approval ci_low")
    assert_close(a.ci_high, beta["ci_high"], "approval ci_high")
    assert r.design["lonely_strata"] == 1 and r.design["lonely_psu"] == "adjust"  # nonpoor_other: one village


def test_official_figures_are_the_documents_plain_ratios(r_county) -> None:
    registry, sample, findings = r_county
    r = estimate_county(registry, sample, findings)
    data = read_csv(RESULTS / "povexit_data.csv")
    exited = data.filter(pl.col("exited") == 1)
    census = data.filter(pl.col("census") == 1)
    reg = data.filter(pl.col("kind") == "registered")
    off_w = exited["wrong_persons"].sum() / exited["persons"].sum()
    off_m = census["missed_persons"].sum() / census["nonreg_pop"].sum()
    assert_close(r.indicators["wrongful_exit_rate"].official, off_w, "错退率")
    assert_close(r.indicators["missed_rate"].official, off_m, "漏评率")
    assert_close(r.indicators["approval_rate"].official, reg["approves"].sum() / reg.height, "认可度")
    assert_close(r.indicators["composite_incidence"].official, (U + E * off_w + (A - U - E) * off_m) / A, "综合")
    assert r.indicators["wrongful_exit_rate"].n_households == exited.height
    assert r.indicators["wrongful_exit_rate"].n_persons == exited["persons"].sum()
    assert r.indicators["missed_rate"].n_persons == census["nonreg_pop"].sum()
    assert r.indicators["wrongful_exit_rate"].n_psu == exited["village"].n_unique()
    # derived indicators (seed 003): accuracy rates and the exclusion error
    assert_close(r.indicators["exit_accuracy"].official, 1 - off_w, "退出准确率")
    assert_close(r.indicators["identification_accuracy"].official, 1 - off_m, "识别准确率")
    missed = off_m * (A - U - E)
    assert_close(r.indicators["exclusion_error"].official, missed / (missed + U + E), "exclusion error")


def test_rate_interval_rules(r_county) -> None:
    """The wrongful-exit interval is Korn–Graubard with the effective size bounded by the households
    and Kish's effective persons (design constants, after R's df adjustment); without those bounds it
    is R's svyciprop on the person rows (test_svy_golden_povexit)."""
    registry, sample, findings = r_county
    r = estimate_county(registry, sample, findings, fpc="no")
    w = r.indicators["wrongful_exit_rate"]
    n_raw = w.estimate * (1 - w.estimate) / w.se**2 * (
        svy._qt(0.025, np.array(w.n_persons - 1.0)) / svy._qt(0.025, np.array(float(w.extra["df"])))) ** 2
    assert w.extra["n_eff"] == pytest.approx(min(float(n_raw), w.n_households), rel=1e-12)
    lo, hi = svy.prop_interval_scalar(w.estimate, w.se**2, w.n_persons, w.extra["df"], "beta",
                                      n_eff_max=w.extra["n_eff"])
    assert (w.ci_low, w.ci_high) == pytest.approx((lo, hi), rel=1e-12)


def test_contract_json(r_county) -> None:
    registry, sample, findings = r_county
    d = estimate_county(registry, sample, findings).to_dict()
    json.dumps(d)  # serialisable
    assert d["contract"] == 1 and d["county"] == COUNTY and d["stage"] == "provisional"
    for name in INDICATORS:
        for key in ("official", "estimate", "se", "ci_low", "ci_high", "ci_method", "deff", "n_households",
                    "n_persons", "n_psu"):
            assert key in d["indicators"][name], (name, key)
    assert set(d["thresholds"]) == {"composite_incidence", "wrongful_exit_rate", "missed_rate", "approval_rate"}
    assert d["decision"] in ("pass", "rectify", "fail")
    assert isinstance(d["reasons"], list) and d["reasons"] and d["reasons_en"]
    assert isinstance(d["near_threshold"], list)
    assert all(name in d["near_threshold_detail"] for name in d["near_threshold"])


# ---- stages ---------------------------------------------------------------------------------------


def _small(**kw):
    pop = simulation.make_population(np.random.default_rng(kw.pop("pop_seed", 5)), **kw.pop("pop", {}))
    sample, findings = simulation.draw_sample(pop, np.random.default_rng(kw.pop("seed", 9)), **kw)
    return pop, sample, findings


def test_stages_provisional_and_final() -> None:
    pop, sample, findings = _small()
    flagged = findings.filter(pl.col("wrongful_exit"))["household_id"].to_list()
    assert len(flagged) >= 3
    prov = estimate_county(pop.registry(), sample, findings)
    assert prov.stage == "provisional" and prov.counts["unverified_findings"] >= len(flagged)
    assert "临时结果" in prov.to_dict("zh")["stage_note"]
    cases = pl.DataFrame({
        "household_id": flagged[:3], "kind": ["wrongful_exit"] * 3, "outcome": ["confirmed", "dismissed", "pending"]})
    final = estimate_county(pop.registry(), sample, findings, cases)
    assert final.stage == "final"
    persons = dict(zip(findings["household_id"], findings["wrongful_exit_persons"], strict=True))
    assert final.indicators["wrongful_exit_rate"].extra["wrongful_persons"] == persons[flagged[0]]
    assert final.counts["pending_cases"] == 1
    # provisional with cases: everything flagged except what verification dismissed
    prov2 = estimate_county(pop.registry(), sample, findings, cases, stage="provisional")
    total = sum(persons[h] for h in flagged)
    assert prov2.indicators["wrongful_exit_rate"].extra["wrongful_persons"] == total - persons[flagged[1]]
    with pytest.raises(PovexitError) as err:
        estimate_county(pop.registry(), sample, findings, stage="final")
    assert err.value.diagnostics[0].code == "PVX-ES06"


# ---- edge cases -----------------------------------------------------------------------------------


def test_zero_wrongful_exits() -> None:
    pop, sample, findings = _small()
    clean = findings.with_columns(wrongful_exit=pl.lit(False), wrongful_exit_persons=pl.lit(0.0))
    r = estimate_county(pop.registry(), sample, clean)
    w = r.indicators["wrongful_exit_rate"]
    assert w.official == 0 and w.estimate == 0 and w.se == 0 and w.ci_low == 0
    # n* = the exited households (not persons), with R's df adjustment
    n_star = w.n_households * (svy._qt(0.025, np.array(w.n_persons - 1.0)) / svy._qt(0.025, np.array(float(w.extra["df"])))) ** 2
    assert w.ci_high == pytest.approx(1 - 0.025 ** (1 / float(n_star)), rel=1e-10)
    assert "zero events" in w.ci_method and "households" in w.ci_method
    assert r.decision.decision in ("pass", "rectify")
    assert r.indicators["exit_accuracy"].estimate == 1


def test_stratum_with_one_psu() -> None:
    pop, sample, findings = _small(allocation=(11, 10, 5, 1))
    r = estimate_county(pop.registry(), sample, findings)
    assert r.design["lonely_strata"] == 1
    assert any("只抽中一个村" in zh for zh, _ in r.warnings)
    for name in INDICATORS:
        assert math.isfinite(r.indicators[name].se)
    # "adjust" (the default) is conservative against "certainty" (which drops the lonely stratum)
    cert = estimate_county(pop.registry(), sample, findings, lonely_psu="certainty")
    assert r.indicators["wrongful_exit_rate"].se >= cert.indicators["wrongful_exit_rate"].se


def test_county_with_no_non_poor_villages() -> None:
    pop, sample, findings = _small(pop={"villages_per_stratum": (40, 60, 0, 0)}, allocation=(15, 15, 0, 0))
    assert set(sample.villages["stratum"]) == {"poor_weak", "poor_other"}
    r = estimate_county(pop.registry(), sample, findings)
    assert r.design["strata"] == 2
    assert all(r.indicators[n].estimate is not None for n in INDICATORS)


def test_all_approve() -> None:
    pop, sample, findings = _small()
    r = estimate_county(pop.registry(), sample, findings.with_columns(approves=pl.lit(True)))
    a = r.indicators["approval_rate"]
    assert a.official == 1 and a.estimate == 1 and a.ci_high == 1 and 0.99 < a.ci_low < 1
    assert "n*=n" in a.ci_method


def test_empty_census() -> None:
    pop, sample, findings = _small(census_villages=0)
    assert sample.groups.height == 0
    r = estimate_county(pop.registry(), sample, findings)
    m = r.indicators["missed_rate"]
    assert m.estimate is None and m.official is None and m.ci_method.startswith("none")
    comp = r.indicators["composite_incidence"]
    assert comp.extra["missed_term_included"] is False
    t = pop.totals
    assert comp.estimate == pytest.approx((t["U"] + t["E"] * r.indicators["wrongful_exit_rate"].estimate) / t["A"])
    assert any("普查村民小组" in zh for zh, _ in r.warnings)
    assert r.to_dict()["indicators"]["missed_rate"]["estimate"] is None


def test_certainty_villages_are_self_representing() -> None:
    """A stratum taken whole (p_village = 1): its households become the PSUs, so their sampling
    variance counts instead of vanishing with the 'village'."""
    pop, sample, findings = _small(pop={"villages_per_stratum": (40, 60, 3, 60)}, allocation=(11, 10, 3, 4))
    assert (sample.villages.filter(pl.col("stratum") == "nonpoor_weak")["p_village"] == 1).all()
    r = estimate_county(pop.registry(), sample, findings)
    assert r.design["certainty_villages"] == 3
    assert r.design["psu"] > sample.villages.height  # households of the certainty villages are PSUs


def test_domain_keeps_every_psu() -> None:
    """Villages without exited households still count as PSUs (zero totals) in the wrongful-exit
    variance: dropping them (a row filter) gives a different, wrong answer."""
    registry, sample, findings = from_r_data()
    full = estimate_county(registry, sample, findings, fpc="no").indicators["wrongful_exit_rate"]
    exited = findings.join(registry.households.select("household_id", "status"), on="household_id", how="left")
    keep = exited.filter((pl.col("status") == "exited") | (pl.col("instrument") == "general"))
    also = estimate_county(registry, sample, keep, fpc="no").indicators["wrongful_exit_rate"]
    assert also.estimate == pytest.approx(full.estimate) and also.se == pytest.approx(full.se)


# ---- several counties -------------------------------------------------------------------------------


def test_many_counties_in_one_pass_equal_one_at_a_time() -> None:
    pop = simulation.make_population(np.random.default_rng(3))
    sample, findings = simulation.draw_many(pop, [11, 12, 13])
    registry = pop.registry(copies=3)
    together = estimate_many(registry, sample, findings, all_counties=True)
    assert [r.county for r in together] == ["rep0", "rep1", "rep2"]
    for r in together:
        alone = estimate_county(registry, sample, findings, county=r.county)
        for name in INDICATORS:
            a, b = r.indicators[name], alone.indicators[name]
            assert a.estimate == pytest.approx(b.estimate, rel=1e-12, abs=1e-15)
            assert a.se == pytest.approx(b.se, rel=1e-10, abs=1e-15)
            assert (a.ci_low, a.ci_high) == pytest.approx((b.ci_low, b.ci_high), rel=1e-10, abs=1e-15)
    with pytest.raises(PovexitError) as err:
        estimate_county(registry, sample, findings)
    assert err.value.diagnostics[0].code == "PVX-ES01"
    with pytest.raises(PovexitError) as err:
        estimate_county(registry, sample, findings, county="nowhere")
    assert err.value.diagnostics[0].code == "PVX-ES02"


def test_unknown_household_is_an_error() -> None:
    pop, sample, findings = _small()
    extra = findings.head(1).with_columns(household_id=pl.lit("NOPE"), village_id=pl.lit(None, dtype=pl.String))
    with pytest.raises(PovexitError) as err:
        estimate_county(pop.registry(), sample, pl.concat([findings, extra]))
    assert err.value.diagnostics[0].code == "PVX-ES04"
    with pytest.raises(PovexitError) as err:
        estimate_county(pop.registry(), sample, pl.concat([findings, findings.head(1)]))
    assert err.value.diagnostics[0].code == "PVX-ES09"


@pytest.mark.parametrize("method", ["beta", "logit", "likelihood", "mean"])
def test_every_interval_method_runs(method: str) -> None:
    pop, sample, findings = _small()
    r = estimate_county(pop.registry(), sample, findings, ci_method=method)
    for name in INDICATORS:
        ind = r.indicators[name]
        assert 0 <= ind.ci_low <= ind.estimate <= ind.ci_high <= 1, (method, name)
    assert r.indicators["wrongful_exit_rate"].ci_method.startswith(svy.CI_LABELS[method])


def test_roster_hits_outside_census_count_only_in_the_official_figure() -> None:
    pop, sample, findings = _small()
    village = sample.villages["village_id"][0]
    hit = pl.DataFrame({
        "household_id": ["R0123456789ab"], "village_id": [village], "group": [None], "instrument": ["registered"],
        "stratum": [sample.villages["stratum"][0]], "psu": [village], "p_village": [sample.villages["p_village"][0]],
        "p_household": [1.0], "weight": [1 / sample.villages["p_village"][0]], "persons": [4.0],
        "fpc_household": [None], "source": ["roster"]}, schema_overrides={"group": pl.String, "fpc_household": pl.Float64})
    sample2 = simulation.SampleTables(sample.villages, pl.concat([sample.households, hit.with_columns(
        instrument=pl.lit("general"))], how="vertical_relaxed"), sample.groups)
    finding = findings.head(1).with_columns(
        household_id=pl.lit("R0123456789ab"), instrument=pl.lit("general"), persons=pl.lit(4.0),
        wrongful_exit=pl.lit(False), wrongful_exit_persons=pl.lit(0.0), missed=pl.lit(True), missed_persons=pl.lit(4.0),
        village_id=pl.lit(village), group=pl.lit(None, dtype=pl.String))
    base = estimate_county(pop.registry(), sample, findings).indicators["missed_rate"]
    r = estimate_county(pop.registry(), sample2, pl.concat([findings, finding]))
    m = r.indicators["missed_rate"]
    assert m.estimate == pytest.approx(base.estimate, rel=1e-12) and m.se == pytest.approx(base.se, rel=1e-12)
    assert m.official == pytest.approx(base.official + 4 / m.n_persons)
    assert m.extra["missed_persons_outside_census"] == 4 and m.extra["missed_households_outside_census"] == 1
    both = r.indicators["missed_rate_with_rosters"]
    assert both.estimate > 0 and both.ci_low <= both.estimate <= both.ci_high
