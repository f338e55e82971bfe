"""The CLI end to end: every command's default run, the issue's examples, the JSON contract,
and one-line errors with exit code 2."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from typing import Any

import pytest
from typer._click.exceptions import BadParameter
from typer.testing import CliRunner

import tcoctl
from conftest import results, run
from tcoctl.cli.app import app, hinted, worded
from tcoctl.errors import UsageError
from tcoctl.report import DEFAULTED
from tcoctl.specs import CALCULATORS


@pytest.mark.parametrize("command", sorted(CALCULATORS))
def test_every_command_runs_on_its_default_preset(command: str) -> None:
    outcome = run(command, "--format", "json")
    assert outcome.code == 0, outcome.stderr
    for data in outcome.records():
        check_contract(data, command)


def test_help_names_every_calculator() -> None:
    """The summary in ``tcoctl --help`` comes from the specs, as do the commands it lists."""
    shown = " ".join(run("--help").stdout.split())
    for calc in CALCULATORS.values():
        assert calc.summary and calc.summary in shown
        assert calc.unit_example in " ".join(run(calc.name, "--help").stdout.split())


def check_contract(data: dict[str, Any], command: str) -> None:
    assert data["schema_version"] == 1 and data["command"] == command
    assert data["results"] and data["preset"].startswith(CALCULATORS[command].default_preset)
    for item in data["inputs"].values():  # only a fitted default says where it came from
        assert item.pop("from", DEFAULTED).endswith(DEFAULTED)
    for item in [*data["inputs"].values(), *data["results"].values()]:
        allowed = {"value", "unit", "label", "low", "high", "p05", "p50", "p95", "as_of"}
        assert set(item) <= allowed
        assert re.fullmatch(r"\d{4}(-\d\d){0,2}", item.get("as_of", "2024"))  # a result's date
        assert isinstance(item.get("label", ""), str)  # a coded result's name; value a number
        if "low" in item and isinstance(item["value"], float):
            assert item["low"] <= item["value"] * (1 + 1e-12) + 1e-300
            assert item["value"] <= item["high"] * (1 + 1e-12) + 1e-300


@pytest.mark.parametrize("command", sorted(CALCULATORS))
@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_table_and_csv_formats(command: str, fmt: str) -> None:
    outcome = run(command, "--format", fmt)
    assert outcome.code == 0, outcome.stderr
    assert outcome.stdout.strip()
    if fmt == "csv":
        assert outcome.stdout.startswith("scenario,command,section,name,value,unit,low,high")


def test_h100e_of_frontier_2025_covers_one_million() -> None:
    h100e = results("h100e", "--gpu", "gb200", "--count", "300000..500000")["h100e"]
    assert h100e["low"] < 1e6 < h100e["high"]
    assert h100e["low"] == pytest.approx(300_000 * 2500 / 989.4)


def test_h100e_basis_all_shows_h20_disagreement() -> None:
    out = results("h100e", "--gpu", "h20", "--count", "1000000", "--basis", "all")
    assert out["h100e_bf16"]["value"] == pytest.approx(1e6 * 148 / 989.4)
    assert out["h100e_bandwidth"]["value"] == pytest.approx(1e6 * 4.0 / 3.35)


def test_h100e_basis_all_points_to_one_basis() -> None:
    """Issue 19 item 13: --basis all leaves h100e out because no single basis is chosen; the
    hint names the bases (it said 'needs --capacity or --factor'), in JSON as choice=value."""
    outcome = run("h100e", "--gpu", "gb200", "--count", "300000", "--basis", "all",
                  "--format", "table")  # fmt: skip
    assert "h100e (needs one --basis: bf16, fp8, bandwidth or tpp)" in outcome.stdout
    missing = run("h100e", "--gpu", "gb200", "--count", "300000", "--basis", "all",
                  "--format", "json").json()["missing"]  # fmt: skip
    assert missing["h100e"] == [["basis=bf16"], ["basis=fp8"], ["basis=bandwidth"], ["basis=tpp"]]


def test_a_precision_the_chip_lacks_names_only_options_the_command_has() -> None:
    """Issue 19 item 13: h100e has no --peak, so its hint offers only --precision; flops's
    --peak stands instead of --gpu, and says so."""
    h100e = run("h100e", "--gpu", "h20", "--precision", "fp4", "--count", "10")
    assert h100e.code == 2  # and names the ones it has (probe D12: it listed none)
    assert h100e.stderr.rstrip().endswith(
        "give another --precision (h20 has bf16, fp8); e.g. --precision bf16"
    )
    flops = run("flops", "--gpu", "h20", "--precision", "fp4", "--count", "10",
                "--duration", "1 day", "--mfu", "0.4")  # fmt: skip
    assert flops.code == 2 and "give another --precision or a --peak instead" in flops.stderr


def test_h100e_factor_and_capacity() -> None:
    assert results("h100e", "--count", "300000..500000", "--factor", "2..3")["h100e"][
        "high"
    ] == pytest.approx(1.5e6)
    assert results("h100e", "--capacity", "8 EFLOP/s")["h100e"]["value"] == pytest.approx(
        8e18 / 989.4e12
    )


def test_flops_issue_example() -> None:
    out = results("flops", "--budget", "1e30FLOP", "--gpu", "h100-sxm", "--mfu", "0.4")
    assert out["gpu_hours"]["value"] == pytest.approx(7.02e11, rel=1e-3)
    assert out["gpu_hours"]["unit"] == "h"


def test_flops_model_mode_and_cost() -> None:
    out = results(
        "flops",
        "--params",
        "405e9",
        "--tokens",
        "15.6e12",
        "--gpu",
        "h100-sxm",
        "--count",
        "16384",
        "--mfu",
        "0.41",
        "--power",
        "1.275 kW",
        "--pue",
        "1.1",
        "--electricity",
        "0.08 USD/kWh",
    )
    assert out["total_flop"]["value"] == pytest.approx(3.79e25, rel=1e-3)
    days = 3.79e25 / (16384 * 989.4e12 * 0.41) / 86400
    assert out["duration"]["value"] == pytest.approx(days, rel=1e-3)
    assert out["facility_power"]["value"] == pytest.approx(16384 * 1.275 * 1.1 / 1000)
    assert out["energy"]["unit"] == "GWh"


ERRORS = [
    (["flops", "--power", "5 kg", "--gpu", "h100-sxm"], "--power"),
    (["flops", "--mfu", "40", "--gpu", "h100-sxm"], "--mfu"),
    (["flops", "--count", "-5", "--gpu", "h100-sxm"], "--count"),
    (["flops", "--count", "0", "--gpu", "h100-sxm"], "--count"),
    (["flops", "--duration", "nan day"], "--duration"),
    (["flops", "--duration", "1e400 day"], "--duration"),
    (["flops", "--budget", "9**9**9 FLOP"], "--budget"),
    (["flops", "--count", "5..1"], "--count"),
    (["flops", "--gpu", "h999"], "--gpu"),
    (["flops", "--precision", "fp16"], "--precision"),
    (["flops", "--duration", "30 day", "--gpu", "h100-sxm"], "--count"),
    (["h100e", "--count", "10"], "--gpu"),
    (["flops", "--format", "yaml"], "--format"),
    (["flops", "--preset", "gb200"], "--preset"),
    (["h100e", "--preset", "run-1e30"], "--preset"),
    (["flops", "--nonsense", "1"], "--nonsense"),
]


@pytest.mark.parametrize(("args", "option"), ERRORS)
def test_bad_input_gets_one_line_and_exit_2(args: list[str], option: str) -> None:
    outcome = run(*args)
    assert outcome.code == 2, (outcome.code, outcome.stderr)
    assert option in outcome.stderr and outcome.stdout == ""


def test_fp8_on_a100_names_the_missing_figure() -> None:
    outcome = run("flops", "--gpu", "a100-sxm", "--precision", "fp8", "--count", "8",
                  "--duration", "1 day", "--mfu", "0.4")  # fmt: skip
    assert outcome.code == 2 and "no fp8 figure" in outcome.stderr


def test_a_basis_without_a_figure_is_left_out() -> None:
    """The A100 has no FP8: --basis all leaves h100e_fp8 out and keeps the others."""
    out = results("h100e", "--gpu", "a100-sxm", "--count", "10", "--basis", "all")
    assert "h100e_fp8" not in out
    assert out["h100e_bf16"]["value"] == pytest.approx(10 * 312 / 989.4)


def test_a_result_without_the_chips_figure_is_not_blamed_on_floats() -> None:
    """The probe: h100e --gpu a100-sxm warned that ratio_fp8 had "no finite value ... past
    the largest float"; the A100 has no FP8 figure, and the one warning says that plainly."""
    outcome = run("h100e", "--gpu", "a100-sxm", "--format", "json")
    assert outcome.code == 0 and "ratio_fp8" not in outcome.json()["results"]
    assert outcome.stderr == (
        "tcoctl: warning: a100-sxm has no fp8 figure (Dense FP8 peak): ratio_fp8 needs it and "
        "has no value; use another --gpu\n"
    )


def test_help_imports_neither_numpy_nor_pint() -> None:
    code = (
        "import sys; from tcoctl.cli import main; sys.argv=['tcoctl', '--help'];\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'numpy' not in sys.modules and 'pint' not in sys.modules, 'heavy import'\n"
        "sys.argv=['tcoctl', 'presets', 'list', '--format', 'json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'numpy' not in sys.modules and 'pint' not in sys.modules, 'heavy import'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Exit codes" in done.stdout
    assert json.loads(done.stdout[done.stdout.index('{"schema') :])["presets"]


def test_version() -> None:
    assert run("--version").stdout.startswith("tcoctl ")


def test_flops_refuses_an_mfu_above_one() -> None:
    outcome = run(
        "flops",
        "--budget",
        "1e26FLOP",
        "--gpu",
        "h100-sxm",
        "--count",
        "100",
        "--duration",
        "1 day",
    )
    assert outcome.code == 1 and "MFU above 1" in outcome.stderr and outcome.stdout == ""


def test_counts_are_whole() -> None:
    assert run("tco", "--gpus", "1.5").code == 2
    assert (
        run(
            "flops", "--gpu", "h100-sxm", "--count", "1.5", "--duration", "1 day", "--mfu", "0.4"
        ).code
        == 2
    )


def test_a_range_of_a_count_counts_whole() -> None:
    """Issue 19 item 8: --gpus 5..10 centred on 7.5 GPUs; a count's range is now evaluated
    at whole counts, its centre the midpoint rounded half up (8), as --gpus 8 gives."""
    ranged = results("tco", "--gpus", "5..10")
    assert ranged["gpus"]["value"] == 8.0
    assert ranged["total_annual_cost"]["value"] == pytest.approx(
        results("tco", "--gpus", "8")["total_annual_cost"]["value"], rel=1e-13
    )
    assert "cannot read" in run("tco", "--gpus", "5....10").stderr  # not "runs backwards"


def test_a_backwards_range_suggests_a_range_that_runs() -> None:
    """The hostile probe: --batch 1..0 suggested '0..1', which the range check then refused
    (a batch is above 0); the swapped range is the example only where it is taken."""
    refused = run("inference", "--batch", "1..0")
    assert refused.code == 2
    assert refused.stderr == (
        "tcoctl: error: --batch: range '1..0' runs backwards, and '0..1' is out of range: "
        "expected a value above 0; e.g. '32'\n"
    )
    assert run("inference", "--batch", "32").code == 0
    swapped = run("inference", "--batch", "64..1")
    assert "runs backwards; write LOW..HIGH, e.g. '1..64'" in swapped.stderr
    assert run("inference", "--batch", "1..64").code == 0


def test_an_option_given_twice_is_refused() -> None:
    """Issue 19 item 7: click kept the last of two --sweep (or --gpus) options silently."""
    outcome = run("tco", "--sweep", "electricity=0.02..0.4:5", "--sweep", "gpus=1..3:3")
    assert outcome.code == 2
    assert (
        "--sweep is given twice ('electricity=0.02..0.4:5', then 'gpus=1..3:3'): give it once, "
        "e.g. --sweep electricity=0.02..0.4:5\n"
    ) in outcome.stderr
    priced = run("tco", "--gpu-price", "30 kUSD", "--gpu-price=2")
    assert priced.stderr.endswith("give it once, e.g. --gpu-price '30 kUSD'\n")
    assert "--gpus is given twice" in run("tco", "--gpus=1", "--gpus", "2").stderr
    units = ("--unit", "cost_per_gpu_hour=USD/day", "--unit", "total_annual_cost=USD/day")
    assert run("tco", *units, "--value", "cost_per_gpu_hour").code == 0  # --unit repeats
    twice = run("tco", "--unit", "cost_per_gpu_hour=USD/s", "--unit", "cost_per_gpu_hour=USD/h")
    assert twice.code == 2  # for one result it kept the last silently (probe D12)
    assert "--unit: cost_per_gpu_hour is given a unit twice: give it one, e.g. --unit" in (
        twice.stderr
    )


def test_default_preset_hint_when_options_drop_it() -> None:
    outcome = run("flops", "--electricity", "0.05USD/kWh")
    assert outcome.code == 2 and "add --preset run-1e30" in outcome.stderr


def test_presets_show_table_fits_a_terminal() -> None:
    outcome = run("presets", "show", "frontier-2024", "--format", "table")
    assert outcome.code == 0 and "tco.gpu-price" in outcome.stdout


def test_a_value_left_unquoted_or_missing_gets_its_fix() -> None:
    """Click's own usage errors name no example; the two a newcomer meets first get one (the
    new-user trial typed ``--budget 1e25 FLOPS`` unquoted, and ``--gpus`` with no value)."""
    cases = {
        ("flops", "--budget", "1e25", "FLOPS"): "--budget: a value with a space goes in quotes, "
        "e.g. --budget '1e30 FLOP'",  # '1e25 FLOPS' is a rate: the option's own example
        ("tco", "--gpus"): "--gpus: expected a value after it; e.g. --gpus '100000'",
    }
    for args, line in cases.items():
        done = subprocess.run(
            [sys.executable, "-c", "from tcoctl.console import main; main()", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr.startswith(f"tcoctl: error: {line}") and done.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "example"),
    [
        (("tco", "--electricity", "0.08", "W"), "--electricity '0.08 USD/kWh'"),
        (("tco", "--power", "700", "kg"), "--power '1.275 kW'"),
        (("flops", "--budget", "1e25", "FLOP"), "--budget '1e25 FLOP'"),
        (("tco", "--electricity", "0.08", "USD/kWh"), "--electricity '0.08 USD/kWh'"),
    ],
)
def test_a_quoting_hint_gives_a_value_that_runs(args: tuple[str, ...], example: str) -> None:
    """Two shell words that were one value are shown joined and quoted only where the option
    takes the joined value; else the option's own example (the trial's '--electricity 0.08 W'
    was told "e.g. --electricity '0.08 W'", which is a power)."""
    said = hinted(f"Got unexpected extra argument(s) ({args[-1]})", list(args))
    assert said.endswith(f"a value with a space goes in quotes, e.g. {example}")
    assert run(*args[:-2], example.split(" ", 1)[1].strip("'")).code == 0


def test_a_missing_preset_name_is_asked_for_with_an_example() -> None:
    """``presets show`` without a name said only 'name: ' (exit 2)."""
    done = subprocess.run(
        [sys.executable, "-m", "tcoctl", "presets", "show"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr.count("\n")) == (2, "", 1)
    said = "presets show: expected a preset name (NAME); e.g. python -m tcoctl presets show "
    assert said in done.stderr
    example = done.stderr.split("e.g. python -m tcoctl ")[1].split()
    assert run(*example).code == 0


def test_an_unknown_solve_input_gives_the_nearest_with_the_goal_typed() -> None:
    """The refusal of --solve gpuz lists the inputs, and its example is the nearest one with
    the user's own goal, which runs."""
    outcome = run("tco", "--solve", "gpuz", "--for", "power_share=0.1")
    assert outcome.code == 2
    assert outcome.stderr.rstrip().endswith("e.g. --solve gpu-price --for 'power_share=0.1'")
    assert run("tco", "--solve", "gpu-price", "--for", "power_share=0.1").code == 0


def test_an_unknown_preset_name_suggests_the_near_ones() -> None:
    outcome = run("tco", "--gpu", "h100")
    assert outcome.code == 2
    assert (
        "no gpu preset 'h100' (did you mean 'h100-pcie' or 'h100-sxm'?); known:" in outcome.stderr
    )
    assert "did you mean" not in run("tco", "--gpu", "zzz").stderr
    # a typo in a name's first word finds it by that word ('h1000' is far from 'h100-sxm' as
    # a whole: difflib alone offered 'v100', 'h800' and 'h200')
    assert "(did you mean 'h100-pcie' or 'h100-sxm'" in run("tco", "--gpu", "h1000").stderr


@pytest.mark.parametrize(
    ("args", "near", "example"),
    [
        (("tco", "--gpu", "H100-SXM"), "'h100-sxm'", "--gpu h100-sxm"),
        (("tco", "--preset", "FRONTIER-2024"), "'frontier-2024'", "--preset frontier-2024"),
        (("tco", "--format", "JSON"), "'json'", "--format json"),
        (("tco", "--samples", "10", "--dist", "Triangular"), "'triangular'", "--dist triangular"),
        # the example is the choice meant (it was the option's own, 'bf16', 'poisson')
        (("inference", "--precision", "FP8"), "'fp8'", "'fp8'"),
        (("yield", "--preset", "smic-7nm", "--model", "MURPHY"), "'murphy'", "'murphy'"),
    ],
)
def test_a_name_in_another_case_is_suggested_in_its_own(
    args: tuple[str, ...], near: str, example: str
) -> None:
    """The new-user trial: '--gpu H100-SXM' got no did-you-mean, and its example was an
    arbitrary GPU (a100-sxm); '--format JSON' none either. Names and choices are matched in
    any case; the name in its own case runs."""
    outcome = run(*args)
    assert outcome.code == 2 and f"(did you mean {near}?)" in outcome.stderr, outcome.stderr
    assert outcome.stderr.endswith(f"e.g. {example}\n")
    assert run(*args[:-1], near.strip("'")).code == 0


@pytest.mark.parametrize(
    ("args", "near", "fixed"),
    [
        (("tco", "--sweep", "Electricity=0.02..0.4USD/kWh"), "'electricity'",
         ("tco", "--sweep", "electricity=0.02..0.4USD/kWh")),
        (("tco", "--solve", "electricity", "--for", "POWER_SHARE=0.15"), "'power_share'",
         ("tco", "--solve", "electricity", "--for", "power_share=0.15")),
        (("tco", "--sweep", "electricity=0.02..0.4USD/kWh", "--mark", "Power_Share=0.1"),
         "'power_share'", ("tco", "--sweep", "electricity=0.02..0.4USD/kWh", "--mark",
                           "power_share=0.1")),
    ],
)  # fmt: skip
def test_a_sweep_or_goal_named_in_another_case_is_suggested_in_its_own(
    args: tuple[str, ...], near: str, fixed: tuple[str, ...]
) -> None:
    """The probe: '--sweep Electricity=0.02..0.4USD/kWh' was told 'expected NAME=LOW..HIGH[:N]'
    (its form is right), '--for POWER_SHARE=0.15' and '--mark' listed every result with no
    did-you-mean (a misspelt lowercase name got one). The name in its own case runs."""
    outcome = run(*args)
    assert outcome.code == 2 and f"did you mean {near}?" in outcome.stderr, outcome.stderr
    assert run(*fixed).code == 0


def test_an_unknown_gpu_s_example_has_the_run_s_precision() -> None:
    """A probe: --preset deepseek-v3 (FP8) --gpu a100 suggested 'e.g. --gpu a100-sxm', which
    is refused next: a100-sxm has no fp8 figure. The example is now the nearest GPU with a
    peak at the run's precisions, and it runs; the did-you-mean still offers a100-sxm, and
    the example says why it is another."""
    outcome = run("inference", "--preset", "deepseek-v3", "--gpu", "a100")
    assert outcome.code == 2
    assert "(did you mean 'a100-sxm'?)" in outcome.stderr
    assert outcome.stderr.endswith("; e.g. --gpu h100-pcie (a100-sxm has no fp8 figure)\n")
    assert run("inference", "--preset", "deepseek-v3", "--gpu", "h100-pcie").code == 0
    with pytest.raises(UsageError, match=r"e\.g\. gpu='h100-pcie' \(a100-sxm has no fp8 figure\)$"):
        tcoctl.inference("deepseek-v3", gpu="a100")
    # at BF16 (attention too) the nearest runs, as it did
    bf16 = ("--precision", "bf16", "--attention-precision", "bf16")
    at_bf16 = run("inference", "--preset", "deepseek-v3", *bf16, "--gpu", "a100")
    assert at_bf16.stderr.endswith("; e.g. --gpu a100-sxm\n")
    assert run("inference", "--preset", "deepseek-v3", *bf16, "--gpu", "a100-sxm").code == 0


def test_an_unknown_gpu_s_example_has_the_h100e_basis_peak() -> None:
    """A probe: h100e --basis fp8 --count 1000 --gpu a100 suggested 'e.g. --gpu a100-sxm',
    whose run has no h100e ('a100-sxm has no fp8 figure: h100e ... need it and have no
    value'; --value h100e exits 1). --basis bf16 or fp8 is a peak the run needs too."""
    fp8 = ("h100e", "--basis", "fp8", "--count", "1000")
    outcome = run(*fp8, "--gpu", "a100")
    assert outcome.code == 2
    assert outcome.stderr.endswith("; e.g. --gpu h100-pcie (a100-sxm has no fp8 figure)\n")
    ran = run(*fp8, "--gpu", "h100-pcie", "--value", "h100e")
    assert (ran.code, ran.stderr) == (0, "")
    # a basis that is no peak (bandwidth) keeps the nearest
    wide = run("h100e", "--basis", "bandwidth", "--count", "1000", "--gpu", "a100")
    assert wide.stderr.endswith("; e.g. --gpu a100-sxm\n")


def test_a_batch_line_s_unknown_gpu_example_has_the_shared_precision() -> None:
    """A probe: --preset deepseek-v3 (FP8) with a line {"gpu": "a100"} suggested 'e.g. --gpu
    a100-sxm', a line refused next ('a100-sxm has no fp8 figure'), where the single run
    suggests h100-pcie: a line's example now has the shared options' precisions too."""
    lines = '{"gpu": "a100"}\n{"gpu": "h100-sxm"}\n'
    fp8 = ("inference", "--preset", "deepseek-v3", "--input", "-")
    batch = run(*fp8, input=lines)
    assert batch.code == 1
    assert "line 1: --gpu: no gpu preset 'a100'" in batch.stderr
    assert "; e.g. --gpu h100-pcie (a100-sxm has no fp8 figure)\n" in batch.stderr
    assert run(*fp8, input='{"gpu": "h100-pcie"}\n').code == 0


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["--solve", "electricty", "--for", "power_share=0.15"], "'electricity'"),
        (["--solve", "electricity", "--for", "power_shar=0.15"], "'power_share'"),
        (["--value", "cost_per_gpu_hr"], "'cost_per_gpu_hour'"),
        (["--sweep", "electricty=0.1..0.2"], "'electricity'"),
    ],
)
def test_a_mistyped_input_or_result_name_suggests_the_near_ones(args: list[str], hint: str) -> None:
    """As for options and presets: the names --solve, --for, --value and --sweep take get a
    'did you mean' (they listed every name only)."""
    outcome = run("tco", *args)
    assert outcome.code == 2 and outcome.stderr.count("\n") == 1
    assert f"(did you mean {hint}" in outcome.stderr


def test_a_result_name_reads_hyphenated_and_a_label_is_a_goal() -> None:
    """The probe: --value kv-heads (the solved input, spelled as its option) was refused ('did
    you mean kv_heads'), and --for fits=yes ('cannot read yes as a quantity') though --value
    fits prints yes. A result's name reads with hyphens in --value, --for and --mark, and a
    labelled result's label is its code (fits: no 0, yes 1); another word names the labels."""
    solve = ("inference", "--solve", "kv-heads", "--for", "cost_per_million_tokens=5.5")
    assert run(*solve, "--value", "kv-heads").stdout == run(*solve, "--value", "kv_heads").stdout
    hyphens = ("--for", "cost-per-million-tokens=5.5", "--value", "kv-heads")
    assert run(*solve[:3], *hyphens).stdout == run(*solve, "--value", "kv_heads").stdout
    fits = ("inference", "--solve", "batch", "--value", "batch", "--for")
    assert run(*fits, "fits=yes").code == 0
    assert run(*fits, "fits=yes").stdout == run(*fits, "fits=1").stdout
    sweep = ("inference", "--sweep", "batch=16..300:3", "--format", "json", "--mark")
    marked = run(*sweep, "fits=yes").json()["sweep"]["mark"]
    assert marked == run(*sweep, "fits=1").json()["sweep"]["mark"]
    other = run(*fits, "fits=maybe")
    assert other.code == 2 and other.stderr == (
        "tcoctl: error: --for: fits is no or yes (or its code, 0 to 1); got 'maybe', "
        "e.g. 'fits=yes'\n"
    )


@pytest.mark.parametrize("command", sorted(CALCULATORS))
def test_an_empty_value_is_refused_with_an_example(command: str) -> None:
    """An option given '' names itself and shows a value to type (the probe's
    ``validate --calculator ''`` said only 'must not be empty')."""
    options = ("--preset", "--solve", "--for", "--value", "--sweep", "--mark", "--target", "--svg")
    for option in options:
        outcome = run(command, option, "")
        assert outcome.code == 2 and f"must not be empty; e.g. {option} " in outcome.stderr, option
    assert "e.g. --calculator inference" in run("validate", "--calculator", "").stderr


def refused(*args: str) -> str:
    """The one line ``tcoctl ARGS`` refuses a bad option value with (after 'tcoctl: error: '),
    as tcoctl.cli.app.main words click's errors."""
    found = CliRunner().invoke(app, list(args), standalone_mode=False).exception
    assert isinstance(found, BadParameter), found
    return worded(found)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("--samples", "abc"), "--samples: expected a whole number from 0 to 2,000,000, e.g. "
         "--samples 10000; got 'abc'"),
        (("--samples", "-5"), "e.g. --samples 10000; got '-5'"),
        (("--samples", "3000000"), "e.g. --samples 10000; got '3000000'"),
        (("--seed", "1.5"), "--seed: expected a whole number from 0 to 4,294,967,295, e.g. "
         "--seed 1; got '1.5'"),
    ],
)  # fmt: skip
def test_samples_and_seed_refuse_a_bad_count_with_an_example(
    args: tuple[str, ...], line: str
) -> None:
    """The probe: click's own words for --samples and --seed named no example ("'abc' is not
    a valid int range")."""
    assert line in refused("tco", *args)


CLI_CHOICES = [
    *(((*command, "--format", "xml"), "--format json") for command in [
        *([name] for name in CALCULATORS), ["validate"], ["compare"], ["presets", "list"],
        ["presets", "show", "frontier-2024"], ["presets", "audit"],
    ]),
    *(((name, "--dist", "normal"), "--dist triangular") for name in CALCULATORS),
    (("--notation", "eng", "tco"), "--notation sci"),
]  # fmt: skip


def test_an_empty_presets_dir_names_an_example() -> None:
    assert (
        refused("--presets-dir", "", "tco")
        == "--presets-dir: must not be empty; e.g. --presets-dir ./presets"
    )


@pytest.mark.parametrize(("args", "example"), CLI_CHOICES)
def test_a_value_outside_a_shared_options_choices_is_one_line_in_tcoctls_words(
    args: tuple[str, ...], example: str
) -> None:
    """The probe: `--format xml` got click's words ("Invalid value for '--format' / '-f':
    ...", not naming the value). Every option with choices says, as tcoctl's own option
    errors do: the option, the value, the choices and an example."""
    flag, value = example.split()[0], args[args.index(example.split()[0]) + 1]
    line = refused(*args)
    assert re.fullmatch(rf"{flag}: '{value}' is not one of [a-z, ]+; e\.g\. {example}", line)


@pytest.mark.parametrize(
    ("command", "flag"),
    [(c.name, f"--{i.name}") for c in CALCULATORS.values() for i in c.inputs if i.choices],
)
def test_a_value_outside_a_calculator_options_choices_names_an_example(
    command: str, flag: str
) -> None:
    """--basis, --precision, --recompute, --model ... named the choices, no example."""
    spec = CALCULATORS[command].input(flag[2:])
    outcome = run(command, flag, "bogus")
    assert outcome.code == 2 and outcome.stderr == (
        f"tcoctl: error: {flag}: 'bogus' is not one of {', '.join(spec.choices)}; "
        f"e.g. '{spec.example}'\n"
    )


def test_the_console_writes_a_bad_choice_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from tcoctl.console import main; main()", "tco", "-f", "xml"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "tcoctl: error: --format: 'xml' is not one of table, json, csv; e.g. --format json\n"
    )


def test_a_shared_option_left_without_its_value_gets_the_example_its_help_gives() -> None:
    """--samples, --seed, --dist, --input, --currency (...) at the end of the line: click's
    "Option '--samples' requires an argument" named no example."""
    cases = {
        "--samples": "--samples 10000",
        "--seed": "--seed 1",
        "--dist": "--dist triangular",
        "--input": "--input runs.jsonl",
        "--currency": "--currency 'EUR'",
        "--sweep": "--sweep 'electricity=0.02..0.40USD/kWh:50'",
    }
    for flag, example in cases.items():
        message = hinted(
            f"Option '{flag}' requires an argument.", ["--notation", "si", "tco", flag]
        )
        assert message == f"{flag}: expected a value after it; e.g. {example}"
    done = subprocess.run(
        [sys.executable, "-c", "from tcoctl.console import main; main()", "tco", "--seed", "x"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "e.g. --seed 1; got 'x'" in done.stderr


def test_a_failing_run_prints_its_error_alone() -> None:
    """The hostile probe: a run's warnings (a percent typo, a GPU's re-derived power) came
    before the error of a run that then failed, so the one line that mattered came last of
    several. A failing single run prints its error alone; a run that answers keeps them."""
    goal = ("--solve", "electricity", "--for", "cost_per_gpu_hour=1")
    for args in (("--utilization", "0.9%", *goal), ("--gpu", "b200", *goal)):
        outcome = run("tco", *args)
        lines = outcome.stderr.splitlines()
        assert outcome.code == 1 and len(lines) == 1 and lines[0].startswith("tcoctl: error: ")
    assert "warning: --utilization 0.9%" in run("tco", "--utilization", "0.9%").stderr


@pytest.mark.parametrize(
    ("args", "said", "example"),
    [
        (["tcoo"], "no command 'tcoo' (did you mean 'tco'?); one of flops, h100e, inference, ",
         "tcoctl flops"),
        (["presets", "lst"], "no command 'lst' (did you mean 'list'?); one of list, show, audit, ",
         "tcoctl presets list"),
    ],
)  # fmt: skip
def test_an_unknown_command_names_the_commands_and_the_nearest(
    args: list[str], said: str, example: str
) -> None:
    """A new user's trial: click's "No such command 'nosuchcmd'." named none of them."""
    done = subprocess.run(
        [sys.executable, "-m", "tcoctl", *args], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(f"tcoctl: error: {said}") and done.stderr.count("\n") == 1
    assert done.stderr.endswith(f"{example}\n")  # after 'python -m' here, as it was run


@pytest.mark.parametrize(
    ("args", "said"),
    [
        # the value is kept where the option takes it (with the example's unit where it has
        # none), else the option's example: a probe found 'e.g. {tco} --gpu-price 30000'
        # refused next ('30000' has no unit)
        (("tco", "--gpu-prise", "30000"),
         "--gpu-prise: {tco} has no such option (did you mean --gpu-price?); "
         "e.g. {tco} --gpu-price '30000 USD'"),
        (("tco", "--gpu-prise", "30000 USD"),
         "--gpu-prise: {tco} has no such option (did you mean --gpu-price?); "
         "e.g. {tco} --gpu-price '30000 USD'"),
        (("tco", "--gpu-prise=30000"),
         "--gpu-prise: {tco} has no such option (did you mean --gpu-price?); "
         "e.g. {tco} --gpu-price '30000 USD'"),
        # a calculator with no money result: said as the API says it (the second probe:
        # 'did you mean --sequence?')
        (("memory", "--currency", "EUR"),
         "--currency: memory has no money result to show in a currency; drop it, "
         "e.g. tcoctl tco --currency EUR where there is one"),
        (("tco", "--formatt", "json"),
         "--formatt: {tco} has no such option (did you mean --format?); e.g. {tco} --format json"),
        # a GPU name near the one typed, not the option's example (the probe: '--gpuu a100'
        # was told '--gpu h100-sxm')
        (("inference", "--gpuu", "a100"),
         "--gpuu: {inference} has no such option (did you mean --gpu?); "
         "e.g. {inference} --gpu a100-sxm"),
        # the command as typed, corrected: its other words kept (the probe: 'e.g. tcoctl
        # presets show --format', with no name and no value)
        # the option already given: the example drops the misspelt one, not gives it twice
        (("tco", "--gpus", "5", "--gpuss=6"),
         "--gpuss: {tco} has no such option (did you mean --gpus?); e.g. {tco} --gpus 5"),
        (("presets", "show", "frontier-2024", "--formatt", "json"),
         "--formatt: {show} has no such option (did you mean --format?); "
         "e.g. {root} presets show frontier-2024 --format json"),
        (("tco", "--zzzzzz", "1"), "--zzzzzz: {tco} has no such option; e.g. {tco} --help"),
        # an option and its value in one word: found among all the command's options (click
        # matched the whole word, '--gpu h100-sxm' to none), the value whole (click cut it
        # at '=': '--fro power_share')
        (("tco", "--gpu h100-sxm"),
         "'--gpu h100-sxm': an option and its value are two words; e.g. {tco} --gpu h100-sxm"),
        (("tco", "--solve", "electricity", "--fro power_share<=0.1"),
         "'--fro power_share<=0.1': {tco} has no such option (did you mean --for?); "
         "e.g. {tco} --solve electricity --for 'power_share<=0.1'"),
        (("tco", "extra"),
         "'extra': {tco} takes no such argument, only options (--NAME VALUE); e.g. {tco} --help"),
        (("schema", "nosuch"),
         "'nosuch': {schema} takes no such argument, only options (--NAME VALUE); "
         "e.g. {schema} --help"),
        # a stray word after an option's whole value is not 'a value with a space' (the
        # probe: --format 'json extra', --gpus '100000' dropping the 8, --tornado '...')
        (("tco", "--format", "json", "extra"),
         "'extra': {tco} takes no such argument, only options (--NAME VALUE); e.g. {tco} --help"),
        (("tco", "--gpus", "8", "stray"),
         "'stray': {tco} takes no such argument, only options (--NAME VALUE); e.g. {tco} --help"),
        (("tco", "--tornado", "--gpus=8", "stray"),
         "'stray': {tco} takes no such argument, only options (--NAME VALUE); e.g. {tco} --help"),
        (("tco", "--solve", "electricity", "--for", "power_share=0.15", "USD"),
         "'USD': {tco} takes no such argument, only options (--NAME VALUE); e.g. {tco} --help"),
    ],
)  # fmt: skip
def test_an_unknown_option_or_argument_names_it_with_an_example(
    args: tuple[str, ...], said: str
) -> None:
    """The new-user trial: click's 'No such option: --gpu-prise (Possible options: --gpu-price,
    --gpus, --preset)' and 'Got unexpected extra argument(s) (extra)' named no example, and
    click's first 'possible option' for --formatt was --for. Now one line with the nearest
    option (tcoctl's own nearest) in the command as typed, or the command's --help."""
    done = subprocess.run(
        [sys.executable, "-m", "tcoctl", *args], capture_output=True, text=True, timeout=60
    )
    paths = {
        "tco": "python -m tcoctl tco",
        "memory": "python -m tcoctl memory",
        "inference": "python -m tcoctl inference",
        "schema": "python -m tcoctl schema",
        "show": "python -m tcoctl presets show",
        "root": "python -m tcoctl",
    }
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"tcoctl: error: {said.format(**paths)}\n"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        # the nearest option that takes the value typed ('--gpu 100': no such GPU preset)
        (("tco", "--gpuz", "100"),
         "--gpuz: tcoctl tco has no such option (did you mean --gpus?); "
         "e.g. tcoctl tco --gpus 100"),
        (("tco", "--gpuz=b200"),
         "--gpuz: tcoctl tco has no such option (did you mean --gpu?); e.g. tcoctl tco --gpu b200"),
        # none takes it: the nearest, with its own example's value
        (("tco", "--gpuz", "abc"),
         "--gpuz: tcoctl tco has no such option (did you mean --gpu?); "
         "e.g. tcoctl tco --gpu h100-sxm"),
        (("tco", "--electricty", "0.05..0.1"),
         "--electricty: tcoctl tco has no such option (did you mean --electricity?); "
         "e.g. tcoctl tco --electricity '0.05..0.1 USD/kWh'"),
        (("tco", "--formatt"),
         "--formatt: tcoctl tco has no such option (did you mean --format?); "
         "e.g. tcoctl tco --format table"),
        (("tco", "--tornadoo", "5"),  # a switch takes no value: '5' would be a stray word
         "--tornadoo: tcoctl tco has no such option (did you mean --tornado?); "
         "e.g. tcoctl tco --tornado"),
        (("tco", "--solve", "electricity", "--fro", "x"),
         "--fro: tcoctl tco has no such option (did you mean --for?); "
         "e.g. tcoctl tco --solve electricity --for power_share=0.15"),
        # an option of other calculators: which, and one run with it
        (("tco", "--params", "7e9"),
         "--params is an option of flops, inference, memory, not tco; "
         "e.g. tcoctl inference --params 7e9"),
        (("inference", "--tokens=1e12"),
         "--tokens is an option of flops, not inference; "
         "e.g. tcoctl flops --preset run-1e30 --tokens 1e12"),
        (("tco", "--params", "abc"),
         "--params is an option of flops, inference, memory, not tco; "
         "e.g. tcoctl inference --params 70e9"),
        # the default preset contradicts the option: another of the calculator's presets
        (("tco", "--factor", "2..3"),
         "--factor is an option of h100e, not tco; "
         "e.g. tcoctl h100e --preset china-h20 --factor 2..3"),
        (("tco", "--step-yield", "99 %"),
         "--step-yield is an option of yield, not tco; "
         "e.g. tcoctl yield --preset h100-die --step-yield '99 %'"),
        # a misspelt option of a calculator whose preset underlies no run: the corrected
        # command determined no result; now from the calculator's default preset
        (("flops", "--gpuz", "h100-sxm"),
         "--gpuz: tcoctl flops has no such option (did you mean --gpu?); "
         "e.g. tcoctl flops --preset run-1e30 --gpu h100-sxm"),
        (("supply", "--basiz", "bf16"),
         "--basiz: tcoctl supply has no such option (did you mean --basis?); "
         "e.g. tcoctl supply --preset smic-7nm --basis bf16"),
        # in capitals: click offers no possible option (its difflib keeps case)
        (("tco", "--GPUS", "100"),
         "--GPUS: tcoctl tco has no such option (did you mean --gpus?); "
         "e.g. tcoctl tco --gpus 100"),
        (("tco", "--GPU-PRICE", "30000"),
         "--GPU-PRICE: tcoctl tco has no such option (did you mean --gpu-price?); "
         "e.g. tcoctl tco --gpu-price '30000 USD'"),
        # a shared option with what it is refused without, or a value it takes
        (("tco", "--marc", "power_share=0.15"),
         "--marc: tcoctl tco has no such option (did you mean --mark?); "
         "e.g. tcoctl tco --sweep electricity=0.02..0.40USD/kWh:50 --mark power_share=0.15"),
        (("tco", "--solvez", "gpus"),
         "--solvez: tcoctl tco has no such option (did you mean --solve?); "
         "e.g. tcoctl tco --solve electricity --for power_share=0.15"),
        (("flops", "--forz", "duration=90 day"),
         "--forz: tcoctl flops has no such option (did you mean --for?); "
         "e.g. tcoctl flops --solve count --for 'duration=90 day'"),
        (("tco", "--valuez", "5"),
         "--valuez: tcoctl tco has no such option (did you mean --value?); "
         "e.g. tcoctl tco --value cost_per_gpu_hour"),
        (("tco", "--currencyz", "5"),
         "--currencyz: tcoctl tco has no such option (did you mean --currency?); "
         "e.g. tcoctl tco --currency EUR"),
        # a calculator whose preset underlies every run, the option needing another model
        (("tco", "--latent-dim", "512"),
         "--latent-dim is an option of inference, not tco; "
         "e.g. tcoctl inference --preset deepseek-v3 --latent-dim 512"),
        (("inference", "--latent-di", "512"),
         "--latent-di: tcoctl inference has no such option (did you mean --latent-dim?); "
         "e.g. tcoctl inference --preset deepseek-v3 --latent-dim 512"),
    ],
)  # fmt: skip
def test_an_unknown_option_s_example_runs(args: tuple[str, ...], said: str) -> None:
    """The new-user trial: '--gpuz 100' was told 'did you mean --gpu?; e.g. tcoctl tco --gpu
    100' (no GPU preset '100'), '--params 7e9' on tco 'did you mean --preset?; e.g. tcoctl
    tco --preset 7e9', '--formatt' alone 'e.g. tcoctl tco --format' (no value). The probe:
    'flops --gpuz h100-sxm' 'e.g. tcoctl flops --gpu h100-sxm' (no result without a preset),
    'tco --factor 2..3' 'e.g. tcoctl h100e --preset frontier-2025 --factor 2..3' (refused:
    the preset's h100e contradicts it)."""
    console = "import sys; sys.argv[0] = 'tcoctl'; from tcoctl.console import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", console, *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"tcoctl: error: {said}\n"
    example = shlex.split(said.rsplit("e.g. ", 1)[1])
    assert example[0] == "tcoctl" and run(*example[1:]).code == 0, example


def test_a_misspelt_option_s_example_starts_from_no_preset_that_ignores_it() -> None:
    """The probe: 'inference --kv-headz 100' (100 divides no preset model's heads) was told
    'e.g. tcoctl inference --preset serving-fit --kv-heads 100', a run that warns '--kv-heads
    is used by no result computed here' (serving-fit has no model)."""
    done = subprocess.run(
        [sys.executable, "-m", "tcoctl", "inference", "--kv-headz", "100"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "(did you mean --kv-heads?)" in done.stderr
    assert "serving-fit" not in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("tco", "-h"), "-h: {tco} has no such option; e.g. {tco} --help"),
        (("tco", ""), "'': {tco} takes no such argument, only options (--NAME VALUE); e.g. "
                      "{tco} --help"),
        (("--notation",), "--notation: expected a value after it; e.g. tcoctl --notation sci tco"),
        (("presets", "show", "frontier-2024", "--format"),
         "--format: expected a value after it; e.g. --format table"),
        # an option and its value as one shell word ('--gpu-price: ... has no such option'
        # was false: tco has it)
        (("tco", "--gpu-price 30000 USD"),
         "'--gpu-price 30000 USD': an option and its value are two words; "
         "e.g. {tco} --gpu-price '30000 USD'"),
        # and misspelt: the example had dropped the value ('e.g. tcoctl tco --gpu-price')
        (("tco", "--gpu-pric 30000 USD"),
         "'--gpu-pric 30000 USD': {tco} has no such option (did you mean --gpu-price?); "
         "e.g. {tco} --gpu-price '30000 USD'"),
        # a value's second word unquoted: click's '(Got unexpected extra argument(s) (USD))'
        # no longer trails the hint
        (("tco", "--gpu-price", "30000", "USD"),
         "--gpu-price: a value with a space goes in quotes, e.g. --gpu-price '30000 USD'"),
    ],
)  # fmt: skip
def test_clicks_bare_messages_get_an_example(args: tuple[str, ...], said: str) -> None:
    """The last probe: 'No such option: -h', 'Got unexpected extra argument(s) ()', "Option
    '--notation' requires an argument." and 'Missing command.' were click's words alone."""
    done = subprocess.run(
        [sys.executable, "-m", "tcoctl", *args], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"tcoctl: error: {said.format(tco='python -m tcoctl tco')}\n"
    missing = subprocess.run(
        [sys.executable, "-m", "tcoctl", "--notation", "sci"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "expected a command after python -m tcoctl's options, " in (
        missing.stderr
    )
    assert "e.g. python -m tcoctl --notation sci tco" in missing.stderr


def test_alternatives_given_together_end_with_an_example_that_runs() -> None:
    """The second probe: 'inference --kv-heads 8 --kv-dim 576' said '--kv-heads and
    --kv-dim are alternatives: give one', with no example; it now ends with one, which
    typed in place of the two runs (and the API words it as keywords)."""
    refused = run("inference", "--kv-heads", "8", "--kv-dim", "576")
    assert refused.code == 2 and refused.stderr == (
        "tcoctl: error: --kv-heads and --kv-dim are alternatives: give one, e.g. --kv-heads 8 "
        "without --kv-dim\n"
    )
    assert run("inference", "--kv-heads", "8", "-f", "json").code == 0
    with pytest.raises(UsageError, match=r"e\.g\. kv_heads=8 without kv_dim$"):
        tcoctl.inference(kv_heads=8, kv_dim=576)
