"""Corpus-scale batch audits: many documents, in parallel, streamed into one SQLite database.

``run_batch`` walks the given paths for supported files, hashes each one, skips those already
stored OK with the same content and settings, audits the rest in worker processes (a local
process pool, or a Dask cluster) and writes every result into ``DIR/corpus.db`` as it arrives,
so memory stays flat however many documents there are. A file that cannot be audited becomes
an error row; it never stops the batch. At the end it writes ``DIR/index.html`` (the corpus
report) and, when asked, CSV or Parquet exports.

Exports:
    BatchSummary  -- the counts of one run (frozen dataclass)
    run_batch     -- the library entry point
    discover      -- the supported files under some paths, sorted
    audit_one     -- the worker function (top level, picklable; used by both engines)
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import importlib
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer import store as corpus_store
from analyzer.errors import PolicyDiffError
from analyzer.store import DB_NAME, CorpusStore, report_slug, settings_hash

__all__ = [
    "BatchSummary",
    "run_batch",
    "discover",
    "audit_one",
    "summary_text",
    "supported_suffixes",
]

AUDIT_SCHEMA = "policydiff/audit@1"
DEFAULT_AUDITOR = "analyzer.api:audit_path"
INTERNAL_CODE = "INTERNAL"
MAX_TASKS_PER_CHILD = 200
_FALLBACK_SUFFIXES = (".txt", ".md", ".pdf", ".docx")


@dataclass(frozen=True)
class BatchSummary:
    """What one ``run_batch`` did. ``errors`` are (path, one-line message) pairs."""

    documents: int
    audited: int
    skipped: int
    errors: tuple[tuple[str, str], ...]
    seconds: float
    db_path: Path
    index_path: Path | None = None

    @property
    def docs_per_second(self) -> float:
        done = self.audited + len(self.errors)
        return done / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Task:
    """One unit of work for a worker: a path, or the file's bytes when shipped."""

    path: str
    sha256: str
    model: str
    html: bool
    data: bytes | None = None
    auditor: str = DEFAULT_AUDITOR


@dataclass(frozen=True)
class Result:
    """A worker's answer: an audit dict, or an error code and one-line message."""

    path: str
    sha256: str
    seconds: float
    audit: dict[str, Any] | None = None
    html: str | None = None
    error_code: str | None = None
    error: str | None = None


# ---------------------------------------------------------------- discovery and hashing


def supported_suffixes() -> tuple[str, ...]:
    """``analyzer.ingest.SUPPORTED_SUFFIXES`` when ingest defines it, else the four formats."""
    try:
        from analyzer import ingest
    except ImportError:
        return _FALLBACK_SUFFIXES
    return tuple(getattr(ingest, "SUPPORTED_SUFFIXES", _FALLBACK_SUFFIXES))


def discover(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Yield the supported files under ``paths`` (files as given, folders recursively), sorted,
    each once, as absolute paths. Hidden files and folders are left out."""
    suffixes = {s.lower() for s in supported_suffixes()}
    seen: set[Path] = set()
    for given in paths:
        root = Path(given).resolve()
        if root.is_file():
            candidates: Iterable[Path] = [root]
        else:
            candidates = sorted(
                p
                for p in root.rglob("*")
                if p.is_file()
                and p.suffix.lower() in suffixes
                and not any(part.startswith(".") for part in p.relative_to(root).parts)
            )
        for path in candidates:
            if path not in seen:
                seen.add(path)
                yield path


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _model_fingerprint(model: str) -> str:
    """The model option, plus the content hash when it names a model file."""
    path = Path(model)
    if model != "auto" and path.is_file():
        return f"{model}#{file_sha256(path)}"
    return model


def batch_settings_hash(model: str) -> str:
    return settings_hash(
        {"model": _model_fingerprint(model), "tool_version": __version__, "schema": AUDIT_SCHEMA}
    )


# ---------------------------------------------------------------- the worker


def _resolve(name: str) -> Callable[..., Any]:
    module, _, attr = name.partition(":")
    return getattr(importlib.import_module(module), attr)


def _render_html(audit: dict[str, Any]) -> str | None:
    """The per-document HTML report, or None when render is missing or fails on this audit
    (the audit itself is still stored; the corpus report then has no link for it)."""
    try:
        from analyzer.render import render_html

        return render_html(audit)
    except Exception:  # noqa: BLE001 - a report is a bonus, never a reason to lose the audit
        return None


def _audit_shipped(task: Task, audit_path: Callable[..., Any]) -> dict[str, Any]:
    """Audit bytes sent by the parent: through ``analyzer.ingest.ingest_bytes`` with the real
    path when the default auditor is used, else through a private temporary file with the
    same name, with the real path put back in the result (and in error messages)."""
    assert task.data is not None
    if task.auditor == DEFAULT_AUDITOR:
        try:
            from analyzer.audit import audit
            from analyzer.ingest import ingest_bytes
            from analyzer.report import audit_to_dict
        except ImportError:
            pass
        else:
            return audit_to_dict(audit(ingest_bytes(task.data, path=task.path), task.model))
    with tempfile.TemporaryDirectory(prefix="policydiff-") as tmp:
        local = Path(tmp) / Path(task.path).name
        local.write_bytes(task.data)
        try:
            data: dict[str, Any] = audit_path(str(local), model=task.model)
        except PolicyDiffError as exc:
            exc.message = exc.message.replace(str(local), task.path)
            raise
    data.setdefault("document", {})["path"] = task.path
    return data


def audit_one(task: Task) -> Result:
    """Audit one file; never raises. Input errors come back as their code and message,
    anything unexpected as an internal error (``INTERNAL``, ``path: Type: message``)."""
    start = time.perf_counter()
    try:
        audit_path = _resolve(task.auditor)
        if task.data is not None:
            audit = _audit_shipped(task, audit_path)
        else:
            audit = audit_path(task.path, model=task.model)
        html = _render_html(audit) if task.html else None
        return Result(task.path, task.sha256, time.perf_counter() - start, audit, html)
    except PolicyDiffError as exc:
        code = getattr(exc, "code", "E000")
        return Result(
            task.path, task.sha256, time.perf_counter() - start, None, None, code, str(exc)
        )
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the batch
        message = (
            f"{task.path}: internal error {type(exc).__name__}: {exc}; "
            "please report it with this file."
        )
        return Result(
            task.path,
            task.sha256,
            time.perf_counter() - start,
            None,
            None,
            INTERNAL_CODE,
            " ".join(message.split()),
        )


# ---------------------------------------------------------------- engines


def _preload_modules(auditor: str) -> list[str]:
    return [auditor.partition(":")[0], "analyzer.batch"]


def _local_results(tasks: Iterator[Task], jobs: int, auditor: str) -> Iterator[Result]:
    """Run tasks in a process pool with a bounded window of tasks in flight. Workers are
    forked from a forkserver that has the auditor imported, and renewed every
    ``MAX_TASKS_PER_CHILD`` tasks. If a worker dies (crash, out of memory) the pool is
    rebuilt; the tasks in flight are tried once more, then stored as errors."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_preload_modules(auditor))
    window = max(4, jobs * 4)
    retried: set[str] = set()
    queue: list[Task] = []
    pending: dict[cf.Future[Result], Task] = {}
    pool = cf.ProcessPoolExecutor(jobs, mp_context=ctx, max_tasks_per_child=MAX_TASKS_PER_CHILD)
    try:
        while True:
            while len(pending) < window:
                task = queue.pop() if queue else next(tasks, None)
                if task is None:
                    break
                pending[pool.submit(audit_one, task)] = task
            if not pending:
                return
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            broken = False
            for fut in done:
                task = pending.pop(fut)
                try:
                    yield fut.result()
                except cf.process.BrokenProcessPool:
                    broken = True
                    if task.path in retried:
                        yield _died(task)
                    else:
                        retried.add(task.path)
                        queue.append(task)
            if broken:
                queue.extend(pending.values())
                retried.update(t.path for t in pending.values())
                pending.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                pool = cf.ProcessPoolExecutor(
                    jobs, mp_context=ctx, max_tasks_per_child=MAX_TASKS_PER_CHILD
                )
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _died(task: Task) -> Result:
    message = (
        f"{task.path}: the worker process died while auditing it (a crash or out of memory); "
        "retry it alone with policydiff audit and report it."
    )
    return Result(task.path, task.sha256, 0.0, None, None, INTERNAL_CODE, message)


def _dask_results(
    tasks: Iterator[Task], scheduler: str | None, jobs: int | None
) -> Iterator[Result]:
    """Run tasks on a Dask cluster: ``scheduler`` is its address (``tcp://host:8786``) or
    None/"local" for a LocalCluster of worker processes on this machine."""
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
        futures = as_completed(client.map(audit_one, first, pure=False))
        for fut in futures:
            yield fut.result()
            fut.release()
            nxt = next(tasks, None)
            if nxt is not None:
                futures.add(client.submit(audit_one, nxt, pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------- the parent


def _progress(enabled: bool) -> Any:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    return Progress(
        TextColumn("[bold]audit"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[errors]} errors"),
        console=console,
        disable=not (enabled and console.is_terminal),
        transient=False,
    )


def _store_result(
    store: CorpusStore, result: Result, settings: str, out_dir: Path, want_html: bool
) -> None:
    if result.audit is None:
        store.put_error(
            result.path, result.sha256, result.error_code or "E000", result.error or "unknown error"
        )
        return
    report_path = None if not want_html else ""
    if result.html is not None:
        report_path = f"reports/{report_slug(result.path)}.html"
        target = out_dir / report_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(result.html, encoding="utf-8")
    store.put_audit(
        result.path,
        result.sha256,
        settings,
        result.audit,
        seconds=result.seconds,
        report_path=report_path,
    )


def _html_available() -> bool:
    try:
        from analyzer.render import render_html  # noqa: F401
    except ImportError:
        return False
    return True


def run_batch(
    paths: Sequence[str | Path],
    *,
    out_dir: str | Path,
    model: str = "auto",
    jobs: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    export: str | None = None,
    progress: bool = True,
    html_reports: bool = True,
    ship_bytes: bool = False,
    _auditor: str = DEFAULT_AUDITOR,
) -> BatchSummary:
    """Audit every supported file under ``paths`` into ``out_dir/corpus.db``.

    ``engine`` is "local" (a pool of ``jobs`` processes, default ``os.cpu_count()``) or
    "dask" (``scheduler`` address, or a LocalCluster when None/"local"). ``ship_bytes`` sends
    file contents to the workers instead of paths (clusters without a shared filesystem).
    ``export`` ("csv" or "parquet") writes one file per table under ``out_dir/export``.
    """
    if engine not in ("local", "dask"):
        raise ValueError(f"unknown engine {engine!r}; use local or dask")
    if export not in (None, "csv", "parquet"):
        raise ValueError(f"unknown export format {export!r}; use csv or parquet")
    start = time.perf_counter()
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    files = list(discover(paths))
    settings = batch_settings_hash(model)
    html = html_reports and _html_available()
    requested_jobs = jobs
    jobs = jobs or os.cpu_count() or 1
    audited = skipped = 0
    errors: list[tuple[str, str]] = []
    with CorpusStore(out / DB_NAME) as store, _progress(progress) as bar:
        bar_id = bar.add_task("audit", total=len(files), errors=0)

        def todo() -> Iterator[Task]:
            nonlocal skipped
            for path in files:
                digest = file_sha256(path)
                if store.is_current(str(path), digest, settings, need_report=html):
                    skipped += 1
                    bar.advance(bar_id)
                    continue
                data = path.read_bytes() if ship_bytes else None
                yield Task(str(path), digest, model, html, data, _auditor)

        if engine == "local":
            results = _local_results(todo(), jobs, _auditor)
        else:
            results = _dask_results(todo(), scheduler, requested_jobs)
        for result in results:
            _store_result(store, result, settings, out, html)
            if result.audit is None:
                errors.append((result.path, result.error or ""))
            else:
                audited += 1
            bar.update(bar_id, advance=1, errors=len(errors))
    index_path = _write_index(out)
    if export:
        corpus_store.export(out / DB_NAME, export, out / "export")
    return BatchSummary(
        len(files),
        audited,
        skipped,
        tuple(sorted(errors)),
        time.perf_counter() - start,
        out / DB_NAME,
        index_path,
    )


def _write_index(out: Path) -> Path:
    from analyzer.corpus_report import render_corpus_report

    target = out / "index.html"
    target.write_text(render_corpus_report(out / DB_NAME), encoding="utf-8")
    return target


# ---------------------------------------------------------------- the CLI


def summary_text(s: BatchSummary) -> str:
    """The one-paragraph summary ``policydiff batch`` prints."""
    parts = [
        f"{s.documents} documents: {s.audited} audited, {s.skipped} skipped (unchanged), "
        f"{len(s.errors)} errors, in {s.seconds:.1f} s ({s.docs_per_second:.1f} docs/s)."
    ]
    if s.errors:
        parts.append("Errors: " + " ".join(f"[{i}] {m}" for i, (_, m) in enumerate(s.errors, 1)))
    parts.append(f"Database: {s.db_path}.")
    if s.index_path:
        parts.append(f"Corpus report: {s.index_path}.")
    return " ".join(parts)
