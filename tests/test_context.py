"""The run context (analyzer/context.py) and the files it loads: a model directory chosen
once and passed down; every malformed model, catalog or normalization file is one line
naming the file, the cause and the fix (never a traceback)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.audit import audit
from analyzer.cli import cli
from analyzer.context import Settings, load_context
from analyzer.errors import ConfigError
from analyzer.ingest import ingest_text
from analyzer.normalize import find_names

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "model_policy"
LAKEVILLE = ROOT / "corpus" / "lakeville-pd-417.txt"


def WORDS_WITH(**lists: object) -> str:  # noqa: N802 - reads as a constant in the table
    """The bundled words.json with some lists replaced."""
    data = json.loads((MODELS / "words.json").read_text(encoding="utf-8"))
    return json.dumps(data | lists)


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    out = tmp_path / "models"
    shutil.copytree(MODELS, out)
    return out


def _cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def _one_line_error(code: int, out: str, name: str, *words: str) -> None:
    assert code == 1, out
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in out, out
    assert name in lines[0] and all(w in lines[0] for w in words), lines[0]


@pytest.mark.parametrize(
    ("name", "content", "cause"),
    [
        ("model_pdf.pdf", b"%PDF-1.7\n%binary", "PDF"),
        ("model_utf16.txt", "I. POLICY\n\nThe SRO shall act.\n".encode("utf-16"), "UTF-16"),
        ("model_binary.txt", bytes(range(256)) * 4, "UTF-8"),
        ("model_docx.docx", b"PK\x03\x04rest-of-zip", "Word"),
        ("model_empty.txt", b"", "empty"),
        ("model_blank.txt", b"  \n\n \n", "empty"),
    ],
)
def test_model_file_that_is_not_text_is_one_line(
    tmp_path: Path, name: str, content: bytes, cause: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, out = _cli("audit", str(LAKEVILLE), "--model", str(path))
    _one_line_error(code, out, name, cause, "UTF-8 text" if cause != "empty" else "model")


@pytest.mark.parametrize(
    ("file", "content", "words"),
    [
        ("normalization.json", '{"phrases": ', ("not valid JSON", "line")),
        ("normalization.json", '{"phrases": []}', ("'phrases'", "object")),
        ("normalization.json", None, ("'names", "list")),
        ("post-sro.requirements.json", '{"model": "post-sro", "requirements": [', ("JSON",)),
        ("post-sro.requirements.json", '{"model": "x", "requirements": [{"id": "r"}]}', ("lacks",)),
        ("post-sro.json", '{"id": "post-sro", ', ("not valid JSON",)),
        ("post-sro.json", '{"id": "post-sro", "text": "gone.txt"}', ("does not exist",)),
        ("effects.json", '{"rules": ', ("not valid JSON",)),
        ("effects.json", '["rules"]', ("JSON object",)),
        ("words.json", '{"stop_words": ', ("not valid JSON", "line")),
        ("words.json", '["the", "a"]', ("not a JSON object", "fix the file")),
        ("words.json", '{"stop_words": "the a"}', ("'stop_words'", "non-empty list")),
        ("words.json", WORDS_WITH(abbreviations=[]), ("'abbreviations'", "give 'abbreviations'")),
        ("words.json", WORDS_WITH(reference_cues=["paragraph", 7]), ("holds 7", "as text")),
        ("words.json", b"\xff\xfe{}", ("not UTF-8",)),
    ],
)
def test_malformed_data_file_is_one_line(
    model_dir: Path, file: str, content: str | bytes | None, words: tuple[str, ...]
) -> None:
    target = model_dir / file
    if content is None:  # a table emptied: the names used to find the agency's own name
        data = json.loads(target.read_text(encoding="utf-8"))
        data["names"]["agency_suffixes"] = []
        content = json.dumps(data)
    target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    env = {"POLICYDIFF_MODEL_DIR": str(model_dir)}
    code, out = _cli("audit", str(LAKEVILLE), "--model", "post-sro", env=env)
    _one_line_error(code, out, file, *words)


def test_malformed_substitution_is_named(model_dir: Path) -> None:
    meta = json.loads((model_dir / "post-sro.json").read_text(encoding="utf-8"))
    meta["substitutions"][0] = {"token": "agency"}
    (model_dir / "post-sro.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ConfigError, match="post-sro.json: a substitution lacks"):
        load_context(model_dir).model("post-sro")


def test_context_reads_its_own_directory_not_the_environment(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A context over a directory keeps using it whatever the environment says later: the
    models, substitutions and catalogs come from the context, not POLICYDIFF_MODEL_DIR."""
    meta = json.loads((model_dir / "post-sro.json").read_text(encoding="utf-8"))
    meta["substitutions"].append({"token": "widget", "variants": ["the frobnicator"]})
    (model_dir / "post-sro.json").write_text(json.dumps(meta), encoding="utf-8")
    context = load_context(model_dir)
    other = model_dir.parent / "other"
    shutil.copytree(MODELS, other)
    monkeypatch.setenv("POLICYDIFF_MODEL_DIR", str(other))
    model = context.model("post-sro")
    assert any(s.token == "widget" for s in model.substitutions)
    doc = ingest_text(LAKEVILLE.read_text(encoding="utf-8"), path="lakeville.txt")
    result = audit(doc, "post-sro", context=context)
    assert result.model is model and len(result.findings) == 71
    assert context.catalog(model) is not None


def test_settings_are_passed_not_global(model_dir: Path) -> None:
    """A stricter attachment setting given to one context changes only that context."""
    text = (ROOT / "corpus" / "alexandria-pd-436.txt").read_text(encoding="utf-8")
    doc = ingest_text(text, path="alexandria.txt")
    strict = load_context(model_dir, settings=Settings(attachment_min_completeness=1.01))
    assert audit(doc, "post-sro", context=strict).attachment is None
    assert audit(doc, "post-sro", context=load_context(model_dir)).attachment is not None


def test_agency_names_come_from_the_names_table(model_dir: Path) -> None:
    """The agency suffixes are data: a suffix added to normalization.json is found."""
    tables = load_context(model_dir).tables
    text = "The Brainerd Public Safety Bureau and the Chief of Police agree."
    assert find_names(text, tables=tables)["agency_name"] == []
    data = json.loads((model_dir / "normalization.json").read_text(encoding="utf-8"))
    data["names"]["agency_suffixes"].append("Public Safety Bureau")
    (model_dir / "normalization.json").write_text(json.dumps(data), encoding="utf-8")
    names = find_names(text, tables=load_context(model_dir).tables)
    assert names["agency_name"] == ["Brainerd Public Safety Bureau"]
    assert names["chief_title"] == ["Chief of Police"]
