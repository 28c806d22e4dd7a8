"""``policydiff serve``: the reviewer's desk, a web app over the audit engine.

A POST Board reviewer uploads a policy, the audit runs in a worker process, and the review
page shows the statute checklist and the findings; the reviewer accepts, dismisses or marks
each one needs-review with a note, sees the tool's verdict beside the one recomputed from the
decisions, and downloads a deficiency letter (Markdown, DOCX, PDF). A resubmission by the same
agency is compared with the last reviewed version and inherits the decisions on unchanged
provisions. Starlette under uvicorn; pages rendered server-side from
``analyzer/templates/serve``; SQLite and content-addressed blobs under ``--data``.

Modules: store (SQLite, migrations, blobs), worker (audit processes), review (items,
decisions, reviewer verdict, carry-over), letter and letter_files (the letter), security
(tokens, CSRF, limits, headers), service (operations shared by API and pages), app (routes),
pages (HTML).

Exports: open_desk(data, *, token, max_upload_mb, workers) -> Desk, run(...) (the command).
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

__all__ = ["open_desk", "run"]


def open_desk(
    data: str | os.PathLike[str],
    *,
    token: str | None = None,
    max_upload_mb: float = 25,
    workers: int = 2,
    start_workers: bool = True,
    audit_timeout: float = 600.0,
) -> object:
    """The store, guard and worker pool for ``data`` (created if missing)."""
    from ..baselines import model_ids
    from .security import Guard
    from .service import Desk
    from .store import Store
    from .worker import WorkerPool

    root = Path(data)
    root.mkdir(parents=True, exist_ok=True)
    store = Store(root)
    max_upload = int(max_upload_mb * 1_000_000)
    pool = (
        WorkerPool(store, workers, max_bytes=max_upload, timeout=audit_timeout)
        if start_workers
        else None
    )
    return Desk(
        store=store,
        pool=pool,
        guard=Guard(root, token),
        max_upload=max_upload,
        models=tuple(model_ids()),
    )


def run(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    data: str = "policydiff-data",
    token: str | None = None,
    max_upload_mb: float = 25,
    workers: int = 2,
    audit_timeout: float = 600.0,
) -> None:
    """Serve until interrupted; prints the address it listens on (never the token)."""
    import uvicorn

    from .app import create_app
    from .service import Desk

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        raise SystemExit(
            f"policydiff: error: cannot listen on {host}:{port} ({err.strerror}); "
            "pick another --port or stop the program using it."
        ) from err
    sock.listen(128)
    desk = open_desk(
        data,
        token=token,
        max_upload_mb=max_upload_mb,
        workers=workers,
        audit_timeout=audit_timeout,
    )
    assert isinstance(desk, Desk)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    print(
        f"policydiff serve: listening on http://{shown}:{bound}/ (data {data}, "
        f"{workers} audit workers, {'token required' if token else 'no token: local use only'})",
        flush=True,
    )
    config = uvicorn.Config(
        create_app(desk),
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        if desk.pool is not None:
            desk.pool.close()
        print("policydiff serve: stopped", file=sys.stderr, flush=True)
