"""rules layer: household adjudication (两不愁三保障 + income) with versioned YAML rulesets.

Public API (docs/layers-api.md)::

    load_ruleset(name_or_path) -> Ruleset
    adjudicate(registry, sample, responses, ruleset, *, overrides=None) -> Adjudication
        (.findings, .cases, .verdicts, .diagnostics, .summary)
    write_findings(adj, out, *, inputs=None) -> Path
"""

from __future__ import annotations

from .catalogue import RULES, rule
from .household_table import ResponsesData, roster_household_id
from .io import load_sample, read_findings, read_responses_dir, write_findings
from .overrides import load as load_overrides
from .ruleset import Ruleset, builtin_names, check_ruleset, list_rulesets, load_ruleset
from .verdict import Adjudication, adjudicate

__all__ = [
    "RULES",
    "Adjudication",
    "ResponsesData",
    "Ruleset",
    "adjudicate",
    "builtin_names",
    "check_ruleset",
    "list_rulesets",
    "load_overrides",
    "load_ruleset",
    "load_sample",
    "read_findings",
    "read_responses_dir",
    "roster_household_id",
    "rule",
    "write_findings",
]
