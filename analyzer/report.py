"""Reports, step one: the audit as a plain dict (the JSON output), and the renderer registry.

Every format renders the same dict: ``json`` and ``text`` here, ``html``, ``md`` and ``csv``
in ``render.py``. JSON output is deterministic: the same inputs give byte-identical text.

Exports: SCHEMA, audit_to_dict(audit) -> dict, to_json(data) -> str, render_text(data) -> str,
render(data, fmt) -> str, FORMATS, short_location(location) -> str.
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from . import __version__
from .model import Addition, Audit, Finding, Location

__all__ = [
    "SCHEMA",
    "audit_to_dict",
    "to_json",
    "render_text",
    "render",
    "FORMATS",
    "short_location",
]

SCHEMA = "policydiff/audit@1"


def _loc(location: Location | None) -> dict[str, int] | None:
    return location.to_dict() if location is not None else None


def _finding(f: Finding) -> dict[str, Any]:
    cand = None
    if f.candidate is not None:
        cand = {
            "doc_ref": f.candidate.doc_ref,
            "text": f.candidate.text,
            "similarity": f.candidate.similarity,
            "location": _loc(f.candidate.location),
        }
    return {
        "model_ref": f.model_ref,
        "model_heading": f.model_heading,
        "status": str(f.status),
        "substantive": f.substantive,
        "moved": f.moved,
        "doc_ref": f.doc_refs[0] if f.doc_refs else None,
        "doc_refs": list(f.doc_refs),
        "location": _loc(f.location),
        "similarity": f.similarity,
        "model_text": f.model_text,
        "doc_text": f.doc_text,
        "changes": [c.to_dict() for c in f.changes],
        "redline": [[op, text] for op, text in f.redline],
        "explanation": f.explanation,
        "candidate": cand,
    }


def _addition(a: Addition) -> dict[str, Any]:
    return {
        "doc_ref": a.doc_ref,
        "heading": a.heading,
        "text": a.text,
        "location": _loc(a.location),
        "kind": str(a.kind),
    }


def _summary(audit: Audit) -> dict[str, Any]:
    statuses = Counter(str(f.status) for f in audit.findings)
    cats = Counter(str(c.category) for f in audit.findings for c in f.changes if c.substantive)
    return {
        "provisions": len(audit.findings),
        "identical": statuses.get("identical", 0),
        "editorial": statuses.get("editorial", 0),
        "modified": statuses.get("modified", 0),
        "missing": statuses.get("missing", 0),
        "moved": sum(f.moved for f in audit.findings),
        "substantive": sum(f.substantive for f in audit.findings),
        "additions": len(audit.additions),
        "changes_by_category": dict(sorted(cats.items())),
    }


def audit_to_dict(audit: Audit) -> dict[str, Any]:
    """The audit JSON (``policydiff/audit@1``): fields may be added, never renamed."""
    return {
        "schema": SCHEMA,
        "tool": {"name": "policydiff", "version": __version__},
        "document": {
            "path": audit.document_path,
            "sha256": audit.document_sha256,
            "title": audit.document_title,
            "format": audit.document_format,
            "pages": audit.pages,
            "clauses": audit.clause_count,
            "attachment": audit.attachment.to_dict() if audit.attachment else None,
            "removed_lines": [line.to_dict() for line in audit.removed_lines],
        },
        "model": {
            "id": audit.model.id,
            "title": audit.model.title,
            "statute": audit.model.statute,
            "selection": audit.selection,
            "follows": audit.follows,
            "coverage": dict(sorted(audit.coverage.items())),
            "note": audit.model_note,
        },
        "verdict": str(audit.verdict),
        "verdict_reasons": list(audit.verdict_reasons),
        "summary": _summary(audit),
        "provisions": [_finding(f) for f in audit.findings],
        "additions": [_addition(a) for a in audit.additions],
        "requirements": [dict(r) for r in audit.requirements],
    }


def to_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def short_location(loc: Mapping[str, int] | None) -> str:
    """A location for the terminal: "l.12", or "p.3 l.12" in a document with pages."""
    if not loc:
        return ""
    if loc["page"] > 1 or loc.get("end_page", 1) > 1:
        return f"p.{loc['page']} l.{loc['line']}"
    return f"l.{loc['line']}"


def _clip(text: str, width: int = 90) -> str:
    return textwrap.shorten(" ".join(text.split()), width=width, placeholder="...")


def render_text(data: Mapping[str, Any]) -> str:
    """A terminal summary a reviewer can read: verdict, reasons, then what matters."""
    doc, model, s = data["document"], data["model"], data["summary"]
    out = [
        f"Document: {doc['path']} ({doc['title'] or 'untitled'})",
        f"Model:    {model['id']}: {model['title']} ({model['statute']})",
        f"Note:     {model['note']}",
        f"Verdict:  {data['verdict'].upper()}",
    ]
    for reason in data["verdict_reasons"]:
        out.append(
            textwrap.fill(reason, width=100, initial_indent="  - ", subsequent_indent="    ")
        )
    out.append(
        f"Provisions: {s['provisions']} (identical {s['identical']}, editorial {s['editorial']}, "
        f"modified {s['modified']}, missing {s['missing']}, moved {s['moved']}); "
        f"additions {s['additions']}"
    )
    provisions = data["provisions"]
    follows_other = (
        model["follows"] and model["follows"] != model["id"] and model["selection"] == "explicit"
    )
    missing = [p for p in provisions if p["status"] == "missing"]
    if missing and follows_other and len(missing) > 10:
        out.append(
            f"\nMissing: {len(missing)} provisions (not listed: the document follows "
            f"{model['follows']}; see the note)"
        )
    elif missing:
        out.append("\nMissing:")
        for p in missing:
            out.append(f"  {p['model_ref']:<11} {_clip(p['model_text'])}")
            if p["candidate"]:
                c = p["candidate"]
                quote = _clip(c["text"], 70)
                out.append(
                    f"  {'':<11} nearest candidate (not a match): {c['doc_ref']} "
                    f"{short_location(c['location'])} {c['similarity']:.0%} \u201c{quote}\u201d"
                )
    changed = [p for p in provisions if p["status"] == "modified"]
    if changed:
        out.append("\nSubstantive changes:")
        for p in changed:
            out.append(f"  {p['model_ref']:<11} -> {p['doc_ref']} {short_location(p['location'])}")
            for c in p["changes"]:
                if c["substantive"]:
                    out.append(f"  {'':<11} [{c['category']}] {_clip(c['explanation'], 100)}")
    moved = [p for p in provisions if p["moved"]]
    if moved:
        out.append("\nMoved: " + ", ".join(f"{p['model_ref']} -> {p['doc_ref']}" for p in moved))
    if data["additions"]:
        out.append("\nAdditions:")
        for a in data["additions"]:
            out.append(
                f"  {a['doc_ref']:<11} {short_location(a['location']):<10} {_clip(a['text'], 80)}"
            )
    reqs = data.get("requirements") or []
    bad = [r for r in reqs if r["status"] != "met"]
    if reqs:
        out.append(f"\nStatute checklist: {len(reqs) - len(bad)} of {len(reqs)} requirements met")
        for r in bad:
            out.append(f"  {r['status'].upper():<9} {r['title']} ({r['citation']})")
    return "\n".join(out) + "\n"


def _lazy(name: str) -> Callable[[Mapping[str, Any]], str]:
    def call(data: Mapping[str, Any]) -> str:
        from . import render as _render

        fn: Callable[[Mapping[str, Any]], str] = getattr(_render, name)
        return fn(data)

    return call


FORMATS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "json": to_json,
    "text": render_text,
    "html": _lazy("render_html"),
    "md": _lazy("render_markdown"),
    "csv": _lazy("render_csv"),
}


def render(data: Mapping[str, Any], fmt: str) -> str:
    return FORMATS[fmt](data)
