"""Inputs and their checks: one value as text to a checked Given (a Span for numbers),
sizes and step files to the inputs they stand for, options that are alternatives, and the
hardware presets' figures in core units. The range rule (``core.relations.outside``) is the
one the engine applies to computed values."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from tcoctl import stepfiles
from tcoctl.core import relations as rel
from tcoctl.errors import DomainError, TcoctlError, UsageError, as_flag, not_one_of, quoted, shorten
from tcoctl.presets import Entry, Preset, builtin, load
from tcoctl.report import GPU_PRICE_MARK
from tcoctl.specs import (
    CALCULATORS,
    GPU_FIELDS,
    GPU_PRICE,
    REFERENCE_GPU,
    RULE_FIELDS,
    Calculator,
    Input,
)
from tcoctl.stepfiles import read_step_file
from tcoctl.units import (
    Backwards,
    Span,
    UnitInputError,
    Unreadable,
    convert,
    parse_span,
    short,
)

Array = NDArray[np.float64]
_SIZE = re.compile(r"^\s*(?P<width>[^x×X]+?)\s*[x×X]\s*(?P<height>[^x×X]+?)\s*$")


class Bounds(NamedTuple):
    """One number input over rows, in core units: each row's range ends, and where a range
    has its own centre (``LOW..CENTRE..HIGH``, a chained result) that centre (NaN in the
    other rows: their midpoint); None where no row has one."""

    low: Array
    high: Array
    centre: Array | None = None

    def take(self, rows: Any) -> Bounds:
        """The rows ``rows`` (an index array or a slice)."""
        centre = None if self.centre is None else np.asarray(self.centre)[rows]
        return Bounds(np.asarray(self.low)[rows], np.asarray(self.high)[rows], centre)

    def first(self, count: int) -> Bounds:
        """The first row as ``count`` rows (a broadcast view, not a copy)."""
        if count == 1:
            return self if len(self.low) == 1 else self.take(slice(0, 1))
        centre = None if self.centre is None else np.broadcast_to(self.centre[0], count)
        return Bounds(
            np.broadcast_to(self.low[0], count), np.broadcast_to(self.high[0], count), centre
        )


def centres(spans: Sequence[Span | None]) -> Array | None:
    """The centres of a column of spans (NaN: the midpoint; a missing span too), or None if
    no span has one of its own."""
    if all(span is None or span.centre is None for span in spans):
        return None
    return np.array([np.nan if s is None or s.centre is None else s.centre for s in spans])


_LEADING_NUMBER = re.compile(r"^\s*[-+0-9.eE_]*[0-9.](?:\s*\.\.\s*[-+0-9.eE_]*[0-9.])?")


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
        else:  # computed, not typed (a step file's summary, an API column)
            low, high, mid = convert(
                np.array([self.span.low, self.span.high, self.span.mid]), spec.unit, spec.display
            )
            shown = Span(float(low), float(high), centre=None if self.span.centre is None else mid)
        stats = {"low": shown.low, "high": shown.high} if shown.is_range else {}
        mid = float(math.floor(shown.mid + 0.5)) if spec.whole else shown.mid  # as counted
        return mid, short(spec.display), stats


def has_range(given: Mapping[str, Given]) -> bool:
    """Whether a scenario gives any input as a LOW..HIGH range."""
    return any(g.span is not None and g.span.is_range for g in given.values())


def check(spec: Input, text: str, where: str, formats: Sequence[str] = ()) -> Given:
    """Parse and range-check one value for ``spec``; errors name ``where`` (an unknown
    --gpu's example has a peak at each of ``formats``: gpu_figures)."""
    text = str(text)
    if spec.kind == "choice" and spec.rule:
        rule_figures(text, spec.rule, where)
        return Given(spec, text, where)
    if spec.kind == "choice":
        if text not in spec.choices:  # the example: the choice in another case ('MURPHY')
            same = [c for c in spec.choices if c.casefold() == text.casefold()]
            example = repr(next(iter(same), spec.example))
            raise UsageError(f"{where}: {not_one_of(text, spec.choices, example)}")
        return Given(spec, text, where)
    if spec.kind == "gpu":
        gpu_figures(text, where, formats)
        return Given(spec, text, where)
    return Given(spec, text, where, checked_span(spec, text, where))


@lru_cache(maxsize=65_536)
def checked_span(spec: Input, text: str, where: str) -> Span:
    """The parsed, range-checked value (cached: batch files repeat their values)."""
    try:
        span = parse_span(text, spec.unit, spec.example, spec.display if spec.bare else None)
    except Unreadable as error:
        if spec.unit or spec.bare:
            raise UsageError(f"{where}: {error}") from error
        number = "a whole number" if spec.whole else "a number"  # a count, a stage, a fraction
        expected = describe_range(spec).removeprefix("a value ").removeprefix("a fraction ")
        raise UsageError(
            f"{where}: cannot read {shorten(text)!r} as a number: expected {number} {expected}; "
            f"e.g. '{spec.example}'"
        ) from error
    except Backwards as error:
        raise UsageError(f"{where}: {backwards(spec, error)}") from error
    except UnitInputError as error:
        raise UsageError(f"{where}: {error}") from error
    refused = refusal(spec, np.array([span.low]), np.array([span.high]))
    if refused is not None:
        raise UsageError(f"{where}: {text!r} {refused[1]}; e.g. '{spec.example}'")
    return span


def backwards(spec: Input, error: Backwards) -> str:
    """Why a HIGH..LOW range is refused: its swapped form as the example where ``spec``
    takes that, else what ``spec`` takes and its own example ('1..0' for a batch of at
    least 1 is no '0..1')."""
    refused = swapped_refused(spec, error)
    if refused is None:
        return str(error)
    if not refused:
        return f"range {error.text!r} runs backwards; write LOW..HIGH, e.g. '{spec.example}'"
    return (
        f"range {error.text!r} runs backwards, and {error.swapped!r} {refused}; "
        f"e.g. '{spec.example}'"
    )


def swapped_refused(spec: Input, error: Backwards) -> str | None:
    """Why ``spec`` refuses a backwards range's swapped form ('is out of range: ...'; '' where
    it cannot be read at all), None where it takes it."""
    try:
        span = parse_span(
            error.swapped, spec.unit, spec.example, spec.display if spec.bare else None
        )
    except UnitInputError:
        return ""
    refused = refusal(spec, np.array([span.low]), np.array([span.high]))
    return None if refused is None else refused[1]


def refusal(spec: Input, low: Array, high: Array) -> tuple[int, str] | None:
    """The first of a column of values (core units) that ``spec`` refuses, and why: not
    finite, out of range, or not whole. The one check of given values, one or a million."""
    maximum = math.inf if spec.maximum is None else spec.maximum
    ends = [low] if high is low else [low, high]  # plain numbers: checked once
    infinite = ~np.logical_and.reduce([np.isfinite(end) for end in ends])
    outside = np.logical_or.reduce(
        [rel.outside(end, spec.minimum, maximum, spec.positive) for end in ends]
    )
    broken = (
        ~np.logical_and.reduce([end == np.round(end) for end in ends]) if spec.whole else infinite
    )
    for bad, reason in (
        (infinite, "is not a finite number"),
        (outside, f"is out of range: expected {describe_range(spec)}"),
        (broken, "is not a whole number"),
    ):
        if bad.any():
            return int(np.argmax(bad)), reason
    return None


def describe_range(spec: Input) -> str:
    low = f"above {spec.minimum:g}" if spec.positive else f"at least {spec.minimum:g}"
    if spec.maximum is None:
        return f"a value {low}"
    if spec.maximum == 1.0 and not spec.unit:
        return f"a fraction {low} and at most 1 (write 40 % or 0.4)"
    unit = f" {spec.unit}" if spec.unit else ""  # the core unit both bounds are in
    return f"a value {low}{unit} and at most {spec.maximum:g}{unit}"


def check_alternatives(calc: Calculator, names: Sequence[str]) -> None:
    """Refuse options given together that are alternatives (--gpus and --site-power)."""
    for name in names:
        clash = [other for other in calc.input(name).excludes if other in names]
        if clash:
            kept, dropped = as_flag(calc.input(name).name), as_flag(clash[0])
            raise UsageError(
                f"{kept} and {dropped} are alternatives: give one, e.g. {kept} "
                f"{quoted(calc.input(name).example)} without {dropped}"
            )


def put(given: dict[str, Given], item: Given) -> None:
    """Set one input; it drops the alternatives it ``excludes`` (set by an earlier layer)."""
    for other in item.spec.excludes:
        given.pop(other, None)
    given[item.spec.name] = item


@cache
def default_given(command: str, name: str, text: str) -> Given:
    return check(CALCULATORS[command].input(name), text, "default")


def expand(
    calc: Calculator, spec: Input, text: str, where: str, formats: Sequence[str] = ()
) -> list[Given]:
    """Check one value (``formats``: check's); a ``WxH`` size or a step file becomes the
    inputs it stands for."""
    if spec.kind == "size":
        match = _SIZE.match(text)
        if not match:
            raise UsageError(f"{where}: expected WIDTHxHEIGHT, e.g. '{spec.example}'")
        width, height = match["width"], match["height"]
        height_unit = _LEADING_NUMBER.sub("", height).strip()
        if height_unit and not _LEADING_NUMBER.sub("", width).strip():
            width = f"{width} {height_unit}"  # "26x31.3 mm": the unit serves both
        parts = [calc.input(part) for part in spec.parts]
        return [  # a part refused with the size's own example ('26x31.3', not '26 mm')
            Given(
                part, value, where, checked_span(replace(part, example=spec.example), value, where)
            )
            for part, value in zip(parts, (width, height), strict=True)
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
    return [check(spec, text, where, formats)]


def preset_step_file(path: str, preset_path: str, where: str) -> str:
    """A preset's step file, relative to the preset's folder and inside it."""
    resolved = stepfiles.resolve(path, preset_path)
    if not stepfiles.inside(resolved, Path(preset_path).parent):
        raise DomainError(f"{where}: step file {shorten(path)!r} is outside the preset's folder")
    return resolved


def gpu_figures(name: str, where: str = "--gpu", formats: Sequence[str] = ()) -> dict[str, float]:
    """A hardware preset's figures in core units; an absent figure is NaN. An unknown
    name's example is a preset with a peak at each of ``formats`` (the run's --precision and
    --attention-precision), so that it runs."""
    return _gpu_figures(load(name, where, kind="gpu", lacks=partial(lacking_peaks, formats)))


def lacking_peaks(formats: Sequence[str], name: str) -> str:
    """What hardware preset ``name`` lacks of a peak at each of ``formats``: 'no fp8 figure'
    ('' if nothing; one that cannot be read lacks them all)."""
    try:
        figures = _gpu_figures(load(name, kind="gpu"))
    except TcoctlError:
        figures = {}
    lacking = [f for f in dict.fromkeys(formats) if math.isnan(figures.get(f, math.nan))]
    return f"no {' or '.join(lacking)} figure" if lacking else ""


def figure_formats(name: str) -> dict[str, tuple[str, str]]:
    """A hardware preset's peaks of another number format than their slot, by slot: the
    format and the figure as the preset gives it (v100: {'bf16': ('FP16', '125 TFLOP/s')})."""
    table = load(name, "--gpu", kind="gpu").sections["gpu"]
    return {slot: (e.format, str(e.value)) for slot, e in table.items() if e.format is not None}


def reference_gpu_figures() -> dict[str, float]:
    """The H100-equivalent's figures: the built-in datasheet preset, never a user's preset
    of the same name."""
    return _figures(builtin(REFERENCE_GPU), "gpu")


@lru_cache(maxsize=64)
def _gpu_figures(preset: Preset) -> dict[str, float]:
    """Cached per version of the preset's file (``load`` reads an edited file again)."""
    if "bf16" not in preset.sections["gpu"]:
        raise DomainError(f"preset {preset.name} ({preset.path}): gpu.bf16 is missing")
    return _figures(preset, "gpu")


def gpu_price(calc: Calculator, name: str, where: str = "--gpu") -> Given | None:
    """A hardware preset's cited price (``gpu.price``) as ``calc``'s --gpu-price, from that
    preset; None if it holds no price."""
    preset = load(name, where, kind="gpu")
    entry = preset.sections["gpu"].get(GPU_PRICE.name)
    if entry is None:
        return None
    where_file = f"preset {name} ({preset.path}) gpu.price"
    if not isinstance(entry.value, str):
        raise DomainError(f"{where_file}: expected one value, not a list")
    try:
        item = check(calc.input("gpu-price"), entry.value, where_file)
    except UsageError as error:
        raise DomainError(str(error)) from None
    return Given(item.spec, item.text, f"preset {name} {GPU_PRICE_MARK}", item.span, entry)


def rule_figures(name: str, table: str, where: str) -> dict[str, float]:
    """A rule preset's ``[table]`` thresholds in core units (each figure required)."""
    return _rule_figures(load(name, where, kind="rule"), table, where)


@lru_cache(maxsize=16)
def _rule_figures(preset: Preset, table: str, where: str) -> dict[str, float]:
    """Cached per version of the preset's file, as ``_gpu_figures``."""
    if table not in preset.sections:
        raise UsageError(f"{where}: rule preset {preset.name} has no [{table}] thresholds")
    figures = _figures(preset, table)
    lacking = [key for key, value in figures.items() if np.isnan(value)]
    if lacking:
        raise DomainError(f"preset {preset.name} ({preset.path}): {table}.{lacking[0]} is missing")
    return figures


@lru_cache(maxsize=64)
def _figures(preset: Preset, table_name: str) -> dict[str, float]:
    """The figures of one table of a hardware or rule preset (``gpu``: GPU_FIELDS, else
    RULE_FIELDS); an absent one is NaN."""
    fields = GPU_FIELDS if table_name == "gpu" else RULE_FIELDS[table_name]
    table = preset.sections[table_name]
    where_file = f"preset {preset.name} ({preset.path})"
    others = {GPU_PRICE.name} if table_name == "gpu" else set()  # read by gpu_price
    unknown = set(table) - {spec.name for spec in fields} - others
    if unknown:
        raise DomainError(f"{where_file}: unknown {table_name} figure {sorted(unknown)[0]!r}")
    figures = {}
    for spec in fields:
        entry = table.get(spec.name)
        where = f"{where_file} {table_name}.{spec.name}"
        if entry is None:
            figures[spec.name] = float("nan")
            continue
        if isinstance(entry.value, tuple):
            raise DomainError(f"{where}: expected one value, not a list")
        try:
            span = parse_span(entry.value, spec.unit, spec.example)
        except UnitInputError as error:
            raise DomainError(f"{where}: {error}") from None
        if span.is_range or span.low <= 0:
            raise DomainError(f"{where}: expected one positive value")
        figures[spec.name] = span.low
    return figures


def preset_ranges_at_midpoint(given: Mapping[str, Given]) -> dict[str, Given]:
    """``--only-my-ranges``: every range a preset gives becomes its midpoint, so low/high
    come from the user's own ranges alone."""
    return {
        name: replace(item, span=Span(item.span.mid, item.span.mid))
        if item.span is not None and item.span.is_range and item.origin.startswith("preset")
        else item
        for name, item in given.items()
    }
