"""Batch throughput and memory at corpus scale.

``run(quick=False)`` makes synthetic corpora (1,000 and 10,000 text documents, the 10,000
through a real Dask cluster too, and 1,000 PDFs; quick: 100 text and 20 PDFs; any plan with
``python -m bench.batch_scale --sizes=text:1000,dask:1000``), runs
``policydiff batch DIR --no-html --no-progress`` on each
into a fresh database, in a process of its own as a user would, and measures documents per
second and peak memory: the memory of the whole process tree (parent, forkserver, workers),
the sum of their proportional set sizes (PSS: shared pages divided among the processes that
share them, so the
engine the forkserver preloads and the workers inherit copy-on-write is counted once),
sampled every 0.1 s, and the resident set (RSS) of the largest single process
(``RUSAGE_CHILDREN`` does not see pool workers, which are children of the forkserver, so the
tree is sampled instead).

Exports:
    run(quick=False, sizes=None) -> {"name": "batch", "rows": [...], "markdown": "..."}
    tree_rss() -> (int, int) -- bytes resident in this process tree, and in its largest process
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.synth_corpus import make_corpus

__all__ = ["run", "tree_rss"]

FULL = (
    ("text", 1000, 0.0),
    ("text", 10000, 0.0),
    ("dask", 10000, 0.0),
    ("pdf", 1000, 1.0),
)
QUICK = (("text", 100, 0.0), ("pdf", 20, 1.0))
TARGET_KB_PER_DOC = 15.0
TARGET_DOCS_PER_S = 60.0  # issue 12: 10,000 text documents at >= 60 a second on 2 cores
TARGET_PEAK_MB = 500.0


def _proc_tree_rss(pid: int) -> int:
    """RSS of ``pid`` and its descendants from /proc (Linux), in bytes."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            statm = Path(f"/proc/{entry}/statm").read_text().split()
        except OSError:
            continue
        children.setdefault(int(stat[1]), []).append(int(entry))
        rss[int(entry)] = int(statm[1]) * page
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total


def _pss(pid: int) -> int | None:
    """Proportional set size of ``pid`` in bytes (Linux): resident pages, each shared page
    divided among the processes that share it. Summing RSS over forked workers counts the
    pages they share with the forkserver (the preloaded engine) once per process."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def tree_rss(pid: int | None = None) -> tuple[int, int]:
    """Memory of process ``pid`` (default: this one) and all its descendants (the sum of
    their PSS where Linux reports it, else of their RSS), and the RSS of the largest one."""
    try:
        import psutil
    except ImportError:
        total = _proc_tree_rss(pid or os.getpid())
        return total, total
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    total, largest = 0, 0
    for proc in procs:
        try:
            rss = proc.memory_info().rss
        except psutil.Error:
            continue
        pss = _pss(proc.pid)
        total += pss if pss is not None else rss
        largest = max(largest, rss)
    return total, largest


class _PeakSampler(threading.Thread):
    """Samples ``tree_rss`` until stopped; ``peak`` is the largest sample."""

    def __init__(self, pid: int | None = None, every: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.every = every
        self.peak = 0
        self.peak_one = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            total, largest = tree_rss(self.pid)
            self.peak = max(self.peak, total)
            self.peak_one = max(self.peak_one, largest)
            self._stop_event.wait(self.every)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


def _measure(kind: str, n: int, pdf_fraction: float, work: Path) -> dict[str, Any]:
    """Make the corpus here, then time ``policydiff batch`` as a user runs it, in a process
    of its own, sampling that process tree's memory from outside."""
    folder = work / f"corpus-{'text' if kind == 'dask' else kind}-{n}"
    out = work / f"out-{kind}-{n}"
    shutil.rmtree(out, ignore_errors=True)  # a fresh database: nothing skipped as unchanged
    t0 = time.perf_counter()
    if not folder.exists():  # the dask run reuses the text corpus of the same size
        make_corpus(folder, n, seed=n, pdf_fraction=pdf_fraction)
    made = time.perf_counter() - t0
    cmd = [sys.executable, "-m", "analyzer", "batch", str(folder), "--out", str(out)]
    cmd += ["--no-html", "--no-progress"]
    with contextlib.ExitStack() as stack:
        if kind == "dask":
            from bench.dask_cluster import local_cluster

            cluster = stack.enter_context(local_cluster(work, workers=os.cpu_count() or 2))
            cmd += ["--engine", "dask", "--scheduler", cluster["address"]]
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
        sampler = _PeakSampler(proc.pid)
        sampler.start()
        proc.communicate()
        seconds = time.perf_counter() - start
        peak = sampler.stop()
    if proc.returncode not in (0, 1):  # 1: some documents became error rows
        raise RuntimeError(f"policydiff batch exited {proc.returncode}")
    with sqlite3.connect(out / "corpus.db") as conn:
        documents = conn.execute("select count(*) from documents").fetchone()[0]
        errors = conn.execute("select count(*) from errors").fetchone()[0]
    return {
        "kind": kind,
        "documents": documents + errors,
        "audited": documents,
        "errors": errors,
        "seconds": round(seconds, 2),
        "docs_per_s": round((documents + errors) / seconds, 1),
        "peak_tree_mb": round(peak / 2**20, 1),
        "max_process_mb": round(sampler.peak_one / 2**20, 1),
        "db_mb": round((out / "corpus.db").stat().st_size / 2**20, 1),
        "db_kb_per_doc": round((out / "corpus.db").stat().st_size / 1024 / max(1, documents), 1),
        "corpus_seconds": round(made, 1),
        "jobs": os.cpu_count(),
        # 1-minute load average before and after: on a shared machine docs/s is only
        # meaningful next to it (other processes' load takes cores away)
        "load": f"{load_before:.1f} / {os.getloadavg()[0]:.1f}",
    }


def _markdown(rows: list[dict[str, Any]]) -> str:
    head = (
        "| kind | documents | errors | seconds | docs/s | peak memory, tree PSS (MB) | "
        "largest process RSS (MB) | db (MB) | db per document (KB) | load before / after |"
    )
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        lines.append(
            f"| {r['kind']} | {r['documents']:,} | {r['errors']} | {r['seconds']} | "
            f"{r['docs_per_s']} | {r['peak_tree_mb']} | {r['max_process_mb']} | {r['db_mb']} | "
            f"{r['db_kb_per_doc']} | {r['load']} |"
        )
    lines.append(
        f"\nTargets: >= {TARGET_DOCS_PER_S:.0f} text documents/s on {os.cpu_count()} cores; "
        f"peak tree memory (PSS) < {TARGET_PEAK_MB:.0f} MB and flat in N; database <= "
        f"{TARGET_KB_PER_DOC:.0f} KB per document. 'dask': the same text corpus through a "
        "dask scheduler and one single-thread dask worker per core, separate processes."
    )
    return "\n".join(lines)


def run(
    quick: bool = False,
    sizes: tuple[tuple[str, int, float], ...] | None = None,
    work: Path | None = None,
) -> dict:
    """Measure batch throughput and peak memory; see the module docstring. ``work``: keep
    the corpora and outputs there (default: a temporary folder, removed)."""
    plan = sizes or (QUICK if quick else FULL)
    with contextlib.ExitStack() as stack:
        if work is None:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pd-batch-")))
        work.mkdir(parents=True, exist_ok=True)
        rows = [_measure(kind, n, frac, work) for kind, n, frac in plan]
    return {"name": "batch", "rows": rows, "markdown": _markdown(rows)}


def _parse_sizes(arg: str) -> tuple[tuple[str, int, float], ...]:
    """``text:1000,dask:1000,pdf:200`` -> the plan."""
    plan = []
    for item in arg.split(","):
        kind, _, n = item.partition(":")
        plan.append((kind, int(n), 1.0 if kind == "pdf" else 0.0))
    return tuple(plan)


if __name__ == "__main__":
    sizes = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--sizes=")), None)
    keep = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--work=")), None)
    result = run(
        quick="--quick" in sys.argv,
        sizes=_parse_sizes(sizes) if sizes else None,
        work=Path(keep) if keep else None,
    )
    print(result["markdown"])
