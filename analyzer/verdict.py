"""The verdict: is a document identical, substantially similar, not substantially similar to
its model, or does that turn on findings a person must judge (needs-review); and why.

The rule, in order:
1. ``not-substantially-similar`` when more than ``max_missing_ratio`` of the provisions are
   missing, or more than ``max_weakened`` are missing or weakened (``is_weakened``: a change
   whose effect is ``weakened``), or (``statutory`` on) a requirement of the model's
   checklist is missing or weakened. The reasons name the deciding provisions and
   requirements first.
2. ``needs-review`` when none of that holds but the findings a person must judge could tip
   it: a requirement is ``needs-review``, or the missing, weakened and needs-review
   provisions together exceed ``max_weakened``. The reasons name those findings.
3. ``identical`` when every provision is word for word and nothing was added; otherwise
   ``substantially-similar``.

Exports: VerdictRule (the thresholds), decide(findings, additions, rule, requirements,
*, rules=None) -> (Verdict, reasons), is_weakened(finding) -> bool, is_review(finding, rules)
-> bool.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .effects import EffectRules, default_rules, needs_review, weakens
from .model import Addition, ClauseKind, Finding, Status, Verdict

__all__ = ["VerdictRule", "decide", "is_weakened", "is_review"]

_LIST = 12  # refs listed in one reason before "..."


@dataclass(frozen=True)
class VerdictRule:
    """When a document stops being "substantially similar" to its model (module docstring).

    ``max_missing_ratio``: share of provisions that may be missing; ``max_weakened``: how many
    provisions may be missing or weakened; ``statutory``: whether a missing or weakened
    requirement of the model's checklist decides on its own.
    """

    max_missing_ratio: float = 0.10
    max_weakened: int = 3
    statutory: bool = True


def is_weakened(f: Finding) -> bool:
    """A provision is weakened when it is missing or one of its changes weakens it."""
    return f.status is Status.MISSING or any(weakens(c) for c in f.changes)


def is_review(f: Finding, rules: EffectRules | None = None) -> bool:
    """A provision a person must judge: not weakened, but a change needs review."""
    return not is_weakened(f) and any(needs_review(c, rules) for c in f.changes)


def _refs(findings: Sequence[Finding]) -> str:
    refs = ", ".join(f.model_ref for f in findings[:_LIST])
    return refs + (" ..." if len(findings) > _LIST else "")


def _requirement_words(requirements: Sequence[dict[str, Any]], statuses: tuple[str, ...]) -> str:
    return "; ".join(
        f"{r['title']} ({r['citation']}) {r['status']}"
        for r in requirements
        if r["status"] in statuses
    )


def _n(count: int, noun: str) -> str:
    """'1 provision', '2 provisions'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def decide(
    findings: Sequence[Finding],
    additions: Sequence[Addition],
    rule: VerdictRule,
    requirements: Sequence[dict[str, Any]],
    *,
    rules: EffectRules | None = None,
) -> tuple[Verdict, list[str]]:
    rules = rules or default_rules()
    n = len(findings)
    missing = [f for f in findings if f.status is Status.MISSING]
    weakened = [f for f in findings if is_weakened(f) and f.status is not Status.MISSING]
    review = [f for f in findings if is_review(f, rules)]
    modified = [f for f in findings if f.status is Status.MODIFIED]
    reasons: list[str] = []
    if missing:
        reasons.append(f"{len(missing)} of {n} model provisions missing: {_refs(missing)}")
    if weakened:
        reasons.append(
            f"{_n(len(weakened), 'provision')} weakened (obligation made optional or dropped, "
            f"negation changed, text removed, a figure that asks less): {_refs(weakened)}"
        )
    if modified:
        cats = Counter(str(c.category) for f in modified for c in f.changes if c.substantive)
        summary = ", ".join(f"{k} {v}" for k, v in sorted(cats.items()))
        reasons.append(f"{_n(len(modified), 'provision')} changed substantively ({summary})")
    body_adds = [a for a in additions if a.kind is ClauseKind.BODY]
    if body_adds:
        reasons.append(f"{_n(len(body_adds), 'clause')} added that the model does not have")
    failed = _requirement_words(requirements, ("missing", "weakened")) if rule.statutory else ""
    if failed:
        reasons.insert(0, "statutory requirements not met: " + failed)
    over_missing = bool(n) and len(missing) / n > rule.max_missing_ratio
    over_weakened = len(missing) + len(weakened) > rule.max_weakened
    if over_missing or over_weakened or failed:
        return Verdict.NOT_SUBSTANTIALLY_SIMILAR, reasons
    to_review = _requirement_words(requirements, ("needs-review",)) if rule.statutory else ""
    tipping = len(missing) + len(weakened) + len(review) > rule.max_weakened
    if to_review or tipping:
        decided = []
        if to_review:
            decided.append(f"statutory requirements a reviewer must judge: {to_review}")
        if review:
            decided.append(
                f"{_n(len(review), 'provision')} with changes a reviewer must judge (direction "
                f"unknown): {_refs(review)}"
                + (
                    f"; with the {len(missing) + len(weakened)} missing or weakened they "
                    f"exceed the limit of {rule.max_weakened}"
                    if tipping
                    else ""
                )
            )
        return Verdict.NEEDS_REVIEW, decided + reasons
    if all(f.status is Status.IDENTICAL for f in findings) and not body_adds:
        return Verdict.IDENTICAL, ["every model provision appears word for word; nothing added"]
    if not reasons:
        reasons.append("only editorial differences")
    statutory = (
        "no statutory requirement missing, weakened or in need of review"
        if rule.statutory
        else "statutory requirements not considered (--no-statutory)"
    )
    reasons.append(
        f"within the rule: missing <= {rule.max_missing_ratio:.0%} of provisions, at most "
        f"{rule.max_weakened} missing or weakened; {statutory}"
    )
    return Verdict.SUBSTANTIALLY_SIMILAR, reasons
