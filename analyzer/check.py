"""The statute checklist: does the document keep what Minn. Stat. 626.8482 requires?

Each model policy has a requirement catalog (``model_policy/<id>.requirements.json``): every
requirement names its statute citation, the model provisions that carry it, what would weaken
it, and optional regexes that find the document's own wording of it among the additions.
``check`` turns the audit's findings and additions into one result per requirement:

- ``missing``: every provision is missing, no addition matches the keywords, and no added
  sentence is a close enough candidate for a missing provision;
- ``weakened``: a provision is missing, or has a change whose effect is ``weakened``
  (``effects.weakens``: a weaker or dropped modal, a negation, words removed, a figure moved
  the way that asks less), and the document does not say it in its own words;
- ``needs-review``: the evidence cannot decide and a person must: the document says the point
  in its own words (an addition matches the keywords) where the model's wording is missing
  or weakened; or every provision is missing but a sentence the document added is a close
  candidate (shown); or a change has the effect ``needs-review`` (a scope change of unknown
  direction, a figure without a declared direction);
- ``met``: otherwise.

Exports:
    RequirementStatus                 -- met | weakened | missing
    Requirement, Catalog              -- the catalog, as frozen dataclasses
    Evidence, RequirementResult       -- the result of one requirement, ``to_dict()`` for JSON
    catalog_from_dict(data, source)   -- build a Catalog from parsed JSON (validated)
    load_catalog(model_id, context=None) -- the catalog the context reads, or None
    check(findings, additions, catalog, *, rules, lexicon) -> tuple[RequirementResult, ...]
    weakening(change) -> bool         -- effects.weakens: the one definition of a weakening change
    describe(change) -> str           -- one change in plain words
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

from analyzer.effects import EffectRules, assign, default_rules, needs_review, weakens
from analyzer.lexicon import Lexicon
from analyzer.model import (
    Addition,
    Category,
    Change,
    ClauseKind,
    Finding,
    Location,
    Status,
)

if TYPE_CHECKING:
    from analyzer.context import Context

__all__ = [
    "RequirementStatus",
    "Requirement",
    "Catalog",
    "Evidence",
    "RequirementResult",
    "catalog_from_dict",
    "load_catalog",
    "check",
    "weakening",
    "describe",
]

QUOTE_LIMIT = 400

_CATEGORY_WORDS = {
    Category.MODALITY: "obligation changed",
    Category.NEGATION: "negation changed",
    Category.NUMBER: "number changed",
    Category.DATE: "date changed",
    Category.DURATION: "duration changed",
    Category.CITATION: "citation changed",
    Category.CROSS_REFERENCE: "cross-reference changed",
    Category.SCOPE: "scope changed",
    Category.ENTITY: "party changed",
    Category.WORDING: "wording changed",
}
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+")


class RequirementStatus(StrEnum):
    MET = "met"
    WEAKENED = "weakened"
    NEEDS_REVIEW = "needs-review"
    MISSING = "missing"


@dataclass(frozen=True)
class Requirement:
    """One statutory requirement and the model provisions that carry it."""

    id: str
    title: str
    citation: str
    provisions: tuple[str, ...]
    weakened_if: str = ""
    keywords: tuple[str, ...] = ()
    figures: str = ""  # "weaker" | "stronger": what a larger figure (later date) does here


@dataclass(frozen=True)
class Catalog:
    """The requirement catalog of one model policy."""

    model: str
    requirements: tuple[Requirement, ...]
    statute: str = ""


@dataclass(frozen=True)
class Evidence:
    """A quote backing a requirement's status. ``kind``: provision | missing | addition."""

    model_ref: str | None
    doc_ref: str | None
    quote: str
    location: Location | None
    kind: str = "provision"

    def to_dict(self) -> dict[str, object]:
        return {
            "model_ref": self.model_ref,
            "doc_ref": self.doc_ref,
            "quote": self.quote,
            "location": self.location.to_dict() if self.location else None,
            "kind": self.kind,
        }


@dataclass(frozen=True)
class RequirementResult:
    """The checklist verdict on one requirement."""

    requirement: Requirement
    status: RequirementStatus
    explanation: str
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict[str, object]:
        req = self.requirement
        return {
            "id": req.id,
            "title": req.title,
            "citation": req.citation,
            "status": str(self.status),
            "explanation": self.explanation,
            "evidence": [e.to_dict() for e in self.evidence],
            "provisions": list(req.provisions),
        }


# ---------------------------------------------------------------- catalog loading


def catalog_from_dict(data: Mapping[str, object], source: str = "<catalog>") -> Catalog:
    """Build a Catalog from parsed JSON; raise ValueError naming the source and the field."""
    items = data.get("requirements")
    if not isinstance(data.get("model"), str) or not isinstance(items, list):
        raise ValueError(f"{source}: a catalog needs 'model' (str) and 'requirements' (list).")
    reqs = tuple(_requirement_from_dict(item, source) for item in items)
    ids = [r.id for r in reqs]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{source}: requirement ids must be unique; fix the duplicates.")
    return Catalog(
        model=str(data["model"]), requirements=reqs, statute=str(data.get("statute", ""))
    )


def _requirement_from_dict(item: object, source: str) -> Requirement:
    if not isinstance(item, dict):
        raise ValueError(f"{source}: each requirement must be an object.")
    missing = [k for k in ("id", "title", "citation", "provisions") if k not in item]
    if missing:
        raise ValueError(
            f"{source}: requirement {item.get('id', '?')} lacks {', '.join(missing)}; add them."
        )
    keywords = tuple(str(k) for k in item.get("keywords", ()))
    for pattern in keywords:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(
                f"{source}: requirement {item['id']}: bad keyword regex {pattern!r} ({exc}); "
                "fix the pattern."
            ) from exc
    figures = item.get("figures", {})
    larger = str(figures.get("larger", "")) if isinstance(figures, dict) else "?"
    if larger not in ("", "weaker", "stronger"):
        raise ValueError(
            f"{source}: requirement {item['id']}: 'figures' must be "
            '{"larger": "weaker"} or {"larger": "stronger"}; fix the field.'
        )
    return Requirement(
        id=str(item["id"]),
        title=str(item["title"]),
        citation=str(item["citation"]),
        provisions=tuple(str(p) for p in item["provisions"]),
        weakened_if=str(item.get("weakened_if", "")),
        keywords=keywords,
        figures=larger,
    )


def load_catalog(model_id: str, context: Context | None = None) -> Catalog | None:
    """The catalog of a model id (or of a model text file's sibling) as ``context`` (default:
    the default context) reads it, or None if it has none."""
    from analyzer.context import default_context

    return (context or default_context()).catalog(model_id)


# ---------------------------------------------------------------- helpers


def _clip(text: str, limit: int = QUOTE_LIMIT) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def _where(location: Location | None) -> str:
    if location is None:
        return ""
    return f"p. {location.page}, line {location.line}"


def _doc_ref(finding: Finding) -> str | None:
    return finding.doc_refs[0] if finding.doc_refs else None


def _cite(finding: Finding) -> str:
    """'IV.E.4 (moved to document IV.F.4, p. 3, line 12)' or 'IV.E.1 (p. 3, line 2)'."""
    doc_ref, where = _doc_ref(finding), _where(finding.location)
    moved = "moved to " if finding.moved else ""
    shown = (
        f"{moved}document {doc_ref}" if doc_ref and (moved or doc_ref != finding.model_ref) else ""
    )
    parts = [p for p in (shown, where) if p]
    return f"{finding.model_ref} ({', '.join(parts)})" if parts else finding.model_ref


def describe(change: Change) -> str:
    """A change in plain words, with the model's and the document's text."""
    words = " ".join(change.explanation.split()) or _CATEGORY_WORDS.get(change.category, "changed")
    model_text, doc_text = change.model_text.strip(), change.doc_text.strip()
    shown = [t for t in (model_text, doc_text) if t]
    if shown and not any(t in words for t in shown):
        words += f" (“{_clip(model_text, 120) or '—'}” → “{_clip(doc_text, 120) or '—'}”)"
    return words


def weakening(change: Change) -> bool:
    """True if the change weakens what the provision requires (``effects.weakens``)."""
    return weakens(change)


def _findings_for(ref: str, by_ref: Mapping[str, Finding]) -> list[Finding]:
    """The finding for ``ref``; if the audit has none, its descendants' findings."""
    if ref in by_ref:
        return [by_ref[ref]]
    prefix = ref + "."
    return [f for r, f in by_ref.items() if r.startswith(prefix)]


def _sentences(text: str, lex: Lexicon) -> list[str]:
    """Split at sentence ends, but not after abbreviations ("St. Louis Park", "Minn. Stat.")."""
    groups: list[list[str]] = []  # pieces of one sentence, joined once at the end (linear)
    for piece in _SENTENCE_END.split(text):
        if not piece.strip():
            continue
        words = groups[-1][-1].split() if groups else []
        if words and words[-1].lower() in lex.abbreviations_lower:
            groups[-1].append(piece)
        else:
            groups.append([piece])
    return [" ".join(g) for g in groups]


def _keyword_pattern(keywords: Sequence[str]) -> Callable[[str], bool]:
    """One search for all of a requirement's keywords: an alternation when the patterns can
    be joined (no backreferences, no inline flags), else each pattern in turn. Built once
    per list of keywords (a pure function of them)."""
    return _keyword_search(tuple(keywords))


@lru_cache(maxsize=256)
def _keyword_search(keywords: tuple[str, ...]) -> Callable[[str], bool]:
    if not keywords:
        return lambda s: False
    if not any(re.search(r"\\[1-9]|\(\?P=|\(\?[aiLmsux]", k) for k in keywords):
        try:
            joined = re.compile("|".join(f"(?:{k})" for k in keywords), re.IGNORECASE)
            return lambda s: joined.search(s) is not None
        except re.error:
            pass
    patterns = [re.compile(k, re.IGNORECASE) for k in keywords]
    return lambda s: any(p.search(s) for p in patterns)


def _body_sentences(
    additions: Sequence[Addition], lex: Lexicon
) -> list[tuple[Addition, list[str]]]:
    """Each body addition with its sentences, split once for every requirement."""
    return [(a, _sentences(a.text, lex)) for a in additions if a.kind == ClauseKind.BODY]


def _keyword_quotes(
    requirement: Requirement,
    split: Sequence[tuple[Addition, list[str]]],
    distinct: Iterable[str] | None = None,
) -> list[Evidence]:
    """Sentences of body additions (``_body_sentences``) that match one of the
    requirement's keyword regexes. ``distinct``: every sentence of ``split`` once (a
    sentence the document repeats is searched once); default: taken from ``split``."""
    search = _keyword_pattern(requirement.keywords)
    if distinct is None:
        distinct = dict.fromkeys(s for _, ss in split for s in ss)
    matched = {s for s in distinct if search(s)}
    found: list[Evidence] = []
    if not matched:
        return found
    for addition, sentences in split:
        hits = [s for s in sentences if s in matched]
        if hits:
            quote = _clip(" ".join(hits))
            found.append(Evidence(None, addition.doc_ref, quote, addition.location, "addition"))
    return found


def _evidence(finding: Finding) -> Evidence:
    if finding.status is Status.MISSING:
        quote = f"[missing from the document] model text: {_clip(finding.model_text)}"
        return Evidence(finding.model_ref, None, quote, None, "missing")
    return Evidence(
        finding.model_ref,
        _doc_ref(finding),
        _clip(finding.doc_text or ""),
        finding.location,
        "provision",
    )


# ---------------------------------------------------------------- the check


def _problems(findings: Sequence[Finding]) -> list[str]:
    """Plain-words reasons a requirement is weakened: missing provisions, weakening changes."""
    absent = [f.model_ref for f in findings if f.status is Status.MISSING]
    reasons: list[str] = []
    if absent:
        verb = "is" if len(absent) == 1 else "are"
        reasons.append(f"model {_join(absent)} {verb} missing from the document")
    for finding in findings:
        reasons.extend(f"{_cite(finding)}: {describe(c)}" for c in finding.changes if weakening(c))
    return reasons


def _join(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _kept_note(findings: Sequence[Finding]) -> str:
    """What the document does with the provisions that keep the requirement intact."""
    kept = [
        f
        for f in findings
        if f.status is not Status.MISSING and not any(weakening(c) for c in f.changes)
    ]
    if not kept:
        return ""
    refs = ", ".join(_cite(f) for f in kept)
    if all(f.status is Status.IDENTICAL for f in kept):
        return f"The document keeps {refs} as in the model."
    other = [f"{f.model_ref}: {describe(c)}" for f in kept for c in f.changes if c.substantive]
    if not other:
        return f"The document keeps {refs}, with editorial differences only."
    return f"The document keeps {refs}; changes that do not weaken it: {'; '.join(other)}."


def _own_wording(quotes: Sequence[Evidence]) -> str:
    parts = []
    for e in quotes:
        where = ", ".join(
            p for p in (e.doc_ref and f"document {e.doc_ref}", _where(e.location)) if p
        )
        parts.append(f"“{e.quote}” ({where})" if where else f"“{e.quote}”")
    return "; ".join(parts)


def _reviews(findings: Sequence[Finding], rules: EffectRules) -> list[str]:
    """Changes a person must judge (effect needs-review, of a kind that can decide)."""
    return [
        f"{_cite(f)}: {describe(c)} ({c.effect_reason})"
        for f in findings
        for c in (assign(c, rules) for c in f.changes)
        if needs_review(c, rules)
    ]


def _stems(text: str, rules: EffectRules, lex: Lexicon) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {w.rstrip("s")[: rules.stem] for w in words if len(w) > 2 and w not in lex.stop}


@dataclass(frozen=True)
class _Added:
    """The document's body additions as every requirement reads them, prepared once:
    their refs, their sentences (each distinct sentence once) and the word stems of texts
    already stemmed (a candidate text is often the nearest for several provisions)."""

    refs: set[str]
    split: Sequence[tuple[Addition, list[str]]]
    distinct: dict[str, None]
    stems: dict[str, set[str]]

    @staticmethod
    def of(additions: Sequence[Addition], lex: Lexicon) -> _Added:
        split = _body_sentences(additions, lex)
        return _Added(
            {a.doc_ref for a in additions if a.kind is ClauseKind.BODY},
            split,
            dict.fromkeys(s for _, sentences in split for s in sentences),
            {},
        )

    def stems_of(self, text: str, rules: EffectRules, lex: Lexicon) -> set[str]:
        hit = self.stems.get(text)
        if hit is None:
            hit = self.stems[text] = _stems(text, rules, lex)
        return hit


def _candidates(
    findings: Sequence[Finding], added: _Added, rules: EffectRules, lex: Lexicon
) -> list[Evidence]:
    """For missing provisions: the nearest candidate, when it is a sentence the document
    added (matched to nothing else) and shares enough of the provision's words."""
    out = []
    for f in findings:
        c = f.candidate
        if f.status is not Status.MISSING or c is None or c.doc_ref not in added.refs:
            continue
        want, have = _stems(f.model_text, rules, lex), added.stems_of(c.text, rules, lex)
        shared = len(want & have)
        if (
            want
            and shared >= rules.review_min_shared
            and shared / len(want) >= (rules.review_min_overlap)
        ):
            quote = f"nearest candidate for {f.model_ref} ({c.similarity:.0%}): {_clip(c.text)}"
            out.append(Evidence(f.model_ref, c.doc_ref, quote, c.location, "candidate"))
    return out


def _explain(
    requirement: Requirement,
    status: RequirementStatus,
    findings: Sequence[Finding],
    problems: Sequence[str],
    quotes: Sequence[Evidence],
    reviews: Sequence[str] = (),
    candidates: Sequence[Evidence] = (),
) -> str:
    cite = requirement.citation
    if status is RequirementStatus.MISSING:
        refs = _join([f.model_ref for f in findings] or list(requirement.provisions))
        if not findings:
            return (
                f"Missing: none of the model provisions for this requirement ({refs}) were "
                f"found in the audit, so {cite} is not shown to be covered."
            )
        return (
            f"Missing ({cite}): the document has no counterpart to model {refs}, "
            "and does not address the point in its own words."
        )
    falls_short = requirement.weakened_if or "it drops or softens the obligation"
    if status is RequirementStatus.NEEDS_REVIEW and candidates:
        shown = "; ".join(
            f"document {e.doc_ref} ({_where(e.location)}): “{e.quote.split(': ', 1)[-1]}”"
            for e in candidates
        )
        return (
            f"Needs review ({cite}): {'; '.join(problems)}. The nearest candidate is a "
            f"sentence the document added: {shown}. A reviewer decides whether it does what "
            f"{cite} requires; it falls short if {falls_short}."
        )
    if problems and quotes:
        return (
            f"Needs review ({cite}): the document says it in its own wording rather than the "
            f"model's: {'; '.join(problems)}. But the document says {_own_wording(quotes)}. "
            f"A reviewer should confirm this does what {cite} requires; it falls short if "
            f"{falls_short}."
        )
    if problems:
        kept = _kept_note(findings)
        return f"Weakened ({cite}): {'; '.join(problems)}." + (f" {kept}" if kept else "")
    if reviews:
        return (
            f"Needs review ({cite}): {'; '.join(reviews)}. A reviewer decides whether this "
            f"still does what {cite} requires; it falls short if {falls_short}."
        )
    text = f"Met ({cite}). {_kept_note(findings)}".strip()
    if quotes:
        text += f" The document also says {_own_wording(quotes)}."
    return text


def _check_one(
    requirement: Requirement,
    by_ref: Mapping[str, Finding],
    added: _Added,
    rules: EffectRules,
    lex: Lexicon,
) -> RequirementResult:
    findings: list[Finding] = []
    for ref in requirement.provisions:
        findings.extend(f for f in _findings_for(ref, by_ref) if f not in findings)
    quotes = _keyword_quotes(requirement, added.split, added.distinct)
    problems = _problems(findings)
    reviews = _reviews(findings, rules)
    all_missing = all(f.status is Status.MISSING for f in findings)
    candidates: list[Evidence] = []
    if all_missing and not quotes:
        candidates = _candidates(findings, added, rules, lex)
        status = RequirementStatus.NEEDS_REVIEW if candidates else RequirementStatus.MISSING
    elif problems and not quotes:
        status = RequirementStatus.WEAKENED
    elif problems or reviews:
        status = RequirementStatus.NEEDS_REVIEW
    else:
        status = RequirementStatus.MET
    explanation = _explain(requirement, status, findings, problems, quotes, reviews, candidates)
    evidence = tuple(_evidence(f) for f in findings) + tuple(quotes) + tuple(candidates)
    return RequirementResult(requirement, status, explanation, evidence)


def check(
    findings: Sequence[Finding],
    additions: Sequence[Addition],
    catalog: Catalog,
    *,
    rules: EffectRules | None = None,
    lexicon: Lexicon | None = None,
) -> tuple[RequirementResult, ...]:
    """One result per catalog requirement, in catalog order. ``rules`` and ``lexicon`` are
    the run's (default: the default context's)."""
    if rules is None or lexicon is None:
        from analyzer.context import default_context

        rules = rules or default_rules()
        lexicon = lexicon or default_context().lexicon
    by_ref = {f.model_ref: f for f in findings}
    added = _Added.of(additions, lexicon)
    return tuple(_check_one(req, by_ref, added, rules, lexicon) for req in catalog.requirements)
