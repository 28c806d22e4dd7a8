"""Read a policy file into a ``Document``: every kept line with its page and line number.

The only pipeline stage that touches the file system. Formats: plain text and markdown
(``.txt``, ``.text``, ``.md``), PDF (pypdfium2, or pdfplumber on request) and DOCX
(python-docx, with Word's generated list numbers rendered into the text by
``analyzer.docx_numbering``).

Exports:
    ingest(path, *, max_bytes, pdf_engine) -> Document        -- read and parse a file
    ingest_bytes(data, *, path, max_bytes, pdf_engine) -> Document -- parse file bytes
    ingest_text(text, *, path, fmt) -> Document               -- wrap text already in memory
    SUPPORTED_SUFFIXES                                        -- suffixes ingest accepts

Line numbers:
    text/markdown -- page splits at form feeds; ``line`` is the file's line within that page.
    pdf           -- ``line`` counts the text lines of the page top-down as drawn, running
                     headers included, so removed headers leave gaps in the numbering.
    docx          -- no pages: ``page`` is 1 and ``line`` is the 1-based paragraph index in
                     body order (table cell paragraphs included, row by row).
A ``Line(text="")`` marks a paragraph break (never two in a row, none at the start or end); in
PDF and DOCX it carries the page/line of the line before it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from analyzer.docx_numbering import Numbering, w_tag
from analyzer.errors import (
    BinaryFileError,
    CorruptFileError,
    EmptyFileError,
    EncryptedPdfError,
    FileTooLargeError,
    NoTextLayerError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from analyzer.model import Document, Line

__all__ = ["SUPPORTED_SUFFIXES", "ingest", "ingest_bytes", "ingest_text"]

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".text", ".md", ".pdf", ".docx")
PDF_ENGINES: tuple[str, ...] = ("auto", "pypdfium2", "pdfplumber")

_TEXT_FORMATS = {".txt": "text", ".text": "text", ".md": "markdown"}
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0", "ole"),
    (b"{\\rtf", "rtf"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
)
_KINDS = {  # what the content is, and what to do about it
    "pdf": ("a PDF", "rename it to .pdf"),
    "docx": ("a Word .docx document", "rename it to .docx"),
    "zip": ("a zip archive", "extract the policy from it"),
    "ole": ("a legacy Word .doc (Office 97-2003) file", "save it as .docx"),
    "rtf": ("an RTF document", "save it as .docx or PDF"),
    "image": ("an image", "run OCR to get a PDF with a text layer"),
    "text": ("plain text", "rename it to .txt"),
}


# ---------------------------------------------------------------- entry points


def ingest(
    path: str | os.PathLike[str], *, max_bytes: int = 50_000_000, pdf_engine: str = "auto"
) -> Document:
    """Read the file at ``path`` (size checked before reading) and parse it."""
    name = os.fspath(path)
    try:
        if Path(name).is_dir():
            raise UnreadableFileError(name, "it is a folder")
        size = Path(name).stat().st_size
        if size > max_bytes:
            raise FileTooLargeError(name, size, max_bytes)
        data = Path(name).read_bytes()
    except FileNotFoundError as error:
        raise UnreadableFileError(name, "no such file") from error
    except OSError as error:
        raise UnreadableFileError(name, error.strerror or type(error).__name__) from error
    return ingest_bytes(data, path=name, max_bytes=max_bytes, pdf_engine=pdf_engine)


def ingest_bytes(
    data: bytes, *, path: str, max_bytes: int = 50_000_000, pdf_engine: str = "auto"
) -> Document:
    """Parse the raw bytes of a file named ``path``; the format comes from the suffix,
    checked against the content's magic bytes."""
    if pdf_engine not in PDF_ENGINES:
        raise ValueError(f"pdf_engine must be one of {PDF_ENGINES}, not {pdf_engine!r}")
    if len(data) > max_bytes:
        raise FileTooLargeError(path, len(data), max_bytes)
    if not data.strip():
        raise EmptyFileError(path)
    kind = _route(data, path)
    digest = hashlib.sha256(data).hexdigest()
    if kind == "pdf":
        return _pdf_document(data, path, digest, pdf_engine)
    if kind == "docx":
        return _docx_document(data, path, digest)
    text = _decode(data, path)
    return _text_document(text, path, digest, kind)


def ingest_text(text: str, *, path: str = "<text>", fmt: str = "text") -> Document:
    """Wrap ``text`` as a Document (``fmt`` "text" or "markdown"); sha256 of its UTF-8."""
    if fmt not in ("text", "markdown"):
        raise ValueError(f"fmt must be 'text' or 'markdown', not {fmt!r}")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _text_document(text.removeprefix("\ufeff"), path, digest, fmt)


# ---------------------------------------------------------------- routing


def _sniff(data: bytes) -> str:
    head = data[:1024]
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return _zip_kind(data) if kind == "zip" else kind
    if b"%PDF-" in head:
        return "pdf"
    return ""


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError):
        return "zip"
    return "docx" if "word/document.xml" in names else "zip"


def _route(data: bytes, path: str) -> str:
    """The format to parse ``data`` as (text, markdown, pdf, docx): the suffix's, when the
    content agrees; the content's, for a file without a suffix; else raise."""
    suffix = Path(path).suffix.lower()
    found = _sniff(data)
    expected = {".pdf": "pdf", ".docx": "docx"}.get(
        suffix, "text" if suffix in _TEXT_FORMATS else ""
    )
    if expected and (found == expected or (expected == "text" and not found)):
        return _TEXT_FORMATS.get(suffix, found)
    if not suffix and found in ("pdf", "docx"):
        return found
    if expected == "pdf" and not found:
        if _looks_binary(data):
            raise CorruptFileError(path, "PDF", "no %PDF- header")
        found = "text"
    if expected == "docx" and found in ("", "zip"):
        raise CorruptFileError(path, "DOCX", "not a Word document archive")
    if found:
        what, fix = _KINDS[found]
        detail = f"the content is {what} but the name ends in {suffix or 'nothing'}; {fix}"
    else:
        detail = f"{suffix or 'no'} suffix; policydiff reads {', '.join(SUPPORTED_SUFFIXES)}"
    raise UnsupportedFormatError(path, detail)


# ---------------------------------------------------------------- text


def _looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte == 127 or (byte < 32 and byte not in b"\t\n\r\f"))
    return controls > 0.05 * len(sample)


def _decode(data: bytes, path: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise BinaryFileError(path) from error
    if _looks_binary(data):
        raise BinaryFileError(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _text_document(text: str, path: str, digest: str, fmt: str) -> Document:
    if not text.strip():
        raise EmptyFileError(path)
    pages = text.replace("\r\n", "\n").replace("\r", "\n").split("\f")
    lines = [
        Line(raw.rstrip(), page=page_no, line=line_no)
        for page_no, page in enumerate(pages, start=1)
        for line_no, raw in enumerate(page.split("\n"), start=1)
    ]
    return Document(
        path=path,
        sha256=digest,
        format=fmt,
        lines=_collapse_breaks(lines),
        pages=len(pages),
        extractor="text",
    )


def _collapse_breaks(lines: Iterable[Line]) -> tuple[Line, ...]:
    """Blank lines become single ``Line("")`` breaks; none at the start or end."""
    out: list[Line] = []
    for line in lines:
        if line.text.strip():
            out.append(line)
        elif out and out[-1].text:
            out.append(replace(line, text=""))
    while out and not out[-1].text:
        out.pop()
    return tuple(out)


# ---------------------------------------------------------------- PDF: extraction


@dataclass(frozen=True)
class _RawLine:
    """One text line of a PDF page; ``top``/``bottom`` measured down from the page top."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass(frozen=True)
class _Page:
    width: float
    height: float
    lines: tuple[_RawLine, ...]


def _pdfium_pages(data: bytes, path: str) -> Iterator[_Page]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if getattr(error, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise EncryptedPdfError(path) from error
        detail = str(error).splitlines()[0].rstrip(". ") if str(error) else "unreadable"
        raise CorruptFileError(path, "PDF", detail) from error
    try:
        if len(document) == 0:
            raise CorruptFileError(path, "PDF", "no pages")
        for index in range(len(document)):
            try:
                page = document[index]
            except pdfium.PdfiumError as error:
                raise CorruptFileError(path, "PDF", f"page {index + 1}") from error
            try:
                yield _pdfium_page(page)
            finally:
                page.close()
    finally:
        document.close()


def _pdfium_page(page: object) -> _Page:
    width, height = page.get_size()  # type: ignore[attr-defined]
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    try:
        count = textpage.count_chars()
        rows = [
            _pdfium_row(textpage, start, piece, height, count)
            for start, piece in _pdfium_pieces(textpage.get_text_range())
            if piece.strip()
        ]
    finally:
        textpage.close()
    return _Page(width, height, _merge_rows(rows))


def _pdfium_pieces(text: str) -> Iterator[tuple[int, str]]:
    """(char index, text) of each line. PDFium ends lines with CR LF, but joins a line that
    ends with a hyphen to the next one, marking the hyphen U+FFFE: split there too."""
    start = 0
    for found in re.finditer("\r\n|\ufffe", text):
        end = found.end() if found.group() == "\ufffe" else found.start()
        yield start, text[start:end].replace("\ufffe", "-")
        start = found.end()
    yield start, text[start:]


def _pdfium_row(textpage: object, start: int, piece: str, height: float, count: int) -> _RawLine:
    """Geometry from the first and last character (indices clamped: a character outside
    the Basic Multilingual Plane takes two string positions but one PDFium index)."""
    import pypdfium2.raw as raw

    first = min(start + len(piece) - len(piece.lstrip()), count - 1)
    last = min(start + len(piece.rstrip()) - 1, count - 1)
    left, bottom, _, top = textpage.get_charbox(first, loose=True)  # type: ignore[attr-defined]
    _, _, right, _ = textpage.get_charbox(last, loose=True)  # type: ignore[attr-defined]
    size = raw.FPDFText_GetFontSize(textpage.raw, first)  # type: ignore[attr-defined]
    return _RawLine(piece.strip(), left, right, height - top, height - bottom, size)


def _pdfplumber_pages(data: bytes, path: str) -> Iterator[_Page]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PdfminerException as error:
        cause = error.args[0] if error.args else error
        if isinstance(cause, PDFPasswordIncorrect):
            raise EncryptedPdfError(path) from error
        raise CorruptFileError(path, "PDF", type(cause).__name__) from error
    with pdf:
        try:
            pages = pdf.pages
        except (PdfminerException, PSException) as error:
            raise CorruptFileError(path, "PDF", type(error).__name__) from error
        if not pages:
            raise CorruptFileError(path, "PDF", "no pages")
        for number, page in enumerate(pages, start=1):
            try:
                yield _plumber_page(page)
            except (PdfminerException, PSException) as error:
                raise CorruptFileError(path, "PDF", f"page {number}") from error
            finally:
                page.close()


# pdfminer leaves code 127 of WinAnsiEncoding undecoded; the PDF spec maps it to a bullet.
_CID_BULLET = "(cid:127)"


def _plumber_page(page: object) -> _Page:
    found = page.extract_text_lines(return_chars=True)  # type: ignore[attr-defined]
    rows = [
        _RawLine(
            row["text"].replace(_CID_BULLET, "\u2022").strip(),
            row["x0"],
            row["x1"],
            row["top"],
            row["bottom"],
            row["chars"][0]["size"] if row["chars"] else 0.0,
        )
        for row in found
        if row["text"].strip()
    ]
    return _Page(page.width, page.height, _merge_rows(rows))  # type: ignore[attr-defined]


def _merge_rows(rows: Sequence[_RawLine]) -> tuple[_RawLine, ...]:
    """Sort rows top-down and join rows that share a baseline band (left to right)."""
    merged: list[_RawLine] = []
    for row in sorted(rows, key=lambda r: (round(r.bottom, 1), r.x0)):
        if merged and _same_band(merged[-1], row):
            left, right = sorted((merged[-1], row), key=lambda r: r.x0)
            merged[-1] = _RawLine(
                f"{left.text} {right.text}",
                left.x0,
                max(left.x1, right.x1),
                min(left.top, right.top),
                max(left.bottom, right.bottom),
                left.size,
            )
        else:
            merged.append(row)
    return tuple(merged)


def _same_band(a: _RawLine, b: _RawLine) -> bool:
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    return overlap > 0.5 * min(a.bottom - a.top, b.bottom - b.top)


# ---------------------------------------------------------------- PDF: cleanup

_PAGE_NUMBER = re.compile(
    r"^(?:page\s*#+(?:\s*(?:of|/)\s*#+)?|#+(?:\s*(?:of|/)\s*#+)?|[-\u2013\u2014]\s*#+\s*[-\u2013\u2014])$"
)
_MARGIN_BAND = 0.08


@dataclass(frozen=True)
class _Placed:
    """A kept PDF line with its page, reader line number and geometry."""

    page: int
    line: int
    raw: _RawLine


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text)).strip().casefold()


def _in_band(row: _RawLine, page: _Page) -> bool:
    band = _MARGIN_BAND * page.height
    return row.bottom <= band or row.top >= page.height - band


def _noise_keys(pages: Sequence[_Page]) -> set[str]:
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_normalize(row.text) for row in page.lines if _in_band(row, page)})
    needed = max(2, (len(pages) + 1) // 2)
    return {key for key, count in counts.items() if count >= needed}


def _is_noise(row: _RawLine, page: _Page, keys: set[str]) -> bool:
    if not _in_band(row, page):
        return False
    key = _normalize(row.text)
    return key in keys or bool(_PAGE_NUMBER.match(key))


def _place(pages: Sequence[_Page]) -> list[_Placed]:
    keys = _noise_keys(pages)
    return [
        _Placed(page_no, line_no, row)
        for page_no, page in enumerate(pages, start=1)
        for line_no, row in enumerate(page.lines, start=1)
        if not _is_noise(row, page, keys)
    ]


def _check_text_layer(pages: Sequence[_Page], path: str) -> None:
    chars = sum(len(row.text.replace(" ", "")) for page in pages for row in page.lines)
    if chars < 16 * len(pages):
        raise NoTextLayerError(path, len(pages))


def _line_spacing(placed: Sequence[_Placed]) -> float:
    """The typical baseline step between consecutive lines: the most common one (smallest
    on ties), so paragraph gaps do not inflate it."""
    steps = Counter(
        round(b.raw.bottom - a.raw.bottom, 1)
        for a, b in zip(placed, placed[1:], strict=False)
        if a.page == b.page and b.raw.bottom > a.raw.bottom
    )
    if not steps:
        return 0.0
    return min(steps, key=lambda step: (-steps[step], step))


_ENDS_SENTENCE = re.compile(r"[.;:?!][\"'\u201d\u2019)\]]*$")


def _ends_paragraph(last: _Placed, first: _Placed, right_edge: float, column: float) -> bool:
    """At a page break: does ``last`` (end of a page) close its paragraph?"""
    short = last.raw.x1 < right_edge - 0.2 * column
    next_lower = first.raw.text[:1].islower()
    return short or (bool(_ENDS_SENTENCE.search(last.raw.text)) and not next_lower)


def _with_breaks(placed: Sequence[_Placed]) -> list[_Placed | None]:
    """``placed`` with ``None`` where a paragraph break goes."""
    if not placed:
        return []
    spacing = _line_spacing(placed)
    left = min(p.raw.x0 for p in placed)
    right = max(p.raw.x1 for p in placed)
    out: list[_Placed | None] = [placed[0]]
    for before, here in zip(placed, placed[1:], strict=False):
        if before.page != here.page:
            brk = _ends_paragraph(before, here, right, max(right - left, 1.0))
        else:
            brk = spacing > 0 and here.raw.bottom - before.raw.bottom > 1.5 * spacing
        if brk:
            out.append(None)
        out.append(here)
    return out


def _indented(item: _Placed, left: float) -> str:
    unit = 0.278 * item.raw.size if item.raw.size > 0 else 2.78
    spaces = max(0, round((item.raw.x0 - left) / unit))
    return " " * spaces + item.raw.text


def _to_lines(items: Sequence[_Placed | None]) -> list[Line]:
    kept = [item for item in items if item is not None]
    left = min((item.raw.x0 for item in kept), default=0.0)
    lines: list[Line] = []
    for item in items:
        if item is None:
            previous = lines[-1] if lines else Line("", 1, 1)
            lines.append(Line("", previous.page, previous.line))
        else:
            lines.append(Line(_indented(item, left), item.page, item.line))
    return lines


# ---------------------------------------------------------------- hyphenation

KEEP_HYPHEN_PREFIXES = frozenset(
    "de non re co self pre post anti multi inter intra sub semi cross well ex".split()
)
_WRAPPED_HYPHEN = re.compile(r"(?<![\w-])([A-Za-z]+)-$")


def _repair_hyphens(lines: Sequence[Line]) -> list[Line]:
    """Join words wrapped with a hyphen at a line end: move the rest of the word up.

    The hyphen stays when the left part is a prefix that takes one (``de-escalation``);
    a line left empty by the move is dropped.
    """
    out = list(lines)
    emptied: set[int] = set()
    for index in range(len(out) - 1):
        here, after = out[index], out[index + 1]
        found = _WRAPPED_HYPHEN.search(here.text)
        rest = after.text.lstrip()
        if not found or not rest[:1].islower():
            continue
        word, _, remainder = rest.partition(" ")
        keep = found.group(1).lower() in KEEP_HYPHEN_PREFIXES
        out[index] = replace(here, text=(here.text if keep else here.text[:-1]) + word)
        indent = after.text[: len(after.text) - len(rest)]
        out[index + 1] = replace(after, text=indent + remainder.lstrip() if remainder else "")
        if not remainder.strip():
            emptied.add(index + 1)
    return [line for index, line in enumerate(out) if index not in emptied]


def _pdf_document(data: bytes, path: str, digest: str, engine: str) -> Document:
    reader = _pdfplumber_pages if engine == "pdfplumber" else _pdfium_pages
    pages = list(reader(data, path))
    _check_text_layer(pages, path)
    lines = _repair_hyphens(_to_lines(_with_breaks(_place(pages))))
    return Document(
        path=path,
        sha256=digest,
        format="pdf",
        lines=_collapse_breaks(lines),
        pages=len(pages),
        extractor="pdfplumber" if engine == "pdfplumber" else "pypdfium2",
    )


# ---------------------------------------------------------------- DOCX


def _body_paragraphs(parent: object) -> Iterator[object]:
    """``w:p`` elements in body order; tables row by row, cell by cell; content controls."""
    for child in parent.iterchildren():  # type: ignore[attr-defined]
        if child.tag == w_tag("p"):
            yield child
        elif child.tag == w_tag("tbl"):
            for row in child.findall(w_tag("tr")):
                for cell in row.findall(w_tag("tc")):
                    yield from _body_paragraphs(cell)
        elif child.tag == w_tag("sdt"):
            content = child.find(w_tag("sdtContent"))
            if content is not None:
                yield from _body_paragraphs(content)


def _docx_paragraphs(data: bytes) -> list[str]:
    """The text of each paragraph, prefixed with its indented Word list label."""
    import docx

    document = docx.Document(io.BytesIO(data))
    numbering = Numbering(document)
    out = []
    for paragraph in _body_paragraphs(document.element.body):
        # a soft line break (w:br) stays a line break, as in the text it came from
        text = re.sub(r"[\t\v]+", " ", paragraph.text).rstrip()  # type: ignore[attr-defined]
        label, level = numbering.label(paragraph)
        if label:
            text = "  " * level + (f"{label} {text}" if text else label)
        out.append(text)
    return out


def _docx_document(data: bytes, path: str, digest: str) -> Document:
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        paragraphs = _docx_paragraphs(data)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, XMLSyntaxError, OSError) as error:
        raise CorruptFileError(path, "DOCX", type(error).__name__) from error
    lines: list[Line] = []
    for index, text in enumerate(paragraphs, start=1):
        lines.extend(Line(part.rstrip(), 1, index) for part in text.split("\n"))
        lines.append(Line("", 1, index))
    if not any(line.text.strip() for line in lines):
        raise EmptyFileError(path)
    return Document(
        path=path,
        sha256=digest,
        format="docx",
        lines=_collapse_breaks(lines),
        pages=1,
        extractor="docx",
    )
