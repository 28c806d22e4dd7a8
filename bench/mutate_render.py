"""Rendering a variant (``bench.mutate``): labels per style, wrapping, running page furniture.

Exports:
    render(roots, st, gaps) -> [Para]   -- the outline as paragraphs with their labels
    layout(title, paras, width, hang, hyphens=None) -> [line]  -- one line per paragraph, or
        wrapped (hanging indents, words hyphenated at line ends)
    page_noise(lines, st, mid_ok) -> [line]  -- running headers and footers every ~40 lines
    body(node) -> str                    -- a node's heading and text as printed
    Para                                 -- one rendered paragraph
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from random import Random
from typing import TYPE_CHECKING

from bench import mutate_rules as rules

if TYPE_CHECKING:
    from bench.mutate import _Node, _State

__all__ = ["render", "layout", "page_noise", "body", "Para"]


@dataclass(frozen=True)
class Para:
    """One rendered paragraph: indent, label (marker), text, a blank line before it."""

    indent: str
    marker: str
    body: str
    gap: bool  # a blank line before it


def _roman(n: int) -> str:
    vals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for v, s in vals:
        while n >= v:
            out, n = out + s, n - v
    return out


def _fmt(kind: str, n: int) -> str:
    if kind == "I":
        return _roman(n)
    if kind == "i":
        return _roman(n).lower()
    if kind in ("A", "a"):
        s = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return s if kind == "A" else s.lower()
    return str(n)


def _marker(st: _State, kind: str, path: list[int], depth: int) -> tuple[str, str]:
    """(indent, marker) for a child at ``path`` (1-based positions from the root)."""
    n, style, ind = path[-1], st.style, "  " * (depth - 2)
    bullet = "- • " if st.doubled else "- "
    if kind == "none" or style in ("order", "none"):
        return "", ""
    if style == "original":
        return "", bullet if kind == "bullet" else f"{_fmt(kind, n)}. "
    if style == "compound":
        return "", bullet if kind == "bullet" else f"{_fmt(kind, n)}. "
    if style == "dotted":
        if depth == 2:
            return "", f"{st.manual}." + ".".join(map(str, path)) + " "
        return "", rules.DOTTED_DEEP[(depth - 3) % 3].format(
            _fmt(rules.DOTTED_KINDS[(depth - 3) % 3], n)
        )
    if style == "section":
        if depth <= 3:
            return "", ("Section " if depth == 2 else "") + ".".join(map(str, path)) + " "
        return "", f"({_fmt(rules.SECTION_DEEP[(depth - 4) % 4], n)}) "
    if style == "paren":
        return "", f"({_fmt(rules.PAREN[(depth - 2) % 6], n)}) "
    if style == "markdown":
        return ind, bullet if kind == "bullet" else f"{bullet}{_fmt(kind, n)}. "
    deep = [_fmt(rules.PATH_KINDS[d % 4], v) for d, v in enumerate(path[1:])]
    if style == "path":  # 417.4.A.1.i
        return "", bullet if kind == "bullet" else f"{st.manual}.{path[0]}." + ".".join(deep) + " "
    if style == "section_paren":  # Section 4(A)(1)(i)
        inner = "".join(f"({c})" for c in deep)
        return "", bullet if kind == "bullet" else f"Section {path[0]}{inner} "
    if style == "dashed":  # IV-A-1-i
        return "", bullet if kind == "bullet" else "-".join([_roman(path[0]), *deep]) + " "
    if style == "glued":  # 10.Whether
        return "", bullet if kind == "bullet" else f"{_fmt(kind, n)}."
    if style == "word_bullets":  # Word's exported bullets, by depth
        return ind, rules.WORD_BULLETS[(depth - 2) % 3] + " "
    if style == "article":  # Art. IV / § A(1)(i)
        head, *inner = deep
        return "", bullet if kind == "bullet" else f"\u00a7 {head}" + "".join(
            f"({c})" for c in inner
        ) + " "
    return ind, "- • " if st.doubled else "-*•"[(depth - 2) % 3] + " "


def _top(st: _State, n: int, node: _Node) -> str:
    head = node.heading or node.text
    title = head.title() if head.isupper() else head
    return {
        "original": f"{_roman(n)}. {head}",
        "order": f"Order {st.manual}.{n}: {title}",
        "compound": f"{st.manual}.{n} {head}",
        "dotted": f"{st.manual}.{n} {head}",
        "section": f"Section {n}. {title}",
        "paren": f"{n}. {head}",
        "markdown": f"## {head}",
        "path": f"{st.manual}.{n} {head}",
        "section_paren": f"Section {n}. {title}",
        "dashed": f"{_roman(n)}. {head}",
        "glued": f"{_roman(n)}.{head}",
        "article": f"Art. {_roman(n)}. {title}",
    }.get(st.style, head)


def body(node: _Node) -> str:
    h, t = node.heading, node.text
    if h and t:
        return h + (" " if h[-1] in ".:?" else ": ") + t
    return h or t


def render(roots: list[_Node], st: _State, gaps: bool) -> list[Para]:
    out: list[Para] = []

    def children(node: _Node, path: list[int]) -> None:
        for i, child in enumerate(node.children, 1):
            indent, marker = _marker(st, node.kind, [*path, i], len(path) + 1)
            if "-" in marker or "*" in marker or "•" in marker:
                st.kinds.add("doubled_bullets") if st.doubled else None
            first, *rest = body(child).split("\n")
            out.append(Para(indent, marker, first, gaps or not marker))
            out.extend(Para(indent, "", more, True) for more in rest if more.strip())
            children(child, [*path, i])

    for n, root in enumerate(roots, 1):
        out.append(Para("", "", _top(st, n, root), True))
        if root.heading and root.text:
            out.append(Para("", "", root.text, True))
        children(root, [n])
    return out


def layout(
    title: str, paras: list[Para], width: int | None, hang: bool, hyphens: Random | None = None
) -> list[str]:
    """The text's lines: one per paragraph, or wrapped at ``width`` (a hanging indent under
    the label with ``hang``; with ``hyphens``, long words split at some line ends,
    "enforce-" / "ment", and hyphenated words broken after their hyphen)."""
    lines = title.splitlines()
    for p in paras:
        if p.gap and lines and lines[-1] != "":
            lines.append("")
        if width is None:
            lines.append(p.indent + p.marker + p.body)
            continue
        sub = p.indent + (" " * len(p.marker) if hang else "")
        wrapped = textwrap.wrap(
            p.body,
            width,
            initial_indent=p.indent + p.marker,
            subsequent_indent=sub,
            break_long_words=False,
            break_on_hyphens=hyphens is not None,
        )
        lines.extend(_split_words(wrapped, width, sub, hyphens) if hyphens else wrapped)
    return lines


_SPLITTABLE = re.compile(r"[A-Za-z]{9,}")


def _split_words(lines: list[str], width: int, sub: str, rng: Random) -> list[str]:
    """Move the first part of the next line's long first word up, with a hyphen, where it
    fits (a typesetter's hyphenation: "enforce-" / "ment")."""
    out = list(lines)
    for k in range(len(out) - 1):
        rest = out[k + 1][len(sub) :]
        word = rest.split(" ", 1)[0]
        if not _SPLITTABLE.fullmatch(word) or rng.random() < 0.5:
            continue
        cut = min(len(word) - 3, width - len(out[k]) - 2)
        if cut < 3:
            continue
        out[k] = f"{out[k]} {word[:cut]}-"
        out[k + 1] = sub + rest[cut:]
    return out


def _header(st: _State, flavor: str, k: int, total: int) -> list[str]:
    name = st.agency if st.model_id == "post-sro" else st.district.removeprefix("the ")
    code = "507.5" if st.model_id == "msba-507.5" else str(st.manual)
    fields = {"name": name, "manual": st.manual, "code": code, "k": k, "total": total}
    parts = flavor.split("+")
    return ["", *[t.format(**fields) for part in parts for t in [*rules.HEADER_BLOCKS[part], ""]]]


def page_noise(lines: list[str], st: _State, mid_ok: bool) -> list[str]:
    rng = st.rng
    flavor = rng.choice(rules.HEADER_FLAVORS)
    if st.model_id != "msba-507.5":  # "507.5-3" is a school board's footer; Lexipol prints
        flavor = flavor.replace("district_page", "policy_page")  # "Policy 1003 - ... - 7"
    cuts, i = [], rng.randint(35, 45)
    while i < len(lines) - 5:
        j = i
        if not (mid_ok and rng.random() < 0.25):
            while j < len(lines) and lines[j] != "":
                j += 1
        if j >= len(lines) - 1:
            break
        cuts.append(j)
        i = j + rng.randint(35, 45)
    if not cuts:
        return lines
    out: list[str] = []
    prev = 0
    for k, cut in enumerate(cuts, 1):
        out.extend(lines[prev:cut])
        out.extend(_header(st, flavor, k, len(cuts) + 1))
        prev = cut + (1 if lines[cut] == "" else 0)
    out.extend(lines[prev:])
    st.note("page_headers", None, f"{flavor} every ~40 lines ({len(cuts)} breaks)")
    return out
