"""``tcoctl validate``: the shipped dataset's summary thresholds (a less accurate change fails
the build), and how cases are read and scored."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, run
from tcoctl import output
from tcoctl.errors import DomainError
from tcoctl.pipeline import calibration, validation


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """``tcoctl validate --format json`` of the shipped dataset, run once by a worker that runs
    a test reading it (at import, every worker ran it while collecting)."""
    found: dict[str, Any] = run("validate", "--format", "json").json()
    return found


@pytest.fixture(scope="module")
def summary(document: dict[str, Any]) -> dict[str, Any]:
    """The document's summary."""
    found: dict[str, Any] = document["summary"]
    return found


@pytest.fixture(scope="module")
def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each case of the document by its id."""
    return {case["id"]: case for case in document["cases"]}


@pytest.fixture(scope="module")
def held_out(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary of the held-out measured serving cases."""
    found: dict[str, Any] = summary["measured"]["inference"]["held-out"]
    return found


def test_every_published_case_passes(
    summary: dict[str, Any], by_id: dict[str, dict[str, Any]]
) -> None:
    """Each published figure is reproduced within the precision its source prints."""
    failing = {
        case_id: case.get("message") or f"got {case['got']:.6g}, expected {case['expected']:.6g}"
        for case_id, case in by_id.items()
        if case["kind"] == "published" and "skipped" not in case and not case["pass"]
    }
    assert failing == {}
    assert summary["published"]["count"] >= 57


def test_every_case_runs_or_is_skipped_for_a_named_option(by_id: dict[str, dict[str, Any]]) -> None:
    assert [case_id for case_id, case in by_id.items() if "message" in case] == []
    for case in by_id.values():
        if "skipped" in case:
            assert case["skipped"].startswith("needs ")


def test_the_summary_counts_what_the_cases_say(
    summary: dict[str, Any], by_id: dict[str, dict[str, Any]]
) -> None:
    ran = [case for case in by_id.values() if "skipped" not in case]
    assert summary["ran"] == len(ran)
    assert summary["passing"] == sum(1 for case in ran if case["pass"])
    assert sum(group["count"] for group in summary["by_calculator"].values()) == len(ran)


def test_one_calculator_runs_alone(summary: dict[str, Any]) -> None:
    flops = run("validate", "--calculator", "flops", "--format", "json").json()
    assert {case["calculator"] for case in flops["cases"]} == {"flops"}
    ran = [case for case in flops["cases"] if "skipped" not in case]
    assert len(ran) == summary["by_calculator"]["flops"]["count"]


def test_the_table_names_each_case_and_the_totals() -> None:
    table = run("validate", "--calculator", "flops", "--format", "table").stdout
    assert "per calculator" in table and "passing" in table


def test_the_table_shows_no_empty_group() -> None:
    """A calculator with no measured case prints no measurements table, and a kind with no
    case (no bound case anywhere) no row: they printed headers over nothing."""
    table = run("validate", "--calculator", "memory", "--format", "table").stdout
    assert "per calculator" in table and "measurements" not in table
    rows = [line.split() for line in table.splitlines()]
    assert ["memory", "4", "4", "0.0", "%", "0.0", "%"] in rows
    assert not any(row[:1] == ["bound"] for row in rows)
    flops = run("validate", "--calculator", "flops", "--format", "table").stdout
    assert "measurements" in flops and "held-out" in flops


def test_piped_at_80_columns_every_case_id_is_whole(
    document: dict[str, Any], by_id: dict[str, dict[str, Any]]
) -> None:
    """Issue 19 item 4: piped, the table cut case ids to ``mlperf-…`` at 80 columns; an id
    is what one greps for. Longer ids than the figures leave room for get a line of their
    own; at 200 columns each case is one line."""
    narrow = output.case_lines(document["cases"], 80)
    heads = {line.split()[0]: line for line in narrow[2::2]}
    assert set(heads) == set(by_id)
    assert max(map(len, narrow[1::2])) <= 80  # the figures
    assert all(len(line) <= 80 for case_id, line in heads.items() if len(case_id) < 60)
    wide = output.case_lines(document["cases"], 200)
    assert len(wide) == len(by_id) + 1 and all(line.split()[0] in by_id for line in wide[1:])
    table = run("validate", "--calculator", "flops", "--format", "table").stdout
    assert (
        "…" not in table and "mlperf-inf-v4.1-llama2-70b-h200-x8-maxq-offline-system-power" in table
    )


def test_csv_has_a_row_per_case_as_its_json_has_it() -> None:
    """``--format csv`` (offered by --help, refused before): one row per case, the JSON's
    values written as machine output is (15 significant digits)."""
    rows = list(csv.DictReader(io.StringIO(run("validate", "--calculator", "flops",
                                                "--format", "csv").stdout)))  # fmt: skip
    cases = json.loads(run("validate", "--calculator", "flops", "--format", "json").stdout)
    assert [row["id"] for row in rows] == [case["id"] for case in cases["cases"]]
    for row, case in zip(rows, cases["cases"], strict=True):
        assert row["pass"] == str(case["pass"]) and row["split"] == (case["split"] or "")
        assert float(row["got"]) == pytest.approx(case["got"], rel=1e-14)


def test_a_repeated_calculator_takes_each() -> None:
    """--calculator given twice runs both calculators' cases (it kept the last silently)."""
    both = run("validate", "--calculator", "yield", "--calculator", "memory", "--format", "json")
    found = {case["calculator"] for case in json.loads(both.stdout)["cases"]}
    assert both.code == 0 and found == {"yield", "memory"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--calculator", "nope"], "--calculator: 'nope' is not one of"),
        (["--format", "xml"], "--format"),
    ],
)
def test_bad_options_say_what_was_expected(args: list[str], message: str) -> None:
    outcome = run("validate", *args)
    assert outcome.code == 2 and message in outcome.stderr


CASE = """
[[case]]
id = "{id}"
calculator = "{calculator}"
args = {args}
result = "{result}"
expected = {expected}
unit = "{unit}"
kind = "{kind}"
{extra}
[case.source]
title = "t"
url = "u"
where = "w"
quote = "q"
date = "2025-01-01"
"""


def write_cases(tmp_path: Path, *cases: dict[str, Any]) -> list[validation.Case]:
    """Write ``cases`` (flops' total FLOP of 7e9 params x 2e12 tokens unless they say
    otherwise) to a folder and read them back."""
    text = "".join(
        CASE.format(
            id=case.get("id", f"case-{i}"),
            calculator=case.get("calculator", "flops"),
            args=case.get("args", '["--params", "7e9", "--tokens", "2e12"]'),
            result=case.get("result", "total_flop"),
            expected=case.get("expected", 8.4e22),
            unit=case.get("unit", "FLOP"),
            kind=case.get("kind", "published"),
            extra=case.get("extra", "tolerance = 0.001"),
        )
        for i, case in enumerate(cases)
    )
    (tmp_path / "cases.toml").write_text(text, encoding="utf-8")
    return validation.load_cases(tmp_path)


def dataset(tmp_path: Path, *cases: dict[str, Any]) -> list[dict[str, Any]]:
    """Write ``cases`` to a folder and score them as `tcoctl validate` does."""
    return [validation.run_case(case) for case in write_cases(tmp_path, *cases)]


def test_a_published_case_passes_only_within_its_tolerance(tmp_path: Path) -> None:
    """6 x 7e9 x 2e12 = 8.4e22 FLOP: 8.5e22 is 1.2 % off, outside 0.1 %, inside 2 %."""
    exact, off, loose = dataset(
        tmp_path,
        {},
        {"expected": 8.5e22},
        {"expected": 8.5e22, "extra": "tolerance = 0.02"},
    )
    assert exact["pass"] and exact["error"] == pytest.approx(0.0)
    assert not off["pass"] and off["error"] == pytest.approx(8.4 / 8.5 - 1)
    assert loose["pass"]


def test_a_bound_must_be_on_the_optimistic_side(tmp_path: Path) -> None:
    """A roofline FLOP count (not a rate) bounds from below: 8.4e22 <= 9e22 passes."""
    below, above = dataset(
        tmp_path,
        {"kind": "bound", "expected": 9e22, "extra": ""},
        {"kind": "bound", "expected": 8e22, "extra": ""},
    )
    assert below["pass"] and not above["pass"]
    assert validation.is_rate("token/s") and not validation.is_rate("ms")


def test_a_measured_case_passes_inside_low_high(tmp_path: Path) -> None:
    args = '["--params", "7e9", "--tokens", "1.9e12..2.1e12"]'
    inside, outside = dataset(
        tmp_path,
        {"kind": "measured", "args": args, "expected": 8.7e22, "extra": 'split = "fit"'},
        {"kind": "measured", "args": args, "expected": 9e22, "extra": 'split = "held-out"'},
    )
    assert inside["low"] == pytest.approx(6 * 7e9 * 1.9e12)
    assert inside["pass"] and not outside["pass"]
    assert validation.summarise([inside, outside])["measured"]["flops"]["fit"]["inside_range"] == 1


def test_a_case_needing_an_option_not_yet_there_is_skipped(tmp_path: Path) -> None:
    (record,) = dataset(tmp_path, {"extra": 'tolerance = 0.01\nneeds = ["no-such-option"]'})
    assert record["skipped"] == "needs no-such-option, which flops lacks"
    assert validation.summarise([record])["skipped"] == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("", "a published case needs a positive tolerance"),
        ('tolerance = 0.1\nkind = "x"', "not TOML"),
    ],
)
def test_a_malformed_case_is_named(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        dataset(tmp_path, {"extra": extra})


def test_a_case_id_is_unique(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="used twice"):
        dataset(tmp_path, {"id": "same"}, {"id": "same"})


def test_held_out_serving_measurements_fall_inside_the_estimates_range(
    held_out: dict[str, Any],
) -> None:
    """The fitted efficiencies' range is honest: at least 80 % of the held-out measured
    serving cases lie inside low..high (issue 17's target; 44 of 54, 81.5 %, since the range
    became the fit / k .. x k, docs/validation.md)."""
    assert held_out["count"] >= 20
    assert held_out["inside_range"] >= 0.8


def test_the_calibrated_estimate_beats_the_roofline_on_held_out_cases(
    held_out: dict[str, Any],
) -> None:
    """The default estimate's mean |error| on held-out measurements is under half the
    roofline's (the uncalibrated default of before), and no worse than it is now: 20.8 %
    since the overlap of memory and compute and DeepSeek's BF16 attention (25.9 % before),
    so a change that takes it over 21.8 % fails. The ceiling guards the build; the model is
    still chosen on the fit split (docs/validation.md)."""
    assert held_out["mean_abs_error"] < held_out["roofline_mean_abs_error"] / 2
    assert held_out["mean_abs_error"] <= 0.218


def test_flops_measurements_show_the_uncalibrated_baseline_beside_the_estimate(
    summary: dict[str, Any], by_id: dict[str, dict[str, Any]]
) -> None:
    """Issue 17: the uncalibrated error is printed beside the calibrated one; for flops the
    baseline is MFU 1 and draw fraction 1. Llama 2 13B (card: 368,640 A100 GPU hours for 2.0T
    tokens) at MFU 1: 6 x 13e9 x 2e12 FLOP / (312 TFLOP/s, the A100's BF16 peak) = 138,889 h;
    the MLPerf H200 MaxQ system's power at its rating: 8 x 700 W x 1.82 (the DGX H100's
    10.2 kW for eight 700 W GPUs, exactly) = 10,200 W."""
    assert summary["uncalibrated"]["flops"] == "--mfu 1 --draw-fraction 1"
    gpu_hours = by_id["llama-2-13b-pretraining-a100-gpu-hours"]
    assert gpu_hours["uncalibrated"] == pytest.approx(6 * 13e9 * 2e12 / 312e12 / 3600)
    assert gpu_hours["uncalibrated_error"] == pytest.approx(138888.9 / 368640 - 1, rel=1e-6)
    power = by_id["mlperf-inf-v4.1-llama2-70b-h200-x8-maxq-offline-system-power"]
    assert power["uncalibrated"] == pytest.approx(8 * 700 * 10_200 / 8 / 700)
    for split, group in summary["measured"]["flops"].items():
        errors = [
            abs(c["uncalibrated_error"])
            for c in by_id.values()
            if c["split"] == split and c["calculator"] == "flops"
        ]
        assert group["uncalibrated_mean_abs_error"] == pytest.approx(sum(errors) / len(errors))
    assert "flops --mfu 1 --draw-fraction 1" in " ".join(
        run("validate", "--calculator", "flops", "--format", "table").stdout.split()
    )


def test_inference_baseline_is_its_roofline(summary: dict[str, Any]) -> None:
    """Inference's uncalibrated baseline is the roofline, under both keys (JSON is additive)."""
    held_out = summary["measured"]["inference"]["held-out"]
    assert held_out["uncalibrated_mean_abs_error"] == held_out["roofline_mean_abs_error"]


@pytest.mark.xfail(strict=True, reason="issue 17's 15 % target is not met (docs/validation.md)")
def test_held_out_serving_error_meets_the_issue_target(held_out: dict[str, Any]) -> None:
    assert held_out["mean_abs_error"] <= 0.15


@pytest.fixture(scope="module")
def fitted() -> calibration.Calibration:
    """The fit of the shipped dataset, made once (111 cases through the API)."""
    return calibration.fit(validation.load_cases())


def test_the_stored_fit_is_a_fresh_fit_of_the_fit_split(fitted: calibration.Calibration) -> None:
    """presets/serving-fit.toml is what the fit gives today (rerun `python -m
    tcoctl.pipeline.calibration presets DATE` after changing the dataset or the model)."""
    stored = (REPO / "presets" / "serving-fit.toml").read_text(encoding="utf-8")
    date = stored.split('as_of = "', 1)[1].split('"', 1)[0]
    assert calibration.preset_text(fitted, date) == stored


def test_the_fit_splits_leave_one_out_is_what_the_docs_say_and_under_its_floor() -> None:
    """Each fit case against the fit redone without it (held-out cases are not read): the
    yardstick docs/validation.md quotes, a floor under the fit's coverage, and one over its
    error. (One test: the leave-one-out, about 20 s, runs once, not once per worker.)

    Coverage: the range is the 95 % conformal band, with the layer overhead's range beside
    it, which holds 95 % of the cases left out (105 of 111; 108 before the overlap, 105 with
    the median scale; on 81 cases, 89 % with the overhead a single value), so a range that
    holds under 90 % fails.

    Error: a change to the model or the fit that makes the leave-one-out worse fails here.
    The floor follows the dataset: it was 14 % over 12.4 % on 51 cases; the 6 MLPerf v5.1
    fit cases (a mixture of experts, FP4, 405B at 10,000-token prompts) took the same model
    to 14.5 % on 57 (floor 15.5 %); the MLPerf inputs taken from their sources (405B's
    stated mean prompt, 9,400 tokens; AMD v5.1's FP8 KV cache) took it to 13.9 % (floor
    14.9 %); the 24 TensorRT-LLM v0.9.0 fit cases (long prompts and outputs at TP 4 and 8)
    took the same model to 17.2 % on 81 (floor 18.2 %); 30 more (Mixtral, Mistral, first
    tokens) took it to 21.2 % on 111, and MoE prefill reading the experts its tokens touch
    to 19.1 %; fitting the scale to the least sum of |relative error| (the error reported)
    in place of the median took it to 18.7 %; half of a pass's shorter time (memory or
    compute) overlapping the longer, not all, took it to 15.4 %, so it is 16.4 %, one point
    over that (docs/validation.md)."""
    cases = validation.load_cases()
    found = calibration.leave_one_out(cases)
    assert list(found.errors) == [case.id for case in calibration.fit_cases(cases)]
    assert found.text() in (REPO / "docs" / "validation.md").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"leave-one-out: {100 * found.mean_abs_error:.1f} %" in " ".join(readme.split())
    assert found.inside_range >= 0.9
    assert found.mean_abs_error <= 0.164


def test_leave_one_out_judges_each_case_by_the_others(tmp_path: Path) -> None:
    """Three fit cases of one memory-bound setup measured at 50, 50 and 100 token/s (below
    the roofline's ~200): left out, the 100 is estimated at the others' 50 (error -50 %), and
    a 50 at the one of 50 and 100 that leaves the least sum of |relative error|: 50 (0 and
    0.5) rather than 100 (1 and 0), or the log-middle 70.7 (0.41 and 0.29); a held-out case
    is not judged. Fitted with itself, each error would be smaller."""
    serving = {
        "calculator": "inference",
        "args": '["--preset", "llama-3.1-8b", "--gpu", "h100-sxm", "--batch", "1", '
        '"--prompt-tokens", "128", "--output-tokens", "128"]',
        "result": "tokens_per_second",
        "unit": "token/s",
        "kind": "measured",
    }
    cases = write_cases(
        tmp_path,
        *(
            {**serving, "expected": expected, "extra": f'split = "{split}"'}
            for expected, split in [(50, "fit"), (50, "fit"), (100, "fit"), (1000, "held-out")]
        ),
    )
    found = calibration.leave_one_out(cases)
    assert found.errors == pytest.approx({"case-0": 0.0, "case-1": 0.0, "case-2": -0.5}, abs=1e-9)


@settings(max_examples=300)
@given(st.lists(st.tuples(st.floats(-3.0, 1.0), st.booleans()), min_size=1, max_size=9))
def test_the_fits_scale_leaves_the_least_sum_of_relative_errors(
    cases: list[tuple[float, bool]],
) -> None:
    """least_relative_error's scale c <= 0 leaves a sum of |relative error| (a rate's
    |e^(c - x) - 1|, a time's |e^(x - c) - 1|) no greater than any c of a fine grid from -4
    to 0 leaves, and it reports that sum: the fit's scale is the least, not a near one."""
    scales = np.array([[x] for x, _ in cases])
    rates = np.array([rate for _, rate in cases])
    centre, least = calibration.least_relative_error(scales, rates)

    def total(c: np.ndarray) -> np.ndarray:
        signed = np.where(rates[:, None], c - scales, scales - c)
        summed: np.ndarray = np.abs(np.expm1(signed)).sum(axis=0)
        return summed

    grid = np.linspace(-4.0, 0.0, 4001)
    assert centre[0] <= 0.0
    assert total(centre)[0] == pytest.approx(least[0], rel=1e-9, abs=1e-12)
    assert least[0] <= total(grid[None, :]).min() + 1e-12  # every grid point at once


def test_the_fit_never_reads_held_out_values(fitted: calibration.Calibration) -> None:
    """Held-out measurements changed a hundredfold leave the fit as it is."""
    cases = validation.load_cases()
    moved = [
        replace(case, expected=case.expected * 100) if case.split == "held-out" else case
        for case in cases
    ]
    assert calibration.fit(moved) == fitted
    assert all(case.split == "fit" for case in calibration.fit_cases(moved))
