"""Vectorised ID numbers agree with :mod:`povexit.idnumber` (GB 11643) for any region, date, sequence."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from povexit import idnumber
from povexit.synth.places import PROVINCES
from povexit.synth.strings import birth_dates, check_chars, id_first17, id_sequences, id_strings


@settings(max_examples=200, deadline=None)
@given(
    region=st.builds(
        lambda p, rest: int(p.code) * 10_000 + rest, st.sampled_from(PROVINCES), st.integers(0, 9999)
    ),
    born=st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)),
    seq=st.integers(0, 499),
    male=st.booleans(),
)
def test_vectorised_ids_equal_idnumber_make(region, born, seq, male):
    first17 = id_first17(
        np.array([region]), np.array([np.datetime64(born, "D")]), np.array([seq]), np.array([male])
    )
    got = id_strings(first17)[0]
    assert got == idnumber.make(str(region), born, seq, male)
    chk = idnumber.validate(got, today=dt.date(2021, 1, 1))
    assert chk.ok and chk.birth_date == born and chk.sex == ("M" if male else "F")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(10**16, 10**17 - 1), min_size=1, max_size=20))
def test_check_chars_equal_reference(nums):
    got = check_chars(np.array(nums, dtype=np.int64))
    assert list(got) == [idnumber.check_digit(str(n)) for n in nums]


def test_sequences_unique_within_birth_date_and_sex():
    rng = np.random.default_rng(3)
    n = 50_000
    age = rng.integers(0, 3, n)  # crowd few birth years: many persons share a date
    births = birth_dates(rng, age, 2020)
    male = rng.random(n) < 0.5
    region = np.full(n, 532621)
    seq = id_sequences(rng, region, births.astype(np.int64), male)
    ids = id_strings(id_first17(region, births, seq, male))
    assert len(set(ids.tolist())) == n
    # ages on 31 December are exact
    assert all(
        idnumber.age_on(s, dt.date(2020, 12, 31)) == a for s, a in zip(ids[:2000], age[:2000], strict=True)
    )
