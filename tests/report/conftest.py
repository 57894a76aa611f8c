"""Fixtures of the report tests (the work directory itself is built in report_fixture.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_fixture import make_workdir


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return make_workdir(tmp_path / "work")
