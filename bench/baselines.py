"""Two naive auditors the accuracy benchmark compares policydiff against.

Both see the model's provisions (in model order) and the variant's plain text split into
paragraphs, and answer in the benchmark's outcome shape (see ``bench.accuracy``): per model
ref a status, a ``substantive`` flag and, where they can tell, ``moved``; plus additions.
Neither can name a change category or a direction.

Exports:
    paragraphs(text) -> list[str]              -- paragraphs split at blank lines and labels
    difflib_audit(provisions, text) -> dict    -- ordered paragraph diff (difflib.SequenceMatcher)
    rapidfuzz_audit(provisions, text) -> dict  -- each provision -> best fuzz.ratio paragraph
    DIFFLIB_MISSING, DIFFLIB_SUBSTANTIVE, RAPIDFUZZ_MISSING, RAPIDFUZZ_SUBSTANTIVE -- thresholds
"""

from __future__ import annotations

import difflib
import re

from rapidfuzz import fuzz, process

from analyzer.align import longest_increasing

__all__ = [
    "paragraphs",
    "difflib_audit",
    "rapidfuzz_audit",
    "DIFFLIB_MISSING",
    "DIFFLIB_SUBSTANTIVE",
    "RAPIDFUZZ_MISSING",
    "RAPIDFUZZ_SUBSTANTIVE",
]

DIFFLIB_MISSING = 0.5  # a replaced model paragraph whose best partner is below this is missing
DIFFLIB_SUBSTANTIVE = 0.95  # ... and below this (but above missing) substantive
RAPIDFUZZ_MISSING = 60.0
RAPIDFUZZ_SUBSTANTIVE = 95.0

_LABEL = re.compile(
    r"^(?:#{1,6}\s+|[-*•]\s+)*"
    r"(?:(?:Order|Section|Article)\s+)?"
    r"(?:(?:\d{1,4}(?:\.[\dA-Za-z]{1,4})+\.?:?|\(?(?:[IVXivx]{1,5}|[A-Za-z]|\d{1,3})[.)])(?=\s|$))?"
    r"\s*(?:[-*•]\s+)*"
)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _starts_item(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and _LABEL.match(stripped).end() > 0  # type: ignore[union-attr]


def paragraphs(text: str) -> list[str]:
    """Paragraphs of ``text``: blocks between blank lines, split again where a line opens
    with a list label or bullet; labels, bullets and markdown heading marks removed."""
    out: list[str] = []
    current: list[str] = []
    for line in text.splitlines() + [""]:
        if not line.strip() or (_starts_item(line) and current):
            if current:
                out.append(_norm(" ".join(current)))
            current = []
        if line.strip():
            stripped = line.strip()
            m = _LABEL.match(stripped)
            current.append(stripped[m.end() :] if m else stripped)
    return [p for p in out if p]


def _verdict(score: float, missing: float, substantive: float) -> dict[str, object]:
    if score < missing:
        return {"status": "missing", "substantive": False}
    if score < substantive:
        return {"status": "modified", "substantive": True}
    return {"status": "identical" if score >= 100.0 else "editorial", "substantive": False}


def _pair_block(refs: list[str], model: list[str], doc: list[str]) -> tuple[dict, list[str]]:
    """Greedy best-ratio pairing inside one difflib ``replace`` block."""
    found: dict[str, dict[str, object]] = {}
    free = set(range(len(doc)))
    for ref, text in zip(refs, model, strict=True):
        scored = [(difflib.SequenceMatcher(None, text, doc[j]).ratio(), j) for j in free]
        best, j = max(scored, default=(0.0, -1))
        found[ref] = _verdict(best * 100, DIFFLIB_MISSING * 100, DIFFLIB_SUBSTANTIVE * 100)
        if found[ref]["status"] != "missing":
            free.discard(j)
    return found, [doc[j] for j in sorted(free)]


def difflib_audit(provisions: dict[str, str], text: str) -> dict[str, object]:
    """Ordered paragraph diff: equal -> identical, delete -> missing, replace -> ratio."""
    refs = list(provisions)
    model = [_norm(provisions[r]) for r in refs]
    doc = paragraphs(text)
    found: dict[str, dict[str, object]] = {}
    additions: list[str] = []
    matcher = difflib.SequenceMatcher(None, model, doc, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            found.update({r: {"status": "identical", "substantive": False} for r in refs[i1:i2]})
        elif tag == "delete":
            found.update({r: {"status": "missing", "substantive": False} for r in refs[i1:i2]})
        elif tag == "insert":
            additions.extend(doc[j1:j2])
        else:
            pairs, extra = _pair_block(refs[i1:i2], model[i1:i2], doc[j1:j2])
            found.update(pairs)
            additions.extend(extra)
    return {"provisions": found, "additions": additions, "moved": False, "categories": False}


def _unmoved(order: list[int]) -> set[int]:
    """Positions (in ``order``) on one longest increasing subsequence: the ones not moved."""
    return longest_increasing(order)


def rapidfuzz_audit(provisions: dict[str, str], text: str) -> dict[str, object]:
    """Each provision -> its best ``fuzz.ratio`` paragraph; out-of-order matches are moved."""
    doc = paragraphs(text)
    found: dict[str, dict[str, object]] = {}
    matched: list[tuple[str, int]] = []
    for ref, prov in provisions.items():
        best = process.extractOne(_norm(prov), doc, scorer=fuzz.ratio) if doc else None
        score, index = (best[1], best[2]) if best else (0.0, -1)
        found[ref] = _verdict(score, RAPIDFUZZ_MISSING, RAPIDFUZZ_SUBSTANTIVE)
        found[ref]["moved"] = False
        if found[ref]["status"] != "missing":
            matched.append((ref, index))
    keep = _unmoved([index for _, index in matched])
    for pos, (ref, _) in enumerate(matched):
        found[ref]["moved"] = pos not in keep
    used = {index for _, index in matched}
    model = [_norm(p) for p in provisions.values()]
    additions = [
        para
        for j, para in enumerate(doc)
        if j not in used
        and (process.extractOne(para, model, scorer=fuzz.ratio) or ("", 0.0))[1] < RAPIDFUZZ_MISSING
    ]
    return {"provisions": found, "additions": additions, "moved": True, "categories": False}
