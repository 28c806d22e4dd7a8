"""Compare two drafts of one policy, clause by clause, both ways.

The OLD draft plays the model and the NEW draft the document: every OLD clause with text is
aligned sentence by sentence (``align.align``, provisions in OLD order) to NEW's clauses.
An OLD clause that matches nothing is ``deleted``; NEW text that matches nothing is
``inserted``; a matched pair is ``unchanged``, ``edited`` (with ``classify``'s changes and a
word-level redline) or ``moved`` (out of the OLD order). A section whose clauses all moved
together is reported as one move. Titles, preamble lines and headings (paragraphs with no
sentence of their own) are paired after the clauses, content first (``outline`` rows, by
``analyzer.compare_outline``), and which pairs moved is judged over all of them: the most
pairs kept in order, preferring those still under their own section. The summary says what
changed in words: "This draft weakens 1 obligation: 4.2 (shall → should)." The moves, counts
and summary sentences are written by ``analyzer.compare_summary``; the renderers live in
``analyzer.compare_render``.

Exports:
    SCHEMA                                     -- "policydiff/compare@1"
    compare_documents(old, new) -> dict        -- the compare dict (the JSON output)
    compare_paths(old_path, new_path) -> dict  -- ingest both files, then compare
    render_text, render_html, render_markdown, render, FORMATS
                                               -- re-exported from ``analyzer.compare_render``
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import __version__
from .classify import XrefContext, classify
from .compare_outline import outline_rows
from .compare_render import FORMATS, render, render_html, render_markdown, render_text
from .compare_summary import count_rows as _counts
from .compare_summary import find_moves as _moves
from .compare_summary import summary_sentences as _summary
from .context import Context, default_context
from .detect import detect_model
from .effects import EffectRules
from .errors import InputError
from .model import Clause, ClauseTree, Document, Location, ModelPolicy, Pairing, Side
from .normalize import build_normalizer
from .pair import new_text, pair, pair_xref, side
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
# Two drafts keep their order: in-order near-exact sentence pairs (``align.in_order``) get this
# bonus before assignment, so identical or near-identical siblings pair by content and order
# rather than by number (a renumbered list with an item inserted, a run of identical clauses).
ALIGN_OPTIONS = {"order_first": 40.0}

Row = dict[str, Any]


# ---------------------------------------------------------------- the two sides


def _sides(old: Document, new: Document, context: Context) -> tuple[Side, Side, Document]:
    """Both drafts segmented and split into sentences under one normalizer: the declared
    substitutions of the model the drafts follow (each draft's own agency, district and
    chief names stand for the model's parties, as in an audit)."""
    old_tree, new_tree = segment(old), segment(new)
    model = _followed_model(old_tree, new_tree, context)
    normalizer = build_normalizer(
        model, old.text + "\n" + new.text, tables=context.tables, lexicon=context.lexicon
    )
    return side(old_tree, normalizer), side(new_tree, normalizer), new


def _followed_model(old: ClauseTree, new: ClauseTree, context: Context) -> ModelPolicy | None:
    """The bundled model either draft follows (its substitutions apply), or None."""
    for tree in (old, new):
        follows, _ = detect_model(tree, context=context)
        if follows:
            return context.model(follows)
    return None


# ---------------------------------------------------------------- rows


def _loc(location: Location | None) -> dict[str, int] | None:
    return location.to_dict() if location is not None else None


def _span(clauses: Sequence[Clause]) -> Location:
    first = min(clauses, key=lambda c: (c.location.page, c.location.line))
    last = max(clauses, key=lambda c: (c.location.end_page, c.location.end_line))
    return Location(
        first.location.page, first.location.line, last.location.end_page, last.location.end_line
    )


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
    clause: Clause,
    units: Sequence[int],
    moved: bool,
    pairing: Pairing,
    base: XrefContext,
    rules: EffectRules,
) -> Row:
    refs, text = new_text(pairing, units)
    by_ref = pairing.new.by_ref
    xref = replace(base, provision_ref=clause.ref)
    result = classify(clause.text, text, pairing.new.normalizer, xref=xref, rules=rules)
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


def _reflag(row: Row, moved: bool) -> Row:
    """The row with ``moved`` as judged over every paired paragraph, headings included
    (``compare_outline.in_order_pairs``), rather than over the clause sentences alone."""
    if row["new_ref"] is None or row["moved"] == moved:
        return row
    status = "moved" if moved else ("edited" if row["edited"] else "unchanged")
    out = {**row, "moved": moved, "status": status}
    out["explanation"] = _explain(out)
    return out


def _inserted_row(ref: str, units: Sequence[int], pairing: Pairing) -> Row:
    clause = pairing.new.by_ref[ref]
    _, text = new_text(pairing, units)
    whole = len(units) == pairing.new.sizes[ref]
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


def _old_rows(pairing: Pairing, rules: EffectRules) -> list[Row]:
    base = pair_xref(pairing)
    rows = []
    for clause, match in zip(pairing.old.clauses, pairing.matches, strict=True):
        units = pairing.units_of(clause.ref)
        if not units:
            rows.append(_deleted_row(clause))
        else:
            rows.append(_matched_row(clause, units, match.moved, pairing, base, rules))
    return rows


def _inserted_rows(pairing: Pairing) -> list[Row]:
    loose: dict[str, list[int]] = {}
    for j in sorted(pairing.loose):
        loose.setdefault(pairing.new.units[j].owner, []).append(j)
    return [_inserted_row(ref, idx, pairing) for ref, idx in loose.items()]


def _place_inserts(rows: list[Row], inserted: list[Row], new: Side) -> list[Row]:
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


def _mapping(rows: Sequence[Row], old: Side, new: Side) -> dict[str, dict[str, list[str]]]:
    old_to_new = {r["old_ref"]: list(r["new_refs"]) for r in rows if r["old_ref"]}
    new_to_old: dict[str, list[str]] = {c.ref: [] for c in new.clauses}
    for row in rows:
        for ref in row["new_refs"]:
            if row["old_ref"]:
                new_to_old[ref].append(row["old_ref"])
    return {"old_to_new": old_to_new, "new_to_old": new_to_old}


def _meta(doc: Document, part: Side) -> dict[str, Any]:
    return {
        "path": doc.path,
        "sha256": doc.sha256,
        "title": part.tree.title,
        "format": doc.format,
        "clauses": len(part.clauses),
    }


def compare_documents(
    old: Document, new: Document, *, context: Context | None = None
) -> dict[str, Any]:
    """Compare two ingested drafts; the ``policydiff/compare@1`` dict (OLD order)."""
    context = context or default_context()
    a, b, _ = _sides(old, new, context)
    pairing = pair(a, b, context=context, align_options=ALIGN_OPTIONS)
    rows = _old_rows(pairing, context.rules())
    inserted = _inserted_rows(pairing)
    outline, out_of_order = outline_rows([*rows, *inserted], a.tree, b.tree)
    rows = [_reflag(row, row["old_ref"] in out_of_order) for row in rows]
    kept = [r["old_ref"] for r in outline if r["new_ref"] and r["old_ref"] and not r["moved"]]
    moves = _moves(rows, a, b, kept)
    rows = _place_inserts(rows, inserted, b)
    return {
        "schema": SCHEMA,
        "tool": {"name": "policydiff", "version": __version__},
        "old": _meta(old, a),
        "new": _meta(new, b),
        "summary": _summary(rows, moves, a, b),
        "counts": _counts(rows, moves),
        "moves": moves,
        "clauses": rows,
        "outline": outline,
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
