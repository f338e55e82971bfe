"""The inference calculator: published serving arithmetic, the H20 question, goal-seeks on
the batch, and the memory a batch needs."""

from __future__ import annotations

import pytest
import tomli
from hypothesis import example, given
from hypothesis import strategies as st

import tcoctl
from conftest import REPO, core, results, run
from tcoctl.core.inference import experts_touched

H100_BW, H20_BW = 3.35e12, 4.0e12
H100_BF16, H20_BF16 = 989.4e12, 148e12
ROOFLINE = ("--bandwidth-efficiency", "1", "--compute-efficiency", "1")
"""The roofline: the published arithmetic below is at full bandwidth and peak."""


def one(name: str, *args: str) -> float:
    """One result of ``tcoctl inference ARGS`` in its display unit."""
    found: float = results("inference", *args)[name]["value"]
    return found


def test_kv_cache_per_token_of_a_70b_gqa_model() -> None:
    """Llama 2 70B / Llama 3.1 70B (80 layers, 8 KV heads of 128, BF16): 2 x 80 x 8 x 128 x
    2 B = 327,680 B per token, 1,342,177,280 B for 4,096 tokens (IETF draft
    draft-calabria-bmwg-ai-fabric-inference-bench, appendix: "S_KV = 2 × L × H_kv × D × C ×
    P_bytes = 2 × 80 × 8 × 128 × 4,096 × 2")."""
    out = core("inference", layers=80, kv_heads=8, head_dim=128, kv_bytes=2,
               prompt_tokens=4096, output_tokens=0)  # fmt: skip
    assert out["kv_bytes_per_token"] == 327_680
    assert out["kv_cache_per_sequence"] == 1_342_177_280
    assert one("kv_cache_per_token") == 320  # KiB, from the default preset's config figures


def test_mla_caches_one_latent_without_a_factor_two() -> None:
    """DeepSeek-V3 (config.json: 61 layers, kv_lora_rank 512 + qk_rope_head_dim 64): 61 x
    576 x 2 B = 70,272 B per token (DeepSeek-V2 paper, arXiv:2405.04434, Table 1: MLA caches
    (d_c + d_h^R) l elements)."""
    assert one("kv_cache_per_token", "--preset", "deepseek-v3") * 1024 == 70_272


def test_memory_bound_time_per_token_at_batch_one() -> None:
    """Modal GPU Glossary, "What does it mean to be memory-bound?"
    (https://modal.com/gpu-glossary/perf/memory-bound): 500B parameters in 16-bit precision
    (1 TB) on a GPU with 10 TB/s take at least 1 TB / 10 TB/s = 100 ms per output token; kipply,
    "Transformer Inference Arithmetic": the floor is 2 x params bytes / bandwidth."""
    out = core("inference", params=500e9, weight_bytes=2, batch=1, kv_bytes_per_token=0,
               context_tokens=1, bandwidth=10e12, peak=1e15,
               bandwidth_efficiency=1, compute_efficiency=1, gpus_per_replica=1)  # fmt: skip
    assert out["step_time"] == pytest.approx(0.1)
    assert out["bound"] == 0  # memory
    assert out["replica_throughput"] == pytest.approx(10.0)


def test_llama_3_1_8b_on_one_h100_at_batch_one() -> None:
    """8,030,261,248 BF16 parameters (config.json) over 3.35 TB/s: 16.06 GB / 3.35 TB/s =
    4.794 ms, plus the KV cache of 2,112 tokens (131,072 B each, 0.28 GB): 4.877 ms."""
    t = one("time_per_output_token", "--preset", "llama-3.1-8b", "--batch", "1", *ROOFLINE)
    weights = 8_030_261_248 * 2
    kv = 131_072 * (2048 + 128 / 2)
    assert t == pytest.approx((weights + kv) / H100_BW * 1e3)
    assert weights / H100_BW * 1e3 == pytest.approx(4.794, abs=5e-4)


@pytest.mark.parametrize(
    ("batch", "prompt", "output", "measured"),
    [(32, 2048, 128, 303), (512, 128, 128, 3014)],
)
def test_published_throughput_lies_under_the_roofline(
    batch: int, prompt: int, output: int, measured: float
) -> None:
    """NVIDIA TensorRT-LLM v0.5.0, "H200 achieves nearly 12,000 tokens/sec on Llama2-13B"
    (docs/source/blogs/H200launch.md), table "H200 FP8 Max throughput": llama_70b on one H200
    (TP 1) in FP8, batch 32 with 2,048 in / 128 out: 303 output tok/s/GPU; batch 512 with
    128 / 128: 3,014. The roofline (weights and KV cache in 1 byte, efficiencies 1, prefill
    included as in the measurement) must lie above, and not absurdly far."""
    args = ["--gpu", "h200", "--precision", "fp8", "--params", "69e9", "--weight-bytes", "1"]
    args += ["--kv-bytes", "1", "--gpus-per-replica", "1", "--batch", str(batch)]
    args += ["--prompt-tokens", str(prompt), "--output-tokens", str(output)]
    out = results("inference", *args, *ROOFLINE)
    bound = out["tokens_per_second_per_gpu"]["value"]
    assert measured < bound < 10 * measured
    assert out["fits"]["label"] == "yes"


def test_the_h20_decodes_at_its_bandwidth_ratio_not_its_flop_ratio() -> None:
    """The seed's H20 "with different compute-to-memory bandwidth ratios": decode of the
    default 70B scenario is memory-bound on both, so H100 / H20 time per output token =
    4.0 / 3.35 = 1.19, not 148 / 989.4 = 0.15. Served tokens/s also counts the prompts'
    prefill, which is compute-bound: there the H20 falls far behind."""
    four = ("--gpus-per-replica", "4", *ROOFLINE)
    h100 = one("time_per_output_token", "--gpu", "h100-sxm", *four)
    h20 = one("time_per_output_token", "--gpu", "h20", *four)
    assert h100 / h20 == pytest.approx(H20_BW / H100_BW)
    assert results("inference", "--gpu", "h20", *ROOFLINE)["bound"]["label"] == "memory"
    served = [
        one("tokens_per_second_per_gpu", "--gpu", gpu, *ROOFLINE) for gpu in ("h20", "h100-sxm")
    ]
    assert served[0] / served[1] < H20_BW / H100_BW
    # with 40 % of peak achieved, the H20's decode turns compute-bound
    slow = ["--gpu", "h20", "--gpus-per-replica", "4", "--bandwidth-efficiency", "1"]
    slow += ["--compute-efficiency", "0.4"]
    assert results("inference", *slow)["bound"]["label"] == "compute"
    assert H20_BF16 / H100_BF16 < h100 / one("time_per_output_token", *slow) < H20_BW / H100_BW


def test_solve_batch_for_a_cost_per_million_tokens() -> None:
    """--solve batch --for cost_per_million_tokens="10 USD/Mtoken": the batch found gives that
    cost when run forward."""
    out = results("inference", "--solve", "batch", "--for",
                  "cost_per_million_tokens=10 USD/Mtoken")  # fmt: skip
    batch = out["batch"]["value"]
    assert out["cost_per_million_tokens"]["value"] == pytest.approx(10.0, rel=1e-9)
    again = one("cost_per_million_tokens", "--batch", repr(batch))
    assert again == pytest.approx(10.0, rel=1e-9)
    # 10 USD per million at 1.80 USD/h is 50 tokens/s per GPU, 200 per 4-GPU replica
    assert out["tokens_per_second"]["value"] == pytest.approx(200, rel=1e-9)


def test_the_largest_batch_fits_and_one_more_does_not() -> None:
    largest = one("max_batch")
    assert one("memory_headroom", "--batch", str(int(largest))) >= 0
    assert results("inference", "--batch", str(int(largest) + 1))["fits"]["label"] == "no"
    # closed form: the headroom goes to zero at the largest real batch
    out = results("inference", "--solve", "batch", "--for", "memory_headroom=0 GB")
    assert largest <= out["batch"]["value"] < largest + 1


def test_mixture_of_experts_reads_and_computes_its_active_parameters() -> None:
    """DeepSeek-V3: 671B parameters held, 37B active per token (arXiv:2412.19437), and
    attention's own FLOP at the preset's mean context 2,048 + 128 / 2 = 2,112: 2 x 61 layers
    x 128 heads x (576 + 512) x 2,112 = 35,883,319,296 per token (MLA, absorbed), which the
    preset runs at the H100's BF16 peak (989.4 TFLOP/s; DeepSeek: "core MLA computations
    ... use the BF16 format"), the matmuls at FP8 (1,979)."""
    out = results("inference", "--preset", "deepseek-v3", *ROOFLINE)
    assert out["weight_memory"]["value"] == pytest.approx(671)  # GB in FP8
    seconds = (2 * 37e9 / 1979e12 + 35_883_319_296 / 989.4e12) * 32 / 16
    assert out["compute_time"]["value"] == pytest.approx(seconds * 1e3)


def test_a_batch_reads_the_experts_its_tokens_touch() -> None:
    """Oncescu et al. (Together AI), "Opportunistic Expert Activation: Batch-Aware Expert
    Routing for Faster Decode Without Retraining", section 2: "each token activates k = 8
    experts out of N = 128 total ones (as is the case for Qwen3). For a batch size of 16
    tokens ... the expected number of activated experts is 82" (footnote: "N(1 - (1 -
    k/N)^B)"; Huang et al., MoESD, arXiv:2505.19645, Eq. 8)."""
    touched = one("experts_touched", "--experts", "128", "--experts-per-token", "8",
                  "--batch", "16")  # fmt: skip
    assert touched == pytest.approx(82, abs=0.5)  # the paper prints 2 s.f.


@given(
    experts=st.floats(1.0, 1e15),
    share=st.floats(0.0, 1.0),
    batch=st.floats(1.0, 1e6),
)
@example(experts=9.0, share=1.08984375 / 9.0, batch=1.0)  # rounded past K x B before
def test_experts_touched_lies_between_one_token_and_its_limits(
    experts: float, share: float, batch: float
) -> None:
    """A batch touches at least one token's k experts and never more than every expert or
    k per token, k x B, rounding included (at E = 1e12, k = 8, B = 32 the naive form gave
    256.0014)."""
    per_token = max(1.0, share * experts)
    touched = float(experts_touched(experts, per_token, batch))
    assert per_token * (1 - 1e-12) <= touched <= min(experts, per_token * batch)


def test_more_experts_per_token_than_experts_is_refused() -> None:
    """New-user trial, item 4: it exited 1 with no example; the user typed both, so it is a
    usage error (exit 2) with an example that runs, at most the experts given."""
    outcome = run("inference", "--experts", "8", "--experts-per-token", "16")
    assert outcome.code == 2 and outcome.stderr.count("\n") == 1, outcome.stderr
    assert outcome.stderr == (
        "tcoctl: error: llama-3.1-70b: inference: --experts-per-token is more than --experts: "
        "a token uses at most every expert (e.g. --experts-per-token 2)\n"
    )
    assert run("inference", "--experts", "8", "--experts-per-token", "2").code == 0
    one = run("inference", "--experts", "1", "--experts-per-token", "16")
    assert one.code == 2 and "(e.g. --experts-per-token 1)" in one.stderr


def test_experts_on_a_dense_model_are_named_as_changing_nothing() -> None:
    """Dubey et al., "The Llama 3 Herd of Models" (2024), https://arxiv.org/abs/2407.21783,
    section 1: "we opt for a standard dense Transformer model architecture (Vaswani et al.,
    2017) with minor adaptations, rather than for a mixture-of-experts model". The default
    preset is Llama 3.1 70B: --experts on it changes no figure, and one line says why; with
    active parameters fewer than the total it reads the touched experts and says nothing."""
    moe = ("--experts", "8", "--experts-per-token", "2")
    plain = run("inference", "--format", "json")
    dense = run("inference", *moe, "--format", "json")
    assert dense.code == 0
    said = [line for line in dense.stderr.splitlines() if "--experts" in line]
    assert said == [
        "tcoctl: warning: llama-3.1-70b: --experts changes nothing: the model is dense "
        "(--active-params equals --params, every token uses every parameter); give "
        "--active-params for an MoE model"
    ]
    speed = "tokens_per_second_per_gpu"
    assert dense.json()["results"][speed] == plain.json()["results"][speed]
    sparse = run("inference", *moe, "--active-params", "20e9", "--format", "json")
    assert "--experts" not in sparse.stderr
    assert sparse.json()["results"][speed]["value"] > plain.json()["results"][speed]["value"]


@given(
    experts=st.integers(2, 512),
    share=st.floats(0.001, 1.0),
    batch=st.floats(1.0, 4096.0),
)
def test_a_decode_step_reads_between_the_active_and_all_parameters(
    experts: int, share: float, batch: float
) -> None:
    """One token reads its k experts alone; a batch reads more, never more than every
    expert: active <= decode params <= params, equal to active at batch 1."""
    per_token = max(1, min(experts - 1, round(share * experts)))
    params, active = 100e9, 20e9
    out = core("inference", params=params, active_params=active, experts=experts,
               experts_per_token=per_token, batch=batch)  # fmt: skip
    assert active * (1 - 1e-9) <= out["decode_params"] <= params * (1 + 1e-9)
    at_one = core("inference", params=params, active_params=active, experts=experts,
                  experts_per_token=per_token, batch=1)  # fmt: skip
    assert at_one["decode_params"] == pytest.approx(active)


def test_a_context_length_alone_is_read_in_full_every_step() -> None:
    out = core("inference", params=8e9, weight_bytes=2, batch=4, kv_bytes_per_token=1e5,
               context_tokens=8192, bandwidth=1e12, gpus_per_replica=1,
               bandwidth_efficiency=1)  # fmt: skip
    assert out["memory_time"] == pytest.approx((16e9 + 4 * 1e5 * 8192) / 1e12)
    assert "prefill_time" not in out  # no prompt length given


def test_energy_cost_and_emissions_per_token() -> None:
    """J/token = all-in power x PUE / tokens/s per GPU; at 1,275 W and PUE 1, 1,000 tokens/s
    is 1.275 J/token; at 0.4 kgCO2e/kWh a million tokens emit 1.275 MJ x 0.4 / 3.6 MJ/kWh
    = 0.1417 kgCO2e."""
    args = ("--power", "1275 W", "--pue", "1", "--carbon-intensity", "0.4 kg/kWh",
            "--electricity", "0.1 USD/kWh")  # fmt: skip
    out = results("inference", *args)
    per_gpu = out["tokens_per_second_per_gpu"]["value"]
    assert out["energy_per_token"]["value"] == pytest.approx(1275 / per_gpu)
    energy = 1275 / per_gpu * 1e6  # J per million tokens
    assert out["emissions_per_million_tokens"]["value"] == pytest.approx(energy / 3.6e6 * 0.4)
    gpu_cost = 1.80 / 3600 / per_gpu * 1e6
    assert out["cost_per_million_tokens"]["value"] == pytest.approx(gpu_cost + energy / 3.6e6 * 0.1)


def test_reference_price_is_set_beside_the_cost() -> None:
    out = results("inference", "--reference-price", "10 USD/Mtoken")
    cost = out["cost_per_million_tokens"]["value"]
    assert out["price_to_cost"]["value"] == pytest.approx(10 / cost)


def test_default_table_answers_first_and_names_the_bound() -> None:
    outcome = run("inference", "--format", "table")
    lines = outcome.stdout.splitlines()
    head = "\n".join(lines[:9])
    for name in ("tokens_per_second_per_gpu", "cost_per_million_tokens", "energy_per_token"):
        assert name in head
    assert any(line.split()[:2] == ["bound", "memory"] for line in lines[:9])


def test_carbon_intensity_is_never_a_price() -> None:
    outcome = run("inference", "--carbon-intensity", "0.4 USD/kWh")
    assert outcome.code == 2 and "money per energy, expected CO2e per energy" in outcome.stderr
    outcome = run("inference", "--electricity", "0.4 kg/kWh")
    assert outcome.code == 2 and "a mass per energy, expected money per energy" in outcome.stderr


def test_a_replica_that_does_not_fit_is_warned_about() -> None:
    """Llama 3.1 405B in BF16 needs about 812 GB of weights: two 80 GB H100s cannot hold it,
    so the run says its speed and cost are hypothetical."""
    outcome = run("inference", "--preset", "llama-3.1-405b", "--gpus-per-replica", "2",
                  "--format", "json")  # fmt: skip
    assert outcome.code == 0
    assert outcome.json()["results"]["fits"]["label"] == "no"
    assert "do not fit in memory" in outcome.stderr


def test_a_chip_without_a_tdp_serves_and_names_what_its_energy_needs() -> None:
    """tpu-v6e's preset has no TDP: the serving results stand, and the warning names the
    missing figure and --power instead of blaming the largest float (issue 19 item 6)."""
    outcome = run("inference", "--gpu", "tpu-v6e", "--format", "json")
    assert outcome.code == 0, outcome.stderr
    assert "cost_per_million_tokens" in outcome.json()["results"]
    assert (
        "tpu-v6e has no tdp figure (Board power (TDP)): energy_per_token, power_per_gpu need it"
        in (outcome.stderr)
    )
    assert "give --power" in outcome.stderr


def test_the_default_efficiencies_are_the_gpu_familys_fit() -> None:
    """presets/serving-fit.toml holds one fitted range per GPU (per = "gpu"); a GPU of no
    fitted family takes the pooled fit, and its JSON says so in ``from``."""
    preset = tomli.loads((REPO / "presets" / "serving-fit.toml").read_text(encoding="utf-8"))
    entry = preset["inference"]["bandwidth-efficiency"]
    for gpu in ("a100-sxm", "mi300x", "tpu-v5p"):
        item = run("inference", "--gpu", gpu, "--format", "json").json()["inputs"][
            "bandwidth-efficiency"
        ]
        label = gpu if gpu in entry["labels"] else "*"
        low, centre, high = entry["value"][entry["labels"].index(label)].split("..")
        assert (item["low"], item["value"], item["high"]) == tuple(
            float(x) for x in (low, centre, high)
        )
        assert ("from" in item) == (label == "*")


def test_a_fitted_figure_picked_again_for_a_fitted_gpu_drops_the_pooled_mark() -> None:
    """A batch line's GPU re-picks the per-GPU fitted figures of the run's (engine.rederive
    once in gather, again per group): gaudi3 (no fitted family) takes the pooled fit, marked
    so; an h100-sxm line then took the Hopper fit but kept '[fit: pooled]'."""
    from tcoctl import engine
    from tcoctl.pipeline.runner import choose_preset
    from tcoctl.specs import CALCULATORS

    calc = CALCULATORS["inference"]
    given = engine.gather(calc, {"gpu": "gaudi3"}, choose_preset(calc, None, {}), lines=True)
    assert given["bandwidth-efficiency"].origin == "preset serving-fit [fit: pooled]"
    for item in engine.expand(calc, calc.input("gpu"), "h100-sxm", "--gpu"):
        engine.put(given, item)
    engine.rederive(calc, given, ["gpu"])
    preset = tomli.loads((REPO / "presets" / "serving-fit.toml").read_text(encoding="utf-8"))
    entry = preset["inference"]["bandwidth-efficiency"]
    hopper = entry["value"][entry["labels"].index("h100-sxm")]
    picked = given["bandwidth-efficiency"]
    assert (picked.text, picked.origin) == (hopper, "preset serving-fit")


def test_given_efficiencies_give_the_roofline_on_several_gpus() -> None:
    """A given efficiency is the replica's own: the fitted parallel efficiency and layer
    overhead are dropped, so efficiencies of 1 reproduce the roofline at 4 GPUs per replica."""
    out = results("inference", "--gpus-per-replica", "4", *ROOFLINE)
    assert out["time_per_output_token"]["value"] == out["time_per_output_token_bound"]["value"]
    fitted = results("inference")["time_per_output_token"]["value"]
    assert fitted > out["time_per_output_token"]["value"]


def test_each_forward_pass_adds_the_layer_overhead() -> None:
    """step_time = max(memory_time, compute_time) + layers x layer_overhead, and a prefill
    adds one pass's overhead: 8e9 params in 2 bytes at 1 TB/s read in 16 ms; 32 layers of
    50 us add 1.6 ms to the step and to the prefill (2 x 8e9 x 128 FLOP at 1 PFLOP/s, 2 ms,
    beside the 16 ms read); the roofline's step keeps none of it."""
    out = core("inference", params=8e9, weight_bytes=2, batch=1, kv_bytes_per_token=64,
               bandwidth=1e12, peak=1e15, bandwidth_efficiency=1, compute_efficiency=1,
               layers=32, layer_overhead=50e-6, prompt_tokens=128,
               output_tokens=1)  # fmt: skip
    assert out["pass_overhead"] == pytest.approx(1.6e-3)
    assert out["step_time"] == pytest.approx(16e-3 + 1.6e-3, rel=1e-5)  # + 8 kB of KV cache
    assert out["prefill_time"] == pytest.approx(16e-3 + 1.6e-3)
    assert out["step_time_bound"] == pytest.approx(16e-3, rel=1e-5)


def test_each_doubling_of_gpus_keeps_the_parallel_efficiency() -> None:
    """parallel_factor = parallel_efficiency ^ log2(gpus): 4 GPUs at 0.5 per doubling keep a
    quarter of their rate, so the memory-bound step takes 4 times the roofline's."""
    out = core("inference", params=8e9, weight_bytes=2, batch=1, kv_bytes_per_token=0,
               context_tokens=1, bandwidth=1e12, peak=1e15, bandwidth_efficiency=1,
               compute_efficiency=1, gpus_per_replica=4, parallel_efficiency=0.5)  # fmt: skip
    assert out["step_time"] == pytest.approx(4 * 16e9 / 4e12)


def test_a_margin_above_1_is_refused_by_name() -> None:
    """The probe: --for margin=1.5 blamed the memory bound; a gross margin 1 - cost / price
    is below 1 at any price."""
    model = ("--params", "70e9", "--layers", "80", "--kv-heads", "8", "--head-dim", "128")
    outcome = run("inference", *model, "--solve", "price", "--for", "margin=1.5")
    assert outcome.code == 2 and outcome.stdout == ""
    assert outcome.stderr.endswith(
        "tcoctl: error: --for: margin must be at most 1; got '1.5', e.g. 'margin=0.5'\n"
    )
    assert run("inference", *model, "--solve", "price", "--for", "margin=0.5").code == 0


def test_a_layer_overhead_beyond_a_second_is_refused_by_name() -> None:
    """The probe's '1e308 s' ran and blamed input_tokens_per_second_per_gpu; a second per
    layer per pass is beyond any runtime, so the option itself is refused with its unit."""
    outcome = run("inference", "--layer-overhead", "2 s")
    assert outcome.code == 2
    assert (
        "--layer-overhead: '2 s' is out of range: expected a value at least 0 s and at most 1 s"
        in outcome.stderr
    )


def test_expert_parallelism_reads_the_shared_weights_and_its_own_experts_per_gpu() -> None:
    """Expert parallelism over N = 8 GPUs (DeepSeek-V3 report, arXiv:2412.19437, section 3.4;
    DeepSeek's inference-system post: "Routed Expert EP144, MLA/Shared Expert DP144"), by
    hand: 68e9 parameters, 8e9 active, 64 routed experts, 4 per token, 1 B per weight. One
    expert over all layers is (68e9 - 8e9) / (64 - 4) = 1e9, the non-routed (shared) weights
    8e9 - 4 x 1e9 = 4e9. A batch of 1,024 touches all 64 experts (64 x (1 - (60/64)^1024)).
    Each GPU reads its own copy of the shared 4e9 and its 64 / 8 = 8 experts, 8e9: 12e9 B
    per GPU per step (96e9 per replica), where one GPU holding the whole model reads 68e9;
    it holds the same 12e9 (replica 68e9 + 7 x 4e9 = 96e9). At 1 TB/s, no KV cache, the
    memory time is 12e9 / 1e12 = 12 ms. No tensor-parallel factor: 0.8 per doubling leaves
    the rate whole under EP 8 (8 GPUs, tensor-parallel degree 1), and takes 0.8 with 16 GPUs
    (EP 8 x TP 2)."""
    model: dict[str, float] = dict(params=68e9, active_params=8e9, experts=64, experts_per_token=4,
                 weight_bytes=1, batch=1024, kv_bytes_per_token=0, context_tokens=1,
                 bandwidth=1e12, peak=1e18, bandwidth_efficiency=1, compute_efficiency=1,
                 parallel_efficiency=0.8)  # fmt: skip
    ep = core("inference", None, expert_parallel=8, **model)
    assert ep["gpus_per_replica"] == 8
    assert ep["shared_params"] == pytest.approx(4e9)
    assert ep["decode_weight_memory"] / ep["gpus_per_replica"] == pytest.approx(12e9)
    assert ep["weight_memory"] / ep["gpus_per_replica"] == pytest.approx(12e9)
    assert ep["memory_time"] == pytest.approx(0.012)
    assert ep["parallel_factor"] == 1
    one_gpu = core("inference", None, gpus_per_replica=1, **model)
    assert one_gpu["decode_weight_memory"] == pytest.approx(68e9)
    wider = core("inference", None, expert_parallel=8, gpus_per_replica=16, **model)
    assert wider["tensor_parallel"] == 2
    assert wider["parallel_factor"] == pytest.approx(0.8)


def test_fewer_gpus_than_the_expert_parallel_degree_is_refused() -> None:
    """An expert-parallel group of 144 GPUs is one replica of at least 144."""
    out = run("inference", "--preset", "deepseek-v3", "--expert-parallel", "144",
              "--gpus-per-replica", "16")  # fmt: skip
    assert out.code != 0
    assert "expert_parallel" in out.stderr or "expert-parallel" in out.stderr


def test_attention_flop_of_a_gqa_model() -> None:
    """Llama 3.1 70B (config.json: 80 layers, 64 query heads of 128, 8 KV heads) at a mean
    context of 2,048 + 128 / 2 = 2,112 tokens: each query head does 128 multiply-adds for
    the score and 128 for the values per cached token (GQA shares the KV heads, not the
    work): 2 x 80 x 64 x (2 x 128) x 2,112 = 5,536,481,280 FLOP per output token (Kaplan et
    al. 2020, Table 1: 2 n_layer n_ctx d_attn), beside 2 x 70e9 for the weights."""
    out = core("inference", params=70e9, layers=80, heads=64, kv_heads=8, head_dim=128,
               prompt_tokens=2048, output_tokens=128, batch=4)  # fmt: skip
    assert out["attention_flop_per_token"] == 5_536_481_280
    assert out["flop_per_step"] == pytest.approx(4 * (2 * 70e9 + 5_536_481_280))
    without = core("inference", params=70e9, layers=80, kv_heads=8, head_dim=128, batch=4,
                   prompt_tokens=2048, output_tokens=128)  # fmt: skip
    assert "attention_flop_per_token" not in without  # not computed without --heads
    assert without["flop_per_step"] == pytest.approx(4 * 2 * 70e9)


def test_attention_flop_without_heads_is_not_computed() -> None:
    """The hostile probe: without --heads attention_flop_per_token showed 0 GFLOP; it is
    not computed (JSON's missing names --heads, as for other results), while compute_time
    still counts the weights' FLOP alone. (The model presets give heads; serving-h100 is the
    serving context with no model.)"""
    model = ("--preset", "serving-h100", "--params", "70e9", "--layers", "80")
    shape = ("--kv-heads", "8", "--head-dim", "128")
    outcome = run("inference", *model, *shape, "--format", "json")
    assert outcome.code == 0
    record = outcome.json()
    assert "attention_flop_per_token" not in record["results"]
    assert record["missing"]["attention_flop_per_token"] == [["heads"]]
    heads = run("inference", *model, *shape, "--heads", "64", "--format", "json").json()
    attention = heads["results"]["attention_flop_per_token"]
    assert attention["unit"] == "GFLOP" and attention["value"] > 0
    ratio = heads["results"]["compute_time"]["value"] / record["results"]["compute_time"]["value"]
    assert ratio == pytest.approx((2 * 70 + attention["value"]) / (2 * 70))
    table = run("inference", *model, *shape, "--format", "table").stdout
    assert "not computed: attention_flop_per_token (needs --heads)" in table


def test_attention_flop_of_mla_in_its_absorbed_form() -> None:
    """DeepSeek-V3 (config.json: 61 layers, 128 heads, kv_lora_rank 512 + rope 64 = 576
    cached) at the 4,989-token mean KV length of DeepSeek's inference post: absorbed, each
    head scores the 576-wide cache and sums the 512-wide latent, 128 x (576 + 512) = 139,264
    multiply-adds per cached token per layer: 2 x 61 x 139,264 x 4,989 = 84,764,147,712 FLOP
    per output token, more than the weights' 2 x 37e9 = 7.4e10."""
    out = results("inference", "--preset", "deepseek-v3", "--context", "4989")
    assert out["attention_flop_per_token"]["value"] * 1e9 == pytest.approx(84_764_147_712)


def test_expert_parallelism_without_experts_is_data_parallelism() -> None:
    """No routed expert to spread: each of the 8 GPUs holds and reads all 70e9 weights, so a
    replica holds 8 x 70e9 x 2 B = 1.12e12 B (more than 8 x 80 GB), and a warning says so."""
    out = core("inference", None, params=70e9, weight_bytes=2, expert_parallel=8, batch=8,
               kv_bytes_per_token=0, context_tokens=1)  # fmt: skip
    assert out["weight_memory"] == pytest.approx(8 * 70e9 * 2)
    assert out["decode_weight_memory"] / out["gpus_per_replica"] == pytest.approx(70e9 * 2)
    outcome = run("inference", "--expert-parallel", "8", "--format", "json")
    assert outcome.code == 0
    assert "data parallelism" in outcome.stderr
    assert outcome.json()["results"]["fits"]["label"] == "no"


@pytest.mark.parametrize(("degree", "warned"), [(256, False), (257, True), (1000, True)])
def test_expert_parallelism_over_more_gpus_than_experts_warns(degree: int, warned: bool) -> None:
    """DeepSeek-V3 has 256 routed experts: an expert lives whole on a GPU, so EP over more
    GPUs than 256 would hold a fraction of one on each (the per-GPU bytes fell on with N:
    2,764 token/s per GPU at EP256, 2,854 at EP1000, with no word)."""
    outcome = run("inference", "--preset", "deepseek-v3", "--gpu", "h800",
                  "--expert-parallel", str(degree), "--format", "json")  # fmt: skip
    assert outcome.code == 0
    said = "--expert-parallel is more than --experts, so each GPU would hold under one"
    assert (said in outcome.stderr) is warned


def test_a_model_input_that_cannot_be_is_refused_not_run() -> None:
    """The probe: --active-params above --params ran (133.5 token/s), --latent-dim on a GQA
    model dropped the preset's kv-heads and head-dim (gpus_per_replica 4 -> 1, the weights
    no longer fitting, without a word), and --latent-dim took a fraction."""
    over = run("inference", "--params", "47e9", "--active-params", "60e9", "--gpu", "h100-sxm")
    # the example keeps 3 figures, rounded down so that it runs (70553706496 as 7.05e10)
    llama = run("inference", "--active-params", "80e9")
    assert "(e.g. --active-params 7.05e10)" in llama.stderr
    assert over.code == 2 and "(e.g. --active-params 4.7e10)" in over.stderr
    assert "--active-params is more than --params: a token uses at most every" in over.stderr
    latent = run("inference", "--params", "70e9", "--gpu", "h100-sxm", "--latent-dim", "512")
    assert latent.code == 2 and "latent-dim" in latent.stderr and latent.stdout == ""
    assert "not a whole number" in run("inference", "--latent-dim", "0.5").stderr


def test_a_latent_on_a_grouped_query_model_says_it_needs_kv_dim() -> None:
    """The hostile probe: --latent-dim on the GQA default (kv-heads, head-dim) was refused
    as 'the inputs contradict each other: attention_dim is 256, but kv-dim, latent-dim give
    2560' (exit 1); it names what is missing, with an example that runs. A GQA shape over
    the MLA preset replaces its latent as it does its kv-dim."""
    refused = run("inference", "--latent-dim", "512")
    assert refused.code == 2
    assert refused.stderr == (
        "tcoctl: error: llama-3.1-70b: inference: --latent-dim needs --kv-dim (MLA: the "
        "latent and rope key cached per token) in place of --kv-heads and --head-dim "
        "(grouped-query attention has no latent); e.g. --kv-dim 576 --latent-dim 512\n"
    )
    assert run("inference", "--kv-dim", "576", "--latent-dim", "512").code == 0
    gqa = results("inference", "--preset", "deepseek-v3", "--kv-heads", "8", "--head-dim", "128")
    assert gqa["attention_flop_per_token"]["value"] == pytest.approx(
        2 * 61 * 128 * 256 * (2048 + 128 / 2) / 1e9, rel=1e-3
    )


def test_a_grouped_query_option_over_the_mla_preset_says_what_it_drops() -> None:
    """The hostile probe: --kv-heads 8 over deepseek-v3 dropped the preset's MLA cache
    (--kv-dim 576, --latent-dim 512; kv-heads excludes them) and nearly every result with it,
    saying only '--kv-heads is used by no result computed here'; with --head-dim 128 the model
    became grouped-query without a word. A GQA shape still replaces the latent (the
    anchor-replacement rule: run and say what was not kept), and the run now says so, and
    what is missing, in a single run as in a batch line."""
    said = (
        "tcoctl: warning: --kv-heads 8: --kv-dim 576, --latent-dim 512 dropped, not kept from "
        "preset deepseek-v3: --kv-heads replaces them"
    )
    half = run("inference", "--preset", "deepseek-v3", "--kv-heads", "8")
    assert half.code == 0 and f"{said}; give --head-dim too\n" in half.stderr
    whole = run("inference", "--preset", "deepseek-v3", "--kv-heads", "8", "--head-dim", "128")
    assert whole.code == 0 and f"{said}\n" in whole.stderr
    assert whole.stderr.count("dropped, not kept") == 1  # once for the two options
    line = run("inference", "--preset", "deepseek-v3", "--input", "-", input='{"kv-heads": 8}\n')
    assert f"{said}; give --head-dim too\n" in line.stderr


H20_AT_PEAK = (
    "inference", "--gpu", "h20", "--gpus-per-replica", "4", "--peak", "148 TFLOP/s",
    "--bandwidth", "4 TB/s", "--bandwidth-efficiency", "1", "--compute-efficiency", "1",
)  # fmt: skip


@pytest.mark.parametrize("overlap", [0.0, 0.3, 1.0])
def test_overlap_hides_that_share_of_the_shorter_time(overlap: float) -> None:
    """Stengel et al. (ICS '15, the ECM model) split a kernel's time into overlapping and
    non-overlapping parts; the roofline (Williams et al., CACM 2009) is full overlap. On four
    H20s at their peaks (148 TFLOP/s, 4 TB/s) Llama 3.1 70B's batch-32 step reads for 10.2 ms
    and computes for 7.9 ms, its 2,048-token prefill computes 2 x 70.55e9 x 2,048 FLOP in
    488 ms and reads its 141 GB of weights in 8.8 ms: each takes the longer time plus (1 -
    overlap) of the shorter, by hand; at 1, the roofline's bound."""
    found = results(*H20_AT_PEAK, "--overlap", repr(overlap))
    memory, compute = found["memory_time"]["value"], found["compute_time"]["value"]
    assert found["pass_overhead"]["value"] == 0
    step = max(memory, compute) + (1 - overlap) * min(memory, compute)
    assert found["time_per_output_token"]["value"] == pytest.approx(step, rel=1e-12)
    params = 70553706496  # preset llama-3.1-70b
    computing_ms = 2 * params * 2048 / (4 * 148e12) * 1e3
    reading_ms = params * 2 / (4 * 4e12) * 1e3
    prefill = computing_ms + (1 - overlap) * reading_ms
    assert found["prefill_time"]["value"] == pytest.approx(prefill, rel=1e-12)
    if overlap == 1:
        bound = found["time_per_output_token_bound"]["value"]
        assert found["time_per_output_token"]["value"] == pytest.approx(bound, rel=1e-12)


def test_given_efficiencies_drop_the_fitted_overlap_to_the_roofline() -> None:
    """serving-fit's overlap (0.5) is fitted with its efficiencies: given efficiencies, the
    replica's own, leave the roofline's max (overlap 1), unless --overlap is given too."""
    fitted = run("inference", "--format", "json").json()["inputs"]["overlap"]
    assert fitted["value"] == 0.5
    given = run(*H20_AT_PEAK, "--format", "json")
    assert given.json()["inputs"]["overlap"]["value"] == 1
    assert "--overlap re-derived, not kept from preset serving-fit" in given.stderr
    step = given.json()["results"]["time_per_output_token"]["value"]
    assert step == given.json()["results"]["time_per_output_token_bound"]["value"]


def test_solving_gpus_per_replica_searches_from_the_expert_parallel_degree() -> None:
    """The hostile probe: --solve gpus-per-replica with --expert-parallel 16 searched below
    16 and was refused ('--gpus-per-replica is fewer than --expert-parallel'), for a goal
    that 23 GPUs meet (24.6 ms at 16, 16.6 ms at 32, since the overlap; 30 GPUs since the
    relative-error fit, 26 before it); the search starts at N, and a goal that no replica of
    N or more GPUs gives says so."""
    args = ("inference", "--preset", "deepseek-v3", "--expert-parallel", "16")
    found = run(*args, "--solve", "gpus-per-replica", "--for", "time_per_output_token=20 ms",
                "--format", "json")  # fmt: skip
    assert found.code == 0, found.stderr
    assert found.records()[0]["results"]["gpus_per_replica"]["value"] == 23
    slow = run(*args, "--solve", "gpus-per-replica", "--for", "time_per_output_token=30 ms")
    assert slow.code == 1
    assert slow.stderr.startswith(
        "tcoctl: error: deepseek-v3: inference: no value of gpus-per-replica (at least "
        "--expert-parallel) gives time_per_output_token = 30 ms: over that range it never falls "
        "below 4.88 ms and is at most 24.5827 ms"
    )


@pytest.mark.parametrize(
    "args",
    [("--kv-heads", "7"), ("--heads", "64", "--kv-heads", "6"), ("--heads", "60")],
)
def test_kv_heads_that_do_not_divide_the_heads_are_refused(args: tuple[str, ...]) -> None:
    """Leftover probe, item 2: --kv-heads 7 on llama-3.1-70b's 64 heads (and --heads 60 under
    its 8 KV heads) ran and printed a cost (exit 0); grouped-query attention shares each KV
    head among a whole group of query heads, so it is refused with an example, by memory's
    divisor rule (heads_split_whole). A range keeps the points where it divides."""
    refused = run("inference", *args)
    assert refused.code == 2 and refused.stderr.count("\n") == 1
    assert "does not divide the " in refused.stderr and "--kv-heads " in refused.stderr
    assert "e.g. " in refused.stderr
    assert run("inference", "--kv-heads", "4").code == 0
    assert run("inference", "--kv-heads", "6..10").code == 0


def test_a_kv_heads_range_that_does_not_divide_names_the_range_and_a_range_that_runs() -> None:
    """The hostile probe: --kv-heads 4..16 was refused as '--kv-heads 10 does not divide the 64
    heads' (the centre, a value never typed), with a single 8 as the example; it names the
    range, says each value it is computed at must divide, and gives a LOW..CENTRE..HIGH of
    divisors that runs; a batch line the same."""
    refused = run("inference", "--kv-heads", "4..16")
    assert refused.code == 2 and refused.stderr.count("\n") == 1
    assert "--kv-heads 4..16: each value the range is computed at must divide the 64 heads, " \
        "and 10 does not (" in refused.stderr  # fmt: skip
    assert "e.g. 4..8..16, or another divisor of 64" in refused.stderr
    assert run("inference", "--kv-heads", "4..8..16").code == 0
    line = run("inference", "--input", "-", input='{"kv-heads": "4..16"}\n')
    assert "line 1: --kv-heads 4..16: each value the range" in line.stderr
    assert "--kv-heads 7 does not divide the 64 heads" in run("inference", "--kv-heads", "7").stderr


def test_a_solved_kv_heads_takes_a_divisor_of_the_heads() -> None:
    """A goal-seek of kv-heads rounds to a divisor of the 64 heads (it gave 25, and a high
    end of 149 KV heads for 64 query heads): 22.8 goes to 32, not 23 (a goal of 5.5
    USD/Mtoken since the overlap; 6 before)."""
    solved = run("inference", "--solve", "kv-heads", "--for", "cost_per_million_tokens=5.5")
    assert "22.8119 rounded up to 32" in solved.stderr and "does not divide" not in solved.stderr


def test_a_tensor_parallel_split_of_the_heads_is_warned_of() -> None:
    """--gpus-per-replica 3 splits 64 heads into 21.3 a GPU: serving engines refuse it; the
    roofline still computes it, so a warning names it (memory refuses it; here
    gpus_per_replica is mostly derived, as a power of two, and a refusal would take its
    answer away)."""
    split = run("inference", "--gpus-per-replica", "3")
    assert split.code == 0
    assert "tensor_parallel 3 does not divide the 64 heads (tensor_parallel = " in split.stderr
    assert "does not divide" not in run("inference", "--gpus-per-replica", "4").stderr


def test_a_range_whose_end_alone_does_not_fit_says_so() -> None:
    """Leftover probe, item 6: --batch 16..300 fits at its centre, 158 (fits: yes; at most
    212 fit), yet the warning said 'the weights and KV cache do not fit in memory'; it now
    says at how many points of the ranges, not at their centre, and which end. A centre
    that does not fit (16..900, 458) keeps the plain warning."""
    end = run("inference", "--batch", "16..300", "--only-my-ranges", "-f", "json")
    assert end.json()["results"]["fits"]["label"] == "yes"
    assert (
        "llama-3.1-70b: at 2 of 6 points of the input ranges, not at their centre (e.g. with "
        "--batch at its high side): the weights and KV cache do not fit" in end.stderr
    )
    centre = run("inference", "--batch", "16..900", "--only-my-ranges", "-f", "json")
    assert "llama-3.1-70b: the weights and KV cache do not fit" in centre.stderr
    assert "not at their centre" not in centre.stderr


def test_a_check_failing_at_a_range_end_alone_keeps_the_centre_s_answer() -> None:
    """The fatal checks that share the warnings' mechanism (_flagged) say where they fail
    too, so a range whose end alone breaks them answers at its centre, as --tensor-parallel
    does in memory: --experts-per-token 8..300 over 256 experts was an error for the whole
    run; now 154 answers, and a warning names the high end."""
    ranged = run("inference", "--preset", "deepseek-v3", "--experts-per-token", "8..300")
    assert ranged.code == 0, ranged.stderr
    assert "--experts-per-token is more than --experts" in ranged.stderr
    assert "with --experts-per-token at its high end" in ranged.stderr
    assert run("inference", "--preset", "deepseek-v3", "--experts-per-token", "300").code == 2


DEEPSEEK_DECODE = (
    "inference", "--preset", "deepseek-v3", "--gpu", "h800", "--expert-parallel", "144",
    "--batch", "12672", "--context", "4989", "--bandwidth-efficiency", "1",
    "--compute-efficiency", "1",
)  # fmt: skip


@pytest.mark.parametrize(("attention", "peak"), [("bf16", 989.4e12), ("fp8", 1979e12)])
def test_attention_runs_at_its_own_precision(attention: str, peak: float) -> None:
    """DeepSeek's inference-system post (open-infra-index, day 6): "matrix multiplications
    ... adopt the FP8 format aligned with training, while core MLA computations ... use the
    BF16 format". Per H800 (88 sequences of the 12,672 over 144 GPUs, at the roofline) a
    step computes 2 x 37e9 FLOP per sequence at the FP8 peak (1,979 TFLOP/s) and its
    attention, 84.76 GFLOP, at the attention's peak (989.4 TFLOP/s in BF16, the preset's)."""
    found = results(*DEEPSEEK_DECODE, "--attention-precision", attention)
    attention_flop = found["attention_flop_per_token"]["value"] * 1e9
    assert attention_flop == pytest.approx(84.764147712e9, rel=1e-12)
    by_hand = 88 * (2 * 37e9 / 1979e12 + attention_flop / peak)
    assert found["compute_time"]["value"] == pytest.approx(by_hand * 1e3, rel=1e-9)
    assert (
        results(*DEEPSEEK_DECODE)["compute_time"]
        == results(*DEEPSEEK_DECODE, "--attention-precision", "bf16")["compute_time"]
    )  # the preset's own


def test_attention_at_the_weights_precision_runs_at_the_given_peak() -> None:
    """--attention-precision equal to --precision is attention at --peak, the peak given for
    that precision (the hostile probe: llama-3.1-70b --peak 500 TFLOP/s --attention-precision
    bf16 ran attention at the H100's 989.4 TFLOP/s, 2.302 ms against 2.346 ms without it; an
    FP4 --peak on an H100 was refused for the H100's lacking FP4). By hand: 32 x (2 x
    70,553,706,496 + 5,536,481,280 FLOP of attention) / (500 TFLOP/s x 4 GPUs)."""
    args = ("--preset", "llama-3.1-70b", *ROOFLINE, "--peak", "500 TFLOP/s")
    by_hand = 32 * (2 * 70_553_706_496 + 5_536_481_280) / (500e12 * 4) * 1e3
    for attention in ((), ("--attention-precision", "bf16")):
        assert one("compute_time", *args, *attention) == pytest.approx(by_hand, rel=1e-12)
    fp4 = ("--precision", "fp4", "--attention-precision", "fp4")
    assert one("compute_time", *args, *fp4) == pytest.approx(by_hand, rel=1e-12)


def test_an_attention_precision_that_changes_nothing_says_so() -> None:
    """A probe: over serving-h100 (no model: no heads) --attention-precision fp8 left every
    figure as it was, without a word: attention's own FLOP, which it prices, are left out
    without --heads. It now warns, in the CLI, a batch line and the API; with --heads it
    changes the speed and says nothing."""
    model = ("--preset", "serving-h100", "--params", "70e9", "--layers", "80",
             "--kv-heads", "8", "--head-dim", "128", "-f", "json")  # fmt: skip
    said = (
        "--attention-precision changes nothing: no result computed here counts attention's "
        "own FLOP (they need --heads, e.g. --heads 128)"
    )
    idle = run("inference", *model, "--attention-precision", "fp8")
    assert idle.code == 0 and f"tcoctl: warning: serving-h100: {said}\n" in idle.stderr
    speed = "tokens_per_second"
    assert idle.json()["results"][speed] == run("inference", *model).json()["results"][speed]
    line = run("inference", *model, "--input", "-", input='{"attention-precision": "fp8"}\n')
    assert f"tcoctl: warning: {said}\n" in line.stderr
    with pytest.warns(
        tcoctl.TcoctlWarning, match=r"attention_precision changes nothing: .*heads=128"
    ):
        tcoctl.inference("serving-h100", params=70e9, layers=80, kv_heads=8, head_dim=128,
                         attention_precision="fp8")  # fmt: skip
    used = run("inference", *model, "--heads", "64", "--attention-precision", "fp8")
    assert "--attention-precision" not in used.stderr
    assert used.json()["results"][speed] != idle.json()["results"][speed]


def test_an_idle_attention_precision_names_what_attention_s_flop_need() -> None:
    """A probe: with --heads given but no --head-dim (nor --kv-heads, --latent-dim) the
    warning still said '(they need --heads, e.g. --heads 128)', which was given. It names
    what they need here, from the results' missing inputs."""
    args = ("--preset", "serving-h100", "--params", "7e10", "--layers", "80", "--heads", "64",
            "--attention-precision", "fp8")  # fmt: skip
    outcome = run("inference", *args)
    assert outcome.code == 0
    assert "--attention-precision changes nothing" in outcome.stderr
    assert "they need --heads" not in outcome.stderr
    assert "own FLOP (they need --head-dim, e.g. --head-dim 128)\n" in outcome.stderr
    assert run("inference", *args, "--kv-heads", "8", "--head-dim", "128").stderr == ""


def test_what_a_result_needs_is_no_alternative_of_an_option_given() -> None:
    """A probe: with --kv-cache-per-token given, attention's FLOP were said to need
    '--kv-heads or --head-dim or --latent-dim' (--value's error, JSON missing, the idle
    --attention-precision's 'e.g. --kv-heads 8'), but --kv-heads and --head-dim are refused
    beside it ('are alternatives: give one'); only --latent-dim is named now, and it runs."""
    args = ("--heads", "64", "--kv-cache-per-token", "320 KiB", "--params", "7e10")
    value = run("inference", *args, "--value", "attention_flop_per_token")
    assert "(it needs --latent-dim)" in value.stderr and "--kv-heads" not in value.stderr
    idle = run("inference", *args, "--attention-precision", "fp8")
    assert "(they need --latent-dim, e.g. --latent-dim 512)\n" in idle.stderr
    ran = run("inference", *args, "--latent-dim", "512", "--attention-precision", "fp8")
    assert ran.code == 0 and "--attention-precision" not in ran.stderr


def test_a_given_peak_keeps_the_gpus_ratio_for_attention() -> None:
    """The second probe: with --peak '500 TFLOP/s' (the FP8 matmuls' peak) deepseek-v3 ran its
    BF16 attention at the H100's own 989.4 TFLOP/s, faster than the matmuls. Attention's peak
    is now the given peak times the GPU's BF16 / FP8 ratio (989.4 / 1,979): 32 sequences on
    16 GPUs, 2 x 37e9 FLOP at 500 TFLOP/s and 35,883,319,296 at 249.97 TFLOP/s each."""
    found = results("inference", "--preset", "deepseek-v3", "--peak", "500 TFLOP/s", *ROOFLINE)
    seconds = (2 * 37e9 / 500e12 + 35_883_319_296 / (500e12 * 989.4 / 1979)) * 32 / 16
    assert found["compute_time"]["value"] == pytest.approx(seconds * 1e3, rel=1e-9)
