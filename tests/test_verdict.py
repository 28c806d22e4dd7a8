"""The verdict rule: one fixture per rule (thresholds, statutory, needs-review, identical),
each failing if its rule is deleted; and a model audited against itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import audit_text
from analyzer.model import Addition, Category, Change, Direction, Finding, Location, Status, Verdict
from analyzer.verdict import VerdictRule, decide, is_review, is_weakened
from tests.fixtures_findings import make_finding

ROOT = Path(__file__).resolve().parent.parent
LOC = Location(1, 1, 1, 1)


def finding(ref: str, status: Status = Status.IDENTICAL, *changes: Change) -> Finding:
    if status is Status.MISSING:
        return make_finding(ref, "text", status, substantive=True, changes=changes)
    return make_finding(
        ref,
        "text",
        status,
        substantive=status is Status.MODIFIED,
        similarity=1.0,
        doc_refs=(ref,),
        doc_text="text",
        location=LOC,
        changes=changes,
    )


WEAKER = Change(Category.MODALITY, True, "shall", "may", "weaker", Direction.WEAKER)
STRONGER = Change(Category.MODALITY, True, "may", "shall", "stronger", Direction.STRONGER)
SCOPE = Change(Category.SCOPE, True, "the school", "the county", "scope changed")
CITATION = Change(Category.CITATION, True, "(a)", "(1)", "citation changed")
LONGER = Change(Category.DURATION, True, "three", "ten", "duration changed", Direction.WEAKER)


def req(status: str) -> dict[str, str]:
    return {"title": "Public notification", "citation": "subd. 5", "status": status}


def many(n: int, *extra: Finding) -> list[Finding]:
    return [finding(f"P{k}") for k in range(n)] + list(extra)


def test_identical_when_every_provision_is_word_for_word() -> None:
    verdict, _ = decide(many(5), (), VerdictRule(), [])
    assert verdict is Verdict.IDENTICAL


def test_an_addition_makes_it_substantially_similar_not_identical() -> None:
    adds = [Addition("9", "", "extra", LOC)]
    verdict, reasons = decide(many(5), adds, VerdictRule(), [])
    assert verdict is Verdict.SUBSTANTIALLY_SIMILAR and "1 clause added" in reasons[0]


def test_missing_share_over_the_limit() -> None:
    fs = many(8, finding("M1", Status.MISSING), finding("M2", Status.MISSING))
    assert decide(fs, (), VerdictRule(max_weakened=10), [])[0] is Verdict.NOT_SUBSTANTIALLY_SIMILAR
    assert decide(fs, (), VerdictRule(max_weakened=10, max_missing_ratio=0.5), [])[0] is not (
        Verdict.NOT_SUBSTANTIALLY_SIMILAR
    )


def test_weakened_limit_counts_weakened_provisions() -> None:
    weak = [finding(f"W{k}", Status.MODIFIED, WEAKER) for k in range(4)]
    fs = many(40, *weak)
    assert decide(fs, (), VerdictRule(), [])[0] is Verdict.NOT_SUBSTANTIALLY_SIMILAR
    assert decide(fs[:-1], (), VerdictRule(), [])[0] is Verdict.SUBSTANTIALLY_SIMILAR


def test_a_longer_interval_is_counted_by_the_verdict() -> None:
    fs = many(40, *[finding(f"D{k}", Status.MODIFIED, LONGER) for k in range(4)])
    verdict, reasons = decide(fs, (), VerdictRule(), [])
    assert verdict is Verdict.NOT_SUBSTANTIALLY_SIMILAR
    assert any("4 provisions weakened" in r for r in reasons)


def test_a_stronger_change_is_not_weakened() -> None:
    assert not is_weakened(finding("S", Status.MODIFIED, STRONGER))
    fs = many(40, *[finding(f"S{k}", Status.MODIFIED, STRONGER) for k in range(5)])
    assert decide(fs, (), VerdictRule(), [])[0] is Verdict.SUBSTANTIALLY_SIMILAR


def test_statutory_requirement_missing_decides() -> None:
    verdict, reasons = decide(many(5), (), VerdictRule(), [req("missing")])
    assert verdict is Verdict.NOT_SUBSTANTIALLY_SIMILAR
    assert reasons[0].startswith("statutory requirements not met: Public notification")


def test_no_statutory_ignores_requirements_and_says_so() -> None:
    rule = VerdictRule(statutory=False)
    verdict, reasons = decide(
        many(5, finding("X", Status.MODIFIED, SCOPE)), (), rule, [req("missing")]
    )
    assert verdict is Verdict.SUBSTANTIALLY_SIMILAR
    assert "no statutory requirement" not in reasons[-1]
    assert "not considered (--no-statutory)" in reasons[-1]


def test_with_statutory_the_rule_says_none_failed() -> None:
    _, reasons = decide(many(5, finding("X", Status.MODIFIED, STRONGER)), (), VerdictRule(), [])
    assert "no statutory requirement missing, weakened or in need of review" in reasons[-1]


def test_requirement_needing_review_makes_the_verdict_needs_review() -> None:
    verdict, reasons = decide(many(5), (), VerdictRule(), [req("needs-review")])
    assert verdict is Verdict.NEEDS_REVIEW
    assert reasons[0].startswith("statutory requirements a reviewer must judge: Public")


def test_review_findings_that_could_tip_the_limit_make_it_needs_review() -> None:
    fs = many(40, *[finding(f"R{k}", Status.MODIFIED, SCOPE) for k in range(4)])
    verdict, reasons = decide(fs, (), VerdictRule(), [])
    assert verdict is Verdict.NEEDS_REVIEW
    assert "R0, R1, R2, R3" in reasons[0] and "exceed the limit of 3" in reasons[0]
    assert decide(fs[:-1], (), VerdictRule(), [])[0] is Verdict.SUBSTANTIALLY_SIMILAR


def test_citation_changes_are_shown_but_do_not_tip_the_verdict() -> None:
    fs = many(40, *[finding(f"C{k}", Status.MODIFIED, CITATION) for k in range(5)])
    assert not is_review(fs[-1])
    assert decide(fs, (), VerdictRule(), [])[0] is Verdict.SUBSTANTIALLY_SIMILAR


def test_not_substantially_similar_wins_over_needs_review() -> None:
    verdict, _ = decide(many(5), (), VerdictRule(), [req("needs-review"), req("weakened")])
    assert verdict is Verdict.NOT_SUBSTANTIALLY_SIMILAR


@pytest.mark.parametrize("model_id", ["post-sro", "msba-507.5"])
def test_a_model_audited_against_itself_is_identical(model_id: str) -> None:
    text = (ROOT / "model_policy" / f"{model_id}.txt").read_text(encoding="utf-8")
    data = audit_text(text, model=model_id)
    assert data["verdict"] == "identical" and data["additions"] == []
    assert all(p["status"] == "identical" and not p["changes"] for p in data["provisions"])
    assert {r["status"] for r in data["requirements"]} == {"met"}


def test_every_change_in_the_audit_json_has_an_effect() -> None:
    text = (ROOT / "corpus" / "lakeville-pd-417.txt").read_text(encoding="utf-8")
    data = audit_text(text, model="post-sro")
    effects = {c["effect"] for p in data["provisions"] for c in p["changes"]}
    assert effects <= {"weakened", "strengthened", "needs-review", "equivalent"} and effects


def test_lakeville_acceptance_wording_edits_are_not_weakened() -> None:
    text = (ROOT / "corpus" / "lakeville-pd-417.txt").read_text(encoding="utf-8")
    data = audit_text(text, model="post-sro")
    by_ref = {p["model_ref"]: p for p in data["provisions"]}
    for ref in ("IV.A", "IV.G.3", "IV.G.4", "IV.H.1"):
        assert {c["effect"] for c in by_ref[ref]["changes"]} <= {"equivalent", "needs-review"}, ref
    failing = [r["id"] for r in data["requirements"] if r["status"] in ("missing", "weakened")]
    assert failing in ([], ["R07-public-notification"])
    assert data["verdict"] in ("needs-review", "not-substantially-similar")


def test_st_louis_park_typo_is_editorial() -> None:
    text = (ROOT / "corpus" / "st-louis-park-isd283-507.5.txt").read_text(encoding="utf-8")
    data = audit_text(text, model="msba-507.5")
    typo = [
        c
        for p in data["provisions"]
        for c in p["changes"]
        if "school resources officer" in c["doc_text"].lower()
    ]
    assert typo and all(c["effect"] == "equivalent" and not c["substantive"] for c in typo)
