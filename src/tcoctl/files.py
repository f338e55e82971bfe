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
from pathlib import Path

from tcoctl.errors import printable, shorten
from tcoctl.streams import write_all


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
    return printable(text[:limit], keep="") + ("..." if len(text) > limit else "")


def write_atomic(path: str, text: str) -> None:
    """Write a text file through a temporary file in the same folder, renamed over ``path``
    only once complete: a failure (a full disk) leaves any old file intact. The rename
    replaces what is at ``path`` itself: a symbolic link is replaced, its target never
    written. A path leading to something other than a regular file (/dev/stdout, a FIFO) is
    written as it is, never replaced."""
    data = text.encode("utf-8")
    try:
        existing = os.stat(path)  # through symlinks: what a write would reach
    except OSError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        descriptor = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
        try:
            write_all(descriptor, data)
        finally:
            os.close(descriptor)
        return
    target = Path(path)
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        try:
            write_all(descriptor, data)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.chmod(temporary, new_file_mode(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def new_file_mode(path: str) -> int:
    """The permissions of the regular file at ``path`` (not a link's target), else what a
    new file gets under the umask."""
    try:
        found = os.lstat(path)
        if stat.S_ISREG(found.st_mode):
            return stat.S_IMODE(found.st_mode)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def replace_refusal(path: str) -> str:
    """Why the output file at ``path`` is not replaced without --force (as ``cp`` asks
    before replacing a read-only file): it is a symbolic link, or read-only; '' if it may."""
    if os.path.islink(path):
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                return ""  # /dev/stdout, a link to a FIFO: written as a stream
        except OSError:
            pass
        return "is a symbolic link (tcoctl never writes through one)"
    try:
        found = os.stat(path)
    except OSError:
        return ""
    writable = found.st_mode & 0o222 and os.access(path, os.W_OK)
    return "" if not stat.S_ISREG(found.st_mode) or writable else "is read-only"


def shown(path: str | os.PathLike[str]) -> str:
    """A path for a message, long ones cut."""
    return shorten(str(path))
