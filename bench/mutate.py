"""Labelled variants of a model policy: the test set of the accuracy benchmark.

A variant is the model policy rebuilt from its own clause tree (``analyzer.segment``) with a
random, recorded mix of mutations: deleted provisions; substantive edits (modality, negation,
numbers, durations, dates, citations, cross-references); benign edits (agency names,
abbreviations, number words, possessives, quotes, typos, articles, serial commas);
paraphrases; inserted foreign paragraphs; moved provisions; renumbering into another
labelling style; wrapped lines, running page headers and doubled bullets.

Exports:
    Variant                     -- frozen dataclass: id, model_id, text, truth
    generate(model_id, n, seed) -- deterministic list of variants (``random.Random`` per variant)
    provisions(model_id)        -- {model_ref: text} of the audited model provisions
    provision_paragraphs(model_id) -- the same with each heading joined to its text
    KINDS                       -- every mutation kind a variant can record
    STYLES                      -- the labelling styles a variant can be rendered in
    FOREIGN                     -- the pool of foreign (agency) sections inserted as additions

``truth`` is JSON-able::

    {"provisions": {model_ref: {"expect": "identical|benign|missing|substantive|paraphrase",
                                "categories": [...], "accept": [...], "direction": str|None,
                                "moved": bool, "benign": bool, "paraphrase": bool,
                                "edits": [str]}},
     "additions": [text], "mutations": [str], "kinds": [kind], "style": str}
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from random import Random

from rapidfuzz import fuzz

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
STYLES = (
    "original",
    "order",
    "compound",
    "dotted",
    "section",
    "paren",
    "markdown",
    "bullets",
    "none",
)


@dataclass(frozen=True)
class Variant:
    """One mutated policy text and the labels that say what an auditor should report."""

    id: str
    model_id: str
    text: str
    truth: dict[str, object]


# ---------------------------------------------------------------------------------------------
# Text rules: (pattern, choices); a choice is a template string or a function of the match.

Choice = str | Callable[[re.Match[str], Random], str]


@dataclass(frozen=True)
class _Spec:
    """One mutation kind: its group (substantive, benign), category and rules."""

    group: str
    rules: tuple[tuple[str, tuple[Choice, ...]], ...]
    category: str = ""
    accept: tuple[str, ...] = ()
    direction: str | None = None


def _other_digit(match: re.Match[str], rng: Random) -> str:
    return rng.choice([d for d in "2345678" if d != match.group(0)])


_NOT_MODAL = r"(?! not| occur| affect| arise| further| exercise)"

SUBSTANTIVE: dict[str, _Spec] = {
    "modality_weaker": _Spec(
        "substantive",
        (
            (r"\b(?:shall|must)\b" + _NOT_MODAL, ("should", "may")),
            (r"\bwill\b" + _NOT_MODAL, ("may", "should")),
            (r"\b(is|are)( often)? required to\b", (r"\1\2 encouraged to",)),
            (r"\bare expected to\b", ("are encouraged to", "may")),
        ),
        "modality",
        ("modality",),
        "weaker",
    ),
    "modality_stronger": _Spec(
        "substantive",
        ((r"\b(?:should|may)\b" + _NOT_MODAL, ("must", "shall")),),
        "modality",
        ("modality",),
        "stronger",
    ),
    "negation_add": _Spec(
        "substantive",
        ((r"\b(shall|must|should|will|may)\b" + _NOT_MODAL, (r"\1 not",)),),
        "negation",
        ("negation",),
    ),
    "negation_remove": _Spec(
        "substantive",
        (
            (r"\b(shall|must|should|will|may) not\b", (r"\1",)),
            (r"\b(is|are) not (required|obligated|limited)\b", (r"\1 \2",)),
        ),
        "negation",
        ("negation",),
    ),
    "number": _Spec(
        "substantive",
        ((r"(?<=fewer than )60\b", ("90", "30", "45", "120")),),
        "number",
        ("number", "duration"),
    ),
    "duration": _Spec(
        "substantive",
        (
            (r"\bsix months\b", ("twelve months", "three months", "nine months", "one year")),
            (r"\bthree years\b", ("five years", "two years", "four years")),
        ),
        "duration",
        ("duration", "number"),
    ),
    "date": _Spec(
        "substantive",
        (
            (r"\bSeptember 1, 2025\b", ("January 1, 2026", "September 1, 2026", "July 1, 2025")),
            (r"\bJune 1, 2027\b", ("June 1, 2028", "January 1, 2027", "June 1, 2026")),
        ),
        "date",
        ("date",),
    ),
    "citation": _Spec(
        "substantive",
        (
            (r"\b626\.8482\b", ("626.8483", "626.8481", "626.8492")),
            (r"(?<=\bSubd\. )\d\b", (_other_digit,)),
            (r"(?<=\bsubdivision )\d\b", (_other_digit,)),
            (r"(?<=\bSub\. )8\b", ("9", "7")),
            (r"(?<=paragraph )\(a\)", ("(1)", "(b)", "(c)")),
            (r"(?<=paragraph )\(b\)", ("(a)", "(c)")),
            (r"(?<=clause )\(4\)", ("(3)", "(6)")),
            (r"\b120A\.05\b", ("120A.06", "120A.15")),
            (r"\b609\.02\b", ("609.03",)),
            (r"\b121A\.58\b", ("121A.59", "121A.67")),
            (r"\b609\.066\b", ("609.065",)),
            (r"\b609\.06\b(?!6)", ("609.07",)),
            (r"\b626\.8475\b", ("626.8474",)),
            (r"\b626\.8452\b", ("626.8453",)),
            (r"(?<=chapter )13\b", ("14",)),
            (r"\b1205\.2000\b", ("1205.3000",)),
        ),
        "citation",
        ("citation", "cross-reference"),
    ),
    "cross_reference": _Spec(
        "substantive",
        (
            (r"(?<=paragraph )IV\.A\b", ("IV.B", "IV.C")),
            (r"(?<=paragraph )E\.1\b", ("E.2", "G.2")),
            (r"(?<=paragraphs )E\.2\b", ("E.1", "F.2")),
            (r"(?<=, )E\.4\b", ("E.5",)),
            (r"(?<=paragraph )V\.A\b", ("V.B", "V.E")),
            (r"\bV\.D\b", ("V.E",)),
        ),
        "cross-reference",
        ("cross-reference", "citation"),
    ),
}

BENIGN: dict[str, _Spec] = {
    "abbreviation": _Spec(
        "benign",
        (
            (
                r"\bMinn\. Stat\.(?!s)(?: §)?",
                ("MSS", "M.S.", "Minn. Stat. §", "Minnesota Statutes"),
            ),
            (r"\bMinnesota Statutes, section\b", ("Minn. Stat. §", "MSS", "M.S.", "Minn. Stat.")),
            (r"\bMinn\. Stats\.", ("Minnesota Statutes", "MSS", "M.S.")),
        ),
    ),
    "number_words": _Spec(
        "benign",
        (
            (r"(?<=fewer than )60\b", ("sixty (60)", "sixty")),
            (r"\bsix months\b", ("six (6) months", "6 months")),
            (r"\bthree years\b", ("three (3) years", "3 years")),
        ),
    ),
    "possessive": _Spec(
        "benign",
        ((r"\bSRO's(?= )", ("SROs",)), (r"\bSROs(?= (?:shall|should|are|work))", ("SRO's",))),
    ),
    "article": _Spec(
        "benign",
        (
            (r"\b[Aa]n(?= [a-z])", (lambda m, r: m.group(0)[0],)),
            (r"\b[Aa](?= [a-z])", (r"\g<0>n",)),
        ),
    ),
    "oxford_comma": _Spec(
        "benign",
        (
            (r"(, [\w'’()/-]+(?: [\w'’()/-]+){0,2}) and\b", (r"\1, and",)),
            (r"(, [\w'’()/-]+(?: [\w'’()/-]+){0,2}), and\b", (r"\1 and",)),
        ),
    ),
    "chief_title": _Spec(
        "benign",
        (
            (
                r"\bthe chief law enforcement officer\b",
                ("the Chief of Police", "the Sheriff", "the Police Chief"),
            ),
        ),
    ),
}

QUOTE_SWAPS = (("'", "’"), ("’", "'"), ("“", '"'), ("”", '"'))
TYPO_PROTECTED = frozenset(
    "required obligated prohibited mandated minimum practicable practical without"
    " unless except including never neither nothing cannot expected encouraged".split()
)
SYNONYMS = (
    ("utilize", "use"),
    ("utilizing", "using"),
    ("prior to", "before"),
    ("in lieu of", "instead of"),
    ("facilitate", "aid"),
    ("regarding", "concerning"),
    ("assist with", "help with"),
    ("individual", "person"),
    ("whenever possible", "when possible"),
    ("notified", "informed"),
    ("opportunities", "chances"),
    ("various", "different"),
    ("potential", "possible"),
    ("rapidly evolving", "fast-changing"),
    ("thoroughly", "fully"),
    ("fulfill", "carry out"),
    ("maintain", "keep"),
    ("the most recent", "the latest"),
    ("at a minimum of", "at least"),
    ("decrease", "reduce"),
    ("severity", "seriousness"),
    ("methods", "means"),
    ("foster", "promote"),
    ("fostering", "promoting"),
    ("educating", "teaching"),
    ("strategies", "approaches"),
    ("techniques", "methods"),
    ("empathetic", "compassionate"),
    ("accommodations", "adjustments"),
    ("purpose", "aim"),
    ("valuable", "useful"),
    ("establishment", "creation"),
    ("vulnerabilities", "weaknesses"),
    ("liaison", "link"),
    ("provides instruction on", "teaches"),
    ("pursuant to", "under"),
    ("in compliance with", "in accordance with"),
    ("approximately", "about"),
    ("obtain", "get"),
)
_INTRO = re.compile(
    r"^(When|If|Whenever|As much as is reasonably practical|When reasonably practicable"
    r"|Consistent with training after any use of force) ([^,]+), (.+?)([.;:]?)$"
)
_LIST3 = re.compile(r"\b([a-z]+), ([a-z]+),? and ([a-z]+)\b")
_DEPENDENT_START = ("However", "This", "These", "It ", "They", "Such", "That")


def _case_like(src: str, repl: str) -> str:
    """``repl`` with its first letter upper-cased when ``src`` starts with a capital."""
    if src[:1].isupper() and repl[:1].islower():
        return repl[0].upper() + repl[1:]
    return repl


def _apply_spec(spec: _Spec, text: str, rng: Random) -> tuple[str, str] | None:
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
    pairs = [(a, b) for a, b in QUOTE_SWAPS if a in text]
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    return text.replace(a, b), f"quotes {a!r} -> {b!r}"


def _typo(text: str, rng: Random) -> tuple[str, str] | None:
    words = [m for m in re.finditer(r"\b[a-z]{7,}\b", text) if m.group(0) not in TYPO_PROTECTED]
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
    m = _INTRO.match(sentence)
    if not m:
        return None
    intro, cond, main, end = m.groups()
    head = intro[0].lower() + intro[1:]
    return f"{_case_like('A', main)} {head} {cond}{end or '.'}"


def _paraphrase(text: str, rng: Random) -> tuple[str, str] | None:
    """Meaning-preserving rewording: synonyms, clause and list reordering (>= 2 edits)."""
    edits: list[str] = []
    out = text
    syn = [(a, b) for a, b in SYNONYMS if re.search(rf"\b{re.escape(a)}\b", out, re.I)]
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
    if len(sents) >= 2 and not sents[1].startswith(_DEPENDENT_START) and rng.random() < 0.5:
        sents[0], sents[1] = sents[1], sents[0]
        edits.append("first two sentences swapped")
    out = " ".join(sents)
    m = _LIST3.search(out)
    if m and m.group(1) != m.group(2):
        out = out[: m.start(1)] + m.group(2) + ", " + m.group(1) + out[m.end(2) :]
        edits.append(f"list items {m.group(1)!r} and {m.group(2)!r} swapped")
    if len(edits) < 2 or out == text:
        return None
    return out, "paraphrase: " + "; ".join(edits)


TEXT_KINDS = tuple(SUBSTANTIVE) + tuple(BENIGN) + ("quotes", "typo", "paraphrase")
DOC_KINDS = (
    "deletion",
    "agency_name",
    "insertion",
    "move",
    "relabel",
    "wrap",
    "page_headers",
    "doubled_bullets",
)
KINDS = TEXT_KINDS + DOC_KINDS


def _mutate_text(kind: str, text: str, rng: Random) -> tuple[str, str] | None:
    if kind in SUBSTANTIVE:
        return _apply_spec(SUBSTANTIVE[kind], text, rng)
    if kind in BENIGN:
        return _apply_spec(BENIGN[kind], text, rng)
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


AGENCIES = (
    "Duluth Police Department",
    "Hutchinson Police Department",
    "Lakeville Police Department",
    "Stearns County Sheriff's Office",
    "Mankato Department of Public Safety",
    "Rochester Police Department",
    "Moorhead Police Department",
    "Winona Police Department",
    "Bemidji Police Department",
    "Brooklyn Park Police Department",
)
DISTRICTS = (
    "Duluth Public Schools",
    "Independent School District 709",
    "Rochester Public Schools",
    "ISD 283",
    "Moorhead Area Public Schools",
    "the Winona Area Public Schools",
)
AGENCY_RULES = {
    "post-sro": (
        (r"\[AGENCY NAME\]", "{agency}"),
        (r"\bthe Law Enforcement Agency(?= Use of Force Policy)", "the {agency}"),
        (r"\b[Tt]he law enforcement agency\b", "the {agency}"),
    ),
    "msba-507.5": (
        (r"\b[Tt]he school district\b", "{district}"),
        (r"\ba school resource officer's employer\b", "the {agency}"),
    ),
}


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
    if kind in SUBSTANTIVE:
        spec = SUBSTANTIVE[kind]
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
        for pattern, template in AGENCY_RULES[st.model_id]:
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


# ---------------------------------------------------------------------------------------------
# Rendering: labels per style, wrapping, page noise


@dataclass(frozen=True)
class _Para:
    indent: str
    marker: str
    body: str
    gap: bool  # a blank line before it


def _roman(n: int) -> str:
    vals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for v, s in vals:
        while n >= v:
            out, n = out + s, n - v
    return out


def _fmt(kind: str, n: int) -> str:
    if kind == "I":
        return _roman(n)
    if kind == "i":
        return _roman(n).lower()
    if kind in ("A", "a"):
        s = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return s if kind == "A" else s.lower()
    return str(n)


DOTTED_DEEP = ("({}) ", "{}. ", "({}) ")
DOTTED_KINDS = ("a", "1", "i")
SECTION_DEEP = ("a", "i", "1", "A")
PAREN = ("a", "1", "i", "A", "1", "a")


def _marker(st: _State, kind: str, path: list[int], depth: int) -> tuple[str, str]:
    """(indent, marker) for a child at ``path`` (1-based positions from the root)."""
    n, style, ind = path[-1], st.style, "  " * (depth - 2)
    bullet = "- • " if st.doubled else "- "
    if kind == "none" or style in ("order", "none"):
        return "", ""
    if style == "original":
        return "", bullet if kind == "bullet" else f"{_fmt(kind, n)}. "
    if style == "compound":
        return "", bullet if kind == "bullet" else f"{_fmt(kind, n)}. "
    if style == "dotted":
        if depth == 2:
            return "", f"{st.manual}." + ".".join(map(str, path)) + " "
        return "", DOTTED_DEEP[(depth - 3) % 3].format(_fmt(DOTTED_KINDS[(depth - 3) % 3], n))
    if style == "section":
        if depth <= 3:
            return "", ("Section " if depth == 2 else "") + ".".join(map(str, path)) + " "
        return "", f"({_fmt(SECTION_DEEP[(depth - 4) % 4], n)}) "
    if style == "paren":
        return "", f"({_fmt(PAREN[(depth - 2) % 6], n)}) "
    if style == "markdown":
        return ind, bullet if kind == "bullet" else f"{bullet}{_fmt(kind, n)}. "
    return ind, "- • " if st.doubled else "-*•"[(depth - 2) % 3] + " "


def _top(st: _State, n: int, node: _Node) -> str:
    head = node.heading or node.text
    title = head.title() if head.isupper() else head
    return {
        "original": f"{_roman(n)}. {head}",
        "order": f"Order {st.manual}.{n}: {title}",
        "compound": f"{st.manual}.{n} {head}",
        "dotted": f"{st.manual}.{n} {head}",
        "section": f"Section {n}. {title}",
        "paren": f"{n}. {head}",
        "markdown": f"## {head}",
    }.get(st.style, head)


def _body(node: _Node) -> str:
    h, t = node.heading, node.text
    if h and t:
        return h + (" " if h[-1] in ".:?" else ": ") + t
    return h or t


def _render(roots: list[_Node], st: _State, gaps: bool) -> list[_Para]:
    out: list[_Para] = []

    def children(node: _Node, path: list[int]) -> None:
        for i, child in enumerate(node.children, 1):
            indent, marker = _marker(st, node.kind, [*path, i], len(path) + 1)
            if "-" in marker or "*" in marker or "•" in marker:
                st.kinds.add("doubled_bullets") if st.doubled else None
            first, *rest = _body(child).split("\n")
            out.append(_Para(indent, marker, first, gaps or not marker))
            out.extend(_Para(indent, "", more, True) for more in rest if more.strip())
            children(child, [*path, i])

    for n, root in enumerate(roots, 1):
        out.append(_Para("", "", _top(st, n, root), True))
        if root.heading and root.text:
            out.append(_Para("", "", root.text, True))
        children(root, [n])
    return out


def _layout(title: str, paras: list[_Para], width: int | None, hang: bool) -> list[str]:
    lines = title.splitlines()
    for p in paras:
        if p.gap and lines and lines[-1] != "":
            lines.append("")
        if width is None:
            lines.append(p.indent + p.marker + p.body)
            continue
        sub = p.indent + (" " * len(p.marker) if hang else "")
        lines.extend(
            textwrap.wrap(
                p.body,
                width,
                initial_indent=p.indent + p.marker,
                subsequent_indent=sub,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return lines


def _header(st: _State, flavor: str, k: int, total: int) -> list[str]:
    name = st.agency if st.model_id == "post-sro" else st.district.removeprefix("the ")
    blocks = {
        "lexipol": [name, "", "Policy Manual", "", "School Resource Officer"],
        "markdown": ["## *School Resource Officer*", "", "---"],
        "page": [f"Page {k} of {total}"],
        "footer": [f"Policy {st.manual} School Resource Officer", f"Page {k}"],
    }
    parts = flavor.split("+")
    return ["", *[line for part in parts for line in blocks[part] + [""]]]


def _page_noise(lines: list[str], st: _State, mid_ok: bool) -> list[str]:
    rng = st.rng
    flavor = rng.choice(("lexipol", "markdown", "page", "footer", "page+lexipol"))
    cuts, i = [], rng.randint(35, 45)
    while i < len(lines) - 5:
        j = i
        if not (mid_ok and rng.random() < 0.25):
            while j < len(lines) and lines[j] != "":
                j += 1
        if j >= len(lines) - 1:
            break
        cuts.append(j)
        i = j + rng.randint(35, 45)
    if not cuts:
        return lines
    out: list[str] = []
    prev = 0
    for k, cut in enumerate(cuts, 1):
        out.extend(lines[prev:cut])
        out.extend(_header(st, flavor, k, len(cuts) + 1))
        prev = cut + (1 if lines[cut] == "" else 0)
    out.extend(lines[prev:])
    st.note("page_headers", None, f"{flavor} every ~40 lines ({len(cuts)} breaks)")
    return out


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
        rng.choice(AGENCIES),
        rng.choice(DISTRICTS),
        rng.choice((417, 436, 1003, 507)),
    )
    roots = _build(model_id)
    _delete(roots, st)
    _edit_some(roots, st, tuple(SUBSTANTIVE), rng.randint(1, 4))
    _edit_some(roots, st, ("paraphrase",), rng.choice((0, 0, 1, 2)))
    _edit_some(roots, st, (*BENIGN, "quotes", "typo"), rng.randint(1, 4))
    _agency(roots, st)
    _move(roots, st)
    _insert(roots, st)
    st.style = rng.choice(STYLES) if rng.random() < 0.75 else "original"
    if st.style != "original":
        st.note("relabel", None, f"renumbered in style {st.style!r}")
    st.doubled = st.style in ("original", "markdown", "bullets") and rng.random() < 0.4
    width = rng.randint(70, 90) if rng.random() < 0.4 else None
    if width:
        st.note("wrap", None, f"hard line breaks at {width} characters")
    gaps = width is not None or rng.random() < 0.3
    title = _model(model_id)[0]
    if st.style != "original" and rng.random() < 0.5:
        title = f"{st.agency if model_id == 'post-sro' else st.district}\n{title}"
    lines = _layout(title, _render(roots, st, gaps), width, st.style in ("markdown", "bullets"))
    if rng.random() < 0.5:
        lines = _page_noise(lines, st, width is not None)
    text = "\n".join(lines).strip("\n") + "\n"
    return Variant(f"{model_id}-{seed}-{index:04d}", model_id, text, _finish_truth(st))


def generate(model_id: str, n: int, seed: int) -> list[Variant]:
    """``n`` labelled variants of model ``model_id``; the same seed gives the same variants."""
    return [_variant(model_id, seed, i) for i in range(n)]


# ---------------------------------------------------------------------------------------------
# Foreign agency text: what adopting documents add that the model does not say

_FOREIGN_TEXT = """
# Duty hours
SRO schedules will generally follow the schedule of the school district during the school year,
with start and end times set by the Patrol Sergeant.

When school is not in session because of a late start or a weather cancellation, the SRO shall
contact the on-duty Patrol Sergeant for a daily assignment.

Overtime worked at after-school events must be approved in advance by the Administrative
Sergeant and recorded on the weekly timesheet.

# Summer assignments
During the summer months, SROs are assigned to the Patrol Division and work the shift schedule
posted by the Operations Lieutenant.

SROs may be assigned to summer youth programs, park patrols and community events between the
last day of school and the first day of the fall term.

Vacation requests for the summer break should be submitted to the Patrol Lieutenant no later
than April 15.

# Uniforms and equipment
SROs will wear the department Class B uniform unless the building principal and the Patrol
Lieutenant agree that a polo shirt with the department badge is suitable.

The department issues each SRO a portable radio, a body-worn camera and a laptop computer
configured for the records management system.

Body-worn cameras are activated in accordance with the department's body-worn camera policy,
including during calls for service on school property.

# Vehicles
Each SRO is assigned a marked squad car that is parked in a visible location near the main
entrance of the building during the school day.

Squad cars assigned to SROs may be taken home only with the written approval of the Deputy Chief
of Operations.

Students are not transported in department vehicles except in an emergency or after an arrest,
and each transport is logged with the starting and ending odometer reading.

# Supervision and reporting
SROs report to the Investigations Sergeant, who reviews their monthly activity reports and meets
with each building principal at least once per semester.

The SRO supervisor prepares an annual program report for the City Council that summarizes calls
for service, citations and community programs.

Complaints about an SRO are handled under the department's personnel complaint procedure, and
the school district is notified of the outcome.

# Office space
The district provides each SRO with a private office that has a locking door, a telephone line
and a secure network connection.

Department records and evidence are never stored in the school office; they are taken to the
police station at the end of each shift.

# Funding
The school district reimburses the city for seventy-five percent of the salary and benefits of
each assigned officer for the nine months of the school year.

Invoices for SRO services are sent to the district business office each quarter and are payable
within thirty days.

# Selection
Officers who wish to serve as an SRO submit a letter of interest to the Patrol Captain and are
interviewed by a panel that includes a school administrator.

An officer must have completed probation and at least three years of patrol experience to be
considered for an SRO assignment.

SRO assignments are reviewed every two years, and an officer may ask to return to patrol at the
end of any school year.

# Special events
SROs coordinate security for graduation ceremonies, homecoming and state tournament games with
the athletic director and the on-duty shift supervisor.

Extra-duty officers hired by the district for dances and athletic events are paid at the
contract overtime rate and are not counted as SRO staffing.

# Traffic and parking
SROs assist with traffic control at the beginning and end of the school day when staffing allows
and parking lot congestion creates a hazard.

Parking violations in school lots are enforced under the city ordinance, and repeat violators
are referred to the building principal.

# Emergency drills
SROs take part in at least one lockdown drill per semester at each assigned building and review
the building emergency plan with the principal each August.

After each drill the SRO completes an after-action form and sends it to the district safety
coordinator within five business days.

# Community programs
SROs may teach classes on internet safety, bicycle safety and the dangers of vaping when invited
by a classroom teacher.

The department sponsors a youth police academy each summer, and SROs help recruit students from
the buildings they serve.

SROs are encouraged to attend parent nights, open houses and school board meetings to answer
questions about the program.

# Investigations
Crimes reported at school that require follow-up beyond the school day are assigned to the
Investigations Division by the on-duty sergeant.

Interviews of students as suspects follow the department's juvenile interview policy, including
notice to a parent or guardian when required by law.

# Contract term
The agreement between the city and the district runs for three school years and renews
automatically unless either party gives notice by March 1.

Either party may terminate the agreement with ninety days written notice to the other party's
chief executive.
"""


def _parse_foreign(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    topics: list[tuple[str, list[str]]] = []
    for chunk in text.strip().split("\n\n"):
        lines = chunk.strip().splitlines()
        if lines[0].startswith("# "):
            topics.append((lines.pop(0)[2:], []))
        topics[-1][1].append(" ".join(lines))
    return tuple((head, tuple(paras)) for head, paras in topics)


FOREIGN = _parse_foreign(_FOREIGN_TEXT)
