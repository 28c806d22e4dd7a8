"""Rules of classify and check that mutation testing found unpinned (``make mutation``): one
small fixture per rule, named after the case it handles; each fails when its rule is
deleted or turned around. What a reviewer reads (the explanation, the quoted words, the
candidate shown) is part of the rule and is asserted word for word."""

from __future__ import annotations

import pytest

from analyzer.baselines import load_model
from analyzer.check import Catalog, Requirement, RequirementStatus, catalog_from_dict, check
from analyzer.classify import classify, redline_pairs
from analyzer.model import Addition, Candidate, Finding, Location, Status
from analyzer.normalize import build_normalizer
from tests.fixtures_findings import make_finding, missing_finding

MODEL = load_model("post-sro")


def _classify(old: str, new: str):  # noqa: ANN202 - a Classification
    return classify(old, new, build_normalizer(MODEL, new))


def _explained(old: str, new: str) -> list[tuple[str, str, str | None, str]]:
    """(category, effect, direction, explanation) of each change."""
    return [
        (str(c.category), str(c.effect), c.direction and str(c.direction), c.explanation)
        for c in _classify(old, new).changes
    ]


# ---------------------------------------------------------------- classify: hunks


def test_modal_weaker_in_a_hunk_that_also_changes_the_verb() -> None:
    # no document modal governs "report", so the hunk itself carries the weaker modal
    assert _explained(
        "The SRO shall report the incident.", "The SRO may document the incident."
    ) == [("modality", "weakened", "weaker", "obligation weaker: “shall report” → “may document”")]


def test_modal_stronger_in_a_hunk_that_also_changes_the_verb() -> None:
    assert _explained(
        "The SRO may document the incident.", "The SRO shall report the incident."
    ) == [
        (
            "modality",
            "strengthened",
            "stronger",
            "obligation stronger: “may document” → “shall report”",
        )
    ]


def test_negation_added_names_the_word_added() -> None:
    assert _explained("The SRO will contact parents.", "The SRO will not contact parents.") == [
        ("negation", "weakened", None, "negation added: (nothing) → “not”")
    ]


def test_negation_removed_names_the_word_removed() -> None:
    assert _explained("The SRO will not contact parents.", "The SRO will contact parents.") == [
        ("negation", "weakened", None, "negation removed: “not” → (nothing)")
    ]


def test_modal_dropped_says_so() -> None:
    assert _explained("the SRO shall assess the condition", "the SRO assess the condition") == [
        ("modality", "weakened", "weaker", "obligation weaker (modal dropped): “shall” → (nothing)")
    ]


def test_modal_added_says_so() -> None:
    assert _explained("the SRO assesses the condition", "the SRO must assess the condition") == [
        (
            "modality",
            "strengthened",
            "stronger",
            "obligation stronger (modal added): “assesses” → “must assess”",
        )
    ]


def test_a_modal_dropped_with_another_verb_is_not_only_the_modal() -> None:
    # "reviews" is not "assess" inflected: the obligation's object changed, a scope change
    (row,) = _explained("the SRO shall assess the condition", "the SRO reviews the condition")
    assert row[:3] == ("scope", "needs-review", None)


def test_punctuation_only_is_editorial_wording() -> None:
    assert _explained("Students, staff and parents.", "Students, staff, and parents.") == [
        ("wording", "equivalent", None, "punctuation changed")
    ]


def test_typo_level_edit_quotes_both_spellings() -> None:
    old, new = (
        "the school resource officer shall attend",
        "the school resources officer shall attend",
    )
    assert _explained(old, new) == [
        (
            "wording",
            "equivalent",
            None,
            "typo: “school resource officer” → “school resources officer”",
        )
    ]


def test_lettered_citation_quotes_the_letters() -> None:
    old, new = "under paragraph (a), clause (4)", "under paragraph (c), clause (4)"
    assert _explained(old, new) == [
        ("citation", "needs-review", None, "citation changed: “a” → “c”")
    ]


def test_a_declared_name_filled_in_with_detail_is_one_entity_change() -> None:
    old = "employed by [AGENCY NAME] should be"
    new = "employed by (Hutchinson Public Schools ISD 423/Hutchinson Police Department) should be"
    first = _classify(old, new).changes[0]
    assert str(first.category) == "entity" and not first.substantive
    assert first.explanation.startswith("declared substitution: “[AGENCY NAME]” → “(Hutchinson")


def test_eight_content_words_go_straight_to_scope() -> None:
    # a long rewrite is judged as a whole (scope or wording), never as a figure
    old = "within 10 days the principal reviews each referral and notifies the family"
    new = "within 30 days a committee examines every complaint and informs the district office"
    categories = {c for c, *_ in _explained(old, new)}
    assert categories == {"scope"}


# ---------------------------------------------------------------- classify: redline


def test_a_short_equal_island_between_two_rewrites_joins_them() -> None:
    old = "The SRO must notify the principal in writing within ten days."
    new = "The SRO must call the principal by telephone the next morning."
    assert _classify(old, new).redline == (
        ("equal", "The SRO must"),
        ("delete", " notify the principal in writing within ten days"),
        ("insert", " call the principal by telephone the next morning"),
        ("equal", "."),
    )


def test_an_island_between_two_small_edits_stays_equal() -> None:
    # the edits either side are too small (2 + 1 words) to read as one rewrite
    old = "The SRO must promptly notify the principal immediately."
    new = "The SRO must quickly tell the principal at once."
    assert ("equal", " the principal") in _classify(old, new).redline


def test_a_long_equal_run_between_two_rewrites_stays_equal() -> None:
    old = "The SRO must notify the school principal in writing within ten days."
    new = "The SRO must call the school principal in writing the next morning."
    assert ("equal", " the school principal in writing") in _classify(old, new).redline


def test_redline_opcodes_cover_both_token_lists() -> None:
    n = build_normalizer(MODEL, "")
    a, b = n.tokens("one two three four"), n.tokens("one 2 three five six")
    ops = redline_pairs(a, b)
    assert ops[0][1] == 0 and ops[0][3] == 0 and ops[-1][2] == len(a) and ops[-1][4] == len(b)
    assert all(x[2] == y[1] and x[4] == y[3] for x, y in zip(ops, ops[1:], strict=False))


# ---------------------------------------------------------------- check: candidates


def _loc(line: int) -> Location:
    return Location(1, line, 1, line)


NOTIFY = "Shall establish a public notification process that an SRO will be present in the schools."
R07 = Requirement(
    id="R07",
    title="Public notification",
    citation="Minn. Stat. 626.8482, subd. 5(b)(1)",
    provisions=("IV.A.1.iv",),
    weakened_if="no public notification",
)


def _missing(candidate_ref: str, candidate_text: str) -> Finding:
    return missing_finding(
        "IV.A.1.iv", NOTIFY, Candidate(candidate_ref, candidate_text, 0.42, _loc(25))
    )


CLOSE = "The department will notify the public that an SRO is present in the schools."


def test_a_missing_provision_whose_candidate_is_an_added_sentence_needs_review() -> None:
    additions = [Addition("II.6", "", CLOSE, _loc(25))]
    (result,) = check([_missing("II.6", CLOSE)], additions, Catalog("post-sro", (R07,)))
    assert result.status is RequirementStatus.NEEDS_REVIEW
    (evidence,) = [e for e in result.evidence if e.kind == "candidate"]
    assert (evidence.model_ref, evidence.doc_ref, evidence.location) == (
        "IV.A.1.iv",
        "II.6",
        _loc(25),
    )
    assert evidence.quote.startswith("nearest candidate for IV.A.1.iv (42%): The department")


def test_a_candidate_matched_elsewhere_is_no_reason_to_review() -> None:
    # the nearest sentence belongs to another provision (not an addition): missing
    (result,) = check([_missing("II.6", CLOSE)], [], Catalog("post-sro", (R07,)))
    assert result.status is RequirementStatus.MISSING


def test_an_added_candidate_sharing_too_few_words_is_no_reason_to_review() -> None:
    far = "Officers are present at public events in the schools."
    additions = [Addition("II.6", "", far, _loc(25))]
    (result,) = check([_missing("II.6", far)], additions, Catalog("post-sro", (R07,)))
    assert result.status is RequirementStatus.MISSING


def test_a_reference_list_addition_is_never_a_candidate() -> None:
    from analyzer.model import ClauseKind

    additions = [Addition("II.6", "", CLOSE, _loc(25), ClauseKind.REFERENCE)]
    (result,) = check([_missing("II.6", CLOSE)], additions, Catalog("post-sro", (R07,)))
    assert result.status is RequirementStatus.MISSING


# ---------------------------------------------------------------- check: catalogs


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("R1", "each requirement must be an object"),
        (
            {"id": "R1", "citation": "c", "provisions": ["I"]},
            "requirement R1 lacks title; add them",
        ),
        ({"title": "t", "citation": "c", "provisions": ["I"]}, r"requirement \? lacks id; add"),
    ],
)
def test_a_malformed_requirement_names_what_it_lacks(item: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        catalog_from_dict({"model": "m", "requirements": [item]}, "cat.json")


def test_a_requirement_declares_the_direction_of_its_figures() -> None:
    item = {"id": "R1", "title": "t", "citation": "c", "provisions": ["I"]}
    catalog = catalog_from_dict(
        {"model": "m", "requirements": [item | {"figures": {"larger": "weaker"}}]}, "cat.json"
    )
    assert catalog.requirements[0].figures == "weaker"


# ---------------------------------------------------------------- check: explanations


def test_describe_quotes_the_text_its_explanation_does_not_show() -> None:
    from analyzer.check import describe
    from analyzer.model import Category, Change

    bare = Change(Category.SCOPE, True, "the principal", "the dean", "")
    assert describe(bare) == "scope changed (“the principal” → “the dean”)"
    removed = Change(Category.SCOPE, True, "the principal", "", "text removed")
    assert describe(removed) == "text removed (“the principal” → “—”)"
    quoted = Change(
        Category.SCOPE, True, "the principal", "the dean", "“the principal” → “the dean”"
    )
    assert describe(quoted) == "“the principal” → “the dean”"


def _modified(ref: str, change, *, moved: bool = False, doc_ref: str = "9.2") -> Finding:  # noqa: ANN001
    return make_finding(
        ref,
        "The SRO shall assess the student.",
        Status.MODIFIED,
        substantive=True,
        moved=moved,
        similarity=0.9,
        doc_refs=(doc_ref,),
        doc_text="The SRO should assess the student.",
        location=_loc(12),
        changes=(change,),
    )


def _weaker():  # noqa: ANN202
    from analyzer.model import Category, Change, Direction

    return Change(
        Category.MODALITY,
        True,
        "shall",
        "should",
        "obligation weaker: shall → should",
        Direction.WEAKER,
    )


def _req(*refs: str) -> Requirement:
    return Requirement("R1", "Assess", "Minn. Stat. 626.8482, subd. 5", tuple(refs), "dropped")


def test_a_weakened_requirement_cites_where_the_provision_moved() -> None:
    finding = _modified("IV.E.2.ii", _weaker(), moved=True, doc_ref="5.3")
    (result,) = check([finding], [], Catalog("post-sro", (_req("IV.E.2.ii"),)))
    assert result.status is RequirementStatus.WEAKENED
    assert (
        "IV.E.2.ii (moved to document 5.3, p. 1, line 12): obligation weaker: shall → should"
        in (result.explanation)
    )


def test_a_provision_in_place_under_its_own_number_is_cited_by_page_only() -> None:
    finding = _modified("IV.E.2.ii", _weaker(), doc_ref="IV.E.2.ii")
    (result,) = check([finding], [], Catalog("post-sro", (_req("IV.E.2.ii"),)))
    assert "IV.E.2.ii (p. 1, line 12): obligation weaker" in result.explanation


def test_two_missing_provisions_are_joined_in_plain_words() -> None:
    from analyzer.check import _join

    assert _join(["IV.A"]) == "IV.A"
    assert _join(["IV.A", "IV.B"]) == "IV.A and IV.B"
    assert _join(["IV.A", "IV.B", "IV.C"]) == "IV.A, IV.B and IV.C"


def test_the_document_s_own_wording_is_quoted_with_its_place() -> None:
    from analyzer.check import Evidence, _own_wording

    placed = Evidence(None, "4.2", "SROs notify the public.", _loc(7), "addition")
    bare = Evidence(None, None, "SROs notify the public.", None, "addition")
    assert _own_wording([placed, bare]) == (
        "“SROs notify the public.” (document 4.2, p. 1, line 7); “SROs notify the public.”"
    )


def test_a_catalog_keeps_what_each_requirement_says() -> None:
    item = {
        "id": "R1",
        "title": "Training",
        "citation": "subd. 3",
        "provisions": ["IV.G.1"],
        "weakened_if": "the training is optional",
        "figures": {"larger": "stronger"},
    }
    (req,) = catalog_from_dict({"model": "m", "requirements": [item]}, "cat.json").requirements
    assert (req.title, req.citation, req.weakened_if, req.figures) == (
        "Training",
        "subd. 3",
        "the training is optional",
        "stronger",
    )


@pytest.mark.parametrize("figures", [{"larger": "longer"}, "weaker"])
def test_a_figure_direction_other_than_weaker_or_stronger_is_refused(figures: object) -> None:
    item = {"id": "R1", "title": "t", "citation": "c", "provisions": ["I"], "figures": figures}
    message = r"cat.json: requirement R1: 'figures' must be \{\"larger\": \"weaker\"\}"
    with pytest.raises(ValueError, match=message):
        catalog_from_dict({"model": "m", "requirements": [item]}, "cat.json")


def test_a_bad_keyword_regex_names_the_pattern() -> None:
    item = {"id": "R1", "title": "t", "citation": "c", "provisions": ["I"], "keywords": ["(a"]}
    with pytest.raises(ValueError, match=r"R1: bad keyword regex '\(a' .*fix the pattern"):
        catalog_from_dict({"model": "m", "requirements": [item]}, "cat.json")


def test_a_candidate_shares_words_across_plurals() -> None:
    # "rules", "fees", "logs" against "rule", "fee", "log": plural and singular count as shared
    model_text = "Post the rules, fees and logs."
    candidate = "The rule, the fee and the log are posted."
    finding = _missing("II.6", candidate)
    finding = Finding(**{**finding.__dict__, "model_text": model_text})
    additions = [Addition("II.6", "", candidate, _loc(25))]
    (result,) = check([finding], additions, Catalog("post-sro", (R07,)))
    assert result.status is RequirementStatus.NEEDS_REVIEW


# ---------------------------------------------------------------- classify: cross-reference context


def test_cross_reference_context_knows_labels_their_tails_and_what_they_are_about() -> None:
    from analyzer.classify import xref_context
    from analyzer.segment import segment_text

    doc = segment_text(
        "POLICY 417\n\n417.1 DEFINITIONS\n\nA. School means a public school.\n\n"
        "417.2 USE OF FORCE\n\nA. The SRO shall use force only as allowed.\n\n"
        "1. Force is a last resort.\n"
    )
    model = segment_text("I. PURPOSE\n\nA. The purpose.\n\nII. FORCE\n\nA. Force rules.\n")
    assert [c.ref for c in doc.clauses] == ["A", "417.2", "417.2.A", "417.2.A.1"]
    # sentence k of clause unit_clauses[k] aligned to aligned_to[k]; None: aligned to nothing
    x = xref_context(doc, model, ["A", "417.2.A.1", "417.2.A"], ["I.A", "II.A", None])
    # every ref, every label's last word, every tail of a labelled ref ("a.1" of "417.2.a.1")
    assert x.doc_refs == {"a", "417.2", "417.2.a", "417.2.a.1", "2", "2.a", "2.a.1", "1", "a.1"}
    assert x.model_refs == {"i", "i.a", "ii", "ii.a"}
    # a clause is about the model sections its sentences (and its children's) aligned to
    force = frozenset({"ii.a"})
    assert x.doc_topics == {
        "a": frozenset({"i.a", "ii.a"}),
        "417.2.a.1": force,
        "2.a.1": force,
        "a.1": force,
        "1": force,
        "417.2.a": force,
        "2.a": force,
        "417.2": force,
        "2": force,
    }


def test_a_catalog_keeps_its_statute_and_refuses_duplicate_ids() -> None:
    item = {"id": "R1", "title": "t", "citation": "c", "provisions": ["I"]}
    catalog = catalog_from_dict({"model": "m", "statute": "626.8482", "requirements": [item]})
    assert catalog.statute == "626.8482"
    with pytest.raises(ValueError, match="cat.json: requirement ids must be unique"):
        catalog_from_dict({"model": "m", "requirements": [item, item]}, "cat.json")


def test_a_long_quote_is_cut_at_a_word_with_an_ellipsis() -> None:
    from analyzer.check import _clip

    assert _clip("one two  three", 13) == "one two three"  # spaces collapsed, fits exactly
    assert _clip("one two three four", 12) == "one two …"


# ---------------------------------------------------------------- modality matched by its verb


def test_two_modals_on_one_verb_are_matched_by_their_objects() -> None:
    old = "The SRO shall notify the principal and may notify the parents."
    new = "The SRO may notify the principal and shall notify the parents."
    assert _explained(old, new) == [
        ("modality", "weakened", "weaker", "obligation weaker: shall → may (notify principal)"),
        (
            "modality",
            "strengthened",
            "stronger",
            "obligation stronger: may → shall (notify parents)",
        ),
    ]


# ---------------------------------------------------------------- check: what the reviewer reads


def test_a_missing_requirement_says_the_document_does_not_address_it() -> None:
    (result,) = check([_missing("II.6", CLOSE)], [], Catalog("post-sro", (R07,)))
    assert result.explanation == (
        "Missing (Minn. Stat. 626.8482, subd. 5(b)(1)): the document has no counterpart to "
        "model IV.A.1.iv, and does not address the point in its own words."
    )


def test_a_candidate_to_review_is_quoted_with_its_place_and_what_would_fall_short() -> None:
    additions = [Addition("II.6", "", CLOSE, _loc(25))]
    (result,) = check([_missing("II.6", CLOSE)], additions, Catalog("post-sro", (R07,)))
    assert result.explanation == (
        "Needs review (Minn. Stat. 626.8482, subd. 5(b)(1)): model IV.A.1.iv is missing from the "
        "document. The nearest candidate is a sentence the document added: document II.6 "
        "(p. 1, line 25): “The department will notify the public that an SRO is present in the "
        "schools.”. A reviewer decides whether it does what Minn. Stat. 626.8482, subd. 5(b)(1) "
        "requires; it falls short if no public notification."
    )


def test_without_a_declared_failure_the_reviewer_is_told_what_falls_short() -> None:
    from dataclasses import replace

    additions = [Addition("II.6", "", CLOSE, _loc(25))]
    catalog = Catalog("post-sro", (replace(R07, weakened_if=""),))
    (result,) = check([_missing("II.6", CLOSE)], additions, catalog)
    assert result.explanation.endswith("it falls short if it drops or softens the obligation.")


def test_a_weakened_requirement_lists_each_problem() -> None:
    findings = [_modified("IV.E.2.ii", _weaker()), _modified("IV.E.2.i", _weaker(), doc_ref="9.1")]
    (result,) = check(findings, [], Catalog("post-sro", (_req("IV.E.2.ii", "IV.E.2.i"),)))
    assert result.explanation == (
        "Weakened (Minn. Stat. 626.8482, subd. 5): "
        "IV.E.2.ii (document 9.2, p. 1, line 12): obligation weaker: shall → should; "
        "IV.E.2.i (document 9.1, p. 1, line 12): obligation weaker: shall → should."
    )
