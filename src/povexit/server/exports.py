"""The feedback-meeting list (疑似错退 / 疑似漏评 households with their reasons) as rows and as .xlsx."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..privacy import mask_id, mask_name
from ..verify import machine
from ..verify.machine import State
from .models import AuditEntry, Case

FEEDBACK_STATES = (
    State.REVIEWED,
    State.FED_BACK,
    State.DEPARTMENT_REVIEW,
    State.PANEL_REVIEW,
    State.FINAL_REVIEW,
    State.CONFIRMED,
    State.DISMISSED,
)
KIND = {
    "zh": {"wrongful_exit": "疑似错退", "missed": "疑似漏评"},
    "en": {"wrongful_exit": "Suspected wrongful exit", "missed": "Suspected missed poor"},
}
HEADERS = {
    "zh": [
        "序号",
        "县",
        "乡镇",
        "行政村",
        "户编号",
        "户主姓名",
        "身份证号",
        "类型",
        "人数",
        "问题及原因",
        "核查状态",
        "答复期限",
        "县里答复",
        "结果",
    ],
    "en": [
        "No.",
        "County",
        "Township",
        "Village",
        "Household",
        "Head",
        "ID number",
        "Type",
        "Persons",
        "Problem and reason",
        "Status",
        "Answer by",
        "County's answer",
        "Outcome",
    ],
}


def feedback_cases(qs) -> Iterable[Case]:
    """Cases that belong on the feedback list: reviewed by the lead expert, and everything after."""
    return (
        qs.filter(state__in=[s.value for s in FEEDBACK_STATES])
        .select_related("county", "household__village")
        .order_by("county__name", "kind", "household_code")
    )


def _answers(cases: list[Case]) -> dict[int, str]:
    subjects = [f"case:{c.pk}" for c in cases]
    out: dict[int, str] = {}
    for e in AuditEntry.objects.filter(subject__in=subjects, action__in=["county_agree", "county_dispute"]):
        d = json.loads(e.data)
        out[int(e.subject.split(":")[1])] = ("认可" if e.action == "county_agree" else "有异议：") + (
            d.get("comment") or ""
        )
    return out


def feedback_rows(cases: Iterable[Case], *, show_personal: bool, lang: str = "zh") -> list[list]:
    cases = list(cases)
    answers = _answers(cases)
    rows = []
    for i, c in enumerate(cases, 1):
        h = c.household
        st = State(c.state)
        state = machine.STATE_EN[st] if lang == "en" else machine.STATE_ZH[st]
        outcome = {
            "confirmed": "认定" if lang == "zh" else "confirmed",
            "dismissed": ("不予认定" if lang == "zh" else "dismissed"),
        }.get(c.outcome, "")
        if c.outcome == "dismissed" and c.dismiss_reason:
            r = machine.DismissReason(c.dismiss_reason)
            outcome += "（" + (machine.REASON_EN[r] if lang == "en" else machine.REASON_ZH[r]) + "）"
        name = h.head_name if h else ""
        idn = h.head_id_number if h else ""
        rows.append(
            [
                i,
                c.county.name,
                h.village.township if h else "",
                h.village.name if h else "",
                c.household_code,
                name if show_personal else mask_name(name),
                idn if show_personal else mask_id(idn),
                KIND[lang].get(c.kind, c.kind),
                c.persons or "",
                c.problems or c.rules,
                state,
                timezone.localtime(c.deadline).strftime("%Y-%m-%d %H:%M") if c.deadline else "",
                answers.get(c.pk, ""),
                outcome,
            ]
        )
    return rows


def feedback_workbook(rows: list[list], *, lang: str = "zh", title: str = "") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "反馈清单" if lang == "zh" else "Feedback list"
    heads = HEADERS[lang]
    ws.append(
        [title or ("疑似错退、疑似漏评户反馈清单" if lang == "zh" else "Feedback list: suspected households")]
    )
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(heads))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(heads)
    thin = Side(style="thin", color="BBBBBB")
    for cell in ws[2]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="2F5597")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    for r in rows:
        ws.append(r)
    widths = [6, 10, 10, 12, 18, 10, 20, 14, 6, 44, 18, 17, 30, 22]
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(heads))}{max(2, len(rows) + 2)}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
