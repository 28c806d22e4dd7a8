"""Tests for analyzer.ingest: text, PDF (both engines), DOCX numbering, and every input error."""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from analyzer import errors
from analyzer.ingest import SUPPORTED_SUFFIXES, ingest, ingest_bytes, ingest_text
from analyzer.model import Document
from tests.fixtures_render import parse_label, render_docx, render_pdf

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
ROUND_TRIP = ("hutchinson-pd-1003", "lakeville-pd-417")
ENGINES = ("auto", "pdfplumber")
HEADER = "Lakeville Police Department  Policy Manual"


def words(text: str) -> list[str]:
    """Words with markdown and bullet characters dropped (they are layout, not content)."""
    return re.sub(r"[#*\u2022\-]+", " ", text).split()


def corpus_text(name: str) -> str:
    return (CORPUS / f"{name}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, object]]:
    folder = tmp_path_factory.mktemp("pdf")
    out = {}
    for name in ROUND_TRIP:
        path = folder / f"{name}.pdf"
        out[name] = (path, render_pdf(corpus_text(name), path))
    return out


@pytest.fixture(scope="module")
def ingested(rendered: dict[str, tuple[Path, object]]) -> dict[tuple[str, str], Document]:
    return {
        (name, engine): ingest(path, pdf_engine=engine)
        for name, (path, _) in rendered.items()
        for engine in ENGINES
    }


# ---------------------------------------------------------------- plain text


def test_text_lines_keep_file_numbers_indentation_and_collapse_blanks() -> None:
    doc = ingest_text("Title  \n\n\n  A. first\n\tsecond   \n\n", path="p.txt")
    assert doc.lines == (
        doc.lines[0].__class__("Title", 1, 1),
        doc.lines[0].__class__("", 1, 2),
        doc.lines[0].__class__("  A. first", 1, 4),
        doc.lines[0].__class__("\tsecond", 1, 5),
    )
    assert (doc.format, doc.pages, doc.extractor, doc.path) == ("text", 1, "text", "p.txt")


def test_text_pages_split_at_form_feeds_and_line_numbers_restart() -> None:
    doc = ingest_text("one\ntwo\fthree\n\nfour", fmt="markdown")
    assert [(x.text, x.page, x.line) for x in doc.lines] == [
        ("one", 1, 1),
        ("two", 1, 2),
        ("three", 2, 1),
        ("", 2, 2),
        ("four", 2, 3),
    ]
    assert doc.pages == 2 and doc.format == "markdown"


def test_text_running_headers_removed_and_listed(tmp_path: Path) -> None:
    text = (
        "Title\n\nbody one.\n\fLakeville PD Policy Manual\n\nbody two.\n"
        "\fLakeville PD Policy Manual\n\nbody three.\n"
    )
    path = tmp_path / "policy.txt"
    path.write_text(text, encoding="utf-8")
    doc = ingest(path)
    assert "Lakeville PD Policy Manual" not in [x.text for x in doc.lines]
    assert [(r.text, r.page, r.line, r.reason) for r in doc.removed_lines] == [
        ("Lakeville PD Policy Manual", 2, 1, "running"),
        ("Lakeville PD Policy Manual", 3, 1, "running"),
    ]


def test_text_decoding_bom_cp1252_and_sha256(tmp_path: Path) -> None:
    raw = "\ufeffSROs \u201cshall\u201d act\r\n".encode()
    path = tmp_path / "bom.txt"
    path.write_bytes(raw)
    doc = ingest(path)
    assert doc.lines[0].text == "SROs \u201cshall\u201d act"
    import hashlib

    assert doc.sha256 == hashlib.sha256(raw).hexdigest()
    legacy = ingest_bytes("caf\u00e9 \u2013 r\u00e8gle".encode("cp1252"), path="old.txt")
    assert legacy.lines[0].text == "caf\u00e9 \u2013 r\u00e8gle"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="ab .\t", max_size=8), max_size=12))
def test_text_every_nonblank_line_kept_with_its_number(rows: list[str]) -> None:
    text = "\n".join(rows)
    if not text.strip():
        with pytest.raises(errors.EmptyFileError):
            ingest_text(text)
        return
    doc = ingest_text(text)
    kept = [(x.line, x.text) for x in doc.lines if x.text]
    kept += [(x.line, x.text) for x in doc.removed_lines]
    assert sorted(kept) == [(i, r.rstrip()) for i, r in enumerate(rows, start=1) if r.strip()]
    texts = [x.text for x in doc.lines]
    assert texts[0] and texts[-1]
    assert all(a or b for a, b in zip(texts, texts[1:], strict=False))


# ---------------------------------------------------------------- PDF round trip


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ROUND_TRIP)
def test_pdf_round_trip_words(ingested: dict, name: str, engine: str) -> None:
    doc = ingested[(name, engine)]
    assert doc.format == "pdf"
    assert doc.extractor == ("pdfplumber" if engine == "pdfplumber" else "pypdfium2")
    furniture = " ".join(x.text for x in doc.removed_lines)
    assert sorted(words(doc.text) + words(furniture)) == sorted(
        words(corpus_text(name)) + words(" ".join(_drawn_furniture(doc)))
    )


def _drawn_furniture(doc) -> list[str]:  # type: ignore[no-untyped-def]
    """The header and page numbers the test renderer drew on each page."""
    return [
        x.text
        for x in doc.removed_lines
        if x.text == "Lakeville Police Department Policy Manual" or x.text.startswith("Page ")
    ]


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_pdf_headers_footers_and_page_numbers_removed(
    ingested: dict, rendered: dict, name: str
) -> None:
    doc = ingested[(name, "auto")]
    assert doc.pages == rendered[name][1].pages >= 2
    assert not any(re.search(r"Page \d+ of \d+", x.text) for x in doc.lines)
    assert not any(x.text == "Lakeville Police Department Policy Manual" for x in doc.lines)
    # the first kept line of each page is body text, numbered after the removed header
    firsts = {x.page: x.line for x in reversed(doc.lines) if x.text}
    assert all(line >= 2 for page, line in firsts.items())


def test_pdf_of_a_text_export_loses_the_exports_furniture_like_the_text(ingested: dict) -> None:
    """The corpus text repeats its own running header in the body; printed to PDF, the
    header is furniture of the body there too, removed and listed as in the text."""
    text_doc = ingest(CORPUS / "lakeville-pd-417.txt")
    doc = ingested[("lakeville-pd-417", "auto")]
    header = "Lakeville Police Department"
    assert corpus_text("lakeville-pd-417").count(f"\n{header}\n") >= 2
    assert [x.text for x in doc.lines].count(header) == 0
    assert [x.text for x in text_doc.lines].count(header) == 0
    pdf_removed = [x.text for x in doc.removed_lines].count(header)
    assert pdf_removed == [x.text for x in text_doc.removed_lines].count(header)


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_pdf_engines_agree(ingested: dict, name: str) -> None:
    assert ingested[(name, "auto")].lines == ingested[(name, "pdfplumber")].lines


@pytest.mark.parametrize("engine", ENGINES)
def test_pdf_paragraph_split_over_page_break_stays_one_paragraph(
    ingested: dict, rendered: dict, engine: str
) -> None:
    splits = [(n, s) for n, (_, info) in rendered.items() for s in info.splits]
    assert splits, "the fixture must split a paragraph over a page break"
    for name, (last, first) in splits:
        texts = [x.text.strip() for x in ingested[(name, engine)].lines]
        where = texts.index(last)
        assert texts[where + 1] == first


def test_pdf_blank_source_lines_become_breaks(ingested: dict) -> None:
    doc = ingested[("lakeville-pd-417", "auto")]
    texts = [x.text for x in doc.lines]
    heading = texts.index("Order 417.1: Definitions")
    assert texts[heading - 1] == "" and texts[heading + 1] == ""
    assert texts[heading + 2].startswith("School: An elementary school")


def test_pdf_indentation_follows_x_offset(ingested: dict) -> None:
    texts = [x.text for x in ingested[("hutchinson-pd-1003", "pdfplumber")].lines]
    assert (
        "  - 1. Additional issues to be addressed in contract. The contract between the parties:"
        in texts
    )
    assert any(t.startswith("    - i. Must address") for t in texts)


def test_pdf_single_page_keeps_header_but_drops_page_number(tmp_path: Path) -> None:
    path = tmp_path / "one.pdf"
    render_pdf("Policy 1\n\nSROs shall be trained.\nThey shall comply.\nThey report.", path)
    texts = [x.text for x in ingest(path).lines]
    assert texts == [
        "Lakeville Police Department Policy Manual",
        "",
        "Policy 1",
        "",
        "SROs shall be trained.",
        "They shall comply.",
        "They report.",
    ]


def _draw(path: Path, pages: list[list[str]]) -> None:
    canvas = Canvas(str(path), pagesize=letter, invariant=1)
    for rows in pages:
        canvas.setFont("Helvetica", 10)
        for index, row in enumerate(rows):
            canvas.drawString(72, 720 - 14 * index, row)
        canvas.showPage()
    canvas.save()


@pytest.mark.parametrize("engine", ENGINES)
def test_pdf_hyphenation_repair(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "hyphen.pdf"
    rows = [
        "Officers use de-",
        "escalation and organi-",
        "zation skills, non-",
        "violent means.",
        "X-",
    ]
    _draw(path, [rows + ["Ray evidence."]])
    doc = ingest(path, pdf_engine=engine)
    assert [(x.text, x.line) for x in doc.lines] == [
        ("Officers use de-escalation", 1),
        ("and organization", 2),
        ("skills, non-violent", 3),
        ("means.", 4),
        ("X-", 5),
        ("Ray evidence.", 6),
    ]


# ---------------------------------------------------------------- DOCX


@pytest.mark.parametrize("name", ["hutchinson-pd-1003", "st-louis-park-isd283-507.5"])
def test_docx_round_trip_recovers_generated_labels(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.docx"
    info = render_docx(corpus_text(name), path)
    raw = [p.text for p in docx.Document(str(path)).paragraphs]
    label = re.compile(r"^\(?(?:[IVX]+|[A-H]|\d{1,2}|[ivx]+|[a-h])[.)]\s")
    assert not any(label.match(t) for t in raw), "labels must come from numbering, not text"
    doc = ingest(path)
    assert doc.format == "docx" and doc.extractor == "docx" and doc.pages == 1
    previous: dict[bool, str] = {}
    labels = []
    for line in doc.lines:
        parsed = parse_label(line.text.replace("- ", "\u2022 ", 1), previous)
        if parsed.fmt.endswith("Letter"):
            previous[parsed.fmt.startswith("upper")] = parsed.label[0].lower()
        if parsed.fmt:
            labels.append(parsed.label)
    assert tuple(labels) == info.labels
    assert len(info.labels) > 20
    # every paragraph once, in order (a soft line break keeps its paragraph's number), or
    # listed as removed furniture
    numbers = [x.line for x in doc.lines if x.text]
    assert numbers == sorted(numbers)
    removed = [x.line for x in doc.removed_lines]
    assert sorted(set(numbers + removed)) == list(range(1, info.paragraphs + 1))
    furniture = " ".join(x.text for x in doc.removed_lines)
    assert sorted(words(doc.text) + words(furniture)) == sorted(words(corpus_text(name)))


def _numbered_docx(levels_xml: str, body: list[tuple[str, str | None, int]], num_xml: str) -> bytes:
    """A DOCX whose numbering.xml holds ``levels_xml`` as abstractNum 90 and ``num_xml``."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    numbering = document.part.numbering_part.element
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{levels_xml}</w:abstractNum>'
    )
    numbering.find("{*}num").addprevious(abstract)
    for num in parse_xml(f"<w:numbering {nsdecls('w')}>{num_xml}</w:numbering>"):
        numbering.append(num)
    for text, num_id, level in body:
        paragraph = document.add_paragraph(text)
        if num_id is not None:
            paragraph._p.get_or_add_pPr().append(
                parse_xml(
                    f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/>'
                    f'<w:numId w:val="{num_id}"/></w:numPr>'
                )
            )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _lvl(level: int, fmt: str, text: str, start: int = 1, extra: str = "") -> str:
    return (
        f'<w:lvl w:ilvl="{level}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/>{extra}</w:lvl>'
    )


def test_docx_numbering_formats_restarts_and_overrides() -> None:
    levels = (
        _lvl(0, "upperRoman", "%1.")
        + _lvl(1, "upperLetter", "%2.")
        + _lvl(2, "lowerLetter", "(%3)", extra='<w:lvlRestart w:val="1"/>')
        + _lvl(3, "decimal", "%1.%2.%4", start=3)
        + _lvl(4, "decimal", "%1.%2.%5", extra="<w:isLgl/>")
    )
    nums = (
        '<w:num w:numId="91"><w:abstractNumId w:val="90"/></w:num>'
        '<w:num w:numId="92"><w:abstractNumId w:val="90"/>'
        '<w:lvlOverride w:ilvl="1"><w:startOverride w:val="5"/></w:lvlOverride></w:num>'
        '<w:num w:numId="0"><w:abstractNumId w:val="90"/></w:num>'
    )
    body = [
        ("Purpose", "91", 0),
        ("Scope", "91", 1),
        ("alpha", "91", 2),
        ("Next", "91", 1),
        ("beta", "91", 2),  # lvlRestart=1: only level 0 restarts it
        ("deep", "91", 3),
        ("legal", "91", 4),
        ("Policy", "91", 0),
        ("gamma", "91", 2),
        ("Fresh", "92", 1),
        ("plain", None, 0),
        ("Back", "91", 1),
    ]
    data = _numbered_docx(levels, body, nums)
    texts = [x.text for x in ingest_bytes(data, path="n.docx").lines if x.text]
    assert texts == [
        "I. Purpose",
        "  A. Scope",
        "    (a) alpha",
        "  B. Next",
        "    (b) beta",
        "      I.B.3 deep",
        "        1.2.1 legal",
        "II. Policy",
        "    (a) gamma",
        "  E. Fresh",
        "plain",
        "  A. Back",  # "II." restarted level 1; num 92 kept its own counters
    ]


def test_docx_style_numbering_bullets_and_tables() -> None:
    document = docx.Document()
    document.add_paragraph("Duties", style="List Number")
    document.add_paragraph("Training", style="List Number")
    document.add_paragraph("a point", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for row in range(2):
        for col in range(2):
            table.cell(row, col).text = f"r{row}c{col}"
    document.add_paragraph("after")
    buffer = io.BytesIO()
    document.save(buffer)
    doc = ingest_bytes(buffer.getvalue(), path="s.docx")
    assert [x.text for x in doc.lines if x.text] == [
        "1. Duties",
        "2. Training",
        "- a point",
        "r0c0 r0c1",  # a table row of one-paragraph cells reads as one paragraph
        "r1c0 r1c1",
        "after",
    ]
    assert [x.line for x in doc.lines if x.text] == list(range(1, 7))


# ---------------------------------------------------------------- errors


def _assert_error(call, cls: type[Exception], name: str, *fix: str) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(cls) as info:
        call()
    message = str(info.value)
    assert name in message
    assert "\n" not in message
    for word in fix:
        assert word.lower() in message.lower(), message
    return message


@pytest.mark.parametrize("engine", ENGINES)
def test_encrypted_pdf(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "locked.pdf"
    render_pdf("SROs shall be trained.", path, encrypt="pw")
    _assert_error(
        lambda: ingest(path, pdf_engine=engine), errors.EncryptedPdfError, "locked.pdf", "password"
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_pdf_without_text_layer(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "scan.pdf"
    canvas = Canvas(str(path), pagesize=letter)
    for _ in range(2):
        canvas.rect(72, 72, 400, 600, fill=1)
        canvas.showPage()
    canvas.save()
    message = _assert_error(
        lambda: ingest(path, pdf_engine=engine), errors.NoTextLayerError, "scan.pdf", "OCR"
    )
    assert "2 page" in message


@pytest.mark.parametrize("engine", ENGINES)
def test_corrupt_and_truncated_pdf(tmp_path: Path, engine: str) -> None:
    noise = tmp_path / "noise.pdf"
    noise.write_bytes(bytes(range(256)) * 8)
    _assert_error(lambda: ingest(noise, pdf_engine=engine), errors.CorruptFileError, "noise.pdf")
    whole = tmp_path / "whole.pdf"
    render_pdf(corpus_text("hutchinson-pd-1003"), whole)
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    _assert_error(
        lambda: ingest(cut, pdf_engine=engine), errors.CorruptFileError, "cut.pdf", "again"
    )


def test_corrupt_docx(tmp_path: Path) -> None:
    bad_zip = tmp_path / "bad.docx"
    bad_zip.write_bytes(b"PK\x03\x04" + os.urandom(200))
    _assert_error(lambda: ingest(bad_zip), errors.CorruptFileError, "bad.docx", "export")
    not_word = tmp_path / "other.docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    not_word.write_bytes(buffer.getvalue())
    _assert_error(lambda: ingest(not_word), errors.CorruptFileError, "other.docx")


def test_empty_files(tmp_path: Path) -> None:
    for name, data in (("e.txt", b""), ("w.md", b" \n\t\n"), ("e.pdf", b""), ("e.docx", b"")):
        path = tmp_path / name
        path.write_bytes(data)
        _assert_error(lambda path=path: ingest(path), errors.EmptyFileError, name, "export")
    empty_docx = tmp_path / "blank.docx"
    docx.Document().save(str(empty_docx))
    _assert_error(lambda: ingest(empty_docx), errors.EmptyFileError, "blank.docx")


def test_binary_text_file(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(b"SRO\x00\x01\x02 policy" * 10)
    _assert_error(lambda: ingest(path), errors.BinaryFileError, "data.txt", ".pdf", ".docx")
    controls = bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 20 + b"text"
    _assert_error(lambda: ingest_bytes(controls, path="ctl.md"), errors.BinaryFileError, "ctl.md")


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".docx"),
        ("old.rtf", b"{\\rtf1\\ansi policy}", "RTF"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "OCR"),
        ("policy.html", b"<html>policy</html>", ".html"),
        ("really.txt", b"%PDF-1.4\n%fake", "rename it to .pdf"),
        ("really.md", b"PK\x03\x04", "zip"),
        ("text.pdf", b"This is a plain text policy.\n", "rename it to .txt"),
        ("doc.pdf", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "legacy Word"),
    ],
)
def test_unsupported_formats(tmp_path: Path, name: str, data: bytes, says: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    _assert_error(lambda: ingest(path), errors.UnsupportedFormatError, name, says, "convert")


def test_docx_named_txt_is_reported(tmp_path: Path) -> None:
    real = tmp_path / "policy.txt"
    render_docx("I. Purpose", real)
    _assert_error(lambda: ingest(real), errors.UnsupportedFormatError, "policy.txt", ".docx")


def test_file_without_suffix_is_routed_by_content(tmp_path: Path) -> None:
    path = tmp_path / "download"
    render_pdf("SROs shall be trained.", path)
    assert ingest(path).format == "pdf"


def test_too_large_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.txt"
    path.write_text("x" * 100)

    def refuse(self: Path) -> bytes:
        raise AssertionError("read before the size check")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    _assert_error(
        lambda: ingest(path, max_bytes=10), errors.FileTooLargeError, "big.txt", "--max-bytes"
    )
    monkeypatch.undo()
    _assert_error(
        lambda: ingest_bytes(b"y" * 20, path="mem.txt", max_bytes=10),
        errors.FileTooLargeError,
        "mem.txt",
    )


def test_api_guards() -> None:
    assert SUPPORTED_SUFFIXES == (".txt", ".text", ".md", ".pdf", ".docx")
    with pytest.raises(ValueError):
        ingest_bytes(b"x", path="a.txt", pdf_engine="ocr")
    with pytest.raises(ValueError):
        ingest_text("x", fmt="html")


# ---------------------------------------------------------------- clause level


def _clauses(document: Document) -> list[tuple[str, list[str]]]:
    segment = pytest.importorskip("analyzer.segment")
    return [(c.ref, words(c.text)) for c in segment.segment(document).clauses]


def _xfail_if_segment_drops_wrapped_lines() -> None:
    """Known segment bug (not ingest's): after a "Heading:" lead-in, the clause keeps only
    its first line. Wrapped PDF lines expose it; the test runs fully once it is fixed."""
    segment = pytest.importorskip("analyzer.segment")
    probe = segment.segment_text("- A. **School:** one two,\nthree four.").clauses
    if probe and "three" not in probe[-1].text:
        pytest.xfail("analyzer.segment drops continuation lines after a 'Heading:' lead-in")


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_clauses_from_pdf_match_text(ingested: dict, name: str) -> None:
    expected = _clauses(ingest(CORPUS / f"{name}.txt"))
    assert expected
    for engine in ENGINES:
        if _clauses(ingested[(name, engine)]) != expected:
            _xfail_if_segment_drops_wrapped_lines()
        assert _clauses(ingested[(name, engine)]) == expected


@pytest.mark.parametrize("name", ["hutchinson-pd-1003", "st-louis-park-isd283-507.5"])
def test_clauses_from_docx_match_text(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.docx"
    render_docx(corpus_text(name), path)
    assert _clauses(ingest(path)) == _clauses(ingest(CORPUS / f"{name}.txt"))
