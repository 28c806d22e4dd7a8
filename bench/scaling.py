"""Time against input size: reading, sentence splitting and the audit must stay (near) linear.

Inputs double from 10 KB to 10 MB (to 640 KB with ``--quick``): numbered policy-like items
built from the corpus, so outlines, sentences and additions grow together. For each size the
benchmark times ``segment(ingest_text(...))`` (label parsing and the clause tree), the sentence
splitter over every clause, and the whole audit; the figure that matters is the ratio between
consecutive sizes (about 2 when linear; 4 when quadratic).

Exports: policy_text(kb) -> str, run(quick=False) -> dict (the ``make bench`` module).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def policy_text(kb: int) -> str:
    """About ``kb`` kilobytes of numbered policy items made of real corpus sentences."""
    source = (ROOT / "model_policy" / "post-sro.txt").read_text(encoding="utf-8")
    sentences = [s.strip() for s in source.replace("\n", " ").split(". ") if len(s.strip()) > 40]
    parts = ["POLICY 900 SCHOOL RESOURCE OFFICERS", ""]
    size, i = 0, 0
    while size < kb * 1000:
        section, item = divmod(i, 40)
        if item == 0:
            parts += [f"900.{section + 1} SECTION {section + 1}", ""]
        # every item unique (no cache helps): the model's sentence and a numbered rider
        line = f"{item + 1}. {sentences[i % len(sentences)]}. Rider {i} applies to site {i % 97}."
        parts += [line, ""]
        size += len(line) + 2
        i += 1
    return "\n".join(parts)


def _time(fn: Any, *args: Any) -> tuple[float, float]:
    """Wall and CPU seconds of ``fn(*args)`` (CPU time is the steadier figure on a shared
    machine: other processes' load stretches the wall time, not this process's CPU time)."""
    start, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - start, time.process_time() - cpu


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(
    quick: bool = False, sizes: list[int] | None = None, verbose: bool = False
) -> dict[str, Any]:
    """``make bench`` module: every size once; ratios are taken on CPU seconds (the wall
    time is shown beside them)."""
    from functools import partial

    from analyzer.api import audit_text
    from analyzer.context import default_context
    from analyzer.ingest import ingest_text
    from analyzer.segment import segment
    from analyzer.sentences import _CACHE as sentence_cache
    from analyzer.sentences import split_sentences

    split = partial(split_sentences, abbreviations=default_context().lexicon.abbreviations)
    sizes = sizes or [10 * 2**k for k in range(7 if quick else 11)]  # 10 KB ... 10,240 KB
    audit_text(policy_text(80))  # warm up: spaCy, models, caches, lazy imports (scipy)
    rows = []
    for kb in sizes:
        text = policy_text(kb)
        read = _time(lambda t=text: segment(ingest_text(t)))
        texts = [c.text for c in segment(ingest_text(text)).clauses]
        sentence_cache.clear()  # no sentence seen before counts: the splitter runs on all
        sents = _time(split, texts)
        sentence_cache.clear()
        audit = _time(audit_text, text)
        rows.append(
            {
                "kb": kb,
                "clauses": len(texts),
                **{
                    f"{k}": v[0]
                    for k, v in (("read", read), ("sentences", sents), ("audit", audit))
                },
                **{
                    f"{k}_cpu": v[1]
                    for k, v in (("read", read), ("sentences", sents), ("audit", audit))
                },
                "peak_mb": round(_peak_mb()),
            }
        )
        if verbose:
            print(rows[-1], flush=True)
    lines = [
        "**Scaling** (`bench/scaling.py`: CPU seconds against input size, wall seconds in "
        "brackets; ratio = CPU time at this size / CPU time at half the size, about 2 when "
        "linear)",
        "",
        "| input | clauses | read + segment (s) | ratio | sentences (s) | ratio | audit (s) "
        "| ratio | peak RSS (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    worst = 0.0
    for prev, row in zip([None, *rows], rows, strict=False):
        cells = []
        for key in ("read", "sentences", "audit"):
            cpu = row[f"{key}_cpu"]
            ratio = ""
            if prev and prev[f"{key}_cpu"] > 0.05:  # below 50 ms the ratio is timer noise
                r = cpu / prev[f"{key}_cpu"]
                worst = max(worst, r)
                ratio = f"{r:.1f}"
            cells.append(f"{cpu:.3f} ({row[key]:.2f}) | {ratio}")
        lines.append(
            f"| {row['kb']:,} KB | {row['clauses']:,} | "
            + " | ".join(cells)
            + f" | {row['peak_mb']:,} |"
        )
    lines.append(f"\nWorst doubling ratio (CPU time): {worst:.1f}.")
    return {"rows": rows, "worst_ratio": round(worst, 2), "markdown": "\n".join(lines)}


if __name__ == "__main__":
    import sys

    wanted = [int(a) for a in sys.argv[1:] if a.isdigit()]
    print(run(quick="--quick" in sys.argv, sizes=wanted or None, verbose=True)["markdown"])
