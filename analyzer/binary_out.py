"""Binary report formats (DOCX redline, PDF) for the ``audit`` and ``compare`` commands.

Exports:
    audit_binary(path, fmt, output, *, model, rule, max_bytes) -> dict   -- writes OUTPUT
    compare_binary(old, new, fmt, output, *, max_bytes) -> dict          -- writes OUTPUT
    write_output(output, blob)   -- write bytes; an unwritable path is an OutputError
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from .errors import OutputError
from .textsafe import terminal

__all__ = ["audit_binary", "compare_binary", "write_output"]


def write_output(output: str, blob: bytes) -> None:
    try:
        Path(output).write_bytes(blob)
    except OSError as err:
        raise OutputError(output, err) from err
    click.echo(f"wrote {terminal(output)}", err=True)


def audit_binary(
    path: str | os.PathLike[str], fmt: str, output: str, *, model: str, rule: Any, max_bytes: int
) -> dict[str, Any]:
    """Audit ``path`` and write the DOCX redline or the PDF report to ``output``."""
    if fmt == "docx":
        from .redline_plan import audit_docx

        data, blob = audit_docx(path, model=model, rule=rule, max_bytes=max_bytes)
    else:
        from .api import audit_path
        from .pdf_render import audit_pdf

        data = audit_path(path, model=model, rule=rule, max_bytes=max_bytes)
        blob = audit_pdf(data)
    write_output(output, blob)
    return data


def compare_binary(old: str, new: str, fmt: str, output: str, *, max_bytes: int) -> dict[str, Any]:
    """Compare OLD and NEW and write the DOCX redline or the PDF report to ``output``."""
    if fmt == "docx":
        from .redline_plan import compare_docx

        data, blob = compare_docx(old, new, max_bytes=max_bytes)
    else:
        from .compare import compare_paths
        from .pdf_render import compare_pdf

        data = compare_paths(old, new, max_bytes=max_bytes)
        blob = compare_pdf(data)
    write_output(output, blob)
    return data
