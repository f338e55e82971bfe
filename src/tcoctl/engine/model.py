"""The model a calculator runs and what it reports: its relations with the number
defaults in core units, the valid ranges of computed quantities, the results a plan reports,
and the summaries (centre, range ends, percentiles) results come back as."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache

from tcoctl.core import MODELS
from tcoctl.core import relations as rel
from tcoctl.engine.inputs import Array, checked_span
from tcoctl.specs import CALCULATORS, GPU_FIELDS, Calculator, Input, Result

PERCENTILES = (5.0, 50.0, 95.0)


PERCENTILE_KEYS = tuple(f"p{p:02.0f}" for p in PERCENTILES)
SAMPLE_KEYS = (*PERCENTILE_KEYS, "mean")
"""What Monte Carlo gives each result: its percentiles and its mean (tcoctl.sampling)."""


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
    units]; ``side`` -1 where the goal is an upper limit (``RESULT<=VALUE``), +1 a lower one
    (``RESULT>=VALUE``), 0 a value to reach: a whole count is rounded to the side of the
    exact answer that meets a limit, and up for a value."""

    unknown: Input
    target: Result
    value: float
    side: int = 0
    typed: float | None = None
    """The limit as typed where it lies past the result's bound, which ``value`` then is
    (power_share<=1.5 is solved as power_share<=1): messages quote what the user asked."""


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
        low, high, exclusive = found.get(result.core, (-math.inf, math.inf, False))
        if result.minimum is not None:
            low = max(low, result.minimum)
        if result.maximum is not None or result.minimum is not None:
            found[result.core] = (
                low,
                high if result.maximum is None else result.maximum,
                exclusive,
            )
    return found


def reported_results(calc: Calculator, plan: rel.Plan, solve: Solve | None) -> list[Result]:
    """The results a plan reports: those it derives, the inputs that a calculator always
    echoes (flops' count, tco's gpus), and a goal-seek's unknown and target: the target is
    reported whether the plan derives it (root finding) or holds it as given (closed form)."""
    derived = {step.target for step in plan.steps}
    if solve is not None:
        derived |= {solve.unknown.core, solve.target.core} & set(plan.known)
    return [
        result
        for result in results_of(calc, solve)
        if result.core in derived or (result.echo and result.core in plan.known)
    ]


def display_unit(calc: Calculator, quantity: str) -> tuple[str, str]:
    """(core unit, display unit) of a quantity: its option's or result's, else plain."""
    spec = calc.number_inputs.get(quantity)
    if spec is not None:
        return spec.unit, spec.display
    for result in calc.results:
        if result.core == quantity:
            return result.unit, result.display
    return "", ""


def known_quantities(given: Iterable[Input]) -> frozenset[str]:
    """The core quantities the options ``given`` give, with the H100 reference figures."""
    names = {"ref_peak", *(f"ref_{spec.name}" for spec in GPU_FIELDS)}
    for spec in given:
        names.update(spec.sets)
    return frozenset(names)
