"""The reviewer's desk store: SQLite under ``--data`` plus content-addressed file blobs.

The schema is versioned with ``PRAGMA user_version``; ``MIGRATIONS`` upgrades an older
database in place, so an upgrade keeps every submission and decision. Uploaded bytes are
stored under ``blobs/<sha256[:2]>/<sha256>``: the uploaded filename is only ever a column,
never part of a path.

Exports: SCHEMA_VERSION, MIGRATIONS, Store (submissions, decisions, letter settings, blobs),
DECISIONS, STATUSES.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["SCHEMA_VERSION", "MIGRATIONS", "Store", "DECISIONS", "STATUSES"]

DECISIONS = ("accept", "dismiss", "needs-review")
STATUSES = ("queued", "running", "done", "failed")

MIGRATIONS: tuple[str, ...] = (
    # 1: submissions and the decision history
    """
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL,
        filename TEXT NOT NULL,
        kind TEXT NOT NULL,
        size INTEGER NOT NULL,
        agency TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT 'auto',
        status TEXT NOT NULL DEFAULT 'queued',
        error TEXT,
        created_at REAL NOT NULL,
        finished_at REAL,
        audit_json TEXT,
        tool_verdict TEXT
    );
    CREATE INDEX submissions_sha ON submissions(sha256);
    CREATE INDEX submissions_status ON submissions(status);
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        submission_id INTEGER NOT NULL REFERENCES submissions(id),
        kind TEXT NOT NULL,
        target TEXT NOT NULL,
        decision TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL
    );
    CREATE INDEX decisions_submission ON decisions(submission_id);
    """,
    # 2: resubmissions (previous version, compare JSON, carried decisions), letter settings
    """
    ALTER TABLE submissions ADD COLUMN agency_key TEXT NOT NULL DEFAULT '';
    ALTER TABLE submissions ADD COLUMN previous_id INTEGER;
    ALTER TABLE submissions ADD COLUMN compare_json TEXT;
    ALTER TABLE submissions ADD COLUMN started_at REAL;
    ALTER TABLE decisions ADD COLUMN carried_from INTEGER;
    UPDATE submissions SET agency_key = lower(trim(agency));
    CREATE INDEX submissions_agency ON submissions(agency_key);
    CREATE TABLE letters (
        submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
        settings_json TEXT NOT NULL,
        updated_at REAL NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_SUMMARY_COLUMNS = (
    "id, sha256, filename, kind, size, agency, model, status, error, created_at, "
    "started_at, finished_at, tool_verdict, previous_id"
)


def agency_key(agency: str) -> str:
    return " ".join(agency.lower().split())


class Store:
    """One SQLite database and one blob folder under ``data``; safe to share across threads
    (one connection per thread, writes in short IMMEDIATE transactions)."""

    def __init__(self, data: str | os.PathLike[str]) -> None:
        self.root = Path(data)
        self.blobs = self.root / "blobs"
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.path = self.root / "policydiff-serve.db"
        self._local = threading.local()
        with self._write() as db:
            self._migrate(db)

    # ------------------------------------------------------------ connections

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db = db
        return db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"{self.path}: database schema {version} is newer than this policydiff "
                f"({SCHEMA_VERSION}); upgrade policydiff or use another --data folder."
            )
        for number in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[number].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {number + 1}")

    def schema_version(self) -> int:
        return int(self._db().execute("PRAGMA user_version").fetchone()[0])

    # ------------------------------------------------------------ blobs

    def blob_path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256 digest")
        return self.blobs / sha256[:2] / sha256

    def put_blob(self, sha256: str, data: bytes) -> Path:
        path = self.blob_path(sha256)
        if path.exists():
            return path
        path.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
        return path

    # ------------------------------------------------------------ submissions

    def add_submission(
        self, *, sha256: str, filename: str, kind: str, size: int, agency: str, model: str
    ) -> tuple[int, bool]:
        """Insert a queued submission; ``(id, False)``, or ``(existing id, True)`` when the
        same bytes were already submitted with the same model and did not fail."""
        with self._write() as db:
            row = db.execute(
                "SELECT id FROM submissions WHERE sha256 = ? AND model = ? AND status != 'failed'"
                " ORDER BY id LIMIT 1",
                (sha256, model),
            ).fetchone()
            if row:
                return int(row["id"]), True
            cur = db.execute(
                "INSERT INTO submissions (sha256, filename, kind, size, agency, agency_key, model,"
                " status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?)",
                (sha256, filename, kind, size, agency, agency_key(agency), model, time.time()),
            )
            return int(cur.lastrowid or 0), False

    def claim_next(self) -> dict[str, Any] | None:
        """Mark the oldest queued submission running and return it (None if none)."""
        with self._write() as db:
            row = db.execute(
                "SELECT id FROM submissions WHERE status = 'queued' ORDER BY id LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE submissions SET status = 'running', started_at = ? WHERE id = ?",
                (time.time(), row["id"]),
            )
        return self.submission(int(row["id"]))

    def requeue_interrupted(self) -> int:
        """Submissions left running by a stopped server go back to the queue."""
        with self._write() as db:
            return db.execute(
                "UPDATE submissions SET status = 'queued' WHERE status = 'running'"
            ).rowcount

    def previous_reviewed(self, submission: dict[str, Any]) -> dict[str, Any] | None:
        """The latest earlier finished submission of the same agency (reviewed ones first)."""
        if not submission["agency_key"]:
            return None
        row = (
            self._db()
            .execute(
                "SELECT s.id, EXISTS(SELECT 1 FROM decisions d WHERE d.submission_id = s.id)"
                " AS reviewed"
                " FROM submissions s WHERE s.agency_key = ? AND s.id < ? AND s.status = 'done'"
                " AND s.sha256 != ? ORDER BY reviewed DESC, s.id DESC LIMIT 1",
                (submission["agency_key"], submission["id"], submission["sha256"]),
            )
            .fetchone()
        )
        return self.submission(int(row["id"])) if row else None

    def finish(
        self,
        submission_id: int,
        *,
        audit: dict[str, Any] | None = None,
        error: str | None = None,
        compare: dict[str, Any] | None = None,
        previous_id: int | None = None,
    ) -> None:
        status = "failed" if error is not None else "done"
        with self._write() as db:
            db.execute(
                "UPDATE submissions SET status = ?, error = ?, audit_json = ?, tool_verdict = ?,"
                " compare_json = ?, previous_id = ?, finished_at = ? WHERE id = ?",
                (
                    status,
                    error,
                    json.dumps(audit, ensure_ascii=False) if audit is not None else None,
                    (audit or {}).get("verdict"),
                    json.dumps(compare, ensure_ascii=False) if compare is not None else None,
                    previous_id,
                    time.time(),
                    submission_id,
                ),
            )

    def submission(self, submission_id: int) -> dict[str, Any] | None:
        row = (
            self._db()
            .execute("SELECT * FROM submissions WHERE id = ?", (submission_id,))
            .fetchone()
        )
        if row is None:
            return None
        data = dict(row)
        for key in ("audit_json", "compare_json"):
            raw = data.pop(key)
            data[key.removesuffix("_json")] = json.loads(raw) if raw else None
        return data

    def submissions(self) -> list[dict[str, Any]]:
        rows = (
            self._db()
            .execute(f"SELECT {_SUMMARY_COLUMNS} FROM submissions ORDER BY id DESC")
            .fetchall()
        )
        return [dict(r) for r in rows]

    def counts(self) -> dict[str, int]:
        rows = self._db().execute("SELECT status, count(*) FROM submissions GROUP BY status")
        return {status: int(n) for status, n in rows}

    # ------------------------------------------------------------ decisions

    def add_decision(
        self,
        submission_id: int,
        *,
        kind: str,
        target: str,
        decision: str,
        note: str,
        reviewer: str,
        carried_from: int | None = None,
    ) -> dict[str, Any]:
        with self._write() as db:
            cur = db.execute(
                "INSERT INTO decisions (submission_id, kind, target, decision, note, reviewer,"
                " created_at, carried_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (submission_id, kind, target, decision, note, reviewer, time.time(), carried_from),
            )
            row = db.execute("SELECT * FROM decisions WHERE id = ?", (cur.lastrowid,)).fetchone()
        return dict(row)

    def decisions(self, submission_id: int) -> list[dict[str, Any]]:
        """Every decision on the submission, oldest first (the history)."""
        rows = (
            self._db()
            .execute(
                "SELECT * FROM decisions WHERE submission_id = ? ORDER BY id", (submission_id,)
            )
            .fetchall()
        )
        return [dict(r) for r in rows]

    def decisions_by_submission(self) -> dict[int, list[dict[str, Any]]]:
        out: dict[int, list[dict[str, Any]]] = {}
        for row in self._db().execute("SELECT * FROM decisions ORDER BY id"):
            out.setdefault(int(row["submission_id"]), []).append(dict(row))
        return out

    # ------------------------------------------------------------ letter settings

    def letter_settings(self, submission_id: int) -> dict[str, Any]:
        row = (
            self._db()
            .execute("SELECT settings_json FROM letters WHERE submission_id = ?", (submission_id,))
            .fetchone()
        )
        return json.loads(row[0]) if row else {}

    def set_letter_settings(self, submission_id: int, settings: dict[str, Any]) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO letters (submission_id, settings_json, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(submission_id) DO UPDATE SET settings_json = excluded.settings_json,"
                " updated_at = excluded.updated_at",
                (submission_id, json.dumps(settings, sort_keys=True), time.time()),
            )
