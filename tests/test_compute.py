"""The FLOP and H100e core against published figures, plus invariants."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import core

H100_BF16 = 989.4e12  # NVIDIA H100 datasheet, dense BF16 (1,979 TFLOPS with sparsity / 2)
H100_FP8 = 1979e12
REF: dict[str, Any] = {"ref_bf16": H100_BF16, "ref_fp8": H100_FP8, "ref_peak": H100_BF16}


def test_gpt3_training_compute() -> None:
    """GPT-3 175B: 174.6e9 parameters x 300e9 tokens -> 3.14e23 FLOP (Brown et al. 2020,
    arXiv:2005.14165, Table D.1)."""
    assert core("flops", params=174.6e9, tokens=300e9)["total_flop"] == pytest.approx(
        3.14e23, rel=2e-3
    )


def test_llama3_405b_training_compute() -> None:
    """Llama 3 405B: 405B parameters on 15.6T tokens, 3.8e25 FLOP ("The Llama 3 Herd of
    Models", arXiv:2407.21783, section 1)."""
    out = core("flops", **REF, peak=H100_BF16, params=405e9, tokens=15.6e12, mfu=0.4)
    assert out["total_flop"] == pytest.approx(3.8e25, rel=0.01)


def test_llama3_405b_utilisation_from_gpu_hours() -> None:
    """Llama 3.1 405B used 30.84M H100-80GB GPU-hours (model card) for 3.8e25 FLOP (paper):
    the implied average utilisation over all those hours is 3.8e25 / (30.84e6 h x 3600 s/h x
    989.4e12 FLOP/s) = 34.6 %, below the 38-43 % MFU the paper reports for steady training."""
    out = core("flops", **REF, peak=H100_BF16, budget=3.8e25, gpu_hours=30.84e6 * 3600)
    assert out["mfu"] == pytest.approx(0.346, abs=5e-4)


def test_llama3_table4_throughput() -> None:
    """Llama 3 paper Table 4: 16,384 H100s at 41 % BF16 MFU give 400 TFLOP/s per GPU."""
    out = core("flops", **REF, peak=H100_BF16, count=16384, duration=1.0, mfu=0.41)
    assert out["total_flop"] / 16384 == pytest.approx(400e12, rel=0.02)


def test_1e30_on_h100_needs_7e11_gpu_hours() -> None:
    """1e30 FLOP / (989.4e12 FLOP/s x 0.4) / 3600 s/h = 7.02e11 GPU-hours."""
    out = core("flops", **REF, peak=H100_BF16, budget=1e30, mfu=0.4)
    assert out["gpu_hours"] / 3600 == pytest.approx(7.019e11, rel=1e-3)
    assert out["h100e_years"] == pytest.approx(out["gpu_hours"])


def test_energy_cost_and_facility_power_by_hand() -> None:
    # 1,000 GPUs x 1 kW x PUE 1.2 = 1.2 MW; for 10 days = 288 MWh; at 0.1 USD/kWh = 28,800 USD;
    # plus 240,000 GPU-hours x 2 USD/h = 480,000 USD.
    out = core(
        "flops",
        **REF,
        peak=H100_BF16,
        count=1000,
        duration=10 * 86400,
        mfu=0.4,
        power=1000.0,
        pue=1.2,
        electricity=0.1 / 3.6e6,
        price=2 / 3600,
    )
    assert out["facility_power"] == pytest.approx(1.2e6)
    assert out["energy"] == pytest.approx(288e6 * 3600)
    assert out["cost"] == pytest.approx(28_800 + 480_000)


@pytest.mark.parametrize(
    ("kwargs", "absent"),
    [
        ({"count": 10, "duration": 5.0}, "total_flop"),  # no mfu, no budget
        ({"budget": 1e25, "count": 10}, "mfu"),  # one of three with a budget
        ({"params": 1e9}, "total_flop"),  # params without tokens
    ],
)
def test_underdetermined_inputs_leave_results_out(kwargs: dict[str, Any], absent: str) -> None:
    assert absent not in core("flops", **REF, peak=H100_BF16, **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"budget": 1e25, "count": 10, "duration": 5.0, "mfu": 0.4},
        {"budget": 1e25, "params": 1e9, "tokens": 1e9, "mfu": 0.4},
    ],
)
def test_contradicting_inputs_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(AssertionError, match=r"contradict|comes out at"):
        core("flops", **REF, peak=H100_BF16, **kwargs)


def test_consistent_overdetermined_inputs_are_accepted() -> None:
    """6 x 7e9 x 2e12 = 8.4e22 FLOP, given twice."""
    out = core("flops", budget=8.4e22, params=7e9, tokens=2e12)
    assert out["total_flop"] == pytest.approx(8.4e22)


@given(st.floats(1, 1e7), st.floats(3600, 3e8), st.floats(0.01, 1.0), st.floats(1e13, 1e16))
def test_inverse_modes_round_trip(count: float, duration: float, mfu: float, peak: float) -> None:
    forward = core("flops", **REF, peak=peak, count=count, duration=duration, mfu=mfu)
    budget = forward["total_flop"]
    assert core("flops", **REF, peak=peak, budget=budget, count=count, duration=duration)[
        "mfu"
    ] == (pytest.approx(mfu, rel=1e-12))
    assert core("flops", **REF, peak=peak, budget=budget, count=count, mfu=mfu)["duration"] == (
        pytest.approx(duration, rel=1e-12)
    )
    assert core("flops", **REF, peak=peak, budget=budget, duration=duration, mfu=mfu)["count"] == (
        pytest.approx(count, rel=1e-12)
    )


def test_flops_broadcasts_and_survives_1e33() -> None:
    out = core(
        "flops", **REF, peak=np.array([[1e15], [2e15]]), budget=np.array([1e30, 1e33]), mfu=0.5
    )
    assert out["gpu_hours"].shape == (2, 2)
    assert out["gpu_hours"][1, 1] == pytest.approx(1e33 / 1e15)


def test_h100e_bases() -> None:
    """GB200 (2,500 dense BF16 TFLOP/s, NVIDIA GB200 NVL72 page) = 2.527 H100 SXM (989.4)."""
    gb200 = {"gpu_bf16": 2500e12, "gpu_fp8": 5000e12, "gpu_bandwidth": 8e12, "gpu_peak": 2500e12}
    fleet = core("h100e", {"basis": "all"}, **REF, ref_bandwidth=3.35e12, count=400_000, **gb200)
    assert fleet["h100e_bf16"] == pytest.approx(400_000 * 2500 / 989.4)
    assert fleet["h100e_fp8"] == pytest.approx(400_000 * 5000 / 1979)
    assert fleet["h100e_bandwidth"] == pytest.approx(400_000 * 8 / 3.35)
    assert "h100e" not in fleet
    capacity = core("h100e", {"basis": "bf16"}, **REF, ref_bandwidth=3.35e12, capacity=8e18)
    assert capacity["h100e"] == pytest.approx(8e18 / 989.4e12)
    factor = core(
        "h100e", {"basis": "bf16"}, **REF, ref_bandwidth=3.35e12, count=300_000, factor=3.0
    )
    assert factor["h100e"] == pytest.approx(900_000)
