"""Design presets and design files: values from the documents, validation naming key, value, allowed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from povexit.errors import PovexitError
from povexit.sampling import design_from_mapping, load_design, presets


def codes(err: PovexitError) -> list[str]:
    return [d.code for d in err.diagnostics]


def test_presets_carry_the_documents_numbers():
    assert presets() == ["jilin-2018", "midyear-2020", "national-spotcheck-2019", "yunnan-2018"]
    j = load_design("jilin-2018")
    assert (j.villages.count, j.villages.min_count, j.villages.poor_share, j.villages.weak_share) == (30, 25, 0.7, 0.5)
    assert j.villages.cover_townships and set(j.villages.weak_flags) == {"remote", "edge", "border", "minority"}
    assert (j.households.general.groups_min, j.households.general.groups_max) == (8, 12)
    assert j.households.targets(9_999) == (600, 400)  # 1000 households below 10k poor persons
    assert sum(j.households.targets(10_000)) == 1200  # 1200–1500 from 10k
    y = load_design("yunnan-2018")
    assert y.villages.count == 21 and y.households.targets(50_000) == (600, 700)  # ≥1300: 600 + 700
    m = load_design("midyear-2020")
    assert m.villages.stratify == "township"
    assert (m.villages.per_township_key, m.villages.per_township_other) == (3, 2)
    assert m.households.quotas == {"poor": 5, "exited": 5, "general": 5} and m.households.monitored
    assert m.households.substitution["poor"] == ("exited", "general")
    n = load_design("national-spotcheck-2019")
    assert n.counties is not None and n.counties.fraction == 0.2 and n.counties.min_per_province == 1
    assert sum(n.households.targets(50_000)) == 1000


def test_user_file_extends_a_preset(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text("extends: jilin-2018\nname: 试点县\nvillages:\n  count: 26\nrelease:\n  batches: 3\n", encoding="utf-8")
    d = load_design(f)
    assert d.name == "试点县" and d.villages.count == 26 and d.villages.poor_share == 0.7
    assert d.release.batches == 3 and d.release.batch_size is None
    assert d.origin == str(f)


def test_unknown_key_names_the_key_and_the_allowed_keys(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("extends: jilin-2018\nvillages:\n  count: 30\n  poor_shares: 0.7\n", encoding="utf-8")
    with pytest.raises(PovexitError) as e:
        load_design(f)
    d = e.value.diagnostics[0]
    assert d.code == "PVX011" and d.column == "villages.poor_shares" and d.row == 4 and d.file == str(f)
    assert "poor_share" in d.fix("en") and "weak_share" in d.fix("en")


def test_bad_value_names_key_value_line_and_allowed(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("villages:\n  method: random\n  poor_share: 1.4\nhouseholds:\n  registered:\n    statuses: [exited, gone]\n",
                 encoding="utf-8")
    with pytest.raises(PovexitError) as e:
        load_design(f)
    by_col = {d.column: d for d in e.value.diagnostics}
    assert set(by_col) == {"villages.method", "villages.poor_share", "households.registered.statuses[1]"}
    m = by_col["villages.method"]
    assert (m.code, m.value, m.row) == ("PVX010", "random", 2) and "pps, equal" in m.fix("en")
    assert by_col["villages.poor_share"].value == "1.4" and "0.0–1.0" in by_col["villages.poor_share"].fix("en")
    assert by_col["households.registered.statuses[1]"].row == 6
    assert "poor, exited, returned" in by_col["households.registered.statuses[1]"].fix("en")


def test_unknown_design_name_lists_presets():
    with pytest.raises(PovexitError) as e:
        load_design("jilin-2019")
    assert codes(e.value) == ["PVX-CY01"] and "jilin-2018" in e.value.diagnostics[0].fix("en")


def test_yaml_syntax_error_has_a_line(tmp_path):
    f = tmp_path / "broken.yaml"
    f.write_text("villages:\n  count: [30\n", encoding="utf-8")
    with pytest.raises(PovexitError) as e:
        load_design(f)
    assert codes(e.value) == ["PVX-CY02"] and e.value.diagnostics[0].row is not None


def test_extends_loop_is_reported(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    with pytest.raises(PovexitError) as e:
        load_design(tmp_path / "a.yaml")
    assert codes(e.value) == ["PVX-CY03"]


@pytest.mark.parametrize(("mapping", "column"), [
    ({"villages": {"count": 20, "min_count": 25}}, "villages.min_count"),
    ({"households": {"general": {"groups": {"min": 13, "max": 12}}}}, "households.general.groups.min"),
    ({"households": {"quotas": {"poor": 5, "rich": 5}}}, "households.quotas.rich"),
    ({"households": {"quotas": {"poor": 5}, "substitution": {"poor": ["poor"]}}}, "households.substitution.poor"),
    ({"release": {"batch_size": 5, "batches": 2}}, "release"),
    ({"counties": {"exit_year": "soon"}}, "counties.exit_year"),
    ({"households": {"scale": {"tiers": [{"min_persons": 10000, "total": 1200}, {"min_persons": 0, "total": 1000}]}}},
     "households.scale.tiers"),
    ({"villages": {"weak_area": {"flags": ["remote", "mountain"]}}}, "villages.weak_area.flags[1]"),
    ({"villages": {"cover_townships": "yes"}}, "villages.cover_townships"),
    ({"households": {"registered": {"min_per_village": -1}}}, "households.registered.min_per_village"),
    ({"households": {"registered": {"allocation": "optimal"}}}, "households.registered.allocation"),
    ({"households": {"general": {"groups": {"method": "pps_overall"}}}}, "households.general.groups.method"),
])
def test_inconsistent_designs_are_rejected(mapping, column):
    with pytest.raises(PovexitError) as e:
        design_from_mapping({"extends": "jilin-2018", **mapping})
    assert column in [d.column for d in e.value.diagnostics]


@given(st.sampled_from(["villages.count", "villages.poor_share", "villages.weak_share", "households.registered.total",
                        "households.general.total", "households.reserve.per_village", "counties.fraction"]),
       st.one_of(st.text(max_size=5), st.integers(-1000, -1), st.floats(1.5, 1e6), st.none(), st.lists(st.integers())))
@settings(max_examples=150)
def test_any_bad_numeric_value_is_reported_at_its_key(path, value):
    keys = path.split(".")
    mapping: dict = {"extends": "jilin-2018"}
    cur = mapping
    for k in keys[:-1]:
        cur = cur.setdefault(k, {})
    cur[keys[-1]] = value
    with pytest.raises(PovexitError) as e:
        design_from_mapping(mapping)
    assert path in [d.column for d in e.value.diagnostics]
