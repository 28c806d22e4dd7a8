"""Deep outlines: the outline builder finds the list a label continues through an index of its
stack (``outline._Index``), not by walking down the stack, so a list that restarts inside
each item ("1. item" x N, each nested in the one before) reads in linear time. The index must
always say what a walk would."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analyzer import outline
from analyzer.ingest import ingest_text
from analyzer.segment import _blocks, segment

ROOT = Path(__file__).resolve().parent.parent


def _index_state(index: outline._Index) -> tuple[object, ...]:
    return (index.nodes, index.lasts)


def _walked(stack: list[outline._Node]) -> outline._Index:
    """The index as a walk over the stack (and each node's children) gives it."""
    fresh = outline._Index()
    for at, node in enumerate(stack):
        labelled = [c for c in node.children if c.label is not None and c.style != "dotted"]
        assert node.last_labeled is (labelled[-1] if labelled else None)
        fresh.push(node, at)
    return fresh


@pytest.mark.parametrize(
    "name",
    ["post-sro.txt", "msba-507.5.txt", "../corpus/lakeville-pd-417.txt"],
)
def test_the_index_always_says_what_a_walk_of_the_stack_says(name: str) -> None:
    text = (ROOT / "model_policy" / name).read_text(encoding="utf-8")
    builder = outline._Builder()
    for blk in _blocks(ingest_text(text).lines):
        builder.add(blk)
        assert _index_state(builder.index) == _index_state(_walked(builder.stack))


def test_a_list_restarting_in_every_item_reads_in_linear_time() -> None:
    text = "1. item\n" * 4000  # 4,000 nested lists; walking the stack took ~6 s CPU
    start = time.process_time()
    tree = segment(ingest_text(text))
    assert time.process_time() - start < 4.0
    assert len(tree.clauses) == 4000 and tree.clauses[-1].depth == 3999


_LINES = [
    "1. The item.", "2. The item.", "5. The item.", "a. The item.", "b. The item.",
    "d. The item.", "i. The item.", "ii. The item.", "v. The item.", "(1) The item.",
    "(2) The item.", "A. The item.", "I. The item.", "- A bullet.", "SCHOOL RESOURCE OFFICER",
    "The officer shall act.", "", "Attachment A", "417.3 Section", "417.3.A The item.",
]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_LINES), max_size=40))
@example(["1. The item.", "a. The item.", "", "SCHOOL RESOURCE OFFICER", "", "2. The item."])
def test_the_index_stays_in_step_on_any_sequence_of_lines(lines: list[str]) -> None:
    builder = outline._Builder()
    for blk in _blocks(ingest_text("\n".join(["TITLE", *lines, "end."])).lines):
        builder.add(blk)
        assert _index_state(builder.index) == _index_state(_walked(builder.stack))


def test_a_label_repeated_thousands_of_times_gets_its_suffixes_in_linear_time() -> None:
    text = "1.1 The item.\n" * 3000  # each "1.1~k" was searched from k = 2: ~3 s CPU
    start = time.process_time()
    tree = segment(ingest_text(text))
    assert time.process_time() - start < 1.5
    refs = [c.ref for c in tree.clauses]
    assert refs[:3] == ["1.1", "1.1~2", "1.1~3"] and refs[-1] == "1.1~2999"
    assert len(set(refs)) == len(refs)
