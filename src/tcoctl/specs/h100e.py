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
    "figure, or of a stated speed-up (--factor); the chip's TPP, performance density and "
    "US export-control class (ECCN 3A090 under --export-rule).",
    default_preset="frontier-2025",
    summary="H100-equivalents",
    unit_example="peak_compute=PFLOP/s",
    complete_example=("--gpu", "h100-sxm", "--count", "1000"),
    target="h100e",
    headline=(
        "h100e",
        "h100e_bf16",
        "h100e_fp8",
        "h100e_bandwidth",
        "ratio_bf16",
        "tpp",
        "performance_density",
        "eccn_3a090",
    ),
    sweep_example="count=100000..1000000:10|h100e=1000000",
    solve_example="count|h100e=1000000",
    defaults={"basis": "bf16", "precision": "bf16", "export-rule": "bis-3a090-2023"},
    inputs=(
        GPU,
        replace(COUNT, excludes=("nodes",)),
        replace(NODES, excludes=("count",)),
        GPUS_PER_NODE,
        Input(
            "basis",
            "What makes two chips equivalent: dense BF16 FLOP/s, dense FP8 "
            "FLOP/s, memory bandwidth, total processing performance (TPP), or all side by side.",
            "bf16",
            kind="choice",
            choices=("bf16", "fp8", "bandwidth", "tpp", "all"),
        ),
        Input(
            "capacity", "A fleet's compute capacity to convert.", "8 EFLOP/s", "FLOP/s", "EFLOP/s"
        ),
        PRECISION,
        Input("factor", "A stated speed-up over an H100 per GPU.", "2..3"),
        Input(
            "export-rule",
            "Rule preset whose ECCN 3A090 thresholds classify the chip (see `tcoctl presets "
            "list`).",
            "bis-3a090-2023",
            kind="choice",
            rule="eccn",
        ),
    ),
    results=(
        Result("h100e", "H100 SXM-equivalents."),
        Result("h100e_bf16", "H100e on dense BF16 FLOP/s."),
        Result("h100e_fp8", "H100e on dense FP8 FLOP/s."),
        Result("h100e_bandwidth", "H100e on memory bandwidth."),
        Result("ratio_bf16", "One chip in H100s, on dense BF16 FLOP/s."),
        Result("ratio_fp8", "One chip in H100s, on dense FP8 FLOP/s."),
        Result("ratio_bandwidth", "One chip in H100s, on memory bandwidth."),
        Result("h100e_tpp", "H100e on total processing performance."),
        Result("ratio_tpp", "One chip in H100s, on total processing performance."),
        Result(
            "tpp",
            "Total processing performance: dense TFLOP/s x bit length, the highest over "
            "precisions (ECCN 3A090).",
            quantity="gpu_tpp",
        ),
        Result(
            "performance_density",
            "TPP per mm² of logic die (ECCN 3A090); needs the preset's die_area.",
        ),
        Result(
            "eccn_3a090",
            "US export-control class under --export-rule: 3A090.a, 3A090.b or outside "
            "(2, 1 or 0 in batch CSV).",
            labels=("outside 3A090", "3A090.b", "3A090.a"),
        ),
        Result("fleet_tpp", "The fleet's total TPP: count x TPP."),
        Result("count", "GPUs."),
        Result("peak_compute", "The fleet's dense peak at --precision.", "FLOP/s", "EFLOP/s"),
    ),
)
