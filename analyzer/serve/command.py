"""The click command ``policydiff serve`` (registered by ``analyzer.cli``); imports the web
stack only when it runs.

Exports: serve_command.
"""

from __future__ import annotations

import click

__all__ = ["serve_command"]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: any free port, printed at start).",
)
@click.option(
    "--data",
    default="policydiff-data",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the database and uploads.",
)
@click.option(
    "--token",
    envvar="POLICYDIFF_TOKEN",
    default=None,
    help="Require this access token (API: Authorization: Bearer; pages: a login). "
    "Also read from $POLICYDIFF_TOKEN, which keeps it out of the process list.",
)
@click.option(
    "--max-upload-mb",
    default=25.0,
    show_default=True,
    type=click.FloatRange(0.001),
    help="Refuse larger uploads (413).",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Audit worker processes.",
)
@click.option(
    "--audit-timeout",
    default=600.0,
    show_default=True,
    type=click.FloatRange(1),
    help="Seconds one audit may take before its submission is marked failed.",
)
def serve_command(
    host: str,
    port: int,
    data: str,
    token: str | None,
    max_upload_mb: float,
    workers: int,
    audit_timeout: float,
) -> None:
    """Run the reviewer's desk: upload, review, decide, and write deficiency letters."""
    if host not in ("127.0.0.1", "localhost", "::1") and not token:
        click.echo(
            "policydiff serve: warning: listening beyond this machine without --token", err=True
        )
    from . import run

    run(
        host=host,
        port=port,
        data=data,
        token=token or None,
        max_upload_mb=max_upload_mb,
        workers=workers,
        audit_timeout=audit_timeout,
    )
