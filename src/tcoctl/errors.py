"""Exit codes and the two kinds of error the CLI turns into a one-line message."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes (documented in the README and ``tcoctl --help``)."""

    OK = 0
    DOMAIN = 1  # a bad preset, an impossible scenario, some batch rows failed
    USAGE = 2  # an option the user typed is wrong
    INTERRUPTED = 130  # Ctrl-C


class TcoctlError(Exception):
    """Base class: ``str(error)`` is the whole message, ``code`` the exit code."""

    code = ExitCode.DOMAIN


class UsageError(TcoctlError, ValueError):
    """Something the user typed: a wrong unit, a value out of range, a missing option. A
    ValueError too, so that API users catch a bad keyword as numpy and pandas users do (no
    ``except ValueError`` inside tcoctl wraps code that raises it)."""

    code = ExitCode.USAGE


class DomainError(TcoctlError):
    """The input parses but cannot be used: a broken preset, a result that is undefined."""

    code = ExitCode.DOMAIN


def shorten(text: str, limit: int = 40) -> str:
    """Text to echo in a message: long input is cut, not repeated in full (a numpy string
    as a plain one, so that its repr reads 'x', not np.str_('x'))."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def not_one_of(text: str, choices: Iterable[str], example: str) -> str:
    """How a value outside its choices is refused: the value, the choices, an example."""
    return f"{shorten(text)!r} is not one of {', '.join(choices)}; e.g. {example}"


def did_you_mean(name: str, names: Sequence[str]) -> str:
    """A hint for a mistyped name: the known names it begins, else the closest by
    ``difflib`` (at most three), as `` (did you mean 'x'?)``; empty when none is near."""
    near = [n for n in names if name and n.startswith(name)] or difflib.get_close_matches(
        name, names
    )
    return f" (did you mean {' or '.join(map(repr, near[:3]))}?)" if near and name else ""


def printable(text: str, keep: str = "\n") -> str:
    """Text from data (a preset's title, a file name, an upstream document) for a terminal
    or a CSV cell: control characters, escape sequences included, shown as ``\\x1b``
    instead of being sent; the characters in ``keep`` (line breaks) stay."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in keep else repr(c)[1:-1] for c in text)
