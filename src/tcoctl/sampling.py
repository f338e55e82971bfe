"""Monte Carlo percentiles in bounded memory, exact.

Samples are drawn and evaluated in chunks from one seeded stream (the same numbers, in the
same order, as one big draw). The first chunk is a pilot: for each result, row and target
order statistic it gives a narrow window of values that holds the target with overwhelming
probability. Every chunk then only counts the values below each window and keeps those
inside it, so memory stays flat as samples grow. At the end each order statistic is picked
exactly from the kept values, and percentiles interpolate as ``np.percentile`` does (its
default 'linear' method). Should a window miss its target (a pathological distribution),
that result is recomputed exactly from all samples at once, which is slower, not wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Evaluate = Callable[[Array], dict[str, Array]]
"""A design (points x k, in [0, 1]) to each result as a (rows, points) array."""
CHUNK_CELLS = 1 << 17
"""Rows x samples evaluated at once."""
MARGIN = 8.0
"""Standard deviations of a pilot quantile's rank that its window spans on each side."""
MAX_KEPT = 4_000_000
"""Values kept in windows at most, over all results; beyond, the exact slow path."""


def design_chunks(
    k: int, samples: int, dist: str, seed: int | None, chunk: int
) -> Iterator[tuple[int, Array]]:
    """(size, design) of each chunk, drawn in order from one seeded stream."""
    rng = np.random.default_rng(seed)
    for start in range(0, samples, chunk):
        size = min(chunk, samples - start)
        if dist == "triangular":
            yield size, rng.triangular(0.0, 0.5, 1.0, size=(size, k))
        else:
            yield size, rng.random((size, k))


def _lerp(a: float, b: float, t: float) -> float:
    """numpy's own interpolation between neighbouring order statistics."""
    diff = b - a
    return float(b - diff * (1 - t) if t >= 0.5 else a + diff * t)


def percentiles(
    evaluate: Evaluate,
    k: int,
    samples: int,
    dist: str,
    seed: int | None,
    points: Sequence[float] = (5.0, 50.0, 95.0),
    keys: Sequence[str] = ("p05", "p50", "p95"),
) -> dict[str, dict[str, Array]]:
    """Each result's percentiles over ``samples`` Monte Carlo draws, per row, and its
    ``mean`` (for a 0/1 result, the probability of 1: a run crossing a line)."""
    probe = evaluate(np.full((1, k), 0.5))
    rows = next(iter(probe.values())).shape[0] if probe else 1
    chunk = max(4096, CHUNK_CELLS // max(1, rows))
    if samples <= chunk:  # one chunk: the plain way
        _, design = next(design_chunks(k, samples, dist, seed, samples))
        out = evaluate(design)
        return {
            name: {
                **dict(zip(keys, np.percentile(values, list(points), axis=-1), strict=True)),
                "mean": np.mean(values, axis=-1),
            }
            for name, values in out.items()
        }
    positions = np.asarray(points, dtype=float) / 100 * (samples - 1)  # as np.percentile
    tallies: dict[str, list[_Tally]] = {}
    sums: dict[str, Array] = {}
    kept_total = 0
    for index, (_, design) in enumerate(design_chunks(k, samples, dist, seed, chunk)):
        out = evaluate(design)
        if index == 0:
            tallies = {name: [_Tally(v, positions, samples) for v in out[name]] for name in out}
        for name, values in out.items():
            sums[name] = sums.get(name, 0.0) + np.sum(values, axis=-1)
            for tally, row in zip(tallies[name], values, strict=True):
                kept_total += tally.add(row)
        if kept_total > MAX_KEPT:
            break
    found: dict[str, dict[str, Array]] = {}
    for name, row_tallies in tallies.items():
        stats = [t.select(positions) if kept_total <= MAX_KEPT else None for t in row_tallies]
        mean = sums[name] / samples
        if any(s is None for s in stats):  # a window missed: the exact, memory-hungry way
            values = _exhaustive(evaluate, name, k, samples, dist, seed)
            every = np.percentile(values, list(points), axis=-1)
            mean = np.mean(values, axis=-1)
        else:
            every = np.array(stats).T
        found[name] = {**dict(zip(keys, every, strict=True)), "mean": mean}
    return found


class _Tally:
    """One result of one row: the pilot's windows, counts below each, values inside."""

    def __init__(self, pilot: Array, positions: Array, samples: int) -> None:
        size = len(pilot)
        centres = positions / (samples - 1) * (size - 1)
        q = positions / (samples - 1)
        spread = MARGIN * np.sqrt(q * (1 - q) * size) + MARGIN
        low = np.clip(np.floor(centres - spread), 0, size - 1).astype(int)
        high = np.clip(np.ceil(centres + spread) + 1, 0, size - 1).astype(int)
        ordered = np.partition(pilot, np.unique(np.concatenate([low, high])))
        self.edges = np.empty(2 * len(positions))
        self.edges[0::2], self.edges[1::2] = ordered[low], ordered[high]
        self.constant = bool(np.all(pilot == pilot[0]))
        self.value = float(pilot[0])
        self.usable = bool(np.all(np.diff(self.edges) > 0)) and not np.isnan(self.edges).any()
        self.counts = np.zeros(len(self.edges) + 1, dtype=np.int64)
        self.kept: list[tuple[int, Array]] = []
        """Values inside each window, by the window's odd count index, chunk by chunk."""
        self.nan = False

    def add(self, values: Array) -> int:
        """Count a chunk's values; returns how many were kept."""
        if self.constant:
            self.constant = bool(np.all(values == self.value))
            return 0
        if not self.usable:
            return 0
        if np.isnan(values).any():
            self.nan = True
            return 0
        above = [values >= edge for edge in self.edges]  # the edges ascend: masks nest
        totals = [int(np.count_nonzero(mask)) for mask in above]
        self.counts += np.diff([len(values), *totals, 0]) * -1
        kept = 0
        for i in range(len(self.edges) // 2):  # window i is [edges[2i], edges[2i+1])
            inside = values[above[2 * i] & ~above[2 * i + 1]]
            self.kept.append((2 * i + 1, inside))
            kept += len(inside)
        return kept

    def select(self, positions: Array) -> Array | None:
        """The percentiles, or None when a window does not hold its order statistics."""
        if self.nan:
            return np.full(len(positions), np.nan)
        if self.constant:
            return np.full(len(positions), self.value)
        if not self.usable:
            return None
        result = np.empty(len(positions))
        for i, h in enumerate(positions):
            window = np.sort(np.concatenate([v for w, v in self.kept if w == 2 * i + 1]))
            before = int(self.counts[: 2 * i + 1].sum())
            lower, upper = int(np.floor(h)) - before, int(np.ceil(h)) - before
            if lower < 0 or upper >= len(window):
                return None
            result[i] = _lerp(window[lower], window[upper], float(h - np.floor(h)))
        return result


def _exhaustive(
    evaluate: Evaluate, name: str, k: int, samples: int, dist: str, seed: int | None
) -> Array:
    """Every sample of one result at once (the slow path)."""
    design = np.concatenate([d for _, d in design_chunks(k, samples, dist, seed, 1 << 20)])
    return evaluate(design)[name]
