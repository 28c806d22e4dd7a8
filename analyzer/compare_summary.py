"""Moves and the summary in words for ``analyzer.compare``.

Works on the clause rows ``analyzer.compare`` builds (OLD order, inserted rows placed) and the
two segmented drafts: groups moved clauses into the top-most sections that moved together,
says where each now sits ("3.2 (Duties) now comes after 4.1"), counts the statuses, and writes
the summary sentences ("This draft weakens 1 obligation: 4.2 (shall → should).").

Exports:
    find_moves(rows, old, new, kept=()) -> list[dict]    -- the ``moves`` of the compare dict
    summary_sentences(rows, moves, old, new) -> list[str] -- the ``summary`` sentences
    count_rows(rows, moves) -> dict[str, int]            -- the ``counts``
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .compare_render import clip, plural
from .model import Clause, ClauseTree

if TYPE_CHECKING:
    from .compare import Row
    from .model import Side as _Side

__all__ = ["find_moves", "summary_sentences", "count_rows"]

_LIST_MAX = 8  # items named in one summary sentence before "and N more"


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


def _collapse(
    refs: Iterable[str], tree: ClauseTree, kept: Iterable[str] = ()
) -> list[tuple[str, list[str]]]:
    """Group refs into the top-most sections all of whose clauses are in ``refs``:
    [(section or clause ref, its member refs)], in tree order. A section whose heading is
    in ``kept`` (it stayed in place) never groups them: its clauses moved, not it."""
    wanted = set(refs)
    stays = set(kept) - wanted
    subtree = _descendants(tree)
    under = _subtrees(tree)
    out: list[tuple[str, list[str]]] = []
    covered: set[str] = set()
    for c in tree.clauses:
        members = subtree[c.ref]
        if c.ref in covered or c.ref in stays or not members or not set(members) <= wanted:
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


def find_moves(
    rows: Sequence[Row], old: _Side, new: _Side, kept: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """The moved clause rows, a section whose clauses all moved together as one move
    (unless its heading, in ``kept``, stayed in place)."""
    by_old = {r["old_ref"]: r for r in rows if r["old_ref"] is not None}
    moved = [r["old_ref"] for r in rows if r["moved"]]
    new_order = new.order
    out: list[dict[str, Any]] = []
    for root_ref, members in _collapse(moved, old.tree, kept):
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
    old, new = clip(old, 50), clip(new, 50)
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


def _has_effect(effect: str) -> Callable[[Mapping[str, Any]], bool]:
    """The change's effect (effects.py: the one definition of weakened / strengthened)."""
    return lambda c: c.get("effect") == effect


def _is_category(category: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda c: (
        c["category"] == category
        and bool(c["substantive"])
        and c.get("effect") not in ("weakened", "strengthened")
    )


def _obligation_phrases(rows: Sequence[Row]) -> list[str]:
    out = []
    for effect, verb in (("weakened", "weakens"), ("strengthened", "strengthens")):
        items = _changes_of(rows, _has_effect(effect))
        if items:
            out.append(f"{verb} {plural(len(items), 'obligation')}: {_listing(items)}")
    return out


def _category_phrases(rows: Sequence[Row]) -> list[str]:
    out = []
    for category, verb, noun in _CATEGORY_NOUNS:
        items = _changes_of(rows, _is_category(category))
        if items:
            out.append(f"{verb} {plural(len(items), noun)}: {_listing(items)}")
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
        out.append(f"changes the scope of {plural(len(items), 'clause')}: {_listing(items)}")
    return out


def _group_words(
    groups: Sequence[tuple[str, list[str]]], tree: ClauseTree
) -> tuple[str, list[str]]:
    """'1 section and 2 clauses', and the items: sections with their clause count."""
    sections = [(ref, m) for ref, m in groups if len(m) > 1 or m[0] != ref]
    counts = []
    if sections:
        counts.append(plural(len(sections), "section"))
    singles = len(groups) - len(sections)
    if singles:
        counts.append(plural(singles, "clause"))
    items = []
    for ref, members in groups:
        if len(members) > 1 or members[0] != ref:
            items.append(f"{_label(ref, tree)} with {plural(len(members), 'clause')}")
        else:
            items.append(_label(ref, tree))
    return " and ".join(counts), items


def _structure_phrases(
    rows: Sequence[Row], moves: Sequence[Mapping[str, Any]], old: _Side, new: _Side
) -> list[str]:
    out: list[str] = []
    if moves:
        sections = sum(m["kind"] == "section" for m in moves)
        words = [plural(sections, "section")] if sections else []
        if len(moves) - sections:
            words.append(plural(len(moves) - sections, "clause"))
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
            f"edits {plural(len(light), 'clause')} without changing the meaning "
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
            items.append(f"{ref} \u2192 {target} ({plural(len(members), 'clause')})")
    return [f"renumbers {plural(len(changed), 'clause')}: {_listing(items)}"]


def summary_sentences(
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


def count_rows(rows: Sequence[Row], moves: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    statuses = Counter(r["status"] for r in rows)

    def modal(direction: str) -> int:
        effect = "weakened" if direction == "weaker" else "strengthened"
        return sum(c.get("effect") == effect for r in rows for c in r["changes"])

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
