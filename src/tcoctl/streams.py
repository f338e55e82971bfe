"""Standard output whose writes are whole, or fail loudly.

CPython's buffered writer drops the rest of a write that the system cut short: under a
file-size limit (``ulimit -f``) or on a nearly full disk, the first bytes are written, the
remainder is never retried, and the run ends with exit 0 and a truncated file.
:func:`install` puts :class:`WholeWrites` under ``sys.stdout``: it writes every byte or
raises the OSError (EFBIG, ENOSPC) that the console script reports as "cannot write output",
after cutting a regular file back to its last whole line, so a full disk leaves no torn line.
When a signal held by :func:`tcoctl.signals.deferred` (a batch writing a chunk) cuts a write
short, as it does when the reader of a pipe is stalled, only the line under way is
completed before the signal takes effect, so the output stays a prefix of whole lines.
"""

from __future__ import annotations

import io
import os
import stat
import sys
from typing import TYPE_CHECKING

from tcoctl import signals
from tcoctl.errors import printable

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer as Buffer


def write_all(descriptor: int, data: Buffer, torn: int = 0) -> int:
    """Write every byte of ``data`` after ``torn`` bytes of an unfinished line, and return
    the bytes of the line then unfinished. An OSError (a full disk) is raised, never
    swallowed, once :func:`cut_back` has taken the torn line off a regular file."""
    view = memoryview(data).cast("B")
    done = 0
    while done < len(view):
        try:
            written = os.write(descriptor, view[done:])
        except OSError:
            cut_back(descriptor, torn)
            raise
        torn = unfinished(view[done : done + written], torn)
        done += written
    return torn


def unfinished(written: memoryview, torn: int) -> int:
    """The bytes of the unfinished line after ``written`` follows ``torn`` such bytes."""
    newline = bytes(written).rfind(b"\n")
    return torn + len(written) if newline < 0 else len(written) - newline - 1


def cut_back(descriptor: int, torn: int) -> None:
    """Take the last ``torn`` bytes (a line cut short) off a regular file; a pipe or a
    terminal cannot take back what it was given."""
    if torn and stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.ftruncate(descriptor, os.lseek(descriptor, 0, os.SEEK_CUR) - torn)


class WholeWrites(io.RawIOBase):
    """A raw stream on a file descriptor whose ``write`` writes all it is given."""

    def __init__(self, descriptor: int) -> None:
        super().__init__()
        self.descriptor = descriptor
        self.torn = 0  # bytes written since the last line break

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.descriptor

    def isatty(self) -> bool:
        return os.isatty(self.descriptor)

    def write(self, data: Buffer) -> int:
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            if signals.held():  # end the line under way, then let the signal act
                if self.torn:
                    rest = bytes(view[done:])
                    line_end = rest[: rest.find(b"\n") + 1 or len(rest)]
                    self.torn = write_all(self.descriptor, line_end, self.torn)
                signals.act()
            try:
                written = os.write(self.descriptor, view[done:])
            except OSError:
                cut_back(self.descriptor, self.torn)
                raise
            self.torn = unfinished(view[done : done + written], self.torn)
            done += written
        return len(view)


class QuietWhenClosed(WholeWrites):
    """Standard error's raw stream: once its reader has gone (``2>&1 | head -1``), the
    descriptor is pointed at /dev/null and the rest of the messages are dropped, as stdout's
    are. Otherwise the interpreter's final flush of stderr fails and the run exits 120 after
    a result that was whole."""

    def write(self, data: Buffer) -> int:
        try:
            return super().write(data)
        except BrokenPipeError:
            to_devnull(self.descriptor)
            return memoryview(data).nbytes


def to_devnull(descriptor: int) -> None:
    """Point ``descriptor`` at /dev/null: what is still written to a stream whose reader
    has gone is dropped, and the interpreter's final flush does not fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


class PrintableText(io.TextIOWrapper):
    """A text stream that shows control characters as ``\\x1b`` (line breaks and tabs
    kept): stderr, whose messages quote preset titles, file names and upstream documents,
    never sends an escape sequence to the terminal."""

    def write(self, text: str) -> int:
        return super().write(printable(text, keep="\n\t"))


def install() -> None:
    """Put :class:`WholeWrites` under ``sys.stdout`` and make ``sys.stderr`` a
    :class:`PrintableText` on :class:`QuietWhenClosed`, keeping their encodings and
    buffering (a stream without a file descriptor, as under a test runner, is left as it
    is)."""
    layers = (
        ("stdout", io.TextIOWrapper, WholeWrites),
        ("stderr", PrintableText, QuietWhenClosed),
    )
    for name, text, raw in layers:
        old = getattr(sys, name)
        try:
            descriptor = old.fileno()
        except (AttributeError, OSError, ValueError):
            continue
        old.flush()
        new = text(
            io.BufferedWriter(raw(descriptor)),
            encoding=old.encoding,
            errors=old.errors,
            line_buffering=bool(getattr(old, "line_buffering", False)),
            write_through=name == "stderr",
        )
        setattr(sys, name, new)
