"""Page furniture (analyzer.furniture) and the text reading model (analyzer.layout), one case each.

Each fixture is generated here and named after the case it covers; each test fails when its
rule is deleted.
"""

from __future__ import annotations

from analyzer import furniture, layout
from analyzer.api import audit_text
from analyzer.ingest import ingest_text
from analyzer.model import Line

BODY = (
    "The SRO shall foster a positive school climate through relationship building and open\n"
    "communication with students, staff, parents and the wider school community at large.\n"
)


def _lines(text: str) -> list[Line]:
    return [Line(t, 1, i) for i, t in enumerate(text.split("\n"), start=1)]


def _texts(text: str) -> list[str]:
    return [line.text for line in ingest_text(text).lines]


def test_signed_contract_line_that_recurs_is_kept() -> None:
    """A wrapped paragraph's first line recurs twice next to a blank line: it is a sentence."""
    para = (
        "The signed contract between the Lakeville Police Department and\n"
        "impacted schools shall define the duties of the SRO in compliance with law.\n"
    )
    text = f"Title\n\n{para}\nOther words here in a paragraph.\n\n{para}\n{BODY}"
    doc = ingest_text(text)
    first = "The signed contract between the Lakeville Police Department and"
    assert [x.text for x in doc.lines].count(first) == 2
    assert doc.removed_lines == ()


def test_paragraph_first_line_ending_in_a_noun_recurs_and_is_kept() -> None:
    para = (
        "When a criminal incident also involves a violation of school\n"
        "rules, SROs should consider referral of the matter to school authorities.\n"
    )
    text = f"Title\n\n{para}\n{BODY}\n{para}\n{BODY}\n\f{para}"
    assert _texts(text).count("When a criminal incident also involves a violation of school") == 3


def test_lexipol_footer_removed_and_listed_with_reasons() -> None:
    footer = (
        "Copyright Lexipol, LLC 2025/01/15, All Rights Reserved.\n"
        "Published with permission by Hutchinson Police Department\n"
        "Policy 1003 - School Resource Officer - {n}\n"
    )
    text = f"Title\n\n{BODY}\n{footer.format(n=1)}\f{BODY}\n{footer.format(n=2)}"
    doc = ingest_text(text)
    assert not any("Lexipol" in x.text or "permission" in x.text for x in doc.lines)
    assert [(r.text[:20], r.reason) for r in doc.removed_lines] == [
        ("Copyright Lexipol, L", "boilerplate"),
        ("Published with permi", "boilerplate"),
        ("Policy 1003 - School", "boilerplate"),
    ] * 2


def test_page_of_footer_inside_a_paragraph_rejoins_it() -> None:
    text = (
        "Title\n\nThe school district and the law enforcement agency shall\n\n"
        "Page 3 of 9\n\nagree on the duties of the school resource officer in writing.\n"
    )
    doc = ingest_text(text)
    assert [x.text for x in doc.lines] == [
        "Title",
        "",
        "The school district and the law enforcement agency shall",
        "agree on the duties of the school resource officer in writing.",
    ]
    assert [(r.text, r.reason) for r in doc.removed_lines] == [("Page 3 of 9", "page-number")]


def test_district_page_footer_507_5_removed() -> None:
    text = f"Title\n\n{BODY}\n507.5-3\n\n{BODY}\n507.5-4\n"
    assert "507.5-3" not in _texts(text) and "507.5-4" not in _texts(text)


def test_footer_pattern_inside_a_sentence_is_kept() -> None:
    """A boilerplate-shaped line the previous line runs into belongs to the sentence."""
    lines = _lines("The SRO will follow\npolicy 12 - the school handbook - 4\nat all times.")
    assert furniture.find(lines) == {}


def test_running_header_glued_to_a_heading_is_cut_off() -> None:
    header = "Lakeville Police Department\n\nPolicy Manual\n\n"
    text = (
        f"Title\n\n{header}{BODY}\n{header}{BODY}\n{header}"
        "Policy Manual **Order 417.6 Use of Force**\n\nSRO use of force is governed by law.\n"
    )
    doc = ingest_text(text)
    assert "**Order 417.6 Use of Force**" in [x.text for x in doc.lines]


def test_a_list_of_like_lines_is_not_a_running_header() -> None:
    items = "".join(f"\nStep {n} of the review\n" for n in range(1, 5))
    assert _texts(f"Title\n\n{BODY}{items}\n{BODY}").count("Step 2 of the review") == 1


def test_recurring_markdown_rule_removed() -> None:
    assert [r.reason for r in ingest_text(f"Title\n\n{BODY}\n---\n\n{BODY}").removed_lines] == [
        "rule"
    ]


def test_removed_lines_in_the_audit_json() -> None:
    text = f"Title\n\n{BODY}\nPage 1 of 2\n\f{BODY}\nPage 2 of 2\n"
    data = audit_text(text)
    assert data["document"]["removed_lines"] == [
        {"text": "Page 1 of 2", "page": 1, "line": 6, "reason": "page-number"},
        {"text": "Page 2 of 2", "page": 2, "line": 4, "reason": "page-number"},
    ]


# ---------------------------------------------------------------- text reading model


def test_hyphen_after_kept_prefix_stays_de_escalation() -> None:
    out = layout.repair_hyphens(_lines("use de-\nescalation techniques"))
    assert out[0].text == "use de-escalation"


def test_hyphen_inside_a_word_goes_enforce_ment() -> None:
    out = layout.repair_hyphens(_lines("law enforce-\nment agency"))
    assert [x.text for x in out] == ["law enforcement", "agency"]


def test_hyphen_follows_the_documents_own_spelling() -> None:
    """'de-' before a consonant is joined unless the document spells the word hyphenated."""
    assert layout.repair_hyphens(_lines("we de-\ntermine it"))[0].text == "we determine"
    hyphened = _lines("a de-\nbriefing\nthe de-briefing")
    assert layout.repair_hyphens(hyphened)[0].text == "a de-briefing"


def test_hard_wrapped_text_breaks_where_the_next_word_would_fit() -> None:
    para = (
        "The school resource officer shall foster a positive climate in the school and\n"
        "shall build relationships with the students.\n"
    )
    text = f"Title\n\n{para}{para}{para}{para}"
    texts = _texts(text)
    assert texts.count("") == 4  # a break after each paragraph, none inside


def test_wrapped_statute_number_is_not_read_as_a_label() -> None:
    para = (
        "This policy describes the duties of the school resource officer under Minn.\n"
        "Stat. 626.8482 and the duties of the school district under the statute too.\n"
        "The program follows the model policy of the state board (Minn. Stat. section\n"
        "626.8482). It is reviewed every year by the school board and the agency.\n"
    )
    texts = _texts(f"Title\n\n{para}\n{para}")
    assert not any(t.startswith(("Stat.", "626.8482")) for t in texts)
    assert any("officer under Minn. Stat. 626.8482 and the duties" in t for t in texts)


def test_page_break_with_hanging_indent_continues_the_item() -> None:
    text = (
        "Title\n\n1.  The SRO shall complete the training course approved by the board\n"
        "    before assuming the duties of a school resource officer in the\n\n"
        "Page 1 of 2\n\f"
        "    school district, and every three years after that.\n"
    )
    texts = _texts(text)
    assert "" not in texts[2:]
