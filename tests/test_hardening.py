"""Process-level manners: pipes, colour, interrupts, exit codes, and numeric range."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import results, run

TCOCTL = [sys.executable, "-m", "tcoctl"]


def test_closed_pipe_ends_quietly() -> None:
    """`tcoctl ... | head -1`: no BrokenPipeError, nothing on stderr."""
    process = subprocess.Popen(
        [*TCOCTL, "compare", "--format", "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    assert process.wait(timeout=30) == 0
    assert b"Error" not in process.stderr.read()


@pytest.mark.parametrize("args", [["tco", "--format", "table"], ["compare", "--format", "table"]])
def test_closed_pipe_ends_quietly_for_tables(args: list[str]) -> None:
    process = subprocess.Popen([*TCOCTL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    assert process.wait(timeout=30) == 0
    assert process.stderr.read() == b""


def test_no_color_and_machine_formats_are_plain() -> None:
    env = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "", "TERM": "xterm-256color"}
    for fmt in ("table", "json", "csv"):
        done = subprocess.run(
            [*TCOCTL, "tco", "--format", fmt], capture_output=True, env=env, timeout=60, check=True
        )
        assert b"\x1b[" not in done.stdout


def test_interrupt_exits_130(tmp_path: Path) -> None:
    lines = tmp_path / "runs.jsonl"
    line = '{"gpu": "h100-sxm", "count": 1000, "duration": "9 day", "mfu": 0.4}\n'
    lines.write_text(line * 400_000, encoding="utf-8")
    process = subprocess.Popen(
        [*TCOCTL, "flops", "--input", str(lines)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 130
    assert process.stderr is not None and b"Traceback" not in process.stderr.read()


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
