"""Read a PDF into positioned text pieces (``analyzer.layout.PdfPage``), within the reading limits.

PDFium (pypdfium2, the default) gives one rectangle per run of text on a baseline, split where
a wide gap separates two columns; pdfplumber (on request) gives its text lines with character
boxes. Text drawn at 90 or 270 degrees is turned upright before layout. Before PDFium expands
anything, every Flate stream in the file is measured by decompressing it in bounded chunks, so
a small file that would expand to gigabytes is refused in a second; pages and glyphs are
counted against their limits as they are read.

Exports:
    pdf_pages(data, *, path, engine, limits) -> Iterator[PdfPage]
    check_streams(data, *, path, limits)      -- refuse a decompression bomb
    text_chars(pages) -> int                  -- characters read (for the scan check)
"""

from __future__ import annotations

import io
import math
import re
import zlib
from collections.abc import Iterator, Sequence

from .errors import CorruptFileError, EncryptedPdfError
from .layout import PdfPage, Piece
from .read_limits import ReadLimits, check

__all__ = ["pdf_pages", "check_streams", "text_chars"]

_STREAM = re.compile(rb"stream\r?\n")
_CHUNK = 1 << 20


def check_streams(data: bytes, *, path: str, limits: ReadLimits) -> None:
    """Decompress each zlib stream in bounded chunks (discarding the output) and raise
    ``LimitExceededError`` when one, or all together, would pass the limits."""
    total = 0
    for found in _STREAM.finditer(data):
        start = found.end()
        if data[start : start + 1] != b"\x78":
            continue
        size = _inflated_size(data, start, limits.pdf_stream_bytes)
        check(
            size,
            limits.pdf_stream_bytes,
            path=path,
            what=f"a compressed PDF stream expands to more than {size:,} bytes",
            field="pdf_stream_bytes",
        )
        total += size
        check(
            total,
            limits.pdf_total_stream_bytes,
            path=path,
            what=f"the PDF's compressed streams expand to more than {total:,} bytes",
            field="pdf_total_stream_bytes",
        )


def _inflated_size(data: bytes, start: int, limit: int) -> int:
    inflater = zlib.decompressobj()
    size = 0
    view = memoryview(data)[start:]
    pending = bytes(view[:_CHUNK])
    offset = len(pending)
    try:
        while size <= limit:
            out = inflater.decompress(pending, _CHUNK)
            size += len(out)
            if inflater.eof:
                break
            pending = inflater.unconsumed_tail
            if not pending:
                if offset >= len(view):
                    break
                pending = bytes(view[offset : offset + _CHUNK])
                offset += len(pending)
            elif not out:
                break
    except zlib.error:
        pass  # a damaged stream: PDFium reports it, or reads around it
    return size


def text_chars(pages: Sequence[PdfPage]) -> int:
    return sum(len(p.text.replace(" ", "")) for page in pages for p in page.pieces)


def pdf_pages(
    data: bytes, *, path: str, engine: str = "auto", limits: ReadLimits | None = None
) -> Iterator[PdfPage]:
    """The pages of the PDF ``data`` as positioned pieces, one page at a time."""
    limits = limits or ReadLimits()
    check_streams(data, path=path, limits=limits)
    reader = _plumber_pages if engine == "pdfplumber" else _pdfium_pages
    glyphs = 0
    for number, page in enumerate(reader(data, path, limits), start=1):
        glyphs += sum(len(p.text) for p in page.pieces)
        check(
            glyphs,
            limits.pdf_glyphs,
            path=path,
            what=f"the PDF holds more than {glyphs:,} characters by page {number}",
            field="pdf_glyphs",
        )
        yield page


# ---------------------------------------------------------------- PDFium


def _pdfium_pages(data: bytes, path: str, limits: ReadLimits) -> Iterator[PdfPage]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if getattr(error, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise EncryptedPdfError(path) from error
        raise CorruptFileError(path, "PDF", _pdfium_detail(error)) from error
    try:
        count = len(document)
        if count == 0:
            raise CorruptFileError(path, "PDF", "no pages")
        check(
            count,
            limits.pdf_pages,
            path=path,
            what=f"the PDF has {count:,} pages",
            field="pdf_pages",
        )
        for index in range(count):
            try:
                page = document[index]
            except pdfium.PdfiumError as error:
                raise CorruptFileError(path, "PDF", f"page {index + 1}") from error
            try:
                yield _pdfium_page(page, path, index + 1, limits)
            finally:
                page.close()
    finally:
        document.close()


def _pdfium_detail(error: Exception) -> str:
    """PDFium's reason, without the meaningless "(PDFium: Success)" it sometimes adds."""
    text = str(error).splitlines()[0] if str(error) else ""
    text = re.sub(r"\s*\(PDFium: Success\)", "", text).rstrip(". ")
    return text or "PDFium cannot parse it"


def _pdfium_page(page: object, path: str, number: int, limits: ReadLimits) -> PdfPage:
    width, height = page.get_size()  # type: ignore[attr-defined]
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    try:
        count = textpage.count_chars()
        check(
            count,
            limits.pdf_page_glyphs,
            path=path,
            what=f"page {number} of the PDF holds {count:,} characters",
            field="pdf_page_glyphs",
        )
        pieces: list[tuple[Piece, float]] = []
        text = textpage.get_text_range() if count else ""
        chars = _Chars(textpage)
        for start, line in _pdfium_lines(text):
            pieces.extend(_line_pieces(chars, start, line, height, count))
    finally:
        textpage.close()
    return _upright(width, height, pieces)


def _pdfium_lines(text: str) -> Iterator[tuple[int, str]]:
    """(char index, text) of each line. PDFium ends lines with CR LF, but joins a line that
    ends with a hyphen to the next one, marking the hyphen U+FFFE (or U+0002): split there
    too."""
    start = 0
    for found in re.finditer("\r\n|[\ufffe\x02]", text):
        end = found.end() if found.group() in "\ufffe\x02" else found.start()
        piece = text[start:end].replace("\ufffe", "-").replace("\x02", "-")
        if piece.strip():
            yield start, piece
        start = found.end()
    if text[start:].strip():
        yield start, text[start:]


class _Chars:
    """Character geometry of one PDFium text page: the raw calls behind ``get_charbox(loose=
    True)`` and the origin, with their output buffers made once per page, not per call."""

    __slots__ = ("handle", "rect", "x", "y", "raw", "error")

    def __init__(self, textpage: object) -> None:
        import ctypes

        import pypdfium2 as pdfium
        import pypdfium2.raw as raw

        self.raw, self.error = raw, pdfium.PdfiumError
        self.handle = textpage.raw  # type: ignore[attr-defined]
        self.rect = raw.FS_RECTF()
        self.x, self.y = ctypes.c_double(), ctypes.c_double()

    def box(self, index: int) -> tuple[float, float, float, float]:
        """Left, bottom, right, top of the character's loose box (its font's bounds)."""
        rect = self.rect
        if not self.raw.FPDFText_GetLooseCharBox(self.handle, index, rect):
            raise self.error("Failed to get charbox.")
        return rect.left, rect.bottom, rect.right, rect.top

    def origin(self, index: int) -> tuple[float, float]:
        self.raw.FPDFText_GetCharOrigin(self.handle, index, self.x, self.y)
        return self.x.value, self.y.value

    def size(self, index: int) -> float:
        return self.raw.FPDFText_GetFontSize(self.handle, index)  # type: ignore[no-any-return]

    def angle(self, index: int) -> float:
        return self.raw.FPDFText_GetCharAngle(self.handle, index)  # type: ignore[no-any-return]


def _line_pieces(
    chars: _Chars, start: int, line: str, height: float, count: int
) -> list[tuple[Piece, float]]:
    """The pieces of one PDFium line: usually the line itself (the union of its first and
    last character boxes, its baseline, font size and angle), but cut where a gap wider than
    two ems separates two runs (two columns PDFium joined with a space). Only a line wider
    than its characters explain is looked at for gaps."""
    lead = len(line) - len(line.lstrip())
    body = line.strip()
    first = min(start + lead, count - 1)
    last = min(first + len(body) - 1, count - 1)
    l1, b1, r1, t1 = chars.box(first)
    l2, b2, r2, t2 = chars.box(last)
    left, bottom, right, top = min(l1, l2), min(b1, b2), max(r1, r2), max(t1, t2)
    size = chars.size(first)
    em = max(size, 1.0)
    if right - left > 0.75 * em * len(body) + 2 * em and " " in body:
        runs = _gap_runs(chars, first, body, count, em)
        if len(runs) > 1:
            return [_pdfium_piece(chars, index, run, height, count) for index, run in runs]
    vertical = top - bottom > 2 * (right - left) and len(body) > 2
    angle = chars.angle(first)
    ox, oy = chars.origin(first)
    base = ox if vertical else oy
    text = " ".join(body.split())
    return [(Piece(text, left, right, height - top, height - bottom, height - base, size), angle)]


def _gap_runs(chars: _Chars, first: int, body: str, count: int, em: float) -> list[tuple[int, str]]:
    runs: list[tuple[int, str]] = []
    cut = 0
    for k, char in enumerate(body):
        if char != " " or k == 0 or k + 1 >= len(body):
            continue
        before = min(first + k - 1, count - 1)
        after = min(first + k + 1, count - 1)
        if chars.box(after)[0] - chars.box(before)[2] > 2 * em:
            runs.append((first + cut, body[cut:k].strip()))
            cut = k + 1
    runs.append((first + cut, body[cut:].strip()))
    return [(index, run) for index, run in runs if run]


def _pdfium_piece(
    chars: _Chars, first: int, text: str, height: float, count: int
) -> tuple[Piece, float]:
    """The piece of ``text`` starting at char ``first``, with no gap inside."""
    return _line_pieces(chars, first, text, height, count)[0]


def _upright(width: float, height: float, pieces: Sequence[tuple[Piece, float]]) -> PdfPage:
    """Turn a page whose text mostly runs vertically (drawn at 90 or 270 degrees) upright:
    the reading direction becomes x and the line order top-down."""
    turned = [angle for _, angle in pieces if abs(math.sin(angle)) > 0.9]
    if len(turned) <= len(pieces) / 2:
        return PdfPage(width, height, tuple(piece for piece, _ in pieces))
    up = sum(1 for angle in turned if math.sin(angle) < 0) >= len(turned) / 2
    out = []
    for p, _ in pieces:
        # piece coordinates: top/bottom/base measured down from the page top
        if up:  # reads bottom to top; lines advance to the right
            base = height - p.base
            out.append(Piece(p.text, height - p.bottom, height - p.top, p.x0, p.x1, base, p.size))
        else:  # reads top to bottom; lines advance to the left
            base = width - height + p.base
            out.append(Piece(p.text, p.top, p.bottom, width - p.x1, width - p.x0, base, p.size))
    return PdfPage(height, width, tuple(out))


# ---------------------------------------------------------------- pdfplumber

# pdfminer leaves code 127 of WinAnsiEncoding undecoded; the PDF spec maps it to a bullet.
_CID_BULLET = "(cid:127)"


def _plumber_pages(data: bytes, path: str, limits: ReadLimits) -> Iterator[PdfPage]:
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
        what = f"the PDF has {len(pages):,} pages"
        check(len(pages), limits.pdf_pages, path=path, what=what, field="pdf_pages")
        for number, page in enumerate(pages, start=1):
            try:
                yield _plumber_page(page)
            except (PdfminerException, PSException) as error:
                raise CorruptFileError(path, "PDF", f"page {number}") from error
            finally:
                page.close()


def _plumber_page(page: object) -> PdfPage:
    found = page.extract_text_lines(return_chars=True)  # type: ignore[attr-defined]
    pieces = []
    for row in found:
        text = row["text"].replace(_CID_BULLET, "\u2022").strip()
        if not text:
            continue
        chars = row["chars"]
        size = chars[0]["size"] if chars else 0.0
        base = chars[0]["bottom"] if chars else row["bottom"]
        pieces.extend(_plumber_split(text, row, chars, size, base))
    return PdfPage(page.width, page.height, tuple(pieces))  # type: ignore[attr-defined]


def _plumber_split(
    text: str, row: dict, chars: list[dict], size: float, base: float
) -> list[Piece]:
    """Split a pdfplumber line where a gap wider than three spaces separates two runs (two
    columns on one baseline), like PDFium's rectangles."""
    runs: list[list[dict]] = []
    for char in chars:
        if runs and char["x0"] - runs[-1][-1]["x1"] <= 3 * max(char["size"], 1.0):
            runs[-1].append(char)
        else:
            runs.append([char])
    if len(runs) <= 1:
        return [Piece(text, row["x0"], row["x1"], row["top"], row["bottom"], base, size)]
    out = []
    for run in runs:
        piece = "".join(
            (" " if k and c["x0"] - run[k - 1]["x1"] > 0.15 * c["size"] else "") + c["text"]
            for k, c in enumerate(run)
        )
        piece = piece.replace(_CID_BULLET, "\u2022").strip()
        if piece:
            out.append(
                Piece(
                    " ".join(piece.split()),
                    run[0]["x0"],
                    run[-1]["x1"],
                    min(c["top"] for c in run),
                    max(c["bottom"] for c in run),
                    run[0]["bottom"],
                    run[0]["size"],
                )
            )
    return out
