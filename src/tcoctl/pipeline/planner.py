"""Planner workflows over any calculator: sweeps with exact threshold marks, tornado charts
and goal-seek options (batches live in batch.py, compare in runner.py). Each is one core call
per group of like scenarios, over many rows or design points."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np

from tcoctl import engine, notation
from tcoctl.core import relations as rel
from tcoctl.errors import (
    TcoctlError,
    UsageError,
    by_message,
    did_you_mean,
    first_few,
    message_kind,
    nearest,
    quoted,
    shorten,
)
from tcoctl.presets import load
from tcoctl.specs import Calculator, Input, Result
from tcoctl.units import Backwards, Span, UnitInputError, convert, parse_span, short

MAX_SWEEP_POINTS = 20_000
MAX_SWEEP_EVALUATIONS = 4_000_000
"""Sweep points x range points one sweep may evaluate (a few seconds at most)."""
DEFAULT_SWEEP_POINTS = 25
_SWEEP = re.compile(
    r"^\s*(?P<name>[a-zA-Z][a-zA-Z0-9-]*)\s*=\s*(?P<range>.+?)(?::(?P<n>[^:]+?))?\s*$"
)
"""``NAME=LOW..HIGH[:N]``; a NAME in capitals too, to be told its own case (did_you_mean)."""
_MARK = re.compile(
    r"^\s*(?P<name>[a-zA-Z][a-zA-Z0-9_-]*)\s*(?P<op>[<>]?=)\s*(?P<level>[^<>=!≤≥\s].*?)\s*$"
)
"""``RESULT=LEVEL`` (or a limit, ``RESULT<=LEVEL``): a level that starts with another
comparison sign ('=<14e6', '==14e6') is no quantity, but a misspelt comparison."""
_NUMBER_AND_UNIT = re.compile(r"^([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)(\s*)(.*)$")
"""An input's example, a number and its unit ('0.08 USD/kWh', '0.1/cm^2', '2e6')."""
_LIMIT = re.compile(r"^(?P<name>\s*[a-zA-Z][a-zA-Z0-9_-]*\s*)(?P<side>[<>])=")
"""A goal that is a limit, ``RESULT<=VALUE`` or ``RESULT>=VALUE``."""
GOAL_SIDES = {"<": -1, ">": 1}


@dataclass(frozen=True)
class Sweep:
    """One input swept over ``points`` values from ``span.low`` to ``span.high`` (core units)."""

    spec: Input
    span: Span
    points: int

    @property
    def values(self) -> np.ndarray[Any, np.dtype[np.float64]]:
        """The swept input's values, LOW to HIGH in ``points`` even steps [core units]."""
        return np.linspace(self.span.low, self.span.high, self.points)


def sweep_points(text: str, example: str) -> int:
    """A sweep's point count as written after the colon: digits, or a whole number in any
    notation (1e9, -3), so that a count out of bounds is named as the count."""
    try:
        count = float(text)
    except ValueError:
        count = math.nan
    if not (math.isfinite(count) and count == round(count)):
        raise UsageError(
            f"--sweep: the number of points after ':' is a whole number from 2 to "
            f"{MAX_SWEEP_POINTS}, got {shorten(text)!r}; e.g. {example!r}"
        )
    return int(count)


def parse_sweep(calc: Calculator, text: str) -> Sweep:
    """``NAME=LOW..HIGH[:N]``, e.g. ``electricity=0.02..0.40USD/kWh:50``."""
    match = _SWEEP.match(text)
    if not match:
        raise UsageError(
            f"--sweep: expected NAME=LOW..HIGH[:N], e.g. "
            f"'{calc.sweep_example.split('|')[0]}', got {shorten(text)!r}"
        )
    try:
        spec = calc.input(match["name"])
    except KeyError:
        names = [s.name for s in calc.inputs if s.kind == "number"]
        hint = did_you_mean(match["name"], names)
        raise UsageError(
            f"--sweep: {calc.name} has no input {shorten(match['name'])!r}{hint}; "
            f"one of {', '.join(names)}; e.g. '{calc.sweep_example.split('|')[0]}'"
        ) from None
    if spec.kind != "number":
        raise UsageError(
            f"--sweep: {spec.name} is not a number; sweep a number input, e.g. "
            f"'{calc.sweep_example.split('|')[0]}'"
        )
    # A bare sweep range is read in the unit --help shows (the issue's own example omits it);
    # a range it refuses is told a sweep of this input as the example, not a plain value
    bare = replace(spec, bare=True)
    try:
        checked = replace(bare, example=sweep_example(calc, spec))
        span = engine.check(checked, match["range"], f"--sweep {spec.name}").span
    except UsageError as error:
        if not isinstance(error.__cause__, Backwards):
            raise
        turned = error.__cause__  # its example must keep NAME=, and be a range it takes
        taken = engine.swapped_refused(bare, turned) is None
        example = f"{spec.name}={turned.swapped}" if taken else checked.example
        raise UsageError(
            f"--sweep {spec.name}: range {turned.text!r} runs backwards; write "
            f"NAME=LOW..HIGH, e.g. '{example}'"
        ) from None
    assert span is not None
    if not span.is_range:
        example = checked.example
        if ".." in match["range"]:  # LOW..HIGH typed, with equal ends
            raise UsageError(
                f"--sweep {spec.name}: the range {shorten(match['range'])!r} has equal ends; "
                f"give LOW below HIGH, e.g. '{example}'"
            )
        raise UsageError(f"--sweep: give a range LOW..HIGH for {spec.name}, e.g. '{example}'")
    points = (
        sweep_points(match["n"], calc.sweep_example.split("|")[0])
        if match["n"]
        else DEFAULT_SWEEP_POINTS
    )
    if not 2 <= points <= MAX_SWEEP_POINTS:
        raise UsageError(
            f"--sweep: between 2 and {MAX_SWEEP_POINTS} points, got {points}; e.g. "
            f"'{calc.sweep_example.split('|')[0]}'"
        )
    if spec.whole:
        points = whole_points(spec, span, points, given=match["n"] is not None)
    return Sweep(spec, span, points)


def sweep_example(calc: Calculator, spec: Input) -> str:
    """An example --sweep of number input ``spec``, ``NAME=LOW..HIGH``: the calculator's own
    where it sweeps that input; else the input's example range, or one around its example
    value (half to twice it, else half to it, else it to twice it: 'electricity=0.04..0.16
    USD/kWh', 'load=0.375..0.75'), the first the input takes; else the calculator's own."""
    own = calc.sweep_example.split("|")[0]
    if own.startswith(f"{spec.name}="):
        return own
    if ".." in spec.example:  # a range already ('50..80')
        return f"{spec.name}={spec.example}" if sweeps(spec, spec.example) else own
    found = _NUMBER_AND_UNIT.match(spec.example)
    if found is None:
        return own
    number, space, unit = found.groups()
    value = float(number)
    around = [(value / 2, value * 2), (value / 2, value), (value, value * 2)]
    texts = [f"{low:g}..{high:g}{space}{unit}" for low, high in around]
    return next((f"{spec.name}={text}" for text in texts if sweeps(spec, text)), own)


def sweeps(spec: Input, text: str) -> bool:
    """Whether number input ``spec`` takes ``text`` as a sweep's range."""
    try:
        span = engine.check(replace(spec, bare=True), text, "--sweep").span
    except UsageError:
        return False
    return span is not None and span.is_range


def whole_points(spec: Input, span: Span, points: int, given: bool) -> int:
    """Points for a sweep over a count (GPUs): the most, up to ``points``, that step by a
    whole number from LOW to HIGH; a count that was asked for and steps by a fraction is
    refused, naming one that fits."""
    width = round(span.high - span.low)
    fits = next(n for n in range(min(points, width + 1), 1, -1) if width % (n - 1) == 0)
    if given and fits != points:
        most = min(width + 1, MAX_SWEEP_POINTS)
        above = next((n for n in range(points, most + 1) if width % (n - 1) == 0), None)
        instead = f":{fits}" + (f" or :{above}" if above else "")
        raise UsageError(
            f"--sweep {spec.name}: a count steps by whole numbers, and {points} points from "
            f"{span.low:g} to {span.high:g} step by {width / (points - 1):g}; give {instead}"
        )
    return fits


def parse_mark(
    calc: Calculator, text: str, option: str = "--mark", example: str = "", limits: bool = False
) -> tuple[Result, float]:
    """``RESULT=LEVEL`` in the result's display unit, e.g. ``power_share=0.15``; RESULT as
    named or hyphenated (``kv-heads``), LEVEL a labelled result's label (``fits=yes``: its
    code, 1) or a number; with ``limits`` also ``RESULT<=LEVEL`` and ``RESULT>=LEVEL`` (a
    goal-seek's --for, which may lie past the result's bound where every value meets it:
    ``power_share<=1.5``; parse_solve solves it as the bound's, ``power_share<=1``)."""
    example = example or calc.sweep_example.split("|")[1]
    match = _MARK.match(text)
    if match and match["op"] != "=" and not limits:
        match = None
    result = None
    if match:
        name = match["name"].replace("-", "_")
        result = next((r for r in calc.results if r.name == name), None)
    if match is None or result is None:
        names = [r.name for r in calc.results]
        near = nearest(match["name"], names) if match else []
        hint = did_you_mean(match["name"], names) if match else ""
        forms, examples = "RESULT=VALUE", f"'{example}'"
        if limits:
            forms = "RESULT=VALUE, RESULT<=VALUE or RESULT>=VALUE"
            examples += f" or '{example.replace('=', '<=', 1)}'"
        if match and near:  # the nearest result with what the user typed after the name
            examples = f"'{near[0]}{match['op']}{match['level']}'"
        raise UsageError(
            f"{option}: expected {forms} with RESULT one of {', '.join(names)}, "
            f"e.g. {examples}; got {shorten(text)!r}{hint}"
        )
    labels = [label.lower() for label in result.labels]
    if match["level"].lower() in labels:
        return result, float(labels.index(match["level"].lower()))
    try:
        ours = level_example(calc, result, match["op"], match["level"], example)
        level = parse_span(match["level"], result.unit, ours, result.display or None)
    except Backwards:  # a range, and backwards: its swapped form is no example either
        raise UsageError(f"{option}: give one value, not a range, e.g. '{example}'") from None
    except UnitInputError as error:
        if labels:
            raise UsageError(
                f"{option}: {result.name} is {' or '.join(result.labels)} (or its code, 0 to "
                f"{len(labels) - 1}); got {shorten(match['level'])!r}, e.g. "
                f"'{result.name}={result.labels[-1]}'"
            ) from None
        raise UsageError(f"{option}: {error}") from None
    if level.is_range:
        raise UsageError(f"{option}: give one value, not a range, e.g. '{example}'")
    low, high, exclusive = engine.bounds_for(calc).get(result.core, (-math.inf, math.inf, False))
    if (match["op"] == "<=" and level.low >= high) or (
        match["op"] == ">=" and level.low <= low and not exclusive
    ):  # every value meets it, as it meets the bound
        return result, level.low
    if level.low > high or level.low < low or (exclusive and level.low <= low):
        above = f"above {low:g}" if exclusive else f"at least {low:g}"
        if result.unit or (low, high) != (0.0, 1.0):
            bounds = [above] * (low > -math.inf) + [f"at most {high:g}"] * (high < math.inf)
            within = " and ".join(bounds)
        else:  # a share or a yield
            within = "above 0 and at most 1" if exclusive else "between 0 and 1"
        raise UsageError(
            f"{option}: {result.name} must be {within}; got {shorten(match['level'])!r}, "
            f"e.g. '{goal_example(calc, result, example).replace('=', match['op'], 1)}'"
        )
    return result, level.low


def goal_example(calc: Calculator, result: Result, example: str) -> str:
    """A level of ``result`` to ask for: ``example`` where it is of that result, else the
    example of the option that gives it, else a share's half."""
    if example.startswith(f"{result.name}="):
        return example
    spec = next((s for s in calc.inputs if s.core == result.core), None)
    return f"{result.name}={spec.example if spec is not None else '0.5'}"


_LEADING_NUMBER = re.compile(r"\s*[+-]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def level_example(calc: Calculator, result: Result, op: str, level: str, example: str) -> str:
    """A level of ``result`` in its display unit, with the comparison ``op`` and the number
    the user typed (``total_annual_cost<=14e6 USD/yr`` for ``<=14e6 USD``); a unitless
    result's is ``goal_example``'s."""
    unit = result.display or result.unit
    if not unit:
        return goal_example(calc, result, example).replace("=", op, 1)
    number = _LEADING_NUMBER.match(level)
    typed = number[0].strip() if number and math.isfinite(float(number[0])) else "1"
    return f"{result.name}{op}{typed} {unit}"


def parse_solve(
    calc: Calculator,
    name: str | None,
    goal: str | None,
    given: Collection[str] = (),
    sweep: str | None = None,
) -> engine.Solve | None:
    """``--solve INPUT --for RESULT=VALUE`` (or ``RESULT<=VALUE``, ``RESULT>=VALUE``: a
    limit, which a whole count is rounded to meet): the goal-seek, or None without --solve. The
    input solved for may not also be among the options ``given``, nor be what ``sweep``
    (the --sweep text) varies: one of the two values would be silently dropped."""
    example = (
        f"--solve {calc.solve_example.split('|')[0]} --for '{calc.solve_example.split('|')[1]}'"
    )
    if name is None:
        if goal is not None:
            raise UsageError(f"--for goes with --solve, e.g. {example}")
        return None
    if goal is None:
        raise UsageError(f"--solve needs --for RESULT=VALUE, e.g. {example}")
    try:
        spec = calc.input(name.strip())
    except KeyError:
        spec = None
    if spec is None or spec.kind != "number":
        names = [s.name for s in calc.inputs if s.kind == "number"]
        raise UsageError(
            f"--solve: {calc.name} has no number input {shorten(name)!r}"
            f"{did_you_mean(name.strip(), names)}; one of {', '.join(names)}; "
            f"e.g. {solve_instead(calc, name.strip(), goal.strip())}"
        )
    result, typed = parse_mark(calc, goal, "--for", calc.solve_example.split("|")[1], True)
    low, high, _ = engine.bounds_for(calc).get(result.core, (-math.inf, math.inf, False))
    value = min(max(typed, low), high) + 0.0  # a limit past the bound, which every value
    # meets, is the bound's: the goal-seek answers that limit (at an end, or why not); + 0.0
    # reads a typed -0 as 0, not '>= -0'
    limit = _LIMIT.match(goal)
    side = GOAL_SIDES[limit["side"]] if limit else 0
    if not side and result.labels and value in (0, len(result.labels) - 1):
        # a label at an end of the codes is the region where the result has it (fits=yes is
        # fits>=1), so a whole count is rounded to a value that has it, as for a limit
        side = 1 if value else -1
    if result.core == spec.core:
        raise UsageError(
            f"--for: {result.name} is what --solve {spec.name} would set; name a result to "
            f"reach instead, e.g. --for '{calc.solve_example.split('|')[1]}'"
        )
    solve = engine.Solve(spec, result, value, side, None if typed == value else typed)
    check_solved_not_given(solve, given)
    if sweep is not None and parse_sweep(calc, sweep).spec.key == spec.key:
        raise UsageError(
            f"--sweep {spec.name}: --solve {spec.name} sets it; sweep another input, or drop "
            f"--solve and --for to sweep {spec.name} itself, e.g. --sweep {shorten(sweep)}"
        )
    return solve


def solve_instead(calc: Calculator, typed: str, goal: str) -> str:
    """A misspelt --solve's example, so that it runs: the input nearest ``typed`` of those
    that move the goal (inputs_moving), else the calculator's example unknown among them;
    the calculator's own goal-seek where the goal names no result or nothing but its own
    input moves it (tco's gpus, which only --gpus sets; h100e's tpp, the GPU's figure)."""
    unknown, example = calc.solve_example.split("|")
    try:
        result, _ = parse_mark(calc, goal, "--for", example, True)
    except UsageError:
        return f"--solve {unknown} --for '{example}'"
    moving = inputs_moving(calc, result)
    if not moving:
        return f"--solve {unknown} --for '{example}'"
    instead = next(iter(nearest(typed, moving) or [engine.preferred_unknown(calc, moving)]))
    return f"--solve {instead} --for '{goal}'"


def inputs_moving(calc: Calculator, result: Result) -> list[str]:
    """The number inputs that move ``result`` in the calculator's default preset, but the
    one that sets it (tco's power_share does not change with gpus: its ratio cancels them;
    gpus is set by --gpus alone); all of them where the preset does not compute it, or
    cannot be read."""
    numbers = [s.name for s in calc.inputs if s.kind == "number" and s.core != result.core]
    try:
        given = engine.gather(calc, {}, load(calc.default_preset))
    except TcoctlError:  # a preset of the user's that shadows it and fails
        return numbers
    moving = engine.moving_inputs(calc, given, result.core)
    return numbers if moving is None else [name for name in moving if name in numbers]


def check_solved_not_given(
    solve: engine.Solve | None, given: Mapping[str, str] | Collection[str]
) -> None:
    """Refuse a value for the input a goal-seek solves for (it would be dropped), naming
    the option with the value given where known (``given`` maps options to their texts),
    and an example of each way out."""
    if solve is None:
        return
    name = solve.unknown.name
    option = next((option for option in given if option.replace("_", "-") == name), None)
    if option is None:
        return
    text = given[option] if isinstance(given, Mapping) else ""
    flag = f"--{name} {quoted(text)}" if text else f"--{name}"
    raise UsageError(
        f"{flag} is given, and --solve {name} would set it: give one of them, e.g. --{name} "
        f"{quoted(solve.unknown.example)} without --solve, or --solve {name} without --{name}"
    )


def check_swept_not_given(sweep: Sweep | None, text: str | None, given: Mapping[str, str]) -> None:
    """Refuse a value given for the input a --sweep (its ``text``) varies, as
    :func:`check_solved_not_given` does for --solve: one of the two would be dropped."""
    if sweep is None or text is None or sweep.spec.name not in given:
        return
    name, value = sweep.spec.name, quoted(given[sweep.spec.name])
    raise UsageError(
        f"--{name} {value} is given, and --sweep {name} varies it: give one of them, e.g. "
        f"--sweep {quoted(text)} without --{name}, or --{name} {value} without --sweep"
    )


def sweep(
    calc: Calculator,
    rows: Sequence[Mapping[str, engine.Given]],
    plan: Sweep,
    solve: engine.Solve | None = None,
) -> list[tuple[dict[str, engine.Summary], dict[int, str], dict[int, list[str]]]]:
    """Every result at each sweep point (``plan.values``), per scenario, the other inputs
    keeping their ranges, why there is none at some points and the warnings at others (by
    point): one core call per group of scenarios that give the same inputs, a row per
    scenario and point."""
    ranged = max(
        sum(
            g.span is not None and g.span.is_range and g.spec.key != plan.spec.key
            for g in given.values()
        )
        for given in rows
    )
    design = len(engine.grid_design(ranged, plan.points * len(rows), solve is not None))
    if plan.points * len(rows) * design > MAX_SWEEP_EVALUATIONS:
        raise UsageError(
            f"--sweep: {plan.points:,} points x {len(rows)} scenario(s) x {design} "
            f"range points exceeds {MAX_SWEEP_EVALUATIONS:,} evaluations: use fewer "
            "points, or give the other inputs as single values"
        )
    point = engine.Given(plan.spec, "sweep", "--sweep", plan.span)
    check_sweep_work(calc, rows, plan, design)
    scenarios = [dict(given) for given in rows]
    for given in scenarios:
        engine.put(given, point)  # the swept input replaces its alternatives (site-power)
    found: list[tuple[dict[str, engine.Summary], dict[int, str], dict[int, list[str]]]]
    found = [({}, {}, {})] * len(rows)
    for members in engine.groups(scenarios):
        numbers, gpus, choices = engine.stacked_columns(
            [scenarios[i] for i in members], plan.points
        )
        swept = np.tile(plan.values, len(members))
        numbers[plan.spec.core] = engine.Bounds(swept, swept)
        summaries, failures, warned = engine.evaluate(
            calc, numbers, gpus, choices, engine.RunOptions(solve=solve)
        )
        undefined = np.array([failure is not None for failure in failures])
        for position, index in enumerate(members):
            part = slice(position * plan.points, (position + 1) * plan.points)
            gaps = undefined[part]  # NaN where the result is not defined at that point
            found[index] = (
                {
                    name: engine.Summary(
                        np.where(gaps, np.nan, s.value[part]),
                        None if s.low is None else np.where(gaps, np.nan, s.low[part]),
                        None if s.high is None else np.where(gaps, np.nan, s.high[part]),
                    )
                    for name, s in summaries.items()
                },
                {
                    point: str(failure)
                    for point, failure in enumerate(failures[part])
                    if failure is not None
                },
                {
                    row - part.start: messages
                    for row, messages in warned.items()
                    if part.start <= row < part.stop and failures[row] is None
                },
            )
    return found


SWEEP_WORK_BUDGET = 200_000_000
"""Row evaluations the costly relations of one sweep (those with a ``work``, such as a
whole-die count) may take in all: about ten seconds. Tiny dies are expensive to count: a
sweep over die sizes from 1 mm^2 at 20,000 points would run for minutes."""
WORK_SAMPLES = 9
"""Sweep points at which a sweep's costly work is estimated."""


def check_sweep_work(
    calc: Calculator,
    rows: Sequence[Mapping[str, engine.Given]],
    plan: Sweep,
    corners: int,
) -> None:
    """Refuse a sweep whose costly relations would pass SWEEP_WORK_BUDGET: their work is
    estimated at WORK_SAMPLES points of the sweep (each scenario at its centre, each
    relation's own ``work`` for ``corners`` design points) and scaled to all of them."""
    total = 0.0
    costly: dict[str, str] = {}  # what is costly -> what makes it cheaper
    for given in rows:
        for x in np.linspace(plan.span.low, plan.span.high, min(WORK_SAMPLES, plan.points)):
            at = dict(given)
            engine.put(at, engine.Given(plan.spec, "sweep", "--sweep", Span(float(x), float(x))))
            for work, evaluations in rel.costly_work(*engine.central_known(calc, at), corners):
                costly[work.doing] = work.cheaper
                total += evaluations * plan.points / WORK_SAMPLES
    if total > SWEEP_WORK_BUDGET:
        raise UsageError(
            f"--sweep {plan.spec.name}: {' and '.join(costly)} at {plan.points:,} points x "
            f"{len(rows)} scenario(s) takes about {total:.2g} row evaluations, more than the "
            f"{SWEEP_WORK_BUDGET:.0e} a sweep may take: use fewer points or "
            f"{' and '.join(costly.values())}"
        )


def finite_or_null(values: Any) -> list[float | None]:
    """A sweep column for JSON: null where the result is not defined at that point."""
    return [v if math.isfinite(v) else None for v in np.asarray(values, dtype=float).tolist()]


def crossings(xs: Any, ys: Any, level: float) -> list[float]:
    """Where the piecewise-linear curve through (xs, ys) crosses ``level`` (sequences or
    arrays of floats; None or NaN where undefined)."""
    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float) - level  # None: NaN
    found = []
    for i in np.flatnonzero((y[:-1] * y[1:] <= 0) & (y[:-1] != y[1:])):
        found.append(float(x[i] - y[i] * (x[i + 1] - x[i]) / (y[i + 1] - y[i])))
    return found


REFINEMENTS = 4
"""Rounds that narrow a sweep's crossing, each sweeping its bracket at REFINE_POINTS."""
REFINE_POINTS = 33


def refine_crossing(
    calc: Calculator,
    given: Mapping[str, engine.Given],
    plan: Sweep,
    mark: tuple[Result, float],
    x: float,
    solve: engine.Solve | None = None,
) -> float:
    """The crossing of ``mark`` near ``x`` [core units] found between two sweep points,
    narrowed by sweeping its bracket again (32^4 finer: to about a millionth of the step)."""
    result, level = mark
    step = (plan.span.high - plan.span.low) / (plan.points - 1)
    low, high = max(plan.span.low, x - step), min(plan.span.high, x + step)
    for _ in range(REFINEMENTS):
        inner = Sweep(plan.spec, Span(low, high), REFINE_POINTS)
        ((summaries, _, _),) = sweep(calc, [given], inner, solve)
        if result.core not in summaries:
            break
        found = crossings(inner.values, summaries[result.core].value, level)
        if not found:
            break
        x = min(found, key=lambda candidate: abs(candidate - x))
        width = (high - low) / (REFINE_POINTS - 1)
        low, high = max(low, x - width), min(high, x + width)
    return x


def sweep_section(
    calc: Calculator,
    plan: Sweep,
    summaries: Mapping[str, engine.Summary],
    target: Result,
    mark: tuple[Result, float] | None,
    refine: Callable[[float], float] | None = None,
    solve: engine.Solve | None = None,
) -> tuple[dict[str, Any], list[Any]]:
    """The sweep as a JSON section (columns of numbers, display units; a goal-seek's solved
    input among them) and its chart and table for the table view; ``refine`` turns each
    crossing found between two sweep points into the exact one (core units in, core units
    out)."""
    from tcoctl.charts import sweep_views  # charts load rich: only for sweeps

    x_display = convert(plan.values, plan.spec.unit, plan.spec.display)
    columns: dict[str, Any] = {}
    for result in engine.results_of(calc, solve):
        if result.core not in summaries:
            continue
        summary = summaries[result.core]
        column = {
            "unit": short(result.display),
            "value": finite_or_null(convert(summary.value, result.unit, result.display)),
        }
        if summary.low is not None and summary.high is not None:
            column["low"] = finite_or_null(convert(summary.low, result.unit, result.display))
            column["high"] = finite_or_null(convert(summary.high, result.unit, result.display))
        columns[result.name] = column
    if target.name not in columns:
        raise UsageError(
            f"--target: {target.name!r} is not computed here; one of {', '.join(columns)}, "
            f"e.g. --target {next(iter(columns))}"
        )
    section: dict[str, Any] = {
        "input": plan.spec.name,
        "unit": short(plan.spec.display),
        "x": x_display.tolist(),
        "results": columns,
    }
    ys = columns[target.name]["value"]
    marks: list[float] = []
    if mark is not None:
        result, level = mark
        if result.name not in columns:
            raise UsageError(f"--mark: {result.name!r} is not computed here")
        level_display = float(convert(level, result.unit, result.display))
        marks = crossings(x_display, columns[result.name]["value"], level_display)
        if refine is not None:
            scale = float(convert(1.0, plan.spec.unit, plan.spec.display))
            marks = [refine(x / scale) * scale for x in marks]
        section["mark"] = {
            "result": result.name,
            "level": level_display,
            "unit": short(result.display),
            "crossings": marks,
        }
    message = ""
    if mark is not None:
        where = ", ".join(f"{notation.fmt(x)} {short(plan.spec.display)}".rstrip() for x in marks)
        level_text = f"{notation.fmt(section['mark']['level'])} {section['mark']['unit']}"
        level_text = level_text.rstrip()  # a level in its unit: 34 ms, a share bare
        message = (
            f"{mark[0].name} crosses {level_text} at {plan.spec.name} = {where}"
            if marks
            else f"{mark[0].name} does not cross {level_text} in the swept range"
        )
    visuals = sweep_views(
        labelled(plan.spec.name, plan.spec.display),
        labelled(target.name, target.display),
        x_display.tolist(),
        ys,
        marks,
        message,
    )
    return section, visuals


def sweep_sections(
    calc: Calculator,
    rows: Sequence[Mapping[str, engine.Given]],
    sweep_text: str,
    mark_text: str | None,
    target: Result | None,
    solve: engine.Solve | None = None,
) -> list[tuple[dict[str, Any], list[Any], dict[int, list[str]]]]:
    """Each scenario's sweep as a JSON section (display units) and its chart and table, from
    the texts of --sweep and --mark. The chart is of --mark's result, else of
    ``target`` (--target), else of the calculator's own target where it is computed here
    and moves over the sweep, else of the first result (headline first) that does (yield's
    good dies, given, would plot a constant), the chart saying so; each crossing of
    the mark is refined. Points without an answer are listed in the section's
    ``undefined``, each with its reason; the warnings at each point that has one come third
    (``warned_points`` words them)."""
    plan = parse_sweep(calc, sweep_text)
    mark = parse_mark(calc, mark_text) if mark_text else None
    sections = []
    for given, (swept, gaps, warned) in zip(rows, sweep(calc, rows, plan, solve), strict=True):
        chosen = mark[0] if mark else target or calc.result(calc.target)
        note = ""
        if not mark and target is None:
            chosen, note = solved_result(calc, solve) or moving_result(calc, plan, swept)
        refine = partial(refine_crossing, calc, given, plan, mark, solve=solve) if mark else None
        section, visuals = sweep_section(calc, plan, swept, chosen, mark, refine, solve)
        visuals = [*([note] if note else []), *visuals]
        if gaps:
            x = section["x"]
            section["undefined"] = [{"x": x[i], "reason": gaps[i]} for i in sorted(gaps)]
        sections.append((section, visuals, warned))
    return sections


RUN_ITEM = -1
"""The run itself among a sweep's points, where a warning it gives is given there too."""


def warned_points(
    section: Mapping[str, Any], warned: Mapping[int, list[str]], run: Sequence[str] = ()
) -> list[str]:
    """A sweep's warnings, each once with the points it concerns, as a batch's name its
    lines: '--sweep: at batch = 1,000, 1,500 and 2 more: the weights ... do not fit'; a
    warning that the run itself gave too (``run``) says so, once: '... and at the run's own
    inputs: ...'."""
    unit = f" {section['unit']}" if section["unit"] else ""

    def where(points: list[int]) -> str:
        xs = [notation.fmt(section["x"][point]) for point in points if point != RUN_ITEM]
        also = " and at the run's own inputs" if RUN_ITEM in points else ""
        return f"--sweep: at {section['input']} = {first_few(xs)}{unit}{also}"

    return by_message({**warned, RUN_ITEM: list(run)}, where, message_kind)


def solved_result(calc: Calculator, solve: engine.Solve | None) -> tuple[Result, str] | None:
    """What a goal-seek's sweep charts by default: its solved input, the answer at each
    point (None without a goal-seek)."""
    if solve is None:
        return None
    return next(r for r in engine.results_of(calc, solve) if r.core == solve.unknown.core), ""


def moving_result(
    calc: Calculator, plan: Sweep, swept: Mapping[str, engine.Summary]
) -> tuple[Result, str]:
    """The result a sweep charts by default: the calculator's target where it is computed
    and moves over the sweep (``plan``), else the first result (headline first) that does,
    with a note saying why the target is not charted ('' where it is)."""
    ordered = sorted(calc.results, key=lambda r: r.name not in calc.headline)
    computed = [r for r in ordered if r.core in swept]
    target = calc.result(calc.target)
    if target.core not in swept:
        return computed[0], ""
    finite = [s.value[np.isfinite(s.value)] for s in (swept[r.core] for r in computed)]
    moving = [r for r, values in zip(computed, finite, strict=True) if len(set(values)) > 1]
    stays = finite[computed.index(target)]
    if target in moving or stays.size < 2 or not moving:
        return target, ""
    level = notation.fmt(float(convert(stays[0], target.unit, target.display)))
    return moving[0], (
        f"{target.name} stays at {level} over this {plan.spec.name} sweep: the chart is of "
        f"{moving[0].name}"
    )


MAX_NAMED_POINTS = 5
"""A sweep's points without an answer are named up to this many (then the first few and
the last)."""


def undefined_note(section: Mapping[str, Any]) -> str:
    """What to say of a sweep's points without an answer (its section's ``undefined``):
    which, how many, and the first one's reason; a warning where other points have one,
    the run's error where none has."""
    gaps = section["undefined"]
    xs = [notation.fmt(gap["x"]) for gap in gaps]
    if len(xs) > MAX_NAMED_POINTS:
        xs = [*xs[: MAX_NAMED_POINTS - 2], "...", xs[-1]]
    unit = f" {section['unit']}" if section["unit"] else ""
    points = f"{section['input']} = {', '.join(xs)}{unit}"
    which = (
        f"no point of the sweep has an answer ({points})"
        if len(gaps) == len(section["x"])
        else f"no answer at {len(gaps)} of {len(section['x'])} points, {points} (left blank)"
    )
    return f"--sweep: {which}, e.g. at {notation.fmt(gaps[0]['x'])}{unit}: {gaps[0]['reason']}"


def labelled(name: str, unit: str) -> str:
    """``name [unit]``, or the bare name for fractions and counts."""
    return f"{name} [{short(unit)}]" if unit else name


def tornado_sections(
    calc: Calculator,
    rows: Sequence[Mapping[str, engine.Given]],
    target: Result,
    solve: engine.Solve | None = None,
) -> list[tuple[dict[str, Any], Any]]:
    """The tornado of each scenario as JSON (display units) and as a chart."""
    missing = "out of reach" if solve is not None else "no answer"
    return [
        tornado_section(target, centre, bars, missing)
        for centre, bars in engine.tornado(calc, rows, target.name, solve)
    ]


def tornado_section(
    target: Result, centre: float, bars: list[tuple[str, float, float]], missing: str
) -> tuple[dict[str, Any], Any]:
    """One scenario's tornado as JSON (display units; null at an end without an answer, and
    then its swing) and as a chart, whose labels call such an end ``missing``."""
    from tcoctl.charts import tornado as tornado_chart  # charts load rich: only here

    unit = short(target.display)

    def shown(value: float) -> float:
        return float(convert(value, target.unit, target.display))

    def nullable(value: float) -> float | None:
        return None if math.isnan(value) else value

    section = {
        "target": target.name,
        "unit": unit,
        "centre": shown(centre),
        "bars": [
            {
                "input": name,
                "at_low": nullable(shown(lo)),
                "at_high": nullable(shown(hi)),
                "swing": nullable(abs(shown(hi) - shown(lo))),
            }
            for name, lo, hi in bars
        ],
    }
    chart = tornado_chart(
        f"what moves {target.name} (centre {notation.fmt(shown(centre))} {unit})".replace(
            " )", ")"
        ),
        shown(centre),
        [(name, shown(lo), shown(hi)) for name, lo, hi in bars],
        unit,
        missing,
    )
    return section, chart
