"""The layout of the corpus database (``corpus.db``): tables, views, version, connections.

Version 3 (``policydiff/corpus-db@3``): each distinct long text (change explanations and
texts, addition texts, requirement explanations and evidence) is stored once in ``texts``;
``changes``, ``additions`` and ``requirements`` are views with the version-2 columns over the
slim ``change_rows``, ``addition_rows`` and ``requirement_rows``; the packed audits are
deflated with a dictionary (``pack_dictionaries``: per model, the head of an earlier audit's
packed JSON). A version-2 database is upgraded in place (its rows rebuilt from its packed
audits; its plain-zlib blobs still read).
Version 2 (``policydiff/corpus-db@2``): the model's provisions and requirements in their own
tables (``model_provisions``, ``model_requirements``), slim per-document rows that join to
them, locations on changes, explanation and evidence on requirements, metadata columns and a
unique label on documents, the full audit packed and compressed in ``audits``, and views for
the common questions. A version-1 database is upgraded in place when opened by the writer
(``CorpusStore``): its rows are rebuilt from the audit JSON it kept.

Exports:
    DB_NAME, STORE_SCHEMA, SCHEMA_VERSION, DDL, TABLES, VIEWS, ORDER, TIMING_COLUMNS
    BASE_TABLES -- the slim tables and ``texts`` behind the views changes/additions/requirements
    BUILTIN_DOCUMENT_COLUMNS -- the documents columns that are not metadata
    connect(db) -> sqlite3.Connection
    columns(conn, name) -> [(column, declared type)]
    schema_version(conn) -> int (0: empty database)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = [
    "DB_NAME",
    "STORE_SCHEMA",
    "SCHEMA_VERSION",
    "DDL",
    "TABLES",
    "VIEWS",
    "BASE_TABLES",
    "ORDER",
    "TIMING_COLUMNS",
    "BUILTIN_DOCUMENT_COLUMNS",
    "connect",
    "columns",
    "schema_version",
]

DB_NAME = "corpus.db"
SCHEMA_VERSION = 3
STORE_SCHEMA = f"policydiff/corpus-db@{SCHEMA_VERSION}"
TIMING_COLUMNS = frozenset({"audited_at", "seconds", "at"})

BUILTIN_DOCUMENT_COLUMNS: tuple[str, ...] = (
    "id",
    "label",
    "path",
    "path_raw",
    "sha256",
    "settings_hash",
    "title",
    "format",
    "pages",
    "model_id",
    "model_follows",
    "verdict",
    "n_identical",
    "n_editorial",
    "n_modified",
    "n_missing",
    "n_moved",
    "n_substantive",
    "n_additions",
    "n_needs_review",
    "n_requirements",
    "n_requirements_met",
    "deviation_hash",
    "duplicate_of",
    "audited_at",
    "seconds",
    "report_path",
)

DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY, label TEXT UNIQUE, path TEXT NOT NULL UNIQUE, path_raw BLOB,
    sha256 TEXT NOT NULL, settings_hash TEXT NOT NULL, title TEXT, format TEXT,
    pages INTEGER, model_id TEXT, model_follows TEXT, verdict TEXT,
    n_identical INTEGER, n_editorial INTEGER, n_modified INTEGER, n_missing INTEGER,
    n_moved INTEGER, n_substantive INTEGER, n_additions INTEGER, n_needs_review INTEGER,
    n_requirements INTEGER, n_requirements_met INTEGER, deviation_hash TEXT,
    duplicate_of INTEGER, audited_at TEXT, seconds REAL, report_path TEXT);
CREATE TABLE IF NOT EXISTS audits (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    packed BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS pack_dictionaries (
    id INTEGER PRIMARY KEY, model_id TEXT, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS model_provisions (
    model_id TEXT NOT NULL, model_ref TEXT NOT NULL, seq INTEGER NOT NULL, heading TEXT,
    section TEXT, text TEXT, requirement_ids TEXT, citations TEXT,
    PRIMARY KEY (model_id, model_ref)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS model_requirements (
    model_id TEXT NOT NULL, requirement_id TEXT NOT NULL, title TEXT, citation TEXT,
    provisions TEXT, PRIMARY KEY (model_id, requirement_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS provisions (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, model_ref TEXT NOT NULL, status TEXT NOT NULL,
    substantive INTEGER, moved INTEGER, doc_ref TEXT, page INTEGER, line INTEGER,
    similarity REAL, doc_text_hash TEXT, PRIMARY KEY (document_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS texts (
    id INTEGER PRIMARY KEY, hash INTEGER NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS texts_hash ON texts (hash);
CREATE TABLE IF NOT EXISTS change_rows (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, model_ref TEXT NOT NULL, doc_ref TEXT, page INTEGER, line INTEGER,
    category TEXT, direction TEXT, effect TEXT, substantive INTEGER,
    explanation_id INTEGER, model_text_id INTEGER, doc_text_id INTEGER,
    PRIMARY KEY (document_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS addition_rows (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, doc_ref TEXT, heading TEXT, text_id INTEGER, page INTEGER,
    line INTEGER, PRIMARY KEY (document_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS requirement_rows (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    requirement_id TEXT NOT NULL, status TEXT, explanation_id INTEGER, evidence_id INTEGER,
    PRIMARY KEY (document_id, requirement_id)) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS changes AS
SELECT c.document_id AS document_id, c.seq AS seq, c.model_ref AS model_ref,
       c.doc_ref AS doc_ref, c.page AS page, c.line AS line, c.category AS category,
       c.direction AS direction, c.effect AS effect, c.substantive AS substantive,
       e.text AS explanation, m.text AS model_text, t.text AS doc_text
FROM change_rows c LEFT JOIN texts e ON e.id = c.explanation_id
LEFT JOIN texts m ON m.id = c.model_text_id LEFT JOIN texts t ON t.id = c.doc_text_id;
CREATE VIEW IF NOT EXISTS additions AS
SELECT a.document_id AS document_id, a.seq AS seq, a.doc_ref AS doc_ref,
       a.heading AS heading, t.text AS text, a.page AS page, a.line AS line
FROM addition_rows a LEFT JOIN texts t ON t.id = a.text_id;
CREATE VIEW IF NOT EXISTS requirements AS
SELECT r.document_id AS document_id, r.requirement_id AS requirement_id, r.status AS status,
       e.text AS explanation, v.text AS evidence
FROM requirement_rows r LEFT JOIN texts e ON e.id = r.explanation_id
LEFT JOIN texts v ON v.id = r.evidence_id;
CREATE TABLE IF NOT EXISTS errors (
    path TEXT PRIMARY KEY, path_raw BLOB, sha256 TEXT, error_code TEXT NOT NULL,
    message TEXT NOT NULL, at TEXT);
CREATE INDEX IF NOT EXISTS documents_sha ON documents (sha256);

CREATE VIEW IF NOT EXISTS provision_stats AS
WITH counts AS (
  SELECT d.model_id AS model_id, p.model_ref AS model_ref, MIN(p.seq) AS seq,
         COUNT(*) AS documents, SUM(p.status = 'identical') AS identical,
         SUM(p.status = 'editorial') AS editorial, SUM(p.status = 'modified') AS modified,
         SUM(p.status = 'missing') AS missing, SUM(p.substantive) AS substantive,
         SUM(p.moved) AS moved
  FROM provisions p JOIN documents d ON d.id = p.document_id
  GROUP BY d.model_id, p.model_ref),
weaker AS (
  SELECT d.model_id AS model_id, c.model_ref AS model_ref,
         COUNT(DISTINCT c.document_id) AS weakened
  FROM change_rows c JOIN documents d ON d.id = c.document_id
  WHERE c.direction = 'weaker' GROUP BY d.model_id, c.model_ref)
SELECT n.model_id AS model_id, n.model_ref AS model_ref, n.seq AS seq, m.section AS section,
       m.text AS model_text, n.documents AS documents, n.identical AS identical,
       n.editorial AS editorial, n.modified AS modified, n.missing AS missing,
       n.substantive AS substantive, n.moved AS moved, COALESCE(w.weakened, 0) AS weakened
FROM counts n
LEFT JOIN model_provisions m ON m.model_id = n.model_id AND m.model_ref = n.model_ref
LEFT JOIN weaker w ON w.model_id = n.model_id AND w.model_ref = n.model_ref
ORDER BY n.model_id, n.seq;

CREATE VIEW IF NOT EXISTS requirement_stats AS
SELECT d.model_id AS model_id, r.requirement_id AS requirement_id, MAX(m.title) AS title,
       MAX(m.citation) AS citation, COUNT(*) AS documents,
       SUM(r.status = 'met') AS met, SUM(r.status = 'weakened') AS weakened,
       SUM(r.status = 'missing') AS missing,
       ROUND(1.0 * SUM(r.status = 'met') / COUNT(*), 4) AS compliance_rate
FROM requirements r JOIN documents d ON d.id = r.document_id
LEFT JOIN model_requirements m ON m.model_id = d.model_id
     AND m.requirement_id = r.requirement_id
GROUP BY d.model_id, r.requirement_id
ORDER BY d.model_id, r.requirement_id;

CREATE VIEW IF NOT EXISTS change_stats AS
SELECT d.model_id AS model_id, c.category AS category, c.direction AS direction,
       COUNT(*) AS changes, SUM(c.substantive) AS substantive,
       COUNT(DISTINCT c.document_id) AS documents
FROM changes c JOIN documents d ON d.id = c.document_id
GROUP BY d.model_id, c.category, c.direction
ORDER BY d.model_id, c.category, c.direction;

CREATE VIEW IF NOT EXISTS lineage AS
SELECT model_follows, model_id, verdict, COUNT(*) AS documents
FROM documents GROUP BY model_follows, model_id, verdict
ORDER BY model_follows, model_id, verdict;

CREATE VIEW IF NOT EXISTS provision_status AS
SELECT d.label AS document, d.id AS document_id, d.model_id AS model_id,
       p.model_ref AS model_ref, m.section AS section, p.status AS status,
       p.substantive AS substantive, p.moved AS moved, p.doc_ref AS doc_ref,
       p.page AS page, p.line AS line, m.text AS model_text
FROM provisions p JOIN documents d ON d.id = p.document_id
LEFT JOIN model_provisions m ON m.model_id = d.model_id AND m.model_ref = p.model_ref;

CREATE VIEW IF NOT EXISTS most_dropped AS
SELECT model_id, model_ref, section, model_text, documents, missing,
       ROUND(1.0 * missing / documents, 4) AS missing_rate
FROM provision_stats WHERE missing > 0
ORDER BY missing DESC, model_id, seq;

CREATE VIEW IF NOT EXISTS weakened_obligations AS
SELECT d.label AS document, d.id AS document_id, d.model_id AS model_id,
       c.model_ref AS model_ref, c.doc_ref AS doc_ref, c.page AS page, c.line AS line,
       c.category AS category, c.effect AS effect, c.explanation AS explanation,
       c.model_text AS model_text, c.doc_text AS doc_text
FROM changes c JOIN documents d ON d.id = c.document_id
WHERE c.direction = 'weaker'
ORDER BY d.label, c.seq;

CREATE VIEW IF NOT EXISTS duplicate_groups AS
SELECT 'same content' AS kind, sha256 AS key, COUNT(*) AS documents,
       GROUP_CONCAT(label, ' | ') AS labels
FROM documents GROUP BY sha256 HAVING COUNT(*) > 1
UNION ALL
SELECT 'same deviations from the model', deviation_hash, COUNT(*), GROUP_CONCAT(label, ' | ')
FROM documents WHERE deviation_hash IS NOT NULL
GROUP BY deviation_hash HAVING COUNT(*) > 1 AND COUNT(DISTINCT sha256) > 1
ORDER BY 3 DESC, 2;
"""

# The slim tables behind the views ``changes``, ``additions`` and ``requirements``.
BASE_TABLES: tuple[str, ...] = ("change_rows", "addition_rows", "requirement_rows", "texts")
TABLES: tuple[str, ...] = (
    "documents",
    "provisions",
    "changes",
    "additions",
    "requirements",
    "errors",
    "model_provisions",
    "model_requirements",
)
VIEWS: tuple[str, ...] = (
    "provision_stats",
    "requirement_stats",
    "change_stats",
    "lineage",
    "provision_status",
    "most_dropped",
    "weakened_obligations",
    "duplicate_groups",
)

# Stable row order for every table (ids are hashes of paths, so stable across runs).
ORDER = {
    "documents": "id",
    "provisions": "document_id, seq",
    "changes": "document_id, seq",
    "additions": "document_id, seq",
    "requirements": "document_id, requirement_id",
    "errors": "path",
    "model_provisions": "model_id, seq",
    "model_requirements": "model_id, requirement_id",
    "audits": "document_id",
}


def connect(db_path: str | Path) -> sqlite3.Connection:
    """Open the database read/write in autocommit mode (transactions are explicit)."""
    conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=30)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def columns(conn: sqlite3.Connection, name: str) -> list[tuple[str, str]]:
    """(column, declared type) of a table or view."""
    return [(r[1], (r[2] or "").upper()) for r in conn.execute(f"PRAGMA table_info({name})")]


def schema_version(conn: sqlite3.Connection) -> int:
    """The version of the database's layout: 0 when empty, 1 for the first layout."""
    if not columns(conn, "documents"):
        return 0
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except sqlite3.OperationalError:
        return 1
    if row is None:
        return 1
    return int(str(row[0]).rsplit("@", 1)[-1] or 1)
