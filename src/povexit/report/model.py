"""The county report as data: what the documents say, before any wording or layout.

Built by :func:`povexit.report.content.county_report` (pure) from a work directory's tables; the
composer turns it into headed paragraphs and tables, the renderers into .docx / .html / .pdf. Tests
compare the documents with these numbers, and ``report.json`` keeps them for other programs.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field
from typing import Any

from .new_items import NewItems


@dataclass
class IndicatorRow:
    key: str
    name: str
    kind: str  # 主要指标 / 参考指标 (localised)
    official: float | None
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    ci_method: str | None
    deff: float | None
    n_households: int | None
    n_persons: int | None
    n_psu: int | None
    threshold: float | None
    direction: str  # "max" | "min"
    meets_official: bool | None
    meets_estimate: bool | None
    ci_contains_threshold: bool | None
    near_threshold: bool


@dataclass
class ExtraIndicator:
    key: str
    name: str
    official: float | None
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n_households: int | None
    ci_method: str | None


@dataclass
class Overview:
    county: str
    province: str | None
    city: str | None
    first_day: _dt.date | None
    last_day: _dt.date | None
    fieldwork_days: int
    enumerators: int
    teams: int
    townships_total: int | None
    townships_visited: list[str]
    townships_not_visited: list[str]
    villages_sampled: int
    villages_visited: int
    groups_visited: int
    census_groups: int
    census_groups_visited: int
    households_valid: int
    registered_valid: int
    registered_by_status: dict[str, int]
    general_valid: int
    registered_target: int | None
    rejected_submissions: int  # submissions (file, row) with an error: not used
    flagged_submissions: int  # submissions with warnings only: used
    cannot_judge: int


@dataclass
class Interviews:
    by_role: list[tuple[str, int, int]]  # (role label, respondents, approving)
    village_checklists: int
    cadre_total: int
    cadre_approving: int


@dataclass
class ProblemItem:
    rule_id: str
    label: str
    households: int


@dataclass
class ProblemCategory:
    key: str
    label: str
    group: str  # 两不愁 / 三保障 / 收入 / …
    households: int
    by_status: dict[str, int]  # exited / poor / returned / general → households
    items: list[ProblemItem]


@dataclass
class VillageProblem:
    township: str | None
    village: str | None
    rule_id: str
    label: str
    evidence: str


@dataclass
class FeedbackCase:
    case_id: str | None
    kind: str  # wrongful_exit | missed
    kind_label: str
    township: str | None
    village: str | None
    group: str | None
    household_id: str
    masked_id: str
    masked_name: str
    persons: int | None
    reasons: str
    categories: list[str]
    outcome: str  # pending | confirmed | dismissed
    outcome_label: str
    note: str


@dataclass
class Feedback:
    wrongful_exit: dict[str, int]  # outcome → households (+ "total")
    missed: dict[str, int]
    cases: list[FeedbackCase]
    from_cases_file: bool  # False: derived from findings (no verification yet)


@dataclass
class StratumRow:
    stratum: str
    villages: int
    villages_in_frame: int | None
    registered_households: int
    p_village_min: float | None
    p_village_max: float | None


@dataclass
class Sampling:
    design: str | None
    seed: Any
    villages: int
    townships_covered: int
    townships_total: int | None
    poor_villages: int | None  # None: neither the sample nor the registry says
    weak_area_villages: int | None
    by_reason: dict[str, int]
    strata: list[StratumRow]
    registered_households: int
    general_listed: int
    census_groups: int
    census_population: int | None
    weight_min: float | None
    weight_max: float | None
    reserve_used: int | None


@dataclass
class TownshipFieldwork:
    township: str
    villages_sampled: int
    villages_visited: int
    registered_target: int
    registered_done: int
    general_done: int
    problem_households: int


@dataclass
class Annex:
    manifest_sha256: str | None
    design_parameters: list[tuple[str, str]]
    input_hashes: list[tuple[str, str]]
    file_hashes: list[tuple[str, str]]
    ruleset: str | None
    povexit_version: str
    ci_methods: list[str]


@dataclass
class Disapproval:
    households: int
    surveyed: int
    reasons: list[tuple[str, int]]


@dataclass
class CountyReport:
    lang: str
    county: str
    stage: str
    stage_label: str
    decision: str
    decision_label: str
    reasons: list[str]
    overview: Overview
    interviews: Interviews
    indicators: list[IndicatorRow]
    extra_indicators: list[ExtraIndicator]
    near_threshold_notes: bool  # the estimate layer's reasons already explain each near-threshold call
    problems: list[ProblemCategory]
    problem_households: int
    village_problems: list[VillageProblem]
    villages_checked: int
    disapproval: Disapproval
    feedback: Feedback
    sampling: Sampling
    fieldwork: list[TownshipFieldwork]
    annex: Annex
    warnings: list[str] = field(default_factory=list)
    new_items: NewItems = field(default_factory=NewItems)  # answers of form 2025.2 (empty: older form)

    def indicator(self, key: str) -> IndicatorRow:
        for i in self.indicators:
            if i.key == key:
                return i
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
