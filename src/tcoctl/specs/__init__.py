"""What each calculator takes and gives: option names, core and display units, valid ranges
and examples, one module per calculator beside its model in tcoctl.core. ``REGISTRY`` is the
explicit registry, one line per calculator; ``CALCULATORS`` holds what it names. Pure data,
importable without numpy or pint so that ``--help`` stays fast."""

from __future__ import annotations

import importlib

from tcoctl.specs.base import (
    CURRENCIES,
    DISTRIBUTIONS,
    GPU_FIELDS,
    GPU_PRICE,
    GPU_QUANTITIES,
    MAX_SAMPLES,
    REFERENCE_GPU,
    RULE_FIELDS,
    Calculator,
    Input,
    Result,
    label_of,
)

REGISTRY = (
    "flops.FLOPS",
    "h100e.H100E",
    "inference.INFERENCE",
    "tco.TCO",
    "dieyield.YIELD",
    "supply.SUPPLY",
    "memory.MEMORY",
)
"""The calculators, one line each: ``MODULE.NAME``, the module of tcoctl.specs that defines
a calculator's spec and the name it has there, in the order help, docs and the API list
them (a new calculator is one more line here and one in tcoctl.core.REGISTRY)."""


def registered(entry: str) -> Calculator:
    """The spec a REGISTRY line names."""
    module, _, name = entry.partition(".")
    spec = getattr(importlib.import_module(f"tcoctl.specs.{module}"), name)
    if not isinstance(spec, Calculator):
        raise TypeError(f"tcoctl.specs.REGISTRY: {entry} is not a Calculator")
    return spec


CALCULATORS: dict[str, Calculator] = {calc.name: calc for calc in map(registered, REGISTRY)}

__all__ = [
    "CALCULATORS",
    "CURRENCIES",
    "DISTRIBUTIONS",
    "GPU_FIELDS",
    "GPU_PRICE",
    "GPU_QUANTITIES",
    "MAX_SAMPLES",
    "REFERENCE_GPU",
    "REGISTRY",
    "RULE_FIELDS",
    "Calculator",
    "Input",
    "Result",
    "label_of",
]
