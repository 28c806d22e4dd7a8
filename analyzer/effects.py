"""Effects: what each change does to an obligation, from a declared rules table.

Every change gets exactly one effect (``weakened``, ``strengthened``, ``needs-review``,
``equivalent``) and its substantive flag from ``model_policy/effects.json``: the first rule
whose category, direction (weaker | stronger | none) and shape (removed | added | changed)
match (a rule may also key on what the detector said: ``detected``: substantive |
editorial). The same file declares the word lists the judgment reads: figure cues (which way a
number, duration or date asks less), the adopter's names for the model's parties, the ways a
policy names itself, the typo limits and the needs-review thresholds. A requirement catalog
may declare the direction of the figures of its provisions (``"figures": {"larger":
"weaker"}``), which wins over the cue words.

``weakens(change)`` is the one definition of a weakening change: the checklist, the verdict
and the compare summary all use it.

The table is read once per run by the context (``Context.rules()``); ``default_rules()`` is the
default context's table, for callers that were given none.

Exports: EffectRule, EffectRules, rules_from_dict(data, source), load_rules(path),
default_rules(), with_catalog(rules, catalog), assign(change, rules) -> Change,
assign_all(changes, rules) -> tuple[Change, ...], weakens(change) -> bool,
needs_review(change, rules) -> bool, figure_direction(...) -> Direction | None.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .model import Category, Change, Direction, Effect

if TYPE_CHECKING:
    from .check import Catalog

__all__ = [
    "EffectRule",
    "EffectRules",
    "rules_from_dict",
    "load_rules",
    "default_rules",
    "with_catalog",
    "assign",
    "assign_all",
    "weakens",
    "needs_review",
    "figure_direction",
]

_SHAPES = ("removed", "added", "changed", "*")
_DIRECTIONS = ("weaker", "stronger", "none", "*")


@dataclass(frozen=True)
class EffectRule:
    """One row of the table: category x direction x shape -> effect, substantive."""

    category: Category
    direction: str
    shape: str
    effect: Effect
    substantive: bool
    reason: str
    counts: bool = True  # a needs-review change of this kind can decide a requirement
    detected: str = "*"  # what the detector said: substantive | editorial | *

    def matches(self, change: Change) -> bool:
        direction = str(change.direction) if change.direction else "none"
        detected = "substantive" if change.substantive else "editorial"
        return (
            self.category is change.category
            and self.direction in ("*", direction)
            and self.shape in ("*", shape_of(change))
            and self.detected in ("*", detected)
        )


@dataclass(frozen=True)
class EffectRules:
    """The effects table and the word lists of the judgment (see the module docstring)."""

    rules: tuple[EffectRule, ...]
    weaker_cues: tuple[tuple[str, ...], ...] = ()  # a larger figure after these asks less
    stronger_cues: tuple[tuple[str, ...], ...] = ()
    unit_days: Mapping[str, float] = field(default_factory=dict)
    party_classes: Mapping[tuple[str, ...], str] = field(default_factory=dict)
    qualifiers: frozenset[str] = frozenset()
    connectors: frozenset[str] = frozenset()
    equal_modals: Mapping[str, str] = field(default_factory=dict)
    self_reference: tuple[re.Pattern[str], ...] = ()
    self_anchors: frozenset[str] = frozenset()  # a text without one of these names no policy
    typo_max_edits: int = 2
    typo_min_ratio: float = 85.0
    typo_min_chars: int = 6
    review_min_overlap: float = 0.5
    review_min_shared: int = 3
    stem: int = 5
    figures: Mapping[str, str] = field(default_factory=dict)  # provision ref -> larger is ...
    source: str = "<effects>"

    def rule_for(self, change: Change) -> EffectRule | None:
        return next((r for r in self.rules if r.matches(change)), None)


def shape_of(change: Change) -> str:
    """removed: the document drops the model's words; added: the reverse; else changed."""
    if not change.doc_text.strip():
        return "removed"
    if not change.model_text.strip():
        return "added"
    return "changed"


# ---------------------------------------------------------------- loading


def _fail(source: str, what: str) -> ValueError:
    return ValueError(f"{source}: {what}; fix the effects file.")


def rules_from_dict(data: Mapping[str, Any], source: str = "<effects>") -> EffectRules:
    """Build the rules from parsed JSON; a ValueError names the file and the field."""
    rows = data.get("rules")
    if not isinstance(rows, list) or not rows:
        raise _fail(source, "'rules' must be a non-empty list")
    rules = tuple(_rule(row, source) for row in rows)
    cues = data.get("figure_cues", {})
    parties = data.get("parties", {})
    classes: dict[tuple[str, ...], str] = {}
    for name, phrases in dict(parties.get("classes", {})).items():
        for phrase in phrases:
            classes[tuple(str(phrase).lower().split())] = str(name)
    modals: dict[str, str] = {}
    for group in parties.get("equal_modals", []):
        for word in group:
            modals[str(word)] = f"<{group[0]}>"
    patterns = []
    for pattern in dict(data.get("self_reference", {})).get("patterns", []):
        try:
            patterns.append(re.compile(rf"(?<!\S){pattern}(?!\S)"))
        except re.error as exc:
            raise _fail(source, f"bad self_reference pattern {pattern!r} ({exc})") from exc
    typo = dict(data.get("typo", {}))
    review = dict(data.get("review", {}))
    try:
        return EffectRules(
            rules=rules,
            weaker_cues=_phrases(cues.get("larger_is_weaker", [])),
            stronger_cues=_phrases(cues.get("larger_is_stronger", [])),
            unit_days={str(k): float(v) for k, v in dict(data.get("unit_days", {})).items()},
            party_classes=classes,
            qualifiers=frozenset(parties.get("qualifiers", [])),
            connectors=frozenset(parties.get("connectors", [])),
            equal_modals=modals,
            self_reference=tuple(patterns),
            self_anchors=frozenset(dict(data.get("self_reference", {})).get("anchors", [])),
            typo_max_edits=int(typo.get("max_edits", 2)),
            typo_min_ratio=float(typo.get("min_ratio", 85)),
            typo_min_chars=int(typo.get("min_chars", 6)),
            review_min_overlap=float(review.get("candidate_min_overlap", 0.5)),
            review_min_shared=int(review.get("candidate_min_shared", 3)),
            stem=int(review.get("stem", 5)),
            source=source,
        )
    except (TypeError, ValueError, AttributeError) as exc:
        raise _fail(source, f"a setting has the wrong type ({exc})") from exc


def _phrases(items: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted((tuple(str(p).lower().split()) for p in items), key=len, reverse=True))


def _rule(row: object, source: str) -> EffectRule:
    if not isinstance(row, dict):
        raise _fail(source, "each rule must be an object")
    try:
        category = Category(row["category"])
        effect = Effect(row["effect"])
    except (KeyError, ValueError) as exc:
        raise _fail(source, f"rule {row!r} needs a known 'category' and 'effect' ({exc})") from exc
    direction, shape = str(row.get("direction", "*")), str(row.get("shape", "*"))
    detected = str(row.get("detected", "*"))
    if detected not in ("substantive", "editorial", "*"):
        raise _fail(source, f"rule {row!r}: detected must be substantive, editorial or *")
    if direction not in _DIRECTIONS or shape not in _SHAPES:
        raise _fail(source, f"rule {row!r}: direction must be in {_DIRECTIONS}, shape in {_SHAPES}")
    return EffectRule(
        category=category,
        direction=direction,
        shape=shape,
        effect=effect,
        substantive=bool(row.get("substantive", effect is not Effect.EQUIVALENT)),
        reason=str(row.get("reason", "")),
        counts=bool(row.get("counts", True)),
        detected=detected,
    )


def load_rules(path: str | Path) -> EffectRules:
    """The effects table in ``path`` (the file, or a model directory holding
    ``effects.json``); a ``ConfigError`` naming the file when it cannot be used."""
    from .baselines import read_json

    path = Path(path)
    if path.is_dir():
        path = path / "effects.json"
    data = read_json(path, "effects table")
    if not isinstance(data, dict):
        raise ConfigError(str(path), "the file must hold a JSON object", "fix the effects file")
    try:
        return rules_from_dict(data, str(path))
    except ValueError as err:
        cause = str(err).removeprefix(f"{path}: ").removesuffix("; fix the effects file.")
        raise ConfigError(str(path), cause, "fix the effects file") from None


def default_rules() -> EffectRules:
    """The effects table of the default context (entry points that were given no rules)."""
    from .context import default_context

    return default_context().rules()


def with_catalog(rules: EffectRules, catalog: Catalog | None) -> EffectRules:
    """The rules plus the figure directions a requirement catalog declares for its
    provisions (``"figures": {"larger": "weaker"|"stronger"}`` on a requirement)."""
    if catalog is None:
        return rules
    figures = dict(rules.figures)
    for req in catalog.requirements:
        if req.figures:
            for ref in req.provisions:
                figures.setdefault(ref, req.figures)
    return replace(rules, figures=figures)


# ---------------------------------------------------------------- effects


def assign(change: Change, rules: EffectRules) -> Change:
    """The change with its effect, reason and substantive flag from the first matching rule
    (no rule: needs-review, substantive). Idempotent: an assigned change is kept as is."""
    if change.effect is not None:
        return change
    rule = rules.rule_for(change)
    if rule is None:
        return replace(
            change,
            effect=Effect.NEEDS_REVIEW,
            substantive=True,
            effect_reason="no rule of the effects table covers this change",
        )
    return replace(
        change, effect=rule.effect, substantive=rule.substantive, effect_reason=rule.reason
    )


def assign_all(changes: Sequence[Change], rules: EffectRules) -> tuple[Change, ...]:
    return tuple(assign(c, rules) for c in changes)


def weakens(change: Change) -> bool:
    """The one definition: a change weakens its provision when its effect is weakened."""
    if change.effect is None:
        change = assign(change, default_rules())
    return change.effect is Effect.WEAKENED


def needs_review(change: Change, rules: EffectRules | None = None) -> bool:
    """A change a person must judge, of a kind that can decide a requirement."""
    rules = rules or default_rules()
    if change.effect is None:
        change = assign(change, rules)
    if change.effect is not Effect.NEEDS_REVIEW:
        return False
    rule = rules.rule_for(change)
    return rule is None or rule.counts


# ---------------------------------------------------------------- figure directions

_MONTH_LIST = (
    "january february march april may june july august september october november december"
).split()
_MONTHS = {w: k for k, m in enumerate(_MONTH_LIST, start=1) for w in (m, m[:3])}


def _cue_polarity(before: Sequence[str], rules: EffectRules) -> str:
    """'weaker' if a larger figure after these words asks less, 'stronger' if more, ''."""
    best = ("", 0)
    for cues, polarity in ((rules.weaker_cues, "weaker"), (rules.stronger_cues, "stronger")):
        for cue in cues:
            n = len(cue)
            if n <= len(before) and tuple(before[-n:]) == cue and n > best[1]:
                best = (polarity, n)
    return best[0]


def _value(words: Sequence[str], rules: EffectRules, unit: str) -> float | None:
    """The figure in days (with a unit) or as a plain number."""
    nums = [w for w in words if re.fullmatch(r"\d+(?:\.\d+)?", w)]
    if len(nums) != 1:
        return None
    units = [w for w in words if w in rules.unit_days] or ([unit] if unit else [])
    factor = rules.unit_days.get(units[0], 1.0) if units else 1.0
    return float(nums[0]) * factor


def _date(words: Sequence[str]) -> tuple[int, int, int] | None:
    year = next((int(w) for w in words if re.fullmatch(r"(?:19|20)\d\d", w)), None)
    month = next((_MONTHS[w] for w in words if w in _MONTHS), 0)
    day = next((int(w) for w in words if re.fullmatch(r"\d{1,2}", w)), 0)
    if year is None and not month:
        return None
    return (year or 0, month, day)


def figure_direction(
    category: Category,
    old: Sequence[str],
    new: Sequence[str],
    before: Sequence[str],
    rules: EffectRules,
    *,
    unit: str = "",
    declared: str = "",
) -> Direction | None:
    """Which way a figure moved: compare the values, then read the polarity from the
    provision's declaration, else the cue words before the figure (dates: later is
    weaker). None when the values or the polarity cannot be read."""
    if category is Category.DATE:
        a, b = _date(old), _date(new)
        if a is None or b is None or a == b or 0 in (a[0], b[0]) and a[0] != b[0]:
            return None
        larger = b > a
        polarity = declared or "weaker"
    else:
        va, vb = _value(old, rules, unit), _value(new, rules, unit)
        if va is None or vb is None or va == vb:
            return None
        larger = vb > va
        polarity = declared or _cue_polarity(before, rules)
    if polarity not in ("weaker", "stronger"):
        return None
    weaker = larger if polarity == "weaker" else not larger
    return Direction.WEAKER if weaker else Direction.STRONGER
