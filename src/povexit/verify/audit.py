"""Append-only audit log as a hash chain.

Each entry's hash is SHA-256 over the canonical JSON of its fields *and the previous entry's hash*,
so altering, deleting, inserting or reordering any entry breaks every hash after it.
:func:`verify_chain` walks the entries and reports the first breaks (PVX-V20…22). Pure: the server
stores the entries (``server.models.AuditEntry``) and ``povexit verify audit`` reads them back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..errors import Diagnostic
from ..errors import verify as EV

GENESIS = "0" * 64


def canonical_time(at: datetime) -> str:
    """UTC, microseconds, fixed width: the form the hash is taken over (DB round trips keep it as text)."""
    if at.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(
    seq: int,
    at: str,
    actor: str,
    role: str,
    action: str,
    subject: str,
    data: Mapping[str, Any],
    prev_hash: str,
) -> str:
    body = canonical_json(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "role": role,
            "action": action,
            "subject": subject,
            "data": data,
            "prev": prev_hash,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str  # canonical_time()
    actor: str
    role: str
    action: str
    subject: str  # "case:<id>", "user:<name>", "assessment:<name>", "batch:<county>/<n>"
    data: Mapping[str, Any]
    prev_hash: str
    hash: str

    def computed_hash(self) -> str:
        return entry_hash(
            self.seq, self.at, self.actor, self.role, self.action, self.subject, self.data, self.prev_hash
        )


def next_entry(
    prev: AuditEntry | None,
    *,
    at: datetime,
    actor: str,
    role: str,
    action: str,
    subject: str,
    data: Mapping[str, Any],
) -> AuditEntry:
    """The entry that follows ``prev`` (``None``: the first entry of the log)."""
    return make_entry(
        0 if prev is None else prev.seq,
        GENESIS if prev is None else prev.hash,
        at=at,
        actor=actor,
        role=role,
        action=action,
        subject=subject,
        data=data,
    )


def make_entry(
    prev_seq: int,
    prev_hash: str,
    *,
    at: datetime,
    actor: str,
    role: str,
    action: str,
    subject: str,
    data: Mapping[str, Any],
) -> AuditEntry:
    """The entry after the one numbered ``prev_seq`` with hash ``prev_hash`` (0 and GENESIS: the first)."""
    seq = prev_seq + 1
    at_s = canonical_time(at)
    data = json.loads(canonical_json(dict(data)))  # exactly what a JSON column gives back
    return AuditEntry(
        seq,
        at_s,
        actor,
        role,
        action,
        subject,
        data,
        prev_hash,
        entry_hash(seq, at_s, actor, role, action, subject, data, prev_hash),
    )


@dataclass
class ChainReport:
    checked: int = 0
    head: str = GENESIS
    problems: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(entries: Iterable[AuditEntry], *, limit: int = 20) -> ChainReport:
    """Check every hash and link, in ``seq`` order as given. Stops collecting after ``limit`` problems."""
    report = ChainReport()
    prev: AuditEntry | None = None
    for e in entries:
        report.checked += 1
        expected_seq = 1 if prev is None else prev.seq + 1
        if e.seq != expected_seq:
            report.problems.append(
                EV.AUDIT_SEQUENCE(row=0 if prev is None else prev.seq, expected=expected_seq, value=e.seq)
            )
        expected_prev = GENESIS if prev is None else prev.hash
        if e.prev_hash != expected_prev:
            report.problems.append(EV.AUDIT_BROKEN_LINK(row=e.seq))
        if e.computed_hash() != e.hash:
            report.problems.append(EV.AUDIT_HASH_MISMATCH(row=e.seq))
        prev = e
        if len(report.problems) >= limit:
            break
    report.head = prev.hash if prev is not None else GENESIS
    return report
