"""The outline builder: blocks (a paragraph, a labelled or bulleted item) become the clause tree.

Each block is placed by its label (``analyzer.labels``): the next item of an open list, the
first item of a new list, a path label (``417.4.A.1``) under the label it extends; unlabelled
blocks are headings, lead-ins or paragraphs of the innermost container; bullets nest by
indent. The tree is then walked into clauses by ``analyzer.outline_clauses``; the line shapes
both use are in ``analyzer.outline_shapes``.

Exports: Block, build_clauses(blocks) -> tuple[Clause, ...], plain(text), ends_open(text),
is_prefix(a, b).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .labels import ParsedLabel
from .model import Clause, ClauseKind, Line
from .outline_clauses import Node as _Node
from .outline_clauses import to_clauses as _to_clauses
from .outline_shapes import ends_open, is_prefix, plain
from .outline_shapes import ends_open as _ends_open
from .outline_shapes import is_heading_shaped as _is_heading_shaped
from .outline_shapes import is_prefix as _is_prefix
from .outline_shapes import plain as _plain

__all__ = ["Block", "build_clauses", "plain", "ends_open", "is_prefix"]

# ---------------------------------------------------------------------------------------------
# Line shapes

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

_REFERENCE_HEAD_RE = re.compile(
    r"^(legal references?|cross[- ]references?|references?|statutory authority|"
    r"policy adopted|adopted|revised|reviewed)\s*:",
    re.I,
)
_ATTACHMENT_RE = re.compile(r"^(attachments?|appendix|appendices|exhibit)\b[\s:A-Za-z0-9]*$", re.I)


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
    glyph: str = ""  # the bullet's glyph ("\u25cf", "o", "-"): Word gives each level its own
    table: bool = False  # a pipe-table row ("| a | b |"): a paragraph, never part of another


Block = _Block


# ---------------------------------------------------------------------------------------------
# Tree


_Key = tuple[str, int]  # a list item's style and value


class _Index:
    """Where each (style, value) stands on the builder's stack, as a node and as a node's
    last labelled child, kept in step with every push and pop: finding the list a label
    continues takes a few lookups, not a walk down the stack (which made an outline of
    20,000 "1. item" lines, each nested in the one before, quadratic)."""

    def __init__(self, stack: Sequence[_Node] = ()) -> None:
        self.nodes: dict[_Key, list[int]] = {}  # stack positions, ascending; never empty
        self.lasts: dict[_Key, list[int]] = {}
        for at, node in enumerate(stack):
            self.push(node, at)

    def push(self, node: _Node, at: int) -> None:
        _add(self.nodes, (node.style, node.value), at)
        if (last := node.last_labeled) is not None:
            _add(self.lasts, (last.style, last.value), at)

    def pop(self, node: _Node, at: int) -> None:
        _drop(self.nodes, (node.style, node.value), at)
        if (last := node.last_labeled) is not None:
            _drop(self.lasts, (last.style, last.value), at)

    def new_last(self, node: _Node, at: int, child: _Node) -> None:
        """``child``, just attached to ``node`` (on top of the stack), is its last labelled
        child now."""
        if (last := node.last_labeled) is not None:
            _drop(self.lasts, (last.style, last.value), at)
        _add(self.lasts, (child.style, child.value), at)

    def top(self, key: _Key, *, last: bool = False) -> int:
        """The highest stack position of a node (or of a node's last labelled child) with
        this style and value; -1 when there is none."""
        found = (self.lasts if last else self.nodes).get(key)
        return found[-1] if found else -1


def _add(table: dict[_Key, list[int]], key: _Key, at: int) -> None:
    places = table.get(key)
    if places is None:
        table[key] = [at]
    else:
        places.append(at)


def _drop(table: dict[_Key, list[int]], key: _Key, at: int) -> None:
    places = table[key]
    assert places[-1] == at  # positions leave the stack from the top
    places.pop()
    if not places:
        del table[key]


class _Builder:
    def __init__(self) -> None:
        self.roots: list[_Node] = []
        self.stack: list[_Node] = []
        self.index = _Index()
        self.floor = 0  # stack index below which labels never pop (an attachment)
        self.refs_mode = False
        self.section_roots: set[str] = set()
        self.before_heading: list[_Node] = []

    # -- stack helpers
    def _pop_to(self, depth: int) -> None:
        depth = max(depth, self.floor)
        for at in range(len(self.stack) - 1, depth - 1, -1):
            self.index.pop(self.stack[at], at)
        del self.stack[depth:]

    def _attach(self, node: _Node) -> None:
        parent = self.stack[-1] if self.stack else None
        node.parent = parent
        (parent.children if parent else self.roots).append(node)
        if parent is not None and node.label is not None and node.style != "dotted":
            self.index.new_last(parent, len(self.stack) - 1, node)
            parent.last_labeled = node
        self.index.push(node, len(self.stack))
        self.stack.append(node)

    def _continued_at(self, lab: ParsedLabel) -> int:
        """The highest stack position (at the floor or above) whose node, or whose node's
        last labelled child, ``lab`` continues (the next value of its style); -1 if none."""
        top = self.index.top
        at = max(
            max(top((style, value - 1)), top((style, value - 1), last=True))
            for style, value in lab.candidates
        )
        return at if at >= self.floor else -1

    def _gap_at(self, lab: ParsedLabel) -> int:
        """The highest stack position (at the floor or above) of a node of ``lab``'s style
        whose value it may follow after a gap (a different value, at most 4 below)."""
        at = -1
        for style, value in lab.candidates:
            for (kind, held), places in self.index.nodes.items():  # the few on the stack
                if kind == style and held != value and value <= held + 4:
                    at = max(at, places[-1])
        return at if at >= self.floor else -1

    def _container_depth(self) -> int:
        """Stack depth just above the innermost node that can hold a paragraph."""
        for i in range(len(self.stack) - 1, self.floor - 1, -1):
            if _is_container(self.stack[i]):
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
                if (n := self.stack[i]).label and _is_prefix(n.label.path, lab.path):
                    depth = i + 1
                    break
            self._pop_to(depth)
            self._attach(self._new(blk, "dotted", 0, lab.rest))
            self.section_roots.add(lab.path[0])
            return True
        # 1. the expected next item of an open list (or of a list a paragraph interrupted)
        if (i := self._continued_at(lab)) >= 0:
            last = (n := self.stack[i]).last_labeled
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
        if (i := self._gap_at(lab)) >= 0:
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
                    self.index = _Index(self.stack)
                    self.refs_mode = False
                    self._attach(self._new(blk, style, value, lab.rest))
                    return True
        return False

    def _bullet_resumes(self, node: _Node) -> bool:
        """The bullet continues an open list of its glyph and indent: it is a sibling of
        a bullet on the stack, or the next item of a list a paragraph interrupted (Word
        gives each level its own glyph: "o" items resume after a "-" list under a lead-in)."""
        for i in range(len(self.stack) - 1, self.floor - 1, -1):
            if _same_list(n := self.stack[i], node):
                self._pop_to(i)
                self._attach(node)
                return True
            last = _last_bullet_child(n)
            if last is not None and last is not self.stack[-1] and _same_list(last, node):
                self._pop_to(i + 1)
                self._attach(node)
                return True
        return False

    def _near_letter(self, lab: ParsedLabel) -> bool:
        """ "I." after "G." (H dropped) is the letter I, not Roman one."""
        letter = next((v for st, v in lab.candidates if st in ("LETTER", "letter")), None)
        if letter is None:
            return False
        case = "LETTER" if lab.component.isupper() else "letter"
        top, floor = self.index.top, self.floor
        return any(
            top((case, v)) >= floor or top((case, v), last=True) >= floor
            for v in range(letter - 4, letter)
        )

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
        if not blk.label and ":" in text and _REFERENCE_HEAD_RE.match(_plain(text)):
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
        if (blk.md_level or not blk.prev_open) and _is_heading_shaped(
            text, strict=not blk.md_level
        ):
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
        if prev.style in ("heading", "attachment", "refs") or not prev.rest.strip() or blk.table:
            return False
        if blk.md_level or blk.bullet:
            return False
        if _ends_open(prev.rest) and not _is_heading_shaped(prev.rest, strict=False):
            # a paragraph cut by a page break: a long one, or one the next text continues
            if not blk.after_blank or text[:1].islower():
                return True
            alone = text.rstrip().endswith(":") or _is_heading_shaped(text, strict=False)
            if len(prev.rest) >= 100 and not alone:
                return True  # (a lead-in ending in ":" or a short item stands on its own)
        if (
            prev.label is not None
            and blk.after_blank
            and text.lower().startswith(_CONNECTIVES)
            and not _is_container(prev)
        ):
            return True
        return False

    def _place_bullet(self, blk: _Block, text: str) -> None:
        # siblings share an indent and a glyph; a deeper indent nests under the previous
        # bullet; a list a paragraph interrupted goes on with its glyph at its indent
        node = self._new(blk, "bullet", 0, text)
        node.leadin = text.rstrip().endswith(":")  # "● When school is not in session:"
        node.glyph = blk.glyph
        if self._bullet_resumes(node):
            return
        for i in range(len(self.stack) - 1, self.floor - 1, -1):
            n = self.stack[i]
            if n.style == "para":  # a paragraph inside a bulleted item; a lead-in holds
                outer = (  # its list unless the bullet goes back out to an outer list
                    b.style == "bullet" and b.indent >= blk.indent and b.glyph == blk.glyph
                    for b in self.stack[:i]
                )
                if n.leadin and not any(outer):
                    break
                continue
            if n.style != "bullet":
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


def _same_list(a: _Node, b: _Node) -> bool:
    """Two bullets of one list: the same glyph at the same indent (a glyph is known)."""
    return a.style == "bullet" and bool(a.glyph) and a.glyph == b.glyph and a.indent == b.indent


def _last_bullet_child(n: _Node) -> _Node | None:
    for child in reversed(n.children):
        if child.style == "bullet":
            return child
    return None


def _is_container(n: _Node) -> bool:
    """Can an unlabeled paragraph after ``n`` be its child (a section head, a lead-in)?"""
    if n.style in ("heading", "attachment", "refs"):
        return True
    if n.leadin:
        # a lead-in holds its list; a paragraph after a bulleted list closes it, and so
        # does one after a list of items that ended ("...; and" / "...laws.")
        if not n.children:
            return True
        return n.children[0].style == "para" and not n.children[-1].leadin and not _list_ended(n)
    if n.label is None:  # a bullet that is a heading ("● USE OF FORCE") holds its text
        return n.style == "bullet" and _is_heading_shaped(n.rest.replace("**", ""), strict=True)
    rest = n.rest.strip().replace("**", "")
    if not rest or rest.endswith(":"):
        return True
    if not _is_heading_shaped(rest, strict=False):
        return False
    return n.style.split(" ")[-1] in ("dotted", "ROMAN", "LETTER") or _is_heading_shaped(
        rest, strict=True
    )


def _list_ended(n: _Node) -> bool:
    """The lead-in's items ran as one sentence ("...; and") closed by a period: it is over."""
    kids = n.children
    if len(kids) < 2 or kids[-1].children:
        return False
    last, before = kids[-1].rest.rstrip("*").rstrip(), kids[-2].rest.rstrip("*").rstrip()
    return last.endswith(".") and bool(re.search(r";(?:\s*(?:and|or))?$", before))


def _top_level(style: str) -> bool:
    """A list of this kind starts at the top of the outline: Roman numerals, Sections,
    Articles, Orders."""
    return style == "ROMAN" or style.split(" ")[0] in ("section", "sec", "article", "art", "order")


def build_clauses(blocks: Sequence[_Block]) -> tuple[Clause, ...]:
    """The clause tree of the body's blocks (front matter already taken off)."""
    builder = _Builder()
    for blk in blocks:
        builder.add(blk)
    return _to_clauses(builder.roots)
