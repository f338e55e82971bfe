"""Shared helpers: run the CLI in-process through typer's CliRunner (stdout and stderr apart)."""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import configuration, settings
from typer.testing import CliRunner

from tcoctl.cli import app
from tcoctl.errors import message_kind

settings.register_profile(  # no deadline (CI may be slow); no .hypothesis/ in the checkout
    "tcoctl", deadline=None, database=None
)
settings.load_profile("tcoctl")
# the cache hypothesis keeps (constants) goes to a temporary folder, not the checkout
configuration.set_hypothesis_home_dir(tempfile.mkdtemp(prefix="tcoctl-hypothesis-"))
os.environ["XDG_CONFIG_HOME"] = "/nonexistent/tcoctl-tests"  # never the tester's own presets

SCENARIOS = re.compile(r"(?:scenario \d+ of [\d,]+|[\d,]+ of [\d,]+ scenarios \([^)]*\))"
                       r"(?:, figures and example from the first)?: ")  # fmt: skip
"""How an API call over arrays names the scenarios a warning concerns: '4 of 12 scenarios
(1, 3, 6 and 1 more), figures and example from the first: '."""
REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
FIRST = ("test_validation.py", "test_units.py")
"""Modules with a fixture or test of seconds (the calibration's fits, a hypothesis search) that
came last in file order: run first, whole. xdist hands tests out in order, so one started
near the end kept the other worker idle until it was done."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """FIRST's tests first, each module's in its order (its fixtures made once)."""
    items.sort(key=lambda item: item.path.name not in FIRST)


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def records(self) -> list[Any]:
        """stdout as JSON Lines: one object per scenario."""
        return [json.loads(line) for line in self.stdout.splitlines()]


def run(*args: str, input: str | None = None) -> Outcome:
    """Invoke ``tcoctl ARGS`` and return exit code, stdout and stderr."""
    result = CliRunner().invoke(app, list(args), input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)


def results(*args: str) -> dict[str, Any]:
    """Run a command with --format json, assert success, return its results section."""
    outcome = run(*args, "--format", "json")
    assert outcome.code == 0, outcome.stderr
    found: dict[str, Any] = outcome.json()["results"]
    return found


def assert_same_results(got: dict[str, Any], expected: dict[str, Any]) -> None:
    """Equal keys and units, numbers equal to the last few ulps: the same scenario evaluated
    in arrays of another shape may round its last bit differently; units, labels and each
    result's ``as_of`` (the date of the figures it used) exactly."""
    import pytest

    assert got.keys() == expected.keys()
    for name, item in expected.items():
        assert got[name].keys() == item.keys(), name
        for key, value in item.items():
            if key in ("unit", "label", "as_of"):
                assert got[name][key] == value, (name, key)
            else:
                assert got[name][key] == pytest.approx(value, rel=1e-13), (name, key)


def core(command: str, choices: dict[str, str] | None = None, **values: Any) -> dict[str, Any]:
    """Solve a calculator's relations directly on values in core units (SI, USD), keyed by
    option key; returns every known quantity, results also under their public names. Raises
    AssertionError naming the first problem (a contradiction, a value out of bounds)."""
    from tcoctl import engine
    from tcoctl.core import relations
    from tcoctl.specs import CALCULATORS

    calc = CALCULATORS[command]
    known_in = {calc.input(k).core if k in calc.inputs_by_name else k: v for k, v in values.items()}
    model = engine.model_for(calc)
    chosen = dict(choices or {})
    plan = model.plan(known_in, tuple(sorted(chosen.items())))
    known, problems = relations.evaluate(
        plan, known_in, chosen, model.defaults, engine.bounds_for(calc), 1, model.checks
    )
    fatal = [p for p in problems if not isinstance(p, relations.Finding) or p.fatal]
    if fatal:
        raise AssertionError(engine.describe(calc, fatal[0]))
    for result in calc.results:
        if result.core in known:
            known[result.name] = known[result.core]
    return known


def warning_kinds(warned: Any) -> set[str]:
    """The kinds of the API's warnings (their words without figures), an array call's with
    the scenarios it names taken out: a single call's are among its array call's."""
    return {message_kind(SCENARIOS.sub("", str(w.message), count=1)) for w in warned}
