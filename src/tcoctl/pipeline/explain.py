"""``--explain``: the chain of formulas with the central numbers substituted, so a planner
can audit a run like a spreadsheet. Each function takes the central inputs and results in
core units (as the numpy core saw them) and returns lines of text."""

from __future__ import annotations

from collections.abc import Mapping

from tcoctl.core.tco import (
    DGX_H100_ALL_IN_PER_TDP,
    YEAR_S,
    capital_recovery_factor,
    salvage_factor,
)
from tcoctl.notation import fmt
from tcoctl.units import convert


def _q(value: float, unit: str, display: str) -> str:
    return f"{fmt(float(convert(value, unit, display)))} {display}".rstrip()


def tco_lines(inputs: Mapping[str, float], out: Mapping[str, float]) -> list[str]:
    """The TCO chain: annuity factors, each line item, the total, shares and unit costs."""
    rate = inputs["rate"]
    years = inputs["life"] / YEAR_S
    facility_years = inputs["facility_life"] / YEAR_S
    residual = inputs.get("residual", 0.0)
    crf = float(salvage_factor(rate, inputs["life"], residual)) * YEAR_S  # as the core does
    crf_facility = float(capital_recovery_factor(rate, facility_years))
    gpus = out["gpus"]
    power = out["it_power"] / gpus
    usd_yr = "USD/yr"
    lines = [
        "A year is 365.25 days (8,766 h). Money per year is annualised with the capital "
        "recovery factor CRF(r, n) = r / (1 - (1+r)^-n), or 1/n at r = 0.",
        (
            f"server factor = (1 - residual) x CRF(r={fmt(rate)}, n={fmt(years)} yr) + "
            f"residual x r = {fmt(crf)} /yr with residual {fmt(residual)} (resale);  "
            if residual
            else f"CRF(r={fmt(rate)}, n={fmt(years)} yr) = {fmt(crf)} /yr;  "
        )
        + f"facility CRF(r={fmt(rate)}, n={fmt(facility_years)} yr) = {fmt(crf_facility)} /yr",
    ]
    if "site_power" in inputs:
        lines.append(
            f"gpus = site_power / (power x PUE) = {_q(inputs['site_power'], 'W', 'MW')}"
            f" / ({_q(power, 'W', 'W')} x {fmt(inputs['pue'])}) = {fmt(gpus)}"
        )
    if "power" not in inputs:
        lines.append(
            f"power = TDP x {fmt(DGX_H100_ALL_IN_PER_TDP)} (DGX H100: 10.2 kW / 8 / "
            f"700 W) = {_q(power, 'W', 'W')}"
        )
    lines += [
        f"GPU servers = gpus x gpu_price x CRF = {fmt(gpus)} x "
        f"{_q(inputs['gpu_price'], 'USD', 'USD')} x {fmt(crf)} = "
        f"{_q(out['servers_annual'], 'USD/s', usd_yr)}",
        f"network = gpus x network_cost x CRF = {fmt(gpus)} x "
        f"{_q(inputs['network_cost'], 'USD', 'USD')} x {fmt(crf)} = "
        f"{_q(out['network_annual'], 'USD/s', usd_yr)}",
        f"facility = IT power x facility_cost x CRF_facility = {_q(out['it_power'], 'W', 'MW')}"
        f" x {_q(inputs['facility_cost'], 'USD/W', 'USD/kW')} x {fmt(crf_facility)} = "
        f"{_q(out['facility_annual'], 'USD/s', usd_yr)}",
        f"power = IT power x load x PUE x 8,766 h x electricity = "
        f"{_q(out['it_power'], 'W', 'MW')} x {fmt(inputs['load'])} x {fmt(inputs['pue'])} x "
        f"8,766 h x {_q(inputs['electricity'], 'USD/J', 'USD/kWh')} = "
        f"{_q(out['power_annual'], 'USD/s', usd_yr)}",
        f"other opex = gpus x other_opex = {fmt(gpus)} x "
        f"{_q(inputs['other_opex'], 'USD/s', usd_yr)} = "
        f"{_q(out['other_opex_annual'], 'USD/s', usd_yr)}",
        f"total = sum of the five = {_q(out['total_annual_cost'], 'USD/s', usd_yr)}; over the "
        f"{fmt(years)}-year life {_q(out['total_cost'], 'USD', 'USD')}",
        f"gpu_share = (GPU servers + network) / total = {fmt(out['gpu_share'])};  "
        f"servers_share = {fmt(out['servers_share'])};  power_share = power / total = "
        f"{fmt(out['power_share'])}",
        f"cost_per_gpu_hour = total / (gpus x 8,766 h x utilization) = "
        f"{_q(out['total_annual_cost'], 'USD/s', usd_yr)} / ({fmt(gpus)} x 8,766 h x "
        f"{fmt(inputs['utilization'])}) = {_q(out['cost_per_gpu_hour'], 'USD/s', 'USD/h')}",
    ]
    if "cost_per_million_tokens" in out:
        lines.append(
            f"cost_per_million_tokens = cost per GPU-second / tokens per second x 1e6 = "
            f"{_q(out['cost_per_million_tokens'], 'USD/token', 'USD/Mtoken')}"
        )
    return lines
