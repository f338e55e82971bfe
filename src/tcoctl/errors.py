"""Exit codes and the two kinds of error the CLI turns into a one-line message."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
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


def by_message(
    found: Mapping[int, Sequence[str]],
    where: Callable[[list[int]], str],
    kind: Callable[[str], str] | None = None,
) -> list[str]:
    """Each message of ``found`` (by item: a batch's line, a sweep's point) once, after the
    items it concerns as ``where`` words them: 'lines 2, 5 and 3 more: ...'. With ``kind``
    (e.g. ``message_kind``), messages of one kind count as one, shown as the first item
    has it, said so where they differ: 'lines 2, 5 and 3 more, figures and example from the
    first: ...'."""
    items: dict[str, list[int]] = {}
    shown: dict[str, str] = {}
    varied: set[str] = set()
    for item, messages in sorted(found.items()):
        for message in messages:
            key = message if kind is None else kind(message)
            if shown.setdefault(key, message) != message:
                varied.add(key)
            items.setdefault(key, []).append(item)
    differ = ", figures and example from the first"
    return [
        f"{where(concerned)}{differ * (key in varied)}: {shown[key]}"
        for key, concerned in items.items()
    ]


_FIGURE = re.compile(r"(?<![\w.-])-?\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?(?!\w)")
"""A figure in a message: '125', '-1', '12.0451', '4.69948e+40', '2,000'; not the digits of a
name ('h100', 'llama-3.1-70b')."""


_EXAMPLE_POINT = re.compile(
    r"e\.g\. with [^:)]*? at its (?:low|high) (?:end|side)(?: and [^:)]*?)*(?=[:)])"
)
"""The point of the input ranges a warning names as its example: 'e.g. with
--bandwidth-efficiency at its low end and --compute-efficiency at its low side'."""


def message_kind(message: str) -> str:
    """A message's kind: its words with each figure as '#' and the point it names as an
    example as '...', so that the same warning about scenarios with other numbers ('out of
    reach at 125 of 626 points ... from 12.0451 USD'), shown at another point of their
    ranges, is one kind."""
    return _FIGURE.sub("#", _EXAMPLE_POINT.sub("e.g. with ...", message))


def first_few(names: Sequence[str]) -> str:
    """The first three of ``names`` and how many more: '2, 5, 9 and 3 more'."""
    more = f" and {len(names) - 3:,} more" if len(names) > 3 else ""
    return ", ".join(names[:3]) + more


def quoted(text: str) -> str:
    """An option's value as typed on a command line: quoted where it holds a space."""
    return f"'{text}'" if " " in text else text


def not_one_of(text: str, choices: Iterable[str], example: str) -> str:
    """How a value outside its choices is refused: the value, the choices, the one it is in
    another case ('JSON': 'json'; no nearer guess: 'normal' is no 'uniform'), an example."""
    listed = [*choices]
    same = [choice for choice in listed if choice.casefold() == str(text).casefold()]
    hint = f" (did you mean {same[0]!r}?)" if same else ""
    return f"{shorten(text)!r} is not one of {', '.join(listed)}{hint}; e.g. {example}"


def no_money_result(calculator: str, option: str, elsewhere: str) -> str:
    """How a currency is refused for a calculator with no money result (memory, supply,
    h100e), the same from the command line (which builds no --currency there) and the API:
    the option, why, and ``elsewhere``, a run that takes it."""
    return (
        f"{option}: {calculator} has no money result to show in a currency; drop it, e.g. "
        f"{elsewhere} where there is one"
    )


def as_flag(name: str) -> str:
    """An option as the command line names it: ``--gpu-price`` for ``gpu-price`` (the
    option's name in its spec)."""
    return f"--{name}"


def as_keyword(name: str, value: str | None = None, text: bool = False) -> str:
    """An option as the Python API names it: ``gpu_price`` for ``gpu-price``; with a value,
    ``gpu_price=30000``, or a text value quoted, ``gpu='b200'``; ``gpu_price=`` for an empty
    value (a message's subject: ``gpu_price=: ...``)."""
    key = name.replace("-", "_")
    if value is None:
        return key
    return f"{key}={value!r}" if text else f"{key}={value}"


def did_you_mean(name: str, names: Sequence[str]) -> str:
    """A hint for a mistyped name: ``nearest``'s, as `` (did you mean 'x'?)``; empty when
    none is near."""
    near = nearest(name, names)
    return f" (did you mean {' or '.join(map(repr, near))}?)" if near else ""


def nearest(name: str, names: Sequence[str]) -> list[str]:
    """The known names a mistyped ``name`` may stand for, best first, in any case ('H100-SXM'
    finds 'h100-sxm'): the same name, else those it begins, else the closest (at most
    three, by ``difflib``'s ratio against the whole name or its first word, so that 'h1000'
    finds 'h100-sxm'); none for an empty name."""
    if not name:
        return []
    folded = name.casefold()
    same = [n for n in names if n.casefold() == folded]
    begun = [n for n in names if n.casefold().startswith(folded)]
    return (same or begun or _closest(folded, names))[:3]


def _closest(name: str, names: Sequence[str]) -> list[str]:
    """The names nearest ``name`` (in lower case), best first: each scored by ``difflib``'s
    ratio against its whole text in lower case (at least 0.6, as
    ``difflib.get_close_matches``) or its first word (before '-' or '_'; at least 0.75, so
    that a short word does not match by chance: 'nope' is 0.6 from 'openai')."""
    matcher = difflib.SequenceMatcher(b=name)

    def score(known: str) -> float:
        scores = []
        for text, cutoff in ((known, 0.6), (re.split(r"[-_]", known)[0], 0.75)):
            matcher.set_seq1(text.casefold())
            ratio = matcher.ratio()
            scores.append(ratio if ratio >= cutoff else 0.0)
        return max(scores)

    scored = sorted(((score(known), known) for known in names), key=lambda pair: -pair[0])
    return [known for ratio, known in scored if ratio > 0]


def printable(text: str, keep: str = "\n") -> str:
    """Text from data (a preset's title, a file name, an upstream document) for a terminal
    or a CSV cell: control characters, escape sequences included, shown as ``\\x1b``
    instead of being sent; the characters in ``keep`` (line breaks) stay."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in keep else repr(c)[1:-1] for c in text)
