"""The deficiency letter as DOCX (python-docx) and PDF (reportlab), from ``build_letter``'s
dict. Text goes in as text runs (DOCX) or XML-escaped paragraphs (PDF), never as markup.

Exports: render_docx(letter) -> bytes, render_pdf(letter) -> bytes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

__all__ = ["render_docx", "render_pdf"]

Row = Mapping[str, Any]


def _entry_lines(e: Row, labels: Row) -> list[tuple[str, str]]:
    quote = f"“{e['quote']}”" if e["found"] else e["quote"]
    if e["where"]:
        quote = f"{quote} ({e['where']})"
    lines = [(labels["citation"], e["citation"]), (labels["finding"], e["finding"])]
    if e["model_text"]:
        lines.append((labels["model_text"], f"“{e['model_text']}”"))
    lines += [(e["quote_label"], quote), (labels["correction"], e["correction"])]
    if e["note"]:
        lines.append((labels["note"], e["note"]))
    return lines


def _clean(text: object) -> str:
    """Drop characters XML 1.0 (DOCX) cannot hold."""
    return "".join(
        c for c in str(text) if c in "\t\n\r" or (ord(c) >= 32 and ord(c) not in (0xFFFE, 0xFFFF))
    )


def render_docx(letter: Row) -> bytes:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)
    doc.core_properties.title = _clean(letter["subject"])
    doc.core_properties.author = _clean(letter["sender"])
    doc.add_paragraph(_clean("\n".join([letter["sender"], *letter["sender_address"]])))
    doc.add_paragraph(_clean(letter["date"]))
    doc.add_paragraph(_clean(letter["addressee"]))
    subject = doc.add_paragraph()
    subject.add_run(_clean(f"Re: {letter['subject']}")).bold = True
    doc.add_paragraph(_clean(letter["salutation"]))
    doc.add_paragraph(_clean(letter["opening"]))
    labels = letter["labels"]
    for section in letter["sections"]:
        doc.add_heading(_clean(section["heading"]), level=2)
        for n, e in enumerate(section["entries"], 1):
            doc.add_heading(_clean(f"{n}. {e['title']}"), level=3)
            for label, value in _entry_lines(e, labels):
                para = doc.add_paragraph(style="List Bullet")
                para.add_run(_clean(f"{label}: ")).bold = True
                para.add_run(_clean(value))
    for key in ("deadline", "closing", "signoff"):
        doc.add_paragraph(_clean(letter[key]))
    doc.add_paragraph(_clean(f"{letter['signer']}\n{letter['signer_title']}"))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _p(text: object) -> str:
    return escape(str(text)).replace("\n", "<br/>")


def render_pdf(letter: Row) -> bytes:
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    body, h2, h3 = styles["BodyText"], styles["Heading2"], styles["Heading3"]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=LETTER,
        leftMargin=inch,
        rightMargin=inch,
        topMargin=inch,
        bottomMargin=inch,
        title=str(letter["subject"]),
        author=str(letter["sender"]),
    )
    story: list[Any] = [
        Paragraph(_p("\n".join([letter["sender"], *letter["sender_address"]])), body),
        Spacer(1, 8),
        Paragraph(_p(letter["date"]), body),
        Paragraph(_p(letter["addressee"]), body),
        Spacer(1, 8),
        Paragraph(f"<b>{_p('Re: ' + letter['subject'])}</b>", body),
        Paragraph(_p(letter["salutation"]), body),
        Paragraph(_p(letter["opening"]), body),
    ]
    labels = letter["labels"]
    for section in letter["sections"]:
        story.append(Paragraph(_p(section["heading"]), h2))
        for n, e in enumerate(section["entries"], 1):
            story.append(Paragraph(_p(f"{n}. {e['title']}"), h3))
            bullets = [
                ListItem(Paragraph(f"<b>{_p(label)}:</b> {_p(value)}", body), leftIndent=12)
                for label, value in _entry_lines(e, labels)
            ]
            story.append(ListFlowable(bullets, bulletType="bullet", start="•", leftIndent=12))
    for key in ("deadline", "closing", "signoff"):
        story += [Spacer(1, 6), Paragraph(_p(letter[key]), body)]
    story.append(Paragraph(_p(f"{letter['signer']}\n{letter['signer_title']}"), body))
    doc.build(story)
    return out.getvalue()
