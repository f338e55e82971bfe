"""Evaluate a calculator: merge preset and flags, check each value, and run the numpy core
once over every range end, Monte Carlo sample, sweep point or batch row.

Design: every numeric input is a pair of arrays ``low, high`` over rows (one row for a single
run, one per sweep point or batch line). The ranged inputs span a unit box; a design matrix
``T`` (points x ranged inputs, values in [0, 1]) places points in it: the centre first, then a
grid that includes every corner, then Monte Carlo samples. The core sees arrays of shape
(rows, points) and broadcasts; ``low``/``high`` are the extremes over the grid, so they hold
for models that are monotone in each input and approximate the extremes otherwise.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tcoctl.compute import ModeError
from tcoctl.errors import DomainError, UsageError
from tcoctl.presets import Entry, Preset, chain, commands, load
from tcoctl.specs import GPU_FIELDS, REFERENCE_GPU, Calculator, Input
from tcoctl.units import Span, UnitInputError, parse_span

Array = NDArray[np.float64]
GRID_BUDGET = 4096
MAX_RANGED = 16
MAX_SAMPLES = 10_000_000
PERCENTILES = (5.0, 50.0, 95.0)


@dataclass(frozen=True)
class Given:
    """One input as the user or a preset gave it, checked: a Span for numbers, else text."""

    spec: Input
    text: str
    origin: str
    span: Span | None = None
    entry: Entry | None = None


@dataclass(frozen=True)
class Summary:
    """One result over rows: the centre value, the range extremes and percentiles."""

    value: Array
    low: Array | None = None
    high: Array | None = None
    percentiles: dict[str, Array] | None = None


def check(spec: Input, text: str, where: str) -> Given:
    """Parse and range-check one value for ``spec``; errors name ``where``."""
    text = str(text)
    if spec.kind == "choice":
        if text not in spec.choices:
            raise UsageError(f"{where}: {text!r} is not one of {', '.join(spec.choices)}")
        return Given(spec, text, where)
    if spec.kind == "gpu":
        gpu_figures(text, where)
        return Given(spec, text, where)
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
    return Given(spec, text, where, span)


def describe_range(spec: Input) -> str:
    low = f"above {spec.minimum:g}" if spec.positive else f"at least {spec.minimum:g}"
    if spec.maximum is None:
        return f"a value {low}"
    return f"a value {low} and at most {spec.maximum:g}"


def gather(calc: Calculator, flags: Mapping[str, str], preset: Preset | None) -> dict[str, Given]:
    """The checked inputs of one run: the preset's figures, overridden by flags."""
    given: dict[str, Given] = {}

    def put(item: Given) -> None:
        for other in item.spec.excludes:
            given.pop(other, None)
        given[item.spec.name] = item

    if preset is not None:
        if calc.name not in commands(preset):
            raise UsageError(
                f"--preset: {preset.name} has no [{calc.name}] figures "
                f"(it has {', '.join(commands(preset))})"
            )
        for layer in chain(preset):
            for key, entry in layer.sections.get(calc.name, {}).items():
                where = f"preset {layer.name} ({layer.path}) {calc.name}.{key}"
                try:
                    spec = calc.input(key)
                except KeyError:
                    raise DomainError(f"{where}: unknown input {key!r}") from None
                try:
                    checked = check(spec, entry.value, where)
                except UsageError as error:
                    raise DomainError(str(error)) from None
                put(Given(spec, checked.text, f"preset {layer.name}", checked.span, entry))
    for name, text in flags.items():
        spec = calc.input(name)
        clash = [other for other in spec.excludes if other in flags]
        if clash:
            raise UsageError(f"--{name} and --{clash[0]} are alternatives: give one")
        put(check(spec, text, f"--{name}"))
    for name, default in calc.choice_defaults.items():
        if name not in given:
            given[name] = Given(calc.input(name), default, "default")
    return given


def gpu_figures(name: str, where: str = "--gpu") -> dict[str, float]:
    """A hardware preset's figures in core units; an absent figure is NaN."""
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
        try:
            span = parse_span(entry.value, spec.unit, spec.example)
        except UnitInputError as error:
            raise DomainError(f"{where_file} gpu.{spec.name}: {error}") from None
        if span.is_range or span.low <= 0:
            raise DomainError(f"{where_file} gpu.{spec.name}: expected one positive value")
        figures[spec.name] = span.low
    return figures


def grid_design(k: int) -> Array:
    """Centre point, then a full grid over [0, 1]^k including every corner, (points, k)."""
    if k > MAX_RANGED:
        raise UsageError(f"at most {MAX_RANGED} inputs may be ranges at once (got {k})")
    if k == 0:
        return np.full((1, 0), 0.5)
    per_axis = max(2, min(5, int(GRID_BUDGET ** (1.0 / k))))
    axes = np.meshgrid(*[np.linspace(0.0, 1.0, per_axis)] * k, indexing="ij")
    grid = np.stack([a.ravel() for a in axes], axis=1)
    return np.vstack([np.full((1, k), 0.5), grid])


def sample_design(k: int, samples: int, dist: str, seed: int | None) -> Array:
    """Monte Carlo points in [0, 1]^k: uniform, or triangular with its mode at the centre."""
    rng = np.random.default_rng(seed)
    if dist == "triangular":
        return rng.triangular(0.0, 0.5, 1.0, size=(samples, k))
    return rng.random((samples, k))


def model_function(calc: Calculator) -> Callable[..., dict[str, Array]]:
    module, name = calc.model.split(":")
    function: Callable[..., dict[str, Array]] = getattr(importlib.import_module(module), name)
    return function


def evaluate(
    calc: Calculator,
    numbers: Mapping[str, tuple[Array, Array]],
    gpus: NDArray[np.str_] | None,
    choices: Mapping[str, str],
    samples: int = 0,
    dist: str = "uniform",
    seed: int | None = None,
) -> dict[str, Summary]:
    """One core call for all rows and design points.

    ``numbers`` maps an input's key to its (low, high) arrays over rows, in core units;
    ``gpus`` holds a hardware preset name per row; ``choices`` the categorical options.
    """
    rows = (
        len(next(iter(numbers.values()))[0]) if numbers else (len(gpus) if gpus is not None else 1)
    )
    ranged = [key for key, (low, high) in numbers.items() if np.any(low != high)]
    grid = grid_design(len(ranged))
    design = grid
    if samples:
        design = np.vstack([grid, sample_design(len(ranged), samples, dist, seed)])
    kwargs: dict[str, Any] = dict(choices)
    for key, (low, high) in numbers.items():
        low2 = np.asarray(low, dtype=float).reshape(rows, 1)
        if key in ranged:
            column = design[:, ranged.index(key)]
            kwargs[key] = low2 + (np.asarray(high, dtype=float).reshape(rows, 1) - low2) * column
        else:
            kwargs[key] = low2
    reference = gpu_figures(REFERENCE_GPU)
    if gpus is not None:
        names, index = np.unique(gpus, return_inverse=True)
        tables = [gpu_figures(str(name)) for name in names]
    for spec in GPU_FIELDS:
        kwargs[f"ref_{spec.name}"] = reference[spec.name]
        if gpus is not None:
            column = np.array([table[spec.name] for table in tables])
            kwargs[f"gpu_{spec.name}"] = column[index].reshape(rows, 1)
    function = model_function(calc)
    accepted = inspect.signature(function).parameters
    try:
        out = function(**{k: v for k, v in kwargs.items() if k in accepted})
    except ModeError as error:
        raise UsageError(str(error)) from None
    summaries = {}
    points = len(grid)
    for name, array in out.items():
        full = np.broadcast_to(array, (rows, len(design)))
        summary = Summary(full[:, 0].copy())
        if ranged:
            summary = Summary(
                summary.value, full[:, :points].min(axis=1), full[:, :points].max(axis=1)
            )
        if samples:
            pct = np.percentile(full[:, points:], PERCENTILES, axis=1)
            summary = Summary(
                summary.value,
                summary.low,
                summary.high,
                {f"p{p:02.0f}": pct[i] for i, p in enumerate(PERCENTILES)},
            )
        summaries[name] = summary
    return summaries


def finite_rows(summaries: Mapping[str, Summary]) -> NDArray[np.bool_]:
    """Rows whose every result (value, range ends, percentiles) is finite."""
    ok: NDArray[np.bool_] | None = None
    for summary in summaries.values():
        parts = [summary.value, summary.low, summary.high, *(summary.percentiles or {}).values()]
        for part in parts:
            if part is not None:
                good = np.isfinite(part)
                ok = good if ok is None else ok & good
    return ok if ok is not None else np.ones(1, dtype=bool)


def run_single(
    calc: Calculator,
    given: Mapping[str, Given],
    samples: int = 0,
    dist: str = "uniform",
    seed: int | None = None,
) -> dict[str, Summary]:
    """Evaluate one scenario; a non-finite result is a DomainError."""
    numbers = {
        g.spec.key: (np.array([g.span.low]), np.array([g.span.high]))
        for g in given.values()
        if g.span is not None
    }
    gpu = given.get("gpu")
    gpus = np.array([gpu.text]) if gpu is not None else None
    choices = {g.spec.key: g.text for g in given.values() if g.spec.kind == "choice"}
    summaries = evaluate(calc, numbers, gpus, choices, samples, dist, seed)
    if not finite_rows(summaries).all():
        bad = [n for n, s in summaries.items() if not finite_rows({n: s}).all()]
        raise DomainError(
            f"{calc.name}: {', '.join(bad)} not defined for these inputs "
            "(a figure missing from a hardware preset, or a zero divisor)"
        )
    return summaries
