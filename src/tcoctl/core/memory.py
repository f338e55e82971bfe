"""Core: training memory per GPU, as relations.

Units: counts [-], bytes [B] (``weight_bytes``, ``gradient_bytes`` and ``optimizer_bytes`` are
bytes per parameter; ``activation_factor`` is bytes per element of a sequence x hidden
tensor), tokens [token] for the sequence length.

Model states. Mixed-precision Adam holds a 16-bit copy of the weights and of the gradients
(2 + 2 bytes a parameter) and an fp32 copy of the weights, momentum and variance (K = 12
bytes). Tensor (t) and pipeline (p) parallelism split the parameters evenly over t x p GPUs;
ZeRO-DP then partitions, over the Nd data-parallel replicas, the optimizer states (stage 1),
the gradients too (stage 2) and the weights too (stage 3):

- stage 0: (2 + 2 + K) psi; stage 1: (2 + 2) psi + K psi / Nd; stage 2: 2 psi + (2 + K) psi
  / Nd; stage 3: (2 + 2 + K) psi / Nd, with psi the parameters on the GPU (params / (t p)).

Activations, per transformer layer and micro-batch of b sequences of s tokens, hidden size
h, a attention heads, in bytes at 16 bits (dropout masks 1 byte):

- no recomputation, tensor parallel: s b h (10 + 24/t + 5 a s / (h t)); with sequence
  parallelism: s b h / t (34 + 5 a s / h); t = 1 gives s b h (34 + 5 a s / h);
- selective recomputation (the attention scores recomputed): s b h (10 + 24/t), or 34 s b h
  / t with sequence parallelism;
- full recomputation (each layer's input kept): 2 s b h.

Under the 1F1B pipeline schedule the first stage holds p micro-batches of L/p layers: L
layers' worth whatever p, so the activations on the busiest GPU are L times the per-layer
figure. Embeddings, the output layer and logits, temporary buffers and fragmentation are
left out (Korthikanti et al.: under 0.01 % for a 22B model; the rest is what
``memory_overhead`` reserves).

References
----------
- Rajbhandari, Rasley, Ruwase and He, "ZeRO: Memory Optimizations Toward Training Trillion
  Parameter Models" (SC '20), arXiv:1910.02054, sections 3.1 and 5.1-5.3, Figure 1 and
  Table 1: "Mixed-precision Adam has K = 12. In total, this results in 2Ψ + 2Ψ + KΨ = 16Ψ
  bytes of memory requirement."
- Korthikanti et al., "Reducing Activation Recomputation in Large Transformer Models"
  (MLSys '23), arXiv:2205.05198, equations 1-6 and Table 2 ("Activations memory, in bytes,
  per transformer layer for different techniques"), section 4.2.3 (the first pipeline stage
  holds L layers of activations).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from tcoctl.core.inference import (
    FITS,
    MEMORY_FROM_GPU,
    USABLE_FRACTION,
    heads_split_whole,
    largest_batch,
    next_head_divisor,
    not_fitting,
)
from tcoctl.core.relations import Finding, Model, formula, product, references, total

ZERO_STAGES = {"optimizer_memory": 1, "gradient_memory": 2, "weight_memory": 3}
"""The ZeRO-DP stage from which each model state is partitioned over the data-parallel
replicas (Rajbhandari et al., section 5: P_os, P_os+g, P_os+g+p)."""


def _partitioned(stage: int) -> Any:
    """A model state [B] on one GPU: the replica's [B], divided by the data-parallel degree
    [-] where the ZeRO stage [-] reaches ``stage``."""

    def forward(replica: Any, zero_stage: Any, data_parallel: Any) -> Any:
        shards = np.where(np.greater_equal(zero_stage, stage), data_parallel, 1.0)
        return np.divide(replica, shards)

    return forward


def activation_factor(
    attention_ratio: Any, tensor_parallel: Any, *, recompute: str, sequence_parallel: str
) -> Any:
    """Activation bytes per layer per element of s x b x h [B] (Korthikanti et al., Table 2),
    from 5as/h [-] and the tensor-parallel size t [-]."""
    shards = np.asarray(tensor_parallel, dtype=float)
    split = sequence_parallel == "on"
    if recompute == "full":
        return np.multiply(2.0, np.ones_like(np.add(attention_ratio, shards)))
    kept = 0.0 if recompute == "selective" else np.asarray(attention_ratio, dtype=float)
    if split:
        return np.divide(np.add(34.0, kept), shards)
    return np.add(np.add(10.0, np.divide(24.0, shards)), np.divide(kept, shards))


def _state(name: str, replica: str) -> Any:
    return formula(
        name,
        [replica, "zero_stage", "data_parallel"],
        _partitioned(ZERO_STAGES[name]),
        f"{name} = {replica} / data_parallel at ZeRO stage {ZERO_STAGES[name]} or more, "
        f"else {replica}",
    )


RELATIONS = (
    # model states: a model-parallel shard, then ZeRO over the data-parallel replicas
    product("model_parallel", "tensor_parallel", "pipeline_parallel"),
    product("params", "params_per_gpu", "model_parallel"),
    product("weights_per_replica", "params_per_gpu", "weight_bytes"),
    product("gradients_per_replica", "params_per_gpu", "gradient_bytes"),
    product("optimizer_per_replica", "params_per_gpu", "optimizer_bytes"),
    _state("weight_memory", "weights_per_replica"),
    _state("gradient_memory", "gradients_per_replica"),
    _state("optimizer_memory", "optimizer_per_replica"),
    total("model_state_memory", "weight_memory", "gradient_memory", "optimizer_memory"),
    # activations of the first pipeline stage: L layers' worth
    formula(
        "attention_ratio",
        ["heads", "sequence", "hidden"],
        lambda a, s, h: np.divide(np.multiply(np.multiply(5.0, a), s), h),
        "attention_ratio = 5 x heads x sequence / hidden",
    ),
    formula(
        "activation_factor",
        ["attention_ratio", "tensor_parallel"],
        activation_factor,
        "activation_factor = 34 + attention_ratio (t = 1), 10 + 24/t + attention_ratio/t "
        "(tensor parallel), (34 + attention_ratio)/t (sequence parallel); selective "
        "recomputation drops attention_ratio; full recomputation: 2",
        choices=("recompute", "sequence_parallel"),
    ),
    product("activation_per_sequence", "layers", "sequence", "hidden", "activation_factor"),
    product("activation_memory", "micro_batch", "activation_per_sequence"),
    product("activation_memory", "activation_per_layer", "layers"),
    # the GPU
    total("memory_per_gpu", "model_state_memory", "activation_memory"),
    USABLE_FRACTION,
    product("memory_available", "memory", "usable_fraction"),
    total("memory_available", "memory_per_gpu", "memory_headroom"),
    FITS,
    formula(
        "max_micro_batch",
        ["memory_available", "model_state_memory", "activation_per_sequence"],
        largest_batch,
        "max_micro_batch = floor((memory_available - model_state_memory) / "
        "activation_per_sequence)",
    ),
    product("gpus", "data_parallel", "model_parallel"),
    MEMORY_FROM_GPU,  # the --gpu's HBM
)


def checks(values: Mapping[str, Any], rows: int, assumed: frozenset[str]) -> list[Finding]:
    """No answer where tensor parallelism splits an attention head; a warning on rows where
    the model states and activations do not fit."""
    whole_heads = "each GPU holds whole attention heads"
    named = ("tensor_parallel",)
    return heads_split_whole(values, rows, "tensor_parallel", whole_heads, named) + not_fitting(
        values,
        rows,
        "the model states and activations do not fit in memory (fits: no): add "
        "data-parallel GPUs with a ZeRO stage, tensor or pipeline parallelism, "
        "recomputation, or a smaller micro-batch",
    )


MODEL = Model(
    RELATIONS,
    checks=checks,
    allowed_counts={"tensor_parallel": next_head_divisor},
    references=references(__doc__),
    units=dict.fromkeys(
        (
            "activation_factor",  # bytes per token per hidden unit per layer (34 + 5as/h)
            "activation_per_sequence",
            "gradients_per_replica",
            "optimizer_per_replica",
            "weights_per_replica",
        ),
        "B",
    ),
)
