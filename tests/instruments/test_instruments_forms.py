"""The questionnaires: committed workbooks match the definitions; every form converts with pyxform and
passes ODK Validate; field names of docs/fields.md are all there; labels, hints and messages bilingual;
ODK Central's export layout derived from the definitions matches the XForm pyxform generates."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from povexit.instruments.build import FORMS_DIR, form_path, read_values, sheet_values
from povexit.instruments.centralfmt import main_columns, repeat_columns
from povexit.instruments.definitions import INSTRUMENTS, forms, get
from povexit.instruments.export import convert, roster_household_id
from povexit.instruments.formdef import EN, ZH, Group, Question, Repeat

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_committed_workbook_matches_definition(instrument: str) -> None:
    form = get(instrument)
    path = form_path(form, FORMS_DIR)
    assert path.exists(), f"{path} missing: run python -m povexit.instruments.build"
    assert read_values(path) == sheet_values(form), (
        f"{path.name} differs from the definitions; regenerate with python -m povexit.instruments.build")


@pytest.fixture(scope="module")
def xforms() -> dict[str, str]:
    assert shutil.which("java"), "ODK Validate needs Java (scripts/setup.sh installs a JRE)"
    out = {}
    for inst in INSTRUMENTS:
        xml, warnings = convert(form_path(get(inst), FORMS_DIR), validate=True)
        assert not [w for w in warnings if "ODK Validate" in w], warnings
        out[inst] = xml
    return out


def test_every_form_converts_and_passes_odk_validate(xforms: dict[str, str]) -> None:
    for inst, xml in xforms.items():
        root = ET.fromstring(xml)
        assert root.tag.endswith("html")
        assert f'id="{get(inst).form_id}"' in xml
        # bilingual itext and the instanceID
        assert 'lang="中文 (zh)"' in xml and 'lang="English (en)"' in xml
        assert "/meta/instanceID" in xml


def test_household_forms_use_attachments_and_constraints(xforms: dict[str, str]) -> None:
    reg = xforms["registered"]
    assert 'src="jr://file-csv/households.csv"' in reg
    assert 'src="jr://file-csv/villages.csv"' in reg
    assert "village_id =  /data/village_id  and instrument = 'registered'" in reg
    assert 'jr:count=" /data/grp_household/persons "' in reg
    gen = xforms["general"]
    assert 'src="jr://file-csv/groups.csv"' in gen
    # impossible values are blocked on the tablet: age 0–120, income and litres ≥ 0
    assert re.search(r'member_age" type="int"[^>]*constraint="\. &gt;= 0 and \. &lt;= 120"', reg)
    assert re.search(r'income_wage" type="decimal"[^>]*constraint="\. &gt;= 0', reg)
    assert re.search(r'water_litres_per_person_day" type="decimal"[^>]*constraint="\. &gt;= 0', reg)
    assert '<bind nodeset="/data/gps" type="geopoint"/>' in reg
    assert re.search(r'nodeset="/data/start" jr:preload="timestamp"[^>]*jr:preloadParams="start"', reg)
    assert re.search(r'nodeset="/data/meta/instanceID"[^>]*jr:preload="uid"', reg)


def _fields_md_names(section_title: str) -> set[str]:
    text = (REPO / "docs" / "fields.md").read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.M)
    sec = next(p for p in parts if p.startswith(section_title))
    names = set()
    for line in sec.splitlines():
        if line.startswith("|") and not line.startswith("| field") and not line.startswith("|---"):
            names.update(re.findall(r"`([a-z_]+)`", line.split("|")[1]))
        elif not line.startswith("|"):
            names.update(re.findall(r"`([a-z_]+)`\s*(?:\(|,|;|$|\)|\s)", line))
    return names


def test_docs_fields_names_are_in_the_forms() -> None:
    reg = {f.name for f in get("registered").walk()}
    gen = {f.name for f in get("general").walk()}
    shared = {n for n in _fields_md_names("Household") if not n.startswith(("approve_", "exit_"))}
    registered_only = {"approve_policy", "approve_help", "approve_results", "approve_exit", "approve_cadres",
                       "exit_known", "exit_acknowledged", "exit_sustained", "industry_eligible",
                       "industry_project_running", "employment_unemployed_able", "employment_support",
                       "finance_loan_status", "dibao_missing", "pension_paid", "tekun_missing", "temp_relief_missing",
                       "disability_cert_missing", "village_team_help", "village_team_weakened", "premium_subsidy",
                       "medical_policy_gap", "chronic_contracted", "hospital_one_stop"}
    general_only = {"household_type", "missed_judgement", "missed_persons", "missed_reason", "infrastructure_improved"}
    # names in the shared table that only one instrument carries
    for name in shared - registered_only - general_only - {"yn", "int", "dec", "text", "s1", "sm"}:
        if name in ("A", "B", "C", "D", "none", "hardship", "unwilling", "health", "other", "obvious", "some"):
            continue
        assert name in reg and name in gen, name
    assert registered_only <= reg
    assert general_only <= gen
    members = {f.name for f in get("registered").fields("members")}
    assert {"member_no", "member_name", "member_id_number", "member_relation", "member_age", "member_sex",
            "member_schooling", "member_health", "member_disability_grade", "member_labour",
            "member_basic_insurance", "member_critical_insurance"} <= members
    village = {f.name for f in get("village").walk()}
    assert {"road_hardened", "road_width_m", "road_width_exempt", "bus_within_2km", "water_standard_ok",
            "power_all_households", "broadcast_all_households", "culture_centre_items", "clinic_area_m2",
            "clinic_rooms", "clinic_staff_per_1000", "qualified_doctor", "broadband_mbps", "fiber_reached",
            "incidence_reported_pct"} <= village
    cadre = {f.name for f in get("cadre").walk()}
    assert {"respondent_role", "approves", "disapproval_reason", "approve_exit"} <= cadre
    for form in forms().values():
        names = {f.name for f in form.walk()}
        assert {"start", "end", "instrument", "enumerators", "gps"} <= names
        if form.instrument in ("registered", "general", "village", "cadre"):
            assert "village_id" in names
        if form.instrument in ("registered", "general"):
            assert "household_id" in names


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_labels_hints_and_messages_are_bilingual(instrument: str) -> None:
    form = get(instrument)
    seen: set[str] = set()
    for f in form.walk():
        q = f.question
        assert q.name not in seen, f"duplicate field name {q.name}"
        seen.add(q.name)
        if q.type in ("start", "end", "today", "deviceid", "calculate"):
            continue
        assert q.zh and q.en, f"{q.name}: label in both languages"
        assert bool(q.hint_zh) == bool(q.hint_en), f"{q.name}: hint in both languages"
        if q.constraint:
            assert q.cmsg_zh and q.cmsg_en, f"{q.name}: constraint message in both languages"
        if q.list_name:
            assert all(c.zh and c.en for c in form.choices[q.list_name]), q.list_name
    values = sheet_values(form)
    header = values["survey"][0]
    assert f"label::{ZH}" in header and f"label::{EN}" in header
    assert f"constraint_message::{ZH}" in header and f"required_message::{EN}" in header
    # groups and repeats are labelled too
    def walk(nodes):
        for n in nodes:
            if isinstance(n, Group | Repeat):
                assert n.zh and n.en, n.name
                walk(n.children)
    walk(form.body)


def _instance_columns(xml: str, form_id: str) -> tuple[list[str], list[str]]:
    """Central's CSV headers derived independently from the XForm's primary instance and binds."""
    ns = {"h": "http://www.w3.org/1999/xhtml", "x": "http://www.w3.org/2002/xforms"}
    root = ET.fromstring(xml)
    model = root.find("h:head/x:model", ns)
    data = model.find("x:instance", ns)[0]
    binds = {b.get("nodeset"): b.get("type") for b in model.findall("x:bind", ns)}
    main: list[str] = ["SubmissionDate"]
    rep: list[str] = []
    jr = "{http://openrosa.org/javarosa}template"

    def walk(el, path: list[str], out: list[str], rel: list[str]) -> None:
        seen_repeat: set[str] = set()
        for child in el:
            tag = child.tag.split("}")[-1]
            full = "/" + "/".join([data.tag.split("}")[-1], *path, tag])
            if child.get(jr) is not None:
                seen_repeat.add(tag)
                walk(child, [*path, tag], rep, [])
                continue
            if tag in seen_repeat:
                continue
            if len(child):
                walk(child, [*path, tag], out, [*rel, tag])
                continue
            head = "-".join([*rel, tag])
            if binds.get(full) == "geopoint":
                out.extend(f"{head}-{p}" for p in ("Latitude", "Longitude", "Altitude", "Accuracy"))
            else:
                out.append(head)

    walk(data, [], main, [])
    return main, rep


def test_central_layout_matches_the_xform(xforms: dict[str, str]) -> None:
    for inst, xml in xforms.items():
        form = get(inst)
        main, rep = _instance_columns(xml, form.form_id)
        assert [h for h, _, _ in main_columns(form)] == main
        if form.repeats():
            assert [h for h, _, _ in repeat_columns(form, "members")] == rep


def test_roster_ids_agree_with_the_sampler() -> None:
    frame = pytest.importorskip("povexit.sampling.frame")
    for idn in ("110101199003077777", "11010119720307888x", " 530102198001011234 "):
        assert roster_household_id(idn) == frame.roster_household_id(idn)


def test_choice_labels_parse_back_to_codes() -> None:
    from povexit.instruments.schema import schema

    grade = schema("registered").field("housing_grade")
    assert grade.choice_labels["c级"] == "C"
    assert grade.choice_labels["a"] == "A"
    yn_field = schema("registered").field("approves")
    assert yn_field.kind == "yn"
    assert isinstance(yn_field.info.question, Question)
