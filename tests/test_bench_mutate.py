"""The benchmark's variant generator: deterministic, complete, and honest about its labels."""

from __future__ import annotations

import re

import pytest

from analyzer.segment import segment_text
from bench.mutate import KINDS, ROOT, generate, provisions

MODELS = ("post-sro", "msba-507.5")
# msba-507.5 never writes "SRO's"/"SROs", so the possessive edit has nothing to act on.
NOT_APPLICABLE = {"post-sro": set(), "msba-507.5": {"possessive"}}


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module", params=MODELS)
def batch(request: pytest.FixtureRequest) -> tuple[str, list]:
    return request.param, generate(request.param, 50, 11)


def test_same_seed_same_variants() -> None:
    a, b = generate("post-sro", 6, 3), generate("post-sro", 6, 3)
    assert [v.text for v in a] == [v.text for v in b]
    assert [v.truth for v in a] == [v.truth for v in b]
    assert [v.text for v in generate("post-sro", 6, 4)] != [v.text for v in a]


def test_every_kind_appears(batch: tuple[str, list]) -> None:
    model_id, variants = batch
    seen = {kind for v in variants for kind in v.truth["kinds"]}
    assert set(KINDS) - NOT_APPLICABLE[model_id] <= seen


def test_truth_keys_are_model_refs(batch: tuple[str, list]) -> None:
    model_id, variants = batch
    text = (ROOT / "model_policy" / f"{model_id}.txt").read_text(encoding="utf-8")
    refs = {c.ref for c in segment_text(text).clauses if c.text.strip()}
    assert set(provisions(model_id)) == refs
    for v in variants:
        assert set(v.truth["provisions"]) == refs
        assert {p["expect"] for p in v.truth["provisions"].values()} <= {
            "identical",
            "benign",
            "missing",
            "substantive",
            "paraphrase",
        }


def test_deleted_provisions_are_gone(batch: tuple[str, list]) -> None:
    model_id, variants = batch
    model = provisions(model_id)
    deleted = 0
    for v in variants:
        flat = _flat(v.text)
        for ref, label in v.truth["provisions"].items():
            if label["expect"] == "missing":
                deleted += 1
                assert _flat(model[ref]) not in flat, (v.id, ref)
    assert deleted > 0


def test_untouched_and_moved_provisions_are_present(batch: tuple[str, list]) -> None:
    model_id, variants = batch
    model = provisions(model_id)
    for v in variants:
        if "wrap" in v.truth["kinds"] or "page_headers" in v.truth["kinds"]:
            continue
        flat = _flat(v.text)
        for ref, label in v.truth["provisions"].items():
            if label["expect"] == "identical" and "agency_name" not in v.truth["kinds"]:
                assert _flat(model[ref]) in flat, (v.id, ref)
        for added in v.truth["additions"]:
            assert added in flat, v.id


def test_substantive_labels_carry_a_category(batch: tuple[str, list]) -> None:
    _, variants = batch
    for v in variants:
        for label in v.truth["provisions"].values():
            if label["expect"] == "substantive":
                assert label["categories"] and set(label["categories"]) <= set(label["accept"])
            if "modality" in label["categories"]:
                assert label["direction"] in ("weaker", "stronger")


def test_deletions_stay_below_fifteen_percent(batch: tuple[str, list]) -> None:
    model_id, variants = batch
    cap = max(1, int(0.15 * len(provisions(model_id))))
    for v in variants:
        missing = [p for p in v.truth["provisions"].values() if p["expect"] == "missing"]
        assert len(missing) <= cap
