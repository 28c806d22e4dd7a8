"""Benchmark: layout invariance (every source in every layout family audits as its clean
text) and the speed of reading + segmenting a 15 KB text.

Runs ``bench.layouts.harness`` over every family (tuned and held-out, reported apart) and
every source (corpus documents and bundled model texts); ``quick`` runs the tuned families
on the two model texts only. The speed figure is the median of reading (``ingest_text``)
plus segmenting a ~15 KB policy text; target <= 10 ms.

Exports: run(quick=False) -> {"name", "tuned", "held_out", "families", "failures",
"segment_ms_median", "markdown"}
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analyzer.ingest import ingest_text  # noqa: E402
from analyzer.segment import segment  # noqa: E402
from bench.layouts import harness  # noqa: E402

__all__ = ["run", "segment_speed"]

TARGET_SEGMENT_MS = 10.0
SPEED_SOURCE = ROOT / "corpus" / "hutchinson-pd-1003.txt"


def segment_speed(repeat: int = 50, size: int = 15_000) -> float:
    """Median CPU milliseconds (process time, so a shared machine's waiting is not
    counted) to read and segment ``size`` characters of a corpus policy."""
    text = SPEED_SOURCE.read_text(encoding="utf-8")
    while len(text) < size:
        text += "\n\n" + text
    text = text[:size].rsplit("\n", 1)[0]
    times = []
    for _ in range(repeat):
        start = time.process_time()
        segment(ingest_text(text))
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def run(quick: bool = False) -> dict[str, object]:
    """All families on all sources; ``quick``: tuned families on the model texts."""
    if quick:
        report = harness.run(
            harness.sources(["post-sro", "msba-507.5"]), harness.families(held_out=False)
        )
    else:
        report = harness.run()
    ms = segment_speed(repeat=20 if quick else 100)
    result = report.to_dict()
    t, h = result["tuned"], result["held_out"]
    markdown = "\n".join(
        [
            "## Layout invariance (`python -m bench --only layout_invariance`)",
            "",
            f"Same words, other layouts: tuned families {t['invariant']}/{t['runs']} invariant, "
            f"held-out families {h['invariant']}/{h['runs']} (findings equal the clean text's: "
            "verdict, each provision's status and substantive flag, additions).",
            "",
            report.markdown(),
            "",
            f"Reading + segmenting a 15 KB text: {ms:.2f} ms CPU median "
            f"(target <= {TARGET_SEGMENT_MS:.0f} ms).",
        ]
    )
    return {
        "name": "layout_invariance",
        **result,
        "segment_ms_median": round(ms, 3),
        "markdown": markdown,
    }


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv)["markdown"])
