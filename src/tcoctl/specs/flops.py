"""The ``flops`` calculator: training compute, GPU time, throughput, energy and cost."""

from __future__ import annotations

from dataclasses import replace

from tcoctl.specs.base import (
    COUNT,
    ELECTRICITY,
    GPU,
    LOAD,
    POWER,
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
    target="duration",
    headline=("total_flop", "duration", "gpu_hours", "energy", "cost"),
    sweep_example="mfu=0.3..0.5:20|duration=100 day",
    solve_example="count|duration=90 day",
    defaults={"precision": "bf16", "flop-per-param-token": "6", "load": "1", "pue": "1"},
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
        COUNT,
        Input("duration", "Wall-clock training time.", "90 day", "s", "day"),
        Input("mfu", "Model FLOP utilisation, a fraction or %.", "40 %", maximum=1.0),
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
        PUE,
        replace(LOAD, help="Average draw as a fraction of --power (default 1)."),
        ELECTRICITY,
        Input("price", "Price per GPU-hour, excluding electricity.", "2 USD/h", "USD/s", "USD/h"),
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
    ),
)
