"""Verdict mechanics: persons, evidence with parameter sources, cases, overrides, duplicates, answers
arriving as text, warnings, and the long verdict table."""

from __future__ import annotations

import json

import polars as pl
import pytest
from rules_helpers import household, registry, responses

from povexit.errors import PovexitError
from povexit.rules import adjudicate, load_ruleset
from povexit.rules.overrides import normalise as normalise_overrides

RS = "national-2019"


def test_wrongful_exit_persons_are_the_registrys_household_size() -> None:
    """错退人口 = persons of the household (seed 001 §三(二)1); the registry's count is the official one."""
    reg = registry([{"household_id": "H", "status": "exited", "persons": 5}])
    adj = adjudicate(reg, None, responses(household("H", persons=4, food_staple_enough=False)), load_ruleset(RS))
    row = adj.findings.row(0, named=True)
    assert (row["persons"], row["wrongful_exit_persons"], row["missed_persons"]) == (5, 5, 0)


def test_missed_persons_are_the_answered_household_size() -> None:
    adj = adjudicate(registry([]), None, responses(household("N", "general", persons=6, clothing_change=False)),
                     load_ruleset(RS))
    row = adj.findings.row(0, named=True)
    assert (row["missed"], row["missed_persons"], row["wrongful_exit_persons"]) == (True, 6, 0)


def test_evidence_names_answers_thresholds_and_sources() -> None:
    reg = registry([{"household_id": "H", "status": "exited"}])
    hh = household("H", water_litres_per_person_day=12.5, housing_grade="D", housing_safe=False, renovated=False,
                   housing_substitute="none")
    row = adjudicate(reg, None, responses(hh), load_ruleset(RS)).findings.row(0, named=True)
    ev = {e["rule"]: e for e in json.loads(row["evidence"])}
    assert set(ev) == {"water.quantity", "housing.unsafe"}
    water = ev["water.quantity"]
    assert water["answers"] == {"water_litres_per_person_day": 12.5, "water_scarce_area": False}
    assert water["params"]["water.quantity_min_l"] == 35
    assert "T/CHES 18-2018" in water["sources"]["water.quantity_min_l"]
    house = ev["housing.unsafe"]
    # the answers behind the rule include those of the exceptions that could have cancelled it
    assert house["answers"]["housing_grade"] == "D" and house["answers"]["relocated"] is False
    assert house["answers"]["housing_substitute"] == "none"
    assert "seed 001" in house["sources"]["housing.accepted_grades"]
    assert row["problems_en"] == ("Suspected wrongful exit: not enough drinking water (12.5 litres a person a day, "
                                  "below 35); housing not secured (grade D dangerous house, not renovated)")


def test_applied_exception_is_in_the_evidence() -> None:
    reg = registry([{"household_id": "H", "status": "exited"}])
    hh = household("H", dropout=True, dropout_reason="health", home_schooling=True, dropout_count=1)
    row = adjudicate(reg, None, responses(hh), load_ruleset(RS)).findings.row(0, named=True)
    (entry,) = json.loads(row["evidence"])
    assert entry == {"rule": "education.home_schooling", "kind": "exception", "outcome": "applied",
                     "answers": {"dropout": True, "home_schooling": True, "dropout_reason": "health"},
                     "derived": {"m_dropouts": 0, "m_home_schooling": 0},
                     "params": {"education.home_schooling_exempt": True},
                     "sources": {"education.home_schooling_exempt": load_ruleset(RS).param(
                         "education.home_schooling_exempt").source}}
    assert row["exceptions"] == "education.home_schooling" and row["rules"] == ""


def test_cases_for_suspected_wrongful_exits_and_missed_poor_only() -> None:
    reg = registry([{"household_id": h, "status": "exited"} for h in ("H1", "H2", "H3")])
    resp = responses(
        household("H1", all_basic_insured=False, approves=False, approve_help=False, disapproval_reason="x",
                  dibao_missing=True),
        household("H2"),
        household("H3", food_staple_enough=None),  # cannot judge: no case
        household("N1", "general", water_quality_ok=False),
        household("N2", "general"),
    )
    adj = adjudicate(reg, None, resp, load_ruleset(RS))
    c = adj.cases
    assert c["case_id"].to_list() == ["MS-N1", "WE-H1"]
    assert c["kind"].to_list() == ["missed", "wrongful_exit"] and set(c["outcome"]) == {"pending"}
    we = c.filter(pl.col("case_id") == "WE-H1").row(0, named=True)
    assert we["rules"] == "medical.uninsured"  # policy and approval rules are not the case's reasons
    assert [e["rule"] for e in json.loads(we["evidence"])] == ["medical.uninsured"]
    assert we["persons"] == 3 and we["problems_zh"].startswith("疑似错退：未参加基本医保或大病保险")
    h3 = adj.findings.filter(pl.col("household_id") == "H3").row(0, named=True)
    assert h3["wrongful_exit"] is None and h3["wrongful_exit_persons"] is None and h3["status"] == "cannot_judge"


def test_exclusion_override_validation() -> None:
    with pytest.raises(PovexitError) as ei:
        normalise_overrides(pl.DataFrame({"household_id": ["N1", "N2"], "rule": ["housing.unsafe", "exclusion"],
                                          "reason": ["x", None], "checker": ["C1", "C2"]}), file="ov.csv")
    codes = sorted((d.code, d.row, d.column) for d in ei.value.diagnostics)
    assert codes == [("PVX-RU20", 2, "reason"), ("PVX-RU21", 1, "rule")]
    ok = normalise_overrides(pl.DataFrame({"household_id": ["N1"], "rule": ["exclusion"], "reason": ["核实"],
                                           "checker": ["C1"]}))
    assert ok.height == 5 and set(ok["rule"]) == {f"exclusion.{c}" for c in
                                                  ("public_employee", "vehicle", "urban_property", "business",
                                                   "village_cadre")}


def test_override_of_an_unknown_household_is_a_warning() -> None:
    ov = normalise_overrides(pl.DataFrame({"household_id": ["NOPE"], "rule": ["exclusion.vehicle"],
                                           "reason": ["x"], "checker": ["C1"]}))
    adj = adjudicate(registry([]), None, responses(household("N", "general")), load_ruleset(RS), overrides=ov)
    assert [d.code for d in adj.diagnostics] == ["PVX-RU22"]


def test_duplicate_submissions_keep_the_latest() -> None:
    reg = registry([{"household_id": "H", "status": "exited"}])
    a = household("H", instance_id="uuid:a", ended_at="2019-02-14T10:00:00", food_staple_enough=False)
    b = household("H", instance_id="uuid:b", ended_at="2019-02-15T09:00:00")
    adj = adjudicate(reg, None, responses(a, b), load_ruleset(RS))
    assert adj.findings.height == 1
    row = adj.findings.row(0, named=True)
    assert row["instance_id"] == "uuid:b" and row["wrongful_exit"] is False
    (d,) = adj.diagnostics
    assert d.code == "PVX-RU32" and d.params["instance"] == "uuid:b"


def test_visits_without_an_interview_are_not_judged() -> None:
    reg = registry([{"household_id": h, "status": "exited"} for h in ("H1", "H2")])
    adj = adjudicate(reg, None, responses(household("H1", interview_result="completed"),
                                          household("H2", interview_result="not_found")), load_ruleset(RS))
    assert adj.findings["household_id"].to_list() == ["H1"]
    assert adj.summary["skipped"] == {"interview_not_completed": 1}


def test_answers_as_text_are_read_and_bad_ones_reported() -> None:
    """A plain contract CSV gives text: 是/否, numbers as strings. An unreadable value is missing, not a pass."""
    reg = registry([{"household_id": h, "status": "exited"} for h in ("H1", "H2")])
    rows = [household("H1"), household("H2")]
    text_rows = [{k: (None if v is None else ("是" if v is True else "否" if v is False else str(v)))
                  for k, v in r.items()} for r in rows]
    text_rows[1]["water_quality_ok"] = "也许"
    text_rows[1]["water_litres_per_person_day"] = "三十"
    hh = pl.DataFrame(text_rows, schema={k: pl.String for k in text_rows[0]})
    adj = adjudicate(reg, None, hh, load_ruleset(RS))
    f = {r["household_id"]: r for r in adj.findings.iter_rows(named=True)}
    assert f["H1"]["status"] == "judged" and f["H1"]["wrongful_exit"] is False
    assert f["H2"]["status"] == "cannot_judge"
    assert set(f["H2"]["missing_fields"].split(";")) == {"water_quality_ok", "water_litres_per_person_day"}
    bad = {(d.code, d.column, d.value, d.row) for d in adj.diagnostics}
    assert bad == {("PVX-RU31", "water_quality_ok", "也许", 2), ("PVX-RU31", "water_litres_per_person_day", "三十", 2)}


def test_not_in_sample_warning_unless_in_a_census_group() -> None:
    reg = registry([{"household_id": "H", "status": "exited"}])
    sample = type("S", (), {})()
    sample.households = pl.DataFrame({"household_id": ["H"], "village_id": ["V1"], "instrument": ["registered"],
                                      "persons": [3]})
    sample.groups = pl.DataFrame({"village_id": ["V1"], "group": ["三组"], "nonregistered_population": [100]})
    resp = responses(household("H"), household("N1", "general", village_id="V1", group="三组"),
                     household("N2", "general", village_id="V1", group="九组"))
    adj = adjudicate(reg, sample, resp, load_ruleset(RS))
    assert [(d.code, d.value) for d in adj.diagnostics] == [("PVX-RU33", "N2")]


def test_reserve_household_interviewed_in_place_of_one_not_found_is_in_the_sample() -> None:
    """data-layout.md: a substitute is the next reserve household of the same village and type; it is
    part of the sample (the warning is for households from nowhere)."""
    reg = registry([{"household_id": h, "status": "exited"} for h in ("H", "R1", "X9")])
    sample = type("S", (), {})()
    sample.households = pl.DataFrame({"household_id": ["H"], "village_id": ["V1"], "instrument": ["registered"],
                                      "persons": [3]})
    sample.reserve = pl.DataFrame({"household_id": ["R1"], "village_id": ["V1"], "instrument": ["registered"],
                                   "persons": [2], "reserve_rank": [1]})
    sample.groups = None
    resp = responses(household("R1"), household("X9"))
    adj = adjudicate(reg, sample, resp, load_ruleset(RS))
    assert [(d.code, d.value) for d in adj.diagnostics] == [("PVX-RU33", "X9")]
    assert set(adj.findings["household_id"]) == {"R1", "X9"}


def test_ruleset_for_another_province_or_year_is_warned() -> None:
    reg = registry([{"household_id": "H", "status": "exited"}], province="吉林省", exit_year=2018)
    adj = adjudicate(reg, None, responses(household("H")), load_ruleset("yunnan-2018"))
    assert [d.code for d in adj.diagnostics] == ["PVX-RU36"]
    adj = adjudicate(reg, None, responses(household("H")), load_ruleset("national-2019"))
    assert [d.code for d in adj.diagnostics] == ["PVX-RU38"]


def test_no_household_submissions_is_an_error() -> None:
    hh = pl.DataFrame({"household_id": ["V1"], "instrument": ["village"]})
    with pytest.raises(PovexitError) as ei:
        adjudicate(registry([]), None, hh, load_ruleset(RS))
    assert ei.value.diagnostics[0].code == "PVX-RU37"
    with pytest.raises(PovexitError) as ei:
        adjudicate(registry([]), None, pl.DataFrame({"instrument": ["general"]}), load_ruleset(RS))
    assert (ei.value.diagnostics[0].code, ei.value.diagnostics[0].column) == ("PVX-RU34", "household_id")


def test_verdict_table_has_every_rule_for_every_household() -> None:
    from povexit.rules import RULES

    reg = registry([{"household_id": "H", "status": "exited"}])
    hh = household("H", food_staple_enough=False, children_support_capable=True, children_support_provided=True,
                   water_litres_per_person_day=None, all_basic_insured=False)
    resp = responses(hh, household("N", "general"))
    adj = adjudicate(reg, None, resp, load_ruleset(RS))
    v = adj.verdicts
    assert v.height == 2 * len(RULES)
    h = {r["rule"]: r["outcome"] for r in v.filter(pl.col("household_id") == "H").iter_rows(named=True)}
    assert h["food.insufficient"] == "excepted" and h["support.children"] == "applied"
    assert h["water.quantity"] == "unknown" and h["medical.uninsured"] == "fired"
    assert h["income.below_line"] == "passed" and h["exclusion.vehicle"] == "not_applicable"
    n = {r["rule"]: r["outcome"] for r in v.filter(pl.col("household_id") == "N").iter_rows(named=True)}
    assert n["policy.dibao_missing"] == "not_applicable" and n["exclusion.vehicle"] == "passed"
    assert set(v["ruleset"]) == {RS}
    assert adj.summary["rules_fired"] == {"medical.uninsured": 1}


def test_roster_hits_by_member_id_are_listed() -> None:
    idn = "53010219850505432X"
    reg = registry([], rosters=[{"source": "残联", "source_code": "disability", "kind": "vulnerability",
                                 "id_number": idn}])
    members = [{"instance_id": "uuid:N", "member_no": 1, "member_age": 40, "member_id_number": idn.lower()}]
    adj = adjudicate(reg, None, responses(household("N", "general"), members=members), load_ruleset(RS))
    row = adj.findings.row(0, named=True)
    assert row["vulnerability_lists"] == "disability" and row["exclusion_lists"] == ""


def test_each_fired_rule_has_its_own_segment_in_the_printable_text() -> None:
    """Feedback lists and problem lists print one line per rule: the text has one segment per fired rule,
    in the order of ``rules``, each starting with the rule's own (unique) label."""
    from povexit.rules import RULES

    for lang in ("zh", "en"):
        labels = [getattr(r, f"label_{lang}") for r in RULES if r.kind not in ("exception", "exclusion")]
        assert len(labels) == len(set(labels)), lang
    reg = registry([{"household_id": "H", "status": "exited"}])
    hh = household("H", water_quality_ok=False, water_litres_per_person_day=10.0, water_fetch_minutes=50.0,
                   clothing_change=False, dibao_missing=True, approve_help=False, approves=False,
                   disapproval_reason="帮扶干部很少来")
    row = adjudicate(reg, None, responses(hh), load_ruleset(RS)).findings.row(0, named=True)
    by_id = {r.id: r for r in RULES}
    fired = row["rules"].split(";")
    assert fired == ["clothing.insufficient", "water.quality", "water.quantity", "water.convenience",
                     "approval.disapproves", "policy.dibao_missing"]
    for lang, sep, seg_sep, colon in (("zh", "；", "。", "："), ("en", "; ", ". ", ": ")):
        text = row[f"problems_{lang}"]
        segments = [s.split(colon, 1)[1] for s in text.split(seg_sep) if s]
        parts = [p for s in segments[:2] for p in s.split(sep)]  # verdict, then policy gaps
        expect = [getattr(by_id[r], f"label_{lang}") for r in fired if by_id[r].kind in ("problem", "policy")]
        assert [next(lbl for lbl in expect if p.startswith(lbl)) for p in parts] == expect, text
    assert row["problems_zh"].endswith("不认可：不认可帮扶措施、本村脱贫攻坚工作；原因：帮扶干部很少来")


def test_nan_is_a_missing_answer_not_a_number() -> None:
    reg = registry([{"household_id": "H", "status": "exited"}])
    row = adjudicate(reg, None, responses(household("H", water_litres_per_person_day=float("nan"))),
                     load_ruleset(RS)).findings.row(0, named=True)
    assert row["status"] == "cannot_judge" and row["missing_fields"] == "water_litres_per_person_day"
