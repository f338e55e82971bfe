"""The numpy core: each calculator's relations among named quantities in fixed units (SI and
USD) and the solver that evaluates them. No pint, no I/O, no printing.

``MODELS`` is the explicit registry of calculators' models; a test checks it against the
specs (tcoctl.specs), so that every option and result names a quantity of the relations.
"""

from tcoctl.core import dieyield, flops, h100e, inference, memory, supply, tco
from tcoctl.core.relations import Model

MODELS: dict[str, Model] = {
    "flops": flops.MODEL,
    "h100e": h100e.MODEL,
    "inference": inference.MODEL,
    "tco": tco.MODEL,
    "yield": dieyield.MODEL,
    "supply": supply.MODEL,
    "memory": memory.MODEL,
}
