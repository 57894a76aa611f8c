"""The rectification ledger (整改台账): reading the 问题清单 workbook back, and writing it again.

The workbook is the report layer's (``report/render_xlsx.py``: sheet 问题清单, title row 1, header
row 2, one row per problem; yellow columns 状态 / 整改措施 / 整改结果 filled by the county, 是否销号,
责任单位 and 完成时限 prefilled). :func:`read_workbook` reads it in either language, checks every cell
it needs and returns rows or the full list of errors (file, sheet, row, column, value) — nothing is
written unless every row is good (``actions.do_import_problems``). :func:`workbook` writes the ledger's
current state with the report layer's writer, so a county can download, fill in and upload again.

A problem is identified by its household and rule (``户编号|规则编号``), or for a village checklist
item by township, village and rule (``乡镇/行政村|规则编号``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from .. import errors as E
from . import followup_errors as EX

# header text (zh and en, as report/render_xlsx.PROBLEM_COLUMNS writes them) -> field
FIELDS_ZH = {
    "序号": "no",
    "县": "county",
    "乡镇": "township",
    "行政村": "village",
    "村民小组": "group",
    "户编号": "household",
    "户主": "head",
    "证件号码（脱敏）": "masked_id",
    "户类型": "household_type",
    "问题类别": "category",
    "问题类型": "problem_type",
    "具体表现": "detail",
    "佐证（调查答案）": "evidence",
    "发现日期": "found_on",
    "调查组": "team",
    "状态": "status",
    "整改措施": "measure",
    "责任单位": "responsible",
    "完成时限": "deadline",
    "整改时限": "deadline",
    "整改结果": "result",
    "是否销号": "closed",
    "规则编号": "rule_id",
}
COLUMN_ZH = {v: k for k, v in FIELDS_ZH.items() if k != "整改时限"}
KEY_FIELDS = ("household", "township", "village", "rule_id")
ISSUE_FIELDS = (*KEY_FIELDS, "problem_type", "responsible", "deadline")
ANSWER_FIELDS = (*KEY_FIELDS, "measure", "result", "closed")
YES = {"是", "yes", "y", "true", "1", "√", "✓", "已销号", "销号"}
NO = {"否", "no", "n", "false", "0", "×", ""}
NOT_ADOPTED = {"不予采信", "not adopted"}


def _norm(text: Any) -> str:
    s = unicodedata.normalize("NFKC", str(text or "")).strip()
    s = re.sub(r"\s+", "", s)
    return s.casefold()


def _header_map() -> dict[str, str]:
    out = {_norm(k): v for k, v in FIELDS_ZH.items()}
    try:  # the English headers, straight from the writer (read-only use of the report layer)
        from ..report.render_xlsx import PROBLEM_COLUMNS

        for col in PROBLEM_COLUMNS:
            if col.zh in FIELDS_ZH:
                out[_norm(col.en)] = FIELDS_ZH[col.zh]
    except ImportError:  # pragma: no cover - the report layer is part of the package
        pass
    out[_norm("Closed")] = "closed"
    return out


@dataclass
class Row:
    sheet_row: int
    values: dict[str, Any]

    @property
    def key(self) -> str:
        return problem_key(
            self.values.get("household"),
            self.values.get("township"),
            self.values.get("village"),
            self.values.get("rule_id"),
        )


@dataclass
class Workbook:
    file: str
    sheet: str
    columns: dict[str, str]  # field -> header as written
    rows: list[Row] = field(default_factory=list)


def problem_key(household: Any, township: Any, village: Any, rule_id: Any) -> str:
    h = _text(household)
    r = _text(rule_id)
    return f"{h}|{r}" if h else f"{_text(township)}/{_text(village)}|{r}"


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, dt.datetime):
        v = v.date()
    return unicodedata.normalize("NFC", str(v)).strip()


_DATE_RES = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(v: Any) -> dt.date | None:
    """A cell as a date: a date cell, ``2019-04-15``, ``2019/4/15``, ``2019年4月15日``, ``20190415`` or an
    Excel serial number. Blank → None; anything else raises ``ValueError``."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, int | float) and not isinstance(v, bool):
        if 20000 < v < 80000:  # an Excel serial day (1954–2119)
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(v))
        raise ValueError(v)
    s = unicodedata.normalize("NFKC", str(v)).strip()
    s = s.split(" ")[0].split("T")[0]
    for rx in _DATE_RES:
        m = rx.match(s)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    raise ValueError(v)


def parse_yesno(v: Any) -> bool:
    s = _norm(v)
    if s in {_norm(x) for x in YES}:
        return True
    if s in {_norm(x) for x in NO}:
        return False
    raise ValueError(v)


def _bad(file, sheet, row, column, value, what, what_en) -> E.Diagnostic:
    return EX.XLSX_BAD_VALUE(
        file=file, row=row, column=column, value=_text(value)[:60], sheet=sheet, what=what, what_en=what_en
    )


def read_workbook(data: bytes, *, file: str, need: tuple[str, ...], max_errors: int = 50) -> Workbook:
    """Parse the 问题清单 sheet. Raises :class:`PovexitError` with every error found (up to
    ``max_errors``); returns rows only when all are good."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as exc:
        raise E.PovexitError(EX.XLSX_UNREADABLE(file=file, value=type(exc).__name__)) from None
    headers = _header_map()
    best: tuple[int, str, int, dict[int, str], dict[str, str]] | None = None
    try:
        for ws in wb.worksheets:
            for r_idx, row in enumerate(ws.iter_rows(min_row=1, max_row=10, values_only=True), 1):
                cols, names = {}, {}
                for j, cell in enumerate(row):
                    f = headers.get(_norm(cell))
                    if f and f not in names:
                        cols[j], names[f] = f, _text(cell)
                score = len(set(names) & set(KEY_FIELDS + ANSWER_FIELDS))
                if score >= 4 and (best is None or score > best[0]):
                    best = (score, ws.title, r_idx, cols, names)
        if best is None:
            raise E.PovexitError(EX.XLSX_NO_SHEET(file=file))
        _, sheet, header_row, cols, names = best
        missing = [f for f in need if f not in names]
        if missing:
            raise E.PovexitError(
                [EX.XLSX_COLUMN(file=file, sheet=sheet, column=COLUMN_ZH.get(f, f)) for f in missing]
            )
        out = Workbook(file, sheet, names)
        errors: list[E.Diagnostic] = []
        seen: dict[str, int] = {}
        ws = wb[sheet]
        for r_idx, row in enumerate(ws.iter_rows(min_row=header_row + 1, values_only=True), header_row + 1):
            vals = {f: (row[j] if j < len(row) else None) for j, f in cols.items()}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in vals.values()):
                continue
            clean: dict[str, Any] = {}
            for f, v in vals.items():
                col = names[f]
                if f in ("deadline", "found_on"):
                    try:
                        clean[f] = parse_date(v)
                    except ValueError:
                        errors.append(
                            _bad(
                                file,
                                sheet,
                                r_idx,
                                col,
                                v,
                                "不是日期（写作 2019-04-15）",
                                "is not a date (write 2019-04-15)",
                            )
                        )
                elif f == "closed":
                    try:
                        clean[f] = parse_yesno(v)
                    except ValueError:
                        errors.append(_bad(file, sheet, r_idx, col, v, "应填“是”或“否”", "must be yes or no"))
                elif f == "no":
                    clean[f] = v if isinstance(v, int) else None
                else:
                    clean[f] = _text(v)
            if not clean.get("rule_id") and "rule_id" in names:
                errors.append(
                    _bad(
                        file,
                        sheet,
                        r_idx,
                        names["rule_id"],
                        "",
                        "为空：规则编号用于识别问题，不能删除",
                        "is empty: the rule id identifies the problem",
                    )
                )
            elif not clean.get("household") and not (clean.get("township") or clean.get("village")):
                errors.append(
                    _bad(
                        file,
                        sheet,
                        r_idx,
                        names.get("household", "户编号"),
                        "",
                        "为空：户编号（或乡镇、行政村）用于识别问题",
                        "is empty: it identifies the problem",
                    )
                )
            if clean.get("closed") and "result" in names and not clean.get("result"):
                errors.append(
                    _bad(
                        file,
                        sheet,
                        r_idx,
                        names["closed"],
                        vals.get("closed"),
                        "：销号须先填写整改结果",
                        ": a problem is closed only with a result",
                    )
                )
            row_obj = Row(r_idx, clean)
            if clean.get("rule_id"):
                k = row_obj.key
                if k in seen:
                    errors.append(
                        EX.XLSX_DUPLICATE(file=file, sheet=sheet, row=r_idx, value=k, first=seen[k])
                    )
                else:
                    seen[k] = r_idx
            out.rows.append(row_obj)
            if len(errors) >= max_errors:
                break
        if errors:
            raise E.PovexitError(errors[:max_errors])
        if not out.rows:
            raise E.PovexitError(EX.XLSX_EMPTY(file=file, sheet=sheet))
        return out
    finally:
        wb.close()


# ---- statuses -------------------------------------------------------------------------------------

STATUSES = ("open", "overdue", "answered", "closed", "dismissed")
STATUS_ZH = {
    "open": "待整改",
    "overdue": "已逾期",
    "answered": "已填报待复核",
    "closed": "已销号",
    "dismissed": "不予采信",
}
STATUS_EN = {
    "open": "open",
    "overdue": "overdue",
    "answered": "answered",
    "closed": "closed",
    "dismissed": "not adopted",
}
RECHECK_ZH = {"": "未复核", "passed": "复核通过", "failed": "复核未通过"}
RECHECK_EN = {"": "not re-checked", "passed": "re-check passed", "failed": "re-check failed"}


def status_of(p, today: dt.date) -> str:
    if p.dismissed:
        return "dismissed"
    if p.closed:
        return "closed"
    if p.result and p.recheck != "failed":
        return "answered"
    if p.deadline is not None and p.deadline < today:
        return "overdue"
    return "open"


def status_q(status: str, today: dt.date) -> Q:
    """The same as :func:`status_of`, as a filter."""
    live = Q(dismissed=False, closed=False)
    unanswered = Q(result="") | Q(recheck="failed")
    return {
        "dismissed": Q(dismissed=True),
        "closed": Q(dismissed=False, closed=True),
        "answered": live & ~Q(result="") & ~Q(recheck="failed"),
        "overdue": live & unanswered & Q(deadline__lt=today),
        "open": live & unanswered & (Q(deadline__isnull=True) | Q(deadline__gte=today)),
    }[status]


# ---- writing the ledger back out -------------------------------------------------------------------


def workbook(county_name: str, problems, lang: str = "zh") -> bytes:
    """The ledger as the report layer's 问题清单 workbook (same sheet, columns and validation)."""
    from ..report import labels as L
    from ..report.problems import ProblemList, ProblemRow
    from ..report.render_xlsx import problem_workbook

    rows = [
        ProblemRow(
            no=p.no or i,
            county=county_name,
            township=p.township or None,
            village=p.village or None,
            group=p.group or None,
            household_id=p.household_code or None,
            masked_name=p.head_masked,
            masked_id=p.id_masked,
            household_type=p.household_type,
            category=p.category,
            problem_type=p.problem_type,
            rule_id=p.rule_id,
            detail=p.detail,
            evidence=p.evidence,
            found_on=p.found_on,
            team=p.team or None,
            status=p.county_status,
            measure=p.measure,
            responsible=p.responsible,
            deadline=p.deadline,
            result=p.result,
            closed=p.closed,
        )
        for i, p in enumerate(problems, 1)
    ]
    deadlines = [r.deadline for r in rows if r.deadline]
    plist = ProblemList(
        lang=lang,
        county=county_name,
        deadline=max(deadlines) if deadlines else None,
        rows=rows,
        feedback=[],
        daily=[],
        statuses=[L.pick(s, lang) for s in L.PROBLEM_STATUSES],
    )
    return problem_workbook(plist)
