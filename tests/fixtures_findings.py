"""Findings built by hand for rule tests (check, verdict, pinned rules).

Exports: missing_finding(ref, text, candidate) -> Finding -- a model provision reported missing,
with the document sentence nearest to it (or none).
"""

from __future__ import annotations

from analyzer.model import Candidate, Finding, Status


def missing_finding(ref: str, text: str, candidate: Candidate | None) -> Finding:
    return Finding(
        model_ref=ref,
        model_heading="",
        model_text=text,
        status=Status.MISSING,
        substantive=True,
        moved=False,
        similarity=0.0,
        doc_refs=(),
        doc_text=None,
        location=None,
        changes=(),
        redline=(),
        explanation="",
        candidate=candidate,
    )
