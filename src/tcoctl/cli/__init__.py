"""The command line: typer options mapped onto the pipeline, and shell completion."""

from tcoctl.cli.app import app, main

__all__ = ["app", "main"]
