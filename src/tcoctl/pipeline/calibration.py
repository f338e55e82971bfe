"""Serving calibration: the default bandwidth and compute efficiencies of ``tcoctl
inference``, fitted on the ``fit`` split of the validation dataset's measurements.

Method. With both efficiencies equal to ``e``, every time of the serving model (decode step,
prefill) is the roofline's divided by ``e`` and every rate the roofline's times ``e``: the
step is max(bytes / (bandwidth e), FLOP / (peak e)) = roofline / e. So each measured case
implies one efficiency, e = measured / roofline for a rate, roofline / measured for a time,
the roofline being the same case run at ``--bandwidth-efficiency 1 --compute-efficiency 1``
through the API. The default is the median of those efficiencies and its range their
spread, lowest to highest; held-out cases are never read (the split is filtered before any
value is). ``python -m tcoctl.pipeline.calibration`` rewrites presets/serving-fit.toml
from the dataset; a test fails when the stored file differs from a fresh fit.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tcoctl.pipeline.validation import ROOFLINE, Case, is_rate, keywords, load_cases, result_of

PRESET = "serving-fit"
CALCULATOR = "inference"
SPEEDS = ("tokens_per_second_per_gpu", "tokens_per_second", "time_per_output_token", "prefill_time")
"""The results an efficiency sets alone (energy and cost also depend on the power and price)."""


@dataclass(frozen=True)
class Fit:
    """Fitted efficiency: median and spread of the implied values, and the cases used."""

    median: float
    low: float
    high: float
    cases: tuple[str, ...]


def fit_cases(cases: Sequence[Case]) -> list[Case]:
    """The cases the fit may read: measured serving speeds of the ``fit`` split only."""
    return [
        c
        for c in cases
        if c.kind == "measured"
        and c.split == "fit"
        and c.calculator == CALCULATOR
        and c.result in SPEEDS
    ]


def implied_efficiency(case: Case) -> float:
    """The efficiency (both bandwidth and compute) at which the model meets the measurement:
    measured / roofline for a rate, roofline / measured for a time; at most 1."""
    preset, options = keywords(case.args)
    roofline, _, _ = result_of(case, preset, {**options, **ROOFLINE})
    ratio = case.expected / roofline if is_rate(case.unit) else roofline / case.expected
    return min(ratio, 1.0)


def fit(cases: Sequence[Case]) -> Fit:
    """The median and the lowest..highest of the fit split's implied efficiencies."""
    chosen = fit_cases(cases)  # the split is chosen before any expected value is read
    if not chosen:
        raise ValueError("no measured inference cases in the fit split")
    values = [implied_efficiency(case) for case in chosen]
    return Fit(statistics.median(values), min(values), max(values), tuple(c.id for c in chosen))


def preset_text(found: Fit, date: str) -> str:
    """presets/serving-fit.toml: the fitted range and where it came from."""
    value = f"{found.low:.3f}..{found.high:.3f}"
    cases = ", ".join(found.cases)
    note = (
        f"median {found.median:.3f}; fitted {date} on the {len(found.cases)} measured cases of "
        f"the fit split (src/tcoctl/validation/*.toml): {cases}. Method: "
        "tcoctl.pipeline.calibration (each case's efficiency = measured / roofline, the range "
        "the lowest to the highest); python -m tcoctl.pipeline.calibration rewrites this file"
    )
    entries = []
    for option in ("bandwidth-efficiency", "compute-efficiency"):
        entries.append(
            f"[inference.{option}]\n"
            f'value = "{value}"\n'
            'source = "tcoctl validation dataset, fit split (docs/validation.md)"\n'
            'url = "https://github.com/mlcommons/inference_results_v4.1"\n'
            f'as_of = "{date}"\n'
            f'note = "{note}"\n'
        )
    return (
        'title = "Serving efficiencies fitted on measurements (tcoctl validate, fit split)"\n'
        'kind = "scenario"\n'
        'description = "The achieved fraction of HBM bandwidth and of peak FLOP/s that '
        "published serving measurements (TensorRT-LLM, vLLM, MLPerf Inference) reach, as a "
        "range: every model preset's default, so inference answers an estimate with its "
        "spread, not the roofline. --bandwidth-efficiency 1 --compute-efficiency 1 gives the "
        'roofline."\n\n' + "\n".join(entries)
    )


def main(folder: str = "presets", date: str = "") -> None:
    """Fit on the shipped dataset and write ``folder``/serving-fit.toml."""
    import datetime  # only when writing

    found = fit(load_cases())
    stamp = date or datetime.date.today().isoformat()
    (Path(folder) / f"{PRESET}.toml").write_text(preset_text(found, stamp), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
