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
