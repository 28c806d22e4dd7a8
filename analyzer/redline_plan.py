"""Turn an audit or a comparison into a tracked-changes redline (``docx_redline.Redline``).

Each side becomes its paragraphs as printed (front matter, then every clause: its own label,
heading and text, indented by depth). Clause pairs come from the engine's alignment
(``provisions[].doc_refs`` of an audit, ``clauses[].new_refs`` of a comparison), one to one,
best text match first; paragraphs the engine does not align (headings, titles) are paired by
``analyzer.compare_outline.pair_paragraphs`` (same text in order, then parents of paired
children, then near-identical text, then front matter line for line). Every
substantive finding becomes a comment with its category, direction, effect (when the JSON
carries one) and explanation; missing/deleted and added/inserted clauses get a comment too.

Exports:
    clause_paras(tree) -> (list[Para], list[str])  -- paragraphs and their refs
    audit_redline(data, model_tree, doc_tree) -> Redline
    compare_redline(data, old_tree, new_tree) -> Redline
    audit_docx(path, *, model="auto", rule=None, max_bytes=..., date=None) -> (dict, bytes)
    compare_docx(old_path, new_path, *, max_bytes=..., date=None) -> (dict, bytes)
                                               -- the JSON dict and the .docx bytes
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .compare_outline import pair_paragraphs, printed
from .docx_redline import Para, Redline, write_docx
from .model import ClauseTree

__all__ = ["clause_paras", "audit_redline", "compare_redline", "audit_docx", "compare_docx"]

DEFAULT_MAX_BYTES = 50_000_000


def _clip(text: str, width: int = 80) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "\u2026"


def clause_paras(tree: ClauseTree) -> tuple[list[Para], list[str]]:
    """The document as paragraphs: each front-matter line, then each clause as printed."""
    paras = printed(tree)
    return [Para(p.text, p.depth, p.heading) for p in paras], [p.ref for p in paras]


def _change_note(change: Mapping[str, Any]) -> str:
    tag = change["category"] + (f", {change['direction']}" if change.get("direction") else "")
    note = f"[{tag}] {change['explanation']}"
    effect = change.get("effect")
    if isinstance(effect, Mapping):
        effect = effect.get("text") or effect.get("explanation") or effect.get("id")
    if effect:
        note += f" Effect: {effect}"
    return note


def _add(notes: dict[int, list[str]], k: int | None, text: str) -> None:
    if k is not None and text:
        notes.setdefault(k, []).append(text)


def _freeze(notes: Mapping[int, list[str]]) -> dict[int, tuple[str, ...]]:
    return {k: tuple(v) for k, v in notes.items()}


def _move_notes(
    pairs: Mapping[int, int],
    sides: tuple[Sequence[str], Sequence[str]],
    notes: tuple[dict[int, list[str]], dict[int, list[str]]],
    texts: tuple[Sequence[Para], Sequence[Para]],
) -> None:
    """Link both halves of every move (a pair out of order) with a comment on each."""
    from .docx_redline import layout

    refs_old, refs_new = sides
    old, new = texts
    redline = Redline(tuple(old), tuple(new), tuple(sorted(pairs.items())))
    for step in layout(redline):
        if not step.moved:
            continue
        if step.kind == "delete" and step.old is not None:
            j = pairs[step.old]
            same = "unchanged" if old[step.old].text == new[j].text else "with edits"
            _add(
                notes[0],
                step.old,
                f"Moved: {refs_old[step.old]} now appears as "
                f"{refs_new[j]} ({same}); the insertion there is this text in its new place.",
            )
        elif step.kind == "insert" and step.new is not None:
            i = next(o for o, n in pairs.items() if n == step.new)
            _add(
                notes[1],
                step.new,
                f"Moved: this is {refs_old[i]}, deleted from its old "
                f"place and inserted here as {refs_new[step.new]}.",
            )


def _build(
    trees: tuple[ClauseTree, ClauseTree],
    candidates: Iterable[tuple[str, str]],
    header: str,
    title: str,
) -> tuple[Redline, list[str], list[str], dict[int, list[str]], dict[int, list[str]]]:
    p_old, p_new = printed(trees[0]), printed(trees[1])
    old = [Para(p.text, p.depth, p.heading) for p in p_old]
    new = [Para(p.text, p.depth, p.heading) for p in p_new]
    refs_old, refs_new = [p.ref for p in p_old], [p.ref for p in p_new]
    io, jn = {r: k for k, r in enumerate(refs_old)}, {r: k for k, r in enumerate(refs_new)}
    cand = [(io[a], jn[b]) for a, b in candidates if a in io and b in jn]
    pairs = pair_paragraphs(cand, p_old, p_new)
    redline = Redline(
        tuple(old), tuple(new), tuple(sorted(pairs.items())), header=header, title=title
    )
    return redline, refs_old, refs_new, {}, {}


def _finish(
    redline: Redline,
    refs: tuple[list[str], list[str]],
    notes: tuple[dict[int, list[str]], dict[int, list[str]]],
) -> Redline:
    pairs = dict(redline.pairs)
    _move_notes(pairs, refs, notes, (redline.old, redline.new))
    return Redline(
        redline.old,
        redline.new,
        redline.pairs,
        _freeze(notes[0]),
        _freeze(notes[1]),
        redline.header,
        redline.title,
    )


def audit_redline(data: Mapping[str, Any], model_tree: ClauseTree, doc_tree: ClauseTree) -> Redline:
    """Model (OLD) -> document (NEW): a missing provision is a deleted paragraph at its
    model place, an addition an inserted paragraph; substantive findings are comments."""
    doc, model = data["document"], data["model"]
    candidates = [
        (p["model_ref"], r) for p in data["provisions"] for r in (p.get("doc_refs") or [])
    ]
    header = f"Redline of {doc['title'] or doc['path']} against {model['id']}: {model['title']}"
    redline, ro, rn, old_notes, new_notes = _build(
        (model_tree, doc_tree), candidates, header, f"{doc['title'] or doc['path']} (redline)"
    )
    io, jn = {r: k for k, r in enumerate(ro)}, {r: k for k, r in enumerate(rn)}
    for p in data["provisions"]:
        i, j = io.get(p["model_ref"]), jn.get(p.get("doc_ref") or "")
        if p["status"] == "missing":
            why = p["explanation"][:1].upper() + p["explanation"][1:]
            _add(old_notes, i, f"Missing: model {p['model_ref']} is not in the document. {why}.")
            continue
        for change in p["changes"]:
            if change["substantive"]:
                _add(
                    new_notes if j is not None else old_notes,
                    j if j is not None else i,
                    f"{p['model_ref']}: {_change_note(change)}",
                )
    for a in data["additions"]:
        _add(new_notes, jn.get(a["doc_ref"]), "Added: the model has no such provision.")
    return _finish(redline, (ro, rn), (old_notes, new_notes))


def compare_redline(data: Mapping[str, Any], old_tree: ClauseTree, new_tree: ClauseTree) -> Redline:
    """OLD draft -> NEW draft: deleted and inserted clauses, substantive changes as comments."""
    from .compare_render import readable

    data = readable(data)
    candidates = [(r["old_ref"], n) for r in data["clauses"] if r["old_ref"] for n in r["new_refs"]]
    old_name = data["old"]["title"] or data["old"]["path"]
    new_name = data["new"]["title"] or data["new"]["path"]
    header = f"Redline: {data['old']['path']} \u2192 {data['new']['path']}"
    redline, ro, rn, old_notes, new_notes = _build(
        (old_tree, new_tree), candidates, header, f"{new_name} (redline against {old_name})"
    )
    io, jn = {r: k for k, r in enumerate(ro)}, {r: k for k, r in enumerate(rn)}
    for row in data["clauses"]:
        i, j = io.get(row["old_ref"] or ""), jn.get(row["new_ref"] or "")
        if row["status"] == "deleted":
            _add(old_notes, i, f"Deleted: {row['explanation']}.")
        elif row["status"] == "inserted":
            _add(new_notes, j, f"Inserted: {row['explanation']}.")
        for change in row["changes"]:
            if change["substantive"]:
                _add(
                    new_notes if j is not None else old_notes,
                    j if j is not None else i,
                    _change_note(change),
                )
    return _finish(redline, (ro, rn), (old_notes, new_notes))


# ---------------------------------------------------------------- from files


def audit_docx(
    path: str | os.PathLike[str],
    *,
    model: str = "auto",
    rule: Any = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    date: str | None = None,
) -> tuple[dict[str, Any], bytes]:
    """Audit ``path``: the audit dict and the model -> document redline as .docx bytes."""
    from .audit import audit_tree
    from .ingest import ingest
    from .report import audit_to_dict
    from .segment import segment

    document = ingest(path, max_bytes=max_bytes)
    tree = segment(document)
    result = audit_tree(document, tree, model, rule=rule)
    data = audit_to_dict(result)
    return data, write_docx(audit_redline(data, result.model.tree, tree), date=date)


def compare_docx(
    old_path: str | os.PathLike[str],
    new_path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    date: str | None = None,
) -> tuple[dict[str, Any], bytes]:
    """Compare two drafts: the compare dict and the OLD -> NEW redline as .docx bytes."""
    from .compare import _ingest, compare_documents
    from .segment import segment

    old, new = _ingest(old_path, max_bytes), _ingest(new_path, max_bytes)
    data = compare_documents(old, new)
    return data, write_docx(compare_redline(data, segment(old), segment(new)), date=date)
