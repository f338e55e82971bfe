"""Terminal charts drawn with rich: sorted bars (shares, tornado) and line charts (sweeps)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from tcoctl.output import fmt

BAR_WIDTH = 40
BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of ``fraction`` (0..1) of ``width`` cells, in eighth-cell steps."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (BLOCKS[part] if part else "")


def share_bars(title: str, shares: Sequence[tuple[str, float]]) -> Table:
    """Shares of a whole, largest first, each with its percentage."""
    table = Table(title=title, title_justify="left", show_header=False, box=None)
    table.add_column("item", style="bold")
    table.add_column("share", justify="right")
    table.add_column("bar", style="cyan")
    for label, share in sorted(shares, key=lambda item: -item[1]):
        table.add_row(label, f"{100 * share:.1f}%", bar(share))
    return table


def tornado(
    title: str, centre: float, bars: Sequence[tuple[str, float, float]], unit: str
) -> Table:
    """Bars of how far each input alone moves a result from ``centre``, widest first."""
    table = Table(title=title, title_justify="left", box=None)
    table.add_column("input", style="bold")
    table.add_column("at low", justify="right")
    table.add_column("below", justify="right", style="red")
    table.add_column("above", style="green")
    table.add_column("at high")
    spread = max((abs(v - centre) for _, lo, hi in bars for v in (lo, hi)), default=0.0) or 1.0
    half = BAR_WIDTH // 3  # both halves and the labels fit 80 columns
    for name, at_low, at_high in bars:
        below = min(at_low, at_high)
        above = max(at_low, at_high)
        table.add_row(
            name,
            f"{fmt(at_low)} {unit}",
            bar((centre - below) / spread, half)[::-1].rjust(half),
            bar((above - centre) / spread, half),
            f"{fmt(at_high)} {unit}",
        )
    return table


def line_chart(
    title: str,
    xs: Sequence[float],
    ys: Sequence[float],
    x_label: str,
    y_label: str,
    marks: Sequence[float] = (),
    height: int = 12,
    width: int = 60,
) -> Text:
    """A scatter-line chart of y against x in braille-free block characters; points where
    y is undefined (None or NaN) are left out."""
    defined = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None and y == y]
    if not defined:
        return Text(f"{title}\n(not defined anywhere in the swept range)\n", style="bold")
    xs, ys = [x for x, _ in defined], [y for _, y in defined]
    x_lo, x_hi = min(xs), max(xs)
    y_lo, y_hi = min(ys), max(ys)
    y_span = (y_hi - y_lo) or 1.0
    x_span = (x_hi - x_lo) or 1.0
    grid = [[" "] * width for _ in range(height)]
    for x, y in zip(xs, ys, strict=True):
        col = round((x - x_lo) / x_span * (width - 1))
        line = height - 1 - round((y - y_lo) / y_span * (height - 1))
        grid[line][col] = "●"
    for x in marks:
        col = round((x - x_lo) / x_span * (width - 1))
        for cells in grid:
            if cells[col] == " ":
                cells[col] = "┆"
    text = Text(f"{title}\n", style="bold")
    for i, cells in enumerate(grid):
        label = fmt(y_hi) if i == 0 else fmt(y_lo) if i == height - 1 else ""
        text.append(f"{label:>12} │" + "".join(cells) + "\n")
    text.append(" " * 13 + "└" + "─" * width + "\n")
    text.append(f"{'':>13} {fmt(x_lo):<{width // 2}}{fmt(x_hi):>{width - width // 2}}\n")
    text.append(f"{'':>13} {x_label}  (y: {y_label})\n")
    return text


TABLE_ROWS = 30
"""Rows of a sweep's table in the table view (the JSON holds every point)."""


def sweep_views(
    x_label: str,
    y_label: str,
    xs: Sequence[float],
    ys: Sequence[float],
    marks: Sequence[float],
    message: str,
) -> list[Any]:
    """A sweep's chart, a table of up to TABLE_ROWS of its points, and where it crosses."""
    chart = line_chart(f"{y_label} against {x_label}", xs, ys, x_label, y_label, marks)
    table = Table(x_label, y_label, title="sweep", title_justify="left")
    step = -(-len(ys) // TABLE_ROWS)
    for i in range(0, len(ys), step):
        table.add_row(fmt(xs[i]), "undefined" if ys[i] is None else fmt(ys[i]))
    return [chart, table, *([message] if message else [])]


WAFER_GLYPHS = {0: ("  ", ""), 1: ("░░", "grey50"), 2: ("██", "green"), 3: ("xx", "red")}
MAX_MAP_COLUMNS = 60


def wafer_map(state: Any, counts: dict[str, int], seed: int) -> Text:
    """A wafer's dies as coloured cells (good, lost to a defect, edge), with a legend."""
    if state.shape[1] > MAX_MAP_COLUMNS:
        return Text(
            f"wafer map: {state.shape[1]} dies across is too wide to draw "
            f"(at most {MAX_MAP_COLUMNS})"
        )
    text = Text(
        f"wafer map (seed {seed}): {counts['good']} good, {counts['defective']} lost "
        f"to defects, {counts['edge']} edge\n",
        style="bold",
    )
    for row in state:
        for cell in row:
            glyph, style = WAFER_GLYPHS[int(cell)]
            text.append(glyph, style=style)
        text.append("\n")
    text.append("██ good  ", style="green")
    text.append("xx defective  ", style="red")
    text.append("░░ edge (partial die)", style="grey50")
    return text
