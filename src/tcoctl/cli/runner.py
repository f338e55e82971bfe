"""Parse -> core -> render for one command: the glue between the CLI and the engine."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from tcoctl import engine, output
from tcoctl.cli import planner
from tcoctl.errors import DomainError, UsageError, shorten
from tcoctl.presets import Preset, PresetError, chain, load, skipped_folders
from tcoctl.specs import Calculator, Result
from tcoctl.units import convert, short


def choose_preset(
    calc: Calculator, name: str | None, flags: Mapping[str, str], batch: bool = False
) -> Preset | None:
    """The named preset; else the calculator's default when it is a base, or when nothing
    else gives inputs (no option, and no batch lines)."""
    if name is not None:
        return load(name, kind="scenario")
    if calc.preset_is_base or not (flags or batch):
        return load(calc.default_preset)
    return None


def source_text(given: engine.Given) -> str:
    entry = given.entry
    if entry is None:
        return given.origin
    cite = entry.source if entry.source.startswith("seeds/") else f"{entry.source} {entry.url}"
    text = f"{cite}: “{entry.quote}”" if entry.quote else cite
    return f"{text} ({entry.note})" if entry.note else text


def stats(
    summary: engine.Summary, unit: str, display: str, row: int, ranged: bool
) -> dict[str, float]:
    """low/high (if ``ranged``) and percentiles of one row, in the display unit."""
    found: dict[str, float] = {}
    if ranged and summary.low is not None and summary.high is not None:
        found["low"] = float(summary.low[row])
        found["high"] = float(summary.high[row])
    for key, values in (summary.percentiles or {}).items():
        found[key] = float(values[row])
    return {
        key: float(convert(value, unit, display))
        for key, value in found.items()
        if np.isfinite(value)
    }


def input_rows(calc: Calculator, given: Mapping[str, engine.Given]) -> list[output.Row]:
    rows = []
    for spec in calc.inputs:
        if spec.name in given:
            value, unit, stats = given[spec.name].display()
            rows.append(output.Row(spec.name, value, unit, stats, source_text(given[spec.name])))
    return rows


def result_rows(
    calc: Calculator, summaries: Mapping[str, engine.Summary], row: int, ranged: bool
) -> list[output.Row]:
    """Results of one scenario in display units; low/high only if the scenario has ranges."""
    rows = []
    for spec in calc.results:
        summary = summaries.get(spec.name)
        if summary is None or not np.isfinite(summary.value[row]):
            continue  # not computed for this scenario
        value = float(convert(float(summary.value[row]), spec.unit, spec.display))
        rows.append(
            output.Row(
                spec.name,
                value,
                short(spec.display),
                stats(summary, spec.unit, spec.display, row, ranged),
            )
        )
    return rows


def run(calc: Calculator, flags: Mapping[str, str], options: Mapping[str, Any]) -> None:
    """Run ``calc`` and write the result. ``options`` holds the shared options: preset,
    format, svg, explain, map, seed, samples, dist, tornado, target, sweep, mark, input."""
    fmt = options.get("format") or output.default_format()
    if options.get("input"):
        run_batch(calc, flags, options, fmt)
        return
    check_options(calc, options, fmt)
    target = target_result(calc, options)
    preset = choose_preset(calc, options.get("preset"), flags)
    names = engine.variants(calc, preset)
    scenarios = [engine.gather(calc, flags, preset, i) for i in range(len(names))]
    warn_kept(flags, scenarios[0])
    summaries, failed = engine.run_rows(
        calc,
        scenarios,
        options.get("samples") or 0,
        options.get("dist") or "uniform",
        options.get("seed"),
    )
    reports = []
    for row, (name, given) in enumerate(zip(names, scenarios, strict=True)):
        inputs = {g.spec.key: g.span.mid for g in given.values() if g.span is not None}
        results = {key: float(summary.value[row]) for key, summary in summaries.items()}
        if row in failed and not summaries:
            error = failed[row]
            if isinstance(error, engine.MissingInputs) and preset is not None:
                raise DomainError(f"preset {preset.name} is incomplete: {error}")
            hint = ""
            if preset is None and str(error).startswith("give"):
                hint = (
                    f" (the default preset {calc.default_preset} applies only when no "
                    f"option is given; add --preset {calc.default_preset} to start from it)"
                )
            raise UsageError(f"{error}{hint}")
        for warning in hook(calc.checks, inputs, results) if calc.checks else []:
            sys.stderr.write(f"tcoctl: warning: {name + ': ' if name else ''}{warning}\n")
        if row in failed:
            raise DomainError(f"{calc.name}: {failed[row]}")
        report = output.Report(
            calc.name,
            name or None,
            input_rows(calc, given),
            result_rows(calc, summaries, row, engine.has_range(given)),
        )
        add_visuals(calc, report, summaries, row)
        if options.get("tornado"):
            section, chart = planner.tornado_section(calc, given, target)
            report.extra["tornado"] = section
            report.visuals.append(chart)
        if options.get("sweep"):
            plan = planner.parse_sweep(calc, options["sweep"])
            mark = planner.parse_mark(calc, options["mark"]) if options.get("mark") else None
            xs, swept = planner.sweep(calc, given, plan)
            chosen = mark[0] if mark else target
            if chosen.name not in swept and not options.get("target"):
                chosen = next(r for r in calc.results if r.name in swept)  # default not computed
            section, visuals = planner.sweep_section(calc, plan, xs, swept, chosen, mark)
            report.extra["sweep"] = section
            report.visuals.extend(visuals)
        if options.get("explain"):
            report.extra["explain"] = hook(calc.explain, inputs, results)
        if options.get("map"):
            drawing, counts = hook(calc.drawing, inputs, results, options.get("seed") or 0)
            report.visuals.append(drawing)
            report.extra["map"] = counts
        reports.append(report)
    output.write(reports, fmt, options.get("svg"))


VIEWS = ("sweep", "tornado", "explain", "map")
"""Options whose output is a chart or a section that CSV has no place for."""


def check_options(calc: Calculator, options: Mapping[str, Any], fmt: str) -> None:
    """Refuse combinations that would silently lose output, before any work is done."""
    if options.get("mark") and not options.get("sweep"):
        sweep, mark = calc.sweep_example.split("|")
        raise UsageError(f"--mark goes with --sweep, e.g. --sweep '{sweep}' --mark '{mark}'")
    views = [f"--{name}" for name in VIEWS if options.get(name)]
    if fmt == "csv" and views:
        raise UsageError(
            f"{', '.join(views)}: CSV has no place for it; use --format table or --format json"
        )
    check_svg(options.get("svg"))


def check_svg(svg: str | None) -> None:
    """Refuse an --svg path that cannot be a new file, before any work is done."""
    try:
        fine = svg is None or (not Path(svg).is_dir() and Path(svg).parent.is_dir())
    except OSError:  # a name the system refuses, e.g. too long
        fine = False
    if not fine:
        raise UsageError(
            f"--svg: cannot write {shorten(str(svg))!r}: give a file in "
            "an existing folder, e.g. --svg tco.svg"
        )


def warn_kept(flags: Mapping[str, str], given: Mapping[str, engine.Given]) -> None:
    """Warn when an option leaves related figures from the preset in place (--gpu without
    --gpu-price)."""
    for name in flags:
        item = given.get(name)
        kept = [
            other
            for other in (item.spec.keeps if item else ())
            if other not in flags and other in given and given[other].entry is not None
        ]
        if kept:
            origin = given[kept[0]].origin
            sys.stderr.write(
                f"tcoctl: warning: --{name} {flags[name]}: "
                f"{', '.join('--' + k for k in kept)} still from {origin}; "
                "give them too if they differ\n"
            )


def target_result(calc: Calculator, options: Mapping[str, Any]) -> Result:
    """The result a tornado or sweep chart is about: --target, else the calculator's own."""
    name = options.get("target") or calc.target
    try:
        return calc.result(name)
    except KeyError:
        names = ", ".join(r.name for r in calc.results)
        raise UsageError(
            f"--target: {calc.name} has no result {shorten(name)!r}; one of {names}"
        ) from None


def run_batch(
    calc: Calculator, flags: Mapping[str, str], options: Mapping[str, Any], fmt: str
) -> None:
    """``--input FILE`` (or ``-``): one scenario per line, as given, in chunks."""
    extras = [
        f"--{name}" for name in (*VIEWS, "mark", "target", "samples", "svg") if options.get(name)
    ]
    if options.get("format") == "table":
        extras.append("--format table (batches write json or csv)")
    if extras:
        raise UsageError(f"--input runs each line as it is: drop {', '.join(extras)}")
    preset = choose_preset(calc, options.get("preset"), flags, batch=True)
    engine.gather(calc, flags, preset)  # the options the lines share must be valid themselves
    path = options["input"]
    try:  # bytes: each line is decoded on its own (a bad byte fails one line, not the file)
        stream = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    except OSError as error:
        raise UsageError(f"--input: cannot read {shorten(path)!r}: {error.strerror}") from None
    try:
        with stream:
            failures = planner.batch(calc, flags, preset, stream, "json" if fmt == "table" else fmt)
    except IsADirectoryError:
        raise UsageError(f"--input: cannot read {shorten(path)!r}: a folder") from None
    if failures:
        raise DomainError(f"{failures} line(s) failed (see above); every other line was written")


BASELINE = "frontier-2024"
"""The first column of the default comparison, against which the ratios are taken."""


def compare(names: list[str], fmt: str | None, svg: str | None) -> None:
    """Run each preset through each calculator it has figures for; scenarios of one
    calculator go through one core call; print them side by side."""
    from tcoctl.presets import commands, preset_files
    from tcoctl.specs import CALCULATORS

    check_svg(svg)
    names = names or sorted(seed_scenarios(preset_files()), key=lambda n: (n != BASELINE, n))
    by_calc: dict[str, list[tuple[str, dict[str, engine.Given]]]] = {}
    for name in names:
        preset = load(name, "compare", kind="scenario")
        for command in commands(preset):
            calc = CALCULATORS[command]
            for i, label in enumerate(engine.variants(calc, preset)):
                by_calc.setdefault(command, []).append((label, engine.gather(calc, {}, preset, i)))
    reports = []
    for command, items in by_calc.items():
        calc = CALCULATORS[command]
        summaries, failed = engine.run_rows(calc, [given for _, given in items])
        for row, (label, given) in enumerate(items):
            if row in failed:
                raise DomainError(f"{label}: {failed[row]}")
            reports.append(
                output.Report(
                    command,
                    label,
                    input_rows(calc, given),
                    result_rows(calc, summaries, row, engine.has_range(given)),
                )
            )
    output.write(reports, fmt or output.default_format(), svg, side_by_side=True)


def seed_scenarios(files: Mapping[str, Any]) -> list[str]:
    """Scenario presets with at least one figure taken from a seed document."""
    found = []
    for message in skipped_folders():
        sys.stderr.write(f"tcoctl: warning: skipped {message}\n")
    for name in files:
        try:
            preset = load(name)
        except PresetError as error:  # a broken user file need not stop the comparison
            sys.stderr.write(f"tcoctl: warning: skipped {error}\n")
            continue
        if preset.kind == "scenario" and any(
            entry.source.startswith("seeds/")
            for layer in chain(preset)
            for section in layer.sections.values()
            for entry in section.values()
        ):
            found.append(name)
    return found


def hook(target: str | None, *args: Any) -> Any:
    """Call a calculator's ``module:function`` hook (explain, checks, drawing); the CLI offers
    --explain and --map only where the calculator has the hook."""
    assert target is not None
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

    preset = load(name, "presets show")
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
    compact = [
        {
            "figure": f"{f['section']}.{f['name']}",
            "value": str(f["value"]),
            "source": "\n".join(str(f[k]) for k in ("source", "url", "quote", "note") if f[k]),
        }
        for f in figures
    ]
    output.write_records("figures", figures, fmt, header, compact)
