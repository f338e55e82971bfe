"""The ``memory`` calculator against the published cases of its two sources.

- Rajbhandari et al., "ZeRO: Memory Optimizations Toward Training Trillion Parameter Models"
  (SC '20), arXiv:1910.02054: Figure 1, Table 1 and Table 2.
- Korthikanti et al., "Reducing Activation Recomputation in Large Transformer Models"
  (MLSys '23), arXiv:2205.05198: section 5, Table 2, Table 3 and section 6.1.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tcoctl
from conftest import core, results, run
from tcoctl.errors import UsageError

GB = 1e9
STAGES = ("0", "1", "2", "3")


CHOICES = {"recompute": "none", "sequence_parallel": "off"}


def states(params: float, data_parallel: float, stage: int, tensor_parallel: int = 1) -> float:
    """Model-state bytes per GPU from the core under mixed-precision Adam (the defaults)."""
    found = core("memory", CHOICES, params=params, data_parallel=data_parallel,
                 zero_stage=stage, tensor_parallel=tensor_parallel)  # fmt: skip
    return float(found["model_state_memory"])


def test_zero_figure_1_at_every_stage() -> None:
    """ZeRO, Figure 1 and sections 5.1-5.3: "a 7.5 B parameter model requires 31.4GB of
    memory using P_os with 64-way DP (N_d = 64), while requiring 120 GB with standard DP",
    "only 16.6 GB of memory using P_os+g", "1.9 GB of model-state memory using P_os+g+p"."""
    figure = ("--params", "7.5e9", "--data-parallel", "64", "--tensor-parallel", "1",
              "--pipeline-parallel", "1")  # fmt: skip
    out = [results("memory", *figure, "--zero-stage", stage) for stage in STAGES]
    shown = [round(o["model_state_memory"]["value"], 1) for o in out]
    assert [o["model_state_memory"]["unit"] for o in out] == ["GB"] * 4
    assert shown == [120.0, 31.4, 16.6, 1.9]


def test_zero_figure_1_preset_runs_the_four_stages() -> None:
    records = run("memory", "--preset", "memory-zero-fig1", "--format", "json").records()
    assert [r["preset"].split("[")[1] for r in records] == [
        "baseline]", "P_os]", "P_os+g]", "P_os+g+p]"
    ]  # fmt: skip
    values = [r["results"]["model_state_memory"]["value"] for r in records]
    assert values == pytest.approx([120.0, 31.40625, 16.640625, 1.875])


# ZeRO, Table 1: "Per-device memory consumption of different optimizations in ZeRO-DP as a
# function of DP degree" (GB), columns P_os, P_os+g, P_os+g+p. The 128B and 1T columns are
# cut, not rounded, to the digits shown (536 for 512 + 1536/64 = 536, 4187 for 4187.5).
TABLE_1 = {
    7.5e9: ("120 52.5 35.6 31.4 30.4 30.1", "120 41.3 21.6 16.6 15.4 15.1",
            "120 30 7.5 1.88 0.47 0.12"),
    128e9: ("2048 896 608 536 518 513", "2048 704 368 284 263 257", "2048 512 128 32 8 2"),
    1e12: ("16000 7000 4750 4187 4046 4011", "16000 5500 2875 2218 2054 2013",
           "16000 4000 1000 250 62.5 15.6"),
}  # fmt: skip
DP_DEGREES = (1, 4, 16, 64, 256, 1024)


@pytest.mark.parametrize("params", TABLE_1)
def test_zero_table_1(params: float) -> None:
    for stage, column in zip((1, 2, 3), TABLE_1[params], strict=True):
        for degree, printed in zip(DP_DEGREES, column.split(), strict=True):
            last_digit = 10.0 ** -len(printed.partition(".")[2])
            ours = states(params, degree, stage) / GB
            assert abs(ours - float(printed)) < last_digit, (params, stage, degree, printed)


@pytest.mark.parametrize(
    ("stage", "largest"), [("0", 2e9), ("1", 7.6e9), ("2", 14.4e9), ("3", 128e9)]
)
def test_zero_table_2_largest_model_on_64_gpus(stage: str, largest: float) -> None:
    """ZeRO, Table 2 ("Maximum model size through memory analysis"), MP 1 on 64 GPUs of
    32 GB: 2B, 7.6B, 14.4B and 128B; found by goal-seek on the parameter count."""
    out = results("memory", "--tensor-parallel", "1", "--pipeline-parallel", "1",
                  "--data-parallel", "64", "--zero-stage", stage,
                  "--solve", "params", "--for", "model_state_memory=32 GB")  # fmt: skip
    assert round(out["params"]["value"] / 1e9, 1) == largest / 1e9


def test_korthikanti_attention_terms_of_gpt3_and_mt_nlg() -> None:
    """Korthikanti et al., section 5: "For GPT-3, a = 96, s = 2048, and h = 12288 and as a
    result 5as/h = 80. For MT-NLG, a = 128, s = 2048. and h = 20480 so 5as/h = 64.\""""
    gpt3 = core("memory", CHOICES, heads=96, sequence=2048, hidden=12288)
    mt_nlg = core("memory", CHOICES, heads=128, sequence=2048, hidden=20480)
    assert gpt3["attention_ratio"] == pytest.approx(80)
    assert mt_nlg["attention_ratio"] == pytest.approx(64)


SHAPES = {  # Korthikanti et al., Table 3: heads, hidden size, layers (t = 8, s = 2048)
    "175B": ("96", "12288", "96"),
    "530B": ("128", "20480", "105"),
    "1T": ("160", "25600", "128"),
}


def activations(model: str, *options: str) -> float:
    heads, hidden, layers = SHAPES[model]
    out = results("memory", "--heads", heads, "--hidden", hidden, "--layers", layers,
                  "--sequence", "2048", "--tensor-parallel", "8", *options)  # fmt: skip
    value: float = out["activation_memory"]["value"]
    return value


@pytest.mark.parametrize(("model", "saving"), [("175B", 0.70), ("530B", 0.65)])
def test_selective_recomputation_saves_what_the_paper_says(model: str, saving: float) -> None:
    """Section 5: "by using selective activation recomputation we can save 70% and 65% of the
    required memory for activations for the GPT-3 and MT-NLG models, respectively"."""
    kept = activations(model, "--sequence-parallel", "on", "--recompute", "selective")
    every = activations(model, "--sequence-parallel", "on", "--recompute", "none")
    assert round(1 - kept / every, 2) == saving


@pytest.mark.parametrize("model", SHAPES)
def test_sequence_parallel_and_selective_together_cut_about_five_times(model: str) -> None:
    """Section 6.1, against Equation 2 (tensor parallel, nothing recomputed): "combined
    provide a 5x reduction"; full recomputation "is at 10% of the baseline"."""
    baseline = activations(model, "--sequence-parallel", "off", "--recompute", "none")
    both = activations(model, "--sequence-parallel", "on", "--recompute", "selective")
    full = activations(model, "--recompute", "full")
    assert round(baseline / both) == 5
    assert round(full / baseline, 1) == 0.1


def test_table_2_rows_for_gpt3() -> None:
    """Korthikanti et al., Table 2, per layer in bytes for GPT-3 (s = 2048, h = 12288,
    a = 96) at t = 8: sbh(10 + 24/t + 5as/(ht)), sbh(34/t + 5as/(ht)), sbh(10 + 24/t),
    sbh(34/t), and 2sbh for full recomputation."""
    sbh, t, ratio = 2048 * 12288, 8, 80
    rows = {
        ("off", "none"): sbh * (10 + 24 / t + ratio / t),
        ("on", "none"): sbh * (34 / t + ratio / t),
        ("off", "selective"): sbh * (10 + 24 / t),
        ("on", "selective"): sbh * 34 / t,
        ("off", "full"): 2 * sbh,
        ("on", "full"): 2 * sbh,
    }
    for (split, recompute), expected in rows.items():
        out = results("memory", "--sequence-parallel", split, "--recompute", recompute,
                      "--micro-batch", "1")  # fmt: skip
        assert out["activation_per_layer"]["value"] * GB == pytest.approx(expected)


def test_gpt3_on_64_a100s_fits_only_with_the_papers_savings() -> None:
    """The default preset is Korthikanti et al.'s 175B configuration (Table 3: t = 8, p = 8,
    64 A100 80GB, micro-batch 1): 43.75 GB of model states and 34 sbhL/t = 10.27 GB of
    activations (Equation 6) fit; storing every activation (Equation 2: 55.6 GB) does not —
    "Without the memory savings provided by sequence parallelism and selective recompute
    together, none of the these models will fit into memory"."""
    out = results("memory")
    assert out["model_state_memory"]["value"] == pytest.approx(175e9 * 16 / 64 / GB)
    assert out["activation_memory"]["value"] == pytest.approx(34 * 2048 * 12288 * 96 / 8 / GB)
    assert out["fits"]["label"] == "yes"
    outcome = run("memory", "--recompute", "none", "--sequence-parallel", "off", "-f", "json")
    assert outcome.json()["results"]["fits"]["label"] == "no"
    assert "do not fit in memory (fits: no)" in outcome.stderr


def test_largest_micro_batch_is_the_last_that_fits() -> None:
    largest = results("memory")["max_micro_batch"]["value"]
    assert largest == 3  # floor((80 - 43.75) / 10.27)
    assert results("memory", "--micro-batch", "3")["fits"]["label"] == "yes"
    assert results("memory", "--micro-batch", "4")["fits"]["label"] == "no"


def test_pipeline_stages_hold_every_layer_of_activations() -> None:
    """Section 4.2.3: "the first stage must store p x L/p = L layers worth of activations
    regardless of the pipeline parallel size p"; the model states split p ways."""
    one = results("memory", "--pipeline-parallel", "1")
    eight = results("memory", "--pipeline-parallel", "8")
    assert one["activation_memory"]["value"] == eight["activation_memory"]["value"]
    assert one["model_state_memory"]["value"] == pytest.approx(
        8 * eight["model_state_memory"]["value"]
    )


@settings(max_examples=25)
@given(
    params=st.floats(1e8, 2e12),
    degree=st.integers(1, 4096),
    shards=st.sampled_from([1, 2, 4, 8, 16]),
)
def test_each_zero_stage_holds_no_more_than_the_one_before(
    params: float, degree: int, shards: int
) -> None:
    found = [
        states(params, degree, stage, tensor_parallel=shards) for stage in range(4)
    ]  # fmt: skip
    assert found == sorted(found, reverse=True)
    assert found[0] == pytest.approx(16 * params / shards)
    assert found[3] == pytest.approx(16 * params / shards / degree)


def test_fewest_gpus_is_a_whole_data_parallel_degree_rounded_up() -> None:
    """GPT-3 175B without pipeline parallelism, ZeRO stage 3: 350 GB of model states per
    tensor-parallel group must shrink to 80 - 10.27 GB, so Nd >= 350 / 69.73 = 5.02: 6
    replicas of 8 GPUs, and the run says it rounded up."""
    goal = ("--solve", "data-parallel", "--for", "memory_headroom=0 GB")
    outcome = run("memory", "--pipeline-parallel", "1", "--zero-stage", "3", *goal, "-f", "json")
    assert outcome.code == 0, outcome.stderr
    out = outcome.json()["results"]
    exact = 175e9 * 16 / 8 / (80e9 - 34 * 2048 * 12288 * 96 / 8)
    assert 5 < exact < 6
    assert out["data_parallel"]["value"] == 6 and out["gpus"]["value"] == 48
    assert out["fits"]["label"] == "yes"
    assert "data-parallel is a whole number: 5.01919 rounded up to 6" in outcome.stderr


def test_a_whole_solution_is_not_rounded_past_itself() -> None:
    """ZeRO Table 2: 128B parameters at stage 3 fit 32 GB on exactly 64 GPUs (16 x 128e9 /
    64 = 32e9): the solver's float noise must not make it 65."""
    outcome = run("memory", "--params", "128e9", "--tensor-parallel", "1",
                  "--pipeline-parallel", "1", "--zero-stage", "3", "--solve", "data-parallel",
                  "--for", "model_state_memory=32 GB", "-f", "json")  # fmt: skip
    assert outcome.code == 0, outcome.stderr
    assert outcome.json()["results"]["data_parallel"]["value"] == 64
    assert "rounded up" not in outcome.stderr


def test_tensor_parallelism_must_split_the_heads_whole() -> None:
    """The probe's --tensor-parallel 7 with GPT-3's 96 heads ran; each tensor-parallel GPU
    holds whole heads (Megatron-LM), so 7 is refused, 4 and 8 run. It is how the option was
    given: a usage error (exit 2) naming --tensor-parallel and the values that would do."""
    outcome = run("memory", "--tensor-parallel", "7")
    assert outcome.code == 2 and outcome.stdout == ""
    assert outcome.stderr.endswith(
        "--tensor-parallel 7 does not divide the 96 heads (each GPU holds whole attention "
        "heads; e.g. 8, or another divisor of 96: 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 96)\n"
    )
    for ways in ("4", "8"):
        assert run("memory", "--tensor-parallel", ways, "--format", "json").code == 0


def test_a_tensor_parallel_range_names_the_degree_that_splits_heads() -> None:
    """The probe: 6..8 (6 and 8 divide 96, the centre 7 does not) said only "does not divide
    the 96 heads ... e.g. 8", and the range suffix ran on after "e.g. 8"; it names the range
    and the degree that fails (was '--tensor-parallel 7 does not divide', 7 never typed)."""
    outcome = run("memory", "--tensor-parallel", "6..8")
    assert outcome.code == 2
    assert (
        "--tensor-parallel 6..8: each value the range is computed at must divide the 96 heads, "
        "and 7 does not (each GPU" in outcome.stderr
    )


def test_a_new_params_names_the_shape_it_keeps_from_the_preset() -> None:
    """The probe found `memory --params 7e9` keeping the GPT-3 preset's 96 layers, 12,288
    hidden and 96 heads without a word (issue 17 §4: a preset's anchor replaced must not
    carry its tied figures along unnoticed)."""
    outcome = run("memory", "--params", "7e9", "-f", "json")
    assert outcome.code == 0
    kept = "--layers, --hidden, --heads, --tensor-parallel, --pipeline-parallel"
    assert f"{kept} still from preset memory-gpt3-175b" in outcome.stderr
    for name in ("layers", "tensor-parallel", "pipeline-parallel"):
        assert outcome.json()["inputs"][name]["from"].endswith("(anchor replaced)")
    typed_shape = run("memory", "--params", "7e9", "--layers", "32", "--hidden", "4096",
                      "--heads", "32", "--tensor-parallel", "1", "--pipeline-parallel", "1",
                      "-f", "json")  # fmt: skip
    assert "still from preset" not in typed_shape.stderr


def test_a_new_params_names_the_parallel_degrees_the_preset_chose_for_its_model() -> None:
    """The probe: ZeRO's 7.5B model on 64 GPUs at stage 0 holds 120 GB per GPU (Rajbhandari
    et al., Figure 1); typed so, the run kept GPT-3's t = 8, p = 8 and answered 1.875 GB
    of model states, and the warning named only the shape."""
    outcome = run("memory", "--params", "7.5e9", "--data-parallel", "64", "--zero-stage", "0",
                  "-f", "json")  # fmt: skip
    assert "--tensor-parallel, --pipeline-parallel still from preset" in outcome.stderr
    alone = run("memory", "--params", "7.5e9", "--data-parallel", "64", "--zero-stage", "0",
                "--tensor-parallel", "1", "--pipeline-parallel", "1", "-f", "json")  # fmt: skip
    assert alone.json()["results"]["model_state_memory"]["value"] == pytest.approx(120)


@pytest.mark.parametrize("text", [":", "x"])
def test_a_zero_stage_that_is_no_number_says_what_a_stage_is(text: str) -> None:
    """The probe's zero_stage=':' said "cannot read ':' as a quantity": a stage is a whole
    number from 0 to 3, and the message says so, with the keyword and an example."""
    expected = f"cannot read {text!r} as a number: expected a whole number at least 0 and at most 3"
    with pytest.raises(UsageError) as raised:
        tcoctl.memory(zero_stage=text)
    assert str(raised.value) == f"zero_stage=: {expected}; e.g. zero_stage='3'"
    outcome = run("memory", "--zero-stage", text)
    assert outcome.code == 2 and f"--zero-stage: {expected}; e.g. '3'" in outcome.stderr


def test_an_option_replacing_all_a_presets_scenarios_vary_says_they_are_one() -> None:
    """The probe: memory-zero-fig1's four scenarios differ only in --zero-stage; with
    --zero-stage 0 all four answered 120 GB under their labels [P_os], [P_os+g], ... with no
    word. An option that replaces part of what they vary leaves them apart, and says nothing."""
    said = "--zero-stage replaces all that preset memory-zero-fig1's 4 scenarios vary"
    outcome = run("memory", "--preset", "memory-zero-fig1", "--zero-stage", "0", "-f", "json")
    assert outcome.code == 0 and said in outcome.stderr
    assert "they are one scenario under 4 labels; drop --zero-stage to compare them" in (
        outcome.stderr
    )
    assert said not in run("memory", "--preset", "memory-zero-fig1", "-f", "json").stderr
    with pytest.warns(tcoctl.TcoctlWarning, match="zero_stage replaces all that preset"):
        tcoctl.memory(preset="memory-zero-fig1", zero_stage=0)


def test_solving_for_tensor_parallel_answers_a_divisor_of_the_heads() -> None:
    """The hostile probe: the goal-seek rounded tensor parallelism up to 11 (root 10.8035 for
    40 GB), then the heads check refused '--tensor-parallel 11', an option never given; it
    now rounds up to the next divisor of the 96 heads, 12 (36.0118 GB)."""
    found = results("memory", "--solve", "tensor-parallel", "--for", "memory_per_gpu=40GB")
    assert found["tensor_parallel"]["value"] == 12
    assert found["memory_per_gpu"]["value"] == pytest.approx(36.0118, rel=1e-5)


def test_a_goal_past_the_most_heads_is_out_of_reach_with_an_example_that_runs() -> None:
    """1 GB per GPU would need tensor parallelism 432.141, past the 96 heads: it is out of
    reach (it was '--tensor-parallel 433 does not divide the 96 heads'), and the goal
    suggested instead is reached."""
    outcome = run("memory", "--solve", "tensor-parallel", "--for", "memory_per_gpu=1GB")
    assert outcome.code == 1 and outcome.stderr.count("\n") == 1, outcome.stderr
    assert "above the most it may take here, 96, where memory_per_gpu is 4.50147 GB" in (
        outcome.stderr
    )
    goal = outcome.stderr.rstrip().rpartition("--for ")[2].strip("'")
    assert goal == "memory_per_gpu=4.6 GB"
    assert (
        results("memory", "--solve", "tensor-parallel", "--for", goal)["tensor_parallel"]["value"]
        == 96
    )


def test_heads_a_goal_seek_found_none_for_and_huge_head_counts_end_cleanly() -> None:
    """The hostile probe: memory --solve heads --for 'memory_headroom=0 GB' was an internal
    error (the heads check took the NaN of a goal-seek with no answer for a head count), and
    --heads 1000000001 listed its divisors by trying every number up to it (a hang). The
    message writes the count whole (not '1e+09 heads')."""
    solved = run("memory", "--solve", "heads", "--for", "memory_headroom=0 GB")
    assert solved.code in (1, 2) and "internal error" not in solved.stderr, solved.stderr
    huge = run("memory", "--heads", "1000000001", "--tensor-parallel", "2")
    assert huge.code == 2 and "does not divide the 1000000001 heads" in huge.stderr
    assert "e.g. 7, or another divisor of 1000000001: 1, 7, 11, " in huge.stderr


@pytest.mark.parametrize("command", ["memory", "inference"])
def test_weight_bytes_of_0_is_refused_by_every_calculator(command: str) -> None:
    """Probe, item 5: memory --weight-bytes 0 ran (weight_memory 0 GB) while inference
    refused it ('expected a value above 0'): a model has weights, so both refuse it."""
    outcome = run(command, "--weight-bytes", "0")
    assert outcome.code == 2 and outcome.stderr.startswith(
        "tcoctl: error: --weight-bytes: '0' is out of range: expected a value above 0; e.g. "
    )
    with pytest.raises(UsageError, match="weight_bytes"):
        getattr(tcoctl, command)(weight_bytes=0)
