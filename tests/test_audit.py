"""The audit on the real corpus: the issue's acceptance, as a reviewer would check it."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from analyzer.api import audit_path, audit_text
from analyzer.report import to_json

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@cache
def _audit(name: str, model: str) -> dict[str, Any]:
    return audit_path(CORPUS / name, model=model)


def _prov(data: dict[str, Any], ref: str) -> dict[str, Any]:
    return next(p for p in data["provisions"] if p["model_ref"] == ref)


def _cats(p: dict[str, Any], substantive: bool = True) -> set[str]:
    return {c["category"] for c in p["changes"] if c["substantive"] == substantive}


def test_every_model_provision_once() -> None:
    data = _audit("hutchinson-pd-1003.txt", "post-sro")
    refs = [p["model_ref"] for p in data["provisions"]]
    assert len(refs) == len(set(refs)) == 71
    assert refs[0] == "I.1" and refs[-1] == "IV.H.2"


def test_lakeville_public_notification_missing_with_candidate() -> None:
    data = _audit("lakeville-pd-417.txt", "post-sro")
    p = _prov(data, "IV.A.1.iv")
    assert p["status"] == "missing" and p["doc_ref"] is None and p["substantive"]
    cand = p["candidate"]
    assert cand is not None and "transparent with the public" in cand["text"]
    assert "IV.A.1.iv" in " ".join(data["verdict_reasons"])
    assert [q["model_ref"] for q in data["provisions"] if q["status"] == "missing"] == ["IV.A.1.iv"]


def test_lakeville_training_course_made_mandatory() -> None:
    p = _prov(_audit("lakeville-pd-417.txt", "post-sro"), "IV.G.2")
    assert p["status"] == "modified" and p["substantive"]
    modality = [c for c in p["changes"] if c["category"] == "modality"]
    assert modality and modality[0]["direction"] == "stronger"
    assert (modality[0]["model_text"], modality[0]["doc_text"]) == ("may", "must")
    assert p["location"]["line"] == 152


def test_lakeville_additions_and_entity_swaps() -> None:
    data = _audit("lakeville-pd-417.txt", "post-sro")
    added = {a["doc_ref"]: a for a in data["additions"]}
    assert "417.10.1" in added and added["417.10.1"]["text"].startswith("When school is not")
    # entity swaps are never substantive: MSS, Lakeville Police Department, Chief of Police
    for ref in ("III.A", "IV.G.6", "IV.H.2", "IV.E.1"):
        p = _prov(data, ref)
        assert p["status"] in ("identical", "editorial"), (ref, p["changes"])
    entity = [c for c in _prov(data, "IV.H.2")["changes"] if c["category"] == "entity"]
    assert entity and entity[0]["doc_text"] == "the Lakeville Police Department"


def test_hutchinson_citation_and_typos() -> None:
    data = _audit("hutchinson-pd-1003.txt", "post-sro")
    assert data["verdict"] == "substantially-similar"
    assert data["summary"]["missing"] == 0
    g4 = _prov(data, "IV.G.4")
    cite = [c for c in g4["changes"] if c["category"] == "citation"]
    assert cite and cite[0]["model_text"] == "a" and cite[0]["doc_text"] == "1"
    typo = _prov(data, "IV.E.2.i")
    assert typo["status"] == "editorial" and _cats(typo, False) == {"wording"}
    assert [p["model_ref"] for p in data["provisions"] if p["substantive"]] == ["IV.G.4"]


def test_alexandria_attachment_carries_the_model() -> None:
    """The POST model carried as an attachment is reported, and the agency's own policy
    (436.1-436.9) is what gets judged: no provision is matched inside the copy."""
    data = _audit("alexandria-pd-436.txt", "post-sro")
    att = data["document"]["attachment"]
    assert att["model"] == "post-sro" and att["judged"] == "body"
    assert att["ref"] == "Attachment" and att["location"]["line"] == 96
    assert att["completeness"] >= 0.95 and att["title"] == "SRO Model Policy.pdf"
    refs = [p["doc_ref"] for p in data["provisions"] if p["doc_ref"]]
    assert refs and not any(r.startswith("Attachment") for r in refs)
    assert not any(a["doc_ref"].startswith("Attachment") for a in data["additions"])
    assert data["summary"]["missing"] > 30  # a Lexipol policy, not the model
    assert "436.4.1.1" in {a["doc_ref"] for a in data["additions"]}  # the duty-hours section
    assert "carries as an attachment" in data["verdict_reasons"][0]
    assert data["verdict"] == "not-substantially-similar"


def test_attachment_only_document_judges_the_copy() -> None:
    """A cover note adopting the model attached to it: the copy is judged (the document has
    no policy text of its own) and reported as judged."""
    model = (ROOT / "model_policy" / "post-sro.txt").read_text(encoding="utf-8")
    cover = (
        "Policy 9\n\n9.1 PURPOSE\n\nThe Example Police Department adopts the attached model "
        "policy as its SRO policy.\n\nAttachments\n\nSRO Model Policy.pdf\n\n"
    )
    data = audit_text(cover + model, model="post-sro")
    att = data["document"]["attachment"]
    assert att is not None and att["judged"] == "attachment"
    assert data["summary"]["missing"] == 0


def test_no_attachment_is_null() -> None:
    data = _audit("lakeville-pd-417.txt", "post-sro")
    assert data["document"]["attachment"] is None


def test_st_louis_park_against_507_5() -> None:
    data = _audit("st-louis-park-isd283-507.5.txt", "msba-507.5")
    missing = {p["model_ref"] for p in data["provisions"] if p["status"] == "missing"}
    assert {"IV.B", "IV.D"} <= missing
    texts = " ".join(a["text"] for a in data["additions"])
    assert "prone restraint" in texts and "data practices" in texts
    assert "confidential workspace" in texts
    v_d = _prov(data, "V.D")  # "sixty (60)" against "60" is no change
    assert not any("60" in c["model_text"] + c["doc_text"] for c in v_d["changes"])


def test_district_policy_against_post_model_gets_one_note() -> None:
    data = _audit("st-louis-park-isd283-507.5.txt", "post-sro")
    assert data["model"]["follows"] == "msba-507.5"
    assert "follows msba-507.5" in data["model"]["note"]
    auto = _audit("st-louis-park-isd283-507.5.txt", "auto")
    assert auto["model"]["id"] == "msba-507.5" and auto["model"]["selection"] == "auto"


def test_alexandria_district_copy_is_identical() -> None:
    data = _audit("alexandria-isd206-507.5.txt", "auto")
    assert data["model"]["id"] == "msba-507.5"
    assert data["verdict"] == "identical"


def test_json_is_deterministic() -> None:
    text = (CORPUS / "lakeville-pd-417.txt").read_text()
    a = to_json(audit_text(text, model="post-sro", path="x.txt"))
    b = to_json(audit_text(text, model="post-sro", path="x.txt"))
    assert a == b


def test_redline_rebuilds_document_text() -> None:
    data = _audit("lakeville-pd-417.txt", "post-sro")
    for p in data["provisions"]:
        if p["doc_text"] is not None:
            assert "".join(t for op, t in p["redline"] if op != "delete") == p["doc_text"]


def test_weakened_obligation_fails_the_verdict() -> None:
    model = (Path(__file__).resolve().parent.parent / "model_policy" / "post-sro.txt").read_text()
    weakened = model.replace(
        "the SRO shall assess the condition of the student",
        "the SRO may assess the condition of the student",
    )
    data = audit_text(weakened, model="post-sro")
    p = _prov(data, "IV.E.2.ii")
    assert [(c["category"], c["direction"]) for c in p["changes"] if c["substantive"]] == [
        ("modality", "weaker")
    ]
    assert data["verdict"] == "not-substantially-similar"
    assert any("render aid" in r["title"].lower() or "aid" in r["title"].lower()
               for r in data["requirements"] if r["status"] == "weakened")  # fmt: skip


def test_statute_checklist_acceptance() -> None:
    lakeville = {r["id"]: r for r in _audit("lakeville-pd-417.txt", "post-sro")["requirements"]}
    notice = lakeville["R07-public-notification"]
    assert notice["status"] == "needs-review" and "5(b)(1)" in notice["citation"]
    shown = [e["quote"] for e in notice["evidence"] if e["kind"] == "candidate"]
    assert any("transparent with the public" in q for q in shown)  # the candidate, shown
    slp = {r["id"]: r for r in _audit("st-louis-park-isd283-507.5.txt", "post-sro")["requirements"]}
    assert slp["R07-public-notification"]["status"] == "missing"
    prone = slp["R10-prone-restraint"]
    quotes = [e["quote"] for e in prone["evidence"] if e["kind"] == "addition"]
    assert any("prohibit the use of prone restraint" in q for q in quotes)


def test_pdf_and_docx_audit_like_the_text(tmp_path: Path) -> None:
    from tests.fixtures_render import render_docx, render_pdf

    text = (CORPUS / "lakeville-pd-417.txt").read_text()
    render_pdf(text, tmp_path / "l.pdf")
    render_docx(text, tmp_path / "l.docx")

    def outcome(data: dict[str, Any]) -> list[tuple[str, str, bool]]:
        return [(p["model_ref"], p["status"], p["substantive"]) for p in data["provisions"]]

    expected = outcome(_audit("lakeville-pd-417.txt", "post-sro"))
    for name in ("l.pdf", "l.docx"):
        data = audit_path(tmp_path / name, model="post-sro")
        assert outcome(data) == expected, name
    pdf = audit_path(tmp_path / "l.pdf", model="post-sro")
    assert pdf["document"]["format"] == "pdf" and pdf["document"]["pages"] > 1
    g2 = _prov(pdf, "IV.G.2")
    assert g2["location"]["page"] > 1  # evidence is located on its page of the PDF


def test_unrelated_document_follows_no_model() -> None:
    data = audit_text("Employees shall wear safety glasses in the machine shop at all times.")
    assert data["model"]["follows"] == "" and data["model"]["id"] == "post-sro"
    assert "does not appear to follow any bundled model" in data["model"]["note"]
    assert data["verdict"] == "not-substantially-similar"
    assert data["summary"]["missing"] == data["summary"]["provisions"]
