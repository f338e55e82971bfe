"""The ``flops`` calculator: training compute, GPU time, throughput, energy and cost."""

from __future__ import annotations

from dataclasses import replace

from tcoctl.specs.base import (
    CARBON_INTENSITY,
    COUNT,
    CROSSING_LABELS,
    DRAW_FRACTION,
    ELECTRICITY,
    EMBODIED,
    GPU,
    GPUS_PER_NODE,
    LOAD,
    NODES,
    POWER,
    POWER_PER_GPU,
    PRECISION,
    PUE,
    Calculator,
    Input,
    Result,
)

FLOPS = Calculator(
    name="flops",
    help="Training compute, GPU-time, throughput, energy and cost, solved in whichever "
    "direction the inputs allow: 6 x params x tokens, GPUs x time x peak x MFU, a --budget "
    "with two of count, duration and MFU, or --solve for any input.",
    default_preset="run-1e30",
    fitted="training-fit",
    summary="FLOP budgets",
    unit_example="duration=yr",
    complete_example=("--gpu", "h100-sxm", "--count", "8", "--duration", "30 day", "--mfu", "0.4"),
    target="duration",
    headline=("total_flop", "duration", "gpu_hours", "energy", "cost"),
    sweep_example="mfu=0.3..0.5:20|duration=100 day",
    solve_example="count|duration=90 day",
    defaults={
        "precision": "bf16",
        "flop-per-param-token": "6",
        "load": "1",
        "pue": "1",
        "compute-rules": "compute-thresholds",
    },
    inputs=(
        replace(GPU, excludes=("peak",)),
        PRECISION,
        Input(
            "peak",
            "Per-GPU dense peak, instead of --gpu.",
            "989 TFLOP/s",
            "FLOP/s",
            "TFLOP/s",
            excludes=("gpu",),
        ),
        replace(COUNT, excludes=("nodes",)),
        replace(NODES, excludes=("count",)),
        GPUS_PER_NODE,
        Input("duration", "Wall-clock training time.", "90 day", "s", "day"),
        Input("mfu", "Model FLOP utilisation, a fraction or %.", "40 %", maximum=1.0),
        Input(
            "achieved",
            "Achieved FLOP/s per GPU, as papers state it (Megatron-LM: 163 TFLOP/s on an "
            "A100); MFU = achieved / peak.",
            "163 TFLOP/s",
            "FLOP/s",
            "TFLOP/s",
            quantity="achieved_flops",
        ),
        Input(
            "cluster-flops",
            "Achieved FLOP/s of the whole cluster (all GPUs).",
            "502 PFLOP/s",
            "FLOP/s",
            "PFLOP/s",
        ),
        Input(
            "gpu-hours",
            "GPU time, instead of --count and --duration.",
            "3e7 h",
            "s",
            "h",
            quantity="gpu_time",
        ),
        Input(
            "budget",
            "Training compute to reach.",
            "1e30 FLOP",
            "FLOP",
            "FLOP",
            quantity="total_flop",
        ),
        Input("params", "Parameters (active, for a mixture of experts).", "405e9"),
        Input("tokens", "Training tokens.", "15.6e12", "token", "token", bare=True),
        Input(
            "tokens-per-param",
            "Training tokens per parameter; with --budget, the compute-optimal split "
            "params = sqrt(budget / (k x r)) (Chinchilla: about 20, Hoffmann et al. 2022).",
            "20",
        ),
        Input(
            "flop-per-param-token",
            "Training FLOP per parameter per token: 6, or 8 with full activation "
            "recomputation (Megatron-LM).",
            "8",
            maximum=100.0,
        ),
        Input(
            "gpu-throughput",
            "Training throughput per GPU, instead of --mfu.",
            "400 token/s",
            "token/s",
            "token/s",
            bare=True,
        ),
        Input(
            "cluster-throughput",
            "Training throughput of the whole cluster.",
            "3e6 token/s",
            "token/s",
            "token/s",
            bare=True,
        ),
        replace(POWER, example="1.7 kW"),
        DRAW_FRACTION,
        PUE,
        replace(LOAD, help="Average draw as a fraction of --power (default 1)."),
        ELECTRICITY,
        Input(
            "price",
            "Price per GPU-hour (a rental price, or tco's cost_per_gpu_hour); excluding "
            "electricity if --electricity is given.",
            "2 USD/h",
            "USD/s",
            "USD/h",
            accepts=("cost_per_gpu_hour",),
        ),
        CARBON_INTENSITY,
        EMBODIED,
        Input("life", "Hardware life, for embodied emissions.", "5 yr", "s", "yr"),
        Input(
            "original-flop",
            "Training compute of the model this run modifies (EU one-third rule).",
            "3.8e25 FLOP",
            "FLOP",
            "FLOP",
        ),
        Input(
            "compute-rules",
            "Rule preset with the compute lines (EU AI Act, SB 53, ...) the run is held "
            "against (see `tcoctl presets list`).",
            "compute-thresholds",
            kind="choice",
            rule="compute",
        ),
    ),
    results=(
        Result("total_flop", "Training compute.", "FLOP", "FLOP", echo=True),
        Result("gpu_hours", "GPU time.", "s", "h", quantity="gpu_time", echo=True),
        Result("duration", "Wall-clock time.", "s", "day", echo=True),
        Result("count", "GPUs.", echo=True),
        Result(
            "mfu",
            "Model FLOP utilisation.",
            echo=True,
            hint="the budget needs an MFU above 1 with that GPU time: give more GPUs or more time",
        ),
        Result("params", "Parameters."),
        Result("tokens", "Training tokens.", "token", "token"),
        Result("tokens_per_param", "Training tokens per parameter."),
        Result("achieved_flops", "Achieved FLOP/s per GPU: peak x MFU.", "FLOP/s", "TFLOP/s"),
        Result(
            "cluster_flops",
            "Achieved FLOP/s of the cluster: per GPU x GPUs.",
            "FLOP/s",
            "PFLOP/s",
        ),
        Result("nodes", "Nodes: GPUs / GPUs per node."),
        Result("gpu_throughput", "Training tokens per second per GPU.", "token/s", "token/s"),
        Result("cluster_throughput", "Training tokens per second, all GPUs.", "token/s", "token/s"),
        Result(
            "h100e_years",
            "GPU time in H100 SXM-years at the same precision.",
            "s",
            "year",
            quantity="h100e_time",
        ),
        Result("energy", "Facility energy: GPU time x power x load x PUE.", "J", "GWh"),
        Result("facility_power", "Facility power draw (GPUs x power x PUE).", "W", "MW"),
        Result("cost", "GPU time x price + energy x electricity price.", "USD", "USD"),
        Result("emissions", "Operational CO2e: energy x carbon intensity.", "gCO2e", "tCO2e"),
        Result(
            "embodied_emissions",
            "Embodied CO2e of the GPU time: embodied x GPU time / life.",
            "gCO2e",
            "tCO2e",
        ),
        *(
            Result(
                name,
                f"Whether total_flop is above {line} (1 or 0 in batch CSV).",
                labels=CROSSING_LABELS,
            )
            for name, line in (
                ("eu_gpai", "the EU's indicative criterion for a general-purpose AI model"),
                ("eu_systemic_risk", "the EU AI Act's presumption of systemic risk"),
                ("ca_sb53_frontier", "California SB 53's frontier-model line"),
                ("us_eo14110_reporting", "US EO 14110's reporting line (revoked)"),
            )
        ),
        Result("modification_share", "total_flop / --original-flop."),
        Result(
            "eu_modification",
            "Whether the run, as a modification, is above the EU share of the original "
            "compute that makes its author the provider (1 or 0 in batch CSV).",
            labels=CROSSING_LABELS,
        ),
        POWER_PER_GPU,
    ),
)
