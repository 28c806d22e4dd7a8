"""Compare two drafts of one policy, clause by clause, both ways.

The OLD draft plays the model and the NEW draft the document: every OLD clause with text is
aligned sentence by sentence (``align.align``, provisions in OLD order) to NEW's clauses.
An OLD clause that matches nothing is ``deleted``; NEW text that matches nothing is
``inserted``; a matched pair is ``unchanged``, ``edited`` (with ``classify``'s changes and a
word-level redline) or ``moved`` (out of the OLD order). A section whose clauses all moved
together is reported as one move. The summary says what changed in words: "This draft weakens
1 obligation: 4.2 (shall → should)."

Exports:
    SCHEMA                                     -- "policydiff/compare@1"
    compare_documents(old, new) -> dict        -- the compare dict (the JSON output)
    compare_paths(old_path, new_path) -> dict  -- ingest both files, then compare
    compare_command                            -- the click command ``policydiff compare``
    render_text, render_html, render_markdown, render, FORMATS
                                               -- re-exported from ``analyzer.compare_render``
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from . import __version__
from .align import Alignment, Unit, align
from .audit import sentence_units
from .classify import XrefContext, classify, ref_key, section_of
from .compare_render import FORMATS, render, render_html, render_markdown, render_text
from .compare_render import clip as _clip
from .compare_render import plural as _plural
from .errors import InputError, PolicyDiffError
from .model import Clause, ClauseTree, Document, Location
from .normalize import Normalizer, build_normalizer
from .segment import segment

__all__ = [
    "SCHEMA",
    "compare_documents",
    "compare_paths",
    "render_text",
    "render_html",
    "render_markdown",
    "render",
    "FORMATS",
    "compare_command",
]

SCHEMA = "policydiff/compare@1"
DEFAULT_MAX_BYTES = 50_000_000
_LIST_MAX = 8  # items named in one summary sentence before "and N more"

Row = dict[str, Any]


# ---------------------------------------------------------------- the two sides


@dataclass(frozen=True)
class _Side:
    """One segmented draft: its clauses with text, their sentence units, and the tree."""

    doc: Document
    tree: ClauseTree
    clauses: tuple[Clause, ...]
    units: tuple[Unit, ...]

    @property
    def by_ref(self) -> dict[str, Clause]:
        return self.tree.by_ref()

    @property
    def order(self) -> dict[str, int]:
        return {c.ref: i for i, c in enumerate(self.tree.clauses)}


def _side(document: Document, normalizer: Normalizer) -> _Side:
    tree = segment(document)
    clauses = tuple(c for c in tree.clauses if c.text.strip())
    return _Side(document, tree, clauses, tuple(sentence_units(clauses, normalizer)))


@dataclass(frozen=True)
class _Links:
    """Which NEW units each OLD clause got, and which NEW units matched nothing."""

    old_units: dict[str, list[int]]  # old ref -> new unit ids (aligned + attached inserts)
    moved: dict[str, bool]
    loose: dict[str, list[int]]  # new ref -> unit ids that matched no old clause


def _links(alignment: Alignment, new: _Side) -> _Links:
    owner = alignment.unit_owner
    attached = _attached_inserts(owner, new.units)
    old_units = {
        m.model_ref: sorted({*m.doc_units, *attached.get(m.model_ref, [])})
        for m in alignment.provisions
    }
    taken = {j for idx in old_units.values() for j in idx}
    loose: dict[str, list[int]] = {}
    for j, unit in enumerate(new.units):
        if j not in taken:
            loose.setdefault(unit.owner, []).append(j)
    moved = {m.model_ref: m.moved for m in alignment.provisions}
    return _Links(old_units, moved, loose)


def _attached_inserts(owner: Sequence[str | None], units: Sequence[Unit]) -> dict[str, list[int]]:
    """Unmatched sentences of a NEW clause whose other sentences all came from one OLD
    clause belong to that clause (sentences inserted into it)."""
    by_clause: dict[str, list[int]] = {}
    for j, unit in enumerate(units):
        by_clause.setdefault(unit.owner, []).append(j)
    out: dict[str, list[int]] = {}
    for idx in by_clause.values():
        owners = {owner[j] for j in idx} - {None}
        loose = [j for j in idx if owner[j] is None]
        if len(owners) == 1 and loose:
            out.setdefault(str(next(iter(owners))), []).extend(loose)
    return out


def _xref_base(old: _Side, new: _Side, owner: Sequence[str | None]) -> XrefContext:
    """NEW's refs and labels, and the OLD section each NEW clause (and its ancestors) came
    from, so an internal reference in NEW is checked against NEW's own outline."""
    refs = {ref_key(c.ref) for c in new.tree.clauses}
    refs |= {ref_key(c.label.split()[-1]) for c in new.tree.clauses if c.label}
    parents = {c.ref: c.parent for c in new.tree.clauses}
    topics: dict[str, set[str]] = {}
    for unit, old_ref in zip(new.units, owner, strict=True):
        ref: str | None = unit.owner if old_ref is not None else None
        while ref is not None and old_ref is not None:
            topics.setdefault(ref_key(ref), set()).add(section_of(old_ref))
            ref = parents.get(ref)
    return XrefContext(
        frozenset(refs),
        {k: frozenset(v) for k, v in topics.items()},
        frozenset(ref_key(c.ref) for c in old.tree.clauses),
    )


# ---------------------------------------------------------------- rows


def _loc(location: Location | None) -> dict[str, int] | None:
    return location.to_dict() if location is not None else None


def _span(clauses: Sequence[Clause]) -> Location:
    first = min(clauses, key=lambda c: (c.location.page, c.location.line))
    last = max(clauses, key=lambda c: (c.location.end_page, c.location.end_line))
    return Location(
        first.location.page, first.location.line, last.location.end_page, last.location.end_line
    )


def _new_text(units: Sequence[int], new: _Side) -> tuple[list[str], str]:
    """The NEW clauses the units belong to, and their text: whole clauses where all their
    sentences are here, otherwise the sentences."""
    per_clause: dict[str, list[int]] = {}
    for j in units:
        per_clause.setdefault(new.units[j].owner, []).append(j)
    total = Counter(u.owner for u in new.units)
    by_ref = new.by_ref
    parts = []
    for ref, idx in per_clause.items():
        if len(idx) == total[ref]:
            parts.append(by_ref[ref].text.strip())
        else:
            parts.append(" ".join(new.units[j].raw for j in idx))
    return list(per_clause), "\n".join(parts)


def _row(**fields: Any) -> Row:
    row: Row = {
        "old_ref": None,
        "new_ref": None,
        "new_refs": [],
        "old_heading": "",
        "new_heading": "",
        "status": "unchanged",
        "substantive": False,
        "moved": False,
        "edited": False,
        "similarity": 1.0,
        "old_text": None,
        "new_text": None,
        "old_location": None,
        "new_location": None,
        "changes": [],
        "redline": [],
        "explanation": "",
    }
    row.update(fields)
    return row


def _deleted_row(clause: Clause) -> Row:
    return _row(
        old_ref=clause.ref,
        old_heading=clause.heading,
        status="deleted",
        substantive=True,
        similarity=0.0,
        old_text=clause.text,
        old_location=_loc(clause.location),
        redline=[["delete", clause.text]],
        explanation="no sentence of the new draft matches this clause",
    )


def _quote(text: str) -> str:
    return f"\u201c{text}\u201d"


def _heading_change(old: Clause, new: Clause | None) -> list[dict[str, Any]]:
    if new is None or " ".join(old.heading.split()) == " ".join(new.heading.split()):
        return []
    return [
        {
            "category": "wording",
            "direction": None,
            "model_text": old.heading,
            "doc_text": new.heading,
            "substantive": False,
            "explanation": f"heading changed: {_quote(old.heading)} \u2192 {_quote(new.heading)}",
        }
    ]


def _matched_row(
    clause: Clause, units: Sequence[int], moved: bool, new: _Side, ctx: _Context
) -> Row:
    refs, text = _new_text(units, new)
    by_ref = new.by_ref
    xref = XrefContext(ctx.xref.doc_refs, ctx.xref.doc_topics, ctx.xref.model_refs, clause.ref)
    result = classify(clause.text, text, ctx.normalizer, xref=xref)
    changes = [c.to_dict() for c in result.changes] + _heading_change(clause, by_ref[refs[0]])
    edited = bool(changes) or str(result.status) != "identical"
    status = "moved" if moved else ("edited" if edited else "unchanged")
    row = _row(
        old_ref=clause.ref,
        new_ref=refs[0],
        new_refs=refs,
        old_heading=clause.heading,
        new_heading=by_ref[refs[0]].heading,
        status=status,
        substantive=result.substantive,
        moved=moved,
        edited=edited,
        similarity=round(result.similarity, 3),
        old_text=clause.text,
        new_text=text,
        old_location=_loc(clause.location),
        new_location=_loc(_span([by_ref[r] for r in refs])),
        changes=changes,
        redline=[[op, t] for op, t in result.redline] if edited else [],
    )
    row["explanation"] = _explain(row)
    return row


def _explain(row: Row) -> str:
    where = f"now {', '.join(row['new_refs'])}" if row["new_ref"] != row["old_ref"] else ""
    parts = [p for p in (where, "out of the old order (moved)" if row["moved"] else "") if p]
    subs = [c["explanation"] for c in row["changes"] if c["substantive"]]
    if subs:
        parts.append("substantive: " + "; ".join(subs[:4]))
    elif row["edited"]:
        kinds = sorted({c["category"] for c in row["changes"]}) or ["formatting"]
        parts.append(f"editorial only ({', '.join(kinds)})")
    else:
        parts.append("text unchanged")
    return "; ".join(parts)


def _inserted_row(ref: str, units: Sequence[int], new: _Side) -> Row:
    clause = new.by_ref[ref]
    _, text = _new_text(units, new)
    whole = len(units) == sum(1 for u in new.units if u.owner == ref)
    return _row(
        new_ref=ref,
        new_refs=[ref],
        new_heading=clause.heading,
        status="inserted",
        substantive=True,
        similarity=0.0,
        new_text=text,
        new_location=_loc(clause.location),
        redline=[["insert", text]],
        explanation="a new clause" if whole else "new sentences in a clause otherwise matched",
    )


@dataclass(frozen=True)
class _Context:
    normalizer: Normalizer
    xref: XrefContext


def _old_rows(old: _Side, new: _Side, links: _Links, ctx: _Context) -> list[Row]:
    rows = []
    for clause in old.clauses:
        units = links.old_units.get(clause.ref, [])
        if not units:
            rows.append(_deleted_row(clause))
        else:
            rows.append(_matched_row(clause, units, links.moved[clause.ref], new, ctx))
    return rows


def _place_inserts(rows: list[Row], inserted: list[Row], new: _Side) -> list[Row]:
    """OLD order, each inserted row right after the row of the NEW clause it follows."""
    order = new.order
    row_of_new: dict[str, int] = {}
    for i, row in enumerate(rows):
        for ref in row["new_refs"]:
            row_of_new[ref] = max(row_of_new.get(ref, -1), i)
    matched = sorted(row_of_new, key=order.__getitem__)
    after: dict[int, list[Row]] = {}
    for row in sorted(inserted, key=lambda r: order[r["new_ref"]]):
        k = order[row["new_ref"]]
        before = [ref for ref in matched if order[ref] < k]
        after.setdefault(row_of_new[before[-1]] if before else -1, []).append(row)
    out = list(after.get(-1, []))
    for i, row in enumerate(rows):
        out.append(row)
        out.extend(after.get(i, []))
    return out


# ---------------------------------------------------------------- sections and moves


def _descendants(tree: ClauseTree) -> dict[str, list[str]]:
    """Each ref -> the refs of its subtree with text (itself included), in tree order."""
    out: dict[str, list[str]] = {c.ref: [] for c in tree.clauses}
    parents = {c.ref: c.parent for c in tree.clauses}
    for c in tree.clauses:
        if not c.text.strip():
            continue
        ref: str | None = c.ref
        while ref is not None:
            out[ref].append(c.ref)
            ref = parents.get(ref)
    return out


def _collapse(refs: Iterable[str], tree: ClauseTree) -> list[tuple[str, list[str]]]:
    """Group refs into the top-most sections all of whose clauses are in ``refs``:
    [(section or clause ref, its member refs)], in tree order."""
    wanted = set(refs)
    subtree = _descendants(tree)
    under = _subtrees(tree)
    out: list[tuple[str, list[str]]] = []
    covered: set[str] = set()
    for c in tree.clauses:
        members = subtree[c.ref]
        if c.ref in covered or not members or not set(members) <= wanted:
            continue
        out.append((c.ref, members))
        covered |= under[c.ref]
    return out


def _subtrees(tree: ClauseTree) -> dict[str, set[str]]:
    """Each ref -> every ref of its subtree, itself included."""
    out: dict[str, set[str]] = {c.ref: {c.ref} for c in tree.clauses}
    parents = {c.ref: c.parent for c in tree.clauses}
    for c in tree.clauses:
        ref = c.parent
        while ref is not None:
            out[ref].add(c.ref)
            ref = parents.get(ref)
    return out


def _is_under(clause: Clause, root: str, tree: ClauseTree) -> bool:
    return clause.ref != root and clause.ref in _subtrees(tree)[root]


def _label(ref: str, tree: ClauseTree, renamed: str | None = None) -> str:
    clause = tree.by_ref().get(ref)
    extras = [clause.heading] if clause is not None and clause.heading else []
    if renamed and renamed != ref:
        extras.append(f"now {renamed}")
    return f"{ref} ({', '.join(extras)})" if extras else ref


def _ancestor_at(ref: str, depth: int, tree: ClauseTree) -> str:
    by_ref = tree.by_ref()
    clause = by_ref[ref]
    while clause.depth > depth and clause.parent is not None:
        clause = by_ref[clause.parent]
    return clause.ref


def _new_ref_of_section(members: Sequence[str], root: Clause, rows: Mapping[str, Row]) -> str:
    """The NEW ref of an OLD section: the common ancestor of its clauses' NEW refs, at the
    same distance from them as in OLD."""
    first = rows[members[0]]["new_ref"]
    depth_gap = len(members[0].split(".")) - len(root.ref.split("."))
    parts = str(first).split(".")
    return ".".join(parts[: max(1, len(parts) - depth_gap)])


def _moves(rows: Sequence[Row], old: _Side, new: _Side) -> list[dict[str, Any]]:
    by_old = {r["old_ref"]: r for r in rows if r["old_ref"] is not None}
    moved = [r["old_ref"] for r in rows if r["moved"]]
    new_order = new.order
    out: list[dict[str, Any]] = []
    for root_ref, members in _collapse(moved, old.tree):
        positions = sorted(new_order[ref] for m in members for ref in by_old[m]["new_refs"])
        if len(members) > 1 and not _contiguous(positions, members, by_old, new):
            out.extend(_move(m, [m], by_old, old, new) for m in members)
            continue
        out.append(_move(root_ref, members, by_old, old, new))
    return out


def _contiguous(
    positions: list[int], members: Sequence[str], rows: Mapping[str, Row], new: _Side
) -> bool:
    """Do the members' NEW clauses sit together (no other text clause between them)?"""
    own = {ref for m in members for ref in rows[m]["new_refs"]}
    texts = [c.ref for c in new.tree.clauses if c.text.strip()]
    span = [
        ref for ref in texts if positions[0] <= new.order[ref] <= positions[-1] and ref not in own
    ]
    return not span


def _move(
    root_ref: str, members: list[str], rows: Mapping[str, Row], old: _Side, new: _Side
) -> dict[str, Any]:
    root = old.by_ref[root_ref]
    new_ref = (
        rows[root_ref]["new_ref"] if root_ref in rows else _new_ref_of_section(members, root, rows)
    )
    relation, anchor = _anchor(root, members, rows, old, new)
    anchor_new = rows[anchor]["new_ref"] if anchor is not None and anchor in rows else None
    if anchor and anchor not in rows:
        anchor_new = _new_ref_of_section(_descendants(old.tree)[anchor], old.by_ref[anchor], rows)
    text = f"{_label(root_ref, old.tree, new_ref)} now comes {relation}"
    if anchor:
        text += f" {_label(anchor, old.tree, anchor_new)}"
    return {
        "old_ref": root_ref,
        "new_ref": new_ref,
        "heading": root.heading,
        "kind": "section" if len(members) > 1 or members[0] != root_ref else "clause",
        "clauses": members,
        "relation": relation,
        "anchor_old_ref": anchor,
        "anchor_new_ref": anchor_new,
        "text": text,
    }


def _anchor(
    root: Clause, members: Sequence[str], rows: Mapping[str, Row], old: _Side, new: _Side
) -> tuple[str, str | None]:
    """Where the moved clauses now sit: 'before X' when they moved up, else 'after X'
    (X at the same outline level, in OLD refs)."""
    own = {ref for m in members for ref in rows[m]["new_refs"]}
    new_to_old: dict[str, str] = {}
    for old_ref, row in rows.items():
        for ref in row["new_refs"]:
            new_to_old.setdefault(ref, old_ref)
    seq = [c.ref for c in new.tree.clauses if c.ref in new_to_old]
    idx = [i for i, ref in enumerate(seq) if ref in own]
    old_order = old.order

    def lift(i: int) -> str | None:
        if not 0 <= i < len(seq):
            return None
        ref = _ancestor_at(new_to_old[seq[i]], root.depth, old.tree)
        return None if ref == root.ref or _is_under(root, ref, old.tree) else ref

    prev, nxt = lift(idx[0] - 1), lift(idx[-1] + 1)
    if nxt is not None and (old_order[nxt] < old_order[root.ref] or prev is None):
        return "before", nxt
    if prev is not None:
        return "after", prev
    return "first", None


# ---------------------------------------------------------------- summary in words


def _listing(items: Sequence[str]) -> str:
    head = list(items[:_LIST_MAX])
    more = len(items) - len(head)
    return ", ".join(head) + (f" and {more} more" if more > 0 else "")


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE_RE = re.compile(
    rf"\b(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b"
)


def _widen_date(piece: str, text: str | None) -> str:
    """The whole date a changed piece belongs to: "2027" -> "June 1, 2027"."""
    for m in _DATE_RE.finditer(text or ""):
        if piece and piece in m.group(0):
            return m.group(0)
    return piece


def _pair_text(change: Mapping[str, Any], row: Mapping[str, Any] | None = None) -> str:
    old, new = str(change["model_text"]), str(change["doc_text"])
    if row is not None and change["category"] == "date":
        old, new = _widen_date(old, row["old_text"]), _widen_date(new, row["new_text"])
    old, new = _clip(old, 50), _clip(new, 50)
    if not old:
        return f"adds \u201c{new}\u201d"
    if not new:
        return f"removes \u201c{old}\u201d"
    return f"{old} \u2192 {new}"


def _changes_of(rows: Sequence[Row], test: Callable[[Mapping[str, Any]], bool]) -> list[str]:
    out: list[str] = []
    for row in rows:
        found = [c for c in row["changes"] if test(c)]
        if found:
            ref = row["old_ref"] or row["new_ref"]
            out.extend(f"{ref} ({_pair_text(c, row)})" for c in found)
    return out


_CATEGORY_NOUNS = (
    ("negation", "flips", "negation"),
    ("date", "changes", "date"),
    ("duration", "changes", "duration"),
    ("number", "changes", "number"),
    ("citation", "changes", "citation"),
    ("cross-reference", "breaks or redirects", "internal reference"),
)


def _is_modal(direction: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda c: c["category"] == "modality" and c["direction"] == direction


def _is_category(category: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda c: c["category"] == category and bool(c["substantive"])


def _obligation_phrases(rows: Sequence[Row]) -> list[str]:
    out = []
    for direction, verb in (("weaker", "weakens"), ("stronger", "strengthens")):
        items = _changes_of(rows, _is_modal(direction))
        if items:
            out.append(f"{verb} {_plural(len(items), 'obligation')}: {_listing(items)}")
    return out


def _category_phrases(rows: Sequence[Row]) -> list[str]:
    out = []
    for category, verb, noun in _CATEGORY_NOUNS:
        items = _changes_of(rows, _is_category(category))
        if items:
            out.append(f"{verb} {_plural(len(items), noun)}: {_listing(items)}")
    scoped = [
        r for r in rows if any(c["category"] == "scope" and c["substantive"] for c in r["changes"])
    ]
    if scoped:
        items = [
            f"{r['old_ref']} ("
            + "; ".join(_pair_text(c) for c in r["changes"] if c["category"] == "scope")
            + ")"
            for r in scoped
        ]
        out.append(f"changes the scope of {_plural(len(items), 'clause')}: {_listing(items)}")
    return out


def _group_words(
    groups: Sequence[tuple[str, list[str]]], tree: ClauseTree
) -> tuple[str, list[str]]:
    """'1 section and 2 clauses', and the items: sections with their clause count."""
    sections = [(ref, m) for ref, m in groups if len(m) > 1 or m[0] != ref]
    counts = []
    if sections:
        counts.append(_plural(len(sections), "section"))
    singles = len(groups) - len(sections)
    if singles:
        counts.append(_plural(singles, "clause"))
    items = []
    for ref, members in groups:
        if len(members) > 1 or members[0] != ref:
            items.append(f"{_label(ref, tree)} with {_plural(len(members), 'clause')}")
        else:
            items.append(_label(ref, tree))
    return " and ".join(counts), items


def _structure_phrases(
    rows: Sequence[Row], moves: Sequence[Mapping[str, Any]], old: _Side, new: _Side
) -> list[str]:
    out: list[str] = []
    if moves:
        sections = sum(m["kind"] == "section" for m in moves)
        words = [_plural(sections, "section")] if sections else []
        if len(moves) - sections:
            words.append(_plural(len(moves) - sections, "clause"))
        listed = "; ".join(m["text"] for m in moves[:_LIST_MAX])
        more = f"; and {len(moves) - _LIST_MAX} more" if len(moves) > _LIST_MAX else ""
        out.append(f"moves {' and '.join(words)}: {listed}{more}")
    for status, verb, tree in (("inserted", "adds", new.tree), ("deleted", "deletes", old.tree)):
        key = "new_ref" if status == "inserted" else "old_ref"
        refs = [r[key] for r in rows if r["status"] == status]
        if refs:
            counted, items = _group_words(_collapse(refs, tree), tree)
            out.append(f"{verb} {counted}: {_listing(items)}")
    return out


def _editorial_phrases(rows: Sequence[Row]) -> list[str]:
    out = []
    light = [r["old_ref"] for r in rows if r["edited"] and not r["substantive"]]
    if light:
        out.append(
            f"edits {_plural(len(light), 'clause')} without changing the meaning "
            f"(wording, punctuation or references only): {_listing(light)}"
        )
    return out


def _renumber_phrases(rows: Sequence[Row], old: _Side) -> list[str]:
    """Clauses whose outline ref changed, a whole section at a time."""
    by_old = {r["old_ref"]: r for r in rows if r["old_ref"] and r["new_ref"]}
    changed = [ref for ref, r in by_old.items() if len(r["new_refs"]) == 1 and r["new_ref"] != ref]
    if not changed:
        return []
    items = []
    for ref, members in _collapse(changed, old.tree):
        if len(members) == 1 and members[0] == ref:
            items.append(f"{ref} \u2192 {by_old[ref]['new_ref']}")
            continue
        target = _new_ref_of_section(members, old.by_ref[ref], by_old)
        if target == ref:  # the section kept its number; its clauses were reordered
            items.extend(f"{m} \u2192 {by_old[m]['new_ref']}" for m in members)
        else:
            items.append(f"{ref} \u2192 {target} ({_plural(len(members), 'clause')})")
    return [f"renumbers {_plural(len(changed), 'clause')}: {_listing(items)}"]


def _summary(
    rows: Sequence[Row], moves: Sequence[Mapping[str, Any]], old: _Side, new: _Side
) -> list[str]:
    phrases = [
        *_obligation_phrases(rows),
        *_category_phrases(rows),
        *_structure_phrases(rows, moves, old, new),
        *_editorial_phrases(rows),
        *_renumber_phrases(rows, old),
    ]
    if " ".join(old.tree.title.split()) != " ".join(new.tree.title.split()):
        phrases.append(
            f"retitles the policy: \u201c{old.tree.title}\u201d \u2192 \u201c{new.tree.title}\u201d"
        )
    if not phrases:
        return [
            "No changes: the two drafts say the same thing, clause by clause, in the same order."
        ]
    return [("This draft " if i == 0 else "It ") + p + "." for i, p in enumerate(phrases)]


def _counts(rows: Sequence[Row], moves: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    statuses = Counter(r["status"] for r in rows)

    def modal(direction: str) -> int:
        return sum(
            c["category"] == "modality" and c["direction"] == direction
            for r in rows
            for c in r["changes"]
        )

    return {
        "clauses": len(rows),
        "unchanged": statuses["unchanged"],
        "edited": sum(r["edited"] for r in rows),
        "substantive": sum(r["substantive"] for r in rows),
        "moved": len(moves),
        "moved_clauses": sum(r["moved"] for r in rows),
        "inserted": statuses["inserted"],
        "deleted": statuses["deleted"],
        "weakened": modal("weaker"),
        "strengthened": modal("stronger"),
    }


# ---------------------------------------------------------------- the library functions


def _mapping(rows: Sequence[Row], old: _Side, new: _Side) -> dict[str, dict[str, list[str]]]:
    old_to_new = {r["old_ref"]: list(r["new_refs"]) for r in rows if r["old_ref"]}
    new_to_old: dict[str, list[str]] = {c.ref: [] for c in new.clauses}
    for row in rows:
        for ref in row["new_refs"]:
            if row["old_ref"]:
                new_to_old[ref].append(row["old_ref"])
    return {"old_to_new": old_to_new, "new_to_old": new_to_old}


def _meta(side: _Side) -> dict[str, Any]:
    return {
        "path": side.doc.path,
        "sha256": side.doc.sha256,
        "title": side.tree.title,
        "format": side.doc.format,
        "clauses": len(side.clauses),
    }


def compare_documents(old: Document, new: Document) -> dict[str, Any]:
    """Compare two ingested drafts; the ``policydiff/compare@1`` dict (OLD order)."""
    normalizer = build_normalizer(None, new.text)
    a, b = _side(old, normalizer), _side(new, normalizer)
    alignment = align(list(a.units), list(b.units), provision_order=[c.ref for c in a.clauses])
    links = _links(alignment, b)
    ctx = _Context(normalizer, _xref_base(a, b, alignment.unit_owner))
    rows = _old_rows(a, b, links, ctx)
    inserted = [_inserted_row(ref, idx, b) for ref, idx in links.loose.items()]
    moves = _moves(rows, a, b)
    rows = _place_inserts(rows, inserted, b)
    return {
        "schema": SCHEMA,
        "tool": {"name": "policydiff", "version": __version__},
        "old": _meta(a),
        "new": _meta(b),
        "summary": _summary(rows, moves, a, b),
        "counts": _counts(rows, moves),
        "moves": moves,
        "clauses": rows,
        "mapping": _mapping(rows, a, b),
    }


def _ingest(path: str | os.PathLike[str], max_bytes: int) -> Document:
    from .ingest import ingest

    name = os.fspath(path)
    if not Path(name).exists():
        raise InputError(f"{name}: no such file; check the path and try again.")
    if not Path(name).is_file():
        raise InputError(f"{name}: not a file; give the path of a policy document.")
    try:
        return ingest(name, max_bytes=max_bytes)
    except OSError as err:
        raise InputError(
            f"{name}: cannot be read ({err.strerror}); check its permissions."
        ) from err


def compare_paths(
    old_path: str | os.PathLike[str],
    new_path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> dict[str, Any]:
    """Ingest two files (errors: ``analyzer.errors`` subclasses) and compare them."""
    return compare_documents(_ingest(old_path, max_bytes), _ingest(new_path, max_bytes))


# ---------------------------------------------------------------- the command


@click.command("compare")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html", "md"]),
    default="text",
    show_default=True,
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout."
)
@click.option(
    "--max-bytes",
    type=int,
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Refuse larger files.",
)
def compare_command(old: str, new: str, fmt: str, output: str | None, max_bytes: int) -> None:
    """Compare two drafts of one policy: OLD and NEW, clause by clause, both ways."""
    try:
        data = compare_paths(old, new, max_bytes=max_bytes)
    except PolicyDiffError as err:
        click.echo(f"policydiff: error: {err}", err=True)
        sys.exit(1)
    text = render(data, fmt)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)
