"""The run context: what every stage reads, loaded once and passed down.

The model directory is chosen once (``load_context(model_dir)``; ``default_context()`` reads
POLICYDIFF_MODEL_DIR at the entry point, never inside a stage). The context holds the
normalization tables (``normalization.json``) and the word lists (``words.json``) as one
``Lexicon``, both read and checked when the context is built; the effects table
(``effects.json``); the models and their requirement catalogs (read on first use, then kept);
the normalizers that do not depend on a document; and the settings (dataclasses with
defaults). ``normalization.json``, ``effects.json`` and ``words.json`` missing from a model
directory are taken from the bundled ``model_policy/``. A file that cannot be used is a
one-line ``ConfigError`` naming the file and the fix, never a traceback. Stages are handed
what they read from here; none of them reads a file, the environment or a cache keyed by
a name.

Exports: Context, Settings, load_context(model_dir=None, *, settings=None) -> Context,
default_context() -> Context.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .baselines import model_dir as _env_model_dir
from .baselines import model_ids as _model_ids
from .baselines import read_json, read_model
from .errors import ConfigError
from .lexicon import Lexicon, lexicon_from
from .model import ClauseKind, ModelPolicy, Side
from .normalize import Normalizer, build_normalizer, check_tables
from .pair import PairSettings, sentence_units, side
from .ratios import RatioColumns

if TYPE_CHECKING:
    from .check import Catalog
    from .effects import EffectRules

__all__ = ["Context", "Settings", "load_context", "default_context", "BUNDLED"]

BUNDLED = Path(__file__).resolve().parent.parent / "model_policy"


def data_file(directory: Path, name: str) -> Path:
    """``name`` in the model directory, or the bundled one when the directory has none."""
    path = directory / name
    return path if path.is_file() else BUNDLED / name


@dataclass(frozen=True)
class Settings:
    """Tunable settings of one run, with their defaults."""

    pair: PairSettings = field(default_factory=PairSettings)
    follows_min_coverage: float = 0.2  # below this share of a model's sentences: not followed
    follows_min_ratio: float = 85.0  # a model sentence "found" in the document (fuzz.ratio)
    fallback_model: str = "post-sro"  # the model 626.8482 subd. 6 makes agencies follow
    attachment_min_completeness: float = 0.5  # share of the model a carried copy holds
    attachment_min_share: float = 0.6  # share of the attachment's sentences found in the model
    attachment_min_body_sentences: int = 5  # fewer outside the copy: a cover note, judge the copy


class Context:
    """Everything loaded for one run (see the module docstring). Models and catalogs are
    read on first use and kept for the life of the context."""

    def __init__(self, directory: Path, settings: Settings) -> None:
        self.model_dir = directory
        self.settings = settings
        tables = data_file(directory, "normalization.json")
        self.tables: dict[str, Any] = check_tables(
            read_json(tables, "normalization table"), str(tables)
        )
        words = data_file(directory, "words.json")
        self.lexicon: Lexicon = lexicon_from(
            self.tables, read_json(words, "word list file"), str(words)
        )
        self._models: dict[str, ModelPolicy] = {}
        self._catalogs: dict[str, Catalog | None] = {}
        self._model_normalizers: dict[str, Normalizer] = {}
        self._norms: dict[str, list[str]] = {}
        self._sides: dict[str, Side] = {}
        self._ratios: dict[str, tuple[Side, RatioColumns]] = {}
        self._detect_ratios: dict[str, RatioColumns] = {}
        self._base: Normalizer | None = None
        self._rules: EffectRules | None = None
        self._ids: list[str] | None = None

    def model_ids(self) -> list[str]:
        if self._ids is None:
            self._ids = _model_ids(self.model_dir)
        return list(self._ids)

    def model(self, name: str) -> ModelPolicy:
        """A model by id or by path of a text file."""
        hit = self._models.get(name)
        if hit is None:
            hit = self._models[name] = read_model(name, self.model_dir)
        return hit

    def catalog(self, model: ModelPolicy | str) -> Catalog | None:
        """The requirement catalog of a model (``<id>.requirements.json`` in the model
        directory, or beside a model text file), or None."""
        model_id = model if isinstance(model, str) else model.id
        source = model.source if isinstance(model, ModelPolicy) else ""
        if isinstance(model, str) and (Path(model).suffix in {".txt", ".md"} or "/" in model):
            path = Path(model).with_name(f"{Path(model).stem}.requirements.json")
            return self._read_catalog(model, path)  # a model text file: its sibling
        if model_id in self._catalogs:
            return self._catalogs[model_id]
        path = self.model_dir / f"{model_id}.requirements.json"
        if not path.is_file() and source:
            beside = Path(source)
            path = beside.with_name(f"{beside.stem}.requirements.json")
        return self._read_catalog(model_id, path)

    def _read_catalog(self, key: str, path: Path) -> Catalog | None:
        from .check import catalog_from_dict

        if key in self._catalogs:
            return self._catalogs[key]
        catalog = None
        if path.is_file():
            data = read_json(path, "requirement catalog")
            if not isinstance(data, dict):
                raise ConfigError(str(path), "the catalog is not a JSON object", "fix the file")
            try:
                catalog = catalog_from_dict(data, str(path))
            except ValueError as err:
                text = str(err).removeprefix(f"{path}: ").rstrip(".")
                cause, _, fix = text.rpartition("; ") if "; " in text else (text, "", "")
                raise ConfigError(str(path), cause, fix or "fix the catalog") from None
        self._catalogs[key] = catalog
        return catalog

    def rules(self) -> EffectRules:
        """The effects table (``effects.json``: category x direction -> effect)."""
        if self._rules is None:
            from .effects import load_rules

            self._rules = load_rules(data_file(self.model_dir, "effects.json"))
        return self._rules

    def base_normalizer(self) -> Normalizer:
        """The declared tables only (no model, no document names)."""
        if self._base is None:
            self._base = build_normalizer(None, tables=self.tables, lexicon=self.lexicon)
        return self._base

    def model_normalizer(self, model: ModelPolicy) -> Normalizer:
        """The model's substitutions without a document's names (the model's own text)."""
        key = f"{model.id}\0{model.source}"
        hit = self._model_normalizers.get(key)
        if hit is None:
            hit = self._model_normalizers[key] = build_normalizer(
                model, "", tables=self.tables, lexicon=self.lexicon
            )
        return hit

    def model_side(self, model: ModelPolicy) -> Side:
        """The model's provisions and their sentences under its own normalizer: the OLD
        side of every audit against it (built once)."""
        key = f"{model.id}\0{model.source}"
        hit = self._sides.get(key)
        if hit is None or hit.tree is not model.tree:
            clauses = [
                c for c in model.tree.clauses if c.text.strip() and c.kind is ClauseKind.BODY
            ]
            hit = self._sides[key] = side(model.tree, self.model_normalizer(model), clauses=clauses)
        return hit

    def side_ratios(self, old: Side) -> RatioColumns | None:
        """The ratio columns kept for a model side built by ``model_side`` (the OLD side of
        every audit against that model), None for any other side."""
        for key, hit in self._sides.items():
            if hit is old:
                kept = self._ratios.get(key)
                if kept is None or kept[0] is not old:
                    norms = [u.norm for u in old.units]
                    kept = self._ratios[key] = (old, RatioColumns(norms, norms))
                return kept[1]
        return None

    def detect_ratios(self, model_id: str) -> RatioColumns:
        """Model detection's scores of ``model_id``'s sentences (``model_norms``), the
        columns of document sentences that repeat a bundled model's sentence kept."""
        hit = self._detect_ratios.get(model_id)
        if hit is None:
            known = {n for mid in self.model_ids() for n in self.model_norms(mid)}
            cutoff = max(math.ceil(self.settings.follows_min_ratio) - 0.5, 0.0)
            hit = self._detect_ratios[model_id] = RatioColumns(
                self.model_norms(model_id), known, dtype=np.uint8, score_cutoff=cutoff
            )
        return hit

    def model_norms(self, model_id: str) -> list[str]:
        """The model's sentences under the base normalizer (model detection)."""
        hit = self._norms.get(model_id)
        if hit is None:
            model = self.model(model_id)
            provisions = [
                c for c in model.tree.clauses if c.text.strip() and c.kind is ClauseKind.BODY
            ]
            hit = [u.norm for u in sentence_units(provisions, self.base_normalizer())]
            self._norms[model_id] = hit
        return hit


def load_context(
    model_dir: str | Path | None = None, *, settings: Settings | None = None
) -> Context:
    """A fresh context over ``model_dir`` (default: POLICYDIFF_MODEL_DIR or the bundled
    models)."""
    directory = Path(model_dir) if model_dir is not None else _env_model_dir()
    return Context(directory, settings or Settings())


_DEFAULT: dict[str, Context] = {}


def default_context() -> Context:
    """The process's context for the current model directory (entry points only: the
    library functions call it when they are not given a context)."""
    directory = _env_model_dir()
    key = str(directory)
    hit = _DEFAULT.get(key)
    if hit is None:
        _DEFAULT.clear()
        hit = _DEFAULT[key] = Context(directory, Settings())
    return hit
