"""Document blocks → self-contained HTML (template + CSS under ``report/templates/``) → PDF (WeasyPrint)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import jinja2

from .. import __version__
from .. import errors as E
from ..errors import report as R
from .document import Bullets, Doc, Figure, Heading, PageBreak, Para, Table
from .fonts import CSS_SANS, CSS_SERIF, require_pdf_font

TEMPLATES = Path(__file__).with_name("templates")


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _widths(t: Table) -> list[float]:
    ws = list(t.widths) if len(t.widths) == len(t.headers) else [1.0] * len(t.headers)
    total = sum(ws) or 1.0
    return [round(100 * w / total, 2) for w in ws]


def _block(b: Any) -> dict[str, Any]:
    if isinstance(b, Heading):
        return {"kind": "heading", "text": b.text, "level": b.level}
    if isinstance(b, Para):
        return {"kind": "para", "text": b.text, "style": b.style, "tone": b.tone}
    if isinstance(b, Bullets):
        return {"kind": "bullets", "entries": list(b.items)}
    if isinstance(b, Table):
        align = (b.align or "l" * len(b.headers)).ljust(len(b.headers), "l")
        return {"kind": "table", "headers": list(b.headers), "rows": b.rows, "caption": b.caption,
                "widths": _widths(b), "align": align, "small": b.small, "mono_cols": b.mono_cols}
    if isinstance(b, Figure):
        return {"kind": "figure", "caption": b.caption, "width_pct": round(min(b.width_cm / 17.6, 1.0) * 100, 1),
                "svg_b64": base64.b64encode(b.svg.encode("utf-8")).decode("ascii")}
    if isinstance(b, PageBreak):
        return {"kind": "pagebreak"}
    raise TypeError(type(b))


def render_html(doc: Doc) -> str:
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    css = css.replace("SANS_STACK", CSS_SANS).replace("SERIF_STACK", CSS_SERIF)
    return _env().get_template("document.html.j2").render(
        doc=doc, blocks=[_block(b) for b in doc.blocks], css=css, version=__version__)


def render_pdf(doc: Doc, html: str | None = None) -> bytes:
    """PDF bytes of ``doc`` (WeasyPrint; fonts through fontconfig)."""
    require_pdf_font()
    html = html if html is not None else render_html(doc)
    try:
        import weasyprint

        return weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf(
            pdf_identifier=b"povexit-" + doc.title.encode("utf-8")[:32], uncompressed_pdf=False)
    except E.PovexitError:
        raise
    except Exception as exc:  # WeasyPrint/Pango failures surface as a located error
        raise E.PovexitError(R.PDF_RENDER_FAILED(reason=f"{type(exc).__name__}: {exc}")) from exc
