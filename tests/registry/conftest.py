"""Fixtures of the registry tests (helpers are in ``registry_fixture``)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _chinese_messages(monkeypatch):
    """Messages in Chinese unless a test says otherwise (``--lang en`` in another test of the same
    worker must not change them)."""
    monkeypatch.setenv("POVEXIT_LANG", "zh")
