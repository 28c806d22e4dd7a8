"""Write a redline as a Word document with real tracked changes (OOXML ``w:ins``/``w:del``).

python-docx does not write revisions, so this module writes the WordprocessingML of the body
itself (text escaped) and builds the elements with python-docx's ``parse_xml`` (lxml with
python-docx's element classes; one parse for the whole body), and lets python-docx handle the
package (parts, relationships, the comments part). It knows nothing
about audits or comparisons: it takes two paragraph sequences and a one-to-one pairing
(built by ``analyzer.redline_plan``) and lays them out so that

- a pair kept in order is one paragraph with word-level ``w:del``/``w:ins`` runs;
- an OLD paragraph without a partner is a deleted paragraph (runs and paragraph mark deleted),
  at its OLD position; a NEW one without a partner an inserted paragraph at its NEW position;
- a pair out of order (a move: off the longest increasing run of pairs) is a deleted
  paragraph at the OLD position and an inserted one at the NEW position, linked by a comment
  on each (never Word's move markup);
- notes become Word comments (author ``policydiff``) on their paragraph.

Accepting every change gives exactly the NEW paragraphs, rejecting every change the OLD ones
(``accept_all`` and ``reject_all`` read a written file back that way). Output is byte-for-byte
deterministic: one revision date for every mark (``date``; default ``SOURCE_DATE_EPOCH`` or a
fixed date), sequential ids, fixed zip timestamps.

Exports:
    Para, Redline, Step                        -- the input (paragraphs, pairing, notes)
    layout(redline) -> list[Step]              -- the merged paragraph order
    write_docx(redline, *, date=None) -> bytes -- the .docx file
    accept_all(data) -> list[str], reject_all(data) -> list[str]
                                               -- the paragraph texts after accepting/rejecting
    AUTHOR, revision_date() -> str
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from docx import Document as new_document
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.shared import Pt
from lxml import etree
from rapidfuzz.distance import Indel

__all__ = [
    "Para",
    "Redline",
    "Step",
    "layout",
    "write_docx",
    "accept_all",
    "reject_all",
    "AUTHOR",
    "revision_date",
]

AUTHOR = "policydiff"
FIXED_DATE = "2000-01-01T00:00:00Z"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TOKEN = re.compile(r"\s+|\w+\s*|[^\w\s]\s*")  # a word with the space after it
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Para:
    """One paragraph as printed: label, heading and body in ``text``; ``heading`` paragraphs
    are set bold; ``level`` indents."""

    text: str
    level: int = 0
    heading: bool = False


@dataclass(frozen=True)
class Redline:
    """Two paragraph sequences, a one-to-one pairing (OLD index, NEW index) and comments.

    ``old_notes[i]`` are comments on OLD paragraph i where it is shown (deleted, or paired);
    ``new_notes[j]`` on NEW paragraph j. ``header`` is the running page header."""

    old: tuple[Para, ...]
    new: tuple[Para, ...]
    pairs: tuple[tuple[int, int], ...]
    old_notes: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    new_notes: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    header: str = ""
    title: str = ""


@dataclass(frozen=True)
class Step:
    """One paragraph of the redline: ``kind`` is equal (a kept pair), delete or insert;
    ``moved`` marks the two halves of a move."""

    kind: str
    old: int | None
    new: int | None
    moved: bool = False


def revision_date(date: str | None = None) -> str:
    """The W3C date every revision carries: ``date`` (YYYY-MM-DD or full), else
    ``SOURCE_DATE_EPOCH``, else a fixed date, so the same inputs give the same file."""
    if date:
        return date if "T" in date else f"{date}T00:00:00Z"
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return FIXED_DATE


# ---------------------------------------------------------------- the order of paragraphs


def _kept(pairs: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """The longest run of pairs increasing on both sides (patience-style LIS); the others
    are moves."""
    ordered = sorted(pairs)
    tails: list[int] = []
    tail_idx: list[int] = []
    prev = [-1] * len(ordered)
    for k, (_, j) in enumerate(ordered):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(k)
        else:
            tails[pos] = j
            tail_idx[pos] = k
        prev[k] = tail_idx[pos - 1] if pos else -1
    out: set[tuple[int, int]] = set()
    k = tail_idx[-1] if tail_idx else -1
    while k >= 0:
        out.add(ordered[k])
        k = prev[k]
    return out


def layout(redline: Redline) -> list[Step]:
    """OLD and NEW merged: between two kept pairs, the OLD-only paragraphs (deleted) come
    first, then the NEW-only ones (inserted), so accepting gives NEW and rejecting OLD."""
    kept = _kept(redline.pairs)
    moved_old = {i for i, j in redline.pairs if (i, j) not in kept}
    moved_new = {j for i, j in redline.pairs if (i, j) not in kept}
    steps: list[Step] = []
    i = j = 0
    for ki, kj in [*sorted(kept), (len(redline.old), len(redline.new))]:
        steps += [Step("delete", o, None, o in moved_old) for o in range(i, ki)]
        steps += [Step("insert", None, n, n in moved_new) for n in range(j, kj)]
        if ki < len(redline.old):
            steps.append(Step("equal", ki, kj))
        i, j = ki + 1, kj + 1
    return steps


# ---------------------------------------------------------------- the elements


class _Marks:
    """Revision attributes: sequential ids, one author, one date."""

    def __init__(self, date: str) -> None:
        self.date = date
        self.next_id = 1

    def attrs(self) -> str:
        out = f'w:id="{self.next_id}" w:author="{AUTHOR}" w:date="{self.date}"'
        self.next_id += 1
        return out


def _clean(text: str) -> str:
    return _XML_BAD.sub("", text)


def _run(text: str, *, deleted: bool, bold: bool) -> str:
    tag = "w:delText" if deleted else "w:t"
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{props}<{tag} xml:space="preserve">{escape(_clean(text))}</{tag}></w:r>'


def _paragraph_open(para: Para, mark: str | None) -> str:
    """The start of a ``w:p`` with indentation, and the paragraph mark tracked when ``mark``
    (``w:ins``/``w:del`` with its attributes)."""
    ind = f'<w:ind w:left="{360 * min(para.level, 8)}"/>' if para.level else ""
    rpr = f"<w:rPr><{mark}/></w:rPr>" if mark else ""
    return f'<w:p><w:pPr><w:spacing w:after="120"/>{ind}{rpr}</w:pPr>'


def _tracked(op: str, text: str, bold: bool, marks: _Marks) -> str:
    if not text:
        return ""
    if op == "equal":
        return _run(text, deleted=False, bold=bold)
    tag = "w:del" if op == "delete" else "w:ins"
    return f"<{tag} {marks.attrs()}>{_run(text, deleted=op == 'delete', bold=bold)}</{tag}>"


def _word_ops(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level hunks (whitespace kept): equal/delete/insert pieces whose equal+delete
    join to ``old`` and equal+insert to ``new`` (a shortest edit over words, rapidfuzz Indel);
    a space or one short word left between two changes is folded into them, so a rewritten
    phrase reads as one deletion and one insertion."""
    if old == new:
        return [("equal", old)] if old else []
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    raw: list[tuple[str, str, str]] = []  # op, old piece, new piece
    for code in Indel.opcodes([t.rstrip() for t in a], [t.rstrip() for t in b]):
        old_part, new_part = a[code.src_start : code.src_end], b[code.dest_start : code.dest_end]
        if code.tag != "equal":
            raw.append(("change", "".join(old_part), "".join(new_part)))
            continue
        for x, y in zip(old_part, new_part, strict=True):
            if x == y:  # same word, same space after it
                raw.append(("equal", x, y))
            else:  # same word: keep it, track only the space after it
                word = x.rstrip()
                raw += [("equal", word, word), ("change", x[len(word) :], y[len(word) :])]
    merged: list[list[str]] = []
    for k, (op, x, y) in enumerate(raw):
        between = 0 < k < len(raw) - 1 and raw[k - 1][0] == raw[k + 1][0] == "change"
        if op == "equal" and between and len(x.strip()) <= 3 and len(_TOKEN.findall(x)) <= 1:
            op = "change"  # a space or a short word between two changes joins them
        if merged and merged[-1][0] == op:
            merged[-1][1] += x
            merged[-1][2] += y
        else:
            merged.append([op, x, y])
    out: list[tuple[str, str]] = []
    for op, x, y in merged:
        if op == "equal":
            out.append(("equal", x))
        else:
            out += [("delete", x), ("insert", y)]
    return [(op, t) for op, t in out if t]


def _step_paragraph(step: Step, redline: Redline, marks: _Marks) -> tuple[str, str]:
    """The paragraph's start (properties) and its runs, as WordprocessingML text."""
    if step.kind == "equal":
        assert step.old is not None and step.new is not None
        old, new = redline.old[step.old], redline.new[step.new]
        runs = "".join(
            _tracked(op, t, new.heading, marks) for op, t in _word_ops(old.text, new.text)
        )
        return _paragraph_open(new, None), runs
    deleted = step.kind == "delete"
    para = redline.old[step.old] if deleted else redline.new[step.new]  # type: ignore[index]
    start = _paragraph_open(para, f"{'w:del' if deleted else 'w:ins'} {marks.attrs()}")
    return start, _tracked(step.kind, para.text, para.heading, marks)


def _notes(step: Step, redline: Redline) -> list[str]:
    notes: list[str] = []
    if step.old is not None:
        notes += redline.old_notes.get(step.old, ())
    if step.new is not None:
        notes += redline.new_notes.get(step.new, ())
    return notes


def _comment(document: object, text: str, date: str) -> tuple[str, str]:
    """Add a comment to the comments part; the range start and the range end + reference
    run that anchor it on a whole paragraph."""
    comment = document.comments.add_comment(  # type: ignore[attr-defined]
        text=_clean(text), author=AUTHOR, initials="PD"
    )
    comment._comment_elm.set(qn("w:date"), date)
    cid = comment.comment_id
    end = f'<w:commentRangeEnd w:id="{cid}"/><w:r><w:commentReference w:id="{cid}"/></w:r>'
    return f'<w:commentRangeStart w:id="{cid}"/>', end


def _furniture(document: object, redline: Redline, date: str) -> None:
    """Page header (what is compared), page numbers, margins, properties."""
    section = document.sections[0]  # type: ignore[attr-defined]
    section.header.paragraphs[0].text = _clean(redline.header)
    footer = section.footer.paragraphs[0]
    footer.text = "Page "
    run = parse_xml(
        f'<w:r xmlns:w="{_W}"><w:fldChar w:fldCharType="begin"/>'
        '<w:instrText xml:space="preserve"> PAGE </w:instrText>'
        '<w:fldChar w:fldCharType="end"/></w:r>'
    )
    footer._p.append(run)
    style = document.styles["Normal"]  # type: ignore[attr-defined]
    style.font.size = Pt(11)
    props = document.core_properties  # type: ignore[attr-defined]
    stamp = dt.datetime.strptime(date[:19], "%Y-%m-%dT%H:%M:%S")
    props.title = _clean(redline.title)[:250]
    props.author = props.last_modified_by = AUTHOR
    props.created = props.modified = stamp
    props.revision = 1
    props.comments = "Tracked changes written by policydiff"


def _deterministic(data: bytes) -> bytes:
    """The same zip with fixed timestamps and member order."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for name in src.namelist():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


def write_docx(redline: Redline, *, date: str | None = None) -> bytes:
    """The redline as .docx bytes (tracked changes and comments, one revision date)."""
    stamp = revision_date(date)
    document = new_document()
    body = document.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    sect = body.find(qn("w:sectPr"))
    marks = _Marks(stamp)
    xml: list[str] = [f'<w:body xmlns:w="{_W}">']
    for step in layout(redline):
        start, runs = _step_paragraph(step, redline, marks)
        anchors = [_comment(document, note, stamp) for note in _notes(step, redline)]
        xml += [start, *(a for a, _ in anchors), runs, *(e for _, e in anchors), "</w:p>"]
    xml.append("<w:p/></w:body>")  # the last paragraph mark: never tracked
    for p in list(parse_xml("".join(xml))):  # one parse, python-docx's element classes
        sect.addprevious(p) if sect is not None else body.append(p)
    _furniture(document, redline, stamp)
    buffer = io.BytesIO()
    document.save(buffer)
    return _deterministic(buffer.getvalue())


# ---------------------------------------------------------------- reading back


def _resolve(data: bytes, accept: bool) -> list[str]:
    """Paragraph texts once every change is accepted (or rejected), empty ones dropped; a
    paragraph whose mark goes away runs on into the next one, as in Word."""
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    root = etree.fromstring(xml)
    gone, kept_tag = ("del", "ins") if accept else ("ins", "del")
    w = f"{{{_W}}}"
    texts: list[str] = []
    carry = ""
    for p in root.iter(f"{w}p"):
        if p.getparent() is None or p.getparent().tag != f"{w}body":
            continue
        parts = [carry]
        for el in p.iter(f"{w}t", f"{w}delText"):
            wraps = {a.tag for a in el.iterancestors() if a.tag in (f"{w}ins", f"{w}del")}
            if f"{w}{gone}" in wraps:
                continue
            parts.append(el.text or "")
        mark = p.find(f"{w}pPr/{w}rPr/{w}{gone}")
        text = "".join(parts)
        if mark is not None:
            carry = text
            continue
        carry = ""
        assert kept_tag  # the surviving wrapper is simply unwrapped
        if text:
            texts.append(text)
    if carry:
        texts.append(carry)
    return texts


def accept_all(data: bytes) -> list[str]:
    """The body paragraphs after accepting every tracked change (non-empty ones)."""
    return _resolve(data, accept=True)


def reject_all(data: bytes) -> list[str]:
    """The body paragraphs after rejecting every tracked change (non-empty ones)."""
    return _resolve(data, accept=False)
