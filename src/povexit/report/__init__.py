"""report layer: the documents an office receives — county report (Word, PDF, HTML), problem list
(Excel: 问题清单, 反馈清单, 当天问题汇总), charts, and summaries across counties.

Pure core: :func:`load_workdir` reads a work directory into tables; :func:`county_report` builds the
content model; :func:`problem_list` the problem list; :func:`summarise` the cross-county figures.
Thin renderers lay them out; :func:`build_county_report` and :func:`build_summary` write the files
atomically.
"""

from .build import ALL_FORMATS, FILES, ReportOutputs, build_county_report, problem_list_xlsx
from .content import county_report
from .model import CountyReport
from .problems import ProblemList, problem_list
from .summary import Summary, SummaryOutputs, build_summary, load_records, summarise
from .workdir import WorkdirData, load_workdir

summary_report = build_summary  # name used in docs/layers-api.md

__all__ = [
    "ALL_FORMATS", "FILES", "CountyReport", "ProblemList", "ReportOutputs", "Summary", "SummaryOutputs",
    "WorkdirData", "build_county_report", "build_summary", "county_report", "load_records", "load_workdir",
    "problem_list", "problem_list_xlsx", "summarise", "summary_report",
]
