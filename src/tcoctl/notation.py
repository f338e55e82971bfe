"""Numbers for people: significant figures, thousands separators, SI prefixes and scale
words. Tables and charts only: JSON and CSV keep every digit.

The rule (docs/units-and-ranges.md), ``--notation si``, the default: a number below 10,000
is written out (4 significant figures); from 10,000 it takes a scale, so that it reads
1 to 999, and the scale goes into the unit:

- units with SI prefixes (W, Wh, J, B, FLOP, FLOP/s, token, and prefixed forms of them such
  as GWh or PFLOP/s) take the prefixes in everyday use, k to E (exa, 1e18): 718.1 TWh,
  350 EFLOP/s;
- money, plain counts and every other unit take the words k, M, bn, tn before the unit:
  1.423 bn USD/yr, 758.3 k, 317.5 bn h (counts and units other than money only from a
  million, so 100,000 GPUs and 33,070 days stay as they are);
- beyond the last prefix or word, and below 0.001, a number is written in scientific
  notation in the unit without a prefix: 1e30 FLOP (as compute budgets and thresholds are
  written), 5.4e22 FLOP/s.

``--notation sci`` writes every number of 10,000 or more in scientific notation in its
display unit, whole numbers too, so that a row never mixes the two (350,000 beside 2.25e5):
1.423e9 USD/yr, 1e5 GPUs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from contextvars import ContextVar

from tcoctl.errors import UsageError, not_one_of
from tcoctl.specs import CURRENCIES

SIGNIFICANT = 4
"""Significant figures of a number in a table (inputs are rarely known better)."""
MOST_FIGURES = 15
"""The most significant figures a table gives a number that needs more to be told from its
neighbour (a sweep's points): float64 holds 15 faithfully, as JSON and CSV write them."""
NEAR_ONE_DECIMALS = 9
"""The most decimals a value near 1 keeps in a table (1 - 5.6e-16 reads 1.000000000: within
5e-10 of 1); JSON and CSV keep 15 significant digits."""
SCALE_FROM = 1e4
"""Magnitude from which a number takes a prefix or a scale word."""
WORDS_FROM = 1e6
"""Magnitude from which a whole count, or a number in a unit other than money, takes a
scale word (100,000 GPUs, 33,070 days stay as they are)."""
SI_PREFIXES = ((18, "E"), (15, "P"), (12, "T"), (9, "G"), (6, "M"), (3, "k"))
"""The SI prefixes a table uses, up to exa: beyond, scientific notation (1e30 FLOP)."""
PREFIX_EXPONENTS = {"k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18, "Z": 21, "Y": 24}
"""Prefixes a display unit may already carry (GWh, PFLOP/s), by power of ten."""
WORDS = ((12, "tn"), (9, "bn"), (6, "M"), (3, "k"))
"""Scale words, before the unit: 1.42 bn USD/yr, 70.55 bn, 317.5 bn h (never "B", the
symbol of the byte, which pint would read in "B USD")."""
PREFIXABLE = ("FLOP", "W", "J", "Wh", "B", "token")
"""Units that take an SI prefix in a table (718,100 GWh -> 718.1 TWh)."""
MONEY = ("USD", *CURRENCIES)
"""Units of money, which take scale words from 10,000 (36.25 k USD)."""
NOTATIONS = ("si", "sci")


class Notation:
    """The notation tables use: ``si`` (prefixes and words) or ``sci`` (scientific); set by
    ``tcoctl --notation`` for the run, or ``tcoctl.notation.notation.set("sci")`` in Python,
    per thread or task (a ContextVar). A name not in NOTATIONS is refused."""

    def __init__(self) -> None:
        self.choice: ContextVar[str] = ContextVar("notation", default="si")

    def get(self) -> str:
        return self.choice.get()

    def set(self, name: str) -> None:
        if name not in NOTATIONS:
            example = "tcoctl.notation.notation.set('sci')"
            raise UsageError("notation: " + not_one_of(str(name), NOTATIONS, example))
        self.choice.set(name)


notation = Notation()


def _prefixed(unit: str) -> tuple[int, str] | None:
    """A unit that takes SI prefixes as (the power of ten of its prefix, the unit without
    it): 'GWh' -> (9, 'Wh'), 'W' -> (0, 'W'); None for any other unit."""
    head, slash, tail = unit.partition("/")
    if head in PREFIXABLE:
        return 0, unit
    if head[:1] in PREFIX_EXPONENTS and head[1:] in PREFIXABLE:
        return PREFIX_EXPONENTS[head[0]], head[1:] + slash + tail
    return None


def _scales(value: float, unit: str) -> tuple[tuple[int, str], ...]:
    """The scales a number in ``unit`` may take, largest first, as (power of ten to divide
    by, unit text); a negative power is the unit without its prefix (scientific)."""
    prefixed = _prefixed(unit)
    if prefixed is not None:
        own, base = prefixed
        return tuple((exp - own, prefix + base) for exp, prefix in SI_PREFIXES if exp > own)
    words = tuple((exp, f"{word} {unit}".rstrip()) for exp, word in WORDS)
    if unit.split("/")[0] in MONEY or (not unit and not value.is_integer()):
        return words
    if unit.startswith("1/"):  # a count rate: 1.2 M/month
        words = tuple((exp, f"{word}{unit[1:]}") for exp, word in WORDS)
    return words if abs(value) >= WORDS_FROM else ()


def _beyond(unit: str) -> tuple[int, str]:
    """The scale of a number beyond the last prefix or word: scientific, in the unit
    without a prefix (1e30 FLOP, 5.4e22 FLOP/s)."""
    prefixed = _prefixed(unit)
    return (-prefixed[0], prefixed[1]) if prefixed else (0, unit)


def scale_for(value: float, unit: str, figures: int = SIGNIFICANT) -> tuple[int, str]:
    """The power of ten a table divides ``value`` by, and the unit text that goes with it
    (0 and ``unit`` itself when the number stays as it is), for ``value`` written to
    ``figures`` significant figures."""
    if not math.isfinite(value) or abs(value) < SCALE_FROM or notation.get() == "sci":
        return 0, unit
    rounded = abs(float(f"{value:.{figures - 1}e}"))
    scales = _scales(value, unit)
    top = scales[0][0] if scales else 0 if _prefixed(unit) else None  # None: no scale at all
    if top is not None and rounded >= 10.0 ** (top + 3):
        return _beyond(unit)
    return next(((exp, text) for exp, text in scales if rounded >= 10.0**exp), (0, unit))


def number(x: float, near_one: bool = True, figures: int = SIGNIFICANT) -> str:
    """A number to ``figures`` significant figures (SIGNIFICANT unless told), thousands
    separated, trailing zeros dropped; whole numbers below a million exactly; e-notation
    outside 1e-3..1e6 (from 1e4 with ``--notation sci``, whole numbers too). With
    ``near_one`` (a plain number: a yield, a share) a value near 1 keeps the digits where it
    departs from 1 and one more (0.99992976 -> 0.999930), so that powers of it stay right:
    0.999930^1500 = 0.900; NEAR_ONE_DECIMALS at most."""
    if x == 0 or not math.isfinite(x):
        return str(x) if x else "0"
    largest = SCALE_FROM if notation.get() == "sci" else 1e6
    if x.is_integer() and abs(x) < largest:
        return f"{x:,.0f}"
    rounded = float(f"{x:.{figures - 1}e}")
    magnitude = abs(rounded)
    if not 1e-3 <= magnitude < largest:
        mantissa, exponent = f"{x:.{figures - 1}e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    decimals = figures - 1 - math.floor(math.log10(magnitude))
    distance = float(f"{abs(x - 1.0):.2e}")  # 1 - 0.9999 is 1e-4, not 9.99..e-5
    if near_one and 0 < distance < 0.1 and 1 - math.floor(math.log10(distance)) > decimals:
        return f"{x:,.{min(1 - math.floor(math.log10(distance)), NEAR_ONE_DECIMALS)}f}"
    if decimals <= 0:
        return f"{round(x, decimals):,.0f}"
    return f"{x:,.{decimals}f}".rstrip("0").rstrip(".")


def fmt_parts(
    value: float | str, unit: str = "", exp: int | None = None, figures: int = SIGNIFICANT
) -> tuple[str, str]:
    """A value for a table as (number, unit), scaled to a prefix or word (``exp`` forces
    the scale of another value, e.g. low and high beside the value they bracket), to
    ``figures`` significant figures."""
    if isinstance(value, str):
        return value, unit
    if exp is None:
        exp, shown = scale_for(value, unit, figures)
    elif exp < 0:
        shown = _beyond(unit)[1]
    else:
        shown = dict(_scales(value, unit)).get(exp, unit) if exp else unit
    near_one = not exp and not shown  # a share or yield, not 0.9996 ms of a time
    return number(value / 10.0**exp, near_one=near_one, figures=figures), shown


def fmt(value: float | str, unit: str = "", figures: int = SIGNIFICANT) -> str:
    """A value for people: ``fmt(1e30, "FLOP")`` is '1e30 FLOP', ``fmt(1.4229e9, "USD/yr")``
    '1.423 bn USD/yr', ``fmt(0.99992976)`` '0.999930'. Tables only: JSON and CSV keep every
    digit."""
    text, shown = fmt_parts(value, unit, figures=figures)
    return f"{text} {shown}".rstrip()


def telling_apart(values: Sequence[float], unit: str = "") -> int:
    """The fewest significant figures, SIGNIFICANT at least and MOST_FIGURES at most, at which
    ``fmt`` writes each of ``values`` differently from the next one when they differ: a
    sweep's 1000, 1000.5, 1001 W read 1,000, 1,000.5, 1,001 (to 4 figures the middle one
    read 1,000, as its neighbour did)."""
    for figures in range(SIGNIFICANT, MOST_FIGURES):
        texts = [fmt(value, unit, figures) for value in values]
        pairs = zip(values, values[1:], texts, texts[1:], strict=False)
        if all(text != after for value, nxt, text, after in pairs if value != nxt):
            return figures
    return MOST_FIGURES


FEW_FIGURES = 8
"""An answer written with at most this many significant figures is shown with all of them."""


def figures_written(value: float) -> int:
    """The significant figures a table shows of an answer chosen to have few (a goal-seek's
    limit or stepped goal, answered with the fewest figures that meet it: site-power 14.986
    MW for gpus=10003, where 14.99 gives 10,005): all of them, up to FEW_FIGURES; a value
    with more (a continuous root's) keeps SIGNIFICANT."""
    digits = f"{abs(value):.12e}".split("e")[0].replace(".", "").rstrip("0")
    return max(SIGNIFICANT, len(digits)) if len(digits) <= FEW_FIGURES else SIGNIFICANT
