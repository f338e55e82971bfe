"""The ``memory`` calculator: training memory per GPU (tcoctl.core.memory)."""

from __future__ import annotations

from tcoctl.specs.base import GPU, Calculator, Input, Result


def _bytes_per_param(name: str, help: str, example: str, positive: bool = False) -> Input:
    return Input(name, help, example, "B", "B", bare=True, positive=positive)


def _degree(name: str, help: str, example: str) -> Input:
    return Input(name, help, example, whole=True, minimum=1.0, positive=False)


MEMORY = Calculator(
    name="memory",
    help="Training memory per GPU: weights, gradients and optimizer states under "
    "mixed-precision Adam and ZeRO stages 0-3 (Rajbhandari et al. 2020), split by tensor and "
    "pipeline parallelism; activations with and without recomputation and sequence "
    "parallelism (Korthikanti et al. 2022); whether it fits the GPU's HBM, and the largest "
    "micro-batch that does.",
    default_preset="memory-gpt3-175b",
    summary="training memory per GPU",
    unit_example="memory_per_gpu=GiB",
    preset_is_base=True,
    target="memory_per_gpu",
    headline=(
        "memory_per_gpu",
        "fits",
        "max_micro_batch",
        "model_state_memory",
        "activation_memory",
        "gpus",
    ),
    sweep_example="micro-batch=1..8:8|memory_headroom=0 GB",
    solve_example="memory|memory_headroom=0 GB",
    defaults={
        "weight-bytes": "2",
        "gradient-bytes": "2",
        "optimizer-bytes": "12",
        "zero-stage": "0",
        "data-parallel": "1",
        "tensor-parallel": "1",
        "pipeline-parallel": "1",
        "micro-batch": "1",
        "recompute": "none",
        "sequence-parallel": "off",
        "memory-overhead": "0",
    },
    inputs=(
        Input(
            "params",
            "Parameters of the model.",
            "7.5e9",
            keeps=("layers", "hidden", "heads", "tensor-parallel", "pipeline-parallel"),
        ),
        Input("layers", "Transformer layers.", "96", whole=True),
        Input("hidden", "Hidden size.", "12288", whole=True),
        Input("heads", "Attention heads.", "96", whole=True),
        Input("sequence", "Sequence length.", "2048", "token", "token", bare=True),
        Input("micro-batch", "Sequences per micro-batch on one GPU (default 1).", "1", whole=True),
        _bytes_per_param(  # above 0, as inference's --weight-bytes: a model has weights
            "weight-bytes", "Bytes per parameter of the 16-bit weights (default 2).", "2", True
        ),
        _bytes_per_param(
            "gradient-bytes", "Bytes per parameter of the gradients (default 2).", "2"
        ),
        _bytes_per_param(
            "optimizer-bytes",
            "Bytes per parameter of the optimizer states, K (default 12: mixed-precision Adam's "
            "fp32 weights, momentum and variance).",
            "12",
        ),
        Input(
            "zero-stage",
            "ZeRO-DP stage: 0 none, 1 optimizer states, 2 and gradients, 3 and weights "
            "partitioned over the data-parallel GPUs (default 0).",
            "3",
            minimum=0.0,
            maximum=3.0,
            positive=False,
            whole=True,
        ),
        _degree("data-parallel", "Data-parallel degree Nd (default 1).", "64"),
        _degree("tensor-parallel", "Tensor-parallel size t (default 1).", "8"),
        _degree("pipeline-parallel", "Pipeline-parallel size p (default 1).", "8"),
        Input(
            "recompute",
            "Activation recomputation: none, selective (the attention scores) or full (each "
            "layer's input kept).",
            "selective",
            kind="choice",
            choices=("none", "selective", "full"),
        ),
        Input(
            "sequence-parallel",
            "Sequence parallelism with tensor parallelism: layer norms and dropouts split "
            "along the sequence.",
            "on",
            kind="choice",
            choices=("off", "on"),
        ),
        GPU,
        Input("memory", "HBM per GPU, instead of the --gpu's.", "80 GB", "B", "GB"),
        Input(
            "memory-overhead",
            "Fraction of HBM kept for buffers, fragmentation and the runtime (default 0).",
            "10 %",
            positive=False,
            maximum=1.0,
        ),
    ),
    results=(
        Result(
            "memory_per_gpu",
            "Model states + activations on the busiest GPU (the first pipeline stage).",
            "B",
            "GB",
        ),
        Result(
            "fits",
            "Whether memory_per_gpu fits the usable HBM (0 or 1 in batch CSV).",
            labels=("no", "yes"),
        ),
        Result(
            "max_micro_batch",
            "The largest micro-batch whose activations fit beside the model states.",
        ),
        Result("model_state_memory", "Weights + gradients + optimizer states.", "B", "GB"),
        Result(
            "activation_memory",
            "Activations of L layers (1F1B: the first stage holds p micro-batches of L/p layers).",
            "B",
            "GB",
        ),
        Result("gpus", "data-parallel x tensor-parallel x pipeline-parallel.", echo=True),
        Result("weight_memory", "16-bit weights on one GPU.", "B", "GB"),
        Result("gradient_memory", "Gradients on one GPU.", "B", "GB"),
        Result("optimizer_memory", "Optimizer states on one GPU.", "B", "GB"),
        Result("activation_per_layer", "Activations of one layer and micro-batch.", "B", "GB"),
        Result("params_per_gpu", "Parameters on one GPU: params / (t x p)."),
        Result("memory_available", "HBM x (1 - memory overhead).", "B", "GB"),
        Result(
            "memory_headroom",
            "memory_available - memory_per_gpu (negative: no fit).",
            "B",
            "GB",
        ),
    ),
)
