"""The corpus database: one SQLite file (``DIR/corpus.db``) that batch mode streams audits into.

One writer (the batch parent process) puts one audit or one error per file, each in one short
transaction; a file's rows are replaced as a whole when it is audited again. Rows are plain
columns (layout in ``analyzer.store_schema`` and docs/BATCH.md), so the database reads as is
from pandas, Datasette, R or the ``sqlite3`` shell. The full audit dict is kept in ``audits``,
packed: the model's own text (already in ``model_provisions``) and text repeated inside the
audit are left out, the rest zlib-compressed; ``load_audit`` gives it back exactly.

Exports:
    DB_NAME, STORE_SCHEMA, TABLES, VIEWS, TIMING_COLUMNS -- names and layout (store_schema)
    CorpusStore        -- open/create/upgrade the database; ``put_audit``, ``put_error``,
                          ``is_current``, ``finish`` (labels, duplicates), metadata columns
    load_audit(db, path_or_id) -> dict | None -- the full audit dict of a stored document
    document_id(path)  -- the stable integer id of a document (a hash of its path)
    display_path(path) / one_line(text) -- names and messages as one valid UTF-8 line
    report_slug(path)  -- the file name stem of a document's HTML report
    settings_hash(settings) -- hash of the settings that decide if a stored audit is current
    rows_digest(db), export(db, fmt, out_dir) -- from ``analyzer.store_export``
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from analyzer.store_export import export, rows_digest
from analyzer.store_pack import (
    audit_rows,
    compress,
    json_text,
    load_audit,
    model_rows,
    pack_audit,
    pack_dictionaries,
    packed_json,
    unpack_audit,
)
from analyzer.store_schema import (
    BUILTIN_DOCUMENT_COLUMNS,
    DB_NAME,
    DDL,
    STORE_SCHEMA,
    TABLES,
    TIMING_COLUMNS,
    VIEWS,
    columns,
    connect,
    schema_version,
)
from analyzer.store_texts import (
    TextIds,
    purge_orphans,
    take_v1,
    take_v2,
    upgrade_v2,
    v2_pending,
)
from analyzer.textsafe import display_name

__all__ = [
    "DB_NAME",
    "STORE_SCHEMA",
    "TABLES",
    "VIEWS",
    "TIMING_COLUMNS",
    "CorpusStore",
    "load_audit",
    "pack_audit",
    "unpack_audit",
    "document_id",
    "display_path",
    "one_line",
    "report_slug",
    "settings_hash",
    "rows_digest",
    "export",
]


MIN_DICTIONARY_BYTES = 4_096  # packed JSON of an audit worth learning from
DICTIONARY_BYTES = 16_384  # of it: the measured best on a synthetic corpus (8, 16, 32 KB)


def display_path(path: str) -> str:
    """``path`` as stored and shown: valid UTF-8 on one printable line. A byte that is not
    UTF-8 (a surrogate escape from the file system) is shown as ``\\xe9``, control characters
    (a newline in a name) as ``\\n``; ordinary paths are unchanged. The exact bytes are kept
    in ``path_raw`` when they differ."""
    return display_name(path)


def one_line(message: str) -> str:
    """``message`` as one printable, valid UTF-8 line (for error rows and the terminal)."""
    return display_name(message)


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


class CorpusStore:
    """The corpus database, opened by its single writer. Use as a context manager."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(db_path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = connect(self.path)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        old = schema_version(self.conn)
        legacy = take_v1(self.conn) if old == 1 else None
        if old == 2:
            self._begin()
            take_v2(self.conn, VIEWS)
            self.commit()
        # Views hold no data: made anew in one transaction, so every database gets their latest
        # form (a reader never sees one missing).
        drops = "".join(f"DROP VIEW IF EXISTS {view};\n" for view in VIEWS)
        self.conn.executescript(f"BEGIN IMMEDIATE;\n{drops}{DDL}\nCOMMIT;")
        self._model_texts: dict[str, dict[str, str]] = {}
        self._model_reqs: dict[str, dict[str, tuple[str, str]]] = {}
        self._dictionaries: dict[str | None, tuple[int, bytes]] = {}
        self._text_ids = TextIds(self.conn)
        self._begin()
        if v2_pending(self.conn):  # marked version 3 only once its rows are rebuilt
            upgrade_v2(self.conn, self._put_children, self._unpack_v2)
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)", (STORE_SCHEMA,)
        )
        self.commit()
        if legacy is not None:
            self._upgrade(legacy)

    def _put_children(self, doc_id: int, audit: Mapping[str, Any]) -> None:
        _insert_children(self.conn, doc_id, audit, self._text_ids)

    def _unpack_v2(self, doc_id: int, rows: dict[str, Any]) -> dict[str, Any]:
        model_id, packed = self.conn.execute(
            "SELECT d.model_id, a.packed FROM documents d JOIN audits a "
            "ON a.document_id = d.id WHERE d.id = ?",
            (doc_id,),
        ).fetchone()
        rows = {
            **rows,
            "model_requirements": self.model_requirements(model_id),
            "pack_dictionaries": pack_dictionaries(self.conn),
        }
        return unpack_audit(packed, self.model_texts(model_id), rows)

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

    def _begin(self) -> None:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")

    # -------------------------------------------------------------- reading

    def is_current(self, path: str, sha256: str, settings: str, *, need_report: bool) -> bool:
        """True when ``path`` is stored OK with this content and these settings."""
        row = self.conn.execute(
            "SELECT report_path FROM documents WHERE path = ? AND sha256 = ? AND settings_hash = ?",
            (display_path(path), sha256, settings),
        ).fetchone()
        if row is None:
            return False
        if need_report:
            # NULL: no report was asked for; "": rendering was tried and failed (don't loop).
            report = row[0]
            return report == "" or (report is not None and (self.path.parent / report).is_file())
        return True

    def stored_audit(self, sha256: str, settings: str) -> dict[str, Any] | None:
        """The audit of a stored document with this content and these settings, if any (a
        duplicate file is then stored without auditing it again)."""
        row = self.conn.execute(
            "SELECT d.model_id, a.packed, d.id FROM documents d JOIN audits a "
            "ON a.document_id = d.id WHERE d.sha256 = ? AND d.settings_hash = ? "
            "ORDER BY d.path LIMIT 1",
            (sha256, settings),
        ).fetchone()
        if row is None:
            return None
        return unpack_audit(row[1], self.model_texts(row[0]), audit_rows(self.conn, row[2]))

    def model_texts(self, model_id: str | None) -> dict[str, str]:
        """``model_ref -> text`` of a model, from ``model_provisions`` (filled on first use)."""
        if model_id is None:
            return {}
        if model_id not in self._model_texts:
            if not self.conn.execute(
                "SELECT 1 FROM model_provisions WHERE model_id = ? LIMIT 1", (model_id,)
            ).fetchone():
                prov_rows, req_rows = model_rows(model_id)
                self._begin()
                ex = self.conn.executemany
                ex("INSERT OR IGNORE INTO model_provisions VALUES (?,?,?,?,?,?,?,?)", prov_rows)
                ex("INSERT OR IGNORE INTO model_requirements VALUES (?,?,?,?,?)", req_rows)
                self.commit()
            self._model_texts[model_id] = dict(
                self.conn.execute(
                    "SELECT model_ref, text FROM model_provisions WHERE model_id = ?", (model_id,)
                ).fetchall()
            )
        return self._model_texts[model_id]

    def model_requirements(self, model_id: str | None) -> dict[str, tuple[str, str]]:
        """``requirement_id -> (title, citation)`` of a model (after ``model_texts``)."""
        if model_id is None:
            return {}
        if model_id not in self._model_reqs:
            self.model_texts(model_id)
            self._model_reqs[model_id] = {
                rid: (title, citation)
                for rid, title, citation in self.conn.execute(
                    "SELECT requirement_id, title, citation FROM model_requirements "
                    "WHERE model_id = ?",
                    (model_id,),
                )
            }
        return self._model_reqs[model_id]

    def builtin_columns(self) -> tuple[str, ...]:
        return BUILTIN_DOCUMENT_COLUMNS

    def metadata_columns(self) -> list[str]:
        """The metadata columns of ``documents``, in the order they were added."""
        return [c for c, _ in columns(self.conn, "documents") if c not in BUILTIN_DOCUMENT_COLUMNS]

    # -------------------------------------------------------------- writing

    def _forget(self, path: str) -> dict[str, Any]:
        """Delete ``path``'s rows; return its metadata values (kept across re-audits)."""
        meta_cols = self.metadata_columns()
        kept: dict[str, Any] = {}
        if meta_cols:
            row = self.conn.execute(
                f"SELECT {', '.join(meta_cols)} FROM documents WHERE path = ?", (path,)
            ).fetchone()
            if row is not None:
                kept = {c: v for c, v in zip(meta_cols, row, strict=True) if v is not None}
        self.conn.execute("DELETE FROM documents WHERE path = ?", (path,))
        self.conn.execute("DELETE FROM errors WHERE path = ?", (path,))
        return kept

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
        self.commit()

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
        model_id = (audit.get("model") or {}).get("id")
        model_texts = self.model_texts(model_id)
        raw = packed_json(audit, model_texts, self.model_requirements(model_id))
        packed = compress(raw, self._dictionary(model_id, raw))
        self._begin()
        kept = self._forget(path)
        doc_id = document_id(path)
        row = _document_row(doc_id, path, sha256, settings, audit, seconds, report_path)
        row.update(kept, path_raw=_raw(path, raw_path))
        names = list(row)
        self.conn.execute(
            f"INSERT INTO documents ({', '.join(names)}) VALUES ({','.join('?' * len(names))})",
            [row[n] for n in names],
        )
        self.conn.execute("INSERT INTO audits VALUES (?, ?)", (doc_id, packed))
        _insert_children(self.conn, doc_id, audit, self._text_ids)
        self.commit()
        return doc_id

    def _dictionary(self, model_id: str | None, raw: bytes) -> tuple[int, bytes] | None:
        """The compression dictionary for audits against ``model_id``: the first stored, or,
        when there is none yet, the head of this audit's packed JSON if it is large enough to
        teach the next ones (a near-empty audit would be a poor dictionary: plain zlib until
        then). The head, not the tail: deflate reaches back 32 KB, so only a dictionary's last
        bytes before that horizon help, and the next audit starts as this one does."""
        if model_id not in self._dictionaries:
            row = self.conn.execute(
                "SELECT id, data FROM pack_dictionaries WHERE model_id IS ? ORDER BY id LIMIT 1",
                (model_id,),
            ).fetchone()
            if row is None:
                if len(raw) < MIN_DICTIONARY_BYTES:
                    return None
                self._begin()
                cur = self.conn.execute(
                    "INSERT INTO pack_dictionaries (model_id, data) VALUES (?, ?)",
                    (model_id, raw[:DICTIONARY_BYTES]),
                )
                self.commit()
                row = (int(cur.lastrowid or 0), raw[:DICTIONARY_BYTES])
            self._dictionaries[model_id] = (int(row[0]), bytes(row[1]))
        return self._dictionaries[model_id]

    def add_metadata_columns(self, names: list[str]) -> None:
        existing = {c for c, _ in columns(self.conn, "documents")}
        for name in names:
            if name not in existing:
                self.conn.execute(f'ALTER TABLE documents ADD COLUMN "{name}"')
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('metadata_columns', ?)",
            (json.dumps(self.metadata_columns()),),
        )

    def set_metadata(self, path: str, values: Mapping[str, Any], *, label: Any = None) -> None:
        if label is not None:
            values = {**values, "meta_label": str(label)}
            self.add_metadata_columns(["meta_label"])
        if not values:
            return
        sets = ", ".join(f'"{c}" = ?' for c in values)
        self._begin()
        self.conn.execute(f"UPDATE documents SET {sets} WHERE path = ?", [*values.values(), path])

    def finish(self, *, vacuum: bool = False) -> None:
        """After a run: give every document a unique readable label and mark duplicates;
        ``vacuum``: then rewrite the file compactly (rows arrive in random id order, so
        pages are left part-empty; worth it after a large run)."""
        self._begin()
        _relabel(self.conn, "meta_label" in self.metadata_columns())
        self.conn.execute(
            "UPDATE documents SET duplicate_of = (SELECT MIN(d2.id) FROM documents d2 WHERE "
            "d2.sha256 = documents.sha256 AND d2.path = (SELECT MIN(d3.path) FROM documents d3 "
            "WHERE d3.sha256 = documents.sha256)) "
        )
        self.conn.execute("UPDATE documents SET duplicate_of = NULL WHERE duplicate_of = id")
        purge_orphans(self.conn)
        self._text_ids.cache.clear()
        self.commit()
        if vacuum:
            self.conn.execute("VACUUM")

    def _upgrade(self, legacy: list[tuple[Any, ...]]) -> None:
        """Rebuild the rows of a version-1 database from the audit JSON it kept."""
        for path, sha256, settings, audit_json, seconds, report_path in legacy:
            self.put_audit(
                path,
                sha256,
                settings,
                json.loads(audit_json),
                seconds=seconds or 0.0,
                report_path=report_path,
            )
        self.finish()


def _relabel(conn: sqlite3.Connection, use_meta: bool) -> None:
    """Labels: the metadata label or the file stem; where two documents would share one,
    the parent folder is put in front, then a short path hash behind. Deterministic: it
    depends only on the set of stored paths."""
    pick = "COALESCE(meta_label, '')" if use_meta else "''"
    rows = conn.execute(f"SELECT id, path, {pick} FROM documents ORDER BY path").fetchall()

    def first(path: str, given: str) -> str:
        return given or Path(path).stem or Path(path).name

    def second(path: str, given: str) -> str:
        return f"{Path(path).parent.name}/{first(path, given)}"

    labels: dict[int, str] = {}
    todo = [(i, p, g) for i, p, g in rows]
    for make in (first, second):
        counts: dict[str, int] = {}
        for _, p, g in todo:
            counts[make(p, g)] = counts.get(make(p, g), 0) + 1
        rest = []
        for i, p, g in todo:
            if counts[make(p, g)] == 1:
                labels[i] = make(p, g)
            else:
                rest.append((i, p, g))
        todo = rest
    for i, p, g in todo:
        labels[i] = f"{second(p, g)} ({hashlib.sha256(_path_bytes(p)).hexdigest()[:6]})"
    current = dict(conn.execute("SELECT id, label FROM documents").fetchall())
    changed = [(i, lab) for i, lab in labels.items() if current.get(i) != lab]
    conn.executemany("UPDATE documents SET label = NULL WHERE id = ?", [(i,) for i, _ in changed])
    conn.executemany(
        "UPDATE documents SET label = ? WHERE id = ?", [(lab, i) for i, lab in changed]
    )


def _raw(path: str, raw_path: str | None) -> bytes | None:
    """The file system bytes of a name whose shown form differs from it, else NULL."""
    if raw_path is None or raw_path == path:
        return None
    return _path_bytes(raw_path)


def _deviation_hash(audit: Mapping[str, Any]) -> str | None:
    """A hash of the document's deviations from the model (provision, status, wording):
    documents with equal hashes deviate identically (near-duplicates)."""
    tokens = sorted(
        f"{p.get('model_ref')}|{p.get('status')}|{_text_hash(p.get('doc_text'))}"
        for p in audit.get("provisions") or ()
        if p.get("status") != "identical"
    )
    model_id = (audit.get("model") or {}).get("id")
    if not tokens:
        return None
    return hashlib.sha1(f"{model_id}\n{chr(10).join(tokens)}".encode()).hexdigest()[:16]


def _document_row(
    doc_id: int,
    path: str,
    sha256: str,
    settings: str,
    audit: Mapping[str, Any],
    seconds: float,
    report_path: str | None,
) -> dict[str, Any]:
    doc = audit.get("document", {})
    model = audit.get("model", {})
    s = audit.get("summary", {})
    reqs = audit.get("requirements") or ()
    return {
        "id": doc_id,
        "path": path,
        "sha256": sha256,
        "settings_hash": settings,
        "title": doc.get("title"),
        "format": doc.get("format"),
        "pages": doc.get("pages"),
        "model_id": model.get("id"),
        "model_follows": model.get("follows"),
        "verdict": audit.get("verdict"),
        "n_identical": s.get("identical"),
        "n_editorial": s.get("editorial"),
        "n_modified": s.get("modified"),
        "n_missing": s.get("missing"),
        "n_moved": s.get("moved"),
        "n_substantive": s.get("substantive"),
        "n_additions": s.get("additions"),
        "n_needs_review": s.get("needs_review", s.get("needs-review")),
        "n_requirements": len(reqs),
        "n_requirements_met": sum(1 for r in reqs if r.get("status") == "met"),
        "deviation_hash": _deviation_hash(audit),
        "audited_at": _now(),
        "seconds": round(seconds, 4),
        "report_path": report_path,
    }


def _evidence_text(evidence: Any) -> str | None:
    """Evidence as one compact line: ``model ref -> document ref (p. N, l. M)`` per item."""
    parts = []
    for e in evidence or ():
        if not isinstance(e, dict):
            continue
        page, line = _loc(e)
        where = f" (p. {page}, l. {line})" if page is not None else ""
        target = e.get("doc_ref") or e.get("kind") or ""
        parts.append(f"{e.get('model_ref') or '-'} -> {target}{where}".strip())
    return "; ".join(parts) or None


def _insert_children(
    conn: sqlite3.Connection,
    doc_id: int,
    audit: Mapping[str, Any],
    text_id: Callable[[Any], int | None],
) -> None:
    prov_rows: list[tuple[Any, ...]] = []
    change_rows: list[tuple[Any, ...]] = []
    for seq, p in enumerate(audit.get("provisions", ()), 1):
        page, line = _loc(p)
        prov_rows.append(
            (
                doc_id,
                seq,
                p["model_ref"],
                p["status"],
                int(bool(p.get("substantive"))),
                int(bool(p.get("moved"))),
                p.get("doc_ref"),
                page,
                line,
                p.get("similarity"),
                None if p["status"] == "identical" else _text_hash(p.get("doc_text")),
            )
        )
        for c in p.get("changes", ()):
            c_page, c_line = _loc(c) if c.get("location") else (page, line)
            effect = c.get("effect")
            change_rows.append(
                (
                    doc_id,
                    len(change_rows) + 1,
                    p["model_ref"],
                    c.get("doc_ref", p.get("doc_ref")),
                    c_page,
                    c_line,
                    c.get("category"),
                    c.get("direction"),
                    effect if effect is None or isinstance(effect, str) else json_text(effect),
                    int(bool(c.get("substantive"))),
                    text_id(c.get("explanation")),
                    text_id(c.get("model_text")),
                    text_id(c.get("doc_text")),
                )
            )
    add_rows = [
        (doc_id, seq, a.get("doc_ref"), a.get("heading"), text_id(a.get("text")), *_loc(a))
        for seq, a in enumerate(audit.get("additions", ()), 1)
    ]
    req_rows = [
        (
            doc_id,
            r["id"],
            r.get("status"),
            text_id(None if r.get("status") == "met" else r.get("explanation")),
            text_id(_evidence_text(r.get("evidence"))),
        )
        for r in audit.get("requirements", ())
    ]
    ex = conn.executemany
    ex("INSERT INTO provisions VALUES (?,?,?,?,?,?,?,?,?,?,?)", prov_rows)
    ex("INSERT INTO change_rows VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", change_rows)
    ex("INSERT INTO addition_rows VALUES (?,?,?,?,?,?,?)", add_rows)
    ex("INSERT OR REPLACE INTO requirement_rows VALUES (?,?,?,?,?)", req_rows)
