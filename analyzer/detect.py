"""Choose the model a document is judged against, and find a model copy it carries.

``detect_model``: the share of each bundled model's sentences that have a close match in
the document (its coverage); the document follows the best-covered model when that share
is high enough. ``choose_model`` turns the user's ``--model`` (an id, a path, ``auto``) into
a model and a note saying what was chosen and why. ``find_attachment``: a subtree the
segmenter set apart as an attachment (``Attachments``, ``Appendix``, ``Exhibit``) that holds
most of the model and little else is a copy of the model carried by the document; the
adopter's own body is then the text to judge.

Exports: detect_model(tree, *, context) -> (model id, coverage by model),
choose_model(model, tree, *, context) -> Choice, find_attachment(tree, model, *, context)
-> Attachment | None, Choice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from .context import Context
from .model import Attachment, Clause, ClauseKind, ClauseTree, Location, ModelPolicy
from .pair import sentence_units
from .ratios import RatioColumns

__all__ = ["Choice", "detect_model", "choose_model", "find_attachment", "body_clauses"]


def body_clauses(tree: ClauseTree) -> list[Clause]:
    """The clauses that are provisions: body text (not reference lists)."""
    return [c for c in tree.clauses if c.text.strip() and c.kind is ClauseKind.BODY]


def _found(
    m_norms: Sequence[str],
    d_norms: Sequence[str],
    min_ratio: float,
    ratios: RatioColumns | None = None,
) -> np.ndarray:
    """For each model sentence: whether a document sentence matches it closely (its ratio,
    rounded half up to a whole number as ``uint8`` scores are, reaches ``min_ratio``). A
    sentence found verbatim is found without scoring; the others are scored with the
    cutoff, so rapidfuzz gives up early on a pair that cannot reach it. ``ratios``: the
    same scores for the model's sentences, with the columns of sentences that repeat a
    model's kept across audits."""
    cutoff = max(math.ceil(min_ratio) - 0.5, 0.0)  # the ratios that round up to it
    if not m_norms or not d_norms or cutoff > 100:
        return np.zeros(len(m_norms), dtype=bool)
    verbatim = set(d_norms)
    found = np.fromiter((m in verbatim for m in m_norms), dtype=bool, count=len(m_norms))
    rest = [i for i, hit in enumerate(found) if not hit]
    if rest and ratios is not None and ratios.score_cutoff == cutoff and ratios.rows == m_norms:
        found[rest] = ratios.matrix(d_norms, rest).max(axis=1) >= min_ratio
    elif rest:
        scores = process.cdist(
            [m_norms[i] for i in rest],
            d_norms,
            scorer=fuzz.ratio,
            dtype=np.uint8,
            score_cutoff=cutoff,
        )
        found[rest] = scores.max(axis=1) >= min_ratio
    return found


def detect_model(tree: ClauseTree, *, context: Context) -> tuple[str, dict[str, float]]:
    """Which bundled model the document follows: the share of each model's sentences that
    have a close match in the document; "" when it follows none."""
    s = context.settings
    d_norms = [u.norm for u in sentence_units(body_clauses(tree), context.base_normalizer())]
    coverage: dict[str, float] = {}
    for mid in context.model_ids():
        found = _found(
            context.model_norms(mid), d_norms, s.follows_min_ratio, context.detect_ratios(mid)
        )
        coverage[mid] = round(float(found.mean()), 3) if found.size else 0.0
    best = max(sorted(coverage), key=lambda k: coverage[k]) if coverage else ""
    if not best or coverage[best] < s.follows_min_coverage:
        return "", coverage
    return best, coverage


@dataclass(frozen=True)
class Choice:
    """The model chosen for an audit and why."""

    model: ModelPolicy
    selection: str  # "auto" or "explicit"
    follows: str
    coverage: dict[str, float]
    note: str


def choose_model(model: ModelPolicy | str, tree: ClauseTree, *, context: Context) -> Choice:
    """``model`` as given (a model, an id, a path) or, for ``auto``, the model the document
    follows (the fallback model when it follows none)."""
    follows, coverage = detect_model(tree, context=context)
    selection = "auto" if model == "auto" else "explicit"
    if isinstance(model, str):
        if model == "auto":
            ids = context.model_ids()
            fallback = context.settings.fallback_model
            model = follows or (fallback if fallback in ids or not ids else ids[0])
        model = context.model(model)
    return Choice(model, selection, follows, coverage, _note(model, follows, coverage, selection))


def _note(model: ModelPolicy, follows: str, coverage: dict[str, float], selection: str) -> str:
    cov = ", ".join(f"{k} {v:.0%}" for k, v in sorted(coverage.items()))
    if not follows:
        return (
            f"The document does not appear to follow any bundled model policy (share of model "
            f"sentences found: {cov}); it was audited against {model.id}, so expect most "
            f"provisions to be missing. Check that this is the policy you meant to audit."
        )
    if selection == "auto":
        return f"The document follows {model.id} (share of model sentences found: {cov})."
    if follows != model.id and coverage.get(follows, 0) > coverage.get(model.id, 0) + 0.2:
        return (
            f"This document follows {follows}, not {model.id}: most of "
            f"{model.id}'s provisions are absent because it is a different model policy "
            f"(share of model sentences found: {cov}). Audit it with --model {follows}."
        )
    return f"Audited against {model.id} as requested (share of model sentences found: {cov})."


def _subtree(tree: ClauseTree, root: Clause) -> list[Clause]:
    """``root`` and its descendants (clauses are in document order; one pass)."""
    inside = {root.ref}
    out = [root]
    for c in tree.clauses[tree.clauses.index(root) + 1 :]:
        if c.parent in inside:
            inside.add(c.ref)
            out.append(c)
    return out


def find_attachment(tree: ClauseTree, model: ModelPolicy, *, context: Context) -> Attachment | None:
    """A model copy carried by the document: an attachment subtree holding at least
    ``attachment_min_completeness`` of the model's sentences, most of its own sentences
    being the model's. ``judged`` is ``body`` when the document has a policy of its own
    outside the attachment (at least ``attachment_min_body_sentences`` sentences), else
    ``attachment`` (a cover note adopting the attached model)."""
    s = context.settings
    roots = [c for c in tree.clauses if c.parent is None and c.ref.startswith("Attachment")]
    if not roots:
        return None
    normalizer = context.base_normalizer()
    m_norms = (
        context.model_norms(model.id)
        if model.id in context.model_ids()
        else [u.norm for u in sentence_units(body_clauses(model.tree), normalizer)]
    )
    best: tuple[float, Clause, list[Clause]] | None = None
    for root in roots:
        members = _subtree(tree, root)
        d_norms = [
            u.norm for u in sentence_units(body_clauses(ClauseTree("", tuple(members))), normalizer)
        ]
        completeness = (
            float(_found(m_norms, d_norms, s.follows_min_ratio).mean()) if m_norms else 0.0
        )
        share = float(_found(d_norms, m_norms, s.follows_min_ratio).mean()) if d_norms else 0.0
        if completeness >= s.attachment_min_completeness and share >= s.attachment_min_share:
            if best is None or completeness > best[0]:
                best = (completeness, root, members)
    if best is None:
        return None
    completeness, root, members = best
    inside = {c.ref for c in members}
    own = [c for c in body_clauses(tree) if c.ref not in inside]
    own_sentences = len(sentence_units(own, normalizer))
    last = max(members, key=lambda c: (c.location.end_page, c.location.end_line))
    where = Location(
        root.location.page, root.location.line, last.location.end_page, last.location.end_line
    )
    title = next((c.heading or c.text for c in members[1:] if (c.heading or c.text).strip()), "")
    return Attachment(
        title=" ".join(title.split())[:120],
        ref=root.ref,
        heading=root.heading or root.text[:80],
        location=where,
        clause_refs=tuple(c.ref for c in members),
        model_id=model.id,
        completeness=round(completeness, 3),
        judged="body" if own_sentences >= s.attachment_min_body_sentences else "attachment",
    )
