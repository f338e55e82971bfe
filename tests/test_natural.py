"""Questions as a reader of a paper types them (issue 17, §3), and presets that never shape an
answer unnoticed (§4). Each test cites the published case it reproduces."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

import tcoctl
from conftest import results, run
from tcoctl.presets import load, preset_files

DATABRICKS_7B = (
    "inference", "--params", "7e9", "--layers", "32", "--kv-heads", "32", "--head-dim", "128",
    "--bandwidth", "2 TB/s", "--bandwidth-efficiency", "0.5", "--batch", "1",
)  # fmt: skip


def test_a_new_model_re_derives_the_presets_gpus_per_replica() -> None:
    """Databricks (MosaicML), "LLM Inference Performance Engineering: Best Practices" (2023),
    https://www.databricks.com/blog/llm-inference-performance-engineering-best-practices:
    "if a 7B parameter running with 16-bit precision has TPOT equal to 14ms, then it's moving
    14GB of parameters in 14ms translating to 1TB/sec bandwidth usage. If the peak bandwidth
    of the machine is 2TB/sec, we are running at an MBU of 50%." and "For simplicity, this
    example ignores KV cache size". The 70B preset's 4 GPUs per replica must not ride along:
    one GPU holds 14 GB, so the step reads 14 GB at 1 TB/s, plus the KV cache tcoctl counts."""
    outcome = run(*DATABRICKS_7B, "--format", "json")
    assert outcome.code == 0, outcome.stderr
    assert "--gpus-per-replica re-derived" in outcome.stderr
    found = outcome.json()["results"]
    assert found["gpus_per_replica"]["value"] == 1
    kv_read_ms = 32 * 2 * 32 * 128 * 2 * (2048 + 128 / 2) / 1e12 * 1e3  # the preset's context
    assert found["time_per_output_token"]["value"] == pytest.approx(14 + kv_read_ms, rel=1e-9)
    short = results(*DATABRICKS_7B, "--prompt-tokens", "1", "--output-tokens", "1")
    assert short["time_per_output_token"]["value"] == pytest.approx(14, rel=1e-3)


def test_gpus_per_replica_rule_is_the_fewest_that_hold_the_batch() -> None:
    """The rule (the fewest, a power of two, holding the weights and the batch's KV cache)
    reproduces the 70B preset's own choice: "141.1 GB of BF16 weights + 32 x 713 MB of KV
    cache = 163.9 GB, more than two H100s hold (2 x 72 GB usable), less than four"; on H200s
    (141 GB, 126.9 GB usable) two suffice. Given, the option wins."""
    on_h200 = run("inference", "--gpu", "h200", "--format", "json")
    assert "--gpus-per-replica re-derived" in on_h200.stderr
    assert on_h200.json()["results"]["gpus_per_replica"]["value"] == 2
    assert on_h200.json()["results"]["fits"]["label"] == "yes"
    h100 = results("inference", "--params", "70553706496")
    assert h100["gpus_per_replica"]["value"] == 4  # 163.9 GB over 72 GB per GPU: 2.3
    given = run("inference", "--gpu", "h200", "--gpus-per-replica", "4", "--format", "json")
    assert "re-derived" not in given.stderr
    assert "gpus_per_replica" not in given.json()["results"]


def test_a_solved_model_size_names_the_gpus_per_replica_it_holds_with() -> None:
    """A --solve of the anchor keeps the preset's 4 GPUs per replica (the setup the answer is
    for), and says so, since typing the answer back as --params alone re-derives them: the
    29.0 B parameters that take 20 ms a token on 4 H100s fit two, where they take 29 ms."""
    solved = run("inference", "--solve", "params", "--for", "time_per_output_token=20 ms")
    assert solved.code == 0, solved.stderr
    assert "the answer holds with --gpus-per-replica 4 from preset llama-3.1-70b" in solved.stderr
    params = repr(solved.json()["results"]["params"]["value"])
    back = results("inference", "--params", params, "--gpus-per-replica", "4")
    assert back["time_per_output_token"]["value"] == pytest.approx(20, rel=1e-6)
    alone = results("inference", "--params", params)
    assert alone["gpus_per_replica"]["value"] == 2
    assert alone["time_per_output_token"]["value"] > 25
    given = run("inference", "--gpus-per-replica", "4", "--solve", "params", "--for", "fits=1")
    assert given.code == 0, given.stderr
    assert "the answer holds" not in given.stderr


def test_the_setup_a_solved_efficiency_holds_with_is_written_to_be_typed() -> None:
    """A solved --bandwidth-efficiency holds with serving-fit's layer overhead, a range with a
    unit: the warning's options, typed back with the answer, give the goal (unquoted, the
    shell split '46.7..80..137.0 us' and the run was refused); the API says it as keywords."""
    goal = ("--solve", "bandwidth-efficiency", "--for", "time_per_output_token=30 ms")
    solved = run("inference", *goal)
    assert solved.code == 0, solved.stderr
    given = re.search(r"give (.*) with the answer", solved.stderr)
    assert given is not None, solved.stderr
    answer = repr(solved.json()["results"]["bandwidth_efficiency"]["value"])
    back = results("inference", "--bandwidth-efficiency", answer, *shlex.split(given[1]))
    assert back["time_per_output_token"]["value"] == pytest.approx(30, rel=1e-6)
    with pytest.warns(tcoctl.TcoctlWarning) as said:
        tcoctl.inference(solve="bandwidth_efficiency", goal="time_per_output_token=30 ms")
    assert "layer_overhead='46.7..80..137.0 us', overlap=0.5 from" in str(said[0].message)


def test_a_loop_over_gpus_flags_the_kept_price_in_json() -> None:
    """frontier-2024's GPU price is an H100 server's (SemiAnalysis, cited in the preset): with
    a --gpu whose preset cites no price it is marked where a script reads it, not only on
    stderr; the network cost is marked for every other GPU."""
    for gpu in ("gb200", "h800"):
        outcome = run("tco", "--gpu", gpu, "--format", "json")
        inputs = outcome.json()["inputs"]
        assert inputs["gpu-price"]["from"] == "preset frontier-2024 (anchor replaced)"
        assert inputs["network-cost"]["from"] == "preset frontier-2024 (anchor replaced)"
        assert "--gpu-price" in outcome.stderr
    own = run("tco", "--gpu", "a100-sxm", "--gpu-price", "20000 USD", "--format", "json")
    assert "from" not in own.json()["inputs"]["gpu-price"]
    assert own.json()["inputs"]["network-cost"]["from"].endswith("(anchor replaced)")
    served = run("inference", "--gpu", "h20", "--format", "json").json()["inputs"]
    assert served["cost-per-gpu-hour"]["from"] == "preset serving-h100 (anchor replaced)"


def test_the_presets_own_gpu_typed_again_replaces_no_anchor() -> None:
    """frontier-2024 is an H100 SXM cluster: `--gpu h100-sxm` names its own anchor, so its
    price is not flagged and nothing is said (the probe found it flagged)."""
    outcome = run("tco", "--gpu", "h100-sxm", "--format", "json")
    assert outcome.stderr == ""
    assert "from" not in outcome.json()["inputs"]["gpu-price"]  # not marked: its own preset


MEGATRON = ("--flop-per-param-token", "8", "--gpu", "a100-sxm", "--gpus-per-node", "8")


@pytest.mark.parametrize(
    ("params", "tokens", "achieved", "nodes", "days"),
    [("175e9", "300e9", "140 TFLOP/s", "128", 34), ("1008e9", "450e9", "163 TFLOP/s", "384", 84)],
)
def test_achieved_flops_per_gpu_as_the_paper_states_it(
    params: str, tokens: str, achieved: str, nodes: str, days: float
) -> None:
    """Narayanan et al., "Efficient Large-Scale Language Model Training on GPU Clusters Using
    Megatron-LM" (SC '21), https://arxiv.org/abs/2104.04473, section 5.1: "End-to-end
    training time ≈ 8TP/(nX)"; "This model was trained on T=300 billion tokens. On n=1024
    A100 GPUs using batch size 1536, we achieve X=140 teraFLOP/s per GPU. As a result, the
    time required to train this model is 34 days. For the 1 trillion parameter model, we
    assume that 450 billion tokens are needed for end-to-end training. With 3072 A100 GPUs,
    we can achieve a per-GPU throughput of 163 teraFLOP/s, and end-to-end training time of
    84 days"; "3072 A100 GPUs (384 DGX A100 nodes)" (Table 1: 1008.0 B parameters)."""
    found = results("flops", "--params", params, "--tokens", tokens, "--achieved", achieved,
                    "--nodes", nodes, *MEGATRON)  # fmt: skip
    assert found["duration"]["value"] == pytest.approx(days, abs=0.5)  # the paper's whole days
    assert found["count"]["value"] == int(nodes) * 8


def test_cluster_flops_and_mfu_from_the_achieved_rate() -> None:
    """Narayanan et al. 2021, Table 1, the 1008.0 B row: "163" teraFLOP/s per GPU, "52%" of
    theoretical peak, "502.0" petaFLOP/s aggregate on 3072 GPUs (the per-GPU figure is
    rounded: 3072 x 163 = 500.7); the A100's dense BF16 peak is 312 TFLOP/s."""
    found = results("flops", "--achieved", "163 TFLOP/s", "--nodes", "384", *MEGATRON)
    assert found["mfu"]["value"] == pytest.approx(0.52, abs=0.005)
    assert found["cluster_flops"]["value"] == pytest.approx(502.0, rel=0.005)  # PFLOP/s
    back = results("flops", "--cluster-flops", "502 PFLOP/s", "--count", "3072", *MEGATRON[:4])
    assert back["achieved_flops"]["value"] == pytest.approx(163, rel=0.005)  # TFLOP/s
    assert back["mfu"]["value"] == pytest.approx(0.52, abs=0.005)


def test_a_source_that_counts_a_peta_as_1024_tera_is_inconsistent() -> None:
    """DoNews on Huawei's Atlas 900 launch (2019-09-18, https://ctoutiao.com/2304242.html),
    restating Huawei: the cluster "由数千颗昇腾910 AI处理器互联构成" (thousands of Ascend
    910s), "其总算力达到256P~1024P FLOPS @FP16"; "集群规模为1024颗昇腾910 AI处理器" (the one
    deployed holds 1,024); each chip "单芯片提供...算力(256TFLOPS@FP16)". The source is
    inconsistent with itself: 1,024 chips of 256 TFLOP/s are 262,144 TFLOP/s, 262.1 PFLOP/s;
    its 256P divides by 1,024, not 1,000. tcoctl keeps SI prefixes and says 262.1: the 256P
    is what the source's own chips would need 1,000 of, and its 1024P needs 4,000 (the
    "thousands"), not 4,096."""
    atlas = results("flops", "--achieved", "256 TFLOP/s", "--count", "1024")
    assert atlas["cluster_flops"]["value"] == pytest.approx(262.144, rel=1e-12)
    assert atlas["cluster_flops"]["value"] != pytest.approx(256, rel=0.01)  # the source's 256P
    assert atlas["cluster_flops"]["value"] * 1000 / 1024 == pytest.approx(256)  # its ÷ 1024
    for stated, chips in (("256", 1000), ("1024", 4000)):
        back = results("flops", "--cluster-flops", f"{stated} PFLOP/s", "--achieved",
                       "256 TFLOP/s")  # fmt: skip
        assert back["count"]["value"] == pytest.approx(chips)


@pytest.mark.parametrize(
    ("budget", "params", "tokens"),
    [("1.21e20", 1e9, 20.2e9), ("1.23e22", 10e9, 205.1e9), ("1.27e26", 1e12, 21.2e12)],
)
def test_compute_optimal_split_of_a_budget(budget: str, params: float, tokens: float) -> None:
    """Hoffmann et al., "Training Compute-Optimal Large Language Models" (Chinchilla, 2022),
    https://arxiv.org/abs/2203.15556, Table 3 (approach 1, "Estimated optimal training FLOPs
    and training tokens for various model sizes"): "1 Billion 1.21e+20 ... 20.2 Billion",
    "10 Billion 1.23e+22 ... 205.1 Billion", "1 Trillion 1.27e+26 ... 21.2 Trillion". At the
    table's own tokens per parameter, params = sqrt(C / (6 r)) and tokens = r x params
    reproduce each row to its three printed digits."""
    found = results(
        "flops", "--budget", f"{budget} FLOP", "--tokens-per-param", str(tokens / params)
    )
    assert found["params"]["value"] == pytest.approx(params, rel=0.01)
    assert found["tokens"]["value"] == pytest.approx(tokens, rel=0.01)


def test_chinchilla_itself_is_twenty_tokens_per_parameter() -> None:
    """Hoffmann et al. 2022: Chinchilla has "70B parameters" trained on "1.4 trillion tokens"
    (abstract and section 4); given both, tcoctl reports the ratio, 20, and the budget."""
    found = results("flops", "--params", "70e9", "--tokens", "1.4e12")
    assert found["tokens_per_param"]["value"] == pytest.approx(20)
    split = results("flops", "--budget", f"{6 * 70e9 * 1.4e12} FLOP", "--tokens-per-param", "20")
    assert split["params"]["value"] == pytest.approx(70e9)


def test_nodes_times_gpus_per_node_wherever_a_gpu_count_is_an_input() -> None:
    """Dubey et al., "The Llama 3 Herd of Models" (2024), https://arxiv.org/abs/2407.21783,
    section 3.3.1: "Each server is equipped with eight GPUs and two CPUs"; "each rack hosts 16
    GPUs split between two servers", "192 such racks are connected by Cluster Switches to form
    a pod of 3,072 GPUs", "eight such pods ... form a cluster of 24K GPUs": 8 x 192 x 2 =
    3,072 servers of 8 GPUs."""
    tco = results("tco", "--nodes", "3072", "--gpus-per-node", "8")
    assert tco["gpus"]["value"] == 24_576
    h100e = results("h100e", "--gpu", "h100-sxm", "--nodes", "3072", "--gpus-per-node", "8")
    assert h100e["h100e"]["value"] == pytest.approx(24_576)
    clash = run("tco", "--nodes", "3072", "--gpus", "24576")
    assert clash.code == 2 and "are alternatives" in clash.stderr


DEEPSEEK_DAY = (
    "inference", "--nodes", "226.75", "--gpus-per-node", "8", "--cost-per-gpu-hour", "2 USD/h",
    "--input-rate", "608e9 token/day", "--cache-hit", str(342 / 608),
    "--cached-input-price", "0.14 USD/Mtoken", "--input-price", "0.55 USD/Mtoken",
    "--output-rate", "168e9 token/day",
)  # fmt: skip


def test_deepseek_published_day_of_revenue_and_margin() -> None:
    """DeepSeek-AI, "Day 6: One More Thing, DeepSeek-V3/R1 Inference System Overview"
    (2025-03-01), https://github.com/deepseek-ai/open-infra-index/blob/main/
    202502OpenSourceWeek/day_6_one_more_thing_deepseekV3R1_inference_system_overview.md:
    "an average occupancy of 226.75 nodes (each node contains 8 H800 GPUs). Assuming the
    leasing cost of one H800 GPU is $2 per hour, the total daily cost amounts to $87,072";
    "Total input tokens: 608B, of which 342B tokens (56.3%) hit the on-disk KV cache";
    "Total output tokens: 168B"; "the total daily revenue would be $562,027, with a cost
    profit margin of 545%"; "R1 Pricing: $0.14/M input tokens (cache hit), $0.55/M input
    tokens (cache miss), $2.19/M output tokens". (The token counts are rounded to 1B, so
    revenue matches to 0.02 %.)"""
    found = results(*DEEPSEEK_DAY, "--price", "2.19 USD/Mtoken")
    assert found["cost_per_day"]["value"] == pytest.approx(87_072, rel=1e-12)
    assert found["revenue_per_day"]["value"] == pytest.approx(562_027, rel=2e-4)
    assert found["cost_profit_margin"]["value"] == pytest.approx(5.45, abs=0.01)
    assert found["margin"]["value"] == pytest.approx(1 - 87_072 / 562_027, abs=1e-3)
    solved = results(*DEEPSEEK_DAY, "--solve", "price", "--for", "cost_profit_margin=5.45")
    assert solved["price"]["value"] == pytest.approx(2.19, rel=0.01)
    day = [arg for arg in DEEPSEEK_DAY if arg not in ("--input-price", "0.55 USD/Mtoken")]
    input_price = results(*day, "--price", "2.19 USD/Mtoken", "--solve", "input-price",
                          "--for", "revenue_per_day=562027")  # fmt: skip
    assert input_price["input_price"]["value"] == pytest.approx(0.55, rel=1e-3)


def test_cost_per_million_input_tokens_from_a_stated_prefill_throughput() -> None:
    """The same DeepSeek-AI overview: "Each H800 node delivers an average throughput of
    ~73.7k tokens/s input (including cache hits) during prefilling", nodes of "8 H800 GPUs",
    and "Assuming the leasing cost of one H800 GPU is $2 per hour". The source prices no
    input token itself; its figures give 8 x $2 an hour over 73.7k x 3,600 tokens an hour:
    $16 / 265.32 M = $0.0603 per million input tokens, under a tenth of the $0.55 it charges
    for a cache miss. The cost moves inversely with the throughput and directly with the
    price (an invariant, checked at half and twice each)."""
    per_gpu = 73.7e3 / 8
    stated = ("inference", "--cost-per-gpu-hour", "2 USD/h")
    found = results(*stated, "--input-throughput", f"{per_gpu} token/s")
    cost = found["cost_per_million_input_tokens"]
    assert cost["value"] == pytest.approx(16 / (73.7e3 * 3600 / 1e6), rel=1e-12)
    assert cost["value"] == pytest.approx(0.0603, abs=5e-5) and cost["unit"] == "USD/Mtoken"
    half_speed = results(*stated, "--input-throughput", f"{per_gpu / 2} token/s")
    assert half_speed["cost_per_million_input_tokens"]["value"] == pytest.approx(2 * cost["value"])
    dearer = results("inference", "--cost-per-gpu-hour", "4 USD/h",
                     "--input-throughput", f"{per_gpu} token/s")  # fmt: skip
    assert dearer["cost_per_million_input_tokens"]["value"] == pytest.approx(2 * cost["value"])


def test_price_for_a_margin_and_a_blended_mix() -> None:
    """A 3:1 input:output mix is priced (3 x input + output) / 4: Epoch AI, "LLM inference
    prices have fallen rapidly but unequally across tasks" (data insight, 2025,
    https://epoch.ai/data-insights/llm-inference-price-trends), following Artificial
    Analysis' methodology: "All prices were a 3:1 weighted average of input and output token
    prices." --solve price for a 50 % gross margin charges twice an output token's cost."""
    mix = results("inference", "--input-output-ratio", "3", "--input-price", "0.55 USD/Mtoken",
                  "--price", "2.19 USD/Mtoken")  # fmt: skip
    assert mix["blended_price"]["value"] == pytest.approx((3 * 0.55 + 2.19) / 4)
    cost = mix["blended_cost"]["value"]
    assert cost == pytest.approx((3 * mix["cost_per_million_input_tokens"]["value"]
                                  + mix["cost_per_million_tokens"]["value"]) / 4)  # fmt: skip
    solved = results("inference", "--solve", "price", "--for", "margin=0.5")
    assert solved["price"]["value"] == pytest.approx(2 * solved["cost_per_million_tokens"]["value"])


def test_arithmetic_intensity_of_the_gpu_and_of_decode() -> None:
    """Austin et al., "How to Scale Your Model" (2025), chapter "All About Rooflines",
    https://jax-ml.github.io/scaling-book/roofline/: the TPU v5e's critical intensity is
    "1.97e14 / 8.2e11" = 240 FLOP/byte, and a bf16 matmul with a small batch B has an
    arithmetic intensity of about B, so decode below B = 240 is bandwidth-bound."""
    gpu = results("inference", "--peak", "197 TFLOP/s", "--bandwidth", "820 GB/s")
    assert gpu["ridge_point"]["value"] == pytest.approx(1.97e14 / 8.2e11)
    short = ("--prompt-tokens", "1", "--output-tokens", "1", "--gpus-per-replica", "4")
    for batch in (1, 64, 200):
        found = results("inference", "--batch", str(batch), *short)
        assert found["arithmetic_intensity"]["value"] == pytest.approx(batch, rel=0.01)


def test_arithmetic_intensity_counts_attention_flop_alike_and_bound_does_not() -> None:
    """DeepSeek's FP8 matmuls beside BF16 attention (the deepseek-v3 preset's quote): the
    intensity is FLOP / byte whatever peak a FLOP runs at, so attention at BF16 leaves it as
    it is; the compute time, which the bound compares, counts attention at the BF16 peak."""
    fp8 = ("--preset", "deepseek-v3", "--attention-precision", "fp8")
    same, bf16 = results("inference", *fp8), results("inference", "--preset", "deepseek-v3")
    assert bf16["arithmetic_intensity"]["value"] == same["arithmetic_intensity"]["value"]
    assert bf16["ridge_point"]["value"] == same["ridge_point"]["value"]
    assert bf16["compute_time"]["value"] > same["compute_time"]["value"]


def test_kv_cache_tokens_that_fit() -> None:
    """Llama 3.1 70B on four H100s: 4 x 80 GB x 0.9 usable less 141.1 GB of BF16 weights,
    at 2 x 80 x 8 x 128 x 2 = 327,680 B per token (the IETF draft's KV formula, see
    test_inference), holds 448,283 tokens of KV cache."""
    found = results("inference")
    assert found["kv_token_capacity"]["value"] == (4 * 80e9 * 0.9 - 70553706496 * 2) // 327_680


def test_a_rate_written_as_the_paper_states_it() -> None:
    """DeepSeek-AI, "DeepSeek-V3 Technical Report" (arXiv:2412.19437), section 1: "During
    the pre-training stage, training DeepSeek-V3 on each trillion tokens requires only 180K
    H800 GPU hours, i.e., 3.7 days on our cluster with 2048 H800 GPUs. Consequently, our
    pre-training stage is completed in less than two months and costs 2664K GPU hours"
    (14.8T tokens)."""
    rate = ("--gpu-throughput", "1e12 token/(180e3 h)", "--count", "2048")
    day = results("flops", *rate, "--tokens", "1e12")
    assert day["duration"]["value"] == pytest.approx(3.7, abs=0.05)
    whole = results("flops", *rate, "--tokens", "14.8e12")
    assert whole["gpu_hours"]["value"] == pytest.approx(2664e3)
    same = results("flops", "--cluster-throughput", "4e6 token/(10 s)", "--tokens", "4e11")
    assert same["duration"]["value"] == pytest.approx(1e6 / 86400)


@pytest.mark.parametrize(
    "text", ["1 token/(0 s)", "9**9**9 token/(1 s)", "1e12 token/(180e3 h^9)", "1e12 W/(1 h)",
             "1e300 token/(1e-300 s)", "1e12 token/(180e3 h" + " h" * 200 + ")"],
)  # fmt: skip
def test_a_bad_rate_is_one_line_naming_the_option(text: str) -> None:
    outcome = run("flops", "--gpu-throughput", text, "--count", "8", "--tokens", "1e12")
    assert outcome.code == 2 and "--gpu-throughput" in outcome.stderr
    assert len(outcome.stderr.strip().splitlines()) == 1


def test_co2e_in_pounds() -> None:
    """Strubell, Ganesh and McCallum, "Energy and Policy Considerations for Deep Learning in
    NLP" (ACL 2019, arXiv:1906.02243), report CO2e in pounds ("Table 3: Estimated cost of
    training a model in terms of CO2 emissions (lbs) and cloud compute cost (USD)"), at the
    U.S. average of 0.954 lbs per kWh; their neural architecture search, "626,155 lbs CO2e
    = 284 metric tons" (Luccioni et al. 2025, restating it). A pound is 453.59237 g."""
    megawatt_hour = ("--count", "1", "--duration", "1000 h", "--power", "1 kW")
    found = results("flops", *megawatt_hour, "--carbon-intensity", "0.954 lb/kWh",
                    "--unit", "emissions=lb")  # fmt: skip
    assert found["emissions"] == {"value": pytest.approx(954), "unit": "lbCO2e"}
    search = results("flops", *megawatt_hour, "--carbon-intensity", "626155 lb/MWh")
    assert search["emissions"]["value"] == pytest.approx(284, abs=0.05)  # tCO2e
    kg = results("flops", *megawatt_hour, "--carbon-intensity", "0.4 kg/kWh", "--unit",
                 "emissions=kg")  # fmt: skip
    assert kg["emissions"] == {"value": pytest.approx(400), "unit": "kgCO2e"}


EPOCH_GIGAWATT = (
    "tco", "--gpus", "1e6", "--power", "1 kW", "--load", "1", "--pue", "1",
    "--gpu-price", "38000 USD", "--network-cost", "0 USD", "--facility-cost", "0 USD/kW",
    "--other-opex", "300 USD/yr",
)  # fmt: skip


def test_opex_as_a_share_of_capex() -> None:
    """Epoch AI, "Servers account for 60% of the total cost of ownership of a one-gigawatt AI
    data center" (data insight, 2026-05-14), https://epoch.ai/data-insights/
    ai-datacenter-cost-breakdown: "A typical one-gigawatt AI data center requires $38 billion
    in up-front capital expenditure (CapEx) and $0.9 billion in annual operating expenses
    (OpEx)"; "even energy, the largest OpEx category, costs only $0.6 billion per year". As a
    reader types the totals for 1 GW of IT (10^6 GPUs of 1 kW): $38,000 of capex each, $0.3 B
    of other opex, and the electricity price that makes 1 GW for a year cost $0.6 B. Opex is
    0.9 / 38 = 2.4 % of capex a year; --solve finds that price back from the share."""
    energy_price = 0.6e9 / (1e9 * 365.25 * 24 / 1e3)  # USD/kWh: $0.6 B for 1 GW-year
    found = results(*EPOCH_GIGAWATT, "--electricity", f"{energy_price} USD/kWh")
    assert found["capex"]["value"] == pytest.approx(38e9)
    assert found["annual_opex"]["value"] == pytest.approx(0.9e9)
    assert found["opex_share_of_capex"]["value"] == pytest.approx(0.024, abs=0.0005)
    solved = results(*EPOCH_GIGAWATT, "--solve", "electricity", "--for",
                     f"opex_share_of_capex={0.9 / 38}")  # fmt: skip
    assert solved["electricity"]["value"] == pytest.approx(energy_price)


def test_textbook_dies_per_wafer_and_good_dies_from_it() -> None:
    """Hennessy & Patterson, "Computer Architecture: A Quantitative Approach" (5th/6th ed.,
    section 1.6; the figures as tests/test_dieyield.py cites them): a 300 mm wafer holds 270
    dies 1.5 cm on a side by pi (d/2)^2 / A - pi d / sqrt(2 A), on the whole wafer and the
    bare die; at D0 = 0.047/cm^2 and N = 12 the die yield is 0.30, so good dies come from
    that count: 269.7 x 0.2993. The same formula on the usable wafer and the die pitch (the
    default 3 mm edge and 0.1 mm scribe) gives fewer; a stated count replaces both."""
    die = ("yield", "--die-size", "15x15", "--wafer-diameter", "300", "--defect-density",
           "0.047", "--model", "bose-einstein", "--layers", "12")  # fmt: skip
    textbook = results(*die, "--dies-per-wafer-method", "textbook")
    assert textbook["dies_per_wafer"]["value"] == pytest.approx(270, abs=0.5)
    assert textbook["good_dies_per_wafer"]["value"] == pytest.approx(
        textbook["dies_per_wafer"]["value"] * textbook["die_yield"]["value"]
    )
    usable = results(*die, "--dies-per-wafer-method", "formula")
    assert usable["dies_per_wafer"]["value"] == usable["dies_per_wafer_formula"]["value"] < 270
    counted = results(*die)
    assert counted["dies_per_wafer"]["value"] == int(counted["dies_per_wafer"]["value"])
    stated = results(*die, "--dies-per-wafer", "270")
    assert stated["good_dies_per_wafer"]["value"] == pytest.approx(270 * 0.2993, rel=1e-3)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--dies-per-wafer", "600.5"), "--dies-per-wafer: '600.5' is not a whole number"),
        (
            ("--dies-per-wafer", "600", "--dies-per-wafer-method", "formula"),
            "--dies-per-wafer and --dies-per-wafer-method are alternatives: give one",
        ),
    ],
)
def test_a_stated_dies_per_wafer_is_a_whole_count_that_no_method_recounts(
    extra: tuple[str, ...], message: str
) -> None:
    """The probe found --dies-per-wafer 600.5 accepted and a --dies-per-wafer-method beside
    a stated count silently ignored."""
    outcome = run("yield", "--die-area", "100mm^2", "--defect-density", "0.1/cm^2", *extra)
    assert outcome.code == 2 and message in outcome.stderr


def test_a_die_count_gives_the_wafers_needed() -> None:
    """Center for Strategic and International Studies, quoted by Tom's Hardware ("Huawei
    reportedly acquired two million Ascend 910 AI chips from TSMC last year through shell
    companies", 2025, https://www.tomshardware.com/tech-industry/artificial-intelligence/
    huawei-reportedly-acquired-two-million-ascend-910-ai-chips-from-tsmc-last-year-through-
    shell-companies): "government officials told CSIS that TSMC manufactured more than 2
    million Ascend 910B logic dies". The question a reader asks of it: how many wafers is
    that at a stated count and yield. Wafers x good dies per wafer = dies, both ways."""
    found = results("yield", "--dies", "2e6", "--dies-per-wafer", "60", "--die-yield", "50 %")
    assert found["wafers"]["value"] == pytest.approx(2e6 / 30)
    back = results("yield", "--wafers", f"{2e6 / 30}", "--dies-per-wafer", "60",
                   "--die-yield", "50 %")  # fmt: skip
    assert back["dies"]["value"] == pytest.approx(2e6)
    clash = run("yield", "--dies", "2e6", "--wafers", "10", "--dies-per-wafer", "60")
    assert clash.code == 2 and "are alternatives" in clash.stderr


def test_yield_with_spare_cores() -> None:
    """MIT 6.780J "Control of Manufacturing Processes" (Spring 2008, MIT OpenCourseWare),
    assignment 5 solutions, part 2 (copy at https://studylib.net/doc/13612327/): "(a) If
    yield of individual amplifiers is 99.5%, the yield of a memory block with 256 amplifiers
    each of which must function is (0.995)^256 = 27.7%"; "(c) If the memory block can be
    reconfigured to function with 25 or fewer defective amplifiers, the yield is now:
    sum_{k=0}^{25} C(256,k) (0.995)^(256-k) (0.005)^k ... ≈ 1". With 231 of 256 needed the
    binomial sum is 1 to within 1e-15; with 255 needed it is the first two terms."""
    block = ("yield", "--cores", "256", "--core-yield", "99.5 %")
    assert results(*block, "--cores-needed", "256")["yield_with_spares"]["value"] == (
        pytest.approx(0.277, abs=5e-4)
    )
    assert results(*block, "--cores-needed", "231")["yield_with_spares"]["value"] == (
        pytest.approx(1, abs=1e-12)
    )
    one_spare = 0.995**256 + 256 * 0.005 * 0.995**255
    assert results(*block, "--cores-needed", "255")["yield_with_spares"]["value"] == (
        pytest.approx(one_spare, rel=1e-12)
    )
    too_many = run(*block, "--cores-needed", "300")
    assert too_many.code == 1 and "--cores-needed is more than --cores" in too_many.stderr


def test_spare_cores_shape_good_dies_and_match_poisson_without_spares() -> None:
    """Under Poisson the yield of a die is the product of its parts' yields, so 144 cores
    all needed give exactly the whole die's yield; 12 spares raise it, and good dies use it.
    The H100-like 132 of 144 as Simon Willison summarises Cerebras's "100x Defect Tolerance:
    How Cerebras Solved the Yield Problem" (2025-01-16, https://simonwillison.net/2025/Jan/16/
    cerebras-yield-problem/): "Modern GPUs are deliberately designed with redundant cores:
    the H100 needs 132 but the wafer contains 144, so up to 12 can be defective without the
    chip failing." (The 4 mm^2 core and 0.1/cm^2 are this test's, not the source's.)"""
    die = ("yield", "--die-area", "814", "--defect-density", "0.1", "--cores", "144",
           "--core-area", "4")  # fmt: skip
    none_spare = results(*die, "--cores-needed", "144")
    assert none_spare["yield_with_spares"]["value"] == pytest.approx(
        none_spare["die_yield"]["value"], rel=1e-12
    )
    spare = results(*die, "--cores-needed", "132")
    assert spare["yield_with_spares"]["value"] > 1.5 * spare["die_yield"]["value"]
    assert spare["good_dies_per_wafer"]["value"] == pytest.approx(
        spare["dies_per_wafer"]["value"] * spare["yield_with_spares"]["value"]
    )


def test_a_loop_over_gpus_takes_each_gpus_cited_price() -> None:
    """Issue 17 §4: a loop over --gpu must not print one price for every chip. A GPU preset's
    cited server price per GPU replaces the scenario's H100 price: the A100's an 8 x A100
    80GB server's price / 8 (Epoch AI, Hardware prices.csv: 18,548.75 USD), the H20's a
    Reuters-reported 1.4 million yuan per 8-GPU server / 8 = 175,000 CNY. The same preset
    typed again (h100-sxm) moves nothing: its price is frontier-2024's own."""
    costs = {}
    for gpu in ("h100-sxm", "a100-sxm", "h20"):
        outcome = run("tco", "--gpu", gpu, "--value", "cost_per_gpu_hour")
        costs[gpu] = float(outcome.stdout)
        assert "--gpu-price" not in outcome.stderr
    assert costs["h100-sxm"] == float(run("tco", "--value", "cost_per_gpu_hour").stdout)
    assert len(set(costs.values())) == 3
    assert costs["a100-sxm"] < costs["h20"] < costs["h100-sxm"]  # server prices in that order
    inputs = run("tco", "--gpu", "a100-sxm", "--format", "json").json()["inputs"]
    assert inputs["gpu-price"] == {
        "value": 18548.75,
        "unit": "USD",
        "from": "preset a100-sxm (gpu.price)",
    }
    h20 = run("tco", "--gpu", "h20", "--format", "json").json()["inputs"]["gpu-price"]
    assert h20["from"] == "preset h20 (gpu.price)"
    assert h20["value"] == pytest.approx(175_000 / 7.0809)  # the exchange-rates preset's 2023 yuan


@pytest.mark.parametrize(
    ("gpu", "usd"), [("h200", 39_083.38), ("b200", 47_409.13), ("mi300x", 25_733.71)]
)
def test_newer_gpus_take_their_cited_server_price(gpu: str, usd: float) -> None:
    """Epoch AI, training-cost-trends, data/Hardware prices.csv (read 2026-12-03): an 8 x H200
    HGX "on sale" at 39,083.38 per GPU (archive.ph/TxlLv, 2025-01-31), a DGX B200 at
    47,409.13 per GPU (Delta Computer, 2024-12-17), eight MI300X on their baseboard at
    25,733.71 per GPU (Interpro Micro, 2025-02-10)."""
    outcome = run("tco", "--gpu", gpu, "--format", "json")
    price = outcome.json()["inputs"]["gpu-price"]
    assert (price["value"], price["from"]) == (usd, f"preset {gpu} (gpu.price)")
    assert "--gpu-price" not in outcome.stderr


def test_no_gpu_keeps_the_scenarios_price_unmarked() -> None:
    """Issue 17 §4 over every GPU preset: a --gpu other than the scenario's own takes its
    preset's cited price, or keeps the H100's marked '(anchor replaced)' in JSON and named
    in the warning; never the H100's price silently."""
    names = [name for name in preset_files() if load(name).kind == "gpu"]
    for gpu in (name for name in names if name != "h100-sxm"):  # a --power: TPUs give no TDP
        outcome = run("tco", "--gpu", gpu, "--power", "1 kW", "--format", "json")
        taken = outcome.json()["inputs"]["gpu-price"]["from"]
        if taken != f"preset {gpu} (gpu.price)":
            assert taken == "preset frontier-2024 (anchor replaced)", gpu
            assert "--gpu-price" in outcome.stderr, gpu


def test_an_explicit_gpu_price_beats_the_gpu_presets() -> None:
    """--gpu-price always wins over the --gpu's cited price, and is not marked; solved for,
    the price is the answer, not the preset's."""
    own = run("tco", "--gpu", "a100-sxm", "--gpu-price", "30000 USD", "--format", "json")
    assert own.json()["inputs"]["gpu-price"] == {"value": 30000.0, "unit": "USD"}
    solve = ("--solve", "gpu-price", "--for", "cost_per_gpu_hour=1.5")
    solved = results("tco", "--gpu", "a100-sxm", *solve)
    assert solved["cost_per_gpu_hour"]["value"] == pytest.approx(1.5)
    assert solved["gpu_price"]["value"] > 18548.75  # $1.07/h at the preset's price


def test_a_gpu_presets_price_that_is_no_money_is_named(tmp_path: Path) -> None:
    """A GPU preset of one's own may cite a price, a range in any currency; a price in the
    wrong kind of unit fails in one line naming the preset's figure."""
    figure = '[gpu.{}]\nvalue = "{}"\nsource = "Our sheet"\nurl = "https://example.com/a"\n'
    preset = tmp_path / "my-accel.toml"
    head = 'title = "Ours"\nkind = "gpu"\n' + figure.format("bf16", "500 TFLOP/s")
    head += figure.format("tdp", "600 W")
    preset.write_text(head + figure.format("price", "20 kW"), encoding="utf-8")
    wrong = run("--presets-dir", str(tmp_path), "tco", "--gpu", "my-accel")
    assert wrong.code == 1
    assert "my-accel.toml) gpu.price: '20 kW' is a power, expected an amount of money" in (
        wrong.stderr
    )
    preset.write_text(head + figure.format("price", "20000..30000 EUR"), encoding="utf-8")
    price = run("--presets-dir", str(tmp_path), "tco", "--gpu", "my-accel", "--format", "json")
    taken = price.json()["inputs"]["gpu-price"]
    assert taken["from"] == "preset my-accel (gpu.price)"
    assert taken["low"] < taken["high"]
