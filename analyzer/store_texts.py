"""Long texts of the corpus database stored once: the ``texts`` table and its users.

Change explanations and texts, addition texts, requirement explanations and evidence recur
across a corpus (policies copy each other, and one edit of one provision reads the same in
every document that makes it). Each distinct text is one ``texts`` row (found through a
64-bit hash, compared in full); ``change_rows``, ``addition_rows`` and ``requirement_rows``
hold its id, and the views ``changes``, ``additions`` and ``requirements`` give the text back.

Exports:
    TextIds(conn)              -- ``ids(text) -> id | None``: the row of a text, added when new
    text_hash(text) -> int     -- the signed 64-bit hash stored in ``texts.hash``
    purge_orphans(conn)        -- delete texts no row refers to any more
    V2_TABLES                  -- the version-2 tables that became views
    take_v1(conn) -> rows       -- a version-1 database's audits; its old tables dropped
    take_v2(conn, views)       -- rename a version-2 database's tables out of the views' way
    v2_pending(conn) -> bool   -- renamed version-2 tables wait for upgrade_v2
    upgrade_v2(conn, put)      -- move their rows into the slim tables, then drop them
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from typing import Any

__all__ = [
    "TextIds",
    "text_hash",
    "purge_orphans",
    "V2_TABLES",
    "take_v1",
    "take_v2",
    "v2_pending",
    "upgrade_v2",
]

_CACHE_LIMIT = 50_000  # texts remembered by the writer (memory stays flat in a long run)
V2_TABLES = ("changes", "additions", "requirements")
_REFS = (
    ("change_rows", "explanation_id"),
    ("change_rows", "model_text_id"),
    ("change_rows", "doc_text_id"),
    ("addition_rows", "text_id"),
    ("requirement_rows", "explanation_id"),
    ("requirement_rows", "evidence_id"),
)


def text_hash(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class TextIds:
    """The ``texts`` row id of a text, adding the row when the text is new."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.cache: dict[str, int] = {}

    def __call__(self, text: Any) -> int | None:
        if not isinstance(text, str):
            return None
        hit = self.cache.get(text)
        if hit is not None:
            return hit
        h = text_hash(text)
        row = self.conn.execute(
            "SELECT id FROM texts WHERE hash = ? AND text = ?", (h, text)
        ).fetchone()
        if row is None:
            cur = self.conn.execute("INSERT INTO texts (hash, text) VALUES (?, ?)", (h, text))
            row = (cur.lastrowid,)
        if len(self.cache) >= _CACHE_LIMIT:
            self.cache.clear()
        self.cache[text] = int(row[0])
        return int(row[0])


def purge_orphans(conn: sqlite3.Connection) -> None:
    """Delete the texts no row refers to (left by documents audited again or removed)."""
    used = " UNION ".join(
        f"SELECT {col} FROM {table} WHERE {col} IS NOT NULL" for table, col in _REFS
    )
    conn.execute(f"DELETE FROM texts WHERE id NOT IN ({used})")


def take_v1(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Read a version-1 database's audits, then drop its old tables and views."""
    rows = conn.execute(
        "SELECT path, sha256, settings_hash, audit_json, seconds, report_path FROM documents"
    ).fetchall()
    for view in ("provision_stats", "requirement_stats", "change_stats", "lineage"):
        conn.execute(f"DROP VIEW IF EXISTS {view}")
    for table in ("provisions", "changes", "additions", "requirements", "documents"):
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    for index in ("provisions_ref", "changes_ref"):
        conn.execute(f"DROP INDEX IF EXISTS {index}")
    return rows


def take_v2(conn: sqlite3.Connection, views: tuple[str, ...]) -> None:
    """Drop a version-2 database's views (they name the old tables) and rename the tables that
    become views to ``v2_<name>`` (read by ``upgrade_v2``)."""
    for view in views:
        conn.execute(f"DROP VIEW IF EXISTS {view}")
    for table in V2_TABLES:
        kind = conn.execute("SELECT type FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        if kind == ("table",):  # not yet renamed (an interrupted upgrade renamed it already)
            conn.execute(f"ALTER TABLE {table} RENAME TO v2_{table}")


def v2_pending(conn: sqlite3.Connection) -> bool:
    """True while a version-2 database's old tables wait for ``upgrade_v2``."""
    return (
        conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'v2_changes'").fetchone() is not None
    )


def upgrade_v2(
    conn: sqlite3.Connection,
    put_children: Callable[[int, dict[str, Any]], None],
    unpack: Callable[[int, dict[str, Any]], dict[str, Any]],
) -> None:
    """Rebuild every document's rows from its packed audit and its version-2 rows, one
    document at a time (memory stays flat), then drop the version-2 tables. Safe to run
    again after an interruption (each document's rows are replaced)."""
    names = ("model_text", "doc_text", "explanation")
    for (doc_id,) in conn.execute("SELECT id FROM documents ORDER BY id").fetchall():
        for table in ("provisions", "change_rows", "addition_rows", "requirement_rows"):
            conn.execute(f"DELETE FROM {table} WHERE document_id = ?", (doc_id,))
        changes = [
            dict(zip(names, r, strict=True))
            for r in conn.execute(
                "SELECT model_text, doc_text, explanation FROM v2_changes "
                "WHERE document_id = ? ORDER BY seq",
                (doc_id,),
            )
        ]
        explanations = dict(
            conn.execute(
                "SELECT requirement_id, explanation FROM v2_requirements WHERE document_id = ?",
                (doc_id,),
            ).fetchall()
        )
        audit = unpack(doc_id, {"changes": changes, "requirements": explanations})
        put_children(doc_id, audit)
    for table in V2_TABLES:
        conn.execute(f"DROP TABLE v2_{table}")
