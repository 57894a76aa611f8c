"""The commands: load, createuser, verify audit (detects tampering), verify cases / feedback exports,
serve --demo's preparation. Each runs in its own process with its own data directory."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import polars as pl

ENV = {**os.environ, "POVEXIT_FAST_PASSWORDS": "1", "POVEXIT_LANG": "zh"}
for _k in ("POVEXIT_TEST_DB", "POVEXIT_DB", "DATABASE_URL", "POVEXIT_DATA_DIR", "DJANGO_SETTINGS_MODULE"):
    ENV.pop(_k, None)


def povexit(*args, data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "povexit.cli.main", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
    )


STEP_SCRIPT = r"""
import sys
from povexit import server
server.setup(data_dir=sys.argv[1])
from django.contrib.auth.models import User
from povexit.server import actions, storage
from povexit.server.models import Case
u = User.objects.get(username="chk")
c = Case.objects.order_by("id").first()
actions.do_transition(u, c.pk, "initial_check", version=0, comment="属实",
                      staged=[storage.stage("p.jpg", [b"photo"])])
"""


def test_load_user_step_audit_and_tamper(tmp_path, workdir):
    data = tmp_path / "data"
    r = povexit("server", "load", str(workdir), data_dir=data)
    assert r.returncode == 0, r.stderr
    assert "已加载评估" in r.stdout
    r = povexit(
        "server",
        "createuser",
        "chk",
        "--role",
        "checker",
        "--county",
        "示例县",
        "--password",
        "pw-123456",
        data_dir=data,
    )
    assert r.returncode == 0, r.stderr
    subprocess.run([sys.executable, "-c", STEP_SCRIPT, str(data)], check=True, env=ENV, timeout=120)
    r = povexit("verify", "audit", data_dir=data)
    assert r.returncode == 0 and "审计日志完整" in r.stdout, r.stderr

    out = tmp_path / "cases.csv"
    assert povexit("verify", "cases", "--out", str(out), data_dir=data).returncode == 0
    df = pl.read_csv(out, infer_schema=False)
    assert (
        set(df["outcome"]) == {"pending"}
        and df.height == pl.read_csv(workdir / "findings" / "cases.csv").height
    )

    # someone with database access rewrites a comment behind the application's back
    db = sqlite3.connect(data / "povexit.sqlite3")
    db.execute("DROP TRIGGER server_auditentry_no_update")
    db.execute(
        "UPDATE server_auditentry SET data = replace(data, '属实', '不属实') WHERE action = 'initial_check'"
    )
    db.commit()
    db.close()
    # and swaps an evidence file
    att = next((data / "attachments").glob("??/*"))
    att.write_bytes(b"other photo")
    r = povexit("verify", "audit", data_dir=data)
    assert r.returncode == 2 and "PVX-V20" in r.stderr and "PVX-D10" in r.stderr


def test_demo_prepare_creates_one_account_per_role(tmp_path, workdir):
    script = r"""
import sys
from povexit.server import demo
wd, accounts = demo.prepare(sys.argv[2], data_dir=sys.argv[1])
from povexit.server.models import Case, Profile
from povexit.verify.roles import Role
assert {r for _, _, r, _ in accounts} == set(Role), accounts
assert Profile.objects.count() == len(accounts)
states = set(Case.objects.values_list("state", flat=True))
assert {"initial_checked", "reviewed", "fed_back", "confirmed", "dismissed"} <= states, states
wd2, _ = demo.prepare(wd, data_dir=sys.argv[1])  # a second start changes nothing
assert Profile.objects.count() == len(accounts)
print("ok", wd)
"""
    r = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "demo"), str(workdir)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
    )
    assert r.returncode == 0 and r.stdout.startswith("ok"), r.stderr[-3000:]


def test_issue_problems_from_the_assessment(tmp_path, workdir):
    data = tmp_path / "data"
    assert povexit("server", "load", str(workdir), data_dir=data).returncode == 0
    r = povexit("server", "issue-problems", "--county", "示例县", "--deadline", "2019-04-20", data_dir=data)
    assert r.returncode == 0, r.stderr
    assert "已下发示例县的问题清单" in r.stdout
    db = sqlite3.connect(data / "povexit.sqlite3")
    n, deadlines = db.execute(
        "select count(*), group_concat(distinct deadline) from server_problem"
    ).fetchone()
    assert n > 0 and deadlines == "2019-04-20"
    actor = db.execute("select actor, role from server_auditentry where action = 'problems_issue'").fetchall()
    assert actor == [("system", "system")]
    r = povexit("server", "issue-problems", "--county", "示例县", data_dir=data)  # again: nothing new
    assert r.returncode == 0 and "未做任何修改" in r.stdout, r.stderr
    assert db.execute("select count(*) from server_problem").fetchone()[0] == n
    assert (
        db.execute("select count(*) from server_auditentry where action = 'problems_issue'").fetchone()[0]
        == 1
    )
    r = povexit("server", "issue-problems", "--county", "无此县", data_dir=data)
    assert r.returncode != 0 and "PVX-X23" in r.stderr
    r = povexit("server", "issue-problems", "--county", "示例县", "--as", "nobody", data_dir=data)
    assert r.returncode != 0 and "PVX-X24" in r.stderr
