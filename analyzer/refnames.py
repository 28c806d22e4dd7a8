"""Names for document clauses that never invent a label the document does not print.

A clause ref (``436.3.¶1``, ``IV.5``, ``3.6``) is an outline path: the document's own labels,
plus the 1-based position of a paragraph the document did not label. The ref stays the key in
the JSON; reports show a reader this name instead:

- every clause on the path labeled: the ref with a section sign, ``§IV.A.1`` or ``§436.3``;
- an unlabeled clause: its position and its parent, ``unlabeled paragraph 2 under §436.3``;
- an unlabeled clause with a heading line: the heading, ``“POLICY”`` (and its parent's name);
- a labeled clause under an unlabeled one: its labels, then the unlabeled ancestor,
  ``(a) in unlabeled paragraph 1 under §436.3``;
- an unlabeled paragraph before any section: ``unlabeled paragraph 1 at the top``.

Exports: ref_names(tree) -> {ref: name}, ref_name(ref, by_ref) -> str.
"""

from __future__ import annotations

from collections.abc import Mapping

from .model import Clause, ClauseTree

__all__ = ["ref_names", "ref_name"]


def _position(ref: str) -> str:
    return ref.rsplit(".", 1)[-1].lstrip("¶")


def _label(clause: Clause) -> str:
    """The label as a reader would quote it: '(a)', 'iv', 'Order 417.2' -> '417.2'."""
    label = clause.label.strip().rstrip(".:")
    last = clause.ref.rsplit(".", 1)[-1]
    if label.startswith("(") or label.endswith(")"):
        return label
    return last if last in label else label or last


def ref_name(ref: str, by_ref: Mapping[str, Clause], memo: dict[str, str] | None = None) -> str:
    """The reader's name of one clause (see the module docstring); an unknown ref as is.
    ``memo`` keeps the names already made (a parent's name is reused by its children)."""
    if memo is not None and ref in memo:
        return memo[ref]
    name = _name(ref, by_ref, memo)
    if memo is not None:
        memo[ref] = name
    return name


def _name(ref: str, by_ref: Mapping[str, Clause], memo: dict[str, str] | None) -> str:
    clause = by_ref.get(ref)
    if clause is None:
        return ref
    path: list[Clause] = []
    node: Clause | None = clause
    while node is not None:
        path.append(node)
        node = by_ref.get(node.parent) if node.parent else None
    unlabeled = next((i for i, c in enumerate(path) if not c.label), None)
    if unlabeled is None:
        return f"§{ref}"
    if unlabeled > 0:  # labeled clauses under an unlabeled one
        run = path[:unlabeled]
        parts = [_label(run[0])] if len(run) == 1 else [c.ref.rsplit(".", 1)[-1] for c in run]
        labels = "".join(reversed(parts)) if len(run) == 1 else ".".join(reversed(parts))
        return f"{labels} in {ref_name(path[unlabeled].ref, by_ref, memo)}"
    own = f"“{clause.heading}”" if clause.heading else f"unlabeled paragraph {_position(ref)}"
    if clause.parent is None:
        return own if clause.heading else f"{own} at the top"
    return f"{own} under {ref_name(clause.parent, by_ref, memo)}"


def ref_names(tree: ClauseTree) -> dict[str, str]:
    """The reader's name of every clause of ``tree``, keyed by ref."""
    by_ref = tree.by_ref()
    memo: dict[str, str] = {}
    return {ref: ref_name(ref, by_ref, memo) for ref in by_ref}
