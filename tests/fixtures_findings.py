"""Findings built by hand for rule tests (check, verdict, pinned rules).

Exports:
    make_finding(ref, text, status, **fields) -> Finding -- a finding on model provision ``ref``
        with the fields a test does not care about left neutral (no heading, no changes, no
        redline, no location, not moved, not substantive)
    missing_finding(ref, text, candidate) -> Finding -- a model provision reported missing,
        with the document sentence nearest to it (or none)
"""

from __future__ import annotations

from typing import Any

from analyzer.model import Candidate, Finding, Status


def make_finding(ref: str, text: str, status: Status, **fields: Any) -> Finding:
    neutral: dict[str, Any] = {
        "model_heading": "",
        "substantive": False,
        "moved": False,
        "similarity": 0.0,
        "doc_refs": (),
        "doc_text": None,
        "location": None,
        "changes": (),
        "redline": (),
        "explanation": "",
    }
    return Finding(model_ref=ref, model_text=text, status=status, **{**neutral, **fields})


def missing_finding(ref: str, text: str, candidate: Candidate | None) -> Finding:
    return make_finding(ref, text, Status.MISSING, substantive=True, candidate=candidate)
