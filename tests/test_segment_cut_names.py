"""A hard-wrapped sentence cut inside a capitalised name ("... on Business" / "Days.") is one
paragraph, though the next line starts with a capital; a heading (title-shaped, or a Markdown
heading) and a finished sentence still end theirs."""

from __future__ import annotations

from analyzer.furniture import cut_in_name
from analyzer.segment import segment_text

# Paragraphs one per line (too wide to be hard-wrapped), so every line is "short" and only
# the shape of the line says whether it ends its paragraph.
WIDE = (
    "1.1 The Supplier shall deliver every report to the Client within the time set out in the "
    "Schedule, and the Client shall review each report within ten days of receiving it."
)


def _texts(text: str) -> list[str]:
    tree = segment_text(text)
    return [
        *tree.front_matter,
        *(" ".join(p for p in (c.heading, c.text) if p) for c in tree.clauses),
    ]


def test_sentence_cut_inside_a_name_is_one_paragraph() -> None:
    text = f"{WIDE}\n\n1.2 The Supplier shall provide support by email on Business\nDays.\n"
    assert "The Supplier shall provide support by email on Business Days." in _texts(text)


def test_front_matter_sentence_cut_inside_a_name_is_one_line() -> None:
    lines = "This Agreement is made between Acme Ltd and Beta\nRetail plc."
    text = f"Master Agreement\n\n{lines}\n\n{WIDE}\n"
    assert "This Agreement is made between Acme Ltd and Beta Retail plc." in _texts(text)


def test_title_shaped_heading_still_ends_its_paragraph() -> None:
    text = f"{WIDE}\n\n2. Cooperation with the School District\nThe SRO shall meet the principal.\n"
    texts = _texts(text)
    assert not any("District The SRO" in t for t in texts)


def test_markdown_heading_still_ends_its_paragraph() -> None:
    text = f"{WIDE}\n\n## Data requests made by the Board\nThe SRO shall keep records.\n"
    assert not any("Board The SRO" in t for t in _texts(text))


def test_cut_in_name_needs_a_sentence_an_open_end_and_a_capital() -> None:
    assert cut_in_name("7.1 Each party shall keep the other party's Confidential")
    assert cut_in_name("This Agreement is made between Acme Analytics Ltd and Beta")
    assert not cut_in_name("Adopted by the Board of Education")  # title-shaped
    assert not cut_in_name("Training required by the POST Board")  # one lower-case word
    assert not cut_in_name("The SRO shall report to the Principal.")  # finished
    assert not cut_in_name("Use non-threatening nonverbal communication")  # lower-case end
    # an unpunctuated list item that ends on a citation or an acronym in parentheses
    assert not cut_in_name(
        "The availability of other options and their effect (Minn. Stat. 626.8452)"
    )
    assert not cut_in_name("The SRO shall report every use of force to the (SRO)")
