"""Calculators that feed each other.

- A tcoctl JSON document (a calculator's output: ``schema_version``, ``command``,
  ``results``) read by ``--input`` or passed as ``upstream=`` in the Python API: each result
  whose name is an input of the receiving calculator (``good_dies_per_wafer`` for
  ``--good-dies-per-wafer``) becomes that input, in the result's unit, and as
  ``LOW..VALUE..HIGH`` when the result is a range (its centre travels with it). The
  document's own inputs do not flow, but for those in ``CARRIED`` (the site's PUE); options
  given to the receiving command override what flows in (and drop the alternatives they
  exclude).
- A preset figure ``{ from = "PRESET", result = "NAME" }`` is that preset's result
  (``tcoctl.engine.scenarios.resolve``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tcoctl.errors import printable
from tcoctl.specs import Calculator

CARRIED = ("pue",)
"""Inputs of the upstream run that flow as its results do, to an input of the same name: the
PUE of the site both runs draw power through (a tco's facility is the training run's). Not
its electricity price: tco's cost_per_gpu_hour, which flows, holds it already."""
DRAWN_AT = ("draw-fraction", "load")
"""tco's power_per_gpu is a rating, which its draw-fraction turns into the average draw; a
receiver's --power is drawn at its --load (flops: default 1). So where the rating flows to
--power, the upstream draw-fraction flows to --load with it (and only with it: a --power
given by hand is not the rating)."""


class Upstream(dict[str, Any]):
    """A tcoctl output document read as a batch line: its results feed the receiving
    calculator; the options on the command line override them."""


def is_document(data: Any) -> bool:
    """Whether ``data`` is a tcoctl output document (a scenario or batch record)."""
    return (
        isinstance(data, dict)
        and "schema_version" in data
        and isinstance(data.get("command"), str)
        and isinstance(data.get("results"), dict)
    )


def not_a_scenario(document: Mapping[str, Any]) -> str | None:
    """Why a document cannot feed a line, or None: a --sweep run's document holds a table
    of points under ``sweep``, and its ``results`` only what the run's own inputs give (often
    nothing), so read as one scenario it would feed the wrong figures or none."""
    if "sweep" not in document:
        return None
    command = printable(str(document.get("command")))
    return (
        f"--input: a {command} --sweep document is a table of points, not one scenario: "
        f"pipe {command} without --sweep, e.g. one run per value"
    )


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool): a JSON number a document can carry."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def quantity_text(value: float, unit: str, low: Any = None, high: Any = None) -> str:
    """A value as typed on the command line, every digit kept (repr): ``LOW..VALUE..HIGH
    unit`` for a range, so its centre travels with it (``'1.39..1.80..2.30 USD/h'``, not
    the midpoint 1.85), or ``'1.8035 USD/h'``."""
    ranged = is_number(low) and is_number(high) and low != high
    text = f"{float(low)!r}..{float(value)!r}..{float(high)!r}" if ranged else repr(float(value))
    return f"{text} {unit}".strip()


def received(
    calc: Calculator, document: Mapping[str, Any]
) -> tuple[dict[str, str], list[tuple[str, str]], list[str]]:
    """The options a document's results (and its ``CARRIED`` inputs that ``calc`` has, where
    no result has their name) give ``calc`` (option name -> text), the results used
    (result, option) and those ignored (no number input of that name)."""
    options: dict[str, str] = {}
    used: list[tuple[str, str]] = []
    ignored: list[str] = []
    names = {alias: spec for spec in calc.inputs for alias in spec.accepts}
    names.update(calc.inputs_by_name)  # a result named as an input wins over an alias
    results = sorted(document["results"].items(), key=lambda item: item[0] not in names)
    inputs = document.get("inputs")
    if isinstance(inputs, dict):
        results += [
            (name, inputs[name])
            for name in CARRIED
            if name in inputs and name in calc.inputs_by_name and name not in document["results"]
        ]
    for name, item in results:
        spec = names.get(str(name)) or names.get(str(name).replace("_", "-"))
        if spec is not None and spec.name in options:
            spec = None  # fed already, by a result under the input's own name
        if spec is None or spec.kind != "number" or not isinstance(item, dict):
            ignored.append(str(name))
            continue
        if not is_number(item.get("value")) or not isinstance(item.get("unit", ""), str):
            ignored.append(str(name))
            continue
        options[spec.name] = quantity_text(
            item["value"], item.get("unit", ""), item.get("low"), item.get("high")
        )
        used.append((str(name), spec.name))
    fraction, load = DRAWN_AT
    drawn = inputs.get(fraction) if isinstance(inputs, dict) else None
    if (
        ("power_per_gpu", "power") in used
        and load in calc.inputs_by_name
        and isinstance(drawn, dict)
        and is_number(drawn.get("value"))
    ):
        options[load] = quantity_text(drawn["value"], "", drawn.get("low"), drawn.get("high"))
        used.append((fraction, load))
    return options, used, ignored


def without_overridden(
    calc: Calculator, flowed: Mapping[str, str], flags: Mapping[str, Any]
) -> dict[str, str]:
    """``flowed`` without what the options ``flags`` give, exclude or are excluded by
    (a flowed good-dies-per-wafer gives way to a --die-size)."""
    given = [calc.input(name) for name in flags]
    taken = {n for spec in given for n in (spec.name, *spec.excludes, *spec.parts)}
    names = {spec.name for spec in given}
    kept = {
        name: text
        for name, text in flowed.items()
        if name not in taken and not set(calc.input(name).excludes) & names
    }
    load = DRAWN_AT[1]
    if load in kept and "power" not in kept:  # the draw goes with the rating
        del kept[load]
    return {name: text for name, text in kept.items() if name not in superseded(calc, kept)}


def superseded(calc: Calculator, flowed: Mapping[str, str]) -> list[str]:
    """Flowed options that another flowed option stands for: one document's figures agree
    (its engine computed them together), and where they are alternatives here the one that
    excludes the most of them flows (yield's good dies per wafer, not the die area and die
    yield it came from, whose die shape the area alone does not give); of two that exclude
    as many, the one ``calc`` lists first (good dies per wafer before a die yield, which
    leaves spare cores out)."""
    order = [spec.name for spec in calc.inputs]
    ranked = sorted(
        flowed,
        key=lambda name: (-len(set(calc.input(name).excludes) & set(flowed)), order.index(name)),
    )
    dropped: list[str] = []
    for name in ranked:
        if name not in dropped:
            dropped += [other for other in calc.input(name).excludes if other in flowed]
    return [name for name in flowed if name in dropped]


def flow_note(
    calc: Calculator,
    command: str,
    used: list[tuple[str, str]],
    ignored: list[str],
    piped_preset: bool = False,
) -> str:
    """The one warning about a document that flowed in: what fed which option, what matched
    nothing, and, where the receiver starts from its default preset because a result flowed
    in (``piped_preset``: no --preset given), that preset: a by-hand run with the same
    figures takes it only with --preset."""
    stood_for = superseded(calc, dict.fromkeys([option for _, option in used], ""))
    fed = (
        ", ".join(f"{result} -> --{option}" for result, option in used if option not in stood_for)
        or "nothing"
    )
    text = f"--input: {command}'s results feed {calc.name}: {fed}"
    if stood_for:
        dropped = ", ".join(result for result, option in used if option in stood_for)
        text += f"; not used, the results above stand for them: {dropped}"
    if ignored:
        text += f"; ignored (no input of that name): {', '.join(ignored)}"
    if piped_preset:
        text += (
            f"; the rest from {calc.name}'s default preset, as a plain run takes it (by hand: "
            f"--preset {calc.default_preset}; --preset names another)"
        )
    return text
