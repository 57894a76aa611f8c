"""Document blocks → Word (.docx, python-docx), laid out like an office's report.

A4, body in 宋体 (SimSun) 10.5 pt (五号) with a two-character first-line indent, headings in 黑体
(SimHei): the fonts every Chinese Windows office has. Latin text uses Times New Roman / Arial. Tables
repeat their header row on each page; the figures are the same charts as in the PDF (PNG, 200 dpi).
The archive is written with fixed timestamps so the same report gives the same bytes.
"""

from __future__ import annotations

import datetime as _dt
import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .document import Bullets, Cell, Doc, Figure, Heading, PageBreak, Para, Table
from .ooxml import normalise_zip

BODY_EA, HEAD_EA = "宋体", "黑体"
BODY_LATIN, HEAD_LATIN = "Times New Roman", "Arial"
MONO = "Consolas"
TONES = {"good": RGBColor(0x15, 0x80, 0x3D), "bad": RGBColor(0xB9, 0x1C, 0x1C),
         "warn": RGBColor(0xC2, 0x41, 0x0C), "muted": RGBColor(0x6B, 0x72, 0x80)}
HEAD_COLOR = RGBColor(0x1F, 0x3A, 0x5F)
TEXT_WIDTH_CM = 16.0
ALIGN = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER, "r": WD_ALIGN_PARAGRAPH.RIGHT}


def _fonts(run_or_style, latin: str, east_asian: str) -> None:
    font = run_or_style.font
    font.name = latin
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)  # a theme font would win over the named one in Word
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), latin)
    rfonts.set(qn("w:eastAsia"), east_asian)


def _run(par, text: str, *, size: float | None = None, bold: bool = False, head: bool = False,
         tone: str = "", mono: bool = False, color: RGBColor | None = None):
    run = par.add_run(text)
    _fonts(run, MONO if mono else (HEAD_LATIN if head else BODY_LATIN), HEAD_EA if head else BODY_EA)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold or None
    if tone in TONES:
        run.font.color.rgb = TONES[tone]
    elif color is not None:
        run.font.color.rgb = color
    return run


def _shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _no_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))


def _page_field(par) -> None:
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        run = par.add_run()
        if kind:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            run._r.append(fc)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


def _setup(document, doc: Doc) -> None:
    sec = document.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(2.4), Cm(2.2)
    sec.left_margin = sec.right_margin = Cm(2.5)
    normal = document.styles["Normal"]
    _fonts(normal, BODY_LATIN, BODY_EA)
    normal.font.size = Pt(10.5)
    normal.paragraph_format.line_spacing = 1.35
    normal.paragraph_format.space_after = Pt(3)
    for name, size in (("Heading 1", 15), ("Heading 2", 12.5), ("Title", 20)):
        st = document.styles[name]
        _fonts(st, HEAD_LATIN, HEAD_EA)
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.color.rgb = HEAD_COLOR
    if doc.running_head:
        hp = sec.header.paragraphs[0]
        hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(hp, doc.running_head, size=8, color=TONES["muted"])
    fp = sec.footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(fp)
    props = document.core_properties
    props.title = doc.title
    props.author = "povexit"
    props.language = "en-GB" if doc.lang == "en" else "zh-CN"


def _table(document, t: Table, lang: str) -> None:
    if t.caption:
        cp = document.add_paragraph()
        cp.paragraph_format.keep_with_next = True
        cp.paragraph_format.space_before = Pt(4)
        _run(cp, t.caption, size=9.5, bold=True, head=True)
    n = len(t.headers)
    table = document.add_table(rows=1, cols=n)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    ws = list(t.widths) if len(t.widths) == n else [1.0] * n
    total = sum(ws) or 1.0
    widths = [Cm(TEXT_WIDTH_CM * w / total) for w in ws]
    align = (t.align or "l" * n).ljust(n, "l")
    size = 7.5 if t.small else 8.5
    hdr = table.rows[0]
    _repeat_header(hdr)
    for j, h in enumerate(t.headers):
        c = hdr.cells[j]
        c.width = widths[j]
        _shade(c, "E5ECF4")
        p = c.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(p, h, size=size, bold=True, head=True)
    for row in t.rows:
        r = table.add_row()
        _no_split(r)
        for j, cell in enumerate(row):
            c = r.cells[j]
            c.width = widths[j]
            p = c.paragraphs[0]
            p.alignment = ALIGN[align[j]]
            p.paragraph_format.space_after = Pt(0)
            cell = cell if isinstance(cell, Cell) else Cell(str(cell))
            _run(p, cell.text, size=size, bold=cell.bold, tone=cell.tone, mono=j in t.mono_cols)
    document.add_paragraph().paragraph_format.space_after = Pt(2)


def render_docx(doc: Doc, *, stamp: _dt.datetime | None = None) -> bytes:
    """Word bytes; ``stamp`` (e.g. the last fieldwork day) is written as created/modified time."""
    document = Document()
    _setup(document, doc)
    tp = document.add_paragraph(style="Title")
    tp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(tp, doc.title, size=20, bold=True, head=True, color=HEAD_COLOR)
    for line in (doc.subtitle, doc.issuer, doc.date_line):
        if line:
            p = document.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(p, line, size=10.5, head=True)
    for b in doc.blocks:
        if isinstance(b, Heading):
            h = document.add_heading(level=min(b.level, 2))
            _run(h, b.text, size=15 if b.level == 1 else 12.5, bold=True, head=True, color=HEAD_COLOR)
        elif isinstance(b, Para):
            p = document.add_paragraph()
            if b.style == "verdict":
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _run(p, b.text, size=13, bold=True, head=True, tone=b.tone)
            elif b.style == "lead":
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _run(p, b.text, size=10, head=True)
            elif b.style == "note":
                _run(p, b.text, size=9, tone="muted")
            else:
                if doc.lang == "zh":
                    p.paragraph_format.first_line_indent = Pt(21)
                p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
                _run(p, b.text, tone=b.tone)
        elif isinstance(b, Bullets):
            for it in b.items:
                p = document.add_paragraph(style="List Bullet")
                _run(p, it)
        elif isinstance(b, Table):
            _table(document, b, doc.lang)
        elif isinstance(b, Figure):
            p = document.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.keep_with_next = True
            p.add_run().add_picture(io.BytesIO(b.png), width=Cm(min(b.width_cm, TEXT_WIDTH_CM)))
            cp = document.add_paragraph()
            cp.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(cp, b.caption, size=9, head=True)
        elif isinstance(b, PageBreak):
            document.add_page_break()
    buf = io.BytesIO()
    document.save(buf)
    return normalise_zip(buf.getvalue(), stamp=stamp)
