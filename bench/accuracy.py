"""Labelled accuracy: policydiff and two naive baselines scored on generated variants.

``run`` generates ``n`` variants of each model (``bench.mutate``), audits every variant with
``analyzer.api.audit_text`` and with the two baselines (``bench.baselines``), and scores all
three against the variants' truth labels. Example failures of policydiff go to
``bench/out/accuracy_failures.json``, with the failing variants' texts and truth under
``bench/out/variants/`` so each can be re-run with ``policydiff audit``.

Exports:
    run(n=200, seed=7, quick=False) -> dict  -- {"name": "accuracy", "metrics", "baselines",
                                                "counts", "targets", "markdown"}
    outcome_from_audit(audit) -> dict        -- an audit dict reduced to the outcome shape
    score(records) -> Scored                 -- metrics, denominators and failures
    METRICS                                  -- (name, title, target, higher_is_better) rows
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from bench.baselines import difflib_audit, rapidfuzz_audit
from bench.mutate import Variant, generate, provision_paragraphs
from bench.mutate_rules import SUBSTANTIVE

__all__ = ["run", "outcome_from_audit", "score", "METRICS", "Scored"]

MODELS = ("post-sro", "msba-507.5")
OUT = Path(__file__).resolve().parent / "out"
EXAMPLES_PER_METRIC = 10

# (key, title, target, higher is better); None: reported, no target
METRICS: tuple[tuple[str, str, float | None, bool], ...] = (
    ("missing_precision", "missing: precision", 0.98, True),
    ("missing_recall", "missing: recall", 0.99, True),
    ("substantive_recall", "substantive change: recall", 0.97, True),
    ("category_accuracy", "category accuracy (of found)", 0.95, True),
    ("category_accuracy_strict", "category accuracy, strict", None, True),
    ("direction_accuracy", "direction accuracy (modality, figures)", None, True),
    ("figure_direction", "new: number/duration/date direction", 0.95, True),
    ("modal_dropped", "new: modal dropped found weaker", 0.95, True),
    ("self_reference_false_alarm", "new: self-reference false alarms", 0.03, False),
    ("party_names_false_alarm", "new: party-name swap false alarms", 0.03, False),
    ("benign_false_alarm", "false alarms on benign edits", 0.03, False),
    ("untouched_false_alarm", "false alarms on untouched", 0.005, False),
    ("paraphrase_matched", "paraphrase matched (not missing)", None, True),
    ("paraphrase_false_alarm", "paraphrase reported substantive", None, False),
    ("addition_recall", "addition recall", 0.95, True),
    ("addition_precision", "addition precision", None, True),
    ("moved_precision", "moved: precision", None, True),
    ("moved_recall", "moved: recall", None, True),
)
SYSTEMS = ("policydiff", "difflib", "rapidfuzz")
TITLES = {
    "policydiff": "policydiff",
    "difflib": "difflib paragraph diff",
    "rapidfuzz": "rapidfuzz best match",
}


# ---------------------------------------------------------------------------------------------
# Outcomes


def outcome_from_audit(audit: dict) -> dict[str, object]:
    """The parts of an audit dict the benchmark scores, keyed by model ref."""
    found: dict[str, dict[str, object]] = {}
    for p in audit.get("provisions", []):
        subs = [c for c in p.get("changes", []) if c.get("substantive")]
        found[p["model_ref"]] = {
            "status": p.get("status"),
            "substantive": bool(p.get("substantive")),
            "moved": bool(p.get("moved")),
            "categories": [c.get("category") for c in subs],
            "directions": [c.get("direction") for c in subs if c.get("direction")],
            "similarity": p.get("similarity"),
            "doc_refs": p.get("doc_refs"),
            "doc_text": p.get("doc_text"),
            "changes": [
                f"{c.get('category')}{'!' if c.get('substantive') else ''}"
                f" {c.get('model_text', '')!r} -> {c.get('doc_text', '')!r}"
                for c in p.get("changes", [])
            ][:6],
        }
    additions = [a.get("text", "") for a in audit.get("additions", [])]
    return {"provisions": found, "additions": additions, "moved": True, "categories": True}


# ---------------------------------------------------------------------------------------------
# Scoring


@dataclass
class _Tally:
    hits: Counter[str] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)
    failures: dict[str, list[dict[str, object]]] = field(default_factory=dict)

    def count(self, metric: str, ok: bool, failure: Callable[[], dict] | None = None) -> None:
        self.totals[metric] += 1
        self.hits[metric] += ok
        if not ok and failure is not None:
            self.failures.setdefault(metric, []).append(failure())


@dataclass
class Scored:
    """Metric values (None where nothing was counted or the system cannot tell)."""

    metrics: dict[str, float | None]
    counts: dict[str, int]
    failures: dict[str, list[dict[str, object]]]


def _norm(text: str) -> str:
    text = text.lower().replace("’", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


def _failure(v: Variant, ref: str, label: dict, got: dict | None, model: str) -> dict:
    got = got or {}
    return {
        "variant": v.id,
        "model_ref": ref,
        "expect": label["expect"],
        "edits": label["edits"],
        "reported": {
            k: got.get(k)
            for k in ("status", "substantive", "moved", "categories", "directions", "similarity")
        },
        "changes": got.get("changes"),
        "doc_refs": got.get("doc_refs"),
        "model_text": model[:240],
        "doc_text": (str(got.get("doc_text") or ""))[:240] or None,
    }


def _score_provision(t: _Tally, v: Variant, ref: str, label: dict, got: dict | None, o: dict):
    got = got or {"status": "unreported", "substantive": False, "moved": False}
    expect, status = label["expect"], got["status"]
    missing, flagged = status == "missing", bool(got["substantive"]) and status == "modified"
    model = provision_paragraphs(v.model_id)[ref]

    def fail() -> dict:
        return _failure(v, ref, label, got, model)

    if missing or expect == "missing":
        t.count("missing_precision", expect == "missing", fail) if missing else None
        t.count("missing_recall", missing, fail) if expect == "missing" else None
    if expect == "substantive":
        t.count("substantive_recall", flagged, fail)
        if flagged and o["categories"]:
            cats = got.get("categories") or []
            t.count("category_accuracy", bool(set(label["accept"]) & set(cats)), fail)
            t.count("category_accuracy_strict", set(label["categories"]) <= set(cats), fail)
        if flagged and o["categories"] and label["direction"] and got.get("directions"):
            t.count("direction_accuracy", label["direction"] in got["directions"], fail)
    _score_new_classes(t, label, got, flagged and bool(o["categories"]), fail)
    alarm = missing or bool(got["substantive"])
    if expect == "benign":
        t.count("benign_false_alarm", not alarm, fail)
    if expect == "identical":
        t.count("untouched_false_alarm", not alarm, fail)
    if expect == "paraphrase":
        t.count("paraphrase_matched", not missing, fail)
        t.count("paraphrase_false_alarm", not flagged, fail)
    if o["moved"] and expect != "missing":
        if got.get("moved"):
            t.count("moved_precision", bool(label["moved"]), fail)
        if label["moved"]:
            t.count("moved_recall", bool(got.get("moved")), fail)


FIGURE_KINDS = frozenset(
    {"number", "number_stronger", "duration", "duration_stronger", "date", "date_earlier"}
)
SUBSTANTIVE_KINDS = frozenset(SUBSTANTIVE)


def _score_new_classes(
    t: _Tally, label: dict, got: dict, flagged: bool, fail: Callable[[], dict]
) -> None:
    """The classes added with effects: a figure's direction and a dropped modal (when the
    provision has that one substantive edit), self-references and party-name swaps (when the
    provision has only benign edits)."""
    kinds = {str(e).split(":")[0] for e in label["edits"]}
    substantive = kinds & SUBSTANTIVE_KINDS
    if label["expect"] == "substantive" and len(substantive) == 1 and flagged:
        (kind,) = substantive
        directions = got.get("directions") or []
        if kind in FIGURE_KINDS:
            t.count("figure_direction", label["direction"] in directions, fail)
        if kind == "modal_dropped":
            ok = "modality" in (got.get("categories") or []) and "weaker" in directions
            t.count("modal_dropped", ok, fail)
    if label["expect"] == "benign":
        alarm = got["status"] == "missing" or bool(got["substantive"])
        for kind in ("self_reference", "party_names"):
            if kind in kinds:
                t.count(f"{kind}_false_alarm", not alarm, fail)


def _score_additions(t: _Tally, v: Variant, o: dict) -> None:
    inserted = [_norm(a) for a in v.truth["additions"]]  # type: ignore[union-attr]
    reported = [_norm(a) for a in o["additions"] if a.strip()]
    joined_rep, joined_ins = " | ".join(reported), " | ".join(inserted)
    for text in inserted:
        t.count(
            "addition_recall",
            bool(joined_rep) and fuzz.partial_ratio(text, joined_rep) >= 90,
            lambda text=text: {"variant": v.id, "inserted": text, "reported": reported[:8]},
        )
    for text in reported:
        t.count(
            "addition_precision",
            bool(joined_ins) and fuzz.partial_ratio(text, joined_ins) >= 90,
            lambda text=text: {"variant": v.id, "reported": text[:240], "inserted": inserted},
        )


def score(records: Iterable[tuple[Variant, dict]]) -> Scored:
    """Score (variant, outcome) pairs: see METRICS for what is counted."""
    t = _Tally()
    for v, o in records:
        found = o["provisions"]
        for ref, label in v.truth["provisions"].items():  # type: ignore[union-attr]
            _score_provision(t, v, ref, label, found.get(ref), o)
        _score_additions(t, v, o)
    metrics: dict[str, float | None] = {}
    for key, *_ in METRICS:
        n = t.totals[key]
        value = t.hits[key] / n if n else None
        if key.endswith("false_alarm") and value is not None:
            value = 1.0 - value
        metrics[key] = value
    return Scored(metrics, dict(t.totals), t.failures)


# ---------------------------------------------------------------------------------------------
# Running


def _progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _audit_all(variants: list[Variant], audit_text: Callable[..., dict]) -> dict[str, list]:
    """Outcomes of each system for each variant; variants policydiff fails on are dropped."""
    out: dict[str, list] = {s: [] for s in SYSTEMS}
    out["errors"] = []
    for i, v in enumerate(variants, 1):
        if i % 50 == 0 or i == len(variants):
            _progress(f"accuracy: {v.model_id} {i}/{len(variants)}")
        try:
            audited = outcome_from_audit(audit_text(v.text, model=v.model_id))
        except Exception as exc:  # noqa: BLE001 - one bad variant must not stop the run
            out["errors"].append({"variant": v.id, "error": f"{type(exc).__name__}: {exc}"})
            continue
        prov = provision_paragraphs(v.model_id)
        out["policydiff"].append((v, audited))
        out["difflib"].append((v, difflib_audit(prov, v.text)))
        out["rapidfuzz"].append((v, rapidfuzz_audit(prov, v.text)))
    return out


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _mark(key: str, value: float | None) -> str:
    row = next(r for r in METRICS if r[0] == key)
    target, higher = row[2], row[3]
    if value is None or target is None:
        return _fmt(value)
    ok = value >= target if higher else value <= target
    return _fmt(value) + ("" if ok else " ✗")


def _markdown(scores: dict[str, dict[str, Scored]], n: int, seed: int, errors: int) -> str:
    lines = [
        f"### Accuracy on labelled variants ({n} per model, seed {seed})",
        "",
        "| metric | target | " + " | ".join(TITLES[s] for s in SYSTEMS) + " | n |",
        "|---|---|" + "---|" * len(SYSTEMS) + "---|",
    ]
    for key, title, target, higher in METRICS:
        tgt = "" if target is None else ("≥ " if higher else "≤ ") + f"{target:g}"
        cells = [_mark(key, scores[s]["overall"].metrics[key]) for s in SYSTEMS]
        n_pd = scores["policydiff"]["overall"].counts.get(key, 0)
        lines.append(f"| {title} | {tgt} | " + " | ".join(cells) + f" | {n_pd} |")
    lines += ["", "policydiff per model:", "", "| metric | " + " | ".join(MODELS) + " |"]
    lines.append("|---|" + "---|" * len(MODELS))
    for key, title, *_ in METRICS:
        cells = [_mark(key, scores["policydiff"][m].metrics[key]) for m in MODELS]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Baselines cannot name categories or directions (n/a); the difflib diff cannot see "
        "moves. ✗ marks a missed target. "
        f"Audit errors: {errors}. Failures: bench/out/accuracy_failures.json.",
    ]
    return "\n".join(lines)


def _pattern(metric: str, f: dict) -> str:
    """A short key that groups failures of one kind (for the failure summary)."""
    if "edits" not in f:
        return metric
    kinds = sorted({e.split(":")[0] for e in f["edits"]}) or ["untouched"]
    rep = f["reported"]
    cats = ",".join(sorted(set(rep.get("categories") or []))) or "-"
    return f"{'+'.join(kinds)} -> {rep.get('status')}/{cats}"


def _write_failures(scored: Scored, variants: dict[str, Variant], errors: list) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "variants").mkdir(exist_ok=True)
    report: dict[str, object] = {"audit_errors": errors[:EXAMPLES_PER_METRIC]}
    for metric, fails in sorted(scored.failures.items()):
        step = max(1, len(fails) // EXAMPLES_PER_METRIC)
        examples = fails[::step][:EXAMPLES_PER_METRIC]
        patterns = Counter(_pattern(metric, f) for f in fails).most_common(12)
        report[metric] = {"count": len(fails), "patterns": dict(patterns), "examples": examples}
        for f in examples:
            v = variants[str(f["variant"])]
            (OUT / "variants" / f"{v.id}.txt").write_text(v.text, encoding="utf-8")
            truth = json.dumps(v.truth, indent=1, ensure_ascii=False)
            (OUT / "variants" / f"{v.id}.truth.json").write_text(truth, encoding="utf-8")
    path = OUT / "accuracy_failures.json"
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def run(n: int = 200, seed: int = 7, quick: bool = False) -> dict:
    """Generate, audit and score; returns the benchmark result dict (see module docstring)."""
    from analyzer.api import audit_text

    n = min(n, 20) if quick else n
    per_model: dict[str, dict[str, list]] = {}
    variants: dict[str, Variant] = {}
    for model in MODELS:
        batch = generate(model, n, seed)
        variants.update((v.id, v) for v in batch)
        per_model[model] = _audit_all(batch, audit_text)
    scores: dict[str, dict[str, Scored]] = {s: {} for s in SYSTEMS}
    for system in SYSTEMS:
        for model in MODELS:
            scores[system][model] = score(per_model[model][system])
        scores[system]["overall"] = score(r for m in MODELS for r in per_model[m][system])
    errors = [e for m in MODELS for e in per_model[m]["errors"]]
    path = _write_failures(scores["policydiff"]["overall"], variants, errors)
    _progress(f"accuracy: failures written to {path}")
    _summarize(scores["policydiff"]["overall"])
    scopes = ("overall", *MODELS)
    return {
        "name": "accuracy",
        "metrics": {s: scores["policydiff"][s].metrics for s in scopes}
        | {"audit_errors": len(errors), "variants_per_model": n, "seed": seed},
        "counts": {s: scores["policydiff"][s].counts for s in scopes},
        "baselines": {b: {s: scores[b][s].metrics for s in scopes} for b in SYSTEMS[1:]},
        "targets": {k: t for k, _, t, _ in METRICS if t is not None},
        "markdown": _markdown(scores, n, seed, len(errors)),
    }


def _summarize(scored: Scored) -> None:
    """Top failure patterns per metric, on stderr (the details are in the JSON file)."""
    for metric, fails in sorted(scored.failures.items()):
        top = Counter(_pattern(metric, f) for f in fails).most_common(3)
        _progress(f"  {metric}: {len(fails)} failures; " + "; ".join(f"{k} ({c})" for k, c in top))
