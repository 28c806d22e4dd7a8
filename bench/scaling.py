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


def _time(fn: Any, *args: Any) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def run(quick: bool = False) -> dict[str, Any]:
    from functools import partial

    from analyzer.api import audit_text
    from analyzer.context import default_context
    from analyzer.ingest import ingest_text
    from analyzer.segment import segment
    from analyzer.sentences import split_sentences

    split = partial(split_sentences, abbreviations=default_context().lexicon.abbreviations)
    sizes = [10 * 2**k for k in range(7 if quick else 11)]  # 10 KB ... 10,240 KB
    audit_text(policy_text(10))  # warm up: spaCy, models, caches
    rows = []
    for kb in sizes:
        text = policy_text(kb)
        start = time.perf_counter()
        tree = segment(ingest_text(text))
        read = time.perf_counter() - start
        sents = _time(split, [c.text for c in tree.clauses])
        audit = _time(audit_text, text)
        rows.append(
            {
                "kb": kb,
                "clauses": len(tree.clauses),
                "read": read,
                "sentences": sents,
                "audit": audit,
            }
        )
    lines = [
        "**Scaling** (`bench/scaling.py`: time against input size; ratio = time at this size / "
        "time at half the size, about 2 when linear)",
        "",
        "| input | clauses | read + segment (s) | ratio | sentences (s) | ratio | audit (s) "
        "| ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    worst = 0.0
    for prev, row in zip([None, *rows], rows, strict=False):
        ratios = []
        for key in ("read", "sentences", "audit"):
            if prev and prev[key] > 0.05:  # below 50 ms the ratio is timer noise
                r = row[key] / prev[key]
                worst = max(worst, r)
                ratios.append(f"{r:.1f}")
            else:
                ratios.append("")
        lines.append(
            f"| {row['kb']:,} KB | {row['clauses']:,} | {row['read']:.3f} | {ratios[0]} | "
            f"{row['sentences']:.3f} | {ratios[1]} | {row['audit']:.3f} | {ratios[2]} |"
        )
    lines.append(f"\nWorst doubling ratio: {worst:.1f}.")
    return {"rows": rows, "worst_ratio": round(worst, 2), "markdown": "\n".join(lines)}


if __name__ == "__main__":
    print(run(quick=True)["markdown"])
