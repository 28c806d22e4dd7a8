"""Hostile input at the command line: every fault is one line and an exit code, never a traceback.

Output targets that fail (a missing folder, a full disk), out-of-range options, file names that
are not UTF-8 or hold newlines, documents that carry terminal escape sequences. Each case is
named after what a user did.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.cli import cli
from analyzer.textsafe import display_name, json_safe, terminal
from bench.fence import assert_one_line_error, run_cli

ROOT = Path(__file__).resolve().parent.parent
LAKEVILLE = ROOT / "corpus" / "lakeville-pd-417.txt"
HUTCHINSON = ROOT / "corpus" / "hutchinson-pd-1003.txt"
ANSI = "\x1b]0;pwned\x07\x1b[31mred\x1b[0m"


def _one_line(result: object, code: int, *words: str) -> str:
    out = result.output  # type: ignore[attr-defined]
    assert result.exit_code == code, out  # type: ignore[attr-defined]
    assert "Traceback" not in out
    lines = out.strip().splitlines()
    assert len(lines) == 1, out
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


# ------------------------------------------------------------------------------- outputs


def test_output_into_a_missing_folder(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "r.html"
    result = runner.invoke(cli, ["audit", str(HUTCHINSON), "--format", "html", "-o", str(target)])
    line = _one_line(result, 1, "E300", str(target), "cannot write the output", "folder exists")
    assert "No such file or directory" in line


def test_compare_output_into_a_missing_folder(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "c.json"
    args = ["compare", str(HUTCHINSON), str(LAKEVILLE), "--format", "json", "-o", str(target)]
    _one_line(runner.invoke(cli, args), 1, "E300", str(target))


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_to_a_full_disk() -> None:
    run = run_cli(["audit", HUTCHINSON, "-o", "/dev/full"])
    assert_one_line_error(run, "E300", "/dev/full", "No space left on device")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_stdout_on_a_full_disk(tmp_path: Path) -> None:
    run = run_cli(["audit", HUTCHINSON], stdout_path="/dev/full")
    assert_one_line_error(run, "E300", "<stdout>", "No space left on device")


def test_stdout_closed_early_by_the_reader() -> None:
    """``policydiff audit ... | head -1``: the reader leaving is not an error worth a trace."""
    import subprocess
    import sys

    with subprocess.Popen(
        [sys.executable, "-m", "analyzer", "audit", str(LAKEVILLE), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.read(10)
        proc.stdout.close()
        err = proc.stderr.read().decode()
        proc.wait(timeout=60)
    assert "Traceback" not in err and "Exception ignored" not in err, err


# ------------------------------------------------------------------------------- options


@pytest.mark.parametrize(
    "option",
    [
        ["--max-bytes", "-1"],
        ["--max-bytes", "0"],
        ["--max-missing", "nan"],
        ["--max-missing", "inf"],
        ["--max-missing", "1.5"],
        ["--max-missing", "-0.1"],
        ["--max-weakened", "-1"],
    ],
)
def test_out_of_range_option_is_a_usage_error(runner: CliRunner, option: list[str]) -> None:
    result = runner.invoke(cli, ["audit", str(HUTCHINSON), *option])
    assert result.exit_code == 2, result.output
    assert option[0] in result.output and "Traceback" not in result.output


def test_compare_max_bytes_must_be_positive(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["compare", str(HUTCHINSON), str(LAKEVILLE), "--max-bytes", "-5"])
    assert result.exit_code == 2 and "--max-bytes" in result.output


# ------------------------------------------------------------------------------- names


def test_file_name_with_a_newline_gives_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "two\nlines.txt"
    bad.write_text("")
    run = run_cli(["audit", bad])
    line = assert_one_line_error(run, "E101", "two\\nlines.txt")
    assert "\n" not in line


@pytest.mark.skipif(os.name != "posix", reason="POSIX file names are bytes")
def test_non_utf8_file_name_gives_valid_utf8_outputs(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.txt")
    target = tmp_path / name
    shutil.copy(HUTCHINSON, target)
    json_run = run_cli(["audit", target, "--format", "json"])
    assert json_run.code == 0, json_run.err
    data = json.loads(json_run.out)  # .out decodes strictly
    assert data["document"]["path"].endswith("caf\\xe9.txt")
    for fmt in ("text", "html", "md", "csv"):
        run = run_cli(["audit", target, "--format", fmt])
        assert run.code == 0, run.err
        assert "caf\\xe9" in run.out or fmt in ("csv",), fmt
    html_file = tmp_path / "r.html"
    assert run_cli(["audit", target, "--format", "html", "-o", html_file]).code == 0
    html_file.read_bytes().decode("utf-8")
    empty = tmp_path / os.fsdecode(b"vide\xff.txt")
    empty.write_text("")
    assert_one_line_error(run_cli(["audit", empty]), "E101", "vide\\xff.txt")


# ------------------------------------------------------------------------------- content


def test_document_escape_sequences_never_reach_the_terminal(
    runner: CliRunner, tmp_path: Path
) -> None:
    text = LAKEVILLE.read_text(encoding="utf-8")
    poisoned = text.replace(
        "This policy is mandated", f"{ANSI} This policy\u009b31m is mandated", 1
    )
    doc = tmp_path / "ansi.txt"
    doc.write_text(poisoned, encoding="utf-8")
    for fmt in ("text", "md", "html", "csv"):
        result = runner.invoke(cli, ["audit", str(doc), "--format", fmt])
        assert result.exit_code in (0, 3), result.output
        assert "\x1b" not in result.output and "\x07" not in result.output, fmt
        assert "\u009b" not in result.output, fmt
    seg = runner.invoke(cli, ["segment", str(doc)])
    assert seg.exit_code == 0 and "\x1b" not in seg.output
    data = json.loads(runner.invoke(cli, ["audit", str(doc), "--format", "json"]).output)
    assert any("\x1b" in a["text"] for a in data["additions"]), "JSON keeps the text, escaped"


# ------------------------------------------------------------------------------- helpers


def test_textsafe_rules() -> None:
    assert terminal("a\x1b[2Jb\u009bc\r\nd\re\tf\n") == "a[2Jbc\r\nde\tf\n"
    assert display_name("x\ny\x1b" + os.fsdecode(b"\xe9")) == "x\\ny\\x1b\\xe9"
    assert display_name("a\u2028b") == "a\\u2028b"
    bad = json.dumps({"p": os.fsdecode(b"caf\xe9")}, ensure_ascii=False)
    assert json.loads(json_safe(bad)) == {"p": "caf\\xe9"}
    json_safe(bad).encode("utf-8")
