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
