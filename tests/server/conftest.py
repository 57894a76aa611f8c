"""Server test set-up: one database per test process (SQLite file in a temp dir by default;
``POVEXIT_TEST_DB=postgresql://…`` for the PostgreSQL run that ``test_server_postgres.py`` starts),
migrated once; each test loads its own small assessment and team, so tests share nothing writable."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from povexit import server

os.environ.setdefault("POVEXIT_FAST_PASSWORDS", "1")
PASSWORD = "test-password-1"

# Django is configured once per process, before the test modules import models.
DATA_DIR = Path(tempfile.mkdtemp(prefix="povexit-server-test-"))
atexit.register(shutil.rmtree, DATA_DIR, True)
DB_URL = os.environ.get("POVEXIT_TEST_DB") or f"sqlite:///{DATA_DIR / 'test.sqlite3'}"
server.setup(db=DB_URL, data_dir=DATA_DIR)
from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()  # responses carry their template context


@pytest.fixture(scope="session")
def server_db() -> str:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return DB_URL


def small_workdir(path: Path) -> Path:
    from povexit.server.sampledata import Params, write_workdir

    return write_workdir(
        path, Params(villages_per_county=4, households_per_village=10, case_share=0.35, seed=11)
    )


@pytest.fixture
def workdir(tmp_path) -> Path:
    return small_workdir(tmp_path / "work")


@pytest.fixture(scope="module")
def shared_team(server_db, tmp_path_factory):
    """An assessment and its team shared by a module's read-only tests: (county, {role: User})."""
    from povexit.server import actions
    from povexit.server.models import County
    from povexit.verify.roles import Role

    name = f"s-{uuid.uuid4().hex[:10]}"
    actions.do_load_assessment(small_workdir(tmp_path_factory.mktemp("shared") / "work"), name=name)
    county = County.objects.get(assessment__name=name)
    tag = uuid.uuid4().hex[:6]
    return county, {
        r.value: actions.do_create_user(f"{r.value}-{tag}", PASSWORD, r, counties=[county]) for r in Role
    }


@pytest.fixture
def assessment(server_db, workdir):
    """A freshly loaded assessment (unique name) and its one county."""
    from povexit.server import actions
    from povexit.server.models import County

    name = f"t-{uuid.uuid4().hex[:10]}"
    actions.do_load_assessment(workdir, name=name)
    return County.objects.get(assessment__name=name)


@pytest.fixture
def team_factory(server_db):
    """Make one user per role, scoped to a county: ``team_factory(county) -> {role value: User}``."""
    from povexit.server import actions
    from povexit.verify.roles import Role

    def make(county):
        tag = uuid.uuid4().hex[:6]
        return {
            r.value: actions.do_create_user(f"{r.value}-{tag}", PASSWORD, r, counties=[county]) for r in Role
        }

    return make


@pytest.fixture
def team(assessment, team_factory):
    """One user per role, scoped to the assessment's county; returns {role value: User}."""
    return team_factory(assessment)


@pytest.fixture
def client_for():
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make
