"""Summaries across counties (seed 003 看点三): figures, table, short report, inputs and errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from povexit.errors import PovexitError
from povexit.report import build_summary, fmt, load_records, summarise
from povexit.report.summary import headline, record_from_estimates

KEYS = ("composite_incidence", "wrongful_exit_rate", "missed_rate", "approval_rate")


def est(county: str, province: str, comp: float, we: float, mi: float, appr: float, *, threshold: float = 0.02,
        decision: str | None = None, near: list[str] | None = None) -> dict:
    vals = dict(zip(KEYS, (comp, we, mi, appr), strict=True))
    if decision is None:
        decision = "fail" if comp > threshold else "rectify" if (we >= 0.02 or mi >= 0.02 or appr <= 0.9) else "pass"
    return {
        "contract": 1, "county": county, "province": province, "stage": "final",
        "indicators": {k: {"official": v, "estimate": v, "se": 0.001, "ci_low": max(0.0, v - 0.004),
                           "ci_high": min(1.0, v + 0.004), "ci_method": "beta", "deff": 1.3,
                           "n_households": 1000, "n_persons": 3500, "n_psu": 30} for k, v in vals.items()},
        "thresholds": {"composite_incidence": threshold, "wrongful_exit_rate": 0.02, "missed_rate": 0.02,
                       "approval_rate": 0.9},
        "decision": decision, "reasons": [], "near_threshold": near or [],
    }


COUNTIES = [
    est("甲县", "河南省", 0.011, 0.0, 0.0, 0.97),
    est("乙县", "河南省", 0.018, 0.004, 0.0, 0.95, near=["composite_incidence"]),
    est("丙县", "湖北省", 0.009, 0.0, 0.003, 0.96),
    est("丁县", "云南省", 0.024, 0.0, 0.0, 0.98, threshold=0.03),
    est("戊县", "云南省", 0.028, 0.012, 0.005, 0.93, threshold=0.03),
]


def write_inputs(root: Path, items: list[dict]) -> list[Path]:
    paths = []
    for i, e in enumerate(items):
        p = root / f"c{i}" / "estimates.json"
        p.parent.mkdir(parents=True)
        p.write_text(json.dumps(e, ensure_ascii=False), encoding="utf-8")
        paths.append(p)
    return paths


def test_figures_like_the_press_release(tmp_path):
    write_inputs(tmp_path / "in", COUNTIES)
    s = summarise(load_records([tmp_path / "in"]))
    assert s.counties == 5 and s.provinces == 3
    regions = {r.region: (r.counties, r.below_threshold, r.threshold) for r in s.regions}
    assert regions == {"central": (3, 3, 0.02), "western": (2, 2, 0.03)}  # inferred from the thresholds
    assert (s.no_wrongful, s.no_missed, s.neither) == (3, 3, 2)
    assert (s.wrongful_below, s.missed_below, s.approval_above) == (5, 5, 5)
    assert s.max_wrongful == ("戊县", 0.012) and s.min_approval == ("戊县", 0.93)
    assert s.decisions == {"pass": 5, "rectify": 0, "fail": 0}
    lines = headline(s)
    assert lines[0] == "评估检查结果显示，中部地区3个县综合贫困发生率全部低于2%，西部地区2个县综合贫困发生率全部低于3%。"
    assert lines[1] == "错退率、漏评率全部低于2%。"
    assert lines[2] == "有60.00%的县未发现错退，60.00%未发现漏评，40.00%既未发现错退又未发现漏评。"
    assert lines[3] == "群众认可度均超过90%。"


def test_counties_failing_are_named(tmp_path):
    items = [*COUNTIES, est("己县", "湖北省", 0.025, 0.03, 0.0, 0.88)]
    write_inputs(tmp_path / "in", items)
    s = summarise(load_records([tmp_path / "in"]), lang="en")
    central = next(r for r in s.regions if r.region == "central")
    assert (central.counties, central.below_threshold) == (4, 3)
    assert s.decisions["fail"] == 1 and s.approval_above == 5
    lines = headline(s)
    assert "3 of 4 counties of the central provinces are below 2%" in lines[0]
    assert lines[3] == "Approval is above 90% in 5 counties and not in 1."


def test_outputs_table_and_report(tmp_path):
    paths = write_inputs(tmp_path / "in", COUNTIES)
    res = build_summary(paths, tmp_path / "out", "zh")
    assert set(res.files) == {"xlsx", "docx", "pdf", "json"}
    wb = load_workbook(res.files["xlsx"])
    ws = wb["分县结果"]
    header = [c.value for c in ws[2]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=3, values_only=True)]
    assert [r["县"] for r in rows] == ["丁县", "戊县", "乙县", "甲县", "丙县"]  # by province (云南, 河南, 湖北), then county
    assert next(r for r in rows if r["县"] == "戊县")["错退率调查值"] == pytest.approx(0.012)
    assert ws["E3"].number_format == "0.00%" and ws.freeze_panes == "C3"
    figs = {r[0]: r[1] for r in wb["汇总数据"].iter_rows(min_row=3, values_only=True)}
    assert figs["未发现错退的县"] == "3（60.00%）" and figs["评估县数"] == "5"
    text = "\n".join(p.text for p in Document(str(res.files["docx"])).paragraphs)
    assert "有60.00%的县未发现错退" in text and "一、总体情况" in text
    pdf = subprocess.run(["pdftotext", str(res.files["pdf"]), "-"], capture_output=True, text=True, check=True).stdout
    assert "贫困县退出专项评估检查结果汇总" in pdf and fmt.pct(0.028) in pdf
    saved = json.loads(res.files["json"].read_text(encoding="utf-8"))
    assert saved["no_wrongful"] == 3 and len(saved["records"]) == 5


def test_csv_table_input_and_counties_file(tmp_path):
    header = "county,decision,stage," + ",".join(f"{k}_official,{k}_estimate,{k}_ci_low,{k}_ci_high" for k in KEYS)
    lines = [header,
             "甲县,pass,final,0.01,0.011,0.008,0.014,0,0,0,0.003,0.001,0.001,0,0.004,0.96,0.96,0.95,0.97",
             "乙县,rectify,final,0.015,0.015,0.01,0.02,0.025,0.025,0.02,0.03,0,0,0,0.004,0.95,0.95,0.94,0.96"]
    table = tmp_path / "all.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    counties = tmp_path / "counties.csv"
    counties.write_text("省,县,区域\n甘肃省,甲县,西部\n甘肃省,乙县,西部\n", encoding="utf-8")
    recs = load_records([table], counties=counties)
    assert [(r.county, r.province, r.region) for r in recs] == [("乙县", "甘肃省", "western"), ("甲县", "甘肃省", "western")]
    s = summarise(recs)
    assert (s.wrongful_below, s.missed_below, s.no_wrongful, s.no_missed, s.neither) == (1, 2, 1, 1, 0)


def test_input_errors(tmp_path):
    with pytest.raises(PovexitError) as e:
        load_records([tmp_path])
    assert e.value.diagnostics[0].code == "PVX-RP06"
    write_inputs(tmp_path / "dup", [COUNTIES[0], COUNTIES[0]])
    with pytest.raises(PovexitError) as e:
        load_records([tmp_path / "dup"])
    assert e.value.diagnostics[0].code == "PVX-RP07" and e.value.diagnostics[0].value == "甲县"
    bad = tmp_path / "bad.csv"
    bad.write_text("county,decision," + ",".join(f"{k}_official" for k in KEYS) + "\n甲县,pass,0.01,abc,0,0.9\n",
                   encoding="utf-8")
    with pytest.raises(PovexitError) as e:
        load_records([bad])
    d = e.value.diagnostics[0]
    assert (d.code, d.row, d.column, d.value) == ("PVX-RP08", 2, "wrongful_exit_rate_official", "abc")
    with pytest.raises(PovexitError) as e:
        record_from_estimates({"county": "x"}, "x.json")
    assert e.value.diagnostics[0].code == "PVX-RP02"


rate = st.one_of(st.just(0.0), st.floats(0.0, 0.05, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(rate, rate, rate, st.floats(0.8, 1.0), st.sampled_from([0.02, 0.03])),
                min_size=1, max_size=30))
def test_summary_invariants(rows):
    recs = [record_from_estimates(est(f"县{i}", "省", c, w, m, a, threshold=t), f"e{i}")
            for i, (c, w, m, a, t) in enumerate(rows)]
    for r in recs:
        r.region = {0.02: "central", 0.03: "western"}[r.thresholds["composite_incidence"]]
    s = summarise(recs)
    assert sum(r.counties for r in s.regions) == s.counties == len(rows)
    assert s.neither <= min(s.no_wrongful, s.no_missed)
    assert s.no_wrongful + s.no_missed - s.neither <= s.counties
    assert s.no_wrongful == sum(1 for _c, w, _m, _a, _t in rows if w == 0.0)
    assert sum(s.decisions.values()) == s.counties
    all_below = all(r.below_threshold == r.counties for r in s.regions)
    assert all("全部低于" in part for part in headline(s)[0].split("，")[1:]) == all_below


def test_long_county_lists_stay_in_the_workbook(tmp_path):
    items = [est(f"县{i:03d}", f"省{i % 22:02d}", 0.01, 0.0, 0.0, 0.95) for i in range(130)]
    items[5] = est("县005", "省05", 0.025, 0.0, 0.0, 0.95)  # fails the central threshold
    (tmp_path / "all.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    res = build_summary([tmp_path / "all.json"], tmp_path / "out", "zh", formats=("docx", "xlsx"))
    d = Document(str(res.files["docx"]))
    assert "130个县的调查值、估计值、置信区间和结论见汇总表（summary.xlsx）。" in [p.text for p in d.paragraphs]
    attention = next(t for t in d.tables if t.rows[0].cells[-1].text == "接近标准的指标")
    assert [r.cells[1].text for r in attention.rows[1:]] == ["县005"]
    ws = load_workbook(res.files["xlsx"])["分县结果"]
    assert ws.max_row == 2 + 130


def test_reads_the_estimate_layers_all_table(tmp_path):
    """The CSV ``povexit estimate --all`` writes (estimate/summary.py ``table``: UTF-8 with BOM,
    composite_threshold, region codes)."""
    cols = ["province", "county", "region", "stage", "decision", "composite_threshold", "surveyed_households"]
    for k in KEYS:
        cols += [f"{k}_{f}" for f in ("official", "estimate", "se", "ci_low", "ci_high", "deff")]
    cols += ["near_threshold", "failing_reference"]
    def row(county, comp, we, decision, near=""):
        vals = {"composite_incidence": comp, "wrongful_exit_rate": we, "missed_rate": 0.0, "approval_rate": 0.95}
        cells = ["宁夏回族自治区", county, "western", "final", decision, "0.03", "1200"]
        for k in KEYS:
            v = vals[k]
            cells += [str(v), str(v), "0.001", str(max(0, v - 0.01)), str(v + 0.01), "1.5"]
        return ",".join([*cells, near, ""])
    text = "\ufeff" + ",".join(cols) + "\n" + row("东庄县", 0.025, 0.01, "pass", "composite_incidence") + "\n" + \
        row("西庄县", 0.035, 0.0, "fail") + "\n"
    (tmp_path / "estimates.csv").write_text(text, encoding="utf-8")
    recs = load_records([tmp_path / "estimates.csv"])
    assert [(r.county, r.region, r.thresholds["composite_incidence"]) for r in recs] == [
        ("东庄县", "western", 0.03), ("西庄县", "western", 0.03)]
    assert recs[0].near_threshold == ["composite_incidence"]
    s = summarise(recs)
    assert [(g.region, g.counties, g.below_threshold) for g in s.regions] == [("western", 2, 1)]
    assert s.decisions == {"pass": 1, "rectify": 0, "fail": 1} and s.no_wrongful == 1


def test_year_on_year_with_previous(tmp_path):
    # this year: 3 of 5 no wrongful exit (60%), 3 of 5 no missed (60%), 2 of 5 neither (40%)
    now = write_inputs(tmp_path / "now", COUNTIES)
    # previous year: 1 of 2 no wrongful (50%), 1 of 2 no missed (50%), 0 neither
    before = write_inputs(tmp_path / "before", [est("甲县", "河南省", 0.015, 0.0, 0.01, 0.95),
                                                 est("乙县", "河南省", 0.016, 0.01, 0.0, 0.95)])
    res = build_summary(now, tmp_path / "out", "zh", formats=("docx", "xlsx"), previous=before)
    d = Document(str(res.files["docx"]))
    text = "\n".join(p.text for p in d.paragraphs)
    assert ("与上年相比，未发现错退、未发现漏评、既未发现错退又未发现漏评的县的比例分别高10个百分点、高10个百分点和高40个百分点。"
            in text)
    table = next(t for t in d.tables if t.rows[0].cells[1].text == "本年")
    assert [[c.text for c in r.cells] for r in table.rows[1:4]] == [
        ["未发现错退的县", fmt.pct(0.6), fmt.pct(0.5), "+10个百分点"],
        ["未发现漏评的县", fmt.pct(0.6), fmt.pct(0.5), "+10个百分点"],
        ["既未发现错退又未发现漏评的县", fmt.pct(0.4), fmt.pct(0.0), "+40个百分点"]]
    data = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert data["year_on_year"]["previous_counties"] == 2
    ws = load_workbook(res.files["xlsx"])["汇总数据"]
    assert any("与上年相比" in str(c.value) for row in ws.iter_rows() for c in row)
    en = build_summary(now, tmp_path / "en", "en", formats=("docx",), previous=before)
    assert "10 points higher, 10 points higher and 40 points higher" in "\n".join(
        p.text for p in Document(str(en.files["docx"])).paragraphs)
    plain = build_summary(now, tmp_path / "plain", "zh", formats=("docx",))
    assert not any(t.rows[0].cells[1].text == "本年" for t in Document(str(plain.files["docx"])).tables)
