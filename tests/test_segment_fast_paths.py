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


_LINE_POOL = [
    "",
    "",
    "School Resource Officer Policy",
    "Lakeville Police Department",
    "Page 3 of 9",
    "- 4 -",
    "507.5 SCHOOL RESOURCE OFFICERS",
    "The SRO shall report to the chief and",
    "the principal of the school each week.",
    "A. Training",
    "Copyright 2024 Lexipol, LLC. All rights reserved.",
    "Policy 1003 - School Resource Officer - 7",
    "---",
    "x" * 130,
    "word " * 32,
    "Winona Police Department",
    "The school district shall review this policy.",
    *(f"{name} Section Heading" for name in ("Alpha", "Beta", "Gamma", "Delta", "Omega", "Kappa")),
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(_LINE_POOL), st.integers(1, 3), st.booleans()), max_size=40)
)
def test_furniture_lines_left_alone_change_nothing(rows: list[tuple[str, int, bool]]) -> None:
    """``furniture._alone``: a line whose key no other line has, beside no such line, is
    never looked at as a running header; the lines found are those of the full look."""
    from analyzer.model import Line

    lines = [Line(text, page, i) for i, (text, page, _) in enumerate(rows, 1)]
    margins = [margin for _, _, margin in rows]
    fast = (furniture.find(lines), furniture.find(lines, margins=margins, pages=3))
    saved = furniture._alone
    furniture._alone = lambda keys: set()  # every line looked at
    try:
        full = (furniture.find(lines), furniture.find(lines, margins=margins, pages=3))
    finally:
        furniture._alone = saved
    assert fast == full


@settings(max_examples=250)
@given(st.lists(st.sampled_from([*_PIECES, "507.5", "\u0663", "\u00b2", "SCHOOL"]), max_size=10))
def test_furniture_numbered_title_checks_a_decimal_first(pieces: list[str]) -> None:
    text = "".join(pieces)
    m = furniture._NUMBERED_TITLE.match(text.strip())
    old = m is not None and m.group(1).isupper() and len(m.group(1).split()) <= 8
    assert furniture._numbered_title(text) == old


_KEY_PIECES = ["page", " ", "#", "of", "/", "-", "\u2013", "p.", "pg.", "copyright", "all rights",
               " reserved.", "(c)", "\u00a9", "####", "policy", ".", "published with permission by",
               "x", "---", "***", "___", "==="]  # fmt: skip


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_KEY_PIECES), max_size=8).map("".join))
def test_furniture_fixed_reasons_in_one_regex_say_what_each_list_said(key: str) -> None:
    expected = ""
    for name, reason in furniture._FIXED:  # each list in turn, as first written
        if furniture._patterns(name).match(key):
            expected = reason
            break
    assert furniture._fixed_reason(key) == expected


def _heading_shaped_as_first_written(text: str, *, strict: bool) -> bool:
    t = text.strip()
    if not t:
        return False
    words = t.split()
    limit = 8 if strict else 14 if t.endswith(":") else 12
    if len(words) > limit or outline_shapes.MODAL_WORDS.search(t):
        return False
    if t.endswith((";", ",")) or (t.endswith(".") and len(words) > 4 and not strict):
        return False
    if strict and t.endswith((".", ":")) and not t.lower().endswith((".pdf", ".docx")):
        return False
    letters = list(filter(str.isalpha, t))
    caps = bool(letters) and sum(map(str.isupper, letters)) / len(letters) > 0.8
    long_words = [w for w in words if len(w.strip("()\"'.,:")) >= 4]
    title = bool(long_words) and sum(w[0].isupper() for w in long_words) / len(long_words) >= 0.6
    return caps or title if strict else caps or title or len(words) <= 3 or t.endswith(":")


_HEADING_WORDS = ["The", "SRO", "shall", "SCHOOL", "Resource", "officer", "of", ":", ".", ";",
                  "(a)", "FORCE", "report.pdf", "may", "Policy", "ab", "  "]  # fmt: skip


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_HEADING_WORDS), max_size=15).map(" ".join), st.booleans())
def test_heading_shape_tests_cheap_signs_first_and_says_the_same(text: str, strict: bool) -> None:
    expected = _heading_shaped_as_first_written(text, strict=strict)
    assert outline_shapes.is_heading_shaped(text, strict=strict) == expected
