from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

os.environ.setdefault("POVEXIT_LANG", "zh")


@pytest.fixture(autouse=True)
def _chinese_by_default(monkeypatch):
    """Every test starts in the default language (Chinese), whatever an earlier test in the same worker
    switched to: `--lang en` and the report/demo commands set POVEXIT_LANG for the process."""
    monkeypatch.setenv("POVEXIT_LANG", "zh")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    assert SHARED.is_dir(), f"../shared not found beside the repository ({SHARED})"
    return SHARED


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write an inline table (first line header) to ``path``; leading indentation is stripped."""
    import textwrap

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(textwrap.dedent(text).lstrip("\n").encode(encoding))
    return path
