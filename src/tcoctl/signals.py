"""Signals: SIGINT, SIGTERM and SIGHUP end a run promptly and cleanly.

The console script installs :func:`install`; a signal then raises :class:`Interrupted`
where the program is (a blocking read included), except inside :func:`deferred`, which a
batch wraps around writing each chunk, so stdout stays a prefix of whole lines: the signal
takes effect as the block ends. The exit code is 130 for SIGINT and 128 + the signal's
number for the others (143 for SIGTERM, 129 for SIGHUP), as shells report them. tcoctl
starts no worker processes, so signalling its PID alone (or SIGKILL) leaves nothing behind.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

HANDLED = ("SIGINT", "SIGTERM", "SIGHUP")
_state = {"deferred": 0, "pending": 0}


class Interrupted(BaseException):
    """A signal asked the run to end; ``code`` is the exit code."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.code = 130 if signum == signal.SIGINT else 128 + signum


def _handler(signum: int, frame: FrameType | None) -> None:
    if _state["deferred"]:
        _state["pending"] = _state["pending"] or signum
        return
    raise Interrupted(signum)


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """An :class:`Interrupted` raised where Python cannot raise it (a weakref callback, as
    importlib's module locks use, or a ``__del__``) is held, to take effect at the next
    write, not printed as "Exception ignored" and lost: the run went on to exit 0."""
    if isinstance(unraisable.exc_value, Interrupted):
        _state["pending"] = _state["pending"] or unraisable.exc_value.signum
        return
    sys.__unraisablehook__(unraisable)


def install() -> None:
    """Handle SIGINT, SIGTERM and SIGHUP (a signal already ignored, as under nohup, stays
    ignored), and hold a signal that a callback swallowed (:func:`_unraisable`)."""
    sys.unraisablehook = _unraisable
    for name in HANDLED:
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            if signal.getsignal(number) is signal.SIG_IGN:
                continue
            signal.signal(number, _handler)
        except (OSError, ValueError):  # not the main thread, or not allowed here
            continue


@contextmanager
def deferred() -> Iterator[None]:
    """Hold signals while the block runs (writing one chunk); act on them as it ends."""
    _state["deferred"] += 1
    try:
        yield
    finally:
        _state["deferred"] -= 1
    if not _state["deferred"]:
        act()


def held() -> bool:
    """Whether a signal came while :func:`deferred` held it."""
    return bool(_state["pending"])


def act() -> None:
    """Raise :class:`Interrupted` for a held signal now (a write has reached a line's end)."""
    signum, _state["pending"] = _state["pending"], 0
    if signum:
        raise Interrupted(signum)
