"""Money in other currencies: inputs typed in EUR, GBP, CNY, INR, JPY or cents, results shown
with --currency, each currency a pint unit whose worth in USD is a dated rate of the preset
exchange-rates (the Federal Reserve's G.5A annual averages for 2023, release of 1 February
2024, https://www.federalreserve.gov/releases/g5a/20240201/: EURO 1.0817 and POUND 1.2440 US
dollars per unit; YUAN 7.0809, RUPEE 82.5708, YEN 140.5001 per US dollar)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tcoctl
from conftest import run
from tcoctl.errors import UsageError
from tcoctl.units import parse_span

G5A_2023 = {
    "EUR": 1.0817, "GBP": 1.2440, "CNY": 1 / 7.0809, "INR": 1 / 82.5708, "JPY": 1 / 140.5001,
}  # fmt: skip
"""US dollars per unit, as G.5A prints them (per US dollar for the yuan, rupee and yen)."""
KWH = 3.6e6


@pytest.mark.parametrize(
    ("typed", "usd_per_kwh"),
    [
        ("0.6 CNY/kWh", 0.6 / 7.0809),
        ("0.6 yuan/kWh", 0.6 / 7.0809),
        ("0.25 EUR/kWh", 0.25 * 1.0817),
        ("0.25 euros/kWh", 0.25 * 1.0817),
        ("0.2 GBP/kWh", 0.2 * 1.2440),
        ("7 INR/kWh", 7 / 82.5708),
        ("30 JPY/kWh", 30 / 140.5001),
        ("12 cents/kWh", 0.12),
        ("12 US cent/kWh", 0.12),
        ("12¢/kWh", 0.12),
        ("0.2..0.3 EUR/kWh", 0.25 * 1.0817),
    ],
)
def test_a_price_typed_in_another_currency_is_its_worth_in_usd(
    typed: str, usd_per_kwh: float
) -> None:
    span = parse_span(typed, "USD/J", "0.08 USD/kWh")
    assert span.mid * KWH == pytest.approx(usd_per_kwh, rel=1e-12)


def test_tco_in_eur_prints_eur_with_the_rate_and_its_date() -> None:
    """Issue 18: `tcoctl tco --currency EUR` prints EUR with the rate and its date."""
    outcome = run("tco", "--currency", "EUR", "--format", "table")
    assert outcome.code == 0, outcome.stderr
    assert "EUR/h" in outcome.stdout and "bn EUR/yr" in outcome.stdout
    assert "exchange rate: 1 EUR = 1.0817 USD, as of 2023 (preset exchange-rates)" in (
        " ".join(outcome.stdout.split())
    )
    document = run("tco", "--currency", "EUR", "--format", "json").json()
    (rate,) = document["exchange_rates"]
    assert rate["currency"] == "EUR" and rate["usd_per_unit"] == 1.0817
    assert rate["as_of"] == "2023" and "g5a/20240201" in rate["source"]


def test_an_input_in_yuan_is_accepted_and_its_rate_shown() -> None:
    """Issue 18: `--electricity "0.6 CNY/kWh"` is accepted (it was an unknown unit)."""
    outcome = run("tco", "--electricity", "0.6 CNY/kWh", "--format", "json")
    assert outcome.code == 0, outcome.stderr
    document = outcome.json()
    assert document["inputs"]["electricity"]["value"] == pytest.approx(0.6 / 7.0809)
    assert [r["currency"] for r in document["exchange_rates"]] == ["CNY"]
    assert document["results"]["cost_per_gpu_hour"]["unit"] == "USD/h"
    api = tcoctl.tco(electricity="0.6 CNY/kWh").to_dict()  # a column: the API's own path
    assert [r["currency"] for r in api["exchange_rates"]] == ["CNY"]


def test_json_units_in_another_currency_parse_back_as_input() -> None:
    """Every money result printed in INR reads back, as typed, to its value in USD."""
    inr = run("tco", "--currency", "INR", "--format", "json").json()["results"]
    usd = run("tco", "--format", "json").json()["results"]
    money = [name for name, item in usd.items() if "USD" in item["unit"]]
    assert len(money) >= 8
    for name in money:
        item = inr[name]
        assert "INR" in item["unit"]
        typed = parse_span(f"{item['value']!r} {item['unit']}", usd[name]["unit"], "1 USD")
        assert typed.low == pytest.approx(usd[name]["value"], rel=1e-12), name


@settings(max_examples=25, deadline=None)
@given(
    code=st.sampled_from(sorted(G5A_2023)),
    usd_per_kwh=st.floats(0.01, 0.5),
    gpu_price=st.floats(5e3, 5e4),
)
def test_running_in_a_currency_is_running_in_usd_and_converting(
    code: str, usd_per_kwh: float, gpu_price: float
) -> None:
    """Inputs typed in a currency and results shown in it agree, to rounding, with the same
    run in USD converted at the same rate (money is one pint dimension)."""
    per_unit = G5A_2023[code]
    local = tcoctl.tco(
        electricity=f"{usd_per_kwh / per_unit!r} {code}/kWh",
        gpu_price=f"{gpu_price / per_unit!r} {code}",
        currency=code,
    )
    dollars = tcoctl.tco(electricity=usd_per_kwh, gpu_price=gpu_price)
    for name in ("cost_per_gpu_hour", "total_annual_cost", "total_cost"):
        assert local[name].magnitude * per_unit == pytest.approx(
            dollars[name].magnitude, rel=1e-9
        ), name
        assert str(local[name].units).startswith(code)


def test_a_bad_currency_code_is_one_line_naming_the_option() -> None:
    outcome = run("tco", "--currency", "EURO")
    assert outcome.code == 2
    line = outcome.stderr.strip()
    assert "\n" not in line and "--currency" in line
    assert "expected a currency code" in line and "e.g. --currency EUR" in line
    with pytest.raises(UsageError, match=r"^currency=: .* e\.g\. currency='EUR'"):
        tcoctl.tco(currency=3)


def test_exchange_rates_are_prices_audited_like_any_other() -> None:
    """A 2023 annual average is stale by December 2026 (12 months for prices), not in
    mid-2024."""
    later = run("presets", "audit", "--today", "2026-12-03", "--all", "--format", "json")
    found = {(f["preset"], f["figure"]): f for f in later.json()["figures"]}
    assert found[("exchange-rates", "fx.CNY")]["kind"] == "price"
    assert found[("exchange-rates", "fx.CNY")]["stale"] is True
    early = run("presets", "audit", "--today", "2024-06-30", "--all", "--format", "json")
    found = {(f["preset"], f["figure"]): f for f in early.json()["figures"]}
    assert found[("exchange-rates", "fx.EUR")]["stale"] is False


def test_each_result_carries_the_oldest_date_of_what_it_used() -> None:
    """A price typed in rupees dates the cost by the 2023 rate; results that use no dated
    figure carry none; each compute line carries its own rule's date (AI Act OJ 12.7.2024,
    EO 14110 of 30 October 2023: preset compute-thresholds) and the run the oldest."""
    outcome = run(
        "flops", "--params", "7e9", "--tokens", "2e12", "--gpu-throughput",
        "1e12 token/(180e3 h)", "--price", "150 INR/h", "--format", "json",
    )  # fmt: skip
    document = outcome.json()
    found = document["results"]
    assert found["cost"]["as_of"] == "2023"
    assert "as_of" not in found["total_flop"] and "as_of" not in found["gpu_hours"]
    assert found["eu_systemic_risk"]["as_of"] == "2024-07-12"
    assert found["us_eo14110_reporting"]["as_of"] == "2023-10-30"
    assert document["as_of"] == "2023-10-30"  # ends before 2023 does


def test_a_currency_alone_changes_how_results_show_not_which_rows() -> None:
    """The probe: tco --currency EUR left out capex and annual_opex, which an input option
    shows. Details show once an option sets an input (docs/serving.md); --currency only
    changes how money is shown, so its table has the same rows as the plain run's."""

    def rows(*args: str) -> list[str]:
        table = run("tco", *args, "--format", "table").stdout.split("inputs (citations")[0]
        return [line.split()[0] for line in table.splitlines()[3:] if line.strip()]

    plain, in_euros = rows(), rows("--currency", "EUR")
    assert in_euros == plain and "capex" not in plain
    assert "capex" in rows("--gpus", "100000")


def test_a_centred_range_and_mixed_currencies_convert_each_number() -> None:
    """The probe's "25000..30000..40000 EUR" and "25k EUR..40k USD": each number converts
    at its own currency's rate (1 EUR = 1.0817 USD, Federal Reserve G.5A 2023), and a given
    centre travels with the range."""
    centred = tcoctl.tco(gpu_price="25000..30000..40000 EUR").to_dict()["inputs"]["gpu-price"]
    assert (centred["low"], centred["value"], centred["high"]) == pytest.approx(
        (25000 * 1.0817, 30000 * 1.0817, 40000 * 1.0817)
    )
    mixed = tcoctl.tco(gpu_price="25k EUR..40k USD").to_dict()["inputs"]["gpu-price"]
    assert (mixed["low"], mixed["high"]) == pytest.approx((25000 * 1.0817, 40000))


@pytest.mark.parametrize("command", ["tco", "inference"])
def test_a_batch_in_a_currency_echoes_its_inputs_as_the_single_run_does(command: str) -> None:
    """The probe: a batch with --currency EUR converted its results but echoed the preset's
    money inputs a line's --gpu leaves in place (network cost, a price the GPU's preset does
    not cite: '(anchor replaced)') in USD. Each record's inputs equal its single run's, in
    euros."""
    lines = [{}, {"gpu": "gaudi3"}, {"gpu": "b200"}]
    text = "".join(json.dumps(line) + "\n" for line in lines)
    batch = run(command, "--currency", "EUR", "--input", "-", "--format", "json", input=text)
    assert batch.code == 0, batch.stderr
    for record, line in zip(batch.records(), lines, strict=True):
        args = [arg for key, value in line.items() for arg in (f"--{key}", value)]
        single = run(command, *args, "--currency", "EUR", "--format", "json").json()
        assert record["inputs"] == {key: single["inputs"][key] for key in record["inputs"]}
        assert "USD" not in json.dumps(record), line


@pytest.mark.parametrize("command", ["memory", "supply", "h100e"])
def test_currency_where_no_result_is_money_is_refused_as_the_command_line_does(
    command: str,
) -> None:
    """The probe: tcoctl.memory(currency='EUR') ran silently, while tcoctl memory --currency
    EUR is refused (no such option)."""
    assert run(command, "--currency", "EUR").code == 2
    with pytest.raises(UsageError, match=rf"^currency=: {command} has no money result"):
        getattr(tcoctl, command)(currency="EUR")
