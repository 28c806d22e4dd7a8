"""Detectors: the rules that turn one redline hunk into a categorized change.

Each detector reads a hunk of a (model provision, document text) pair and returns a
``Change`` or None: declared substitutions (entity), number/date/duration (with the direction
read by ``effects.figure_direction``), citations, internal cross-references checked against
the document's outline, scope, and the editorial rewordings (typo, inflection, words moved,
a party named in the adopter's own words, a policy naming itself).

The word classes come from the run's ``Lexicon`` (``analyzer.lexicon``), carried by ``Pair``
or passed in: no detector reads a file, the environment or a module cache.

Exports: XrefContext, ref_key(ref), section_of(ref), modals(tokens, lex),
span(tokens, text, i, j), Pair, quote(text), context_words(tokens, i, width),
entity_hunk(...), number_change(...), cross_reference(...), lettered_citation(...),
scope_or_wording(...), entity_changes(...).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from operator import attrgetter

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .effects import EffectRules, figure_direction
from .lexicon import Lexicon
from .model import Category, Change
from .normalize import Token

__all__ = [
    "XrefContext",
    "ref_key",
    "section_of",
    "modals",
    "span",
    "Pair",
    "quote",
    "context_words",
    "entity_hunk",
    "number_change",
    "cross_reference",
    "lettered_citation",
    "scope_or_wording",
    "entity_changes",
    "self_references",
    "typo_level",
    "same_parties",
    "SELF",
]


_STATUTE_RE = re.compile(r"^\d{3}[a-z]?\.\d+")


_YEAR_RE = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True)
class XrefContext:
    """What internal references can point at: the document's outline refs (normalized),
    the model section each document clause aligned to, the model's refs, and the section
    of the provision being compared (for relative references like "paragraph E.2").
    ``outline``: the first three computed on first use instead (``resolved``): most audits
    classify no internal reference, so they never need them."""

    doc_refs: frozenset[str] = frozenset()
    doc_topics: dict[str, frozenset[str]] | None = None
    model_refs: frozenset[str] = frozenset()
    provision_ref: str = ""
    outline: Callable[[], XrefContext] | None = field(default=None, compare=False, repr=False)

    def resolved(self) -> XrefContext:
        """This context with ``outline`` computed (the fields it gives, this provision)."""
        if self.outline is None:
            return self
        return replace(self.outline(), provision_ref=self.provision_ref, outline=None)


def ref_key(ref: str) -> str:
    """Normalized outline ref: "Order 417.6," -> "417.6"; "IV.A." -> "iv.a"."""
    return ref.strip(" .,;:()").lower()


def section_of(ref: str) -> str:
    """The top two outline components: "IV.E.3.7" -> "iv.e"."""
    return ".".join(ref_key(ref).split(".")[:2])


def modals(tokens: Sequence[Token], lex: Lexicon) -> list[tuple[int, int, int, tuple[str, ...]]]:
    """(start, end, strength, key) for each modal phrase; key = the next two content words
    (the obligation it governs, e.g. "complete supplemental")."""
    modal = lex.modal
    words = [(i, t.norm) for i, t in enumerate(tokens) if t.kind != "punct"]
    firsts = lex.modal_firsts
    out = []
    k = 0
    while k < len(words):
        if words[k][1] not in firsts:
            k += 1
            continue
        hit = None
        for n in (3, 2, 1):
            key = tuple(w for _, w in words[k : k + n])
            if len(key) == n and key in modal:
                hit = (n, modal[key])
                break
        if hit is None:
            k += 1
            continue
        n, strength = hit
        rest = [w for _, w in words[k + n : k + n + 6] if w not in lex.modal_skip]
        out.append((words[k][0], words[k + n - 1][0], strength, tuple(rest[:2])))
        k += n
    return out


def span(tokens: Sequence[Token], text: str, i: int, j: int) -> str:
    if i >= j:
        return ""
    return text[tokens[i].start : tokens[j - 1].end]


@dataclass(frozen=True)
class Pair:
    a: Sequence[Token]
    b: Sequence[Token]
    a_text: str
    b_text: str
    xref: XrefContext
    rules: EffectRules
    lex: Lexicon

    @cached_property
    def a_words(self) -> frozenset[str]:
        return frozenset(t.norm for t in self.a if t.kind != "punct")

    @cached_property
    def b_words(self) -> frozenset[str]:
        return frozenset(t.norm for t in self.b if t.kind != "punct")


def lettered_citation(p: Pair, i1: int, j1: int, old_w: list[str], new_w: list[str]) -> bool:
    """ "paragraph (a)" -> "paragraph (c)", "clause (iv)": a lettered citation changed."""
    citation = p.lex.citation
    letters = re.compile(r"^(?:[a-z]|[ivx]{1,4})$")
    if not old_w or not new_w or len(old_w) > 2 or len(new_w) > 2:
        return False
    if not all(letters.match(w) for w in old_w + new_w):
        return False
    near = set(context_words(p.a, i1, 3)) | set(context_words(p.b, j1, 3))
    return bool(near & citation)


def entity_hunk(
    old: Sequence[Token],
    new: Sequence[Token],
    old_w: list[str],
    new_w: list[str],
    mt: str,
    dt: str,
    stop: frozenset[str],
) -> Change | None:
    """A declared substitution, possibly filled in with more naming detail
    ("[AGENCY NAME]" -> "(Hutchinson Public Schools ISD 423/Hutchinson Police Department)")."""
    ents_old = [t for t in old if t.kind == "entity"]
    ents_new = [t for t in new if t.kind == "entity"]
    if not ents_old and not ents_new:
        return None
    rest_old = {w for w in old_w if not w.startswith("<")} - stop
    rest_new = {w for w in new_w if not w.startswith("<")} - stop
    if rest_old == rest_new or (ents_old and ents_new and not rest_old and _names_only(new, stop)):
        return Change(
            Category.ENTITY, False, mt, dt, f"declared substitution: {quote(mt)} \u2192 {quote(dt)}"
        )
    return None


def _names_only(tokens: Sequence[Token], stop: frozenset[str]) -> bool:
    """Only proper names, numbers and entities (e.g. "ISD 423")."""
    return all(
        t.kind != "word" or t.raw[:1].isupper() or t.raw[:1].isdigit() or t.norm in stop
        for t in tokens
    )


def quote(text: str) -> str:
    return f"\u201c{text}\u201d" if text else "(nothing)"


def context_words(tokens: Sequence[Token], i: int, width: int = 3) -> list[str]:
    lo = max(0, i - width)
    return [t.norm for t in tokens[lo:i] if t.kind != "punct"]


def number_change(
    p: Pair,
    i1: int,
    i2: int,
    j1: int,
    j2: int,
    old_w: list[str],
    new_w: list[str],
    mt: str,
    dt: str,
) -> Change | None:
    units, months, citation = p.lex.units, p.lex.months, p.lex.citation

    def numeric(w: str) -> bool:
        return any(ch.isdigit() for ch in w) or w in months

    nums_old = [w for w in old_w if numeric(w)]
    nums_new = [w for w in new_w if numeric(w)]
    # a figure present on both sides, only moved within the provision, is no change
    gone = [w for w in nums_old if w not in p.b_words]
    added = [w for w in nums_new if w not in p.a_words]
    if not gone and not added:
        return None
    if not nums_old and dt.lstrip(" ,(").startswith("#"):
        return Change(
            Category.CROSS_REFERENCE, False, mt, dt, f"reference number added: {quote(dt)}"
        )
    ctx = set(context_words(p.a, i1)) | set(context_words(p.b, j1))
    words = set(old_w) | set(new_w)
    figures = gone + added
    if any(_STATUTE_RE.match(w) for w in figures) or ctx & citation or words & citation:
        return Change(
            Category.CITATION, True, mt, dt, f"citation changed: {quote(mt)} \u2192 {quote(dt)}"
        )
    after_a = [t.norm for t in p.a[i2 : i2 + 1] if t.kind != "punct"]
    after_b = [t.norm for t in p.b[j2 : j2 + 1] if t.kind != "punct"]
    if words & months or any(_YEAR_RE.match(w) for w in figures):
        category, old_v, new_v = Category.DATE, _window(p.a, i1, i2), _window(p.b, j1, j2)
    elif words & units or set(after_a + after_b) & units:
        category, old_v, new_v = Category.DURATION, old_w, new_w
    else:
        category, old_v, new_v = Category.NUMBER, old_w, new_w
    direction = figure_direction(
        category,
        old_v,
        new_v,
        context_words(p.a, i1, 4),
        p.rules,
        unit=next((w for w in after_a if w in units), ""),
        declared=p.rules.figures.get(p.xref.provision_ref, ""),
    )
    how = f", {direction}" if direction else ""
    why = f"{category} changed{how}: {quote(mt)} \u2192 {quote(dt)}"
    return Change(category, True, mt, dt, why, direction)


def _window(tokens: Sequence[Token], i: int, j: int, width: int = 3) -> list[str]:
    """The words of tokens[i:j] with ``width`` words either side (a date's other parts)."""
    words = [t.norm for t in tokens[:i] if t.kind != "punct"][-width:]
    words += [t.norm for t in tokens[i:j] if t.kind != "punct"]
    return words + [t.norm for t in tokens[j:] if t.kind != "punct"][:width]


def _outline_tokens(
    tokens: Sequence[Token], lo: int, hi: int, statute_cues: frozenset[str]
) -> list[str]:
    """Raw internal references in tokens[lo:hi]: "E.2", "IV.A", "417.6", "A" (not statute
    sections: a number right after "MSS"/"chapter"/"subd" is a citation)."""
    out = []
    for k in range(lo, hi):
        t = tokens[k]
        raw = t.raw.strip(".,")
        if t.kind != "word" or not re.fullmatch(
            r"(?:[IVX]+|[A-H])(?:\.[A-Za-z0-9]+)*|\d{2,4}\.\d{1,2}(?:\.\d+)*", raw
        ):
            continue
        before = [w.norm for w in tokens[max(0, k - 2) : k] if w.kind != "punct"]
        if set(before) & statute_cues:
            continue
        out.append(raw)
    return out


def cross_reference(
    p: Pair, i1: int, i2: int, j1: int, j2: int, old_w: list[str], new_w: list[str]
) -> Change | None:
    """Internal references ("paragraph IV.A" -> "Order 417.6"), checked against the
    document's own outline and against what the referenced section is about."""
    mt, dt = span(p.a, p.a_text, i1, i2), span(p.b, p.b_text, j1, j2)
    old_refs = _outline_tokens(p.a, i1, i2, p.lex.statute_cues)
    new_refs = _outline_tokens(p.b, j1, j2, p.lex.statute_cues)
    near = set(context_words(p.a, i1, 6)) | set(context_words(p.b, j1, 6))
    cue = (set(old_w) | set(new_w) | near) & p.lex.reference_cues
    dotted = any("." in r for r in old_refs + new_refs)
    if not (old_refs or new_refs) or not (cue or dotted):
        return None
    x = p.xref.resolved()
    dangling = [r for r in new_refs if x.doc_refs and ref_key(r) not in x.doc_refs]
    if dangling:
        return Change(
            Category.CROSS_REFERENCE,
            True,
            mt,
            dt,
            f"internal reference {quote(dt)} points at {', '.join(dangling)}, which is not a "
            f"section of this document",
        )
    model_topics = {_model_topic(r, x) for r in old_refs} - {""}
    doc_topics: set[str] = set()
    for r in new_refs:
        doc_topics |= _doc_topic(r, x)
    if not doc_topics and old_refs and new_refs:
        # the target aligned to nothing: compare the references themselves
        # (read in the model's outline from the provision: "A" inside IV.A.2 is IV.A)
        new_targets = [_model_target(r, x) for r in new_refs]
        if all(new_targets) and {_model_target(r, x) for r in old_refs} != set(new_targets):
            return Change(
                Category.CROSS_REFERENCE,
                True,
                mt,
                dt,
                f"internal reference changed: {quote(mt)} \u2192 {quote(dt)}",
            )
    if model_topics and doc_topics and not (model_topics & doc_topics):
        return Change(
            Category.CROSS_REFERENCE,
            True,
            mt,
            dt,
            f"internal reference points elsewhere: the model's {quote(mt)} is about "
            f"{', '.join(sorted(t.upper() for t in model_topics))}, the document's {quote(dt)} "
            f"is about {', '.join(sorted(t.upper() for t in doc_topics))}",
        )
    return Change(
        Category.CROSS_REFERENCE,
        False,
        mt,
        dt,
        f"internal reference renumbered: {quote(mt)} \u2192 {quote(dt)}",
    )


def _doc_topic(ref: str, x: XrefContext) -> set[str]:
    """What a document reference is about; a relative one ("F.2") by the full paths it is
    the tail of ("3.F.2")."""
    topics = x.doc_topics or {}
    key = ref_key(ref)
    if key in topics:
        return set(topics[key])
    out: set[str] = set()
    for full, found in topics.items():
        if full.endswith("." + key):
            out |= found
    return out


def _model_topic(ref: str, x: XrefContext) -> str:
    """Resolve a model reference relative to the provision: "E.2" inside IV.G -> "iv.e"."""
    target = _model_target(ref, x)
    return section_of(target) if target else ""


def _model_target(ref: str, x: XrefContext) -> str:
    """The model ref a reference names, read from the provision outwards: "E.2" inside
    IV.G -> "iv.e.2", "A" inside IV.A.2 -> "iv.a" ("" when the model has none)."""
    key = ref_key(ref)
    parts = ref_key(x.provision_ref).split(".")
    for k in range(len(parts), -1, -1):
        cand = ".".join([*parts[:k], key]) if k else key
        if cand in x.model_refs:
            return cand
    return ""


def scope_or_wording(old_w: list[str], new_w: list[str], mt: str, dt: str, p: Pair) -> Change:
    stop = p.lex.stop
    moved_out = [w for w in old_w if w not in stop and w not in p.b_words]
    moved_in = [w for w in new_w if w not in stop and w not in p.a_words]
    if not moved_out and not moved_in:
        return Change(
            Category.WORDING,
            False,
            mt,
            dt,
            f"words moved within the provision: {quote(mt or dt)}",
        )
    party = p.lex.party
    content_old = [w for w in old_w if w not in stop]
    content_new = [w for w in new_w if w not in stop]
    if sorted(content_old) == sorted(content_new):
        return Change(Category.WORDING, False, mt, dt, f"reworded: {quote(mt)} \u2192 {quote(dt)}")
    if same_parties(old_w, new_w, p.rules):
        return Change(
            Category.ENTITY,
            False,
            mt,
            dt,
            f"the adopter's own name for the model's parties: {quote(mt)} \u2192 {quote(dt)}",
        )
    if _is_typo(content_old, content_new):
        return Change(
            Category.WORDING,
            False,
            mt,
            dt,
            f"spelling or inflection: {quote(mt)} \u2192 {quote(dt)}",
        )
    removed = [w for w in content_old if w not in content_new]
    added = [w for w in content_new if w not in content_old]
    plain = [w for w in removed + added if not w.startswith("<")]
    if len(plain) <= 1 and len(plain) < len(removed + added):
        return Change(
            Category.WORDING,
            False,
            mt,
            dt,
            f"reworded around a name: {quote(mt)} \u2192 {quote(dt)}",
        )
    parties = [w for w in removed + added if w in party or w.startswith("<")]
    if parties or len(removed) + len(added) >= 3:
        if not content_new:
            why = f"text removed: {quote(mt)}"
        elif not content_old:
            why = f"text added: {quote(dt)}"
        else:
            why = f"scope changed: {quote(mt)} \u2192 {quote(dt)}"
        return Change(Category.SCOPE, True, mt, dt, why)
    return Change(Category.WORDING, False, mt, dt, f"reworded: {quote(mt)} \u2192 {quote(dt)}")


def _is_typo(old: list[str], new: list[str]) -> bool:
    """Same number of words, each pair close in spelling (typo, plural, tense)."""
    if len(old) != len(new) or not old:
        return False
    return all(
        o == n or (fuzz.ratio(o, n) >= 75 and (o[:1] == n[:1] or len(o) >= 6))
        for o, n in zip(old, new, strict=True)
    )


def entity_changes(
    a: Sequence[Token],
    b: Sequence[Token],
    ops: Sequence[tuple[str, int, int, int, int]],
    a_text: str,
    b_text: str,
) -> list[Change]:
    """Declared substitutions that the normalization made equal but read differently."""
    out: list[Change] = []
    seen: set[tuple[str, str]] = set()
    for tag, i1, i2, j1, j2 in ops:
        if tag != "equal":
            continue
        for ta, tb in zip(a[i1:i2], b[j1:j2], strict=True):
            if ta.kind == "entity" and " ".join(ta.raw.split()) != " ".join(tb.raw.split()):
                key = (ta.raw, tb.raw)
                if key in seen:
                    continue
                seen.add(key)
                out.append(
                    Change(
                        Category.ENTITY,
                        False,
                        ta.raw,
                        tb.raw,
                        (
                            "the policy names itself"
                            if ta.norm == SELF
                            else f"declared substitution ({ta.norm.strip('<>')})"
                        )
                        + f": {quote(ta.raw)} \u2192 {quote(tb.raw)}",
                    )
                )
    return out


SELF = "<self>"
_NORM = attrgetter("norm")


def self_references(tokens: Sequence[Token], text: str, rules: EffectRules) -> list[Token]:
    """Each way the policy names itself ("this policy", "any policy adopted pursuant to
    subdivision 6 by the law enforcement agency") becomes one entity token ``<self>``."""
    if not rules.self_reference or rules.self_anchors.isdisjoint(map(_NORM, tokens)):
        return list(tokens)
    words = [k for k, t in enumerate(tokens) if t.kind != "punct"]
    starts: dict[int, int] = {}
    ends: dict[int, int] = {}
    parts: list[str] = []
    pos = 0
    for n, k in enumerate(words):
        starts[pos] = n
        parts.append(tokens[k].norm)
        pos += len(tokens[k].norm)
        ends[pos] = n
        pos += 1
    joined = " ".join(parts)
    spans = sorted(
        (m.start(), -m.end())
        for pattern in rules.self_reference
        for m in pattern.finditer(joined)
        if m.start() in starts and m.end() in ends
    )
    out = list(tokens)
    last = -1
    hits: list[tuple[int, int]] = []
    for start, neg_end in spans:
        first, final = words[starts[start]], words[ends[-neg_end]]
        if first > last:
            hits.append((first, final))
            last = final
    for first, final in reversed(hits):
        a, b = tokens[first], tokens[final]
        out[first : final + 1] = [Token(SELF, text[a.start : b.end], a.start, b.end, "entity")]
    return out


def typo_level(mt: str, dt: str, rules: EffectRules) -> bool:
    """Raw texts a keystroke or two apart ("school resources officer"), same figures."""
    a, b = " ".join(mt.lower().split()), " ".join(dt.lower().split())
    if a == b or min(len(a), len(b)) < rules.typo_min_chars:
        return False
    if re.findall(r"\d+", a) != re.findall(r"\d+", b):
        return False
    return (
        Levenshtein.distance(a, b) <= rules.typo_max_edits
        and fuzz.ratio(a, b) >= rules.typo_min_ratio
    )


def _party_signature(words: Sequence[str], rules: EffectRules) -> tuple[frozenset[str], list[str]]:
    """The party classes named, and the other words (qualifiers and connectors dropped,
    equally strong modals made one)."""
    classes: set[str] = set()
    rest: list[str] = []
    k = 0
    while k < len(words):
        for n in range(min(6, len(words) - k), 0, -1):
            name = rules.party_classes.get(tuple(words[k : k + n]))
            if name is not None:
                classes.add(name)
                k += n
                break
        else:
            w = words[k]
            k += 1
            if w not in rules.qualifiers and w not in rules.connectors:
                rest.append(rules.equal_modals.get(w, w))
    return frozenset(classes), sorted(rest)


def same_parties(old_w: Sequence[str], new_w: Sequence[str], rules: EffectRules) -> bool:
    """The same parties in the adopter's own names: "the school district and the law
    enforcement agency must" = "the Lakeville Police Department and impacted schools shall"."""
    old, new = _party_signature(old_w, rules), _party_signature(new_w, rules)
    return bool(old[0]) and old == new
