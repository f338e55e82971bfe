"""The numpy core: each calculator's relations among named quantities in fixed units (SI and
USD) and the solver that evaluates them. No pint, no I/O, no printing.

``REGISTRY`` is the explicit registry of calculators' models, one line per calculator;
``MODELS`` holds them. A test checks it against the specs (tcoctl.specs), so that every
option and result names a quantity of the relations.
"""

import importlib

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


def registered(module: str) -> Model:
    """The model of a REGISTRY module."""
    model = importlib.import_module(f"tcoctl.core.{module}").MODEL
    if not isinstance(model, Model):
        raise TypeError(f"tcoctl.core.REGISTRY: {module}.MODEL is not a Model")
    return model


MODELS: dict[str, Model] = {name: registered(module) for name, module in REGISTRY.items()}
