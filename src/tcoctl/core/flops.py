"""Core: training compute, GPU-time, throughput, energy and cost as relations.

Quantities in fixed units: FLOP, FLOP/s, s, W, J, USD (prices per second or per joule),
tokens [-] and tokens per second [1/s]. ``gpu_time`` is GPU-seconds; ``h100e_time`` the same
GPU time in H100 SXM-seconds at the same precision.

References
----------
- Hardware method (FLOP = chips x peak x utilisation x time) and the 30 %/40 % MFU guidance:
  Epoch AI, "Estimating training compute of deep learning models" (2022),
  https://epoch.ai/blog/estimating-training-compute
- Counting method C = k N D with k = 6 FLOP per parameter-token (Kaplan et al., "Scaling Laws
  for Neural Language Models", 2020, https://arxiv.org/abs/2001.08361, section 2.1), or
  k = 8 with full activation recomputation (one more forward pass: Narayanan et al.,
  "Efficient Large-Scale Language Model Training on GPU Clusters Using Megatron-LM", 2021,
  https://arxiv.org/abs/2104.04473, section 5.1: 96 B s l h^2 (1 + s/6h + V/16lh), i.e.
  8 x parameters x tokens at leading order).
- Compute-optimal split of a budget C at r tokens per parameter: with C = k N D and D = r N,
  N = sqrt(C / (k r)) (Hoffmann et al., "Training Compute-Optimal Large Language Models"
  (Chinchilla), 2022, https://arxiv.org/abs/2203.15556: about 20 tokens per parameter,
  Table 3).
- Achieved FLOP/s per GPU and over the cluster, MFU = achieved / peak (Narayanan et al.
  2021, Table 1: "163" teraFLOP/s per GPU, "52%" of peak, "502.0" petaFLOP/s aggregate).
- MFU from throughput: achieved FLOP/s = k x N x tokens/s (Chowdhery et al., "PaLM", 2022,
  https://arxiv.org/abs/2204.02311, appendix B).
- Power per GPU when only a GPU's TDP is known: its measured average draw, a fraction of the
  rated all-in power TDP x 1.82 (the DGX H100's 10.2 kW for eight 700 W GPUs): Newkirk et
  al., "Empirically-Calibrated H100 Node Power Models for Reducing Uncertainty in AI
  Training Energy Estimation" (2025), https://arxiv.org/abs/2506.14551: "even
  computationally intensive workloads operate at only 76% of the 10.2 kW TDP rating";
  Latif et al., "Empirical Measurements of AI Training Power Demand on a GPU-Accelerated
  Node" (2024), https://arxiv.org/abs/2412.08602: "The maximum observed power draw was
  approximately 8.4 kW, 18% lower than the manufacturer-rated 10.2 kW".
- Operational emissions = facility energy x grid carbon intensity [gCO2e/J]; embodied
  emissions amortised straight-line over the hardware life, per GPU-second used (Patterson
  et al., "Carbon Emissions and Large Neural Network Training", 2021,
  https://arxiv.org/abs/2104.10350; Luccioni et al., "Estimating the Carbon Footprint of
  BLOOM", 2022, https://arxiv.org/abs/2211.02001).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tcoctl.core.policy import COMPUTE_RELATIONS
from tcoctl.core.relations import Model, formula, product, references, total
from tcoctl.core.tco import DRAWN_POWER_FROM_TDP, EMBODIED_RATE, gpus_of_nodes

FLOP_PER_PARAM_TOKEN = 6.0
"""Training FLOP per parameter per token without recomputation (Kaplan et al. 2020)."""


def _compute_optimal_params(budget: Any, flop_per_param_token: Any, tokens_per_param: Any) -> Any:
    """Parameters [-] of the compute-optimal split of ``budget`` [FLOP]: sqrt(C / (k r))
    (Hoffmann et al. 2022, with C = k N D and D = r N)."""
    return np.sqrt(np.divide(budget, np.multiply(flop_per_param_token, tokens_per_param)))


RELATIONS = (
    product("total_flop", "flop_per_param_token", "params", "tokens"),
    product("achieved_flops", "peak", "mfu", note="achieved_flops = peak x mfu (per GPU)"),
    product("total_flop", "achieved_flops", "gpu_time"),
    product(
        "achieved_flops",
        "flop_per_param_token",
        "params",
        "gpu_throughput",
        note="achieved_flops = k x params x gpu_throughput",
    ),
    product("gpu_time", "count", "duration"),
    product("tokens", "gpu_throughput", "gpu_time"),
    product("cluster_throughput", "gpu_throughput", "count"),
    product("tokens", "cluster_throughput", "duration"),
    product("peak", "peak_ratio", "ref_peak", note="peak_ratio = peak / H100 peak"),
    product("h100e_time", "gpu_time", "peak_ratio"),
    product("energy", "gpu_time", "power", "load", "pue"),
    product("facility_power", "count", "power", "pue"),
    product("gpu_time_cost", "gpu_time", "price"),
    product("energy_cost", "energy", "electricity"),
    total("cost", "gpu_time_cost", "energy_cost"),
    product("emissions", "energy", "carbon_intensity"),
    EMBODIED_RATE,
    product("embodied_emissions", "embodied_rate", "gpu_time"),
    formula(
        "peak",
        ["gpu_peak"],
        lambda peak: peak,
        "peak = the GPU's dense peak at the precision",
        inverses={"gpu_peak": lambda peak: peak},
    ),
    DRAWN_POWER_FROM_TDP,
    # stated alternatives: the cluster's rate, nodes, the compute-optimal split
    product("cluster_flops", "achieved_flops", "count"),
    product("total_flop", "cluster_flops", "duration"),
    gpus_of_nodes("count"),
    product("tokens", "tokens_per_param", "params"),
    # the compute-optimal split only where nothing else gives params: never a check, which
    # at extreme inputs would disagree through rounding alone
    formula(
        "params",
        ["total_flop", "flop_per_param_token", "tokens_per_param"],
        _compute_optimal_params,
        "params = sqrt(total_flop / (k x tokens_per_param)) (compute-optimal split)",
        fallback=True,
    ),
    # cost covers what is priced: GPU time alone, or energy alone, when only one price is given
    formula("cost", ["gpu_time_cost"], lambda c: c, "cost = GPU time x price", fallback=True),
    formula("cost", ["energy_cost"], lambda c: c, "cost = energy x electricity", fallback=True),
    *COMPUTE_RELATIONS,
)

MODEL = Model(
    RELATIONS,
    {"flop_per_param_token": FLOP_PER_PARAM_TOKEN, "load": 1.0, "pue": 1.0},
    references=references(__doc__),
    units={"energy_cost": "USD", "gpu_time_cost": "USD", "embodied_rate": "gCO2e/s"},
)
