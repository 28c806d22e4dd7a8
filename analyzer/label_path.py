"""The document's label scheme, read from the whole sequence of labels as a scored best path.

Each one-component label can be read several ways (``i.`` a Roman one or the letter i,
``C.`` a Roman hundred or the letter C, ``v.`` five or the letter v). The reading of every
label is chosen together, as the best-scoring path through the sequence, where the state is
the stack of open lists (kind and last value at each depth):

- a label that continues an open list (A -> B, 1 -> 2, i -> ii, at any depth: the lists
  inside it close) scores highest;
- a label that starts a new list (value 1) nests under the innermost open list, at no cost;
- a label that continues a list after a gap (an item deleted, not renumbered) costs a little;
- anything else (a list starting at 995, a stray reading) costs most.

Ties go to the parser's order of readings. The search keeps a fixed number of best states per
label (a beam), and the stack a fixed depth, so it is linear in the number of labels.

Exports: best_readings(labels) -> [(reading, continued)], BEAM, MAX_DEPTH.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

__all__ = ["best_readings", "BEAM", "MAX_DEPTH"]

BEAM = 4  # states kept per label
MAX_DEPTH = 6  # open lists remembered
_CONTINUE, _START, _GAP, _STRAY = 3.0, 0.0, -1.0, -3.0
_MAX_GAP = 4  # values a continued list may skip
_POP = 0.05  # per list closed by a continuation (prefer the innermost list)
_ORDER = 0.01  # per step down the parser's order of readings
_MARGIN = 4.5  # paths further behind the best are dropped (one stray reading is not)
_SCORE = attrgetter("score")


class _State:
    """One path: its score, its open lists, the label indices that opened them, the state
    before it, the reading chosen for this label and the label it continues (-1: none)."""

    __slots__ = ("score", "stack", "owners", "back", "reading", "continues")

    def __init__(
        self,
        score: float,
        stack: tuple[tuple[str, int], ...],
        owners: tuple[int, ...],
        back: _State | None,
        reading: int,
        continues: int,
    ) -> None:
        self.score, self.stack, self.owners = score, stack, owners
        self.back, self.reading, self.continues = back, reading, continues


def best_readings(labels: Sequence[Sequence[tuple[str, int]]]) -> list[tuple[int, bool]]:
    """For each label (its readings, in the parser's order): the index of the reading on
    the best path, and whether a later label continues it."""
    beam = [_State(0.0, (), (), None, -1, -1)]
    for at, readings in enumerate(labels):
        best: dict[tuple[tuple[str, int], ...], _State] = {}
        for state in beam:
            _advance(best, state, readings, at)
        # the BEAM best, ties in the order found (what heapq.nlargest gives, sorted at once)
        beam = sorted(best.values(), key=_SCORE, reverse=True)[:BEAM]
        floor = beam[0].score - _MARGIN  # a path this far behind never catches up
        beam = [state for state in beam if state.score >= floor]
    chosen: list[int] = []
    continued: set[int] = set()
    node: _State | None = beam[0]
    while node is not None and node.back is not None:  # back along the best path
        chosen.append(node.reading)
        if node.continues >= 0:
            continued.add(node.continues)
        node = node.back
    chosen.reverse()
    return [(r, k in continued) for k, r in enumerate(chosen)]


def _advance(
    best: dict[tuple[tuple[str, int], ...], _State],
    state: _State,
    readings: Sequence[tuple[str, int]],
    at: int,
) -> None:
    """Every way label ``at`` can follow ``state``: each reading continuing an open list of
    its kind (closing the lists inside it), after a gap, or opening a new list."""
    stack, owners = state.stack, state.owners
    for r, (kind, value) in enumerate(readings):
        base = state.score - r * _ORDER
        for j in range(len(stack) - 1, -1, -1):
            k, v = stack[j]
            if k != kind:
                continue
            closed = (len(stack) - 1 - j) * _POP
            if v + 1 == value:
                gain, continues = _CONTINUE - closed, owners[j]
            elif v + 1 < value <= v + 1 + _MAX_GAP:
                gain, continues = _GAP - closed, -1
            else:
                continue
            score, key = base + gain, (*stack[:j], (kind, value))
            held = best.get(key)  # the best path to each stack of open lists is kept
            if held is None or score > held.score:
                best[key] = _State(score, key, (*owners[:j], at), state, r, continues)
        gain = _START if value == 1 else _STRAY
        score, key = base + gain, (*stack, (kind, value))[-MAX_DEPTH:]
        held = best.get(key)
        if held is None or score > held.score:
            best[key] = _State(score, key, (*owners, at)[-MAX_DEPTH:], state, r, -1)
