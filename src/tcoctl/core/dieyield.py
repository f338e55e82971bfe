"""Core: dies per wafer, line and defect-limited yield, good dies and cost per good die, and
the inverse questions (what yield or defect density a good-die count implies).

Pure numpy over float64 arrays in SI units: lengths [m], areas [m^2], defect density [1/m^2],
money [USD]; yields and counts [-]. Every argument broadcasts.

References
----------
- Dies per wafer, DPW = pi (d/2)^2 / S - pi d / sqrt(2 S): J. L. Hennessy and D. A. Patterson,
  "Computer Architecture: A Quantitative Approach", 5th/6th ed., section 1.6.
- Yield models (lambda = A D0): Poisson e^-l; Murphy ((1 - e^-l)/l)^2 (B. T. Murphy, Proc.
  IEEE 52, 1964); rectangular (1 - e^-2l)/(2l); Moore e^-sqrt(l) (G. E. Moore, 1970);
  Seeds 1/(1+l) (R. B. Seeds, 1967); negative binomial (1 + l/a)^-a (C. H. Stapper, 1983);
  Bose-Einstein (1 + l)^-N with N the process-complexity factor, roughly the critical layers,
  and D0 per layer (Hennessy & Patterson, after Sydow 2006). The other six as in
  SemiAnalysis's die-yield calculator (github.com/Semianalysis/
  die-yield-calculator-wp, src/config/yieldModels.ts).
- Compounded line yield Y = p^n over n equal steps.
- Spare cores: a die with M identical cores works when at least N of them are good; with
  independent cores of yield y that is the binomial tail sum_{k=N}^{M} C(M,k) y^k (1-y)^(M-k),
  times the yield of the area outside the cores (I. Koren and C. M. Krishna, "Fault-Tolerant
  Systems", ch. 2; MIT 6.780J Spring 2008, assignment 5 solutions: "(0.995)^256 = 27.7%").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tcoctl.core.constants import DOES_NOT_FIT, OFFSET_STEPS, YIELD_MODELS
from tcoctl.core.relations import (
    Drawing,
    Finding,
    Model,
    Relation,
    Work,
    by_row,
    formula,
    product,
    references,
)

Array = NDArray[np.float64]
Value = Any  # float or ndarray (or None where optional); numpy broadcasts both
MODELS = YIELD_MODELS
SPLITS = 32
"""Parts the defect-density search splits its bracket into per round (``_bisected``)."""
LOG_LAMBDA_LOW = -20.0
"""log10 of the least lambda the defect-density search tries: below ~1.1e-16 every yield
model rounds to 1 in float64, so the lambda of any yield under 1 lies above it."""
MAX_ROWS = 20_000
"""Die rows across a wafer the die count accepts (a die pitch of 15 um on 300 mm)."""
CELL_BUDGET = 20_000_000
"""Row evaluations (scenarios x offsets x rows) one die count may take (about a second)."""
BLOCK_CELLS = 2_000_000
"""Row evaluations held in memory at once."""


class ModeError(ValueError):
    """A die count that cannot be done: the message says why."""


def line_yield(step_yield: Value, steps: Value) -> Array:
    """Compounded yield of ``steps`` equal steps [-]: Y = p^n."""
    return np.asarray(np.power(step_yield, steps), dtype=float)


def required_step_yield(target: Value, steps: Value) -> Array:
    """The per-step yield p with p^n = target [-]."""
    return np.asarray(np.power(target, np.divide(1.0, steps)), dtype=float)


def dies_per_wafer_formula(usable_diameter: Value, die_area: Value) -> Array:
    """Classic approximation pi (d/2)^2 / S - pi d / sqrt(2 S) [-] (Hennessy & Patterson);
    d [m] usable diameter, S [m^2] die area including scribe. Floored at 0."""
    d = np.asarray(usable_diameter, dtype=float)
    s = np.asarray(die_area, dtype=float)
    return np.asarray(np.maximum(np.pi * (d / 2) ** 2 / s - np.pi * d / np.sqrt(2 * s), 0.0))


def whole_dies(
    radius: Value,
    width: Value,
    height: Value,
    pitch_x: Value,
    pitch_y: Value,
    offset_x: Value,
    offset_y: Value,
    notch: Value,
) -> Array:
    """Whole dies inside a circle of ``radius`` [m] on one grid [-].

    Dies sit at x = offset_x + i pitch_x, y = offset_y + j pitch_y (lower-left corners); a die
    counts when its four corners lie within ``radius`` and its lower edge is above the notch
    band ``-radius + notch``. Each row counts its columns in closed form, so the cost grows
    with the number of rows, not dies. All arrays broadcast: offsets on separate axes
    (``candidate_offsets``) work out each row's chord once per y offset.
    """
    radius, width, height, pitch_x, pitch_y, offset_x, offset_y, notch = (
        np.asarray(a, dtype=float)[..., None]
        for a in (radius, width, height, pitch_x, pitch_y, offset_x, offset_y, notch)
    )
    rows = int(np.ceil(np.max(2 * radius / pitch_y))) + 2
    j = np.arange(-(rows // 2) - 1, rows // 2 + 2, dtype=float)
    y0 = offset_y + j * pitch_y
    y_far = np.maximum(np.abs(y0), np.abs(y0 + height))
    fits = (y_far <= radius) & (y0 >= -radius + notch)
    # a row that does not fit has no chord (-inf): no column fits in it
    half_chord = np.where(fits, np.sqrt(np.maximum(radius**2 - y_far**2, 0.0)), -np.inf)
    # columns from first to last; in place: these (offsets x rows) arrays are the cost
    first = -half_chord - offset_x
    first /= pitch_x
    np.ceil(first, out=first)
    last = half_chord - width - offset_x
    last /= pitch_x
    np.floor(last, out=last)
    last -= first
    last += 1
    # summed as a product with ones: whole numbers add up exactly in any order, and numpy's
    # sum over a short last axis costs several times more
    return np.asarray(np.maximum(last, 0.0, out=last) @ np.ones(last.shape[-1]))


def candidate_offsets(
    width: Value, height: Value, pitch_x: Value, pitch_y: Value, steps: int = 0
) -> tuple[Array, Array]:
    """Grid offsets to try [m], on two new trailing axes, x offsets along the first and y
    offsets along the second (so that ``whole_dies`` works out each row's chord once per y
    offset, not once per offset pair): a ``steps`` x ``steps`` search within one pitch
    (OFFSET_STEPS by default), always including the die-centred and street-centred grids."""
    steps = steps or OFFSET_STEPS
    fractions = np.arange(steps) / steps
    # the die-centred offset (0, 0) is on every grid; the street-centred (1/2, 1/2) on even ones
    fractions = fractions if steps % 2 == 0 else np.append(fractions, 0.5)
    width, height, pitch_x, pitch_y = (
        np.asarray(a, dtype=float)[..., None, None] for a in (width, height, pitch_x, pitch_y)
    )
    return -width / 2 + fractions[:, None] * pitch_x, -height / 2 + fractions * pitch_y


def offset_steps(points: Value, rows: Array) -> Array:
    """Grid offsets per axis a die count tries for one scenario of ``points`` design points
    and ``rows`` die rows across: OFFSET_STEPS, fewer where that would pass CELL_BUDGET."""
    return np.asarray(np.minimum(OFFSET_STEPS, np.sqrt(CELL_BUDGET / (points * rows))), dtype=int)


def count_work(usable_diameter: Value, pitch: Value, points: int = 1) -> Array:
    """Row evaluations [-] one die count takes per scenario (dies_per_wafer's budget rule):
    points x rows x offsets^2, with rows = usable diameter / pitch + 4 (lengths in [m];
    beyond MAX_ROWS rows the count is refused, so it takes none)."""
    across = np.divide(usable_diameter, pitch)
    rows = np.ceil(np.where(np.isfinite(across), across, 0.0)) + 4
    steps = offset_steps(points, rows)
    return np.where(across > MAX_ROWS, 0.0, points * rows * steps.astype(float) ** 2)


def count_work_of(known: Mapping[str, float], points: int) -> float:
    """Row evaluations [-] dies_per_wafer takes for one scenario of ``points`` design points,
    from the ``known`` quantities (floats, core units; the rows run across the die's width)."""
    usable = known["wafer_diameter"] - 2 * known["edge_exclusion"]
    return float(count_work(usable, known["die_width"] + known["scribe"], points))


def dies_per_wafer(
    wafer_diameter: Value,
    edge_exclusion: Value,
    die_width: Value,
    die_height: Value,
    scribe: Value,
    notch: Value = 0.0,
) -> Array:
    """Count of whole dies [-] on a grid of pitch (die + scribe), at the best offset tried
    (a count of few values is kept for a later call with the same ones: REMEMBERED_VALUES).

    Lengths in [m]; ``notch`` is the depth of a band at the wafer's lower edge (notch or
    flat) where no die may sit. The usable radius is diameter / 2 - edge_exclusion (none
    left: 0 dies); a NaN length (a goal-seek's unknown out of reach) gives a NaN count.
    The offset search narrows from OFFSET_STEPS per axis when many scenarios are counted at
    once, so that the work stays within CELL_BUDGET row evaluations; it runs in blocks of
    offsets to bound memory. The best of the offsets tried is not always the
    best placement: a 160 x 160 offset search finds more dies for some sizes (300 mm wafer,
    square dies, no edge exclusion or scribe: 169 vs 173 for 360 mm^2, 3,409 vs 3,410 for
    20 mm^2; at most 2.3 % over 40 sizes from 20 to 800 mm^2).
    """
    lengths = (wafer_diameter, edge_exclusion, die_width, die_height, scribe, notch)
    given = [np.asarray(a, dtype=float) for a in lengths]
    remembered = sum(a.size for a in given) <= REMEMBERED_VALUES
    key = tuple((a.shape, a.tobytes()) for a in given) if remembered else ()
    found = _COUNTS.get(key) if remembered else None  # one lookup: another thread may clear
    if found is not None:
        return found.copy()
    counts = _counted(*given)
    if remembered:
        if len(_COUNTS) >= REMEMBERED_CALLS:
            _COUNTS.clear()
        _COUNTS[key] = counts.copy()
    return counts


REMEMBERED_VALUES = 20_000
"""Input values (all six arrays) up to which a die count is kept for later calls with the
same inputs: a single run's few geometries, repeated by an API call in a loop or a notebook
cell run again, are counted once per process."""
REMEMBERED_CALLS = 256
"""Die counts kept at most (the store starts again empty when full)."""
_COUNTS: dict[tuple[tuple[tuple[int, ...], bytes], ...], Array] = {}


def _counted(
    wafer_diameter: Array,
    edge_exclusion: Array,
    die_width: Array,
    die_height: Array,
    scribe: Array,
    notch: Array,
) -> Array:
    """``dies_per_wafer``'s count, worked out (lengths in [m])."""
    radius = np.maximum(np.subtract(np.divide(wafer_diameter, 2), edge_exclusion), 0.0)
    pitch_x, pitch_y = np.add(die_width, scribe), np.add(die_height, scribe)
    shape = np.broadcast(radius, pitch_x, pitch_y, die_width, die_height, notch).shape
    # The work budget is per scenario (the first axis: a batch line, a sweep point), so
    # one scenario's count never depends on, or fails because of, another's.
    full = [_filled(a, shape).reshape(-1, *shape[1:])
            for a in (radius, pitch_x, pitch_y, die_width, die_height, notch)]  # fmt: skip
    scenarios = full[0].shape[0]
    points = max(1, math.prod(shape[1:])) if shape else 1
    geometry = np.stack([a.reshape(scenarios, points) for a in full], axis=-1)
    # a scenario whose points share one geometry (ranges only in inputs the count does not
    # use, as a goal-seek over a preset with ranged steps gives) is one count, at full steps
    alike = np.all(geometry == geometry[:, :1], axis=(1, 2))
    across = (2 * full[0] / full[2]).reshape(scenarios, -1)
    too_many = np.any(across > MAX_ROWS, axis=1)
    rows = np.ceil(np.max(np.where(np.isfinite(across), across, 0.0), axis=1, initial=0.0)) + 4
    steps = offset_steps(np.where(alike, 1, points), rows)
    steps[too_many] = 0
    if not np.any(steps >= 4):
        if np.any(too_many):
            raise ModeError(f"die pitch too small: more than {MAX_ROWS} rows of dies per wafer")
        raise ModeError(
            "counting whole dies would take too long for this die size and this many "
            "range corners or samples: use fewer samples or a narrower range of die sizes"
        )
    # each distinct geometry and search is counted once
    keys = np.column_stack([geometry.reshape(-1, 6), np.repeat(steps, points)])
    distinct, where = np.unique(keys, axis=0, return_inverse=True)
    best = np.full(len(distinct), np.nan)
    unknown = np.isnan(distinct[:, :6]).any(axis=1)  # a goal-seek's unknown it found none for
    for step in sorted(set(steps[steps >= 4].tolist())):  # too costly alone: NaN (failed)
        chosen = (distinct[:, 6] == step) & ~unknown
        if not chosen.any():
            continue
        radius_, pitch_x_, pitch_y_, width_, height_, notch_ = distinct[chosen, :6].T
        best[chosen] = _best_count(radius_, pitch_x_, pitch_y_, width_, height_, notch_, int(step))
    return np.asarray(best[where.reshape(-1)].reshape(shape), dtype=float)


def _filled(value: Value, shape: tuple[int, ...]) -> Array:
    """``value`` broadcast to ``shape`` as a new float array (a copy costs less than a
    broadcast view at the few scenarios of one run, and little beside a count at many)."""
    found = np.empty(shape)
    found[...] = value
    return found


def _best_count(
    radius: Array,
    pitch_x: Array,
    pitch_y: Array,
    die_width: Array,
    die_height: Array,
    notch: Array,
    steps: int,
) -> Array:
    """The best whole-die count over a ``steps`` x ``steps`` offset search, in blocks of x
    offsets to bound memory."""
    offset_x, offset_y = candidate_offsets(die_width, die_height, pitch_x, pitch_y, steps)
    rows = int(np.ceil(np.max(2 * radius / pitch_y, initial=0.0))) + 4
    block = max(1, BLOCK_CELLS // (max(1, radius.size) * rows * offset_y.shape[-1]))
    radius, width, height, pitch_x, pitch_y, band = (
        np.asarray(a, dtype=float)[..., None, None]
        for a in (radius, die_width, die_height, pitch_x, pitch_y, notch)
    )
    best = np.zeros(radius.shape[:-2])
    for start in range(0, offset_x.shape[-2], block):  # blocks of x offsets bound memory
        here = offset_x[..., start : start + block, :]
        counts = whole_dies(radius, width, height, pitch_x, pitch_y, here, offset_y, band)
        best = np.maximum(best, counts.max(axis=(-2, -1)))
    return best


MAX_SPARE_TERMS = 20_000_000
"""Binomial terms (scenarios x failed cores counted) one spare-core yield may sum."""


def yield_with_spares(core_yield: Value, cores: Value, needed: Value, rest: Value = 1.0) -> Array:
    """Yield [-] of a die that works with at least ``needed`` of its ``cores`` good, each core
    good with probability ``core_yield`` independently, times ``rest`` (the yield of the area
    outside the cores): rest x sum_{f=0}^{M-N} C(M,f) q^f (1-q)^(M-f), q = 1 - core_yield.

    The sum runs in logs over the failed cores f, up to M - N or to 40 standard deviations
    past the mean failures (the terms beyond add nothing at float64 precision). NaN where
    needed > cores.
    """
    y, m, n = (np.asarray(a, dtype=float) for a in np.broadcast_arrays(core_yield, cores, needed))
    q = 1.0 - y
    spares = m - n
    reach = m * q + 40.0 * np.sqrt(m * q * y) + 40.0
    terms = int(np.max(np.minimum(spares, reach), initial=0.0)) + 1
    if terms * max(1, y.size) > MAX_SPARE_TERMS:
        raise ModeError(
            f"the spare-core yield would sum more than {MAX_SPARE_TERMS:,} terms: use fewer "
            "cores or fewer range corners or samples"
        )
    f = np.arange(terms, dtype=float)
    m_, q_ = m[..., None], q[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        # log C(M, f) as a running sum of log((M - j) / (j + 1)), j < f
        steps = np.log(np.maximum(m_ - f[:-1], 0.0)) - np.log(f[:-1] + 1.0)
        log_choose = np.concatenate([np.zeros((*m.shape, 1)), np.cumsum(steps, axis=-1)], -1)
        failed = np.where(f == 0, 0.0, f * np.log(q_))
        good = np.where(m_ - f == 0, 0.0, (m_ - f) * np.log1p(-q_))
        log_terms = np.where(f <= spares[..., None], log_choose + failed + good, -np.inf)
        top = np.max(log_terms, axis=-1, keepdims=True)
        total = np.exp(top[..., 0]) * np.sum(np.exp(log_terms - top), axis=-1)
    tail = np.where(spares < 0, np.nan, np.minimum(total, 1.0))
    return np.asarray(np.multiply(tail, rest), dtype=float)


def die_yield(model: str, defects: Value, alpha: Value = None, layers: Value = None) -> Array:
    """Defect-limited die yield [-] for ``defects`` = lambda = A x D0 [-] under ``model``.

    Murphy and rectangular use expm1 so that lambda -> 0 gives 1 (the limit).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return _model_yield(model, np.asarray(defects, dtype=float), alpha, layers)


def _model_yield(model: str, lam: Array, alpha: Value, layers: Value) -> Array:
    """``die_yield`` of lambda as floats, in the caller's ``np.errstate`` (the defect-density
    search calls it 16 times at once)."""
    if model == "poisson":
        y = np.exp(-lam)
    elif model == "murphy":
        y = np.where(lam > 0, (-np.expm1(-lam) / lam) ** 2, 1.0)
    elif model == "rectangular":
        y = np.where(lam > 0, -np.expm1(-2 * lam) / (2 * lam), 1.0)
    elif model == "moore":
        y = np.exp(-np.sqrt(lam))
    elif model == "seeds":
        y = 1.0 / (1.0 + lam)
    elif model == "negative-binomial":
        if alpha is None:
            raise ModeError("the negative-binomial model needs alpha (clustering)")
        y = np.power(1.0 + lam / alpha, -np.asarray(alpha, dtype=float))
    elif model == "bose-einstein":
        if layers is None:
            raise ModeError("the Bose-Einstein model needs layers (critical layers)")
        y = np.power(1.0 + lam, -np.asarray(layers, dtype=float))
    else:
        raise ModeError(f"unknown yield model {model!r}; one of {', '.join(MODELS)}")
    return np.asarray(y, dtype=float)


def defects_for_yield(
    model: str, target: Value, alpha: Value = None, layers: Value = None
) -> Array:
    """Invert die_yield: the lambda [-] that gives yield ``target`` in (0, 1].

    Five models in closed form, their formulas solved for lambda: Poisson -ln Y, Moore
    (ln Y)^2, Seeds (1 - Y) / Y, negative binomial a (Y^(-1/a) - 1) and Bose-Einstein
    Y^(-1/N) - 1 (as expm1, exact for Y near 1). Murphy and rectangular have no closed
    form: a vectorised bisection on log(lambda) over [1e-20, 1e6] (below 1e-16 every yield
    rounds to 1, so any yield under 1 has its lambda inside) solves them to float64
    precision, as every model's yield falls monotonically with lambda. A yield below what
    lambda = 1e6 gives is NaN (out of reach), for every model alike.
    """
    target = np.asarray(target, dtype=float)
    reachable = die_yield(model, 1e6, alpha, layers) <= target  # checks model and parameters
    with np.errstate(divide="ignore", invalid="ignore"):
        log_yield = np.log(target)
        if model == "poisson":
            lam = -log_yield
        elif model == "moore":
            lam = log_yield**2
        elif model == "seeds":
            lam = (1.0 - target) / target
        elif model == "negative-binomial":
            lam = alpha * np.expm1(-log_yield / alpha)
        elif model == "bose-einstein":
            lam = np.expm1(-log_yield / layers)
        else:
            lam = _bisected(model, target)
    inside = (target > 0) & (target < 1) & reachable
    return np.asarray(np.where(target >= 1.0, 0.0, np.where(inside, lam, np.nan)), dtype=float)


def _bisected(model: str, target: Array) -> Array:
    """The lambda [-] in [10^LOG_LAMBDA_LOW, 1e6] where ``model``'s yield (taking no
    parameter) falls to ``target``: a search on log(lambda) that splits the bracket into
    SPLITS parts at once, as many rounds as give the bracket of 80 halvings (float64
    precision); the yield falls monotonically, so the points still above the target are the
    ones to pass."""
    lo = np.full(target.shape, LOG_LAMBDA_LOW)
    width = 6.0 - LOG_LAMBDA_LOW
    parts, goal = np.arange(1, SPLITS), target[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(80 // int(np.log2(SPLITS))):
            width /= SPLITS
            above = _model_yield(model, 10.0 ** (lo[..., None] + parts * width), None, None) > goal
            lo = lo + above.sum(axis=-1) * width
    return np.asarray(10.0 ** (lo + width / 2), dtype=float)


def die_map(
    wafer_diameter: float,
    edge_exclusion: float,
    die_width: float,
    die_height: float,
    scribe: float,
    notch: float,
    die_yield_value: float,
    seed: int,
) -> tuple[NDArray[np.int8], int]:
    """One wafer's die grid for drawing, at the grid offset that fits the most dies.

    Returns a (rows, columns) array, top row first: 0 off-wafer, 1 edge (on the wafer but
    not whole inside the usable area), 2 good, 3 lost to a defect (drawn with probability
    1 - die_yield, seeded), and the number of whole dies.
    """
    radius = wafer_diameter / 2 - edge_exclusion
    px, py = die_width + scribe, die_height + scribe
    offsets_x, offsets_y = candidate_offsets(die_width, die_height, px, py)
    counts = whole_dies(radius, die_width, die_height, px, py, offsets_x, offsets_y, notch)
    best_x, best_y = np.unravel_index(np.argmax(counts), counts.shape)
    n_x = int(np.ceil(wafer_diameter / px)) + 2
    n_y = int(np.ceil(wafer_diameter / py)) + 2
    x0 = offsets_x[best_x, 0] + (np.arange(n_x) - n_x // 2) * px
    y0 = offsets_y[0, best_y] + (np.arange(n_y) - n_y // 2) * py
    xs = np.stack([x0, x0 + die_width])[:, None, None, :]
    ys = np.stack([y0, y0 + die_height])[None, :, :, None]
    corner_r2 = xs**2 + ys**2  # (2, 2, rows, cols)
    inside = (corner_r2 <= radius**2).all(axis=(0, 1)) & (y0[:, None] >= -radius + notch)
    touches = (corner_r2 < (wafer_diameter / 2) ** 2).any(axis=(0, 1))
    state = np.where(touches, 1, 0).astype(np.int8)
    lost = np.random.default_rng(seed).random(inside.shape) >= die_yield_value
    state[inside] = np.where(lost[inside], 3, 2)
    keep_rows = np.flatnonzero(state.any(axis=1))
    keep_cols = np.flatnonzero(state.any(axis=0))
    state = state[keep_rows[0] : keep_rows[-1] + 1, keep_cols[0] : keep_cols[-1] + 1]
    return state[::-1], int(inside.sum())


def wafer_cells(
    inputs: Mapping[str, float], results: Mapping[str, float], seed: int
) -> tuple[NDArray[np.int8], dict[str, int]] | None:
    """``--map``'s drawing of one scenario: its wafer's dies (die_map) and their counts,
    from the central inputs and results: a die of die_width x die_height (die_height
    defaulting to die_width) or a square die of die_area, at its die_yield (all good where
    none is known); None without a die."""
    if "die_width" in inputs:
        width, height = inputs["die_width"], inputs.get("die_height", inputs["die_width"])
    elif "die_area" in inputs:
        width = height = math.sqrt(inputs["die_area"])
    else:
        return None
    state, whole = die_map(
        inputs["wafer_diameter"],
        inputs["edge_exclusion"],
        width,
        height,
        inputs["scribe"],
        inputs["notch"],
        results.get("die_yield", 1.0),
        seed,
    )
    counts = {
        "good": int((state == 2).sum()),
        "defective": int((state == 3).sum()),
        "edge": int((state == 1).sum()),
        "whole_dies": whole,
    }
    return state, counts


def _identity(value: Value) -> Value:
    return value


def _one() -> float:
    return 1.0


def _model_relations(models: tuple[str, ...], extra: tuple[str, ...]) -> tuple[Relation, ...]:
    """die_yield(die_area x D0) under the models that take the parameters ``extra`` (alpha for
    the negative binomial, layers for Bose-Einstein), with the closed-form D0 inverse and the
    D0 that an implied yield means."""

    def forward(area: Value, d0: Value, *params: Value, model: str) -> Array:
        return die_yield(model, np.multiply(area, d0), **dict(zip(extra, params, strict=True)))

    def inverse(target: Value, area: Value, *params: Value, model: str) -> Array:
        lam = defects_for_yield(model, target, **dict(zip(extra, params, strict=True)))
        return np.asarray(np.divide(lam, area), dtype=float)

    when = ("model", models)
    return (
        formula(
            "die_yield",
            ["die_area", "defect_density", *extra],
            forward,
            "die_yield = Y_model(die_area x defect_density)",
            inverses={"defect_density": inverse},
            when=when,
            choices=("model",),
        ),
        *(
            formula(
                f"{part}_yield",
                [f"{part}_area", "defect_density", *extra],
                forward,
                f"{part}_yield = Y_model({part}_area x defect_density)",
                when=when,
                choices=("model",),
            )
            for part in ("core", "rest")
        ),
        formula(
            "implied_defect_density",
            ["implied_yield", "die_area", *extra],
            inverse,
            "implied_defect_density = Y_model^-1(implied_yield) / die_area",
            when=when,
            choices=("model",),
        ),
    )


def _usable_formula(
    diameter: Value, edge: Value, width: Value, height: Value, scribe: Value
) -> Array:
    """The classic dies-per-wafer formula [-] on the usable diameter d = diameter - 2 x edge
    [m] and the pitch area S = (width + scribe) x (height + scribe) [m^2] (Hennessy &
    Patterson, section 1.6)."""
    usable = np.subtract(diameter, np.multiply(2, edge))
    return dies_per_wafer_formula(
        usable, np.multiply(np.add(width, scribe), np.add(height, scribe))
    )


def _textbook_formula(diameter: Value, area: Value) -> Array:
    """The dies-per-wafer formula as the textbook applies it [-]: on the whole wafer diameter
    [m] and the bare die area [m^2], no edge exclusion and no scribe (Hennessy & Patterson)."""
    return dies_per_wafer_formula(diameter, area)


def _rest_area(die_area: Value, cores: Value, core_area: Value) -> Array:
    """Die area outside the cores [m^2]: die_area - cores x core_area."""
    return np.asarray(np.subtract(die_area, np.multiply(cores, core_area)), dtype=float)


def _implied_step_yield(good: Value, dies: Value, wafer: Value, steps: Value) -> Array:
    """The per-step yield [-] that alone would explain the good dies [-]: (good / (dies x
    wafer_factor)) ^ (1 / steps), with wafer_factor the wafer yield (1 if none is given)."""
    return required_step_yield(np.divide(good, np.multiply(dies, wafer)), steps)


PLAIN_MODELS = tuple(m for m in MODELS if m not in ("negative-binomial", "bose-einstein"))

RELATIONS = (
    formula(
        "line_yield",
        ["step_yield", "steps"],
        line_yield,
        "line_yield = step_yield ^ steps",
        inverses={
            "step_yield": lambda line, steps: required_step_yield(line, steps),
            "steps": lambda line, step: np.divide(np.log(line), np.log(step)),
        },
    ),
    formula(
        "required_step_yield",
        ["target_yield", "steps"],
        required_step_yield,
        "required_step_yield = target_yield ^ (1 / steps)",
    ),
    product("die_area", "die_width", "die_height"),
    formula(
        "die_width",
        ["die_area"],
        np.sqrt,
        "a square die: die_width = sqrt(die_area)",
        fallback=True,
    ),
    formula(
        "die_height",
        ["die_width"],
        _identity,
        "a square die: die_height = die_width",
        fallback=True,
    ),
    formula(
        "dies_per_wafer_formula",
        ["wafer_diameter", "edge_exclusion", "die_width", "die_height", "scribe"],
        _usable_formula,
        "dies_per_wafer_formula = pi (d/2)^2 / S - pi d / sqrt(2 S)",
    ),
    # The count good dies use, unless --dies-per-wafer states one: by --dies-per-wafer-method
    # (the whole-die count when the method is not chosen, as supply uses it)
    formula(
        "dies_per_wafer",
        ["dies_per_wafer_formula"],
        _identity,
        "dies_per_wafer = dies_per_wafer_formula (--dies-per-wafer-method formula)",
        when=("dies_per_wafer_method", ("formula",)),
        fallback=True,
    ),
    formula(
        "dies_per_wafer",
        ["wafer_diameter", "die_area"],
        _textbook_formula,
        "dies_per_wafer = pi (d/2)^2 / A - pi d / sqrt(2 A), whole wafer, bare die "
        "(--dies-per-wafer-method textbook)",
        when=("dies_per_wafer_method", ("textbook",)),
        fallback=True,
    ),
    formula(
        "dies_per_wafer",
        ["wafer_diameter", "edge_exclusion", "die_width", "die_height", "scribe", "notch"],
        dies_per_wafer,
        "dies_per_wafer = whole dies on the best of the grid offsets tried",
        fallback=True,
        work=Work("counting whole dies", "larger dies", count_work_of),
    ),
    product("dies", "wafers", "good_dies_per_wafer"),
    formula(
        "rest_area",
        ["die_area", "cores", "core_area"],
        _rest_area,
        "rest_area = die_area - cores x core_area",
    ),
    *_model_relations(PLAIN_MODELS, ()),
    *_model_relations(("negative-binomial",), ("alpha",)),
    *_model_relations(("bose-einstein",), ("layers",)),
    formula(
        "wafer_factor",
        ["wafer_yield"],
        _identity,
        "wafer_factor = wafer_yield",
        inverses={"wafer_yield": _identity},
    ),
    formula(
        "line_factor",
        ["line_yield"],
        _identity,
        "line_factor = line_yield",
        inverses={"line_yield": _identity},
    ),
    formula("rest_factor", ["rest_yield"], _identity, "rest_factor = rest_yield"),
    formula("rest_factor", [], _one, "no die area around the cores: 1", fallback=True),
    formula(
        "yield_with_spares",
        ["core_yield", "cores", "cores_needed", "rest_factor"],
        yield_with_spares,
        "yield_with_spares = rest_yield x P(at least cores_needed of cores good)",
    ),
    formula("wafer_factor", [], _one, "no wafer yield given: 1", fallback=True),
    formula("line_factor", [], _one, "no line yield given: 1", fallback=True),
    formula(
        "die_factor",
        ["yield_with_spares"],
        _identity,
        "die_factor = yield_with_spares (spare cores given)",
        fallback=True,
    ),
    formula("die_factor", ["die_yield"], _identity, "die_factor = die_yield", fallback=True),
    formula(
        "die_factor",
        ["implied_yield"],
        _identity,
        "no defect density: the yield the observed good dies imply",
        fallback=True,
    ),
    formula("die_factor", [], _one, "no defect-limited yield given: 1", fallback=True),
    product("good_dies_per_wafer", "dies_per_wafer", "die_factor", "wafer_factor", "line_factor"),
    product("good_dies", "implied_yield", "dies_per_wafer", "wafer_factor", "line_factor"),
    formula(
        "implied_step_yield",
        ["good_dies", "dies_per_wafer", "wafer_factor", "steps"],
        _implied_step_yield,
        "implied_step_yield = (good_dies / (dies_per_wafer x wafer_yield)) ^ (1 / steps)",
    ),
    product("wafer_cost", "cost_per_good_die", "good_dies_per_wafer"),
)

ONES = frozenset(("wafer_factor", "line_factor"))
"""The factors good dies take as 1 by a fallback when no wafer or line yield is given."""
DIE_YIELDS = frozenset(("die_yield", "implied_yield", "yield_with_spares"))
"""What gives the defect-limited factor: with none of them (and ONES at 1) every die is good."""
ALL_GOOD = (
    "no yield is given (defect_density, line_yield, wafer_yield, good_dies): "
    "good_dies_per_wafer counts every die that fits as good"
)

RETICLE_M = (26e-3, 33e-3)
"""Maximum exposure field of current scanners, 26 x 33 mm (ASML NXT/NXE specifications)."""


def checks(values: Mapping[str, Any], rows: int, assumed: frozenset[str]) -> list[Finding]:
    """Row by row: no usable wafer and a die that does not fit are failures; a die beyond the
    reticle field is a warning: its given width or height beyond 26 x 33 mm, or its area
    beyond the field's. A die given by its area alone is assumed square only to count it,
    not to judge its shape (an 814 mm^2 H100 is 26 x 31.3 mm and fits)."""
    found = []

    def per_row(mask: Any) -> NDArray[np.bool_]:
        return by_row(mask, rows)

    diameter, edge = values["wafer_diameter"], values["edge_exclusion"]
    no_wafer = per_row(np.multiply(2, edge) >= diameter)
    if no_wafer.any():
        found.append(
            Finding(
                "edge_exclusion leaves no usable wafer (it is at least half of wafer_diameter)",
                no_wafer,
                fatal=True,
            )
        )
    if "die_width" in values and "dies_per_wafer" in values:
        width, height = values["die_width"], values["die_height"]
        short, long = np.minimum(width, height), np.maximum(width, height)
        field = (1 + 1e-9) * RETICLE_M[0] * RETICLE_M[1]
        if "die_width" in assumed:  # a square from the area: only the area says anything
            beyond = per_row(np.multiply(width, height) > field)
        elif "die_height" in assumed:  # a width alone: it may be the long side
            beyond = per_row(np.asarray(width) > RETICLE_M[1] * (1 + 1e-9))
        else:
            edge = (short > RETICLE_M[0] * (1 + 1e-9)) | (long > RETICLE_M[1] * (1 + 1e-9))
            beyond = per_row(edge)
        if beyond.any():
            found.append(
                Finding(
                    "the die exceeds the 26 x 33 mm reticle field: it needs stitching or "
                    "several exposures",
                    beyond,
                )
            )
        if "dies_per_wafer" in assumed:  # counted from the die: 0 means it does not fit
            unfit = per_row(np.asarray(values["dies_per_wafer"]) == 0) & ~no_wafer
            if unfit.any():
                found.append(Finding(DOES_NOT_FIT, unfit, True))
    if "dies_per_wafer" in values and "dies_per_wafer" not in assumed:  # a stated count
        found.extend(_stated_count_checks(values, rows, assumed, no_wafer))
    found.extend(_spare_checks(values, rows))
    if assumed >= ONES and "good_dies_per_wafer" in values and not DIE_YIELDS & set(values):
        found.append(Finding(ALL_GOOD, by_row(np.array(True), rows)))
    found.extend(_unsolved_density_checks(values, rows))
    found.extend(_implied_density_checks(values, rows))
    return found


def dies_by_area(values: Mapping[str, Any], square: bool) -> Array:
    """The most dies the usable wafer can hold by area [-]: floor(pi r^2 / S), r = diameter /
    2 - edge_exclusion, S the die's pitch area (width + scribe) x (height + scribe), or its
    bare area where only the area is known (its shape unknown, the bound holds for any)."""
    radius = np.maximum(values["wafer_diameter"] / 2 - np.asarray(values["edge_exclusion"]), 0)
    if square:
        pitch = np.asarray(values["die_area"], dtype=float)
    else:
        scribe = values["scribe"]
        pitch = np.multiply(
            np.add(values["die_width"], scribe), np.add(values["die_height"], scribe)
        )
    return np.asarray(np.floor(np.pi * radius**2 / pitch * (1 + 1e-12)), dtype=float)


def _stated_count_checks(
    values: Mapping[str, Any], rows: int, assumed: frozenset[str], no_wafer: NDArray[np.bool_]
) -> list[Finding]:
    """A stated dies_per_wafer that cannot be: 0 (no die made), or, with a die size, more
    than the usable wafer holds by area (dies_by_area), naming both numbers (one finding per
    pair of them)."""
    stated = np.asarray(values["dies_per_wafer"], dtype=float)
    found = []
    zero = by_row(stated == 0, rows) & ~no_wafer
    if zero.any():
        message = "dies_per_wafer is 0: no die is made (give a count above 0)"
        found.append(Finding(message, zero, True, ("dies_per_wafer",)))
    if "die_width" not in values:
        return found
    square = "die_width" in assumed
    counts, most = np.broadcast_arrays(
        np.atleast_1d(stated), np.atleast_1d(dies_by_area(values, square))
    )
    counts, most = counts.reshape(counts.shape[0], -1), most.reshape(most.shape[0], -1)
    over = counts > most
    pairs: dict[tuple[float, float], list[int]] = {}  # (stated, bound) at each row's worst
    for row in np.flatnonzero(over.any(axis=1)).tolist():
        at = int(np.argmax(np.where(over[row], counts[row] - most[row], -np.inf)))
        pairs.setdefault((float(counts[row, at]), float(most[row, at])), []).append(row)
    shape = "die_area" if square else "((die_width + scribe) x (die_height + scribe))"
    for (count, bound), members in pairs.items():
        mask = np.zeros(over.shape[0], dtype=bool)
        mask[members] = True
        message = (
            f"dies_per_wafer {count:,.0f} is more than the usable wafer holds: at most "
            f"{bound:,.0f} dies by area (pi (wafer_diameter / 2 - edge_exclusion)^2 / {shape})"
        )
        found.append(Finding(message, by_row(mask, rows), True, ("dies_per_wafer",)))
    return found


def _unsolved_density_checks(values: Mapping[str, Any], rows: int) -> list[Finding]:
    """A die_yield with no defect density to give it (solved for, so NaN): 0 or less is no
    goal (a usage error), and a yield below what lambda = die_area x defect_density = 1e6
    gives is beyond the search's cap (defects_for_yield)."""
    if "defect_density" not in values or "die_yield" not in values:
        return []
    target = np.asarray(values["die_yield"], dtype=float)
    unsolved = np.isnan(np.asarray(values["defect_density"], dtype=float))
    found = []
    for points, message, usage in (
        (unsolved & (target <= 0), "die_yield must be above 0 as a goal (e.g. 0.5)", True),
        (
            unsolved & (target > 0),
            "die_yield is out of reach under --model: it would take more than 1e6 defects "
            "per die (die_area x defect_density, the most the defect density solve tries)",
            False,
        ),
    ):
        if np.any(points):
            found.append(Finding(message, by_row(points, rows), True, (), points, usage))
    return found


def _implied_density_checks(values: Mapping[str, Any], rows: int) -> list[Finding]:
    """An implied yield that no defect density gives under the model (a warning: the other
    results stand): less than what lambda = die_area x defect_density = 1e6 gives
    (defects_for_yield; a negative binomial with alpha 0.1 never falls below 0.2)."""
    if "implied_defect_density" not in values or "implied_yield" not in values:
        return []
    implied = np.asarray(values["implied_yield"], dtype=float)
    points = np.isnan(np.asarray(values["implied_defect_density"], dtype=float)) & (implied > 0)
    if not np.any(points):
        return []
    message = (
        "implied_defect_density has no value: implied_yield is below what the yield model "
        "reaches at 1e6 defects per die (die_area x defect_density, the most the search "
        "tries); try another --model"
    )
    return [Finding(message, by_row(points, rows))]


def _spare_checks(values: Mapping[str, Any], rows: int) -> list[Finding]:
    """Spare cores that cannot be: more cores needed than there are, or cores larger than
    the die."""
    found = []
    if "cores" in values and "cores_needed" in values:
        points = np.greater(values["cores_needed"], values["cores"])
        short = by_row(points, rows)
        if short.any():
            names = ("cores_needed", "cores")
            found.append(Finding("cores_needed is more than cores", short, True, names, points))
    if "rest_area" in values:
        over = by_row(np.asarray(values["rest_area"]) < 0, rows)
        if over.any():
            found.append(Finding("cores x core_area exceeds die_area", over, fatal=True))
    return found


MODEL = Model(
    RELATIONS,
    checks=checks,
    references=references(__doc__),
    drawing=Drawing(wafer_cells, needs=("die_width", "die_area")),
    units={"rest_area": "m^2"},
)
