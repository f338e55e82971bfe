"""Calculators that feed each other: tcoctl's own JSON piped into --input, API results as
upstream, and presets that reference another preset's result."""

from __future__ import annotations

import json
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import tcoctl
from conftest import assert_same_results, results, run
from tcoctl import chain, presets
from tcoctl.errors import UsageError
from tcoctl.specs import CALCULATORS, Calculator, Input, Result

PIPE = ("--wafers-per-month", "30000..50000", "--gpu", "ascend-910b")


def piped(upstream: str, *args: str) -> tuple[list[dict[str, Any]], str]:
    outcome = run(*args, "--input", "-", input=upstream)
    assert outcome.code == 0, outcome.stderr
    return outcome.records(), outcome.stderr


def test_yield_pipes_into_supply_as_the_single_call_does() -> None:
    """smic-7nm has two dies: two documents, two scenarios, each the same as passing the
    good dies (50..65..80) by hand. A piped supply starts from the default supply preset, as
    a plain `tcoctl supply` does, so its packaging and HBM limits apply (issue 19 item 4:
    the pipe gave 10.09 M H100e with dies binding, `supply` alone 986.5 k with HBM)."""
    upstream = run("yield", "--preset", "smic-7nm", "--format", "json").stdout
    records, stderr = piped(upstream, "supply", *PIPE)
    good = ("--good-dies-per-wafer", "50..65..80")
    by_hand = results("supply", "--preset", "smic-7nm", *good, *PIPE)
    assert [r["line"] for r in records] == [1, 2]
    for record in records:
        assert record["preset"] == "smic-7nm"
        assert record["results"]["binding"]["label"] == "hbm"
        assert_same_results(record["results"], by_hand)
        assert list(record["inputs"]) == ["good-dies-per-wafer"]  # upstream inputs stay out
    assert stderr.count("warning") == 1  # one warning for both documents
    assert "good_dies_per_wafer -> --good-dies-per-wafer" in stderr
    assert "ignored (no input of that name): dies_per_wafer" in stderr


def test_a_yield_result_from_options_feeds_supply() -> None:
    """Issue 19 item 3: a yield run from options sends good dies per wafer with the die
    yield and die area it came from; in supply these are alternatives, and the run used to
    be refused. They agree (one engine computed them), so the good dies flow and stand for
    the other two, as the note says: the pipe equals passing the good dies by hand."""
    upstream = run("yield", "--die-size", "26x25.6", "--defect-density", "0.3/cm^2", "-f", "json")
    good = upstream.json()["results"]["good_dies_per_wafer"]["value"]
    args = ("supply", "--wafers-per-month", "30000", "--gpu", "ascend-910b")
    records, stderr = piped(upstream.stdout, *args)
    by_hand = results(*args, "--preset", "smic-7nm", "--good-dies-per-wafer", repr(good))
    assert_same_results(records[0]["results"], by_hand)
    assert "good_dies_per_wafer -> --good-dies-per-wafer;" in stderr
    assert "not used, the results above stand for them: die_yield, die_area" in stderr
    # the preset it starts from is named, so that the by-hand run can be typed (the probe
    # typed it without --preset: 1.296 M H100e with dies binding against the pipe's 986.5 k)
    start = "the rest from supply's default preset, as a plain run takes it (by hand: --preset"
    assert f"{start} smic-7nm;" in stderr
    _, named = piped(upstream.stdout, *args, "--preset", "smic-7nm")
    assert "good_dies_per_wafer -> --good-dies-per-wafer;" in named and start not in named


@pytest.mark.parametrize(
    ("edited", "value", "computed"),
    [("die_yield", 0.5, "41"), ("good_dies_per_wafer", 40.0, "11.1331")],
)
def test_a_hand_edited_yield_document_whose_figures_disagree_is_refused(
    edited: str, value: float, computed: str
) -> None:
    """Issue 19 item 3: good dies per wafer flow and stand for the die yield, which is safe
    only while the document's own figures agree (82 dies x 0.13577 = 11.133 good dies).
    Edited so they do not, the line is refused naming both, not run on one of them; the
    API refuses it the same way."""
    upstream = run("yield", "--die-size", "26x25.6", "--defect-density", "0.3/cm^2", "-f", "json")
    document = upstream.json()
    document["results"][edited]["value"] = value
    outcome = run("supply", "--wafers-per-month", "30000", "--gpu", "ascend-910b",
                  "--input", "-", input=json.dumps(document))  # fmt: skip
    assert outcome.code == 1 and outcome.stdout == ""
    assert "yield's results disagree: good_dies_per_wafer is" in outcome.stderr
    assert f"die_yield and dies_per_wafer give {computed} " in outcome.stderr
    with pytest.raises(tcoctl.errors.UsageError, match="upstream: yield's results disagree"):
        tcoctl.supply(upstream=document, wafers_per_month=30000, gpu="ascend-910b")


def test_a_yield_with_spare_cores_sends_its_good_dies_not_its_plain_die_yield() -> None:
    """Good dies per wafer and a die yield exclude each other in supply alike; the good dies
    flow (supply lists them first), since with spare cores they count dies the plain die
    yield would call bad (93 x 0.732 = 68.07, not 93 x 0.549)."""
    upstream = run("yield", "--die-area", "600", "--defect-density", "0.1", "--cores", "144",
                   "--cores-needed", "132", "--core-area", "2", "-f", "json")  # fmt: skip
    records, stderr = piped(upstream.stdout, "supply", *PIPE)
    good = upstream.json()["results"]["good_dies_per_wafer"]["value"]
    assert good == pytest.approx(93 * 0.731981528228313)
    assert records[0]["inputs"]["good-dies-per-wafer"]["value"] == good
    assert "stand for them: die_yield;" in stderr


def test_options_on_the_command_line_override_what_flows_in() -> None:
    upstream = run("yield", "--die-size", "10x10", "--defect-density", "0.1", "-f", "json").stdout
    flowed = results("yield", "--die-size", "10x10", "--defect-density", "0.1")
    records, _ = piped(upstream, "supply", *PIPE, "--good-dies-per-wafer", "40")
    assert records[0]["results"]["chips_from_dies"]["value"] == pytest.approx(40 * 40_000 * 12)
    # an alternative on the command line (a die size) drops the flowed good dies
    records, _ = piped(upstream, "supply", *PIPE, "--die-size", "20x20", "--die-yield", "0.5")
    assert records[0]["inputs"] == {}
    assert records[0]["results"]["good_dies_per_wafer"]["value"] != pytest.approx(
        flowed["good_dies_per_wafer"]["value"]
    )


def test_tco_pipes_gpus_power_cost_and_pue_into_flops() -> None:
    """docs/workflows.md's pipe 'from a TCO to a training run' lost the cost: tco's
    cost_per_gpu_hour was 'ignored', so flops' cost was null, and its PUE did not flow
    (facility power 127.5 MW, the IT power). Both now flow: cost 389.9 M USD (296.8 ..
    498.9 M), facility power 149.8 MW (127.5 MW x 1.175), as the run by hand gives. tco's
    power_per_gpu is its rating, drawn at its draw-fraction (0.76): that flows as --load
    with it, so the energy is 245.9 GWh (the second probe: 323.6 GWh at load 1, 32 % over);
    a --power given by hand is not the rating and takes no load from upstream."""
    upstream = run("tco", "--preset", "frontier-2024", "--format", "json").stdout
    cost = json.loads(upstream)["results"]["cost_per_gpu_hour"]
    args = ("flops", "--gpu", "h100-sxm", "--duration", "90 day", "--mfu", "0.4")
    records, stderr = piped(upstream, *args)
    price = f"{cost['low']!r}..{cost['value']!r}..{cost['high']!r} USD/h"
    by_hand = results(*args, "--count", "100000", "--power", "1275 W", "--price", price,
                      "--pue", "1.1..1.175..1.25", "--load", "0.603..0.76..0.824")  # fmt: skip
    assert_same_results(records[0]["results"], by_hand)
    assert records[0]["results"]["cost"]["value"] == pytest.approx(389.854627867727e6)
    assert records[0]["results"]["facility_power"]["value"] == pytest.approx(127.5 * 1.175)
    energy = 100_000 * 1275 * 0.76 * 1.175 * 90 * 24 / 1e9  # GWh: GPUs x W x load x PUE x h
    assert records[0]["results"]["energy"]["value"] == pytest.approx(energy)
    assert "cost_per_gpu_hour -> --price, gpus -> --count, power_per_gpu -> --power, " in stderr
    assert "pue -> --pue, draw-fraction -> --load;" in stderr
    assert "ignored (no input of that name): servers" in stderr
    by_hand_power, _ = piped(upstream, *args, "--power", "1.4 kW")
    assert "load" not in by_hand_power[0]["inputs"]
    assert "cost_per_gpu_hour," not in stderr.split("ignored")[1]


def test_only_the_carried_inputs_of_a_document_flow() -> None:
    """A document's pue input feeds a receiver's --pue (a result of that name wins); its
    other inputs, and a pue the receiver has no input for, neither flow nor count as
    ignored."""
    document: dict[str, Any] = {
        "schema_version": 1,
        "command": "tco",
        "inputs": {"pue": {"value": 1.2, "unit": ""}, "electricity": {"value": 0.1, "unit": ""}},
        "results": {"gpus": {"value": 10.0, "unit": ""}},
    }
    flops, dies = CALCULATORS["flops"], CALCULATORS["yield"]
    assert chain.received(flops, document) == (
        {"count": "10.0", "pue": "1.2"},
        [("gpus", "count"), ("pue", "pue")],
        [],
    )
    assert chain.received(dies, document) == ({}, [], ["gpus"])
    document["results"]["pue"] = {"value": 1.3, "unit": ""}
    assert chain.received(flops, document)[0] == {"count": "10.0", "pue": "1.3"}


def test_a_result_feeds_an_input_of_its_name_with_unit_and_range() -> None:
    """tco's cost_per_gpu_hour feeds a calculator with a --cost-per-gpu-hour input (the
    inference calculator's) with no further work: name, unit and range carried."""
    receiver = Calculator(
        "receiver",
        "",
        (Input("cost-per-gpu-hour", "", "2 USD/h", "USD/s", "USD/h"),),
        (Result("x", ""),),
        "",
        "a test receiver",
        "x=1",
    )
    document = {
        "schema_version": 1,
        "command": "tco",
        "results": {
            "cost_per_gpu_hour": {"value": 1.8, "unit": "USD/h", "low": 1.4, "high": 2.3},
            "gpus": {"value": 10.0, "unit": ""},
        },
    }
    options, used, ignored = chain.received(receiver, document)
    assert options == {"cost-per-gpu-hour": "1.4..1.8..2.3 USD/h"}
    assert used == [("cost_per_gpu_hour", "cost-per-gpu-hour")] and ignored == ["gpus"]


def test_a_chained_range_keeps_its_centre() -> None:
    """Issue 19 item 2: tco's cost per GPU-hour (1.8035 USD/h, range 1.393 .. 2.299) used to
    arrive as LOW..HIGH, centred at the midpoint 1.846. Its centre now travels with it: the
    pipe's value is the by-hand run's with the same single cost, and the whole result is the
    by-hand run's with the range and centre typed (LOW..CENTRE..HIGH)."""
    upstream = run("tco", "--preset", "frontier-2024", "--format", "json").stdout
    cost = json.loads(upstream)["results"]["cost_per_gpu_hour"]
    records, _ = piped(upstream, "inference")
    alone = results("inference", "--cost-per-gpu-hour", f"{cost['value']!r} USD/h")
    price = records[0]["results"]["cost_per_million_tokens"]
    assert price["value"] == pytest.approx(alone["cost_per_million_tokens"]["value"], rel=1e-13)
    typed = f"{cost['low']!r}..{cost['value']!r}..{cost['high']!r} USD/h"
    assert_same_results(records[0]["results"], results("inference", "--cost-per-gpu-hour", typed))
    dateless = {key: value for key, value in cost.items() if key != "as_of"}  # a result's own
    assert records[0]["inputs"]["cost-per-gpu-hour"] == dateless
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        api = tcoctl.inference(upstream=json.loads(upstream))
    assert api["cost_per_million_tokens"].magnitude == pytest.approx(price["value"], rel=1e-13)


def test_api_results_chain_like_the_pipe() -> None:
    dies = tcoctl.yield_(preset="smic-7nm")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chained = tcoctl.supply(upstream=dies, wafers_per_month="30000..50000", gpu="ascend-910b")
    assert sum("upstream: yield's results feed supply" in str(w.message) for w in caught) == 1
    by_hand = tcoctl.supply(
        preset="smic-7nm",
        good_dies_per_wafer="50..65..80",
        wafers_per_month="30000..50000",
        gpu="ascend-910b",
    )
    for document in chained.to_dict():
        assert_same_results(document["results"], by_hand.to_dict()["results"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        overridden = tcoctl.supply(
            upstream=dies, good_dies_per_wafer=40, wafers_per_month=1000, gpu="h20"
        )
        alone = tcoctl.supply(
            preset="smic-7nm", good_dies_per_wafer=40, wafers_per_month=1000, gpu="h20"
        )
    assert list(overridden["chips_per_year"].magnitude) == pytest.approx(
        [alone["chips_per_year"].magnitude] * 2, rel=1e-13
    )


def test_api_refuses_an_upstream_that_is_not_a_result() -> None:
    with pytest.raises(tcoctl.errors.UsageError, match="upstream: expected"):
        tcoctl.supply(upstream={"gpus": 1}, gpu="h20")


REFERENCE = """title = "{name}"
kind = "scenario"
[supply.good-dies-per-wafer]
from = "{source}"
result = "good_dies_per_wafer"
{variant}
[supply.wafers-per-month]
value = "1000"
source = "A paper"
url = "https://example.org"
[supply.gpu]
value = "h100-sxm"
source = "A paper"
url = "https://example.org"
"""


def write(folder: Path, name: str, source: str, variant: str = "") -> None:
    text = REFERENCE.format(name=name, source=source, variant=variant)
    (folder / f"{name}.toml").write_text(text, encoding="utf-8")


def test_a_preset_may_take_another_presets_result(tmp_path: Path) -> None:
    write(tmp_path, "line", "tsmc-n5")
    out = results("--presets-dir", str(tmp_path), "supply", "--preset", "line")
    good = results("yield", "--preset", "tsmc-n5")["good_dies_per_wafer"]
    assert out["good_dies_per_wafer" if "good_dies_per_wafer" in out else "chips_from_dies"]
    assert out["chips_from_dies"]["low"] == pytest.approx(1000 * 12 * good["low"])
    assert out["chips_from_dies"]["high"] == pytest.approx(1000 * 12 * good["high"])
    shown = run("--presets-dir", str(tmp_path), "presets", "show", "line", "-f", "json").json()
    assert "good_dies_per_wafer of preset tsmc-n5" in json.dumps(shown)


def test_a_reference_to_a_preset_with_several_scenarios_names_one(tmp_path: Path) -> None:
    write(tmp_path, "line", "smic-7nm")
    outcome = run("--presets-dir", str(tmp_path), "supply", "--preset", "line", "-f", "json")
    assert outcome.code == 1 and "add variant = one of 'Kirin 9000S, 107 mm2'" in outcome.stderr
    write(tmp_path, "line", "smic-7nm", 'variant = "Ascend 910B, 665.61 mm2"')
    out = results("--presets-dir", str(tmp_path), "supply", "--preset", "line")
    assert out["chips_from_dies"]["low"] == pytest.approx(1000 * 12 * 50)


def test_a_reference_cycle_is_named(tmp_path: Path) -> None:
    write(tmp_path, "first", "second")
    write(tmp_path, "second", "first")
    (tmp_path / "second.toml").write_text(
        (tmp_path / "second.toml").read_text().replace("good_dies_per_wafer", "chips_per_year"),
        encoding="utf-8",
    )
    outcome = run("--presets-dir", str(tmp_path), "supply", "--preset", "first", "-f", "json")
    assert outcome.code == 1
    assert "presets refer to each other in a cycle: first -> second -> first" in outcome.stderr
    assert "Traceback" not in outcome.stderr


OWN_GPUS = """title = "t"
kind = "scenario"
extends = "frontier-2024"
[tco.gpus]
value = "{gpus}"
source = "A paper"
url = "https://example.org"
"""
GPUS_FROM = """title = "t"
kind = "scenario"
extends = "frontier-2024"
[tco.gpus]
from = "link{previous}"
result = "gpus"
"""


def gpu_chain(folder: Path, depth: int, gpus: int = 1000) -> None:
    """Presets link0 (its own GPU count) and link1..linkDEPTH, each taking the GPU count
    of the one before as a reference to its result."""
    (folder / "link0.toml").write_text(OWN_GPUS.format(gpus=gpus), encoding="utf-8")
    for i in range(1, depth + 1):
        (folder / f"link{i}.toml").write_text(GPUS_FROM.format(previous=i - 1), encoding="utf-8")


def documents_or_errors(name: str) -> str:
    try:
        return json.dumps(tcoctl.tco(preset=name).to_dict(), sort_keys=True)
    except tcoctl.errors.TcoctlError as error:
        return repr(error)


def test_sixteen_threads_agree_with_serial_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19 item 21: the chain of references being followed was module state, so
    threads resolving references at once saw each other's and reported false cycles."""
    monkeypatch.setenv("TCOCTL_PRESETS", str(tmp_path))
    gpu_chain(tmp_path, 5)
    names = [f"link{i}" for i in range(6)] * 8
    with ThreadPoolExecutor(16) as pool:  # first, on cold caches: new preset files
        threaded = list(pool.map(documents_or_errors, names))
    serial = {name: documents_or_errors(name) for name in set(names)}
    assert "Error" not in serial["link5"]
    assert threaded == [serial[name] for name in names]


def test_the_api_reads_an_edited_preset_and_what_refers_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19 item 22: a preset edited between calls (a notebook) must be read again, and
    so must the presets that take its results."""
    monkeypatch.setenv("TCOCTL_PRESETS", str(tmp_path))
    gpu_chain(tmp_path, 1, gpus=1000)
    assert float(tcoctl.tco(preset="link1")["gpus"].magnitude) == 1000
    (tmp_path / "link0.toml").write_text(OWN_GPUS.format(gpus=2000), encoding="utf-8")
    assert float(tcoctl.tco(preset="link0")["gpus"].magnitude) == 2000
    assert float(tcoctl.tco(preset="link1")["gpus"].magnitude) == 2000


def test_the_api_reads_an_edited_gpu_preset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hardware preset edited between calls gives its new figures: they were kept per
    preset folder, so a notebook's second call still used the old bandwidth."""
    monkeypatch.setenv("TCOCTL_PRESETS", str(tmp_path))
    datasheet = (presets.builtin_dir() / "h100-sxm.toml").read_text(encoding="utf-8")
    mine = tmp_path / "my-gpu.toml"
    mine.write_text(datasheet, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = float(tcoctl.inference(gpu="my-gpu")["ridge_point"].magnitude)
        assert "3.35 TB/s" in datasheet
        mine.write_text(datasheet.replace("3.35 TB/s", "1 TB/s"), encoding="utf-8")
        after = float(tcoctl.inference(gpu="my-gpu")["ridge_point"].magnitude)
    assert after == pytest.approx(before * 3.35)


def test_a_400_deep_chain_of_references_is_a_clear_error(tmp_path: Path) -> None:
    """Issue 19 item 30: it raised RecursionError."""
    gpu_chain(tmp_path, 400)
    outcome = run("--presets-dir", str(tmp_path), "tco", "--preset", "link400", "-f", "json")
    assert outcome.code == 1 and outcome.stdout == ""
    assert "refer to others more than 16 deep (link400 -> link399 -> ... -> " in outcome.stderr
    assert len(outcome.stderr) < 400


@pytest.mark.parametrize("batch", [False, True])
def test_csv_output_piped_into_another_calculator_says_to_pipe_json(batch: bool) -> None:
    """The probe: tcoctl's own CSV piped into --input was refused as 'neither a JSON object
    nor a CSV header of option names (unknown 'scenario')'. It carries results, not options:
    one line says to pipe JSON instead (a run's CSV and a batch's alike)."""
    args = ("yield", "--defect-density", "0.3/cm^2", "--format", "csv")
    if batch:
        upstream = run(*args, "--input", "-", input='{"die-size": "26x25.6"}\n').stdout
    else:
        upstream = run(*args, "--die-size", "26x25.6").stdout
    outcome = run("supply", "--input", "-", "--gpu", "ascend-910b", input=upstream)
    assert outcome.code == 2 and outcome.stdout == ""
    assert outcome.stderr == (
        "tcoctl: error: --input: this is tcoctl's CSV output, which does not feed another "
        "calculator; pipe --format json (JSON Lines from a batch) instead, e.g. tcoctl yield "
        "--preset smic-7nm --format json | tcoctl supply --input -\n"
    )


def test_a_sweeps_document_is_refused_as_a_line_not_read_as_an_empty_one() -> None:
    """Probe 2: `yield --sweep ... -f json | supply --input -` fed 'nothing' (a sweep's
    results hold only what the run's own inputs give) and wrote the default preset's answer,
    exit 0: the three swept points were lost without a word."""
    upstream = run("yield", "--sweep", "die-area=100..800:3", "--defect-density", "0.1",
                   "-f", "json").stdout  # fmt: skip
    outcome = run("supply", "--input", "-", input=upstream)
    assert outcome.code == 1 and outcome.stdout == ""
    assert "a yield --sweep document is a table of points, not one scenario" in outcome.stderr
    with pytest.raises(UsageError, match="upstream: a yield --sweep document is a table"):
        tcoctl.supply(upstream=json.loads(upstream))
