"""Classification of single differences: one small fixture per rule of classify/detectors,
named after the case it handles; each fails if its rule is deleted."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.baselines import load_model
from analyzer.classify import XrefContext, classify, redline_pairs
from analyzer.normalize import build_normalizer

MODEL = load_model("post-sro")
Row = tuple[str, bool, str | None, str]


def _changes(old: str, new: str, xref: XrefContext | None = None) -> list[Row]:
    n = build_normalizer(MODEL, new)
    result = classify(old, new, n, xref=xref)
    return [
        (str(c.category), c.substantive, c.direction and str(c.direction), str(c.effect))
        for c in result.changes
    ]


def _one(old: str, new: str, xref: XrefContext | None = None) -> Row:
    (row,) = _changes(old, new, xref)
    return row


# ---------------------------------------------------------------- modality


def test_modal_made_weaker() -> None:
    row = _one("The SRO shall assess the student.", "The SRO should assess the student.")
    assert row == ("modality", True, "weaker", "weakened")


def test_modal_made_stronger() -> None:
    row = _one("SROs should consider referral.", "SROs must consider referral.")
    assert row == ("modality", True, "stronger", "strengthened")


def test_modal_dropped_is_a_weaker_modality() -> None:
    row = _one("the SRO shall assess the condition", "the SRO assess the condition")
    assert row == ("modality", True, "weaker", "weakened")


def test_modal_dropped_with_inflection() -> None:
    row = _one("the SRO shall assess the condition", "the SRO assesses the condition")
    assert row == ("modality", True, "weaker", "weakened")


def test_modal_added_is_a_stronger_modality() -> None:
    row = _one("the SRO assesses the condition", "the SRO must assess the condition")
    assert row == ("modality", True, "stronger", "strengthened")


def test_modal_anchored_on_its_verb_when_the_hunk_is_long() -> None:
    old = "The SRO shall assess the condition of the student and render aid as needed."
    new = "The officer may assess the condition of every pupil involved and render aid."
    rows = _changes(old, new)
    assert ("modality", True, "weaker", "weakened") in rows


def test_must_and_shall_are_the_same_obligation() -> None:
    assert _changes("The SRO must report it.", "The SRO shall report it.") == [
        ("wording", False, None, "equivalent")
    ]


# ---------------------------------------------------------------- negation


def test_negation_added() -> None:
    row = _one(
        "The SRO must use force only as needed.", "The SRO must not use force only as needed."
    )
    assert row == ("negation", True, None, "weakened")


def test_negation_removed() -> None:
    row = _one("is not obligated to complete the training", "is obligated to complete the training")
    assert row[0] == "negation" and row[3] == "weakened"


def test_negation_is_counted_not_just_present() -> None:
    # both sides hold a negation word, but the document has one more
    row = _one("shall not use force and not detain", "shall not use force and not never detain")
    assert row[0] == "negation"


# ---------------------------------------------------------------- figures and their direction


def test_longer_interval_is_weaker() -> None:
    row = _one("training once every three years.", "training once every ten years.")
    assert row == ("duration", True, "weaker", "weakened")


def test_shorter_interval_is_stronger() -> None:
    row = _one("training once every three years.", "training once every two years.")
    assert row == ("duration", True, "stronger", "strengthened")


def test_longer_time_limit_is_weaker() -> None:
    row = _one(
        "complete it within six months of starting", "complete it within nine months of starting"
    )
    assert row == ("duration", True, "weaker", "weakened")


def test_wider_exemption_threshold_is_weaker() -> None:
    row = _one("fewer than 60 student contact days", "fewer than 90 student contact days")
    assert row == ("number", True, "weaker", "weakened")


def test_at_least_larger_is_stronger() -> None:
    row = _one("at least 40 hours of training", "at least 60 hours of training")
    assert row == ("duration", True, "stronger", "strengthened")


def test_figure_without_a_cue_needs_review() -> None:
    row = _one("a team of 5 officers", "a team of 3 officers")
    assert row == ("number", True, None, "needs-review")


def test_later_deadline_is_weaker() -> None:
    row = _one("before June 1, 2027.", "before June 1, 2028.")
    assert row == ("date", True, "weaker", "weakened")


def test_earlier_deadline_is_stronger() -> None:
    row = _one("before June 1, 2027.", "before January 1, 2027.")
    assert row == ("date", True, "stronger", "strengthened")


def test_figure_moved_within_the_provision_is_no_change() -> None:
    rows = _changes("by June 1, 2027, complete the course", "complete the course by June 1, 2027")
    assert all(r[3] == "equivalent" for r in rows)


def test_statute_section_change_is_a_citation() -> None:
    row = _one("Minn. Stat. 626.8482, Subd. 4", "Minn. Stat. 626.8482, Subd. 5")
    assert row == ("citation", True, None, "needs-review")


def test_lettered_citation_change() -> None:
    row = _one("paragraph (a), clause (4)", "paragraph (c), clause (4)")
    assert row[0] == "citation"


def test_reference_number_added_is_not_substantive() -> None:
    rows = _changes("the Use of Force Policy applies.", "the Use of Force Policy #106 applies.")
    assert rows == [("cross-reference", False, None, "equivalent")]


# ---------------------------------------------------------------- cross-references


def _xref(provision: str = "IV.A.2") -> XrefContext:
    refs = frozenset({"iv.a", "iv.b", "iv.e", "iv.g"})
    return XrefContext(refs, {"iv.b": frozenset({"iv.b"})}, refs, provision)


def test_dangling_internal_reference() -> None:
    n = build_normalizer(MODEL, "")
    result = classify(
        "described in paragraph IV.A.", "described in paragraph IV.Q.", n, xref=_xref()
    )
    (change,) = [c for c in result.changes if c.substantive]
    assert str(change.category) == "cross-reference" and "IV.Q" in change.explanation
    assert str(change.effect) == "needs-review"


def test_internal_reference_changed_within_the_model_scheme() -> None:
    x = XrefContext(frozenset({"iv.a", "iv.e"}), {}, frozenset({"iv.a", "iv.e"}), "IV.A.2")
    row = _one("described in paragraph IV.A.", "described in paragraph IV.E.", x)
    assert row[:2] == ("cross-reference", True) and row[3] == "needs-review"


def test_internal_reference_pointing_at_another_topic() -> None:
    x = XrefContext(
        frozenset({"iv.a", "417.2"}), {"417.2": frozenset({"iv.e"})}, frozenset({"iv.a"}), "IV.G.1"
    )
    row = _one("described in paragraph IV.A.", "described in paragraph 417.2.", x)
    assert row[:2] == ("cross-reference", True)


def test_internal_reference_renumbered_to_the_same_topic() -> None:
    x = XrefContext(
        frozenset({"iv.a", "417.2"}), {"417.2": frozenset({"iv.a"})}, frozenset({"iv.a"}), "IV.G.1"
    )
    row = _one("described in paragraph IV.A.", "described in paragraph 417.2.", x)
    assert row == ("cross-reference", False, None, "equivalent")


# ---------------------------------------------------------------- parties, names, self-reference


def test_agency_name_is_a_declared_substitution() -> None:
    old = "the law enforcement agency shall define the duties"
    new = "the Duluth Police Department shall define the duties"
    assert _changes(old, new) == [("entity", False, None, "equivalent")]


def test_agency_placeholder_filled_with_more_names() -> None:
    old = "employed by [AGENCY NAME] should be"
    new = "employed by (Hutchinson Public Schools ISD 423/Hutchinson Police Department) should be"
    assert {r[3] for r in _changes(old, new)} == {"equivalent"}


def test_adopters_own_names_for_the_school_party() -> None:
    rows = _changes(
        "contract with a school district or charter school shall",
        "contract with impacted schools shall",
    )
    assert rows == [("entity", False, None, "equivalent")]


def test_adopters_own_names_for_both_parties_with_must_for_shall() -> None:
    old = "The contract between the school district and the law enforcement agency must address"
    new = "The contract between the Lakeville Police Department and impacted schools shall address"
    assert {r[3] for r in _changes(old, new)} == {"equivalent"}


def test_another_party_is_a_scope_change_that_needs_review() -> None:
    row = _one("notify the parents and the principal", "notify the chief and the sheriff deputies")
    assert row[:2] == ("scope", True) and row[3] == "needs-review"


def test_self_reference_subdivision_6_policy_is_this_policy() -> None:
    old = (
        "must review and comply with any policy adopted pursuant to subdivision 6 by the law "
        "enforcement agency that employs the substitute school resource officer."
    )
    new = "must review and comply with this policy."
    rows = _changes(old, new)
    assert rows == [("entity", False, None, "equivalent")]


def test_self_reference_with_the_statute_section() -> None:
    old = (
        "must review any policy adopted by the officer's employer pursuant to section "
        "626.8482, subdivision 6 before"
    )
    new = "must review this policy before"
    assert {r[3] for r in _changes(old, new)} == {"equivalent"}


# ---------------------------------------------------------------- scope and wording


def test_words_removed_are_a_weakening_scope_change() -> None:
    row = _one("notify the student, the parents and the principal.", "notify the student.")
    assert row[:2] == ("scope", True) and row[3] == "weakened"


def test_words_added_need_review() -> None:
    row = _one("notify the student.", "notify the student, the parents and the principal.")
    assert row[:2] == ("scope", True) and row[3] == "needs-review"


def test_long_rewrite_goes_straight_to_scope() -> None:
    old = "the SRO shall refer violations of school rules to the principal for discipline"
    new = "the officer handles each incident of misconduct, arrest, citation, detention alone"
    assert any(r[0] == "scope" for r in _changes(old, new))


def test_typo_in_a_multiword_name_is_editorial() -> None:
    row = _one("a school resource officer is", "a school resources officer is")
    assert row == ("wording", False, None, "equivalent")


def test_typo_in_one_word_is_editorial() -> None:
    assert _one("render aid as reasonably appears", "render aid as reasonable appears") == (
        "wording",
        False,
        None,
        "equivalent",
    )


def test_typo_rule_does_not_absorb_a_changed_figure() -> None:
    row = _one("fewer than 60 student contact days", "fewer than 69 student contact days")
    assert row[0] == "number"


def test_words_moved_within_the_provision() -> None:
    rows = _changes(
        "Officers shall promptly report and document the use of force.",
        "Officers shall document and promptly report the use of force.",
    )
    assert {r[3] for r in rows} == {"equivalent"}


def test_reworded_around_a_name() -> None:
    old = "as assigned by the chief law enforcement officer."
    new = "as directed by the Chief of Police."
    assert {r[3] for r in _changes(old, new)} == {"equivalent"}


def test_two_word_rewording_without_parties_is_editorial() -> None:
    row = _one("tactics that minimize force", "tactics that reduce force")
    assert row == ("wording", False, None, "equivalent")


def test_punctuation_only() -> None:
    assert _one("the SRO, the school and the agency", "the SRO, the school, and the agency")[3] == (
        "equivalent"
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("fewer than 60 student contact days", "fewer than sixty (60) student contact days"),
        ("Minn. Stat. 626.8482", "MSS 626.8482"),
        ("Minn. Stat. 626.8482", "Minnesota Statutes, section 626.8482"),
        ("SRO's should", "SROs should"),
        ("An SRO will", "A SRO will"),
        ("the \u201cschool\u201d means", 'the "school" means'),
    ],
)
def test_benign_edits_are_not_changes(old: str, new: str) -> None:
    assert all(not sub for _, sub, _, _ in _changes(old, new))


def test_every_change_gets_one_effect() -> None:
    old = "The SRO shall assess the student within six months, as in paragraph IV.A."
    new = "The officer may assess each pupil within nine months, as in paragraph IV.Q."
    assert all(
        r[3] in {"weakened", "strengthened", "needs-review", "equivalent"}
        for r in _changes(old, new)
    )


# ---------------------------------------------------------------- redline and properties


def test_one_word_island_between_changes_is_merged() -> None:
    n = build_normalizer(MODEL, "")
    a = n.tokens("alpha beta delta gamma epsilon eta theta zeta")
    b = n.tokens("one two three gamma four five six zeta")
    tags = [op[0] for op in redline_pairs(a, b)]
    assert tags == ["replace", "equal"]


PROVISIONS = [c.text for c in MODEL.tree.clauses if c.text.strip()]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(PROVISIONS), st.sampled_from(["", " ", "\n"]))
def test_a_provision_against_itself_is_identical(text: str, pad: str) -> None:
    result = classify(text, pad + text + pad, build_normalizer(MODEL, text))
    assert str(result.status) == "identical" and result.changes == ()


def test_figure_direction_declared_for_the_provision() -> None:
    from dataclasses import replace

    from analyzer.effects import default_rules

    rules = replace(default_rules(), figures={"IV.X": "weaker"})
    n = build_normalizer(MODEL, "")
    x = XrefContext(provision_ref="IV.X")
    result = classify("a team of 5 officers", "a team of 8 officers", n, xref=x, rules=rules)
    (change,) = result.changes
    assert (str(change.direction), str(change.effect)) == ("weaker", "weakened")


def test_relative_reference_resolved_by_the_path_it_is_the_tail_of() -> None:
    refs = frozenset({"3.e.2", "3.f.2", "e.2", "f.2"})
    topics = {"3.e.2": frozenset({"iv.e"}), "3.f.2": frozenset({"iv.f"})}
    x = XrefContext(refs, topics, frozenset({"iv.e.2", "iv.f.2", "iv.g.1"}), "IV.G.1")
    row = _one("as in paragraphs E.2. below", "as in paragraphs F.2. below", x)
    assert row[:2] == ("cross-reference", True)
    same = _changes("as in paragraphs E.2. below", "as in paragraphs E.2. below", x)
    assert same == []
