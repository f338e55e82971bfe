"""Numbers for people: significant figures, thousands separators, SI prefixes and k/M/B
words. Tables and charts only: JSON and CSV keep every digit."""

from __future__ import annotations

import math

from tcoctl.specs import CURRENCIES

SIGNIFICANT = 4
"""Significant figures of a number in a table (inputs are rarely known better)."""
SCALE_FROM = 1e4
"""Magnitude from which a number takes a prefix or a k/M/B word."""
SI_PREFIXES = (
    (30, "Q"), (27, "R"), (24, "Y"), (21, "Z"), (18, "E"), (15, "P"),
    (12, "T"), (9, "G"), (6, "M"), (3, "k"),
)  # fmt: skip
"""SI prefixes up to quetta (BIPM, 27th CGPM 2022: ronna R = 1e27, quetta Q = 1e30)."""
WORDS = ((12, "T"), (9, "B"), (6, "M"), (3, "k"))
"""Scales of money: 1.42 B USD/yr."""
COUNT_WORDS = ((12, "tn"), (9, "bn"), (6, "M"), (3, "k"))
"""Scales of plain numbers: 758.3 k, 70.55 bn (not "B", which a table also shows for bytes)."""
PREFIXABLE = ("FLOP", "W", "J", "Wh", "B", "token")
MONEY = ("USD", *CURRENCIES)
"""Units of money, which take k/M/B words (1.42 B EUR/yr)."""
"""Units that take an SI prefix in a table when they have none (1e30 FLOP -> 1 QFLOP)."""


def _scales(value: float, unit: str) -> tuple[tuple[int, str], ...]:
    """The scales a number in ``unit`` may take, and how they join the unit."""
    head = unit.split("/")[0]
    if head in MONEY:
        return tuple((exp, f"{word} {unit}") for exp, word in WORDS)
    if not unit and not value.is_integer():
        return COUNT_WORDS
    if head in PREFIXABLE:
        return tuple((exp, prefix + unit) for exp, prefix in SI_PREFIXES)
    if not unit and abs(value) >= 1e6:  # a large whole count: 12 M, not 12,000,000
        return COUNT_WORDS
    if unit.startswith("1/") and abs(value) >= 1e6:  # a count rate: 1.2 M/month
        return tuple((exp, f"{word}{unit[1:]}") for exp, word in COUNT_WORDS)
    return ()


def scale_for(value: float, unit: str) -> tuple[int, str]:
    """The power of ten a table divides ``value`` by, and the unit text that goes with it
    (0 and ``unit`` itself when the number stays as it is)."""
    if not math.isfinite(value) or abs(value) < SCALE_FROM:
        return 0, unit
    rounded = abs(float(f"{value:.{SIGNIFICANT - 1}e}"))
    for exp, text in _scales(value, unit):
        if rounded >= 10.0**exp:
            return (exp, text) if rounded < 10.0 ** (exp + 3) else (0, unit)  # beyond: 5e35
    return 0, unit


def number(x: float, near_one: bool = True) -> str:
    """A number to SIGNIFICANT figures, thousands separated, trailing zeros dropped; whole
    numbers below a million exactly; e-notation outside 1e-3..1e6. A value near 1 keeps the
    digits where it departs from 1 and one more (0.99992976 -> 0.999930), so that powers of
    it stay right: 0.999930^1500 = 0.900."""
    if x == 0 or not math.isfinite(x):
        return str(x) if x else "0"
    if x.is_integer() and abs(x) < 1e6:
        return f"{x:,.0f}"
    rounded = float(f"{x:.{SIGNIFICANT - 1}e}")
    magnitude = abs(rounded)
    if not 1e-3 <= magnitude < 1e6:
        mantissa, exponent = f"{x:.{SIGNIFICANT - 1}e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    decimals = SIGNIFICANT - 1 - math.floor(math.log10(magnitude))
    distance = float(f"{abs(x - 1.0):.2e}")  # 1 - 0.9999 is 1e-4, not 9.99..e-5
    if near_one and 0 < distance < 0.1 and 1 - math.floor(math.log10(distance)) > decimals:
        return f"{x:,.{1 - math.floor(math.log10(distance))}f}"
    if decimals <= 0:
        return f"{round(x, decimals):,.0f}"
    return f"{x:,.{decimals}f}".rstrip("0").rstrip(".")


def fmt_parts(value: float | str, unit: str = "", exp: int | None = None) -> tuple[str, str]:
    """A value for a table as (number, unit), scaled to a prefix or word (``exp`` forces
    the scale of another value, e.g. low and high beside the value they bracket)."""
    if isinstance(value, str):
        return value, unit
    if exp is None:
        exp, shown = scale_for(value, unit)
    else:
        shown = dict(_scales(value, unit)).get(exp, unit) if exp else unit
    return number(value / 10.0**exp, near_one=False) if exp else number(value), shown


def fmt(value: float | str, unit: str = "") -> str:
    """A value for people: ``fmt(1e30, "FLOP")`` is '1 QFLOP', ``fmt(1.4229e9, "USD/yr")``
    '1.423 B USD/yr', ``fmt(0.99992976)`` '0.999930'. Tables only: JSON and CSV keep every
    digit."""
    text, shown = fmt_parts(value, unit)
    return f"{text} {shown}".rstrip()
