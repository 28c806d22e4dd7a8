"""The demo: audit every corpus document against the model it follows and write reports.

``policydiff demo`` works from any folder: without ``--corpus`` it reads the corpus that ships
beside the package (``corpus/`` next to ``model_policy/``, see ``baselines.model_dir``). A
corpus that cannot be found, or holds no policy file, is a one-line error naming the folder
and the fix; the output folder is only created once there is something to write into it.

Exports: run_demo(corpus_dir, out_dir) -> list of summary rows, bundled_corpus() -> Path,
POLICY_SUFFIXES.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .api import audit_path
from .errors import InputError, PolicyDiffError
from .report import to_json

__all__ = ["run_demo", "bundled_corpus", "POLICY_SUFFIXES"]

POLICY_SUFFIXES = (".txt", ".md", ".pdf", ".docx")


def bundled_corpus() -> Path:
    """The corpus shipped with policydiff (``POLICYDIFF_CORPUS_DIR`` overrides it)."""
    env = os.environ.get("POLICYDIFF_CORPUS_DIR")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "corpus"


def _documents(corpus: Path) -> list[tuple[Path, str]]:
    if not corpus.is_dir():
        raise InputError(
            f"{corpus}: no such corpus folder; run `policydiff demo` without --corpus to use "
            "the bundled corpus, or pass --corpus DIR with .txt/.md/.pdf/.docx policies."
        )
    index = corpus / "index.json"
    if index.is_file():
        try:
            data = json.loads(index.read_text(encoding="utf-8"))
            docs = [(corpus / d["file"], d.get("follows") or "auto") for d in data["documents"]]
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise InputError(
                f"{index}: not a corpus index ({type(err).__name__}); fix it or delete it to "
                "audit every policy file in the folder."
            ) from None
    else:
        docs = [(p, "auto") for p in sorted(corpus.iterdir()) if p.suffix in POLICY_SUFFIXES]
    if not docs:
        raise InputError(
            f"{corpus}: the folder holds no policy file (.txt, .md, .pdf, .docx); pass "
            "--corpus DIR with policies, or omit --corpus to use the bundled corpus."
        )
    return docs


def run_demo(corpus: Path, out: Path) -> list[dict[str, Any]]:
    """Write ``<out>/<name>.html|.json|.md`` per document and ``<out>/index.html``; one
    summary row per document (``file``, ``model``, ``verdict``; an error row names it)."""
    from .render import index_row, render_html, render_index_html, render_markdown

    documents = _documents(corpus)
    rows: list[dict[str, Any]] = []
    summary: list[dict[str, Any]] = []
    outputs: dict[str, str] = {}
    for path, model in documents:
        try:
            data = audit_path(path, model=model)
        except PolicyDiffError as err:
            summary.append({"file": path.name, "model": model, "verdict": f"error: {err}"})
            rows.append(_error_row(path, model, str(err)))
            continue
        stem = path.stem
        outputs[f"{stem}.json"] = to_json(data)
        outputs[f"{stem}.md"] = render_markdown(data)
        outputs[f"{stem}.html"] = render_html(data)
        rows.append(index_row(data, f"{stem}.html"))
        summary.append(
            {"file": path.name, "model": data["model"]["id"], "verdict": data["verdict"]}
        )
    outputs["index.html"] = render_index_html(rows)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in outputs.items():
            (out / name).write_text(text, encoding="utf-8")
    except OSError as err:
        raise InputError(
            f"{out}: cannot write the reports ({err.strerror or err}); pass --out DIR with a "
            "folder you can write to."
        ) from None
    return summary


def _error_row(path: Path, model: str, message: str) -> dict[str, Any]:
    return {
        "href": "",
        "title": path.name,
        "path": str(path),
        "model": model,
        "verdict": None,
        "summary": None,
        "checklist": None,
        "error": message,
    }
