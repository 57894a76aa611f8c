"""Fixtures of the evaluate tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from evaluate_helpers import build_world


@pytest.fixture(scope="session")
def world(tmp_path_factory) -> Path:
    """The work directory of a small synthetic county (six townships), built once per test session."""
    return build_world(tmp_path_factory.mktemp("evaluate-world"))
