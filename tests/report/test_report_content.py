"""The content model of the county report, checked against the hand-made work directory."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import polars as pl
import pytest
from report_fixture import ESTIMATES, make_workdir

from povexit.errors import PovexitError
from povexit.report import county_report, load_workdir, problem_list
from povexit.report.households import evidence_for, household_table, team_of


@pytest.fixture
def data(workdir):
    return load_workdir(workdir)


def test_overview_counts_match_the_submissions(data):
    r = county_report(data)
    o = r.overview
    # seed 000: "完成有效评估问卷N户，其中建档立卡贫困户a户，一般农户b户"
    assert (o.households_valid, o.registered_valid, o.general_valid) == (17, 11, 6)
    assert o.registered_by_status == {"exited": 9, "poor": 1, "returned": 1}
    assert o.townships_visited == ["乙乡", "甲镇"] and o.townships_not_visited == ["丙乡"]
    assert o.townships_total == 3
    assert (o.villages_sampled, o.villages_visited) == (4, 4)
    assert (o.census_groups, o.census_groups_visited, o.groups_visited) == (2, 2, 7)
    assert o.registered_target == 11  # the reserve household HH011 is not part of the target
    assert (o.enumerators, o.teams) == (4, 2)  # "E02;E01" is the same pair as "E01;E02"
    assert (o.rejected_submissions, o.flagged_submissions, o.cannot_judge) == (2, 1, 1)  # row 12 counts once
    # cadre interviews on 13 Feb count as fieldwork days; 07:40+08:00 on 15 Feb stays the 15th
    assert (o.first_day, o.last_day, o.fieldwork_days) == (dt.date(2019, 2, 13), dt.date(2019, 2, 15), 3)


def test_local_date_not_utc(data):
    hh = household_table(data)
    d = dict(hh.select("household_id", "date").iter_rows())
    assert d["HH006"] == dt.date(2019, 2, 15)  # 2019-02-14T23:40Z in UTC


def test_indicators_copied_from_estimates_with_threshold_checks(data):
    r = county_report(data)
    for row in r.indicators:
        src = ESTIMATES["indicators"][row.key]
        assert row.official == src["official"] and row.estimate == src["estimate"]
        assert (row.ci_low, row.ci_high) == (src["ci_low"], src["ci_high"])
        assert row.threshold == ESTIMATES["thresholds"][row.key]
    we = r.indicator("wrongful_exit_rate")
    assert we.meets_official is False and we.ci_contains_threshold and we.near_threshold
    comp = r.indicator("composite_incidence")
    assert comp.meets_official is True and comp.ci_contains_threshold is False
    assert r.indicator("approval_rate").meets_official is False  # 88.24% is not above 90%
    assert r.decision == "rectify" and r.decision_label == "限期整改后复核"
    assert r.reasons == ESTIMATES["reasons"]
    assert county_report(data, lang="en").reasons == ESTIMATES["reasons_en"]


def test_problems_by_category(data):
    r = county_report(data)
    cats = {c.key: c for c in r.problems}
    assert set(cats) == {"income", "water", "medical", "housing", "policy", "identification"}
    assert cats["housing"].by_status == {"exited": 1}
    assert cats["medical"].by_status == {"general": 1}
    assert cats["policy"].by_status == {"poor": 1, "exited": 1}
    assert {i.rule_id for i in cats["policy"].items} == {"policy.dibao_missing", "policy.village_team_weakened"}
    assert cats["identification"].items[0].rule_id == "review.enumerator_missed"
    assert r.problem_households == 5  # HH003, HH007, HH012, N002, N003
    vp = {(p.village, p.rule_id) for p in r.village_problems}
    assert vp == {("南村", "infra.road_too_narrow"), ("北村", "infra.clinic_area"), ("北村", "infra.culture_centre")}
    assert r.villages_checked == 4
    assert r.disapproval.households == 2 and r.disapproval.surveyed == 17


def test_feedback_cases_with_outcomes_and_masked_ids(data):
    fb = county_report(data).feedback
    assert fb.from_cases_file
    assert fb.wrongful_exit == {"total": 2, "confirmed": 1, "dismissed": 1, "pending": 0}
    assert fb.missed == {"total": 1, "confirmed": 0, "dismissed": 0, "pending": 1}
    by_id = {c.household_id: c for c in fb.cases}
    assert by_id["HH007"].note == "县里提供务工收入和集中供水佐证材料"
    assert by_id["HH003"].persons == 4 and by_id["N002"].persons == 2
    heads = data.reg_households.filter(pl.col("household_id") == "HH003")
    raw = heads["head_id_number"][0]
    assert by_id["HH003"].masked_id == raw[:6] + "*" * 8 + raw[-4:]
    assert by_id["HH003"].masked_name == "王**"
    assert by_id["N002"].masked_name == "杨*" and by_id["N002"].masked_id.count("*") == 8


def test_feedback_without_cases_file_is_pending(tmp_path):
    wd = make_workdir(tmp_path / "w", with_cases=False)
    fb = county_report(load_workdir(wd)).feedback
    assert not fb.from_cases_file
    assert fb.wrongful_exit["total"] == 2 and fb.wrongful_exit["pending"] == 2
    assert all(c.outcome == "pending" for c in fb.cases)


def test_sampling_and_annex(data):
    r = county_report(data)
    s = r.sampling
    assert (s.design, s.seed, s.villages, s.poor_villages, s.weak_area_villages) == ("yunnan-2018", 20190213, 4, 3, 2)
    assert s.by_reason == {"random": 2, "weak-area": 2}
    assert {st.stratum: (st.villages, st.villages_in_frame, st.registered_households) for st in s.strata} == {
        "nonpoor": (1, 8, 2), "poor-other": (1, 5, 3), "poor-weak": (2, 4, 6)}
    assert s.census_population == 215 and s.reserve_used == 1
    assert (s.weight_min, s.weight_max) == (3.3333, 8.0)
    a = r.annex
    assert a.manifest_sha256 == data.file_hashes["sample/manifest.json"] and len(a.manifest_sha256) == 64
    assert ("persons.csv", "a" * 64) in a.input_hashes
    assert ("design.name", "yunnan-2018") in a.design_parameters
    assert not any(k.startswith("inputs") for k, _ in a.design_parameters)
    assert a.ruleset == "yunnan-2018 (1)"


def test_problem_list_rows(data):
    pl_ = problem_list(data, deadline=dt.date(2019, 4, 15))
    # seven household rules fired + three village checklist items
    assert len(pl_.rows) == 10
    assert [r.no for r in pl_.rows] == list(range(1, 11))
    hh007 = [r for r in pl_.rows if r.household_id == "HH007"]
    assert {r.rule_id for r in hh007} == {"income.below_line", "water.quantity"}
    assert all(r.status == "不予采信" for r in hh007)  # the case was dismissed
    # one printable segment per rule, in rule order (the rules layer writes them that way)
    assert [r.detail for r in sorted(hh007, key=lambda r: r.rule_id)] == [
        "疑似错退：人均纯收入2650元低于扶贫标准", "疑似错退：饮水水量不足（每人每天20升）"]
    assert next(r for r in pl_.rows if r.household_id == "N002").status == "待核实"
    hh003 = {r.rule_id: r for r in pl_.rows if r.household_id == "HH003"}
    assert hh003["housing.unsafe"].status == "已确认"  # the rule behind the confirmed case
    assert hh003["policy.village_team_weakened"].status == "待整改"  # not part of the case
    assert hh003["housing.unsafe"].detail == "疑似错退：住房安全无保障（C级危房，未改造）"
    assert hh003["policy.village_team_weakened"].detail == "政策落实问题：驻村帮扶撤销或减弱"
    assert hh003["housing.unsafe"].evidence == "housing_grade=C; renovated=否"  # null answers left out
    assert next(r for r in pl_.rows if r.household_id == "N003").status == "待核实"  # an item to review
    assert next(r for r in pl_.rows if r.household_id == "HH012").status == "待整改"
    assert all(r.deadline == dt.date(2019, 4, 15) for r in pl_.rows)
    road = next(r for r in pl_.rows if r.rule_id == "infra.road_too_narrow")
    assert road.responsible == "乙乡人民政府、县交通运输局" and "3米" in road.evidence
    assert problem_list(data).deadline == dt.date(2019, 3, 17)  # last fieldwork day + 30


def test_daily_summary_by_date_and_team(data):
    daily = problem_list(data).daily
    rows = {(d.date, d.team): d for d in daily}
    d14 = rows[(dt.date(2019, 2, 14), "E01;E02")]
    assert (d14.registered, d14.general, d14.village_checklists) == (3, 3, 1)
    assert (d14.suspected_wrongful_exit, d14.suspected_missed, d14.problem_households, d14.problems) == (1, 1, 3, 4)
    assert d14.due == "2019-02-14 20:00"
    total15 = rows[(dt.date(2019, 2, 15), "当日合计")]
    assert (total15.registered, total15.general, total15.problems) == (6, 3, 6)
    # every interviewed household is counted once over the days
    assert sum(d.registered + d.general for d in daily if d.team != "当日合计") == 17


def test_team_and_evidence_helpers():
    assert team_of("E02;E01") == team_of("E01 E02") == "E01;E02"
    assert team_of(None) is None
    ev = json.dumps({"housing.unsafe": {"housing_grade": "C", "renovated": False},
                     "x.y": {"member_id_number": "110101199003077777", "member_name": "张三丰"}})
    assert evidence_for(ev, "housing.unsafe") == "housing_grade=C; renovated=否"
    masked = evidence_for(ev, "x.y")
    assert "110101199003077777" not in masked and "110101********7777" in masked and "张**" in masked
    assert evidence_for("", "a") == "" and evidence_for(ev, "absent.rule") == ""


def test_missing_estimates_and_invalid_estimates(tmp_path, workdir):
    bad = tmp_path / "copy"
    shutil.copytree(workdir, bad)
    (bad / "estimates.json").unlink()
    with pytest.raises(PovexitError) as e:
        load_workdir(bad)
    assert e.value.diagnostics[0].code == "PVX-RP01" and "estimates.json" in e.value.diagnostics[0].file
    est = dict(ESTIMATES, decision="maybe")
    (bad / "estimates.json").write_text(json.dumps(est), encoding="utf-8")
    with pytest.raises(PovexitError) as e:
        load_workdir(bad)
    assert e.value.diagnostics[0].code == "PVX-RP02" and e.value.diagnostics[0].column == "decision"
    ind = json.loads(json.dumps(ESTIMATES))
    ind["indicators"]["missed_rate"]["ci_low"] = "low"
    (bad / "estimates.json").write_text(json.dumps(ind), encoding="utf-8")
    with pytest.raises(PovexitError) as e:
        load_workdir(bad)
    assert e.value.diagnostics[0].column == "indicators.missed_rate.ci_low"


def test_missing_findings_column(tmp_path, workdir):
    bad = tmp_path / "copy"
    shutil.copytree(workdir, bad)
    f = bad / "findings" / "findings.csv"
    df = pl.read_csv(f, infer_schema=False).drop("missed")
    df.write_csv(f)
    with pytest.raises(PovexitError) as e:
        load_workdir(bad)
    d = e.value.diagnostics[0]
    assert (d.code, d.column) == ("PVX-RP04", "missed")


def test_optional_tables_absent_give_warnings_not_numbers(tmp_path, workdir):
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copytree(workdir / "findings", bare / "findings")
    shutil.copy(workdir / "estimates.json", bare / "estimates.json")
    r = county_report(load_workdir(bare))
    assert r.overview.households_valid == 17 and r.overview.first_day is None
    assert r.sampling.villages == 0 and r.overview.townships_total is None
    assert any("registry/" in w for w in r.warnings) and any("responses/" in w for w in r.warnings)
