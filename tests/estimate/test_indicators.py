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
from povexit.estimate.inputs import SampleTables

from .county_fixture import COUNTY, A, E, U, from_r_data, from_r_roster
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


def _cases(ids: list[str], outcomes: list[str], kind: str = "wrongful_exit") -> pl.DataFrame:
    return pl.DataFrame({"household_id": ids, "kind": [kind] * len(ids), "outcome": outcomes})


def test_stages_provisional_and_final() -> None:
    """stage = final only when cases are given and no case that affects a count is undecided; otherwise
    provisional, saying how many are pending; ``stage=`` overrides."""
    pop, sample, findings = _small()
    flagged = findings.filter(pl.col("wrongful_exit"))["household_id"].to_list()
    missed = findings.filter(pl.col("missed"))["household_id"].to_list()
    assert len(flagged) >= 3
    persons = dict(zip(findings["household_id"], findings["wrongful_exit_persons"], strict=True))
    everything = _cases(flagged, ["confirmed"] * len(flagged)).vstack(_cases(missed, ["confirmed"] * len(missed), "missed"))
    # no cases: provisional, every flagged finding counted and unverified
    prov = estimate_county(pop.registry(), sample, findings)
    assert prov.stage == "provisional" and prov.stage_reason == "no cases"
    assert prov.counts["unverified_findings"] == len(flagged) + len(missed)
    assert "临时结果" in prov.to_dict("zh")["stage_note"]
    # every case pending (the adjudication's cases.csv before verification): provisional, and it says why
    pending = everything.with_columns(outcome=pl.lit("pending"))
    r = estimate_county(pop.registry(), sample, findings, pending)
    assert r.stage == "provisional" and r.stage_reason == "pending cases"
    assert r.counts["undecided_findings"] == r.counts["pending_cases"] == len(flagged) + len(missed)
    assert r.counts["unverified_findings"] == len(flagged) + len(missed)
    note = r.to_dict("en")["stage_note"]
    assert f"{len(flagged) + len(missed)} problem(s) that affect an indicator" in note
    assert r.indicators["wrongful_exit_rate"].official == prov.indicators["wrongful_exit_rate"].official
    # one pending, the others decided: still provisional; it counts the pending one and the confirmed ones
    one = everything.with_columns(outcome=pl.when(pl.col("household_id") == flagged[0]).then(pl.lit("pending"))
                                  .when(pl.col("household_id") == flagged[1]).then(pl.lit("dismissed"))
                                  .otherwise(pl.col("outcome")))
    r = estimate_county(pop.registry(), sample, findings, one)
    assert r.stage == "provisional" and r.counts["undecided_findings"] == 1
    assert r.counts["unverified_findings"] == 1
    assert r.indicators["wrongful_exit_rate"].extra["wrongful_persons"] == sum(persons[h] for h in flagged) - persons[flagged[1]]
    # a flagged finding without any case is not verified either
    r = estimate_county(pop.registry(), sample, findings, everything.filter(pl.col("household_id") != flagged[2]))
    assert r.stage == "provisional" and r.counts["flagged_without_case"] == 1
    assert any("1 without a case" in en for _, en in r.warnings)
    # all decided: final, only the confirmed counted; a pending case that affects no count does not matter
    decided = everything.with_columns(outcome=pl.when(pl.col("household_id") == flagged[1]).then(pl.lit("dismissed"))
                                      .otherwise(pl.col("outcome")))
    registered = findings.filter(pl.col("instrument") == "registered")["household_id"][0]
    final = estimate_county(pop.registry(), sample, findings,
                            decided.vstack(_cases([registered], ["pending"], "missed")))
    assert final.stage == "final" and final.stage_reason == "all decided"
    assert final.indicators["wrongful_exit_rate"].extra["wrongful_persons"] == sum(persons[h] for h in flagged) - persons[flagged[1]]
    assert final.counts["pending_cases"] == 1 and final.counts["undecided_findings"] == 0
    assert "最终结果" in final.to_dict("zh")["stage_note"]
    # the explicit stage wins: final with one pending counts only the confirmed
    forced = estimate_county(pop.registry(), sample, findings, one, stage="final")
    assert forced.stage == "final" and forced.stage_reason == "requested" and forced.counts["pending_cases"] == 1
    assert forced.indicators["wrongful_exit_rate"].extra["wrongful_persons"] == (
        sum(persons[h] for h in flagged) - persons[flagged[0]] - persons[flagged[1]])
    forced = estimate_county(pop.registry(), sample, findings, everything, stage="provisional")
    assert forced.stage == "provisional" and forced.counts["unverified_findings"] == 0
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


# ---- 漏评率: roster hits and census groups ----------------------------------------------------------------


ROSTER_EXPECTED = {(r["case"], r["statistic"]): r for r in EXPECTED.filter(pl.col("case").str.starts_with("roster_"))
                   .iter_rows(named=True)}


@pytest.fixture(scope="module")
def roster_county():
    return from_r_roster()


@pytest.mark.parametrize(("fpc", "case"), [("no", "roster_nofpc"), ("auto", "roster_fpc")])
def test_missed_rate_from_rosters_and_census_is_r_survey(roster_county, fpc: str, case: str) -> None:
    """The combined 漏评率 — roster hits over the sampled villages' non-registered population plus the
    census groups' other households over the groups' population — with its Taylor SE over the village
    PSUs, the parts and their covariance, as R's svycontrast of the four totals (povexit_design.R);
    a certainty village's roster hits and population are fixed (no variance, no lonely stratum)."""
    registry, sample, findings = roster_county
    r = estimate_county(registry, sample, findings, fpc=fpc)
    m = r.indicators["missed_rate"]
    ref = ROSTER_EXPECTED[(case, "missed (roster + census)")]
    assert_close(m.estimate, ref["estimate"], "estimate")
    assert_close(m.se, ref["se"], "se")
    parts = m.extra["parts"]
    for name, stat in (("roster", "roster part"), ("census", "census part")):
        assert_close(parts[name]["estimate"], ROSTER_EXPECTED[(case, stat)]["estimate"], stat)
        assert_close(parts[name]["se"], ROSTER_EXPECTED[(case, stat)]["se"], stat + " se")
    cov = m.extra["correlation_of_parts"] * parts["roster"]["se"] * parts["census"]["se"]
    assert_close(cov, ROSTER_EXPECTED[(case, "cov(roster, census)")]["estimate"], "cov")
    a = r.indicators["approval_rate"]  # roster hits weigh 1/p_village, census households 1/(p_village·p_group)
    assert_close(a.estimate, ROSTER_EXPECTED[(case, "mean(approves | households)")]["estimate"], "approval")
    assert_close(a.se, ROSTER_EXPECTED[(case, "mean(approves | households)")]["se"], "approval se")
    assert r.design["lonely_strata"] == 0 and r.design["roster_screening"]
    assert m.ci_low <= m.estimate <= m.ci_high and m.ci_method.startswith("mover (roster: korn-graubard")
    # the composite uses this 漏评率
    comp = r.indicators["composite_incidence"]
    t = r.registry_totals
    assert comp.estimate == pytest.approx((t["not_exited_persons"] + t["nonregistered_population"] * m.estimate)
                                          / t["agricultural_population"], rel=1e-12)


def test_missed_rate_official_is_over_the_sampled_villages(roster_county) -> None:
    """Official 漏评率 = every missed person found (roster hits and census groups) / the non-registered
    population of the sampled villages (抽查村) when rosters were matched there; the census-only
    estimator stays as ``missed_rate_census`` (its official figure over the census groups)."""
    registry, sample, findings = roster_county
    r = estimate_county(registry, sample, findings)
    data = read_csv(RESULTS / "povexit_roster.csv")
    found = float(data["yR"].sum() + data["yC"].sum())
    villages = float(data.filter(pl.col("kind") == "village")["xV"].sum())
    m = r.indicators["missed_rate"]
    assert m.official == pytest.approx(found / villages, rel=1e-12)
    assert m.extra["missed_persons"] == found and m.n_persons == villages
    assert m.extra["denominator"].startswith("sampled villages")
    c = r.indicators["missed_rate_census"]
    groups = data.filter(pl.col("hh").str.starts_with("#group-total:"))
    census_found = float(data.filter(pl.col("group") != "")["yC"].sum()
                         + data.filter((pl.col("kind") == "roster") & (pl.col("group") != ""))["yR"].sum())
    assert c.official == pytest.approx(census_found / float(groups["xG"].sum()), rel=1e-12)
    d = r.to_dict()
    assert "missed_rate_census" in d["indicators"] and "missed_rate_with_rosters" not in d["indicators"]
    # without roster screening the official figure is over the census groups, and the estimate is the census one
    reg2, sample2, findings2 = from_r_data()
    r2 = estimate_county(reg2, sample2, findings2)
    assert r2.indicators["missed_rate"].extra["denominator"].startswith("census groups")
    assert r2.indicators["missed_rate"].estimate == r2.indicators["missed_rate_census"].estimate


def test_a_roster_hit_in_a_census_group_is_counted_once(roster_county) -> None:
    """A roster hit living in a census group is surveyed once (under its R… id) and belongs to the roster
    stratum: making it missed adds its persons once to the official numerator and the same amount to the
    estimate whether or not it lives in a census group; the census-only estimator counts it with its group."""
    registry, sample, findings = roster_county
    hit = sample.households.filter(pl.col("group").is_not_null())["household_id"][0]
    village = sample.households.filter(pl.col("household_id") == hit)["village_id"][0]
    base = findings.with_columns(missed=pl.when(pl.col("household_id") == hit).then(False).otherwise(pl.col("missed")),
                                 missed_persons=pl.when(pl.col("household_id") == hit).then(0.0)
                                 .otherwise(pl.col("missed_persons")))
    sick = base.with_columns(missed=pl.when(pl.col("household_id") == hit).then(True).otherwise(pl.col("missed")),
                             missed_persons=pl.when(pl.col("household_id") == hit).then(5.0)
                             .otherwise(pl.col("missed_persons")))
    r0, r1 = (estimate_county(registry, sample, f) for f in (base, sick))
    m0, m1 = r0.indicators["missed_rate"], r1.indicators["missed_rate"]
    assert m1.extra["missed_persons"] == m0.extra["missed_persons"] + 5
    # the roster part moves by 5/p_village over X̂_V (the villages' population, HT); the census part does not
    p_village = sample.villages.filter(pl.col("village_id") == village)["p_village"][0]
    v = read_csv(RESULTS / "povexit_roster.csv").filter(pl.col("kind") == "village")
    x_hat = float((v["xV"] / v["pv"]).sum())
    assert m1.extra["parts"]["roster"]["estimate"] - m0.extra["parts"]["roster"]["estimate"] == pytest.approx(
        5 / p_village / x_hat, rel=1e-9)
    assert m1.extra["parts"]["census"]["estimate"] == pytest.approx(m0.extra["parts"]["census"]["estimate"], rel=1e-12)
    outside_sample = SampleTables(sample.villages, sample.households.with_columns(
        group=pl.when(pl.col("household_id") == hit).then(None).otherwise(pl.col("group"))), sample.groups)
    outside = sick.with_columns(group=pl.when(pl.col("household_id") == hit).then(None).otherwise(pl.col("group")))
    r2 = estimate_county(registry, outside_sample, outside)
    assert r2.indicators["missed_rate"].estimate == pytest.approx(m1.estimate, rel=1e-12)
    # the census-only estimator counts it in its group
    assert r1.indicators["missed_rate_census"].extra["missed_persons"] == r0.indicators["missed_rate_census"].extra["missed_persons"] + 5


def test_rosters_without_census_groups(roster_county) -> None:
    """No census groups: the estimate covers the roster hits only (a lower bound) and says so."""
    registry, sample, findings = roster_county
    no_census = SampleTables(sample.villages, sample.households.with_columns(group=pl.lit(None, pl.String)),
                             sample.groups.head(0))
    r = estimate_county(registry, no_census, findings.filter(pl.col("household_id").str.starts_with("R")))
    m = r.indicators["missed_rate"]
    assert m.extra["coverage"] == "roster" and m.estimate is not None
    assert any("lower bound" in en for _, en in r.warnings)
    assert r.indicators["missed_rate_census"].estimate is None


def test_the_manifest_says_whether_rosters_were_matched() -> None:
    """A design that matched rosters (manifest ``households.general.roster_hits``) checked the whole of
    every sampled village, even where no hit turned up: the official 漏评率 is over the villages. Any
    other manifest (another tool's) leaves it to the sample's rows."""
    pop, sample, findings = _small()
    plain = estimate_county(pop.registry(), sample, findings).indicators["missed_rate"]
    assert plain.extra["denominator"].startswith("census groups")
    for manifest in ({"design": "another tool"}, {"design": {"parameters": None}}):
        other = SampleTables(sample.villages, sample.households, sample.groups, manifest=manifest)
        assert estimate_county(pop.registry(), other, findings).indicators["missed_rate"].official == plain.official
    matched = SampleTables(sample.villages, sample.households, sample.groups,
                           manifest={"design": {"parameters": {"households": {"general": {"roster_hits": True}}}}})
    m = estimate_county(pop.registry(), matched, findings).indicators["missed_rate"]
    villages = pop.villages.filter(pl.col("village_id").is_in(sample.villages["village_id"].implode()))
    x = float((villages["agricultural_population"] - villages["poor_persons"] - villages["exited_persons"]).sum())
    assert m.extra["denominator"].startswith("sampled villages") and m.n_persons == round(x)
    assert m.official == pytest.approx(plain.extra["missed_persons"] / x)
