"""A goal-seek over an array is one engine call (issue 16), and each of its rows is what that
row's own single call gives: the solved input, every result with its low..high, and the
warnings. Random rows, for every calculator's --solve example and for a goal out of reach
at some range points. The root finder narrows a bracket in about ten evaluations of the
model, not 64 bisections, to what bisection gives; and evaluates only the steps the
target needs."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import tcoctl
from conftest import warning_kinds
from tcoctl.core import relations as rel
from tcoctl.engine import model_for
from tcoctl.errors import DomainError
from tcoctl.specs import CALCULATORS

RELATIVE_TOLERANCE = 1e-9
"""Rows agree to this (the root finder's answers are elementwise, so they agree exactly
today: the tolerance leaves room for the order of a reduction)."""

ROWS = 200
COMPARED = 40
"""Rows of each array call compared one by one with a single call (every fifth)."""

CASES = [
    # (calculator, keyword varied, low, high, whole, other keywords)
    ("flops", "mfu", 0.05, 0.9, False, {"gpu": "h100-sxm", "budget": "1e25 FLOP"}),
    ("h100e", "factor", 0.1, 10.0, False, {}),
    ("inference", "output_tokens", 128, 8192, True, {}),
    ("tco", "power", 100.0, 5000.0, False, {}),
    ("yield_", "die_area", 20.0, 900.0, False, {}),
    ("supply", "hbm_stacks_per_month", 6e5, 3e6, False, {"preset": "smic-7nm"}),
    ("memory", "micro_batch", 1, 64, True, {}),
]
"""One case per calculator with a --solve example (that example's input and goal), over an
input that moves the answer, in a span where every row reaches the goal at its centre."""


def close(row: Any, single: Any) -> bool:
    """Whether two JSON documents are equal, numbers to RELATIVE_TOLERANCE."""
    if isinstance(row, dict) and isinstance(single, dict):
        return row.keys() == single.keys() and all(close(row[k], single[k]) for k in row)
    if isinstance(row, list) and isinstance(single, list):
        return len(row) == len(single) and all(map(close, row, single))
    if isinstance(row, float) and isinstance(single, float):
        both_nan = math.isnan(row) and math.isnan(single)
        return both_nan or math.isclose(row, single, rel_tol=RELATIVE_TOLERANCE)
    return bool(row == single)


def compare(function: Any, keyword: str, items: Any, **given: Any) -> None:
    """The array call over ``items`` against a single call of every fifth item."""
    with warnings.catch_warnings(record=True) as together:
        warnings.simplefilter("always")
        rows = function(**given, **{keyword: items}).to_dict()
    step = len(items) // COMPARED
    for item, row in list(zip(items, rows, strict=True))[::step]:
        with warnings.catch_warnings(record=True) as alone:
            warnings.simplefilter("always")
            single = function(**given, **{keyword: item.item()}).to_dict()
        assert close(row, single), (keyword, item)
        assert warning_kinds(alone) <= warning_kinds(together)


@pytest.mark.parametrize(("api", "keyword", "low", "high", "whole", "given"), CASES, ids=str)
def test_each_row_of_a_goal_seek_array_is_its_own_single_call(
    api: str, keyword: str, low: float, high: float, whole: bool, given: dict[str, Any]
) -> None:
    calc = next(c for c in CALCULATORS.values() if c.api_name == api)
    unknown, goal = calc.solve_example.split("|")
    items = np.exp(np.random.default_rng(16).uniform(math.log(low), math.log(high), ROWS))
    compare(
        getattr(tcoctl, api),
        keyword,
        np.round(items) if whole else items,
        solve=unknown.replace("-", "_"),
        goal=goal,
        **given,
    )


def test_rows_out_of_reach_at_some_range_points_are_their_single_calls() -> None:
    """Time per output token 50 ms on an H100: reached at every row's centre, out of reach at
    125 of the 626 range points, where the extremes lie inside the ranges, at the edge of
    where it is reached; the warning names those points."""
    items = np.round(np.exp(np.random.default_rng(16).uniform(math.log(16), math.log(4096), ROWS)))
    goal = {"gpu": "h100-sxm", "solve": "layer_overhead", "goal": "time_per_output_token=50ms"}
    compare(tcoctl.inference, "output_tokens", items, **goal)


def test_a_row_out_of_reach_everywhere_fails_as_its_single_call_does() -> None:
    goal = {"solve": "electricity", "goal": "cost_per_gpu_hour=2 USD/h"}
    with pytest.raises(DomainError) as alone:
        tcoctl.tco(gpu_price=60000, **goal)
    with pytest.raises(DomainError, match=r"gpu_price\[1\] = 60000: ") as together:
        tcoctl.tco(gpu_price=[5000, 60000], **goal)
    assert str(alone.value).split(": ", 1)[1] in str(together.value)


def bisected(f: Any, a: float, b: float) -> float:
    """The root in [a, b] by plain bisection to neighbouring floats (the reference)."""
    side = np.sign(f(np.array([a])))[0]
    while True:
        mid = math.sqrt(a * b) if a > 0 else 0.5 * (a + b)
        if mid in (a, b):
            return 0.5 * (a + b)
        a, b = (mid, b) if np.sign(f(np.array([mid])))[0] == side else (a, mid)


@pytest.mark.parametrize(
    ("name", "f", "bracket"),
    [
        ("smooth", lambda x: x**2 - 2, (1.0, 10**0.5)),
        ("compounding", lambda x: (1 + x) ** 5.5 - 2.5, (0.1, 10**-0.5)),
        ("log scale", lambda x: np.log10(x) - 37.3, (1e37, 10**37.5)),
        ("step", lambda x: np.ceil(x) - 2.5, (1.0, 10**0.5)),
    ],
)
def test_a_bracket_narrows_to_what_bisection_gives(name: str, f: Any, bracket: Any) -> None:
    """The same root as bisection to neighbouring floats (within 4 of them), a smooth f in
    at most 20 evaluations beyond the scan (bisection took 64), a step in no more than
    bisection's 64."""
    calls: list[int] = []

    def counted(x: Any) -> Any:
        calls.append(1)
        return f(x)

    root, _, _ = rel.find_root(counted, (1,), 1.0, 0.0, math.inf, False)
    scanned = np.sum(10.0 ** (np.arange(-80, 81) / 2) <= bracket[1] * (1 + 1e-12))
    reference = bisected(f, *bracket)
    assert abs(root[0] - reference) <= 4 * np.spacing(reference), name
    assert len(calls) - scanned <= (64 if name == "step" else 20), name


def test_the_root_finder_evaluates_only_the_steps_the_target_needs() -> None:
    """cost per GPU-hour: not the shares, energy or emissions, and no checks."""
    model = model_for(next(c for c in CALCULATORS.values() if c.name == "tco"))
    given = ["gpus", "gpu_price", "network_cost", "facility_cost", "facility_life", "power",
             "load", "pue", "electricity", "life", "rate", "utilization", "other_opex",
             "carbon_intensity"]  # fmt: skip
    plan = model.plan(given)
    needed = rel.only_for(plan, "cost_per_gpu_time")
    assert "cost_per_gpu_time" in {step.target for step in needed.steps}
    assert len(needed.steps) < len(plan.steps) and not needed.checks
    values = {name: np.array([0.5 + index]) for index, name in enumerate(given)}
    full, _ = rel.evaluate(plan, values, {}, model.defaults)
    cut, _ = rel.evaluate(needed, values, {}, model.defaults)
    assert cut["cost_per_gpu_time"] == full["cost_per_gpu_time"]
