"""The ``inference`` calculator: serving a transformer on a roofline (tcoctl.core.inference)."""

from __future__ import annotations

from dataclasses import replace

from tcoctl.specs.base import (
    CARBON_INTENSITY,
    DRAW_FRACTION,
    ELECTRICITY,
    EMBODIED,
    GPU,
    GPUS_PER_NODE,
    NODES,
    POWER_PER_GPU,
    PRECISION,
    PUE,
    Calculator,
    Input,
    Result,
)

MODEL_FIGURES = (
    "layers",
    "kv-heads",
    "head-dim",
    "kv-dim",
    "kv-cache-per-token",
    "active-params",
    "experts",
    "experts-per-token",
    "heads",
    "latent-dim",
)
"""A model's figures besides --params: a new --params with these from the preset warns."""
FITTED = ("gpus-per-replica",)
"""What a preset sized to its model and GPU: a new model, GPU or HBM re-derives it."""

FITTED_WITH_EFFICIENCIES = ("parallel-efficiency", "layer-overhead", "overlap")
"""Fitted together with the default efficiencies: a given efficiency is the replica's own,
so it drops the preset's parallel efficiency (then 1), layer overhead (then 0) and overlap
(then 1, the roofline's max)."""

PRICE_PER_MTOKEN = ("USD/token", "USD/Mtoken")
DAILY_TOKENS = ("token/s", "Gtoken/day")
TOKEN_ECONOMICS = (
    Input(
        "price",
        "Price charged per million output tokens (with --input-price and a mix, the output "
        "side of it).",
        "2.19 USD/Mtoken",
        *PRICE_PER_MTOKEN,
    ),
    Input("input-price", "Price per million input tokens.", "0.55 USD/Mtoken", *PRICE_PER_MTOKEN),
    Input(
        "cached-input-price",
        "Price per million input tokens that hit a prompt cache.",
        "0.14 USD/Mtoken",
        *PRICE_PER_MTOKEN,
        positive=False,
    ),
    Input(
        "cache-hit",
        "Fraction of input tokens billed at --cached-input-price.",
        "56.3 %",
        maximum=1.0,
        positive=False,
    ),
    Input(
        "input-output-ratio",
        "Input tokens per output token in the mix priced (3 for 3:1; default: output only).",
        "3",
        positive=False,
    ),
    Input(
        "input-throughput",
        "Input (prefill) tokens per second per GPU, measured, instead of the roofline's.",
        "9200 token/s",
        "token/s",
        "token/s",
        bare=True,
        quantity="input_gpu_throughput",
    ),
    Input(
        "input-rate",
        "Input tokens a fleet serves (DeepSeek: 608e9 token/day).",
        "608e9 token/day",
        *DAILY_TOKENS,
    ),
    Input(
        "output-rate",
        "Output tokens a fleet serves (DeepSeek: 168e9 token/day).",
        "168e9 token/day",
        *DAILY_TOKENS,
    ),
    Input(
        "fleet-gpus",
        "GPUs serving, a mean over the day (DeepSeek: 226.75 nodes x 8).",
        "1814",
        excludes=("nodes",),
    ),
    replace(
        NODES, whole=False, excludes=("fleet-gpus",), help=NODES.help + " A mean may be fractional."
    ),
    GPUS_PER_NODE,
)
"""Prices, a mix of input and output tokens, and a fleet's day: revenue and margin."""
INTENSITY_RESULTS = (
    Result(
        "ridge_point",
        "The GPU's arithmetic intensity at its roofline's ridge: peak / bandwidth.",
        "FLOP/B",
        "FLOP/B",
        detail=True,
    ),
    Result(
        "arithmetic_intensity",
        "The decode step's FLOP per byte read: flop_per_step / bytes_per_step (below the "
        "ridge point: memory-bound). It counts every FLOP alike; with --attention-precision "
        "other than --precision, attention's FLOP run at another peak than the ridge point's, "
        "and bound and bound_ratio are the comparison that counts them at their own peak.",
        "FLOP/B",
        "FLOP/B",
        detail=True,
    ),
    Result(
        "kv_token_capacity",
        "KV-cache tokens that fit beside the weights in the replica's usable memory.",
        "token",
        "token",
        detail=True,
    ),
)
TOKEN_ECONOMICS_RESULTS = (
    Result(
        "input_tokens_per_second_per_gpu",
        "Input (prefill) tokens per second per GPU: the prompt over the prefill time.",
        "token/s",
        "token/s",
        "input_gpu_throughput",
        detail=True,
    ),
    Result(
        "cost_per_million_input_tokens",
        "Cost per million input tokens: the GPU's cost rate over its prefill throughput.",
        *PRICE_PER_MTOKEN,
        "input_cost_per_token",
        detail=True,
    ),
    Result(
        "blended_price",
        "Price per million tokens of the mix: (ratio x input price + price) / (ratio + 1).",
        *PRICE_PER_MTOKEN,
    ),
    Result(
        "blended_cost",
        "Cost per million tokens of the mix: a fleet's cost over its tokens, else the "
        "roofline's (ratio x input cost + output cost) / (ratio + 1).",
        *PRICE_PER_MTOKEN,
    ),
    Result("margin", "Gross margin: 1 - blended_cost / blended_price.", maximum=1.0),
    Result(
        "cost_profit_margin",
        'Profit over cost: blended_price / blended_cost - 1 (DeepSeek\'s "cost profit margin").',
    ),
    Result(
        "revenue_per_day",
        "Revenue: blended price x tokens served.",
        "USD/s",
        "USD/day",
        "revenue_rate",
    ),
    Result(
        "cost_per_day",
        "The fleet's cost: GPUs x cost per GPU-hour (or blended cost x tokens).",
        "USD/s",
        "USD/day",
        "fleet_cost_rate",
    ),
    Result("fleet_gpus", "GPUs serving: the fleet's cost over the cost per GPU."),
    Result("input_output_ratio", "Input tokens per output token."),
)

INFERENCE = Calculator(
    name="inference",
    help="Serving a transformer on a roofline: weight and KV-cache memory, whether a batch "
    "fits, decode step time (the larger of the memory-bound and compute-bound times, the "
    "binding one named, plus the part of the other not overlapped), tokens/s, time per output "
    "token, prefill time, cost per million "
    "output tokens, J/token and emissions.",
    default_preset="llama-3.1-70b",
    fitted="training-fit",
    fitted_section="flops",
    summary="serving cost per token",
    unit_example="time_per_output_token=s",
    preset_is_base=True,
    target="cost_per_million_tokens",
    headline=(
        "tokens_per_second_per_gpu",
        "cost_per_million_tokens",
        "energy_per_token",
        "time_per_output_token",
        "bound",
        "fits",
    ),
    sweep_example="batch=1..256:20|cost_per_million_tokens=10 USD/Mtoken",
    solve_example="batch|cost_per_million_tokens=10 USD/Mtoken",
    defaults={
        "precision": "bf16",
        "weight-bytes": "2",
        "kv-bytes": "2",
        "bandwidth-efficiency": "1",
        "compute-efficiency": "1",
        "parallel-efficiency": "1",
        "layer-overhead": "0 s",
        "overlap": "1",
        "memory-overhead": "0.1",
        "pue": "1",
    },
    inputs=(
        Input(
            "params",
            "Total parameters (all experts of a mixture of experts).",
            "70e9",
            keeps=MODEL_FIGURES,
            resets=FITTED,
        ),
        Input(
            "active-params",
            "Parameters active per token (a mixture of experts; default --params).",
            "37e9",
        ),
        Input(
            "experts",
            "Routed experts per MoE layer (with --experts-per-token: a decode step reads the "
            "experts its batch touches, not only the active parameters).",
            "256",
            whole=True,
        ),
        Input("experts-per-token", "Routed experts each token uses (top-k).", "8", whole=True),
        Input("layers", "Transformer layers.", "80", whole=True),
        Input(
            "kv-heads",
            "Key/value heads (grouped-query attention).",
            "8",
            whole=True,
            excludes=("kv-dim", "latent-dim", "kv-cache-per-token"),
        ),
        Input(
            "head-dim",
            "Dimension of one head.",
            "128",
            excludes=("kv-dim", "latent-dim", "kv-cache-per-token"),
        ),
        Input(
            "kv-dim",
            "Values cached per token per layer, instead of --kv-heads and --head-dim "
            "(2 x kv-heads x head-dim; MLA latent, DeepSeek-V3: 576).",
            "576",
            excludes=("kv-heads", "head-dim", "kv-cache-per-token"),
        ),
        Input(
            "heads",
            "Query (attention) heads, for attention's own FLOP per cached token (GQA: the "
            "query heads, not --kv-heads; DeepSeek-V3: 128). Without it they are left out.",
            "128",
            whole=True,
        ),
        Input(
            "latent-dim",
            "MLA: the latent the values are read in (kv_lora_rank; DeepSeek-V3: 512), with "
            "--kv-dim: each head scores kv-dim and sums latent-dim values per cached token.",
            "512",
            whole=True,
        ),
        Input(
            "kv-cache-per-token",
            "KV-cache bytes per token, instead of the model's shape.",
            "320 KiB",
            "B",
            "KiB",
            bare=True,
            quantity="kv_bytes_per_token",
            excludes=("kv-heads", "head-dim", "kv-dim"),
        ),
        Input(
            "weight-bytes",
            "Bytes per weight: bf16 2, fp8 1, fp4 0.5 (default 2).",
            "1",
            "B",
            "B",
            bare=True,
        ),
        Input(
            "kv-bytes",
            "Bytes per KV-cache value: bf16 2, fp8 1 (default 2).",
            "1",
            "B",
            "B",
            bare=True,
        ),
        replace(GPU, keeps=("cost-per-gpu-hour",), resets=FITTED),
        PRECISION,
        Input(
            "attention-precision",
            "Which dense peak attention's FLOP run at, where not --precision's (DeepSeek "
            "serves FP8 matmuls with its MLA in BF16; needs --gpu).",
            "bf16",
            kind="choice",
            choices=PRECISION.choices,
        ),
        Input("memory", "HBM per GPU, instead of the --gpu's.", "80 GB", "B", "GB", resets=FITTED),
        Input(
            "bandwidth",
            "HBM bandwidth per GPU, instead of the --gpu's.",
            "3.35 TB/s",
            "B/s",
            "TB/s",
        ),
        Input(
            "peak",
            "Dense peak per GPU at --precision, instead of the --gpu's.",
            "989 TFLOP/s",
            "FLOP/s",
            "TFLOP/s",
        ),
        Input(
            "gpus-per-replica",
            "GPUs holding one copy of the model (tensor parallel; default: the fewest, a power "
            "of two, whose usable HBM holds the weights and the batch's KV cache).",
            "4",
            whole=True,
            at_least="expert-parallel",
        ),
        Input(
            "expert-parallel",
            "Expert parallelism: routed experts spread over N GPUs, attention and the shared "
            "expert data-parallel, a copy on each (DeepSeek's EP144); a replica of N GPUs, no "
            "tensor-parallel factor, each GPU reading its own non-routed weights and its experts.",
            "144",
            whole=True,
            resets=FITTED,
        ),
        Input(
            "batch",
            "Concurrent sequences decoded together by a replica (with --expert-parallel N: "
            "N x the sequences per GPU; a mean may be fractional).",
            "32",
        ),
        Input(
            "prompt-tokens",
            "Prompt (input) tokens per sequence.",
            "2048",
            "token",
            "token",
            bare=True,
        ),
        Input("output-tokens", "Output tokens per sequence.", "128", "token", "token", bare=True),
        Input(
            "context",
            "Context length (prompt + output); alone, every step reads all of it.",
            "8192",
            "token",
            "token",
            bare=True,
            quantity="context_tokens",
            excludes=("prompt-tokens", "output-tokens"),
        ),
        Input(
            "bandwidth-efficiency",
            "Achieved fraction of HBM bandwidth (MBU; default: the range fitted on measurements "
            "for the --gpu's family, preset serving-fit; 1 for the roofline).",
            "0.8",
            maximum=1.0,
            resets=FITTED_WITH_EFFICIENCIES,
        ),
        Input(
            "compute-efficiency",
            "Achieved fraction of the dense peak (default: the fitted range, as "
            "--bandwidth-efficiency; 1 for the roofline).",
            "0.5",
            maximum=1.0,
            resets=FITTED_WITH_EFFICIENCIES,
        ),
        Input(
            "parallel-efficiency",
            "Fraction of each GPU's achieved rate kept per doubling of GPUs per replica "
            "(tensor-parallel communication; default: fitted with the efficiencies, preset "
            "serving-fit; 1 when the efficiencies are given).",
            "0.9",
            maximum=1.0,
        ),
        Input(
            "layer-overhead",
            "Fixed time per layer of each forward pass, decode step or prefill (kernel "
            "launches, the runtime's scheduling; default: fitted with the efficiencies, preset "
            "serving-fit; 0 when the efficiencies are given).",
            "50 us",
            "s",
            "us",
            positive=False,
            maximum=1.0,  # a second per layer per pass: beyond any runtime, a typo in the unit
        ),
        Input(
            "overlap",
            "Fraction of the shorter of a pass's memory and compute times hidden behind the "
            "longer: 1 the roofline's max, 0 their sum (default: fitted with the "
            "efficiencies, preset serving-fit; 1 when the efficiencies are given).",
            "0.5",
            positive=False,
            maximum=1.0,
        ),
        Input(
            "memory-overhead",
            "Fraction of HBM reserved for activations and the runtime (default 0.1: vLLM's "
            "gpu_memory_utilization 0.9).",
            "10 %",
            positive=False,
            maximum=1.0,
        ),
        Input(
            "cost-per-gpu-hour",
            "Cost per GPU-hour (a rental price, or tco's cost_per_gpu_hour); excluding "
            "electricity if --electricity is given.",
            "1.80 USD/h",
            "USD/s",
            "USD/h",
            quantity="cost_per_gpu_time",
        ),
        Input(
            "power",
            "Average all-in IT power drawn per GPU (default: the --gpu's TDP x 1.82 x "
            "--draw-fraction).",
            "970 W",
            "W",
            "W",
        ),
        DRAW_FRACTION,
        PUE,
        ELECTRICITY,
        CARBON_INTENSITY,
        EMBODIED,
        Input("life", "Hardware life, for embodied emissions.", "5 yr", "s", "yr"),
        Input(
            "reference-price",
            "A market price per million output tokens to set beside the computed cost.",
            "10 USD/Mtoken",
            "USD/token",
            "USD/Mtoken",
        ),
        *TOKEN_ECONOMICS,
    ),
    results=(
        Result(
            "tokens_per_second_per_gpu",
            "Output tokens per second per GPU, over the whole run: with --prompt-tokens, each "
            "batch's prefill counts too (so it is below batch / time_per_output_token).",
            "token/s",
            "token/s",
            "gpu_throughput",
        ),
        Result(
            "cost_per_million_tokens",
            "Cost per million output tokens: GPU time (+ electricity if given).",
            "USD/token",
            "USD/Mtoken",
            "cost_per_token",
        ),
        Result(
            "energy_per_token",
            "Facility energy per output token: power x PUE / tokens per second per GPU.",
            "J/token",
            "J/token",
        ),
        Result(
            "time_per_output_token",
            "Decode step time, max(memory_time, compute_time) + (1 - overlap) x "
            "min(memory_time, compute_time) + pass_overhead: each sequence's time per output "
            "token.",
            "s",
            "ms",
            "step_time",
        ),
        Result(
            "bound",
            "Which time sets the decode step: memory or compute (0 or 1 in batch CSV).",
            labels=("memory", "compute"),
        ),
        Result(
            "fits",
            "Whether the weights and the batch's KV cache fit in the replica's usable memory "
            "(0 or 1 in batch CSV).",
            labels=("no", "yes"),
        ),
        Result(
            "time_per_output_token_bound",
            "The roofline's decode step (full bandwidth and peak): a lower bound on time per "
            "output token, never a cost.",
            "s",
            "ms",
            "step_time_bound",
        ),
        Result(
            "tokens_per_second",
            "Output tokens per second per replica, prefill counted as in "
            "tokens_per_second_per_gpu.",
            "token/s",
            "token/s",
            "replica_throughput",
            detail=True,
        ),
        Result(
            "memory_time", "Memory-bound step time: bytes read / achieved bandwidth.", "s", "ms"
        ),
        Result(
            "compute_time",
            "Compute-bound step time: batch x (2 x active params + attention FLOP per token) / "
            "achieved FLOP/s.",
            "s",
            "ms",
        ),
        Result(
            "gpus_per_replica",
            "GPUs per replica when not given: --expert-parallel's N, else the fewest, a power "
            "of two, whose usable HBM (memory x (1 - memory overhead)) holds the weights and "
            "the batch's KV cache.",
        ),
        Result(
            "tensor_parallel",
            "GPUs per replica over the expert-parallel degree: the GPUs the tensor-parallel "
            "factor counts.",
            detail=True,
        ),
        Result(
            "attention_flop_per_token",
            "Attention's own FLOP per output token: 2 x layers x heads x attention_dim x mean "
            "context (attention_dim: 2 x head-dim, or MLA's kv-dim + latent-dim); not computed "
            "without --heads (the weights' FLOP alone count).",
            "FLOP",
            "GFLOP",
            detail=True,
        ),
        Result(
            "parallel_efficiency",
            "Fraction of each GPU's rate kept per doubling of GPUs per replica: 1 when the "
            "efficiencies are given, which are the replica's own.",
            detail=True,
        ),
        Result(
            "overlap",
            "Fraction of the shorter of a pass's memory and compute times hidden behind the "
            "longer: 1 (the roofline's max) when the efficiencies are given.",
            detail=True,
        ),
        Result(
            "layer_overhead",
            "Fixed time per layer of a forward pass: 0 when the efficiencies are given, which "
            "are the replica's own.",
            "s",
            "us",
            detail=True,
        ),
        Result(
            "pass_overhead",
            "Fixed time of a forward pass: layers x layer overhead.",
            "s",
            "ms",
            detail=True,
        ),
        Result(
            "bound_ratio",
            "compute_time / memory_time: above 1 the step is compute-bound.",
            detail=True,
        ),
        Result(
            "prefill_time",
            "Prefill of one prompt, a lower bound on time to first token.",
            "s",
            "ms",
        ),
        Result(
            "weight_memory",
            "Weights a replica holds: params x weight bytes (with --expert-parallel N, plus N "
            "- 1 more copies of the non-routed weights).",
            "B",
            "GB",
        ),
        Result(
            "kv_cache_per_token",
            "KV-cache bytes per token: layers x kv-dim x kv bytes.",
            "B",
            "KiB",
            "kv_bytes_per_token",
            detail=True,
        ),
        Result(
            "kv_cache_per_sequence",
            "KV cache of one sequence at its full context.",
            "B",
            "GB",
            detail=True,
        ),
        Result(
            "memory_needed",
            "Weights + the batch's KV cache, paged: batch x KV cache per token x mean context.",
            "B",
            "GB",
        ),
        Result(
            "memory_available",
            "HBM x GPUs per replica x (1 - memory overhead).",
            "B",
            "GB",
            detail=True,
        ),
        Result(
            "memory_headroom",
            "memory_available - memory_needed (negative: no fit).",
            "B",
            "GB",
            detail=True,
        ),
        Result(
            "max_batch",
            "The largest batch whose paged KV cache (mean context per sequence) fits beside "
            "the weights.",
        ),
        Result(
            "price_to_cost", "--reference-price / cost_per_million_tokens: the margin over cost."
        ),
        Result(
            "emissions_per_million_tokens",
            "Operational CO2e per million output tokens.",
            "gCO2e/token",
            "kgCO2e/Mtoken",
            "emissions_per_token",
        ),
        Result(
            "embodied_per_million_tokens",
            "Embodied CO2e per million output tokens, the GPU serving at this rate all its life.",
            "gCO2e/token",
            "kgCO2e/Mtoken",
            "embodied_per_token",
        ),
        *INTENSITY_RESULTS,
        *TOKEN_ECONOMICS_RESULTS,
        Result(
            "experts_touched",
            "Routed experts per layer a decode step reads: experts x (1 - (1 - "
            "experts_per_token / experts) ^ batch), routing uniform.",
            detail=True,
        ),
        replace(POWER_PER_GPU, detail=True),
    ),
)
