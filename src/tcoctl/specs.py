"""What each calculator takes and gives: option names, core and display units, valid ranges
and examples. Pure data, importable without numpy or pint so that ``--help`` stays fast."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class Input:
    """One option of a calculator.

    ``unit`` is the core unit the numpy model receives ('' for a plain number); ``display`` is
    the unit shown back to the user. ``kind`` is ``number``, ``choice`` (one of ``choices``) or
    ``gpu`` (a hardware preset name). Numbers must lie in [minimum, maximum]; ``positive``
    excludes zero. ``bare`` lets a plain number stand for a quantity in ``display`` (counts of
    tokens, die sizes in mm). ``excludes`` names alternative inputs: setting this one in a
    later layer (a flag over a preset, a preset over the one it extends) drops them.
    """

    name: str
    help: str
    example: str
    unit: str = ""
    display: str = ""
    kind: str = "number"
    choices: tuple[str, ...] = ()
    minimum: float = 0.0
    maximum: float | None = None
    positive: bool = True
    bare: bool = False
    excludes: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    """For kind ``size``: the two inputs a ``WxH`` value sets."""
    keeps: tuple[str, ...] = ()
    """Inputs that still come from the preset when this one is given as an option: the run
    warns, since they usually belong together (a GPU and its price)."""
    whole: bool = False
    """A count that must be a whole number."""
    quantity: str = ""
    """The core quantity this option sets (default: its key); a ``gpu`` sets the GPU's figures
    (gpu_bf16, gpu_peak, ...)."""

    @property
    def key(self) -> str:
        return self.name.replace("-", "_")

    @property
    def sets(self) -> tuple[str, ...]:
        """The core quantities this option gives."""
        if self.kind == "gpu":
            return GPU_QUANTITIES
        if self.kind == "size":
            return tuple(part.replace("-", "_") for part in self.parts)
        if self.kind == "file":
            return ("steps", "step_yield")
        if self.kind == "choice":
            return ()
        return (self.quantity or self.key,)

    @property
    def core(self) -> str:
        """The core quantity of a number option."""
        return self.quantity or self.key


@dataclass(frozen=True)
class Result:
    """One result: its core unit and the unit shown in tables and JSON."""

    name: str
    help: str
    unit: str = ""
    display: str = ""
    quantity: str = ""
    """The core quantity (default: the name); differs where the public name says hours or
    years and the core holds seconds."""
    maximum: float | None = None
    """Largest meaningful value (a yield of 1): rows above it fail with ``hint``."""
    hint: str = ""
    echo: bool = False
    """Reported even when it is an input given as it is (not only when derived)."""

    @property
    def core(self) -> str:
        return self.quantity or self.name


@dataclass(frozen=True)
class Calculator:
    """A command: its inputs and results (its relations live in tcoctl.core, registered in
    tcoctl.core.MODELS) and the preset used when none is named. With ``preset_is_base`` that
    preset underlies every run and each flag overrides one value; otherwise it is used only
    when no input is given at all."""

    name: str
    help: str
    inputs: tuple[Input, ...]
    results: tuple[Result, ...]
    default_preset: str
    preset_is_base: bool = False
    defaults: dict[str, str] = field(default_factory=dict)
    """Values used when neither preset nor flag gives one, as typed on the command line: a
    choice always; a number only when the relations need it and nothing else gives it."""
    shares: tuple[tuple[str, str], ...] = ()
    """(result, label) pairs drawn as a sorted bar chart in the table view."""
    explain: bool = False
    """Whether ``--explain`` prints the formula chain (tcoctl.cli.views)."""
    target: str = ""
    """The result that tornado and sweep charts show unless --target names another."""
    sweep_example: str = ""
    """An example --sweep and --mark for this command's help, ``SWEEP|MARK``."""
    solve_example: str = ""
    """An example --solve and --for, ``INPUT|RESULT=VALUE``."""
    drawing: bool = False
    """Whether ``--map`` draws the scenario (tcoctl.cli.views)."""
    headline: tuple[str, ...] = ()
    """The results that answer the question, most important first: the table view shows
    them before the others."""

    def input(self, name: str) -> Input:
        """The input called ``name`` (option spelling or keyword); KeyError if none."""
        return self.inputs_by_name[name]

    @cached_property
    def inputs_by_name(self) -> dict[str, Input]:
        """Every input under both its option spelling and its keyword."""
        return {
            **{spec.key: spec for spec in self.inputs},
            **{spec.name: spec for spec in self.inputs},
        }

    def result(self, name: str) -> Result:
        for spec in self.results:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @cached_property
    def number_inputs(self) -> dict[str, Input]:
        """Number options by the core quantity they set."""
        return {spec.core: spec for spec in self.inputs if spec.kind == "number"}


GPU = Input("gpu", "Hardware preset (see `tcoctl presets list`).", "h100-sxm", kind="gpu")
PRECISION = Input(
    "precision",
    "Which dense peak the FLOP/s refer to.",
    "bf16",
    kind="choice",
    choices=("bf16", "fp8", "fp4"),
)
COUNT = Input("count", "Number of GPUs (a plain number or LOW..HIGH).", "100000", whole=True)
POWER = Input("power", "All-in IT power per GPU (GPU, host share, network).", "1.275 kW", "W", "W")
LOAD = Input("load", "Average draw as a fraction of --power.", "0.75", maximum=1.0)
PUE = Input(
    "pue",
    "Power usage effectiveness, facility / IT energy (>= 1).",
    "1.2",
    minimum=1.0,
    positive=False,
)
ELECTRICITY = Input(
    "electricity", "Electricity price.", "0.08 USD/kWh", "USD/J", "USD/kWh", positive=False
)
"""Options shared by several calculators: one definition each, so their limits agree."""

ITEMS = (
    ("servers", "GPU servers"),
    ("network", "network"),
    ("facility", "data centre"),
    ("power", "electricity"),
    ("other_opex", "other opex"),
)

FLOPS = Calculator(
    name="flops",
    help="Training compute, GPU-time, throughput, energy and cost, solved in whichever "
    "direction the inputs allow: 6 x params x tokens, GPUs x time x peak x MFU, a --budget "
    "with two of count, duration and MFU, or --solve for any input.",
    default_preset="run-1e30",
    target="duration",
    headline=("total_flop", "duration", "gpu_hours", "energy", "cost"),
    sweep_example="mfu=0.3..0.5:20|duration=100 day",
    solve_example="count|duration=90 day",
    defaults={"precision": "bf16", "flop-per-param-token": "6", "load": "1", "pue": "1"},
    inputs=(
        replace(GPU, excludes=("peak",)),
        PRECISION,
        Input(
            "peak",
            "Per-GPU dense peak, instead of --gpu.",
            "989 TFLOP/s",
            "FLOP/s",
            "TFLOP/s",
            excludes=("gpu",),
        ),
        COUNT,
        Input("duration", "Wall-clock training time.", "90 day", "s", "day"),
        Input("mfu", "Model FLOP utilisation, a fraction or %.", "40 %", maximum=1.0),
        Input(
            "gpu-hours",
            "GPU time, instead of --count and --duration.",
            "3e7 h",
            "s",
            "h",
            quantity="gpu_time",
        ),
        Input(
            "budget",
            "Training compute to reach.",
            "1e30 FLOP",
            "FLOP",
            "FLOP",
            quantity="total_flop",
        ),
        Input("params", "Parameters (active, for a mixture of experts).", "405e9"),
        Input("tokens", "Training tokens.", "15.6e12", "token", "token", bare=True),
        Input(
            "flop-per-param-token",
            "Training FLOP per parameter per token: 6, or 8 with full activation "
            "recomputation (Megatron-LM).",
            "8",
            maximum=100.0,
        ),
        Input(
            "gpu-throughput",
            "Training throughput per GPU, instead of --mfu.",
            "400 token/s",
            "token/s",
            "token/s",
            bare=True,
        ),
        Input(
            "cluster-throughput",
            "Training throughput of the whole cluster.",
            "3e6 token/s",
            "token/s",
            "token/s",
            bare=True,
        ),
        replace(POWER, example="1.7 kW"),
        PUE,
        replace(LOAD, help="Average draw as a fraction of --power (default 1)."),
        ELECTRICITY,
        Input("price", "Price per GPU-hour, excluding electricity.", "2 USD/h", "USD/s", "USD/h"),
    ),
    results=(
        Result("total_flop", "Training compute.", "FLOP", "FLOP", echo=True),
        Result("gpu_hours", "GPU time.", "s", "h", quantity="gpu_time", echo=True),
        Result("duration", "Wall-clock time.", "s", "day", echo=True),
        Result("count", "GPUs.", echo=True),
        Result(
            "mfu",
            "Model FLOP utilisation.",
            echo=True,
            hint="the budget needs an MFU above 1 with that GPU time: give more GPUs or more time",
        ),
        Result("params", "Parameters."),
        Result("tokens", "Training tokens.", "token", "token"),
        Result("gpu_throughput", "Training tokens per second per GPU.", "token/s", "token/s"),
        Result("cluster_throughput", "Training tokens per second, all GPUs.", "token/s", "token/s"),
        Result(
            "h100e_years",
            "GPU time in H100 SXM-years at the same precision.",
            "s",
            "year",
            quantity="h100e_time",
        ),
        Result("energy", "Facility energy: GPU time x power x load x PUE.", "J", "GWh"),
        Result("facility_power", "Facility power draw (GPUs x power x PUE).", "W", "MW"),
        Result("cost", "GPU time x price + energy x electricity price.", "USD", "USD"),
    ),
)

H100E = Calculator(
    name="h100e",
    help="H100-equivalents of a fleet (--gpu, --count) on a --basis, of a --capacity "
    "figure, or of a stated speed-up (--factor).",
    default_preset="frontier-2025",
    target="h100e",
    headline=("h100e", "h100e_bf16", "h100e_fp8", "h100e_bandwidth", "ratio_bf16"),
    sweep_example="count=100000..1000000:10|h100e=1000000",
    solve_example="count|h100e=1000000",
    defaults={"basis": "bf16", "precision": "bf16"},
    inputs=(
        GPU,
        COUNT,
        Input(
            "basis",
            "What makes two chips equivalent: dense BF16 FLOP/s, dense FP8 "
            "FLOP/s, memory bandwidth, or all three side by side.",
            "bf16",
            kind="choice",
            choices=("bf16", "fp8", "bandwidth", "all"),
        ),
        Input(
            "capacity", "A fleet's compute capacity to convert.", "8 EFLOP/s", "FLOP/s", "EFLOP/s"
        ),
        PRECISION,
        Input("factor", "A stated speed-up over an H100 per GPU.", "2..3"),
    ),
    results=(
        Result("h100e", "H100 SXM-equivalents."),
        Result("h100e_bf16", "H100e on dense BF16 FLOP/s."),
        Result("h100e_fp8", "H100e on dense FP8 FLOP/s."),
        Result("h100e_bandwidth", "H100e on memory bandwidth."),
        Result("ratio_bf16", "One chip in H100s, on dense BF16 FLOP/s."),
        Result("ratio_fp8", "One chip in H100s, on dense FP8 FLOP/s."),
        Result("ratio_bandwidth", "One chip in H100s, on memory bandwidth."),
        Result("count", "GPUs."),
        Result("peak_compute", "The fleet's dense peak at --precision.", "FLOP/s", "EFLOP/s"),
    ),
)

TCO = Calculator(
    name="tco",
    help="Total cost of ownership of a GPU cluster: annual cost by line item and share, "
    "cost per GPU-hour and per million tokens, power and energy.",
    default_preset="frontier-2024",
    target="cost_per_gpu_hour",
    headline=("cost_per_gpu_hour", "total_annual_cost", "gpu_share", "power_share"),
    sweep_example="electricity=0.02..0.40USD/kWh:50|power_share=0.15",
    solve_example="electricity|power_share=0.15",
    preset_is_base=True,
    shares=tuple((f"{item}_share", label) for item, label in ITEMS),
    explain=True,
    inputs=(
        Input("gpus", "Number of GPUs.", "100000", excludes=("site-power",), whole=True),
        Input(
            "site-power",
            "Facility power that sets the GPU count (instead of --gpus).",
            "1 GW",
            "W",
            "MW",
            excludes=("gpus",),
        ),
        Input(
            "gpu",
            "Hardware preset. Given as an option, it also sets --power to its TDP x 1.82 (the "
            "DGX H100 ratio) unless --power is given; --gpu-price stays yours to set.",
            "h100-sxm",
            kind="gpu",
            excludes=("power",),
            keeps=("gpu-price", "network-cost"),
        ),
        Input(
            "gpu-price",
            "GPU server capex per GPU (GPU plus its share of the host).",
            "33750 USD",
            "USD",
            "USD",
        ),
        Input("network-cost", "Network capex per GPU.", "6600 USD", "USD", "USD", positive=False),
        Input(
            "facility-cost",
            "Data-centre build cost per kW of IT power.",
            "11700 USD/kW",
            "USD/W",
            "USD/kW",
            positive=False,
        ),
        Input("facility-life", "Data-centre amortisation life.", "20 yr", "s", "yr"),
        POWER,
        LOAD,
        PUE,
        ELECTRICITY,
        Input("life", "Server depreciation life.", "5 yr", "s", "yr"),
        Input(
            "rate",
            "Cost of capital per year, a fraction or % (0 means straight-line).",
            "10 %",
            positive=False,
            maximum=1.0,
        ),
        Input("utilization", "Fraction of hours doing useful work.", "0.9", maximum=1.0),
        Input(
            "other-opex",
            "Other opex per GPU per year (maintenance, staff, software).",
            "1000 USD/yr",
            "USD/s",
            "USD/yr",
            positive=False,
        ),
        Input(
            "tokens-per-second",
            "Throughput per GPU, for cost per million tokens.",
            "1000 token/s",
            "token/s",
            "token/s",
            bare=True,
        ),
    ),
    results=(
        *(
            Result(
                f"{item}_annual",
                f"Annual cost: {label}.",
                "USD/s",
                "USD/yr",
                quantity=f"{item}_cost_rate",
            )
            for item, label in ITEMS
        ),
        *(Result(f"{item}_share", f"Share of annual cost: {label}.") for item, label in ITEMS),
        Result("gpu_share", "Share of annual cost: GPU hardware (servers and network)."),
        Result("total_annual_cost", "Total annual cost.", "USD/s", "USD/yr", "total_cost_rate"),
        Result("total_cost", "Total cost over the server life.", "USD", "USD"),
        Result(
            "cost_per_gpu_hour", "Cost per useful GPU-hour.", "USD/s", "USD/h", "cost_per_gpu_time"
        ),
        Result(
            "cost_per_million_tokens",
            "Cost per million tokens.",
            "USD/token",
            "USD/Mtoken",
            "cost_per_token",
        ),
        Result(
            "gpus",
            "GPUs.",
            hint="the site power holds no whole GPU at this power and PUE",
            echo=True,
        ),
        Result(
            "power_per_gpu",
            "All-in IT power per GPU (--power, or TDP x 1.82).",
            "W",
            "W",
            "power",
            echo=True,
        ),
        Result("it_power", "IT power (GPUs x power).", "W", "MW"),
        Result("facility_power", "Facility power (IT power x PUE).", "W", "MW"),
        Result(
            "annual_energy",
            "Facility energy per year (IT x load x PUE).",
            "W",
            "GWh/yr",
            "energy_rate",
        ),
    ),
)


YIELD_MODELS = (
    "poisson",
    "murphy",
    "rectangular",
    "moore",
    "seeds",
    "negative-binomial",
    "bose-einstein",
)
"""The defect-limited yield models of tcoctl.core.dieyield (named as in the README)."""


def length(name: str, help: str, example: str, **settings: Any) -> Input:
    """A length option read in mm when a bare number is given."""
    return Input(name, help, example, "m", "mm", bare=True, **settings)


YIELD = Calculator(
    name="yield",
    help="Die yield: compounded line yield, dies per wafer (exact and formula), "
    "defect-limited yield under seven models, good dies, cost per good die, and the inverse "
    "(what a good-die count implies).",
    default_preset="smic-7nm",
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
        Result("dies_per_wafer", "Whole dies on the usable wafer, counted die by die."),
        Result("dies_per_wafer_formula", "The classic approximation, for comparison."),
        Result("die_yield", "Defect-limited die yield under --model."),
        Result("defect_density", "Defect density D0.", "1/m^2", "1/cm^2"),
        Result("die_area", "Die area.", "m^2", "mm^2"),
        Result("good_dies_per_wafer", "Expected good dies per wafer (may be fractional)."),
        Result("cost_per_good_die", "Wafer cost / good dies.", "USD", "USD"),
        Result(
            "implied_yield",
            "Good dies / (dies per wafer x known yields).",
            maximum=1.0,
            hint="the good dies are more than the whole dies that fit",
        ),
        Result(
            "implied_defect_density",
            "D0 that gives the implied yield under --model.",
            "1/m^2",
            "1/cm^2",
        ),
        Result(
            "implied_step_yield",
            "Per-step yield that gives the implied yield.",
            maximum=1.0,
            hint="the good dies are more than the whole dies that fit",
        ),
    ),
)

CALCULATORS: dict[str, Calculator] = {calc.name: calc for calc in (FLOPS, H100E, TCO, YIELD)}

GPU_FIELDS = (
    Input("bf16", "Dense BF16 peak.", "989.4 TFLOP/s", "FLOP/s", "TFLOP/s"),
    Input("fp8", "Dense FP8 peak.", "1979 TFLOP/s", "FLOP/s", "TFLOP/s"),
    Input("fp4", "Dense FP4 peak.", "9 PFLOP/s", "FLOP/s", "TFLOP/s"),
    Input("memory", "HBM capacity.", "80 GB", "B", "GB"),
    Input("bandwidth", "HBM bandwidth.", "3.35 TB/s", "B/s", "TB/s"),
    Input("tdp", "Board power (TDP).", "700 W", "W", "W"),
)
"""The figures a ``kind = "gpu"`` preset holds; all but bf16 may be absent."""
GPU_QUANTITIES = ("gpu_peak", *(f"gpu_{spec.name}" for spec in GPU_FIELDS))
"""What a ``--gpu`` gives the relations: each figure, and the peak at --precision."""
REFERENCE_GPU = "h100-sxm"
"""The H100-equivalent: its figures are the ``ref_*`` quantities of every calculator."""
