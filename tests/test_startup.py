"""Start-up cost of the command line: what an audit imports (analyzer/spacy_loader.py,
lazy imports in the audit path). Each check runs in a fresh interpreter, since a module
imported once stays imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_spacy_loads_without_its_command_line_package_which_stays_importable() -> None:
    out = _run(
        "import json, sys\n"
        "from analyzer.sentences import split_sentences\n"
        "text = 'Minn. Stat. 626.8482 applies. The SRO shall act.'\n"
        "sents = split_sentences([text], abbreviations=['Minn.', 'Stat.'])\n"
        "before = sorted(m for m in ('spacy.cli', 'requests', 'httpx', 'typer', 'weasel')"
        " if m in sys.modules)\n"
        "import spacy, spacy.cli\n"
        "print(json.dumps({'sents': sents[0], 'before': before,"
        " 'real_cli': hasattr(spacy.cli, 'setup_cli'), 'info': callable(spacy.info)}))\n"
    )
    assert out["sents"] == ["Minn. Stat. 626.8482 applies.", "The SRO shall act."]
    assert out["before"] == []
    assert out["real_cli"] and out["info"]


def test_spacy_loader_falls_back_to_the_plain_import() -> None:
    """A spaCy release that cannot be imported with the stand-in is imported plainly."""
    out = _run(
        "import importlib, json, sys\n"
        "real = importlib.import_module\n"
        "calls = []\n"
        "def flaky(name, *a, **k):\n"
        "    calls.append(name)\n"
        "    if name == 'spacy' and calls.count('spacy') == 1:\n"
        "        raise ImportError('laid out differently')\n"
        "    return real(name, *a, **k)\n"
        "importlib.import_module = flaky\n"
        "from analyzer.spacy_loader import load_spacy\n"
        "spacy = load_spacy()\n"
        "nlp = spacy.blank('en'); nlp.add_pipe('sentencizer')\n"
        "print(json.dumps({'calls': [c for c in calls if c == 'spacy'],"
        " 'cli': 'spacy.cli' in sys.modules,"
        " 'sents': [s.text for s in nlp('One. Two.').sents]}))\n"
    )
    assert out["calls"] == ["spacy", "spacy"]
    assert out["cli"]  # the plain import loads the command-line package
    assert out["sents"] == ["One.", "Two."]


def test_spacy_loader_is_safe_when_threads_ask_at_once() -> None:
    out = _run(
        "import json, threading\n"
        "from analyzer.spacy_loader import load_spacy\n"
        "got = []\n"
        "def ask():\n"
        "    got.append(hasattr(load_spacy(), 'blank'))\n"
        "threads = [threading.Thread(target=ask) for _ in range(4)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "print(json.dumps({'got': got}))\n"
    )
    assert out["got"] == [True] * 4


def test_spacy_imports_with_the_collector_paused_and_restored() -> None:
    """No cyclic garbage collection during spaCy's import (about a tenth of its time); the
    collector is restored as it was, on or off."""
    out = _run(
        "import gc, importlib, json\n"
        "import analyzer.spacy_loader as loader\n"
        "seen = []\n"
        "real = importlib.import_module\n"
        "def watch(name, *a, **k):\n"
        "    if name == 'spacy':\n"
        "        seen.append(gc.isenabled())\n"
        "    return real(name, *a, **k)\n"
        "loader.importlib.import_module = watch\n"
        "loader.load_spacy()\n"
        "after = gc.isenabled()\n"
        "gc.disable()\n"
        "loader.load_spacy()\n"
        "print(json.dumps({'seen': seen, 'after': after, 'still_off': not gc.isenabled()}))\n"
    )
    assert out["seen"] and not any(out["seen"])
    assert out["after"] and out["still_off"]


def test_a_settled_process_freezes_its_start_up_objects_a_library_caller_does_not() -> None:
    """After ``settle_after_start_up`` (the CLI), spaCy's import and the sentence pipeline's
    build end with ``gc.freeze``: later collections skip those long-lived objects."""
    code = (
        "import gc, json\n"
        "import analyzer.spacy_loader as loader\n"
        "{settle}"
        "loader.load_spacy()\n"
        "after_import = gc.get_freeze_count()\n"
        "gc.unfreeze()\n"
        "loader.sentence_pipeline(('Minn.',))\n"
        "print(json.dumps([after_import, gc.get_freeze_count()]))\n"
    )
    settled = _run(code.format(settle="loader.settle_after_start_up()\n"))
    plain = _run(code.format(settle=""))
    assert settled[0] > 50_000 and settled[1] > 50_000
    assert plain == [0, 0]


def test_the_command_line_settles_after_start_up(tmp_path: Path) -> None:
    policy = tmp_path / "policy.txt"
    policy.write_text("1. The SRO shall act. The SRO may stop.\n", encoding="utf-8")
    args = ["audit", str(policy), "--format", "json", "-o", str(tmp_path / "a.json")]
    out = _run(
        "import gc, json, sys\n"
        "from analyzer.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(gc.get_freeze_count()))\n"
    )
    assert out > 50_000
