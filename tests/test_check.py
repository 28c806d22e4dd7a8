"""The statute checklist: catalogs load, statuses follow the rules, explanations quote evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.check import (
    Catalog,
    Requirement,
    RequirementStatus,
    catalog_from_dict,
    check,
    load_catalog,
    weakening,
)
from analyzer.model import (
    Addition,
    Candidate,
    Category,
    Change,
    ClauseKind,
    Direction,
    Finding,
    Location,
    Status,
)
from tests.fixtures_findings import make_finding, missing_finding

ROOT = Path(__file__).resolve().parent.parent
MODELS = ("post-sro", "msba-507.5")

PRONE = Requirement(
    id="R10-prone-restraint",
    title="Tactics that minimize prone restraint",
    citation="Minn. Stat. 626.8482, subd. 5(b)(2)(iv)",
    provisions=("IV.E.2", "IV.E.2.ii"),
    weakened_if="the tactics are dropped",
    keywords=(r"\bprone\b",),
)
DATA = Requirement(
    id="R19-data-records",
    title="Records under chapter 13",
    citation="Minn. Stat. ch. 13",
    provisions=("IV.H.2",),
    weakened_if="records are no longer governed by chapter 13",
)
CATALOG = Catalog(model="post-sro", requirements=(PRONE, DATA))

E2 = "Specific tactics and strategies to minimize uses of force or prone restraint:"
E2II = "the SRO shall assess the condition of the student and render aid as needed"
H2 = "Law enforcement records shall be governed by the agency's data practices policy."


def loc(page: int, line: int) -> Location:
    return Location(page, line, page, line)


def identical(ref: str, text: str, line: int = 1) -> Finding:
    return make_finding(
        ref,
        text,
        Status.IDENTICAL,
        similarity=1.0,
        doc_refs=(ref,),
        doc_text=text,
        location=loc(2, line),
        redline=(("equal", text),),
    )


def missing(ref: str, text: str) -> Finding:
    return missing_finding(
        ref, text, Candidate("4.2", "Officers use force wisely.", 0.3, loc(3, 9))
    )


def modified(ref: str, model_text: str, doc_text: str, change: Change) -> Finding:
    return make_finding(
        ref,
        model_text,
        Status.MODIFIED,
        substantive=change.substantive,
        similarity=0.95,
        doc_refs=("9.2",),
        doc_text=doc_text,
        location=loc(5, 12),
        changes=(change,),
        redline=(("equal", "x"),),
        explanation=change.explanation,
    )


SHALL_SHOULD = Change(
    category=Category.MODALITY,
    substantive=True,
    model_text="shall",
    doc_text="should",
    explanation="obligation weakened: shall → should",
    direction=Direction.WEAKER,
)


def by_id(results: tuple) -> dict:
    return {r.requirement.id: r for r in results}


# ---------------------------------------------------------------- statuses


def test_all_provisions_missing_is_missing() -> None:
    findings = [missing("IV.E.2", E2), missing("IV.E.2.ii", E2II), identical("IV.H.2", H2)]
    result = by_id(check(findings, (), CATALOG))["R10-prone-restraint"]
    assert result.status is RequirementStatus.MISSING
    assert result.explanation.startswith("Missing")
    assert "no counterpart to model IV.E.2 and IV.E.2.ii" in result.explanation
    assert [e.kind for e in result.evidence] == ["missing", "missing"]
    assert result.evidence[0].quote.startswith("[missing from the document]")
    assert E2 in result.evidence[0].quote


def test_weaker_modality_is_weakened_with_the_reason() -> None:
    doc = H2.replace("shall", "should")
    findings = [identical("IV.E.2", E2), identical("IV.E.2.ii", E2II)]
    findings.append(modified("IV.H.2", H2, doc, SHALL_SHOULD))
    result = by_id(check(findings, (), CATALOG))["R19-data-records"]
    assert result.status is RequirementStatus.WEAKENED
    assert "shall → should" in result.explanation
    assert "IV.H.2 (document 9.2, p. 5, line 12)" in result.explanation
    assert result.evidence[0].quote == doc
    assert result.evidence[0].location == loc(5, 12)


def test_one_missing_provision_of_several_is_weakened() -> None:
    findings = [identical("IV.E.2", E2, 7), missing("IV.E.2.ii", E2II)]
    result = by_id(check(findings, (), CATALOG))["R10-prone-restraint"]
    assert result.status is RequirementStatus.WEAKENED
    assert "model IV.E.2.ii is missing from the document" in result.explanation
    assert "keeps IV.E.2 (p. 2, line 7) as in the model" in result.explanation


def test_keyword_addition_makes_it_needs_review_with_the_quote() -> None:
    own = (
        "Any contract will address use of force. Ideally any contract will prohibit the use "
        "of prone restraint on school grounds."
    )
    additions = [Addition("IV.F", "", own, loc(2, 30))]
    findings = [missing("IV.E.2", E2), missing("IV.E.2.ii", E2II)]
    result = by_id(check(findings, additions, CATALOG))["R10-prone-restraint"]
    assert result.status is RequirementStatus.NEEDS_REVIEW
    assert "own wording" in result.explanation
    quote = "Ideally any contract will prohibit the use of prone restraint on school grounds."
    assert f"“{quote}”" in result.explanation
    assert "use of force. Ideally" not in result.explanation  # only the matching sentence
    added = result.evidence[-1]
    assert (added.kind, added.doc_ref, added.quote, added.location) == (
        "addition",
        "IV.F",
        quote,
        loc(2, 30),
    )


def test_quotes_do_not_split_after_abbreviations() -> None:
    own = (
        "Any contract within St. Louis Park Public Schools will address use of force. "
        "If the City will not agree to prohibit prone restraint per Minn. Stat. 121A.58 then "
        "the officer must move the student to a non-prone position."
    )
    additions = [Addition("IV.F", "", own, loc(1, 50))]
    result = check([missing("IV.E.2", E2)], additions, CATALOG)[0]
    assert result.evidence[-1].quote == own.split("Schools will address use of force. ")[1]


def test_a_figure_the_document_adds_does_not_weaken_but_needs_review() -> None:
    added = Change(Category.NUMBER, True, "", "within 30 days", "number changed")
    result = by_id(check([modified("IV.H.2", H2, H2, added)], (), CATALOG))["R19-data-records"]
    assert result.status is RequirementStatus.NEEDS_REVIEW
    assert "within 30 days" in result.explanation  # named, with the reason to review it


def test_reference_additions_do_not_count() -> None:
    text = "Minn. Stat. 121A.58 (prone restraint)"
    refs = [Addition("L", "Legal references", text, loc(9, 1), ClauseKind.REFERENCE)]
    findings = [missing("IV.E.2", E2), missing("IV.E.2.ii", E2II)]
    result = by_id(check(findings, refs, CATALOG))["R10-prone-restraint"]
    assert result.status is RequirementStatus.MISSING


@pytest.mark.parametrize(
    ("category", "direction", "doc", "weakens"),
    [
        (Category.MODALITY, Direction.WEAKER, "b", True),
        (Category.MODALITY, Direction.STRONGER, "b", False),
        (Category.NEGATION, None, "b", True),
        (Category.DURATION, Direction.WEAKER, "b", True),
        (Category.DURATION, None, "b", False),  # no direction: needs review
        (Category.NUMBER, Direction.STRONGER, "b", False),
        (Category.SCOPE, None, "", True),  # words removed
        (Category.SCOPE, None, "b", False),  # changed, direction unknown: needs review
        (Category.CITATION, None, "b", False),
        (Category.WORDING, None, "b", False),
    ],
)
def test_which_changes_weaken(
    category: Category, direction: Direction | None, doc: str, weakens: bool
) -> None:
    assert weakening(Change(category, True, "a", doc, "", direction)) is weakens


def test_strengthened_and_citation_changes_stay_met_but_are_named() -> None:
    stronger = Change(
        Category.MODALITY, True, "may", "must", "obligation strengthened", Direction.STRONGER
    )
    findings = [modified("IV.H.2", H2, H2, stronger)]
    result = by_id(check(findings, (), CATALOG))["R19-data-records"]
    assert result.status is RequirementStatus.MET
    assert "obligation strengthened" in result.explanation


def test_to_dict_matches_the_contract() -> None:
    findings = [missing("IV.E.2", E2), identical("IV.E.2.ii", E2II), identical("IV.H.2", H2)]
    data = [r.to_dict() for r in check(findings, (), CATALOG)]
    assert set(data[0]) >= {"id", "title", "citation", "status", "explanation", "evidence"}
    assert data[0]["status"] == "weakened"
    assert data[0]["evidence"][1] == {
        "model_ref": "IV.E.2.ii",
        "doc_ref": "IV.E.2.ii",
        "quote": E2II,
        "location": {"page": 2, "line": 1, "end_page": 2, "end_line": 1},
        "kind": "provision",
    }
    json.dumps(data)  # plain JSON types only


# ---------------------------------------------------------------- catalogs


@pytest.mark.parametrize("model_id", MODELS)
def test_catalogs_load(model_id: str) -> None:
    catalog = load_catalog(model_id)
    assert catalog is not None and catalog.model == model_id
    assert len(catalog.requirements) >= 9
    assert all(r.citation and r.provisions and r.weakened_if for r in catalog.requirements)


def test_post_catalog_covers_the_brief() -> None:
    catalog = load_catalog("post-sro")
    assert catalog is not None
    covered = {p for r in catalog.requirements for p in r.provisions}
    wanted = {"IV.A", "II.4", "IV.E.4", "IV.A.1.i", "IV.A.1.ii", "IV.A.1.iii", "IV.A.1.iv"}
    wanted |= {"IV.E.1", "IV.D.1", "IV.D.2", "IV.E.2", "IV.E.2.i", "IV.E.2.ii", "III.F"}
    wanted |= {"IV.F.1", "IV.F.2", "IV.F.3", "II.3", "IV.H.1", "IV.H.2"}
    wanted |= {f"IV.G.{n}" for n in range(1, 7)}
    assert wanted <= covered


def test_msba_catalog_covers_the_brief() -> None:
    catalog = load_catalog("msba-507.5")
    assert catalog is not None
    covered = {p for r in catalog.requirements for p in r.provisions}
    wanted = {"III.A", "III.B", "IV.A", "IV.B", "IV.C", "IV.D"}
    wanted |= {f"IV.A.{n}" for n in range(1, 8)} | {f"V.{x}" for x in "ABCDE"}
    assert wanted <= covered


def test_catalog_refs_exist_in_the_models() -> None:
    baselines = pytest.importorskip("analyzer.baselines", reason="engine not written yet")
    for model_id in MODELS:
        refs = set(baselines.load_model(model_id).tree.by_ref())
        catalog = load_catalog(model_id)
        assert catalog is not None
        unknown = {p for r in catalog.requirements for p in r.provisions} - refs
        assert not unknown, f"{model_id}: catalog names refs the model lacks: {sorted(unknown)}"


@pytest.mark.parametrize("model_id", MODELS)
def test_catalog_refs_exist_in_the_segmented_models(model_id: str) -> None:
    segment = pytest.importorskip("analyzer.segment", reason="segmenter not written yet")
    text = (ROOT / "model_policy" / f"{model_id}.txt").read_text(encoding="utf-8")
    refs = set(segment.segment_text(text).by_ref())
    catalog = load_catalog(model_id)
    assert catalog is not None
    unknown = {p for r in catalog.requirements for p in r.provisions} - refs
    assert not unknown, f"{model_id}: catalog names refs the model lacks: {sorted(unknown)}"


def test_sample_refs_exist_in_the_post_catalog_model() -> None:
    sample = json.loads((ROOT / "tests/data/sample_audit.json").read_text(encoding="utf-8"))
    refs = {p["model_ref"] for p in sample["provisions"]}
    catalog = load_catalog("post-sro")
    assert catalog is not None
    assert {p for r in catalog.requirements for p in r.provisions} <= refs


def test_unknown_model_has_no_catalog() -> None:
    assert load_catalog("no-such-model") is None


def test_model_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "x.requirements.json").write_text(
        json.dumps(
            {
                "model": "x",
                "requirements": [dict(id="a", title="t", citation="c", provisions=["I"])],
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("POLICYDIFF_MODEL_DIR", str(tmp_path))
    catalog = load_catalog("x")
    assert catalog is not None and catalog.requirements[0].provisions == ("I",)
    assert load_catalog("post-sro") is None


def test_model_text_path_finds_its_sibling_catalog() -> None:
    catalog = load_catalog(str(ROOT / "model_policy" / "post-sro.txt"))
    assert catalog is not None and catalog.model == "post-sro"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"requirements": []}, "needs 'model'"),
        ({"model": "m", "requirements": [{"id": "a"}]}, "lacks title, citation, provisions"),
        (
            {
                "model": "m",
                "requirements": [
                    {"id": "a", "title": "t", "citation": "c", "provisions": [], "keywords": ["("]}
                ],
            },
            "bad keyword regex",
        ),
    ],
)
def test_bad_catalogs_name_the_cause(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match="cat.json") as info:
        catalog_from_dict(data, "cat.json")
    assert message in str(info.value)


def test_keywords_with_backreferences_are_searched_one_by_one() -> None:
    # The keywords of one requirement are joined into one alternation for speed; a pattern
    # with a backreference cannot be joined (its group number would shift).
    from analyzer.check import _keyword_pattern

    matches = _keyword_pattern(["(x)\\1", "(b)\\1"])
    assert matches("a bb c") and matches("xx")
    assert not matches("b x")
    joined = _keyword_pattern(["prone", "restrain(t|ing)"])
    assert joined("No RESTRAINING.") and not joined("restrai")
