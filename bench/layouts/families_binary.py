"""Binary and page-furniture layout families: the same policy as PDF, DOCX and paged text exports.

Each family re-publishes a clean policy text without changing a word of it: every non-blank
source line is a paragraph (its leading spaces become an indent), drawn the way a word
processor or a policy-manual publisher would. PDF families vary font, size, leading,
paragraph spacing, justification, columns, first-line and hanging indents and running
headers/footers; DOCX families use Word's automatic numbering, typed labels, a definitions
table, tracked changes, a text box, a footnote and fields; text families are exports cut into
pages with furniture (Lexipol footers, "Page 3 of 9", "507.5-3"), often mid-paragraph.
Families marked ``held_out`` were never used while tuning the reader.

Exports: FAMILIES (list[Family]), draw_pdf(paragraphs, style) -> bytes, PdfStyle,
paragraphs(text) -> list[(indent, text)].
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from random import Random

from bench.layouts.family import Family, Source

__all__ = ["FAMILIES", "PdfStyle", "draw_pdf", "paragraphs"]


def paragraphs(text: str) -> list[tuple[int, str]]:
    """(indent in spaces, text) of each non-blank line of the source."""
    out = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip():
            out.append((len(line) - len(line.lstrip(" ")), " ".join(line.split())))
    return out


# ---------------------------------------------------------------- PDF


@dataclass(frozen=True)
class PdfStyle:
    """How a PDF family draws its paragraphs (sizes in points)."""

    font: str = "Helvetica"
    size: float = 10.0
    leading: float = 12.0
    after: float = 6.0  # space after a paragraph
    justify: bool = False
    columns: int = 1
    gutter: float = 24.0
    first_indent: float = 0.0  # first-line indent of unlabelled paragraphs
    hanging: bool = False  # a labelled paragraph's lines after the first align after the label
    header: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()  # "{page}" and "{pages}" are filled in
    margin: float = 72.0


_LABEL = re.compile(r"^(?:\(?[0-9A-Za-z]{1,6}[.)]|[\u2022\u25cf\u25aa-]|[\d.]+:?)\s")


def _wrap(words: list[str], width: float, first: float, rest: float, style: PdfStyle) -> list:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[list[str]] = []
    current: list[str] = []
    for word in words:
        limit = width - (first if not lines else rest)
        candidate = " ".join([*current, word])
        if current and stringWidth(candidate, style.font, style.size) > limit:
            lines.append(current)
            current = [word]
        else:
            current.append(word)
    if current:
        lines.append(current)
    return lines


def draw_pdf(paras: list[tuple[int, str]], style: PdfStyle) -> bytes:
    """Draw ``paras`` ((indent in spaces, text)) as a letter-size PDF in ``style``."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    width, height = letter
    body_width = width - 2 * style.margin
    col_width = (body_width - (style.columns - 1) * style.gutter) / style.columns
    space = stringWidth(" ", style.font, style.size)
    top = height - style.margin - (14 if style.header else 0)
    bottom = style.margin + (14 * len(style.footer) if style.footer else 0)
    # lay out: (page, column, y, x, words, justify width or 0)
    placed: list[tuple[int, int, float, float, list[str], float]] = []
    page, column, y = 0, 0, top
    for indent, text in paras:
        x_indent = indent * space
        label = _LABEL.match(text)
        first = x_indent + (style.first_indent if not label and not indent else 0.0)
        rest = x_indent
        if style.hanging and label:
            rest = x_indent + stringWidth(label.group(0), style.font, style.size)
        lines = _wrap(text.split(), col_width, first, rest, style)
        for number, words in enumerate(lines):
            if y - style.leading < bottom:
                column += 1
                if column >= style.columns:
                    page, column = page + 1, 0
                y = top
            y -= style.leading
            x = style.margin + column * (col_width + style.gutter)
            x += first if number == 0 else rest
            last = number == len(lines) - 1
            fill = col_width - (first if number == 0 else rest) if style.justify and not last else 0
            placed.append((page, column, y, x, words, fill))
        y -= style.after
    pages = page + 1
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    for number in range(pages):
        canvas.setFont(style.font, style.size - 1)
        for k, line in enumerate(style.header):
            canvas.drawString(style.margin, height - 40 - 11 * k, line)
        for k, line in enumerate(style.footer):
            text = line.format(page=number + 1, pages=pages)
            canvas.drawString(style.margin, 36 + 11 * (len(style.footer) - 1 - k), text)
        canvas.setFont(style.font, style.size)
        for pg, _, y, x, words, fill in placed:
            if pg != number:
                continue
            if not fill or len(words) < 2:
                canvas.drawString(x, y, " ".join(words))
                continue
            used = sum(stringWidth(w, style.font, style.size) for w in words)
            gap = (fill - used) / (len(words) - 1)
            for word in words:
                canvas.drawString(x, y, word)
                x += stringWidth(word, style.font, style.size) + gap
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _pdf(style: PdfStyle):  # type: ignore[no-untyped-def]
    def render(source: Source, rng: Random) -> tuple[str, bytes]:
        return ".pdf", draw_pdf(paragraphs(source.text), style)

    return render


def _lexipol(style: PdfStyle, agency: str = "Hutchinson Police Department") -> PdfStyle:
    return replace(
        style,
        header=(f"{agency}", "Policy Manual"),
        footer=(
            "Copyright Lexipol, LLC 2025/01/15, All Rights Reserved.",
            f"Published with permission by {agency}",
            "School Resource Officer - {page}",
        ),
    )


# ---------------------------------------------------------------- DOCX


def _docx_bytes(document: object) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()


def _docx_typed(source: Source, rng: Random) -> tuple[str, bytes]:
    """Typed labels, one paragraph per source line, a header and footer part."""
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "School Resource Officer Policy"
    section.footer.paragraphs[0].text = "Page 1"
    for indent, text in paragraphs(source.text):
        paragraph = document.add_paragraph(text)
        paragraph.paragraph_format.left_indent = indent * 36000
    return ".docx", _docx_bytes(document)


def _docx_numbered(source: Source, rng: Random) -> tuple[str, bytes]:
    """Labels generated by Word's automatic numbering (the test renderer)."""
    import tempfile
    from pathlib import Path

    from tests.fixtures_render import render_docx

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "policy.docx"
        render_docx(source.text, path)
        return ".docx", path.read_bytes()


_DEFINITION = re.compile(
    r"^(?P<term>(?:\S+\s+)?[\"\u201c][^\"\u201d]{1,60}[\"\u201d])\s+(?P<rest>.+)$"
)


def _docx_table(source: Source, rng: Random) -> tuple[str, bytes]:
    """Definitions ("X" means ...) as a Term | Definition table, the rest as paragraphs."""
    import docx

    document = docx.Document()
    table = None
    for _indent, text in paragraphs(source.text):
        found = _DEFINITION.match(text)
        if found:
            if table is None:
                table = document.add_table(rows=0, cols=2)
            cells = table.add_row().cells
            cells[0].text, cells[1].text = found.group("term"), found.group("rest")
            continue
        table = None
        document.add_paragraph(" " * 0 + text)
    return ".docx", _docx_bytes(document)


def _tracked(paragraph: object, text: str, rng: Random, kind: str) -> None:
    """Write ``text`` into ``paragraph`` with one word inside a tracked insertion and a
    deleted word (``kind`` "ins") or a field / footnote-free variant (``kind`` "field")."""
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    words = text.split(" ")
    cut = rng.randrange(len(words))
    before, word, after = " ".join(words[:cut]), words[cut], " ".join(words[cut + 1 :])
    before = before + " " if before else ""
    after = " " + after if after else ""
    run = '<w:r {ns}><w:t xml:space="preserve">{t}</w:t></w:r>'
    ns = nsdecls("w")
    p = paragraph._p  # type: ignore[attr-defined]
    stamp = f'w:author="a" w:date="2025-01-01T00:00:00Z" w:id="{rng.randrange(10**6)}"'
    if before:
        p.append(parse_xml(run.format(ns=ns, t=escape(before))))
    if kind == "ins":
        p.append(
            parse_xml(
                f"<w:del {ns} {stamp}>"
                '<w:r><w:delText xml:space="preserve">REMOVEDWORD </w:delText></w:r></w:del>'
            )
        )
        p.append(
            parse_xml(
                f"<w:ins {ns} {stamp}>"
                f'<w:r><w:t xml:space="preserve">{escape(word)}</w:t></w:r></w:ins>'
            )
        )
    else:
        p.append(
            parse_xml(
                f'<w:fldSimple {ns} w:instr=" DOCPROPERTY Word ">'
                f'<w:r><w:t xml:space="preserve">{escape(word)}</w:t></w:r></w:fldSimple>'
            )
        )
    if after:
        p.append(parse_xml(run.format(ns=ns, t=escape(after))))


def _docx_changes(kind: str):  # type: ignore[no-untyped-def]
    def render(source: Source, rng: Random) -> tuple[str, bytes]:
        import docx

        document = docx.Document()
        for _indent, text in paragraphs(source.text):
            paragraph = document.add_paragraph()
            _tracked(paragraph, text, rng, kind)
        return ".docx", _docx_bytes(document)

    return render


# ---------------------------------------------------------------- paged text exports


def _wrap_text(indent: int, text: str, width: int, hanging: bool) -> list[str]:
    label = _LABEL.match(text)
    pad = " " * indent
    rest_pad = pad + (" " * len(label.group(0)) if hanging and label else "")
    lines: list[str] = []
    current = ""
    for word in text.split():
        prefix = pad if not lines else rest_pad
        candidate = f"{current} {word}" if current else word
        if current and len(prefix) + len(candidate) > width:
            lines.append(prefix + current)
            current = word
        else:
            current = candidate
    if current:
        lines.append((pad if not lines else rest_pad) + current)
    return lines


def _paged_text(
    footer: tuple[str, ...],
    header: tuple[str, ...] = (),
    *,
    width: int = 0,
    hanging: bool = False,
    per_page: int = 45,
    form_feed: bool = True,
):  # type: ignore[no-untyped-def]
    """A text export cut into pages of ``per_page`` lines, wherever that falls (often
    mid-paragraph), with ``header`` and ``footer`` lines on each page."""

    def render(source: Source, rng: Random) -> tuple[str, bytes]:
        body: list[str] = []
        for indent, text in paragraphs(source.text):
            body.extend(
                _wrap_text(indent, text, width, hanging) if width else [" " * indent + text]
            )
            body.append("")
        pages = [body[i : i + per_page] for i in range(0, len(body), per_page)]
        out: list[str] = []
        for number, page in enumerate(pages, start=1):
            fill = {"page": number, "pages": len(pages)}
            if number > 1:
                out.extend(line.format(**fill) for line in header)
                out.append("")
            out.extend(page)
            out.append("")
            out.extend(line.format(**fill) for line in footer)
            if number < len(pages):
                out.append("\f" if form_feed else "")
        return ".txt", "\n".join(out).encode("utf-8")

    return render


_LEXIPOL_TEXT = (
    "Copyright Lexipol, LLC 2025/01/15, All Rights Reserved.",
    "Published with permission by Hutchinson Police Department",
    "Policy 1003 - School Resource Officer - {page}",
)

# ---------------------------------------------------------------- the families

_WORD = PdfStyle(font="Times-Roman", size=10.5, leading=12.1, after=6.0)

FAMILIES: list[Family] = [
    Family("pdf-helvetica-10", "pdf", False, _pdf(PdfStyle()), "Helvetica 10/12, 6 pt after"),
    Family("pdf-word-10.5", "pdf", False, _pdf(_WORD), "Word's Times 10.5/12.1, 6 pt after"),
    Family(
        "pdf-justified-times-11",
        "pdf",
        False,
        _pdf(PdfStyle(font="Times-Roman", size=11, leading=13.5, after=4, justify=True)),
        "justified Times 11/13.5",
    ),
    Family(
        "pdf-two-column",
        "pdf",
        False,
        _pdf(PdfStyle(size=9, leading=11, after=5, columns=2)),
        "two columns, Helvetica 9/11",
    ),
    Family(
        "pdf-lexipol-furniture",
        "pdf",
        False,
        _pdf(_lexipol(PdfStyle(size=10, leading=12.5, after=5))),
        "running header, Lexipol copyright footer and page number",
    ),
    Family(
        "pdf-first-line-indent",
        "pdf",
        True,
        _pdf(PdfStyle(font="Times-Roman", size=11, leading=13, after=0, first_indent=24)),
        "no paragraph spacing; first-line indents",
    ),
    Family(
        "pdf-courier-tight",
        "pdf",
        True,
        _pdf(PdfStyle(font="Courier", size=9, leading=10, after=3)),
        "Courier 9/10, 3 pt after",
    ),
    Family(
        "pdf-large-hanging",
        "pdf",
        True,
        _pdf(PdfStyle(size=13, leading=16, after=8, hanging=True, header=("Policy Manual",))),
        "Helvetica 13/16 with hanging indents and a running header",
    ),
    Family(
        "pdf-two-column-justified",
        "pdf",
        True,
        _pdf(PdfStyle(font="Times-Roman", size=9.5, leading=11, after=4, columns=2, justify=True)),
        "two justified columns",
    ),
    Family("docx-numbered", "docx", False, _docx_numbered, "Word automatic numbering"),
    Family("docx-typed-labels", "docx", False, _docx_typed, "typed labels, header and footer"),
    Family("docx-definitions-table", "docx", False, _docx_table, "definitions as a table"),
    Family("docx-tracked-changes", "docx", False, _docx_changes("ins"), "tracked changes"),
    Family("docx-fields", "docx", True, _docx_changes("field"), "one word per paragraph a field"),
    Family(
        "text-lexipol-footer",
        "text",
        False,
        _paged_text(_LEXIPOL_TEXT, ("Hutchinson Police Department", "Policy Manual")),
        "Lexipol footer and header, pages at form feeds, mid-paragraph breaks",
    ),
    Family(
        "text-page-of-wrapped",
        "text",
        False,
        _paged_text(("Page {page} of {pages}",), width=78, form_feed=False),
        "wrapped at 78, 'Page 3 of 9' footers, no form feeds",
    ),
    Family(
        "text-507-footer-hanging",
        "text",
        True,
        _paged_text(("507.5-{page}",), width=70, hanging=True, per_page=50),
        "wrapped at 70 with hanging indents, '507.5-3' footers",
    ),
    Family(
        "text-lexipol-wrapped",
        "text",
        True,
        _paged_text(_LEXIPOL_TEXT, width=90, per_page=40, form_feed=False),
        "wrapped at 90, Lexipol footers without form feeds",
    ),
]
