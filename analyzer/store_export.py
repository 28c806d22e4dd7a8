"""Reading the corpus database out: exports (CSV, Parquet), pandas, and a digest of the rows.

CSV is written to open safely in Excel: a cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return is prefixed with ``'`` (no formula runs, the text stays readable),
no cell is longer than ``CSV_CELL_LIMIT`` characters (Excel's limit is 32,767; a cut cell
says so and where the full text is), ids are written as text (``d<digits>``: Excel keeps
only 15 significant digits of a number), and ``bom=True`` puts a UTF-8 byte order mark first
so Excel reads curly quotes and accents right. Parquet keeps every value exactly.

Exports:
    export(db, fmt, out_dir, *, bom=False) -> {table: path}  -- one file per table and view
    load_corpus(db) -> {table: pandas.DataFrame}            -- every table and view
    rows_digest(db) -> str   -- sha256 over every row but timing columns (compare two runs)
    csv_cell(value, column) -> value                         -- one CSV cell, made safe
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from analyzer.store_schema import ORDER, TABLES, TIMING_COLUMNS, VIEWS, columns, connect

__all__ = ["export", "load_corpus", "rows_digest", "csv_cell", "CSV_CELL_LIMIT"]

CSV_CELL_LIMIT = 32_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ID_COLUMNS = frozenset({"id", "document_id", "duplicate_of"})


def _select(conn: sqlite3.Connection, name: str, cols: list[str]) -> sqlite3.Cursor:
    order = ORDER.get(name)
    quoted = ", ".join(f'"{c}"' for c in cols)
    sql = f"SELECT {quoted} FROM {name}"
    return conn.execute(sql + (f" ORDER BY {order}" if order else ""))


def rows_digest(db: str | Path) -> str:
    """sha256 over all rows of all tables, leaving out timing columns; equal for equal work.
    A packed audit counts by its content (its compression depends on which audit came first:
    the dictionary), text ids not at all (the views give the texts)."""
    from analyzer.store_pack import decompress, pack_dictionaries

    conn = connect(db)
    try:
        h = hashlib.sha256()
        dictionaries = pack_dictionaries(conn)
        for name in (*TABLES, "audits"):
            cols = [c for c, _ in columns(conn, name) if c not in TIMING_COLUMNS]
            h.update(f"{name}:{','.join(cols)}\n".encode())
            for row in _select(conn, name, cols):
                if name == "audits":
                    row = tuple(
                        decompress(c, dictionaries) if isinstance(c, bytes) else c for c in row
                    )
                cells = [c.hex() if isinstance(c, bytes) else c for c in row]
                h.update(json.dumps(cells, ensure_ascii=False).encode("utf-8") + b"\n")
        return h.hexdigest()
    finally:
        conn.close()


def _batches(cur: sqlite3.Cursor, size: int = 2000) -> Iterator[list[tuple[Any, ...]]]:
    while rows := cur.fetchmany(size):
        yield rows


def csv_cell(value: Any, column: str) -> Any:
    """One CSV cell, Excel-safe: ids as text, formulas neutralised, long text cut."""
    if value is None:
        return ""
    if column in ID_COLUMNS and isinstance(value, int):
        return f"d{value}"
    if isinstance(value, bytes):
        return value.hex()
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    if len(value) > CSV_CELL_LIMIT:
        note = f" [cut: {len(value):,} characters; the full text is in corpus.db]"
        value = value[: CSV_CELL_LIMIT - len(note)] + note
    return value


def _export_csv(conn: sqlite3.Connection, name: str, target: Path, bom: bool) -> int:
    cols = [c for c, _ in columns(conn, name)]
    n = 0
    with target.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([csv_cell(c, "") for c in cols])
        for rows in _batches(_select(conn, name, cols)):
            writer.writerows([csv_cell(v, c) for v, c in zip(r, cols, strict=True)] for r in rows)
            n += len(rows)
    return n


_TEXT_VIEW_COLS = frozenset(
    {
        "model_id",
        "model_ref",
        "section",
        "model_text",
        "requirement_id",
        "title",
        "citation",
        "category",
        "direction",
        "model_follows",
        "verdict",
        "document",
        "status",
        "doc_ref",
        "effect",
        "explanation",
        "doc_text",
        "kind",
        "key",
        "labels",
    }
)


def _arrow_schema(conn: sqlite3.Connection, name: str) -> Any:
    import pyarrow as pa

    kinds = {
        "INTEGER": pa.int64(),
        "REAL": pa.float64(),
        "TEXT": pa.string(),
        "BLOB": pa.binary(),
    }
    fields = []
    for col, decl in columns(conn, name):
        # Aggregates in views have no declared type: counts are integers, rates are reals;
        # metadata columns have none either and hold text.
        if decl in kinds:
            kind = kinds[decl]
        elif col in _TEXT_VIEW_COLS or name == "documents":
            kind = pa.string()
        elif col.endswith("rate"):
            kind = pa.float64()
        else:
            kind = pa.int64()
        fields.append(pa.field(col, kind))
    return pa.schema(fields)


def _export_parquet(conn: sqlite3.Connection, name: str, target: Path, bom: bool) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "Parquet export needs pyarrow: pip install 'policydiff[parquet]'"
        ) from exc
    schema = _arrow_schema(conn, name)
    n = 0
    with pq.ParquetWriter(str(target), schema) as writer:
        for rows in _batches(_select(conn, name, schema.names)):
            cols = zip(*rows, strict=True)
            arrays = [
                pa.array([_as(v, f.type) for v in c], type=f.type)
                for c, f in zip(cols, schema, strict=True)
            ]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            n += len(rows)
        if n == 0:
            writer.write_table(schema.empty_table())
    return n


def _as(value: Any, kind: Any) -> Any:
    """A metadata value in a text column (numbers from JSON metadata stay readable)."""
    import pyarrow as pa

    if value is not None and kind == pa.string() and not isinstance(value, str):
        return str(value)
    return value


def export(db: str | Path, fmt: str, out_dir: str | Path, *, bom: bool = False) -> dict[str, Path]:
    """Write one ``<table>.csv`` or ``<table>.parquet`` per table and view; return the paths.
    ``bom``: start each CSV with a UTF-8 byte order mark (for Excel)."""
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown export format {fmt!r}; use csv or parquet")
    target_dir = Path(out_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    writer = _export_csv if fmt == "csv" else _export_parquet
    conn = connect(db)
    try:
        written = {}
        for name in TABLES + VIEWS:
            target = target_dir / f"{name}.{fmt}"
            writer(conn, name, target, bom)
            written[name] = target
        return written
    finally:
        conn.close()


def load_corpus(db: str | Path) -> dict[str, Any]:
    """Every table and view of a corpus database as a pandas DataFrame, keyed by name
    (``pip install pandas``); the packed audits stay in the database (``store.load_audit``)."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError(
            "load_corpus needs pandas: pip install pandas (or 'policydiff[pandas]')."
        ) from exc
    conn = sqlite3.connect(f"file:{Path(db)}?mode=ro", uri=True)
    try:
        out = {}
        for name in TABLES + VIEWS:
            order = ORDER.get(name)
            sql = f"SELECT * FROM {name}" + (f" ORDER BY {order}" if order else "")
            out[name] = pd.read_sql_query(sql, conn)
        return out
    finally:
        conn.close()
