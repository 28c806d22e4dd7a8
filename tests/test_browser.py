"""The HTML report in a real browser: it renders offline and the substantive-only filter works.

Needs headless chromium (``apt-get install -y chromium``). Set POLICYDIFF_UPDATE_SCREENSHOT=1
to save the screenshot to docs/screenshot.png.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest

from analyzer.render import render_html

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
WIDTH, HEIGHT = 1280, 2000
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} not found; install it with `apt-get install -y chromium` to run browser tests",
        allow_module_level=True,
    )


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    command = [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def articles(dom: str) -> list[str]:
    return re.findall(r"<article\b[^>]*>", dom)


def audit(name: str) -> dict[str, Any]:
    """The sample audit, or Lakeville's real audit (skipped until the engine exists)."""
    if name == "sample":
        return json.loads((ROOT / "tests/data/sample_audit.json").read_text("utf-8"))
    api = pytest.importorskip("analyzer.api", reason="the engine (analyzer.api) is not written yet")
    return api.audit_path(str(ROOT / "corpus" / "lakeville-pd-417.txt"), model="auto")


def engine_exists() -> bool:
    try:
        import analyzer.api  # noqa: F401
    except ImportError:
        return False
    return True


def is_hidden(tag: str) -> bool:
    return re.search(r"\shidden(?=[\s=>])", tag) is not None


@pytest.fixture(scope="module", params=["sample", "lakeville"])
def report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = audit(request.param)
    path = tmp_path_factory.mktemp(request.param) / f"{request.param}.html"
    path.write_text(render_html(data), encoding="utf-8")
    return path


def test_screenshot(report: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}", report.as_uri())
    assert png_size(png) == (WIDTH, HEIGHT)
    assert png.stat().st_size > 50_000  # a rendered page, not a blank one
    wanted = "lakeville" if engine_exists() else "sample"
    if os.environ.get("POLICYDIFF_UPDATE_SCREENSHOT") == "1" and report.stem == wanted:
        shutil.copyfile(png, ROOT / "docs" / "screenshot.png")


def test_filter_hides_non_substantive_rows(report: Path, tmp_path: Path) -> None:
    dom = chromium(tmp_path, "--dump-dom", report.as_uri() + "?substantive=1").stdout
    body = re.search(r"<body\b[^>]*>", dom)
    assert body is not None and "substantive-only" in body.group(0)
    assert re.search(r'<input type="checkbox" id="only-substantive"[^>]*>', dom)
    rows = articles(dom)
    assert rows
    quiet = [r for r in rows if 'data-substantive="false"' in r]
    loud = [r for r in rows if 'data-substantive="true"' in r]
    assert quiet and all(is_hidden(r) for r in quiet)
    assert loud and not any(is_hidden(r) for r in loud)


def test_without_the_query_everything_shows(report: Path, tmp_path: Path) -> None:
    dom = chromium(tmp_path, "--dump-dom", report.as_uri()).stdout
    body = re.search(r"<body\b[^>]*>", dom)
    assert body is not None and "substantive-only" not in body.group(0)
    rows = articles(dom)
    assert rows and not any(is_hidden(r) for r in rows)


SHOTS = {
    "lakeville": "lakeville-pd-417.txt",
    "st-louis-park": "st-louis-park-isd283-507.5.txt",
    "alexandria-pd": "alexandria-pd-436.txt",
}


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, dict]]:
    """Corpus reports as HTML and printed to PDF by headless Chromium: Lakeville's, and
    with POLICYDIFF_UPDATE_SCREENSHOT=1 the three of ``SHOTS``."""
    api = pytest.importorskip("analyzer.api")
    out: dict[str, tuple[Path, Path, dict]] = {}
    base = tmp_path_factory.mktemp("print")
    every = os.environ.get("POLICYDIFF_UPDATE_SCREENSHOT") == "1"
    for key, name in SHOTS.items() if every else [("lakeville", SHOTS["lakeville"])]:
        data = api.audit_path(f"corpus/{name}") if Path("corpus", name).is_file() else None
        data = data or api.audit_path(str(ROOT / "corpus" / name))
        html = base / f"{key}.html"
        html.write_text(render_html(data), encoding="utf-8")
        pdf = base / f"{key}.pdf"
        chromium(base, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri())
        out[key] = (html, pdf, data)
    return out


def test_print_keeps_identical_provisions_collapsed(printed: dict) -> None:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext not found; apt-get install -y poppler-utils")
    html, pdf, data = printed["lakeville"]
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "Identical provisions" in flat and "collapsed in print" in flat
    identical = [p for p in data["provisions"] if p["status"] == "identical"]
    assert identical
    hidden = [p for p in identical if " ".join(p["doc_text"].split())[:80] not in flat]
    assert len(hidden) == len(identical)  # none of their texts is printed
    assert "What decides it" in flat.split("Statute checklist")[0]  # the verdict comes first


def test_screenshots_of_the_corpus_reports(printed: dict, tmp_path: Path) -> None:
    """Screen and print views of three corpus reports; POLICYDIFF_UPDATE_SCREENSHOT=1 saves
    them to docs/screenshots/ (screen: the top of the page; print: the first two pages)."""
    save = os.environ.get("POLICYDIFF_UPDATE_SCREENSHOT") == "1"
    if not save:
        pytest.skip("set POLICYDIFF_UPDATE_SCREENSHOT=1 to write docs/screenshots/")
    target = ROOT / "docs" / "screenshots"
    for key, (html, pdf, _) in printed.items():
        png = tmp_path / f"{key}-screen.png"
        chromium(
            tmp_path,
            f"--screenshot={png}",
            "--hide-scrollbars",
            "--window-size=1280,2000",
            html.as_uri(),
        )
        assert png_size(png) == (1280, 2000) and png.stat().st_size > 50_000
        assert pdf.read_bytes()[:5] == b"%PDF-"
        if save and shutil.which("pdftoppm"):
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(png, target / f"{key}-screen.png")
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    "60",
                    "-png",
                    "-f",
                    "1",
                    "-l",
                    "2",
                    str(pdf),
                    str(target / f"{key}-print"),
                ],
                check=True,
            )
