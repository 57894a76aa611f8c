"""estimate layer: design-based indicators (三率一度), intervals, the exit decision, summaries.

``estimate_county`` / ``estimate_all`` are the entry points (docs/layers-api.md); ``svy`` is the
design-based estimator core, checked against R's ``survey`` (tests/estimate/).
"""

from __future__ import annotations

from . import svy
from .indicators import INDICATORS, CountyEstimates, Indicator, estimate_county, estimate_many
from .inputs import SampleTables, load_sample_dir, read_cadres, read_cases, read_findings
from .summary import estimate_all, summarise, table, write_table

__all__ = [
    "INDICATORS", "CountyEstimates", "Indicator", "SampleTables", "estimate_all", "estimate_county", "estimate_many",
    "load_sample_dir", "read_cadres", "read_cases", "read_findings", "summarise", "svy", "table", "write_table",
]
