"""The table view of ``tcoctl compare``: one command's scenarios in columns, a result or
input per row, laid out to the terminal's width as plain lines.

Each row has one scale (its unit reads ``bn USD/yr`` as in a single run, every scenario's
number on that scale); ``low .. high`` goes on a line under the value only where the two
ends differ. Where the width allows, a cell after the first adds its ratio to the first
scenario. Names are never cut: a unit that does not fit beside its name goes under it, a
name that does not fit goes on a line of its own. Results (after the headline) and inputs
alike in every scenario are listed once, after the table; results that read the same in
every scenario share a row (``ratio_bf16 = ratio_fp8``). A result a scenario's inputs do
not give reads NOT_COMPUTED, and the note after the table says what it needs. Of the
layouts that fit the width (ratios or not, ranges on one line or two, the scenarios in one
group or more), the one with the fewest lines is printed."""

from __future__ import annotations

import itertools
import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text

from tcoctl.errors import printable
from tcoctl.notation import fmt_parts, scale_for
from tcoctl.report import needs_text
from tcoctl.specs import label_of

if TYPE_CHECKING:
    from tcoctl.report import Report, Row

GAP = 2
"""Spaces between columns."""
NAME_MIN = 12
"""The narrowest name column: below it, every name goes on a line of its own."""
HIGHLIGHTS = 3
"""Cells per section whose ratio to the first column is largest, shown in bold."""
NOT_COMPUTED = "–"
"""The cell of a result a scenario's inputs do not give (its report lists it as missing)."""


@dataclass(frozen=True)
class Form:
    """How cells are written: with ratios or not, ranges on one line or broken after ``..``."""

    ratios: bool
    wrapped: bool


@dataclass
class Cell:
    value: str
    spread: str
    """``low .. high`` where the ends differ, else ''."""
    ratio: float | None = None
    """This cell's value over the first scenario's, where both are numbers and differ."""
    bold: bool = False

    def text(self, form: Form) -> str:
        """The value, with its ratio where it has one and ``form`` shows ratios."""
        shown = form.ratios and self.ratio is not None
        return self.value + (f" ×{ratio_text(self.ratio or 0)}" if shown else "")

    def spread_lines(self, form: Form) -> list[str]:
        """The range as one line, or two (``low ..`` and ``high``), or none."""
        if not self.spread:
            return []
        low, dots, high = self.spread.partition(" .. ")
        return [f"{low} ..", high] if form.wrapped and dots else [self.spread]

    def width(self, form: Form) -> int:
        return max(map(len, [self.text(form), *self.spread_lines(form)]))


@dataclass
class Line:
    name: str
    unit: str
    cells: list[Cell | None]
    headline: bool = False


def ratio_text(ratio: float) -> str:
    """A ratio to three significant figures, whole from 100 (×365, ×1,250)."""
    return f"{ratio:,.0f}" if ratio >= 100 else f"{ratio:.3g}"


def scenario_lines(group: list[Report], section: str) -> list[Line]:
    """One line per result (headline first, without the details a single run leaves out)
    or per input, each on the scale its largest value takes in a single run."""
    if section == "results":
        found_rows = (
            [row for row in report.ordered() if row.name not in report.tucked] for report in group
        )
    else:
        found_rows = (report.inputs for report in group)
    names = list(dict.fromkeys(row.name for rows in found_rows for row in rows))
    headline = set(group[0].headline) if section == "results" else set()
    lines = []
    for name in names:
        found = [report.find(section, name) for report in group]
        unit = next((row.unit for row in found if row is not None), "")
        numbers = [
            abs(row.value)
            for row in found
            if row is not None and isinstance(row.value, float) and math.isfinite(row.value)
        ]
        exp, shown_unit = scale_for(max(numbers), unit) if numbers else (0, unit)
        cells = [
            _cell(row, found[0], exp) if row is not None else _absent(report, name)
            for row, report in zip(found, group, strict=True)
        ]
        lines.append(Line(printable(name), printable(shown_unit), cells, name in headline))
    _highlight(lines)
    return lines


def _absent(report: Report, name: str) -> Cell | None:
    """A result ``report`` does not have: NOT_COMPUTED where its inputs do not give it (the
    run lists it as missing), else nothing (a row another calculator's scenario has)."""
    return Cell(NOT_COMPUTED, "") if name in report.extra.get("missing", {}) else None


def _cell(row: Row, first: Row | None, exp: int) -> Cell:
    if row.labels and isinstance(row.value, float):
        return Cell(label_of(row.labels, row.value), row.spread(exp))
    if isinstance(row.value, str):
        return Cell(printable(row.value), "")
    value = fmt_parts(row.value, row.unit, exp)[0]
    ratio = None
    if (
        first is not None
        and isinstance(first.value, float)
        and first.value
        and not first.labels
        and value != fmt_parts(first.value, first.unit, exp)[0]
    ):
        ratio = row.value / first.value
    return Cell(value, row.spread(exp), ratio)


def _highlight(lines: list[Line]) -> None:
    """Bold the HIGHLIGHTS cells whose ratio to the first column is farthest from 1."""
    ratios = [
        cell
        for line in lines
        for cell in line.cells
        if cell is not None and cell.ratio is not None and cell.ratio > 0
    ]
    for cell in sorted(ratios, key=lambda c: abs(math.log(c.ratio or 1)))[-HIGHLIGHTS:]:
        cell.bold = True


def _alike(line: Line) -> bool:
    """Whether every scenario has this row with the same value and range (never so for a
    headline result)."""
    shown = {None if cell is None else (cell.value, cell.spread) for cell in line.cells}
    return len(shown) == 1 and None not in shown and not line.headline


def _item(row: Row) -> str:
    """An input or result as ``name value unit (low .. high)``, on its own scale, its
    spaces unbreakable (a paragraph breaks between items only)."""
    exp, unit = scale_for(row.value, row.unit) if isinstance(row.value, float) else (0, row.unit)
    if row.labels and isinstance(row.value, float):
        value = label_of(row.labels, row.value)
    else:
        value = fmt_parts(row.value, unit, exp)[0]
    spread = row.spread(exp)
    text = " ".join(filter(None, (row.name, value, unit))) + (f" ({spread})" if spread else "")
    return printable(text).replace(" ", NBSP)


NBSP = "\xa0"


def _paragraph(text: str, width: int, indent: str = "") -> list[Text]:
    """``text`` wrapped to ``width`` at its breakable spaces, dimmed."""
    lines = textwrap.wrap(
        text, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )
    return [Text(line.replace(NBSP, " "), style="dim") for line in lines]


def layout(reports: list[Report], width: int) -> list[Text]:
    """The comparison of one command's scenarios as lines of ``width`` columns (a word
    longer than that overflows rather than being cut): the results side by side (scenarios
    whose every result and input read the same share a column), then the inputs that
    differ, per scenario, and those alike in every scenario."""
    columns: dict[tuple[str, ...], list[Report]] = {}
    for report in reports:
        rows = [*report.results, *report.inputs]
        columns.setdefault(tuple(_item(row) for row in rows), []).append(report)
    group = [same[0] for same in columns.values()]
    labels = [" = ".join(printable(r.preset or "") for r in same) for same in columns.values()]
    results = scenario_lines(group, "results")
    many = len(group) > 1
    same = [line for line in results if many and _alike(line)]
    shown = [line for line in results if line not in same]
    shown = _merge_twins(shown) if many else shown
    count = len(reports)
    out = [Text(f"tcoctl {group[0].command}: {count} scenario{'s' * (count > 1)} side by side")]
    out[0].stylize("bold")
    layouts = [
        (_groups(shown, labels, width, count, form), form)
        for form in (Form(True, False), Form(False, False), Form(False, True))
        for count in range(1, len(group) + 1)
    ]
    fitting = [item for item in layouts if max(line.cell_len for line in item[0]) <= width]
    lines, form = min(fitting or layouts[-1:], key=lambda item: len(item[0]))
    out += lines
    if same:
        found = [group[0].find("results", line.name) for line in same]
        items = "; ".join(_item(row) for row in found if row is not None)
        out += _paragraph(f"results alike in every scenario: {items}", width)
    out += _inputs(group, labels, width)
    first = labels[0] or "the first"
    notes = [f"×: ratio to {first}, the largest in bold" if many and form.ratios else ""]
    notes.append(f"in bold: the largest differences from {first}" if many and not notes[0] else "")
    notes.append(_not_computed(results, group))
    notes.append("more results (details) in --format json" if any(r.tucked for r in group) else "")
    return out + _paragraph("; ".join(filter(None, notes)), width)


def _merge_twins(lines: list[Line]) -> list[Line]:
    """The lines, each result whose unit and every cell read as an earlier result's folded
    into that one's row, named ``earlier = later``."""
    merged: dict[tuple[object, ...], Line] = {}
    out = []
    for line in lines:
        key = (line.unit, *(None if c is None else (c.value, c.spread) for c in line.cells))
        if key in merged:
            merged[key].name += f" = {line.name}"
            continue
        merged.setdefault(key, line)
        out.append(line)
    return out


def _not_computed(lines: list[Line], group: list[Report]) -> str:
    """The note on NOT_COMPUTED cells, with what the first of them needs."""
    for line in lines:
        for cell, report in zip(line.cells, group, strict=True):
            if cell is not None and cell.value == NOT_COMPUTED:
                scenario = printable(report.preset or "the scenario")
                ways = needs_text(report.extra["missing"][line.name])
                needs = f"{line.name} of {scenario} needs {ways}"
                return f"{NOT_COMPUTED}: not given by that scenario's inputs ({needs})"
    return ""


def _inputs(group: list[Report], labels: list[str], width: int) -> list[Text]:
    """The inputs that differ, a paragraph per scenario, then those alike in every scenario
    that has them (two at least, or the one there is)."""
    names = list(dict.fromkeys(row.name for report in group for row in report.inputs))
    alike: list[list[str | None]] = []
    own: list[list[str | None]] = []
    for name in names:
        texts = [
            None if row is None else _item(row) for row in (r.find("inputs", name) for r in group)
        ]
        given = set(texts) - {None}
        shared = len(given) == 1 and len(texts) - texts.count(None) >= min(2, len(texts))
        (alike if shared else own).append(texts)
    out = []
    for j, label in enumerate(labels if own else []):
        items = "; ".join(text for texts in own if (text := texts[j])) or "-"
        out += _paragraph(f"inputs of {label}: {items}", width, "  ")
    if alike:
        title = "inputs alike where given" if len(group) > 1 else "inputs"
        items = "; ".join(text for texts in alike for text in set(texts) - {None} if text)
        out += _paragraph(f"{title}: {items}", width)
    return out


def _groups(
    results: list[Line], labels: list[str], width: int, count: int, form: Form
) -> list[Text]:
    """The scenarios in ``count`` consecutive groups of near-equal size, one block each."""
    bounds = [len(labels) * k // count for k in range(count + 1)]
    out = []
    for start, stop in itertools.pairwise(bounds):
        part = [
            Line(line.name, line.unit, line.cells[start:stop])
            for line in results
            if any(c is not None and c.value != NOT_COMPUTED for c in line.cells[start:stop])
        ]
        if count > 1:
            out.append(Text(f"scenarios {start + 1} to {stop} of {len(labels)}", style="bold"))
        out += _block(part, labels[start:stop], width, form)
    return out


def _column_widths(lines: list[Line], labels: list[str], form: Form) -> list[int]:
    """Each scenario column's width: its widest cell, at least its label's longest word."""
    widths = [max([0, *map(len, label.split())]) for label in labels]
    for line in lines:
        for j, cell in enumerate(line.cells):
            if cell is not None:
                widths[j] = max(widths[j], cell.width(form))
    return widths


def _block(lines: list[Line], labels: list[str], width: int, form: Form) -> list[Text]:
    """One group of scenario columns: a header, the results, then the inputs. Each line
    leads with its name and unit where they fit beside the columns (every name goes on a
    line of its own where the columns leave less than NAME_MIN)."""
    widths = _column_widths(lines, labels, form)
    columns = sum(widths) + GAP * (len(widths) - 1)
    needed = max([0, *(len(_beside(line)) for line in lines)])
    room = width - columns - GAP
    lead = min(needed, room) if room >= min(NAME_MIN, needed) else 0
    headers = [
        textwrap.wrap(label, w, break_long_words=False) or [""]
        for label, w in zip(labels, widths, strict=True)
    ]
    depth = max(map(len, headers))
    out = []
    for k in range(depth):
        words = [h[k - depth + len(h)] if k >= depth - len(h) else "" for h in headers]
        name = "result" if k == depth - 1 and lead else ""
        out.append(_joined(name, "", [(w, "bold") for w in words], widths, lead))
    rule = Text("─" * min(width, lead + GAP * bool(lead) + columns))
    out.append(rule)
    for line in lines:
        out += _row(line, widths, lead, form)
    return out


def _beside(line: Line) -> str:
    return f"{line.name}  {line.unit}" if line.unit else line.name


def _row(line: Line, widths: list[int], lead: int, form: Form) -> list[Text]:
    """A result's or input's lines: its values, then its ranges where it has any. The
    unit goes beside the name, or under it, or the two on a line of their own."""
    values = [
        ("", "") if c is None else (c.text(form), "bold yellow" if c.bold else "")
        for c in line.cells
    ]
    fits = all(c is None or len(c.spread) <= w for c, w in zip(line.cells, widths, strict=True))
    flat = Form(form.ratios, wrapped=False) if fits else form  # break a range only if needed
    spreads = [[] if c is None else c.spread_lines(flat) for c in line.cells]
    out = []
    under = ""
    if len(_beside(line)) <= lead:
        out.append(_joined(line.name, line.unit, values, widths, lead))
    elif len(line.name) <= lead and len(line.unit) + GAP <= lead:
        out.append(_joined(line.name, "", values, widths, lead))
        under = " " * GAP + line.unit
    else:
        own = Text(line.name, style="bold")
        own.append(f"  {line.unit}" if line.unit else "")
        out += [own, _joined("", "", values, widths, lead)]
    depth = max(map(len, spreads))
    for k in range(max(depth, bool(line.unit and under))):
        cells = [(parts[k] if k < len(parts) else "", "dim") for parts in spreads]
        out.append(_joined("", under if k == 0 else "", cells, widths, lead))
    return out


def _joined(
    name: str, unit: str, cells: list[tuple[str, str]], widths: list[int], lead: int
) -> Text:
    """A line: the name (bold) and unit left in a column ``lead`` wide (none when 0), then
    each (text, style) right-aligned in its column."""
    text = Text()
    if lead:
        text.append(name, style="bold")
        text.append(f"  {unit}" if name and unit else unit)
        text.append(" " * (lead - text.cell_len + GAP))
    for j, ((cell, style), w) in enumerate(zip(cells, widths, strict=True)):
        text.append((" " * GAP if j else "") + " " * (w - len(cell)))
        text.append(cell, style=style or None)
    text.rstrip()
    return text
