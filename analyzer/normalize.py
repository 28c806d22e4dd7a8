"""Normalization: the one place that decides which spellings count as the same text.

Compare normalized text, show raw text. ``tokenize`` turns raw text into tokens that keep
their raw span; ``Normalizer.tokens`` then rewrites them with the declared tables in
``model_policy/normalization.json`` (case, quotes, dashes, "SRO's"/"SROs", statute
abbreviations "MSS"/"Minn. Stat."/"M.S."/"§", number words "sixty (60)" = "60") and the
model's declared substitutions (its placeholder and generic parties against the document's
own agency or district name and "Chief of Police", found in the document itself).

Exports: Token, Normalizer, tokenize(text), build_normalizer(model, document_text, *, tables),
norm_string(tokens), tables(), check_tables(data, source), find_names(text),
fold_typography(text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from .errors import ConfigError
from .lexicon import Lexicon
from .model import ModelPolicy

__all__ = [
    "Token",
    "Normalizer",
    "tokenize",
    "build_normalizer",
    "norm_string",
    "tables",
    "find_names",
    "check_tables",
    "fold_typography",
]

# Typography, folded for comparison only (the raw text is still shown): one character for
# one character, so token spans stay those of the raw text.
_TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\uff07", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\uff02", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2212\ufe63\uff0d", "-"),
        **dict.fromkeys("\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a", " "),
        **dict.fromkeys("\u202f\u205f\u3000", " "),
    }
)
# Inside a word: soft hyphens and zero-width characters vanish, ligatures expand.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
_LIGATURES |= {"\ufb05": "st", "\ufb06": "st"}
_IN_WORD = str.maketrans({**dict.fromkeys(_INVISIBLE, ""), **_LIGATURES})
_W = "A-Za-z0-9\ufb00-\ufb06" + _INVISIBLE
_WORD_RE = re.compile(rf"§+|\d+(?:/\d+)+|[{_W}]+(?:['.\-][{_W}]+)*(?:'s?)?")
_PUNCT_RE = re.compile(rf"[^\s{_W}]")
_TOKEN_RE = re.compile(f"(?P<word>{_WORD_RE.pattern})|{_PUNCT_RE.pattern}")
_NUMERIC_RE = re.compile(r"^\d[\d.,\-/]*$")
_DASHES = str.maketrans(dict.fromkeys("\u2014\u2015\ufe58", "-"))  # prose dashes: punctuation
_QUOTES = _TYPOGRAPHY
_SECTION_NUMBER = re.compile(r"^\d{3}[a-z]?\.\d+")  # "626.8482" after "section"


def fold_typography(text: str) -> str:
    """``text`` with typographic variants folded: curly quotes and apostrophes, dashes and
    minus signs, non-breaking and other wide spaces, soft hyphens and zero-width
    characters, ligatures. For comparison only; never shown."""
    return text.translate(_TYPOGRAPHY).translate(_DASHES).translate(_IN_WORD)


class Token(NamedTuple):
    """A word or punctuation mark: ``norm`` is compared, ``raw`` (text[start:end]) shown.
    ``kind`` is word, punct or entity (a declared substitution, e.g. the agency).
    Immutable; a named tuple rather than a frozen dataclass because a document makes
    thousands of them and a tuple is built four times faster."""

    norm: str
    raw: str
    start: int
    end: int
    kind: str = "word"


@lru_cache(maxsize=50_000)
def _norm_word(raw: str) -> str:
    w = raw.translate(_QUOTES).translate(_IN_WORD).lower()
    if w.endswith("'s"):
        w = w[:-2]
    elif w.endswith("s'"):
        w = w[:-1]
    w = w.rstrip("'")
    if not _NUMERIC_RE.match(w):
        w = w.replace(".", "").replace("-", "").replace("'", "")
    return "a" if w == "an" else w


def tokenize(text: str) -> list[Token]:
    """Raw tokens with spans; words are lower-cased and stripped of possessives."""
    return list(_tokenize(text))


@lru_cache(maxsize=4_096)
def _tokenize(text: str) -> tuple[Token, ...]:
    out: list[Token] = []
    append, new = out.append, tuple.__new__  # Token(...) without its Python-level __new__
    folded = text.translate(_TYPOGRAPHY)  # same length: spans are the raw text's
    for m in _TOKEN_RE.finditer(folded):
        start, end = m.span()
        raw = text[start:end]
        if m.lastgroup == "word":
            append(new(Token, (_norm_word(raw), raw, start, end, "word")))
        else:
            append(new(Token, (m.group(0).translate(_DASHES), raw, start, end, "punct")))
    return tuple(out)


@lru_cache(maxsize=4_096)
def _word_norms(text: str) -> tuple[str, ...]:
    """The norms of the words of ``text`` (those of ``_words``, without building tokens:
    the word pattern finds the same words whether or not punctuation is matched too)."""
    return tuple(map(_norm_word, _WORD_RE.findall(text.translate(_TYPOGRAPHY))))


@lru_cache(maxsize=4_096)
def _words(text: str) -> tuple[tuple[Token, ...], tuple[int, ...], tuple[str, ...]]:
    """The raw tokens of ``text``, the indices of its words and their norms."""
    raw = _tokenize(text)
    words = tuple(i for i, t in enumerate(raw) if t.kind == "word")
    return raw, words, tuple(raw[i].norm for i in words)


def tables() -> dict[str, Any]:
    """The declared normalization tables of the default context (``normalization.json`` in
    the model directory). Stages are given ``context.tables`` instead."""
    from .context import default_context

    return default_context().tables


_context_tables = tables


_TABLE_SHAPES: dict[str, type] = {
    "phrases": dict,
    "statute_section_words": list,
    "number_words": dict,
    "modality": dict,
    "negation": list,
    "time_units": list,
    "months": list,
    "citation_words": list,
    "party_words": list,
    "names": dict,
}


def check_tables(data: Any, source: str) -> dict[str, Any]:
    """The normalization tables as loaded, checked: each table present with its shape.
    A ``ConfigError`` naming the file and the table otherwise."""
    if not isinstance(data, dict):
        raise ConfigError(source, "the normalization table is not a JSON object", "fix the file")
    for key, shape in _TABLE_SHAPES.items():
        if not isinstance(data.get(key), shape):
            kind = "an object" if shape is dict else "a list"
            raise ConfigError(
                source, f"'{key}' is missing or not {kind}", f"give '{key}' as {kind}"
            )
    for word, value in data["number_words"].items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(
                source, f"number word '{word}' is not an integer", "write it as a whole number"
            )
    for key in ("agency_suffixes", "district_suffixes", "district_numbered", "chief_titles"):
        if not isinstance(data["names"].get(key), list) or not data["names"][key]:
            raise ConfigError(
                source, f"'names.{key}' is missing or empty", "give it as a list of phrases"
            )
    for strength in ("strong", "medium", "weak"):
        if not isinstance(data["modality"].get(strength), list):
            raise ConfigError(
                source, f"'modality.{strength}' is missing or not a list", "give it as a list"
            )
    return data


@lru_cache(maxsize=4_096)
def _key(phrase: str) -> tuple[str, ...]:
    return tuple(t.norm for t in tokenize(phrase) if t.kind == "word")


_NAME_WORD = r"[A-Z][a-z][A-Za-z'\u2019\-]*"


def _alternatives(phrases: Iterable[str]) -> str:
    """A regex alternation of literal phrases, longest first (spaces match any run)."""
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    return "|".join(re.escape(p).replace(r"\ ", "[ ]+") for p in ordered)


def _starts(*phrases: str) -> str:
    """A lookahead for the first characters of ``phrases`` or of a name word: the scan
    skips every other position at once (the same matches, found faster)."""
    firsts = sorted({p[0] for p in phrases if p} - set("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return "(?=[A-Z" + "".join(re.escape(c) for c in firsts) + "])"


def _name_patterns(names: dict[str, Any]) -> tuple[re.Pattern[str], ...]:
    """The agency, district and chief-title patterns of the ``names`` table (``re``
    keeps compiled patterns, so this is cheap per document)."""
    return tuple(pattern for pattern, _ in _name_scanners(names)[0])


# punctuation the name patterns never match (unless a phrase of the table holds it)
_NEVER_IN_A_NAME = ',;:()[]{}"!?\u201c\u201d'
_Scanners = tuple[tuple[tuple[re.Pattern[str], tuple[str, ...]], ...], re.Pattern[str]]
_SCANNERS: dict[int, tuple[dict[str, Any], _Scanners]] = {}


def _name_scanners(names: dict[str, Any]) -> _Scanners:
    """Each name pattern (agency, district, chief title) with its needle: the phrases
    every match holds (the suffixes, the numbered district forms, the titles); and the
    separators (``_separators``); kept for the life of the table."""
    kept = _SCANNERS.get(id(names))
    if kept is not None and kept[0] is names:
        return kept[1]
    prefix = re.escape(names["agency_prefix"]) if names.get("agency_prefix") else ""
    agency_suffixes = _alternatives(names["agency_suffixes"])
    agency = (
        rf"\b{_starts(names['agency_prefix'])}(?:{prefix} )?" if prefix else rf"\b{_starts()}"
    ) + rf"(?:{_NAME_WORD}[ ]+){{1,4}}(?:{agency_suffixes})\b"
    district_suffixes = _alternatives(names["district_suffixes"])
    numbered = _alternatives(names["district_numbered"])
    district = (
        rf"\b{_starts(*names['district_numbered'])}"
        rf"(?:(?:{_NAME_WORD}\.?[ ]+){{1,4}}(?:{district_suffixes})"
        rf"(?: - No\. \d+)?|(?:{numbered}) \d+)\b"
    )
    titles = _alternatives(names["chief_titles"])
    chief = rf"\b(?:{titles})\b"
    out = (
        (
            (re.compile(agency), _needles(names["agency_suffixes"])),
            (
                re.compile(district),
                _needles([*names["district_suffixes"], *names["district_numbered"]]),
            ),
            (re.compile(chief), _needles(names["chief_titles"])),
        ),
        _separators(names),
    )
    if len(_SCANNERS) > 8:
        _SCANNERS.clear()
    _SCANNERS[id(names)] = (names, out)
    return out


def _separators(names: dict[str, Any]) -> re.Pattern[str]:
    """Punctuation no name pattern can match: none of the table's phrases holds it."""
    phrases = [names.get("agency_prefix") or ""]
    for key in ("agency_suffixes", "district_suffixes", "district_numbered", "chief_titles"):
        phrases.extend(names[key])
    used = set("".join(phrases))
    keep = "".join(re.escape(c) for c in _NEVER_IN_A_NAME if c not in used)
    return re.compile(f"[{keep}]" if keep else "(?!)")


def _needles(phrases: Iterable[str]) -> tuple[str, ...]:
    """The literal phrases a pattern's matches hold, as searched in text whose whitespace
    is single spaces (a phrase's spaces match one space there, as its ``[ ]+`` do)."""
    return tuple(sorted(set(phrases)))


def _needle_starts(needles: Sequence[str], text: str) -> list[int]:
    """Where the needles occur in ``text``, in order (every occurrence). A stretch holds
    one of these exactly when it holds a match of the needles' alternation: no needle
    holds a separator, so an occurrence the alternation skips overlaps a match in the
    same stretch."""
    out: list[int] = []
    for needle in needles:
        at = text.find(needle)
        while at >= 0:
            out.append(at)
            at = text.find(needle, at + 1)
    out.sort()
    return out


def _scan(
    pattern: re.Pattern[str], needles: Sequence[str], text: str, seps: re.Pattern[str], rev: str
) -> list[str]:
    """``pattern.finditer(text)``, run only over the stretches between separators that
    hold a needle. The same matches: a match holds no separator and holds a needle,
    inside the same stretch, and the stretch ends are non-word characters, as ``\\b``
    sees them either way. A stretch is found from its needle: the next separator in
    ``text`` and the previous one (the next in ``rev``, the text reversed)."""
    if "" in needles:  # a needle in every stretch: the whole text
        return [m.group(0) for m in pattern.finditer(text)]
    out: list[str] = []
    done = -1
    n = len(text)
    for at in _needle_starts(needles, text):
        before = seps.search(rev, n - at)
        lo = n - before.start() if before else 0
        if lo <= done:
            continue  # this stretch is scanned
        after = seps.search(text, at)
        hi = after.start() if after else n
        out.extend(m.group(0) for m in pattern.finditer(text, lo, hi))
        done = lo
    return out


def find_names(text: str, *, tables: dict[str, Any] | None = None) -> dict[str, list[str]]:
    """The document's own agency and district names and its agency head's title, found
    with the ``names`` table of ``normalization.json`` (each pattern run only over the
    stretches of text that hold one of its phrases, ``_scan``)."""
    names = (tables if tables is not None else _context_tables())["names"]
    scanners, seps = _name_scanners(names)
    (agency_re, agency_at), (district_re, district_at), (chief_re, chief_at) = scanners
    excluded = tuple(f"{w.lower()} " for w in names.get("excluded_first_words", ()))

    def uniq(matches: Iterable[str]) -> list[str]:
        seen = dict.fromkeys(m.strip() for m in matches)
        return sorted(seen, key=lambda s: (-len(s), s))

    text = " ".join(text.split())  # a name may be wrapped across lines
    rev = text[::-1]
    found = _scan(agency_re, agency_at, text, seps, rev)
    # "The Brainerd Police Department" at a sentence start: the name without "The"
    found = [a.split(" ", 1)[1] if a.lower().startswith(excluded) else a for a in found]
    agencies = uniq(a for a in found if agency_re.fullmatch(a))
    return {
        "agency_name": agencies,
        "district_name": uniq(_scan(district_re, district_at, text, seps, rev)),
        "chief_title": uniq(_scan(chief_re, chief_at, text, seps, rev)),
    }


@dataclass(frozen=True)
class Normalizer:
    """Phrase tables compiled for one (model, document) pair."""

    phrases: dict[tuple[str, ...], tuple[str, str]]  # words -> (norm, kind)
    max_len: int
    section_words: frozenset[str]
    number_words: dict[str, int]
    lexicon: Lexicon = field(compare=False)  # the run's word classes (for the stages)
    starts: dict[str, tuple[int, ...]] = field(default_factory=dict)  # first word -> lengths
    _memo: dict[str, tuple[Token, ...]] = field(default_factory=dict, compare=False, repr=False)
    # a normalizer of the same tables and model without the document's names, and for each
    # phrase this one adds (or reads differently) one of its words: a text holding none of
    # those words reads the same under both, and the parent's memo is kept across documents
    parent: Normalizer | None = field(default=None, compare=False, repr=False)
    witnesses: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    _norms: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    # the first two words of every phrase of two or more words (a quick "no" for "the ...")
    _pairs: frozenset[tuple[str, ...]] = field(init=False, compare=False, repr=False)

    # the words that change a text on their own (one-word phrases, number and section words)
    _hot: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        pairs = frozenset(k[:2] for k in self.phrases if len(k) > 1)
        object.__setattr__(self, "_pairs", pairs)
        singles = {k[0] for k in self.phrases if len(k) == 1}
        hot = frozenset(singles | self.number_words.keys() | self.section_words)
        object.__setattr__(self, "_hot", hot)

    def tokens(self, text: str) -> list[Token]:
        """Normalized tokens of ``text``; multi-word phrases collapse into one token."""
        hit = self._memo.get(text)
        if hit is None:
            if self.parent is not None and self.witnesses.isdisjoint(_word_norms(text)):
                return self.parent.tokens(text)
            if len(self._memo) > 4_096:  # bounded: a long-lived normalizer must not grow
                self._memo.clear()
            hit = self._memo[text] = tuple(self._tokens(text))
        return list(hit)

    def reads_like(self, other: Normalizer, text: str) -> bool:
        """Whether ``text`` is sure to read the same under ``other`` (the same normalizer, or
        this one's parent and no phrase of this one's own can occur in the text)."""
        if self is other:
            return True
        return self.parent is other and self.witnesses.isdisjoint(_word_norms(text))

    def norm(self, text: str) -> str:
        """``norm_string(self.tokens(text))``, kept like the tokens (a text with no phrase,
        number word or section word: its words' norms joined, no tokens built)."""
        hit = self._norms.get(text)
        if hit is None:
            norms = _word_norms(text)
            if self.parent is not None and self.witnesses.isdisjoint(norms):
                return self.parent.norm(text)
            if len(self._norms) > 4_096:  # bounded like the tokens' memo
                self._norms.clear()
            if self._plain(norms):
                hit = " ".join(norms)
            else:
                hit = norm_string(self.tokens(text))
            self._norms[text] = hit
        return hit

    def _plain(self, norms: tuple[str, ...]) -> bool:
        """No phrase, number word or section word can apply: the text reads as its words."""
        return self._hot.isdisjoint(norms) and self._pairs.isdisjoint(
            zip(norms, norms[1:], strict=False)
        )

    def _tokens(self, text: str) -> list[Token]:
        raw, words, norms = _words(text)
        if self._plain(norms):
            return list(raw)  # no phrase, number word or section word: the raw tokens
        starts, number_words, section_words = self.starts, self.number_words, self.section_words
        out: list[Token] = []
        wi = 0
        last_raw = -1
        n_words = len(words)
        while wi < n_words:
            i = words[wi]
            if last_raw + 1 < i:
                out.extend(raw[last_raw + 1 : i])
            norm = norms[wi]
            hit = self._match(norms, wi) if norm in starts else None
            if hit is not None:
                n, phrase_norm, kind = hit
                j = words[wi + n - 1]
                start, end = raw[i].start, raw[j].end
                out.append(Token(phrase_norm, text[start:end], start, end, kind))
                last_raw = j
                wi += n
                continue
            num = number_words.get(norm)
            if num is not None:
                tok, last_raw, wi = self._number_word(raw, words, wi, text, num)
                out.append(tok)
                continue
            tok = raw[i]
            if norm in section_words and wi + 1 < n_words and _SECTION_NUMBER.match(norms[wi + 1]):
                tok = Token("mss", tok.raw, tok.start, tok.end, "word")
            out.append(tok)
            last_raw = i
            wi += 1
        out.extend(raw[last_raw + 1 :])
        return out

    def _match(self, norms: tuple[str, ...], wi: int) -> tuple[int, str, str] | None:
        """The longest phrase starting at word ``wi``: (words, norm, kind), or None."""
        left = len(norms) - wi
        more = left > 1 and norms[wi : wi + 2] in self._pairs
        for n in self.starts[norms[wi]]:
            if n > left or (n > 1 and not more):
                continue
            hit = self.phrases.get(norms[wi : wi + n])
            if hit is not None:
                return n, hit[0], hit[1]
        return None

    def _number_word(
        self, raw: Sequence[Token], words: Sequence[int], wi: int, text: str, num: int
    ) -> tuple[Token, int, int]:
        """ "sixty (60)" -> 60; "sixty" -> 60."""
        i = words[wi]
        tok = raw[i]
        if i + 3 < len(raw) and raw[i + 1].raw == "(" and raw[i + 3].raw == ")":
            inner = raw[i + 2].norm
            if inner.isdigit() and int(inner) == num:
                end = raw[i + 3].end
                return Token(str(num), text[tok.start : end], tok.start, end, "word"), i + 3, wi + 2
        return Token(str(num), tok.raw, tok.start, tok.end, "word"), i, wi + 1


def norm_string(tokens: Iterable[Token]) -> str:
    """The comparison string: normalized words, punctuation dropped."""
    return " ".join(t.norm for t in tokens if t.kind != "punct")


def build_normalizer(
    model: ModelPolicy | None,
    document_text: str = "",
    *,
    tables: dict[str, Any] | None = None,
    lexicon: Lexicon | None = None,
    parent: Normalizer | None = None,
) -> Normalizer:
    """Compile the declared ``tables`` (default: the default context's) plus the model's
    substitutions, filling the ``{agency_name}``, ``{district_name}`` and ``{chief_title}``
    variants with the names found in the document. The normalizer carries the run's
    ``lexicon`` (default: the default context's) to the stages that read its text.
    ``parent``: the normalizer of the same tables and model without a document (cached by
    the caller); texts in which no phrase of the document's own can occur are read by it,
    with the same tokens, from its memo."""
    data = tables if tables is not None else _context_tables()
    if lexicon is None:
        from .context import default_context

        lexicon = default_context().lexicon
    phrases: dict[tuple[str, ...], tuple[str, str]] = {}
    for phrase, norm in data["phrases"].items():
        phrases[_key(phrase)] = (norm, "word")
    names = find_names(document_text, tables=data) if document_text else {}
    for sub in model.substitutions if model else ():
        for variant in sub.variants:
            m = re.fullmatch(r"\{(\w+)\}", variant)
            expanded = names.get(m.group(1), []) if m else [variant]
            for v in expanded:
                for form in (v, f"the {v}"):
                    key = _key(form)
                    if key:
                        phrases[key] = (f"<{sub.token}>", "entity")
    phrases = {k: v for k, v in phrases.items() if k}
    starts: dict[str, set[int]] = {}
    for k in phrases:
        starts.setdefault(k[0], set()).add(len(k))
    section_words = frozenset(data["statute_section_words"])
    number_words = {k: int(v) for k, v in data["number_words"].items()}
    witnesses = _witnesses(parent, phrases, section_words, number_words)
    return Normalizer(
        phrases=phrases,
        max_len=max(len(k) for k in phrases),
        section_words=section_words,
        number_words=number_words,
        starts={w: tuple(sorted(ns, reverse=True)) for w, ns in starts.items()},
        lexicon=lexicon,
        parent=parent if witnesses is not None else None,
        witnesses=witnesses or frozenset(),
    )


def _witnesses(
    parent: Normalizer | None,
    phrases: dict[tuple[str, ...], tuple[str, str]],
    section_words: frozenset[str],
    number_words: dict[str, int],
) -> frozenset[str] | None:
    """For each phrase in which ``phrases`` differs from ``parent``'s, its longest word: a
    text with none of these words reads the same under both (no differing phrase can match
    in it, and every other phrase, number word and section word is the same). None when
    there is no usable parent."""
    if parent is None or parent.section_words != section_words:
        return None
    if parent.number_words != number_words:
        return None
    theirs = parent.phrases
    differ = [k for k, v in phrases.items() if theirs.get(k) != v]
    differ += [k for k in theirs if k not in phrases]
    return frozenset(max(k, key=len) for k in differ)
