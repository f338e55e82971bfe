"""Edge checks and drawings that need a calculator's central values: the reticle warning and
specific errors of the yield calculator, and its wafer map."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tcoctl.errors import DomainError, UsageError

RETICLE_MM = (26.0, 33.0)
"""Maximum exposure field of current scanners, 26 x 33 mm (ASML NXT/NXE specifications)."""


def die_mm(inputs: Mapping[str, float]) -> tuple[float, float] | None:
    """Die width and height in mm from the central inputs (a square die for --die-area)."""
    if "die_width" in inputs:
        return 1e3 * inputs["die_width"], 1e3 * inputs.get("die_height", inputs["die_width"])
    if "die_area" in inputs:
        side = 1e3 * math.sqrt(inputs["die_area"])
        return side, side
    return None


def flops_checks(inputs: Mapping[str, float], results: Mapping[str, float]) -> list[str]:
    """Refuse a solved MFU above 1: the budget cannot be reached with that GPU time."""
    if "mfu" in results and "mfu" not in inputs and not results["mfu"] <= 1.0:
        raise DomainError(
            "the budget needs an MFU above 1 with that GPU time: give more GPUs "
            "or more time (--count, --duration, --gpu-hours)"
        )
    return []


def yield_checks(inputs: Mapping[str, float], results: Mapping[str, float]) -> list[str]:
    """Warn about dies beyond the reticle; refuse a wafer with no usable area, a die that does
    not fit, or a good-die count above the dies that fit."""
    warnings = []
    diameter_mm = 1e3 * inputs["wafer_diameter"]
    if 2e3 * inputs["edge_exclusion"] >= diameter_mm:
        raise UsageError(
            f"--edge-exclusion: {1e3 * inputs['edge_exclusion']:g} mm leaves no "
            f"usable wafer (less than half of --wafer-diameter {diameter_mm:g} mm)"
        )
    size = die_mm(inputs)
    if size is not None:
        width, height = size
        short_side, long_side = sorted((width, height))
        fits = short_side <= RETICLE_MM[0] * (1 + 1e-9) and long_side <= RETICLE_MM[1] * (1 + 1e-9)
        if not fits:
            warnings.append(
                f"a {width:g} x {height:g} mm die exceeds the 26 x 33 mm reticle "
                "field: it needs stitching or several exposures"
            )
        if results.get("dies_per_wafer", 1.0) == 0:
            usable = 1e3 * (inputs["wafer_diameter"] - 2 * inputs["edge_exclusion"])
            raise UsageError(
                f"--die-size/--die-area: a {width:g} x {height:g} mm die does not fit on the "
                f"usable wafer ({usable:g} mm across); e.g. --die-size 26x33"
            )
    implied = results.get("implied_yield")
    if implied is not None and math.isnan(implied):
        raise DomainError(
            f"--good-dies: {inputs['good_dies']:g} good dies per wafer is more "
            f"than the {results['dies_per_wafer']:g} whole dies that fit"
        )
    return warnings


def wafer_drawing(
    inputs: Mapping[str, float], results: Mapping[str, float], seed: int
) -> tuple[Any, dict[str, Any]]:
    """The wafer map (a rich renderable) and its counts for JSON."""
    from tcoctl.charts import wafer_map
    from tcoctl.core.dieyield import die_map

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
