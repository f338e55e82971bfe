"""Bounded, non-blocking file reading and atomic file writing.

Every file tcoctl reads on its own (presets, step files) goes through :func:`read_bounded`:
the byte cap is enforced while reading (``stat`` says 0 for /dev/zero and /proc files), and
only regular files are read: a FIFO or a device is refused at once instead of blocking or
streaming forever (the file is opened with O_NONBLOCK, then checked with ``fstat``).
Messages never quote a file's contents beyond :func:`excerpt`.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from tcoctl.errors import shorten


class FileRefused(OSError):
    """A file tcoctl will not read: not a regular file, or larger than its cap. ``str()``
    is a short reason without the path."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


def reason(error: BaseException) -> str:
    """A short reason for a failed read, for messages (never the file's contents)."""
    if isinstance(error, FileRefused):
        return error.reason
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 text (byte {error.start})"
    return type(error).__name__


def read_bounded(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    Raises FileRefused for a FIFO, socket or device, or a file longer than ``limit`` bytes
    (counted while reading), and OSError when it cannot be opened."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise FileRefused("not a regular file (a FIFO, socket or device)")
        parts: list[bytes] = []
        size = 0
        while size <= limit:
            part = os.read(descriptor, min(1 << 20, limit + 1 - size))
            if not part:
                break
            parts.append(part)
            size += len(part)
        if size > limit:
            raise FileRefused(f"larger than {limit:,} bytes")
        return b"".join(parts)
    finally:
        os.close(descriptor)


def read_text(path: str | os.PathLike[str], limit: int) -> str:
    """:func:`read_bounded`, decoded as UTF-8 (a leading BOM dropped)."""
    return read_bounded(path, limit).decode("utf-8-sig")


def excerpt(text: str, limit: int = 20) -> str:
    """A short, printable excerpt of untrusted text for a message: control characters
    escaped, at most ``limit`` characters."""
    cut = text[:limit]
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in cut)
    return shown + ("..." if len(text) > limit else "")


def write_atomic(path: str, write: Callable[[IO[str]], object]) -> None:
    """Write a text file through a temporary file in the same folder, renamed over
    ``path`` only once complete: a failure (a full disk) leaves any old file intact. A
    path that is not a regular file (a device, a FIFO) is written as it is, never replaced."""
    real = os.path.realpath(path)  # through symlinks: the link stays a link
    try:
        existing = os.stat(real).st_mode
    except OSError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing):  # /dev/stdout, a FIFO: as is
        with open(real, "w", encoding="utf-8") as direct:
            write(direct)
        return
    target = Path(real)
    folder = target.parent
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
        "w", encoding="utf-8", dir=folder, prefix=f".{target.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        try:  # the old file's permissions, else what a new file would get
            mode = stat.S_IMODE(os.stat(real).st_mode)
        except OSError:
            mask = os.umask(0o022)
            os.umask(mask)
            mode = 0o666 & ~mask
        os.chmod(handle.name, mode)
        os.replace(handle.name, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


def shown(path: str | os.PathLike[str]) -> str:
    """A path for a message, long ones cut."""
    return shorten(str(path))
