"""The audit hash chain: any alteration, deletion, insertion or reordering is detected."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from povexit.verify.audit import GENESIS, canonical_time, next_entry, verify_chain

T0 = datetime(2019, 2, 14, 9, 0, tzinfo=UTC)


def chain(n: int):
    out, prev = [], None
    for i in range(n):
        prev = next_entry(
            prev,
            at=T0 + timedelta(minutes=i),
            actor=f"u{i % 3}",
            role="checker",
            action="initial_check",
            subject=f"case:C{i}",
            data={"comment": f"意见{i}", "attachments": [{"sha256": "a" * 64, "size": i}]},
        )
        out.append(prev)
    return out


def codes(report):
    return [d.code for d in report.problems]


def test_intact_chain_verifies_and_links_to_genesis():
    entries = chain(5)
    assert entries[0].prev_hash == GENESIS and entries[0].seq == 1
    rep = verify_chain(entries)
    assert rep.ok and rep.checked == 5 and rep.head == entries[-1].hash


def test_empty_log_is_valid():
    assert verify_chain([]).ok


def test_altered_comment_is_detected_at_that_entry():
    entries = chain(5)
    entries[2] = replace(entries[2], data={**entries[2].data, "comment": "改过"})
    rep = verify_chain(entries)
    assert codes(rep) == ["PVX-V20"] and rep.problems[0].row == 3


def test_rehashed_alteration_breaks_the_next_link():
    entries = chain(5)
    forged = replace(entries[2], actor="someone-else")
    forged = replace(forged, hash=forged.computed_hash())
    entries[2] = forged
    rep = verify_chain(entries)
    assert codes(rep) == ["PVX-V21"] and rep.problems[0].row == 4


def test_deleted_and_reordered_entries_are_detected():
    entries = chain(6)
    assert "PVX-V22" in codes(verify_chain(entries[:2] + entries[3:]))
    swapped = entries[:]
    swapped[1], swapped[2] = swapped[2], swapped[1]
    assert not verify_chain(swapped).ok


def test_timestamps_must_be_aware():
    with pytest.raises(ValueError):
        canonical_time(datetime(2019, 1, 1))


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 12), st.data())
def test_any_single_field_change_is_caught(n, data):
    entries = chain(n)
    i = data.draw(st.integers(0, n - 1))
    fld = data.draw(st.sampled_from(["actor", "role", "action", "subject", "at", "seq"]))
    e = entries[i]
    if fld == "seq":
        new = e.seq + 100
    elif fld == "at":
        new = canonical_time(T0 - timedelta(days=1))
    else:
        new = getattr(e, fld) + "x"
    entries[i] = replace(e, **{fld: new})
    assert not verify_chain(entries).ok
