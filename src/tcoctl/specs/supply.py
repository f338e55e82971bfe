"""The ``supply`` calculator: packaged chips, H100e and peak FLOP/s per year from wafer
starts, good dies per wafer, packaging capacity and HBM supply."""

from __future__ import annotations

from dataclasses import replace

from tcoctl.specs.base import GPU, PRECISION, Calculator, Input, Result, share
from tcoctl.specs.dieyield import YIELD

DIRECT = "good-dies-per-wafer"
CAPACITIES = ("wafers-per-month", "dies", "interposers-per-month", "hbm-stacks-per-month")
"""The capacities a stated --chips-per-year stands instead of."""
DIE_INPUTS = ("die-size", "die-width", "die-height", "die-area", "defect-density", "die-yield")
"""Inputs that compute good dies per wafer: setting one drops a given --good-dies-per-wafer
(and the other way round)."""


def per_month(name: str, help: str, example: str, quantity: str) -> Input:
    """A rate per month; a bare number is per month, '600000/yr' converts (the core holds
    ``quantity`` per second)."""
    return Input(name, help, example, "1/s", "1/month", bare=True, quantity=quantity)


def from_yield(name: str) -> Input:
    """The ``yield`` calculator's option, which here also stands against good-dies-per-wafer."""
    spec = YIELD.input(name)
    if name in DIE_INPUTS:
        return replace(spec, excludes=(*spec.excludes, DIRECT))
    return spec


BINDING_LABELS = ("dies", "packaging", "hbm")  # as tcoctl.core.supply.LIMITS orders them

SUPPLY = Calculator(
    name="supply",
    help="Chips and compute per year from fab and packaging capacity: the packaged chips "
    "each constraint allows (dies from wafers, CoWoS-class packaging, HBM stacks), which one "
    "binds, and what the chips are worth in H100-equivalents (--basis) and peak FLOP/s.",
    default_preset="smic-7nm",
    piped_preset=True,
    summary="chip supply",
    unit_example="peak_added_per_year=ZFLOP/s",
    complete_example=(
        "--wafers-per-month",
        "1000",
        "--good-dies-per-wafer",
        "50",
        "--interposers-per-month",
        "100",
        "--packages-per-interposer",
        "29",
        "--hbm-stacks-per-month",
        "5000",
        "--hbm-stacks-per-package",
        "5",
        "--gpu",
        "h100-sxm",
    ),
    target="h100e_per_year",
    headline=(
        "h100e_per_year",
        "chips_per_year",
        "binding",
        "peak_added_per_year",
        "chips_from_dies",
        "chips_from_packaging",
        "chips_from_hbm",
        "h100e_per_chip",
        "good_dies_per_wafer",
    ),
    sweep_example="wafers-per-month=1000..50000:25|h100e_per_year=1000000",
    solve_example="wafers-per-month|h100e_per_year=5e5",
    defaults={
        "basis": "bf16",
        "precision": "bf16",
        "months": "12",
        "wafer-share": "1",
        "dies-per-package": "1",
        "packaging-yield": "1",
        **YIELD.defaults,  # the die: wafer size, edge, scribe, notch and yield model
    },
    inputs=(
        per_month("wafers-per-month", "Wafer starts per month on the line.", "50000", "wafer_rate"),
        Input(
            "wafer-share",
            "Fraction of the wafer starts that make this chip.",
            "60..80 %",
            maximum=1.0,
        ),
        Input(
            DIRECT,
            "Good compute dies per wafer, instead of a die size and defect density.",
            "50..80",
            excludes=DIE_INPUTS,
        ),
        *(
            from_yield(name)
            for name in (
                "die-size",
                "die-width",
                "die-height",
                "die-area",
                "defect-density",
                "model",
                "alpha",
                "layers",
                "die-yield",
                "wafer-diameter",
                "edge-exclusion",
                "scribe",
                "notch",
            )
        ),
        Input(
            "dies",
            "Good compute dies made over --months (a stated count, e.g. 2e6), instead of "
            "wafer starts and good dies per wafer.",
            "2e6",
            whole=True,
            excludes=("wafers-per-month", DIRECT, *DIE_INPUTS, "chips-per-year"),
        ),
        Input("dies-per-package", "Compute dies per packaged chip (B200: 2).", "2", whole=True),
        per_month(
            "interposers-per-month",
            "CoWoS-class interposer wafers per month.",
            "35000..40000",
            "interposer_rate",
        ),
        Input("packages-per-interposer", "Packages cut from one interposer wafer.", "29"),
        Input("packaging-yield", "Fraction of packages that work.", "0.9", maximum=1.0),
        per_month(
            "hbm-stacks-per-month", "HBM stacks supplied per month.", "1e6", "hbm_stack_rate"
        ),
        Input("hbm-stacks-per-package", "HBM stacks on one packaged chip.", "8", whole=True),
        Input(
            "months",
            "Months of output counted in chips_in_period and h100e_in_period (default 12: a "
            "year), in months unless a unit is given; the per-year results stay per year.",
            "6",
            "s",
            "month",
            bare=True,
            quantity="period",
        ),
        Input(
            "chips-per-year",
            "A stated supply (imports, shipments), instead of capacities.",
            "1000000",
            excludes=CAPACITIES,
        ),
        GPU,
        Input(
            "basis",
            "What makes a chip H100-equivalent: dense BF16 FLOP/s, dense FP8 FLOP/s, or "
            "memory bandwidth.",
            "bf16",
            kind="choice",
            choices=("bf16", "fp8", "bandwidth"),
        ),
        PRECISION,
    ),
    results=(
        Result("h100e_per_year", "Packaged chips x H100-equivalents per chip, on --basis, a year."),
        Result(
            "chips_per_year",
            "Packaged chips a year: the least of the constraints given (a rate; --months "
            "does not change it).",
            echo=True,
        ),
        Result(
            "binding",
            "The constraint that gives the least chips: 0 dies, 1 packaging, 2 hbm (the name "
            "is shown, and is the JSON 'label').",
            labels=BINDING_LABELS,
        ),
        Result(
            "peak_added_per_year",
            "Dense peak FLOP/s of a year's chips, at --precision.",
            "FLOP/s",
            "EFLOP/s",
        ),
        Result("chips_from_dies", "Chips a year the good dies allow."),
        Result("chips_from_packaging", "Chips a year the interposers allow."),
        Result("chips_from_hbm", "Chips a year the HBM stacks allow."),
        Result("h100e_per_chip", "One chip in H100s, on --basis."),
        Result("good_dies_per_wafer", "Good dies per wafer, from the die size and yield."),
        Result("dies_per_wafer", "Whole dies on the usable wafer, counted die by die."),
        share("die_yield", "Defect-limited die yield under --model."),
        Result("chips_in_period", "Packaged chips over --months (12: a year's)."),
        Result("h100e_in_period", "H100-equivalents of the chips over --months."),
        Result("dies", "Good compute dies the wafers give over --months."),
    ),
)
