"""The houfu/redlines alignment benchmark, scored for ``policydiff compare``.

Runs ``compare_documents`` over every pair of ``/work/shared/external/redlines-bench/``
(``synthetic`` and ``hand`` tiers; override with ``POLICYDIFF_REDLINES_BENCH``) and computes
the peer's metrics as its REPORT.md defines them: link precision / recall / F1 over
``(source address, test address)`` correspondences (links only: blocks labelled inserted or
deleted are in neither denominator; a reported pair touching one counts toward the spurious
rate; blocks in splits/merges excluded from both sets; the root pair excluded), move recall
and precision (moves keyed by the address pair), renumber recall (the 4-tuple of addresses
and labels, ground truth = labelled pairs whose labels differ).

The address mapping (policydiff has clause refs, the peer has structural addresses such as
``/section[1]/section[2]/list_item[4]``) is an approximation, stated in full:
  1. each labelled block's digest (first 16 hex of sha256 of ``label + "\\x1f" + text`` or of
     the text) is computed for every policydiff clause from its label (as printed, and without
     trailing ``.``/``:``/``)`` and wrapping parentheses) and its text (body, heading, heading
     and body joined by a space, colon, full stop or dash), or from its first one to three
     printed words as the label (a label inside a heading: "Schedule 1. The Services"); a
     clause takes the first unused address with a matching digest, in document order;
  2. front-matter lines (titles, preambles) map the same way without a label, or as the
     source line that prints them (``**Status:** Accepted``);
  3. a clause whose digest matches no labelled block has no address: a pair involving it is
     not scored (counted as ``unmapped``), which can only lower recall;
  4. table rows and cells are blocks for the peer; policydiff reads a table as one paragraph,
     so they are never mapped: misses in the "all blocks" rows; the "(no tables)" rows drop
     them from both sets, like the peer's own "flat-addressable" column;
  5. the engine's moves are counted once per moved subtree, at the topmost block (the peer's
     rule 5): a reported move inside another reported move on both sides is dropped;
  6. an engine's renumber 4-tuple uses the labels of the mapped blocks; since the digest
     includes the label, a clause can only map to a block with its own label.
Two engines are scored: ``compare`` (the JSON's clause rows: ``old_ref`` -> first
``new_ref``; moves from ``moves``) and ``redline`` (the pairing of the DOCX redline: compare's
rows plus titles and headings paired by text or by their children's partners, see
``analyzer.redline_plan``). Nothing in policydiff was tuned on this corpus. Families (the
source document of a synthetic pair, e.g. ``msa-text``) are reported separately, so a
reader can check any family as held out.

A secondary figure, never replacing the primary one: ``ambiguous_links`` counts the labelled
links (and moves) whose source paragraph reads exactly like another source paragraph and
whose labelled partner is not the in-order one (twins the labels permute: no text-only engine
can be credited for them except by chance), and the row "compare, ambiguous links set aside"
scores ``compare`` with those links' blocks excluded on both sides, as the peer excludes the
blocks of splits and merges.

Exports: run(quick=False) -> dict (with "markdown"), score_pair(pair_dir) -> dict,
ambiguous_links(truth, addresses, trees) -> set of (source, test) labelled links,
docx_speed(copies=2, runs=5) -> dict (seconds to write the DOCX redline of a ~15-page policy)
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from analyzer.compare import compare_documents
from analyzer.compare_outline import FRONT, printed
from analyzer.ingest import ingest
from analyzer.model import ClauseTree
from analyzer.redline_plan import compare_redline
from analyzer.segment import segment

ROOT = Path(os.environ.get("POLICYDIFF_REDLINES_BENCH", "/work/shared/external/redlines-bench"))
PEER = {  # the peer's published synthetic-tier figures (NOTICE.md, from its REPORT.md)
    "precision": 0.975, "recall": 0.975, "f1": 0.975, "move_recall": 0.783,
    "move_precision": None, "renumber_recall": 0.993,
}  # fmt: skip
AMBIGUOUS = "compare, ambiguous links set aside"  # a secondary figure, never the primary one
TARGETS = {"f1": 0.98, "move_recall": 0.90, "move_precision": 0.95, "renumber_recall": 0.995}
COUNTS = ("tp", "reported", "labelled", "spurious", "unmapped", "move_tp", "move_reported",
          "move_labelled", "renumber_tp", "renumber_labelled")  # fmt: skip


def _digest(label: str | None, text: str) -> str:
    flat = " ".join(text.split())
    data = f"{label}\x1f{flat}" if label else flat
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def _label_forms(label: str) -> list[str | None]:
    raw = label.strip()
    forms: list[str | None] = []
    for form in (raw, raw.rstrip(".:"), raw.rstrip(".:").strip("()"), raw.strip("()")):
        words = form.split()
        for f in (form, words[-1] if words else ""):
            if f and f not in forms:
                forms.append(f)
    return [*forms, None]


def _side_blocks(labels: dict[str, Any], side: str) -> dict[str, list[str]]:
    """digest -> addresses (document order) of every labelled block of one side."""
    key, dkey = ("source", "source_digest") if side == "source" else ("test", "test_digest")
    out: dict[str, list[str]] = {}
    rows = list(labels.get("correspondences") or [])
    rows += list(labels.get("deleted" if side == "source" else "inserted") or [])
    for row in rows:
        if row.get(key) and row.get(dkey):
            out.setdefault(row[dkey], []).append(row[key])
    return {d: sorted(addrs, key=_address_order) for d, addrs in out.items()}


def _address_order(address: str) -> list[tuple[str, int]]:
    """Document order of blocks with one digest (the label file lists them in correspondence
    order, which on the test side follows the source): ``/section[2]/list_item[10]`` ->
    ``[("section", 2), ("list_item", 10)]``."""
    return [(name, int(k)) for name, k in re.findall(r"([a-z_]+)\[(\d+)\]", address)]


_MD_HEADING = re.compile(r"^\s*#{1,6}\s+")


def _raw_texts(raw: list[str], c: Any) -> list[str]:
    """The clause's own source lines as the file prints them (markup such as ``**bold**``
    kept, as the peer's digests keep it), without a Markdown heading marker."""
    loc = c.location
    if not raw or loc is None or loc.page != 1 or not 1 <= loc.line <= loc.end_line <= len(raw):
        return []
    text = " ".join(raw[loc.line - 1 : loc.end_line])
    return [_MD_HEADING.sub("", text.strip())]


def _addresses(
    tree: ClauseTree, blocks: dict[str, list[str]], raw: list[str] | None = None
) -> dict[str, str]:
    """policydiff ref -> peer address, by digest (see the module docstring)."""
    free = {d: list(addrs) for d, addrs in blocks.items()}
    out: dict[str, str] = {}

    def take(ref: str, options: list[tuple[str | None, str]]) -> None:
        for label, text in options:
            addrs = free.get(_digest(label, text)) if (label or text.strip()) else None
            if addrs:
                out[ref] = addrs.pop(0)
                return

    printed = {}
    for r in raw or []:  # front matter has no source span: its lines as printed, by text
        printed.setdefault(" ".join(_MD_HEADING.sub("", r).replace("**", "").split()), r.strip())
    for k, line in enumerate(tree.front_matter):
        take(f"{FRONT}{k}", [(None, line), (None, printed.get(" ".join(line.split()), ""))])
    rows_taken: set[str] = set()
    for c in tree.clauses:
        if " | " in c.text and not c.label and not c.heading:  # a table row, by its cells
            row = _row_address(c.text.split(" | "), blocks, rows_taken)
            if row is not None:
                out[c.ref] = row
                rows_taken.add(row)
                continue
        glue = [" ", ": ", ". ", ":", " - "]
        texts = [c.text, c.heading, *(f"{c.heading}{g}{c.text}" for g in glue)]
        options = [(lab, t) for lab in _label_forms(c.label) for t in texts]
        words = " ".join(p for p in (c.label, c.heading, c.text) if p).split()
        for n in (1, 2, 3):  # a label printed inside the heading: "Schedule 1. The Services"
            options += [(" ".join(words[:n]).rstrip(".:"), " ".join(words[n:]))]
        for line in _raw_texts(raw or [], c):  # the source as printed, markup kept
            forms = _label_forms(c.label)
            rests = [line[len(f) :].strip() for f in forms if f and line.startswith(f)]
            options += [(None, line), *((lab, rest) for lab in forms for rest in rests)]
        take(c.ref, options)
    return out


def _row_address(cells: list[str], blocks: dict[str, list[str]], taken: set[str]) -> str | None:
    """The first free table-row address whose cells, column by column, carry these texts
    (the peer digests a row's cells, not the row: a row maps through its cells)."""
    have = [set(blocks.get(_digest(None, cell.strip()), ())) for cell in cells]
    for addr in blocks.get(_digest(None, cells[0].strip()), ()):
        row = addr[: -len("/cell[1]")] if addr.endswith("/cell[1]") else None
        if (
            row
            and row not in taken
            and all(f"{row}/cell[{k + 1}]" in h for k, h in enumerate(have))
        ):
            return row
    return None


def _cell_pairs(pairs: set[tuple[str, str]], universe: tuple[set[str], set[str]]):
    """The cells of paired table rows, column by column (policydiff compares a row as one
    clause; the redline of a paired row shows its cells side by side)."""
    out = set()
    for s, t in pairs:
        if s.rsplit("/", 1)[-1].startswith("row[") and t.rsplit("/", 1)[-1].startswith("row["):
            k = 1
            while f"{s}/cell[{k}]" in universe[0] and f"{t}/cell[{k}]" in universe[1]:
                out.add((f"{s}/cell[{k}]", f"{t}/cell[{k}]"))
                k += 1
    return out


def _excluded(labels: dict[str, Any]) -> tuple[set[str], set[str]]:
    src: set[str] = set()
    tst: set[str] = set()
    for s in labels.get("splits") or []:
        src.add(s["source"])
        tst.update(s.get("tests") or [])
    for m in labels.get("merges") or []:
        src.update(m.get("sources") or [])
        tst.add(m["test"])
    for u in labels.get("unscored") or []:
        src.update([u["source"]] if isinstance(u, dict) and u.get("source") else [])
        tst.update([u["test"]] if isinstance(u, dict) and u.get("test") else [])
    return src, tst


def _engine_pairs(data: dict[str, Any], redline: Any, refs: tuple[list[str], list[str]]):
    compare = {
        (r["old_ref"], r["new_ref"])
        for r in [*data["clauses"], *data["outline"]]
        if r["old_ref"] and r["new_ref"]
    }
    paired = {(refs[0][i], refs[1][j]) for i, j in redline.pairs}
    moves = {(m["old_ref"], m["new_ref"]) for m in data["moves"]}
    return {"compare": compare, "redline": paired}, moves


def _topmost(moves: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The peer's rule 5 applied to the engine's moves: a moved subtree counts once, at its
    topmost block (a move inside another reported move, on both sides, is dropped)."""
    return {
        (s, t)
        for s, t in moves
        if not any(s.startswith(s2 + "/") and t.startswith(t2 + "/") for s2, t2 in moves)
    }


def ambiguous_links(
    truth: set[tuple[str, str]],
    addresses: tuple[dict[str, str], dict[str, str]],
    trees: tuple[ClauseTree, ClauseTree],
) -> set[tuple[str, str]]:
    """The labelled links no text-only engine can be credited for except by chance: the
    source block's text, as the engine reads it (the printed paragraph: label, heading and
    text, case and spacing aside), is identical to another source block's, and its labelled
    partner is not the one pairing that text's blocks in order would give (the i-th such
    source block, in document order, with the i-th of their labelled partners). Computed
    from the labels and the engine's reading only, never from the engine's pairs."""
    position: list[dict[str, int]] = []
    text_of: dict[str, str] = {}
    for side, (tree, addr) in enumerate(zip(trees, addresses, strict=True)):
        paras = printed(tree)
        index = {p.ref: k for k, p in enumerate(paras)}
        position.append({a: index[r] for r, a in addr.items() if r in index})
        if side == 0:
            text_of = {addr[p.ref]: " ".join(p.text.casefold().split())
                       for p in paras if p.ref in addr}  # fmt: skip
    twins = Counter(text_of.values())
    groups: dict[str, list[tuple[str, str]]] = {}
    for s, t in truth:
        if twins.get(text_of.get(s, ""), 0) > 1:
            groups.setdefault(text_of[s], []).append((s, t))

    def order(side: int) -> Any:
        return lambda a: (position[side].get(a, 1 << 30), _address_order(a))

    out: set[tuple[str, str]] = set()
    for links in groups.values():
        sources = sorted((s for s, _ in links), key=order(0))
        partners = sorted((t for _, t in links), key=order(1))
        in_order = dict(zip(sources, partners, strict=True))
        out |= {(s, t) for s, t in links if in_order[s] != t}
    return out


def score_pair(pair_dir: Path) -> dict[str, Any]:
    """Counts for one pair, for both engines."""
    from analyzer.redline_plan import clause_paras

    labels = yaml.safe_load((pair_dir / "labels.yaml").read_text("utf-8"))
    old_doc = ingest(pair_dir / labels["source"]["file"])
    new_doc = ingest(pair_dir / labels["test"]["file"])
    start = time.perf_counter()
    data = compare_documents(old_doc, new_doc)
    seconds = time.perf_counter() - start
    old_tree, new_tree = segment(old_doc), segment(new_doc)
    redline = compare_redline(data, old_tree, new_tree)
    refs = (clause_paras(old_tree)[1], clause_paras(new_tree)[1])
    a_old = _addresses(old_tree, _side_blocks(labels, "source"), old_doc.text.splitlines())
    a_new = _addresses(new_tree, _side_blocks(labels, "test"), new_doc.text.splitlines())
    ex_s, ex_t = _excluded(labels)
    ins = {r["test"] for r in labels.get("inserted") or []}
    dels = {r["source"] for r in labels.get("deleted") or []}
    truth = {(c["source"], c["test"]) for c in labels.get("correspondences") or []
             if c["source"] not in ex_s and c["test"] not in ex_t
             and c["source"] != "/"}  # fmt: skip
    label_of = {(c["source"], c["test"]): (c["source_label"], c["test_label"])
                for c in labels.get("correspondences") or []}  # fmt: skip
    moves_true = {(c["source"], c["test"]) for c in labels.get("correspondences") or []
                  if c["kind"] == "move"}  # fmt: skip
    renum_true = {p for p in truth if label_of[p][0] != label_of[p][1]}
    universe = (
        {a for addrs in _side_blocks(labels, "source").values() for a in addrs},
        {a for addrs in _side_blocks(labels, "test").values() for a in addrs},
    )
    engines, moves = _engine_pairs(data, redline, refs)
    blocks = {a for p in truth for a in p if "/row[" not in a}
    mapped_blocks = blocks & (set(a_old.values()) | set(a_new.values()))
    result: dict[str, Any] = {
        "pair": pair_dir.name,
        "seconds": seconds,
        "blocks": len(blocks),
        "blocks_mapped": len(mapped_blocks),
    }
    tables = {p for p in truth if "/row[" in p[0] or "/row[" in p[1]}
    variants = {f"{name}{suffix}": (pairs, drop, (set(), set())) for name, pairs in engines.items()
                for suffix, drop in (("", set()), (" (no tables)", tables))}  # fmt: skip
    ambiguous = ambiguous_links(truth, (a_old, a_new), (old_tree, new_tree))
    aside = ({s for s, _ in ambiguous}, {t for _, t in ambiguous})  # both blocks set aside
    variants[AMBIGUOUS] = (engines["compare"], ambiguous, aside)
    result["ambiguous_links"] = len(ambiguous)
    result["ambiguous_moves"] = len(ambiguous & moves_true)
    for name, (pairs, drop, (gone_s, gone_t)) in variants.items():
        n: Counter[str] = Counter()
        mapped = set()
        for o, w in pairs:
            if o not in a_old or w not in a_new:
                n["unmapped"] += 1
                continue
            s, t = a_old[o], a_new[w]
            if s in ex_s or t in ex_t or s in gone_s or t in gone_t:
                continue
            if s in dels or t in ins:
                n["spurious"] += 1
                continue
            mapped.add((s, t))
        mapped |= _cell_pairs(mapped, universe)
        mapped -= drop
        n["reported"], n["labelled"] = len(mapped), len(truth - drop)
        n["tp"] = len(mapped & truth)
        renum = {p for p in mapped if p in label_of and label_of[p][0] != label_of[p][1]}
        aside_links = ambiguous if name == AMBIGUOUS else set()  # tables: links only
        renum_labelled = renum_true - aside_links
        n["renumber_labelled"], n["renumber_tp"] = len(renum_labelled), len(renum & renum_labelled)
        mv = _topmost({(a_old[o], a_new[w]) for o, w in moves if o in a_old and w in a_new})
        mv = {(s, t) for s, t in mv if s not in gone_s and t not in gone_t}
        n["move_labelled"], n["move_reported"] = len(moves_true - aside_links), len(mv)
        n["move_tp"] = len(mv & (moves_true - aside_links))
        result[name] = dict(n)
    return result


def _ratios(n: Counter[str]) -> dict[str, float | None]:
    def div(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    p, r = div(n["tp"], n["reported"]), div(n["tp"], n["labelled"])
    return {
        "precision": p,
        "recall": r,
        "f1": round(2 * p * r / (p + r), 4) if p and r else None,
        "spurious": div(n["spurious"], n["reported"] + n["spurious"]),
        "move_recall": div(n["move_tp"], n["move_labelled"]),
        "move_precision": div(n["move_tp"], n["move_reported"]),
        "renumber_recall": div(n["renumber_tp"], n["renumber_labelled"]),
        "unmapped": n["unmapped"],
    }


def _family(name: str) -> str:
    return re.sub(r"-(light|mixed|heavy|move-heavy|renumber-storm|structure|table)$", "", name)


def _fmt(v: float | int | None) -> str:
    return "n/a" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


def run(quick: bool = False) -> dict[str, Any]:
    tiers: dict[str, list[dict[str, Any]]] = {}
    for tier in ("synthetic", "hand"):
        pairs = sorted(p for p in (ROOT / tier).iterdir() if (p / "labels.yaml").exists())
        tiers[tier] = [score_pair(p) for p in (pairs[::8] if quick else pairs)]
    lines = [
        "**houfu/redlines alignment benchmark** (`bench/redlines_bench.py`; "
        f"corpus `{ROOT}`). Peer figures: its REPORT.md (synthetic tier).",
        "",
        "| tier | engine | pairs | precision | recall | F1 | spurious | move recall | "
        "move precision | renumber recall | unmapped pairs |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    summary: dict[str, Any] = {}
    for tier, rows in tiers.items():
        for engine in ("compare", "compare (no tables)", "redline", "redline (no tables)",
                       AMBIGUOUS):  # fmt: skip
            total: Counter[str] = Counter()
            for row in rows:
                total.update(row[engine])
            r = _ratios(total)
            summary[f"{tier}/{engine}"] = {**r, "counts": dict(total)}
            name = f"secondary: {engine}" if engine == AMBIGUOUS else engine
            lines.append(
                f"| {tier} | policydiff {name} | {len(rows)} | "
                + " | ".join(_fmt(r[k]) for k in ("precision", "recall", "f1", "spurious",
                             "move_recall", "move_precision", "renumber_recall", "unmapped"))
                + " |"
            )  # fmt: skip
    lines.append(
        "| synthetic | peer (redlines 1.0, published) | 40 | "
        + " | ".join(_fmt(PEER[k]) for k in ("precision", "recall", "f1"))
        + f" | n/a | {_fmt(PEER['move_recall'])} | n/a | {_fmt(PEER['renumber_recall'])} | n/a |"
    )
    counted = []
    for tier, rows in tiers.items():
        amb = sum(r["ambiguous_links"] for r in rows)
        amb_moves = sum(r["ambiguous_moves"] for r in rows)
        n = summary[f"{tier}/compare"]["counts"]
        by_pair = {r["pair"]: r["ambiguous_links"] for r in rows if r["ambiguous_links"]}
        summary[f"{tier}/ambiguous"] = {"links": amb, "moves": amb_moves, "by_pair": by_pair}
        counted.append(
            f"{tier} tier: compare found {n.get('tp', 0)} of {n.get('labelled', 0)} labelled "
            f"links ({n.get('reported', 0)} reported; F1 {summary[f'{tier}/compare']['f1']}); "
            f"{amb} of the labelled links and {amb_moves} of {n.get('move_labelled', 0)} "
            "labelled moves are ambiguous"
        )
    lines += [
        "",
        "; ".join(counted) + ". A labelled link is ambiguous when its source paragraph's text, "
        "as policydiff reads it, is identical to another source paragraph's and its labelled "
        "partner is not the in-order one: no text-only engine can be credited for it except by "
        "chance. The `secondary` rows set those links' blocks aside on both sides; the primary "
        "figures are the `compare` rows.",
    ]
    fam: dict[str, Counter[str]] = {}
    for row in tiers["synthetic"]:
        fam.setdefault(_family(row["pair"]), Counter()).update(row["compare"])
    lines += ["", "Synthetic tier by family (engine `compare`):", "",
              "| family | F1 | move recall | move precision | renumber recall |",
              "|---|---:|---:|---:|---:|"]  # fmt: skip
    for name, counts in sorted(fam.items()):
        r = _ratios(counts)
        lines.append(f"| {name} | {_fmt(r['f1'])} | {_fmt(r['move_recall'])} | "
                     f"{_fmt(r['move_precision'])} | {_fmt(r['renumber_recall'])} |")  # fmt: skip
    speed = docx_speed(runs=2 if quick else 5)
    lines += [
        "",
        f"DOCX redline of a {speed['pages'] or '~15'}-page policy ({speed['words']} words, "
        f"{speed['paragraphs']} paragraphs, Hutchinson -> Lakeville twice over): written in "
        f"{speed['seconds']:.3f} s (median; max {speed['max']:.3f} s; target <= 0.5 s).",
    ]
    summary["docx_speed"] = speed
    pdf = audit_pdf_pages()
    summary["audit_pdf"] = pdf
    if pdf:
        lines.append(
            f"Lakeville audit as PDF: {pdf['pages']} pages; every page but the last "
            f"at least {pdf['min_fill_but_last']:.0%} full (last {pdf['fill'][-1]:.0%})."
        )
    seconds = sum(r["seconds"] for rows in tiers.values() for r in rows)
    cover = {t: (sum(r["blocks_mapped"] for r in rows), sum(r["blocks"] for r in rows))
             for t, rows in tiers.items()}  # fmt: skip
    lines += [
        "",
        "Address mapping coverage (labelled non-table blocks of scored links that got a "
        "policydiff clause): "
        + "; ".join(f"{t} {m}/{n}" for t, (m, n) in cover.items())
        + f". compare time over {sum(map(len, tiers.values()))} pairs: {seconds:.1f} s.",
    ]
    return {"summary": summary, "pairs": tiers, "markdown": "\n".join(lines)}


def _pdf_pages(docx: bytes) -> int | None:
    """Pages of the DOCX as LibreOffice lays it out (None without LibreOffice)."""
    import shutil
    import subprocess
    import tempfile

    if not shutil.which("soffice"):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "r.docx"
        src.write_bytes(docx)
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{tmp}/lo", "--headless", "--convert-to",
             "pdf", "--outdir", tmp, str(src)], capture_output=True, timeout=300, check=False,
        )  # fmt: skip
        pdf = Path(tmp) / "r.pdf"
        return pdf.read_bytes().count(b"/Type /Page\n") or pdf.read_bytes().count(b"/Type/Page")


def docx_speed(copies: int = 2, runs: int = 5) -> dict[str, Any]:
    """Seconds to write the DOCX redline of a long policy: the Hutchinson -> Lakeville redline
    repeated ``copies`` times (about 15 pages), median of ``runs`` (the comparison itself is
    timed by engine_speed)."""
    from statistics import median

    from analyzer.docx_redline import Redline, write_docx

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    old, new = ingest(corpus / "hutchinson-pd-1003.txt"), ingest(corpus / "lakeville-pd-417.txt")
    one = compare_redline(compare_documents(old, new), segment(old), segment(new))
    n_old, n_new = len(one.old), len(one.new)
    big = Redline(
        one.old * copies, one.new * copies,
        tuple((i + k * n_old, j + k * n_new) for k in range(copies) for i, j in one.pairs),
        {i + k * n_old: v for k in range(copies) for i, v in one.old_notes.items()},
        {j + k * n_new: v for k in range(copies) for j, v in one.new_notes.items()},
        one.header, one.title,
    )  # fmt: skip
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        blob = write_docx(big)
        times.append(time.perf_counter() - start)
    words = sum(len(p.text.split()) for p in big.new)
    return {
        "seconds": round(median(times), 3),
        "max": round(max(times), 3),
        "pages": _pdf_pages(blob),
        "words": words,
        "paragraphs": len(big.old) + len(big.new),
    }


def page_fill(pdf: bytes) -> list[float]:
    """How far down each page the printed content reaches (0..1, between the running header
    and the footer), from a 36-dpi rendering: a half-empty page reads about 0.5."""
    import numpy as np
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    try:
        out = []
        for page in doc:
            img = np.asarray(page.render(scale=0.5).to_pil().convert("L"))
            body = img[int(img.shape[0] * 0.06) : int(img.shape[0] * 0.92)]
            rows = np.where((body < 200).any(axis=1))[0]
            out.append(round(float(rows.max() + 1) / body.shape[0], 2) if len(rows) else 0.0)
        return out
    finally:
        doc.close()


def audit_pdf_pages() -> dict[str, Any] | None:
    """Pages of the Lakeville audit as PDF and how full each is (None without Chromium)."""
    from analyzer.api import audit_path
    from analyzer.pdf_render import audit_pdf, find_chromium

    if not find_chromium():
        return None
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    fill = page_fill(audit_pdf(audit_path(corpus / "lakeville-pd-417.txt")))
    return {"pages": len(fill), "fill": fill, "min_fill_but_last": min(fill[:-1], default=1.0)}


if __name__ == "__main__":
    print(run()["markdown"])
