"""The command line as a user runs it: output, exit codes, one-line errors, docs."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from analyzer.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def test_segment_model_json(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["segment", "--model", "post-sro", "--format", "json"])
    assert result.exit_code == 0
    clauses = json.loads(result.output)["clauses"]
    assert set(clauses[0]) >= {"ref", "label", "heading", "text", "depth", "location"}
    refs = [c["ref"] for c in clauses]
    assert refs[:3] == ["I", "I.1", "II"] and "IV.E.3.14" in refs and refs[-1] == "IV.H.2"


def test_segment_file_text(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["segment", str(CORPUS / "lakeville-pd-417.txt")])
    assert result.exit_code == 0
    assert re.search(r"^417\.10 +\(l\.178\) \[When School is not in session\]", result.output, re.M)


def test_audit_text_summary(runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["audit", str(CORPUS / "lakeville-pd-417.txt"), "--model", "post-sro"]
    )
    assert result.exit_code == 0
    out = result.output
    assert "Verdict:  NEEDS-REVIEW" in out  # public notification: a candidate to judge
    assert re.search(r"model IV\.A\.1\.iv: Shall establish a public notification process", out)
    assert "obligation stronger: may \u2192 must" in out


def test_audit_json_stdout_and_strict(runner: CliRunner) -> None:
    path = str(CORPUS / "lakeville-pd-417.txt")
    result = runner.invoke(
        cli, ["audit", path, "--model", "post-sro", "--format", "json", "--strict"]
    )
    assert result.exit_code == 3
    data = json.loads(result.output)
    assert data["schema"] == "policydiff/audit@1" and data["model"]["id"] == "post-sro"


def test_audit_writes_html(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    args = ["audit", str(CORPUS / "hutchinson-pd-1003.txt"), "--format", "html", "-o", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0
    page = out.read_text()
    assert "substantially-similar" in page.lower() and "<ins>" in page


def _error(runner: CliRunner, path: Path) -> str:
    result = runner.invoke(cli, ["audit", str(path)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert str(path) in lines[0]
    return lines[0]


def test_bad_inputs_get_one_line_errors(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    assert "empty" in _error(runner, empty)
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    assert "binary" in _error(runner, binary)
    rtf = tmp_path / "policy.rtf"
    rtf.write_text("{\\rtf1 hello}")
    assert "convert it" in _error(runner, rtf) or "unsupported" in _error(runner, rtf)
    bad_pdf = tmp_path / "broken.pdf"
    bad_pdf.write_bytes(b"%PDF-1.4 garbage" + bytes(200))
    assert "corrupt" in _error(runner, bad_pdf)
    assert "no such file" in _error(runner, tmp_path / "nope.txt")
    big = tmp_path / "big.txt"
    big.write_text("x" * 100)
    result = runner.invoke(cli, ["audit", str(big), "--max-bytes", "10"])
    assert result.exit_code == 1 and "--max-bytes" in result.output


def test_unknown_model(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["audit", str(CORPUS / "lakeville-pd-417.txt"), "--model", "nope"])
    assert result.exit_code == 1 and "post-sro" in result.output


def test_models(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["models"])
    assert result.exit_code == 0
    assert "post-sro" in result.output and "msba-507.5" in result.output


def test_demo_writes_reports(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["demo", "--corpus", str(CORPUS), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    index = (tmp_path / "index.html").read_text()
    for stem in ("lakeville-pd-417", "hutchinson-pd-1003", "st-louis-park-isd283-507.5"):
        assert (tmp_path / f"{stem}.html").is_file() and f"{stem}.html" in index
    assert "identical" in result.output and "not-substantially-similar" in result.output


def test_every_command_is_documented() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in cli.commands:
        assert f"policydiff {name}" in readme, name
