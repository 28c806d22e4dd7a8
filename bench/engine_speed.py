"""Engine speed: in-process audit time per policy and CLI wall time including start-up.

Wall time is the target; CPU time (the process's own, or the CLI child's user + system) is
reported beside it because on a shared machine wall time also counts the waits for a core.

Exports:
    run(quick=False) -> dict  -- {"name": "engine_speed", "metrics", "targets", "markdown"}
    stages(count=20) -> dict  -- CPU ms per audit in each stage (where the engine's time goes)
    startup() -> dict         -- CPU s of the CLI's start-up phases, measured in this process
    TARGETS                   -- engine median (ms) and CLI wall time (s) targets

``python -m bench.engine_speed --stages`` prints both breakdowns.
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


def _compile_package() -> None:
    """Write the package's bytecode, as ``pip install`` does for an installed tool: in an
    editable checkout run with PYTHONDONTWRITEBYTECODE=1 (this machine's setting) every
    run would otherwise compile each module of the analyzer from source (about 0.1 s)."""
    import compileall

    compileall.compile_dir(ROOT / "analyzer", quiet=1)


def _cli_times(runs: int) -> tuple[list[float], list[float], str | None]:
    """Wall seconds of ``policydiff audit`` on a corpus document, start-up included, and
    the CPU seconds (user + system) of each run (bytecode written first, as installed)."""
    _compile_package()
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
        f"{os.cpu_count()} cores); wall times above the CPU times are waits for a core. "
        "The CLI runs with the package's bytecode written first, as an installed tool has it.",
    ]
    if m["cli_error"]:
        rows.append(f"\nCLI error: {m['cli_error']}")
    return "\n".join(rows)


# ---------------------------------------------------------------- where the time goes

_STAGES = {  # module -> functions timed where the audit calls them
    "analyzer.api": ("ingest_text", "audit_to_dict"),
    "analyzer.audit": (
        "segment",
        "choose_model",
        "find_attachment",
        "build_normalizer",
        "side",
        "pair",
        "pair_xref",
        "_finding",
        "check",
        "decide",
    ),
}


def stages(count: int = 20) -> dict[str, float]:
    """CPU milliseconds per audit spent in each stage of ``audit_text`` (``count`` warm
    post-sro variants; the stage functions are wrapped with timers for the run)."""
    import importlib

    from analyzer.api import audit_text

    spent: dict[str, float] = {}
    saved = []

    def timed(name: str, fn):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            start = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - start

        return wrapper

    for module_name, names in _STAGES.items():
        module = importlib.import_module(module_name)
        for name in names:
            saved.append((module, name, getattr(module, name)))
            setattr(module, name, timed(name, getattr(module, name)))
    try:
        variants = generate("post-sro", count + 1, 101)  # the variants run() times
        audit_text(variants[0].text, model="post-sro")
        spent.clear()
        start = time.process_time()
        for v in variants[1:]:
            audit_text(v.text, model="post-sro")
        total = time.process_time() - start
    finally:
        for module, name, fn in saved:
            setattr(module, name, fn)
    out = {"total": round(total / count * 1000, 2)}
    out |= {k: round(v / count * 1000, 2) for k, v in sorted(spent.items(), key=lambda kv: -kv[1])}
    return out


_STARTUP = """
import json, time
t0 = time.process_time()
from analyzer.spacy_loader import load_spacy
load_spacy()
t1 = time.process_time()
import analyzer.api, analyzer.cli, analyzer.render
from analyzer.context import default_context
t2 = time.process_time()
from analyzer.sentences import _nlp
_nlp(tuple(default_context().lexicon.abbreviations))
t3 = time.process_time()
analyzer.api.audit_path("corpus/hutchinson-pd-1003.txt")
t4 = time.process_time()
print(json.dumps({"import spacy": t1 - t0, "analyzer imports": t2 - t1,
                  "spaCy pipeline": t3 - t2, "audit": t4 - t3}))
"""


def startup() -> dict[str, float]:
    """CPU seconds of the CLI's start-up phases in a fresh interpreter: importing spaCy,
    the analyzer's imports, building the sentence pipeline, the audit itself."""
    _compile_package()
    done = subprocess.run(
        [sys.executable, "-c", _STARTUP], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return {k: round(v, 3) for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


if __name__ == "__main__":
    if "--stages" in sys.argv:
        print(json.dumps({"engine_ms_per_audit": stages(), "cli_startup_s": startup()}, indent=1))
    else:
        print(run(quick="--quick" in sys.argv)["markdown"])
