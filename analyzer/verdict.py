"""The verdict: is a document identical, substantially similar or not substantially similar
to its model, and why.

Exports: VerdictRule (the thresholds), decide(findings, additions, rule, requirements) ->
(Verdict, reasons), is_weakened(finding) -> bool, requirements_for(findings, additions, model)
-> the statute checklist as dicts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .model import (
    Addition,
    Category,
    ClauseKind,
    Direction,
    Finding,
    ModelPolicy,
    Status,
    Verdict,
)

__all__ = ["VerdictRule", "decide", "is_weakened", "requirements_for"]


@dataclass(frozen=True)
class VerdictRule:
    """When a document stops being "substantially similar" to its model.

    not-substantially-similar if more than ``max_missing_ratio`` of the model's provisions
    are missing, or more than ``max_weakened`` provisions are missing or weakened (an
    obligation made optional, a negation flipped, a sentence of obligations removed), or,
    with ``statutory`` on, any provision the statute requires (a requirement of the
    model's checklist) is missing or weakened. identical if every provision is identical and
    nothing was added; otherwise substantially-similar.
    """

    max_missing_ratio: float = 0.10
    max_weakened: int = 3
    statutory: bool = True


_WEAKENING = {Category.NEGATION}


def is_weakened(f: Finding) -> bool:
    if f.status is Status.MISSING:
        return True
    for c in f.changes:
        if c.category is Category.MODALITY and c.direction is Direction.WEAKER:
            return True
        if c.category in _WEAKENING:
            return True
        if c.category is Category.SCOPE and c.substantive and not c.doc_text.strip():
            return True
    return False


def decide(
    findings: Sequence[Finding],
    additions: Sequence[Addition],
    rule: VerdictRule,
    requirements: Sequence[dict[str, Any]],
) -> tuple[Verdict, list[str]]:
    n = len(findings)
    missing = [f for f in findings if f.status is Status.MISSING]
    weakened = [f for f in findings if is_weakened(f) and f.status is not Status.MISSING]
    modified = [f for f in findings if f.status is Status.MODIFIED]
    reasons: list[str] = []
    if missing:
        refs = ", ".join(f.model_ref for f in missing[:12]) + (" ..." if len(missing) > 12 else "")
        reasons.append(f"{len(missing)} of {n} model provisions missing: {refs}")
    if weakened:
        refs = ", ".join(f.model_ref for f in weakened[:12])
        reasons.append(
            f"{len(weakened)} provisions weakened (obligation made optional, negation "
            f"changed or text removed): {refs}"
        )
    if modified:
        cats = Counter(str(c.category) for f in modified for c in f.changes if c.substantive)
        summary = ", ".join(f"{k} {v}" for k, v in sorted(cats.items()))
        reasons.append(f"{len(modified)} provisions changed substantively ({summary})")
    body_adds = [a for a in additions if a.kind is ClauseKind.BODY]
    if body_adds:
        reasons.append(f"{len(body_adds)} clauses added that the model does not have")
    statutory = [
        f"{r['title']} ({r['citation']}) {r['status']}"
        for r in requirements
        if rule.statutory and r["status"] in ("missing", "weakened")
    ]
    if statutory:
        reasons.insert(0, "statutory requirements not met: " + "; ".join(statutory))
    nss = (
        (n and len(missing) / n > rule.max_missing_ratio)
        or len(missing) + len(weakened) > rule.max_weakened
        or bool(statutory)
    )
    if nss:
        return Verdict.NOT_SUBSTANTIALLY_SIMILAR, reasons
    if all(f.status is Status.IDENTICAL for f in findings) and not body_adds:
        return Verdict.IDENTICAL, ["every model provision appears word for word; nothing added"]
    if not reasons:
        reasons.append("only editorial differences")
    reasons.append(
        f"within the rule: missing <= {rule.max_missing_ratio:.0%} of provisions, at most "
        f"{rule.max_weakened} missing or weakened, no statutory requirement missing or weakened"
    )
    return Verdict.SUBSTANTIALLY_SIMILAR, reasons


def requirements_for(
    findings: Sequence[Finding], additions: Sequence[Addition], model: ModelPolicy
) -> tuple[dict[str, Any], ...]:
    """The statute checklist of the model's requirement catalog (none without a catalog)."""
    from .check import check, load_catalog

    catalog = load_catalog(model.id)
    if catalog is None:
        return ()
    return tuple(r.to_dict() for r in check(findings, additions, catalog))
