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


def run(
    quick: bool = False,
    cases: int | None = None,
    seed: int = 20261201,
    shard: tuple[int, int] = (0, 1),
    log: Path | None = None,
    resume: bool = False,
) -> dict[str, Any]:
    """``make bench`` module: ``cases`` fuzzed texts (10,000; 300 with ``quick``).

    ``shard=(k, n)`` runs only the cases whose number is ``k`` modulo ``n`` (the cases are the
    same as in the unsharded run, so ``n`` processes together run exactly the same cases);
    ``log`` receives one JSON line per case (number, seconds, problems) as it finishes, so a
    long run can be watched and merged with :func:`merge_logs`; with ``resume`` the cases
    already in ``log`` are skipped. Each case's wall and CPU seconds are recorded (on a shared
    machine the CPU time is the figure that says which case is slow).
    """
    n = cases if cases is not None else (300 if quick else 10_000)
    texts = [p.read_text(encoding="utf-8") for p in SOURCES]
    check_case(texts[0], other=texts[-1])  # warm-up: models and caches load outside the timing
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    done: set[int] = set()
    if resume and log and log.exists():
        records = [json.loads(line) for line in log.read_text("utf-8").splitlines() if line]
        done = {r["case"] for r in records}
    start = time.perf_counter()
    sink = log.open("a", encoding="utf-8") if log else None
    try:
        for case in range(n):
            base = rng.choice(texts)
            case_seed = rng.random()
            if case % shard[1] != shard[0] or case in done:
                continue
            text = mutate(base, random.Random(case_seed))
            t0, c0 = time.perf_counter(), time.process_time()
            problems = check_case(text, other=base)
            record = {
                "case": case,
                "seconds": round(time.perf_counter() - t0, 3),
                "cpu": round(time.process_time() - c0, 3),
                "chars": len(text),
                "problems": problems,
            }
            records.append(record)
            if sink:
                sink.write(json.dumps(record) + "\n")
                sink.flush()
    finally:
        if sink:
            sink.close()
    return _summary(records, time.perf_counter() - start)


def merge_logs(paths: list[Path]) -> dict[str, Any]:
    """The summary of sharded runs from their JSON-lines logs (total = the longest shard)."""
    records = [json.loads(line) for p in paths for line in p.read_text("utf-8").splitlines()]
    return _summary(records, None)


def _summary(records: list[dict[str, Any]], total: float | None) -> dict[str, Any]:
    failures = [r for r in records if r["problems"]]
    slowest = max(records, key=lambda r: r["seconds"], default={"seconds": 0.0, "case": -1})
    cpu_slowest = max(records, key=lambda r: r.get("cpu", 0.0), default={"case": -1})
    crashes = sum(1 for f in failures if any(p.startswith("crash") for p in f["problems"]))
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "fuzz_failures.json").write_text(json.dumps(failures[:200], indent=1), encoding="utf-8")
    busy = sum(r["seconds"] for r in records)
    total_cell = f"{total:.0f}" if total is not None else f"{busy:.0f} (case time)"
    markdown = (
        "**Fuzzing** (`bench/fuzz.py`: mutated corpus and model texts through segment, audit and "
        "compare; schema, redline-rebuild and one-provision-once checks)\n\n"
        "| cases | crashes | other failures | slowest case, wall (s) | slowest case, CPU (s) "
        "| total (s) |\n"
        "|---:|---:|---:|---:|---:|---:|\n"
        f"| {len(records):,} | {crashes} | {len(failures) - crashes} | "
        f"{slowest['seconds']:.2f} (case {slowest['case']}) | "
        f"{cpu_slowest.get('cpu', 0.0):.2f} (case {cpu_slowest['case']}) | {total_cell} |"
    )
    return {
        "cases": len(records),
        "crashes": crashes,
        "failures": len(failures),
        "slowest_seconds": slowest["seconds"],
        "slowest_case": slowest["case"],
        "slowest_cpu_seconds": cpu_slowest.get("cpu", 0.0),
        "slowest_cpu_case": cpu_slowest["case"],
        "seconds": round(total, 1) if total is not None else None,
        "markdown": markdown,
    }


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Fuzz segment, audit and compare.")
    parser.add_argument("cases", nargs="?", type=int, default=300)
    parser.add_argument("--shard", default="0/1", help="k/n: run the cases equal to k modulo n")
    parser.add_argument("--log", type=Path, help="append one JSON line per case to this file")
    parser.add_argument("--resume", action="store_true", help="skip the cases in --log")
    parser.add_argument("--merge", type=Path, nargs="*", help="summarise these logs and exit")
    args = parser.parse_args()
    if args.merge:
        print(merge_logs(args.merge)["markdown"])
    else:
        k, m = (int(x) for x in args.shard.split("/"))
        print(run(cases=args.cases, shard=(k, m), log=args.log, resume=args.resume)["markdown"])
