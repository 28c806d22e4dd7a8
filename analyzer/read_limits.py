"""Reading limits: how much a file may expand to while it is read, each a named setting.

A small file can expand enormously (a zip bomb DOCX, a PDF with a 1 GB compressed stream or a
million glyphs). Every reader checks these limits before or while it expands the data and stops
with a one-line ``LimitExceededError`` that names the limit and the environment variable that
raises it. Defaults fit any real policy with a wide margin.

Exports:
    ReadLimits                 -- the settings (frozen dataclass); ``ReadLimits.from_env()``
    LIMIT_SETTINGS             -- field name -> environment variable
    check(value, limit, *, path, what, field) -- raise LimitExceededError when value > limit
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

from .errors import LimitExceededError

__all__ = ["ReadLimits", "LIMIT_SETTINGS", "check"]


@dataclass(frozen=True)
class ReadLimits:
    """Upper bounds for reading one document."""

    docx_part_bytes: int = 64_000_000  # one decompressed part of a DOCX archive
    docx_total_bytes: int = 200_000_000  # all decompressed parts of a DOCX archive together
    pdf_stream_bytes: int = 256_000_000  # one decompressed PDF stream
    pdf_total_stream_bytes: int = 512_000_000  # all decompressed PDF streams together
    pdf_pages: int = 5_000
    pdf_glyphs: int = 3_000_000  # characters on all PDF pages together
    pdf_page_glyphs: int = 30_000  # characters on one PDF page (a dense page holds 8,000)
    paragraph_chars: int = 200_000  # one line or paragraph
    document_chars: int = 20_000_000  # the whole text read

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ReadLimits:
        """Defaults, overridden by ``POLICYDIFF_MAX_*`` environment variables (integers)."""
        env = os.environ if environ is None else environ
        limits = cls()
        for name, variable in LIMIT_SETTINGS.items():
            raw = env.get(variable, "").strip().replace("_", "")
            if raw.isdigit() and int(raw) > 0:
                limits = replace(limits, **{name: int(raw)})
        return limits


LIMIT_SETTINGS: dict[str, str] = {
    f.name: "POLICYDIFF_MAX_" + f.name.upper() for f in fields(ReadLimits)
}


def check(value: int, limit: int, *, path: str, what: str, field: str) -> None:
    """Raise ``LimitExceededError`` when ``value`` passes ``limit``; ``what`` says what was
    counted ("the DOCX part word/document.xml expands to 3,000,000,000 bytes")."""
    if value > limit:
        raise LimitExceededError(path, what, limit, LIMIT_SETTINGS[field])
