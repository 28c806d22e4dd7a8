"""The Dask engine of batch mode: the same worker function on a Dask cluster.

Exports:
    dask_results(tasks, scheduler, jobs) -> Iterator[Result]
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.batch import Result, Task, _failed, audit_one

__all__ = ["dask_results"]


def dask_results(
    tasks: Iterator[Task], scheduler: str | None, jobs: int | None
) -> Iterator[Result]:
    """Run tasks on a Dask cluster: ``scheduler`` is its address (``tcp://host:8786``) or
    None/"local" for a LocalCluster of worker processes on this machine. Dask re-runs the
    tasks of a worker that dies; a task that still fails (``KilledWorker``, a lost
    connection) becomes an error row."""
    import logging

    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler in (None, "", "local"):
        cluster = LocalCluster(
            n_workers=jobs or 2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        window = max(8, 4 * max(1, len(client.scheduler_info().get("workers", {})) or 2))
        first = [t for _, t in zip(range(window), tasks, strict=False)]
        futures = client.map(audit_one, first, pure=False)
        owner = {f.key: t for f, t in zip(futures, first, strict=True)}
        queue = as_completed(futures)
        for fut in queue:
            task = owner.pop(fut.key)
            try:
                yield fut.result()
            except Exception:  # noqa: BLE001 - KilledWorker, CommClosedError, ...
                yield _failed(task, "died")
            fut.release()
            nxt = next(tasks, None)
            if nxt is not None:
                new = client.submit(audit_one, nxt, pure=False)
                owner[new.key] = nxt
                queue.add(new)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
