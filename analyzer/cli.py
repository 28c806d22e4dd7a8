"""The ``policydiff`` command: a thin click layer over the library.

Commands: segment, audit, compare, batch, demo, models. Exit codes: 0 done; 1 a document or
model could not be read (one line on stderr naming the file and the fix); 2 usage error;
3 with ``audit --strict`` when the verdict is not-substantially-similar.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import PolicyDiffError

__all__ = ["main", "cli"]

EXIT_INPUT = 1
EXIT_NSS = 3


def _fail(err: PolicyDiffError) -> None:
    click.echo(f"policydiff: error: {err}", err=True)
    sys.exit(EXIT_INPUT)


def _emit(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policydiff")
def cli() -> None:
    """Audit policy documents against a model policy, clause by clause."""


@cli.command("segment")
@click.argument("file", required=False)
@click.option("--model", "model_id", help="Print a bundled model's outline instead of a file's.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def segment_cmd(file: str | None, model_id: str | None, fmt: str) -> None:
    """Print the clause tree of FILE (or of a model with --model ID)."""
    from .api import segment_path
    from .baselines import load_model

    if bool(file) == bool(model_id):
        raise click.UsageError("give a FILE or --model ID (not both)")
    try:
        tree = load_model(model_id).tree if model_id else segment_path(file or "")
    except PolicyDiffError as err:
        _fail(err)
        return
    if fmt == "json":
        data = {"title": tree.title, "clauses": [c.to_dict() for c in tree.clauses]}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for c in tree.clauses:
        head = f"[{c.heading}] " if c.heading else ""
        loc = c.location
        text = " ".join(c.text.split())
        text = text if len(text) <= 100 else text[:97] + "..."
        click.echo(f"{'  ' * c.depth}{c.ref}  (l.{loc.line}) {head}{text}")


def _rule(max_missing: float, max_weakened: int, statutory: bool) -> Any:
    from .verdict import VerdictRule

    return VerdictRule(
        max_missing_ratio=max_missing, max_weakened=max_weakened, statutory=statutory
    )


@cli.command("audit")
@click.argument("file")
@click.option(
    "--model",
    default="auto",
    show_default=True,
    help="post-sro, msba-507.5, auto, or a model text file.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html", "md", "csv"]),
    default="text",
    show_default=True,
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout."
)
@click.option(
    "--max-missing",
    type=float,
    default=0.10,
    show_default=True,
    help="Verdict rule: share of provisions that may be missing.",
)
@click.option(
    "--max-weakened",
    type=int,
    default=3,
    show_default=True,
    help="Verdict rule: missing + weakened provisions allowed.",
)
@click.option(
    "--no-statutory", is_flag=True, help="Verdict rule: do not fail on statutory requirements."
)
@click.option(
    "--max-bytes", type=int, default=50_000_000, show_default=True, help="Refuse larger files."
)
@click.option(
    "--strict", is_flag=True, help="Exit 3 when the verdict is not-substantially-similar."
)
def audit_cmd(
    file: str,
    model: str,
    fmt: str,
    output: str | None,
    max_missing: float,
    max_weakened: int,
    no_statutory: bool,
    max_bytes: int,
    strict: bool,
) -> None:
    """Audit FILE against a model policy and report every provision."""
    from .api import audit_path
    from .report import render

    try:
        data = audit_path(
            file,
            model=model,
            rule=_rule(max_missing, max_weakened, not no_statutory),
            max_bytes=max_bytes,
        )
    except PolicyDiffError as err:
        _fail(err)
        return
    _emit(render(data, fmt), output)
    if strict and data["verdict"] == "not-substantially-similar":
        sys.exit(EXIT_NSS)


@cli.command("models")
def models_cmd() -> None:
    """List the bundled model policies."""
    from .baselines import load_model, model_ids

    for mid in model_ids():
        m = load_model(mid)
        n = sum(1 for c in m.tree.clauses if c.text)
        click.echo(f"{mid:<12} {m.title} ({m.statute}; {n} provisions; adopted by: {m.kind})")


@cli.command("demo")
@click.option("--corpus", default="corpus", show_default=True, type=click.Path(file_okay=False))
@click.option("--out", default="reports", show_default=True, type=click.Path(file_okay=False))
def demo_cmd(corpus: str, out: str) -> None:
    """Audit every document of the corpus against the model it follows; write reports."""
    from .demo import run_demo

    try:
        rows = run_demo(Path(corpus), Path(out))
    except PolicyDiffError as err:
        _fail(err)
        return
    for row in rows:
        click.echo(f"{row['verdict']:<26} {row['model']:<11} {row['file']}")
    click.echo(f"wrote {Path(out) / 'index.html'}")


def _register() -> None:
    from .batch import batch_command
    from .compare import compare_command

    cli.add_command(compare_command, "compare")
    cli.add_command(batch_command, "batch")


_register()


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="policydiff")
