"""The Python API: one function per calculator, on the same engine as the command line.

Each keyword is an option of the command with underscores (``gpu_price`` for
``--gpu-price``). A value may be a number in the option's documented unit (the unit
``--help`` shows: ``electricity=0.12`` is 0.12 USD/kWh), a string with a unit
(``"0.12 USD/kWh"``, ``"75..80 %"``), a pint Quantity, a :class:`Range`, or a numpy array or
list of any of these, which runs one scenario per element in a single call.

>>> import tcoctl
>>> tcoctl.flops(params=7e9, tokens=2e12)["total_flop"]
<Quantity(8.4e+22, 'FLOP')>

Results read like a mapping of quantities in their display units; ``low``, ``high`` and
``percentiles`` hold the spread of ranges and Monte Carlo samples; ``to_dict()`` is the
command line's JSON document (floats unrounded). Errors are
:class:`tcoctl.errors.TcoctlError` subclasses whose messages name keywords (``gpus=``)
where the command line names flags; a bad keyword's :class:`tcoctl.errors.UsageError` is also a
``ValueError``. Warnings are issued as :class:`TcoctlWarning`.
"""

from __future__ import annotations

import html
import inspect
import numbers
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tcoctl import chain, engine
from tcoctl.core import MODELS
from tcoctl.engine import Array
from tcoctl.errors import (
    DomainError,
    UsageError,
    as_keyword,
    did_you_mean,
    first_few,
    no_money_result,
    not_one_of,
    shorten,
)
from tcoctl.notation import fmt
from tcoctl.output import to_json
from tcoctl.pipeline import planner, route, runner
from tcoctl.presets import one_version, preset_files, shadowing
from tcoctl.specs import CALCULATORS, DISTRIBUTIONS, MAX_SAMPLES, Calculator, Input, label_of
from tcoctl.specs import Result as Result_
from tcoctl.units import Span, convert, currencies_in, registry, short, unit_of


class TcoctlWarning(UserWarning):
    """A warning about a run: an option no result uses, a die beyond the reticle, ..."""


class NoResult(KeyError):
    """``result[name]`` for a result not computed or not known: a KeyError (``in`` and
    ``get`` work as for a dict) whose text is its message, not the message quoted."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Range:
    """A range ``low..high`` in ``unit`` (default: the option's documented unit)."""

    low: float
    high: float
    unit: str = ""


@dataclass(frozen=True)
class Result(Mapping[str, Any]):
    """The results of one run: ``result[name]`` is a pint Quantity in the display unit (an
    array over scenarios when inputs were arrays). A result whose quantity the run was given
    as an input (``overlap``, supply's ``dies``) is that input's value, as ``--value`` prints
    it; it is found (``in``, ``get``) but not listed (``iter``, ``len``, ``to_pandas()``): it is
    among the inputs. It wraps the route's arrays; the JSON documents are made only when
    ``to_dict()`` asks for them."""

    evaluation: route.Evaluation
    scalar: bool
    index: Any = None
    """The scenarios= DataFrame's index, one label per scenario, for ``to_pandas()``."""

    def _spec(self, name: str) -> Result_:
        results = engine.results_of(self.evaluation.calc, self.evaluation.solve)
        spec = next((r for r in results if r.name == name), None)
        summary = None if spec is None else self.evaluation.summaries.get(spec.core)
        computed = summary is not None and np.isfinite(summary.value).any()
        if spec is None or not (computed or np.isfinite(self._given(spec, "value")).any()):
            ways = self.missing.get(name)
            needs = " or ".join(", ".join(group) for group in ways or []) or "other inputs"
            known = [result.name for result in results]
            reason = (
                f"not computed (needs {needs})"
                if ways is not None
                else f"no such result{did_you_mean(name, known)}"
            )
            raise NoResult(f"{name}: {reason}; results here: {', '.join(self)}")
        return spec

    def _given(self, spec: Result_, key: str) -> Array:
        """Where a scenario was given result ``spec``'s quantity as an input (supply's dies=,
        a default such as inference's overlap), that input's ``key`` (value, low or high) over
        scenarios in ``spec``'s display unit, as ``--value`` prints it: a row's inputs as
        route.Evaluation.given and .report assemble them, by template, then the columns; NaN
        where it was not given."""
        calc, table = self.evaluation.calc, self.evaluation.table
        item = calc.number_inputs.get(spec.core)
        each = np.full(len(table.bases), np.nan)  # by template: a text, a preset's, a default
        if item is None or key not in ("value", "low", "high"):
            return each[table.base_of]
        templates = zip(table.bases, self.evaluation.outlines, strict=True)
        for base, (inputs, outline) in enumerate(templates):
            given = inputs.get(item.name)
            if given is None and item.name in outline.defaults:
                given = engine.default_given(calc.name, item.name, calc.defaults[item.name])
            if given is not None and given.span is not None:
                value, _, ends = given.display()
                each[base] = ends.get(key, value)
        values = each[table.base_of]
        bounds = table.columns.get(item.core)
        if bounds is not None:  # a number keyword: this row's entry of its column
            entry = np.arange(table.rows) if table.column_of is None else table.column_of
            low, high = np.asarray(bounds.low)[entry], np.asarray(bounds.high)[entry]
            centre = np.full(len(entry), np.nan) if bounds.centre is None else bounds.centre[entry]
            mid = np.where(np.isnan(centre), 0.5 * low + 0.5 * high, centre)
            column = route.in_display(item, {"low": low, "high": high}.get(key, mid))
            if key == "value" and item.whole:
                column = np.floor(column + 0.5)  # as counted (Given.display)
            has = np.array([item.name in inputs for inputs in table.bases])[table.base_of]
            values = np.where(has, column, values)
        return np.asarray(convert(values, item.display, spec.display), dtype=float)

    def _column(self, key: str, name: str) -> Any:
        spec = self._spec(name)
        rows = self.evaluation.rows
        summary = self.evaluation.summaries.get(spec.core) or engine.Summary(np.full(rows, np.nan))
        given = np.isnan(summary.value)  # not computed: where an input gives it, that input
        if given.any():
            given &= np.isfinite(self._given(spec, "value"))
        values: Array | None = summary.value
        if key in ("low", "high"):
            values = getattr(summary, key)
        elif key != "value":
            values = (summary.percentiles or {}).get(key)
            if given.all():
                raise UsageError(
                    f"stat: {name} is an input here: its percentiles are not computed, a "
                    f"result's are; e.g. stat({name!r}, 'low')"
                )
            if values is None:
                raise UsageError(f"stat: {key} needs Monte Carlo samples: give samples=, e.g. 1000")
        shown = route.in_display(spec, np.full(rows, np.nan) if values is None else values)
        if given.any():  # as --value prints it
            shown = np.where(given, self._given(spec, key), shown)
        if key in ("low", "high"):
            shown = np.where(self.evaluation.ranged, shown, np.nan)
        if key == "value" and spec.labels:  # a coded result: its name ("memory")
            names = [label_of(spec.labels, float(v)) if np.isfinite(v) else None for v in shown]
            return names[0] if self.scalar else names
        magnitude = float(shown[0]) if self.scalar else np.array(shown)
        return registry().Quantity(magnitude, unit_of(short(spec.display)))

    def __getitem__(self, name: str) -> Any:
        return self._column("value", name)

    def __iter__(self) -> Iterator[str]:
        summaries = self.evaluation.summaries
        for spec in engine.results_of(self.evaluation.calc, self.evaluation.solve):
            summary = summaries.get(spec.core)
            if summary is not None and np.isfinite(route.in_display(spec, summary.value)).any():
                yield spec.name

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def stat(self, name: str, key: str) -> Any:
        """``low``, ``high`` (with ranges), ``p05``, ``p50`` or ``p95`` (with ``samples``) of
        a result; NaN in a scenario that has none."""
        if key not in ("low", "high", "p05", "p50", "p95"):
            raise UsageError(f"stat: expected low, high, p05, p50 or p95, e.g. 'p95'; got {key!r}")
        return self._column(key, name)

    @property
    def missing(self) -> dict[str, list[list[str]]]:
        """Results not computed, with the keywords that would give them (first scenario):
        ``{'own_to_rent': [['rent_price']]}``."""
        ways = self.evaluation.outlines[0].missing
        return {
            name: [[as_keyword(option) for option in group] for group in groups]
            for name, groups in ways.items()
        }

    def __repr__(self) -> str:
        """One line: the calculator, how many scenarios, the headline results."""
        calc, rows = self.evaluation.calc, self.evaluation.rows
        names = [n for n in (*calc.headline, *self) if n in set(self)][:3]
        if self.scalar:
            shown = ", ".join(f"{n}={self._shown(n)}" for n in dict.fromkeys(names))
        else:
            shown = f"results {', '.join(dict.fromkeys(names))}, ... (to_pandas() for all)"
        scenarios = f"{rows:,} scenario{'s' if rows != 1 else ''}"
        return f"<tcoctl.Result {calc.name}: {scenarios}; {shown}>"

    def _shown(self, name: str, key: str = "value") -> str:
        """One scenario's value (or low, high) of a result for people, e.g. '1.804 USD/h'."""
        value = self._column(key, name)
        if not hasattr(value, "magnitude"):
            return str(value or "")  # a coded result's name
        magnitude = float(value.magnitude)
        return fmt(magnitude, short(self._spec(name).display)) if np.isfinite(magnitude) else ""

    def _repr_html_(self) -> str:
        """A table for notebooks: one row per result (value, unit, low, high) for one
        scenario; the first rows of ``to_pandas()`` for many."""
        if not self.scalar:
            frame_html: str = self.to_pandas().head(20).to_html()
            return frame_html
        cells = []
        for name in self:
            ends = " .. ".join(filter(None, (self._shown(name, k) for k in ("low", "high"))))
            cells.append(
                f"<tr><td>{html.escape(name)}</td><td>{html.escape(self._shown(name))}</td>"
                f"<td>{html.escape(ends)}</td></tr>"
            )
        return (
            f"<table><caption>tcoctl {html.escape(self.evaluation.calc.name)}</caption>"
            "<tr><th>result</th><th>value</th><th>low .. high</th></tr>"
            + "".join(cells)
            + "</table>"
        )

    def to_pandas(self) -> Any:
        """A pandas DataFrame: one row per scenario (indexed as the ``scenarios=`` frame
        was), a column per result in its display unit (``frame.attrs["units"]``), a coded
        result by name; NaN where not computed."""
        try:
            import pandas as pd  # an optional extra (tcoctl[pandas]), loaded only here
        except ImportError:
            raise UsageError("to_pandas: needs pandas; pip install 'tcoctl[pandas]'") from None
        columns: dict[str, Any] = {}
        units: dict[str, str] = {}
        for name in self:
            values = self[name]
            units[name] = "" if self._spec(name).labels else short(self._spec(name).display)
            if isinstance(values, str):  # one scenario's coded result, by name
                columns[name] = [values]
            else:
                columns[name] = (
                    values if isinstance(values, list) else np.atleast_1d(values.magnitude)
                )
        frame = pd.DataFrame(columns, index=self.index)
        frame.attrs["units"] = units
        return frame

    def to_dict(self) -> Any:
        """The command line's JSON document (a list of them for several scenarios)."""
        documents = [to_json(self.evaluation.report(row)) for row in range(self.evaluation.rows)]
        return documents[0] if self.scalar else documents


PACKAGE_FOLDER = str(Path(__file__).parent) + os.sep
"""The package's folder with its separator: a sibling folder (tcoctl_helpers) is not in it."""


def in_package(filename: str) -> bool:
    """Whether a frame's file is tcoctl's own (not a sibling such as tcoctl_helpers/)."""
    return filename.startswith(PACKAGE_FOLDER)


def _callers_level() -> int:
    """The ``stacklevel`` of the first frame outside the tcoctl package, counted from the
    function that calls ``warnings.warn``, so a warning names the user's line whatever the
    depth it was raised at."""
    level, frame = 1, sys._getframe(1)
    while frame.f_back is not None and in_package(frame.f_code.co_filename):
        level, frame = level + 1, frame.f_back
    return level


def run(command: str, preset: str | None = None, **options: Any) -> Result:
    """Run calculator ``command`` with options given as keywords (see the module docstring).

    Shared keywords: ``samples``, ``dist``, ``seed`` (Monte Carlo), ``solve`` and ``goal``
    (goal-seek: ``solve="electricity", goal="power_share=0.15"``), and ``upstream``: another
    run's :class:`Result` (or its JSON documents), whose results feed the inputs of the same
    name with their ranges, one scenario per upstream document; keywords override them
    (the shell's ``tcoctl A --format json | tcoctl B --input -``).

    Numbers and arrays of numbers become columns of the engine's table directly, in one
    engine call however long the arrays; texts (with units, ranges) are parsed as the command
    line parses them.
    """
    with one_version():  # one version of each preset for the whole call, read once
        try:
            return _run(command, preset, options)
        except (UsageError, DomainError) as error:  # the engine words options as flags
            if command not in CALCULATORS:
                raise
            calc = CALCULATORS[command]
            raise type(error)(keyword_example(calc, as_keywords(calc, str(error)))) from None


_SUBJECT = re.compile(r"^(?P<key>[a-z][a-z0-9_]*)(?:=|\[\d+\]):")
_EXAMPLE = re.compile(r"e\.g\. (?P<value>'[^']*')$")


def keyword_example(calc: Calculator, text: str) -> str:
    """A message about one keyword's value with its closing example as that keyword takes
    it: "heads=: cannot read 'abc' as a number: ...; e.g. heads='128'" (the command line's
    words end "e.g. '128'"), as a refused number's message does ("heads=: -1 is out of
    range: ...; e.g. heads='128'"); the shared keywords too ("goal=: ...; e.g.
    goal='power_share=0.15'")."""
    subject, example = _SUBJECT.match(text), _EXAMPLE.search(text)
    keys = {*calc.inputs_by_name, *SHARED_KEYWORDS}
    if subject is None or example is None or subject["key"] not in keys:
        return text
    return f"{text[: example.start()]}e.g. {subject['key']}={example['value']}"


def _run(command: str, preset: str | None, options: dict[str, Any]) -> Result:
    calc = CALCULATORS.get(command)
    if calc is None:
        raise UsageError(
            f"no calculator {shorten(command)!r}{did_you_mean(command, [*CALCULATORS])}; one of "
            f"{', '.join(CALCULATORS)}, e.g. tcoctl.run('tco')"
        )
    shared = _shared(preset, options)
    code = options.pop("currency", None)
    if code is not None and not calc.has_money:
        raise UsageError(no_money_result(calc.name, "currency=", "tcoctl.tco(currency='EUR')"))
    calc = runner.in_currency(calc, code, "currency=", "currency='EUR'", inputs=False)
    upstream = options.pop("upstream", None)
    scenarios = options.pop("scenarios", None)
    frame = _scenario_columns(scenarios)
    _check_columns(calc, frame)
    _check_not_both(calc, frame, options)
    options = {**frame, **options}
    texts, text_of, columns, count, is_array = _keywords(calc, options)

    said: list[str] = []  # issued once the run has an answer, as the command line writes
    # them: a failed call is its error alone

    def warn(message: str) -> None:  # once each: templates may share a message
        if message not in said:
            said.append(message)

    for message in shadowing():
        warn(message)
    column_names = {calc.number_inputs[quantity].name: quantity for quantity in columns}
    named = {**dict.fromkeys(column_names, ""), **(texts[0] if texts else {})}
    solve = planner.parse_solve(calc, shared["solve"], shared["for"], named)
    chosen = runner.choose_preset(calc, shared["preset"], named, piped=upstream is not None)
    labels = engine.variants(calc, chosen, named, warn)
    flows = _flows(calc, upstream, warn, named, shared["preset"] is None and calc.piped_preset)
    # each set of texts' first row (one set: the first)
    firsts = [0] if len(texts) == 1 else np.unique(text_of, return_index=True)[1].tolist()
    bases: list[dict[str, engine.Given]] = []
    names: list[str] = []
    for flowed in flows:
        for entry, text in zip(firsts, texts, strict=True):  # a template per set of texts
            flags = {**chain.without_overridden(calc, flowed, named), **text}
            checked = {
                name: [engine.Given(calc.input(name), "", f"--{name}", _span(columns[q], entry))]
                for name, q in column_names.items()
            }
            for variant, label in enumerate(labels):
                given = engine.gather(calc, flags, chosen, variant, checked)
                if solve is not None:
                    engine.without_unknown(calc, given, solve.unknown.name, warn)
                shown = {
                    **flags,
                    **{n: repr(float(columns[q][0][entry])) for n, q in column_names.items()},
                }
                engine.mark_kept(calc, shown, chosen, given, warn)  # each GPU's own warning
                bases.append(given)
                names.append(label)
    flow, entry, variant = (axis.ravel() for axis in np.indices((len(flows), count, len(labels))))
    templates = (flow * len(texts) + text_of[entry]) * len(labels)
    table = engine.Table(bases, templates + variant, columns, entry)
    arrays = {key: _items(value) for key, value in options.items() if np.ndim(value) == 1}

    def element(entry: int) -> str:  # the failing scenario's values: 'gpus[1] = -1: '
        named = [f"{key}[{entry}] = {_echo(items[entry])}" for key, items in arrays.items()]
        return ", ".join(named) + ": " if named else ""

    def concerned(entries: list[int]) -> str:  # '583 of 2,000 scenarios (0, 1, 3 and 580 more)'
        if len(entries) == 1:
            return f"scenario {entries[0]} of {count:,}"
        return f"{len(entries):,} of {count:,} scenarios ({first_few(list(map(str, entries)))})"

    found = route.evaluate(
        calc,
        table,
        names,
        shared,
        solve,
        [chosen] * len(bases),
        warn,
        element,
        scenarios=concerned if is_array else None,
    )
    found = replace(found, currencies=_currencies(calc, options))
    index = getattr(scenarios, "index", None)  # a DataFrame's, where a row is a scenario
    kept = index if index is not None and len(index) == found.rows else None
    for message in said:
        warnings.warn(as_keywords(calc, message), TcoctlWarning, stacklevel=_callers_level())
    return Result(found, scalar=found.rows == 1 and not is_array, index=kept)


# an option in a message (--gpu-price), a colon if it is the message's subject, and the
# token after it, which may be its value: 'text', or up to a space or , ; : ( ) and not
# ending in a full stop (never another option: '--count --gpu-hours' is two)
_OPTION = re.compile(r"--([a-z][a-z0-9-]*)(:)?(?: (?!--)('[^']*'|[^\s',;:()]*[^\s',;:().]))?")
_NUMBER = r"-?[0-9]+(\.[0-9]*)?(e[+-]?[0-9]+)?"
FLAG_KEYWORDS = {"for": "goal", "input": "upstream"}
"""Shared options whose keyword is not their flag's name (--for is goal=)."""


def as_keywords(calc: Calculator, text: str) -> str:
    """A message's options (--cores-needed) as the keywords that set them (cores_needed),
    with their values (--solve batch --for 'x=1' as solve='batch', goal='x=1'; --gpu b200
    as gpu='b200'; --preset: as preset=:), and the hyphenated names of options written
    bare (no value of layer-overhead) as keywords. Exact: only options of ``calc`` and the
    shared ones are worded, and a word after one only as its value when it is a value of
    that option (a choice, a preset's name, a number), so '--precision or a --peak' reads
    'precision or a peak'. Options only the command line has (--tornado) stay flags."""
    known = {spec.name for spec in calc.inputs} | {*SHARED_KEYWORDS, *FLAG_KEYWORDS, "preset"}
    pieces: list[str] = []
    done = 0  # where the text not yet worded starts
    for option in _OPTION.finditer(text):
        flag, token = option[1], option[3]
        if flag not in known:
            continue
        # a colon after an option makes it the message's subject only where the message (or
        # a part after its prefix) starts with it: "... is more than --experts: a token ..."
        # is punctuation, worded 'experts: a token', not 'experts=: a token'
        leads = option.start() == 0 or text[: option.start()].endswith(": ")
        subject = option[2] if leads else None
        key = FLAG_KEYWORDS.get(flag, flag)
        value = None if token is None or subject else _option_value(calc, flag, token)
        if subject:
            word = as_keyword(key, "") + ":"
        elif value is None:
            word = as_keyword(key)
        else:
            word = as_keyword(key, *value)
        between = text[done : option.start()]
        if between == " " and pieces and "=" in pieces[-1]:  # a run: solve='x', goal='y=1'
            between = ", "
        pieces += [_bare_names(calc, between), word]
        done = option.end(2 if subject else 3 if value is not None else 1)
    return "".join([*pieces, _bare_names(calc, text[done:])])


def _option_value(calc: Calculator, flag: str, token: str) -> tuple[str, bool] | None:
    """The value ``token`` gives option ``flag`` in a message, as (its text, whether to quote
    it), or None where it is not one of its values but the next word of the sentence."""
    number = re.fullmatch(_NUMBER, token) is not None
    if token.startswith("'"):  # quoted as the command line takes it: --for 'x=1'
        return token, False
    spec = calc.inputs_by_name.get(flag)
    if flag == "solve" and token in calc.inputs_by_name:  # the input solved for
        return calc.inputs_by_name[token].key, True
    if flag == "for" and "=" in token:
        return token, True
    if flag in ("samples", "seed") and number:
        return token, False
    if flag == "dist" and token in DISTRIBUTIONS:
        return token, True
    if flag == "currency" and re.fullmatch("[A-Z]{3}", token):
        return token, True
    if flag == "preset" or (spec is not None and spec.kind == "gpu"):
        return (token, True) if token in preset_files() else None
    if spec is None or spec.kind == "file":
        return None
    if spec.kind == "choice":
        return (token, True) if token in spec.choices else None
    if number and spec.kind == "number":
        return token, False
    return (token, True) if token[0].isdigit() else None  # a range, a size: '100..200'


def _bare_names(calc: Calculator, text: str) -> str:
    """Text with each hyphenated option name written bare (no value of layer-overhead), or
    quoted alone (did you mean 'gpu-price'?), as its keyword; only whole names, not inside
    longer names or longer quoted text."""
    names = sorted((spec.name for spec in calc.inputs if "-" in spec.name), key=len, reverse=True)
    if not names:
        return text
    either = "|".join(map(re.escape, names))
    bare = re.sub(rf"(?<![\w'.-])({either})(?![\w'.-])", lambda n: as_keyword(n[1]), text)
    return re.sub(rf"(?<![\w'.-])'({either})'(?![\w'.-])", lambda n: f"'{as_keyword(n[1])}'", bare)


def _currencies(calc: Calculator, options: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """The currencies other than USD each number keyword given as text was typed in
    (already checked: parsing again costs a cached lookup per unit)."""
    found = {}
    for key, value in options.items():
        spec = calc.input(key)
        if spec.kind != "number" or getattr(value, "dtype", np.dtype(object)).kind in "iufb":
            continue  # not a number option, or plain numbers
        texts = [item for item in _items(value) if isinstance(item, str)]
        if not texts:
            continue
        spans = [engine.checked_span(spec, text, f"{spec.key}=") for text in set(texts)]
        units = {unit for span in spans if span.typed for _, unit in span.typed}
        found[spec.name] = tuple(sorted({c for unit in units for c in currencies_in(unit)}))
    return found


def _scenario_columns(scenarios: Any) -> dict[str, Any]:
    """A DataFrame's (or a mapping's) columns as keywords: one scenario per row."""
    if scenarios is None:
        return {}
    columns = getattr(scenarios, "columns", None)
    if columns is None and not isinstance(scenarios, Mapping):
        raise UsageError("scenarios=: expected a pandas DataFrame or a mapping of columns")
    names = list(columns) if columns is not None else list(scenarios)
    if not all(isinstance(name, str) for name in names):
        raise UsageError("scenarios=: column names must be option names, e.g. 'gpus'")
    return {name: np.asarray(scenarios[name]) for name in names}


def _check_columns(calc: Calculator, frame: Mapping[str, Any]) -> None:
    """Refuse a scenarios= column that names no option of ``calc``, as a column (an unknown
    keyword's message would name it as a keyword)."""
    keys = [spec.key for spec in calc.inputs]
    for name in frame:
        if name == "preset":
            raise UsageError(
                "scenarios=: a column 'preset' is not taken (one preset per call): call once "
                f"per preset, e.g. tcoctl.{calc.api_name}(preset='...', scenarios=rows)"
            )
        try:
            calc.input(name)
        except KeyError:
            raise UsageError(
                f"scenarios=: column {shorten(name)!r} is no option of {calc.name}"
                f"{did_you_mean(name, keys)}; columns are options, e.g. {keys[0]!r}"
            ) from None


def _check_not_both(calc: Calculator, frame: Mapping[str, Any], options: Mapping[str, Any]) -> None:
    """Refuse a keyword that is also a scenarios= column: one of the two would be dropped."""
    columns = {name.replace("-", "_"): name for name in frame}
    both = next((key for key in options if key.replace("-", "_") in columns), None)
    if both is None:
        return
    column = columns[both.replace("-", "_")]
    function = f"tcoctl.{calc.api_name}"
    value = _echo(options[both]) if np.ndim(options[both]) == 0 else "..."
    raise UsageError(
        f"{both}={value} is given, and scenarios= has a column {column!r}: give one of them, "
        f"e.g. {function}(scenarios=frame) for each row's own {column}, or "
        f"{function}(scenarios=frame.drop(columns={column!r}), {both}={value}) for one "
        f"{both} in every row"
    )


def _span(bounds: engine.Bounds, entry: int) -> Span:
    low, high, centre = bounds
    mid = None if centre is None or np.isnan(centre[entry]) else float(centre[entry])
    return Span(float(low[entry]), float(high[entry]), centre=mid)


def _whole(value: Any) -> bool:
    """Whether ``value`` is a whole number: a Python or numpy integer, not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _shared(preset: Any, options: dict[str, Any]) -> dict[str, Any]:
    """The keywords every calculator shares, checked as the command line checks them (None
    is not given, as in the signatures)."""
    samples = options.pop("samples", None)
    samples = 0 if samples is None else samples
    dist = options.pop("dist", None) or "uniform"
    seed, solve, goal = (
        options.pop("seed", None),
        options.pop("solve", None),
        options.pop("goal", None),
    )
    if preset is not None and not isinstance(preset, str):
        raise UsageError(
            f"preset=: expected a preset name; got {shorten(repr(preset))}, "
            "e.g. preset='frontier-2024'"
        )
    if not _whole(samples) or not 0 <= samples <= MAX_SAMPLES:
        raise UsageError(
            f"samples=: expected a whole number from 0 to {MAX_SAMPLES:,}; got "
            f"{shorten(repr(samples))}, e.g. samples=10000"
        )
    samples = int(samples)
    if dist not in DISTRIBUTIONS:
        raise UsageError("dist=: " + not_one_of(str(dist), DISTRIBUTIONS, "dist='triangular'"))
    if seed is not None and (not _whole(seed) or not 0 <= seed < 2**32):
        raise UsageError(
            f"seed=: expected a whole number from 0 to 2**32 - 1; got {shorten(repr(seed))}, "
            "e.g. seed=1"
        )
    seed = None if seed is None else int(seed)
    for name, value, example in (
        ("solve", solve, "electricity"),
        ("goal", goal, "power_share=0.15"),
    ):
        if value is not None and not isinstance(value, str):
            raise UsageError(
                f"{name}=: expected text; got {shorten(repr(value))}, e.g. {name}={example!r}"
            )
    return {
        "preset": preset,
        "samples": samples,
        "dist": dist,
        "seed": seed,
        "solve": solve,
        "for": goal,
    }


def _flows(
    calc: Calculator, upstream: Any, warn: Any, named: Mapping[str, str], start: bool
) -> list[dict[str, str]]:
    """The options each upstream document gives (one dict per document; ``[{}]`` without
    one), with one warning per kind of document saying what fed what (and, where ``start``,
    that the rest comes from the default preset); a document whose figures disagree where
    one stands for another (not overridden by ``named``) is refused."""
    if upstream is None:
        return [{}]
    found = upstream.to_dict() if isinstance(upstream, Result) else upstream
    if not isinstance(found, Mapping | list | tuple):
        raise UsageError(
            "upstream: expected a tcoctl.api.Result or tcoctl JSON documents, "
            "e.g. upstream=tcoctl.tco()"
        )
    found = [found] if isinstance(found, Mapping) else list(found)
    if not found or not all(chain.is_document(d) for d in found):
        raise UsageError(
            "upstream: expected a tcoctl.api.Result or tcoctl JSON documents, "
            "e.g. upstream=tcoctl.tco()"
        )
    flows, notes = [], []
    for document in found:
        flowed, used, ignored = chain.received(calc, document)
        kept = chain.without_overridden(calc, flowed, named)
        problem = chain.not_a_scenario(document) or engine.disagreement(
            calc, document, used, list(kept)
        )
        if problem is not None:
            raise UsageError(problem.replace("--input: ", "upstream: "))
        note = chain.flow_note(calc, document["command"], used, ignored, start).replace(
            "--input: ", "upstream: "
        )
        if note not in notes:
            notes.append(note)
            warn(note)
        flows.append(flowed)
    return flows


def _keywords(
    calc: Calculator, options: Mapping[str, Any]
) -> tuple[list[dict[str, str]], NDArray[np.intp], dict[str, engine.Bounds], int, bool]:
    """The options as the engine takes them: texts (choices, hardware, sizes: one dict per
    distinct set of them, so that scenarios giving the same texts share one template and
    their numbers stay columns of one engine call) and which set each scenario gives,
    number columns (Bounds in core units, by core quantity), the number of scenarios, and
    whether any keyword was an array."""
    lists: dict[str, list[Any]] = {}
    count, is_array = 1, False
    for key, value in options.items():
        if value is None:
            continue  # not given: the preset's value or the default applies
        try:
            spec = calc.input(key)
        except KeyError:
            keys = [s.key for s in calc.inputs]
            hint = did_you_mean(key, [*keys, "preset", *SHARED_KEYWORDS])  # solv=: solve
            raise UsageError(
                f"{calc.name}: no keyword {shorten(key)}={hint}; one of {', '.join(keys)}"
            ) from None
        where = f"{spec.key}="
        if np.ndim(value) > 1:
            raise UsageError(f"{where}: expected one value or a list of them, got a 2-D array")
        items = _items(value)
        is_array |= np.ndim(value) == 1
        if len(items) == 0:
            raise UsageError(f"{where}: an empty list; give at least one value")
        if len(items) != 1 and count not in (1, len(items)):
            raise UsageError(f"{where}: {len(items)} values, but other keywords have {count}")
        count = max(count, len(items))
        lists[spec.name] = items
    columns: dict[str, engine.Bounds] = {}
    texts: dict[str, NDArray[np.str_]] = {}
    for name, items in lists.items():
        spec = calc.input(name)
        if spec.kind == "number":
            low, high, centre = _number_column(spec, items)
            columns[spec.core] = engine.Bounds(
                np.broadcast_to(low, count),
                np.broadcast_to(high, count),
                None if centre is None else np.broadcast_to(centre, count),
            )
        else:
            texts[name] = np.broadcast_to(_texts(spec, items), count)
    if not any((values != values[0]).any() for values in texts.values()):
        first = {name: str(values[0]) for name, values in texts.items()}
        return [first], np.zeros(count, dtype=np.intp), columns, count, is_array
    rows = list(zip(*(values.tolist() for values in texts.values()), strict=True))
    sets, text_of = engine.factorize(rows)
    distinct = [dict(zip(texts, row, strict=True)) for row in sets]
    return distinct, text_of, columns, count, is_array


def _items(value: Any) -> Any:
    """A keyword's values: a numpy array (or pandas column) as an array, a list as a list,
    anything else as one value."""
    if np.ndim(value) != 1:
        return [value]
    return np.asarray(value) if hasattr(value, "dtype") else list(value)


def _number_column(spec: Input, items: Any) -> engine.Bounds:
    """A number option's values in core units, checked (every value at once when they are
    plain numbers in the option's documented unit); errors name the keyword."""
    where = f"{spec.key}="
    kind = getattr(items, "dtype", np.dtype(object)).kind
    if kind in "cb":
        raise UsageError(
            f"{where}: expected real numbers, got {'complex' if kind == 'c' else 'bool'} values; "
            f"e.g. {spec.key}={spec.example.split()[0]}"
        )
    if kind in "iuf" or all(_is_real(item) for item in items):
        try:
            magnitude = np.array(items, dtype=float)
        except OverflowError:
            raise UsageError(
                f"{where}: a number too large for a float (at most ~1.8e308); "
                f"e.g. {spec.key}={spec.example.split()[0]}"
            ) from None
        low = high = route.in_core(spec, magnitude)
        centre = None
    else:
        names = [f"{spec.key}[{i}]" if len(items) > 1 else where for i in range(len(items))]
        spans = [_value_span(spec, item, name) for item, name in zip(items, names, strict=True)]
        low, high = np.array([s.low for s in spans]), np.array([s.high for s in spans])
        centre = engine.centres(spans)
    refused = engine.refusal(spec, low, high)
    if refused is not None:
        at, reason = refused
        shown = f"{float(route.in_display(spec, low[at])):.15g}"
        said = (  # an array names the element: 'gpus[1] = -1: out of range: ...'
            f"{spec.key}[{at}] = {shown}: {reason.removeprefix('is ')}"
            if len(low) > 1
            else f"{where}: {shown} {reason}"
        )
        raise UsageError(f"{said}; e.g. {spec.key}='{spec.example}'")
    return engine.Bounds(low, high, centre)


def _echo(item: Any) -> str:
    """One element of a keyword's array for a message: '-1', "'75..80 %'"."""
    return shorten(repr(item) if isinstance(item, str) else str(item))


def _is_real(item: Any) -> bool:
    """A plain real number (Python or numpy; not a bool, a complex, a string)."""
    return isinstance(item, int | float | np.integer | np.floating) and not isinstance(
        item, bool | np.bool_
    )


def _value_span(spec: Input, item: Any, where: str) -> Span:
    """One value of a list that is not all plain numbers: a text, a Range, a Quantity, or a
    plain number in the option's display unit, a range of one value (``where`` names it in
    errors: 'gpus=', or 'gpus[1]' in an array)."""
    if _is_real(item):
        value = float(route.in_core(spec, item))
        return Span(value, value)
    if isinstance(item, Range):  # read and checked as its text: units, order, bounds
        unit = item.unit or spec.display
        ends = [
            f"{end!r} {unit}".strip() if _is_real(end) else str(end)
            for end in (item.low, item.high)
        ]
        return engine.checked_span(spec, "..".join(ends), where)
    if isinstance(item, str):
        return engine.checked_span(spec, item, where)
    if hasattr(item, "magnitude") and hasattr(item, "units"):
        return engine.checked_span(spec, f"{float(item.magnitude)!r} {item.units}", where)
    raise UsageError(
        f"{where}: expected a number, a string with a unit, a Range or a Quantity, got "
        f"{type(item).__name__} {shorten(repr(item))}"
    )


def _texts(spec: Input, items: Any) -> NDArray[np.str_]:
    """A choice, hardware preset, size or step file per scenario: text as the command line
    takes it (an array of texts is taken whole; anything else item by item)."""
    if getattr(items, "dtype", np.dtype(object)).kind != "U" and not all(
        isinstance(item, str) for item in items
    ):
        raise UsageError(f"{spec.key}=: expected text, e.g. {spec.key}='{spec.example}'")
    return np.asarray(items, dtype=str)


GUIDES: dict[str, tuple[str, str]] = {
    "flops": (
        """Training compute, GPU time, throughput, energy and cost, in any direction.""",
        """Llama 3.1 405B (Meta, "The Llama 3 Herd of Models", arXiv:2407.21783): 405e9 parameters
on 15.6e12 tokens is 3.8e25 FLOP.

>>> import tcoctl
>>> f"{tcoctl.flops(params=405e9, tokens=15.6e12)['total_flop']:.3g~}"
'3.79e+25 FLOP'
>>> r = tcoctl.flops(gpu="h100-sxm", budget="1e30 FLOP", mfu=0.4)
>>> f"{r['gpu_hours'].to('h'):.4g~}"
'7.019e+11 h'""",
    ),
    "h100e": (
        """H100-equivalents of a fleet, a capacity figure or a stated speed-up, and per-chip
ratios.""",
        """>>> import tcoctl
>>> round(float(tcoctl.h100e(gpu="b200")["ratio_bf16"].magnitude), 3)
2.274""",
    ),
    "inference": (
        """Serving a transformer on a roofline: memory, decode step time and its binding bound,
tokens/s, cost per million output tokens, J/token and emissions; starts from ``preset``
(default ``llama-3.1-70b`` on 4 H100 SXM, batch 32) and each option overrides one figure.

A decode step takes max(memory_time, compute_time): (active weights + batch x KV bytes
at the mean context) / (bandwidth x efficiency x GPUs), and 2 x active params x batch /
(peak x efficiency x GPUs) (kipply, "Transformer Inference Arithmetic",
https://kipp.ly/transformer-inference-arithmetic/; Austin et al., "How to Scale Your
Model", https://jax-ml.github.io/scaling-book/inference/; Databricks, "LLM Inference
Performance Engineering: Best Practices", 2023). Served tokens/s counts the prefill of
the batch's prompts. Efficiencies default to a range fitted on published measurements
(preset serving-fit, docs/validation.md); time_per_output_token_bound is the roofline.""",
        """Llama 3.1 70B in BF16 on four H100 SXM at batch 32: memory-bound; the roofline's step is
12.18 ms, the estimate (efficiencies fitted on measurements) nearly three times that.

>>> import tcoctl
>>> r = tcoctl.inference()
>>> r["bound"], f"{r['time_per_output_token_bound']:.4g~}"
('memory', '12.18 ms')
>>> f"{r['time_per_output_token']:.4g~}", f"{r.stat('time_per_output_token', 'high'):.4g~}"
('34.29 ms', '58.65 ms')

On the same four GPUs the H20 reads 1.194 times as fast as the H100 (4.0 / 3.35 TB/s) but
computes at 148 / 989 of its FLOP/s: at batch 32 its compute time is nearly its read time,
and half of the shorter one is not hidden behind the longer, so its step is the longer:

>>> h20 = tcoctl.inference(gpu="h20", gpus_per_replica=4)
>>> h100 = tcoctl.inference(gpu="h100-sxm", gpus_per_replica=4)
>>> ratio = h100["time_per_output_token"] / h20["time_per_output_token"]
>>> round(float(ratio.magnitude), 3)
0.887""",
    ),
    "tco": (
        """Total cost of ownership of a GPU cluster; starts from ``preset`` (default
``frontier-2024``) and each option overrides one figure.""",
        """>>> import tcoctl
>>> round(float(tcoctl.tco(preset="frontier-2024")["gpu_share"].magnitude), 3)
0.758
>>> r = tcoctl.tco(solve="electricity", goal="power_share=0.15")
>>> f"{r['electricity']:.4g~}"
'0.2375 USD / kWh'""",
    ),
    "yield": (
        """Die yield: line yield, dies per wafer, defect-limited yield, good dies, cost per good
die, and the inverses (``yield`` is a Python keyword, hence the underscore).""",
        """Hennessy & Patterson (5th ed., section 1.6): a 1.5 cm x 1.5 cm die on a 300 mm wafer
fits 270 dies (formula) and yields 0.40 under Bose-Einstein with D0 = 0.031/cm^2, N =
13.5.

>>> import tcoctl
>>> r = tcoctl.yield_(die_size="15x15", scribe=0, edge_exclusion=0,
...                   defect_density=0.031, model="bose-einstein", layers=13.5)
>>> round(float(r["dies_per_wafer_formula"].magnitude))
270
>>> round(float(r["die_yield"].magnitude), 2)
0.4""",
    ),
    "supply": (
        """Packaged chips, H100e and peak FLOP/s per year from wafer starts, good dies per
wafer, CoWoS-class packaging and HBM supply; the least constraint binds.""",
        """TrendForce (Oct 2024): 35,000-40,000 CoWoS wafers a month; at ~29 H100 packages a wafer
(press) that is 12.2-13.9M H100s a year if nothing else binds.

>>> import tcoctl
>>> r = tcoctl.supply(interposers_per_month=tcoctl.Range(35000, 40000),
...                   packages_per_interposer=29, gpu="h100-sxm")
>>> f"{r.stat('chips_per_year', 'low'):.4g~}", f"{r.stat('chips_per_year', 'high'):.4g~}"
('1.218e+07', '1.392e+07')

Chained: the yield calculator's good dies per wafer feed supply (one scenario per die
of the smic-7nm preset); a chained supply starts from its default preset, as a plain run
does, so HBM still binds.

>>> dies = tcoctl.yield_(preset="smic-7nm")
>>> r = tcoctl.supply(upstream=dies, wafers_per_month=45000, gpu="ascend-910b")
>>> [f"{x:.4g}" for x in r.stat("chips_per_year", "high").magnitude]
['3.25e+06', '3.25e+06']
>>> r["binding"]
['hbm', 'hbm']""",
    ),
}
"""Per calculator: what the API function does, with its sources, and its examples
(doctest runs them); the parameters and results come from the spec."""


SHARED_PARAMETERS = """\
samples : int, optional
    Monte Carlo samples over the ranges (0 to 2,000,000); gives p05, p50, p95 (``stat``).
dist : {"uniform", "triangular"}, optional
    How samples are drawn within each range, default "uniform".
seed : int, optional
    Random seed for ``samples``.
solve : str, optional
    An input to goal-seek, e.g. "electricity"; with ``goal``.
goal : str, optional
    The result to reach, ``"RESULT=VALUE"``, e.g. "power_share=0.15" (``"RESULT<=VALUE"``
    or ``">="``: a limit, which a whole count is rounded to meet).
currency : str, optional
    Money results in this currency ("EUR", "GBP", "CNY", "INR", "JPY"; default "USD"), at
    the dated rates of preset exchange-rates (``to_dict()["exchange_rates"]``).
upstream : Result or JSON documents, optional
    Another run whose results feed the inputs of the same name (one scenario per document).
scenarios : pandas.DataFrame or mapping of columns, optional
    One scenario per row, a column per option (as keywords); keywords given too apply to
    every row, and may not name a column."""


def parameter_doc(calc: Calculator, spec: Input) -> str:
    """One option's numpydoc entry: its kind and unit, what it is, its default."""
    if spec.kind == "choice":
        kind = "{" + ", ".join(f'"{c}"' for c in spec.choices) + "}"
    elif spec.kind in ("gpu", "size", "file"):
        kind = "str"
    else:
        kind = f"float, array, str or Range [{short(spec.display) or '-'}]"
    default = calc.defaults.get(spec.name)
    more = f" Default {default}." if default is not None else ""
    return f"{spec.key} : {kind}, optional\n    {spec.help}{more} E.g. {spec.example!r}."


def docstring(calc: Calculator) -> str:
    """The API function's numpydoc docstring: the guide, every option (from the spec), the
    shared keywords, every result with its unit, the sources of its relations (the core
    module's References) and the examples."""
    intro, examples = GUIDES.get(calc.name, (calc.help, ""))
    preset = f"preset : str, optional\n    Scenario preset, default {calc.default_preset!r}" + (
        " (each option overrides one figure)." if calc.preset_is_base else " (alone)."
    )
    parameters = "\n".join(
        [preset, *(parameter_doc(calc, spec) for spec in calc.inputs), SHARED_PARAMETERS]
    )
    results = "\n".join(f"    {r.name} [{short(r.display) or '-'}]: {r.help}" for r in calc.results)
    text = (
        f"{intro}\n\nParameters\n----------\n{parameters}\n\nReturns\n-------\nResult\n"
        f"    Every result the inputs determine:\n{results}\n"
        f"\nReferences\n----------\n{MODELS[calc.name].references}\n"
    )
    return text + (f"\nExamples\n--------\n{examples}\n" if examples else "")


SHARED_KEYWORDS = (
    "samples", "dist", "seed", "solve", "goal", "currency", "upstream", "scenarios",
)  # fmt: skip


def signature(calc: Calculator) -> inspect.Signature:
    """A keyword-only signature with every option of ``calc`` and the shared keywords
    (``None``: not given, so the preset or default applies)."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    return inspect.Signature(
        [
            inspect.Parameter("preset", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None),
            *(inspect.Parameter(spec.key, keyword, default=None) for spec in calc.inputs),
            *(inspect.Parameter(name, keyword, default=None) for name in SHARED_KEYWORDS),
        ],
        return_annotation=Result,
    )


def calculator_function(calc: Calculator) -> Callable[..., Result]:
    """The API function of one calculator, e.g. ``tcoctl.tco``, with its spec's signature
    and docstring."""

    def function(preset: str | None = None, **options: Any) -> Result:
        return run(calc.name, preset, **options)

    function.__name__ = function.__qualname__ = calc.api_name
    function.__doc__ = docstring(calc)
    function.__signature__ = signature(calc)  # type: ignore[attr-defined]
    return function


globals().update({calc.api_name: calculator_function(calc) for calc in CALCULATORS.values()})


def preset_names() -> list[str]:
    """Names of every preset (built-in and the user's folders)."""
    return sorted(preset_files())
