"""Pair the paragraphs compare's clause rows leave out: titles, preamble lines and headings.

``compare`` aligns clauses that have text, sentence by sentence. A draft also prints
paragraphs with no sentence of their own: its front matter (title, preamble lines) and its
heading-only clauses ("2. Definitions"). They are paired here, after the clause rows, in the
order that trusts content most:

1. the clause rows' own pairs (one to one, most similar text first);
2. the same text (case and spacing aside), in order: the heaviest order-preserving set of
   equal pairs (``align.in_order``), so repeated headings ("Schedule", "Definitions") pair
   with the copy at the same place rather than the first free one;
3. a parent whose children's partners mostly share one parent pairs with that parent (a
   renamed section heading);
4. near-identical text (rapidfuzz ratio >= ``MIN_MATCH``), most similar first; then one
   paragraph's whole text inside another's (a sentence added or cut);
5. front matter left over pairs in order when both drafts still have a line there (an
   edited title or preamble: the first paragraphs of a document are its front matter).

Which pairs moved is judged here too, over every paired paragraph (headings included): the
most pairs kept in order, and among equally many, those whose parents are paired with each
other (``in_order_pairs``). The same pairing drives the DOCX redline (``analyzer.redline_plan``).

Exports:
    FRONT                                   -- ref prefix of front-matter lines ("§front0")
    printed(tree) -> list[Printed]          -- the document as printed paragraphs
    pair_paragraphs(candidates, old, new) -> dict[int, int]
                                            -- OLD index -> NEW index, one to one
    in_order_pairs(pairs, old, new) -> set[int]  -- OLD indices of the pairs kept in order
    outline_rows(rows, old_tree, new_tree) -> (list[dict], set[str])
                                            -- the compare JSON's ``outline`` rows and
                                               the OLD refs of clause rows out of order
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from .align import in_order
from .model import ClauseTree

__all__ = ["FRONT", "Printed", "printed", "pair_paragraphs", "in_order_pairs", "outline_rows"]

FRONT = "\u00a7front"  # ref prefix of front-matter paragraphs (never a clause ref)
MIN_MATCH = 80.0  # rapidfuzz ratio for pairing two paragraphs nothing else paired
MIN_WORDS = 6  # a paragraph inside another pairs with it from this many words on


@dataclass(frozen=True)
class Printed:
    """One paragraph as printed: ``ref`` (a clause ref or ``FRONT`` + index), its text (label,
    heading and body), its depth, whether it is a heading only, and its parent's index."""

    ref: str
    text: str
    depth: int
    heading: bool
    parent: int | None
    front: bool = False


def printed(tree: ClauseTree) -> list[Printed]:
    """Each front-matter line, then each clause as printed (``label heading: text``)."""
    out: list[Printed] = []
    for k, line in enumerate(tree.front_matter):
        if line.strip():
            out.append(Printed(f"{FRONT}{k}", " ".join(line.split()), 0, True, None, True))
    index: dict[str, int] = {}
    for c in tree.clauses:
        heading = " ".join(c.heading.split())
        text = " ".join(c.text.split())
        if heading and text and heading[-1] not in ".:;?!":
            heading += ":"
        words = " ".join(p for p in (c.label.strip(), heading, text) if p)
        if not words:
            continue
        index[c.ref] = len(out)
        parent = index.get(c.parent or "")
        out.append(Printed(c.ref, words, c.depth, bool(heading) and not text, parent))
    return out


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _one_to_one(
    candidates: Iterable[tuple[int, int]], old: Sequence[Printed], new: Sequence[Printed]
) -> dict[int, int]:
    """Greedy one-to-one pairing, most similar text first (ties: document order)."""
    scored = sorted(
        set(candidates), key=lambda ij: (-fuzz.ratio(old[ij[0]].text, new[ij[1]].text), ij)
    )
    out: dict[int, int] = {}
    used: set[int] = set()
    for i, j in scored:
        if i not in out and j not in used:
            out[i] = j
            used.add(j)
    return out


def _same_text(pairs: dict[int, int], old: Sequence[Printed], new: Sequence[Printed]) -> None:
    rest_old = [i for i in range(len(old)) if i not in pairs]
    taken = set(pairs.values())
    rest_new = [j for j in range(len(new)) if j not in taken]
    if not rest_old or not rest_new:
        return
    keys_new = [_key(new[j].text) for j in rest_new]
    equal = np.array(
        [[100.0 if _key(old[i].text) == k else 0.0 for k in keys_new] for i in rest_old]
    )
    for r, c in in_order(equal, 100.0):
        pairs[rest_old[r]] = rest_new[c]


def _by_children(pairs: dict[int, int], old: Sequence[Printed], new: Sequence[Printed]) -> None:
    votes: dict[int, Counter[int]] = {}
    for i, j in pairs.items():
        po, pn = old[i].parent, new[j].parent
        if po is not None and pn is not None:
            votes.setdefault(po, Counter())[pn] += 1
    taken = set(pairs.values())
    for po in sorted(votes):
        (pn, n), total = votes[po].most_common(1)[0], sum(votes[po].values())
        if po not in pairs and pn not in taken and 2 * n > total:
            pairs[po] = pn
            taken.add(pn)


def _front_in_order(pairs: dict[int, int], old: Sequence[Printed], new: Sequence[Printed]) -> None:
    taken = set(pairs.values())
    rest_old = [i for i, p in enumerate(old) if p.front and i not in pairs]
    rest_new = [j for j, p in enumerate(new) if p.front and j not in taken]
    paired_front = [(i, j) for i, j in pairs.items() if old[i].front and new[j].front]
    if paired_front or len(rest_old) != len(rest_new):
        return  # only when the two front matters are left whole and line for line
    pairs.update(zip(rest_old, rest_new, strict=True))


def pair_paragraphs(
    candidates: Iterable[tuple[int, int]], old: Sequence[Printed], new: Sequence[Printed]
) -> dict[int, int]:
    """OLD paragraph index -> NEW paragraph index, one to one: ``candidates`` (the engine's
    pairs) first, then the steps of the module docstring."""
    pairs = _one_to_one(candidates, old, new)
    _same_text(pairs, old, new)
    _by_children(pairs, old, new)
    taken = set(pairs.values())
    rest_old = [i for i in range(len(old)) if i not in pairs]
    rest_new = [j for j in range(len(new)) if j not in taken]
    close = [
        (i, j)
        for i in rest_old
        for j in rest_new
        if fuzz.ratio(_key(old[i].text), _key(new[j].text)) >= MIN_MATCH
    ]
    pairs.update(_one_to_one(close, old, new))
    _contained(pairs, old, new)
    _front_in_order(pairs, old, new)
    return pairs


def _contained(pairs: dict[int, int], old: Sequence[Printed], new: Sequence[Printed]) -> None:
    """One paragraph's whole text (``MIN_WORDS`` words or more) inside the other's: a
    sentence added to or cut from it (a preamble that gained a sentence)."""
    taken = set(pairs.values())
    rest_new = [j for j in range(len(new)) if j not in taken]
    for i in range(len(old)):
        if i in pairs:
            continue
        a = _key(old[i].text)
        for j in rest_new:
            b = _key(new[j].text)
            if (
                j not in taken
                and min(len(a.split()), len(b.split())) >= MIN_WORDS
                and (a in b or b in a)
            ):
                pairs[i] = j
                taken.add(j)
                break


def in_order_pairs(
    pairs: Mapping[int, int], old: Sequence[Printed], new: Sequence[Printed]
) -> set[int]:
    """The OLD indices of the pairs that kept their order: the largest set of pairs in the
    same order on both sides; between two such sets of one size, the one keeping more pairs
    whose parents are paired with each other. So when a paragraph and a heading swap, the
    one that changed section is the one that moved."""
    ordered = sorted(pairs.items())
    n = len(ordered)
    weight = []
    for i, j in ordered:
        po, pn = old[i].parent, new[j].parent
        same = (po is None and pn is None) or (po is not None and pairs.get(po) == pn)
        weight.append(1.0 + (1.0 / (n + 1) if same else 0.0))
    return {ordered[k][0] for k in _heaviest_increasing([j for _, j in ordered], weight)}


def _heaviest_increasing(values: Sequence[int], weight: Sequence[float]) -> set[int]:
    """Indices of a strictly increasing subsequence of ``values`` of greatest total weight
    (a Fenwick tree of best totals by value: n log n)."""
    size = max(values, default=-1) + 2
    tree_best = [0.0] * (size + 1)
    tree_at = [-1] * (size + 1)
    best = [0.0] * len(values)
    prev = [-1] * len(values)
    for k, v in enumerate(values):
        q, total, at = v, 0.0, -1  # best over values < v: positions 1..v
        while q > 0:
            if tree_best[q] > total:
                total, at = tree_best[q], tree_at[q]
            q -= q & -q
        best[k], prev[k] = total + weight[k], at
        q = v + 1
        while q <= size:
            if best[k] > tree_best[q]:
                tree_best[q], tree_at[q] = best[k], k
            q += q & -q
    out: set[int] = set()
    k = max(range(len(values)), key=best.__getitem__, default=-1)
    while k != -1:
        out.add(k)
        k = prev[k]
    return out


def outline_rows(
    rows: Sequence[Mapping[str, Any]], old_tree: ClauseTree, new_tree: ClauseTree
) -> tuple[list[dict[str, Any]], set[str]]:
    """Rows for the paragraphs no clause row covers (front matter, headings), in OLD order,
    then the NEW-only ones in NEW order: ``status`` unchanged / edited / deleted / inserted,
    ``moved`` when the pair is out of the order of all pairs (``in_order_pairs``), each
    side's location (none for front matter, which has no source span); and the
    OLD refs of the clause rows out of that order (moved, judged with the headings)."""
    old, new = printed(old_tree), printed(new_tree)
    io = {p.ref: k for k, p in enumerate(old)}
    jn = {p.ref: k for k, p in enumerate(new)}
    covered_old = {r["old_ref"] for r in rows if r["old_ref"]}
    covered_new = {ref for r in rows for ref in r["new_refs"]}
    candidates = [
        (io[r["old_ref"]], jn[n])
        for r in rows
        if r["old_ref"] in io
        for n in r["new_refs"]
        if n in jn
    ]
    pairs = pair_paragraphs(candidates, old, new)
    in_place = in_order_pairs(pairs, old, new)
    back = {j: i for i, j in pairs.items()}
    where = (_locations(old_tree), _locations(new_tree))
    out: list[dict[str, Any]] = []
    for i, p in enumerate(old):
        j = pairs.get(i)
        if p.ref in covered_old and (j is None or new[j].ref in covered_new):
            continue
        q = new[j] if j is not None else None
        same = q is not None and _key(p.text) == _key(q.text)
        status = "deleted" if q is None else ("unchanged" if same else "edited")
        out.append(_outline_row(p, q, status, j is not None and i not in in_place, where))
    for j, q in enumerate(new):
        if j not in back and q.ref not in covered_new:
            out.append(_outline_row(None, q, "inserted", False, where))
    moved = {old[i].ref for i in pairs if i not in in_place and old[i].ref in covered_old}
    return out, moved


def _locations(tree: ClauseTree) -> dict[str, dict[str, int]]:
    return {c.ref: c.location.to_dict() for c in tree.clauses if c.location is not None}


def _outline_row(
    old: Printed | None,
    new: Printed | None,
    status: str,
    moved: bool,
    where: tuple[Mapping[str, dict[str, int]], Mapping[str, dict[str, int]]],
) -> dict[str, Any]:
    side = old if old is not None else new
    return {
        "old_ref": old.ref if old else None,
        "new_ref": new.ref if new else None,
        "kind": "front" if side is not None and side.front else "heading",
        "status": status,
        "moved": moved,
        "old_text": old.text if old else None,
        "new_text": new.text if new else None,
        "old_location": where[0].get(old.ref) if old else None,
        "new_location": where[1].get(new.ref) if new else None,
    }
