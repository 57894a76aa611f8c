"""User-written design files: every preset extended, typos, wrong types, contradictions, broken YAML —
each reported with the file, the line, the key and what is allowed, and through ``povexit sample``
as a rendered table with a non-zero exit code, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from sampling_fixtures import make_registry

from povexit.cli.main import main
from povexit.errors import PovexitError
from povexit.sampling import draw, load_design, presets
from povexit.sampling.design import design_from_mapping


def write(path, text: str, encoding: str = "utf-8"):
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding=encoding)
    return path


def problems(design) -> list:
    with pytest.raises(PovexitError) as info:
        load_design(design)
    return info.value.diagnostics


# ---- every preset extended and overridden ----------------------------------------------------------


@pytest.mark.parametrize("preset", presets())
def test_every_preset_can_be_extended_and_overridden(tmp_path, preset):
    base = load_design(preset)
    f = write(tmp_path / "mine.yaml", f"""
        extends: {preset}
        name: mine
        villages:
          min_per_stratum: 1
        households:
          reserve: {{per_village: 2}}
        release: {{batches: 3}}
        """)
    d = load_design(f)
    assert d.name == "mine" and d.villages.min_per_stratum == 1
    assert d.households.reserve_per_village == 2 and d.release.batches == 3 and d.release.batch_size is None
    # everything not overridden is the preset's
    assert d.villages.count == base.villages.count and d.households.registered == base.households.registered
    assert d.counties == base.counties and d.households.quotas == base.households.quotas
    # and the extended design draws on an unusual small county
    reg = make_registry(2, townships=3, villages_per_township=(2, 4))
    if d.counties is None:
        s = draw(reg, d, 5)
        assert s.villages.height and (s.villages["p_village"] <= 1).all()


def test_chain_of_user_files_is_validated_as_a_whole(tmp_path):
    # the middle file alone is contradictory (count 12 < the preset's min_count 25); the leaf fixes it
    write(tmp_path / "mid.yaml", """
        extends: jilin-2018
        villages: {count: 12}
        """)
    leaf = write(tmp_path / "leaf.yaml", """
        extends: mid.yaml
        villages: {min_count: 10}
        """)
    d = load_design(leaf)
    assert (d.villages.count, d.villages.min_count) == (12, 10)
    [p] = problems(tmp_path / "mid.yaml")
    # reported where the contradiction came in (the user's count), naming the preset's min_count and line
    assert (p.code, p.column, p.row) == ("PVX010", "villages.count", 2)
    assert p.file.endswith("mid.yaml") and "jilin-2018.yaml:9" in p.message("en") and "min_count" in p.fix("en")


# ---- typos, wrong types, contradictions ----------------------------------------------------------


def test_typo_names_key_file_line_allowed_and_closest(tmp_path):
    f = write(tmp_path / "typo.yaml", """
        extends: yunnan-2018
        villages:
          cout: 20
        households:
          registered:
            minn_per_village: 3
          count: 4
        relase: {batch_size: 3}
        """)
    by_col = {d.column: d for d in problems(f)}
    assert set(by_col) == {"villages.cout", "households.registered.minn_per_village", "households.count", "relase"}
    d = by_col["villages.cout"]
    assert d.code == "PVX011" and d.row == 3 and d.file.endswith("typo.yaml")
    assert "did you mean 'count'?" in d.fix("en") and "min_count" in d.fix("en")  # allowed keys listed
    assert "did you mean 'min_per_village'?" in by_col["households.registered.minn_per_village"].fix("en")
    assert "belongs under villages" in by_col["households.count"].fix("en")  # a key in the wrong section
    assert "did you mean 'release'?" in by_col["relase"].fix("en")


@pytest.mark.parametrize(("snippet", "column", "needle"), [
    ("villages: {count: twenty}", "villages.count", "not an integer"),
    ("villages: {poor_share: 70}", "villages.poor_share", "70% is 0.7"),
    ("villages: {weak_share: -0.1}", "villages.weak_share", "out of range"),
    ("villages: {cover_townships: yes please}", "villages.cover_townships", "not true/false"),
    ("villages: {weak_area: {flags: [remote, mountain]}}", "villages.weak_area.flags[1]", "not one of the allowed"),
    ("households: {registered: {statuses: exited}}", "households.registered.statuses", "not a list"),
    ("households: {general: {groups: {min: 12, max: 8}}}", "households.general.groups.min", "larger than"),
    ("households: {general: {groups: {max: 5}}}", "households.general.groups.max", "smaller than"),
    ("households: {scale: {tiers: [{min_persons: 0, totl: 1000}]}}", "households.scale.tiers[0].totl", "total"),
    ("households: {scale: 1200}", "households.scale", "mapping or null"),
    ("villages: 30", "villages", "must be a mapping"),
    ("release: {batch_size: 6, batches: 2}", "release", "exactly one"),
    ("release: {batch: 6}", "release.batch", "did you mean"),
])
def test_wrong_types_and_contradictions_are_reported_once_at_their_key(tmp_path, snippet, column, needle):
    f = write(tmp_path / "bad.yaml", f"extends: jilin-2018\n{snippet}\n")
    diags = problems(f)
    assert [d.column for d in diags] == [column], [str(d) for d in diags]
    d = diags[0]
    assert d.file.endswith("bad.yaml") and d.row == 2
    assert needle in d.message("en") + d.fix("en")


def test_midyear_quota_and_township_typos(tmp_path):
    f = write(tmp_path / "mid.yaml", """
        extends: midyear-2020
        villages:
          per_township: {key: 3, othr: 2}
        households:
          quotas: {poor: 5, exitd: 5}
          substitution: {poor: [poor]}
        """)
    by_col = {d.column: d for d in problems(f)}
    assert "did you mean 'other'?" in by_col["villages.per_township.othr"].fix("en")
    assert "did you mean 'exited'?" in by_col["households.quotas.exitd"].fix("en")
    assert "cannot substitute for itself" in by_col["households.substitution.poor"].message("en")


def test_inline_mapping_is_located_in_the_mapping_not_the_preset():
    with pytest.raises(PovexitError) as info:
        design_from_mapping({"extends": "jilin-2018", "villages": {"count": 3}}, name="inline")
    [d] = info.value.diagnostics
    assert d.column == "villages.count" and d.file == "inline"


# ---- broken files ------------------------------------------------------------------------------------


def test_yaml_errors_encoding_duplicates_and_bad_extends(tmp_path):
    tab = tmp_path / "tab.yaml"
    tab.write_text("extends: jilin-2018\nvillages:\n\tcount: 3\n", encoding="utf-8")
    [d] = problems(tab)
    assert (d.code, d.row) == ("PVX-CY02", 3)

    gbk = write(tmp_path / "gbk.yaml", "extends: jilin-2018\ntitle:\n  zh: 测试方案\n", encoding="gbk")
    [d] = problems(gbk)
    assert (d.code, d.row) == ("PVX-CY04", 3) and "UTF-8" in d.fix("en")

    bom = tmp_path / "bom.yaml"  # Notepad's "UTF-8" has a BOM: read as any UTF-8 file
    bom.write_bytes("\ufeffextends: jilin-2018\nvillages: {count: 28}\n".encode())
    assert load_design(bom).villages.count == 28

    dup = write(tmp_path / "dup.yaml", """
        extends: jilin-2018
        villages: {count: 30}
        households: {reserve: {per_village: 3}}
        villages: {count: 12}
        """)
    [d] = problems(dup)
    assert (d.code, d.row, d.column) == ("PVX-CY05", 4, "villages") and "line 2" in d.message("en")

    for value in ("jilin2018", "[jilin-2018]", "missing.yaml"):
        f = write(tmp_path / "ext.yaml", f"name: x\nextends: {value}\n")
        [d] = problems(f)
        assert (d.code, d.row, d.column) == ("PVX-CY06", 2, "extends") and "jilin-2018" in d.fix("en")

    top = write(tmp_path / "list.yaml", "- jilin-2018\n")
    [d] = problems(top)
    assert d.column == "(top level)"


# ---- through the command line ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_registry(tmp_path_factory):
    out = tmp_path_factory.mktemp("reg")
    assert main(["synth", "--out", str(out), "--seed", "3", "--households", "1500", "--no-truth"]) == 0
    return out / "registry"


CLI_CASES = {
    "typo": ("extends: jilin-2018\nvillages:\n  cout: 20\n", "villages.cout"),
    "type": ("extends: national-spotcheck-2019\ncounties: {fraction: a fifth}\n", "counties.fraction"),
    "contradiction": ("extends: yunnan-2018\nhouseholds:\n  general:\n    groups: {min: 20, max: 8}\n",
                      "households.general.groups.min"),
    "syntax": ("extends: jilin-2018\nvillages:\n  count: 20\n   min_count: 10\n", "PVX-CY02"),
}


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_cli_renders_design_errors_and_writes_nothing(small_registry, tmp_path, capsys, monkeypatch, case):
    monkeypatch.setenv("POVEXIT_LANG", "en")
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.chdir(tmp_path)  # a short relative path, as a user types it (the table folds long ones)
    text, needle = CLI_CASES[case]
    write(tmp_path / f"{case}.yaml", text)
    out = tmp_path / "sample"
    rc = main(["sample", "--registry", str(small_registry), "--design", f"{case}.yaml", "--seed", "1", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and not out.exists()
    assert needle in err and f"{case}.yaml" in err and "Traceback" not in err


def test_cli_extended_design_draws_and_census_of_a_small_county(small_registry, tmp_path):
    f = write(tmp_path / "pilot.yaml", """
        extends: jilin-2018
        name: pilot
        villages: {count: 40, min_count: 10}
        households:
          registered: {total: 100000}
        """)
    out = tmp_path / "sample"
    assert main(["sample", "--registry", str(small_registry), "--design", str(f), "--seed", "4", "--out", str(out)]) == 0
    import polars as pl

    v = pl.read_csv(out / "villages.csv")
    frame = pl.read_csv(small_registry / "villages.csv")
    assert v.height == frame.height and (v["p_village"] == 1.0).all()  # fewer villages than asked: all


def test_subprocess_exit_code_and_no_traceback(tmp_path):
    f = write(tmp_path / "typo.yaml", "extends: jilin-2018\nhouseholds:\n  registered: {totl: 600}\n")
    r = subprocess.run([sys.executable, "-m", "povexit.cli.main", "--lang", "en", "sample", "--registry",
                        str(tmp_path), "--design", str(f), "--seed", "1", "--out", str(tmp_path / "o")],
                       capture_output=True, text=True, env={"COLUMNS": "250", "PATH": ""}, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "households.registered.totl" in r.stderr and "did you mean 'total'?" in r.stderr
    assert "Traceback" not in r.stderr
