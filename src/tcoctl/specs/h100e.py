"""The ``h100e`` calculator: H100-equivalents of a fleet, a capacity figure or a speed-up."""

from __future__ import annotations

from dataclasses import replace

from tcoctl.specs.base import (
    COUNT,
    GPU,
    GPUS_PER_NODE,
    NODES,
    PRECISION,
    Calculator,
    Input,
    Result,
)

H100E = Calculator(
    name="h100e",
    help="H100-equivalents of a fleet (--gpu, --count) on a --basis, of a --capacity "
    "figure, or of a stated speed-up (--factor).",
    default_preset="frontier-2025",
    summary="H100-equivalents",
    unit_example="peak_compute=PFLOP/s",
    complete_example=("--gpu", "h100-sxm", "--count", "1000"),
    target="h100e",
    headline=("h100e", "h100e_bf16", "h100e_fp8", "h100e_bandwidth", "ratio_bf16"),
    sweep_example="count=100000..1000000:10|h100e=1000000",
    solve_example="count|h100e=1000000",
    defaults={"basis": "bf16", "precision": "bf16"},
    inputs=(
        GPU,
        replace(COUNT, excludes=("nodes",)),
        replace(NODES, excludes=("count",)),
        GPUS_PER_NODE,
        Input(
            "basis",
            "What makes two chips equivalent: dense BF16 FLOP/s, dense FP8 "
            "FLOP/s, memory bandwidth, or all three side by side.",
            "bf16",
            kind="choice",
            choices=("bf16", "fp8", "bandwidth", "all"),
        ),
        Input(
            "capacity", "A fleet's compute capacity to convert.", "8 EFLOP/s", "FLOP/s", "EFLOP/s"
        ),
        PRECISION,
        Input("factor", "A stated speed-up over an H100 per GPU.", "2..3"),
    ),
    results=(
        Result("h100e", "H100 SXM-equivalents."),
        Result("h100e_bf16", "H100e on dense BF16 FLOP/s."),
        Result("h100e_fp8", "H100e on dense FP8 FLOP/s."),
        Result("h100e_bandwidth", "H100e on memory bandwidth."),
        Result("ratio_bf16", "One chip in H100s, on dense BF16 FLOP/s."),
        Result("ratio_fp8", "One chip in H100s, on dense FP8 FLOP/s."),
        Result("ratio_bandwidth", "One chip in H100s, on memory bandwidth."),
        Result("count", "GPUs."),
        Result("peak_compute", "The fleet's dense peak at --precision.", "FLOP/s", "EFLOP/s"),
    ),
)
