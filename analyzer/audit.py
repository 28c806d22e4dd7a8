"""Audit a document against a model policy: the whole pipeline after ingest.

choose the model (``detect``) -> find a model copy carried as an attachment (``detect``) ->
pair (``pair``) -> classify -> check -> verdict. Pure: takes an ingested ``Document``, a model
(or ``auto``) and the run's ``Context``; returns an ``Audit``.

Exports: audit(document, model="auto", *, rule=VerdictRule(), context=None) -> Audit,
audit_tree(document, tree, model, ...); re-exported: VerdictRule (from ``analyzer.verdict``),
detect_model (from ``analyzer.detect``), sentence_units (from ``analyzer.pair``).
"""

from __future__ import annotations

from collections.abc import Sequence

from .check import check
from .classify import Classification, XrefContext, classify
from .context import Context, default_context
from .detect import body_clauses, choose_model, detect_model, find_attachment
from .effects import EffectRules, with_catalog
from .model import (
    Addition,
    Attachment,
    Audit,
    Candidate,
    Clause,
    ClauseTree,
    Document,
    Finding,
    Location,
    ModelPolicy,
    Pairing,
    Status,
)
from .normalize import build_normalizer
from .pair import new_text, pair, pair_xref, sentence_units, side
from .refnames import ref_names
from .segment import segment
from .verdict import VerdictRule, decide

__all__ = ["audit", "audit_tree", "VerdictRule", "detect_model", "sentence_units"]


def audit(
    document: Document,
    model: ModelPolicy | str = "auto",
    *,
    rule: VerdictRule | None = None,
    context: Context | None = None,
) -> Audit:
    """Audit an ingested document against ``model`` (an id, a path, ``auto`` or a model)."""
    return audit_tree(document, segment(document), model, rule=rule, context=context)


def audit_tree(
    document: Document,
    tree: ClauseTree,
    model: ModelPolicy | str = "auto",
    *,
    rule: VerdictRule | None = None,
    context: Context | None = None,
) -> Audit:
    """choose the model -> find a carried copy of it -> pair -> classify -> check ->
    verdict."""
    context = context or default_context()
    rule = rule or VerdictRule()
    choice = choose_model(model, tree, context=context)
    model = choice.model
    attachment = find_attachment(tree, model, context=context)
    judged = _judged_clauses(tree, attachment)
    old = context.model_side(model)
    normalizer = build_normalizer(
        model,
        document.text,
        tables=context.tables,
        lexicon=context.lexicon,
        parent=context.model_normalizer(model),
    )
    new = side(tree, normalizer, clauses=judged)
    pairing = pair(old, new, context=context, skip_headings=True)
    catalog = context.catalog(model)
    rules = with_catalog(context.rules(), catalog)
    base = pair_xref(pairing)
    findings = []
    for prov, match in zip(old.clauses, pairing.matches, strict=True):
        xref = XrefContext(base.doc_refs, base.doc_topics, base.model_refs, prov.ref, base.outline)
        units = pairing.units_of(prov.ref)
        findings.append(_finding(prov, match.moved, units, pairing, xref, rules))
    additions = _additions(pairing)
    requirements = (
        tuple(
            r.to_dict()
            for r in check(findings, additions, catalog, rules=rules, lexicon=context.lexicon)
        )
        if catalog is not None
        else ()
    )
    verdict, reasons = decide(findings, additions, rule, requirements, rules=rules)
    if attachment is not None:
        reasons = [_attachment_reason(attachment), *reasons]
    return Audit(
        document_path=document.path,
        document_sha256=document.sha256,
        document_title=tree.title,
        document_format=document.format,
        model=model,
        model_note=choice.note,
        verdict=verdict,
        verdict_reasons=tuple(reasons),
        findings=tuple(findings),
        additions=tuple(additions),
        follows=choice.follows,
        coverage=choice.coverage,
        selection=choice.selection,
        pages=document.pages,
        clause_count=len(tree.clauses),
        requirements=requirements,
        attachment=attachment,
        removed_lines=document.removed_lines,
        doc_ref_names=ref_names(tree),
    )


def _judged_clauses(tree: ClauseTree, attachment: Attachment | None) -> list[Clause]:
    """The provisions judged: the adopter's own body when it carries a copy of the model
    as an attachment (the copy is reported, not judged), else every body clause."""
    clauses = body_clauses(tree)
    if attachment is None or attachment.judged != "body":
        return clauses
    inside = set(attachment.clause_refs)
    return [c for c in clauses if c.ref not in inside]


def _attachment_reason(att: Attachment) -> str:
    where = f"p.{att.location.page} l.{att.location.line}"
    if att.title:
        where = f"\u201c{att.title}\u201d, {where}"
    if att.judged == "body":
        return (
            f"judged the document's own policy text; the copy of {att.model_id} it carries as "
            f"an attachment ({att.ref}, {where}, {att.completeness:.0%} of the model's "
            f"sentences) is reported, not judged"
        )
    return (
        f"judged the copy of {att.model_id} the document carries as an attachment ({att.ref}, "
        f"{where}, {att.completeness:.0%} of the model's sentences): it has no policy text of "
        f"its own"
    )


def _location(clauses: Sequence[Clause]) -> Location:
    if len(clauses) == 1:
        return clauses[0].location  # the span of one clause is its own (frozen, shared)
    first = min(clauses, key=lambda c: (c.location.page, c.location.line))
    last = max(clauses, key=lambda c: (c.location.end_page, c.location.end_line))
    return Location(
        first.location.page, first.location.line, last.location.end_page, last.location.end_line
    )


def _finding(
    prov: Clause,
    moved: bool,
    units: Sequence[int],
    pairing: Pairing,
    xref: XrefContext,
    rules: EffectRules,
) -> Finding:
    if not units:
        return _missing(prov, pairing)
    refs, doc_text = new_text(pairing, units)
    by_ref = pairing.new.by_ref
    result = classify(
        prov.text,
        doc_text,
        pairing.new.normalizer,
        xref=xref,
        model_normalizer=pairing.old.normalizer,
        rules=rules,
    )
    return Finding(
        prov.ref,
        prov.heading,
        prov.text,
        result.status,
        result.substantive,
        moved,
        round(result.similarity, 3),
        tuple(refs),
        doc_text,
        _location([by_ref[r] for r in refs]),
        result.changes,
        result.redline,
        _explain(result, tuple(refs), moved),
    )


def _missing(prov: Clause, pairing: Pairing) -> Finding:
    candidate = pairing.candidates.get(prov.ref)
    cand = None
    if candidate is not None:
        u = pairing.new.units[candidate[0]]
        clause = pairing.new.by_ref[u.owner]
        cand = Candidate(u.owner, u.raw, round(candidate[1] / 100, 3), clause.location)
    why = "no sentence of the document matches this provision"
    if cand is not None:
        why += f" (nearest: {cand.doc_ref} at {cand.similarity:.0%}, below the match threshold)"
    return Finding(
        prov.ref, prov.heading, prov.text, Status.MISSING, True, False, 0.0,
        (), None, None, (), (), why, cand,
    )  # fmt: skip


def _explain(result: Classification, refs: tuple[str, ...], moved: bool) -> str:
    where = f"aligned to {', '.join(refs)}"
    if moved:
        where += ", out of the model's order (moved)"
    if result.status is Status.IDENTICAL:
        return f"{where}; the text is identical"
    subs = [c for c in result.changes if c.substantive]
    if result.status is Status.EDITORIAL:
        kinds = sorted({str(c.category) for c in result.changes})
        return f"{where}; only editorial differences ({', '.join(kinds) or 'formatting'})"
    return f"{where}; substantive: " + "; ".join(c.explanation for c in subs[:4])


def _additions(pairing: Pairing) -> list[Addition]:
    """NEW clauses (or sentences of them) that belong to no model provision, in document
    order; one pass over the loose sentences."""
    new = pairing.new
    loose: dict[str, list[int]] = {}
    for j in pairing.loose:
        loose.setdefault(new.units[j].owner, []).append(j)
    out = []
    for clause in new.clauses:
        idx = loose.get(clause.ref)
        if not idx:
            continue
        whole = len(idx) == new.sizes[clause.ref]
        text = clause.text if whole else " ".join(new.units[j].raw for j in idx)
        out.append(Addition(clause.ref, clause.heading, text, clause.location, clause.kind))
    return out
