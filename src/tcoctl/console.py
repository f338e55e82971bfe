"""The console script ``tcoctl``: before anything heavy loads, signals are handled and
numpy's BLAS is kept to one thread. Ctrl-C or SIGTERM during start-up then ends with one
line and exit 130 (143), not a KeyboardInterrupt traceback, and under a memory limit
(``ulimit -v``) OpenBLAS does not reserve per-thread buffers, so a run that needs more
memory meets tcoctl's own "out of memory" message (tcoctl does no linear algebra that
threads would speed up)."""

from __future__ import annotations

import contextlib
import os
import sys

from tcoctl.signals import Interrupted, install


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
