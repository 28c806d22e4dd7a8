"""Classify the differences inside an aligned (model provision, document text) pair.

A word-level redline is computed over normalized tokens (``rapidfuzz`` Levenshtein opcodes,
``equal``/``replace``/``insert``/``delete``); each non-equal hunk becomes one ``Change`` with a
category and whether it is substantive:

- ``modality``: obligation strength must/shall/will/is required > should/is expected >
  may/is encouraged, anchored on the verb it governs, with direction weaker or stronger;
- ``negation``: a "not"/"no"/"never" added or removed;
- ``date``, ``duration``, ``number``: "September 1, 2025", "three years", "60";
- ``citation``: a statute section, subdivision, paragraph or clause;
- ``cross-reference``: an internal reference ("paragraph IV.A", "Order 417.6"), checked
  against the document's own outline;
- ``scope``: parties or objects added or removed, or a sentence dropped;
- ``entity``: a declared substitution (the agency's own name), never substantive;
- ``wording``: typos, punctuation, articles, inflection, reordering: editorial.

Exports: classify(model_text, doc_text, normalizer, *, doc_refs) -> Classification,
redline(model_tokens, doc_tokens) -> list of (op, text), Classification.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .detectors import (
    Pair,
    XrefContext,
    cross_reference,
    entity_changes,
    entity_hunk,
    lettered_citation,
    modals,
    number_change,
    quote,
    ref_key,
    scope_or_wording,
    section_of,
    self_references,
    span,
    typo_level,
)
from .effects import EffectRules, assign_all, default_rules
from .lexicon import Lexicon
from .model import Category, Change, ClauseTree, Direction, Status
from .normalize import Normalizer, Token, fold_typography

__all__ = [
    "Classification",
    "XrefContext",
    "classify",
    "redline_pairs",
    "ref_key",
    "section_of",
    "xref_context",
]


TAIL_PARTS = 8  # the longest relative reference looked up ("E.3.1.a" has 4 parts)


def _tails(key: str) -> list[str]:
    """The proper tails of a normalized ref ("e.2" of "417.4.e.2"), longest first, of at most
    TAIL_PARTS parts."""
    parts = key.split(".")
    return [".".join(parts[i:]) for i in range(max(1, len(parts) - TAIL_PARTS), len(parts))]


def xref_context(
    doc_tree: ClauseTree,
    model_tree: ClauseTree,
    unit_clauses: Sequence[str],
    aligned_to: Sequence[str | None],
) -> XrefContext:
    """The document's refs (and labels) and, for each document clause and its ancestors,
    the model sections its sentences aligned to: so "Order 417.6" resolves to what 417.6's
    clauses are about. ``unit_clauses[k]`` is the clause of sentence k, ``aligned_to[k]``
    the model ref it aligned to (or None)."""
    # a document that prints no labels has no refs a reference could miss (its clauses'
    # positions are not printed): nothing it cites can be called dangling
    labelled = any(c.label for c in doc_tree.clauses)
    refs = {ref_key(c.ref) for c in doc_tree.clauses} if labelled else set()
    refs |= {ref_key(c.label.split()[-1]) for c in doc_tree.clauses if c.label}
    # a relative reference ("paragraph A", "E.2") names the tail of a full path ("417.4.E.2")
    # (tails of at most TAIL_PARTS parts: a deeper tail is never cited, and every tail of an
    # outline 700 levels deep would be cubic in its depth)
    refs |= {tail for c in doc_tree.clauses if c.label for tail in _tails(ref_key(c.ref))}
    parents = {c.ref: c.parent for c in doc_tree.clauses}
    topics: dict[str, set[str]] = {}
    pairs = {
        (clause_ref, section_of(model_ref))
        for clause_ref, model_ref in zip(unit_clauses, aligned_to, strict=True)
        if model_ref
    }
    keys_of: dict[str, list[str]] = {}
    done: set[tuple[str, str]] = set()  # an ancestor done for a section: its own are too
    for clause_ref, section in sorted(pairs):
        ref: str | None = clause_ref
        while ref is not None and (ref, section) not in done:
            done.add((ref, section))
            keys = keys_of.get(ref)
            if keys is None:  # the full ref and its tails
                key = ref_key(ref)
                keys = keys_of[ref] = [key, *_tails(key)]
            for key in keys:
                topics.setdefault(key, set()).add(section)
            ref = parents.get(ref)
    return XrefContext(
        frozenset(refs),
        {k: frozenset(v) for k, v in topics.items()},
        frozenset(ref_key(c.ref) for c in model_tree.clauses),
    )


@dataclass(frozen=True)
class Classification:
    status: Status
    substantive: bool
    changes: tuple[Change, ...]
    redline: tuple[tuple[str, str], ...]
    similarity: float  # 0..1 on normalized text


def redline_pairs(a: Sequence[Token], b: Sequence[Token]) -> list[tuple[str, int, int, int, int]]:
    """Opcodes over normalized tokens: (tag, a_start, a_end, b_start, b_end)."""
    ops = Levenshtein.opcodes([t.norm for t in a], [t.norm for t in b])
    raw = [(op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end) for op in ops]
    return _absorb_islands(raw, a)


def _absorb_islands(
    ops: list[tuple[str, int, int, int, int]], a: Sequence[Token]
) -> list[tuple[str, int, int, int, int]]:
    """An equal run of one or two words between two changes is part of one rewrite:
    merge it into a single replace, so the redline reads as whole phrases."""
    out: list[tuple[str, int, int, int, int]] = []
    for k, op in enumerate(ops):
        tag, i1, i2, j1, j2 = op
        island = (
            tag == "equal"
            and 0 < k < len(ops) - 1
            and (i2 - i1) <= 3
            and sum(1 for t in a[i1:i2] if t.kind != "punct") <= 2
            and ops[k - 1][0] != "equal"
            and ops[k + 1][0] != "equal"
            and _big(ops[k - 1]) + _big(ops[k + 1]) >= 4
        )
        if island or (tag != "equal" and out and out[-1][0] != "equal"):
            if out and out[-1][0] != "equal":
                p = out.pop()
                out.append(("replace", p[1], i2, p[3], j2))
                continue
            out.append(("replace", i1, i2, j1, j2))
            continue
        out.append(op)
    return out


def _big(op: tuple[str, int, int, int, int]) -> int:
    return max(op[2] - op[1], op[4] - op[3])


def _display(
    ops: Sequence[tuple[str, int, int, int, int]],
    a: Sequence[Token],
    b: Sequence[Token],
    a_text: str,
    b_text: str,
) -> tuple[tuple[str, str], ...]:
    """Redline as (op, raw text) pairs. Pieces keep their surrounding whitespace, so the
    ``equal`` and ``insert`` pieces joined rebuild the document text exactly, and the
    ``equal`` and ``delete`` pieces read as the model's wording."""
    out: list[tuple[str, str]] = []

    def push(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))

    pos = 0  # end of the document text already emitted
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            end = b[j2 - 1].end
            push("equal", b_text[pos:end])
            pos = end
            continue
        if i1 < i2:
            start = a[i1].start
            lead = " " if start > 0 and a_text[start - 1].isspace() else ""
            push("delete", lead + a_text[start : a[i2 - 1].end])
        if j1 < j2:
            end = b[j2 - 1].end
            push("insert", b_text[pos:end])
            pos = end
    push("equal", b_text[pos:])
    return tuple(out)


def _hunks(
    ops: Sequence[tuple[str, int, int, int, int]], a: Sequence[Token]
) -> list[tuple[int, int, int, int]]:
    """Merge non-equal opcodes separated by at most one equal word into hunks."""
    hunks: list[list[int]] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        if hunks:
            h = hunks[-1]
            gap = [t for t in a[h[1] : i1] if t.kind != "punct"]
            if len(gap) <= 1 and i1 - h[1] <= 2:
                h[1], h[3] = i2, j2
                continue
        hunks.append([i1, i2, j1, j2])
    return [(h[0], h[1], h[2], h[3]) for h in hunks]


def classify(
    model_text: str,
    doc_text: str,
    normalizer: Normalizer,
    *,
    xref: XrefContext | None = None,
    model_normalizer: Normalizer | None = None,
    rules: EffectRules | None = None,
) -> Classification:
    """Compare one model provision with the document text aligned to it (the model text
    may be normalized by a cached, document-independent ``model_normalizer``). The word
    classes are the run's, carried by ``normalizer.lexicon``."""
    rules = rules or default_rules()
    lex = normalizer.lexicon
    if model_text == doc_text and normalizer.reads_like(model_normalizer or normalizer, doc_text):
        return _same(model_text, doc_text)  # the same text read by the same tables
    a = (model_normalizer or normalizer).tokens(model_text)
    b = normalizer.tokens(doc_text)
    if model_text == doc_text and a == b:  # the same text read the same way
        return _same(model_text, doc_text)
    a = self_references(a, model_text, rules)
    b = self_references(b, doc_text, rules)
    if a == b:  # token for token the same: no hunk, no modal or name read differently
        return _same(model_text, doc_text)
    ops = redline_pairs(a, b)
    redline = _display(ops, a, b, model_text, doc_text)
    a_words = [t.norm for t in a if t.kind != "punct"]
    b_words = [t.norm for t in b if t.kind != "punct"]
    similarity = fuzz.ratio(" ".join(a_words), " ".join(b_words)) / 100.0
    changes: list[Change] = []
    modality = _modality_changes(a, b, model_text, doc_text, lex)
    changes.extend(modality)
    covered = {c.model_text.lower() for c in modality}
    ctx = Pair(a, b, model_text, doc_text, xref or XrefContext(), rules, lex)
    for i1, i2, j1, j2 in _hunks(ops, a):
        change = _categorize(ctx, i1, i2, j1, j2)
        if change is None:
            continue
        if change.category is Category.MODALITY and change.model_text.lower() in covered:
            continue
        changes.append(change)
    changes.extend(entity_changes(a, b, ops, model_text, doc_text))
    changes = list(assign_all(changes, rules))
    substantive = any(c.substantive for c in changes)
    if _raw_equal(model_text, doc_text):
        status = Status.IDENTICAL
    elif substantive:
        status = Status.MODIFIED
    else:
        status = Status.EDITORIAL
    return Classification(status, substantive, tuple(changes), redline, similarity)


def _same(model_text: str, doc_text: str) -> Classification:
    """Token-identical texts: one ``equal`` redline piece (what ``_display`` makes of a
    single equal opcode), no change; identical or, if only the typography differs,
    editorial."""
    status = Status.IDENTICAL if _raw_equal(model_text, doc_text) else Status.EDITORIAL
    return Classification(status, False, (), (("equal", doc_text),) if doc_text else (), 1.0)


def _raw_equal(a: str, b: str) -> bool:
    """Equal as printed, whatever the typography (quotes, dashes, spaces, ligatures)."""
    if a == b:
        return True
    return " ".join(fold_typography(a).split()) == " ".join(fold_typography(b).split())


def _modality_changes(
    a: Sequence[Token], b: Sequence[Token], a_text: str, b_text: str, lex: Lexicon
) -> list[Change]:
    """Match each model modal to the document modal governing the same verb."""
    out: list[Change] = []
    doc_modals = modals(b, lex)
    used: set[int] = set()
    for s, e, strength, key in modals(a, lex):
        if not key:
            continue
        for k, (ds, de, dstrength, dkey) in enumerate(doc_modals):
            if k in used or dkey[:1] != key[:1] or (len(key) > 1 and len(dkey) > 1 and dkey != key):
                continue
            used.add(k)
            if dstrength != strength:
                direction = Direction.WEAKER if dstrength < strength else Direction.STRONGER
                mt, dt = span(a, a_text, s, e + 1), span(b, b_text, ds, de + 1)
                out.append(
                    Change(
                        Category.MODALITY,
                        True,
                        mt,
                        dt,
                        f"obligation {direction}: {mt} \u2192 {dt} ({' '.join(key)})",
                        direction,
                    )
                )
            break
    return out


def _categorize(p: Pair, i1: int, i2: int, j1: int, j2: int) -> Change | None:
    lex = p.lex
    old = list(p.a[i1:i2])
    new = list(p.b[j1:j2])
    old_w = [t.norm for t in old if t.kind != "punct"]
    new_w = [t.norm for t in new if t.kind != "punct"]
    mt, dt = span(p.a, p.a_text, i1, i2), span(p.b, p.b_text, j1, j2)
    if old_w == new_w:
        return Change(Category.WORDING, False, mt, dt, "punctuation changed")
    entity = entity_hunk(old, new, old_w, new_w, mt, dt, lex.stop)
    if entity is not None:
        return entity
    negation = lex.negation
    neg_old = sum(w in negation for w in old_w)
    neg_new = sum(w in negation for w in new_w)
    if neg_old != neg_new:
        what = "negation added" if neg_new > neg_old else "negation removed"
        return Change(Category.NEGATION, True, mt, dt, f"{what}: {quote(mt)} \u2192 {quote(dt)}")
    so = max((m[2] for m in modals(old, lex)), default=0)
    sn = max((m[2] for m in modals(new, lex)), default=0)
    if so and sn and so != sn:
        direction = Direction.WEAKER if sn < so else Direction.STRONGER
        return Change(
            Category.MODALITY,
            True,
            mt,
            dt,
            f"obligation {direction}: {quote(mt)} \u2192 {quote(dt)}",
            direction,
        )
    if bool(so) != bool(sn) and _only_the_modal(old, new, lex):
        direction = Direction.WEAKER if so else Direction.STRONGER
        what = "modal dropped" if so else "modal added"
        return Change(
            Category.MODALITY,
            True,
            mt,
            dt,
            f"obligation {direction} ({what}): {quote(mt)} \u2192 {quote(dt)}",
            direction,
        )
    if so == sn and typo_level(mt, dt, p.rules):
        return Change(Category.WORDING, False, mt, dt, f"typo: {quote(mt)} \u2192 {quote(dt)}")
    content = [w for w in old_w + new_w if w not in lex.stop]
    if len(content) >= 8:
        return scope_or_wording(old_w, new_w, mt, dt, p)
    xref = cross_reference(p, i1, i2, j1, j2, old_w, new_w)
    if xref is not None:
        return xref
    number = number_change(p, i1, i2, j1, j2, old_w, new_w, mt, dt)
    if number is not None:
        return number
    if lettered_citation(p, i1, j1, old_w, new_w):
        return Change(
            Category.CITATION, True, mt, dt, f"citation changed: {quote(mt)} \u2192 {quote(dt)}"
        )
    return scope_or_wording(old_w, new_w, mt, dt, p)


def _only_the_modal(old: Sequence[Token], new: Sequence[Token], lex: Lexicon) -> bool:
    """The hunk only adds or drops a modal: the other words are the same up to inflection
    ("shall assess" -> "assesses", "shall assess" -> "assess")."""
    rest = []
    for side in (old, new):
        covered = {k for s, e, _, _ in modals(side, lex) for k in range(s, e + 1)}
        rest.append([t.norm for k, t in enumerate(side) if k not in covered and t.kind != "punct"])
    a, b = ([w for w in r if w not in lex.stop] for r in rest)
    return len(a) == len(b) and all(
        x == y or (x[:3] == y[:3] and fuzz.ratio(x, y) >= 70) for x, y in zip(a, b, strict=True)
    )
