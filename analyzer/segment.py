"""Segment an ingested document into a clause tree.

The document's own outline labels (``IV.``, ``A.``, ``1.``, ``iv.``, ``(a)``, ``436.3.1``,
``Order 417.2:``), bullets and headings become a tree whose refs are the labels joined by dots
(``IV.A.1.iv``); an unlabeled paragraph or bullet gets its 1-based position in its parent.
Page furniture is already gone (``analyzer.ingest`` strips it once, for every format; its
texts become the tree's ``noise``), and a policy attached after the first (``Attachments``)
becomes its own subtree under ``Attachment``. Lines become blocks here (a label, bullet or
blank line starts one); ``analyzer.outline`` builds the tree from the blocks.

Exports: segment(document) -> ClauseTree, segment_text(text) -> ClauseTree,
parse_label(text) -> ParsedLabel | None, strip_noise(lines) -> (lines, noise texts),
list_marker_before_number(body) -> str | None (the Markdown list marker the reading drops).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from . import furniture
from .label_path import best_readings
from .labels import BULLET_GLYPHS as _BULLET_GLYPHS
from .labels import BULLET_RE as _BULLET_RE
from .labels import MD_HEADING_RE as _MD_HEADING_RE
from .labels import ParsedLabel, parse_label
from .model import ClauseTree, Document, Line
from .outline import Block as _Block
from .outline import build_clauses
from .outline import ends_open as _ends_open
from .outline import is_prefix as _is_prefix
from .outline import plain as _plain
from .outline_shapes import and_or_after_semicolon as _and_or_after_semicolon

__all__ = [
    "segment",
    "segment_text",
    "parse_label",
    "strip_noise",
    "ParsedLabel",
    "list_marker_before_number",
]

# ---------------------------------------------------------------------------------------------
# Noise: running headers, footers, page numbers, markdown rules in extracted text

_MD_ORDERED_RE = re.compile(r"\d{1,9}[.)]")  # a Markdown ordered-list marker: 1-9 digits
_MD_LINK_RE = re.compile(r"\[([^\[\]]*)\]\([^()\s]*\)")  # linear: no run of "[" rescanned
_RUN_IN_RE = re.compile(r"\*\*[^*]{1,80}(?::\*\*|\*\*:)")
_LONE_GLYPHS = frozenset(_BULLET_GLYPHS) - {"-", "*"} | {"o"}  # "-" alone may be a rule
_BULLET_FIRST = frozenset(_BULLET_GLYPHS) | {"o"}  # what a bullet (BULLET_RE) starts with


def strip_noise(lines: Sequence[Line]) -> tuple[tuple[Line, ...], tuple[str, ...]]:
    """Drop page furniture with ``analyzer.furniture`` (page numbers, boilerplate, running
    headers and footers, markdown rules; a header glued to a heading is cut off; never a
    line of a sentence) and return the texts removed, once each."""
    kept, removed = furniture.strip(lines)
    return kept, tuple(dict.fromkeys(p for p in (_plain(r.text) for r in removed) if p))


# ---------------------------------------------------------------------------------------------
# Blocks: a label, bullet or blank line starts a block; wrapped lines continue it


def _strip_markup(text: str) -> tuple[str, str, int]:
    """Return (text without bullets/markdown heading marks, the bullet's glyph or "",
    markdown level). A glyph alone on its line is an empty bullet."""
    t = text.strip()
    if t in _LONE_GLYPHS:
        return "", t, 0
    if "](" in t:
        t = _MD_LINK_RE.sub(r"\1", t)
    md = 0
    m = _MD_HEADING_RE.match(t) if t.startswith("#") else None
    if m:
        md = len(m.group(1))
        t = t[m.end() :]
    bullet = ""
    m = _BULLET_RE.match(t) if t[:1] in _BULLET_FIRST else None  # a glyph or "o" first
    if m:
        bullet = m.group().split()[-1]
        t = t[m.end() :]
    if t.startswith("**") and "**" in t[2:]:
        inner_end = t.index("**", 2)
        inner = t[2:inner_end]
        lab = parse_label(inner.strip())
        after = t[inner_end + 2 :].strip()
        if lab is not None and (not after or not lab.rest):  # "**Order 417.6 Use of Force**"
            t = f"{inner.strip()} {after}".strip()  # or "**A.** text"
    return t, bullet, md


_WIDEST_WRAP = 130  # no one hard-wraps text wider than this
_UNWRAPPED_SHARE = 0.1  # more lines than this beyond it: one paragraph per line


def _wrap_width(lines: Sequence[Line]) -> float:
    """The width of a full wrapped line (90th percentile of line lengths); infinite when
    the text is not hard-wrapped (a paragraph per line: many lines are wider than anyone
    wraps), so that every line ends before the margin."""
    lengths = sorted(len(ln.text.strip()) for ln in lines if ln.text.strip())
    if not lengths:
        return 0
    if sum(n > _WIDEST_WRAP for n in lengths) > _UNWRAPPED_SHARE * len(lengths):
        return float("inf")
    return lengths[int(0.9 * (len(lengths) - 1))]


_ALIGNMENT_CELL = re.compile(r"^:?-{3,}:?$")


def _table_cells(text: str) -> list[str] | None:
    """The cells of a Markdown pipe-table row ("| Deliverable | Due by |"), or None."""
    t = text.strip()
    if not t.startswith("|") or t.count("|") < 2:
        return None
    return [c.strip() for c in t.strip("|").split("|")]


def _blocks(lines: Sequence[Line]) -> list[_Block]:
    blocks: list[_Block] = []
    after_blank = True
    prev_text = ""
    prev_indent = 0
    prev_md = 0
    short = 0.7 * _wrap_width(lines)
    for ln in lines:
        if not ln.text.strip():
            after_blank = True
            continue
        cells = _table_cells(ln.text) if "|" in ln.text else None
        if cells is not None:  # a pipe-table row is a paragraph; its alignment row is markup
            if not all(_ALIGNMENT_CELL.match(c) for c in cells):
                text = " | ".join(cells)
                # prev_open: a row is never read as a heading ("| Deliverable | Due by |")
                blocks.append(_Block([ln], text, 0, False, 0, None, True, True, table=True))
            after_blank, prev_text, prev_indent = True, "", 0
            continue
        body, glyph, md = _strip_markup(ln.text)
        bullet = bool(glyph)
        label = parse_label(body)
        if label is not None and label.rest:
            head = _MD_HEADING_RE.match(label.rest)
            if head:  # "1. ## Service": a list marker before a Markdown heading
                md = md or len(head.group(1))
                label = parse_label(f"{label.printed} {label.rest[head.end() :]}")
            elif (inner := _printed_number(label, body)) is not None:  # "1. 1.1. Access"
                body, label = label.rest, inner
        indent = len(ln.text) - len(ln.text.lstrip())
        # a short line ends its paragraph: the next capitalized line starts a new one, unless
        # the short line visibly runs on ("... dollars to the" / "Seller on the first ...")
        # or a sentence stops inside a name ("... on Business" / "Days."; not a heading)
        new_para = bool(prev_text) and len(prev_text) < short and body[:1].isupper()
        new_para = new_para and not _runs_on(prev_text, prev_md)
        # a bold run-in heading ("**School:** An ...") after a finished sentence starts one
        run_in = body.startswith("**") and _RUN_IN_RE.match(body) is not None
        new_para = new_para or (run_in and not _ends_open(prev_text))
        # ... and so does one after another such line ("**Status:** Accepted" / "**Date:** ...")
        new_para = new_para or (run_in and _RUN_IN_RE.match(prev_text) is not None)
        # a list item that ended (";", "; and", ":") well before the margin ends its block,
        # whatever the case of the next line ("...school officials;" / "providing advice")
        new_para = new_para or (bool(prev_text) and len(prev_text) < short and _item_end(prev_text))
        # a new indent after a lead-in (":") starts its list ("...include:" / " fostering")
        new_para = new_para or (indent != prev_indent and prev_text.rstrip("*").endswith(":"))
        # an indented unlabelled list item: after an item that ended (";"), a new indent
        # after a lead-in (":"), a shallower indent after a sentence (never a hanging
        # continuation, which goes deeper)
        if prev_text and body[:1].isupper() and (indent or prev_indent):
            ended = prev_text.rstrip("*").rstrip()
            new_para = new_para or ended.endswith(";")
            if indent != prev_indent:
                new_para = new_para or ended.endswith(":")
                new_para = new_para or (indent < prev_indent and not _ends_open(prev_text))
        starts = after_blank or bullet or md or label is not None or not blocks or new_para
        if starts:
            blocks.append(
                _Block(
                    [ln],
                    body,
                    indent,
                    bullet,
                    md,
                    label,
                    after_blank or new_para,
                    prev_open=not after_blank and not new_para and _ends_open(prev_text),
                    glyph=glyph,
                )
            )
        else:
            blk = blocks[-1]
            blk.lines.append(ln)
            blk.text = _join_wrapped(blk.text, body)
        after_blank = False
        prev_text = body
        prev_indent = indent
        prev_md = md
    for blk in blocks:  # the label's rest must cover the wrapped lines too
        if blk.label is not None and len(blk.lines) > 1:
            blk.label = parse_label(blk.text)
    _read_in_context([b for b in blocks if b.label is not None and not b.label.is_path])
    return blocks


def _read_in_context(labelled: Sequence[_Block]) -> None:
    """Settle each label's reading by the whole sequence (``analyzer.label_path``): the
    reading on the best path comes first (``i.`` before ``ii.`` is Roman, ``i.`` after
    ``h.`` a letter), and a label whose list goes on is marked ``continued`` (a list may
    start at 995)."""
    readings = best_readings([b.label.candidates for b in labelled if b.label is not None])
    for blk, (chosen, continued) in zip(labelled, readings, strict=True):
        lab = blk.label
        assert lab is not None
        blk.continued = continued
        if chosen:
            first = lab.candidates[chosen]
            rest = tuple(c for c in lab.candidates if c != first)
            blk.label = replace(lab, candidates=(first, *rest))


def _item_end(text: str) -> bool:
    """A list item's end: ";", ":", "; and" or "; or", then any "*" (the regex
    ``(?:[;:]|;\\s*(?:and|or))\\**$``, without trying every position of a long line)."""
    if text.endswith("\n"):
        text = text[:-1]  # as "$" does
    t = text.rstrip("*")
    return t.endswith((";", ":")) or (not t.endswith("\n") and _and_or_after_semicolon(t))


def _runs_on(text: str, heading: int = 0) -> bool:
    """A short line that visibly runs on: it ends with a word that cannot end a sentence
    ("... dollars to the"), or a sentence stops inside a capitalised name ("... by email on
    Business" / "Days."; never a Markdown heading). A comma does not: "... as soon as
    possible," ends an item."""
    if not heading and furniture.cut_in_name(text):
        return True
    return furniture.opens_tail(text) and not text.rstrip().rstrip("*").endswith(",")


def _join_wrapped(left: str, right: str) -> str:
    if (
        left.endswith("-")
        and right[:1].islower()
        and not re.search(r"\b(de|non|re|co|self|pre|post|anti|multi)-$", left)
    ):
        return left[:-1] + right
    return f"{left} {right}"


# ---------------------------------------------------------------------------------------------
# Front matter and the public functions


def _front_matter(blocks: list[_Block]) -> int:
    """How many leading blocks are the title block (not clauses)."""
    n = 0
    for i, blk in enumerate(blocks):
        lab = blk.label
        title_number = (
            lab is not None and lab.is_path and (i == 0 or _plain(lab.rest).isupper())
        )  # "507.5 SCHOOL RESOURCE OFFICERS" under the district's name
        if lab is not None and not title_number:
            break
        if blk.bullet or not _is_title_shaped(blk.text):
            break
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if nxt is None:
            break
        if lab is not None and nxt.label is None and not _is_title_shaped(nxt.text):
            break  # "Section 1: Scope" followed by its text is a section, not the title
        if lab is not None and nxt.label is not None and _is_prefix(lab.path, nxt.label.path):
            break  # "417.3 DEFINITIONS" followed by "417.3.A" is a section
        if i > 0 and nxt.label is None and not _is_title_shaped(nxt.text):
            break
        n = i + 1
    return n


def _is_title_shaped(text: str) -> bool:
    t = _plain(text)
    words = t.split()
    if not words or len(words) > 12 or t.endswith((";", ",")):
        return False
    return not (t.endswith(".") and not re.search(r"\b[A-Za-z]{1,5}\.$", t))


def _title_from(front: list[_Block]) -> str:
    for blk in front:
        m = re.match(r"^title\s*:\s*(.+)$", _plain(blk.text), re.I)
        if m:
            return m.group(1).strip()
    return _plain(front[0].text) if front else ""


def segment(document: Document) -> ClauseTree:
    """Build the clause tree of an ingested document. Its lines are already free of page
    furniture (``analyzer.ingest`` strips it, once, for every format); what was removed is
    the tree's ``noise``."""
    read = (_plain(r.text) for r in document.removed_lines)
    noise = tuple(dict.fromkeys(t for t in read if t))
    blocks = _blocks(document.lines)
    n_front = _front_matter(blocks)
    front = blocks[:n_front]
    clauses = build_clauses(blocks[n_front:])
    return ClauseTree(
        title=_title_from(front),
        clauses=clauses,
        front_matter=tuple(_plain(b.text) for b in front),
        noise=noise,
    )


def lines_from_text(text: str) -> tuple[Line, ...]:
    """Split plain text into Lines (pages at form feeds, line numbers within the page)."""
    out: list[Line] = []
    for p, page in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\f"), 1):
        for i, raw in enumerate(page.split("\n"), 1):
            out.append(Line(raw.rstrip(), p, i))
    return tuple(out)


def segment_text(text: str) -> ClauseTree:
    """Segment plain text (no file involved): page furniture stripped here, as ingest would."""
    lines, removed = furniture.strip(lines_from_text(text))
    doc = Document(path="<text>", sha256="", format="text", lines=lines, removed_lines=removed)
    return segment(doc)


def _printed_number(label: ParsedLabel, body: str) -> ParsedLabel | None:
    """The printed outline number after ``label`` (digits joined by dots) when ``label`` is a
    Markdown list marker before it (1-9 digits, "." or ")", then a space), as in "1. 1.1.
    Access": the marker is markup, the printed number the clause's label; else None ("0:X-0"
    keeps its "0:")."""
    printed = label.printed
    if label.is_path or not label.rest or _MD_ORDERED_RE.fullmatch(printed) is None:
        return None
    if not (body.startswith(printed) and body[len(printed) : len(printed) + 1].isspace()):
        return None
    inner = parse_label(label.rest)
    if inner is None or not inner.is_path or not all(p.isdigit() for p in inner.path):
        return None
    return inner


def list_marker_before_number(body: str) -> str | None:
    """The Markdown list marker the reading drops from ``body`` ("1." of "1. 1.1. Access"),
    or None."""
    label = parse_label(body)
    return label.printed if label is not None and _printed_number(label, body) else None
