"""Sentence splitting inside clauses, with spaCy.

A blank English pipeline with the rule-based ``sentencizer`` (no model download, no network),
taught the abbreviations of legal text ("Minn. Stat.", "Subd.", "e.g.", "No.", "Sec.") so
that it does not split after them. spaCy is imported on first use only.

Exports: split_sentences(texts) -> list[tuple[str, ...]], sentence_spans(text).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

__all__ = ["split_sentences", "ABBREVIATIONS"]


ABBREVIATIONS = (
    "Minn.",
    "Stat.",
    "Stats.",
    "Subd.",
    "subd.",
    "Subds.",
    "subds.",
    "Sub.",
    "e.g.",
    "i.e.",
    "etc.",
    "Sec.",
    "sec.",
    "No.",
    "no.",
    "Nos.",
    "St.",
    "Mr.",
    "Ms.",
    "Mrs.",
    "Dr.",
    "Inc.",
    "Co.",
    "Corp.",
    "U.S.",
    "M.S.",
    "Minn.Stat.",
    "vs.",
    "v.",
    "Art.",
    "para.",
    "Para.",
    "ch.",
    "Ch.",
    "Dept.",
    "approx.",
    "Jr.",
    "Sr.",
    "Ave.",
    "cf.",
    "pp.",
    "p.",
)


@lru_cache(maxsize=1)
def _nlp() -> Any:
    import spacy
    from spacy.symbols import ORTH

    nlp = spacy.blank("en")
    for abbr in ABBREVIATIONS:
        nlp.tokenizer.add_special_case(abbr, [{ORTH: abbr}])  # type: ignore[union-attr]
    nlp.add_pipe("sentencizer")
    return nlp


_CONTINUES = re.compile(r"^[a-z0-9,;:)\]]|^(and|or)\b")


def split_sentences(texts: Sequence[str]) -> list[tuple[str, ...]]:
    """Split each text into sentences (raw substrings, in order, whitespace-trimmed).

    A piece that starts in lower case, with a digit or with punctuation continues the
    previous sentence (e.g. after "Subd. 4." or "E.1. above").
    """
    todo = [t for t in dict.fromkeys(texts) if t not in _CACHE]
    simple = [t for t in todo if not _MAYBE_SPLIT.search(t)]
    for t in simple:
        _CACHE[t] = (t.strip().replace("\n", " "),) if t.strip() else ()
    hard = [t for t in todo if t not in _CACHE]
    if hard:
        for t, sents in zip(hard, _split(hard), strict=True):
            _CACHE[t] = sents
    result = [_CACHE[t] for t in texts]
    if len(_CACHE) > 20_000:  # bounded memory; never recompute (a huge document would loop)
        _CACHE.clear()
    return result


_CACHE: dict[str, tuple[str, ...]] = {}
_MAYBE_SPLIT = re.compile(r"[.!?][\"\u201d')]*\s+\S")


def _split(texts: Sequence[str]) -> list[tuple[str, ...]]:
    nlp = _nlp()
    out: list[tuple[str, ...]] = []
    for doc in nlp.pipe([t.replace("\n", " ") for t in texts], batch_size=256):
        pieces: list[str] = []
        for sent in doc.sents:
            s = sent.text.strip()
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
