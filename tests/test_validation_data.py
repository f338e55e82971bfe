"""The validation dataset (src/tcoctl/validation/*.toml, format in docs/validation.md): every
case file loads and every case is complete, so `tcoctl validate` can trust what it reads.

Cheap checks only (no calculator runs): required fields and types, unique ids, known kinds
and splits, a known calculator with the option names it takes and the result it names, a
unit of the result's dimension, and a cited source (URL, non-empty verbatim quote, date).
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import tomli

import tcoctl
from tcoctl.specs import CALCULATORS
from tcoctl.units import factor

FOLDER = Path(tcoctl.__file__).parent / "validation"
FILES = sorted(FOLDER.glob("*.toml"))
KINDS = {"published", "measured", "bound"}
SPLITS = {"fit", "held-out"}
SOURCE_FIELDS = ("title", "url", "where", "quote", "date")
# options every calculator takes besides its inputs (tcoctl COMMAND --help), as the runner
# passes them on (tcoctl.pipeline.validation.SHARED_OPTIONS)
COMMON_OPTIONS = {"--preset", "-p", "--solve", "--for"}


def _cases(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as handle:
        cases: list[dict[str, Any]] = tomli.load(handle).get("case", [])
    return cases


ALL = [(path.name, case) for path in FILES for case in _cases(path)]


def _options(calculator: str) -> set[str]:
    return {f"--{spec.name}" for spec in CALCULATORS[calculator].inputs} | COMMON_OPTIONS


def test_the_folder_holds_case_files() -> None:
    assert FILES, f"no *.toml in {FOLDER}"
    for path in FILES:
        assert _cases(path), f"{path.name} has no [[case]] table"


def test_ids_are_unique_and_lowercase_dashed() -> None:
    seen: dict[str, str] = {}
    for name, case in ALL:
        case_id = case["id"]
        assert case_id == case_id.lower() and " " not in case_id and "_" not in case_id, case_id
        assert case_id not in seen, f"{case_id} in both {seen[case_id]} and {name}"
        seen[case_id] = name


@pytest.mark.parametrize(("name", "case"), ALL, ids=[case["id"] for _, case in ALL])
def test_case_is_complete(name: str, case: dict[str, Any]) -> None:
    assert case["calculator"] in CALCULATORS, f"{name}: unknown calculator {case['calculator']}"
    args = case["args"]
    assert isinstance(args, list) and all(isinstance(arg, str) for arg in args)
    assert case["kind"] in KINDS
    expected = case["expected"]
    assert isinstance(expected, (int, float)) and math.isfinite(expected) and expected > 0
    assert isinstance(case["unit"], str)
    if case["kind"] == "measured":
        assert case["split"] in SPLITS
    if case["kind"] == "published":
        assert 0 < case["tolerance"] < 1
    source = case["source"]
    for field in SOURCE_FIELDS:
        assert isinstance(source[field], str) and source[field].strip(), f"source.{field}"
    assert source["url"].startswith("https://")
    # needs names what a case waits for: an option or result still to come, or a default
    waits_for = set(case.get("needs", "").split())
    calculator = CALCULATORS[case["calculator"]]
    unknown = {arg for arg in args if arg.startswith("-")} - _options(calculator.name) - waits_for
    assert not unknown, f"options {sorted(unknown)} are not tcoctl {calculator.name}'s"
    results = {result.name: result.unit for result in calculator.results}
    if "--solve" in args:  # goal-seek: the solved input is reported among the results
        solved = args[args.index("--solve") + 1]
        results[solved.replace("-", "_")] = calculator.inputs_by_name[solved.replace("-", "_")].unit
    if case["result"] in waits_for:
        return
    assert case["result"] in results, f"{calculator.name} has no result {case['result']}"
    scale = factor(case["unit"], results[case["result"]])
    assert not isinstance(scale, str), f"unit {case['unit']!r} {scale}"


def test_every_family_with_two_measured_cases_has_both_splits() -> None:
    """A GPU family (calculator and --gpu) with two or more measured cases in a file has fit
    and held-out cases, so the calibration is always judged on cases it was not fitted on."""
    splits: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for name, case in ALL:
        if case["kind"] != "measured":
            continue
        args = case["args"]
        gpu = args[args.index("--gpu") + 1] if "--gpu" in args else ""
        family = (name, case["calculator"], gpu)
        splits[family].add(case["split"])
        counts[family] += 1
    lopsided = [family for family, n in counts.items() if n >= 2 and splits[family] != SPLITS]
    assert not lopsided, f"families with one split only: {lopsided}"
