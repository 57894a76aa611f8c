"""A tiny document model every renderer understands: headings, paragraphs, lists, tables, figures.

The composers (county report, cross-county summary) write one :class:`Doc`; ``render_docx`` and
``render_html`` (→ WeasyPrint PDF) lay it out. Keeping the words in one place means the Word and
PDF versions cannot say different things.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Tone = Literal["", "good", "bad", "warn", "muted"]


@dataclass(frozen=True)
class Cell:
    text: str
    tone: Tone = ""
    bold: bool = False


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 = 一、 section; 2 = （一） subsection


@dataclass(frozen=True)
class Para:
    text: str
    style: Literal["body", "lead", "note", "verdict"] = "body"
    tone: Tone = ""


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    widths: tuple[float, ...] = ()  # relative column widths
    align: str = ""  # one letter per column: l / c / r
    small: bool = False
    mono_cols: tuple[int, ...] = ()  # hashes and ids

    @staticmethod
    def of(headers: list[str], rows: list[list[str | Cell]], **kw) -> Table:
        return Table(
            tuple(headers),
            tuple(tuple(c if isinstance(c, Cell) else Cell(str(c)) for c in r) for r in rows),
            **kw,
        )


@dataclass(frozen=True)
class Figure:
    key: str
    caption: str
    png: bytes
    svg: str
    width_cm: float = 16.0
    aspect: float = 0.5  # height / width


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Para | Bullets | Table | Figure | PageBreak


@dataclass
class Doc:
    title: str
    subtitle: str = ""
    issuer: str = ""
    date_line: str = ""
    lang: str = "zh"
    running_head: str = ""
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> Doc:
        self.blocks.extend(blocks)
        return self

    def text(self) -> str:
        """All words of the document (for tests and search)."""
        parts = [self.title, self.subtitle, self.issuer, self.date_line]
        for b in self.blocks:
            if isinstance(b, Heading | Para):
                parts.append(b.text)
            elif isinstance(b, Bullets):
                parts.extend(b.items)
            elif isinstance(b, Table):
                parts.append(b.caption)
                parts.extend(b.headers)
                parts.extend(c.text for r in b.rows for c in r)
            elif isinstance(b, Figure):
                parts.append(b.caption)
        return "\n".join(p for p in parts if p)
