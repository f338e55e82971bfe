"""The relations engine: partial answers, goal-seeking in any direction, published cases for
the new directions, and the registry of models against the specs."""

from __future__ import annotations

import doctest
import json
import math
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tcoctl
from conftest import core, results, run
from tcoctl import api
from tcoctl import core as core_registry
from tcoctl import specs as specs_registry
from tcoctl.core import MODELS
from tcoctl.engine import evaluation
from tcoctl.output import faithful
from tcoctl.pipeline import views
from tcoctl.specs import CALCULATORS, GPU_QUANTITIES


def test_every_option_and_result_names_a_quantity_of_the_relations() -> None:
    """The explicit registry matches the specs: nothing is declared that no relation uses."""
    assert set(MODELS) == set(CALCULATORS)
    for name, calc in CALCULATORS.items():
        names = {n for relation in MODELS[name].relations for n in relation.names}
        for spec in calc.inputs:
            gives = set(spec.sets) - set(GPU_QUANTITIES)
            assert gives <= names, (name, spec.name)
        for result in calc.results:
            assert result.core in names, (name, result.name)


def test_a_calculator_offers_map_where_its_model_declares_a_drawing() -> None:
    """--map is a hook: the spec offers it (Calculator.drawing), the model declares what it
    draws (core.relations.Drawing); tcoctl.pipeline.views names no calculator."""
    for name, calc in CALCULATORS.items():
        assert calc.drawing == (MODELS[name].drawing is not None), name
    text = Path(str(views.__file__)).read_text(encoding="utf-8")
    assert not [name for name in CALCULATORS if f'"{name}"' in text]


def test_a_calculator_is_one_line_in_each_registry() -> None:
    """The README's recipe: a new calculator adds one line to tcoctl.specs.REGISTRY and one
    to tcoctl.core.REGISTRY, and nothing else in either file names it."""
    assert list(core_registry.REGISTRY) == list(CALCULATORS)
    files = {r.__file__: r.REGISTRY for r in (specs_registry, core_registry)}
    for path, entries in files.items():
        lines = Path(str(path)).read_text(encoding="utf-8").splitlines()
        for entry in entries.values() if isinstance(entries, dict) else entries:
            module = entry.partition(".")[0]
            naming = [line for line in lines if re.search(rf"\b{module}\b", line)]
            assert len(naming) == 1, (path, module, naming)


def test_a_partial_question_answers_and_says_what_else_it_could() -> None:
    """6 x 7e9 x 2e12 = 8.4e22 FLOP needs no GPU."""
    outcome = run("flops", "--params", "7e9", "--tokens", "2e12", "--format", "json")
    assert outcome.code == 0, outcome.stderr
    doc = outcome.json()
    assert doc["results"]["total_flop"]["value"] == pytest.approx(8.4e22)
    assert ["gpu-hours", "price"] in doc["missing"]["cost"]
    assert doc["inputs"]["flop-per-param-token"]["value"] == 6  # a default, shown


def test_cost_of_gpu_hours_needs_no_mfu() -> None:
    out = results("flops", "--gpu-hours", "1e6 h", "--price", "2.5 USD/h")
    assert out["cost"]["value"] == pytest.approx(2.5e6)


def test_an_input_no_result_uses_is_named() -> None:
    outcome = run("flops", "--gpu-hours", "1e6 h", "--price", "2 USD/h",
                  "--electricity", "0.1 USD/kWh", "-f", "json")  # fmt: skip
    assert outcome.code == 0
    assert "--electricity is used by no result" in outcome.stderr
    assert outcome.json()["missing"]["energy"] == [["power"], ["gpu"]]


@pytest.mark.parametrize("wanted", ["gpu_hours", "energy", "cost", "count"])
def test_every_way_a_missing_result_names_gives_it(wanted: str) -> None:
    """What `missing` names must work when typed: flops --params --tokens once said gpu_hours
    "needs --achieved or --gpu-throughput", though --gpu alone gives it (with the default
    MFU of preset training-fit; the new-user trial)."""
    calc = CALCULATORS["flops"]
    base = ("--params", "7e9", "--tokens", "2e12")
    ways = run("flops", *base, "-f", "json").json()["missing"][wanted]
    assert ways and (["gpu"] in ways or wanted not in ("gpu_hours", "energy"))
    for way in ways:
        typed = [word for name in way for word in (f"--{name}", calc.input(name).example)]
        outcome = run("flops", *base, *typed, "--value", wanted)
        assert outcome.code == 0, (way, outcome.stderr)


@pytest.mark.parametrize(
    ("base", "wanted"),
    [
        # good_dies_per_wafer with die_width: alternatives, refused together
        (("supply", "--chips-per-year", "1000000"), "die_yield"),
        # from preset smic-7nm's good-dies-per-wafer, which --die-yield or --die-width drops
        (("supply", "--preset", "smic-7nm"), "dies_per_wafer"),
        (("supply", "--preset", "smic-7nm"), "die_yield"),
    ],
)
def test_a_way_named_drops_no_input_it_needs(base: tuple[str, ...], wanted: str) -> None:
    """The probe: supply --chips-per-year 1000000 --value die_yield named '--good-dies-per-wafer
    --die-width' (refused: alternatives) and from smic-7nm dies_per_wafer 'needs ... or
    --die-yield' (which drops the preset's good dies it would come from), die_yield '--die-width'
    (then it needs --defect-density too). Every way named must give the result when typed."""
    calc = CALCULATORS[base[0]]
    ways = run(*base, "-f", "json").json()["missing"][wanted]
    assert ways
    for way in ways:
        typed = [word for name in way for word in (f"--{name}", calc.input(name).example)]
        outcome = run(*base, *typed, "--value", wanted)
        assert outcome.code == 0, (way, outcome.stderr)


def test_what_no_result_needs_names_no_alternative_of_an_option_given() -> None:
    """The probe: tco --nodes 384 (frontier-2024's --gpus dropped) said total_annual_cost
    'needs --gpus --load or ...', though --gpus and --nodes are refused together. Every way
    named must run when typed."""
    calc = CALCULATORS["tco"]
    outcome = run("tco", "--nodes", "384")
    assert outcome.code == 1
    ways = outcome.stderr.strip().rsplit(" needs ", 1)[1].split(" or ")
    assert ways
    for way in ways:
        flags = way.split()
        typed = [word for flag in flags for word in (flag, calc.input(flag[2:]).example)]
        assert run("tco", "--nodes", "384", *typed).code == 0, way


def test_one_chip_gives_its_ratios() -> None:
    """B200: 2,250 / 989.4 dense BF16 TFLOP/s, 7.7 / 3.35 TB/s (NVIDIA HGX B200 and H100
    datasheets, as in the presets)."""
    out = results("h100e", "--gpu", "b200")
    assert out["ratio_bf16"]["value"] == pytest.approx(2250 / 989.4)
    assert out["ratio_bandwidth"]["value"] == pytest.approx(7.7 / 3.35)


def test_nothing_computed_is_a_usage_error_naming_what_would_help() -> None:
    outcome = run("h100e", "--count", "10")
    assert outcome.code == 2 and "--gpu" in outcome.stderr


def test_contradicting_inputs_name_both_values() -> None:
    outcome = run("flops", "--count", "10", "--duration", "1 day", "--gpu-hours", "100 h")
    assert outcome.code == 1
    assert "contradict" in outcome.stderr and "240" in outcome.stderr


def test_goal_seek_finds_where_power_passes_15_percent() -> None:
    """The sweep's crossing (0.2375 USD/kWh) as one number, by root finding."""
    out = results("tco", "--solve", "electricity", "--for", "power_share=0.15")
    assert out["electricity"]["value"] == pytest.approx(0.2375, abs=5e-5)
    assert out["power_share"]["value"] == pytest.approx(0.15, rel=1e-9)


def test_goal_seek_with_a_range_and_samples() -> None:
    goal = ("--solve", "electricity", "--for", "power_share=0.15")
    out = results("tco", *goal, "--gpu-price", "30000..40000 USD", "--samples", "2000",
                  "--seed", "1")  # fmt: skip
    item = out["electricity"]
    assert item["low"] < item["p05"] < item["p50"] < item["p95"] < item["high"]
    # dearer servers make power a smaller share: electricity must cost more to reach 15 %
    ends = [
        results("tco", "--solve", "electricity", "--for", "power_share=0.15",
                "--gpu-price", price)["electricity"]["value"]
        for price in ("30000 USD", "40000 USD")
    ]  # fmt: skip
    assert item["low"] <= ends[0] < ends[1] <= item["high"]


def test_goal_seek_in_closed_form_and_no_solution() -> None:
    """1e30 FLOP at 40 % of 989.4 TFLOP/s in 90 days needs 3.25e8 H100s."""
    out = results("flops", "--preset", "run-1e30", "--gpu", "h100-sxm", "--mfu", "0.4",
                  "--solve", "count", "--for", "duration=90 day")  # fmt: skip
    assert out["count"]["value"] == pytest.approx(1e30 / (989.4e12 * 0.4 * 90 * 86400))
    # below what the cluster costs without electricity (a share above 1 is refused as typed)
    outcome = run("tco", "--solve", "electricity", "--for", "cost_per_gpu_hour=0.1 USD/h")
    assert outcome.code == 1 and "no value of electricity (at least 0)" in outcome.stderr


def test_yield_solves_defect_density_for_a_die_yield() -> None:
    out = results("yield", "--die-size", "26x31.3", "--solve", "defect-density",
                  "--for", "die_yield=0.8")  # fmt: skip
    # Poisson: D0 = -ln 0.8 / (2.6 x 3.13 cm^2)
    assert out["defect_density"]["value"] == pytest.approx(-math.log(0.8) / (2.6 * 3.13))


def test_megatron_recompute_training_time() -> None:
    """Narayanan et al. 2021 (arXiv:2104.04473, section 5.1): GPT-3 175B on 300B tokens on
    1,024 A100s at 140 TFLOP/s per GPU takes 8TP/(nX) = 34 days."""
    out = core(
        "flops", flop_per_param_token=8, params=175e9, tokens=300e9, count=1024,
        peak=312e12, mfu=140 / 312, ref_peak=989.4e12,
    )  # fmt: skip
    assert out["duration"] / 86400 == pytest.approx(34, abs=0.5)


def test_palm_mfu_from_throughput() -> None:
    """Chowdhery et al. 2022 (PaLM, arXiv:2204.02311, Table 3 and appendix B): 540B
    parameters at 238.3k tokens/s on 6,144 TPU v4 chips (275 TFLOP/s) is 46.2 % MFU, which
    counts attention FLOPs too; the 6 N part alone is 45.7 %."""
    out = results("flops", "--params", "540e9", "--cluster-throughput", "238.3e3 token/s",
                  "--count", "6144", "--peak", "275 TFLOP/s")  # fmt: skip
    assert out["mfu"]["value"] == pytest.approx(6 * 540e9 * 238.3e3 / (6144 * 275e12))
    assert out["mfu"]["value"] == pytest.approx(0.462, rel=0.015)


def test_bose_einstein_defect_density_from_a_stated_yield() -> None:
    """Hennessy & Patterson, 5th ed., section 1.6: a 2.25 cm^2 die with D0 = 0.031/cm^2 and
    N = 13.5 yields 1 / (1 + 0.031 x 2.25)^13.5 = 0.40; the inverse gives the D0 back."""
    out = results("yield", "--die-area", "225 mm^2", "--die-yield", "0.4024288",
                  "--model", "bose-einstein", "--layers", "13.5")  # fmt: skip
    assert out["defect_density"]["value"] == pytest.approx(0.031, rel=1e-5)


def test_the_api_gives_what_the_cli_gives() -> None:
    """The same number, as JSON writes it: 15 significant digits (output.faithful)."""
    cli = results("tco", "--preset", "frontier-2024")["gpu_share"]["value"]
    assert faithful(float(tcoctl.tco(preset="frontier-2024")["gpu_share"].magnitude)) == cli
    done = subprocess.run(
        [sys.executable, "-c", "import tcoctl; print(tcoctl.tco(preset='frontier-2024')"
         "['gpu_share'].magnitude)"], capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert faithful(float(done.stdout)) == cli


def test_the_api_takes_arrays_ranges_and_quantities() -> None:
    from tcoctl.units import registry

    many = tcoctl.tco(gpus=[1000, 2000])
    assert many["total_annual_cost"].magnitude[1] == pytest.approx(
        2 * many["total_annual_cost"].magnitude[0]
    )
    ranged = tcoctl.tco(electricity=tcoctl.Range(0.05, 0.15, "USD/kWh"), samples=1000, seed=1)
    assert (
        ranged.stat("power_share", "p05")
        < ranged["power_share"]
        < ranged.stat("power_share", "p95")
    )
    kwh = registry().Quantity(0.12, "USD/kWh")
    assert tcoctl.tco(electricity=kwh).to_dict() == tcoctl.tco(electricity="0.12 USD/kWh").to_dict()
    doc = tcoctl.flops(params=7e9, tokens=2e12).to_dict()
    assert json.loads(json.dumps(doc))["results"]["total_flop"]["value"] == 8.4e22


def test_the_api_raises_typed_errors() -> None:
    from tcoctl.errors import UsageError

    with pytest.raises(UsageError, match="electricity=: "):
        tcoctl.tco(electricity="5 kg")
    with pytest.raises(UsageError, match="no keyword bogus="):
        tcoctl.tco(bogus=1)


def test_api_docstring_examples() -> None:
    """Every example in the API's docstrings runs as shown (the upstream example's note on
    what fed what is a warning, expected there)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", api.TcoctlWarning)
        failed, attempted = doctest.testmod(api, optionflags=doctest.ELLIPSIS)
    assert attempted >= 6 and failed == 0


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"samples": 10**9}, "samples=: expected a whole number from 0 to 2,000,000"),
        ({"samples": "many"}, "samples=: expected a whole number"),
        ({"dist": "normal"}, "dist=: 'normal' is not one of uniform, triangular; e.g. dist="),
        ({"seed": "x"}, "seed=: expected a whole number"),
        ({"solve": 5}, "solve=: expected text; got 5, e.g. solve='electricity'"),
        ({"gpus": []}, "gpus=: an empty list"),
        ({"solve": "electricity", "goal": "power_share=1.5"}, "e.g. goal='power_share=0.15'"),
        ({"solve": "electricity", "goal": "x=0.2..0.1"}, "expected RESULT=VALUE"),
        ({"samples": 2.5}, "got 2.5, e.g. samples=10000"),
        ({"seed": -1}, "got -1, e.g. seed=1"),
        ({"upstream": 5}, "upstream: expected a tcoctl.api.Result"),
    ],
)
def test_the_api_checks_its_shared_keywords(keywords: dict[str, Any], message: str) -> None:
    """The API refuses what the command line refuses (a billion samples would exhaust
    memory), with a typed error, before any work."""
    from tcoctl.errors import UsageError

    with pytest.raises(UsageError, match=re.escape(message)):
        tcoctl.tco(**keywords)


def test_api_arrays_are_one_engine_call() -> None:
    """100,000 scenarios as arrays run as one call of the numpy core, not 100,000 runs, and
    give what one scenario at a time gives."""
    from unittest import mock

    from tcoctl.engine import evaluation

    params = np.linspace(1e9, 1e11, 100_000)
    options = {"tokens": 2e12, "gpu": "h100-sxm", "mfu": 0.4, "count": 1000}
    with mock.patch.object(evaluation, "core_call", wraps=evaluation.core_call) as calls:
        result = tcoctl.flops(params=params, **options)
    assert calls.call_count == 1
    days = result["duration"].to("day").magnitude
    assert len(days) == 100_000
    for row in (0, 54_321, 99_999):
        alone = tcoctl.flops(params=float(params[row]), **options)["duration"]
        assert days[row] == pytest.approx(alone.to("day").magnitude, rel=1e-12)


def test_api_texts_that_differ_by_scenario_build_one_template_each() -> None:
    """A text keyword that differs by scenario (a GPU per row) builds one template per
    distinct text, not one per row, and the numbers still run as one engine call; each row
    gives what it gives alone."""
    from unittest import mock

    from tcoctl import engine
    from tcoctl.engine import evaluation

    gpus = ["h100-sxm", "a100-sxm", "h100-sxm", "b200", "a100-sxm"]
    count = [1000, 2000, 3000, 4000, 5000]
    with (
        mock.patch.object(evaluation, "core_call", wraps=evaluation.core_call) as calls,
        mock.patch.object(engine, "gather", wraps=engine.gather) as templates,
        pytest.warns(tcoctl.TcoctlWarning) as together,
    ):
        result = tcoctl.tco(gpu=gpus, gpus=count)
    assert calls.call_count == 1 and templates.call_count == 3
    said = sorted(str(w.message) for w in together)  # once per GPU not the preset's, not per row
    assert [m.split(", not kept")[0] for m in said] == [
        "gpu='a100-sxm': power re-derived",
        "gpu='b200': power re-derived",
    ]
    costs = result["cost_per_gpu_hour"].magnitude
    low, high = (result.stat("cost_per_gpu_hour", k).magnitude for k in ("low", "high"))
    for row, (gpu, n) in enumerate(zip(gpus, count, strict=True)):
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            alone = tcoctl.tco(gpu=gpu, gpus=n)
        assert [str(w.message) for w in warned] == [m for m in said if m.startswith(f"gpu={gpu!r}")]
        assert costs[row] == alone["cost_per_gpu_hour"].magnitude
        assert low[row] == pytest.approx(alone.stat("cost_per_gpu_hour", "low").magnitude)
        assert high[row] == pytest.approx(alone.stat("cost_per_gpu_hour", "high").magnitude)
        assert result.to_dict()[row]["inputs"]["gpu"]["value"] == gpu


def test_goal_seek_says_why_it_cannot() -> None:
    """The cost per GPU-hour does not change with the GPU count (every item scales with it),
    and own_to_rent needs a rent price before anything can reach it."""
    flat = run("tco", "--solve", "gpus", "--for", "cost_per_gpu_hour=2")
    assert flat.code == 1 and "cost_per_gpu_hour does not change with gpus" in flat.stderr
    unreachable = run("tco", "--solve", "utilization", "--for", "own_to_rent=1")
    assert unreachable.code == 2
    assert "own_to_rent is not computed with these inputs; it needs --rent-price" in (
        unreachable.stderr
    )


def test_an_input_that_only_checks_another_is_not_called_unused() -> None:
    """Issue 19 item 13 (docs/solving.md's own example): --count and --duration check the
    given --gpu-hours (gpu_hours = count x duration); they are used, not 'used by no
    result'."""
    args = ("--count", "10", "--duration", "1 day", "--gpu-hours", "240 h", "--price", "2 USD/h")
    outcome = run("flops", *args, "--format", "json")
    assert outcome.code == 0 and "used by no result" not in outcome.stderr
    assert "used by no result" in run("flops", *args, "--electricity", "0.1 USD/kWh").stderr


@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.0, -1.5, 2.0, math.inf, -math.inf, math.nan]),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    ),
    st.integers(1, 3),
    st.integers(1, 4),
    st.integers(1, 40),
)
def test_stacked_summaries_match_one_result_at_a_time(
    cells: list[tuple[float, bool]], rows: int, points: int, budget: int
) -> None:
    """summaries_of and finite_rows stack small results into one numpy call (runs of at
    most STACKED_CELLS elements, here as small as one result): each result's centre, least,
    greatest and finiteness are what it alone gives, NaN and infinities included, and a
    result constant over the points (a broadcast view) is its own range ends."""
    out: dict[str, Any] = {}
    for index, (value, constant) in enumerate(cells):
        grid = np.arange(rows * points, dtype=float).reshape(rows, points) + index
        grid[(index + 1) % rows, index % points] = value
        out[f"r{index}"] = np.broadcast_to(grid[:, :1], (rows, points)) if constant else grid
    with mock.patch.object(core_registry.relations, "STACKED_CELLS", budget):
        summaries = evaluation.summaries_of(out, ranged=True)
        finite = evaluation.finite_rows(summaries)
    for name, full in out.items():
        summary = summaries[name]
        np.testing.assert_array_equal(summary.value, full[:, 0])
        np.testing.assert_array_equal(summary.low, full.min(axis=1))
        np.testing.assert_array_equal(summary.high, full.max(axis=1))
        np.testing.assert_array_equal(finite[name], np.isfinite(full).all(axis=1))


@given(
    st.lists(
        st.lists(st.sampled_from([0.0, -1.5, 2.0, 1e300, math.inf, -math.inf, math.nan])),
        max_size=8,
    ),
    st.integers(1, 12),
)
def test_joined_extremes_match_each_array_alone(arrays: list[list[float]], budget: int) -> None:
    """relations.extremes joins small arrays for one reduction (runs of at most
    STACKED_CELLS elements): each array's least and greatest are its own, NaN where it holds
    one, and inf, -inf for an empty one (inside any range, as the bounds check has it)."""
    values = [np.array(items, dtype=float) for items in arrays]
    with mock.patch.object(core_registry.relations, "STACKED_CELLS", budget):
        found = core_registry.relations.extremes(values)
    for value, (least, greatest) in zip(values, found, strict=True):
        expected = (value.min(), value.max()) if value.size else (math.inf, -math.inf)
        np.testing.assert_array_equal([least, greatest], expected)
