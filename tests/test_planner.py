"""Planner workflows: Monte Carlo, tornado, sweeps, batches and side-by-side comparison."""

from __future__ import annotations

import json
import math
import shlex
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tcoctl.api
from conftest import assert_same_results, results, run
from tcoctl.engine.messages import corner_example
from tcoctl.specs import CALCULATORS


def solve(cdf: Callable[[float], float], target: float, lo: float, hi: float) -> float:
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if cdf(mid) < target else (lo, mid)
    return 0.5 * (lo + hi)


def product_of_uniforms_cdf(z: float) -> float:
    """CDF of X Y with X, Y independent U(1, 2): z ln z - z + 1 on [1, 2] and
    z ln(4/z) + z - 3 on [2, 4] (integrate P(Y <= z/x) over x)."""
    return z * math.log(z) - z + 1 if z <= 2 else z * math.log(4 / z) + z - 3


def test_monte_carlo_percentiles_converge_to_the_analytic_ones() -> None:
    """total_flop = 1 x params x tokens, each U(1, 2) (two continuous inputs: a count such
    as --count is sampled at whole counts)."""
    args = ("--params", "1..2", "--tokens", "1..2", "--flop-per-param-token", "1")
    out = results("flops", *args, "--samples", "1000000", "--seed", "7")["total_flop"]
    for key, p in (("p05", 0.05), ("p50", 0.50), ("p95", 0.95)):
        assert out[key] == pytest.approx(solve(product_of_uniforms_cdf, p, 1, 4), abs=0.005)
    assert out["low"] == pytest.approx(1.0) and out["high"] == pytest.approx(4.0)


def test_samples_are_seeded_and_triangular_is_narrower() -> None:
    args = ("tco", "--gpu-price", "25000..35000USD", "--samples", "20000", "--seed", "3")
    first = results(*args)["cost_per_gpu_hour"]
    assert first == results(*args)["cost_per_gpu_hour"]
    tri = results(*args, "--dist", "triangular")["cost_per_gpu_hour"]
    assert tri["p95"] - tri["p05"] < first["p95"] - first["p05"]


def test_a_seed_without_samples_is_named_in_a_warning() -> None:
    """The probe: --seed without --samples was ignored silently. It warns, in one line
    naming both with an example, and the run goes on; with --samples (or yield's --map,
    which draws its defects with it) it is used, and nothing is said. A batch, which takes
    no --samples, refuses it with the other options it cannot use."""
    outcome = run("tco", "--seed", "3", "--format", "json")
    assert outcome.code == 0 and outcome.stderr == (
        "tcoctl: warning: --seed 3 does nothing without --samples; e.g. --samples 10000 --seed 3\n"
    )
    assert "--seed" not in run("tco", "--samples", "100", "--seed", "3", "-f", "json").stderr
    assert "--seed" not in run("yield", "--map", "--seed", "3", "-f", "json").stderr
    batch = run("tco", "--seed", "3", "--input", "-", input='{"gpus": 10}\n')
    assert batch.code == 2 and "drop --seed" in batch.stderr


def test_tornado_ranks_the_input_that_moves_the_result_most() -> None:
    """duration = budget / (count x peak x mfu): halving the count doubles the duration,
    while mfu moves only 3 %, so count ranks first; each bar is exact."""
    outcome = run(
        "flops",
        "--budget",
        "1e25 FLOP",
        "--peak",
        "1 PFLOP/s",
        "--count",
        "1000..2000",
        "--mfu",
        "0.30..0.31",
        "--tornado",
        "--format",
        "json",
    )
    tornado = outcome.json()["tornado"]
    assert [bar["input"] for bar in tornado["bars"]] == ["count", "mfu"]
    days = 1e25 / (1e15 * 0.305) / 86400
    count = tornado["bars"][0]
    assert count["at_low"] == pytest.approx(days / 1000) and count["at_high"] == pytest.approx(
        days / 2000
    )
    assert tornado["target"] == "duration" and tornado["unit"] == "day"


def test_a_tornado_end_where_the_goal_is_out_of_reach_says_so() -> None:
    """The hostile probe: with --solve over the serving preset's ranges, no layer overhead
    gives 35 ms per output token where the bandwidth efficiency is low (the weights alone
    take 41.1 ms there; 50 ms against 56.4 ms before the fit of 2026-12-04 evening); that
    end of the bar was drawn at the centre, as if the input moved nothing there. It is null
    in JSON, says 'out of reach' in the chart, and its bar ranks first (the input alone puts
    the goal out of reach). The tornado charts the solved layer overhead."""
    args = ("inference", "--solve", "layer-overhead", "--for", "time_per_output_token=35ms")
    tornado = run(*args, "--tornado", "-f", "json").json()["tornado"]
    bandwidth = tornado["bars"][0]
    assert bandwidth["input"] == "bandwidth-efficiency"
    assert bandwidth["at_low"] is None and bandwidth["swing"] is None
    assert bandwidth["at_high"] > tornado["centre"]
    assert all(None not in bar.values() for bar in tornado["bars"][1:])
    chart = run(*args, "--tornado", "-f", "table").stdout.split("tcoctl inference")[0]
    at_high = f"{bandwidth['at_high']:.4g} {tornado['unit']}"  # the solved overhead's, µs
    assert chart.count("out of reach") == 1 and chart.index("out of reach") < chart.index(at_high)


def test_sweep_marks_where_power_passes_15_percent() -> None:
    outcome = run(
        "tco",
        "--sweep",
        "electricity=0.02..0.40:50",
        "--mark",
        "power_share=0.15",
        "--format",
        "json",
    )
    sweep = outcome.json()["sweep"]
    assert sweep["unit"] == "USD/kWh" and len(sweep["x"]) == 50
    (crossing,) = sweep["mark"]["crossings"]
    at = results("tco", "--electricity", f"{crossing} USD/kWh")["power_share"]["value"]
    assert at == pytest.approx(0.15, abs=2e-3)


def test_a_sweep_over_a_goal_seek_carries_the_solved_input() -> None:
    """A probe found the solved electricity left out of every sweep row: each point must
    carry it (display unit), as the run without --sweep gives it at that point, and the
    table charts it."""
    solve = ("tco", "--solve", "electricity", "--for", "power_share=0.15", "--only-my-ranges")
    sweep = run(*solve, "--sweep", "pue=1.1..1.5:3", "-f", "json").json()["sweep"]
    solved = sweep["results"]["electricity"]
    assert solved["unit"] == "USD/kWh" and len(set(solved["value"])) == 3
    for pue, value in zip(sweep["x"], solved["value"], strict=True):
        alone = results(*solve, "--pue", str(pue))["electricity"]["value"]
        assert value == pytest.approx(alone, rel=1e-12)
    table = run(*solve, "--sweep", "pue=1.1..1.5:3", "-f", "table").stdout
    assert "electricity [USD/kWh] against pue" in table


def test_a_warning_the_run_and_its_sweep_both_give_is_said_once() -> None:
    """A probe: a limit every electricity meets warned once for the run and again, word for
    word, for the sweep's points. One line now names the points and the run."""
    outcome = run(
        "tco", "--solve", "electricity", "--for", "power_share>=0",
        "--sweep", "gpu-price=20000..30000:3", "-f", "json",
    )  # fmt: skip
    assert outcome.code == 0
    said = "every value of electricity (at least 0) meets power_share >= 0"
    assert [line for line in outcome.stderr.splitlines() if said in line] == [
        "tcoctl: warning: frontier-2024: --sweep: at gpu-price = 20,000, 25,000, 30,000 USD "
        f"and at the run's own inputs: {said}, as power_share is at least 0: answered at "
        "electricity = 0 USD/kWh, the end electricity may take"
    ]


def test_sweep_errors() -> None:
    assert run("tco", "--sweep", "colour=1..2").code == 2
    assert run("tco", "--sweep", "electricity=0.1").code == 2
    assert run("tco", "--mark", "power_share=0.15").code == 2
    assert run("tco", "--sweep", "gpus=1..10:1").code == 2


@pytest.mark.parametrize(
    ("count", "message"),
    [
        ("1e9", "between 2 and 20000 points, got 1000000000"),
        ("-3", "between 2 and 20000 points, got -3"),
        ("1.5", "the number of points after ':' is a whole number from 2 to 20000, got '1.5'"),
    ],
)
def test_a_sweeps_point_count_is_named_however_it_is_written(count: str, message: str) -> None:
    """It was read as part of the range ("cannot read ... as a quantity"); each ends with an
    example (the count out of range gave none: the probe's ':1')."""
    outcome = run("tco", "--sweep", f"electricity=0.02..0.40USD/kWh:{count}")
    assert outcome.code == 2
    assert outcome.stderr == (
        f"tcoctl: error: --sweep: {message}; e.g. 'electricity=0.02..0.40USD/kWh:50'\n"
    )


def test_a_sweep_table_reaches_the_end_and_says_what_it_shows() -> None:
    """Issue 19 item 7: 50 points showed 25 rows ending at 0.3922, not 0.40, unsaid."""
    table = run("tco", "--sweep", "electricity=0.02..0.40USD/kWh:50", "--format", "table")
    rows = [line for line in table.stdout.splitlines() if line.startswith("│ 0")]
    assert rows[-1].split()[1] == "0.4"
    assert f"sweep: {len(rows)} of 50 points (every 2nd and the last)" in table.stdout
    short = run("tco", "--sweep", "electricity=0.02..0.40USD/kWh:30", "--format", "table")
    assert "of 30 points" not in short.stdout
    assert len([line for line in short.stdout.splitlines() if line.startswith("│ 0")]) == 30


def test_a_sweep_over_a_count_steps_by_whole_numbers() -> None:
    """Issue 19 item 8: a sweep over gpus gave 5.5 GPUs."""
    assert json.loads(run("tco", "--sweep", "gpus=5..10", "-f", "json").stdout)["sweep"]["x"] == [
        5.0,
        6.0,
        7.0,
        8.0,
        9.0,
        10.0,
    ]
    refused = run("tco", "--sweep", "gpus=5..10:4")
    assert refused.code == 2 and "step by 1.66667; give :2 or :6" in refused.stderr


@pytest.mark.parametrize("command", ["yield", "supply"])
def test_a_sweep_that_would_count_dies_for_minutes_is_refused(command: str) -> None:
    """Issue 19 item 28: `yield --sweep die-area=1..800:20000` ran 128 s with no output
    (tiny dies are expensive to count), supply too. The sweep's whole die-count work has a
    budget, estimated before counting; a sweep within it runs."""
    outcome = run(command, "--sweep", "die-area=1..800:20000", "--format", "json")
    assert outcome.code == 2 and outcome.stdout == ""
    assert "--sweep die-area: counting whole dies at 20,000 points" in outcome.stderr
    assert "more than the 2e+08 a sweep may take" in outcome.stderr
    assert run(command, "--sweep", "die-area=100..800:25", "--format", "json").code == 0


def test_a_sweep_with_equal_ends_says_so_with_an_example() -> None:
    """The probe: --sweep electricity=0.08..0.08:3 said 'give a range LOW..HIGH', though it
    was one, with equal ends; it says that, and shows a sweep that runs."""
    equal = run("tco", "--sweep", "electricity=0.08..0.08:3")
    assert equal.code == 2 and equal.stderr == (
        "tcoctl: error: --sweep electricity: the range '0.08..0.08' has equal ends; give LOW "
        "below HIGH, e.g. 'electricity=0.02..0.40USD/kWh:50'\n"
    )
    assert run("tco", "--sweep", "electricity=0.02..0.40USD/kWh:50").code == 0
    one = run("tco", "--sweep", "electricity=0.08")
    assert one.stderr.endswith(
        "LOW..HIGH for electricity, e.g. 'electricity=0.02..0.40USD/kWh:50'\n"
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("tco", "--sweep", "electricity=abc"),
         "--sweep electricity: cannot read 'abc' as a quantity; write e.g. "
         "'electricity=0.02..0.40USD/kWh:50'"),
        (("tco", "--sweep", "life=3..5kg"),
         "--sweep life: '3..5kg' is a mass, expected a time; e.g. 'life=2.5..10 yr'"),
        (("tco", "--sweep", "load=2..3"),
         "--sweep load: '2..3' is out of range: expected a fraction above 0 and at most 1 "
         "(write 40 % or 0.4); e.g. 'load=0.375..0.75'"),
        (("tco", "--sweep", "pue=0.5..0.9"),
         "--sweep pue: '0.5..0.9' is out of range: expected a value at least 1; "
         "e.g. 'pue=1.2..2.4'"),
        (("tco", "--sweep", "gpus=100"), "--sweep: give a range LOW..HIGH for gpus, "
         "e.g. 'gpus=50000..200000'"),
        (("supply", "--sweep", "defect-density=x"),
         "--sweep defect-density: cannot read 'x' as a quantity; write e.g. "
         "'defect-density=0.05..0.2/cm^2'"),
    ],
)  # fmt: skip
def test_a_refused_sweep_range_is_told_a_sweep_of_its_input(
    args: tuple[str, ...], said: str
) -> None:
    """The new-user trial: '--sweep electricity=abc' was told "write e.g. '0.08 USD/kWh'", a
    value, which --sweep refuses (it takes NAME=LOW..HIGH); an input the calculator's own
    example does not sweep was told that example ('electricity=...' for --sweep load). The
    example is a sweep of the input typed, around its own example, and runs."""
    refused = run(*args)
    assert (refused.code, refused.stderr) == (2, f"tcoctl: error: {said}\n")
    example = said.rsplit("e.g. ", 1)[1].strip("'")
    assert run(*args[:-1], example, "--format", "json").code == 0


def test_batch_matches_single_runs_row_for_row(tmp_path: Path) -> None:
    rows: list[dict[str, str | int | float]] = [
        {"gpu": "h100-sxm", "count": "1000", "duration": "30 day", "mfu": 0.4},
        {"gpu": "gb200", "count": 2000, "duration": "10..20 day", "mfu": "35%"},
        {"peak": "1 PFLOP/s", "budget": "1e24 FLOP", "count": "100", "mfu": "0.5"},
    ]
    path = tmp_path / "runs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    outcome = run("flops", "--input", str(path))
    assert outcome.code == 0, outcome.stderr
    records = outcome.records()
    assert [r["line"] for r in records] == [1, 2, 3]
    for row, record in zip(rows, records, strict=True):
        args = [arg for key, value in row.items() for arg in (f"--{key}", str(value))]
        assert_same_results(record["results"], results("flops", *args))


@pytest.mark.parametrize("mine", [(), ("--only-my-ranges",)])
@pytest.mark.parametrize("command", list(CALCULATORS))
def test_a_batch_record_writes_its_members_as_the_single_run_does(
    command: str, mine: tuple[str, ...]
) -> None:
    """Batch records and single runs write each input and result through one member writer
    (tcoctl.output.member): over each calculator's default preset, a line with no options
    and a line giving one of the preset's numbers as an option have exactly the results
    (value, unit, label, low/high, as_of) and the record's as_of of the single runs with
    the same options (the first scenario of a preset with several, which is what a batch
    line starts from), and echo the inputs as the single run shows them, each input whose
    origin the single run names (a GPU's pooled fit, a fitted default) among them. With
    --only-my-ranges too: a batch line keeps none of the preset's ranges, per-GPU ones (the
    serving fit's efficiencies) included, as its single run (they had kept them: 4.89 with
    low..high 3.13..8.83 USD/Mtoken for inference's default line, none single)."""
    calc = CALCULATORS[command]
    preset = ["--preset", calc.default_preset, *mine]
    plain = run(command, *preset, "--format", "json").records()[0]
    name, item = next(
        (name, item)
        for name, item in plain["inputs"].items()
        if calc.input(name).kind == "number" and "from" not in item
    )
    text = f"{item['value']} {item['unit']}".strip()
    given = run(command, *preset, f"--{name}", text, "--format", "json")
    assert given.code == 0, given.stderr
    rows, singles = [{}, {name: text}], [plain, given.records()[0]]
    if any(spec.name == "gpu" for spec in calc.inputs):  # gaudi3: no per-GPU fit of its own
        rows.append({"gpu": "gaudi3"})
        singles.append(run(command, *preset, "--gpu", "gaudi3", "--format", "json").records()[0])
    lines = "".join(json.dumps(row) + "\n" for row in rows)
    batch = run(command, *preset, "--input", "-", "--format", "json", input=lines)
    assert batch.code == 0, batch.stderr
    for record, single in zip(batch.records(), singles, strict=True):
        assert record["results"] == single["results"]
        assert record.get("as_of") == single.get("as_of")
        assert record["inputs"] == {key: single["inputs"][key] for key in record["inputs"]}
        origins = {key for key, member in single["inputs"].items() if "from" in member}
        assert origins <= record["inputs"].keys()  # '[fit: pooled]' was left out
    assert name in batch.records()[1]["inputs"]


@pytest.mark.parametrize(
    "row", [{"batch": "32"}, {"batch": "16..300"}, {"gpu": "a100-sxm", "batch": "8..64"}]
)
def test_an_only_my_ranges_batch_line_is_its_single_run(row: dict[str, str]) -> None:
    """--only-my-ranges in a batch: each line's results are its single run's, the low..high
    from the line's own ranges alone (a line's per-GPU preset efficiencies had kept their
    fitted ranges: batch 16..300 gave 1.84..11.96 USD/Mtoken, single 3.19..6.80)."""
    mine = ("--only-my-ranges", "--format", "json")
    batch = run("inference", *mine, "--input", "-", input=json.dumps(row) + "\n")
    assert batch.code == 0, batch.stderr
    args = [arg for key, value in row.items() for arg in (f"--{key}", value)]
    assert batch.records()[0]["results"] == results("inference", *args, "--only-my-ranges")


def test_a_batch_warning_s_example_names_the_ranges_its_single_run_names() -> None:
    """The probe: lines evaluated together (corners only) said 'e.g. with --draw-fraction at
    its low end and --bandwidth-efficiency at its low end and ... --batch at its high end and
    --pue at its low end' of a memory fit that only --batch decides, where the single run says
    'e.g. with --batch at its high end'; an API array the same."""
    lines = "".join(json.dumps({"batch": b}) + "\n" for b in ("16..300", "32", "8..400"))
    batch = run("inference", "--input", "-", input=lines)
    single = run("inference", "--batch", "16..300")
    example = "not at their centre (e.g. with --batch at its high end): the weights"
    assert example in single.stderr and example in batch.stderr, batch.stderr
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tcoctl.api.run("inference", batch=["16..300", "32", "8..400"])
    assert "(e.g. with batch at its high end): the weights" in str(caught[0].message)


def test_a_corner_example_names_only_the_ranges_the_corners_depend_on() -> None:
    """Over two ranges A, B: a problem at A or B high is named by one of them; at A and B
    high by both; at B high alone by B (corners: centre, then (0,0), (0,1), (1,0), (1,1))."""
    assert corner_example(2, np.array([2, 3, 4])) == (2, [0.5, 1.0])
    assert corner_example(2, np.array([4])) == (4, [1.0, 1.0])
    assert corner_example(2, np.array([2, 4])) == (2, [0.5, 1.0])


def test_each_batch_line_is_dated_by_the_exchange_rates_of_its_own_currency() -> None:
    """A price typed in euros brings the dated EUR rate into the cost's as_of, in a batch
    line as in its single run; the USD lines beside it, in the same batch, stay undated."""
    shared = ["--count", "1000", "--duration", "30 day"]
    prices = ["2 USD/h", "2 EUR/h", "2 USD/h", "2 GBP/h"]
    lines = "".join(json.dumps({"price": price}) + "\n" for price in prices)
    batch = run("flops", *shared, "--input", "-", "--format", "json", input=lines)
    assert batch.code == 0, batch.stderr
    for record, price in zip(batch.records(), prices, strict=True):
        single = run("flops", *shared, "--price", price, "--format", "json").json()
        assert record["results"] == single["results"]
        assert record.get("as_of") == single.get("as_of")
        assert ("as_of" in record) == (not price.endswith("USD/h")), price


def same_to_15_digits(got: dict[str, Any], expected: dict[str, Any]) -> None:
    """Equal keys, units, dates and numbers to 15 significant digits."""
    assert got.keys() == expected.keys()
    for name, item in expected.items():
        shown = {k: f"{v:.15g}" if isinstance(v, float) else v for k, v in item.items()}
        found = {k: f"{v:.15g}" if isinstance(v, float) else v for k, v in got[name].items()}
        assert found == shown, name


REDERIVING_LINES = [
    *({"gpu": gpu} for gpu in ("a100-sxm", "b200", "mi300x", "gb200")),
    {"gpus": "1000", "gpu": "b200"},
]


@pytest.mark.parametrize(
    ("command", "lines", "shared"),
    [
        ("tco", REDERIVING_LINES, []),
        ("tco", [{"gpus": "1000"}], ["--gpu", "a100-sxm"]),
        (
            "inference",
            [*REDERIVING_LINES[:4], {"bandwidth-efficiency": "1", "compute-efficiency": "1"}],
            [],
        ),
    ],
)
def test_a_batch_line_re_derives_what_its_single_run_does(
    command: str, lines: list[dict[str, str]], shared: list[str]
) -> None:
    """A line's --gpu takes its preset's cited price and power, and resets the figures its
    preset tied to the old GPU (GPUs per replica, efficiencies), as the single run does: the
    same numbers, the same marked inputs, each single run's warnings once."""
    text = "".join(json.dumps(line) + "\n" for line in [*lines, *lines])
    outcome = run(command, "--input", "-", *shared, "--format", "json", input=text)
    assert outcome.code == 0, outcome.stderr
    records = outcome.records()
    for record, line in zip(records, [*lines, *lines], strict=True):
        args = [*shared, *(arg for key, value in line.items() for arg in (f"--{key}", value))]
        single = run(command, *args, "--format", "json")
        assert single.code == 0, single.stderr
        same_to_15_digits(record["results"], single.json()["results"])
        marked = {k: v for k, v in single.json()["inputs"].items() if "from" in v}
        marked = {k: v for k, v in marked.items() if "(default)" not in v["from"]}
        assert {k: record["inputs"][k] for k in marked} == marked
        for warning in single.stderr.splitlines():
            assert outcome.stderr.count(warning) == 1, warning


def test_a_batch_warns_of_an_option_no_result_uses_as_its_single_run_does() -> None:
    """The probe: a single run warns that --mfu (given where the cost comes from GPU-hours
    and a price) or a line's --electricity is used by no result; a batch said nothing. It
    says what the single run says, once for the whole batch."""
    line = {"gpu-hours": "1e6 h", "price": "2 USD/h", "electricity": "0.1 USD/kWh"}
    lines = "".join(json.dumps(item) + "\n" for item in [line, line, line])
    batch = run("flops", "--mfu", "0.4", "--input", "-", "--format", "json", input=lines)
    args = [arg for key, value in line.items() for arg in (f"--{key}", value)]
    single = run("flops", "--mfu", "0.4", *args, "--format", "json")
    assert single.code == 0 and batch.code == 0
    warnings = single.stderr.splitlines()
    assert {"--mfu", "--electricity"} <= {w.split()[2] for w in warnings}
    for warning in warnings:
        assert batch.stderr.count(warning) == 1, warning


def test_bad_rows_are_reported_and_good_rows_survive(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text(
        "\n".join(
            [
                '{"gpus": 1000}',
                "not json",
                '{"electricity": "5 kg"}',
                '{"colour": "red"}',
                '{"gpus": "2000", "pue": "1.3"}',
                "[1, 2]",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    outcome = run("tco", "--input", str(path))
    assert outcome.code == 1
    assert [r["line"] for r in outcome.records()] == [1, 5]
    errors = [line for line in outcome.stderr.splitlines() if ": line " in line]
    messages = dict(line.split(": ", 3)[2:] for line in errors)
    assert messages["line 2"].startswith("not JSON")
    assert messages["line 2"].endswith('; e.g. {"gpus": "100000"}')  # a good line
    assert messages["line 3"].startswith("--electricity:") and "a mass" in messages["line 3"]
    assert messages["line 4"] == (
        'unknown option \'colour\'; expected options of tco, e.g. {"gpus": "100000"}'
    )
    assert messages["line 6"] == (
        'expected a JSON object of option names and values, e.g. {"gpus": "100000"}'
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"gpus": null}',
            '\'gpus\' is null: expected a string or a number, e.g. {"gpus": "100000"}',
        ),
        (
            '{"electricity": true}',
            "'electricity' is true: expected a string or a number, e.g. "
            '{"electricity": "0.08 USD/kWh"}',
        ),
        (
            '{"gpus": 8, "gpus": 9}',
            'duplicate key \'gpus\': expected each option once, e.g. {"gpus": "100000"}',
        ),
        (
            '{"gpu_price": "2 USD/h", "gpu-price": "3 USD/h"}',
            "duplicate key 'gpu-price' (gpu_price and gpu-price are one option): expected each "
            'option once, e.g. {"gpu-price": "33750 USD"}',
        ),
    ],
)
def test_a_batch_line_s_error_names_its_key_and_an_example(line: str, message: str) -> None:
    """Leftover probe, item 5: '{"gpus": null}' failed with 'values must be strings or
    numbers' and a duplicate key with "duplicate key 'gpus'": no key named in the first, no
    example in either. Each names the key, what was expected and a line that runs; the good
    lines around it are still written."""
    outcome = run("tco", "--input", "-", input=f'{{"gpus": 8}}\n{line}\n{{"gpus": 16}}\n')
    assert outcome.code == 1
    assert [r["line"] for r in outcome.records()] == [1, 3]
    assert f"tcoctl: error: line 2: {message}\n" in outcome.stderr


@pytest.mark.parametrize("command", sorted(CALCULATORS))
def test_a_batch_s_example_line_runs(command: str) -> None:
    """The line an unreadable batch is shown runs when fed back (the trial's flops example
    '{"peak": "989 TFLOP/s"}' determined no result: exit 1)."""
    refused = run(command, "--input", "-", input="not json\n")
    assert refused.code == 2 and refused.stderr.count("\n") == 1
    example = refused.stderr.split("; e.g. ")[1].split(" or ")[0]
    assert run(command, "--input", "-", input=example + "\n").code == 0


@pytest.mark.parametrize(
    ("command", "line", "example"),
    [
        (
            "tco",
            '{"gpus":1000,"electrcity":"0.1 USD/kWh"}',
            "unknown option 'electrcity' (did you mean 'electricity'?); expected options of "
            "tco, e.g. "
            '{"electricity": "0.08 USD/kWh"}',
        ),
        (
            "flops",
            '{"electricty": "0.1 USD/kWh"}',
            "unknown option 'electricty' (did you mean 'electricity'?); expected options of "
            'flops, e.g. {"gpu": '
            '"h100-sxm", "count": "8", "duration": "30 day", "mfu": "0.4", "electricity": '
            '"0.08 USD/kWh"}',
        ),
    ],
)
def test_a_mistyped_key_of_a_batch_line_gets_the_nearest_and_a_line_that_runs(
    command: str, line: str, example: str
) -> None:
    """The new-user trial: a batch line's 'electrcity' was 'unknown option' with no
    suggestion and no example; the example, fed back, runs."""
    outcome = run(command, "--input", "-", input=line + "\n")
    assert outcome.code == 1
    assert f"tcoctl: error: line 1: {example}\n" in outcome.stderr
    assert run(command, "--input", "-", input=example.split("e.g. ")[1] + "\n").code == 0


def test_batch_csv_in_and_out(tmp_path: Path) -> None:
    path = tmp_path / "runs.csv"
    path.write_text(
        "gpus,electricity\n1000,0.05 USD/kWh\n2000,\n3000,0.1 USD/kWh,extra\n", encoding="utf-8"
    )
    outcome = run("tco", "--input", str(path), "--format", "csv")
    assert outcome.code == 1 and "line 4:" in outcome.stderr
    lines = outcome.stdout.splitlines()
    assert lines[0].startswith("line,input,servers_annual [USD/yr]") and len(lines) == 3


def test_batch_from_stdin() -> None:
    outcome = run("h100e", "--input", "-", input='{"gpu": "h20", "count": 10}\n')
    assert outcome.code == 0
    assert outcome.records()[0]["results"]["h100e"]["value"] == pytest.approx(10 * 148 / 989.4)


def test_compare_shows_ratios() -> None:
    outcome = run("compare", "frontier-2024", "frontier-2025", "--format", "table")
    assert outcome.code == 0 and "frontier-2025" in outcome.stdout and "×" in outcome.stdout
    records = run("compare", "frontier-2024", "frontier-2025", "--format", "json").records()
    assert {(r["command"], r["preset"]) for r in records} == {
        ("h100e", "frontier-2024"),
        ("h100e", "frontier-2025"),
        ("tco", "frontier-2024"),
        ("tco", "frontier-2025"),
    }
    single = results("tco", "--preset", "frontier-2025")
    both = next(r for r in records if r["command"] == "tco" and r["preset"] == "frontier-2025")
    assert_same_results(both["results"], single)


def test_compare_defaults_to_the_seed_scenarios_and_writes_csv() -> None:
    outcome = run("compare", "--format", "csv")
    assert outcome.code == 0
    scenarios = {line.split(",")[0] for line in outcome.stdout.splitlines()[1:]}
    assert {"frontier-2024", "run-1e30", "site-1gw"} <= scenarios
    assert run("compare", "gb200").code == 2


def test_svg_export(tmp_path: Path) -> None:
    svg = tmp_path / "tco.svg"
    outcome = run("tco", "--format", "json", "--svg", str(svg))
    assert outcome.code == 0 and json.loads(outcome.stdout)["results"]
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<svg")


def test_sweep_points_where_a_result_is_undefined_are_null() -> None:
    """Dies larger than the wafer have no cost per good die: null in JSON, never NaN."""
    outcome = run("yield", "--die-size", "10x10", "--wafer-cost", "10000 USD",
                  "--sweep", "die-width=10..400:5", "--format", "json")  # fmt: skip
    assert outcome.code == 0, outcome.stderr
    costs = outcome.json()["sweep"]["results"]["cost_per_good_die"]["value"]
    assert costs[0] is not None and costs[-1] is None


def test_batch_only_my_ranges_keeps_the_lines_own_spread() -> None:
    """--only-my-ranges in a batch: the preset's ranges collapse to their midpoints, so a
    line with no range of its own has none, and a line's own range still spreads."""
    lines = '{"gpus": 1000}\n{"gpus": 1000, "electricity": "0.05..0.1 USD/kWh"}\n'
    plain = run("tco", "--input", "-", "--only-my-ranges", input=lines).records()
    assert "low" not in plain[0]["results"]["cost_per_gpu_hour"]
    spread = plain[1]["results"]["cost_per_gpu_hour"]
    assert spread["low"] < spread["value"] < spread["high"]
    both = run("tco", "--input", "-", input=lines).records()
    assert both[1]["results"]["cost_per_gpu_hour"]["low"] < spread["low"]


def test_a_sweep_replaces_the_alternative_and_leaves_failed_points_undefined() -> None:
    """Sweeping --site-power drops the preset's --gpus (its alternative): the GPU count
    follows the site power, floor(P / (1,275 W x 1.2)); and a point a single run refuses
    (more good dies than fit) is null, never an impossible yield above 1."""
    out = run("tco", "--pue", "1.2", "--sweep", "site-power=50..100MW:3", "-f", "json").json()
    gpus = out["sweep"]["results"]["gpus"]["value"]
    assert gpus == [math.floor(p / (1275 * 1.2)) for p in (50e6, 75e6, 100e6)]
    swept = run("yield", "--die-size", "20x20", "--sweep", "good-dies=100..500:5", "-f", "json")
    implied = swept.json()["sweep"]["results"]["implied_yield"]["value"]
    assert implied[0] is not None and implied[0] <= 1 and implied[1:] == [None] * 4


def test_a_swept_input_counts_as_given() -> None:
    """The probe (D2): sweeping --die-area with only --defect-density failed 'these inputs
    determine no result of yield; die_yield needs --die-width or --die-area', and sweeping
    --count warned that --duration is used by no result."""
    swept = run("yield", "--sweep", "die-area=1..800:20", "--defect-density", "0.1", "-f", "json")
    assert swept.code == 0, swept.stderr
    die_yield = swept.json()["sweep"]["results"]["die_yield"]["value"]
    assert die_yield[-1] == pytest.approx(math.exp(-0.8))  # 8 cm^2 x 0.1 /cm^2, Poisson
    assert "die_yield" not in swept.json()["missing"]
    flops = ["flops", "--gpu", "h100-sxm", "--mfu", "0.4", "--duration", "1day"]
    counted = run(*flops, "--sweep", "count=1..10:10", "-f", "json")
    assert counted.code == 0 and "--duration" not in counted.stderr, counted.stderr
    assert "total_flop" not in counted.json()["missing"]
    table = run("yield", "--sweep", "die-area=1..800:5", "--defect-density", "0.1", "-f", "table")
    assert "tcoctl yield: no result at these inputs alone; the sweep above gives them" in (
        table.stdout
    )  # the run's own result table was an empty header


def test_each_bad_batch_line_gets_its_own_numbers() -> None:
    """Two lines in one group, each contradicting itself: each message quotes its own line's
    values (1,000 GPUs x 10 days = 240,000 h; 2,000 x 20 days = 960,000 h)."""
    lines = "count,duration,gpu-hours\n1000,10 day,1 h\n2000,20 day,2 h\n"
    outcome = run("flops", "--peak", "1000 TFLOP/s", "--mfu", "0.4", "--input", "-", input=lines)
    assert outcome.code == 1
    assert "line 2: the inputs contradict each other: gpu_hours is 1 h" in outcome.stderr
    assert "give 240000 h" in outcome.stderr
    assert "line 3: the inputs contradict each other: gpu_hours is 2 h" in outcome.stderr
    assert "give 960000 h" in outcome.stderr


def test_a_marked_crossing_is_exact_not_interpolated() -> None:
    """Five sweep points are far apart, but the marked crossing is where the model crosses:
    the same 0.2375 USD/kWh that --solve finds, and the own-or-rent break-even equals tco's
    own breakeven_utilization."""
    swept = run("tco", "--sweep", "electricity=0.02..0.4:5", "--mark", "power_share=0.15",
                "--format", "json").json()  # fmt: skip
    solved = results("tco", "--solve", "electricity", "--for", "power_share=0.15")
    assert swept["sweep"]["mark"]["crossings"] == [
        pytest.approx(solved["electricity"]["value"], rel=1e-6)
    ]
    rent = ("--rent-price", "2.5 USD/h")
    marked = run("tco", *rent, "--sweep", "utilization=0.1..1:10", "--mark", "own_to_rent=1",
                 "--format", "json").json()  # fmt: skip
    breakeven = results("tco", *rent)["breakeven_utilization"]["value"]
    assert marked["sweep"]["mark"]["crossings"] == [pytest.approx(breakeven, rel=1e-6)]


def test_a_batch_keeps_the_models_warnings() -> None:
    """A 30 x 40 mm die is beyond the 26 x 33 mm reticle: a batch warns as a single run does,
    naming the lines."""
    lines = "die-size,defect-density\n30x40,0.1\n20x20,0.1\n30x40,0.2\n"
    outcome = run("yield", "--input", "-", input=lines)
    assert outcome.code == 0 and len(outcome.records()) == 3
    assert "warning: lines 2, 4: the die exceeds the 26 x 33 mm reticle" in outcome.stderr


def test_a_sweep_says_why_points_are_blank_and_charts_a_result_that_moves() -> None:
    """The hostile probe: past 825 mm^2 the whole dies are fewer than the preset's 65 good
    dies (its centre), so those points have no answer; they were blank without a word, and
    the chart plotted the given good dies, a constant. One warning per scenario names the
    points and the reason, the JSON lists them, and the chart is of the first headline
    result that moves (dies per wafer). From 700 mm^2 only the range's high end (80) is more
    than the whole dies: those points answer at the centre, as a single run does."""
    args = ("yield", "--preset", "smic-7nm", "--sweep", "die-area=700..900:9")
    outcome = run(*args, "-f", "json")
    assert outcome.code == 0, outcome.stderr
    warnings = outcome.stderr.splitlines()
    assert len(warnings) == 4  # two per scenario of the preset (Kirin 9000S, Ascend 910B)
    assert "--sweep: no answer at 3 of 9 points, die-area = 850, 875, 900 mm^2" in warnings[1]
    assert "e.g. at 850 mm^2: implied_step_yield comes out at" in warnings[1]
    # the points answered at the centre say so, as a single run at 700 mm^2 does
    assert (
        "--sweep: at die-area = 700, 725, 750 and 3 more mm^2: implied_step_yield" in (warnings[0])
    )
    assert "so no value at 2 of 5 points of the input ranges" in warnings[0]
    section = outcome.records()[0]["sweep"]
    assert [gap["x"] for gap in section["undefined"]] == [850, 875, 900]
    assert (
        "the good dies are more than the whole dies that fit" in section["undefined"][0]["reason"]
    )
    assert section["results"]["dies_per_wafer"]["value"][6:] == [None] * 3
    assert None not in section["results"]["implied_yield"]["value"][:6]
    table = " ".join(run(*args, "-f", "table").stdout.split())
    assert (
        "good_dies_per_wafer stays at 65 over this die-area sweep: the chart is of "
        + ("dies_per_wafer dies_per_wafer against die-area")
        in table
    )


def test_a_sweep_with_no_point_answered_fails_in_one_line() -> None:
    """The hostile probe: a sweep whose every point had no answer (100 good dies wanted
    where at most 96 whole dies of 700 mm^2 fit) exited 0 with an empty chart. It fails
    with one line that says so and why; a sweep with some points answered still warns."""
    args = ("yield", "--good-dies", "100", "--steps", "1000")  # --die-area: the sweep's
    outcome = run(*args, "--sweep", "die-area=700..800:3", "-f", "json")
    assert outcome.code == 1 and outcome.stdout == ""
    assert outcome.stderr == (
        "tcoctl: error: --sweep: no point of the sweep has an answer (die-area = 700, 750, "
        "800 mm^2), e.g. at 700 mm^2: implied_step_yield comes out at 1.00025, above its "
        "maximum 1: the good dies are more than the whole dies that fit; give fewer, or a "
        "smaller die, e.g. --good-dies 10\n"
    )
    some = run(*args, "--sweep", "die-area=400..800:3", "-f", "json")
    assert some.code == 0 and "--sweep: no answer at 2 of 3 points" in some.stderr


def test_an_input_given_and_swept_is_refused() -> None:
    """Probe 2: `tco --sweep gpus=1000..2000:3 --gpus 5` dropped --gpus 5 silently (as
    --solve with the same input is refused)."""
    outcome = run("tco", "--sweep", "gpus=1000..2000:3", "--gpus", "5")
    assert (outcome.code, outcome.stdout) == (2, "")
    assert outcome.stderr == (
        "tcoctl: error: --gpus 5 is given, and --sweep gpus varies it: give one of them, e.g. "
        "--sweep gpus=1000..2000:3 without --gpus, or --gpus 5 without --sweep\n"
    )
    assert run("tco", "--sweep", "electricity=0.02..0.4:3", "--gpus", "5", "-f", "csv").code == 0


def test_a_sweep_names_the_points_a_warning_concerns() -> None:
    """The hostile probe: a sweep over batches where the weights and KV cache stop fitting
    said nothing, where a batch file names its lines; the sweep now names its points the
    same way (one warning per message, the first few points and how many more)."""
    outcome = run("inference", "--sweep", "batch=1..2000:5", "--format", "json")
    assert outcome.code == 0
    assert outcome.stderr == (
        "tcoctl: warning: llama-3.1-70b: --sweep: at batch = 500.8, 1,000, 1,500 and 1 more: "
        "the weights and KV cache do not fit in memory (fits: no): tokens/s and cost are what "
        "a replica would do if they did; add gpus-per-replica or lower the batch\n"
    )
    fitting = run("inference", "--sweep", "batch=1..200:5", "--format", "json")
    assert fitting.code == 0 and fitting.stderr == ""


@pytest.mark.parametrize(
    ("args", "example"),
    [
        (("tco", "--solve", "electricity", "--for", "power_share=0.2..0.1"), "power_share=0.15"),
        (
            ("tco", "--sweep", "electricity=0.02..0.4USD/kWh", "--mark", "power_share=0.2..0.1"),
            "power_share=0.15",
        ),
        (("tco", "--sweep", "electricity=0.4..0.02USD/kWh"), "electricity=0.02..0.4 USD/kWh"),
        (("inference", "--sweep", "batch=1..0"), "batch=1..256:20"),
    ],
)
def test_a_backwards_range_in_a_goal_or_sweep_gets_an_example_that_runs(
    args: tuple[str, ...], example: str
) -> None:
    """The hostile probe: --for and --mark take no range, yet a backwards one was answered
    "e.g. '0.1..0.2'"; a backwards --sweep suggested '0.02..0.4 USD/kWh' with no NAME=, which
    --sweep refuses. The example given, put in the place of the last argument (the bad
    one), runs."""
    refused = run(*args)
    assert refused.code == 2 and refused.stderr.endswith(f"e.g. '{example}'\n"), refused.stderr
    again = run(*args[:-1], example, "--format", "json")
    assert again.code == 0, again.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("tco", "--solve", "gpus", "--for", "gpus=10"),
         "--for: gpus is what --solve gpus would set; name a result to reach instead, "
         "e.g. --for 'power_share=0.15'"),
        (("tco", "--solve", "electricity", "--for", "power_share=0.15",
          "--sweep", "electricity=0.05..0.1"),
         "--sweep electricity: --solve electricity sets it; sweep another input, or drop "
         "--solve and --for to sweep electricity itself, e.g. --sweep electricity=0.05..0.1"),
    ],
)  # fmt: skip
def test_a_goal_or_sweep_on_the_solved_input_gets_an_example(
    args: tuple[str, ...], said: str
) -> None:
    """The new-user trial: both refusals named no example."""
    outcome = run(*args)
    assert outcome.code == 2 and outcome.stderr == f"tcoctl: error: {said}\n"


def test_a_default_chart_target_not_computed_names_one_that_is() -> None:
    """The last probe: supply's tornado defaults to h100e_per_year, which an HBM-bound run
    does not compute; the refusal named no example. It names one that is computed, and that
    one runs."""
    args = ("supply", "--hbm-stacks-per-month", "1e6..2e6", "--hbm-stacks-per-package", "8",
            "--tornado")  # fmt: skip
    refused = run(*args)
    assert refused.code == 2
    assert "e.g. --target chips_per_year" in refused.stderr
    assert run(*args, "--target", "chips_per_year", "--format", "table").code == 0


SWEEPS_OF_NO_NUMBER = (
    (("inference", "--sweep", "attention-precision=bf16..fp8"), "batch=1..256:20"),
    (("inference", "--sweep", "nope=1..2"), "batch=1..256:20"),
    (("tco", "--sweep", "gpu=1..2"), "electricity=0.02..0.40USD/kWh:50"),
)
"""A sweep of a choice, a preset name or no input, and the command's example sweep."""


def test_a_sweep_of_no_number_input_ends_with_one_that_runs() -> None:
    """The second probe: '--sweep attention-precision=bf16..fp8' said only
    '--sweep: attention-precision is not a number', and an unknown name listed the inputs
    with no example; both end with the command's example sweep, which runs."""
    for args, example in SWEEPS_OF_NO_NUMBER:
        refused = run(*args)
        assert refused.code == 2 and refused.stderr.rstrip().endswith(f"e.g. '{example}'")
        assert run(args[0], "--sweep", example, "-f", "json").code == 0


@pytest.mark.parametrize(
    ("args", "given"),
    [
        (("tco", "--only-my-ranges"), ("--electricity", "0.02..0.40USD/kWh")),
        (("flops", "--preset", "run-1e30", "--only-my-ranges"), ("--mfu", "0.3..0.5")),
    ],
)
def test_a_tornado_with_no_range_names_an_input_to_give_as_one(
    args: tuple[str, ...], given: tuple[str, str]
) -> None:
    """The new-user trial: 'tco --only-my-ranges --tornado' said 'needs at least one input
    given as a range, e.g. 1..2', naming no option. It names the input the calculator's
    --sweep example spans, with that range; given so, the tornado runs."""
    refused = run(*args, "--tornado")
    assert (refused.code, refused.stderr) == (
        2,
        "tcoctl: error: --tornado needs at least one input given as a range, "
        f"e.g. {' '.join(given)}\n",
    )
    assert run(*args, "--tornado", *given).code == 0


@pytest.mark.parametrize(
    ("command", "text"),
    [("tco", '[{"gpus":1000}]\n'), ("yield", '[\n  {"die-size": "26x31"}\n]\n')],
)
def test_a_json_array_given_as_a_batch_says_what_input_takes(command: str, text: str) -> None:
    """The new-user trial: a JSON array was refused as 'line 1 is neither a JSON object nor
    a CSV header of option names (unknown '[{"gpus":1000}]')'. It says it is an array, that
    --input takes JSON Lines, and gives a line that runs."""
    refused = run(command, "--input", "-", input=text)
    prefix = (
        "tcoctl: error: --input: line 1 starts a JSON array; --input takes JSON Lines, one "
        "object per line with no brackets or commas between, e.g. "
    )
    assert refused.code == 2 and refused.stderr.startswith(prefix), refused.stderr
    example = refused.stderr.removeprefix(prefix)
    assert run(command, "--input", "-", "--format", "json", input=example).code == 0


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("tco", "--value", "cost_per_million_tokens"),
         "--value: cost_per_million_tokens is not computed for this scenario (it needs "
         "--tokens-per-second); e.g. tcoctl tco --preset frontier-2024 --tokens-per-second "
         "'1000 token/s' --value cost_per_million_tokens"),
        (("flops", "--params", "1e300", "--tokens", "1e300", "--value", "total_flop"),
         "--value: total_flop has no finite value for these inputs; the others show without "
         "--value, e.g. tcoctl flops --params 1e300 --tokens 1e300"),
    ],
)  # fmt: skip
def test_a_value_a_scenario_lacks_is_refused_with_a_run_to_type(
    args: tuple[str, ...], said: str
) -> None:
    """The new-user trial: '--value: total_flop is not computed for this scenario' (it was
    computed, past the largest float) and '... (it needs --tokens-per-second)' gave no
    example. The run as typed, with what it needs or without --value, runs."""
    refused = run(*args)
    assert refused.code == 1 and refused.stderr.endswith(f"tcoctl: error: {said}\n")
    assert run(*shlex.split(said.rsplit("e.g. ", 1)[1])[1:]).code == 0


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (("--value", "cost_per_gpu_hour"),
         "drop --value; each result is a column of --format csv, e.g. tcoctl tco --preset "
         "frontier-2024 --input {file} --format csv"),
        (("--samples", "10", "--tornado"),
         "drop --tornado, --samples, e.g. tcoctl tco --preset frontier-2024 --input {file}"),
    ],
)  # fmt: skip
def test_a_batch_refuses_a_single_run_s_option_with_a_batch_to_type(
    extra: tuple[str, ...], said: str, tmp_path: Path
) -> None:
    """The new-user trial: '--input runs each line as it is: drop --value' gave no example,
    nor a way to read one result of each line (CSV has it as a column)."""
    batch_file = tmp_path / "batch.csv"
    batch_file.write_text("gpus\n1000\n", encoding="utf-8")
    refused = run("tco", "--input", str(batch_file), *extra)
    message = said.format(file=batch_file)
    assert (refused.code, refused.stderr) == (
        2,
        f"tcoctl: error: --input runs each line as it is: {message}\n",
    )
    again = run(*shlex.split(message.rsplit("e.g. ", 1)[1])[1:])
    columns = "cost_per_gpu_hour [USD/h]" in again.stdout
    assert again.code == 0 and columns == ("--value" in extra)
