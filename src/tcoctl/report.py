"""What a run reports, in display units: a :class:`Report` of input and result
:class:`Row` objects, and the marks their origins carry. Below both writers, the one output
layer (:mod:`tcoctl.output`) and compare's side-by-side layout (:mod:`tcoctl.sidebyside`),
so that each imports it and neither imports the other's module for its types."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tcoctl.notation import SIGNIFICANT, fmt_parts
from tcoctl.specs import label_of

ANCHOR_REPLACED = "(anchor replaced)"
"""Ends the origin of a preset value kept after an option replaced what the preset tied it
to (--gpu, and the preset's GPU price): JSON then names it under ``from``."""
GPU_PRICE_MARK = "(gpu.price)"
"""Marks a price a ``--gpu``'s hardware preset gave in place of the scenario's:
``preset a100-sxm (gpu.price)``."""
FITTED = "[fit: "
"""Opens the mark of a per-GPU preset figure taken for a GPU the preset has no figure of
its own for: ``preset serving-fit [fit: pooled]``."""
DEFAULTED = "(default)"
"""Ends the origin of a figure from a calculator's preset of fitted defaults, used because no
preset, option or relation gave its quantity: ``preset training-fit (default)``; JSON names
it under ``from``."""
PERCENTILE_SPAN = ("p05", "p95")
"""The Monte Carlo columns of a table: the 5th to the 95th percentile (p50 is in JSON)."""


@dataclass
class Row:
    """One input or result, in display units."""

    name: str
    value: float | str
    unit: str
    stats: dict[str, float] = field(default_factory=dict)
    source: str = ""
    """The full citation of an input (--sources)."""
    origin: str = ""
    """Where an input came from: ``flag``, ``preset NAME`` or ``default``."""
    labels: tuple[str, ...] = ()
    """Names of a coded result's values (Result.labels): shown instead of the number."""
    as_of: str | None = None
    """A result's: the oldest as_of among the preset figures and exchange rates it used."""
    figures: int = SIGNIFICANT
    """Significant figures a table shows: more for an input solved for whose answer needs
    them (notation.figures_written)."""

    def spread(self, exp: int, keys: tuple[str, str] = ("low", "high")) -> str:
        """``low .. high`` (or with ``keys`` another pair, p05 and p95) on the scale of the
        value (``exp``, a power of ten); '' where both ends read the same (a result that
        does not vary)."""

        def shown(key: str) -> str:
            return fmt_parts(self.stats[key], self.unit, exp)[0]

        if self.labels:  # a coded result: which names the ranges reach, no percentiles
            if keys == PERCENTILE_SPAN:  # the share of samples coded 1, where there are two
                shares = len(self.labels) == 2 and "mean" in self.stats
                return f"P({self.labels[1]}) {self.stats['mean']:.3g}" if shares else ""
            ends = [label_of(self.labels, self.stats[k]) for k in keys if k in self.stats]
            return " .. ".join(ends) if len(set(ends)) > 1 else ""
        low, high = keys
        if low in self.stats and shown(low) != shown(high):
            return f"{shown(low)} .. {shown(high)}"
        return ""


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
    """Charts (tcoctl.charts) or rich renderables shown after the tables in table format."""
    answer: list[Any] = field(default_factory=list)
    """What the run's options asked for (a tornado; a sweep, where it crosses its mark
    first), shown before the tables in table format."""
    headline: tuple[str, ...] = ()
    """Results the table view shows first (the calculator's answer)."""
    bars: tuple[str, ...] = ()
    """Results (shares of a whole) drawn as a bar beside their value in the table view."""
    tucked: tuple[str, ...] = ()
    """Results the table view leaves out (details of a run with no option); JSON keeps them."""

    def ordered(self) -> list[Row]:
        """The results, headline first (in the calculator's order of importance), then the
        rest."""
        rank = {name: i for i, name in enumerate(self.headline)}
        return sorted(self.results, key=lambda row: rank.get(row.name, len(rank)))

    def find(self, section: str, name: str) -> Row | None:
        """The row called ``name``; for a result ``R_BASIS`` (h100e_bf16) of a scenario whose
        ``basis`` input is BASIS, its result ``R``: each basis gets one aligned row."""
        rows: list[Row] = getattr(self, section)
        found = next((row for row in rows if row.name == name), None)
        basis = next((row.value for row in self.inputs if row.name == "basis"), None)
        if found is None and section == "results" and isinstance(basis, str):
            base = name.removesuffix(f"_{basis}")
            found = next((row for row in rows if base != name and row.name == base), None)
        return found


def needs_text(groups: list[list[str]]) -> str:
    """What would give a result not computed, from the groups of options a run lists under
    ``missing``: ``one --basis: bf16, fp8 or tpp`` where each group is another value of one
    choice (--basis all: one basis gives h100e), else the first two groups of options
    (``--gpu --count or --gpu --factor``)."""
    switches = [group[0].split("=", 1) for group in groups if "=" in group[0]]
    if switches:
        *values, last = [value for _, value in switches]
        return f"one --{switches[0][0]}: " + (f"{', '.join(values)} or {last}" if values else last)
    return " or ".join(" ".join(f"--{o}" for o in group) for group in groups[:2])
