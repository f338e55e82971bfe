"""Planner workflows over any calculator: sweeps with threshold marks, tornado charts and
batches of scenarios from a file (tcoctl compare lives in runner.py). Each is one core call
over many rows or design points (batches: one per chunk of rows)."""

from __future__ import annotations

import csv
import gc
import itertools
import json
import math
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from typing import IO, Any

import numpy as np

from tcoctl import chain, engine, output
from tcoctl.errors import TcoctlError, UsageError, shorten
from tcoctl.presets import Preset
from tcoctl.specs import Calculator, Input, Result
from tcoctl.units import Span, UnitInputError, convert, parse_span, short

MAX_SWEEP_POINTS = 20_000
MAX_SWEEP_EVALUATIONS = 4_000_000
"""Sweep points x range corners one sweep may evaluate (a few seconds at most)."""
DEFAULT_SWEEP_POINTS = 25
BATCH_CHUNK = 5_000
_SWEEP = re.compile(r"^\s*(?P<name>[a-z][a-z0-9-]*)\s*=\s*(?P<range>.+?)(?::(?P<n>\d+))?\s*$")
_MARK = re.compile(r"^\s*(?P<name>[a-z][a-z0-9_]*)\s*=\s*(?P<level>.+?)\s*$")


@dataclass(frozen=True)
class Sweep:
    """One input swept over ``points`` values from ``span.low`` to ``span.high`` (core units)."""

    spec: Input
    span: Span
    points: int


def parse_sweep(calc: Calculator, text: str) -> Sweep:
    """``NAME=LOW..HIGH[:N]``, e.g. ``electricity=0.02..0.40USD/kWh:50``."""
    match = _SWEEP.match(text)
    if not match:
        raise UsageError(
            f"--sweep: expected NAME=LOW..HIGH[:N], e.g. "
            f"'{calc.sweep_example.split('|')[0]}', got {shorten(text)!r}"
        )
    try:
        spec = calc.input(match["name"])
    except KeyError:
        names = ", ".join(s.name for s in calc.inputs if s.kind == "number")
        raise UsageError(
            f"--sweep: {calc.name} has no input {shorten(match['name'])!r}; one of {names}"
        ) from None
    if spec.kind != "number":
        raise UsageError(f"--sweep: {spec.name} is not a number")
    # A bare sweep range is read in the unit --help shows (the issue's own example omits it).
    span = engine.check(replace(spec, bare=True), match["range"], f"--sweep {spec.name}").span
    assert span is not None
    if not span.is_range:
        raise UsageError(f"--sweep: give a range LOW..HIGH for {spec.name}")
    points = int(match["n"]) if match["n"] else DEFAULT_SWEEP_POINTS
    if not 2 <= points <= MAX_SWEEP_POINTS:
        raise UsageError(f"--sweep: between 2 and {MAX_SWEEP_POINTS} points, got {points}")
    return Sweep(spec, span, points)


def parse_mark(
    calc: Calculator, text: str, option: str = "--mark", example: str = ""
) -> tuple[Result, float]:
    """``RESULT=LEVEL`` in the result's display unit, e.g. ``power_share=0.15``."""
    example = example or calc.sweep_example.split("|")[1]
    match = _MARK.match(text)
    result = None
    if match:
        result = next((r for r in calc.results if r.name == match["name"]), None)
    if match is None or result is None:
        names = ", ".join(r.name for r in calc.results)
        raise UsageError(
            f"{option}: expected RESULT=VALUE with RESULT one of {names}, "
            f"e.g. '{example}'; got {shorten(text)!r}"
        )
    try:
        level = parse_span(match["level"], result.unit, example, result.display or None)
    except UnitInputError as error:
        raise UsageError(f"{option}: {error}") from None
    if level.is_range:
        raise UsageError(f"{option}: give one value, not a range, e.g. '{example}'")
    return result, level.low


def parse_solve(calc: Calculator, name: str | None, goal: str | None) -> engine.Solve | None:
    """``--solve INPUT --for RESULT=VALUE``: the goal-seek, or None without --solve."""
    example = (
        f"--solve {calc.solve_example.split('|')[0]} --for '{calc.solve_example.split('|')[1]}'"
    )
    if name is None:
        if goal is not None:
            raise UsageError(f"--for goes with --solve, e.g. {example}")
        return None
    if goal is None:
        raise UsageError(f"--solve needs --for RESULT=VALUE, e.g. {example}")
    try:
        spec = calc.input(name.strip())
    except KeyError:
        spec = None
    if spec is None or spec.kind != "number":
        names = ", ".join(s.name for s in calc.inputs if s.kind == "number")
        raise UsageError(
            f"--solve: {calc.name} has no number input {shorten(name)!r}; one of {names}"
        )
    result, value = parse_mark(calc, goal, "--for", calc.solve_example.split("|")[1])
    if result.core == spec.core:
        raise UsageError(f"--for: {result.name} is what --solve {spec.name} would set")
    return engine.Solve(spec, result, value)


def sweep(
    calc: Calculator,
    given: Mapping[str, engine.Given],
    plan: Sweep,
    solve: engine.Solve | None = None,
) -> tuple[np.ndarray[Any, np.dtype[np.float64]], dict[str, engine.Summary]]:
    """Every result at each sweep point, the other inputs keeping their ranges: one core call
    with a row per point."""
    ranged = sum(
        g.span is not None and g.span.is_range and g.spec.key != plan.spec.key
        for g in given.values()
    )
    if plan.points * (2**ranged + 1) > MAX_SWEEP_EVALUATIONS:
        raise UsageError(
            f"--sweep: {plan.points:,} points x {2**ranged + 1} range corners "
            f"exceeds {MAX_SWEEP_EVALUATIONS:,} evaluations: use fewer points, or "
            "give the other inputs as single values"
        )
    xs = np.linspace(plan.span.low, plan.span.high, plan.points)
    numbers, gpus, choices = engine.scenario_columns(given, plan.points)
    numbers[plan.spec.key] = (xs, xs)
    summaries, _, _ = engine.evaluate(calc, numbers, gpus, choices, solve=solve)
    return xs, summaries


def finite_or_null(values: Any) -> list[float | None]:
    """A sweep column for JSON: null where the result is not defined at that point."""
    return [v if math.isfinite(v) else None for v in np.asarray(values, dtype=float).tolist()]


def crossings(xs: Sequence[float], ys: Sequence[float], level: float) -> list[float]:
    """Where the piecewise-linear curve through (xs, ys) crosses ``level``."""
    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float) - level  # None: NaN
    found = []
    for i in np.flatnonzero((y[:-1] * y[1:] <= 0) & (y[:-1] != y[1:])):
        found.append(float(x[i] - y[i] * (x[i + 1] - x[i]) / (y[i + 1] - y[i])))
    return found


def sweep_section(
    calc: Calculator,
    plan: Sweep,
    xs: np.ndarray[Any, Any],
    summaries: Mapping[str, engine.Summary],
    target: Result,
    mark: tuple[Result, float] | None,
) -> tuple[dict[str, Any], list[Any]]:
    """The sweep as a JSON section (columns of numbers, display units) and its chart and
    table for the table view."""
    from tcoctl.charts import sweep_views

    x_display = convert(xs, plan.spec.unit, plan.spec.display)
    columns: dict[str, Any] = {}
    for result in calc.results:
        if result.name not in summaries:
            continue
        summary = summaries[result.name]
        column = {
            "unit": short(result.display),
            "value": finite_or_null(convert(summary.value, result.unit, result.display)),
        }
        if summary.low is not None and summary.high is not None:
            column["low"] = finite_or_null(convert(summary.low, result.unit, result.display))
            column["high"] = finite_or_null(convert(summary.high, result.unit, result.display))
        columns[result.name] = column
    if target.name not in columns:
        raise UsageError(
            f"--target: {target.name!r} is not computed here; one of {', '.join(columns)}"
        )
    section: dict[str, Any] = {
        "input": plan.spec.name,
        "unit": short(plan.spec.display),
        "x": x_display.tolist(),
        "results": columns,
    }
    ys = columns[target.name]["value"]
    marks: list[float] = []
    if mark is not None:
        result, level = mark
        if result.name not in columns:
            raise UsageError(f"--mark: {result.name!r} is not computed here")
        level_display = float(convert(level, result.unit, result.display))
        marks = crossings(x_display, columns[result.name]["value"], level_display)
        section["mark"] = {
            "result": result.name,
            "level": level_display,
            "unit": short(result.display),
            "crossings": marks,
        }
    message = ""
    if mark is not None:
        where = ", ".join(f"{output.fmt(x)} {short(plan.spec.display)}" for x in marks)
        level_text = output.fmt(section["mark"]["level"])
        message = (
            f"{mark[0].name} crosses {level_text} at {plan.spec.name} = {where}"
            if marks
            else f"{mark[0].name} does not cross {level_text} in the swept range"
        )
    visuals = sweep_views(
        labelled(plan.spec.name, plan.spec.display),
        labelled(target.name, target.display),
        x_display.tolist(),
        ys,
        marks,
        message,
    )
    return section, visuals


def labelled(name: str, unit: str) -> str:
    """``name [unit]``, or the bare name for fractions and counts."""
    return f"{name} [{short(unit)}]" if unit else name


def tornado_section(
    calc: Calculator,
    given: Mapping[str, engine.Given],
    target: Result,
    solve: engine.Solve | None = None,
) -> tuple[dict[str, Any], Any]:
    """The tornado as JSON (display units) and as a chart."""
    from tcoctl.charts import tornado as tornado_chart

    centre, bars = engine.tornado(calc, given, target.name, solve)
    unit = short(target.display)

    def shown(value: float) -> float:
        return float(convert(value, target.unit, target.display))

    section = {
        "target": target.name,
        "unit": unit,
        "centre": shown(centre),
        "bars": [
            {
                "input": name,
                "at_low": shown(lo),
                "at_high": shown(hi),
                "swing": abs(shown(hi) - shown(lo)),
            }
            for name, lo, hi in bars
        ],
    }
    chart = tornado_chart(
        f"what moves {target.name} (centre {output.fmt(shown(centre))} {unit})".replace(" )", ")"),
        shown(centre),
        [(name, shown(lo), shown(hi)) for name, lo, hi in bars],
        unit,
    )
    return section, chart


LineParser = Callable[[str], "dict[str, str] | str"]
MAX_LINE = 1_000_000
"""Bytes in one batch line (without its newline); a longer line is one line-numbered error."""
MAX_SKIP = 64 * MAX_LINE
"""Bytes of one over-long line skipped before the batch stops reading (/dev/zero)."""
FIRST_CHUNKS = (64, 1_000)
"""Sizes of the first chunks, so output starts at once; then BATCH_CHUNK lines each."""
Line = tuple[int, str, str]
"""A batch line: its number (as awk's NR), its text, and why it cannot be read ('' if it can)."""


def numbered_lines(stream: IO[bytes]) -> Iterator[Line]:
    """The lines of a byte stream, split on \\n only (so numbers match awk's NR), one
    trailing CR dropped, each decoded as UTF-8 on its own; at most MAX_LINE bytes each are
    held in memory."""
    number = 0
    while True:
        raw = stream.readline(MAX_LINE + 2)
        if not raw:
            return
        number += 1
        if raw.endswith(b"\n"):
            raw = raw[:-1]
        elif len(raw) > MAX_LINE:  # too long: skip to the next newline, in bounded pieces
            skipped = len(raw)
            while skipped <= MAX_SKIP:
                part = stream.readline(1 << 20)
                skipped += len(part)
                if not part or part.endswith(b"\n"):
                    break
            if skipped > MAX_SKIP:
                yield number, "", f"longer than {MAX_SKIP:,} bytes: stopped reading the input"
                return
            yield number, "", f"longer than {MAX_LINE:,} bytes"
            continue
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if len(raw) > MAX_LINE:
            yield number, "", f"longer than {MAX_LINE:,} bytes"
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield number, "", f"not UTF-8 text (byte {error.start + 1} of the line)"
            continue
        yield number, text.removeprefix("\ufeff") if number == 1 else text, ""


def read_lines(stream: IO[bytes], known: set[str]) -> tuple[LineParser, Iterator[Line]]:
    """How to read a batch's lines, and the lines (numbered, blank ones skipped): JSON Lines
    when the first line is an object, else CSV whose header names options in ``known``. A
    file that is neither, or a CSV header naming an option twice, is a UsageError."""
    lines = numbered_lines(stream)
    first_line = next(lines, None)
    if first_line is None:
        return _json_row, iter(())
    _, first, problem = first_line
    if problem:
        raise UsageError(f"--input: line 1: {problem}")
    rest = (line for line in lines if line[2] or line[1].strip())
    if first.lstrip().startswith("{"):
        return _json_row, itertools.chain([first_line], rest)
    try:
        header = [field.strip().replace("_", "-") for field in next(csv.reader([first]))]
    except (csv.Error, StopIteration):
        header = []
    unknown = [field for field in header if field not in known]
    if first.strip() and (not header or unknown):
        raise UsageError(
            "--input: line 1 is neither a JSON object nor a CSV header of option names"
            + (f" (unknown {shorten(unknown[0])!r})" if unknown and header else "")
            + '; e.g. {"gpus": 1000} or gpus,electricity'
        )
    twice = sorted({field for field in header if header.count(field) > 1})
    if twice:
        raise UsageError(f"--input: the CSV header names {', '.join(twice)} more than once")
    return partial(_csv_row, header), rest


def _csv_row(header: list[str], line: str) -> dict[str, str] | str:
    try:
        cells = next(csv.reader([line]), [])
    except csv.Error as error:
        return f"not CSV: {error}"
    if len(cells) != len(header):
        return f"{len(cells)} fields, the header has {len(header)}"
    return {key: value.strip() for key, value in zip(header, cells, strict=True) if value.strip()}


class _DuplicateKey(ValueError):
    pass


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        keys = [key for key, _ in pairs]
        twice = sorted({key for key in keys if keys.count(key) > 1})
        raise _DuplicateKey(", ".join(repr(shorten(key)) for key in twice))
    return found


def _json_row(line: str) -> dict[str, str] | str:
    try:
        data = json.loads(line, object_pairs_hook=_unique_pairs)
    except _DuplicateKey as error:
        return f"duplicate key {error}"
    except json.JSONDecodeError as error:
        return f"not JSON: {error.msg}"
    except (RecursionError, ValueError):
        return "not JSON tcoctl can read (nested too deep, or a number too long)"
    if chain.is_document(data):  # a tcoctl output document: its results flow in
        return chain.Upstream(data)
    if not isinstance(data, dict):
        return "expected a JSON object of option names and values"
    if any(isinstance(v, (dict, list, bool)) or v is None for v in data.values()):
        return "values must be strings or numbers"
    return {str(key): str(value) for key, value in data.items()}


def batch(
    calc: Calculator,
    flags: Mapping[str, str],
    preset: Preset | None,
    stream: IO[bytes],
    fmt: str,
    solve: engine.Solve | None = None,
) -> int:
    """Evaluate every scenario of ``stream`` (bytes) and write one record per good line:
    JSON Lines in the output contract (``inputs`` holds the line's own values) or CSV with a
    column per result. One process, chunk by chunk (bounded memory): each chunk is evaluated
    as arrays and written as whole lines with one write, signals held meanwhile, so stdout
    is always a prefix of whole records. Bad lines are reported on stderr with their number
    and affect no other line; returns how many failed."""
    from tcoctl.signals import deferred

    header = ""
    if fmt == "csv":
        columns = [
            name
            for r in engine.results_of(calc, solve)
            for name in (labelled(r.name, r.display), f"{r.name} low", f"{r.name} high")
        ]
        header = ",".join(["line", "input", *(f'"{c}"' if "," in c else c for c in columns)])
    parse, lines = read_lines(stream, set(calc.inputs_by_name))
    rows = Rows(calc, flags, preset, solve)
    failures = 0
    gc.freeze()  # objects alive so far need no more cyclic collection (~20 % faster)
    for chunk in chunks(lines, BATCH_CHUNK, FIRST_CHUNKS):
        text, errors = evaluate_chunk(rows, fmt, parse, chunk)
        notes, rows.notes = rows.notes, []
        with deferred():
            sys.stderr.write("".join(f"tcoctl: warning: {note}\n" for note in notes))
            if text and header:  # the CSV header goes out with the first record, not before
                text = header + "\n" + text
                header = ""
            sys.stdout.write(text)
            sys.stdout.flush()
            sys.stderr.write("".join(f"tcoctl: error: {error}\n" for error in errors))
            sys.stderr.flush()
        failures += len(errors)
    return failures


def chunks(rows: Iterator[Any], size: int, first: Sequence[int] = ()) -> Iterator[list[Any]]:
    """Consecutive lists of ``size`` items (the first ones of the ``first`` sizes; the last
    may be shorter)."""
    sizes = itertools.chain(first, itertools.repeat(size))
    while True:
        chunk = list(itertools.islice(rows, next(sizes)))
        if not chunk:
            return
        yield chunk


class Rows:
    """Batch lines to checked scenarios, fast: each distinct (option, text) is checked once,
    and the preset's figures are merged once; the same rules as engine.gather."""

    def __init__(
        self,
        calc: Calculator,
        flags: Mapping[str, str],
        preset: Preset | None,
        solve: engine.Solve | None = None,
    ):
        self.calc, self.flags, self.preset, self.solve = calc, dict(flags), preset, solve
        self.base = dict(engine.preset_layer(calc.name, preset, 0)) if preset else {}
        self.items: dict[tuple[str, str], list[engine.Given] | TcoctlError] = {}
        self.members: dict[tuple[str, str], str] = {}
        self.notes: list[str] = []
        """Warnings to write with the next chunk (one per kind of document flowing in)."""
        self.noted: set[str] = set()

    def received(self, document: chain.Upstream) -> dict[str, str]:
        """A tcoctl document's results as this line's options, minus what the command
        line overrides; the first document of each kind adds a warning saying what fed
        what."""
        flowed, used, ignored = chain.received(self.calc, document)
        note = chain.flow_note(self.calc, str(document["command"]), used, ignored)
        if note not in self.noted and len(self.noted) < 100:
            self.noted.add(note)
            self.notes.append(note)
        return chain.without_overridden(self.calc, flowed, self.flags)

    def expand(self, name: str, text: str) -> list[engine.Given]:
        found = self.items.get((name, text))
        if found is None:
            try:
                found = engine.expand(self.calc, self.calc.input(name), text, f"--{name}")
            except TcoctlError as error:
                found = error
            if len(self.items) < 200_000:
                self.items[(name, text)] = found
        if isinstance(found, TcoctlError):
            raise found
        return found

    def gather(self, typed: Mapping[str, str]) -> dict[str, engine.Given]:
        merged = {**self.flags, **typed} if self.flags else typed
        given = dict(self.base)
        calc = self.calc
        for name, text in merged.items():
            spec = calc.input(name)
            clash = [other for other in spec.excludes if other in merged]
            if clash:
                raise UsageError(f"--{name} and --{clash[0]} are alternatives: give one")
            for item in self.expand(name, text):
                engine.put(given, item)
        for name, default in calc.defaults.items():
            if name not in given and calc.input(name).kind == "choice":
                given[name] = engine.default_given(calc.name, name, default)
        if self.solve is not None:
            given.pop(self.solve.unknown.name, None)
        return given

    def inputs(self, typed: Mapping[str, str], given: Mapping[str, engine.Given]) -> str:
        """The line's own inputs as JSON members, joined (cached per option and text)."""
        parts = []
        for key, text in typed.items():
            member = self.members.get((key, text))
            if member is None:
                member = ", ".join(typed_inputs(self.calc, {key: text}, given))
                if len(self.members) < 200_000:
                    self.members[(key, text)] = member
            parts.append(member)
        return ", ".join(parts)


def evaluate_chunk(
    rows: Rows, fmt: str, parse: LineParser, lines: list[Line]
) -> tuple[str, list[str]]:
    """One chunk of batch lines: their records as text, and an error per bad line."""
    calc, solve = rows.calc, rows.solve
    preset_name = rows.preset.name if rows.preset else None
    with gc_paused(), np.errstate(all="ignore"):
        errors = []
        chunk: list[tuple[int, dict[str, engine.Given], dict[str, str]]] = []
        known = calc.inputs_by_name
        for number, line, problem in lines:
            try:
                if problem:
                    raise UsageError(problem)
                fields = parse(line)
                if isinstance(fields, str):
                    raise UsageError(fields)
                if isinstance(fields, chain.Upstream):
                    fields = rows.received(fields)
                typed = {key.replace("_", "-"): value for key, value in fields.items()}
                if len(typed) != len(fields):
                    names = [key.replace("_", "-") for key in fields]
                    twice = sorted({key for key in names if names.count(key) > 1})
                    raise UsageError(f"duplicate key {', '.join(map(repr, twice))}")
                unknown = [key for key in typed if key not in known]
                if unknown:
                    raise UsageError(f"unknown option {shorten(unknown[0])!r}")
                chunk.append((number, rows.gather(typed), typed))
            except TcoctlError as error:
                errors.append((number, str(error)))
        summaries, failed, _ = engine.run_rows(calc, [given for _, given, _ in chunk], solve=solve)
        ranged = [engine.has_range(given) for _, given, _ in chunk]
        columns = [
            result_column(r, summaries.get(r.name), ranged, fmt)
            for r in engine.results_of(calc, solve)
        ]
        records = []
        for row, (number, given, typed) in enumerate(chunk):
            if row in failed:
                errors.append((number, str(failed[row])))
            elif fmt == "csv":
                records.append(output.batch_csv_line(number, typed, [c[row] for c in columns]))
            else:
                members = [column[row] for column in columns if column[row]]
                records.append(
                    output.batch_json_line(
                        calc.name, preset_name, number, [rows.inputs(typed, given)], members
                    )
                )
        text = "".join(record + "\n" for record in records)
        return text, [f"line {number}: {message}" for number, message in sorted(errors)]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a batch chunk makes many short-lived objects and
    no cycles, and collecting them costs 15 %."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def result_column(
    result: Result, summary: engine.Summary | None, ranged: Sequence[bool], fmt: str
) -> list[str]:
    """One result over a chunk, in display units, as ready text per row ('' where the row
    has no finite value): converted column by column, for speed."""
    if summary is None:
        return [",," if fmt == "csv" else ""] * len(ranged)
    values = convert(summary.value, result.unit, result.display).tolist()
    wide = summary.low is not None and summary.high is not None and any(ranged)
    lows = convert(summary.low, result.unit, result.display).tolist() if wide else values
    highs = convert(summary.high, result.unit, result.display).tolist() if wide else values
    if fmt == "csv":  # value, low, high (low and high empty where the row has no range)
        spread = [wide and r for r in ranged]
        cells = zip(
            output.csv_cells(values),
            output.csv_cells([lo if w else math.nan for lo, w in zip(lows, spread, strict=True)]),
            output.csv_cells([hi if w else math.nan for hi, w in zip(highs, spread, strict=True)]),
            strict=True,
        )
        return [",".join(three) for three in cells]
    return output.json_members(
        result.name,
        short(result.display),
        values,
        lows,
        highs,
        [wide and r for r in ranged],
        result.labels,
    )


def typed_inputs(
    calc: Calculator, typed: Mapping[str, str], given: Mapping[str, engine.Given]
) -> list[str]:
    """The line's own inputs as JSON members of the output contract."""
    members = []
    for key in typed:
        spec = calc.input(key)
        members += [input_member(given[name]) for name in (*spec.parts, spec.name) if name in given]
    return members


@lru_cache(maxsize=65_536)
def input_member(given: engine.Given) -> str:
    """An input's JSON member (cached: batch files repeat their values)."""
    value, unit, stats = given.display()
    return output.json_member(given.spec.name, value, unit, stats)
