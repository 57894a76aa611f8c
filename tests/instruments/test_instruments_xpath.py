"""The XPath subset compiled to Polars behaves like ODK evaluates relevant/constraint/calculation."""

from __future__ import annotations

import polars as pl
import pytest

from povexit.instruments.definitions.household import INCOME_FORMULA
from povexit.instruments.xpath import Unsupported, compile_bool, compile_expr, references

KINDS = {"a": "yn", "n": "int", "x": "dec", "t": "sm", "s": "text", "persons": "int"}
DF = pl.DataFrame({
    "a": ["yes", "no", None, "yes"],
    "n": ["5", "", None, "-1"],
    "x": ["2.5", "0", "7", None],
    "t": ["dibao normal", "normal", None, ""],
    "s": ["E01", "", None, "abc"],
    "persons": ["3", "2", "1", "4"],
})


@pytest.mark.parametrize(("expr", "self_name", "expected"), [
    ("${a} = 'yes'", None, [True, False, False, True]),
    ("${a} != 'yes'", None, [False, True, True, False]),
    # an empty number is NaN: every comparison with it is false
    ("${n} > 0", None, [True, False, False, False]),
    ("${n} <= 0", None, [False, False, False, True]),
    (". >= 0 and . <= 120", "n", [True, False, False, False]),
    (". <= ${persons}", "n", [False, False, False, True]),
    ("not(selected(${t}, 'normal') and count-selected(${t}) > 1)", None, [False, True, True, True]),
    ("selected(${t}, 'dibao')", None, [True, False, False, False]),
    ("count-selected(${t}) = 0", None, [False, False, True, True]),
    ("regex(${s}, '^[A-Z][0-9]{2}$')", None, [True, False, False, False]),
    ("string-length(${s}) > 2", None, [True, False, False, True]),
    ("${a} = 'yes' or ${x} > 5", None, [True, False, True, True]),
    ("${x} = 0", None, [False, True, False, False]),
    ("${s} = ''", None, [False, True, True, False]),
    ("true() and not(false())", None, [True] * 4),
])
def test_boolean_semantics(expr: str, self_name: str | None, expected: list[bool]) -> None:
    got = DF.with_columns(compile_bool(expr, KINDS, self_name).alias("r"))["r"].to_list()
    assert got == expected


def test_arithmetic_round_half_away_from_zero_and_if() -> None:
    row = DF.select(
        compile_expr("round(2.5)", KINDS).num().alias("a"),
        compile_expr("round(-2.5)", KINDS).num().alias("b"),
        compile_expr("round(10 div 3, 2)", KINDS).num().alias("c"),
        compile_expr("7 mod 3", KINDS).num().alias("d"),
        compile_expr("-(${persons}) * 2", KINDS).num().alias("e"),
    ).row(0)
    assert row == (3.0, -3.0, 3.33, 1.0, -6.0)
    got = DF.select(compile_expr("if(${a} = 'yes', ${s}, 'none')", KINDS).str().alias("r"))["r"].to_list()
    assert got == ["E01", "none", "none", "abc"]
    got = DF.select(compile_expr("concat(${s}, ';', ${n})", KINDS).str().alias("r"))["r"].to_list()
    assert got == ["E01;5", ";", ";", "abc;-1"]
    got = DF.select(compile_expr("coalesce(${s}, 'x')", KINDS).str().alias("r"))["r"].to_list()
    assert got == ["E01", "x", "x", "abc"]


def test_income_formula_is_the_documented_one() -> None:
    kinds = {k: "dec" for k in ("income_wage", "income_business", "income_property", "income_transfer",
                                "production_cost", "income_windfall")} | {"persons_sharing": "int"}
    df = pl.DataFrame({"income_wage": ["10000"], "income_business": ["3000"], "income_property": ["500"],
                       "income_transfer": ["1500"], "production_cost": ["1000"], "income_windfall": ["2000"],
                       "persons_sharing": ["3"]})
    got = df.select(compile_expr(INCOME_FORMULA, kinds).num()).item()
    assert got == pytest.approx(round((10000 + 3000 + 500 + 1500 - 1000 - 2000) / 3, 2))
    assert references(INCOME_FORMULA) == set(kinds)


@pytest.mark.parametrize("expr", [
    "instance('households')/root/item[name = ${a}]/group",
    "position(..)",
    "today()",
    "${unknown} = 1",
    "${a} = ",
])
def test_unsupported_expressions_are_reported(expr: str) -> None:
    with pytest.raises(Unsupported):
        compile_expr(expr, KINDS)
