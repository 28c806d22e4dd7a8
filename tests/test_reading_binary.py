"""PDF geometry, DOCX reading and the reading limits, one generated fixture per case.

Each test fails when the rule it is named after is deleted.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from analyzer import errors
from analyzer.ingest import decode_text, ingest, ingest_bytes
from analyzer.read_limits import ReadLimits
from analyzer.read_pdf import _pdfium_detail
from bench.layouts.families_binary import PdfStyle, draw_pdf

SENTENCE = (
    "The school resource officer shall foster a positive school climate through relationship "
    "building and open communication with students, staff, parents and the community."
)
PARAS = [(0, f"{n}. {SENTENCE}") for n in range(1, 9)]


def _paragraphs(data: bytes, name: str = "p.pdf") -> list[str]:
    """The paragraphs read: lines between breaks joined."""
    out: list[str] = [""]
    for line in ingest_bytes(data, path=name).lines:
        if not line.text:
            out.append("")
        else:
            out[-1] = f"{out[-1]} {line.text.strip()}".strip()
    return out


# ---------------------------------------------------------------- PDF geometry


def test_word_10_5_pt_type_12_1_leading_6_after_keeps_paragraphs_apart() -> None:
    style = PdfStyle(font="Times-Roman", size=10.5, leading=12.1, after=6.0)
    assert _paragraphs(draw_pdf(PARAS, style)) == [t for _, t in PARAS]


def test_one_line_paragraphs_do_not_set_the_leading() -> None:
    """Most paragraphs one line long: the common step is leading + spacing, not the leading."""
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()
    paras = [(0, f"Rule {word} is short.") for word in words] + PARAS[:2]
    assert _paragraphs(draw_pdf(paras, PdfStyle(size=10, leading=12, after=6))) == [
        t for _, t in paras
    ]


def test_adopted_revised_header_lines_do_not_swallow_the_body() -> None:
    """School-board header lines in small type right above the body, no extra space."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter)
    canvas.setFont("Helvetica", 8)
    canvas.drawString(400, 740, "Adopted: August 2014")
    canvas.drawString(400, 731, "Revised: June 2024")
    canvas.setFont("Helvetica", 11)
    y = 718.0
    for word in ("first", "second", "third", "fourth"):
        canvas.drawString(72, y, f"The school resource officer shall do the {word} duty well")
        y -= 13
    canvas.showPage()
    canvas.save()
    found = _paragraphs(buffer.getvalue())
    assert found[0] == "Adopted: August 2014 Revised: June 2024"
    assert found[1].startswith("The school resource officer shall do the first duty well")


def test_two_column_pdf_is_read_column_by_column() -> None:
    style = PdfStyle(size=9, leading=11, after=5, columns=2)
    assert _paragraphs(draw_pdf(PARAS * 3, style)) == [t for _, t in PARAS * 3]


def test_first_line_indent_without_spacing_starts_a_paragraph() -> None:
    paras = [(0, SENTENCE + f" Item {n}.") for n in range(4)]
    style = PdfStyle(font="Times-Roman", size=11, leading=13, after=0, first_indent=24)
    assert _paragraphs(draw_pdf(paras, style)) == [t for _, t in paras]


def test_justified_page_break_mid_sentence_continues_the_paragraph() -> None:
    style = PdfStyle(font="Times-Roman", size=11, leading=13.5, after=4, justify=True)
    paras = PARAS * 4
    assert _paragraphs(draw_pdf(paras, style)) == [t for _, t in paras]


def test_page_break_after_minn_abbreviation_continues_the_sentence() -> None:
    pad = "x" * 88
    text = f"The SRO completes the training required under {pad} Minn. Stat. 626.8482 by June."
    found = _paragraphs(draw_pdf([(0, "Title"), *[(0, text)] * 30], PdfStyle()))
    assert found[1:] == [text] * 30


def test_rotated_text_is_read_upright(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter)
    canvas.translate(300, 100)
    canvas.rotate(90)
    for n in range(6):
        canvas.drawString(0, -14 * n, f"Rotated line number {n} of the policy text here.")
    canvas.showPage()
    canvas.save()
    lines = ingest_bytes(buffer.getvalue(), path="r.pdf").lines
    assert [x.text for x in lines] == [
        f"Rotated line number {n} of the policy text here." for n in range(6)
    ]


def test_pdf_running_header_and_footer_listed_as_removed() -> None:
    style = PdfStyle(header=("Policy Manual",), footer=("Page {page} of {pages}",))
    doc = ingest_bytes(draw_pdf(PARAS * 6, style), path="h.pdf")
    reasons = {(r.text[:4], r.reason) for r in doc.removed_lines}
    assert reasons == {("Poli", "running"), ("Page", "page-number")}
    assert len(doc.removed_lines) == 2 * doc.pages >= 4


def test_pdfium_success_suffix_is_dropped() -> None:
    error = Exception("Failed to load document (PDFium: Success).")
    assert _pdfium_detail(error) == "Failed to load document"
    assert _pdfium_detail(Exception("")) == "PDFium cannot parse it"


def test_six_character_text_layer_is_not_called_a_scan() -> None:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter)
    canvas.drawString(72, 700, "Page 1")
    canvas.showPage()
    canvas.save()
    with pytest.raises(errors.NoTextLayerError) as caught:
        ingest_bytes(buffer.getvalue(), path="six.pdf")
    assert "only 5 character(s) of text" in str(caught.value)
    assert "\n" not in str(caught.value)


# ---------------------------------------------------------------- limits


def test_pdf_stream_that_expands_past_the_limit_is_refused() -> None:
    stream = zlib.compress(b"\0" * 3_000_000)
    data = b"%PDF-1.4\n1 0 obj<</Filter/FlateDecode>>stream\n" + stream + b"\nendstream\n"
    limits = ReadLimits(pdf_stream_bytes=1_000_000)
    start = time.perf_counter()
    with pytest.raises(errors.LimitExceededError) as caught:
        ingest_bytes(data, path="bomb.pdf", limits=limits)
    assert time.perf_counter() - start < 5
    assert "POLICYDIFF_MAX_PDF_STREAM_BYTES" in str(caught.value)


def test_pdf_pages_and_glyphs_limits() -> None:
    data = draw_pdf(PARAS * 6, PdfStyle())
    with pytest.raises(errors.LimitExceededError, match="POLICYDIFF_MAX_PDF_PAGES"):
        ingest_bytes(data, path="p.pdf", limits=ReadLimits(pdf_pages=1))
    with pytest.raises(errors.LimitExceededError, match="POLICYDIFF_MAX_PDF_GLYPHS"):
        ingest_bytes(data, path="p.pdf", limits=ReadLimits(pdf_glyphs=3000))
    with pytest.raises(errors.LimitExceededError, match="POLICYDIFF_MAX_PDF_PAGE_GLYPHS"):
        ingest_bytes(data, path="p.pdf", limits=ReadLimits(pdf_page_glyphs=500))


def test_docx_zip_bomb_refused_from_declared_sizes_in_time() -> None:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("A policy.")
    document.save(buffer)
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source:
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                target.writestr(item, source.read(item))
            target.writestr("word/media/zeros.bin", b"\0" * 20_000_000)
    start = time.perf_counter()
    with pytest.raises(errors.LimitExceededError) as caught:
        ingest_bytes(bomb.getvalue(), path="bomb.docx")
    assert time.perf_counter() - start < 5
    assert "word/media/zeros.bin" in str(caught.value)


def test_paragraph_and_document_character_limits() -> None:
    with pytest.raises(errors.LimitExceededError, match="POLICYDIFF_MAX_PARAGRAPH_CHARS"):
        ingest_bytes(b"x" * 5000, path="a.txt", limits=ReadLimits(paragraph_chars=1000))
    with pytest.raises(errors.LimitExceededError, match="POLICYDIFF_MAX_DOCUMENT_CHARS"):
        ingest_bytes(b"xy\n" * 5000, path="a.txt", limits=ReadLimits(document_chars=1000))


def test_limits_raised_from_the_environment() -> None:
    limits = ReadLimits.from_env({"POLICYDIFF_MAX_PDF_PAGES": "9_000", "POLICYDIFF_MAX_X": "1"})
    assert limits.pdf_pages == 9000 and limits.docx_part_bytes == ReadLimits().docx_part_bytes


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_before_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(errors.UnreadableFileError, match="named pipe"):
        ingest(fifo)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused_before_reading() -> None:
    with pytest.raises(errors.UnreadableFileError, match="character device"):
        ingest("/dev/zero")


def test_empty_path_is_named_as_such() -> None:
    with pytest.raises(errors.UnreadableFileError, match="the file name is empty"):
        ingest("")


# ---------------------------------------------------------------- text decoding


def test_one_invalid_byte_is_replaced_where_it_stands() -> None:
    data = "\u00a7 626.8482 caf\u00e9 ".encode() + b"\xff" + " r\u00e8gle".encode()
    assert decode_text(data, path="a.txt") == "\u00a7 626.8482 caf\u00e9 \ufffd r\u00e8gle"


def test_cp1252_file_without_utf8_is_still_read() -> None:
    data = "\u201cSchool\u201d means caf\u00e9".encode("cp1252")
    assert decode_text(data, path="a.txt") == "\u201cSchool\u201d means caf\u00e9"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_text(codec: str) -> None:
    text = "I. PURPOSE\n\nThe SRO shall \u00a7 act.\n"
    assert decode_text(text.encode(codec), path="a.txt") == text


# ---------------------------------------------------------------- DOCX


def _docx(*xml_paragraphs: str) -> bytes:
    document = docx.Document()
    body = document.element.body
    for xml in xml_paragraphs:
        body.insert(len(body) - 1, parse_xml(f"<w:p {nsdecls('w')}>{xml}</w:p>"))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _run(text: str, tag: str = "t") -> str:
    return f'<w:r><w:{tag} xml:space="preserve">{text}</w:{tag}></w:r>'


STAMP = 'w:id="1" w:author="a" w:date="2025-01-01T00:00:00Z"'


def test_tracked_insertion_kept_and_deletion_dropped() -> None:
    data = _docx(
        _run("The SRO shall ")
        + f"<w:ins {STAMP}>{_run('INSERTEDWORD ')}</w:ins>"
        + f"<w:del {STAMP}>{_run('DELETEDWORD ', 'delText')}</w:del>"
        + _run("assess")
    )
    assert _paragraphs(data, "t.docx") == ["The SRO shall INSERTEDWORD assess"]
    original = ingest_bytes(data, path="t.docx", docx_original=True)
    assert original.lines[0].text == "The SRO shall DELETEDWORD assess"


def test_simple_field_result_kept_and_field_code_dropped() -> None:
    data = _docx(
        _run("Policy ")
        + f'<w:fldSimple w:instr=" DOCPROPERTY Number ">{_run("417")}</w:fldSimple>'
        + _run(" applies on ")
        + '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + _run(" DATE \\@ yyyy ", "instrText")
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + _run("2025")
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    assert _paragraphs(data, "f.docx") == ["Policy 417 applies on 2025"]


def test_text_box_follows_the_paragraph_that_anchors_it() -> None:
    box = (
        '<w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox>'
        f"<w:txbxContent><w:p>{_run('Boxed rule.')}</w:p></w:txbxContent>"
        "</v:textbox></v:shape></w:pict></w:r>"
    )
    data = _docx(_run("Anchor paragraph.") + box, _run("Next paragraph."))
    assert _paragraphs(data, "b.docx") == ["Anchor paragraph.", "Boxed rule.", "Next paragraph."]


def test_hidden_text_is_not_read() -> None:
    hidden = '<w:r><w:rPr><w:vanish/></w:rPr><w:t xml:space="preserve">SECRET </w:t></w:r>'
    assert _paragraphs(_docx(_run("Shown ") + hidden + _run("text.")), "h.docx") == ["Shown text."]


def test_definitions_table_row_is_one_definition() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "A. \u201cSchool\u201d", "means a school."
    table.cell(1, 0).text, table.cell(1, 1).text = "B. \u201cSRO\u201d", "means an officer."
    buffer = io.BytesIO()
    document.save(buffer)
    assert _paragraphs(buffer.getvalue(), "d.docx") == [
        "A. \u201cSchool\u201d means a school.",
        "B. \u201cSRO\u201d means an officer.",
    ]


def test_docx_header_and_footer_listed_as_removed() -> None:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "SRO Policy Manual"
    document.add_paragraph("Body text.")
    buffer = io.BytesIO()
    document.save(buffer)
    doc = ingest_bytes(buffer.getvalue(), path="h.docx")
    assert [x.text for x in doc.lines] == ["Body text."]
    assert [(r.text, r.reason) for r in doc.removed_lines] == [("SRO Policy Manual", "running")]
