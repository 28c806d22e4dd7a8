"""The reading speed work replaced end-anchored regexes (which try every position of a long
line) and slow regex shapes by exact equivalents: each must say what the regex says, on any
text. Hypothesis draws texts from the characters that matter to each one."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import furniture, layout, outline_shapes, segment

_PIECES = [
    "a", "Z", " ", "\t", "\n", "\u00a0", ".", ";", ":", "?", "!", ",", "*", "_", "#", '"', "'",
    "\u201d", "\u2019", ")", "]", "(", "and", "or", "d", "Minn", "Stat", "Stats", "e.g", "U.S",
    "Dept", "St", "x", "1", "12",
]  # fmt: skip
texts = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)


@settings(max_examples=250)
@given(texts)
def test_furniture_ends_open_says_what_its_regex_said(text: str) -> None:
    terminal = re.compile(r"[.;:?!][\"'\u201d\u2019)\]*]*$")
    t = text.rstrip()
    assert furniture.ends_open(text) == (bool(t) and not terminal.search(t))


@settings(max_examples=250)
@given(texts)
def test_furniture_markup_regex_removes_what_the_old_one_did(text: str) -> None:
    old = re.compile(r"^#{1,6}\s+|\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
    assert furniture._MARKUP.sub("", text) == old.sub("", text)


@settings(max_examples=250)
@given(texts)
def test_layout_sentence_ends_say_what_their_regexes_said(text: str) -> None:
    terminal = re.compile(r"[.;:?!][\"'\u201d\u2019)\]]*$")
    sentence_end = re.compile(r"[.:?!][\"'\u201d\u2019)\]]*$")
    assert layout._ends_with(text, ".;:?!") == bool(terminal.search(text))
    assert layout._ends_with(text, ".:?!") == bool(sentence_end.search(text))


@settings(max_examples=250)
@given(texts)
def test_layout_abbreviation_seen_in_the_last_characters_only(text: str) -> None:
    assert layout._abbreviated(text) == bool(layout._ABBREVIATION.search(text))


@settings(max_examples=250)
@given(texts)
def test_segment_item_end_says_what_its_regex_said(text: str) -> None:
    item_end = re.compile(r"(?:[;:]|;\s*(?:and|or))\**$")
    assert segment._item_end(text) == bool(item_end.search(text))


@settings(max_examples=250)
@given(texts)
def test_outline_and_or_after_semicolon_and_emphasis(text: str) -> None:
    and_or = re.compile(r";\s*(and|or)$")
    emphasis = re.compile(r"(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
    assert outline_shapes.and_or_after_semicolon(text) == bool(and_or.search(text))
    assert outline_shapes._EMPHASIS.sub("", text) == emphasis.sub("", text)


def test_a_list_item_ending_in_semicolon_and_ends_its_block() -> None:
    assert segment._item_end("the officer shall report;  and**")
    assert not segment._item_end("the officer shall report; band")
    assert not segment._item_end("the officer shall report;\n*")


def test_furniture_memo_gives_an_indented_copy_the_same_key() -> None:
    memo = furniture.Memo()
    assert memo.key("   Page 3 of 9  ") == furniture.furniture_key("Page 3 of 9") == "page # of #"
    assert memo.key("") == "" and memo.key("   ") == ""
    assert memo.reason("page # of #") == "page-number"
