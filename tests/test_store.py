"""The corpus database: rows per audit, replacement on re-audit, views, digests, exports and
the corpus report built from it."""

from __future__ import annotations

import copy
import csv
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from analyzer.corpus_report import deviation_clusters, render_corpus_report
from analyzer.store import (
    TABLES,
    VIEWS,
    CorpusStore,
    document_id,
    export,
    load_audit,
    pack_audit,
    rows_digest,
    unpack_audit,
)
from analyzer.store_export import csv_cell

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
            "SELECT id, model_id, verdict, n_identical, n_missing FROM documents "
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
    assert load_audit(db, "/corpus/doc-0.txt") == audit
    assert load_audit(db, row[0]) == audit and load_audit(db, "/nowhere.txt") is None
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
            with path.open(newline="", encoding="utf-8-sig") as fh:
                n = sum(1 for _ in csv.reader(fh)) - 1
        else:
            import pyarrow.parquet as pq

            n = pq.read_table(path).num_rows
        assert n == _count(db, name), name
    if fmt == "parquet":
        import pyarrow.parquet as pq

        docs = {d["path"]: d for d in pq.read_table(written["documents"]).to_pylist()}
        assert docs["/corpus/doc-0.txt"]["id"] == document_id("/corpus/doc-0.txt")


def test_corpus_report_escapes_document_text(tmp_path: Path, audit: dict[str, Any]) -> None:
    db = tmp_path / "corpus.db"
    audit["document"]["title"] = "<script>alert(1)</script>"
    audit["requirements"][0]["title"] = "<b>bold</b>"
    _fill(db, audit)
    with CorpusStore(db) as store:
        store.put_audit("/corpus/</script><b>x.txt", "7" * 64, "s1", audit, seconds=0)
        store.finish()
    html = render_corpus_report(db)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold" not in html and "<b>x" not in html
    assert html.count("</script>") == 2  # the data element and the page script, nothing else
    assert html.count('<canvas class="heatmap"') == 1
    assert "E104 /corpus/bad.pdf: corrupt" in html


def test_corpus_report_shows_only_deviating_provisions(
    tmp_path: Path, audit: dict[str, Any]
) -> None:
    db = tmp_path / "corpus.db"
    _fill(db, audit)
    html = render_corpus_report(db)
    section = html.split('id="provisions"')[1].split('id="heatmaps"')[0]
    with sqlite3.connect(db) as conn:
        stats = conn.execute(
            "SELECT model_ref, missing + modified + weakened + moved FROM provision_stats"
        ).fetchall()
    rows = set(re.findall(r"<tr><td>([^<]+)</td>", section))
    assert rows == {ref for ref, n in stats if n} and len(rows) < len(stats) / 2
    assert "Documents" in html.split('id="compliance"')[0]  # documents come first


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


def test_text_orjson_refuses_is_packed_exactly_too(tmp_path: Path, audit: dict[str, Any]) -> None:
    """A lone surrogate (a name read with surrogateescape) and a 70-bit integer: the fast
    encoder refuses them, the standard one packs them, and the audit comes back exactly."""
    odd = copy.deepcopy(audit)
    odd["provisions"][0]["doc_text"] = "caf\udce9 policy"
    odd["summary"]["big"] = 2**70
    db = tmp_path / "corpus.db"
    with CorpusStore(db) as store:
        store.put_audit("/corpus/odd.txt", "b" * 64, "s1", odd, seconds=0.1)
    assert load_audit(db, "/corpus/odd.txt") == odd


def test_packed_audit_is_small_and_exact(tmp_path: Path, audit: dict[str, Any]) -> None:
    db = tmp_path / "corpus.db"
    with CorpusStore(db) as store:
        store.put_audit("/corpus/a.txt", "a" * 64, "s1", audit, seconds=0.1)
        texts = store.model_texts("post-sro")
    with sqlite3.connect(db) as conn:
        (packed,) = conn.execute("SELECT packed FROM audits").fetchone()
    raw = len(json.dumps(audit).encode())
    assert len(packed) < raw / 10
    assert load_audit(db, "/corpus/a.txt") == audit
    # Only exact copies of the model's text are left out: a changed model text stays inside.
    changed = copy.deepcopy(audit)
    changed["provisions"][0]["model_text"] += " (edited)"
    blob = pack_audit(changed, texts)
    rows = {
        "requirements": {r["id"]: r["explanation"] for r in changed["requirements"]},
        "changes": [c for p in changed["provisions"] for c in p["changes"]],
    }
    assert unpack_audit(blob, texts, rows) == changed


def test_packing_leaves_the_callers_audit_untouched(tmp_path: Path, audit: dict[str, Any]) -> None:
    """Packing copies only the levels it edits (no deep copy): the caller's audit, its
    provisions, changes, requirements and evidence keep every key."""
    before = copy.deepcopy(audit)
    with CorpusStore(tmp_path / "corpus.db") as store:
        store.put_audit("/corpus/a.txt", "a" * 64, "s1", audit, seconds=0.1)
        texts = store.model_texts("post-sro")
    pack_audit(audit, texts)
    assert audit == before


def test_model_tables_explain_the_codes(tmp_path: Path, audit: dict[str, Any]) -> None:
    db = tmp_path / "corpus.db"
    _fill(db, audit, n=1)
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT model_ref, section, text, requirement_ids FROM model_provisions "
            "WHERE model_id = 'post-sro' AND requirement_ids IS NOT NULL"
        ).fetchall()
        reqs = conn.execute("SELECT COUNT(*) FROM model_requirements").fetchone()[0]
        stats = conn.execute("SELECT section, model_text FROM provision_stats").fetchall()
        evidence = conn.execute(
            "SELECT explanation, evidence FROM requirements WHERE status != 'met'"
        ).fetchall()
        met = conn.execute("SELECT explanation FROM requirements WHERE status = 'met'").fetchall()
    assert rows and all(text for _, _, text, _ in rows) and reqs == len(audit["requirements"])
    assert sum(1 for s, t in stats if s and t) > len(stats) * 0.9
    assert evidence and all(e for e, _ in evidence) and all(e is None for (e,) in met)
    assert any(ev and " -> " in ev for _, ev in evidence)


def test_labels_are_unique_and_readable(tmp_path: Path, audit: dict[str, Any]) -> None:
    db = tmp_path / "corpus.db"
    paths = ["/a/x/policy.txt", "/a/y/policy.txt", "/b/y/policy.txt", "/a/lakeville.txt"]
    with CorpusStore(db) as store:
        for i, p in enumerate(paths):
            store.put_audit(p, f"{i:064d}", "s1", audit, seconds=0.1)
        store.finish()
    with sqlite3.connect(db) as conn:
        labels = dict(conn.execute("SELECT path, label FROM documents"))
    assert labels["/a/lakeville.txt"] == "lakeville"
    assert labels["/a/x/policy.txt"] == "x/policy"
    assert labels["/a/y/policy.txt"].startswith("y/policy (") and len(set(labels.values())) == 4


def test_same_content_is_flagged_duplicate(tmp_path: Path, audit: dict[str, Any]) -> None:
    db = tmp_path / "corpus.db"
    with CorpusStore(db) as store:
        for p in ("/c/b.txt", "/c/a.txt", "/c/other.txt"):
            store.put_audit(p, ("1" if p != "/c/other.txt" else "2") * 64, "s1", audit, seconds=0)
        store.finish()
    with sqlite3.connect(db) as conn:
        dup = dict(conn.execute("SELECT path, duplicate_of FROM documents"))
        groups = conn.execute("SELECT kind, documents FROM duplicate_groups").fetchall()
    assert dup == {"/c/a.txt": None, "/c/b.txt": document_id("/c/a.txt"), "/c/other.txt": None}
    assert ("same content", 2) in groups


def test_later_audits_are_deflated_with_a_dictionary_and_read_back(
    tmp_path: Path, audit: dict[str, Any]
) -> None:
    db = tmp_path / "corpus.db"
    _fill(db, audit, n=3)
    with sqlite3.connect(db) as conn:
        blobs = [b for (b,) in conn.execute("SELECT packed FROM audits")]
        (dictionaries,) = conn.execute("SELECT COUNT(*) FROM pack_dictionaries").fetchone()
    assert dictionaries == 1 and all(b.startswith(b"D") for b in blobs)
    plain = pack_audit(audit, CorpusStore(db).model_texts("post-sro"))
    assert max(map(len, blobs)) < len(plain) * 0.7  # the dictionary holds what recurs
    for i in range(3):
        expected = copy.deepcopy(audit)
        if i == 1:
            expected["provisions"][0]["status"] = "missing"
        assert load_audit(db, f"/corpus/doc-{i}.txt") == expected


def test_evidence_that_repeats_its_provision_is_left_out_and_put_back(
    audit: dict[str, Any],
) -> None:
    from analyzer.store_pack import packed_json

    texts = {p["model_ref"]: p["model_text"] for p in audit["provisions"]}
    packed = json.loads(packed_json(audit, texts))
    evidence = [e for r in packed["requirements"] for e in r.get("evidence", ())]
    assert packed["_packed"]["el"] and not any(
        "location" in e for e in evidence if e.get("kind") == "provision"
    )
    rows = {
        "requirements": {r["id"]: r["explanation"] for r in audit["requirements"]},
        "changes": [c for p in audit["provisions"] for c in p["changes"]],
    }
    assert unpack_audit(pack_audit(audit, texts), texts, rows) == audit


def test_each_long_text_is_stored_once(tmp_path: Path, audit: dict[str, Any]) -> None:
    counts = []
    for n in (1, 3):  # three documents with the same changes and requirements
        db = tmp_path / f"corpus-{n}.db"
        _fill(db, audit, n=n)
        with sqlite3.connect(db) as conn:
            texts = [t for (t,) in conn.execute("SELECT text FROM texts")]
            explained = conn.execute(
                "SELECT COUNT(*) FROM changes WHERE explanation IS NOT NULL"
            ).fetchone()[0]
        assert len(texts) == len(set(texts)) and explained > 0
        counts.append(len(texts))
    assert counts[1] < 1.5 * counts[0]  # not one copy per document


def _as_version_2(db: Path) -> None:
    """Turn a database into the version-2 layout: the views as plain tables."""
    with sqlite3.connect(db) as conn:
        for name in ("changes", "additions", "requirements"):
            conn.execute(f"CREATE TABLE v2tmp_{name} AS SELECT * FROM {name}")
        for view in VIEWS + ("changes", "additions", "requirements"):
            conn.execute(f"DROP VIEW {view}")
        for name in ("change_rows", "addition_rows", "requirement_rows", "texts"):
            conn.execute(f"DROP TABLE {name}")
        for name in ("changes", "additions", "requirements"):
            conn.execute(f"ALTER TABLE v2tmp_{name} RENAME TO {name}")
        conn.execute("UPDATE meta SET value = 'policydiff/corpus-db@2' WHERE key = 'schema'")


def test_version_2_database_is_upgraded_with_every_row_and_audit(
    tmp_path: Path, audit: dict[str, Any]
) -> None:
    db = tmp_path / "corpus.db"
    _fill(db, audit)
    with sqlite3.connect(db) as conn:
        before = {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
            for t in ("changes", "additions", "requirements", "provisions")
        }
    _as_version_2(db)
    with CorpusStore(db) as store:
        assert store.is_current("/corpus/doc-0.txt", f"{0:064d}", "s1", need_report=False)
    with sqlite3.connect(db) as conn:
        after = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in before}
        schema = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
        stats = conn.execute("SELECT COUNT(*) FROM change_stats").fetchone()[0]
    assert after == before and schema.endswith("@3") and stats > 0
    assert load_audit(db, "/corpus/doc-0.txt") == audit


def test_version_1_database_is_upgraded(tmp_path: Path, audit: dict[str, Any]) -> None:
    db = tmp_path / "corpus.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "INSERT INTO meta VALUES ('schema', 'policydiff/corpus-db@1');"
            "CREATE TABLE documents (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE,"
            " sha256 TEXT NOT NULL, settings_hash TEXT NOT NULL, audited_at TEXT, seconds REAL,"
            " report_path TEXT, audit_json TEXT NOT NULL);"
            "CREATE TABLE provisions (document_id INTEGER, seq INTEGER);"
        )
        conn.execute(
            "INSERT INTO documents VALUES (1, '/old.txt', ?, 's1', 'then', 0.5, NULL, ?)",
            ("e" * 64, json.dumps(audit)),
        )
    with CorpusStore(db) as store:
        assert store.is_current("/old.txt", "e" * 64, "s1", need_report=False)
    assert load_audit(db, "/old.txt") == audit
    assert _count(db, "provisions") == len(audit["provisions"])
    with sqlite3.connect(db) as conn:
        assert (
            conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()[0].endswith("@3")
        )


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
    ],
)
def test_csv_cells_never_run_as_formulas(cell: str, safe: str) -> None:
    assert csv_cell(cell, "text") == safe
    assert csv_cell(-2.5, "similarity") == -2.5


def test_csv_is_excel_safe(tmp_path: Path, audit: dict[str, Any]) -> None:
    db = tmp_path / "corpus.db"
    audit["additions"][0]["text"] = '=HYPERLINK("http://x")' + "y" * 40_000
    _fill(db, audit, n=1)
    written = export(db, "csv", tmp_path / "export", bom=True)
    raw = written["additions"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with written["additions"].open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    cell = rows[0]["text"]
    assert cell.startswith("'=HYPERLINK") and len(cell) <= 32_000 and "corpus.db" in cell
    with written["documents"].open(newline="", encoding="utf-8-sig") as fh:
        doc = next(csv.DictReader(fh))
    assert doc["id"] == f"d{document_id('/corpus/doc-0.txt')}"
    assert max(len(c) for r in rows for c in r.values()) <= 32_000


def test_metadata_columns_from_corpus_index(tmp_path: Path, audit: dict[str, Any]) -> None:
    from analyzer.corpus_meta import apply_metadata

    db = tmp_path / "corpus.db"
    index = Path(__file__).resolve().parent.parent / "corpus" / "index.json"
    with CorpusStore(db) as store:
        store.put_audit("/x/lakeville-pd-417.txt", "1" * 64, "s1", audit, seconds=0)
        store.put_audit("/x/unknown.txt", "2" * 64, "s1", audit, seconds=0)
        counts = apply_metadata(store, index)
        store.put_audit("/x/lakeville-pd-417.txt", "3" * 64, "s1", audit, seconds=0)
        store.finish()
    assert counts == {"records": 5, "matched": 1, "unmatched": 4}
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM documents WHERE path LIKE '%lakeville%'").fetchone()
    assert row["jurisdiction"] == "Lakeville Police Department" and row["kind"] == "agency"
    assert row["meta_id"] == "lakeville-pd-417" and row["follows"] == "post-sro"
    assert row["title"] != row["meta_title"]  # a name the table uses gets meta_


def test_metadata_csv_and_bad_files(tmp_path: Path, audit: dict[str, Any]) -> None:
    from analyzer.corpus_meta import apply_metadata
    from analyzer.errors import MetadataError

    db = tmp_path / "corpus.db"
    meta = tmp_path / "meta.csv"
    meta.write_text("file,County,Adopted On\nsub/a.txt,Hennepin,2024-01-02\n", encoding="utf-8")
    with CorpusStore(db) as store:
        store.put_audit(str(tmp_path / "sub" / "a.txt"), "1" * 64, "s1", audit, seconds=0)
        apply_metadata(store, meta)
        bad = tmp_path / "bad.json"
        bad.write_text("{nope", encoding="utf-8")
        with pytest.raises(MetadataError, match=r"bad.json: invalid JSON .*; give a CSV"):
            apply_metadata(store, bad)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT county, adopted_on FROM documents").fetchone() == (
            "Hennepin",
            "2024-01-02",
        )


def test_datasette_metadata_queries_run(tmp_path: Path, audit: dict[str, Any]) -> None:
    from analyzer.corpus_datasette import write_datasette_metadata
    from analyzer.corpus_meta import apply_metadata

    db = tmp_path / "corpus.db"
    _fill(db, audit)
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps({"doc-0.txt": {"county": "Hennepin"}}), encoding="utf-8")
    with CorpusStore(db) as store:
        apply_metadata(store, meta)
        store.finish()
    data = json.loads(write_datasette_metadata(db).read_text(encoding="utf-8"))
    database = data["databases"]["corpus"]
    assert data["title"] and data["license"] and data["source"]
    assert database["tables"]["documents"]["label_column"] == "label"
    assert database["tables"]["documents"]["columns"]["county"]
    assert {"most_dropped_provisions", "compliance_by_county"} <= set(database["queries"])
    with sqlite3.connect(db) as conn:
        for query in database["queries"].values():
            conn.execute(query["sql"], {"model_ref": "IV.A"}).fetchall()  # every query runs
        rows = conn.execute(database["queries"]["compliance_by_county"]["sql"]).fetchall()
    assert ("Hennepin", 1) == rows[0][:2] or ("Hennepin", 1) in [r[:2] for r in rows]


def test_load_corpus_gives_every_table_as_a_dataframe(
    tmp_path: Path, audit: dict[str, Any]
) -> None:
    pd = pytest.importorskip("pandas")  # a dev dependency; optional for users
    import analyzer

    db = tmp_path / "corpus.db"
    _fill(db, audit)
    frames = analyzer.load_corpus(db)
    assert set(frames) == set(TABLES + VIEWS)
    assert all(isinstance(f, pd.DataFrame) for f in frames.values())
    assert len(frames["provisions"]) == _count(db, "provisions")
    assert frames["documents"]["id"].tolist() == sorted(frames["documents"]["id"])


def test_audit_result_shows_itself_in_jupyter(audit: dict[str, Any]) -> None:
    from analyzer.api import AuditResult

    audit["document"]["title"] = "<img src=x onerror=alert(1)>"
    result = AuditResult(audit)
    html = result._repr_html_()
    assert result == audit and json.loads(json.dumps(result)) == audit
    assert "<img" not in html and "&lt;img" in html and audit["verdict"] in html
    deviating = [p for p in audit["provisions"] if p["status"] != "identical"]
    assert html.count("<tr><td>") == len(deviating)


def test_provision_stats_counts_weakening_documents_per_provision(
    tmp_path: Path, audit: dict[str, Any]
) -> None:
    """``weakened``: the documents with a weaker change to the provision (counted once each,
    however many weaker changes they make there), per model and provision."""
    db = tmp_path / "corpus.db"
    _fill(db, audit)
    with sqlite3.connect(db) as conn:
        expected = dict(
            conn.execute(
                "SELECT model_ref, COUNT(DISTINCT document_id) FROM change_rows "
                "WHERE direction = 'weaker' GROUP BY model_ref"
            ).fetchall()
        )
        stats = dict(conn.execute("SELECT model_ref, weakened FROM provision_stats").fetchall())
    assert expected and all(stats[ref] == n for ref, n in expected.items())
    assert all(n == 0 for ref, n in stats.items() if ref not in expected)


def test_an_older_databases_views_are_replaced_when_it_is_opened(
    tmp_path: Path, audit: dict[str, Any]
) -> None:
    db = tmp_path / "corpus.db"
    _fill(db, audit)
    with sqlite3.connect(db) as conn:
        current = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'provision_stats'")
        current_sql = current.fetchone()[0]
        conn.execute("DROP VIEW provision_stats")
        conn.execute("CREATE VIEW provision_stats AS SELECT 1 AS stale")
    CorpusStore(db).close()
    with sqlite3.connect(db) as conn:
        again = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'provision_stats'")
        assert again.fetchone()[0] == current_sql
