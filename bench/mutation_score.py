"""Mutation score of the judgment modules, from a finished ``mutmut run`` (``make mutation``).

Reads ``mutmut results --all true`` and prints one markdown table: per module, mutants killed,
survived, timed out, not checked, and the score (killed + timeout over checked).

Exports: scores(lines) -> dict[module, Counter], markdown(scores) -> str, main().
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

__all__ = ["scores", "markdown", "main"]

ROOT = Path(__file__).resolve().parents[1]
_LINE = re.compile(r"^\s*(analyzer\.\w+)\.\S+: (.+)$")


def scores(lines: Iterable[str]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for line in lines:
        m = _LINE.match(line)
        if m:
            out.setdefault(m.group(1), Counter())[m.group(2).strip()] += 1
    return out


def markdown(by_module: dict[str, Counter[str]]) -> str:
    rows = ["| module | mutants | killed | timeout | survived | not checked | score |"]
    rows.append("|---|---:|---:|---:|---:|---:|---:|")
    total: Counter[str] = Counter()
    for module, c in sorted(by_module.items()):
        total.update(c)
        rows.append(_row(module, c))
    rows.append(_row("**all**", total))
    return "\n".join(rows)


def _row(name: str, c: Counter[str]) -> str:
    dead = c["killed"] + c["timeout"]
    checked = sum(c.values()) - c["not checked"]
    score = f"{dead / checked:.1%}" if checked else "n/a"
    return (
        f"| {name} | {sum(c.values())} | {c['killed']} | {c['timeout']} | {c['survived']} | "
        f"{c['not checked']} | {score} |"
    )


def main() -> None:
    mutmut = Path(sys.executable).with_name("mutmut")
    done = subprocess.run(
        [str(mutmut), "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    print(markdown(scores(done.stdout.splitlines())))


if __name__ == "__main__":
    main()
