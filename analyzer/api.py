"""The library entry points that read a file (or take text) and return the audit dict.

Exports: audit_path(path, *, model="auto", rule=None, max_bytes=...) -> dict,
audit_text(text, *, model="auto", path="<text>") -> dict, segment_path(path) -> ClauseTree,
AuditResult (the dict they return: a plain dict that also shows itself in Jupyter).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from .audit import audit
from .ingest import ingest, ingest_text
from .model import ClauseTree
from .report import audit_to_dict
from .segment import segment
from .verdict import VerdictRule

__all__ = ["audit_path", "audit_text", "segment_path", "AuditResult"]

DEFAULT_MAX_BYTES = 50_000_000


class AuditResult(dict[str, Any]):
    """The ``policydiff/audit@1`` dict, unchanged; in Jupyter it shows a short summary."""

    def _repr_html_(self) -> str:
        from markupsafe import escape

        doc, s = self.get("document") or {}, self.get("summary") or {}
        counts = ", ".join(f"{escape(k)} {escape(v)}" for k, v in s.items())
        rows = "".join(
            f"<tr><td>{escape(p.get('model_ref'))}</td><td>{escape(p.get('status'))}</td>"
            f"<td>{escape(p.get('doc_ref') or '')}</td><td>{escape(p.get('explanation') or '')}"
            "</td></tr>"
            for p in self.get("provisions") or ()
            if p.get("status") != "identical"
        )
        return (
            f"<div><b>{escape(doc.get('title') or doc.get('path') or '')}</b>: "
            f"<b>{escape(self.get('verdict'))}</b> against "
            f"{escape((self.get('model') or {}).get('id'))} ({counts})"
            "<table><tr><th>provision</th><th>status</th><th>document</th><th>why</th></tr>"
            f"{rows}</table></div>"
        )


def audit_path(
    path: str | os.PathLike[str],
    *,
    model: str = "auto",
    rule: VerdictRule | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> dict[str, Any]:
    """Ingest, segment and audit one file; the ``policydiff/audit@1`` dict."""
    return AuditResult(audit_to_dict(audit(ingest(path, max_bytes=max_bytes), model, rule=rule)))


def audit_text(
    text: str, *, model: str = "auto", path: str = "<text>", rule: VerdictRule | None = None
) -> dict[str, Any]:
    """Audit policy text given as a string (benchmarks, tests, other programs)."""
    doc = ingest_text(text, path=path)
    if not doc.sha256:
        doc = doc.__class__(
            doc.path, hashlib.sha256(text.encode()).hexdigest(), doc.format, doc.lines, doc.pages
        )
    return AuditResult(audit_to_dict(audit(doc, model, rule=rule)))


def segment_path(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> ClauseTree:
    return segment(ingest(path, max_bytes=max_bytes))
