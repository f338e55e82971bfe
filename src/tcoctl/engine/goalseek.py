"""Goal-seek: the input that makes a result equal a target, in closed form where the
relations invert, else by bracketed root finding."""

from __future__ import annotations

import math
from collections.abc import Mapping
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
    if solve.unknown.whole:
        return rounded_up(calc, model, values, chosen, choices, solve, notes)
    return forward


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
