"""Batch workers' garbage collector: the preloaded engine is frozen out of its reach in the
forkserver, and a worker collects its first generation every ``WORKER_GC_THRESHOLD``
allocations (measured: the collector took 7-9% of a worker's time at the default 700)."""

from __future__ import annotations

import subprocess
import sys

from analyzer.batch_pool import WORKER_GC_THRESHOLD

_SCRIPT = """
import gc
from analyzer.batch_pool import pool_results

def gc_state(_task):
    return gc.get_threshold()[0], gc.get_freeze_count()

if __name__ == "__main__":
    out = list(pool_results(gc_state, iter([1]), jobs=1, timeout=120.0,
                            failed=lambda t, r: r, preload=["analyzer.batch_preload"]))
    print(*out[0])
"""


def test_workers_collect_rarely_and_never_walk_the_preloaded_engine(tmp_path) -> None:
    script = tmp_path / "gc_probe.py"
    script.write_text(_SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, timeout=300
    )
    threshold, frozen = map(int, done.stdout.split())
    assert threshold == WORKER_GC_THRESHOLD
    assert frozen > 50_000  # the models, spaCy and the warmed caches: never walked again
