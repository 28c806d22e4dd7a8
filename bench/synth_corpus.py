"""Synthetic corpora for batch tests and benchmarks.

``make_corpus(out_dir, n, seed=1, pdf_fraction=0.0)`` writes ``n`` policy documents: the five
corpus documents first, then variants of both model policies (``bench.mutate.generate`` when it
exists, else light mutations made here) and of the corpus documents, as ``.txt`` files and, for
``pdf_fraction`` of the variants, as PDFs (reportlab: wrapped text with a running header).

Exports:
    make_corpus(out_dir, n, *, seed=1, pdf_fraction=0.0, paragraphs=None) -> list[Path]
        (also writes ``metadata.csv``: county, kind and adoption date per file)
    mutate_text(text, rng) -> str   -- a light mutation (modality, number, deleted paragraph, ...)
    write_pdf(text, path, header)   -- a simple text PDF with a running header and page numbers
"""

from __future__ import annotations

import json
import random
import re
import textwrap
from collections.abc import Callable
from pathlib import Path

__all__ = ["make_corpus", "mutate_text", "write_pdf"]

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
MODELS = ("post-sro", "msba-507.5")
AGENCIES = ("Lakeside Police Department", "Pine County Sheriff's Office", "North Falls Police")
_SWAPS = (
    (" shall ", " may "),
    (" must ", " should "),
    (" should ", " shall "),
    (" will ", " may "),
    (" not ", " "),
    (" all ", " some "),
)


def _corpus_texts() -> dict[str, str]:
    index = json.loads((CORPUS / "index.json").read_text(encoding="utf-8"))
    return {d["id"]: (CORPUS / d["file"]).read_text(encoding="utf-8") for d in index["documents"]}


def _model_text(model_id: str) -> str:
    return (ROOT / "model_policy" / f"{model_id}.txt").read_text(encoding="utf-8")


def _swap_modality(text: str, rng: random.Random) -> str:
    old, new = rng.choice(_SWAPS)
    hits = [m.start() for m in re.finditer(re.escape(old), text)]
    if not hits:
        return text
    at = rng.choice(hits)
    return text[:at] + new + text[at + len(old) :]


def _change_number(text: str, rng: random.Random) -> str:
    hits = list(re.finditer(r"\b\d{1,3}\b", text))
    if not hits:
        return text
    m = rng.choice(hits)
    return text[: m.start()] + str(int(m.group()) + rng.randint(1, 9)) + text[m.end() :]


def _drop_paragraph(text: str, rng: random.Random) -> str:
    paras = text.split("\n\n")
    if len(paras) < 4:
        return text
    del paras[rng.randrange(1, len(paras))]
    return "\n\n".join(paras)


def _add_paragraph(text: str, rng: random.Random) -> str:
    paras = text.split("\n\n")
    extra = (
        f"The {rng.choice(AGENCIES)} will review this policy every {rng.randint(1, 5)} years "
        "and publish a summary of SRO activity to the school community."
    )
    paras.insert(rng.randrange(1, len(paras) + 1), extra)
    return "\n\n".join(paras)


def _rename_agency(text: str, rng: random.Random) -> str:
    return text.replace("[AGENCY NAME]", rng.choice(AGENCIES))


_MUTATIONS: tuple[Callable[[str, random.Random], str], ...] = (
    _swap_modality,
    _change_number,
    _drop_paragraph,
    _add_paragraph,
    _rename_agency,
)


def mutate_text(text: str, rng: random.Random) -> str:
    """One to three random light mutations of ``text``."""
    for _ in range(rng.randint(1, 3)):
        text = rng.choice(_MUTATIONS)(text, rng)
    return text


def _model_variants(model_id: str, n: int, seed: int) -> list[str]:
    """``n`` variant texts of a model: ``bench.mutate.generate`` when present, else our own."""
    if n <= 0:
        return []
    try:
        from bench.mutate import generate
    except ImportError:
        generate = None
    if generate is not None:
        return [v.text for v in generate(model_id, n, seed)]
    rng = random.Random(f"{model_id}:{seed}")
    base = _model_text(model_id)
    return [mutate_text(base, rng) for _ in range(n)]


def write_pdf(text: str, path: Path, header: str) -> None:
    """A letter-size PDF of ``text`` (wrapped at 90 characters) with a running header."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    width, height = letter
    lines = [w for para in text.splitlines() for w in (textwrap.wrap(para, 90) or [""])]
    per_page = 56
    for page, start in enumerate(range(0, max(1, len(lines)), per_page), 1):
        pdf.setFont("Helvetica", 8)
        pdf.drawString(54, height - 36, header)
        pdf.drawRightString(width - 54, 30, f"Page {page}")
        pdf.setFont("Helvetica", 10)
        y = height - 64
        for line in lines[start : start + per_page]:
            pdf.drawString(54, y, line)
            y -= 12
        pdf.showPage()
    pdf.save()


def _head(text: str, paragraphs: int | None) -> str:
    if paragraphs is None:
        return text
    return "\n\n".join(text.split("\n\n")[:paragraphs]) + "\n"


def make_corpus(
    out_dir: str | Path,
    n: int,
    *,
    seed: int = 1,
    pdf_fraction: float = 0.0,
    paragraphs: int | None = None,
) -> list[Path]:
    """Write ``n`` documents into ``out_dir``; return their paths in order. ``paragraphs``
    keeps only the first N blank-line-separated paragraphs of each (small, fast documents
    for fault tests)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    corpus = _corpus_texts()
    paths: list[Path] = []
    for doc_id, text in list(corpus.items())[: max(0, n)]:
        target = out / f"{doc_id}.txt"
        target.write_text(_head(text, paragraphs), encoding="utf-8")
        paths.append(target)
    rest = n - len(paths)
    # Variants: a third from each model, a third from the corpus documents.
    per_model = rest // 3
    texts: list[tuple[str, str]] = []
    for model_id in MODELS:
        texts += [(model_id, t) for t in _model_variants(model_id, per_model, seed)]
    rng = random.Random(seed)
    names = sorted(corpus)
    while len(texts) < rest:
        source = rng.choice(names)
        texts.append((source, mutate_text(corpus[source], rng)))
    n_pdf = round(rest * pdf_fraction)
    pdf_at = set(random.Random(seed + 1).sample(range(rest), n_pdf)) if n_pdf else set()
    for i, (source, text) in enumerate(texts):
        stem = f"synth-{i:05d}-{source}"
        if i in pdf_at:
            target = out / f"{stem}.pdf"
            write_pdf(text, target, header=f"{source} (synthetic variant {i})")
        else:
            target = out / f"{stem}.txt"
            target.write_text(_head(text, paragraphs), encoding="utf-8")
        paths.append(target)
    _write_metadata(out / "metadata.csv", paths, seed)
    return paths


COUNTIES = ("Hennepin", "Ramsey", "Dakota", "Anoka", "Douglas", "McLeod", "St. Louis", "Olmsted")


def _write_metadata(target: Path, paths: list[Path], seed: int) -> None:
    """A ``--metadata`` CSV for the corpus: file, county, kind, adopted (made up for the
    variants, so corpus reports and breakdowns can be tried on synthetic corpora)."""
    import csv

    rng = random.Random(f"meta:{seed}")
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "county", "kind", "adopted"])
        for path in paths:
            kind = "district" if "507.5" in path.name else "agency"
            year = rng.choice((2021, 2022, 2023, 2024, 2025))
            writer.writerow(
                [path.name, rng.choice(COUNTIES), kind, f"{year}-0{rng.randint(1, 9)}-15"]
            )
