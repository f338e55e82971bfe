"""Charts: share bars, tornado, sweep line and wafer map. Each is plain data with two views:
``rich()`` for the terminal and ``svg()`` for ``--svg FILE``, a small self-contained SVG
written here (no fonts, scripts or links to load: it opens offline)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from rich.markup import escape as escape_markup
from rich.table import Column, Table
from rich.text import Text

from tcoctl.notation import fmt, telling_apart

BAR_WIDTH = 40
BLOCKS = " ▏▎▍▌▋▊▉█"
SVG_WIDTH = 640
ROW = 22
"""Height of one bar row in an SVG, in px."""
FONT = 'font-family="sans-serif" font-size="12"'


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of ``fraction`` (0..1) of ``width`` cells, in eighth-cell steps."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (BLOCKS[part] if part else "")


SVG_NAMESPACE = "http://www.w3.org/2000/svg"
"""The SVG namespace name (an identifier, not an address that is fetched)."""


def _svg(height: float, title: str, body: list[str]) -> str:
    """A whole SVG document: a white page, the title, and ``body`` elements. Offline: it
    loads nothing (no href, src, url() or @import); its only http text is the SVG namespace
    name, which browsers need to draw a standalone .svg file and never fetch."""
    return "\n".join(
        [
            f'<svg xmlns="{SVG_NAMESPACE}" version="1.1" width="{SVG_WIDTH}" height="{height:.0f}" '
            f'viewBox="0 0 {SVG_WIDTH} {height:.0f}">',
            f'<rect width="{SVG_WIDTH}" height="{height:.0f}" fill="white"/>',
            f'<text x="10" y="20" {FONT} font-weight="bold">{escape(title)}</text>',
            *body,
            "</svg>",
            "",
        ]
    )


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" {FONT} text-anchor="{anchor}">{escape(text)}</text>'


def _rect(x: float, y: float, width: float, height: float, fill: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(0.0, width):.1f}" '
        f'height="{height:.1f}" fill="{fill}"/>'
    )


@dataclass(frozen=True)
class ShareBars:
    """Shares of a whole (fractions), largest first, each with its percentage. The table
    view draws them beside the share results (Report.bars); the SVG draws this chart."""

    title: str
    shares: tuple[tuple[str, float], ...]

    def sorted(self) -> list[tuple[str, float]]:
        return sorted(self.shares, key=lambda item: -item[1])

    def rich(self, columns: int = 80) -> None:
        return None  # shown inline in the results table, whatever its ``columns``

    def svg(self) -> str:
        body = []
        for i, (label, share) in enumerate(self.sorted()):
            y = 36 + i * ROW
            body += [
                _text(10, y + 14, label),
                _rect(160, y + 2, 400 * max(0.0, min(1.0, share)), ROW - 6, "#4682b4"),
                _text(570, y + 14, f"{100 * share:.1f}%"),
            ]
        return _svg(48 + ROW * len(self.shares), self.title, body)


def share_bars(title: str, shares: Sequence[tuple[str, float]]) -> ShareBars:
    return ShareBars(title, tuple(shares))


@dataclass(frozen=True)
class Tornado:
    """How far each input alone moves a result from ``centre``, widest first. Each bar is
    (input, result at the input's low end, result at its high end), NaN at an end without
    an answer, which the label beside it calls ``missing`` ('out of reach') and no bar
    reaches; the label beside each half of a bar names the end of the input that put the
    result there."""

    title: str
    centre: float
    bars: tuple[tuple[str, float, float], ...]
    unit: str
    missing: str = "no answer"

    def sides(self, at_low: float, at_high: float) -> tuple[tuple[float, str], tuple[float, str]]:
        """(value, end) below the centre and above it: an input that lowers the result
        puts its high end on the left; an end without an answer goes opposite the other."""
        low_side, high_side = (at_low, "low"), (at_high, "high")
        if math.isnan(at_low) or math.isnan(at_high):  # a comparison with NaN is False
            swap = at_low > self.centre or at_high < self.centre
        else:
            swap = at_low > at_high
        return (high_side, low_side) if swap else (low_side, high_side)

    def spread(self) -> float:
        values = [v for _, lo, hi in self.bars for v in (lo, hi) if not math.isnan(v)]
        return max((abs(v - self.centre) for v in values), default=0.0) or 1.0

    def fraction(self, distance: float) -> float:
        """A half bar's length, a fraction of the widest (none to an end without an answer)."""
        return 0.0 if math.isnan(distance) else distance / self.spread()

    def label(self, value: float, end: str) -> str:
        """What a half bar's end reads: '1.91 USD/h (low)', 'out of reach (high)'."""
        return f"{self.missing if math.isnan(value) else fmt(value, self.unit)} ({end})"

    def rich(self, columns: int = 80) -> Table:
        """The bars as a table ``columns`` wide: names, figures and bars are never cut (a
        label wraps at its spaces); narrower than 80 columns the bars shorten to fit."""
        table = Table(title=self.title, title_justify="left", box=None)
        longest = max((len(name) for name, _, _ in self.bars), default=5)
        labels = [self.label(v, end) for _, lo, hi in self.bars for v, end in self.sides(lo, hi)]
        word = max((len(w) for label in labels for w in label.split()), default=6)
        padding = 2 * 5  # rich pads each of the 5 columns by a cell either side
        half = max(1, min(BAR_WIDTH // 4, (columns - longest - 2 * word - padding) // 2))
        table.add_column("input", style="bold", no_wrap=True, min_width=longest)
        table.add_column("below centre", justify="right", min_width=word)
        table.add_column("", justify="right", style="red", no_wrap=True, min_width=half)
        table.add_column("", style="green", no_wrap=True, min_width=half)
        table.add_column("above centre", min_width=word)
        for name, at_low, at_high in self.bars:
            (below, end_below), (above, end_above) = self.sides(at_low, at_high)
            table.add_row(
                name,
                self.label(below, end_below),
                bar(self.fraction(self.centre - below), half)[::-1].rjust(half),
                bar(self.fraction(above - self.centre), half),
                self.label(above, end_above),
            )
        return table

    def svg(self) -> str:
        mid, half = 330.0, 150.0
        body = [
            f'<line x1="{mid}" y1="30" x2="{mid}" y2="{40 + ROW * len(self.bars)}" stroke="black"/>'
        ]
        for i, (name, at_low, at_high) in enumerate(self.bars):
            y = 36 + i * ROW
            (below, end_below), (above, end_above) = self.sides(at_low, at_high)
            left = half * self.fraction(self.centre - below)
            right = half * self.fraction(above - self.centre)
            body += [
                _text(10, y + 14, name),
                _rect(mid - left, y + 2, left, ROW - 6, "#c0504d"),
                _rect(mid, y + 2, right, ROW - 6, "#4f9a4f"),
                _text(mid - left - 4, y + 14, self.label(below, end_below), "end"),
                _text(mid + right + 4, y + 14, self.label(above, end_above)),
            ]
        return _svg(48 + ROW * len(self.bars), self.title, body)


def tornado(
    title: str,
    centre: float,
    bars: Sequence[tuple[str, float, float]],
    unit: str,
    missing: str = "no answer",
) -> Tornado:
    return Tornado(title, centre, tuple(bars), unit, missing)


@dataclass(frozen=True)
class LineChart:
    """y against x, with vertical marks where a result crosses a level."""

    title: str
    xs: tuple[float, ...]
    ys: tuple[float | None, ...]
    x_label: str
    y_label: str
    marks: tuple[float, ...] = ()

    def points(self) -> list[tuple[float, float]]:
        """The defined points: y is None (JSON null) or NaN where a result is undefined."""
        return [(x, y) for x, y in zip(self.xs, self.ys, strict=True) if y is not None and y == y]

    def x_ends(self) -> tuple[str, str]:
        """The x axis's two ends, written so that they read differently when they differ."""
        ends = (min(self.xs), max(self.xs))
        figures = telling_apart(ends)
        return fmt(ends[0], figures=figures), fmt(ends[1], figures=figures)

    def rich(self, columns: int = 80, height: int = 12, width: int = 60) -> Text:
        """The chart as text: a plot ``width`` cells wide (at most what ``columns`` leave
        beside the 14-cell axis labels, so no line wraps) and ``height`` high."""
        width = max(8, min(width, columns - 15))
        points = self.points()
        text = Text(f"{self.title}\n", style="bold")
        if not points:
            return text.append("no point of the sweep has a value\n")
        x_lo, x_hi = min(self.xs), max(self.xs)
        y_lo, y_hi = min(y for _, y in points), max(y for _, y in points)
        y_span, x_span = (y_hi - y_lo) or 1.0, (x_hi - x_lo) or 1.0
        grid = [[" "] * width for _ in range(height)]
        for x, y in points:
            col = round((x - x_lo) / x_span * (width - 1))
            grid[height - 1 - round((y - y_lo) / y_span * (height - 1))][col] = "●"
        for x in self.marks:
            col = round((x - x_lo) / x_span * (width - 1))
            for cells in grid:
                if cells[col] == " ":
                    cells[col] = "┆"
        for i, cells in enumerate(grid):
            label = fmt(y_hi) if i == 0 else fmt(y_lo) if i == height - 1 else ""
            text.append(f"{label:>12} │" + "".join(cells) + "\n")
        text.append(" " * 13 + "└" + "─" * width + "\n")
        x_first, x_last = self.x_ends()
        text.append(f"{'':>13} {x_first:<{width // 2}}{x_last:>{width - width // 2}}\n")
        text.append(f"{'':>13} {self.x_label}  (y: {self.y_label})\n")
        return text

    def svg(self) -> str:
        left, top, width, height = 90.0, 40.0, 520.0, 240.0
        points = self.points()
        body = [
            f'<line x1="{left}" y1="{top + height}" x2="{left + width}" y2="{top + height}" '
            'stroke="black"/>',
            f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + height}" stroke="black"/>',
            _text(left + width / 2, top + height + 36, self.x_label, "middle"),
        ]
        if points:
            x_lo, x_hi = min(self.xs), max(self.xs)
            y_lo, y_hi = min(y for _, y in points), max(y for _, y in points)
            x_span, y_span = (x_hi - x_lo) or 1.0, (y_hi - y_lo) or 1.0

            def at(x: float, y: float) -> str:
                px = left + (x - x_lo) / x_span * width
                return f"{px:.1f},{top + height - (y - y_lo) / y_span * height:.1f}"

            path = " ".join(at(x, y) for x, y in points)
            body += [
                f'<polyline points="{path}" fill="none" stroke="#4682b4" stroke-width="2"/>',
                _text(left - 4, top + 4, fmt(y_hi), "end"),
                _text(left - 4, top + height, fmt(y_lo), "end"),
                _text(left, top + height + 16, self.x_ends()[0], "middle"),
                _text(left + width, top + height + 16, self.x_ends()[1], "middle"),
            ]
            for x in self.marks:
                px = left + (x - x_lo) / x_span * width
                body.append(
                    f'<line x1="{px:.1f}" y1="{top}" x2="{px:.1f}" y2="{top + height}" '
                    'stroke="#c0504d" stroke-dasharray="4 3"/>'
                )
        return _svg(top + height + 50, f"{self.title} (y: {self.y_label})", body)


TABLE_ROWS = 30
"""Rows of a sweep's table in the table view (the JSON holds every point)."""


def sweep_views(
    x_label: str,
    y_label: str,
    xs: Sequence[float],
    ys: Sequence[float | None],
    marks: Sequence[float],
    message: str,
) -> list[Any]:
    """Where a sweep crosses its mark (the answer, first), its chart and a table of up to
    TABLE_ROWS of its points (every n-th, and always the last; the title says so)."""
    chart = LineChart(
        f"{y_label} against {x_label}", tuple(xs), tuple(ys), x_label, y_label, tuple(marks)
    )
    step = -(-(len(ys) - 1) // (TABLE_ROWS - 1)) if len(ys) > TABLE_ROWS else 1
    shown = [*range(0, len(ys) - 1, step), len(ys) - 1]
    title = "sweep"
    if step > 1:
        title += f": {len(shown)} of {len(ys)} points (every {ordinal(step)} and the last)"
    table = Table(  # a label too long for its column folds, never cut to '…'; its unit
        # is text, not rich markup ('[ms]' read as a style vanished)
        Column(escape_markup(x_label), overflow="fold"),
        Column(escape_markup(y_label), overflow="fold"),
        title=title,
        title_justify="left",
    )
    figures = telling_apart([xs[i] for i in shown])  # no two rows read alike
    for i in shown:
        y = ys[i]
        table.add_row(fmt(xs[i], figures=figures), "undefined" if y is None or y != y else fmt(y))
    return [*([message] if message else []), chart, table]


def ordinal(n: int) -> str:
    """2nd, 3rd, 11th, 21st."""
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


WAFER_GLYPHS = {0: ("  ", ""), 1: ("░░", "grey50"), 2: ("██", "green"), 3: ("xx", "red")}
WAFER_COLOURS = {1: "#b0b0b0", 2: "#3c9a3c", 3: "#c0392b"}
MAX_MAP_COLUMNS = 60
MAX_SVG_CELLS = 250_000


@dataclass(frozen=True)
class WaferMap:
    """A wafer's dies as cells: 0 none, 1 edge (partial die), 2 good, 3 lost to a defect."""

    state: Any
    counts: dict[str, int]
    seed: int

    @property
    def title(self) -> str:
        counts = self.counts
        return (
            f"wafer map (seed {self.seed}): {counts['good']} good, {counts['defective']} lost "
            f"to defects, {counts['edge']} edge"
        )

    def rich(self, columns: int = 80) -> Text:
        """The map, two cells a die, one where two would not fit ``columns`` (at most
        MAX_MAP_COLUMNS dies across); a map wider than the console is not drawn, as its
        rows wrapped would draw another wafer."""
        across = self.state.shape[1]
        if across > MAX_MAP_COLUMNS:
            return Text(
                f"wafer map: {across} dies across is too wide to draw (at most {MAX_MAP_COLUMNS})"
            )
        if across > columns:
            return Text(
                f"wafer map: {across} dies across is too wide for {columns} columns; a console "
                f"of {across} or more draws it, as --svg FILE does (e.g. --svg map.svg)"
            )
        cells = 2 if 2 * across <= columns else 1
        text = Text(self.title + "\n", style="bold")
        for row in self.state:
            for cell in row:
                glyph, style = WAFER_GLYPHS[int(cell)]
                text.append(glyph[:cells], style=style)
            text.append("\n")
        for code, name in ((2, "good  "), (3, "defective  "), (1, "edge (partial die)")):
            glyph, style = WAFER_GLYPHS[code]
            text.append(f"{glyph[:cells]} {name}", style=style)
        return text

    def svg(self) -> str:
        rows, columns = self.state.shape
        if rows * columns > MAX_SVG_CELLS:
            note = f"{rows} x {columns} dies: too many to draw"
            return _svg(60, self.title, [_text(10, 44, note)])
        cell = min(12.0, 560.0 / max(rows, columns, 1))
        body = []
        for i, line in enumerate(self.state):
            for j, value in enumerate(line):
                if int(value):
                    x, y, colour = 40 + j * cell, 36 + i * cell, WAFER_COLOURS[int(value)]
                    body.append(_rect(x, y, cell * 0.9, cell * 0.9, colour))
        legend = 36 + rows * cell + 20
        body.append(_text(40, legend, "green: good   red: lost to a defect   grey: edge"))
        return _svg(legend + 16, self.title, body)


def wafer_map(state: Any, counts: dict[str, int], seed: int) -> WaferMap:
    return WaferMap(state, counts, seed)


def svg_document(charts: Sequence[Any]) -> str:
    """One SVG document of the charts (several: a column of them)."""
    documents: list[str] = [chart.svg() for chart in charts]
    if len(documents) == 1:
        text = documents[0]
    else:
        parts, y = [], 0.0
        for doc in documents:
            height = float(doc.split('height="', 1)[1].split('"', 1)[0])
            parts.append(f'<g transform="translate(0 {y:.0f})">' + _body(doc) + "</g>")
            y += height
        text = _svg(y, "", parts)
    return text


def _body(document: str) -> str:
    """The elements of one SVG document, without its <svg> wrapper."""
    return document.split(">", 1)[1].rsplit("</svg>", 1)[0]
