"""Page furniture: the lines a publisher prints on every page, found and removed for every format.

Furniture is (1) a page number ("Page 3 of 9", "- 4 -", "12"), (2) known boilerplate declared as
data in ``model_policy/furniture.json`` (copyright and "published with permission" lines,
"Policy 1003 - School Resource Officer - 7", "507.5-3"), or (3) a short line that recurs once
digits are masked: on most pages' top or bottom band when the format gives geometry (PDF), or
set apart from the running text (next to a blank line, a page break or other furniture) at
least three times, or twice next to other furniture, in text. A line that belongs to a sentence
is never removed: one the line before runs into (it starts in lower case after an open line),
or one that runs into the next line (it ends with a comma, a hyphen or a word such as "and",
"the", "between" and the next line follows without a break). A paragraph that furniture cut in
two is rejoined. Every removed line is reported as a ``RemovedLine``.

Exports:
    find(lines, *, margins=None, pages=0, memo=None) -> dict[int, str]  -- index -> reason,
        for every furniture line (``margins[i]``: the line sits in a page's top/bottom band;
        PDF only)
    strip(lines, *, memo=None) -> (lines, removed)  -- text: drop furniture, rejoin cut
        paragraphs, collapse blank lines into single breaks
    rejoin(lines) -> lines             -- drop the break between two pieces of one sentence
    ends_open(text) -> bool, opens_tail(text) -> bool, cites_on(text) -> bool,
    cut_in_name(text) -> bool          -- sentence-continuation tests
    furniture_key(text) -> str         -- digits masked, markup and whitespace collapsed
    Memo                               -- one document's keys and reasons, shared by passes
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from .labels import parse_label
from .model import Line, RemovedLine

__all__ = [
    "find",
    "strip",
    "rejoin",
    "ends_open",
    "opens_tail",
    "cites_on",
    "cut_in_name",
    "furniture_key",
    "Memo",
]

_DATA = Path(__file__).resolve().parent.parent / "model_policy" / "furniture.json"
_DIGITS = re.compile(r"\d+")
# markup: a heading's hashes, bold and emphasis marks. The lookahead first lets the regex
# engine skip to a mark; the lookbehinds come after the mark they look past (same matches).
_MARKUP = re.compile(r"(?=[#*_])(?:^#{1,6}\s+|\*\*|__|[*_](?<!\w[*_])(?=\S)|[*_](?<=\S[*_])(?!\w))")
_PAGE_APART = 6  # lines between two occurrences of one running header, at least
_MARKED = re.compile(r"[*_#]")
_BULLET = re.compile(r"^\s*(?:[-*+\u2022\u25cf\u25aa\u25a0\u25e6\u27a2\u00b7o]\s)")
_TERMINALS = ".;:?!"  # a sentence ends with one of these, then any closing marks
_CLOSERS = "\"'\u201d\u2019)]*"
_NUMBERED_TITLE = re.compile(r"^\d+(?:\.\d+)+\s+([^.;:,]+)$")
_LABEL_START = re.compile(
    r"^\s*(?:\(?[0-9]{1,3}[.)]|\(?[A-Za-z][.)]\s|\(?[ivxlcIVXLC]{1,5}[.)]\s|\d+(?:\.\d+)+\s)"
)


@cache
def _data() -> dict[str, object]:
    data: dict[str, object] = json.loads(_DATA.read_text(encoding="utf-8"))
    return data


@cache
def _patterns(name: str) -> re.Pattern[str]:
    items = _data()[name]
    assert isinstance(items, list)
    return re.compile("^(?:" + "|".join(f"(?:{p})" for p in items) + ")$", re.I)


@cache
def _tail_words() -> frozenset[str]:
    words = _data()["open_tail_words"]
    assert isinstance(words, list)
    return frozenset(words)


def furniture_key(text: str) -> str:
    """The line with markup removed, digits masked as '#', whitespace collapsed, casefolded."""
    marked = "*" in text or "_" in text or "#" in text  # _MARKED.search(text)
    plain = _MARKUP.sub("", text.strip()) if marked else text
    return " ".join(_DIGITS.sub("#", plain).split()).casefold()


# A key longer than this is never furniture by its text alone (page numbers, boilerplate):
_SHORT = 120
# ASCII characters a key drops or shrinks (whitespace, digits, markup marks): every other
# character of an ASCII line survives into its key as one character
_KEY_DROPS = bytes(b for b in range(128) if chr(b).isspace() or chr(b) in "0123456789#*_")
# stands for the key of a line whose key is surely longer than ``_SHORT`` (not computed)
_LONG = "\x00" * (_SHORT + 1)


def _surely_long(stripped: str) -> bool:
    """The key of this stripped line has more than ``_SHORT`` characters: so many characters
    of it survive (an ASCII line, counted without what a key drops, at C speed)."""
    return (
        len(stripped) > _SHORT
        and stripped.isascii()
        and len(stripped.encode("ascii").translate(None, _KEY_DROPS)) > _SHORT
    )


def ends_open(text: str) -> bool:
    """The line does not end a sentence (no closing punctuation)."""
    t = text.rstrip()
    last = t.rstrip(_CLOSERS)[-1:]  # the last character before any closing marks
    return bool(t) and not (last and last in _TERMINALS)


def opens_tail(text: str) -> bool:
    """The line visibly runs on: it ends with a comma, a hyphen or a word that cannot end a
    sentence ("and", "the", "between", "shall")."""
    t = text.rstrip().rstrip("*").rstrip()
    if t.endswith((",", "-", "\u2013", "\u2014", "/", "(")):
        return True
    last = t.rsplit(None, 1)[-1].casefold() if t else ""
    return last in _tail_words() or last in _citation_tails()


@cache
def _citation_tails() -> frozenset[str]:
    words = _data()["citation_tails"]
    assert isinstance(words, list)
    return frozenset(words)


_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")


def cut_in_name(text: str) -> bool:
    """The line stops inside a capitalised name: it reads as a sentence (two lower-case words
    besides those a title leaves in lower case: "shall keep the other party's") and ends,
    unpunctuated, on a capitalised word ("... the other party's Confidential" / "Information
    ..."). A heading is title-shaped and a sentence that ends is punctuated; a line ending in
    a number, a parenthesis or any punctuation is not cut inside a name."""
    t = text.rstrip().rstrip("*")
    last = t.rsplit(None, 1)[-1] if t else ""
    if not _WORD.fullmatch(last) or not last[:1].isupper():
        return False  # "... Confidential", not "... (Minn. Stat. 626.8452)" or "... (SRO)"
    words = _WORD.findall(t)
    minor = _minor_words()
    return sum(w[:1].islower() and w.casefold() not in minor for w in words) >= 2


@cache
def _minor_words() -> frozenset[str]:
    words = _data()["title_case_minor_words"]
    assert isinstance(words, list)
    return frozenset(words)


def cites_on(text: str) -> bool:
    """The line ends with a word a number must follow ("Minn. Stat. §", "section")."""
    t = text.rstrip()
    return bool(t) and t.rsplit(None, 1)[-1].casefold() in _citation_tails()


def _sentence_shaped(text: str) -> bool:
    """Too long, labelled, bulleted or punctuated to be a running header."""
    if text.count(" ") > 30:
        return True
    plain = _MARKUP.sub("", text.strip()) if _MARKED.search(text) else text.strip()
    words = plain.split()
    if not words or len(words) > 12 or _BULLET.match(text) or _LABEL_START.match(plain):
        return True
    if plain[0].islower() or plain.endswith((";", ",", ":")):
        return True
    return plain.endswith(".") and len(words) > 4


def _belongs_to_sentence(lines: Sequence[Line], i: int) -> bool:
    """Line ``i`` is part of a sentence: the line before runs into it, or it runs into the
    line after (no break in between)."""
    text = lines[i].text.strip()
    before = lines[i - 1].text if i > 0 else ""
    after = lines[i + 1].text if i + 1 < len(lines) else ""
    if before.strip() and ends_open(before) and text[:1].islower():
        return True
    if after.strip() and opens_tail(text):
        return True
    return bool(after.strip()) and ends_open(text) and after.strip()[:1].islower()


def _in_sentence(lines: Sequence[Line], i: int, margins: Sequence[bool] | None) -> bool:
    """With geometry, a line in the page margin belongs to a sentence only when it visibly
    runs on; without, see ``_belongs_to_sentence``."""
    if margins is None:
        return _belongs_to_sentence(lines, i)
    return opens_tail(lines[i].text) and not lines[i].text.rstrip().endswith(("-", "/"))


_FIXED = (("page_numbers", "page-number"), ("boilerplate", "boilerplate"), ("markup_rules", "rule"))


@cache
def _fixed() -> re.Pattern[str] | None:
    """The three lists as one regex, a named group each, tried in order (one match per key,
    not three); None when a pattern refers to a group by number (the groups would shift)."""
    parts = []
    for group, (name, _) in enumerate(_FIXED):
        items = _data()[name]
        assert isinstance(items, list)
        if any(re.search(r"\\\d|\(\?P[=<]", p) for p in items):
            return None
        parts.append(f"(?P<g{group}>" + "|".join(f"(?:{p})" for p in items) + ")")
    return re.compile("^(?:" + "|".join(parts) + ")$", re.I)


def _fixed_reason(key: str) -> str:
    fixed = _fixed()
    if fixed is not None:
        m = fixed.match(key)
        if m is None:
            return ""
        group = next(g for g in range(len(_FIXED)) if m[f"g{g}"] is not None)
        return _FIXED[group][1]
    for name, reason in _FIXED:
        if _patterns(name).match(key):
            return reason
    return ""


class Memo:
    """The pure per-line work of ``find`` (a line's key, a key's fixed reason), kept for the
    passes over one document's lines (a PDF's margins, then its text); one per document."""

    __slots__ = ("keys", "reasons", "boilerplate")

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}
        self.reasons: dict[str, str] = {}
        self.boilerplate: dict[str, bool] = {}

    def key(self, text: str) -> str:
        """``furniture_key`` of a line ("" for a blank one); whitespace at its ends does not
        change the key, so an indented copy of a line shares it."""
        stripped = text.strip()
        key = self.keys.get(stripped)
        if key is None:
            key = self.keys[stripped] = furniture_key(stripped) if stripped else ""
        return key

    def short_key(self, text: str) -> str:
        """The key, or ``_LONG`` (truthy, longer than ``_SHORT``) when it is surely long: a
        paragraph's key is only needed if it turns out to be a header candidate."""
        stripped = text.strip()
        key = self.keys.get(stripped)
        if key is None:
            return _LONG if _surely_long(stripped) else self.key(stripped)
        return key

    def short_keys(self, lines: Sequence[Line]) -> list[str]:
        """``short_key`` of each line, in one pass."""
        keys, out = self.keys, []
        for line in lines:
            stripped = line.text.strip()
            key = keys.get(stripped)
            if key is None:
                if _surely_long(stripped):
                    key = _LONG
                else:
                    key = keys[stripped] = furniture_key(stripped) if stripped else ""
            out.append(key)
        return out

    def reason(self, key: str) -> str:
        reason = self.reasons.get(key)
        if reason is None:
            reason = self.reasons[key] = _fixed_reason(key)
        return reason

    def is_boilerplate(self, key: str) -> bool:
        known = self.boilerplate.get(key)
        if known is None:
            known = self.boilerplate[key] = _boilerplate(key)
        return known


def find(
    lines: Sequence[Line],
    *,
    margins: Sequence[bool] | None = None,
    pages: int = 0,
    memo: Memo | None = None,
) -> dict[int, str]:
    """Index -> reason ("page-number", "boilerplate", "rule", "running") of each furniture line.

    With ``margins`` (geometry known), page numbers and running lines count only in a page's
    top/bottom band and a running line must recur on at least half the pages (two at least).
    Without, a running line must stand apart from the text (see the module docstring).
    ``memo`` shares the per-line work between passes over one document.
    """
    memo = memo or Memo()
    keys = memo.short_keys(lines)
    first = next((i for i, key in enumerate(keys) if key), -1)
    found: dict[int, str] = {}
    for i, key in enumerate(keys):
        if not key or len(key) > _SHORT:
            continue  # furniture is short
        if margins is not None and not margins[i] and not memo.is_boilerplate(key):
            continue
        reason = memo.reason(key)
        if reason and (reason == "rule" or not _in_sentence(lines, i, margins)):
            found[i] = reason
    numbered = set()  # "507.5 SCHOOL RESOURCE OFFICERS": a header that starts with a number
    candidates = []
    alone = _alone(keys)
    for i, key in enumerate(keys):
        if (
            not key
            or i in found
            or (i == first and margins is None)
            or (margins is not None and not margins[i])
            or i in alone
        ):
            continue
        shaped = _sentence_shaped(lines[i].text)
        if shaped and (margins is not None or not _numbered_title(lines[i].text)):
            continue
        if _in_sentence(lines, i, margins):
            continue
        if key is _LONG:  # a candidate needs its real key
            key = keys[i] = memo.key(lines[i].text)
        if not _two_letters(key):
            continue
        if shaped:
            numbered.add(i)
        candidates.append(i)
    if margins is not None:
        counts = Counter(key for key, _ in {(keys[i], lines[i].page) for i in candidates})
        needed = max(2, (pages + 1) // 2)
        found.update({i: "running" for i in candidates if counts[keys[i]] >= needed})
        return found
    return _running_in_text(lines, keys, candidates, found, numbered)


def _alone(keys: Sequence[str]) -> set[int]:
    """Lines that can neither join a group of running lines nor change one: a running line
    recurs, so a line whose key no other line has is in no group, and it matters only as the
    neighbour of a line whose key recurs (whether that one stands apart). A surely long
    line's key is not known yet: it counts as recurring."""
    repeated = {key for key, n in Counter(keys).items() if n > 1}
    repeated.discard("")  # a blank line is never a candidate
    repeated.add(_LONG)
    end = len(keys) - 1
    return {
        i
        for i, key in enumerate(keys)
        if key not in repeated
        and (i == 0 or keys[i - 1] not in repeated)
        and (i == end or keys[i + 1] not in repeated)
    }


def _two_letters(text: str) -> bool:
    """At least two letters (``str.isalpha``); stops at the second."""
    seen = False
    for c in text:
        if c.isalpha():
            if seen:
                return True
            seen = True
    return False


def _boilerplate(key: str) -> bool:
    return bool(_patterns("boilerplate").match(key))


def _numbered_title(text: str) -> bool:
    """A section number and an upper-case title ("507.5 SCHOOL RESOURCE OFFICERS")."""
    t = text.strip()
    if not t[:1].isdecimal():  # what the regex's first "\d" needs
        return False
    m = _NUMBERED_TITLE.match(t)
    return m is not None and m.group(1).isupper() and len(m.group(1).split()) <= 8


def _running_in_text(
    lines: Sequence[Line],
    keys: Sequence[str],
    candidates: Sequence[int],
    found: dict[int, str],
    numbered: set[int] | frozenset[int] = frozenset(),
) -> dict[int, str]:
    """Running headers in text: a candidate set apart from the text that recurs three times,
    or twice with other furniture or a page break beside it each time. A numbered title
    (a heading's shape) counts only where it recurs word for word beside other furniture
    each time."""
    chosen = set(candidates)

    def apart(i: int) -> bool:
        for j in (i - 1, i + 1):
            if j < 0 or j >= len(lines) or not keys[j] or j in chosen or j in found:
                return True
            if lines[j].page != lines[i].page:
                return True
        return False

    def near_furniture(i: int) -> bool:
        low, high = max(0, i - 3), min(len(lines), i + 4)
        return any(
            j != i and (j in found or lines[j].page != lines[i].page) for j in range(low, high)
        ) or i in (0, len(lines) - 1)

    def opens_paragraph(i: int) -> bool:
        """The first line of a paragraph that runs on into the next line, with no fixed
        furniture beside it: text, even if it recurs."""
        j = i + 1
        if j >= len(lines) or not keys[j] or j in chosen or j in found:
            return False
        if lines[j].page != lines[i].page or not ends_open(lines[i].text):
            return False
        return not any(k in found for k in range(max(0, i - 2), min(len(lines), i + 3)))

    placed = [i for i in candidates if apart(i) and not opens_paragraph(i)]
    groups: dict[str, list[int]] = {}
    for i in placed:
        groups.setdefault(keys[i], []).append(i)
    out = dict(found)
    for members in groups.values():
        if any(
            b - a < _PAGE_APART and lines[a].page == lines[b].page
            for a, b in zip(members, members[1:], strict=False)
        ):
            continue  # a list of like lines, not a header repeated page after page
        if any(i in numbered for i in members):
            same = len({lines[i].text.strip() for i in members}) == 1
            if same and len(members) >= 2 and all(near_furniture(i) for i in members):
                out.update({i: "running" for i in members})
            continue
        if len(members) >= 3 or (len(members) == 2 and all(near_furniture(i) for i in members)):
            out.update({i: "running" for i in members})
    if len(out) > len(found):  # a new running line can make a neighbour's pair count
        rest = [i for i in candidates if i not in out]
        return _running_in_text(lines, keys, rest, out, numbered)
    return out


def rejoin(lines: Sequence[Line]) -> list[Line]:
    """Drop a paragraph break between two pieces of one sentence: the piece before is open
    and either runs on visibly, is as long as a full wrapped line, or the next piece starts
    in lower case. Used where furniture or a page break cut a paragraph."""
    width = wrap_width(lines)
    out: list[Line] = []
    for index, line in enumerate(lines):
        if not line.text.strip() and out and index + 1 < len(lines):
            before, after = out[-1].text, lines[index + 1].text.strip()
            if after and _continues(before, after, width):
                continue
        out.append(line)
    return out


def _continues(before: str, after: str, width: int) -> bool:
    if cites_on(before):
        return True  # "(Minn. Stat. §" / "626.8482, Subd. 3(c))." is one citation
    if not before.strip() or not ends_open(before) or _starts_label(after):
        return False
    if after[:1].islower() or opens_tail(before):
        return True
    return width > 0 and len(before.strip()) >= 0.8 * width and not _BULLET.match(after)


def _starts_label(text: str) -> bool:
    """The line starts with an outline label ("3. ", "IV-E-3-ii ", "Section 4(A)")."""
    return bool(_LABEL_START.match(text)) or parse_label(text) is not None


def wrap_width(lines: Sequence[Line]) -> int:
    """The width of a full wrapped line: the 90th percentile of line lengths."""
    lengths = sorted(len(line.text.strip()) for line in lines if line.text.strip())
    return lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0


def strip(
    lines: Sequence[Line], *, memo: Memo | None = None
) -> tuple[tuple[Line, ...], tuple[RemovedLine, ...]]:
    """Remove furniture from text lines; rejoin a paragraph it cut; one break per gap."""
    found = find(lines, memo=memo)
    if not found:
        return tuple(lines), ()
    removed = tuple(
        RemovedLine(lines[i].text.strip(), lines[i].page, lines[i].line, reason)
        for i, reason in sorted(found.items())
    )
    width = wrap_width(lines)
    running = sorted(
        {_plain(lines[i].text) for i, reason in found.items() if reason == "running"},
        key=lambda text: (-len(text), text),
    )
    prefixes = tuple(f"{head} " for head in running)
    glued: list[RemovedLine] = []
    kept: list[Line] = []
    cut = False  # furniture removed since the last kept line
    for index, line in enumerate(lines):
        if index in found:
            cut = True
            if kept and kept[-1].text:
                kept.append(Line("", line.page, line.line))
            continue
        if not line.text.strip():
            if kept and kept[-1].text:
                kept.append(line if not line.text else Line("", line.page, line.line))
            continue
        if cut and len(kept) >= 2 and not kept[-1].text:
            if _continues(kept[-2].text, line.text.strip(), width):
                kept.pop()
        cut = False
        glued_to = line.text.strip().startswith(prefixes)  # () when there is no running line
        head, rest = _glued_header(line.text, running) if glued_to else ("", line.text)
        if head:
            glued.append(RemovedLine(head, line.page, line.line, "running"))
            line = Line(rest, line.page, line.line)
        kept.append(line)
    while kept and not kept[-1].text:
        kept.pop()
    if glued:
        removed = tuple(sorted((*removed, *glued), key=lambda r: (r.page, r.line)))
    return tuple(kept), removed


def _plain(text: str) -> str:
    plain = _MARKUP.sub("", text.strip()) if _MARKED.search(text) else text
    return " ".join(plain.split())


def _glued_header(text: str, running: Sequence[str]) -> tuple[str, str]:
    """(header, rest) when a running header is glued to the start of a heading or label
    ("School Resource Officer **Order 417.6 Use of Force**"), else ("", text)."""
    stripped = text.strip()
    for head in running:
        if not stripped.startswith(head + " "):
            continue
        tail = stripped[len(head) :].strip()
        if tail.startswith("**") or parse_label(_plain(tail)):
            return head, tail
    return "", text
