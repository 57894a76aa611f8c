"""The one place that turns diagnostics into terminal, JSON and HTTP output."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from . import Diagnostic, PovexitError, current_lang

# HTTP status for a domain error by code prefix; default 400 (the request carried bad data).
HTTP_STATUS_BY_PREFIX = {"PVX001": 404, "PVX-S": 403}


def diagnostics_table(diags: Sequence[Diagnostic], *, lang: str | None = None, limit: int = 50) -> Table:
    """The diagnostics as a terminal table. Location columns that are empty for every row shown are
    left out (a warning about a whole run has no file or row), so the message gets the width."""
    lang = lang or current_lang()
    zh = lang == "zh"
    shown = list(diags[:limit])
    rows = []
    for d in shown:
        style = "red" if d.severity == "error" else "yellow"
        rows.append((
            d.code,
            f"[{style}]{('错误' if d.severity == 'error' else '警告') if zh else d.severity}[/{style}]",
            d.file or "", "" if d.row is None else str(d.row), d.column or "", d.value or "",
            d.message(lang), d.fix(lang),
        ))
    titles = (("代码", "code"), ("级别", "level"), ("文件", "file"), ("行", "row"), ("列", "column"),
              ("值", "value"), ("问题", "problem"), ("如何修改", "how to fix"))
    optional = {2, 3, 4, 5}  # file, row, column, value
    keep = [i for i in range(len(titles)) if i not in optional or any(r[i] for r in rows)]
    table = Table(show_lines=False, header_style="bold")
    for i in keep:
        table.add_column(titles[i][0] if zh else titles[i][1], overflow="fold", no_wrap=i in (0, 1))
    for r in rows:
        table.add_row(*(r[i] for i in keep))
    return table


def summary_line(diags: Sequence[Diagnostic], *, lang: str | None = None) -> str:
    lang = lang or current_lang()
    n_err = sum(d.severity == "error" for d in diags)
    n_warn = len(diags) - n_err
    return f"{n_err} 个错误，{n_warn} 个警告" if lang == "zh" else f"{n_err} error(s), {n_warn} warning(s)"


def print_diagnostics(
    diags: Sequence[Diagnostic], *, console: Console | None = None, lang: str | None = None, limit: int = 50
) -> None:
    console = console or Console(stderr=True)
    if not diags:
        return
    console.print(diagnostics_table(diags, lang=lang, limit=limit))
    if len(diags) > limit:
        by_code = Counter(d.code for d in diags[limit:])
        more = ", ".join(f"{c}×{n}" for c, n in by_code.most_common())
        console.print(("…另有 " if (lang or current_lang()) == "zh" else "… and ") + f"{len(diags) - limit}: {more}")
    console.print(summary_line(diags, lang=lang))


def diagnostics_json(diags: Iterable[Diagnostic], *, lang: str | None = None) -> list[dict[str, Any]]:
    return [d.to_dict(lang) for d in diags]


def dumps(diags: Iterable[Diagnostic], *, lang: str | None = None) -> str:
    return json.dumps(diagnostics_json(diags, lang=lang), ensure_ascii=False, indent=2)


def http_status(err: PovexitError) -> int:
    for d in err.diagnostics:
        for prefix, status in HTTP_STATUS_BY_PREFIX.items():
            if d.code.startswith(prefix):
                return status
    return 400


def http_payload(err: PovexitError, *, lang: str | None = None) -> dict[str, Any]:
    return {"errors": diagnostics_json(err.diagnostics, lang=lang)}
