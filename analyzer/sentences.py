"""Sentence splitting inside clauses, with spaCy.

A blank English pipeline with the rule-based ``sentencizer`` (no model download, no network),
taught the abbreviations of legal text ("Minn. Stat.", "Subd.", "e.g.", "No.", "Sec.") so
that it does not split after them. The abbreviations are data (``abbreviations`` in
``model_policy/words.json``), handed in by the caller from the run's lexicon; the pipeline and
the results are memos keyed by that list. spaCy is imported on first use only.

Exports: split_sentences(texts, *, abbreviations) -> list[tuple[str, ...]].
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

__all__ = ["split_sentences"]


@lru_cache(maxsize=2)
def _nlp(abbreviations: tuple[str, ...]) -> Any:
    from .spacy_loader import sentence_pipeline

    # spacy.blank("en") + the sentencizer, built from spaCy's parts (spacy_loader)
    return sentence_pipeline(abbreviations)


_CONTINUES = re.compile(r"^[a-z0-9,;:)\]]|^(and|or)\b")


def split_sentences(texts: Sequence[str], *, abbreviations: Sequence[str]) -> list[tuple[str, ...]]:
    """Split each text into sentences (raw substrings, in order, whitespace-trimmed), never
    after one of ``abbreviations`` (as printed: "Minn.", "Subd.", "e.g.").

    A piece that starts in lower case, with a digit or with punctuation continues the
    previous sentence (e.g. after "Subd. 4." or "E.1. above").
    """
    key = tuple(abbreviations)
    cache = _CACHE.get(key)
    if cache is None:
        _CACHE.clear()  # one list per run: a memo of the current list only
        cache = _CACHE[key] = {}
    todo = [t for t in dict.fromkeys(texts) if t not in cache]
    simple = [t for t in todo if not _MAYBE_SPLIT.search(t)]
    for t in simple:
        cache[t] = (t.strip().replace("\n", " "),) if t.strip() else ()
    hard = [t for t in todo if t not in cache]
    if hard:
        for t, sents in zip(hard, _split(hard, key), strict=True):
            cache[t] = sents
    result = [cache[t] for t in texts]
    if len(cache) > 20_000:  # bounded memory; never recompute (a huge document would loop)
        cache.clear()
    return result


# a memo of a pure function of (abbreviations, text): abbreviations -> text -> sentences
_CACHE: dict[tuple[str, ...], dict[str, tuple[str, ...]]] = {}
_MAYBE_SPLIT = re.compile(r"[.!?][\"\u201d')]*\s+\S")


def _split(texts: Sequence[str], abbreviations: tuple[str, ...]) -> list[tuple[str, ...]]:
    nlp = _nlp(abbreviations)
    out: list[tuple[str, ...]] = []
    flat = [t.replace("\n", " ") for t in texts]
    for text, doc in zip(flat, nlp.pipe(flat), strict=True):
        pieces: list[str] = []
        for sent in doc.sents:  # its text sliced by its offsets (Span.text joins its tokens)
            s = text[sent.start_char : sent.end_char].strip()
            if not s:
                continue
            if pieces and (_CONTINUES.match(s) or len(s) < 4 or pieces[-1].endswith((",", ";"))):
                pieces[-1] = f"{pieces[-1]} {s}"
            else:
                pieces.append(s)
        out.append(tuple(_opening_marks_forward(pieces)))
    return out


_OPENING_TAIL = re.compile(r"\s([\u201c\u2018\"'(\[]+)$")


def _opening_marks_forward(pieces: list[str]) -> list[str]:
    """An opening quote or bracket the splitter left at the end of a sentence (``13. “``)
    starts the next one."""
    for i in range(len(pieces) - 1):
        m = _OPENING_TAIL.search(pieces[i])
        if m:
            pieces[i] = pieces[i][: m.start()].rstrip()
            pieces[i + 1] = m.group(1) + pieces[i + 1]
    return [p for p in pieces if p]
