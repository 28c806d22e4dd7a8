"""Compare two drafts of one policy, clause by clause, both ways.

The OLD draft plays the model and the NEW draft the document: every OLD clause with text is
aligned sentence by sentence (``align.align``, provisions in OLD order) to NEW's clauses.
An OLD clause that matches nothing is ``deleted``; NEW text that matches nothing is
``inserted``; a matched pair is ``unchanged``, ``edited`` (with ``classify``'s changes and a
word-level redline) or ``moved`` (out of the OLD order). A section whose clauses all moved
together is reported as one move. The summary says what changed in words: "This draft weakens
1 obligation: 4.2 (shall → should)." The moves, counts and summary sentences are written by
``analyzer.compare_summary``; the renderers live in ``analyzer.compare_render``.

Exports:
    SCHEMA                                     -- "policydiff/compare@1"
    compare_documents(old, new) -> dict        -- the compare dict (the JSON output)
    compare_paths(old_path, new_path) -> dict  -- ingest both files, then compare
    render_text, render_html, render_markdown, render, FORMATS
                                               -- re-exported from ``analyzer.compare_render``
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .align import Alignment, Unit, align, attach_inserts
from .audit import sentence_units
from .classify import XrefContext, classify, xref_context
from .compare_render import FORMATS, render, render_html, render_markdown, render_text
from .compare_summary import count_rows as _counts
from .compare_summary import find_moves as _moves
from .compare_summary import summary_sentences as _summary
from .errors import InputError
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
]

SCHEMA = "policydiff/compare@1"
DEFAULT_MAX_BYTES = 50_000_000

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
    attached = attach_inserts(owner, new.units)
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
    xref = xref_context(b.tree, a.tree, [u.owner for u in b.units], alignment.unit_owner)
    ctx = _Context(normalizer, xref)
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
