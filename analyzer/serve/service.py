"""The reviewer's desk operations, shared by the JSON API and the HTML pages: submit an
upload, read a submission with its decisions and verdicts, record a decision, build a letter.

Exports: Desk (the store, the worker pool, the guard and the limits), SubmitError,
NotFound, submit, submission_view, decide, letter_for, queue_rows.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .letter import build_letter, default_settings
from .review import DecisionError, items, latest, reviewer_verdict, target_kind
from .security import Guard, display_name, sniff, too_large_message
from .store import Store
from .worker import WorkerPool

__all__ = [
    "Desk",
    "SubmitError",
    "NotFound",
    "submit",
    "submission_view",
    "decide",
    "letter_for",
    "queue_rows",
]


class SubmitError(Exception):
    """An upload refused before it is stored: ``status`` (400, 413, 415) and a message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class NotFound(LookupError):
    """No submission with that id."""


@dataclass
class Desk:
    store: Store
    pool: WorkerPool | None
    guard: Guard
    max_upload: int
    models: tuple[str, ...]
    _rows: dict[int, tuple[tuple[int, str], dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)


def submit(
    desk: Desk, data: bytes, filename: str | None, *, model: str = "auto", agency: str = ""
) -> tuple[dict[str, Any], bool]:
    """Store the upload (content-addressed) and queue its audit: ``({"id", "status",
    "duplicate_of"?}, created)``. Refused uploads raise SubmitError."""
    name = display_name(filename)
    model = (model or "auto").strip()
    if model != "auto" and model not in desk.models:
        raise SubmitError(
            400, f"unknown model {model[:60]!r}; choose auto or one of {', '.join(desk.models)}"
        )
    agency = " ".join((agency or "").split())[:200]
    if len(data) > desk.max_upload:
        raise SubmitError(413, too_large_message(desk.max_upload))
    if not data.strip():
        raise SubmitError(
            400, f"{name}: the file is empty; export the policy again or pick the right file."
        )
    kind = sniff(data)
    if kind is None:
        if name.lower().endswith((".pdf", ".docx")):
            kind = "pdf" if name.lower().endswith(".pdf") else "docx"  # the engine says why
        else:
            raise SubmitError(
                415,
                f"{name}: the content is not a PDF, DOCX or text document; "
                "upload the policy as PDF, DOCX or plain text.",
            )
    digest = hashlib.sha256(data).hexdigest()
    desk.store.put_blob(digest, data)
    sid, duplicate = desk.store.add_submission(
        sha256=digest, filename=name, kind=kind, size=len(data), agency=agency, model=model
    )
    if desk.pool is not None and not duplicate:
        desk.pool.notify()
    row = desk.store.submission(sid) or {}
    out: dict[str, Any] = {"id": sid, "status": row.get("status", "queued")}
    if duplicate:
        out["duplicate_of"] = sid
    return out, not duplicate


def _get(desk: Desk, submission_id: int) -> dict[str, Any]:
    row = desk.store.submission(submission_id)
    if row is None:
        raise NotFound(submission_id)
    return row


def _public_decision(d: Mapping[str, Any]) -> dict[str, Any]:
    key = "model_ref" if d["kind"] == "provision" else "requirement_id"
    return {
        "id": d["id"],
        key: d["target"],
        "decision": d["decision"],
        "note": d["note"],
        "reviewer": d["reviewer"],
        "created_at": round(float(d["created_at"]), 3),
        "carried_from": d.get("carried_from"),
    }


def review_state(desk: Desk, row: Mapping[str, Any]) -> dict[str, Any]:
    """Items, current decisions and the reviewer's verdict of a finished submission."""
    decisions = desk.store.decisions(int(row["id"]))
    if not row.get("audit"):
        return {"items": [], "decisions": decisions, "verdict": None}
    all_items = items(row["audit"], decisions)
    return {
        "items": all_items,
        "decisions": decisions,
        "verdict": reviewer_verdict(row["audit"], all_items),
    }


def submission_view(desk: Desk, submission_id: int) -> dict[str, Any]:
    """``GET /api/submissions/{id}``."""
    row = _get(desk, submission_id)
    state = review_state(desk, row)
    verdict = state["verdict"] or {}
    current = latest(state["decisions"])
    return {
        "id": row["id"],
        "status": row["status"],
        "error": row["error"],
        "filename": row["filename"],
        "agency": row["agency"],
        "model": row["model"],
        "sha256": row["sha256"],
        "previous_id": row.get("previous_id"),
        "audit": row.get("audit"),
        "decisions": [_public_decision(d) for d in current.values()],
        "decision_history": [_public_decision(d) for d in state["decisions"]],
        "verdict": verdict.get("verdict"),
        "verdict_reasons": verdict.get("reasons", []),
        "tool_verdict": row.get("tool_verdict"),
        "open": verdict.get("open"),
    }


def decide(
    desk: Desk, submission_id: int, payload: Mapping[str, Any], reviewer: str
) -> dict[str, Any]:
    """Record one decision; DecisionError when the payload does not fit the audit."""
    row = _get(desk, submission_id)
    if row["status"] != "done" or not row.get("audit"):
        raise DecisionError(
            f"submission {submission_id} is {row['status']}; decide once it is done"
        )
    kind, target, decision, note = target_kind(row["audit"], payload)
    stored = desk.store.add_decision(
        submission_id,
        kind=kind,
        target=target,
        decision=decision,
        note=note,
        reviewer=" ".join(reviewer.split())[:100],
    )
    return _public_decision(stored)


def letter_for(desk: Desk, submission_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(letter dict, settings)`` for a finished submission."""
    row = _get(desk, submission_id)
    if row["status"] != "done":
        raise DecisionError(f"submission {submission_id} is {row['status']}; no letter yet")
    settings = {**default_settings(row), **desk.store.letter_settings(submission_id)}
    state = review_state(desk, row)
    return build_letter(row, state["items"], settings), settings


def queue_rows(desk: Desk) -> list[dict[str, Any]]:
    """One summary per submission for the queue (cached per number of decisions)."""
    history = desk.store.decisions_by_submission()
    out = []
    for row in desk.store.submissions():
        sid = int(row["id"])
        decisions = history.get(sid, [])
        key = (len(decisions), row["status"])
        with desk._lock:
            seen, cached = desk._rows.get(sid, (None, None))
        if seen != key or cached is None:
            cached = _queue_row(desk, row, decisions)
            with desk._lock:
                desk._rows[sid] = (key, cached)
        out.append(cached)
    return out


def _queue_row(desk: Desk, row: Mapping[str, Any], decisions: list[dict[str, Any]]) -> dict:
    info: dict[str, Any] = {
        **row,
        "model_id": row["model"],
        "title": "",
        "reviewer_verdict": None,
        "open": None,
        "deciders": {},
    }
    for d in decisions:
        info["deciders"][d["reviewer"] or "—"] = info["deciders"].get(d["reviewer"] or "—", 0) + 1
    if row["status"] == "done":
        full = desk.store.submission(int(row["id"])) or {}
        audit = full.get("audit") or {}
        info["model_id"] = (audit.get("model") or {}).get("id", row["model"])
        info["title"] = (audit.get("document") or {}).get("title", "")
        verdict = reviewer_verdict(audit, items(audit, decisions))
        info["reviewer_verdict"], info["open"] = verdict["verdict"], verdict["open"]
    return info
