"""``metadata.json`` for Datasette, written beside ``corpus.db`` by every batch run.

``datasette corpus.db --metadata metadata.json`` then shows a title, the source and license,
a description of every table and column, and canned queries for the common questions: the
provisions most often dropped, the documents that weaken obligations, compliance by
requirement and by each metadata column, and near-duplicate policies. Documents are labelled
by their unique ``label`` column.

Exports:
    datasette_metadata(db) -> dict      -- the metadata for the database at ``db``
    write_datasette_metadata(db) -> Path -- write ``metadata.json`` beside it
    COLUMN_DOCS                          -- table -> column -> description
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from analyzer.store_schema import BASE_TABLES, STORE_SCHEMA, TABLES, VIEWS, columns, connect

__all__ = ["datasette_metadata", "write_datasette_metadata", "COLUMN_DOCS", "TABLE_DOCS"]

TABLE_DOCS = {
    "documents": "One row per audited document: the verdict, counts per status, metadata.",
    "provisions": "One row per model provision per document: how the document keeps it.",
    "changes": "One row per classified change inside a kept provision, with its location.",
    "additions": "Document clauses that match no model provision.",
    "requirements": "One row per statutory requirement per document: met, weakened or missing.",
    "errors": "Files that could not be audited, with the one-line reason and fix.",
    "model_provisions": "The model policies' provisions: reference, section, text, statute.",
    "model_requirements": "The statutory requirements checked against each model.",
    "provision_stats": "Per model provision: how many documents keep, change or drop it.",
    "requirement_stats": "Per requirement: documents that meet, weaken or miss it.",
    "change_stats": "Changes per category and direction.",
    "lineage": "Documents per followed model and verdict.",
    "provision_status": "Every provision of every document, with the model text.",
    "most_dropped": "Provisions missing from at least one document, most often missing first.",
    "weakened_obligations": "Every change that weakens an obligation, with both texts.",
    "duplicate_groups": "Documents with the same content, or the same deviations from the model.",
}

COLUMN_DOCS: dict[str, dict[str, str]] = {
    "documents": {
        "id": "Stable id: 52 bits of the sha256 of the path.",
        "label": "Unique readable name: the file stem, or folder/stem where stems repeat.",
        "path": "Absolute path as shown (non-UTF-8 bytes as \\xNN).",
        "path_raw": "The exact file name bytes, when they differ from path.",
        "sha256": "sha256 of the file's bytes.",
        "verdict": "substantially-similar, not-substantially-similar, or needs-review.",
        "model_id": "The model the document was audited against.",
        "model_follows": "The model the document appears to follow.",
        "n_missing": "Model provisions the document does not have.",
        "n_substantive": "Provisions changed in substance.",
        "n_requirements_met": "Statutory requirements met (of n_requirements).",
        "deviation_hash": "Equal for documents that deviate from the model identically.",
        "duplicate_of": "The id of the first document (by path) with the same content.",
        "report_path": "The per-document HTML report, relative to the database.",
    },
    "provisions": {
        "seq": "Position in the model's order.",
        "model_ref": "The model provision (see model_provisions).",
        "status": "identical, editorial, modified or missing.",
        "substantive": "1 when the change alters what the provision requires.",
        "moved": "1 when the provision sits elsewhere in the document.",
        "doc_ref": "Where the document has it (its own outline reference).",
        "page": "Page of the document clause.",
        "line": "Line of the document clause.",
        "doc_text_hash": "Hash of the document's wording: equal hashes, same wording.",
    },
    "changes": {
        "category": "What changed: modality, number, actor, deadline, entity, ...",
        "direction": "weaker, stronger or empty.",
        "effect": "The effect of the change on the obligation, when the engine gives one.",
        "explanation": "Why the change was classified so.",
    },
    "requirements": {
        "status": "met, weakened or missing.",
        "explanation": "Why it is not met, citing the provisions (NULL when met).",
        "evidence": "model ref -> document ref (page, line) for each piece of evidence.",
    },
    "model_provisions": {
        "section": "The nearest heading above the provision in the model.",
        "requirement_ids": "Requirements this provision carries.",
        "citations": "Statute citations of those requirements.",
    },
}


def _queries(meta_cols: list[str]) -> dict[str, dict[str, Any]]:
    queries: dict[str, dict[str, Any]] = {
        "most_dropped_provisions": {
            "title": "Provisions most often dropped",
            "sql": "SELECT * FROM most_dropped LIMIT 100",
        },
        "documents_weakening_obligations": {
            "title": "Documents that weaken obligations",
            "sql": (
                "SELECT document, COUNT(*) AS weakening_changes, "
                "GROUP_CONCAT(DISTINCT model_ref) AS provisions FROM weakened_obligations "
                "GROUP BY document ORDER BY weakening_changes DESC, document"
            ),
        },
        "compliance_by_requirement": {
            "title": "Compliance by statutory requirement",
            "sql": "SELECT * FROM requirement_stats ORDER BY compliance_rate, requirement_id",
        },
        "near_duplicate_policies": {
            "title": "Identical and near-duplicate policies",
            "sql": "SELECT * FROM duplicate_groups",
        },
        "documents_missing_a_provision": {
            "title": "Documents missing a given provision",
            "sql": (
                "SELECT document, model_id, section, model_text FROM provision_status "
                "WHERE model_ref = :model_ref AND status = 'missing' ORDER BY document"
            ),
        },
    }
    for col in meta_cols:
        queries[f"compliance_by_{col}"] = {
            "title": f"Compliance by {col}",
            "sql": (
                f'SELECT d."{col}" AS "{col}", COUNT(DISTINCT d.id) AS documents, '
                "ROUND(1.0 * SUM(r.status = 'met') / COUNT(r.requirement_id), 4) "
                "AS compliance_rate, SUM(r.status = 'weakened') AS weakened, "
                "SUM(r.status = 'missing') AS missing FROM documents d "
                f'LEFT JOIN requirements r ON r.document_id = d.id GROUP BY d."{col}" '
                "ORDER BY compliance_rate"
            ),
        }
    return queries


def datasette_metadata(db: str | Path) -> dict[str, Any]:
    """Datasette metadata for the corpus database at ``db``."""
    conn = connect(db)
    try:
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'metadata_columns'").fetchone()
        except Exception:  # noqa: BLE001 - an empty or foreign database has no meta table
            row = None
        meta_cols = json.loads(row[0]) if row else []
        tables: dict[str, Any] = {}
        for name in TABLES + VIEWS:
            cols = [c for c, _ in columns(conn, name)]
            docs = {c: d for c, d in COLUMN_DOCS.get(name, {}).items() if c in cols}
            docs.update({c: "Metadata from --metadata." for c in meta_cols if c in cols})
            entry: dict[str, Any] = {"description": TABLE_DOCS.get(name, ""), "columns": docs}
            if name == "documents":
                entry["label_column"] = "label"
                entry["sort"] = "label"
            tables[name] = entry
        tables["audits"] = {"hidden": True, "description": "Packed audits: use load_audit."}
        for name in BASE_TABLES:  # read through the views changes, additions, requirements
            tables[name] = {"hidden": True, "description": "Behind a view: query the view."}
        tables["pack_dictionaries"] = {"hidden": True, "description": "Used by load_audit."}
        tables["meta"] = {"hidden": True}
    finally:
        conn.close()
    return {
        "title": "policydiff corpus",
        "description": (
            "Audits of school resource officer policies against a model policy "
            f"(Minn. Stat. 626.8482), written by policydiff batch ({STORE_SCHEMA})."
        ),
        "source": "policydiff batch",
        "license": "The audited documents keep their own terms; policydiff is MIT.",
        "databases": {Path(db).stem: {"tables": tables, "queries": _queries(meta_cols)}},
    }


def write_datasette_metadata(db: str | Path) -> Path:
    """Write ``metadata.json`` beside ``db``; return its path."""
    target = Path(db).with_name("metadata.json")
    text = json.dumps(datasette_metadata(db), indent=2, sort_keys=True, ensure_ascii=False)
    target.write_text(text + "\n", encoding="utf-8")
    return target
