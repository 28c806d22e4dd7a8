"""Engine speed: in-process audit time per policy and CLI wall time including start-up.

Wall time is the target; CPU time (the process's own, or the CLI child's user + system) is
reported beside it because on a shared machine wall time also counts the waits for a core.

Exports:
    run(quick=False) -> dict  -- {"name": "engine_speed", "metrics", "targets", "markdown"}
    TARGETS                   -- engine median (ms) and CLI wall time (s) targets
"""

from __future__ import annotations

import json
import os
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


def _engine_times(count: int) -> tuple[list[float], list[int], list[float]]:
    """Seconds per ``audit_text`` call on ``count`` post-sro variants, after one warm-up:
    wall times, document sizes, CPU times."""
    from analyzer.api import audit_text

    variants = generate("post-sro", count + 1, 101)
    audit_text(variants[0].text, model="post-sro")
    times, sizes, cpu = [], [], []
    for v in variants[1:]:
        start, start_cpu = time.perf_counter(), time.process_time()
        audit_text(v.text, model="post-sro")
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        sizes.append(len(v.text.encode("utf-8")))
    return times, sizes, cpu


def _is_audit(stdout: str) -> bool:
    try:
        return json.loads(stdout).get("schema") == "policydiff/audit@1"
    except (ValueError, AttributeError):
        return False


def _cli_times(runs: int) -> tuple[list[float], list[float], str | None]:
    """Wall seconds of ``policydiff audit`` on a corpus document, start-up included, and
    the CPU seconds (user + system) of each run."""
    times, cpu = [], []
    for _ in range(runs):
        before = os.times()
        start = time.perf_counter()
        done = subprocess.run(CLI, cwd=ROOT, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        after = os.times()
        cpu.append(
            after.children_user
            + after.children_system
            - before.children_user
            - before.children_system
        )
        if not _is_audit(done.stdout):
            return times, cpu, f"exit {done.returncode}: {done.stderr.strip()[-300:]}"
    return times, cpu, None


def run(quick: bool = False) -> dict:
    """Median engine time over 30 warm audits (5 if quick) and median CLI time of 5 runs (2)."""
    print("engine_speed: in-process audits", file=sys.stderr, flush=True)
    times, sizes, engine_cpu = _engine_times(5 if quick else 30)
    print("engine_speed: CLI runs", file=sys.stderr, flush=True)
    cli, cli_cpu, cli_error = _cli_times(2 if quick else 5)
    ms = sorted(t * 1000 for t in times)
    metrics = {
        "engine_median_ms": round(statistics.median(ms), 2),
        "engine_p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 2),
        "engine_max_ms": round(ms[-1], 2),
        "engine_cpu_median_ms": round(statistics.median(engine_cpu) * 1000, 2),
        "engine_runs": len(ms),
        "doc_kb_median": round(statistics.median(sizes) / 1024, 1),
        "cli_median_s": round(statistics.median(cli), 3),
        "cli_cpu_median_s": round(statistics.median(cli_cpu), 3),
        "cli_runs": len(cli),
        "cli_error": cli_error,
        "load_average": round(os.getloadavg()[0], 1),
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
        f"| engine CPU time per policy (median) | | {m['engine_cpu_median_ms']} ms |",
        f"| CLI wall time, one audit incl. start-up (median of {m['cli_runs']}) "
        f"| ≤ {TARGETS['cli_median_s']:g} s | {m['cli_median_s']} s{mark(cli_ok)} |",
        f"| CLI CPU time, user + system (median) | | {m['cli_cpu_median_s']} s |",
        "",
        f"Load average when measured: {m['load_average']} (the machine has "
        f"{os.cpu_count()} cores); wall times above the CPU times are waits for a core.",
    ]
    if m["cli_error"]:
        rows.append(f"\nCLI error: {m['cli_error']}")
    return "\n".join(rows)
