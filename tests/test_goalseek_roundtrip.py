"""A solved input, passed back as an option, gives the goal: the goal-seek answers for the
model the forward run computes, whether in closed form or by root finding. A closed form
that inverts the relations through a fallback which fires only while the unknown is
unknown (inference's flop_per_token = weight_flop_per_token, attention's FLOP needing the
layers or head_dim solved for) answered another model: --solve layers --for
arithmetic_intensity=25 gave 143 layers, where the intensity is 26.74 FLOP/B."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import run
from tcoctl.engine.model import model_for
from tcoctl.specs import CALCULATORS, Input
from tcoctl.units import convert, parse_span

SOLVER_TOLERANCE = 1e-6
"""What a goal-seek's answer may miss the goal by (relative): goalseek.STEP_TOLERANCE."""
ABSOLUTE_SCALE = 1e-3
"""The scale of a goal of 0 (memory_headroom=0 GB), in the target's display unit."""

INFERENCE_GOALS = (
    "arithmetic_intensity=25 FLOP/B",
    "arithmetic_intensity=17.2466 FLOP/B",
    "bound_ratio=0.08",
    "time_per_output_token=60 ms",
)
"""Goals the default llama-3.1-70b (64 heads: attention's FLOP counted) reaches by layers
and by head-dim."""


def centre(*args: str) -> dict[str, dict[str, object]]:
    """The results of a run (exit 0), as JSON."""
    outcome = run(*args, "--format", "json")
    assert outcome.code == 0, outcome.stderr
    found: dict[str, dict[str, object]] = outcome.json()["results"]
    return found


def target_at(base: list[str], spec: Input, value: float, unit: str, target: str) -> float:
    """The target's central value with ``spec`` given as ``value`` [unit] after the ``base``
    command line (the calculator, its preset, the inputs the option would reset)."""
    given = f"{value!r} {unit}".strip()
    found = centre(*base, f"--{spec.name}", given)[target]["value"]
    assert isinstance(found, float)
    return found


def option(name: str, given: dict[str, object]) -> list[str]:
    """An input as the JSON's ``inputs`` show it, as an option: ['--name', 'value unit']."""
    return [f"--{name}", f"{given['value']!r} {given['unit']}".strip()]


def assert_round_trip(command: str, unknown: str, goal: str) -> bool:
    """Solve ``unknown`` for ``goal``, give the answer back on the same preset (with the
    inputs the option would reset at the values the solve used), and check the target meets
    the goal to SOLVER_TOLERANCE (a whole count: the goal lies between the target at the
    answer and at the count below it, one less or the next it may take). False where there
    is nothing to give back: the goal out of reach (a non-zero exit) or a preset of several
    scenarios."""
    calc = CALCULATORS[command]
    spec = calc.input(unknown)
    outcome = run(command, "--solve", unknown, "--for", goal, "--format", "json")
    if outcome.code != 0 or len(outcome.records()) != 1:
        return False
    document = outcome.json()
    base = [command, *(["--preset", document["preset"]] if document.get("preset") else [])]
    for name in spec.resets:
        base += option(name, document["inputs"][name]) if name in document["inputs"] else []
    target, _, text = goal.partition("=")
    result = calc.result(target)
    wanted = float(convert(parse_span(text, result.unit, "").low, result.unit, result.display))
    solved = document["results"]
    key = next((result.name for result in calc.results if result.core == spec.core), spec.key)
    value, unit = float(solved[key]["value"]), str(solved[key]["unit"])
    reached = target_at(base, spec, value, unit, target)
    slack = SOLVER_TOLERANCE * max(abs(wanted), abs(reached), ABSOLUTE_SCALE)
    if not spec.whole:
        assert abs(reached - wanted) <= slack, (
            f"{command} --{unknown} {value!r} {unit}: {target} is {reached}, goal {wanted}"
        )
        return True
    less = value - 1  # the count below: one less, or the next it may take (a multiple of
    allowed = model_for(calc).allowed_counts.get(spec.core)  # the KV heads for --heads)
    if allowed is not None:
        given = document["inputs"]
        counts = {i.core: given[i.name]["value"] for i in calc.inputs if i.name in given}
        known = {core: float(v) for core, v in counts.items() if isinstance(v, (int, float))}
        less = float(allowed(np.array([value - 1.0]), known, True)[0])
    if less < spec.minimum or (spec.positive and less == spec.minimum) or less == value:
        return True  # the count below is out of the input's range
    below = target_at(base, spec, less, unit, target)
    low, high = sorted([below, reached])
    assert low - slack <= float(wanted) <= high + slack, (
        f"{command} --{unknown} {value:g}: {target} runs from {below} (at {less:g}) to "
        f"{reached}, goal {wanted}"
    )
    return True


@pytest.mark.parametrize("goal", INFERENCE_GOALS)
@pytest.mark.parametrize("unknown", ["layers", "head-dim"])
def test_inference_s_solved_layers_and_head_dim_give_the_goal(unknown: str, goal: str) -> None:
    assert assert_round_trip("inference", unknown, goal), f"--solve {unknown} --for {goal}"


SOLVABLE = [
    (calc.name, spec.name, calc.solve_example.split("|")[1])
    for calc in CALCULATORS.values()
    if calc.solve_example
    for spec in calc.inputs
    if spec.kind == "number"
]
"""Every calculator's number inputs against its own --solve example's goal."""


@pytest.mark.parametrize(("command", "unknown", "goal"), SOLVABLE)
def test_every_solved_input_gives_the_goal(command: str, unknown: str, goal: str) -> None:
    assert_round_trip(command, unknown, goal)  # out of reach for some inputs: nothing to check
