"""Benchmark: PDF ingest speed (pages/s) and peak memory for both engines.

Renders a ~10-page and a ~100-page policy PDF from the corpus into a temp dir, then ingests
each in a fresh worker process (so peak RSS is per run) with pypdfium2 (the default path: the
whole reading model, columns, paragraph breaks and furniture removal included) and pdfplumber.
Targets: >= 200 pages/s on pypdfium2 on one core; memory flat in pages (the peak RSS of the
100-page run within 50 MB of the 10-page run's). And text: reading + segmenting a 15 KB
text, <= 10 ms CPU median.

Exports: run(quick=False) -> {"name": "ingest", "rows": [...], "markdown": str}
"""

from __future__ import annotations

import math
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analyzer.ingest import ingest  # noqa: E402
from tests.fixtures_render import render_pdf  # noqa: E402

__all__ = ["run"]

TARGET_PAGES_PER_S = 200.0
FLAT_MEMORY_MB = 50.0
SOURCE = ROOT / "corpus" / "hutchinson-pd-1003.txt"


def _render(folder: Path, pages: int) -> tuple[Path, int]:
    text = SOURCE.read_text(encoding="utf-8")
    per_copy = render_pdf(text, folder / "probe.pdf").pages
    copies = max(1, math.ceil(pages / per_copy))
    path = folder / f"policy-{pages}.pdf"
    info = render_pdf("\n\n".join([text] * copies), path)
    return path, info.pages


def _measure(path: str, engine: str, repeat: int) -> tuple[float, int, float, float]:
    """In the worker: best wall seconds over ``repeat`` runs, lines kept, peak RSS in MB,
    and the median CPU seconds of the runs (what one core spends; a shared machine's
    waiting for a core is not counted)."""
    best = math.inf
    cpu: list[float] = []
    lines = 0
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        document = ingest(path, pdf_engine=engine)
        cpu.append(time.process_time() - start_cpu)
        best = min(best, time.perf_counter() - start)
        lines = len(document.lines)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return best, lines, peak_kb / 1024, statistics.median(cpu)


def _in_worker(path: Path, engine: str, repeat: int) -> tuple[float, int, float, float]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_measure, str(path), engine, repeat).result()


def _markdown(rows: list[dict[str, object]]) -> str:
    head = (
        "| engine | pages | pages/s | pages/s, CPU | peak RSS (MB) | lines |\n"
        "|---|---:|---:|---:|---:|---:|\n"
    )
    body = "".join(
        f"| {r['engine']} | {r['pages']} | {r['pages_per_s']:.1f} | {r['cpu_pages_per_s']:.1f} | "
        f"{r['peak_rss_mb']:.0f} | {r['lines']} |\n"
        for r in rows
    )
    pdfium = [r for r in rows if r["engine"] == "pypdfium2"]
    growth = ""
    if len(pdfium) >= 2:
        delta = float(pdfium[-1]["peak_rss_mb"]) - float(pdfium[0]["peak_rss_mb"])  # type: ignore[arg-type]
        growth = (
            f" Peak RSS grows {delta:+.0f} MB from {pdfium[0]['pages']} to "
            f"{pdfium[-1]['pages']} pages (target: within {FLAT_MEMORY_MB:.0f} MB)."
        )
    return (
        head
        + body
        + f"\nTarget: >= {TARGET_PAGES_PER_S:.0f} pages/s on pypdfium2, one core (pages/s: best "
        "wall-clock run; CPU: median CPU time of the runs, the same on a quiet machine)."
        f"{growth}\n"
    )


def _text_row(quick: bool) -> tuple[float, str]:
    """Reading + segmenting a 15 KB text (``bench.layout_invariance.segment_speed``)."""
    from bench.layout_invariance import TARGET_SEGMENT_MS, segment_speed

    ms = segment_speed(repeat=20 if quick else 100)
    mark = "" if ms <= TARGET_SEGMENT_MS else " ✗"
    return ms, (
        f"Text: reading + segmenting a 15 KB text takes {ms:.2f} ms CPU median{mark} "
        f"(target <= {TARGET_SEGMENT_MS:.0f} ms).\n"
    )


def run(quick: bool = False) -> dict[str, object]:
    """Measure both engines; ``quick`` uses only the ~10-page PDF and one run each. Also the
    text row: reading + segmenting 15 KB of text, CPU median."""
    sizes = (10,) if quick else (10, 100)
    repeat = 1 if quick else 3
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            path, pages = _render(Path(folder), size)
            for engine in ("pypdfium2", "pdfplumber"):
                tries = 1 if engine == "pdfplumber" else repeat
                seconds, lines, peak, cpu = _in_worker(path, engine, tries)
                rows.append(
                    {
                        "engine": engine,
                        "pages": pages,
                        "pages_per_s": round(pages / seconds, 1),
                        "cpu_pages_per_s": round(pages / cpu, 1),
                        "peak_rss_mb": round(peak, 1),
                        "lines": lines,
                    }
                )
    ms, text_line = _text_row(quick)
    return {
        "name": "ingest",
        "rows": rows,
        "text_segment_ms_median": round(ms, 3),
        "markdown": _markdown(rows) + text_line,
    }


if __name__ == "__main__":
    print(run()["markdown"])
