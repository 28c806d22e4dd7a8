"""Import spaCy without its command-line package (a start-up cost the audit never uses).

``import spacy`` runs ``from .cli.info import info``, and importing ``spacy.cli`` imports
every spaCy command (download, init, project, ...) and with them requests, httpx, typer,
rich, weasel and jinja2: about a third of spaCy's import time, none of it needed to split
sentences. ``load_spacy`` imports spaCy with a stand-in for ``spacy.cli`` and takes the
stand-in away afterwards, so a later ``import spacy.cli`` imports the real package and
``spacy.info()`` calls the real command. If the import fails with the stand-in (a spaCy
release laid out differently), spaCy is imported the ordinary way.

The cyclic garbage collector is paused during the import (it makes hundreds of thousands
of objects and almost no garbage, so the collections it would trigger are about a tenth of
the import's time) and restored to its previous state afterwards.

Exports: load_spacy() -> the ``spacy`` module.
"""

from __future__ import annotations

import gc
import importlib
import sys
import threading
from types import ModuleType
from typing import Any

__all__ = ["load_spacy"]


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
        collecting = gc.isenabled()
        gc.disable()
        try:
            return _import()
        finally:
            if collecting:
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
