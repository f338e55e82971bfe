"""Reliability (issue 13): signals, hostile files, full disks, bad batch lines, output
safety. Cases run the real console script in a subprocess where the process matters;
timeouts only catch hangs (generous, never a speed assertion). Nothing is written into the
checkout: every file lives in tmp_path."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import resource
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import run
from tcoctl import output, presets
from tcoctl.charts import LineChart, sweep_views
from tcoctl.pipeline.planner import crossings

HANG = 60.0
"""Seconds after which a case is taken to hang (not a speed limit)."""
TCOCTL = [
    shutil.which("tcoctl") or sys.executable,
    *([] if shutil.which("tcoctl") else ["-m", "tcoctl"]),
]
FLOPS_LINE = (
    '{"gpu": "h100-sxm", "count": %d, "duration": "30 day", "mfu": 0.4, "power": "1.4 kW", '
    '"electricity": "0.08 USD/kWh"}\n'
)


def tcoctl(
    *args: str,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    **popen: Any,
) -> subprocess.CompletedProcess[bytes]:
    """Run the console script; stdout and stderr as bytes."""
    return subprocess.run(
        [*TCOCTL, *args],
        input=stdin,
        capture_output=True,
        timeout=HANG,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        check=False,
        **popen,
    )


def scenario_preset(folder: Path, name: str, extra: str = "", title: str = "mine") -> Path:
    """A small valid scenario preset for flops, with ``extra`` TOML appended."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(
        f'title = {json.dumps(title)}\nkind = "scenario"\n'
        '[flops]\ngpu = { value = "h100-sxm", source = "x", url = "https://example.com" }\n'
        'count = { value = "1000", source = "x", url = "https://example.com" }\n'
        'duration = { value = "30 day", source = "x", url = "https://example.com" }\n'
        'mfu = { value = "0.4", source = "x", url = "https://example.com" }\n' + extra,
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def big_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("batch") / "big.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(FLOPS_LINE % (1000 + i % 5000) for i in range(300_000))
    return path


def descendants(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                found.append(int(entry.name))
    return found


def holders(path: Path) -> list[int]:
    """Processes whose command line names ``path`` (an orphaned worker would)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if str(path).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


# --- signals ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP", "SIGINT", "SIGKILL"])
def test_signal_to_main_pid_ends_batch_without_orphans(name: str, big_batch: Path) -> None:
    number = getattr(signal, name)
    process = subprocess.Popen(
        [*TCOCTL, "flops", "--input", str(big_batch)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,  # unbuffered: readline takes no more than the first line
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # output has started: the batch is running
    assert first.startswith(b"{")
    assert descendants(process.pid) == []  # one process: no workers to orphan
    process.send_signal(number)  # the main PID only
    rest, stderr = process.communicate(timeout=HANG)  # EOF: nobody holds the pipe
    expected = -9 if name == "SIGKILL" else (130 if name == "SIGINT" else 128 + number)
    assert process.returncode == expected, stderr
    assert b"Traceback" not in stderr
    assert holders(big_batch) == []
    text = first + rest
    if name != "SIGKILL":
        assert text.endswith(b"\n")  # a prefix of whole lines: no torn record
        for line in text.splitlines():
            json.loads(line)
        assert b"interrupted" in stderr


def blocked_writing_stdout(pid: int) -> bool:
    """Whether the process sits in write(1, ...) (/proc/PID/syscall: number 1 on x86-64 Linux,
    first argument 0x1), as it does when the reader of its stdout stopped reading."""
    try:
        return Path(f"/proc/{pid}/syscall").read_text().startswith("1 0x1 ")
    except OSError:
        return False


@pytest.mark.skipif(
    not Path("/proc/self/syscall").exists() or os.uname().machine != "x86_64",
    reason="needs Linux x86-64 /proc/PID/syscall",
)
def test_sigterm_into_a_stalled_pipe_leaves_whole_lines(tmp_path: Path) -> None:
    """Issue 19 item 1: a batch writing into a pipe nobody reads (`| less`) is blocked part
    way through a chunk; SIGTERM then tore the record the pipe buffer ended in."""
    lines = tmp_path / "batch.jsonl"
    lines.write_text("".join(FLOPS_LINE % (1000 + i) for i in range(3_000)), encoding="utf-8")
    process = subprocess.Popen([*TCOCTL, "flops", "--input", str(lines)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        for _ in range(int(HANG / 0.01)):  # until the full pipe blocks it (not a speed limit)
            if blocked_writing_stdout(process.pid) or process.poll() is not None:
                break
            time.sleep(0.01)
        assert blocked_writing_stdout(process.pid), "the batch never filled the pipe"
        process.send_signal(signal.SIGTERM)
        text, stderr = process.communicate(timeout=HANG)  # the pipe is read only now
    finally:
        process.kill()
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert len(text) > 60_000 and text.endswith(b"\n")
    for line in text.splitlines():
        json.loads(line)


# --- bounded reading -------------------------------------------------------------------


def test_dev_zero_as_input_is_bounded() -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = tcoctl("flops", "--input", "/dev/zero")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert done.returncode == 2
    assert b"line 1" in done.stderr and b"longer than" in done.stderr
    assert peak_mb < 600 or before / 1024 >= 600  # far below the 4.5 GB it once took


def test_long_line_is_one_numbered_error(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_bytes(
        (FLOPS_LINE % 1000).encode()
        + b'{"count": "'
        + b"1" * 1_100_000
        + b'"}\n'
        + (FLOPS_LINE % 2000).encode()
    )
    done = tcoctl("flops", "--input", str(path))
    assert done.returncode == 1
    assert [json.loads(x)["line"] for x in done.stdout.splitlines()] == [1, 3]
    assert b"line 2: longer than 1,000,000 bytes" in done.stderr


@pytest.fixture
def hostile_presets(tmp_path: Path) -> Path:
    folder = tmp_path / "presets"
    scenario_preset(folder, "good")
    os.mkfifo(folder / "fifo.toml")
    (folder / "zero.toml").symlink_to("/dev/zero")
    (folder / "dangling.toml").symlink_to(tmp_path / "nowhere")
    (folder / "deep.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    return folder


@pytest.mark.parametrize(
    "args",
    [
        ["presets", "list", "-f", "json"],
        ["compare", "good", "-f", "json"],
        ["compare", "-f", "json"],
    ],
)
def test_hostile_preset_files_are_skipped_with_a_warning(
    args: list[str], hostile_presets: Path
) -> None:
    done = tcoctl("--presets-dir", str(hostile_presets), *args)
    assert done.returncode == 0, done.stderr
    assert b"internal error" not in done.stderr
    if args[0] == "presets":
        for name in (b"fifo.toml", b"zero.toml", b"dangling.toml", b"deep.toml"):
            assert b"warning: skipped" in done.stderr and name in done.stderr


def test_misspelt_preset_names_the_skipped_files(hostile_presets: Path) -> None:
    done = tcoctl("--presets-dir", str(hostile_presets), "flops", "--preset", "godo")
    assert done.returncode == 2
    message = done.stderr.decode()
    assert "no scenario preset 'godo'" in message and "good" in message
    for name in ("fifo", "zero", "dangling", "deep"):
        assert name in message


def test_unreadable_presets_folder_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root reads any folder, so the folder is made unreadable by failing os.scandir.
    folder = tmp_path / "locked"
    scenario_preset(folder, "hidden")
    real = os.scandir

    def refuse(path: Any = ".") -> Any:
        if Path(path) == folder:
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", refuse)
    presets._scan.cache_clear()
    outcome = run("--presets-dir", str(folder), "presets", "list", "-f", "json")
    presets._scan.cache_clear()
    assert outcome.code == 0
    assert "unreadable folder" in outcome.stderr and str(folder) in outcome.stderr


# --- files -----------------------------------------------------------------------------


def limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))  # like `ulimit -f 4`


def limit_file_size_quietly() -> None:
    """`ulimit -f 1` (1,024 bytes), with SIGXFSZ ignored so that writes fail with EFBIG."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


@pytest.mark.parametrize(
    "args",
    [
        ["tco", "--sweep", "electricity=0.02..0.4:5", "--format", "json"],
        ["flops", "--input", "-", "--format", "json"],
        ["compare", "--format", "json"],
    ],
)
def test_a_file_size_limit_is_an_error_not_a_truncated_file(
    args: list[str], tmp_path: Path
) -> None:
    """Issue 19 item 20: `(ulimit -f 1; tcoctl ... > out.json)` wrote 1,024 bytes of broken
    JSON with exit 0 (Python's buffered writer drops the rest of a short write). The probe
    then found the file ending mid-line: it is cut back to its last whole line."""
    out = tmp_path / "out.json"
    with out.open("wb") as handle:
        done = subprocess.run([*TCOCTL, *args], input=(FLOPS_LINE % 1000).encode() * 40,
                              stdout=handle, stderr=subprocess.PIPE, timeout=HANG, check=False,
                              preexec_fn=limit_file_size_quietly)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(b"tcoctl: error: cannot write output: File too large")
    assert out.stat().st_size <= 1024
    assert out.read_bytes().endswith(b"\n") or out.read_bytes() == b""


def test_svg_on_a_full_disk_keeps_the_old_file(tmp_path: Path) -> None:
    svg = tmp_path / "out.svg"
    svg.write_text("old drawing\n")
    done = tcoctl(
        "tco", "-f", "json", "--svg-screen", str(svg), cwd=tmp_path, preexec_fn=limit_file_size
    )
    assert done.returncode == 1
    assert b"cannot write output" in done.stderr
    assert svg.read_text() == "old drawing\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.svg"]  # no temp file left


def test_svg_replaces_atomically_and_dash_is_stdout(tmp_path: Path) -> None:
    svg = tmp_path / "out.svg"
    svg.write_text("old")
    assert tcoctl("tco", "-f", "json", "--svg", str(svg)).returncode == 0
    assert svg.read_text().lstrip().startswith("<svg")
    done = tcoctl("tco", "--svg", "-", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.lstrip().startswith(b"<svg")
    assert not (tmp_path / "-").exists()


def test_svg_never_writes_through_a_symlink(tmp_path: Path) -> None:
    """Issue 19 item 25: a symbolic link at the --svg path redirected the write to its target."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = tmp_path / "chart.svg"
    link.symlink_to(victim)
    refused = tcoctl("tco", "-f", "json", "--svg", str(link))
    assert refused.returncode == 2
    assert b"--svg:" in refused.stderr and b"symbolic link" in refused.stderr
    assert refused.stdout == b""
    forced = tcoctl("tco", "-f", "json", "--svg", str(link), "--force")
    assert forced.returncode == 0, forced.stderr
    assert victim.read_text() == "precious\n"  # the link itself was replaced
    assert not link.is_symlink() and link.read_text().lstrip().startswith("<svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.svg", "victim.txt"]


def test_svg_refuses_a_read_only_file_unless_forced(tmp_path: Path) -> None:
    """Issue 19 item 25: a mode-0444 file was replaced without a word (cp asks first)."""
    svg = tmp_path / "screen.svg"
    svg.write_text("kept\n")
    svg.chmod(0o444)
    refused = tcoctl("compare", "--svg-screen", str(svg))
    assert refused.returncode == 2 and b"read-only" in refused.stderr
    assert svg.read_text() == "kept\n"
    forced = tcoctl("tco", "-f", "json", "--svg-screen", str(svg), "--force")
    assert forced.returncode == 0, forced.stderr
    assert svg.read_text().lstrip().startswith("<svg")
    assert svg.stat().st_mode & 0o777 == 0o444  # replaced, keeping its permissions


def test_svg_never_replaces_a_device() -> None:
    done = tcoctl("tco", "-f", "json", "--svg", "/dev/full")
    assert done.returncode == 1 and b"cannot write output" in done.stderr
    assert Path("/dev/full").is_char_device()


def step_preset(step_file: str) -> str:
    """A yield preset extending h100-die with a step file."""
    return (
        'title = "die"\nkind = "scenario"\nextends = "h100-die"\n[yield]\n'
        f'step-file = {{ value = {json.dumps(step_file)}, source = "x", url = "https://x.org" }}\n'
    )


def test_step_file_resolves_in_the_preset_folder(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "steps.txt").write_text("0.99\n0.98\n")
    (folder / "die.toml").write_text(step_preset("steps.txt"))
    done = tcoctl("--presets-dir", str(folder), "yield", "--preset", "die", "-f", "json",
                  cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["inputs"]["steps"]["value"] == 2


def test_step_file_outside_preset_folder_and_no_echo(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:SECRET-HASH:19000:0:99999:7:::\n")
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "die.toml").write_text(step_preset(str(secret)))
    done = tcoctl("--presets-dir", str(folder), "yield", "--preset", "die")
    assert done.returncode == 1
    assert b"outside the preset's folder" in done.stderr
    assert b"SECRET" not in done.stderr
    direct = tcoctl("yield", "--step-file", str(secret))
    assert direct.returncode == 2
    assert b"SECRET" not in direct.stderr and b"root:" not in direct.stderr


def test_step_file_fifo_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "steps"
    os.mkfifo(fifo)
    done = tcoctl("yield", "--step-file", str(fifo))
    assert done.returncode == 2 and b"not a regular file" in done.stderr


# --- the batch contract ----------------------------------------------------------------


def test_invalid_utf8_mid_batch_keeps_the_good_lines(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        (FLOPS_LINE % 1000).encode() + b'{"count": "\xff\xfe"}\n' + (FLOPS_LINE % 3000).encode()
    )
    done = tcoctl("flops", "--input", str(path))
    assert done.returncode == 1
    assert [json.loads(x)["line"] for x in done.stdout.splitlines()] == [1, 3]
    assert b"line 2: not UTF-8 text" in done.stderr


@pytest.mark.parametrize(
    "bad",
    [b'{"count": "\xff\xfe"}', b'{"count": "' + b"1" * 1_100_000 + b'"}'],
    ids=["utf8", "long"],
)
def test_an_unreadable_first_line_fails_alone(bad: bytes, tmp_path: Path) -> None:
    """Issue 19 item 29: an invalid-UTF-8 or over-long first line ended the whole batch (exit
    2, no output)."""
    path = tmp_path / "first.jsonl"
    path.write_bytes(bad + b"\n" + (FLOPS_LINE % 2000).encode() + (FLOPS_LINE % 3000).encode())
    done = tcoctl("flops", "--input", str(path))
    assert done.returncode == 1
    assert [json.loads(x)["line"] for x in done.stdout.splitlines()] == [2, 3]
    assert done.stderr.startswith(b"tcoctl: error: line 1: ")
    assert b"1 of 3 lines failed" in done.stderr


def test_records_stream_while_the_input_stays_open() -> None:
    """Issue 19 item 29: an upstream that sent two lines and stayed open got no output until
    64 lines or the end of its input arrived."""
    process = subprocess.Popen([*TCOCTL, "flops", "--input", "-"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(((FLOPS_LINE % 1000) + (FLOPS_LINE % 2000)).encode())
        process.stdin.flush()  # and the pipe stays open
        received = b""
        while received.count(b"\n") < 2:
            ready, _, _ = select.select([process.stdout], [], [], HANG)
            assert ready, "no record while the input stayed open"
            piece = os.read(process.stdout.fileno(), 1 << 16)
            assert piece, "stdout ended"
            received += piece
        assert [json.loads(x)["line"] for x in received.splitlines()] == [1, 2]
        process.stdin.close()
        assert process.wait(timeout=HANG) == 0
    finally:
        process.kill()
        process.wait(timeout=HANG)
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_a_batch_whose_every_line_fails_says_so_briefly() -> None:
    """Issue 19 item 5: it claimed "every other line was written" when none was, and wrote
    one line per failure (100,000 lines of stderr)."""
    done = tcoctl("flops", "--input", "-", stdin=b'{"count": "many"}\n' * 300)
    assert done.returncode == 1 and done.stdout == b""
    errors = done.stderr.decode().splitlines()
    assert len(errors) == 20 + 1 + 1  # the first 20, then a count by message, then the summary
    assert errors[19].startswith("tcoctl: error: line 20: --count")
    assert errors[20].startswith("tcoctl: error: 280 more line(s): --count")
    assert (
        errors[21]
        == "tcoctl: error: --input: all 300 line(s) failed (see above); nothing was written"
    )


def test_a_batch_names_every_failed_line_it_can_and_shows_a_line_that_runs() -> None:
    """The probe: after the 20 errors shown one by one, a message left with one line said '1
    more line(s): ...' without its number, and lines too long or not UTF-8 had no example
    (every other line error has one); they now say 'line 21: ...' and '...; e.g. {...}'."""
    bad = b'{"count": "many"}\n' * 21
    long = b'{"count": "' + b"1" * 1_100_000 + b'"}\n'
    done = tcoctl("flops", "--input", "-", stdin=bad + b'{"count": "\xff"}\n' + long)
    errors = done.stderr.decode().splitlines()
    assert errors[20].startswith("tcoctl: error: line 21: --count: "), errors[20]
    example = '; e.g. {"gpu": "h100-sxm", "count": "8", "duration": "30 day", "mfu": "0.4"}'
    assert errors[21].startswith("tcoctl: error: line 22: not UTF-8 text (byte 12 of the line)")
    assert errors[22].startswith("tcoctl: error: line 23: longer than 1,000,000 bytes")
    assert example in errors[21] and example in errors[22]
    assert not any("more line(s)" in error for error in errors)


def test_a_batch_warns_once_per_kind_of_message_whatever_its_figures() -> None:
    """The new-user trial: lines whose warning differed only in its figures (a goal out of
    reach, with the cost it never falls below; the line at 3.2 USD/h reaches it everywhere
    since the overlap, 2.9 did at the relative-error fit, 3.0 before it) each got a warning
    line; they are one kind, named with the lines it concerns, as the API's arrays are."""
    lines = "".join(
        json.dumps({"cost-per-gpu-hour": f"{price:.1f} USD/h"}) + "\n"
        for price in (3.2, 3.3, 3.4, 3.5, 3.6, 3.7, 3.8)
    )
    goal = ("--solve", "batch", "--for", "cost_per_million_tokens=10 USD/Mtoken")
    done = run("inference", *goal, "--input", "-", input=lines)
    assert done.code == 0 and len(done.stdout.splitlines()) == 7
    reach = [line for line in done.stderr.splitlines() if "is out of reach at" in line]
    assert len(reach) == 1, done.stderr
    assert reach[0].startswith(
        "tcoctl: warning: lines 2, 3, 4 and 3 more, figures and example from the first"
    )


@pytest.mark.parametrize("command", ["yield", "flops", "h100e", "supply"])
def test_identical_lines_that_give_nothing_all_fail_alike(command: str) -> None:
    """The probe (D3): of four lines '{}' only line 1 failed and lines 2-4 were written as
    records with no results; of 7,000 only the first line of each chunk failed."""
    done = tcoctl(command, "--input", "-", stdin=b"{}\n" * 7_000)
    assert done.returncode == 1 and done.stdout == b""
    errors = done.stderr.decode().splitlines()
    message = errors[0].removeprefix("tcoctl: error: line 1: ")
    assert errors[:20] == [f"tcoctl: error: line {n}: {message}" for n in range(1, 21)]
    assert errors[20:] == [
        f"tcoctl: error: 6,980 more line(s): {message}",
        "tcoctl: error: --input: all 7,000 line(s) failed (see above); nothing was written",
    ]


@pytest.mark.parametrize("lines", ["", "\n \n"])
def test_a_batch_of_no_lines_is_one_usage_line(lines: str) -> None:
    """The probe: empty input warned "no scenario lines to read" and then failed with "all 0
    line(s) failed (see above)", exit 1."""
    outcome = run("supply", "--input", "-", input=lines)
    assert (outcome.code, outcome.stdout) == (2, "")
    assert outcome.stderr == (
        "tcoctl: error: --input: no scenario lines in standard input; e.g. one JSON object a line\n"
    )


def test_a_batch_with_one_good_line_says_so_in_words() -> None:
    """Its summary read "the other 1 were written"."""
    lines = b'{"count": "many"}\n' * 3 + b'{"gpu": "h100-sxm", "count": 8, "duration": "1 day"}\n'
    done = tcoctl("flops", "--input", "-", stdin=lines)
    assert done.returncode == 1 and len(done.stdout.splitlines()) == 1
    last = done.stderr.decode().splitlines()[-1]
    assert last.endswith("3 of 4 lines failed (see above); the other line was written")


def test_input_dash_with_stdin_closed_is_a_clear_error() -> None:
    """Issue 19 item 30: `tcoctl flops --input - <&-` raised AttributeError."""
    done = tcoctl("flops", "--input", "-", stdin=None, preexec_fn=lambda: os.close(0))
    assert done.returncode == 2
    assert done.stderr.startswith(b"tcoctl: error: --input -: standard input is closed")


@pytest.mark.parametrize("where", ["missing.jsonl", "."])
def test_input_that_cannot_be_read_names_what_it_takes(tmp_path: Path, where: str) -> None:
    """New-user trial, item 5: --input /nonexistent.jsonl said only "No such file or
    directory" (a folder: "a folder"), with no example."""
    outcome = run("tco", "--input", str(tmp_path / where))
    assert outcome.code == 2 and outcome.stderr.count("\n") == 1, outcome.stderr
    assert outcome.stderr.startswith("tcoctl: error: --input: cannot read '")  # path shortened
    assert outcome.stderr.endswith(
        "; expected a readable file or '-', e.g. '--input lines.jsonl' or '--input -'\n"
    )


def test_stray_cr_line_numbers_match_awk(tmp_path: Path) -> None:
    path = tmp_path / "cr.csv"
    path.write_bytes(b"count,mfu\r\n1000,0.4\r\n20\r00,0.4\n3000,bad\n4000,0.4\r\n")
    done = tcoctl("flops", "--gpu", "h100-sxm", "--duration", "30 day", "-f", "csv",
                  "--input", str(path))  # fmt: skip
    bad = [int(n) for n in re.findall(rb"error: line (\d+):", done.stderr)]
    if shutil.which("awk"):
        awk = subprocess.run(["awk", "/\\r[^$]|bad/ {print NR}", str(path)], capture_output=True,
                             check=True)  # fmt: skip
        assert bad == [int(x) for x in awk.stdout.split()]
    assert bad == [3, 4]
    lines = [int(row[0]) for row in list(csv.reader(io.StringIO(done.stdout.decode())))[1:]]
    assert lines == [2, 5]


def test_duplicate_json_key_fails_its_line_only() -> None:
    stdin = (FLOPS_LINE % 1000 + '{"count": 1, "count": 2}\n' + FLOPS_LINE % 2000).encode()
    done = tcoctl("flops", "--input", "-", stdin=stdin)
    assert done.returncode == 1
    assert [json.loads(x)["line"] for x in done.stdout.splitlines()] == [1, 3]
    assert b"line 2: duplicate key 'count'" in done.stderr


def test_duplicate_csv_header_is_a_usage_error() -> None:
    done = tcoctl("flops", "--input", "-", stdin=b"count,mfu,count\n1,0.4,2\n")
    assert done.returncode == 2
    assert b"names count more than once" in done.stderr


def test_die_budget_is_per_line(tmp_path: Path) -> None:
    """A die count's work budget (dieyield.CELL_BUDGET) is per batch line. The 16 lines of
    0.02 mm dies (2454 rows each) in the first chunk would, on one shared budget, cut the
    offset search of the 5x5 mm line beside them from 24 to 21 steps per axis, which finds
    2505 dies, not 2507; the line must count as it does alone, and no line may fail."""
    path = tmp_path / "dies.jsonl"
    lines = [json.dumps({"die_size": "0.02x0.02"})] * 16 + [json.dumps({"die_size": "5x5"})]
    path.write_text("\n".join(lines) + "\n")
    done = run("yield", "--input", str(path))
    assert done.code == 0, done.stderr[:300]
    records = done.records()
    assert len(records) == 17
    assert all(record["results"]["dies_per_wafer"]["value"] > 0 for record in records)
    alone = run("yield", "--die-size", "5x5", "-f", "json")
    assert records[-1]["results"] == alone.json()["results"]
    assert "--samples" not in done.stderr


def test_numpy_warnings_never_reach_stderr() -> None:
    stdin = b'{"count": "1e300", "mfu": 1e-300}\n{"count": 1000}\n'
    done = tcoctl("flops", "--gpu", "h100-sxm", "--duration", "30 day", "--mfu", "0.4",
                  "--input", "-", stdin=stdin)  # fmt: skip
    assert b"Warning" not in done.stderr


# --- output ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+cmd", "'+cmd"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "\\rx"),  # a CR is shown, not kept: it would start a row in some readers
        ("x\r=cmd|' /C calc'!A0", "x\\r=cmd|' /C calc'!A0"),  # issue 19 item 26
        ("x\n=cmd", "x\n'=cmd"),
        ("x\n \t+cmd", "x\n' \t+cmd"),
        ("\t=cmd", "'\t=cmd"),
        ("red \x1b[31m", "red \\x1b[31m"),
        ("-1.5", "-1.5"),
        ("1e-3", "1e-3"),
        ("+2", "+2"),
        (("a", "b"), "a; b"),
        (None, ""),
        (3.5, 3.5),
    ],
)
def test_csv_cells_are_neutralised(cell: Any, shown: Any) -> None:
    assert output.csv_cell(cell) == shown


def test_csv_injection_in_presets_list_and_show(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    scenario_preset(folder, "evil", title="=cmd|' /C calc'!A0")
    listed = run("--presets-dir", str(folder), "presets", "list", "-f", "csv")
    rows = {row[0]: row for row in csv.reader(io.StringIO(listed.stdout))}
    assert rows["evil"][3] == "'=cmd|' /C calc'!A0"
    shown = run("presets", "show", "india-2026", "-f", "csv")
    assert "('" not in shown.stdout  # no Python tuple


def test_csv_and_stderr_carry_no_raw_control_characters(tmp_path: Path) -> None:
    """Issue 19 item 26: a title "x\\r=cmd..." escaped neutralisation in presets list CSV, and
    escape sequences from preset notes and upstream documents reached stdout and stderr."""
    folder = tmp_path / "p"
    note = ', note = "n\\u001b]0;pwn\\u0007" }\n'
    scenario_preset(folder, "evil", title="x\r=cmd|' /C calc'!A0\x1b[31m")
    text = (folder / "evil.toml").read_text().replace(" }\nduration", note + "duration", 1)
    (folder / "evil.toml").write_text(text)
    for args in (["presets", "list"], ["presets", "show", "evil"]):
        done = tcoctl("--presets-dir", str(folder), *args, "-f", "csv")
        assert done.returncode == 0, done.stderr
        for row in csv.reader(io.StringIO(done.stdout.decode())):
            assert not any(ord(c) < 32 and c not in "\t\n" for cell in row for c in cell)
            assert not any(cell.lstrip(" \t").startswith(("=", "+", "@")) for cell in row)
    cost = {"cost_per_gpu_hour": {"value": 1.8, "unit": "USD/h"}}
    upstream = json.dumps({"schema_version": 1, "command": "tco\x1b[2J", "results": cost})
    done = tcoctl("inference", "--input", "-", stdin=upstream.encode() + b"\n")
    assert b"tco\\x1b[2J" in done.stderr and b"\x1b" not in done.stderr


def test_a_file_name_with_an_escape_is_shown_escaped_not_stripped(tmp_path: Path) -> None:
    """The probe (D10): a preset file e<ESC>[31mvil.toml was reported as 'skipped
    .../evil.toml', another (valid) name: click.echo strips escape sequences off a pipe,
    where everything else on stderr shows them as \\x1b."""
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "e\x1b[31mvil.toml").write_text('kind = "nope"\n')
    for args in (["presets", "list"], ["tco", "--preset", "e\x1b[31mvil"]):
        done = tcoctl("--presets-dir", str(folder), *args, "-f", "json")
        assert b"e\\x1b[31mvil.toml: 'kind' must be one of" in done.stderr, done.stderr
        assert b"\x1b" not in done.stderr


def test_control_characters_are_escaped_in_tables(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    scenario_preset(folder, "loud", title="red \x1b[31mALERT\x07")
    done = tcoctl("--presets-dir", str(folder), "presets", "list", "-f", "table",
                  env={"COLUMNS": "200"})  # fmt: skip
    assert done.returncode == 0
    assert b"\x1b" not in done.stdout and b"\x07" not in done.stdout
    assert b"ALERT" in done.stdout


@pytest.mark.parametrize("columns", ["0", "5", "-3", "abc"])
def test_tiny_columns_fall_back_to_80(columns: str) -> None:
    done = tcoctl("flops", "-f", "table", env={"COLUMNS": columns})
    assert done.returncode == 0
    assert b"total_flop" in done.stdout


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
def test_non_utf8_stdout_degrades(encoding: str) -> None:
    for args in (["tco", "-f", "table"], ["presets", "list", "-f", "csv"], ["compare"]):
        done = tcoctl(*args, env={"PYTHONIOENCODING": encoding, "COLUMNS": "120"})
        assert done.returncode == 0, done.stderr
        assert b"internal error" not in done.stderr


def test_write_errors_are_reported() -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run([*TCOCTL, "tco", "-f", "json"], stdout=full, stderr=subprocess.PIPE,
                              timeout=HANG, check=False)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith(b"tcoctl: error: cannot write output:")
    closed = subprocess.run([*TCOCTL, "tco", "-f", "json"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, timeout=HANG, check=False,
                            preexec_fn=lambda: os.close(1))  # fmt: skip
    assert closed.returncode == 1 and b"cannot write output" in closed.stderr
    with open("/dev/full", "wb") as full:
        quiet = subprocess.run([*TCOCTL, "tco", "--gpus", "nope"], stdout=subprocess.DEVNULL,
                               stderr=full, timeout=HANG, check=False)  # fmt: skip
    assert quiet.returncode == 1


def test_head_stays_quiet(big_batch: Path) -> None:
    done = subprocess.run(f"{' '.join(TCOCTL)} flops --input {big_batch} | head -1",
                          shell=True, capture_output=True, timeout=HANG, check=False)  # fmt: skip
    assert done.returncode == 0 and done.stderr == b""
    assert len(done.stdout.splitlines()) == 1


def test_sweep_chart_skips_undefined_points() -> None:
    xs = [1.0, 2.0, 3.0, 4.0]
    ys: Sequence[Any] = [1.0, None, float("nan"), 4.0]
    chart = LineChart("t", tuple(xs), tuple(ys), "x", "y").rich()
    assert str(chart).count("●") == 2
    views = sweep_views("x", "y", xs, ys, [], "")
    assert len(views) == 2
    assert crossings(xs, ys, 2.5) == []
    nowhere: Sequence[Any] = [None] * 4
    assert "no point" in str(LineChart("t", tuple(xs), tuple(nowhere), "x", "y").rich())


def test_monte_carlo_percentiles_are_exact() -> None:
    from tcoctl import sampling

    def evaluate(design: np.ndarray[Any, Any]) -> tuple[dict[str, Any], None]:
        x = design[:, 0]
        return {"y": np.stack([x**3, 2 * x, np.ones_like(x)])}, None

    found, counted = sampling.percentiles(evaluate, 1, 500_000, "uniform", 7)
    assert counted.tolist() == [500_000] * 3
    design = np.random.default_rng(7).random((500_000, 1))
    expected = np.percentile(evaluate(design)[0]["y"], [5, 50, 95], axis=-1)
    for key, row in zip(("p05", "p50", "p95"), expected, strict=True):
        assert np.array_equal(found["y"][key], row)


@pytest.mark.parametrize("samples", [1_000, 300_000])  # one chunk, and many
def test_monte_carlo_percentiles_leave_out_draws_without_an_answer(samples: int) -> None:
    """Draws a run leaves out (a goal out of reach there) count for nothing: each row's
    percentiles and mean equal numpy's over the draws kept, and the count is theirs."""
    from tcoctl import sampling

    def evaluate(design: np.ndarray[Any, Any]) -> tuple[dict[str, Any], Any]:
        x = design[:, 0]
        return {"y": np.stack([x**2, x])}, np.stack([x < 0.3, x > 0.9])

    found, counted = sampling.percentiles(evaluate, 1, samples, "uniform", 11)
    design = np.random.default_rng(11).random((samples, 1))
    values, left_out = evaluate(design)
    for row in range(2):
        kept = values["y"][row][~left_out[row]]
        assert counted[row] == kept.size < samples
        expected = np.percentile(kept, [5, 50, 95])
        assert [found["y"][key][row] for key in ("p05", "p50", "p95")] == expected.tolist()
        assert math.isclose(found["y"]["mean"][row], kept.mean(), rel_tol=1e-12)


def test_a_csv_line_with_the_wrong_field_count_gets_an_example() -> None:
    """The new-user trial: 'line 2: 3 fields, the header has 2' gave no example; it names the
    columns and how to keep a comma inside a field, and the good line is still written."""
    done = run("flops", "--input", "-", "--format", "json",
               input="count,duration\n1000,90 day\n1,000,90 day\n")  # fmt: skip
    assert done.code == 1 and len(done.stdout.splitlines()) == 1
    assert (
        "line 3: 3 fields, the header has 2: expected one field per column (count,duration), "
        'a comma inside a field quoted, e.g. "1,000"'
    ) in done.stderr
