"""Parse -> core -> render for one command: the glue between the CLI and the engine."""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from tcoctl import engine, output
from tcoctl.errors import UsageError
from tcoctl.presets import Preset, load
from tcoctl.specs import Calculator
from tcoctl.units import convert, short


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
        if item.span is None:
            rows.append(output.Row(spec.name, item.text, "", source=source_text(item)))
            continue
        span_stats = {}
        if item.span.is_range:
            span_stats = {
                "low": float(convert(item.span.low, spec.unit, spec.display)),
                "high": float(convert(item.span.high, spec.unit, spec.display)),
            }
        value = float(convert(item.span.mid, spec.unit, spec.display))
        rows.append(
            output.Row(spec.name, value, short(spec.display), span_stats, source_text(item))
        )
    return rows


def result_rows(
    calc: Calculator, summaries: Mapping[str, engine.Summary], row: int = 0
) -> list[output.Row]:
    rows = []
    for spec in calc.results:
        summary = summaries.get(spec.name)
        if summary is None:
            continue
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
    preset_name: str | None,
    fmt: str | None,
    svg: str | None,
    explain: bool = False,
) -> None:
    """Run one scenario of ``calc`` and write it."""
    preset = choose_preset(calc, preset_name, flags)
    given = engine.gather(calc, flags, preset)
    summaries = engine.run_single(calc, given)
    report = output.Report(
        calc.name,
        preset.name if preset else None,
        input_rows(calc, given),
        result_rows(calc, summaries),
    )
    add_visuals(calc, report, summaries)
    if explain:
        report.extra["explain"] = explanation(calc, given, summaries)
    output.write([report], fmt or output.default_format(), svg=svg)


def add_visuals(
    calc: Calculator, report: output.Report, summaries: Mapping[str, engine.Summary]
) -> None:
    """The calculator's share chart, for the table view."""
    if calc.shares:
        from tcoctl.charts import share_bars

        shares = [(label, float(summaries[name].value[0])) for name, label in calc.shares]
        report.visuals.append(share_bars("where the money goes (share of annual cost)", shares))


def explanation(
    calc: Calculator, given: Mapping[str, engine.Given], summaries: Mapping[str, engine.Summary]
) -> list[str]:
    """The formula chain at the central values."""
    if calc.explain is None:
        raise UsageError(f"--explain: {calc.name} has no formula chain")
    module, name = calc.explain.split(":")
    lines = getattr(importlib.import_module(module), name)
    inputs = {g.spec.key: g.span.mid for g in given.values() if g.span is not None}
    results = {key: float(summary.value[0]) for key, summary in summaries.items()}
    chain: list[str] = lines(inputs, results)
    return chain


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
