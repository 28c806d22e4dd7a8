"""``make bench`` / ``python -m bench [--quick] [--only NAME ...]``: every benchmark, one report.

Runs the ingest speed, engine speed, labelled accuracy and batch scale benchmarks, prints
their Markdown tables and writes them to ``bench/out/results.md`` and ``results.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
BENCHMARKS = (
    "ingest_speed",
    "engine_speed",
    "accuracy",
    "batch_scale",
    "layout_invariance",
    "redlines_bench",
    "scaling",
    "hostile_cases",
    "fuzz",
    "serve_load",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--only", nargs="*", choices=BENCHMARKS, help="run only these")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    results = {}
    sections = [
        f"Machine: {platform.machine()}, Python {platform.python_version()}, "
        f"{__import__('os').cpu_count()} cores. Command: `python -m bench"
        f"{' --quick' if args.quick else ''}`."
    ]
    for name in args.only or BENCHMARKS:
        start = time.perf_counter()
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        module = importlib.import_module(f"bench.{name}")
        result = module.run(quick=args.quick)
        results[name] = {k: v for k, v in result.items() if k != "markdown"}
        sections.append(result["markdown"])
        print(f"bench: {name} done in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    report = "\n\n".join(sections) + "\n"
    print(report)
    (OUT / "results.md").write_text(report, encoding="utf-8")
    (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
