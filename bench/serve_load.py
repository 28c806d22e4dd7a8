"""The reviewer's desk under load: page latency while 20 uploads are in flight, and audits
per second through the server against the CLI on the same machine.

A real ``policydiff serve`` (2 audit workers) on 127.0.0.1; ``uploads`` distinct corpus
documents (each made unique by one added clause) are posted at once from 20 threads, while
one client requests the queue, a review page and the health endpoint in a loop until every
audit is done. Audits/s through the server = uploads / (first post to last done). The CLI
figure is ``policydiff audit FILE --format json`` run one file after another, start-up
included (what a reviewer without the server would do).

Exports: run(quick=False) -> dict  -- {"name": "serve_load", "metrics", "markdown"}
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.serve_client import ROOT, Server

__all__ = ["run"]

CORPUS = sorted(p for p in (ROOT / "corpus").glob("*.txt"))
PAGES = ("/", "/submissions/1", "/api/health")


def _documents(count: int) -> list[tuple[str, bytes]]:
    out = []
    for i in range(count):
        path = CORPUS[i % len(CORPUS)]
        extra = f"\nA. The agency shall keep record {i} of this policy.\n".encode()
        out.append((f"{path.stem}-{i}.txt", path.read_bytes() + extra))
    return out


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _through_server(server: Server, docs: list[tuple[str, bytes]]) -> dict[str, Any]:
    ids: list[int] = []
    lock = threading.Lock()

    def post(name: str, data: bytes) -> None:
        reply = server.upload(name, data, agency=name.split("-")[0])
        with lock:
            ids.append(int(reply.json()["id"]))

    start = time.perf_counter()
    threads = [threading.Thread(target=post, args=doc) for doc in docs]
    for t in threads:
        t.start()
    latencies: list[float] = []
    done = False
    while not done:
        for path in PAGES:
            t0 = time.perf_counter()
            reply = server.get(path)
            latencies.append(time.perf_counter() - t0)
            assert reply.status == 200, (path, reply.status)
        counts = server.get("/api/health").json()["counts"]
        done = counts.get("done", 0) + counts.get("failed", 0) >= len(docs) + 1
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    for t in threads:
        t.join()
    failed = server.get("/api/health").json()["counts"].get("failed", 0)
    return {
        "uploads": len(docs),
        "distinct_ids": len(set(ids)),
        "failed": failed,
        "seconds": elapsed,
        "audits_per_s": len(docs) / elapsed,
        "page_requests": len(latencies),
        "page_p50_ms": 1000 * statistics.median(latencies),
        "page_p95_ms": 1000 * _percentile(latencies, 0.95),
        "page_max_ms": 1000 * max(latencies),
    }


def _through_cli(docs: list[tuple[str, bytes]], folder: Path) -> dict[str, Any]:
    paths = []
    for name, data in docs:
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    start = time.perf_counter()
    for path in paths:
        subprocess.run(
            [sys.executable, "-m", "analyzer", "audit", str(path), "--format", "json"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
    elapsed = time.perf_counter() - start
    return {"files": len(paths), "seconds": elapsed, "audits_per_s": len(paths) / elapsed}


def run(quick: bool = False) -> dict[str, Any]:
    uploads = 20
    cli_files = 3 if quick else 6
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
        folder = Path(tmp)
        server = Server(folder / "data", workers=2, max_upload_mb=5).start()
        try:
            first = server.upload("warm.txt", CORPUS[0].read_bytes(), agency="warm")
            server.wait(int(first.json()["id"]))
            served = _through_server(server, _documents(uploads))
        finally:
            server.stop()
        cli = _through_cli(_documents(cli_files), folder)
    markdown = "\n".join(
        [
            "### Reviewer's desk (`bench/serve_load.py`)",
            "",
            f"`policydiff serve --workers 2` on 127.0.0.1; {uploads} corpus policies "
            "(~14 KB each) uploaded at once from 20 threads while one client loads the "
            f"queue, a review page and /api/health in a loop ({served['page_requests']} "
            "requests).",
            "",
            "| measure | result |",
            "|---|---|",
            f"| page latency p50 / p95 / max, uploads in flight | {served['page_p50_ms']:.0f} / "
            f"{served['page_p95_ms']:.0f} / {served['page_max_ms']:.0f} ms |",
            f"| uploads completed, distinct ids, failed | {served['uploads']}, "
            f"{served['distinct_ids']}, {served['failed']} |",
            f"| audits/s through the server (post to done, 2 workers) | "
            f"{served['audits_per_s']:.2f} ({served['seconds']:.1f} s for {uploads}) |",
            f"| audits/s with the CLI, one `policydiff audit` after another | "
            f"{cli['audits_per_s']:.2f} ({cli['seconds']:.1f} s for {cli['files']}) |",
        ]
    )
    return {"name": "serve_load", "metrics": {"server": served, "cli": cli}, "markdown": markdown}


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv)["markdown"])
