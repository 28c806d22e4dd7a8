"""Fuzzing in the test suite: a few dozen mutated corpus texts through segment, audit and compare.

The long run (10,000 cases) is ``bench/fuzz.py`` in ``make bench``; this keeps a small,
deterministic sample in every ``make test`` so a crash on odd input fails the suite.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fuzz import SOURCES, check_case, mutate

TEXTS = [p.read_text(encoding="utf-8") for p in SOURCES]


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(source=st.integers(0, len(TEXTS) - 1), seed=st.integers(0, 2**32 - 1))
def test_fuzzed_texts_keep_every_promise(source: int, seed: int) -> None:
    base = TEXTS[source]
    text = mutate(base, random.Random(seed))
    assert check_case(text, other=base) == []


def test_fuzz_mutations_are_deterministic_and_change_the_text() -> None:
    base = TEXTS[0]
    a = mutate(base, random.Random(7))
    assert a == mutate(base, random.Random(7))
    assert a != base


def test_check_case_reports_a_broken_redline(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The checker itself can fail: a redline that does not rebuild is reported."""
    import bench.fuzz as fuzz

    real = fuzz._audit_problems

    def broken(data):  # type: ignore[no-untyped-def]
        for p in data["provisions"]:
            if p.get("redline"):
                p["redline"] = [["insert", "tampered"]]
                break
        return real(data)

    monkeypatch.setattr(fuzz, "_audit_problems", broken)
    assert any("rebuild" in p for p in check_case(TEXTS[0], other=TEXTS[0]))
