"""Fuzzing: mutated corpus texts through segment, audit and compare; 0 crashes allowed.

Each case takes a corpus document or bundled model text and applies a few random mutations
(byte-level and structural: spans deleted, duplicated or moved, lines shuffled, label-like and
control characters, odd Unicode, very long words, deep outline runs, stray brackets) and then
checks what every output must satisfy whatever the input: the audit JSON validates against its
schema, every redline rebuilds its document text, every model provision appears exactly once,
the compare JSON validates, and nothing raises except a ``PolicyDiffError`` (a one-line refusal).

Exports: mutate(text, rng) -> str, check_case(text, *, other) -> list[str] (problems),
run(quick=False, cases=None) -> dict (the ``make bench`` module).
"""

from __future__ import annotations

import json
import random
import time
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "model_policy").glob("*.txt"))

_ODD = [
    "\u00a0",
    "\u00ad",
    "\u200b",
    "\ufeff",
    "\u2028",
    "\x0c",
    "\t",
    "\x1b[31m",
    "\ufffd",
    "\u202e",
    "ﬁ",
    "’",
    "“",
    "–",
    "—",
    "§§",
    "…",
    "\r",
    "\x00",
    "e\u0301",
]
_LABELS = [
    "IV.",
    "A.",
    "(a)",
    "(iv)",
    "1.",
    "10.Whether",
    "417.3.A",
    "Section 4(A)(1)(i)",
    "Art. IV, §",
    "IV-A-1-i",
    "●",
    "o ",
    "▪",
    "#",
    "## ",
    "1. ## ",
    "* ",
    "- ",
    "Subd. 2.",
    "(1000)",
    "999.",
]
_WORDS = ["shall", "may", "must not", "should", "never", "Minn. Stat.", "e.g.", "St.", "No."]


def _span(text: str, rng: random.Random) -> tuple[int, int]:
    if not text:
        return 0, 0
    i = rng.randrange(len(text))
    return i, min(len(text), i + rng.randint(1, 400))


def mutate(text: str, rng: random.Random) -> str:
    """A few random mutations of ``text`` (deterministic for a seeded ``rng``)."""
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(11)
        i, j = _span(text, rng)
        if op == 0:  # delete a span
            text = text[:i] + text[j:]
        elif op == 1:  # duplicate a span
            text = text[:j] + text[i:j] + text[j:]
        elif op == 2:  # move a span
            piece, rest = text[i:j], text[:i] + text[j:]
            k = rng.randrange(len(rest) + 1)
            text = rest[:k] + piece + rest[k:]
        elif op == 3:  # shuffle some lines
            lines = text.split("\n")
            a = rng.randrange(len(lines))
            chunk = lines[a : a + 8]
            rng.shuffle(chunk)
            lines[a : a + 8] = chunk
            text = "\n".join(lines)
        elif op == 4:  # odd characters sprinkled in
            for _ in range(rng.randint(1, 20)):
                k = rng.randrange(len(text) + 1)
                text = text[:k] + rng.choice(_ODD) + text[k:]
        elif op == 5:  # label-like starts of lines
            lines = text.split("\n")
            for _ in range(rng.randint(1, 10)):
                k = rng.randrange(len(lines))
                lines[k] = rng.choice(_LABELS) + " " + lines[k]
            text = "\n".join(lines)
        elif op == 6:  # modal and abbreviation words
            for _ in range(rng.randint(1, 10)):
                k = rng.randrange(len(text) + 1)
                text = text[:k] + " " + rng.choice(_WORDS) + " " + text[k:]
        elif op == 7:  # a long run of one thing
            unit = rng.choice(["[", "(a) ", "Minn. Stat. ", "x", " ", "\n\n", "1.1.", "-"])
            k = rng.randrange(len(text) + 1)
            text = text[:k] + unit * rng.randint(50, 3000) + text[k:]
        elif op == 8:  # a deep outline
            depth = rng.randint(5, 60)
            lines = [
                f"{'    ' * d}({chr(97 + d % 26)}) item {d} shall apply." for d in range(depth)
            ]
            k = rng.randrange(len(text) + 1)
            text = text[:k] + "\n" + "\n".join(lines) + "\n" + text[k:]
        elif op == 9:  # hard wraps
            width = rng.randint(20, 90)
            text = "\n".join(
                line[s : s + width]
                for line in text.split("\n")
                for s in range(0, len(line) or 1, width)
            )
        else:  # truncate
            text = text[: rng.randrange(len(text) + 1)]
    return text


@cache
def _validators() -> tuple[Any, Any]:
    import jsonschema

    def load(name: str) -> Any:
        schema = json.loads((ROOT / "analyzer" / "schemas" / name).read_text(encoding="utf-8"))
        return jsonschema.Draft202012Validator(schema)

    return load("audit.schema.json"), load("compare.schema.json")


def _audit_problems(data: dict[str, Any]) -> list[str]:
    audit_v, _ = _validators()
    problems = [f"schema: {e.message[:200]}" for e in audit_v.iter_errors(data)][:3]
    refs = [p["model_ref"] for p in data["provisions"]]
    if len(refs) != len(set(refs)):
        problems.append("a model provision appears twice")
    for p in data["provisions"]:
        if p.get("doc_text") is None or not p.get("redline"):
            continue
        rebuilt = "".join(t for op, t, *_ in p["redline"] if op in ("equal", "insert"))
        if rebuilt != p["doc_text"]:
            problems.append(f"redline of {p['model_ref']} does not rebuild the document text")
    return problems


def check_case(text: str, *, other: str) -> list[str]:
    """Problems found with one fuzzed text: [] when every output holds its promises."""
    from analyzer.api import audit_text
    from analyzer.compare import compare_documents
    from analyzer.errors import PolicyDiffError
    from analyzer.ingest import ingest_text
    from analyzer.segment import segment

    problems: list[str] = []
    try:
        segment(ingest_text(text))
        problems += _audit_problems(audit_text(text))
        _, compare_v = _validators()
        data = compare_documents(ingest_text(other), ingest_text(text))
        problems += [f"compare schema: {e.message[:200]}" for e in compare_v.iter_errors(data)][:3]
    except PolicyDiffError:
        pass  # a clean, one-line refusal is a correct answer to hostile input
    except Exception as exc:  # noqa: BLE001 - every other exception is a crash to report
        problems.append(f"crash: {type(exc).__name__}: {str(exc)[:200]}")
    return problems


def run(quick: bool = False, cases: int | None = None, seed: int = 20261201) -> dict[str, Any]:
    """``make bench`` module: ``cases`` fuzzed texts (10,000; 300 with ``quick``)."""
    n = cases if cases is not None else (300 if quick else 10_000)
    texts = [p.read_text(encoding="utf-8") for p in SOURCES]
    rng = random.Random(seed)
    failures: list[dict[str, Any]] = []
    slowest = (0.0, -1)
    start = time.perf_counter()
    for case in range(n):
        base = rng.choice(texts)
        text = mutate(base, random.Random(rng.random()))
        t0 = time.perf_counter()
        problems = check_case(text, other=base)
        seconds = time.perf_counter() - t0
        slowest = max(slowest, (seconds, case))
        if problems:
            failures.append({"case": case, "problems": problems, "chars": len(text)})
    total = time.perf_counter() - start
    crashes = sum(1 for f in failures if any(p.startswith("crash") for p in f["problems"]))
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "fuzz_failures.json").write_text(json.dumps(failures[:200], indent=1), encoding="utf-8")
    markdown = (
        "**Fuzzing** (`bench/fuzz.py`: mutated corpus and model texts through segment, audit and "
        "compare; schema, redline-rebuild and one-provision-once checks)\n\n"
        "| cases | crashes | other failures | slowest case (s) | total (s) |\n"
        "|---:|---:|---:|---:|---:|\n"
        f"| {n:,} | {crashes} | {len(failures) - crashes} | {slowest[0]:.2f} | {total:.0f} |"
    )
    return {
        "cases": n,
        "crashes": crashes,
        "failures": len(failures),
        "slowest_seconds": round(slowest[0], 3),
        "slowest_case": slowest[1],
        "seconds": round(total, 1),
        "markdown": markdown,
    }


if __name__ == "__main__":
    import sys

    result = run(cases=int(sys.argv[1]) if len(sys.argv) > 1 else 300)
    print(result["markdown"])
