"""Dated figures: how old each preset figure is, and which are stale.

Every preset figure carries ``as_of``, the date its source states or was published (``YYYY``,
``YYYY-MM`` or ``YYYY-MM-DD``). A figure is read as true at the *end* of the period it names
("2024" is 31 December 2024), so a figure called stale is certainly older than its budget.
Staleness budgets by kind: a price (any figure whose unit holds USD, and an exchange rate) is
stale after 12 months;
hardware specifications and every other figure (a model's shape, a rule's threshold, a die
area) never go stale. ``tcoctl presets audit`` lists the stale figures and exits 1 if any.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from tcoctl.presets import RATES_TABLE, Entry, Preset, load, preset_files
from tcoctl.specs import CALCULATORS, GPU_FIELDS, GPU_PRICE, RULE_FIELDS, Input

STALE_AFTER_DAYS = {"price": 365}
"""Days after its as_of date that a figure of each kind is stale; kinds absent never are."""


@dataclass(frozen=True)
class Figure:
    preset: str
    figure: str
    value: str | list[str]
    """The preset's value: a list for a preset with variants (one per scenario)."""
    as_of: str
    kind: str
    age_days: int
    stale: bool


def period_end(as_of: str) -> datetime.date:
    """The last day of the period an as_of string names (2024-02 is 29 February 2024)."""
    parts = [int(part) for part in as_of.split("-")]
    year, month = parts[0], parts[1] if len(parts) > 1 else 12
    day = parts[2] if len(parts) > 2 else calendar.monthrange(year, month)[1]
    return datetime.date(year, month, day)


def kind_of(table: str, key: str) -> str:
    """``price`` when the figure's unit holds money or is an exchange rate, else ``hardware``
    for a GPU figure and ``other`` for the rest."""
    if table == RATES_TABLE:
        return "price"
    fields = {"gpu": (*GPU_FIELDS, GPU_PRICE), **RULE_FIELDS}
    if table in fields:
        unit = next((spec.unit for spec in fields[table] if spec.name == key), "")
    else:
        spec = CALCULATORS[table].inputs_by_name.get(key)
        unit = spec.unit if spec is not None else ""
    if "USD" in unit:
        return "price"
    return "hardware" if table == "gpu" else "other"


def figures(preset: Preset, today: datetime.date) -> list[Figure]:
    """The dated figures of one preset file (references to other presets' results have no
    date of their own and are skipped)."""
    found = []
    for table, section in preset.sections.items():
        for key, entry in section.items():
            if entry.reference is not None or entry.as_of is None:
                continue
            kind = kind_of(table, key)
            age = (today - period_end(entry.as_of)).days
            budget = STALE_AFTER_DAYS.get(kind)
            found.append(
                Figure(
                    preset.name,
                    f"{table}.{key}",
                    entry.value if isinstance(entry.value, str) else list(entry.value),
                    entry.as_of,
                    kind,
                    age,
                    budget is not None and age > budget,
                )
            )
    return found


def audit(today: datetime.date) -> list[Figure]:
    """Every dated figure of every preset, oldest first."""
    found = [item for name in preset_files() for item in figures(load(name), today)]
    return sorted(found, key=lambda item: (-item.age_days, item.preset, item.figure))


def oldest(entries: list[Entry]) -> str | None:
    """The oldest as_of among ``entries`` (None if none is dated)."""
    dated = [entry.as_of for entry in entries if entry.as_of]
    return min(dated, key=period_end) if dated else None


def given_as_of(
    given: Iterable[tuple[Input, str, Entry | None]],
    rates: Iterable[Entry] = (),
    uses: frozenset[str] | None = None,
) -> str | None:
    """The oldest as_of among a run's inputs: (option, value, preset entry) each; a --gpu
    brings its hardware preset's figures, a rule option its rule preset's thresholds (with
    ``uses``, the core quantities a result depends on, only the figures giving one of them:
    ``gpu_<name>``, ``rule_<name>``; the peak at --precision counts every precision's); and
    among the exchange rates it used (``rates``)."""
    entries = list(rates)
    for spec, text, entry in given:
        if entry is not None:
            entries.append(entry)
        if spec.kind == "gpu" or spec.rule:
            table = "gpu" if spec.kind == "gpu" else spec.rule
            figures = load(text, kind="gpu" if spec.kind == "gpu" else "rule").sections[table]
            entries += [
                figure
                for name, figure in figures.items()
                if uses is None
                or f"{PREFIX[table]}{name}" in uses
                or (name in PEAKS and "gpu_peak" in uses)
            ]
    return oldest(entries)


PREFIX = {"gpu": "gpu_", "eccn": "rule_", "compute": "rule_"}
"""How the relations name a hardware or rule preset's figure (tcoctl.specs.Input.sets)."""
PEAKS = ("bf16", "fp8", "fp4")
"""The figures the peak at --precision may be (gpu_peak)."""
