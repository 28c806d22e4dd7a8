"""Outline labels: read the label at the start of a line of a policy.

A label is read with every style it could be (``I.`` is a Roman one or the letter I, ``v.``
a Roman five or the letter v); the segmenter picks the reading that continues an open list.
Styles: ROMAN, LETTER, digit, roman, letter, their parenthesized forms ``(a)``, and dotted
section numbers (``436.3.1``, ``Order 417.2:``, ``Section 3``).

Exports: ParsedLabel, parse_label(text), BULLET_RE, MD_HEADING_RE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ParsedLabel", "parse_label", "BULLET_RE", "MD_HEADING_RE"]

_ROMAN = {"i": 1, "v": 5, "x": 10}
BULLET_RE = re.compile(
    r"^(?:(?:[-*\u2022\u25cf\u25aa\u2013]|\d+\))\s+)?[-*\u2022\u25cf\u25aa\u2013]\s+"
)
MD_HEADING_RE = re.compile(r"^(#{1,6})\s+")
_ORDER_RE = re.compile(
    r"^((?:Order|Section|Sec\.|Article|Art\.|\u00a7)\s*(\d+(?:\.\d+)*)\s*[:.\-\u2013]?)(?:\s+|$)"
)
_DOTTED_RE = re.compile(r"^((\d{1,4}(?:\.\d{1,4})+)\.?)(?:\s+(?=[A-Z(\"\u201c*])|$)")
_SIMPLE_RE = re.compile(r"^(([IVX]{1,5}|[A-Z]|\d{1,3}|[ivx]{1,5}|[a-z])[.)])(?:\s+|$)")
_PAREN_RE = re.compile(r"^(\((\d{1,3}|[ivx]{1,5}|[a-z]|[A-Z]|[IVX]{1,5})\))(?:\s+|$)")


def _roman_value(s: str) -> int | None:
    s = s.lower()
    total, prev = 0, 0
    for ch in reversed(s):
        v = _ROMAN.get(ch)
        if v is None:
            return None
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total if total > 0 else None


@dataclass(frozen=True)
class ParsedLabel:
    """A label at the start of a line: as printed, its candidate (style, value) readings
    (``I.`` is a Roman one or the letter I), its ref component, and the text after it."""

    printed: str
    candidates: tuple[tuple[str, int], ...]
    component: str
    rest: str
    dotted: tuple[int, ...] = ()


def _letter_value(ch: str) -> int:
    return ord(ch.lower()) - ord("a") + 1


def _simple_candidates(core: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    if core.isdigit():
        return [("digit", int(core))]
    upper = core.isupper()
    roman = _roman_value(core)
    if roman is not None:
        out.append(("ROMAN" if upper else "roman", roman))
    if len(core) == 1:
        out.append(("LETTER" if upper else "letter", _letter_value(core)))
    return out


def parse_label(text: str) -> ParsedLabel | None:
    """Read an outline label at the start of ``text`` (already stripped of bullets)."""
    m = _ORDER_RE.match(text)
    if m:
        nums = tuple(int(p) for p in m.group(2).split("."))
        return ParsedLabel(m.group(1), (("dotted", len(nums)),), m.group(2), text[m.end() :], nums)
    m = _DOTTED_RE.match(text)
    if m:
        nums = tuple(int(p) for p in m.group(2).split("."))
        return ParsedLabel(m.group(1), (("dotted", len(nums)),), m.group(2), text[m.end() :], nums)
    m = _SIMPLE_RE.match(text)
    if m:
        core = m.group(2)
        cands = _simple_candidates(core)
        if cands:
            return ParsedLabel(m.group(1), tuple(cands), core, text[m.end() :])
    m = _PAREN_RE.match(text)
    if m:
        core = m.group(2)
        cands = [("(" + s + ")", v) for s, v in _simple_candidates(core)]
        if cands:
            return ParsedLabel(m.group(1), tuple(cands), core, text[m.end() :])
    return None
