"""Goal-seek: the input that makes a result equal a target, in closed form where the
relations invert, else by bracketed root finding."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tcoctl.core import relations as rel
from tcoctl.engine.inputs import Array, checked_span, describe_range
from tcoctl.engine.messages import OutOfReach, nothing_computed, shown
from tcoctl.engine.model import Solve, bounds_for, display_unit, model_for
from tcoctl.errors import UsageError, as_flag
from tcoctl.specs import Calculator, Input, label_of
from tcoctl.units import convert


def goal_seek(
    calc: Calculator,
    values: dict[str, Any],
    choices: Mapping[str, str],
    solve: Solve,
    shape: tuple[int, int],
    notes: dict[int, list[str]],
) -> tuple[rel.Plan, list[OutOfReach]]:
    """Make ``values`` hold the unknown that gives the target, and return the plan that
    evaluates the rest and where the goal is out of reach: a closed form where the relations
    invert, else bracketed root finding over the unknown's valid range (elements with no
    root are NaN, and the problems returned say why, so that a run over input ranges may
    answer at its centre when only range ends fail). A whole count (GPUs, layers) is rounded
    up to the next whole number (down, for a limit only the count below meets), and
    ``notes`` says so per row: the target is then what that count gives."""
    model = model_for(calc)
    chosen = tuple(sorted(choices.items()))
    unknown, target = solve.unknown.core, solve.target.core
    values.pop(unknown, None)
    values[target] = solve.value
    plan = model.plan(values, chosen, exclude=[unknown])
    forward = model.plan([*(name for name in values if name != target), unknown], chosen)
    spec = solve.unknown
    start = checked_span(spec, spec.example, "example").low
    high = math.inf if spec.maximum is None else spec.maximum
    top = min(high, (start or 1.0) * 10.0**rel.SCAN_DECADES)
    least, inclusive = lowest(spec)
    reaching = rel.only_for(forward, target)
    floor = values.get(calc.input(spec.at_least).core) if spec.at_least else None

    def at(x: Array) -> Array:  # the target; below its floor the unknown stands at the floor
        floored = x if floor is None else np.maximum(x, floor)
        known, _ = rel.evaluate(reaching, {**values, unknown: floored}, choices, model.defaults)
        return np.broadcast_to(np.asarray(known[target], dtype=float), shape)

    def miss(x: Array) -> Array:
        return at(x) - solve.value

    closed = unknown in plan.known and target in plan.depends[unknown]
    if closed and rel.fills_alike(plan, forward):
        with np.errstate(all="ignore"):
            known, _ = rel.evaluate(rel.only_for(plan, unknown), values, choices, model.defaults)
        needed = np.broadcast_to(np.asarray(known[unknown], dtype=float), shape)
        given = {name: value for name, value in values.items() if name != target}
        span = (least, top)
        unreached, at_end = beyond_bounds(calc, given, choices, solve, needed, span, notes)
        answered = ~np.isnan(at_end)
        if not spec.whole and not solve.side and not answered.any():
            return plan, unreached
        del values[target]
        values[unknown] = np.where(answered, at_end, needed)
        if not spec.whole:  # the forward plan fills as the closed form does (fills_alike)
            if solve.side:  # a limit holds over a stretch: its fewest figures, as reached
                with np.errstate(all="ignore"):
                    values[unknown] = limit_figures(calc, solve, miss, values[unknown], high)
            return forward, unreached
        plan, capped = rounded_whole(calc, values, choices, solve, notes)
        return plan, [*unreached, *capped]
    del values[target]
    if target not in forward.known:
        missing = nothing_computed(calc, frozenset([*values, unknown]), chosen, solve.target)
        raise UsageError(f"--for: {missing}")
    if unknown not in forward.depends.get(target, ()):
        other = other_input(calc, forward, solve)
        instead = (
            f"; solve for one it does, e.g. --solve {other}"
            if other
            else ", nor on any other number input; seek a goal that does, e.g. --solve {} "
            "--for '{}'".format(*calc.solve_example.split("|"))
        )
        raise UsageError(
            f"--solve {spec.name}: {solve.target.name} does not depend on {spec.name} with "
            f"these inputs{instead}"
        )

    def search(f: Callable[[Array], Array]) -> tuple[Array, Array, Array]:
        return rel.find_root(f, shape, start or 1.0, spec.minimum, high, not spec.positive)

    with np.errstate(all="ignore"):
        root, first, last = search(miss)
        root = plateau_edge(miss, root, search, (spec.minimum, high))
        if floor is not None:
            root = np.maximum(root, floor)
        points = rel.scan_points(start or 1.0, least, high, inclusive)
        kinds = (  # where a root is missing the scan met every point: they evaluate
            end_kinds(
                lambda x: at(np.full(shape, x)),
                [(points[0], points[1]), (points[-1], points[-2])],
                # with a floor the lowest point scanned stands at it: a value the target takes
                (least, high) if floor is None else (points[0], high),
            )
            if np.isnan(root).any()
            else np.full((*shape, 2), ATTAINED)
        )
        spans = np.stack([first, last], axis=-1) + solve.value
        if np.isnan(root).any():  # the target itself at the scan's ends where finite: the
            # misses + the goal lose a span far below it (6.8e6 dies - 1e300 + 1e300: 0)
            ends = np.stack([at(np.full(shape, x)) for x in (points[0], points[-1])], axis=-1)
            spans = np.where(np.isfinite(ends), ends, spans)
            spans = np.where(kinds == TOWARD_ZERO, 0.0, spans)
    caps = capping(calc, forward, {**values, unknown: np.full(shape, top)}, choices)
    valid = f"at least {as_flag(spec.at_least)}" if floor is not None else valid_range(spec)
    at_end = met_at_an_end(
        calc, solve, np.isnan(root), (spans, kinds), (points[0], points[-1]), valid, notes
    )
    root = np.where(np.isnan(at_end), root, at_end)
    unreached = out_of_reach(
        calc,
        solve,
        np.isnan(root),
        (spans, kinds),
        caps,
        other_input(calc, forward, solve),
        valid=valid,
    )
    with np.errstate(all="ignore"):
        values[unknown], stepped = reached(calc, miss, root, solve, high, notes, ~np.isnan(at_end))
    if solve.unknown.whole:
        plan, capped = rounded_whole(calc, values, choices, solve, notes)
        for problem in stepped:  # a row with no answer at its centre: no note of a rounding
            centres = np.broadcast_to(np.asarray(problem.points), shape)[:, 0]
            for row in np.flatnonzero(centres):
                notes.pop(int(row), None)
        return plan, [*unreached, *stepped, *capped]
    return forward, [*unreached, *stepped]


def beyond_bounds(
    calc: Calculator,
    values: dict[str, Any],
    choices: Mapping[str, str],
    solve: Solve,
    needed: Array,
    ends: tuple[float, float],
    notes: dict[int, list[str]],
) -> tuple[list[OutOfReach], Array]:
    """Where a closed form puts the unknown outside its valid range (``needed``, rows x
    points), the goal is out of reach: the problem names the value it would need and what
    the target runs from and to over the range's ``ends`` (the lowest valid value and the
    top of a root finder's scan), as root finding does; a limit met everywhere there is
    answered at an end instead (met_at_an_end: those answers, NaN elsewhere)."""
    spec = solve.unknown
    high = math.inf if spec.maximum is None else spec.maximum
    # a value the closed form needs only in the limit (servers_share 0 at electricity
    # infinite) is none the unknown takes
    outside = rel.outside(needed, spec.minimum, high, spec.positive) | np.isinf(needed)
    if not outside.any():
        return [], np.full(needed.shape, np.nan)
    model = model_for(calc)
    forward = model.plan([*values, spec.core], tuple(sorted(choices.items())))

    def at(x: float) -> Array:  # the target with the unknown at x
        known, _ = rel.evaluate(
            forward, {**values, spec.core: np.full(needed.shape, x)}, choices, model.defaults
        )
        return np.broadcast_to(np.asarray(known[solve.target.core], dtype=float), needed.shape)

    with np.errstate(all="ignore"):
        kinds = end_kinds(at, [(ends[0], ends[0]), (ends[1], ends[1] / 10**0.5)], (ends[0], high))
        spans = np.where(kinds == TOWARD_ZERO, 0.0, np.stack([at(x) for x in ends], axis=-1))
    caps = capping(calc, forward, {**values, spec.core: np.full(needed.shape, ends[1])}, choices)
    valid = valid_range(spec)
    at_end = met_at_an_end(calc, solve, outside, (spans, kinds), ends, valid, notes)
    other = other_input(calc, forward, solve)
    missed = outside & np.isnan(at_end)
    unreached = out_of_reach(calc, solve, missed, (spans, kinds), caps, other, needed, valid)
    return unreached, at_end


def lowest(spec: Input) -> tuple[float, bool]:
    """The least value an input may take, and whether it may take that value itself: for a
    whole count the least whole number (GPUs above 0: 1), else its minimum, taken unless
    the input must be above it."""
    if spec.whole:
        return float(
            math.floor(spec.minimum) + 1 if spec.positive else math.ceil(spec.minimum)
        ), True
    return spec.minimum, not spec.positive


def valid_range(spec: Input) -> str:
    """An input's valid range in words: 'at least 1' for a whole count (lowest), else as
    describe_range gives it ('above 0')."""
    least, _ = lowest(spec)
    return f"at least {least:g}" if spec.whole else describe_range(spec)


def met_at_an_end(
    calc: Calculator,
    solve: Solve,
    points: NDArray[np.bool_],
    ends: tuple[Array, Array],
    unknown_ends: tuple[float, float],
    valid: str,
    notes: dict[int, list[str]],
) -> Array:
    """Where no value of the unknown gives a limit's value (``points``) yet every value meets
    the limit (gpu_share<=0.803589, above the most it takes, 0.80358873), the end of the
    unknown's range where the target is nearest the limit, when that end is a value the
    unknown may take (electricity 0; not the scan's limit, nor the 0 of an input above 0);
    NaN elsewhere. ``ends`` are the target's spans and kinds there (as out_of_reach takes
    them), ``unknown_ends`` the unknown's values at those ends, ``valid`` words its range;
    a note on each row whose centre is answered so says."""
    spans, kinds = ends
    answer = np.full(points.shape, np.nan)
    if not solve.side:
        return answer
    spec = solve.unknown
    toward = np.argmax(-solve.side * spans, axis=-1)[..., None]  # the end nearest the limit
    nearest = np.take_along_axis(spans, toward, -1)[..., 0]
    least, inclusive = lowest(spec)
    xs = np.asarray(unknown_ends, dtype=float)
    takes = ((xs == spec.maximum) | ((xs == least) & inclusive)) & (kinds == ATTAINED)
    near_taken = np.take_along_axis(takes, toward, -1)[..., 0]
    far_taken = np.take_along_axis(takes, 1 - toward, -1)[..., 0]
    # every value meets the limit where even the end nearest it does (or tends to it); the
    # answer is that end where the unknown takes it, else the other end (servers_share>=0:
    # 0 only as electricity grows without bound, so electricity 0)
    met = points & (near_taken | far_taken) & (solve.side * (nearest - solve.value) >= 0)
    end = np.where(near_taken, toward[..., 0], 1 - toward[..., 0])
    x = xs[end]
    answer = np.where(met, x, np.nan)
    most = "greatest" if solve.side < 0 else "least"
    target = solve.target
    for row in np.flatnonzero(met[:, 0]):
        there = apart(calc, target.core, float(nearest[row, 0]), solve.value)
        taken = near_taken[row, 0]
        notes.setdefault(int(row), []).append(
            met_everywhere(
                calc,
                solve,
                valid,
                f"the {most} {target.name} it {'takes' if taken else 'tends to'} being {there}",
                float(x[row, 0]),
                f"where {target.name} is {most}"
                if taken
                else f"the end {spec.name} may take (the {most} {target.name} is only tended to)",
            )
        )
    return answer


def met_everywhere(
    calc: Calculator, solve: Solve, valid: str, how: str, answer: float, where: str
) -> str:
    """The note of a limit every value of the unknown (``valid`` words its range) meets,
    ``how`` it meets it, answered at ``answer``, ``where`` that is: 'every value of gpus (at
    least 1) meets power_share >= 0, which it stays at: answered at gpus = 1, the end gpus
    may take'."""
    spec = solve.unknown
    return (
        f"every value of {spec.name} ({valid.removeprefix('a value ')}) meets "
        f"{asked(calc, solve)}, {how}: answered at {spec.name} = "
        f"{shown(calc, spec.core, answer)}, {where}"
    )


def apart(calc: Calculator, quantity: str, value: float, goal: float) -> str:
    """``value`` as shown, with as many more figures as it takes to tell it from ``goal``
    (gpu_share at most 0.80358873 beside a goal of 0.803589, not 0.803589 twice)."""
    figures = next(
        (
            n
            for n in range(6, 17)
            if shown(calc, quantity, value, n) != shown(calc, quantity, goal, n)
        ),
        6,
    )
    return shown(calc, quantity, value, figures)


ATTAINED, LIMIT, UNBOUNDED, TOWARD_ZERO = 0, 1, 2, 3
"""What an end of the unknown's scanned range gives the target: the value it takes at an end
of the input's range; or, at the scan's limit (x 10^-40 or x 10^40, no value an input
reasonably takes), the value it settles at there (it never passes it), none (it still
moves there, away from 0: it grows or falls without bound), or 0, which it still moves
toward there, shrinking (h100e_per_year as wafers-per-month, above 0, falls toward 0)."""
SETTLED = 1e-6
"""A target that moves by less than this (relative) over the scan's last half decade has
settled there."""


def end_kinds(
    at: Callable[[float], Array],
    ends: Sequence[tuple[float, float]],
    bounds: tuple[float, float],
) -> Array:
    """ATTAINED, LIMIT, UNBOUNDED or TOWARD_ZERO for the target at each end of a scan (rows x
    points x 2, as the spans it goes with): ``ends`` are the lowest and highest values of
    the unknown scanned, each with its neighbour half a decade inward; ``at`` gives the
    target at a value of the unknown. An end among the input's ``bounds``, or where the
    target is not finite (the span then comes from a point inside), is ATTAINED; one where
    the target still moves, shrinking toward 0 (same sign, less in size), is TOWARD_ZERO."""
    kinds = []
    for end, inward in ends:
        there = at(end)
        if end in bounds:
            kinds.append(np.full(there.shape, ATTAINED))
            continue
        before = at(inward)
        moved = np.abs(there - before) > SETTLED * np.abs(there)
        shrinks = moved & (np.abs(there) < np.abs(before)) & (there * before > 0)
        kinds.append(
            np.select(
                [~np.isfinite(there), shrinks, moved], [ATTAINED, TOWARD_ZERO, UNBOUNDED], LIMIT
            )
        )
    return np.stack(kinds, axis=-1)


def extent(
    low: str, high: str, kinds: tuple[int, int], toward: tuple[str | None, str | None]
) -> str:
    """How the target runs over the unknown's range, from its least value ``low`` to its
    greatest ``high`` (as shown), each of the ``kinds`` ATTAINED, LIMIT, UNBOUNDED or
    TOWARD_ZERO (its span then 0: 'falls toward 0'):
    'runs from 1.70292 USD/h to 9 USD/h', 'runs from 1.70292 USD/h and grows without
    bound', 'falls without bound and never exceeds 69.7323 GB', 'stays between 0 and
    986456'; a target with a least or greatest value of its own (``toward``: a share's 0
    and 1) falls or rises toward it rather than without bound ('falls toward 0 and is at
    most 0.803589')."""
    if kinds == (ATTAINED, ATTAINED):
        return f"runs from {low} to {high}"
    if kinds == (LIMIT, LIMIT):
        return f"stays between {low} and {high}"
    floor, ceiling = toward
    least = {
        ATTAINED: f"runs from {low}",
        LIMIT: f"never falls below {low}",
        TOWARD_ZERO: f"falls toward {low}",
    }
    most = {
        ATTAINED: f"is at most {high}",
        LIMIT: f"never exceeds {high}",
        TOWARD_ZERO: f"rises toward {high}",
    }
    falls = f"falls toward {floor}" if floor else "falls without bound"
    rises = f"rises toward {ceiling}" if ceiling else "grows without bound"
    return f"{least.get(kinds[0], falls)} and {most.get(kinds[1], rises)}"


def other_input(calc: Calculator, plan: rel.Plan, solve: Solve) -> str:
    """A number input other than the solved one that the target depends on, to solve for
    instead ('' if none; not a choice such as --gpu, which --solve refuses): the
    calculator's example unknown where it is one (tco's electricity, which moves
    power_share, where the first, gpus, does not), else the first in its options."""
    depends = set(plan.depends.get(solve.target.core, ()))
    return preferred_unknown(
        calc,
        [
            spec.name
            for spec in calc.inputs
            if spec.kind == "number"
            and spec.name != solve.unknown.name
            and set(spec.sets) & depends
        ],
    )


def preferred_unknown(calc: Calculator, names: Sequence[str]) -> str:
    """The input of ``names`` to suggest solving for: the calculator's example unknown where
    it is one, else the first ('' if none)."""
    first = calc.solve_example.split("|")[0]
    return first if first in names else next(iter(names), "")


def out_of_reach(
    calc: Calculator,
    solve: Solve,
    points: NDArray[np.bool_],
    ends: tuple[Array, Array],
    caps: Callable[[int, int], str],
    other: str,
    needed: Array | None = None,
    valid: str = "",
) -> list[OutOfReach]:
    """Where no value of the unknown over its valid range gives the goal (``points``), with
    the values the target takes at the ends of that range there and what each is (``ends``:
    spans and their kinds, rows x points x 2, from ``end_kinds``), what caps it (``caps``,
    supply's binding constraint at the top of the range), and the value a closed form says
    it would need (``needed``); ``valid`` words the range (default: the unknown's own, 'at
    least 1'). The goal suggested instead is inside that span, or for a whole count (GPUs
    per replica, which steps 2, 4, 8) the nearer end's value, which the result takes."""
    spec, target = solve.unknown, solve.target
    valid = (valid or describe_range(spec)).removeprefix("a value ")
    whole = any(given.whole and given.core == target.core for given in calc.inputs)  # a count

    spans, kinds = ends
    least, most, _ = bounds_for(calc).get(target.core, (-math.inf, math.inf, False))
    floor, ceiling = (
        shown(calc, target.core, end) if math.isfinite(end) else None for end in (least, most)
    )

    def says(row: int, point: int) -> tuple[str, str]:
        (low, low_kind), (high, high_kind) = sorted(
            zip(spans[row, point].tolist(), kinds[row, point].tolist(), strict=True)
        )
        if math.isclose(low, high, rel_tol=1e-9):
            instead = f"solve for another input, e.g. --solve {other}" if other else ""
            return (
                f"{target.name} does not change with {spec.name} here: it stays at "
                f"{shown(calc, target.core, low)}",
                instead,
            )
        nearer = low if solve.value < low else high  # a value taken, at an end of the range
        met = solve.side * (nearer - solve.value) > 0  # by every value, none allowed nearest
        reason = (
            (
                f"every value of {spec.name} ({valid}) meets {asked(calc, solve)}, and none "
                "it may take is nearest the limit"
                if met
                else f"no value of {spec.name} ({valid}) gives {asked(calc, solve)}"
            )
            + ": over that range it "
            + extent(
                apart(calc, target.core, low, solve.value),
                apart(calc, target.core, high, solve.value),
                (int(low_kind), int(high_kind)),
                (floor, ceiling),
            )
        )
        if needed is not None:
            value = shown(calc, spec.core, float(needed[row, point]))
            reason += f" ({spec.name} would have to be {value})"
        if not math.isfinite(low + high):
            return reason, ""
        if high < solve.value and not met:
            reason += caps(row, point)
        example = (  # a count in full: 6788716, not 6.78872e+06 (above the most it takes)
            f"{nearer:.0f}" if whole else shown(calc, target.core, inside(low, high, solve.value))
        )
        wanted = "a limit it crosses" if met else "a value in that span"
        return reason, f"ask for {wanted}, e.g. --for '{target.name}{operator}{example}'"

    operator = OPERATORS[side_shown(solve)]
    message = f"{asked(calc, solve)} is out of reach"
    rows = np.asarray(points.any(axis=1), dtype=bool)
    return [OutOfReach(message, rows, fatal=True, points=points, says=says)] if rows.any() else []


def inside(low: float, high: float, goal: float) -> float:
    """A goal to ask for instead of ``goal``, which lies outside [low, high]: a tenth in
    from the nearer end, to two significant figures where that stays inside."""
    end, inward = (low, 1.0) if goal < low else (high, -1.0)
    value = end + inward * min(0.1 * (abs(end) or high - low), (high - low) / 2)
    rounded = float(f"{value:.2g}")
    return rounded if low < rounded < high else value


def plateau_edge(
    miss: Callable[[Array], Array],
    root: Array,
    search: Callable[[Callable[[Array], Array]], tuple[Array, Array, Array]],
    bounds: tuple[float, float],
) -> Array:
    """Where the result equals the goal over a stretch around a root (a whole count, such
    as GPUs per replica over the batch), a value just inside the stretch's edge the scan
    meets first, not whichever point of it the scan landed on: for gpus_per_replica = 2,
    batch 4.179 (every smaller batch gives 2 too; the edge is 4.17968), not 3.2e-39; for 4,
    the same step, from above (4.18), not 10.1193. A root at an end of the input's range
    (``bounds``, reached only where that end is allowed) is the answer as it is."""
    x = np.where(np.isfinite(root), root, 1.0)
    inner = (x != bounds[0]) & (x != bounds[1])
    flat = np.isfinite(root) & inner & (miss(x * (1 - 1e-9)) == 0) & (miss(x * (1 + 1e-9)) == 0)
    if not flat.any():
        return root
    edge, _, _ = search(lambda y: np.where(miss(y) == 0, -1.0, 1.0))
    flat &= np.isfinite(edge)
    return np.where(flat, fewest_digits_inside(miss, np.where(flat, edge, 1.0), bounds), root)


def fewest_digits_inside(
    miss: Callable[[Array], Array], edge: Array, bounds: tuple[float, float]
) -> Array:
    """A value inside the stretch that begins at ``edge`` (where ``miss`` is 0) with the
    fewest significant figures, from the 4 a table shows up to 15, so that the answer
    gives the goal as printed, not only at the edge's last digit: batch 4.179, not
    4.17968 (4.18 printed, which gives 4 GPUs per replica, not 2). Where none does, the
    edge."""
    inward = np.where(miss(edge * (1 - 1e-9)) == 0, -1.0, 1.0)
    exponent = np.floor(np.log10(np.where(edge != 0, np.abs(edge), 1.0)))
    answer = edge.copy()
    pending = np.ones(edge.shape, dtype=bool)
    for digits in range(4, 16):
        places = digits - 1 - exponent  # decimal places of the last figure kept
        scale = 10.0 ** np.abs(places)  # exact up to 1e22: divide by it, not times 10^-k
        kept = np.where(
            places >= 0,
            np.where(inward < 0, np.floor(edge * scale), np.ceil(edge * scale)) / scale,
            np.where(inward < 0, np.floor(edge / scale), np.ceil(edge / scale)) * scale,
        )
        good = pending & (kept >= bounds[0]) & (kept <= bounds[1]) & (miss(kept) == 0)
        answer = np.where(good, kept, answer)
        pending &= ~good
        if not pending.any():
            break
    return answer


def shown_inside(
    calc: Calculator, spec: Input, outside: Callable[[Array], Array], edge: Array, high: float
) -> Array:
    """fewest_digits_inside in the unit a table shows ``spec`` in (USD/kWh), in core units:
    the value with the fewest figures inside the stretch that begins at ``edge`` (core units,
    where ``outside`` is 0), between the unknown's minimum and ``high``."""
    unit, display = display_unit(calc, spec.core)

    def in_core(y: Array) -> Array:  # from the unit a table shows (USD/kWh) to core's
        return np.asarray(convert(y, display, unit), dtype=float)

    shown_edge, ends = (
        np.asarray(convert(np.asarray(v), unit, display)) for v in (edge, [spec.minimum, high])
    )
    return in_core(
        fewest_digits_inside(lambda y: outside(in_core(y)), shown_edge, (ends[0], ends[1]))
    )


def limit_figures(
    calc: Calculator, solve: Solve, miss: Callable[[Array], Array], x: Array, high: float
) -> Array:
    """A closed form's answers to a limit (RESULT<=VALUE) at the fewest figures, from a
    table's 4, that still meet it as typed back, as ``reached`` gives a root found by search
    (total_annual_cost<=1.48e9 USD/yr: electricity 0.1367, not 0.136764 shown as 0.1368,
    which gives 1.48004e9); ``x`` where none does or there is no answer."""

    def outside(y: Array) -> Array:  # 0 where the limit is met
        return np.where(solve.side * miss(y) >= 0, 0.0, 1.0)

    found = np.isfinite(x) & (x >= solve.unknown.minimum) & (x <= high)
    tidy = shown_inside(calc, solve.unknown, outside, np.where(found, x, 1.0), high)
    return np.where(found & (outside(tidy) == 0), tidy, x)


STEP_TOLERANCE = 1e-6
"""A found root whose result misses the goal by more than this (relative) is where the result
jumps over the goal (a whole count, such as dies per wafer), not where it reaches it."""
FLAT_TOLERANCE = 1e-9
"""A result that moves by less than this (relative to the goal) over half a decade of the
unknown either side of a root only tends to the goal there (a share tending to 1)."""
COUNT_TOLERANCE = 1e-6
"""A whole count's rounding error is at most this much of a unit (and 1e-9 relative): a
count of 171467764.06 GPUs is rounded up to 171467765, not down as 1e-9 of it (0.17) would."""
SHORT_OF_LIMIT = 0.01
"""A goal the result only tends to is suggested this much (relative) short of it."""


def reached(
    calc: Calculator,
    miss: Callable[[Array], Array],
    root: Array,
    solve: Solve,
    high: float,
    notes: dict[int, list[str]],
    said: NDArray[np.bool_],
) -> tuple[Array, list[OutOfReach]]:
    """The roots, checked (``said``: elements met_at_an_end answered, with its note): where
    the result steps at a root, the side of the step that gives the goal (or meets a limit,
    Solve.side: a limit holds over a stretch, so the answer is the value inside it with the
    fewest figures, from a table's 4, that meets it as typed back: wafer-diameter 296.3 mm
    for dies_per_wafer>=601, not 296.204 shown as 296.2, which gives 600; and so for a goal
    one side of a step, dies_per_wafer=602); elements where neither side does are out of
    reach (the problem names the values either side, the nearest achievable), as are
    elements where the result only tends to the goal as a limit (bisection and float
    rounding would otherwise report success)."""
    found = np.isfinite(root)
    if not found.any():
        return root, []
    spec, target = solve.unknown, solve.target.core
    x = np.where(found, root, 1.0)
    # tolerances relative to the goal; for a goal of 0, to the result's size nearby (1e-6
    # of a byte of memory_headroom at a root is rounding, not a miss)
    nearby = np.maximum(np.abs(miss(x * 2)), np.abs(miss(x / 2)))
    scale = abs(solve.value) or np.where(np.isfinite(nearby) & (nearby > 0), nearby, 1.0)
    below = miss(np.maximum(x / 10**0.5, spec.minimum))
    # a root at 0 is looked at from the unknown's example (x times anything is 0 again, which
    # read electricity 0 for power_share<=0 as a share that stays at 0 for every electricity)
    example = checked_span(spec, spec.example, "example").low
    above = np.abs(miss(np.minimum(np.where(x == 0, example, x * 10**0.5), high)))
    flat = (np.abs(below) <= FLAT_TOLERANCE * scale) & (above <= FLAT_TOLERANCE * scale)
    constant = (below == 0) & (above == 0)  # the goal itself either side: it does not change
    allowed_ends = [high, *([spec.minimum] if not spec.positive else [])]
    for end in filter(math.isfinite, allowed_ends):  # a root beside an end that gives the
        # goal to float precision (gpu_share's greatest, at electricity 1e-16): the end
        there = np.abs(miss(np.full(x.shape, end))) <= FLAT_TOLERANCE * scale
        x = np.where(found & flat & there, end, x)
    least, inclusive = lowest(spec)
    tends = found & flat & (constant | (solve.side * np.sign(miss(x / 100)) > 0))
    # a limit at the result's own bound, on the side every value meets (power_share>=0,
    # >=-1 typed): met whatever the unknown, however the result moves
    lower, upper, _ = bounds_for(calc).get(target, (-math.inf, math.inf, False))
    at_bound = solve.value <= lower if solve.side > 0 else solve.value >= upper
    bounded = found & (solve.side != 0 and at_bound) & ~tends & ~said
    if solve.side and inclusive and (tends | bounded).any():  # every value meets a limit the
        # result only tends to (power_share<=1 as electricity grows), stays at (power_share 0
        # at electricity 0, whatever the GPUs) or never passes: answered at the end the
        # unknown may take, if it meets it there too, as met_at_an_end does
        everywhere = (tends | bounded) & (solve.side * miss(np.full(x.shape, least)) >= 0)
        x = np.where(everywhere, least, x)
        for row in np.flatnonzero(everywhere[:, 0]):
            how = f"which it {'stays at' if constant[row, 0] else 'only tends to'}"
            if solve.typed is not None or bounded[row, 0]:  # at or past the result's bound
                most = "most" if solve.side < 0 else "least"
                how = f"as {target} is at {most} {shown(calc, target, solve.value)}"
            where = f"the end {spec.name} may take"
            notes.setdefault(int(row), []).append(
                met_everywhere(calc, solve, valid_range(spec), how, least, where)
            )
    bound = (x == spec.minimum) | (x == high)  # an allowed end that gives the goal: answered
    limit = found & ~bound & flat & ~(x == least)
    side = np.sign(miss(np.maximum(x / 100, spec.minimum)))  # the side it tends from
    sides = [x * (1 - 1e-9), x, x * (1 + 1e-9)]

    def meets(m: Array) -> NDArray[np.bool_]:  # the goal reached, or a limit met
        slack = STEP_TOLERANCE * scale
        return np.abs(m) <= slack if not solve.side else solve.side * m >= -slack

    misses = [miss(side) for side in sides]
    hits = [meets(m) for m in misses]
    # a root where neither side 1e-9 away gives the goal: a continuous result whose goal is
    # 0 (the sides miss by 1e-9 of its slope, which 1e-6 away grows a thousandfold), or a
    # step over the goal that gives it at that one float only (dies_per_wafer 238 at a
    # diameter where the count steps from 234 to 240): no answer
    grows = np.abs(miss(x * (1 + 1e-6))) > 10 * np.abs(misses[2])
    chosen = np.select(  # at a step, a point just inside the side that gives the goal
        [hits[0] & hits[2], hits[0], hits[2], hits[1] & grows],
        [x, sides[0], sides[2], x],
        np.nan,
    )

    def outside(y: Array) -> Array:  # 0 where a limit is met strictly, or a stepped goal
        m = miss(y)  # reached (as miss at the goal)
        return np.where(solve.side * m >= 0 if solve.side else meets(m), 0.0, 1.0)

    stepped = ~(hits[0] & hits[2]) & ~np.isnan(chosen)  # a goal one side of a step gives
    if (solve.side or stepped.any()) and not spec.whole:  # a limit, or a stepped result's
        # goal, holds over a stretch: the fewest figures inside it, as shown (a whole count
        # is rounded to meet it: rounded_whole)
        answered = ~np.isnan(chosen)
        tidy = shown_inside(calc, spec, outside, np.where(answered, x, 1.0), high)
        stretch = answered & (stepped | bool(solve.side))
        chosen = np.where(stretch & (outside(tidy) == 0), tidy, chosen)
    wrong = found & (limit | np.isnan(chosen))
    name, goal, operator = solve.target.name, asked(calc, solve), OPERATORS[side_shown(solve)]

    def says(row: int, point: int) -> tuple[str, str]:
        where = f"{spec.name} = {shown(calc, spec.core, float(x[row, point]))}"
        if limit[row, point] and constant[row, point]:  # bound = memory at every batch
            return (
                f"{name} does not change with {spec.name} here: every value of {spec.name} "
                f"gives {goal}",
                f"give {as_flag(spec.name)} instead of solving for it, e.g. "
                f"{as_flag(spec.name)} {spec.example}",
            )
        if limit[row, point]:
            short = solve.value + float(side[row, point]) * SHORT_OF_LIMIT * abs(solve.value or 1.0)
            met = solve.side * side[row, point] > 0  # tends to a limit from the side it meets
            return (
                (
                    f"every value of {spec.name} meets {goal}, and none is nearest the "
                    "limit: it only tends to it"
                    if met
                    else f"no value of {spec.name} gives {goal}: it only tends to that value"
                )
                + f" (at {where} it is there to float precision, but no finite "
                f"{spec.name} reaches it)",
                f"ask for a {'limit' if met else 'value'} short of it, e.g. "
                f"--for '{name}{operator}{shown(calc, target, short)}'",
            )
        either = sorted(float(misses[k][row, point]) + solve.value for k in (0, 2))
        nearest = [shown(calc, target, value) for value in either]
        return (
            f"no value of {spec.name} gives {goal}: it steps over that value at {where}, "
            f"from {nearest[0]} to {nearest[1]}, the nearest values it takes",
            f"ask for one of them, e.g. --for '{name}{operator}{nearest[solve.side > 0]}'",
        )

    message = f"{goal} is out of reach"
    rows = wrong.any(axis=1)
    problems = (
        [OutOfReach(message, rows, fatal=True, points=wrong, says=says)] if rows.any() else []
    )
    return np.where(found & ~np.isnan(chosen), chosen, root), problems  # failed: keeps x


def rounded_whole(
    calc: Calculator,
    values: dict[str, Any],
    choices: Mapping[str, str],
    solve: Solve,
    notes: dict[int, list[str]],
) -> tuple[rel.Plan, list[OutOfReach]]:
    """The plan forward from a whole count: ``values``' solved unknown rounded up (a
    rounding error of 1e-9 relative, at most COUNT_TOLERANCE, is not a unit more) to the
    next value it may take (Model.allowed_counts: tensor_parallel 10.3 -> 12, a divisor of
    96 heads), or, for a goal that is a limit (Solve.side), down to the one below where only
    that meets it (to 1e-9 of the goal, at most what the result moves over COUNT_TOLERANCE of
    a unit), with a note on each row where the central value visibly moved, naming the
    target's value there; and where the count would have to pass the greatest it may take,
    the goal out of reach."""
    unknown, target = solve.unknown.core, solve.target.core
    model = model_for(calc)
    exact = np.asarray(values[unknown], dtype=float)
    known_before = {**model.defaults, **values}
    allowed = model.allowed_counts.get(unknown)

    def nearest(counts: Array, down: bool) -> Array:  # the allowed count at or past them
        return counts if allowed is None else allowed(counts, known_before, down)

    slack = np.minimum(1e-9 * np.abs(exact), COUNT_TOLERANCE)  # rounding error, not a unit
    whole = np.broadcast_to(nearest(np.ceil(exact - slack), False), exact.shape)
    forward = model.plan(values, tuple(sorted(choices.items())))

    def reached_at(counts: Array) -> Array:
        known, _ = rel.evaluate(forward, {**values, unknown: counts}, choices, model.defaults)
        return np.broadcast_to(np.asarray(known[target], dtype=float), exact.shape)

    def meets(counts: Array, there: Array) -> NDArray[np.bool_]:  # a limit met, to 1e-9
        # relative, but never by as much as the result moves over COUNT_TOLERANCE of a unit
        per_unit = np.abs(reached_at(counts + 1) - there)
        tolerance = np.minimum(1e-9 * abs(solve.value), COUNT_TOLERANCE * per_unit)
        return solve.side * (there - solve.value) >= -tolerance

    reached = reached_at(whole)
    if solve.side:
        below = np.broadcast_to(nearest(np.floor(exact + slack), True), exact.shape)
        spec = solve.unknown
        may = below > spec.minimum if spec.positive else below >= spec.minimum
        whole = np.where(may & ~meets(whole, reached), below, whole)  # above misses: below
        reached = reached_at(whole)
        capped = ~np.isnan(exact) & ~meets(whole, reached)  # no count it may take meets the limit
    else:
        capped = whole < exact - slack  # past the greatest count it may take
    values[unknown] = whole
    kind = "a whole number" if allowed is None else "a whole number it may take here"
    goal = shown(calc, target, solve.value)
    limit = {-1: "at most ", 0: "", 1: "at least "}[side_shown(solve)]
    for row in range(exact.shape[0]):
        before, after = (shown(calc, unknown, float(x[row, 0])) for x in (exact, whole))
        if before != after and not capped[row, 0]:  # not 3.71367e+08 to itself
            way = "up" if whole[row, 0] > exact[row, 0] else "down"
            notes.setdefault(row, []).append(
                f"{solve.unknown.name} is {kind}: {before} rounded {way} to {after}, "
                f"where {solve.target.name} is {shown(calc, target, float(reached[row, 0]))} "
                f"(goal {limit}{goal})"
            )

    def says(row: int, point: int) -> tuple[str, str]:
        nearest, there = float(whole[row, point]), float(reached[row, point])
        away = math.ceil if there > solve.value else math.floor  # a goal it reaches
        unit, display = display_unit(calc, target)  # two figures as shown: 15000 USD/yr
        printed = float(convert(there, unit, display))
        exponent = math.floor(math.log10(abs(printed))) - 1 if printed else 0
        example = float(convert(away(printed / 10.0**exponent) * 10.0**exponent, display, unit))
        past = "above the most" if exact[row, point] > nearest else "below the least"
        return (
            f"no value {solve.unknown.name} may take gives {asked(calc, solve)}: it "
            f"would have to be {shown(calc, unknown, float(exact[row, point]))}, {past} it "
            f"may take here, {shown(calc, unknown, nearest)}, where {solve.target.name} "
            f"is {shown(calc, target, there)}",
            f"ask for a value it reaches, e.g. --for '{solve.target.name}"
            f"{OPERATORS[side_shown(solve)]}{shown(calc, target, example)}'",
        )

    rows = np.asarray(capped.any(axis=1), dtype=bool)
    message = f"{asked(calc, solve)} is out of reach"
    return forward, (
        [OutOfReach(message, rows, fatal=True, points=capped, says=says)] if rows.any() else []
    )


OPERATORS = {-1: "<=", 0: "=", 1: ">="}
"""How --for writes a goal of each Solve.side."""


def asked(calc: Calculator, solve: Solve) -> str:
    """The goal as --for writes it, with the value in its display unit: 'memory_per_gpu <=
    40 GB', 'power_share = 0.15', 'fits = yes'."""
    value = shown(calc, solve.target.core, solve.value if solve.typed is None else solve.typed)
    return f"{solve.target.name} {OPERATORS[side_shown(solve)]} {value}"


def side_shown(solve: Solve) -> int:
    """The goal's side as the user wrote it: 0 for a label at an end of a labelled result's
    codes (fits=yes, solved as fits>=1: parse_solve), else Solve.side."""
    labels = solve.target.labels
    ends = {0.0: -1, len(labels) - 1.0: 1} if labels else {}
    return 0 if ends.get(solve.value) == solve.side else solve.side


def capping(
    calc: Calculator, plan: rel.Plan, values: Mapping[str, Any], choices: Mapping[str, str]
) -> Callable[[int, int], str]:
    """Why a result stops short of a goal, per element: the coded result (supply's binding
    constraint) at the top of the unknown's range, e.g. '; at the top of that range
    binding is hbm: that constraint caps it' (evaluated once, when first asked)."""
    coded = next((r for r in calc.results if r.labels and r.core in plan.known), None)

    @cache
    def codes() -> Array:
        if coded is None:
            return np.empty((0, 0))
        with np.errstate(all="ignore"):
            known, _ = rel.evaluate(plan, values, choices, model_for(calc).defaults)
        return np.atleast_2d(np.asarray(known[coded.core], dtype=float))

    def caps(row: int, point: int) -> str:
        if coded is None:
            return ""
        found = codes()
        name = label_of(
            coded.labels, float(found[min(row, len(found) - 1), point % found.shape[1]])
        )
        return (
            f"; at the top of that range {coded.name} is {name}: that constraint caps it"
            if name
            else ""
        )

    return caps
