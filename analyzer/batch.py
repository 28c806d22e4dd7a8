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

import collections
import contextlib
import fcntl
import hashlib
import importlib
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer import store as corpus_store
from analyzer.batch_pool import pool_results
from analyzer.corpus_datasette import write_datasette_metadata
from analyzer.errors import BatchBusyError, PolicyDiffError, UnreadableFileError
from analyzer.store import DB_NAME, CorpusStore, display_path, one_line, report_slug, settings_hash

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
TIMEOUT_CODE = "TIMEOUT"
DEFAULT_TIMEOUT = 120.0  # seconds per document; --timeout
MAX_TASKS_PER_CHILD = 200
LOCK_NAME = ".policydiff-batch.lock"
VACUUM_AFTER = 200  # documents audited in one run before the database is compacted
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
    """One unit of work for a worker: a path, or the file's bytes when shipped. ``path`` is
    the file system path (a non-UTF-8 name as surrogate escapes); ``label`` is how it is
    shown and stored (``store.display_path``), the same as ``path`` for ordinary names."""

    path: str
    sha256: str
    model: str
    html: bool
    data: bytes | None = None
    auditor: str = DEFAULT_AUDITOR
    label: str = ""

    @property
    def shown(self) -> str:
        return self.label or display_path(self.path)


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
    """Yield the files under ``paths`` with a supported suffix (files as given, folders
    recursively, symbolic links to folders not followed), sorted, each once, as absolute
    paths. Hidden files and folders are left out. Entries that are not regular files (a
    dangling or looping link, a FIFO) are yielded too: the batch records them as errors."""
    suffixes = {s.lower() for s in supported_suffixes()}
    seen: set[Path] = set()
    for given in paths:
        root = Path(os.path.abspath(given))
        if not root.is_dir():
            candidates: Iterable[Path] = [root]
        else:
            candidates = sorted(_walk(root, suffixes))
        for path in candidates:
            if path not in seen:
                seen.add(path)
                yield path


def _walk(root: Path, suffixes: set[str]) -> Iterator[Path]:
    for folder, dirs, names in os.walk(root, onerror=None, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in suffixes:
                yield Path(folder, name)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _prepare(path: Path, model: str, html: bool, ship: bool, auditor: str) -> Task | Result:
    """The task for ``path``, or its error row when the file cannot be opened as a regular
    file (gone since discovery, unreadable, a dangling or looping link, a FIFO, a device)."""
    label = display_path(str(path))
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            reason = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise UnreadableFileError(label, reason)
        digest = file_sha256(path)
        data = path.read_bytes() if ship else None
    except PolicyDiffError as exc:
        return Result(label, "", 0.0, None, None, exc.code, one_line(str(exc)))
    except OSError as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else (exc.strerror or "")
        err = UnreadableFileError(label, reason or type(exc).__name__)
        return Result(label, "", 0.0, None, None, err.code, one_line(str(err)))
    return Task(str(path), digest, model, html, data, auditor, label)


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


def _error(task: Task, start: float, code: str, message: str) -> Result:
    """An error result whose message is one printable line naming the shown path."""
    if task.path != task.shown:
        message = message.replace(task.path, task.shown)
    return Result(
        task.shown, task.sha256, time.perf_counter() - start, None, None, code, one_line(message)
    )


def audit_one(task: Task) -> Result:
    """Audit one file; never raises. Input errors come back as their code and message,
    anything unexpected as an internal error (``INTERNAL``, ``path: Type: message``).
    Results name the file by ``task.shown`` (valid UTF-8, one line, whatever the name)."""
    start = time.perf_counter()
    try:
        audit_path = _resolve(task.auditor)
        if task.data is not None:
            audit = _audit_shipped(task, audit_path)
        else:
            audit = audit_path(task.path, model=task.model)
        if task.path != task.shown and isinstance(audit.get("document"), dict):
            audit["document"]["path"] = task.shown
        html = _render_html(audit) if task.html else None
        return Result(task.shown, task.sha256, time.perf_counter() - start, audit, html)
    except PolicyDiffError as exc:
        return _error(task, start, getattr(exc, "code", "E000"), str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the batch
        message = (
            f"{task.path}: internal error {type(exc).__name__}: {exc}; "
            "please report it with this file."
        )
        return _error(task, start, INTERNAL_CODE, message)


# ---------------------------------------------------------------- engines


def _preload_modules(auditor: str) -> list[str]:
    modules = [auditor.partition(":")[0], "analyzer.batch"]
    return modules + (["analyzer.batch_preload"] if auditor == DEFAULT_AUDITOR else [])


def _failed(task: Task, reason: str, timeout: float | None = None) -> Result:
    """The error row of a document whose worker died twice on it, or that timed out."""
    if reason == "timeout":
        code = TIMEOUT_CODE
        message = (
            f"{task.shown}: the audit took longer than the {timeout:g} s per-document limit; "
            "its worker was stopped. Raise the limit with --timeout, or split the file."
        )
    else:
        code = INTERNAL_CODE
        message = (
            f"{task.shown}: the worker process died while auditing it, twice (a crash or out "
            "of memory); audit it alone with policydiff audit and report it."
        )
    return Result(task.shown, task.sha256, 0.0, None, None, code, one_line(message))


def _local_results(
    tasks: Iterator[Task], jobs: int, auditor: str, timeout: float | None
) -> Iterator[Result]:
    """Run tasks in ``analyzer.batch_pool``: workers forked from a forkserver that has the
    auditor imported, renewed every ``MAX_TASKS_PER_CHILD`` documents; a dead worker is
    replaced and its document retried once; a document over ``timeout`` seconds is stopped."""
    return pool_results(
        audit_one,
        tasks,
        jobs=jobs,
        timeout=timeout,
        failed=lambda task, reason: _failed(task, reason, timeout),
        preload=_preload_modules(auditor),
        max_tasks=MAX_TASKS_PER_CHILD,
    )


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
    store: CorpusStore,
    result: Result,
    settings: str,
    out_dir: Path,
    want_html: bool,
    raw_path: str | None = None,
) -> None:
    if result.audit is None:
        store.put_error(
            result.path,
            result.sha256,
            result.error_code or "E000",
            result.error or "unknown error",
            raw_path=raw_path,
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
        raw_path=raw_path,
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
    timeout: float | None = DEFAULT_TIMEOUT,
    metadata: str | Path | None = None,
    csv_bom: bool = False,
    _auditor: str = DEFAULT_AUDITOR,
) -> BatchSummary:
    """Audit every supported file under ``paths`` into ``out_dir/corpus.db``.

    ``engine`` is "local" (a pool of ``jobs`` processes, default ``os.cpu_count()``) or
    "dask" (``scheduler`` address, or a LocalCluster when None/"local"). ``ship_bytes`` sends
    file contents to the workers instead of paths (clusters without a shared filesystem).
    ``timeout`` is the wall-time limit per document in seconds (local engine; None: none).
    ``metadata`` is a CSV or JSON file of per-document columns (``analyzer.corpus_meta``).
    ``export`` ("csv" or "parquet") writes one file per table under ``out_dir/export``
    (``csv_bom``: CSV files start with a UTF-8 byte order mark, for Excel).
    Raises ``BatchBusyError`` when another batch is writing to ``out_dir``.
    """
    if engine not in ("local", "dask"):
        raise ValueError(f"unknown engine {engine!r}; use local or dask")
    if export not in (None, "csv", "parquet"):
        raise ValueError(f"unknown export format {export!r}; use csv or parquet")
    start = time.perf_counter()
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with _out_lock(out):
        files = list(discover(paths))
        counts = _run(
            files,
            out,
            model,
            jobs,
            engine,
            scheduler,
            progress,
            html_reports,
            ship_bytes,
            timeout,
            metadata,
            _auditor,
        )
        index_path = _write_index(out)
        write_datasette_metadata(out / DB_NAME)
        if export:
            corpus_store.export(out / DB_NAME, export, out / "export", bom=csv_bom)
    audited, skipped, errors = counts
    return BatchSummary(
        len(files),
        audited,
        skipped,
        tuple(sorted(errors)),
        time.perf_counter() - start,
        out / DB_NAME,
        index_path,
    )


@contextlib.contextmanager
def _out_lock(out: Path) -> Iterator[None]:
    """Hold ``OUT/.policydiff-batch.lock`` for the run, so that a second batch on the same
    folder refuses at once (the kernel drops the lock if this process dies)."""
    target = out / LOCK_NAME
    with target.open("a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise BatchBusyError(str(out), holder) from exc
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def _run(
    files: list[Path],
    out: Path,
    model: str,
    jobs: int | None,
    engine: str,
    scheduler: str | None,
    progress: bool,
    html_reports: bool,
    ship_bytes: bool,
    timeout: float | None,
    metadata: str | Path | None,
    auditor: str,
) -> tuple[int, int, list[tuple[str, str]]]:
    settings = batch_settings_hash(model)
    html = html_reports and _html_available()
    requested_jobs = jobs
    jobs = jobs or os.cpu_count() or 1
    audited = skipped = 0
    errors: list[tuple[str, str]] = []
    early: collections.deque[Result] = collections.deque()
    raw_names: dict[str, str] = {}
    with CorpusStore(out / DB_NAME) as store, _progress(progress) as bar:
        bar_id = bar.add_task("audit", total=len(files), errors=0)

        in_flight: dict[str, list[Task]] = {}  # sha256 -> later files with that content

        def todo() -> Iterator[Task]:
            nonlocal skipped
            for path in files:
                task = _prepare(path, model, html, ship_bytes, auditor)
                if isinstance(task, Result):
                    early.append(task)
                    continue
                if task.label != task.path:
                    raw_names[task.label] = task.path
                if store.is_current(task.label, task.sha256, settings, need_report=html):
                    skipped += 1
                    bar.advance(bar_id)
                    continue
                if task.sha256 in in_flight:  # same content as a file being audited
                    in_flight[task.sha256].append(task)
                    continue
                stored = store.stored_audit(task.sha256, settings)
                if stored is not None:  # same content as a stored file: audited once
                    early.append(_copy_result(task, stored))
                    continue
                in_flight[task.sha256] = []
                yield task

        def store_all(results: Iterable[Result]) -> None:
            nonlocal audited
            for result in results:
                raw = raw_names.pop(result.path, None)
                _store_result(store, result, settings, out, html, raw)
                if result.audit is None:
                    errors.append((result.path, result.error or ""))
                else:
                    audited += 1
                bar.update(bar_id, advance=1, errors=len(errors))
                for twin in in_flight.pop(result.sha256, []):
                    early.append(_copy_result(twin, result.audit, result))

        if engine == "local":
            results = _local_results(todo(), jobs, auditor, timeout)
        else:
            from analyzer.batch_dask import dask_results

            results = dask_results(todo(), scheduler, requested_jobs)
        for result in results:
            store_all([result, *_popall(early)])
        store_all(_popall(early))
        if metadata is not None:
            from analyzer.corpus_meta import apply_metadata

            apply_metadata(store, metadata)
        store.finish(vacuum=audited >= VACUUM_AFTER)
    return audited, skipped, errors


def _copy_result(task: Task, audit: dict[str, Any] | None, first: Result | None = None) -> Result:
    """The result of a file whose content was already audited (in this run or stored):
    the same audit under this file's path, or the same error naming this file."""
    if audit is None:
        assert first is not None
        message = (first.error or "").replace(first.path, task.shown)
        return Result(task.shown, task.sha256, 0.0, None, None, first.error_code, message)
    audit = dict(audit)  # shares all but the document section, the one part that differs
    if isinstance(audit.get("document"), dict):
        audit["document"] = {**audit["document"], "path": task.shown}
    html = _render_html(audit) if task.html else None
    return Result(task.shown, task.sha256, 0.0, audit, html)


def _popall(queue: collections.deque[Result]) -> list[Result]:
    out = list(queue)
    queue.clear()
    return out


def _write_index(out: Path) -> Path:
    from analyzer.corpus_report import render_corpus_report

    target = out / "index.html"
    target.write_text(render_corpus_report(out / DB_NAME), encoding="utf-8")
    return target


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
