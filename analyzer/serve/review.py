"""What a reviewer decides on: the findings and requirements of an audit, the decisions on
them, the reviewer's verdict recomputed from those decisions, and decisions carried over to a
resubmission.

A *finding* is a model provision the audit reports as missing, substantively changed, weakened
or needing review; every *requirement* of the statute checklist can be decided too. Decisions:
``accept`` (the tool is right), ``dismiss`` (the tool is wrong: not a deficiency, or for a met
requirement, not met after all), ``needs-review`` (open). The reviewer's verdict applies the
audit's verdict rule to the accepted deficiencies only, and stays ``pending`` while a finding
or an unmet requirement is undecided and nothing accepted already decides it.

Newer audits add a change ``effect`` (weakened/strengthened/needs-review/equivalent) and a
``needs-review`` requirement status; both are read when present, older audits work without.

Exports: items(audit, decisions) -> list[dict], latest(decisions) -> dict, reviewer_verdict(audit,
items) -> dict, deficient(item) -> bool, carry_over(store, new_id, old_id, new_audit) -> int,
target_kind(audit, payload) -> tuple, DecisionError.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .store import DECISIONS, Store

__all__ = [
    "items",
    "latest",
    "reviewer_verdict",
    "deficient",
    "carry_over",
    "target_kind",
    "DecisionError",
    "provision_state",
]

Row = Mapping[str, Any]
_MAX_MISSING_RATIO = 0.10
_MAX_WEAKENED = 3
_UNMET = ("missing", "weakened", "needs-review", "unmet", "not-met")


class DecisionError(ValueError):
    """A decision the API cannot record (unknown target or decision); the message says why."""


def _rule() -> tuple[float, int]:
    try:
        from ..audit import VerdictRule
    except ImportError:  # the verdict rule may move to analyzer.verdict
        try:
            from ..verdict import VerdictRule  # type: ignore[no-redef]
        except ImportError:
            return _MAX_MISSING_RATIO, _MAX_WEAKENED
    rule = VerdictRule()
    return float(rule.max_missing_ratio), int(rule.max_weakened)


def provision_state(p: Row) -> str:
    """missing | weakened | needs-review | modified | moved | ok, for one audit provision."""
    if p.get("status") == "missing":
        return "missing"
    effects = [c.get("effect") for c in p.get("changes") or []]
    if p.get("effect") == "weakened" or "weakened" in effects:
        return "weakened"
    if not any(effects) and any(
        c.get("direction") == "weaker" and c.get("substantive") for c in p.get("changes") or []
    ):
        return "weakened"
    if p.get("status") == "needs-review" or p.get("effect") == "needs-review":
        return "needs-review"
    if "needs-review" in effects:
        return "needs-review"
    if p.get("substantive"):
        return "modified"
    if p.get("moved"):
        return "moved"
    return "ok"


def latest(decisions: Iterable[Row]) -> dict[tuple[str, str], dict[str, Any]]:
    """The current decision per (kind, target): the last one recorded."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for d in decisions:
        out[(d["kind"], d["target"])] = dict(d)
    return out


def _location(loc: Row | None) -> dict[str, int] | None:
    return dict(loc) if loc else None


def _provision_item(p: Row) -> dict[str, Any]:
    state = provision_state(p)
    candidate = p.get("candidate") if not p.get("doc_text") else None
    quote = p.get("doc_text") or (candidate or {}).get("text")
    location = p.get("location") or (candidate or {}).get("location")
    return {
        "kind": "provision",
        "target": p["model_ref"],
        "title": p.get("model_heading") or p["model_ref"],
        "tool_status": state,
        "explanation": p.get("explanation", ""),
        "model_text": p.get("model_text", ""),
        "quote": quote,
        "quote_is_nearest": candidate is not None and quote is not None,
        "location": _location(location),
        "doc_ref": p.get("doc_ref") or (candidate or {}).get("doc_ref"),
        "changes": list(p.get("changes") or []),
        "redline": list(p.get("redline") or []),
        "citation": "",
        "provisions": [p["model_ref"]],
    }


def _requirement_item(r: Row, provisions: Mapping[str, Row]) -> dict[str, Any]:
    found = [
        e
        for e in r.get("evidence") or []
        if e.get("location") and e.get("kind") not in ("candidate", "missing")
    ]
    quote, location, nearest, doc_ref = None, None, False, None
    if found:
        quote, location = found[0].get("quote"), found[0].get("location")
        doc_ref = found[0].get("doc_ref")
    else:  # the nearest text: the provision's candidate (newer audits also list it as evidence)
        for ref in r.get("provisions") or []:
            candidate = (provisions.get(ref) or {}).get("candidate")
            if candidate and candidate.get("text"):
                quote, location, nearest = candidate["text"], candidate.get("location"), True
                doc_ref = candidate.get("doc_ref")
                break
    model_text = " ".join(
        str(provisions[ref].get("model_text", ""))
        for ref in r.get("provisions") or []
        if ref in provisions
    )
    return {
        "kind": "requirement",
        "target": r["id"],
        "title": r.get("title", r["id"]),
        "tool_status": r.get("status", "met"),
        "explanation": r.get("explanation", ""),
        "model_text": model_text,
        "quote": quote,
        "quote_is_nearest": nearest,
        "location": _location(location),
        "doc_ref": doc_ref,
        "changes": [],
        "redline": [],
        "citation": r.get("citation", ""),
        "provisions": list(r.get("provisions") or []),
    }


def items(audit: Row, decisions: Sequence[Row]) -> list[dict[str, Any]]:
    """The requirements (checklist order), then the findings (model order), each with its
    current decision (or None) and its decision history."""
    provisions = {p["model_ref"]: p for p in audit.get("provisions") or []}
    out = [_requirement_item(r, provisions) for r in audit.get("requirements") or []]
    out += [_provision_item(p) for p in audit.get("provisions") or [] if provision_state(p) != "ok"]
    current = latest(decisions)
    for item in out:
        key = (item["kind"], item["target"])
        item["decision"] = current.get(key)
        item["history"] = [dict(d) for d in decisions if (d["kind"], d["target"]) == key]
        item["tool_deficient"] = item["tool_status"] in _UNMET or (
            item["kind"] == "provision" and item["tool_status"] in ("missing", "weakened")
        )
        item["open"] = _is_open(item)
    return out


def _is_open(item: Row) -> bool:
    decision = (item.get("decision") or {}).get("decision")
    if decision == "needs-review":
        return True
    if decision:
        return False
    return item["kind"] == "provision" or item["tool_status"] != "met"


def deficient(item: Row) -> bool:
    """The reviewer holds this item against the policy: an accepted unmet requirement or
    deficient finding, or a met requirement the reviewer dismissed."""
    decision = (item.get("decision") or {}).get("decision")
    if item["kind"] == "requirement":
        unmet = item["tool_status"] != "met"
        return (unmet and decision == "accept") or (not unmet and decision == "dismiss")
    return decision == "accept" and item["tool_status"] in ("missing", "weakened", "needs-review")


def reviewer_verdict(audit: Row, all_items: Sequence[Row]) -> dict[str, Any]:
    """``{"verdict", "reasons", "open"}``: the audit's verdict rule over accepted findings."""
    max_ratio, max_weakened = _rule()
    total = int((audit.get("summary") or {}).get("provisions") or 0)
    held = [i for i in all_items if deficient(i)]
    requirements = [i for i in held if i["kind"] == "requirement"]
    provisions = [i for i in held if i["kind"] == "provision"]
    missing = [i for i in provisions if i["tool_status"] == "missing"]
    reasons = []
    if requirements:
        reasons.append(
            "statutory requirements not met (reviewer): "
            + "; ".join(f"{i['title']} ({i['citation']})" for i in requirements)
        )
    if total and len(missing) > max_ratio * total:
        reasons.append(f"{len(missing)} of {total} model provisions missing (reviewer)")
    if len(provisions) > max_weakened:
        reasons.append(f"{len(provisions)} provisions missing or weakened (reviewer)")
    open_items = [i for i in all_items if i["open"]]
    if reasons:
        verdict = "not-substantially-similar"
    elif open_items:
        verdict = "pending"
        reasons.append(f"{len(open_items)} findings and requirements still open")
    else:
        tool = audit.get("verdict")
        verdict = "identical" if tool == "identical" else "substantially-similar"
        reasons.append("every finding decided; no accepted deficiency decides against the policy")
    return {"verdict": verdict, "reasons": reasons, "open": len(open_items)}


def target_kind(audit: Row, payload: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """Validate a decision payload against the audit: ``(kind, target, decision, note)``."""
    decision = payload.get("decision")
    if decision not in DECISIONS:
        raise DecisionError(f"decision must be one of {', '.join(DECISIONS)}")
    note = payload.get("note") or ""
    if not isinstance(note, str) or len(note) > 10_000:
        raise DecisionError("note must be text of at most 10000 characters")
    ref, req = payload.get("model_ref"), payload.get("requirement_id")
    if bool(ref) == bool(req):
        raise DecisionError("give exactly one of model_ref or requirement_id")
    if ref:
        known = {p["model_ref"] for p in audit.get("provisions") or []}
        if ref not in known:
            raise DecisionError(f"model_ref {str(ref)[:80]!r} is not a provision of this audit")
        return "provision", str(ref), str(decision), note
    known = {r["id"] for r in audit.get("requirements") or []}
    if req not in known:
        raise DecisionError(f"requirement_id {str(req)[:80]!r} is not a requirement of this audit")
    return "requirement", str(req), str(decision), note


# ---------------------------------------------------------------- resubmissions


def _words(text: object) -> str:
    return " ".join(str(text or "").split())


def _same_provision(a: Row | None, b: Row | None) -> bool:
    if a is None or b is None:
        return False
    return (
        a.get("status") == b.get("status")
        and provision_state(a) == provision_state(b)
        and _words(a.get("doc_text")) == _words(b.get("doc_text"))
    )


def unchanged_targets(old: Row, new: Row) -> set[tuple[str, str]]:
    """The provisions and requirements that read the same in both audits."""
    old_p = {p["model_ref"]: p for p in old.get("provisions") or []}
    new_p = {p["model_ref"]: p for p in new.get("provisions") or []}
    same = {ref for ref in new_p if _same_provision(old_p.get(ref), new_p[ref])}
    out = {("provision", ref) for ref in same}
    old_r = {r["id"]: r for r in old.get("requirements") or []}
    for r in new.get("requirements") or []:
        before = old_r.get(r["id"])
        if (
            before is not None
            and before.get("status") == r.get("status")
            and all(ref in same for ref in r.get("provisions") or [])
        ):
            out.add(("requirement", r["id"]))
    return out


def carry_over(store: Store, new_id: int, old_id: int, new_audit: Row) -> int:
    """Copy the previous version's current decisions onto the provisions and requirements of
    the resubmission (whose audit is ``new_audit``) that read the same; the number carried."""
    old = store.submission(old_id)
    if not old or not old.get("audit"):
        return 0
    same = unchanged_targets(old["audit"], new_audit)
    already = latest(store.decisions(new_id))
    carried = 0
    for key, d in sorted(latest(store.decisions(old_id)).items()):
        if key in same and key not in already:
            store.add_decision(
                new_id,
                kind=d["kind"],
                target=d["target"],
                decision=d["decision"],
                note=d["note"],
                reviewer=d["reviewer"],
                carried_from=old_id,
            )
            carried += 1
    return carried
