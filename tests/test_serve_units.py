"""The reviewer's desk without a server: schema migrations, content sniffing, safe names,
the decision rules (old and new audit fields), carry-over and the letter's escaping."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from analyzer.serve.letter import build_letter, render_markdown
from analyzer.serve.review import (
    deficient,
    items,
    provision_state,
    reviewer_verdict,
    unchanged_targets,
)
from analyzer.serve.security import display_name, sniff
from analyzer.serve.store import MIGRATIONS, SCHEMA_VERSION, Store
from analyzer.serve.worker import engine_name


def test_upgrade_from_schema_1_keeps_old_submissions(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "policydiff-serve.db")
    db.executescript(MIGRATIONS[0])
    db.execute(
        "INSERT INTO submissions (sha256, filename, kind, size, agency, status, created_at)"
        " VALUES ('ab', 'old.txt', 'text', 3, ' Old  PD ', 'done', 1.0)"
    )
    db.execute(
        "INSERT INTO decisions (submission_id, kind, target, decision, created_at)"
        " VALUES (1, 'provision', 'IV.A', 'accept', 2.0)"
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    store = Store(tmp_path)
    assert store.schema_version() == SCHEMA_VERSION
    row = store.submission(1)
    assert row is not None and row["filename"] == "old.txt" and row["agency_key"] == "old  pd"
    assert store.decisions(1)[0]["target"] == "IV.A"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "policydiff-serve.db")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(RuntimeError, match="newer than this policydiff"):
        Store(tmp_path)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"I. PURPOSE\nThe agency shall.", "text"),
        (b"\xff\xfeI\x00.\x00", "text"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(100), None),
        (b"PK\x03\x04not a zip", None),
    ],
)
def test_sniff_types_by_content(data: bytes, kind: str | None) -> None:
    assert sniff(data) == kind


def test_display_name_strips_paths_and_controls() -> None:
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("C:\\Users\\x\\policy.pdf") == "policy.pdf"
    assert display_name("a\x00b\u202ec.txt") == "abc.txt"
    assert display_name("...") == "upload"
    assert len(display_name("x" * 500)) == 120


def test_engine_name_takes_the_content_suffix() -> None:
    assert engine_name("policy.pdf", "text") == "policy.txt"
    assert engine_name("notes.md", "text") == "notes.md"
    assert engine_name("scan", "pdf") == "scan.pdf"


def _provision(ref: str, status: str = "modified", **extra: Any) -> dict[str, Any]:
    return {
        "model_ref": ref,
        "model_heading": "",
        "status": status,
        "substantive": True,
        "moved": False,
        "doc_ref": "1",
        "doc_text": f"text of {ref}",
        "model_text": "m",
        "changes": [],
        "redline": [],
        "explanation": "",
        "candidate": None,
        "location": {"page": 1, "line": 3, "end_page": 1, "end_line": 3},
        **extra,
    }


def test_provision_state_reads_old_direction_and_new_effect() -> None:
    old = _provision(
        "A", changes=[{"category": "modality", "direction": "weaker", "substantive": True}]
    )
    assert provision_state(old) == "weakened"
    new = _provision(
        "A",
        changes=[
            {
                "category": "modality",
                "direction": "weaker",
                "substantive": True,
                "effect": "equivalent",
            }
        ],
    )
    assert provision_state(new) == "modified"
    review = _provision("A", changes=[{"category": "scope", "effect": "needs-review"}])
    assert provision_state(review) == "needs-review"
    assert provision_state(_provision("A", status="missing")) == "missing"
    assert provision_state(_provision("A", status="identical", substantive=False)) == "ok"


def _audit(req_status: str = "missing") -> dict[str, Any]:
    return {
        "verdict": "not-substantially-similar",
        "summary": {"provisions": 40},
        "model": {"statute": "Minn. Stat. 626.8482", "title": "Model"},
        "document": {"title": "Policy"},
        "provisions": [
            _provision(
                "IV.A.1.iv",
                status="missing",
                doc_text=None,
                candidate={
                    "doc_ref": "3.6",
                    "text": "near <text>",
                    "similarity": 0.4,
                    "location": {"page": 2, "line": 5},
                },
            )
        ],
        "requirements": [
            {
                "id": "R07",
                "title": "Notify",
                "citation": "Minn. Stat. 626.8482, subd. 5(b)(1)",
                "status": req_status,
                "explanation": "",
                "evidence": [],
                "provisions": ["IV.A.1.iv"],
            }
        ],
    }


def _decide(all_items: list[dict[str, Any]], target: str, decision: str) -> None:
    for item in all_items:
        if item["target"] == target:
            item["decision"] = {"decision": decision, "note": "n *x*", "reviewer": "r"}
            item["open"] = decision == "needs-review"


def test_reviewer_verdict_pending_until_decided_then_follows_decisions() -> None:
    audit = _audit()
    all_items = items(audit, [])
    assert reviewer_verdict(audit, all_items)["verdict"] == "pending"
    _decide(all_items, "R07", "accept")
    assert deficient(next(i for i in all_items if i["target"] == "R07"))
    assert reviewer_verdict(audit, all_items)["verdict"] == "not-substantially-similar"
    _decide(all_items, "R07", "dismiss")
    _decide(all_items, "IV.A.1.iv", "dismiss")
    assert reviewer_verdict(audit, all_items)["verdict"] == "substantially-similar"


def test_needs_review_requirement_status_counts_as_unmet() -> None:
    audit = _audit("needs-review")
    all_items = items(audit, [])
    _decide(all_items, "R07", "accept")
    assert reviewer_verdict(audit, all_items)["verdict"] == "not-substantially-similar"


def test_unchanged_targets_only_where_the_text_is_the_same() -> None:
    old, new = _audit(), _audit()
    assert unchanged_targets(old, new) == {("provision", "IV.A.1.iv"), ("requirement", "R07")}
    new["provisions"][0] = _provision("IV.A.1.iv", status="editorial", substantive=False)
    new["requirements"][0]["status"] = "met"
    assert unchanged_targets(old, new) == set()


def test_letter_quotes_nearest_text_and_escapes_markdown() -> None:
    audit = _audit()
    all_items = items(audit, [])
    _decide(all_items, "R07", "accept")
    submission = {
        "id": 1,
        "agency": "Evil <b>PD</b>",
        "filename": "p.txt",
        "created_at": 0.0,
        "audit": audit,
    }
    settings = {
        "addressee": "Chief",
        "date": "2026-12-01",
        "deadline": "2026-12-31",
        "signer": "S",
        "signer_title": "T",
    }
    letter = build_letter(submission, all_items, settings)
    entry = letter["sections"][0]["entries"][0]
    assert entry["citation"].startswith("Minn. Stat. 626.8482")
    assert entry["quote"] == "near <text>" and entry["where"] == "page 2, line 5"
    assert entry["quote_label"].startswith("Nearest text")
    text = render_markdown(letter)
    assert "near &lt;text&gt;" in text and "<b>" not in text and "n \\*x\\*" in text
    assert "December 31, 2026" in text


def test_letter_says_not_found_without_any_text() -> None:
    audit = _audit()
    audit["provisions"][0]["candidate"] = None
    all_items = items(audit, [])
    _decide(all_items, "R07", "accept")
    letter = build_letter({"id": 1, "audit": audit}, all_items, {"deadline": "2027-01-05"})
    assert letter["sections"][0]["entries"][0]["quote"].startswith("not found")


def _render_review(audit: dict[str, Any]) -> str:
    from analyzer.serve.pages import environment

    all_items = items(audit, [])
    submission = {
        "id": 7,
        "status": "done",
        "filename": "<x>.txt",
        "agency": "A",
        "kind": "text",
        "model": "auto",
        "previous_id": None,
    }
    return (
        environment()
        .get_template("review.html")
        .render(
            s=submission,
            audit=audit,
            verdict=reviewer_verdict(audit, all_items),
            requirements=[i for i in all_items if i["kind"] == "requirement"],
            findings=[i for i in all_items if i["kind"] == "provision"],
            compare=None,
            changed=[],
            carried=0,
            csrf="c",
            reviewer="",
            login=False,
            duplicate=False,
        )
    )


def test_review_page_reads_new_document_fields_when_present() -> None:
    audit = {
        **_audit(),
        "verdict_reasons": [],
        "model": {
            "id": "post-sro",
            "note": "",
            "statute": "Minn. Stat. 626.8482",
            "title": "Model",
        },
    }
    audit["document"] = {"title": "T <script>"}
    html = _render_review(audit)
    assert "page furniture" not in html and "attachment" not in html
    assert "T &lt;script&gt;" in html and "&lt;x&gt;.txt" in html
    audit["document"] = {
        "title": "T",
        "removed_lines": [{"page": 1}, {"page": 2}],
        "attachment": {"title": "Attachment A"},
    }
    html = _render_review(audit)
    assert "2 lines were set aside as page furniture" in html
    assert "The document has an attachment: Attachment A" in html


def test_submissions_left_running_are_queued_again(tmp_path: Path) -> None:
    store = Store(tmp_path)
    sid, duplicate = store.add_submission(
        sha256="a" * 64, filename="p.txt", kind="text", size=1, agency="", model="auto"
    )
    assert not duplicate
    assert store.claim_next()["id"] == sid  # type: ignore[index]
    assert store.claim_next() is None
    assert Store(tmp_path).requeue_interrupted() == 1
    assert store.submission(sid)["status"] == "queued"  # type: ignore[index]


@pytest.mark.parametrize(
    ("location", "table", "letter"),
    [
        (None, "—", ""),
        ({"page": 2, "line": 5}, "p. 2, line 5", "page 2, line 5"),
        ({"page": 1, "line": 154, "end_line": 156}, "p. 1, lines 154–156", "page 1, lines 154-156"),
        (
            {"page": 2, "line": 40, "end_page": 3, "end_line": 2},
            "p. 2, line 40 – p. 3, line 2",
            "page 2, line 40 to page 3, line 2",
        ),
    ],
)
def test_locations_read_the_same_in_tables_and_letters(
    location: dict[str, int] | None, table: str, letter: str
) -> None:
    from analyzer.render import where
    from analyzer.serve.letter import where_words

    assert where(location) == table
    assert where_words(location) == letter
