"""Parse -> core -> render for one command: the glue between the CLI and the engine."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

from tcoctl import engine, output
from tcoctl.errors import DomainError, UsageError
from tcoctl.presets import Preset, load
from tcoctl.specs import Calculator
from tcoctl.units import Span, convert, short


def choose_preset(calc: Calculator, name: str | None, flags: Mapping[str, str]) -> Preset | None:
    """The named preset; else the calculator's default when it is a base or no flag is given."""
    if name is not None:
        return load(name, kind="scenario")
    if calc.preset_is_base or not flags:
        return load(calc.default_preset)
    return None


def source_text(given: engine.Given) -> str:
    entry = given.entry
    if entry is None:
        return given.origin
    cite = entry.source if entry.source.startswith("seeds/") else f"{entry.source} {entry.url}"
    text = f"{cite}: “{entry.quote}”" if entry.quote else cite
    return f"{text} ({entry.note})" if entry.note else text


def stats(summary: engine.Summary, unit: str, display: str, row: int = 0) -> dict[str, float]:
    """low/high and percentiles of one row, converted to the display unit."""
    found: dict[str, float] = {}
    if summary.low is not None and summary.high is not None:
        found["low"] = float(summary.low[row])
        found["high"] = float(summary.high[row])
    for key, values in (summary.percentiles or {}).items():
        found[key] = float(values[row])
    return {key: float(convert(value, unit, display)) for key, value in found.items()}


def input_rows(calc: Calculator, given: Mapping[str, engine.Given]) -> list[output.Row]:
    rows = []
    for spec in calc.inputs:
        item = given.get(spec.name)
        if item is None:
            continue
        shown = item.shown or (
            None
            if item.span is None
            else Span(*convert(np.array([item.span.low, item.span.high]), spec.unit, spec.display))
        )
        if shown is None:
            rows.append(output.Row(spec.name, item.text, "", source=source_text(item)))
            continue
        span_stats = {"low": shown.low, "high": shown.high} if shown.is_range else {}
        rows.append(
            output.Row(spec.name, shown.mid, short(spec.display), span_stats, source_text(item))
        )
    return rows


def result_rows(
    calc: Calculator, summaries: Mapping[str, engine.Summary], row: int = 0
) -> list[output.Row]:
    rows = []
    for spec in calc.results:
        summary = summaries.get(spec.name)
        if summary is None or not np.isfinite(summary.value[row]):
            continue  # not computed for this scenario
        value = float(convert(float(summary.value[row]), spec.unit, spec.display))
        rows.append(
            output.Row(
                spec.name, value, short(spec.display), stats(summary, spec.unit, spec.display, row)
            )
        )
    return rows


def run(
    calc: Calculator,
    flags: Mapping[str, str],
    options: Mapping[str, Any],
) -> None:
    """Run ``calc`` on the preset's scenarios (one, or one per variant) and write them.
    ``options`` holds the shared options: preset, format, svg, explain, map, seed."""
    preset = choose_preset(calc, options.get("preset"), flags)
    names = engine.variants(calc, preset)
    scenarios = [engine.gather(calc, flags, preset, i) for i in range(len(names))]
    summaries, failed = engine.run_rows(calc, scenarios)
    reports = []
    for row, (name, given) in enumerate(zip(names, scenarios, strict=True)):
        inputs = {g.spec.key: g.span.mid for g in given.values() if g.span is not None}
        results = {key: float(summary.value[row]) for key, summary in summaries.items()}
        if row in failed and not summaries:
            raise UsageError(failed[row])
        for warning in hook(calc.checks, inputs, results) if calc.checks else []:
            sys.stderr.write(f"tcoctl: warning: {name + ': ' if name else ''}{warning}\n")
        if row in failed:
            raise DomainError(
                f"{calc.name}: {failed[row]} (a figure missing from a hardware "
                "preset, or a zero divisor)"
            )
        report = output.Report(
            calc.name, name or None, input_rows(calc, given), result_rows(calc, summaries, row)
        )
        add_visuals(calc, report, summaries, row)
        if options.get("explain"):
            report.extra["explain"] = hook(calc.explain, inputs, results)
        if options.get("map"):
            drawing, counts = hook(calc.drawing, inputs, results, options.get("seed") or 0)
            report.visuals.append(drawing)
            report.extra["map"] = counts
        reports.append(report)
    output.write(reports, options.get("format") or output.default_format(), options.get("svg"))


def hook(target: str | None, *args: Any) -> Any:
    """Call a calculator's ``module:function`` hook (explain, checks, drawing)."""
    if target is None:
        raise UsageError("this command has no such view")
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)(*args)


def add_visuals(
    calc: Calculator, report: output.Report, summaries: Mapping[str, engine.Summary], row: int
) -> None:
    """The calculator's share chart, for the table view."""
    if calc.shares:
        from tcoctl.charts import share_bars

        shares = [(label, float(summaries[name].value[row])) for name, label in calc.shares]
        report.visuals.append(share_bars("where the money goes (share of annual cost)", shares))


def show_preset(name: str, fmt: str | None) -> None:
    """Print a preset's effective figures (with those it extends), each checked against its
    input's unit, with its source."""
    from tcoctl.presets import Entry, commands
    from tcoctl.specs import CALCULATORS

    preset = load(name)
    figures = []

    def record(section: str, key: str, entry: Entry, origin: str) -> None:
        figures.append(
            {
                "section": section,
                "name": key,
                "value": entry.value,
                "source": entry.source,
                "quote": entry.quote,
                "url": entry.url,
                "note": entry.note,
                "from": origin,
            }
        )

    if preset.kind == "gpu":
        engine.gpu_figures(name)
        for key, entry in preset.sections["gpu"].items():
            record("gpu", key, entry, name)
    for command in commands(preset) if preset.kind == "scenario" else []:
        for item in engine.gather(CALCULATORS[command], {}, preset).values():
            if item.entry is not None:
                record(command, item.spec.name, item.entry, item.origin.removeprefix("preset "))
    header = {
        "preset": name,
        "title": preset.title,
        "kind": preset.kind,
        "description": preset.description,
    }
    output.write_records("figures", figures, fmt, header)
