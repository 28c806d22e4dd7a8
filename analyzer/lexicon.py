"""The word classes the engine reads, as one frozen value built from declared data.

Two files of the model directory feed it: ``normalization.json`` (modal phrases and their
strength, negations, time units, months, citation and party words) and ``words.json`` (stop
words, the cues of internal references and statute citations, the words skipped after a
modal, the abbreviations a sentence never ends at). The context (``analyzer.context``) builds
it once per run and the stages read it from there (classify through its ``Normalizer``, check
through its ``lexicon`` argument); nothing here reads a file or the environment.

A ``words.json`` that cannot be used is a one-line ``ConfigError`` naming the file, the list
and the fix.

Exports: Lexicon, lexicon_from(tables, words, source) -> Lexicon, WORD_LISTS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ConfigError

__all__ = ["Lexicon", "lexicon_from", "WORD_LISTS"]

# the lists of words.json, each a non-empty list of strings
WORD_LISTS = (
    "stop_words",
    "reference_cues",
    "statute_cues",
    "modal_skip_words",
    "abbreviations",
)


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Word classes: normalized words (lower case) except ``abbreviations`` (as printed)."""

    modal: Mapping[tuple[str, ...], int]  # phrase -> strength (3 must, 2 should, 1 may)
    modal_firsts: frozenset[str]  # first words of the modal phrases (a quick filter)
    negation: frozenset[str]
    units: frozenset[str]
    months: frozenset[str]
    citation: frozenset[str]
    party: frozenset[str]
    stop: frozenset[str]
    reference_cues: frozenset[str]
    statute_cues: frozenset[str]
    modal_skip: frozenset[str]  # stop words and modal_skip_words: never the governed verb
    abbreviations: tuple[str, ...]
    abbreviations_lower: frozenset[str]  # the same, lower case (a word before a full stop)


def lexicon_from(tables: Mapping[str, Any], words: Any, source: str) -> Lexicon:
    """The lexicon of checked normalization ``tables`` and the parsed ``words.json``
    (``source`` names that file in errors)."""
    if not isinstance(words, dict):
        raise ConfigError(source, "the word lists are not a JSON object", "fix the file")
    lists: dict[str, tuple[str, ...]] = {}
    for key in WORD_LISTS:
        items = words.get(key)
        if not isinstance(items, list) or not items:
            raise ConfigError(
                source, f"'{key}' is missing or not a non-empty list", f"give '{key}' as a list"
            )
        bad = [x for x in items if not isinstance(x, str) or not x.strip()]
        if bad:
            raise ConfigError(
                source,
                f"'{key}' holds {bad[0]!r}, not a word",
                f"write each entry of '{key}' as text",
            )
        lists[key] = tuple(items)
    modal: dict[tuple[str, ...], int] = {}
    for strength, rank in (("strong", 3), ("medium", 2), ("weak", 1)):
        for phrase in tables["modality"][strength]:
            modal[tuple(str(phrase).split())] = rank
    return Lexicon(
        modal=modal,
        modal_firsts=frozenset(k[0] for k in modal if k),
        negation=frozenset(w for w in tables["negation"] if " " not in w),
        units=frozenset(tables["time_units"]),
        months=frozenset(tables["months"]),
        citation=frozenset(tables["citation_words"]),
        party=frozenset(tables["party_words"]),
        stop=frozenset(w.lower() for w in lists["stop_words"]),
        reference_cues=frozenset(w.lower() for w in lists["reference_cues"]),
        statute_cues=frozenset(w.lower() for w in lists["statute_cues"]),
        modal_skip=frozenset(w.lower() for w in lists["modal_skip_words"] + lists["stop_words"]),
        abbreviations=lists["abbreviations"],
        abbreviations_lower=frozenset(a.lower() for a in lists["abbreviations"]),
    )
