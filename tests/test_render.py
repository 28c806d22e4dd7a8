"""Renderers (HTML, Markdown, CSV, index) and the JSON Schema, on the sample and real audits."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import jinja2
import pytest

from analyzer.render import (
    CSV_FIELDS,
    RENDERERS,
    index_row,
    redline_md,
    render_csv,
    render_html,
    render_index_html,
    render_markdown,
)

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "sample_audit.json"
SCHEMA = ROOT / "analyzer" / "schemas" / "audit.schema.json"
CORPUS = sorted(p.name for p in (ROOT / "corpus").glob("*.txt"))
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def html(sample: dict[str, Any]) -> str:
    return render_html(sample)


def provision(data: dict[str, Any], ref: str) -> dict[str, Any]:
    return next(p for p in data["provisions"] if p["model_ref"] == ref)


def hostile(sample: dict[str, Any]) -> dict[str, Any]:
    """The sample with markup and Markdown metacharacters in document text."""
    data = copy.deepcopy(sample)
    p = provision(data, "IV.H.2")
    p["doc_text"] = f"{SCRIPT} records | governed & `kept` <b>here</b>"
    p["redline"] = [["delete", "shall"], ["insert", f"should {SCRIPT}"]]
    data["additions"][0]["text"] = f"{SCRIPT} a | b"
    data["document"]["title"] = "Policy <img src=x onerror=alert(1)>"
    return data


# ---------------------------------------------------------------- schema


def test_schema_accepts_the_sample(sample: dict[str, Any], validator: Any) -> None:
    errors = [e.message for e in validator.iter_errors(sample)]
    assert errors == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("verdict",), "similar-ish"),
        (("provisions", 0, "status"), "changed"),
        (("provisions", 0, "redline", 0, 0), "replace"),
        (("requirements", 0, "status"), "ok"),
        (("summary", "changes_by_category", "spelling"), 1),
    ],
)
def test_schema_rejects_bad_enums(
    sample: dict[str, Any], validator: Any, path: tuple, value: object
) -> None:
    data = copy.deepcopy(sample)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert not validator.is_valid(data)


def test_schema_allows_added_fields(sample: dict[str, Any], validator: Any) -> None:
    data = copy.deepcopy(sample)
    data["timing"] = {"seconds": 1.5}
    data["provisions"][0]["note"] = "new field"
    assert validator.is_valid(data)


def test_schema_requires_contract_fields(sample: dict[str, Any], validator: Any) -> None:
    data = copy.deepcopy(sample)
    del data["provisions"][0]["redline"]
    assert not validator.is_valid(data)


# ---------------------------------------------------------------- HTML


def test_html_shows_verdict_and_reasons(html: str, sample: dict[str, Any]) -> None:
    assert "Not substantially similar" in html
    assert 'class="verdict not-substantially-similar"' in html
    for reason in sample["verdict_reasons"]:
        assert jinja2.utils.markupsafe.escape(reason) in html


def test_html_redline_pair(html: str) -> None:
    assert "<del>shall</del> <ins>should</ins>" in html
    assert "obligation weakened: shall → should" in html


def test_html_checklist_rows(html: str, sample: dict[str, Any]) -> None:
    weak = next(r for r in sample["requirements"] if r["status"] == "weakened")
    row = re.search(rf'<tr id="req-{weak["id"]}".*?</tr>', html, re.S)
    assert row is not None
    assert weak["citation"] in row.group(0)
    assert '<span class="chip weakened">weakened</span>' in row.group(0)
    assert "p. 6, lines 44–47" in html  # evidence location of IV.H.2


def test_html_checklist_row_for_missing_requirement(sample: dict[str, Any]) -> None:
    data = copy.deepcopy(sample)
    req = next(r for r in data["requirements"] if r["id"] == "R16-refresher")
    req["status"] = "missing"
    req["explanation"] = "Missing: the document has no counterpart to model IV.G.5."
    out = render_html(data)
    row = re.search(r'<tr id="req-R16-refresher".*?</tr>', out, re.S)
    assert row is not None
    assert '<span class="chip missing">missing</span>' in row.group(0)
    assert "POST model policy IV.G.5; Minn. Stat. 626.8482, subd. 5" in row.group(0)
    assert " open>" in row.group(0)  # evidence shown without a click
    own = re.search(r"<tr id=\"req-R07-public-notification\".*?</tr>", out, re.S)
    assert own is not None and "own wording" in own.group(0)


def test_html_provision_rows(html: str, sample: dict[str, Any]) -> None:
    rows = re.findall(r'<article class="prov [^"]+"[^>]*>', html)
    assert len(rows) == len(sample["provisions"])
    assert 'data-ref="IV.A.1.iv" data-status="missing" data-substantive="true"' in html
    assert 'data-ref="I.1" data-status="identical" data-substantive="false"' in html
    assert 'data-moved="true"' in html
    assert "Nearest candidate, not a match:" in html
    assert '<span class="chip moved">moved</span>' in html


def test_html_has_the_filter_and_print_styles(html: str) -> None:
    assert '<input type="checkbox" id="only-substantive">' in html
    assert "Only substantive findings" in html
    assert "@media print" in html
    assert "substantive-only" in html


def test_html_script_hash_matches_the_csp(html: str) -> None:
    import base64
    import hashlib

    script = re.search(r"<script>(.*?)</script>", html, re.S)
    assert script is not None
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html


def test_html_escapes_document_text(sample: dict[str, Any]) -> None:
    out = render_html(hostile(sample))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<ins>should &lt;script&gt;" in out
    assert "<img src=x" not in out
    assert "<b>here</b>" not in out
    assert out.count("<script>") == 1  # only the report's own script


def test_html_loads_nothing_remote(html: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "@import" not in html and "url(" not in html


def test_strict_undefined_catches_a_missing_field(sample: dict[str, Any]) -> None:
    data = copy.deepcopy(sample)
    del data["verdict"]
    with pytest.raises(jinja2.UndefinedError):
        render_html(data)
    data = copy.deepcopy(sample)
    del provision(data, "IV.A.1.iv")["model_text"]
    with pytest.raises(jinja2.UndefinedError):
        render_markdown(data)
    data = copy.deepcopy(sample)
    del data["summary"]["moved"]
    with pytest.raises(jinja2.UndefinedError):
        render_index_html([index_row(data, "x.html")])


# ---------------------------------------------------------------- Markdown


def test_markdown_memo(sample: dict[str, Any]) -> None:
    out = render_markdown(sample)
    assert out.startswith("# Audit memo: ")
    assert "**Verdict: Not substantially similar**" in out
    assert "## Statute requirements not met" in out
    assert "~~shall~~ **should**" in out
    head, rest = out.split("## Identical provisions")
    assert "### model IV.A.1.iv" in head and "Nearest candidate, not a match" in head
    assert re.search(r"^\| model I\.1 \| doc ", rest, re.M)


def test_markdown_escapes(sample: dict[str, Any]) -> None:
    out = render_markdown(hostile(sample))
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt; a \\| b" in out
    for line in out.splitlines():
        if line.startswith("| model I.1 "):
            assert line.count(" | ") == 2  # escaped pipes never add cells


def test_redline_markdown_spacing() -> None:
    pairs = [["equal", "records "], ["delete", "shall"], ["insert", "should"], ["equal", " be"]]
    assert redline_md(pairs) == "records ~~shall~~ **should** be"
    assert redline_md([["delete", "a|b "], ["equal", "c"]]) == "~~a\\|b~~ c"


# ---------------------------------------------------------------- CSV


def test_csv_round_trip(sample: dict[str, Any]) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(sample))))
    assert len(rows) == len(sample["provisions"])
    assert tuple(rows[0]) == CSV_FIELDS
    by_ref = {r["model_ref"]: r for r in rows}
    h2 = by_ref["IV.H.2"]
    assert (h2["status"], h2["substantive"], h2["categories"]) == ("modified", "true", "modality")
    assert "shall → should" in h2["change_summary"]
    assert by_ref["IV.A.1.iv"]["doc_text"] == "" and by_ref["IV.A.1.iv"]["page"] == ""
    assert by_ref["IV.E.4"]["moved"] == "true"


def test_csv_keeps_hostile_text_as_data(sample: dict[str, Any]) -> None:
    data = hostile(sample)
    provision(data, "IV.H.1")["doc_text"] = '=HYPERLINK("x"), "quoted"\nnext line'
    rows = {r["model_ref"]: r for r in csv.DictReader(io.StringIO(render_csv(data)))}
    assert rows["IV.H.2"]["doc_text"].startswith(SCRIPT)
    assert rows["IV.H.1"]["doc_text"] == '\'=HYPERLINK("x"), "quoted"\nnext line'


def test_registry() -> None:
    assert set(RENDERERS) == {"html", "md", "csv"}


# ---------------------------------------------------------------- index


def test_index(sample: dict[str, Any]) -> None:
    rows = [
        index_row(sample, "sample.html"),
        {
            "href": None,
            "title": "Scanned <policy>",
            "path": "x.pdf",
            "model": "post-sro",
            "verdict": None,
            "summary": None,
            "checklist": None,
            "error": "E106 x.pdf: no text layer",
        },
    ]
    out = render_index_html(rows)
    assert '<a href="sample.html">' in out
    assert "Not substantially similar" in out
    assert "4 weakened" in out
    assert "Scanned &lt;policy&gt;" in out and "E106 x.pdf" in out
    assert "http://" not in out and "https://" not in out


# ---------------------------------------------------------------- real audits


@pytest.fixture(scope="module")
def real_audits() -> dict[str, dict[str, Any]]:
    api = pytest.importorskip("analyzer.api", reason="the engine (analyzer.api) is not written yet")
    return {name: api.audit_path(str(ROOT / "corpus" / name), model="auto") for name in CORPUS}


@pytest.mark.parametrize("name", CORPUS)
def test_real_audit_is_valid_and_renders(
    real_audits: dict[str, dict[str, Any]], validator: Any, name: str
) -> None:
    data = real_audits[name]
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == [], errors[:5]
    out = render_html(data)
    assert out.count('<article class="prov') == len(data["provisions"])
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", out, re.I)
    assert render_markdown(data).startswith("# Audit memo: ")
    rows = list(csv.DictReader(io.StringIO(render_csv(data))))
    assert [r["model_ref"] for r in rows] == [p["model_ref"] for p in data["provisions"]]
    assert len(data["requirements"]) >= 9
