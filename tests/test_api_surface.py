"""The Python API for notebooks: every calculator is a function of the package with a
keyword-only signature and a docstring entry for every option (both from the registry, so a
new calculator gets them by itself), errors that name keywords, a short repr, an HTML table,
pandas in and out, and odd inputs refused with a typed error naming the keyword."""

from __future__ import annotations

import inspect
import os
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tcoctl
from conftest import run, warning_kinds
from tcoctl import api
from tcoctl.api import as_keywords
from tcoctl.engine import evaluation
from tcoctl.errors import DomainError, UsageError
from tcoctl.output import faithful
from tcoctl.specs import CALCULATORS, Calculator
from tcoctl.units import registry

CALCS = list(CALCULATORS.values())


@pytest.mark.parametrize("calc", CALCS, ids=lambda c: c.name)
def test_every_calculator_is_a_function_of_the_package(calc: Calculator) -> None:
    assert calc.api_name in dir(tcoctl)
    assert callable(getattr(tcoctl, calc.api_name))


@pytest.mark.parametrize("calc", CALCS, ids=lambda c: c.name)
def test_the_signature_lists_every_option(calc: Calculator) -> None:
    parameters = inspect.signature(getattr(tcoctl, calc.api_name)).parameters
    for spec in calc.inputs:
        assert parameters[spec.key].kind is inspect.Parameter.KEYWORD_ONLY, spec.key
    assert {"samples", "solve", "goal", "upstream", "scenarios"} <= set(parameters)


@pytest.mark.parametrize("calc", CALCS, ids=lambda c: c.name)
def test_the_docstring_has_every_option_and_result(calc: Calculator) -> None:
    doc = getattr(tcoctl, calc.api_name).__doc__
    for spec in calc.inputs:
        assert re.search(rf"^{spec.key} : ", doc, re.MULTILINE), spec.key
    for result in calc.results:
        assert re.search(rf"^    {result.name} \[", doc, re.MULTILINE), result.name


CITED = {
    "flops": "Kaplan et al.",  # C = 6 N D
    "h100e": "epoch.ai/data/machine-learning-hardware",
    "tco": "Capital recovery factor",
    "inference": "Transformer Inference Arithmetic",
    "yield": "Hennessy and D. A. Patterson",
    "supply": "epoch.ai/data/machine-learning-hardware",
    "memory": "Korthikanti et al.",
}
"""One source each calculator's docstring must cite (its core module's References)."""


@pytest.mark.parametrize("calc", CALCS, ids=lambda c: c.name)
def test_the_docstring_cites_the_sources_of_its_formulas(calc: Calculator) -> None:
    doc = getattr(tcoctl, calc.api_name).__doc__
    _, found, rest = doc.partition("\nReferences\n----------\n")
    assert found, "no References section"
    references = rest.split("\n\n")[0]
    assert references.startswith("- "), references[:80]
    assert CITED.get(calc.name, "") in references
    assert "Examples" not in doc or doc.index("References") < doc.index("Examples")


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"gpus": -1}, "gpus=: -1 is out of range"),
        ({"electricity": -1.0}, "electricity=: -1 is out of range"),  # not -0.9999999999999999
        ({"gpus": 10**400}, "gpus=: a number too large for a float"),
        ({"gpus": np.ones((2, 2))}, "gpus=: expected one value or a list of them, got a 2-D"),
        ({"gpus": 1 + 2j}, "gpus=: expected a number"),
        ({"gpus": np.array([1j, 2j])}, "gpus=: expected real numbers, got complex"),
        ({"electricity": "5 kg"}, "electricity=: '5 kg' is a mass"),
    ],
)
def test_errors_name_the_keyword(keywords: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)) as raised:
        tcoctl.tco(**keywords)
    assert "--" not in str(raised.value)


@pytest.mark.parametrize(
    "keywords",
    [
        {"gpus": -1},
        {"gpus": "abc"},
        {"gpus": 10**400},
        {"electricity": "5 kg"},
        {"gpu": "nope"},
        {"preset": "nope"},
        {"samples": -1},
        {"dist": "normal"},
        {"seed": "x"},
        {"currency": "XYZ"},
        {"colour": "red"},
    ],
)
def test_a_bad_keyword_is_a_value_error_as_numpy_and_pandas_users_expect(
    keywords: dict[str, Any],
) -> None:
    """`except ValueError` catches a bad keyword's UsageError (it did not: TcoctlError
    derived from Exception alone); a usage error is still a TcoctlError with its exit code."""
    with pytest.raises(ValueError) as raised:
        tcoctl.tco(**keywords)
    assert isinstance(raised.value, UsageError) and raised.value.code == 2


def test_a_million_scenarios_just_work() -> None:
    """A 1e6-element array runs in one call, within memory (eight bytes a value)."""
    params = np.linspace(1e9, 1e12, 1_000_000)
    total = tcoctl.flops(params=params, tokens=2e12)["total_flop"].magnitude
    assert total.shape == (1_000_000,)
    assert total[-1] == pytest.approx(6 * 1e12 * 2e12)


ARRAY_CALLS: list[Callable[[], tcoctl.Result]] = [
    lambda: tcoctl.tco(gpus=np.arange(1000, 11000, 1000)),
    lambda: tcoctl.yield_(die_area=np.linspace(50, 800, 10), defect_density=0.1),
    lambda: tcoctl.tco(
        gpus=np.arange(1000, 11000, 1000), solve="utilization", goal="cost_per_gpu_hour=2.5 USD/h"
    ),
]


@pytest.mark.parametrize("call", ARRAY_CALLS, ids=["tco", "yield", "goal-seek"])
def test_an_array_split_into_several_core_calls_answers_as_one(
    call: Callable[[], tcoctl.Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large array is evaluated in pieces of ROWS_PER_CALL rows (a million tco scenarios,
    each with the preset's range grid, took 10 GB at once): in pieces of 3 rows, every
    scenario's answer, range and warnings are those of one call."""
    with warnings.catch_warnings(record=True) as whole_said:
        warnings.simplefilter("always")
        whole = call().to_dict()
    monkeypatch.setattr(evaluation, "ROWS_PER_CALL", 3)
    with warnings.catch_warnings(record=True) as split_said:
        warnings.simplefilter("always")
        split = call().to_dict()
    assert split == whole
    assert [str(w.message) for w in split_said] == [str(w.message) for w in whole_said]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (tcoctl.Range("x", "y"), "gpu_price=: cannot read 'x..y' as a quantity"),
        ([tcoctl.Range(20, 30, unit="kg"), 25000], "gpu_price[0]: '20 kg..30 kg' is a mass"),
        (tcoctl.Range(30000, 20000), "gpu_price=: range '30000 USD..20000 USD' runs backwards"),
    ],
)
def test_a_bad_range_is_a_usage_error_naming_the_keyword(value: Any, message: str) -> None:
    """Probe 2: a Range of texts or of a wrong unit raised numpy's or pint's bare ValueError
    ('could not convert string to float'), and a reversed one ran."""
    with pytest.raises(UsageError, match=re.escape(message)):
        tcoctl.tco(gpu_price=value)
    texts = tcoctl.tco(gpu_price=tcoctl.Range("20 kUSD", "30 kUSD")).to_dict()["inputs"]
    assert (texts["gpu-price"]["low"], texts["gpu-price"]["high"]) == (20000, 30000)


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ("gpuz", "scenarios=: column 'gpuz' is no option of tco (did you mean 'gpu' or"),
        ("preset", "scenarios=: a column 'preset' is not taken (one preset per call)"),
    ],
)
def test_a_scenarios_column_that_is_no_option_is_named_as_a_column(
    column: str, message: str
) -> None:
    """Probe 2: a frame's unknown column read 'no keyword gpuz=', and a 'preset' column 'no
    keyword preset=', though preset= is one."""
    with pytest.raises(UsageError, match=re.escape(message)):
        tcoctl.tco(scenarios=pd.DataFrame({column: ["1", "2"]}))


def test_repr_is_short_and_html_is_a_table() -> None:
    one = tcoctl.tco()
    assert len(repr(one)) < 200 and "cost_per_gpu_hour=1.805 USD/h" in repr(one)
    many = tcoctl.tco(gpus=list(range(1000, 101000, 1000)))
    assert len(repr(many)) < 200 and "100 scenarios" in repr(many)
    assert "<table" in one._repr_html_() and "cost_per_gpu_hour" in one._repr_html_()
    assert "<table" in many._repr_html_()


@pytest.mark.parametrize(
    ("function", "keyword", "value", "frame"),
    [
        (tcoctl.tco, "gpus", 5, {"gpus": [1000, 2000], "electricity": [0.05, 0.3]}),
        (tcoctl.yield_, "die_area", 100, {"die_area": [50, 200], "defect_density": [0.1, 0.2]}),
    ],
)
def test_a_keyword_that_is_also_a_scenarios_column_is_refused(
    function: Callable[..., Any], keyword: str, value: int, frame: dict[str, list[float]]
) -> None:
    """The probe (D5): tco(scenarios=frame, gpus=5) ran both rows with gpus=5, silently
    dropping the frame's gpus column."""
    name = function.__name__
    message = (
        f"{keyword}={value} is given, and scenarios= has a column '{keyword}': give one of "
        f"them, e.g. tcoctl.{name}(scenarios=frame) for each row's own {keyword}, or "
        f"tcoctl.{name}(scenarios=frame.drop(columns='{keyword}'), {keyword}={value}) for one "
        f"{keyword} in every row"
    )
    with pytest.raises(UsageError) as raised:
        function(scenarios=pd.DataFrame(frame), **{keyword: value})
    assert str(raised.value) == message


def test_pandas_in_and_out() -> None:
    """A DataFrame of scenarios gives what the same columns as keywords give, and
    to_pandas() holds each result in its display unit (coded results by name)."""
    frame = pd.DataFrame({"gpus": [1000, 5000, 20000], "electricity": [0.05, 0.08, 0.12]})
    through_frame = tcoctl.tco(scenarios=frame).to_pandas()
    through_keywords = tcoctl.tco(gpus=frame["gpus"], electricity=frame["electricity"])
    assert list(through_frame["gpus"]) == [1000, 5000, 20000]
    np.testing.assert_array_equal(
        through_frame["cost_per_gpu_hour"], through_keywords["cost_per_gpu_hour"].magnitude
    )
    assert through_frame.attrs["units"]["cost_per_gpu_hour"] == "USD/h"
    supply = tcoctl.supply(preset="smic-7nm", wafers_per_month=[1000, 50000]).to_pandas()
    assert list(supply["binding"]) == ["dies", "hbm"]
    # the frame's index comes back (the probe: it was dropped for 0, 1, 2)
    named = frame.set_axis(["small", "mid", "large"])
    assert list(tcoctl.tco(scenarios=named).to_pandas().index) == ["small", "mid", "large"]


@pytest.mark.parametrize("calc", CALCS, ids=lambda c: c.name)
def test_one_scenario_to_pandas_is_one_row(calc: Calculator) -> None:
    """Every calculator's default run gives a frame of a row per scenario (one for a single
    scenario), a coded result by name (the probe found supply(), flops() and others raising
    AttributeError on a single scenario's name)."""
    result = getattr(tcoctl, calc.api_name)()
    frame = result.to_pandas()
    assert len(frame) == result.evaluation.rows and list(frame.columns) == list(result)
    for coded in [r.name for r in calc.results if r.labels and r.name in frame]:
        names = result[coded] if isinstance(result[coded], list) else [result[coded]]
        assert list(frame[coded]) == names and all(isinstance(n, str) for n in names)


def test_a_percentile_needs_samples() -> None:
    with pytest.raises(UsageError, match="samples="):
        tcoctl.tco().stat("cost_per_gpu_hour", "p05")


def test_a_scenarios_reason_names_keywords_where_the_command_line_names_options() -> None:
    """The core's check names quantities; the command line words them as --cores-needed and
    --cores, the API as the keywords (issue: both said cores_needed, an internal name)."""
    with pytest.raises(DomainError, match=r"yield: cores_needed is more than cores$"):
        tcoctl.yield_(cores=150, cores_needed=160, core_yield=0.98)
    assert "--" not in as_keywords(CALCULATORS["yield"], "--cores-needed is more than --cores")


def test_goal_seek_errors_name_the_solve_and_goal_keywords_not_the_flags() -> None:
    """Issue 16 (the API words errors with keywords): a goal-seek's reasons and examples
    said --for '...' and --solve through the API too."""
    with pytest.raises(DomainError, match=r"e\.g\. goal='gpus_per_replica=2'$"):
        tcoctl.inference(solve="batch", goal="gpus_per_replica=3")
    with pytest.raises(UsageError, match=r"^goal goes with solve, e\.g\. solve='batch', goal='"):
        tcoctl.inference(goal="tokens_per_second_per_gpu=1")
    with pytest.raises(UsageError, match=r"^solve needs goal='RESULT=VALUE', e\.g\. solve="):
        tcoctl.inference(solve="batch")
    with pytest.raises(UsageError, match=r"solve='batch' would set it"):
        tcoctl.inference(solve="batch", batch=1, goal="tokens_per_second_per_gpu=100")
    assert as_keywords(CALCULATORS["yield"], "with --cores 100..200 and --cores-needed 132") == (
        "with cores='100..200' and cores_needed=132"
    )
    # a near name quoted alone is a keyword too (it said did you mean 'gpu-price')
    with pytest.raises(UsageError, match=r"did you mean 'gpu_price' or 'gpus' or 'gpus_per_node'"):
        tcoctl.tco(solve="gpuz", goal="power_share=0.1")
    assert as_keywords(CALCULATORS["tco"], "'gpu-price 5' and 'gpu-price'") == (
        "'gpu-price 5' and 'gpu_price'"
    )


@pytest.mark.parametrize(
    ("keywords", "example"),
    [
        ({"heads": "abc"}, "e.g. heads='128'"),
        ({"heads": -1}, "e.g. heads='128'"),
        ({"batch": "abc"}, "e.g. batch='32'"),
        ({"batch": "64..1"}, "e.g. batch='1..64'"),
        ({"kv_cache_per_token": "abc"}, "e.g. kv_cache_per_token='320 KiB'"),
        ({"precision": "abc"}, "e.g. precision='bf16'"),
    ],
)
def test_a_keywords_error_ends_in_an_example_of_that_keyword(
    keywords: dict[str, Any], example: str
) -> None:
    """The hostile probe: tcoctl.inference(heads='abc') ended "e.g. '128'" (the command
    line's words), heads=-1 "e.g. heads='128'"; every keyword's error now ends in the
    keyword as Python takes it, and that example runs."""
    with pytest.raises(UsageError) as raised:
        tcoctl.inference(**keywords)
    assert str(raised.value).endswith(f" {example}"), raised.value
    key, _, value = example.removeprefix("e.g. ").partition("=")
    assert "tokens_per_second_per_gpu" in tcoctl.inference(**{key: value.strip("'")})


def test_keywords_are_worded_exactly_never_from_an_english_word() -> None:
    """Issue 16: the translator read the word after an option as its value, so 'give
    another --precision or a --peak' came out as precision='or' (and --gpu whose as
    gpu='whose'); a word is a value only where it is one of the option's values."""
    with pytest.raises(
        UsageError,
        match=r"give another precision or a peak instead \(v100 has bf16 \(FP16\)\); "
        r"e\.g\. precision='bf16'$",
    ):
        tcoctl.flops(gpu="v100", precision="fp8", params=1e9, tokens=1e9)
    flops, yield_ = CALCULATORS["flops"], CALCULATORS["yield"]
    assert as_keywords(flops, "--gpu whose --gpu h100-sxm --precision fp8 --tornado x") == (
        "gpu whose gpu='h100-sxm', precision='fp8' --tornado x"
    )
    assert as_keywords(yield_, "--model beside --model poisson --die-size 15x15.") == (
        "model beside model='poisson', die_size='15x15'."
    )


def test_an_option_after_an_option_is_worded_too() -> None:
    """The second probe: tcoctl.flops(electricity=0.1) said 'duration needs count
    --gpu-hours or cluster_flops --budget ...': the option after an option was read as its
    value, refused as one, and left a flag. Every option of such a list is a keyword."""
    with pytest.raises(UsageError) as raised:
        tcoctl.flops(electricity=0.1)
    assert "duration needs count gpu_hours or cluster_flops budget or tokens " in str(raised.value)
    assert "--" not in str(raised.value)


@pytest.mark.parametrize(
    ("function", "keywords", "error", "said"),
    [
        (
            tcoctl.inference,
            {"solve": "layer_overhead", "goal": "cost_per_million_tokens=0.0001"},
            DomainError,
            r"no value of layer_overhead \(at least 0 s",
        ),
        (tcoctl.tco, {"preset": "nope"}, UsageError, r"^preset=: no scenario preset 'nope'; "),
        (tcoctl.tco, {"gpu": "nope"}, UsageError, r"^gpu=: no gpu preset 'nope'; known: "),
        (
            tcoctl.tco,
            {"gpu_prize": 1},
            UsageError,
            r"^tco: no keyword gpu_prize= \(did you mean 'gpu_price'\?\); one of gpus, ",
        ),
        (  # the new-user trial: a shared keyword misspelt had no suggestion
            tcoctl.tco,
            {"solv": "electricity", "goal": "power_share=0.1"},
            UsageError,
            r"^tco: no keyword solv= \(did you mean 'solve'\?\); one of gpus, ",
        ),
    ],
)
def test_api_errors_name_keywords_and_offer_the_nearest(
    function: Callable[..., Any], keywords: dict[str, Any], error: type[Exception], said: str
) -> None:
    """Issue 16: 'no value of layer-overhead' and '--preset: no scenario preset' reached
    API users in the command line's words (they read layer_overhead and preset=), and
    tcoctl.tco(gpu_prize=1) listed every keyword without saying which was meant, as the
    command line does for a mistyped name."""
    with pytest.raises(error, match=said):
        function(**keywords)


@pytest.mark.parametrize(
    ("command", "keywords", "name", "unit"),
    [
        ("inference", {}, "overlap", ""),  # serving-fit's
        ("inference", {}, "gpus_per_replica", ""),  # the preset's
        ("inference", {}, "layer_overhead", "us"),  # serving-fit's, in its display unit
        ("inference", {"layer_overhead": "20..40 us"}, "layer_overhead", "us"),
        ("supply", {"gpu": "h100-sxm", "dies": 1e6}, "dies", ""),
    ],
)
def test_a_result_an_input_gives_is_that_input_as_value_prints_it(
    command: str, keywords: dict[str, Any], name: str, unit: str
) -> None:
    """A result that is an input of the run: --value prints the input's value, the API
    raised NoResult ('overlap: not computed: the input overlap gives it here'). It is the
    input, in the result's display unit, found by ``in`` but not listed among the results."""
    flags = [f"--{key.replace('_', '-')}={value}" for key, value in keywords.items()]
    printed = run(command, *flags, "--value", name)
    assert printed.code == 0, printed.stderr
    result = getattr(tcoctl, command)(**keywords)
    value = result[name]
    assert value.units == registry().Unit(unit)
    assert faithful(value.magnitude) == float(printed.stdout)
    assert name in result and name not in list(result) and len(result) == len(list(result))


def test_an_input_echoed_over_scenarios_is_an_array_of_each_scenario_s_input() -> None:
    """Arrays: each scenario's own input (a column), its range ends where it has one, the
    preset's where each GPU's template takes it, a default where the relations use one."""
    result = tcoctl.inference(overlap=np.array([0.2, 0.7, 1.0]))
    assert result["overlap"].magnitude.tolist() == [0.2, 0.7, 1.0]
    assert result["overlap"].units == registry().dimensionless
    ranged = tcoctl.inference(layer_overhead=["20..40 us", "50 us"])
    low, high = (ranged.stat("layer_overhead", end) for end in ("low", "high"))
    assert low.units == high.units == registry().Unit("us")
    assert [faithful(x) for x in [*low.magnitude, *high.magnitude]] == [20, 50, 40, 50]
    with pytest.warns(tcoctl.TcoctlWarning, match="gpu='h20': gpus_per_replica re-derived"):
        gpus = tcoctl.inference(gpu=["h100-sxm", "h20"])
    assert gpus["overlap"].magnitude.tolist() == [0.5, 0.5]
    assert gpus["gpus_per_replica"].magnitude.tolist() == [4, 2]  # the preset's; computed
    assert tcoctl.supply(gpu="h100-sxm", dies=[1e6, 3e6])["dies"].magnitude.tolist() == [1e6, 3e6]
    with pytest.warns(tcoctl.TcoctlWarning, match="overlap re-derived, not kept from preset"):
        defaulted = tcoctl.inference(bandwidth_efficiency=[0.8, 0.9])  # the default, 1
    assert defaulted["overlap"].magnitude.tolist() == [1.0, 1.0]
    assert run("inference", "--bandwidth-efficiency", "0.8", "--value", "overlap").stdout == "1\n"
    # sampled (samples=100 draws it), but an input's percentiles are not computed: a probe
    # found the words 'not sampled' false here
    only = r"^stat: overlap is an input here: its percentiles are not computed, a result's are; "
    with pytest.raises(UsageError, match=only + r"e\.g\. stat\('overlap', 'low'\)$"):
        tcoctl.inference(overlap="20..70 %", samples=100).stat("overlap", "p05")


def test_a_mistyped_result_or_calculator_gets_the_command_line_s_suggestion() -> None:
    """The new-user trial: result['cost_per_gpu_hr'] raised a KeyError with no 'did you
    mean' (the CLI's --value has one), tcoctl.run('tcoo') none either, and .missing named
    the command line's options ('rent-price') where the API's keyword is rent_price."""
    result = tcoctl.tco()
    with pytest.raises(KeyError) as raised:
        result["cost_per_gpu_hr"]
    assert str(raised.value).startswith(
        "cost_per_gpu_hr: no such result (did you mean 'cost_per_gpu_hour'"
    )
    assert "cost_per_gpu_hr" not in result and result.get("cost_per_gpu_hr") is None
    assert "cost_per_gpu_hour" in result
    assert result.missing["own_to_rent"] == [["rent_price"]]
    with pytest.raises(KeyError, match=r"^own_to_rent: not computed \(needs rent_price\)"):
        result["own_to_rent"]
    assert "own_to_rent" in tcoctl.tco(rent_price="2 USD/h")
    with pytest.raises(UsageError) as refused:
        tcoctl.run("tcoo")
    said = str(refused.value)
    assert said.startswith("no calculator 'tcoo' (did you mean 'tco'?); one of flops, ")
    assert said.endswith("e.g. tcoctl.run('tco')")
    assert tcoctl.run("tco")["cost_per_gpu_hour"].magnitude > 0


def test_a_gpu_per_row_warns_about_the_preset_figures_it_keeps_as_one_run_does() -> None:
    """Issue 17 section 4 (preset values never silently shape an answer): tcoctl.tco(gpu="b200")
    warns that the preset's network cost, tied to its H100, is kept; the same GPU in an
    array of GPUs kept it without a word. Each GPU's warning is given once, however many rows
    or templates share it."""
    with pytest.warns(tcoctl.TcoctlWarning) as alone:
        tcoctl.tco(gpu="b200")
    with pytest.warns(tcoctl.TcoctlWarning) as rows:
        result = tcoctl.tco(gpu=["h100-sxm", "b200", "b200"], electricity=[0.1, 0.1, 0.2])
    said = [str(w.message) for w in rows if "still from preset" in str(w.message)]
    assert said == [str(w.message) for w in alone if "still from preset" in str(w.message)]
    assert said[0].startswith("gpu='b200': ") and "network_cost still from preset" in said[0]
    assert result.to_dict()[1]["inputs"]["network-cost"]["from"].endswith("(anchor replaced)")


def test_warnings_name_the_callers_line_not_the_package() -> None:
    """A warning points at the notebook or script line that made the call (it named
    tcoctl/api.py, the depth it was raised at differing between single runs and arrays)."""
    with pytest.warns(tcoctl.TcoctlWarning) as single:
        tcoctl.tco(gpu="b200")
    with pytest.warns(tcoctl.TcoctlWarning) as rows:
        tcoctl.tco(gpu=["b200", "h100-sxm"])
    assert {(w.filename, w.lineno > 0) for w in [*single, *rows]} == {(__file__, True)}


def test_a_seed_without_samples_warns_at_the_callers_line() -> None:
    """seed= without samples= changed nothing, silently; it warns as the command line does,
    naming the keywords, at the line that made the call."""
    with pytest.warns(tcoctl.TcoctlWarning, match="seed=3 does nothing without samples") as said:
        tcoctl.tco(seed=3)
    assert [(w.filename, str(w.message)) for w in said] == [
        (__file__, "seed=3 does nothing without samples; e.g. samples=10000, seed=3")
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error", tcoctl.TcoctlWarning)
        tcoctl.tco(samples=100, seed=3)


def test_a_list_may_mix_ranges_and_plain_numbers() -> None:
    """The probe (D6): gpus=[Range(1000, 2000), 3000] was refused 'gpus[1]: expected a
    number, a string with a unit, a Range or a Quantity, got int 3000'. A plain number
    is a range of one value: each element gives what its own call gives."""
    mixed = tcoctl.tco(gpus=[tcoctl.Range(1000, 2000), 3000])
    alone = [tcoctl.tco(gpus=tcoctl.Range(1000, 2000)), tcoctl.tco(gpus=3000)]
    for name in ("total_annual_cost", "cost_per_gpu_hour"):
        wanted = [one[name].magnitude for one in alone]
        np.testing.assert_array_equal(mixed[name].magnitude, wanted)
        for key in ("low", "high"):  # NaN without a range, as in the single call
            wanted = [one.stat(name, key).magnitude for one in alone]
            np.testing.assert_array_equal(mixed.stat(name, key).magnitude, wanted)


def test_numpy_integers_are_whole_numbers_for_samples_and_seed() -> None:
    """samples=np.int64(100), seed=np.uint64(5) were refused as not whole numbers (other
    keywords took numpy integers); they give what Python integers give."""
    electricity = tcoctl.Range(0.05, 0.15, "USD/kWh")
    numpy_ints = tcoctl.tco(electricity=electricity, samples=np.int64(100), seed=np.uint64(5))
    python_ints = tcoctl.tco(electricity=electricity, samples=100, seed=5)
    assert numpy_ints.stat("power_share", "p95") == python_ints.stat("power_share", "p95")
    with pytest.raises(
        UsageError, match=r"samples=: expected a whole number .* got 2\.5, e\.g\. samples=10000"
    ):
        tcoctl.tco(samples=2.5)


@pytest.mark.parametrize(
    ("keyword", "items", "solve", "goal"),
    [
        ("output_tokens", [128, 128], "batch", "time_per_output_token=60ms"),
        # 45 ms: reachable at both GPUs' centres (with no overhead gaudi3's step is 38.0 ms
        # and h100-sxm's 27.9 ms since the overlap; 46.6 ms and less before), out of reach
        # at some range points of each (their slow ends: 65.0 and 47.7 ms)
        ("gpu", ["gaudi3", "h100-sxm"], "layer_overhead", "time_per_output_token=45ms"),
    ],
)
def test_each_element_of_a_goal_seek_array_is_its_own_single_call(
    keyword: str, items: list[Any], solve: str, goal: str
) -> None:
    """The hostile probe: an array with a goal-seek out of reach at some range points got the
    corners only (17 points, not 626), so its low..high were narrower than each element's
    own call (batch low 185.2 = its value, not 67.98; h100-sxm's layer_overhead low 224.8 µs,
    not 52.34 µs). Each element now equals its single call: value, low, high, warnings."""
    with pytest.warns(tcoctl.TcoctlWarning) as together:
        rows = tcoctl.inference(**{keyword: items}, solve=solve, goal=goal).to_dict()
    for item, row in zip(items, rows, strict=True):
        with pytest.warns(tcoctl.TcoctlWarning) as alone:
            single = tcoctl.inference(**{keyword: item}, solve=solve, goal=goal).to_dict()
        assert row == single
        assert warning_kinds(alone) <= warning_kinds(together)


def test_an_array_warns_once_per_kind_of_message_naming_its_scenarios() -> None:
    """The new-user trial: a goal-seek over 2,000 prices per GPU-hour gave 584 warnings, one
    per scenario (each out-of-reach message has its own figures; about 2,800 for 10,000
    prices). An array call now warns once per kind of message, naming how many scenarios it
    concerns and the first few, with the first one's figures, as its single call words them
    (here 13 single-call warnings -> 2: one per kind, whatever the figures and the point of
    the ranges each names as its example; the goal is 12 USD/Mtoken, within reach at every
    price's centre since the relative-error fit, where 10 is not at 5.40 USD/h; 21 warnings
    before the overlap)."""
    prices = np.random.default_rng(1).uniform(3.5, 5.5, 12)
    seek = {"solve": "batch", "goal": "cost_per_million_tokens=12 USD/Mtoken"}
    with pytest.warns(tcoctl.TcoctlWarning) as together:
        tcoctl.inference(cost_per_gpu_hour=prices, **seek)
    single = []
    for price in prices:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            tcoctl.inference(cost_per_gpu_hour=float(price), **seek)
        single.append([str(w.message).removeprefix("llama-3.1-70b: ") for w in caught])
    named = re.compile(r"llama-3\.1-70b: (?:(\d+) of 12 scenarios \((\d+)[,) ].*?\)"
                       r"|scenario (\d+) of 12)(?:, figures and example from the first)?"
                       r": (.*)")  # fmt: skip
    counted = 0
    for warning in together:
        match = named.fullmatch(str(warning.message))
        assert match is not None, warning.message
        count, first, alone, message = match.groups()
        counted += int(count or 1)
        assert message in single[int(first or alone)]
    assert counted == sum(map(len, single)) == 13 and len(together) == 2
    with pytest.warns(tcoctl.TcoctlWarning) as one:
        tcoctl.inference(cost_per_gpu_hour=prices[[2, 4]], **seek)
    counted_in_two = re.compile(r"llama-3\.1-70b: (scenario [01] of 2|2 of 2 scenarios)\b")
    assert one and all(counted_in_two.match(str(w.message)) for w in one)


SEEK = {"solve": "electricity", "goal": "cost_per_gpu_hour=1.5"}
"""Out of reach at a GPU price of 30,000 USD (electricity would be negative), not 20,000."""


@pytest.mark.parametrize(
    ("keywords", "error", "message"),
    [
        ({"gpus": np.array([8, -1, 16])}, UsageError, "gpus[1] = -1: out of range: expected "),
        ({"gpus": [8, 1.5, 16]}, UsageError, "gpus[1] = 1.5: not a whole number; e.g. "),
        ({"electricity": ["0.1 USD/kWh", "abc"]}, UsageError, "electricity[1]: cannot read 'abc'"),
        ({"gpus": np.array(["8", "x"])}, UsageError, "gpus[1]: cannot read 'x' as a number"),
        (
            {"gpu_price": np.array([20000, 30000]), **SEEK},
            DomainError,
            "frontier-2024: gpu_price[1] = 30000: tco: ",
        ),
        (
            {"gpu_price": [20000, 30000], "gpus": [1000, 2000], **SEEK},
            DomainError,
            "frontier-2024: gpu_price[1] = 30000, gpus[1] = 2000: tco: ",
        ),
    ],
)
def test_an_array_names_the_element_that_fails(
    keywords: dict[str, Any], error: type[Exception], message: str
) -> None:
    """The hostile probe: tcoctl.tco(gpus=np.array([8, -1, 16])) said 'gpus=: -1 is out of
    range', and a goal out of reach at one element of an array named no element at all:
    the error names the keyword, the element's index and its value (a numpy string as 'x',
    not np.str_('x'))."""
    with pytest.raises(error, match=re.escape(message)):
        tcoctl.tco(**keywords)


def test_a_failed_call_is_its_error_alone() -> None:
    """The suite's warnings summary: a call that raised had first warned about results it
    never returned ('the weights and KV cache do not fit in memory: tokens/s and cost are
    what a replica would do if they did', '... low..high leave those points out'). The
    command line writes a failure's one line alone; so does the API. A call that answers
    still warns."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(DomainError, match="no value of batch gives gpus_per_replica = 3"):
            tcoctl.inference(solve="batch", goal="gpus_per_replica=3")
        with pytest.raises(UsageError, match="experts_per_token is more than experts"):
            tcoctl.inference(experts=8, experts_per_token=16)
        with pytest.raises(DomainError, match=r"gpu_price\[1\] = 60000: "):
            tcoctl.tco(gpu_price=[5000, 60000], solve="electricity", goal="cost_per_gpu_hour=2")
    assert [str(w.message) for w in caught] == []
    with pytest.warns(tcoctl.TcoctlWarning, match="experts changes nothing: the model is dense"):
        tcoctl.inference(experts=8, experts_per_token=2)


def test_an_option_named_mid_sentence_before_a_colon_is_not_the_subject() -> None:
    """The probe's leftover: 'experts_per_token is more than experts=: a token uses ...' (the
    colon after --experts read as the message's subject, 'experts=:'). Mid-sentence it is
    punctuation; at a message's start it still marks the subject ('gpu=: no gpu preset')."""
    with pytest.raises(UsageError) as more:
        tcoctl.inference(experts=8, experts_per_token=16)
    assert "is more than experts: a token uses at most every expert" in str(more.value)
    with pytest.raises(UsageError, match=r"^gpu=: no gpu preset 'nonsense'"):
        tcoctl.inference(gpu="nonsense")


def test_a_sibling_folder_of_the_package_is_the_callers() -> None:
    """The probe: a file under a folder whose name merely starts with the package's
    (site-packages/tcoctl_helpers/) was taken for tcoctl's own, so its warnings would name a
    line in the caller's caller."""
    folder = Path(tcoctl.__file__).parent
    assert api.in_package(str(folder / "engine" / "model.py"))
    assert not api.in_package(f"{folder}_helpers{os.sep}run.py")
