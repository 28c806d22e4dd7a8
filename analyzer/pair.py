"""Pair two segmented documents clause by clause: the one core of audit and compare.

OLD is the model (audit) or the first draft (compare); NEW is the document or the second
draft. The steps, each a small function:

1. ``side``: the clauses that take part and their sentences, normalized (``Side``);
2. ``align.align``: every OLD sentence against every NEW sentence, globally (``Alignment``);
3. ``_structural``: an OLD clause rewritten in place (no sentence matched, but NEW has a
   clause at the same place in the outline, in the same context, sharing enough words);
4. ``_heading_units``: NEW sentences that only print a heading (audit: the model's own
   headings printed inline) are neither inserts nor additions;
5. ``align.attach_inserts``: unmatched NEW sentences of a clause whose other sentences all
   matched one OLD clause are text inserted into it;
6. ``_candidates``: for each unmatched OLD clause, the NEW sentence that says most of the
   same words (shown to a reviewer, never counted).

Exports: pair(old, new, *, context=None, skip_headings=False, align_options=None) -> Pairing,
side(tree, normalizer, *, clauses=None) -> Side, sentence_units(clauses, normalizer),
pair_xref(pairing) -> XrefContext, new_text(pairing, units) -> (refs, text),
PairSettings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from .align import align, attach_inserts, same_place
from .classify import XrefContext, xref_context
from .labels import component_values
from .model import Alignment, Clause, ClauseTree, Pairing, ProvisionMatch, Side, Unit
from .normalize import Normalizer
from .ratios import shortlist
from .sentences import split_sentences

if TYPE_CHECKING:
    from .context import Context

__all__ = [
    "PairSettings",
    "pair",
    "side",
    "sentence_units",
    "pair_xref",
    "new_text",
]


@dataclass(frozen=True)
class PairSettings:
    """The thresholds of pairing (0..100 scores) beyond the sentence alignment itself."""

    structural_min: float = 45.0  # token_set_ratio of a clause rewritten in place
    parent_heading_min: float = 80.0  # ratio of the parents' headings (same context)
    heading_min: float = 88.0  # ratio of a NEW sentence to an OLD heading (printed inline)
    heading_max_words: int = 14  # longer sentences are never taken for headings
    candidate_min: float = 45.0  # token_set_ratio of a missing clause's nearest sentence
    candidate_pairs: int = 100_000  # more (clause, sentence) pairs: score a shortlist each
    align: dict[str, float] = field(default_factory=dict)  # keyword options of align.align


def sentence_units(clauses: Sequence[Clause], normalizer: Normalizer) -> list[Unit]:
    """The sentences of ``clauses`` in order, each owned by its clause's ref."""
    texts = [c.text for c in clauses]
    out: list[Unit] = []
    abbreviations = normalizer.lexicon.abbreviations
    for clause, sents in zip(
        clauses, split_sentences(texts, abbreviations=abbreviations), strict=True
    ):
        for s in sents:
            out.append(Unit(clause.ref, s, normalizer.norm(s)))
    return out


def side(
    tree: ClauseTree, normalizer: Normalizer, *, clauses: Iterable[Clause] | None = None
) -> Side:
    """One side of a pairing: ``clauses`` (default: every clause with text) of ``tree``."""
    chosen = (
        tuple(clauses) if clauses is not None else tuple(c for c in tree.clauses if c.text.strip())
    )
    return Side(tree, chosen, tuple(sentence_units(chosen, normalizer)), normalizer)


def pair(
    old: Side,
    new: Side,
    *,
    context: Context | None = None,
    skip_headings: bool = False,
    align_options: Mapping[str, float] | None = None,
) -> Pairing:
    """Pair OLD's clauses with NEW's sentences (see the module docstring for the steps).
    ``skip_headings``: NEW sentences that print one of OLD's headings, or look like a
    heading, are set aside (audit: a document printing the model's headings inline).
    ``align_options``: keyword options of ``align.align`` over the settings' own."""
    settings = context.settings.pair if context is not None else PairSettings()
    result = align(
        list(old.units),
        list(new.units),
        provision_order=[c.ref for c in old.clauses],
        ratios=context.side_ratios(old) if context is not None else None,
        **{**settings.align, **(align_options or {})},
    )
    result, structural = _structural(result, old, new, settings)
    headings = _heading_units(old, new, settings) if skip_headings else set()
    owner = [("" if j in headings else o) for j, o in enumerate(result.unit_owner)]
    inserts = attach_inserts(owner, new.units)
    attached = {j for idx in inserts.values() for j in idx}
    loose = tuple(j for j, o in enumerate(owner) if o is None and j not in attached)
    candidates = _candidates(old, new, result, settings)
    return Pairing(
        old=old,
        new=new,
        matches=result.provisions,
        unit_owner=result.unit_owner,
        structural=frozenset(structural),
        inserts={k: tuple(v) for k, v in inserts.items()},
        loose=loose,
        headings=frozenset(headings),
        candidates=candidates,
    )


def pair_xref(pairing: Pairing) -> XrefContext:
    """What internal references can point at (set ``provision_ref`` per OLD clause),
    computed on first use (``XrefContext.resolved``: most audits never need it)."""
    return XrefContext(outline=cache(partial(_xref, pairing)))


def _xref(pairing: Pairing) -> XrefContext:
    return xref_context(
        pairing.new.tree,
        pairing.old.tree,
        [u.owner for u in pairing.new.units],
        pairing.unit_owner,
    )


def new_text(pairing: Pairing, units: Sequence[int]) -> tuple[list[str], str]:
    """The NEW clauses ``units`` belong to and their text: whole clauses where all their
    sentences are here, otherwise the sentences."""
    new = pairing.new
    per_clause: dict[str, list[int]] = {}
    for j in units:
        per_clause.setdefault(new.units[j].owner, []).append(j)
    total = new.sizes
    by_ref = new.by_ref
    parts = []
    for ref, idx in per_clause.items():
        if len(idx) == total[ref]:
            parts.append(by_ref[ref].text.strip())
        else:
            parts.append(" ".join(new.units[j].raw for j in idx))
    return list(per_clause), "\n".join(parts)


# ---------------------------------------------------------------- structural matches


def _structural(
    result: Alignment, old: Side, new: Side, settings: PairSettings
) -> tuple[Alignment, list[str]]:
    """An OLD clause rewritten in place: no sentence matched, but NEW has a clause at the
    same place in the outline, under a parent with the same heading or followed by what
    follows the clause in OLD, sharing enough words. Pair them (the classification then
    shows how much was rewritten)."""
    owner = list(result.unit_owner)
    units_of: dict[str, list[int]] = {}
    for j, u in enumerate(new.units):
        units_of.setdefault(u.owner, []).append(j)
    ctx = _Outline(
        {c.ref: c for c in old.tree.clauses},
        {c.ref: c for c in new.tree.clauses},
        [c.ref for c in new.tree.clauses if c.ref in units_of],
        {pm.model_ref: pm.doc_units for pm in result.provisions},
        new.units,
    )
    ctx_pos = {ref: k for k, ref in enumerate(ctx.d_order)}
    sibs = _Siblings.of(old.tree.clauses), _Siblings.of(new.tree.clauses)
    by_last: dict[str, list[str]] = {}  # a ref's last component and the positions it stands for
    for dref in ctx.d_order:
        last = dref.lower().rsplit(".", 1)[-1]
        for key in {last, *component_values(last)}:
            by_last.setdefault(key, []).append(dref)
    out, structural = [], []
    clauses = old.clauses
    for k, (clause, pm) in enumerate(zip(clauses, result.provisions, strict=True)):
        if pm.doc_units:
            out.append(pm)
            continue
        nxt = clauses[k + 1].ref if k + 1 < len(clauses) else None
        hit = None
        last = clause.ref.lower().rsplit(".", 1)[-1]
        keys = {last, *component_values(last)}
        found = sorted({d for key in keys for d in by_last.get(key, ())}, key=ctx_pos.__getitem__)
        for dref in found:
            idx = units_of[dref]
            if any(owner[j] is not None for j in idx):
                continue
            doc_clause = ctx.d_by_ref[dref]
            if not same_place(clause.ref, dref) and not (
                not doc_clause.label and _parents_agree(clause, doc_clause, ctx, settings)
            ):
                continue  # an unlabelled clause: its position under a parent of that heading
            if not doc_clause.label and not _order_agrees(clause, doc_clause, ctx, sibs):
                continue  # a position, not a label: the neighbours must agree
            if not _context_agrees(clause, doc_clause, nxt, ctx, ctx_pos, settings):
                continue
            text = new.normalizer.norm(doc_clause.text)
            query = old.normalizer.norm(clause.text)
            if fuzz.token_set_ratio(query, text) >= settings.structural_min:
                hit = idx
                break
        if hit is None:
            out.append(pm)
            continue
        for j in hit:
            owner[j] = clause.ref
        structural.append(clause.ref)
        out.append(ProvisionMatch(clause.ref, tuple(hit), pm.unit_scores, False, None))
    return Alignment(tuple(out), tuple(owner)), structural


@dataclass(frozen=True)
class _Outline:
    m_by_ref: dict[str, Clause]
    d_by_ref: dict[str, Clause]
    d_order: list[str]
    matched_to: dict[str, tuple[int, ...]]
    d_units: Sequence[Unit]


def _context_agrees(
    clause: Clause,
    doc_clause: Clause,
    next_ref: str | None,
    ctx: _Outline,
    pos_of: dict[str, int],
    settings: PairSettings,
) -> bool:
    if _parents_agree(clause, doc_clause, ctx, settings):
        return True
    if next_ref and ctx.matched_to.get(next_ref):
        nxt_owner = ctx.d_units[ctx.matched_to[next_ref][0]].owner
        pos = pos_of.get(doc_clause.ref, -1)
        if nxt_owner.startswith(doc_clause.ref + ".") or (
            0 <= pos < len(ctx.d_order) - 1 and ctx.d_order[pos + 1] == nxt_owner
        ):
            return True
    return False


@dataclass(frozen=True)
class _Siblings:
    """Each clause's parent's children, in order, and its index among them."""

    kids: dict[str | None, list[str]]
    index: dict[str, int]

    @staticmethod
    def of(clauses: Sequence[Clause]) -> _Siblings:
        kids: dict[str | None, list[str]] = {}
        index: dict[str, int] = {}
        for c in clauses:
            row = kids.setdefault(c.parent, [])
            index[c.ref] = len(row)
            row.append(c.ref)
        return _Siblings(kids, index)


def _order_agrees(
    clause: Clause, doc_clause: Clause, ctx: _Outline, sibs: tuple[_Siblings, _Siblings]
) -> bool:
    """No neighbour contradicts the pairing: where the model clause's previous (next)
    sibling matched a sibling of ``doc_clause``, that one sits just before (after) it."""
    m, d = sibs
    row, k = m.kids.get(clause.parent, []), m.index.get(clause.ref, -1)
    at = d.index.get(doc_clause.ref, -1)
    for step in (-1, 1):
        if not 0 <= k + step < len(row):
            continue
        units = ctx.matched_to.get(row[k + step])
        if not units:
            continue
        owner = ctx.d_units[units[0]].owner
        if owner in d.index and ctx.d_by_ref[owner].parent == doc_clause.parent:
            if d.index[owner] != at + step:
                return False
    return True


def _parents_agree(
    clause: Clause, doc_clause: Clause, ctx: _Outline, settings: PairSettings
) -> bool:
    """The two clauses' parents carry the same heading ("Use of Force" / "USE OF FORCE")."""
    mp = ctx.m_by_ref.get(clause.parent or "")
    dp = ctx.d_by_ref.get(doc_clause.parent or "")
    if mp is None or dp is None or not mp.heading or not dp.heading:
        return False
    return fuzz.ratio(mp.heading.lower(), dp.heading.lower()) >= settings.parent_heading_min


# ---------------------------------------------------------------- headings, candidates


def _heading_units(old: Side, new: Side, settings: PairSettings) -> set[int]:
    """NEW sentences that only print an OLD heading inline ("Use of Force", "Additional
    issues to be addressed in contract.") or look like a heading."""
    heads = old.heading_norms  # the model side's: built once for every audit
    out = set()
    seen: dict[tuple[str, str], bool] = {}  # a repeated sentence is judged once
    for j, u in enumerate(new.units):
        hit = seen.get((u.norm, u.raw))
        if hit is None:
            hit = seen[(u.norm, u.raw)] = _prints_heading(u, heads, settings)
        if hit:
            out.add(j)
    return out


def _prints_heading(u: Unit, heads: frozenset[str], settings: PairSettings) -> bool:
    if len(u.norm.split()) > settings.heading_max_words:
        return False
    hit = process.extractOne(u.norm, heads, scorer=fuzz.ratio, score_cutoff=settings.heading_min)
    return hit is not None or looks_like_heading(u.raw)


def looks_like_heading(text: str) -> bool:
    """A short line of capitalized words without closing punctuation."""
    t = text.strip().strip("*#-: ")
    words = t.split()
    if not words or len(words) > 6 or t.endswith((".", ";", ",")):
        return False
    long_words = [w for w in words if len(w) >= 4]
    return bool(long_words) and all(w[0].isupper() for w in long_words)


def _candidates(
    old: Side, new: Side, result: Alignment, settings: PairSettings
) -> dict[str, tuple[int, float]]:
    """For each unmatched OLD clause: the NEW sentence that says most of the same words
    (token_set_ratio, one matrix for all of them), preferring sentences that matched
    nothing else; else the nearest sentence the alignment saw."""
    missing = [
        (clause, m)
        for clause, m in zip(old.clauses, result.provisions, strict=True)
        if not m.doc_units and m.candidate is not None
    ]
    if not missing:
        return {}
    queries = [old.normalizer.norm(c.text) for c, _ in missing]
    # each distinct sentence scored once, at its first place (argmax keeps the first of
    # equal scores, so the choice is the same); scores under the minimum are not needed
    first: dict[str, int] = {}
    for j, o in enumerate(result.unit_owner):
        if o is None:
            first.setdefault(new.units[j].norm, j)
    free = list(first.values())
    scores = _candidate_scores(queries, list(first), settings) if free else None
    out: dict[str, tuple[int, float]] = {}
    for k, (clause, m) in enumerate(missing):
        best = int(scores[k].argmax()) if scores is not None else -1
        if best >= 0 and scores is not None and scores[k, best] >= settings.candidate_min:
            j = free[best]
            out[clause.ref] = (j, float(fuzz.ratio(queries[k], new.units[j].norm)))
        elif m.candidate is not None:
            out[clause.ref] = m.candidate
    return out


def _candidate_scores(queries: list[str], choices: list[str], settings: PairSettings) -> np.ndarray:
    """token_set_ratio of every query against every choice (0 under the minimum); past
    ``candidate_pairs`` pairs (a huge document), each query against the choices that share
    most of its words only (``ratios.shortlist``), the others 0."""

    def scored(q: Sequence[str], c: Sequence[str]) -> np.ndarray:
        return process.cdist(
            q, c, scorer=fuzz.token_set_ratio, dtype=np.float32, score_cutoff=settings.candidate_min
        )

    if len(queries) * len(choices) <= settings.candidate_pairs:
        return scored(queries, choices)
    out = np.zeros((len(queries), len(choices)), dtype=np.float32)
    k = settings.candidate_pairs // len(queries)
    for i, idx in enumerate(shortlist(queries, choices, k)):
        out[i, idx] = scored([queries[i]], [choices[j] for j in idx])[0]
    return out
