"""Word list numbering for DOCX ingest: the label Word shows before a numbered paragraph.

Word does not store generated list numbers in the text; a paragraph carries ``w:numPr``
(directly or through its style, following ``w:basedOn``), which points through ``w:num`` to an
abstract numbering definition with per-level formats, start values and restart rules. This
module resolves those and keeps the running counters, so "1.", "(a)", "iv." or "2.3.1" come out
as Word would render them. Used by ``analyzer.ingest``; it reads no files.

Exports:
    Numbering(document)       -- per-document resolver; ``.label(w_p) -> (label, level)``
    w_tag(name) -> str        -- the qualified tag of a ``w:`` (WordprocessingML) element
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Numbering", "w_tag"]


@dataclass(frozen=True)
class _Level:
    """One level of a Word abstract numbering definition."""

    fmt: str
    text: str
    start: int
    restart: int | None  # w:lvlRestart: None = after any shallower level, 0 = never
    legal: bool


@dataclass
class _ListState:
    counters: dict[int, int]
    pending: dict[int, int]  # startOverride values not yet used


class Numbering:
    """Resolve ``w:numPr`` (direct or through the paragraph style) to the label Word shows."""

    def __init__(self, document: object) -> None:
        self.abstracts = _abstracts(document)
        self.nums = _nums(document)
        self.styles = _style_numbering(document)
        self.states: dict[str, _ListState] = {}
        self.seen: set[str] = set()

    def label(self, paragraph: object) -> tuple[str, int]:
        """(label, level) for a ``w:p``; ("", 0) when it has no numbering."""
        num_id, level = _paragraph_numpr(paragraph, self.styles)
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return "", 0
        abstract_id, starts, overrides = self.nums[num_id]
        levels = {**self.abstracts.get(abstract_id, {}), **overrides}
        if level not in levels:
            return "", level
        key = f"num:{num_id}" if starts else f"abstract:{abstract_id}"
        state = self.states.setdefault(key, _ListState({}, {}))
        if num_id not in self.seen:
            self.seen.add(num_id)
            state.pending.update(starts)
        self._advance(state, levels, level)
        return _render_label(levels, level, state.counters), level

    @staticmethod
    def _advance(state: _ListState, levels: dict[int, _Level], level: int) -> None:
        if level in state.counters and level not in state.pending:
            value = state.counters[level] + 1
        else:
            value = state.pending.pop(level, levels[level].start)
        state.counters[level] = value
        for deeper in [d for d in state.counters if d > level]:
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or (restart > 0 and level < restart):
                del state.counters[deeper]


def w_tag(name: str) -> str:
    from docx.oxml.ns import qn

    return qn(f"w:{name}")


def _val(element: object | None, tag: str) -> str | None:
    if element is None:
        return None
    child = element.find(w_tag(tag))  # type: ignore[attr-defined]
    return None if child is None else child.get(w_tag("val"))


def _level(lvl: object) -> _Level:
    start = _val(lvl, "start")
    restart = _val(lvl, "lvlRestart")
    legal = lvl.find(w_tag("isLgl"))  # type: ignore[attr-defined]
    return _Level(
        fmt=_val(lvl, "numFmt") or "decimal",
        text=_val(lvl, "lvlText") or "",
        start=int(start) if start and start.lstrip("-").isdigit() else 0,
        restart=int(restart) if restart and restart.isdigit() else None,
        legal=legal is not None and legal.get(w_tag("val"), "true") not in ("0", "false"),
    )


def _levels(parent: object) -> dict[int, _Level]:
    return {
        int(lvl.get(w_tag("ilvl"), "0")): _level(lvl)
        for lvl in parent.findall(w_tag("lvl"))  # type: ignore[attr-defined]
    }


def _numbering_root(document: object) -> object | None:
    try:
        return document.part.numbering_part.element  # type: ignore[attr-defined]
    except (KeyError, NotImplementedError):
        return None


def _abstracts(document: object) -> dict[str, dict[int, _Level]]:
    root = _numbering_root(document)
    if root is None:
        return {}
    found = {
        element.get(w_tag("abstractNumId")): _levels(element)
        for element in root.findall(w_tag("abstractNum"))  # type: ignore[attr-defined]
    }
    return {key: value for key, value in found.items() if key is not None}


def _nums(document: object) -> dict[str, tuple[str, dict[int, int], dict[int, _Level]]]:
    """numId -> (abstractNumId, start overrides by level, level overrides by level)."""
    root = _numbering_root(document)
    if root is None:
        return {}
    out: dict[str, tuple[str, dict[int, int], dict[int, _Level]]] = {}
    for num in root.findall(w_tag("num")):  # type: ignore[attr-defined]
        starts: dict[int, int] = {}
        overrides: dict[int, _Level] = {}
        for override in num.findall(w_tag("lvlOverride")):
            level = int(override.get(w_tag("ilvl"), "0"))
            start = _val(override, "startOverride")
            if start is not None and start.isdigit():
                starts[level] = int(start)
            lvl = override.find(w_tag("lvl"))
            if lvl is not None:
                overrides[level] = _level(lvl)
        out[num.get(w_tag("numId"))] = (_val(num, "abstractNumId") or "", starts, overrides)
    return out


def _style_numbering(document: object) -> dict[str, tuple[str | None, int | None]]:
    """styleId -> (numId, ilvl) from the style's own or inherited (w:basedOn) w:numPr."""
    styles = document.styles.element  # type: ignore[attr-defined]
    direct: dict[str, tuple[str | None, int | None]] = {}
    based: dict[str, str] = {}
    for style in styles.findall(w_tag("style")):
        style_id = style.get(w_tag("styleId"))
        parent = _val(style, "basedOn")
        if parent:
            based[style_id] = parent
        numpr = style.find(f"{w_tag('pPr')}/{w_tag('numPr')}")
        if numpr is not None:
            level = _val(numpr, "ilvl")
            direct[style_id] = (_val(numpr, "numId"), int(level) if level else None)
    resolved: dict[str, tuple[str | None, int | None]] = {}
    for style_id in set(direct) | set(based):
        current, hops = style_id, 0
        while current not in direct and current in based and hops < 20:
            current, hops = based[current], hops + 1
        if current in direct:
            resolved[style_id] = direct[current]
    return resolved


def _paragraph_numpr(
    paragraph: object, styles: dict[str, tuple[str | None, int | None]]
) -> tuple[str | None, int]:
    ppr = paragraph.find(w_tag("pPr"))  # type: ignore[attr-defined]
    numpr = None if ppr is None else ppr.find(w_tag("numPr"))
    style_id = _val(ppr, "pStyle")
    style_num, style_level = styles.get(style_id or "", (None, None))
    num_id = _val(numpr, "numId") or style_num
    level = _val(numpr, "ilvl")
    return num_id, int(level) if level and level.isdigit() else (style_level or 0)


_NUMERALS: tuple[tuple[int, str], ...] = tuple(
    zip(
        (1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1),
        "m cm d cd c xc l xl x ix v iv i".split(),
        strict=True,
    )
)


def _roman(value: int) -> str:
    out = []
    for amount, numeral in _NUMERALS:
        count, value = divmod(value, amount)
        out.append(numeral * count)
    return "".join(out)


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter") and value > 0:
        letters = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letters if fmt == "lowerLetter" else letters.upper()
    if fmt in ("lowerRoman", "upperRoman") and value > 0:
        roman = _roman(value)
        return roman if fmt == "lowerRoman" else roman.upper()
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _render_label(levels: dict[int, _Level], level: int, counters: dict[int, int]) -> str:
    here = levels[level]
    if here.fmt == "bullet":
        return "-"
    if here.fmt == "none":
        return ""

    def number(found: re.Match[str]) -> str:
        index = int(found.group(1)) - 1
        other = levels.get(index)
        if other is None:
            return ""
        value = counters.get(index, other.start)
        return _format_number(value, "decimal" if here.legal else other.fmt)

    return re.sub(r"%([1-9])", number, here.text).strip()
