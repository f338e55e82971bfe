"""Core: H100-equivalents of a fleet, a capacity figure or a stated speed-up, as relations.

Per chip, ``ratio_<basis> = metric / metric(H100 SXM)`` on dense BF16 FLOP/s (Epoch AI's
data-centre convention), dense 8-bit FLOP/s (Epoch AI's chip-sales convention,
https://epoch.ai/data/machine-learning-hardware), HBM bandwidth (for memory-bound work) or
total processing performance (TPP, the export-control metric: tcoctl.core.policy);
a fleet is ``count x ratio``. ``--basis`` picks which of them is ``h100e``. A capacity figure
[FLOP/s] converts at the chosen precision; a stated speed-up is ``count x factor``.

References
----------
- Epoch AI, "Data on Machine Learning Hardware",
  https://epoch.ai/data/machine-learning-hardware: H100-equivalents on dense BF16 FLOP/s
  (the data-centre convention) and on dense 8-bit FLOP/s (the chip-sales convention).
- Total processing performance, TPP = 2 x MacTOPS x bit length (US ECCN 3A090, 88 FR 73458,
  25 October 2023, technical note), as in tcoctl.core.policy.
"""

from __future__ import annotations

from typing import Any

from tcoctl.core.policy import CHIP_RELATIONS
from tcoctl.core.relations import Model, Relation, formula, product, references
from tcoctl.core.tco import gpus_of_nodes

BASES = ("bf16", "fp8", "bandwidth", "tpp")


def ratio(name: str) -> Relation:
    """One chip in H100s on a basis: ratio_<basis> = gpu_<basis> / ref_<basis>."""
    return product(
        f"gpu_{name}",
        f"ratio_{name}",
        f"ref_{name}",
        note=f"ratio_{name} = gpu_{name} / H100 {name}",
    )


def on_basis(out: str, source: str, name: str) -> Relation:
    """``out = source`` when the basis choice is ``name`` (which figure is the H100e)."""
    return formula(
        out, [source], _identity, f"{out} = {source} (basis {name})", when=("basis", (name,))
    )


def _identity(value: Any) -> Any:
    return value


def _basis(name: str) -> tuple[Relation, ...]:
    """The per-chip ratio and the fleet's H100e on one basis; ``h100e`` when it is chosen."""
    return (
        ratio(name),
        product(f"h100e_{name}", "count", f"ratio_{name}"),
        on_basis("h100e", f"h100e_{name}", name),
    )


RELATIONS = (
    *(relation for name in BASES for relation in _basis(name)),
    product("capacity", "h100e", "ref_peak", note="h100e = capacity / H100 peak"),
    product("h100e", "count", "factor"),
    product("peak_compute", "count", "gpu_peak"),
    gpus_of_nodes("count"),
    product("fleet_tpp", "count", "gpu_tpp"),
    *CHIP_RELATIONS,
)

MODEL = Model(RELATIONS, references=references(__doc__))
