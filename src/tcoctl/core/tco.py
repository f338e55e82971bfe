"""Core: total cost of ownership of a GPU cluster, per year, per GPU-hour and per token, as
relations.

Units: counts [-], money [USD], power [W], energy [J], time [s], energy price [USD/J],
facility cost [USD/W of IT power], opex [USD/s per GPU], throughput [token/s per GPU].
Costs per year are held as rates [USD/s] (``*_cost_rate``); rates of interest are per year
and lives are converted to years (365.25 d) for the annuity.

References
----------
- Capital recovery factor (annuity): CRF(r, n) = r (1+r)^n / ((1+r)^n - 1), CRF(0, n) = 1/n.
  E. L. Grant, W. G. Ireson, R. S. Leavenworth, "Principles of Engineering Economy" (1990);
  NREL, "Simple Levelized Cost of Energy (LCOE) Calculator Documentation",
  https://www.nrel.gov/analysis/tech-lcoe-documentation.html
- Salvage value: an asset bought for P and sold for S after n years costs
  (P - S) x CRF(r, n) + S x r a year (Newnan, Eschenbach & Lavelle, "Engineering Economic
  Analysis", ch. 6, Example 6-2); with S = residual x P that is
  P x ((1 - residual) x CRF + residual x r).
- Rent or buy: owning costs total_cost_rate / gpus per installed GPU-hour whatever the
  utilisation, so it matches a rent price at utilisation total_cost_rate / (gpus x rent).
- Energy = IT power x load x PUE x hours (The Green Grid, "PUE: a comprehensive examination of
  the metric", White Paper 49, 2012); cost per GPU-hour and per token as in Epoch AI's
  training-cost-trends and SemiAnalysis's TCO models.
- Opex as a share of capex: one year's operating cost (electricity and other opex) over the
  up-front capital (servers, network, data centre), as Epoch AI states a data centre's
  economics ("$38 billion in up-front capital expenditure (CapEx) and $0.9 billion in annual
  operating expenses (OpEx)", "Servers account for 60% of the total cost of ownership of a
  one-gigawatt AI data center", 2026, https://epoch.ai/data-insights/ai-datacenter-cost-breakdown).
- All-in server power when only a GPU's TDP is known: NVIDIA DGX H100 is rated 10.2 kW for
  eight 700 W GPUs, 1.82 x TDP per GPU (NVIDIA DGX H100 datasheet). A facility is built for
  that rating (``power``); the energy bill follows the average draw, a measured fraction of
  it (``load``, or ``draw_fraction``): Newkirk et al., "Empirically-Calibrated H100 Node
  Power Models for Reducing Uncertainty in AI Training Energy Estimation" (2025),
  https://arxiv.org/abs/2506.14551: "even computationally intensive workloads operate at
  only 76% of the 10.2 kW TDP rating".
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from tcoctl.core.relations import Model, Relation, formula, product, references, total

Array = NDArray[np.float64]
YEAR_S = 365.25 * 86400.0
DGX_H100_ALL_IN_PER_TDP = 10_200.0 / 8 / 700.0
LINE_ITEMS = ("servers", "network", "facility", "power", "other_opex")


RATED_POWER_FROM_TDP = formula(
    "power",
    ["gpu_tdp"],
    lambda tdp: np.multiply(tdp, DGX_H100_ALL_IN_PER_TDP),
    "power = TDP x 1.82, the rated all-in power (fallback: DGX H100, 10.2 kW for 8 x 700 W)",
    fallback=True,
)
"""Rated all-in IT power per GPU from a GPU's TDP, when no power is given (tco: the power a
facility is built and its capex counted for)."""

DRAWN_POWER_FROM_TDP = formula(
    "power",
    ["gpu_tdp", "draw_fraction"],
    lambda tdp, fraction: np.multiply(np.multiply(tdp, DGX_H100_ALL_IN_PER_TDP), fraction),
    "power = TDP x 1.82 x draw_fraction (the measured average draw of the rated all-in "
    "power; DGX H100: 10.2 kW for 8 x 700 W)",
    fallback=True,
)
"""Average all-in power drawn per GPU from a GPU's TDP, when no power is given (flops,
inference: the power the energy bill follows)."""

LOAD_FROM_DRAW = formula(
    "load",
    ["draw_fraction"],
    lambda fraction: fraction,
    "load = draw_fraction (the measured average draw over the rated all-in power)",
    fallback=True,
)
"""tco's average draw over its rated power, when no load is given: the measured fraction."""


def gpus_of_nodes(count: str) -> Relation:
    """A GPU count as servers are bought and papers state them: count = nodes x GPUs per
    node (Narayanan et al. 2021, Megatron-LM: "3072 A100 GPUs (384 DGX A100 nodes)")."""
    return product(count, "nodes", "gpus_per_node")


EMBODIED_RATE = product("embodied", "embodied_rate", "life", note="embodied_rate = embodied / life")
"""Embodied emissions per GPU spread evenly over its life [gCO2e/s] (flops, tco, inference)."""


def capital_recovery_factor(rate: Any, years: Any) -> Array:
    """CRF(r, n) = r / (1 - (1+r)^-n) [1/year]; 1/n where r = 0 (straight-line).

    ``rate`` [-/year] >= 0, ``years`` [year] > 0. Computed with log1p/expm1 so that small
    rates keep full precision; tends to ``rate`` as ``years`` grows.
    """
    rate = np.asarray(rate, dtype=float)
    years = np.asarray(years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        annuity = rate / -np.expm1(-years * np.log1p(rate))
    return np.asarray(np.where(rate > 0, annuity, 1.0 / years), dtype=float)


def annual_factor(rate: Any, life: Any) -> Array:
    """CRF per second [1/s] for a life in seconds: the annuity rate of a capital cost."""
    return capital_recovery_factor(rate, np.divide(life, YEAR_S)) / YEAR_S


def salvage_factor(rate: Any, life: Any, residual: Any) -> Array:
    """Annual capital cost per unit of price [1/s] with resale at ``residual`` [-] x price
    after ``life`` [s]: (1 - residual) x CRF + residual x rate, per second; the salvage-value
    form of the capital recovery cost (Newnan, Eschenbach & Lavelle, "Engineering Economic
    Analysis", ch. 6: (P - S) x (A/P, i, n) + S x i)."""
    crf = annual_factor(rate, life)
    return np.asarray(
        np.subtract(crf, np.multiply(residual, np.subtract(crf, np.divide(rate, YEAR_S)))),
        dtype=float,
    )


def capital(gpus: Any, gpu_price: Any, network_cost: Any, it_power: Any, facility: Any) -> Any:
    """Up-front capital [USD]: gpus x (gpu_price + network_cost) + it_power x facility_cost."""
    return np.add(
        np.multiply(gpus, np.add(gpu_price, network_cost)), np.multiply(it_power, facility)
    )


def share(item: str) -> Any:
    """``<item>_share = <item>_cost_rate / total_cost_rate``."""
    return product(f"{item}_cost_rate", f"{item}_share", "total_cost_rate")


RELATIONS = (
    gpus_of_nodes("gpus"),
    formula(
        "gpus",
        ["site_power", "power", "pue"],
        lambda site, power, pue: np.floor(np.divide(site, np.multiply(power, pue))),
        "gpus = floor(site_power / (power x pue)): whole GPUs that fit",
    ),
    product("it_power", "gpus", "power"),
    product("facility_power", "it_power", "pue"),
    product("energy_rate", "it_power", "load", "pue", note="energy_rate = it_power x load x pue"),
    formula(
        "server_crf",
        ["rate", "life", "residual"],
        salvage_factor,
        "server_crf = (1 - residual) x CRF(rate, life) + residual x rate",
    ),
    formula(
        "facility_crf",
        ["rate", "facility_life"],
        annual_factor,
        "facility_crf = CRF(rate, facility_life)",
    ),
    product("servers_cost_rate", "gpus", "gpu_price", "server_crf"),
    product("network_cost_rate", "gpus", "network_cost", "server_crf"),
    product("facility_cost_rate", "it_power", "facility_cost", "facility_crf"),
    product("power_cost_rate", "energy_rate", "electricity"),
    product("other_opex_cost_rate", "gpus", "other_opex"),
    total("total_cost_rate", *(f"{item}_cost_rate" for item in LINE_ITEMS)),
    *(share(item) for item in LINE_ITEMS),
    total("gpu_share", "servers_share", "network_share"),
    product("total_cost", "total_cost_rate", "life"),
    formula(
        "capex",
        ["gpus", "gpu_price", "network_cost", "it_power", "facility_cost"],
        capital,
        "capex = gpus x (gpu_price + network_cost) + it_power x facility_cost",
    ),
    total("opex_rate", "power_cost_rate", "other_opex_cost_rate"),
    product(
        "opex_rate",
        "opex_share_of_capex",
        "capex",
        constant=1 / YEAR_S,
        constant_unit="1/s",
        note="opex_share_of_capex = opex_rate x 1 year / capex",
    ),
    product(
        "total_cost_rate",
        "cost_per_gpu_time",
        "gpus",
        "utilization",
        note="cost_per_gpu_time = total_cost_rate / (gpus x utilization)",
    ),
    product("cost_per_gpu_time", "cost_per_token", "tokens_per_second"),
    product("cost_per_gpu_time", "own_to_rent", "rent_price"),
    product(
        "total_cost_rate",
        "rent_price",
        "gpus",
        "breakeven_utilization",
        note="breakeven_utilization = total_cost_rate / (gpus x rent_price)",
    ),
    product("emissions_rate", "energy_rate", "carbon_intensity"),
    EMBODIED_RATE,
    product("embodied_fleet_rate", "embodied_rate", "gpus"),
    RATED_POWER_FROM_TDP,
    LOAD_FROM_DRAW,
)

MODEL = Model(
    RELATIONS,
    references=references(__doc__),
    units={"server_crf": "1/s", "facility_crf": "1/s", "embodied_rate": "gCO2e/s"},
)
