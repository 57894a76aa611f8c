"""Two checkers acting on the same case at once cannot both win; concurrent steps keep the audit chain
linear; an upload interrupted midway (or a step that fails after the files were received) leaves no
half-saved case and no file. Real commits and real threads (one database connection each); runs on
SQLite here and on PostgreSQL through test_server_postgres.py."""

from __future__ import annotations

import hashlib
import socket
import threading
import uuid

import pytest
from django.db import connection, connections
from server_helpers import advance, cases_of, evidence

from povexit import errors as E
from povexit.server import actions, storage
from povexit.server.audit_check import check_database
from povexit.server.models import Attachment, AuditEntry
from povexit.verify.machine import Action, State
from povexit.verify.roles import Role


def run_threads(fns):
    barrier = threading.Barrier(len(fns))
    results: list = [None] * len(fns)

    def wrap(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", fn())
        except BaseException as exc:
            results[i] = ("err", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def tmp_files() -> list:
    d = storage.root() / "tmp"
    return list(d.iterdir()) if d.exists() else []


@pytest.mark.parametrize("round_", range(3))
def test_two_checkers_same_case_exactly_one_wins(assessment, team, round_):
    second = actions.do_create_user(
        f"checker2-{uuid.uuid4().hex[:6]}", "pw-12345678", Role.CHECKER, counties=[assessment]
    )
    c = cases_of(assessment, 1)[0]
    bodies = [f"photo by checker {i} {uuid.uuid4()}".encode() for i in range(2)]

    def act(user, body):
        return lambda: actions.do_transition(
            user,
            c.pk,
            Action.INITIAL_CHECK,
            version=0,
            comment="属实",
            staged=[storage.stage("p.jpg", [body])],
        )

    results = run_threads([act(team["checker"], bodies[0]), act(second, bodies[1])])
    wins = [r for r in results if r[0] == "ok"]
    losses = [r[1] for r in results if r[0] == "err"]
    assert len(wins) == 1 and len(losses) == 1, results
    assert isinstance(losses[0], E.PovexitError) and losses[0].diagnostics[0].code in ("PVX-V09", "PVX-V01")
    c.refresh_from_db()
    assert c.state == State.INITIAL_CHECKED and c.version == 1 and c.evidence_count == 1
    assert AuditEntry.objects.filter(subject=f"case:{c.pk}").count() == 1
    atts = list(Attachment.objects.filter(case=c))
    assert len(atts) == 1 and storage.check(atts[0].sha256)
    loser = [h for h in (hashlib.sha256(b).hexdigest() for b in bodies) if h != atts[0].sha256]
    assert (
        len(loser) == 1 and not storage.path_for(loser[0]).exists()
    )  # the loser's file never reached the store
    assert tmp_files() == []


def test_concurrent_steps_on_many_cases_keep_one_chain(assessment, team):
    cs = cases_of(assessment, 6)
    fns = [
        (
            lambda c=c: actions.do_transition(
                team["checker"],
                c.pk,
                Action.INITIAL_CHECK,
                version=0,
                comment="属实",
                staged=evidence(body=str(c.pk).encode()),
            )
        )
        for c in cs
    ]
    results = run_threads(fns)
    assert all(r[0] == "ok" for r in results), results
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    report = check_database()
    assert report.ok, [str(d) for d in report.problems]


def test_upload_failing_midway_saves_nothing(assessment, team):
    c = cases_of(assessment, 1)[0]
    before = (AuditEntry.objects.count(), Attachment.objects.count())

    def broken_stream():
        yield b"x" * 100_000
        raise OSError("connection reset by peer")

    with pytest.raises(OSError):
        storage.stage("big.jpg", broken_stream())
    assert tmp_files() == []

    class Upload:  # what Django hands over when the client sends fewer bytes than announced
        name, size, content_type = "photo.jpg", 500_000, "image/jpeg"

        def chunks(self):
            yield b"y" * 200_000

    with pytest.raises(E.PovexitError) as err:
        actions.do_transition(
            team["checker"], c.pk, Action.INITIAL_CHECK, version=0, comment="属实", files=[Upload()]
        )
    assert err.value.diagnostics[0].code == "PVX-D09"
    c.refresh_from_db()
    assert (c.state, c.version) == (State.SUSPECTED, 0)
    assert (AuditEntry.objects.count(), Attachment.objects.count()) == before
    assert tmp_files() == []


def test_failure_after_files_received_rolls_everything_back(assessment, team, monkeypatch):
    c = cases_of(assessment, 1)[0]
    before = (AuditEntry.objects.count(), Attachment.objects.count())
    staged = evidence(body=b"unique evidence " + uuid.uuid4().bytes)
    sha = staged[0].sha256

    def boom(**kw):
        raise RuntimeError("database went away")

    monkeypatch.setattr(actions, "append_audit", boom)
    with pytest.raises(RuntimeError):
        actions.do_transition(
            team["checker"], c.pk, Action.INITIAL_CHECK, version=0, comment="属实", staged=staged
        )
    c.refresh_from_db()
    assert (c.state, c.version, c.evidence_count) == (State.SUSPECTED, 0, 0)
    assert (AuditEntry.objects.count(), Attachment.objects.count()) == before
    assert not storage.path_for(sha).exists() and tmp_files() == []


def test_refused_step_discards_its_files(assessment, team):
    c = advance(cases_of(assessment, 1)[0], team, State.INITIAL_CHECKED)
    staged = evidence(body=b"refused " + uuid.uuid4().bytes)
    with pytest.raises(E.PovexitError):
        actions.do_transition(
            team["checker"], c.pk, Action.INITIAL_CHECK, version=1, comment="x", staged=staged
        )
    assert not storage.path_for(staged[0].sha256).exists() and tmp_files() == []


def test_http_upload_cut_off_by_the_client(assessment, team):
    """A real server and a client that announces a body and hangs up halfway through it."""
    from django.contrib.sessions.backends.db import SessionStore

    from povexit.server.runner import make_server

    c = cases_of(assessment, 1)[0]
    before = (AuditEntry.objects.count(), Attachment.objects.count())
    srv = make_server("127.0.0.1", 0, threads=2)
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    try:
        user = team["checker"]
        s = SessionStore()
        s["_auth_user_id"] = str(user.pk)
        s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        s["_auth_user_hash"] = user.get_session_auth_hash()
        s.create()
        boundary = "----povexit"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="action"\r\n\r\ninitial_check\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="version"\r\n\r\n0\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="comment"\r\n\r\nok\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="p.jpg"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        total = len(head) + 2_000_000
        req = (
            f"POST /cases/{c.pk}/act/ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid={s.session_key}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {total}\r\n\r\n"
        ).encode()
        sock = socket.create_connection(("127.0.0.1", srv.effective_port), timeout=10)
        sock.sendall(req + head + b"z" * 700_000)
        sock.close()  # the connection drops with 1.3 MB still to come
        import time

        time.sleep(0.5)
    finally:
        srv.close()
        th.join(timeout=5)
    connection.close()
    c.refresh_from_db()
    assert (c.state, c.version) == (State.SUSPECTED, 0)
    assert (AuditEntry.objects.count(), Attachment.objects.count()) == before
    assert tmp_files() == []


def test_audit_rows_cannot_be_changed_or_deleted(assessment, team):
    from django.db import DatabaseError, transaction

    advance(cases_of(assessment, 1)[0], team, State.INITIAL_CHECKED)
    e = AuditEntry.objects.order_by("-seq").first()
    with pytest.raises(RuntimeError):
        e.save()
    with pytest.raises(RuntimeError):
        e.delete()
    for sql in (
        "UPDATE server_auditentry SET actor = 'x' WHERE seq = %s",
        "DELETE FROM server_auditentry WHERE seq = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [e.seq])
    assert AuditEntry.objects.get(seq=e.seq).actor == e.actor
