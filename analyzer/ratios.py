"""Score matrices against a fixed side, with the columns of repeated strings kept.

Every audit against a model scores the model's sentences against the document's
(``fuzz.ratio``, one ``cdist`` matrix). A document that follows the model repeats most of
the model's sentences word for word, and the column of a repeated sentence is the same in
every audit: ``RatioColumns`` computes it once and keeps it. Only a string that is one of
the fixed side's ``known`` strings is kept, so what is kept is bounded by the model, not by
the documents seen. The values are the ones ``cdist`` gives for the same pairs (the same
scorer, dtype and cutoff, pair by pair), so a matrix assembled from kept columns equals the
matrix computed whole.

``shortlist`` bounds a matrix that would be too large (a document of 20,000 sentences
against every missing provision): each query keeps the ``k`` choices that share most of its
words (counted through an index of the words, not pair by pair), in document order.

Exports: RatioColumns(rows, known, *, dtype, score_cutoff=None) with .matrix(cols, rows=None),
shortlist(queries, choices, k) -> list of index arrays.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process

__all__ = ["RatioColumns", "shortlist"]


class RatioColumns:
    """``fuzz.ratio`` of the fixed strings ``rows`` against any strings (``matrix``), the
    columns of strings in ``known`` computed once and kept."""

    def __init__(
        self,
        rows: Sequence[str],
        known: Iterable[str],
        *,
        dtype: type = np.float32,
        score_cutoff: float | None = None,
    ) -> None:
        self.rows = list(rows)
        self.known = frozenset(known)
        self.dtype = dtype
        self.score_cutoff = score_cutoff
        # the kept columns: string -> its column in one block (replaced whole, under the
        # lock, when new known strings arrive: readers take both at once)
        self._kept: tuple[dict[str, int], np.ndarray] = ({}, np.empty((len(self.rows), 0), dtype))
        self._lock = threading.Lock()

    @property
    def _cols(self) -> dict[str, int]:
        return self._kept[0]

    def _cdist(self, cols: Sequence[str], rows: Sequence[str] | None = None) -> np.ndarray:
        return process.cdist(
            self.rows if rows is None else rows,
            cols,
            scorer=fuzz.ratio,
            dtype=self.dtype,
            score_cutoff=self.score_cutoff,
        )

    def matrix(self, cols: Sequence[str], rows: Sequence[int] | None = None) -> np.ndarray:
        """``cdist(rows, cols)``: kept columns copied, the others scored (one call each for
        the new known strings and for the rest). ``rows``: only these rows (indices into
        ``self.rows``, in the order given); a column that is not kept is then scored for
        these rows only (a kept one is still scored whole, to be kept)."""
        n = len(self.rows) if rows is None else len(rows)
        if not n or not cols:
            return np.zeros((n, len(cols)), dtype=self.dtype)
        new = [c for c in dict.fromkeys(cols) if c in self.known and c not in self._kept[0]]
        if new:
            self._keep(new, self._cdist(new))
        index, block = self._kept
        at = [index.get(c, -1) for c in cols]
        hit = [j for j, k in enumerate(at) if k >= 0]
        out: np.ndarray = np.empty((n, len(cols)), dtype=self.dtype)
        if hit:
            src = [at[j] for j in hit]
            out[:, hit] = block[:, src] if rows is None else block[np.ix_(rows, src)]
        rest = [j for j, k in enumerate(at) if k < 0]
        if rest:
            wanted = None if rows is None else [self.rows[i] for i in rows]
            out[:, rest] = self._cdist([cols[j] for j in rest], wanted)
        return out

    def _keep(self, new: Sequence[str], scores: np.ndarray) -> None:
        with self._lock:
            index, block = self._kept
            add = [k for k, c in enumerate(new) if c not in index]
            if not add:
                return
            index = dict(index)
            for k in add:
                index[new[k]] = len(index)
            self._kept = (index, np.concatenate([block, scores[:, add]], axis=1))


def shortlist(queries: Sequence[str], choices: Sequence[str], k: int) -> list[np.ndarray]:
    """For each query, the indices of the ``k`` choices sharing most of its distinct words
    (ties: the earlier choice), in ascending order. Words are split on spaces (normalized
    text)."""
    rows_of: dict[str, list[int]] = {}
    for i, q in enumerate(queries):
        for w in set(q.split()):
            rows_of.setdefault(w, []).append(i)
    cols_of: dict[str, list[int]] = {}
    for j, c in enumerate(choices):
        for w in set(c.split()):
            if w in rows_of:
                cols_of.setdefault(w, []).append(j)
    shared = np.zeros((len(queries), len(choices)), dtype=np.int32)
    for w, cols in cols_of.items():
        shared[np.ix_(rows_of[w], cols)] += 1
    k = max(1, min(k, len(choices)))
    return [np.sort(np.argsort(-row, kind="stable")[:k]) for row in shared]
