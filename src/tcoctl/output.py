"""The one output layer: every command's Report goes out as a rich table, JSON or CSV.

JSON contract (schema_version 1), one object per scenario::

    {"schema_version": 1, "command": "flops", "preset": "run-1e30" | null,
     "inputs":  {"<name>": {"value": <number|string>, "unit": "<unit>", "low": .., "high": ..}},
     "results": {"<name>": {"value": <number>, "unit": "<unit>", "low": .., "high": ..,
                            "p05": .., "p50": .., "p95": ..}}, ...}

``low``/``high`` appear only for ranges, percentiles only with ``--samples``; units are pint's
short form and '' for fractions and counts. Keys keep their order; later versions only add.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from tcoctl.errors import DomainError, shorten

SCHEMA_VERSION = 1
STAT_KEYS = ("low", "high", "p05", "p50", "p95")


@dataclass
class Row:
    """One input or result, in display units."""

    name: str
    value: float | str
    unit: str
    stats: dict[str, float] = field(default_factory=dict)
    source: str = ""


@dataclass
class Report:
    """What one run of a command produced, ready for any format."""

    command: str
    preset: str | None
    inputs: list[Row]
    results: list[Row]
    extra: dict[str, Any] = field(default_factory=dict)
    """More JSON sections (sweep points, tornado bars, explanation), in order."""
    visuals: list[Any] = field(default_factory=list)
    """rich renderables (charts, maps) shown after the tables in table format."""


def make_console(out: TextIO, record: bool = False) -> Any:
    """The rich console every table view prints through. A closed pipe raises
    BrokenPipeError for the CLI to end quietly (rich itself would exit with 1)."""
    from rich.console import Console

    class PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

        def render_str(self, text: str, *args: Any, **kwargs: Any) -> Any:
            return super().render_str(printable(text), *args, **kwargs)

    return PipeConsole(file=out, record=record, highlight=False, width=fallback_width())


def fallback_width() -> int | None:
    """80 columns when COLUMNS asks for fewer than 20 (COLUMNS=0 would print nothing)."""
    columns = os.environ.get("COLUMNS", "").strip()
    return 80 if columns and (not columns.isdigit() or int(columns) < 20) else None


def printable(text: str) -> str:
    """Text from data for a terminal: control characters (escape sequences) shown as
    ``\\x1b``, not sent to the terminal; line breaks kept."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in text)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run: text starting with = + - @ tab or CR gets
    a leading ' (OWASP), numbers (-1.5, 1e-3) stay as they are; lists become 'a; b'."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        try:
            float(value if value.strip() == value else "x")
        except ValueError:
            return "'" + value
    return value


def fmt(value: float | str) -> str:
    """A number for people: 4 significant figures, thousands separators, e-notation when huge."""
    if isinstance(value, str):
        return value
    if value == 0 or not math.isfinite(value):
        return str(value) if value else "0"
    if value.is_integer() and abs(value) < 1e12:
        return f"{value:,.0f}"  # whole numbers (dies, GPUs) without decimals
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e12:
        decimals = max(0, 3 - math.floor(math.log10(magnitude)))
        return f"{value:,.{decimals}f}"
    return f"{value:.4g}"


def _row_json(row: Row) -> dict[str, Any]:
    item: dict[str, Any] = {"value": row.value, "unit": row.unit}
    item.update(row.stats)
    return item


def to_json(report: Report) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "command": report.command,
        "preset": report.preset,
        "inputs": {row.name: _row_json(row) for row in report.inputs},
        "results": {row.name: _row_json(row) for row in report.results},
        **report.extra,
    }


def dumps(data: Any) -> str:
    """JSON with no NaN or Infinity (a ValueError is a bug upstream, never silent output)."""
    return json.dumps(data, allow_nan=False)


def csv_rows(report: Report, scenario: str | None = None) -> list[list[str]]:
    rows = []
    for section, items in (("input", report.inputs), ("result", report.results)):
        for row in items:
            stats = [repr(row.stats[k]) if k in row.stats else "" for k in STAT_KEYS]
            value = row.value if isinstance(row.value, str) else repr(row.value)
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


def write(
    reports: list[Report],
    fmt_name: str,
    svg: str | None = None,
    side_by_side: bool = False,
    out: TextIO | None = None,
) -> None:
    """Write reports to ``out`` (stdout) as ``table``, ``json`` (JSON Lines for several) or
    ``csv``; with ``svg`` also save the table view as an SVG file. ``side_by_side`` puts the
    scenarios of each command in columns of one table (tcoctl compare)."""
    out = out or sys.stdout
    render = render_side_by_side if side_by_side else render_tables
    if svg:  # first: if the file cannot be written, nothing has gone to stdout yet
        render(reports, io.StringIO(), svg)
        if svg == "-":  # the SVG is the output
            return
    if fmt_name == "json":
        for report in reports:
            out.write(dumps(to_json(report)) + "\n")
    elif fmt_name == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for report in reports:
            writer.writerows([map(csv_cell, row) for row in csv_rows(report)])
    else:
        render(reports, out)


def save_svg(console: Any, svg: str) -> None:
    """Save a recorded console as SVG; an unwritable path is a usage error."""
    from tcoctl.files import write_atomic

    text = console.export_svg(title="tcoctl")
    if svg == "-":
        sys.stdout.write(text)
        return
    try:  # a temporary file renamed into place: a full disk leaves the old file intact
        write_atomic(svg, lambda handle: handle.write(text))
    except OSError as error:
        raise DomainError(
            f"cannot write output: --svg {shorten(svg)!r}: {error.strerror or error}"
        ) from None


def _stats_text(row: Row) -> str:
    parts = []
    if "low" in row.stats:
        parts.append(f"{fmt(row.stats['low'])} .. {fmt(row.stats['high'])}")
    if "p05" in row.stats:
        parts.append(
            f"p05 {fmt(row.stats['p05'])} p50 {fmt(row.stats['p50'])} p95 {fmt(row.stats['p95'])}"
        )
    return "  ".join(parts)


def render_tables(reports: list[Report], out: TextIO, svg: str | None = None) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = make_console(out, record=svg is not None)
    for report in reports:
        title = escape(
            f"tcoctl {report.command}" + (f" — preset {report.preset}" if report.preset else "")
        )
        for caption, rows in (("inputs", report.inputs), ("results", report.results)):
            table = Table(title=f"{title}: {caption}", title_justify="left")
            table.add_column("name", style="bold")
            table.add_column("value", justify="right")
            table.add_column("unit")
            table.add_column("range / percentiles")
            if caption == "inputs":
                table.add_column("source", overflow="fold", max_width=60)
            for row in rows:
                cells = [row.name, fmt(row.value), row.unit, _stats_text(row)]
                table.add_row(
                    *map(escape, cells), *([escape(row.source)] if caption == "inputs" else [])
                )
            console.print(table)
        for visual in report.visuals:
            console.print(visual)
        for line in report.extra.get("explain", []):
            console.print(escape(line))
    if svg:
        save_svg(console, svg)


HIGHLIGHTS = 3
"""Cells per comparison table whose ratio to the first column is largest, highlighted."""


def render_side_by_side(reports: list[Report], out: TextIO, svg: str | None = None) -> None:
    """One table per command: a row per input and result, a column per scenario; each cell
    after the first shows its ratio to the first column, the largest ratios highlighted.
    Scenarios that do not fit the width go to further tables, each led by the first."""

    console = make_console(out, record=svg is not None)
    per_table = max(1, (console.width - NAME_WIDTH) // COLUMN_WIDTH - 1)
    for command in dict.fromkeys(report.command for report in reports):
        group = [report for report in reports if report.command == command]
        for start in range(1, max(len(group), 2), per_table):
            console.print(side_by_side([group[0], *group[start : start + per_table]], len(group)))
    if svg:
        save_svg(console, svg)


NAME_WIDTH = 30
COLUMN_WIDTH = 22


def side_by_side(group: list[Report], total: int) -> Any:
    """The table of one command's scenarios (the first is the reference for ratios)."""
    from rich.markup import escape
    from rich.table import Table

    plural = "s" if total > 1 else ""
    table = Table(
        title=f"tcoctl {group[0].command}: {total} scenario{plural} side by side",
        title_justify="left",
        caption="×: ratio to the first column; largest differences in bold",
    )
    table.add_column("name", style="bold")
    table.add_column("unit")
    for report in group:
        table.add_column(escape(report.preset or ""), justify="right")
    for section in ("inputs", "results"):
        names = list(dict.fromkeys(row.name for r in group for row in getattr(r, section)))
        cells = []
        for name in names:
            found = [
                next((row for row in getattr(r, section) if row.name == name), None) for r in group
            ]
            unit = next((row.unit for row in found if row is not None), "")
            cells.append((name, unit, found))
        ratios = sorted(
            (abs(math.log(row.value / first.value)), (i, j))
            for i, (_, _, found) in enumerate(cells)
            for j, row in enumerate(found)
            if j
            and (first := found[0]) is not None
            and row is not None
            and isinstance(row.value, float)
            and isinstance(first.value, float)
            and row.value > 0
            and first.value > 0
            and row.value != first.value
        )
        bold = {where for _, where in ratios[-HIGHLIGHTS:]}
        for i, (name, unit, found) in enumerate(cells):
            texts = [_cell(row, found[0], j, (i, j) in bold) for j, row in enumerate(found)]
            table.add_row(escape(name), escape(unit), *texts)
        if section == "inputs":
            table.add_section()
    return table


def _cell(row: Row | None, first: Row | None, column: int, bold: bool) -> str:
    if row is None:
        return ""
    text = fmt(row.value)
    if (
        column
        and first is not None
        and isinstance(row.value, float)
        and isinstance(first.value, float)
        and first.value
    ):
        text += f" ×{row.value / first.value:.3g}"
    if "low" in row.stats:
        text += f"\n[dim]{fmt(row.stats['low'])} .. {fmt(row.stats['high'])}[/]"
    return f"[bold yellow]{text}[/]" if bold else text  # numbers only: no markup to escape


def json_member(name: str, value: float | str, unit: str, stats: dict[str, float]) -> str:
    """``"name": {"value": .., "unit": .., ...}`` as text, for batch records."""
    shown = json.dumps(value) if isinstance(value, str) else repr(value)
    extra = "".join(f', "{key}": {number!r}' for key, number in stats.items())
    return f'"{name}": {{"value": {shown}, "unit": "{unit}"{extra}}}'


def json_members(
    name: str,
    unit: str,
    values: list[float],
    lows: list[float],
    highs: list[float],
    ranged: list[bool],
) -> list[str]:
    """One result's JSON member for each batch row; '' where the value is not finite (left
    out, never NaN). Built as text column by column: a batch's time is mostly this."""
    head = f'"{name}": {{"value": '
    return [
        ""
        if not math.isfinite(v)
        else f'{head}{v!r}, "unit": "{unit}", "low": {lo!r}, "high": {hi!r}}}'
        if wide
        else f'{head}{v!r}, "unit": "{unit}"}}'
        for v, lo, hi, wide in zip(values, lows, highs, ranged, strict=True)
    ]


def csv_cells(values: list[float]) -> list[str]:
    """One result's CSV cell for each batch row; '' where the value is not finite."""
    return [repr(v) if math.isfinite(v) else "" for v in values]


def batch_json_line(
    command: str, preset: str | None, line: int, inputs: list[str], results: list[str]
) -> str:
    """One batch record in the output contract, with the ``line`` it came from."""
    return (
        f'{{"schema_version": {SCHEMA_VERSION}, "command": "{command}", "preset": '
        f'{json.dumps(preset)}, "line": {line}, "inputs": {{{", ".join(inputs)}}}, '
        f'"results": {{{", ".join(results)}}}}}'
    )


def batch_csv_line(line: int, typed: dict[str, str], cells: list[str]) -> str:
    """One batch record as CSV: the line number, its inputs as JSON, a cell per result."""
    quoted = json.dumps(typed).replace('"', '""')
    return ",".join([str(line), f'"{quoted}"', *cells])


def write_records(
    key: str,
    records: list[dict[str, Any]],
    fmt_name: str | None,
    header: dict[str, Any] | None = None,
    table_records: list[dict[str, str]] | None = None,
    out: TextIO | None = None,
) -> None:
    """Write a listing (presets, preset figures): JSON ``{schema_version, **header, key:
    records}``, CSV with one line per record, or a rich table with one row per record (of
    ``table_records``, a narrower view for terminals, when given)."""
    out = out or sys.stdout
    fmt_name = fmt_name or default_format()
    if fmt_name == "json":
        out.write(dumps({"schema_version": SCHEMA_VERSION, **(header or {}), key: records}))
        out.write("\n")
    elif fmt_name == "csv":
        writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({key: csv_cell(value) for key, value in r.items()} for r in records)
    else:
        from rich.markup import escape
        from rich.table import Table

        title = " — ".join(str(v) for v in (header or {}).values() if v) or key
        rows = table_records or records
        table = Table(*rows[0], title=escape(title), show_lines=True)
        for record in rows:
            table.add_row(*(escape("" if v is None else str(v)) for v in record.values()))
        make_console(out).print(table)


def default_format() -> str:
    """A table for people at a terminal, JSON for pipes and scripts."""
    return "table" if sys.stdout.isatty() else "json"
