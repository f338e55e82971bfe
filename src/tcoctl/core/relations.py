"""The relations solver: each calculator is a set of relations among named quantities, and
``solve`` computes whatever the known quantities determine, in any direction.

A relation states ``out = forward(*inputs)``. When every quantity of a relation but one is
known, it gives the missing one: ``out`` by the forward formula, an input by its closed-form
inverse where the relation declares one (every factor of a product, every term of a sum).
Relations that are not simply invertible (a CRF, a die count, a yield model) are forward only;
``solve_for`` reaches their inputs by bracketed root finding. Planning is symbolic (names
only) and cached; evaluation runs the planned steps once over float64 arrays of any shape, so
ranges, Monte Carlo samples, sweeps and batch rows are all one call.

Defaults (a constant such as PUE = 1, or 6 FLOP per parameter-token) count as inputs nobody
typed: known from the start, so that inputs contradicting them are caught, never silently
absorbed (a goal-seek's unknown is excluded). Fallback relations (a GPU's TDP x 1.82 when no
power is given) complete a plan once nothing else applies, in the order declared. What they
fill is soft: it is never checked against other routes, and no input is derived from it by
inverting a relation whose output it is (a cost that covers only what is priced must not
imply an energy of zero).

A relation whose quantities all end up known without it being used is a check: where its two
sides disagree, the rows are reported as a Contradiction naming the quantities and both
values. Computed quantities outside their valid bounds are reported as OutOfBounds.

References: the approach follows equation-solving calculators such as EES (F-Chart Software,
"Engineering Equation Solver") reduced to the explicit, acyclic case: one unknown per step.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Function = Callable[..., Any]
Choices = tuple[tuple[str, str], ...]
RELATIVE_TOLERANCE = 1e-6
"""Two routes to one quantity agree when they differ by less than this, relatively."""
MAX_SUGGESTED = 3
MAX_SUGGEST_GROUPS = 2_000  # groups tried at one size, so a large model's suggestions stay fast
"""At most this many extra inputs are searched when naming what would give a result."""


@dataclass(frozen=True)
class Work:
    """What a costly relation does (a whole-die count), how much, and what makes it cheaper:
    ``rows(known, points)`` is the row evaluations [-] its ``forward`` takes for one scenario
    of ``points`` design points, from the quantities known (floats, core units)."""

    doing: str
    """e.g. 'counting whole dies' (for the message refusing too much of it)."""
    cheaper: str
    """e.g. 'larger dies': the inputs at which it costs less."""
    rows: Callable[[Mapping[str, float], int], float]


@dataclass(frozen=True)
class Drawing:
    """A picture of one scenario that ``--map`` shows beside its results (a wafer's dies):
    ``cells(inputs, results, seed)`` gives a grid of cell states (0 none, 1 edge, 2 good,
    3 lost to a defect) and its counts, from the central inputs and results (floats, core
    units), or None where the inputs give none of the quantities it ``needs``."""

    cells: Callable[
        [Mapping[str, float], Mapping[str, float], int],
        tuple[NDArray[np.int8], dict[str, int]] | None,
    ]
    needs: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Relation:
    """``out = forward(*inputs)``; ``inverses[name](out, *other inputs in order)`` gives an
    input. ``when`` restricts the relation to one value of a choice (a yield model);
    ``choices`` names choices passed to the functions as keywords. A ``fallback`` relation
    fills ``out`` only when nothing else gives it, and is never checked."""

    out: str
    inputs: tuple[str, ...]
    forward: Function
    inverses: Mapping[str, Function] = field(default_factory=dict)
    when: tuple[str, tuple[str, ...]] | None = None
    choices: tuple[str, ...] = ()
    fallback: bool = False
    note: str = ""
    """The formula as text, e.g. 'total_flop = k x params x tokens' (for docs and errors)."""
    arithmetic: str = ""
    """'x' for a product (times ``constant``), '+' for a sum, '' for any other formula: how
    ``--explain`` substitutes the numbers."""
    constant: float = 1.0
    constant_unit: str = ""
    """The core unit of ``constant`` (a year as seconds: 's'), for ``--explain``."""
    work: Work | None = None
    """Set where ``forward`` costs more than a few array operations per row (a die count),
    so that a planner can refuse a sweep that would run for minutes; None: cheap."""

    @cached_property
    def names(self) -> tuple[str, ...]:
        return (self.out, *self.inputs)

    def active(self, choices: Mapping[str, str]) -> bool:
        return self.when is None or choices.get(self.when[0]) in self.when[1]

    def gives(self, name: str) -> bool:
        return name == self.out or name in self.inverses

    def evaluate(self, target: str, values: Mapping[str, Any], choices: Mapping[str, str]) -> Any:
        """The value of ``target`` (the output or an invertible input) from the others."""
        keywords = {c: choices[c] for c in self.choices} if self.choices else {}
        if target == self.out:
            return self.forward(*[values[n] for n in self.inputs], **keywords)
        others = [values[n] for n in self.inputs if n != target]
        return self.inverses[target](values[self.out], *others, **keywords)


def product(
    out: str, *factors: str, constant: float = 1.0, constant_unit: str = "", note: str = ""
) -> Relation:
    """``out = constant x factors[0] x factors[1] x ...``, invertible for every factor;
    ``constant_unit`` is the constant's core unit (a year: 3.15576e7 's')."""

    def forward(*values: Any) -> Any:
        result: Any = constant
        for value in values:
            result = np.multiply(result, value)
        return result

    def inverse_for(index: int) -> Function:
        def inverse(whole: Any, *others: Any) -> Any:
            return np.divide(whole, forward(*others))

        return inverse

    return Relation(
        out,
        factors,
        forward,
        {name: inverse_for(i) for i, name in enumerate(factors)},
        note=note
        or f"{out} = {' x '.join(([f'{constant:g}'] if constant != 1 else []) + list(factors))}",
        arithmetic="x",
        constant=constant,
        constant_unit=constant_unit,
    )


def total(out: str, *terms: str, note: str = "") -> Relation:
    """``out = terms[0] + terms[1] + ...``, invertible for every term."""

    def forward(*values: Any) -> Any:
        result: Any = 0.0
        for value in values:
            result = np.add(result, value)
        return result

    def inverse(whole: Any, *others: Any) -> Any:
        return np.subtract(whole, forward(*others))

    return Relation(
        out,
        terms,
        forward,
        {name: inverse for name in terms},
        note=note or f"{out} = {' + '.join(terms)}",
        arithmetic="+",
    )


def formula(
    out: str, inputs: Sequence[str], forward: Function, note: str, **settings: Any
) -> Relation:
    """A forward relation with optional closed-form ``inverses`` (keyword settings as in
    Relation)."""
    return Relation(out, tuple(inputs), forward, note=note, **settings)


@dataclass(frozen=True)
class Step:
    """Compute ``target`` with ``relation``."""

    relation: Relation
    target: str


@dataclass(frozen=True)
class Plan:
    """What given inputs determine: steps in order, the relations to check, the quantities
    known at the end, the defaults used, and each quantity's base inputs (dependencies)."""

    steps: tuple[Step, ...]
    checks: tuple[Relation, ...]
    known: frozenset[str]
    defaults_used: frozenset[str]
    depends: Mapping[str, frozenset[str]]


@dataclass(frozen=True, eq=False)
class Model:
    """A calculator's relations, and the quantities that fill in as defaults (in core units).
    Compared and hashed by identity, so plans cache per model."""

    relations: tuple[Relation, ...]
    defaults: Mapping[str, float] = field(default_factory=dict)
    checks: Callable[[Mapping[str, Any], int, frozenset[str]], list[Finding]] | None = None
    """Warnings and row failures the relations cannot express (a die beyond the reticle),
    from the known quantities, the number of rows and the quantities only assumed (filled by
    a fallback relation: a square die from its area)."""
    references: str = ""
    """The sources of the relations: the entries of the References section of the core
    module's docstring (``references(__doc__)``), which the API's docstrings show."""
    drawing: Drawing | None = None
    """What ``--map`` draws, for a calculator whose spec offers it (Calculator.drawing)."""
    units: Mapping[str, str] = field(default_factory=dict)
    """The core units of the quantities between inputs and results that have one (supply's
    die_rate: '1/s'), which ``--explain`` shows; the spec gives the inputs' and results'."""
    allowed_counts: Mapping[str, Callable[[NDArray[np.float64], Mapping[str, Any], bool], Any]] = (
        field(default_factory=dict)
    )
    """For a whole count that takes only some values (tensor_parallel: a divisor of the
    heads), the least allowed value at or above each of some whole values, from the known
    quantities (the greatest allowed where none is above), or with the flag the greatest at
    or below: what a goal-seek rounds up (or down, to meet a limit) to."""

    def plan(
        self, known: Iterable[str], choices: Choices = (), exclude: Iterable[str] = ()
    ) -> Plan:
        """The plan for these known quantities (cached). ``exclude`` names quantities that no
        default or fallback may fill (the unknown of a goal-seek)."""
        return _plan(self, frozenset(known), choices, frozenset(exclude))

    def suggest(
        self,
        known: frozenset[str],
        choices: Choices,
        wanted: str,
        candidates: tuple[tuple[str, tuple[str, ...]], ...],
    ) -> list[tuple[str, ...]]:
        """The smallest groups of ``candidates`` (name, the quantities it would give) that
        would make ``wanted`` computable: every group of the smallest size that works, up to
        MAX_SUGGESTED candidates at once."""
        return _suggest(self, known, choices, wanted, candidates)


def only_for(plan: Plan, wanted: str) -> Plan:
    """``plan`` cut to the steps that ``wanted`` needs, without checks: what a goal-seek's
    root finder evaluates a hundred-odd times (the same arithmetic for ``wanted``)."""
    needed = {wanted}
    steps: list[Step] = []
    for step in reversed(plan.steps):
        if step.target in needed:
            steps.append(step)
            needed.update(step.relation.names)
    return replace(plan, steps=tuple(reversed(steps)), checks=())


def fills_alike(plan: Plan, forward: Plan) -> bool:
    """Whether ``plan`` (a goal-seek's closed form: the target known, the unknown not)
    holds where ``forward`` (the plan from the unknown) computes: every fallback it uses is
    one ``forward`` uses for the same quantity, and it gives no other value to a quantity
    ``forward`` fills by a fallback. A fallback that fires only because the unknown is not
    known (inference's flop_per_token = weight_flop_per_token, attention's FLOP needing the
    unknown layers or head_dim) describes another model, and its answer misses the goal."""
    filled = {(id(step.relation), step.target) for step in forward.steps if step.relation.fallback}
    soft = {target for _, target in filled}
    return all(
        (id(step.relation), step.target) in filled
        for step in plan.steps
        if step.relation.fallback or step.target in soft or step.relation.out in soft
    )


def costly_work(plan: Plan, known: Mapping[str, float], points: int) -> list[tuple[Work, float]]:
    """The costly steps of ``plan`` (relations with a ``work``) for one scenario of ``points``
    design points at the ``known`` quantities (floats, core units): each one's Work and row
    evaluations [-]."""
    return [
        (work, float(work.rows(known, points)))
        for step in plan.steps
        if (work := step.relation.work) is not None
    ]


def references(doc: str | None) -> str:
    """The entries of a docstring's numpydoc References section, its last ('' if none)."""
    _, found, entries = (doc or "").partition("References\n----------\n")
    return entries.strip() if found else ""


@lru_cache(maxsize=4096)
def _plan(model: Model, given: frozenset[str], choices: Choices, exclude: frozenset[str]) -> Plan:
    derived = _derived(model, given, choices, exclude)
    known, soft = derived.known, derived.soft
    depends = {name: frozenset([name]) for name in given | derived.defaults_used}
    for step in derived.steps:  # in order: each quantity's inputs have theirs already
        sources = (n for n in step.relation.names if n != step.target)
        depends[step.target] = frozenset().union(*(depends[n] for n in sources))
    used = {id(step.relation) for step in derived.steps}
    chosen = dict(choices)
    checks = tuple(
        r
        for r in model.relations
        if r.active(chosen)
        and not r.fallback
        and id(r) not in used
        and r.out not in soft
        and all(n in known for n in r.names)
    )
    return Plan(derived.steps, checks, known, derived.defaults_used, depends)


@dataclass(frozen=True)
class _Derived:
    """What ``_derived`` finds: the steps in order, the quantities known at the end, the
    defaults used and the quantities filled by a fallback (soft)."""

    steps: tuple[Step, ...]
    known: frozenset[str]
    defaults_used: frozenset[str]
    soft: frozenset[str]


@lru_cache(maxsize=4096)
def _derived(
    model: Model, given: frozenset[str], choices: Choices, exclude: frozenset[str]
) -> _Derived:
    """The steps that given inputs allow (cached apart from the Plan's dependencies and
    checks, which ``_suggest``'s hundred-odd trial plans do not read)."""
    pending, fallbacks, holders = _active(model, choices)
    defaults_used = {name for name in model.defaults if name not in given | exclude}
    known = set(given) | defaults_used  # defaults are inputs nobody typed: checked like them
    steps: list[Step] = []
    soft: set[str] = set()  # filled by a fallback: never inverted through
    # Passes over ``pending`` in order, each relation firing when, as the pass reaches it, one
    # of its names is unknown and it gives that name (not through a soft output); a pass that
    # fires none lets one fallback fill. Kept as counts of each relation's unknown names, the
    # relations with one, and heaps of those that can fire (indices), ahead of the pass or
    # behind it (for the next), so a pass visits only those.
    unknown = [len(relation.names) for relation in pending]
    for name in known:
        for index in holders.get(name, ()):
            unknown[index] -= 1
    ones = {index for index, count in enumerate(unknown) if count == 1}

    def fires(index: int) -> str | None:
        """The name relation ``index`` (one name unknown) gives now, if it can fire."""
        relation = pending[index]
        (name,) = (n for n in relation.names if n not in known)
        ok = relation.gives(name) and (name == relation.out or relation.out not in soft)
        return name if ok else None

    def learn(name: str, position: int, ahead: list[int], behind: list[int]) -> None:
        known.add(name)
        for index in holders.get(name, ()):
            unknown[index] -= 1
            if unknown[index] == 1:
                ones.add(index)
                if fires(index) is not None:
                    heapq.heappush(ahead if index > position else behind, index)
            elif unknown[index] == 0:
                ones.discard(index)

    while True:
        ahead = sorted(index for index in ones if fires(index) is not None)
        behind: list[int] = []
        while ahead:  # passes while one fires
            position = -1
            while ahead:
                index = heapq.heappop(ahead)
                if index not in ones:
                    continue  # all its names known since it could fire
                gained = fires(index)
                if gained is None:
                    continue
                position = index
                steps.append(Step(pending[index], gained))
                learn(gained, position, ahead, behind)
            ahead, behind = behind, []
        filled = _fill_one(fallbacks, known, exclude)
        if filled is None:
            break
        steps.append(Step(filled, filled.out))
        soft.add(filled.out)
        learn(filled.out, len(pending), [], [])
    return _Derived(tuple(steps), frozenset(known), frozenset(defaults_used), frozenset(soft))


@lru_cache(maxsize=256)
def _active(
    model: Model, choices: Choices
) -> tuple[list[Relation], list[Relation], dict[str, list[int]]]:
    """The relations these choices make active, apart from the fallbacks, the fallbacks, and
    for each name the indices of the former it is in (once per time it is named)."""
    chosen = dict(choices)
    relations = [r for r in model.relations if r.active(chosen)]
    pending = [r for r in relations if not r.fallback]
    holders: dict[str, list[int]] = {}
    for index, relation in enumerate(pending):
        for name in relation.names:
            holders.setdefault(name, []).append(index)
    return pending, [r for r in relations if r.fallback], holders


def _fill_one(
    fallbacks: Sequence[Relation], known: set[str], exclude: frozenset[str]
) -> Relation | None:
    """The first fallback relation that applies."""
    for relation in fallbacks:
        if (
            relation.out not in known
            and relation.out not in exclude
            and all(n in known for n in relation.inputs)
        ):
            return relation
    return None


@lru_cache(maxsize=4096)
def _suggest(
    model: Model,
    given: frozenset[str],
    choices: Choices,
    wanted: str,
    candidates: tuple[tuple[str, tuple[str, ...]], ...],
) -> list[tuple[str, ...]]:
    already = _derived(model, given, choices, frozenset()).known
    candidates = tuple(c for c in candidates if not set(c[1]) <= already)  # adds nothing new
    everything = frozenset(q for _, gives in candidates for q in gives)
    if wanted not in _derived(model, given | everything, choices, frozenset()).known:
        return []  # no group of candidates gives it: skip the combinatorial search
    for size in range(1, MAX_SUGGESTED + 1):
        if math.comb(len(candidates), size) > MAX_SUGGEST_GROUPS:
            break  # too many groups to try at this size: the answer is "other inputs"
        found = []
        for group in itertools.combinations(candidates, size):
            extra = frozenset(q for _, gives in group for q in gives)
            if wanted in _derived(model, given | extra, choices, frozenset()).known:
                found.append(tuple(name for name, _ in group))
        if found:
            return found
    return []


@dataclass(frozen=True)
class Contradiction:
    """Rows where two routes to ``quantity`` disagree: ``computed`` by ``relation`` from the
    other inputs, against ``given``."""

    relation: Relation
    quantity: str
    computed: Array
    given: Array
    rows: NDArray[np.bool_]


@dataclass(frozen=True)
class OutOfBounds:
    """Rows where a computed ``quantity`` falls outside its valid range [low, high], and the
    elements (rows x range points) where it does, so that a row whose range ends fail but
    whose centre does not may keep its answer."""

    quantity: str
    value: Array
    low: float
    high: float
    rows: NDArray[np.bool_]
    points: NDArray[np.bool_]


@dataclass(frozen=True)
class Finding:
    """A model's own check on some rows: a warning, or (``fatal``) a reason the rows have no
    answer. The message names quantities; those in ``quantities`` are words the engine
    words as the options that set them."""

    message: str
    rows: NDArray[np.bool_]
    fatal: bool = False
    quantities: tuple[str, ...] = ()
    points: NDArray[np.bool_] | None = None
    """Where the check is element by element: the elements (rows x range points,
    broadcastable) it applies to, so that a row whose range ends fail but whose centre does
    not may keep its answer."""
    usage: bool = False
    """A fatal finding about how an option was given (a tensor-parallel degree that does not
    divide the heads), not about the world the inputs describe: a usage error (exit 2)."""
    lacking: bool = False
    """A usage finding that the inputs lack one of ``quantities`` (supply's capacity), so
    that nothing is computed: a --sweep of one of them still answers at each of its values."""


Problem = Contradiction | OutOfBounds | Finding


def evaluate(
    plan: Plan,
    values: Mapping[str, Any],
    choices: Mapping[str, str],
    defaults: Mapping[str, float],
    bounds: Mapping[str, tuple[float, float, bool]] | None = None,
    rows: int = 1,
    model_checks: Callable[[Mapping[str, Any], int, frozenset[str]], list[Finding]] | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Run a plan over arrays whose first axis is the row: every known quantity, and the
    problems found (contradictions, computed values out of ``bounds``: name -> (low, high,
    low_exclusive)), each with the rows it affects, and the model's own ``model_checks``."""
    known: dict[str, Any] = dict(values)
    for name in plan.defaults_used:
        known[name] = defaults[name]
    with np.errstate(all="ignore"):
        for step in plan.steps:
            known[step.target] = step.relation.evaluate(step.target, known, choices)
        problems: list[Problem] = []
        for relation in plan.checks:
            computed = np.asarray(relation.evaluate(relation.out, known, choices), dtype=float)
            given = np.asarray(known[relation.out], dtype=float)
            scale = np.maximum(np.abs(computed), np.abs(given))
            bad = np.abs(computed - given) > RELATIVE_TOLERANCE * scale
            if np.any(bad):
                problems.append(
                    Contradiction(relation, relation.out, computed, given, by_row(bad, rows))
                )
        bounded = {s.target: bounds[s.target] for s in plan.steps if bounds and s.target in bounds}
        reached = [np.asarray(known[name], dtype=float) for name in bounded]
        for (name, (low, high, exclusive)), value, (least, greatest) in zip(
            bounded.items(), reached, extremes(reached), strict=True
        ):
            if (least > low if exclusive else least >= low) and greatest <= high * (1 + 1e-12):
                continue  # every value inside (as ``outside`` has it); NaN: ``outside`` looks
            beyond = outside(value, low, high, exclusive)
            if np.any(beyond):
                problems.append(OutOfBounds(name, value, low, high, by_row(beyond, rows), beyond))
        if model_checks is not None:
            assumed = frozenset(step.target for step in plan.steps if step.relation.fallback)
            problems.extend(model_checks(known, rows, assumed))
    return known, problems


def outside(value: Any, low: float, high: float, exclusive: bool) -> NDArray[np.bool_]:
    """Where values lie outside their valid range: below ``low`` (or at it when
    ``exclusive``), or above ``high`` beyond rounding (one part in 1e12). The one rule for
    given values and computed ones."""
    value = np.asarray(value, dtype=float)
    beyond: NDArray[np.bool_] = (
        (value > high * (1 + 1e-12)) | (value < low) | (exclusive & (value <= low))
    )
    return beyond


STACKED_CELLS = 65_536
"""Elements of small arrays joined for one numpy operation over all of them (on small
arrays the cost of each call outweighs the arithmetic; larger ones go one by one)."""


def stacked(sizes: Sequence[int]) -> list[slice]:
    """Consecutive runs of items whose sizes add up to at most STACKED_CELLS (a larger item
    alone), for one numpy operation per run."""
    runs: list[slice] = []
    start, held = 0, 0
    for index, size in enumerate(sizes):
        if index > start and held + size > STACKED_CELLS:
            runs.append(slice(start, index))
            start, held = index, 0
        held += size
    if start < len(sizes):
        runs.append(slice(start, len(sizes)))
    return runs


def extremes(values: Sequence[Array]) -> list[tuple[float, float]]:
    """The least and greatest of each array (NaN where it holds one; inf, -inf where it is
    empty), small arrays joined for one reduction each (``stacked``)."""
    found = [(math.inf, -math.inf)] * len(values)
    filled = [index for index, value in enumerate(values) if value.size]
    for run in stacked([values[index].size for index in filled]):
        chosen = filled[run]
        joined = np.concatenate([values[index].ravel() for index in chosen])
        starts = np.cumsum([0, *(values[index].size for index in chosen[:-1])])
        least = np.minimum.reduceat(joined, starts).tolist()
        greatest = np.maximum.reduceat(joined, starts).tolist()
        for index, pair in zip(chosen, zip(least, greatest, strict=True), strict=True):
            found[index] = pair
    return found


def by_row(mask: Any, rows: int) -> NDArray[np.bool_]:
    """A per-row mask from an element mask whose first axis is the row (or a scalar)."""
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim == 0:
        return np.full(rows, bool(mask))
    flat = mask.reshape(mask.shape[0], -1).any(axis=1)
    return np.broadcast_to(flat, (rows,)) if flat.shape[0] == 1 else flat


SCAN_DECADES = 40
"""Root finding scans x0 x 10^k for k in [-SCAN_DECADES, SCAN_DECADES], half-decade steps."""
BISECTIONS = 64
"""A bracket not all positive is narrowed to 2^-BISECTIONS of its width (as that many
bisections would); a positive one to float precision on a log scale."""


def find_root(
    f: Callable[[Array], Array],
    shape: tuple[int, ...],
    start: float,
    low: float,
    high: float,
    low_inclusive: bool,
) -> tuple[Array, Array, Array]:
    """Vectorised bracketed root finding of ``f(x) = 0`` for x in the valid range.

    Scans candidates (``low`` where it is allowed, then ``start`` x 10^(k/2) within the range,
    then ``high`` where finite) in ascending order, keeps the first sign change of each
    element, and narrows it (``narrowed``: on a log scale when both ends are positive) to
    float64 precision. Returns the root (NaN where no sign change lies in the range) and f
    at the lowest and highest candidate, for messages.
    """
    candidates = scan_points(start, low, high, low_inclusive)
    lo = np.full(shape, np.nan)
    hi = np.full(shape, np.nan)
    f_lo = np.full(shape, np.nan)
    f_hi = np.full(shape, np.nan)
    previous_x: float | None = None
    previous = np.full(shape, np.nan)
    first = np.full(shape, np.nan)
    last = np.full(shape, np.nan)
    for x in candidates:
        current = np.broadcast_to(np.asarray(f(np.full(shape, x)), dtype=float), shape)
        first = np.where(np.isnan(first), current, first)
        last = np.where(np.isfinite(current), current, last)
        exact = (current == 0) & np.isnan(lo)
        lo = np.where(exact, x, lo)
        hi = np.where(exact, x, hi)
        if previous_x is not None:
            change = np.isnan(lo) & (np.sign(previous) * np.sign(current) < 0)
            lo = np.where(change, previous_x, lo)
            hi = np.where(change, x, hi)
            f_lo = np.where(change, previous, f_lo)
            f_hi = np.where(change, current, f_hi)
        previous_x, previous = x, current
        if not np.any(np.isnan(lo)):
            break
    found = ~np.isnan(lo) & (lo != hi)  # a bracket to narrow (elsewhere [1, 1]: none)
    a, b = np.where(found, lo, 1.0), np.where(found, hi, 1.0)
    ends = narrowed(f, a, b, np.where(found, f_lo, -1.0), np.where(found, f_hi, 1.0))
    root = np.where(found, ends, lo)  # an exact zero of the scan as it is; NaN: none
    return root, first, last


def scan_points(start: float, low: float, high: float, low_inclusive: bool) -> list[float]:
    """The candidates ``find_root`` scans, ascending: ``low`` where it is allowed, then
    ``start`` x 10^(k/2) within the range, then ``high`` where finite. A first or last
    candidate that is not ``low`` or ``high`` is the scan's limit, no end of the range."""
    grid = start * 10.0 ** (np.arange(-2 * SCAN_DECADES, 2 * SCAN_DECADES + 1) / 2.0)
    grid = grid[(grid > low) & (grid < high)]
    candidates = [*([low] if low_inclusive and math.isfinite(low) else []), *grid.tolist()]
    return [*candidates, high] if math.isfinite(high) else candidates


ITP_SLACK = 1
"""Iterations the ITP method may take beyond bisection's count (its n0)."""
LAST_BISECTIONS = 8
"""Bisections after ITP, to neighbouring floats (ITP stops within a few)."""


def narrowed(f: Callable[[Array], Array], a: Array, b: Array, fa: Array, fb: Array) -> Array:
    """The midpoint of each bracket [a, b] (f changes sign: ``fa`` at a, ``fb`` at b; NaN
    or 0 count as b's side) once narrowed as ``BISECTIONS`` bisections would, positive
    brackets (up to a half decade wide, or 40 decades from a range's lowest end) on a log
    scale to neighbouring floats, by the ITP method (interpolate, truncate, project: I. F. D.
    Oliveira and R. H. C. Takahashi, "An Enhancement of the Bisection Method Average
    Performance Preserving Minmax Optimality", ACM Trans. Math. Softw. 47(1), 2020),
    vectorised, then bisection over the last few floats: regula falsi steps kept within
    bisection's guaranteed bracket, so that a smooth f takes about ten evaluations, not 64,
    and a step (a whole count) no more than bisection."""
    logged = (a > 0) & (b > 0)
    ta = np.where(logged, np.log(np.where(logged, a, 1.0)), a)
    tb = np.where(logged, np.log(np.where(logged, b, 1.0)), b)
    width = tb - ta
    tolerance = np.where(  # half the width ITP stops at
        logged,
        np.maximum(2.0**-53, 2 * np.spacing(np.maximum(np.abs(ta), np.abs(tb)))),
        width * 2.0 ** -(BISECTIONS + 1),
    )
    steps = np.ceil(np.log2(np.maximum(width / (2 * tolerance), 1.0))) + ITP_SLACK
    kappa = 0.2 / np.where(width > 0, width, 1.0)  # ITP's kappa_1 (kappa_2 = 2, n0 = 1)
    side = np.sign(fa)
    for j in range(int(steps.max())):
        active = tb - ta > 2 * tolerance
        if not active.any():
            break
        half = 0.5 * (ta + tb)
        reach = tolerance * 2.0 ** (steps - j) - 0.5 * (tb - ta)
        falsi = (tb * fa - ta * fb) / (fa - fb)
        falsi = np.where(np.isfinite(falsi), falsi, half)
        toward = np.sign(half - falsi)
        delta = kappa * (tb - ta) ** 2
        truncated = np.where(delta <= np.abs(half - falsi), falsi + toward * delta, half)
        t = np.where(np.abs(truncated - half) <= reach, truncated, half - toward * reach)
        t = np.clip(t, ta + tolerance, tb - tolerance)  # a step past a root next to an end
        x = np.where(logged, np.exp(t), t)
        fx = np.broadcast_to(np.asarray(f(x), dtype=float), x.shape)
        same = active & (np.sign(fx) == side)
        other = active & ~same
        ta, fa, a = np.where(same, t, ta), np.where(same, fx, fa), np.where(same, x, a)
        tb, fb, b = np.where(other, t, tb), np.where(other, fx, fb), np.where(other, x, b)
    for _ in range(LAST_BISECTIONS):
        mid = np.where(logged, 0.5 * (a + b), a)
        if np.all((mid == a) | (mid == b)):
            break
        same = np.sign(np.broadcast_to(np.asarray(f(mid), dtype=float), mid.shape)) == side
        a, b = np.where(same, mid, a), np.where(same, b, mid)
    return np.where(logged, 0.5 * (a + b), 0.5 * (ta + tb))
