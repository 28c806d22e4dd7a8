"""Audits in worker processes, so the server answers while a long PDF is audited.

``WorkerPool(store, n)`` starts ``n`` long-lived worker processes (spawned, so they share
nothing with the server's threads) and one dispatcher thread per process. A dispatcher claims
the oldest queued submission in the store, sends it to its process and writes the result
back. If the process dies mid-audit (killed, out of memory, a crash in a native library) or
overruns ``timeout`` seconds, that submission alone is marked failed with a one-line message
and a fresh process takes its place; the other submissions carry on. Submissions left
``running`` by a stopped server are queued again at start, so none is lost.

Exports: WorkerPool, run_job (the function a worker process runs), CRASH_MESSAGE.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .store import Store

__all__ = ["WorkerPool", "run_job", "CRASH_MESSAGE"]

CRASH_MESSAGE = (
    "{name}: the audit worker stopped unexpectedly ({cause}); upload the file again, "
    "and if it fails again send the file to the policydiff maintainers."
)
_POLL = 0.05


def _audit_bytes(data: bytes, name: str, model: str, max_bytes: int) -> dict[str, Any]:
    from .. import api

    audit_bytes = getattr(api, "audit_bytes", None)
    if audit_bytes is not None:
        return dict(audit_bytes(data, path=name, model=model, max_bytes=max_bytes))
    from ..audit import audit
    from ..ingest import ingest_bytes
    from ..report import audit_to_dict

    return audit_to_dict(audit(ingest_bytes(data, path=name, max_bytes=max_bytes), model))


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Audit one stored upload (and compare it with the agency's previous version):
    ``{"audit", "compare"}`` or ``{"error": one-line message}``."""
    from ..errors import PolicyDiffError

    data = Path(job["blob"]).read_bytes()
    try:
        audit = _audit_bytes(data, job["name"], job["model"], job["max_bytes"])
    except PolicyDiffError as err:
        return {"error": str(err)}
    compare = None
    previous = job.get("previous")
    if previous:
        try:
            from ..compare import compare_documents
            from ..ingest import ingest_bytes

            old = ingest_bytes(Path(previous["blob"]).read_bytes(), path=previous["name"])
            new = ingest_bytes(data, path=job["name"])
            compare = compare_documents(old, new)
        except PolicyDiffError:
            compare = None
    return {"audit": audit, "compare": compare}


def _worker_main(conn: Connection) -> None:
    """A worker process: warm the engine once, then audit jobs until the pipe closes."""
    try:
        from ..api import audit_text

        audit_text("I. PURPOSE\nA. The agency shall adopt this policy.\n")
    except Exception:  # noqa: BLE001 - warming is an optimisation only
        pass
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            result = run_job(job)
        except Exception as err:  # noqa: BLE001 - one bad document must not stop the worker
            result = {
                "error": f"{job['name']}: the audit failed ({type(err).__name__}); "
                "report the file to the policydiff maintainers."
            }
        conn.send(result)


class _Slot:
    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.busy: int | None = None
        self.timed_out = False
        self.start()

    def start(self) -> None:
        parent, child = self.ctx.Pipe()
        self.conn: Connection = parent
        self.process = self.ctx.Process(target=_worker_main, args=(child,), daemon=True)
        self.process.start()
        child.close()

    def restart(self) -> None:
        self.stop(kill=True)
        self.start()

    def stop(self, kill: bool = False) -> None:
        """End the process: SIGTERM (an idle worker holds nothing), SIGKILL if it lingers.
        A submission it was auditing stays ``running`` and is queued again at next start."""
        if self.process.is_alive():
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
        self.process.join(timeout=3)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=3)
        self.conn.close()


class WorkerPool:
    """``workers`` audit processes fed from the store's queue by dispatcher threads."""

    def __init__(
        self, store: Store, workers: int = 2, *, max_bytes: int, timeout: float = 600.0
    ) -> None:
        self.store = store
        self.max_bytes = max_bytes
        self.timeout = timeout
        self._wake = threading.Condition()
        self._stopping = False
        self._ctx = multiprocessing.get_context("spawn")
        self.store.requeue_interrupted()
        self.slots = [_Slot(self._ctx) for _ in range(max(1, workers))]
        self._threads = [
            threading.Thread(target=self._dispatch, args=(slot,), daemon=True, name=f"audit-{i}")
            for i, slot in enumerate(self.slots)
        ]
        for thread in self._threads:
            thread.start()

    def notify(self) -> None:
        """A submission was queued: wake an idle dispatcher."""
        with self._wake:
            self._wake.notify_all()

    def status(self) -> list[dict[str, Any]]:
        return [{"pid": s.process.pid, "busy": s.busy} for s in self.slots]

    def close(self) -> None:
        self._stopping = True
        self.notify()
        for thread in self._threads:
            thread.join(timeout=10)
        for slot in self.slots:
            slot.stop()

    # ------------------------------------------------------------ one dispatcher

    def _dispatch(self, slot: _Slot) -> None:
        while not self._stopping:
            submission = self.store.claim_next()
            if submission is None:
                with self._wake:
                    self._wake.wait(timeout=1.0)
                continue
            slot.busy = int(submission["id"])
            try:
                self._run(slot, submission)
            except Exception as err:  # noqa: BLE001 - keep dispatching whatever one job did
                self.store.finish(
                    int(submission["id"]),
                    error=f"{submission['filename']}: the server could not record the audit "
                    f"({type(err).__name__}); upload the file again.",
                )
            finally:
                slot.busy = None

    def _job(self, submission: dict[str, Any]) -> dict[str, Any]:
        job = {
            "blob": os.fspath(self.store.blob_path(submission["sha256"])),
            "name": engine_name(submission["filename"], submission["kind"]),
            "model": submission["model"],
            "max_bytes": self.max_bytes,
            "previous": None,
        }
        previous = self.store.previous_reviewed(submission)
        if previous:
            job["previous"] = {
                "id": previous["id"],
                "blob": os.fspath(self.store.blob_path(previous["sha256"])),
                "name": engine_name(previous["filename"], previous["kind"]),
            }
        return job

    def _run(self, slot: _Slot, submission: dict[str, Any]) -> None:
        job = self._job(submission)
        sid = int(submission["id"])
        try:
            slot.conn.send(job)
            result = self._wait(slot, job)
        except (OSError, EOFError):
            result = None
        if result is None and self._stopping:
            return  # left running: queued again when the server starts next
        if result is None:
            cause = self._cause(slot)
            slot.restart()
            self.store.finish(sid, error=CRASH_MESSAGE.format(name=job["name"], cause=cause))
            return
        if "error" in result:
            self.store.finish(sid, error=result["error"])
            return
        previous = job["previous"] if result.get("compare") else None
        if previous:  # before the submission shows as done, so nobody sees it half carried
            from .review import carry_over

            carry_over(self.store, sid, int(previous["id"]), result["audit"])
        self.store.finish(
            sid,
            audit=result["audit"],
            compare=result.get("compare"),
            previous_id=previous["id"] if previous else None,
        )

    def _wait(self, slot: _Slot, job: dict[str, Any]) -> dict[str, Any] | None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline and not self._stopping:
            if slot.conn.poll(_POLL):
                result: dict[str, Any] = slot.conn.recv()
                return result
            if not slot.process.is_alive():
                return None
        slot.timed_out = not self._stopping
        return None

    def _cause(self, slot: _Slot) -> str:
        if slot.timed_out:
            slot.timed_out = False
            return f"no result within {self.timeout:g} s"
        slot.process.join(timeout=1)
        code = slot.process.exitcode
        if code is not None and code < 0:
            return f"killed by signal {-code}"
        return f"exit code {code}"


_KIND_SUFFIX = {"pdf": ".pdf", "docx": ".docx", "text": ".txt", "markdown": ".md"}


def engine_name(filename: str, kind: str) -> str:
    """The name the engine sees (in its messages and the audit's document.path): the upload's
    base name with the suffix of the type its content has."""
    stem, dot, suffix = filename.rpartition(".")
    if not dot:
        stem = filename
    want = _KIND_SUFFIX.get(kind, "")
    if kind == "text" and f".{suffix.lower()}" in (".txt", ".md", ".markdown", ".text"):
        return filename
    return f"{stem or 'upload'}{want}"
