"""The data model shared by every pipeline stage.

All types are frozen dataclasses or string enums; no stage mutates its input.

Exports:
    Line, Document              -- ingest output: every line with its page and line number
    RemovedLine                 -- a page-furniture line ingest removed, and why
    Location, Clause, ClauseTree -- segment output: the clause tree, flat in document order
    ModelPolicy                 -- a baseline policy and its declared substitutions
    Status, Category, Direction, Effect, Verdict, ClauseKind -- string enums used in the JSON
    Change, Candidate, Finding, Addition, Audit -- classify / audit output
    Unit, ProvisionMatch, Alignment -- align output: sentences and what each provision got
    Side, Pairing               -- pair output: one document paired with another (audit, compare)
    Attachment                  -- a copy of the model carried as an attachment of the document
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the normalizer lives in normalize.py, which imports this module
    from .normalize import Normalizer

__all__ = [
    "Line",
    "RemovedLine",
    "Document",
    "Location",
    "ClauseKind",
    "Clause",
    "ClauseTree",
    "Substitution",
    "ModelPolicy",
    "Status",
    "Category",
    "Direction",
    "Effect",
    "Verdict",
    "Change",
    "Candidate",
    "Finding",
    "Addition",
    "Audit",
    "Unit",
    "ProvisionMatch",
    "Alignment",
    "Side",
    "Pairing",
    "Attachment",
]


@dataclass(frozen=True)
class Line:
    """One line of a document as ingested. ``text`` is "" for a paragraph break.

    ``page`` and ``line`` are 1-based; ``line`` counts lines within the page as the
    reader sees them (for plain text: lines of the file, pages split at form feeds).
    """

    text: str
    page: int
    line: int


@dataclass(frozen=True)
class RemovedLine:
    """A line ingest removed as page furniture; ``reason`` is "page-number", "boilerplate",
    "running" (a header or footer repeated on the pages) or "rule" (a markup rule)."""

    text: str
    page: int
    line: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "page": self.page, "line": self.line, "reason": self.reason}


@dataclass(frozen=True)
class Document:
    """An ingested document: its lines, page furniture removed (listed in ``removed_lines``)
    and paragraph breaks placed. ``format`` is one of text, markdown, pdf, docx."""

    path: str
    sha256: str
    format: str
    lines: tuple[Line, ...]
    pages: int = 1
    extractor: str = ""
    removed_lines: tuple[RemovedLine, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class Location:
    """Where a clause sits in its source: first page/line through last page/line."""

    page: int
    line: int
    end_page: int
    end_line: int

    def to_dict(self) -> dict[str, int]:
        return {
            "page": self.page,
            "line": self.line,
            "end_page": self.end_page,
            "end_line": self.end_line,
        }


class ClauseKind(StrEnum):
    BODY = "body"  # a provision of the policy
    REFERENCE = "reference"  # legal / cross reference lists, adoption notes


@dataclass(frozen=True)
class Clause:
    """One node of the clause tree.

    ``ref`` is the outline path built from the document's own labels joined by dots
    (``IV.A.1.iv``); an unlabeled paragraph gets its 1-based position in its parent.
    ``label`` is the label as printed (``iv.``, ``(a)``, ``Order 417.2:``) or "".
    ``text`` is the raw clause text without label and heading, lines joined by spaces.
    """

    ref: str
    label: str
    heading: str
    text: str
    depth: int
    location: Location
    parent: str | None = None
    kind: ClauseKind = ClauseKind.BODY

    def to_dict(self) -> dict[str, object]:
        return {
            "ref": self.ref,
            "label": self.label,
            "heading": self.heading,
            "text": self.text,
            "depth": self.depth,
            "location": self.location.to_dict(),
            "parent": self.parent,
            "kind": str(self.kind),
        }


@dataclass(frozen=True)
class ClauseTree:
    """A segmented document: title (front matter) and clauses in document order."""

    title: str
    clauses: tuple[Clause, ...]
    front_matter: tuple[str, ...] = ()  # title block lines before the first clause
    noise: tuple[str, ...] = ()  # running headers/footers removed, distinct texts

    def by_ref(self) -> dict[str, Clause]:
        return {c.ref: c for c in self.clauses}


@dataclass(frozen=True)
class Substitution:
    """A declared equivalence: any of ``variants`` in a document stands for ``token``
    (e.g. the model's placeholder agency name). Never a substantive change."""

    token: str
    variants: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class ModelPolicy:
    """A baseline (model) policy loaded from ``model_policy/``."""

    id: str
    title: str
    date: str
    statute: str
    source: str
    kind: str  # "agency" or "district": who adopts policies that follow it
    text: str
    tree: ClauseTree
    substitutions: tuple[Substitution, ...] = ()
    metadata: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


class Status(StrEnum):
    IDENTICAL = "identical"
    EDITORIAL = "editorial"
    MODIFIED = "modified"
    MISSING = "missing"


class Category(StrEnum):
    MODALITY = "modality"
    NEGATION = "negation"
    NUMBER = "number"
    DATE = "date"
    DURATION = "duration"
    CITATION = "citation"
    CROSS_REFERENCE = "cross-reference"
    SCOPE = "scope"
    ENTITY = "entity"
    WORDING = "wording"


class Direction(StrEnum):
    WEAKER = "weaker"
    STRONGER = "stronger"


class Effect(StrEnum):
    """What one change does to the obligation (effects.py, from model_policy/effects.json)."""

    WEAKENED = "weakened"
    STRENGTHENED = "strengthened"
    NEEDS_REVIEW = "needs-review"  # the evidence cannot tell: a person decides
    EQUIVALENT = "equivalent"


class Verdict(StrEnum):
    IDENTICAL = "identical"
    SUBSTANTIALLY_SIMILAR = "substantially-similar"
    NEEDS_REVIEW = "needs-review"  # only findings a person must judge stand in the way
    NOT_SUBSTANTIALLY_SIMILAR = "not-substantially-similar"


@dataclass(frozen=True)
class Change:
    """One classified difference inside an aligned pair."""

    category: Category
    substantive: bool
    model_text: str
    doc_text: str
    explanation: str
    direction: Direction | None = None
    effect: Effect | None = None  # set by effects.assign (classify always sets it)
    effect_reason: str = ""  # why the rules table gave this effect

    def to_dict(self) -> dict[str, object]:
        return {
            "category": str(self.category),
            "direction": str(self.direction) if self.direction else None,
            "model_text": self.model_text,
            "doc_text": self.doc_text,
            "substantive": self.substantive,
            "explanation": self.explanation,
            "effect": str(self.effect) if self.effect else None,
            "effect_reason": self.effect_reason,
        }


@dataclass(frozen=True)
class Candidate:
    """The nearest document clause for a missing provision: shown, never counted."""

    doc_ref: str
    text: str
    similarity: float
    location: Location


@dataclass(frozen=True)
class Finding:
    """The verdict on one model provision."""

    model_ref: str
    model_heading: str
    model_text: str
    status: Status
    substantive: bool
    moved: bool
    similarity: float
    doc_refs: tuple[str, ...]
    doc_text: str | None
    location: Location | None
    changes: tuple[Change, ...]
    redline: tuple[tuple[str, str], ...]
    explanation: str
    candidate: Candidate | None = None


@dataclass(frozen=True)
class Addition:
    """A document clause (or sentences of one) that matches no model provision."""

    doc_ref: str
    heading: str
    text: str
    location: Location
    kind: ClauseKind = ClauseKind.BODY


@dataclass(frozen=True)
class Unit:
    """A sentence: ``owner`` is the clause (or provision) ref it belongs to; ``norm`` the
    normalized text that is compared, ``raw`` the text shown."""

    owner: str
    raw: str
    norm: str


@dataclass(frozen=True)
class ProvisionMatch:
    """What one provision (an OLD clause) aligned to: NEW unit ids, in document order."""

    model_ref: str
    doc_units: tuple[int, ...]
    unit_scores: tuple[float, ...]  # per model sentence: best score 0..100 (0 = unmatched)
    moved: bool
    candidate: tuple[int, float] | None  # nearest doc unit when nothing matched


@dataclass(frozen=True)
class Alignment:
    """Sentence alignment: one match per provision, and for each document unit the
    provision it went to (or None)."""

    provisions: tuple[ProvisionMatch, ...]
    unit_owner: tuple[str | None, ...]


@dataclass(frozen=True)
class Side:
    """One side of a pairing: the segmented tree, the clauses taking part (with text, in
    document order), their sentence units and the normalizer that produced ``Unit.norm``."""

    tree: ClauseTree
    clauses: tuple[Clause, ...]
    units: tuple[Unit, ...]
    normalizer: Normalizer = field(compare=False, repr=False)

    @cached_property
    def by_ref(self) -> dict[str, Clause]:
        return {c.ref: c for c in self.tree.clauses}

    @cached_property
    def order(self) -> dict[str, int]:
        """Position of each clause ref in the tree."""
        return {c.ref: i for i, c in enumerate(self.tree.clauses)}

    @cached_property
    def heading_norms(self) -> frozenset[str]:
        """The headings of the tree, normalized (empty ones left out)."""
        return frozenset(
            self.normalizer.norm(c.heading) for c in self.tree.clauses if c.heading
        ) - {""}

    @cached_property
    def sizes(self) -> dict[str, int]:
        """Sentences per clause ref."""
        out: dict[str, int] = {}
        for u in self.units:
            out[u.owner] = out.get(u.owner, 0) + 1
        return out


@dataclass(frozen=True)
class Pairing:
    """OLD (the model, or the first draft) paired with NEW (the document, or the second
    draft). ``matches`` has one entry per OLD clause in OLD order (sentence matches and
    structural matches); ``unit_owner[j]`` is the OLD ref NEW unit ``j`` was matched to;
    ``structural`` the OLD refs matched only by their place in the outline; ``inserts`` the
    unmatched NEW units attached to an OLD ref (the rest of their clause matched it);
    ``loose`` the NEW units that belong to nothing (additions, inserted text); ``headings``
    the NEW units that only print a heading; ``candidates`` the nearest NEW unit (id, score
    0..100) of each unmatched OLD clause."""

    old: Side
    new: Side
    matches: tuple[ProvisionMatch, ...]
    unit_owner: tuple[str | None, ...]
    structural: frozenset[str]
    inserts: Mapping[str, tuple[int, ...]]
    loose: tuple[int, ...]
    headings: frozenset[int]
    candidates: Mapping[str, tuple[int, float]]

    def units_of(self, ref: str) -> tuple[int, ...]:
        """NEW units that an OLD ref got: matched and attached, in document order."""
        own = self._matched.get(ref, ())
        return tuple(sorted({*own, *self.inserts.get(ref, ())}))

    @cached_property
    def _matched(self) -> dict[str, tuple[int, ...]]:
        """The units each OLD ref matched (the first match of a ref, as listed)."""
        out: dict[str, tuple[int, ...]] = {}
        for m in self.matches:
            out.setdefault(m.model_ref, m.doc_units)
        return out


@dataclass(frozen=True)
class Attachment:
    """A copy of the model carried inside the document (an attachment or appendix): where
    it starts, which clauses it holds, and how complete the copy is (share of the model's
    sentences found in it). ``judged`` says which text the audit judged: ``body`` (the
    adopter's own policy, outside the attachment) or ``attachment`` (the document has no
    policy text of its own)."""

    ref: str
    heading: str
    location: Location
    clause_refs: tuple[str, ...]
    model_id: str
    completeness: float
    judged: str
    title: str = ""  # the attachment's own name ("SRO Model Policy.pdf"), if it prints one

    def to_dict(self) -> dict[str, object]:
        return {
            "ref": self.ref,
            "heading": self.heading,
            "title": self.title,
            "location": self.location.to_dict(),
            "clauses": len(self.clause_refs),
            "model": self.model_id,
            "completeness": self.completeness,
            "judged": self.judged,
        }


@dataclass(frozen=True)
class Audit:
    """The whole result of auditing one document against one model."""

    document_path: str
    document_sha256: str
    document_title: str
    document_format: str
    model: ModelPolicy
    model_note: str
    verdict: Verdict
    verdict_reasons: tuple[str, ...]
    findings: tuple[Finding, ...]
    additions: tuple[Addition, ...]
    follows: str = ""  # the bundled model the document appears to follow
    coverage: dict[str, float] = field(default_factory=dict, compare=False, hash=False)
    selection: str = "explicit"  # or "auto"
    pages: int = 1
    clause_count: int = 0
    requirements: tuple[dict[str, Any], ...] = ()  # the statute checklist (check.py)
    attachment: Attachment | None = None  # a model copy carried by the document
    removed_lines: tuple[RemovedLine, ...] = ()  # page furniture ingest removed
    # the reader's name of each document clause, keyed by ref (refnames.py): never a label
    # the document does not print ("unlabeled paragraph 2 under §436.3")
    doc_ref_names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
