"""Serving calibration: the default bandwidth and compute efficiencies of ``tcoctl
inference``, fitted per GPU family on the ``fit`` split of the validation dataset's
measurements.

Method. Scaling both efficiencies by ``s`` scales every time of the serving model (decode
step, prefill) by 1 / s, all but the fixed overhead of each forward pass: the step is
the longer of bytes / (bandwidth eb) and FLOP / (peak ec), plus (1 - OVERLAP) x the shorter,
+ layers x layer_overhead (both terms scale alike; OVERLAP is a constant of the model, run
in every case). So a family's fit
is a ratio r = ec / eb and a scale, at one overhead. Each measured case runs once
(validation.documents) at (eb, ec) = (1, r), or (1 / r, 1) above 1, for each ratio on a
grid (1/8 to 8) with no overhead, and once more with a reference overhead (times are linear
in it: the time one second of overhead per layer adds). At each overhead of a grid (0 to
200 us per layer) a case implies the scale s_i at which it is met exactly: model time / (measured
time - overhead's time), a rate's time being 1 / rate. The family's scale is the one that
leaves the least sum of its cases' |relative error|, the error ``tcoctl validate`` reports
(|s / s_i - 1| for a rate, |s_i / s - 1| for a time; least_relative_error finds it exactly;
until 2026-12-04 it was the median s_i, the least sum of |log error|, which weighs an
estimate 3x too fast as one 3x too slow where the reported error does not), and its ratio
the grid point with the least sum (of ratios within 1 % per case of it, the nearest to 1).
A replica of g GPUs keeps ``parallel_efficiency ^ log2(g)`` of a GPU's rate (tensor-parallel
communication): the fitted fraction, pooled over the families, is the one of a grid (1 to
0.6) that leaves the least sum, and the overhead the one of its grid that leaves the least
sum with its best fraction. The range is the fitted pair divided and multiplied by k, log k the
split-conformal miss |log s_i / s| that COVERAGE of new cases stay within (each fit case
against its family fitted without it; see conformal_factor): a rate's errors are ratios, so
the band is symmetric in log terms. The overhead is one value for every family, its range
the value multiplied and divided by the same k (the fast end pairs the high efficiencies
with the low overhead: efficiencies are capped at 1, and where a cap binds, as at cdna3's
bandwidth centre of 0.914, the overhead alone widens the fast end). GPUs outside the
families with fit cases get the pooled fit of every case.

Held-out cases are never read (the split is filtered before any value is).
``python -m tcoctl.pipeline.calibration [FOLDER] [DATE]`` rewrites FOLDER/serving-fit.toml
from the dataset; a test fails when the stored file differs from a fresh fit.
``python -m tcoctl.pipeline.calibration --leave-one-out`` prints the yardstick a change of
the model or the fit is judged by, on the fit split alone: each fit case's error against the
whole fit redone without it, and the share inside that fit's low..high as the command
computes it (leave_one_out).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tcoctl.pipeline.fit_arguments import parse, write_preset
from tcoctl.pipeline.validation import Case, documents, in_unit, is_rate, load_cases
from tcoctl.presets import ANY_GPU

PRESET = "serving-fit"
CALCULATOR = "inference"
SPEEDS = ("tokens_per_second_per_gpu", "tokens_per_second", "time_per_output_token", "prefill_time")
"""The results the efficiencies set alone (energy and cost also depend on the power and price)."""
FAMILIES = {
    "ampere": ("a100-sxm",),
    "hopper": ("h100-sxm", "h200", "h100-pcie", "h800", "h20"),
    "blackwell": ("b200", "gb200"),
    "cdna3": ("mi300x", "mi325x"),
}
"""GPU families: one architecture, and in the dataset one runtime each (TensorRT-LLM on
NVIDIA, vLLM on AMD); each GPU preset named gets its family's fit."""
COVERAGE = 0.95
"""The conformal level of the range. On the fit split's leave-one-out (each case's low..high
as the command computes it, 111 cases, 2026-12-04) 0.95 holds 95 % of the cases (105), 0.9
89 % (99), 0.8 83 % (92): the ranges hold about what they claim (97 %, 91 %, 84 % before the
overlap, 96 %, 88 %, 79 % with the median scale)."""
TIE = 0.01
LOSSES = tuple(float(x) for x in np.round(np.arange(0.0, 0.41, 0.02), 2))
"""Fraction of a GPU's rate lost per doubling of GPUs per replica: the grid searched."""
RATIOS = tuple(float(r) for r in np.round(np.geomspace(1 / 8, 8, 25), 4))
"""compute efficiency / bandwidth efficiency: the grid the fit searches."""
OVERHEADS = tuple(round(x * 1e-6, 9) for x in range(0, 201, 10))
"""Fixed time per layer of a forward pass [s]: the grid searched (0 to 200 us)."""
OVERLAP = 0.5
"""The share of a pass's shorter time (memory or compute) hidden behind the longer (core's
inference docstring). A model constant, not refitted per case: chosen on the fit split's
leave-one-out (2026-12-04, 111 cases) among 0, 0.25, 0.5, 0.75 and 1 (the roofline's max,
before): mean |error| 15.4, 16.1, 15.4, 17.9, 18.7 %, inside low..high 89, 92, 95, 95, 97 %;
the least error whose range holds the 95 % it claims."""
LEAST_REST = 0.05
"""An overhead that leaves less than this share of a measured time to the rest of the model
counts as leaving that share (the implied scale stays finite, and large: a poor fit)."""


@dataclass(frozen=True)
class Fit:
    """One family's fitted efficiencies (central values), the factor k of its range, and its
    cases."""

    bandwidth: float
    compute: float
    factor: float
    cases: tuple[str, ...]

    def range_text(self, central: float) -> str:
        """``central`` / factor .. ``central`` x factor, capped at 1, as a preset range
        ``LOW..CENTRE..HIGH`` (the centre stated: a high end capped at 1 would move a
        midpoint off the fit)."""
        low, high = central / self.factor, min(1.0, central * self.factor)
        return f"{low:.3f}..{central:.3f}..{high:.3f}"


def fit_cases(
    cases: Sequence[Case], calculator: str = CALCULATOR, results: Sequence[str] = SPEEDS
) -> list[Case]:
    """The cases a fit may read: measurements of the ``fit`` split only, of ``results`` of
    ``calculator`` (by default the serving speeds)."""
    return [
        c
        for c in cases
        if c.kind == "measured"
        and c.split == "fit"
        and c.calculator == calculator
        and c.result in results
    ]


def efficiency_pairs() -> tuple[list[float], list[float]]:
    """(bandwidth, compute) efficiencies of the ratio grid, the larger of each pair 1."""
    return [min(1.0, 1 / r) for r in RATIOS], [min(1.0, r) for r in RATIOS]


@dataclass(frozen=True)
class Measured:
    """One fit case in the fit's terms, as a time (a time, or 1 / a rate, in the case's
    unit): the model's at each ratio of the grid at scale 1 with no overhead, what one
    second of layer overhead adds to it, the measured one; and its tensor-parallel GPUs
    (GPUs per replica over the expert-parallel degree). The
    model's time is model / scale + overhead x per_overhead (the overhead adds a fixed
    time to each forward pass, which the efficiencies do not scale)."""

    model: np.ndarray
    per_overhead: float
    measured: float
    gpus: float
    rate: bool
    """Whether the case's result is a rate (its error is measured time / model time - 1)."""

    def log_scales(self, overhead: float) -> np.ndarray:
        """log s_i for each ratio: the scale of (eb, ec) at which the model with ``overhead``
        [s per layer] meets the measurement."""
        rest = max(self.measured - overhead * self.per_overhead, LEAST_REST * self.measured)
        return np.asarray(np.log(self.model / rest), dtype=float)

    def time(self, ratio: int, log_scale: float, overhead: float) -> float:
        """The model's time at a ratio's index, a scale and an overhead."""
        return float(self.model[ratio] / math.exp(log_scale) + overhead * self.per_overhead)


def measure(case: Case) -> Measured:
    """A case in the fit's terms, from one run (validation.documents, a scenario per item):
    the ratio grid with no overhead, and the first ratio again with one reference overhead
    (times are linear in it)."""
    reference = OVERHEADS[-1]
    pairs = list(zip(*efficiency_pairs(), strict=True))
    grid = [
        {
            "bandwidth-efficiency": repr(bandwidth),
            "compute-efficiency": repr(compute),
            "layer-overhead": f"{overhead!r} s",
            "overlap": repr(OVERLAP),
        }
        for (bandwidth, compute), overhead in [*((p, 0.0) for p in pairs), (pairs[0], reference)]
    ]
    found = documents(case.calculator, case.args, grid)
    got = np.array([in_unit(d["results"][case.result], "value", case.unit) for d in found])
    times = 1 / got if is_rate(case.unit) else got
    # the GPUs the tensor-parallel factor counts: GPUs per replica over any expert parallelism
    gpus = float(found[0]["results"]["tensor_parallel"]["value"])
    measured = 1 / case.expected if is_rate(case.unit) else case.expected
    per_overhead = float(times[-1] - times[0]) / reference
    return Measured(times[:-1], per_overhead, measured, gpus, is_rate(case.unit))


def gpu_of(case: Case) -> str:
    """The ``--gpu`` a case runs on ('' if none)."""
    args = list(case.args)
    return args[args.index("--gpu") + 1] if "--gpu" in args else ""


def family_of(gpu: str) -> str | None:
    return next((name for name, gpus in FAMILIES.items() if gpu in gpus), None)


@dataclass(frozen=True)
class Calibration:
    """The fit: each family's efficiencies (``*``: pooled) and the parallel efficiency."""

    families: dict[str, Fit]
    parallel_efficiency: float
    layer_overhead: float
    """Fixed time per layer of a forward pass [s]."""


def least_relative_error(scales: np.ndarray, rates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(log scale, sum of |relative error|) of each fit in an array of cases x ratios, or a
    stack of them (leading axes): the log scale c <= 0 (an efficiency is at most 1) that
    leaves the least sum of the errors ``tcoctl validate`` reports, |estimate / measured - 1|:
    a rate's (``rates``, a flag per case, the cases' axis last) |e^(c - x_i) - 1|, a time's
    |e^(x_i - c) - 1|, x_i the case's implied log scale. Between neighbouring x_i (sorted) the
    sum is a e^c + b e^-c + constant, a and b cumulative sums of e^-x (rates) and e^x (times)
    below and above c; its least on each interval is at an end or, where a and b are both
    positive (convex), at c = log(b / a) / 2 held inside it."""
    rates = np.asarray(rates, dtype=bool)  # flags: ~ of 1 is -2, not False
    by_case = np.swapaxes(scales, -1, -2)  # cases last: numpy sorts and sums along it fastest
    order = np.argsort(by_case, axis=-1)
    xs = np.take_along_axis(by_case, order, -1)
    is_rate = np.take_along_axis(np.broadcast_to(rates[..., None, :], by_case.shape), order, -1)
    grows = np.exp(xs)
    sums = []
    for term, kind in ((1.0 / grows, is_rate), (grows, ~is_rate)):
        term, count = np.where(kind, term, 0.0), kind.astype(float)
        below = np.cumsum(term, axis=-1) - term  # the cases below the interval ending at x_j
        counted_below = np.cumsum(count, axis=-1) - count
        above = term.sum(axis=-1, keepdims=True) - below
        counted_above = count.sum(axis=-1, keepdims=True) - counted_below
        sums.append((below - above, counted_above - counted_below))
    (rising, rate_constant), (falling, time_constant) = sums  # a, and -b, on each interval
    falling = -falling
    top = np.minimum(xs, 0.0)  # each interval's upper end, at most 0
    bottom = np.concatenate([np.full_like(top[..., :1], -np.inf), xs[..., :-1]], axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        turning = 0.5 * np.log(falling / rising)
    convex = (rising > 0) & (falling > 0)
    candidate = np.where(convex, np.clip(turning, bottom, top), top)
    at = np.exp(candidate)
    cost = rising * at + falling / at + rate_constant - time_constant
    cost = np.where(bottom > 0.0, np.inf, cost)
    best = cost.argmin(axis=-1)[..., None]
    centre = np.take_along_axis(candidate, best, -1)[..., 0]
    least = np.take_along_axis(cost, best, -1)[..., 0]
    return centre, least


def _fit_one(scales: np.ndarray, rates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ratio index, log scale, sum of |relative error|) of each fit in an array of cases x
    ratios, or of a stack of them (leading axes, a fit each: one pass of numpy for all): at
    each ratio the scale least_relative_error finds; of ratios within 1 % per case of the
    least sum, the nearest to 1 (two cases that bind one resource alone leave the other
    free)."""
    centre, cost = least_relative_error(scales, rates)
    near = cost <= cost.min(axis=-1, keepdims=True) + TIE * scales.shape[-2]
    best = np.where(near, np.abs(np.log(np.array(RATIOS))), np.inf).argmin(axis=-1)
    at_best = best[..., None]
    return (
        best,
        np.take_along_axis(centre, at_best, -1)[..., 0],
        np.take_along_axis(cost, at_best, -1)[..., 0],
    )


def conformal_factor(
    scales: np.ndarray, families: Sequence[Sequence[int]], rates: np.ndarray
) -> float:
    """The factor k that COVERAGE of held-out cases stay within (s / k <= s_i <= s x k), from
    the fit split alone (split-conformal prediction, Lei et al. 2018, "Distribution-Free
    Predictive Inference for Regression", JASA 113(523)): each case's |log(s_i / s)| against
    its family fitted without it (the families' misses pooled), and of the n misses the
    ceil((n + 1) COVERAGE)-th smallest, exponentiated."""
    misses: list[float] = []
    for members in families:
        if len(members) > 1:
            rest = np.array([[i for i in members if i != case] for case in members])
            # each case's family fitted without it
            best, log_scale, _ = _fit_one(scales[rest], rates[rest])
            misses.extend(np.abs(scales[list(members), best] - log_scale).tolist())
    rank = min(len(misses), math.ceil((len(misses) + 1) * COVERAGE))
    return math.exp(sorted(misses)[rank - 1]) if misses else 1.0


@dataclass(frozen=True)
class _GroupFit:
    """A group's fit in the terms of the grid: the ratio's index, the log scale and the
    range's factor."""

    ratio: int
    log_scale: float
    factor: float


@dataclass(frozen=True)
class _Found:
    """A fit in the grid's terms: the layer overhead [s], the loss per doubling, each group's
    fit and cases, and the families' sum of |relative error|."""

    overhead: float
    loss: float
    groups: dict[str, _GroupFit]
    members: dict[str, list[int]]
    cost: float


def _implied(measured: Sequence[Measured]) -> np.ndarray:
    """Each case's implied log scales (cases x OVERHEADS x ratios: Measured.log_scales)."""
    return np.array([[m.log_scales(overhead) for overhead in OVERHEADS] for m in measured])


def _fit_measured(measured: Sequence[Measured], families: Sequence[str | None]) -> _Found:
    """The fit of the cases (_fit_implied)."""
    doublings, rates = np.log2([m.gpus for m in measured]), np.array([m.rate for m in measured])
    return _fit_implied(_implied(measured), doublings, families, rates)


FamilyFits = dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
"""Each family's _fit_one at every overhead and loss of the grids."""


def _grid(
    implied: np.ndarray, doublings: np.ndarray, families: Sequence[str | None]
) -> tuple[dict[str, list[int]], np.ndarray]:
    """The groups (ANY_GPU: every case; each family with cases) and the cases' log scales
    at each overhead and loss (overheads x losses x cases x ratios): a replica of g GPUs
    keeps (1 - loss) ^ log2(g), so its cases imply a higher single-GPU scale."""
    groups = {ANY_GPU: list(range(len(implied)))}
    for name in FAMILIES:
        members = [i for i, family in enumerate(families) if family == name]
        if members:
            groups[name] = members
    kept = np.array([np.log1p(-loss) for loss in LOSSES])
    scaled = implied.transpose(1, 0, 2)[:, None] - (kept[:, None] * doublings)[None, :, :, None]
    return groups, scaled


def _family_fits(
    groups: dict[str, list[int]],
    scaled: np.ndarray,
    rates: np.ndarray,
    known: FamilyFits | None = None,
) -> FamilyFits:
    """Each family's fits over the grids, those in ``known`` taken as they are (a family
    whose cases are the same: leave_one_out refits only the left-out case's family)."""
    return {
        name: (known or {}).get(name) or _fit_one(scaled[:, :, m], rates[m])
        for name, m in groups.items()
        if name != ANY_GPU
    }


def _fit_implied(
    implied: np.ndarray,
    doublings: np.ndarray,
    families: Sequence[str | None],
    rates: np.ndarray,
    known: FamilyFits | None = None,
) -> _Found:
    """The fit from the cases' implied log scales (cases x OVERHEADS x ratios), doublings of
    GPUs per replica and families (None: none): the layer overhead of OVERHEADS and the loss
    of LOSSES that leave the families' least sum of |relative error| (the first of equals: the
    least overhead, then loss), each group's fit at them and the range's factor; ``known``
    families' fits are not redone (_family_fits)."""
    groups, scaled = _grid(implied, doublings, families)
    fits = _family_fits(groups, scaled, rates, known)
    costs = sum((found[2] for found in fits.values()), np.zeros(scaled.shape[:2]))
    losses = costs.argmin(axis=1)  # each overhead's best loss
    overhead = int(costs[np.arange(len(OVERHEADS)), losses].argmin())
    loss = int(losses[overhead])
    at = scaled[overhead, loss]
    factor = conformal_factor(at, [m for n, m in groups.items() if n != ANY_GPU], rates)
    pooled, pooled_scale, _ = _fit_one(at, rates)  # every case, at the families' overhead and loss
    chosen = {
        ANY_GPU: _GroupFit(int(pooled), float(pooled_scale), factor),
        **{
            name: _GroupFit(int(best[overhead, loss]), float(log_scale[overhead, loss]), factor)
            for name, (best, log_scale, _) in fits.items()
        },
    }
    return _Found(OVERHEADS[overhead], LOSSES[loss], chosen, groups, float(costs[overhead, loss]))


def _measured(chosen: Sequence[Case]) -> tuple[list[Measured], list[str | None]]:
    """The chosen cases in the fit's terms, and their families."""
    return [measure(case) for case in chosen], [family_of(gpu_of(case)) for case in chosen]


def fit(cases: Sequence[Case]) -> Calibration:
    """Each family's fit (``*``: the pooled fit of every fit case), the parallel efficiency
    and the layer overhead that leave the least sum of |relative error|, from the fit split
    only."""
    chosen = fit_cases(cases)  # the split is chosen before any expected value is read
    if not chosen:
        raise ValueError("no measured inference cases in the fit split")
    found = _fit_measured(*_measured(chosen))
    bandwidth, compute = efficiency_pairs()
    fits = {
        name: Fit(
            bandwidth[group.ratio] * math.exp(group.log_scale),
            compute[group.ratio] * math.exp(group.log_scale),
            group.factor,
            tuple(chosen[i].id for i in found.members[name]),
        )
        for name, group in found.groups.items()
    }
    return Calibration(fits, round(1 - found.loss, 3), found.overhead)


@dataclass(frozen=True)
class LeaveOneOut:
    """Each fit case's error against the fit of the other fit cases, and whether its
    measurement lies inside that fit's low..high."""

    errors: dict[str, float]
    inside: dict[str, bool]

    @property
    def mean_abs_error(self) -> float:
        return float(np.mean(np.abs(list(self.errors.values()))))

    @property
    def inside_range(self) -> float:
        return float(np.mean(list(self.inside.values())))

    def text(self) -> str:
        """One line, as docs/validation.md quotes it."""
        return (
            f"fit split, leave-one-out: {len(self.errors)} cases, mean |error| "
            f"{100 * self.mean_abs_error:.1f} %, inside low..high {100 * self.inside_range:.0f} %"
        )


def range_ends(case: Case, found: _Found, group: _GroupFit, gpus: float) -> list[float]:
    """The case's result (in its unit) at both ends of a fit's range, run as the command runs
    its defaults: each efficiency divided and multiplied by the factor (capped at 1), times
    the parallel factor, with the layer overhead multiplied and divided by it (a runtime that
    reaches more of the bandwidth also launches less per layer: where an efficiency's cap
    binds, the overhead still widens the range)."""
    bandwidth, compute = (e[group.ratio] * math.exp(group.log_scale) for e in efficiency_pairs())
    kept = (1 - found.loss) ** math.log2(gpus)
    ends = [
        {
            "bandwidth-efficiency": repr(min(1.0, bandwidth * k) * kept),
            "compute-efficiency": repr(min(1.0, compute * k) * kept),
            "layer-overhead": f"{found.overhead / k!r} s",
            "overlap": repr(OVERLAP),
        }
        for k in (1 / group.factor, group.factor)
    ]
    runs = documents(case.calculator, case.args, ends)
    return [in_unit(run["results"][case.result], "value", case.unit) for run in runs]


def leave_one_out(cases: Sequence[Case]) -> LeaveOneOut:
    """The fit's yardstick on the fit split alone: each fit case estimated by the whole fit
    (overhead, ratio, scale, range, parallel efficiency) redone without it, in the grid's
    terms: the estimate's time is model / (s x parallel factor) + overhead x per_overhead
    (Measured.time), its error against the measured time (a rate's, inverted). Inside
    low..high: the measurement between the case's results at that fit's range's ends, run
    as the command runs them (range_ends: an efficiency capped at 1 leaves the other free
    to rise)."""
    chosen = fit_cases(cases)
    measured, families = _measured(chosen)
    implied, doublings = _implied(measured), np.log2([m.gpus for m in measured])
    rates = np.array([m.rate for m in measured])
    whole = _family_fits(*_grid(implied, doublings, families), rates)  # each family with all
    errors, inside = {}, {}
    for i, case in enumerate(chosen):
        rest = [j for j in range(len(chosen)) if j != i]
        others = {name: fits for name, fits in whole.items() if name != families[i]}
        found = _fit_implied(
            implied[rest], doublings[rest], [families[j] for j in rest], rates[rest], others
        )
        group = found.groups.get(families[i] or ANY_GPU, found.groups[ANY_GPU])
        log_factor = math.log1p(-found.loss) * math.log2(measured[i].gpus)
        log_scale = group.log_scale + log_factor
        ratio = measured[i].time(group.ratio, log_scale, found.overhead) / measured[i].measured
        errors[case.id] = 1 / ratio - 1 if is_rate(case.unit) else ratio - 1
        low, high = sorted(range_ends(case, found, group, measured[i].gpus))
        inside[case.id] = low <= case.expected <= high
    return LeaveOneOut(errors, inside)


def preset_text(calibration: Calibration, date: str) -> str:
    """presets/serving-fit.toml: the fitted ranges per GPU and where they came from."""
    fits = calibration.families
    labels = [gpu for name in FAMILIES if name in fits for gpu in FAMILIES[name]] + [ANY_GPU]
    per_gpu = {gpu: fits[name] for name in FAMILIES if name in fits for gpu in FAMILIES[name]}
    per_gpu[ANY_GPU] = fits[ANY_GPU]
    families = "; ".join(
        f"{name} ({', '.join(FAMILIES.get(name, ('every other GPU',)))}): bandwidth "
        f"{found.bandwidth:.3f}, compute {found.compute:.3f}, range factor {found.factor:.3f}, "
        f"{len(found.cases)} cases" + (f" ({', '.join(found.cases)})" if name != ANY_GPU else "")
        for name, found in fits.items()
    )
    note = (
        f"fitted {date} on the {len(fits[ANY_GPU].cases)} measured serving cases of the fit "
        "split (src/tcoctl/validation/*.toml), per GPU family (one architecture and, in the "
        "dataset, one runtime: TensorRT-LLM on NVIDIA, vLLM on AMD; '*' is the pooled fit of "
        f"every case, for GPUs of no family). {families}. Method: tcoctl.pipeline.calibration "
        "(the ratio compute / bandwidth and the scale that leave the least sum of the family's "
        "cases' |relative error|, the "
        f"range the fit / k .. the fit x k, log k the split-conformal {100 * COVERAGE:.0f} % "
        "|log miss| of the cases each left out of its family's fit, with the layer overhead); "
        "python -m tcoctl.pipeline.calibration rewrites this file"
    )
    quoted = ", ".join(f'"{label}"' for label in labels)
    entries = [
        _entry(
            option,
            "["
            + ", ".join(
                f'"{found.range_text(getattr(found, central))}"' for found in per_gpu.values()
            )
            + f']\nlabels = [{quoted}]\nper = "gpu"',
            "https://github.com/mlcommons/inference_results_v4.1",
            date,
            note,
        )
        for option, central in (
            ("bandwidth-efficiency", "bandwidth"),
            ("compute-efficiency", "compute"),
        )
    ]
    given = "when --bandwidth-efficiency or --compute-efficiency is given"
    entries.append(
        _entry(
            "parallel-efficiency",
            f'"{calibration.parallel_efficiency:.3f}"',
            "https://github.com/mlcommons/inference_results_v4.1",
            date,
            f"fitted {date} with the efficiencies, on the same cases: the fraction of a GPU's "
            "rate each doubling of GPUs per replica keeps (searched from 1 to 0.6 in steps of "
            f"0.02), the one that leaves the families' least sum of |relative error|; dropped (1) "
            f"{given}",
        )
    )
    overhead_us, factor = calibration.layer_overhead * 1e6, fits[ANY_GPU].factor
    entries.append(
        _entry(
            "layer-overhead",
            f'"{overhead_us / factor:.1f}..{overhead_us:.0f}..{overhead_us * factor:.1f} us"',
            "https://blog.vllm.ai/2024/09/05/perf-update.html",
            date,
            f"fitted {date} with the efficiencies, on the same cases: the fixed time per layer of "
            "each forward pass (kernel launches, the runtime's scheduling; vLLM's profile of "
            "Llama 3 8B on one H100 found 38 % of the time on the GPU), searched from 0 to 200 "
            "us in steps of 10, the one that leaves the families' least sum of |relative error|, "
            "its range the value divided and multiplied by the efficiencies' range factor (the "
            "fast end of a range has the high efficiencies and the low overhead); dropped (0) "
            f"{given}",
        )
    )
    entries.append(
        _entry(
            "overlap",
            f'"{OVERLAP}"',
            "https://doi.org/10.1145/2751205.2751240",
            date,
            "the share of a forward pass's shorter time (memory or compute) hidden behind the "
            "longer (1: the roofline's max; 0: their sum; Stengel et al. 2015, the ECM model's "
            "overlapping and non-overlapping time), chosen on the fit split's leave-one-out "
            "among 0, 0.25, 0.5, 0.75 and 1 (tcoctl.pipeline.calibration.OVERLAP); dropped (1) "
            f"{given}",
        )
    )
    return (
        'title = "Serving efficiencies fitted on measurements (tcoctl validate, fit split)"\n'
        'kind = "scenario"\n'
        'description = "The achieved fraction of HBM bandwidth and of peak FLOP/s that '
        "published serving measurements (TensorRT-LLM, vLLM, MLPerf Inference) reach, per GPU "
        "family, as a range: every model preset's default, so inference answers an estimate "
        "with its spread, not the roofline. --bandwidth-efficiency 1 --compute-efficiency 1 "
        'gives the roofline."\n\n' + "\n".join(entries)
    )


def _entry(option: str, value: str, url: str, date: str, note: str) -> str:
    """One figure of serving-fit.toml: ``value`` as TOML (with any keys that follow it), the
    validation dataset's fit split as its source, ``url`` the document its method follows."""
    return (
        f"[inference.{option}]\n"
        f"value = {value}\n"
        'source = "tcoctl validation dataset, fit split (docs/validation.md)"\n'
        f'url = "{url}"\n'
        f'as_of = "{date}"\n'
        f'note = "{note}"\n'
    )


def main(folder: str, date: str) -> None:
    """Fit on the shipped dataset and write ``folder``/serving-fit.toml, stamped ``date``."""
    text = preset_text(fit(load_cases()), date)
    write_preset(folder, PRESET, text)


if __name__ == "__main__":
    arguments = parse(PRESET, sys.argv[1:], leave_one_out=True)
    if arguments.leave_one_out:
        print(leave_one_out(load_cases()).text())
    else:
        main(arguments.folder, arguments.date)
