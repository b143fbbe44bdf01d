"""The command line: `mlpipe serve --port N`."""

import click

from mlpipe.api import serve


@click.group()
def cli() -> None:
    """mlpipe."""


@cli.command("serve")
@click.option("--port", default=8000)
def serve_command(port: int) -> None:
    """Serve the model."""
    serve(port=port)
