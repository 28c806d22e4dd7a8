"""A real Dask cluster on this machine for tests and benchmarks: ``dask scheduler`` and N
``dask worker`` processes on 127.0.0.1, started as separate processes as an operator would.

Exports:
    local_cluster(workdir, workers=2) -> context manager yielding {"address", "workers"}
        (``workers``: the worker processes; no nannies, so killing one kills that worker)
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["local_cluster", "DASK"]

ROOT = Path(__file__).resolve().parent.parent
DASK = Path(sys.executable).with_name("dask")


@contextlib.contextmanager
def local_cluster(workdir: Path, workers: int = 2) -> Iterator[dict[str, Any]]:
    info = Path(workdir) / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    common: dict[str, Any] = {
        "cwd": ROOT,
        "env": env,
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.DEVNULL,
    }
    scheduler = [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0"]
    procs = [
        subprocess.Popen([*scheduler, "--no-dashboard", "--scheduler-file", str(info)], **common)
    ]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        worker = [str(DASK), "worker", address, "--nthreads", "1", "--no-nanny"]
        for _ in range(workers):
            procs.append(
                subprocess.Popen([*worker, "--no-dashboard", "--host", "127.0.0.1"], **common)
            )
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(workers, timeout=120)
        yield {"address": address, "workers": procs[1:]}
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(10)
