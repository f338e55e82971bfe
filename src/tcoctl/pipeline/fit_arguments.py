"""Command-line arguments of the fitting modules (``python -m tcoctl.pipeline.calibration``,
``python -m tcoctl.pipeline.training_fit``): refused before any fitting starts."""

from __future__ import annotations

import argparse
import datetime
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from tcoctl.files import reason, write_atomic

MODULES = {
    "serving-fit": "tcoctl.pipeline.calibration",
    "training-fit": "tcoctl.pipeline.training_fit",
}
"""The module that fits each preset, for its usage line."""
TODAY = datetime.date.today().isoformat()
"""The date a preset is stamped with unless one is given, and the examples' date."""


def _date(text: str) -> str:
    """A YYYY-MM-DD date, as given (Python 3.11's fromisoformat also reads 20261204 and
    2026-W49-5, which a preset's ``as_of`` may not be: every command would refuse it)."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD; got {text!r}") from None
    return text


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line with an example, as the command line's
    are (argparse prints its usage, then the error: two lines)."""

    def error(self, message: str) -> NoReturn:
        example = "--leave-one-out" if "--leave-one-out" in message else "presets " + TODAY
        self.exit(2, f"{self.prog}: error: {message}; e.g. {self.prog} {example}\n")


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
        default=TODAY,
        type=_date,
        help="date stamped on the preset, YYYY-MM-DD (default: today)",
    )
    if leave_one_out:
        parser.add_argument(
            "--leave-one-out",
            action="store_true",
            help="print the leave-one-out table, write nothing",
        )
    given = list(argv)
    args = parser.parse_args(given)
    placed = [word for word in given if not word.startswith("-")]  # a folder or a date
    if getattr(args, "leave_one_out", False) and placed:
        parser.error("--leave-one-out writes nothing, so it takes no folder or date")
    if not getattr(args, "leave_one_out", False) and not Path(args.folder).is_dir():
        what = "is not a folder" if Path(args.folder).exists() else "does not exist"
        parser.error(f"folder {args.folder!r} {what}: give an existing folder")
    target = Path(args.folder) / f"{preset}.toml"
    if not getattr(args, "leave_one_out", False) and (
        target.is_dir() or not os.access(target if target.exists() else args.folder, os.W_OK)
    ):
        parser.error(f"cannot write {str(target)!r}: give a folder where it can be written")
    return args


def write_preset(folder: str, preset: str, text: str) -> None:
    """Write ``folder``/``preset``.toml whole (files.write_atomic: a full disk leaves the old
    file), or say in one line why it could not be written (exit 1)."""
    target = Path(folder) / f"{preset}.toml"
    try:
        write_atomic(str(target), text)
    except OSError as error:
        raise SystemExit(
            f"python -m {MODULES[preset]}: error: cannot write {str(target)!r}: {reason(error)}"
        ) from None
