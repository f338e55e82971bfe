"""A goal-seek always reports its target, whether the relations invert in closed form or the
solver finds a root: every calculator's own --solve example (from the registry, so a new
calculator is covered by itself), run from the command line and the API, reports the target
at the value asked for, with nothing on stderr and no warning."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tcoctl
from conftest import run
from tcoctl.specs import CALCULATORS, Calculator
from tcoctl.units import convert, parse_span

EXAMPLES: list[tuple[str, ...]] = [
    (calc.name, *calc.solve_example.split("|"))
    for calc in CALCULATORS.values()
    if calc.solve_example
]
ISSUE_16: list[tuple[str, ...]] = [("tco", "utilization", "cost_per_gpu_hour=2.5 USD/h")]
"""The goal-seek issue 16 found without its target (closed form: utilization inverts)."""


def goal_in_display_unit(calc: Calculator, goal: str) -> tuple[str, float]:
    """The target's name and the goal's value in the unit the target is reported in."""
    name, _, text = goal.partition("=")
    result = calc.result(name)
    core_value = parse_span(text, result.unit, "").low
    return name, float(convert(core_value, result.unit, result.display))


def test_every_calculator_has_a_solve_example() -> None:
    assert {name for name, *_ in EXAMPLES} == set(CALCULATORS)


@pytest.mark.parametrize(("command", "unknown", "goal"), EXAMPLES + ISSUE_16)
def test_the_command_line_reports_the_target(command: str, unknown: str, goal: str) -> None:
    outcome = run(command, "--solve", unknown, "--for", goal, "--format", "json")
    assert outcome.code == 0, outcome.stderr
    assert outcome.stderr == ""
    target, wanted = goal_in_display_unit(CALCULATORS[command], goal)
    for record in outcome.records():
        found = record["results"].get(target)
        assert found is not None, f"{command}: {target} missing from {list(record['results'])}"
        assert math.isclose(found["value"], wanted, rel_tol=1e-6)
        assert math.isfinite(record["results"][unknown.replace("-", "_")]["value"])


@pytest.mark.parametrize(("command", "unknown", "goal"), EXAMPLES + ISSUE_16)
def test_the_api_reports_the_target(command: str, unknown: str, goal: str) -> None:
    target, wanted = goal_in_display_unit(CALCULATORS[command], goal)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        result = tcoctl.run(command, solve=unknown.replace("-", "_"), goal=goal)
        values = np.atleast_1d(result[target].magnitude)
    assert np.allclose(values, wanted, rtol=1e-6, atol=0), values
