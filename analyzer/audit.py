"""Audit a document against a model policy: the whole pipeline after ingest.

``segment -> normalize -> align -> classify -> verdict``. Pure: takes an ingested
``Document`` and a ``ModelPolicy``, returns an ``Audit``.

Exports: audit(document, model="auto", *, rule=VerdictRule()) -> Audit, VerdictRule (re-exported
from verdict.py),
detect_model(tree) -> (model id, coverage by model), sentence_units(clauses, normalizer).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from .align import Alignment, ProvisionMatch, Unit, align, attach_inserts, same_place
from .baselines import load_model, model_ids
from .classify import Classification, XrefContext, classify, xref_context
from .model import (
    Addition,
    Audit,
    Candidate,
    Clause,
    ClauseKind,
    ClauseTree,
    Document,
    Finding,
    Location,
    ModelPolicy,
    Status,
)
from .normalize import Normalizer, build_normalizer, norm_string
from .segment import segment
from .sentences import split_sentences
from .verdict import VerdictRule, decide, requirements_for

__all__ = ["audit", "audit_tree", "VerdictRule", "detect_model", "sentence_units"]


def sentence_units(clauses: Sequence[Clause], normalizer: Normalizer) -> list[Unit]:
    texts = [c.text for c in clauses]
    out: list[Unit] = []
    for clause, sents in zip(clauses, split_sentences(texts), strict=True):
        for s in sents:
            out.append(Unit(clause.ref, s, norm_string(normalizer.tokens(s))))
    return out


def _provisions(tree: ClauseTree) -> list[Clause]:
    return [c for c in tree.clauses if c.text.strip() and c.kind is ClauseKind.BODY]


FOLLOWS_MIN_COVERAGE = 0.2  # below this share of a model's sentences, it is not followed
FALLBACK_MODEL = "post-sro"  # the model 626.8482 subd. 6 makes agencies follow


def detect_model(tree: ClauseTree) -> tuple[str, dict[str, float]]:
    """Which bundled model the document follows: the share of each model's sentences that
    have a close match (ratio >= 85) in the document."""
    base = _base_normalizer()
    d_norms = [u.norm for u in sentence_units(_provisions(tree), base)]
    coverage: dict[str, float] = {}
    for mid in model_ids():
        m_norms = _model_norms(mid)
        if not m_norms or not d_norms:
            coverage[mid] = 0.0
            continue
        scores = process.cdist(m_norms, d_norms, scorer=fuzz.ratio, dtype=np.uint8)
        coverage[mid] = round(float((scores.max(axis=1) >= 85).mean()), 3)
    best = max(sorted(coverage), key=lambda k: coverage[k]) if coverage else ""
    if not best or coverage[best] < FOLLOWS_MIN_COVERAGE:
        return "", coverage  # it follows none of them
    return best, coverage


_MODEL_NORMALIZERS: dict[str, tuple[ModelPolicy, Normalizer]] = {}


def _model_normalizer(model: ModelPolicy) -> Normalizer:
    """The model's own text never holds a document's names: one normalizer per model."""
    cached = _MODEL_NORMALIZERS.get(model.id)
    if cached is None or cached[0] is not model:
        cached = _MODEL_NORMALIZERS[model.id] = (model, build_normalizer(model, ""))
    return cached[1]


@lru_cache(maxsize=1)
def _base_normalizer() -> Normalizer:
    return build_normalizer(None)


@lru_cache(maxsize=8)
def _model_norms(model_id: str) -> list[str]:
    model = load_model(model_id)
    return [u.norm for u in sentence_units(_provisions(model.tree), _base_normalizer())]


def audit(
    document: Document, model: ModelPolicy | str = "auto", *, rule: VerdictRule | None = None
) -> Audit:
    """Audit an ingested document against ``model`` (an id, a path, ``auto`` or a model)."""
    return audit_tree(document, segment(document), model, rule=rule)


def audit_tree(
    document: Document,
    tree: ClauseTree,
    model: ModelPolicy | str = "auto",
    *,
    rule: VerdictRule | None = None,
) -> Audit:
    rule = rule or VerdictRule()
    follows, coverage = detect_model(tree)
    selection = "auto" if model == "auto" else "explicit"
    if isinstance(model, str):
        if model == "auto":
            model = follows or (FALLBACK_MODEL if FALLBACK_MODEL in model_ids() else model_ids()[0])
        model = load_model(model)
    note = _model_note(model, follows, coverage, selection)
    normalizer = build_normalizer(model, document.text)
    model_normalizer = _model_normalizer(model)
    provisions = _provisions(model.tree)
    doc_clauses = _provisions(tree)
    m_units = sentence_units(provisions, model_normalizer)
    d_units = sentence_units(doc_clauses, normalizer)
    result = align(m_units, d_units, provision_order=[p.ref for p in provisions])
    result = _structural_matches(
        result, provisions, model.tree, tree, d_units, (normalizer, model_normalizer)
    )
    by_ref = {c.ref: c for c in doc_clauses}
    headings = _heading_units(model, d_units, model_normalizer)
    owner = [("" if j in headings else o) for j, o in enumerate(result.unit_owner)]
    extra = attach_inserts(owner, d_units)
    base = xref_context(tree, model.tree, [u.owner for u in d_units], result.unit_owner)
    doc = _Doc(d_units, by_ref, Counter(u.owner for u in d_units), normalizer, model_normalizer)
    findings = []
    for prov, match in zip(provisions, result.provisions, strict=True):
        units = sorted({*match.doc_units, *extra.get(prov.ref, [])})
        xref = XrefContext(base.doc_refs, base.doc_topics, base.model_refs, prov.ref)
        cand = _best_candidate(prov, match.candidate, result.unit_owner, d_units, model_normalizer)
        findings.append(_finding(prov, match.moved, units, cand, doc, xref))
    additions = _additions(owner, extra, d_units, doc_clauses)
    requirements = requirements_for(findings, additions, model)
    verdict, reasons = decide(findings, additions, rule, requirements)
    return Audit(
        document_path=document.path,
        document_sha256=document.sha256,
        document_title=tree.title,
        document_format=document.format,
        model=model,
        model_note=note,
        verdict=verdict,
        verdict_reasons=tuple(reasons),
        findings=tuple(findings),
        additions=tuple(additions),
        follows=follows,
        coverage=coverage,
        selection=selection,
        pages=document.pages,
        clause_count=len(tree.clauses),
        requirements=requirements,
    )


def _model_note(
    model: ModelPolicy, follows: str, coverage: dict[str, float], selection: str
) -> str:
    cov = ", ".join(f"{k} {v:.0%}" for k, v in sorted(coverage.items()))
    if not follows:
        return (
            f"The document does not appear to follow any bundled model policy (share of model "
            f"sentences found: {cov}); it was audited against {model.id}, so expect most "
            f"provisions to be missing. Check that this is the policy you meant to audit."
        )
    if selection == "auto":
        return f"The document follows {model.id} (share of model sentences found: {cov})."
    if (
        follows
        and follows != model.id
        and coverage.get(follows, 0) > coverage.get(model.id, 0) + 0.2
    ):
        other = load_model(follows)
        return (
            f"This document follows {follows} ({other.title}), not {model.id}: most of "
            f"{model.id}'s provisions are absent because it is a different model policy "
            f"(share of model sentences found: {cov}). Audit it with --model {follows}."
        )
    return f"Audited against {model.id} as requested (share of model sentences found: {cov})."


def _structural_matches(
    result: Alignment,
    provisions: Sequence[Clause],
    model_tree: ClauseTree,
    tree: ClauseTree,
    d_units: Sequence[Unit],
    normalizers: tuple[Normalizer, Normalizer],
) -> Alignment:
    """A provision rewritten in place: no sentence matched, but the document has a clause
    at the same place in the outline, under a parent with the same heading or followed by
    what follows the provision in the model, sharing enough words. Align them (the
    classification then shows how much was rewritten)."""
    owner = list(result.unit_owner)
    units_of: dict[str, list[int]] = {}
    for j, u in enumerate(d_units):
        units_of.setdefault(u.owner, []).append(j)
    m_by_ref = {c.ref: c for c in model_tree.clauses}
    d_by_ref = {c.ref: c for c in tree.clauses}
    d_order = [c.ref for c in tree.clauses if c.ref in units_of]
    matched_to = {pm.model_ref: pm.doc_units for pm in result.provisions}
    out = []
    for k, (prov, pm) in enumerate(zip(provisions, result.provisions, strict=True)):
        if pm.doc_units:
            out.append(pm)
            continue
        nxt = provisions[k + 1].ref if k + 1 < len(provisions) else None
        hit = None
        for dref in d_order:
            idx = units_of[dref]
            if not same_place(prov.ref, dref) or any(owner[j] is not None for j in idx):
                continue
            if not _context_agrees(
                prov, d_by_ref[dref], m_by_ref, d_by_ref, nxt, matched_to, d_units, d_order
            ):
                continue
            text = norm_string(normalizers[0].tokens(d_by_ref[dref].text))
            if fuzz.token_set_ratio(norm_string(normalizers[1].tokens(prov.text)), text) >= 45:
                hit = idx
                break
        if hit is None:
            out.append(pm)
            continue
        for j in hit:
            owner[j] = prov.ref
        out.append(ProvisionMatch(prov.ref, tuple(hit), pm.unit_scores, False, None))
    return Alignment(tuple(out), tuple(owner))


def _context_agrees(
    prov: Clause,
    clause: Clause,
    m_by_ref: dict[str, Clause],
    d_by_ref: dict[str, Clause],
    next_ref: str | None,
    matched_to: dict[str, tuple[int, ...]],
    d_units: Sequence[Unit],
    d_order: Sequence[str],
) -> bool:
    mp = m_by_ref.get(prov.parent or "")
    dp = d_by_ref.get(clause.parent or "")
    if mp is not None and dp is not None and mp.heading and dp.heading:
        if fuzz.ratio(mp.heading.lower(), dp.heading.lower()) >= 80:
            return True
    if next_ref and matched_to.get(next_ref):
        nxt_owner = d_units[matched_to[next_ref][0]].owner
        pos = d_order.index(clause.ref) if clause.ref in d_order else -1
        if nxt_owner.startswith(clause.ref + ".") or (
            0 <= pos < len(d_order) - 1 and d_order[pos + 1] == nxt_owner
        ):
            return True
    return False


def _best_candidate(
    prov: Clause,
    nearest: tuple[int, float] | None,
    owner: Sequence[str | None],
    d_units: Sequence[Unit],
    normalizer: Normalizer,
) -> tuple[int, float] | None:
    """For a missing provision: the document sentence that says most of the same words,
    preferring sentences that matched nothing else; shown to the reviewer, never counted."""
    if nearest is None:
        return None
    query = norm_string(normalizer.tokens(prov.text))
    free = {j: u.norm for j, u in enumerate(d_units) if owner[j] is None}
    hit = process.extractOne(query, free, scorer=fuzz.token_set_ratio) if free else None
    if hit is not None and hit[1] >= 45:
        return int(hit[2]), float(fuzz.ratio(query, d_units[int(hit[2])].norm))
    return nearest


def _heading_units(model: ModelPolicy, d_units: Sequence[Unit], normalizer: Normalizer) -> set[int]:
    """Document sentences that are only a model heading printed inline ("Use of Force",
    "Additional issues to be addressed in contract."): neither inserts nor additions."""
    heads = {norm_string(normalizer.tokens(c.heading)) for c in model.tree.clauses if c.heading} - {
        ""
    }
    out = set()
    for j, u in enumerate(d_units):
        if len(u.norm.split()) > 14:
            continue
        hit = process.extractOne(u.norm, heads, scorer=fuzz.ratio, score_cutoff=88)
        if hit is not None or _looks_like_heading(u.raw):
            out.add(j)
    return out


def _looks_like_heading(text: str) -> bool:
    t = text.strip().strip("*#-: ")
    words = t.split()
    if not words or len(words) > 6 or t.endswith((".", ";", ",")):
        return False
    long_words = [w for w in words if len(w) >= 4]
    return bool(long_words) and all(w[0].isupper() for w in long_words)


def _location(clauses: Sequence[Clause]) -> Location:
    first = min(clauses, key=lambda c: (c.location.page, c.location.line))
    last = max(clauses, key=lambda c: (c.location.end_page, c.location.end_line))
    return Location(
        first.location.page, first.location.line, last.location.end_page, last.location.end_line
    )


@dataclass(frozen=True)
class _Doc:
    """What every finding of one audit reads: the document's sentences and clauses, the
    number of sentences per clause, and the two normalizers."""

    units: Sequence[Unit]
    by_ref: dict[str, Clause]
    sizes: Counter[str]
    normalizer: Normalizer
    model_normalizer: Normalizer


def _finding(
    prov: Clause,
    moved: bool,
    units: list[int],
    candidate: tuple[int, float] | None,
    doc: _Doc,
    xref: XrefContext,
) -> Finding:
    d_units, by_ref = doc.units, doc.by_ref
    if not units:
        cand = None
        if candidate is not None:
            u = d_units[candidate[0]]
            clause = by_ref[u.owner]
            cand = Candidate(u.owner, u.raw, round(candidate[1] / 100, 3), clause.location)
        why = "no sentence of the document matches this provision"
        if cand is not None:
            why += f" (nearest: {cand.doc_ref} at {cand.similarity:.0%}, below the match threshold)"
        return Finding(
            prov.ref,
            prov.heading,
            prov.text,
            Status.MISSING,
            True,
            False,
            0.0,
            (),
            None,
            None,
            (),
            (),
            why,
            cand,
        )
    refs = tuple(dict.fromkeys(d_units[j].owner for j in units))
    clauses = [by_ref[r] for r in refs]
    doc_text = _doc_text(units, d_units, by_ref, doc.sizes)
    result = classify(
        prov.text, doc_text, doc.normalizer, xref=xref, model_normalizer=doc.model_normalizer
    )
    return Finding(
        prov.ref,
        prov.heading,
        prov.text,
        result.status,
        result.substantive,
        moved,
        round(result.similarity, 3),
        refs,
        doc_text,
        _location(clauses),
        result.changes,
        result.redline,
        _explain(result, refs, moved),
    )


def _doc_text(
    units: list[int], d_units: Sequence[Unit], by_ref: dict[str, Clause], total: Counter[str]
) -> str:
    """The aligned document text: whole clauses when all their sentences are aligned here,
    otherwise the aligned sentences."""
    per_clause: dict[str, list[int]] = {}
    for j in units:
        per_clause.setdefault(d_units[j].owner, []).append(j)
    parts = []
    for ref, idx in per_clause.items():
        if len(idx) == total[ref]:
            parts.append(by_ref[ref].text.strip())
        else:
            parts.append(" ".join(d_units[j].raw for j in idx))
    return "\n".join(parts)


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


def _additions(
    owner: Sequence[str | None],
    extra: dict[str, list[int]],
    d_units: Sequence[Unit],
    doc_clauses: Sequence[Clause],
) -> list[Addition]:
    attached = {j for idx in extra.values() for j in idx}
    loose: dict[str, list[int]] = {}
    for j, u in enumerate(d_units):
        if owner[j] is None and j not in attached:
            loose.setdefault(u.owner, []).append(j)
    out = []
    for clause in doc_clauses:
        idx = loose.get(clause.ref)
        if not idx:
            continue
        total = sum(1 for u in d_units if u.owner == clause.ref)
        text = clause.text if len(idx) == total else " ".join(d_units[j].raw for j in idx)
        out.append(Addition(clause.ref, clause.heading, text, clause.location, clause.kind))
    return out
