"""The label grammar (analyzer.labels) and how the outline builder places each label kind."""

from __future__ import annotations

import time

import pytest

from analyzer.labels import BULLET_RE, parse_label, roman_value
from analyzer.segment import segment_text


def _refs(text: str) -> list[str]:
    return [c.ref for c in segment_text(text).clauses]


@pytest.mark.parametrize(
    ("text", "path", "rest"),
    [
        ("417.3.A General contractual requirements", ("417", "3", "A"), "General"),
        ("1003.4.E.3.4.c The student's plan.", ("1003", "4", "E", "3", "4", "c"), "The"),
        ("IV-A-1-i Must address a policy;", ("IV", "A", "1", "i"), "Must"),
        ("Section 4(A)(1)(i) Must address a policy;", ("4", "A", "1", "i"), "Must"),
        ("\u00a7 A(1) Use methods that help", ("A", "1"), "Use"),
        ("Order 417.2: General contractual requirements:", ("417", "2"), "General"),
        ("(a)(1) The contract shall", ("a", "1"), "The"),
    ],
)
def test_path_labels_parse_every_component(text: str, path: tuple[str, ...], rest: str) -> None:
    lab = parse_label(text)
    assert lab is not None and lab.is_path
    assert lab.path == path
    assert lab.rest.startswith(rest)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("IV. PROCEDURE", {("ROMAN", 4)}),
        ("i. Must address", {("roman", 1), ("letter", 9)}),
        ("(a) Assisting with", {("(letter)", 1)}),
        ("b) Protecting", {("letter", 2)}),
        ("Art. IV. Procedure", {("art ROMAN", 4)}),
        ("Section 3 Scope", {("section digit", 3)}),
        ("aa. Twenty-seventh", {("letter", 27)}),
    ],
)
def test_one_component_labels_keep_every_reading(text: str, kinds: set[tuple[str, int]]) -> None:
    lab = parse_label(text)
    assert lab is not None and set(lab.candidates) == kinds


def test_label_glued_to_its_text_is_a_label() -> None:
    lab = parse_label("10.Whether the individual appears to be resisting")
    assert lab is not None and lab.candidates == (("digit", 10),)
    assert lab.rest.startswith("Whether")


def test_labels_over_999_parse() -> None:
    lab = parse_label("1000. The thousandth item.")
    assert lab is not None and lab.candidates == (("digit", 1000),)
    text = "\n".join(f"{n}. Item number {n} of the list." for n in range(995, 1006))
    assert len(segment_text(text).clauses) == 11


@pytest.mark.parametrize(
    "text",
    [
        "A school resource officer shall",
        "U.S. Constitution applies",
        "2.5 hours of training",
        "3.5% of the budget",
        "Sections 3 and 4 apply",
        "E.2., E.3., and E.4. below",
        "I am here",
    ],
)
def test_words_that_only_look_like_labels_are_text(text: str) -> None:
    assert parse_label(text) is None


def test_roman_numerals_are_strict() -> None:
    assert roman_value("xiv") == 14 and roman_value("MCM") == 1900
    assert roman_value("CIVIL") is None and roman_value("iiii") is None


@pytest.mark.parametrize(
    "glyph", ["\u2022", "\u25cf", "o", "\u25aa", "\u25a0", "\u25e6", "\u27a2", "-", "*"]
)
def test_bullet_glyphs_are_list_markers(glyph: str) -> None:
    assert BULLET_RE.match(f"{glyph} The SRO should")


def test_dotted_with_section_nests_by_prefix() -> None:
    text = (
        "417.3 DEFINITIONS\n\n417.3.A School: An elementary school.\n"
        "417.3.B Prone restraint: Placing a child face down.\n\n417.4 PROCEDURE\n\n"
        "417.4.A General requirements: The contract shall define duties.\n"
        "417.4.A.1 Additional issues. The contract between the parties:\n"
        "417.4.A.1.i Must address attire;\n417.4.A.1.ii Shall articulate the role.\n"
    )
    assert _refs(text) == [
        "417.3", "417.3.A", "417.3.B", "417.4", "417.4.A", "417.4.A.1",
        "417.4.A.1.i", "417.4.A.1.ii",
    ]  # fmt: skip


def test_section_paren_labels_nest_under_their_section() -> None:
    text = (
        "Section 4. PROCEDURE\n\nSection 4(A) General requirements: The contract shall.\n"
        "Section 4(A)(1) Additional issues. The contract between the parties:\n"
        "Section 4(A)(1)(i) Must address attire;\nSection 4(A)(2) A district may contract.\n"
        "Section 5. TRAINING\n\nSection 5(A) Every SRO completes the course.\n"
    )
    assert _refs(text) == ["4", "4.A", "4.A.1", "4.A.1.i", "4.A.2", "5", "5.A"]
    assert segment_text(text).by_ref()["4.A.1.i"].text == "Must address attire;"


def test_paragraph_sign_labels_nest_under_their_article() -> None:
    text = (
        "Art. IV. Procedure\n\n\u00a7 A General requirements: The contract shall.\n"
        "\u00a7 A(1) Additional issues. The contract between the parties:\n"
        "\u00a7 A(2) A district may contract.\n\u00a7 B Fostering a climate:\n"
    )
    assert _refs(text) == ["IV", "IV.A", "IV.A.1", "IV.A.2", "IV.B"]


def test_glued_labels_build_the_same_outline() -> None:
    spaced = "I. POLICY\n\nA. The purpose.\n1. First item.\n2. Second item.\nB. Next.\n"
    glued = "I.POLICY\n\nA.The purpose.\n1.First item.\n2.Second item.\nB.Next.\n"
    assert _refs(glued) == _refs(spaced) == ["I", "I.A", "I.A.1", "I.A.2", "I.B"]
    assert segment_text(glued).by_ref()["I.A.1"].text == "First item."


def test_path_label_inside_wrapped_text_stays_text() -> None:
    text = "G. Training\n1. Complete the training in paragraph\nIV.E.1. above by June.\n2. Next."
    assert _refs(text) == ["G", "G.1", "G.2"]


def test_outline_depth_of_a_thousand_does_not_recurse() -> None:
    text = "\n".join(f"{'1.' * (k + 1)} Level {k} text." for k in range(1000))
    tree = segment_text(text)
    assert len(tree.clauses) == 1000 and tree.clauses[-1].depth == 999


def test_label_parsing_is_linear() -> None:
    start = time.perf_counter()
    parse_label("1." * 50_000 + " text")
    parse_label("(" * 100_000)
    segment_text("[" * 100_000)
    assert time.perf_counter() - start < 2.0


def test_bare_path_label_before_lower_case_text() -> None:
    text = (
        "417.4 DUTIES\n\n417.4.A The duties include:\n417.4.A.1 fostering a positive climate;\n"
        "417.4.A.2 protecting students.\n"
    )
    assert _refs(text)[-2:] == ["417.4.A.1", "417.4.A.2"]
    assert parse_label("609.066 lower-case statute text") is None


def test_bold_label_before_its_text_is_a_label() -> None:
    text = (
        "## III. DEFINITIONS\n\n- **A.** **School:** An elementary school.\n"
        "- **B.** **Climate:** Safe.\n"
    )
    tree = segment_text(text)
    assert [c.ref for c in tree.clauses] == ["III", "III.A", "III.B"]
    assert tree.by_ref()["III.A"].heading == "School"
    assert tree.by_ref()["III.A"].text == "An elementary school."


def test_heading_bullet_holds_the_paragraphs_after_it() -> None:
    text = (
        "\u25cf PURPOSE\n\nThe purpose is safety.\n\n\u25cf USE OF FORCE\n\n"
        "SROs should use force rarely.\n\nSROs shall not restrain students.\n"
    )
    tree = segment_text(text)
    assert [c.ref for c in tree.clauses] == ["1", "1.1", "2", "2.1", "2.2"]
    assert tree.by_ref()["2"].heading == "USE OF FORCE"


def test_bullet_going_back_out_passes_a_lead_in() -> None:
    text = (
        "\u25cf DUTIES\n\nThe duties include:\n\n  o Fostering a climate.\n  o Enforcing laws.\n\n"
        "\u25cf HOURS\n\nSchedules follow the school year.\n"
    )
    refs = _refs(text)
    assert refs == ["1", "1.1", "1.1.1", "1.1.2", "2", "2.1"]


def test_bullet_ending_in_a_colon_leads_in_the_paragraph_after_it() -> None:
    text = "\u25cf Duties:\n\u25cf When school is not in session:\n\nThe SRO patrols.\n"
    assert _refs(text) == ["1", "2", "2.1"]


def test_i_before_ii_is_roman_and_i_after_h_a_letter() -> None:
    roman = "A. Lead:\ni. One.\nii. Two.\n"
    letters = "A. Lead:\n" + "".join(f"{c}. Item {c}.\n" for c in "abcdefghi")
    assert _refs(roman) == ["A", "A.i", "A.ii"]
    assert _refs(letters)[-2:] == ["A.h", "A.i"] and len(_refs(letters)) == 10


def test_letters_only_path_needs_dashes_and_a_roman_head() -> None:
    lab = parse_label("IV-A Procedure for contracts")
    assert lab is not None and lab.path == ("IV", "A")
    assert parse_label("X-ray machines are used") is None


def test_article_after_a_glued_number_is_text() -> None:
    lab = parse_label("2.A peace officer who has completed")
    assert lab is not None and lab.printed == "2." and lab.rest.startswith("A peace")
    glued = parse_label("1.fostering a positive climate;")
    assert glued is not None and glued.rest.startswith("fostering")


def test_relative_reference_resolves_through_path_tails() -> None:
    from analyzer.classify import xref_context

    text = (
        "417.3 DEFINITIONS\n\n417.3.A School: An elementary school, middle school or high "
        "school as defined in law.\n\n417.4 PROCEDURE\n\n417.4.E Training: The SRO shall "
        "complete the course.\n417.4.E.1 Every officer must complete training before duty.\n"
    )
    tree = segment_text(text)
    owners = [c.ref for c in tree.clauses]
    x = xref_context(tree, tree, owners, ["IV.E.1" if r.endswith("E.1") else None for r in owners])
    assert {"e.1", "4.e.1", "a"} <= x.doc_refs  # "paragraph E.1" names 417.4.E.1
    assert x.doc_topics["e.1"] == frozenset({"iv.e"})  # and is about what 417.4.E.1 is about


@pytest.mark.parametrize("text", ["(\u2460) The SRO shall attend.", "(\u00b2) footnote"])
def test_digits_that_are_no_decimal_number_are_no_label(text: str) -> None:
    # "\u2460" (circled one) and "\u00b2" (superscript two) are str.isdigit() but int() refuses
    # them: the label reader took them for a number and crashed with a traceback
    assert parse_label(text) is None
    assert segment_text(f"Policy\n\n{text}\n\n(\u2461) The SRO shall report.\n").clauses
