"""Import spaCy without its command-line package (a start-up cost the audit never uses).

``import spacy`` runs ``from .cli.info import info``, and importing ``spacy.cli`` imports
every spaCy command (download, init, project, ...) and with them requests, httpx, typer,
rich, weasel and jinja2: about a third of spaCy's import time, none of it needed to split
sentences. ``load_spacy`` imports spaCy with a stand-in for ``spacy.cli`` and takes the
stand-in away afterwards, so a later ``import spacy.cli`` imports the real package and
``spacy.info()`` calls the real command. If the import fails with the stand-in (a spaCy
release laid out differently), spaCy is imported the ordinary way.

The sentence pipeline (``sentence_pipeline``) is the one ``spacy.blank("en")`` with the
``sentencizer`` makes, built from spaCy's own parts (``Tokenizer``, ``Sentencizer``, the English
defaults) without the ``Language`` machinery the audit never uses (the component registry,
entry points, config validation: about 0.1 s of start-up). In the CLI (a settled process,
below) its tokenizer learns each of its 1,300-odd special cases (English exceptions and the
caller's abbreviations) the first time a text it is given could use it: a special case can
only change how a text is cut where the text contains the case's characters (whitespace
aside), so the tokens are the ones the full list gives, and the 0.1 s of making every case's
lexemes and patterns is paid for the few a policy uses. Elsewhere (a library caller, batch
workers warmed once by their forkserver) all cases are learned when it is built.
``tests/test_spacy_pipeline.py`` holds the pipeline to ``spacy.blank("en")``.

The cyclic garbage collector is paused during the import and the build (they make hundreds
of thousands of objects and almost no garbage: the collections they would trigger are about a
tenth of the import's time) and restored to its previous state afterwards; a one-command
process (the CLI) also calls ``settle_after_start_up``, and the objects both leave behind are
frozen (``gc.freeze``): with the collector merely paused, its next collections walked them all
(0.1-0.5 s of an audit's CPU, most for the largest documents).

Exports: load_spacy() -> the ``spacy`` module; sentence_pipeline(abbreviations) ->
SentencePipeline (``pipe(texts)`` yields sentence-split ``Doc`` objects);
settle_after_start_up().
"""

from __future__ import annotations

import gc
import importlib
import operator
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from types import ModuleType
from typing import Any

__all__ = ["load_spacy", "sentence_pipeline", "SentencePipeline", "settle_after_start_up"]


def _info(*args: Any, **kwargs: Any) -> Any:
    """``spacy.info``: the real command, imported when it is called."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


def _forget(prefix: str) -> None:
    for name in [n for n in sys.modules if n == prefix or n.startswith(prefix + ".")]:
        del sys.modules[name]


_LOCK = threading.Lock()


def load_spacy() -> ModuleType:
    """The ``spacy`` module, imported without ``spacy.cli`` unless it is already loaded
    (or being loaded: then the import finishes first). One thread at a time."""
    with _LOCK:
        if "spacy" in sys.modules:
            return importlib.import_module("spacy")  # waits for an import in progress
        with _collector_paused():
            spacy = _import()
            _freeze_if_settled()
            return spacy


_SETTLE = [False]


def settle_after_start_up() -> None:
    """For a process that runs one command and exits (the CLI): once spaCy is imported and
    once the sentence pipeline is built, move every object that exists into the collector's
    permanent generation (``gc.freeze``), so the collections the work triggers no longer
    walk the start-up's hundreds of thousands of long-lived objects. Reference counting
    still frees what is dropped. Not done for a library caller, whose own objects it
    would freeze too."""
    _SETTLE[0] = True


def _freeze_if_settled() -> None:
    """In a settled process, move every object that exists now out of the collector's walk."""
    if _SETTLE[0]:
        gc.freeze()


class _collector_paused:  # noqa: N801 - used as a statement: with _collector_paused():
    """Pause the cyclic garbage collector; restore its previous state on exit."""

    def __enter__(self) -> None:
        self.collecting = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.collecting:
            gc.enable()


def _import() -> ModuleType:
    cli = ModuleType("spacy.cli")
    cli.__path__ = []  # a package, so "spacy.cli.info" can sit under it
    info = ModuleType("spacy.cli.info")
    info.info = _info  # type: ignore[attr-defined]
    stand_ins = {"spacy.cli": cli, "spacy.cli.info": info}
    sys.modules.update(stand_ins)
    try:
        spacy = importlib.import_module("spacy")
    except Exception:  # noqa: BLE001 - any failure: forget the attempt, import plainly
        _forget("spacy")
        spacy = None
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
    if spacy is None:
        return importlib.import_module("spacy")
    if getattr(spacy, "cli", None) is cli:
        delattr(spacy, "cli")
    return spacy


# ----------------------------------------------------------------------------- sentences

_MAX_LENGTH = 10**6  # spaCy's Language.max_length: a longer text is refused (E088), as before
# characters of text scanned (in all) past which every pending case is simply added: a long
# run (a batch) pays the whole list once instead of a scan per document
_SCAN_BUDGET = 400_000


class SentencePipeline:
    """spaCy's English tokenizer (its prefixes, suffixes, infixes, URL match and special
    cases, plus the caller's abbreviations as single tokens) followed by the rule-based
    ``Sentencizer``: the pipeline of ``spacy.blank("en")`` + ``add_pipe("sentencizer")``.
    ``lazy``: special cases are taught to the tokenizer when a text could first use them
    (else all of them now)."""

    def __init__(self, abbreviations: Sequence[str], *, lazy: bool = False) -> None:
        load_spacy()
        from spacy.lang.en import English
        from spacy.pipeline import Sentencizer
        from spacy.symbols import ORTH
        from spacy.tokenizer import Tokenizer
        from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex
        from spacy.vocab import create_vocab

        defaults = English.Defaults
        prefixes, suffixes, infixes = defaults.prefixes, defaults.suffixes, defaults.infixes
        # as spacy.language.create_tokenizer builds it, with no special case yet
        self.tokenizer = Tokenizer(
            create_vocab(English.lang, defaults),
            rules={},
            prefix_search=compile_prefix_regex(prefixes).search if prefixes else None,
            suffix_search=compile_suffix_regex(suffixes).search if suffixes else None,
            infix_finditer=compile_infix_regex(infixes).finditer if infixes else None,
            token_match=defaults.token_match,
            url_match=defaults.url_match,
        )
        self.sentencizer = Sentencizer()
        # the special cases in the order the eager build adds them: the language's, sorted
        # (Tokenizer._load_special_cases), then each abbreviation
        cases = [(k, v) for k, v in sorted(defaults.tokenizer_exceptions.items())]
        cases += [(a, [{ORTH: a}]) for a in abbreviations]
        self._pending: dict[int, tuple[str, Any, str, frozenset[str]]] = {
            i: (key, value, _squeeze(key), _pairs(_squeeze(key)))
            for i, (key, value) in enumerate(cases)
        }
        self._scanned = 0
        self._lock = threading.Lock()
        if not lazy:
            self._learn_all()

    def pipe(self, texts: Iterable[str]) -> Iterator[Any]:
        """A sentence-split ``Doc`` for each text, in order (``Language.pipe``)."""
        texts = list(texts)
        for text in texts:
            if len(text) > _MAX_LENGTH:
                from spacy.errors import Errors

                raise ValueError(Errors.E088.format(length=len(text), max_length=_MAX_LENGTH))
        if self._pending:
            self._learn(texts)
        tokenizer, sentencizer = self.tokenizer, self.sentencizer
        for text in texts:
            yield sentencizer(tokenizer(text))

    def _learn(self, texts: list[str]) -> None:
        """Add every pending special case whose characters (whitespace aside) occur in the
        texts. A case can cut a text only where the text holds its characters: its string
        as a whole chunk or the rest of one after affixes, or its affix-split tokens in a
        row (the tokenizer's phrase matcher, which compares tokens, not the spaces between
        them), so the texts come out as with every case added."""
        squeezed = _squeeze("".join(texts))
        with self._lock, _collector_paused():
            self._scanned += len(squeezed)
            if self._scanned > _SCAN_BUDGET:  # scanning would cost more than adding them all
                needed = list(self._pending)
            else:
                pairs = _pairs(squeezed)
                needed = [
                    i
                    for i, (_key, _value, squeezed_key, key_pairs) in self._pending.items()
                    if key_pairs <= pairs and squeezed_key in squeezed
                ]
            self._add(needed)

    def _learn_all(self) -> None:
        with self._lock, _collector_paused():
            self._add(list(self._pending))

    def _add(self, needed: list[int]) -> None:
        for i in needed:
            key, value, _, _ = self._pending.pop(i)
            self.tokenizer.add_special_case(key, value)


def _squeeze(text: str) -> str:
    """``text`` without its whitespace (the characters ``str.isspace`` accepts, where the
    tokenizer splits)."""
    return "".join(text.split())


def _pairs(text: str) -> frozenset[str]:
    """The two-character pieces of ``text`` (none for a shorter text): a quick "no" before
    the substring test."""
    return frozenset(map(operator.add, text, text[1:]))


def sentence_pipeline(abbreviations: Sequence[str]) -> SentencePipeline:
    """A new sentence pipeline that never splits after one of ``abbreviations``. In a
    settled process (the CLI: one command, then exit) its special cases are learned as
    texts need them; elsewhere (a library caller, a batch worker, whose forkserver builds
    the pipeline once for every worker) all at once, as spaCy does."""
    with _collector_paused():
        pipeline = SentencePipeline(abbreviations, lazy=_SETTLE[0])
        _freeze_if_settled()
        return pipeline
