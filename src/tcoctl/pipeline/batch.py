"""Batches: ``--input FILE`` (or ``-``), one scenario per line, as JSON Lines or CSV of
option names and values, with the shared options and the preset underneath.

One process, chunk by chunk (bounded memory, output from the first chunk on): a chunk's lines
are parsed, grouped by the options and choices they give, and each group is evaluated as
columns of arrays in one engine call and written column by column; each distinct option text
is checked once. Every chunk goes out as whole lines in one write with signals held, so
stdout is always a prefix of whole records. A bad line is reported on stderr with its number
(as awk's NR) and affects no other line.
"""

from __future__ import annotations

import csv
import gc
import itertools
import json
import os
import select
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import IO, Any

import numpy as np
import orjson
from numpy.typing import NDArray

from tcoctl import chain, engine, output
from tcoctl.engine import Array
from tcoctl.errors import (
    TcoctlError,
    UsageError,
    as_flag,
    by_message,
    did_you_mean,
    first_few,
    message_kind,
    nearest,
    shorten,
)
from tcoctl.pipeline import route
from tcoctl.pipeline.planner import check_solved_not_given
from tcoctl.presets import Preset, load
from tcoctl.report import Row
from tcoctl.signals import deferred
from tcoctl.specs import Calculator, Input, Result
from tcoctl.units import SIMPLE_UNIT, convert, currencies_in, factor, short

BATCH_CHUNK = 5_000
SPLIT_KINDS = ("choice", "gpu")
"""Kinds of option whose lines go to groups of one value each: a choice picks the relations,
and a GPU its price and the figures its preset ties to it (engine.mark_kept)."""
CACHED_TEXTS = 200_000
"""Distinct (option, text) pairs whose checked values and JSON members are kept."""
LineParser = Callable[[str], "dict[str, str] | chain.Upstream | str"]
MAX_LINE = 1_000_000
"""Bytes in one batch line (without its newline); a longer line is one line-numbered error."""
MAX_SKIP = 64 * MAX_LINE
"""Bytes of one over-long line skipped before the batch stops reading (/dev/zero)."""
FIRST_CHUNKS = (64, 1_000)
"""Sizes of the first chunks, so output starts at once; then BATCH_CHUNK lines each."""
Line = tuple[int, str, str]
"""A batch line: its number (as awk's NR), its text, and why it cannot be read ('' if it can)."""


READ_SIZE = 1 << 16
"""Bytes asked of the input per read."""
PAUSE: Line = (0, "", "")
"""Not a line: the input has no whole line ready (a pipe's writer is still working), so the
lines read so far go out now instead of waiting for a full chunk."""
STOPPED = "stopped reading the input"
MAX_LEADING_PROBLEMS = 1_000
"""Unreadable lines before the first readable one; then the batch is taken as JSON Lines."""


def pieces(stream: IO[bytes]) -> Iterator[bytes | None]:
    """The bytes of a stream as they arrive, with None before a read that would wait (a pipe
    with nothing in it yet). A stream without a file descriptor is read as it is."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        while piece := stream.read(READ_SIZE):
            yield piece
        return
    while True:
        if not select.select([descriptor], [], [], 0)[0]:
            yield None
        piece = os.read(descriptor, READ_SIZE)
        if not piece:
            return
        yield piece


def numbered_lines(stream: IO[bytes]) -> Iterator[Line]:
    """The lines of a byte stream as soon as each is whole, split on \\n only (so numbers
    match awk's NR), one trailing CR dropped, each decoded as UTF-8 on its own; at most
    MAX_LINE bytes each are held in memory. :data:`PAUSE` marks where the input waits."""
    number = 0
    pending = bytearray()
    skipped = 0  # bytes of an over-long line skipped so far
    for piece in pieces(stream):
        if piece is None:
            yield PAUSE
            continue
        pending += piece
        start = 0
        while (end := pending.find(b"\n", start)) >= 0:
            number += 1
            yield line_of(number, bytes(pending[start:end]), skipped)
            start, skipped = end + 1, 0
        del pending[:start]
        if len(pending) > MAX_LINE + 1:  # too long: skip to the next newline, in pieces
            skipped += len(pending)
            pending.clear()
            if skipped > MAX_SKIP:
                yield number + 1, "", f"longer than {MAX_SKIP:,} bytes: {STOPPED}"
                return
    if pending or skipped:
        yield line_of(number + 1, bytes(pending), skipped)


def line_of(number: int, raw: bytes, skipped: int) -> Line:
    """One line, numbered, from its bytes (``skipped``: bytes of it already dropped)."""
    raw = raw.removesuffix(b"\r")
    if skipped or len(raw) > MAX_LINE:
        return number, "", f"longer than {MAX_LINE:,} bytes"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return number, "", f"not UTF-8 text (byte {error.start + 1} of the line)"
    return number, text.removeprefix("\ufeff") if number == 1 else text, ""


def read_lines(
    stream: IO[bytes],
    known: Mapping[str, str],
    example: str = '{"count": 1000} or count,duration',
) -> tuple[LineParser, Iterator[Line]]:
    """How to read a batch's lines, and the lines (numbered, blank ones skipped, PAUSE kept):
    JSON Lines when the first readable line is an object, else CSV whose header names options
    in ``known`` (each with an example value, for a line's error); unreadable lines before it
    (bad UTF-8, too long) are each an error. A file that is neither, or a CSV header naming
    an option twice, is a UsageError."""
    lines = numbered_lines(stream)
    leading: list[Line] = []
    first_line = None
    for line in lines:
        if line is PAUSE:
            continue
        if not line[2]:
            first_line = line
            break
        if line[2].endswith(STOPPED):  # nothing readable at all (/dev/zero)
            raise UsageError(f"--input: line {line[0]}: {line[2]}")
        leading.append(line)
        if len(leading) >= MAX_LEADING_PROBLEMS:
            break
    rest = (line for line in lines if line[2] or line[1].strip() or line is PAUSE)
    json_row = partial(_json_row, example.split(" or ")[0], known)
    if first_line is None:
        return json_row, itertools.chain(leading, rest)
    first = first_line[1]
    if first.lstrip().startswith("{"):
        return json_row, itertools.chain(leading, [first_line], rest)
    if first.lstrip().startswith("["):  # a JSON document holding a list of scenarios
        raise UsageError(
            f"--input: line {first_line[0]} starts a JSON array; --input takes JSON Lines, one "
            f"object per line with no brackets or commas between, e.g. {example.split(' or ')[0]}"
        )
    try:
        header = [field.strip().lower().replace("_", "-") for field in next(csv.reader([first]))]
    except (csv.Error, StopIteration):
        header = []
    unknown = [field for field in header if field not in known]
    if header[:3] == output.CSV_HEADER[:3] or header[:2] == ["line", "input"]:
        raise UsageError(
            "--input: this is tcoctl's CSV output, which does not feed another calculator; "
            "pipe --format json (JSON Lines from a batch) instead, e.g. tcoctl yield "
            "--preset smic-7nm --format json | tcoctl supply --input -"
        )
    if first.strip() and (not header or unknown):
        raise UsageError(
            f"--input: line {first_line[0]} is neither a JSON object nor a CSV header of "
            "option names"
            + (f" (unknown {shorten(unknown[0])!r})" if unknown and header else "")
            + f"; e.g. {example}"
        )
    twice = sorted({field for field in header if header.count(field) > 1})
    if twice:
        raise UsageError(f"--input: the CSV header names {', '.join(twice)} more than once")
    return partial(_csv_row, header), itertools.chain(leading, rest)


def _csv_row(header: list[str], line: str) -> dict[str, str] | str:
    try:
        cells = next(csv.reader([line]), [])
    except csv.Error as error:
        return f"not CSV: {error}"
    if len(cells) != len(header):
        return (
            f"{len(cells)} fields, the header has {len(header)}: expected one field per column "
            f'({shorten(",".join(header))}), a comma inside a field quoted, e.g. "1,000"'
        )
    return {key: value.strip() for key, value in zip(header, cells, strict=True) if value.strip()}


class _DuplicateKey(ValueError):
    pass


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """The object, or _DuplicateKey naming the first key given twice."""
    found = dict(pairs)
    if len(found) != len(pairs):
        keys = [key for key, _ in pairs]
        raise _DuplicateKey(shorten(next(key for key in keys if keys.count(key) > 1)))
    return found


def _key_example(key: str, known: Mapping[str, str], example: str) -> str:
    """A good line with option ``key`` at its example value (``example`` for a key that is
    no option, which the run names as such)."""
    name = key.replace("_", "-")
    return json.dumps({key: known[name]}) if name in known else example


def _json_row(
    example: str, known: Mapping[str, str], line: str
) -> dict[str, str] | chain.Upstream | str:
    """A JSON line's fields as texts, or why it cannot be used, naming the key, with an
    ``example`` of a good line (of the key's own value where it is an option in ``known``).
    orjson reads it; where the line holds more '":' than the object has keys (a duplicate
    key, or '":' inside a string) the standard parser reads it again and names any
    duplicate."""
    try:
        data = orjson.loads(line)
        if isinstance(data, dict) and line.count('":') > len(data):
            data = json.loads(line, object_pairs_hook=_unique_pairs)
    except _DuplicateKey as error:
        key = error.args[0]
        return (
            f"duplicate key {key!r}: expected each option once, e.g. "
            f"{_key_example(key, known, example)}"
        )
    except orjson.JSONDecodeError as error:
        return f"not JSON: {str(error).split(':')[0]}; e.g. {example}"
    except (json.JSONDecodeError, RecursionError, ValueError):
        return f"not JSON tcoctl can read (nested too deep, or a number too long); e.g. {example}"
    if chain.is_document(data):  # a tcoctl output document: its results flow in
        return chain.Upstream(data)
    if not isinstance(data, dict):
        return f"expected a JSON object of option names and values, e.g. {example}"
    for key, value in data.items():
        if isinstance(value, (dict, list, bool)) or value is None:
            return (
                f"{shorten(key)!r} is {json.dumps(value)[:20]}: expected a string or a number, "
                f"e.g. {_key_example(key, known, example)}"
            )
    return {str(key): str(value) for key, value in data.items()}


@dataclass(frozen=True)
class BatchRun:
    """What every line of a batch shares: the calculator, the options given for all lines
    (``flags``) and the preset, the goal-seek if any, and whether the preset's ranges
    collapse to their midpoints (``only_mine``: --only-my-ranges)."""

    calc: Calculator
    flags: Mapping[str, str]
    preset: Preset | None
    solve: engine.Solve | None = None
    only_mine: bool = False


def batch(run: BatchRun, stream: IO[bytes], fmt: str) -> tuple[int, int]:
    """Evaluate every scenario of ``stream`` and write one record per good line: JSON Lines
    in the output contract (``inputs`` holds the line's own values and those a
    single run marks kept or replaced, ``line`` its number) or
    CSV with value, low and high columns per result; ``run.only_mine`` collapses the
    preset's ranges to their midpoints. Returns how many lines were read and how many
    failed."""
    calc = run.calc
    results = engine.results_of(calc, run.solve)
    header = output.batch_csv_header(results) if fmt == "csv" else ""
    examples = {spec.name: spec.example for spec in calc.inputs}
    parse, lines = read_lines(stream, examples, line_example(calc))
    table = Batch(run)
    failures = Failures()
    read = 0
    gc.freeze()  # what exists now needs no more cyclic collection
    for chunk in chunks(lines, BATCH_CHUNK, FIRST_CHUNKS):
        read += len(chunk)
        with gc_paused():
            text, errors = table.evaluate(chunk, parse, fmt)
        notes, table.notes = table.notes, []
        if text and header:  # the CSV header goes out with the first record, not before
            text, header = header + "\n" + text, ""
        with deferred():
            output.write_chunk(text, notes, failures.shown(errors))
    output.write_chunk("", [], failures.tally())
    return read, failures.count


def line_example(calc: Calculator) -> str:
    """A batch line of ``calc`` that runs, as JSON and as a CSV header."""
    fields = line_fields(calc)
    return f"{json.dumps(fields)} or {','.join(fields)}"


def line_fields(calc: Calculator, named: Input | None = None) -> dict[str, str]:
    """The fields of a batch line of ``calc`` that runs: its complete example's options
    where the default preset does not underlie every line (flops: '{"peak": "989
    TFLOP/s"}' alone determined no result), else its first number input; with option
    ``named`` (and its example) in it."""
    flags = calc.complete_example
    given = dict(zip(flags[::2], flags[1::2], strict=True))
    if not given and named is None:
        first = next(spec for spec in calc.inputs if spec.kind == "number")
        given = {as_flag(first.name): first.example}
    fields = {flag.removeprefix("--"): value for flag, value in given.items()}
    return fields if named is None else {**fields, named.name: named.example}


ERRORS_SHOWN = 20
"""Failed lines reported one by one; the others are counted by message."""
MESSAGES_COUNTED = 1_000
"""Distinct messages counted; the others are counted together."""
OTHER_MESSAGES = "(other messages)"


@dataclass
class Failures:
    """A batch's failed lines: the first ERRORS_SHOWN reported as they come, then counted
    by message, so that a batch whose every line fails does not flood stderr."""

    count: int = 0
    hidden: Counter[str] = field(default_factory=Counter)
    first: dict[str, int] = field(default_factory=dict)
    """The number of the first line counted under each message."""

    def shown(self, errors: Sequence[tuple[int, str]]) -> list[str]:
        """The errors of one chunk to report now, as 'line N: message'; the rest counted."""
        room = max(0, ERRORS_SHOWN - self.count)
        self.count += len(errors)
        for number, message in errors[room:]:
            counted = message in self.hidden or len(self.hidden) < MESSAGES_COUNTED
            self.hidden[message if counted else OTHER_MESSAGES] += 1
            self.first.setdefault(message if counted else OTHER_MESSAGES, number)
        return [f"line {number}: {message}" for number, message in errors[:room]]

    def tally(self) -> list[str]:
        """The errors not reported one by one: how many lines gave each message, the most
        frequent first (five of them, then the rest together); a message of one line
        names it, as a line reported one by one does."""
        top = self.hidden.most_common(5)
        rest = sum(self.hidden.values()) - sum(count for _, count in top)
        return [
            f"line {self.first[message]}: {message}"
            if count == 1
            else f"{count:,} more line(s): {message}"
            for message, count in top
        ] + ([f"{rest:,} more line(s) with other messages"] if rest else [])


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a chunk makes many short-lived objects and no
    cycles, and collecting them (among the caches) costs more than the work itself."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def chunks(lines: Iterator[Line], size: int, first: Sequence[int] = ()) -> Iterator[list[Line]]:
    """Consecutive lists of ``size`` lines (the first ones of the ``first`` sizes), a list
    ended early where the input pauses (:data:`PAUSE`), so that records go out as soon as
    their lines are whole."""
    sizes = itertools.chain(first, itertools.repeat(size))
    chunk: list[Line] = []
    limit = next(sizes)
    for line in lines:
        if line is not PAUSE:
            chunk.append(line)
        if chunk and (line is PAUSE or len(chunk) >= limit):
            yield chunk
            chunk, limit = [], next(sizes)
    if chunk:
        yield chunk


class Batch:
    """A batch's shared part (the preset, the shared options and the calculator's choice
    defaults, checked once as engine.gather does) and its caches of checked option texts."""

    def __init__(self, run: BatchRun) -> None:
        calc, flags, preset, only_mine = run.calc, run.flags, run.preset, run.only_mine
        self.calc, self.solve = calc, run.solve
        self.preset = preset
        self.shared = engine.gather(calc, flags, preset, lines=True)  # the shared are valid
        self.formats = engine.peak_formats(calc, flags, self.shared)
        """The shared precisions, whose peaks an unknown --gpu's example has (gpu_figures)."""
        self.only_mine = only_mine
        self.example = line_example(calc)
        """A line that runs, for the errors of lines that cannot be read (too long, not
        UTF-8), as the other errors of a line show one."""
        self.piped: tuple[Preset | None, dict[str, engine.Given]] | None = (
            (self.preset, self.shared) if preset is not None or not calc.piped_preset else None
        )
        """What a line from an upstream document starts from (the preset's name, the shared
        inputs): the run's preset, or where it has none and the calculator says so
        (``piped_preset``) its default preset, as a plain run does (a piped supply keeps its
        packaging and HBM limits)."""
        self.checked: dict[tuple[str, str], list[engine.Given] | TcoctlError] = {}
        self.members: dict[tuple[str, str], str] = {}
        self.flags = dict(flags)
        self.notes: list[str] = []
        """Warnings to write with the next chunk (one per kind of document flowing in)."""
        self.noted: set[str] = set()

    def piped_base(self) -> tuple[Preset | None, dict[str, engine.Given]]:
        """The preset name and shared inputs lines from upstream documents start from."""
        if self.piped is None:
            preset = load(self.calc.default_preset, kind="scenario")
            shared = engine.gather(self.calc, self.flags, preset, lines=True)
            self.piped = (preset, shared)
        return self.piped

    def received(self, document: chain.Upstream) -> dict[str, str] | str:
        """A tcoctl document's results as this line's options, minus what the command line
        overrides, or why the line fails (figures that disagree); the first document of
        each kind adds a warning saying what fed what."""
        flowed, used, ignored = chain.received(self.calc, document)
        kept = chain.without_overridden(self.calc, flowed, self.flags)
        problem = chain.not_a_scenario(document) or engine.disagreement(
            self.calc, document, used, list(kept)
        )
        if problem is not None:
            return problem
        start = self.preset is None and self.calc.piped_preset
        note = chain.flow_note(self.calc, str(document["command"]), used, ignored, start)
        if note not in self.noted and len(self.noted) < 100:
            self.noted.add(note)
            self.notes.append(note)
        return kept

    def evaluate(
        self, lines: Sequence[Line], parse: LineParser, fmt: str
    ) -> tuple[str, list[tuple[int, str]]]:
        """One chunk: its records as text, in line order, and per bad line its number and
        what is wrong with it."""
        errors: list[tuple[int, str]] = []
        groups: dict[tuple[bool, tuple[str, ...]], list[tuple[int, dict[str, str]]]] = {}
        for number, line, problem in lines:
            fields = f"{problem}; e.g. {self.example}" if problem else parse(line)
            piped = isinstance(fields, chain.Upstream)
            if isinstance(fields, chain.Upstream):
                fields = self.received(fields)
            if isinstance(fields, str):
                errors.append((number, fields))
            else:
                groups.setdefault((piped, tuple(fields)), []).append((number, fields))
        records: list[tuple[int, str]] = []
        for (piped, keys), rows in groups.items():
            base = self.piped_base() if piped else (self.preset, self.shared)
            try:
                names = self.names(keys)
            except TcoctlError as error:
                errors += [(number, str(error)) for number, _ in rows]
                continue
            numbers = [number for number, _ in rows]
            good = np.ones(len(rows), dtype=bool)
            columns = [
                self.column(name, [fields[key] for _, fields in rows], numbers, good, errors)
                for key, name in zip(keys, names, strict=True)
            ]
            for members in split(columns, good):
                done, failed = self.group(base, columns, numbers, np.array(members), fmt)
                records += done
                errors += failed
        records.sort()
        text = "".join(record + "\n" for _, record in records)
        return text, sorted(errors)

    def names(self, keys: tuple[str, ...]) -> list[str]:
        """The option names a line's keys stand for (``gpu_price`` or ``gpu-price``)."""
        names = [key.replace("_", "-") for key in keys]
        twice = next((name for name in names if names.count(name) > 1), None)
        if twice is not None:
            fields = json.dumps({twice: self.calc.input(twice).example})
            raise UsageError(
                f"duplicate key {twice!r} ({twice.replace('-', '_')} and {twice} are one "
                f"option): expected each option once, e.g. {fields}"
            )
        unknown = [name for name in names if name not in self.calc.inputs_by_name]
        if unknown:
            near = nearest(unknown[0], [spec.name for spec in self.calc.inputs])
            named = self.calc.input(near[0]) if near else None
            raise UsageError(
                f"unknown option {shorten(unknown[0])!r}{did_you_mean(unknown[0], near)}; "
                f"expected options of {self.calc.name}, e.g. "
                f"{json.dumps(line_fields(self.calc, named))}"
            )
        engine.check_alternatives(self.calc, names)
        check_solved_not_given(self.solve, names)
        return [self.calc.input(name).name for name in names]

    def column(
        self,
        name: str,
        texts: list[str],
        numbers: list[int],
        good: NDArray[np.bool_],
        errors: list[tuple[int, str]],
    ) -> Column:
        """One option over a group's lines, checked: plain numbers in a few simple units as
        arrays at once, anything else text by text (each distinct text once). Lines with a
        refused text go to ``errors`` and are marked not ``good``."""
        spec = self.calc.input(name)
        fast = numeric_column(spec, texts) if spec.kind == "number" else None
        if fast is not None:
            low, shown, unit = fast
            units = [text.partition(" ")[2] for text in texts]
            codes = {u: tuple(sorted(currencies_in(u))) for u in dict.fromkeys(units)}
            return Column(
                name,
                texts,
                self.first(name, texts),
                {spec.core: engine.Bounds(low, low)},
                {},
                member_texts(spec.name, shown, unit),
                [codes[u] for u in units],
            )
        checked = {text: self.check(name, text) for text in dict.fromkeys(texts)}
        refused = {t: item for t, item in checked.items() if isinstance(item, TcoctlError)}
        if refused:
            for i, text in enumerate(texts):
                if text in refused and good[i]:
                    errors.append((numbers[i], str(refused[text])))
                    good[i] = False
        template = next(
            (item for item in checked.values() if not isinstance(item, TcoctlError)), None
        )
        if template is None:
            return Column(name, texts, [], {}, {}, [], [])
        spans: dict[str, engine.Bounds] = {}
        labels: dict[str, list[str]] = {}
        for k, given in enumerate(template):
            values = [None if t in refused else checked[t][k] for t in texts]  # type: ignore[index]
            if given.span is None:
                labels[given.spec.key] = [v.text if v else "" for v in values]
            else:
                line_spans = [v.span if v else None for v in values]
                spans[given.spec.core] = engine.Bounds(
                    np.array([s.low if s else np.nan for s in line_spans]),
                    np.array([s.high if s else np.nan for s in line_spans]),
                    engine.centres(line_spans),
                )
        echo = [self.echo(name, t, checked[t]) if t not in refused else "" for t in texts]  # type: ignore[arg-type]
        codes = {
            text: tuple(sorted(route.typed_currencies(item)))
            for text, item in checked.items()
            if not isinstance(item, TcoctlError)
        }
        return Column(name, texts, template, spans, labels, echo, [codes.get(t, ()) for t in texts])

    def first(self, name: str, texts: list[str]) -> list[engine.Given]:
        """The checked values of a column's first text: what the option replaces."""
        found = self.check(name, texts[0])
        assert not isinstance(found, TcoctlError)  # a numeric column passed its checks
        return found

    def check(self, name: str, text: str) -> list[engine.Given] | TcoctlError:
        """An option's checked values (a size gives two), or why the text is refused."""
        found = self.checked.get((name, text))
        if found is None:
            try:
                spec = self.calc.input(name)
                found = engine.expand(self.calc, spec, text, f"--{name}", self.formats)
            except TcoctlError as error:
                found = error
            if len(self.checked) < CACHED_TEXTS:
                self.checked[(name, text)] = found
        return found

    def note_once(self, message: str) -> None:
        """A warning a single run would print, noted once for the whole batch."""
        if message not in self.noted and len(self.noted) < 100:
            self.noted.add(message)
            self.notes.append(message)

    def note_warnings(self, warned: Mapping[int, list[str]]) -> None:
        """The model's warnings (a die beyond the reticle) as notes: one per kind of message
        (messages that differ only in their figures are one kind, as for the API's arrays),
        with the lines it concerns (the first few numbers, and how many)."""
        self.notes += by_message(
            warned,
            lambda lines: f"line{'s' * (len(lines) > 1)} {first_few(list(map(str, lines)))}",
            message_kind,
        )

    def echo(self, name: str, text: str, items: list[engine.Given]) -> str:
        """The JSON members echoing one option text, cached per text."""
        found = self.members.get((name, text))
        if found is None:
            found = ", ".join(output.input_member(item) for item in items)
            if len(self.members) < CACHED_TEXTS:
                self.members[(name, text)] = found
        return found

    def group(
        self,
        base: tuple[Preset | None, Mapping[str, engine.Given]],
        columns: list[Column],
        numbers: list[int],
        members: NDArray[np.intp],
        fmt: str,
    ) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        """Lines ``members`` of ``columns`` (whose line numbers are ``numbers``) that give
        the same options, choices, GPU and currencies: one engine call on their columns,
        over ``base`` (the preset and the shared inputs they start from). Returns their
        records and, per failed line, its number and error."""
        calc, indices = self.calc, members.tolist()
        preset, shared, marked = self.rederived(base, columns, indices[0])
        values, gpus, choices = engine_inputs(shared, columns, members)
        summaries, failed, warned, _ = engine.run_group(
            calc, values, gpus, choices, engine.RunOptions(solve=self.solve)
        )
        if not values and gpus is None:  # no column: the engine's one row is every line's
            failed = dict.fromkeys(range(len(indices)), failed[0]) if failed else {}
            warned = dict.fromkeys(range(len(indices)), warned[0]) if warned else {}
        self.note_warnings({numbers[indices[p]]: found for p, found in warned.items()})
        results = engine.results_of(calc, self.solve)
        kept = [p for p in range(len(indices)) if p not in failed]
        table = display_table(results, summaries, values, len(indices))[kept]
        good = [indices[p] for p in kept]
        outline = engine.outline(calc, shared, self.solve)
        for note in [*map(route.unused_note, outline.unused), *outline.idle]:
            self.note_once(note)
        if fmt == "csv":
            inputs = [json.dumps({c.name: c.texts[i] for c in columns}) for i in good]
            dates: list[str | None] = []
        else:
            inputs = [", ".join([*(c.echo[i] for c in columns), *marked]) for i in good]
            dates = [route.result_as_of(r.name, short(r.display), shared, outline) for r in results]
        form = output.BatchForm(calc.name, preset.name if preset else None, fmt, results, dates)
        lines = [numbers[i] for i in good]
        records = list(zip(lines, output.batch_records(form, lines, inputs, table), strict=True))
        return records, [(numbers[indices[p]], str(error)) for p, error in failed.items()]

    def rederived(
        self,
        base: tuple[Preset | None, Mapping[str, engine.Given]],
        columns: list[Column],
        line: int,
    ) -> tuple[Preset | None, dict[str, engine.Given], list[str]]:
        """A group's preset and inputs: ``base`` with what its columns give on line ``line``
        (which stands for the group's lines), re-derived once as a single run's
        (engine.rederive, engine.mark_kept: a --gpu's cited price, the figures --gpu or an
        efficiency resets; their warnings noted once); and the JSON members of the inputs
        that marks, which each record echoes. Under --only-my-ranges (``only_mine``) the
        preset's ranges collapse after the re-derivation, which picks each per-GPU figure
        (``per = "gpu"``) from the preset's entry again, range and all."""
        preset, shared = base[0], dict(base[1])
        for column in columns:
            for given in self.first(column.name, [column.texts[line]]):
                engine.put(shared, given)  # it drops the shared value it replaces
        flags = {**self.flags, **{c.name: c.texts[line] for c in columns}}
        engine.rederive(self.calc, shared, list(flags))  # re-picks per-GPU preset ranges
        if self.only_mine:  # so collapse them again, as the single run does after gather
            shared = engine.preset_ranges_at_midpoint(shared)
        shared = engine.without_given_defaults(self.calc, shared)
        if self.solve is not None:
            engine.without_unknown(self.calc, shared, self.solve.unknown.name, self.note_once)
        engine.mark_kept(self.calc, flags, preset, shared, self.note_once)
        marked = [  # in the run's display units (--currency), as the single run shows them
            output.input_member(replace(given, spec=self.calc.input(given.spec.name)), given.origin)
            for given in shared.values()
            if output.shows_origin(given.origin)
        ]
        return preset, shared, marked


def split(columns: Sequence[Column], good: NDArray[np.bool_]) -> list[list[int]]:
    """The ``good`` lines of a group of columns, in groups of one engine call each: lines
    that give the same choices and GPU (SPLIT_KINDS) and type the same currencies (whose
    exchange rates date the results)."""
    keys: list[Sequence[Any]] = [
        c.texts for c in columns if c.given and c.given[0].spec.kind in SPLIT_KINDS
    ]
    keys += [c.currencies for c in columns if any(c.currencies)]
    found: dict[tuple[Any, ...], list[int]] = {}
    for i in np.flatnonzero(good).tolist():
        found.setdefault(tuple(key[i] for key in keys), []).append(i)
    return list(found.values())


def engine_inputs(
    shared: Mapping[str, engine.Given], columns: Sequence[Column], members: NDArray[np.intp]
) -> tuple[dict[str, engine.Bounds], NDArray[np.str_] | None, dict[str, str]]:
    """What one engine call over lines ``members`` takes: each number as arrays (a
    column's, or the shared value repeated), the lines' GPU and the choices."""
    count, first = len(members), int(members[0])
    spans = {key: value for c in columns for key, value in c.spans.items()}
    labels = {key: value for c in columns for key, value in c.labels.items()}
    values: dict[str, engine.Bounds] = {}
    gpus = None
    choices: dict[str, str] = {}
    for given in shared.values():
        key = given.spec.key
        if given.spec.kind == "choice":
            choices[key] = labels[key][first] if key in labels else given.text
        elif given.spec.kind == "gpu":  # one GPU per group (SPLIT_KINDS)
            gpus = np.full(count, labels[key][first] if key in labels else given.text)
        elif (quantity := given.spec.core) in spans:
            values[quantity] = spans[quantity].take(members)
        elif given.span is not None:
            values[quantity] = engine.Bounds(
                np.full(count, given.span.low),
                np.full(count, given.span.high),
                engine.centres([given.span] * count),
            )
    return values, gpus, choices


def display_table(
    results: Sequence[Result],
    summaries: Mapping[str, engine.Summary],
    values: Mapping[str, engine.Bounds],
    count: int,
) -> NDArray[np.float64]:
    """Each result's value, low and high in its display unit over ``count`` lines (three
    columns per result), NaN where absent; low and high only on lines whose ``values``
    give a range."""
    ranged = np.zeros(count, dtype=bool)
    for low, high, _ in values.values():
        ranged |= low != high
    table = np.full((count, 3 * len(results)), np.nan)
    for j, result in enumerate(results):
        summary = summaries.get(result.core)
        if summary is not None:
            table[:, 3 * j] = convert(summary.value, result.unit, result.display)
            if summary.low is not None and summary.high is not None:
                table[ranged, 3 * j + 1] = convert(summary.low, result.unit, result.display)[ranged]
                table[ranged, 3 * j + 2] = convert(summary.high, result.unit, result.display)[
                    ranged
                ]
    return table


@dataclass(frozen=True)
class Column:
    """One option over a group of lines: its texts, the checked values of one of them (what
    the option sets and replaces), its numbers as arrays by core quantity (NaN on refused
    lines), its names (a GPU, a choice) as texts, and its JSON echo per line."""

    name: str
    """The option (``die-size``, whose values set die-width and die-height)."""
    texts: list[str]
    given: list[engine.Given]
    spans: dict[str, engine.Bounds]
    labels: dict[str, list[str]]
    echo: list[str]
    currencies: list[tuple[str, ...]]
    """The currencies other than USD each line's text was typed in."""


def numeric_column(spec: Input, texts: list[str]) -> tuple[Array, Array, str] | None:
    """A column of plain numbers, each with no unit or one of a few simple units, checked
    and converted at once: its values in core units, its values in the display unit and
    that unit. None where any text needs the full parser (a range, an unusual unit, a bad
    or out-of-range value): the column then goes text by text, which words every error."""
    parts = [text.partition(" ") for text in texts]
    magnitudes = [number for number, _, _ in parts]
    units = [unit for _, _, unit in parts]
    scales = {}
    for unit in dict.fromkeys(units):
        if unit and not SIMPLE_UNIT.fullmatch(unit):
            return None
        if not unit and spec.unit and not spec.bare:
            return None
        to_core, to_display = (
            factor(unit or spec.display, spec.unit),
            factor(unit or spec.display, spec.display),
        )
        if isinstance(to_core, str) or isinstance(to_display, str):
            return None
        scales[unit] = (to_core, to_display)
    try:
        magnitude = np.array(magnitudes, dtype=float)
    except ValueError:
        return None
    if len(scales) == 1:
        ((to_core, to_display),) = scales.values()
        core, shown = magnitude * to_core, magnitude * to_display
    else:
        core = magnitude * np.array([scales[u][0] for u in units])
        shown = magnitude * np.array([scales[u][1] for u in units])
    if engine.refusal(spec, core, core) is not None or not all(n.isascii() for n in magnitudes):
        return None
    return core, shown, short(spec.display)


def member_texts(name: str, shown: Array, unit: str) -> list[str]:
    """Each line's JSON member echoing a number input (output.member's, written once as a
    template)."""
    template = output.member_template(Row(name, output.SLOT, unit))
    return [template % text for text in output.numbers_text(shown)]
