"""The output contract: real outputs of every command validate against the JSON Schema that
``tcoctl schema`` prints (a small validator for the keywords the schema uses)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import run
from tcoctl.specs import CALCULATORS

SCHEMA: dict[str, Any] = json.loads(run("schema").stdout)
TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "null": type(None),
    "boolean": bool,
}


def errors(data: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Where ``data`` breaks ``schema`` (type, const, enum, required, properties,
    additionalProperties, items, anyOf, $ref): an empty list when it validates."""
    if "$ref" in schema:
        return errors(data, SCHEMA["$defs"][schema["$ref"].split("/")[-1]], where)
    if "anyOf" in schema:
        found = [errors(data, option, where) for option in schema["anyOf"]]
        return [] if any(not e for e in found) else min(found, key=len)
    problems = []
    types = schema.get("type")
    if types is not None:
        wanted = [types] if isinstance(types, str) else types
        ok = any(
            isinstance(data, TYPES[t]) and (t == "boolean" or not isinstance(data, bool))
            for t in wanted
        )
        if not ok:
            return [f"{where}: {type(data).__name__} is not {types}"]
    if "const" in schema and data != schema["const"]:
        problems.append(f"{where}: {data!r} is not {schema['const']!r}")
    if "enum" in schema and data not in schema["enum"]:
        problems.append(f"{where}: {data!r} is not one of {schema['enum']}")
    if isinstance(data, dict):
        problems += [
            f"{where}: {key} missing" for key in schema.get("required", []) if key not in data
        ]
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, value in data.items():
            if key in properties:
                problems += errors(value, properties[key], f"{where}.{key}")
            elif extra is False:
                problems.append(f"{where}: unexpected {key}")
            elif isinstance(extra, dict):
                problems += errors(value, extra, f"{where}.{key}")
    if isinstance(data, list) and "items" in schema:
        for i, item in enumerate(data):
            problems += errors(item, schema["items"], f"{where}[{i}]")
    return problems


def test_the_validator_rejects_what_the_schema_forbids() -> None:
    good = {"schema_version": 1, "command": "tco", "preset": None, "inputs": {}, "results": {}}
    assert errors(good, SCHEMA) == []
    assert errors({**good, "command": "nope"}, SCHEMA)
    assert errors({**good, "results": {"x": {"value": 1.0}}}, SCHEMA)
    assert errors({**good, "surprise": 1}, SCHEMA)


COMMANDS = [
    ["tco"],
    ["tco", "--samples", "50", "--seed", "1"],
    ["tco", "--tornado", "--explain"],
    ["tco", "--sweep", "electricity=0.02..0.4:5", "--mark", "power_share=0.15"],
    ["flops"],
    ["h100e", "--gpu", "h20", "--count", "10", "--basis", "all"],
    ["yield"],
    ["inference"],
    ["inference", "--batch", "1..64", "--samples", "20", "--seed", "1", "--tornado"],
    ["yield", "--die-size", "10x10", "--map", "--sweep", "die-width=10..400:5"],
    ["supply"],
    ["supply", "--preset", "leading-edge-2028", "--samples", "20", "--seed", "1"],
    ["compare"],
    ["presets", "list"],
    ["presets", "show", "frontier-2024"],
    ["presets", "show", "h100-sxm"],
    ["validate", "--calculator", "flops"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_real_output_follows_the_schema(args: list[str]) -> None:
    outcome = run(*args, "--format", "json")
    assert outcome.code == 0, outcome.stderr
    for record in outcome.records():
        assert errors(record, SCHEMA) == []


@pytest.mark.parametrize("command", CALCULATORS)
def test_every_calculator_follows_the_schema(command: str) -> None:
    """The schema names every registered calculator: a new one's records validate with no
    edit to the schema (and one that is not registered does not)."""
    calc = CALCULATORS[command]
    outcome = run(command, *calc.complete_example, "--format", "json")
    assert outcome.code == 0, outcome.stderr
    for record in outcome.records():
        assert errors(record, SCHEMA) == []
        assert errors({**record, "command": f"not-{command}"}, SCHEMA)


def test_batch_records_follow_the_schema() -> None:
    lines = '{"gpus": 10}\n{"gpus": "10..20", "electricity": "0.1 USD/kWh"}\n'
    for record in run("tco", "--input", "-", input=lines).records():
        assert record["line"] in (1, 2) and errors(record, SCHEMA) == []


def test_inference_batch_records_name_the_bound() -> None:
    lines = '{"batch": 1}\n{"batch": 4096, "gpu": "h20", "gpus-per-replica": 4}\n'
    records = run("inference", "--input", "-", input=lines).records()
    assert [r["results"]["bound"]["label"] for r in records] == ["memory", "compute"]
    assert [r["results"]["bound"]["value"] for r in records] == [0.0, 1.0]
    assert [r["results"]["fits"]["label"] for r in records] == ["yes", "no"]
    assert all(errors(record, SCHEMA) == [] for record in records)


def test_piped_records_follow_the_schema() -> None:
    """A supply batch fed by yield's own JSON: the binding constraint keeps a numeric value
    and a string label."""
    upstream = run("yield", "--preset", "smic-7nm", "--format", "json").stdout
    args = ("supply", "--input", "-", "--wafers-per-month", "1000", "--gpu", "h20")
    records = run(*args, input=upstream).records()
    assert len(records) == 2
    for record in records:
        assert errors(record, SCHEMA) == []
        binding = dict(record["results"]["binding"])
        assert binding.pop("as_of")  # dated as a single run's (test_planner)
        assert binding == {
            "value": 0.0,
            "unit": "",
            "label": "dies",
            "low": 0.0,
            "high": 0.0,
        }
