"""Core: total cost of ownership of a GPU cluster, per year, per GPU-hour and per token.
Pure numpy over float64 arrays; every argument broadcasts.

Units: counts [-], money [USD], power [W], energy [J], time [s], energy price [USD/J],
facility cost [USD/W of IT power], opex [USD/s per GPU], throughput [token/s per GPU].
Rates of interest are per year; lives are converted to years (365.25 d) for the annuity.

References
----------
- Capital recovery factor (annuity): CRF(r, n) = r (1+r)^n / ((1+r)^n - 1), CRF(0, n) = 1/n.
  E. L. Grant, W. G. Ireson, R. S. Leavenworth, "Principles of Engineering Economy" (1990);
  NREL, "Simple Levelized Cost of Energy (LCOE) Calculator Documentation",
  https://www.nrel.gov/analysis/tech-lcoe-documentation.html
- Energy = IT power x load x PUE x hours (The Green Grid, "PUE: a comprehensive examination of
  the metric", White Paper 49, 2012); cost per GPU-hour and per token as in Epoch AI's
  training-cost-trends and SemiAnalysis's TCO models.
- All-in server power when only a GPU's TDP is known: NVIDIA DGX H100 draws 10.2 kW for eight
  700 W GPUs, 1.82 x TDP per GPU (NVIDIA DGX H100 datasheet).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from tcoctl.core.flops import ModeError

Array = NDArray[np.float64]
Value = Any  # float or ndarray (or None where optional); numpy broadcasts both
YEAR_S = 365.25 * 86400.0
DGX_H100_ALL_IN_PER_TDP = 10_200.0 / 8 / 700.0
LINE_ITEMS = ("servers", "network", "facility", "power", "other_opex")


def capital_recovery_factor(rate: Value, years: Value) -> Array:
    """CRF(r, n) = r / (1 - (1+r)^-n) [1/year]; 1/n where r = 0 (straight-line).

    ``rate`` [-/year] >= 0, ``years`` [year] > 0. Computed with log1p/expm1 so that small
    rates keep full precision; tends to ``rate`` as ``years`` grows.
    """
    rate = np.asarray(rate, dtype=float)
    years = np.asarray(years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        annuity = rate / -np.expm1(-years * np.log1p(rate))
    return np.asarray(np.where(rate > 0, annuity, 1.0 / years), dtype=float)


def tco(
    *,
    gpu_price: Value,
    network_cost: Value,
    facility_cost: Value,
    facility_life: Value,
    load: Value,
    pue: Value,
    electricity: Value,
    life: Value,
    rate: Value,
    utilization: Value,
    other_opex: Value,
    gpus: Value = None,
    site_power: Value = None,
    power: Value = None,
    gpu_tdp: Value = None,
    tokens_per_second: Value = None,
) -> dict[str, Array]:
    """Annual cost of a cluster by line item, its shares, and unit costs.

    Parameters
    ----------
    gpus : GPUs [-]; or ``site_power`` [W], the facility power that sets
        gpus = site_power / (power x pue)
    gpu_price : GPU server capex per GPU [USD]; network_cost : network capex per GPU [USD]
    facility_cost : data-centre build cost per watt of IT power [USD/W], amortised over
        facility_life [s]
    power : all-in IT power per GPU [W]; default gpu_tdp [W] x 1.82 (DGX H100 ratio)
    load : average draw / power [-]; pue : facility / IT energy [-]; electricity [USD/J]
    life : server and network life [s]; rate : cost of capital [-/year]
    utilization : useful fraction of hours [-]; other_opex : per GPU [USD/s]
    tokens_per_second : per GPU [token/s], optional

    Returns
    -------
    ``<item>_annual`` [USD/s, i.e. per year / YEAR_S] and ``<item>_share`` [-] for items
    servers, network, facility, power, other_opex; gpu_share [-], the GPU hardware (servers and
    the network fabric bought with them); total_annual_cost [USD/s], total_cost [USD] over
    the life, cost_per_gpu_hour [USD/s per GPU],
    cost_per_million_tokens [USD/token], gpus [-], power_per_gpu [W], it_power [W],
    facility_power [W],
    annual_energy [J/s].
    """
    if power is None:
        if gpu_tdp is None or np.any(np.isnan(gpu_tdp)):
            raise ModeError("give --power (all-in IT power per GPU): the GPU preset has no TDP")
        power = np.multiply(gpu_tdp, DGX_H100_ALL_IN_PER_TDP)
    if gpus is None:
        if site_power is None:
            raise ModeError("give --gpus or --site-power")
        gpus = np.floor(np.divide(site_power, np.multiply(power, pue)))  # whole GPUs that fit
        if np.any(gpus < 1):
            raise ModeError("--site-power holds no whole GPU at this --power and --pue")
    elif site_power is not None:
        raise ModeError("give --gpus or --site-power, not both")
    server_years = np.divide(life, YEAR_S)
    it_power = np.multiply(gpus, power)
    crf_facility = capital_recovery_factor(rate, np.divide(facility_life, YEAR_S))
    facility_energy_rate = it_power * load * pue  # J/s averaged over the year
    annual = {
        "servers": gpus * np.multiply(gpu_price, capital_recovery_factor(rate, server_years)),
        "network": gpus * np.multiply(network_cost, capital_recovery_factor(rate, server_years)),
        "facility": it_power * np.multiply(facility_cost, crf_facility),
        "power": facility_energy_rate * electricity * YEAR_S,
        "other_opex": gpus * np.multiply(other_opex, YEAR_S),
    }
    total = sum(annual.values())
    out: dict[str, Value] = {f"{item}_annual": annual[item] / YEAR_S for item in LINE_ITEMS}
    out.update({f"{item}_share": annual[item] / total for item in LINE_ITEMS})
    out["gpu_share"] = (annual["servers"] + annual["network"]) / total
    out["total_annual_cost"] = total / YEAR_S
    out["total_cost"] = total * server_years
    cost_per_gpu_second = total / (gpus * YEAR_S * utilization)
    out["cost_per_gpu_hour"] = cost_per_gpu_second
    if tokens_per_second is not None:
        out["cost_per_million_tokens"] = cost_per_gpu_second / tokens_per_second
    out["gpus"] = gpus
    out["power_per_gpu"] = np.asarray(power, dtype=float)
    out["it_power"] = it_power
    out["facility_power"] = it_power * pue
    out["annual_energy"] = facility_energy_rate
    return {name: np.asarray(value, dtype=float) for name, value in out.items()}
