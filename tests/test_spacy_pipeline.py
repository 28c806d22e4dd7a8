"""The sentence pipeline built from spaCy's parts (analyzer/spacy_loader.py) cuts every text
as ``spacy.blank("en")`` + the abbreviations + ``add_pipe("sentencizer")`` does, while it
learns its special cases only when a text could use them."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

import analyzer.spacy_loader as loader
from analyzer.context import default_context
from analyzer.spacy_loader import SentencePipeline, load_spacy, sentence_pipeline

ROOT = Path(__file__).resolve().parent.parent
ABBREVIATIONS = tuple(default_context().lexicon.abbreviations)


@pytest.fixture(scope="module")
def reference() -> Any:
    spacy = load_spacy()
    from spacy.symbols import ORTH

    nlp = spacy.blank("en")
    for abbr in ABBREVIATIONS:
        nlp.tokenizer.add_special_case(abbr, [{ORTH: abbr}])
    nlp.add_pipe("sentencizer")
    return nlp


def _cut(doc: Any) -> list[tuple[str, str, bool]]:
    return [(t.text, t.whitespace_, bool(t.is_sent_start)) for t in doc]


def _texts() -> list[str]:
    """Corpus paragraphs, and made-up texts full of special cases (contractions, "a.m.",
    emoticons, abbreviations), some with spaces inside the cases."""
    from spacy.lang.en import English

    texts = []
    for path in sorted((ROOT / "corpus").glob("*.txt"))[:3]:
        body = path.read_text(encoding="utf-8")
        texts += [p.replace("\n", " ") for p in body.split("\n\n") if p.strip()]
    keys = sorted(English.Defaults.tokenizer_exceptions) + list(ABBREVIATIONS)
    rng = random.Random(7)
    glue = ["", " ", " ", "  ", ".", ". ", ", ", "(", ") ", '"', "\u00a0", "\t"]
    for _ in range(600):
        parts = []
        for _ in range(rng.randint(1, 12)):
            key = rng.choice(keys)
            if rng.random() < 0.2:  # the case's characters with spaces between them
                key = "".join(c + (" " if rng.random() < 0.4 else "") for c in key)
            parts += [rng.choice(["The SRO", "Minn. Stat.", "End.", "x"]), " ", key]
            parts.append(rng.choice(glue))
        texts.append("".join(parts))
    rng.shuffle(texts)
    return texts


def test_pipeline_cuts_texts_as_spacy_blank_english_with_the_sentencizer(
    reference: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "_SCAN_BUDGET", 10**12)  # learn case by case throughout
    nlp = SentencePipeline(ABBREVIATIONS, lazy=True)
    texts = _texts()
    rng = random.Random(3)
    start = 0
    while start < len(texts):
        batch = texts[start : start + rng.randint(1, 40)]
        start += len(batch)
        for text, doc in zip(batch, nlp.pipe(batch), strict=True):
            assert _cut(doc) == _cut(reference(text)), text
    assert nlp._pending, "the test texts should leave some special case unlearned"


def test_special_cases_are_learned_when_a_text_could_use_them() -> None:
    nlp = SentencePipeline(("Minn.",), lazy=True)
    pending = {key for key, *_ in nlp._pending.values()}
    assert {"a.m.", "Minn.", "don't", "e.g."} <= pending
    docs = list(nlp.pipe(["Call at 9 a.m. today.", "See Minn. Stat. 1."]))
    assert [t.text for t in docs[0]][:4] == ["Call", "at", "9", "a.m."]
    assert [t.text for t in docs[1]][:2] == ["See", "Minn."]
    pending = {key for key, *_ in nlp._pending.values()}
    assert "a.m." not in pending and "Minn." not in pending
    assert {"don't", "e.g."} <= pending  # not in any text yet


def test_a_case_whose_characters_stand_apart_with_spaces_is_learned_too() -> None:
    """The tokenizer's phrase matcher compares tokens, not the spaces between them: "a.m ."
    holds the tokens of "a.m.", so the case is learned before the text is cut."""
    nlp = SentencePipeline((), lazy=True)
    list(nlp.pipe(["at 9 a.m . today"]))
    assert "a.m." not in {key for key, *_ in nlp._pending.values()}


def test_past_the_scan_budget_every_case_is_learned_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(loader, "_SCAN_BUDGET", 100)
    nlp = SentencePipeline(("Subd.",), lazy=True)
    list(nlp.pipe(["short text."]))
    assert nlp._pending
    list(nlp.pipe(["a longer text " * 10]))
    assert not nlp._pending
    assert [t.text for t in next(nlp.pipe(["Subd. 2 don't"]))] == ["Subd.", "2", "do", "n't"]


def test_cases_are_learned_lazily_only_in_a_settled_process(
    reference: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library caller or a batch worker gets every case at once (its forkserver builds the
    pipeline once for all workers); the CLI learns them as texts need them."""
    monkeypatch.setattr(loader, "_SETTLE", [False])
    eager = sentence_pipeline(ABBREVIATIONS)
    assert not eager._pending
    text = "We don't meet at 9 a.m. See Minn. Stat. 1. Done :) ok."
    assert _cut(next(eager.pipe([text]))) == _cut(reference(text))
    monkeypatch.setattr(loader, "_SETTLE", [True])
    monkeypatch.setattr(loader.gc, "freeze", lambda: None)  # not this test process
    assert len(sentence_pipeline(ABBREVIATIONS)._pending) > 1_000


def test_a_text_over_spacys_length_limit_is_refused_as_spacy_does() -> None:
    nlp = sentence_pipeline(())
    with pytest.raises(ValueError, match="E088"):
        list(nlp.pipe(["a" * (10**6 + 1)]))
