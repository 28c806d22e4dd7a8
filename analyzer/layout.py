"""The reading model: lines -> blocks -> paragraphs, for every format.

Where the format has geometry (PDF character boxes), a page's text pieces are cut into columns
at a vertical gutter no piece crosses and read column by column; pieces on one baseline in one
column form a line; a paragraph ends where the baseline step passes the document's own line
leading (the smallest common step for that type size) by a margin, where the type size
changes, where a line is indented against both neighbours
(a first-line indent), or where a line that ends a sentence stops short of the column's right
edge by more than the next line's first word. At a page break only the last two cues apply,
and an open line (no closing punctuation) always continues. Where the format has no geometry
(text), the document's own wrap width plays the margin's part: a line that ends a sentence
where the next word would still have fitted ends its paragraph. Words hyphenated at a line end
are joined once here for text and PDF (kept prefixes are data in
``model_policy/hyphenation.json``).

Exports:
    Piece                                  -- a run of text on a PDF page with its geometry
    PdfPage                                -- one page: size and pieces in content order
    read_pages(pages, furniture) -> (lines, removed)  -- PDF pages to paragraph lines
    text_paragraphs(lines) -> lines        -- add the breaks a hard-wrapped text implies
    repair_hyphens(lines) -> lines         -- join words hyphenated at a line end
    misread_as_label(before, after) -> bool -- a wrapped line that looks like a new item
    next_item(head, before, after) -> bool  -- ...unless it continues the paragraph's list
    collapse_breaks(lines) -> lines        -- blank lines become single breaks, none at the ends
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

from .furniture import cites_on, ends_open, opens_tail
from .labels import BULLET_RE, parse_label
from .model import Line, RemovedLine

__all__ = [
    "Piece",
    "PdfPage",
    "read_pages",
    "text_paragraphs",
    "repair_hyphens",
    "collapse_breaks",
    "misread_as_label",
    "next_item",
]

_DATA = Path(__file__).resolve().parent.parent / "model_policy" / "hyphenation.json"
MARGIN_BAND = 0.08  # top and bottom share of a page where running headers and footers sit
_CLOSERS = "\"'\u201d\u2019)]"  # closing marks a sentence end may carry


def _ends_with(text: str, marks: str) -> bool:
    """``text`` ends with one of ``marks`` and then any closing marks; a regex anchored at
    the end would try every position of a long line."""
    if text.endswith("\n"):
        text = text[:-1]  # as "$" does
    last = text.rstrip(_CLOSERS)[-1:]
    return bool(last) and last in marks


@dataclass(frozen=True)
class Piece:
    """A run of text on one baseline; ``top``/``bottom``/``base`` measured down from the page
    top; ``size`` the font size (0 when unknown)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    base: float
    size: float


@dataclass(frozen=True)
class PdfPage:
    width: float
    height: float
    pieces: tuple[Piece, ...]


class _Row(NamedTuple):
    """A line of a page in reading order: its column's edges and its place (a named tuple:
    thousands are made per document, twice each)."""

    piece: Piece
    page: int
    line: int
    column: int
    left: float
    right: float
    margin: bool


# ---------------------------------------------------------------- columns and lines


def _gutter(pieces: Sequence[Piece], width: float) -> float | None:
    """The x of a vertical gutter in the middle half of the page that no piece crosses,
    with text on both sides beside each other; None for a single column."""
    if len(pieces) < 6:
        return None
    spans = sorted((p.x0, p.x1) for p in pieces)
    best: tuple[float, float] | None = None
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 > reach and 0.25 * width < (reach + x0) / 2 < 0.75 * width:
            if best is None or x0 - reach > best[1] - best[0]:
                best = (reach, x0)
        reach = max(reach, x1)
    if best is None or best[1] - best[0] < 0.02 * width:
        return None
    middle = (best[0] + best[1]) / 2
    left = [p for p in pieces if p.x1 <= middle]
    right = [p for p in pieces if p.x0 >= middle]
    if min(len(left), len(right)) < 0.2 * len(pieces):
        return None
    side_by_side = sum(1 for p in left if any(_same_band(p, q) for q in right[:200]))
    return middle if side_by_side >= 0.3 * min(len(left), len(right)) else None


def _same_band(a: Piece, b: Piece) -> bool:
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    return overlap > 0.5 * min(a.bottom - a.top, b.bottom - b.top)


def _merge_band(pieces: Sequence[Piece]) -> list[Piece]:
    """Sort pieces top-down and join those on one baseline band, left to right."""
    merged: list[Piece] = []
    for piece in sorted(pieces, key=lambda p: (round(p.base, 1), p.x0)):
        if merged and _same_band(merged[-1], piece):
            left, right = sorted((merged[-1], piece), key=lambda p: p.x0)
            merged[-1] = Piece(
                f"{left.text} {right.text}",
                left.x0,
                max(left.x1, right.x1),
                min(left.top, right.top),
                max(left.bottom, right.bottom),
                left.base,
                left.size,
            )
        else:
            merged.append(piece)
    return merged


def _page_rows(page: PdfPage, number: int) -> list[_Row]:
    """The page's lines in reading order: bands cut by full-width lines, and within each band
    the left column before the right one."""
    band = MARGIN_BAND * page.height
    body = [p for p in page.pieces if band < p.base and p.top < page.height - band]
    gutter = _gutter(body, page.width)
    lines = (
        [(p, 0) for p in _merge_band(page.pieces)]
        if gutter is None
        else _columns(page.pieces, gutter)
    )
    rows: list[_Row] = []
    for index, (piece, column) in enumerate(lines, start=1):
        margin = piece.bottom <= band or piece.top >= page.height - band
        rows.append(_Row(piece, number, index, column, 0.0, 0.0, margin))
    return rows


def _columns(pieces: Sequence[Piece], gutter: float) -> list[tuple[Piece, int]]:
    wide = _merge_band([p for p in pieces if p.x0 < gutter < p.x1])
    left = _merge_band([p for p in pieces if p.x1 <= gutter])
    right = _merge_band([p for p in pieces if p.x0 >= gutter])
    cuts = [p.base for p in wide]
    out: list[tuple[Piece, int]] = []
    start = float("-inf")
    for cut in [*cuts, float("inf")]:
        out.extend((p, 0) for p in left if start < p.base <= cut)
        out.extend((p, 1) for p in right if start < p.base <= cut)
        out.extend((p, 2) for p in wide if p.base == cut)
        start = cut
    return out


def _with_edges(rows: Sequence[_Row]) -> list[_Row]:
    """Each row gets its column's left edge (the smallest x0) and right edge (the 98th
    percentile of x1, so one overlong line does not move it), over the whole document."""
    lefts: dict[int, float] = {}
    rights: dict[int, list[float]] = {}
    for row in rows:
        if row.margin:
            continue
        lefts[row.column] = min(lefts.get(row.column, row.piece.x0), row.piece.x0)
        rights.setdefault(row.column, []).append(row.piece.x1)
    edges = {c: sorted(v)[int(0.98 * (len(v) - 1))] for c, v in rights.items()}
    return [
        _Row(
            row.piece,
            row.page,
            row.line,
            row.column,
            lefts.get(row.column, row.piece.x0),
            edges.get(row.column, row.piece.x1),
            row.margin,
        )
        for row in rows
    ]


# ---------------------------------------------------------------- paragraph breaks


def _leadings(rows: Sequence[_Row]) -> dict[int, float]:
    """The document's line leading for each font size (rounded; key 0 for all sizes): the
    smallest baseline step between consecutive lines of one column that is common (at least
    a sixth as frequent as the most common one), so paragraph gaps never set it, even in a
    document of mostly one-line paragraphs."""
    pairs: list[tuple[int, float]] = []  # (size, step) of each step, counted at once below
    for a, b in zip(rows, rows[1:], strict=False):
        if a.page == b.page and a.column == b.column and b.piece.base > a.piece.base:
            pairs.append((round(b.piece.size), round(2 * (b.piece.base - a.piece.base)) / 2))
    steps: dict[int, Counter[float]] = {}
    for (size, step), n in Counter(pairs).items():
        for key in (0, size):
            steps.setdefault(key, Counter())[step] += n
    out: dict[int, float] = {}
    for key, counts in steps.items():
        if key and sum(counts.values()) < 12:
            continue  # too few lines of this size to know its leading: use the overall one
        top = max(counts.values())
        common = [step for step, n in counts.items() if n >= max(2, top / 6)]
        out[key] = min(common) if common else min(counts)
    return out


def _char_width(row: _Row) -> float:
    text = row.piece.text
    return (row.piece.x1 - row.piece.x0) / max(len(text), 1)


def _stops_short(before: _Row, after: _Row) -> bool:
    """``before`` ends a sentence where the first word of ``after`` would still have fitted."""
    if not _ends_with(before.piece.text, ".;:?!"):
        return False
    word = after.piece.text.split(" ", 1)[0]
    need = (len(word) + 2.5) * _char_width(before)
    return before.piece.x1 + need < before.right


def _first_line_indent(prev: _Row | None, row: _Row, after: _Row | None) -> bool:
    """Indented against the lines on both sides (a first-line indent), not a hanging one."""
    if prev is None or after is None or after.column != row.column:
        return False
    step = max(row.piece.size, 4.0)
    return (
        row.piece.x0 > prev.piece.x0 + 0.8 * step
        and row.piece.x0 > after.piece.x0 + 0.8 * step
        and abs(prev.piece.x0 - after.piece.x0) < 0.8 * step
    )


_ABBREVIATION = re.compile(
    r"\b(?:Minn|Stat|Stats|Subd|subd|Sec|sec|No|no|Art|Ch|ch|para|e\.g|i\.e|U\.S|Inc|St|Dept)\.$"
)


def _abbreviated(text: str) -> bool:
    """``text`` ends with an abbreviation ("Minn.", "e.g."): its last 8 characters hold
    any match (the word boundary still sees the character before them)."""
    return _ABBREVIATION.search(text, max(0, len(text) - 8)) is not None


def _justified(rows: Sequence[_Row]) -> bool:
    """Most lines end exactly at their column's right edge."""
    body = [row for row in rows if not row.margin]
    flush = sum(1 for row in body if row.right - row.piece.x1 < 1.0)
    return bool(body) and flush >= 0.5 * len(body)


def _page_break(before: _Row, here: _Row, justified: bool) -> bool:
    """Does the paragraph end with the page? Justified text says so by a short last line;
    ragged text by a sentence end (not an abbreviation such as "Minn.") before a capital."""
    if ends_open(before.piece.text) or opens_tail(before.piece.text):
        return False
    if justified:
        return before.right - before.piece.x1 > 2 * _char_width(before)
    if _stops_short(before, here):
        return True
    if _abbreviated(before.piece.text) or not _ends_with(before.piece.text, ".:?!"):
        return False
    first = here.piece.text[:1]
    return first.isupper() or bool(_LABEL_LIKE.match(here.piece.text))


def _breaks(rows: Sequence[_Row]) -> list[bool]:
    """``out[i]``: a paragraph break goes before ``rows[i]``."""
    leadings = _leadings(rows)
    justified = _justified(rows)
    out = [False] * len(rows)
    for i in range(1, len(rows)):
        before, here = rows[i - 1], rows[i]
        after = rows[i + 1] if i + 1 < len(rows) else None
        leading = leadings.get(round(here.piece.size), leadings.get(0, 0.0))
        gap = leading + max(0.12 * leading, 1.0)
        wide = 2 in (here.column, before.column) and here.column != before.column
        if here.page == before.page and wide:
            out[i] = True  # into or out of a line across both columns (a title)
        elif here.page != before.page or here.column != before.column:
            out[i] = _page_break(before, here, justified)
        elif leading and here.piece.base - before.piece.base > gap:
            out[i] = True
        elif min(here.piece.size, before.piece.size) > 0 and (
            abs(here.piece.size - before.piece.size) >= 1.5
        ):
            out[i] = True  # a change of type size: a header block or a heading
        elif here.piece.base <= before.piece.base:
            out[i] = True  # a jump back up
        elif _stops_short(before, here) or _first_line_indent(before, here, after):
            out[i] = not opens_tail(before.piece.text)
    return out


def _indented(row: _Row) -> str:
    unit = 0.278 * row.piece.size if row.piece.size > 0 else 2.78
    spaces = max(0, round((row.piece.x0 - row.left) / unit))
    return " " * min(spaces, 40) + row.piece.text


def read_pages(
    pages: Iterable[PdfPage],
    furniture: Callable[[Sequence[Line], Sequence[bool], int], dict[int, str]],
) -> tuple[list[Line], tuple[RemovedLine, ...]]:
    """PDF pages to lines with paragraph breaks; ``furniture(lines, margins, pages)`` says
    which lines are page furniture (see ``analyzer.furniture.find``)."""
    rows: list[_Row] = []
    count = 0
    for number, page in enumerate(pages, start=1):
        rows.extend(_page_rows(page, number))
        count = number
    plain = [Line(row.piece.text, row.page, row.line) for row in rows]
    found = furniture(plain, [row.margin for row in rows], count)
    removed = tuple(
        RemovedLine(plain[i].text, plain[i].page, plain[i].line, reason)
        for i, reason in sorted(found.items())
    )
    kept = _with_edges([row for i, row in enumerate(rows) if i not in found])
    lines: list[Line] = []
    previous: _Row | None = None
    for row, brk in zip(kept, _breaks(kept), strict=True):
        if brk and lines:
            lines.append(Line("", lines[-1].page, lines[-1].line))
        elif previous is not None and lines and _soft_wrap(previous, row):
            if misread_as_label(lines[-1].text, row.piece.text):
                last = lines[-1]
                lines[-1] = Line(f"{last.text} {row.piece.text}", last.page, last.line)
                previous = row
                continue
        lines.append(Line(_indented(row), row.page, row.line))
        previous = row
    return repair_hyphens(lines), removed


def _soft_wrap(before: _Row, here: _Row) -> bool:
    """``here`` continues ``before`` because its first word did not fit on ``before``."""
    word = here.piece.text.split(" ", 1)[0]
    return before.piece.x1 + (len(word) + 1) * _char_width(before) > before.right - 1.0


_LABEL_LIKE = re.compile(r"^(?:\(?(?:\d{1,4}(?:\.\d+)*|[A-Za-z]|[ivxlcIVXLC]{1,6})[.):]|\d+\.\d+)")


def misread_as_label(before: str, after: str) -> bool:
    """A wrapped line that a reader of lines would take for a new item: it starts like an
    outline label ("626.8482).", "E.1. above") or follows an abbreviation ("Minn." /
    "Stat. 626.8482") in the middle of a sentence."""
    before = before.rstrip()
    if _abbreviated(before):
        return True
    after = after.lstrip()
    return ends_open(before) and (bool(_LABEL_LIKE.match(after)) or parse_label(after) is not None)


def next_item(head: str, before: str, after: str) -> bool:
    """``after`` starts the next item of the list ``head`` (the first line of the paragraph
    ``before`` ends) belongs to ("6. ...; and" / "7. Enforcement"), or the first item of a
    list nested in it ("4. ... commands" / "a. The effects"): a new item, not a wrap. Never
    after a word a number follows ("Minn. Stat. §" / "5. ...")."""
    if cites_on(before) or _abbreviated(before.rstrip()):
        return False
    item = parse_label(after.lstrip())
    if item is None or item.is_path:
        return False
    stripped = head.strip()
    m = BULLET_RE.match(stripped)
    own = parse_label(stripped[m.end() :] if m else stripped)
    if own is None or own.is_path:
        return False
    kinds = dict(own.candidates)
    return any(
        kinds.get(kind) == value - 1 or (value == 1 and kind not in kinds)
        for kind, value in item.candidates
    )


# ---------------------------------------------------------------- text


def text_paragraphs(lines: Sequence[Line]) -> list[Line]:
    """Add a break after a line that ends a sentence where the next line's first word would
    still have fitted within the document's wrap width (a hard-wrapped export without blank
    lines between paragraphs); glue a wrapped line that would be misread as a label onto the
    line it continues. Only when the text is visibly wrapped."""
    texts = [line.text.rstrip() for line in lines]  # "" for a blank line
    lengths = sorted(len(text) for text in texts if text)
    if len(lengths) < 8:
        return list(lines)
    width = lengths[int(0.95 * (len(lengths) - 1))]
    out: list[Line] = []
    head = ""  # the first line of the current paragraph or item
    last = len(lines) - 1
    for index, line in enumerate(lines):
        before = texts[index - 1] if index else ""
        text = texts[index]
        if (
            out
            and before
            and text
            and width >= 30
            and len(before) >= 0.6 * width
            and len(before) + 1 + len(text.split(None, 1)[0]) > width
            and misread_as_label(before, text)
            and not next_item(head, before, text)
        ):
            joined = out[-1]
            out[-1] = Line(f"{joined.text.rstrip()} {text.strip()}", joined.page, joined.line)
        else:
            out.append(line)
            if not before or _LABEL_LIKE.match(text.lstrip()):
                head = text  # the first line of a paragraph or of a labelled item
        if index == last or not text or not texts[index + 1]:
            continue
        after = texts[index + 1].lstrip()
        if (
            _ends_with(text, ".;:?!")
            and not after[:1].islower()
            and len(text) + 1 + len(after.split(" ", 1)[0]) <= width - 2
            and _wrapped_paragraph(lines, index, width)
        ):
            out.append(Line("", line.page, line.line))
    return out


def _wrapped_paragraph(lines: Sequence[Line], index: int, width: int) -> bool:
    """The line closes a hard-wrapped paragraph: the line before it is a full line of the
    same paragraph (within the wrap width, not a stray long line)."""
    if index == 0 or not lines[index - 1].text.strip():
        return False
    return len(lines[index - 1].text.rstrip()) >= 0.75 * width


@cache
def _hyphen_data() -> tuple[frozenset[str], frozenset[str]]:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    return frozenset(data["kept_prefixes"]), frozenset(data["kept_before_vowel"])


_WRAPPED_HYPHEN = re.compile(r"(?<![\w-])([A-Za-z]+)-$")
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


def _keeps_hyphen(left: str, right: str, vocabulary: Counter[str]) -> bool:
    joined, hyphened = (left + right).casefold(), f"{left}-{right}".casefold()
    if vocabulary[hyphened] != vocabulary[joined]:
        return vocabulary[hyphened] > vocabulary[joined]
    kept, before_vowel = _hyphen_data()
    prefix = left.casefold()
    return prefix in kept or (prefix in before_vowel and right[:1].casefold() in "aeiou")


def repair_hyphens(lines: Sequence[Line]) -> list[Line]:
    """Join a word hyphenated at a line end: the rest of the word moves up. The hyphen stays
    where the document spells the word with one, or after a kept prefix; a line left empty
    by the move is dropped."""
    if not any(line.text.endswith("-") for line in lines):
        return list(lines)
    vocabulary: Counter[str] | None = None  # counted once, when first needed
    out = list(lines)
    emptied: set[int] = set()
    for index in range(len(out) - 1):
        here, after = out[index], out[index + 1]
        found = _WRAPPED_HYPHEN.search(here.text) if here.text.endswith(("-", "-\n")) else None
        rest = after.text.lstrip()
        if not found or not rest[:1].islower():
            continue
        if vocabulary is None:  # the words are ASCII: lower() is their casefold()
            words = _WORD.findall("\n".join(line.text for line in lines))
            vocabulary = Counter(map(str.lower, words))
        word, _, remainder = rest.partition(" ")
        core = re.match(r"[A-Za-z]+", word)
        keep = _keeps_hyphen(found.group(1), core.group() if core else word, vocabulary)
        out[index] = Line((here.text if keep else here.text[:-1]) + word, here.page, here.line)
        indent = after.text[: len(after.text) - len(rest)]
        text = indent + remainder.lstrip() if remainder else ""
        out[index + 1] = Line(text, after.page, after.line)
        if not remainder.strip():
            emptied.add(index + 1)
    return [line for index, line in enumerate(out) if index not in emptied]


def collapse_breaks(lines: Iterable[Line]) -> tuple[Line, ...]:
    """Blank lines become single ``Line("")`` breaks; none at the start or end."""
    out: list[Line] = []
    for line in lines:
        if line.text.strip():
            out.append(line)
        elif out and out[-1].text:
            out.append(line if not line.text else Line("", line.page, line.line))
    while out and not out[-1].text:
        out.pop()
    return tuple(out)
