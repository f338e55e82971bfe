"""``--explain``: every step the relations took for a run, with the central numbers
substituted, so a planner can audit it like a spreadsheet. Generated from the plan the
solver followed (tcoctl.core.relations), so it covers every calculator and cannot drift from
what was computed: a product or sum shows its arithmetic (an inverse its division or
difference), any other formula its note and the values it took. Numbers are in the core's
fixed units (SI and USD: seconds, bytes, watts, FLOP), where they multiply out as shown."""

from __future__ import annotations

import math
from collections.abc import Mapping

from tcoctl.core.relations import Plan, Step
from tcoctl.engine import model_for
from tcoctl.specs import GPU_FIELDS, RULE_FIELDS, Calculator

HEADER = (
    "Each step the relations took, in core units (SI and USD: s, B, W, J, FLOP, USD; a year "
    "is 365.25 days), at the central values:"
)


def _units(calc: Calculator) -> dict[str, str]:
    """The core unit of every quantity: those the spec names (inputs and results), the
    GPU's and the H100 reference's figures, the rules' thresholds, and those between inputs
    and results (the model's ``units``; none there: dimensionless)."""
    found = dict(model_for(calc).units)
    found.update({spec.core: spec.unit for spec in calc.inputs if spec.kind == "number"})
    found.update({result.core: result.unit for result in calc.results})
    for spec in GPU_FIELDS:
        found.update({f"gpu_{spec.name}": spec.unit, f"ref_{spec.name}": spec.unit})
    found.update(gpu_peak="FLOP/s", ref_peak="FLOP/s")
    for fields in RULE_FIELDS.values():
        found.update({f"rule_{spec.name}": spec.unit for spec in fields})
    return found


NO_FIGURE = "no figure"
"""What a NaN stands for: a figure the preset does not give (an FP8 rate for a V100, a die
area), and so every result computed from it."""
NO_LIMIT = "no limit"
"""What an infinity stands for: a constraint not given (supply's packaging_limit)."""


def _number(value: float, unit: str) -> str:
    """A value as the arithmetic shows it: six significant figures and its core unit, or
    what a NaN or an infinity means, never 'nan' or 'inf'."""
    if math.isnan(value):
        return NO_FIGURE
    if math.isinf(value):
        return NO_LIMIT if value > 0 else f"-{NO_LIMIT}"
    return f"{value:.6g} {unit}".rstrip()


def step_line(step: Step, known: Mapping[str, float], units: Mapping[str, str]) -> str:
    """One step: 'target = a x b = 2 x 3 = 6', or 'note; here target = value with a = 1'."""
    relation, target = step.relation, step.target

    def shown(name: str) -> str:
        return _number(known[name], units.get(name, ""))

    result = shown(target)
    if relation.arithmetic:
        operator = " x " if relation.arithmetic == "x" else " + "
        if target == relation.out:
            names = list(relation.inputs)
            numbers = [shown(name) for name in names]
            if relation.constant != 1:
                names.insert(0, f"{relation.constant:g}")
                numbers.insert(0, _number(relation.constant, relation.constant_unit))
            return f"{target} = {operator.join(names)} = {operator.join(numbers)} = {result}"
        inverse = " / " if relation.arithmetic == "x" else " - "
        others = [name for name in relation.inputs if name != target]
        names = [relation.out, *others]
        numbers = [shown(name) for name in names]
        if relation.constant != 1:
            names.append(f"{relation.constant:g}")
            numbers.append(_number(relation.constant, relation.constant_unit))
        return f"{target} = {inverse.join(names)} = {inverse.join(numbers)} = {result}"
    given = ", ".join(f"{name} = {shown(name)}" for name in relation.inputs)
    return f"{relation.note}; here {target} = {result}" + (f" with {given}" if given else "")


def lines(calc: Calculator, plan: Plan, known: Mapping[str, float]) -> list[str]:
    """The explanation of one run: a header, then a line per step in the order taken."""
    units = _units(calc)
    return [HEADER, *(step_line(step, known, units) for step in plan.steps)]
