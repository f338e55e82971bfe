"""Goal-seek: the input that makes a result equal a target, in closed form where the
relations invert, else by bracketed root finding."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from tcoctl.core import relations as rel
from tcoctl.engine.inputs import Array, checked_span, describe_range
from tcoctl.engine.messages import _in_row, nothing_computed, shown
from tcoctl.engine.model import Solve, model_for
from tcoctl.errors import DomainError, TcoctlError, UsageError
from tcoctl.specs import Calculator, label_of


def goal_seek(
    calc: Calculator,
    model: rel.Model,
    values: dict[str, Any],
    chosen: rel.Choices,
    choices: Mapping[str, str],
    solve: Solve,
    shape: tuple[int, int],
    failures: list[TcoctlError | None],
    notes: dict[int, list[str]],
) -> rel.Plan:
    """Make ``values`` hold the unknown that gives the target, and return the plan that
    evaluates the rest: a closed form where the relations invert, else bracketed root
    finding over the unknown's valid range (rows with no root fail with a reason). A whole
    count (GPUs, layers) is rounded up to the next whole number, and ``notes`` says so per
    row: the target is then what that count gives."""
    unknown, target = solve.unknown.core, solve.target.core
    values.pop(unknown, None)
    values[target] = solve.value
    plan = model.plan(values, chosen, exclude=[unknown])
    if unknown in plan.known and target in plan.depends[unknown]:
        if not solve.unknown.whole:
            return plan
        known, _ = rel.evaluate(plan, values, choices, model.defaults)
        del values[target]
        values[unknown] = np.broadcast_to(np.asarray(known[unknown], dtype=float), shape)
        return rounded_up(calc, model, values, chosen, choices, solve, notes)
    del values[target]
    forward = model.plan([*values, unknown], chosen)
    if target not in forward.known:
        missing = nothing_computed(calc, frozenset([*values, unknown]), chosen, solve.target)
        raise UsageError(f"--for: {missing}")
    if unknown not in forward.depends.get(target, ()):
        raise UsageError(
            f"{solve.target.name} does not depend on {solve.unknown.name} with these inputs"
        )

    def miss(x: Array) -> Array:
        known, _ = rel.evaluate(forward, {**values, unknown: x}, choices, model.defaults)
        return np.asarray(known[target], dtype=float) - solve.value

    spec = solve.unknown
    start = checked_span(spec, spec.example, "example").low
    high = math.inf if spec.maximum is None else spec.maximum
    with np.errstate(all="ignore"):
        root, first, last = rel.find_root(
            miss, shape, start or 1.0, spec.minimum, high, not spec.positive
        )
    values[unknown] = root
    bad = np.isnan(root).reshape(shape[0], -1).any(axis=1)
    for row in np.flatnonzero(bad).tolist():
        at = np.isnan(root[row])
        span = sorted(float(v) + solve.value for v in (first[row][at][0], last[row][at][0]))
        text = (
            f"no value of {spec.name} ({describe_range(spec).removeprefix('a value ')}) gives "
            f"{solve.target.name} = {shown(calc, target, solve.value)}: over that range it "
            f"runs from {shown(calc, target, span[0])} to {shown(calc, target, span[1])}"
        )
        if math.isclose(span[0], span[1], rel_tol=1e-9):
            text = (
                f"{solve.target.name} does not change with {spec.name} here: it stays at "
                f"{shown(calc, target, span[0])}"
            )
        if span[1] < solve.value:
            top = min(high, (start or 1.0) * 10.0**rel.SCAN_DECADES)
            text += capped(calc, forward, {**values, unknown: np.full(shape, top)}, choices, row)
        failures[row] = DomainError(text)
    with np.errstate(all="ignore"):
        values[unknown] = reached(calc, miss, root, solve, high, failures)
    if solve.unknown.whole:
        return rounded_up(calc, model, values, chosen, choices, solve, notes)
    return forward


STEP_TOLERANCE = 1e-6
"""A found root whose result misses the goal by more than this (relative) is where the result
jumps over the goal (a whole count, such as dies per wafer), not where it reaches it."""
FLAT_TOLERANCE = 1e-9
"""A result that moves by less than this (relative to the goal) over half a decade of the
unknown either side of a root only tends to the goal there (a share tending to 1)."""


def reached(
    calc: Calculator,
    miss: Callable[[Array], Array],
    root: Array,
    solve: Solve,
    high: float,
    failures: list[TcoctlError | None],
) -> Array:
    """The roots, checked: where the result steps at a root, the side of the step that
    gives the goal; rows where neither side does fail, naming the values either side (the
    nearest achievable), as do rows where the result only tends to the goal as a limit
    (bisection and float rounding would otherwise report success)."""
    found = np.isfinite(root)
    if not found.any():
        return root
    spec, target = solve.unknown, solve.target.core
    x = np.where(found, root, 1.0)
    scale = abs(solve.value) or 1.0
    below = np.abs(miss(np.maximum(x / 10**0.5, spec.minimum)))
    above = np.abs(miss(np.minimum(x * 10**0.5, high)))
    limit = found & (below <= FLAT_TOLERANCE * scale) & (above <= FLAT_TOLERANCE * scale)
    sides = [x * (1 - 1e-9), x, x * (1 + 1e-9)]
    misses = [miss(side) for side in sides]
    hits = [np.abs(m) <= STEP_TOLERANCE * scale for m in misses]
    chosen = np.select(  # at a step, a point just inside the side that gives the goal
        [hits[0] & hits[2], hits[0], hits[2], hits[1]], [x, sides[0], sides[2], x], np.nan
    )
    goal = shown(calc, target, solve.value)
    for row in range(root.shape[0]):
        wrong = found[row] & (limit[row] | np.isnan(chosen[row]))
        if failures[row] is not None or not wrong.any():
            continue
        point = int(np.flatnonzero(wrong)[0])
        where = f"{spec.name} = {shown(calc, spec.core, float(x[row, point]))}"
        if limit[row, point]:
            text = (
                f"no value of {spec.name} gives {solve.target.name} = {goal}: it only tends "
                f"to that value (at {where} it is there to float precision, but no finite "
                f"{spec.name} reaches it); ask for a value short of it"
            )
        else:
            either = sorted(float(misses[k][row, point]) + solve.value for k in (0, 2))
            text = (
                f"no value of {spec.name} gives {solve.target.name} = {goal}: it steps over "
                f"that value at {where}, from {shown(calc, target, either[0])} to "
                f"{shown(calc, target, either[1])}, the nearest values it takes"
            )
        failures[row] = DomainError(text)
    return np.where(found & ~np.isnan(chosen), chosen, root)  # a failed row keeps its x


def rounded_up(
    calc: Calculator,
    model: rel.Model,
    values: dict[str, Any],
    chosen: rel.Choices,
    choices: Mapping[str, str],
    solve: Solve,
    notes: dict[int, list[str]],
) -> rel.Plan:
    """The plan forward from a whole count: ``values``' solved unknown rounded up (a
    rounding error of 1e-9 relative is not a unit more), with a note on each row where the
    central value visibly moved, naming the target's value there."""
    unknown, target = solve.unknown.core, solve.target.core
    exact = np.asarray(values[unknown], dtype=float)
    whole = np.ceil(exact * (1 - 1e-9))
    values[unknown] = whole
    forward = model.plan(values, chosen)
    known, _ = rel.evaluate(forward, values, choices, model.defaults)
    reached = np.broadcast_to(np.asarray(known[target], dtype=float), exact.shape)
    for row in range(exact.shape[0]):
        before, after = (shown(calc, unknown, float(x[row, 0])) for x in (exact, whole))
        if before != after:  # a unit more that shows (not 3.71367e+08 to 3.71367e+08)
            notes.setdefault(row, []).append(
                f"{solve.unknown.name} is a whole number: {before} rounded up to {after}, "
                f"where {solve.target.name} is {shown(calc, target, float(reached[row, 0]))} "
                f"(goal {shown(calc, target, solve.value)})"
            )
    return forward


def capped(
    calc: Calculator,
    plan: rel.Plan,
    values: Mapping[str, Any],
    choices: Mapping[str, str],
    row: int,
) -> str:
    """Why a result stops short of a goal: the coded result (supply's binding constraint)
    at the top of the unknown's range, e.g. '; at the top of that range binding is hbm'."""
    coded = next((r for r in calc.results if r.labels and r.core in plan.known), None)
    if coded is None:
        return ""
    with np.errstate(all="ignore"):
        known, _ = rel.evaluate(plan, values, choices, model_for(calc).defaults)
    name = label_of(coded.labels, float(_in_row(known[coded.core], row)[0]))
    return (
        f"; at the top of that range {coded.name} is {name}: that constraint caps it"
        if name
        else ""
    )
