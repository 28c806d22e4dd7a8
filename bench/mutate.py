"""Labelled variants of a model policy: the test set of the accuracy benchmark.

A variant is the model policy rebuilt from its own clause tree (``analyzer.segment``) with a
random, recorded mix of mutations: deleted provisions; substantive edits (modality, negation,
numbers, durations, dates, citations, cross-references); benign edits (agency names,
abbreviations, number words, possessives, quotes, typos, articles, serial commas);
paraphrases; inserted foreign paragraphs; moved provisions; renumbering into another
labelling style (15: ``417.4.A.1.i``, ``Section 4(A)(1)(i)``, ``IV-A-1-i``, ``Art. IV`` /
``§ A(1)(i)``, Word's bullets, labels glued to their text, none, ...); lines wrapped at 60-100
columns, with or without hanging indents, words hyphenated at line ends; running page
headers and footers (Lexipol blocks and copyright lines, "Page k of n", "Policy 1003 -
School Resource Officer - 7", "507.5-3", Markdown rules), mid-paragraph page breaks; doubled
bullets.

Exports:
    Variant                     -- frozen dataclass: id, model_id, text, truth
    generate(model_id, n, seed) -- deterministic list of variants (``random.Random`` per variant)
    provisions(model_id)        -- {model_ref: text} of the audited model provisions
    provision_paragraphs(model_id) -- the same with each heading joined to its text
    KINDS                       -- every mutation kind a variant can record
    STYLES                      -- the labelling styles a variant can be rendered in
    FOREIGN                     -- the pool of foreign (agency) sections inserted as additions
    ROOT                        -- the repository root
KINDS, STYLES and FOREIGN are defined with every other rule table and word list in
``bench.mutate_rules`` (imported here as ``rules``) and re-exported.

``truth`` is JSON-able::

    {"provisions": {model_ref: {"expect": "identical|benign|missing|substantive|paraphrase",
                                "categories": [...], "accept": [...], "direction": str|None,
                                "moved": bool, "benign": bool, "paraphrase": bool,
                                "edits": [str]}},
     "additions": [text], "mutations": [str], "kinds": [kind], "style": str}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from random import Random

from rapidfuzz import fuzz

from bench import mutate_rules as rules
from bench.mutate_render import body as _body
from bench.mutate_render import layout as _layout
from bench.mutate_render import page_noise as _page_noise
from bench.mutate_render import render as _render
from bench.mutate_rules import FOREIGN, KINDS, STYLES

__all__ = [
    "Variant",
    "generate",
    "provisions",
    "provision_paragraphs",
    "KINDS",
    "STYLES",
    "FOREIGN",
]

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Variant:
    """One mutated policy text and the labels that say what an auditor should report."""

    id: str
    model_id: str
    text: str
    truth: dict[str, object]


# ---------------------------------------------------------------------------------------------
# Text mutations: the rules in ``bench.mutate_rules`` applied at random matches


def _case_like(src: str, repl: str) -> str:
    """``repl`` with its first letter upper-cased when ``src`` starts with a capital."""
    if src[:1].isupper() and repl[:1].islower():
        return repl[0].upper() + repl[1:]
    return repl


def _apply_spec(spec: rules.Spec, text: str, rng: Random) -> tuple[str, str] | None:
    """Apply one random rule of ``spec`` at one random match: (new text, description)."""
    hits = [(m, choices) for pattern, choices in spec.rules for m in re.finditer(pattern, text)]
    if not hits:
        return None
    match, choices = rng.choice(hits)
    choice = rng.choice(choices)
    new = choice(match, rng) if callable(choice) else match.expand(choice)
    new = _case_like(match.group(0), new)
    if new == match.group(0):
        return None
    out = text[: match.start()] + new + text[match.end() :]
    return out, f"{match.group(0)!r} -> {new!r}"


def _quotes(text: str, rng: Random) -> tuple[str, str] | None:
    pairs = [(a, b) for a, b in rules.QUOTE_SWAPS if a in text]
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    return text.replace(a, b), f"quotes {a!r} -> {b!r}"


def _typo(text: str, rng: Random) -> tuple[str, str] | None:
    words = [
        m for m in re.finditer(r"\b[a-z]{7,}\b", text) if m.group(0) not in rules.TYPO_PROTECTED
    ]
    if not words:
        return None
    m = rng.choice(words)
    w = m.group(0)
    i = rng.randrange(2, len(w) - 2)
    op = rng.choice(("swap", "drop", "double"))
    if op == "swap" and w[i] != w[i + 1]:
        typo = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    elif op == "drop":
        typo = w[:i] + w[i + 1 :]
    else:
        typo = w[:i] + w[i] + w[i:]
    return text[: m.start()] + typo + text[m.end() :], f"typo {w!r} -> {typo!r}"


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.;])\s+(?=[A-Z])", text)


def _reorder_intro(sentence: str) -> str | None:
    m = rules.INTRO.match(sentence)
    if not m:
        return None
    intro, cond, main, end = m.groups()
    head = intro[0].lower() + intro[1:]
    return f"{_case_like('A', main)} {head} {cond}{end or '.'}"


def _paraphrase(text: str, rng: Random) -> tuple[str, str] | None:
    """Meaning-preserving rewording: synonyms, clause and list reordering (>= 2 edits)."""
    edits: list[str] = []
    out = text
    syn = [(a, b) for a, b in rules.SYNONYMS if re.search(rf"\b{re.escape(a)}\b", out, re.I)]
    for a, b in rng.sample(syn, min(3, len(syn))):
        pattern = re.compile(rf"\b{re.escape(a)}\b", re.I)
        out = pattern.sub(lambda m, b=b: _case_like(m.group(0), b), out, count=1)
        edits.append(f"{a!r} -> {b!r}")
    sents = _sentences(out)
    for i, s in enumerate(sents):
        moved = _reorder_intro(s)
        if moved:
            sents[i] = moved
            edits.append("intro clause moved to the end")
            break
    if len(sents) >= 2 and not sents[1].startswith(rules.DEPENDENT_START) and rng.random() < 0.5:
        sents[0], sents[1] = sents[1], sents[0]
        edits.append("first two sentences swapped")
    out = " ".join(sents)
    m = rules.LIST3.search(out)
    if m and m.group(1) != m.group(2):
        out = out[: m.start(1)] + m.group(2) + ", " + m.group(1) + out[m.end(2) :]
        edits.append(f"list items {m.group(1)!r} and {m.group(2)!r} swapped")
    if len(edits) < 2 or out == text:
        return None
    return out, "paraphrase: " + "; ".join(edits)


def _mutate_text(kind: str, text: str, rng: Random) -> tuple[str, str] | None:
    if kind in rules.SUBSTANTIVE:
        return _apply_spec(rules.SUBSTANTIVE[kind], text, rng)
    if kind in rules.BENIGN:
        return _apply_spec(rules.BENIGN[kind], text, rng)
    return {"quotes": _quotes, "typo": _typo, "paraphrase": _paraphrase}[kind](text, rng)


# ---------------------------------------------------------------------------------------------
# The clause tree as mutable nodes


@dataclass
class _Node:
    ref: str | None  # model ref; None for a foreign (inserted) node
    heading: str
    text: str
    kind: str  # the label kind of this node's children: I A 1 i a bullet none
    children: list[_Node] = field(default_factory=list)
    provision: bool = False


def _is_roman(core: str) -> bool:
    return bool(re.fullmatch(r"(?i)x{0,3}(ix|iv|v?i{0,3})", core)) and core != ""


def _group_kind(labels: list[str]) -> str:
    cores = [lab.strip().strip("().:") for lab in labels if lab.strip()]
    if not cores:
        return "none"
    if all(c in "-*•" for c in cores):
        return "bullet"
    if all(c.isdigit() for c in cores):
        return "1"
    if all(_is_roman(c) for c in cores) and cores[0] in ("I", "i"):
        return "I" if cores[0].isupper() else "i"
    return "A" if cores[0][:1].isupper() else "a"


@cache
def _model(model_id: str) -> tuple[str, tuple[tuple[str, str, str, str, str | None], ...]]:
    """(title, ((ref, label, heading, text, parent), ...)) of the model, via analyzer.segment."""
    from analyzer.segment import segment_text

    text = (ROOT / "model_policy" / f"{model_id}.txt").read_text(encoding="utf-8")
    tree = segment_text(text)
    rows = tuple(
        (c.ref, c.label, _as_printed(c.heading, text), c.text, c.parent) for c in tree.clauses
    )
    return tree.title, rows


def _as_printed(heading: str, raw: str) -> str:
    """The heading with the period that ends it in the model (``contract. The ...``), if any."""
    if heading and f"{heading}. " in raw and f"{heading}:" not in raw:
        return heading + "."
    return heading


def provisions(model_id: str) -> dict[str, str]:
    """The audited model provisions (clauses with text), in document order."""
    return {ref: text for ref, _, _, text, _ in _model(model_id)[1] if text.strip()}


def provision_paragraphs(model_id: str) -> dict[str, str]:
    """The audited provisions as printed: heading and text joined, as a variant renders them."""
    rows = _model(model_id)[1]
    return {ref: _body(_Node(ref, h, t, "none")) for ref, _, h, t, _ in rows if t.strip()}


def _build(model_id: str) -> list[_Node]:
    """A fresh mutable copy of the model's clause tree (root nodes)."""
    rows = _model(model_id)[1]
    nodes = {
        ref: _Node(ref, head, text, "none", provision=bool(text.strip()))
        for ref, _, head, text, _ in rows
    }
    labels: dict[str | None, list[str]] = {}
    roots: list[_Node] = []
    for ref, label, _, _, parent in rows:
        labels.setdefault(parent, []).append(label)
        (nodes[parent].children if parent in nodes else roots).append(nodes[ref])
    for parent, labs in labels.items():
        if parent in nodes:
            nodes[parent].kind = _group_kind(labs)
    return roots


def _walk(nodes: list[_Node], depth: int = 1):
    for node in nodes:
        yield node, depth
        yield from _walk(node.children, depth + 1)


def _parent_of(roots: list[_Node], target: _Node) -> list[_Node]:
    """The children list that holds ``target``."""
    if target in roots:
        return roots
    for node, _ in _walk(roots):
        if any(c is target for c in node.children):
            return node.children
    raise ValueError("node not in tree")


@cache
def _ambiguous(model_id: str) -> frozenset[str]:
    """Provisions whose text (nearly) repeats another's: never deleted, moved or edited."""
    prov = {ref: re.sub(r"\W+", " ", t.lower()) for ref, t in provisions(model_id).items()}
    out = set()
    for a, ta in prov.items():
        for b, tb in prov.items():
            if a != b and (ta in tb or fuzz.ratio(ta, tb) >= 80):
                out.add(a)
    return frozenset(out)


# ---------------------------------------------------------------------------------------------
# One variant


@dataclass
class _State:
    """Everything one variant records while it is built."""

    rng: Random
    model_id: str
    truth: dict[str, dict[str, object]]
    agency: str
    district: str
    manual: int
    style: str = "original"
    doubled: bool = False
    mutations: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    additions: list[str] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)

    def note(self, kind: str, ref: str | None, desc: str) -> None:
        self.kinds.add(kind)
        self.mutations.append(f"{kind} {ref}: {desc}" if ref else f"{kind}: {desc}")
        if ref in self.truth:
            edits = self.truth[ref]["edits"]
            assert isinstance(edits, list)
            edits.append(f"{kind}: {desc}")


def _blank_truth(model_id: str) -> dict[str, dict[str, object]]:
    return {
        ref: {
            "expect": "identical",
            "categories": [],
            "accept": [],
            "direction": None,
            "moved": False,
            "benign": False,
            "paraphrase": False,
            "missing": False,
            "edits": [],
        }
        for ref in provisions(model_id)
    }


def _candidates(roots: list[_Node], st: _State, *, fresh: bool = True) -> list[_Node]:
    """Provision nodes still in the tree, unambiguous, and (if ``fresh``) not yet edited."""
    amb = _ambiguous(st.model_id)
    return [
        n
        for n, _ in _walk(roots)
        if n.provision and n.ref not in amb and not (fresh and n.ref in st.touched)
    ]


def _delete(roots: list[_Node], st: _State) -> None:
    cap = max(1, int(0.15 * len(st.truth)))
    missing = 0
    for _ in range(st.rng.choice((0, 0, 1, 1, 2, 3))):
        cands = _candidates(roots, st)
        if not cands:
            return
        node = st.rng.choice(cands)
        sub = [n for n, _ in _walk([node]) if n.provision]
        if missing + len(sub) > cap or any(n.ref in _ambiguous(st.model_id) for n in sub):
            continue
        _parent_of(roots, node).remove(node)
        missing += len(sub)
        for n in sub:
            assert n.ref is not None
            st.truth[n.ref]["missing"] = True
            st.touched.add(n.ref)
            st.note("deletion", n.ref, "provision deleted" if n is node else f"with {node.ref}")


def _edit_some(roots: list[_Node], st: _State, kinds: tuple[str, ...], count: int) -> None:
    """Apply ``count`` text mutations drawn from ``kinds`` to distinct applicable provisions."""
    for _ in range(count):
        cands = _candidates(roots, st)
        st.rng.shuffle(cands)
        order = list(kinds)
        st.rng.shuffle(order)
        for kind in order:
            done = next(
                (
                    (n, res)
                    for n in cands
                    if not _has_edit(st, n, kind)
                    and (res := _mutate_text(kind, n.text, Random(st.rng.random()))) is not None
                ),
                None,
            )
            if done:
                node, (node.text, desc) = done[0], done[1]
                _label(st, node, kind)
                st.note(kind, node.ref, desc)
                break


def _has_edit(st: _State, node: _Node, kind: str) -> bool:
    edits = st.truth[str(node.ref)]["edits"]
    assert isinstance(edits, list)
    return any(e.startswith(kind + ":") for e in edits)


def _label(st: _State, node: _Node, kind: str) -> None:
    assert node.ref is not None
    t = st.truth[node.ref]
    if kind in rules.SUBSTANTIVE:
        spec = rules.SUBSTANTIVE[kind]
        cats, acc = t["categories"], t["accept"]
        assert isinstance(cats, list) and isinstance(acc, list)
        cats.append(spec.category)
        acc.extend(a for a in spec.accept if a not in acc)
        if spec.direction:
            t["direction"] = spec.direction
        st.touched.add(node.ref)
    elif kind == "paraphrase":
        t["paraphrase"] = True
        st.touched.add(node.ref)
    else:
        t["benign"] = True


def _agency(roots: list[_Node], st: _State) -> None:
    if st.rng.random() < 0.5:
        return
    for node, _ in _walk(roots):
        if not node.provision:
            continue
        new = node.text
        for pattern, template in rules.AGENCY_RULES[st.model_id]:
            repl = template.format(agency=st.agency, district=st.district)
            new = re.sub(pattern, lambda m, r=repl: _case_like(m.group(0), r), new)
        if new != node.text:
            node.text = new
            st.truth[str(node.ref)]["benign"] = True
            st.note("agency_name", node.ref, f"agency named {st.agency!r} / {st.district!r}")


def _unambiguous_move(roots: list[_Node], model_id: str, moved: _Node) -> bool:
    """True if ``moved`` is the only provision whose removal restores model order."""
    order = {ref: i for i, ref in enumerate(provisions(model_id))}
    seq = [(n, order[str(n.ref)]) for n, _ in _walk(roots) if n.provision and n.ref in order]
    for skip, _ in seq:
        rest = [i for n, i in seq if n is not skip]
        if skip is not moved and rest == sorted(rest):
            return False
    return True


def _move(roots: list[_Node], st: _State) -> None:
    """Relocate one leaf provision under another parent, far enough to be unambiguous."""
    if st.rng.random() < 0.6:
        return
    depth = {id(n): d for n, d in _walk(roots)}
    cands = [n for n in _candidates(roots, st, fresh=False) if not n.children and depth[id(n)] > 1]
    cands = [n for n in cands if not st.truth[str(n.ref)]["missing"]]
    if not cands:
        return
    node = st.rng.choice(cands)
    home = _parent_of(roots, node)
    where = home.index(node)
    dests = [
        n
        for n, d in _walk(roots)
        if d == depth[id(node)] - 1 and n.children and n.children is not home
    ]
    st.rng.shuffle(dests)
    for dest in dests[:6]:
        home.remove(node)
        dest.children.insert(st.rng.randint(0, len(dest.children)), node)
        if _unambiguous_move(roots, st.model_id, node):
            st.truth[str(node.ref)]["moved"] = True
            st.note("move", node.ref, f"moved under {dest.ref or dest.heading!r}")
            return
        dest.children.remove(node)
        home.insert(where, node)


def _insert(roots: list[_Node], st: _State) -> None:
    topics = list(FOREIGN)
    st.rng.shuffle(topics)
    for heading, paras in topics[: st.rng.choice((0, 1, 1, 2, 3))]:
        if st.rng.random() < 0.3:
            chosen = list(paras[: st.rng.randint(1, 2)])
            kids = [_Node(None, "", p, "none") for p in chosen]
            node = _Node(None, heading.upper(), "", st.rng.choice(("none", "A", "1")), kids)
            roots.insert(st.rng.randint(1, len(roots)), node)
            where = "new section"
        else:
            chosen = [st.rng.choice(paras)]
            parents = [n for n, _ in _walk(roots) if n.children and n.kind != "none"]
            parent = st.rng.choice(parents)
            parent.children.insert(
                st.rng.randint(0, len(parent.children)), _Node(None, "", chosen[0], "none")
            )
            where = f"under {parent.ref}"
        st.additions.extend(chosen)
        st.note("insertion", None, f"{len(chosen)} foreign paragraph(s) {where}: {heading}")


def _finish_truth(st: _State) -> dict[str, object]:
    for t in st.truth.values():
        t["expect"] = (
            "missing"
            if t["missing"]
            else "substantive"
            if t["categories"]
            else "paraphrase"
            if t["paraphrase"]
            else "benign"
            if t["benign"]
            else "identical"
        )
        del t["missing"]
    return {
        "provisions": st.truth,
        "additions": st.additions,
        "mutations": st.mutations,
        "kinds": sorted(st.kinds),
        "style": st.style,
    }


def _variant(model_id: str, seed: int, index: int) -> Variant:
    rng = Random(f"{model_id}/{seed}/{index}")
    st = _State(
        rng,
        model_id,
        _blank_truth(model_id),
        rng.choice(rules.AGENCIES),
        rng.choice(rules.DISTRICTS),
        rng.choice((417, 436, 1003, 507)),
    )
    roots = _build(model_id)
    _delete(roots, st)
    _edit_some(roots, st, tuple(rules.SUBSTANTIVE), rng.randint(1, 4))
    _edit_some(roots, st, ("paraphrase",), rng.choice((0, 0, 1, 2)))
    _edit_some(roots, st, (*rules.BENIGN, "quotes", "typo"), rng.randint(1, 4))
    _agency(roots, st)
    _move(roots, st)
    _insert(roots, st)
    st.style = rng.choice(STYLES) if rng.random() < 0.75 else "original"
    if st.style != "original":
        st.note("relabel", None, f"renumbered in style {st.style!r}")
    st.doubled = st.style in ("original", "markdown", "bullets") and rng.random() < 0.4
    width = rng.randint(60, 100) if rng.random() < 0.4 else None
    hang = st.style in ("markdown", "bullets") or (width is not None and rng.random() < 0.3)
    hyphens = width is not None and rng.random() < 0.3
    if width:
        how = " with hanging indents" if hang else ""
        st.note("wrap", None, f"hard line breaks at {width} characters{how}")
    if hyphens:
        st.note("hyphen_wrap", None, "words hyphenated at line ends")
    gaps = width is not None or rng.random() < 0.3
    title = _model(model_id)[0]
    if st.style != "original" and rng.random() < 0.5:
        title = f"{st.agency if model_id == 'post-sro' else st.district}\n{title}"
    paras = _render(roots, st, gaps)
    lines = _layout(title, paras, width, hang, Random(rng.random()) if hyphens else None)
    if rng.random() < 0.5:
        lines = _page_noise(lines, st, width is not None)
    text = "\n".join(lines).strip("\n") + "\n"
    return Variant(f"{model_id}-{seed}-{index:04d}", model_id, text, _finish_truth(st))


def generate(model_id: str, n: int, seed: int) -> list[Variant]:
    """``n`` labelled variants of model ``model_id``; the same seed gives the same variants."""
    return [_variant(model_id, seed, i) for i in range(n)]
