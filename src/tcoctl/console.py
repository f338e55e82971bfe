"""The console script ``tcoctl``: before anything heavy loads, signals are handled and
numpy's BLAS is kept to one thread. Ctrl-C or SIGTERM during start-up then ends with one
line and exit 130 (143), not a KeyboardInterrupt traceback, and under a memory limit
(``ulimit -v``) OpenBLAS does not reserve per-thread buffers, so a run that needs more
memory meets tcoctl's own "out of memory" message (tcoctl does no linear algebra that
threads would speed up).

The module's first act, before it imports tcoctl.signals (and so contextlib), is a SIGINT
handler built from modules the interpreter has already loaded: Ctrl-C in the first
milliseconds (tcoctl/__init__.py, which imports nothing, then this module's imports) ends
the same way. Only a signal before the console script's first line, in the interpreter's
own start-up, can still end the run as Python's default does."""

import os
import signal
import sys
from types import FrameType


def interrupted_early(signum: int, frame: FrameType | None) -> None:
    """SIGINT before :func:`tcoctl.signals.install`: one line on stderr and exit 130 at once
    (nothing has been written to stdout yet)."""
    try:  # noqa: SIM105 -- contextlib is not loaded yet: loading it is the window this closes
        os.write(2, b"tcoctl: interrupted\n")
    except OSError:  # stderr closed, or its reader gone
        pass
    os._exit(130)


if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # an ignored SIGINT stays so
    signal.signal(signal.SIGINT, interrupted_early)

import contextlib  # noqa: E402 -- after the handler above

from tcoctl.signals import Interrupted, install  # noqa: E402


def main() -> None:
    """Handle signals, then load and run the command line."""
    try:  # install() too: a signal between its first handler and its return ends cleanly
        install()
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        from tcoctl.cli.app import main as run  # after install(): start-up can be interrupted

        run()
    except (KeyboardInterrupt, Interrupted) as stop:
        with contextlib.suppress(Exception):
            sys.stderr.write("tcoctl: interrupted\n")
            sys.stderr.flush()
        os._exit(getattr(stop, "code", 130))
