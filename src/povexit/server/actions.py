"""Every write of the team server, each in one transaction with its audit entry (Zulip's
``zerver/actions`` style). Views and CLI commands call these; nothing else writes.

``do_transition`` is the 五核 step: it locks the case row (``SELECT … FOR UPDATE`` on PostgreSQL; the
``BEGIN IMMEDIATE`` write lock on SQLite), applies the pure state machine, updates the row only if its
version is still the one the user saw (so of two checkers acting at once exactly one wins), appends
the hash-chained audit entry under the chain-head lock, and moves the evidence files into the store
only when all of that commits.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import errors as E
from ..errors import server as ES
from ..errors import verify as EV
from ..verify import audit, machine
from ..verify.machine import TERMINAL, Action, State
from ..verify.roles import Role
from . import access, ledger, procedure, storage
from . import followup_errors as EX
from .loader import WorkdirData, read_workdir
from .models import (
    Assessment,
    AuditEntry,
    AuditHead,
    Batch,
    Case,
    County,
    Household,
    LedgerUpload,
    Problem,
    ProcedureStep,
    Profile,
    Rejected,
    StageFile,
    Village,
)

SYSTEM = "system"


# ---- the audit chain ---------------------------------------------------------------------------


def append_audit(
    *,
    actor: str,
    role: str,
    action: str,
    subject: str,
    data: dict[str, Any],
    at: dt.datetime | None = None,
    county: str = "",
) -> AuditEntry:
    """Append one entry. Must run inside ``transaction.atomic()``: it locks the chain head."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("append_audit must run inside a transaction")
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # migration 0002 creates it; a database flushed by hand may not have it
        head = AuditHead.objects.create(pk=1, seq=0, hash=audit.GENESIS)
    entry = audit.make_entry(
        head.seq,
        head.hash,
        at=at or timezone.now(),
        actor=actor,
        role=role,
        action=action,
        subject=subject,
        data=data,
    )
    row = AuditEntry(
        seq=entry.seq,
        at=entry.at,
        at_time=dt.datetime.strptime(entry.at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC),
        actor=actor,
        role=role,
        action=action,
        subject=subject,
        county=county[:100],
        data=audit.canonical_json(entry.data),
        prev_hash=entry.prev_hash,
        hash=entry.hash,
    )
    row.save(force_insert=True)
    AuditHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return row


def as_chain_entry(row: AuditEntry) -> audit.AuditEntry:
    import json

    return audit.AuditEntry(
        row.seq,
        row.at,
        row.actor,
        row.role,
        row.action,
        row.subject,
        json.loads(row.data),
        row.prev_hash,
        row.hash,
    )


# ---- loading an assessment ----------------------------------------------------------------------


@dataclass
class LoadResult:
    assessment: str
    unchanged: bool = False
    counties: int = 0
    villages: int = 0
    households: int = 0
    cases_created: int = 0
    cases_updated: int = 0
    cases_kept: int = 0  # already in the workflow: never overwritten by a reload
    rejected: int = 0
    warnings: list[str] = field(default_factory=list)


def _aware(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(12))
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value


def _int(v) -> int | None:
    try:
        return None if v in (None, "") else int(float(v))
    except (TypeError, ValueError):
        return None


def _float(v) -> float | None:
    try:
        return None if v in (None, "") else float(v)
    except (TypeError, ValueError):
        return None


def do_load_assessment(
    workdir: str | Path, *, name: str | None = None, actor: str = SYSTEM, data: WorkdirData | None = None
) -> LoadResult:
    """Load (or reload) a work directory. Idempotent: the same files change nothing; changed files
    update the sample and add new cases, but never touch a case already in the workflow."""
    data = data or read_workdir(workdir)
    name = name or data.path.name
    now = timezone.now()
    res = LoadResult(name)
    with transaction.atomic():
        a = Assessment.objects.select_for_update().filter(name=name).first()
        if a is not None and a.source_hash == data.source_hash:
            res.unchanged = True
            return res
        if a is None:
            a = Assessment.objects.create(
                name=name,
                workdir=str(data.path),
                loaded_at=now,
                source_hash=data.source_hash,
                files=data.files,
            )
        else:
            Assessment.objects.filter(pk=a.pk).update(
                workdir=str(data.path), loaded_at=now, source_hash=data.source_hash, files=data.files
            )
        counties = _load_counties(a, data)
        res.counties = len(counties)
        villages = _load_villages(counties, data)
        res.villages = len(villages)
        households = _load_households(counties, villages, data)
        res.households = len(households)
        _load_cases(counties, households, data, now, res)
        res.rejected = _load_rejected(a, counties, data)
        append_audit(
            actor=actor,
            role=SYSTEM,
            action="load_assessment",
            subject=f"assessment:{name}",
            at=now,
            data={
                "workdir": str(data.path),
                "files": data.files,
                "counties": res.counties,
                "households": res.households,
                "cases_created": res.cases_created,
                "cases_updated": res.cases_updated,
                "cases_kept": res.cases_kept,
            },
        )
    return res


def _load_counties(a: Assessment, data: WorkdirData) -> dict[str, County]:
    names = sorted(set(data.villages["county"].drop_nulls().to_list()))
    meta: dict[str, dict] = {}
    if data.counties is not None:
        for r in data.counties.iter_rows(named=True):
            meta[str(r.get("county"))] = r
    out = {}
    for n in names:
        m = meta.get(n, {})
        est = data.estimates.get(n)
        threshold = _float(m.get("poverty_threshold"))
        if threshold is None and est:
            threshold = _float((est.get("thresholds") or {}).get("composite_incidence"))
        if threshold is None and m.get("region"):
            threshold = 0.03 if str(m.get("region")) in ("western", "西部") else 0.02
        c, _ = County.objects.update_or_create(
            assessment=a,
            name=n,
            defaults={
                "province": m.get("province") or "",
                "city": m.get("city") or "",
                "region": m.get("region") or "",
                "threshold": threshold,
                "provisional": est,
            },
        )
        out[n] = c
    return out


def _load_villages(counties: dict[str, County], data: WorkdirData) -> dict[tuple[int, str], Village]:
    df = data.villages
    has_batch = "batch" in df.columns
    existing = {(v.county_id, v.village_id): v for v in Village.objects.filter(county__in=counties.values())}
    new, upd = [], []
    batches: set[tuple[int, int]] = set()
    for r in df.iter_rows(named=True):
        c = counties.get(str(r.get("county")))
        if c is None:
            continue
        batch = _int(r.get("batch")) if has_batch else 1
        batch = batch or 1
        batches.add((c.pk, batch))
        vals = {
            "township": r.get("township") or "",
            "name": r.get("village") or "",
            "stratum": r.get("stratum") or "",
            "reason": r.get("reason") or "",
            "batch": batch,
        }
        v = existing.get((c.pk, r["village_id"]))
        if v is None:
            v = Village(county=c, village_id=r["village_id"], **vals)
            new.append(v)
            existing[(c.pk, r["village_id"])] = v
        else:
            for k, val in vals.items():
                setattr(v, k, val)
            upd.append(v)
    Village.objects.bulk_create(new, batch_size=2000)
    if upd:
        Village.objects.bulk_update(upd, ["township", "name", "stratum", "reason", "batch"], batch_size=2000)
    have = set(Batch.objects.filter(county__in=counties.values()).values_list("county_id", "number"))
    Batch.objects.bulk_create([Batch(county_id=cid, number=n) for cid, n in sorted(batches - have)])
    return existing


def _load_households(counties, villages, data: WorkdirData) -> dict[str, Household]:
    hh = data.households.with_columns(pl.lit(True).alias("_in_sample"))
    extra = data.field_households()
    if extra.height:
        hh = pl.concat([hh, extra.with_columns(pl.lit(False).alias("_in_sample"))], how="diagonal_relaxed")
    if data.heads is not None and data.heads.height:
        hh = hh.join(data.heads, on="household_id", how="left")
    if data.responses is not None and data.responses.height:
        resp = data.responses.sort("started_at" if "started_at" in data.responses.columns else "household_id")
        resp = resp.unique("household_id", keep="first")
        drop = [c for c in ("village_id", "group", "instrument") if c in resp.columns]
        hh = hh.join(resp.drop(drop), on="household_id", how="left")
    village_county = {v.village_id: v for v in villages.values()}
    existing = {h.household_id: h for h in Household.objects.filter(county__in=counties.values())}
    fields = [
        "village",
        "instrument",
        "group",
        "persons",
        "reserve",
        "in_sample",
        "head_name",
        "head_id_number",
        "status",
        "interviewed_at",
        "team",
        "instance_id",
    ]
    new, upd = [], []
    for r in hh.iter_rows(named=True):
        v = village_county.get(r["village_id"])
        if v is None:
            continue
        vals = {
            "village": v,
            "instrument": r.get("instrument") or "",
            "group": r.get("group") or "",
            "persons": _int(r.get("persons")),
            "reserve": bool(r.get("reserve_rank")),
            "in_sample": bool(r.get("_in_sample")),
            "head_name": r.get("head_name") or "",
            "head_id_number": r.get("head_id_number") or "",
            "status": r.get("status") or "",
            "interviewed_at": _aware(r.get("started_at")),
            "team": r.get("enumerators") or "",
            "instance_id": r.get("instance_id") or "",
        }
        h = existing.get(r["household_id"])
        if h is None:
            h = Household(county_id=v.county_id, household_id=r["household_id"], **vals)
            new.append(h)
            existing[h.household_id] = h
        else:
            for k, val in vals.items():
                setattr(h, k, val)
            upd.append(h)
    Household.objects.bulk_create(new, batch_size=2000)
    if upd:
        Household.objects.bulk_update(upd, fields, batch_size=2000)
    return existing


def _load_cases(counties, households: dict[str, Household], data: WorkdirData, now, res: LoadResult) -> None:
    problems: dict[str, tuple[str, int | None]] = {}
    if data.findings is not None:
        cols = data.findings.columns
        for r in data.findings.iter_rows(named=True):
            problems[r["household_id"]] = (
                r.get("problems_zh") or "" if "problems_zh" in cols else "",
                _int(r.get("persons")),
            )
    existing = {(c.county_id, c.case_id): c for c in Case.objects.filter(county__in=counties.values())}
    new, upd = [], []
    for r in data.cases.iter_rows(named=True):
        h = households.get(r["household_id"])
        if h is None:
            raise E.PovexitError(
                ES.UNKNOWN_HOUSEHOLD(file="findings/cases.csv", row=r.get("_row"), value=r["household_id"])
            )
        text, persons = problems.get(r["household_id"], ("", None))
        outcome = (r.get("outcome") or "pending").strip()
        state = {"confirmed": State.CONFIRMED, "dismissed": State.DISMISSED}.get(outcome, State.SUSPECTED)
        vals = {
            "household": h,
            "household_code": r["household_id"],
            "kind": r.get("kind") or "",
            "rules": r.get("rules") or "",
            "evidence": r.get("evidence") or "",
            "problems": text,
            "persons": persons if persons is not None else h.persons,
            "found_on": timezone.localtime(h.interviewed_at).date() if h.interviewed_at else None,
            "team": h.team,
        }
        c = existing.get((h.county_id, r["case_id"]))
        if c is None:
            new.append(
                Case(
                    county_id=h.county_id,
                    case_id=r["case_id"],
                    state=state,
                    created_at=now,
                    updated_at=now,
                    updated_by=SYSTEM,
                    **vals,
                )
            )
        elif c.version == 0 and c.state == State.SUSPECTED:
            for k, val in vals.items():
                setattr(c, k, val)
            upd.append(c)
        else:
            res.cases_kept += 1
    Case.objects.bulk_create(new, batch_size=2000)
    if upd:
        Case.objects.bulk_update(
            upd,
            ["household", "kind", "rules", "evidence", "problems", "persons", "found_on", "team"],
            batch_size=2000,
        )
    res.cases_created, res.cases_updated = len(new), len(upd)


def _load_rejected(a: Assessment, counties, data: WorkdirData) -> int:
    Rejected.objects.filter(assessment=a).delete()
    if data.rejected is None:
        return 0
    by_pk = {c.pk: c for c in counties.values()}
    hh_county = dict(
        Household.objects.filter(county__in=counties.values()).values_list("household_id", "county_id")
    )
    rows = []
    for r in data.rejected.iter_rows(named=True):
        c = counties.get(str(r.get("county"))) if r.get("county") else None
        if c is None and r.get("household_id") in hh_county:  # place the row by its household
            c = by_pk[hh_county[r["household_id"]]]
        rows.append(
            Rejected(
                assessment=a,
                county=c,
                file=(r.get("file") or "")[:300],
                row=_int(r.get("row")),
                field=(r.get("field") or "")[:100],
                value=(r.get("value") or "")[:300],
                code=(r.get("code") or "")[:30],
                message=r.get("message") or "",
            )
        )
    Rejected.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


# ---- users ---------------------------------------------------------------------------------------


def do_create_user(
    username: str,
    password: str,
    role: Role | str,
    *,
    counties: Iterable[str | County] = (),
    all_counties: bool = False,
    display_name: str = "",
    actor: str = SYSTEM,
):
    try:
        role = Role(role)
    except ValueError:
        raise E.PovexitError(ES.BAD_ROLE(value=role, allowed=", ".join(r.value for r in Role))) from None
    User = get_user_model()
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise E.PovexitError(ES.USER_EXISTS(value=username))
        county_objs = []
        for n in counties:
            if isinstance(n, County):
                county_objs.append(n)
                continue
            found = list(County.objects.filter(name=n))
            if not found:
                raise E.PovexitError(ES.UNKNOWN_COUNTY(value=n))
            county_objs.extend(found)
        user = User.objects.create_user(username=username, password=password)
        p = Profile.objects.create(user=user, role=role, all_counties=all_counties, display_name=display_name)
        p.counties.set(county_objs)
        append_audit(
            actor=actor,
            role=SYSTEM if actor == SYSTEM else _role_of(actor),
            action="create_user",
            subject=f"user:{username}",
            data={
                "role": role.value,
                "all_counties": all_counties,
                "counties": sorted({c.name for c in county_objs}),
            },
        )
    return user


def _role_of(username: str) -> str:
    p = Profile.objects.filter(user__username=username).first()
    return p.role if p else SYSTEM


# ---- sample batches ------------------------------------------------------------------------------


def do_release_batch(user, county: County, number: int) -> Batch:
    v = access.access_release_batch(user, county)
    with transaction.atomic():
        b = Batch.objects.select_for_update().filter(county=county, number=number).first()
        if b is None:
            raise E.PovexitError(ES.BATCH_UNKNOWN(value=county.name, row=number))
        if b.released_at is None:
            b.released_at, b.released_by = timezone.now(), v.username
            b.save(update_fields=["released_at", "released_by"])
            append_audit(
                actor=v.username,
                role=v.role,
                action="release_batch",
                county=county.name,
                subject=f"batch:{county.name}/{number}",
                data={
                    "county": county.name,
                    "batch": number,
                    "villages": Village.objects.filter(county=county, batch=number).count(),
                },
            )
    return b


# ---- the 五核 step --------------------------------------------------------------------------------


def _as_machine(c: Case) -> machine.Case:
    return machine.Case(
        case_id=c.case_id,
        kind=c.kind,
        state=State(c.state),
        version=c.version,
        deadline=c.deadline,
        disputed=c.disputed,
        department_opinion=c.department_opinion or None,
        evidence_count=c.evidence_count,
        dismiss_reason=machine.DismissReason(c.dismiss_reason) if c.dismiss_reason else None,
    )


def do_transition(
    user,
    case_pk: int,
    action: str,
    *,
    version: int | None,
    decision: str = "",
    comment: str = "",
    files: Sequence[Any] = (),
    staged: Sequence[storage.Staged] = (),
    deadline: dt.datetime | None = None,
    reason: str | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """One verification step on one case. ``files``: Django ``UploadedFile``s (staged here);
    ``staged``: files already staged by the caller. Nothing is kept if anything fails."""
    with storage.staging(files, staged) as staged, transaction.atomic():
        return _transition_locked(
            user,
            case_pk,
            action,
            version=version,
            decision=decision,
            comment=comment,
            staged=staged,
            deadline=deadline,
            reason=reason,
            now=now,
        )


def _transition_locked(
    user, case_pk, action, *, version, decision, comment, staged, deadline, reason, now
) -> Case:
    c = access.access_case(user, case_pk, for_update=True)
    v = access.access_action(user, c, action)
    now = now or timezone.now()
    step = machine.apply(
        _as_machine(c),
        action,
        actor=v.username,
        role=v.role,
        now=now,
        decision=decision,
        comment=comment,
        attachments=[machine.Attachment(s.name, s.sha256, s.size) for s in staged],
        deadline=deadline,
        reason=reason,
        expected_version=version,
    )
    n = step.case
    updated = Case.objects.filter(pk=c.pk, version=c.version).update(
        state=n.state.value,
        version=n.version,
        deadline=n.deadline,
        disputed=n.disputed,
        department_opinion=n.department_opinion or "",
        evidence_count=n.evidence_count,
        dismiss_reason=n.dismiss_reason.value if n.dismiss_reason else "",
        updated_at=now,
        updated_by=v.username,
    )
    if updated != 1:  # only without row locks (SQLite runs writers one at a time, so this is a backstop)
        current = Case.objects.filter(pk=c.pk).values_list("version", flat=True).first()
        raise E.PovexitError(EV.STALE_CASE(case=c.case_id, value=c.version, current=current))
    t = step.transition
    entry = append_audit(
        actor=v.username,
        role=v.role.value,
        action=t.action.value,
        subject=f"case:{c.pk}",
        data=t.to_dict() | {"county": c.county.name, "household_id": c.household_code},
        at=now,
        county=c.county.name,
    )
    from .models import Attachment

    Attachment.objects.bulk_create(
        [
            Attachment(
                case=c,
                sha256=s.sha256,
                name=s.name,
                size=s.size,
                content_type=s.content_type,
                uploaded_by=v.username,
                uploaded_at=now,
                audit_seq=entry.seq,
                step=t.action.value,
            )
            for s in staged
        ]
    )
    if n.state in TERMINAL:
        County.objects.filter(pk=c.county_id).update(outcome_version=F("outcome_version") + 1)
    for s in staged:
        transaction.on_commit(functools.partial(storage.commit, s))
    c.refresh_from_db()
    return c


def do_feed_back_many(
    user, case_pks: Iterable[int], *, deadline: dt.datetime, comment: str = "", now: dt.datetime | None = None
) -> tuple[list[Case], list[tuple[str, str]]]:
    """Feed reviewed cases back to the county in one go (the feedback meeting). Returns the cases fed
    back and (case id, message) for those skipped (not reviewed any more, or not visible)."""
    access.access_feed_back(user)
    done, skipped = [], []
    for pk in case_pks:
        try:
            with transaction.atomic():
                done.append(
                    _transition_locked(
                        user,
                        pk,
                        Action.FEED_BACK,
                        version=None,
                        decision="",
                        comment=comment,
                        staged=[],
                        deadline=deadline,
                        reason=None,
                        now=now,
                    )
                )
        except E.PovexitError as err:
            skipped.append((str(pk), err.diagnostics[0].message()))
    return done, skipped


# ---- exit procedure ------------------------------------------------------------------------------


def county_decision(county: County) -> str | None:
    """The county's exit decision (pass / rectify / fail / unknown): the final indicators (confirmed cases)
    when they can be computed, else the provisional estimates."""
    from . import indicators

    try:
        d = (indicators.final(county).data or {}).get("decision")
    except Exception:
        d = None
    return d or (county.provisional or {}).get("decision")


def _recorded(county: County) -> dict[str, procedure.Recorded]:
    return {
        s.stage: procedure.Recorded(s.stage, s.done_on, s.started_on, s.doc_ref, s.not_drawn)
        for s in ProcedureStep.objects.filter(county=county)
    }


def recheck_outstanding(county: County) -> tuple[int, int]:
    """(problems on the ledger that still need 复核通过, problems on the ledger), 不予采信 excluded."""
    qs = Problem.objects.filter(county=county, dismissed=False)
    return qs.exclude(recheck="passed").count(), qs.count()


def _check_stage(
    county: County,
    stage: procedure.Stage,
    *,
    done_on: dt.date | None,
    started_on: dt.date | None,
    doc_ref: str,
    not_drawn: bool,
    today: dt.date,
    cal: procedure.Calendar,
) -> None:
    label = stage.zh
    if not_drawn and stage.code != "national_check":
        raise E.PovexitError(EX.NOT_DRAWN_ONLY())
    if done_on is None:
        raise E.PovexitError(EX.FIELD_REQUIRED(stage=label, value="完成日期"))
    if not doc_ref.strip() and not not_drawn:
        raise E.PovexitError(EX.FIELD_REQUIRED(stage=label, value="文号"))
    if stage.code == "publicity" and started_on is None:
        raise E.PovexitError(EX.FIELD_REQUIRED(stage=label, value="公示开始日期"))
    if done_on > today:
        raise E.PovexitError(EX.FUTURE_DATE(stage=label, value=done_on.isoformat()))
    if started_on is not None and started_on > done_on:
        raise E.PovexitError(
            EX.STAGE_DATE(
                stage=label, value=done_on.isoformat(), prev=label, prev_date=started_on.isoformat()
            )
        )
    recorded = _recorded(county)
    i = procedure.INDEX[stage.code]
    if i > 0:
        prev = procedure.STAGES[i - 1]
        r = recorded.get(prev.code)
        if r is None or r.done_on is None:
            raise E.PovexitError(EX.STAGE_ORDER(stage=label, value=prev.zh))
        first = started_on or done_on
        if first < r.done_on:
            raise E.PovexitError(
                EX.STAGE_DATE(
                    stage=label, value=first.isoformat(), prev=prev.zh, prev_date=r.done_on.isoformat()
                )
            )
    decision = county_decision(county) if i >= procedure.INDEX["rectify"] else None
    if stage.code in procedure.AFTER_RECTIFY and decision == "fail":
        raise E.PovexitError(EX.EXIT_REFUSED(county=county.name, value=label))
    if stage.code == "rectify" and decision == "rectify":
        open_n, total = recheck_outstanding(county)
        if total == 0:
            raise E.PovexitError(EX.LEDGER_NOT_ISSUED(value=county.name))
        if open_n:
            raise E.PovexitError(EX.RECHECK_REQUIRED(county=county.name, value=open_n))
    if stage.code == "publicity":
        short = procedure.publicity_problem(started_on, done_on, cal)
        if short is not None:
            n, earliest = short
            raise E.PovexitError(
                EX.PUBLICITY_SHORT(
                    start=started_on.isoformat(),
                    value=done_on.isoformat(),
                    n=n,
                    earliest=earliest.isoformat(),
                )
            )


def _file_entries(staged: Sequence[storage.Staged]) -> list[dict[str, Any]]:
    return [{"name": s.name, "sha256": s.sha256, "size": s.size} for s in staged]


def _stage_files(step: ProcedureStep, staged, username: str, now, seq: int) -> None:
    StageFile.objects.bulk_create(
        [
            StageFile(
                step=step,
                sha256=s.sha256,
                name=s.name,
                size=s.size,
                content_type=s.content_type,
                uploaded_by=username,
                uploaded_at=now,
                audit_seq=seq,
            )
            for s in staged
        ]
    )
    for s in staged:
        transaction.on_commit(functools.partial(storage.commit, s))


def do_record_stage(
    user,
    county: County,
    stage: str,
    *,
    done_on: dt.date | None,
    doc_ref: str = "",
    started_on: dt.date | None = None,
    note: str = "",
    not_drawn: bool = False,
    version: int | None = None,
    files: Sequence[Any] = (),
    staged: Sequence[storage.Staged] = (),
    now: dt.datetime | None = None,
    calendar: procedure.Calendar | None = None,
) -> ProcedureStep:
    """Record (or correct) one stage of the county's exit procedure, with its date and 文号 and any
    documents. Refuses a stage whose predecessor is not done, a date before it, a 公示 shorter than
    5 working days, 整改 without the re-checks a 'rectify' decision needs, and the stages after 整改
    for a county that may not exit."""
    with storage.staging(files, staged) as staged, transaction.atomic():
        v = access.access_record_stage(user, county, stage)
        now = now or timezone.now()
        s = procedure.BY_CODE[stage]
        County.objects.select_for_update().filter(pk=county.pk).first()  # one recorder at a time
        _check_stage(
            county,
            s,
            done_on=done_on,
            started_on=started_on,
            doc_ref=doc_ref,
            not_drawn=not_drawn,
            today=timezone.localdate(now),
            cal=calendar or procedure.calendar_from_settings(),
        )
        step = ProcedureStep.objects.select_for_update().filter(county=county, stage=stage).first()
        before = None
        if step is None:
            step = ProcedureStep(county=county, stage=stage)
        else:
            if version is not None and version != step.version:
                raise E.PovexitError(
                    EV.STALE_CASE(case=f"{county.name}/{s.zh}", value=version, current=step.version)
                )
            if step.done_on is not None:
                before = {
                    "done_on": step.done_on.isoformat(),
                    "started_on": step.started_on.isoformat() if step.started_on else None,
                    "doc_ref": step.doc_ref,
                    "not_drawn": step.not_drawn,
                }
        step.done_on, step.started_on = done_on, started_on
        step.doc_ref, step.note, step.not_drawn = doc_ref.strip()[:200], note, not_drawn
        step.recorded_by, step.recorded_at = v.username, now
        step.version += 1
        step.save()
        entry = append_audit(
            actor=v.username,
            role=v.role.value,
            action="procedure_record",
            subject=f"procedure:{county.pk}/{stage}",
            county=county.name,
            at=now,
            data={
                "county": county.name,
                "stage": stage,
                "done_on": done_on.isoformat() if done_on else None,
                "started_on": started_on.isoformat() if started_on else None,
                "doc_ref": step.doc_ref,
                "note": note,
                "not_drawn": not_drawn,
                "corrects": before,
                "attachments": _file_entries(staged),
            },
        )
        _stage_files(step, staged, v.username, now, entry.seq)
        return step


def do_add_stage_file(
    user,
    county: County,
    stage: str,
    *,
    files: Sequence[Any] = (),
    staged: Sequence[storage.Staged] = (),
    note: str = "",
    now: dt.datetime | None = None,
) -> ProcedureStep:
    """Add documents to a stage without recording it (the county's 公示 evidence)."""
    with storage.staging(files, staged) as staged:
        if not staged:
            raise E.PovexitError(EX.FIELD_REQUIRED(stage=procedure.BY_CODE.get(stage, stage), value="文件"))
        with transaction.atomic():
            v = access.access_record_stage(user, county, stage, file_only=True)
            now = now or timezone.now()
            step, _ = ProcedureStep.objects.select_for_update().get_or_create(county=county, stage=stage)
            entry = append_audit(
                actor=v.username,
                role=v.role.value,
                action="procedure_file",
                subject=f"procedure:{county.pk}/{stage}",
                county=county.name,
                at=now,
                data={
                    "county": county.name,
                    "stage": stage,
                    "note": note,
                    "attachments": _file_entries(staged),
                },
            )
            _stage_files(step, staged, v.username, now, entry.seq)
            return step


# ---- rectification ledger ------------------------------------------------------------------------


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    upload: LedgerUpload | None = None


ANSWER_COLUMNS = ("measure", "responsible", "result", "county_status", "closed")


def do_import_problems(
    user,
    county: County,
    name: str,
    data: bytes,
    *,
    kind: str,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Import a 问题清单 workbook, all rows or none. ``kind="issue"``: the team issues the list (new
    problems are added, problems already on the ledger are kept); ``kind="answer"``: the county's filled-in
    list (整改措施, 责任单位, 整改结果, 状态, 销号 per problem; every problem must be on the ledger and its
    完成时限 unchanged). Each changed problem gets its own audit entry; the workbook is kept as evidence."""
    if kind == "issue":
        v = access.access_issue_problems(user, county)
    elif kind == "answer":
        v = access.access_answer_problems(user, county)
    else:
        raise ValueError(kind)
    return _import_problems(v.username, v.role.value, county, name, data, kind=kind, now=now)


def _import_problems(
    actor: str,
    role: str,
    county: County,
    name: str,
    data: bytes,
    *,
    kind: str,
    now: dt.datetime | None = None,
    source: dict[str, Any] | None = None,
    skip_unchanged: bool = False,
) -> ImportResult:
    """The import behind :func:`do_import_problems` and :func:`do_issue_problems_from_assessment`, once
    the actor may do it. ``source`` is added to the audit entry; with ``skip_unchanged`` an issue that
    adds no problem writes nothing at all (no audit entry, no stored workbook)."""
    need = ledger.ISSUE_FIELDS if kind == "issue" else ledger.ANSWER_FIELDS
    fname = storage.clean_name(name)
    wb = ledger.read_workbook(data, file=fname, need=need)
    staged = storage.stage(
        fname, [data], content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    try:
        with transaction.atomic():
            now = now or timezone.now()
            County.objects.select_for_update().filter(pk=county.pk).first()  # one import per county at a time
            existing = {p.key: p for p in Problem.objects.filter(county=county)}
            res = ImportResult(rows=len(wb.rows))
            errors: list[E.Diagnostic] = []
            for r in wb.rows:
                c = r.values.get("county")
                if c and c != county.name:
                    errors.append(
                        EX.XLSX_BAD_VALUE(
                            file=fname,
                            sheet=wb.sheet,
                            row=r.sheet_row,
                            column=wb.columns["county"],
                            value=c,
                            what=f"不是{county.name}",
                            what_en=f"is not {county.name}",
                        )
                    )
            if kind == "issue":
                new = [_new_problem(county, r, now, actor) for r in wb.rows if r.key not in existing]
                if errors:
                    raise E.PovexitError(errors[:50])
                if skip_unchanged and not new:
                    storage.discard(staged)
                    return ImportResult(rows=len(wb.rows), unchanged=len(wb.rows))
                Problem.objects.bulk_create(new, batch_size=1000)
                res.created, res.unchanged = len(new), len(wb.rows) - len(new)
                audit_data = {
                    "county": county.name,
                    "rows": res.rows,
                    "created": res.created,
                    "kept": res.unchanged,
                }
            else:
                if not existing:
                    raise E.PovexitError(EX.LEDGER_NOT_ISSUED(value=county.name))
                changes: list[tuple[Problem, dict[str, list]]] = []
                for r in wb.rows:
                    p = existing.get(r.key)
                    if p is None:
                        errors.append(
                            EX.XLSX_UNKNOWN_PROBLEM(
                                file=fname, sheet=wb.sheet, row=r.sheet_row, value=r.key, county=county.name
                            )
                        )
                        continue
                    diff = _answer_diff(p, r, wb, fname, errors)
                    if diff:
                        changes.append((p, diff))
                if errors:
                    raise E.PovexitError(errors[:50])
                for p, diff in changes:
                    _apply_answer(p, diff, actor, now)
                    append_audit(
                        actor=actor,
                        role=role,
                        action="problem_answer",
                        subject=f"problem:{p.pk}",
                        county=county.name,
                        at=now,
                        data={"county": county.name, "key": p.key, "changes": diff, "upload": staged.sha256},
                    )
                res.changed, res.unchanged = len(changes), len(wb.rows) - len(changes)
                audit_data = {"county": county.name, "rows": res.rows, "changed": res.changed}
            if source:
                audit_data["source"] = source
            entry = append_audit(
                actor=actor,
                role=role,
                action=f"problems_{kind}",
                subject=f"problems:{county.pk}",
                county=county.name,
                at=now,
                data=audit_data | {"sheet": wb.sheet, "attachments": _file_entries([staged])},
            )
            res.upload = LedgerUpload.objects.create(
                county=county,
                kind=kind,
                sha256=staged.sha256,
                name=staged.name,
                size=staged.size,
                uploaded_by=actor,
                uploaded_at=now,
                rows=res.rows,
                changed=res.created if kind == "issue" else res.changed,
                audit_seq=entry.seq,
            )
            transaction.on_commit(functools.partial(storage.commit, staged))
            return res
    except BaseException:
        storage.discard(staged)
        raise


def _new_problem(county: County, r: ledger.Row, now, username: str) -> Problem:
    g = r.values.get
    status = g("status") or ""
    return Problem(
        county=county,
        key=r.key[:250],
        no=g("no"),
        township=g("township") or "",
        village=g("village") or "",
        group=g("group") or "",
        household_code=g("household") or "",
        head_masked=(g("head") or "")[:100],
        id_masked=(g("masked_id") or "")[:40],
        household_type=(g("household_type") or "")[:40],
        category=(g("category") or "")[:60],
        problem_type=(g("problem_type") or "")[:300],
        rule_id=(g("rule_id") or "")[:100],
        detail=g("detail") or "",
        evidence=g("evidence") or "",
        found_on=g("found_on"),
        team=(g("team") or "")[:200],
        dismissed=status in ledger.NOT_ADOPTED,
        county_status=status[:30],
        measure=g("measure") or "",
        responsible=g("responsible") or "",
        deadline=g("deadline"),
        result=g("result") or "",
        closed=False,
        created_at=now,
        updated_at=now,
        updated_by=username,
    )


def _answer_diff(p: Problem, r: ledger.Row, wb: ledger.Workbook, fname: str, errors: list) -> dict[str, list]:
    g = r.values
    new = {
        "measure": g.get("measure", p.measure) or "",
        "responsible": g.get("responsible", p.responsible) or "" if "responsible" in g else p.responsible,
        "result": g.get("result", p.result) or "",
        "county_status": (g.get("status") or "")[:30] if "status" in g else p.county_status,
        "closed": bool(g.get("closed")) if "closed" in g else p.closed,
    }
    d = g.get("deadline")
    if "deadline" in g and d is not None and p.deadline is not None and d != p.deadline:
        errors.append(
            EX.XLSX_BAD_VALUE(
                file=fname,
                sheet=wb.sheet,
                row=r.sheet_row,
                column=wb.columns["deadline"],
                value=d.isoformat(),
                what=f"：完成时限由评估组确定（{p.deadline.isoformat()}），县里不能改动",
                what_en=f": the deadline is set by the team ({p.deadline.isoformat()}), not the county",
            )
        )
    diff = {k: [getattr(p, k), val] for k, val in new.items() if getattr(p, k) != val}
    if diff and p.recheck == "passed":
        errors.append(
            EX.XLSX_BAD_VALUE(
                file=fname,
                sheet=wb.sheet,
                row=r.sheet_row,
                column=wb.columns.get("result", "整改结果"),
                value=new["result"],
                what="：该问题已复核通过并销号，不能再修改",
                what_en=": the problem passed its re-check and is closed; it cannot change",
            )
        )
    return diff


def _apply_answer(p: Problem, diff: dict[str, list], username: str, now) -> None:
    for k, (_, val) in diff.items():
        setattr(p, k, val)
    if "measure" in diff or "result" in diff:
        p.answered_by, p.answered_at = username, now
        if p.recheck == "failed":
            p.recheck = ""  # a new answer to a failed re-check waits for the next re-check
    if "closed" in diff:
        p.closed_by, p.closed_at = (username, now) if p.closed else ("", None)
    p.version += 1
    p.updated_at, p.updated_by = now, username
    p.save()


GENERATED_NAME = "问题清单（评估结果生成）.xlsx"
OUTCOME_OF_STATE = {State.CONFIRMED.value: "confirmed", State.DISMISSED.value: "dismissed"}


def _final_cases(county: County) -> pl.DataFrame:
    """The county's cases with the server's verification outcomes (the work directory's cases.csv is
    the state before verification): confirmed, dismissed (不予采信), otherwise pending."""
    rows = list(
        Case.objects.filter(county=county)
        .order_by("id")
        .values_list("case_id", "household_code", "kind", "state", "rules", "evidence", "dismiss_reason")
    )
    return pl.DataFrame(
        {
            "case_id": [r[0] for r in rows],
            "household_id": [r[1] for r in rows],
            "kind": [r[2] for r in rows],
            "outcome": [OUTCOME_OF_STATE.get(r[3], "pending") for r in rows],
            "rules": [r[4] for r in rows],
            "evidence": [r[5] for r in rows],
            "reason": [r[6] or None for r in rows],
            "comment": [None for _ in rows],
        },
        schema={
            c: pl.String
            for c in ("case_id", "household_id", "kind", "outcome", "rules", "evidence", "reason", "comment")
        },
    )


def build_problem_list(
    county: County, *, deadline: dt.date | None = None, lang: str = "zh"
) -> tuple[bytes, dict]:
    """The county's 问题清单 workbook built by the report layer from the assessment's work directory,
    with the final verification outcomes of the server's cases; and a summary for the audit entry.
    Raises PVX-X22 when the directory the assessment was loaded from is gone."""
    import dataclasses

    from ..report import load_workdir, problem_list
    from ..report.render_xlsx import problem_workbook

    a = county.assessment
    root = Path(a.workdir)
    if not root.is_dir():
        raise E.PovexitError(EX.WORKDIR_GONE(file=str(root), value=a.name))
    data = load_workdir(root)
    cases = _final_cases(county)
    if not cases.is_empty():
        data = dataclasses.replace(data, cases=cases)
    plist = problem_list(data, lang=lang, deadline=deadline)
    rows = [r for r in plist.rows if not r.county or r.county == county.name]
    for i, r in enumerate(rows, 1):
        r.no = i
    plist = dataclasses.replace(plist, rows=rows, county=county.name)
    outcomes = {k: 0 for k in ("confirmed", "dismissed", "pending")}
    for o in cases["outcome"].to_list():
        outcomes[o] += 1
    summary = {
        "from": "assessment",
        "assessment": a.name,
        "workdir": str(root),
        "source_hash": a.source_hash,
        "deadline": plist.deadline.isoformat() if plist.deadline else None,
        "cases": outcomes,
    }
    return problem_workbook(plist), summary


def do_issue_problems_from_assessment(
    user,
    county: County,
    *,
    deadline: dt.date | None = None,
    lang: str = "zh",
    now: dt.datetime | None = None,
) -> ImportResult:
    """Issue the county's 问题清单 built from the assessment (:func:`build_problem_list`) through the same
    import as an uploaded workbook: all rows or none, audited, the workbook kept as evidence.
    Idempotent: problems already on the ledger are kept, and an issue that adds no problem writes
    nothing. ``user=None`` is the server administrator at the command line (audited as ``system``)."""
    if user is None:
        actor, role = SYSTEM, SYSTEM
    else:
        v = access.access_issue_problems(user, county)
        actor, role = v.username, v.role.value
    with transaction.atomic():
        # one issue per county at a time, and the outcomes read are the ones the import sees
        County.objects.select_for_update().filter(pk=county.pk).first()
        body, summary = build_problem_list(county, deadline=deadline, lang=lang)
        return _import_problems(
            actor,
            role,
            county,
            GENERATED_NAME,
            body,
            kind="issue",
            now=now,
            source=summary,
            skip_unchanged=True,
        )


RECHECK_RESULTS = ("passed", "failed")


def do_recheck(
    user,
    problem_pk: int,
    result: str,
    *,
    comment: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Problem:
    """复核 of one problem's rectification by the lead expert or a checker: passed closes it (销号 if the
    county had not), failed reopens it with the comment, for the county to answer again."""
    with transaction.atomic():
        v, p = access.access_recheck(user, problem_pk, for_update=True)
        now = now or timezone.now()
        if result not in RECHECK_RESULTS:
            raise E.PovexitError(EX.RECHECK_BAD_RESULT(value=result))
        if version is not None and version != p.version:
            raise E.PovexitError(EV.STALE_CASE(case=p.key, value=version, current=p.version))
        if p.dismissed or not p.result.strip():
            raise E.PovexitError(EX.RECHECK_NOT_ANSWERED(value=p.key))
        if result == "failed" and not comment.strip():
            raise E.PovexitError(EX.RECHECK_COMMENT(value=p.key))
        was_closed = p.closed
        p.recheck, p.recheck_comment, p.recheck_by, p.recheck_at = result, comment, v.username, now
        if result == "passed" and not p.closed:
            p.closed, p.closed_by, p.closed_at = True, v.username, now
        elif result == "failed":
            p.closed, p.closed_by, p.closed_at = False, "", None
        p.version += 1
        p.updated_at, p.updated_by = now, v.username
        p.save()
        append_audit(
            actor=v.username,
            role=v.role.value,
            action="problem_recheck",
            subject=f"problem:{p.pk}",
            county=p.county.name,
            at=now,
            data={
                "county": p.county.name,
                "key": p.key,
                "result": result,
                "comment": comment,
                "closed": p.closed,
                "was_closed": was_closed,
            },
        )
        return p


__all__ = [
    "ImportResult",
    "LoadResult",
    "append_audit",
    "as_chain_entry",
    "county_decision",
    "do_add_stage_file",
    "do_create_user",
    "do_feed_back_many",
    "do_import_problems",
    "do_issue_problems_from_assessment",
    "do_load_assessment",
    "do_recheck",
    "do_record_stage",
    "do_release_batch",
    "do_transition",
]
