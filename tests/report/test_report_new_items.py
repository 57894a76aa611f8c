"""Answers of form 2025.2 in the county report and the problem list: policy gaps, satisfaction, county documents,
township forms — and one line instead of a table when the data come from an older form."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from docx import Document
from openpyxl import load_workbook

from povexit.report import build_county_report, county_report, load_workdir, problem_list

# registered households of the fixture → the added answers (None: skipped / not asked)
NEW = {
    #         loan status         obtained  2项补贴  dibao_ok  pension  doctor  team            helper
    "HH001": ("willing_eligible", False, None, True, True, None, "satisfied", "satisfied"),
    "HH002": ("willing_eligible", True, False, True, False, False, "basic", "dissatisfied"),
    "HH003": ("not_willing", None, True, False, True, True, "satisfied", "satisfied"),
    "HH004": ("willing_eligible", False, None, True, True, None, "dissatisfied", "satisfied"),
    "HH005": (None, None, None, True, None, None, "satisfied", "not_applicable"),
}
COLS = ("finance_loan_status", "loan_obtained", "disability_subsidy_delivered", "dibao_accurate", "pension_contrib_all",
        "contracted_doctor_serves", "satisfaction_village_team", "satisfaction_helper")


def _add_new_answers(wd: Path) -> None:
    path = wd / "responses" / "households.parquet"
    df = pl.read_parquet(path)
    ids = df["household_id"].to_list()
    cols = {c: [NEW.get(h, (None,) * len(COLS))[i] for h in ids] for i, c in enumerate(COLS)}
    types = {c: pl.Boolean for c in COLS[1:6]} | {c: pl.String for c in (COLS[0], *COLS[6:])}
    df = df.with_columns(*[pl.Series(c, v, dtype=types[c]) for c, v in cols.items()],
                         pl.Series("satisfaction_helper_reason", ["很少见到帮扶人" if h == "HH002" else None for h in ids]))
    df.write_parquet(path)
    pl.DataFrame({"county": ["示范县", "示范县"], "township": ["甲镇", "乙乡"], "villages_total": [10, 12]}).write_parquet(
        wd / "responses" / "townships.parquet")
    pl.DataFrame({
        "county": ["示范县"], "respondents": ["县扶贫办"], "responsibility_letters": [True], "rolling_plans": [False],
        "rolling_plans_missing_detail": ["2019年度计划未见实施记录"], "leaders_visits": [True], "policy_system": [True],
        "resources_adequate": [True], "follow_up_plan": [False], "follow_up_plan_missing_detail": ["尚未制定后续帮扶计划"],
        "consolidation_plan": [True],
    }).write_parquet(wd / "responses" / "county_checks.parquet")


@pytest.fixture
def new_wd(workdir: Path) -> Path:
    _add_new_answers(workdir)
    return workdir


def test_content_counts_gaps_satisfaction_documents(new_wd):
    r = county_report(load_workdir(new_wd))
    ni = r.new_items
    gaps = {g.rule_id: (g.households, g.answered) for g in ni.gaps}
    assert gaps["policy.loan_not_obtained"] == (2, 3)  # HH001, HH004 of the three willing and eligible
    assert gaps["policy.disability_subsidy_missing"] == (1, 2)
    assert gaps["policy.dibao_inaccurate"] == (1, 5)
    assert gaps["policy.pension_contrib_missing"] == (1, 4)
    assert gaps["policy.contracted_doctor_not_serving"] == (1, 2)
    assert "policy.chronic_card_missing" not in gaps and any("慢性病卡" in a for a in ni.gaps_absent)
    assert ni.gap_households == 4  # HH001, HH002, HH003, HH004
    sat = {s.key: (s.satisfied, s.answered) for s in ni.satisfaction}
    assert sat == {"satisfaction_village_team": (4, 5), "satisfaction_helper": (3, 4)}
    assert [c.item for c in ni.county_checks_unmet] == ["rolling_plans", "follow_up_plan"]
    assert ni.townships_surveyed == 2


def test_documents_show_the_new_items(new_wd, tmp_path):
    res = build_county_report(new_wd, tmp_path / "zh", "zh", formats=("docx", "xlsx"))
    d = Document(str(res.files["docx"]))
    text = "\n".join(p.text for p in d.paragraphs)
    tables = {t.rows[0].cells[0].text: t for t in d.tables}
    gap = tables["问题"]
    body = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in gap.rows[1:]}
    assert body["有意愿且符合条件未获得扶贫小额信贷"] == ["2", "3", "66.67%"]
    assert "残疾人两项补贴未落实" in body and "慢性病患者未办理慢性病卡" not in body
    assert "以下项目没有回答（旧版问卷），未作统计" in text and "慢性病患者未办理慢性病卡" in text
    assert "对驻村工作队（第一书记）的满意度为80.00%" in text and "对帮扶责任人的满意度为75.00%" in text
    assert "很少见到帮扶人（1户）" in text
    docs = tables["核查项目"]
    assert [row.cells[0].text for row in docs.rows[1:]] == ["有脱贫攻坚滚动规划和年度计划，并组织实施",
                                                             "制定脱贫摘帽后续工作计划和帮扶措施"]
    assert docs.rows[2].cells[1].text == "尚未制定后续帮扶计划"
    assert "对2个乡（镇）（乙乡、甲镇）填写了乡镇调查表" in text

    ws = load_workbook(res.files["xlsx"])["问题清单"]
    header = [c.value for c in ws[2]]
    rows = [dict(zip(header, [c.value for c in r], strict=False)) for r in ws.iter_rows(min_row=3) if r[0].value]
    loan = [r for r in rows if r["问题类型"] == "有意愿且符合条件未获得扶贫小额信贷"]
    assert sorted(r["户编号"] for r in loan) == ["HH001", "HH004"]
    assert "loan_obtained=否" in loan[0]["佐证（调查答案）"] and loan[0]["具体表现"]
    county = [r for r in rows if r["问题类型"] == "制定脱贫摘帽后续工作计划和帮扶措施"]
    assert county and county[0]["具体表现"] == "尚未制定后续帮扶计划"


def test_english(new_wd, tmp_path):
    res = build_county_report(new_wd, tmp_path / "en", "en", formats=("docx",))
    text = "\n".join(p.text for p in Document(str(res.files["docx"])).paragraphs)
    assert "satisfaction with the village work team: 80.00%" in text
    assert "Policy delivery (items added in form 2025.2)" in text
    assert any(t.rows[0].cells[0].text == "Gap" for t in Document(str(res.files["docx"])).tables)


def test_older_form_says_so_in_one_line(workdir, tmp_path):
    res = build_county_report(workdir, tmp_path / "old", "zh", formats=("docx",))
    d = Document(str(res.files["docx"]))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "调查数据为旧版问卷，没有小额信贷" in text
    assert "工作目录中没有县级资料核查表" in text and "满意度从略" in text and "没有乡镇调查表" in text
    assert not any(t.rows[0].cells[0].text in ("问题", "核查项目") for t in d.tables)
    pl_ = problem_list(load_workdir(workdir))
    assert not any(r.rule_id.startswith("county.") or r.rule_id == "policy.loan_not_obtained" for r in pl_.rows)
