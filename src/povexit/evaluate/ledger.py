"""Task ledger (任务台账, seed 004): measures with 责任单位 and 完成时限, their 完成情况 and 销号.

Seed 004 lists measures each followed by 责任单位 and 完成时限 ("2018年12月"), and asks for 问题整改工作台账
with 销号管理. A ledger is read from YAML (``measures:`` list) or a table (CSV/XLSX, Chinese or English
headers); :func:`ledger_status` (pure) gives each measure a status on an as-of date; :func:`write_ledger`
writes it back as .xlsx with the status, a per-unit summary and notes.

Statuses: ``closed`` 已销号 (``closed`` yes or a date; ``closed_late`` when that date is after the
deadline; a 销号 date after the as-of date counts as not yet closed); ``overdue`` 逾期 (not closed and the deadline is before the as-of date — the deadline day itself
is still in time); ``due_soon`` 临期 (deadline within ``soon_days``); ``open`` 未到期. A deadline given as a
month ("2018年12月") is that month's last day; a year ("2018年", "2018年底") its 31 December.

This is the measures ledger of an effectiveness evaluation; the rectification ledger of one county's
问题清单 (household problems) lives in the server (``server/ledger.py``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from .. import errors as E
from ..contracts import Column, TableSpec
from ..errors import evaluate as EV
from ..tabular import ROW, read_table

LEDGER = TableSpec(
    "ledger", ("ledger", "任务台账", "台账"),
    (
        Column("no", "序号", aliases=("编号",), contract=False),
        Column("section", "类别", aliases=("方面", "任务类别", "问题类别"), contract=False),
        Column("measure", "措施", required=True, aliases=("具体措施", "整改措施", "工作措施", "任务"), contract=False),
        Column("units", "责任单位", required=True, aliases=("牵头单位", "责任部门"), contract=False),
        Column("deadline", "完成时限", required=True, aliases=("整改时限", "时限", "完成时间"), contract=False),
        Column("progress", "完成情况", aliases=("整改结果", "进展情况", "整改情况"), contract=False),
        Column("closed", "销号", aliases=("是否销号", "销号情况", "销号日期"), contract=False),
    ),
    doc="task ledger of measures (seed 004)",
)
FIELDS = ("no", "section", "measure", "units", "deadline", "progress", "closed")
STATUSES = ("overdue", "due_soon", "open", "closed")
STATUS_ZH = {"overdue": "逾期", "due_soon": "临期", "open": "未到期", "closed": "已销号"}
STATUS_EN = {"overdue": "overdue", "due_soon": "due soon", "open": "open", "closed": "closed"}
_UNIT_SPLIT = re.compile(r"[、，,；;/\n]+")
_YES = {"是", "已销号", "销号", "yes", "y", "true", "1", "√", "✓"}
_NO = {"否", "未销号", "no", "n", "false", "0", ""}


@dataclass(frozen=True)
class Measure:
    row: int  # entry number (YAML) or the row the user sees (table)
    no: str
    section: str
    measure: str
    units: tuple[str, ...]
    deadline: dt.date
    deadline_text: str
    progress: str
    closed: bool
    closed_on: dt.date | None


@dataclass(frozen=True)
class Ledger:
    measures: tuple[Measure, ...]
    title: str = ""
    source: str = ""
    file: str = ""


@dataclass
class MeasureStatus:
    measure: Measure
    status: str
    days_overdue: int  # > 0 only when overdue (days past the deadline on the as-of date)
    days_left: int | None  # open / due soon
    closed_late: bool


@dataclass
class LedgerStatus:
    ledger: Ledger
    as_of: dt.date
    soon_days: int
    rows: list[MeasureStatus]
    by_unit: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        c = dict.fromkeys(STATUSES, 0)
        for r in self.rows:
            c[r.status] += 1
        c["total"] = len(self.rows)
        c["closed_late"] = sum(1 for r in self.rows if r.closed_late)
        return c


# ---- dates ---------------------------------------------------------------------------------------------

_FULL = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:月(?:底|末|前)?)?$")
_YEAR = re.compile(r"^(\d{4})年(?:底|末|前)?$")


def parse_date(v: Any) -> dt.date | None:
    """A date from a cell: a date, ``2018-12-31``, ``2018年12月31日``, ``2018年12月`` (month end), ``2018年底``."""
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if v is None:
        return None
    s = re.sub(r"\s+", "", str(v))
    s = re.sub(r"(T|\d{2}:).*$", "", s) if re.match(r"^\d{4}-\d{2}-\d{2}(T|\d{2}:)", s) else s
    s = s.removeprefix("于").removesuffix("前")
    try:
        if m := _FULL.match(s):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _MONTH.match(s):
            y, mo = int(m[1]), int(m[2])
            return dt.date(y, mo, calendar.monthrange(y, mo)[1])
        if m := _YEAR.match(s):
            return dt.date(int(m[1]), 12, 31)
    except ValueError:
        return None
    return None


# ---- reading -------------------------------------------------------------------------------------------


def read_ledger(path: str | Path) -> Ledger:
    """A ledger from YAML (``measures:`` list, or a bare list) or a table (CSV/XLSX/Parquet)."""
    path = Path(path)
    if not path.exists():
        raise E.PovexitError(E.FILE_NOT_FOUND(file=str(path)))
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise E.PovexitError(EV.LEDGER_INVALID(file=str(path), reason=str(exc).splitlines()[0])) from None
        title = source = ""
        if isinstance(data, dict):
            title, source = str(data.get("title") or ""), str(data.get("source") or "")
            data = data.get("measures")
        if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
            raise E.PovexitError(EV.LEDGER_INVALID(file=str(path), reason="measures: 应为列表 / must be a list"))
        return ledger_from_rows(data, file=str(path), title=title, source=source)
    raw = read_table(path, LEDGER)
    E.raise_if_errors(raw.diagnostics)
    try:
        df = raw.collect()
    finally:
        raw.close()
    return ledger_from_rows(df.to_dicts(), file=str(path), row_col=ROW)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list | tuple):
        return "、".join(str(x).strip() for x in v if str(x).strip())
    return str(v).strip()


def ledger_from_rows(rows: list[dict[str, Any]], *, file: str = "ledger", row_col: str | None = None,
                     title: str = "", source: str = "") -> Ledger:
    """Check every entry (measure, units, deadline present; dates and 销号 readable); raise all problems."""
    diags: list[E.Diagnostic] = []
    out: list[Measure] = []
    for i, r in enumerate(rows, start=1):
        row = int(r[row_col]) if row_col and r.get(row_col) is not None else i
        vals = {k: r.get(k) for k in FIELDS}
        missing = [k for k in ("measure", "units", "deadline") if not _cell(vals[k])]
        for k in missing:
            diags.append(EV.LEDGER_FIELD_MISSING(file=file, row=row, column=k))
        if missing:
            continue
        deadline = parse_date(vals["deadline"])
        if deadline is None:
            diags.append(EV.LEDGER_BAD_DATE(file=file, row=row, column="deadline", value=_cell(vals["deadline"])))
            continue
        closed_raw = vals["closed"]
        closed, closed_on = False, None
        if isinstance(closed_raw, bool):
            closed = closed_raw
        elif _cell(closed_raw).lower() in _YES:
            closed = True
        elif _cell(closed_raw).lower() in _NO:
            closed = False
        elif (d := parse_date(closed_raw)) is not None:
            closed, closed_on = True, d
        else:
            diags.append(EV.LEDGER_BAD_CLOSED(file=file, row=row, column="closed", value=_cell(closed_raw)))
            continue
        units = vals["units"]
        unit_list = [str(u).strip() for u in units] if isinstance(units, list) else _UNIT_SPLIT.split(_cell(units))
        out.append(Measure(row, _cell(vals["no"]) or str(i), _cell(vals["section"]), _cell(vals["measure"]),
                           tuple(u for u in (x.strip() for x in unit_list) if u), deadline, _cell(vals["deadline"]),
                           _cell(vals["progress"]), closed, closed_on))
    E.raise_if_errors(diags)
    return Ledger(tuple(out), title, source, file)


# ---- status (pure) --------------------------------------------------------------------------------------


def ledger_status(ledger: Ledger, as_of: dt.date, soon_days: int = 15) -> LedgerStatus:
    rows: list[MeasureStatus] = []
    for m in ledger.measures:
        closed = m.closed and (m.closed_on is None or m.closed_on <= as_of)  # closed later: still open then
        late = closed and m.closed_on is not None and m.closed_on > m.deadline
        if closed:
            rows.append(MeasureStatus(m, "closed", 0, None, bool(late)))
        elif m.deadline < as_of:
            rows.append(MeasureStatus(m, "overdue", (as_of - m.deadline).days, None, False))
        else:
            left = (m.deadline - as_of).days
            rows.append(MeasureStatus(m, "due_soon" if left <= soon_days else "open", 0, left, False))
    units: dict[str, dict[str, Any]] = {}
    for r in rows:
        for u in r.measure.units:
            d = units.setdefault(u, {"unit": u, "total": 0, **dict.fromkeys(STATUSES, 0)})
            d["total"] += 1
            d[r.status] += 1
    by_unit = sorted(units.values(), key=lambda d: (-d["overdue"], -d["due_soon"], d["unit"]))
    return LedgerStatus(ledger, as_of, soon_days, rows, by_unit)


# ---- writing --------------------------------------------------------------------------------------------


def ledger_xlsx(st: LedgerStatus, lang: str = "zh") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    en = lang == "en"
    names = STATUS_EN if en else STATUS_ZH
    fills = {"overdue": "F8CBAD", "due_soon": "FFE699", "closed": "C6E0B4", "open": None}
    wb = Workbook()
    ws = wb.active
    ws.title = "Task ledger" if en else "任务台账"
    title = st.ledger.title or ("Task ledger" if en else "任务台账")
    ws.append([f"{title} — " + (f"as of {st.as_of.isoformat()}" if en else f"核对日期 {st.as_of.isoformat()}")])
    ws["A1"].font = Font(bold=True, size=13)
    head = (["No.", "Section", "Measure", "Responsible units", "Deadline (as written)", "Deadline", "Progress",
             "Closed", "Status", "Days overdue", "Days left"] if en else
            ["序号", "类别", "措施", "责任单位", "完成时限", "截止日期", "完成情况", "销号", "状态", "逾期天数", "剩余天数"])
    ws.append(head)
    for c in ws[2]:
        c.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r in st.rows:
        m = r.measure
        closed = ("yes" if en else "是") if m.closed else ("no" if en else "否")
        if m.closed_on:
            closed = m.closed_on.isoformat() + ((" (late)" if en else "（逾期销号）") if r.closed_late else "")
        ws.append([m.no, m.section, m.measure, "、".join(m.units), m.deadline_text, m.deadline, m.progress, closed,
                   names[r.status], r.days_overdue or None, r.days_left])
        row = ws.max_row
        ws.cell(row, 6).number_format = "yyyy-mm-dd"
        for c in ws[row]:
            c.alignment = wrap
        if fills[r.status]:
            ws.cell(row, 9).fill = PatternFill("solid", fgColor=fills[r.status])
    for col, w in zip("ABCDEFGHIJK", (6, 14, 60, 24, 14, 12, 30, 10, 10, 10, 10), strict=True):
        ws.column_dimensions[col].width = w
    ws.freeze_panes = "D3"
    ws2 = wb.create_sheet("By unit" if en else "按责任单位")
    ws2.append(["Responsible unit", "Measures", "Overdue", "Due soon", "Open", "Closed"] if en else
               ["责任单位", "措施数", "逾期", "临期", "未到期", "已销号"])
    for c in ws2[1]:
        c.font = Font(bold=True)
    for d in st.by_unit:
        ws2.append([d["unit"], d["total"], d["overdue"], d["due_soon"], d["open"], d["closed"]])
    ws2.column_dimensions["A"].width = 30
    ws3 = wb.create_sheet("Notes" if en else "说明")
    c = st.counts()
    notes = [
        ("As of" if en else "核对日期", st.as_of.isoformat()),
        ("Measures" if en else "措施数", c["total"]),
        *((names[s], c[s]) for s in STATUSES),
        ("Closed after the deadline" if en else "逾期销号", c["closed_late"]),
        ("Rules" if en else "判定规则",
         "Overdue: not closed and the deadline is before the as-of date (the deadline day is still in time). "
         f"Due soon: deadline within {st.soon_days} days. A deadline written as a month is its last day." if en else
         f"逾期：未销号且完成时限早于核对日期（时限当天不算逾期）；临期：{st.soon_days}天内到期；"
         "完成时限写到月的按该月最后一天计，写到年的按12月31日计。"),
        ("Source" if en else "来源", st.ledger.source or st.ledger.file),
    ]
    for k, v in notes:
        ws3.append([k, v])
    ws3.column_dimensions["A"].width = 18
    ws3.column_dimensions["B"].width = 90
    bio = io.BytesIO()
    wb.save(bio)
    return bio.getvalue()


def write_ledger(st: LedgerStatus, out: str | Path, lang: str = "zh") -> Path:
    """Write the ledger with its status to ``out`` (.xlsx), atomically (a temporary file renamed)."""
    import os
    import tempfile

    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise E.PovexitError(EV.LEDGER_OUTPUT(file=str(out)))
    out.parent.mkdir(parents=True, exist_ok=True)
    data = ledger_xlsx(st, lang)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, out)
    return out


def status_frame(st: LedgerStatus) -> pl.DataFrame:
    """One row per measure with its status (for tests, the server, or a CSV export)."""
    return pl.DataFrame([{"no": r.measure.no, "measure": r.measure.measure, "units": "、".join(r.measure.units),
                          "deadline": r.measure.deadline, "status": r.status, "days_overdue": r.days_overdue,
                          "closed_late": r.closed_late} for r in st.rows],
                        schema={"no": pl.String, "measure": pl.String, "units": pl.String, "deadline": pl.Date,
                                "status": pl.String, "days_overdue": pl.Int64, "closed_late": pl.Boolean})
