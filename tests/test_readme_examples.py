"""Every ``$ policydiff ...`` example in README.md runs as shown and prints what the README says.

The commands run from a scratch folder that holds the repository's ``corpus/`` and ``docs/``
(so ``docs/examples/v1.txt`` and friends resolve as they do from a checkout) through
``python -m analyzer``. Output is compared with whitespace collapsed (the README wraps long
lines), timings replaced by placeholders, the scratch folder's path removed, and ``...`` in
the README standing for text left out. A comment after ``#`` on a command line is dropped.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TIMING = re.compile(r"in \d+(?:\.\d+)? s \(\d+(?:\.\d+)? docs/s\)")


def examples(text: str) -> list[tuple[str, str]]:
    """(command, expected output) for every ``$ policydiff`` line in a fenced block."""
    out: list[tuple[str, str]] = []
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.M | re.S):
        current: list[str] | None = None
        command = ""
        for line in block.splitlines():
            if line.startswith("$ "):
                if current is not None:
                    out.append((command, "\n".join(current)))
                command, current = line[2:], []
            elif current is not None:
                current.append(line)
        if current is not None:
            out.append((command, "\n".join(current)))
    return [(c, e) for c, e in out if c.split()[0] == "policydiff"]


def normalise(text: str, scratch: Path) -> str:
    for base in (scratch, ROOT):
        text = text.replace(f"{base}{os.sep}", "").replace(str(base), ".")
    return " ".join(TIMING.sub("in T s (R docs/s)", text).split())


def matches(expected: str, actual: str) -> bool:
    """``expected`` (with ``...`` for left-out text) appears in ``actual``, pieces in order."""
    pieces = [p.strip() for p in expected.split("...")]
    pos = 0
    for i, piece in enumerate(pieces):
        if not piece:
            continue
        found = actual.find(piece, pos)
        if found < 0 or (i == 0 and found != 0):
            return False
        pos = found + len(piece)
    return pieces[-1] == "" or actual.endswith(pieces[-1])


def run(command: str, scratch: Path) -> str:
    args = shlex.split(command.split(" #")[0])
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "analyzer", *args[1:]],
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    return proc.stdout + proc.stderr


EXAMPLES = examples(README.read_text(encoding="utf-8"))


def test_the_readme_has_examples_of_each_command() -> None:
    used = {shlex.split(c)[1] for c, _ in EXAMPLES}
    assert {"audit", "compare", "batch"} <= used


def test_example_parsing_and_matching() -> None:
    block = "```\n$ policydiff audit x  # note\nA ... B\n$ ls\nC\n```\n"
    assert examples(block) == [("policydiff audit x  # note", "A ... B")]
    assert matches("A ... B", "A lot of B")
    assert not matches("A ... B", "B then A")
    assert not matches("B", "A B")  # the output starts where the README says


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("readme")
    for name in ("corpus", "docs"):
        (path / name).symlink_to(ROOT / name, target_is_directory=True)
    return path


@pytest.mark.slow
def test_every_readme_example_prints_what_the_readme_shows(scratch: Path) -> None:
    failures = []
    for command, expected in EXAMPLES:  # in order: a batch rerun follows its first run
        actual = normalise(run(command, scratch), scratch)
        if not matches(normalise(expected, scratch), actual):
            failures.append(f"$ {command}\n--- README shows:\n{expected}\n--- it prints:\n{actual}")
    assert not failures, (
        "README.md examples no longer match the real output; paste the real output into "
        "README.md:\n\n" + "\n\n".join(failures)
    )


@pytest.mark.slow
def test_demo_runs_from_any_folder(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "analyzer", "demo", "--out", "reports"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    written = sorted(p.name for p in (tmp_path / "reports").glob("*.html"))
    corpus = sorted(f"{p.stem}.html" for p in (ROOT / "corpus").glob("*.txt"))
    assert written == sorted([*corpus, "index.html"])
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_demo_on_a_bad_corpus_says_what_to_do_and_writes_nothing(
    tmp_path: Path, folder: str
) -> None:
    (tmp_path / "empty").mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "analyzer", "demo", "--corpus", folder, "--out", "reports"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"policydiff: error: E100 {folder}: ")
    assert "--corpus DIR" in lines[0]
    assert not (tmp_path / "reports").exists()
