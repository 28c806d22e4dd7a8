"""The DOCX redlines of real policies: Hutchinson -> Lakeville (compare) and Lakeville against
the POST model (audit) rebuild both texts, carry the findings as comments, open in python-docx
and (when installed) LibreOffice; the CLI writes them; PDF output prints with Chromium."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document

from analyzer.baselines import load_model
from analyzer.cli import cli
from analyzer.docx_redline import accept_all, reject_all
from analyzer.ingest import ingest
from analyzer.pdf_render import css_string, print_html
from analyzer.redline_plan import audit_docx, clause_paras, compare_docx
from analyzer.segment import segment

HUTCHINSON = "hutchinson-pd-1003.txt"
LAKEVILLE = "lakeville-pd-417.txt"


def _texts(path: Path) -> list[str]:
    return [p.text for p in clause_paras(segment(ingest(path)))[0]]


@pytest.fixture(scope="module")
def compared(corpus: Path) -> tuple[dict, bytes]:
    return compare_docx(corpus / HUTCHINSON, corpus / LAKEVILLE)


@pytest.fixture(scope="module")
def audited(corpus: Path) -> tuple[dict, bytes]:
    return audit_docx(corpus / LAKEVILLE, model="post-sro")


def _comments(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("word/comments.xml").decode("utf-8")


def test_compare_redline_rebuilds_both_drafts(compared, corpus: Path) -> None:
    _, data = compared
    assert accept_all(data) == _texts(corpus / LAKEVILLE)
    assert reject_all(data) == _texts(corpus / HUTCHINSON)
    assert Document(io.BytesIO(data)).paragraphs


def test_audit_redline_rebuilds_model_and_document(audited, corpus: Path) -> None:
    _, data = audited
    model = [p.text for p in clause_paras(load_model("post-sro").tree)[0]]
    assert accept_all(data) == _texts(corpus / LAKEVILLE)
    assert reject_all(data) == model


def test_audit_redline_keeps_the_adopters_labels_and_headings(audited) -> None:
    accepted = accept_all(audited[1])
    assert "Order 417.1: Definitions" in accepted
    assert any(t.startswith("School: An elementary school") for t in accepted)


def test_missing_provision_is_a_deleted_paragraph_with_a_comment(audited) -> None:
    data, blob = audited
    missing = [p for p in data["provisions"] if p["status"] == "missing"]
    assert missing
    text = " ".join(missing[0]["model_text"].split())
    assert any(text in t for t in reject_all(blob)) and not any(text in t for t in accept_all(blob))
    assert f"Missing: model {missing[0]['model_ref']}" in _comments(blob)


def test_every_substantive_finding_is_a_comment(audited, compared) -> None:
    data, blob = audited
    comments = _comments(blob)
    for p in data["provisions"]:
        for change in p["changes"]:
            if change["substantive"]:
                assert f"[{change['category']}" in comments
    cdata, cblob = compared
    assert "Deleted:" in _comments(cblob) and "Inserted:" in _comments(cblob)


def test_cli_writes_docx_and_refuses_stdout(runner, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    result = runner.invoke(cli, ["compare", str(corpus / HUTCHINSON), str(corpus / LAKEVILLE),
                                  "--format", "docx", "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert accept_all(out.read_bytes()) == _texts(corpus / LAKEVILLE)
    result = runner.invoke(cli, ["audit", str(corpus / LAKEVILLE), "--format", "docx"])
    assert result.exit_code == 2 and "give -o FILE" in result.output


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_opens_both_redlines(compared, audited, tmp_path: Path) -> None:
    for name, (_, blob) in (("compare", compared), ("audit", audited)):
        (tmp_path / f"{name}.docx").write_bytes(blob)
    proc = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path),
         str(tmp_path / "compare.docx"), str(tmp_path / "audit.docx")],
        capture_output=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    for name in ("compare", "audit"):
        assert (tmp_path / f"{name}.pdf").read_bytes().startswith(b"%PDF")


def test_running_header_is_a_safe_css_string() -> None:
    assert css_string('a"b\\c</style>') == '"a\\22 b\\5c c\\3c /style\\3e "'


def test_pdf_without_chromium_is_a_one_line_error(monkeypatch) -> None:
    from analyzer.errors import RendererMissingError

    monkeypatch.setenv("POLICYDIFF_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(RendererMissingError) as err:
        print_html("<html><head></head><body>x</body></html>", "h")
    assert "\n" not in str(err.value) and "Chromium" in str(err.value)


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("chromium") is None and not os.environ.get("POLICYDIFF_CHROMIUM"),
    reason="headless chromium not installed",
)
def test_pdf_has_page_numbers_and_the_running_header() -> None:
    import pypdfium2

    html = "<html><head></head><body>" + "<p>clause text</p>" * 120 + "</body></html>"
    pdf = pypdfium2.PdfDocument(print_html(html, "Policy 417 \u2014 audited against post-sro"))
    try:
        pages = len(pdf)
        text = "".join(pdf[1].get_textpage().get_text_range().split())
    finally:
        pdf.close()
    assert pages >= 2
    assert f"Page2of{pages}" in text and "auditedagainstpost-sro" in text
