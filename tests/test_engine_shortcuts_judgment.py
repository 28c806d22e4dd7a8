"""The judgment stages' shortcuts give the answers of the plain computations they replace.

Like tests/test_engine_shortcuts.py, each shortcut is checked against a plain reference, so
a shortcut that changes a finding fails here: the cross-reference context computed on first
use (``pair.pair_xref``, ``XrefContext.resolved``) against the context computed up front.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import analyzer.audit as audit_module
from analyzer.api import audit_text
from analyzer.classify import XrefContext, xref_context
from analyzer.pair import pair_xref
from bench.mutate import generate

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "corpus").glob("*.txt"))


def _eager_xref(pairing):  # type: ignore[no-untyped-def]
    """The context as first written: every field computed before any provision."""
    return xref_context(
        pairing.new.tree, pairing.old.tree, [u.owner for u in pairing.new.units], pairing.unit_owner
    )


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in CORPUS]
    texts += [v.text for v in generate("post-sro", 12, 5)]  # edits that cite outline refs
    return texts + [v.text for v in generate("msba-507.5", 12, 5)]


def test_cross_reference_context_on_first_use_gives_the_eager_audit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = _texts()
    lazy = [audit_text(t) for t in texts]
    monkeypatch.setattr(audit_module, "pair_xref", _eager_xref)
    eager = [audit_text(t) for t in texts]
    assert lazy == eager


def test_resolved_context_is_the_eager_one_for_the_provision() -> None:
    from analyzer.context import default_context
    from analyzer.normalize import build_normalizer
    from analyzer.pair import pair, side
    from analyzer.segment import segment_text

    ctx = default_context()
    model = ctx.model("post-sro")
    text = (ROOT / "corpus" / "hutchinson-pd-1003.txt").read_text(encoding="utf-8")
    tree = segment_text(text)
    normalizer = build_normalizer(model, text, tables=ctx.tables, lexicon=ctx.lexicon)
    pairing = pair(ctx.model_side(model), side(tree, normalizer), context=ctx)
    base = pair_xref(pairing)
    assert base.outline is not None and base.doc_refs == frozenset()
    at = XrefContext(base.doc_refs, base.doc_topics, base.model_refs, "IV.A.2", base.outline)
    eager = _eager_xref(pairing)
    got = at.resolved()
    assert got.outline is None and got.provision_ref == "IV.A.2"
    assert (got.doc_refs, got.doc_topics, got.model_refs) == (
        eager.doc_refs,
        eager.doc_topics,
        eager.model_refs,
    )
    assert eager.doc_refs  # the document prints labels: the check above compares something
    plain = XrefContext(eager.doc_refs, eager.doc_topics, eager.model_refs, "IV.A.2")
    assert plain.resolved() is plain


def test_kept_ratio_columns_for_some_rows_equal_those_rows_of_the_whole_matrix() -> None:
    """Model detection scores only the model sentences not found verbatim
    (``RatioColumns.matrix(cols, rows)``): the rows it gets are those of the whole matrix."""
    import random

    import numpy as np
    from rapidfuzz import fuzz, process

    from analyzer.ratios import RatioColumns

    rng = random.Random(13)
    words = "the sro shall not may school district agency student arrest report".split()

    def texts(n: int) -> list[str]:
        return [" ".join(rng.choice(words) for _ in range(rng.randint(0, 10))) for _ in range(n)]

    rows = texts(14)
    for dtype, cutoff in ((np.float32, None), (np.uint8, 84.5)):
        kept = RatioColumns(rows, rows, dtype=dtype, score_cutoff=cutoff)
        for _ in range(30):
            cols = [*rng.sample(rows, 4), *texts(4)]
            pick = sorted(rng.sample(range(len(rows)), rng.randint(0, len(rows))))
            whole = process.cdist(rows, cols, scorer=fuzz.ratio, dtype=dtype, score_cutoff=cutoff)
            got = kept.matrix(cols, pick)
            assert got.shape == (len(pick), len(cols)) and (got == whole[pick]).all()


def test_scan_from_needles_equals_the_whole_text_scan() -> None:
    """``normalize._scan`` finds each stretch between separators from a needle's place
    (the next separator ahead, the next behind in the reversed text) and scans only those
    stretches: the matches of the whole text, also for an empty needle (every stretch)."""
    import random
    import re

    from analyzer.normalize import _scan

    rng = random.Random(17)
    seps = re.compile(r"[,;()]")
    pattern = re.compile(r"\b(?:[A-Z][a-z]+ ){1,3}(?:Police Department|PD)\b")
    pieces = ["Eden Prairie", "Police Department", "PD", "Police", ", ", ";", "(", ")", "x", " "]
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        text = " ".join(text.split())
        whole = [m.group(0) for m in pattern.finditer(text)]
        for needles in (("PD", "Police Department"), ("PD", "Police Department", "")):
            assert _scan(pattern, needles, text, seps, text[::-1]) == whole, text


def test_model_side_heading_norms_are_the_normalized_headings() -> None:
    """``_heading_units`` reads the model side's headings from ``Side.heading_norms``
    (built once per model side): the headings of its tree, normalized, empty ones left out."""
    from analyzer.context import default_context

    ctx = default_context()
    for model_id in ("post-sro", "msba-507.5"):
        old = ctx.model_side(ctx.model(model_id))
        plain = {old.normalizer.norm(c.heading) for c in old.tree.clauses if c.heading} - {""}
        assert old.heading_norms == plain and plain


def test_the_span_of_one_clause_is_its_location() -> None:
    from analyzer.audit import _location
    from analyzer.segment import segment_text

    tree = segment_text((ROOT / "corpus" / "lakeville-pd-417.txt").read_text(encoding="utf-8"))
    for c in tree.clauses[:50]:
        assert _location([c]) == c.location
    first, last = tree.clauses[1], tree.clauses[5]
    both = _location([last, first])
    assert (both.page, both.line) == (first.location.page, first.location.line)
    assert (both.end_page, both.end_line) == (last.location.end_page, last.location.end_line)
