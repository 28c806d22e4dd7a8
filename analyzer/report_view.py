"""What every audit renderer (text, HTML, Markdown) shows, in which order and under which name.

One place decides the reviewer's reading order, the names of references and the counts, so
the formats cannot disagree:

- ``sections(data)``: requirements not met (missing, weakened, needs review) before the met
  ones; provisions grouped as missing, substantive, editorial, identical (model order inside);
- ``counts(data)``: every number a renderer prints, from the audit's summary dict;
- ``decisive(data)``: the verdict's reasons as a list, the statutory one split per requirement;
- ``model_ref(ref)`` / ``doc_ref(data, ref)``: "model IV.D" and "doc §IV.D" (or "doc unlabeled
  paragraph 2 under §436.3", from ``document.ref_names``), never alike;
- ``name_refs(text, data)``: the same names inside the engine's sentences ("aligned to 3.6");
- ``count(n, noun)``: "1 provision", "2 provisions";
- ``change_context(change, provision)``: the document's words around a short change, the
  change marked in them ("…paragraph ([a → 1]), clause (4) or (5)…"), so it reads alone;
- ``display_redline(provision)``: the engine's redline plus every difference it normalised
  away, as pieces ``(kind, text, model_text)`` with kind equal / delete / insert / swap
  (a declared substitution) / same (normalised away: abbreviation, number word, case).

Exports: sections, counts, open_label, decisive, model_ref, doc_ref, name_refs, count,
change_context, display_redline, normalised, OPEN_STATUSES.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "sections",
    "counts",
    "open_label",
    "decisive",
    "model_ref",
    "doc_ref",
    "name_refs",
    "count",
    "change_context",
    "display_redline",
    "normalised",
    "OPEN_STATUSES",
]

Row = Mapping[str, Any]
OPEN_STATUSES = ("missing", "weakened", "needs-review")
_IRREGULAR = {"was": "were", "is": "are", "needs": "need"}
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_PUNCT = re.compile(r"^[^\w]*$")
_STATUTORY = (
    ("statutory requirements not met", ("missing", "weakened"), "not met"),
    ("statutory requirements a reviewer must judge", ("needs-review",), "a reviewer must judge"),
)


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 provision', '0 provisions', '2 clauses' (``plural`` for irregular nouns)."""
    if n == 1:
        return f"1 {noun}"
    return f"{n} {plural or _IRREGULAR.get(noun) or noun + 's'}"


def model_ref(ref: object) -> str:
    return f"model {ref}"


def doc_ref(data: Row, ref: object) -> str:
    """The document's clause as a reader finds it: 'doc §IV.D', 'doc unlabeled paragraph 2
    under §436.3'; without ``document.ref_names`` (older JSON), 'doc IV.D'."""
    if ref is None or ref == "":
        return "—"
    names = data.get("document", {}).get("ref_names") or {}
    return f"doc {names.get(ref, ref)}"


_CUED_REFS = re.compile(r"(aligned to |nearest: |document )([^\s,;()]+(?:, [^\s,;()]+)*)")


def name_refs(text: object, data: Row) -> str:
    """An engine sentence with the document refs it cites ("aligned to 3.6", "nearest: 3.6",
    "document 417.2.1") replaced by their reader's names ("doc unlabeled paragraph 6 under
    “POLICY”"); other words untouched. Without ``document.ref_names``, ``text`` as is."""
    names = data.get("document", {}).get("ref_names") or {}
    if not names:
        return str(text)

    def swap(match: re.Match[str]) -> str:
        cue = "" if match.group(1) == "document " else match.group(1)
        parts = match.group(2).split(", ")
        if parts[0] not in names:
            return match.group(0)
        return cue + ", ".join(f"doc {names[p]}" if p in names else p for p in parts)

    named = _CUED_REFS.sub(swap, str(text))
    model_refs = {str(p["model_ref"]) for p in data.get("provisions", [])}

    def prefix(match: re.Match[str]) -> str:
        ref = match.group(1)
        return f"model {ref} (doc " if ref in model_refs else match.group(0)

    return re.sub(r"(?<![\w.§])(?<!model )([\w.]+) \(doc ", prefix, named)


def _order(status: str) -> int:
    return OPEN_STATUSES.index(status) if status in OPEN_STATUSES else len(OPEN_STATUSES)


def _needs_review(provision: Row) -> bool:
    return any(c.get("effect") == "needs-review" for c in provision.get("changes", []))


def sections(data: Row) -> dict[str, list[Row]]:
    """The report's groups, in reading order."""
    reqs = list(data.get("requirements") or [])
    provisions = list(data["provisions"])
    return {
        "open_requirements": sorted(
            (r for r in reqs if r["status"] != "met"), key=lambda r: _order(r["status"])
        ),
        "met_requirements": [r for r in reqs if r["status"] == "met"],
        "missing": [p for p in provisions if p["status"] == "missing"],
        "substantive": [p for p in provisions if p["status"] != "missing" and p["substantive"]],
        "editorial": sorted(
            (
                p
                for p in provisions
                if p["status"] not in ("missing", "identical") and not p["substantive"]
            ),
            key=lambda p: not _needs_review(p),
        ),
        "identical": [p for p in provisions if p["status"] == "identical" and not p["substantive"]],
        "additions": list(data["additions"]),
        "moved": [p for p in provisions if p["moved"]],
    }


def counts(data: Row) -> dict[str, int]:
    """The counts every renderer prints, from the summary dict (derived when an older
    summary lacks a field): provisions by group, additions, requirements by status."""
    s = data["summary"]
    groups = sections(data)
    statuses = [r["status"] for r in data.get("requirements") or []]
    checklist = s.get("checklist") or {
        "total": len(statuses),
        **{k: statuses.count(k) for k in ("met", *OPEN_STATUSES)},
    }
    return {
        "provisions": s["provisions"],
        "missing": s["missing"],
        "substantive_changes": s.get("substantive_changes", len(groups["substantive"])),
        "editorial": s["editorial"],
        "identical": s["identical"],
        "moved": s["moved"],
        "additions": s["additions"],
        "requirements": checklist["total"],
        "met": checklist.get("met", 0),
        "weakened": checklist.get("weakened", 0),
        "requirements_missing": checklist.get("missing", 0),
        "needs_review": checklist.get("needs-review", 0),
        "open_requirements": checklist["total"] - checklist.get("met", 0),
    }


def open_label(n: Mapping[str, int]) -> str:
    """'not met', or 'not met or to review' when some requirement needs review."""
    return "not met or to review" if n.get("needs_review") else "not met"


def decisive(data: Row) -> list[dict[str, Any]]:
    """The verdict's reasons, one item each; a statutory reason ("statutory requirements not
    met: A; B", "statutory requirements a reviewer must judge: C") lists its requirements."""
    out: list[dict[str, Any]] = []
    reqs = list(data.get("requirements") or [])
    for reason in data["verdict_reasons"]:
        for prefix, statuses, words in _STATUTORY:
            listed = [r for r in reqs if r["status"] in statuses]
            if reason.startswith(prefix) and listed:
                listed.sort(key=lambda r: _order(r["status"]))
                text = f"{count(len(listed), 'statutory requirement')} {words}"
                out.append({"text": text, "requirements": listed})
                break
        else:
            out.append({"text": reason, "requirements": []})
    return out


def _words(text: str) -> int:
    return len(text.split())


def _around(text: str, part: str, width: int = 6) -> str:
    """``part`` in ``text`` with ``width`` words either side, '…' where cut; "" when
    ``part`` is absent, punctuation only or found more than once."""
    at = text.find(part) if part else -1
    if at < 0 or text.count(part) > 1 or _PUNCT.match(part):
        return ""  # absent, or ambiguous: a wrong place is worse than none
    before = text[:at].split()
    after = text[at + len(part) :].split()
    head = " ".join(before[-width:])
    tail = " ".join(after[:width])
    glue_l = " " if text[:at][-1:].isspace() else ""
    glue_r = " " if text[at + len(part) :][:1].isspace() else ""
    body = f"{head}{glue_l}{part}{glue_r}{tail}".strip()
    return ("…" if len(before) > width else "") + body + ("…" if len(after) > width else "")


def _window(prefix: str, mark: str, suffix: str, width: int = 6) -> str:
    """``mark`` with ``width`` words of ``prefix`` before and of ``suffix`` after it."""
    before, after = prefix.split(), suffix.split()
    glue_l = " " if prefix[-1:].isspace() else ""
    glue_r = " " if suffix[:1].isspace() else ""
    body = f"{' '.join(before[-width:])}{glue_l}{mark}{glue_r}{' '.join(after[:width])}"
    return ("…" if len(before) > width else "") + body.strip() + ("…" if len(after) > width else "")


def _mark(old: str, new: str) -> str:
    if old and new:
        return f"[{old} → {new}]"
    return f"[+{new}]" if new else f"[−{old}]"


def _in_redline(provision: Row, old: str, new: str) -> str:
    """The change located by its hunk in the engine's redline (delete ``old`` next to insert
    ``new``), marked in the document's words around it: '…paragraph ([a → 1]), clause…'."""
    pieces = [(str(op), str(text)) for op, text in provision.get("redline") or []]
    doc_side = ""
    for i, (op, text) in enumerate(pieces):
        nxt = pieces[i + 1] if i + 1 < len(pieces) else ("", "")
        hit_old = op == "delete" and text.strip() == old
        pair = hit_old and nxt[0] == "insert" and nxt[1].strip() == new
        hit_new = op == "insert" and text.strip() == new and not old
        if (hit_old and (pair or not new)) or hit_new:
            used = i + (2 if pair else 1)
            lead = text[: len(text) - len(text.lstrip())]
            last = nxt[1] if pair else text
            trail = last[len(last.rstrip()) :]
            suffix = trail + "".join(t for o, t in pieces[used:] if o != "delete")
            return _window(doc_side + lead, _mark(old, new), suffix)
        if op != "delete":
            doc_side += text
    return ""


def change_context(change: Row, provision: Row | None) -> str:
    """For a change of a few words, where it sits in the document, marked: 'doc
    “…subdivision 2, paragraph ([a → 1]), clause (4) or (5)…”'; "" when it reads alone or
    cannot be placed for sure."""
    if provision is None:
        return ""
    old = (change.get("model_text") or "").strip()
    new = (change.get("doc_text") or "").strip()
    if _words(old) > 3 or _words(new) > 3 or not (old or new):
        return ""
    located = _in_redline(provision, old, new)
    if located:
        return f"doc “{located}”"
    before = _around(provision.get("model_text") or "", old) if old else ""
    after = _around(provision.get("doc_text") or "", new) if new else ""
    parts = []
    if before:
        parts.append(f"model “{before}”")
    if after:
        parts.append(f"doc “{after}”")
    return " → ".join(parts)


# ---------------------------------------------------------------- the full redline


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _hidden_hunks(model: str, doc: str) -> list[tuple[int, int, str]]:
    """Every raw word difference: (doc start, doc end, model text), doc spans in order."""
    mt, dt = _tokens(model), _tokens(doc)
    matcher = difflib.SequenceMatcher(None, [t[0] for t in mt], [t[0] for t in dt], False)
    out = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old = model[mt[i1][1] : mt[i2 - 1][2]] if i2 > i1 else ""
        if j2 > j1:
            start, end = dt[j1][1], dt[j2 - 1][2]
        else:
            start = end = dt[j1][1] if j1 < len(dt) else len(doc)
        out.append((start, end, old))
    return out


def _words_of(text: object) -> str:
    return " ".join(re.findall(r"\w+(?:['’]\w+)*", str(text).lower()))


def _is_swap(old: str, new: str, changes: Sequence[Row]) -> bool:
    """Is this difference inside a declared substitution (a non-substantive entity change)?"""
    low_old, low_new = _words_of(old), _words_of(new)
    if not low_old or not low_new:
        return False
    return any(
        c.get("category") == "entity"
        and not c.get("substantive")
        and low_old in _words_of(c["model_text"])
        and low_new in _words_of(c["doc_text"])
        for c in changes
    )


def normalised(provision: Row) -> list[tuple[str, str, str]]:
    """The swap and same pieces of ``display_redline``: (kind, doc text, model text)."""
    return [piece for piece in display_redline(provision) if piece[0] in ("swap", "same")]


def display_redline(provision: Row) -> list[tuple[str, str, str]]:
    """The engine's redline with the differences it normalised away made visible.

    Engine pieces stay as they are, except that inside an ``equal`` piece every raw word
    difference from the model becomes a ``swap`` (declared substitution) or ``same``
    (normalised away) piece carrying the model's words, and a punctuation-only delete or
    insert that such a piece already covers ("Minn. Stat." → "MSS" leaves a lone ".") is
    dropped. The ``equal``, ``insert``, ``swap`` and ``same`` texts joined are ``doc_text``.
    """
    redline = [(str(op), str(text)) for op, text in provision.get("redline") or []]
    doc = provision.get("doc_text") or ""
    model = provision.get("model_text") or ""
    if not doc or doc == model or "".join(t for op, t in redline if op != "delete") != doc:
        return [(op, text, "") for op, text in redline]
    hunks = _hidden_hunks(model, doc)
    changes = provision.get("changes") or []
    spans, pos = [], 0
    for op, text in redline:
        end = pos if op == "delete" else pos + len(text)
        spans.append((op, text, pos, end))
        pos = end
    inside = []
    for start, end, old in hunks:
        if start == end and len(_TOKEN.findall(old)) > 3:
            continue  # a long raw deletion is the engine's to show (it aligns words better)
        if _PUNCT.match(old) and _PUNCT.match(doc[start:end]):
            continue  # punctuation alone: the engine's redline shows what matters of it
        for op, _, s, e in spans:
            if op == "equal" and s <= start and end <= e and (start < end or s < start < e):
                inside.append((start, end, old))
                break
    covered = [(s, e) for s, e, _ in inside if s < e]
    out: list[tuple[str, str, str]] = []
    for op, text, s, e in spans:
        if op != "equal":
            absorbed = _PUNCT.match(text) and any(a <= s <= b for a, b in covered)
            if not absorbed:
                out.append((op, text, ""))
            continue
        cursor = s
        for start, end, old in inside:
            if not (s <= start and end <= e) or start < cursor:
                continue
            if start > cursor:
                out.append(("equal", doc[cursor:start], ""))
            new = doc[start:end]
            out.append(("swap" if _is_swap(old, new, changes) else "same", new, old))
            cursor = end
        if cursor < e:
            out.append(("equal", doc[cursor:e], ""))
    return out
