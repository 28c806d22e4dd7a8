"""The outline tree walked into clauses: each node's ref, heading and text.

The builder (``analyzer.outline``) grows a tree of ``Node``; ``to_clauses`` walks it
(without recursion) into clauses whose refs are the labels joined by dots (``IV.A.1.iv``),
an unlabelled clause's ref being its position in its parent, and splits each node's text
into a heading and a body ("**Purpose.** The ...", "School: An ...").

Exports: Node, to_clauses(roots) -> tuple[Clause, ...], split_heading(node) -> (heading, text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .labels import ParsedLabel
from .model import Clause, ClauseKind, Line, Location
from .outline_shapes import MODAL_WORDS as _MODAL_WORDS
from .outline_shapes import is_heading_shaped as _is_heading_shaped
from .outline_shapes import is_prefix as _is_prefix

__all__ = ["Node", "to_clauses", "split_heading"]


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
    glyph: str = ""
    last_labeled: _Node | None = None  # the last labelled child (not a path label)


Node = _Node


# ---------------------------------------------------------------------------------------------
# Heading / text split

_BOLD_HEAD_RE = re.compile(r"^\*\*(.+?)\*\*\s*(.*)$", re.S)
_COLON_HEAD_RE = re.compile(r"^([A-Z\"\u201c][^:;.]{0,70}?)[\"\u201d]?:\s+(\S.*)$", re.S)
_PERIOD_HEAD_RE = re.compile(r"^([A-Z][^.;:]{0,70}?)\.\s+([A-Z].*)$", re.S)
# where the colon or period of those two must stand at the latest (group up to 71 characters,
# a closing quote): a text without one there is not tried
_COLON_REACH, _PERIOD_REACH = 73, 72
_ABBREV_END = re.compile(r"\b([A-Z][a-z]{0,4}|[a-z]{1,2}|e\.g|i\.e|etc|Stat|Stats|Subd|Minn)$")
_VERBISH = re.compile(
    r"\b(is|are|shall|must|should|may|will|use|have|has|do|does|can|means|include)\b", re.I
)


def _clean_heading(text: str) -> str:
    return text.strip().rstrip(":.").strip()


def _split_heading(node: _Node) -> tuple[str, str]:
    rest = node.rest.strip()
    m = _BOLD_HEAD_RE.match(rest) if rest.startswith("**") else None
    if m:
        return m.group(1).strip().rstrip(":").strip(), m.group(2).strip()
    rest = rest.replace("**", "")
    if node.style == "refs":
        head, _, tail = rest.partition(":")
        return _clean_heading(head), tail.strip()
    if node.style in ("heading", "attachment"):
        return _clean_heading(rest), ""
    m = _COLON_HEAD_RE.match(rest) if ":" in rest[:_COLON_REACH] else None
    if m and len(m.group(1).split()) <= 6 and not _MODAL_WORDS.search(m.group(1)):
        return m.group(1).strip('"\u201c\u201d '), m.group(2).strip()
    if node.label is None and node.children and rest.endswith(":"):
        if _is_heading_shaped(rest[:-1], strict=True):  # "When School is not in session:"
            return _clean_heading(rest), ""  # over a paragraph: a heading, not a lead-in
    if node.label is None and not (node.style == "bullet" and node.children):
        return "", rest
    if node.children:
        m = _PERIOD_HEAD_RE.match(rest) if "." in rest[:_PERIOD_REACH] else None
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


split_heading = _split_heading


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
    tried: dict[str, int] = {}  # the last "~k" given to each repeated ref
    todo: list[tuple[_Node, str | None, int, int, str]] = [
        (roots[i - 1], None, i, 0, "") for i in range(len(roots), 0, -1)
    ]
    pop, push = todo.pop, todo.append
    while todo:
        node, parent_ref, index, depth, base = pop()
        lab = node.label
        style = node.style
        if style == "attachment":
            ref = f"{parent_ref}.Attachment" if parent_ref else "Attachment"
        elif style == "dotted" and lab is not None:
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
        if ref in seen:  # the first free "~k" (k >= 2); the ones tried before stay taken
            k = tried.get(ref, 1) + 1
            while f"{ref}~{k}" in seen:
                k += 1
            tried[ref] = k
            ref = f"{ref}~{k}"
        seen.add(ref)
        out.append((node, ref, parent_ref, depth))
        kids = node.children
        if kids:  # pushed last child first: popped in document order
            child_base = ref if style == "attachment" else base
            for i in range(len(kids), 0, -1):
                push((kids[i - 1], ref, i, depth + 1, child_base))
    return out


def _to_clauses(roots: list[_Node]) -> tuple[Clause, ...]:
    reserved = {ref for node, ref, _, _ in _walk(roots, None) if node.label is not None}
    out: list[Clause] = []
    append = out.append
    for node, ref, parent_ref, depth in _walk(roots, reserved):
        heading, text = _split_heading(node)
        first, last, lab = node.first, node.last, node.label
        location = Location(first.page, first.line, last.page, last.line)
        label = lab.printed if lab else ""
        append(Clause(ref, label, heading, text, depth, location, parent_ref, node.kind))
    return tuple(out)


to_clauses = _to_clauses
