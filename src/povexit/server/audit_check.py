"""Check the stored audit log: the hash chain (``verify.audit.verify_chain``), the chain head, and
every stored file (case evidence, procedure documents, problem-list workbooks) against the SHA-256
its audit entry recorded."""

from __future__ import annotations

from django.db.models import Q

from ..verify.audit import ChainReport, verify_chain
from . import storage
from .models import Attachment, AuditEntry, AuditHead, LedgerUpload, StageFile


def check_database(*, files: bool = True, limit: int = 20) -> ChainReport:
    from ..errors import server as ES
    from ..errors import verify as EV
    from .actions import as_chain_entry

    entries = (as_chain_entry(r) for r in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000))
    report = verify_chain(entries, limit=limit)
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and report.ok and (head.seq != report.checked or head.hash != report.head):
        # entries after the recorded head, or the last ones removed: the head no longer matches the log
        report.problems.append(EV.AUDIT_SEQUENCE(row=head.seq, expected=head.seq, value=report.checked))
    if files:
        recorded = {}
        for e in (
            AuditEntry.objects.filter(
                Q(subject__startswith="case:")
                | Q(subject__startswith="procedure:")
                | Q(subject__startswith="problems:")
            )
            .only("data", "seq")
            .iterator(chunk_size=2000)
        ):
            import json

            for a in json.loads(e.data).get("attachments") or []:
                recorded[a["sha256"]] = e.seq
        stored = set(Attachment.objects.values_list("sha256", flat=True))
        stored |= set(StageFile.objects.values_list("sha256", flat=True))
        stored |= set(LedgerUpload.objects.values_list("sha256", flat=True))
        for sha in sorted(stored | set(recorded)):
            if sha not in recorded or not storage.check(sha):
                report.problems.append(ES.ATTACHMENT_MISSING(value=sha[:16] + "…", row=recorded.get(sha)))
                if len(report.problems) >= limit:
                    break
    return report
