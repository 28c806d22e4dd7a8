"""Batch mode: the acceptance folder (5 corpus documents, 60 variants, a corrupt PDF, an empty
file), reruns, the Dask engine, failure isolation, and the ``policydiff batch`` command."""

from __future__ import annotations

import json
import random
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.batch import INTERNAL_CODE, Task, audit_one, discover, run_batch
from analyzer.cli import cli
from analyzer.store import rows_digest
from bench.synth_corpus import make_corpus

AUDITOR = "analyzer.api:audit_path"


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    make_corpus(folder, 65, seed=7)
    junk = bytes([0, 1]) + random.Random(7).randbytes(4000)
    (folder / "scanned").mkdir()
    (folder / "scanned" / "random-bytes.pdf").write_bytes(junk)
    (folder / "empty.txt").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def local_run(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("local")
    summary = run_batch([corpus_dir], out_dir=out, jobs=2, progress=False, _auditor=AUDITOR)
    return out, summary


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_acceptance_folder(local_run: tuple[Path, object]) -> None:
    out, summary = local_run
    assert summary.documents == 67
    assert summary.audited == 65 and summary.skipped == 0
    db = out / "corpus.db"
    assert _count(db, "documents") == 65
    with sqlite3.connect(db) as conn:
        errors = dict(conn.execute("SELECT path, error_code || ' ' || message FROM errors"))
        follows = dict(conn.execute("SELECT model_id, COUNT(*) FROM documents GROUP BY 1"))
    assert len(errors) == 2
    empty = next(m for p, m in errors.items() if p.endswith("empty.txt"))
    corrupt = next(m for p, m in errors.items() if p.endswith("random-bytes.pdf"))
    assert empty.startswith("E101 ") and "empty.txt: the file is empty" in empty
    assert corrupt.startswith("E104 ") and "random-bytes.pdf: the PDF file is corrupt" in corrupt
    assert sorted(m for _, m in summary.errors) == sorted(
        m.split(" ", 1)[1] for m in errors.values()
    )
    assert set(follows) == {"post-sro", "msba-507.5"}
    assert _count(db, "provisions") > 65 * 10


def test_index_has_heatmaps_and_errors(local_run: tuple[Path, object]) -> None:
    out, _ = local_run
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.count('<canvas class="heatmap"') == 2
    data = json.loads(html.split('id="heatmap-data">')[1].split("</script>")[0])
    codes = "".join(r["cells"] for h in data for r in h["rows"])
    assert {"=", "x"} <= set(codes) and min(len(h["provisions"]) for h in data) >= 15
    assert "random-bytes.pdf: the PDF file is corrupt" in html
    links = set(re.findall(r'href="(reports/[^"]+\.html)"', html))
    assert len(links) == 65 and all((out / link).is_file() for link in links)
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html


def test_rerun_does_the_work_once(local_run: tuple[Path, object], corpus_dir: Path) -> None:
    out, _ = local_run
    before = rows_digest(out / "corpus.db")
    again = run_batch([corpus_dir], out_dir=out, jobs=2, progress=False, _auditor=AUDITOR)
    assert (again.audited, again.skipped, len(again.errors)) == (0, 65, 2)
    assert rows_digest(out / "corpus.db") == before


def test_changed_file_is_audited_again(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    make_corpus(folder, 2)
    out = tmp_path / "out"
    first = run_batch(
        [folder], out_dir=out, jobs=1, progress=False, html_reports=False, _auditor=AUDITOR
    )
    assert first.audited == 2
    target = sorted(folder.iterdir())[0]
    target.write_text(target.read_text(encoding="utf-8") + "\n\nAn added closing note.\n")
    second = run_batch(
        [folder], out_dir=out, jobs=1, progress=False, html_reports=False, _auditor=AUDITOR
    )
    assert (second.audited, second.skipped) == (1, 1)
    assert _count(out / "corpus.db", "documents") == 2
    other_model = run_batch(
        [folder],
        out_dir=out,
        jobs=1,
        progress=False,
        html_reports=False,
        model="post-sro",
        _auditor=AUDITOR,
    )
    assert other_model.audited == 2


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore:.*Port .* is already in use.*:UserWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_dask_engine_writes_the_same_rows(
    local_run: tuple[Path, object], corpus_dir: Path, tmp_path: Path
) -> None:
    out, _ = local_run
    summary = run_batch(
        [corpus_dir], out_dir=tmp_path, engine="dask", progress=False, _auditor=AUDITOR
    )
    assert (summary.audited, len(summary.errors)) == (65, 2)
    assert rows_digest(tmp_path / "corpus.db") == rows_digest(out / "corpus.db")


def test_unexpected_exceptions_become_internal_error_rows(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    make_corpus(folder, 2)
    # json.loads(path, model=...) raises TypeError: an "unexpected" failure in every worker.
    result = audit_one(Task(str(folder / "x.txt"), "0" * 64, "auto", False, auditor="json:loads"))
    assert result.audit is None and result.error_code == INTERNAL_CODE
    assert result.error and "x.txt: internal error TypeError" in result.error
    summary = run_batch(
        [folder],
        out_dir=tmp_path / "out",
        jobs=2,
        progress=False,
        html_reports=False,
        _auditor="json:loads",
    )
    assert summary.audited == 0 and len(summary.errors) == 2
    assert _count(tmp_path / "out" / "corpus.db", "errors") == 2


def test_shipped_bytes_audit_like_the_path(corpus_dir: Path) -> None:
    path = str(corpus_dir / "lakeville-pd-417.txt")
    by_path = audit_one(Task(path, "0" * 64, "auto", False))
    shipped = audit_one(Task(path, "0" * 64, "auto", False, Path(path).read_bytes()))
    assert by_path.audit is not None and shipped.audit == by_path.audit
    empty = str(corpus_dir / "empty.txt")
    failed = audit_one(Task(empty, "0" * 64, "auto", False, b""))
    assert failed.error_code == "E101" and f"{empty}: the file is empty" in (failed.error or "")


def test_discover_recurses_and_filters(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    for name in ("a/one.txt", "a/b/two.PDF", "a/b/three.docx", "notes.csv", ".hidden/x.txt"):
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path, tmp_path / "a"])]
    assert found == ["a/b/three.docx", "a/b/two.PDF", "a/one.txt"]


def test_cli_batch(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    make_corpus(folder, 3)
    (folder / "empty.txt").write_text("")
    out = tmp_path / "out"
    runner = CliRunner()
    args = [str(folder), "--out", str(out), "--jobs", "2", "--no-progress", "--no-html"]
    result = runner.invoke(cli, ["batch", *args, "--export", "csv"])
    assert result.exit_code == 1, result.output  # one document became an error row
    assert "4 documents: 3 audited, 0 skipped (unchanged), 1 errors" in result.output
    assert "empty.txt: the file is empty" in result.output
    assert f"Database: {out.resolve() / 'corpus.db'}" in result.output
    assert (out / "index.html").is_file() and (out / "export" / "documents.csv").is_file()
    rerun = runner.invoke(cli, ["batch", *args])
    assert "0 audited, 3 skipped (unchanged), 1 errors" in rerun.output


@pytest.mark.parametrize(
    "extra",
    [["--scheduler", "tcp://127.0.0.1:1"], ["--model", "no-such-model"], ["--jobs", "0"]],
)
def test_cli_usage_errors_exit_2(tmp_path: Path, extra: list[str]) -> None:
    make_corpus(tmp_path / "docs", 1)
    result = CliRunner().invoke(cli, ["batch", str(tmp_path / "docs"), *extra])
    assert result.exit_code == 2, result.output


def test_cli_no_documents_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("a,b")
    result = CliRunner().invoke(cli, ["batch", str(tmp_path)])
    assert result.exit_code == 2 and "no .txt" in result.output


def test_forkserver_warm_up_leaves_workers_nothing_to_import(tmp_path: Path, corpus: Path) -> None:
    """Workers are forked warm: after ``analyzer.batch_preload``, auditing a policy with an
    attachment, an edited policy, a PDF and a DOCX imports no module (a cold import costs a
    worker up to a second, at every renewal)."""
    import subprocess
    import sys

    from tests.fixtures_render import render_docx, render_pdf

    text = (corpus / "lakeville-pd-417.txt").read_text(encoding="utf-8")
    render_pdf(text, tmp_path / "p.pdf")
    render_docx(text, tmp_path / "p.docx")
    files = [corpus / "alexandria-pd-436.txt", corpus / "hutchinson-pd-1003.txt"]
    files += [tmp_path / "p.pdf", tmp_path / "p.docx"]
    code = (
        "import sys\n"
        "import analyzer.batch_preload\n"
        "before = set(sys.modules)\n"
        "from analyzer.api import audit_path\n"
        "for p in sys.argv[1:]:\n"
        "    audit_path(p)\n"
        "print(sorted(set(sys.modules) - before))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *map(str, files)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
