"""What each calculator takes and gives: option names, core and display units, valid ranges
and examples, one module per calculator beside its model in tcoctl.core. ``CALCULATORS`` is the
explicit registry. Pure data, importable without numpy or pint so that ``--help`` stays fast."""

from __future__ import annotations

from tcoctl.specs.base import (
    CURRENCIES,
    DISTRIBUTIONS,
    GPU_FIELDS,
    GPU_QUANTITIES,
    MAX_SAMPLES,
    REFERENCE_GPU,
    RULE_FIELDS,
    Calculator,
    Input,
    Result,
    label_of,
)
from tcoctl.specs.dieyield import YIELD, YIELD_MODELS
from tcoctl.specs.flops import FLOPS
from tcoctl.specs.h100e import H100E
from tcoctl.specs.inference import INFERENCE
from tcoctl.specs.memory import MEMORY
from tcoctl.specs.supply import SUPPLY
from tcoctl.specs.tco import ITEMS, TCO

CALCULATORS: dict[str, Calculator] = {
    calc.name: calc for calc in (FLOPS, H100E, INFERENCE, TCO, YIELD, SUPPLY, MEMORY)
}

__all__ = [
    "CALCULATORS",
    "CURRENCIES",
    "DISTRIBUTIONS",
    "GPU_FIELDS",
    "GPU_QUANTITIES",
    "ITEMS",
    "MAX_SAMPLES",
    "REFERENCE_GPU",
    "RULE_FIELDS",
    "YIELD_MODELS",
    "Calculator",
    "Input",
    "Result",
    "label_of",
]
