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

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .model import Category, Change, ClauseTree, Direction, Status
from .normalize import Normalizer, Token, tables

__all__ = [
    "Classification",
    "XrefContext",
    "classify",
    "redline_pairs",
    "ref_key",
    "section_of",
    "xref_context",
]

_STATUTE_RE = re.compile(r"^\d{3}[a-z]?\.\d+")
_OUTLINE_RE = re.compile(r"^(?:[ivx]+|[a-h])(?:\.?[a-z0-9]+)*$|^\d{2,4}\.\d{1,2}(?:\.\d+)*$")
_YEAR_RE = re.compile(r"^(19|20)\d\d$")
_STOP = frozenset(
    "a the of to and or in on for with by as at from that this these those be is are was were "
    "it its their his her any all such which who whom other than then also if into upon".split()
)


@dataclass(frozen=True)
class XrefContext:
    """What internal references can point at: the document's outline refs (normalized),
    the model section each document clause aligned to, the model's refs, and the section
    of the provision being compared (for relative references like "paragraph E.2")."""

    doc_refs: frozenset[str] = frozenset()
    doc_topics: dict[str, frozenset[str]] | None = None
    model_refs: frozenset[str] = frozenset()
    provision_ref: str = ""


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
    refs = {ref_key(c.ref) for c in doc_tree.clauses}
    refs |= {ref_key(c.label.split()[-1]) for c in doc_tree.clauses if c.label}
    # a relative reference ("paragraph A", "E.2") names the tail of a full path ("417.4.E.2")
    tails = (ref_key(c.ref).split(".") for c in doc_tree.clauses if c.label)
    refs |= {".".join(parts[i:]) for parts in tails for i in range(1, len(parts))}
    parents = {c.ref: c.parent for c in doc_tree.clauses}
    topics: dict[str, set[str]] = {}
    for clause_ref, model_ref in zip(unit_clauses, aligned_to, strict=True):
        ref: str | None = clause_ref if model_ref else None
        while ref is not None and model_ref:
            topics.setdefault(ref_key(ref), set()).add(section_of(model_ref))
            ref = parents.get(ref)
    return XrefContext(
        frozenset(refs),
        {k: frozenset(v) for k, v in topics.items()},
        frozenset(ref_key(c.ref) for c in model_tree.clauses),
    )


def ref_key(ref: str) -> str:
    """Normalized outline ref: "Order 417.6," -> "417.6"; "IV.A." -> "iv.a"."""
    return ref.strip(" .,;:()").lower()


def section_of(ref: str) -> str:
    """The top two outline components: "IV.E.3.7" -> "iv.e"."""
    return ".".join(ref_key(ref).split(".")[:2])


@dataclass(frozen=True)
class Classification:
    status: Status
    substantive: bool
    changes: tuple[Change, ...]
    redline: tuple[tuple[str, str], ...]
    similarity: float  # 0..1 on normalized text


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, object]:
    data = tables()
    modal: dict[tuple[str, ...], int] = {}
    for strength, words in (("strong", 3), ("medium", 2), ("weak", 1)):
        for phrase in data["modality"][strength]:
            modal[tuple(phrase.split())] = words
    return {
        "modal": modal,
        "negation": frozenset(w for w in data["negation"] if " " not in w),
        "units": frozenset(data["time_units"]),
        "months": frozenset(data["months"]),
        "citation": frozenset(data["citation_words"]),
        "party": frozenset(data["party_words"]),
    }


@lru_cache(maxsize=1)
def _modal_firsts() -> frozenset[str]:
    modal: dict[tuple[str, ...], int] = _lexicon()["modal"]  # type: ignore[assignment]
    return frozenset(k[0] for k in modal)


def _modals(tokens: Sequence[Token]) -> list[tuple[int, int, int, tuple[str, ...]]]:
    """(start, end, strength, key) for each modal phrase; key = the next two content words
    (the obligation it governs, e.g. "complete supplemental")."""
    lex = _lexicon()
    modal: dict[tuple[str, ...], int] = lex["modal"]  # type: ignore[assignment]
    words = [(i, t.norm) for i, t in enumerate(tokens) if t.kind != "punct"]
    firsts = _modal_firsts()
    out = []
    k = 0
    while k < len(words):
        if words[k][1] not in firsts:
            k += 1
            continue
        hit = None
        for n in (3, 2, 1):
            key = tuple(w for _, w in words[k : k + n])
            if len(key) == n and key in modal:
                hit = (n, modal[key])
                break
        if hit is None:
            k += 1
            continue
        n, strength = hit
        rest = [w for _, w in words[k + n : k + n + 6] if w not in _STOP and w not in ("not", "be")]
        out.append((words[k][0], words[k + n - 1][0], strength, tuple(rest[:2])))
        k += n
    return out


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
        words = sum(1 for t in a[i1:i2] if t.kind != "punct")
        island = (
            tag == "equal"
            and 0 < k < len(ops) - 1
            and words <= 2
            and (i2 - i1) <= 3
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


def _span(tokens: Sequence[Token], text: str, i: int, j: int) -> str:
    if i >= j:
        return ""
    return text[tokens[i].start : tokens[j - 1].end]


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
) -> Classification:
    """Compare one model provision with the document text aligned to it (the model text
    may be normalized by a cached, document-independent ``model_normalizer``)."""
    a = (model_normalizer or normalizer).tokens(model_text)
    b = normalizer.tokens(doc_text)
    ops = redline_pairs(a, b)
    redline = _display(ops, a, b, model_text, doc_text)
    a_words = [t.norm for t in a if t.kind != "punct"]
    b_words = [t.norm for t in b if t.kind != "punct"]
    similarity = fuzz.ratio(" ".join(a_words), " ".join(b_words)) / 100.0
    changes: list[Change] = []
    modality = _modality_changes(a, b, model_text, doc_text)
    changes.extend(modality)
    covered = {c.model_text.lower() for c in modality}
    ctx = _Pair(a, b, model_text, doc_text, xref or XrefContext())
    for i1, i2, j1, j2 in _hunks(ops, a):
        change = _categorize(ctx, i1, i2, j1, j2)
        if change is None:
            continue
        if change.category is Category.MODALITY and change.model_text.lower() in covered:
            continue
        changes.append(change)
    changes.extend(_entity_changes(a, b, ops, model_text, doc_text))
    substantive = any(c.substantive for c in changes)
    if _raw_equal(model_text, doc_text):
        status = Status.IDENTICAL
    elif substantive:
        status = Status.MODIFIED
    else:
        status = Status.EDITORIAL
    return Classification(status, substantive, tuple(changes), redline, similarity)


def _raw_equal(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _modality_changes(
    a: Sequence[Token], b: Sequence[Token], a_text: str, b_text: str
) -> list[Change]:
    """Match each model modal to the document modal governing the same verb."""
    out: list[Change] = []
    doc_modals = _modals(b)
    used: set[int] = set()
    for s, e, strength, key in _modals(a):
        if not key:
            continue
        for k, (ds, de, dstrength, dkey) in enumerate(doc_modals):
            if k in used or dkey[:1] != key[:1] or (len(key) > 1 and len(dkey) > 1 and dkey != key):
                continue
            used.add(k)
            if dstrength != strength:
                direction = Direction.WEAKER if dstrength < strength else Direction.STRONGER
                mt, dt = _span(a, a_text, s, e + 1), _span(b, b_text, ds, de + 1)
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


@dataclass(frozen=True)
class _Pair:
    a: Sequence[Token]
    b: Sequence[Token]
    a_text: str
    b_text: str
    xref: XrefContext

    @cached_property
    def a_words(self) -> frozenset[str]:
        return frozenset(t.norm for t in self.a if t.kind != "punct")

    @cached_property
    def b_words(self) -> frozenset[str]:
        return frozenset(t.norm for t in self.b if t.kind != "punct")


def _categorize(p: _Pair, i1: int, i2: int, j1: int, j2: int) -> Change | None:
    lex = _lexicon()
    old = list(p.a[i1:i2])
    new = list(p.b[j1:j2])
    old_w = [t.norm for t in old if t.kind != "punct"]
    new_w = [t.norm for t in new if t.kind != "punct"]
    mt, dt = _span(p.a, p.a_text, i1, i2), _span(p.b, p.b_text, j1, j2)
    if old_w == new_w:
        return Change(Category.WORDING, False, mt, dt, "punctuation changed")
    entity = _entity_hunk(old, new, old_w, new_w, mt, dt)
    if entity is not None:
        return entity
    negation: frozenset[str] = lex["negation"]  # type: ignore[assignment]
    neg_old = sum(w in negation for w in old_w)
    neg_new = sum(w in negation for w in new_w)
    if neg_old != neg_new:
        what = "negation added" if neg_new > neg_old else "negation removed"
        return Change(Category.NEGATION, True, mt, dt, f"{what}: {_q(mt)} \u2192 {_q(dt)}")
    so = max((m[2] for m in _modals(old)), default=0)
    sn = max((m[2] for m in _modals(new)), default=0)
    if so and sn and so != sn:
        direction = Direction.WEAKER if sn < so else Direction.STRONGER
        return Change(
            Category.MODALITY,
            True,
            mt,
            dt,
            f"obligation {direction}: {_q(mt)} \u2192 {_q(dt)}",
            direction,
        )
    content = [w for w in old_w + new_w if w not in _STOP]
    if len(content) >= 8:
        return _scope_or_wording(old_w, new_w, mt, dt, p)
    xref = _cross_reference(p, i1, i2, j1, j2, old_w, new_w)
    if xref is not None:
        return xref
    number = _number_change(p, i1, i2, j1, j2, old_w, new_w, mt, dt)
    if number is not None:
        return number
    if _lettered_citation(p, i1, j1, old_w, new_w):
        return Change(
            Category.CITATION, True, mt, dt, f"citation changed: {_q(mt)} \u2192 {_q(dt)}"
        )
    return _scope_or_wording(old_w, new_w, mt, dt, p)


def _lettered_citation(p: _Pair, i1: int, j1: int, old_w: list[str], new_w: list[str]) -> bool:
    """ "paragraph (a)" -> "paragraph (c)", "clause (iv)": a lettered citation changed."""
    citation: frozenset[str] = _lexicon()["citation"]  # type: ignore[assignment]
    letters = re.compile(r"^(?:[a-z]|[ivx]{1,4})$")
    if not old_w or not new_w or len(old_w) > 2 or len(new_w) > 2:
        return False
    if not all(letters.match(w) for w in old_w + new_w):
        return False
    near = set(_context(p.a, i1, 3)) | set(_context(p.b, j1, 3))
    return bool(near & citation)


def _entity_hunk(
    old: Sequence[Token], new: Sequence[Token], old_w: list[str], new_w: list[str], mt: str, dt: str
) -> Change | None:
    """A declared substitution, possibly filled in with more naming detail
    ("[AGENCY NAME]" -> "(Hutchinson Public Schools ISD 423/Hutchinson Police Department)")."""
    ents_old = [t for t in old if t.kind == "entity"]
    ents_new = [t for t in new if t.kind == "entity"]
    if not ents_old and not ents_new:
        return None
    rest_old = {w for w in old_w if not w.startswith("<")} - _STOP
    rest_new = {w for w in new_w if not w.startswith("<")} - _STOP
    if rest_old == rest_new or (ents_old and ents_new and not rest_old and _names_only(new)):
        return Change(
            Category.ENTITY, False, mt, dt, f"declared substitution: {_q(mt)} \u2192 {_q(dt)}"
        )
    return None


def _names_only(tokens: Sequence[Token]) -> bool:
    """Only proper names, numbers and entities (e.g. "ISD 423")."""
    return all(
        t.kind != "word" or t.raw[:1].isupper() or t.raw[:1].isdigit() or t.norm in _STOP
        for t in tokens
    )


def _q(text: str) -> str:
    return f"\u201c{text}\u201d" if text else "(nothing)"


def _context(tokens: Sequence[Token], i: int, width: int = 3) -> list[str]:
    lo = max(0, i - width)
    return [t.norm for t in tokens[lo:i] if t.kind != "punct"]


def _number_change(
    p: _Pair,
    i1: int,
    i2: int,
    j1: int,
    j2: int,
    old_w: list[str],
    new_w: list[str],
    mt: str,
    dt: str,
) -> Change | None:
    lex = _lexicon()
    units: frozenset[str] = lex["units"]  # type: ignore[assignment]
    months: frozenset[str] = lex["months"]  # type: ignore[assignment]
    citation: frozenset[str] = lex["citation"]  # type: ignore[assignment]

    def numeric(w: str) -> bool:
        return any(ch.isdigit() for ch in w) or w in months

    nums_old = [w for w in old_w if numeric(w)]
    nums_new = [w for w in new_w if numeric(w)]
    # a figure present on both sides, only moved within the provision, is no change
    gone = [w for w in nums_old if w not in p.b_words]
    added = [w for w in nums_new if w not in p.a_words]
    if not gone and not added:
        return None
    if not nums_old and dt.lstrip(" ,(").startswith("#"):
        return Change(Category.CROSS_REFERENCE, False, mt, dt, f"reference number added: {_q(dt)}")
    ctx = set(_context(p.a, i1)) | set(_context(p.b, j1))
    words = set(old_w) | set(new_w)
    figures = gone + added
    if any(_STATUTE_RE.match(w) for w in figures) or ctx & citation or words & citation:
        return Change(
            Category.CITATION, True, mt, dt, f"citation changed: {_q(mt)} \u2192 {_q(dt)}"
        )
    if words & months or any(_YEAR_RE.match(w) for w in figures):
        return Change(Category.DATE, True, mt, dt, f"date changed: {_q(mt)} \u2192 {_q(dt)}")
    after_a = [t.norm for t in p.a[i2 : i2 + 1] if t.kind != "punct"]
    after_b = [t.norm for t in p.b[j2 : j2 + 1] if t.kind != "punct"]
    if words & units or set(after_a + after_b) & units:
        return Change(
            Category.DURATION, True, mt, dt, f"duration changed: {_q(mt)} \u2192 {_q(dt)}"
        )
    return Change(Category.NUMBER, True, mt, dt, f"number changed: {_q(mt)} \u2192 {_q(dt)}")


_XREF_CUE = frozenset({"paragraph", "paragraphs", "order", "section", "article", "policy"})


def _outline_tokens(tokens: Sequence[Token], lo: int, hi: int) -> list[str]:
    """Raw internal references in tokens[lo:hi]: "E.2", "IV.A", "417.6", "A" (not statute
    sections: a number right after "MSS"/"chapter"/"subd" is a citation)."""
    out = []
    for k in range(lo, hi):
        t = tokens[k]
        raw = t.raw.strip(".,")
        if t.kind != "word" or not re.fullmatch(
            r"(?:[IVX]+|[A-H])(?:\.[A-Za-z0-9]+)*|\d{2,4}\.\d{1,2}(?:\.\d+)*", raw
        ):
            continue
        before = [w.norm for w in tokens[max(0, k - 2) : k] if w.kind != "punct"]
        if set(before) & {"mss", "chapter", "subd", "stat", "stats"}:
            continue
        out.append(raw)
    return out


def _cross_reference(
    p: _Pair, i1: int, i2: int, j1: int, j2: int, old_w: list[str], new_w: list[str]
) -> Change | None:
    """Internal references ("paragraph IV.A" -> "Order 417.6"), checked against the
    document's own outline and against what the referenced section is about."""
    mt, dt = _span(p.a, p.a_text, i1, i2), _span(p.b, p.b_text, j1, j2)
    old_refs = _outline_tokens(p.a, i1, i2)
    new_refs = _outline_tokens(p.b, j1, j2)
    near = set(_context(p.a, i1, 6)) | set(_context(p.b, j1, 6))
    cue = (set(old_w) | set(new_w) | near) & _XREF_CUE
    dotted = any("." in r for r in old_refs + new_refs)
    if not (old_refs or new_refs) or not (cue or dotted):
        return None
    x = p.xref
    dangling = [r for r in new_refs if x.doc_refs and ref_key(r) not in x.doc_refs]
    if dangling:
        return Change(
            Category.CROSS_REFERENCE,
            True,
            mt,
            dt,
            f"internal reference {_q(dt)} points at {', '.join(dangling)}, which is not a "
            f"section of this document",
        )
    model_topics = {_model_topic(r, x) for r in old_refs} - {""}
    doc_topics: set[str] = set()
    for r in new_refs:
        doc_topics |= set((x.doc_topics or {}).get(ref_key(r), frozenset()))
    if not doc_topics and old_refs and new_refs:
        # the target aligned to nothing: compare the references themselves
        same_scheme = all(ref_key(r) in x.model_refs for r in new_refs)
        if same_scheme and {ref_key(r) for r in old_refs} != {ref_key(r) for r in new_refs}:
            return Change(
                Category.CROSS_REFERENCE,
                True,
                mt,
                dt,
                f"internal reference changed: {_q(mt)} \u2192 {_q(dt)}",
            )
    if model_topics and doc_topics and not (model_topics & doc_topics):
        return Change(
            Category.CROSS_REFERENCE,
            True,
            mt,
            dt,
            f"internal reference points elsewhere: the model's {_q(mt)} is about "
            f"{', '.join(sorted(t.upper() for t in model_topics))}, the document's {_q(dt)} "
            f"is about {', '.join(sorted(t.upper() for t in doc_topics))}",
        )
    return Change(
        Category.CROSS_REFERENCE,
        False,
        mt,
        dt,
        f"internal reference renumbered: {_q(mt)} \u2192 {_q(dt)}",
    )


def _model_topic(ref: str, x: XrefContext) -> str:
    """Resolve a model reference relative to the provision: "E.2" inside IV.G -> "iv.e"."""
    key = ref_key(ref)
    parts = ref_key(x.provision_ref).split(".")
    for k in range(len(parts), -1, -1):
        cand = ".".join([*parts[:k], key]) if k else key
        if cand in x.model_refs:
            return section_of(cand)
    return ""


def _scope_or_wording(
    old_w: list[str], new_w: list[str], mt: str, dt: str, p: _Pair | None = None
) -> Change:
    lex = _lexicon()
    if p is not None:
        moved_out = [w for w in old_w if w not in _STOP and w not in p.b_words]
        moved_in = [w for w in new_w if w not in _STOP and w not in p.a_words]
        if not moved_out and not moved_in:
            return Change(
                Category.WORDING, False, mt, dt, f"words moved within the provision: {_q(mt or dt)}"
            )
    party: frozenset[str] = lex["party"]  # type: ignore[assignment]
    content_old = [w for w in old_w if w not in _STOP]
    content_new = [w for w in new_w if w not in _STOP]
    if sorted(content_old) == sorted(content_new):
        return Change(Category.WORDING, False, mt, dt, f"reworded: {_q(mt)} \u2192 {_q(dt)}")
    if _is_typo(content_old, content_new):
        return Change(
            Category.WORDING, False, mt, dt, f"spelling or inflection: {_q(mt)} \u2192 {_q(dt)}"
        )
    removed = [w for w in content_old if w not in content_new]
    added = [w for w in content_new if w not in content_old]
    plain = [w for w in removed + added if not w.startswith("<")]
    if len(plain) <= 1 and len(plain) < len(removed + added):
        return Change(
            Category.WORDING, False, mt, dt, f"reworded around a name: {_q(mt)} \u2192 {_q(dt)}"
        )
    parties = [w for w in removed + added if w in party or w.startswith("<")]
    if parties or len(removed) + len(added) >= 3:
        if not content_new:
            why = f"text removed: {_q(mt)}"
        elif not content_old:
            why = f"text added: {_q(dt)}"
        else:
            why = f"scope changed: {_q(mt)} \u2192 {_q(dt)}"
        return Change(Category.SCOPE, True, mt, dt, why)
    return Change(Category.WORDING, False, mt, dt, f"reworded: {_q(mt)} \u2192 {_q(dt)}")


def _is_typo(old: list[str], new: list[str]) -> bool:
    """Same number of words, each pair close in spelling (typo, plural, tense)."""
    if len(old) != len(new) or not old:
        return False
    return all(
        o == n or (fuzz.ratio(o, n) >= 75 and (o[:1] == n[:1] or len(o) >= 6))
        for o, n in zip(old, new, strict=True)
    )


def _entity_changes(
    a: Sequence[Token],
    b: Sequence[Token],
    ops: Sequence[tuple[str, int, int, int, int]],
    a_text: str,
    b_text: str,
) -> list[Change]:
    """Declared substitutions that the normalization made equal but read differently."""
    out: list[Change] = []
    seen: set[tuple[str, str]] = set()
    for tag, i1, i2, j1, j2 in ops:
        if tag != "equal":
            continue
        for ta, tb in zip(a[i1:i2], b[j1:j2], strict=True):
            if ta.kind == "entity" and " ".join(ta.raw.split()) != " ".join(tb.raw.split()):
                key = (ta.raw, tb.raw)
                if key in seen:
                    continue
                seen.add(key)
                out.append(
                    Change(
                        Category.ENTITY,
                        False,
                        ta.raw,
                        tb.raw,
                        f"declared substitution ({ta.norm.strip('<>')}): "
                        f"{_q(ta.raw)} \u2192 {_q(tb.raw)}",
                    )
                )
    return out
