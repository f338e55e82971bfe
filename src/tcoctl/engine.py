"""Evaluate a calculator: merge preset and flags, check each value, and run the numpy core
once over every range end, Monte Carlo sample, sweep point or batch row.

Design: every numeric input is a pair of arrays ``low, high`` over rows (one row for a single
run, one per sweep point or batch line). The ranged inputs span a unit box; a design matrix
``T`` (points x ranged inputs, values in [0, 1]) places points in it: the centre first, then a
grid that includes every corner, then Monte Carlo samples. The core sees arrays of shape
(rows, points) and broadcasts; ``low``/``high`` are the extremes over the grid: exact where a
result is monotone in each input (nearly every result here) and approximate otherwise (shares
over a very wide --rate range, die counts, which step with the die size).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tcoctl import sampling, stepfiles
from tcoctl.core import MODELS
from tcoctl.core import relations as rel
from tcoctl.core.dieyield import ModeError
from tcoctl.errors import DomainError, TcoctlError, UsageError, shorten
from tcoctl.presets import Entry, Preset, chain, commands, load, search_dirs
from tcoctl.specs import CALCULATORS, GPU_FIELDS, REFERENCE_GPU, Calculator, Input, Result
from tcoctl.stepfiles import read_step_file
from tcoctl.units import Span, UnitInputError, convert, parse_span, short

Array = NDArray[np.float64]
GRID_BUDGET = 4096
MAX_RANGED = 16
CELLS = 2_000_000
"""Rows x design points per core call; larger evaluations go in blocks of rows."""
_SIZE = re.compile(r"^\s*(?P<width>[^x×X]+?)\s*[x×X]\s*(?P<height>[^x×X]+?)\s*$")
_LEADING_NUMBER = re.compile(r"^\s*[-+0-9.eE_]*[0-9.](?:\s*\.\.\s*[-+0-9.eE_]*[0-9.])?")
MAX_WAYS = 4
"""At most this many alternative sets of options are named for a result not computed."""
PERCENTILES = (5.0, 50.0, 95.0)
PERCENTILE_KEYS = tuple(f"p{p:02.0f}" for p in PERCENTILES)


@dataclass(frozen=True)
class Given:
    """One input as the user or a preset gave it, checked: a Span for numbers, else text."""

    spec: Input
    text: str
    origin: str
    span: Span | None = None
    entry: Entry | None = None

    def display(self) -> tuple[float | str, str, dict[str, float]]:
        """Value (the midpoint, in the display unit), short unit, and low/high for a range.
        Shown from what was typed, so '26 mm' is 26, not 26.000000000000004."""
        if self.span is None:
            return self.text, "", {}
        spec = self.spec
        if self.span.typed is not None:
            shown = self.span.to(spec.display)
        else:  # computed, not typed (a step file's summary)
            low, high = convert(np.array([self.span.low, self.span.high]), spec.unit, spec.display)
            shown = Span(float(low), float(high))
        stats = {"low": shown.low, "high": shown.high} if shown.is_range else {}
        return shown.mid, short(spec.display), stats


@dataclass(frozen=True)
class Summary:
    """One result over rows: the centre value, the range extremes and percentiles."""

    value: Array
    low: Array | None = None
    high: Array | None = None
    percentiles: dict[str, Array] | None = None


@dataclass(frozen=True)
class Solve:
    """Goal-seek: the input ``unknown`` such that result ``target`` equals ``value`` [core
    units]."""

    unknown: Input
    target: Result
    value: float


class NothingComputed(UsageError):
    """The given inputs determine no result; the message names inputs that would."""


def results_of(calc: Calculator, solve: Solve | None = None) -> tuple[Result, ...]:
    """The results a run reports: the calculator's, and a solved input not among them."""
    results = calc.results
    if solve is not None and all(r.core != solve.unknown.core for r in results):
        spec = solve.unknown
        results = (*results, Result(spec.key, spec.help, spec.unit, spec.display, spec.core))
    return results


def model_for(calc: Calculator) -> rel.Model:
    """The calculator's relations with its number defaults in core units."""
    return _model(calc.name)


@cache
def _model(command: str) -> rel.Model:
    calc = CALCULATORS[command]
    defaults = {
        spec.core: checked_span(spec, text, "default").low
        for name, text in calc.defaults.items()
        if (spec := calc.input(name)).kind == "number"
    }
    return replace(MODELS[calc.name], defaults=defaults)


def bounds_for(calc: Calculator) -> dict[str, tuple[float, float, bool]]:
    """Valid ranges of computed quantities: each number input's, and results' maxima."""
    return _bounds(calc.name)


@cache
def _bounds(command: str) -> dict[str, tuple[float, float, bool]]:
    calc = CALCULATORS[command]
    found = {
        spec.core: (spec.minimum, math.inf if spec.maximum is None else spec.maximum, spec.positive)
        for spec in calc.inputs
        if spec.kind == "number"
    }
    for result in calc.results:
        if result.maximum is not None:
            low, _, exclusive = found.get(result.core, (-math.inf, math.inf, False))
            found[result.core] = (low, result.maximum, exclusive)
    return found


def has_range(given: Mapping[str, Given]) -> bool:
    """Whether a scenario gives any input as a LOW..HIGH range."""
    return any(g.span is not None and g.span.is_range for g in given.values())


def check(spec: Input, text: str, where: str) -> Given:
    """Parse and range-check one value for ``spec``; errors name ``where``."""
    text = str(text)
    if spec.kind == "choice":
        if text not in spec.choices:
            raise UsageError(f"{where}: {shorten(text)!r} is not one of {', '.join(spec.choices)}")
        return Given(spec, text, where)
    if spec.kind == "gpu":
        gpu_figures(text, where)
        return Given(spec, text, where)
    return Given(spec, text, where, checked_span(spec, text, where))


@lru_cache(maxsize=65_536)
def checked_span(spec: Input, text: str, where: str) -> Span:
    """The parsed, range-checked value (cached: batch files repeat their values)."""
    try:
        span = parse_span(text, spec.unit, spec.example, spec.display if spec.bare else None)
    except UnitInputError as error:
        raise UsageError(f"{where}: {error}") from error
    too_low = span.low < spec.minimum or (spec.positive and span.low <= spec.minimum)
    if too_low or (spec.maximum is not None and span.high > spec.maximum):
        raise UsageError(
            f"{where}: {text!r} is out of range: expected {describe_range(spec)}; "
            f"e.g. '{spec.example}'"
        )
    if spec.whole and not (span.low.is_integer() and span.high.is_integer()):
        raise UsageError(f"{where}: {text!r} is not a whole number; e.g. '{spec.example}'")
    return span


def describe_range(spec: Input) -> str:
    low = f"above {spec.minimum:g}" if spec.positive else f"at least {spec.minimum:g}"
    if spec.maximum is None:
        return f"a value {low}"
    if spec.maximum == 1.0 and not spec.unit:
        return f"a fraction {low} and at most 1 (write 40 % or 0.4)"
    return f"a value {low} and at most {spec.maximum:g}"


def variants(calc: Calculator, preset: Preset | None) -> list[str]:
    """Names of the scenarios a preset's list values define for ``calc`` (one if none)."""
    if preset is None:
        return [""]
    labels: tuple[str, ...] | None = None
    for layer in chain(preset):
        for key, entry in layer.sections.get(calc.name, {}).items():
            if isinstance(entry.value, tuple):
                if labels is not None and len(entry.value) != len(labels):
                    raise DomainError(
                        f"{layer.path}: {calc.name}.{key}: lists of one preset must be equally long"
                    )
                labels = labels or entry.labels
    if labels is None:
        return [preset.name]
    return [f"{preset.name} [{label}]" for label in labels]


def check_alternatives(calc: Calculator, names: Sequence[str]) -> None:
    """Refuse options given together that are alternatives (--gpus and --site-power)."""
    for name in names:
        clash = [other for other in calc.input(name).excludes if other in names]
        if clash:
            raise UsageError(
                f"--{calc.input(name).name} and --{clash[0]} are alternatives: give one"
            )


def gather(
    calc: Calculator, flags: Mapping[str, str], preset: Preset | None, variant: int = 0
) -> dict[str, Given]:
    """The checked inputs of one run: the preset's figures (element ``variant`` of its list
    values), overridden by flags, then the calculator's defaults for what is still missing."""
    given = dict(preset_layer(calc.name, preset, variant)) if preset is not None else {}
    check_alternatives(calc, list(flags))
    for name, text in flags.items():
        for item in expand(calc, calc.input(name), text, f"--{name}"):
            put(given, item)
    for other in reset_by(calc, flags, given):
        given.pop(other)
    for name, default in calc.defaults.items():
        if name not in given and calc.input(name).kind == "choice":
            given[name] = default_given(calc.name, name, default)
    return given


def reset_by(calc: Calculator, flags: Mapping[str, str], given: Mapping[str, Given]) -> list[str]:
    """Preset values that options given as flags replace the anchor of (a new --params drops
    the preset's GPUs per replica): the relations re-derive them by their stated rule."""
    return list(
        dict.fromkeys(
            other
            for name in flags
            for other in calc.input(name).resets
            if other not in flags and other in given and given[other].entry is not None
        )
    )


def put(given: dict[str, Given], item: Given) -> None:
    """Set one input; it drops the alternatives it ``excludes`` (set by an earlier layer)."""
    for other in item.spec.excludes:
        given.pop(other, None)
    given[item.spec.name] = item


@lru_cache(maxsize=256)
def preset_layer(command: str, preset: Preset, variant: int) -> dict[str, Given]:
    """A preset's checked figures for one calculator (cached: batches reuse it per line)."""
    calc = CALCULATORS[command]
    if command not in commands(preset):
        raise UsageError(
            f"--preset: {preset.name} has no [{command}] figures "
            f"(it has {', '.join(commands(preset))})"
        )
    given: dict[str, Given] = {}
    for layer in chain(preset):
        for key, entry in layer.sections.get(command, {}).items():
            where = f"preset {layer.name} ({layer.path}) {command}.{key}"
            try:
                spec = calc.input(key)
            except KeyError:
                raise DomainError(f"{where}: unknown input {key!r}") from None
            value = entry.value
            if entry.reference is not None:  # another preset's result, run on its own
                from tcoctl.chain import resolve

                value = resolve(entry.reference, layer.name, where)
            if isinstance(value, tuple):
                if variant >= len(value):
                    raise DomainError(f"{where}: lists of one preset must be equally long")
                value = value[variant]
            if spec.kind == "file":
                value = preset_step_file(value, layer.path, where)
            try:
                items = expand(calc, spec, value, where)
            except UsageError as error:
                raise DomainError(str(error)) from None
            for item in items:
                put(given, Given(item.spec, item.text, f"preset {layer.name}", item.span, entry))
    return given


@cache
def default_given(command: str, name: str, text: str) -> Given:
    return check(CALCULATORS[command].input(name), text, "default")


def expand(calc: Calculator, spec: Input, text: str, where: str) -> list[Given]:
    """Check one value; a ``WxH`` size or a step file becomes the inputs it stands for."""
    if spec.kind == "size":
        match = _SIZE.match(text)
        if not match:
            raise UsageError(f"{where}: expected WIDTHxHEIGHT, e.g. '{spec.example}'")
        width, height = match["width"], match["height"]
        height_unit = _LEADING_NUMBER.sub("", height).strip()
        if not _LEADING_NUMBER.sub("", width).strip():
            width = f"{width} {height_unit}"  # "26x31.3 mm": the unit serves both
        return [
            check(calc.input(part), value, where)
            for part, value in zip(spec.parts, (width, height), strict=True)
        ]
    if spec.kind == "file":
        steps, step_yield = read_step_file(text, where)
        return [
            Given(calc.input("steps"), f"{steps} steps in {text}", where, Span(steps, steps)),
            Given(
                calc.input("step-yield"),
                f"geometric mean of {text}",
                where,
                Span(step_yield, step_yield),
            ),
        ]
    return [check(spec, text, where)]


def preset_step_file(path: str, preset_path: str, where: str) -> str:
    """A preset's step file, relative to the preset's folder and inside it."""
    resolved = stepfiles.resolve(path, preset_path)
    if not stepfiles.inside(resolved, Path(preset_path).parent):
        raise DomainError(f"{where}: step file {shorten(path)!r} is outside the preset's folder")
    return resolved


def gpu_figures(name: str, where: str = "--gpu") -> dict[str, float]:
    """A hardware preset's figures in core units; an absent figure is NaN."""
    return _gpu_figures(name, where, tuple(search_dirs()))


@lru_cache(maxsize=64)
def _gpu_figures(name: str, where: str, folders: tuple[Path, ...]) -> dict[str, float]:
    """Cached per preset folders, so a batch looks each GPU up once."""
    return _figures(load(name, where, kind="gpu"))


@cache
def _figures(preset: Preset) -> dict[str, float]:
    name = preset.name
    table = preset.sections["gpu"]
    where_file = f"preset {name} ({preset.path})"
    unknown = set(table) - {spec.name for spec in GPU_FIELDS}
    if unknown:
        raise DomainError(f"{where_file}: unknown gpu figure {sorted(unknown)[0]!r}")
    if "bf16" not in table:
        raise DomainError(f"{where_file}: gpu.bf16 is missing")
    figures = {}
    for spec in GPU_FIELDS:
        entry = table.get(spec.name)
        if entry is None:
            figures[spec.name] = float("nan")
            continue
        if isinstance(entry.value, tuple):
            raise DomainError(f"{where_file} gpu.{spec.name}: expected one value, not a list")
        try:
            span = parse_span(entry.value, spec.unit, spec.example)
        except UnitInputError as error:
            raise DomainError(f"{where_file} gpu.{spec.name}: {error}") from None
        if span.is_range or span.low <= 0:
            raise DomainError(f"{where_file} gpu.{spec.name}: expected one positive value")
        figures[spec.name] = span.low
    return figures


def grid_design(k: int, rows: int = 1) -> Array:
    """Centre point, then a full grid over [0, 1]^k including every corner, (points, k).

    One scenario gets up to GRID_BUDGET points (5 per axis at most), which also catches most
    of an interior extreme; many rows (sweeps, batches) get the corners only, exact for
    results monotone in each input."""
    if k > MAX_RANGED:
        raise UsageError(f"at most {MAX_RANGED} inputs may be ranges at once (got {k})")
    if k == 0:
        return np.full((1, 0), 0.5)
    per_axis = max(2, min(5, int(GRID_BUDGET ** (1.0 / k)))) if rows == 1 else 2
    axes = np.meshgrid(*[np.linspace(0.0, 1.0, per_axis)] * k, indexing="ij")
    grid = np.stack([a.ravel() for a in axes], axis=1)
    return np.vstack([np.full((1, k), 0.5), grid])


def ranged_keys(numbers: Mapping[str, tuple[Array, Array]]) -> list[str]:
    """The inputs whose low and high differ in some row: the axes of a design."""
    return [key for key, (low, high) in numbers.items() if np.any(low != high)]


def core_call(
    calc: Calculator,
    numbers: Mapping[str, tuple[Array, Array]],
    gpus: NDArray[np.str_] | None,
    choices: Mapping[str, str],
    design: Array,
    solve: Solve | None = None,
) -> tuple[dict[str, Array], int, list[TcoctlError | None], dict[int, list[str]]]:
    """Solve the calculator's relations once on every row x design point.

    ``numbers`` maps an input's key to its (low, high) arrays over rows, in core units;
    ``gpus`` holds a hardware preset name per row; ``choices`` the categorical options;
    ``design`` (points x ranged inputs, in [0, 1]) places each point between low and high.
    Returns each result as a (rows, points) array, the number of rows, and per row the reason
    it has no answer (None where it has one) and its warnings.
    """
    rows = (
        len(next(iter(numbers.values()))[0]) if numbers else (len(gpus) if gpus is not None else 1)
    )
    ranged = ranged_keys(numbers)
    values: dict[str, Any] = {}
    for key, (low, high) in numbers.items():
        low2, high2 = (np.asarray(a, dtype=float).reshape(-1, 1) for a in (low, high))
        constant = low2.strides[0] == 0 and high2.strides[0] == 0  # broadcast: no need to look
        if rows > 1 and (constant or (np.all(low2 == low2[0]) and np.all(high2 == high2[0]))):
            low2, high2 = low2[:1], high2[:1]  # the same in every row: computed once
        if key in ranged:
            low2 = low2 + (high2 - low2) * design[:, ranged.index(key)]
        values[calc.input(key).core] = low2
    precision = choices.get("precision", "bf16")
    reference = gpu_figures(REFERENCE_GPU)
    for spec in GPU_FIELDS:
        values[f"ref_{spec.name}"] = reference[spec.name]
    values["ref_peak"] = reference[precision]
    if gpus is not None:
        names, index = (
            (gpus[:1], np.zeros(rows, dtype=np.intp))
            if np.all(gpus == gpus[0])
            else np.unique(gpus, return_inverse=True)
        )
        tables = [gpu_figures(str(name)) for name in names]
        for spec in GPU_FIELDS:
            column = np.array([table[spec.name] for table in tables])
            values[f"gpu_{spec.name}"] = (column if len(names) == 1 else column[index]).reshape(
                -1, 1
            )
        values["gpu_peak"] = values[f"gpu_{precision}"]
    model = model_for(calc)
    chosen = tuple(sorted(choices.items()))
    shape = (rows, len(design))
    failures: list[TcoctlError | None] = [None] * rows
    warnings: dict[int, list[str]] = {}
    if solve is None:
        plan = model.plan(values, chosen)
    else:
        plan = goal_seek(calc, model, values, chosen, choices, solve, shape, failures)
    reported = reported_results(calc, plan, solve)
    used = set().union(*(plan.depends.get(r.core, ()) for r in reported))
    if gpus is not None and "gpu_peak" in used:
        lacking = np.broadcast_to(np.isnan(values["gpu_peak"]).ravel(), (rows,))
        for row in np.flatnonzero(lacking):
            failures[row] = UsageError(
                f"{gpus[row]} has no {precision} figure: give another --precision or a --peak"
            )
    try:
        known, problems = rel.evaluate(
            plan, values, choices, model.defaults, bounds_for(calc), rows, model.checks
        )
    except ModeError as error:
        raise UsageError(str(error)) from None
    derived = any(step.target == r.core for step in plan.steps for r in reported)
    if not problems and not derived and solve is None:
        raise nothing_computed(calc, frozenset(values), chosen)
    for problem in problems:
        for at in np.flatnonzero(problem.rows).tolist():
            if isinstance(problem, rel.Finding) and not problem.fatal:
                warnings.setdefault(at, []).append(describe(calc, problem, at))
            elif failures[at] is None:
                failures[at] = DomainError(describe(calc, problem, at))
    out = {
        result.name: np.broadcast_to(np.asarray(known[result.core], dtype=float), shape)
        for result in reported
    }
    return out, rows, failures, warnings


def reported_results(calc: Calculator, plan: rel.Plan, solve: Solve | None) -> list[Result]:
    """The results a plan reports: those it derives, the solved input, and the inputs that a
    calculator always echoes (flops' count, tco's gpus)."""
    derived = {step.target for step in plan.steps}
    if solve is not None:
        derived.add(solve.unknown.core)
    return [
        result
        for result in results_of(calc, solve)
        if result.core in derived or (result.echo and result.core in plan.known)
    ]


def goal_seek(
    calc: Calculator,
    model: rel.Model,
    values: dict[str, Any],
    chosen: rel.Choices,
    choices: Mapping[str, str],
    solve: Solve,
    shape: tuple[int, int],
    failures: list[TcoctlError | None],
) -> rel.Plan:
    """Make ``values`` hold the unknown that gives the target, and return the plan that
    evaluates the rest: a closed form where the relations invert, else bracketed root
    finding over the unknown's valid range (rows with no root fail with a reason)."""
    unknown, target = solve.unknown.core, solve.target.core
    values.pop(unknown, None)
    values[target] = solve.value
    plan = model.plan(values, chosen, exclude=[unknown])
    if unknown in plan.known and target in plan.depends[unknown]:
        return plan
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
    from tcoctl.output import label_of

    name = label_of(coded.labels, float(_in_row(known[coded.core], row)[0]))
    return (
        f"; at the top of that range {coded.name} is {name}: that constraint caps it"
        if name
        else ""
    )


def display_unit(calc: Calculator, quantity: str) -> tuple[str, str]:
    """(core unit, display unit) of a quantity: its option's or result's, else plain."""
    spec = calc.number_inputs.get(quantity)
    if spec is not None:
        return spec.unit, spec.display
    for result in calc.results:
        if result.core == quantity:
            return result.unit, result.display
    return "", ""


def shown(calc: Calculator, quantity: str, value: float) -> str:
    """A value with its display unit, for messages."""
    unit, display = display_unit(calc, quantity)
    return f"{float(convert(value, unit, display)):.6g} {short(display)}".rstrip()


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
    if isinstance(problem, rel.Finding):
        return problem.message
    if row is None:
        row = int(np.flatnonzero(problem.rows)[0])
    if isinstance(problem, rel.Contradiction):
        computed, given = _in_row(problem.computed, row), _in_row(problem.given, row)
        at = int(np.argmax(np.abs(computed - given) > rel.RELATIVE_TOLERANCE * np.abs(given)))
        others = ", ".join(
            public_name(calc, n) for n in problem.relation.inputs if not n.startswith("ref_")
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
    limit = (
        f"above its maximum {problem.high:g}"
        if number > problem.high
        else f"not above its minimum {problem.low:g}"
    )
    hint = next((r.hint for r in calc.results if r.core == problem.quantity and r.hint), "")
    name = public_name(calc, problem.quantity)
    return f"{name} comes out at {shown(calc, problem.quantity, number)}, {limit}" + (
        f": {hint}" if hint else ""
    )


def evaluate(
    calc: Calculator,
    numbers: Mapping[str, tuple[Array, Array]],
    gpus: NDArray[np.str_] | None,
    choices: Mapping[str, str],
    samples: int = 0,
    dist: str = "uniform",
    seed: int | None = None,
    solve: Solve | None = None,
) -> tuple[dict[str, Summary], list[TcoctlError | None], dict[int, list[str]]]:
    """Centre value and range extremes (over a grid that includes every corner) from one core
    call, and with ``samples`` Monte Carlo percentiles from a second, so that the first does
    not depend on how many samples are drawn. Also returns, per row, why it has no answer
    (None where it has one) and its warnings."""
    ranged = ranged_keys(numbers)
    rows = (
        len(next(iter(numbers.values()))[0]) if numbers else (len(gpus) if gpus is not None else 1)
    )
    grid = grid_design(len(ranged), rows)
    block = max(1, CELLS // len(grid))
    parts: list[dict[str, Summary]] = []
    failures: list[TcoctlError | None] = []
    warnings: dict[int, list[str]] = {}
    for start in range(0, rows, block):  # blocks of rows keep memory bounded
        here = slice(start, start + block)
        out, _, failed, warned = core_call(
            calc,
            {key: (low[here], high[here]) for key, (low, high) in numbers.items()},
            gpus[here] if gpus is not None else None,
            choices,
            grid,
            solve,
        )
        failures += failed
        warnings.update({start + row: found for row, found in warned.items()})
        parts.append(
            {
                name: Summary(
                    full[:, 0],  # a view: constant results stay one broadcast value
                    *((full.min(axis=1), full.max(axis=1)) if ranged else (None, None)),
                )
                for name, full in out.items()
            }
        )
    summaries = (
        parts[0]
        if len(parts) == 1
        else {name: _concatenate([part[name] for part in parts]) for name in parts[0]}
    )
    if samples:
        sampled: list[TcoctlError | None] = [None] * rows

        def draw(design: Array) -> dict[str, Array]:
            out, _, reasons, _ = core_call(calc, numbers, gpus, choices, design, solve)
            sampled[:] = [mine or theirs for mine, theirs in zip(sampled, reasons, strict=True)]
            return out

        found = sampling.percentiles(  # in chunks: memory stays flat, percentiles exact
            draw, *(len(ranged), samples, dist, seed, PERCENTILES, PERCENTILE_KEYS)
        )
        failures = [mine or theirs for mine, theirs in zip(failures, sampled, strict=True)]
        for name, summary in summaries.items():
            percentiles = found[name]
            summaries[name] = Summary(summary.value, summary.low, summary.high, percentiles)
    return summaries, failures, warnings


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
    """How far each ranged input alone moves ``target``, per scenario: the centre value and,
    per input ranged in that scenario, the result at its low and high end with every other
    input at its midpoint; widest first. One core call on 2k + 1 design points for each
    group of scenarios that give the same inputs."""
    found: list[tuple[float, list[tuple[str, float, float]]]] = [(0.0, [])] * len(rows)
    for members in groups(rows):
        numbers, gpus, choices = stacked_columns([rows[i] for i in members])
        ranged = ranged_keys(numbers)
        if not ranged:
            raise UsageError("--tornado needs at least one input given as a range, e.g. 1..2")
        k = len(ranged)
        design = np.full((2 * k + 1, k), 0.5)
        for j in range(k):
            design[1 + 2 * j, j], design[2 + 2 * j, j] = 0.0, 1.0
        out, _, failed, _ = core_call(calc, numbers, gpus, choices, design, solve)
        error = next((reason for reason in failed if reason is not None), None)
        if error is not None:
            raise error
        if target not in out:
            known = ", ".join(out)
            raise UsageError(f"--target: {target!r} is not computed here; one of {known}")
        names = {g.spec.key: g.spec.name for g in rows[members[0]].values()}
        for position, index in enumerate(members):
            values = out[target][position]
            bars = [
                (names[key], float(values[1 + 2 * j]), float(values[2 + 2 * j]))
                for j, key in enumerate(ranged)
                if numbers[key][0][position] != numbers[key][1][position]
            ]
            bars.sort(key=lambda bar: -abs(bar[2] - bar[1]))
            found[index] = (float(values[0]), bars)
    return found


def finite(summary: Summary) -> NDArray[np.bool_]:
    """Rows where a result (value, range ends, percentiles) is finite throughout."""
    ok = np.isfinite(summary.value)
    for part in (summary.low, summary.high, *(summary.percentiles or {}).values()):
        if part is not None:
            ok &= np.isfinite(part)
    return ok


def run_group(
    calc: Calculator,
    numbers: Mapping[str, tuple[Array, Array]],
    gpus: NDArray[np.str_] | None,
    choices: Mapping[str, str],
    samples: int = 0,
    dist: str = "uniform",
    seed: int | None = None,
    solve: Solve | None = None,
) -> tuple[dict[str, Summary], dict[int, TcoctlError], dict[int, list[str]]]:
    """Evaluate rows that give the same inputs and choices, as columns: summaries over the
    rows, the rows that failed with the reason (contradicting inputs, a value out of range,
    no solution, or no finite result at all), and each row's warnings."""
    rows = (
        len(next(iter(numbers.values()))[0]) if numbers else (len(gpus) if gpus is not None else 1)
    )
    try:
        out, reasons, warnings = evaluate(calc, numbers, gpus, choices, samples, dist, seed, solve)
    except UsageError as error:
        return {}, dict.fromkeys(range(rows), error), {}
    any_finite = np.zeros(rows, dtype=bool)
    for summary in out.values():
        any_finite |= finite(summary)
    failed: dict[int, TcoctlError] = {}
    for position, reason in enumerate(reasons):
        if reason is not None:
            failed[position] = reason
        elif not any_finite[position]:
            failed[position] = DomainError(
                "no result is finite for these inputs (an overflow, or a zero divisor)"
            )
    return out, failed, warnings


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
) -> tuple[dict[str, tuple[Array, Array]], NDArray[np.str_] | None, dict[str, str]]:
    """Scenarios that give the same inputs and choices as the core's columns, each row
    repeated ``repeat`` times: (low, high) per number, the GPU per row, and the choices."""
    first = rows[0]

    def column(values: list[float]) -> Array:
        if len(values) == 1:  # one scenario: a broadcast view, not a copy per point
            return np.broadcast_to(np.float64(values[0]), (repeat,))
        return np.repeat(values, repeat)

    numbers = {
        g.spec.key: (
            column([row[name].span.low for row in rows]),  # type: ignore[union-attr]
            column([row[name].span.high for row in rows]),  # type: ignore[union-attr]
        )
        for name, g in first.items()
        if g.span is not None
    }
    gpus = np.repeat([row["gpu"].text for row in rows], repeat) if "gpu" in first else None
    choices = {g.spec.key: g.text for g in first.values() if g.spec.kind == "choice"}
    return numbers, gpus, choices


def run_rows(
    calc: Calculator,
    rows: Sequence[Mapping[str, Given]],
    samples: int = 0,
    dist: str = "uniform",
    seed: int | None = None,
    solve: Solve | None = None,
) -> tuple[dict[str, Summary], dict[int, TcoctlError], dict[int, list[str]]]:
    """Evaluate many scenarios: rows that share their choices and the set of inputs they give
    go through one core call together.

    Returns summaries over all rows (NaN where a row has no finite value of a result: not
    determined by its inputs, or a figure its hardware preset lacks) and the rows that
    failed, with the reason (contradicting inputs, a value out of range, no solution, or no
    result at all), and the warnings of each row that has any.
    """
    merged: dict[str, Summary] = {}
    failed: dict[int, TcoctlError] = {}
    warned: dict[int, list[str]] = {}
    for members in groups(rows):
        numbers, gpus, choices = stacked_columns([rows[i] for i in members])
        out, failures, warnings = run_group(
            calc, numbers, gpus, choices, samples, dist, seed, solve
        )
        for position, error in failures.items():
            failed[members[position]] = error
        for position, found in warnings.items():
            warned[members[position]] = found
        for name, summary in out.items():
            ok = finite(summary)
            target = merged.setdefault(name, _empty_summary(len(rows), samples > 0))
            where = np.asarray(members)[ok]
            target.value[where] = summary.value[ok]
            if summary.low is not None and summary.high is not None:
                target.low[where] = summary.low[ok]  # type: ignore[index]
                target.high[where] = summary.high[ok]  # type: ignore[index]
            for label, values in (summary.percentiles or {}).items():
                target.percentiles[label][where] = values[ok]  # type: ignore[index]
    return merged, failed, warned


@dataclass(frozen=True)
class Outline:
    """What one scenario's inputs determine, for people: the defaults the relations used,
    for each result not computed the options that would give it, the options no reported
    result uses, and the results the inputs determine."""

    defaults: tuple[str, ...]
    missing: dict[str, list[list[str]]]
    unused: tuple[str, ...]
    reported: tuple[str, ...]


def known_quantities(calc: Calculator, given: Mapping[str, Given]) -> frozenset[str]:
    """The core quantities a scenario gives, with the H100 reference figures."""
    names = {"ref_peak", *(f"ref_{spec.name}" for spec in GPU_FIELDS)}
    for item in given.values():
        names.update(item.spec.sets)
    return frozenset(names)


def outline(calc: Calculator, given: Mapping[str, Given], solve: Solve | None = None) -> Outline:
    """Symbolic: which results these inputs determine, what would give the others, and what
    goes unused (cached plans; no numbers are computed)."""
    model = model_for(calc)
    choices = tuple(sorted((g.spec.key, g.text) for g in given.values() if g.spec.kind == "choice"))
    known = set(known_quantities(calc, given))
    if solve is not None:
        known.add(solve.unknown.core)
    plan = model.plan(known, choices)
    options = [
        (spec.name, spec.sets)
        for spec in calc.inputs
        if spec.kind not in ("choice", "size", "file") and spec.name not in given
    ]
    missing = {}
    for result in calc.results:
        if result.core not in plan.known and not result.core.startswith("ref_"):
            others = tuple(option for option in options if result.core not in option[1])
            found = model.suggest(frozenset(known), choices, result.core, others)
            missing[result.name] = [list(group) for group in found[:MAX_WAYS]]
    results = reported_results(calc, plan, solve)
    reported = [r.core for r in results]
    used = set().union(*(plan.depends[q] - {q} for q in reported)) if reported else set()
    unused = tuple(
        name
        for name, item in given.items()
        if item.spec.kind != "choice"
        and item.origin.startswith("--")
        and not used & set(item.spec.sets)
        and (solve is None or item.spec is not solve.unknown)
    )
    defaults = tuple(
        spec.name
        for spec in calc.inputs
        if spec.kind == "number" and spec.core in plan.defaults_used and spec.core in used
    )
    return Outline(defaults, missing, unused, tuple(r.name for r in results))


def nothing_computed(
    calc: Calculator,
    known: frozenset[str],
    choices: rel.Choices,
    result: Result | None = None,
) -> TcoctlError:
    """The error for inputs that determine no result (or not ``result``, a goal-seek's
    target): what would give it, the headline result by default."""
    result = result or calc.result(calc.target)
    wanted = result.core
    options = tuple(
        (spec.name, spec.sets)
        for spec in calc.inputs
        if spec.kind not in ("choice", "size", "file")
        and not set(spec.sets) <= known
        and wanted not in spec.sets
    )
    found = model_for(calc).suggest(known, choices, wanted, options)
    hint = (
        " or ".join("--" + " --".join(group) for group in found[:MAX_WAYS])
        if found
        else "more inputs (see --help)"
    )
    if result.name != calc.target:
        return NothingComputed(f"{result.name} is not computed with these inputs; it needs {hint}")
    return NothingComputed(
        f"these inputs determine no result of {calc.name}; {calc.target} needs {hint}"
    )


def _empty_summary(rows: int, sampled: bool) -> Summary:
    """A Summary of NaN over ``rows``: NaN low/high (or percentiles) mean "not a range"."""

    def nan() -> Array:
        return np.full(rows, np.nan)

    percentiles = {key: nan() for key in PERCENTILE_KEYS} if sampled else None
    return Summary(nan(), nan(), nan(), percentiles)


def preset_ranges_at_midpoint(given: Mapping[str, Given]) -> dict[str, Given]:
    """``--only-my-ranges``: every range a preset gives becomes its midpoint, so low/high
    come from the user's own ranges alone."""
    return {
        name: replace(item, span=Span(item.span.mid, item.span.mid))
        if item.span is not None and item.span.is_range and item.origin.startswith("preset")
        else item
        for name, item in given.items()
    }
