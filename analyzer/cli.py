"""The ``policydiff`` command: a thin click layer over the library.

Commands: segment, audit, compare, batch, demo, models. Every command lives here, and every
failure leaves through one path (``_Group.invoke``): a ``PolicyDiffError`` (a document, a model
or an output that cannot be used) prints one line on stderr and exits 1; a usage error exits 2
(click); ``audit --strict`` exits 3 when the verdict is not-substantially-similar or
needs-review.
Document text is untrusted: what goes to a terminal or a file has its control characters and
escape sequences removed, and file names are shown escaped (``textsafe``).
"""

from __future__ import annotations

import errno
import json
import math
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__
from .errors import OutputError, PolicyDiffError
from .serve.command import serve_command
from .textsafe import json_safe, terminal

__all__ = ["main", "cli"]

EXIT_INPUT = 1
EXIT_NSS = 3


def _fail(err: PolicyDiffError) -> NoReturn:
    click.echo(f"policydiff: error: {err}", err=True)
    sys.exit(EXIT_INPUT)


class _Group(click.Group):
    """The one error-to-exit-code path of every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PolicyDiffError as err:
            _fail(err)


def _silence_stdout() -> None:
    """After stdout failed (a closed pipe, a full disk), send what is left nowhere, so the
    interpreter's final flush does not print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _emit(text: str, output: str | None, fmt: str = "text") -> None:
    """Write a rendered report to ``output`` (a file) or stdout; OSError is a one-line error."""
    text = json_safe(text) if fmt == "json" else terminal(text)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise OutputError(output, error) from error
        click.echo(f"wrote {terminal(output)}", err=True)
        return
    try:
        click.echo(text, nl=False)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (| head): not an error
        _silence_stdout()
    except OSError as error:
        _silence_stdout()
        raise OutputError("<stdout>", error) from error


def _finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number between 0 and 1.")
    return value


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policydiff")
def cli() -> None:
    """Audit policy documents against a model policy, clause by clause."""


_FILE = click.Path(dir_okay=False)
_OUTPUT = click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout."
)
_MAX_BYTES = click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=50_000_000,
    show_default=True,
    help="Refuse larger files.",
)


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
    tree = load_model(model_id).tree if model_id else segment_path(file or "")
    if fmt == "json":
        data = {"title": tree.title, "clauses": [c.to_dict() for c in tree.clauses]}
        _emit(json.dumps(data, indent=2, ensure_ascii=False) + "\n", None, "json")
        return
    lines = []
    for c in tree.clauses:
        head = f"[{c.heading}] " if c.heading else ""
        text = " ".join(c.text.split())
        text = text if len(text) <= 100 else text[:97] + "..."
        lines.append(f"{'  ' * c.depth}{c.ref}  (l.{c.location.line}) {head}{text}\n")
    _emit("".join(lines), None)


_BINARY = ("docx", "pdf")  # written to a file only (analyzer.binary_out)


def _binary_output(fmt: str, output: str | None) -> str:
    if not output:
        raise click.UsageError(f"--format {fmt} writes a file: give -o FILE")
    return output


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
    type=click.Choice(["text", "json", "html", "md", "csv", "docx", "pdf"]),
    default="text",
    show_default=True,
)
@_OUTPUT
@click.option(
    "--max-missing",
    type=click.FloatRange(0.0, 1.0),
    callback=_finite,
    default=0.10,
    show_default=True,
    help="Verdict rule: share of provisions that may be missing.",
)
@click.option(
    "--max-weakened",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Verdict rule: missing + weakened provisions allowed.",
)
@click.option(
    "--no-statutory", is_flag=True, help="Verdict rule: do not fail on statutory requirements."
)
@_MAX_BYTES
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 3 when the verdict is not-substantially-similar or needs-review.",
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

    rule = _rule(max_missing, max_weakened, not no_statutory)
    if fmt in _BINARY:
        from .binary_out import audit_binary

        data = audit_binary(file, fmt, _binary_output(fmt, output), model=model, rule=rule,
                            max_bytes=max_bytes)  # fmt: skip
    else:
        data = audit_path(file, model=model, rule=rule, max_bytes=max_bytes)
        _emit(render(data, fmt), output, fmt)
    if strict and data["verdict"] in ("not-substantially-similar", "needs-review"):
        sys.exit(EXIT_NSS)


@cli.command("compare")
@click.argument("old", type=_FILE)
@click.argument("new", type=_FILE)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html", "md", "docx", "pdf"]),
    default="text",
    show_default=True,
)
@_OUTPUT
@_MAX_BYTES
def compare_cmd(old: str, new: str, fmt: str, output: str | None, max_bytes: int) -> None:
    """Compare two drafts of one policy: OLD and NEW, clause by clause, both ways."""
    from .compare import compare_paths, render

    if fmt in _BINARY:
        from .binary_out import compare_binary

        compare_binary(old, new, fmt, _binary_output(fmt, output), max_bytes=max_bytes)
        return
    data = compare_paths(old, new, max_bytes=max_bytes)
    _emit(render(data, fmt), output, fmt)


def _check_model(model: str) -> None:
    """Reject an unknown model id before a batch starts (else every document would fail)."""
    from .baselines import model_ids

    if model == "auto" or Path(model).is_file():
        return
    known = model_ids()
    if model not in known:
        raise click.BadParameter(
            f"no such model policy; use one of {', '.join(known)}, auto, or a model text file.",
            param_hint="'--model'",
        )


@cli.command("batch")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--model", default="auto", show_default=True, help="auto, a model id, or a file.")
@click.option(
    "--out",
    "out_dir",
    default="policydiff-batch",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: CPU count).",
)
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Dask scheduler address (tcp://host:8786); default a local cluster.",
)
@click.option(
    "--ship-bytes", is_flag=True, help="Send file contents to Dask workers (no shared filesystem)."
)
@click.option(
    "--export",
    "export_fmt",
    type=click.Choice(["csv", "parquet"]),
    default=None,
    help="Also write each table as CSV or Parquet under OUT/export.",
)
@click.option("--csv-bom", is_flag=True, help="CSV export: start each file with a BOM (Excel).")
@click.option(
    "--metadata",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV or JSON of per-document columns keyed by file name or path (corpus/index.json).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=120.0,
    show_default=True,
    help="Seconds one document may take (local engine); its worker is then replaced.",
)
@click.option("--no-html", is_flag=True, help="Skip the per-document HTML reports.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def batch_cmd(
    paths: tuple[Path, ...],
    model: str,
    out_dir: Path,
    jobs: int | None,
    engine: str,
    scheduler: str | None,
    ship_bytes: bool,
    export_fmt: str | None,
    csv_bom: bool,
    metadata: Path | None,
    timeout: float,
    no_html: bool,
    no_progress: bool,
) -> None:
    """Audit every .txt/.md/.pdf/.docx under PATH... into OUT/corpus.db and OUT/index.html.

    Unchanged files already audited with the same settings are skipped; files that cannot be
    read become error rows. Exit code 0 when every document was audited, 1 when some became
    error rows (the others are stored and the report written) or OUT is busy, 2 on usage
    errors.
    """
    from .batch import discover, run_batch, summary_text, supported_suffixes

    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask.")
    if ship_bytes and engine != "dask":
        raise click.UsageError("--ship-bytes needs --engine dask.")
    _check_model(model)
    if not any(True for _ in discover(paths)):
        raise click.UsageError(
            f"no {'/'.join(supported_suffixes())} files under {', '.join(map(str, paths))}."
        )
    if export_fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:
            raise click.ClickException(
                "Parquet export needs pyarrow: pip install 'policydiff[parquet]'."
            ) from exc
    summary = run_batch(
        paths,
        out_dir=out_dir,
        model=model,
        jobs=jobs,
        engine=engine,
        scheduler=scheduler,
        export=export_fmt,
        progress=not no_progress,
        html_reports=not no_html,
        ship_bytes=ship_bytes,
        timeout=timeout,
        metadata=metadata,
        csv_bom=csv_bom,
    )
    _emit(summary_text(summary) + "\n", None)
    if summary.errors:
        sys.exit(EXIT_INPUT)


@cli.command("models")
def models_cmd() -> None:
    """List the bundled model policies."""
    from .baselines import load_model, model_ids

    lines = []
    for mid in model_ids():
        m = load_model(mid)
        n = sum(1 for c in m.tree.clauses if c.text)
        lines.append(f"{mid:<12} {m.title} ({m.statute}; {n} provisions; adopted by: {m.kind})\n")
    _emit("".join(lines), None)


@cli.command("demo")
@click.option(
    "--corpus",
    default=None,
    type=click.Path(file_okay=False),
    help="Folder of policies (default: the corpus bundled with policydiff).",
)
@click.option("--out", default="reports", show_default=True, type=click.Path(file_okay=False))
def demo_cmd(corpus: str | None, out: str) -> None:
    """Audit every document of the corpus against the model it follows; write reports."""
    from .demo import bundled_corpus, run_demo

    rows = run_demo(Path(corpus) if corpus else bundled_corpus(), Path(out))
    lines = [f"{row['verdict']:<26} {row['model']:<11} {row['file']}\n" for row in rows]
    lines.append(f"wrote {Path(out) / 'index.html'}\n")
    _emit("".join(lines), None)


cli.add_command(serve_command, "serve")


def main(argv: list[str] | None = None) -> None:
    from .spacy_loader import settle_after_start_up

    settle_after_start_up()  # a one-command process: start-up objects leave the collector's walk
    try:
        cli.main(args=argv, prog_name="policydiff")
    except KeyboardInterrupt:
        click.echo("policydiff: interrupted", err=True)
        sys.exit(130)
    except OSError as error:  # a terminal or pipe that failed outside _emit (click's own echo)
        if error.errno in (errno.EPIPE, errno.ENOSPC):
            _silence_stdout()
            sys.exit(EXIT_INPUT)
        raise
