"""Align model provisions with document clauses, sentence by sentence, globally.

Shaped like ``rapidfuzz.process``: choices are mappings keyed by id, options are keyword-only,
and the whole score matrix is computed at once (``cdist``). The steps:

1. score every model sentence against every document sentence (``fuzz.ratio`` on normalized
   text), plus a bonus when the neighbours agree (a provision's context);
2. a first global assignment (Hungarian algorithm, ``scipy.optimize.linear_sum_assignment``)
   fixes anchors; a second one adds an order prior: the expected position of each model
   sentence in the document, interpolated between anchors (so duplicated model sentences go to
   the right copy and renumbered or reorganized documents still align);
3. leftovers get a second chance with ``token_sort_ratio`` (paraphrase, reordered clauses);
4. split and merged sentences are repaired (a provision split in two, two merged into one);
   optionally (``order_first``, compare) the in-order near-exact pairs are found first:
   the heaviest order-preserving set of pairs scoring at least ``anchor_cutoff``
   (``in_order``), so near-identical siblings pair by content with order as the tie-break
   (a run of identical paragraphs, a renumbered list with one item inserted);
5. provisions whose matches break the document order (not on the longest increasing
   subsequence) are ``moved``.

Exports: Unit, ProvisionMatch, Alignment (re-exported from ``analyzer.model``),
align(model_units, doc_units, ...), longest_increasing(values), same_place(model_ref, doc_ref),
attach_inserts(owner, units), in_order(score, cutoff) -> list of (row, col).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from .labels import component_values
from .model import Alignment, ProvisionMatch, Unit
from .ratios import RatioColumns

__all__ = [
    "Unit",
    "ProvisionMatch",
    "Alignment",
    "align",
    "longest_increasing",
    "same_place",
    "attach_inserts",
    "in_order",
]


def attach_inserts(owner: Sequence[str | None], units: Sequence[Unit]) -> dict[str, list[int]]:
    """Unmatched sentences (``owner[j]`` is None) of a clause whose other sentences all went
    to one target belong to that target: text inserted into it. ``owner[j]`` is the target
    each sentence aligned to; a falsy non-None owner ("") marks a sentence to leave alone."""
    by_clause: dict[str, list[int]] = {}
    for j, u in enumerate(units):
        by_clause.setdefault(u.owner, []).append(j)
    out: dict[str, list[int]] = {}
    for idx in by_clause.values():
        owners = {owner[j] for j in idx if owner[j]}
        loose = [j for j in idx if owner[j] is None]
        if len(owners) == 1 and loose:
            out.setdefault(str(next(iter(owners))), []).extend(loose)
    return out


def longest_increasing(values: Sequence[float]) -> set[int]:
    """Indices of one longest strictly increasing subsequence (patience sorting)."""
    tails: list[float] = []
    tail_idx: list[int] = []
    prev = [-1] * len(values)
    for i, v in enumerate(values):
        k = bisect.bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            tail_idx.append(i)
        else:
            tails[k] = v
            tail_idx[k] = i
        prev[i] = tail_idx[k - 1] if k > 0 else -1
    out: set[int] = set()
    i = tail_idx[-1] if tail_idx else -1
    while i != -1:
        out.add(i)
        i = prev[i]
    return out


def _assign(score: np.ndarray, cutoff: float) -> dict[int, int]:
    """Maximum-weight matching; a row may stay unmatched rather than take < cutoff.

    Pairs that are each other's unique best are fixed first (cheap, and for a near copy that
    is nearly everything); the contested remainder goes to the Hungarian algorithm
    (scipy is imported only then: its import costs more than the whole audit)."""
    masked = np.where(score >= cutoff, score, -1.0)
    fixed: dict[int, int] = {}
    if masked.size:
        row_best = masked.argmax(axis=1)
        col_best = masked.argmax(axis=0).tolist()
        row_max = masked.max(axis=1, keepdims=True)
        row_ties = (masked == row_max).sum(axis=1).tolist()
        col_ties = (masked == masked.max(axis=0, keepdims=True)).sum(axis=0).tolist()
        for i, (j, best) in enumerate(zip(row_best.tolist(), row_max[:, 0].tolist(), strict=True)):
            unique = row_ties[i] == 1 and col_ties[j] == 1
            if best >= cutoff and col_best[j] == i and unique:
                fixed[i] = j
    rows = [i for i in range(score.shape[0]) if i not in fixed]
    taken = set(fixed.values())
    cols = [j for j in range(score.shape[1]) if j not in taken]
    if not rows or not cols:
        return fixed
    sub = masked[np.ix_(rows, cols)]
    if (sub < cutoff).all():
        return fixed
    from scipy.optimize import linear_sum_assignment

    m, d = sub.shape
    padded = np.full((m, d + m), cutoff, dtype=np.float64)
    padded[:, :d] = sub
    r_idx, c_idx = linear_sum_assignment(padded, maximize=True)
    for r, c in zip(r_idx, c_idx, strict=True):
        if c < d and sub[r, c] >= cutoff:
            fixed[rows[int(r)]] = cols[int(c)]
    return fixed


def same_place(model_ref: str, doc_ref: str) -> bool:
    """The document clause sits at the model provision's place in the outline: the same
    ref, or the same last two or more components ("IV.A.1.i" and "1003.4.A.1.i"), a
    component standing for the same position whatever its kind ("I.1" and "1.1")."""
    a, b = model_ref.lower().split("."), doc_ref.lower().split(".")
    if not component_values(a[-1]) & component_values(b[-1]):
        return False
    return len(a) == 1 or (len(b) >= 2 and bool(component_values(a[-2]) & component_values(b[-2])))


# the positions a component stands for: a pure function of a short string ("iv", "a", "3")
_component_values = lru_cache(maxsize=4_096)(component_values)


def _same_place(model_units: Sequence[Unit], doc_units: Sequence[Unit]) -> np.ndarray:
    """``same_place`` for every (model sentence, document sentence) pair, computed once per
    pair of refs through an index of the document refs by the positions their last one and
    two components stand for (``same_place`` reads no further than two components)."""
    m_refs = list(dict.fromkeys(u.owner for u in model_units))
    d_refs = list(dict.fromkeys(u.owner for u in doc_units))
    vals = _component_values
    last: dict[str, set[int]] = {}  # a position of the last component -> doc refs
    last_two: dict[tuple[str, str], set[int]] = {}  # positions of the last two -> doc refs
    for c, ref in enumerate(d_refs):
        parts = ref.lower().split(".")
        for v in vals(parts[-1]):
            last.setdefault(v, set()).add(c)
            if len(parts) >= 2:
                for w in vals(parts[-2]):
                    last_two.setdefault((v, w), set()).add(c)
    same = np.zeros((len(m_refs), len(d_refs)))
    hit_rows: list[int] = []  # every (row, column) that is the same place, set at once
    hit_cols: list[int] = []
    for r, ref in enumerate(m_refs):
        parts = ref.lower().split(".")
        cols: set[int] = set()
        for v in vals(parts[-1]):
            if len(parts) == 1:
                cols |= last.get(v, set())
            else:
                for w in vals(parts[-2]):
                    cols |= last_two.get((v, w), set())
        hit_rows.extend([r] * len(cols))
        hit_cols.extend(cols)
    same[hit_rows, hit_cols] = 1.0
    m_index = {r: i for i, r in enumerate(m_refs)}
    d_index = {r: i for i, r in enumerate(d_refs)}
    rows = np.array([m_index[u.owner] for u in model_units])
    cols_of = np.array([d_index[u.owner] for u in doc_units])
    return same[np.ix_(rows, cols_of)]


def _neighbour_bonus(s: np.ndarray) -> np.ndarray:
    """Mean score of the previous and next sentence pairs (context agreement)."""
    b = np.zeros_like(s)
    n = np.zeros_like(s)
    b[1:, 1:] += s[:-1, :-1]
    n[1:, 1:] += 1
    b[:-1, :-1] += s[1:, 1:]
    n[:-1, :-1] += 1
    return np.divide(b, n, out=np.zeros_like(b), where=n > 0)


def in_order(score: np.ndarray, cutoff: float) -> list[tuple[int, int]]:
    """The heaviest order-preserving set of pairs scoring at least ``cutoff`` (a global
    alignment with free gaps: each row's best totals are a running maximum, so one numpy
    pass per row). Ties (identical rows): pairs are taken as early as possible, so a run of
    identical rows pairs in place and its surplus rows are left at its end."""
    m, d = score.shape
    gain = np.where(score >= cutoff, score, 0.0)
    best = np.zeros((m + 1, d + 1))
    for i in range(1, m + 1):
        here = best[i - 1].copy()
        here[1:] = np.maximum(here[1:], best[i - 1, :-1] + gain[i - 1])
        best[i] = np.maximum.accumulate(here)
    out: list[tuple[int, int]] = []
    i, j = m, d
    while i > 0 and j > 0:
        up, left = best[i, j] == best[i - 1, j], best[i, j] == best[i, j - 1]
        if up and (not left or i * d >= j * m):
            i -= 1
        elif left:
            j -= 1
        else:  # neither gap keeps the total: the pair is on every heaviest path here
            out.append((i - 1, j - 1))
            i, j = i - 1, j - 1
    return out[::-1]


def _expected_positions(anchors: dict[int, int], m: int, d: int) -> np.ndarray:
    """Expected doc index of each model unit, interpolated between in-order anchors."""
    if not anchors:
        return np.linspace(0, max(d - 1, 0), num=m) if m else np.zeros(0)
    rows = sorted(anchors)
    cols = [anchors[r] for r in rows]
    keep = sorted(longest_increasing(cols))
    xs = [rows[k] for k in keep]
    ys = [cols[k] for k in keep]
    return np.interp(np.arange(m), xs, ys)


def align(
    model_units: Sequence[Unit],
    doc_units: Sequence[Unit],
    *,
    provision_order: Sequence[str],
    score_cutoff: float = 62.0,
    anchor_cutoff: float = 90.0,
    context_weight: float = 0.12,
    order_weight: float = 12.0,
    order_window: float = 12.0,
    paraphrase_cutoff: float = 80.0,
    structure_weight: float = 12.0,
    order_first: float = 0.0,
    ratios: RatioColumns | None = None,
) -> Alignment:
    """Align sentences of the model's provisions (``owner`` = model ref) to the document's
    sentences (``owner`` = clause ref); scores are 0..100. ``order_first`` > 0: the in-order
    near-exact pairs (``in_order`` at ``anchor_cutoff``) get that bonus before assignment.
    ``ratios``: the model sentences' ratio columns kept across audits (same scores)."""
    m, d = len(model_units), len(doc_units)
    if m == 0 or d == 0:
        empty = tuple(
            ProvisionMatch(ref, (), tuple(0.0 for u in model_units if u.owner == ref), False, None)
            for ref in provision_order
        )
        return Alignment(empty, tuple(None for _ in doc_units))
    if ratios is not None and ratios.rows == [u.norm for u in model_units]:
        raw32 = ratios.matrix([u.norm for u in doc_units])
    else:
        raw32 = process.cdist(
            [u.norm for u in model_units],
            [u.norm for u in doc_units],
            scorer=fuzz.ratio,
            dtype=np.float32,
        )
    raw = raw32.astype(np.float64)
    context = raw + context_weight * _neighbour_bonus(raw)
    context += structure_weight * _same_place(model_units, doc_units)
    if order_first > 0:
        for r, c in in_order(raw, anchor_cutoff):
            context[r, c] += order_first
    first = _assign(context, score_cutoff)
    anchors = {r: c for r, c in first.items() if raw[r, c] >= anchor_cutoff}
    expected = _expected_positions(anchors or first, m, d)
    dist = np.abs(np.arange(d)[None, :] - expected[:, None])
    scored = context - order_weight * np.minimum(1.0, dist / order_window)
    pairs = _assign(scored, score_cutoff)
    pairs = {r: c for r, c in pairs.items() if raw[r, c] >= score_cutoff - 10}
    _paraphrases(model_units, doc_units, pairs, expected, paraphrase_cutoff)
    groups = {r: [c] for r, c in pairs.items()}
    _repair_splits(model_units, doc_units, raw, groups)
    return _provisions(model_units, doc_units, raw, groups, provision_order)


def _paraphrases(
    model_units: Sequence[Unit],
    doc_units: Sequence[Unit],
    pairs: dict[int, int],
    expected: np.ndarray,
    cutoff: float,
) -> None:
    """Second chance for unmatched model sentences: word-order-insensitive scoring
    against unmatched document sentences near where the sentence is expected."""
    taken = set(pairs.values())
    free = {j: doc_units[j].norm for j in range(len(doc_units)) if j not in taken}
    for i, unit in enumerate(model_units):
        if i in pairs or not free or len(unit.norm.split()) < 4:
            continue
        lo, hi = math.ceil(expected[i] - 25), math.floor(expected[i] + 25)
        near = {j: free[j] for j in range(max(lo, 0), hi + 1) if j in free}  # a window, O(1)
        if not near:
            continue
        hit = process.extractOne(unit.norm, near, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff)
        if hit is None:
            continue
        j = int(hit[2])
        la, lb = len(unit.norm), len(doc_units[j].norm)
        if 0.6 <= la / max(lb, 1) <= 1.6:
            pairs[i] = j
            del free[j]


def _repair_splits(
    model_units: Sequence[Unit],
    doc_units: Sequence[Unit],
    raw: np.ndarray,
    groups: dict[int, list[int]],
) -> None:
    """Attach an unmatched doc sentence to its neighbour's model sentence when together
    they match it better (a split); attach an unmatched model sentence to the doc sentence
    its neighbour matched when that doc sentence covers both (a merge)."""
    used = {c for cs in groups.values() for c in cs}
    for i, cols in list(groups.items()):
        for step in (1, -1):
            j = (max(cols) + 1) if step == 1 else (min(cols) - 1)
            while 0 <= j < len(doc_units) and j not in used:
                if doc_units[j].owner != doc_units[cols[0]].owner:
                    break
                joined = " ".join(doc_units[k].norm for k in sorted([*cols, j]))
                before = " ".join(doc_units[k].norm for k in sorted(cols))
                base = fuzz.ratio(model_units[i].norm, before)
                if fuzz.ratio(model_units[i].norm, joined) <= base + 1:
                    break
                cols.append(j)
                used.add(j)
                j += step
    for i in range(len(model_units)):
        if i in groups:
            continue
        for nb in (i - 1, i + 1):
            if nb not in groups or model_units[nb].owner != model_units[i].owner:
                continue
            cols = groups[nb]
            doc_text = " ".join(doc_units[k].norm for k in sorted(cols))
            pair = sorted([nb, i])
            joined = " ".join(model_units[k].norm for k in pair)
            if fuzz.ratio(joined, doc_text) > fuzz.ratio(model_units[nb].norm, doc_text) + 2:
                groups[i] = list(cols)
                break


def _provisions(
    model_units: Sequence[Unit],
    doc_units: Sequence[Unit],
    raw: np.ndarray,
    groups: Mapping[int, list[int]],
    provision_order: Sequence[str],
) -> Alignment:
    by_ref: dict[str, list[int]] = {}
    for i, u in enumerate(model_units):
        by_ref.setdefault(u.owner, []).append(i)
    owner: list[str | None] = [None] * len(doc_units)
    first_pos: dict[str, float] = {}
    rows: list[tuple[str, tuple[int, ...], tuple[float, ...], tuple[int, float] | None]] = []
    for ref in provision_order:
        idx = by_ref.get(ref, [])
        cols = sorted({c for i in idx for c in groups.get(i, [])})
        scores = tuple(float(max((raw[i, c] for c in groups.get(i, [])), default=0.0)) for i in idx)
        for c in cols:
            owner[c] = ref
        cand = None
        if not cols and idx:
            best = raw[idx].max(axis=0)
            j = int(best.argmax())
            cand = (j, float(best[j]))
        if cols:
            first_pos[ref] = float(cols[0])
        rows.append((ref, tuple(cols), scores, cand))
    matched_refs = [r for r, cols, _, _ in rows if cols]
    in_order = longest_increasing([first_pos[r] for r in matched_refs])
    ok = {matched_refs[k] for k in in_order}
    provisions = tuple(
        ProvisionMatch(ref, cols, scores, bool(cols) and ref not in ok, cand)
        for ref, cols, scores, cand in rows
    )
    return Alignment(provisions, tuple(owner))
