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
from .report_view import (
    change_context,
    count,
    counts,
    decisive,
    doc_ref,
    model_ref,
    normalised,
    open_label,
    sections,
)

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
    checklist = Counter(str(r["status"]) for r in audit.requirements)
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
        "substantive_changes": sum(
            f.substantive and str(f.status) != "missing" for f in audit.findings
        ),
        "checklist": {
            "total": len(audit.requirements),
            **{k: checklist.get(k, 0) for k in ("met", "weakened", "missing")},
            **dict(sorted(checklist.items())),
        },
    }


def _ref_names(audit: Audit) -> dict[str, str]:
    """The reader's name of every document clause the audit mentions (refnames.py)."""
    refs = {r for f in audit.findings for r in f.doc_refs}
    refs |= {f.candidate.doc_ref for f in audit.findings if f.candidate is not None}
    refs |= {a.doc_ref for a in audit.additions}
    refs |= {
        str(e["doc_ref"])
        for r in audit.requirements
        for e in r.get("evidence", ())
        if e.get("doc_ref")
    }
    if audit.attachment is not None:
        refs.add(audit.attachment.ref)
    names = audit.doc_ref_names
    return {ref: names[ref] for ref in sorted(refs) if ref in names}


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
            "ref_names": _ref_names(audit),
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


def _requirement_lines(data: Mapping[str, Any], r: Mapping[str, Any]) -> list[str]:
    out = [f"  {r['status'].upper():<12} {r['title']} ({r['citation']})"]
    for e in r.get("evidence") or []:
        refs = " -> ".join(
            x
            for x in (
                model_ref(e["model_ref"]) if e.get("model_ref") else "",
                doc_ref(data, e["doc_ref"]) if e.get("doc_ref") else "",
            )
            if x
        )
        where = short_location(e.get("location"))
        at = f"{refs or 'the document'} {where}".strip()
        out.append(f"  {'':<12} {at}: \u201c{_clip(e['quote'], 80)}\u201d")
    return out


def _change_lines(p: Mapping[str, Any], only_substantive: bool) -> list[str]:
    out = []
    for c in p["changes"]:
        if only_substantive and not c["substantive"]:
            continue
        context = change_context(c, p)
        text = _clip(c["explanation"], 100) + (f" in {context}" if context else "")
        out.append(
            textwrap.fill(
                f"[{c['category']}] {text}",
                width=100,
                initial_indent="      ",
                subsequent_indent="        ",
                break_on_hyphens=False,
            )
        )
    pieces = [
        f"\u201c{old}\u201d \u2248 \u201c{new}\u201d"
        for kind, new, old in normalised(p)
        if new and old.lower() != new.lower() and (kind == "same" or not p["changes"])
    ]
    if pieces:
        out.append("      [normalised] " + _clip("; ".join(dict.fromkeys(pieces)), 100))
    return out


def _pair(data: Mapping[str, Any], p: Mapping[str, Any]) -> str:
    where = short_location(p["location"])
    return f"  {model_ref(p['model_ref'])} -> {doc_ref(data, p['doc_ref'])}" + (
        f" ({where})" if where else ""
    )


def render_text(data: Mapping[str, Any]) -> str:
    """A terminal summary in the reviewer's order: verdict and what decides it, requirements
    not met with their evidence, missing and substantive provisions, editorial ones,
    additions; identical provisions counted, not listed."""
    doc, model = data["document"], data["model"]
    n, groups = counts(data), sections(data)
    out = [
        f"Document: {doc['path']} ({doc['title'] or 'untitled'})",
        f"Model:    {model['id']}: {model['title']} ({model['statute']})",
        f"Note:     {model['note']}",
        f"Verdict:  {data['verdict'].upper()}",
    ]
    for item in decisive(data):
        text = item["text"] + (" (below)" if item["requirements"] else "")
        out.append(textwrap.fill(text, width=100, initial_indent="  - ", subsequent_indent="    "))
    out.append(
        f"Provisions: {n['provisions']} ({n['missing']} missing, "
        f"{n['substantive_changes']} changed substantively, {n['editorial']} editorial, "
        f"{n['identical']} identical; {n['moved']} moved); "
        f"{count(n['additions'], 'addition')}"
    )
    follows_other = (
        model["follows"] and model["follows"] != model["id"] and model["selection"] == "explicit"
    )
    if groups["open_requirements"]:
        out.append(
            f"\nRequirements {open_label(n)}: {n['open_requirements']} of "
            f"{count(n['requirements'], 'statutory requirement')}"
        )
        for r in groups["open_requirements"]:
            out.extend(_requirement_lines(data, r))
    missing = groups["missing"]
    if missing and follows_other and len(missing) > 10:
        out.append(
            f"\nMissing: {count(len(missing), 'provision')} (not listed: the document follows "
            f"{model['follows']}; see the note)"
        )
    elif missing:
        out.append(f"\nMissing ({len(missing)}):")
        for p in missing:
            out.append(f"  {model_ref(p['model_ref'])}: {_clip(p['model_text'])}")
            if p["candidate"]:
                c = p["candidate"]
                out.append(
                    f"      nearest candidate (not a match): {doc_ref(data, c['doc_ref'])} "
                    f"({short_location(c['location'])}, {c['similarity']:.0%}): "
                    f"\u201c{_clip(c['text'], 70)}\u201d"
                )
    for key, title, only in (
        ("substantive", "Substantive changes", True),
        ("editorial", "Editorial changes", False),
    ):
        if groups[key]:
            out.append(f"\n{title} ({len(groups[key])}):")
            for p in groups[key]:
                out.append(_pair(data, p) + (" [moved]" if p["moved"] else ""))
                out.extend(_change_lines(p, only))
    if data["additions"]:
        out.append(f"\nAdditions ({len(data['additions'])}):")
        for a in data["additions"]:
            where = short_location(a["location"])
            out.append(f"  {doc_ref(data, a['doc_ref'])} ({where}): {_clip(a['text'], 80)}")
    if groups["identical"]:
        out.append(
            f"\nIdentical: {count(len(groups['identical']), 'provision')} word for word "
            "after normalization (listed in --format html and md)"
        )
    if n["requirements"]:
        out.append(
            f"\nStatute checklist: {n['met']} of {count(n['requirements'], 'requirement')} met"
        )
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
