"""Engine speed: in-process audit time per policy and CLI wall time including start-up.

Exports:
    run(quick=False) -> dict  -- {"name": "engine_speed", "metrics", "targets", "markdown"}
    TARGETS                   -- engine median (ms) and CLI wall time (s) targets
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.mutate import generate

__all__ = ["run", "TARGETS"]

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"engine_median_ms": 30.0, "cli_median_s": 1.5}
CLI = [".venv/bin/policydiff", "audit", "corpus/hutchinson-pd-1003.txt", "--format", "json"]


def _engine_times(count: int) -> tuple[list[float], list[int]]:
    """Seconds per ``audit_text`` call on ``count`` post-sro variants, after one warm-up."""
    from analyzer.api import audit_text

    variants = generate("post-sro", count + 1, 101)
    audit_text(variants[0].text, model="post-sro")
    times, sizes = [], []
    for v in variants[1:]:
        start = time.perf_counter()
        audit_text(v.text, model="post-sro")
        times.append(time.perf_counter() - start)
        sizes.append(len(v.text.encode("utf-8")))
    return times, sizes


def _is_audit(stdout: str) -> bool:
    try:
        return json.loads(stdout).get("schema") == "policydiff/audit@1"
    except (ValueError, AttributeError):
        return False


def _cli_times(runs: int) -> tuple[list[float], str | None]:
    """Wall seconds of ``policydiff audit`` on a corpus document, start-up included."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(CLI, cwd=ROOT, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if not _is_audit(done.stdout):
            return times, f"exit {done.returncode}: {done.stderr.strip()[-300:]}"
    return times, None


def run(quick: bool = False) -> dict:
    """Median engine time over 30 warm audits (5 if quick) and median CLI time of 5 runs (2)."""
    print("engine_speed: in-process audits", file=sys.stderr, flush=True)
    times, sizes = _engine_times(5 if quick else 30)
    print("engine_speed: CLI runs", file=sys.stderr, flush=True)
    cli, cli_error = _cli_times(2 if quick else 5)
    ms = sorted(t * 1000 for t in times)
    metrics = {
        "engine_median_ms": round(statistics.median(ms), 2),
        "engine_p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 2),
        "engine_max_ms": round(ms[-1], 2),
        "engine_runs": len(ms),
        "doc_kb_median": round(statistics.median(sizes) / 1024, 1),
        "cli_median_s": round(statistics.median(cli), 3),
        "cli_runs": len(cli),
        "cli_error": cli_error,
    }
    return {
        "name": "engine_speed",
        "metrics": metrics,
        "targets": TARGETS,
        "markdown": _markdown(metrics),
    }


def _markdown(m: dict) -> str:
    def mark(ok: bool) -> str:
        return "" if ok else " ✗"

    engine_ok = m["engine_median_ms"] <= TARGETS["engine_median_ms"]
    cli_ok = m["cli_median_s"] <= TARGETS["cli_median_s"] and not m["cli_error"]
    rows = [
        "### Engine speed",
        "",
        "| measure | target | result |",
        "|---|---|---|",
        f"| engine median per policy (~{m['doc_kb_median']} KB, warm, {m['engine_runs']} runs) "
        f"| ≤ {TARGETS['engine_median_ms']:g} ms | {m['engine_median_ms']} ms{mark(engine_ok)} |",
        f"| engine p90 / max | | {m['engine_p90_ms']} / {m['engine_max_ms']} ms |",
        f"| CLI wall time, one audit incl. start-up (median of {m['cli_runs']}) "
        f"| ≤ {TARGETS['cli_median_s']:g} s | {m['cli_median_s']} s{mark(cli_ok)} |",
    ]
    if m["cli_error"]:
        rows.append(f"\nCLI error: {m['cli_error']}")
    return "\n".join(rows)
