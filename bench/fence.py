"""Run ``policydiff`` as a user would, fenced in: a memory ceiling and a wall-clock limit.

A regression that blows memory fails (MemoryError or a killed process) instead of swapping the
machine, and one that hangs fails at the time limit instead of stalling the suite.

Exports: MEMORY_LIMIT, Run, run_cli(args, *, timeout, stdin, stdout_path, cwd) -> Run,
assert_one_line_error(run, *names).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

MEMORY_LIMIT = 1_500_000_000  # bytes of address space: the 1.5 GB
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    code: int
    stdout: bytes
    stderr: bytes
    seconds: float

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8")  # strict: every output must be valid UTF-8


def _fence() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_cli(
    args: list[str | bytes | os.PathLike[str]],
    *,
    timeout: float = 60,
    stdout_path: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> Run:
    """``python -m analyzer ARGS`` under the memory ceiling; raises on the time limit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYDIFF_")}
    env["PYTHONPATH"] = str(ROOT)
    out = open(stdout_path, "wb") if stdout_path else subprocess.PIPE  # noqa: SIM115
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "analyzer", *map(os.fsencode, args)],
            stdout=out,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            preexec_fn=_fence,
            env=env,
            cwd=cwd,
            check=False,
        )
    finally:
        if stdout_path:
            out.close()  # type: ignore[union-attr]
    return Run(proc.returncode, proc.stdout or b"", proc.stderr, time.perf_counter() - start)


def assert_one_line_error(run: Run, *words: str, code: int = 1) -> str:
    """The run failed with exit ``code`` and exactly one printable line on stderr."""
    err = run.err
    assert run.code == code, (run.code, err[-2000:])
    assert "Traceback" not in err, err[-2000:]
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert all(ch.isprintable() for ch in lines[0]), lines[0]
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]
