"""Batch mode under faults: a batch that cannot lose a document (issue 13, item 4).

Every fault file is made by a fixture: a zip-bomb-like DOCX, an empty file, a non-UTF-8 file
name, a newline in a name, a symlink loop, a FIFO, a file deleted while the batch runs, a
worker killed by SIGKILL (once: its document is retried and stored; always: an error row),
a document past the per-document timeout, a second batch on the same folder, and the parent
killed by SIGKILL (no process left behind). The fast variant uses 40 small documents; the
600-document acceptance run is marked slow.
"""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.batch import LOCK_NAME, TIMEOUT_CODE, _out_lock, run_batch
from analyzer.cli import cli
from analyzer.errors import BatchBusyError
from analyzer.store import display_path
from bench.synth_corpus import make_corpus

AUDITOR = "bench.fault_auditor:audit_path"
ROOT = Path(__file__).resolve().parent.parent


def _zip_bomb_docx(path: Path, megabytes: int = 40) -> None:
    """A small DOCX whose document part inflates to ``megabytes`` MB of empty paragraphs."""
    body = b"<w:p/>" * (megabytes * 2**20 // 6)
    xml = (
        b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        b'wordprocessingml/2006/main"><w:body>' + body + b"</w:body></w:document>"
    )
    types = (
        b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Override PartName="/word/document.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", types)
        zf.writestr("word/document.xml", xml)
    path.write_bytes(buf.getvalue())


def _fault_folder(folder: Path, n_good: int) -> dict[str, list[str]]:
    """``n_good`` small good documents plus one of each fault; the names expected as rows
    (``good``) and as error rows (``bad``), as ``display_path`` shows them."""
    good = [str(p) for p in make_corpus(folder, n_good, seed=3, paragraphs=8)]
    text = (folder / Path(good[0]).name).read_bytes()

    def unique(name: str | bytes) -> bytes:  # same content would be audited once, not faulted
        return text + b"\n\nA closing note for " + os.fsencode(name) + b".\n"

    raw_name = os.path.join(os.fsencode(folder), b"caf\xe9.txt")
    with open(raw_name, "wb") as fh:
        fh.write(text)  # the same bytes as the first document: stored twice, audited once
    good.append(os.fsdecode(raw_name))
    for name in ("two\nlines.txt", "crash-once.txt", "deleter.txt"):
        (folder / name).write_bytes(unique(name))
        good.append(str(folder / name))
    bad = []
    _zip_bomb_docx(folder / "bomb.docx")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    os.mkfifo(folder / "fifo.txt")
    for name in ("crash-always.txt", "sleep.txt", "zz-deleted.txt"):
        (folder / name).write_bytes(unique(name))
    bad += [str(folder / n) for n in ("bomb.docx", "empty.txt", "loop.txt", "fifo.txt")]
    bad += [str(folder / n) for n in ("crash-always.txt", "sleep.txt", "zz-deleted.txt")]
    return {"good": [display_path(p) for p in good], "bad": [display_path(p) for p in bad]}


def _rows(db: Path, sql: str) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute(sql).fetchall())


def _check_faults(tmp_path: Path, n_good: int) -> None:
    folder = tmp_path / "docs"
    expect = _fault_folder(folder, n_good)
    out = tmp_path / "out"
    summary = run_batch([folder], out_dir=out, jobs=2, progress=False, timeout=15, _auditor=AUDITOR)
    db = out / "corpus.db"
    docs = _rows(db, "SELECT path, verdict FROM documents")
    errors = _rows(db, "SELECT path, error_code || ' ' || message FROM errors")
    assert sorted(docs) == sorted(expect["good"])
    assert sorted(errors) == sorted(expect["bad"])
    assert summary.audited == len(expect["good"]) and len(summary.errors) == len(expect["bad"])
    assert (out / "index.html").is_file()
    by_name = {Path(p).name: m for p, m in errors.items()}
    assert by_name["empty.txt"].startswith("E101 ")
    assert (
        by_name["loop.txt"].startswith("E108 ") and "loop.txt: cannot read" in by_name["loop.txt"]
    )
    assert "not a regular file" in by_name["fifo.txt"]
    assert "no such file" in by_name["zz-deleted.txt"]
    assert (
        by_name["sleep.txt"].startswith(f"{TIMEOUT_CODE} ") and "--timeout" in by_name["sleep.txt"]
    )
    assert "died" in by_name["crash-always.txt"]
    assert all("\n" not in m for m in errors.values())
    # The non-UTF-8 name: shown escaped, stored losslessly.
    with sqlite3.connect(db) as conn:
        raw = dict(conn.execute("SELECT path, path_raw FROM documents WHERE path_raw IS NOT NULL"))
    cafe = str(folder) + "/caf\\xe9.txt"
    assert raw[cafe] == os.fsencode(folder) + b"/caf\xe9.txt"
    with sqlite3.connect(db) as conn:
        first = conn.execute("SELECT id FROM documents WHERE path = ?", (expect["good"][0],))
        twin = conn.execute("SELECT duplicate_of FROM documents WHERE path = ?", (cafe,))
        assert twin.fetchone()[0] == first.fetchone()[0]
    assert raw[str(folder) + "/two\\nlines.txt"] == os.fsencode(folder) + b"/two\nlines.txt"
    html = (out / "index.html").read_bytes().decode("utf-8")  # valid UTF-8
    assert "caf\\xe9" in html  # its label, escaped


def test_batch_faults_lose_no_document(tmp_path: Path) -> None:
    _check_faults(tmp_path, 40)


@pytest.mark.slow
def test_batch_faults_600_documents(tmp_path: Path) -> None:
    _check_faults(tmp_path, 590)


def test_second_batch_on_the_same_folder_refuses(tmp_path: Path) -> None:
    make_corpus(tmp_path / "docs", 1, paragraphs=4)
    out = tmp_path / "out"
    out.mkdir()
    with _out_lock(out):
        with pytest.raises(BatchBusyError, match="another policydiff batch .pid"):
            run_batch([tmp_path / "docs"], out_dir=out, progress=False)
        result = CliRunner().invoke(cli, ["batch", str(tmp_path / "docs"), "--out", str(out)])
    assert result.exit_code == 1
    assert "another policydiff batch" in result.output and "--out" in result.output
    assert (out / LOCK_NAME).exists() and not (out / "corpus.db").exists()


def test_cli_exit_1_when_some_documents_fail(tmp_path: Path) -> None:
    make_corpus(tmp_path / "docs", 2, paragraphs=4)
    (tmp_path / "docs" / "empty.txt").write_bytes(b"")
    args = [str(tmp_path / "docs"), "--out", str(tmp_path / "out"), "--no-progress", "--jobs", "1"]
    result = CliRunner().invoke(cli, ["batch", *args])
    assert result.exit_code == 1 and "2 audited" in result.output and "1 errors" in result.output
    (tmp_path / "docs" / "empty.txt").unlink()
    assert CliRunner().invoke(cli, ["batch", *args]).exit_code == 0


def _descendants(pid: int) -> list[int]:
    import psutil

    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def test_parent_killed_leaves_no_orphans(tmp_path: Path) -> None:
    make_corpus(tmp_path / "docs", 40, seed=5)
    cmd = [sys.executable, "-m", "analyzer", "batch", str(tmp_path / "docs")]
    cmd += ["--out", str(tmp_path / "out"), "--jobs", "2", "--no-progress", "--no-html"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        tree: list[int] = []
        while time.monotonic() < deadline and len(tree) < 4:  # forkserver, tracker, 2 workers
            time.sleep(0.2)
            tree = _descendants(proc.pid)
        assert len(tree) >= 4, "the batch did not start its workers"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in tree):
            time.sleep(0.2)
        assert not [p for p in tree if _alive(p)]
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
