"""The engine's shortcuts give the answers of the plain computations they replace.

Each shortcut (analyzer/detect.py ``_found``: verbatim sentences and a score cutoff;
analyzer/align.py ``same_place``/``_same_place``: an index of the last two components;
analyzer/normalize.py ``Normalizer._match``: a first-two-words filter; analyzer/classify.py:
token-identical texts skip the detectors) is checked against a plain reference, so a
shortcut that changes a finding fails here, not only in a benchmark.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz, process

from analyzer.align import _same_place, same_place
from analyzer.classify import classify
from analyzer.context import default_context
from analyzer.detect import _found
from analyzer.labels import component_values
from analyzer.model import Category, Status, Unit
from analyzer.normalize import Normalizer, Token, _tokenize, build_normalizer
from analyzer.sentences import split_sentences

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- detect._found


def _found_plain(m: list[str], d: list[str], min_ratio: float) -> np.ndarray:
    if not m or not d:
        return np.zeros(len(m), dtype=bool)
    scores = process.cdist(m, d, scorer=fuzz.ratio, dtype=np.uint8)
    return np.asarray(scores.max(axis=1) >= min_ratio)


def _near_copies(rng: random.Random, n: int) -> list[str]:
    words = "the sro shall not may school district agency student arrest report".split()
    out = []
    for _ in range(n):
        out.append(" ".join(rng.choice(words) for _ in range(rng.randint(0, 12))))
    return out


@pytest.mark.parametrize("min_ratio", [85.0, 84.5, 85.3, 60.0, 100.0, 100.2, 0.0, -3.0])
def test_found_equals_the_full_matrix_rounded_half_up(min_ratio: float) -> None:
    rng = random.Random(int(min_ratio * 10))
    for _ in range(40):
        m = _near_copies(rng, rng.randint(0, 12))
        d = _near_copies(rng, rng.randint(0, 12))
        d += [s.replace("the", "a", 1) for s in m[:3]]  # near the threshold
        d += m[3:5]  # verbatim
        assert (_found(m, d, min_ratio) == _found_plain(m, d, min_ratio)).all()


def test_found_verbatim_shortcut_respects_an_unreachable_ratio() -> None:
    assert not _found(["the sro"], ["the sro"], 101.0).any()


# ---------------------------------------------------------------- align.same_place


def _same_place_plain(model_ref: str, doc_ref: str) -> bool:
    """The rule as first written: count matching trailing components."""
    a, b = model_ref.lower().split("."), doc_ref.lower().split(".")
    k = 0
    while k < min(len(a), len(b)) and (
        a[-1 - k] == b[-1 - k] or component_values(a[-1 - k]) & component_values(b[-1 - k])
    ):
        k += 1
    return k == len(a) or k >= 2


_COMPONENTS = "1 2 4 9 10 a b d i ii iv ix I IV A D aa x 417 1003 ¶3 (a) 4)".split() + [""]


def _ref(rng: random.Random) -> str:
    return ".".join(rng.choice(_COMPONENTS) for _ in range(rng.randint(1, 5)))


def test_same_place_reads_the_last_two_components_like_the_full_rule() -> None:
    rng = random.Random(3)
    for _ in range(5_000):
        a, b = _ref(rng), _ref(rng)
        assert same_place(a, b) == _same_place_plain(a, b), (a, b)


def test_same_place_matrix_equals_the_pairwise_rule() -> None:
    rng = random.Random(4)
    for _ in range(100):
        ms = [Unit(_ref(rng), "", "") for _ in range(rng.randint(1, 25))]
        ds = [Unit(_ref(rng), "", "") for _ in range(rng.randint(1, 25))]
        plain = [[float(_same_place_plain(m.owner, d.owner)) for d in ds] for m in ms]
        assert (_same_place(ms, ds) == np.array(plain)).all()


# ---------------------------------------------------------------- Normalizer phrases


def _tokens_plain(n: Normalizer, text: str) -> list[Token]:
    """Greedy longest phrase at each word, every length tried (no filter), then number
    words and section words, as ``Normalizer.tokens`` documents it."""
    raw = _tokenize(text)
    words = [i for i, t in enumerate(raw) if t.kind == "word"]
    out: list[Token] = []
    wi, last = 0, -1
    while wi < len(words):
        i = words[wi]
        out.extend(raw[last + 1 : i])
        for size in range(min(n.max_len, len(words) - wi), 0, -1):
            key = tuple(raw[words[wi + k]].norm for k in range(size))
            if key in n.phrases:
                norm, kind = n.phrases[key]
                j = words[wi + size - 1]
                out.append(
                    Token(norm, text[raw[i].start : raw[j].end], raw[i].start, raw[j].end, kind)
                )
                last, wi = j, wi + size
                break
        else:
            num = n.number_words.get(raw[i].norm)
            if num is not None:
                tok, last, wi = n._number_word(raw, words, wi, text, num)
                out.append(tok)
                continue
            tok = raw[i]
            if tok.norm in n.section_words and wi + 1 < len(words):
                if re.match(r"^\d{3}[a-z]?\.\d+", raw[words[wi + 1]].norm):
                    tok = Token("mss", tok.raw, tok.start, tok.end, "word")
            out.append(tok)
            last, wi = i, wi + 1
    out.extend(raw[last + 1 :])
    return out


@pytest.mark.parametrize(
    "name", ["hutchinson-pd-1003", "lakeville-pd-417", "alexandria-isd206-507.5"]
)
def test_phrase_matching_equals_the_plain_longest_match(name: str) -> None:
    ctx = default_context()
    text = (ROOT / "corpus" / f"{name}.txt").read_text(encoding="utf-8")
    for model_id in ("post-sro", "msba-507.5"):
        n = build_normalizer(ctx.model(model_id), text, tables=ctx.tables)
        for para in text.split("\n\n"):
            for sentence in split_sentences([para], abbreviations=n.lexicon.abbreviations)[0]:
                assert n.tokens(sentence) == _tokens_plain(n, sentence), sentence


def test_phrase_sharing_its_first_word_still_matches_longest() -> None:
    ctx = default_context()
    n = build_normalizer(ctx.model("post-sro"), "", tables=ctx.tables)
    text = "Then the law enforcement agency and the agency and the chief law enforcement officer"
    kinds = [t.norm for t in n.tokens(text) if t.kind == "entity"]
    assert kinds == ["<agency>", "<agency>", "<chief>"]
    assert n.tokens(text) == _tokens_plain(n, text)


# ---------------------------------------------------------------- classify


def test_identical_texts_are_identical_with_no_change() -> None:
    ctx = default_context()
    model = ctx.model("post-sro")
    n = build_normalizer(model, "", tables=ctx.tables)
    for clause in model.tree.clauses[:40]:
        result = classify(clause.text, clause.text, n)
        assert result.status is Status.IDENTICAL and result.changes == ()
        assert result.similarity == 1.0
        assert "".join(t for op, t in result.redline if op != "delete") == clause.text


def test_same_text_read_differently_still_reports_the_name() -> None:
    """The document's normalizer reads its own agency name as the agency: the same
    printed text is then not token-identical, and the name is reported."""
    ctx = default_context()
    model = ctx.model("post-sro")
    text = "The Hutchinson Police Department shall assign the SRO."
    doc_n = build_normalizer(model, text, tables=ctx.tables)
    model_n = build_normalizer(model, "", tables=ctx.tables)
    result = classify(
        "The [AGENCY NAME] shall assign the SRO.", text, doc_n, model_normalizer=model_n
    )
    assert any(c.category is Category.ENTITY for c in result.changes)
    same = classify(text, text, doc_n, model_normalizer=model_n)
    assert same.status is Status.IDENTICAL


# ---------------------------------------------------------------- kept ratio columns


def test_kept_ratio_columns_equal_the_matrix_computed_whole() -> None:
    from analyzer.ratios import RatioColumns

    rng = random.Random(11)
    rows = _near_copies(rng, 15)
    for dtype, cutoff in ((np.float32, None), (np.uint8, 84.5)):
        kept = RatioColumns(rows, rows, dtype=dtype, score_cutoff=cutoff)
        for _ in range(20):  # later matrices reuse the columns of repeated rows
            cols = [*rng.sample(rows, 5), *_near_copies(rng, 4)]
            whole = process.cdist(rows, cols, scorer=fuzz.ratio, dtype=dtype, score_cutoff=cutoff)
            assert (kept.matrix(cols) == whole).all()
        assert set(kept._cols) <= set(rows)  # only the model's own strings are kept


def test_found_with_kept_columns_equals_the_full_matrix() -> None:
    from analyzer.ratios import RatioColumns

    rng = random.Random(12)
    m = _near_copies(rng, 12)
    kept = RatioColumns(m, m, dtype=np.uint8, score_cutoff=84.5)
    for _ in range(30):
        d = [*rng.sample(m, 4), *(s.replace("the", "a", 1) for s in m[:3]), *_near_copies(rng, 3)]
        assert (_found(m, d, 85.0, kept) == _found_plain(m, d, 85.0)).all()


def test_audit_alignment_reuses_the_model_sides_columns() -> None:
    """The model side of every audit keeps its ratio columns in the context; an audit
    computed with them gives the audit computed without."""
    from analyzer.api import audit_text
    from analyzer.audit import audit
    from analyzer.context import load_context
    from analyzer.ingest import ingest_text

    text = (ROOT / "corpus" / "hutchinson-pd-1003.txt").read_text(encoding="utf-8")
    ctx = load_context()
    first = audit(ingest_text(text), "post-sro", context=ctx)
    old = ctx.model_side(ctx.model("post-sro"))
    kept = ctx.side_ratios(old)
    assert kept is not None and kept._cols  # the columns of repeated sentences are kept
    assert ctx.side_ratios(ctx.model_side(ctx.model("msba-507.5"))) is not kept
    again = audit(ingest_text(text), "post-sro", context=ctx)
    assert again == first
    assert audit_text(text, model="post-sro")["provisions"]  # the default context too


# ---------------------------------------------------------------- normalizer parent


@pytest.mark.parametrize("name", ["hutchinson-pd-1003", "lakeville-pd-417"])
def test_document_normalizer_reads_like_itself_without_its_parent(name: str) -> None:
    ctx = default_context()
    text = (ROOT / "corpus" / f"{name}.txt").read_text(encoding="utf-8")
    model = ctx.model("post-sro")
    parent = build_normalizer(model, "", tables=ctx.tables)
    with_parent = build_normalizer(model, text, tables=ctx.tables, parent=parent)
    alone = build_normalizer(model, text, tables=ctx.tables)
    assert with_parent.parent is parent and with_parent.witnesses
    sentences = [
        s
        for para in text.split("\n\n")
        for s in split_sentences([para], abbreviations=alone.lexicon.abbreviations)[0]
    ]
    delegated = 0
    for s in sentences:
        delegated += with_parent.witnesses.isdisjoint(t.norm for t in _tokenize(s))
        assert with_parent.tokens(s) == alone.tokens(s), s
    assert 0 < delegated < len(sentences)


def test_a_text_with_the_documents_own_name_is_not_read_by_the_parent() -> None:
    ctx = default_context()
    model = ctx.model("post-sro")
    text = "The Hutchinson Police Department shall assign the SRO."
    parent = build_normalizer(model, "", tables=ctx.tables)
    n = build_normalizer(model, text, tables=ctx.tables, parent=parent)
    assert [t.norm for t in n.tokens(text) if t.kind == "entity"] == ["<agency>"]
    assert not [t for t in parent.tokens(text) if t.kind == "entity"]


# ---------------------------------------------------------------- repeated sentences


_ITEMS = "".join(f"{i}. item text\n" for i in range(1, 301))


def test_candidates_score_each_distinct_sentence_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A document of 300 identical items: the missing provisions' nearest sentences are
    scored against one column, and the nearest is the first of the copies (the one a
    full matrix's argmax picks)."""
    import analyzer.pair as pair_module
    from analyzer.api import audit_text

    shapes: list[tuple[int, int]] = []
    real = pair_module.process.cdist

    def counting(queries, choices, **kw):  # type: ignore[no-untyped-def]
        if kw.get("scorer") is fuzz.token_set_ratio:  # the candidates' matrix
            shapes.append((len(queries), len(choices)))
        return real(queries, choices, **kw)

    monkeypatch.setattr(pair_module.process, "cdist", counting)
    result = audit_text(_ITEMS, model="post-sro")
    assert shapes and all(cols == 1 for _, cols in shapes)
    refs = {p["candidate"]["doc_ref"] for p in result["provisions"] if p.get("candidate")}
    assert refs <= {"1"}


def test_check_searches_each_distinct_added_sentence_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import analyzer.check as check_module
    from analyzer.api import audit_text

    searched: list[str] = []
    real = check_module._keyword_pattern

    def counting(keywords):  # type: ignore[no-untyped-def]
        search = real(keywords)

        def wrapped(s: str) -> bool:
            searched.append(s)
            return search(s)

        return wrapped

    monkeypatch.setattr(check_module, "_keyword_pattern", counting)
    audit_text(_ITEMS, model="post-sro")
    catalog = default_context().catalog("post-sro")
    assert catalog is not None and searched
    assert len(searched) <= len(catalog.requirements) * 2  # not once per copy (300)


def test_a_candidate_text_is_stemmed_once_for_every_requirement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import analyzer.check as check_module
    from analyzer.api import audit_text

    stemmed: list[str] = []
    real = check_module._stems

    def counting(text, rules, lex):  # type: ignore[no-untyped-def]
        stemmed.append(text)
        return real(text, rules, lex)

    monkeypatch.setattr(check_module, "_stems", counting)
    audit_text("Minn. Stat. " * 200, model="post-sro")
    long_texts = [t for t in stemmed if t.startswith("Minn. Stat. Minn.")]
    assert len(long_texts) == 1


# ---------------------------------------------------------------- find_names


def _names_plain(text: str, names: dict) -> dict[str, list[str]]:  # type: ignore[type-arg]
    from analyzer.normalize import _name_patterns

    agency, district, chief = _name_patterns(names)
    excluded = tuple(f"{w.lower()} " for w in names.get("excluded_first_words", ()))

    def uniq(ms):  # type: ignore[no-untyped-def]
        return sorted(dict.fromkeys(m.strip() for m in ms), key=lambda s: (-len(s), s))

    text = " ".join(text.split())
    found = [m.group(0) for m in agency.finditer(text)]
    found = [x.split(" ", 1)[1] if x.lower().startswith(excluded) else x for x in found]
    return {
        "agency_name": uniq(x for x in found if agency.fullmatch(x)),
        "district_name": uniq(m.group(0) for m in district.finditer(text)),
        "chief_title": uniq(m.group(0) for m in chief.finditer(text)),
    }


def test_names_found_over_stretches_equal_the_whole_text_scan() -> None:
    """find_names runs each pattern only over the stretches between punctuation that hold
    one of its phrases: the same names as scanning the whole text."""
    from analyzer.normalize import find_names

    ctx = default_context()
    names = ctx.tables["names"]
    rng = random.Random(5)
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    pieces = [
        "Hutchinson Police Department",
        "the City of Eden Prairie Police Department",
        "St. Louis Park Public Schools - No. 283",
        "ISD 279",
        "Independent School District No. 196",
        "Chief of Police",
        "Sheriff",
        ", ",
        "; ",
        "(",
        ")",
        "\u201c",
        "Police",
        "Department",
        "The Brainerd Police Department",
    ]
    for _ in range(200):
        base = rng.choice(texts)
        at = rng.randrange(len(base))
        mix = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        texts.append(base[max(0, at - 200) : at] + mix + base[at : at + 200])
    for text in texts:
        assert find_names(text, tables=ctx.tables) == _names_plain(text, names), text[:80]


# ---------------------------------------------------------------- norms without tokens


def test_word_norms_are_the_words_of_the_tokens() -> None:
    from analyzer.normalize import _word_norms, _words

    rng = random.Random(21)
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    alphabet = "ab1 .,'\u2019-\u2013\u00a7/()\u00ad\ufb01\"\u201cS's"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for text in texts:
        assert _word_norms(text) == _words(text)[2], text


def test_norm_is_the_norm_string_of_the_tokens() -> None:
    from analyzer.normalize import norm_string

    ctx = default_context()
    model = ctx.model("post-sro")
    text = (ROOT / "corpus" / "lakeville-pd-417.txt").read_text(encoding="utf-8")
    parent = build_normalizer(model, "", tables=ctx.tables)
    for n in (
        ctx.base_normalizer(),
        build_normalizer(model, text, tables=ctx.tables, parent=parent),
    ):
        for para in text.split("\n\n") + ["sixty (60) days", "section 626.8482", "the SRO's"]:
            assert n.norm(para) == norm_string(n.tokens(para)), para


# ---------------------------------------------------------------- candidate shortlist


def test_shortlist_keeps_the_choices_sharing_most_words_in_order() -> None:
    from analyzer.ratios import shortlist

    choices = ["a b c", "x y", "a b", "a", "a b c d", "z"]
    assert [list(r) for r in shortlist(["a b c d", "y"], choices, 2)] == [[0, 4], [0, 1]]


def test_a_huge_document_scores_a_shortlist_per_missing_provision(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past ``candidate_pairs`` (clause, sentence) pairs the nearest sentences are looked
    for in a shortlist; under it, in the whole matrix (the same nearest on a normal
    policy)."""
    from dataclasses import replace

    import analyzer.pair as pair_module
    from analyzer.api import audit_text
    from analyzer.audit import audit
    from analyzer.context import Settings, load_context
    from analyzer.ingest import ingest_text

    body = "\n".join(f"{i}. The SRO shall follow rule {i} of this policy." for i in range(1, 401))
    text = "POLICY 1\n\n" + body + "\n"
    pairs: list[int] = []
    real = pair_module.process.cdist

    def counting(queries, choices, **kw):  # type: ignore[no-untyped-def]
        if kw.get("scorer") is fuzz.token_set_ratio:
            pairs.append(len(queries) * len(choices))
        return real(queries, choices, **kw)

    monkeypatch.setattr(pair_module.process, "cdist", counting)
    small = Settings(pair=replace(Settings().pair, candidate_pairs=2_000))
    bounded = audit(ingest_text(text), "post-sro", context=load_context(settings=small))
    assert pairs and sum(pairs) <= 2_000
    pairs.clear()
    whole = audit(ingest_text(text), "post-sro", context=load_context())
    assert pairs and sum(pairs) > 2_000
    assert all(f.candidate is not None for f in bounded.findings if f.status == "missing")
    normal = (ROOT / "corpus" / "lakeville-pd-417.txt").read_text(encoding="utf-8")
    a = audit(ingest_text(normal), "post-sro", context=load_context(settings=small))
    b = audit(ingest_text(normal), "post-sro", context=load_context())
    assert [f.candidate for f in a.findings] == [f.candidate for f in b.findings]
    assert whole.verdict == bounded.verdict
    assert audit_text(normal, model="post-sro")["verdict"] == b.verdict


def test_a_provision_printed_as_in_the_model_is_identical_without_tokens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same text, read by the model's normalizer (the document's delegates to it when
    none of its own names occur): identical, without tokenizing either side; a text with
    the document's own name is still tokenized and read as the agency."""
    ctx = default_context()
    model = ctx.model("post-sro")
    parent = build_normalizer(model, "", tables=ctx.tables)
    doc_text = "The Hutchinson Police Department shall assign the SRO."
    n = build_normalizer(model, doc_text, tables=ctx.tables, parent=parent)
    plain = "The SRO shall complete the training."
    assert n.reads_like(parent, plain) and not n.reads_like(parent, doc_text)
    with monkeypatch.context() as m:
        m.setattr(Normalizer, "tokens", lambda self, text: pytest.fail("tokenized"))
        fast = classify(plain, plain, n, model_normalizer=parent)
    assert fast == classify(plain, plain, parent, model_normalizer=parent)
    assert fast.status is Status.IDENTICAL and fast.redline == (("equal", plain),)
    same = classify(doc_text, doc_text, n, model_normalizer=parent)
    assert same.status is Status.IDENTICAL
