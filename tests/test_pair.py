"""Properties of the pairing core (analyzer/pair.py) and of the audit and compare built on
it, on drafts generated from the POST model by line-level edits (lines dropped, swapped,
reworded, foreign lines inserted):

- every model provision appears exactly once in an audit, in model order;
- the pairing partitions the document's sentences: each is matched, attached, a heading
  or loose, exactly one of them;
- compare(A, B) and compare(B, A) mirror each other: B's inserted clauses are the clauses
  B -> A deletes and the reverse, the clause mapping is the same both ways, and as many
  clauses move each way;
- redline pieces rebuild the document text (audit) and the new text (compare).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.api import audit_text
from analyzer.compare import compare_documents
from analyzer.context import default_context
from analyzer.ingest import ingest_text
from analyzer.normalize import build_normalizer
from analyzer.pair import pair, side
from analyzer.segment import segment_text

ROOT = Path(__file__).resolve().parent.parent
MODEL = (ROOT / "model_policy" / "post-sro.txt").read_text(encoding="utf-8")
FOREIGN = [
    "- SROs shall wear a body camera at all school events held after dark.",
    "- The department will publish an annual report of every arrest made at school.",
    "Parents may request a meeting with the SRO through the principal's office.",
]
REWORDS = [(" shall ", " should "), (" must ", " may "), ("students", "pupils"), (" not ", " ")]


@cache
def _model_lines() -> tuple[str, ...]:
    return tuple(MODEL.splitlines())


@st.composite
def drafts(draw: st.DrawFn) -> str:
    """The model with a few line-level edits; section headings are kept."""
    lines = list(_model_lines())
    body = [i for i, ln in enumerate(lines) if ln.strip() and len(ln) > 60]
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.sampled_from(body))
        if re.match(r"[A-H]\. ", lines[i]):  # keep the lettering without gaps
            lines[i] = lines[i][:3] + "Reserved."
        else:
            del lines[i]
        body = [i for i, ln in enumerate(lines) if ln.strip() and len(ln) > 60]
    for _ in range(draw(st.integers(0, 2))):
        i = draw(st.sampled_from(body))
        old, new = draw(st.sampled_from(REWORDS))
        lines[i] = lines[i].replace(old, new, 1)
    if draw(st.booleans()):  # two definitions trade places (the labels stay in order)
        defs = [i for i, ln in enumerate(lines) if re.match(r"[A-H]\. [A-Z]", ln) and i < 40]
        i, j = sorted(draw(st.lists(st.sampled_from(defs), min_size=2, max_size=2, unique=True)))
        lines[i], lines[j] = lines[i][:3] + lines[j][3:], lines[j][:3] + lines[i][3:]
    for _ in range(draw(st.integers(0, 2))):
        lines.insert(draw(st.sampled_from(body)), draw(st.sampled_from(FOREIGN)))
    return "\n".join(lines) + "\n"


SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def _rebuilt(redline: list[list[str]] | list[tuple[str, str]]) -> str:
    return "".join(text for op, text in redline if op != "delete")


@SETTINGS
@given(drafts())
def test_every_model_provision_appears_exactly_once(text: str) -> None:
    data = audit_text(text, model="post-sro")
    model = default_context().model("post-sro")
    expected = [c.ref for c in model.tree.clauses if c.text.strip() and c.kind == "body"]
    assert [p["model_ref"] for p in data["provisions"]] == expected
    for p in data["provisions"]:
        if p["doc_text"] is not None:
            assert _rebuilt(p["redline"]) == p["doc_text"], p["model_ref"]


@SETTINGS
@given(drafts())
def test_pairing_partitions_the_documents_sentences(text: str) -> None:
    context = default_context()
    model = context.model("post-sro")
    tree = segment_text(text)
    new = side(tree, build_normalizer(model, text, tables=context.tables))
    pairing = pair(context.model_side(model), new, context=context, skip_headings=True)
    seen: list[int] = []
    for m in pairing.matches:
        seen.extend(m.doc_units)
    for idx in pairing.inserts.values():
        seen.extend(idx)
    seen.extend(pairing.loose)
    seen.extend(pairing.headings)
    assert sorted(seen) == list(range(len(new.units)))
    for m in pairing.matches:
        assert all(pairing.unit_owner[j] == m.model_ref for j in m.doc_units)
        assert (m.model_ref in pairing.candidates) <= (not m.doc_units)


def _compare(a: str, b: str) -> dict[str, Any]:
    return compare_documents(ingest_text(a, path="a.txt"), ingest_text(b, path="b.txt"))


@SETTINGS
@given(drafts())
def test_compare_both_ways_mirror_each_other(text: str) -> None:
    ab, ba = _compare(MODEL, text), _compare(text, MODEL)
    inserted_ab = {r["new_ref"] for r in ab["clauses"] if r["status"] == "inserted"}
    deleted_ba = {r["old_ref"] for r in ba["clauses"] if r["status"] == "deleted"}
    deleted_ab = {r["old_ref"] for r in ab["clauses"] if r["status"] == "deleted"}
    inserted_ba = {r["new_ref"] for r in ba["clauses"] if r["status"] == "inserted"}
    assert inserted_ab == deleted_ba
    assert deleted_ab == inserted_ba
    pairs_ab = {(o, n) for o, ns in ab["mapping"]["old_to_new"].items() for n in ns}
    pairs_ba = {(a, b) for b, refs in ba["mapping"]["old_to_new"].items() for a in refs}
    assert pairs_ab == pairs_ba
    assert ab["counts"]["moved_clauses"] == ba["counts"]["moved_clauses"]
    for r in ab["clauses"]:
        if r["redline"] and r["status"] != "deleted":
            assert _rebuilt(r["redline"]) == r["new_text"], r["old_ref"]
