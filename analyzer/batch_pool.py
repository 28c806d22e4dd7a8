"""The local batch engine: a pool of worker processes that cannot lose a document.

Each worker is a process forked from a forkserver that has the engine imported; it holds at
most ``PREFETCH`` tasks, so the parent always knows which document a worker is on. That makes
three faults recoverable without losing any other document:

* a worker that dies (``kill -9``, a crash, the OOM killer): replaced; the document it was
  on is tried once more on a fresh worker, then recorded as an error; the documents queued
  behind it are re-sent without counting as a try;
* a document that runs past ``timeout`` seconds: its worker is killed and replaced, the
  document recorded as an error (no retry: it would time out again);
* the parent killed (``kill -9``): each worker notices within a second (its forkserver
  parent is gone, and the kernel's parent-death signal where Linux offers it) and exits, so
  no process is left behind.

Workers are renewed every ``max_tasks`` documents, so memory stays flat in N. A worker's
cyclic garbage collector runs its first generation every ``WORKER_GC_THRESHOLD`` allocations
instead of 700: one task allocates some hundred thousand short-lived containers, and at the
default the collector alone took 7-9% of a worker's time (what the forkserver preloaded is
not walked at all when it called ``gc.freeze()``, as ``analyzer.batch_preload`` does).

Exports:
    pool_results(fn, tasks, *, jobs, timeout, failed, preload, max_tasks) -> Iterator
        ``fn(task)`` in the workers for every task, results in completion order; a task whose
        worker died twice or timed out yields ``failed(task, "died" | "timeout")`` instead.
    PREFETCH -- tasks in flight per worker (the one it is on, plus one queued)
    WORKER_GC_THRESHOLD -- allocations between a worker's first-generation collections
"""

from __future__ import annotations

import collections
import ctypes
import gc
import multiprocessing
import multiprocessing.connection as mpc
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["pool_results", "PREFETCH", "WORKER_GC_THRESHOLD"]

PREFETCH = 2
WORKER_GC_THRESHOLD = 20_000  # a worker's memory stays flat: it is renewed every max_tasks
READY = "ready"
STARTUP_LIMIT = 300.0  # seconds a new worker may take to import the engine
_POLL = 0.5
_PR_SET_PDEATHSIG = 1


# ---------------------------------------------------------------- the worker side


def _die_with_parent(batch_pid: int) -> None:
    """Exit when the batch parent is gone: the kernel's parent-death signal (Linux; the
    direct parent is the forkserver, which exits when the batch parent dies), and a thread
    that checks once a second (any POSIX)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    first_parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != first_parent:
                os._exit(70)
            try:
                os.kill(batch_pid, 0)
            except ProcessLookupError:
                os._exit(70)
            except PermissionError:
                pass

    threading.Thread(target=watch, name="policydiff-parent-watch", daemon=True).start()


def _worker_main(conn: mpc.Connection, fn: Callable[[Any], Any], batch_pid: int) -> None:
    """Say ``READY`` (the engine is imported: the per-document clock starts now), then
    receive ``(key, task)`` and send ``(key, fn(task))``; stop on ``None`` or a closed pipe."""
    _die_with_parent(batch_pid)
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(WORKER_GC_THRESHOLD, older, oldest)
    try:
        conn.send((READY, None))
    except OSError:
        return
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        key, task = item
        result = fn(task)
        try:
            conn.send((key, result))
        except OSError:
            return


# ---------------------------------------------------------------- the parent side


@dataclass
class _Worker:
    proc: Any
    conn: mpc.Connection
    queue: collections.deque[tuple[int, Any]] = field(default_factory=collections.deque)
    sent: int = 0
    retiring: bool = False
    born: float = field(default_factory=time.monotonic)
    ready: bool = False
    started: float | None = None  # when the worker began the task at the head of its queue


class _Pool:
    def __init__(
        self,
        fn: Callable[[Any], Any],
        jobs: int,
        timeout: float | None,
        max_tasks: int,
        preload: list[str],
    ) -> None:
        self.ctx = multiprocessing.get_context("forkserver")
        self.ctx.set_forkserver_preload(preload)
        self.fn = fn
        self.jobs = jobs
        self.timeout = timeout
        self.max_tasks = max_tasks
        self.workers: list[_Worker] = []

    def spawn(self) -> _Worker:
        parent_end, child_end = self.ctx.Pipe(duplex=True)
        proc = self.ctx.Process(
            target=_worker_main, args=(child_end, self.fn, os.getpid()), daemon=True
        )
        proc.start()
        child_end.close()
        worker = _Worker(proc, parent_end)
        self.workers.append(worker)
        return worker

    def send(self, worker: _Worker, key: int, task: Any) -> bool:
        try:
            worker.conn.send((key, task))
        except OSError:
            return False
        if not worker.queue and worker.ready:
            worker.started = time.monotonic()
        worker.queue.append((key, task))
        worker.sent += 1
        if worker.sent >= self.max_tasks:
            worker.retiring = True
            try:
                worker.conn.send(None)
            except OSError:
                pass
        return True

    def remove(self, worker: _Worker, *, kill: bool) -> list[tuple[int, Any]]:
        """Stop ``worker`` and return the tasks it still held, in order."""
        if kill and worker.proc.is_alive():
            worker.proc.kill()
        worker.proc.join(5)
        worker.conn.close()
        self.workers.remove(worker)
        held = list(worker.queue)
        worker.queue.clear()
        return held

    def close(self) -> None:
        for worker in list(self.workers):
            if not worker.queue and not worker.retiring:
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
        deadline = time.monotonic() + 5
        for worker in list(self.workers):
            worker.proc.join(max(0.0, deadline - time.monotonic()))
            self.remove(worker, kill=True)


def pool_results(
    fn: Callable[[Any], Any],
    tasks: Iterator[Any],
    *,
    jobs: int,
    timeout: float | None,
    failed: Callable[[Any, str], Any],
    preload: list[str],
    max_tasks: int = 200,
) -> Iterator[Any]:
    """Run ``fn`` over ``tasks`` in ``jobs`` worker processes; see the module docstring."""
    pool = _Pool(fn, jobs, timeout, max_tasks, preload)
    again: collections.deque[tuple[int, Any]] = collections.deque()  # re-sent first
    tried: set[int] = set()  # keys whose worker already died once on them
    keys = iter(range(1 << 62))
    exhausted = False

    def next_task() -> tuple[int, Any] | None:
        nonlocal exhausted
        if again:
            return again.popleft()
        if exhausted:
            return None
        task = next(tasks, None)
        if task is None:
            exhausted = True
            return None
        return next(keys), task

    def lost(worker: _Worker, reason: str, *, kill: bool) -> list[Any]:
        """A worker died or timed out: its current task is retried once (died) or failed
        (timeout); the ones queued behind it are re-sent as if new."""
        held = pool.remove(worker, kill=kill)
        out = []
        if held:
            (key, task), rest = held[0], held[1:]
            if reason == "died" and key not in tried:
                tried.add(key)
                again.appendleft((key, task))
            else:
                out.append(failed(task, reason))
            again.extendleft(reversed(rest))
        return out

    try:
        while True:
            results: list[Any] = []
            while len([w for w in pool.workers if not w.retiring]) < jobs and (
                again or not exhausted
            ):
                pool.spawn()
            for worker in list(pool.workers):
                while not worker.retiring and len(worker.queue) < PREFETCH:
                    item = next_task()
                    if item is None:
                        break
                    if not pool.send(worker, *item):
                        again.appendleft(item)
                        break
            if not any(w.queue for w in pool.workers) and exhausted and not again:
                return
            busy = [w for w in pool.workers if w.queue or not w.ready]
            waitables: list[Any] = [w.conn for w in busy]
            waitables += [w.proc.sentinel for w in pool.workers]
            ready = set(mpc.wait(waitables, timeout=_POLL))
            now = time.monotonic()
            for worker in list(pool.workers):
                alive = worker.proc.sentinel not in ready
                if worker.conn in ready or not alive:
                    results += _drain(worker, now)
                if not alive:
                    if worker.queue:
                        results += lost(worker, "died", kill=False)
                    else:
                        pool.remove(worker, kill=False)
                elif not worker.ready and now - worker.born > STARTUP_LIMIT:
                    results += lost(worker, "died", kill=True)
                elif (
                    timeout is not None
                    and worker.queue
                    and worker.started is not None
                    and now - worker.started > timeout
                ):
                    results += lost(worker, "timeout", kill=True)
            yield from results
    finally:
        pool.close()


def _drain(worker: _Worker, now: float) -> list[Any]:
    """Every answer waiting on ``worker``'s pipe, matched to the head of its queue."""
    out = []
    try:
        while (worker.queue or not worker.ready) and worker.conn.poll():
            key, result = worker.conn.recv()
            if key == READY:
                worker.ready = True
                worker.started = now if worker.queue else None
                continue
            head, _ = worker.queue.popleft()
            assert head == key, "worker answered out of order"
            out.append(result)
            worker.started = now if worker.queue else None
    except (EOFError, OSError):
        pass
    return out
