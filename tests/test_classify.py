"""Classification of single differences: each category, direction and substantive flag."""

from __future__ import annotations

import pytest

from analyzer.baselines import load_model
from analyzer.classify import classify
from analyzer.normalize import build_normalizer

MODEL = load_model("post-sro")


def _changes(old: str, new: str) -> list[tuple[str, bool, str | None]]:
    n = build_normalizer(MODEL, new)
    result = classify(old, new, n)
    return [
        (str(c.category), c.substantive, c.direction and str(c.direction)) for c in result.changes
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("The SRO shall assess the student.", "The SRO should assess the student.",
         [("modality", True, "weaker")]),
        ("SROs should consider referral.", "SROs must consider referral.",
         [("modality", True, "stronger")]),
        ("The SRO must use force only as needed.", "The SRO must not use force only as needed.",
         [("negation", True, None)]),
        ("fewer than 60 student contact days", "fewer than 90 student contact days",
         [("number", True, None)]),
        ("once every three years.", "once every five years.", [("duration", True, None)]),
        ("before June 1, 2027.", "before June 1, 2028.", [("date", True, None)]),
        ("Minn. Stat. 626.8482, Subd. 4", "Minn. Stat. 626.8482, Subd. 5",
         [("citation", True, None)]),
        ("paragraph (a), clause (4)", "paragraph (c), clause (4)", [("citation", True, None)]),
        ("contract with a school district or charter school",
         "contract with impacted schools", [("scope", True, None)]),
        ("render aid as reasonably appears", "render aid as reasonable appears",
         [("wording", False, None)]),
    ],
)  # fmt: skip
def test_categories(old: str, new: str, expected: list[tuple[str, bool, str | None]]) -> None:
    assert _changes(old, new) == expected


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
    assert all(not sub for _, sub, _ in _changes(old, new))


def test_agency_name_is_a_declared_substitution() -> None:
    old = "the law enforcement agency shall define the duties"
    new = "the Duluth Police Department shall define the duties"
    assert _changes(old, new) == [("entity", False, None)]


def test_dangling_internal_reference() -> None:
    from analyzer.classify import XrefContext

    n = build_normalizer(MODEL, "")
    xref = XrefContext(frozenset({"iv.a", "iv.b"}), {}, frozenset({"iv.a", "iv.b"}), "IV.A.2")
    result = classify("described in paragraph IV.A.", "described in paragraph IV.Q.", n, xref=xref)
    (change,) = [c for c in result.changes if c.substantive]
    assert str(change.category) == "cross-reference" and "IV.Q" in change.explanation
