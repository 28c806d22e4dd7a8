"""Render a policy text to PDF (reportlab) and DOCX (python-docx) for ingest tests.

Exports:
    render_pdf(text, path, ...) -> PdfInfo   -- wrapped paragraphs, running header, page footer
    render_docx(text, path) -> DocxInfo      -- outline labels become real Word list numbering
    parse_label(line) -> ParsedLine          -- split a source line into indent, label, text
    PdfInfo, DocxInfo, ParsedLine

The PDF renderer treats every non-blank source line as a paragraph, wraps it to the page
width, keeps its leading indentation as an x offset (one space = the width of a space), adds
a gap for blank source lines, and flows lines over pages without keeping paragraphs together,
so long paragraphs split across page breaks (``PdfInfo.splits`` lists them).

The DOCX renderer starts a paragraph after a blank line, at a labeled or bulleted line and at
a markdown heading; other lines continue the paragraph after a line break. It strips a
markdown list marker (``- ``), a literal bullet (``•``) and an
outline label (``IV.``, ``A.``, ``1.``, ``iv.``, ``a.``, ``(a)``, ``(1)``) from each line and
lets Word generate the label from numbering definitions it adds to ``numbering.xml``: one
abstract numbering per combination of level formats, a ``w:num`` with ``w:startOverride``
when a sequence restarts, and the level from the indentation (two spaces per level).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document as new_docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from reportlab.lib.pagesizes import letter
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

__all__ = ["PdfInfo", "DocxInfo", "ParsedLine", "render_pdf", "render_docx", "parse_label"]

FONT = "Helvetica"
FONT_SIZE = 10.0
LEADING = 14.0
MARGIN = 72.0


@dataclass(frozen=True)
class PdfInfo:
    """What render_pdf drew: page count and the paragraphs split over a page break."""

    pages: int
    splits: tuple[tuple[str, str], ...]  # (last line on page n, first line on page n+1)
    header: str


def _wrap(text: str, width: float) -> list[str]:
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and stringWidth(candidate, FONT, FONT_SIZE) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _layout(text: str, lines_per_page: int) -> list[list[tuple[float, str, int]]]:
    """Pages of (indent in points, line text, paragraph index); -1 marks a blank gap."""
    page_width = letter[0] - 2 * MARGIN
    space = stringWidth(" ", FONT, FONT_SIZE)
    pages: list[list[tuple[float, str, int]]] = [[]]
    for index, source in enumerate(text.splitlines()):
        if not source.strip():
            if pages[-1] and pages[-1][-1][2] != -1:
                pages[-1].append((0.0, "", -1))
            continue
        indent = (len(source) - len(source.lstrip(" "))) * space
        for piece in _wrap(source.strip(), page_width - indent):
            if len(pages[-1]) >= lines_per_page:
                pages.append([])
            pages[-1].append((indent, piece, index))
    return [[row for row in page] for page in pages if any(r[2] != -1 for r in page)]


def _splits(pages: list[list[tuple[float, str, int]]]) -> tuple[tuple[str, str], ...]:
    found = []
    for before, after in zip(pages, pages[1:], strict=False):
        if before[-1][2] != -1 and before[-1][2] == after[0][2]:
            found.append((before[-1][1], after[0][1]))
    return tuple(found)


def render_pdf(
    text: str,
    path: str | Path,
    *,
    header: str = "Lakeville Police Department  Policy Manual",
    footer_page_numbers: bool = True,
    lines_per_page: int = 40,
    encrypt: str | None = None,
) -> PdfInfo:
    """Draw ``text`` as a letter-size PDF at ``path`` and say what was drawn."""
    pages = _layout(text, lines_per_page)
    width, height = letter
    canvas = Canvas(str(path), pagesize=letter, encrypt=encrypt, invariant=1)
    for number, rows in enumerate(pages, start=1):
        canvas.setFont(FONT, 9)
        if header:
            canvas.drawString(MARGIN, height - 36, header)
        if footer_page_numbers:
            canvas.drawRightString(width - MARGIN, 30, f"Page {number} of {len(pages)}")
        canvas.setFont(FONT, FONT_SIZE)
        y = height - MARGIN
        for indent, piece, _ in rows:
            if piece:
                canvas.drawString(MARGIN + indent, y, piece)
            y -= LEADING
        canvas.showPage()
    canvas.save()
    return PdfInfo(pages=len(pages), splits=_splits(pages), header=header)


# ---------------------------------------------------------------- DOCX

_ROMAN = re.compile(r"^(?=[ivxlc]+$)c{0,3}(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_LABEL = re.compile(
    r"^(?:\((?P<paren>[A-Za-z]{1,4}|\d{1,3})\)|(?P<dot>[A-Za-z]{1,4}|\d{1,3})\.)(?:\s+|$)"
)
_MARKER = re.compile(r"^(?:[-*]\s+)?(?:•\s*)?")


@dataclass(frozen=True)
class ParsedLine:
    """A source line split into its level, label parts and text."""

    level: int
    fmt: str  # decimal, upperRoman, lowerRoman, upperLetter, lowerLetter, bullet, or ""
    value: int
    pattern: str  # lvlText such as "%1." or "(%1)"
    text: str

    @property
    def label(self) -> str:
        if self.fmt == "bullet":
            return "-"
        if not self.fmt:
            return ""
        return self.pattern.replace("%1", _format(self.value, self.fmt))


def _roman_value(token: str) -> int:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    total = 0
    for here, nxt in zip(token, token[1:] + " ", strict=False):
        value = values[here]
        total += -value if nxt != " " and values[nxt] > value else value
    return total


def _format(value: int, fmt: str) -> str:
    if fmt == "decimal":
        return str(value)
    if fmt in ("lowerLetter", "upperLetter"):
        letter_ = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter_ if fmt == "lowerLetter" else letter_.upper()
    numerals = [(100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix")]
    numerals += [(5, "v"), (4, "iv"), (1, "i")]
    out = ""
    for amount, numeral in numerals:
        while value >= amount:
            out, value = out + numeral, value - amount
    return out if fmt == "lowerRoman" else out.upper()


def _classify(token: str, previous: dict[bool, str]) -> tuple[str, int]:
    if token.isdigit():
        return "decimal", int(token)
    upper = token.isupper()
    low = token.lower()
    prior = previous.get(upper, "")
    letter_like = len(low) == 1 and prior and ord(low) == ord(prior) + 1
    if _ROMAN.match(low) and (len(low) > 1 or (low in "ivx" and not letter_like)):
        return ("upperRoman" if upper else "lowerRoman"), _roman_value(low)
    if len(set(low)) != 1:
        raise ValueError(f"not an outline label: {token!r}")
    return ("upperLetter" if upper else "lowerLetter"), (ord(low[0]) - 96) + 26 * (len(low) - 1)


def parse_label(line: str, previous: dict[bool, str] | None = None) -> ParsedLine:
    """Split ``line`` into indentation level, label format/value/pattern and text.

    ``previous`` maps is-uppercase to the last single-letter label seen, to tell the
    letter ``i.`` (after ``h.``) from the roman numeral ``i.``.
    """
    indent = len(line) - len(line.lstrip(" "))
    body = line.strip()
    marker = _MARKER.match(body)
    has_marker = bool(marker and marker.group(0))
    rest = body[marker.end() :] if marker else body
    found = _LABEL.match(rest)
    if found:
        token = found.group("paren") or found.group("dot")
        try:
            fmt, value = _classify(token, previous or {})
        except ValueError:
            found = None
    if found:
        pattern = "(%1)" if found.group("paren") else "%1."
        return ParsedLine(indent // 2, fmt, value, pattern, rest[found.end() :].strip())
    if has_marker and body.startswith(("- ", "* ", "•")):
        return ParsedLine(indent // 2, "bullet", 1, "", rest.strip())
    return ParsedLine(indent // 2, "", 0, "", body)


@dataclass
class _Lists:
    """Numbering definitions added so far and the simulated counters of each w:num."""

    numbering: object
    formats: dict[tuple[tuple[str, str], ...], int] = field(default_factory=dict)
    current: int = 0  # numId in use
    current_levels: tuple[tuple[str, str], ...] = ()
    counters: dict[int, dict[int, int]] = field(default_factory=dict)
    next_abstract: int = 100
    next_num: int = 100


def _lvl(level: int, fmt: str, pattern: str, start: int) -> object:
    lvl = OxmlElement("w:lvl")
    lvl.set(qn("w:ilvl"), str(level))
    for tag, value in (("w:start", str(start)), ("w:numFmt", fmt)):
        child = OxmlElement(tag)
        child.set(qn("w:val"), value)
        lvl.append(child)
    text = OxmlElement("w:lvlText")
    text.set(qn("w:val"), "\u2022" if fmt == "bullet" else pattern.replace("%1", f"%{level + 1}"))
    lvl.append(text)
    ppr = OxmlElement("w:pPr")
    ind = OxmlElement("w:ind")
    ind.set(qn("w:left"), str(720 * (level + 1)))
    ind.set(qn("w:hanging"), "360")
    ppr.append(ind)
    lvl.append(ppr)
    return lvl


def _add_abstract(lists: _Lists, levels: tuple[tuple[str, str], ...]) -> int:
    abstract_id = lists.next_abstract
    lists.next_abstract += 1
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), str(abstract_id))
    for level, (fmt, pattern) in enumerate(levels):
        abstract.append(_lvl(level, fmt or "decimal", pattern or "%1.", 1))
    numbering = lists.numbering
    first_num = numbering.find(qn("w:num"))  # type: ignore[attr-defined]
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)  # type: ignore[attr-defined]
    return abstract_id


def _add_num(lists: _Lists, abstract_id: int, override: tuple[int, int] | None) -> int:
    num_id = lists.next_num
    lists.next_num += 1
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(num_id))
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), str(abstract_id))
    num.append(ref)
    counters: dict[int, int] = {}
    if override:
        level, start = override
        lvl_override = OxmlElement("w:lvlOverride")
        lvl_override.set(qn("w:ilvl"), str(level))
        start_override = OxmlElement("w:startOverride")
        start_override.set(qn("w:val"), str(start))
        lvl_override.append(start_override)
        num.append(lvl_override)
        counters[-1 - level] = start  # pending start for that level
    lists.numbering.append(num)  # type: ignore[attr-defined]
    lists.counters[num_id] = counters
    return num_id


def _simulate(counters: dict[int, int], level: int) -> int:
    if level in counters:
        return counters[level] + 1
    return counters.get(-1 - level, 1)


def _advance(counters: dict[int, int], level: int) -> None:
    counters[level] = _simulate(counters, level)
    counters.pop(-1 - level, None)
    for deeper in [k for k in counters if k > level]:
        del counters[deeper]


def _num_for(lists: _Lists, parsed: ParsedLine) -> int:
    """Pick (creating if needed) the w:num whose next label at the level is the wanted one."""
    want = (parsed.fmt, parsed.pattern)
    levels = list(lists.current_levels) + [("", "")] * (9 - len(lists.current_levels))
    same_format = lists.current and levels[parsed.level] == want
    if not same_format:
        levels[parsed.level] = want
        key = tuple(levels)
        if key not in lists.formats:
            lists.formats[key] = _add_abstract(lists, key)
        lists.current_levels = key
        lists.current = _add_num(lists, lists.formats[key], (parsed.level, parsed.value))
    elif _simulate(lists.counters[lists.current], parsed.level) != parsed.value:
        abstract = lists.formats[lists.current_levels]
        lists.current = _add_num(lists, abstract, (parsed.level, parsed.value))
    _advance(lists.counters[lists.current], parsed.level)
    return lists.current


def _number(paragraph: object, num_id: int, level: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()  # type: ignore[attr-defined]
    numpr = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", level), ("w:numId", num_id)):
        child = OxmlElement(tag)
        child.set(qn("w:val"), str(value))
        numpr.append(child)
    ppr.append(numpr)


@dataclass(frozen=True)
class DocxInfo:
    """What render_docx wrote: the generated labels in order and the paragraph count."""

    labels: tuple[str, ...]
    paragraphs: int


def render_docx(text: str, path: str | Path) -> DocxInfo:
    """Write ``text`` as a DOCX at ``path``; outline labels become Word list numbering."""
    document = new_docx()
    lists = _Lists(numbering=document.part.numbering_part.element)
    previous: dict[bool, str] = {}
    labels: list[str] = []
    count = 0
    current = None
    for source in text.splitlines():
        if not source.strip():
            current = None
            continue
        parsed = parse_label(source, previous)
        if current is not None and not parsed.fmt and not source.lstrip().startswith("#"):
            current.add_run().add_break()  # a continuation line: a line break in the paragraph
            current.add_run(source.strip())
            continue
        if parsed.fmt.endswith("Letter") and len(parsed.label) <= 3:
            previous[parsed.fmt.startswith("upper")] = _format(parsed.value, "lowerLetter")
        current = document.add_paragraph(parsed.text)
        count += 1
        if parsed.fmt:
            _number(current, _num_for(lists, parsed), parsed.level)
            labels.append(parsed.label)
    document.save(str(path))
    return DocxInfo(labels=tuple(labels), paragraphs=count)
