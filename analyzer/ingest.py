"""Read a policy file into a ``Document``: paragraph lines with their page and line numbers.

The only pipeline stage that touches the file system: it refuses what is not a regular file
(a folder, a FIFO, a device) before reading, reads at most ``max_bytes``, routes the bytes by
suffix and content, and hands them to a reader: text here, PDF in ``analyzer.read_pdf``, DOCX
in ``analyzer.read_docx``. Every format then goes through the same reading model
(``analyzer.layout``: lines -> paragraphs, hyphenation) and the same page-furniture stripper
(``analyzer.furniture``), and every reader stays within ``analyzer.read_limits``.

Exports:
    ingest(path, *, max_bytes, pdf_engine, limits, docx_original) -> Document
    ingest_bytes(data, *, path, max_bytes, pdf_engine, limits, docx_original) -> Document
    ingest_text(text, *, path, fmt) -> Document     -- wrap text already in memory
    decode_text(data, *, path) -> str               -- bytes of a text file to str
    SUPPORTED_SUFFIXES                              -- suffixes ingest accepts

Line numbers:
    text/markdown -- page splits at form feeds; ``line`` is the file's line within that page.
    pdf           -- ``line`` counts the text lines of the page in reading order, furniture
                     included, so removed headers leave gaps in the numbering.
    docx          -- no pages: ``page`` is 1 and ``line`` is the 1-based paragraph index in
                     reading order (a table row, a text box or a note paragraph counts one).
A ``Line(text="")`` marks a paragraph break (never two in a row, none at the start or end); it
carries the page/line of the line before it. Removed furniture is in ``Document.removed_lines``.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import zipfile
from collections.abc import Sequence
from pathlib import Path

from . import furniture, layout
from .errors import (
    BinaryFileError,
    CorruptFileError,
    EmptyFileError,
    FileTooLargeError,
    NoTextLayerError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from .model import Document, Line, RemovedLine
from .read_limits import ReadLimits, check

__all__ = ["SUPPORTED_SUFFIXES", "ingest", "ingest_bytes", "ingest_text", "decode_text"]

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

_SPECIAL = (
    (stat.S_ISFIFO, "it is a named pipe (FIFO), not a file"),
    (stat.S_ISCHR, "it is a character device, not a file"),
    (stat.S_ISBLK, "it is a block device, not a file"),
    (stat.S_ISSOCK, "it is a socket, not a file"),
)


def ingest(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = 50_000_000,
    pdf_engine: str = "auto",
    limits: ReadLimits | None = None,
    docx_original: bool = False,
) -> Document:
    """Read the file at ``path`` (kind and size checked before reading) and parse it."""
    name = os.fspath(path)
    try:
        if not name:
            raise UnreadableFileError(name, "the file name is empty")
        info = os.stat(name)
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableFileError(name, "it is a folder")
        for test, why in _SPECIAL:
            if test(info.st_mode):
                raise UnreadableFileError(name, why)
        if info.st_size > max_bytes:
            raise FileTooLargeError(name, info.st_size, max_bytes)
        with open(name, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError as error:
        raise UnreadableFileError(name, "no such file") from error
    except OSError as error:
        raise UnreadableFileError(name, error.strerror or type(error).__name__) from error
    return ingest_bytes(
        data,
        path=name,
        max_bytes=max_bytes,
        pdf_engine=pdf_engine,
        limits=limits,
        docx_original=docx_original,
    )


def ingest_bytes(
    data: bytes,
    *,
    path: str,
    max_bytes: int = 50_000_000,
    pdf_engine: str = "auto",
    limits: ReadLimits | None = None,
    docx_original: bool = False,
) -> Document:
    """Parse the raw bytes of a file named ``path``; the format comes from the suffix,
    checked against the content's magic bytes. ``docx_original`` reads a DOCX as it was
    before its tracked changes."""
    if pdf_engine not in PDF_ENGINES:
        raise ValueError(f"pdf_engine must be one of {PDF_ENGINES}, not {pdf_engine!r}")
    if len(data) > max_bytes:
        raise FileTooLargeError(path, len(data), max_bytes)
    if not data.strip():
        raise EmptyFileError(path)
    limits = limits or ReadLimits.from_env()
    kind = _route(data, path)
    digest = hashlib.sha256(data).hexdigest()
    if kind == "pdf":
        return _pdf_document(data, path, digest, pdf_engine, limits)
    if kind == "docx":
        return _docx_document(data, path, digest, limits, docx_original)
    text = decode_text(data, path=path)
    return _text_document(text, path, digest, kind, limits)


def ingest_text(text: str, *, path: str = "<text>", fmt: str = "text") -> Document:
    """Wrap ``text`` as a Document (``fmt`` "text" or "markdown"); sha256 of its UTF-8."""
    if fmt not in ("text", "markdown"):
        raise ValueError(f"fmt must be 'text' or 'markdown', not {fmt!r}")
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return _text_document(text.removeprefix("\ufeff"), path, digest, fmt, ReadLimits.from_env())


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


def _utf16_without_bom(data: bytes) -> str:
    """ "utf-16-le" / "utf-16-be" when the text is UTF-16 without a byte-order mark (every
    other byte zero in mostly-ASCII text), else ""."""
    sample = data[: 4096 - 4096 % 2] if len(data) >= 4 else b""
    pairs = len(sample) // 2
    if pairs < 2:
        return ""
    odd_zero = sum(1 for i in range(1, len(sample), 2) if sample[i] == 0)
    even_zero = sum(1 for i in range(0, len(sample), 2) if sample[i] == 0)
    if odd_zero > 0.4 * pairs and even_zero < 0.05 * pairs:
        return "utf-16-le"
    if even_zero > 0.4 * pairs and odd_zero < 0.05 * pairs:
        return "utf-16-be"
    return ""


_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def decode_text(data: bytes, *, path: str) -> str:
    """The text of a text file: UTF-16 (with or without a byte-order mark), else UTF-8 with
    any invalid byte replaced where it stands (U+FFFD); Windows-1252 only for a file with
    no UTF-8 sequence at all."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    if _looks_binary(data):
        raise BinaryFileError(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if _UTF8_MULTIBYTE.search(data):
            return data.decode("utf-8-sig", errors="replace")
        return data.decode("cp1252", errors="replace")


def _check_chars(lines: list[Line], path: str, limits: ReadLimits) -> None:
    total = 0
    for line in lines:
        size = len(line.text)
        total += size
        if size > limits.paragraph_chars:  # the message only for the line that fails
            what = f"line {line.line} (page {line.page}) holds {size:,} characters"
            check(size, limits.paragraph_chars, path=path, what=what, field="paragraph_chars")
    what = f"the document holds {total:,} characters"
    check(total, limits.document_chars, path=path, what=what, field="document_chars")


def _text_document(text: str, path: str, digest: str, fmt: str, limits: ReadLimits) -> Document:
    if not text.strip():
        raise EmptyFileError(path)
    check(
        len(text),
        limits.document_chars,
        path=path,
        what=f"the document holds {len(text):,} characters",
        field="document_chars",
    )
    pages = text.replace("\r\n", "\n").replace("\r", "\n").split("\f")
    lines = [
        Line(raw.rstrip(), page_no, line_no)
        for page_no, page in enumerate(pages, start=1)
        for line_no, raw in enumerate(page.split("\n"), start=1)
    ]
    _check_chars(lines, path, limits)
    kept, removed = furniture.strip(lines)
    kept_lines = layout.text_paragraphs(layout.repair_hyphens(kept))
    return Document(
        path=path,
        sha256=digest,
        format=fmt,
        lines=layout.collapse_breaks(kept_lines),
        pages=len(pages),
        extractor="text",
        removed_lines=removed,
    )


# ---------------------------------------------------------------- PDF


def _pdf_document(data: bytes, path: str, digest: str, engine: str, limits: ReadLimits) -> Document:
    from .read_pdf import pdf_pages, text_chars

    pages = list(pdf_pages(data, path=path, engine=engine, limits=limits))
    chars = text_chars(pages)
    if chars < 16 * len(pages):
        raise NoTextLayerError(path, len(pages), chars)
    memo = furniture.Memo()  # the two passes share their per-line work

    def margin_furniture(rows: Sequence[Line], margins: Sequence[bool], n: int) -> dict[int, str]:
        return furniture.find(rows, margins=margins, pages=n, memo=memo)

    lines, margins = layout.read_pages(pages, margin_furniture)
    _check_chars(lines, path, limits)
    # a text export printed to PDF keeps its own furniture in the body
    kept, body = furniture.strip(lines, memo=memo)
    removed = tuple(sorted((*margins, *body), key=lambda r: (r.page, r.line)))
    return Document(
        path=path,
        sha256=digest,
        format="pdf",
        lines=layout.collapse_breaks(kept),
        pages=len(pages),
        extractor="pdfplumber" if engine == "pdfplumber" else "pypdfium2",
        removed_lines=removed,
    )


# ---------------------------------------------------------------- DOCX


def _docx_document(
    data: bytes, path: str, digest: str, limits: ReadLimits, original: bool
) -> Document:
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    from .read_docx import docx_paragraphs

    try:
        paragraphs, running = docx_paragraphs(data, path=path, limits=limits, original=original)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, XMLSyntaxError, OSError) as error:
        raise CorruptFileError(path, "DOCX", type(error).__name__) from error
    lines: list[Line] = []
    for index, text in enumerate(paragraphs, start=1):
        lines.extend(Line(part.rstrip(), 1, index) for part in text.split("\n"))
        lines.append(Line("", 1, index))
    if not any(line.text.strip() for line in lines):
        raise EmptyFileError(path)
    _check_chars(lines, path, limits)
    kept, removed = furniture.strip(lines)
    removed += tuple(RemovedLine(text, 1, 1, "running") for text in running)
    return Document(
        path=path,
        sha256=digest,
        format="docx",
        lines=layout.collapse_breaks(layout.repair_hyphens(kept)),
        pages=1,
        extractor="docx",
        removed_lines=removed,
    )
