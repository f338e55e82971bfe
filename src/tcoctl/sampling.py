"""Monte Carlo percentiles in bounded memory, exact.

Samples a run leaves out (``evaluate`` marks them: a goal-seek's goal out of reach there)
count for nothing: each row's percentiles and mean are over its other samples.

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
LeftOut = NDArray[np.bool_] | None
"""The samples (rows x points) a run leaves out; None: none."""
Evaluate = Callable[[Array], tuple[dict[str, Array], LeftOut]]
"""A design (points x k, in [0, 1]) to each result as a (rows, points) array, and the
samples left out."""
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
) -> tuple[dict[str, dict[str, Array]], NDArray[np.int64]]:
    """Each result's percentiles over ``samples`` Monte Carlo draws (those not left out),
    per row, and its ``mean`` (for a 0/1 result, the probability of 1: a run crossing a
    line); and per row how many draws they are over."""
    probe, _ = evaluate(np.full((1, k), 0.5))
    rows = next(iter(probe.values())).shape[0] if probe else 1
    chunk = max(4096, CHUNK_CELLS // max(1, rows))
    q = np.asarray(points, dtype=float) / 100
    if samples <= chunk:  # one chunk: the plain way
        _, design = next(design_chunks(k, samples, dist, seed, samples))
        out, left_out = evaluate(design)
        exact = {name: _exact(values, left_out, q, keys) for name, values in out.items()}
        return exact, _counted(left_out, rows, samples)
    tallies: dict[str, list[_Tally]] = {}
    kept_total = 0
    counted = np.zeros(rows, dtype=np.int64)
    for index, (size, design) in enumerate(design_chunks(k, samples, dist, seed, chunk)):
        out, left_out = evaluate(design)
        counted += _counted(left_out, rows, size)
        if index == 0:
            tallies = {name: [_Tally(v, q) for v in _kept(out[name], left_out)] for name in out}
        for name, values in out.items():
            for tally, row in zip(tallies[name], _kept(values, left_out), strict=True):
                kept_total += tally.add(row)
        if kept_total > MAX_KEPT:
            break
    found: dict[str, dict[str, Array]] = {}
    for name, row_tallies in tallies.items():
        stats = [t.select(q) if kept_total <= MAX_KEPT else None for t in row_tallies]
        if any(s is None for s in stats):  # a window missed: the exact, memory-hungry way
            values, left_out = _exhaustive(evaluate, name, k, samples, dist, seed)
            found[name] = _exact(values, left_out, q, keys)
            counted = _counted(left_out, rows, samples)  # all of them, had the chunks stopped
        else:
            mean = np.array([t.total / t.count if t.count else np.nan for t in row_tallies])
            found[name] = {**dict(zip(keys, np.array(stats).T, strict=True)), "mean": mean}
    return found, counted


def _counted(left_out: LeftOut, rows: int, size: int) -> NDArray[np.int64]:
    """Per row, how many of ``size`` draws are not left out."""
    if left_out is None:
        return np.full(rows, size, dtype=np.int64)
    out: NDArray[np.int64] = size - np.broadcast_to(left_out, (rows, size)).sum(axis=1)
    return out


def _kept(values: Array, left_out: LeftOut) -> Iterator[Array]:
    """Each row's values but those left out."""
    if left_out is None:
        yield from values
    else:
        for row, out in zip(values, np.broadcast_to(left_out, values.shape), strict=True):
            yield row[~out]


def _exact(values: Array, left_out: LeftOut, q: Array, keys: Sequence[str]) -> dict[str, Array]:
    """Percentiles at fractions ``q`` (as ``keys``) and the mean of each row of
    ``values`` (rows x samples), over the samples not left out (NaN where none is)."""
    if left_out is None or not left_out.any():
        found = np.percentile(values, q * 100, axis=-1)
        return {**dict(zip(keys, found, strict=True)), "mean": np.mean(values, axis=-1)}
    rows = [row if row.size else np.full(1, np.nan) for row in _kept(values, left_out)]
    found = np.array([np.percentile(row, q * 100) for row in rows]).T
    return {**dict(zip(keys, found, strict=True)), "mean": np.array([r.mean() for r in rows])}


class _Tally:
    """One result of one row: the pilot's windows, counts below each, values inside."""

    def __init__(self, pilot: Array, q: Array) -> None:
        """Windows around the order statistics at fractions ``q`` of the pilot's values."""
        size = len(pilot)
        centres = q * (size - 1)
        spread = MARGIN * np.sqrt(q * (1 - q) * size) + MARGIN
        low = np.clip(np.floor(centres - spread), 0, size - 1).astype(int)
        high = np.clip(np.ceil(centres + spread) + 1, 0, size - 1).astype(int)
        self.edges = np.full(2 * len(q), np.nan)
        if size:  # every pilot sample left out: no windows (the exact way, if others count)
            ordered = np.partition(pilot, np.unique(np.concatenate([low, high])))
            self.edges[0::2], self.edges[1::2] = ordered[low], ordered[high]
        self.value = float(pilot[0]) if size else np.nan
        self.constant = bool(size) and bool(np.all(pilot == pilot[0]))
        self.usable = bool(np.all(np.diff(self.edges) > 0)) and not np.isnan(self.edges).any()
        self.counts = np.zeros(len(self.edges) + 1, dtype=np.int64)
        self.kept: list[tuple[int, Array]] = []
        """Values inside each window, by the window's odd count index, chunk by chunk."""
        self.nan = False
        self.count = 0
        """Values counted, over all chunks."""
        self.total = 0.0
        """Their sum."""

    def add(self, values: Array) -> int:
        """Count a chunk's values; returns how many were kept."""
        self.count += len(values)
        self.total += float(np.sum(values))
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

    def select(self, q: Array) -> Array | None:
        """The percentiles at fractions ``q`` of the values counted, or None when a window
        does not hold its order statistics."""
        if self.nan or not self.count:
            return np.full(len(q), np.nan)
        if self.constant:
            return np.full(len(q), self.value)
        if not self.usable:
            return None
        positions = q * (self.count - 1)  # as np.percentile
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
) -> tuple[Array, LeftOut]:
    """Every sample of one result at once (the slow path), and those left out."""
    design = np.concatenate([d for _, d in design_chunks(k, samples, dist, seed, 1 << 20)])
    out, left_out = evaluate(design)
    return out[name], left_out
