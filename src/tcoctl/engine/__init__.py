"""The engine: from checked inputs to results in core units, in layers (each module imports
only those above it in this list):

- ``inputs``: one value as text to a checked ``Given``; hardware presets' figures;
- ``model``: a calculator's relations, defaults, valid ranges, and the results it reports;
- ``messages``: problems and missing inputs, worded for people in display units;
- ``goalseek``: the input that makes a result equal a target;
- ``evaluation``: the numpy core run once over rows x range corners x samples;
- ``outlines``: what a scenario's inputs determine, symbolically;
- ``scenarios``: a scenario's inputs from presets (and their references), flags, defaults;
- ``upstream``: a piped document's figures checked against its own calculator.

The names below are the engine's interface to the pipeline and the API.
"""

from tcoctl.engine.evaluation import (
    RunOptions,
    Table,
    central_known,
    core_call,
    evaluate,
    factorize,
    grid_design,
    groups,
    moving_inputs,
    ranged_keys,
    run_group,
    run_rows,
    run_table,
    stacked_columns,
    tornado,
)
from tcoctl.engine.goalseek import goal_seek, preferred_unknown
from tcoctl.engine.inputs import (
    Array,
    Bounds,
    Given,
    centres,
    check,
    check_alternatives,
    checked_span,
    default_given,
    describe_range,
    expand,
    gpu_figures,
    gpu_price,
    has_range,
    preset_ranges_at_midpoint,
    put,
    refusal,
    rule_figures,
    swapped_refused,
)
from tcoctl.engine.messages import NothingComputed, describe, nothing_computed, public_name, shown
from tcoctl.engine.model import (
    PERCENTILE_KEYS,
    PERCENTILES,
    Solve,
    Summary,
    bounds_for,
    display_unit,
    known_quantities,
    model_for,
    reported_results,
    results_of,
)
from tcoctl.engine.outlines import Outline, outline
from tcoctl.engine.scenarios import (
    for_gpu,
    gather,
    mark_kept,
    peak_formats,
    preset_layer,
    rederive,
    reset_by,
    resolve,
    variants,
    without_given_defaults,
    without_unknown,
)
from tcoctl.engine.upstream import disagreement

__all__ = [
    "PERCENTILES",
    "PERCENTILE_KEYS",
    "Array",
    "Bounds",
    "Given",
    "NothingComputed",
    "Outline",
    "RunOptions",
    "Solve",
    "Summary",
    "Table",
    "bounds_for",
    "central_known",
    "centres",
    "check",
    "check_alternatives",
    "checked_span",
    "core_call",
    "default_given",
    "describe",
    "describe_range",
    "disagreement",
    "display_unit",
    "evaluate",
    "expand",
    "factorize",
    "for_gpu",
    "gather",
    "goal_seek",
    "gpu_figures",
    "gpu_price",
    "grid_design",
    "groups",
    "has_range",
    "known_quantities",
    "mark_kept",
    "model_for",
    "moving_inputs",
    "nothing_computed",
    "outline",
    "peak_formats",
    "preferred_unknown",
    "preset_layer",
    "preset_ranges_at_midpoint",
    "public_name",
    "put",
    "ranged_keys",
    "rederive",
    "refusal",
    "reported_results",
    "reset_by",
    "resolve",
    "results_of",
    "rule_figures",
    "run_group",
    "run_rows",
    "run_table",
    "shown",
    "stacked_columns",
    "swapped_refused",
    "tornado",
    "variants",
    "without_given_defaults",
    "without_unknown",
]
