"""Adversarial input (issue 6): every option of every command, broken presets and garbage
batches must end within a second with a clear message on stderr and exit 1 (domain) or 2
(usage), never a traceback, and never partial or invalid JSON on stdout: stdout stays empty,
or, for --input batches, every line of it is valid JSON. A hypothesis fuzz over random
options of random commands checks the same invariants.

The cases are generated from tcoctl.specs.CALCULATORS. Values in the ``INVALID`` tables are
wrong for every option they are given to, so the exit code must be non-zero; ``SUSPICIOUS``
values are legitimate for some options (``--rate 0``, ``--network-cost 0 USD``), so for them
only the general invariants are checked. One test runs all the values of one option and
names every value that failed (8,800 test items of one run each cost more in pytest's
bookkeeping than in the runs themselves).

Each case runs in-process. Unlike conftest.run, ``invoke`` keeps what reached stdout when an
exception escapes the CLI, and turns the exception into the traceback a user would see on
stderr, so one set of assertions covers both.
"""

from __future__ import annotations

import itertools
import json
import re
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import typer.main
import typer.testing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import Outcome
from tcoctl.cli import app
from tcoctl.specs import CALCULATORS, Calculator, Input

LONG = 100_000
"""Characters in a 'huge' value (100 kB)."""
MAX_MESSAGE = 2_000
"""Characters of stderr that still count as a one-line message for a 100 kB value."""
SCRATCH = "{scratch}"
"""Placeholder in case arguments for the module's scratch folder (files, presets)."""


# --- running a case and checking the invariants ------------------------------------------


def invoke(args: Sequence[str], stdin: str | None = None) -> Outcome:
    """Run ``tcoctl ARGS`` in-process; return the outcome (no timing: the suite asserts no
    wall-clock limit; a hang is the CI run's own timeout)."""
    result = CliRunner().invoke(app, list(args), input=stdin)
    stderr = result.stderr
    error = result.exception
    if error is not None and not isinstance(error, SystemExit):
        # What the console script would print: Python's traceback, exit code 1.
        stderr += "Traceback (most recent call last):\n" + "".join(
            traceback.format_exception(type(error), error, error.__traceback__)
        )
    return Outcome(result.exit_code, result.stdout, stderr)


def shown(args: Sequence[str]) -> str:
    """A command line for a report, long values shortened."""
    parts = []
    for arg in args:
        text = arg if len(arg) <= 60 else f"{arg[:20]}...<{len(arg)} chars>"
        parts.append(repr(text) if not text or re.search(r"[^\w./=:,+-]", text) else text)
    return "tcoctl " + " ".join(parts)


def report(args: Sequence[str], outcome: Outcome, stdin: str | None) -> str:
    """The command line, exit code, and excerpts of stderr and stdout."""
    fed = "" if stdin is None else f"\n  stdin: {stdin[:120]!r}{'...' if len(stdin) > 120 else ''}"
    stderr = outcome.stderr
    if "Traceback" in stderr:  # the last frame in tcoctl and the exception
        frames = re.findall(r'File "[^"]*tcoctl/([^"]+)", line (\d+), in (\w+)', stderr)
        last = stderr.rstrip().splitlines()[-1]
        origin = ":".join(frames[-1]) if frames else "?"
        stderr = f"{stderr[: stderr.index('Traceback')]}Traceback ... at {origin}: {last}"
    return (
        f"\n  {shown(args)}{fed}\n  exit {outcome.code}"
        f"\n  stderr: {stderr[:400]!r}\n  stdout: {outcome.stdout[:300]!r}"
    )


def fmt_of(args: Sequence[str]) -> str:
    """The --format a command line asks for: the last one given, else json (the default
    when stdout is not a terminal)."""
    found = [value for flag, value in itertools.pairwise(args) if flag in ("--format", "-f")]
    return found[-1] if found else "json"


def no_constant(name: str) -> Any:
    raise ValueError(f"{name} in JSON output")


def json_lines(stdout: str) -> list[Any]:
    """stdout as strict JSON Lines: every line an object, no NaN or Infinity."""
    return [json.loads(line, parse_constant=no_constant) for line in stdout.splitlines()]


def check(
    args: Sequence[str],
    outcome: Outcome,
    *,
    stdin: str | None = None,
    must_fail: bool = False,
    codes: tuple[int, ...] = (1, 2),
    mentions: Sequence[str] = (),
    batch: bool = False,
) -> None:
    """The issue's invariants for one run.

    Always: exit 0, 1 or 2; no traceback; a message on stderr when it fails; stdout empty
    when it fails (a batch: every stdout line valid JSON); valid JSON Lines with no NaN or
    Infinity when it succeeds in JSON. ``must_fail``: the exit code is one of ``codes`` and
    stderr names each of ``mentions``.
    """
    where = report(args, outcome, stdin)
    if "Traceback" in outcome.stderr:
        pytest.fail("a traceback escaped:" + where, pytrace=False)
    if outcome.code not in (0, 1, 2):
        pytest.fail("unexpected exit code:" + where, pytrace=False)
    if must_fail and outcome.code not in codes:
        pytest.fail(f"expected exit {' or '.join(map(str, codes))}:" + where, pytrace=False)
    if outcome.code != 0:
        if not re.search("error", outcome.stderr, re.IGNORECASE):
            pytest.fail("no error message on stderr:" + where, pytrace=False)
        for name in mentions:
            if name not in outcome.stderr:
                pytest.fail(f"the message does not name {name!r}:" + where, pytrace=False)
        if not batch and outcome.stdout:
            pytest.fail("output on stdout although it failed:" + where, pytrace=False)
    if fmt_of(args) == "json" and (outcome.code == 0 or batch):
        try:
            records = json_lines(outcome.stdout)
        except ValueError as error:
            pytest.fail(f"invalid JSON on stdout ({error}):" + where, pytrace=False)
        if not all(isinstance(record, dict) for record in records):
            pytest.fail("a line of stdout is not a JSON object:" + where, pytrace=False)


def run_case(
    args: Sequence[str], scratch: Path, stdin: str | None = None, **expect: Any
) -> Outcome:
    """Substitute the scratch folder into ``args``, run, check; return the outcome."""
    args = [arg.replace(SCRATCH, str(scratch)) for arg in args]
    outcome = invoke(args, stdin)
    check(args, outcome, stdin=stdin, **expect)
    return outcome


# --- hostile values -----------------------------------------------------------------------

INVALID_NUMBERS: dict[str, str] = {
    "wrong-dimension": "5 kg m",  # not "5 kg": a plain mass is right for CO2e options
    "wrong-dimension-volume": "3 m^3",
    "nan": "nan",
    "nan-with-unit": "NaN W",
    "inf": "inf",
    "minus-inf-with-unit": "-inf W",
    "infinity": "Infinity",
    "overflow": "1e400",
    "overflow-with-unit": "1e400 W",
    "minus-overflow": "-1e400",
    "overflow-range-end": "1..1e400",
    "bomb-power": "9**9**9 W",
    "bomb-caret": "2^999999 W",
    "bomb-bare": "9**9**9",
    "bomb-unit-exponent": "1 W^999999",
    "reversed-range": "5..1",
    "reversed-range-with-unit": "5..1 kW",
    "empty": "",
    "blank": "   ",
    "fullwidth-digits": "７００ W",
    "unit-without-number": "µW",
    "emoji": "🔥",
    "number-emoji-unit": "1 🔥",
    "arabic-indic-digits": "٧٠٠",
    "greek-mu": "1 μW",
    "zero-width-space": "1\u200b",
    "nul": "1\x00",
    "newline": "1\n2",
    "huge-text": "x" * LONG,
    "huge-number": "9" * LONG,
    "triple-range": "1..2..3..4",  # 1..2..3 is a range with its centre
    "open-range": "1..",
    "only-dots": "..",
    "hex": "0x10",
    "thousands-comma": "1,00",  # 1,000 reads back as tables print it
    "division": "1/0",
    "python": "__import__('os')",
    "unit-before-range": "1 W..2",
}
"""Wrong for every number option."""

SUSPICIOUS_NUMBERS: dict[str, str] = {
    "zero": "0",
    "negative-zero": "-0",
    "negative": "-5",
    "tiny": "1e-300",
    "underflow": "1e-400",
    "subnormal": "5e-324",
    "huge": "1e300",
    "max-float": "1.7976931348623157e308",
    "wide-range": "1e-300..1e300",
    "range-across-zero": "-1..1",
    "percent": "100 %",
    "underscores": "1_000",
    "point-range": "5..5",
    "zero-range": "0..0",
    "padded": "  7  ",
    "dollar": "$5",
    "micro-sign": "1 µW",
}
"""Right for some number options, wrong for others."""

INVALID_NAMES: dict[str, str] = {
    "empty": "",
    "blank": " ",
    "unknown": "bogus",
    "upper-case": "{upper}",
    "trailing-space": "{first} ",
    "path": "../{first}",
    "absolute-path": "/etc/passwd",
    "nul": "{first}\x00",
    "emoji": "🔥",
    "fullwidth": "ｂｆ１６",
    "nan": "nan",
    "huge": "x" * LONG,
}
"""Wrong for every choice and --gpu; {first} is a valid name, {upper} it in capitals."""

INVALID_SIZES: dict[str, str] = {
    "empty": "",
    "one-side": "26",
    "no-height": "26x",
    "no-width": "x31",
    "three-sides": "26x31x5",
    "wrong-dimension": "5 kgx3 kg",
    "nan": "nanxnan",
    "inf": "infx1",
    "overflow": "1e400x1",
    "negative": "-26x31",
    "zero": "0x31",
    "reversed-range": "26..1x31",
    "fullwidth": "９x９",
    "emoji": "🔥x🔥",
    "huge": "x" * LONG,
    "huge-width": "9" * LONG + "x1",
    "bomb": "9**9**9x1",
    "bomb-caret": "2^999999 mx1",
    "wrong-unit-after": "26x31 kg",
}
"""Wrong for --die-size."""

SUSPICIOUS_SIZES: dict[str, str] = {
    "times-sign": "26×31.3",
    "capital-x": "26X31",
    "inch-height": "26 mm x 31 inch",
    "ranges": "20..26x30..31",
    "tiny": "0.001x0.001",
}

INVALID_STEP_FILES: dict[str, bytes | None] = {
    "above-one": b"1.5\n",
    "nan": b"nan\n",
    "inf": b"inf\n",
    "overflow": b"1e400\n",
    "underflow": b"1e-400\n",
    "zero": b"0\n",
    "negative": b"0.99\n-1\n",
    "binary": b"\x00\xff\xfe\x80garbage",
    "empty": b"",
    "comments-only": b"# nothing here\n",
    "toml-empty": b"yields = []\n",
    "toml-above-one": b"yields = [1.5]\n",
    "toml-string": b"yields = 'x'\n",
    "toml-bool": b"yields = [true]\n",
    "toml-table": b"yields = [0.99, {a = 1}]\n",
    "toml-duplicate": b"yields = [0.99]\nyields = [0.98]\n",
    "range": b"0.5..0.9\n0.99\n",
    "huge-line": b"9" * LONG + b"\n",
    "fullwidth": "０.９９\n".encode(),
    "oversized": b"0.99\n" * 2_000_001,
    "missing": None,
}
"""Step files whose contents (or absence) are wrong; None: the file does not exist."""

INVALID_STEP_PATHS: dict[str, str] = {
    "directory": f"{SCRATCH}/steps",
    "empty-path": "",
    "dev-null": "/dev/null",
    "huge-path": "x" * LONG,
}


def first_number_input(calc: Calculator) -> Input:
    return next(spec for spec in calc.inputs if spec.kind == "number")


def names_for(spec: Input) -> dict[str, str]:
    first = spec.choices[0] if spec.choices else "h100-sxm"
    values = {
        label: value.replace("{first}", first).replace("{upper}", first.upper())
        for label, value in INVALID_NAMES.items()
    }
    if spec.kind == "gpu":
        values["scenario-preset"] = "frontier-2024"
        values["preset-file-name"] = "h100-sxm.toml"
    else:
        values["other-command-choice"] = "negative-binomial" if first != "poisson" else "fp8"
    return values


def other_command_preset(calc: Calculator) -> str:
    """Another calculator's default preset that has no table for ``calc``."""
    from tcoctl import presets

    return next(
        other.default_preset
        for other in CALCULATORS.values()
        if calc.name not in presets.commands(presets.load(other.default_preset))
    )


def other_command_result(calc: Calculator) -> str:
    """A result of another calculator that ``calc`` does not have."""
    own = {result.name for result in calc.results}
    return next(r.name for c in CALCULATORS.values() for r in c.results if r.name not in own)


def first_name_input(calc: Calculator) -> Input:
    return next(spec for spec in calc.inputs if spec.kind in ("choice", "gpu"))


CONTEXT: dict[str, tuple[str, ...]] = {
    calc.name: calc.complete_example for calc in CALCULATORS.values()
}
"""A complete scenario per command, so that suspicious values reach the core."""


def in_context(calc: Calculator, spec: Input) -> list[str]:
    """CONTEXT without the options that ``spec`` replaces, excludes or is part of."""
    pairs = CONTEXT[calc.name]
    kept: list[str] = []
    for flag, value in zip(pairs[::2], pairs[1::2], strict=True):
        other = calc.input(flag.removeprefix("--"))
        clash = {spec.name, *spec.excludes, *spec.parts}
        if other.name in clash or spec.name in (*other.excludes, *other.parts):
            continue
        kept += [flag, value]
    return kept


# --- generated cases ----------------------------------------------------------------------


def option_cases(*kinds: str) -> Iterator[Any]:
    """Each option of these kinds of every calculator; one case runs all its values."""
    for calc in CALCULATORS.values():
        for spec in calc.inputs:
            if spec.kind in kinds:
                yield pytest.param(calc, spec, id=f"{calc.name}--{spec.name}")


def each_value(values: dict[str, str], case: Callable[[str], object]) -> None:
    """Run ``case`` on every value, then fail once naming each value that failed with its
    report: a failure hides none of the values after it."""
    failures = []
    for label, value in values.items():
        try:
            case(value)
        except pytest.fail.Exception as failure:
            failures.append(f"{label}:{failure.msg}")
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


def usage_error(calc: Calculator, spec: Input, scratch: Path) -> Callable[[str], Outcome]:
    """A case: ``tcoctl CALC --SPEC VALUE`` must be a usage error (exit 2) naming the option."""
    flag = f"--{spec.name}"
    return lambda value: run_case(
        [calc.name, flag, value, "--format", "json"],
        scratch,
        must_fail=True,
        codes=(2,),
        mentions=[flag],
    )


def shared_cases() -> Iterator[Any]:
    """(args, option named in the message) for the options every command shares."""
    for calc in CALCULATORS.values():
        c = calc.name
        number = first_number_input(calc).name
        other_result = other_command_result(calc)
        bad: list[tuple[str, list[str], str]] = [
            *(
                (f"preset={label}", ["--preset", value], "--preset")
                for label, value in {
                    "empty": "",
                    "unknown": "nope",
                    "gpu-preset": "h100-sxm",
                    "path": "../presets/frontier-2024",
                    "file-name": "frontier-2024.toml",
                    "upper-case": "FRONTIER-2024",
                    "absolute": "/etc/passwd",
                    "emoji": "🔥",
                    "huge": "x" * LONG,
                    "other-command": other_command_preset(calc),
                }.items()
            ),
            *(
                (f"format={label}", ["--format", value], "--format")
                for label, value in {
                    "empty": "",
                    "upper-case": "JSON",
                    "yaml": "yaml",
                    "emoji": "🔥",
                    "huge": "x" * LONG,
                }.items()
            ),
            *(
                (f"samples={label}", ["--samples", value], "--samples")
                for label, value in {
                    "negative": "-1",
                    "nan": "nan",
                    "overflow": "1e400",
                    "empty": "",
                    "above-max": "10000001",
                    "fraction": "1.5",
                    "emoji": "🔥",
                    "huge": "9" * LONG,
                }.items()
            ),
            *(
                (f"dist={label}", ["--dist", value], "--dist")
                for label, value in {"empty": "", "normal": "normal", "upper": "UNIFORM"}.items()
            ),
            *(
                (f"seed={label}", ["--seed", value], "--seed")
                for label, value in {
                    "negative": "-1",
                    "too-big": "4294967296",
                    "nan": "nan",
                    "empty": "",
                    "fraction": "1.5",
                }.items()
            ),
            *(
                (f"target={label}", ["--target", value], "--target")
                for label, value in {
                    "empty": "",
                    "unknown": "nope",
                    "other-command-result": other_result,
                    "upper-case": calc.target.upper(),
                    "emoji": "🔥",
                    "huge": "x" * LONG,
                }.items()
            ),
            *(
                (f"sweep={label}", ["--sweep", value], "--sweep")
                for label, value in {
                    "empty": "",
                    "no-name": "=1..2",
                    "equals-only": "=",
                    "unknown-input": "nope=1..2",
                    "not-a-number-input": f"{first_name_input(calc).name}=1..2",
                    "reversed": f"{number}=5..1",
                    "nan": f"{number}=nan..1",
                    "overflow": f"{number}=1..1e400",
                    "bomb": f"{number}=1..9**9**9",
                    "no-range": f"{number}=1",
                    "one-point": f"{number}=1..2:1",
                    "zero-points": f"{number}=1..2:0",
                    "too-many-points": f"{number}=1..2:1000001",
                    "huge-points": f"{number}=1..2:{'9' * 400}",
                    "wrong-dimension": f"{number}=1..2 kg",
                    "huge": "x" * LONG,
                }.items()
            ),
            *(
                (f"mark={label}", ["--sweep", f"{number}=1..3:3", "--mark", value], "--mark")
                for label, value in {
                    "empty": "",
                    "unknown-result": "nope=1",
                    "nan": f"{calc.target}=nan",
                    "overflow": f"{calc.target}=1e400",
                    "wrong-dimension": f"{calc.target}=5 kg..6 kg",
                    "no-level": f"{calc.target}=",
                    "huge": "x" * LONG,
                }.items()
            ),
            ("mark-without-sweep", ["--mark", f"{calc.target}=1"], "--mark"),
            *(
                (f"input={label}", ["--input", value], "--input")
                for label, value in {
                    "empty": "",
                    "missing": f"{SCRATCH}/no-such-file.jsonl",
                    "directory": SCRATCH,
                    "binary": f"{SCRATCH}/binary.jsonl",
                    "huge-path": "x" * LONG,
                }.items()
            ),
            *(
                (f"svg={label}", ["--svg", value], "--svg")
                for label, value in {
                    "empty": "",
                    "directory": SCRATCH,
                    "missing-folder": f"{SCRATCH}/no-such-folder/out.svg",
                    "under-a-file": f"{SCRATCH}/binary.jsonl/out.svg",
                    "full-device": "/dev/full",
                    "huge-path": "x" * LONG,
                }.items()
            ),
        ]
        for label, args, option in bad:
            fmt = [] if "--format" in args else ["--format", "json"]
            yield pytest.param([c, *args, *fmt], option, id=f"{c}-{label}")
    yield pytest.param(
        ["h100e", "--gpu", "h100-sxm", "--count", "10", "--tornado", "--format", "json"],
        "--tornado",
        id="h100e-tornado-without-a-range",
    )


COMMAND_CASES: dict[str, tuple[list[str], str]] = {
    "show-unknown": (["presets", "show", "nope"], "nope"),
    "show-empty": (["presets", "show", ""], "preset"),
    "show-emoji": (["presets", "show", "🔥"], "preset"),
    "show-path": (["presets", "show", "../presets/h100-sxm"], "preset"),
    "show-absolute": (["presets", "show", "/etc/passwd"], "preset"),
    "show-huge": (["presets", "show", "x" * LONG], "preset"),
    "show-format": (["presets", "show", "h100-sxm", "--format", "yaml"], "--format"),
    "list-format": (["presets", "list", "--format", ""], "--format"),
    "compare-unknown": (["compare", "nope"], "nope"),
    "compare-empty": (["compare", ""], "compare"),
    "compare-gpu-preset": (["compare", "h100-sxm"], "h100-sxm"),
    "compare-one-bad-of-two": (["compare", "frontier-2024", "nope"], "nope"),
    "compare-emoji": (["compare", "🔥"], "compare"),
    "compare-huge": (["compare", "x" * LONG], "compare"),
    "compare-format": (["compare", "frontier-2024", "--format", "🔥"], "--format"),
    "compare-svg-directory": (["compare", "frontier-2024", "--svg", SCRATCH], "--svg"),
    "compare-svg-empty": (["compare", "frontier-2024", "--svg", ""], "--svg"),
    "presets-dir-missing": (["--presets-dir", f"{SCRATCH}/nowhere", "tco"], "--presets-dir"),
    "presets-dir-file": (["--presets-dir", f"{SCRATCH}/binary.jsonl", "tco"], "--presets-dir"),
    "presets-dir-empty": (["--presets-dir", "", "tco"], "--presets-dir"),
    "unknown-option": (["tco", "--nonsense", "1"], "--nonsense"),
    "unknown-command": (["nonsense"], "nonsense"),
    "option-without-value": (["tco", "--power"], "--power"),
}
"""Commands other than the calculators, and global options; each must fail."""


# --- presets ------------------------------------------------------------------------------

CITED = 'source = "A document"\nurl = "https://example.com/doc"\n'


def figure(section: str, key: str, value: str, cite: str = CITED) -> str:
    return f"[{section}.{key}]\nvalue = {value}\n{cite}"


SCENARIO = 'title = "broken"\nkind = "scenario"\n'
GPU = 'title = "broken"\nkind = "gpu"\n'

BROKEN_PRESETS: dict[str, tuple[str, str, str]] = {
    # name: (file text, command it has figures for, name the message must give)
    "dup-key": (SCENARIO + '[tco.gpus]\nvalue = "10"\nvalue = "20"\n' + CITED, "tco", "dup-key"),
    "dup-table": (
        SCENARIO + figure("tco", "gpus", '"10"') + figure("tco", "gpus", '"20"'),
        "tco",
        "dup-table",
    ),
    "wrong-unit": (SCENARIO + figure("tco", "power", '"5 kg"'), "tco", "wrong-unit"),
    "missing-source": (SCENARIO + '[tco.gpus]\nvalue = "10"\n', "tco", "missing-source"),
    "missing-value": (SCENARIO + "[tco.gpus]\n" + CITED, "tco", "missing-value"),
    "missing-url": (
        SCENARIO + figure("tco", "gpus", '"10"', 'source = "A document"\n'),
        "tco",
        "missing-url",
    ),
    "seed-without-quote": (
        SCENARIO + figure("tco", "gpus", '"10"', 'source = "seeds/x.txt"\n'),
        "tco",
        "seed-without-quote",
    ),
    "bool-value": (SCENARIO + figure("tco", "gpus", "true"), "tco", "bool-value"),
    "table-value": (SCENARIO + figure("tco", "gpus", "{ a = 1 }"), "tco", "table-value"),
    "int-source": (
        SCENARIO + '[tco.gpus]\nvalue = "10"\nsource = 5\nurl = "https://x.example"\n',
        "tco",
        "int-source",
    ),
    "int-title": ('title = 5\nkind = "scenario"\n' + figure("tco", "gpus", '"10"'), "tco", "int"),
    "section-not-table": (SCENARIO + "tco = 5\n", "tco", "section-not-table"),
    "entry-not-table": (SCENARIO + '[tco]\ngpus = "10"\n', "tco", "entry-not-table"),
    "unknown-top-key": (SCENARIO + "colour = 1\n" + figure("tco", "gpus", '"10"'), "tco", "colour"),
    "unknown-entry-key": (
        SCENARIO + '[tco.gpus]\nvalue = "10"\ncolour = "red"\n' + CITED,
        "tco",
        "colour",
    ),
    "unknown-input": (SCENARIO + figure("tco", "nonsense", '"5"'), "tco", "nonsense"),
    "bad-kind": ('kind = "banana"\n' + figure("tco", "gpus", '"10"'), "tco", "bad-kind"),
    "no-kind": (figure("tco", "gpus", '"10"'), "tco", "no-kind"),
    "empty": ("", "tco", "empty"),
    "not-toml": ("this is [not toml", "tco", "not-toml"),
    "no-figures": (SCENARIO, "tco", "no-figures"),
    "extends-itself": (
        SCENARIO + 'extends = "extends-itself"\n' + figure("tco", "gpus", '"10"'),
        "tco",
        "extends-itself",
    ),
    "loop-a": (SCENARIO + 'extends = "loop-b"\n' + figure("tco", "gpus", '"10"'), "tco", "loop-"),
    "loop-b": (SCENARIO + 'extends = "loop-a"\n' + figure("tco", "gpus", '"10"'), "tco", "loop-"),
    "extends-missing": (
        SCENARIO + 'extends = "nope"\n' + figure("tco", "gpus", '"10"'),
        "tco",
        "extends-missing",
    ),
    "extends-gpu": (
        SCENARIO + 'extends = "h100-sxm"\n' + figure("tco", "gpus", '"10"'),
        "tco",
        "extends-gpu",
    ),
    "nan-value": (SCENARIO + figure("tco", "gpus", "nan"), "tco", "nan-value"),
    "inf-value": (SCENARIO + figure("tco", "gpus", "inf"), "tco", "inf-value"),
    "overflow-value": (SCENARIO + figure("tco", "gpus", "1e400"), "tco", "overflow-value"),
    "bomb-value": (SCENARIO + figure("tco", "power", '"9**9**9 W"'), "tco", "bomb-value"),
    "caret-bomb-value": (
        SCENARIO + figure("tco", "power", '"2^999999 W"'),
        "tco",
        "caret-bomb-value",
    ),
    "reversed-value": (SCENARIO + figure("tco", "gpus", '"5..1"'), "tco", "reversed-value"),
    "zero-power": (SCENARIO + figure("tco", "power", '"0 W"'), "tco", "zero-power"),
    "fullwidth-value": (SCENARIO + figure("tco", "power", '"７００ W"'), "tco", "fullwidth-value"),
    "huge-value": (SCENARIO + figure("tco", "power", f'"{"9" * LONG} W"'), "tco", "huge-value"),
    "list-without-labels": (
        SCENARIO + figure("tco", "gpus", '["1", "2"]'),
        "tco",
        "list-without-labels",
    ),
    "empty-list": (SCENARIO + figure("tco", "gpus", "[]"), "tco", "empty-list"),
    "nested-list": (
        SCENARIO + '[tco.gpus]\nvalue = [["1"]]\nlabels = ["a"]\n' + CITED,
        "tco",
        "nested-list",
    ),
    "too-many-variants": (
        SCENARIO
        + "[tco.gpus]\nvalue = ["
        + ", ".join(f'"{i + 1}"' for i in range(101))
        + "]\nlabels = ["
        + ", ".join(f'"v{i}"' for i in range(101))
        + "]\n"
        + CITED,
        "tco",
        "too-many-variants",
    ),
    "longer-list-first": (
        SCENARIO
        + 'extends = "frontier-2024"\n'
        + '[tco.gpus]\nvalue = ["1", "2", "3"]\nlabels = ["a", "b", "c"]\n'
        + CITED
        + '[tco.power]\nvalue = ["1 kW", "2 kW"]\nlabels = ["a", "b"]\n'
        + CITED,
        "tco",
        "longer-list-first",
    ),
    "shorter-list-first": (
        SCENARIO
        + 'extends = "frontier-2024"\n'
        + '[tco.gpus]\nvalue = ["1", "2"]\nlabels = ["a", "b"]\n'
        + CITED
        + '[tco.power]\nvalue = ["1 kW", "2 kW", "3 kW"]\nlabels = ["a", "b", "c"]\n'
        + CITED,
        "tco",
        "shorter-list-first",
    ),
    "incomplete-tco": (SCENARIO + figure("tco", "gpus", '"10"'), "tco", "incomplete-tco"),
    "bad-choice": (SCENARIO + figure("yield", "model", '"banana"'), "yield", "bad-choice"),
    "bad-size": (SCENARIO + figure("yield", "die-size", '"banana"'), "yield", "bad-size"),
    "bad-step-file": (
        SCENARIO + figure("yield", "step-file", '"/no/such/file"'),
        "yield",
        "bad-step-file",
    ),
    "uses-bad-gpu": (SCENARIO + figure("tco", "gpu", '"gpu-wrong-unit"'), "tco", "gpu-wrong-unit"),
    "uses-gpu-without-bf16": (
        SCENARIO + figure("h100e", "gpu", '"gpu-without-bf16"') + figure("h100e", "count", '"10"'),
        "h100e",
        "gpu-without-bf16",
    ),
    "binary": ("\udcff\udcfe\x00garbage", "tco", "binary"),
    "oversized": (SCENARIO + figure("tco", "gpus", '"10"') + "#" * 1_000_001 + "\n", "tco", "over"),
}

BROKEN_GPUS: dict[str, str] = {
    "gpu-wrong-unit": GPU + figure("gpu", "bf16", '"5 kg"'),
    "gpu-without-bf16": GPU + figure("gpu", "tdp", '"700 W"'),
    "gpu-negative": GPU + figure("gpu", "bf16", '"-1 TFLOP/s"'),
    "gpu-range": GPU + figure("gpu", "bf16", '"1..2 TFLOP/s"'),
    "gpu-nan": GPU + figure("gpu", "bf16", "nan"),
    "gpu-unknown-figure": GPU
    + figure("gpu", "bf16", '"1 TFLOP/s"')
    + figure("gpu", "colour", '"red"'),
    "gpu-with-scenario-table": GPU
    + figure("gpu", "bf16", '"1 TFLOP/s"')
    + figure("tco", "gpus", '"1"'),
    "gpu-extends": GPU + 'extends = "h100-sxm"\n' + figure("gpu", "bf16", '"1 TFLOP/s"'),
}


def write_text(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8", "surrogateescape"))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Files the cases point at: step files, a binary batch file, a folder of broken presets."""
    root = tmp_path_factory.mktemp("adversarial")
    (root / "binary.jsonl").write_bytes(b"\xff\xfe\x00\x80garbage\n")
    steps = root / "steps"
    steps.mkdir()
    for name, content in INVALID_STEP_FILES.items():
        if content is not None:
            (steps / name).write_bytes(content)
    (steps / "slow").write_bytes(b"0.99\n" * 400_000)
    presets = root / "presets"
    presets.mkdir()
    for name, (text, _, _) in BROKEN_PRESETS.items():
        write_text(presets / f"{name}.toml", text)
    for name, text in BROKEN_GPUS.items():
        write_text(presets / f"{name}.toml", text)
    shadow = root / "shadow"
    shadow.mkdir()
    write_text(shadow / "frontier-2024.toml", BROKEN_PRESETS["dup-key"][0])
    return root


@pytest.fixture(scope="module", autouse=True)
def warm() -> Iterator[None]:
    """Build the click command once (typer rebuilds it from the app on every invoke, ~5 ms of
    a ~8 ms case), then import numpy and pint and build the unit registry once."""
    command = typer.main.get_command(app)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", lambda _: command, raising=False)
        for name in CALCULATORS:
            invoke([name, "--format", "json"])
        yield


# --- tests: values of every calculator option ---------------------------------------------


@pytest.mark.parametrize(("calc", "spec"), list(option_cases("number")))
def test_invalid_number_is_a_usage_error(calc: Calculator, spec: Input, scratch: Path) -> None:
    each_value(INVALID_NUMBERS, usage_error(calc, spec, scratch))


@pytest.mark.parametrize(("calc", "spec"), list(option_cases("number")))
def test_suspicious_number_keeps_the_invariants(
    calc: Calculator, spec: Input, scratch: Path
) -> None:
    context = [calc.name, *in_context(calc, spec)]
    each_value(
        SUSPICIOUS_NUMBERS,
        lambda value: run_case([*context, f"--{spec.name}", value, "--format", "json"], scratch),
    )


@pytest.mark.parametrize(("calc", "spec"), list(option_cases("choice", "gpu")))
def test_invalid_name_is_a_usage_error(calc: Calculator, spec: Input, scratch: Path) -> None:
    each_value(names_for(spec), usage_error(calc, spec, scratch))


@pytest.mark.parametrize("value", INVALID_SIZES.values(), ids=INVALID_SIZES.keys())
def test_invalid_die_size_is_a_usage_error(value: str, scratch: Path) -> None:
    args = ["yield", "--die-size", value, "--format", "json"]
    run_case(args, scratch, must_fail=True, codes=(2,), mentions=["--die-size"])


@pytest.mark.parametrize("value", SUSPICIOUS_SIZES.values(), ids=SUSPICIOUS_SIZES.keys())
def test_suspicious_die_size_keeps_the_invariants(value: str, scratch: Path) -> None:
    run_case(["yield", "--die-size", value, "--defect-density", "0.1"], scratch)


@pytest.mark.parametrize(
    "path",
    [*(f"{SCRATCH}/steps/{name}" for name in INVALID_STEP_FILES), *INVALID_STEP_PATHS.values()],
    ids=[*INVALID_STEP_FILES, *INVALID_STEP_PATHS],
)
def test_invalid_step_file_is_rejected(path: str, scratch: Path) -> None:
    args = ["yield", "--step-file", path, "--die-size", "26x31", "--format", "json"]
    run_case(args, scratch, must_fail=True, mentions=["--step-file"])


# --- tests: shared options, other commands, global options --------------------------------


@pytest.mark.parametrize(("args", "option"), list(shared_cases()))
def test_invalid_shared_option_is_rejected(args: list[str], option: str, scratch: Path) -> None:
    run_case(args, scratch, must_fail=True, mentions=[option])


@pytest.mark.parametrize(
    ("args", "mention"), COMMAND_CASES.values(), ids=list(COMMAND_CASES.keys())
)
def test_invalid_command_line_is_rejected(args: list[str], mention: str, scratch: Path) -> None:
    run_case(args, scratch, must_fail=True, mentions=[mention])


def huge_value_cases() -> Iterator[Any]:
    for calc in CALCULATORS.values():
        for spec in calc.inputs:
            yield pytest.param([calc.name, f"--{spec.name}"], id=f"{calc.name}--{spec.name}")
        for option in ("--preset", "--target", "--sweep", "--input", "--svg"):
            yield pytest.param([calc.name, option], id=f"{calc.name}{option}")
    yield pytest.param(["tco", "--sweep", "gpus=1..2", "--mark"], id="tco--mark")
    yield pytest.param(["presets", "show"], id="presets-show")
    yield pytest.param(["compare"], id="compare")


@pytest.mark.parametrize("args", list(huge_value_cases()))
def test_a_100_kb_value_is_not_echoed_back_whole(args: list[str], scratch: Path) -> None:
    """A one-line message, not 100 kB of the value again."""
    outcome = run_case([*args, "x" * LONG], scratch, must_fail=True)
    if len(outcome.stderr) >= MAX_MESSAGE:
        where = report([*args, "x" * LONG], outcome, None)
        pytest.fail(f"{len(outcome.stderr)} characters on stderr:" + where, pytrace=False)


# --- tests: broken presets ----------------------------------------------------------------


def preset_cases() -> Iterator[Any]:
    for name, (_, command, mention) in BROKEN_PRESETS.items():
        for via in ("option", "compare", "show"):
            yield pytest.param(name, command, mention, via, id=f"{name}-via-{via}")
    for name in BROKEN_GPUS:
        for via in ("gpu", "show"):
            yield pytest.param(name, "h100e", name, via, id=f"{name}-via-{via}")


SHOW_MAY_PASS = {
    "incomplete-tco",  # show lists figures; it does not run the calculator
    "shorter-list-first",
    "longer-list-first",
    "uses-bad-gpu",
    "uses-gpu-without-bf16",
}


@pytest.mark.parametrize(("name", "command", "mention", "via"), list(preset_cases()))
def test_broken_preset_is_a_domain_error(
    name: str, command: str, mention: str, via: str, scratch: Path
) -> None:
    folder = ["--presets-dir", f"{SCRATCH}/presets"]
    if via == "option":
        args = [*folder, command, "--preset", name, "--format", "json"]
    elif via == "compare":
        args = [*folder, "compare", name, "--format", "json"]
    elif via == "gpu":
        args = [*folder, "h100e", "--gpu", name, "--count", "10", "--format", "json"]
    else:
        args = [*folder, "presets", "show", name, "--format", "json"]
    if via == "show" and name in SHOW_MAY_PASS:
        run_case(args, scratch)
    else:
        run_case(args, scratch, must_fail=True, codes=(1,), mentions=[mention])


def test_a_broken_preset_folder_still_lists_the_good_ones(scratch: Path) -> None:
    """Listing is informational: broken files are named on stderr, the rest are listed."""
    args = ["--presets-dir", f"{SCRATCH}/presets", "presets", "list", "--format", "json"]
    outcome = run_case(args, scratch, codes=(0,))
    assert "skipped" in outcome.stderr and "frontier-2024" in outcome.stdout


def test_a_broken_file_shadowing_the_default_preset_is_named(scratch: Path) -> None:
    args = ["--presets-dir", f"{SCRATCH}/shadow", "tco", "--format", "json"]
    run_case(args, scratch, must_fail=True, codes=(1,), mentions=["frontier-2024"])


# --- tests: batches -----------------------------------------------------------------------

GARBAGE_BATCHES: dict[str, str] = {
    "word": "garbage\n",
    "open-brace": "{\n",
    "json-array": "[]\n",
    "json-null": "null\n",
    "json-number": "1\n",
    "json-string": '"x"\n',
    "nul-bytes": "\x00\x00\n",
    "deep-array": "[" * LONG + "\n",
    "deep-object": '{"a": ' * 5_000 + "1" + "}" * 5_000 + "\n",
    "huge-integer": '{"gpus": ' + "9" * 5_000 + "}\n",
    "nan": '{"gpus": NaN}\n',
    "infinity": '{"gpus": Infinity}\n',
    "overflow": '{"gpus": 1e400}\n',
    "nan-text": '{"gpus": "nan"}\n',
    "null-value": '{"gpus": null}\n',
    "list-value": '{"gpus": [1]}\n',
    "object-value": '{"gpus": {"a": 1}}\n',
    "bool-value": '{"gpus": true}\n',
    "unknown-key": '{"nonsense": 1}\n',
    "empty-key": '{"": 1}\n',
    "shared-option-key": '{"preset": "frontier-2024"}\n',
    "reversed": '{"gpus": "5..1"}\n',
    "bomb": '{"gpus": "9**9**9"}\n',
    "caret-bomb": '{"power": "2^999999 W"}\n',
    "fullwidth": '{"gpus": "１０"}\n',
    "huge-value": '{"gpus": "' + "9" * LONG + '"}\n',
    "alternatives": '{"site-power": "1 GW", "gpus": 10}\n',
    "bad-gpu": '{"gpu": "h999"}\n',
    "good-bad-good": '{"gpus": 10}\n{garbage\n{"gpus": 20}\n',
    "good-then-nul": '{"gpus": 10}\n\x00\x01\n',
    "csv-wrong-width": "gpus\n10,20\n",
    "csv-nan": "gpus\nnan\n",
    "csv-unknown-column": "a,b\n1,2\n",
}
"""--input contents with at least one unusable line: the batch must exit non-zero."""

SUSPICIOUS_BATCHES: dict[str, str] = {
    "empty": "",
    "blank-lines": "\n\n",
    "empty-object": "{}\n",
    "duplicate-key": '{"gpus": 10, "gpus": 20}\n',
    "byte-order-mark": '\ufeff{"gpus": 10}\n',
    "csv-empty-header": ",\n,\n",
    "padded": '{"gpus": "10"}' + " " * LONG + "\n",
    "underscore-key": '{"site_power": "1 GW"}\n',
    "many-lines": '{"gpus": 10}\n' * 6_000,
    "csv-unterminated-quote": 'gpus\n"10\n',  # the csv module reads the quote to the end
}


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("text", GARBAGE_BATCHES.values(), ids=GARBAGE_BATCHES.keys())
def test_garbage_batch_fails_with_valid_output(text: str, fmt: str, scratch: Path) -> None:
    args = ["tco", "--input", "-", "--format", fmt]
    run_case(args, scratch, stdin=text, must_fail=True, batch=True)


@pytest.mark.parametrize("text", SUSPICIOUS_BATCHES.values(), ids=SUSPICIOUS_BATCHES.keys())
def test_suspicious_batch_keeps_the_invariants(text: str, scratch: Path) -> None:
    args = ["tco", "--input", "-", "--format", "json"]
    outcome = run_case(args, scratch, stdin=text, batch=True)
    wanted = len([line for line in text.splitlines() if line.strip()])
    got = len(outcome.stdout.splitlines())
    json_in = text.lstrip().startswith(("{", "\ufeff"))  # not CSV, whose header is no record
    if outcome.code == 0 and json_in and got != wanted:
        where = report(args, outcome, text)
        pytest.fail(f"{wanted} line(s) in, {got} record(s) out, exit 0:" + where, pytrace=False)


BATCH_FLAGS: dict[str, list[str]] = {
    "reversed-flag-overridden-by-every-line": ["--gpus", "5..1"],
    "nan-flag-overridden-by-every-line": ["--gpus", "nan"],
    "unknown-target": ["--target", "nope"],
    "mark-without-sweep": ["--mark", "x=1"],
}


@pytest.mark.parametrize("flags", BATCH_FLAGS.values(), ids=BATCH_FLAGS.keys())
def test_batch_still_checks_its_flags(flags: list[str], scratch: Path) -> None:
    args = ["tco", "--input", "-", *flags, "--format", "json"]
    run_case(args, scratch, stdin='{"gpus": 10}\n', must_fail=True, batch=True)


def test_batch_over_an_incomplete_preset_fails_per_line(scratch: Path) -> None:
    args = ["--presets-dir", f"{SCRATCH}/presets", "tco", "--preset", "incomplete-tco"]
    run_case(
        [*args, "--input", "-", "--format", "json"],
        scratch,
        stdin='{"gpus": 10}\n',
        must_fail=True,
        batch=True,
    )


# --- tests: values that make the core work hard -------------------------------------------

HEAVY: dict[str, list[str]] = {
    "huge-edge-exclusion": ["yield", "--die-size", "26x31", "--edge-exclusion", "1e30 mm"],
    "wide-die-size-range": ["yield", "--die-size", "1e-3..100x1e-3..100"],
    "wide-die-size-range-with-map": ["yield", "--die-size", "1e-3..100x1e-3..100", "--map"],
    "large-step-file": ["yield", "--step-file", f"{SCRATCH}/steps/slow", "--die-size", "26x31"],
    "tiny-die-map": ["yield", "--die-area", "1e-6", "--map"],
    "huge-wafer": ["yield", "--die-size", "1x1", "--wafer-diameter", "1e300 mm"],
    "overflowing-product": ["tco", "--gpu-price", "1e300 USD", "--gpus", "1e300"],
    "huge-rate": ["tco", "--rate", "1e300"],
    "overflowing-flops": ["flops", "--params", "1e300", "--tokens", "1e300", *CONTEXT["flops"]],
    "wide-tornado": ["tco", "--tornado", "--gpus", "1e-300..1e300"],
    "explain-huge": ["tco", "--explain", "--gpus", "1e300", "--format", "table"],
}


@pytest.mark.parametrize("args", HEAVY.values(), ids=HEAVY.keys())
def test_extreme_values_end_quickly_and_cleanly(args: list[str], scratch: Path) -> None:
    run_case(args, scratch)


def overcommit_is_heuristic() -> bool:
    """Whether the kernel refuses an allocation far beyond memory at once (Linux mode 0)."""
    try:
        return Path("/proc/sys/vm/overcommit_memory").read_text().strip() == "0"
    except OSError:
        return False


@pytest.mark.skipif(
    not overcommit_is_heuristic(), reason="needs an allocation of ~1 TB to fail at once"
)
def test_monte_carlo_over_a_wide_die_range_does_not_exhaust_memory(scratch: Path) -> None:
    args = ["yield", "--die-size", "1e-3..100x1e-3..100", "--samples", "100000"]
    run_case([*args, "--format", "json"], scratch)


# --- fuzz ---------------------------------------------------------------------------------

UNITS = sorted(
    {f" {s.display}" for c in CALCULATORS.values() for s in c.inputs if s.display}
    | {"", " kg", "%", " W", " mm", " USD", " 🔥", " m^3", "x2"}
)
ATOMS = sorted(
    {
        *INVALID_NUMBERS.values(),
        *SUSPICIOUS_NUMBERS.values(),
        *INVALID_SIZES.values(),
        *SUSPICIOUS_SIZES.values(),
        *(s.example for c in CALCULATORS.values() for s in c.inputs if s.kind != "file"),
        *(choice for c in CALCULATORS.values() for s in c.inputs for choice in s.choices),
        "h100-sxm",
        "a100-sxm",
        "frontier-2024",
    }
    - {"x" * LONG, "9" * LONG}
)
NUMBER_TEXT = st.one_of(
    st.integers(1, 1000).map(str),
    st.floats(1e-3, 1e3).map(lambda x: f"{x:.3g}"),
    st.floats().map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.from_regex(r"[-+]?[0-9_]{0,4}\.?[0-9]{0,3}([eE][-+]?[0-9]{1,3})?", fullmatch=True),
)
QUANTITY = st.builds(lambda n, u: n + u, NUMBER_TEXT, st.sampled_from(UNITS))
RANGE = st.builds(lambda a, b, u: f"{a}..{b}{u}", NUMBER_TEXT, NUMBER_TEXT, st.sampled_from(UNITS))
VALUE = st.one_of(st.sampled_from(ATOMS), QUANTITY, RANGE, st.text(max_size=30))
PRESET_NAMES = sorted(p.stem for p in (Path(__file__).parents[1] / "presets").glob("*.toml"))
GPU_NAMES = ["h100-sxm", "a100-sxm", "gb200", "h20", "tpu-v5p"]
_EXAMPLE = re.compile(r"^\s*[-+0-9.eE_]+(?:\.\.[-+0-9.eE_]+)?\s*(?P<unit>.*)$")


def near_example(spec: Input) -> st.SearchStrategy[str]:
    """The option's example, or its unit with random magnitudes (which reach the core)."""
    found = _EXAMPLE.match(spec.example)
    unit = f" {found['unit']}" if found and found["unit"] else ""
    return st.one_of(
        st.just(spec.example),
        st.builds(lambda n: n + unit, NUMBER_TEXT),
        st.builds(lambda a, b: f"{a}..{b}{unit}", NUMBER_TEXT, NUMBER_TEXT),
    )


def option_values(spec: Input) -> st.SearchStrategy[str]:
    """Half plausible (an example, a choice, a known GPU, a near example), half anything."""
    if spec.kind == "choice":
        plausible = st.sampled_from(spec.choices or (spec.example,))  # a rule: its preset
    elif spec.kind == "gpu":
        plausible = st.sampled_from(GPU_NAMES)
    elif spec.kind == "size":
        plausible = st.builds(lambda w, h: f"{w}x{h}", NUMBER_TEXT, NUMBER_TEXT)
    else:
        plausible = near_example(spec)
    return st.one_of(plausible, VALUE)


def shared_values(calc: Calculator) -> dict[str, st.SearchStrategy[str]]:
    numbers = [s.name for s in calc.inputs if s.kind == "number"]
    results = [r.name for r in calc.results]
    names = st.one_of(st.sampled_from(numbers), st.text(max_size=10))
    return {
        "--preset": st.one_of(st.sampled_from(PRESET_NAMES), st.text(max_size=20)),
        "--format": st.sampled_from(["json", "json", "csv", "table", "yaml", ""]),
        "--samples": st.one_of(st.integers(0, 20).map(str), st.sampled_from(["-1", "", "1e3"])),
        "--dist": st.sampled_from(["uniform", "triangular", "normal", ""]),
        "--seed": st.one_of(st.integers(0, 2**32 - 1).map(str), st.sampled_from(["-1", "x"])),
        "--target": st.one_of(st.sampled_from(results), st.text(max_size=10)),
        "--sweep": st.builds(
            lambda n, r, p: f"{n}={r}{p}",
            names,
            st.one_of(RANGE, VALUE),
            st.sampled_from(["", ":2", ":7", ":0", ":1", ":1000001", ":x"]),
        ),
        "--mark": st.builds(
            lambda r, v: f"{r}={v}", st.one_of(st.sampled_from(results), st.text(max_size=8)), VALUE
        ),
    }


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """A calculator, perhaps with a complete scenario first (CONTEXT), then one to four
    options, each given a plausible, random or hostile value (a later flag wins)."""
    calc = draw(st.sampled_from(list(CALCULATORS.values())))
    valued = {f"--{s.name}": option_values(s) for s in calc.inputs if s.kind != "file"}
    valued.update(shared_values(calc))
    switches = ["--tornado", "--explain"]
    switches += ["--map"] if calc.drawing else []
    chosen = draw(st.lists(st.sampled_from([*valued, *switches]), min_size=1, max_size=4))
    args = [calc.name, *(CONTEXT[calc.name] if draw(st.booleans()) else ())]
    for option in dict.fromkeys(chosen):
        args += [option] if option in switches else [option, draw(valued[option])]
    return args


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(command_lines())
def test_fuzz_random_options_keep_the_invariants(args: list[str]) -> None:
    check(args, invoke(args))
