"""Task ledger (任务台账, seed 004): reading, overdue logic on an as-of date, the .xlsx written back."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from openpyxl import load_workbook

from povexit.errors import PovexitError
from povexit.evaluate import ledger_status, parse_date, read_ledger, write_ledger
from povexit.evaluate.ledger import ledger_from_rows, status_frame

D = dt.date

# Seed 004 二(一)–(四): measures with 责任单位 and 完成时限 as the document writes them.
SEED_004 = """\
title: 关于全面推进东川区、禄劝县脱贫攻坚工作方案 — 任务台账
source: 种子004（昆明市农村扶贫开发工作领导小组，2018年9月13日）
measures:
  - no: "二(一)1"
    section: 压实脱贫攻坚主体责任
    measure: 建立完善定期例会制度
    units: 东川区委、禄劝县委
    deadline: 2018年12月
    progress: 每半月召开一次例会
    closed: 是
  - no: "二(一)3"
    section: 压实脱贫攻坚主体责任
    measure: 建立约谈制度
    units: [市委组织部, 东川区委, 禄劝县委]
    deadline: 2018年12月
  - no: "二(四)4"
    section: 压实考核整改责任
    measure: 强化退出质量核查
    units: 东川区委、禄劝县委
    deadline: 2018年10月
    progress: 已完成脱贫户核查
  - no: "二(四)1"
    section: 压实考核整改责任
    measure: 强化市级督查
    units: 市脱贫攻坚指挥部办公室、各分指挥部办公室
    deadline: 2018年11月
    closed: 2018-12-05
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("2018年12月", D(2018, 12, 31)),  # seed 004's 完成时限: the month's last day
    ("2018年2月", D(2018, 2, 28)),
    ("2020年2月", D(2020, 2, 29)),
    ("2018-12-15", D(2018, 12, 15)),
    ("2018/12/15", D(2018, 12, 15)),
    ("2018.12", D(2018, 12, 31)),
    ("2018年12月15日", D(2018, 12, 15)),
    ("于5月15日前", None),  # seed 002 第四篇 writes deadlines without the year: not guessed
    ("2018年底", D(2018, 12, 31)),
    ("2018-12-15 00:00:00", D(2018, 12, 15)),  # an Excel date cell read as text
    (dt.datetime(2018, 12, 15, 8), D(2018, 12, 15)),
    ("2018年13月", None),
    ("明年", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


# (deadline, closed, as-of, status, days overdue, closed late) — as-of 2018-12-01 unless given
STATUS_CASES = [
    ("2018年11月", "否", D(2018, 12, 1), "overdue", 1, False),  # 30 Nov passed
    ("2018-12-01", "", D(2018, 12, 1), "due_soon", 0, False),  # the deadline day itself is still in time
    ("2018-12-10", "", D(2018, 12, 1), "due_soon", 0, False),
    ("2018年12月", "", D(2018, 12, 1), "open", 0, False),  # 30 days left > 15
    ("2018年10月", "是", D(2018, 12, 1), "closed", 0, False),  # closed: never overdue (销号管理)
    ("2018年11月", "2018-12-05", D(2018, 12, 10), "closed", 0, True),  # closed after the deadline
    ("2018年11月", "2018-11-20", D(2018, 12, 10), "closed", 0, False),
    ("2018年11月", "2018-12-05", D(2018, 12, 3), "overdue", 3, False),  # closed after the as-of date: not yet
    ("2018年10月", None, D(2019, 1, 1), "overdue", 62, False),
]


@pytest.mark.parametrize(("deadline", "closed", "as_of", "status", "days", "late"), STATUS_CASES)
def test_overdue_logic(deadline, closed, as_of, status, days, late):
    led = ledger_from_rows([{"measure": "措施", "units": "县委", "deadline": deadline, "closed": closed}])
    r = ledger_status(led, as_of, soon_days=15).rows[0]
    assert (r.status, r.days_overdue, r.closed_late) == (status, days, late)


def test_seed_004_yaml_ledger_to_xlsx(tmp_path):
    src = tmp_path / "ledger.yaml"
    src.write_text(SEED_004, encoding="utf-8")
    led = read_ledger(src)
    assert led.measures[1].units == ("市委组织部", "东川区委", "禄劝县委")
    st = ledger_status(led, D(2018, 11, 15))
    assert status_frame(st)["status"].to_list() == ["closed", "open", "overdue", "due_soon"]
    out = write_ledger(st, tmp_path / "out" / "台账.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == ["任务台账", "按责任单位", "说明"]
    ws = wb["任务台账"]
    assert [c.value for c in ws[2]][:4] == ["序号", "类别", "措施", "责任单位"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [r[8] for r in rows] == ["已销号", "未到期", "逾期", "临期"]
    assert rows[2][9] == 15 and rows[2][5] == dt.datetime(2018, 10, 31)  # 31 Oct → 15 Nov
    assert ws.cell(5, 9).fill.fgColor.rgb.endswith("F8CBAD")  # overdue in red
    units = {r[0]: r[1:] for r in wb["按责任单位"].iter_rows(min_row=2, values_only=True)}
    assert units["东川区委"] == (3, 1, 0, 1, 1)  # measures, overdue, due soon, open, closed
    assert list(units)[:2] == ["东川区委", "禄劝县委"]  # most overdue first
    notes = dict(wb["说明"].iter_rows(values_only=True))
    assert notes["核对日期"] == "2018-11-15" and notes["逾期"] == 1


def test_table_ledger_with_chinese_headers(tmp_path):
    src = tmp_path / "台账.csv"
    src.write_text(textwrap.dedent("""\
        序号,具体措施,责任单位,完成时限,完成情况,是否销号
        1,强化区县级督查,东川区委，禄劝县委,2018年11月,每半月督查,否
        2,强化基层干部培训,东川区委,2018年11月,,是
    """), encoding="utf-8-sig")
    st = ledger_status(read_ledger(src), D(2018, 12, 3))
    assert [r.status for r in st.rows] == ["overdue", "closed"]
    assert st.rows[0].measure.units == ("东川区委", "禄劝县委") and st.rows[0].measure.row == 2


def test_ledger_errors(tmp_path):
    with pytest.raises(PovexitError) as ei:
        ledger_from_rows([
            {"measure": "a", "units": "", "deadline": "2018年12月"},
            {"measure": "b", "units": "县委", "deadline": "年底前"},
            {"measure": "c", "units": "县委", "deadline": "2018年12月", "closed": "差不多"},
        ], file="t.yaml")
    assert [(d.code, d.row, d.column) for d in ei.value.diagnostics] == [
        ("PVX-EV30", 1, "units"), ("PVX-EV31", 2, "deadline"), ("PVX-EV32", 3, "closed")]
    bad = tmp_path / "bad.yaml"
    bad.write_text("measures: 3\n", encoding="utf-8")
    with pytest.raises(PovexitError) as ei:
        read_ledger(bad)
    assert ei.value.diagnostics[0].code == "PVX-EV35"
    st = ledger_status(ledger_from_rows([{"measure": "a", "units": "u", "deadline": "2018-12-01"}]), D(2018, 1, 1))
    with pytest.raises(PovexitError) as ei:
        write_ledger(st, tmp_path / "x.csv")
    assert ei.value.diagnostics[0].code == "PVX-EV33"
