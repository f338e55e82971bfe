"""Process-level manners: pipes, colour, interrupts, exit codes, and numeric range."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomli

from conftest import results, run

TCOCTL = [sys.executable, "-m", "tcoctl"]


def test_closed_pipe_ends_quietly() -> None:
    """`tcoctl ... | head -1`: no BrokenPipeError, nothing on stderr."""
    command = [*TCOCTL, "compare", "--format", "csv"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        assert process.wait(timeout=30) == 0
        assert b"Error" not in process.stderr.read()


@pytest.mark.parametrize("args", [["tco", "--format", "table"], ["compare", "--format", "table"]])
def test_closed_pipe_ends_quietly_for_tables(args: list[str]) -> None:
    command = [*TCOCTL, *args]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        assert process.wait(timeout=30) == 0
        assert process.stderr.read() == b""


@pytest.mark.parametrize("args", [[], ["--count", "bogus"]])  # exit 0, exit 2
def test_a_closed_stderr_changes_neither_the_exit_code_nor_the_output(args: list[str]) -> None:
    """D4: a warning written to a stderr whose reader had gone (`2>&1 | head -1`) made the
    interpreter's final flush fail, and a whole result exited 120."""
    command = [*TCOCTL, "tco", "--gpu", "h100-sxm", "--power", "1.2kW", *args]  # warns
    expected = subprocess.run(command, capture_output=True, timeout=60)
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run(
            command,
            stdout=subprocess.PIPE,
            stderr=writer,
            timeout=60,
        )
    finally:
        os.close(writer)
    assert expected.stderr.startswith(b"tcoctl: ")  # a warning (an error) was written
    assert (done.returncode, done.stdout) == (expected.returncode, expected.stdout)


def test_no_color_and_machine_formats_are_plain() -> None:
    env = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "", "TERM": "xterm-256color"}
    for fmt in ("table", "json", "csv"):
        done = subprocess.run(
            [*TCOCTL, "tco", "--format", fmt], capture_output=True, env=env, timeout=60, check=True
        )
        assert b"\x1b[" not in done.stdout


def test_interrupt_exits_130() -> None:
    """SIGINT to a running batch exits 130 without a traceback. The batch reads a stdin that
    stays open, so it is still running when the signal arrives however fast the machine is
    (a file of 400,000 lines could be finished before a fixed sleep ran out)."""
    line = b'{"gpu": "h100-sxm", "count": 1000, "duration": "9 day", "mfu": 0.4}\n'
    with subprocess.Popen(
        [*TCOCTL, "flops", "--input", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:  # its pipes closed at the end
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(line)
        process.stdin.flush()
        assert process.stdout.readline().startswith(b"{")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
        process.stdin.close()
        assert process.stderr is not None and b"Traceback" not in process.stderr.read()


def console_module() -> str:
    """The module of the ``tcoctl`` console script, from pyproject.toml."""
    text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    entry: str = tomli.loads(text)["project"]["scripts"]["tcoctl"]
    return entry.split(":")[0]


def test_the_console_script_handles_signals_before_loading_anything_heavy() -> None:
    """Issue 19 item 30: SIGINT during start-up (the ~0.3 s typer, rich and pint take to
    load) printed a KeyboardInterrupt traceback and exited -2: the handlers were installed
    only after those imports."""
    code = (
        f"import sys, {console_module()} as console; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'typer', 'rich', 'pint', 'numpy'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60, check=True)
    assert done.stdout.strip() == b"[]"


def caught_signals(pid: int) -> int:
    """The mask of signals the process has handlers for (/proc/PID/status SigCgt)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return int(line.split()[1], 16)
    return 0


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_interrupt_during_start_up_exits_130_without_a_traceback() -> None:
    process = subprocess.Popen([*TCOCTL, "compare"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(60_000):  # until tcoctl's own handlers are in place (SIGTERM caught)
            if (
                process.poll() is not None
                or caught_signals(process.pid) >> (signal.SIGTERM - 1) & 1
            ):
                break
            time.sleep(0.001)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert stderr == b"tcoctl: interrupted\n"


INTERRUPT_ON_IMPORT = """
import os, signal, sys
class Interrupt:  # sends SIGINT as the {ordinal}th module loaded from tcoctl.console on starts
    looked_up = 0
    def find_spec(self, name, path, target=None):
        if name == "tcoctl.console" or Interrupt.looked_up:
            Interrupt.looked_up += 1
            if Interrupt.looked_up == {ordinal} + 1:
                os.kill(os.getpid(), signal.SIGINT)
sys.meta_path.insert(0, Interrupt())
from {console} import main
main()
"""


@pytest.mark.parametrize("ordinal", [1, 2, 3, 10, 40, 150])
def test_interrupt_in_the_first_milliseconds_exits_130_without_a_traceback(ordinal: int) -> None:
    """Item 30's leftover: SIGINT before tcoctl's handlers were installed (tcoctl/__init__.py
    imported tcoctl.specs, ~50 ms, before the console script ran) printed a KeyboardInterrupt
    traceback and died of the signal. Sent here as the 1st, 2nd, ... module loaded after the
    console script's own starts to load, with SIGINT at its default, as a shell starts a
    command. Counted, not named: which modules the interpreter has loaded before tcoctl
    depends on the install (a site .pth may load contextlib, as on the CI machine)."""
    code = INTERRUPT_ON_IMPORT.format(ordinal=ordinal, console=console_module())
    done = subprocess.run(
        [sys.executable, "-c", code, "tco"],
        capture_output=True,
        timeout=60,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert (done.returncode, done.stderr) == (130, b"tcoctl: interrupted\n")


INTERRUPT_IN_A_CALLBACK = """
import os, signal, sys, weakref
class Interrupt:  # SIGINT while a weakref callback runs, as in importlib's module locks
    def find_spec(self, name, path, target=None):
        if name == "tcoctl.specs":
            thing = type("Thing", (), {{}})()
            ref = weakref.ref(thing, lambda ref: os.kill(os.getpid(), signal.SIGINT))
            del thing
sys.meta_path.insert(0, Interrupt())
from {console} import main
main()
"""


def test_an_interrupt_a_callback_swallowed_still_ends_the_run() -> None:
    """The probe's SIGINT at 0.03 s once landed in importlib's weakref callback: Python
    printed "Exception ignored ... Interrupted: 2" and the run went on to exit 0."""
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPT_IN_A_CALLBACK.format(console=console_module()), "tco"],
        capture_output=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (130, b"", b"tcoctl: interrupted\n")


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (150 << 20, 150 << 20))  # like `ulimit -v 150M`


def test_out_of_memory_is_one_clear_line() -> None:
    """Issue 19 item 30: under `ulimit -v 150M` a MemoryError was reported as an internal
    error, and OpenBLAS printed its own message."""
    args = ["tco", "--gpu-price", "25000..35000USD", "--samples", "2000000", "-f", "json"]
    done = subprocess.run([*TCOCTL, *args], capture_output=True, timeout=60, check=False,
                          preexec_fn=limit_memory)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(b"tcoctl: error: out of memory")
    assert done.stderr.count(b"\n") == 1 and done.stdout == b""


@pytest.mark.parametrize(
    ("raised", "said"),
    [
        (ImportError("\n\nIMPORTANT: PLEASE READ THIS\n\nImporting the numpy C-extensions failed."),
         b"tcoctl: error: cannot load a library it needs: too little memory (ulimit -v) or a "
         b"broken install; allow more memory or reinstall\n"),
        (RuntimeError("first\nsecond"),
         b"tcoctl: internal error (RuntimeError: first second); please report it with the "
         b"command that caused it\n"),
    ],
)  # fmt: skip
def test_an_unexpected_error_is_one_line(raised: Exception, said: bytes) -> None:
    """The probe: under `ulimit -v 60M` numpy's import failed with its many-line advice,
    printed whole inside 'tcoctl: internal error (ImportError: ...)'."""
    program = (
        "import importlib, sys\napp = importlib.import_module('tcoctl.cli.app')\n"
        f"def fail(*args, **keywords):\n    raise {raised!r}\n"
        "app.only_the_command = lambda whole, argv: fail\n"
        "sys.argv = ['tcoctl', 'tco']\napp.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=60)
    assert (done.returncode, done.stderr) == (1, said)


def test_exit_codes_are_documented_in_help() -> None:
    text = run("--help").stdout
    assert "0 success, 1 domain error" in text and "2 usage error" in text and "130" in text


@pytest.mark.parametrize("scale", [1e-30, 1.0, 1e33])
def test_full_precision_from_1e_minus_30_to_1e33(scale: float) -> None:
    """The core keeps float64 relative precision across the range: H100e of a capacity is
    capacity / 989.4e12 to the last ulps."""
    capacity = 989.4e12 * scale * 3
    value = results("h100e", "--capacity", f"{capacity!r} FLOP/s")["h100e"]["value"]
    assert value == pytest.approx(3 * scale, rel=4e-16)


def test_dies_are_whole_and_expected_good_dies_may_be_fractional() -> None:
    out = results("yield", "--die-size", "10x12", "--defect-density", "0.2")
    assert out["dies_per_wafer"]["value"] == int(out["dies_per_wafer"]["value"])
    assert out["good_dies_per_wafer"]["value"] != int(out["good_dies_per_wafer"]["value"])


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["tco", "--gpu", "h100-sxm", "--power", "1.2kW", "-f", "csv"], 0),
        (["tco", "--gpus", "x"], 2),
    ],
)
def test_a_run_started_with_stderr_closed_writes_its_output_and_keeps_its_code(
    args: list[str], code: int
) -> None:
    """Probe 2: `2>&-` on a run that warns wrote nothing to stdout and exited 1 (and a usage
    error exited 1): the first warning failed on a stderr that was None."""
    done = subprocess.run([*TCOCTL, *args], stdout=subprocess.PIPE, timeout=60,
                          preexec_fn=lambda: os.close(2))  # fmt: skip
    assert done.returncode == code
    if code == 0:
        assert done.stdout == run(*args).stdout.encode() and done.stdout
