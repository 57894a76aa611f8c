"""I/O wrapper: a work directory in, the county's documents out (atomically).

``build_county_report(workdir, out, lang)`` writes into ``out``::

    county-report.docx   Word report
    county-report.pdf    the same report as PDF (WeasyPrint)
    county-report.html   the same report as one self-contained HTML page
    problem-list.xlsx    问题清单 + 反馈清单 + 当天问题汇总 + 说明
    charts/*.png         the report's charts (indicators, problems, fieldwork)
    report.json          the content model (every number of the report) for other programs

File names are fixed and ASCII so scripts and the server can find them; the county name is inside.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import errors as E
from ..errors import report as R
from ..fsutil import atomic_dir, write_json
from . import charts as C
from .compose import compose_county
from .content import county_report
from .model import CountyReport
from .problems import DEFAULT_DEADLINE_DAYS, ProblemList, problem_list
from .render_docx import render_docx
from .render_html import render_html, render_pdf
from .render_xlsx import problem_workbook
from .workdir import load_workdir

FILES = {
    "docx": "county-report.docx",
    "pdf": "county-report.pdf",
    "html": "county-report.html",
    "xlsx": "problem-list.xlsx",
    "json": "report.json",
}
ALL_FORMATS = ("docx", "pdf", "html", "xlsx")
STEPS = ("load", "content", "charts", "docx", "pdf", "xlsx", "write")


@dataclass
class ReportOutputs:
    out: Path
    files: dict[str, Path]
    charts: dict[str, Path]
    report: CountyReport
    problems: ProblemList
    warnings: list[str] = field(default_factory=list)


def parse_date(value: str | None) -> _dt.date | None:
    if value is None or value == "":
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError as exc:
        raise E.PovexitError(R.BAD_DATE(value=value)) from exc


def stamp_of(report: CountyReport) -> _dt.datetime | None:
    d = report.overview.last_day
    return None if d is None else _dt.datetime(d.year, d.month, d.day, tzinfo=_dt.UTC)


def make_charts(report: CountyReport) -> dict[str, C.ChartImage]:
    lang = report.lang
    out = {"indicators": C.indicators_chart(report.indicators, lang)}
    if report.problems or report.village_problems:
        out["problems"] = C.problems_chart(report.problems, report.village_problems, lang)
    if report.fieldwork:
        out["fieldwork"] = C.fieldwork_chart(report.fieldwork, lang)
    return out


def build_county_report(
    workdir: str | Path,
    out: str | Path | None = None,
    lang: str = "zh",
    *,
    estimates: str | Path | None = None,
    deadline: _dt.date | None = None,
    deadline_days: int = DEFAULT_DEADLINE_DAYS,
    formats: Iterable[str] = ALL_FORMATS,
    progress: Callable[[str], None] | None = None,
) -> ReportOutputs:
    """Read ``workdir``, write the county's documents to ``out`` (default ``workdir/report``)."""
    tick = progress or (lambda _step: None)
    workdir = Path(workdir)
    out = Path(out) if out is not None else workdir / "report"
    lang = "en" if str(lang).lower().startswith("en") else "zh"
    formats = tuple(formats)
    data = load_workdir(workdir, estimates=estimates)
    tick("load")
    report = county_report(data, lang=lang)
    plist = problem_list(data, lang=lang, deadline=deadline, deadline_days=deadline_days)
    tick("content")
    charts = make_charts(report)
    tick("charts")
    doc = compose_county(report, charts)
    stamp = stamp_of(report)
    blobs: dict[str, bytes] = {}
    if "docx" in formats:
        blobs["docx"] = render_docx(doc, stamp=stamp)
    tick("docx")
    if "html" in formats or "pdf" in formats:
        html = render_html(doc)
        if "html" in formats:
            blobs["html"] = html.encode("utf-8")
        if "pdf" in formats:
            blobs["pdf"] = render_pdf(doc, html)
    tick("pdf")
    if "xlsx" in formats:
        blobs["xlsx"] = problem_workbook(plist, stamp=stamp)
    tick("xlsx")
    files: dict[str, Path] = {}
    chart_files: dict[str, Path] = {}
    with atomic_dir(out, kind="report") as tmp:
        for kind, blob in blobs.items():
            (tmp / FILES[kind]).write_bytes(blob)
            files[kind] = out / FILES[kind]
        (tmp / "charts").mkdir()
        for key, img in charts.items():
            (tmp / "charts" / f"{key}.png").write_bytes(img.png)
            chart_files[key] = out / "charts" / f"{key}.png"
        write_json(tmp / FILES["json"], {"county_report": report.to_dict(),
                                         "problem_list": {"rows": len(plist.rows), "feedback": len(plist.feedback),
                                                          "daily": len(plist.daily),
                                                          "deadline": plist.deadline}})
        files["json"] = out / FILES["json"]
    tick("write")
    return ReportOutputs(out=out, files=files, charts=chart_files, report=report, problems=plist,
                         warnings=report.warnings)


def problem_list_xlsx(workdir: str | Path, lang: str = "zh", *, estimates: str | Path | None = None,
                      deadline: _dt.date | None = None, deadline_days: int = DEFAULT_DEADLINE_DAYS) -> bytes:
    """The 问题清单 workbook of a work directory as bytes (for the server's download views)."""
    lang = "en" if str(lang).lower().startswith("en") else "zh"
    data = load_workdir(workdir, estimates=estimates)
    plist = problem_list(data, lang=lang, deadline=deadline, deadline_days=deadline_days)
    return problem_workbook(plist, stamp=stamp_of(county_report(data, lang=lang)))


def load_report_json(path: str | Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
