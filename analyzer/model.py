"""The data model shared by every pipeline stage.

All types are frozen dataclasses or string enums; no stage mutates its input.

Exports:
    Line, Document              -- ingest output: every line with its page and line number
    Location, Clause, ClauseTree -- segment output: the clause tree, flat in document order
    ModelPolicy                 -- a baseline policy and its declared substitutions
    Status, Category, Direction, Verdict, ClauseKind -- string enums used in the JSON
    Change, Candidate, Finding, Addition, Audit -- classify / audit output
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "Line",
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
    "Verdict",
    "Change",
    "Candidate",
    "Finding",
    "Addition",
    "Audit",
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
class Document:
    """An ingested document: its lines, with running headers/footers removed where the
    format gives their position (PDF). ``format`` is one of text, markdown, pdf, docx."""

    path: str
    sha256: str
    format: str
    lines: tuple[Line, ...]
    pages: int = 1
    extractor: str = ""

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


class Verdict(StrEnum):
    IDENTICAL = "identical"
    SUBSTANTIALLY_SIMILAR = "substantially-similar"
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

    def to_dict(self) -> dict[str, object]:
        return {
            "category": str(self.category),
            "direction": str(self.direction) if self.direction else None,
            "model_text": self.model_text,
            "doc_text": self.doc_text,
            "substantive": self.substantive,
            "explanation": self.explanation,
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
