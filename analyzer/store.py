"""The corpus database: one SQLite file (``DIR/corpus.db``) that batch mode streams audits into.

One writer (the batch parent process) puts one audit or one error per file; a file's rows are
replaced as a whole when it is audited again (delete then insert, in the same transaction).
Rows are plain columns, so the database reads as is from pandas (``pd.read_sql``), Datasette
or the ``sqlite3`` shell; the full audit dict is kept as JSON text in ``documents.audit_json``.

Exports:
    DB_NAME, STORE_SCHEMA, TABLES, VIEWS, TIMING_COLUMNS -- names and layout
    CorpusStore        -- open/create the database; ``put_audit``, ``put_error``, ``is_current``
    document_id(path)  -- the stable integer id of a document (a hash of its path)
    report_slug(path)  -- the file name stem of a document's HTML report
    settings_hash(settings) -- hash of the settings that decide if a stored audit is current
    rows_digest(db)    -- a sha256 over every row except ids and timing columns (compare runs)
    export(db, fmt, out_dir) -- one CSV or Parquet file per table and view
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sqlite3
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "DB_NAME",
    "STORE_SCHEMA",
    "TABLES",
    "VIEWS",
    "TIMING_COLUMNS",
    "CorpusStore",
    "document_id",
    "report_slug",
    "settings_hash",
    "rows_digest",
    "export",
]

DB_NAME = "corpus.db"
STORE_SCHEMA = "policydiff/corpus-db@1"
TIMING_COLUMNS = frozenset({"audited_at", "seconds", "at"})

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, path_raw BLOB, sha256 TEXT NOT NULL,
    settings_hash TEXT NOT NULL, title TEXT, format TEXT, pages INTEGER,
    model_id TEXT, model_follows TEXT, verdict TEXT,
    n_identical INTEGER, n_editorial INTEGER, n_modified INTEGER, n_missing INTEGER,
    n_moved INTEGER, n_substantive INTEGER, n_additions INTEGER,
    audited_at TEXT, seconds REAL, report_path TEXT, audit_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS provisions (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, model_ref TEXT NOT NULL, model_heading TEXT, status TEXT NOT NULL,
    substantive INTEGER, moved INTEGER, doc_ref TEXT, page INTEGER, line INTEGER,
    similarity REAL, doc_text_hash TEXT, PRIMARY KEY (document_id, seq));
CREATE TABLE IF NOT EXISTS changes (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, model_ref TEXT NOT NULL, category TEXT, direction TEXT,
    substantive INTEGER, model_text TEXT, doc_text TEXT, PRIMARY KEY (document_id, seq));
CREATE TABLE IF NOT EXISTS additions (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, doc_ref TEXT, heading TEXT, text TEXT, page INTEGER, line INTEGER,
    PRIMARY KEY (document_id, seq));
CREATE TABLE IF NOT EXISTS requirements (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    requirement_id TEXT NOT NULL, title TEXT, status TEXT, citation TEXT,
    PRIMARY KEY (document_id, requirement_id));
CREATE TABLE IF NOT EXISTS errors (
    path TEXT PRIMARY KEY, path_raw BLOB, sha256 TEXT, error_code TEXT NOT NULL,
    message TEXT NOT NULL, at TEXT);
CREATE INDEX IF NOT EXISTS provisions_ref ON provisions (model_ref, status);
CREATE INDEX IF NOT EXISTS changes_ref ON changes (model_ref, direction);

CREATE VIEW IF NOT EXISTS provision_stats AS
SELECT d.model_id AS model_id, p.model_ref AS model_ref, MIN(p.seq) AS seq,
       MAX(p.model_heading) AS model_heading, COUNT(*) AS documents,
       SUM(p.status = 'identical') AS identical, SUM(p.status = 'editorial') AS editorial,
       SUM(p.status = 'modified') AS modified, SUM(p.status = 'missing') AS missing,
       SUM(p.substantive) AS substantive, SUM(p.moved) AS moved,
       (SELECT COUNT(DISTINCT c.document_id) FROM changes c JOIN documents d2
          ON d2.id = c.document_id WHERE c.model_ref = p.model_ref
          AND d2.model_id = d.model_id AND c.direction = 'weaker') AS weakened
FROM provisions p JOIN documents d ON d.id = p.document_id
GROUP BY d.model_id, p.model_ref
ORDER BY d.model_id, MIN(p.seq);

CREATE VIEW IF NOT EXISTS requirement_stats AS
SELECT d.model_id AS model_id, r.requirement_id AS requirement_id, MAX(r.title) AS title,
       MAX(r.citation) AS citation, COUNT(*) AS documents,
       SUM(r.status = 'met') AS met, SUM(r.status = 'weakened') AS weakened,
       SUM(r.status = 'missing') AS missing,
       ROUND(1.0 * SUM(r.status = 'met') / COUNT(*), 4) AS compliance_rate
FROM requirements r JOIN documents d ON d.id = r.document_id
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
"""

TABLES: tuple[str, ...] = (
    "documents",
    "provisions",
    "changes",
    "additions",
    "requirements",
    "errors",
)
VIEWS: tuple[str, ...] = ("provision_stats", "requirement_stats", "change_stats", "lineage")

# Stable row order for every table and view (ids are hashes of paths, so stable across runs).
_ORDER = {
    "documents": "id",
    "provisions": "document_id, seq",
    "changes": "document_id, seq",
    "additions": "document_id, seq",
    "requirements": "document_id, requirement_id",
    "errors": "path",
}


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape_control(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{ord(char):02x}")


def display_path(path: str) -> str:
    """``path`` as stored and shown: valid UTF-8 on one printable line. A byte that is not
    UTF-8 (a surrogate escape from the file system, ``caf\\udce9.txt``) is shown as
    ``\\xe9`` and control characters (a newline in a name) as ``\\n``; ordinary paths are
    unchanged. The exact bytes are kept in ``path_raw`` when they differ."""
    text = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL.sub(_escape_control, text)


def one_line(message: str) -> str:
    """``message`` as one printable, valid UTF-8 line (for error rows and the terminal)."""
    text = message.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL.sub(_escape_control, text)


def _path_bytes(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")


def document_id(path: str) -> int:
    """The stable id of the document at ``path``: 52 bits of sha256(path), exact in JS too."""
    return int(hashlib.sha256(_path_bytes(path)).hexdigest()[:13], 16)


def report_slug(path: str) -> str:
    """``<file-stem>-<8 hex of the path hash>``: unique per path, safe as a file name."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(path).stem).strip("-.")[:60] or "document"
    return f"{stem}-{hashlib.sha256(_path_bytes(path)).hexdigest()[:8]}"


def settings_hash(settings: Mapping[str, Any]) -> str:
    """The sha256 (16 hex) of the settings as canonical JSON."""
    text = json.dumps(dict(settings), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _text_hash(text: str | None) -> str | None:
    if text is None:
        return None
    norm = " ".join(text.split()).lower()
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:12]


def _loc(item: Mapping[str, Any]) -> tuple[int | None, int | None]:
    loc = item.get("location") or {}
    return loc.get("page"), loc.get("line")


def connect(db_path: str | Path) -> sqlite3.Connection:
    """Open the database read/write in autocommit mode (transactions are explicit)."""
    conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=30)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


class CorpusStore:
    """The corpus database, opened by its single writer. Use as a context manager."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(db_path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = connect(self.path)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        _add_missing_columns(self.conn)
        self.conn.executescript(_DDL)
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)", (STORE_SCHEMA,)
        )
        self._pending = 0

    def __enter__(self) -> CorpusStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.commit()
        self.conn.close()

    def commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")
        self._pending = 0

    def _begin(self) -> None:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN")

    def _tick(self) -> None:
        # One short transaction per document: the write lock is never held while the batch
        # waits for its workers, so readers and other writers wait milliseconds at most.
        self.commit()

    def is_current(self, path: str, sha256: str, settings: str, *, need_report: bool) -> bool:
        """True when ``path`` is stored OK with this content and these settings."""
        path = display_path(path)
        row = self.conn.execute(
            "SELECT report_path FROM documents WHERE path = ? AND sha256 = ? AND settings_hash = ?",
            (path, sha256, settings),
        ).fetchone()
        if row is None:
            return False
        if need_report:
            # NULL: no report was asked for; "": rendering was tried and failed (don't loop).
            report = row[0]
            return report == "" or (report is not None and (self.path.parent / report).is_file())
        return True

    def _forget(self, path: str) -> None:
        self.conn.execute("DELETE FROM documents WHERE path = ?", (path,))
        self.conn.execute("DELETE FROM errors WHERE path = ?", (path,))

    def put_error(
        self,
        path: str,
        sha256: str | None,
        code: str,
        message: str,
        *,
        raw_path: str | None = None,
    ) -> None:
        """Store the error for ``path``, replacing whatever was stored for it. ``raw_path``:
        the file system name when ``path`` is its ``display_path`` (kept as bytes)."""
        path = display_path(path)
        self._begin()
        self._forget(path)
        self.conn.execute(
            "INSERT INTO errors (path, path_raw, sha256, error_code, message, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (path, _raw(path, raw_path), sha256, code, one_line(message), _now()),
        )
        self._tick()

    def put_audit(
        self,
        path: str,
        sha256: str,
        settings: str,
        audit: Mapping[str, Any],
        *,
        seconds: float,
        report_path: str | None = None,
        raw_path: str | None = None,
    ) -> int:
        """Store one audit dict for ``path``, replacing its old rows; return the document id."""
        path = display_path(path)
        self._begin()
        self._forget(path)
        doc_id = document_id(path)
        row = _document_row(doc_id, path, sha256, settings, audit, seconds, report_path)
        names = (
            "id",
            "path",
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
            "audited_at",
            "seconds",
            "report_path",
            "audit_json",
            "path_raw",
        )
        self.conn.execute(
            f"INSERT INTO documents ({', '.join(names)}) VALUES ({','.join('?' * len(names))})",
            (*row, _raw(path, raw_path)),
        )
        self._insert_children(doc_id, audit)
        self._tick()
        return doc_id

    def _insert_children(self, doc_id: int, audit: Mapping[str, Any]) -> None:
        prov_rows: list[tuple[Any, ...]] = []
        change_rows: list[tuple[Any, ...]] = []
        for seq, p in enumerate(audit.get("provisions", ()), 1):
            page, line = _loc(p)
            prov_rows.append(
                (
                    doc_id,
                    seq,
                    p["model_ref"],
                    p.get("model_heading"),
                    p["status"],
                    int(bool(p.get("substantive"))),
                    int(bool(p.get("moved"))),
                    p.get("doc_ref"),
                    page,
                    line,
                    p.get("similarity"),
                    _text_hash(p.get("doc_text")),
                )
            )
            for c in p.get("changes", ()):
                change_rows.append(
                    (
                        doc_id,
                        len(change_rows) + 1,
                        p["model_ref"],
                        c.get("category"),
                        c.get("direction"),
                        int(bool(c.get("substantive"))),
                        c.get("model_text"),
                        c.get("doc_text"),
                    )
                )
        add_rows = [
            (doc_id, seq, a.get("doc_ref"), a.get("heading"), a.get("text"), *_loc(a))
            for seq, a in enumerate(audit.get("additions", ()), 1)
        ]
        req_rows = [
            (doc_id, r["id"], r.get("title"), r.get("status"), r.get("citation"))
            for r in audit.get("requirements", ())
        ]
        ex = self.conn.executemany
        ex("INSERT INTO provisions VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", prov_rows)
        ex("INSERT INTO changes VALUES (?,?,?,?,?,?,?,?)", change_rows)
        ex("INSERT INTO additions VALUES (?,?,?,?,?,?,?)", add_rows)
        ex("INSERT OR REPLACE INTO requirements VALUES (?,?,?,?,?)", req_rows)


def _json_text(data: Any) -> str:
    """Canonical JSON; ASCII-escaped only when some string would not encode as UTF-8."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return text


def _raw(path: str, raw_path: str | None) -> bytes | None:
    """The file system bytes of a name whose shown form differs from it, else NULL."""
    if raw_path is None or raw_path == path:
        return None
    return _path_bytes(raw_path)


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Bring a database made by an older version up to this layout (columns only added)."""
    for table in ("documents", "errors"):
        cols = {c for c, _ in _columns(conn, table)}
        if cols and "path_raw" not in cols:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN path_raw BLOB")


def _document_row(
    doc_id: int,
    path: str,
    sha256: str,
    settings: str,
    audit: Mapping[str, Any],
    seconds: float,
    report_path: str | None,
) -> tuple[Any, ...]:
    doc = audit.get("document", {})
    model = audit.get("model", {})
    s = audit.get("summary", {})
    audit_json = _json_text(audit)
    return (
        doc_id,
        path,
        sha256,
        settings,
        doc.get("title"),
        doc.get("format"),
        doc.get("pages"),
        model.get("id"),
        model.get("follows"),
        audit.get("verdict"),
        s.get("identical"),
        s.get("editorial"),
        s.get("modified"),
        s.get("missing"),
        s.get("moved"),
        s.get("substantive"),
        s.get("additions"),
        _now(),
        round(seconds, 4),
        report_path,
        audit_json,
    )


def _columns(conn: sqlite3.Connection, name: str) -> list[tuple[str, str]]:
    """(column, declared type) of a table or view."""
    return [(r[1], (r[2] or "").upper()) for r in conn.execute(f"PRAGMA table_info({name})")]


def _select(conn: sqlite3.Connection, name: str, columns: list[str]) -> sqlite3.Cursor:
    order = _ORDER.get(name)
    sql = f"SELECT {', '.join(columns)} FROM {name}"
    return conn.execute(sql + (f" ORDER BY {order}" if order else ""))


def rows_digest(db: str | Path) -> str:
    """sha256 over all rows of all tables, leaving out timing columns; equal for equal work."""
    conn = connect(db)
    try:
        h = hashlib.sha256()
        for name in TABLES:
            cols = [c for c, _ in _columns(conn, name) if c not in TIMING_COLUMNS]
            h.update(f"{name}:{','.join(cols)}\n".encode())
            for row in _select(conn, name, cols):
                h.update(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        return h.hexdigest()
    finally:
        conn.close()


def _batches(cur: sqlite3.Cursor, size: int = 2000) -> Iterator[list[tuple[Any, ...]]]:
    while rows := cur.fetchmany(size):
        yield rows


def _export_csv(conn: sqlite3.Connection, name: str, target: Path) -> int:
    cols = [c for c, _ in _columns(conn, name)]
    n = 0
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(cols)
        for rows in _batches(_select(conn, name, cols)):
            writer.writerows(rows)
            n += len(rows)
    return n


def _arrow_schema(conn: sqlite3.Connection, name: str) -> Any:
    import pyarrow as pa

    kinds = {"INTEGER": pa.int64(), "REAL": pa.float64(), "TEXT": pa.string()}
    fields = []
    for col, decl in _columns(conn, name):
        # Aggregates in views have no declared type: counts are integers, rates are reals.
        default = pa.float64() if col.endswith("rate") else pa.int64()
        kind = kinds.get(decl) or (pa.string() if col in _TEXT_VIEW_COLS else default)
        fields.append(pa.field(col, kind))
    return pa.schema(fields)


_TEXT_VIEW_COLS = frozenset(
    {
        "model_id",
        "model_ref",
        "model_heading",
        "requirement_id",
        "title",
        "citation",
        "category",
        "direction",
        "model_follows",
        "verdict",
    }
)


def _export_parquet(conn: sqlite3.Connection, name: str, target: Path) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "Parquet export needs pyarrow: pip install 'policydiff[parquet]'"
        ) from exc
    schema = _arrow_schema(conn, name)
    n = 0
    with pq.ParquetWriter(str(target), schema) as writer:
        for rows in _batches(_select(conn, name, schema.names)):
            columns = zip(*rows, strict=True)
            arrays = [pa.array(list(c), type=f.type) for c, f in zip(columns, schema, strict=True)]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            n += len(rows)
    return n


def export(db: str | Path, fmt: str, out_dir: str | Path) -> dict[str, Path]:
    """Write one ``<table>.csv`` or ``<table>.parquet`` per table and view; return the paths."""
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown export format {fmt!r}; use csv or parquet")
    target_dir = Path(out_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    writer = _export_csv if fmt == "csv" else _export_parquet
    conn = connect(db)
    try:
        written = {}
        for name in TABLES + VIEWS:
            target = target_dir / f"{name}.{fmt}"
            writer(conn, name, target)
            written[name] = target
        return written
    finally:
        conn.close()
