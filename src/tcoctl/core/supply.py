"""Core: packaged chips, H100-equivalents and peak FLOP/s per year from fab and packaging
capacity, as relations.

Capacities are rates (per second in the core, shown per month), and so is what they allow:
three constraints each give a rate of chips,

- dies: wafer starts x share x good dies per wafer / compute dies per package; good dies
  per wafer are given, or come from the die size, defect density and yield model through the
  relations of tcoctl.core.dieyield (whole dies counted on the wafer, then the defect-limited
  yield); or a stated count of good compute dies over the period (``dies``, e.g. "2 million
  Ascend 910B logic dies"), their rate ``dies / period``;
- packaging: interposer wafers (CoWoS-class) x packages per interposer wafer x packaging
  yield;
- HBM: stacks / stacks per package.

The chips are the least of the constraints given; ``binding`` is the index of the least one
(``LIMITS``: 0 dies, 1 packaging, 2 hbm; the first on a tie). A constraint not given does not
limit (its limit is infinite, a soft fill-in). A minimum is not invertible, so a goal-seek on
a capacity (wafers, D0, interposers) goes through bracketed root finding. A stated supply
(``chips_per_year``, e.g. imports) may stand in for the constraints.

Every ``..._per_year`` quantity holds a rate times one year (365.25 days), whatever the
period; ``chips_in_period`` and ``h100e_in_period`` are totals over ``period`` (``--months``,
default 12: the same as a year).

H100-equivalence per chip is the ratio of the chip's figure to the H100 SXM's on the chosen
basis (dense BF16 or FP8 FLOP/s, or HBM bandwidth), as in tcoctl.core.h100e (Epoch AI,
https://epoch.ai/data/machine-learning-hardware).

References
----------
- Epoch AI, "Data on Machine Learning Hardware",
  https://epoch.ai/data/machine-learning-hardware: H100-equivalents per chip (tcoctl.core.h100e).
- Dies per wafer and defect-limited yield: J. L. Hennessy and D. A. Patterson, "Computer
  Architecture: A Quantitative Approach", 5th/6th ed., section 1.6, and the yield models of
  tcoctl.core.dieyield.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tcoctl.core import dieyield, h100e
from tcoctl.core.relations import Finding, Model, Relation, by_row, formula, product, references
from tcoctl.core.tco import YEAR_S

Array = NDArray[np.float64]
LIMITS = ("dies", "packaging", "hbm")
"""The constraints, in the order of the ``binding`` index."""
DIE_QUANTITIES = ("die_area", "die_width", "die_height", "dies_per_wafer", "die_yield")
"""What supply takes from the die-yield relations (its whole-die count and yield models)."""


def _stacked(limits: tuple[Any, ...]) -> Array:
    return np.stack(np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in limits)))


def least(*limits: Any) -> Array:
    """The least of the limits [-]; NaN where none is finite (no constraint given)."""
    stack = _stacked(limits)
    return np.asarray(np.where(np.isinf(stack).all(axis=0), np.nan, stack.min(axis=0)), dtype=float)


def binding(*limits: Any) -> Array:
    """Index of the least limit (0 dies, 1 packaging, 2 hbm); NaN where none is finite or a
    limit is NaN."""
    stack = _stacked(limits)
    index = stack.argmin(axis=0).astype(float)
    unknown = np.isinf(stack).all(axis=0) | np.isnan(stack).any(axis=0)
    return np.asarray(np.where(unknown, np.nan, index), dtype=float)


def _identity(value: Any) -> Any:
    return value


def _unlimited() -> float:
    return float("inf")


def _limit(name: str) -> tuple[Relation, Relation]:
    """``<name>_limit`` is the chip rate [1/s] from that constraint, or infinite when not
    given."""
    return (
        formula(
            f"{name}_limit",
            [f"chip_rate_from_{name}"],
            _identity,
            f"{name}_limit = chip_rate_from_{name}",
        ),
        formula(
            f"{name}_limit", [], _unlimited, f"no {name} constraint given: no limit", fallback=True
        ),
    )


def _basis(name: str) -> tuple[Relation, ...]:
    """One chip in H100s on a basis, as h100e does; ``h100e_per_chip`` when it is chosen."""
    return (h100e.ratio(name), h100e.on_basis("h100e_per_chip", f"ratio_{name}", name))


RELATIONS = (
    *(r for r in dieyield.RELATIONS if r.out in DIE_QUANTITIES),
    product("good_dies_per_wafer", "dies_per_wafer", "die_yield"),
    product("die_rate", "wafer_rate", "wafer_share", "good_dies_per_wafer"),
    product("die_rate", "chip_rate_from_dies", "dies_per_package"),
    product("dies", "die_rate", "period"),
    product(
        "chip_rate_from_packaging", "interposer_rate", "packages_per_interposer", "packaging_yield"
    ),
    product("hbm_stack_rate", "chip_rate_from_hbm", "hbm_stacks_per_package"),
    *(relation for name in LIMITS for relation in _limit(name)),
    formula(
        "chip_rate",
        [f"{name}_limit" for name in LIMITS],
        least,
        "chip_rate = min(chip_rate_from_dies, chip_rate_from_packaging, chip_rate_from_hbm)",
    ),
    formula(
        "binding",
        [f"{name}_limit" for name in LIMITS],
        binding,
        "binding = which constraint gives the least chips (0 dies, 1 packaging, 2 hbm)",
    ),
    product("chips_per_year", "chip_rate", constant=YEAR_S, constant_unit="s"),
    *(
        product(f"chips_from_{name}", f"chip_rate_from_{name}", constant=YEAR_S, constant_unit="s")
        for name in LIMITS
    ),
    product("chips_in_period", "chip_rate", "period"),
    *(relation for name in h100e.BASES for relation in _basis(name)),
    product("h100e_per_year", "chips_per_year", "h100e_per_chip"),
    product("h100e_in_period", "chips_in_period", "h100e_per_chip"),
    product("peak_added_per_year", "chips_per_year", "gpu_peak"),
)


NO_CAPACITY = (
    "supply needs a capacity: wafer_rate with good_dies_per_wafer (or a die size and "
    "defect_density), dies, interposer_rate with packages_per_interposer, hbm_stack_rate "
    "with hbm_stacks_per_package, or chips_per_year; e.g. chips_per_year 1000000"
)
CAPACITY_QUANTITIES = (
    "wafer_rate",
    "good_dies_per_wafer",
    "defect_density",
    "dies",
    "interposer_rate",
    "packages_per_interposer",
    "hbm_stack_rate",
    "hbm_stacks_per_package",
    "chips_per_year",
)
MONTHS_OF_DIES = (
    "with dies given, h100e_in_period and chips_in_period do not depend on period (the count "
    "is over the whole of it): to solve for period, give wafer_rate and good_dies_per_wafer "
    "instead, e.g. wafer_rate 30000 good_dies_per_wafer 50"
)
"""A goal-seek of the period found none (NaN): dies give the same chips over any period."""
FEWER_DIES_THAN_A_PACKAGE = (
    "dies is fewer than dies_per_package: not enough for one packaged chip (dies counts each "
    "good compute die, dies_per_package those one chip holds, e.g. a B200's 2); give dies at "
    "least dies_per_package, e.g. dies 2e6 dies_per_package 2"
)
"""A stated die count below one package: its chips_in_period would be a fraction of a chip."""


def checks(values: Mapping[str, Any], rows: int, assumed: frozenset[str]) -> list[Finding]:
    """The die checks of tcoctl.core.dieyield (a die beyond the reticle, no usable wafer),
    a stated die count of at least one package, and a capacity: with no constraint and no
    stated supply nothing can be computed."""
    every_row = np.ones(rows, dtype=bool)
    if "dies" in values and np.isnan(np.asarray(values["period"], dtype=float)).all():
        named = ("dies", "period", "wafer_rate", "good_dies_per_wafer")
        return [Finding(MONTHS_OF_DIES, every_row, True, named, usage=True)]
    if "dies" in values and "wafer_rate" not in values:  # a stated count (it excludes wafers)
        short = np.less(values["dies"], values["dies_per_package"])
        if short.any():
            pair = ("dies", "dies_per_package")
            return [
                Finding(FEWER_DIES_THAN_A_PACKAGE, by_row(short, rows), True, pair, short, True)
            ]
    limits = [np.asarray(values[f"{name}_limit"], dtype=float) for name in LIMITS]
    if "chips_per_year" not in values or (
        all(np.isinf(limit).all() for limit in limits)
        and np.isnan(np.asarray(values["chips_per_year"], dtype=float)).all()
    ):
        return [
            Finding(NO_CAPACITY, every_row, True, CAPACITY_QUANTITIES, usage=True, lacking=True)
        ]
    return dieyield.checks(values, rows, assumed)


MODEL = Model(
    RELATIONS,
    checks=checks,
    references=references(__doc__),
    units=dict.fromkeys(
        (
            "die_rate",
            "chip_rate",
            *(f"chip_rate_from_{name}" for name in LIMITS),
            *(f"{name}_limit" for name in LIMITS),
        ),
        "1/s",
    ),
)
