"""The redlines-benchmark adapter: the peer's digest rule and its move-counting rule."""

from __future__ import annotations

from bench.redlines_bench import _digest, _label_forms, _topmost

CLAUSE = (
    "The Client operates a chain of grocery stores and wishes to procure the hosting and "
    "support of its online ordering platform."
)


def test_digest_is_the_peers_label_unit_separator_text_rule() -> None:
    # values from the benchmark's labels.yaml (msa-text-mixed, /section[1]/section[1]/...)
    assert _digest("1.1", CLAUSE) == "03083dbb05c8377a"
    assert _digest("1", "Background") == "c5e6d43c4885ff53"
    assert _digest(None, "Master   Services\nAgreement") == "515a77ed13670362"


def test_label_forms_drop_trailing_punctuation_and_parentheses() -> None:
    assert _label_forms("1.") == ["1.", "1", None]
    assert "b" in _label_forms("(b)") and "(b)" in _label_forms("(b)")
    assert "417.1" in _label_forms("Order 417.1:")


def test_a_move_inside_a_reported_move_counts_once_at_the_top() -> None:
    moves = {("/s[7]/li[5]", "/s[2]/li[5]"), ("/s[7]/li[5]/p[1]", "/s[2]/li[5]/p[1]"),
             ("/s[8]/li[2]", "/s[3]/li[6]")}  # fmt: skip
    assert _topmost(moves) == {("/s[7]/li[5]", "/s[2]/li[5]"), ("/s[8]/li[2]", "/s[3]/li[6]")}


def test_a_label_only_heading_maps_by_its_label_and_empty_text() -> None:
    """The peer digests "SCHEDULE 1" (no text) as label + separator + nothing."""
    from analyzer.segment import segment_text
    from bench.redlines_bench import _addresses

    tree = segment_text("1. SERVICES\n\n1.1 The Supplier shall host the data.\n\nSCHEDULE 1\n\n"
                        "1. The Supplier shall answer by email.\n")  # fmt: skip
    ref = next(c.ref for c in tree.clauses if c.heading == "SCHEDULE 1")
    assert _addresses(tree, {_digest("SCHEDULE 1", ""): ["/section[3]/heading[1]"]}) == {
        ref: "/section[3]/heading[1]"
    }


def test_a_clause_maps_by_its_source_line_with_markup_kept() -> None:
    """The peer keeps inline markup in its digests ("a **release gate**"); policydiff's clause
    text drops it, so the clause's own source line is tried too."""
    from analyzer.segment import segment_text
    from bench.redlines_bench import _addresses

    text = "# Notes\n\n## Decision\n\nMove detection is a **release gate**, not a feature.\n"
    tree = segment_text(text)
    ref = next(c.ref for c in tree.clauses if "release gate" in c.text)
    blocks = {_digest(None, "Move detection is a **release gate**, not a feature."): ["/p[1]"]}
    assert _addresses(tree, blocks) == {}
    assert _addresses(tree, blocks, text.splitlines()) == {ref: "/p[1]"}


def test_a_table_row_maps_through_its_cells_and_pairs_its_cells_by_column() -> None:
    from bench.redlines_bench import _cell_pairs, _row_address

    row = "/s[3]/table[1]/row[2]"
    blocks = {_digest(None, "Onboarding plan"): [f"{row}/cell[1]"],
              _digest(None, "Week 2"): [f"{row}/cell[2]"]}  # fmt: skip
    assert _row_address(["Onboarding plan", "Week 2"], blocks, set()) == row
    assert _row_address(["Onboarding plan", "Week 3"], blocks, set()) is None
    assert _row_address(["Onboarding plan", "Week 2"], blocks, {row}) is None
    new = "/s[3]/table[1]/row[3]"
    universe = ({f"{row}/cell[1]", f"{row}/cell[2]"}, {f"{new}/cell[1]", f"{new}/cell[2]"})
    assert _cell_pairs({(row, new)}, universe) == {
        (f"{row}/cell[1]", f"{new}/cell[1]"), (f"{row}/cell[2]", f"{new}/cell[2]")}  # fmt: skip


def test_ambiguous_links_are_twins_paired_out_of_order_by_the_labels() -> None:
    """Three identical paragraphs: the labels send the third to the first place (a move among
    twins) and shift the others; only links whose partner differs from the in-order one are
    ambiguous, and a paragraph with text of its own never is."""
    from analyzer.segment import segment_text
    from bench.redlines_bench import ambiguous_links

    text = ("1. TERMS\n\nThe Buyer shall pay the Seller.\n\nThe Buyer shall pay the Seller.\n\n"
            "The Buyer shall pay the Seller.\n\nThe Seller shall deliver the goods.\n")  # fmt: skip
    tree = segment_text(text)
    addr = {c.ref: f"/p[{k}]" for k, c in enumerate(tree.clauses, 1)}  # 1.1 -> /p[2] ...
    in_order = {("/p[2]", "/p[2]"), ("/p[3]", "/p[3]"), ("/p[4]", "/p[4]"), ("/p[5]", "/p[5]")}
    assert ambiguous_links(in_order, (addr, addr), (tree, tree)) == set()
    moved = {("/p[4]", "/p[2]"), ("/p[2]", "/p[3]"), ("/p[3]", "/p[4]"), ("/p[5]", "/p[5]")}
    assert ambiguous_links(moved, (addr, addr), (tree, tree)) == moved - {("/p[5]", "/p[5]")}
    swapped = {("/p[5]", "/p[2]"), ("/p[2]", "/p[5]")}  # one link per text: in order
    assert ambiguous_links(swapped, (addr, addr), (tree, tree)) == set()
