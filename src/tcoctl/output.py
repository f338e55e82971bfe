"""The one output layer: every command's Report goes out as a rich table, JSON or CSV.

JSON contract (schema_version 1), one object per scenario::

    {"schema_version": 1, "command": "flops", "preset": "run-1e30" | null,
     "inputs":  {"<name>": {"value": <number|string>, "unit": "<unit>", "low": .., "high": ..,
                            "from": "preset NAME (anchor replaced)"}},
     "results": {"<name>": {"value": <number>, "unit": "<unit>", "low": .., "high": ..,
                            "p05": .., "p50": .., "p95": ..}}, ...}

``low``/``high`` appear only for ranges, percentiles only with ``--samples``; units are pint's
short form and '' for fractions and counts; ``from`` appears only on an input a preset tied
to an option that replaced it (the preset's network cost after ``--gpu``; its GPU price when
the GPU's preset cites none), on a price the ``--gpu``'s hardware preset gave
(``"preset a100-sxm (gpu.price)"``), and on a preset
figure fitted per GPU taken from the pooled fit, the GPU having no fit of its own
(``"preset serving-fit [fit: pooled]"``), and on a fitted default used because nothing else
gave its quantity (``"preset training-fit (default)"``). Keys keep their order; later
versions only add.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO, cast

from tcoctl.errors import DomainError, UsageError, printable, shorten
from tcoctl.files import write_atomic
from tcoctl.notation import fmt_parts, scale_for
from tcoctl.provenance import period_end
from tcoctl.report import (
    ANCHOR_REPLACED,
    DEFAULTED,
    FITTED,
    GPU_PRICE_MARK,
    PERCENTILE_SPAN,
    Report,
    Row,
    needs_text,
)
from tcoctl.specs import label_of
from tcoctl.streams import write_all
from tcoctl.units import short

SCHEMA_VERSION = 1
STAT_KEYS = ("low", "high", "p05", "p50", "p95")


def make_console(out: TextIO, record: bool = False) -> Any:
    """The rich console every table view prints through. A closed pipe raises
    BrokenPipeError for the CLI to end quietly (rich itself would exit with 1)."""
    from rich.console import Console  # rich loads only for tables: JSON and CSV runs start faster

    class PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

        def render_str(self, text: str, *args: Any, **kwargs: Any) -> Any:
            return super().render_str(printable(text), *args, **kwargs)

    trimmed = cast(TextIO, Trimmed(out))  # a stream by its methods (the rest delegated)
    return PipeConsole(file=trimmed, record=record, highlight=False, width=fallback_width())


TRAILING_SPACES = re.compile(r" +((?:\x1b\[[0-9;]*m)*)\n")
"""Spaces that end a line, before any style codes that close it."""


class Trimmed:
    """A text stream that drops the spaces ending each line written to it (rich pads every
    table cell to its column's width, the last column too)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, text: str) -> int:
        return self.out.write(TRAILING_SPACES.sub(r"\1\n", text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.out, name)


def fallback_width() -> int | None:
    """80 columns when COLUMNS asks for fewer than 20 (COLUMNS=0 would print nothing)."""
    columns = os.environ.get("COLUMNS", "").strip()
    return 80 if columns and (not columns.isdigit() or int(columns) < 20) else None


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run (OWASP CSV injection): control characters
    other than tab and line feed are escaped (a CR starts a row for a reader that ignores
    quotes), and a line of text whose first non-blank character is = + - @ (or that starts
    with a tab) gets a leading '; numbers (-1.5, 1e-3) stay as they are; lists become
    'a; b'."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    if not isinstance(value, str):
        return value
    try:
        float(value if value.strip() == value else "x")
        return value
    except ValueError:
        pass
    lines = printable(value, keep="\n\t").split("\n")
    return "\n".join(
        "'" + line if line.lstrip(" ").startswith(FORMULA_START) else line for line in lines
    )


SLOT = "\x00"
"""A value a batch template leaves open (``member_template`` writes it ``%s``)."""


def shows_origin(origin: str) -> bool:
    """Whether JSON names where an input came from (``from``): a preset figure an option
    replaced the anchor of, a price a --gpu's hardware preset gave, a per-GPU figure from
    the pooled fit, a fitted default."""
    marked = origin.endswith((ANCHOR_REPLACED, GPU_PRICE_MARK))
    return marked or FITTED in origin or DEFAULTED in origin


def member(row: Row, label: str | None = None) -> dict[str, Any]:
    """The one JSON object of an input or a result, in the contract's order: value, unit,
    ``from`` (``shows_origin``), ``label`` (a coded result's name for its value), low/high
    and percentiles, ``as_of``. Single runs and batch records are both written from it."""
    item: dict[str, Any] = {"value": row.value, "unit": row.unit}
    if shows_origin(row.origin):
        item["from"] = row.origin
    if label is not None:
        item["label"] = label
    item.update(row.stats)
    if row.as_of is not None:
        item["as_of"] = row.as_of
    return item


def row_label(row: Row) -> str | None:
    """A coded result's name for its value (supply's binding: hbm), None for others."""
    return label_of(row.labels, row.value) if row.labels and isinstance(row.value, float) else None


def member_text(row: Row, label: str | None = None) -> str:
    """``"name": {..}``: the row's ``member`` as text, as ``dumps`` writes it."""
    return f"{json.dumps(row.name)}: {dumps(member(row, label))}"


def member_template(row: Row, label: str | None = None) -> str:
    """``member_text`` as a %-template: each SLOT value is ``%s``, any other % doubled."""
    return member_text(row, label).replace("%", "%%").replace(json.dumps(SLOT), "%s")


def to_json(report: Report) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "command": report.command,
        "preset": report.preset,
        "inputs": {row.name: member(row, row_label(row)) for row in report.inputs},
        "results": {row.name: member(row, row_label(row)) for row in report.results},
        **report.extra,
    }


MACHINE_DIGITS = 15
"""Significant digits of a number in JSON, CSV and --value: the most a float64 holds
faithfully (DBL_DIG, C11 5.2.4.2.2), so a typed 0.35 comes back as 0.35, not as the
0.35000000000000003 that arithmetic in other units leaves."""


def faithful(x: float) -> float:
    """``x`` rounded to MACHINE_DIGITS significant digits (its repr is then what was typed);
    ``x`` itself where rounding would overflow (near the largest float)."""
    rounded = float(f"{x:.{MACHINE_DIGITS}g}")
    return rounded if math.isfinite(rounded) else x


def machine_text(x: float) -> str:
    """A number for JSON and CSV: the shortest text of ``x`` to MACHINE_DIGITS digits."""
    return repr(faithful(x))


def _faithful_tree(data: Any) -> Any:
    """A JSON document with every float made ``faithful``."""
    if isinstance(data, float):
        return faithful(data)
    if isinstance(data, dict):
        return {key: _faithful_tree(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_faithful_tree(value) for value in data]
    return data


def dumps(data: Any) -> str:
    """JSON with no NaN or Infinity (a ValueError is a bug upstream, never silent output),
    numbers to MACHINE_DIGITS significant digits."""
    return json.dumps(_faithful_tree(data), allow_nan=False)


def csv_rows(report: Report, scenario: str | None = None) -> list[list[str]]:
    rows = []
    for section, items in (("input", report.inputs), ("result", report.results)):
        for row in items:
            stats = [machine_text(row.stats[k]) if k in row.stats else "" for k in STAT_KEYS]
            value = row.value if isinstance(row.value, str) else machine_text(row.value)
            if row.labels:  # a coded result by name, as in the table and JSON's "label"
                value = label_of(row.labels, float(row.value))
                stats = [
                    label_of(row.labels, row.stats[k]) if k in row.stats else "" for k in STAT_KEYS
                ]
            rows.append(
                [
                    scenario or report.preset or "",
                    report.command,
                    section,
                    row.name,
                    value,
                    row.unit,
                    *stats,
                ]
            )
    return rows


CSV_HEADER = ["scenario", "command", "section", "name", "value", "unit", *STAT_KEYS]


@dataclass(frozen=True)
class Layout:
    """How a run's reports go out: ``fmt`` ``table``, ``json`` or ``csv``; in a table view,
    each command's scenarios in columns of one table (``side_by_side``, tcoctl compare) and
    the inputs' citations (``sources``); and the files saved first: the charts as SVG
    (``svg``) and the table view as SVG (``screen``), either of which ``-`` writes to
    stdout instead of the rest."""

    fmt: str
    side_by_side: bool = False
    sources: bool = False
    svg: str | None = None
    screen: str | None = None


def write(reports: list[Report], layout: Layout) -> None:
    """Write reports to stdout as ``layout`` says: a table view, JSON (JSON Lines for
    several) or CSV (with --sweep, --tornado, --explain or --map: that view's own tidy
    table)."""
    if layout.svg:  # files first: if one cannot be written, nothing has gone to stdout yet
        write_charts(reports, layout.svg)
        if layout.svg == "-":  # the SVG is the output
            return
    if layout.screen:
        render(reports, io.StringIO(), layout, layout.screen)
        if layout.screen == "-":
            return
    if layout.fmt == "json":
        for report in reports:
            sys.stdout.write(dumps(to_json(report)) + "\n")
    elif layout.fmt == "csv":
        write_csv(reports, sys.stdout)
    else:
        render(reports, sys.stdout, layout)


def render(reports: list[Report], out: TextIO, layout: Layout, svg: str | None = None) -> None:
    """The table view of ``reports`` (side by side, or each report's tables), saved as SVG
    to ``svg`` if given."""
    if layout.side_by_side:
        render_side_by_side(reports, out, svg)
    else:
        render_tables(reports, out, svg, layout.sources)


def write_csv(reports: list[Report], out: TextIO) -> None:
    """Reports as CSV: a row per input and result, or the tidy rows of the view they have."""
    writer = csv.writer(out, lineterminator="\n")
    view = next((key for key in VIEW_COLUMNS for r in reports if key in r.extra), None)
    if view is None:
        writer.writerow(CSV_HEADER)
        for report in reports:
            writer.writerows([map(csv_cell, row) for row in csv_rows(report)])
        return
    writer.writerow(["scenario", *VIEW_COLUMNS[view](reports[0].extra[view])])
    for report in reports:
        writer.writerows(
            map(csv_cell, [report.preset or "", *cells])
            for cells in view_rows(view, report.extra[view])
        )


def write_charts(reports: list[Report], path: str) -> None:
    """Every chart of the reports in one SVG file; an unwritable path is a usage error."""
    from tcoctl.charts import svg_document  # charts load rich: only for --svg

    charts = [
        v for report in reports for v in (*report.answer, *report.visuals) if hasattr(v, "svg")
    ]
    if not charts:
        raise UsageError("--svg: this run draws no chart; add --tornado or --sweep")
    write_file(path, svg_document(charts), "--svg")


def _sweep_results(section: dict[str, Any]) -> dict[str, Any]:
    """A sweep's result columns for CSV: without a result echoing the swept input (tco's
    gpus), which the first column already holds, so that no column name repeats."""
    return {k: v for k, v in section["results"].items() if k != section["input"]}


def _sweep_columns(section: dict[str, Any]) -> list[str]:
    columns = [f"{section['input']} [{section['unit']}]".replace(" []", "")]
    for name, column in _sweep_results(section).items():
        columns.append(f"{name} [{column['unit']}]".replace(" []", ""))
        columns += [f"{name} {key}" for key in ("low", "high") if key in column]
    return columns


VIEW_COLUMNS: dict[str, Callable[[Any], list[str]]] = {
    "sweep": _sweep_columns,
    "tornado": lambda section: ["target", "unit", "centre", "input", "at_low", "at_high", "swing"],
    "explain": lambda section: ["line", "text"],
    "map": lambda section: ["cells", "count"],
}
"""The header of each view's tidy CSV (after the scenario column)."""


def _csv_text(value: Any) -> str:
    return "" if value is None else machine_text(value) if isinstance(value, float) else str(value)


def view_rows(view: str, section: Any) -> list[list[str]]:
    """A view's tidy CSV rows: one per sweep point, tornado bar, explain line or map count."""
    if view == "sweep":
        rows = []
        for i, x in enumerate(section["x"]):
            cells = [_csv_text(x)]
            for column in _sweep_results(section).values():
                cells += [_csv_text(column[k][i]) for k in ("value", "low", "high") if k in column]
            rows.append(cells)
        return rows
    if view == "tornado":
        head = [section["target"], section["unit"], _csv_text(section["centre"])]
        return [
            [
                *head,
                bar["input"],
                _csv_text(bar["at_low"]),
                _csv_text(bar["at_high"]),
                _csv_text(bar["swing"]),
            ]
            for bar in section["bars"]
        ]
    if view == "explain":
        return [[str(i), line] for i, line in enumerate(section, start=1)]
    return [[key, str(count)] for key, count in section.items()]


def save_svg(console: Any, svg: str) -> None:
    """Save a recorded console as SVG; an unwritable path is a usage error."""
    text = console.export_svg(title="tcoctl", code_format=offline_svg_format())
    write_file(svg, text, "--svg")


def write_file(path: str, text: str, option: str) -> None:
    """Write an output file (``-``: stdout) through a temporary file renamed into place, so
    that a full disk leaves an old file intact."""
    if path == "-":
        sys.stdout.write(text)
        return
    try:
        write_atomic(path, text)
    except OSError as error:
        raise DomainError(
            f"cannot write output: {option} {shorten(path)!r}: {error.strerror or error}"
        ) from None


def offline_svg_format() -> str:
    """rich's SVG template without its web fonts and comment link: the file loads nothing
    (it keeps the SVG namespace name, which browsers need and never fetch)."""
    from rich._export_format import CONSOLE_SVG_FORMAT  # rich loads only for --svg

    text: str = re.sub(r"@font-face \{\{.*?\}\}\s*", "", CONSOLE_SVG_FORMAT, flags=re.DOTALL)
    return re.sub(r"<!--.*?-->\s*", "", text)


def table_origin(origin: str) -> str:
    """An input's origin as a table shows it: a calculator's fitted default reads
    ``default (training-fit)``, JSON's ``preset training-fit (default)`` turned round, so
    that a default run's inputs fit 80 columns without a wrapped line."""
    preset, marked, rest = origin.partition(f" {DEFAULTED}")
    if not marked or not preset.startswith("preset "):
        return origin
    return f"default ({preset.removeprefix('preset ')}){rest}"


def _rows_table(title: str, rows: list[Row], bars: tuple[str, ...], origin: bool) -> Any:
    """A borderless table: name, value, unit, low .. high (if any), then a share bar or the
    input's origin."""
    from rich import box  # rich loads only for tables: JSON and CSV runs start faster
    from rich.markup import escape  # rich loads only for tables: JSON and CSV runs start faster
    from rich.table import Table

    from tcoctl.charts import bar  # charts load rich: only for tables

    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,  # two spaces between columns: a Monte Carlo row fits 80
    )
    table.add_column("result" if not origin else "input", style="bold", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)  # names and numbers never cut
    table.add_column("unit", no_wrap=True)
    ranged = any("low" in row.stats for row in rows)
    sampled = any("p05" in row.stats for row in rows)
    if ranged:
        table.add_column("low .. high", no_wrap=True)
    if sampled:  # the percentiles take the place of the share bars: a row stays one line
        table.add_column("p05 .. p95", no_wrap=True)
    if origin:
        table.add_column("from")
    elif not sampled and any(row.name in bars for row in rows):
        table.add_column("share", style="cyan")
    for row in rows:
        exp, _ = (
            scale_for(row.value, row.unit, row.figures) if isinstance(row.value, float) else (0, "")
        )
        value, unit = fmt_parts(row.value, row.unit, exp, row.figures)
        if row.labels and isinstance(row.value, float):
            value = label_of(row.labels, row.value)
        cells = [row.name, value, unit, *([row.spread(exp)] if ranged else [])]
        if sampled:
            cells.append(row.spread(exp, PERCENTILE_SPAN))
        if origin:
            cells.append(table_origin(row.origin))
        elif not sampled and row.name in bars and isinstance(row.value, float):
            cells.append(bar(row.value, 20))
        table.add_row(*map(escape, cells))
    return table


def print_whole(console: Any, table: Any) -> None:
    """``table`` at the console's width, or wider where its no-wrap columns (names, numbers)
    need it (a terminal wraps the longer lines): rich would cut them to fit. Other columns
    (an input's origin) wrap."""
    from rich.measure import Measurement  # rich loads only for tables

    wide = console.options.update_width(1 << 16)
    for column in table.columns:
        if column.no_wrap:  # its whole width is its least
            cells = [column.header, *column.cells]
            column.min_width = max(Measurement.get(console, wide, c).maximum for c in cells)
    needed = Measurement.get(console, wide, table).minimum
    width = console.width
    console.width = max(width, needed)  # print's own width= cannot exceed the console's
    try:
        console.print(table)
    finally:
        console.width = width


def render_tables(
    reports: list[Report], out: TextIO, svg: str | None = None, sources: bool = False
) -> None:
    """Each scenario's answer to its options (a tornado, a sweep and its crossing), its
    results (headline first), then its inputs with where each came from, then its charts;
    ``sources`` adds every input's full citation."""
    console = make_console(out, record=svg is not None)
    for report in reports:
        _render_report(console, report, sources)
    if svg:
        save_svg(console, svg)


def _render_report(console: Any, report: Report, sources: bool) -> None:
    """One scenario's tables (``render_tables``) on ``console``."""
    from rich.markup import escape  # rich loads only for tables: JSON and CSV runs start faster

    title = escape(
        f"tcoctl {report.command}" + (f" — preset {report.preset}" if report.preset else "")
    )
    for visual in report.answer:
        console.print(charts_rich(visual, console.width))
    shown = [row for row in report.ordered() if row.name not in report.tucked]
    if shown:
        print_whole(console, _rows_table(f"[bold]{title}[/]", shown, report.bars, False))
    else:  # a sweep's input may be what alone determines the results: they are above
        above = "; the sweep above gives them" if report.answer or report.visuals else ""
        console.print(f"[bold]{title}[/]: no result at these inputs alone{above}")
    hint = "" if sources else " (citations: --sources)"
    print_whole(console, _rows_table(f"inputs{hint}", report.inputs, (), True))
    if sources:
        cited = [row for row in report.inputs if row.source and row.source != row.origin]
        for row in cited:
            console.print(f"[bold]{escape(row.name)}[/]: {escape(row.source)}")
    for rate in report.extra.get("exchange_rates", []):
        console.print(escape(rate_line(rate)))
    more = len(shown) < len(report.results)
    if report.extra.get("missing") or more:
        console.print(missing_note(report.extra.get("missing", {}), more))
    for visual in (charts_rich(v, console.width) for v in report.visuals):
        if visual is not None:
            console.print(visual)
    for line in report.extra.get("explain", []):
        console.print(escape(line))


def rate_line(rate: dict[str, Any]) -> str:
    """An exchange rate a run used, for the table view (its source is in the JSON)."""
    return (
        f"exchange rate: 1 {rate['currency']} = {rate['usd_per_unit']:.6g} USD, as of "
        f"{rate['as_of']} (preset {rate['preset']})"
    )


def charts_rich(visual: Any, columns: int) -> Any:
    """A chart (tcoctl.charts) as a rich renderable ``columns`` wide; anything else as it
    is."""
    render = getattr(visual, "rich", None)
    return render(columns=columns) if callable(render) else visual


def render_side_by_side(reports: list[Report], out: TextIO, svg: str | None = None) -> None:
    """One comparison per command (tcoctl.sidebyside): a column per scenario, a row per
    result and input."""
    from tcoctl.sidebyside import layout  # loads rich: only for compare's tables

    console = make_console(out, record=svg is not None)
    for command in dict.fromkeys(report.command for report in reports):
        for line in layout([r for r in reports if r.command == command], console.width):
            console.print(line, soft_wrap=True)
    if svg:
        save_svg(console, svg)


def missing_note(missing: dict[str, list[list[str]]], tucked: bool = False) -> Any:
    """The table view's note on results not computed and the options that would give them,
    and on details left out (``tucked``)."""
    from rich.text import Text  # rich loads only for tables: JSON and CSV runs start faster

    if not missing:
        return Text("more results (details) in --format json", style="dim")
    name, groups = next(iter(missing.items()))
    ways = needs_text(groups)
    text = f"not computed: {name}" + (f" (needs {ways})" if ways else "")
    if tucked:
        text += "; more in --format json"
    elif len(missing) > 1:
        text += f" +{len(missing) - 1} more in --format json"
    return Text(text, style="dim")


def numbers_text(values: Any) -> list[str]:
    """Floats as their shortest text to MACHINE_DIGITS digits (the number ``machine_text``
    gives), '' where not finite, formatted by orjson in one call, since a batch's time is
    otherwise mostly this. Values from 1e-4 to 1e15 (where
    orjson writes what repr writes) are rounded to MACHINE_DIGITS digits as arrays: the
    integer mantissa m = rint(x 10^k) is exact, and m / 10^k is the float nearest the
    rounded decimal, as float(f"{x:.15g}") is; x 10^k is off by at most 1/16 (half an ulp
    below 2^53), so where its fraction lies within 0.07 of one half, and elsewhere, each
    value goes through machine_text itself."""
    import numpy as np  # numpy and orjson load only for batches: start-up

    array = np.asarray(values, dtype=float).ravel()
    magnitude = np.abs(array)
    with np.errstate(all="ignore"):
        fast = (magnitude >= 1e-4) & (magnitude < 1e15)  # not NaN or infinite either
        exponent = np.where(fast, (MACHINE_DIGITS - 1) - np.floor(np.log10(magnitude)), 0.0)
        scaled = array * 10.0**exponent  # exponent 0 to 18 (else slow): 10^exponent exact
        mantissa = np.rint(scaled)
        fast &= np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) >= 0.07
        fast &= (exponent >= 0) & (np.abs(scaled) >= 10.0 ** (MACHINE_DIGITS - 1))
        fast &= np.abs(mantissa) < 10.0**MACHINE_DIGITS  # log10 was not off by one
        rounded = np.where(fast, mantissa / 10.0**exponent, 0.0)
    texts = np.array(_orjson_texts(rounded), dtype=object)
    slow = np.flatnonzero(~fast)
    for at, text, value in zip(
        slow.tolist(), _orjson_texts(array[slow]), array[slow].tolist(), strict=True
    ):
        texts[at] = "" if text == "null" else machine_text(value) if len(text) > 16 else text
    found: list[str] = texts.tolist()
    return found


def _orjson_texts(array: Any) -> list[str]:
    """Each float of a 1-D array as orjson writes it ('null' where not finite)."""
    import orjson  # loads only for batches: start-up

    if not len(array):
        return []
    return str(orjson.dumps(array, option=orjson.OPT_SERIALIZE_NUMPY).decode())[1:-1].split(",")


@dataclass(frozen=True)
class BatchForm:
    """What the records of a group of batch lines share: the command and its preset, the
    format (``json`` or ``csv``), the results reported (specs with ``name``, ``display``
    and ``labels``) and each result's as_of (None where undated; () for none)."""

    command: str
    preset: str | None
    fmt: str
    results: Sequence[Any]
    as_of: Sequence[str | None] = ()


def batch_records(form: BatchForm, lines: list[int], inputs: list[str], values: Any) -> list[str]:
    """The records of a group of batch lines, as text: JSON Lines in the output contract
    (``inputs`` are each line's JSON members), or CSV rows (``inputs`` are each line's
    options as JSON). ``values`` is (lines, 3 x results): each result's value, low and high
    in its display unit, NaN where absent; a non-finite value leaves the result out, and
    low/high show where both are finite. Lines that share which results they have are
    formatted with one template each, their numbers by orjson in one call."""
    import numpy as np  # loads only for batches: start-up

    values = np.asarray(values, dtype=float)
    present = np.isfinite(values[:, 0::3])
    spread = present & np.isfinite(values[:, 1::3]) & np.isfinite(values[:, 2::3])
    count = len(form.results)
    named = [j for j, result in enumerate(form.results) if result.labels]
    cases = np.nan_to_num(values[:, [3 * j + k for j in named for k in (0, 1, 2)]])
    cases = cases.astype(np.uint8)
    flags = np.hstack([present, spread])
    packed = np.ascontiguousarray(np.hstack([np.packbits(flags, axis=1), cases]))
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()  # one key per shape
    _, first, which = np.unique(keys, return_index=True, return_inverse=True)
    head = (
        f'{{"schema_version": {SCHEMA_VERSION}, "command": "{form.command}", "preset": '
        f'{json.dumps(form.preset)}, "line": '
    )
    records = [""] * len(lines)
    for shape_index, line in enumerate(first.tolist()):
        rows = np.flatnonzero(which.ravel() == shape_index)
        codes = cases[line].tolist()
        shape = Shape(
            flags[line, :count].tolist(),
            flags[line, count:].tolist(),
            {j: tuple(codes[3 * n : 3 * n + 3]) for n, j in enumerate(named)},
        )
        if form.fmt == "csv":
            template, columns = _csv_template(form, shape), shape.columns(csv_cells=True)
        else:
            template, columns = _json_template(form, shape), shape.columns(csv_cells=False)
        width = len(columns)
        texts = numbers_text(values[rows][:, np.array(columns, dtype=np.intp)].ravel())
        for n, row in enumerate(rows.tolist()):
            body = template % tuple(texts[n * width : (n + 1) * width])
            if form.fmt == "csv":
                quoted = inputs[row].replace('"', '""')
                records[row] = f'{lines[row]},"{quoted}",{body}'
            else:
                records[row] = f'{head}{lines[row]}, "inputs": {{{inputs[row]}}}, {body}'
    return records


@dataclass(frozen=True)
class Shape:
    """Which results a batch line has (``has``), which with low and high (``wide``), and
    each coded result's value, low and high codes (``cases``, by result index)."""

    has: list[bool]
    wide: list[bool]
    cases: dict[int, tuple[int, int, int]]

    def columns(self, csv_cells: bool) -> list[int]:
        """The columns of the values table a template's %s take: value, low and high of
        each result present (value alone where not ``wide``); CSV names a coded result."""
        written = [
            j for j, has in enumerate(self.has) if has and not (csv_cells and j in self.cases)
        ]
        return [3 * j + k for j in written for k in ((0, 1, 2) if self.wide[j] else (0,))]


def _json_template(form: BatchForm, shape: Shape) -> str:
    """A %-template for one shape of results: ``"results": {..}`` with the ``member`` of
    each present result (a coded result with its ``label``), then the record's ``as_of``,
    the oldest of theirs, as a single run has it."""
    parts, dates = [], []
    for j, result in enumerate(form.results):
        if not shape.has[j]:
            continue
        as_of = form.as_of[j] if form.as_of else None
        label = label_of(result.labels, float(shape.cases[j][0])) if j in shape.cases else None
        stats = {"low": SLOT, "high": SLOT} if shape.wide[j] else {}
        row = Row(result.name, SLOT, short_unit(result.display), stats, as_of=as_of)  # type: ignore[arg-type]
        parts.append(member_template(row, label))
        dates += [as_of] if as_of else []
    oldest = f', "as_of": {json.dumps(min(dates, key=period_end))}' if dates else ""
    return f'"results": {{{", ".join(parts)}}}{oldest}}}'


def _csv_template(form: BatchForm, shape: Shape) -> str:
    """A %-template for one shape of results: three CSV cells per result (empty where
    absent, low and high empty where not ``wide``; a coded result's by name)."""
    parts = []
    for j, result in enumerate(form.results):
        cells = ["%s", "%s", "%s"] if shape.wide[j] else ["%s", "", ""]
        if j in shape.cases:
            names = [label_of(result.labels, float(code)) for code in shape.cases[j]]
            cells = [name if cell else "" for name, cell in zip(names, cells, strict=True)]
        parts.append(",".join(cells) if shape.has[j] else ",,")
    return ",".join(parts)


def batch_csv_header(results: Any) -> str:
    """The header of a batch's CSV: line, input, then value, low and high per result."""
    columns = [
        name
        for r in results
        for name in (
            f"{r.name} [{short_unit(r.display)}]".replace(" []", ""),
            f"{r.name} low",
            f"{r.name} high",
        )
    ]
    return ",".join(["line", "input", *(f'"{c}"' if "," in c else c for c in columns)])


def short_unit(unit: str) -> str:
    return str(short(unit))


def input_member(given: Any, origin: str = "") -> str:
    """An input's JSON member, for batch records (which cache it per option text); with
    ``origin``, where it came from."""
    value, unit, stats = given.display()
    return member_text(Row(given.spec.name, value, unit, stats, origin=origin))


def write_values(values: Sequence[float | str]) -> None:
    """``--value``: one line per scenario, a plain number to MACHINE_DIGITS digits (a whole
    number without decimals), or a name."""
    lines = [
        value
        if isinstance(value, str)
        else str(int(faithful(value)))
        if faithful(value).is_integer() and abs(value) < 2**53
        else machine_text(value)
        for value in values
    ]
    sys.stdout.write("".join(line + "\n" for line in lines))


def write_whole(text: str) -> None:
    """Write ``text`` to stdout and flush, whole even when a signal arrives while a pipe is
    full: through os.write on the descriptor (retried after a handled signal, PEP 475), since
    the buffered text layer was seen to drop the tail of a write larger than the pipe's 64 KiB
    when a signal interrupted it. A stdout without a descriptor (a test's capture) is written
    as usual."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    sys.stdout.flush()
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    write_all(descriptor, text.encode(encoding, getattr(sys.stdout, "errors", None) or "strict"))


def write_chunk(text: str, notes: Sequence[str], errors: Sequence[str]) -> None:
    """One chunk of a batch: its warnings, its records (whole lines, one write) and its
    errors, flushed so that a pipeline sees them at once."""
    sys.stderr.write("".join(f"tcoctl: warning: {note}\n" for note in notes))
    write_whole(text)
    sys.stderr.write("".join(f"tcoctl: error: {error}\n" for error in errors))
    sys.stderr.flush()


@dataclass(frozen=True)
class Listing:
    """A listing (presets, preset figures): ``records`` under ``key``, after the ``header``
    keys; for a table, a narrower view of the records (``table_records``) and ``notes``
    printed after it; ``fields`` name the columns when there may be no records."""

    key: str
    records: list[dict[str, Any]]
    header: dict[str, Any] = field(default_factory=dict)
    table_records: list[dict[str, str]] | None = None
    fields: Sequence[str] = ()
    notes: Sequence[str] = ()


def write_records(listing: Listing, fmt_name: str | None) -> None:
    """Write a listing to stdout: JSON ``{schema_version, **header, key: records}``, CSV
    with one line per record, or a rich table with one row per record (of
    ``table_records``, when given; a word too long for its column folds, never cut) and
    then the ``notes``, each on a line of its own, never wrapped or cut (the URLs the table
    refers to)."""
    out, records, fields = sys.stdout, listing.records, listing.fields
    fmt_name = fmt_name or default_format()
    if fmt_name == "json":
        out.write(dumps({"schema_version": SCHEMA_VERSION, **listing.header, listing.key: records}))
        out.write("\n")
    elif fmt_name == "csv":
        names = list(records[0]) if records else list(fields)
        writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows({key: csv_cell(value) for key, value in r.items()} for r in records)
    else:
        from rich.markup import escape  # rich loads only for tables: JSON and CSV runs start faster
        from rich.table import Table

        title = " — ".join(str(v) for v in listing.header.values() if v) or listing.key
        rows = listing.table_records or records
        table = Table(title=escape(title), show_lines=True)
        for name in rows[0] if rows else fields:  # a long word folds onto the next line,
            table.add_column(name, overflow="fold")  # never cut to '…'
        for record in rows:
            table.add_row(*(escape("" if v is None else str(v)) for v in record.values()))
        console = make_console(out)
        console.print(table)
        for note in listing.notes:
            console.print(note, soft_wrap=True, markup=False, highlight=False)


def default_format() -> str:
    """A table for people at a terminal, JSON for pipes and scripts."""
    return "table" if sys.stdout.isatty() else "json"


def _percent(value: float | None, sign: bool = False) -> str:
    return "" if value is None else f"{100 * value:{'+' if sign else ''}.1f} %"


def _plain_table(title: str, columns: Sequence[str], left: int) -> Any:
    """A borderless table titled ``title`` whose first ``left`` columns align left and
    are never cut (names)."""
    from rich import box  # rich loads only for tables: JSON and CSV runs start faster
    from rich.table import Table

    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False
    )
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i < left else "right", no_wrap=i < left)
    return table


CASE_COLUMNS = ("pass", "unit", "expected", "got", "low .. high", "error", "uncal.")
CASE_LEFT = 2
"""Of CASE_COLUMNS, how many align left (the rest are numbers)."""


def case_lines(cases: Sequence[dict[str, Any]], width: int) -> list[str]:
    """``tcoctl validate``'s cases as aligned lines: the id and its kind (published, or the
    split of a measurement), then its verdict, unit (scaled to the expected value),
    expected, got, low .. high, its error and the uncalibrated baseline's (``uncal.``:
    inference's roofline, flops at MFU 1 and draw fraction 1). An id is never cut:
    where ids and figures do not fit one line, each id has a line of its own above its
    figures."""
    rows = [list(CASE_COLUMNS)]
    for case in cases:
        exp, unit = scale_for(case["expected"], case["unit"])

        def shown(value: float | None, unit: str = case["unit"], exp: int = exp) -> str:
            return "" if value is None else fmt_parts(value, unit, exp)[0]

        ranged = case["low"] is not None and case["low"] != case["high"]
        rows.append(
            [
                _verdict(case),
                unit,
                shown(case["expected"]),
                shown(case["got"]),
                f"{shown(case['low'])} .. {shown(case['high'])}" if ranged else "",
                _percent(case["error"], sign=True),
                _percent(case.get("uncalibrated_error"), sign=True),
            ]
        )
    widths = [max(len(row[k]) for row in rows) for k in range(len(CASE_COLUMNS))]
    figures = [
        "  ".join(
            cell.ljust(w) if k < CASE_LEFT else cell.rjust(w)
            for k, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    names = [("case", "kind"), *((printable(c["id"]), c["split"] or c["kind"]) for c in cases)]
    kind = max(len(k) for _, k in names)
    lead = max(len(name) for name, _ in names) + 2 + kind
    if lead + 2 + max(map(len, figures)) <= width:
        heads = [f"{name.ljust(lead - kind - 2)}  {k.ljust(kind)}" for name, k in names]
        return [f"{head}  {line}".rstrip() for head, line in zip(heads, figures, strict=True)]
    pairs = zip((f"{name}  ({k})" for name, k in names), figures, strict=True)
    return [line for pair in pairs for line in pair]


def _verdict(case: dict[str, Any]) -> str:
    if "skipped" in case:
        return "skipped"
    if "message" in case:
        return "error"
    return "yes" if case["pass"] else "NO"


VALIDATION_CSV_COLUMNS = (
    *("id", "calculator", "kind", "split", "result", "unit", "expected", "got", "low"),
    *("high", "error", "pass", "uncalibrated", "uncalibrated_error"),
)
"""The columns of ``tcoctl validate --format csv``: a row per case, as its JSON has them."""


def write_validation(
    document: dict[str, Any], fmt_name: str | None, out: TextIO | None = None
) -> None:
    """``tcoctl validate``: JSON ``{schema_version, cases, summary}``, or tables: each case
    (its error, and for a measurement the uncalibrated baseline's beside it), then per
    calculator and, for measurements, per split."""
    out = out or sys.stdout
    fmt_name = fmt_name or default_format()
    if fmt_name == "json":
        out.write(dumps({"schema_version": SCHEMA_VERSION, **document}) + "\n")
        return
    if fmt_name == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(VALIDATION_CSV_COLUMNS)
        for case in document["cases"]:
            writer.writerow(
                csv_cell(_csv_text(case.get(column))) for column in VALIDATION_CSV_COLUMNS
            )
        return
    from rich.markup import escape  # rich loads only for tables: JSON and CSV runs start faster

    console = make_console(out)
    console.print(
        "[bold]tcoctl validate[/] — each case (kind: published, or the split of a measurement)"
    )
    for line in case_lines(document["cases"], console.width):
        console.print(line, soft_wrap=True, markup=False, highlight=False)
    summary = document["summary"]
    columns: tuple[str, ...] = ("group", "cases", "passing", "mean |error|", "max |error|")
    totals = _plain_table(
        "[bold]per calculator and kind[/] (error: |got - expected| / expected)", columns, 1
    )
    groups = {
        **summary["by_calculator"],
        "published": summary["published"],
        "bound": summary["bound"],
    }
    for name, group in groups.items():
        if not group["count"]:
            continue  # a kind with no case here (no bound case; no published one of a calculator)
        totals.add_row(
            escape(name),
            str(group["count"]),
            str(group["passing"]),
            _percent(group["mean_abs_error"]),
            _percent(group["max_abs_error"]),
        )
    console.print(totals)
    if summary["measured"]:
        _measured_table(console, summary)
    console.print(
        f"{summary['ran']} cases run, {summary['passing']} passing, {summary['skipped']} skipped "
        "(waiting for an option, result or default still to come)"
    )


def _measured_table(console: Any, summary: dict[str, Any]) -> None:
    """validate's measurements per calculator and split, the uncalibrated baseline beside."""
    from rich.markup import escape  # rich loads only for tables: JSON and CSV runs start faster

    columns = (
        "calculator",
        "split",
        "cases",
        "mean |error|",
        "max |error|",
        "inside range",
        "uncal. mean |error|",
        "uncal. max |error|",
    )
    baselines = "; ".join(f"{name} {words}" for name, words in summary["uncalibrated"].items())
    title = (
        "[bold]measurements[/]: the default estimate, and the uncalibrated baseline (uncal.; "
        f"inference's is its roofline bound): {escape(baselines)}"
    )
    measured = _plain_table(title, columns, 2)
    for name, splits in summary["measured"].items():
        for split, group in splits.items():
            inside = group["inside_range"]
            measured.add_row(
                escape(name),
                split,
                str(group["count"]),
                _percent(group["mean_abs_error"]),
                _percent(group["max_abs_error"]),
                "" if inside is None else _percent(inside),
                _percent(group["uncalibrated_mean_abs_error"]),
                _percent(group["uncalibrated_max_abs_error"]),
            )
    console.print(measured)
