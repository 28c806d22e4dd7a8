"""A layout family: one way of publishing the same policy text (the layout-invariance harness).

A family renders a clean policy (its text and its clause tree) into the bytes of a file in
another layout, without changing a word of the policy. The harness audits both and checks
that the findings are the same.

Exports: Source, Family.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from random import Random

from analyzer.model import ClauseTree


@dataclass(frozen=True)
class Source:
    """A clean policy to re-publish: an id, its plain text and the clause tree read from it."""

    id: str
    text: str
    tree: ClauseTree


@dataclass(frozen=True)
class Family:
    """One layout family.

    ``render(source, rng) -> (suffix, data)``: the file's suffix (".txt", ".md", ".pdf",
    ".docx") and its bytes. ``held_out`` families are never used while tuning the reader:
    they are run at the end and reported apart.
    """

    name: str
    kind: str  # "text", "markdown", "pdf" or "docx"
    held_out: bool
    render: Callable[[Source, Random], tuple[str, bytes]]
    description: str = ""
