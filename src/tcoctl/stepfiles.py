"""Step files: per-step yields, one per line ('#' comments) or TOML ``yields = [...]``.

Read through :func:`tcoctl.files.read_bounded` (a byte cap while reading; FIFOs and devices
refused). Messages name the file and the step, never its contents: a step file that is not
one (``/etc/shadow``) is reported without echoing a line of it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import tomli

from tcoctl.errors import UsageError, shorten
from tcoctl.files import read_text, reason
from tcoctl.units import UnitInputError, parse_span

MAX_STEP_FILE = 2_000_000
MAX_STEPS = 100_000


def resolve(path: str, preset_path: str) -> str:
    """A step-file path written in a preset, relative to the preset file's folder (an
    absolute path stays as it is; refusing paths outside the folder is the caller's)."""
    return str(Path(preset_path).parent / os.path.expanduser(path))


def inside(path: str, folder: Path) -> bool:
    """Whether ``path`` (symlinks resolved) lies in ``folder``."""
    try:
        return Path(path).resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):
        return False


def read_step_file(path: str, where: str) -> tuple[float, float]:
    """The count n and geometric mean g of a step file's yields, so that g^n is their
    product."""
    shown = shorten(path)
    try:
        text = read_text(path, MAX_STEP_FILE)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise UsageError(f"{where}: cannot read {shown!r}: {reason(error)}") from None
    try:
        values = [str(v) for v in tomli.loads(text)["yields"]]
    except (tomli.TOMLDecodeError, KeyError, TypeError, RecursionError, ValueError):
        values = [line.split("#")[0].strip() for line in text.splitlines()]
        values = [v for v in values if v]
    if not 0 < len(values) <= MAX_STEPS:
        raise UsageError(
            f"{where}: {shown!r} holds {len(values)} step yields (expected 1 to {MAX_STEPS})"
        )
    logs = np.empty(len(values))
    for i, value in enumerate(values):
        try:
            span = parse_span(value, "", "0.99")
        except UnitInputError:
            span = None
        if span is None or not 0 < span.low <= span.high <= 1:
            raise UsageError(
                f"{where}: step {i + 1} of {shown!r} is not a yield above 0 and at most 1 "
                "(one number per line, e.g. 0.99, or TOML yields = [0.99, ...])"
            ) from None
        if span.is_range:
            raise UsageError(f"{where}: step {i + 1} of {shown!r} is a range; give one value")
        logs[i] = np.log(span.low)
    return float(len(logs)), float(np.exp(logs.mean()))
