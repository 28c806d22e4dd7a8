"""How ``compare`` pairs clauses in the hard cases of the houfu/redlines benchmark, each a small
fixture named after its case: near-identical siblings renumbered around an inserted item, a
run of identical paragraphs, a paragraph wrapped mid-phrase."""

from __future__ import annotations

import numpy as np

from analyzer.align import in_order
from analyzer.compare import compare_documents
from analyzer.ingest import ingest_text

ITEMS = [
    "The Supplier shall acknowledge a priority {} incident within {} and shall restore the "
    "Services within {}.".format(*parts)
    for parts in (
        ("1", "thirty minutes", "four hours"),
        ("2", "one hour", "eight hours"),
        ("3", "four hours", "two Business Days"),
        ("4", "one Business Day", "five Business Days"),
    )
]
PAYMENT = (
    "The Buyer shall pay the sum of five thousand dollars to the Seller on the first business "
    "day of each calendar month, and any late payment shall accrue interest at the rate of two "
    "percent per month until the outstanding amount is paid in full."
)


def _pairs(old: str, new: str) -> dict[str, str | None]:
    data = compare_documents(ingest_text(old, path="old.txt"), ingest_text(new, path="new.txt"))
    return {r["old_ref"]: r["new_ref"] for r in data["clauses"] if r["old_ref"]}


def _numbered(items: list[str], start: int = 1) -> str:
    lines = ["# Schedule 2. Service Levels", ""]
    for k, text in enumerate(items, start):
        lines += [f"{k}. {text}", ""]
    return "\n".join(lines)


def test_renumbered_siblings_with_an_item_inserted_pair_by_content() -> None:
    """An item inserted at the top renumbers near-identical siblings: each old item pairs with
    its own text (now one number higher), not with the sibling that kept its number."""
    new_first = "The Supplier shall keep records of each incident and of how it was resolved."
    pairs = _pairs(_numbered(ITEMS), _numbered([new_first, *ITEMS]))
    assert [pairs[str(k)] for k in range(1, 5)] == ["2", "3", "4", "5"]


def test_run_of_identical_paragraphs_pairs_in_order() -> None:
    """Twelve identical paragraphs, one edited in place and one deleted: the edited one pairs
    in place and every other pairs in order (no crossing pairs, so no false moves)."""
    old = [PAYMENT] * 12
    new = [PAYMENT] * 12
    new[4] = PAYMENT.replace("five thousand", "seven thousand")
    del new[8]
    data = compare_documents(
        ingest_text("\n\n".join(old), path="old.txt"), ingest_text("\n\n".join(new), path="new.txt")
    )
    pairs = {r["old_ref"]: r["new_ref"] for r in data["clauses"] if r["old_ref"]}
    assert pairs["5"] == "5"
    matched = [(int(o), int(n)) for o, n in pairs.items() if n]
    assert matched == sorted(matched) and sorted(n for _, n in matched) == list(range(1, 12))
    assert not data["moves"]


def test_in_order_takes_the_heaviest_order_preserving_pairs() -> None:
    """Identical rows: the pairs run in order, a gap where a row is missing (row 2 of the
    new side was deleted), never the crossing pair that scores the same."""
    score = np.full((4, 3), 100.0)
    score[1, :] = [95.0, 40.0, 40.0]
    pairs = in_order(score, 90.0)
    assert len(pairs) == 3
    assert all(a < b and c < d for (a, c), (b, d) in zip(pairs, pairs[1:], strict=False))


def test_wrapped_paragraph_ending_mid_phrase_stays_one_clause() -> None:
    """A paragraph hard-wrapped after "to the" among long unwrapped ones is one clause: a
    short line that runs on never ends its paragraph."""
    wrapped = PAYMENT.replace("to the Seller", "to the\nSeller")
    data = compare_documents(
        ingest_text("\n\n".join([PAYMENT] * 6), path="old.txt"),
        ingest_text(
            "\n\n".join([PAYMENT, PAYMENT, wrapped, PAYMENT, PAYMENT, PAYMENT]), path="n.txt"
        ),
    )
    assert data["new"]["clauses"] == 6
    assert all(r["status"] == "unchanged" for r in data["clauses"])


DRAFT = """# Master Services Agreement

This Agreement is made between Acme Analytics Ltd and Beta Retail plc.

## 1. Definitions

1.1 "Services" means the hosting services described in Schedule 1.

1.2 "Term" means the period set out in clause 4.

## 2. Charges

2.1 The Client shall pay each invoice within thirty days of receipt.

## Schedule 1

Notes

The Supplier shall host the platform.

## Schedule 2

Notes

The Supplier shall answer support questions by email.
"""


def _outline(old: str, new: str) -> list[tuple[str | None, str | None, str]]:
    data = compare_documents(ingest_text(old, path="old.md"), ingest_text(new, path="new.md"))
    return [(r["old_ref"], r["new_ref"], r["status"]) for r in data["outline"]]


def test_title_preamble_and_headings_are_paired_as_outline_rows() -> None:
    """Paragraphs with no sentence of their own are rows too: the title and preamble line by
    line, a renamed heading through its children's partners."""
    new = DRAFT.replace("## 1. Definitions", "## 1. Definitions and Interpretation")
    new = new.replace("Beta Retail plc.", "Beta Retail plc. It is governed by English law.")
    rows = _outline(DRAFT, new)
    assert ("\u00a7front0", "\u00a7front0", "unchanged") in rows
    heading = [r for r in rows if r[0] == "1"]
    assert len(heading) == 1 and heading[0][1] is not None and heading[0][2] == "edited"
    assert any(o == "\u00a7front1" and n is not None for o, n, _ in rows)
    assert all(s != "deleted" and s != "inserted" for _, _, s in rows)


def test_repeated_headings_pair_with_the_copy_in_place() -> None:
    """Two "Notes" headings, the first schedule deleted: the remaining "Notes" pairs with the
    copy under Schedule 2 (same text, in order), not with the first free copy."""
    cut = DRAFT.index("## Schedule 1")
    new = DRAFT[:cut] + DRAFT[DRAFT.index("## Schedule 2") :]
    data = compare_documents(ingest_text(DRAFT, path="old.md"), ingest_text(new, path="new.md"))
    notes = {r["old_ref"]: r["new_ref"] for r in data["outline"] if r["old_text"] == "Notes"}
    assert list(notes.values()).count(None) == 1
    kept = [o for o, n in notes.items() if n]
    old_refs = [r["old_ref"] for r in data["outline"] if r["old_text"] == "Notes"]
    assert kept == [old_refs[-1]]


def test_markdown_heading_in_sentence_case_is_a_heading() -> None:
    """'## Alternatives considered' is a heading (the author marked it), not a clause of text."""
    from analyzer.segment import segment_text

    tree = segment_text(
        "# Release notes\n\n## Decision\n\nWe ship the release on Monday.\n\n"
        "## Alternatives considered\n\nWe considered shipping on Friday.\n"
    )
    heads = [c.heading for c in tree.clauses if c.heading]
    assert heads == ["Decision", "Alternatives considered"]


TABLE = """# Schedule 1. The Services

The Supplier shall deliver the Deliverables set out below by the dates shown.

| Deliverable | Due by | Owner |
| --- | --- | --- |
| Onboarding plan | Week 2 | Supplier |
| Data migration | Week 6 | Supplier |
| Go-live sign-off | Week 10 | Client |
"""


def test_markdown_table_rows_are_clauses_and_pair_row_by_row() -> None:
    """A pipe table is read row by row (its alignment row is markup, not text), so a row
    inserted into it leaves every other row paired with its own text."""
    from analyzer.segment import segment_text

    rows = [c.text for c in segment_text(TABLE).clauses if "|" in c.text]
    assert rows == [
        "Deliverable | Due by | Owner",
        "Onboarding plan | Week 2 | Supplier",
        "Data migration | Week 6 | Supplier",
        "Go-live sign-off | Week 10 | Client",
    ]
    new = TABLE.replace("| Data migration", "| Test report | Week 8 | Supplier |\n| Data migration")
    data = compare_documents(ingest_text(TABLE, path="old.md"), ingest_text(new, path="new.md"))
    by_text = {r["old_text"]: (r["new_text"], r["status"]) for r in data["clauses"] if r["old_ref"]}
    assert by_text["Data migration | Week 6 | Supplier"] == (
        "Data migration | Week 6 | Supplier",
        "unchanged",
    )
    assert [r["new_text"] for r in data["clauses"] if r["status"] == "inserted"] == [
        "Test report | Week 8 | Supplier"
    ]


SECTIONS = """# Release Policy

## 1. Alpha

The team ships a release candidate every second Tuesday of the month.

The release manager signs off every release candidate before it ships.

## 2. Beta

A failed release is rolled back within one hour of the first report.

## 3. Gamma

Every incident is written up within five working days of its close.
"""


def test_a_paragraph_moved_into_another_section_is_the_move_not_the_heading() -> None:
    """The Beta paragraph moved up into Alpha: it swapped places with the Beta heading, and
    the one that changed section (the paragraph) is the move; Beta, whose heading stayed in
    place, is not reported as a moved section."""
    text = "A failed release is rolled back within one hour of the first report.\n\n"
    new = SECTIONS.replace(text, "").replace("## 2. Beta", text + "## 2. Beta")
    data = compare_documents(ingest_text(SECTIONS, path="old.md"), ingest_text(new, path="n.md"))
    moved = [(m["old_ref"], m["kind"]) for m in data["moves"]]
    beta = next(r for r in data["clauses"] if r["old_text"] == text.strip())
    assert moved == [(beta["old_ref"], "clause")]
    assert not any(r["moved"] for r in data["outline"])


def test_a_paragraph_moved_down_into_the_next_section_is_the_move() -> None:
    """The last Alpha paragraph moved down under the Beta heading: the paragraph moved (it
    changed section), not the Beta heading."""
    text = "The release manager signs off every release candidate before it ships.\n\n"
    new = SECTIONS.replace(text, "").replace("## 2. Beta\n\n", "## 2. Beta\n\n" + text)
    data = compare_documents(ingest_text(SECTIONS, path="old.md"), ingest_text(new, path="n.md"))
    signs = next(r for r in data["clauses"] if r["old_text"] == text.strip())
    assert [(m["old_ref"], m["kind"]) for m in data["moves"]] == [(signs["old_ref"], "clause")]
    assert not any(r["moved"] for r in data["outline"])


def test_a_preamble_that_gained_a_long_sentence_still_pairs() -> None:
    """The preamble gained a sentence longer than itself (too different for a similarity
    ratio): its whole old text is inside the new one, so the two pair."""
    added = " A failure to enforce any provision of this Agreement is not a waiver of it."
    new = DRAFT.replace("Beta Retail plc.", "Beta Retail plc." + added)
    rows = _outline(DRAFT, new)
    assert any(o == "\u00a7front1" and n is not None for o, n, _ in rows)


def test_markdown_list_marker_before_a_heading_or_a_printed_number() -> None:
    """'1. ## Service' is heading 'Service' labelled 1 (the '##' is markup), and
    '1. 1.1. Access' is clause 1.1 (the list marker is markup before the printed number)."""
    from analyzer.segment import segment_text

    tree = segment_text(
        "# Cloud Service Agreement\n\n1. ## Service\n"
        "    1. 1.1. Access and Use.  Customer may access and use the Cloud Service.\n"
        "    2. 1.2. Support.  Provider will provide Technical Support.\n"
    )
    got = [(c.label, c.heading, c.text[:14]) for c in tree.clauses]
    assert got == [
        ("1.", "Service", ""),
        ("1.1.", "", "Access and Use"),
        ("1.2.", "", "Support.  Prov"),
    ]
