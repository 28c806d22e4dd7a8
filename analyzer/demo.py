"""The demo: audit every corpus document against the model it follows and write reports.

Exports: run_demo(corpus_dir, out_dir) -> list of index rows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .api import audit_path
from .errors import PolicyDiffError
from .report import to_json

__all__ = ["run_demo"]


def _documents(corpus: Path) -> list[tuple[Path, str]]:
    index = corpus / "index.json"
    if index.is_file():
        data = json.loads(index.read_text(encoding="utf-8"))
        return [(corpus / d["file"], d.get("follows") or "auto") for d in data["documents"]]
    return [
        (p, "auto")
        for p in sorted(corpus.iterdir())
        if p.suffix in (".txt", ".md", ".pdf", ".docx")
    ]


def run_demo(corpus: Path, out: Path) -> list[dict[str, Any]]:
    """Write ``<out>/<name>.html|.json|.md`` per document and ``<out>/index.html``."""
    from .render import index_row, render_html, render_index_html, render_markdown

    out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    summary: list[dict[str, Any]] = []
    for path, model in _documents(corpus):
        try:
            data = audit_path(path, model=model)
        except PolicyDiffError as err:
            summary.append({"file": path.name, "model": model, "verdict": f"error: {err}"})
            continue
        stem = path.stem
        (out / f"{stem}.json").write_text(to_json(data), encoding="utf-8")
        (out / f"{stem}.md").write_text(render_markdown(data), encoding="utf-8")
        (out / f"{stem}.html").write_text(render_html(data), encoding="utf-8")
        rows.append(index_row(data, f"{stem}.html"))
        summary.append(
            {"file": path.name, "model": data["model"]["id"], "verdict": data["verdict"]}
        )
    (out / "index.html").write_text(render_index_html(rows), encoding="utf-8")
    return summary
