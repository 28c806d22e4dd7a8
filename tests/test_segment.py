"""Segmentation: the model outline exactly, recognizable corpus trees, and invariants."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.baselines import load_model
from analyzer.ingest import ingest
from analyzer.segment import (
    lines_from_text,
    list_marker_before_number,
    segment,
    segment_text,
    strip_noise,
)

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _outline(spec: dict[str, object], prefix: str = "") -> list[str]:
    out: list[str] = []
    for key, children in spec.items():
        ref = f"{prefix}.{key}" if prefix else key
        out.append(ref)
        if isinstance(children, dict):
            out.extend(_outline(children, ref))
    return out


def _items(*keys: str) -> dict[str, object]:
    return {k: None for k in keys}


# The POST model's outline, written out by hand from the attachment in seed 001.
POST_OUTLINE = {
    "I": {"1": None},
    "II": _items("1", "2", "3", "4", "5"),
    "III": _items(*"ABCDEFGH"),
    "IV": {
        "A": {"1": _items("i", "ii", "iii", "iv"), "2": None},
        "B": _items("1", "2", "3"),
        "C": _items("1", "2", "3"),
        "D": {"1": None, "2": _items("i", "ii", "iii", "iv", "v")},
        "E": {
            "1": None,
            "2": _items("i", "ii"),
            "3": {
                "1": _items("a"),
                **_items("2", "3"),
                "4": _items("a", "b", "c"),
                **_items("5", "6", "7"),
                "8": _items("a"),
                **_items("9", "10", "11", "12", "13", "14"),
            },
            "4": None,
            "5": None,
        },
        "F": _items("1", "2", "3"),
        "G": _items("1", "2", "3", "4", "5", "6"),
        "H": _items("1", "2"),
    },
}


def test_post_model_outline_is_exact() -> None:
    tree = load_model("post-sro").tree
    assert [c.ref for c in tree.clauses] == _outline(POST_OUTLINE)
    by_ref = tree.by_ref()
    assert by_ref["IV.G.3"].text.count("However, if an officer's employer") == 1
    assert by_ref["IV.H.2"].text.endswith("parts 1205.0100-1205.2000.")
    assert by_ref["IV.A"].heading == "General contractual requirements"
    assert by_ref["III.F"].heading == "Prone restraint"
    assert by_ref["IV.E.3.14"].text == "Any other exigent circumstances."
    assert by_ref["IV.E.4"].text.startswith("When a criminal incident")
    assert tree.title == "SCHOOL RESOURCE OFFICER MODEL POLICY"


def test_msba_model_outline() -> None:
    refs = [c.ref for c in load_model("msba-507.5").tree.clauses]
    assert refs == [
        "I", "I.1", "II", "II.1", "III", "III.A", "III.B", "IV", "IV.A",
        *[f"IV.A.{i}" for i in range(1, 8)], "IV.B", "IV.C", "IV.D",
        "V", "V.A", "V.B", "V.C", "V.D", "V.E",
    ]  # fmt: skip


HEADER_WORDS = re.compile(r"Policy Manual|Law Enforcement Policy|^School Resource Officer$")


def _no_header_text(name: str) -> list[str]:
    tree = segment(ingest(CORPUS / name))
    return [c.ref for c in tree.clauses if HEADER_WORDS.search(c.text) or "---" in c.text]


def test_hutchinson_tree() -> None:
    tree = segment(ingest(CORPUS / "hutchinson-pd-1003.txt"))
    by_ref = tree.by_ref()
    assert "1003.4.A.1.iv" in by_ref and "1003.4.E.3.14" in by_ref
    assert by_ref["1003.4.E.4"].text.startswith("When a criminal incident")
    assert by_ref["1003.4.F"].heading == "Arrest Considerations"
    assert by_ref["1003.2.5"].text.startswith("Nothing in this policy")
    assert _no_header_text("hutchinson-pd-1003.txt") == []
    assert "Hutchinson Police Department Policy Manual" in tree.noise


def test_lakeville_tree() -> None:
    tree = segment(ingest(CORPUS / "lakeville-pd-417.txt"))
    by_ref = tree.by_ref()
    assert tree.title == "Policy 417: School Resource Officer (SRO)"
    assert by_ref["417.6"].heading == "Use of Force"  # header glued to the heading is cut
    assert by_ref["417.10.1"].text.startswith("When school is not in session")
    # a paragraph split by a running page header comes back whole
    assert "but must review and comply with this policy." in by_ref["417.8.5"].text
    assert by_ref["417.8.5"].text.startswith("An officer who is serving as a substitute")
    assert _no_header_text("lakeville-pd-417.txt") == []


def test_attachment_becomes_subtree() -> None:
    tree = segment(ingest(CORPUS / "alexandria-pd-436.txt"))
    by_ref = tree.by_ref()
    assert by_ref["436.4.1"].heading == "SRO DUTY HOURS"
    assert by_ref["Attachment.IV.A.1.iv"].text.startswith("Shall establish a public notification")
    h2 = by_ref["Attachment.IV.H.2"].text
    assert "Minnesota Government Data Practices Act" in h2  # rejoined across the page break


def test_reference_lists_and_empty_items() -> None:
    tree = segment(ingest(CORPUS / "st-louis-park-isd283-507.5.txt"))
    by_ref = tree.by_ref()
    assert by_ref["IV.B"].text == ""  # printed as "B." with nothing after it
    assert by_ref["IV.E"].text.startswith("Any SRO operating")  # the list goes on after bullets
    refs = [c for c in tree.clauses if c.kind == "reference"]
    assert refs and refs[0].heading == "Legal References"


def test_label_styles() -> None:
    text = (
        "Section 1: Scope\n\nThis applies.\n\n(a) first item;\n(b) second item.\n\n"
        "Section 2: Duties\n\n1. The officer shall do one thing.\n   a) sub one\n2. Two."
    )
    refs = [c.ref for c in segment_text(text).clauses]
    assert refs == ["1", "1.1", "1.a", "1.b", "2", "2.1", "2.1.a", "2.2"]


def test_wrapped_label_like_words_stay_in_the_sentence() -> None:
    text = (
        "G. Training\n1. Complete the training under paragraph\n"
        "E.1. above before June 1, 2027.\n2. Next."
    )
    tree = segment_text(text)
    assert [c.ref for c in tree.clauses] == ["G", "G.1", "G.2"]
    assert tree.by_ref()["G.1"].text.endswith("E.1. above before June 1, 2027.")


def _alnum(text: str) -> str:
    return "".join(re.findall(r"[A-Za-z0-9]", text))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                ["I. POLICY", "A. Heading:", "1. Item one.", "i. sub", "- bullet text", "(a) x",
                 "## Title", "Page 3 of 7", "Police Department", "436.2 SECTION", "", "", "---"]
            ),
            st.text(alphabet="abcXYZ019 .:;-()#*\t", max_size=40),
        ),
        max_size=40,
    )
)  # fmt: skip
def test_every_body_character_lands_in_exactly_one_clause(parts: list[str]) -> None:
    text = "\n".join(parts)
    lines = lines_from_text(text)
    kept, _ = strip_noise(lines)
    tree = segment_text(text)
    pieces = list(tree.front_matter)
    for c in tree.clauses:
        pieces += [c.label, c.heading, c.text]
    # the one markup with letters or digits: "1." of "1. 1.1. Access" (see the fixture below)
    read = [line.text.lstrip() for line in kept]
    read = [t[len(list_marker_before_number(t) or "") :] for t in read]
    assert _alnum(" ".join(pieces)) == _alnum(" ".join(read))
    refs = [c.ref for c in tree.clauses]
    assert len(refs) == len(set(refs))
    for c in tree.clauses:
        assert c.location.line <= c.location.end_line or c.location.page < c.location.end_page


def test_list_marker_is_markup_only_before_a_printed_outline_number() -> None:
    """ "1. 1.1. Access" is clause 1.1 (the Markdown list marker is markup), but a label that is
    no Markdown list marker, or a printed label that is no outline number, is kept."""
    got = {
        text: [(c.label, c.text) for c in segment_text(text).clauses]
        for text in ("1. 1.1. Access", "2) 3.4 Go", "0:X-0", "1: 1.1. Access", "3. X-0 text")
    }
    assert got == {
        "1. 1.1. Access": [("1.1.", "Access")],
        "2) 3.4 Go": [("3.4", "Go")],
        "0:X-0": [("0:", "X-0")],
        "1: 1.1. Access": [("1:", "1.1. Access")],
        "3. X-0 text": [("3.", "X-0 text")],
    }


def test_opening_quote_starts_the_next_sentence() -> None:
    from analyzer.context import default_context
    from analyzer.sentences import split_sentences

    (sents,) = split_sentences(
        ["subdivisions 9, 11 and 13. \u201cSchool officer\u201d means a peace officer."],
        abbreviations=default_context().lexicon.abbreviations,
    )
    assert sents == (
        "subdivisions 9, 11 and 13.",
        "\u201cSchool officer\u201d means a peace officer.",
    )


def test_bold_run_in_heading_starts_a_paragraph() -> None:
    text = (
        "DEFINITIONS\n\n**School:** An elementary school, middle school, or secondary school, "
        "as defined in section 120A.05.\n"
        "**Positive School Climate:** A school environment that makes students feel safe, "
        "supported and welcome.\n"
    )
    tree = segment_text(text)
    assert [c.heading for c in tree.clauses][-2:] == ["School", "Positive School Climate"]


def test_indented_unlabelled_items_are_clauses() -> None:
    text = (
        "The contract between the parties shall define the duties of the officer as follows:\n"
        "    Must address a mutually agreed upon policy regarding the use of plain clothes;\n"
        "    Shall articulate the role, if any, of the school district in the selection;\n"
        "A school district may contract for additional duties to those described above.\n"
    )
    assert len(segment_text(text).clauses) == 4


def test_a_number_before_a_bullet_is_a_label_not_part_of_the_bullet() -> None:
    """'1) - text': the '1)' is kept (as the label), only a doubled bullet is one bullet."""
    tree = segment_text("1) - The SRO shall act.\n2) - The SRO shall report.")
    assert [c.label for c in tree.clauses] == ["1)", "2)"]
    doubled = segment_text("\u2022 \u25cf The SRO shall act.")
    assert doubled.clauses[0].text.startswith("The SRO")
