"""evaluate layer: 成效评估 — effectiveness evaluations (seed 002, 004), distinct from the exit check.

Score sheets (YAML, :func:`load_sheet`; presets in ``sheets/``) weigh items scored per township from
the findings and responses, or by hand (``--manual``) for document reviews and departments; :func:`score`
(pure) gives each township and department its points, total and rank (competition ranking, "1224");
:func:`write_scores` writes ``scores.xlsx``, ``scores.json`` and a chart. The ranking is for the
effectiveness evaluation only: the exit check (seed 003) is pass/fail and never ranks.

The task ledger (任务台账, seed 004): :func:`read_ledger` → :func:`ledger_status` (overdue on a date, pure)
→ :func:`write_ledger` (.xlsx).
"""

from .indicators import EvaluationData
from .io import load_inputs, read_manual, scores_xlsx, totals_chart, write_scores
from .ledger import Ledger, LedgerStatus, ledger_status, parse_date, read_ledger, write_ledger
from .scoring import ScoreResult, UnitScore, check_manual, competition_ranks, item_points, score
from .sheet import INDICATORS, Sheet, load_sheet, presets, sheet_from_mapping

__all__ = [
    "INDICATORS", "EvaluationData", "Ledger", "LedgerStatus", "ScoreResult", "Sheet", "UnitScore",
    "check_manual", "competition_ranks", "item_points", "ledger_status", "load_inputs", "load_sheet", "parse_date",
    "presets", "read_ledger", "read_manual", "score", "scores_xlsx", "sheet_from_mapping", "totals_chart",
    "write_ledger", "write_scores",
]
