"""The questionnaire answers the rules read (names from docs/fields.md) and their types.

Ingest writes typed Parquet; a plain contract ``responses.csv`` arrives as text. :func:`coerce` brings
either to these types — yes/no to booleans with :func:`povexit.contracts.parse_yesno`, numbers to
floats/ints — and reports every value it could not read (it becomes missing, so the rules that need
it say "cannot judge" rather than pass).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from .. import errors as E
from ..contracts import HOUSING_ALIASES, parse_yesno
from ..errors import rules as R

YN = pl.Boolean
INT = pl.Int64
DEC = pl.Float64
TEXT = pl.String

HOUSEHOLD_FIELDS: dict[str, pl.DataType] = {
    # meta
    "instance_id": TEXT, "household_id": TEXT, "instrument": TEXT, "county": TEXT, "township": TEXT,
    "village": TEXT, "village_id": TEXT, "group": TEXT, "ended_at": TEXT, "interview_result": TEXT,
    "household_status": TEXT,
    # shared household items
    "persons": INT, "persons_sharing": INT, "household_type": TEXT,
    "children_support_capable": YN, "children_support_provided": YN,
    "income_wage": DEC, "income_business": DEC, "income_property": DEC, "income_transfer": DEC,
    "production_cost": DEC, "income_windfall": DEC, "income_net_per_capita": DEC, "income_stable": YN,
    "income_unstable_reason": TEXT,
    "food_staple_enough": YN, "food_vegetable_enough": YN, "food_protein_enough": YN,
    "clothing_seasonal": YN, "clothing_change": YN,
    "water_quality_ok": YN, "water_litres_per_person_day": DEC, "water_fetch_minutes": DEC,
    "water_horizontal_m": DEC, "water_vertical_m": DEC, "water_reliability_pct": DEC,
    "water_days_without": DEC, "water_scarce_area": YN,
    "has_compulsory_child": YN, "dropout": YN, "dropout_count": INT, "dropout_reason": TEXT,
    "home_schooling": YN, "persuaded_back": YN,
    "all_basic_insured": YN, "all_critical_insured": YN, "premium_subsidy": YN,
    "serious_illness_present": YN, "medical_expense_excessive": YN, "medical_basic_life_secured": YN,
    "medical_policy_gap": YN, "chronic_patient_present": YN, "chronic_contracted": YN, "hospitalised": YN,
    "hospital_one_stop": YN,
    "housing_grade": TEXT, "housing_safe": YN, "relocated": YN, "relocated_moved_in": YN,
    "renovated": YN, "renovation_finished": YN, "renovation_occupied": YN, "housing_substitute": TEXT,
    "approves": YN, "disapproval_reason": TEXT,
    "missed_judgement": YN, "missed_persons": INT, "missed_reason": TEXT,
    # registered only
    "approve_policy": YN, "approve_help": YN, "approve_results": YN, "approve_exit": YN, "approve_cadres": YN,
    "exit_known": YN, "exit_acknowledged": YN, "exit_sustained": YN,
    "industry_eligible": YN, "industry_project_running": YN, "employment_unemployed_able": YN,
    "employment_support": TEXT, "finance_loan_status": TEXT, "dibao_missing": YN, "pension_paid": YN,
    "tekun_missing": YN, "temp_relief_missing": YN, "disability_cert_missing": YN,
    "village_team_weakened": YN,
}

MEMBER_FIELDS: dict[str, pl.DataType] = {
    "instance_id": TEXT, "member_no": INT, "member_id_number": TEXT, "member_age": INT,
    "member_schooling": TEXT, "member_health": TEXT, "member_disability_grade": TEXT,
    "member_basic_insurance": YN, "member_critical_insurance": YN,
}

_KIND = {YN: ("是/否", "yes/no"), INT: ("整数", "integer"), DEC: ("数字", "number"), TEXT: ("文字", "text")}
_HOUSING = HOUSING_ALIASES | {"unassessed": "unassessed", "未鉴定": "unassessed", "未评定": "unassessed"}
_MAX_WARNINGS_PER_FIELD = 20


def coerce(df: pl.DataFrame, types: dict[str, pl.DataType], *, file: str,
           row_col: str | None = None) -> tuple[pl.DataFrame, list[E.Diagnostic]]:
    """Cast the known columns of ``df`` to their types, add absent ones as nulls, report bad values."""
    diags: list[E.Diagnostic] = []
    exprs = []
    for name, dtype in types.items():
        if name not in df.columns:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
            continue
        col = df[name]
        if col.dtype == dtype:
            continue
        if dtype == YN:
            mapping, bad = _yesno_mapping(col)
            exprs.append(pl.col(name).cast(pl.String).replace_strict(mapping, default=None, return_dtype=YN)
                         .alias(name))
        elif dtype in (INT, DEC):
            if col.dtype.is_numeric():
                exprs.append(pl.col(name).cast(dtype).alias(name))
                continue
            text = pl.col(name).cast(pl.String).str.strip_chars()
            num = text.cast(pl.Float64, strict=False)
            exprs.append((num.round(0).cast(INT) if dtype == INT else num).alias(name))
            bad_mask = df.select((text.is_not_null() & (text != "") & num.is_null()).alias("b"))["b"]
            bad = df.filter(bad_mask)[name].cast(pl.String).unique().to_list()
        else:
            exprs.append(pl.col(name).cast(pl.String).alias(name))
            bad = []
        if bad:
            diags.extend(_bad_value_diags(df, name, bad, dtype, file, row_col))
    out = df.with_columns(exprs) if exprs else df
    # NaN is not an answer: a float column from pandas/numpy may carry it for "empty"
    out = out.with_columns(pl.col(n).fill_nan(None) for n, t in types.items() if t == DEC)
    if "housing_grade" in types and "housing_grade" in out.columns:
        out = out.with_columns(pl.col("housing_grade").str.strip_chars()
                               .replace_strict(_HOUSING, default=pl.col("housing_grade")).alias("housing_grade"))
    return out, diags


def _yesno_mapping(col: pl.Series) -> tuple[dict[str, bool | None], list[str]]:
    mapping: dict[str, bool | None] = {}
    bad: list[str] = []
    for v in col.cast(pl.String).unique().to_list():
        if v is None:
            continue
        try:
            mapping[v] = parse_yesno(v)
        except ValueError:
            mapping[v] = None
            bad.append(v)
    return mapping, bad


def _bad_value_diags(df: pl.DataFrame, name: str, bad: Iterable[str], dtype: pl.DataType, file: str,
                     row_col: str | None) -> list[E.Diagnostic]:
    kind_zh, kind_en = _KIND[dtype]
    bad = set(bad)
    rows = df.with_row_index("_i", offset=1).filter(pl.col(name).cast(pl.String).is_in(list(bad)))
    out = []
    for r in rows.head(_MAX_WARNINGS_PER_FIELD).iter_rows(named=True):
        row = r.get(row_col) if row_col else r["_i"]
        out.append(R.RESPONSES_BAD_VALUE(file=file, row=row, column=name, value=r[name], kind=kind_zh,
                                         kind_en=kind_en))
    return out
