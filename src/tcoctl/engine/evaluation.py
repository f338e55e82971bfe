"""Evaluate a calculator: merge preset and flags, check each value, and run the numpy core
once over every range end, Monte Carlo sample, sweep point or batch row.

Design: every numeric input is a pair of arrays ``low, high`` over rows (one row for a single
run, one per sweep point or batch line), with the centre where a range has its own
(``Bounds``). The ranged inputs span a unit box; a design matrix ``T`` (points x ranged
inputs, values in [0, 1]) places points in it: the centre first, then a grid that includes
every corner, then Monte Carlo samples. 0.5 is the centre: a range with its own centre maps
[0, 0.5] onto LOW..CENTRE and [0.5, 1] onto CENTRE..HIGH. The core sees arrays of shape
(rows, points) and broadcasts; ``low``/``high`` are the extremes over the grid: exact where a
result is monotone in each input (nearly every result here) and approximate otherwise (shares
over a very wide --rate range, die counts, which step with the die size).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from tcoctl import sampling
from tcoctl.core import relations as rel
from tcoctl.core.dieyield import ModeError
from tcoctl.engine.goalseek import goal_seek
from tcoctl.engine.inputs import (
    Array,
    Bounds,
    Given,
    centres,
    figure_formats,
    gpu_figures,
    reference_gpu_figures,
    rule_figures,
)
from tcoctl.engine.messages import (
    NothingComputed,
    OutOfReach,
    describe,
    no_range_to_rank,
    nothing_computed,
    range_ends,
)
from tcoctl.engine.model import (
    PERCENTILE_KEYS,
    PERCENTILES,
    SAMPLE_KEYS,
    Solve,
    Summary,
    bounds_for,
    model_for,
    reported_results,
    results_of,
)
from tcoctl.errors import DomainError, TcoctlError, UsageError, as_flag
from tcoctl.specs import GPU_FIELDS, Calculator, Result
from tcoctl.specs.base import PRECISION

GRID_BUDGET = 4096
T = TypeVar("T")


@dataclass(frozen=True)
class LeftOut:
    """Monte Carlo draws (rows x points) without an answer, which the percentiles leave out
    (a goal-seek's goal out of reach there, a fatal check failing there), and per row why,
    at the first of them: what failed, and an example (or '')."""

    points: NDArray[np.bool_]
    reasons: dict[int, tuple[str, str]]


MAX_RANGED = 16


CELLS = 2_000_000
"""Rows x design points per core call; larger evaluations go in blocks of rows."""


def row_count(numbers: Mapping[str, Bounds], gpus: NDArray[np.str_] | None) -> int:
    """How many rows (scenarios) columns of inputs hold."""
    if numbers:
        return len(next(iter(numbers.values()))[0])
    return len(gpus) if gpus is not None else 1


def grid_design(k: int, rows: int = 1, seeking: bool = False) -> Array:
    """Centre point, then a full grid over [0, 1]^k including every corner, (points, k).

    One scenario gets up to GRID_BUDGET points (5 per axis at most), which also catches most
    of an interior extreme; many rows (sweeps, batches) get the corners only, exact for
    results monotone in each input. A goal-seek (``seeking``) gives every row the full grid:
    where the goal is out of reach at some corners, the extremes lie inside the ranges, at
    the edge of where it is reached, so each row then matches its own single run."""
    if k > MAX_RANGED:
        raise UsageError(f"at most {MAX_RANGED} inputs may be ranges at once (got {k})")
    full = (rows == 1 or seeking) and k
    return _grid(k, max(2, min(5, int(GRID_BUDGET ** (1.0 / k)))) if full else 2)


@lru_cache(maxsize=64)
def _grid(k: int, per_axis: int) -> Array:
    """The design of ``grid_design`` (cached, read-only: a warm call builds none)."""
    if k == 0:
        design = np.full((1, 0), 0.5)
    else:
        axes = np.meshgrid(*[np.linspace(0.0, 1.0, per_axis)] * k, indexing="ij")
        grid = np.stack([a.ravel() for a in axes], axis=1)
        design = np.vstack([np.full((1, k), 0.5), grid])
    design.flags.writeable = False
    return design


def ranged_keys(numbers: Mapping[str, Bounds]) -> list[str]:
    """The inputs whose low and high differ in some row: the axes of a design."""
    return [
        key for key, (low, high, _) in numbers.items() if low is not high and (low != high).any()
    ]


def placed(low: Array, high: Array, centre: Array | None, at: Array) -> Array:
    """Values at design coordinates ``at`` (0 low, 0.5 the centre, 1 high): linear from low
    to high, or through a range's own centre where ``centre`` gives one (not NaN)."""
    if centre is None or np.isnan(centre).all():
        return low + (high - low) * at
    unset, twice = np.isnan(centre), 2 * at
    with np.errstate(invalid="ignore"):
        through = np.where(
            at <= 0.5, low + (centre - low) * twice, centre + (high - centre) * (twice - 1)
        )
    return np.where(unset, low + (high - low) * at, through) if unset.any() else through


def core_values(
    calc: Calculator,
    numbers: Mapping[str, Bounds],
    gpus: NDArray[np.str_] | None,
    choices: Mapping[str, str],
    design: Array,
) -> dict[str, Any]:
    """The core's known quantities before solving: each number input at its ``design``
    points (rows x points, in core units, by core quantity), the reference GPU's and each
    row's GPU's figures."""
    rows = row_count(numbers, gpus)
    ranged = ranged_keys(numbers)
    values: dict[str, Any] = {}
    for quantity, (low, high, centre) in numbers.items():
        low2 = np.asarray(low, dtype=float).reshape(-1, 1)
        high2 = low2 if high is low else np.asarray(high, dtype=float).reshape(-1, 1)
        centre2 = None if centre is None else np.asarray(centre, dtype=float).reshape(-1, 1)
        constant = low2.strides[0] == 0 and high2.strides[0] == 0  # broadcast: no need to look
        if (
            rows > 1
            and centre2 is None
            and (constant or (np.all(low2 == low2[0]) and np.all(high2 == high2[0])))
        ):
            low2, high2 = low2[:1], high2[:1]  # the same in every row: computed once
        if quantity in ranged:
            low2 = placed(low2, high2, centre2, design[:, ranged.index(quantity)])
            if calc.number_inputs[quantity].whole:  # a count: 5..10 GPUs centre on 8, not 7.5
                low2 = np.floor(low2 + 0.5)
        values[quantity] = low2
    precision = choices.get("precision", "bf16")
    reference = reference_gpu_figures()
    for spec in GPU_FIELDS:
        values[f"ref_{spec.name}"] = reference[spec.name]
    values["ref_peak"] = reference[precision]
    if gpus is not None:
        names, index = (
            (gpus[:1].tolist(), np.zeros(rows, dtype=np.intp))
            if gpus.strides[0] == 0 or np.all(gpus == gpus[0])  # broadcast: one GPU
            else factorize(gpus.tolist())
        )
        tables = [gpu_figures(str(name)) for name in names]
        for spec in GPU_FIELDS:
            column = np.array([table[spec.name] for table in tables])
            values[f"gpu_{spec.name}"] = (column if len(names) == 1 else column[index]).reshape(
                -1, 1
            )
        values["gpu_peak"] = values[f"gpu_{precision}"]
        attention = choices.get("attention_precision", precision)
        if attention != precision:  # inference: attention at a precision of its own (at
            own = values[f"gpu_{attention}"]  # --precision's: peak), and its ratio to the
            values["gpu_attention_peak"] = own  # --precision peak (NaN where the GPU lacks it)
            with np.errstate(invalid="ignore", divide="ignore"):
                values["gpu_attention_ratio"] = np.divide(own, values["gpu_peak"])
    for spec in calc.inputs:
        if spec.rule and spec.key in choices:
            figures = rule_figures(choices[spec.key], spec.rule, as_flag(spec.name))
            values.update({f"rule_{key}": value for key, value in figures.items()})
    return values


def factorize(values: Sequence[T]) -> tuple[list[T], NDArray[np.intp]]:
    """The distinct values in the order they first appear, and each value's index among
    them (a dict lookup each: sorting texts, as np.unique does, costs far more)."""
    index = {value: k for k, value in enumerate(dict.fromkeys(values))}
    return list(index), np.array(list(map(index.__getitem__, values)), dtype=np.intp)


def central_known(
    calc: Calculator, given: Mapping[str, Given]
) -> tuple[rel.Plan, dict[str, float]]:
    """One scenario solved at its central values (ranges at their midpoints): the plan and
    every quantity it knows, as floats in core units (what ``--explain`` shows)."""
    numbers, gpus, choices = stacked_columns([given])
    values = core_values(calc, numbers, gpus, choices, grid_design(len(ranged_keys(numbers)))[:1])
    model = model_for(calc)
    plan = model.plan(values, tuple(sorted(choices.items())))
    with np.errstate(all="ignore"):
        known, _ = rel.evaluate(plan, values, choices, model.defaults)
    return plan, {name: float(np.ravel(value)[0]) for name, value in known.items()}


def moving_inputs(calc: Calculator, given: Mapping[str, Given], target: str) -> list[str] | None:
    """The number inputs that move result ``target`` in one scenario at its central values,
    in the calculator's order: those given whose change (a quarter up, or from 0 to 1)
    changes it, else those a fallback fills on its way (inference's --peak, the --gpu's
    figure: given, it moves ridge_point); None where the scenario does not give the target.
    An input it depends on only on paper is left out: tco's power_share on gpus, which its
    ratio cancels (what goal-seek's root finding refuses: 'does not change with gpus
    here')."""
    numbers, gpus, choices = stacked_columns([given])
    values = core_values(calc, numbers, gpus, choices, grid_design(len(ranged_keys(numbers)))[:1])
    model = model_for(calc)
    chosen = tuple(sorted(choices.items()))
    plan = rel.only_for(model.plan(values, chosen), target)
    if target not in plan.known:
        return None

    def at(changed: Mapping[str, Any]) -> float:
        inputs = {**values, **changed}
        steps = plan if changed.keys() <= values.keys() else model.plan(inputs, chosen)
        with np.errstate(all="ignore"):
            known, _ = rel.evaluate(rel.only_for(steps, target), inputs, choices, model.defaults)
        return float(np.ravel(known.get(target, math.nan))[0])

    with np.errstate(all="ignore"):
        central, _ = rel.evaluate(plan, values, choices, model.defaults)
    centre = float(np.ravel(central[target])[0])
    if not math.isfinite(centre):
        return None
    # computed by a fallback (peak = the --gpu's): an input given instead replaces it
    on_way = {step.target for step in plan.steps if step.relation.fallback} - {target}

    def moves(core: str) -> bool:
        value = float(np.ravel(central[core])[0])
        return not math.isclose(at({core: value * 1.25 + (value == 0)}), centre, rel_tol=1e-9)

    specs = [spec for spec in calc.inputs if spec.kind == "number"]
    given_moving = [
        spec.name
        for spec in specs
        if spec.core in values and spec.core in plan.depends[target] and moves(spec.core)
    ]
    if given_moving:
        return given_moving
    return [spec.name for spec in specs if spec.core in on_way and moves(spec.core)]


def core_call(
    calc: Calculator,
    numbers: Mapping[str, Bounds],
    gpus: NDArray[np.str_] | None,
    choices: Mapping[str, str],
    design: Array,
    solve: Solve | None = None,
) -> tuple[dict[str, Array], LeftOut | None, list[TcoctlError | None], dict[int, list[str]]]:
    """Solve the calculator's relations once on every row x design point.

    ``numbers`` maps an input's core quantity to its Bounds over rows, in core units;
    ``gpus`` holds a hardware preset name per row; ``choices`` the categorical options;
    ``design`` (points x ranged inputs, in [0, 1]) places each point between low and high.
    Returns each result as a (rows, points) array by core quantity, the design points
    without an answer (None where none is: Monte Carlo draws, NaN in the results; on a
    design whose first point is the centre, range points where each row's centre stands in,
    for low..high), and per row the reason it has no answer (None where it has one) and its
    warnings.
    """
    rows = row_count(numbers, gpus)
    values = core_values(calc, numbers, gpus, choices, design)
    precision = choices.get("precision", "bf16")
    model = model_for(calc)
    chosen = tuple(sorted(choices.items()))
    shape = (rows, len(design))
    failures: list[TcoctlError | None] = [None] * rows
    warnings: dict[int, list[str]] = {}
    unreachable: list[rel.Problem] = []
    if solve is None:
        plan = model.plan(values, chosen)
    else:
        try:  # the search may reach a die count the core refuses (more than 20,000 rows)
            plan, out_of_reach = goal_seek(calc, values, choices, solve, shape, warnings)
        except ModeError as error:
            raise UsageError(f"--solve {solve.unknown.name}: {error}") from None
        unreachable.extend(out_of_reach)
    reported = reported_results(calc, plan, solve)
    peak = calc.inputs_by_name.get("peak")  # h100e has no --peak to stand in
    instead = "" if peak is None else " or a --peak" + " instead" * ("gpu" in peak.excludes)
    for figure, option, asked in (
        ("gpu_peak", "precision", instead),
        ("gpu_attention_peak", "attention-precision", ""),
    ):
        if gpus is None or not any(figure in plan.depends.get(r.core, ()) for r in reported):
            continue
        lacking = np.broadcast_to(np.isnan(values[figure]).ravel(), (rows,))
        for row in np.flatnonzero(lacking):
            held = _precisions_of(values, int(row), rows, gpus[row])
            example = f"; e.g. {as_flag(option)} {held[0][0]}" if held else ""
            has = ", ".join(f"{name} ({form})" if form else name for name, form in held)
            failures[row] = failures[row] or UsageError(
                f"{gpus[row]} has no {choices.get(option.replace('-', '_'), precision)} figure: "
                f"give another {as_flag(option)}{asked}"
                + (f" ({gpus[row]} has {has}){example}" if held else "")
            )
    try:
        known, found = rel.evaluate(
            plan, values, choices, model.defaults, bounds_for(calc), rows, model.checks
        )
    except ModeError as error:
        raise UsageError(str(error)) from None
    misgiven = [p for p in found if isinstance(p, rel.Finding) and p.usage]
    rest = [p for p in found if not (isinstance(p, rel.Finding) and p.usage)]
    problems = [*misgiven, *unreachable, *rest]  # a misgiven option, a goal out of reach, the rest
    if gpus is not None:
        lacking_figures(calc, plan, values, gpus, reported, known, failures, warnings)
        attention = choices.get("attention_precision", precision)  # precision last: where
        other_formats(  # the two are one, its figure is gpu_peak
            plan, gpus, {attention: "gpu_attention_peak", precision: "gpu_peak"}, reported, warnings
        )
    targets = {step.target for step in plan.steps}
    if not problems and solve is None and not any(r.core in targets for r in reported):
        raise nothing_computed(calc, frozenset(values), chosen)
    unreached, reasons = None, dict[int, tuple[str, str]]()
    if problems:  # some may fail only at some range points
        problems, unreached, reasons = failing_ends(
            calc, problems, design, ranged_keys(numbers), shape, warnings
        )
    for problem in problems:
        for at in np.flatnonzero(problem.rows).tolist():
            if isinstance(problem, rel.Finding) and not problem.fatal:
                text = warning(calc, problem, at, design, ranged_keys(numbers), shape)
                warnings.setdefault(at, []).append(text)
            elif failures[at] is None:
                usage = isinstance(problem, rel.Finding) and problem.usage
                missing = isinstance(problem, rel.Finding) and problem.lacking
                kind = NothingComputed if missing else UsageError if usage else DomainError
                failures[at] = kind(describe(calc, problem, at))
    out = {result.core: _shaped(known[result.core], shape) for result in reported}
    if unreached is None or not unreached.any():
        return out, None, failures, warnings
    centre = centred(design)  # each row's centre stands in, for low..high; else NaN
    out = {
        name: np.where(unreached, full[:, :1] if centre else np.nan, full)
        for name, full in out.items()
    }
    return out, LeftOut(unreached, reasons), failures, warnings


def warning(
    calc: Calculator,
    problem: rel.Finding,
    row: int,
    design: Array,
    ranged: list[str],
    shape: tuple[int, int],
) -> str:
    """A warning for one row; where it holds at some points of the input ranges but not at
    their centre (a check element by element, Finding.points), it says at how many and the
    range ends nearest the centre: --batch 16..300 fits at its centre, 158, not at 300."""
    text = describe(calc, problem, row)
    if problem.points is None or not ranged or not centred(design):
        return text
    holds = np.broadcast_to(np.asarray(problem.points, dtype=bool), shape)[row]
    if holds[0] or not holds.any():
        return text
    points = np.flatnonzero(holds)
    _, where = range_ends(calc, ranged, design, points)
    return (
        f"at {points.size} of {shape[1]} points of the input ranges, not at their centre "
        f"(e.g. with {where}): {text}"
    )


def centred(design: Array) -> bool:
    """Whether a design's first point is the centre (a grid over the ranges, not Monte
    Carlo draws)."""
    return bool(np.all(design[0] == 0.5))


def failing_ends(
    calc: Calculator,
    problems: list[rel.Problem],
    design: Array,
    ranged: list[str],
    shape: tuple[int, int],
    warnings: dict[int, list[str]],
) -> tuple[list[rel.Problem], NDArray[np.bool_] | None, dict[int, tuple[str, str]]]:
    """A run over input ranges answers at the centre: where a row has no answer only at some
    range points (a goal-seek's goal out of reach there, a value leaving its valid range:
    a yield above 1; a fatal check such as --cores 100..200 with --cores-needed 132), the row
    keeps its answer, one warning names how many points and the range ends nearest the
    centre that fail (none for points an earlier problem named: implied_yield and
    implied_step_yield above 1 at the same ends), and the mask returned (rows x points;
    None if none) marks those points, which the low..high leave out. Rows whose centre
    fails keep the problem. On Monte Carlo draws (a design whose first point is not the
    centre) the mask marks every draw without an answer, and no row keeps the problem: the
    caller counts the draws over all chunks, with the reasons returned (per row, the
    first)."""
    reasons: dict[int, tuple[str, str]] = {}
    if not ranged:
        return problems, None, reasons
    mask = np.zeros(shape, dtype=bool)
    kept: list[rel.Problem] = []
    for problem in problems:
        failing = _failing_points(problem, shape)
        if failing is None:
            kept.append(problem)
            continue
        if not centred(design):
            mask |= failing
            for row in np.flatnonzero(failing.any(axis=1)).tolist():
                point = int(np.argmax(failing[row]))
                reasons.setdefault(row, _unreachable(problem, calc, row, point))
            continue
        ends = failing & ~failing[:, :1]
        fresh = (ends & ~mask).any(axis=1)  # points no earlier problem has named
        mask |= ends
        kept.append(replace(problem, rows=problem.rows & failing[:, 0]))
        for row in np.flatnonzero(fresh).tolist():
            points = np.flatnonzero(ends[row])
            point, where = range_ends(calc, ranged, design, points)
            at = f"at {points.size} of {shape[1]} points of the input ranges, e.g. with {where}"
            head, example = _unreachable(problem, calc, row, point)
            if example:
                text = f"{head} {at}: {example}; its low..high leave those points out"
            else:  # the head may end with its own example: the points follow it
                text = (
                    f"{head}; so no value at {points.size} of {shape[1]} points of the input "
                    f"ranges (with {where}), and low..high leave those points out (narrow "
                    "the ranges to where it holds)"
                )
            warnings.setdefault(row, []).append(text)
    return kept, mask, reasons


def _unreachable(problem: rel.Problem, calc: Calculator, row: int, point: int) -> tuple[str, str]:
    """Why a design point has no answer, as what failed and why there: ('power_share = 0.15
    is out of reach', 'no value of electricity ... gives ...'); for a value out of its range
    or a fatal check, its description and ''."""
    if isinstance(problem, OutOfReach):
        return problem.message, problem.says(row, point)[0]
    return describe(calc, problem), ""


def _failing_points(problem: rel.Problem, shape: tuple[int, int]) -> NDArray[np.bool_] | None:
    """The elements (rows x points) where a problem leaves no answer, if it says so per
    element: a value out of its range (a goal-seek's unknown, a yield above 1), or a fatal
    check with its points."""
    if isinstance(problem, rel.Finding) and problem.fatal and problem.points is not None:
        return np.broadcast_to(np.asarray(problem.points, dtype=bool), shape)
    if isinstance(problem, rel.OutOfBounds):
        return np.broadcast_to(problem.points, shape)
    return None


def lacking_figures(
    calc: Calculator,
    plan: rel.Plan,
    values: Mapping[str, Any],
    gpus: NDArray[np.str_],
    reported: Sequence[Result],
    known: Mapping[str, Any],
    failures: list[TcoctlError | None],
    warnings: dict[int, list[str]],
) -> None:
    """Rows whose hardware preset lacks a figure (a TDP, an HBM size) that results need: the
    option that stands in for it named, as the row's error where every headline result
    computed needs it (tco's cost per GPU-hour and a TPU without a TDP: nothing of the answer
    is left), else as a warning naming the results left without a value. ``results``
    (rows x points, by core quantity) tells which went without: a result that does without
    the figure (TPP, the highest over the precisions a chip has) is not named."""
    for spec in GPU_FIELDS:
        quantity = f"gpu_{spec.name}"
        if quantity not in values or not np.isnan(values[quantity]).any():
            continue
        needing = [r for r in reported if quantity in plan.depends.get(r.core, ())]
        if not needing:
            continue
        lacking = np.broadcast_to(np.isnan(values[quantity]).ravel(), (len(failures),))
        stand_ins = [
            as_flag(calc.number_inputs[step.target].name)
            for step in plan.steps
            if quantity in step.relation.inputs and step.target in calc.number_inputs
        ]
        give = f"give {' or '.join(stand_ins)}" if stand_ins else "use another --gpu"
        headline = [name for name in calc.headline if any(r.name == name for r in reported)]
        fatal = bool(headline) and all(any(r.name == name for r in needing) for name in headline)
        for row in np.flatnonzero(lacking).tolist():
            without = [
                r
                for r in needing
                if r.core not in known or not np.isfinite(_row_of(known[r.core], row)).all()
            ]
            if not without:
                continue
            figure = f"{gpus[row]} has no {spec.name} figure ({spec.help.rstrip('.')})"
            if fatal and failures[row] is None:
                failures[row] = UsageError(f"{figure}, which {headline[0]} needs: {give}")
            elif not fatal:
                names = ", ".join(r.name for r in without)
                verb = "needs it and has" if len(without) == 1 else "need it and have"
                warnings.setdefault(row, []).append(f"{figure}: {names} {verb} no value; {give}")


def other_formats(
    plan: rel.Plan,
    gpus: NDArray[np.str_],
    peaks: Mapping[str, str],
    reported: Sequence[Result],
    warnings: dict[int, list[str]],
) -> None:
    """Rows whose hardware preset's peak that results use is of another number format than
    its slot (V100's bf16 slot holds its FP16 peak): a warning saying which. ``peaks`` maps
    a chosen precision to the quantity holding its slot's figure (bf16: gpu_peak)."""
    used = {quantity for r in reported for quantity in plan.depends.get(r.core, ())}
    names, index = factorize(gpus.tolist())
    for at, name in enumerate(names):
        for slot, (held, figure) in figure_formats(str(name)).items():
            if f"gpu_{slot}" in used or peaks.get(slot) in used:
                said = (
                    f"{name} has no {slot.upper()}: its {slot} figure is its {held} peak "
                    f"({figure}), which the results use"
                )
                for row in np.flatnonzero(index == at).tolist():
                    warnings.setdefault(row, []).append(said)


def _row_of(values: Any, row: int) -> Any:
    """Row ``row`` of values whose first axis is the row (or that broadcast over rows)."""
    found = np.asarray(values, dtype=float)
    return found if found.ndim == 0 or len(found) == 1 else found[row]


def _shaped(values: Any, shape: tuple[int, int]) -> Array:
    """Values as a (rows, points) array: broadcast (a read-only view) unless already that
    shape; one number repeats through a view made directly (``np.broadcast_to``'s checks
    cost more than a scalar call's arithmetic)."""
    found = np.asarray(values, dtype=float)
    if found.shape == shape:
        return found
    if found.size != 1:
        return np.broadcast_to(found, shape)
    view = np.ndarray(shape, float, found, 0, (0, 0))
    view.flags.writeable = False
    return view


@dataclass(frozen=True)
class RunOptions:
    """How a run is asked beyond its inputs: Monte Carlo ``samples`` (how many, drawn by
    ``dist`` from ``seed``) and a goal-seek (``solve``)."""

    samples: int = 0
    dist: str = "uniform"
    seed: int | None = None
    solve: Solve | None = None


NO_OPTIONS = RunOptions()
"""A run without samples or a goal-seek."""


def evaluate(
    calc: Calculator,
    numbers: Mapping[str, Bounds],
    gpus: NDArray[np.str_] | None,
    choices: Mapping[str, str],
    options: RunOptions = NO_OPTIONS,
) -> tuple[dict[str, Summary], list[TcoctlError | None], dict[int, list[str]]]:
    """Centre value and range extremes (over a grid that includes every corner) of each
    result, by core quantity, from one core call, and with ``samples`` Monte Carlo
    percentiles from a second, so that the first does not depend on how many samples are
    drawn. Also returns, per row, why it has no answer
    (None where it has one) and its warnings."""
    samples, dist, seed, solve = options.samples, options.dist, options.seed, options.solve
    ranged = ranged_keys(numbers)
    rows = row_count(numbers, gpus)
    grid = grid_design(len(ranged), rows, solve is not None)
    block = max(1, CELLS // len(grid))
    parts: list[dict[str, Summary]] = []
    failures: list[TcoctlError | None] = []
    warnings: dict[int, list[str]] = {}
    for start in range(0, rows, block):  # blocks of rows keep memory bounded
        here = slice(start, start + block)
        out, _, failed, warned = core_call(
            calc,
            {key: bounds.take(here) for key, bounds in numbers.items()}
            if block < rows
            else numbers,
            gpus[here] if gpus is not None else None,
            choices,
            grid,
            solve,
        )
        failures += failed
        warnings.update({start + row: found for row, found in warned.items()})
        parts.append(summaries_of(out, bool(ranged)))
    summaries = (
        parts[0]
        if len(parts) == 1
        else {name: _concatenate([part[name] for part in parts]) for name in parts[0]}
    )
    if samples:
        sampled: list[TcoctlError | None] = [None] * rows
        why: dict[int, tuple[str, str]] = {}

        def draw(design: Array) -> tuple[dict[str, Array], sampling.LeftOut]:
            out, left_out, reasons, _ = core_call(calc, numbers, gpus, choices, design, solve)
            sampled[:] = [mine or theirs for mine, theirs in zip(sampled, reasons, strict=True)]
            if left_out is None:
                return out, None
            for row, reason in left_out.reasons.items():
                why.setdefault(row, reason)
            return out, left_out.points

        found, counted = sampling.percentiles(  # in chunks: memory stays flat, exact
            draw, *(len(ranged), samples, dist, seed, PERCENTILES, PERCENTILE_KEYS)
        )
        failures = [mine or theirs for mine, theirs in zip(failures, sampled, strict=True)]
        for row in np.flatnonzero(counted < samples).tolist():
            if failures[row] is None:
                failures[row] = left_out_note(why[row], samples, int(counted[row]), warnings, row)
        for name, summary in summaries.items():
            percentiles = found[name]
            summaries[name] = Summary(summary.value, summary.low, summary.high, percentiles)
    return summaries, failures, warnings


def left_out_note(
    reason: tuple[str, str], samples: int, counted: int, warnings: dict[int, list[str]], row: int
) -> TcoctlError | None:
    """Monte Carlo draws without an answer: a warning with their count and an example where
    others have one (the percentiles are over those), else the row's error."""
    head, example = reason
    example = f", e.g. {example}" if example else ""
    if not counted:
        return DomainError(f"{head} at every one of the {samples:,} Monte Carlo samples{example}")
    warnings.setdefault(row, []).append(
        f"{head} at {samples - counted:,} of {samples:,} Monte Carlo samples{example}; "
        f"p05, p50 and p95 are over the other {counted:,}"
    )
    return None


def summaries_of(out: Mapping[str, Array], ranged: bool) -> dict[str, Summary]:
    """Each result over (rows, points) as its centre (the first point) and, with ranges, its
    least and greatest value per row, small results stacked for one reduction; a result the
    same at every point (a broadcast view) is its own range ends."""
    centres = {name: full[:, 0] for name, full in out.items()}  # views: constants stay
    if not ranged:
        return {name: Summary(centre) for name, centre in centres.items()}
    ends: dict[str, tuple[Array, Array]] = {}
    varying = [name for name, full in out.items() if full.strides[1] != 0]
    for run in rel.stacked([out[name].size for name in varying]):
        names = varying[run]
        both = np.concatenate([out[name] for name in names]) if len(names) > 1 else out[names[0]]
        shape = (len(names), out[names[0]].shape[0])
        low, high = both.min(axis=1).reshape(shape), both.max(axis=1).reshape(shape)
        ends.update((name, (low[index], high[index])) for index, name in enumerate(names))
    return {
        name: Summary(centre, *ends.get(name, (centre, centre))) for name, centre in centres.items()
    }


def finite_rows(summaries: Mapping[str, Summary]) -> dict[str, NDArray[np.bool_]]:
    """Per result, the rows where it (value, range ends, percentiles) is finite throughout:
    small results stacked for one isfinite per part over them all."""
    names = list(summaries)
    found: dict[str, NDArray[np.bool_]] = {}
    for run in rel.stacked([summaries[name].value.size for name in names]):
        group = [summaries[name] for name in names[run]]
        keys = dict.fromkeys(key for s in group for key in s.percentiles or {})
        parts = [
            [s.value for s in group],
            [s.value if s.low is None else s.low for s in group],
            [s.value if s.high is None else s.high for s in group],
            *([(s.percentiles or {}).get(key, s.value) for s in group] for key in keys),
        ]
        ok = np.isfinite(np.concatenate(parts[0]))
        for part in parts[1:]:
            ok &= np.isfinite(np.concatenate(part))
        found.update(zip(names[run], ok.reshape(len(group), group[0].value.size), strict=True))
    return found


def _concatenate(summaries: Sequence[Summary]) -> Summary:
    """Summaries of consecutive blocks of rows, joined."""
    first = summaries[0]
    ranged = first.low is not None
    percentiles = None
    if first.percentiles is not None:
        percentiles = {
            key: np.concatenate([s.percentiles[key] for s in summaries])  # type: ignore[index]
            for key in first.percentiles
        }
    return Summary(
        np.concatenate([s.value for s in summaries]),
        np.concatenate([s.low for s in summaries]) if ranged else None,
        np.concatenate([s.high for s in summaries]) if ranged else None,
        percentiles,
    )


def tornado(
    calc: Calculator,
    rows: Sequence[Mapping[str, Given]],
    target: str,
    solve: Solve | None = None,
) -> list[tuple[float, list[tuple[str, float, float]]]]:
    """How far each ranged input alone moves result ``target`` (its name), per scenario:
    the centre value and, per input ranged in that scenario, the result at its low and high
    end with every other input at its midpoint (NaN where it has no answer: a goal out of
    reach there); widest first, an end without an answer widest of all. One core call on
    2k + 1 design points for each group of scenarios that give the same inputs."""
    found: list[tuple[float, list[tuple[str, float, float]]]] = [(0.0, [])] * len(rows)
    for members in groups(rows):
        numbers, gpus, choices = stacked_columns([rows[i] for i in members])
        ranged = ranged_keys(numbers)
        if not ranged:
            raise no_range_to_rank(calc)
        k = len(ranged)
        design = np.full((2 * k + 1, k), 0.5)
        for j in range(k):
            design[1 + 2 * j, j], design[2 + 2 * j, j] = 0.0, 1.0
        out, left_out, failed, _ = core_call(calc, numbers, gpus, choices, design, solve)
        error = next((reason for reason in failed if reason is not None), None)
        if error is not None:
            raise error
        unanswered = (  # the ends where the goal is out of reach
            np.zeros((len(members), len(design)), dtype=bool)
            if left_out is None
            else left_out.points
        )
        computed = {r.name: r.core for r in results_of(calc, solve) if r.core in out}
        if target not in computed:
            known = ", ".join(computed)
            raise UsageError(
                f"--target: {target!r} is not computed here; one of {known}, "
                f"e.g. --target {next(iter(computed))}"
            )
        for position, index in enumerate(members):
            values = np.where(unanswered[position], np.nan, out[computed[target]][position])
            bars = [
                (
                    calc.number_inputs[quantity].name,
                    float(values[1 + 2 * j]),
                    float(values[2 + 2 * j]),
                )
                for j, quantity in enumerate(ranged)
                if numbers[quantity].low[position] != numbers[quantity].high[position]
            ]
            bars.sort(key=lambda bar: -np.nan_to_num(abs(bar[2] - bar[1]), nan=np.inf))
            found[index] = (float(values[0]), bars)
    return found


def run_group(
    calc: Calculator,
    numbers: Mapping[str, Bounds],
    gpus: NDArray[np.str_] | None,
    choices: Mapping[str, str],
    options: RunOptions = NO_OPTIONS,
) -> tuple[
    dict[str, Summary], dict[int, TcoctlError], dict[int, list[str]], dict[str, NDArray[np.bool_]]
]:
    """Evaluate rows that give the same inputs and choices, as columns: summaries over the
    rows, the rows that failed with the reason (contradicting inputs, a value out of range,
    no solution, or no finite result at all), each row's warnings, and per result the rows
    where it is finite (``finite_rows``)."""
    rows = row_count(numbers, gpus)
    try:
        out, reasons, warnings = evaluate(calc, numbers, gpus, choices, options)
    except UsageError as error:
        return {}, dict.fromkeys(range(rows), error), {}, {}
    finite = finite_rows(out)
    any_finite = np.any(list(finite.values()), axis=0) if finite else np.zeros(rows, dtype=bool)
    failed: dict[int, TcoctlError] = {}
    for position, reason in enumerate(reasons):
        if reason is not None:
            failed[position] = reason
        elif not any_finite[position]:
            failed[position] = DomainError(
                "no result is finite for these inputs (an overflow, or a zero divisor)"
            )
    return out, failed, warnings, finite


def groups(rows: Sequence[Mapping[str, Given]]) -> list[list[int]]:
    """Indices of the rows that give the same inputs and choices: each group is one core
    call (its numbers are columns)."""
    found: dict[tuple[Any, ...], list[int]] = {}
    for index, given in enumerate(rows):
        chosen = tuple(g.text for g in given.values() if g.spec.kind == "choice")
        found.setdefault((tuple(given), chosen), []).append(index)
    return list(found.values())


def stacked_columns(
    rows: Sequence[Mapping[str, Given]], repeat: int = 1
) -> tuple[dict[str, Bounds], NDArray[np.str_] | None, dict[str, str]]:
    """Scenarios that give the same inputs and choices as the core's columns, each row
    repeated ``repeat`` times: Bounds per number by core quantity, the GPU per row, and the
    choices."""
    first = rows[0]

    def column(values: list[float]) -> Array:
        if len(values) == 1 and repeat > 1:  # one scenario: a broadcast view, not a copy
            return np.broadcast_to(np.float64(values[0]), (repeat,))
        return np.repeat(values, repeat) if repeat > 1 else np.array(values)

    numbers = {}
    for name, g in first.items():
        if g.span is not None:
            spans = [row[name].span for row in rows]
            centre = centres(spans)
            low = column([span.low for span in spans])  # type: ignore[union-attr]
            ranged = any(span.is_range for span in spans)  # type: ignore[union-attr]
            numbers[g.spec.core] = Bounds(
                low,
                column([span.high for span in spans]) if ranged else low,  # type: ignore[union-attr]
                None if centre is None else column(list(centre)),
            )
    gpus = column_of_texts([row["gpu"].text for row in rows], repeat) if "gpu" in first else None
    choices = {g.spec.key: g.text for g in first.values() if g.spec.kind == "choice"}
    return numbers, gpus, choices


def column_of_texts(texts: list[str], repeat: int) -> NDArray[np.str_]:
    """Texts each repeated ``repeat`` times: one text is a broadcast view, not a copy."""
    if len(texts) == 1:
        return np.broadcast_to(np.array(texts), (repeat,))
    return np.repeat(texts, repeat)


@dataclass(frozen=True)
class Table:
    """Scenarios as a table: each row is a template (``bases``: checked inputs, from a
    preset, options and defaults) whose number inputs named in ``columns`` take that row's
    entry of the columns (Bounds in core units, by core quantity). Row ``r`` is
    template ``base_of[r]`` with entry ``column_of[r]``; templates that give the same inputs
    and choices go through one core call together."""

    bases: Sequence[Mapping[str, Given]]
    base_of: NDArray[np.intp]
    columns: Mapping[str, Bounds] = field(default_factory=dict)
    column_of: NDArray[np.intp] | None = None

    @classmethod
    def of(cls, rows: Sequence[Mapping[str, Given]]) -> Table:
        """One row per scenario, no columns."""
        return cls(rows, np.arange(len(rows)))

    @property
    def rows(self) -> int:
        return len(self.base_of)


def run_rows(
    calc: Calculator,
    rows: Sequence[Mapping[str, Given]],
    samples: int = 0,
    dist: str = "uniform",
    seed: int | None = None,
    solve: Solve | None = None,
) -> tuple[dict[str, Summary], dict[int, TcoctlError], dict[int, list[str]]]:
    """``run_table`` on one row per scenario."""
    return run_table(calc, Table.of(rows), samples, dist, seed, solve)


def run_table(
    calc: Calculator,
    table: Table,
    samples: int = 0,
    dist: str = "uniform",
    seed: int | None = None,
    solve: Solve | None = None,
) -> tuple[dict[str, Summary], dict[int, TcoctlError], dict[int, list[str]]]:
    """Evaluate many scenarios: rows whose templates share their choices and the set of
    inputs they give go through one core call together.

    Returns summaries over all rows by core quantity (NaN where a row has no finite value
    of a result: not determined by its inputs, or a figure its hardware preset lacks) and
    the rows that failed, with the reason (contradicting inputs, a value out of range, no
    solution, or no result at all), and the warnings of each row that has any.
    """
    merged: dict[str, Summary] = {}
    failed: dict[int, TcoctlError] = {}
    warned: dict[int, list[str]] = {}
    no_range: Array | None = None
    for members, where in _calls(table, samples):
        bases = [table.bases[i] for i in members]
        position = np.full(len(table.bases), -1, dtype=np.intp)
        position[members] = np.arange(len(members))
        numbers, gpus, choices = stacked_columns(bases)
        of_row = position[table.base_of[where]]
        numbers = {
            key: bounds.take(of_row) if len(bases) > 1 else bounds.first(len(where))
            for key, bounds in numbers.items()
        }
        entries = where if table.column_of is None else table.column_of[where]
        for quantity, bounds in table.columns.items():
            if calc.number_inputs[quantity].name in bases[0]:
                numbers[quantity] = bounds.take(entries)
        if gpus is not None:
            gpus = gpus[of_row]
        out, failures, warnings, finite = run_group(
            calc, numbers, gpus, choices, RunOptions(samples, dist, seed, solve)
        )
        for at, error in failures.items():
            failed[int(where[at])] = error
        for at, found in warnings.items():
            warned[int(where[at])] = found
        whole = len(where) == table.rows  # one group holds every row, in order
        for name, summary in out.items():
            ok = finite[name]
            if whole and ok.all():  # nothing to mask: the group's summary as it is
                if summary.low is None or summary.high is None:
                    no_range = no_range if no_range is not None else _no_range(table.rows)
                    summary = Summary(summary.value, no_range, no_range, summary.percentiles)
                merged[name] = summary
                continue
            target = merged.setdefault(name, _empty_summary(table.rows, samples > 0))
            rows = where[ok]
            target.value[rows] = summary.value[ok]
            if summary.low is not None and summary.high is not None:
                target.low[rows] = summary.low[ok]  # type: ignore[index]
                target.high[rows] = summary.high[ok]  # type: ignore[index]
            for label, values in (summary.percentiles or {}).items():
                target.percentiles[label][rows] = values[ok]  # type: ignore[index]
    return merged, failed, warned


def _precisions_of(
    values: Mapping[str, Any], row: int, rows: int, gpu: str
) -> list[tuple[str, str]]:
    """The --precision choices a row's --gpu has a peak for, each with the format of a peak
    of another format ('' where none): h20 [('bf16', ''), ('fp8', '')], v100
    [('bf16', 'FP16')]."""
    formats = figure_formats(gpu)
    return [
        (name, formats[name][0] if name in formats else "")
        for name in PRECISION.choices
        if f"gpu_{name}" in values
        and np.isfinite(np.broadcast_to(np.asarray(values[f"gpu_{name}"]).ravel(), (rows,))[row])
    ]


ROWS_PER_CALL = 100_000
"""Rows one core call evaluates at most without samples (each row's range grid makes a row
cost about 10 kB while it is evaluated: 100,000 rows about 1 GB, a million rows ten calls
instead of 10 GB at once). With samples a group stays one call, so that its draws do not
depend on how it is split."""


def _calls(table: Table, samples: int) -> Iterator[tuple[list[int], NDArray[np.intp]]]:
    """The core calls of a table: per group of templates that give the same inputs, its
    members and its rows, in pieces of at most ROWS_PER_CALL rows without samples."""
    for members in groups(table.bases):
        inside = np.zeros(len(table.bases), dtype=bool)
        inside[members] = True
        rows = np.flatnonzero(inside[table.base_of])
        step = len(rows) if samples else ROWS_PER_CALL
        for start in range(0, len(rows), max(step, 1)):
            yield members, rows[start : start + step]


def _no_range(rows: int) -> Array:
    """NaN low/high over ``rows`` (not a range), read-only: every result without a range
    shares it."""
    nan = np.full(rows, np.nan)
    nan.flags.writeable = False
    return nan


def _empty_summary(rows: int, sampled: bool) -> Summary:
    """A Summary of NaN over ``rows``: NaN low/high (or percentiles) mean "not a range"."""

    def nan() -> Array:
        return np.full(rows, np.nan)

    percentiles = {key: nan() for key in SAMPLE_KEYS} if sampled else None
    return Summary(nan(), nan(), nan(), percentiles)
