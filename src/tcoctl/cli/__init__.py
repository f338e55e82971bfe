"""The command line: a thin map from options to the engine, and the planner workflows."""

from tcoctl.cli.app import app, main

__all__ = ["app", "main"]
