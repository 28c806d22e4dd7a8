"""Read a DOCX into paragraphs as the document currently reads, within the reading limits.

Before anything is inflated, the archive's declared part sizes are checked against the limits
(a zip bomb is refused at once). Then the body is walked in order: tracked insertions kept and
deletions dropped (``original=True`` reads the text before the changes instead), simple and
complex fields read as their shown result (never their codes), hidden text skipped, Word's
generated list labels put in front (``analyzer.docx_numbering``); a text box's paragraphs follow
the paragraph that anchors it, a footnote or endnote follows the paragraph that cites it; a
table row whose cells each hold one paragraph is one paragraph (a "Term | Definition" row is
one definition), other rows are read cell by cell. Headers and footers are page furniture:
not read, but listed as removed lines.

Exports:
    docx_paragraphs(data, *, path, limits, original=False) -> (paragraphs, furniture)
    check_archive(data, *, path, limits)   -- refuse a zip bomb from the declared sizes
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

from .docx_numbering import Numbering, w_tag
from .errors import CorruptFileError
from .read_limits import ReadLimits, check

__all__ = ["docx_paragraphs", "check_archive"]

_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_MAX_RATIO = 1000  # a real part never compresses better than this


def check_archive(data: bytes, *, path: str, limits: ReadLimits) -> None:
    """Raise ``LimitExceededError`` when a part, or all parts, would inflate past the limits
    (by the sizes the archive declares; the inflater never writes past a declared size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise CorruptFileError(path, "DOCX", type(error).__name__) from error
    total = 0
    for info in infos:
        size = info.file_size
        ratio_bomb = info.compress_size and size > _MAX_RATIO * info.compress_size
        check(
            size if not ratio_bomb else max(size, limits.docx_part_bytes + 1),
            limits.docx_part_bytes,
            path=path,
            what=f"the DOCX part {info.filename} expands to {size:,} bytes",
            field="docx_part_bytes",
        )
        total += size
        check(
            total,
            limits.docx_total_bytes,
            path=path,
            what=f"the DOCX parts expand to more than {total:,} bytes",
            field="docx_total_bytes",
        )


class _Reader:
    """Walks the body; ``out`` collects paragraph texts in reading order."""

    def __init__(self, document: object, original: bool) -> None:
        self.numbering = Numbering(document)
        self.original = original
        self.notes = _notes(document)
        self.out: list[str] = []
        self.drop_containers = (
            {w_tag("ins"), w_tag("moveTo")} if original else {w_tag("del"), w_tag("moveFrom")}
        )

    def blocks(self, parent: object) -> None:
        """Paragraphs and tables of a body, cell or text box, in order (iterative)."""

        def visit(child: Any) -> Any:
            tag = child.tag
            if tag == w_tag("p"):
                self.paragraph(child)
            elif tag == w_tag("tbl"):
                self.table(child)
            elif tag in (w_tag("sdt"), w_tag("customXml"), w_tag("ins"), w_tag("moveTo")):
                if tag not in self.drop_containers:  # descend into the container's content
                    return child.find(w_tag("sdtContent")) if tag == w_tag("sdt") else child
            return None

        _walk(parent, visit)

    def table(self, table: object) -> None:
        for row in table.iterchildren(w_tag("tr")):  # type: ignore[attr-defined]
            cells = list(row.iterchildren(w_tag("tc")))
            simple = all(
                len(cell.findall(w_tag("tbl"))) == 0
                and sum(1 for p in cell.iterchildren(w_tag("p")) if _has_text(p)) <= 1
                for cell in cells
            )
            if not simple:
                for cell in cells:
                    self.blocks(cell)
                continue
            parts: list[str] = []
            for cell in cells:
                start = len(self.out)
                self.blocks(cell)
                parts.extend(t for t in self.out[start:] if t.strip())
                del self.out[start:]
            if parts:
                self.out.append(" ".join(part.strip() for part in parts))

    def paragraph(self, paragraph: object) -> None:
        text, boxes, notes = self.runs(paragraph)
        text = re.sub(r"[\t\v ]+", " ", text).strip(" ")
        label, level = self.numbering.label(paragraph)
        if label:
            text = "  " * level + (f"{label} {text}" if text else label)
        if self.out and self.out[-1].endswith("\u2060"):  # the last paragraph mark was deleted
            self.out[-1] = self.out[-1][:-1] + (" " if text else "") + text.lstrip()
        else:
            self.out.append(text)
        if self._mark_deleted(paragraph):
            self.out[-1] += "\u2060"
        for box in boxes:
            self.blocks(box)
        for note in notes:
            for p in self.notes.get(note, []):
                self.paragraph(p)

    def _mark_deleted(self, paragraph: object) -> bool:
        mark = paragraph.find(f"{w_tag('pPr')}/{w_tag('rPr')}")  # type: ignore[attr-defined]
        if mark is None:
            return False
        flag = w_tag("ins") if self.original else w_tag("del")
        return mark.find(flag) is not None

    def runs(self, paragraph: object) -> tuple[str, list[object], list[str]]:
        """The paragraph's shown text; the text boxes and notes it anchors."""
        parts: list[str] = []
        boxes: list[object] = []
        notes: list[str] = []
        in_field_code = 0

        def visit(node: Any) -> Any:
            nonlocal in_field_code
            tag = node.tag
            if not isinstance(tag, str) or tag in self.drop_containers or tag == w_tag("pPr"):
                return None
            if tag == w_tag("rPr"):
                return None
            if tag == w_tag("r") and _hidden(node):
                return None
            if tag == w_tag("txbxContent"):
                boxes.append(node)
                return None
            if tag == f"{_MC}Fallback":
                return None  # the same content as mc:Choice, for older readers
            if tag == w_tag("fldChar"):
                kind = node.get(w_tag("fldCharType"))
                in_field_code += 1 if kind == "begin" else -1 if kind == "separate" else 0
                in_field_code = max(in_field_code, 0)
                return None
            if tag in (w_tag("t"), w_tag("delText")):
                keep = (tag == w_tag("t")) or self.original
                if keep and not in_field_code:
                    parts.append(node.text or "")
                return None
            if tag == w_tag("instrText"):
                return None
            if tag in (w_tag("tab"), w_tag("ptab")):
                parts.append("\t")
            elif tag in (w_tag("br"), w_tag("cr")):
                page = node.get(w_tag("type")) in ("page", "column")
                parts.append(" " if page else "\n")
            elif tag == w_tag("noBreakHyphen"):
                parts.append("-")
            elif tag in (w_tag("footnoteReference"), w_tag("endnoteReference")):
                kind = "footnote" if tag == w_tag("footnoteReference") else "endnote"
                notes.append(f"{kind}:{node.get(w_tag('id'))}")
            return node

        _walk(paragraph, visit)
        return "".join(parts), boxes, notes


def _walk(root: object, visit: Callable[[Any], Any]) -> None:
    """Depth first over ``root``'s descendants in document order, without recursion (a
    document may nest deeply): ``visit(node)`` returns the element whose children come next
    (the node itself, or the content of a container) or None to skip the node's children."""
    stack: list[Iterator[Any]] = [iter(root.iterchildren())]  # type: ignore[attr-defined]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        inner = visit(node)
        if inner is not None:
            stack.append(iter(inner.iterchildren()))


def _hidden(run: object) -> bool:
    props = run.find(w_tag("rPr"))  # type: ignore[attr-defined]
    if props is None:
        return False
    vanish = props.find(w_tag("vanish"))
    return vanish is not None and vanish.get(w_tag("val"), "true") not in ("0", "false")


def _has_text(paragraph: object) -> bool:
    return any((t.text or "").strip() for t in paragraph.iter(w_tag("t")))  # type: ignore[attr-defined]


def _part_root(document: object, suffix: str) -> list[object]:
    """Root elements of the package's parts whose name matches ``suffix`` (a regex)."""
    from lxml import etree

    roots = []
    for part in document.part.package.iter_parts():  # type: ignore[attr-defined]
        if re.search(suffix, str(part.partname)):
            element = getattr(part, "element", None)
            if element is None:
                element = etree.fromstring(part.blob, etree.XMLParser(resolve_entities=False))
            roots.append(element)
    return roots


def _notes(document: object) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {}
    for kind in ("footnote", "endnote"):
        for root in _part_root(document, rf"/word/{kind}s\.xml$"):
            for note in root.iterchildren(w_tag(kind)):  # type: ignore[attr-defined]
                if note.get(w_tag("type")) in ("separator", "continuationSeparator"):
                    continue
                out[f"{kind}:{note.get(w_tag('id'))}"] = list(note.iterchildren(w_tag("p")))
    return out


def _furniture(document: object) -> list[str]:
    """The text lines of the headers and footers, once each."""
    found: dict[str, None] = {}
    for root in _part_root(document, r"/word/(header|footer)\d*\.xml$"):
        for paragraph in root.iter(w_tag("p")):  # type: ignore[attr-defined]
            text = " ".join("".join(t.text or "" for t in paragraph.iter(w_tag("t"))).split())
            if text:
                found[text] = None
    return list(found)


def docx_paragraphs(
    data: bytes, *, path: str, limits: ReadLimits | None = None, original: bool = False
) -> tuple[list[str], list[str]]:
    """(paragraph texts in reading order, header and footer lines) of the DOCX ``data``."""
    import docx

    limits = limits or ReadLimits()
    check_archive(data, path=path, limits=limits)
    document = docx.Document(io.BytesIO(data))
    reader = _Reader(document, original)
    reader.blocks(document.element.body)
    paragraphs = [text.replace("\u2060", "") for text in reader.out]
    return paragraphs, _furniture(document)
