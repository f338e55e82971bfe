"""``tcoctl validate``: every case of the validation dataset run as the command line runs it.

The dataset is ``tcoctl/validation/*.toml`` (shipped with the package), one ``[[case]]``
table per published figure, measurement or roofline bound, each with the command-line
arguments a user would type (docs/validation.md describes the format). Each case runs once
through the route the command line takes with those arguments (``runner.reports_for``, the
route the Python API shares), and is scored by its kind:

- ``published``: the source's own arithmetic; passes when |error| <= the case's tolerance;
- ``measured``: a measurement tcoctl estimates; passes when the measurement lies inside the
  estimate's low..high; the uncalibrated baseline's error (the same case with the fitted
  defaults replaced by the values they replaced, ``UNCALIBRATED``) is reported beside the
  estimate's;
- ``bound``: a roofline result must lie on the optimistic side of the measurement (a time or
  cost at most the measured one, a rate at least it).

error = (got - expected) / expected.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import tomli

from tcoctl import output
from tcoctl.errors import DomainError, TcoctlError, UsageError, not_one_of
from tcoctl.pipeline import runner
from tcoctl.presets import one_version
from tcoctl.specs import CALCULATORS
from tcoctl.units import factor, registry

KINDS = ("published", "measured", "bound")
SPLITS = ("fit", "held-out")
SOURCE_FIELDS = ("title", "url", "where", "quote", "date")
SHARED_OPTIONS = {"--preset": "preset", "--solve": "solve", "--for": "for"}
"""Options a case may give besides the calculator's inputs, as the runner names them."""
UNCALIBRATED: dict[str, dict[str, str]] = {
    "inference": {"bandwidth-efficiency": "1", "compute-efficiency": "1"},
    "flops": {"mfu": "1", "draw-fraction": "1"},
}
"""Per calculator, the options that turn its calibrated estimate into the uncalibrated
baseline: inference's roofline (full bandwidth and peak, the default before the serving fit);
flops at MFU 1 (the peak FLOP/s, a lower bound on GPU time: there was no default MFU before
the training fit) and draw fraction 1 (the rated TDP x 1.82, the power default before the
measured draw fraction)."""
UNCALIBRATED_WORDS = {
    name: " ".join(f"--{flag} {value}" for flag, value in options.items())
    for name, options in UNCALIBRATED.items()
}
"""The same options as a user types them (the summary's ``uncalibrated``)."""


@dataclass(frozen=True)
class Case:
    """One validation case, as read from the dataset (VALIDATION_FORMAT: docs/validation.md)."""

    id: str
    calculator: str
    args: tuple[str, ...]
    result: str
    expected: float
    unit: str
    kind: str
    split: str | None
    tolerance: float | None
    needs: tuple[str, ...]
    note: str
    source: Mapping[str, str]
    file: str


def dataset() -> Traversable:
    """The folder of the shipped validation dataset."""
    return resources.files("tcoctl") / "validation"


def load_cases(folder: Traversable | None = None) -> list[Case]:
    """Every ``[[case]]`` of every ``*.toml`` in ``folder`` (default: the shipped dataset),
    in file then table order; a malformed case raises DomainError naming its file and id."""
    folder = folder or dataset()
    files = sorted(
        (item for item in folder.iterdir() if item.name.endswith(".toml")), key=lambda f: f.name
    )
    cases: list[Case] = []
    for item in files:
        try:
            tables = tomli.loads(item.read_text(encoding="utf-8")).get("case", [])
        except tomli.TOMLDecodeError as error:
            raise DomainError(f"validation/{item.name}: not TOML ({error})") from None
        cases += [_case(table, item.name) for table in tables]
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise DomainError(f"validation/{case.file}: case id {case.id!r} is used twice")
        seen.add(case.id)
    return cases


def _case(table: Mapping[str, Any], file: str) -> Case:
    """One case table, checked field by field."""
    where = f"validation/{file}: case {table.get('id', '(no id)')!r}"

    def need(key: str, kind: Any) -> Any:
        value = table.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise DomainError(
                f"{where}: {key} is missing or not a {getattr(kind, '__name__', kind)}"
            )
        return value

    kind = need("kind", str)
    if kind not in KINDS:
        raise DomainError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    split = table.get("split")
    if kind == "measured" and split not in SPLITS:
        raise DomainError(f"{where}: a measured case needs split = one of {', '.join(SPLITS)}")
    tolerance = table.get("tolerance")
    if kind == "published" and not (isinstance(tolerance, int | float) and tolerance > 0):
        raise DomainError(f"{where}: a published case needs a positive tolerance")
    calculator = need("calculator", str)
    if calculator not in CALCULATORS:
        raise DomainError(
            f"{where}: calculator {calculator!r} is not one of {', '.join(CALCULATORS)}"
        )
    args = need("args", list)
    if not all(isinstance(arg, str) for arg in args):
        raise DomainError(f"{where}: args must be strings, as typed on the command line")
    source = need("source", dict)
    absent = [key for key in SOURCE_FIELDS if not isinstance(source.get(key), str)]
    if absent:
        raise DomainError(f"{where}: source.{absent[0]} is missing")
    expected = float(need("expected", int | float))
    if not (math.isfinite(expected) and expected != 0):
        raise DomainError(f"{where}: expected must be a finite, non-zero number")
    return Case(
        id=need("id", str),
        calculator=calculator,
        args=tuple(args),
        result=need("result", str),
        expected=expected,
        unit=str(table.get("unit", "")),
        kind=kind,
        split=split if kind == "measured" else None,
        tolerance=float(tolerance) if isinstance(tolerance, int | float) else None,
        needs=tuple(needs.split() if isinstance(needs := table.get("needs", ()), str) else needs),
        note=str(table.get("note", "")),
        source={key: str(source[key]) for key in source},
        file=file,
    )


def options_of(args: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Command-line arguments ``--name value ...`` as (the shared options: preset, solve,
    for; the calculator's options by name, e.g. 'gpus-per-replica')."""
    if len(args) % 2 or not all(arg.startswith("--") for arg in args[::2]):
        raise DomainError(f"expected '--option value' pairs; got {' '.join(args)!r}")
    shared: dict[str, str] = {}
    flags: dict[str, str] = {}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        if flag in SHARED_OPTIONS:
            shared[SHARED_OPTIONS[flag]] = value
        else:
            flags[flag[2:]] = value
    return shared, flags


def documents(
    calculator: str, args: Sequence[str], added: Sequence[Mapping[str, str]] = ({},)
) -> list[dict[str, Any]]:
    """The JSON documents of ``tcoctl CALCULATOR ARGS``, one scenario per item of ``added``
    (more options by name, as text), evaluated together through the command line's route;
    its warnings are dropped (a case's figures are what is compared)."""
    shared, flags = options_of(args)
    flag_sets = [{**flags, **more} for more in added]
    with one_version():  # one version of each preset for the whole run, read once
        reports = runner.reports_for(CALCULATORS[calculator], flag_sets, shared, lambda _: None)
    return [output.to_json(report) for report in reports]


def missing_needs(case: Case) -> list[str]:
    """What the case waits for (``needs``: options, results or a default still to come, as a
    list or a space-separated string) that its calculator does not have yet."""
    calc = CALCULATORS[case.calculator]
    present = {*calc.inputs_by_name, *(result.name for result in calc.results)}
    return [name for name in case.needs if name not in present]


def in_unit(item: Mapping[str, Any], key: str, unit: str) -> float:
    """``item[key]`` (a JSON result's value, low or high) converted to ``unit``."""
    scale = factor(item["unit"] or "1", unit or "1")
    if isinstance(scale, str):
        raise DomainError(f"cannot compare {item['unit']!r} with {unit!r}: {scale}")
    return float(item.get(key, item["value"])) * scale


def is_rate(unit: str) -> bool:
    """Whether a unit is per unit time (token/s, FLOP/s): a roofline rate is an upper bound,
    while its times, costs and energies are lower bounds."""
    exponent = registry().parse_units(unit).dimensionality.get("[time]", 0) if unit else 0
    return bool(exponent.real < 0)


def run_case(case: Case) -> dict[str, Any]:
    """One case's record: the JSON ``cases`` item (id, calculator, kind, split, source,
    expected, got, low, high, error, pass, ...)."""
    record: dict[str, Any] = {
        "id": case.id,
        "calculator": case.calculator,
        "kind": case.kind,
        "split": case.split,
        "result": case.result,
        "unit": case.unit,
        "expected": case.expected,
        "got": None,
        "low": None,
        "high": None,
        "error": None,
        "pass": None,
        "source": dict(case.source),
    }
    absent = missing_needs(case)
    if absent:
        record["skipped"] = f"needs {', '.join(absent)}, which {case.calculator} lacks"
        return record
    try:
        got, low, high = result_of(case)
        baseline = uncalibrated_of(case) if case.kind == "measured" else None
    except TcoctlError as problem:
        record["pass"] = False
        record["message"] = str(problem)
        return record
    error = (got - case.expected) / case.expected
    record.update(got=got, low=low, high=high, error=error)
    if case.kind == "published":
        record["pass"] = abs(error) <= (case.tolerance or 0.0)
        record["tolerance"] = case.tolerance
    elif case.kind == "bound":
        record["pass"] = got >= case.expected if is_rate(case.unit) else got <= case.expected
    else:
        record["pass"] = low <= case.expected <= high
        if baseline is not None:
            record["uncalibrated"] = baseline
            record["uncalibrated_error"] = (baseline - case.expected) / case.expected
            if case.calculator == "inference":  # the key of before, kept (JSON is additive)
                record["roofline"] = record["uncalibrated"]
                record["roofline_error"] = record["uncalibrated_error"]
    return record


def result_of(case: Case, added: Mapping[str, str] | None = None) -> tuple[float, float, float]:
    """The case's result (value, low, high in the case's unit) from one run of its
    arguments, with the options ``added`` (by name, as text)."""
    document = documents(case.calculator, case.args, [added or {}])[0]
    item = document["results"].get(case.result)
    if item is None:
        found = ", ".join(document["results"])
        raise DomainError(f"no result {case.result!r} (results: {found})")
    value, low, high = (in_unit(item, key, case.unit) for key in ("value", "low", "high"))
    return value, low, high


def uncalibrated_of(case: Case) -> float | None:
    """The case's result with its calculator's ``UNCALIBRATED`` options (None for a calculator
    without a baseline): the value beside a measurement's calibrated estimate."""
    options = UNCALIBRATED.get(case.calculator)
    return None if options is None else result_of(case, options)[0]


def _errors(records: Iterable[Mapping[str, Any]], key: str = "error") -> dict[str, Any]:
    """Mean and max absolute ``key`` over the records that have one (None if none do)."""
    found = [abs(r[key]) for r in records if r.get(key) is not None]
    return {
        "mean_abs_error": sum(found) / len(found) if found else None,
        "max_abs_error": max(found) if found else None,
    }


def _tally(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Count, passing, and mean and max absolute error of some records."""
    return {
        "count": len(records),
        "passing": sum(1 for r in records if r["pass"]),
        **_errors(records),
    }


def summarise(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts, passes and errors: overall, per calculator, per kind, and for measurements
    per calculator and split with the uncalibrated baseline's error beside the estimate's
    (``uncalibrated``: its options per calculator; inference's is also under ``roofline``)."""
    ran = [r for r in records if "skipped" not in r]
    by_calculator = {
        name: _tally([r for r in ran if r["calculator"] == name])
        for name in dict.fromkeys(r["calculator"] for r in ran)
    }
    by_kind = {
        kind: _tally([r for r in ran if r["kind"] == kind]) for kind in ("published", "bound")
    }
    measured: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys(r["calculator"] for r in ran if r["kind"] == "measured"):
        measured[name] = {}
        for split in SPLITS:
            group = [r for r in ran if r["kind"] == "measured" and r["calculator"] == name]
            group = [r for r in group if r["split"] == split]
            roofline = _errors(group, "roofline_error")
            baseline = _errors(group, "uncalibrated_error")
            measured[name][split] = {
                "count": len(group),
                **_errors(group),
                "inside_range": sum(1 for r in group if r["pass"]) / len(group) if group else None,
                "roofline_mean_abs_error": roofline["mean_abs_error"],
                "roofline_max_abs_error": roofline["max_abs_error"],
                "uncalibrated_mean_abs_error": baseline["mean_abs_error"],
                "uncalibrated_max_abs_error": baseline["max_abs_error"],
            }
    return {
        "cases": len(records),
        "ran": len(ran),
        "passing": sum(1 for r in ran if r["pass"]),
        "skipped": len(records) - len(ran),
        "by_calculator": by_calculator,
        **by_kind,
        "measured": measured,
        "uncalibrated": {
            name: UNCALIBRATED_WORDS[name] for name in measured if name in UNCALIBRATED
        },
    }


def validate(*calculators: str) -> dict[str, Any]:
    """The ``tcoctl validate`` document: ``cases`` (one record each, of the ``calculators``
    named, or of every one) and ``summary``."""
    for calculator in calculators:
        if calculator not in CALCULATORS:
            raise UsageError(
                f"--calculator: {not_one_of(calculator, CALCULATORS, '--calculator inference')}"
            )
    cases = [c for c in load_cases() if not calculators or c.calculator in calculators]
    records = [run_case(case) for case in cases]
    return {"cases": records, "summary": summarise(records)}


def failed(records: Iterable[Mapping[str, Any]]) -> bool:
    """Whether a published or bound case failed, or any case could not run: the exit status
    of ``tcoctl validate`` (a measurement outside low..high is a statistic, not a failure)."""
    return any("message" in r or (r["kind"] != "measured" and r["pass"] is False) for r in records)
