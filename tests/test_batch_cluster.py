"""Batch mode on a real Dask cluster: a ``dask scheduler`` and two ``dask worker`` processes on
127.0.0.1, started as separate processes, as an operator would (issue 12, item 5).

``--engine dask --scheduler tcp://...`` must write the same rows as the local engine, and a
worker killed by SIGKILL in the middle of the batch must lose no document (Dask re-runs its
tasks on the other worker; a task that still fails is an error row).
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.batch import run_batch
from analyzer.store import rows_digest
from bench.dask_cluster import DASK, local_cluster
from bench.synth_corpus import make_corpus

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

if not DASK.exists():
    pytest.skip(
        "the dask command is not installed (pip install 'policydiff[dask]')",
        allow_module_level=True,
    )


def _wait_for(predicate, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture()
def cluster(tmp_path: Path) -> Iterator[dict[str, object]]:
    with local_cluster(tmp_path, workers=2) as info:
        yield info


def test_real_cluster_writes_the_same_rows_and_survives_a_killed_worker(
    cluster: dict[str, object], tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    make_corpus(folder, 20, seed=11, paragraphs=10)
    (folder / "empty.txt").write_bytes(b"")
    local = run_batch(
        [folder], out_dir=tmp_path / "local", jobs=2, progress=False, html_reports=False
    )
    out = tmp_path / "dask"
    db = out / "corpus.db"
    workers: list[subprocess.Popen[bytes]] = cluster["workers"]  # type: ignore[assignment]

    def kill_one_worker_mid_batch() -> None:
        def stored() -> bool:
            try:
                with sqlite3.connect(db) as conn:
                    return conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] >= 5
            except sqlite3.Error:
                return False

        _wait_for(stored, 180, "the first documents")
        workers[0].send_signal(signal.SIGKILL)

    killer = threading.Thread(target=kill_one_worker_mid_batch, daemon=True)
    killer.start()
    summary = run_batch(
        [folder],
        out_dir=out,
        engine="dask",
        scheduler=str(cluster["address"]),
        progress=False,
        html_reports=False,
    )
    killer.join(5)
    assert workers[0].poll() is not None, "the worker was not killed during the batch"
    assert (summary.audited, len(summary.errors)) == (local.audited, 1) == (20, 1)
    assert rows_digest(db) == rows_digest(tmp_path / "local" / "corpus.db")
