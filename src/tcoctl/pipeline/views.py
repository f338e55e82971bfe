"""``--map``: the drawing of one scenario a calculator's model declares (core.relations
.Drawing, as a relation declares its Work), offered where the spec says so
(Calculator.drawing); ``--explain``, which every calculator has, is tcoctl.pipeline.explain.
The drawing takes the central inputs and results in core units, keyed by core quantity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tcoctl.core import MODELS
from tcoctl.errors import UsageError
from tcoctl.specs import Calculator


def drawing(
    calc: Calculator, inputs: Mapping[str, float], results: Mapping[str, float], seed: int
) -> tuple[Any, dict[str, Any]]:
    """The scenario's drawing (a rich renderable) and its counts for JSON; a usage error
    naming the options that would give it what it needs."""
    from tcoctl.charts import wafer_map  # charts load rich: only for --map

    declared = MODELS[calc.name].drawing
    if declared is None:
        raise UsageError(f"--map: {calc.name} draws no map")
    found = declared.cells(inputs, results, seed)
    if found is None:
        options = [f"--{spec.name}" for spec in calc.inputs if set(spec.sets) & set(declared.needs)]
        ways = f"{', '.join(options[:-1])} or {options[-1]}" if len(options) > 1 else options[0]
        raise UsageError(f"--map needs {' or '.join(declared.needs)}: give {ways}")
    state, counts = found
    return wafer_map(state, counts, seed), counts
