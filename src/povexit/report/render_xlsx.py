"""Excel workbooks offices exchange (openpyxl): the 问题清单 with feedback list and daily summary, and the
cross-county summary table.

Each sheet: a title row, a styled header row (frozen, auto-filter), sensible column widths, dates
as real dates, and data validation where a person fills a column in (status, 销号).
"""

from __future__ import annotations

import datetime as _dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from . import fmt
from . import labels as L
from .ooxml import normalise_zip
from .problems import ProblemList

FONT = "等线"  # Excel's default CJK UI font; falls back cleanly elsewhere
HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
HEADER_FONT = Font(name=FONT, bold=True, color="FFFFFF", size=10)
TITLE_FONT = Font(name=FONT, bold=True, size=13, color="1F3A5F")
BODY_FONT = Font(name=FONT, size=10)
BOLD_FONT = Font(name=FONT, size=10, bold=True)
INPUT_FILL = PatternFill("solid", fgColor="FFF8E1")  # columns the county fills in
TOTAL_FILL = PatternFill("solid", fgColor="EEF2F7")
THIN = Side(style="thin", color="C9D1DC")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
DATE_FMT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Col:
    zh: str
    en: str
    width: float
    kind: str = "text"  # text | int | date | pct | input | yesno
    wrap: bool = False

    def header(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


PROBLEM_COLUMNS = (
    Col("序号", "No.", 6, "int"),
    Col("县", "County", 9),
    Col("乡镇", "Township", 9),
    Col("行政村", "Village", 9),
    Col("村民小组", "Group", 8),
    Col("户编号", "Household", 12),
    Col("户主", "Head", 7),
    Col("证件号码（脱敏）", "ID number (masked)", 21),
    Col("户类型", "Household type", 10),
    Col("问题类别", "Category", 11),
    Col("问题类型", "Problem type", 24, wrap=True),
    Col("具体表现", "Details", 34, wrap=True),
    Col("佐证（调查答案）", "Evidence (answers)", 30, wrap=True),
    Col("发现日期", "Found on", 11, "date"),
    Col("调查组", "Team", 10),
    Col("状态", "Status", 9, "input"),
    Col("整改措施", "Rectification measures", 30, "input", wrap=True),
    Col("责任单位", "Responsible unit", 26, wrap=True),
    Col("完成时限", "Deadline", 11, "date"),
    Col("整改结果", "Rectification result", 30, "input", wrap=True),
    Col("是否销号", "Closed (销号)", 9, "yesno"),
    Col("规则编号", "Rule id", 22),
)
FEEDBACK_COLUMNS = (
    Col("序号", "No.", 6, "int"), Col("类型", "Kind", 10), Col("乡镇", "Township", 9), Col("行政村", "Village", 9),
    Col("村民小组", "Group", 8), Col("户编号", "Household", 12), Col("户主", "Head", 7),
    Col("证件号码（脱敏）", "ID number (masked)", 21), Col("人数", "Persons", 6, "int"),
    Col("疑似问题及理由", "Suspected problem and reasons", 40, wrap=True),
    Col("问题类别", "Categories", 14, wrap=True),
    Col("核实结果", "Outcome", 11), Col("核实说明", "Verification note", 28, wrap=True),
    Col("县级反馈意见", "County's answer", 28, "input", wrap=True),
    Col("佐证材料", "Supporting evidence", 22, "input", wrap=True),
    Col("案件编号", "Case id", 10),
)
DAILY_COLUMNS = (
    Col("日期", "Date", 11, "date"), Col("调查组（调查员）", "Team (enumerators)", 14),
    Col("乡镇", "Townships", 12, wrap=True), Col("行政村", "Villages", 16, wrap=True),
    Col("建档立卡户", "Registered", 9, "int"), Col("一般农户", "Non-registered", 9, "int"),
    Col("村级核查表", "Village checklists", 9, "int"), Col("发现问题户", "Households with problems", 10, "int"),
    Col("问题条数", "Problems", 8, "int"), Col("疑似错退", "Suspected wrongful exits", 9, "int"),
    Col("疑似漏评", "Suspected missed", 9, "int"), Col("主要问题", "Main problems", 30, wrap=True),
    Col("报送时限", "Report due", 16),
)


def _title(ws: Worksheet, text: str, ncols: int) -> None:
    ws.cell(row=1, column=1, value=text).font = TITLE_FONT
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.row_dimensions[1].height = 24
    ws.cell(row=1, column=1).alignment = Alignment(vertical="center")


def _header(ws: Worksheet, cols: Sequence[Col], lang: str, row: int = 2) -> None:
    for j, c in enumerate(cols, 1):
        cell = ws.cell(row=row, column=j, value=c.header(lang))
        cell.font, cell.fill, cell.alignment, cell.border = HEADER_FONT, HEADER_FILL, CENTER, BORDER
        ws.column_dimensions[get_column_letter(j)].width = c.width
    ws.row_dimensions[row].height = 30


def _body(ws: Worksheet, cols: Sequence[Col], rows: list[list[Any]], start: int = 3,
          totals: set[int] | None = None) -> None:
    for i, values in enumerate(rows):
        r = start + i
        for j, (c, v) in enumerate(zip(cols, values, strict=True), 1):
            cell = ws.cell(row=r, column=j, value=v)
            cell.font = BOLD_FONT if totals and i in totals else BODY_FONT
            cell.border = BORDER
            cell.alignment = WRAP if c.wrap else Alignment(vertical="top")
            if c.kind == "date":
                cell.number_format = DATE_FMT
            elif c.kind == "pct":
                cell.number_format = "0.00%"
            if c.kind == "input":
                cell.fill = INPUT_FILL
            elif totals and i in totals:
                cell.fill = TOTAL_FILL


def _finish(ws: Worksheet, cols: Sequence[Col], nrows: int, freeze: str) -> None:
    ws.freeze_panes = freeze
    last = get_column_letter(len(cols))
    ws.auto_filter.ref = f"A2:{last}{max(2, 2 + nrows)}"
    ws.sheet_view.zoomScale = 90
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"


def _list_validation(ws: Worksheet, options: list[str], col: int, first: int, last: int, prompt: str) -> None:
    dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="povexit", error=prompt, promptTitle="povexit", prompt=prompt)
    dv.add(f"{get_column_letter(col)}{first}:{get_column_letter(col)}{max(first, last)}")
    ws.add_data_validation(dv)


def problem_workbook(pl_: ProblemList, *, stamp: _dt.datetime | None = None) -> bytes:
    """问题清单 workbook: problem list, feedback list, daily summary, notes."""
    lang = pl_.lang
    zh = lang != "en"
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单" if zh else "Problem list"
    _title(ws, f"{pl_.county}问题清单" if zh else f"{pl_.county} — problem list", len(PROBLEM_COLUMNS))
    _header(ws, PROBLEM_COLUMNS, lang)
    yes, no = (L.pick(L.YES_NO[0], lang), L.pick(L.YES_NO[1], lang))
    rows = [[r.no, r.county, r.township, r.village, r.group, r.household_id, r.masked_name, r.masked_id,
             r.household_type, r.category, r.problem_type, r.detail, r.evidence, r.found_on, r.team, r.status,
             r.measure, r.responsible, r.deadline, r.result, yes if r.closed else no, r.rule_id]
            for r in pl_.rows]
    _body(ws, PROBLEM_COLUMNS, rows)
    last = 2 + len(rows) + 200  # room for rows the county adds
    _list_validation(ws, pl_.statuses, 16, 3, last, "请从列表中选择状态" if zh else "Pick a status from the list")
    _list_validation(ws, [yes, no], 21, 3, last, "是 或 否" if zh else "yes or no")
    _finish(ws, PROBLEM_COLUMNS, len(rows), "I3")

    wf = wb.create_sheet("反馈清单" if zh else "Feedback list")
    _title(wf, f"{pl_.county}疑似错退、疑似漏评户清单（反馈会用）" if zh
           else f"{pl_.county} — suspected wrongful exits and missed households (feedback meeting)",
           len(FEEDBACK_COLUMNS))
    _header(wf, FEEDBACK_COLUMNS, lang)
    frows = [[i, c.kind_label, c.township, c.village, c.group, c.household_id, c.masked_name, c.masked_id,
              c.persons, c.reasons, ("、" if zh else ", ").join(c.categories), c.outcome_label, c.note, "", "",
              c.case_id] for i, c in enumerate(pl_.feedback, 1)]
    _body(wf, FEEDBACK_COLUMNS, frows)
    _finish(wf, FEEDBACK_COLUMNS, len(frows), "G3")

    wd = wb.create_sheet("当天问题汇总" if zh else "Daily summary")
    _title(wd, f"{pl_.county}当天问题当天汇总（每日{_due_hint(lang)}前报送）" if zh
           else f"{pl_.county} — daily problem summary (due by {_due_hint(lang)} each day)", len(DAILY_COLUMNS))
    _header(wd, DAILY_COLUMNS, lang)
    total_label = L.pick(("当日合计", "day total"), lang)
    drows = [[d.date, d.team, d.townships, d.villages, d.registered, d.general, d.village_checklists,
              d.problem_households, d.problems, d.suspected_wrongful_exit, d.suspected_missed, d.main_problems, d.due]
             for d in pl_.daily]
    _body(wd, DAILY_COLUMNS, drows, totals={i for i, d in enumerate(pl_.daily) if d.team == total_label})
    _finish(wd, DAILY_COLUMNS, len(drows), "C3")

    wn = wb.create_sheet("说明" if zh else "Notes")
    notes = _notes(pl_, lang)
    wn.column_dimensions["A"].width = 110
    for i, line in enumerate(notes, 1):
        c = wn.cell(row=i, column=1, value=line)
        c.font = TITLE_FONT if i == 1 else BODY_FONT
        c.alignment = Alignment(wrap_text=True, vertical="top")
    wb.properties.creator = "povexit"
    wb.properties.title = ws.title
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue(), stamp=stamp)


def _due_hint(lang: str) -> str:
    return "20:00" if lang == "en" else "20时"


def _notes(pl_: ProblemList, lang: str) -> list[str]:
    dl = fmt.date(pl_.deadline, lang)
    if lang == "en":
        return [
            "How to use this workbook",
            "Problem list: one row per problem found — a household rule that fired, or a village checklist item "
            "below the poor-village exit standard. ID numbers and names are masked.",
            "Yellow columns are filled in by the county: status (pick from the list), rectification measures, "
            "rectification result, and 'Closed' = yes once the problem is rectified and checked (销号).",
            f"Deadline: {dl} unless the working group sets another (default: last fieldwork day + 30 days).",
            "Responsible unit: the township government (local responsibility) and the competent county department.",
            "Status: 'to verify' — suspected, not yet verified; 'confirmed' / 'not adopted' — outcome of the "
            "verification (凡疑必核); 'to rectify' — a problem that needs no verification (e.g. a policy gap).",
            "Feedback list: the suspected wrongful exits and missed households for the feedback meeting; the county "
            "writes its answer and the evidence it supplies.",
            "Daily summary: problems found each day by each enumerator team, to be reported by 20:00 the same day.",
        ]
    return [
        "填写说明",
        "问题清单：每行一个问题——入户研判触发的一条规则，或村级核查中未达到贫困村退出标准的一项。证件号码和姓名已脱敏。",
        "黄色列由县里填写：状态（从下拉列表选择）、整改措施、整改结果；问题整改到位并经核查后“是否销号”填“是”。",
        f"完成时限：{dl}（默认为实地调查最后一天后30天，工作组另有规定的从其规定）。",
        "责任单位：乡镇人民政府（属地责任）和县级主管部门。",
        "状态：“待核实”为疑似问题、尚未核实；“已确认”“不予采信”为核查结论（凡疑必核）；“待整改”为无需核实的问题（如政策落实）。",
        "反馈清单：反馈会用的疑似错退、疑似漏评户，县里填写反馈意见和提供的佐证材料。",
        "当天问题汇总：各调查组每天发现的问题，当天晚上8点前报送。",
    ]


def table_workbook(title: str, sheet: str, cols: Sequence[Col], rows: list[list[Any]], lang: str,
                   *, extra_sheets: Sequence[tuple[str, Sequence[Col], list[list[Any]]]] = (),
                   freeze: str = "B3", stamp: _dt.datetime | None = None) -> bytes:
    """A generic styled table workbook (used by the cross-county summary)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    _title(ws, title, len(cols))
    _header(ws, cols, lang)
    _body(ws, cols, rows)
    _finish(ws, cols, len(rows), freeze)
    for name, c2, r2 in extra_sheets:
        w = wb.create_sheet(name)
        _title(w, name, len(c2))
        _header(w, c2, lang)
        _body(w, c2, r2)
        _finish(w, c2, len(r2), "B3")
    wb.properties.creator = "povexit"
    wb.properties.title = title
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue(), stamp=stamp)
