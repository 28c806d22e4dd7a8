"""Cross-reference context of a deep outline: tails of refs are bounded (linear, not cubic).

A relative reference ("paragraph E.2") names the tail of a full path ("417.4.E.2"), so the
context holds every tail of every ref; a fuzzed line labelled with thousands of dotted parts
made that cubic in the depth (25 s for a 21 KB text). Tails now stop at TAIL_PARTS parts.
"""

from __future__ import annotations

from analyzer.baselines import load_model
from analyzer.classify import TAIL_PARTS, ref_key, xref_context
from analyzer.segment import segment_text

MODEL = load_model("post-sro").tree


def _tree_with_label_of(parts: int):  # type: ignore[no-untyped-def]
    label = ".".join(str(i) for i in range(1, parts + 1))
    tree = segment_text(f"I. PURPOSE\n\nThe purpose.\n\n{label} The SRO shall act.\n")
    deepest = max(tree.clauses, key=lambda c: c.ref.count("."))
    return tree, deepest, ref_key(deepest.ref).split(".")


def test_every_tail_of_a_ref_of_ordinary_depth_can_be_named() -> None:
    tree, deepest, parts = _tree_with_label_of(TAIL_PARTS)
    ctx = xref_context(tree, MODEL, [deepest.ref], ["IV.A.1"])
    tails = {".".join(parts[i:]) for i in range(len(parts))}
    assert tails <= ctx.doc_refs
    assert tails <= set(ctx.doc_topics or {})


def test_a_very_deep_ref_keeps_only_tails_a_reference_could_name() -> None:
    tree, deepest, parts = _tree_with_label_of(3 * TAIL_PARTS)
    assert len(parts) >= 3 * TAIL_PARTS  # the label really is deep
    ctx = xref_context(tree, MODEL, [deepest.ref], ["IV.A.1"])
    full = ".".join(parts)
    for found in (ctx.doc_refs, set(ctx.doc_topics or {})):
        assert full in found and ".".join(parts[-TAIL_PARTS:]) in found
        assert ".".join(parts[-TAIL_PARTS - 1 :]) not in found
