"""An upstream document (a calculator's JSON output piped into another) checked against its
own calculator's relations: a figure that flows must agree with the figures it stands for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from tcoctl.chain import is_number
from tcoctl.core import relations as rel
from tcoctl.core.dieyield import ModeError
from tcoctl.engine.messages import shown
from tcoctl.engine.model import display_unit, model_for
from tcoctl.specs import CALCULATORS, Calculator
from tcoctl.units import convert


def disagreement(
    calc: Calculator, document: Mapping[str, Any], used: list[tuple[str, str]], kept: list[str]
) -> str | None:
    """Why a document cannot feed ``calc``, or None: a result that flows (``used`` pairs a
    result with the option it feeds; ``kept`` names the options that still flow) which its
    own calculator, from the document's other figures, computes otherwise. A hand-edited
    yield document whose good_dies_per_wafer no longer equals dies_per_wafer x die_yield
    would otherwise feed supply one figure and silently drop the other."""
    upstream = CALCULATORS.get(str(document.get("command")))
    if upstream is None:
        return None
    values, choices, names = _core_values(upstream, document)
    chosen = tuple(sorted(choices.items()))
    model = model_for(upstream)
    for result, option in used:
        quantity = next((r.core for r in upstream.results if r.name == result), None)
        if option not in kept or quantity not in values:
            continue
        others = {name: value for name, value in values.items() if name != quantity}
        plan = model.plan(others, chosen)
        if quantity not in plan.known:
            continue
        try:
            known, _ = rel.evaluate(plan, others, choices, model.defaults)
        except ModeError:  # a die count beyond its budget: the document is not checked
            continue
        computed, given = float(np.ravel(known[quantity])[0]), float(values[quantity][0])
        if abs(computed - given) <= rel.RELATIVE_TOLERANCE * max(abs(computed), abs(given)):
            continue
        *sources, last = [names[q] for q in sorted(plan.depends[quantity] & set(others))]
        return (
            f"--input: {upstream.name}'s results disagree: {result} is "
            f"{shown(upstream, quantity, given)}, but its "
            f"{' and '.join([', '.join(sources), last] if sources else [last])} give "
            f"{shown(upstream, quantity, computed)} ({calc.name} would take one and drop the "
            f"other); correct the document (rerun {upstream.name}), or give --{option} yourself"
        )
    return None


def _core_values(
    calc: Calculator, document: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """A document's numbers (inputs and results, centre values) in core units by quantity,
    its choices, and the name each quantity has in the document."""
    values: dict[str, Any] = {}
    choices: dict[str, str] = {}
    names: dict[str, str] = {}
    results = {r.name: r.core for r in calc.results}
    for section in ("inputs", "results"):
        items = document.get(section)
        for name, item in (items if isinstance(items, Mapping) else {}).items():
            if not isinstance(item, Mapping):
                continue
            spec = calc.inputs_by_name.get(str(name))
            value, unit = item.get("value"), item.get("unit", "")
            if spec is not None and spec.kind == "choice" and isinstance(value, str):
                choices[spec.key] = value
                continue
            quantity = spec.core if spec is not None and spec.kind == "number" else None
            quantity = quantity or results.get(str(name))
            if quantity is None or not is_number(value) or not isinstance(unit, str):
                continue
            try:
                core = float(convert(value, unit, display_unit(calc, quantity)[0]))
            except ValueError:  # a unit that does not convert: not compared
                continue
            values[quantity], names[quantity] = np.array([core]), str(name)
    return values, choices, names
