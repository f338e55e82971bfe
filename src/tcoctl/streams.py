"""Standard output whose writes are whole, or fail loudly.

CPython's buffered writer drops the rest of a write that the system cut short: under a
file-size limit (``ulimit -f``) or on a nearly full disk, the first bytes are written, the
remainder is never retried, and the run ends with exit 0 and a truncated file.
:func:`install` puts :class:`WholeWrites` under ``sys.stdout``: it writes every byte or
raises the OSError (EFBIG, ENOSPC) that the console script reports as "cannot write output".
When a signal held by :func:`tcoctl.signals.deferred` (a batch writing a chunk) cuts a write
short, as it does when the reader of a pipe is stalled, only the line under way is
completed before the signal takes effect, so the output stays a prefix of whole lines.
"""

from __future__ import annotations

import io
import os
import sys
from typing import TYPE_CHECKING

from tcoctl import signals
from tcoctl.errors import printable

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer as Buffer


def write_all(descriptor: int, data: Buffer) -> None:
    """Write every byte of ``data``; an OSError (a full disk) is raised, never swallowed."""
    view = memoryview(data).cast("B")
    done = 0
    while done < len(view):
        done += os.write(descriptor, view[done:])


class WholeWrites(io.RawIOBase):
    """A raw stream on a file descriptor whose ``write`` writes all it is given."""

    def __init__(self, descriptor: int) -> None:
        super().__init__()
        self.descriptor = descriptor
        self.at_line_start = True

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
                if not self.at_line_start:
                    rest = bytes(view[done:])
                    write_all(self.descriptor, rest[: rest.find(b"\n") + 1 or len(rest)])
                signals.act()
            written = os.write(self.descriptor, view[done:])
            if written:
                done += written
                self.at_line_start = view[done - 1] == ord("\n")
        return len(view)


class PrintableText(io.TextIOWrapper):
    """A text stream that shows control characters as ``\\x1b`` (line breaks and tabs
    kept): stderr, whose messages quote preset titles, file names and upstream documents,
    never sends an escape sequence to the terminal."""

    def write(self, text: str) -> int:
        return super().write(printable(text, keep="\n\t"))


def install() -> None:
    """Put :class:`WholeWrites` under ``sys.stdout`` and make ``sys.stderr`` a
    :class:`PrintableText`, keeping their encodings and buffering (a stream without a file
    descriptor, as under a test runner, is left as it is)."""
    for name, text in (("stdout", io.TextIOWrapper), ("stderr", PrintableText)):
        old = getattr(sys, name)
        try:
            descriptor = old.fileno()
        except (AttributeError, OSError, ValueError):
            continue
        old.flush()
        new = text(
            io.BufferedWriter(WholeWrites(descriptor)),
            encoding=old.encoding,
            errors=old.errors,
            line_buffering=bool(getattr(old, "line_buffering", False)),
            write_through=name == "stderr",
        )
        setattr(sys, name, new)
