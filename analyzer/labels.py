"""Outline labels as a grammar: read the label at the start of a line of a policy.

A label is a sequence of components joined by ``.``, ``-`` or ``)(`` (a space may precede a
parenthesised component), each component Roman (``IV``, ``iv``), Arabic (``12``, ``1205``)
or a letter (``A``, ``a``, ``AA``), bare or parenthesised; optionally after a word
(``Section``, ``Sec.``, ``Article``, ``Art.``, ``Order``, ``Subd.``, ``Subdivision``, ``§``).
It ends with ``.``, ``)`` or ``:``, a closing parenthesis, or (for a label of several
components or after a word) a space; it may be glued to its text (``10.Whether``).
Examples: ``IV.``, ``(a)``, ``b)``, ``436.3.1``, ``417.3.A``, ``1003.4.E.3.4.c``,
``IV-A-1-i``, ``Section 4(A)(1)(i)``, ``Art. IV``, ``§ A(1)``, ``Order 417.2:``.

A one-component label is read with every kind it could be (``I.`` is a Roman one or the
letter I, ``v.`` a Roman five or the letter v); the outline builder picks the reading that
continues an open list. A label of several components states its own path
(``IV-A-1-i``): the builder nests it under the label whose path is its prefix.

Bullets are a separate grammar: a glyph (``-``, ``*``, ``•``, ``●``, ``o``, ``▪``, ``■``,
``◦``, ``➢``, Word's private-use bullets) before a space.

Parsing is a single left-to-right scan: linear in the line, any number of digits.

Exports: ParsedLabel, parse_label(text), roman_value(text), component_values(component),
BULLET_RE, BULLET_GLYPHS, MD_HEADING_RE.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "ParsedLabel",
    "parse_label",
    "roman_value",
    "component_values",
    "BULLET_RE",
    "BULLET_GLYPHS",
    "MD_HEADING_RE",
]

BULLET_GLYPHS = _BULLET_GLYPHS = (
    "-*\u2022\u25cf\u25aa\u25a0\u25e6\u27a2\u2013\u2023\u2043\u25cb\uf0b7\uf0a7\uf0d8\uf0fc"
)
# A doubled bullet ("• ● text", an extraction artifact) is one bullet; a number before a
# bullet ("1) - text") is a label, never stripped with the bullet (its text would vanish).
BULLET_RE = re.compile(
    rf"^(?:(?:[{_BULLET_GLYPHS}]|o(?=\s))\s+)?(?:[{_BULLET_GLYPHS}]|o(?=\s+\S))\s+"
)
MD_HEADING_RE = re.compile(r"^(#{1,6})\s+")

# the word a label may follow, and the kind of list it names
_WORD_RE = re.compile(
    r"(section|sec\.|article|art\.|order|subdivision|subd\.|\u00a7{1,2})\s*", re.IGNORECASE
)
_ROMAN_RE = re.compile(
    r"^(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})$"
)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
# a cheap first look: what a label can start with
_MAYBE_RE = re.compile(
    r"[\d(\u00a7]|[A-Za-z]{1,2}[.):\-( ]|[ivxlcdmIVXLCDM]{1,7}[.):\-( ]|(?i:sec|art|order|subd)"
)
_WORD_FIRST = frozenset("AOSaos\u00a7\u017f")  # what _WORD_RE can start with ("\u017f" is "s")
_LETTERS_RE = re.compile(r"[A-Za-z]{1,8}")  # a letter component: at most 8 ASCII letters
_ARTICLE_RE = re.compile(r"[AI] [a-z]")
_INITIAL_RE = re.compile(r"[A-Za-z]\.")
_GLUE_OK = re.compile(r"[A-Z\"\u201c(*]|[a-z]{3}")  # what may follow a label glued to its text


def roman_value(text: str) -> int | None:
    """The value of a Roman numeral (either case), or None if ``text`` is not one."""
    s = text.lower()
    if not _ROMAN_RE.match(s):
        return None
    total, prev = 0, 0
    for ch in reversed(s):
        v = _ROMAN_VALUES[ch]
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


@dataclass(frozen=True)
class ParsedLabel:
    """A label at the start of a line.

    ``printed``: the label as printed; ``candidates``: the (kind, value) readings of a
    one-component label (kinds ``ROMAN``, ``LETTER``, ``digit``, ``roman``, ``letter``, the
    parenthesised ``(a)`` forms, prefixed by the word: ``section digit``), or
    ``(("path", n),)`` for a label of ``n >= 2`` components; ``component``: its ref
    component (the path joined by dots for a path label); ``rest``: the text after it;
    ``path``: the components as printed, without parentheses (``("4", "A", "1", "i")``).
    """

    printed: str
    candidates: tuple[tuple[str, int], ...]
    component: str
    rest: str
    path: tuple[str, ...] = ()
    word: str = ""

    @property
    def is_path(self) -> bool:
        return self.candidates[0][0] == "path"


def component_values(component: str) -> frozenset[str]:
    """The positions a ref component can stand for, whatever its kind: ``IV``, ``iv``,
    ``4`` and ``D`` all stand for 4 (``i`` for 1 or 9); anything else stands for itself."""
    core = component.lstrip("\u00b6").lower()
    values = {str(v) for _, v in _readings(core)} if core.isalnum() and core.isascii() else set()
    return frozenset(values or {core})


def _letter_value(core: str) -> int:
    """``a`` 1 ... ``z`` 26, ``aa`` 27 (a doubled letter continues the alphabet)."""
    return ord(core[0].lower()) - ord("a") + 1 + 26 * (len(core) - 1)


def _readings(core: str) -> tuple[tuple[str, int], ...]:
    """Every (kind, value) ``core`` can be read as; a label's core (at most 9 characters)
    from a small table of those already read."""
    return _short_readings(core) if len(core) <= 9 else _read(core)


def _read(core: str) -> tuple[tuple[str, int], ...]:
    if core.isdigit():  # "\u2460" and "\u00b2" are digits but no decimal number: no reading
        return (("digit", int(core)),) if core.isdecimal() else ()
    upper = core.isupper()
    out: list[tuple[str, int]] = []
    roman = roman_value(core)
    if roman is not None:
        out.append(("ROMAN" if upper else "roman", roman))
    if len(core) == 1 or (len(core) == 2 and core[0] == core[1]):
        out.append(("LETTER" if upper else "letter", _letter_value(core)))
    return tuple(out)


_short_readings = lru_cache(maxsize=4096)(_read)


def _component(text: str, pos: int) -> int:
    """End of a bare component starting at ``pos`` (== pos if there is none)."""
    n = len(text)
    end = pos
    if end < n and text[end].isdigit():
        while end < n and text[end].isdigit() and end - pos < 9:
            end += 1
        return end if end == n or not text[end].isalpha() else pos
    m = _LETTERS_RE.match(text, pos)
    if m is None:
        return pos
    end = m.end()
    if end < n and text[end].isalpha():
        return pos
    return end if _readings(text[pos:end]) else pos


def _scan_all(text: str, pos: int) -> tuple[list[tuple[str, bool]], int]:
    comps: list[tuple[str, bool]] = []
    n = len(text)
    while pos < n:
        start = pos
        if comps and text[pos] in ".-" and not comps[-1][1]:
            pos += 1  # a separator must be followed by another component
        elif comps and text[pos] == " " and pos + 1 < n and text[pos + 1] == "(":
            pos += 1
        elif comps and text[pos] != "(":
            break
        if pos < n and text[pos] == "(":
            end = _component(text, pos + 1)
            if end == pos + 1 or end >= n or text[end] != ")":
                return comps, start
            comps.append((text[pos + 1 : end], True))
            pos = end + 1
            continue
        end = _component(text, pos)
        if end == pos:
            return comps, start
        comps.append((text[pos:end], False))
        pos = end
    return comps, pos


def parse_label(text: str) -> ParsedLabel | None:
    """Read an outline label at the start of ``text`` (already stripped of bullets)."""
    if not text or not _MAYBE_RE.match(text):
        return None
    pos = 0
    word = ""
    m = _WORD_RE.match(text) if text[0] in _WORD_FIRST else None
    if m and (m.end() < len(text)):
        word = m.group(1).lower().rstrip(".")
        if word in ("\u00a7\u00a7",):
            word = "\u00a7"
        pos = m.end()
        if word not in ("\u00a7",) and pos == len(m.group(1)):
            return None  # "Sections", "Orderly": a word needs a space or a period after it
    comps, end = _scan_all(text, pos)
    if not comps:
        return None
    core, paren = comps[0]
    first = pos + len(core) + (2 if paren else 0)  # where the first component ends
    dashed = "-" in text[pos:end] and roman_value(comps[0][0]) is not None  # "IV-A"
    if len(comps) > 1 and not word and not dashed and not any(c.isdigit() for c, _ in comps):
        # "U.S.", "IV.A" in running text: a letters-only path needs a word; "A.A school"
        # is the label "A." glued to "A school"
        comps, end = comps[:1], first
    label = _finish(text, comps, end, word)
    if label is not None and len(comps) > 1 and _ARTICLE_RE.match(text, end - 1):
        label = None  # "2.A peace officer": "2." glued to "A peace", not the path 2.A
    if label is None and len(comps) > 1:  # "2.A school": the label "2." glued to its text
        label = _finish(text, comps[:1], first, word)
    return label


def _finish(text: str, comps: list[tuple[str, bool]], end: int, word: str) -> ParsedLabel | None:
    """The label made of ``comps`` ending at ``end``, if what follows lets it be one."""
    term = ""
    if end < len(text) and text[end] in ".):" and not comps[-1][1]:
        term = text[end]
        end += 1
        if term == ")" and len(comps) > 1:
            return None
    elif end < len(text) and text[end] in ":." and comps[-1][1]:
        term = text[end]
        end += 1
    nxt = text[end : end + 1]
    closed = bool(term) or comps[-1][1]
    if not closed and not word and len(comps) == 1:
        return None  # "A school", "2 officers"
    if nxt and not nxt.isspace():
        if _INITIAL_RE.match(text, end):
            return None  # "U.S.", "A.B.C.": initials, not a label glued to its text
        if not (closed and _GLUE_OK.match(text, end)) or (nxt == "(" and comps[-1][1]):
            return None  # "U.S.C", "3.5%", "1.Whether" is fine: glued to a capital
        if not closed:
            return None
    if not closed and nxt and not word and all(c.isdigit() for c, _ in comps):
        after = text[end:].lstrip()[:1]
        if after and not _GLUE_OK.match(after) and not after.isdigit():
            return None  # "2.5 hours", "609.066 lower-case text"; "417.4.A.1 fostering" is fine
    rest = text[end:].lstrip() if nxt.isspace() or not nxt else text[end:]
    printed = text[:end].rstrip()
    path = tuple([c for c, _ in comps])
    if len(comps) > 1:
        return ParsedLabel(printed, (("path", len(comps)),), ".".join(path), rest, path, word)
    core, paren = comps[0]
    cands: Sequence[tuple[str, int]] = _readings(core)
    if paren:
        cands = [("(" + kind + ")", v) for kind, v in cands]
    if word:
        cands = [(f"{word} {kind}", v) for kind, v in cands]
    if not cands:
        return None
    return ParsedLabel(printed, tuple(cands), core, rest, path, word)
