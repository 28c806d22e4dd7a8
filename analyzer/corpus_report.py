"""The corpus report: one self-contained HTML page over a batch's ``corpus.db``.

It shows, per model policy, a heatmap of documents x provisions by status (inline SVG), the
provisions most often dropped, modified or weakened, the compliance rate per statutory
requirement, which model each document follows, clusters of documents that share the same
deviations from the model (likely copied from one another), links to the per-document
reports and the error rows. All document text is escaped by the template (autoescape on).

Exports:
    render_corpus_report(db_path) -> str  -- the HTML page
    corpus_context(db_path) -> dict       -- the data the template renders
    deviation_clusters(...)               -- single-linkage clusters of shared deviations
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from analyzer.store import connect

__all__ = ["render_corpus_report", "corpus_context", "deviation_clusters"]

HEATMAP_MAX_ROWS = 300
DOCUMENT_LIST_MAX = 2000
CLUSTER_THRESHOLD = 0.8
CLUSTER_MIN_SHARED = 2
CLUSTER_MAX_DOCS = 5000
CELL = 9
LABEL_WIDTH = 260
STATUS_COLORS = {
    "identical": "#2e7d32",
    "editorial": "#9ccc65",
    "modified": "#fdd835",
    "modified-substantive": "#ef6c00",
    "missing": "#c62828",
}


def _rows(conn: sqlite3.Connection, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cur = conn.execute(sql, args)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur]


def _cell_status(status: str, substantive: int) -> str:
    return "modified-substantive" if status == "modified" and substantive else status


def _heatmap(conn: sqlite3.Connection, model_id: str) -> dict[str, Any]:
    """Rows: documents following ``model_id`` (first HEATMAP_MAX_ROWS by path); columns: the
    model's provisions in model order; each cell the provision's status in the document."""
    refs = [
        r["model_ref"]
        for r in _rows(
            conn,
            "SELECT model_ref FROM provision_stats WHERE model_id = ? ORDER BY seq, model_ref",
            (model_id,),
        )
    ]
    col = {ref: i for i, ref in enumerate(refs)}
    docs = _rows(
        conn,
        "SELECT id, path, title FROM documents WHERE model_id = ? ORDER BY path LIMIT ?",
        (model_id, HEATMAP_MAX_ROWS),
    )
    total = conn.execute("SELECT COUNT(*) FROM documents WHERE model_id = ?", (model_id,))
    rows = []
    for y, doc in enumerate(docs):
        cells = [
            {
                "x": LABEL_WIDTH + col[r["model_ref"]] * CELL,
                "ref": r["model_ref"],
                "status": _cell_status(r["status"], r["substantive"]),
            }
            for r in _rows(
                conn,
                "SELECT model_ref, status, substantive FROM provisions "
                "WHERE document_id = ? ORDER BY seq",
                (doc["id"],),
            )
            if r["model_ref"] in col
        ]
        label = Path(doc["path"]).name  # titles repeat ("School Resource Officers"); names don't
        rows.append({"y": 20 + y * CELL, "label": label[:48], "path": doc["path"], "cells": cells})
    return {
        "model_id": model_id,
        "refs": refs,
        "rows": rows,
        "total": total.fetchone()[0],
        "width": LABEL_WIDTH + len(refs) * CELL + 10,
        "height": 30 + len(rows) * CELL,
        "cell": CELL - 1,
    }


def _top_provisions(conn: sqlite3.Connection, model_id: str) -> list[dict[str, Any]]:
    stats = _rows(conn, "SELECT * FROM provision_stats WHERE model_id = ?", (model_id,))
    for s in stats:
        s["deviating"] = (s["missing"] or 0) + (s["modified"] or 0) + (s["weakened"] or 0)
    return sorted(stats, key=lambda s: (-s["deviating"], s["seq"], s["model_ref"]))


def _deviation_sets(conn: sqlite3.Connection, model_id: str) -> dict[int, frozenset[str]]:
    """Per document: its deviations from the model as tokens ``ref|status|text-hash``."""
    sets: dict[int, set[str]] = defaultdict(set)
    cur = conn.execute(
        "SELECT p.document_id, p.model_ref, p.status, p.doc_text_hash FROM provisions p "
        "JOIN documents d ON d.id = p.document_id WHERE d.model_id = ? AND p.status != "
        "'identical' ORDER BY p.document_id, p.seq",
        (model_id,),
    )
    for doc_id, ref, status, text_hash in cur:
        sets[doc_id].add(f"{ref}|{status}|{text_hash}")
    return {k: frozenset(v) for k, v in sets.items()}


def deviation_clusters(
    sets: dict[int, frozenset[str]],
    *,
    threshold: float = CLUSTER_THRESHOLD,
    min_shared: int = CLUSTER_MIN_SHARED,
) -> list[list[int]]:
    """Single-linkage clusters of documents whose deviation sets have Jaccard similarity
    >= ``threshold`` and share at least ``min_shared`` deviations. Returns clusters of two
    or more ids, largest first, members sorted."""
    ids = sorted(sets)
    if len(ids) < 2 or len(ids) > CLUSTER_MAX_DOCS:
        return []
    parent = {i: i for i in ids}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in _similar_pairs(ids, sets, threshold, min_shared):
        parent[find(a)] = find(b)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in ids:
        groups[find(i)].append(i)
    clusters = [sorted(g) for g in groups.values() if len(g) > 1]
    return sorted(clusters, key=lambda g: (-len(g), g[0]))


def _similar_pairs(
    ids: list[int], sets: dict[int, frozenset[str]], threshold: float, min_shared: int
) -> list[tuple[int, int]]:
    """Pairs over the threshold, by a sparse docs x tokens product computed in row blocks."""
    import numpy as np
    from scipy import sparse

    vocab: dict[str, int] = {}
    indptr: list[int] = [0]
    indices: list[int] = []
    for i in ids:
        indices.extend(vocab.setdefault(t, len(vocab)) for t in sorted(sets[i]))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.int32)
    x = sparse.csr_matrix((data, indices, indptr), shape=(len(ids), max(1, len(vocab))))
    sizes = np.diff(x.indptr)
    xt = x.T.tocsc()
    pairs = []
    for start in range(0, len(ids), 500):
        inter = (x[start : start + 500] @ xt).tocoo()
        for r, c, n in zip(inter.row, inter.col, inter.data, strict=True):
            a, b = start + int(r), int(c)
            if b <= a or n < min_shared:
                continue
            if n / (sizes[a] + sizes[b] - n) >= threshold:
                pairs.append((ids[a], ids[b]))
    return pairs


def _clusters(conn: sqlite3.Connection, model_id: str) -> list[dict[str, Any]]:
    sets = _deviation_sets(conn, model_id)
    out = []
    for members in deviation_clusters(sets)[:50]:
        marks = ",".join("?" * len(members))
        docs = _rows(
            conn,
            f"SELECT id, path, title, report_path, n_identical FROM documents "
            f"WHERE id IN ({marks}) ORDER BY n_identical DESC, path",
            members,
        )
        shared = frozenset.intersection(*(sets[m] for m in members))
        out.append({"size": len(members), "documents": docs[:30], "shared": len(shared)})
    return out


def corpus_context(db_path: str | Path) -> dict[str, Any]:
    """Everything the corpus template shows, read from the database."""
    conn = connect(db_path)
    try:
        models = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT model_id FROM documents WHERE model_id IS NOT NULL ORDER BY 1"
            )
        ]
        return {
            "db_name": Path(db_path).name,
            "counts": _rows(
                conn,
                "SELECT COUNT(*) AS documents, "
                "(SELECT COUNT(*) FROM errors) AS errors FROM documents",
            )[0],
            "colors": STATUS_COLORS,
            "models": [
                {
                    "id": m,
                    "heatmap": _heatmap(conn, m),
                    "provisions": _top_provisions(conn, m),
                    "requirements": _rows(
                        conn, "SELECT * FROM requirement_stats WHERE model_id = ?", (m,)
                    ),
                    "clusters": _clusters(conn, m),
                }
                for m in models
            ],
            "lineage": _rows(conn, "SELECT * FROM lineage"),
            "documents": _rows(
                conn,
                "SELECT path, title, model_id, model_follows, verdict, "
                "n_identical, n_editorial, n_modified, n_missing, n_substantive, "
                "n_additions, report_path FROM documents ORDER BY path LIMIT ?",
                (DOCUMENT_LIST_MAX,),
            ),
            "document_list_max": DOCUMENT_LIST_MAX,
            "errors": _rows(conn, "SELECT path, error_code, message FROM errors ORDER BY path"),
        }
    finally:
        conn.close()


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("analyzer", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_corpus_report(db_path: str | Path) -> str:
    """The corpus report of ``db_path`` as a self-contained HTML page."""
    template = _environment().get_template("corpus_index.html.j2")
    return template.render(**corpus_context(db_path))
