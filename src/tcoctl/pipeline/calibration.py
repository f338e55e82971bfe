"""Serving calibration: the default bandwidth and compute efficiencies of ``tcoctl
inference``, fitted per GPU family on the ``fit`` split of the validation dataset's
measurements.

Method. Scaling both efficiencies by ``s`` scales every time of the serving model (decode
step, prefill) by 1 / s and every rate by s: the step is max(bytes / (bandwidth eb), FLOP /
(peak ec)). So a family's fit is a ratio r = ec / eb and a scale. For each ratio on a grid
(1/8 to 8), each measured case runs once (validation.documents) at (eb, ec) = (1, r), or
(1 / r, 1) above 1, and implies the scale s_i at which it is met exactly (measured / model
for a rate, model / measured for a time). The family's scale is the median of its cases'
s_i (it minimises the sum of |log error|), and its ratio the grid point with the least sum (of
ratios within 1 % per case of it, the nearest to 1). A replica of g GPUs keeps
``parallel_efficiency ^ log2(g)`` of a GPU's rate (tensor-parallel communication): the
fitted fraction, pooled over the families, is the one of a grid (1 to 0.6) that leaves the
least sum. The range is the fitted pair times 1 -/+ d, d the largest |s_i / s - 1| of the
family's cases (every fit case inside its range), at least the split-conformal miss that
80 % of new cases stay within (each fit case against its family fitted without it; see
conformal_spread) and at most 0.9 (the low end stays above 0). Efficiencies are capped at
1. GPUs outside the families with fit cases get the pooled fit of every case.

Held-out cases are never read (the split is filtered before any value is).
``python -m tcoctl.pipeline.calibration [FOLDER] [DATE]`` rewrites FOLDER/serving-fit.toml
from the dataset; a test fails when the stored file differs from a fresh fit.
``python -m tcoctl.pipeline.calibration --leave-one-out`` prints the yardstick a change of
the model or the fit is judged by, on the fit split alone: each fit case's error against the
whole fit redone without it, and the share inside that fit's low..high (leave_one_out).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

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
COVERAGE = 0.8
"""The share of measurements a range should hold (issue 17: >= 80 % inside low..high)."""
MAX_SPREAD = 0.9
"""The widest relative spread: a range's low end stays above 0 (at least 10 % of the fit)."""
TIE = 0.01
LOSSES = tuple(float(x) for x in np.round(np.arange(0.0, 0.41, 0.02), 2))
"""Fraction of a GPU's rate lost per doubling of GPUs per replica: the grid searched."""
RATIOS = tuple(float(r) for r in np.round(np.geomspace(1 / 8, 8, 25), 4))
"""compute efficiency / bandwidth efficiency: the grid the fit searches."""


@dataclass(frozen=True)
class Fit:
    """One family's fitted efficiencies (central values) and relative spread, and its cases."""

    bandwidth: float
    compute: float
    spread: float
    cases: tuple[str, ...]

    def range_text(self, central: float) -> str:
        """``central`` x (1 -/+ spread), capped at 1, as a preset range ``LOW..HIGH``."""
        low, high = central * (1 - self.spread), min(1.0, central * (1 + self.spread))
        return f"{low:.3f}..{high:.3f}"


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


def implied_log_scales(case: Case) -> tuple[np.ndarray, float]:
    """log s_i for each ratio of the grid: the scale of (eb, ec) at which the model meets the
    measurement, from one run over the grid (a scenario per ratio); and the case's GPUs per
    replica."""
    grid = [
        {"bandwidth-efficiency": repr(bandwidth), "compute-efficiency": repr(compute)}
        for bandwidth, compute in zip(*efficiency_pairs(), strict=True)
    ]
    found = documents(case.calculator, case.args, grid)
    model = np.array([in_unit(d["results"][case.result], "value", case.unit) for d in found])
    ratio = case.expected / model
    first = found[0]  # given, or derived by the model's rule
    gpus = float(
        first["inputs"].get("gpus-per-replica", first["results"].get("gpus_per_replica"))["value"]
    )
    return np.log(ratio if is_rate(case.unit) else 1 / ratio), gpus


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


def _fit_one(scales: np.ndarray) -> tuple[int, float, np.ndarray, float]:
    """(ratio index, log scale, each case's log scale minus it, sum of |log error|) for a
    cases x ratios array; of ratios within 1 % per case of the least sum, the nearest to 1
    (two cases that bind one resource alone leave the other free)."""
    centre = np.minimum(np.median(scales, axis=0), 0.0)  # an efficiency is at most 1
    cost = np.abs(scales - centre).sum(axis=0)
    near = np.flatnonzero(cost <= cost.min() + TIE * len(scales))
    best = int(near[np.argmin(np.abs(np.log(np.array(RATIOS)[near])))])
    return best, float(centre[best]), scales[:, best] - centre[best], float(cost[best])


def conformal_spread(scales: np.ndarray, families: Sequence[Sequence[int]]) -> float:
    """The relative miss that COVERAGE of held-out cases stay within, from the fit split
    alone (split-conformal prediction, Lei et al. 2018, "Distribution-Free Predictive
    Inference for Regression", JASA 113(523)): each case's |s_i / s - 1| against its
    family fitted without it, and of the n misses the ceil((n + 1) COVERAGE)-th smallest."""
    misses = []
    for members in families:
        for case in members:
            others = [i for i in members if i != case]
            if others:
                best, log_scale, _, _ = _fit_one(scales[others])
                misses.append(abs(float(np.expm1(scales[case, best] - log_scale))))
    rank = min(len(misses), math.ceil((len(misses) + 1) * COVERAGE))
    return sorted(misses)[rank - 1] if misses else 0.0


@dataclass(frozen=True)
class _GroupFit:
    """A group's fit in the terms of the grid: the ratio's index, the log scale and the
    relative spread."""

    ratio: int
    log_scale: float
    spread: float


def _fit_implied(
    scales: np.ndarray, doublings: np.ndarray, families: Sequence[str | None]
) -> tuple[float, dict[str, _GroupFit], dict[str, list[int]]]:
    """(loss per doubling, each group's fit, each group's cases) from the cases' implied log
    scales (cases x ratios), doublings of GPUs per replica and families (None: none); the
    loss is the one of LOSSES that leaves the families' least sum of |log error|."""
    groups = {ANY_GPU: list(range(len(scales)))}
    for name in FAMILIES:
        members = [i for i, family in enumerate(families) if family == name]
        if members:
            groups[name] = members

    def scaled(loss: float) -> np.ndarray:
        # a replica of g GPUs keeps (1 - loss) ^ log2(g): its cases imply a higher
        # single-GPU scale
        return np.asarray(scales - np.log1p(-loss) * doublings[:, None], dtype=float)

    by_loss = {
        loss: {name: _fit_one(scaled(loss)[members]) for name, members in groups.items()}
        for loss in LOSSES
    }
    loss = min(
        LOSSES,
        key=lambda x: sum(found[3] for name, found in by_loss[x].items() if name != ANY_GPU),
    )
    floor = conformal_spread(scaled(loss), [m for n, m in groups.items() if n != ANY_GPU])
    fits = {
        name: _GroupFit(
            best,
            log_scale,
            min(max(float(np.max(np.abs(np.expm1(miss)))), floor), MAX_SPREAD),
        )
        for name, (best, log_scale, miss, _) in by_loss[loss].items()
    }
    return loss, fits, groups


def _implied(chosen: Sequence[Case]) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
    """The chosen cases' implied log scales (cases x ratios), doublings of GPUs per replica
    and families."""
    implied = [implied_log_scales(case) for case in chosen]
    scales = np.array([s for s, _ in implied])
    doublings = np.log2([gpus for _, gpus in implied])
    return scales, doublings, [family_of(gpu_of(case)) for case in chosen]


def fit(cases: Sequence[Case]) -> Calibration:
    """Each family's fit (``*``: the pooled fit of every fit case) and the parallel
    efficiency that leaves the least sum of |log error|, from the fit split only."""
    chosen = fit_cases(cases)  # the split is chosen before any expected value is read
    if not chosen:
        raise ValueError("no measured inference cases in the fit split")
    loss, found, groups = _fit_implied(*_implied(chosen))
    bandwidth, compute = efficiency_pairs()
    fits = {
        name: Fit(
            bandwidth[group.ratio] * math.exp(group.log_scale),
            compute[group.ratio] * math.exp(group.log_scale),
            group.spread,
            tuple(chosen[i].id for i in groups[name]),
        )
        for name, group in found.items()
    }
    return Calibration(fits, round(1 - loss, 3))


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


def leave_one_out(cases: Sequence[Case]) -> LeaveOneOut:
    """The fit's yardstick on the fit split alone: each fit case estimated by the whole fit
    (ratio, scale, range, parallel efficiency) redone without it, in the grid's terms (the
    estimate at the fitted scale s meets the case at its implied scale s_i: error s / s_i - 1
    for a rate, s_i / s - 1 for a time). Inside low..high: s_i within s x (1 - spread) and s
    x min(1 + spread, 1 / s), the efficiencies being capped at 1."""
    chosen = fit_cases(cases)
    scales, doublings, families = _implied(chosen)
    errors, inside = {}, {}
    for i, case in enumerate(chosen):
        rest = [j for j in range(len(chosen)) if j != i]
        loss, found, _ = _fit_implied(scales[rest], doublings[rest], [families[j] for j in rest])
        group = found.get(families[i] or ANY_GPU, found[ANY_GPU])
        miss = scales[i, group.ratio] - math.log1p(-loss) * doublings[i] - group.log_scale
        errors[case.id] = math.expm1(-miss if is_rate(case.unit) else miss)
        high = min(math.log1p(group.spread), -group.log_scale)
        inside[case.id] = bool(math.log1p(-group.spread) <= miss <= high)
    return LeaveOneOut(errors, inside)


def preset_text(calibration: Calibration, date: str) -> str:
    """presets/serving-fit.toml: the fitted ranges per GPU and where they came from."""
    fits = calibration.families
    labels = [gpu for name in FAMILIES if name in fits for gpu in FAMILIES[name]] + [ANY_GPU]
    per_gpu = {gpu: fits[name] for name in FAMILIES if name in fits for gpu in FAMILIES[name]}
    per_gpu[ANY_GPU] = fits[ANY_GPU]
    families = "; ".join(
        f"{name} ({', '.join(FAMILIES.get(name, ('every other GPU',)))}): bandwidth "
        f"{found.bandwidth:.3f}, compute {found.compute:.3f}, spread {found.spread:.3f}, "
        f"{len(found.cases)} cases" + (f" ({', '.join(found.cases)})" if name != ANY_GPU else "")
        for name, found in fits.items()
    )
    note = (
        f"fitted {date} on the {len(fits[ANY_GPU].cases)} measured serving cases of the fit "
        "split (src/tcoctl/validation/*.toml), per GPU family (one architecture and, in the "
        "dataset, one runtime: TensorRT-LLM on NVIDIA, vLLM on AMD; '*' is the pooled fit of "
        f"every case, for GPUs of no family). {families}. Method: tcoctl.pipeline.calibration "
        "(the ratio compute / bandwidth and the median scale that meet the family's cases, the "
        "range 1 -/+ the largest miss of a case, at least the split-conformal 80 % miss of "
        "the cases each left out of its family's fit); python -m tcoctl.pipeline.calibration "
        "rewrites this file"
    )
    quoted = ", ".join(f'"{label}"' for label in labels)
    entries = []
    for option, central in (
        ("bandwidth-efficiency", "bandwidth"),
        ("compute-efficiency", "compute"),
    ):
        values = ", ".join(
            f'"{found.range_text(getattr(found, central))}"' for found in per_gpu.values()
        )
        entries.append(
            f"[inference.{option}]\n"
            f"value = [{values}]\n"
            f"labels = [{quoted}]\n"
            'per = "gpu"\n'
            'source = "tcoctl validation dataset, fit split (docs/validation.md)"\n'
            'url = "https://github.com/mlcommons/inference_results_v4.1"\n'
            f'as_of = "{date}"\n'
            f'note = "{note}"\n'
        )
    entries.append(
        "[inference.parallel-efficiency]\n"
        f'value = "{calibration.parallel_efficiency:.3f}"\n'
        'source = "tcoctl validation dataset, fit split (docs/validation.md)"\n'
        'url = "https://github.com/mlcommons/inference_results_v4.1"\n'
        f'as_of = "{date}"\n'
        f'note = "fitted {date} with the efficiencies, on the same cases: the fraction of a '
        "GPU's rate each doubling of GPUs per replica keeps (searched from 1 to 0.6 in steps "
        "of 0.02), the one that leaves the families' least sum of |log error|; dropped (1) "
        'when --bandwidth-efficiency or --compute-efficiency is given"\n'
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


def main(folder: str = "presets", date: str = "") -> None:
    """Fit on the shipped dataset and write ``folder``/serving-fit.toml."""
    import datetime  # only when writing

    found = fit(load_cases())
    stamp = date or datetime.date.today().isoformat()
    (Path(folder) / f"{PRESET}.toml").write_text(preset_text(found, stamp), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--leave-one-out"]:
        print(leave_one_out(load_cases()).text())
    else:
        main(*sys.argv[1:])
