"""Render a ``policydiff/compare@1`` dict as text, HTML or Markdown, keyed by format.

The dict is built by ``analyzer.compare.compare_documents``; this module only presents it.
HTML and Markdown come from the package templates (``compare.html``, ``compare.md``) in a
Jinja2 environment with autoescape and ``StrictUndefined``, sharing the audit report's filters,
CSS and script.

Exports:
    render_text(data) -> str                   -- a terminal summary
    render_html(data) -> str                   -- a self-contained HTML page
    render_markdown(data) -> str               -- a Markdown memo
    render(data, fmt) -> str, FORMATS          -- renderers keyed by format (json, text, html, md)
    spaced(pairs) -> list[tuple[str, str]]     -- redline pieces with spaces restored (a filter)
    plural(n, word) -> str, clip(text, width) -> str -- text helpers shared with the summary
    readable(data) -> dict                     -- a display copy: citation and cross-reference
                                                  changes named with their context
                                                  ("paragraph (a) → paragraph (1)", not "a → 1")
    outline_redline(row) -> list[list[str]]    -- a word redline of an ``outline`` row
    reading_order(data) -> list[tuple[str, dict]] -- clause rows and ``outline`` rows (titles,
                                                  preamble lines, headings) in one order, each
                                                  outline row where its paragraph stands
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

from .compare_outline import FRONT
from .report import short_location, to_json

__all__ = [
    "render_text",
    "render_html",
    "render_markdown",
    "render",
    "FORMATS",
    "spaced",
    "plural",
    "clip",
    "readable",
    "outline_redline",
    "reading_order",
]

# The word that names a cited unit, just before the changed label ("paragraph (", "subd. ").
_CITED = re.compile(
    r"((?:Minn\.\s*Stat\.\s*)?(?:§+|(?:sub)?sections?|subd(?:ivision)?s?\.?|(?:sub)?paragraphs?|"
    r"clauses?|articles?|chapters?|parts?|items?|orders?|policy|policies|schedules?|"
    r"attachments?|appendix|exhibits?)\s*\(?)$",
    re.IGNORECASE,
)


def plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def clip(text: str, width: int = 60) -> str:
    return textwrap.shorten(" ".join(str(text).split()), width=width, placeholder="\u2026")


def _cited(change: Mapping[str, Any], pieces: Sequence[Sequence[str]]) -> tuple[str, str] | None:
    """The changed label with the word that names it, from the row's redline: the hunk that
    deletes the change's old text and inserts its new text, widened to "paragraph (a)"."""
    old, new = str(change["model_text"]).strip(), str(change["doc_text"]).strip()
    for k in range(1, len(pieces) - 1):
        if pieces[k][0] != "delete" or str(pieces[k][1]).strip() != old:
            continue
        nxt = k + 1 if k + 1 < len(pieces) and pieces[k + 1][0] == "insert" else None
        if nxt is None or str(pieces[nxt][1]).strip() != new or pieces[k - 1][0] != "equal":
            continue
        found = _CITED.search(str(pieces[k - 1][1]).rstrip(" "))
        if not found:
            return None
        prefix = found.group(1).strip()
        after = str(pieces[nxt + 1][1]) if nxt + 1 < len(pieces) else ""
        close = ")" if prefix.endswith("(") and after.startswith(")") else ""
        glue = "" if prefix.endswith("(") else " "
        return f"{prefix}{glue}{old}{close}", f"{prefix}{glue}{new}{close}"
    return None


def readable(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the compare dict for display: each citation or cross-reference change whose
    label changed is named with its context in the change and in the summary sentences."""
    out = copy.deepcopy(dict(data))
    summary = list(out["summary"])
    for row in out["clauses"]:
        for change in row["changes"]:
            if change["category"] not in ("citation", "cross-reference"):
                continue
            named = _cited(change, row["redline"])
            if not named:
                continue
            short = f"{change['model_text']} \u2192 {change['doc_text']}"
            change["explanation"] = (
                f"{change['category'].replace('-', ' ')} changed: \u201c{named[0]}\u201d \u2192 "
                f"\u201c{named[1]}\u201d"
            )
            ref = row["old_ref"] or row["new_ref"]
            summary = [s.replace(f"{ref} ({short})", f"{ref} ({named[0]} \u2192 {named[1]})")
                       for s in summary]  # fmt: skip
    out["summary"] = summary
    return out


# ---------------------------------------------------------------- outline rows


def outline_redline(row: Mapping[str, Any]) -> list[list[str]]:
    """A word redline of an ``outline`` row (old text -> new text, spaces restored): a changed
    title, preamble line or heading reads like a clause's redline."""
    old, new = row["old_text"], row["new_text"]
    if old is None or new is None:
        return [["insert" if old is None else "delete", str(new if old is None else old)]]
    a, b = str(old).split(), str(new).split()
    pieces: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(("equal", " ".join(b[j1:j2])))
            continue
        if i2 > i1:
            pieces.append(("delete", " ".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("insert", " ".join(b[j1:j2])))
    return [[op, text] for op, text in spaced(pieces)]


def outline_name(row: Mapping[str, Any], side: str) -> str:
    """How a report names one side of an outline row: a heading by its clause ref, a front
    matter line as "title" (the first line) or "front matter line k"."""
    ref = row[f"{side}_ref"]
    if ref is None:
        return ""
    if ref.startswith(FRONT):
        k = int(ref[len(FRONT) :] or 0)
        return "title" if k == 0 else f"front matter line {k + 1}"
    return str(ref)


def _at(location: Mapping[str, int] | None) -> tuple[int, int]:
    return (location["page"], location["line"]) if location else (0, 0)


def reading_order(data: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``("clause", row)`` and ``("outline", row)`` in one reading order: the clause rows as
    they are (OLD order, inserted clauses after the one they follow), each outline row before
    the first clause row printed after it (an OLD paragraph by its OLD line, a NEW-only one by
    its NEW line; front matter first). Outline rows get ``redline``, ``old_name`` and
    ``new_name`` for display."""
    shown = [
        {
            **r,
            "redline": outline_redline(r),
            "old_name": outline_name(r, "old"),
            "new_name": outline_name(r, "new"),
        }
        for r in data.get("outline", [])
    ]
    queues = (
        [r for r in shown if r["old_ref"] is not None],
        [r for r in shown if r["old_ref"] is None],
    )
    out: list[tuple[str, dict[str, Any]]] = []
    for queue, side in zip(queues, ("old_location", "new_location"), strict=True):
        while queue and queue[0][side] is None:  # front matter: before every clause
            out.append(("outline", queue.pop(0)))
    for row in data["clauses"]:
        for queue, side in zip(queues, ("old_location", "new_location"), strict=True):
            if row[side] is None:
                continue
            while queue and _at(queue[0][side]) < _at(row[side]):
                out.append(("outline", queue.pop(0)))
        out.append(("clause", dict(row)))
    out += [("outline", r) for queue in queues for r in queue]
    return out


def outline_counts(data: Mapping[str, Any]) -> dict[str, int]:
    """Outline rows by status, plus ``moved`` and ``hidden`` (unchanged and in place: the rows
    the changed-only views leave out)."""
    rows = data.get("outline", [])
    counts = {s: sum(r["status"] == s for r in rows) for s in _STATUSES}
    counts["moved"] = sum(bool(r["moved"]) for r in rows)
    counts["hidden"] = sum(r["status"] == "unchanged" and not r["moved"] for r in rows)
    return counts


_STATUSES = ("unchanged", "edited", "inserted", "deleted")


def _outline_text(row: Mapping[str, Any]) -> list[str]:
    kind = "" if row["kind"] == "front" else "heading "
    if row["status"] == "inserted":
        return [f"  + {kind}{row['new_name']} inserted", f"      {clip(row['new_text'], 100)}"]
    if row["status"] == "deleted":
        return [f"  - {kind}{row['old_name']} deleted", f"      {clip(row['old_text'], 100)}"]
    arrow = f" -> {row['new_name']}" if row["new_name"] != row["old_name"] else ""
    status = row["status"] + (", moved" if row["moved"] else "")
    out = [f"  * {kind}{row['old_name']}{arrow} {status}"]
    if row["status"] == "edited":
        out.append("      " + _redline_text(row["redline"]))
    return out


def _redline_text(pairs: Sequence[Sequence[str]], context: int = 6) -> str:
    """A redline for the terminal: [-deleted-] {+inserted+}, long equal runs elided."""
    out: list[str] = []
    for k, (op, text) in enumerate(pairs):
        flat = " ".join(str(text).split())
        if op == "delete":
            out.append(f"[-{clip(flat, 120)}-]")
        elif op == "insert":
            out.append(f"{{+{clip(flat, 120)}+}}")
        else:
            words = flat.split()
            head = words[:context] if k < len(pairs) - 1 else words
            tail = words[-context:] if k > 0 else words
            if k == 0 and len(words) > context:
                out.append("\u2026 " + " ".join(words[-context:]))
            elif k == len(pairs) - 1 and len(words) > context:
                out.append(" ".join(words[:context]) + " \u2026")
            elif len(words) > 2 * context:
                out.append(" ".join(head) + " \u2026 " + " ".join(tail))
            else:
                out.append(flat)
    text = ""
    for piece in out:
        if piece:
            glue = "" if not text or piece[0] in ".,;:)" else " "
            text += glue + piece
    return text


def _text_row(row: Mapping[str, Any]) -> list[str]:
    status = row["status"] + (", substantive" if row["substantive"] else "")
    if row["status"] == "inserted":
        head = f"  + {row['new_ref']} ({short_location(row['new_location'])}) inserted"
        return [head, f"      {clip(row['new_text'], 100)}"]
    if row["status"] == "deleted":
        head = f"  - {row['old_ref']} ({short_location(row['old_location'])}) deleted"
        return [head, f"      {clip(row['old_text'], 100)}"]
    arrow = f" -> {', '.join(row['new_refs'])}" if row["new_ref"] != row["old_ref"] else ""
    out = [f"  * {row['old_ref']}{arrow} ({short_location(row['new_location'])}) {status}"]
    for c in row["changes"]:
        tag = c["category"] + (f" {c['direction']}" if c["direction"] else "")
        mark = "" if c["substantive"] else " (editorial)"
        out.append(f"      [{tag}] {clip(c['explanation'], 100)}{mark}")
    if row["redline"]:
        out.append("      " + _redline_text(row["redline"]))
    return out


def render_text(data: Mapping[str, Any]) -> str:
    """A terminal summary: the two drafts, the summary sentences, then each change."""
    data = readable(data)
    old, new, n = data["old"], data["new"], data["counts"]
    out = [
        f"Old: {old['path']} ({old['title'] or 'untitled'}; {old['clauses']} clauses)",
        f"New: {new['path']} ({new['title'] or 'untitled'}; {new['clauses']} clauses)",
        "",
        *(textwrap.fill(s, 100, subsequent_indent="  ") for s in data["summary"]),
        "",
        f"Clauses: {n['unchanged']} unchanged, {n['edited']} edited, {n['inserted']} inserted, "
        f"{n['deleted']} deleted, {n['substantive']} with substantive changes; "
        f"{plural(n['moved'], 'move')} ({plural(n['moved_clauses'], 'clause')}); "
        f"obligations: {n['weakened']} weakened, {n['strengthened']} strengthened",
    ]
    if data.get("outline"):
        o = outline_counts(data)
        out.append(
            f"Titles and headings: {o['unchanged']} unchanged, {o['edited']} edited, "
            f"{o['inserted']} inserted, {o['deleted']} deleted, {o['moved']} moved"
        )
    changed = [
        (kind, r) for kind, r in reading_order(data) if r["status"] != "unchanged" or r["moved"]
    ]
    if changed:
        out += ["", "Changes, in old order (new clauses after the clause they follow):"]
        for kind, row in changed:
            out += _outline_text(row) if kind == "outline" else _text_row(row)
    return "\n".join(out) + "\n"


def spaced(pairs: Sequence[Sequence[str]]) -> list[tuple[str, str]]:
    """Redline pieces with the space between words that the raw pieces leave out
    (none before punctuation), for templates that join them."""
    out: list[tuple[str, str]] = []
    for k, (op, text) in enumerate(pairs):
        joined = k == 0 or text[:1].isspace() or out[-1][1][-1:].isspace()
        glue = "" if joined or text[:1] in ".,;:)" else " "
        out.append((op, glue + text))
    return out


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """The report renderer's environment (same loader, escaping and filters) plus
    ``spaced`` for the compare templates."""
    from . import render as report_render

    env = report_render.make_environment()
    env.filters["spaced"] = spaced
    env.filters["link_refs"] = link_refs
    return env


def _asset(name: str) -> str:
    env = _environment()
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    return source


def _summary_targets(data: Mapping[str, Any]) -> dict[str, str]:
    """Clause ref -> the id of its article in the page (old refs first; a new ref that only
    an inserted clause has points at that clause)."""
    from .render import anchor

    targets: dict[str, str] = {}
    for row in data["clauses"]:
        if row["old_ref"] is not None:
            targets.setdefault(row["old_ref"], "old-" + anchor(row["old_ref"]))
    for row in data["clauses"]:
        target = (
            ("old-" + anchor(row["old_ref"]))
            if row["old_ref"] is not None
            else ("new-" + anchor(row["new_ref"]))
        )
        for ref in row["new_refs"]:
            targets.setdefault(ref, target)
    return targets


_REF = re.compile(r"[^\s,;:()\u2192]+")
_COUNTED = re.compile(r"\s+(?:more\s+)?(?:clause|section|obligation|citation|move|sentence)s?\b")


def link_refs(sentence: str, targets: Mapping[str, str]) -> Markup:
    """A summary sentence with each clause ref it lists linked to that clause (escaped): refs
    after the sentence's first colon, outside parentheses (counts and quoted text are not)."""
    out: list[str] = []
    start = sentence.find(": ")
    last = 0
    for m in _REF.finditer(sentence):
        token = m.group(0)
        ref = token.rstrip(".")
        before = sentence[: m.start()]
        outside = before.count("(") <= before.count(")") and "\u201c" not in token
        count = _COUNTED.match(sentence[m.end() :]) is not None  # "1 clause": a number
        if start >= 0 and m.start() > start and outside and not count and ref in targets:
            out.append(str(escape(sentence[last : m.start()])))
            out.append(f'<a href="#{escape(targets[ref])}">{escape(ref)}</a>')
            last = m.start() + len(ref)
    out.append(str(escape(sentence[last:])))
    return Markup("".join(out))


def render_html(data: Mapping[str, Any]) -> str:
    """A self-contained HTML page (the audit report's CSS and filter script, inline)."""
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        _environment()
        .get_template("compare.html")
        .render(
            data=readable(data),
            rows=reading_order(readable(data)),
            outline=outline_counts(data),
            links=_summary_targets(data),
            style=_asset("report.css"),
            script=script,
            script_hash=f"'sha256-{digest}'",
        )
    )


def render_markdown(data: Mapping[str, Any]) -> str:
    """A Markdown memo: the summary, then each changed clause with its redline."""
    shown = readable(data)
    return (
        _environment()
        .get_template("compare.md")
        .render(data=shown, rows=reading_order(shown), outline=outline_counts(data))
    )


FORMATS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "json": to_json,
    "text": render_text,
    "html": render_html,
    "md": render_markdown,
}


def render(data: Mapping[str, Any], fmt: str) -> str:
    return FORMATS[fmt](data)
