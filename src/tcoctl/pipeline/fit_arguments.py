"""Command-line arguments of the fitting modules (``python -m tcoctl.pipeline.calibration``,
``python -m tcoctl.pipeline.training_fit``): refused before any fitting starts."""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

MODULES = {
    "serving-fit": "tcoctl.pipeline.calibration",
    "training-fit": "tcoctl.pipeline.training_fit",
}
"""The module that fits each preset, for its usage line."""


def _date(text: str) -> str:
    """A YYYY-MM-DD date, as given."""
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD; got {text!r}") from None
    return text


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line with an example, as the command line's
    are (argparse prints its usage, then the error: two lines)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}; e.g. {self.prog} presets 2025-06-30\n")


def parse(preset: str, argv: Sequence[str], leave_one_out: bool = False) -> argparse.Namespace:
    """The folder to write ``preset``.toml into (default presets, which must exist) and the
    date to stamp it with (default today's); with ``leave_one_out``, that flag too."""
    parser = OneLineParser(
        prog=f"python -m {MODULES[preset]}",
        description=f"Fit on the shipped dataset and write FOLDER/{preset}.toml.",
    )
    parser.add_argument(
        "folder", nargs="?", default="presets", help="folder to write into (default: presets)"
    )
    parser.add_argument(
        "date",
        nargs="?",
        default=datetime.date.today().isoformat(),
        type=_date,
        help="date stamped on the preset, YYYY-MM-DD (default: today)",
    )
    if leave_one_out:
        parser.add_argument(
            "--leave-one-out",
            action="store_true",
            help="print the leave-one-out table, write nothing",
        )
    args = parser.parse_args(list(argv))
    if not getattr(args, "leave_one_out", False) and not Path(args.folder).is_dir():
        parser.error(f"folder {args.folder!r} does not exist: give an existing folder")
    return args
