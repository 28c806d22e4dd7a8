"""The corpus report: one self-contained HTML page over a batch's ``corpus.db``, readable from
5 to thousands of documents.

In order: the documents (a table sortable and filterable by a small script in the page, no
CDN), compliance per statutory requirement (a bar chart), a breakdown by every metadata column
(``--metadata``), the provisions that deviate (only non-zero rows, with their model text), a
heatmap of documents x provisions per model (a canvas drawn from compact data: documents
grouped by verdict, provisions grouped and labelled by model section, provision labels on hover
and in a legend, the Okabe-Ito colour-blind-safe palette plus a mark per status), duplicate
content and clusters of documents sharing the same deviations, and the error rows. All
document text is escaped (autoescape on; data for the script is JSON in a script element
with ``<`` escaped).

Exports:
    render_corpus_report(db_path) -> str  -- the HTML page
    corpus_context(db_path) -> dict       -- the data the template renders
    deviation_clusters(...)               -- single-linkage clusters of shared deviations
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from analyzer.store_schema import BUILTIN_DOCUMENT_COLUMNS, connect

__all__ = ["render_corpus_report", "corpus_context", "deviation_clusters"]

DOCUMENT_LIST_MAX = 5000
HEATMAP_MAX_ROWS = 5000
BREAKDOWN_MAX_VALUES = 40
CLUSTER_THRESHOLD = 0.8
CLUSTER_MIN_SHARED = 2
CLUSTER_MAX_DOCS = 5000
# Okabe-Ito: distinguishable with every common colour-vision deficiency; each status also
# has a mark drawn in its cell (the non-colour cue) and a letter in tooltips and the legend.
STATUSES = (
    ("identical", "#e4e4e4", "", "="),
    ("editorial", "#56b4e9", "dot", "e"),
    ("modified", "#f0e442", "slash", "m"),
    ("modified-substantive", "#d55e00", "cross", "M"),
    ("missing", "#000000", "empty", "x"),
)
STATUS_CODE = {name: code for name, _, _, code in STATUSES}
# Heatmap groups: closest to the model first; a verdict the engine adds later sorts last.
_VERDICT_ORDER = (
    "CASE verdict WHEN 'identical' THEN 0 WHEN 'substantially-similar' THEN 1 "
    "WHEN 'needs-review' THEN 2 WHEN 'not-substantially-similar' THEN 3 ELSE 4 END"
)


def _rows(conn: sqlite3.Connection, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cur = conn.execute(sql, args)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur]


def _cell_status(status: str, substantive: int) -> str:
    return "modified-substantive" if status == "modified" and substantive else status


def _metadata_columns(conn: sqlite3.Connection) -> list[str]:
    cols = [r[1] for r in conn.execute("PRAGMA table_info(documents)")]
    return [c for c in cols if c not in BUILTIN_DOCUMENT_COLUMNS and c != "meta_label"]


def _provision_stats(conn: sqlite3.Connection) -> dict[str, list[dict[str, Any]]]:
    """The ``provision_stats`` rows by model (the view computed once), each with the model's
    own order (``model_seq``: its position in the model, else the first seen in a document)."""
    by_model: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _rows(
        conn,
        "SELECT s.*, COALESCE(m.seq, s.seq) AS model_seq FROM provision_stats s "
        "LEFT JOIN model_provisions m ON m.model_id = s.model_id AND m.model_ref = s.model_ref",
    ):
        by_model[row["model_id"]].append(row)
    return by_model


def _heatmap(
    conn: sqlite3.Connection, model_id: str, stats: list[dict[str, Any]]
) -> dict[str, Any]:
    """Compact heatmap data for the page script: provisions (ref, section, text excerpt) in
    model order with their section groups, and one string of status codes per document,
    documents grouped by verdict and ordered by how far they are from the model."""
    provisions = [
        {
            "ref": s["model_ref"],
            "section": s["section"] or "",
            "text": (s["model_text"] or "")[:160],
        }
        for s in sorted(stats, key=lambda s: (s["model_seq"], s["model_ref"]))
    ]
    col = {p["ref"]: i for i, p in enumerate(provisions)}
    docs = _rows(
        conn,
        "SELECT id, COALESCE(label, path) AS label, verdict FROM documents WHERE model_id = ? "
        f"ORDER BY {_VERDICT_ORDER}, verdict, n_identical DESC, 2 LIMIT ?",
        (model_id, HEATMAP_MAX_ROWS),
    )
    cells: dict[int, list[str]] = {d["id"]: ["."] * len(provisions) for d in docs}
    codes: dict[tuple[str, int], str] = {}
    cur = conn.execute(
        "SELECT p.document_id, p.model_ref, p.status, p.substantive FROM provisions p "
        "JOIN documents d ON d.id = p.document_id WHERE d.model_id = ?",
        (model_id,),
    )
    for doc_id, ref, status, substantive in cur:
        row = cells.get(doc_id)
        j = col.get(ref)
        if row is not None and j is not None:
            code = codes.get((status, substantive))
            if code is None:
                code = codes[status, substantive] = STATUS_CODE.get(
                    _cell_status(status, substantive), "?"
                )
            row[j] = code
    total = conn.execute("SELECT COUNT(*) FROM documents WHERE model_id = ?", (model_id,))
    groups: list[dict[str, Any]] = []
    sections: list[dict[str, Any]] = []
    for i, p in enumerate(provisions):
        top = p["section"] or "(no heading)"
        if not sections or sections[-1]["name"] != top:
            sections.append({"name": top, "start": i, "count": 0})
        sections[-1]["count"] += 1
    for d in docs:
        if not groups or groups[-1]["name"] != (d["verdict"] or ""):
            groups.append({"name": d["verdict"] or "", "count": 0})
        groups[-1]["count"] += 1
    return {
        "model_id": model_id,
        "provisions": provisions,
        "sections": sections,
        "groups": groups,
        "rows": [
            {"label": d["label"] or str(d["id"]), "cells": "".join(cells[d["id"]])} for d in docs
        ],
        "total": total.fetchone()[0],
    }


def _deviating_provisions(stats: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = ("model_ref", "seq", "section", "documents", "missing", "modified", "weakened")
    out = []
    for s in stats:
        deviating = (s["missing"] or 0) + (s["modified"] or 0) + (s["weakened"] or 0)
        if deviating or s["moved"]:
            row = {k: s[k] for k in (*keys, "substantive", "moved")}
            row["model_text"] = (s["model_text"] or "")[:300]
            row["deviating"] = deviating
            out.append(row)
    return sorted(out, key=lambda s: (-s["deviating"], s["seq"], s["model_ref"]))


def _deviation_sets(conn: sqlite3.Connection, model_id: str) -> dict[int, frozenset[str]]:
    """Per document: its deviations from the model as tokens ``ref|status|text-hash``."""
    sets: dict[int, set[str]] = defaultdict(set)
    cur = conn.execute(
        "SELECT p.document_id, p.model_ref, p.status, p.doc_text_hash FROM provisions p "
        "JOIN documents d ON d.id = p.document_id WHERE d.model_id = ? AND p.status != "
        "'identical' AND d.duplicate_of IS NULL ORDER BY p.document_id, p.seq",
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
    import numpy as np
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    ids = sorted(sets)
    if len(ids) < 2 or len(ids) > CLUSTER_MAX_DOCS:
        return []
    a, b = _similar_pairs(ids, sets, threshold, min_shared)
    links = sparse.coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(len(ids),) * 2)
    _, component = connected_components(links, directed=False)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, c in zip(ids, component.tolist(), strict=True):
        groups[c].append(i)
    clusters = [g for g in groups.values() if len(g) > 1]  # members in id order
    return sorted(clusters, key=lambda g: (-len(g), g[0]))


def _similar_pairs(
    ids: list[int], sets: dict[int, frozenset[str]], threshold: float, min_shared: int
) -> tuple[Any, Any]:
    """Positions in ``ids`` of the pairs over the threshold (two index arrays), by a sparse
    docs x tokens product computed in row blocks."""
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
    firsts, seconds = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for start in range(0, len(ids), 500):
        inter = (x[start : start + 500] @ xt).tocoo()
        a = inter.row.astype(np.int64) + start
        b = inter.col.astype(np.int64)
        n = inter.data
        keep = (b > a) & (n >= min_shared)
        a, b, n = a[keep], b[keep], n[keep]
        keep = n / (sizes[a] + sizes[b] - n) >= threshold
        firsts.append(a[keep])
        seconds.append(b[keep])
    return np.concatenate(firsts), np.concatenate(seconds)


def _clusters(conn: sqlite3.Connection, model_id: str) -> list[dict[str, Any]]:
    sets = _deviation_sets(conn, model_id)
    out = []
    for members in deviation_clusters(sets)[:30]:
        marks = ",".join("?" * len(members))
        docs = _rows(
            conn,
            "SELECT COALESCE(label, path) AS label, report_path FROM documents "
            f"WHERE id IN ({marks}) ORDER BY n_identical DESC, label LIMIT 12",
            members,
        )
        shared = frozenset.intersection(*(sets[m] for m in members))
        out.append({"size": len(members), "documents": docs, "shared": len(shared)})
    return out


def _breakdowns(conn: sqlite3.Connection, meta_cols: list[str]) -> list[dict[str, Any]]:
    """Per metadata column that groups documents (2 to ``BREAKDOWN_MAX_VALUES`` values, at
    most one per four documents: not a name, a date or a note): documents, verdicts and compliance
    per value."""
    out = []
    n_docs = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    for col in meta_cols:
        n_values = conn.execute(
            f"SELECT COUNT(DISTINCT COALESCE(\"{col}\", '')) FROM documents"
        ).fetchone()[0]
        if not 2 <= n_values <= max(2, min(BREAKDOWN_MAX_VALUES, n_docs // 4)):
            continue
        rows = _rows(
            conn,
            f"SELECT COALESCE(CAST(\"{col}\" AS TEXT), '(none)') AS value, COUNT(*) AS documents, "
            "SUM(verdict = 'substantially-similar') AS similar, "
            "ROUND(AVG(n_missing), 1) AS missing, "
            "ROUND(100.0 * SUM(n_requirements_met) / MAX(1, SUM(n_requirements)), 0) "
            f"AS compliance FROM documents GROUP BY 1 ORDER BY 2 DESC, 1",
        )
        out.append({"column": col, "rows": rows})
    return out


def corpus_context(db_path: str | Path) -> dict[str, Any]:
    """Everything the corpus template shows, read from the database."""
    conn = connect(db_path)
    try:
        meta_cols = _metadata_columns(conn)
        models = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT model_id FROM documents WHERE model_id IS NOT NULL ORDER BY 1"
            )
        ]
        extra = "".join(f', d."{c}" AS "m_{i}"' for i, c in enumerate(meta_cols))
        documents = _rows(
            conn,
            "SELECT COALESCE(d.label, d.path) AS label, d.path, d.title, d.model_id, d.verdict, "
            "d.n_identical, d.n_editorial, d.n_modified, d.n_missing, d.n_substantive, "
            "d.n_additions, "
            "d.n_requirements, d.n_requirements_met, d.report_path, o.label AS duplicate_of"
            f"{extra} FROM documents d LEFT JOIN documents o ON o.id = d.duplicate_of "
            "ORDER BY d.label LIMIT ?",
            (DOCUMENT_LIST_MAX,),
        )
        for d in documents:
            d["meta"] = [d.pop(f"m_{i}") for i in range(len(meta_cols))]
        stats = _provision_stats(conn)
        heatmaps = [_heatmap(conn, m, stats[m]) for m in models]
        return {
            "db_name": Path(db_path).name,
            "counts": _rows(
                conn,
                "SELECT COUNT(*) AS documents, (SELECT COUNT(*) FROM errors) AS errors, "
                "SUM(duplicate_of IS NOT NULL) AS duplicates FROM documents",
            )[0],
            "statuses": [{"name": n, "color": c, "mark": m, "code": k} for n, c, m, k in STATUSES],
            "meta_columns": meta_cols,
            "documents": documents,
            "document_list_max": DOCUMENT_LIST_MAX,
            "models": [
                {
                    "id": m,
                    "requirements": _rows(
                        conn, "SELECT * FROM requirement_stats WHERE model_id = ?", (m,)
                    ),
                    "provisions": _deviating_provisions(stats[m]),
                    "clusters": _clusters(conn, m),
                    "heatmap": h,
                }
                for m, h in zip(models, heatmaps, strict=True)
            ],
            "heatmap_json": _script_json(heatmaps),
            "breakdowns": _breakdowns(conn, meta_cols),
            "lineage": _rows(conn, "SELECT * FROM lineage"),
            "duplicates": _rows(conn, "SELECT * FROM duplicate_groups LIMIT 50"),
            "errors": _rows(conn, "SELECT path, error_code, message FROM errors ORDER BY path"),
        }
    finally:
        conn.close()


def _script_json(data: Any) -> Markup:
    """JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


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
