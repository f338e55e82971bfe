"""The numpy core: each calculator's relations among named quantities in fixed units (SI and
USD) and the solver that evaluates them. No pint, no I/O, no printing.

``REGISTRY`` is the explicit registry of calculators' models, one line per calculator;
``MODELS`` holds them, built on first use: importing the package loads no numpy, so that
the specs read tcoctl.core.constants and ``--help`` stays fast. A test checks the models
against the specs (tcoctl.specs), so that every option and result names a quantity of the
relations.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tcoctl.core.relations import Model

REGISTRY: dict[str, str] = {
    "flops": "flops",
    "h100e": "h100e",
    "inference": "inference",
    "tco": "tco",
    "yield": "dieyield",
    "supply": "supply",
    "memory": "memory",
}
"""Each calculator's name and the module of tcoctl.core whose ``MODEL`` holds its relations
(a new calculator is one more line here and one in tcoctl.specs.REGISTRY)."""

MODELS: dict[str, Model]
"""Each calculator's model by name (``__getattr__`` builds it on first use)."""


def registered(module: str) -> Model:
    """The model of a REGISTRY module."""
    from tcoctl.core.relations import Model  # numpy: loaded on first use (``--help`` stays fast)

    model = importlib.import_module(f"tcoctl.core.{module}").MODEL
    if not isinstance(model, Model):
        raise TypeError(f"tcoctl.core.REGISTRY: {module}.MODEL is not a Model")
    return model


def __getattr__(name: str) -> dict[str, Model]:
    """``MODELS``, built once when first asked for."""
    if name != "MODELS":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    models = {calculator: registered(module) for calculator, module in REGISTRY.items()}
    globals()["MODELS"] = models
    return models
