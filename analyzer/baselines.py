"""The model policies (baselines) in ``model_policy/``: a text file plus JSON metadata each.

Exports: load_model(id_or_path) -> ModelPolicy, model_ids() -> list[str], model_dir() -> Path.
The directory can be overridden with the environment variable POLICYDIFF_MODEL_DIR.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from .errors import ModelNotFoundError
from .model import ModelPolicy, Substitution
from .segment import segment_text

__all__ = ["load_model", "model_ids", "model_dir"]


def model_dir() -> Path:
    env = os.environ.get("POLICYDIFF_MODEL_DIR")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "model_policy"


def model_ids() -> list[str]:
    """Ids of the bundled models (each ``<id>.json`` with a ``text`` file)."""
    out = []
    for meta in sorted(model_dir().glob("*.json")):
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and "text" in data and "id" in data:
            out.append(str(data["id"]))
    return out


@lru_cache(maxsize=8)
def load_model(name: str) -> ModelPolicy:
    """Load a bundled model by id, or a model text file by path (metadata optional:
    ``X.json`` beside ``X.txt``)."""
    base = model_dir()
    meta_path = base / f"{name}.json"
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        text_path = base / meta["text"]
    else:
        path = Path(name)
        if not path.is_file():
            raise ModelNotFoundError(name, model_ids())
        text_path = path
        side = path.with_suffix(".json")
        meta = json.loads(side.read_text(encoding="utf-8")) if side.is_file() else {}
        meta.setdefault("id", path.stem)
        meta.setdefault("title", path.stem)
    text = text_path.read_text(encoding="utf-8")
    tree = segment_text(text)
    subs = tuple(
        Substitution(s["token"], tuple(s["variants"]), s.get("description", ""))
        for s in meta.get("substitutions", [])
    )
    return ModelPolicy(
        id=str(meta["id"]),
        title=str(meta.get("title") or tree.title),
        date=str(meta.get("date", "")),
        statute=str(meta.get("statute", "")),
        source=str(meta.get("source", str(text_path))),
        kind=str(meta.get("kind", "agency")),
        text=text,
        tree=tree,
        substitutions=subs,
        metadata=meta,
    )
