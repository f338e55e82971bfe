"""``--explain`` for every calculator (from the registry, so a new one is covered by itself):
each product or sum it shows multiplies or adds out to the value it states, and every result
the run reports is the value of a step it shows."""

from __future__ import annotations

import math
import operator
import re

import pytest

from conftest import run
from tcoctl.specs import CALCULATORS
from tcoctl.units import convert, registry

OPERATOR = re.compile(r" ([x/+-]) ")
OPERATIONS = {"x": operator.mul, "/": operator.truediv, "+": operator.add, "-": operator.sub}
PRINTED = 5e-6
"""Half a unit in the sixth significant figure: how far a printed number may be from the
value it stands for."""


def number(text: str) -> float:
    return float(text.split()[0])


def checked(line: str) -> tuple[str, float] | None:
    """(quantity, value) of an arithmetic line 'q = a x b = 2 x 3 = 6' after checking that
    its numbers give its value; None for a formula line ('note; here q = v with a = 1')."""
    if "; here " in line:
        return None
    parts = line.split(" = ")
    assert len(parts) == 4, line
    name, _, substituted, stated = parts
    pieces = OPERATOR.split(substituted)
    operands = [number(piece) for piece in pieces[::2]]
    value = operands[0]
    for sign, operand in zip(pieces[1::2], operands[1:], strict=True):
        value = OPERATIONS[sign](value, operand)  # only the one shown: a sum may add 0
    scale = max(abs(x) for x in [*operands, value]) if "+" in pieces or "-" in pieces else value
    allowed = PRINTED * len(operands) * abs(scale)
    assert math.isclose(value, number(stated), rel_tol=0, abs_tol=allowed + 1e-300), line
    return name, number(stated)


@pytest.mark.parametrize("command", CALCULATORS)
def test_explained_numbers_multiply_out_to_the_reported_results(command: str) -> None:
    calc = CALCULATORS[command]
    outcome = run(command, *calc.complete_example, "--explain", "--format", "json")
    assert outcome.code == 0, outcome.stderr
    for record in outcome.records():
        steps: dict[str, float] = {}
        for line in record["explain"][1:]:
            found = checked(line)
            if found is not None:
                steps[found[0]] = found[1]
            else:  # a formula: 'note; here quantity = value with inputs'
                name, _, value = line.rpartition("; here ")[2].partition(" = ")
                steps[name] = number(value)
        assert len(steps) > 1, record["explain"]
        given = {spec.core for spec in calc.inputs}
        for result in calc.results:
            item = record["results"].get(result.name)
            if item is None or (result.core in given and result.core not in steps):
                continue  # not computed, or an input echoed as given
            core_value = float(convert(item["value"], item["unit"], result.unit))
            assert result.core in steps, (command, result.name)
            assert math.isclose(steps[result.core], core_value, rel_tol=1e-5, abs_tol=1e-300), (
                command,
                result.name,
            )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["h100e", "--gpu", "v100"], "ratio_fp8 = gpu_fp8 / ref_fp8 = no figure / 1.979e+15"),
        (["supply"], "no packaging constraint given: no limit; here packaging_limit = no limit"),
    ],
)
def test_explain_says_what_a_nan_or_an_infinity_means(args: list[str], said: str) -> None:
    """D11: the arithmetic showed 'nan / 1.979e+15 = nan' (a V100 has no FP8 figure) and
    'packaging_limit = inf' (no packaging constraint given)."""
    outcome = run(*args, "--explain", "--format", "json")
    assert outcome.code == 0, outcome.stderr
    explained = outcome.records()[0]["explain"]
    assert any(line.startswith(said) for line in explained), explained
    words = {word.strip(",") for line in explained for word in line.split()}
    assert not words & {"nan", "inf", "-inf"}, explained


COUNTS = re.compile(r"\b(token|FLOP)\b")
"""Units the core counts as plain numbers (a FLOP per parameter, bytes per token)."""
DENSITY = "performance_density = "
"""ECCN 3A090's TPP per mm^2 of die, held as a plain number as the rule states it."""


def dimension(piece: str) -> object:
    """The dimension of a shown '2.5 FLOP/s', token and FLOP as plain numbers."""
    ureg = registry()
    unit = COUNTS.sub("1", piece.partition(" ")[2])
    return ureg.get_dimensionality(ureg.parse_units(unit) if unit else ureg.dimensionless)


@pytest.mark.parametrize("command", CALCULATORS)
def test_every_explained_quantity_has_its_unit(command: str) -> None:
    """The hostile probe: supply --explain showed 'die_rate = ... = 0.0180622 1/s x 1 x 65
    = 1.17404', a rate without its unit (and chip_rate, the limits, the GPU's peaks and a
    year's seconds likewise). Each product, quotient and sum shown has its units multiply
    out to the unit it states, on the default run and the complete example."""
    calc = CALCULATORS[command]
    for args in ((), calc.complete_example):
        outcome = run(command, *args, "--explain", "--format", "json")
        assert outcome.code == 0, outcome.stderr
        for line in outcome.records()[0]["explain"][1:]:
            if "; here " in line or "no figure" in line or line.startswith(DENSITY):
                continue
            _, _, substituted, stated = line.split(" = ")
            pieces = OPERATOR.split(substituted)
            dimensions = [dimension(piece) for piece in pieces[::2]]
            if "+" in pieces or "-" in pieces:
                assert all(d == dimension(stated) for d in dimensions), line
                continue
            value = dimensions[0]
            for sign, operand in zip(pieces[1::2], dimensions[1:], strict=True):
                value = value * operand if sign == "x" else value / operand  # type: ignore[operator]
            assert value == dimension(stated), line
