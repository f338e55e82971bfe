"""The ``yield`` calculator: line yield, dies per wafer, defect-limited yield, good dies."""

from __future__ import annotations

from typing import Any

from tcoctl.core.constants import DOES_NOT_FIT, OFFSET_STEPS, YIELD_MODELS
from tcoctl.specs.base import Calculator, Input, Result, share


def length(name: str, help: str, example: str, **settings: Any) -> Input:
    """A length option read in mm when a bare number is given."""
    return Input(name, help, example, "m", "mm", bare=True, **settings)


MORE_GOOD_THAN_WHOLE = (
    "the good dies are more than the whole dies that fit; give fewer, or a smaller die, "
    "e.g. --good-dies 10"
)
"""Why an implied yield above 1 is refused (a stated good-die count on a die too large)."""

YIELD = Calculator(
    name="yield",
    help="Die yield: compounded line yield, dies per wafer (exact and formula), "
    "defect-limited yield under seven models, good dies, cost per good die, and the inverse "
    "(what a good-die count implies).",
    default_preset="smic-7nm",
    summary="die yield",
    unit_example="cost_per_good_die=kUSD",
    complete_example=(
        "--die-size",
        "26x31",
        "--steps",
        "1000",
        "--step-yield",
        "0.99",
        "--defect-density",
        "0.1",
    ),
    target="good_dies_per_wafer",
    headline=(
        "good_dies_per_wafer",
        "die_yield",
        "dies_per_wafer",
        "cost_per_good_die",
        "line_yield",
        "required_step_yield",
        "implied_yield",
        "implied_defect_density",
    ),
    sweep_example="defect-density=0.05..0.5/cm^2:20|die_yield=0.5",
    solve_example="defect-density|die_yield=0.8",
    defaults={
        "model": "poisson",
        "wafer-diameter": "300 mm",
        "edge-exclusion": "3 mm",
        "scribe": "0.1 mm",
        "notch": "0 mm",
    },
    drawing=True,
    inputs=(
        Input("steps", "Process steps, for the compounded line yield.", "1000", whole=True),
        Input("step-yield", "Yield of each step, a fraction or %.", "99 %", maximum=1.0),
        Input(
            "target-yield",
            "Line yield to reach: gives the per-step yield needed.",
            "50 %",
            maximum=1.0,
        ),
        Input(
            "step-file",
            "File of per-step yields, one per line or TOML 'yields = [...]'.",
            "steps.txt",
            kind="file",
            excludes=("steps", "step-yield"),
        ),
        Input(
            "die-size",
            "Die width x height, in mm unless a unit is given.",
            "26x31.3",
            kind="size",
            parts=("die-width", "die-height"),
            excludes=("die-area",),
        ),
        length(
            "die-width", "Die width, in mm unless a unit is given.", "26 mm", excludes=("die-area",)
        ),
        length(
            "die-height",
            "Die height, in mm unless a unit is given.",
            "31.3 mm",
            excludes=("die-area",),
        ),
        Input(
            "die-area",
            "Die area (a square die), in mm^2 unless a unit is given.",
            "814 mm^2",
            "m^2",
            "mm^2",
            bare=True,
            excludes=("die-width", "die-height"),
        ),
        length("wafer-diameter", "Wafer diameter, in mm unless a unit is given.", "300 mm"),
        Input(
            "dies-per-wafer",
            "A stated count of dies per wafer (a textbook's, a foundry's): good dies use it "
            "instead of a count from the die size; with a die size, at most what the usable "
            "wafer holds by area.",
            "270",
            whole=True,
            excludes=("dies-per-wafer-method",),
        ),
        Input(
            "dies-per-wafer-method",
            "How good dies count the dies per wafer: count (whole dies on the best of the "
            f"{OFFSET_STEPS} x {OFFSET_STEPS} grid offsets tried, which can miss up to ~2 % of "
            "the best placement; the "
            "default), formula (pi (d/2)^2 / S - pi d / sqrt(2 S) on the usable wafer and the "
            "die pitch) or textbook (the same formula on the whole wafer and the bare die, no "
            "edge exclusion or scribe, as Hennessy & Patterson apply it).",
            "textbook",
            kind="choice",
            choices=("count", "formula", "textbook"),
        ),
        length("edge-exclusion", "Unusable ring at the wafer edge.", "3 mm", positive=False),
        length("scribe", "Scribe street between dies.", "0.1 mm", positive=False),
        length(
            "notch", "Depth of the notch or flat band at the wafer edge.", "0 mm", positive=False
        ),
        Input(
            "defect-density",
            "Defect density D0, per cm^2 unless a unit is given.",
            "0.1/cm^2",
            "1/m^2",
            "1/cm^2",
            positive=False,
            bare=True,
        ),
        Input(
            "model",
            "Defect-limited yield model.",
            "poisson",
            kind="choice",
            choices=YIELD_MODELS,
        ),
        Input("alpha", "Defect clustering of the negative-binomial model.", "3"),
        Input(
            "layers",
            "Process-complexity factor N of the Bose-Einstein model (about the critical "
            "layers; Hennessy & Patterson use 13.5).",
            "13.5",
        ),
        Input(
            "wafer-yield", "Fraction of wafers that survive the line whole.", "0.95", maximum=1.0
        ),
        Input("wafer-cost", "Price of a processed wafer.", "16988 USD", "USD", "USD"),
        Input("good-dies", "Observed good dies per wafer: gives the implied yields.", "50..80"),
        Input(
            "dies",
            "Good dies wanted in total (a die count, e.g. 2e6): gives the wafers needed.",
            "2e6",
            excludes=("wafers",),
        ),
        Input(
            "wafers",
            "Wafers started: gives the good dies they yield.",
            "1000",
            excludes=("dies",),
        ),
        Input("cores", "Identical cores on the die, spares included (144 SMs).", "144", whole=True),
        Input(
            "cores-needed",
            "Cores that must work for the die to be good (132 SMs enabled): with --cores, the "
            "yield with spare cores.",
            "132",
            whole=True,
        ),
        Input(
            "core-yield",
            "Yield of one core, a fraction or % (or give --core-area and the defect density).",
            "99.5 %",
            maximum=1.0,
        ),
        Input(
            "core-area",
            "Area of one core, in mm^2 unless a unit is given: its yield under --model, and "
            "the rest of the die's.",
            "6 mm^2",
            "m^2",
            "mm^2",
            bare=True,
        ),
        Input(
            "line-yield",
            "Compounded line yield, instead of --steps and --step-yield.",
            "0.9",
            maximum=1.0,
        ),
        Input(
            "die-yield", "Defect-limited die yield: gives the defect density.", "80 %", maximum=1.0
        ),
    ),
    results=(
        Result("line_yield", "Compounded line yield, step_yield ^ steps."),
        Result("required_step_yield", "Per-step yield needed for --target-yield."),
        Result(
            "dies_per_wafer",
            "Dies per wafer good dies use: whole dies on the usable wafer counted die by die, "
            "or by --dies-per-wafer-method.",
            hint=DOES_NOT_FIT,
        ),
        Result("dies_per_wafer_formula", "The classic approximation, for comparison."),
        share("die_yield", "Defect-limited die yield under --model."),
        Result("defect_density", "Defect density D0.", "1/m^2", "1/cm^2"),
        Result("die_area", "Die area.", "m^2", "mm^2"),
        Result(
            "good_dies_per_wafer",
            "Expected good dies per wafer (may be fractional); with no yield given, every "
            "die that fits (a warning says so).",
        ),
        Result("cost_per_good_die", "Wafer cost / good dies.", "USD", "USD"),
        Result("wafers", "Wafers needed for --dies good dies."),
        Result("dies", "Good dies from --wafers wafers."),
        share("core_yield", "Yield of one core under --model (core area x defect density)."),
        share(
            "yield_with_spares",
            "Die yield with spare cores: at least --cores-needed of --cores good (binomial "
            "sum over the core yield), times the yield of the rest of the die; good dies use it.",
        ),
        share(
            "implied_yield",
            "Good dies / (dies per wafer x known yields).",
            hint=MORE_GOOD_THAN_WHOLE,
        ),
        Result(
            "implied_defect_density",
            "D0 that gives the implied yield under --model.",
            "1/m^2",
            "1/cm^2",
        ),
        share(
            "implied_step_yield",
            "Per-step yield that gives the implied yield.",
            hint=MORE_GOOD_THAN_WHOLE,
        ),
    ),
)
