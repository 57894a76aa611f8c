"""Persons: typing, row-level checks and the normalised ``persons`` table, as one streaming plan.

:func:`wide_frame` adds, next to the raw text columns, the typed value of every column
(``__t_<name>``); :func:`checked_frame` selects from it the normalised columns, one flag per
row-level rule and the raw text of the checked columns.  Its projections are materialised together
(one scan of the input): :func:`persons_table` — the normalised persons table —,
:func:`problem_rows` — only the rows that broke a rule, with the raw text the user wrote, from
which :mod:`povexit.registry.diagnose` builds the messages — and the household statistics and head
rows of :mod:`povexit.registry.households`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .. import contracts
from ..errors import ErrorSpec
from ..errors import registry as R
from ..tabular import ROW
from . import parse
from .ids import PLACE

SPEC = contracts.PERSONS
HEAD_KEY_SHIFT = 1 << 40  # rows sort heads first: key = row + (not head) << 40

YESNO_COLUMNS = ("relocated", "basic_medical_insurance", "critical_illness_insurance", "monitored")
TEXT_COLUMNS = ("poverty_cause", "school_status", "health", "labour")
# Output columns in order (docs/data-layout.md, registry/model.py); extras follow.
FINAL_COLUMNS = (
    *PLACE, "group", "village_id", "household_id", "name", "id_number", "relation", "is_head",
    "status", "exit_year", "poor_type", "poverty_cause", "income_per_capita", "relocated",
    "housing_grade", "school_status", "health", "labour", "basic_medical_insurance",
    "critical_illness_insurance", "monitored", "sex", "birth_date", "age", "village_code", "source_row",
)

STATUS_ALLOWED = "未脱贫 / 已脱贫 / 返贫 (poor / exited / returned)"
POOR_TYPE_ALLOWED = "一般贫困户 / 低保贫困户 / 特困供养贫困户 (general / dibao / tekun)"
HOUSING_ALLOWED = "A / B / C / D（或留空）"
EARLIEST_EXIT_YEAR = 1980


def t(name: str) -> str:
    """Name of the typed version of a column inside the wide frame."""
    return f"__t_{name}"


def raw(name: str) -> str:
    """Name of the raw text of a column in the problem rows."""
    return f"__raw_{name}"


@dataclass(frozen=True)
class RowRule:
    """One row-level rule: a flag over the wide frame and how to report it."""

    flag: str
    spec: ErrorSpec
    column: str  # canonical column the rule is about
    condition: pl.Expr
    params: dict[str, Any] = field(default_factory=dict)  # static params
    # params computed from the problem row (column name in the problem frame -> param name)
    row_params: dict[str, str] = field(default_factory=dict)
    mask: bool = False  # value is an ID number


def _id_rules(today: dt.date) -> list[RowRule]:
    p = pl.col("__id_problem")
    return [
        RowRule("__f_id_excel", R.ID_EXCEL_FLOAT, "id_number", p == "excel_float", mask=True),
        RowRule("__f_id_format", R.ID_FORMAT, "id_number", p == "format", mask=True),
        RowRule(
            "__f_id_birth", R.ID_BIRTH_DATE, "id_number", p == "birth_date", mask=True,
            row_params={"__id_birth_text": "birth", "__id_birth_reason": "reason",
                        "__id_birth_reason_en": "reason_en"},
        ),
        RowRule("__f_id_check", R.ID_CHECK_DIGIT, "id_number", p == "check_digit", mask=True,
                row_params={"__id_expected": "expected"}),
        RowRule("__f_id_region", R.ID_REGION, "id_number", p == "region", mask=True,
                row_params={"__id_region": "region"}),
        RowRule("__f_id_other", R.ID_OTHER, "id_number", p == "other_id", mask=True,
                row_params={"__id_kind": "kind", "__id_kind_en": "kind_en"}),
    ]


def row_rules(columns: set[str], today: dt.date) -> list[RowRule]:
    """The row-level rules for a persons table with ``columns`` (canonical names present)."""
    rules: list[RowRule] = []
    for c in SPEC.required:
        rules.append(RowRule(f"__f_missing_{c.name}", R.VALUE_MISSING, c.name, blank(c.name)))
    rules += _id_rules(today)

    def bad(name: str) -> pl.Expr:
        return ~blank(name) & pl.col(t(name)).is_null()

    rules.append(RowRule("__f_status", R.ENUM_INVALID, "status", bad("status"), {"allowed": STATUS_ALLOWED}))
    if "poor_type" in columns:
        rules.append(RowRule("__f_poor_type", R.ENUM_INVALID, "poor_type", bad("poor_type"),
                             {"allowed": POOR_TYPE_ALLOWED}))
    if "housing_grade" in columns:
        rules.append(RowRule("__f_housing", R.ENUM_INVALID, "housing_grade", bad("housing_grade"),
                             {"allowed": HOUSING_ALLOWED}))
    if "exit_year" in columns:
        ey = pl.col(t("exit_year"))
        rules += [
            RowRule("__f_exit_year", R.NUMBER_INVALID, "exit_year", bad("exit_year"),
                    {"kind": "年份", "kind_en": "a year"}),
            RowRule("__f_exit_year_range", R.NUMBER_RANGE, "exit_year", ey < EARLIEST_EXIT_YEAR,
                    {"range": f"≥ {EARLIEST_EXIT_YEAR}"}),
            RowRule("__f_exit_year_future", R.YEAR_IN_FUTURE, "exit_year", ey > today.year,
                    {"today": today.isoformat()}),
        ]
    if "income_per_capita" in columns:
        rules += [
            RowRule("__f_income", R.NUMBER_INVALID, "income_per_capita", bad("income_per_capita"),
                    {"kind": "数字", "kind_en": "a number"}),
            RowRule("__f_income_negative", R.INCOME_NEGATIVE, "income_per_capita",
                    pl.col(t("income_per_capita")) < 0),
        ]
    for c in YESNO_COLUMNS:
        if c in columns:
            rules.append(RowRule(f"__f_{c}", R.YESNO_INVALID, c, bad(c)))
    return rules


def blank(name: str) -> pl.Expr:
    """An empty cell (null or "")."""
    return pl.col(name).is_null() | (pl.col(name) == "")


def wide_frame(
    raw_frame: pl.LazyFrame,
    villages: pl.DataFrame,
    *,
    today: dt.date,
    as_of: dt.date,
) -> pl.LazyFrame:
    """Raw text + typed columns + the helpers the rules use; ``villages`` holds PLACE + village_id
    (one row per place) and gives every person its ``village_id`` (null when the village is unknown)."""
    cols = set(raw_frame.collect_schema().names())
    # every spec column exists from here on (absent optional ones as null text)
    lf = raw_frame.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in SPEC.names if c not in cols])

    lf = parse.with_id_checks(lf, "id_number", today=today)
    idt, d17 = pl.col("__id_n"), pl.col("__id_d17")
    valid = pl.col("__id_problem").is_null()
    lf = lf.with_columns(
        idt.alias(t("id_number")),
        pl.when(valid).then(parse.id_birth_date(idt)).alias(t("birth_date")),
        pl.when(valid).then(parse.sex_from_digits(d17)).otherwise(parse.map_codes(pl.col("sex"), parse.SEX_ALIASES))
        .alias(t("sex")),
        pl.when(valid).then(parse.age_from_digits(d17, as_of)).alias(t("age")),
        parse.map_codes(pl.col("status"), contracts.STATUS_ALIASES).alias(t("status")),
        parse.map_codes(pl.col("poor_type"), contracts.POOR_TYPE_ALIASES).alias(t("poor_type")),
        parse.map_codes(pl.col("housing_grade"), contracts.HOUSING_ALIASES).alias(t("housing_grade")),
        parse.year(pl.col("exit_year")).alias(t("exit_year")),
        parse.number(pl.col("income_per_capita")).alias(t("income_per_capita")),
        *[parse.yesno(pl.col(c)).alias(t(c)) for c in YESNO_COLUMNS],
        parse.is_head(pl.col("relation")).alias(t("is_head")),
    )
    lf = lf.join(villages.lazy().select(*PLACE, pl.col("village_id").alias(t("village_id"))),
                 on=list(PLACE), how="left", maintain_order="left", nulls_equal=False)
    return lf


def final_exprs(extra_columns: list[str]) -> list[pl.Expr]:
    """The normalised persons table's columns (docs/data-layout.md) over the wide frame, extras
    passed through as text."""
    typed = {
        "village_id", "id_number", "is_head", "status", "exit_year", "poor_type", "income_per_capita",
        "housing_grade", "sex", "birth_date", "age", *YESNO_COLUMNS,
    }
    exprs = []
    for name in FINAL_COLUMNS:
        if name == "source_row":
            exprs.append(pl.col(ROW).cast(pl.Int64).alias("source_row"))
        elif name in typed:
            exprs.append(pl.col(t(name)).alias(name))
        else:
            exprs.append(pl.col(name).alias(name))
    return exprs + [pl.col(x).cast(pl.String).alias(out) for x, out in extra_names(extra_columns).items()]


def extra_names(extra_columns: list[str]) -> dict[str, str]:
    """Input column -> output name of the non-contract columns (``extra_`` before a clashing name)."""
    taken = set(FINAL_COLUMNS)
    out: dict[str, str] = {}
    for x in extra_columns:
        name = x if x not in taken else f"extra_{x}"
        taken.add(name)
        out[x] = name
    return out


def final_frame(wide: pl.LazyFrame, extra_columns: list[str]) -> pl.LazyFrame:
    """The normalised persons table (docs/data-layout.md), extras passed through as text."""
    return wide.select(final_exprs(extra_columns))


def checked_frame(wide: pl.LazyFrame, rules: list[RowRule], extra_columns: list[str]) -> pl.LazyFrame:
    """The normalised persons table plus, per row, one flag per rule and the raw text of the
    checked columns: the one node that every output of the persons pass (:func:`persons_table`,
    :func:`problem_rows`, the household statistics and head rows) projects, so that Polars scans
    and types the input once for all of them."""
    checked = sorted({r.column for r in rules})
    return wide.select(
        *final_exprs(extra_columns),
        *[r.condition.fill_null(False).alias(r.flag) for r in rules],
        *[pl.col(c).alias(raw(c)) for c in checked],
    )


def persons_table(checked: pl.LazyFrame, extra_columns: list[str]) -> pl.LazyFrame:
    return checked.select(*FINAL_COLUMNS, *extra_names(extra_columns).values())


_OTHER_KIND = (
    pl.when(pl.col("id_number").str.contains(r"^[0-9]{15}$")).then(pl.lit("15 位旧身份证号"))
    .otherwise(pl.lit("其他证件"))
)
_OTHER_KIND_EN = (
    pl.when(pl.col("id_number").str.contains(r"^[0-9]{15}$")).then(pl.lit("old 15-digit ID"))
    .otherwise(pl.lit("another document"))
)


def problem_rows(checked: pl.LazyFrame, rules: list[RowRule], today: dt.date) -> pl.LazyFrame:
    """Only the rows that break a rule: ``_row``, one flag per rule, the raw text of the checked
    columns and the values the messages quote."""
    checked_columns = sorted({r.column for r in rules})
    idt = pl.col("id_number")
    born_text = idt.str.slice(6, 8)
    birth = parse.id_birth_date(idt)
    out = checked.filter(pl.any_horizontal([pl.col(r.flag) for r in rules]))
    return out.select(
        pl.col("source_row").alias(ROW),
        *[pl.col(r.flag) for r in rules],
        *[pl.col(raw(c)) for c in checked_columns],
        idt.alias("__id_normalised"),
        parse.id_expected_check(idt).alias("__id_expected"),
        idt.str.slice(0, 2).alias("__id_region"),
        born_text.alias("__id_birth_text"),
        pl.when(birth.is_null()).then(pl.lit("（不是有效日期）"))
        .when(birth > pl.lit(today)).then(pl.lit("（晚于今天）"))
        .otherwise(pl.lit("（早于 1880 年）")).alias("__id_birth_reason"),
        pl.when(birth.is_null()).then(pl.lit(" (not a date)"))
        .when(birth > pl.lit(today)).then(pl.lit(" (after today)"))
        .otherwise(pl.lit(" (before 1880)")).alias("__id_birth_reason_en"),
        _OTHER_KIND.alias("__id_kind"),
        _OTHER_KIND_EN.alias("__id_kind_en"),
    )
