"""``instruments export``: the workbooks, their XForms and the pre-filled attachments enumerators pick
sampled households from (masked names; reserve households marked; census groups)."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from instruments_helpers import make_sample

from povexit.errors import PovexitError
from povexit.instruments import export_xlsform
from povexit.instruments.export import (
    ATTACHMENT_COLUMNS,
    county_code,
    group_code,
    roster_household_id,
    township_code,
)


class FakeRegistry:
    def __init__(self) -> None:
        self.households = pl.DataFrame({"household_id": ["H1", "H2", "H3", "H9"],
                                        "head_name": ["张三丰", "李四", "王五", "赵六"]})
        self.rosters = pl.DataFrame({"id_number": ["110101195501011234"], "name": ["孙七"],
                                     "source": ["民政低保"]})


def test_export_with_sample_fills_the_attachments(tmp_path: Path) -> None:
    sample = make_sample(tmp_path)
    text = (sample / "households.csv").read_text(encoding="utf-8")
    rid = roster_household_id("110101195501011234")
    (sample / "households.csv").write_text(text.replace("Rabcdef012345", rid), encoding="utf-8")
    out = tmp_path / "forms"
    res = export_xlsform(out, sample=sample, registry=FakeRegistry(), validate=False)
    for name in ("povexit_registered.xlsx", "povexit_general.xlsx", "povexit_village.xlsx", "povexit_cadre.xlsx",
                 "povexit_township.xlsx", "povexit_county_check.xlsx", "povexit_township.xml",
                 "povexit_county_check.xml", "povexit_registered.xml", "households.csv", "villages.csv", "groups.csv",
                 "townships.csv", "counties.csv"):
        assert (out / name).exists(), name
    assert res.attachments == {"villages.csv": 2, "households.csv": 5, "groups.csv": 1, "townships.csv": 2,
                               "counties.csv": 1}
    t = pl.read_csv(out / "townships.csv", infer_schema=False)
    assert t.rows() == [(township_code("东庄县", "九田镇"), "九田镇", "东庄县", "九田镇"),
                        (township_code("东庄县", "平湖镇"), "平湖镇", "东庄县", "平湖镇")]
    assert pl.read_csv(out / "counties.csv", infer_schema=False).rows() == [(county_code("东庄县"), "东庄县", "东庄县")]
    hh = pl.read_csv(out / "households.csv", infer_schema=False)
    assert hh.columns == list(ATTACHMENT_COLUMNS["households.csv"])
    labels = dict(zip(hh["name"], hh["label"], strict=True))
    assert labels["H1"].startswith("张** · 2人 · 一组")
    assert "备选1" in labels["H9"] and labels["H9"].startswith("赵*")
    assert labels[rid].startswith("孙*")
    raw = (out / "households.csv").read_text(encoding="utf-8")
    for name in ("张三丰", "李四", "孙七", "110101195501011234"):
        assert name not in raw  # names masked, no ID numbers
    g = pl.read_csv(out / "groups.csv", infer_schema=False)
    assert g.row(0) == (group_code("V2", "三组"), "田岭村 三组", "V2", "三组")
    v = pl.read_csv(out / "villages.csv", infer_schema=False)
    assert v["name"].to_list() == ["V2", "V1"] and v["label"].to_list() == ["九田镇 田岭村", "平湖镇 桃坪村"]


def test_attachment_columns_cover_what_the_forms_look_up(tmp_path: Path) -> None:
    out = tmp_path / "forms"
    export_xlsform(out, validate=False)
    for form in ("povexit_registered", "povexit_general", "povexit_cadre", "povexit_village", "povexit_township",
                 "povexit_county_check"):
        xml = (out / f"{form}.xml").read_text(encoding="utf-8")
        for inst, cols in re.findall(r"instance\('(\w+)'\)/root/item\[([^\]]+)\]", xml):
            header = ATTACHMENT_COLUMNS[f"{inst}.csv"]
            for col in re.findall(r"(\w+)\s*=", cols):
                assert col in header, (form, inst, col)
        for inst, col in re.findall(r"instance\('(\w+)'\)/root/item\[[^\]]+\]/(\w+)", xml):
            assert col in ATTACHMENT_COLUMNS[f"{inst}.csv"], (form, inst, col)
    # without a sample: header-only attachments
    assert (out / "households.csv").read_text(encoding="utf-8").strip() == ",".join(ATTACHMENT_COLUMNS["households.csv"])


def test_export_never_overwrites_foreign_directories(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(PovexitError) as exc:
        export_xlsform(target, validate=False)
    assert exc.value.diagnostics[0].code == "PVX009"
    assert (target / "notes.txt").read_text(encoding="utf-8") == "keep me"
