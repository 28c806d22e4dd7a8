"""The audit report a reviewer reads first (issue 14), checked on real corpus output.

1. order: verdict and what decides it, requirements not met, missing and substantive
   findings, editorial, additions; identical provisions collapsed on screen and in print;
2. references: "model IV.D" and "doc §IV.D" never alike; unlabeled clauses named by place,
   never by an invented label;
3. every edit visible: declared substitutions as swaps, normalised-away wording on hover and
   in "show all edits", short changes with their context;
4. one source of counts, right plurals, colour never alone, keyboard navigation.
(5, the demo and the README examples, is in test_readme_examples.py.)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from analyzer.api import audit_path
from analyzer.refnames import ref_names
from analyzer.render import render_html, render_markdown
from analyzer.report import render_text
from analyzer.report_view import (
    change_context,
    count,
    counts,
    display_redline,
    doc_ref,
    name_refs,
    sections,
)
from analyzer.segment import segment_text

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
CSS = (ROOT / "analyzer" / "templates" / "report.css").read_text(encoding="utf-8")
JS = (ROOT / "analyzer" / "templates" / "report.js").read_text(encoding="utf-8")
NAMES = {
    "lakeville": "lakeville-pd-417.txt",
    "slp": "st-louis-park-isd283-507.5.txt",
    "alexandria": "alexandria-pd-436.txt",
    "hutchinson": "hutchinson-pd-1003.txt",
}


@pytest.fixture(scope="module")
def audits() -> dict[str, dict[str, Any]]:
    return {key: audit_path(CORPUS / name) for key, name in NAMES.items()}


@pytest.fixture(scope="module")
def outputs(audits: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {
        key: {"text": render_text(d), "html": render_html(d), "md": render_markdown(d)}
        for key, d in audits.items()
    }


def provision(data: dict[str, Any], ref: str) -> dict[str, Any]:
    return next(p for p in data["provisions"] if p["model_ref"] == ref)


def in_order(text: str, *parts: str) -> bool:
    at = [text.find(p) for p in parts]
    return all(a >= 0 for a in at) and at == sorted(at)


# ---------------------------------------------------------------- 1. order


def test_text_report_reads_in_the_reviewers_order(outputs: dict[str, dict[str, str]]) -> None:
    text = outputs["slp"]["text"]
    assert in_order(
        text,
        "Verdict:",
        "statutory requirements not met",
        "Requirements not met",
        "Missing (2):",
        "Substantive changes (",
        "Editorial changes",
        "Additions (",
        "Identical: ",
        "Statute checklist: ",
    )
    open_part = text[text.index("Requirements not met") : text.index("Missing (2):")]
    assert "  MISSING" in open_part and "  MET" not in open_part


def test_html_report_order_and_collapsed_identical(outputs: dict[str, dict[str, str]]) -> None:
    html = outputs["lakeville"]["html"]
    assert in_order(
        html,
        'id="verdict"',
        'class="reasons"',
        'id="requirements"',
        'id="missing"',
        'id="substantive"',
        'id="editorial"',
        'id="additions"',
        'id="identical"',
    )
    identical = html[html.index('<details class="collapsed identical">') :]
    assert identical.index("</summary>") < identical.index('<article class="prov identical')
    assert '<details class="collapsed identical" open' not in html
    met = html[html.index('<details class="collapsed met"') :]
    assert 'data-status="met"' in met.split("</details>")[0]
    # print opens the evidence, never the collapsed groups
    assert 'querySelectorAll("details.evidence")' in JS
    assert 'querySelectorAll("details")' not in JS


def test_verdict_reasons_are_a_list_with_each_requirement(
    audits: dict[str, dict[str, Any]], outputs: dict[str, dict[str, str]]
) -> None:
    data, html = audits["lakeville"], outputs["lakeville"]["html"]
    reasons = html[html.index('<ol class="reasons">') : html.index("</ol>")]
    assert reasons.count('<li><span class="chip') == counts(data)["open_requirements"] > 0
    run_on = next(r for r in data["verdict_reasons"] if r.startswith("statutory"))
    assert str(escape(run_on)) not in reasons  # one item per requirement, not one sentence
    for r in sections(data)["open_requirements"]:
        assert f'href="#req-{r["id"]}"' in reasons


def test_open_requirements_come_first_and_carry_evidence(
    audits: dict[str, dict[str, Any]], outputs: dict[str, dict[str, str]]
) -> None:
    groups = sections(audits["lakeville"])
    statuses = [r["status"] for r in groups["open_requirements"]]
    order = ["missing", "weakened", "needs-review"]
    assert statuses and statuses == sorted(statuses, key=order.index)
    md = outputs["lakeville"]["md"]
    assert in_order(md, "## Statute requirements not met", "## Missing provisions")
    assert in_order(md, "## Additions", "## Statute requirements met", "## Identical")
    first = groups["open_requirements"][0]
    assert f"**{first['title']}** ({first['status']}" in md


# ---------------------------------------------------------------- 2. references


REFNAME_FIXTURE = """School Resource Officers

436.1 PURPOSE AND SCOPE

This policy describes the program.

436.3 SCHOOL RESOURCE OFFICER PROGRAM

The Chief of Police should appoint SROs. Methods include:

- (a) Assisting with a school safety plan.
- (b) Protecting the school against external threats.

436.4 SRO DUTIES

SROs shall complete training.
"""


def test_unlabeled_clauses_are_named_by_place_not_by_an_invented_label() -> None:
    names = ref_names(segment_text(REFNAME_FIXTURE))
    assert names["436.3"] == "§436.3"
    assert names["436.3.1"] == "unlabeled paragraph 1 under §436.3"  # not "436.3.1"
    assert names["436.3.1.a"] == "(a) in unlabeled paragraph 1 under §436.3"
    assert names["436.4.1"] == "unlabeled paragraph 1 under §436.4"


def test_model_and_document_refs_cannot_be_confused(outputs: dict[str, dict[str, str]]) -> None:
    out = outputs["slp"]
    # St. Louis Park: the model's IV.D is missing, the document's own IV.D is an addition
    assert "model IV.D:" in out["text"] and "doc §IV.D (l." in out["text"]
    assert "### model IV.D" in out["md"] and "- doc §IV.D" in out["md"]
    html = out["html"]
    assert '<span class="mref" title="the model policy\'s numbering">model IV.D</span>' in html
    assert "doc §IV.D</span>" in html
    assert ".mref {" in CSS and ".dref {" in CSS


@pytest.mark.parametrize("doc", ["lakeville", "slp", "alexandria"])
def test_no_invented_label_reaches_a_report(
    doc: str, audits: dict[str, dict[str, Any]], outputs: dict[str, dict[str, str]]
) -> None:
    data = audits[doc]
    names = data["document"]["ref_names"]
    model_refs = {p["model_ref"] for p in data["provisions"]}
    invented = [
        r
        for r, n in names.items()
        if "." in r and r not in model_refs and not n.startswith(("§", "“"))
    ]
    assert invented  # each of these documents has unlabeled paragraphs (3.6, IV.5, 436.3.¶1)
    for fmt, text in outputs[doc].items():
        for ref in invented:
            shown = re.escape(str(escape(ref)) if fmt == "html" else ref)
            bare = re.compile(rf"(?<![\w.§>“]){shown}(?![\w.])")
            hits = [m.group(0) for m in bare.finditer(re.sub(r'data-ref="[^"]*"', "", text))]
            assert not hits, f"{fmt}: {ref} shown as if the document labeled it"


def test_engine_sentences_name_document_refs(audits: dict[str, dict[str, Any]]) -> None:
    data = audits["lakeville"]
    sentence = "aligned to 417.2.1; nearest: 3.6 at 42%; IV.A (document 417.2.1, p. 1, line 53)"
    assert name_refs(sentence, data) == (
        "aligned to doc unlabeled paragraph 1 under §417.2; nearest: doc unlabeled paragraph"
        " 6 under “POLICY” at 42%; model IV.A (doc unlabeled paragraph 1 under §417.2, p. 1,"
        " line 53)"
    )
    assert doc_ref({"document": {}}, "IV.D") == "doc IV.D"  # older JSON: still prefixed


# ---------------------------------------------------------------- 3. every edit visible


def test_declared_substitution_is_a_swap_with_a_legend(
    audits: dict[str, dict[str, Any]], outputs: dict[str, dict[str, str]]
) -> None:
    p = provision(audits["lakeville"], "III.B")
    pieces = display_redline(p)
    assert ("swap", "Lakeville Police Department", "peace officer's employer") in pieces
    html, md = outputs["lakeville"]["html"], outputs["lakeville"]["md"]
    assert '<span class="was">peace officer&#39;s employer</span>' in html
    assert 'class="card legend"' in html and "a declared substitution" in html
    assert "‹model ⇄ document›" in md


def test_abbreviation_is_visible_not_a_lone_struck_period(
    audits: dict[str, dict[str, Any]],
) -> None:
    p = provision(audits["lakeville"], "III.E")
    pieces = display_redline(p)
    assert ("same", "MSS", "Minn. Stat.") in pieces
    assert not any(kind == "delete" and text.strip() == "." for kind, text, _ in pieces)
    assert "body.all-edits .same .was { display: inline" in CSS


@pytest.mark.parametrize("doc", list(NAMES))
def test_full_redline_rebuilds_the_document_text(
    doc: str, audits: dict[str, dict[str, Any]]
) -> None:
    for p in audits[doc]["provisions"]:
        if p["doc_text"]:
            pieces = display_redline(p)
            assert "".join(t for k, t, _ in pieces if k != "delete") == p["doc_text"]


def test_a_short_change_is_shown_in_its_context(audits: dict[str, dict[str, Any]]) -> None:
    p = provision(audits["hutchinson"], "IV.G.4")
    change = next(c for c in p["changes"] if c["model_text"] == "a" and c["doc_text"] == "1")
    context = change_context(change, p)
    assert "subdivision 2, paragraph ([a → 1]), clause (4) or (5)" in context


# ---------------------------------------------------------------- 4. counts, a11y, keys


def test_plurals() -> None:
    assert count(1, "provision") == "1 provision"
    assert count(2, "provision") == "2 provisions"
    assert count(0, "addition") == "0 additions"


def test_one_source_of_counts(
    audits: dict[str, dict[str, Any]], outputs: dict[str, dict[str, str]]
) -> None:
    for key, data in audits.items():
        n = counts(data)
        groups = sections(data)
        assert n["substantive_changes"] == len(groups["substantive"])
        assert n["missing"] == len(groups["missing"])
        out = outputs[key]
        chip = f"{n['substantive_changes']} changed substantively"
        assert chip in out["text"] and chip in out["html"] and chip in out["md"]
        for text in out.values():
            assert not re.search(r"\b1 (provisions|additions|clauses|requirements|pages)\b", text)


def test_colour_is_never_alone() -> None:
    ins = re.search(r"^ins \{[^}]*\}", CSS, re.M)
    deleted = re.search(r"^del \{[^}]*\}", CSS, re.M)
    assert ins and "text-decoration: underline" in ins.group(0)
    assert deleted and "line-through" in deleted.group(0)


def test_keyboard_navigation_between_findings(outputs: dict[str, dict[str, str]]) -> None:
    html = outputs["lakeville"]["html"]
    assert 'id="key-hint"' in html and "<kbd>j</kbd>" in html
    findings = re.findall(r'<(?:article|tr) class="[^"]*\bfinding\b[^"]*"[^>]*>', html)
    assert findings and all('tabindex="-1"' in f for f in findings)
    assert "{ j: 1, n: 1, k: -1, p: -1 }" in JS and ".finding" in JS
    assert ".finding:focus" in CSS
