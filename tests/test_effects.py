"""The effects table and the figure directions: each rule row and each direction rule has a
fixture named after its case; the loader names the file and the fix on bad data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.check import Catalog, Requirement
from analyzer.effects import (
    assign,
    default_rules,
    figure_direction,
    needs_review,
    rules_from_dict,
    weakens,
    with_catalog,
)
from analyzer.model import Category, Change, Direction, Effect

ROOT = Path(__file__).resolve().parent.parent
RULES = default_rules()


def effect(
    category: Category,
    direction: Direction | None = None,
    model: str = "a",
    doc: str = "b",
    substantive: bool = True,
) -> Effect | None:
    return assign(Change(category, substantive, model, doc, "", direction), RULES).effect


@pytest.mark.parametrize(
    ("category", "direction", "model", "doc", "expected"),
    [
        (Category.MODALITY, Direction.WEAKER, "a", "b", Effect.WEAKENED),
        (Category.MODALITY, Direction.STRONGER, "a", "b", Effect.STRENGTHENED),
        (Category.MODALITY, None, "a", "b", Effect.NEEDS_REVIEW),
        (Category.NEGATION, None, "a", "b", Effect.WEAKENED),
        (Category.NUMBER, Direction.WEAKER, "a", "b", Effect.WEAKENED),
        (Category.NUMBER, Direction.STRONGER, "a", "b", Effect.STRENGTHENED),
        (Category.NUMBER, None, "a", "b", Effect.NEEDS_REVIEW),
        (Category.DURATION, Direction.WEAKER, "a", "b", Effect.WEAKENED),
        (Category.DURATION, Direction.STRONGER, "a", "b", Effect.STRENGTHENED),
        (Category.DURATION, None, "a", "b", Effect.NEEDS_REVIEW),
        (Category.DATE, Direction.WEAKER, "a", "b", Effect.WEAKENED),
        (Category.DATE, Direction.STRONGER, "a", "b", Effect.STRENGTHENED),
        (Category.DATE, None, "a", "b", Effect.NEEDS_REVIEW),
        (Category.CITATION, None, "a", "b", Effect.NEEDS_REVIEW),
        (Category.CROSS_REFERENCE, None, "a", "b", Effect.NEEDS_REVIEW),
        (Category.SCOPE, None, "a", "", Effect.WEAKENED),
        (Category.SCOPE, None, "", "b", Effect.NEEDS_REVIEW),
        (Category.SCOPE, None, "a", "b", Effect.NEEDS_REVIEW),
        (Category.ENTITY, None, "a", "b", Effect.EQUIVALENT),
        (Category.WORDING, None, "a", "b", Effect.EQUIVALENT),
    ],
)
def test_rules_table_row(
    category: Category, direction: Direction | None, model: str, doc: str, expected: Effect
) -> None:
    assert effect(category, direction, model, doc) is expected


def test_editorial_cross_reference_is_equivalent() -> None:
    assert effect(Category.CROSS_REFERENCE, substantive=False) is Effect.EQUIVALENT


def test_the_table_sets_substantive() -> None:
    change = assign(Change(Category.WORDING, True, "a", "b", ""), RULES)
    assert change.substantive is False and change.effect_reason


def test_assign_keeps_an_assigned_effect() -> None:
    done = Change(Category.SCOPE, True, "a", "b", "", effect=Effect.EQUIVALENT)
    assert assign(done, RULES) is done


def test_no_matching_rule_needs_review() -> None:
    rules = rules_from_dict({"rules": [{"category": "wording", "effect": "equivalent"}]})
    change = assign(Change(Category.SCOPE, True, "a", "b", ""), rules)
    assert change.effect is Effect.NEEDS_REVIEW and "no rule" in change.effect_reason


def test_weakens_is_the_effect() -> None:
    assert weakens(Change(Category.MODALITY, True, "shall", "may", "", Direction.WEAKER))
    assert not weakens(Change(Category.SCOPE, True, "a", "b", ""))


def test_citation_review_does_not_count_for_requirements() -> None:
    assert not needs_review(Change(Category.CITATION, True, "a", "b", ""), RULES)
    assert needs_review(Change(Category.SCOPE, True, "a", "b", ""), RULES)


# ---------------------------------------------------------------- figure directions


@pytest.mark.parametrize(
    ("before", "old", "new", "expected"),
    [
        (["once", "every"], ["3"], ["10"], Direction.WEAKER),
        (["once", "every"], ["3"], ["2"], Direction.STRONGER),
        (["within"], ["6", "months"], ["1", "year"], Direction.WEAKER),
        (["fewer", "than"], ["60"], ["30"], Direction.STRONGER),
        (["at", "least"], ["40"], ["20"], Direction.WEAKER),
        (["no", "fewer", "than"], ["40"], ["60"], Direction.STRONGER),  # longest cue wins
        (["team", "of"], ["5"], ["3"], None),
    ],
)
def test_figure_direction_from_cues(
    before: list[str], old: list[str], new: list[str], expected: Direction | None
) -> None:
    got = figure_direction(Category.DURATION, old, new, before, RULES, unit="years")
    assert got is expected


def test_later_date_is_weaker_and_earlier_stronger() -> None:
    a = ["before", "june", "1", "2027"]
    assert figure_direction(Category.DATE, a, ["before", "june", "1", "2028"], [], RULES) is (
        Direction.WEAKER
    )
    assert figure_direction(Category.DATE, a, ["before", "may", "1", "2027"], [], RULES) is (
        Direction.STRONGER
    )


def test_declared_direction_wins_over_cues() -> None:
    got = figure_direction(Category.NUMBER, ["5"], ["3"], ["within"], RULES, declared="stronger")
    assert got is Direction.WEAKER  # smaller figure, larger is stronger: weaker


def test_catalog_declares_figures_per_provision() -> None:
    req = Requirement("R", "t", "c", ("IV.X",), figures="stronger")
    rules = with_catalog(RULES, Catalog("m", (req,)))
    assert rules.figures == {"IV.X": "stronger"}


# ---------------------------------------------------------------- loading


def test_bundled_table_loads_and_covers_every_category() -> None:
    data = json.loads((ROOT / "model_policy" / "effects.json").read_text(encoding="utf-8"))
    rules = rules_from_dict(data, "effects.json")
    assert {r.category for r in rules.rules} == set(Category)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "'rules' must be a non-empty list"),
        ({"rules": ["x"]}, "each rule must be an object"),
        ({"rules": [{"category": "colour", "effect": "weakened"}]}, "known 'category'"),
        ({"rules": [{"category": "scope", "effect": "weakened", "shape": "odd"}]}, "shape"),
        ({"rules": [{"category": "scope", "effect": "weakened", "detected": "?"}]}, "detected"),
        (
            {
                "rules": [{"category": "scope", "effect": "weakened"}],
                "self_reference": {"patterns": ["("]},
            },
            "bad self_reference pattern",
        ),
    ],
)
def test_bad_effects_files_name_the_file_and_the_fix(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match="effects.json") as info:
        rules_from_dict(data, "effects.json")
    assert message in str(info.value) and "fix the effects file" in str(info.value)


def test_a_malformed_effects_file_is_a_one_line_config_error(tmp_path: Path) -> None:
    from analyzer.effects import load_rules
    from analyzer.errors import ConfigError

    (tmp_path / "effects.json").write_text('{"rules": [{"category": "nope"}]}', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_rules(tmp_path)
    message = str(info.value)
    assert str(tmp_path / "effects.json") in message and "fix the effects file" in message
    assert "\n" not in message
    (tmp_path / "effects.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="effects table is not valid JSON"):
        load_rules(tmp_path)
