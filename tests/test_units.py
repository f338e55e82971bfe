"""Parsing quantities at the edge: units, ranges, and hostile text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import run
from tcoctl.units import Span, UnitInputError, convert, parse_span, short


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("700 W", "W", (700.0, 700.0)),
        ("1.2..1.7 kW", "W", (1200.0, 1700.0)),
        ("0.08 USD/kWh", "USD/J", (0.08 / 3.6e6, 0.08 / 3.6e6)),
        ("989 TFLOP/s", "FLOP/s", (989e12, 989e12)),
        ("54 day", "s", (54 * 86400.0, 54 * 86400.0)),
        ("1e30FLOP", "FLOP", (1e30, 1e30)),
        ("40 %", "", (0.4, 0.4)),
        ("0.3..0.45", "", (0.3, 0.45)),
        ("30..45%", "", (0.3, 0.45)),
        ("0.1/cm^2", "1/m^2", (1000.0, 1000.0)),
        ("25000..35000USD", "USD", (25000.0, 35000.0)),
        ("$2/h", "USD/s", (2 / 3600, 2 / 3600)),
        ("1 yr", "s", (365.25 * 86400, 365.25 * 86400)),
        ("95 GiB", "B", (95 * 2**30, 95 * 2**30)),
        ("300_000", "", (300000.0, 300000.0)),
        ("600 mm2", "m^2", (6e-4, 6e-4)),
        ("600mm²", "m^2", (6e-4, 6e-4)),
        ("0.1/cm2", "1/m^2", (1000.0, 1000.0)),
    ],
)
def test_parse_converts_to_core_units(text: str, unit: str, expected: tuple[float, float]) -> None:
    span = parse_span(text, unit, "example")
    assert (span.low, span.high) == pytest.approx(expected, rel=1e-12)


def test_pf_day_is_8_64e19_flop() -> None:
    """1 PF-day = 1e15 FLOP/s x 86,400 s (Brown et al. 2020, GPT-3 Appendix D)."""
    assert parse_span("1 PFLOP/s*day", "FLOP", "x").low == pytest.approx(8.64e19, rel=1e-15)
    # GPT-3 175B: 3.64e3 PF-days = 3.14e23 FLOP (Brown et al. 2020, Table D.1).
    assert parse_span("3640 PFLOP/s*day", "FLOP", "x").low == pytest.approx(3.14e23, rel=2e-3)


@pytest.mark.parametrize("text", ["0", "0.0", "-0", "0e3", "0_0"])
@pytest.mark.parametrize("unit", ["s", "W", "USD/J", "USD"])
def test_a_bare_zero_is_zero_in_every_unit(text: str, unit: str) -> None:
    """The probe: --layer-overhead 0 was refused ("'0' has no unit") though its help says '0
    when the efficiencies are given': zero of any dimension is the same in every unit; a
    nonzero plain number still needs its unit (money and energy above all)."""
    assert (parse_span(text, unit, "700 W").low, parse_span(text, unit, "700 W").high) == (0, 0)


def test_a_bare_zero_runs_where_a_unit_was_asked_for() -> None:
    """--layer-overhead 0 (inference: no per-layer overhead, pass_overhead 0) and
    --electricity 0 (tco: no power cost) run, in a batch line too."""
    zero = run("inference", "--layer-overhead", "0", "--format", "json")
    assert zero.code == 0, zero.stderr
    assert zero.json()["results"]["pass_overhead"]["value"] == 0
    free = run("tco", "--electricity", "0", "--format", "json")
    assert free.code == 0 and free.json()["results"]["power_annual"]["value"] == 0
    line = run("inference", "--input", "-", "--format", "json", input='{"layer-overhead": 0}\n')
    assert line.code == 0 and line.records()[0]["results"]["pass_overhead"]["value"] == 0
    assert "has no unit" in run("tco", "--electricity", "0.08").stderr


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("5 kWh", "W", "is an energy, expected a power (divide by a time?)"),
        ("700 W/s", "W", "expected a power (multiply by a time?)"),
        ("5 kg", "W", "is a mass, expected a power"),
        ("700", "W", "has no unit; expected a power"),
        ("1e-400", "s", "has no unit; expected a time"),  # rounds to 0, is not written 0
        ("0.08", "USD/J", "has no unit; expected money per energy"),
        ("0..1", "s", "has no unit; expected a time"),
        ("9**9**9 W", "W", "cannot read"),
        ("2**999 W", "W", "cannot read"),
        ("W**9**9", "W", "cannot read"),
        ("5..1", "", "runs backwards; write LOW..HIGH, e.g. '1..5'"),
        ("2 kW..1 kW", "W", "runs backwards; write LOW..HIGH, e.g. '1..2 kW'"),
        ("1e400 W", "W", "not a finite number"),
        ("nan", "", "cannot read"),
        ("inf W", "W", "cannot read"),
        ("5 foo", "W", "unknown unit ('foo')"),
        ("", "W", "cannot read"),
        ("0.002 USD / 1000 token", "USD/token", "cannot read"),
        ("x" * 100_000, "W", "characters long"),
        ("７００ W", "W", "cannot read"),
        ("1 kW..2", "W", "give the unit after the range"),
        ("5....10", "", "cannot read"),
        ("1..3..2 W", "W", "has its centre outside; write LOW..CENTRE..HIGH, e.g. '1..1.5..2 W'"),
    ],
)
def test_bad_text_is_refused_with_a_reason(text: str, unit: str, message: str) -> None:
    with pytest.raises(UnitInputError, match=None) as caught:
        parse_span(text, unit, "700 W")
    assert message in str(caught.value)
    assert "e.g. '" in str(caught.value)  # every reason shows what to write


@pytest.mark.parametrize(
    ("typed", "example"),
    [
        ("25000..35000", "25000..35000 USD"),
        ("25000..30000..35000", "25000..30000..35000 USD"),
        ("35000..25000", "25000..35000 USD"),  # a backwards range's example runs forwards
        ("25000", "33750 USD"),
    ],
)
def test_a_range_without_a_unit_is_shown_as_a_range(typed: str, example: str) -> None:
    """New-user trial, item 6: --gpu-price 25000..35000 was shown the single value
    '33750 USD' (the option's example); a range is shown the range in the example's unit,
    and that example runs."""
    outcome = run("tco", "--gpu-price", typed)
    assert outcome.code == 2 and outcome.stderr == (
        f"tcoctl: error: --gpu-price: '{typed}' has no unit; expected an amount of money, "
        f"e.g. '{example}'\n"
    )
    assert run("tco", "--gpu-price", example).code == 0


def test_bare_number_allowed_for_counted_units() -> None:
    assert parse_span("15.6e12", "token", "x", "token") == Span(15.6e12, 15.6e12)
    span = parse_span("26..33", "m", "x", "mm")
    assert (span.low, span.high) == pytest.approx((0.026, 0.033), rel=1e-15)


@given(st.floats(1e-30, 1e33), st.floats(1.0, 1e3))
def test_range_keeps_order_and_full_precision(low: float, factor: float) -> None:
    high = low * factor
    span = parse_span(f"{low!r}..{high!r} FLOP", "FLOP", "x")
    assert span.low == low and span.high == high
    assert span.low <= span.mid <= span.high


def test_a_range_may_carry_its_own_centre() -> None:
    """LOW..CENTRE..HIGH (a chained result): the centre is the central value, not the
    midpoint, and shows in another unit as typed."""
    span = parse_span("1.2..1.3..1.7 kW", "W", "x")
    assert (span.low, span.mid, span.high) == pytest.approx((1200.0, 1300.0, 1700.0))
    assert span.to("kW").mid == pytest.approx(1.3)
    assert parse_span("1.2..1.7 kW", "W", "x").mid == pytest.approx(1450.0)


@given(st.text(max_size=60))
def test_any_text_parses_or_raises_cleanly(text: str) -> None:
    try:
        span = parse_span(text, "W", "700 W")
    except UnitInputError:
        return
    assert span.low <= span.high


def test_convert_and_short_units() -> None:
    assert convert(3.6e6, "J", "kWh") == pytest.approx(1.0)
    assert short("USD/h") == "USD/h" and short("FLOP/s") == "FLOP/s" and short("") == ""
    assert short("day") == "day" and short("year") == "yr"


@pytest.mark.parametrize(
    ("args", "option", "meant"),
    [
        (["tco", "--utilization", "0.9%"], "--utilization 0.9%", "did you mean 0.9 (that is 90 %)"),
        (["flops", "--preset", "run-1e30", "--mfu", "0.4%"], "--mfu 0.4%", "did you mean 0.4"),
    ],
)
def test_a_fraction_under_one_percent_is_taken_but_questioned(
    args: list[str], option: str, meant: str
) -> None:
    """Issue 19 item 16: 0.9 % is almost surely a typo for 0.9 or 90 %: it runs (the unit
    says what it is), with a warning that names the option."""
    outcome = run(*args, "--format", "json")
    assert outcome.code == 0
    assert option in outcome.stderr and meant in outcome.stderr
    assert "under one percent" not in run(*args[:-1], "9%", "--format", "json").stderr


def test_pint_never_sees_a_unit_longer_than_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 19 item 28: a 100 kB unit in a batch line (or an upstream document) went to pint
    before the 200-character check and took 73 s to be refused."""
    from tcoctl import units

    registry = units.registry()
    seen: list[int] = []
    parse = registry.parse_units

    def spy(text: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(len(text))
        return parse(text, *args, **kwargs)

    monkeypatch.setattr(registry, "parse_units", spy)
    long_unit = "h" * 100_000
    lines = f'{{"electricity": "0.1 {long_unit}"}}\n{{"gpus": 1000}}\n'
    outcome = run("tco", "--input", "-", input=lines)
    assert outcome.code == 1
    assert "line 1: " in outcome.stderr and "at most 200" in outcome.stderr
    assert [record["line"] for record in outcome.records()] == [2]
    assert max(seen, default=0) <= units.MAX_TEXT


PRINTED_MAGNITUDES = (0.5, 1.5, 12_345.0, 33_070.0, 5.5e7, 1.423e9, 2.2e13, 7.1e22)


def printed_quantities() -> list[tuple[str, str, str, str | None]]:
    """Every unit a result or number input of a calculator prints in (JSON's short unit),
    with its core unit: (where, printed unit, core unit, bare unit)."""
    from tcoctl.specs import CALCULATORS

    found: dict[tuple[str, str], tuple[str, str | None]] = {}
    for calc in CALCULATORS.values():
        for result in calc.results:
            if not result.labels:  # a coded result (binding: hbm) prints a name
                where = f"{calc.name} {result.name}"
                found[(short(result.display), result.unit)] = (where, None)
        for spec in calc.inputs:
            if spec.kind == "number":
                bare = spec.display if spec.bare else None
                found[(short(spec.display), spec.unit)] = (f"{calc.name} --{spec.name}", bare)
    return [(where, shown, core, bare) for (shown, core), (where, bare) in found.items()]


@pytest.mark.parametrize(("where", "shown", "core_unit", "bare"), printed_quantities())
def test_every_printed_quantity_reads_back(
    where: str, shown: str, core_unit: str, bare: str | None
) -> None:
    """Issue 19 item 14: what tables and JSON print is accepted as input ('50000 1/month',
    '30k USD', '1.423 bn USD/yr', '33,070 day'): JSON's value and unit exactly, a table's
    number and scaled unit to its four significant figures."""
    from tcoctl.notation import fmt_parts

    for value in PRINTED_MAGNITUDES:
        expected = convert(value, shown, core_unit) if shown else value
        as_json = parse_span(f"{value!r} {shown}".strip(), core_unit, "x", bare)
        assert as_json.low == pytest.approx(expected, rel=1e-12), (where, shown)
        text = " ".join(part for part in fmt_parts(value, shown) if part)
        as_table = parse_span(text, core_unit, "x", bare)
        assert as_table.low == pytest.approx(expected, rel=5e-4), (where, text)


def test_a_display_unit_reads_as_typed() -> None:
    """--unit defect_density=1/cm^2 and =/cm^2 (a garbled message, then an internal pint
    error) both show defect densities per cm^2."""
    for unit in ("1/cm^2", "/cm^2"):
        outcome = run("yield", "--preset", "smic-7nm", "--unit", f"implied_defect_density={unit}")
        assert outcome.code == 0, outcome.stderr
        record = json.loads(outcome.stdout.splitlines()[0])  # smic-7nm: two dies
        assert record["results"]["implied_defect_density"]["unit"] == "1/cm^2"


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("0.08 USD/kWh/kWh", "is money per energy per energy, expected money per energy"),
        ("0.08 USD*kWh", "is an amount of money times an energy, expected money per energy"),
        ("0.08 USD/kg", "is an amount of money per mass, expected money per energy"),
    ],
)
def test_a_compound_wrong_unit_is_named_in_words(typed: str, named: str) -> None:
    """A unit one factor away from a named dimension reads as that (the new-user trial's
    '0.08 USD/kWh/kWh' read 'a quantity of dimension [currency] * [time] ** 4 / ...')."""
    outcome = run("tco", "--electricity", typed)
    assert outcome.code == 2
    assert f"--electricity: {typed!r} {named}; e.g. '0.08 USD/kWh'" in outcome.stderr


@pytest.mark.parametrize(
    ("option", "typed", "word"),
    [("--params", "70B", "bn"), ("--tokens", "15T", "tn"), ("--params", "70G", "bn")],
)
def test_a_count_written_as_a_paper_writes_it_is_told_tcoctls_word(
    option: str, typed: str, word: str
) -> None:
    """The second new-user trial: '--params 70B' (Llama's '70B') read as 70 bytes and
    '--tokens 15T' as an unknown unit, with no word of '70bn' or '15tn', which tcoctl reads."""
    other = {"--params": ("--tokens", "2e12"), "--tokens": ("--params", "7e9")}[option]
    outcome = run("flops", *other, option, typed)
    assert outcome.code == 2
    assert f"(a count's {typed[-1]} is written '{word}' here, e.g. '70{word}')" in outcome.stderr
    fixed = run("flops", *other, option, f"{typed[:-1]}{word}", "--value", "total_flop")
    assert fixed.code == 0, fixed.stderr
