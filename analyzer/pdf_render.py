"""PDF output: the HTML report (audit or compare) printed by headless Chromium.

Why Chromium: the HTML reports are the designed reading surface (redlines, chips, tables), and
a browser print keeps them exactly, with CSS paged media for page numbers and the running
header; WeasyPrint would need a second set of layout rules for its own CSS subset and pulls in
Pango, reportlab would mean re-laying out every report by hand. Chromium is already what the
browser test uses (Debian package ``chromium``; ``.ci/run`` installs it).

The page set-up lives in ``templates/print.css`` (page size, margins, page numbers, no forced
breaks, identical provisions collapsed) plus a generated ``@page`` rule carrying the running
header ("document — audited against model"); both are added to the page only for the PDF.

Exports:
    find_chromium() -> str | None
    print_html(html, header, *, chromium=None, timeout=180) -> bytes  -- the PDF bytes
    audit_pdf(data) -> bytes, compare_pdf(data) -> bytes               -- from the JSON dicts
    css_string(text) -> str                                            -- a safe CSS string literal
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import RendererMissingError

__all__ = ["find_chromium", "print_html", "audit_pdf", "compare_pdf", "css_string"]

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """``POLICYDIFF_CHROMIUM`` if set, else the first Chromium on PATH."""
    env = os.environ.get("POLICYDIFF_CHROMIUM")
    if env:
        return env
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def css_string(text: str) -> str:
    """``text`` as a double-quoted CSS string: quotes, backslashes, control characters and
    ``<`` escaped, so document text cannot end the string or the style element."""
    out = []
    for ch in " ".join(str(text).split()):
        if ch in '"\\<>' or ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _print_css(header: str) -> str:
    base = resources.files("analyzer").joinpath("templates/print.css").read_text("utf-8")
    running = (
        "@page { @top-left { content: " + css_string(header[:150]) + "; "
        "font: 8pt sans-serif; color: #555; } }"
    )
    return f"<style>\n{base}\n{running}\n</style>\n"


def print_html(html: str, header: str, *, chromium: str | None = None, timeout: int = 180) -> bytes:
    """Print ``html`` to PDF with headless Chromium; ``header`` runs along every page top."""
    exe = chromium or find_chromium()
    if not exe:
        raise RendererMissingError(
            "PDF output: headless Chromium was not found; install it (apt-get install "
            "chromium) or set POLICYDIFF_CHROMIUM, or write --format html and print that."
        )
    page = html.replace("</head>", _print_css(header) + "</head>", 1)
    with tempfile.TemporaryDirectory(prefix="policydiff-pdf-") as tmp:
        src, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        src.write_text(page, encoding="utf-8")
        cmd = [
            exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--no-pdf-header-footer",
            "--hide-scrollbars", f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={out}", src.as_uri(),
        ]  # fmt: skip
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise RendererMissingError(
                f"PDF output: {exe} could not print the report ({err}); "
                "check the Chromium install or write --format html."
            ) from err
        if not out.exists() or out.stat().st_size == 0:
            tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise RendererMissingError(
                f"PDF output: {exe} wrote no PDF (exit {proc.returncode}: {tail[0][:120]}); "
                "check the Chromium install or write --format html."
            )
        return out.read_bytes()


def audit_pdf(data: Mapping[str, Any]) -> bytes:
    """The audit report as PDF."""
    from .render import render_html

    doc = data["document"]
    header = f"{doc['title'] or doc['path']} \u2014 audited against {data['model']['id']}"
    return print_html(render_html(data), header)


def compare_pdf(data: Mapping[str, Any]) -> bytes:
    """The comparison report as PDF."""
    from .compare_render import render_html

    old, new = data["old"], data["new"]
    header = f"{new['title'] or new['path']} \u2014 compared with {old['path']}"
    return print_html(render_html(data), header)
