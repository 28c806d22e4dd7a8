"""policydiff serve's JSON API against the real server on 127.0.0.1 (one server per module):
Lakeville through the API, decisions, letters in three formats, tokens, limits, hostile
uploads, duplicates, resubmissions, a worker crash, 20 concurrent uploads and a restart."""

from __future__ import annotations

import io
import os
import re
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bench.serve_client import ROOT, Server, multipart

TOKEN = "test-token-" + "x" * 20
LAKEVILLE = (ROOT / "corpus" / "lakeville-pd-417.txt").read_bytes()
NOTIFY = "R07-public-notification"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    srv = Server(tmp_path_factory.mktemp("serve") / "data", token=TOKEN).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def lakeville(server: Server) -> dict[str, Any]:
    reply = server.upload("lakeville-pd-417.txt", LAKEVILLE, agency="Lakeville Police Department")
    assert reply.status == 201, reply.text
    return server.wait(reply.json()["id"])


def requirement(data: dict[str, Any], rid: str) -> dict[str, Any]:
    return next(r for r in data["audit"]["requirements"] if r["id"] == rid)


def test_api_without_token_is_401_and_wrong_token_403(server: Server) -> None:
    assert server.get("/api/submissions", auth=False).status == 401
    assert server.get("/api/submissions", auth=False).headers["www-authenticate"] == "Bearer"
    wrong = server.get("/api/submissions", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 403


def test_lakeville_through_the_api_public_notification_unmet(lakeville: dict[str, Any]) -> None:
    assert lakeville["status"] == "done" and lakeville["error"] is None
    assert lakeville["audit"]["schema"] == "policydiff/audit@1"
    assert requirement(lakeville, NOTIFY)["status"] in ("missing", "needs-review")
    assert lakeville["tool_verdict"] == lakeville["audit"]["verdict"]
    assert lakeville["verdict"] == "pending" and lakeville["open"] > 0
    assert lakeville["decisions"] == []


def test_decision_recorded_and_reviewer_verdict_recomputed(
    server: Server, lakeville: dict[str, Any]
) -> None:
    sid = lakeville["id"]
    reply = server.post_json(
        f"/api/submissions/{sid}/decisions",
        {
            "requirement_id": NOTIFY,
            "decision": "accept",
            "note": "No notification <b>process</b>",
            "reviewer": "A. Reviewer",
        },
    )
    assert reply.status == 201, reply.text
    assert reply.json()["requirement_id"] == NOTIFY
    data = server.get(f"/api/submissions/{sid}").json()
    assert data["decisions"][0]["decision"] == "accept"
    assert data["decisions"][0]["reviewer"] == "A. Reviewer"
    assert data["verdict"] == "not-substantially-similar"
    assert any("public notification" in r for r in data["verdict_reasons"])


def test_decision_payloads_are_validated(server: Server, lakeville: dict[str, Any]) -> None:
    path = f"/api/submissions/{lakeville['id']}/decisions"
    assert server.post_json(path, {"model_ref": "IV.A", "decision": "maybe"}).status == 400
    assert server.post_json(path, {"model_ref": "nope", "decision": "accept"}).status == 400
    assert server.post_json(path, {"decision": "accept"}).status == 400
    bad = server.request("POST", path, body=b"{", headers={"Content-Type": "application/json"})
    assert bad.status == 400
    assert (
        server.post_json(
            "/api/submissions/99999/decisions", {"model_ref": "IV.A", "decision": "accept"}
        ).status
        == 404
    )


def _letter_checks(text: str) -> None:
    assert "626.8482" in text
    assert "The Lakeville Police Department will work with impacted schools" in text
    assert "page 1, line 25" in text


def test_letter_in_three_formats_cites_statute_and_quotes_nearest_text(
    server: Server, lakeville: dict[str, Any]
) -> None:
    import pypdfium2
    from docx import Document

    sid = lakeville["id"]
    server.post_json(
        f"/api/submissions/{sid}/decisions",
        {"requirement_id": NOTIFY, "decision": "accept", "note": "add it"},
    )
    md = server.get(f"/submissions/{sid}/letter.md")
    assert md.status == 200 and md.headers["content-type"].startswith("text/markdown")
    _letter_checks(md.text.replace("\\", ""))
    assert "Correction requested" in md.text and "Sincerely" in md.text
    docx = server.get(f"/submissions/{sid}/letter.docx")
    assert docx.status == 200
    doc = Document(io.BytesIO(docx.body))
    _letter_checks("\n".join(p.text for p in doc.paragraphs))
    assert any(p.style.name.startswith("Heading") for p in doc.paragraphs)
    pdf = server.get(f"/submissions/{sid}/letter.pdf")
    assert pdf.body.startswith(b"%PDF-")
    document = pypdfium2.PdfDocument(pdf.body)
    text = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    _letter_checks(re.sub(r"\s+", " ", text))


def test_upload_over_the_limit_is_413(server: Server) -> None:
    reply = server.upload("big.txt", b"I. PURPOSE\n" + b"a" * 1_200_000)
    assert reply.status == 413
    assert "--max-upload-mb" in reply.json()["error"]


def test_type_by_content_binary_named_txt_is_refused(server: Server) -> None:
    reply = server.upload("policy.txt", os.urandom(4096) + b"\x00" * 64)
    assert reply.status == 415
    assert "policy.txt" in reply.json()["error"]


def test_corrupt_pdf_becomes_failed_submission_with_engine_message(server: Server) -> None:
    reply = server.upload("scan.pdf", b"%PDF-1.7\n" + os.urandom(2048))
    assert reply.status == 201
    data = server.wait(reply.json()["id"])
    assert data["status"] == "failed"
    assert re.match(r"E1\d\d scan\.pdf: ", data["error"]), data["error"]
    assert "\n" not in data["error"] and "Traceback" not in data["error"]


def test_same_file_twice_is_recognised(server: Server, lakeville: dict[str, Any]) -> None:
    again = server.upload("renamed.txt", LAKEVILLE, agency="Lakeville Police Department")
    assert again.status == 200
    assert again.json() == {
        "id": lakeville["id"],
        "status": "done",
        "duplicate_of": lakeville["id"],
    }
    page = server.get(f"/submissions/{lakeville['id']}?duplicate=1")
    assert "This file was uploaded before" in page.text


def test_hostile_filename_and_text_are_escaped_and_never_a_path(server: Server) -> None:
    hostile = b"I. PURPOSE\nA. <script>alert('x')</script> The agency shall adopt a policy.\n"
    reply = server.upload(
        "../../etc/<img src=x onerror=alert(1)>.txt", hostile, agency="<b>Evil</b> PD"
    )
    sid = reply.json()["id"]
    data = server.wait(sid)
    assert data["filename"] == "<img src=x onerror=alert(1)>.txt"
    blobs = [p.name for p in (server.data / "blobs").rglob("*") if p.is_file()]
    assert all(re.fullmatch(r"[0-9a-f]{64}", name) for name in blobs)
    page = server.get(f"/submissions/{sid}")
    assert page.status == 200
    assert "<img src=x" not in page.text and "<script>alert" not in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    queue = server.get("/")
    assert "<b>Evil</b>" not in queue.text and "&lt;b&gt;Evil&lt;/b&gt;" in queue.text


def test_security_headers_on_pages_and_api(server: Server) -> None:
    for path in ("/", "/api/health"):
        headers = server.get(path).headers
        assert "default-src 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"


def test_pages_need_login_and_forms_need_csrf(server: Server) -> None:
    page = server.get("/", auth=False)
    assert page.status == 303 and page.headers["location"].startswith("/login")
    login = server.get("/login", auth=False)
    cookie = re.search(r"pd_csrf=([0-9a-f]+)", login.headers["set-cookie"]).group(1)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', login.text).group(1)
    body, ctype = multipart({"token": TOKEN, "next": "/", "csrf": "0" * 64}, {})
    forged = server.request(
        "POST",
        "/login",
        body=body,
        auth=False,
        headers={"Content-Type": ctype, "Cookie": f"pd_csrf={cookie}"},
    )
    assert forged.status == 403
    body, ctype = multipart({"token": TOKEN, "next": "//evil.example/", "csrf": csrf}, {})
    ok = server.request(
        "POST",
        "/login",
        body=body,
        auth=False,
        headers={"Content-Type": ctype, "Cookie": f"pd_csrf={cookie}"},
    )
    assert ok.status == 303 and ok.headers["location"] == "/"
    session = re.search(r"pd_session=([^;]+)", ok.headers["set-cookie"]).group(1)
    cookies = f"pd_csrf={cookie}; pd_session={session}"
    assert server.get("/", auth=False, headers={"Cookie": cookies}).status == 200
    body, ctype = multipart({"kind": "requirement", "target": NOTIFY, "decision": "dismiss"}, {})
    no_csrf = server.request(
        "POST",
        "/submissions/1/decisions",
        body=body,
        auth=False,
        headers={"Content-Type": ctype, "Cookie": cookies},
    )
    assert no_csrf.status == 403
    cross = server.upload("x.txt", b"I. A\n", headers={"Origin": "http://evil.example"})
    assert cross.status == 403


def test_resubmission_compares_and_carries_decisions_on_unchanged(
    server: Server, lakeville: dict[str, Any]
) -> None:
    text = LAKEVILLE.decode("utf-8")
    edited = re.sub(r"\bshall define\b", "may define", text, count=1)
    assert edited != text
    reply = server.upload("lakeville-v2.txt", edited.encode(), agency="lakeville police department")
    data = server.wait(reply.json()["id"])
    assert data["previous_id"] == lakeville["id"]
    carried = {d.get("requirement_id") or d.get("model_ref"): d for d in data["decisions"]}
    assert carried[NOTIFY]["carried_from"] == lakeville["id"]
    assert "R01-duties" not in carried  # the edited requirement is decided afresh
    page = server.get(f"/submissions/{data['id']}")
    assert "What changed since #" in page.text


def test_worker_crash_fails_that_submission_and_the_rest_continue(server: Server) -> None:
    workers = server.get("/api/health").json()["workers"]
    pids = [w["pid"] for w in workers]
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        reply = server.upload("crash.txt", LAKEVILLE + b"\nA. The SRO shall crash here.\n")
        sid = reply.json()["id"]
        server.wait(sid, until=("running",))
        start = time.monotonic()  # the audit cannot progress, yet the pages answer
        assert server.get("/").status == 200 and server.get("/api/health").status == 200
        assert time.monotonic() - start < 5
        busy = next(
            w["pid"] for w in server.get("/api/health").json()["workers"] if w["busy"] == sid
        )
        os.kill(busy, signal.SIGKILL)
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
    data = server.wait(sid)
    assert data["status"] == "failed"
    assert "crash.txt: the audit worker stopped unexpectedly (killed by signal 9)" in data["error"]
    after = server.upload("after.txt", LAKEVILLE + b"\nA. The SRO shall continue.\n")
    assert server.wait(after.json()["id"])["status"] == "done"


def test_twenty_concurrent_uploads_all_complete_once(server: Server) -> None:
    head = b"\n".join(LAKEVILLE.splitlines()[:60])
    replies: list[Any] = [None] * 20

    def send(i: int) -> None:
        replies[i] = server.upload(f"p{i}.txt", head + f"\nA. Clause {i} shall apply.\n".encode())

    threads = [threading.Thread(target=send, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [r.json()["id"] for r in replies]
    assert all(r.status == 201 for r in replies) and len(set(ids)) == 20
    done = [server.wait(i)["status"] for i in ids]
    assert done == ["done"] * 20
    listing = server.get("/api/submissions").json()["submissions"]
    assert sum(1 for s in listing if s["filename"].startswith("p") and s["id"] in ids) == 20


def test_restart_keeps_submissions_and_decisions(server: Server, lakeville: dict[str, Any]) -> None:
    before = server.get(f"/api/submissions/{lakeville['id']}").json()
    count = len(server.get("/api/submissions").json()["submissions"])
    server.restart()
    after = server.get(f"/api/submissions/{lakeville['id']}").json()
    assert after["decisions"] == before["decisions"] and after["decisions"]
    assert after["verdict"] == before["verdict"] == "not-substantially-similar"
    assert len(server.get("/api/submissions").json()["submissions"]) == count


def test_no_secret_in_logs(server: Server) -> None:
    time.sleep(0.1)
    assert TOKEN not in Path(server.log).read_text()
