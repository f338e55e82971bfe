"""Core: training compute, GPU-time and H100-equivalents. Pure numpy over float64 arrays.

Units are fixed: FLOP, FLOP/s, s, W, J, USD (prices per second or per joule). Every argument
may be a scalar or an ndarray; all broadcast. ``None`` means "not given".

References
----------
- Hardware method (FLOP = chips x peak x utilisation x time) and the 30 %/40 % MFU guidance:
  Epoch AI, "Estimating training compute of deep learning models" (2022),
  https://epoch.ai/blog/estimating-training-compute
- Counting method C = 6 N D: Kaplan et al., "Scaling Laws for Neural Language Models" (2020),
  https://arxiv.org/abs/2001.08361, section 2.1; EleutherAI, "Transformer Math 101" (2023).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Value = Any  # float or ndarray; numpy broadcasts both
FLOP_PER_PARAM_TOKEN = 6.0


class ModeError(ValueError):
    """The given inputs do not determine a unique answer; the message says what to add or drop."""


def at_precision(precision: str, bf16: Value, fp8: Value) -> Value:
    """The dense peak for ``precision`` (``bf16`` or ``fp8``) [FLOP/s]."""
    return fp8 if precision == "fp8" else bf16


def training_flop(params: Value, tokens: Value) -> Array:
    """Training compute [FLOP] = 6 x parameters [-] x tokens [-] (Kaplan et al. 2020)."""
    return np.asarray(FLOP_PER_PARAM_TOKEN * np.multiply(params, tokens), dtype=float)


def flops(
    *,
    ref_bf16: Value,
    ref_fp8: Value,
    precision: str = "bf16",
    gpu_bf16: Value = None,
    gpu_fp8: Value = None,
    peak: Value = None,
    count: Value = None,
    duration: Value = None,
    mfu: Value = None,
    gpu_hours: Value = None,
    budget: Value = None,
    params: Value = None,
    tokens: Value = None,
    power: Value = None,
    load: Value = None,
    pue: Value = None,
    electricity: Value = None,
    price: Value = None,
) -> dict[str, Array]:
    """Solve FLOP = count x duration x peak x mfu for whichever side is missing.

    Parameters
    ----------
    ref_bf16, ref_fp8 : an H100 SXM's dense peaks [FLOP/s], for H100e-years
    precision : ``bf16`` or ``fp8``, the peak that FLOP/s and MFU refer to
    gpu_bf16, gpu_fp8 : the GPU's dense peaks [FLOP/s]; ``peak`` [FLOP/s] overrides them
    count : GPUs [-]; duration : wall time [s]; mfu : model FLOP utilisation [-]
    gpu_hours : GPU time [s] (GPU-seconds), instead of count and duration
    budget : training compute [FLOP]; or params [-] and tokens [-] give it as 6 N D
    power : all-in IT power per GPU [W]; load : average draw / power [-] (1 if not given);
    pue : facility/IT energy [-]
    electricity : [USD/J]; price : GPU time excluding electricity [USD/s per GPU]

    Returns arrays keyed total_flop [FLOP], gpu_hours [s], and where computable
    duration [s], count [-], mfu [-], h100e_years [s], energy [J], facility_power [W],
    cost [USD].
    """
    ref_peak = at_precision(precision, ref_bf16, ref_fp8)
    if peak is None:
        peak = at_precision(precision, gpu_bf16, gpu_fp8)
    if peak is None:
        raise ModeError("give --gpu NAME or --peak")
    if np.any(np.isnan(peak)):
        raise ModeError(f"the GPU has no {precision} figure: use --precision bf16 or --peak")
    if params is not None and tokens is not None:
        if budget is not None:
            raise ModeError("give either --budget or --params with --tokens, not both")
        budget = training_flop(params, tokens)
    elif params is not None or tokens is not None:
        raise ModeError("--params and --tokens go together")
    if count is not None and duration is not None:
        if gpu_hours is not None:
            raise ModeError("give --gpu-hours or --count with --duration, not all three")
        gpu_hours = np.multiply(count, duration)
    if budget is None:
        if mfu is None or gpu_hours is None:
            raise ModeError(
                "give --mfu and the GPU time (--count with --duration, or --gpu-hours), "
                "or a --budget to solve for one of them"
            )
        budget = np.multiply(np.multiply(gpu_hours, peak), mfu)
    elif mfu is None:
        if gpu_hours is None:
            raise ModeError("with --budget, give two of --count, --duration and --mfu")
        mfu = np.divide(budget, np.multiply(gpu_hours, peak))
        mfu = np.where(mfu <= 1.0, mfu, np.nan)  # above 1 the budget is out of reach
    elif gpu_hours is None:
        gpu_hours = np.divide(budget, np.multiply(peak, mfu))
    else:
        raise ModeError("--budget, --mfu and the GPU time are all given: drop one to solve for it")
    if count is None and duration is not None:
        count = np.divide(gpu_hours, duration)
    elif duration is None and count is not None:
        duration = np.divide(gpu_hours, count)
    out: dict[str, Value] = {}
    out["total_flop"] = budget
    out["gpu_hours"] = gpu_hours
    for name, value in (("duration", duration), ("count", count), ("mfu", mfu)):
        if value is not None:
            out[name] = value
    out["h100e_years"] = np.multiply(gpu_hours, np.divide(peak, ref_peak))
    if power is not None:
        facility_factor = 1.0 if pue is None else pue
        draw = np.multiply(power, 1.0 if load is None else load)
        out["energy"] = np.multiply(np.multiply(gpu_hours, draw), facility_factor)
        if count is not None:
            out["facility_power"] = np.multiply(np.multiply(count, power), facility_factor)
    costs = []
    if price is not None:
        costs.append(np.multiply(gpu_hours, price))
    if electricity is not None and "energy" in out:
        costs.append(np.multiply(out["energy"], electricity))
    if costs:
        out["cost"] = sum(costs)
    return {name: np.asarray(value, dtype=float) for name, value in out.items()}


def h100e(
    *,
    basis: str,
    ref_bf16: Value,
    ref_fp8: Value,
    ref_bandwidth: Value,
    count: Value = None,
    gpu_bf16: Value = None,
    gpu_fp8: Value = None,
    gpu_bandwidth: Value = None,
    capacity: Value = None,
    precision: str = "bf16",
    factor: Value = None,
) -> dict[str, Array]:
    """H100-equivalents of a fleet, a capacity figure, or a stated speed-up.

    Fleet: ``count x metric / metric(H100 SXM)`` on the basis ``bf16`` (dense BF16 FLOP/s,
    Epoch AI's data-centre convention), ``fp8`` (dense 8-bit, Epoch AI's chip-sales
    convention), ``bandwidth`` (HBM bytes/s, for memory-bound work) or ``all``.
    Capacity: ``capacity [FLOP/s] / H100 peak [FLOP/s]`` at ``precision``.
    Factor: ``count x factor`` (a stated speed-up over an H100).
    Returns ``h100e`` [-] (``h100e_<basis>`` for each basis with ``all``) and, for a fleet,
    ``peak_compute`` [FLOP/s] at ``precision``.
    """
    if capacity is not None:
        if count is not None or factor is not None:
            raise ModeError("--capacity stands alone: drop --count and --factor")
        ref = at_precision(precision, ref_bf16, ref_fp8)
        return {"h100e": np.asarray(np.divide(capacity, ref), dtype=float)}
    if count is None:
        raise ModeError("give --count (with --gpu or --factor), or --capacity")
    if factor is not None:
        return {"h100e": np.asarray(np.multiply(count, factor), dtype=float)}
    if gpu_bf16 is None:
        raise ModeError("give --gpu NAME (or --factor) with --count")
    ratios = {
        "bf16": np.divide(gpu_bf16, ref_bf16),
        "fp8": np.divide(gpu_fp8, ref_fp8),
        "bandwidth": np.divide(gpu_bandwidth, ref_bandwidth),
    }
    peak = at_precision(precision, gpu_bf16, gpu_fp8)
    out: dict[str, Value] = {}
    if basis == "all":
        for name, ratio in ratios.items():
            out[f"h100e_{name}"] = np.multiply(count, ratio)
    elif np.any(np.isnan(ratios[basis])):
        raise ModeError(f"the GPU has no {basis} figure: use another --basis (or --basis all)")
    else:
        out["h100e"] = np.multiply(count, ratios[basis])
    out["peak_compute"] = np.multiply(count, peak)
    return {name: np.asarray(value, dtype=float) for name, value in out.items()}
