"""Line shapes the outline reads: plain text, an open line, a heading's shape, a path prefix.

Shared by the outline builder (``analyzer.outline``) and the clause walk
(``analyzer.outline_clauses``).

Exports: plain(text), ends_open(text), is_heading_shaped(text, *, strict), is_prefix(a, b),
and_or_after_semicolon(text), TERMINAL, MODAL_WORDS.
"""

from __future__ import annotations

import re

from .labels import MD_HEADING_RE as _MD_HEADING_RE

__all__ = [
    "plain",
    "ends_open",
    "is_heading_shaped",
    "is_prefix",
    "and_or_after_semicolon",
    "TERMINAL",
    "MODAL_WORDS",
]

TERMINAL = _TERMINAL = (".", ";", ":", "?", "!", ".)", ".\u201d", '."', ")")
MODAL_WORDS = _MODAL_WORDS = re.compile(
    r"\b(shall|must|should|may|will|is required|are required|is expected|means|include)\b", re.I
)
# an emphasis mark at a word's edge (the lookahead first lets the engine skip to a mark)
_EMPHASIS = re.compile(r"(?=[*_])(?:[*_](?<!\w[*_])(?=\S)|[*_](?<=\S[*_])(?!\w))")


def _plain(text: str) -> str:
    """Text without markdown emphasis/heading marks, whitespace collapsed."""
    if "*" not in text and "_" not in text and "#" not in text:
        return " ".join(text.split())
    t = _MD_HEADING_RE.sub("", text.strip())
    t = t.replace("**", "").replace("__", "")
    t = _EMPHASIS.sub("", t)
    return " ".join(t.split())


plain = _plain


def _ends_open(text: str) -> bool:
    t = text.rstrip().rstrip("*").rstrip()
    if and_or_after_semicolon(t):
        return False  # "...; and" closes a list item
    return bool(t) and not t.endswith(_TERMINAL)


def and_or_after_semicolon(text: str) -> bool:
    """``text`` ends with ";", maybe spaces, and "and" or "or" (as the regex
    ``;\\s*(and|or)$`` would say, without trying every position of a long line)."""
    if text.endswith("\n"):
        text = text[:-1]  # as "$" does
    for word in ("and", "or"):
        if text.endswith(word) and text[: -len(word)].rstrip().endswith(";"):
            return True
    return False


ends_open = _ends_open


def _is_heading_shaped(text: str, *, strict: bool) -> bool:
    t = text.strip()
    if not t:
        return False
    limit = 14 if t.endswith(":") else 12
    if strict:
        limit = 8
    words = t.split(None, limit)  # every word, or more than ``limit`` pieces: too long
    if len(words) > limit:
        return False
    if t.endswith((";", ",")) or (t.endswith(".") and len(words) > 4 and not strict):
        return False
    if strict and t.endswith((".", ":")) and not t.lower().endswith((".pdf", ".docx")):
        return False
    if _MODAL_WORDS.search(t):  # the cheap tests first: each of these says no alone
        return False
    if not strict and (len(words) <= 3 or t.endswith(":")):
        return True  # short, or a lead-in: a heading whatever its case
    letters = list(filter(str.isalpha, t))
    if letters and sum(map(str.isupper, letters)) / len(letters) > 0.8:
        return True  # capitals
    long_words = [w for w in words if len(w.strip("()\"'.,:")) >= 4]
    return bool(long_words) and sum(w[0].isupper() for w in long_words) / len(long_words) >= 0.6


def _is_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return len(a) < len(b) and b[: len(a)] == a


is_heading_shaped = _is_heading_shaped
is_prefix = _is_prefix
