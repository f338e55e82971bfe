"""flops' defaults fitted on measurements (preset training-fit): the MFU, from measured
training GPU time, ranged up to the steady-state MFUs that training reports publish; the
draw fraction that sets a --gpu's power without --power, from measured server draw. Each is
used only where nothing else gives it, and marked where it came from."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from conftest import REPO, run
from tcoctl.pipeline import calibration, training_fit, validation
from tcoctl.presets import ANY_GPU, load

RANGES = {
    label: tuple(float(x) for x in text.split(".."))
    for label, text in zip(
        load("training-fit").sections["flops"]["mfu"].labels,
        load("training-fit").sections["flops"]["mfu"].value,
        strict=True,
    )
}
TRAINING = {
    case.id
    for case in validation.load_cases()
    if case.calculator == "flops"
    and case.result in ("gpu_hours", "facility_power")
    and case.kind == "measured"
}
DRAW = tuple(
    float(x) for x in str(load("training-fit").sections["flops"]["draw-fraction"].value).split("..")
)


def flops(*args: str) -> dict[str, Any]:
    found: dict[str, Any] = run("flops", *args, "--format", "json").json()
    return found


def test_the_stored_fit_is_a_fresh_fit_of_the_fit_split() -> None:
    """presets/training-fit.toml is what the fit gives today (rerun `python -m
    tcoctl.pipeline.training_fit presets DATE` after changing the dataset or the model)."""
    stored = (REPO / "presets" / "training-fit.toml").read_text(encoding="utf-8")
    date = stored.split('as_of = "', 1)[1].split('"', 1)[0]
    fits = training_fit.fit(validation.load_cases())
    assert training_fit.preset_text(fits, date) == stored


def test_the_fit_never_reads_held_out_values() -> None:
    cases = validation.load_cases()
    moved = [replace(c, expected=c.expected * 100) if c.split == "held-out" else c for c in cases]
    assert training_fit.fit(moved) == training_fit.fit(cases)


@pytest.mark.parametrize("published", training_fit.PUBLISHED, ids=lambda p: f"{p.value}")
def test_the_range_holds_the_published_steady_state_mfus(
    published: training_fit.Published,
) -> None:
    """Llama 3 405B, 38-43 % BF16 MFU on 8,192-16,384 H100s (arXiv:2407.21783, Table 4);
    Megatron-LM, 52 % of peak on 3,072 A100s (arXiv:2104.04473); MegaScale, 55.2 % MFU on
    12,288 GPUs (arXiv:2402.15627); PaLM, 46.2 % on 6,144 TPU v4 chips (arXiv:2204.02311):
    each lies inside the default range of its hardware (the pooled range for any)."""
    gpus = calibration.FAMILIES.get(published.family, (ANY_GPU,))
    for gpu in (*gpus, ANY_GPU):
        low, _, high = RANGES[gpu]
        assert low <= published.value <= high, gpu
    if published.family == "hopper":  # the whole published span, 38 % to 43 %
        assert RANGES["h100-sxm"][0] <= 0.38


def test_the_measured_training_runs_and_server_draws_run_and_are_scored() -> None:
    """Llama 2 7B/13B/70B, Llama 3 8B/70B, Llama 3.1 8B/70B/405B and DeepSeek-V3: the model
    cards' GPU hours, estimated at the default MFU; and an 8 x H200 server's measured draw in
    MLPerf Inference v4.1 (offline and server), at the default draw fraction."""
    records = {r["id"]: r for r in validation.validate("flops")["cases"] if r["id"] in TRAINING}
    assert len(records) == 11
    for record in records.values():
        assert "skipped" not in record and "message" not in record, record["id"]
        assert record["low"] <= record["got"] <= record["high"]
        assert record["pass"] is (record["low"] <= record["expected"] <= record["high"])


def test_the_default_answers_gpu_hours_with_a_range_and_says_so() -> None:
    """`flops --params 70e9 --tokens 2e12 --gpu a100-sxm` answers GPU hours: 6 x 70e9 x 2e12
    FLOP at the A100's 312 TFLOP/s BF16 peak times the A100's default MFU (its low, centre
    and high give the high, centre and low GPU hours)."""
    found = flops("--params", "70e9", "--tokens", "2e12", "--gpu", "a100-sxm")
    mfu = found["inputs"]["mfu"]
    assert mfu["from"] == "preset training-fit (default)"
    low, centre, high = RANGES["a100-sxm"]
    assert (mfu["value"], mfu["low"], mfu["high"]) == (centre, low, high)
    hours = found["results"]["gpu_hours"]
    ideal = 6 * 70e9 * 2e12 / 312e12 / 3600
    assert hours["value"] == pytest.approx(ideal / centre)
    assert hours["low"] == pytest.approx(ideal / high)
    assert hours["high"] == pytest.approx(ideal / low)


def test_a_gpu_of_no_family_takes_the_pooled_default_marked_so() -> None:
    mfu = flops("--params", "7e9", "--tokens", "1e12", "--peak", "500 TFLOP/s")["inputs"]["mfu"]
    assert mfu["from"] == "preset training-fit (default) [fit: pooled]"
    assert mfu["value"] == RANGES[ANY_GPU][1]


@pytest.mark.parametrize(
    ("given", "mfu"),
    [
        (("--mfu", "0.4"), 0.4),
        (("--achieved", "156 TFLOP/s"), 0.5),
        (("--gpu-hours", "1e6 h"), 6 * 70e9 * 2e12 / (1e6 * 3600 * 312e12)),
    ],
)
def test_a_given_or_derived_mfu_overrides_the_default(given: tuple[str, ...], mfu: float) -> None:
    found = flops("--params", "70e9", "--tokens", "2e12", "--gpu", "a100-sxm", *given)
    assert "from" not in found["inputs"].get("mfu", {})
    assert found["results"]["mfu"]["value"] == pytest.approx(mfu)
    hours = found["results"]["gpu_hours"]  # no range from the MFU
    assert hours.get("low", hours["value"]) == hours.get("high", hours["value"]) == hours["value"]


def test_the_default_is_left_out_where_it_carries_nothing_but_the_hardware() -> None:
    """An energy question without a GPU uses no MFU, and shows none; --gpu alone (or with
    an unused --duration) is no training run, so the default does not make it one."""
    found = flops("--count", "1", "--duration", "1000 h", "--power", "1 kW")
    assert "mfu" not in found["inputs"] and "low" not in found["results"]["energy"]
    assert run("flops", "--gpu", "h100-sxm").code == 2
    assert run("flops", "--gpu", "h100-sxm", "--duration", "30 day").code == 2


@pytest.mark.parametrize("published", training_fit.PUBLISHED_DRAW, ids=lambda p: f"{p.value}")
def test_the_draw_range_holds_the_published_measurements(
    published: training_fit.Published,
) -> None:
    """Newkirk et al. 2025 (arXiv:2506.14551): training "at only 76% of the 10.2 kW TDP
    rating"; Latif et al. 2024 (arXiv:2412.08602): at most "approximately 8.4 kW" of it."""
    assert DRAW[0] <= published.value <= DRAW[2]


def test_a_gpu_without_power_draws_its_measured_fraction_of_tdp_x_1_82() -> None:
    """8 H100s at 700 W TDP: the rated 10.2 kW of a DGX H100 (1.82 x TDP per GPU) times the
    default draw fraction; a given --power replaces it, and the fraction is then not shown."""
    found = flops("--gpu", "h100-sxm", "--count", "8", "--pue", "1")
    fraction = found["inputs"]["draw-fraction"]
    assert fraction["from"] == "preset training-fit (default)"
    power = found["results"]["facility_power"]
    assert power["value"] * 1e6 == pytest.approx(10_200 * DRAW[1])
    assert (power["low"] * 1e6, power["high"] * 1e6) == (
        pytest.approx(10_200 * DRAW[0]),
        pytest.approx(10_200 * DRAW[2]),
    )
    given = flops("--gpu", "h100-sxm", "--count", "8", "--pue", "1", "--power", "1 kW")
    assert "draw-fraction" not in given["inputs"]
    assert given["results"]["facility_power"]["value"] == pytest.approx(0.008)  # MW


def test_a_batch_line_takes_its_own_gpus_default_as_a_single_run_does() -> None:
    lines = "".join(
        f'{{"gpu": "{gpu}", "params": "70e9", "tokens": "2e12"}}\n' for gpu in ("a100-sxm", "b200")
    )
    records = run("flops", "--input", "-", "--format", "json", input=lines).records()
    for record, gpu in zip(records, ("a100-sxm", "b200"), strict=True):
        alone = flops("--gpu", gpu, "--params", "70e9", "--tokens", "2e12")["results"]
        assert record["results"]["gpu_hours"] == alone["gpu_hours"]  # as_of too


def test_inference_draws_the_same_measured_fraction_of_tdp_x_1_82() -> None:
    """Serving energy follows the average draw, not the rating: an H100 (700 W TDP) draws
    1,275 W x the default fraction (Newkirk et al. 2025: "only 76% of the 10.2 kW TDP
    rating"), and J/token scales with it; --draw-fraction 1 gives the rating back."""
    args = ("--gpu", "h100-sxm", "--format", "json")
    found = run("inference", *args).json()
    assert found["inputs"]["draw-fraction"]["from"] == "preset training-fit (default)"
    power = found["results"]["power_per_gpu"]
    assert (power["low"], power["value"], power["high"]) == tuple(
        pytest.approx(10_200 / 8 * fraction) for fraction in DRAW
    )
    rated = run("inference", *args, "--draw-fraction", "1").json()["results"]
    assert found["results"]["energy_per_token"]["value"] == pytest.approx(
        rated["energy_per_token"]["value"] * DRAW[1]
    )
    given = run("inference", *args, "--power", "1 kW").json()
    assert "draw-fraction" not in given["inputs"]


def test_tco_bills_energy_at_the_measured_draw_of_its_rated_power() -> None:
    """tco sizes the facility for the rating (power) and bills the average draw: load is the
    measured draw fraction unless --load is given. frontier-2024: 100,000 GPUs x 1,275 W x
    load x PUE over a year (8,766 h)."""
    found = run("tco", "--pue", "1", "--format", "json").json()
    assert found["inputs"]["draw-fraction"]["from"] == "preset training-fit (default)"
    assert "load" not in found["inputs"]
    assert found["results"]["power_per_gpu"]["value"] == 1275
    energy = found["results"]["annual_energy"]  # GWh/yr
    assert energy["value"] == pytest.approx(1e5 * 1275 * DRAW[1] * 8766 / 1e9)
    assert energy["low"] == pytest.approx(1e5 * 1275 * DRAW[0] * 8766 / 1e9)
    loaded = run("tco", "--pue", "1", "--load", "0.5", "--format", "json").json()
    assert loaded["results"]["annual_energy"]["value"] == pytest.approx(
        1e5 * 1275 * 0.5 * 8766 / 1e9
    )
    assert "draw-fraction" not in loaded["inputs"]
