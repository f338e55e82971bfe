"""Training calibration: the defaults of ``tcoctl flops`` fitted on measurements (preset
``training-fit``): the MFU, per GPU family, from the measured training GPU time of the
validation dataset's ``fit`` split and the steady-state MFUs that training reports publish;
and the draw fraction, a busy server's measured average draw over its rated all-in power.

What the default is. A model card's GPU time is all the GPU time a model took: restarts,
checkpoints, evaluations and stragglers included. The utilisation it implies,
total_flop / (GPU time x peak), is an *effective* utilisation, below the steady-state MFU a
report gives for its best configuration (Llama 3 405B: 38-43 %; 34.6 % over the card's
GPU hours). The default answers a planner's GPU time, so its centre is the effective one;
its range reaches up to the published steady state, a run with no overhead.

Method. Each fit case (a GPU time: ``gpu_hours``) runs once with that GPU time given
(``--gpu-hours``), and the engine's MFU is the utilisation it implies. Per GPU family
(calibration.FAMILIES): the centre is the median of its cases' utilisations. Two to four
runs per family are too few to set a family's own spread, so the spread is pooled: the
least and greatest ratio of a fit case's utilisation to its family's centre, over every
family. The range is the centre times those ratios, its high end raised to the highest
published steady-state MFU of the family (PUBLISHED) where that is higher. GPUs of no
family with fit cases take the pooled fit (``*``): the median of every case, the ratios to
it, and the highest published MFU of any hardware. Held-out cases are never read (the
split is filtered before any value is).

The draw fraction. With no --power, flops takes a GPU's power as TDP x 1.82 (the DGX H100's
rated 10.2 kW for eight 700 W GPUs) times the draw fraction. Each fit case (a measured
server draw: ``facility_power``) runs once at a fraction of 1; measured / model is the
fraction it implies. With the published measurements (PUBLISHED_DRAW), the range is their
least..median..greatest.

``python -m tcoctl.pipeline.training_fit [FOLDER] [DATE]`` rewrites
FOLDER/training-fit.toml; a test fails when the stored file differs from a fresh fit.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from tcoctl.pipeline.calibration import FAMILIES, family_of, fit_cases, gpu_of
from tcoctl.pipeline.fit_arguments import parse, write_preset
from tcoctl.pipeline.validation import Case, documents, in_unit, load_cases
from tcoctl.presets import ANY_GPU

PRESET = "training-fit"
CALCULATOR = "flops"
TIMES = ("gpu_hours",)
"""The results a training case measures that the MFU sets alone (GPU time)."""
DRAWS = ("facility_power",)
"""The results a power case measures that the draw fraction sets alone (a server's draw)."""


@dataclass(frozen=True)
class Published:
    """A figure a report publishes: a steady-state MFU (the top of its hardware's range), or a
    measured draw over the rated power."""

    family: str
    """A calibration.FAMILIES name, or ``*`` where the hardware has no family here."""
    value: float
    source: str
    url: str
    quote: str
    date: str


PUBLISHED = (
    Published(
        "hopper",
        0.43,
        "Llama Team, AI @ Meta, The Llama 3 Herd of Models (arXiv:2407.21783), section 3.3.2, "
        "GPU utilization, and Table 4, 'Scaling configurations and MFU for each stage of "
        "Llama 3 405B pre-training': BF16 MFU 43 % on 8,192 H100s ('8,192 | 8 | 1 | 16 | 64 | "
        "8,192 | 32 | 16M | 430 | 43%'), 41 % and 38 % on 16,384; read in the paper's text "
        "(its arXiv HTML, as extracted in a public repository's copy)",
        "https://arxiv.org/abs/2407.21783",
        "Through careful tuning of the parallelism configuration, hardware, and software, we "
        "achieve an overall BF16 Model FLOPs Utilization (MFU; Chowdhery et al. (2023)) of "
        "38-43% for the configurations shown in Table 4.",
        "2024-07-23",
    ),
    Published(
        "ampere",
        0.52,
        "Jared Casper (NVIDIA), Efficient Large-Scale Language Model Training on GPU Clusters "
        "Using Megatron-LM (Narayanan et al. 2021, arXiv:2104.04473), @Scale talk abstract; "
        "the count includes activation recomputation, so it is an upper end for MFU",
        "https://atscaleconference.com/videos/efficient-large-scale-language-model-training-"
        "on-gpu-clusters-using-megatron-lm-jared-casper/",
        "Our approach allows us to perform training iterations on a model with 1 trillion "
        "parameters at 502 petaFLOP/s on 3072 GPUs (per-GPU throughput of 52% of theoretical "
        "peak).",
        "2022-05-18",
    ),
    Published(
        ANY_GPU,
        0.552,
        "Jiang et al., MegaScale: Scaling Large Language Model Training to More Than 10,000 "
        "GPUs (arXiv:2402.15627), abstract (the abstract does not name the GPU, so the figure "
        "tops only the pooled range)",
        "https://huggingface.co/papers/2402.15627",
        "MegaScale achieves 55.2% Model FLOPs Utilization (MFU) when training a 175B LLM model "
        "on 12,288 GPUs",
        "2024-02-23",
    ),
    Published(
        ANY_GPU,
        0.462,
        "Chowdhery et al., PaLM: Scaling Language Modeling with Pathways (arXiv:2204.02311), "
        "section 4.1, Training Efficiency, and Table 3, model FLOPs utilization of PaLM and "
        "prior large models ('PaLM 540B 6144 TPU v4 46.2%'); read in arXiv's ar5iv HTML of the "
        "paper (https://ar5iv.labs.arxiv.org/html/2204.02311)",
        "https://arxiv.org/abs/2204.02311",
        "The MFU of PaLM 540B is 45.7% without self-attention or 46.2% with it. Our "
        "analytically computed hardware FLOPs utilization, which includes rematerialization "
        "FLOPs, is 57.8%.",
        "2022-04",
    ),
)


PUBLISHED_DRAW = (
    Published(
        "hopper",
        0.76,
        "Newkirk et al., Empirically-Calibrated H100 Node Power Models for Reducing Uncertainty "
        "in AI Training Energy Estimation (arXiv:2506.14551), abstract: the average draw of "
        "8-GPU H100 nodes training, measured at Brookhaven National Laboratory",
        "https://arxiv.org/abs/2506.14551",
        "Our analysis reveals that even computationally intensive workloads operate at only 76% "
        "of the 10.2 kW TDP rating.",
        "2025-06-17",
    ),
    Published(
        "hopper",
        8.4 / 10.2,
        "Latif et al., Empirical Measurements of AI Training Power Demand on a GPU-Accelerated "
        "Node (arXiv:2412.08602), abstract: the highest draw of an 8-GPU H100 HGX node training "
        "ResNet and Llama2-13b, 8.4 kW of the rated 10.2 kW",
        "https://arxiv.org/abs/2412.08602",
        "The maximum observed power draw was approximately 8.4 kW, 18% lower than the "
        "manufacturer-rated 10.2 kW, even with GPUs near full utilization.",
        "2024-12-11",
    ),
)


@dataclass(frozen=True)
class Fit:
    """One family's default MFU: its range ends and centre, and the cases behind it."""

    low: float
    centre: float
    high: float
    cases: tuple[str, ...]

    def text(self) -> str:
        """The preset value ``LOW..CENTRE..HIGH``."""
        return f"{self.low:.3f}..{self.centre:.3f}..{self.high:.3f}"


@dataclass(frozen=True)
class TrainingFit:
    """The fitted defaults: the MFU per family (``*``: pooled) and the draw fraction."""

    mfu: dict[str, Fit]
    draw: Fit


def result_of(case: Case, result: str, added: Mapping[str, str]) -> float:
    """One result of a case in the case's unit, its arguments run with the options ``added``
    (by name, as text)."""
    found = documents(case.calculator, case.args, [added])[0]
    return in_unit(found["results"][result], "value", case.unit)


def implied_mfu(case: Case) -> float:
    """The utilisation a measured GPU time implies: the engine's MFU with it given."""
    return result_of(replace(case, unit=""), "mfu", {"gpu-hours": f"{case.expected} {case.unit}"})


def implied_draw(case: Case) -> float:
    """The draw fraction a measured server draw implies: measured / model at a fraction of 1."""
    return case.expected / result_of(case, case.result, {"draw-fraction": "1"})


def fit(cases: Sequence[Case]) -> TrainingFit:
    """The MFU and draw-fraction defaults, from the fit split only."""
    measured = fit_cases(cases, CALCULATOR, DRAWS)
    draws = [implied_draw(c) for c in measured] + [p.value for p in PUBLISHED_DRAW]
    draw = Fit(min(draws), statistics.median(draws), max(draws), tuple(c.id for c in measured))
    return TrainingFit(fit_mfu(cases), draw)


def fit_mfu(cases: Sequence[Case]) -> dict[str, Fit]:
    """Each family's default MFU (``*``: pooled over every fit case), from the fit split."""
    chosen = fit_cases(cases, CALCULATOR, TIMES)  # the split is chosen before any value is read
    if not chosen:
        raise ValueError("no measured training cases in the fit split")
    utilisation = {case.id: implied_mfu(case) for case in chosen}
    groups = {
        name: [c.id for c in chosen if family_of(gpu_of(c)) == name]
        for name in FAMILIES
        if any(family_of(gpu_of(c)) == name for c in chosen)
    }
    centres = {name: statistics.median(utilisation[i] for i in ids) for name, ids in groups.items()}
    ratios = [utilisation[i] / centres[name] for name, ids in groups.items() for i in ids]
    pooled = statistics.median(utilisation.values())
    pooled_ratios = [u / pooled for u in utilisation.values()]
    fits = {}
    for name, centre, spread, ids in (
        *((n, centres[n], ratios, tuple(groups[n])) for n in groups),
        (ANY_GPU, pooled, pooled_ratios, tuple(utilisation)),
    ):
        top = max(p.value for p in PUBLISHED if name == ANY_GPU or p.family == name)
        fits[name] = Fit(centre * min(spread), centre, max(centre * max(spread), top), ids)
    return fits


def preset_text(found: TrainingFit, date: str) -> str:
    """presets/training-fit.toml: the default MFU per GPU, the draw fraction, and where they
    came from."""
    fits = found.mfu
    per_gpu = {gpu: fits[name] for name in FAMILIES if name in fits for gpu in FAMILIES[name]}
    per_gpu[ANY_GPU] = fits[ANY_GPU]
    families = "; ".join(
        f"{name} ({', '.join(FAMILIES.get(name, ('every other GPU',)))}): {fit.text()} "
        f"from {', '.join(fit.cases)}"
        for name, fit in fits.items()
    )
    published = "; ".join(
        f"{p.family}: {p.value:g}, {p.source}, {p.url}, '{p.quote}' ({p.date})" for p in PUBLISHED
    )
    measured = "; ".join(
        f"{p.value:.3f}, {p.source}, {p.url}, '{p.quote}' ({p.date})" for p in PUBLISHED_DRAW
    )
    draw_note = (
        f"fitted {date} (tcoctl.pipeline.training_fit): a busy server's average draw over its "
        "rated all-in power (TDP x 1.82, the DGX H100 ratio), LOW..CENTRE..HIGH the least, "
        "median and greatest of the fit split's measured server draws "
        f"({', '.join(found.draw.cases)}: MLPerf Inference v4.1, 8 x H200, MaxQ, GPUs capped "
        f"at 500 W) and the published measurements: {measured}. All are Hopper servers"
    ).replace('"', "'")
    note = (
        f"fitted {date} (tcoctl.pipeline.training_fit) on the measured training GPU times of the "
        "fit split (src/tcoctl/validation/training_runs.toml): an effective utilisation, "
        "total_flop / (GPU time x BF16 dense peak), overheads included. LOW..CENTRE..HIGH per "
        "family: the centre is the median of its runs; the ends are the centre times the least "
        "and greatest ratio of any fit run to its family's centre, the high end raised to the "
        f"highest published steady-state MFU of the family. {families}. Published steady-state "
        f"MFUs: {published}"
    ).replace('"', "'")
    values = ", ".join(f'"{fit.text()}"' for fit in per_gpu.values())
    labels = ", ".join(f'"{gpu}"' for gpu in per_gpu)
    return (
        'title = "Training MFU fitted on measured runs (tcoctl validate, fit split)"\n'
        'kind = "scenario"\n'
        'description = "The defaults of tcoctl flops fitted on measurements, used where no '
        "option or relation gives them: the MFU, per GPU family (the effective utilisation of "
        "published training runs' whole GPU time, up to the steady-state MFU that training "
        "reports publish), and the draw fraction that sets a --gpu's power when --power is "
        'not given (measured average draw over TDP x 1.82)."\n\n'
        "[flops.mfu]\n"
        f"value = [{values}]\n"
        f"labels = [{labels}]\n"
        'per = "gpu"\n'
        'source = "tcoctl validation dataset, fit split (docs/validation.md)"\n'
        'url = "https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/MODEL_CARD.md"\n'
        f'as_of = "{date}"\n'
        f'note = "{note}"\n\n'
        "[flops.draw-fraction]\n"
        f'value = "{found.draw.text()}"\n'
        'source = "tcoctl validation dataset, fit split; Newkirk et al. 2025; Latif et al. 2024"\n'
        'url = "https://arxiv.org/abs/2506.14551"\n'
        f'as_of = "{date}"\n'
        f'note = "{draw_note}"\n'
    )


def main(folder: str, date: str) -> None:
    """Fit on the shipped dataset and write ``folder``/training-fit.toml, stamped ``date``."""
    text = preset_text(fit(load_cases()), date)
    write_preset(folder, PRESET, text)


if __name__ == "__main__":
    arguments = parse(PRESET, sys.argv[1:])
    main(arguments.folder, arguments.date)
