"""The corpus database: rows per audit, replacement on re-audit, views, digests, exports and
the corpus report built from it."""

from __future__ import annotations

import copy
import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from analyzer.corpus_report import deviation_clusters, render_corpus_report
from analyzer.store import TABLES, VIEWS, CorpusStore, document_id, export, rows_digest

SAMPLE = Path(__file__).parent / "data" / "sample_audit.json"


@pytest.fixture()
def audit() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def _fill(db: Path, audit: dict[str, Any], n: int = 3) -> None:
    with CorpusStore(db) as store:
        for i in range(n):
            doc = copy.deepcopy(audit)
            if i == 1:
                doc["provisions"][0]["status"] = "missing"
            store.put_audit(f"/corpus/doc-{i}.txt", f"{i:064d}", "s1", doc, seconds=0.1 * i)
        store.put_error("/corpus/bad.pdf", "f" * 64, "E104", "E104 /corpus/bad.pdf: corrupt")


def _count(db: Path, table: str, where: str = "") -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table} {where}").fetchone()[0]


def test_rows_match_the_audit(tmp_path: Path, audit: dict[str, Any]) -> None:
    db = tmp_path / "corpus.db"
    _fill(db, audit)
    n_changes = sum(len(p["changes"]) for p in audit["provisions"])
    assert _count(db, "documents") == 3
    assert _count(db, "provisions") == 3 * len(audit["provisions"])
    assert _count(db, "changes") == 3 * n_changes
    assert _count(db, "additions") == 3 * len(audit["additions"])
    assert _count(db, "requirements") == 3 * len(audit["requirements"])
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT id, model_id, verdict, n_identical, n_missing, audit_json FROM documents "
            "WHERE path = '/corpus/doc-0.txt'"
        ).fetchone()
        stats = dict(conn.execute("SELECT model_ref, missing FROM provision_stats"))
    assert row[0] == document_id("/corpus/doc-0.txt")
    assert row[1:5] == (
        "post-sro",
        audit["verdict"],
        audit["summary"]["identical"],
        audit["summary"]["missing"],
    )
    assert json.loads(row[5]) == audit
    first_ref = audit["provisions"][0]["model_ref"]
    assert stats[first_ref] == 1 + 3 * (audit["provisions"][0]["status"] == "missing")


def test_reaudit_replaces_rows_and_errors_replace_documents(
    tmp_path: Path, audit: dict[str, Any]
) -> None:
    db = tmp_path / "corpus.db"
    _fill(db, audit)
    before = _count(db, "provisions")
    with CorpusStore(db) as store:
        store.put_audit("/corpus/doc-0.txt", "9" * 64, "s1", audit, seconds=1.0)
        assert store.is_current("/corpus/doc-0.txt", "9" * 64, "s1", need_report=False)
        assert not store.is_current("/corpus/doc-0.txt", "9" * 64, "s2", need_report=False)
        assert not store.is_current("/corpus/doc-0.txt", "0" * 64, "s1", need_report=False)
        store.put_error("/corpus/doc-2.txt", "2" * 64, "E101", "E101 empty")
        store.put_audit("/corpus/bad.pdf", "f" * 64, "s1", audit, seconds=1.0)
    assert _count(db, "provisions") == before
    assert _count(db, "documents") == 3
    assert _count(db, "errors") == 1
    assert _count(db, "errors", "WHERE path = '/corpus/doc-2.txt'") == 1


def test_rows_digest_ignores_timing_only(tmp_path: Path, audit: dict[str, Any]) -> None:
    db = tmp_path / "corpus.db"
    _fill(db, audit)
    digest = rows_digest(db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE documents SET audited_at = 'later', seconds = seconds + 5")
        conn.execute("UPDATE errors SET at = 'later'")
    assert rows_digest(db) == digest
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE provisions SET status = 'modified' WHERE seq = 2")
    assert rows_digest(db) != digest


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_round_trips_row_counts(tmp_path: Path, audit: dict[str, Any], fmt: str) -> None:
    db = tmp_path / "corpus.db"
    _fill(db, audit)
    written = export(db, fmt, tmp_path / "export")
    assert set(written) == set(TABLES + VIEWS)
    for name, path in written.items():
        if fmt == "csv":
            with path.open(newline="", encoding="utf-8") as fh:
                n = sum(1 for _ in csv.reader(fh)) - 1
        else:
            import pyarrow.parquet as pq

            n = pq.read_table(path).num_rows
        assert n == _count(db, name), name
    if fmt == "parquet":
        import pyarrow.parquet as pq

        docs = {d["path"]: d for d in pq.read_table(written["documents"]).to_pylist()}
        assert json.loads(docs["/corpus/doc-0.txt"]["audit_json"]) == audit


def test_corpus_report_escapes_document_text(tmp_path: Path, audit: dict[str, Any]) -> None:
    db = tmp_path / "corpus.db"
    audit["document"]["title"] = "<script>alert(1)</script>"
    audit["requirements"][0]["title"] = "<b>bold</b>"
    _fill(db, audit)
    html = render_corpus_report(db)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold" not in html
    assert '<svg class="heatmap-svg"' in html
    assert "E104 /corpus/bad.pdf: corrupt" in html


def test_deviation_clusters_single_linkage() -> None:
    sets = {
        1: frozenset("abcd"),
        2: frozenset("abcd"),
        3: frozenset("abcde"),
        4: frozenset("xy"),
        5: frozenset("xyz"),
        6: frozenset(),
    }
    assert deviation_clusters(sets, threshold=0.8) == [[1, 2, 3]]
    assert deviation_clusters(sets, threshold=0.6) == [[1, 2, 3], [4, 5]]
