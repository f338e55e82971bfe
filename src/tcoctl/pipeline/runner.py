"""Parse -> core -> render for one command: the glue between the CLI and the engine."""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from tcoctl import engine, output
from tcoctl.errors import DomainError, UsageError, did_you_mean, shorten
from tcoctl.files import replace_refusal
from tcoctl.notation import SI_PREFIXES
from tcoctl.pipeline import explain, planner, route, views
from tcoctl.presets import (
    Entry,
    Preset,
    PresetError,
    chain,
    commands,
    load,
    preset_files,
    shadowing,
    skipped_folders,
)
from tcoctl.report import Report
from tcoctl.specs import CALCULATORS, Calculator, Result, label_of
from tcoctl.units import (
    WORD_EXPONENTS,
    UnitInputError,
    as_emissions,
    convert,
    exchange_rates,
    parse_span,
    rates_of,
)


def choose_preset(
    calc: Calculator,
    name: str | None,
    flags: Mapping[str, str],
    batch: bool = False,
    piped: bool = False,
) -> Preset | None:
    """The named preset; else the calculator's default when it is a base, when an upstream
    result flows in and the calculator says so (``piped_preset``: a chained supply answers
    the plain run's question), or when nothing else gives inputs (no option, and no batch
    lines)."""
    if name is not None:
        return load(name, kind="scenario", command=calc.name)
    if calc.preset_is_base or (piped and calc.piped_preset) or not (flags or batch):
        return load(calc.default_preset)
    return None


def run(calc: Calculator, flags: Mapping[str, str], options: Mapping[str, Any]) -> None:
    """Run ``calc`` and write the result. ``options`` holds the shared options: preset,
    format, svg, explain, map, seed, samples, dist, tornado, target, sweep, mark, input,
    solve and for."""
    fmt = options.get("format") or output.default_format()
    calc = in_currency(calc, options.get("currency"))
    calc = with_units(calc, options.get("unit") or [])
    if options.get("input"):
        solve = planner.parse_solve(calc, options.get("solve"), options.get("for"), flags)
        run_batch(calc, flags, options, fmt, solve)
        return
    check_options(calc, options, fmt)
    solve = planner.parse_solve(
        calc, options.get("solve"), options.get("for"), flags, options.get("sweep")
    )
    value = parse_value(calc, options["value"], solve) if options.get("value") else None
    said: list[str] = []  # written once the run has an answer: a failure is its one line
    reports = reports_for(calc, [flags], options, said.append)
    for message in said:
        warn_on_stderr(message)
    if value is not None:
        write_values(calc, value, reports, command_line(calc, flags, options))
        return
    layout = output.Layout(
        fmt,
        sources=bool(options.get("sources")),
        svg=options.get("svg"),
        screen=options.get("svg_screen"),
    )
    output.write(reports, layout)


def warn_on_stderr(message: str) -> None:
    sys.stderr.write(f"tcoctl: warning: {message}\n")


def reports_for(
    calc: Calculator,
    flag_sets: Sequence[Mapping[str, str]],
    options: Mapping[str, Any],
    warn: Callable[[str], None],
) -> list[Report]:
    """The reports of one run: a report per set of options and preset variant, all
    evaluated together (the route), warnings passed to ``warn``; then the views asked for
    (tornado, sweep, explain, map)."""
    solve = planner.parse_solve(
        calc, options.get("solve"), options.get("for"), flag_sets[0], options.get("sweep")
    )
    target = target_result(calc, options, solve)
    for message in shadowing():
        warn(message)
    preset = choose_preset(calc, options.get("preset"), flag_sets[0])
    labels = engine.variants(calc, preset, flag_sets[0], warn)
    names = [label for _ in flag_sets for label in labels]
    scenarios = [
        engine.gather(calc, flags, preset, i) for flags in flag_sets for i in range(len(labels))
    ]
    if solve is not None:
        for index, given in enumerate(scenarios):  # warned once
            said = warn if index == 0 else lambda _: None
            engine.without_unknown(calc, given, solve.unknown.name, said)
    if options.get("only_my_ranges"):
        scenarios = [engine.preset_ranges_at_midpoint(given) for given in scenarios]
    for index, given in enumerate(scenarios):  # warned once, marked in every scenario
        flags = flag_sets[index // len(labels)]
        engine.mark_kept(calc, flags, preset, given, warn if index == 0 else lambda _: None)
    warn_percent_typos(scenarios[0], warn)
    table = engine.Table.of(scenarios)
    plan = planner.parse_sweep(calc, options["sweep"]) if options.get("sweep") else None
    planner.check_swept_not_given(plan, options.get("sweep"), flag_sets[0])
    swept = engine.Given(plan.spec, "sweep", "--sweep", plan.span) if plan else None
    held: list[str] = []  # the run's warnings: one its sweep gives too is said with the sweep's
    found = route.evaluate(
        calc, table, names, options, solve, [preset] * len(scenarios), held.append, swept=swept
    )
    summaries = found.summaries
    reports = []
    tornados = (
        planner.tornado_sections(calc, scenarios, target, solve) if options.get("tornado") else []
    )
    sweeps = (
        planner.sweep_sections(
            calc,
            scenarios,
            options["sweep"],
            options.get("mark"),
            target if options.get("target") else None,
            solve,
        )
        if options.get("sweep")
        else []
    )
    prefixes = [f"{name}: " * bool(name) for name in names]
    repeated = [  # per row: the run's warnings that its sweep gives at some point too
        [
            text
            for message in held
            if message.startswith(prefix)
            and any((text := message.removeprefix(prefix)) in said for said in warned.values())
        ]
        for prefix, (_, _, warned) in zip(prefixes, sweeps, strict=False)
    ]
    merged = {
        prefix + text for prefix, texts in zip(prefixes, repeated, strict=False) for text in texts
    }
    for message in held:
        if message not in merged:
            warn(message)
    for row, given in enumerate(scenarios):
        inputs = central_inputs(calc, given)
        results = {quantity: float(s.value[row]) for quantity, s in summaries.items()}
        report = found.report(row)
        if tornados:
            section, chart = tornados[row]
            report.extra["tornado"] = section
            report.answer.append(chart)
        if sweeps:
            section, visuals, warned = sweeps[row]
            for message in planner.warned_points(section, warned, repeated[row]):
                warn(prefixes[row] + message)
            if "undefined" in section:
                label = prefixes[row]
                note = label + planner.undefined_note(section)
                waived = found.waived.get(row)
                if len(section["undefined"]) == len(section["x"]):
                    if waived is not None and all(
                        gap["reason"] == str(waived) for gap in section["undefined"]
                    ):  # the sweep lifts at no point what the run lacks: the run's error
                        raise route.scenario_error(calc, preset, waived, label)
                    raise DomainError(note)
                warn(note)
            report.extra["sweep"] = section
            report.answer.extend(visuals)
        if options.get("explain"):
            report.extra["explain"] = explain.lines(calc, *engine.central_known(calc, given))
        if options.get("map"):
            drawing, counts = views.drawing(calc, inputs, results, options.get("seed") or 0)
            report.visuals.append(drawing)
            report.extra["map"] = counts
        reports.append(report)
    return reports


def central_inputs(calc: Calculator, given: Mapping[str, engine.Given]) -> dict[str, float]:
    """Each number input's central value in core units, defaults included, by core quantity."""
    inputs = {
        spec.core: engine.default_given(calc.name, name, text).span.mid  # type: ignore[union-attr]
        for name, text in calc.defaults.items()
        if (spec := calc.input(name)).kind == "number"
    }
    inputs.update({g.spec.core: g.span.mid for g in given.values() if g.span is not None})
    return inputs


def find_result(
    calc: Calculator,
    name: str,
    option: str,
    example: str,
    solve: engine.Solve | None = None,
) -> Result:
    """The result called ``name``, or its hyphenated spelling (a goal-seek's solved input
    among them: ``kv-heads``); a UsageError naming ``option`` and an example if none."""
    results = engine.results_of(calc, solve)
    found = next((result for result in results if result.name == name.replace("-", "_")), None)
    if found is None:
        known = [r.name for r in results]
        raise UsageError(
            f"{option}: {calc.name} has no result {shorten(name)!r}{did_you_mean(name, known)}; "
            f"expected one of {', '.join(known)}; "
            f"e.g. {option} {example}"
        )
    return found


def checked_unit(result: Result, unit: str, option: str, example: str) -> str:
    """``unit`` if a ``result`` can be shown in it (%, $ spelled out; a scale word as tables
    print it becomes its SI prefix: ``M USD/yr`` is ``MUSD/yr``); else a UsageError."""
    word, _, rest = unit.strip().partition(" ")
    if word in WORD_EXPONENTS:
        if not rest.strip():
            raise UsageError(
                f"{option}: {word!r} scales a number and is no unit; e.g. {option} {example}"
            )
        unit = dict(SI_PREFIXES)[WORD_EXPONENTS[word]] + rest.strip()
    try:
        parse_span(f"1 {unit}", result.unit, "")
    except UnitInputError as error:
        reason = str(error).split("; e.g.")[0].replace("'1 ", "'", 1)
        raise UsageError(f"{option}: {result.name} in {reason}; e.g. {option} {example}") from None
    unit = unit.strip().replace("%", "percent").replace("$", "USD")
    return as_emissions(f"1{unit}" if unit.startswith("/") else unit, result.unit)  # /cm^2


MONEY = re.compile(r"\bUSD\b")


def in_currency(
    calc: Calculator,
    code: object,
    option: str = "--currency",
    example: str = "--currency EUR",
    inputs: bool = True,
) -> Calculator:
    """``calc`` with every money result (and money input, if ``inputs``) shown in currency
    ``code`` (USD or one of the exchange-rates preset's currencies, any case); a UsageError
    naming ``option`` if none. The API keeps its inputs in USD: there a plain number is read
    in an input's display unit."""
    if code is None:
        return calc
    known = ("USD", *exchange_rates())
    chosen = code.strip().upper() if isinstance(code, str) else ""
    if chosen not in known:
        raise UsageError(
            f"{option}: no exchange rate for {shorten(str(code))!r}; expected a currency code, "
            f"one of {', '.join(known)} (rates: preset exchange-rates), e.g. {example}"
        )
    results = tuple(replace(r, display=MONEY.sub(chosen, r.display)) for r in calc.results)
    shown = tuple(replace(i, display=MONEY.sub(chosen, i.display)) for i in calc.inputs)
    return replace(calc, results=results, inputs=shown if inputs else calc.inputs)


def with_units(calc: Calculator, texts: Sequence[str]) -> Calculator:
    """``calc`` with the display units of ``--unit RESULT=UNIT`` (each checked)."""
    example = calc.unit_example
    chosen = {}
    for text in texts:
        name, sign, unit = text.partition("=")
        if not sign:  # a bare unit ('kg') is no result name
            raise UsageError(
                f"--unit: expected RESULT=UNIT, e.g. --unit {example}; got {shorten(text)!r}"
            )
        result = find_result(calc, name.strip(), "--unit", example)
        if not unit.strip():
            raise UsageError(f"--unit: expected RESULT=UNIT, e.g. --unit {example}")
        if result.name in chosen:
            raise UsageError(
                f"--unit: {result.name} is given a unit twice: give it one, e.g. --unit "
                f"{result.name}={unit.strip()}"
            )
        chosen[result.name] = checked_unit(result, unit, "--unit", example)
    if not chosen:
        return calc
    results = tuple(replace(r, display=chosen.get(r.name, r.display)) for r in calc.results)
    return replace(calc, results=results)


def parse_value(
    calc: Calculator, text: str, solve: engine.Solve | None = None
) -> tuple[Result, str]:
    """``--value RESULT[:UNIT]``: the result (a solved input too) and the unit to print it
    in."""
    name, _, unit = text.partition(":")
    example = f"{calc.target} or {calc.target}:{calc.result(calc.target).display or '%'}"
    result = find_result(calc, name.strip(), "--value", example, solve)
    if not unit.strip():
        return result, result.display
    return result, checked_unit(result, unit, "--value", example)


def command_line(
    calc: Calculator,
    flags: Mapping[str, str],
    options: Mapping[str, Any],
    more: Sequence[str] = (),
    batch: bool = False,
) -> str:
    """The run as a command line, for a message's example: its preset named (the default
    where it applied, which one more option would drop), its batch file, its inputs as
    typed and its goal (--solve, --for), then ``more``."""
    preset = choose_preset(calc, options.get("preset"), flags, batch=batch)
    words = ["tcoctl", calc.name, *(["--preset", preset.name] if preset else [])]
    words += ["--input", str(options["input"])] if batch else []
    words += [word for name, text in flags.items() for word in (f"--{name}", text)]
    goal = [
        word
        for name in ("solve", "for")
        if options.get(name)
        for word in (f"--{name}", options[name])
    ]
    return shlex.join([*words, *goal, *more])


def write_values(
    calc: Calculator, chosen: tuple[Result, str], reports: Sequence[Report], typed: str
) -> None:
    """One line per scenario: the result's value as a plain number, every digit kept (a
    coded result's name, such as the binding constraint); where the run was given the
    result's quantity as an input (supply --dies), that input's value. A scenario without
    one is refused with a run to type: ``typed`` (the run as a command line) with the
    options it needs, or without --value where it has no finite value."""
    result, unit = chosen
    values: list[float | str] = []
    spec = calc.number_inputs.get(result.core)
    for report in reports:
        row = next((r for r in report.results if r.name == result.name), None)
        given = next((r for r in report.inputs if spec and r.name == spec.name), None)
        if row is None and given is not None and isinstance(given.value, float):
            values.append(float(convert(given.value, given.unit, unit)))
            continue
        if row is None or not isinstance(row.value, float):
            ways = report.extra.get("missing", {}).get(result.name)
            needs = " or ".join(" ".join(f"--{o}" for o in group) for group in ways or [])
            if ways:  # the options it needs, each at its example, added to the run
                said = f"is not computed for this scenario (it needs {needs}); "
                added = [word for o in ways[0] for word in (f"--{o}", calc.input(o).example)]
                example = shlex.join([*shlex.split(typed), *added, "--value", result.name])
            else:  # computed, with no finite value (a warning says why): the run without it
                said = "has no finite value for these inputs; the others show without --value, "
                example = typed
            raise DomainError(f"--value: {result.name} {said}e.g. {example}")
        if row.labels:
            values.append(label_of(row.labels, row.value))
        else:
            values.append(float(convert(row.value, result.display, unit)))
    output.write_values(values)


VIEWS = ("sweep", "tornado", "explain", "map")
"""Options whose output is a chart or a section: CSV writes one of them as its own table."""


def check_options(calc: Calculator, options: Mapping[str, Any], fmt: str) -> None:
    """Refuse combinations that would silently lose output, before any work is done."""
    if options.get("solve") and options.get("explain"):
        raise UsageError("--explain shows a forward run: drop --solve")
    if options.get("mark") and not options.get("sweep"):
        sweep, mark = calc.sweep_example.split("|")
        raise UsageError(f"--mark goes with --sweep, e.g. --sweep '{sweep}' --mark '{mark}'")
    views = [f"--{name}" for name in VIEWS if options.get(name)]
    if fmt == "csv" and len(views) > 1:
        raise UsageError(
            f"{', '.join(views)}: CSV holds one table; give one of them, or --format json"
        )
    if fmt == "csv" and views and options.get("samples"):
        raise UsageError(
            f"--samples: CSV with {views[0]} holds its table alone, which has no percentiles; "
            "drop --samples, or keep the run's percentiles beside it, e.g. --format json"
        )
    if options.get("value") and views:
        raise UsageError(f"--value prints one number: drop {', '.join(views)}")
    if options.get("svg") and not (calc.shares or (views and views != ["--explain"])):
        raise UsageError(
            "--svg: this run draws no chart; add --tornado, --sweep"
            + (", --map" if calc.drawing else "")
            + " (or use --svg-screen for the whole table view)"
        )
    svgs = [options.get("svg"), options.get("svg_screen")]
    if all(svgs) and one_file(str(svgs[0]), str(svgs[1])):
        raise UsageError(
            f"--svg-screen: {shorten(str(svgs[1]))!r} is --svg's file too, and one would "
            "overwrite the other; give each its own, e.g. --svg chart.svg --svg-screen screen.svg"
        )
    check_svg(options.get("svg"), "--svg", bool(options.get("force")))
    check_svg(options.get("svg_screen"), "--svg-screen", bool(options.get("force")))


def one_file(first: str, second: str) -> bool:
    """Whether two paths name one file: the same path resolved ('./out.svg', a symbolic
    link), or an existing file by two names (a hard link; 'A.svg' and 'a.svg' where the
    file system ignores case)."""
    if Path(first).resolve() == Path(second).resolve():
        return True
    try:
        return Path(first).samefile(second)
    except OSError:  # either does not exist yet: two new files
        return False


def check_svg(svg: str | None, option: str, force: bool) -> None:
    """Refuse an --svg path that cannot be a new file, or that is a symbolic link or a
    read-only file (unless ``force``), before any work is done."""
    try:
        fine = svg is None or (not Path(svg).is_dir() and Path(svg).parent.is_dir())
    except OSError:  # a name the system refuses, e.g. too long
        fine = False
    if not fine:
        raise UsageError(
            f"{option}: cannot write {shorten(str(svg))!r}: give a file in "
            f"an existing folder, e.g. {option} tco.svg"
        )
    refusal = "" if force or svg is None or svg == "-" else replace_refusal(svg)
    if refusal:
        raise UsageError(
            f"{option}: {shorten(str(svg))!r} {refusal}: give another file, or add --force "
            "to replace it"
        )


def warn_percent_typos(given: Mapping[str, engine.Given], warn: Callable[[str], None]) -> None:
    """Warn about a fraction typed as less than one percent (``--utilization 0.9%``): almost
    surely 0.9 or 90 % was meant."""
    for item in given.values():
        span, spec = item.span, item.spec
        if span is None or span.typed is None or spec.unit or spec.maximum != 1.0:
            continue
        low, high = span.typed
        if low[1] in ("%", "percent") and 0 < low[0] < 1 and 0 < high[0] < 1:
            warn(
                f"{item.origin} {item.text}: that is {span.low:g}, under one percent; "
                f"did you mean {low[0]:g} (that is {100 * low[0]:g} %)?"
            )


def target_result(
    calc: Calculator, options: Mapping[str, Any], solve: engine.Solve | None = None
) -> Result:
    """The result a tornado or sweep chart is about: --target (a goal-seek's solved input
    among them), else a goal-seek's solved input (what each range moves is the answer: the
    result of its quantity, tco's power_per_gpu for --solve power), else the calculator's
    own."""
    results = engine.results_of(calc, solve)
    solved = [r.name for r in results if solve is not None and r.core == solve.unknown.core]
    default = next(iter(solved), calc.target)
    return find_result(calc, options.get("target") or default, "--target", calc.target, solve)


def run_batch(
    calc: Calculator,
    flags: Mapping[str, str],
    options: Mapping[str, Any],
    fmt: str,
    solve: engine.Solve | None = None,
) -> None:
    """``--input FILE`` (or ``-``): one scenario per line, as given, in chunks."""
    from tcoctl.pipeline import batch  # imported for batches only: it loads orjson

    names = (*VIEWS, "mark", "target", "samples", "svg", "svg_screen", "value", "sources")
    extras = [f"--{name.replace('_', '-')}" for name in names if options.get(name)]
    if options.get("seed") is not None:  # 0 is a seed too
        extras.append("--seed")
    if options.get("format") == "table":
        extras.append("--format table (batches write json or csv)")
    if extras:
        columns = "; each result is a column of --format csv" if options.get("value") else ""
        raise UsageError(
            f"--input runs each line as it is: drop {', '.join(extras)}{columns}, e.g. "
            + command_line(calc, flags, options, ["--format", "csv"] * bool(columns), batch=True)
        )
    for message in shadowing():
        warn_on_stderr(message)
    preset = choose_preset(calc, options.get("preset"), flags, batch=True)
    path = options["input"]
    if path == "-" and sys.stdin is None:  # started with stdin closed (<&-)
        raise UsageError(
            "--input -: standard input is closed; pipe scenarios in, e.g. "
            f"cat scenarios.jsonl | tcoctl {calc.name} --input -, or give a file"
        )
    try:  # bytes: each line is decoded on its own (a bad byte fails one line, not the file)
        stream = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    except OSError as error:
        raise UsageError(
            f"--input: cannot read {shorten(path)!r}: {error.strerror}; {READABLE}"
        ) from None
    try:
        with stream:
            shared = batch.BatchRun(calc, flags, preset, solve, bool(options.get("only_my_ranges")))
            read, failures = batch.batch(shared, stream, "json" if fmt == "table" else fmt)
    except IsADirectoryError:
        raise UsageError(f"--input: cannot read {shorten(path)!r}: a folder; {READABLE}") from None
    if not read:
        source = "standard input" if path == "-" else repr(shorten(path))
        raise UsageError(f"--input: no scenario lines in {source}; e.g. one JSON object a line")
    if failures == read:
        raise DomainError(f"--input: all {read:,} line(s) failed (see above); nothing was written")
    if failures:
        written = read - failures
        others = "the other line was" if written == 1 else f"the other {written:,} were"
        raise DomainError(
            f"--input: {failures:,} of {read:,} lines failed (see above); {others} written"
        )


READABLE = "expected a readable file or '-', e.g. '--input lines.jsonl' or '--input -'"
"""What --input takes, for a path it cannot read."""

BASELINE = "frontier-2024"
"""The first column of the default comparison, against which the ratios are taken."""


def compare(names: list[str], fmt: str | None, svg: str | None, force: bool = False) -> None:
    """Run each preset through each calculator it has figures for; scenarios of one
    calculator go through one core call; print them side by side."""
    check_svg(svg, "--svg-screen", force)
    for message in shadowing():
        warn_on_stderr(message)
    names = names or sorted(seed_scenarios(preset_files()), key=lambda n: (n != BASELINE, n))
    by_calc: dict[str, list[tuple[str, Preset, dict[str, engine.Given]]]] = {}
    for name in names:
        preset = load(name, "compare", kind="scenario", typed="tcoctl compare", run=True)
        for command in commands(preset):
            calc = CALCULATORS[command]
            for i, label in enumerate(engine.variants(calc, preset)):
                scenario = (label, preset, engine.gather(calc, {}, preset, i))
                by_calc.setdefault(command, []).append(scenario)
    reports = []
    for command, items in by_calc.items():
        labels, presets, scenarios = zip(*items, strict=True)
        calc = CALCULATORS[command]
        table = engine.Table.of(scenarios)
        found = route.evaluate(calc, table, labels, {}, None, presets, warn_on_stderr)
        reports += [found.report(row) for row in range(found.rows)]
    layout = output.Layout(fmt or output.default_format(), side_by_side=True, screen=svg)
    output.write(reports, layout)


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


def show_preset(name: str, fmt: str | None) -> None:
    """Print a preset's effective figures (with those it extends), each checked against its
    input's unit, with its source."""
    preset = load(name, "presets show", typed="tcoctl presets show")
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
                "as_of": entry.as_of,
            }
        )

    if preset.kind == "gpu":
        engine.gpu_figures(name)
    if preset.kind == "rates":
        rates_of(preset)
    for table in preset.sections if preset.kind == "rule" else []:
        engine.rule_figures(name, table, "presets show")
    for table, section in preset.sections.items() if preset.kind != "scenario" else []:
        for key, entry in section.items():
            record(table, key, entry, name)
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
    urls = list(dict.fromkeys(str(f["url"]) for f in figures if f["url"]))  # under the table
    compact = [
        {
            "figure": f"{f['section']}.{f['name']}",
            "value": str(f["value"]),
            "source": "\n".join(
                f"[{urls.index(str(f['url'])) + 1}]" if k == "url" else str(f[k])
                for k in ("source", "url", "quote", "note")
                if f[k]
            )
            + (f"\nas of {f['as_of']}" if f["as_of"] else ""),
        }
        for f in figures
    ]
    notes = [f"[{n}] {url}" for n, url in enumerate(urls, start=1)]
    output.write_records(output.Listing("figures", figures, header, compact, notes=notes), fmt)
