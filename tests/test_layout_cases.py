"""Reading cases found by the layout-invariance harness, one small fixture each.

Each test is named after the layout it reads and fails if the rule that handles it goes.
"""

from __future__ import annotations

from analyzer.classify import classify, xref_context
from analyzer.detectors import XrefContext
from analyzer.furniture import strip
from analyzer.layout import text_paragraphs
from analyzer.model import Line
from analyzer.normalize import build_normalizer
from analyzer.pair import pair, side
from analyzer.segment import lines_from_text, segment_text


def _tree(text: str) -> dict[str, str]:
    """ref -> heading or text of each clause."""
    return {c.ref: c.heading or c.text for c in segment_text(text).clauses}


def _lines(text: str) -> list[Line]:
    return list(lines_from_text(text))


# ---------------------------------------------------------------- outline refs


def test_unlabelled_header_between_sections_yields_the_section_its_ref() -> None:
    # a running header left in the text sits between "1." and "2.": its position (2)
    # must not take the ref of the section labelled 2 (which became "2~2")
    tree = _tree(
        "1. PURPOSE\n\nThe purpose is to guide officers.\n\n"
        "Alexandria Police Department\n\n"
        "2. USE OF FORCE\n\nSROs shall not use force to enforce school rules.\n"
    )
    assert tree["2"] == "USE OF FORCE"
    assert "2~2" not in tree


# ---------------------------------------------------------------- bullets


WORD_BULLETS = (
    "\u25cf CONTRACTUAL DUTIES\n\n"
    "  o Any contract will align the duties with the statute.\n"
    "  o Officers must not enforce school rules.\n\n"
    "Any contract for an SRO program will also include:\n\n"
    "- Making the buildings available for training.\n"
    "- Providing a confidential workspace.\n\n"
    "  o Officers will comply with district policies.\n"
)


def test_word_bullets_o_list_resumes_after_a_dash_list_under_a_lead_in() -> None:
    clauses = {c.ref: c for c in segment_text(WORD_BULLETS).clauses}
    leadin = next(c for c in clauses.values() if c.text.startswith("Any contract for an SRO"))
    dashes = [c for c in clauses.values() if c.text.startswith(("Making", "Providing"))]
    assert all(c.parent == leadin.ref for c in dashes)  # the lead-in holds the "-" list
    last = next(c for c in clauses.values() if c.text.startswith("Officers will comply"))
    first = next(c for c in clauses.values() if c.text.startswith("Any contract will align"))
    assert last.parent == first.parent  # the "o" list goes on after it


def test_a_bullet_glyph_alone_on_its_line_is_an_empty_item() -> None:
    tree = _tree("\u25cf DUTIES\n\n  o First duty of the officer.\n\n  o \n\n  o Third duty.\n")
    assert "o" not in tree.values()
    assert "" in tree.values()


# ---------------------------------------------------------------- blocks


def test_short_item_ending_in_a_semicolon_ends_before_a_lower_case_item() -> None:
    long = "The duties of the officer include the following, in partnership with the schools " * 3
    text = (
        f"DUTIES\n\n{long.strip()}:\n"
        " fostering a positive school climate;\n"
        " serving as a liaison to school officials;\n"
        " providing advice on safety drills.\n"
    )
    texts = list(_tree(text).values())
    assert "serving as a liaison to school officials;" in texts
    assert any(t.startswith("fostering") and "serving" not in t for t in texts)


def test_paragraph_per_line_text_ends_a_paragraph_at_every_line() -> None:
    definition = "means a peace officer who is assigned to work in a school " * 3
    text = (
        "DEFINITIONS\n\n"
        f"School resource officer: A licensed officer who {definition.strip()}.\n"
        "Positive School Climate: A school environment that makes students feel safe.\n"
        f"De-escalation: Refers to the methods used to decrease a conflict {definition.strip()}.\n"
        f"Custodial arrest: A custodial arrest is the actual restraint {definition.strip()}.\n"
    )
    heads = [c.heading for c in segment_text(text).clauses]
    assert "Positive School Climate" in heads


def test_list_closed_by_a_period_does_not_hold_the_next_paragraph() -> None:
    text = (
        "Policy 507\n\nI. PURPOSE\n\nThe purpose of the policy.\n\nII. CONTRACTUAL DUTIES\n\n"
        "The duties of the officer include:\n"
        " fostering a positive school climate;\n"
        " serving as a liaison; and\n"
        " enforcement of criminal laws.\n\n"
        "Any officer must not use force solely to enforce school rules.\n"
    )
    clauses = segment_text(text).clauses
    leadin = next(c for c in clauses if c.text.startswith("The duties"))
    rule = next(c for c in clauses if c.text.startswith("Any officer"))
    assert rule.parent == leadin.parent


def test_title_cased_line_ending_in_a_colon_over_a_paragraph_is_a_heading() -> None:
    text = (
        "DUTIES\n\nThe officer serves the schools.\n\n"
        "When School is not in session:\n\n"
        "When school is not in session, the SRO will perform duties as assigned.\n"
    )
    clauses = segment_text(text).clauses
    assert any(c.heading == "When School is not in session" and not c.text for c in clauses)


# ---------------------------------------------------------------- furniture


def test_numbered_running_title_beside_page_numbers_is_removed() -> None:
    body = [f"Sentence {k} of the policy says what the officer does." for k in range(8)]
    text = "\n".join(
        [
            "507.5 SCHOOL RESOURCE OFFICERS",
            "",
            *body[:4],
            "",
            "507.5 SCHOOL RESOURCE OFFICERS",
            "Page 1 of 2",
            *body[4:],
            "",
            "507.5 SCHOOL RESOURCE OFFICERS",
            "Page 2 of 2",
        ]
    )
    kept, removed = strip(_lines(text))
    assert [r.text for r in removed].count("507.5 SCHOOL RESOURCE OFFICERS") == 2
    assert kept[0].text == "507.5 SCHOOL RESOURCE OFFICERS"  # the title stays


def test_citation_cut_by_a_page_footer_rejoins_before_a_number() -> None:
    body = "".join(f"Sentence {k} of the policy says what the officer does.\n" for k in range(6))
    text = (
        f"{body}\nThe SRO shall review this policy before assuming duties (Minn. Stat. \u00a7\n\n"
        "School Resource Officers\nPage 3 of 9\n"
        f"626.8482, Subd. 3(c)).\n\n{body}\n"
        f"School Resource Officers\nPage 4 of 9\n\n{body}\n"
        "School Resource Officers\nPage 5 of 9\n"
    )
    kept, _ = strip(_lines(text))
    texts = [line.text for line in kept]
    at = texts.index("626.8482, Subd. 3(c)).")
    assert texts[at - 1].endswith("\u00a7")  # no break between the two halves


def test_wrapped_list_item_then_next_label_is_not_glued() -> None:
    items = [
        "A. A school resource officer's contractual duties with the school district",
        "shall include:",
        "1. Fostering a positive school climate through relationship building and",
        "open communication;",
        "5. Identifying vulnerabilities in school facilities and safety protocols;",
        "6. Educating and advising students and staff on law enforcement topics; and",
        "7. Enforcement of criminal laws.",
        "B. The school district may contract with a school resource officer's",
        "employer for the officer to perform additional duties to those described.",
    ]
    out = [line.text for line in text_paragraphs(_lines("\n".join(items)))]
    assert "7. Enforcement of criminal laws." in out


# ---------------------------------------------------------------- pairing


def _pairing(model: str, doc: str):  # type: ignore[no-untyped-def]
    norm = build_normalizer(None, doc)
    return pair(side(segment_text(model), norm), side(segment_text(doc), norm))


MODEL = (
    "I. USE OF FORCE\n\n"
    "A. SRO use of force is governed by the statutes on authorized force.\n"
    "B. Specific tactics and strategies to minimize uses of force or prone restraint of "
    "students.\n"
    "C. Officers shall render aid to any student after any use of force.\n"
)


def test_unlabelled_paragraph_rewritten_in_place_under_the_same_heading_pairs() -> None:
    doc = (
        "Policy 436\n\nPURPOSE\n\nThis policy guides officers.\n\nUSE OF FORCE\n\n"
        "Officers shall not use physical holds to enforce school rules or policies.\n\n"
        "SROs shall not use force or their authority solely to enforce school rules or "
        "minimize holds of students.\n\n"
        "Officers shall render aid to any student after any use of force.\n"
    )
    got = _pairing(MODEL, doc)
    assert "I.B" in got.structural


def test_position_pairing_rejected_when_a_neighbour_sits_elsewhere() -> None:
    # C matched the 1st paragraph, so the 2nd paragraph cannot be B (which comes before C)
    doc = (
        "Policy 436\n\nPURPOSE\n\nThis policy guides officers.\n\nUSE OF FORCE\n\n"
        "Officers shall render aid to any student after any use of force.\n\n"
        "SROs shall not use force or their authority solely to enforce school rules or "
        "minimize holds of students.\n"
    )
    got = _pairing(MODEL, doc)
    assert "I.B" not in got.structural


# ---------------------------------------------------------------- cross-references


def test_relative_reference_in_a_document_without_labels_is_renumbered_not_dangling() -> None:
    doc = segment_text("PROCEDURE\n\nThe district may ask for duties described in paragraph A.\n")
    ctx = xref_context(doc, segment_text(MODEL), [], [])
    assert not ctx.doc_refs  # nothing printed that a reference could miss


def test_relative_reference_resolves_from_the_provision() -> None:
    # "paragraph A" inside IV.A.2 names IV.A: the reference was shortened, not changed
    a = "Duties in addition to those described in paragraph IV.A."
    b = "Duties in addition to those described in paragraph A."
    x = XrefContext(frozenset(), {}, frozenset({"iv", "iv.a", "iv.a.2"}), "IV.A.2")
    result = classify(a, b, build_normalizer(None, b), xref=x)
    xrefs = [c for c in result.changes if c.category.value == "cross-reference"]
    assert xrefs and not any(c.substantive for c in xrefs)


def test_unwrapped_item_ending_in_a_comma_ends_before_a_capitalised_line() -> None:
    # one paragraph per line (no hard wrap): "... as soon as possible," ends its item
    long = "Officers shall assess the condition of the student and render aid as needed " * 3
    text = (
        "USE OF FORCE\n\nThe tactics include:\n"
        f"{long.strip()} as soon as possible,\n"
        "Additional considerations for officers using force in a school should include:\n"
        "Immediacy and severity of the threat to officers or others.\n"
    )
    texts = [c.text for c in segment_text("Policy\n\n" + text).clauses]
    assert any(t.startswith("Additional considerations") for t in texts)


# ---------------------------------------------------------------- the label scheme


def _readings(*labels: str) -> list[str]:
    from analyzer.label_path import best_readings
    from analyzer.labels import parse_label

    parsed = [parse_label(f"{label} text") for label in labels]
    cands = [p.candidates for p in parsed if p is not None]
    return [c[r][0] for c, (r, _) in zip(cands, best_readings(cands), strict=True)]


def test_i_after_h_is_a_letter_and_i_before_ii_is_roman() -> None:
    assert _readings("g.", "h.", "i.", "j.")[2] == "letter"
    assert _readings("1.", "i.", "ii.", "2.")[1] == "roman"
    assert _readings("h.", "i.", "ii.")[1:] == ["roman", "roman"]  # h's list was over


def test_v_and_x_settled_by_the_list_they_continue() -> None:
    assert _readings("i.", "ii.", "iii.", "iv.", "v.")[-1] == "roman"
    assert _readings("t.", "u.", "v.", "w.")[2] == "letter"
    assert _readings("I.", "A.", "B.", "C.", "II.")[3] == "LETTER"


def test_label_scheme_of_twenty_thousand_items_is_linear() -> None:
    import time

    from analyzer.label_path import best_readings

    cands = [(("digit", k),) for k in range(1, 20_001)]
    start = time.process_time()
    out = best_readings(cands)
    assert time.process_time() - start < 3.0
    assert all(continued for _, continued in out[:-1]) and not out[-1][1]


def test_page_footer_between_dashed_items_keeps_the_next_label() -> None:
    body = "".join(f"Sentence {k} of the policy says what the officer does.\n" for k in range(7))
    footer = (
        "\nCopyright Lexipol, LLC 2025/01/15, All Rights Reserved.\n"
        "Published with permission by Duluth Police Department\n\n"
    )
    text = (
        f"{body}\nIV-E-3-i-a Potential for injury to officers, students, and others\n"
        f"{footer}IV-E-3-ii The conduct of the individual being confronted.\n\n{body}{footer}"
    )
    kept, _ = strip(_lines(text))
    texts = [line.text for line in kept]
    at = texts.index("IV-E-3-ii The conduct of the individual being confronted.")
    assert texts[at - 1] == ""  # the break before the next item stays


def test_short_unlabelled_items_after_an_open_paragraph_stand_on_their_own() -> None:
    long = "Officers shall assess the condition of the student and render aid as needed " * 2
    text = (
        "Policy\n\nDE-ESCALATION\n\nTactics include:\n\n"
        f"{long.strip()} as soon as possible,\n\n"
        "Respect personal space\n\nAvoid challenging questions\n"
    )
    texts = [c.text for c in segment_text(text).clauses]
    assert "Respect personal space" in texts
