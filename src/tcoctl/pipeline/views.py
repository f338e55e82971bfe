"""Views a calculator may offer beside its results, in an explicit registry: ``--map`` (a
drawing of the scenario; ``--explain``, which every calculator has, is tcoctl.pipeline.explain).
Each takes the central inputs and results in core units, keyed by core quantity."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from tcoctl.core.dieyield import die_map
from tcoctl.errors import UsageError


def die_mm(inputs: Mapping[str, float]) -> tuple[float, float] | None:
    """Die width and height in mm from the central inputs (a square die for --die-area)."""
    if "die_width" in inputs:
        return 1e3 * inputs["die_width"], 1e3 * inputs.get("die_height", inputs["die_width"])
    if "die_area" in inputs:
        side = 1e3 * math.sqrt(inputs["die_area"])
        return side, side
    return None


def wafer_drawing(
    inputs: Mapping[str, float], results: Mapping[str, float], seed: int
) -> tuple[Any, dict[str, Any]]:
    """The wafer map (a rich renderable) and its counts for JSON."""
    from tcoctl.charts import wafer_map  # charts load rich: only for --map

    size = die_mm(inputs)
    if size is None:
        raise UsageError("--map needs a die: --die-size, --die-width/--die-height or --die-area")
    state, whole = die_map(
        inputs["wafer_diameter"],
        inputs["edge_exclusion"],
        size[0] / 1e3,
        size[1] / 1e3,
        inputs["scribe"],
        inputs["notch"],
        results.get("die_yield", 1.0),
        seed,
    )
    counts = {
        "good": int((state == 2).sum()),
        "defective": int((state == 3).sum()),
        "edge": int((state == 1).sum()),
        "whole_dies": whole,
    }
    return wafer_map(state, counts, seed), counts


def drawings() -> dict[str, Callable[..., tuple[Any, dict[str, Any]]]]:
    """``--map`` by calculator."""
    return {"yield": wafer_drawing}
