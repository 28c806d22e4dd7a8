"""The layout-invariance runner: every source in every layout family must audit as its clean text.

For each source (the corpus documents and each bundled model's text) and each family, the
family renders the source into a file; the file is audited through the real entry point
(``analyzer.api.audit_path``, so ingest, segment and audit all run) against the model the
clean text's audit chose, and the findings are compared with the clean text's: every
provision's status and substantive flag, the additions (by normalised text) and the verdict.

Exports: sources(), families(), findings(audit), compare(clean, other), run(...) -> Report,
Outcome, Report.
"""

from __future__ import annotations

import hashlib
import importlib
import re
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

from analyzer.api import audit_path
from analyzer.errors import PolicyDiffError
from analyzer.ingest import ingest_text
from analyzer.normalize import fold_typography
from analyzer.segment import segment

from .family import Family, Source

__all__ = ["sources", "families", "findings", "compare", "run", "Outcome", "Report"]

ROOT = Path(__file__).resolve().parents[2]
_WORDS = re.compile(r"\w+")


def sources(names: Iterable[str] | None = None) -> list[Source]:
    """The clean sources: ``corpus/*.txt`` and ``model_policy/*.txt``, by file stem."""
    paths = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "model_policy").glob("*.txt"))
    wanted = set(names) if names is not None else None
    out = []
    for path in paths:
        if wanted is not None and path.stem not in wanted:
            continue
        text = path.read_text(encoding="utf-8")
        out.append(Source(path.stem, text, segment(ingest_text(text, path=str(path)))))
    return out


def families(*, held_out: bool | None = None, names: Iterable[str] | None = None) -> list[Family]:
    """Every family from ``families_text`` and (once it exists) ``families_binary``."""
    found: list[Family] = []
    for module in ("families_text", "families_binary"):
        try:
            mod = importlib.import_module(f"bench.layouts.{module}")
        except ModuleNotFoundError as error:
            if error.name != f"bench.layouts.{module}":
                raise
            continue
        found.extend(mod.FAMILIES)
    wanted = set(names) if names is not None else None
    return [
        f
        for f in found
        if (held_out is None or f.held_out == held_out) and (wanted is None or f.name in wanted)
    ]


def _norm(text: str) -> str:
    """Words of ``text``, case and typography folded (the tool's own typography rule)."""
    return " ".join(_WORDS.findall(fold_typography(text).casefold()))


def findings(audit: dict[str, Any]) -> dict[str, Any]:
    """What must not depend on the layout: verdict, each provision's (status, substantive),
    the additions' normalised texts (sorted)."""
    return {
        "verdict": audit["verdict"],
        "provisions": {
            p["model_ref"]: (p["status"], bool(p["substantive"])) for p in audit["provisions"]
        },
        "additions": sorted(_norm(a["text"]) for a in audit["additions"] if _norm(a["text"])),
    }


def compare(clean: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """The differences between two ``findings``, one line each ([] when invariant)."""
    diffs: list[str] = []
    if clean["verdict"] != other["verdict"]:
        diffs.append(f"verdict {clean['verdict']} -> {other['verdict']}")
    for ref, want in clean["provisions"].items():
        got = other["provisions"].get(ref)
        if got != want:
            diffs.append(f"{ref}: {_show(want)} -> {_show(got)}")
    a, b = clean["additions"], other["additions"]
    if a != b:
        gone = [x for x in a if x not in b]
        new = [x for x in b if x not in a]
        diffs.extend(f"addition lost: {x[:70]!r}" for x in gone)
        diffs.extend(f"addition new: {x[:70]!r}" for x in new)
        if not gone and not new:
            diffs.append(f"additions {len(a)} -> {len(b)} (repeats)")
    return diffs


def _show(status: tuple[str, bool] | None) -> str:
    if status is None:
        return "absent"
    return status[0] + (" (substantive)" if status[1] else "")


@dataclass(frozen=True)
class Outcome:
    """One (family, source) run: invariant or the differences, or the error it raised."""

    family: str
    source: str
    held_out: bool
    diffs: tuple[str, ...]
    error: str = ""
    seconds: float = 0.0

    @property
    def invariant(self) -> bool:
        return not self.diffs and not self.error


@dataclass
class Report:
    """Outcomes of a run, summarised per family and for tuned / held-out families."""

    outcomes: list[Outcome] = field(default_factory=list)

    def rate(self, held_out: bool | None = None, family: str | None = None) -> tuple[int, int]:
        sel = [
            o
            for o in self.outcomes
            if (held_out is None or o.held_out == held_out)
            and (family is None or o.family == family)
        ]
        return sum(o.invariant for o in sel), len(sel)

    def family_names(self) -> list[str]:
        return list(dict.fromkeys(o.family for o in self.outcomes))

    def markdown(self, *, detail: int = 3) -> str:
        lines = ["| family | held out | invariant | first differences |", "|---|---|---|---|"]
        for name in self.family_names():
            sel = [o for o in self.outcomes if o.family == name]
            ok, n = self.rate(family=name)
            bad = [o for o in sel if not o.invariant]
            notes = "; ".join(
                f"{o.source}: {o.error or ', '.join(o.diffs[:detail])}"
                + (f" (+{len(o.diffs) - detail})" if len(o.diffs) > detail else "")
                for o in bad[:2]
            )
            notes = notes.replace("|", "\\|")
            lines.append(f"| {name} | {'yes' if sel[0].held_out else 'no'} | {ok}/{n} | {notes} |")
        t_ok, t_n = self.rate(held_out=False)
        h_ok, h_n = self.rate(held_out=True)
        lines.append("")
        lines.append(f"Tuned families: {t_ok}/{t_n} invariant; held-out families: {h_ok}/{h_n}.")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        t_ok, t_n = self.rate(held_out=False)
        h_ok, h_n = self.rate(held_out=True)
        return {
            "tuned": {"invariant": t_ok, "runs": t_n},
            "held_out": {"invariant": h_ok, "runs": h_n},
            "families": {
                name: {"invariant": self.rate(family=name)[0], "runs": self.rate(family=name)[1]}
                for name in self.family_names()
            },
            "failures": [
                {"family": o.family, "source": o.source, "error": o.error, "diffs": list(o.diffs)}
                for o in self.outcomes
                if not o.invariant
            ],
        }


def _seed(family: str, source: str, seed: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{family}:{source}".encode()).digest()[:8], "big")


def _audit_bytes(data: bytes, suffix: str, model: str, workdir: Path, name: str) -> dict[str, Any]:
    path = workdir / f"{name}{suffix}"
    path.write_bytes(data)
    return audit_path(path, model=model)


def run(
    srcs: Sequence[Source] | None = None,
    fams: Sequence[Family] | None = None,
    *,
    seed: int = 0,
) -> Report:
    """Render every source in every family, audit it and compare with the clean audit."""
    srcs = list(srcs) if srcs is not None else sources()
    fams = list(fams) if fams is not None else families()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="layouts-") as tmp:
        workdir = Path(tmp)
        for src in srcs:
            clean_audit = _audit_bytes(src.text.encode(), ".txt", "auto", workdir, src.id)
            model = clean_audit["model"]["id"]
            clean = findings(clean_audit)
            for fam in fams:
                start = time.perf_counter()
                try:
                    suffix, data = fam.render(src, Random(_seed(fam.name, src.id, seed)))
                    got = findings(
                        _audit_bytes(data, suffix, model, workdir, f"{src.id}-{fam.name}")
                    )
                    diffs, error = tuple(compare(clean, got)), ""
                except PolicyDiffError as err:
                    diffs, error = (), f"error: {err}"
                report.outcomes.append(
                    Outcome(
                        fam.name, src.id, fam.held_out, diffs, error, time.perf_counter() - start
                    )
                )
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.layouts.harness [--held-out] [--family NAME ...] [--source ID ...]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.layouts.harness")
    parser.add_argument("--held-out", action="store_true", help="also run the held-out families")
    parser.add_argument("--family", nargs="*", help="only these families")
    parser.add_argument("--source", nargs="*", help="only these sources (file stems)")
    parser.add_argument("--verbose", "-v", action="store_true", help="every difference")
    args = parser.parse_args(argv)
    fams = families(held_out=None if args.held_out else False, names=args.family)
    report = run(sources(args.source), fams)
    print(report.markdown(detail=1000 if args.verbose else 3))
    return 0 if all(o.invariant for o in report.outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
