"""Reading identity: is the reading output (and every audit) byte-identical to a saved run?

Speed work on the reader must not change what it reads. ``dump`` writes a fixed set of inputs
once (each corpus document and model text in every layout family, seed 0; the seeds folder;
mutated variants of both models; the engine benchmark's variants); ``snapshot`` hashes, for
each input, the ``Document`` and ``ClauseTree`` reprs, the sentence splits of the clauses, the
tree of ``segment_text`` (text inputs) and the audit JSON (plain-text inputs), plus the audit
of each ``corpus/*.txt``. Take a snapshot before a change and after it, on the same dumped
inputs, and compare the two files.

    python -m bench.reading_identity dump /tmp/inputs [--seeds /work/shared/seeds]
    python -m bench.reading_identity snapshot /tmp/inputs /tmp/before.json
    ... change the code ...
    python -m bench.reading_identity snapshot /tmp/inputs /tmp/after.json
    cmp /tmp/before.json /tmp/after.json

Exports: dump(folder, seeds=None) -> int, snapshot(folder) -> dict[str, list[str]].
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from random import Random

__all__ = ["dump", "snapshot"]

ROOT = Path(__file__).resolve().parents[1]
_AUDITED = ("src", "seed", "mut", "bench")  # plain-text inputs whose audit is hashed too


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def dump(folder: Path, seeds: Path | None = None) -> int:
    """Write the inputs into ``folder``; how many."""
    from bench.layouts.harness import _seed, families, sources
    from bench.mutate import generate

    folder.mkdir(parents=True, exist_ok=True)
    count = 0

    def put(name: str, data: bytes | str) -> None:
        nonlocal count
        (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        count += 1

    srcs = sources()
    for src in srcs:
        put(f"src__{src.id}.txt", src.text)
    for fam in families():
        for src in srcs:
            suffix, data = fam.render(src, Random(_seed(fam.name, src.id, 0)))
            put(f"fam__{fam.name}__{src.id}{suffix}", data)
    for path in sorted(seeds.glob("*.txt")) if seeds is not None else ():
        put(f"seed__{path.name}", path.read_bytes())
    for model in ("post-sro", "msba-507.5"):
        for i, variant in enumerate(generate(model, 30, 7)):
            put(f"mut__{model}__{i:02d}.txt", variant.text)
    for i, variant in enumerate(generate("post-sro", 21, 101)):  # bench.engine_speed's
        put(f"bench__{i:02d}.txt", variant.text)
    return count


def snapshot(folder: Path) -> dict[str, list[str]]:
    """Hashes of what the reader and the audit make of each input in ``folder``."""
    from analyzer.api import audit_path
    from analyzer.context import default_context
    from analyzer.errors import PolicyDiffError
    from analyzer.ingest import ingest_bytes
    from analyzer.segment import segment, segment_text
    from analyzer.sentences import split_sentences

    abbreviations = tuple(default_context().lexicon.abbreviations)
    out: dict[str, list[str]] = {}
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        try:
            doc = ingest_bytes(data, path=path.name)
            tree = segment(doc)
            sentences = split_sentences([c.text for c in tree.clauses], abbreviations=abbreviations)
            row = [_hash(repr(doc)), _hash(repr(tree)), _hash(repr(sentences))]
            if path.suffix == ".txt":
                row.append(_hash(repr(segment_text(data.decode("utf-8", "replace")))))
        except PolicyDiffError as error:
            row = ["error", str(error)]
        if path.suffix == ".txt" and path.name.split("__")[0] in _AUDITED:
            row.append(_hash(json.dumps(audit_path(path, model="auto"), sort_keys=True)))
        out[path.name] = row
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        out[f"corpus/{path.name}"] = [_hash(json.dumps(audit_path(path), sort_keys=True))]
    return out


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "dump":
        seeds = Path(argv[argv.index("--seeds") + 1]) if "--seeds" in argv else None
        print(f"{dump(Path(argv[1]), seeds)} inputs written to {argv[1]}")
        return 0
    if len(argv) == 3 and argv[0] == "snapshot":
        result = snapshot(Path(argv[1]))
        Path(argv[2]).write_text(json.dumps(result, indent=0, sort_keys=True), encoding="utf-8")
        print(f"{len(result)} entries written to {argv[2]}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
