"""Typography is folded for comparison only: the same provision in other quotes, dashes,
spaces or ligatures is identical, and the raw text is still what is shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import audit_text
from analyzer.normalize import fold_typography, tokenize


@pytest.mark.parametrize(
    ("name", "typeset", "plain"),
    [
        ("curly_apostrophe", "the officer\u2019s employer", "the officer's employer"),
        ("curly_quotes", "\u201cSchool\u201d means", '"School" means'),
        ("en_dash_in_range", "parts 1205.0100\u20131205.2000", "parts 1205.0100-1205.2000"),
        ("non_breaking_hyphen", "de\u2011escalation", "de-escalation"),
        ("non_breaking_space", "Minn.\u00a0Stat.\u00a0626.8482", "Minn. Stat. 626.8482"),
        ("thin_space", "\u00a7\u2009626.8482", "\u00a7 626.8482"),
        ("soft_hyphen", "law en\u00adforce\u00adment", "law enforcement"),
        ("zero_width_space", "school\u200b district", "school district"),
        ("ligatures", "\ufb01rst of\ufb01cer ef\ufb02uent", "first officer effluent"),
    ],
)
def test_typography_tokens_compare_equal(name: str, typeset: str, plain: str) -> None:
    assert [t.norm for t in tokenize(typeset)] == [t.norm for t in tokenize(plain)], name
    assert fold_typography(typeset) == plain


def test_tokens_keep_the_raw_typeset_text() -> None:
    tokens = tokenize("the officer\u2019s \ufb01rst duty")
    assert [t.raw for t in tokens] == ["the", "officer\u2019s", "\ufb01rst", "duty"]


def test_em_dash_between_words_stays_punctuation() -> None:
    assert [t.norm for t in tokenize("policy\u2014the")] == ["policy", "-", "the"]


def test_curly_apostrophes_keep_a_provision_identical() -> None:
    root = Path(__file__).resolve().parent.parent
    text = (root / "model_policy" / "post-sro.txt").read_text(encoding="utf-8")
    curly = text.replace("'", "\u2019").replace("1205.0100-", "1205.0100\u2013")
    audit = audit_text(curly, model="post-sro")
    assert audit["verdict"] == "identical"
    assert {p["status"] for p in audit["provisions"]} == {"identical"}
    shown = {p["model_ref"]: p["doc_text"] for p in audit["provisions"]}
    assert "1205.0100\u20131205.2000" in shown["IV.H.2"]  # raw text still shown
