"""Helpers shared by the command modules: console, progress bars, language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ..errors import current_lang

console = Console()
err_console = Console(stderr=True)


def zh() -> bool:
    return current_lang() == "zh"


def t(zh_text: str, en_text: str) -> str:
    """Pick the message for the current language."""
    return zh_text if zh() else en_text


@contextmanager
def progress(transient: bool = False) -> Iterator[Progress]:
    """A Rich progress bar on stderr (hidden when stderr is not a terminal)."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=transient,
    ) as p:
        yield p
