"""The layout-invariance harness, fast subset: a few tuned families on the bundled models.

The full run (every family, every source, held-out families apart) is
``python -m bench --only layout_invariance``.
"""

from __future__ import annotations

from random import Random

import pytest

from analyzer.ingest import ingest_bytes
from analyzer.segment import segment
from bench.layouts import harness
from bench.layouts.families_text import FAMILIES, label_sites

FAST = {
    "post-sro": ("labels-dotted-section", "labels-section-paren", "markdown", "wrap-flush"),
    "msba-507.5": ("labels-glued", "typeset-quotes-dashes", "cp1252-crlf"),
}


@pytest.fixture(scope="module")
def model_sources() -> dict[str, harness.Source]:
    return {s.id: s for s in harness.sources(FAST)}


def test_families_held_out_are_a_third_and_never_in_the_fast_subset() -> None:
    held = {f.name for f in harness.families(held_out=True)}
    assert 3 * len(held) >= len(harness.families())
    assert not held & {name for names in FAST.values() for name in names}


def test_every_text_family_renders_readable_bytes(model_sources) -> None:
    source = model_sources["post-sro"]
    for family in FAMILIES:
        suffix, data = family.render(source, Random(1))
        document = ingest_bytes(data, path=f"x{suffix}")
        assert len(segment(document).clauses) > 10, family.name


def test_label_sites_cover_every_labelled_model_clause(model_sources) -> None:
    source = model_sources["post-sro"]
    labelled = [c for c in source.tree.clauses if c.label]
    assert len(label_sites(source)) == len(labelled)


def test_compare_names_each_difference() -> None:
    clean = {"verdict": "identical", "provisions": {"I.1": ("identical", False)}, "additions": []}
    other = {"verdict": "identical", "provisions": {"I.1": ("modified", True)}, "additions": ["x"]}
    assert harness.compare(clean, clean) == []
    assert harness.compare(clean, other) == [
        "I.1: identical -> modified (substantive)",
        "addition new: 'x'",
    ]


@pytest.mark.parametrize("source_id", sorted(FAST))
def test_tuned_families_keep_the_findings(model_sources, source_id: str) -> None:
    report = harness.run([model_sources[source_id]], harness.families(names=FAST[source_id]))
    assert len(report.outcomes) == len(FAST[source_id])
    assert [o for o in report.outcomes if not o.invariant] == []
