"""Segment an ingested document into a clause tree.

The document's own outline labels (``IV.``, ``A.``, ``1.``, ``iv.``, ``(a)``, ``436.3.1``,
``Order 417.2:``), bullets and headings become a tree whose refs are the labels joined by dots
(``IV.A.1.iv``); an unlabeled paragraph or bullet gets its 1-based position in its parent.
Running page headers repeated in extracted text are removed first, paragraphs split by a
page break are rejoined, and a policy attached after the first (``Attachments``) becomes its
own subtree under ``Attachment``.

Exports: segment(document) -> ClauseTree, segment_text(text) -> ClauseTree,
parse_label(text) -> ParsedLabel | None, strip_noise(lines) -> (lines, noise texts).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from .labels import BULLET_RE as _BULLET_RE
from .labels import MD_HEADING_RE as _MD_HEADING_RE
from .labels import ParsedLabel, parse_label
from .model import Clause, ClauseKind, ClauseTree, Document, Line, Location

__all__ = ["segment", "segment_text", "parse_label", "strip_noise", "ParsedLabel"]

# ---------------------------------------------------------------------------------------------
# Line shapes

_TERMINAL = (".", ";", ":", "?", "!", ".)", ".\u201d", '."', ")")
_CONNECTIVES = (
    "however",
    "except",
    "unless",
    "provided",
    "notwithstanding",
    "in addition",
    "additionally",
    "otherwise",
    "furthermore",
    "if ",
)
_MODAL_WORDS = re.compile(
    r"\b(shall|must|should|may|will|is required|are required|is expected|means|include)\b", re.I
)
_REFERENCE_HEAD_RE = re.compile(
    r"^(legal references?|cross[- ]references?|references?|statutory authority|"
    r"policy adopted|adopted|revised|reviewed)\s*:",
    re.I,
)
_ATTACHMENT_RE = re.compile(r"^(attachments?|appendix|appendices|exhibit)\b[\s:A-Za-z0-9]*$", re.I)


# ---------------------------------------------------------------------------------------------
# Noise: running headers, footers, page numbers, markdown rules in extracted text

_PAGE_NO_RE = re.compile(r"^(?:page\s*)?#+(?:\s*(?:of|/)\s*#+)?$|^-\s*#+\s*-$", re.I)
_MD_LINK_RE = re.compile(r"\[([^\[\]]*)\]\([^()\s]*\)")  # linear: no run of "[" rescanned
_RULE_RE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,}|={3,})\s*$")


def _plain(text: str) -> str:
    """Text without markdown emphasis/heading marks, whitespace collapsed."""
    if not any(ch in text for ch in "*_#"):
        return " ".join(text.split())
    t = _MD_HEADING_RE.sub("", text.strip())
    t = t.replace("**", "").replace("__", "")
    t = re.sub(r"(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)", "", t)
    return " ".join(t.split())


def _noise_key(text: str) -> str:
    return _DIGITS_RE.sub("#", _plain(text).casefold())


_DIGITS_RE = re.compile(r"\d+")


def _header_candidate(text: str) -> bool:
    plain = _plain(text)
    if not plain or _BULLET_RE.match(text.strip()) or parse_label(plain) or plain[0].islower():
        return False
    words = plain.split()
    if len(words) > 10 or plain.endswith((";", ":", ",")):
        return False
    return not (plain.endswith(".") and len(words) > 4)


def strip_noise(lines: Sequence[Line]) -> tuple[tuple[Line, ...], tuple[str, ...]]:
    """Drop running headers/footers (short lines repeated on several pages), page numbers
    and markdown rules; a header glued to the start of a heading line is cut off."""
    first = next((i for i, ln in enumerate(lines) if ln.text.strip()), -1)
    cand = [
        i != first and bool(ln.text.strip()) and _header_candidate(ln.text)
        for i, ln in enumerate(lines)
    ]

    def apart(i: int) -> bool:
        """Not inside running text: next to a blank line or to another header line."""
        for j in (i - 1, i + 1):
            if j < 0 or j >= len(lines) or not lines[j].text.strip() or cand[j]:
                return True
        return False

    counts = Counter(_noise_key(lines[i].text) for i in range(len(lines)) if cand[i] and apart(i))
    repeated = {k for k, n in counts.items() if n >= 2}
    prefixes = sorted(
        {_plain(ln.text) for ln in lines if _noise_key(ln.text) in repeated}, key=len, reverse=True
    )
    kept: list[Line] = []
    noise: list[str] = []
    for i, ln in enumerate(lines):
        raw = ln.text
        if not raw.strip():
            if kept and kept[-1].text:
                kept.append(Line("", ln.page, ln.line))
            continue
        key = _noise_key(raw)
        is_noise = (
            _RULE_RE.match(raw)
            or _PAGE_NO_RE.match(key)
            or (i != first and key in repeated and _header_candidate(raw))
        )
        if is_noise:
            noise.append(_plain(raw))
            continue
        kept.append(Line(_cut_header_prefix(raw, prefixes), ln.page, ln.line))
    while kept and not kept[-1].text:
        kept.pop()
    return tuple(kept), tuple(dict.fromkeys(n for n in noise if n))


def _cut_header_prefix(raw: str, prefixes: Sequence[str]) -> str:
    plain = _plain(raw)
    for p in prefixes:
        if plain.startswith(p + " ") and len(plain) > len(p) + 1:
            rest = raw.strip()
            idx = rest.find(p)
            if idx == -1:
                continue
            tail = rest[idx + len(p) :].strip()
            if tail.startswith("**") or parse_label(_plain(tail)):
                return tail
    return raw


# ---------------------------------------------------------------------------------------------
# Blocks: a label, bullet or blank line starts a block; wrapped lines continue it


@dataclass
class _Block:
    lines: list[Line]
    text: str
    indent: int
    bullet: bool
    md_level: int
    label: ParsedLabel | None
    after_blank: bool
    prev_open: bool  # the line before did not end a sentence (wrapped text)
    continued: bool = False  # a later label continues this one's list (995. then 996.)


def _strip_markup(text: str) -> tuple[str, bool, int]:
    """Return (text without bullets/markdown heading marks, is_bullet, markdown level)."""
    t = _MD_LINK_RE.sub(r"\1", text.strip())
    md = 0
    m = _MD_HEADING_RE.match(t)
    if m:
        md = len(m.group(1))
        t = t[m.end() :]
    bullet = False
    m = _BULLET_RE.match(t)
    if m:
        bullet = True
        t = t[m.end() :]
    if t.startswith("**") and "**" in t[2:]:
        inner_end = t.index("**", 2)
        inner = t[2:inner_end]
        if parse_label(inner.strip()) and not t[inner_end + 2 :].strip():
            t = inner.strip()
    return t, bullet, md


def _ends_open(text: str) -> bool:
    t = text.rstrip().rstrip("*").rstrip()
    if re.search(r";\s*(and|or)$", t):
        return False  # "...; and" closes a list item
    return bool(t) and not t.endswith(_TERMINAL)


def _wrap_width(lines: Sequence[Line]) -> int:
    """The width of a full wrapped line (90th percentile of line lengths)."""
    lengths = sorted(len(ln.text.strip()) for ln in lines if ln.text.strip())
    return lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0


def _blocks(lines: Sequence[Line]) -> list[_Block]:
    blocks: list[_Block] = []
    after_blank = True
    prev_text = ""
    short = 0.7 * _wrap_width(lines)
    for ln in lines:
        if not ln.text.strip():
            after_blank = True
            continue
        body, bullet, md = _strip_markup(ln.text)
        label = parse_label(body)
        indent = len(ln.text) - len(ln.text.lstrip())
        # a short line ends its paragraph: the next capitalized line starts a new one
        new_para = bool(prev_text) and len(prev_text) < short and body[:1].isupper()
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
                    prev_open=_ends_open(prev_text) and not after_blank and not new_para,
                )
            )
        else:
            blk = blocks[-1]
            blk.lines.append(ln)
            blk.text = _join_wrapped(blk.text, body)
        after_blank = False
        prev_text = body
    for blk in blocks:  # the label's rest must cover the wrapped lines too
        if blk.label is not None and len(blk.lines) > 1:
            blk.label = parse_label(blk.text)
    _read_in_context([b for b in blocks if b.label is not None and not b.label.is_path])
    return blocks


_LOOKAHEAD = 6


def _read_in_context(labelled: Sequence[_Block]) -> None:
    """Settle each label's reading by the labels after it: the reading that a later label
    continues (``i.`` before ``ii.`` is Roman, ``i.`` before ``j.`` a letter) comes first,
    and a label whose list goes on is marked ``continued`` (a list may start at 995)."""
    for k, blk in enumerate(labelled):
        lab = blk.label
        assert lab is not None
        ahead = labelled[k + 1 : k + 1 + _LOOKAHEAD]
        nexts = {c for b in ahead if b.label is not None for c in b.label.candidates}
        going_on = [c for c in lab.candidates if (c[0], c[1] + 1) in nexts]
        if going_on:
            blk.continued = True
            if going_on[0] != lab.candidates[0]:
                rest = [c for c in lab.candidates if c not in going_on]
                blk.label = replace(lab, candidates=(*going_on, *rest))


def _join_wrapped(left: str, right: str) -> str:
    if (
        left.endswith("-")
        and right[:1].islower()
        and not re.search(r"\b(de|non|re|co|self|pre|post|anti|multi)-$", left)
    ):
        return left[:-1] + right
    return f"{left} {right}"


# ---------------------------------------------------------------------------------------------
# Tree


@dataclass
class _Node:
    label: ParsedLabel | None
    style: str  # label style, "bullet", "heading", "para", "attachment", "refs"
    value: int
    rest: str
    first: Line
    last: Line
    parent: _Node | None
    indent: int = 0
    md_level: int = 0
    kind: ClauseKind = ClauseKind.BODY
    heading: str = ""
    children: list[_Node] = field(default_factory=list)
    leadin: bool = False


def _is_heading_shaped(text: str, *, strict: bool) -> bool:
    t = text.strip()
    if not t:
        return False
    words = t.split()
    limit = 14 if t.endswith(":") else 12
    if strict:
        limit = 8
    if len(words) > limit or _MODAL_WORDS.search(t):
        return False
    if t.endswith((";", ",")) or (t.endswith(".") and len(words) > 4 and not strict):
        return False
    if strict and t.endswith((".", ":")) and not t.lower().endswith((".pdf", ".docx")):
        return False
    letters = [c for c in t if c.isalpha()]
    caps = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8
    long_words = [w for w in words if len(w.strip("()\"'.,:")) >= 4]
    title = bool(long_words) and sum(w[0].isupper() for w in long_words) / len(long_words) >= 0.6
    if strict:
        return caps or title
    return caps or title or len(words) <= 3 or t.endswith(":")


class _Builder:
    def __init__(self) -> None:
        self.roots: list[_Node] = []
        self.stack: list[_Node] = []
        self.floor = 0  # stack index below which labels never pop (an attachment)
        self.refs_mode = False
        self.section_roots: set[int] = set()
        self.before_heading: list[_Node] = []

    # -- stack helpers
    def _pop_to(self, depth: int) -> None:
        del self.stack[max(depth, self.floor) :]

    def _attach(self, node: _Node) -> None:
        parent = self.stack[-1] if self.stack else None
        node.parent = parent
        (parent.children if parent else self.roots).append(node)
        self.stack.append(node)

    def _container_depth(self) -> int:
        """Stack depth just above the innermost node that can hold a paragraph."""
        for i in range(len(self.stack) - 1, self.floor - 1, -1):
            n = self.stack[i]
            if _is_container(n):
                return i + 1
        return self.floor

    # -- placement
    def add(self, blk: _Block) -> None:
        if blk.label is not None and self._place_label(blk, blk.label):
            return
        self._place_unlabeled(blk)

    def _new(self, blk: _Block, style: str, value: int, rest: str) -> _Node:
        return _Node(
            blk.label if style not in ("bullet", "para", "heading", "attachment", "refs") else None,
            style,
            value,
            rest,
            blk.lines[0],
            blk.lines[-1],
            None,
            indent=blk.indent,
            md_level=blk.md_level,
            kind=ClauseKind.REFERENCE if self.refs_mode else ClauseKind.BODY,
        )

    def _place_label(self, blk: _Block, lab: ParsedLabel) -> bool:
        if lab.is_path:
            if not self._plausible_section(blk, lab):
                return False
            self.refs_mode = False
            depth = self.floor
            for i in range(len(self.stack) - 1, self.floor - 1, -1):
                n = self.stack[i]
                if n.label and _is_prefix(n.label.path, lab.path):
                    depth = i + 1
                    break
            self._pop_to(depth)
            self._attach(self._new(blk, "dotted", 0, lab.rest))
            self.section_roots.add(lab.path[0])
            return True
        # 1. the expected next item of an open list (or of a list a paragraph interrupted)
        for i in range(len(self.stack) - 1, self.floor - 1, -1):
            n = self.stack[i]
            last = _last_labeled_child(n)
            for style, value in lab.candidates:
                if n.style == style and n.value + 1 == value:
                    self.refs_mode = False
                    self._pop_to(i)
                    self._attach(self._new(blk, style, value, lab.rest))
                    return True
                if last is not None and last.style == style and last.value + 1 == value:
                    self.refs_mode = False
                    self._pop_to(i + 1)
                    self._attach(self._new(blk, style, value, lab.rest))
                    return True
        # 2. the first item of a new list
        for style, value in lab.candidates:
            if value == 1 and not self._near_letter(lab):
                self.refs_mode = False
                depth = self._list_parent_depth()
                if _top_level(style):  # a Roman outline starts at the top, under any title
                    while depth > self.floor and self.stack[depth - 1].style == "heading":
                        depth -= 1
                self._pop_to(depth)
                self._attach(self._new(blk, style, value, lab.rest))
                return True
        resumed = self._resume_list(blk, lab)
        if resumed:
            return True
        if blk.prev_open and not blk.bullet:
            return False  # a label-like word inside wrapped text ("E.1. above")
        # 3. a list with a gap (an item deleted without renumbering)
        for i in range(len(self.stack) - 1, self.floor - 1, -1):
            n = self.stack[i]
            for style, value in lab.candidates:
                if n.style == style and value != n.value and value <= n.value + 4:
                    self.refs_mode = False
                    self._pop_to(i)
                    self._attach(self._new(blk, style, value, lab.rest))
                    return True
        if not blk.after_blank and not blk.bullet:
            return False
        style, value = lab.candidates[-1] if len(lab.component) == 1 else lab.candidates[0]
        if value > 30 and not blk.continued:
            return False
        self._pop_to(self._list_parent_depth())
        self._attach(self._new(blk, style, value, lab.rest))
        return True

    def _resume_list(self, blk: _Block, lab: ParsedLabel) -> bool:
        """The next item of a list that an unlabeled heading (a running header left in the
        text, "## School Resource Officer") interrupted: the list goes on."""
        saved = self.before_heading
        for i in range(len(saved) - 1, self.floor - 1, -1):
            n = saved[i]
            for style, value in lab.candidates:
                if n.style == style and n.value + 1 == value:
                    self.stack = saved[:i]
                    self.refs_mode = False
                    self._attach(self._new(blk, style, value, lab.rest))
                    return True
        return False

    def _near_letter(self, lab: ParsedLabel) -> bool:
        """ "I." after "G." (H dropped) is the letter I, not Roman one."""
        letter = next((v for st, v in lab.candidates if st in ("LETTER", "letter")), None)
        if letter is None:
            return False
        case = "LETTER" if lab.component.isupper() else "letter"
        for n in self.stack[self.floor :]:
            for node in (n, _last_labeled_child(n)):
                if node is not None and node.style == case and letter - 4 <= node.value < letter:
                    return True
        return False

    def _plausible_section(self, blk: _Block, lab: ParsedLabel) -> bool:
        """A path label (``436.3.1``, ``IV-A-1``) is a label if a word names it ("Order
        417.2", "Section 3(A)"), if it continues the document's numbering (same first
        component, or it extends an open label), or if it starts a line of its own and does
        not look like a statute section (609.066, 626.8482) or a cross-reference ("E.1.
        above" wrapped onto a new line)."""
        if lab.word or lab.path[0] in self.section_roots:
            return True
        if any(n.label and _is_prefix(n.label.path, lab.path) for n in self.stack):
            return True
        if blk.prev_open:
            return False
        parts = [p for p in lab.path if p.isdigit()]
        statute = len(parts) >= 2 and (len(parts[1]) > 2 or parts[1].startswith("0"))
        return not statute and not blk.prev_open

    def _list_parent_depth(self) -> int:
        """A new list nests under the innermost node (closing leaf paragraphs)."""
        depth = len(self.stack)
        while (
            depth > self.floor
            and self.stack[depth - 1].style == "para"
            and not self.stack[depth - 1].leadin
        ):
            depth -= 1
        return depth

    def _place_unlabeled(self, blk: _Block) -> None:
        text = blk.text
        prev = self.stack[-1] if self.stack else None
        if blk.label is not None and prev is not None and not (blk.after_blank or blk.bullet):
            # a rejected label inside wrapped text ("609.066 Authorized ...", "E.1. above")
            prev.rest = f"{prev.rest} {text}" if prev.rest else text
            prev.last = blk.lines[-1]
            return
        if _ATTACHMENT_RE.match(text) and not blk.bullet:
            self.refs_mode = False
            self.floor = 0
            self._pop_to(0)
            self._attach(self._new(blk, "attachment", 0, text))
            self.floor = len(self.stack)
            return
        if prev is not None and self._continues(prev, blk, text):
            sep = "\n" if blk.after_blank and not _ends_open(prev.rest) else " "
            prev.rest = f"{prev.rest}{sep}{text}" if prev.rest else text
            prev.last = blk.lines[-1]
            return
        if _REFERENCE_HEAD_RE.match(_plain(text)) and not blk.label:
            self.refs_mode = True
            self._pop_to(self.floor)
            self._attach(self._new(blk, "refs", 0, text))
            return
        if self.refs_mode:
            self._pop_to(self._container_depth())
            self._attach(self._new(blk, "para", 0, text))
            return
        if blk.bullet:
            self._place_bullet(blk, text)
            return
        if (blk.md_level or not blk.prev_open) and _is_heading_shaped(text, strict=True):
            if any(n.label is not None for n in self.stack):
                self.before_heading = list(self.stack)  # a list may go on after a stray header
            self._pop_to(self.floor if not self.refs_mode else len(self.stack))
            node = self._new(blk, "heading", 0, text)
            self._attach(node)
            return
        depth = self._container_depth()
        self._pop_to(depth)
        node = self._new(blk, "para", 0, text)
        node.leadin = text.rstrip().endswith(":")
        self._attach(node)

    def _continues(self, prev: _Node, blk: _Block, text: str) -> bool:
        if prev.style in ("heading", "attachment", "refs") or not prev.rest.strip():
            return False
        if blk.md_level or blk.bullet:
            return False
        if _ends_open(prev.rest) and not _is_heading_shaped(prev.rest, strict=False):
            # a paragraph cut by a page break: a long one, or one the next text continues
            if not blk.after_blank or text[:1].islower():
                return True
            if len(prev.rest) >= 100 and not text.rstrip().endswith(":"):
                return True  # (a lead-in ending in ":" starts a clause of its own)
        if (
            prev.label is not None
            and blk.after_blank
            and text.lower().startswith(_CONNECTIVES)
            and not _is_container(prev)
        ):
            return True
        return False

    def _place_bullet(self, blk: _Block, text: str) -> None:
        # siblings share an indent; a deeper indent nests under the previous bullet
        node = self._new(blk, "bullet", 0, text)
        node.leadin = text.rstrip().endswith(":")  # "● When school is not in session:"
        for i in range(len(self.stack) - 1, self.floor - 1, -1):
            n = self.stack[i]
            if n.style != "bullet":
                if n.style == "para" and not n.leadin:
                    continue
                break
            if n.indent == blk.indent:
                self._pop_to(i)
                self._attach(node)
                return
            if n.indent < blk.indent:
                self._pop_to(i + 1)
                self._attach(node)
                return
        self._pop_to(self._list_parent_depth())
        self._attach(node)


def _last_labeled_child(n: _Node) -> _Node | None:
    for child in reversed(n.children):
        if child.label is not None and child.style != "dotted":
            return child
    return None


def _is_container(n: _Node) -> bool:
    """Can an unlabeled paragraph after ``n`` be its child (a section head, a lead-in)?"""
    if n.style in ("heading", "attachment", "refs"):
        return True
    if n.leadin:
        # a lead-in holds its list; a paragraph after a bulleted list closes it
        return not n.children or (n.children[0].style == "para" and not n.children[-1].leadin)
    if n.label is None:
        return False
    rest = n.rest.strip().replace("**", "")
    if not rest or rest.endswith(":"):
        return True
    if not _is_heading_shaped(rest, strict=False):
        return False
    return n.style.split(" ")[-1] in ("dotted", "ROMAN", "LETTER") or _is_heading_shaped(
        rest, strict=True
    )


def _top_level(style: str) -> bool:
    """A list of this kind starts at the top of the outline: Roman numerals, Sections,
    Articles, Orders."""
    return style == "ROMAN" or style.split(" ")[0] in ("section", "sec", "article", "art", "order")


def _is_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return len(a) < len(b) and b[: len(a)] == a


# ---------------------------------------------------------------------------------------------
# Heading / text split

_BOLD_HEAD_RE = re.compile(r"^\*\*(.+?)\*\*\s*(.*)$", re.S)
_COLON_HEAD_RE = re.compile(r"^([A-Z\"\u201c][^:;.]{0,70}?)[\"\u201d]?:\s+(\S.*)$", re.S)
_PERIOD_HEAD_RE = re.compile(r"^([A-Z][^.;:]{0,70}?)\.\s+([A-Z].*)$", re.S)
_ABBREV_END = re.compile(r"\b([A-Z][a-z]{0,4}|[a-z]{1,2}|e\.g|i\.e|etc|Stat|Stats|Subd|Minn)$")
_VERBISH = re.compile(
    r"\b(is|are|shall|must|should|may|will|use|have|has|do|does|can|means|include)\b", re.I
)


def _clean_heading(text: str) -> str:
    return text.strip().rstrip(":.").strip()


def _split_heading(node: _Node) -> tuple[str, str]:
    rest = node.rest.strip()
    m = _BOLD_HEAD_RE.match(rest)
    if m:
        return m.group(1).strip().rstrip(":").strip(), m.group(2).strip()
    rest = rest.replace("**", "")
    if node.style == "refs":
        head, _, tail = rest.partition(":")
        return _clean_heading(head), tail.strip()
    if node.style in ("heading", "attachment"):
        return _clean_heading(rest), ""
    m = _COLON_HEAD_RE.match(rest)
    if m and len(m.group(1).split()) <= 6 and not _MODAL_WORDS.search(m.group(1)):
        return m.group(1).strip('"\u201c\u201d '), m.group(2).strip()
    if node.label is None and not (node.style == "bullet" and node.children):
        return "", rest
    if node.children:
        m = _PERIOD_HEAD_RE.match(rest)
        if (
            m
            and len(m.group(1).split()) <= 7
            and not _VERBISH.search(m.group(1))
            and not _ABBREV_END.search(m.group(1))
        ):
            return m.group(1).strip(), m.group(2).strip()
        if _is_heading_shaped(rest, strict=False):
            return _clean_heading(rest), ""
    elif rest.isupper() and len(rest.split()) <= 12 and node.style in ("dotted", "ROMAN"):
        return rest, ""
    return "", rest


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


def _walk(
    roots: list[_Node], reserved: set[str] | None
) -> list[tuple[_Node, str, str | None, int]]:
    """(node, ref, parent ref, depth) in document order, without recursion. A path label
    under the label it extends gets the parent's ref plus its own components; a path label
    elsewhere its whole path; other labels their component, unlabelled nodes their
    position (marked with a pilcrow where that would take a path label's ref; everywhere
    when ``reserved`` is None, the first pass that finds the path labels' refs)."""
    out: list[tuple[_Node, str, str | None, int]] = []
    seen: set[str] = set()
    todo: list[tuple[_Node, str | None, int, int, str]] = [
        (r, None, i, 0, "") for i, r in reversed(list(enumerate(roots, 1)))
    ]
    while todo:
        node, parent_ref, index, depth, base = todo.pop()
        lab = node.label
        if node.style == "attachment":
            ref = f"{parent_ref}.Attachment" if parent_ref else "Attachment"
        elif node.style == "dotted" and lab is not None:
            up = node.parent.label if node.parent is not None else None
            if up is not None and parent_ref and _is_prefix(up.path, lab.path):
                ref = ".".join((parent_ref, *lab.path[len(up.path) :]))
            else:
                ref = f"{base}.{lab.component}" if base else lab.component
        else:
            comp = lab.component if lab is not None else str(index)
            ref = f"{parent_ref}.{comp}" if parent_ref else comp
            if lab is None and (reserved is None or ref in reserved):
                ref = f"{parent_ref}.\u00b6{comp}" if parent_ref else f"\u00b6{comp}"
        if ref in seen:
            k = 2
            while f"{ref}~{k}" in seen:
                k += 1
            ref = f"{ref}~{k}"
        seen.add(ref)
        out.append((node, ref, parent_ref, depth))
        child_base = ref if node.style == "attachment" else base
        todo.extend(
            (c, ref, i, depth + 1, child_base)
            for i, c in reversed(list(enumerate(node.children, 1)))
        )
    return out


def _to_clauses(roots: list[_Node]) -> tuple[Clause, ...]:
    reserved = {ref for node, ref, _, _ in _walk(roots, None) if node.style == "dotted"}
    out: list[Clause] = []
    for node, ref, parent_ref, depth in _walk(roots, reserved):
        heading, text = _split_heading(node)
        last = node.last
        out.append(
            Clause(
                ref=ref,
                label=node.label.printed if node.label else "",
                heading=heading,
                text=text,
                depth=depth,
                location=Location(node.first.page, node.first.line, last.page, last.line),
                parent=parent_ref,
                kind=node.kind,
            )
        )
    return tuple(out)


def segment(document: Document) -> ClauseTree:
    """Build the clause tree of an ingested document."""
    lines, noise = strip_noise(document.lines)
    blocks = _blocks(lines)
    n_front = _front_matter(blocks)
    front = blocks[:n_front]
    builder = _Builder()
    for blk in blocks[n_front:]:
        builder.add(blk)
    clauses = _to_clauses(builder.roots)
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
    """Segment plain text (no file involved)."""
    doc = Document(path="<text>", sha256="", format="text", lines=lines_from_text(text))
    return segment(doc)
