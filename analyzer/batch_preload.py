"""Imported by the batch forkserver before it forks any worker: warms the engine once.

Importing this module audits each bundled model's own text once, and a reordered, edited copy
of it (so the stages an identical document skips run too: the global assignment, paraphrase
matching, classification, the checklist), and imports the readers of every supported format.
Every worker forked from the forkserver then starts warm and shares those pages copy-on-write,
instead of paying up to a second of imports and warm-up per worker (and per renewal, every
``MAX_TASKS_PER_CHILD`` documents). Last, everything the warm-up left alive is moved out of
the cyclic garbage collector's reach (``gc.freeze()``): a worker's collections then never walk
the preloaded engine, nor touch (and so copy) its shared pages. A failure here only costs
speed: it is swallowed.

Exports: warm() -- do the warm-up (idempotent); READERS -- the reader modules it imports
"""

from __future__ import annotations

import gc
import importlib

__all__ = ["warm", "READERS"]

# The reader modules and the libraries they import when their first file arrives (pdfplumber,
# the fallback for PDFs pypdfium2 cannot lay out, stays lazy).
READERS = (
    "analyzer.read_pdf",
    "analyzer.read_docx",
    "pypdfium2",
    "pypdfium2.raw",
    "docx",
    "lxml.etree",
    "ctypes",
    "encodings.cp437",  # zip member names (DOCX)
    "encodings.utf_16_le",  # PDFium text
)
_WARM = False


def _edited(text: str) -> str:
    """The model text with its paragraphs in reverse order and its modal verbs softened: a
    document that exercises every stage of the audit."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return (
        "\n\n".join(reversed(paragraphs)).replace(" shall ", " may ").replace(" must ", " should ")
    )


def warm() -> None:
    global _WARM
    if _WARM:
        return
    _WARM = True
    try:
        from analyzer.api import audit_text
        from analyzer.baselines import load_model, model_ids

        for name in READERS:
            importlib.import_module(name)
        for model_id in model_ids():
            text = load_model(model_id).text
            audit_text(text, model="auto", path="<warm-up>")
            audit_text(_edited(text), model="auto", path="<warm-up>")
    except Exception:  # noqa: BLE001 - warm-up is an optimisation, never a failure
        pass
    gc.collect()
    gc.freeze()


warm()
