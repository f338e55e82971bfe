"""The one route from inputs to results: scenarios as a table of checked inputs in core
units (``engine.Table``: templates from presets, options and defaults, and columns of
values), one engine call per group of scenarios that give the same inputs, and the results
in display units. Every front end takes it: command-line flags, API keywords and arrays,
upstream documents and presets; ``in_display`` is the one place where core units become
display units."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tcoctl import engine, provenance
from tcoctl.engine import Array
from tcoctl.errors import (
    DomainError,
    TcoctlError,
    UsageError,
    as_flag,
    by_message,
    message_kind,
)
from tcoctl.notation import SIGNIFICANT, figures_written
from tcoctl.presets import Entry, Preset
from tcoctl.report import Report, Row
from tcoctl.specs import CURRENCIES, Calculator, Input, Result
from tcoctl.units import RATES_PRESET, Span, convert, currencies_in, exchange_rates, short


def in_display(spec: Result | Input, values: Any) -> Array:
    """Values of a result (or an input) in core units, in its display unit (inf beyond the
    largest float)."""
    with np.errstate(over="ignore"):
        return np.asarray(convert(values, spec.unit, spec.display), dtype=float)


def in_core(spec: Input, values: Any) -> Array:
    """Values of an input in its display unit (the API's plain numbers), in core units (inf
    beyond the largest float)."""
    with np.errstate(over="ignore"):
        return np.asarray(convert(values, spec.display, spec.unit), dtype=float)


def source_text(given: engine.Given) -> str:
    entry = given.entry
    if entry is None:
        return given.origin
    cite = (
        entry.source
        if entry.source.startswith("seeds/")
        else f"{entry.source} {entry.url or ''}".rstrip()
    )
    text = f"{cite}: “{entry.quote}”" if entry.quote else cite
    return f"{text} ({entry.note})" if entry.note else text


def input_rows(calc: Calculator, given: Mapping[str, engine.Given]) -> list[Row]:
    rows = []
    for spec in calc.inputs:
        if spec.name in given:
            item = given[spec.name]
            value, unit, stats = replace(item, spec=spec).display()  # in calc's display unit
            origin = "flag" if item.origin.startswith("--") else item.origin
            rows.append(Row(spec.name, value, unit, stats, source_text(item), origin))
    return rows


def stats(summary: engine.Summary, spec: Result, row: int, ranged: bool) -> dict[str, float]:
    """low/high (if ``ranged``) and percentiles of one row, in the display unit."""
    found: dict[str, float] = {}
    if ranged and summary.low is not None and summary.high is not None:
        found["low"] = float(summary.low[row])
        found["high"] = float(summary.high[row])
    for key, values in (summary.percentiles or {}).items():
        found[key] = float(values[row])
    return {
        key: float(in_display(spec, value)) for key, value in found.items() if np.isfinite(value)
    }


def result_rows(
    calc: Calculator,
    summaries: Mapping[str, engine.Summary],
    row: int,
    ranged: bool,
    solve: engine.Solve | None = None,
) -> list[Row]:
    """Results of one scenario in display units; low/high only if the scenario has ranges."""
    rows = []
    for spec in engine.results_of(calc, solve):
        summary = summaries.get(spec.core)
        if summary is None or not np.isfinite(summary.value[row]):
            continue  # not computed for this scenario
        value = float(in_display(spec, float(summary.value[row])))
        if not np.isfinite(value):
            continue  # overflows in the display unit
        solved = solve is not None and spec.core == solve.unknown.core
        rows.append(
            Row(
                spec.name,
                value,
                short(spec.display),
                stats(summary, spec, row, ranged),
                labels=spec.labels,
                figures=figures_written(value) if solved else SIGNIFICANT,
            )
        )
    return rows


@dataclass(frozen=True)
class Evaluation:
    """A table of scenarios evaluated: results in core units over rows (``summaries``, by
    core quantity), what each template determines (``outlines``), and which rows give a
    range. Display units come from ``in_display``."""

    calc: Calculator
    table: engine.Table
    names: Sequence[str]
    """Each template's label (a preset variant), '' for none."""
    solve: engine.Solve | None
    summaries: Mapping[str, engine.Summary]
    outlines: Sequence[engine.Outline]
    ranged: NDArray[np.bool_]
    currencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Currencies other than USD that column inputs were typed in, by option name (the API's
    texts: a column keeps numbers, not what was typed), for the exchange rates shown."""
    waived: Mapping[int, TcoctlError] = field(default_factory=dict)
    """By row, the error of a template that determines nothing without the --sweep's input,
    left for the sweep to answer: its error still, where no point of the sweep lifts it."""

    @property
    def rows(self) -> int:
        return int(self.table.rows)

    def given(self, row: int) -> dict[str, engine.Given]:
        """One row's checked inputs: its template with that row's column values."""
        table = self.table
        given = dict(table.bases[int(table.base_of[row])])
        entry = row if table.column_of is None else int(table.column_of[row])
        for quantity, (low, high, centre) in table.columns.items():
            name = self.calc.number_inputs[quantity].name
            if name in given:
                mid = None if centre is None or np.isnan(centre[entry]) else float(centre[entry])
                span = Span(float(low[entry]), float(high[entry]), centre=mid)
                given[name] = engine.Given(given[name].spec, "", given[name].origin, span)
        return given

    def typed_in(self, given: Sequence[engine.Given]) -> list[str]:
        """The currencies the column inputs among ``given`` were typed in."""
        return [code for g in given for code in self.currencies.get(g.spec.name, ())]

    def report(self, row: int) -> Report:
        """One row as a report: inputs (with the defaults the relations used), results in
        display units, what is missing, and the calculator's own charts."""
        calc, solve = self.calc, self.solve
        given = self.given(row)
        outline = self.outlines[int(self.table.base_of[row])]
        shown = {
            name: item
            for name, item in given.items()
            if not (name in outline.unread and item.origin == "default")
        }
        for option in outline.defaults:
            shown[option] = engine.default_given(calc.name, option, calc.defaults[option])
        name = self.names[int(self.table.base_of[row])]
        report = Report(
            calc.name,
            name or None,
            input_rows(calc, shown),
            result_rows(calc, self.summaries, row, bool(self.ranged[row]), solve),
            headline=((solve.unknown.key,) if solve else ())
            + calc.headline
            + asked_results(calc, given, outline),
            bars=tuple(name for name, _ in calc.shares),
            tucked=tucked_results(calc, given, solve),
        )
        if outline.missing:
            report.extra["missing"] = outline.missing
        for result in report.results:
            result.as_of = result_as_of(result.name, result.unit, given, outline, self.typed_in)
        dates = [result.as_of for result in report.results if result.as_of]
        if dates:
            report.extra["as_of"] = min(dates, key=provenance.period_end)
        items = [g for k, g in given.items() if k not in outline.unused]
        rates = dating([*(spec.display for spec in calc.results), *self.typed_in(items)], items)[1]
        if rates:
            report.extra["exchange_rates"] = [
                {
                    "currency": code,
                    "usd_per_unit": usd,
                    "units_per_usd": 1 / usd,
                    "as_of": entry.as_of,
                    "preset": RATES_PRESET,
                    "source": f"{entry.source} {entry.url}",
                }
                for code, usd, entry in rates
            ]
        if calc.shares:
            from tcoctl.charts import share_bars  # charts load rich: only for shares

            shares = [
                (label, float(self.summaries[calc.result(name).core].value[row]))
                for name, label in calc.shares
            ]
            report.visuals.append(share_bars("where the money goes (share of annual cost)", shares))
        return report


def result_as_of(
    name: str,
    unit: str,
    given: Mapping[str, engine.Given],
    outline: engine.Outline,
    typed_in: Callable[[Sequence[engine.Given]], list[str]] = lambda inputs: [],
) -> str | None:
    """The oldest date among the figures result ``name`` (shown in ``unit``) used: the
    preset figures of the inputs it depends on (``outline.uses``) and the exchange rates of
    its currency and of those inputs' typed currencies (``typed_in``: of columns, which keep
    no text)."""
    uses = outline.uses.get(name, frozenset())
    inputs = [g for g in given.values() if uses & set(g.spec.sets)]
    return dating([unit, *typed_in(inputs)], inputs, uses)[0]


def dating(
    units: Sequence[str], given: Sequence[engine.Given], uses: frozenset[str] | None = None
) -> tuple[str | None, list[tuple[str, float, Entry]]]:
    """The oldest as_of among the preset figures of ``given`` (of a hardware or rule preset,
    only those giving a quantity in ``uses``, if given) and the exchange rates they use: of
    the currencies in ``units`` (results shown) and those the inputs were typed in; with
    those rates, each (code, US dollars per unit, its preset figure)."""
    codes = {code for unit in units for code in currencies_in(unit)} | typed_currencies(given)
    rates = [(code, *exchange_rates()[code]) for code in CURRENCIES if code in codes]
    used = [(g.spec, g.text, g.entry) for g in given]
    return provenance.given_as_of(used, [entry for _, _, entry in rates], uses), rates


def typed_currencies(given: Iterable[engine.Given]) -> set[str]:
    """The currencies other than USD that inputs were typed in ('20000 EUR')."""
    typed = [unit for g in given if g.span and g.span.typed for _, unit in g.span.typed]
    return {code for unit in typed for code in currencies_in(unit)}


def asked_results(
    calc: Calculator, given: Mapping[str, engine.Given], outline: engine.Outline
) -> tuple[str, ...]:
    """The results an option asked for: those that use an input given as an option which no
    headline result uses (``--carbon-intensity`` gives emissions_per_million_tokens). A table
    puts them right after the headline, where the question's answer is looked for, not
    after the details (``--batch``, which the headline uses, moves nothing)."""
    headline_uses = set().union(*(outline.uses.get(name, set()) for name in calc.headline))
    asked = {
        core
        for item in given.values()
        if item.origin.startswith("--")
        for core in item.spec.sets
        if core not in headline_uses
    }
    return tuple(
        name
        for name in outline.reported
        if name not in calc.headline and asked & outline.uses.get(name, set())
    )


def tucked_results(
    calc: Calculator, given: Mapping[str, engine.Given], solve: engine.Solve | None
) -> tuple[str, ...]:
    """The details a table leaves out: all of them in a run with no option that sets an
    input, none otherwise (--currency, --unit and the like only change how results show; a
    goal-seek sets its unknown, which may be a detail, such as layer_overhead)."""
    if solve is not None or any(item.origin.startswith("--") for item in given.values()):
        return ()
    return tuple(result.name for result in calc.results if result.detail)


def evaluate(
    calc: Calculator,
    table: engine.Table,
    names: Sequence[str],
    options: Mapping[str, Any],
    solve: engine.Solve | None,
    presets: Sequence[Preset | None],
    warn: Callable[[str], None],
    element: Callable[[int], str] | None = None,
    swept: engine.Given | None = None,
    scenarios: Callable[[list[int]], str] | None = None,
) -> Evaluation:
    """Evaluate a table in one engine call per group of templates that give the same
    inputs; warnings go to ``warn`` (each template's once), and the first failed row raises
    its error (worded with its template's label and preset, one per template, and with
    ``element`` naming its entry of the columns: the API's 'gpus[1] = -1: '). The input a
    --sweep varies (``swept``) counts as given in each template's plan where it gives none:
    inputs it makes used are not unused, results it determines are not missing, and a
    template that determines nothing without it has no results here, only the sweep's.
    With ``scenarios`` (an API call over arrays: how it names entries of the columns), a
    template's rows warn once per kind of message, after the entries it concerns."""
    seed = options.get("seed")
    if seed is not None and not options.get("samples") and not options.get("map"):
        warn(f"--seed {seed} does nothing without --samples; e.g. --samples 10000 --seed {seed}")
    summaries, failed, warned = engine.run_table(
        calc,
        table,
        options.get("samples") or 0,
        options.get("dist") or "uniform",
        options.get("seed"),
        solve,
    )
    outlines: list[engine.Outline] = []
    ranged = np.zeros(table.rows, dtype=bool)
    for index, given in enumerate(table.bases):
        if engine.has_range(given):
            ranged[table.base_of == index] = True
    entries = np.arange(table.rows) if table.column_of is None else table.column_of
    for low, high, _ in table.columns.values():
        ranged |= (low != high)[entries]
    first_failed = min(failed, default=table.rows)
    waived = {
        row: error for row, error in failed.items() if isinstance(error, engine.NothingComputed)
    }
    lifted = {int(table.base_of[row]) for row in waived}  # templates that need the sweep
    for base, given in enumerate(table.bases):
        rows = np.flatnonzero(table.base_of == base)
        label = f"{names[base]}: " if names[base] else ""
        here = [row for row in rows.tolist() if row in warned]
        said = [warning for row in here for warning in warned[row]]
        grouped = (
            said
            if scenarios is None
            else by_message(
                {int(entries[row]): warned[row] for row in here}, scenarios, message_kind
            )
        )
        for warning in grouped:
            warn(f"{label}{warning}")
        planned = with_swept(given, swept)
        outline = engine.outline(calc, planned, solve)
        if first_failed in rows and not (
            planned is not given
            and isinstance(failed[first_failed], engine.NothingComputed)
            and outline.reported
        ):
            at = "" if element is None else element(int(entries[first_failed]))
            raise scenario_error(calc, presets[base], failed[first_failed], label + at)
        outlines.append(outline)
        for note in [*map(unused_note, outline.unused), *outline.idle]:
            warn(f"{label}{note}")
        if base in lifted:  # no result without the sweep: its error, not a float's reach, is
            continue  # why (a solved unknown included)
        lost = lost_results(calc, outline.reported, summaries, rows, solve)
        lost = [
            name
            for name in lost
            if not lacks_a_figure(given, outline.uses.get(name, ()))
            and not (swept and planned is not given and set(swept.spec.sets) & outline.uses[name])
            and not any(warning.startswith(f"{name} ") for warning in said)  # said why
        ]
        if lost:
            warn(
                f"{label}{', '.join(lost)}: no finite value for these inputs (beyond the "
                "reach of its formula, or past the largest float)"
            )
    return Evaluation(calc, table, names, solve, summaries, outlines, ranged, waived=waived)


def with_swept(
    given: Mapping[str, engine.Given], swept: engine.Given | None
) -> Mapping[str, engine.Given]:
    """A template's inputs with the swept input added where neither it nor an alternative
    to it is given (the sweep gives it); ``given`` itself otherwise."""
    if swept is None or swept.spec.name in given:
        return given
    if any(other in given for other in swept.spec.excludes):
        return given
    return {**given, swept.spec.name: swept}


def unused_note(option: str) -> str:
    """The warning about an option no result uses, in single runs and batches alike."""
    return f"{as_flag(option)} is used by no result computed here"


def lost_results(
    calc: Calculator,
    names: Sequence[str],
    summaries: Mapping[str, engine.Summary],
    rows: NDArray[np.intp],
    solve: engine.Solve | None,
) -> list[str]:
    """The results ``names`` with no finite value in the display unit in some of ``rows``;
    a coded result has no code where none applies (binding, with no constraint given)."""
    specs = {spec.name: spec for spec in engine.results_of(calc, solve)}
    numbers = [specs[name] for name in names if not specs[name].labels]
    found = [spec for spec in numbers if spec.core in summaries]
    if not found:
        return [spec.name for spec in numbers]
    every = len(rows) == len(summaries[found[0].core].value)  # all rows: no need to pick
    values = np.concatenate(
        [summaries[s.core].value if every else summaries[s.core].value[rows] for s in found]
    ).reshape(len(found), len(rows))
    to_display = np.array([convert(1.0, s.unit, s.display) for s in found])
    with np.errstate(over="ignore", invalid="ignore"):
        finite = np.isfinite(values * to_display[:, None]).all(axis=1)
    kept = {spec.name for spec, ok in zip(found, finite.tolist(), strict=True) if ok}
    return [spec.name for spec in numbers if spec.name not in kept]


def lacks_a_figure(given: Mapping[str, engine.Given], uses: Iterable[str]) -> bool:
    """Whether a result uses a figure the scenario's --gpu lacks (an A100's FP8): the
    engine's warning names that figure, so the result needs no word about floats."""
    gpu = given.get("gpu")
    figures = engine.gpu_figures(gpu.text) if gpu is not None else {}
    return any(
        math.isnan(figures.get(quantity.removeprefix("gpu_"), 0.0))
        for quantity in uses
        if quantity.startswith("gpu_")
    )


def scenario_error(
    calc: Calculator, preset: Preset | None, error: TcoctlError, label: str
) -> TcoctlError:
    """A failed scenario's error; inputs that determine nothing get a hint about presets."""
    if isinstance(error, engine.NothingComputed):
        if preset is not None:
            return DomainError(f"preset {preset.name} is incomplete: {error}")
        return UsageError(
            f"{error} (the default preset {calc.default_preset} applies only when no "
            f"option is given; add --preset {calc.default_preset} to start from it)"
        )
    return type(error)(f"{label}{calc.name}: {error}")
