"""``policydiff compare``: two drafts of a real corpus policy (Hutchinson PD 1003) edited in
known ways, checked through the dict, the summary in words, the schema, HTML, Markdown, CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from analyzer.cli import cli
from analyzer.compare import compare_paths, render_html, render_markdown, render_text

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "corpus" / "hutchinson-pd-1003.txt"
SCHEMA = ROOT / "analyzer" / "schemas" / "compare.schema.json"
SCRIPT = "<script>alert(1)</script>"

WEAKEN = ("the SRO shall assess the condition", "the SRO should assess the condition")
B1 = (
    "  1. SRO's should consider establishing a presence at times that allow opportunities "
    "to build connections and relationships.\n"
)
CUSTODIAL = "- G. **Custodial arrest:** A custodial arrest is the actual"
NEW_CLAUSE = (
    "  4. SROs shall record every custodial arrest made on school grounds in the agency's "
    "records management system within 24 hours.\n"
)


def v1() -> str:
    return SOURCE.read_text(encoding="utf-8")


def move_data_practices(text: str) -> str:
    """Section H (Data Practices) moved before G (Training), both relabelled."""
    g, h = text.index("### G. Training"), text.index("### H. Data Practices")
    moved = text[:g] + text[h:].rstrip("\n") + "\n\n" + text[g:h]
    moved = moved.replace("### H. Data Practices", "### G. Data Practices", 1)
    return moved.replace("### G. Training", "### H. Training", 1)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("drafts")
    old = v1()
    new = move_data_practices(old).replace(*WEAKEN)
    assert new.count(WEAKEN[1]) == 1
    return write(tmp, "v1.txt", old), write(tmp, "v2.txt", new)


@pytest.fixture(scope="module")
def moved_weakened(drafts: tuple[Path, Path]) -> dict[str, Any]:
    return compare_paths(*drafts)


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def row(data: dict[str, Any], old_ref: str) -> dict[str, Any]:
    return next(r for r in data["clauses"] if r["old_ref"] == old_ref)


# ---------------------------------------------------------------- moved + weakened


def test_summary_names_the_weakened_obligation(moved_weakened: dict[str, Any]) -> None:
    first = moved_weakened["summary"][0]
    assert first == "This draft weakens 1 obligation: 1003.4.E.2.b (shall \u2192 should)."


def test_summary_reports_the_section_move_once(moved_weakened: dict[str, Any]) -> None:
    moves = [s for s in moved_weakened["summary"] if s.startswith("It moves")]
    assert moves == [
        "It moves 1 section: 1003.4.H (Data Practices, now 1003.4.G) now comes before "
        "1003.4.G (Training, now 1003.4.H)."
    ]
    (move,) = moved_weakened["moves"]
    assert move["kind"] == "section"
    assert move["clauses"] == ["1003.4.H.1", "1003.4.H.2"]
    assert (move["relation"], move["anchor_old_ref"]) == ("before", "1003.4.G")


def test_counts_and_no_other_substantive_change(moved_weakened: dict[str, Any]) -> None:
    counts = moved_weakened["counts"]
    assert counts["weakened"] == 1
    assert counts["strengthened"] == 0
    assert counts["moved"] == 1
    assert counts["moved_clauses"] == 2
    assert counts["substantive"] == 1
    assert counts["inserted"] == counts["deleted"] == 0
    substantive = [r["old_ref"] for r in moved_weakened["clauses"] if r["substantive"]]
    assert substantive == ["1003.4.E.2.b"]
    other = [s for s in moved_weakened["summary"] if s.startswith(("It adds", "It deletes"))]
    assert other == []


def test_weakened_clause_has_redline_and_change(moved_weakened: dict[str, Any]) -> None:
    r = row(moved_weakened, "1003.4.E.2.b")
    assert (r["status"], r["new_ref"], r["moved"]) == ("edited", "1003.4.E.2.b", False)
    (change,) = r["changes"]
    assert (change["category"], change["direction"]) == ("modality", "weaker")
    pieces = [(op, text.strip()) for op, text in r["redline"]]
    assert ("delete", "shall") in pieces and ("insert", "should") in pieces


def test_moved_clauses_know_both_refs(moved_weakened: dict[str, Any]) -> None:
    r = row(moved_weakened, "1003.4.H.2")
    assert (r["status"], r["new_ref"], r["edited"]) == ("moved", "1003.4.G.2", False)
    assert moved_weakened["mapping"]["new_to_old"]["1003.4.G.2"] == ["1003.4.H.2"]
    assert moved_weakened["mapping"]["old_to_new"]["1003.4.G.1"] == ["1003.4.H.1"]
    assert not row(moved_weakened, "1003.4.G.1")["moved"]


def test_json_validates_against_schema(moved_weakened: dict[str, Any], validator: Any) -> None:
    validator.validate(moved_weakened)
    broken = json.loads(json.dumps(moved_weakened))
    broken["clauses"][0]["status"] = "renamed"
    assert not validator.is_valid(broken)


# ---------------------------------------------------------------- identical, inserted, deleted


def test_identical_drafts_have_no_changes(tmp_path: Path) -> None:
    text = v1()
    data = compare_paths(write(tmp_path, "a.txt", text), write(tmp_path, "b.txt", text))
    assert {r["status"] for r in data["clauses"]} == {"unchanged"}
    assert data["summary"] == [
        "No changes: the two drafts say the same thing, clause by clause, in the same order."
    ]
    assert data["counts"]["unchanged"] == len(data["clauses"]) > 50
    assert data["moves"] == []


def test_inserted_and_deleted_clauses(tmp_path: Path, validator: Any) -> None:
    old = v1()
    start = old.index(CUSTODIAL)
    end = old.index("\n", start) + 1
    new = old[:start] + old[end:]
    new = new.replace("- H. **De-escalation:**", "- G. **De-escalation:**")
    anchor = old.index("3. When reasonably practicable, appropriate school staff")
    anchor = new.index("\n", new.index(old[anchor : anchor + 60])) + 1
    new = new[:anchor] + NEW_CLAUSE + new[anchor:]
    data = compare_paths(write(tmp_path, "a.txt", old), write(tmp_path, "b.txt", new))
    validator.validate(data)
    deleted = [r for r in data["clauses"] if r["status"] == "deleted"]
    inserted = [r for r in data["clauses"] if r["status"] == "inserted"]
    assert [r["old_ref"] for r in deleted] == ["1003.3.G"]
    assert [r["new_ref"] for r in inserted] == ["1003.4.F.4"]
    refs = [r["old_ref"] or r["new_ref"] for r in data["clauses"]]
    assert refs[refs.index("1003.4.F.3") + 1] == "1003.4.F.4"  # placed after what it follows
    assert data["summary"][0] == "This draft adds 1 clause: 1003.4.F.4."
    assert "It deletes 1 clause: 1003.3.G (Custodial arrest)." in data["summary"]
    assert (data["counts"]["inserted"], data["counts"]["deleted"]) == (1, 1)
    assert data["counts"]["weakened"] == 0


def test_date_change_is_named_in_full(tmp_path: Path) -> None:
    old = v1()
    new = old.replace("before June 1, 2027", "before June 1, 2028")
    data = compare_paths(write(tmp_path, "a.txt", old), write(tmp_path, "b.txt", new))
    assert data["summary"] == [
        "This draft weakens 1 obligation: 1003.4.G.2 (June 1, 2027 \u2192 June 1, 2028)."
    ]


# ---------------------------------------------------------------- renderers and CLI


def test_html_escapes_document_text(tmp_path: Path) -> None:
    old = v1()
    new = old.replace("Custodial arrests in school", f"Custodial arrests {SCRIPT} in school")
    data = compare_paths(write(tmp_path, "a.txt", old), write(tmp_path, "b.txt", new))
    page = render_html(data)
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "http://" not in page and "https://" not in page
    memo = render_markdown(data)
    assert SCRIPT not in memo and "&lt;script&gt;" in memo


def test_html_and_markdown_carry_the_summary(moved_weakened: dict[str, Any]) -> None:
    page = render_html(moved_weakened)
    assert "weakens 1 obligation" in page and "<del>shall</del> <ins>should</ins>" in page
    memo = render_markdown(moved_weakened)
    assert "- This draft weakens 1 obligation" in memo
    assert "~~shall~~ **should**" in memo


def test_text_output_lists_changes(moved_weakened: dict[str, Any]) -> None:
    text = render_text(moved_weakened)
    assert "[-shall-] {+should+}" in text
    assert "1003.4.H.1 -> 1003.4.G.1" in text


def test_cli_text_output(drafts: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(cli, ["compare", *map(str, drafts)])
    assert result.exit_code == 0, result.output
    assert "This draft weakens 1 obligation: 1003.4.E.2.b (shall \u2192 should)." in result.output
    assert "It moves 1 section: 1003.4.H (Data Practices" in result.output


def test_cli_json_to_file(drafts: tuple[Path, Path], tmp_path: Path, validator: Any) -> None:
    out = tmp_path / "cmp.json"
    result = CliRunner().invoke(
        cli, ["compare", *map(str, drafts), "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    validator.validate(json.loads(out.read_text(encoding="utf-8")))


def test_cli_missing_file_exits_1(drafts: tuple[Path, Path], tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    result = CliRunner().invoke(cli, ["compare", str(drafts[0]), str(missing)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("policydiff: error: ") and str(missing) in lines[0]
    assert "no such file" in lines[0]


def test_cli_empty_file_exits_1(drafts: tuple[Path, Path], tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.txt", "")
    result = CliRunner().invoke(cli, ["compare", str(empty), str(drafts[1])])
    assert result.exit_code == 1
    assert result.stderr.startswith("policydiff: error: E101 ")


def test_section_moved_without_renumbering(tmp_path: Path) -> None:
    """H placed before G but still labelled "H.": the outline keeps both sections whole."""
    text = v1()
    g, h = text.index("### G. Training"), text.index("### H. Data Practices")
    moved = text[:g] + text[h:].rstrip() + "\n\n" + text[g:h]
    data = compare_paths(write(tmp_path, "a.txt", text), write(tmp_path, "b.txt", moved))
    summary = " ".join(data["summary"])
    assert "moves 1 section: 1003.4.H (Data Practices) now comes before 1003.4.G" in summary
    assert data["counts"]["edited"] == 0 and data["counts"]["deleted"] == 0
    assert data["counts"]["inserted"] == 0


# ---------------------------------------------------------------- declared substitutions

CORPUS = ROOT / "corpus"


def test_compare_applies_the_models_declared_substitutions() -> None:
    """Hutchinson vs Lakeville (two adoptions of the POST model): each agency's own name
    for the model's parties is an entity swap, never substantive; what compare calls
    substantive is what the audits call substantive (the same edit, the same finding)."""
    from analyzer.api import audit_path

    data = compare_paths(CORPUS / "hutchinson-pd-1003.txt", CORPUS / "lakeville-pd-417.txt")
    changes = [c for r in data["clauses"] for c in r["changes"]]
    entity = [c for c in changes if c["category"] == "entity"]
    assert entity and not any(c["substantive"] for c in entity)
    assert any("Lakeville Police Department" in c["doc_text"] for c in entity)
    hutch = audit_path(CORPUS / "hutchinson-pd-1003.txt", model="post-sro")
    lake = audit_path(CORPUS / "lakeville-pd-417.txt", model="post-sro")
    model_of = {p["doc_ref"]: p["model_ref"] for p in hutch["provisions"] if p["doc_ref"]}
    flagged = {p["model_ref"] for a in (hutch, lake) for p in a["provisions"] if p["substantive"]}
    edited = [r for r in data["clauses"] if r["status"] != "inserted" and r["substantive"]]
    assert edited
    for r in edited:
        assert model_of.get(r["old_ref"]) in flagged, (r["old_ref"], r["explanation"])
