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

import importlib
import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tcoctl import sampling, stepfiles
from tcoctl.core.flops import ModeError
from tcoctl.errors import DomainError, TcoctlError, UsageError, shorten
from tcoctl.presets import Entry, Preset, chain, commands, load, search_dirs
from tcoctl.specs import CALCULATORS, GPU_FIELDS, REFERENCE_GPU, Calculator, Input
from tcoctl.stepfiles import read_step_file
from tcoctl.units import Span, UnitInputError, convert, parse_span, short

Array = NDArray[np.float64]
GRID_BUDGET = 4096
MAX_RANGED = 16
CELLS = 2_000_000
"""Rows x design points per core call; larger evaluations go in blocks of rows."""
_SIZE = re.compile(r"^\s*(?P<width>[^x×X]+?)\s*[x×X]\s*(?P<height>[^x×X]+?)\s*$")
_LEADING_NUMBER = re.compile(r"^\s*[-+0-9.eE_]*[0-9.](?:\s*\.\.\s*[-+0-9.eE_]*[0-9.])?")
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


class MissingInputs(UsageError):
    """Inputs the core needs that neither the preset nor the options give."""


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


def gather(
    calc: Calculator, flags: Mapping[str, str], preset: Preset | None, variant: int = 0
) -> dict[str, Given]:
    """The checked inputs of one run: the preset's figures (element ``variant`` of its list
    values), overridden by flags, then the calculator's defaults for what is still missing."""
    given = dict(preset_layer(calc.name, preset, variant)) if preset is not None else {}
    for name, text in flags.items():
        spec = calc.input(name)
        clash = [other for other in spec.excludes if other in flags]
        if clash:
            raise UsageError(f"--{name} and --{clash[0]} are alternatives: give one")
        for item in expand(calc, spec, text, f"--{name}"):
            put(given, item)
    for name, default in calc.defaults.items():
        if name not in given:
            given[name] = default_given(calc.name, name, default)
    return given


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


def ranged_keys(numbers: Mapping[str, tuple[Array, Array]]) -> list[str]:
    """The inputs whose low and high differ in some row: the axes of a design."""
    return [key for key, (low, high) in numbers.items() if np.any(low != high)]


def core_call(
    calc: Calculator,
    numbers: Mapping[str, tuple[Array, Array]],
    gpus: NDArray[np.str_] | None,
    choices: Mapping[str, str],
    design: Array,
) -> tuple[dict[str, Array], int]:
    """Call the numpy core once on every row x design point.

    ``numbers`` maps an input's key to its (low, high) arrays over rows, in core units;
    ``gpus`` holds a hardware preset name per row; ``choices`` the categorical options;
    ``design`` (points x ranged inputs, in [0, 1]) places each point between low and high.
    Returns each result as a (rows, points) array, and the number of rows.
    """
    rows = (
        len(next(iter(numbers.values()))[0]) if numbers else (len(gpus) if gpus is not None else 1)
    )
    ranged = ranged_keys(numbers)
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
    missing = [
        name
        for name, parameter in accepted.items()
        if parameter.default is inspect.Parameter.empty and name not in kwargs
    ]
    if missing:
        options = ", ".join(f"--{calc.input(name).name}" for name in missing)
        raise MissingInputs(f"{calc.name} needs {options} (give them, or a --preset that has them)")
    try:
        with np.errstate(all="ignore"):
            out = function(**{k: v for k, v in kwargs.items() if k in accepted})
    except ModeError as error:
        raise UsageError(str(error)) from None
    return {name: np.broadcast_to(a, (rows, len(design))) for name, a in out.items()}, rows


def evaluate(
    calc: Calculator,
    numbers: Mapping[str, tuple[Array, Array]],
    gpus: NDArray[np.str_] | None,
    choices: Mapping[str, str],
    samples: int = 0,
    dist: str = "uniform",
    seed: int | None = None,
) -> dict[str, Summary]:
    """Centre value and range extremes (over a grid that includes every corner) from one core
    call, and with ``samples`` Monte Carlo percentiles from a second, so that the first does
    not depend on how many samples are drawn."""
    ranged = ranged_keys(numbers)
    rows = (
        len(next(iter(numbers.values()))[0]) if numbers else (len(gpus) if gpus is not None else 1)
    )
    grid = grid_design(len(ranged), rows)
    block = max(1, CELLS // len(grid))
    parts: list[dict[str, Summary]] = []
    for start in range(0, rows, block):  # blocks of rows keep memory bounded
        here = slice(start, start + block)
        out, _ = core_call(
            calc,
            {key: (low[here], high[here]) for key, (low, high) in numbers.items()},
            gpus[here] if gpus is not None else None,
            choices,
            grid,
        )
        parts.append(
            {
                name: Summary(
                    full[:, 0].copy(),
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
        found = sampling.percentiles(  # in chunks: memory stays flat, percentiles exact
            lambda design: core_call(calc, numbers, gpus, choices, design)[0],
            *(len(ranged), samples, dist, seed, PERCENTILES, PERCENTILE_KEYS),
        )
        for name, summary in summaries.items():
            percentiles = found[name]
            summaries[name] = Summary(summary.value, summary.low, summary.high, percentiles)
    return summaries


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


def scenario_columns(
    given: Mapping[str, Given], rows: int = 1
) -> tuple[dict[str, tuple[Array, Array]], NDArray[np.str_] | None, dict[str, str]]:
    """One scenario as the core's columns, repeated over ``rows``: (low, high) per number,
    the GPU name per row, and the choices."""
    numbers = {
        g.spec.key: (np.full(rows, g.span.low), np.full(rows, g.span.high))
        for g in given.values()
        if g.span is not None
    }
    gpu = given.get("gpu")
    gpus = np.full(rows, gpu.text) if gpu is not None else None
    choices = {g.spec.key: g.text for g in given.values() if g.spec.kind == "choice"}
    return numbers, gpus, choices


def tornado(
    calc: Calculator, given: Mapping[str, Given], target: str
) -> tuple[float, list[tuple[str, float, float]]]:
    """How far each ranged input alone moves ``target``: the centre value and, per input,
    the result at its low and high end with every other input at its midpoint; widest first.
    One core call on 2k + 1 design points."""
    numbers, gpus, choices = scenario_columns(given)
    ranged = ranged_keys(numbers)
    if not ranged:
        raise UsageError("--tornado needs at least one input given as a range, e.g. 1..2")
    k = len(ranged)
    design = np.full((2 * k + 1, k), 0.5)
    for j in range(k):
        design[1 + 2 * j, j], design[2 + 2 * j, j] = 0.0, 1.0
    out, _ = core_call(calc, numbers, gpus, choices, design)
    if target not in out:
        raise UsageError(f"--target: {target!r} is not computed here; one of {', '.join(out)}")
    values = out[target][0]
    names = {g.spec.key: g.spec.name for g in given.values()}
    bars = [
        (names[key], float(values[1 + 2 * j]), float(values[2 + 2 * j]))
        for j, key in enumerate(ranged)
    ]
    bars.sort(key=lambda bar: -abs(bar[2] - bar[1]))
    return float(values[0]), bars


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


def run_rows(
    calc: Calculator,
    rows: Sequence[Mapping[str, Given]],
    samples: int = 0,
    dist: str = "uniform",
    seed: int | None = None,
) -> tuple[dict[str, Summary], dict[int, TcoctlError]]:
    """Evaluate many scenarios: rows that share their choices and the set of inputs they give
    go through one core call together.

    Returns summaries over all rows (NaN where a row's group has no such result) and the rows
    that failed, with the reason (a mode error, or results that are not finite).
    """
    choice_names = [spec.name for spec in calc.inputs if spec.kind == "choice"]
    groups: dict[tuple[Any, ...], list[int]] = {}
    for index, given in enumerate(rows):
        key = (tuple(given), tuple(given[c].text for c in choice_names if c in given))
        groups.setdefault(key, []).append(index)
    merged: dict[str, Summary] = {}
    failed: dict[int, TcoctlError] = {}
    for (names_given, _), members in groups.items():
        chosen = [rows[i] for i in members]
        first = chosen[0]
        choices = tuple(
            (first[n].spec.key, first[n].text)
            for n in names_given
            if first[n].spec.kind == "choice"
        )
        names = [n for n in names_given if first[n].span is not None]
        has_gpu = "gpu" in first
        numbers = {
            chosen[0][name].spec.key: (
                np.array([row[name].span.low for row in chosen]),  # type: ignore[union-attr]
                np.array([row[name].span.high for row in chosen]),  # type: ignore[union-attr]
            )
            for name in names
        }
        gpus = np.array([row["gpu"].text for row in chosen]) if has_gpu else None
        try:
            out = evaluate(calc, numbers, gpus, dict(choices), samples, dist, seed)
        except UsageError as error:
            failed.update({i: error for i in members})
            continue
        ok = (
            finite_rows(out)
            if not calc.partial
            else np.any([finite_rows({name: summary}) for name, summary in out.items()], axis=0)
        )
        for position, i in enumerate(members):
            if not ok[position]:
                bad = [n for n, s in out.items() if not finite_rows({n: s})[position]]
                failed[i] = DomainError(
                    f"{', '.join(bad)} not finite for these inputs (an overflow, a "
                    "figure missing from a hardware preset, a zero divisor, or an "
                    "impossible solve such as an MFU above 1)"
                )
        for name, summary in out.items():
            target = merged.setdefault(name, _empty_summary(len(rows), samples > 0))
            target.value[members] = summary.value
            if summary.low is not None and summary.high is not None:
                target.low[members] = summary.low  # type: ignore[index]
                target.high[members] = summary.high  # type: ignore[index]
            for label, values in (summary.percentiles or {}).items():
                target.percentiles[label][members] = values  # type: ignore[index]
    return merged, failed


def _empty_summary(rows: int, sampled: bool) -> Summary:
    """A Summary of NaN over ``rows``: NaN low/high (or percentiles) mean "not a range"."""

    def nan() -> Array:
        return np.full(rows, np.nan)

    percentiles = {key: nan() for key in PERCENTILE_KEYS} if sampled else None
    return Summary(nan(), nan(), nan(), percentiles)
