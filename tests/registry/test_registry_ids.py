"""ID numbers and village ids: the vectorised checks agree with ``idnumber`` on any input (Hypothesis),
check digits catch every single-digit typo, village ids are stable."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from povexit import contracts, idnumber
from povexit.registry import ids, parse

TODAY = dt.date(2020, 6, 30)
provinces = st.sampled_from(sorted(idnumber.PROVINCE_CODES))


@st.composite
def valid_ids(draw) -> str:
    region = draw(provinces) + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    born = draw(st.dates(dt.date(1900, 1, 1), TODAY))
    return idnumber.make(region, born, draw(st.integers(0, 999)), draw(st.booleans()))


near_ids = st.one_of(
    valid_ids(),
    valid_ids().map(lambda s: s[:17] + ("X" if s[17] != "X" else "0")),  # wrong check character
    valid_ids().map(lambda s: s[:-1]),  # a digit short
    valid_ids().map(lambda s: s.lower()),
    valid_ids().map(lambda s: " " + s[:9] + " " + s[9:]),
    valid_ids().map(lambda s: "'" + s),
    valid_ids().map(lambda s: s.translate(str.maketrans("0123456789", "０１２３４５６７８９"))),
    st.from_regex(r"[0-9]{18}", fullmatch=True),
    st.from_regex(r"[0-9X]{14,20}", fullmatch=True),
    st.from_regex(r"[0-9]\.[0-9]{1,14}E\+1[5-7]", fullmatch=True),
    st.text(max_size=20),
)


def vectorised(values: list[str | None]) -> list[str | None]:
    f = pl.DataFrame({"id": values}, schema={"id": pl.String}).lazy()
    return parse.with_id_checks(f, "id", today=TODAY).collect()["__id_problem"].to_list()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(near_ids, min_size=1, max_size=40))
def test_vectorised_checks_agree_with_idnumber(values):
    expected = [idnumber.classify(v, today=TODAY) for v in values]
    got = vectorised(values)
    # the scalar "missing" is null text in a frame: both mean an empty cell
    assert [None if e == "missing" else e for e in expected] == [None if g == "missing" else g for g in got]


@settings(deadline=None)  # Polars/DuckDB start-up under load is not the property
@given(valid_ids())
def test_valid_ids_validate(s):
    c = idnumber.validate(s, today=TODAY)
    assert c.ok and c.birth_date == dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    assert c.sex == ("M" if int(s[16]) % 2 else "F")


@settings(deadline=None)  # Polars/DuckDB start-up under load is not the property
@given(valid_ids(), st.integers(0, 16), st.integers(1, 9))
def test_check_digit_catches_any_single_digit_typo(s, pos, delta):
    typo = s[:pos] + str((int(s[pos]) + delta) % 10) + s[pos + 1 :]
    assert idnumber.check_digit(typo[:17]) != s[17]


@settings(deadline=None)  # Polars/DuckDB start-up under load is not the property
@given(valid_ids(), st.integers(0, 15))
def test_check_digit_catches_adjacent_swaps(s, pos):
    if s[pos] == s[pos + 1]:
        return
    swapped = s[:pos] + s[pos + 1] + s[pos] + s[pos + 2 :]
    assert idnumber.check_digit(swapped[:17]) != s[17]


def test_known_id():
    # the example of GB 11643-1999, annex
    assert idnumber.check_digit("11010519491231002") == "X"
    assert idnumber.classify("11010519491231002X", today=TODAY) is None
    assert idnumber.classify("11010519491231002x", today=TODAY) is None


def test_normalised_ids_and_derived_fields():
    v = idnumber.make("530128", dt.date(1990, 12, 31), 7, False)
    f = parse.with_id_checks(pl.DataFrame({"id": [v.replace("X", "x")]}).lazy(), "id", today=TODAY).with_columns(
        parse.sex_from_digits(pl.col("__id_d17")).alias("sex"),
        parse.age_from_digits(pl.col("__id_d17"), dt.date(2020, 12, 30)).alias("age"),
        parse.id_birth_date(pl.col("__id_n")).alias("born"),
    ).collect().row(0, named=True)
    assert (f["__id_n"], f["sex"], f["age"], f["born"]) == (v, "F", 29, dt.date(1990, 12, 31))


@settings(deadline=None)  # Polars/DuckDB start-up under load is not the property
@given(st.lists(st.text(min_size=1, max_size=6), min_size=5, max_size=5))
def test_village_id_vectorised_matches_scalar(place):
    frame = pl.DataFrame({c: [p] for c, p in zip(ids.PLACE, place, strict=True)})
    assert ids.village_ids(frame).item() == ids.village_id(*place)


def test_village_id_code_and_stability():
    assert ids.village_id("省", "市", "县", "镇", "村") == ids.village_id("省", "市", "县", "镇", "村")
    assert ids.village_id("省", "市", "县", "镇", "村") != ids.village_id("省", "市", "县", "镇", "村2")
    assert ids.village_id("省", "市", "县", "镇", "村", code="530128101201") == "530128101201"
    assert ids.village_id("省", "市", "县", "镇", "村", code="5301").startswith("V")
    assert len(ids.village_id("a", "b", "c", "d", "e")) == 12


@settings(deadline=None)  # Polars/DuckDB start-up under load is not the property
@given(st.sampled_from(sorted(contracts.YES | contracts.NO)), st.sampled_from([str.lower, str.upper, str.title]))
def test_yesno_vectorised_matches_scalar(value, case):
    v = case(value)
    got = pl.select(parse.yesno(pl.lit(v, dtype=pl.String))).item()
    assert got == contracts.parse_yesno(v)


@settings(deadline=None)  # Polars/DuckDB start-up under load is not the property
@given(st.integers(-10**9, 10**9), st.sampled_from(["{:d}", "{:,d}", "{:d}元", "{:d}.0"]))
def test_number_formats(n, fmt):
    text = fmt.format(n)
    assert pl.select(parse.number(pl.lit(text))).item() == n
    assert pl.select(parse.integer(pl.lit(text))).item() == n
