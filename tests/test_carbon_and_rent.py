"""Carbon (--carbon-intensity, --embodied), rent or buy (--rent-price) and resale
(--residual): published cases and the identities they rest on."""

from __future__ import annotations

import pytest

from conftest import core, results, run
from tcoctl.core.tco import YEAR_S, capital_recovery_factor

KWH = 3.6e6


def test_gpt3_training_emissions() -> None:
    """Patterson et al., "Carbon Emissions and Large Neural Network Training" (2021,
    arXiv:2104.10350), Table 4, GPT-3: 10,000 V100s for 14.8 days (3,552,000 GPU-hours) at
    330 W average and PUE 1.1 is 1,287 MWh; at 0.429 kgCO2e/kWh, 552 tCO2e. (The product
    3,552,000 x 0.33 x 1.1 is 1,289 MWh: the paper's inputs are rounded.)"""
    out = results("flops", "--gpu-hours", "3552000 h", "--power", "330 W", "--pue", "1.1",
                  "--carbon-intensity", "0.429 kg/kWh")  # fmt: skip
    assert out["energy"]["value"] * 1e3 == pytest.approx(1287, rel=2e-3)  # MWh
    assert out["emissions"]["value"] == pytest.approx(552, rel=3e-3)  # tCO2e
    # the paper's own product, exactly: 1,287 MWh x 0.429 kg/kWh = 552.1 t
    per_mwh = results("flops", "--gpu-hours", "1287000 h", "--power", "1 kW",
                      "--carbon-intensity", "0.429 t/MWh")["emissions"]["value"]  # fmt: skip
    assert per_mwh == pytest.approx(552.123)


def test_bloom_training_emissions() -> None:
    """Luccioni, Viguier & Ligozat, "Estimating the Carbon Footprint of BLOOM" (2022,
    arXiv:2211.02001): 1,082,990 GPU-hours at 400 W is 433,196 kWh; on the French grid's
    57 gCO2e/kWh that is 24.69 tCO2e (the paper: 24.7 t of dynamic consumption)."""
    out = results("flops", "--gpu-hours", "1082990 h", "--power", "400 W",
                  "--carbon-intensity", "57 g/kWh")  # fmt: skip
    assert out["energy"]["value"] * 1e6 == pytest.approx(433_196)  # kWh
    assert out["emissions"]["value"] == pytest.approx(24.69, abs=0.005)


@pytest.mark.parametrize("text", ["0.4 kg/kWh", "400 g/kWh", "0.4 t/MWh", "0.4 kgCO2e/kWh"])
def test_carbon_intensity_spellings_agree(text: str) -> None:
    out = core("flops", energy=KWH, carbon_intensity=0.4e3 / KWH)
    given = results("flops", "--gpu-hours", "1 h", "--power", "1 kW", "--carbon-intensity", text)
    assert given["emissions"]["value"] * 1e6 == pytest.approx(out["emissions"])  # g


def test_embodied_emissions_amortise_over_the_life() -> None:
    """318 kgCO2e per GPU over 5 years: 1 GPU-year of use carries a fifth of it."""
    out = results("flops", "--gpu-hours", "8766 h", "--embodied", "318 kg", "--life", "5 yr")
    assert out["embodied_emissions"]["value"] == pytest.approx(0.318 / 5)
    tco = results("tco", "--gpus", "1000", "--embodied", "318 kg", "--life", "6 yr")
    assert tco["annual_embodied_emissions"]["value"] == pytest.approx(1000 * 0.318 / 6)


def test_tco_reports_annual_emissions() -> None:
    out = results("tco", "--carbon-intensity", "0.4 kg/kWh")
    energy_gwh = out["annual_energy"]["value"]
    assert out["annual_emissions"]["value"] == pytest.approx(energy_gwh * 1e6 * 0.4 / 1e3)


def test_salvage_value_in_the_annual_cost() -> None:
    """Newnan, Eschenbach & Lavelle, "Engineering Economic Analysis", ch. 6, Example 6-2:
    furniture bought for $1,000, sold for $200 after 10 years at 7 %: EUAC = (P - S)(A/P, 7 %,
    10) + S i = 800 x 0.1424 + 14 = $127.92 with the 4-figure table factor; 127.90 exact."""
    out = core("tco", gpus=1, gpu_price=1000.0, network_cost=0.0, rate=0.07,
               life=10 * YEAR_S, residual=0.2)  # fmt: skip
    annual = out["servers_cost_rate"] * YEAR_S
    assert annual == pytest.approx(127.90, abs=0.005)
    assert annual == pytest.approx(127.92, abs=0.03)  # the book's rounded figure
    # the same as (P - S / (1 + r)^n) x CRF
    crf = float(capital_recovery_factor(0.07, 10))
    assert annual == pytest.approx((1000 - 200 / 1.07**10) * crf)


def test_no_residual_leaves_every_figure_unchanged() -> None:
    plain = results("tco")
    assert results("tco", "--residual", "0")["total_annual_cost"] == plain["total_annual_cost"]
    resold = results("tco", "--residual", "20%")
    assert resold["servers_annual"]["value"] < plain["servers_annual"]["value"]
    assert resold["facility_annual"] == plain["facility_annual"]


def test_rent_or_buy() -> None:
    """Owning costs total_cost_rate / gpus per installed GPU-hour: at 2.5 USD/h it breaks
    even at that / 2.5 utilisation."""
    out = results("tco", "--rent-price", "2.5 USD/h", "--utilization", "0.9")
    owned = out["cost_per_gpu_hour"]["value"]
    assert out["own_to_rent"]["value"] == pytest.approx(owned / 2.5)
    assert out["breakeven_utilization"]["value"] == pytest.approx(0.9 * owned / 2.5)
    # at the break-even utilisation the owned cost per useful hour is the rent
    at = results("tco", "--utilization", repr(out["breakeven_utilization"]["value"]))
    assert at["cost_per_gpu_hour"]["value"] == pytest.approx(2.5)
    solved = results("tco", "--rent-price", "2.5 USD/h", "--solve", "utilization",
                     "--for", "own_to_rent=1")  # fmt: skip
    assert solved["utilization"]["value"] == pytest.approx(out["breakeven_utilization"]["value"])


def test_a_price_is_not_an_emission_factor() -> None:
    outcome = run("tco", "--carbon-intensity", "0.1 USD/kWh")
    assert outcome.code == 2 and "expected CO2e per energy" in outcome.stderr
