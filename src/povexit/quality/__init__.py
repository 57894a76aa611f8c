"""quality layer: field data-quality checks on ingested submissions (seed 000 三级核查制度; seed 003
"查实地调查工作质量和问卷完成质量"; seed 002 当天问题当天汇总).

Public API (docs/layers-api.md):

- :func:`check` (responses, sample=None, registry=None, params=QualityParams()) → :class:`QualityReport`
  (``.flags``, ``.enumerators``, ``.enumerator_flags``, ``.summary``, ``.warnings``) — pure
- :func:`write_quality` (report, out, inputs=None) → ``out/`` with flags.csv, enumerators.csv,
  enumerator_flags.csv, daily.csv, quality.json; :func:`run_quality` (responses_dir, out, sample=, registry=,
  params=); :func:`load_quality` (dir) → :class:`QualityReport` read back
- :func:`draw_backcheck` (responses, share, seed, min_per_stratum=1, flagged=()) → :class:`BackcheckDraw`;
  :func:`write_backcheck` (draw, out.csv|out.xlsx)
- :data:`CHECKS` — the check catalogue (stable ids, zh/en descriptions, parameters)
"""

from .backcheck import BackcheckDraw, draw_backcheck
from .catalogue import CHECKS, Check
from .check import QualityReport, check
from .io import load_quality, read_flagged, run_quality, write_backcheck, write_quality
from .params import QualityParams, from_mapping, load_params

__all__ = [
    "CHECKS", "BackcheckDraw", "Check", "QualityParams", "QualityReport", "check", "draw_backcheck", "from_mapping",
    "load_params", "load_quality", "read_flagged", "run_quality", "write_backcheck", "write_quality",
]
