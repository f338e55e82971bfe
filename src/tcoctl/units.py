"""Units at the edge: parse what a user or preset wrote, check its dimension, convert it once
to the numpy core's fixed units (SI and USD), and convert core results back for display.

pint is imported lazily and built once from the trimmed definitions in ``units.txt``. User
text never reaches pint's expression evaluator: a strict grammar (a number, an optional
``..`` range end, and a unit made of names, ``*``, ``/`` and one-digit powers; or a rate
``AMOUNT UNIT/(NUMBER UNIT)``) is checked first, so ``9**9**9 W`` is rejected instead of
being computed for ever.

A range may carry its own centre, ``LOW..CENTRE..HIGH``: a chained result's value with its
low and high, so the receiving run is centred where the upstream one was, not at the midpoint.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tcoctl.presets import Entry, Preset, PresetError, load
from tcoctl.specs import CURRENCIES

if TYPE_CHECKING:
    import pint

MAX_TEXT = 200
_NUM = r"[+-]?(?:\d[\d_]*(?:\.(?!\.)\d*)?|\.\d+)(?:[eE][+-]?\d+)?"  # '5.' but not '5...'
_NAME = r"[A-Za-z_%µ$][A-Za-z_µ]*(?:CO2eq?)?"  # CO2e: the one unit with a digit
_FACTOR = rf"{_NAME}(?:\s*(?:\^|\*\*)\s*-?\d)?"
_UNIT = rf"(?:/\s*)?{_FACTOR}(?:\s*(?:[*/]|\s)\s*{_FACTOR})*"
_QUANTITY = re.compile(
    rf"^\s*(?P<lo>{_NUM})\s*(?P<lo_unit>{_UNIT})?\s*"
    rf"(?:\.\.\s*(?:(?P<mid>{_NUM})\s*\.\.\s*)?(?P<hi>{_NUM})\s*(?P<hi_unit>{_UNIT})?)?\s*$",
    re.ASCII,
)

_PER = re.compile(
    rf"^\s*(?P<num>{_NUM})\s*(?P<unit>{_UNIT})?\s*/\s*\(\s*(?P<den>{_NUM})\s*(?P<den_unit>{_UNIT})"
    rf"\s*\)\s*$",
    re.ASCII,
)
"""A rate as papers state it: an amount over (a number and a unit), ``1e12 token/(180e3 h)``."""
_SQUARED = re.compile(r"(?<![A-Za-zµ])((?:[mcµun])?m|in)([23])\b")
_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
SIMPLE_UNIT = re.compile(r"[A-Za-z%]+(?:/[A-Za-z]+)?", re.ASCII)
"""A unit the fast paths take as it is (``day``, ``kW``, ``USD/kWh``); others go through
the full grammar."""
_DOLLAR = re.compile(r"(^\s*|\.\.\s*)\$")
_MASS = re.compile(r"(?<![A-Za-zµ])([kMG]?g|[kM]?t|lbs?)(?![A-Za-zµ0-9])")
"""A plain mass unit (g, kg, t, Mt, lb), read as CO2e where an option takes emissions."""

_US_CENT = re.compile(r"\bUS ?(?=cents?\b)")
"""'12 US cent/kWh' is '12 cent/kWh' (and '12¢/kWh' too: ¢ is spelled out)."""
RATES_PRESET = "exchange-rates"
"""The preset of kind ``rates`` whose ``[fx]`` table defines each currency's unit."""
_RATE = re.compile(rf"^\s*(?P<number>{_NUM})\s*(?P<per>/)?\s*USD\s*$", re.ASCII)
"""An exchange rate as central banks print it: US dollars per unit (``1.0817 USD``) or
units per US dollar (``7.0809 /USD``)."""
CURRENCY_NAMES = {
    "EUR": ("euro", "eur"),
    "GBP": ("gbp",),
    "CNY": ("yuan", "RMB", "renminbi", "cny"),
    "INR": ("rupee", "inr"),
    "JPY": ("yen", "jpy"),
}
"""Other spellings of each currency a user may type (pint also takes plurals: euros)."""

DIMENSION_NAMES = (
    ("", "a plain number"),
    ("m", "a length"),
    ("m^2", "an area"),
    ("1/m^2", "a density per area"),
    ("s", "a time"),
    ("g", "a mass"),
    ("USD", "an amount of money"),
    ("FLOP", "an amount of compute"),
    ("FLOP/s", "a compute rate"),
    ("W", "a power"),
    ("J", "an energy"),
    ("USD/s", "money per time"),
    ("USD/J", "money per energy"),
    ("USD/W", "money per power"),
    ("1/s", "a rate per time"),
    ("W/s", "a power per time"),
    ("B", "an amount of data"),
    ("B/s", "a data rate"),
    ("token", "a number of tokens"),
    ("token/s", "a token rate"),
    ("gCO2e", "an amount of CO2e"),
    ("gCO2e/J", "CO2e per energy"),
    ("gCO2e/s", "CO2e per time"),
    ("g/J", "a mass per energy"),
)


class UnitInputError(ValueError):
    """A quantity the user typed (or a preset holds) that cannot be used; the message says why."""


class Unreadable(UnitInputError):
    """Text that reads as no number or quantity at all (':', 'x')."""


class Backwards(UnitInputError):
    """A range written HIGH..LOW; ``swapped`` is it written LOW..HIGH, the example unless the
    caller, who knows the input's bounds, finds the swapped range refused too."""

    def __init__(self, text: str, swapped: str) -> None:
        self.text, self.swapped = text, swapped
        super().__init__(f"range {text!r} runs backwards; write LOW..HIGH, e.g. '{swapped}'")


@dataclass(frozen=True)
class Span:
    """A parsed quantity in core units; ``low == high`` unless the text gave ``LOW..HIGH``.
    ``centre`` is a range's own centre (``LOW..CENTRE..HIGH``), None for its midpoint."""

    low: float
    high: float
    typed: tuple[tuple[float, str], tuple[float, str]] | None = field(default=None, compare=False)
    """What was typed: (magnitude, unit) of each end, to show it again in another unit."""
    centre: float | None = None
    typed_centre: float | None = field(default=None, compare=False)
    """The centre's magnitude as typed (in the unit of the high end)."""

    @property
    def mid(self) -> float:
        """The central value: the range's own centre, else its midpoint."""
        if self.centre is not None:
            return self.centre
        return 0.5 * self.low + 0.5 * self.high  # no overflow near the largest float

    def to(self, unit: str) -> Span:
        """The typed quantity in ``unit`` (one multiplication per end, so '26 mm' stays 26)."""
        if self.typed is None:
            raise ValueError("this span was not typed")
        scales = []
        for _, source in self.typed:
            scale = factor(source, unit)
            if isinstance(scale, str):
                raise ValueError(f"{source!r} {scale}")
            scales.append(scale)
        (low, _), (high, _) = self.typed
        centre = None if self.typed_centre is None else self.typed_centre * scales[1]
        return Span(low * scales[0], high * scales[1], self.typed, centre, self.typed_centre)

    @property
    def is_range(self) -> bool:
        return self.low != self.high


@cache
def registry() -> pint.UnitRegistry[Any]:
    """The application's one pint registry, built on first use from ``units.txt``."""
    import pint  # on first use: pint takes a while to load

    definitions = Path(__file__).parent / "units.txt"  # not importlib.resources: 3-5 ms
    ureg: pint.UnitRegistry[Any] = pint.UnitRegistry(
        str(definitions), autoconvert_offset_to_baseunit=True
    )
    for code, (usd, _) in exchange_rates().items():
        ureg.define(f"{code} = {usd!r} * USD = _ = {' = '.join(CURRENCY_NAMES[code])}")
    return ureg


@cache
def exchange_rates() -> dict[str, tuple[float, Entry]]:
    """Each currency's worth in US dollars with its figure, from the ``exchange-rates``
    preset (a user's preset of that name takes the built-in's place); a currency the preset
    leaves out is an unknown unit."""
    return rates_of(load(RATES_PRESET, "exchange rates", kind="rates"))


def rates_of(preset: Preset) -> dict[str, tuple[float, Entry]]:
    """A ``rates`` preset's currencies: US dollars per unit, with the figure it came from."""
    rates = {}
    for code, entry in preset.sections["fx"].items():
        where = f"{preset.path}: fx.{code}"
        if code not in CURRENCIES:
            raise PresetError(f"{where}: no such currency; expected one of {', '.join(CURRENCIES)}")
        match = _RATE.match(entry.value) if isinstance(entry.value, str) else None
        number = float(match["number"].replace("_", "")) if match else 0.0
        if match is None or not 0 < number < math.inf:
            raise PresetError(
                f"{where}: expected US dollars per {code} or {code} per US dollar, "
                "e.g. '1.0817 USD' or '7.0809 /USD'"
            )
        rates[code] = (1 / number if match["per"] else number, entry)
    return rates


@cache
def currencies_in(unit_text: str) -> list[str]:
    """The currencies other than USD that a (checked) unit text names: 'EUR/kWh' -> [EUR]."""
    if not unit_text:
        return []
    names = re.findall(r"[A-Za-z]+", str(_unit(unit_text)))
    return [code for code in CURRENCIES if code in names]


def _unit(text: str) -> Any:
    """Parse a unit expression that already passed the grammar check into a pint Unit."""
    ureg = registry()
    text = text.strip().replace("$", "USD").replace("%", "percent")
    if text.startswith("/"):
        return 1 / ureg.parse_units(text[1:].strip())
    return ureg.parse_units(text)


def dimension_name(unit: Any) -> str:
    """A reader's name for a pint unit's dimension (``a power``); else one named dimension
    per or times another (USD/kWh/kWh: ``money per energy per energy``); else the raw
    dimension."""
    dims = _dimensionality(unit)
    named = [(_dimensionality(example), name) for example, name in DIMENSION_NAMES]
    for known, name in named:
        if known == dims:
            return name
    for (first, name), (second, other) in itertools.product(named[1:], repeat=2):
        if first / second == dims:
            return f"{name} per {other.removeprefix('an ').removeprefix('a ')}"
        if first * second == dims:
            return f"{name} times {other}"
    return f"a quantity of dimension {dims}"


def _dimensionality(unit: Any) -> Any:
    """pint's dimensionality of a Unit or unit string ('' is dimensionless)."""
    ureg = registry()
    if isinstance(unit, str):
        unit = ureg.parse_units(unit) if unit else ureg.dimensionless
    return ureg.get_dimensionality(unit)


def _hint(given: Any, expected: Any) -> str:
    """Suggest the missing factor when given and expected differ by a time (numbat's manners)."""
    ratio = _dimensionality(given / expected)
    if ratio == _dimensionality("s"):
        return " (divide by a time?)"
    if ratio == _dimensionality("Hz"):
        return " (multiply by a time?)"
    return ""


_ZERO = re.compile(r"[+-]?[0_]*\.?[0_]*(?:[eE][+-]?\d+)?")
"""A number written as zero (0, 0.0, -0, 0e3), not one that rounds to it (1e-400)."""


def parse_span(text: str, core_unit: str, example: str, bare_unit: str | None = None) -> Span:
    """Parse ``"700 W"``, ``"1.2..1.7 kW"`` or ``"0.3..0.45"`` into a Span in ``core_unit``.

    Where ``core_unit`` is an emission (gCO2e), a plain mass (g, kg, t, Mt) reads as CO2e:
    the option says what the mass is of, and CO2e stays its own dimension everywhere else.
    A bare number is accepted only when ``core_unit`` is dimensionless or ``bare_unit`` is
    given (then it is read in that unit: tokens, die sizes in mm), or when it is 0, the same
    in every unit (``--layer-overhead 0``). Raises UnitInputError
    with a one-line reason; the caller adds the option name. pint sees each distinct unit
    text once (``factor`` is cached), so batches of values parse quickly.
    """
    if len(text) > MAX_TEXT:
        raise UnitInputError(
            f"text is {len(text)} characters long (at most {MAX_TEXT}); e.g. '{example}'"
        )
    text = as_printed(_US_CENT.sub("", text).replace("¢", " cent"))
    simple = _simple(text, core_unit, bare_unit)
    if simple is not None:
        return simple
    text = as_emissions(
        _SQUARED.sub(r"\1^\2", text.replace("²", "2").replace("³", "3")), core_unit
    )  # mm2, cm², m3
    if not core_unit and _PLAIN.fullmatch(text):  # fast path: a plain number
        value = float(text)
        if not math.isfinite(value):
            raise UnitInputError(f"{text} is not a finite number; e.g. '{example}'")
        return Span(value, value, ((value, ""), (value, "")))
    per = _PER.match(text)
    if per is not None:
        return _rate(per, text, core_unit, example)
    dollars = _DOLLAR.match(text) is not None
    match = _QUANTITY.match(_DOLLAR.sub(r"\1", text) if dollars else text)
    if not match:
        raise Unreadable(f"cannot read {text!r} as a quantity; write e.g. '{example}'")
    lo_unit, hi_unit = match["lo_unit"], match["hi_unit"]
    if dollars:  # "$2/h" is "2 USD/h"
        lo_unit, hi_unit = f"USD{lo_unit or ''}", hi_unit and f"USD{hi_unit}"
    if lo_unit and hi_unit is None and match["hi"] is not None:
        raise UnitInputError(f"give the unit after the range, e.g. '{example}'")
    unit_text = hi_unit or lo_unit
    if unit_text is None and match["hi"] is None and _ZERO.fullmatch(match["lo"]):
        return Span(0.0, 0.0, ((0.0, core_unit), (0.0, core_unit)))  # zero in every unit
    if unit_text is None and core_unit and bare_unit is None:
        shown = _QUANTITY.match(example)  # a range's example is the range in the example's unit
        unit_shown = shown and (shown["hi_unit"] or shown["lo_unit"])
        if match["hi"] is not None and unit_shown:
            low, high = (float(match[end].replace("_", "")) for end in ("lo", "hi"))
            ordered = text.strip() if low <= high else f"{match['hi']}..{match['lo']}"
            example = f"{ordered} {unit_shown.strip()}"
        raise UnitInputError(
            f"{text!r} has no unit; expected {_expected(core_unit)}, e.g. '{example}'"
        )
    values = []
    typed = []
    numbers = [(match["lo"], lo_unit), (match["hi"] or match["lo"], unit_text)]
    if match["mid"] is not None:
        numbers.append((match["mid"], unit_text))
    for number, own_unit in numbers:
        magnitude = float(number.replace("_", ""))
        if not math.isfinite(magnitude):
            raise UnitInputError(f"{number} is not a finite number; e.g. '{example}'")
        source = (own_unit or unit_text or bare_unit or "").strip()
        scale = factor(source, core_unit)
        if isinstance(scale, str):
            raise UnitInputError(f"{text!r} {scale}; e.g. '{example}'")
        values.append(magnitude * scale)
        typed.append((magnitude, source))
    low, high, *centre = values
    if not all(math.isfinite(value) for value in values):
        raise UnitInputError(f"{text!r} overflows a float; e.g. '{example}'")
    unit = f" {unit_text.strip()}" if unit_text else ""
    if low > high:
        raise Backwards(text, f"{match['hi']}..{match['lo']}{unit}")
    if centre and not low <= centre[0] <= high:
        inside = f"{match['lo']}..{(typed[0][0] + typed[1][0]) / 2:g}..{match['hi']}{unit}"
        raise UnitInputError(
            f"range {text!r} has its centre outside; write LOW..CENTRE..HIGH, e.g. '{inside}'"
        )
    if centre and low < high:
        return Span(low, high, (typed[0], typed[1]), centre[0], typed[2][0])
    return Span(low, high, (typed[0], typed[1]))


_GROUPED = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?![\d,])")
"""A number with thousands separators, as tables print it (33,070)."""
_WORD = re.compile(rf"^(?P<num>\s*{_NUM})\s*(?P<word>tn|bn|M|k)(?=\s|/|$)")
"""A number and a scale word, as tables print money and large counts (1.423 bn USD/yr,
36.25 k USD, 1.2 M/month)."""
_ONE_OVER = re.compile(r"(?<=\s)1\s*/\s*(?=[A-Za-z_%µ$])")
"""A rate's unit as JSON prints it, 1/month, after a number: the same as /month."""
WORD_EXPONENTS = {"k": 3, "M": 6, "bn": 9, "tn": 12}


def as_printed(text: str) -> str:
    """What tables and JSON print, read back: thousands separators dropped, scale words
    multiplied out, '1/month' as '/month' ('1.423 bn USD/yr' is 1.423e9 USD/yr, '50000
    1/month' is 50000 /month)."""
    if "," in text:
        text = _GROUPED.sub(lambda m: m[0].replace(",", ""), text)
    if any(word in text for word in WORD_EXPONENTS):  # each end of a range on its own
        text = "..".join(
            _WORD.sub(lambda m: repr(_scaled(m["num"], m["word"])), part)
            for part in text.split("..")
        )
    return _ONE_OVER.sub("/", text) if "/" in text else text


def _scaled(number: str, word: str) -> float:
    """The number times its word, rounded once (1.1 k is 1100, not 1100.0000000000002)."""
    return float(Decimal(number.strip().replace("_", "")).scaleb(WORD_EXPONENTS[word]))


def _rate(per: re.Match[str], text: str, core_unit: str, example: str) -> Span:
    """``AMOUNT UNIT/(NUMBER UNIT)`` as one quantity: AMOUNT / NUMBER in UNIT/(UNIT)."""
    numerator = float(per["num"].replace("_", ""))
    denominator = float(per["den"].replace("_", ""))
    if denominator == 0 or not math.isfinite(numerator / denominator):
        raise UnitInputError(f"{text!r} divides by zero or overflows; e.g. '{example}'")
    source = f"({(per['unit'] or '1').strip()})/({per['den_unit'].strip()})"
    scale = factor(source, core_unit)
    if isinstance(scale, str):
        raise UnitInputError(f"{text!r} {scale}; e.g. '{example}'")
    magnitude = numerator / denominator
    value = magnitude * scale
    if not math.isfinite(value):
        raise UnitInputError(f"{text!r} overflows a float; e.g. '{example}'")
    return Span(value, value, ((magnitude, source), (magnitude, source)))


def as_emissions(text: str, core_unit: str) -> str:
    """Where ``core_unit`` is an emission, a plain mass in ``text`` reads as CO2e: '0.4
    kg/kWh' is kgCO2e/kWh, '192 lb' is lbCO2e."""
    return _MASS.sub(r"\1CO2e", text) if "CO2e" in core_unit else text


def _simple(text: str, core_unit: str, bare_unit: str | None) -> Span | None:
    """The common case, fast: one number, then at most one simple unit after a space
    (``0.4``, ``30 day``, ``0.08 USD/kWh``); None sends anything else to the full parser,
    which also words every error."""
    number, _, unit = text.partition(" ")
    if not number.isascii() or (unit and not SIMPLE_UNIT.fullmatch(unit)):
        return None
    if not unit and core_unit and bare_unit is None:
        return None
    try:
        value = float(number)
    except ValueError:
        return None
    source = unit or bare_unit or ""
    scale = factor(source, core_unit)
    if isinstance(scale, str) or not math.isfinite(value * scale):
        return None
    return Span(value * scale, value * scale, ((value, source), (value, source)))


COUNT_WORDS = {"B": "bn", "G": "bn", "T": "tn", "K": "k"}
"""Letters papers write after a count ('70B parameters', '15T tokens') that read as another
unit (bytes) or none: tcoctl's words for them (70bn, 15tn; 70M and 70k already read)."""


def _count_hint(unit_text: str, core_unit: str) -> str:
    """How to write a count ('70B') where a count is expected (a plain number, tokens)."""
    word = COUNT_WORDS.get(unit_text.strip())
    if word is None or core_unit not in ("", "token"):
        return ""
    return f" (a count's {unit_text.strip()} is written '{word}' here, e.g. '70{word}')"


def factor(unit_text: str, core_unit: str) -> float | str:
    """The factor that turns a magnitude in ``unit_text`` into ``core_unit``, or the reason
    it cannot (an unknown unit, a wrong dimension, a text too long: pint never sees more
    than MAX_TEXT characters, which it could take minutes to parse). '' is a plain number."""
    if len(unit_text) > MAX_TEXT:
        return f"has a unit {len(unit_text):,} characters long (at most {MAX_TEXT})"
    return _factor(unit_text, core_unit)


@cache
def _factor(unit_text: str, core_unit: str) -> float | str:
    if not unit_text and not core_unit:
        return 1.0
    ureg = registry()
    target = ureg.parse_units(core_unit) if core_unit else ureg.dimensionless
    try:
        unit = _unit(unit_text) if unit_text else ureg.dimensionless
    except Exception:  # pint raises several classes for unknown names
        return f"has an unknown unit ({unit_text!r}){_count_hint(unit_text, core_unit)}"
    if _dimensionality(unit) != _dimensionality(target):
        return (
            f"is {dimension_name(unit)}, expected {dimension_name(target)}"
            f"{_hint(unit, target)}{_count_hint(unit_text, core_unit)}"
        )
    return float(ureg.Quantity(1.0, unit).to(target).magnitude)


def _expected(core_unit: str) -> str:
    return dimension_name(registry().parse_units(core_unit))


def convert(values: Any, from_unit: str, to_unit: str) -> Any:
    """Convert magnitudes (float or ndarray) between two unit strings, e.g. core to display."""
    if from_unit == to_unit:
        return values
    scale = factor(from_unit, to_unit)
    if isinstance(scale, str):
        raise ValueError(f"cannot convert {from_unit} to {to_unit}: {scale}")
    return values * scale


@cache
def unit_of(text: str) -> Any:
    """The pint Unit a short unit text names, e.g. 'USD/h' (cached: the API makes a Quantity
    per result it is asked for)."""
    return registry().Unit(text)


@cache
def short(unit: str) -> str:
    """A unit string in pint's short form, as the JSON contract prints it (``'' `` if none)."""
    return f"{registry().parse_units(unit):~C}".replace("**", "^") if unit else ""
