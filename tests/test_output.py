"""Answer first: the table view's layout, numbers that never mislead, one number for scripts,
display units, chart SVGs, tidy view CSVs, --only-my-ranges, the user's preset folder and
shell completion."""

from __future__ import annotations

import contextvars
import csv
import json
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import REPO, results, run
from tcoctl import notation
from tcoctl.cli import app
from tcoctl.notation import fmt, number
from tcoctl.output import machine_text, numbers_text
from tcoctl.specs import CALCULATORS


def table(*args: str) -> list[str]:
    """The table view at 80 columns, as lines."""
    outcome = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1"}).invoke(
        app, [*args, "--format", "table"]
    )
    assert outcome.exit_code == 0, outcome.stderr
    return outcome.stdout.splitlines()


@pytest.mark.parametrize("command", sorted(CALCULATORS))
def test_default_run_shows_its_answer_first_and_fits_a_screen(command: str) -> None:
    lines = table(command)
    first = next(name for name in CALCULATORS[command].headline if any(
        line.startswith(name + " ") for line in lines))  # fmt: skip
    assert any(line.startswith(first + " ") for line in lines[:15])
    assert len(lines) <= 42 and max(map(len, lines)) <= 80
    assert "“" not in "\n".join(lines)  # citations only with --sources


@pytest.mark.parametrize(
    ("args", "asked"),
    [
        (("inference", "--carbon-intensity", "0.4 kg/kWh"), "emissions_per_million_tokens"),
        (("inference", "--reference-price", "10 USD/Mtoken"), "price_to_cost"),
        (("tco", "--rent-price", "2.5 USD/h"), "own_to_rent"),
    ],
)
def test_a_result_an_option_asked_for_follows_the_headline(
    args: tuple[str, ...], asked: str
) -> None:
    """The new-user trial: with --carbon-intensity the one result it adds sat on line 26,
    after the details. A result that uses an option no headline result uses comes right
    after the headline; an option the headline uses (--batch) moves nothing."""
    calc = CALCULATORS[args[0]]
    names = [line.split()[0] for line in table(*args)[3:] if line.strip()]
    shown = [name for name in names if name in calc.headline]
    assert names[len(shown)] == asked, names
    batch = [line.split()[0] for line in table("inference", "--batch", "64")[3:12]]
    assert batch[len(CALCULATORS["inference"].headline)] == "time_per_output_token_bound"


def test_run_tables_never_cut_a_name_at_80_columns() -> None:
    """Issue 19 item 12: input names (``hbm-stacks-per-mon…``) and names as values
    (``compute-threshol…``) were cut, so they could not be copied back as options."""
    supply, flops = "\n".join(table("supply")), "\n".join(table("flops"))
    assert "hbm-stacks-per-month " in supply and "hbm-stacks-per-package " in supply
    assert " compute-thresholds " in flops
    for command in CALCULATORS:
        assert not [line for line in table(command) if "…" in line], command


def test_tables_never_cut_a_number_and_end_no_line_in_spaces() -> None:
    """Issue 19: a step yield within 1e-15 of 1 was written with 17 decimals and cut at 80
    columns (``0.99999…``), its name too; at 50 columns rich cut every column. A table
    rounds a value near 1 to 9 decimals at most (JSON keeps 15 digits) and, where it is
    still wider than the terminal, prints whole lines the terminal wraps. Rich padded
    every line with spaces to the table's width."""
    solve = ("yield", "--steps", "1000..3000", "--target-yield", "99.9999999999%")
    lines = table(*solve, "--samples", "100", "--seed", "1")
    assert not [line for line in lines if "…" in line]
    assert "required_step_yield  1.000000000" in "\n".join(lines)
    value = run(*solve, "-f", "json").json()["results"]["required_step_yield"]["value"]
    assert value < 1 and math.isclose(value, 0.999999999999 ** (1 / 2000), rel_tol=1e-15)
    narrow = CliRunner(env={"COLUMNS": "50", "NO_COLOR": "1"}).invoke(
        app, ["tco", "--samples", "100", "--format", "table"]
    )
    assert "…" not in narrow.stdout
    assert re.search(r"^cost_per_gpu_hour +\d\.\d+  USD/h ", narrow.stdout, re.MULTILINE)
    for command in CALCULATORS:
        assert not [line for line in table(command) if line.endswith(" ")], command


def test_sources_show_the_citations() -> None:
    text = "\n".join(table("yield", "--sources"))
    assert "“Even with 98-99% success" in text


def significant_figures_kept(value: float) -> bool:
    """The rule: a shown number is within half a unit of its 4th figure (3 for words and
    prefixes may round 999.96 k up to 1 M: still within that), and a value near 1 has its
    distance from 1 within 1 % of the true distance, down to 1e-8 (nearer, it is rounded
    to 9 decimals: within 5e-10 of the value)."""
    shown = float(number(value).replace(",", ""))
    if not math.isclose(shown, value, rel_tol=5e-4):
        return False
    distance = abs(value - 1)
    if 0 < distance < 1e-8:
        return abs(shown - value) <= 5e-10 and len(number(value)) <= 11
    return not 0 < distance < 1e-2 or math.isclose(abs(shown - 1), distance, rel_tol=1e-2)


GRID = (
    [
        sign * mantissa * 10.0**exponent
        for sign in (1, -1)
        for mantissa in (1.0, 1.2345678, 4.99999, 9.99951, 7.024)
        for exponent in range(-3, 6)
    ]
    + [1 - 10.0**-k * d for k in range(2, 9) for d in (1, 3.7, 7.024)]
    + [1 + 2.5e-6, 1 - 5.6e-16, 1 - 4e-12]
)


@pytest.mark.parametrize("value", GRID)
def test_numbers_keep_their_figures(value: float) -> None:
    assert significant_figures_kept(value), (value, number(value))


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (1e30, "FLOP", "1e30 FLOP"),
        (8.4e22, "FLOP", "8.4e22 FLOP"),
        (1e18, "FLOP", "1 EFLOP"),
        (989.4e12, "FLOP/s", "989.4 TFLOP/s"),
        (350_000.0, "PFLOP/s", "350 EFLOP/s"),
        (54_000.0, "EFLOP/s", "5.4e22 FLOP/s"),
        (718_100.0, "GWh", "718.1 TWh"),
        (1_422_885_544.0, "USD/yr", "1.423 bn USD/yr"),
        (33_750.0, "USD", "33.75 k USD"),
        (6_600.0, "USD", "6,600 USD"),
        (0.99992976, "", "0.999930"),
        (0.99999929, "ms", "1 ms"),  # a time near 1 keeps 4 figures, not the share rule's
        (0.99963, "ms", "0.9996 ms"),
        (1.0000007, "s", "1 s"),
        (100_000.0, "", "100,000"),
        (2.5e9, "", "2.5 bn"),
        (41999999.99999999, "USD", "42 M USD"),
        (7.02e11, "h", "702 bn h"),
        (9.151e7, "yr", "91.51 M yr"),
        (33_070.4, "day", "33,070 day"),
        (1.017e6, "1/month", "1.017 M/month"),
        (1.234e-5, "", "1.234e-5"),
    ],
)
def test_fmt_examples(value: float, unit: str, shown: str) -> None:
    """Issue 19 item 12: one rule (docs/units-and-ranges.md): prefixes k to E, the words
    k, M, bn, tn before any other unit, scientific beyond (1e26 FLOP, not 100 YFLOP)."""
    assert fmt(value, unit) == shown


def test_a_time_near_one_is_shown_to_four_figures() -> None:
    """The hostile probe: compute_time showed '0.99963 ms' (and 0.99999929 ms), the rule
    that keeps a yield's or share's distance from 1 applied to a time."""
    # 0.99963 ms since the overlap (10.0314 at the relative-error fit, 11.0738 before it)
    table = run("inference", "--batch", "10.4886", "--format", "table").stdout
    assert re.search(r"^compute_time +0\.9996 +ms ", table, re.MULTILINE), table


def test_tables_use_e_notation_only_beyond_the_prefixes() -> None:
    """Issue 19 item 12: ``gpu_hours 7.019e7 h`` and ``energy 718,100 GWh .. 1.009e6`` sat
    beside SI prefixes; now a default table writes e-notation only for a FLOP count."""
    for command in ("flops", "tco", "supply", "inference", "h100e"):
        numbers = [word for line in table(command) for word in line.split()]
        scientific = [w for w in numbers if re.fullmatch(r"-?\d[\d.]*e-?\d+", w)]
        after = [numbers[numbers.index(w) + 1] for w in scientific]
        assert set(after) <= {"FLOP"}, (command, scientific)
    lines = table("flops")
    assert any(line.split()[:3] == ["total_flop", "1e30", "FLOP"] for line in lines)


def test_the_api_sets_the_notation_per_context() -> None:
    """The Python API's repr follows ``tcoctl.notation.notation``, a ContextVar: a thread or
    task that asks for ``sci`` leaves the others on the default."""

    def scientific() -> str:
        notation.notation.set("sci")
        return fmt(1.4229e9, "USD/yr")

    assert contextvars.copy_context().run(scientific) == "1.423e9 USD/yr"
    assert fmt(1.4229e9, "USD/yr") == "1.423 bn USD/yr"


def test_notation_sci_writes_large_numbers_in_scientific_notation() -> None:
    outcome = CliRunner(env={"COLUMNS": "80"}).invoke(
        app, ["--notation", "sci", "tco", "--format", "table"]
    )
    row = next(line for line in outcome.stdout.splitlines() if "total_annual_cost" in line)
    assert row.split()[1:4] == ["1.424e9", "USD/yr", "1.084e9"]
    refused = CliRunner().invoke(app, ["--notation", "eng", "tco"])
    assert refused.exit_code == 2 and "'eng' is not one of si, sci" in refused.stderr


def test_notation_sci_never_mixes_forms_in_a_row() -> None:
    """The probe (D9): whole numbers below a million stayed written out, so one row read
    'cluster_flops 350,000 PFLOP/s 2.25e5 .. 5e5'; the docs say every number of 10,000 or
    more is scientific."""
    outcome = CliRunner(env={"COLUMNS": "100"}).invoke(
        app, ["--notation", "sci", "flops", "--format", "table"]
    )
    rows = {line.split()[0]: line.split()[1:] for line in outcome.stdout.splitlines() if line}
    assert rows["cluster_flops"] == ["3.5e5", "PFLOP/s", "2.25e5", "..", "5e5"]
    assert rows["count"][:4] == ["4e5", "3e5", "..", "5e5"]
    assert rows["achieved_flops"] == ["875", "TFLOP/s", "750", "..", "1,000"]


def test_the_documented_notation_call_works_after_import_tcoctl_alone() -> None:
    """D8: docs/python-api.md's ``tcoctl.notation.notation.set("sci")`` was an AttributeError
    unless ``import tcoctl.notation`` came first; an unknown name was silently accepted."""
    page = (REPO / "docs" / "python-api.md").read_text(encoding="utf-8")
    call = re.search(r"`(tcoctl\.notation\.[^`]*)`", page)
    assert call is not None
    code = f"import tcoctl; {call[1]}; print(repr(tcoctl.tco()))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert "total_annual_cost=1.424e9 USD/yr" in done.stdout.decode(), done.stderr
    with pytest.raises(ValueError, match=r"notation: 'bogus' is not one of si, sci; e\.g\. "):
        contextvars.copy_context().run(notation.notation.set, "bogus")


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        ("flops --notation sci", "--notation: ... tcoctl --notation sci flops"),
        (
            "flops --duration 3d --notation=sci",
            "--notation: ... tcoctl --notation=sci flops --duration 3d",
        ),
        ("tco --presets-dir", "--presets-dir: ... tcoctl --presets-dir ./presets tco"),
        # a value --notation refuses is not repeated in the example (the new-user trial)
        ("tco --notation nonsense", "--notation: ... tcoctl --notation sci tco"),
    ],
)
def test_an_option_of_tcoctl_after_the_command_is_shown_before_it(args: str, hint: str) -> None:
    """D8: `tcoctl flops --notation sci` said "No such option: --notation (Possible options:
    --duration)", as if flops had an option near it."""
    command = [sys.executable, "-m", "tcoctl", *args.split()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert (
        done.stderr
        == "tcoctl: error: " + hint.replace("...", "goes before the command, e.g.") + "\n"
    )


def test_displayed_step_yield_compounds_to_the_target() -> None:
    row = next(line for line in table("yield", "--steps", "1500", "--target-yield", "90%")
               if line.startswith("required_step_yield"))  # fmt: skip
    assert f"{float(row.split()[1]) ** 1500:.2f}" == "0.90"


def test_value_prints_one_number() -> None:
    outcome = run("tco", "--value", "cost_per_gpu_hour")
    assert outcome.code == 0 and outcome.stdout.count("\n") == 1
    assert float(outcome.stdout) == results("tco")["cost_per_gpu_hour"]["value"]
    years = float(run("flops", "--preset", "run-1e30", "--value", "duration:yr").stdout)
    days = results("flops", "--preset", "run-1e30")["duration"]["value"]
    assert years == pytest.approx(days / 365.25)


def test_a_unit_with_a_scale_word_as_tables_print_it_is_accepted() -> None:
    """Issue 19 item 14 (rerun): ``--value total_annual_cost:M USD/yr`` and ``--unit
    total_annual_cost=bn USD/yr`` (units as tables print them) ended in an internal error
    (pint: 'M' is not defined); a scale word alone is refused in one line."""
    per_year = float(run("tco", "--value", "total_annual_cost:USD/yr").stdout)
    millions = float(run("tco", "--value", "total_annual_cost:M USD/yr").stdout)
    assert millions == pytest.approx(per_year / 1e6, rel=1e-12)
    unit = run("tco", "--unit", "total_annual_cost=bn USD/yr", "-f", "json").json()
    assert unit["results"]["total_annual_cost"]["value"] == pytest.approx(per_year / 1e9)
    alone = run("h100e", "--value", "h100e:M")
    assert alone.code == 2 and alone.stderr.startswith("tcoctl: error: --value: 'M' scales")
    assert alone.stderr.count("\n") == 1 and "e.g. --value h100e" in alone.stderr


def test_value_of_a_result_given_as_an_input_prints_the_input() -> None:
    """Issue 19 (probe): ``supply --dies 2e6 --value dies`` said "dies is not computed for
    this scenario", while tco --value gpus and flops --value count print the input they were
    given; now every result given as an input prints it, in the unit asked for."""
    supply = ("supply", "--dies", "2e6", "--gpu", "h100-sxm")
    assert float(run(*supply, "--value", "dies").stdout) == 2e6
    assert float(run("h100e", "--gpu", "h20", "--count", "5000", "--value", "count").stdout) == 5000
    area = ("yield", "--die-area", "1 cm^2", "--defect-density", "0.1", "--value")
    assert float(run(*area, "die_area").stdout) == 100
    assert float(run(*area, "die_area:cm^2").stdout) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["flops", "--value", "zzz"], "--value: flops has no result 'zzz'; expected one of"),
        (["flops", "--value", "duration:kg"], "--value: duration in 'kg' is a mass, expected"),
        (["flops", "--unit", "duration=kg"], "--unit: duration in 'kg' is a mass, expected"),
        (["flops", "--unit", "duration"], "--unit: expected RESULT=UNIT, e.g. --unit"),
        (  # new-user trial, item 3: was "tco has no result 'kg'; expected one of ..."
            ["tco", "--unit", "kg"],
            "tcoctl: error: --unit: expected RESULT=UNIT, e.g. --unit total_annual_cost=MUSD/yr;"
            " got 'kg'\n",
        ),
        (["tco", "--value", "gpus", "--tornado"], "--value prints one number: drop --tornado"),
    ],
)
def test_value_and_unit_errors(args: list[str], message: str) -> None:
    outcome = run(*args)
    assert outcome.code == 2 and message in outcome.stderr and outcome.stdout == ""


def test_unit_sets_the_display_unit_everywhere() -> None:
    args = ["flops", "--unit", "duration=yr", "--unit", "energy=MWh", "--unit", "cost=MUSD"]
    json_out = results(*args, "--gpu", "h100-sxm", "--count", "100", "--budget", "1e24 FLOP",
                       "--mfu", "0.4", "--price", "2 USD/h", "--power", "1 kW")  # fmt: skip
    assert (json_out["duration"]["unit"], json_out["energy"]["unit"]) == ("yr", "MWh")
    assert json_out["cost"]["unit"] == "MUSD"
    csv_text = run(*args, "--format", "csv").stdout
    assert ",result,duration," in csv_text and ",yr," in csv_text
    assert any(line.startswith("duration ") and " yr " in line for line in table(*args))


def test_tornado_labels_each_end_where_its_bar_is() -> None:
    """A longer --life lowers the cost: its high end stands left of the centre."""
    lines = table("tco", "--tornado")
    life = next(line for line in lines if line.startswith(" life"))
    left, right = life.split("(high)")[0], life.split("(high)")[1]
    assert "USD/h" in left and "(low)" in right


def test_a_sweep_mark_and_a_tornado_print_their_answer_first() -> None:
    """Issue 19 item 11: the crossing and the tornado bars came after the whole default
    table (about 90 lines down); they are what was asked."""
    crossing = table("tco", "--sweep", "electricity=0.02..0.4:5", "--mark", "power_share=0.1")
    assert crossing[0].startswith("power_share crosses 0.1 at electricity = ")
    bars = table("tco", "--tornado")
    assert bars[0].startswith("what moves cost_per_gpu_hour")
    assert bars.index(next(line for line in bars if line.startswith("tcoctl tco"))) > 5


def test_a_crossing_names_the_level_in_its_unit() -> None:
    """'time_per_output_token crosses 34 at overlap = 0.5937 ' read 34 of no unit (and ended
    in a space): the level is in the mark's unit, a plain fraction's x bare. By hand, 34 ms =
    26.36 ms read + (1 - x) x 3.050 ms computed + 6.4 ms overhead at x = 0.5937."""
    crossing = table(
        "inference", "--sweep", "overlap=0..1:11", "--mark", "time_per_output_token=34 ms"
    )
    assert crossing[0] == "time_per_output_token crosses 34 ms at overlap = 0.5937"


@pytest.mark.parametrize(
    ("sweep", "labels", "ends"),
    [
        ("power=1000..1001:3", ["1,000", "1,000.5", "1,001"], ["1,000", "1,001"]),
        ("gpus=1000000..1000002", ["1 M", "1.000001 M", "1.000002 M"], ["1 M", "1.000002 M"]),
    ],
)
def test_a_sweep_labels_its_points_so_that_neighbours_read_apart(
    sweep: str, labels: list[str], ends: list[str]
) -> None:
    """Leftover probe, item 1: a sweep's x column had 4 significant figures, so 1000.5 W
    read '1,000' beside the 1,000 above it, and a 1,000,000..1,000,002 gpus sweep read '1 M'
    three times (and on both ends of the chart's axis); now each point takes the figures it
    needs to differ from its neighbour, 4 at least."""
    lines = table("tco", "--sweep", sweep)
    rows = [line.split("│")[1].strip() for line in lines if line.startswith("│ ")]
    assert rows == labels
    axis = next(i for i, line in enumerate(lines) if "└" in line) + 1
    assert lines[axis].split() == " ".join(ends).split()


def test_telling_apart_keeps_four_figures_when_they_suffice() -> None:
    """Points 4 figures already tell apart keep 4; equal neighbours need none more."""
    assert notation.telling_apart([0.02, 0.115, 0.21]) == 4
    assert notation.telling_apart([1.0, 1.0]) == 4
    assert notation.telling_apart([1e30, 1.00001e30]) == 6


def test_compare_aligns_each_basis_with_its_ratio() -> None:
    outcome = CliRunner(env={"COLUMNS": "120"}).invoke(
        app, ["compare", "frontier-2025", "china-h20", "--format", "table"]
    )
    row = next(line for line in outcome.stdout.splitlines() if "h100e_bf16" in line)
    assert row.split("  ", 1)[1].split() == ["M", "1.011", "0.1496", "×0.148"]


def test_compare_puts_every_scenario_side_by_side_in_a_screenful() -> None:
    """Issue 19 item 10: at 80 columns the seeds' comparison was 700 lines of tables that
    paired the first scenario with one other, led by servers_annual, names cut, and a
    second ``x .. x`` line under every result without a range."""
    lines = table("compare")
    assert len(lines) <= 290 and max(map(len, lines)) <= 80  # 300 with a margin for growth
    assert not any(line.startswith("scenarios ") for line in lines)  # one group each
    tco = lines[lines.index("tcoctl tco: 5 scenarios side by side") :]
    header = " ".join(tco[1:4])
    for scenario in ("frontier-2024", "frontier-2025", "openai-tata [now]", "site-1gw"):
        assert scenario in header
    assert tco[5].startswith("cost_per_gpu_hour")  # the headline first
    names = {name for spec in CALCULATORS.values() for name in (r.name for r in spec.results)}
    shown = {word for line in lines for word in line.split()}
    assert {"packages-per-interposer", "time_per_output_token_bound"} <= shown
    assert not [word for word in shown if word.endswith("…")]
    assert names & shown >= {"cost_per_gpu_hour", "h100e_per_year", "implied_step_yield"}
    spans = [re.findall(r"(\S+) \.\. (\S+)", line) for line in lines]
    assert all(low != high for found in spans for low, high in found)


def test_compare_says_why_a_cell_is_empty_and_names_results_that_repeat_another() -> None:
    """Issue 19 item 10: china-h20 (--basis all) has no h100e, and its cell was blank with
    no word why; results equal in every scenario (h100e_fp8 and h100e_tpp) took a row
    each."""
    lines = table("compare", "frontier-2024", "china-h20", "india-2026")
    assert next(line for line in lines if line.startswith("h100e ")).split()[1:3] == [
        "100,000",
        "–",
    ]
    note = " ".join(lines[: lines.index("tcoctl tco: 1 scenario side by side")])
    assert "–: not given by that scenario's inputs (h100e of china-h20 needs one --basis:" in note
    assert any(line.startswith("h100e_") and " = h100e_tpp " in line for line in lines)
    assert not any(line.startswith("h100e_tpp") for line in lines)


def assert_offline(svg: str) -> None:
    """An SVG that loads nothing: no href, src, url() or @import outside the file itself
    (``#fragment`` references stay inside), and no http text but the SVG namespace name (an
    identifier browsers need to draw the file, never fetched)."""
    assert not re.search(r"href=\"(?!#)|src=|url\((?!#)|@import", svg)
    assert svg.replace('xmlns="http://www.w3.org/2000/svg"', "").count("http") == 0


@pytest.mark.parametrize(
    "args",
    [
        ["tco"],
        ["tco", "--tornado"],
        ["tco", "--sweep", "electricity=0.02..0.4:5"],
        ["yield", "--die-size", "26x31", "--map"],
    ],
)
def test_svg_is_the_chart_alone_and_offline(args: list[str], tmp_path: Path) -> None:
    path = tmp_path / "chart.svg"
    assert run(*args, "--svg", str(path), "--format", "json").code == 0
    text = path.read_text(encoding="utf-8")
    assert ElementTree.fromstring(text).tag == "{http://www.w3.org/2000/svg}svg"
    assert_offline(text)
    assert len(text) < 200_000


def test_svg_screen_is_offline(tmp_path: Path) -> None:
    path = tmp_path / "screen.svg"
    assert run("flops", "--svg-screen", str(path), "--format", "json").code == 0
    assert_offline(path.read_text(encoding="utf-8"))
    outcome = run("flops", "--svg", str(path))
    assert outcome.code == 2 and "--svg: this run draws no chart" in outcome.stderr


def test_map_csv_has_a_row_per_count() -> None:
    lines = run("yield", "--die-size", "26x31", "--map", "--format", "csv").stdout.splitlines()
    assert lines[0] == "scenario,cells,count"
    assert [line.split(",")[1] for line in lines[1:]] == [
        "good", "defective", "edge", "whole_dies"
    ]  # fmt: skip


def test_sweep_csv_names_each_column_once_and_keeps_the_solved_input() -> None:
    """A probe found `gpus` twice in a gpus sweep's header (the swept input and tco's echo
    of it) and no column for a goal-seek's solved input."""
    solve = ("tco", "--solve", "electricity", "--for", "power_share=0.15")
    sweep = ("--sweep", "gpus=8..16:3", "--only-my-ranges", "--format", "csv")
    lines = run(*solve, *sweep).stdout.splitlines()
    header, *rows = list(csv.reader(lines))
    assert len(header) == len(set(header)) and header[1] == "gpus" and len(rows) == 3
    solved = results(*solve)
    at = header.index("electricity [USD/kWh]")
    assert [float(row[at]) for row in rows] == pytest.approx(
        [solved["electricity"]["value"]] * 3, rel=1e-12
    )


def test_batch_csv_keeps_low_and_high() -> None:
    lines = run("tco", "--input", "-", "--format", "csv",
                input='{"electricity": "0.05..0.1 USD/kWh"}\n').stdout.splitlines()  # fmt: skip
    header, row = list(csv.reader(lines))
    at = header.index("power_annual low")
    assert float(row[at]) < float(row[at + 1])


def test_batch_csv_echoes_each_line_s_options_as_given() -> None:
    """The input cell of a batch CSV row is the line's options under their own names: a
    die size under --die-size (it was filed under die-width, one of the two it sets)."""
    text = "die-size,wafer-cost\n10x12 mm,10000 USD\n"
    outcome = run("yield", "--input", "-", "--format", "csv", input=text)
    assert outcome.code == 0, outcome.stderr
    _, row = list(csv.reader(outcome.stdout.splitlines()))
    assert json.loads(row[1]) == {"die-size": "10x12 mm", "wafer-cost": "10000 USD"}


def test_csv_names_a_coded_result_as_json_and_the_table_do() -> None:
    """The binding constraint is a name in CSV too, in a run and in a batch (the probe found
    a bare 0.0 where JSON says "label": "dies")."""
    one = list(csv.reader(run("supply", "--preset", "smic-7nm", "--wafers-per-month",
                              "1000..50000", "--format", "csv").stdout.splitlines()))  # fmt: skip
    header = one[0]
    binding = next(row for row in one if row[3] == "binding")
    assert [binding[header.index(k)] for k in ("value", "low", "high")] == ["hbm", "dies", "hbm"]
    lines = '{"wafers_per_month": 1000}\n{"wafers_per_month": "1000..50000"}\n'
    batch = list(csv.reader(run("supply", "--preset", "smic-7nm", "--input", "-",
                                "--format", "csv", input=lines).stdout.splitlines()))  # fmt: skip
    at = batch[0].index("binding")
    assert [row[at : at + 3] for row in batch[1:]] == [["dies"] * 3, ["hbm", "dies", "hbm"]]
    assert all(len(row) == len(batch[0]) for row in batch)


def test_only_my_ranges_keeps_the_users_spread() -> None:
    mine = results("tco", "--only-my-ranges", "--electricity", "0.05..0.1 USD/kWh")
    assert mine["servers_annual"]["low"] == mine["servers_annual"]["high"]
    assert mine["power_annual"]["low"] < mine["power_annual"]["high"]
    assert results("tco")["servers_annual"]["low"] < results("tco")["servers_annual"]["high"]


def test_user_preset_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "tcoctl" / "presets"
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text((REPO / "presets" / "frontier-2024.toml").read_text())
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    listed = {p["name"]: p["from"] for p in run("presets", "list", "-f", "json").json()["presets"]}
    assert listed["mine"] == "user folder" and listed["frontier-2024"] == "built-in"
    assert run("tco", "--preset", "mine", "--value", "gpus").stdout == "100000\n"


def complete(words: str) -> list[str]:
    """What bash completion offers for ``words`` (the last one being completed)."""
    env = {
        **os.environ,
        "_TCOCTL_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    }
    script = Path(sys.executable).parent / "tcoctl"  # the console script names the variable
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60)
    return done.stdout.split()


def test_completion_offers_presets_and_results() -> None:
    assert "frontier-2024" in complete("tcoctl tco --preset fr")
    assert complete("tcoctl tco --preset run") == []  # run-1e30 has no [tco]
    assert "h100-sxm" in complete("tcoctl tco --gpu h1")
    assert complete("tcoctl flops --value dur") == ["duration"]
    assert "cost_per_gpu_hour" in complete("tcoctl tco --target cost_")
    assert complete("tcoctl presets show gb2") == ["gb200"]
    help_text = run("--help").stdout
    assert "--install-completion" in help_text


def test_value_prints_a_solved_input_a_coded_result_and_says_what_is_missing() -> None:
    solved = run("tco", "--solve", "electricity", "--for", "power_share=0.15", "--value",
                 "electricity")  # fmt: skip
    assert float(solved.stdout) == pytest.approx(0.2375, abs=5e-5)
    assert run("inference", "--value", "bound").stdout == "memory\n"
    missing = run("tco", "--value", "cost_per_million_tokens")
    assert missing.code == 1 and "it needs --tokens-per-second" in missing.stderr


def test_machine_output_gives_typed_values_back_as_typed() -> None:
    """Issue 19 item 15: JSON, CSV and --value write 15 significant digits (DBL_DIG), so a
    typed 35 % comes back as 0.35 and a sweep's x values as 0.02 .. 0.4, not as float noise
    (0.35000000000000003, 0.019999999999999997)."""
    swept = run("tco", "--sweep", "electricity=0.02..0.40USD/kWh:5", "--format", "json").json()[
        "sweep"
    ]["x"]
    assert swept == [0.02, 0.115, 0.21, 0.305, 0.4]
    line = '{"gpu": "b200", "count": "2e3", "duration": "3 week", "mfu": "35%"}\n'
    record = run("flops", "--input", "-", "--format", "json", input=line).records()[0]
    assert record["inputs"]["mfu"]["value"] == 0.35
    assert record["results"]["total_flop"]["value"] == 2.85768e24
    rows = list(
        csv.reader(run("flops", "--input", "-", "--format", "csv", input=line).stdout.splitlines())
    )
    assert "0.35" in rows[1] and "0.35000000000000003" not in rows[1]
    single = run(
        "flops",
        "--gpu",
        "b200",
        "--count",
        "2000",
        "--duration",
        "3 week",
        "--mfu",
        "35%",
        "--format",
        "csv",
    ).stdout
    assert ",0.35," in single and "0.35000000000000003" not in single
    assert run("tco", "--value", "cost_per_gpu_hour").stdout == "1.80488253642466\n"


def test_monte_carlo_rows_stay_on_one_line_at_80_columns() -> None:
    """Issue 19 item 9: with --samples each result is one line at 80 columns (it was three:
    '1.124 .. 2.249  p05' / '1.381 p50 1.627 p95' / '1.903'), no longer than the same run
    without samples, and a result that does not vary prints no percentiles."""
    args = ["tco", "--gpu-price", "25000..35000USD", "--electricity", "0.05..0.15USD/kWh"]
    sampled = table(*args, "--samples", "100000", "--seed", "1")
    assert len(sampled) <= len(table(*args))
    assert max(map(len, sampled)) <= 80
    assert not [line for line in sampled if "…" in line]  # nothing cropped to fit either
    row = next(line for line in sampled if line.startswith("cost_per_gpu_hour "))
    assert row.split()[-6:] == ["1.113", "..", "2.269", "1.379", "..", "1.901"]
    constant = next(line for line in sampled if line.startswith("other_opex_annual "))
    assert constant.split() == ["other_opex_annual", "42", "M", "USD/yr"]
    assert not any("p50" in line.split() for line in sampled)


@given(
    st.lists(
        st.floats(allow_nan=True, allow_infinity=True)
        | st.floats(1e-4, 1e15)
        | st.integers(1, 10**15).map(lambda n: n / 10 ** (n % 19))  # halves and short decimals
        | st.sampled_from([0.125, 2.5, 0.00012345678901234567, 999999999999999.9, 1e15, 1e-4]),
        max_size=50,
    )
)
def test_batch_numbers_are_the_machine_texts(values: list[float]) -> None:
    """The array formatting of batch records gives each number machine_text's value, and
    its very text where repr and orjson write alike (1e-4 to 1e15); '' where not finite."""
    texts = numbers_text(np.array(values, dtype=float))
    assert len(texts) == len(values)
    for value, text in zip(values, texts, strict=True):
        if not math.isfinite(value):
            assert text == ""
            continue
        assert float(text) == float(machine_text(value)), value
        if 1e-4 <= abs(value) < 1e15:
            assert text == machine_text(value), value


def test_a_tornado_chart_never_cuts_an_input_name() -> None:
    """The probe's leftover: piped at 80 columns the tornado chart cut long input names
    ('compute-efficien…', 'bandwidth-effici…'); the output contract says a table never cuts a
    name. The labels beside the bars wrap instead."""
    chart = run("inference", "--tornado", "--format", "table").stdout.split("tcoctl inference")[0]
    names = [
        line.split()[0]
        for line in chart.splitlines()[2:]
        if line.startswith(" ") and line[1] != " "
    ]
    assert "compute-efficiency" in names and "bandwidth-efficiency" in names, chart
    assert "…" not in chart


def test_a_solved_input_shows_the_figures_its_answer_needs() -> None:
    """The probe: 'tco --solve site-power --for gpus=10003' answered 14.986 MW (the fewest
    figures that give 10,003 GPUs) but the table showed 14.99, which typed back gives
    10,005. A solved input's answer of up to 8 figures is shown whole; a continuous root
    (electricity for power_share=0.15) keeps the table's 4."""
    table = run("tco", "--solve", "site-power", "--for", "gpus=10003", "--format", "table").stdout
    assert re.search(r"^site_power +14\.986 +MW ", table, re.MULTILINE), table
    assert run("tco", "--site-power", "14.986 MW", "--value", "gpus").stdout.strip() == "10003"
    table = run("tco", "--solve", "electricity", "--for", "power_share=0.15", "--format",
                "table").stdout  # fmt: skip
    assert re.search(r"^electricity +0\.2375 +USD/kWh ", table, re.MULTILINE), table


@pytest.mark.parametrize("columns", ["60", "50", "45"])
def test_narrow_charts_cut_no_figure_and_wrap_no_line(columns: str) -> None:
    """The probe's leftover: under 70 columns the tornado's bars and figures were cut
    ('▌███████…', '1.6…' at 50) and at 40 its figures were dropped; a sweep chart's lines
    wrapped, a point landing under the axis. The bars now shorten to fit, the figures wrap at
    their spaces, and a chart's plot narrows with the console."""
    runner = CliRunner(env={"COLUMNS": columns, "NO_COLOR": "1"})
    tornado = runner.invoke(app, ["tco", "--tornado", "--format", "table"]).stdout
    chart = tornado.split("tcoctl tco")[0]
    assert "…" not in chart and "1.604" in chart and "2.018" in chart, chart
    assert chart.count("USD/h") == 2 * 6 + 1  # both ends of the 6 bars, and the title's
    sweep = runner.invoke(app, ["tco", "--sweep", "gpus=1000..2000:3", "--format", "table"])
    plot = sweep.stdout.split("sweep\n")[0]
    assert max(map(len, plot.splitlines())) <= int(columns), plot
    assert plot.count("●") == 3


def test_a_wafer_map_is_drawn_whole_or_not_at_all() -> None:
    """The second probe: 'yield --map --die-area 30' (55 dies across, two cells a die: 110
    columns) wrapped each row at 80 columns into a map of another wafer. Where two cells a
    die do not fit, one does (every good and defective die drawn once: 2,030 + 62); where
    one does not either, the map is not drawn and the line says how to see it."""
    args = ["yield", "--map", "--die-area", "30", "--defect-density", "0.1", "-f", "table"]
    for columns, cells in (("80", 1), ("120", 2)):
        out = CliRunner(env={"COLUMNS": columns, "NO_COLOR": "1"}).invoke(app, args).stdout
        drawn = out.split("wafer map (seed 0): 2030 good, 62 lost to defects, 278 edge\n")[1]
        drawn = drawn.split("\n█")[0]  # up to the legend
        assert max(map(len, drawn.splitlines())) <= int(columns), drawn
        assert drawn.count("█") + drawn.count("x") == cells * (2030 + 62), drawn
    narrow = CliRunner(env={"COLUMNS": "40", "NO_COLOR": "1"}).invoke(app, args).stdout
    assert "░" not in narrow and "█" not in narrow
    assert "wafer map: 55 dies across is too wide for 40 columns" in " ".join(narrow.split())


def test_a_narrow_sweep_table_folds_its_labels() -> None:
    """The second probe: at 30 columns a sweep's table cut its column's name,
    'cost_per_gp…'; the name folds instead, as presets tables' words do."""
    runner = CliRunner(env={"COLUMNS": "30", "NO_COLOR": "1"})
    sweep = runner.invoke(app, ["tco", "--sweep", "electricity=0.02..0.4:3", "-f", "table"])
    table = sweep.stdout.split("\nsweep\n")[1].split("└")[0]
    assert "…" not in table and "cost_per_gpu" in table and "_hour" in table, table


def test_a_sweep_table_shows_every_unit() -> None:
    """The second probe: a sweep table's header dropped a unit that starts with a small
    letter, read by rich as a style ('[ms]', '[token]'): 'prompt-tokens' and 'compute_time'
    stood bare over figures in tokens and ms, while '[USD/Mtoken]' showed."""
    runner = CliRunner(env={"COLUMNS": "120", "NO_COLOR": "1"})
    args = ["inference", "--sweep", "prompt-tokens=500..2000:4", "--target", "compute_time"]
    table = runner.invoke(app, [*args, "-f", "table"]).stdout.split("\nsweep\n")[1]
    assert "prompt-tokens [token]" in table and "compute_time [ms]" in table, table


def test_svg_and_svg_screen_may_not_share_a_file(tmp_path: Path) -> None:
    """The new-user trial: --svg out.svg --svg-screen out.svg was taken, one file overwriting
    the other; the same file under another spelling is the same file."""
    path = tmp_path / "out.svg"
    same = str(tmp_path / "." / "out.svg")
    outcome = run("tco", "--tornado", "--svg", str(path), "--svg-screen", same)
    assert outcome.code == 2 and not path.exists()
    assert "--svg-screen:" in outcome.stderr and "is --svg's file too" in outcome.stderr
    assert outcome.stderr.rstrip().endswith("e.g. --svg chart.svg --svg-screen screen.svg")


def test_svg_and_svg_screen_may_not_share_a_file_under_two_names(tmp_path: Path) -> None:
    """The probe: an existing file and a hard link to it (one file, two names) were taken as
    two files, the screen overwriting the chart."""
    path = tmp_path / "out.svg"
    path.write_text("old")
    (tmp_path / "other.svg").hardlink_to(path)
    outcome = run(
        "tco", "--tornado", "--svg", str(path), "--svg-screen", str(tmp_path / "other.svg")
    )
    assert outcome.code == 2 and path.read_text() == "old"
    assert "is --svg's file too" in outcome.stderr
