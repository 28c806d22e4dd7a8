"""Render an audit dict (``policydiff/audit@1``, see docs/CONTRACTS.md) as HTML, Markdown or CSV.

The HTML report is one self-contained file: inline CSS and a small inline script (allowed by a
Content-Security-Policy hash, nothing remote), a print stylesheet, and a "show only substantive
findings" checkbox (``?substantive=1`` in the URL ticks it on load). Every piece of document
text is escaped: Jinja2 autoescapes HTML, the ``md`` filter escapes Markdown, CSV goes through
the csv module. Templates use ``StrictUndefined``, so a missing field is an error, not a blank.

Exports:
    render_html(data) -> str         -- the HTML report of one audit
    render_markdown(data) -> str     -- a Markdown memo of one audit
    render_csv(data) -> str          -- one CSV row per model provision
    render_index_html(rows) -> str   -- the index page of a batch (see ``index_row``)
    index_row(data, href) -> dict    -- one index row from an audit dict and its report link
    RENDERERS                        -- {"html": ..., "md": ..., "csv": ...}
    CSV_FIELDS                       -- the CSV header
    make_environment() -> Environment -- the Jinja2 environment with the report filters
    redline_html(pairs) -> Markup    -- a redline as escaped HTML with <del>/<ins>
    pieces_html(pieces) -> Markup    -- a full redline (report_view.display_redline) as HTML
    pieces_md(pieces) -> str         -- the same as Markdown

What is shown in which order, under which reference names and with which counts is decided
once, in ``report_view`` (shared with the text report); the templates only lay it out.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from . import report_view as view

__all__ = [
    "render_html",
    "render_markdown",
    "render_csv",
    "render_index_html",
    "index_row",
    "RENDERERS",
    "CSV_FIELDS",
    "make_environment",
    "redline_html",
    "pieces_html",
    "pieces_md",
]

CSV_FIELDS = (
    "model_ref",
    "status",
    "substantive",
    "moved",
    "doc_ref",
    "page",
    "line",
    "similarity",
    "categories",
    "change_summary",
    "model_text",
    "doc_text",
)

VERDICT_LABELS = {
    "identical": "Identical",
    "substantially-similar": "Substantially similar",
    "needs-review": "Needs review",
    "not-substantially-similar": "Not substantially similar",
}
CATEGORY_WORDS = {
    "modality": "obligation changed",
    "negation": "negation changed",
    "number": "number changed",
    "date": "date changed",
    "duration": "duration changed",
    "citation": "citation changed",
    "cross-reference": "cross-reference changed",
    "scope": "scope changed",
    "entity": "party changed",
    "wording": "wording changed",
}
_MD_SPECIAL = re.compile(r"([\\`*_~\[\]|#])")
_CSV_FORMULA = re.compile(r"^(?:[=+@\t\r]|-(?=\S))")

Row = Mapping[str, Any]


# ---------------------------------------------------------------- filters


def verdict_label(verdict: str) -> str:
    """'not-substantially-similar' -> 'Not substantially similar'."""
    return VERDICT_LABELS.get(verdict, str(verdict))


def where(location: Mapping[str, int] | None, *, prose: bool = False) -> str:
    """A location: 'p. 2, lines 14-16', 'p. 2, line 14 - p. 3, line 2' or '—' for tables;
    with ``prose`` (a letter's sentences) 'page 2, lines 14-16', 'page 2, line 14 to page 3,
    line 2' or ''."""
    if not location:
        return "" if prose else "—"
    page_word, to, dash = ("page", " to ", "-") if prose else ("p.", " – ", "–")
    page, line = location["page"], location["line"]
    end_page, end_line = location.get("end_page", page), location.get("end_line", line)
    if end_page != page:
        return f"{page_word} {page}, line {line}{to}{page_word} {end_page}, line {end_line}"
    if end_line != line:
        return f"{page_word} {page}, lines {line}{dash}{end_line}"
    return f"{page_word} {page}, line {line}"


def describe_change(change: Row) -> str:
    """One change in words: its explanation, else '<category> changed: "a" -> "b"'."""
    if change["explanation"]:
        return str(change["explanation"])
    words = CATEGORY_WORDS.get(change["category"], "changed")
    return f"{words}: “{change['model_text']}” → “{change['doc_text']}”"


def md(text: object) -> str:
    """Escape text for Markdown: no HTML (<, >, &), no table breaks (|), no code or emphasis."""
    flat = " ".join(str(text).split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", flat)


def _md_keep_space(text: str, body: str) -> str:
    """``body`` with one space where ``text`` had leading / trailing whitespace."""
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() else ""
    return f"{lead}{body}{trail}"


def _md_piece(op: str, text: str) -> str:
    if not text.strip():
        return " " if text else ""
    mark = {"delete": "~~", "insert": "**"}.get(op, "")
    return _md_keep_space(text, f"{mark}{md(text)}{mark}")


def redline_md(pairs: Sequence[Sequence[str]]) -> str:
    """A redline as Markdown: ``~~deleted~~ **inserted**``, equal text escaped."""
    out: list[str] = []
    previous = ""
    for op, text in pairs:
        piece = _md_piece(op, text)
        if previous == "delete" and op == "insert" and out and not out[-1].endswith(" "):
            piece = " " + piece.lstrip()
        out.append(piece)
        previous = op
    return re.sub(r" {2,}", " ", "".join(out)).strip()


def redline_html(pairs: Sequence[Sequence[str]]) -> Markup:
    """A redline as HTML: ``<del>``/``<ins>`` around the words, whitespace kept outside the
    tags, every piece escaped."""
    out: list[str] = []
    for op, text in pairs:
        core = text.strip()
        if not core:
            out.append(str(escape(text)))
            continue
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()) :]
        tag = {"delete": "del", "insert": "ins"}.get(op)
        body = f"<{tag}>{escape(core)}</{tag}>" if tag else str(escape(core))
        if op == "insert" and out and out[-1].endswith("</del>") and not lead:
            lead = " "
        out.append(f"{escape(lead)}{body}{escape(trail)}")
    return Markup("".join(out))


def pieces_html(pieces: Sequence[Sequence[str]]) -> Markup:
    """``display_redline`` pieces as HTML: the engine's ``<del>``/``<ins>``, a declared
    substitution as a swap (model words, arrow, document words), a normalised-away
    difference as the document's words with the model's on hover (and shown in the "all
    edits" mode). Every piece escaped."""
    out: list[str] = []
    run: list[tuple[str, str]] = []
    for kind, text, old in pieces:
        if kind in ("equal", "delete", "insert"):
            run.append((kind, text))
            continue
        out.append(str(redline_html(run)))
        run = []
        if kind == "swap":
            out.append(
                f'<span class="swap" title="declared substitution: the model says “{escape(old)}”">'
                f'<span class="was">{escape(old)}</span><span class="arrow" aria-hidden="true">'
                f' ⇄ </span><span class="now">{escape(text)}</span></span>'
            )
        else:
            out.append(
                f'<span class="same" title="normalised away: the model says “{escape(old)}”">'
                f'<span class="was">{escape(old)}</span>'
                f'<span class="now">{escape(text)}</span></span>'
            )
    out.append(str(redline_html(run)))
    return Markup("".join(out))


def pieces_md(pieces: Sequence[Sequence[str]]) -> str:
    """``display_redline`` pieces as Markdown: ``~~deleted~~ **inserted**``, a declared
    substitution as ``‹model ⇄ document›``, a normalised-away difference as
    ``‹model ≈ document›``."""
    out: list[str] = []
    previous = ""
    for kind, text, old in pieces:
        if kind in ("equal", "delete", "insert"):
            piece = _md_piece(kind, text)
            if previous == "delete" and kind == "insert" and out and not out[-1].endswith(" "):
                piece = " " + piece.lstrip()
        else:
            piece = f"‹{md(old)} {'⇄' if kind == 'swap' else '≈'} {md(text)}›"
        out.append(piece)
        previous = kind
    return re.sub(r" {2,}", " ", "".join(out)).strip()


def anchor(ref: object) -> str:
    """An HTML id for a model ref: 'IV.A.1.iv' -> 'p-IV.A.1.iv'."""
    return "p-" + re.sub(r"[^A-Za-z0-9.\-]+", "_", str(ref))


def percent(value: float) -> str:
    return f"{round(float(value) * 100)}%"


def _substantive(provision: Row) -> bool:
    """Rows the 'substantive only' filter keeps: substantive changes and missing provisions."""
    return bool(provision["substantive"]) or provision["status"] == "missing"


# ---------------------------------------------------------------- environment


def make_environment() -> Environment:
    """A Jinja2 environment over ``analyzer/templates``: autoescape for HTML, StrictUndefined,
    and the report filters; other renderers (compare) add their own filters to a new one."""
    env = Environment(
        loader=PackageLoader("analyzer", "templates"),
        autoescape=select_autoescape(
            enabled_extensions=("html",), disabled_extensions=("md",), default=True
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        verdict_label=verdict_label,
        where=where,
        describe_change=describe_change,
        md=md,
        redline_md=redline_md,
        redline_html=redline_html,
        anchor=anchor,
        percent=percent,
        pieces_html=pieces_html,
        pieces_md=pieces_md,
        counts=view.counts,
        open_label=view.open_label,
        sections=view.sections,
        decisive=view.decisive,
        doc_ref=view.doc_ref,
        name_refs=view.name_refs,
        model_ref=view.model_ref,
        count=view.count,
        change_context=view.change_context,
        display_redline=view.display_redline,
        normalised=view.normalised,
    )
    env.tests["substantive"] = _substantive
    return env


_ENV = make_environment()


def _script() -> tuple[str, str]:
    """The inline script and its CSP hash ('sha256-...')."""
    source, _, _ = _ENV.loader.get_source(_ENV, "report.js")  # type: ignore[union-attr]
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")
    return source, f"'sha256-{digest}'"


def _style() -> str:
    source, _, _ = _ENV.loader.get_source(_ENV, "report.css")  # type: ignore[union-attr]
    return source


# ---------------------------------------------------------------- renderers


def render_html(data: Mapping[str, Any]) -> str:
    """The self-contained HTML report of one audit dict."""
    script, script_hash = _script()
    return _ENV.get_template("report.html").render(
        data=data, style=_style(), script=script, script_hash=script_hash
    )


def render_markdown(data: Mapping[str, Any]) -> str:
    """A Markdown memo: verdict, checklist, findings that matter, then the rest in a table."""
    return _ENV.get_template("report.md").render(data=data)


def _csv_cell(value: object) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if _CSV_FORMULA.match(text) else text


def _csv_row(provision: Row) -> dict[str, str]:
    location = provision["location"] or {}
    changes = provision["changes"]
    categories = sorted({c["category"] for c in changes})
    values: dict[str, object] = {
        "model_ref": provision["model_ref"],
        "status": provision["status"],
        "substantive": provision["substantive"],
        "moved": provision["moved"],
        "doc_ref": provision["doc_ref"],
        "page": location.get("page"),
        "line": location.get("line"),
        "similarity": f"{float(provision['similarity']):.3f}",
        "categories": ";".join(categories),
        "change_summary": "; ".join(describe_change(c) for c in changes),
        "model_text": provision["model_text"],
        "doc_text": provision["doc_text"],
    }
    return {key: _csv_cell(values[key]) for key in CSV_FIELDS}


def render_csv(data: Mapping[str, Any]) -> str:
    """One row per model provision, in model order, with the header ``CSV_FIELDS``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for provision in data["provisions"]:
        writer.writerow(_csv_row(provision))
    return buffer.getvalue()


def index_row(data: Mapping[str, Any], href: str) -> dict[str, Any]:
    """One row of the batch index from an audit dict and the relative link to its report."""
    statuses = [r["status"] for r in data.get("requirements", [])]
    return {
        "href": href,
        "title": data["document"]["title"],
        "path": data["document"]["path"],
        "model": data["model"]["id"],
        "verdict": data["verdict"],
        "summary": data["summary"],
        "checklist": {s: statuses.count(s) for s in ("met", "weakened", "needs-review", "missing")},
        "error": None,
    }


def render_index_html(rows: Sequence[Row]) -> str:
    """The batch index page: one row per document with title, model, verdict, counts, link.

    Each row has ``href``, ``title``, ``path``, ``model``, ``verdict``, ``summary`` (the
    audit's summary dict), ``checklist`` ({met, weakened, missing} counts) and ``error``
    (None, or the message of a document that failed; then verdict/summary/checklist may be
    None). ``index_row`` builds one from an audit dict.
    """
    return _ENV.get_template("index.html").render(rows=rows, style=_style())


RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "html": render_html,
    "md": render_markdown,
    "csv": render_csv,
}
