"""Text layout families: the same policy re-published as plain text or Markdown.

Two kinds of family. *Label* families rewrite only the outline labels of the clean text (the
clause tree says which line starts which labelled clause, with which label): the same words
under ``417.3.A``, ``Section 4(A)(1)(i)``, ``IV-A-1-i``, Word's bullets, glued labels or no
labels at all. *Page* families keep the labels and change the page: hard wraps at 60-100
columns (with or without hanging indents), page breaks with running footers in the middle of
paragraphs, text exports with and without blank lines, cp1252 with CRLF line ends, Markdown,
word-processor and PDF typography (curly quotes, en dashes, ligatures, soft hyphens).

Labels are renumbered from the tree (the k-th labelled child of its parent gets value k), so
a family never depends on how the source numbered its outline.

Exports: FAMILIES (tuple of Family), relabel(source, label_fn, ...), label_sites(source).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from random import Random

from analyzer.segment import lines_from_text

from .family import Family, Source

__all__ = ["FAMILIES", "relabel", "label_sites", "LabelSite"]


# ---------------------------------------------------------------------------------------------
# Where the labels are


@dataclass(frozen=True)
class LabelSite:
    """A labelled clause's first line: its index in the text's lines, the label as printed
    and where it starts, and the clause's path of sibling ordinals (1-based, labelled
    ancestors only: ``(4, 1, 1, 4)`` for IV.A.1.iv)."""

    line: int
    start: int
    printed: str
    path: tuple[int, ...]


_MARKUP_PREFIX = re.compile(r"^[\s\-*#\u2022\u25cf\u25aa>]*$")


def label_sites(source: Source) -> dict[int, LabelSite]:
    """Label sites of the labelled clauses of ``source`` keyed by line index."""
    lines = lines_from_text(source.text)
    index = {(ln.page, ln.line): i for i, ln in enumerate(lines)}
    ordinal: dict[str | None, int] = {}
    paths: dict[str, tuple[int, ...]] = {}
    sites: dict[int, LabelSite] = {}
    parents = {c.ref: c.parent for c in source.tree.clauses}
    for clause in source.tree.clauses:
        if not clause.label:
            continue
        parent = clause.parent
        while parent is not None and parent not in paths:  # unlabelled parents are skipped,
            if parent.endswith("Attachment"):  # but an attachment restarts the outline
                break
            parent = parents.get(parent)
        ordinal[parent] = ordinal.get(parent, 0) + 1
        path = (*paths.get(parent or "", ()), ordinal[parent])
        paths[clause.ref] = path
        i = index.get((clause.location.page, clause.location.line))
        if i is None:
            continue
        text = lines[i].text
        at = text.find(clause.label.strip())
        if at < 0 or not _MARKUP_PREFIX.match(text[:at]):
            continue
        sites[i] = LabelSite(i, at, clause.label.strip(), path)
    return sites


def relabel(
    source: Source,
    label_fn: Callable[[tuple[int, ...]], str] | None,
    *,
    keep_markup: bool = False,
    glue: bool = False,
) -> str:
    """The source text with every labelled clause's label replaced by ``label_fn(path)``
    ("" removes it; None keeps the printed label). Bullet and heading marks before a label
    go unless ``keep_markup``."""
    sites = label_sites(source)
    out: list[str] = []
    for i, ln in enumerate(lines_from_text(source.text)):
        site = sites.get(i)
        if site is None:
            out.append(ln.text)
            continue
        text = ln.text
        prefix = text[: site.start]
        indent = prefix[: len(prefix) - len(prefix.lstrip())]
        rest = text[site.start + len(site.printed) :].lstrip()
        if rest.endswith("**") and "**" in prefix and rest.count("**") % 2 == 1:
            rest = rest[:-2].rstrip()
        head = prefix if keep_markup else indent
        label = label_fn(site.path) if label_fn is not None else site.printed
        sep = "" if glue or not label else " "
        out.append(f"{head}{label}{sep}{rest}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# Number formats


def roman(n: int) -> str:
    vals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"))
    vals += ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out


def letter(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(ord("A") + r) + out
    return out


_KINDS: dict[str, Callable[[int], str]] = {
    "I": roman,
    "A": letter,
    "1": str,
    "i": lambda n: roman(n).lower(),
    "a": lambda n: letter(n).lower(),
}


def _fmt(kinds: str, depth: int, value: int) -> str:
    return _KINDS[kinds[depth % len(kinds)]](value)


def _encode(text: str, encoding: str = "utf-8", newline: str = "\n") -> bytes:
    return text.replace("\n", newline).encode(encoding, errors="replace")


# ---------------------------------------------------------------------------------------------
# Label families


def _dotted_with_section(source: Source, rng: Random) -> tuple[str, bytes]:
    """``417.3.A.1.i``: a policy number, then every component joined by dots."""
    number = rng.choice((417, 436, 1003, 507))

    def label(path: tuple[int, ...]) -> str:
        parts = [str(number), str(path[0])]
        parts += [_fmt("A1ia", d, v) for d, v in enumerate(path[1:])]
        return ".".join(parts)

    return ".txt", _encode(relabel(source, label))


def _section_paren(source: Source, rng: Random) -> tuple[str, bytes]:
    """``Section 4(A)(1)(i)``: the word Section, then parenthesised components."""

    def label(path: tuple[int, ...]) -> str:
        inner = "".join(f"({_fmt('A1ia', d, v)})" for d, v in enumerate(path[1:]))
        return f"Section {path[0]}{inner}" + ("." if not inner else "")

    return ".txt", _encode(relabel(source, label))


def _article_paragraph(source: Source, rng: Random) -> tuple[str, bytes]:
    """``Art. IV``, then ``§ A``, ``§ A(1)``, ``§ A(1)(i)``."""

    def label(path: tuple[int, ...]) -> str:
        if len(path) == 1:
            return f"Art. {roman(path[0])}."
        head = letter(path[1])
        inner = "".join(f"({_fmt('1ia', d, v)})" for d, v in enumerate(path[2:]))
        return f"\u00a7 {head}{inner}"

    return ".txt", _encode(relabel(source, label))


def _dashed(source: Source, rng: Random) -> tuple[str, bytes]:
    """``IV-A-1-i``: the full path joined by hyphens."""

    def label(path: tuple[int, ...]) -> str:
        return "-".join(_fmt("IA1ia", d, v) for d, v in enumerate(path))

    return ".txt", _encode(relabel(source, label))


def _paren_lexipol(source: Source, rng: Random) -> tuple[str, bytes]:
    """``1.`` then ``(a)``, ``(1)``, ``(i)``, ``(A)``: Lexipol's parenthesised lists."""

    def label(path: tuple[int, ...]) -> str:
        depth = len(path) - 1
        if depth == 0:
            return f"{path[0]}."
        return f"({_fmt('a1iA', depth - 1, path[-1])})"

    return ".txt", _encode(relabel(source, label))


def _outline_indented(source: Source, rng: Random) -> tuple[str, bytes]:
    """``I.`` / ``A.`` / ``1.`` / ``a.`` / ``i.``, each level indented four more spaces."""

    def label(path: tuple[int, ...]) -> str:
        depth = len(path) - 1
        return "    " * depth + _fmt("IA1ai", depth, path[-1]) + "."

    return ".txt", _encode(relabel(source, label))


_WORD_BULLETS = ("\u25cf", "o", "\u25aa")


def _word_bullets(source: Source, rng: Random) -> tuple[str, bytes]:
    """Word's exported bullets: ``●`` / ``o`` / ``▪`` by depth, indented, no numbers."""

    def label(path: tuple[int, ...]) -> str:
        depth = len(path) - 1
        return "  " * depth + _WORD_BULLETS[depth % 3]

    return ".txt", _encode(relabel(source, label))


def _glued(source: Source, rng: Random) -> tuple[str, bytes]:
    """The source's own label style with no space after the label (``10.Whether``)."""

    def label(path: tuple[int, ...]) -> str:
        return _fmt("IA1ia", len(path) - 1, path[-1]) + "."

    return ".txt", _encode(relabel(source, label, glue=True))


def _no_labels(source: Source, rng: Random) -> tuple[str, bytes]:
    """No outline labels at all: only the words and the blank lines between paragraphs."""
    return ".txt", _encode(relabel(source, lambda path: ""))


def _markdown(source: Source, rng: Random) -> tuple[str, bytes]:
    """Markdown: top-level clauses as ``##`` headings, the rest as nested ``-`` items with
    bold labels."""

    def label(path: tuple[int, ...]) -> str:
        depth = len(path) - 1
        mark = _fmt("IA1ia", depth, path[-1]) + "."
        if depth == 0:
            return f"## {mark}"
        return "  " * (depth - 1) + f"- **{mark}**"

    return ".md", _encode(relabel(source, label))


# ---------------------------------------------------------------------------------------------
# Page families


def _paragraphs(text: str) -> list[str]:
    return text.replace("\r\n", "\n").split("\n")


_LEAD_RE = re.compile(
    r"^(\s*(?:[-*\u2022\u25cf]\s+)?(?:\(?[0-9A-Za-z]{1,6}[.)]|\d+(?:\.\d+)+\.?)\s+)"
)


def _wrap_lines(text: str, width: int, *, hanging: bool) -> list[str]:
    out: list[str] = []
    for line in _paragraphs(text):
        if len(line) <= width:
            out.append(line)
            continue
        m = _LEAD_RE.match(line) if hanging else None
        indent = " " * len(m.group(1)) if m else ""
        lead = line[: len(line) - len(line.lstrip())]
        out.extend(
            textwrap.wrap(
                line.strip(),
                width=width,
                initial_indent=lead,
                subsequent_indent=indent or lead,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return out


def _hard_wrap(source: Source, rng: Random) -> tuple[str, bytes]:
    """Hard line breaks at 60-100 columns, continuation lines flush left."""
    width = rng.randint(60, 100)
    return ".txt", _encode("\n".join(_wrap_lines(source.text, width, hanging=False)) + "\n")


def _hard_wrap_hanging(source: Source, rng: Random) -> tuple[str, bytes]:
    """Hard line breaks at 60-100 columns, continuation lines indented under the text."""
    width = rng.randint(60, 100)
    return ".txt", _encode("\n".join(_wrap_lines(source.text, width, hanging=True)) + "\n")


def _with_pages(lines: list[str], rng: Random, footer: Callable[[int, int], list[str]]) -> str:
    """Break ``lines`` into pages of 40-55 lines (wherever that falls, mid-paragraph too)
    with ``footer(page, pages)`` at the foot of each and a form feed between pages."""
    size = rng.randint(40, 55)
    chunks = [lines[i : i + size] for i in range(0, len(lines), size)] or [[]]
    pages = []
    for p, chunk in enumerate(chunks, 1):
        pages.append("\n".join([*chunk, "", *footer(p, len(chunks))]))
    return "\n\f".join(pages) + "\n"


def _footers_page_of(source: Source, rng: Random) -> tuple[str, bytes]:
    """Wrapped at 70-90 columns, a page break every 40-55 lines with "Page N of M" under a
    policy-title footer, form feeds between pages."""
    lines = _wrap_lines(source.text, rng.randint(70, 90), hanging=False)
    title = source.tree.title or "School Resource Officer"

    def footer(page: int, pages: int) -> list[str]:
        return [title, f"Page {page} of {pages}"]

    return ".txt", _encode(_with_pages(lines, rng, footer))


def _footers_lexipol(source: Source, rng: Random) -> tuple[str, bytes]:
    """A Lexipol text export: copyright and "published with permission" footers and a
    "Policy N - Title - page" line at every page break, no form feeds."""
    lines = _wrap_lines(source.text, rng.randint(75, 95), hanging=False)
    number = rng.choice((417, 436, 1003))
    stamp = f"{rng.randint(2019, 2025)}/{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}"

    def footer(page: int, pages: int) -> list[str]:
        return [
            f"Copyright Lexipol, LLC {stamp}, All Rights Reserved.",
            "Published with permission by Springfield Police Department",
            f"Policy {number} - School Resource Officer - {page}",
            "",
        ]

    text = _with_pages(lines, rng, footer).replace("\f", "")
    return ".txt", _encode(text)


def _no_blank_lines(source: Source, rng: Random) -> tuple[str, bytes]:
    """A text export without blank lines: one line per paragraph, nothing between."""
    lines = [ln for ln in _paragraphs(source.text) if ln.strip()]
    return ".txt", _encode("\n".join(lines) + "\n")


def _double_spaced(source: Source, rng: Random) -> tuple[str, bytes]:
    """A text export with a blank line after every line, and trailing spaces."""
    lines = [ln + " " * rng.randint(0, 2) for ln in _paragraphs(source.text) if ln.strip()]
    return ".txt", _encode("\n\n".join(lines) + "\n")


def _cp1252_crlf(source: Source, rng: Random) -> tuple[str, bytes]:
    """Windows: cp1252 bytes with CRLF line ends."""
    return ".txt", _encode(source.text, "cp1252", "\r\n")


_RANGE_RE = re.compile(r"(?<=\d)-(?=\d)")
_APOSTROPHE_RE = re.compile(r"(?<=\w)'(?=\w|\s|$)")
_QUOTED_RE = re.compile(r'"([^"\n]*)"')


def _typeset_quotes(source: Source, rng: Random) -> tuple[str, bytes]:
    """A word processor's typography: curly apostrophes and quotes, en dashes in ranges."""
    text = _APOSTROPHE_RE.sub("\u2019", source.text)
    text = _QUOTED_RE.sub("\u201c\\1\u201d", text)
    return ".txt", _encode(_RANGE_RE.sub("\u2013", text))


def _typeset_spacing(source: Source, rng: Random) -> tuple[str, bytes]:
    """PDF-copied typography: ligatures (fi, fl, ff), non-breaking spaces after section
    signs and abbreviations, soft hyphens in long words."""
    text = source.text.replace("ffi", "\ufb03").replace("fi", "\ufb01").replace("fl", "\ufb02")
    text = re.sub(r"(\u00a7|Stat\.|Minn\.|Subd\.) ", "\\1\u00a0", text)
    text = re.sub(r"\b(\w{5})(\w{5,})", lambda m: m.group(1) + "\u00ad" + m.group(2), text)
    return ".txt", _encode(text)


def _tree_identity(source: Source, rng: Random) -> tuple[str, bytes]:
    """The harness's own check: relabelled with the labels the source printed."""
    return ".txt", _encode(relabel(source, None, keep_markup=True))


def _family(
    name: str,
    render: Callable[[Source, Random], tuple[str, bytes]],
    held_out: bool,
    kind: str = "text",
) -> Family:
    doc = (render.__doc__ or "").strip().split("\n\n")[0]
    return Family(name, kind, held_out, render, " ".join(doc.split()))


FAMILIES: tuple[Family, ...] = (
    _family("text-identity", _tree_identity, False),
    _family("labels-dotted-section", _dotted_with_section, False),
    _family("labels-section-paren", _section_paren, False),
    _family("labels-paren-lexipol", _paren_lexipol, False),
    _family("labels-word-bullets", _word_bullets, False),
    _family("labels-glued", _glued, False),
    _family("labels-none", _no_labels, False),
    _family("markdown", _markdown, False, "markdown"),
    _family("cp1252-crlf", _cp1252_crlf, False),
    _family("typeset-quotes-dashes", _typeset_quotes, False),
    _family("export-double-spaced", _double_spaced, False),
    _family("wrap-flush", _hard_wrap, False),
    _family("footers-page-of", _footers_page_of, False),
    # held out: written, never tuned on; run at the end
    _family("labels-article-paragraph", _article_paragraph, True),
    _family("labels-dashed", _dashed, True),
    _family("labels-outline-indented", _outline_indented, True),
    _family("export-no-blank-lines", _no_blank_lines, True),
    _family("wrap-hanging", _hard_wrap_hanging, True),
    _family("footers-lexipol", _footers_lexipol, True),
    _family("typeset-ligatures-spaces", _typeset_spacing, True),
)
