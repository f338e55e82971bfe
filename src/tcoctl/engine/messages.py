"""Messages about a run for people: problems the relations found, in display units and
naming quantities, and what inputs would give a result not computed."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tcoctl.core import relations as rel
from tcoctl.engine.inputs import Array
from tcoctl.engine.model import display_unit, model_for
from tcoctl.errors import TcoctlError, UsageError, as_flag
from tcoctl.specs import Calculator, Result, label_of
from tcoctl.units import convert, short

MAX_WAYS = 4
"""At most this many alternative sets of options are named for a result not computed."""


@dataclass(frozen=True, kw_only=True)
class OutOfReach(rel.Finding):
    """A goal-seek's goal reached at no value of its unknown, at some elements (``points``,
    rows x range points): ``message`` says that the goal is out of reach, and
    ``says(row, point)`` why there and what to ask for instead ('no value of die-area gives
    dies_per_wafer = 101: it steps over that value ...', "ask for one of them, e.g. --for
    'dies_per_wafer=100'")."""

    says: Callable[[int, int], tuple[str, str]]


def no_range_to_rank(calc: Calculator) -> UsageError:
    """--tornado where no input is a range: one to give, the range of ``calc``'s --sweep
    example ('--electricity 0.02..0.40USD/kWh'; '1..2' named none)."""
    name, _, span = calc.sweep_example.split("|")[0].partition("=")
    return UsageError(
        f"--tornado needs at least one input given as a range, e.g. {as_flag(name)} "
        f"{span.split(':')[0]}"
    )


class NothingComputed(UsageError):
    """The given inputs determine no result; the message names inputs that would."""


def nothing_computed(
    calc: Calculator,
    known: frozenset[str],
    choices: rel.Choices,
    result: Result | None = None,
) -> TcoctlError:
    """The error for inputs that determine no result (or not ``result``, a goal-seek's
    target): what would give it; by default the first result a relation computes from a
    given input (--target-yield leads to required_step_yield, which needs --steps), else the
    headline result."""
    goal = result is not None and result.name != calc.target
    result = result or nearest_result(calc, known)
    wanted = result.core
    given = [spec.name for spec in calc.inputs if spec.sets and set(spec.sets) <= known]
    options = tuple(
        (spec.name, spec.sets)
        for spec in calc.inputs
        if spec.kind not in ("choice", "size", "file")
        and not set(spec.sets) <= known
        and wanted not in spec.sets
        and not any(alternatives(calc, [spec.name, name]) for name in given)  # refused or drops it
    )
    found = model_for(calc).suggest(known, choices, wanted, options)
    found = [group for group in found if not alternatives(calc, group)]
    hint = (
        " or ".join(" ".join(map(as_flag, group)) for group in found[:MAX_WAYS])
        if found
        else "more inputs (see --help)"
    )
    if goal:
        return NothingComputed(f"{result.name} is not computed with these inputs; it needs {hint}")
    return NothingComputed(
        f"these inputs determine no result of {calc.name}; {result.name} needs {hint}"
    )


def alternatives(calc: Calculator, names: Sequence[str]) -> bool:
    """Whether ``names`` hold two options check_alternatives refuses together (--gpus and
    --nodes)."""
    return any(other in names for name in names for other in calc.input(name).excludes)


def nearest_result(calc: Calculator, known: frozenset[str]) -> Result:
    """The target, where the given inputs touch it (it is one of them, or a relation
    computes it from one); else the first result (headline first) that a relation computes
    from a given input (not the H100 reference's figures or a rule's thresholds, which every
    run knows); else the target."""
    given = {quantity for quantity in known if not quantity.startswith(("ref_", "rule_"))}
    relations = model_for(calc).relations

    def touched(result: Result) -> bool:
        return any(r.out == result.core and set(r.inputs) & given for r in relations)

    target = calc.result(calc.target)
    if target.core in given or touched(target):
        return target
    ordered = sorted(calc.results, key=lambda r: r.name not in calc.headline)
    return next((result for result in ordered if touched(result)), target)


def shown(calc: Calculator, quantity: str, value: float, figures: int = 6) -> str:
    """A value with its display unit, for messages, to 6 significant ``figures``; a
    labelled result's code as its label (fits 1 as yes)."""
    labels = next((r.labels for r in calc.results if r.core == quantity and r.labels), ())
    if label_of(labels, value):
        return label_of(labels, value)
    unit, display = display_unit(calc, quantity)
    return f"{float(convert(value, unit, display)):.{figures}g} {short(display)}".rstrip()


def option_of(calc: Calculator, quantity: str) -> str:
    """The option that sets a core quantity (--cores-needed for cores_needed), else its name."""
    spec = calc.number_inputs.get(quantity)
    return as_flag(spec.name) if spec is not None else quantity


def public_name(calc: Calculator, quantity: str) -> str:
    """The name a user knows a core quantity by: its result's (gpu_hours for gpu_time), else
    its option's, else its own."""
    result = next((r.name for r in calc.results if r.core == quantity), None)
    if result is not None:
        return result
    spec = calc.number_inputs.get(quantity)
    return spec.name if spec is not None else quantity


def _in_row(values: Any, row: int) -> Array:
    """One row's values (all design points) of an array whose first axis is the row."""
    array = np.atleast_2d(np.asarray(values, dtype=float))
    return np.broadcast_to(array[row if array.shape[0] > 1 else 0], array.shape[1:]).ravel()


def describe(calc: Calculator, problem: rel.Problem, row: int | None = None) -> str:
    """A problem's message for one of its rows (by default the first), in display units,
    naming quantities."""
    if isinstance(problem, OutOfReach):
        row = int(np.flatnonzero(problem.rows)[0]) if row is None else row
        assert problem.points is not None  # an OutOfReach always says where
        return "; ".join(filter(None, problem.says(row, int(np.argmax(problem.points[row])))))
    if isinstance(problem, rel.Finding):
        return re.sub(
            r"\w+",
            lambda word: option_of(calc, word[0]) if word[0] in problem.quantities else word[0],
            problem.message,
        )
    if row is None:
        row = int(np.flatnonzero(problem.rows)[0])
    if isinstance(problem, rel.Contradiction):
        computed, given = _in_row(problem.computed, row), _in_row(problem.given, row)
        at = int(np.argmax(np.abs(computed - given) > rel.RELATIVE_TOLERANCE * np.abs(given)))
        others = ", ".join(
            public_name(calc, n)
            for n in problem.relation.inputs
            if not n.startswith(("ref_", "rule_"))
        )
        note = " ".join(public_name(calc, word) for word in problem.relation.note.split(" "))
        return (
            f"the inputs contradict each other: {public_name(calc, problem.quantity)} is "
            f"{shown(calc, problem.quantity, float(given[at]))}, but {others} give "
            f"{shown(calc, problem.quantity, float(computed[at]))} ({note})"
        )
    value = _in_row(problem.value, row)
    outside = value[(value > problem.high) | (value <= problem.low) | np.isnan(value)]
    number = float(outside[0]) if outside.size else float(value[0])
    hint = next((r.hint for r in calc.results if r.core == problem.quantity and r.hint), "")
    limit = (
        f", above its maximum {problem.high:g}"
        if number > problem.high
        else ""  # at its minimum, the hint says why ('0, not above its minimum 0' said none)
        if hint and number == problem.low
        else f", not above its minimum {problem.low:g}"
    )
    name = public_name(calc, problem.quantity)
    return f"{name} comes out at {shown(calc, problem.quantity, number)}{limit}" + (
        f": {hint}" if hint else ""
    )


def range_ends(
    calc: Calculator, ranged: list[str], design: Array, points: NDArray[np.intp]
) -> tuple[int, str]:
    """Of some design ``points``, the one nearest the centre and where it lies among the
    input ranges, for people: '--cores at its low end' (a design places each ranged input
    between its low, 0, and high, 1). On a corners-only design (many rows: batches, API
    arrays) every point has every range at an end, so the inputs named are those the
    points depend on (corner_example), as a single run's grid names them."""
    point = int(points[np.argmin(np.abs(design[points] - 0.5).sum(axis=1))])
    places = design[point].tolist()
    if len(ranged) and len(design) == 2 ** len(ranged) + 1 and point != 0:
        point, places = corner_example(len(ranged), points)
    return point, " and ".join(
        as_flag(calc.number_inputs[key].name)
        + " at its "
        + ("low" if place < 0.5 else "high")
        + (" end" if place in (0.0, 1.0) else " side")
        for key, place in zip(ranged, places, strict=True)
        if place != 0.5
    )


def corner_example(k: int, points: NDArray[np.intp]) -> tuple[int, list[float]]:
    """Of the corners ``points`` of a design over ``k`` ranges (its centre, then the 2^k
    corners, the first axis varying slowest: evaluation._grid), one and its places, each
    range at 0 or 1, or 0.5 where every corner of those found holds at both of its ends
    (each such range dropped in turn while some corner still does): the memory fit that only
    --batch decides is named with --batch alone, not every range of the call."""
    holds = np.zeros(2**k, dtype=bool)
    holds[points - 1] = True
    cube: NDArray[np.bool_] = holds.reshape((2,) * k)
    free: list[int] = []
    for axis in range(k):
        both: NDArray[np.bool_] = np.all(cube, axis=axis, keepdims=True)
        if both.any():
            cube, free = both, [*free, axis]
    corner = np.argwhere(cube)[0]  # a free range's index is 0: its low end, which holds too
    point = 1 + int(np.ravel_multi_index(tuple(corner), (2,) * k))
    return point, [0.5 if axis in free else float(corner[axis]) for axis in range(k)]
