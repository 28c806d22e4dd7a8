"""The model policies (baselines) in ``model_policy/``: a text file plus JSON metadata each.

Reading only: the loaded models are kept by the context (``analyzer.context``), which is
built once per run. A model file that cannot be used (binary, PDF, UTF-16, empty, no
provisions, malformed metadata) is a one-line ``ConfigError`` naming the file and the fix.

Exports: read_model(id_or_path, directory) -> ModelPolicy, model_ids(directory=None) -> list,
model_dir() -> Path (the one place that reads POLICYDIFF_MODEL_DIR), read_json(path, what),
load_model(id_or_path) -> ModelPolicy (through the default context).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .errors import ConfigError, ModelNotFoundError
from .model import ClauseKind, ModelPolicy, Substitution
from .segment import segment_text

__all__ = ["load_model", "read_model", "model_ids", "model_dir", "read_json"]


def model_dir() -> Path:
    """The model directory: POLICYDIFF_MODEL_DIR, or the bundled ``model_policy/``."""
    env = os.environ.get("POLICYDIFF_MODEL_DIR")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "model_policy"


def model_ids(directory: Path | None = None) -> list[str]:
    """Ids of the models in ``directory`` (each ``<id>.json`` with a ``text`` file); a
    JSON file there that is not JSON is a ``ConfigError`` (never skipped in silence)."""
    out = []
    for meta in sorted((directory or model_dir()).glob("*.json")):
        data = read_json(meta, "model directory file")
        if isinstance(data, dict) and "text" in data and "id" in data:
            out.append(str(data["id"]))
    return out


def _read_bytes(path: Path) -> bytes:
    """The bytes of a data file; a ``ConfigError`` naming the file if it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as err:
        raise ConfigError(
            str(path), f"cannot be read ({err.strerror})", "check its permissions"
        ) from None


def read_json(path: Path, what: str) -> Any:
    """Parsed JSON of a data file; a ``ConfigError`` naming the file if it is not JSON."""
    raw = _read_bytes(path)
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(
            str(path), f"the {what} is not UTF-8 text", "save it as UTF-8 JSON"
        ) from None
    except json.JSONDecodeError as err:
        raise ConfigError(
            str(path),
            f"the {what} is not valid JSON (line {err.lineno} column {err.colno}: {err.msg})",
            "fix the JSON syntax",
        ) from None


def _read_text(path: Path) -> str:
    """A model's text: UTF-8 text, never a binary, PDF or UTF-16 file, never empty."""
    raw = _read_bytes(path)
    fix = "give the model policy as a UTF-8 text file (save or export it as .txt)"
    if raw.startswith(b"%PDF-"):
        raise ConfigError(str(path), "the model is a PDF file, not text", fix)
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ConfigError(str(path), "the model is a Word/ZIP file, not text", fix)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw[:200].count(b"\x00") > 10:
        raise ConfigError(str(path), "the model is UTF-16 or binary, not UTF-8 text", fix)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ConfigError(
            str(path), f"the model is not UTF-8 text (byte {err.start})", fix
        ) from None
    if not text.strip():
        raise ConfigError(str(path), "the model file is empty", "give a model policy with text")
    return text


def read_model(name: str, directory: Path | None = None) -> ModelPolicy:
    """Read a model by id (``<directory>/<id>.json``) or a model text file by path
    (metadata optional: ``X.json`` beside ``X.txt``). Not cached: the context keeps it."""
    base = directory or model_dir()
    meta_path = base / f"{name}.json"
    if meta_path.is_file():
        meta = _metadata(meta_path)
        if not isinstance(meta.get("text"), str):
            raise ConfigError(
                str(meta_path), "the model metadata lacks 'text'", "name the text file"
            )
        text_path = base / meta["text"]
        if not text_path.is_file():
            raise ConfigError(
                str(meta_path), f"its text file {text_path.name} does not exist", "add it"
            )
    else:
        path = Path(name)
        if not path.is_file():
            raise ModelNotFoundError(name, model_ids(base))
        text_path = path
        side = path.with_suffix(".json")
        meta = _metadata(side) if side.is_file() and side != path else {}
        meta.setdefault("id", path.stem)
        meta.setdefault("title", path.stem)
    text = _read_text(text_path)
    tree = segment_text(text)
    if not any(c.text.strip() and c.kind is ClauseKind.BODY for c in tree.clauses):
        raise ConfigError(
            str(text_path),
            "the model has no provisions (no labelled clause with text)",
            "give the model policy text with its numbered provisions",
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
        substitutions=_substitutions(meta, meta_path if meta_path.is_file() else text_path),
        metadata=meta,
    )


def _metadata(path: Path) -> dict[str, Any]:
    data = read_json(path, "model metadata")
    if not isinstance(data, dict):
        raise ConfigError(str(path), "the model metadata is not a JSON object", "fix the file")
    return data


def _substitutions(meta: dict[str, Any], path: Path) -> tuple[Substitution, ...]:
    out = []
    for s in meta.get("substitutions", []):
        if (
            not isinstance(s, dict)
            or not isinstance(s.get("token"), str)
            or not isinstance(s.get("variants"), list)
        ):
            raise ConfigError(
                str(path),
                "a substitution lacks 'token' (text) or 'variants' (list)",
                'write each as {"token": ..., "variants": [...]}',
            )
        out.append(
            Substitution(s["token"], tuple(map(str, s["variants"])), s.get("description", ""))
        )
    return tuple(out)


def load_model(name: str) -> ModelPolicy:
    """A model by id or path, kept by the default context (one load per run)."""
    from .context import default_context

    return default_context().model(name)
