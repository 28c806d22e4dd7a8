"""Per-document metadata for the corpus database: ``policydiff batch --metadata FILE``.

FILE is CSV (a header row) or JSON: a list of objects, an object with a ``documents`` list
(``corpus/index.json`` as is), or an object keyed by file name or path. Each record names its
document by the first of the keys ``path``, ``file``, ``filename``, ``file_name``, ``name``
(or by its JSON key), matched against the stored paths: the absolute path, a path relative to
the metadata file's folder, or a trailing part of the stored path (``dir/name.txt``,
``name.txt``). Every other field becomes a column of ``documents`` (names folded to
``lower_snake``; a name the table already uses gets a ``meta_`` prefix); lists and objects are
stored as JSON text. A ``label`` field, when given, becomes the document's label.

Exports:
    load_metadata(path) -> list[dict]       -- the records, each with ``__key__``
    apply_metadata(store, path) -> dict     -- write the columns; counts of matched records
    column_name(field, taken) -> str        -- the column a field is stored in
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from analyzer.errors import MetadataError

__all__ = ["load_metadata", "apply_metadata", "column_name"]

KEY_FIELDS = ("path", "file", "filename", "file_name", "name")


def _records_from_json(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict) and isinstance(data.get("documents"), list):
        data = data["documents"]
    if isinstance(data, list):
        return [r for r in data if isinstance(r, dict)]
    if isinstance(data, dict):
        out = []
        for key, value in data.items():
            if isinstance(value, dict):
                out.append({"__key__": key, **value})
        return out
    return []


def load_metadata(path: str | Path) -> list[dict[str, Any]]:
    """The records of a CSV or JSON metadata file, each with its document key in
    ``__key__``; raises ``MetadataError`` (one line: file, cause, fix) when unusable."""
    path = Path(path)
    fix = "give a CSV with a header row, or JSON records with a 'file' or 'path' field."
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MetadataError(f"{path}: cannot read the metadata file ({exc}); {fix}") from exc
    records: list[dict[str, Any]]
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
        try:
            records = _records_from_json(json.loads(text))
        except json.JSONDecodeError as exc:
            message = f"{path}: invalid JSON ({exc.msg}, line {exc.lineno}); {fix}"
            raise MetadataError(message) from exc
    else:
        records = [dict(r) for r in csv.DictReader(text.splitlines())]
    out = []
    for record in records:
        key = record.pop("__key__", None)
        if key is None:
            key = next((record[k] for k in KEY_FIELDS if record.get(k)), None)
        if isinstance(key, str) and key.strip():
            out.append({"__key__": key.strip(), **record})
    if not out:
        raise MetadataError(f"{path}: no record names a document; {fix}")
    return out


def column_name(field: str, taken: set[str]) -> str:
    """``field`` as a column name: lower_snake ASCII; ``meta_`` prefixed if ``taken``."""
    name = re.sub(r"[^0-9a-z]+", "_", field.lower()).strip("_") or "field"
    if name[0].isdigit():
        name = "f_" + name
    return f"meta_{name}" if name in taken else name


def _value(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, str)):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _match(key: str, base: Path, paths: list[str]) -> list[str]:
    """Stored paths the record key names: exact, relative to ``base``, or a trailing part."""
    exact = str((base / key).resolve()) if not Path(key).is_absolute() else key
    hits = [p for p in paths if p in (key, exact)]
    if hits:
        return hits
    tail = "/" + key.strip("/")
    return [p for p in paths if p.endswith(tail)]


def apply_metadata(store: Any, path: str | Path) -> dict[str, int]:
    """Write the metadata of ``path`` into ``store``'s documents (and error rows are left
    alone); returns ``{"records": n, "matched": documents updated, "unmatched": n}``."""
    records = load_metadata(path)
    base = Path(path).resolve().parent
    conn = store.conn
    builtin = set(store.builtin_columns())
    paths = [r[0] for r in conn.execute("SELECT path FROM documents")]
    updates: list[tuple[str, dict[str, Any]]] = []
    unmatched = 0
    for record in records:
        hits = _match(record["__key__"], base, paths)
        unmatched += not hits
        fields = {k: v for k, v in record.items() if k != "__key__"}
        updates += [(hit, fields) for hit in hits]
    columns: dict[str, str] = {}
    for _, fields in updates:
        for field in fields:
            if field != "label" and field not in columns:
                columns[field] = column_name(field, builtin)
    store.add_metadata_columns(sorted(set(columns.values())))
    for doc_path, fields in updates:
        values = {columns[f]: _value(v) for f, v in fields.items() if f in columns}
        store.set_metadata(doc_path, values, label=fields.get("label"))
    store.commit()
    return {"records": len(records), "matched": len(updates), "unmatched": unmatched}
