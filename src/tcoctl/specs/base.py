"""The vocabulary of calculator specs: options (Input), results (Result), commands
(Calculator), the hardware figures a ``--gpu`` gives, and the options several calculators
share (one definition each, so that their limits agree). Pure data, importable without numpy
or pint so that ``--help`` stays fast."""

from __future__ import annotations

import keyword
import math
from dataclasses import dataclass, field
from functools import cached_property


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
    resets: tuple[str, ...] = ()
    """Inputs a preset tied to this one (a model's GPUs per replica): given as an option, it
    drops their preset values and the relations re-derive them by their stated rule; the run
    warns, naming them."""
    whole: bool = False
    """A count that must be a whole number."""
    quantity: str = ""
    """The core quantity this option sets (default: its key); a ``gpu`` sets the GPU's figures
    (gpu_bf16, gpu_peak, ...)."""
    accepts: tuple[str, ...] = ()
    """Results of other calculators, under other names, that feed this option when their
    output flows in (``--input -``; tcoctl.chain): tco's ``gpus`` feeds ``--count``."""
    at_least: str = ""
    """Another number input this one is never below (a replica's GPUs, its expert-parallel
    degree): a goal-seek for this one searches from that input's value up."""
    rule: str = ""
    """For a ``choice`` among rule presets (``kind = "rule"``): the table its presets hold
    (``eccn`` or ``compute``, see RULE_FIELDS); any such preset is a valid value, so that a
    revised rule is a new preset, not a code change."""

    @cached_property
    def key(self) -> str:
        return self.name.replace("-", "_")

    @cached_property
    def sets(self) -> tuple[str, ...]:
        """The core quantities this option gives (each spec's worked out once: the engine
        asks many times a run)."""
        if self.kind == "gpu":
            return GPU_QUANTITIES
        if self.kind == "size":
            return tuple(part.replace("-", "_") for part in self.parts)
        if self.kind == "file":
            return ("steps", "step_yield")
        if self.kind == "choice":
            return tuple(f"rule_{spec.name}" for spec in RULE_FIELDS.get(self.rule, ()))
        return (self.quantity or self.key,)

    @cached_property
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
    minimum: float | None = None
    """Smallest meaningful value (a share's 0): rows below it fail, a goal below it is
    refused."""
    hint: str = ""
    echo: bool = False
    """Reported even when it is an input given as it is (not only when derived)."""
    detail: bool = False
    """A detail the table of a run with no option leaves out, to keep the overview on one
    screen (the ridge point); JSON, CSV and any run with an option show it."""
    labels: tuple[str, ...] = ()
    """For a coded result (supply's binding constraint, inference's decode bound): the name
    of each whole value 0, 1, ...; tables show the name, JSON adds it as ``label`` beside the
    numeric value, and the Python API gives the name."""

    @cached_property
    def core(self) -> str:
        return self.quantity or self.name


def share(name: str, help: str, hint: str = "") -> Result:
    """A result that is a share or a yield: from 0 to 1."""
    return Result(name, help, minimum=0.0, maximum=1.0, hint=hint)


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
    summary: str
    """A few words for the list of calculators in ``tcoctl --help`` ('cluster TCO')."""
    unit_example: str
    """An example --unit, ``RESULT=UNIT``."""
    preset_is_base: bool = False
    fitted: str = ""
    """A preset of defaults fitted on measurements (flops: training-fit) beneath every run:
    each of its figures applies where no preset, option or relation gives its quantity, and
    its origin says so (report.DEFAULTED)."""
    fitted_section: str = ""
    """The calculator whose section of ``fitted`` holds the figures (default: this one's);
    its figures of this calculator's inputs apply (tco and inference: flops' draw fraction)."""
    piped_preset: bool = False
    """A result flowing in from another calculator (a pipe, ``upstream=``) layers over the
    default preset, as a plain run does: supply's preset holds the packaging and HBM limits
    that a die figure from ``yield`` does not replace."""
    defaults: dict[str, str] = field(default_factory=dict)
    """Values used when neither preset nor flag gives one, as typed on the command line: a
    choice always; a number only when the relations need it and nothing else gives it."""
    shares: tuple[tuple[str, str], ...] = ()
    """(result, label) pairs drawn as a sorted bar chart in the table view."""
    target: str = ""
    """The result that tornado and sweep charts show unless --target names another."""
    sweep_example: str = ""
    """An example --sweep and --mark for this command's help, ``SWEEP|MARK``."""
    solve_example: str = ""
    """An example --solve and --for, ``INPUT|RESULT=VALUE``."""
    complete_example: tuple[str, ...] = ()
    """Options that make a complete scenario without the default preset, as typed on the
    command line (empty when that preset underlies every run): tests build on it."""
    drawing: bool = False
    """Whether ``--map`` draws the scenario (tcoctl.pipeline.views)."""
    headline: tuple[str, ...] = ()
    """The results that answer the question, most important first: the table view shows
    them before the others."""

    def input(self, name: str) -> Input:
        """The input called ``name`` (option spelling or keyword); KeyError if none."""
        return self.inputs_by_name[name]

    @property
    def api_name(self) -> str:
        """The Python API function's name: the command's, with an underscore after a Python
        keyword (``yield_``)."""
        return f"{self.name}_" if keyword.iskeyword(self.name) else self.name

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

    @property
    def has_money(self) -> bool:
        """Whether a result is an amount of money (so --currency applies)."""
        return any("USD" in spec.unit for spec in self.results)

    @cached_property
    def number_inputs(self) -> dict[str, Input]:
        """Number options by the core quantity they set."""
        return {spec.core: spec for spec in self.inputs if spec.kind == "number"}


GPU_FIELDS = (
    Input("bf16", "Dense BF16 peak.", "989.4 TFLOP/s", "FLOP/s", "TFLOP/s"),
    Input("fp8", "Dense FP8 peak.", "1979 TFLOP/s", "FLOP/s", "TFLOP/s"),
    Input("fp4", "Dense FP4 peak.", "9 PFLOP/s", "FLOP/s", "TFLOP/s"),
    Input("memory", "HBM capacity.", "80 GB", "B", "GB"),
    Input("bandwidth", "HBM bandwidth.", "3.35 TB/s", "B/s", "TB/s"),
    Input("tdp", "Board power (TDP).", "700 W", "W", "W"),
    Input(
        "die_area",
        "Area of the package's logic dies (the 'applicable die area' of ECCN 3A090).",
        "814 mm^2",
        "mm^2",
        "mm^2",
    ),
)
"""The figures a ``kind = "gpu"`` preset holds; all but bf16 may be absent."""
GPU_PRICE = Input(
    "price",
    "GPU server capex per GPU (the GPU plus its share of the host), as tco's --gpu-price: "
    "tco takes it when --gpu names this GPU and no --gpu-price is given.",
    "33750 USD",
    "USD",
    "USD",
)
"""The one figure of a ``kind = "gpu"`` preset that is no hardware figure: it never reaches the
relations as ``gpu_price``; it stands in for the price of a scenario whose GPU --gpu replaced
(tcoctl.engine.gpu_price), and may be a range."""
RULE_FIELDS = {
    "eccn": (
        Input("a_tpp", "3A090.a.1: TPP at or above this.", "4800"),
        Input("a_dense_tpp", "3A090.a.2: TPP at or above this ...", "1600"),
        Input("a_dense_density", "... with a performance density at or above this.", "5.92"),
        Input("b_tpp", "3A090.b.1: TPP at or above this ...", "2400"),
        Input("b_density", "... with a performance density at or above this.", "1.6"),
        Input("b_dense_tpp", "3A090.b.2: TPP at or above this ...", "1600"),
        Input("b_dense_density", "... with a performance density at or above this.", "3.2"),
    ),
    "compute": (
        Input(
            "eu_gpai",
            "EU indicative criterion for a general-purpose AI model.",
            "1e23 FLOP",
            "FLOP",
            "FLOP",
        ),
        Input(
            "eu_systemic", "EU AI Act presumption of systemic risk.", "1e25 FLOP", "FLOP", "FLOP"
        ),
        Input(
            "eu_modification",
            "EU: a modification's share of the original compute above "
            "which the modifier becomes the model's provider.",
            "1/3",
            maximum=1.0,
        ),
        Input("ca_sb53", "California SB 53 frontier model.", "1e26 FLOP", "FLOP", "FLOP"),
        Input(
            "us_eo14110", "US EO 14110 reporting threshold (revoked).", "1e26 FLOP", "FLOP", "FLOP"
        ),
    ),
}
"""The figures a ``kind = "rule"`` preset holds, by its table: the thresholds of ECCN 3A090
(TPP and performance density, plain numbers as the regulation writes them) and the compute
lines of AI laws. Each reaches the relations as ``rule_<name>``."""
GPU_QUANTITIES = ("gpu_peak", *(f"gpu_{spec.name}" for spec in GPU_FIELDS))
"""What a ``--gpu`` gives the relations: each figure, and the peak at --precision."""
CURRENCIES = ("EUR", "GBP", "CNY", "INR", "JPY")
"""Currencies other than the core's USD, each a unit whose worth in USD is a dated rate of
the ``exchange-rates`` preset (tcoctl.units)."""
REFERENCE_GPU = "h100-sxm"
"""The H100-equivalent: its figures are the ``ref_*`` quantities of every calculator."""

GPU = Input("gpu", "Hardware preset (see `tcoctl presets list`).", "h100-sxm", kind="gpu")
PRECISION = Input(
    "precision",
    "Which dense peak the FLOP/s refer to.",
    "bf16",
    kind="choice",
    choices=("bf16", "fp8", "fp4"),
)
COUNT = Input(
    "count",
    "Number of GPUs (a plain number or LOW..HIGH).",
    "100000",
    whole=True,
    accepts=("gpus",),
)
NODES = Input(
    "nodes",
    "Nodes (servers), with --gpus-per-node: the GPU count as papers state it (384 DGX A100 "
    "nodes = 3072 GPUs).",
    "384",
    whole=True,
)
GPUS_PER_NODE = Input("gpus-per-node", "GPUs per node (8 in a DGX or HGX server).", "8", whole=True)
POWER = Input(
    "power",
    "All-in IT power per GPU (GPU, host share, network).",
    "1.275 kW",
    "W",
    "W",
    accepts=("power_per_gpu",),
)
LOAD = Input("load", "Average draw as a fraction of --power.", "0.75", maximum=1.0)
DRAW_FRACTION = Input(
    "draw-fraction",
    "Average draw as a fraction of the --gpu's rated all-in power (TDP x 1.82, the DGX "
    "H100 ratio): sets --power when it is not given (default: measured, preset "
    "training-fit).",
    "0.76",
    maximum=1.0,
)
POWER_PER_GPU = Result(
    "power_per_gpu",
    "Average all-in IT power per GPU: --power, or the --gpu's TDP x 1.82 x --draw-fraction.",
    "W",
    "W",
    "power",
)
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
CARBON_INTENSITY = Input(
    "carbon-intensity",
    "Grid emission factor, CO2e per energy (a plain mass reads as CO2e: 0.4 kg/kWh).",
    "0.4 kg/kWh",
    "gCO2e/J",
    "gCO2e/kWh",
    positive=False,
)
EMBODIED = Input(
    "embodied",
    "Embodied (manufacturing) emissions per GPU, amortised over --life; e.g. 318 kgCO2e, "
    "an A100's share of its server (Chien et al., HotCarbon '23).",
    "318 kg",
    "gCO2e",
    "kgCO2e",
    positive=False,
)
"""Carbon options shared by flops, tco and inference."""

CROSSING_LABELS = ("below", "above")
"""The names of a threshold result's values 0 and 1 (tcoctl.core.policy.above)."""

MAX_SAMPLES = 2_000_000
"""Monte Carlo samples one run may draw (memory stays flat; time grows with them)."""
DISTRIBUTIONS = ("uniform", "triangular")
"""How Monte Carlo draws each range: evenly, or peaked at its midpoint."""


def label_of(labels: tuple[str, ...], value: float) -> str:
    """The name of a coded value (0 -> labels[0]); '' if it is not one of them."""
    whole = math.isfinite(value) and value.is_integer() and 0 <= value < len(labels)
    return labels[int(value)] if whole else ""
