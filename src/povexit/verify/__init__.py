"""verify layer: the five-step verification (五核) state machine and the hash-chained audit log.

Pure: no I/O, no clock. The server (``povexit.server.actions``) stores cases and audit entries and
calls :func:`machine.apply` for every step; ``povexit verify audit`` checks the stored chain.
"""

from . import audit, machine, roles
from .audit import AuditEntry, ChainReport, next_entry, verify_chain
from .machine import (
    Action,
    Attachment,
    Case,
    DismissReason,
    State,
    Step,
    Transition,
    apply,
    available_actions,
)
from .roles import Role

__all__ = [
    "Action",
    "Attachment",
    "AuditEntry",
    "Case",
    "ChainReport",
    "DismissReason",
    "Role",
    "State",
    "Step",
    "Transition",
    "apply",
    "audit",
    "available_actions",
    "machine",
    "next_entry",
    "roles",
    "verify_chain",
]
