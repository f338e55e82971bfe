"""Core: serving a transformer, an analytic roofline model as relations.

Units: counts [-], bytes [B] (``weight_bytes`` and ``kv_bytes`` are bytes per value), time
[s], FLOP/s, B/s, W, J, USD (prices per second and per token), tokens [token], emissions
[gCO2e]. Per-GPU figures (``memory``, ``bandwidth``, ``peak``, ``power``) times
``gpus_per_replica`` (tensor parallel) give a replica's. Not given, ``gpus_per_replica`` is
the fewest GPUs, a power of two, whose usable HBM holds the weights and the batch's KV cache
(or 1 when the memory is unknown).

One decode step produces one token for each of ``batch`` sequences. It must read the active
weights and every sequence's KV cache once (memory-bound time), and do 2 FLOP per active
parameter per sequence (compute-bound time). The roofline (Williams, Waterman and Patterson
2009, "Roofline: an insightful visual performance model", CACM 52(4)) takes the longer of
the two, which assumes the memory traffic and the computation overlap fully; a step's
operators run one after another, each with its own balance of bytes and FLOP, so of the
shorter time only ``overlap`` is hidden behind the longer (the ECM model's split into
overlapping and non-overlapping time, Stengel et al. 2015, ICS '15, whose roofline limit is
full overlap): ``max(memory_time, compute_time) + (1 - overlap) x min(memory_time,
compute_time)``, the roofline's at ``overlap`` 1 (the default when not given; the fitted
defaults set it), the sum at 0. A prefill combines its FLOP time and its weights' read alike.

- memory_time = (active_params x weight_bytes + batch x kv_bytes_per_token x mean_context)
  / (bandwidth x bandwidth_efficiency x gpus_per_replica)
- compute_time = batch x (2 x active_params + attention_flop_per_token x peak /
  attention_peak) / (peak x compute_efficiency x gpus_per_replica), ``attention_peak`` the
  GPU's peak at ``attention_precision`` (DeepSeek's inference-system post: "matrix
  multiplications and dispatch transmissions adopt the FP8 format aligned with training,
  while core MLA computations and combine transmissions use the BF16 format"; with a given
  ``peak``, that peak times the GPU's ratio of the two), else ``peak``

Each forward pass (a decode step, a prefill) also takes a fixed time that neither bandwidth
nor FLOP/s shortens: ``pass_overhead = layers x layer_overhead``, the kernels launched per
layer and the runtime's scheduling between steps (0 unless given; the fitted defaults set
it). Vidur (Agrawal et al. 2024) models a step as its operators' times plus CPU overhead;
vLLM's profiling found the GPU busy 38 % of a Llama 3 8B H100 run, the rest scheduling and
the API server (vLLM blog, 2024-09-05).

A replica of several GPUs also loses time to tensor-parallel communication (an all-reduce per
layer, Shoeybi et al. 2019, Megatron-LM): each doubling of the tensor-parallel degree keeps
``parallel_efficiency`` of the per-GPU rate, a factor parallel_efficiency ^ log2(tensor_parallel)
on the achieved bandwidth and compute (1 unless given; the fitted defaults set it), with
``tensor_parallel = gpus_per_replica / expert_parallel`` (all of them without expert
parallelism).

Expert parallelism (``expert_parallel`` = N; DeepSeek-V3 report, arXiv:2412.19437, section
3.4, and DeepSeek's inference-system post, "Decoding Phase [Routed Expert EP144, MLA/Shared
Expert DP144]"): the routed experts are spread over N GPUs, and attention, the shared expert
and the dense layers run data-parallel, a copy on each GPU, each with its own sequences. No
per-layer all-reduce: the tokens are dispatched to their experts' GPUs and combined back,
which DeepSeek overlaps with computation (dual micro-batches), so no parallel factor is
counted for EP. A replica is then N GPUs (``gpus_per_replica`` = N unless given; given, the
rest is tensor parallelism) and a decode step on one GPU reads its copy of the non-routed
weights (``shared_params = active_params - experts_per_token x expert_params``) and the
routed experts it holds that the batch touches (all the replica's tokens are routed over
all its experts): per replica, the step reads N x shared_params + experts_touched x
expert_params, and holds N x shared_params + (params - shared_params), i.e.
``replicated_params = (N - 1) x shared_params`` more than one copy. Per GPU that is
shared_params + (the experts touched) / N, the figure the post's "each GPU processing only a
small subset of experts (reducing memory access demands)" describes; its 32 redundant experts
(2 per GPU, not 256 / 144) are left out.

Attention's own FLOP (Kaplan et al. 2020, arXiv:2001.08361, Table 1: 2 n_layer n_ctx d_attn
per token forward, the score and the value product): per output token, per layer and per
cached token a query head does ``attention_dim`` multiply-adds, 2 FLOP each:
``attention_flop_per_token = 2 x layers x heads x attention_dim x mean_context``, with
``attention_dim = 2 x head_dim`` for multi-head and grouped-query attention (heads counts the
query heads: GQA shares a KV head, not the work) and ``kv_dim + latent_dim`` for multi-head
latent attention in its absorbed form (DeepSeek-V2, arXiv:2405.04434, section 2.1.3: W^UK is
absorbed into the query and W^UV into the output, so each of the 128 query heads scores the
cached 576-wide latent and rope key and sums the 512-wide latent: 128 x 1,088 multiply-adds
per cached token per layer). Without ``heads`` they are left out (0).

Memory: the weights and the KV cache the batch holds must fit in the replica's usable HBM
(``1 - memory_overhead`` of it). Servers page the KV cache (vLLM's PagedAttention, and
TensorRT-LLM's paged KV cache likewise): a sequence holds blocks for the tokens it has, not
its full length reserved in advance, so under continuous batching a sequence holds on
average its mean context, and the batch ``batch x kv_bytes_per_token x mean_context``,
the same bytes a decode step reads.

Served throughput counts the prefill of the batch's prompts (2 x active_params x batch x
prompt FLOP at the achieved compute) beside the output x decode steps, as throughput
benchmarks do; without a prompt length it is decode alone (batch / step_time).

with ``kv_bytes_per_token = layers x kv_dim x kv_bytes``, ``kv_dim = 2 x kv_heads x head_dim``
for multi-head and grouped-query attention (a key and a value per KV head), or the latent
width for multi-head latent attention (DeepSeek-V3: 512 + 64 = 576, no factor 2), and the
mean context of a decode step ``prompt + output / 2``. A mixture of experts computes with the
active parameters per token, but a decode step reads every expert its batch touches: of
``experts`` routed experts per layer, ``experts_per_token`` per token, a batch of B tokens
routed uniformly touches experts x (1 - (1 - experts_per_token / experts) ^ B) per layer
(Huang et al. 2025, MoESD, Eq. 8). One expert's parameters over all layers are (params -
active_params) / (experts - experts_per_token), and the step reads active_params plus the
touched experts beyond the token's own. Without ``experts``, only the active parameters.
Prefill of one prompt is bound below by 2 x active_params x prompt FLOP at
the achieved compute, and by one read of the weights it uses, every expert its prompt's
tokens touch (the same formula with B the prompt's tokens, or the batch's for the batch's
prefill: a 128-token prompt of Mixtral, 8 experts, 2 a token, reads all 8): a lower bound on
time to first token.

References
----------
- kipply, "Transformer Inference Arithmetic" (2022),
  https://kipp.ly/transformer-inference-arithmetic/: 2 x params FLOP per token, the KV cache
  2 x layers x model dim values per token, and the latency floor 2 x params bytes / memory
  bandwidth of 16-bit weights at small batch.
- Austin et al., "How to Scale Your Model", chapter "All About Transformer Inference" (2025),
  https://jax-ml.github.io/scaling-book/inference/: the "Theoretical Min Step Time" of a
  decode step, (batch x KV cache size + parameter size) / memory bandwidth, and FLOP / peak
  where the batch is large; its "Theoretical Step Time (General)" adds the KV read to the
  larger of the weights' read and FLOP time, where tcoctl takes the larger of the sums
  (each phase its own roofline gave no better fit: docs/validation.md).
- Databricks (MosaicML), "LLM Inference Performance Engineering: Best Practices" (2023),
  https://www.databricks.com/blog/llm-inference-performance-engineering-best-practices:
  time per output token, time to first token, and model bandwidth utilisation (achieved
  bytes per second / peak), which ``bandwidth_efficiency`` is.
- Huang et al., "MoESD: Unveil Speculative Decoding's Potential for Accelerating Sparse
  MoE" (arXiv:2505.19645), Eq. 8: "N(t) = E (1 - ((E - K)/E)^t)" activated experts for t
  tokens, E experts, K per token; "Our derivation assumes uniformly activated experts".
- Kwon et al., "Efficient Memory Management for Large Language Model Serving with
  PagedAttention" (SOSP 2023, arXiv:2309.06180), abstract: the KV cache "for each request is
  huge and grows and shrinks dynamically"; vLLM "achieves (1) near-zero waste in KV cache
  memory".
- vLLM Team, "vLLM v0.6.0: 2.7x Throughput Improvement and 5x Latency Reduction" (2024-09-05),
  https://blog.vllm.ai/2024/09/05/perf-update.html: "for Llama 3 8B running on 1 H100 GPU:
  ... 29% of the total execution time is spent on scheduling, including gathering the LLM
  results from the last step, scheduling the requests to run for the next step, and
  preparing these requests as inputs for the LLMs. Finally, only 38% of the time was spent
  on the actual GPU execution for LLMs."
- Agrawal et al., "Vidur: A Large-Scale Simulation Framework for LLM Inference" (MLSys
  2024, arXiv:2405.05465), https://github.com/microsoft/vidur: a step's time from its
  operators (token-level, attention, communication) profiled per layer, plus CPU overhead.
- Shoeybi et al., "Megatron-LM: Training Multi-Billion Parameter Language Models Using
  Model Parallelism" (arXiv:1909.08053): tensor parallelism splits each layer's matrices
  across GPUs with all-reduces of the activations in every layer.
- Power per GPU when only a GPU's TDP is known: the measured average draw, a fraction of
  the rated all-in TDP x 1.82 (DGX H100: 10.2 kW for eight 700 W GPUs): Newkirk et al.
  (2025), https://arxiv.org/abs/2506.14551: "even computationally intensive workloads
  operate at only 76% of the 10.2 kW TDP rating" (tcoctl.core.tco.DRAWN_POWER_FROM_TDP).
- DeepSeek-AI, "DeepSeek-V2" (arXiv:2405.04434), Table 1: the KV cache per token of MHA
  (2 n_h d_h l), GQA (2 n_g d_h l) and MLA ((d_c + d_h^R) l) elements; section 2.1.3: "we can
  absorb W^UK into W^UQ, and W^UV into W^O", so attention runs on the cached latent.
- DeepSeek-AI, "DeepSeek-V3 Technical Report" (arXiv:2412.19437), section 3.4.2 (decoding):
  "the attention part employs TP4 with SP, combined with DP80, while the MoE part uses EP320";
  DeepSeek, "Day 6: One More Thing, DeepSeek-V3/R1 Inference System Overview" (2025-03-01),
  https://github.com/deepseek-ai/open-infra-index/blob/main/202502OpenSourceWeek/day_6_one_more_thing_deepseekV3R1_inference_system_overview.md:
  "Decoding Phase [Routed Expert EP144, MLA/Shared Expert DP144]: Each deployment unit spans
  18 nodes with 32 redundant routed experts, where each GPU manages 2 routed experts and 1
  shared expert"; "EP distributes experts across GPUs, with each GPU processing only a small
  subset of experts (reducing memory access demands)".
- Kaplan et al., "Scaling Laws for Neural Language Models" (arXiv:2001.08361), Table 1: the
  forward pass's attention FLOP per token, 2 n_layer n_ctx d_attn, beside 2N.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import numpy as np

from tcoctl.core.relations import (
    Finding,
    Model,
    Relation,
    by_row,
    formula,
    product,
    references,
    total,
)
from tcoctl.core.tco import DRAWN_POWER_FROM_TDP, EMBODIED_RATE, gpus_of_nodes


def _same(value: Any) -> Any:
    return value


def _flag(condition: Any, value: Any) -> Any:
    """1.0 where ``condition``, else 0.0; NaN where ``value`` is NaN."""
    return np.where(np.isnan(value), np.nan, np.where(condition, 1.0, 0.0))


def largest_batch(available: Any, fixed: Any, per_sequence: Any) -> Any:
    """Whole sequences [-] whose memory fits beside what is fixed (weights): floor((available
    [B] - fixed [B]) / per_sequence [B]), 0 if what is fixed does not fit."""
    room = np.subtract(available, fixed)
    return np.floor(np.maximum(np.divide(room, per_sequence), 0.0))


def _fewest_gpus(needed: Any, usable_per_gpu: Any) -> Any:
    """GPUs per replica [-] by tcoctl's stated rule: the fewest, a power of two (tensor
    parallelism splits the heads evenly), whose usable HBM [B] holds what the replica must
    (the weights and the batch's KV cache [B])."""
    ratio = np.maximum(np.divide(needed, usable_per_gpu), 1.0)
    return 2.0 ** np.ceil(np.log2(ratio) * (1 - 1e-12))  # an exact 2.0 stays 2


USABLE_FRACTION = formula(
    "usable_fraction",
    ["memory_overhead"],
    lambda overhead: np.subtract(1.0, overhead),
    "usable_fraction = 1 - memory_overhead",
    inverses={"memory_overhead": lambda usable: np.subtract(1.0, usable)},
)
FITS = formula(
    "fits",
    ["memory_headroom"],
    lambda headroom: _flag(np.greater_equal(headroom, 0.0), headroom),
    "fits = 1 if memory_headroom >= 0",
)
MEMORY_FROM_GPU = formula("memory", ["gpu_memory"], _same, "memory = the GPU's HBM", fallback=True)
"""What fits in HBM, shared by the calculators that ask (inference, memory)."""


def _mix(ratio: Any, input_value: Any, output_value: Any) -> Any:
    """The mean over a mix of ``ratio`` input tokens per output token: (r x input + output) /
    (r + 1), for prices or costs per token [USD/token]."""
    return np.divide(np.add(np.multiply(ratio, input_value), output_value), np.add(ratio, 1.0))


def experts_touched(experts: Any, per_token: Any, batch: Any) -> Any:
    """Experts per layer [-] a decode step of ``batch`` tokens reads, routed uniformly:
    E x (1 - (1 - K / E) ^ B) (Huang et al. 2025, MoESD, arXiv:2505.19645, Eq. 8), computed
    as -E x expm1(B x log1p(-K / E)) so a small K / E does not round it past K x B, and
    held to at most K x B, which the last bit of rounding can pass (E = 9, K = 1.0898, B = 1
    gave K x (1 + 2e-16))."""
    share = np.clip(np.divide(per_token, experts), 0.0, 1.0)
    with np.errstate(divide="ignore"):  # log1p(-1) = -inf: every expert is touched
        log_untouched = np.log1p(-share)
    touched = np.negative(np.multiply(experts, np.expm1(np.multiply(batch, log_untouched))))
    return np.minimum(touched, np.multiply(per_token, batch))


def _params_read(shared: Any, replicated: Any, expert: Any, touched: Any) -> Any:
    """Parameters a forward pass reads [-]: the non-routed ones, their copies under expert
    parallelism, and each routed expert its tokens touch (experts_touched)."""
    return np.add(np.add(shared, replicated), np.multiply(touched, expert))


def _weights_read(tokens: str, touched: str, pass_: str) -> tuple[Relation, ...]:
    """What a forward pass over ``tokens`` reads (``pass_``: decode, prefill, batch_prefill):
    the routed experts per layer they touch (``touched``: experts_touched, MoESD's Eq. 8 with
    B the pass's tokens), ``{pass_}_params`` [-] and ``{pass_}_weight_memory`` [B]."""
    params = f"{pass_}_params"
    return (
        formula(
            touched,
            ["experts", "experts_per_token", tokens],
            experts_touched,
            f"{touched} = experts x (1 - (1 - experts_per_token / experts) ^ {tokens})",
        ),
        formula(
            params,
            ["shared_params", "replicated_params", "expert_params", touched],
            _params_read,
            f"{params} = shared_params + replicated_params + {touched} x expert_params",
        ),
        product(f"{pass_}_weight_memory", params, "weight_bytes"),
    )


def _dense_read(pass_: str) -> Relation:
    """The fallback of ``{pass_}_params`` for a dense model (or no --experts given): the
    active parameters, and their copies under expert parallelism."""
    return formula(
        f"{pass_}_params",
        ["active_params", "replicated_params"],
        np.add,
        f"{pass_}_params = active_params + replicated_params (dense, or no --experts given)",
        fallback=True,
    )


def _overlapped(first: Any, second: Any, overlap: Any) -> Any:
    """Two times [s] of one pass that overlap by ``overlap`` [-] of the shorter: max(first,
    second) + (1 - overlap) x min(first, second) (the module's docstring: the roofline's max
    at 1, the sum at 0)."""
    shorter = np.multiply(np.subtract(1.0, overlap), np.minimum(first, second))
    return np.add(np.maximum(first, second), shorter)


def _prefill(
    flop: Any, compute: Any, weights: Any, bandwidth: Any, overlap: Any, overhead: Any
) -> Any:
    """Prefill time [s]: the prompt's FLOP [FLOP] at the achieved compute [FLOP/s] and one
    read of the weights it uses [B] at the achieved bandwidth [B/s] (kipply, "Transformer
    Inference Arithmetic": the longer of the two), overlapping by ``overlap`` [-], plus the
    forward pass's fixed overhead [s]."""
    reading = np.divide(weights, bandwidth)
    return np.add(_overlapped(np.divide(flop, compute), reading, overlap), overhead)


def _step(memory_time: Any, compute_time: Any, overlap: Any, overhead: Any) -> Any:
    """Decode step time [s]: memory_time and compute_time [s] overlapping by ``overlap`` [-],
    plus the forward pass's fixed overhead [s], which neither bandwidth nor FLOP/s shortens."""
    return np.add(_overlapped(memory_time, compute_time, overlap), overhead)


def _served_step(prefill: Any, output: Any, step: Any) -> Any:
    """Time per decode step with the prefill of the batch's prompts [s] spread over the
    ``output`` tokens [token] each sequence decodes: step [s] + prefill / output. Throughput
    benchmarks (TensorRT-LLM's, MLPerf's) count output tokens over the whole run, prefill
    included."""
    return np.add(step, np.divide(prefill, output))


RELATIONS = (
    # the model: weights and KV cache
    total("held_params", "params", "replicated_params"),
    product("weight_memory", "held_params", "weight_bytes"),
    product("active_weight_memory", "active_params", "weight_bytes"),
    product("kv_dim", "kv_heads", "head_dim", constant=2.0),
    product("kv_bytes_per_token", "layers", "kv_dim", "kv_bytes"),
    total("context_tokens", "prompt_tokens", "output_tokens"),
    formula(
        "mean_context",
        ["prompt_tokens", "output_tokens"],
        lambda prompt, out: np.add(prompt, np.multiply(out, 0.5)),
        "mean_context = prompt_tokens + output_tokens / 2",
    ),
    product("kv_cache_per_sequence", "kv_bytes_per_token", "context_tokens"),
    # the replica: memory (paged KV cache: a sequence holds the tokens it has, on average
    # over its life the mean context, not its full length reserved; Kwon et al. 2023)
    USABLE_FRACTION,
    product("memory_available", "memory", "gpus_per_replica", "usable_fraction"),
    product("kv_cache_held_per_sequence", "kv_bytes_per_token", "mean_context"),
    product("kv_cache_batch", "batch", "kv_cache_held_per_sequence"),
    total("memory_needed", "weight_memory", "kv_cache_batch"),
    total("memory_available", "memory_needed", "memory_headroom"),
    FITS,
    formula(
        "max_batch",
        ["memory_available", "weight_memory", "kv_cache_held_per_sequence"],
        largest_batch,
        "max_batch = floor((memory_available - weight_memory) / kv_cache_held_per_sequence)",
    ),
    # a decode step: the weights it uses (every expert the batch touches) and the KV cache
    # the batch holds are read once
    formula(
        "expert_params",
        ["params", "active_params", "experts", "experts_per_token"],
        lambda total, active, experts, per_token: np.divide(
            np.subtract(total, active), np.maximum(np.subtract(experts, per_token), 1.0)
        ),
        "expert_params = (params - active_params) / (experts - experts_per_token)",
    ),
    formula(
        "shared_params",
        ["active_params", "expert_params", "experts_per_token"],
        lambda active, expert, per_token: np.subtract(active, np.multiply(per_token, expert)),
        "shared_params = active_params - experts_per_token x expert_params",
    ),
    formula(
        "replicated_params",
        ["expert_parallel", "shared_params"],
        lambda parallel, shared: np.multiply(np.subtract(parallel, 1.0), shared),
        "replicated_params = (expert_parallel - 1) x shared_params (a copy per GPU)",
    ),
    *_weights_read("batch", "experts_touched", "decode"),
    # a prefill reads the experts its prompt's tokens touch, as a decode step its batch's
    product("batch_prompt_tokens", "prompt_tokens", "batch"),
    *_weights_read("prompt_tokens", "prefill_experts_touched", "prefill"),
    *_weights_read("batch_prompt_tokens", "batch_prefill_experts_touched", "batch_prefill"),
    total("bytes_per_step", "decode_weight_memory", "kv_cache_batch"),
    formula(
        "tensor_parallel",
        ["gpus_per_replica", "expert_parallel"],
        np.divide,
        "tensor_parallel = gpus_per_replica / expert_parallel",
    ),
    formula(
        "parallel_factor",
        ["parallel_efficiency", "tensor_parallel"],
        lambda kept, tensor: np.power(kept, np.log2(tensor)),
        "parallel_factor = parallel_efficiency ^ log2(tensor_parallel)",
    ),
    product(
        "achieved_bandwidth",
        "bandwidth",
        "bandwidth_efficiency",
        "gpus_per_replica",
        "parallel_factor",
    ),
    product("bytes_per_step", "memory_time", "achieved_bandwidth"),
    formula(
        "attention_dim",
        ["head_dim"],
        lambda head: np.multiply(2.0, head),
        "attention_dim = 2 x head_dim (MHA, GQA: a key and a value per query head)",
    ),
    formula(
        "attention_dim",
        ["kv_dim", "latent_dim"],
        np.add,
        "attention_dim = kv_dim + latent_dim (MLA, absorbed: score the cached latent and rope "
        "key, sum the values in the latent)",
    ),
    product(
        "attention_flop_per_token", "layers", "heads", "attention_dim", "mean_context", constant=2.0
    ),
    product("weight_flop_per_token", "active_params", constant=2.0),
    total("flop_per_token", "weight_flop_per_token", "attention_flop_per_token"),
    product("flop_per_step", "flop_per_token", "batch"),
    # attention at a precision of its own (DeepSeek's MLA in BF16 beside FP8 matmuls) counts
    # as the FLOP at the weights' precision that take the same time
    formula(
        "compute_flop_per_token",
        ["weight_flop_per_token", "attention_flop_per_token", "peak", "attention_peak"],
        lambda weights, attention, peak, own: np.add(
            weights, np.multiply(attention, np.divide(peak, own))
        ),
        "compute_flop_per_token = weight_flop_per_token + attention_flop_per_token x peak / "
        "attention_peak",
    ),
    product("compute_flop_per_step", "compute_flop_per_token", "batch"),
    product(
        "achieved_compute", "peak", "compute_efficiency", "gpus_per_replica", "parallel_factor"
    ),
    product("compute_flop_per_step", "compute_time", "achieved_compute"),
    # a forward pass's fixed time: kernel launches and the runtime's scheduling, per layer
    product("pass_overhead", "layers", "layer_overhead"),
    formula(
        "step_time",
        ["memory_time", "compute_time", "overlap", "pass_overhead"],
        _step,
        "step_time = max(memory_time, compute_time) + (1 - overlap) x min(memory_time, "
        "compute_time) + pass_overhead",
    ),
    product("compute_time", "bound_ratio", "memory_time", note="bound_ratio = compute / memory"),
    formula(
        "bound",
        ["bound_ratio"],
        lambda ratio: _flag(np.greater(ratio, 1.0), ratio),
        "bound = compute if compute_time > memory_time, else memory",
    ),
    product(
        "batch",
        "replica_throughput",
        "served_step_time",
        note="replica_throughput = batch / served_step_time",
    ),
    product("replica_throughput", "gpu_throughput", "gpus_per_replica"),
    # the roofline: the same step at the full bandwidth and peak (efficiencies 1), a bound
    product("peak_bandwidth", "bandwidth", "gpus_per_replica"),
    product("bytes_per_step", "memory_time_bound", "peak_bandwidth"),
    product("peak_compute", "peak", "gpus_per_replica"),
    product("compute_flop_per_step", "compute_time_bound", "peak_compute"),
    formula(
        "step_time_bound",
        ["memory_time_bound", "compute_time_bound"],
        np.maximum,
        "step_time_bound = max(memory_time_bound, compute_time_bound)",
    ),
    # prefill of one prompt, and of the batch's prompts
    product("prefill_flop", "active_params", "prompt_tokens", constant=2.0),
    formula(
        "prefill_time",
        [
            "prefill_flop",
            "achieved_compute",
            "prefill_weight_memory",
            "achieved_bandwidth",
            "overlap",
            "pass_overhead",
        ],
        _prefill,
        "prefill_time = the longer of prefill_flop / achieved_compute and "
        "prefill_weight_memory / achieved_bandwidth, plus (1 - overlap) x the shorter, "
        "+ pass_overhead",
    ),
    product("batch_prefill_flop", "prefill_flop", "batch"),
    formula(
        "batch_prefill_time",
        [
            "batch_prefill_flop",
            "achieved_compute",
            "batch_prefill_weight_memory",
            "achieved_bandwidth",
            "overlap",
            "pass_overhead",
        ],
        _prefill,
        "batch_prefill_time = the longer of batch x prefill_flop / achieved_compute and "
        "batch_prefill_weight_memory / achieved_bandwidth, plus (1 - overlap) x the shorter, "
        "+ pass_overhead",
    ),
    # served throughput: each sequence's prompt is prefilled, then its output decoded
    formula(
        "served_step_time",
        ["batch_prefill_time", "output_tokens", "step_time"],
        _served_step,
        "served_step_time = step_time + batch_prefill_time / output_tokens",
    ),
    # money, energy, emissions per token
    product("cost_per_gpu_time", "gpu_cost_per_token", "gpu_throughput"),
    product("power_draw", "power", "pue"),
    product("power_draw", "energy_per_token", "gpu_throughput"),
    product("energy_cost_per_token", "energy_per_token", "electricity"),
    total("cost_per_token", "gpu_cost_per_token", "energy_cost_per_token"),
    product("reference_price", "price_to_cost", "cost_per_token"),
    product("emissions_per_token", "energy_per_token", "carbon_intensity"),
    EMBODIED_RATE,
    product("embodied_rate", "embodied_per_token", "gpu_throughput"),
    # arithmetic intensity: the GPU's ridge point and the decode step's FLOP per byte
    formula("ridge_point", ["peak", "bandwidth"], np.divide, "ridge_point = peak / bandwidth"),
    product("flop_per_step", "arithmetic_intensity", "bytes_per_step"),
    formula(
        "kv_token_capacity",
        ["memory_available", "weight_memory", "kv_bytes_per_token"],
        largest_batch,
        "kv_token_capacity = floor((memory_available - weight_memory) / kv_bytes_per_token)",
    ),
    # token economics: input tokens, a price mix, margin, and a fleet's day
    product("gpu_cost_rate", "cost_per_token", "gpu_throughput"),
    product("gpu_cost_rate", "input_cost_per_token", "input_gpu_throughput"),
    formula(
        "input_price_paid",
        ["cache_hit", "cached_input_price", "input_price"],
        lambda hit, cached, fresh: np.add(
            np.multiply(hit, cached), np.multiply(np.subtract(1.0, hit), fresh)
        ),
        "input_price_paid = cache_hit x cached_input_price + (1 - cache_hit) x input_price",
    ),
    product("input_rate", "input_output_ratio", "output_rate"),
    formula(
        "blended_price",
        ["input_output_ratio", "input_price_paid", "price"],
        _mix,
        "blended_price = (ratio x input price + price) / (ratio + 1)",
    ),
    total("token_rate", "input_rate", "output_rate"),
    product("revenue_rate", "blended_price", "token_rate"),
    product("fleet_cost_rate", "fleet_gpus", "cost_per_gpu_time"),
    product("fleet_cost_rate", "blended_cost", "token_rate"),
    formula(  # price over cost as the output, so that a fallback's price or cost feeds it
        "price_to_blended_cost",
        ["blended_price", "blended_cost"],
        np.divide,
        "price_to_blended_cost = blended_price / blended_cost",
        inverses={
            "blended_price": np.multiply,
            "blended_cost": lambda ratio, price: np.divide(price, ratio),
        },
    ),
    formula(
        "margin",
        ["price_to_blended_cost"],
        lambda ratio: np.subtract(1.0, np.divide(1.0, ratio)),
        "margin = 1 - blended_cost / blended_price (gross margin)",
        inverses={"price_to_blended_cost": lambda margin: np.divide(1.0, np.subtract(1.0, margin))},
    ),
    formula(
        "cost_profit_margin",
        ["price_to_blended_cost"],
        lambda ratio: np.subtract(ratio, 1.0),
        "cost_profit_margin = blended_price / blended_cost - 1 (profit over cost)",
        inverses={"price_to_blended_cost": lambda markup: np.add(markup, 1.0)},
    ),
    gpus_of_nodes("fleet_gpus"),
    # fill-ins: the --gpu's figures, dense active parameters, priced parts of the cost
    MEMORY_FROM_GPU,
    formula("bandwidth", ["gpu_bandwidth"], _same, "bandwidth = the GPU's HBM", fallback=True),
    formula("peak", ["gpu_peak"], _same, "peak = the GPU's at the chosen precision", fallback=True),
    formula(
        "attention_peak",
        ["peak", "gpu_attention_peak", "gpu_attention_ratio"],
        lambda peak, own, ratio: np.where(np.isfinite(ratio), np.multiply(peak, ratio), own),
        "attention_peak = peak x the GPU's ratio of its peaks at the attention precision and "
        "at --precision (its own at the attention precision where it has no --precision peak)",
        fallback=True,
    ),
    formula(
        "attention_peak",
        ["peak"],
        _same,
        "attention_peak = peak (attention at the weights' precision)",
        fallback=True,
    ),
    DRAWN_POWER_FROM_TDP,
    formula("active_params", ["params"], _same, "active_params = params (dense)", fallback=True),
    formula(
        "shared_params",
        ["active_params"],
        _same,
        "shared_params = active_params (dense, or no --experts given)",
        fallback=True,
    ),
    # after shared_params: with --expert-parallel on a dense model it is (N - 1) copies
    formula(
        "replicated_params",
        [],
        lambda: 0.0,
        "replicated_params = 0 (no expert parallelism: one copy of the weights)",
        fallback=True,
    ),
    *(_dense_read(pass_) for pass_ in ("decode", "prefill", "batch_prefill")),
    formula(
        "pass_overhead",
        [],
        lambda: 0.0,
        "pass_overhead = 0 (layers unknown: no per-layer overhead counted)",
        fallback=True,
    ),
    formula(
        "served_step_time",
        ["step_time"],
        _same,
        "served_step_time = step_time (no prompt given: decode alone)",
        fallback=True,
    ),
    product("usable_memory_per_gpu", "memory", "usable_fraction"),
    formula(
        "gpus_per_replica",
        ["expert_parallel"],
        _same,
        "gpus_per_replica = expert_parallel (one copy of the model over the EP group)",
        fallback=True,
    ),
    formula(
        "gpus_per_replica",
        ["memory_needed", "usable_memory_per_gpu"],
        _fewest_gpus,
        "gpus_per_replica = the power of two >= memory_needed / (memory x usable_fraction)",
        fallback=True,
    ),
    formula("gpus_per_replica", [], lambda: 1.0, "gpus_per_replica = 1", fallback=True),
    formula(
        "tensor_parallel",
        ["gpus_per_replica"],
        _same,
        "tensor_parallel = gpus_per_replica (no expert parallelism)",
        fallback=True,
    ),
    formula(
        "mean_context",
        ["context_tokens"],
        _same,
        "mean_context = context_tokens (a context length alone: every step reads all of it)",
        fallback=True,
    ),
    formula(
        "input_gpu_throughput",
        ["prompt_tokens", "prefill_time", "gpus_per_replica"],
        lambda prompt, time, gpus: np.divide(prompt, np.multiply(time, gpus)),
        "input_gpu_throughput = prompt_tokens / (prefill_time x gpus_per_replica)",
        fallback=True,
    ),
    formula("input_price_paid", ["input_price"], _same, "no cache hits", fallback=True),
    formula(
        "blended_cost",
        ["input_output_ratio", "input_cost_per_token", "cost_per_token"],
        _mix,
        "blended_cost = (ratio x input cost + cost) / (ratio + 1), at the roofline",
        fallback=True,
    ),
    formula(
        "blended_cost",
        ["cost_per_token", "price"],
        lambda cost, _price: cost,
        "blended_cost = cost_per_token (a --price alone prices output tokens only)",
        fallback=True,
    ),
    formula("blended_price", ["price"], _same, "output tokens only", fallback=True),
    formula("cost_per_token", ["gpu_cost_per_token"], _same, "cost = GPU time", fallback=True),
    formula("cost_per_token", ["energy_cost_per_token"], _same, "cost = energy", fallback=True),
    formula(
        "flop_per_token",
        ["weight_flop_per_token"],
        _same,
        "flop_per_token = weight_flop_per_token (no --heads: attention's own FLOP left out)",
        fallback=True,
    ),
    formula(
        "compute_flop_per_token",
        ["weight_flop_per_token"],
        _same,
        "compute_flop_per_token = weight_flop_per_token (no --heads: attention's own FLOP left "
        "out)",
        fallback=True,
    ),
)


def not_fitting(values: Mapping[str, Any], rows: int, message: str) -> list[Finding]:
    """A warning, ``message``, on the rows where ``fits`` is 0."""
    if "fits" not in values:
        return []
    return _flagged(np.asarray(values["fits"]) == 0, rows, message, ())


def more_used_than_held(
    values: Mapping[str, Any],
    rows: int,
    used: str,
    held: str,
    what: str,
    typical: float = math.inf,
) -> list[Finding]:
    """No answer, a usage error, where a token uses more of ``what`` (``used``) than the
    model holds (``held``): more experts per token than experts, more active parameters
    than parameters. The example is ``typical`` (2 experts per token: Mixtral's 2 of 8,
    Jiang et al. 2024, arXiv:2401.04088, section 2.1) or, where less, what the model holds."""
    if used not in values or held not in values:
        return []
    over = np.greater(values[used], values[held])
    if not over.any():
        return []
    most = float(np.broadcast_to(values[held], over.shape)[over].min())
    message = (
        f"{used} is more than {held}: a token uses at most every {what} "
        f"(e.g. {used} {_short_at_most(min(typical, most))})"
    )
    return _flagged(over, rows, message, (used, held), fatal=True, usage=True)


def _short_at_most(value: float) -> str:
    """``value`` to 3 significant figures, rounded down (exactly, in decimal) so that it
    stays at most ``value``: 70553706496 as 7.05e10, 999999999999999 as 9.99e14 (an example
    that runs, not every digit)."""
    if value < 1000:
        return f"{value:.15g}"
    exact = Decimal(value)
    exponent = exact.adjusted()
    mantissa = exact.scaleb(-exponent).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
    return f"{mantissa.normalize()}e{exponent}"


def experts_on_a_dense_model(values: Mapping[str, Any], rows: int) -> list[Finding]:
    """A warning where experts are given but every parameter is active (params equal to
    active_params, or no active_params given): no expert lies outside the active ones, so
    the experts change nothing a decode step reads."""
    if "experts_touched" not in values or "active_params" not in values:
        return []
    message = (
        "experts changes nothing: the model is dense (active_params equals params, every "
        "token uses every parameter); give active_params for an MoE model"
    )
    dense = np.greater_equal(values["active_params"], values["params"])
    return _flagged(dense, rows, message, ("experts", "active_params", "params"))


def _flagged(
    points: Any,
    rows: int,
    message: str,
    named: tuple[str, ...],
    fatal: bool = False,
    usage: bool = False,
) -> list[Finding]:
    """A finding ``message`` naming ``named`` (a warning, or ``fatal``: no answer; with
    ``usage`` a usage error) on the rows where any of ``points`` holds, and at those points
    (Finding.points)."""
    flagged = by_row(points, rows)
    found = Finding(message, flagged, fatal, named, np.asarray(points), usage)
    return [found] if flagged.any() else []


def fewer_gpus_than_expert_parallel(values: Mapping[str, Any], rows: int) -> list[Finding]:
    """No answer where a replica has fewer GPUs than its expert-parallel degree (a tensor-
    parallel degree below 1)."""
    if "tensor_parallel" not in values:
        return []
    message = (
        "gpus_per_replica is fewer than expert_parallel: an expert-parallel group of N GPUs is "
        "one replica of at least N GPUs (e.g. --expert-parallel 144 alone gives 144)"
    )
    named = ("gpus_per_replica", "expert_parallel")
    return _flagged(np.less(values["tensor_parallel"], 1.0), rows, message, named, fatal=True)


def expert_parallel_without_experts(values: Mapping[str, Any], rows: int) -> list[Finding]:
    """A warning where --expert-parallel is given without routed experts: every GPU then holds
    and reads all the active parameters (data parallelism)."""
    if "expert_parallel" not in values or "experts_touched" in values:
        return []
    message = (
        "expert_parallel without experts: no routed expert to spread, so each GPU holds and "
        "reads all the active parameters (data parallelism); give experts and "
        "experts_per_token for an MoE model"
    )
    named = ("expert_parallel", "experts", "experts_per_token")
    return [Finding(message, by_row(True, rows), quantities=named)]


def more_gpus_than_experts(values: Mapping[str, Any], rows: int) -> list[Finding]:
    """A warning where expert parallelism spreads the routed experts over more GPUs than
    there are experts: each GPU would then hold a fraction of one, which expert parallelism
    does not do (an expert lives whole on a GPU; DeepSeek's EP144 holds 256 experts and 32
    redundant copies, two or more per GPU)."""
    if "expert_parallel" not in values or "experts" not in values:
        return []
    message = (
        "expert_parallel is more than experts, so each GPU would hold under one routed "
        "expert and read that fraction of one per step; give an expert_parallel of at most "
        "experts"
    )
    over = np.greater(values["expert_parallel"], values["experts"])
    return _flagged(over, rows, message, ("expert_parallel", "experts"))


def latent_without_mla(values: Mapping[str, Any], rows: int) -> list[Finding]:
    """A usage error where latent_dim is given with head_dim: MLA's latent (the values summed
    per cached token, DeepSeek-V2 arXiv:2405.04434 section 2.1.3) goes with the cached
    width kv_dim; grouped-query attention (kv_heads x head_dim) has none, and its
    attention_dim (2 x head_dim) would contradict kv_dim + latent_dim."""
    if "latent_dim" not in values or "head_dim" not in values:
        return []
    message = (
        "latent_dim needs kv_dim (MLA: the latent and rope key cached per token) in place of "
        "kv_heads and head_dim (grouped-query attention has no latent); e.g. --kv-dim 576 "
        "--latent-dim 512"
    )
    named = ("latent_dim", "kv_dim", "kv_heads", "head_dim")
    return [Finding(message, by_row(True, rows), True, named, usage=True)]


def heads_split_whole(
    values: Mapping[str, Any],
    rows: int,
    part: str,
    why: str,
    named: tuple[str, ...],
    fatal: bool = True,
) -> list[Finding]:
    """Where a count ``part`` (tensor_parallel, kv_heads) does not divide the attention
    heads: no answer and a usage error (``fatal``), or a warning; ``why`` says why it must,
    ``named`` the quantities the message words as options. Megatron-LM's tensor parallelism
    computes each attention head on one GPU (Shoeybi et al. 2019, Megatron-LM, section 3), so
    each of the t GPUs holds heads / t whole heads; grouped-query attention "divides query
    heads into G groups, each of which shares a single key head and value head" (Ainslie et
    al. 2023, GQA, arXiv:2305.13245, section 2.2), so the KV heads divide the heads. A usage
    error on a range (computed at its ends, centre and points between) names the range, the
    points that do not divide, and a LOW..CENTRE..HIGH of divisors within it."""
    if "heads" not in values or part not in values:
        return []
    heads, ways = np.broadcast_arrays(np.atleast_1d(values["heads"]), np.atleast_1d(values[part]))
    share = np.divide(heads, ways)
    points = np.isfinite(share) & (share != np.floor(share))  # NaN: a goal-seek found none
    each = ways.reshape(len(ways), -1)  # a row's points: its range's ends and centre
    lows, highs = np.fmin.reduce(each, axis=1), np.fmax.reduce(each, axis=1)
    ranged = (lows < highs) & fatal
    shape = (-1, *[1] * (ways.ndim - 1))  # a row mask over the row's points
    found = []
    for count in np.unique(heads[points]).tolist():  # one finding per head count and range
        fits = divisors(count)
        listed = ", ".join(map(str, fits[:12])) + (", ..." if len(fits) > 12 else "")
        at_count = points & (heads == count)
        hit = at_count.reshape(len(ways), -1).any(axis=1)
        spans: list[tuple[float, float] | None] = [None] * bool((hit & ~ranged).any())
        spans += [tuple(pair) for pair in np.unique(np.c_[lows, highs][hit & ranged], axis=0)]
        for span in spans:
            chosen = ~ranged if span is None else (lows == span[0]) & (highs == span[1])
            mine = at_count & chosen.reshape(shape)
            failing = [f"{way:g}" for way in np.unique(ways[mine]).tolist()]
            verb = "does" if len(failing) == 1 else "do"
            said = f"{part} {', '.join(failing)} {verb} not divide the {count:.15g} heads"
            example = str(max(d for d in fits if d <= 8) if fits else 1)
            if span is not None:
                said = (
                    f"{part} {span[0]:g}..{span[1]:g}: each value the range is computed at "
                    f"must divide the {count:.15g} heads, and {', '.join(failing)} {verb} not"
                )
                example = range_of_divisors(fits, *span) or example
            message = (
                f"{said} ({why}; e.g. {example}, or another divisor of {count:.15g}: {listed})"
            )
            found.append(Finding(message, by_row(mine, rows), fatal, named, mine, fatal))
    return found


def range_of_divisors(fits: list[int], low: float, high: float) -> str:
    """A LOW..CENTRE..HIGH of divisors ``fits`` within low..high, for heads_split_whole's
    example: the smallest, middle and largest of them, '' where fewer than three lie
    within."""
    inside = [d for d in fits if low <= d <= high]
    if len(inside) < 3:
        return ""
    return f"{inside[0]}..{inside[len(inside) // 2]}..{inside[-1]}"


def next_head_divisor(ways: Any, values: Mapping[str, Any], down: bool = False) -> Any:
    """The least divisor of the heads at or above each tensor-parallel degree ``ways``, the
    heads themselves where ``ways`` is above them (each GPU holds whole heads:
    heads_split_whole); with ``down`` the greatest at or below it, 1 where it is below 1;
    ``ways`` as it is with no heads given, NaN where either is NaN."""
    if "heads" not in values:
        return ways
    heads, wanted = np.broadcast_arrays(
        np.asarray(values["heads"], dtype=float), np.asarray(ways, dtype=float)
    )
    found = np.full(wanted.shape, np.nan)
    for count, least in set(zip(heads.ravel().tolist(), wanted.ravel().tolist(), strict=True)):
        found[(heads == count) & (wanted == least)] = nearest_divisor(count, least, down)
    return found


def next_head_multiple(heads: Any, values: Mapping[str, Any], down: bool = False) -> Any:
    """The least multiple of the KV heads at or above each count of query ``heads`` (each KV
    head serves a whole group of them: heads_split_whole); with ``down`` the greatest at or
    below it, the KV heads themselves at least; ``heads`` as it is with no KV heads given."""
    if "kv_heads" not in values:
        return heads
    groups = np.divide(heads, values["kv_heads"])
    whole = np.maximum(np.floor(groups * (1 + 1e-9)) if down else np.ceil(groups * (1 - 1e-9)), 1)
    return np.multiply(whole, values["kv_heads"])


def nearest_divisor(count: float, near: float, down: bool = False) -> float:
    """The least divisor of a whole ``count`` at or above ``near``, else ``count`` itself;
    with ``down`` the greatest at or below it, else 1 (``near`` as it is where ``count`` is
    not a whole number)."""
    if not (math.isfinite(count) and count.is_integer() and count >= 1):
        return near
    if down:
        return float(next((d for d in reversed(divisors(count)) if d <= near), 1))
    return float(next((d for d in divisors(count) if d >= near), int(count)))


def divisors(count: float) -> list[int]:
    """The divisors of a whole ``count``, in order (none for a count that is not whole);
    found up to its square root, so a count of 1e12 heads takes a million steps, not 1e12."""
    if not (math.isfinite(count) and count.is_integer() and count >= 1):
        return []
    whole = int(count)
    small = [d for d in range(1, math.isqrt(whole) + 1) if whole % d == 0]
    return sorted({*small, *(whole // d for d in small)})


KV_GROUPS = (
    "--heads counts the query heads, and grouped-query attention shares each key/value head "
    "among a whole group of them"
)
"""Why kv_heads divides the heads (heads_split_whole)."""
SPLIT_HEADS = (
    "tensor_parallel = gpus_per_replica / expert_parallel; each GPU holds whole attention "
    "heads, so a serving engine refuses this split: the estimate shares them out evenly"
)
"""Why a tensor-parallel degree that does not divide the heads is warned of."""


def checks(values: Mapping[str, Any], rows: int, assumed: frozenset[str]) -> list[Finding]:
    """No answer where MLA's latent is given with a grouped-query shape, the KV heads do not
    divide the heads, a token uses more experts (or parameters) than there are, or a replica
    has fewer GPUs than its expert-parallel degree; warnings where the tensor-parallel degree
    does not divide the heads, experts are given to a dense model, expert parallelism
    without experts or over more GPUs than experts, and on rows where the weights and KV
    cache do not fit: their speed and cost are what the replica would do if they did."""
    split = ("gpus_per_replica", "expert_parallel")
    return (
        latent_without_mla(values, rows)
        + heads_split_whole(values, rows, "kv_heads", KV_GROUPS, ("kv_heads",))
        + heads_split_whole(values, rows, "tensor_parallel", SPLIT_HEADS, split, fatal=False)
        + more_used_than_held(values, rows, "experts_per_token", "experts", "expert", 2)
        + more_used_than_held(values, rows, "active_params", "params", "parameter")
        + fewer_gpus_than_expert_parallel(values, rows)
        + expert_parallel_without_experts(values, rows)
        + more_gpus_than_experts(values, rows)
        + experts_on_a_dense_model(values, rows)
        + not_fitting(
            values,
            rows,
            "the weights and KV cache do not fit in memory (fits: no): tokens/s and cost are "
            "what a replica would do if they did; add gpus-per-replica or lower the batch",
        )
    )


MODEL = Model(
    RELATIONS,
    checks=checks,
    allowed_counts={"heads": next_head_multiple, "kv_heads": next_head_divisor},
    references=references(__doc__),
    units={
        **dict.fromkeys(
            (
                "active_weight_memory",
                "batch_prefill_weight_memory",
                "bytes_per_step",
                "decode_weight_memory",
                "kv_cache_batch",
                "kv_cache_held_per_sequence",
                "prefill_weight_memory",
                "usable_memory_per_gpu",
            ),
            "B",
        ),
        **dict.fromkeys(("achieved_bandwidth", "peak_bandwidth"), "B/s"),
        **dict.fromkeys(("achieved_compute", "peak_compute"), "FLOP/s"),
        **dict.fromkeys(("attention_peak", "gpu_attention_peak"), "FLOP/s"),
        "gpu_attention_ratio": "",
        **dict.fromkeys(
            (
                "batch_prefill_flop",
                "compute_flop_per_step",
                "compute_flop_per_token",
                "flop_per_step",
                "flop_per_token",
                "prefill_flop",
            ),
            "FLOP",
        ),
        "weight_flop_per_token": "FLOP",
        **dict.fromkeys(
            ("batch_prefill_time", "compute_time_bound", "memory_time_bound", "served_step_time"),
            "s",
        ),
        **dict.fromkeys(
            ("energy_cost_per_token", "gpu_cost_per_token", "input_price_paid"), "USD/token"
        ),
        "embodied_rate": "gCO2e/s",
        "gpu_cost_rate": "USD/s",
        "batch_prompt_tokens": "token",
        "mean_context": "token",
        "power_draw": "W",
        "token_rate": "token/s",
    },
)
